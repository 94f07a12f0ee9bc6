/**
 * One running service: the database (migrated), the indexer following the chain, and the HTTP API on a loopback
 * port. `startService` returns once the server listens; `stop` ends the indexer loop, closes the server and the
 * database. Secrets (the operator key, the consortium key, the database URL's password) are never logged.
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";

import { serve, type ServerType } from "@hono/node-server";
import type { Provider, Signer } from "ethers";
import pino, { type Logger } from "pino";

import type { Deployment } from "../src/deployment.js";
import type { ConsortiumKey } from "../src/keys.js";
import { QueuedSigner, SubmissionQueue } from "../src/queue.js";
import { createApp } from "./app.js";
import { openDatabase, type Database } from "./db.js";
import { Indexer, indexerFailure, type ChainRpc } from "./indexer.js";
import { migrate } from "./migrations.js";
import { NotificationHub, WebhookDeliverer, rewindWebhooks } from "./notify.js";
import { project, rebuild } from "./projections.js";
import { PROJECTIONS, refoldIfPositionsMissing } from "./projections/index.js";
import { interruptJobs } from "./routes/credit-writes.js";
import { ProblemError } from "./problem.js";
import { registerRun, type Writer } from "./writes.js";
import { checkWebhookSecrets, WEBHOOK_KEY_VARIABLE } from "./webhook-secrets.js";

export interface ServiceOptions {
  /** The chain: an ethers JSON-RPC provider (the indexer reads through its raw `send`). */
  provider: Provider & ChainRpc;
  chainId: number;
  deployment: Deployment;
  /** The block the deployment started at (see `deploymentBlock`). */
  fromBlock: number;
  /** A `postgres://` URL, or an SQLite file; default `<dataDir>/tradeline-<chainId>.sqlite`. */
  databaseUrl?: string;
  dataDir: string;
  host?: string;
  port?: number;
  confirmations?: number;
  /** The member's operator key; without it the service only reads (writes answer 503). */
  signer?: Signer;
  /** The consortium key, checked against the deployment's key check (writes that key borrowers need it). */
  consortiumKey?: () => Promise<ConsortiumKey>;
  /** Per-token request rate (default 50 a second, bursts of 200). */
  rateLimit?: { perSecond: number; burst: number };
  /** Milliseconds between polls of the chain once caught up. */
  pollMs?: number;
  logger?: Logger;
  /** The first webhook retry's delay in milliseconds, doubling at each next one (default 1 s). */
  webhookBackoffMs?: number;
  /** How long a webhook receiver has to answer, in milliseconds (default 10 s). */
  webhookTimeoutMs?: number;
  /**
   * Let webhooks go to loopback, private and link-local addresses (default off: such a URL is refused at
   * registration and at delivery). For tests and a local network whose receivers run on the same machine.
   */
  allowPrivateWebhooks?: boolean;
  /** Notifications an SSE stream may have waiting before it is ended with a `reconnect` event (default 1,000). */
  streamBuffer?: number;
  /**
   * The key webhook secrets are sealed with at rest (`TRADELINE_WEBHOOK_KEY`, service/webhook-secrets.ts). Without
   * it they are kept in the clear; the service refuses to start on a database whose secrets it cannot open.
   */
  webhookKey?: Buffer;
  /** The key the secrets were sealed with before `webhookKey`: the start re-seals them under `webhookKey`. */
  previousWebhookKey?: Buffer;
  /** The submission queue's depth, for /metrics (default: the operator key's queue). */
  queueDepth?: () => number;
}

