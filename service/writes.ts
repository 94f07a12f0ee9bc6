/**
 * How the service writes: every write endpoint runs through `runWrite`, which
 * - replays the first answer to a retried `Idempotency-Key` (and refuses the key reused for another request),
 * - gives the handler the member's contracts on a signer behind the one submission queue of the operator key,
 * - answers with the transaction hashes and the events the mined transactions emitted, decoded with the ABIs,
 * - records the write in the audit table (who, what, when, the transaction hash), refused writes included.
 * Input is checked by the SDK's desk, which throws `InputError` before anything is sent: that is a 400 naming the
 * field.
 */
import { createHash } from "node:crypto";

import type { Context } from "hono";
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { ContractTransactionReceipt, Provider, TransactionResponse } from "ethers";

import { connect, type Deployment } from "../src/deployment.js";
import type { Desk } from "../src/desk/credit.js";
import { LoanFileError } from "../src/desk/credit.js";
import { InputError, fieldLabels } from "../src/input.js";
import type { ConsortiumKey } from "../src/keys.js";
import type { QueuedSigner } from "../src/queue.js";
import { problemOf, type AppEnv } from "./app.js";
import { followedContracts, jsonValue, type Followed } from "./indexer.js";
import { ProblemError, badRequest, type Problem } from "./problem.js";
import type { Tables } from "./schema.js";

/** What the service signs with: the member's operator key behind its queue, and the consortium key. */
export interface Writer {
  deployment: Deployment;
  signer: QueuedSigner;
  provider: Provider;
  consortiumKey: () => Promise<ConsortiumKey>;
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

/** A problem for an error a write handler threw: a desk's input error is a 400 naming the field. */
export function writeProblem(err: unknown): Problem {
  if (err instanceof InputError) {
    return badRequest(`${err.field}: ${err.message}`, [
      { pointer: `/${err.field.replace(/\[(\d+)\]\./g, "/$1/")}`, detail: err.message },
    ]).problem;
  }
  if (err instanceof LoanFileError) {
    return {
      type: "https://tradeline.dev/problems/bad-file",
      title: "The file has bad lines; nothing was sent",
      status: 400,
      detail: err.message,
      errors: err.errors.map((e) => ({ pointer: `/lines/${e.line}`, detail: e.message })),
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

function requestHash(c: Context, body: string): string {
  return createHash("sha256").update(`${c.req.method} ${c.req.path}\n${body}`).digest("hex");
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
): Promise<never> {
  // Typed `never` so that each route's handler may return it: its body follows the route's documented schemas.
  return (await write(c, ctx, action, body, handle)) as never;
}

async function write(
  c: Context<AppEnv>,
  ctx: WriteContext,
  action: string,
  body: string,
  handle: (desk: RequestDesk) => Promise<{ status?: 200 | 201 | 202; result: unknown }>,
): Promise<Response> {
  const client = c.get("client");
  const { db } = ctx;
  const now = () => Math.floor(Date.now() / 1000);
  const key = c.req.header("idempotency-key");
  const hash = requestHash(c, body);
  if (key !== undefined) {
    if (!IDEMPOTENCY_KEY.test(key)) {
      throw badRequest("the Idempotency-Key header must be 1 to 255 visible ASCII characters", [
        { pointer: "/headers/idempotency-key", detail: "1 to 255 visible ASCII characters" },
      ]);
    }
    const inserted = await db
      .insertInto("idempotency")
      .values({ token_id: client.id, key, request_hash: hash, status: null, response: null, created_at: now() })
      .onConflict((oc) => oc.columns(["token_id", "key"]).doNothing())
      .returning("key")
      .executeTakeFirst();
    if (inserted === undefined) {
      const row = await db
        .selectFrom("idempotency")
        .selectAll()
        .where("token_id", "=", client.id)
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
      if (row.status === null || row.response === null) {
        throw new ProblemError(
          409,
          "idempotency-key-in-flight",
          "The first request with this Idempotency-Key is still running",
          `a request with Idempotency-Key "${key}" is still being processed: retry after it answers`,
        );
      }
      const res = new Response(row.response, {
        status: Number(row.status),
        headers: {
          "content-type": Number(row.status) >= 400 ? "application/problem+json" : "application/json",
          "idempotent-replayed": "true",
        },
      });
      return res;
    }
  }

  let status: number;
  let payload: unknown;
  const sent: TransactionResponse[] = [];
  try {
    if (ctx.writer === undefined) {
      throw new ProblemError(
        503,
        "no-operator-key",
        "This service signs nothing",
        "the service was started without an operator key: writes are off",
      );
    }
    const w = ctx.writer;
    const signer = w.signer.withListener((tx) => sent.push(tx));
    const desk: RequestDesk = {
      contracts: connect(w.deployment, signer),
      consortiumKey: w.consortiumKey,
      signer,
      label: fieldLabels,
      sent,
    };
    const out = await handle(desk);
    const receipts: ContractTransactionReceipt[] = [];
    for (const tx of sent) {
      const r = await w.provider.getTransactionReceipt(tx.hash);
      if (r !== null) receipts.push(r as ContractTransactionReceipt);
    }
    status = out.status ?? 200;
    payload = {
      txHashes: sent.map((t) => t.hash),
      events: decodeReceipts(followedContracts(w.deployment), receipts),
      result: jsonValue(out.result),
    } satisfies WriteAnswer;
  } catch (err) {
    const problem = writeProblem(err);
    if (problem.status >= 500) {
      ctx.logger?.error({ err: err instanceof Error ? err.message : String(err), action }, "write failed");
    }
    status = problem.status;
    payload = { ...problem, instance: c.req.path, ...(sent.length > 0 ? { txHashes: sent.map((t) => t.hash) } : {}) };
  }
  const text = JSON.stringify(payload);
  await db
    .insertInto("audit_log")
    .values({
      token_id: client.id,
      at: now(),
      method: c.req.method,
      path: c.req.path,
      action,
      status,
      tx_hash: sent.length === 0 ? null : sent.map((t) => t.hash).join(","),
    })
    .execute();
  if (key !== undefined) {
    // A failure before anything was sent may be retried with the same key; anything else is the key's answer.
    if (status >= 500 && sent.length === 0) {
      await db.deleteFrom("idempotency").where("token_id", "=", client.id).where("key", "=", key).execute();
    } else {
      await db
        .updateTable("idempotency")
        .set({ status, response: text })
        .where("token_id", "=", client.id)
        .where("key", "=", key)
        .execute();
    }
  }
  return new Response(text, {
    status,
    headers: { "content-type": status >= 400 ? "application/problem+json" : "application/json" },
  });
}
