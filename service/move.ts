/**
 * Moving a service's database (e.g. from SQLite to PostgreSQL). The read model is not copied: it is derived from the
 * chain, and the service re-indexes it from the deployment block on its new database. What only this database
 * holds is copied: API tokens (their hashes: clients keep their tokens), the audit log, idempotency answers, upload
 * jobs, webhooks (with their cursors: nothing is delivered twice) and their delivery log. Ids are given anew by the
 * destination and every reference follows them, so the same code runs on both engines.
 */
import type { Kysely } from "kysely";

import type { Tables } from "./schema.js";
import { isSealed, resealSecret } from "./webhook-secrets.js";

export interface Moved {
  tokens: number;
  audit: number;
  idempotency: number;
  uploads: number;
  webhooks: number;
  deliveries: number;
}

const CHUNK = 200;

/** An upload job's path, under which its batches are audited (`jobPath` in routes/credit-writes.ts). */
const JOB_PATH = /^\/v1\/credit\/uploads\/(\d+)$/;

async function insertAll<T extends keyof Tables & string>(
  db: Kysely<Tables>,
  table: T,
  rows: Record<string, unknown>[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await db
      .insertInto(table)
      .values(rows.slice(i, i + CHUNK) as never)
      .execute();
  }
}

/**
 * Copies the tables only `from` holds into `to`, which must be migrated and hold no API token yet. A sealed webhook
 * secret is bound to its token's id, which the move gives anew: it is sealed again for the new id with `webhookKey`,
 * the key it was sealed with, and without it the move refuses and writes nothing.
 */
export async function moveOwnTables(
  from: Kysely<Tables>,
  to: Kysely<Tables>,
  options: { webhookKey?: Buffer } = {},
): Promise<Moved> {
  const present = await to.selectFrom("api_tokens").select("id").limit(1).execute();
  if (present.length > 0) {
    throw new Error("the destination already has API tokens: move into a fresh database only");
  }
  return to.transaction().execute(async (trx) => {
    const tokenIds = new Map<number, number>();
    const tokens = await from.selectFrom("api_tokens").selectAll().orderBy("id").execute();
    for (const { id, ...t } of tokens) {
      const row = await trx.insertInto("api_tokens").values(t).returning("id").executeTakeFirstOrThrow();
      tokenIds.set(Number(id), Number(row.id));
    }
    const token = (id: number) => {
      const mapped = tokenIds.get(Number(id));
      if (mapped === undefined) throw new Error(`a row refers to token ${id}, which the source does not have`);
      return mapped;
    };
    // Upload jobs before the audit log: a job's batches are audited under its path, which names its new id.
    const jobIds = new Map<number, number>();
    const uploads = await from.selectFrom("upload_jobs").selectAll().orderBy("id").execute();
    for (const { id, ...u } of uploads) {
      const row = await trx
        .insertInto("upload_jobs")
        .values({ ...u, token_id: token(u.token_id) })
        .returning("id")
        .executeTakeFirstOrThrow();
      jobIds.set(Number(id), Number(row.id));
    }
    // Only a job's own batch rows follow it: any other row under such a path (a refused request a token sent to
    // it) stays as it was written, so that no request can make a move fail (adversarial review 5, F4).
    const jobPath = (a: { method: string; path: string }) => {
      const job = a.method === "JOB" ? JOB_PATH.exec(a.path) : null;
      const mapped = job === null ? undefined : jobIds.get(Number(job[1]));
      return mapped === undefined ? a.path : `/v1/credit/uploads/${mapped}`;
    };
    const audit = await from.selectFrom("audit_log").selectAll().orderBy("id").execute();
    await insertAll(
      trx,
      "audit_log",
      audit.map(({ id: _id, ...a }) => ({ ...a, token_id: token(a.token_id), path: jobPath(a) })),
    );
    const idempotency = await from.selectFrom("idempotency").selectAll().execute();
    await insertAll(
      trx,
      "idempotency",
      idempotency.map((r) => ({ ...r, token_id: token(r.token_id) })),
    );
    const webhookIds = new Map<number, number>();
    const webhooks = await from.selectFrom("webhooks").selectAll().orderBy("id").execute();
    for (const { id, ...w } of webhooks) {
      const tokenId = token(w.token_id);
      const secret = !isSealed(w.secret)
        ? w.secret
        : resealSecret(
            options.webhookKey,
            w.secret,
            Number(id),
            { tokenId: Number(w.token_id), url: w.url },
            { tokenId, url: w.url },
          );
      const row = await trx
        .insertInto("webhooks")
        .values({ ...w, token_id: tokenId, secret })
        .returning("id")
        .executeTakeFirstOrThrow();
      webhookIds.set(Number(id), Number(row.id));
    }
    const deliveries = await from.selectFrom("webhook_deliveries").selectAll().orderBy("id").execute();
    await insertAll(
      trx,
      "webhook_deliveries",
      deliveries.map(({ id: _id, ...d }) => {
        const webhook = webhookIds.get(Number(d.webhook_id));
        if (webhook === undefined) throw new Error(`a delivery refers to webhook ${d.webhook_id}, which is not there`);
        return { ...d, webhook_id: webhook };
      }),
    );
    return {
      tokens: tokens.length,
      audit: audit.length,
      idempotency: idempotency.length,
      uploads: uploads.length,
      webhooks: webhooks.length,
      deliveries: deliveries.length,
    };
  });
}