export interface RunningService {
  url: string;
  /** The operator key's submission queue, when the service signs. */
  queue?: SubmissionQueue;
  database: Database;
  indexer: Indexer;
  logger: Logger;
  /** Resolves once the read model has indexed up to the chain head seen at the call. */
  caughtUp(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The first block of a deployment, from the journal Ignition writes beside `deployed_addresses.json`: the lowest
 * block of its confirmed transactions. 0 when there is no journal (the indexer then reads from genesis).
 */
export async function deploymentBlock(deploymentFile: string): Promise<number> {
  let text: string;
  try {
    text = await readFile(path.join(path.dirname(deploymentFile), "journal.jsonl"), "utf8");
  } catch {
    return 0;
  }
  let lowest = Number.POSITIVE_INFINITY;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const entry = JSON.parse(line) as { receipt?: { blockNumber?: number } };
    const n = entry.receipt?.blockNumber;
    if (typeof n === "number" && n < lowest) lowest = n;
  }
  return Number.isFinite(lowest) ? lowest : 0;
}

export async function startService(options: ServiceOptions): Promise<RunningService> {
  const logger = options.logger ?? pino({ name: "tradeline" });
  const { provider, chainId } = options;
  const confirmations = options.confirmations ?? 0;
  const pollMs = options.pollMs ?? 1_000;
  const database = openDatabase(options.databaseUrl, path.join(options.dataDir, `tradeline-${chainId}.sqlite`));
  try {
    const applied = await migrate(database.db as never, database.engine);
    logger.info({ engine: database.engine, where: database.where, applied }, "database ready");
    const refolded = await refoldIfPositionsMissing(database.db);
    if (refolded.length > 0) logger.info({ chains: refolded }, "read model refolded: rows without their event's place");
    // A secret the service could not open would stop its webhook's deliveries: refused before anything starts.
    const secrets = await checkWebhookSecrets(database.db, options.webhookKey, options.previousWebhookKey);
    if (secrets.sealed > 0) logger.info({ sealed: secrets.sealed }, "webhook secrets kept in the clear were sealed");
    if (secrets.resealed > 0) {
      logger.info({ resealed: secrets.resealed }, "webhook secrets re-sealed under the new key: the previous can go");
    }
    if (secrets.clear > 0) {
      logger.warn(
        { clear: secrets.clear },
        `webhook secrets are kept in the clear in the database: give the service ${WEBHOOK_KEY_VARIABLE} to seal them`,
      );
    }
  } catch (err) {
    await database.close();
    throw err;
  }

  const indexer = new Indexer({
    db: database.db,
    provider,
    chainId,
    deployment: options.deployment,
    fromBlock: options.fromBlock,
    confirmations,
    onEvents: (trx, rows) => project(trx, PROJECTIONS, rows),
    onRollback: async (trx, kept) => {
      await rebuild(trx, PROJECTIONS, chainId);
      await rewindWebhooks(trx, kept);
    },
  });
  try {
    await indexer.verifyDeployment();
  } catch (err) {
    await database.close();
    throw err;
  }
  let chainHead = 0;
  let indexedHead = (await indexer.checkpoint())?.number ?? options.fromBlock - 1;
  let waiters: { head: number; resolve: () => void; reject: (err: Error) => void }[] = [];
  let lastSuccess = Date.now();
  let lastError: string | undefined;
  const stopping = new AbortController();

  const queue = options.signer === undefined ? undefined : new SubmissionQueue();
  const run = randomUUID();
  let lease: { stop(): Promise<void> } | undefined;
  if (options.signer !== undefined) {
    try {
      lease = await registerRun(database.db, run, await options.signer.getAddress());
    } catch (err) {
      await database.close();
      throw err;
    }
  }
  // After this run's registration, which cleared the runs that ended: their jobs are the interrupted ones.
  const interrupted = await interruptJobs(database.db);
  if (interrupted > 0)
    logger.warn({ jobs: interrupted }, "upload jobs interrupted by the last stop: send their files again");
  const writer: Writer | undefined =
    options.signer === undefined || queue === undefined
      ? undefined
      : {
          deployment: options.deployment,
          signer: new QueuedSigner(options.signer, queue),
          run,
          inFlight: new Set<string>(),
          provider,
          consortiumKey:
            options.consortiumKey ??
            (() =>
              Promise.reject(
                new ProblemError(
                  503,
                  "no-consortium-key",
                  "This service cannot key borrowers",
                  "the service was started without the consortium key (TRADELINE_CONSORTIUM_KEY): writes that " +
                    "name a borrower are off",
                ),
              )),
        };
  let timeCache: { at: number; value: Promise<number> } | undefined;
  // The member is the operator key's: its lender desks hear of loans to its borrowers (none without a key).
  const notifications = new NotificationHub(database.db, chainId, {
    operator: await options.signer?.getAddress(),
    allowPrivateWebhooks: options.allowPrivateWebhooks,
    streamBuffer: options.streamBuffer,
    webhookKey: options.webhookKey,
  });
  if (options.allowPrivateWebhooks === true) {
    logger.warn("webhooks may go to loopback, private and link-local addresses (allowPrivateWebhooks)");
  }
  const deliverer = new WebhookDeliverer({
    db: database.db,
    hub: notifications,
    logger,
    backoffMs: options.webhookBackoffMs,
    timeoutMs: options.webhookTimeoutMs,
  });
  const app = createApp({
    db: database.db,
    chainId,
    deployment: options.deployment,
    chain: provider,
    logger,
    writer,
    ...(options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit }),
    chainTime: () => {
      // One read of the chain's time a second serves every request in it: a read's window may lag the chain by
      // under a second, and a look-up costs no chain call.
      if (timeCache === undefined || Date.now() - timeCache.at > 1_000) {
        const read = provider.getBlock("latest").then((b) => b?.timestamp ?? Math.floor(Date.now() / 1000));
        timeCache = { at: Date.now(), value: read };
        read.catch(() => (timeCache = undefined));
      }
      return timeCache.value;
    },
    notifications,
    onWebhook: () => deliverer.kick(),
    queueDepth: options.queueDepth ?? (() => queue?.depth ?? 0),
    health: async () => {
      const sinceSuccess = (Date.now() - lastSuccess) / 1000;
      // Stale: failing now, or no step has succeeded for ten polls (at least 30 s).
      const stale = lastError !== undefined || sinceSuccess * 1000 > Math.max(30_000, 10 * pollMs);
      return { chainHead, indexedHead, sinceSuccess, stale, ...(lastError === undefined ? {} : { error: lastError }) };
    },
  });
  // Listen first: a port in use is an error of the start, with nothing left running.
  const host = options.host ?? "127.0.0.1";
  let server: ServerType;
  try {
    server = await new Promise<ServerType>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, hostname: host, port: options.port ?? 8787 }, () => resolve(s));
      s.once("error", (err: NodeJS.ErrnoException) =>
        reject(err.code === "EADDRINUSE" ? new Error(`${host}:${options.port} is already in use: choose --port`) : err),
      );
    });
  } catch (err) {
    await lease?.stop();
    await database.close();
    throw err;
  }
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port;
  const url = `http://${host}:${port}`;
  logger.info({ url, chainId, fromBlock: options.fromBlock }, "service listening");
  if (writer !== undefined && !writer.signer.signsLocally) {
    // A node's unlocked account: a transaction's hash is known only once the node took it, so a crash (or a lost
    // answer) between the two leaves an Idempotency-Key free to send again.
    logger.warn(
      { signer: await writer.signer.getAddress() },
      "the operator key is held by the node, not by this service: configure it as a private key so that each " +
        "transaction is recorded before it is broadcast",
    );
  } else if (writer !== undefined) {
    logger.info({ signer: await writer.signer.getAddress(), signsLocally: true }, "signing with the operator key");
  }

  deliverer.start();
  const loop = (async () => {
    let backoff = pollMs;
    while (!stopping.signal.aborted) {
      try {
        const r = await indexer.step();
        chainHead = r.head;
        const previous = indexedHead;
        indexedHead = r.indexed;
        // The step has committed: what it stored (after a rollback, from the block kept) is read back and published.
        if (r.events > 0 || r.rolledBackTo !== undefined) {
          await notifications
            .publish(Math.min(previous, r.rolledBackTo ?? previous), r.indexed)
            .catch((err: unknown) =>
              logger.error(
                { err: err instanceof Error ? err.message : String(err) },
                "publishing notifications failed",
              ),
            );
        }
        if (r.rolledBackTo !== undefined) deliverer.rewound(r.rolledBackTo);
        if (r.rolledBackTo !== undefined) logger.warn({ keptBlock: r.rolledBackTo }, "chain reorganised: rolled back");
        if (r.events > 0) logger.debug({ indexed: r.indexed, events: r.events }, "indexed");
        waiters = waiters.filter((w) => (w.head <= indexedHead ? (w.resolve(), false) : true));
        backoff = pollMs;
        lastSuccess = Date.now();
        lastError = undefined;
        if (r.indexed >= r.head - confirmations) await sleep(pollMs, stopping.signal);
      } catch (err) {
        // /healthz answers anyone: only the failure's class; its text (which may name the node's URL with an API
        // key) goes to the log.
        lastError = indexerFailure(err);
        logger.error(
          { err: err instanceof Error ? err.message : String(err), failure: lastError },
          "indexer step failed; retrying",
        );
        // A step may fail after committing a rollback: the webhooks are rewound to the block it kept, and the next
        // step publishes from there, so the events that replace the rolled-back ones are neither skipped nor lost.
        const kept = await indexer.checkpoint().catch(() => undefined);
        if (kept !== undefined && kept.number < indexedHead) {
          deliverer.rewound(kept.number);
          indexedHead = kept.number;
          logger.warn({ keptBlock: kept.number }, "chain reorganised: rolled back (the step then failed)");
        }
        await sleep(backoff, stopping.signal);
        backoff = Math.min(backoff * 2, 30_000);
      }
    }
  })();

  return {
    url,
    ...(queue === undefined ? {} : { queue }),
    database,
    indexer,
    logger,
    async caughtUp() {
      const head = (await provider.getBlockNumber()) - confirmations;
      if (indexedHead >= head) return;
      if (stopping.signal.aborted) throw new Error("the service is stopped");
      await new Promise<void>((resolve, reject) => waiters.push({ head, resolve, reject }));
    },
    async stop() {
      stopping.abort();
      for (const w of waiters.splice(0)) w.reject(new Error("the service stopped before the read model caught up"));
      notifications.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await loop;
      await deliverer.stop();
      await lease?.stop();
      await database.close();
      logger.info("service stopped");
    },
  };
}

/** Waits `ms`, or less if `signal` aborts first. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}
