/**
 * How the service writes: every write endpoint runs through `runWrite`, which
 * - replays the first answer to a retried `Idempotency-Key` (and refuses the key reused for another request),
 * - gives the handler the member's contracts on a signer behind the one submission queue of the operator key,
 * - answers with the transaction hashes and the events the mined transactions emitted, decoded with the ABIs,
 * - records the write in the audit table (who, what, when, the transaction hash), refused writes included.
 * Input is checked by the SDK's desk, which throws `InputError` before anything is sent: that is a 400 naming the
 * field.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import { hostname } from "node:os";

import type { Context } from "hono";
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { ContractTransactionReceipt, Provider, TransactionResponse } from "ethers";

import { connect, type Deployment } from "../src/deployment.js";
import type { Desk } from "../src/desk/credit.js";
import { LoanFileError } from "../src/desk/credit.js";
import { BatchRejectedError } from "../src/credit.js";
import { InputError, fieldLabels } from "../src/input.js";
import type { ConsortiumKey } from "../src/keys.js";
import type { QueuedSigner } from "../src/queue.js";
import { problemOf, type AppEnv } from "./app.js";
import { followedContracts, jsonValue, type Followed } from "./indexer.js";
import { ProblemError, badRequest, clip, requestPath, type Problem } from "./problem.js";
import type { Tables } from "./schema.js";

/** What the service signs with: the member's operator key behind its queue, and the consortium key. */
export interface Writer {
  deployment: Deployment;
  signer: QueuedSigner;
  provider: Provider;
  consortiumKey: () => Promise<ConsortiumKey>;
  /** This run of the service (a random id), registered in `service_runs` with a lease it renews. */
  run: string;
  /** The `Idempotency-Key`s (token id and key) this run is serving now. */
  inFlight: Set<string>;
}

/** A decoded event of a mined write. */
export interface WrittenEvent {
  txHash: string;
  logIndex: number;
  contract: string;
  name: string;
  args: unknown;
}

/** What a write answers: the transactions it sent, their decoded events, and the operation's own result. */
export interface WriteAnswer {
  txHashes: string[];
  events: WrittenEvent[];
  result: unknown;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** The most bad lines of a loan file a 400 lists. */
export const BAD_LINES_LISTED = 100;

/** A problem for an error a write handler threw: a desk's input error is a 400 naming the field. */
export function writeProblem(err: unknown): Problem {
  if (err instanceof InputError) {
    // "field: message", the field named once: a desk message may begin with "field: " itself ("quote: …").
    const detail = err.message.startsWith(`${err.field}: `) ? err.message : `${err.field}: ${err.message}`;
    return badRequest(detail, [{ pointer: `/${err.field.replace(/\[(\d+)\]\./g, "/$1/")}`, detail: err.message }])
      .problem;
  }
  if (err instanceof BatchRejectedError) {
    const problem = problemOf(err.revert);
    return { ...problem, detail: `${err.message}: ${problem.detail}` };
  }
  if (err instanceof LoanFileError) {
    // Bounded as every 400 is (`clip`): a line's message may quote its cell, and a file may have many bad lines.
    const listed = err.errors.slice(0, BAD_LINES_LISTED);
    const more = err.errors.length - listed.length;
    return {
      type: "https://tradeline.dev/problems/bad-file",
      title: "The file has bad lines; nothing was sent",
      status: 400,
      detail: clip(
        `${err.errors.length} bad line(s); nothing was sent` + (more > 0 ? ` (the first ${listed.length} listed)` : ""),
      ),
      errors: listed.map((e) => ({ pointer: `/lines/${e.line}`, detail: clip(e.message) })),
    };
  }
  return problemOf(err);
}

/** Decodes the logs of `receipts` with the deployment's ABIs. */
export function decodeReceipts(followed: Followed[], receipts: ContractTransactionReceipt[]): WrittenEvent[] {
  const byAddress = new Map(followed.map((f) => [f.address.toLowerCase(), f]));
  const out: WrittenEvent[] = [];
  for (const r of receipts) {
    for (const log of r.logs) {
      const f = byAddress.get(log.address.toLowerCase());
      const parsed = f?.iface.parseLog(log);
      if (f === undefined || parsed === null || parsed === undefined) continue;
      const args = Object.fromEntries(
        parsed.fragment.inputs.map((input, i) => [input.name, jsonValue(parsed.args[i])]),
      );
      out.push({ txHash: r.hash, logIndex: log.index, contract: f.contract, name: parsed.name, args });
    }
  }
  return out;
}

export interface WriteContext {
  db: Kysely<Tables>;
  writer?: Writer;
  logger?: Logger;
}

/** The SDK desk a request works through: the member's contracts on a signer that reports what it sends. */
export interface RequestDesk extends Desk {
  signer: QueuedSigner;
  sent: TransactionResponse[];
}

/** How long an `Idempotency-Key` is kept (Stripe keeps its keys 24 hours too). */
export const IDEMPOTENCY_TTL_SECONDS = 86_400;

/** The keys that make idempotency rows private to the consortium key's holders. */
interface RowKeys {
  /** Keys the request hash: a body holds raw borrower ids, which an unkeyed hash lets anyone try offline. */
  hash: Buffer;
  /** Encrypts the stored answer: it may hold a record's salt. */
  seal: Buffer;
}

function rowKeys(key: ConsortiumKey): RowKeys {
  const derived = (label: string) => Buffer.from(key.derive([label]).slice(2), "hex");
  return {
    hash: derived("tradeline:service:idempotency-request:v1"),
    seal: derived("tradeline:service:idempotency-answer:v1"),
  };
}

/** The keyed hash of a request (method, path and body) an `Idempotency-Key` is bound to. */
export function requestHash(key: ConsortiumKey, method: string, path: string, body: string): string {
  return createHmac("sha256", rowKeys(key).hash).update(`${method} ${path}\n${body}`).digest("hex");
}

/** An answer as stored: `v1.` and base64 of the IV, the GCM tag and the ciphertext. */
function seal(keys: RowKeys, text: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keys.seal, iv);
  const body = Buffer.concat([cipher.update(text, "utf8"), cipher.final()]);
  return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64")}`;
}

