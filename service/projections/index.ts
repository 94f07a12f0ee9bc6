/** Every projection of the read model, in the order they fold each event. */

import { lockCheckpoints, rebuild, type Db, type Projection } from "../projections.js";
import { credit } from "./credit.js";
import { balances, members } from "./members.js";
import { pauses, scf } from "./scf.js";
import { trade } from "./trade.js";

export const PROJECTIONS: readonly Projection[] = [members, balances, credit, pauses, scf, trade];

/**
 * Refolds every chain of the database from its stored events when a row lacks the place in chain order that
 * migration 0016 added (adversarial review 41, D1): rows written before it, or by a service of the previous version
 * still running during an upgrade. Checked at every start, so that a start stopped before the refold committed
 * refolds at the next one (review 42, R1). One transaction, which first takes every chain's checkpoint, as each
 * indexer's step does: another service's step waits, then folds its events onto the refolded rows (review 42, R2).
 * Returns the chains refolded.
 */
export async function refoldIfPositionsMissing(db: Db): Promise<number[]> {
  const missing =
    (await db
      .selectFrom("loan_disputes")
      .select("chain_id")
      .where("state", "=", "Resolved")
      .where("resolved_block", "is", null)
      .limit(1)
      .executeTakeFirst()) ??
    (await db.selectFrom("consents").select("chain_id").where("recorded_log", "is", null).limit(1).executeTakeFirst());
  if (missing === undefined) return [];
  return db.transaction().execute(async (trx) => {
    await lockCheckpoints(trx);
    const chains = (await trx.selectFrom("checkpoints").select("chain_id").orderBy("chain_id").execute()).map((c) =>
      Number(c.chain_id),
    );
    for (const chainId of chains) await rebuild(trx, PROJECTIONS, chainId);
    return chains;
  });
}
