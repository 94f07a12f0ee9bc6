/**
 * The receivable ledger's read model: families (with their agreed terms and maturity), pieces (holder, tier, state
 * and flags, and the piece each was split from), invoices, the debtors' credit lines, and the ledger's pauses (a
 * family's maturity is kept on the ledger's active clock, which stands still while it is paused).
 */
import { FAMILY_STATES } from "../../src/scf.js";
import type { Db, Decoded, Projection } from "../projections.js";

const INDEX_BITS = 24n;
const text = (v: unknown) => String(v);
const familyOf = (id: unknown) => Number(BigInt(text(id)) >> INDEX_BITS);
const indexOf = (id: unknown) => Number(BigInt(text(id)) & ((1n << INDEX_BITS) - 1n));

/** Seconds contract `contract` spent paused up to `at` (Unix seconds), from the mirrored pauses. */
export async function pausedSeconds(db: Db, chainId: number, contract: string, at: number): Promise<number> {
  const rows = await db
    .selectFrom("pauses")
    .select(["paused_at", "unpaused_at"])
    .where("chain_id", "=", chainId)
    .where("contract", "=", contract)
    .where("paused_at", "<=", at)
    .execute();
  return rows.reduce((sum, r) => sum + Math.min(Number(r.unpaused_at ?? at), at) - Number(r.paused_at), 0);
}

/** Paused and Unpaused of every module. */
export const pauses: Projection = {
  tables: ["pauses"],
  async apply(trx: Db, e: Decoded) {
    if (e.name === "Paused") {
      // A second Paused while paused is the governor taking a Regulator's pause over (review 30, B2): the same
      // pause, already open; a second row would count its time twice (review 31, D3).
      const open = await trx
        .selectFrom("pauses")
        .select("paused_at")
        .where("chain_id", "=", e.chainId)
        .where("contract", "=", e.contract)
        .where("unpaused_at", "is", null)
        .executeTakeFirst();
      if (open !== undefined) return;
      await trx
        .insertInto("pauses")
        .values({
          chain_id: e.chainId,
          contract: e.contract,
          block_number: e.blockNumber,
          log_index: e.logIndex,
          paused_at: e.timestamp,
          unpaused_at: null,
        })
        .execute();
    } else if (e.name === "Unpaused") {
      await trx
        .updateTable("pauses")
        .set({ unpaused_at: e.timestamp })
        .where("chain_id", "=", e.chainId)
        .where("contract", "=", e.contract)
        .where("unpaused_at", "is", null)
        .execute();
    }
  },
};