function unseal(keys: RowKeys, sealed: string): string {
  const raw = Buffer.from(sealed.slice(3), "base64");
  const decipher = createDecipheriv("aes-256-gcm", keys.seal, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
}

function answer(status: number, text: string, replayed = false): Response {
  return new Response(text, {
    status,
    headers: {
      "content-type": status >= 400 ? "application/problem+json" : "application/json",
      ...(replayed ? { "idempotent-replayed": "true" } : {}),
    },
  });
}

/**
 * Runs one write: `action` names it in the audit table; `body` is the request's content as hashed for
 * idempotency; `handle` does the work on a request desk and returns the operation's result.
 */
export async function runWrite(
  c: Context<AppEnv>,
  ctx: WriteContext,
  action: string,
  body: string,
  handle: (desk: RequestDesk) => Promise<{ status?: 200 | 201 | 202; result: unknown }>,
  authorize?: (w: Writer) => Promise<void>,
): Promise<never> {
  // Typed `never` so that each route's handler may return it: its body follows the route's documented schemas.
  return (await write(c, ctx, action, body, handle, authorize)) as never;
}

/**
 * `authorize`: the check of a step whose roles depend on the chain (who holds a consent, whose proceeds an order
 * pays). It runs once the `Idempotency-Key` is claimed, so a retry of a write already done is answered with its
 * first answer whatever changed on the chain since (review 9, J2); refused, it frees the key.
 */
async function write(
  c: Context<AppEnv>,
  ctx: WriteContext,
  action: string,
  body: string,
  handle: (desk: RequestDesk) => Promise<{ status?: 200 | 201 | 202; result: unknown }>,
  authorize?: (w: Writer) => Promise<void>,
): Promise<Response> {
  const client = c.get("client");
  const key = c.req.header("idempotency-key");
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw badRequest("the Idempotency-Key header must be 1 to 255 visible ASCII characters", [
      { pointer: "/headers/idempotency-key", detail: "1 to 255 visible ASCII characters" },
    ]);
  }
  if (ctx.writer === undefined) {
    throw new ProblemError(
      503,
      "no-operator-key",
      "This service signs nothing",
      "the service was started without an operator key: writes are off",
    );
  }
  const w = ctx.writer;
  let keyed: { key: string; keys: RowKeys } | undefined;
  if (key !== undefined) {
    // Without the consortium key a request hash would be unkeyed: refused (503) before anything is stored.
    const consortiumKey = await w.consortiumKey();
    keyed = { key, keys: rowKeys(consortiumKey) };
    const target = new URL(c.req.url);
    const claimed = await claimKey(
      c,
      ctx,
      w,
      keyed,
      requestHash(consortiumKey, c.req.method, target.pathname + target.search, body),
    );
    if (claimed !== undefined) return claimed;
  }
  // A claimed key is in flight (claimKey) until the request ends, its step check included.
  const flight = keyed === undefined ? undefined : `${client.id}\n${keyed.key}`;
  try {
    if (authorize !== undefined) {
      try {
        await authorize(w);
      } catch (err) {
        if (keyed !== undefined) await releaseKey(ctx, client.id, keyed.key);
        throw err;
      }
    }
    c.set("audited", true);
    const signed: string[] = [];
    try {
      return await serve(c, ctx, w, action, keyed, signed, handle);
    } catch (err) {
      // The database failed under the write (its answer could not be kept): with nothing signed, the key is freed
      // for a retry; with something signed, the row stays, and a retry answers `write-interrupted` with it.
      if (keyed !== undefined && signed.length === 0) await releaseKey(ctx, client.id, keyed.key);
      throw err;
    }
  } finally {
    if (flight !== undefined) w.inFlight.delete(flight);
  }
}