export const scf: Projection = {
  tables: ["families", "pieces", "invoices", "credit_lines", "scf_terms"],
  async apply(trx: Db, e: Decoded) {
    if (e.contract !== "ReceivableLedger") return;
    const a = e.args;
    const chain = e.chainId;
    const piece = (id: unknown) => trx.updateTable("pieces").where("chain_id", "=", chain).where("id", "=", text(id));
    const family = (id: unknown) =>
      trx.updateTable("families").where("chain_id", "=", chain).where("family", "=", familyOf(id));
    const line = (debtor: unknown, token: unknown) =>
      trx
        .selectFrom("credit_lines")
        .selectAll()
        .where("chain_id", "=", chain)
        .where("debtor", "=", Number(debtor))
        .where("token", "=", text(token));
    const putLine = async (
      debtor: unknown,
      token: unknown,
      set: Partial<{ financier: number; limit: string; used: string; frozen: number }>,
    ) => {
      const now = await line(debtor, token).executeTakeFirst();
      const row = { financier: 0, limit: "0", used: "0", frozen: 0, ...(now ?? {}), ...set };
      await trx
        .insertInto("credit_lines")
        .values({
          chain_id: chain,
          debtor: Number(debtor),
          token: text(token),
          financier: Number(row.financier),
          limit: row.limit,
          used: row.used,
          frozen: Number(row.frozen),
        })
        .onConflict((c) =>
          c.columns(["chain_id", "debtor", "token"]).doUpdateSet({
            financier: Number(row.financier),
            limit: row.limit,
            used: row.used,
            frozen: Number(row.frozen),
          }),
        )
        .execute();
    };
    const terms = async () =>
      (await trx
        .selectFrom("scf_terms")
        .select(["grace_seconds", "penalty_rate_bps"])
        .where("chain_id", "=", chain)
        .executeTakeFirst()) ?? {
        grace_seconds: 0,
        penalty_rate_bps: 0,
      };
    switch (e.name) {
      case "TermsUpdated": {
        const row = { grace_seconds: Number(a.graceSeconds), penalty_rate_bps: Number(a.penaltyRateBps) };
        await trx
          .insertInto("scf_terms")
          .values({ chain_id: chain, ...row })
          .onConflict((c) => c.column("chain_id").doUpdateSet(row))
          .execute();
        return;
      }
      case "ReceivableRequested": {
        const t = await terms();
        const paused = await pausedSeconds(trx, chain, e.contract, e.timestamp);
        await trx
          .insertInto("families")
          .values({
            chain_id: chain,
            family: familyOf(a.id),
            root: text(a.id),
            debtor: Number(a.debtor),
            token: text(a.token),
            maturity_active: Number(a.maturity) - paused,
            pieces: 1,
            face: text(a.face),
            paid: "0",
            state: "Requested",
            repaid_at: 0,
            grace_seconds: Number(t.grace_seconds),
            penalty_rate_bps: Number(t.penalty_rate_bps),
            requested_at: e.timestamp,
          })
          .execute();
        await trx
          .insertInto("pieces")
          .values({
            chain_id: chain,
            id: text(a.id),
            family: familyOf(a.id),
            piece_index: 0,
            parent: null,
            holder: Number(a.holder),
            face: text(a.face),
            tier: 1,
            state: "None",
            frozen: 0,
            encumbered: 0,
            recourse: 0,
            defaulted: 0,
            pledgee: 0,
          })
          .execute();
        return;
      }
      case "RequestClosed":
        await family(a.id)
          .set({ state: FAMILY_STATES[Number(a.state)] })
          .execute();
        return;
      case "InvoiceUsed": {
        // Invoice keys are the debtor's own: the same key may back another debtor's receivable.
        const { debtor } = await trx
          .selectFrom("families")
          .select("debtor")
          .where("chain_id", "=", chain)
          .where("family", "=", familyOf(a.id))
          .executeTakeFirstOrThrow();
        await trx
          .insertInto("invoices")
          .values({ chain_id: chain, debtor: Number(debtor), invoice_key: text(a.invoiceKey), root: text(a.id) })
          .execute();
        return;
      }
      case "ReceivableConfirmed": {
        const t = await terms();
        await family(a.id)
          .set({
            state: "Confirmed",
            grace_seconds: Number(t.grace_seconds),
            penalty_rate_bps: Number(t.penalty_rate_bps),
          })
          .execute();
        await piece(a.id).set({ state: "Held" }).execute();
        const f = await trx
          .selectFrom("families")
          .select("token")
          .where("chain_id", "=", chain)
          .where("family", "=", familyOf(a.id))
          .executeTakeFirstOrThrow();
        await putLine(a.debtor, f.token, { used: text(a.used) });
        return;
      }
      case "ReceivableSplit": {
        const parent = await trx
          .selectFrom("pieces")
          .selectAll()
          .where("chain_id", "=", chain)
          .where("id", "=", text(a.parent))
          .executeTakeFirstOrThrow();
        const faces = (a.faces as string[]).map(text);
        await piece(a.parent).set({ face: faces[0] }).execute();
        const first = BigInt(text(a.firstChild));
        for (let i = 1; i < faces.length; i++) {
          const id = (first + BigInt(i - 1)).toString();
          await trx
            .insertInto("pieces")
            .values({
              ...parent,
              id,
              piece_index: indexOf(id),
              parent: text(a.parent),
              face: faces[i],
              state: "Held",
              frozen: 0,
              encumbered: 0,
              recourse: 0,
              defaulted: 0,
              pledgee: 0,
            })
            .execute();
        }
        await family(a.parent)
          .set({ pieces: indexOf(first) + faces.length - 1 })
          .execute();
        return;
      }
      case "ReceivableTransferred":
        await piece(a.id)
          .set({ holder: Number(a.to), tier: Number(a.tier) })
          .execute();
        return;
      case "ReceivableFinanced":
        await piece(a.id)
          .set({
            holder: Number(a.financier),
            state: "Financed",
            recourse: a.recourse === true ? 1 : 0,
            financed_price: text(a.price),
            financed_from: Number(a.seller),
          })
          .execute();
        return;
      case "ReceivableEncumbered":
        await piece(a.id)
          .set({ encumbered: a.encumbered === true ? 1 : 0, pledgee: a.encumbered === true ? Number(a.financier) : 0 })
          .execute();
        return;
      case "ReceivableFrozen":
        await piece(a.id)
          .set({ frozen: a.frozen === true ? 1 : 0 })
          .execute();
        return;
      case "FamilyOverdue":
        await family(a.root).set({ state: "Overdue" }).execute();
        return;
      case "PieceDefaulted":
        await piece(a.id).set({ defaulted: 1 }).execute();
        await family(a.id).set({ state: "Defaulted" }).execute();
        return;
      case "RecourseClosed":
        await piece(a.id).set({ recourse: 0 }).execute();
        return;
      case "CreditRecordsSettled":
        // A frozen piece of a repaid family: its recourse record closed before its collection (review 10, R10-1).
        if (a.recourse === true) await piece(a.id).set({ recourse: 0 }).execute();
        return;
      case "FamilyRepaid": {
        await family(a.root)
          .set({ state: "Repaid", paid: text(a.amount), repaid_at: e.timestamp })
          .execute();
        const f = await trx
          .selectFrom("families")
          .select(["debtor", "token", "face"])
          .where("chain_id", "=", chain)
          .where("family", "=", familyOf(a.root))
          .executeTakeFirstOrThrow();
        const now = await line(f.debtor, f.token).executeTakeFirstOrThrow();
        await putLine(f.debtor, f.token, { used: (BigInt(now.used) - BigInt(f.face)).toString() });
        return;
      }
      case "ReceivableCollected":
        await piece(a.id).set({ state: "Collected" }).execute();
        return;
      case "CreditLineAssigned": {
        const set: Partial<{ financier: number; limit: string; frozen: number }> = {
          financier: Number(a.financier),
          limit: "0",
        };
        if (a.byGovernor === true) set.frozen = 0;
        await putLine(a.debtor, a.token, set);
        return;
      }
      case "CreditLineSet":
        await putLine(a.debtor, a.token, { limit: text(a.limit) });
        return;
      case "CreditLineFrozen":
        await putLine(a.debtor, a.token, { frozen: a.frozen === true ? 1 : 0 });
        return;
    }
  },
};