/** Frees an `Idempotency-Key` this request claimed and did not answer, for a retry. */
async function releaseKey(ctx: WriteContext, tokenId: number, key: string): Promise<void> {
  await ctx.db
    .deleteFrom("idempotency")
    .where("token_id", "=", tokenId)
    .where("key", "=", key)
    .where("status", "is", null)
    .execute()
    .catch(() => undefined);
}

async function serve(
  c: Context<AppEnv>,
  ctx: WriteContext,
  w: Writer,
  action: string,
  keyed: { key: string; keys: RowKeys } | undefined,
  signed: string[],
  handle: (desk: RequestDesk) => Promise<{ status?: 200 | 201 | 202; result: unknown }>,
): Promise<Response> {
  const { db } = ctx;
  const client = c.get("client");
  // The audit row exists before anything is signed, and names each transaction as it is signed: a service that
  // stops mid-write leaves the row with status 0 and what it had signed.
  const audit = await db
    .insertInto("audit_log")
    .values({
      token_id: client.id,
      at: now(),
      method: c.req.method,
      path: requestPath(c),
      action,
      status: 0,
      tx_hash: null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  // A hash counts as signed once it is recorded: if recording fails, `onSigning` throws and nothing is broadcast.
  const onSigning = async (hash: string) => {
    const list = [...signed, hash].join(",");
    await db.updateTable("audit_log").set({ tx_hash: list }).where("id", "=", audit.id).execute();
    if (keyed !== undefined) {
      await db
        .updateTable("idempotency")
        .set({ signed: list })
        .where("token_id", "=", client.id)
        .where("key", "=", keyed.key)
        .execute();
    }
    signed.push(hash);
  };

  let status: number;
  let payload: unknown;
  const sent: TransactionResponse[] = [];
  try {
    const signer = w.signer.withListener((tx) => sent.push(tx), onSigning);
    const desk: RequestDesk = {
      contracts: connect(w.deployment, signer),
      consortiumKey: w.consortiumKey,
      signer,
      label: fieldLabels,
      sent,
    };
    const out = await handle(desk);
    status = out.status ?? 200;
    payload = {
      txHashes: sent.map((t) => t.hash),
      events: await minedEvents(
        w,
        sent.map((t) => t.hash),
      ),
      result: jsonValue(out.result),
    } satisfies WriteAnswer;
  } catch (err) {
    let problem = writeProblem(err);
    if (problem.status >= 500) {
      ctx.logger?.error({ err: err instanceof Error ? err.message : String(err), action }, "write failed");
    }
    if (signed.length > 0 && problem.status < 500) problem = partlySent(problem, signed.length);
    status = problem.status;
    payload = {
      ...problem,
      instance: requestPath(c),
      ...(signed.length > 0 ? { txHashes: signed, events: await minedEvents(w, signed) } : {}),
    };
  }
  const text = JSON.stringify(payload);
  await db.transaction().execute(async (trx) => {
    await trx.updateTable("audit_log").set({ status }).where("id", "=", audit.id).execute();
    if (keyed === undefined) return;
    const row = trx.updateTable("idempotency").where("token_id", "=", client.id).where("key", "=", keyed.key);
    // A failure before anything was signed may be retried with the same key; anything else is the key's answer.
    if (status >= 500 && signed.length === 0) {
      await trx.deleteFrom("idempotency").where("token_id", "=", client.id).where("key", "=", keyed.key).execute();
    } else {
      await row.set({ status, response: seal(keyed.keys, text) }).execute();
    }
  });
  return answer(status, text);
}

/**
 * A refusal that came after part of the write was sent (e.g. an approval mined, then the operation refused): never a
 * 4xx, which promises that nothing was sent. The refusal is kept as `cause`.
 */
function partlySent(problem: Problem, count: number): Problem {
  return {
    type: "https://tradeline.dev/problems/partly-sent",
    title: "Part of the write was sent before the rest was refused",
    status: 500,
    detail:
      `${count} transaction(s) were sent (see txHashes and events), then: ${problem.detail}. ` +
      "Check what they did before sending anything again",
    cause: problem,
  };
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

/** A run's lease: a run not seen for this long has stopped (it renews every `RUN_RENEW_MS`). */
export const RUN_LEASE_SECONDS = 15;
const RUN_RENEW_MS = 5_000;

/** Whether a process of this machine is gone (a run it held has stopped, whatever its lease says). */
export function processGone(host: string, pid: number): boolean {
  if (host !== hostname()) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/** Whether run `run` of the service is alive: its lease renewed lately, and its process not gone. */
export async function runAlive(db: Kysely<Tables>, run: string): Promise<boolean> {
  const r = await db.selectFrom("service_runs").selectAll().where("run", "=", run).executeTakeFirst();
  return r !== undefined && Number(r.seen_at) >= now() - RUN_LEASE_SECONDS && !processGone(r.host, Number(r.pid));
}

/**
 * Registers `run` as this database's signing service for `signer`, with a lease renewed until `stop`. One signing
 * service per key and database: two would draw the same nonces, and could each take the other's Idempotency-Keys for
 * abandoned. A run that stopped without `stop` is taken over at once when it ran on this machine (its process is
 * gone), else once its lease lapses; a run whose lease keeps being renewed is another service running: refused.
 */
export async function registerRun(
  db: Kysely<Tables>,
  run: string,
  signer: string,
  leaseSeconds = RUN_LEASE_SECONDS,
): Promise<{ stop(): Promise<void> }> {
  const account = signer.toLowerCase();
  const renewMs = Math.min(RUN_RENEW_MS, (leaseSeconds * 1000) / 3);
  const deadline = Date.now() + leaseSeconds * 1000 + 2 * renewMs;
  for (;;) {
    const stale = await db
      .selectFrom("service_runs")
      .selectAll()
      .where((eb) => eb.or([eb("seen_at", "<", now() - leaseSeconds), eb("signer", "=", account)]))
      .execute();
    for (const r of stale) {
      if (Number(r.seen_at) < now() - leaseSeconds || processGone(r.host, Number(r.pid))) {
        await db.deleteFrom("service_runs").where("run", "=", r.run).where("seen_at", "=", r.seen_at).execute();
      }
    }
    const taken = await db
      .insertInto("service_runs")
      .values({ run, signer: account, host: hostname(), pid: process.pid, started_at: now(), seen_at: now() })
      .onConflict((oc) => oc.column("signer").doNothing())
      .returning("run")
      .executeTakeFirst();
    if (taken !== undefined) break;
    if (Date.now() > deadline) {
      throw new Error(
        `another service signing as ${signer} is running on this database (its lease is being renewed): run one ` +
          "signing service per operator key and database",
      );
    }
    await new Promise((r) => setTimeout(r, Math.min(1_000, renewMs)));
  }
  const timer = setInterval(() => {
    void db
      .updateTable("service_runs")
      .set({ seen_at: now() })
      .where("run", "=", run)
      .execute()
      .catch(() => undefined);
  }, renewMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await db
        .deleteFrom("service_runs")
        .where("run", "=", run)
        .execute()
        .catch(() => undefined);
    },
  };
}

/** The decoded events of the transactions among `hashes` that have been mined. */
async function minedEvents(w: Writer, hashes: string[]): Promise<WrittenEvent[]> {
  const receipts: ContractTransactionReceipt[] = [];
  for (const hash of hashes) {
    const r = await w.provider.getTransactionReceipt(hash);
    if (r !== null) receipts.push(r as ContractTransactionReceipt);
  }
  return decodeReceipts(followedContracts(w.deployment), receipts);
}

/**
 * Takes `Idempotency-Key` for this request, or answers for it: the first answer replayed, 422 for another request,
 * 409 while this run still serves it. A row that another run of the service left in flight was interrupted: with
 * nothing signed, nothing can have reached the node and this request takes the key over; with transactions signed,
 * they may have been mined, so the key's answer is what they did (never a second sending).
 */
async function claimKey(
  c: Context<AppEnv>,
  ctx: WriteContext,
  w: Writer,
  keyed: { key: string; keys: RowKeys },
  hash: string,
): Promise<Response | undefined> {
  const { db } = ctx;
  const tokenId = c.get("client").id;
  const { key } = keyed;
  await db
    .deleteFrom("idempotency")
    .where("created_at", "<", now() - IDEMPOTENCY_TTL_SECONDS)
    .execute();
  const inserted = await db
    .insertInto("idempotency")
    .values({
      token_id: tokenId,
      key,
      request_hash: hash,
      status: null,
      response: null,
      created_at: now(),
      owner: w.run,
      signed: null,
    })
    .onConflict((oc) => oc.columns(["token_id", "key"]).doNothing())
    .returning("key")
    .executeTakeFirst();
  // Claimed: in flight from here, before any step check that awaits the chain, so that a retry with the key meanwhile
  // is a 409, never a second run (review 30, C1). The caller takes it out of the set when the request ends.
  if (inserted !== undefined) {
    w.inFlight.add(`${tokenId}\n${key}`);
    return undefined;
  }
  const row = await db
    .selectFrom("idempotency")
    .selectAll()
    .where("token_id", "=", tokenId)
    .where("key", "=", key)
    .executeTakeFirstOrThrow();
  if (row.request_hash !== hash) {
    throw new ProblemError(
      422,
      "idempotency-key-reused",
      "The Idempotency-Key was used for another request",
      `Idempotency-Key "${key}" was first used for a different request; use a new key for a new request`,
    );
  }
  if (row.status !== null && row.response !== null) {
    c.set("audited", true); // a replay sends nothing, and its write was audited when it ran
    return answer(Number(row.status), unseal(keyed.keys, row.response), true);
  }
  const inFlight = new ProblemError(
    409,
    "idempotency-key-in-flight",
    "The first request with this Idempotency-Key is still running",
    `a request with Idempotency-Key "${key}" is still being processed: retry after it answers`,
  );
  // Still running: in this run (its in-flight set), or in another run of the service whose lease is alive.
  if (w.inFlight.has(`${tokenId}\n${key}`)) throw inFlight;
  if (row.owner !== w.run && row.owner !== null && (await runAlive(db, row.owner))) throw inFlight;
  const signed = (row.signed ?? "").split(",").filter((h) => h !== "");
  if (signed.length === 0) {
    const taken = await db
      .updateTable("idempotency")
      .set({ owner: w.run, created_at: now() })
      .where("token_id", "=", tokenId)
      .where("key", "=", key)
      .where("status", "is", null)
      .where("signed", "is", null)
      .where((eb) => (row.owner === null ? eb("owner", "is", null) : eb("owner", "=", row.owner)))
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) === 1) {
      w.inFlight.add(`${tokenId}\n${key}`);
      return undefined;
    }
    throw inFlight;
  }
  c.set("audited", true);
  const events = await minedEvents(w, signed);
  const text = JSON.stringify({
    type: "https://tradeline.dev/problems/write-interrupted",
    title: "The service stopped while it ran this request",
    status: 500,
    detail:
      `the service stopped after signing ${signed.length} transaction(s) for Idempotency-Key "${key}"; they may ` +
      "have been mined (see txHashes and events): nothing is sent again for this key",
    instance: requestPath(c),
    txHashes: signed,
    events,
  });
  await db
    .updateTable("idempotency")
    .set({ status: 500, response: seal(keyed.keys, text) })
    .where("token_id", "=", tokenId)
    .where("key", "=", key)
    .where("status", "is", null)
    .execute();
  return answer(500, text, true);
}
