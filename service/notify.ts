/**
 * The notification bus and the webhook deliverer. The server publishes each indexer step's range once its
 * transaction has committed: the hub reads that range's rows back from the events table (so nothing a reorg rolled
 * back before the commit is ever sent) and hands the notifications to the SSE streams, then wakes the deliverer.
 * The deliverer works from the events table and each webhook's cursor, not from the bus: it survives a restart and
 * delivers each event at least once, in order, moving the cursor only when the receiver answers 2xx. Each webhook
 * is served on its own, so a receiver that hangs holds up only its own deliveries.
 *
 * Webhooks go to public addresses only: a URL whose host is, or resolves to, a loopback, private, link-local,
 * unspecified, multicast or otherwise special address is refused at registration and again at each delivery (the
 * address connected to is the one checked), unless the service is started with `allowPrivateWebhooks`.
 */
import { Resolver } from "node:dns/promises";
import type { LookupAddress } from "node:dns";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";

import ipaddr from "ipaddr.js";
import type { Kysely } from "kysely";
import type { Logger } from "pino";

import type { ApiRole } from "./auth.js";
import {
  NOTIFYING_EVENTS,
  compareCursors,
  formatCursor,
  notificationOf,
  parseCursor,
  visible,
  type Cursor,
  type Notification,
} from "./notifications.js";
import type { EventRow, Tables } from "./schema.js";
import { openSecret, sealSecret, type SecretBinding } from "./webhook-secrets.js";
import { EVENT_ID_HEADER, SIGNATURE_HEADER, signWebhook } from "./webhook-signature.js";

/** What a subscriber receives per indexer step: the step's notifications in chain order, and the block indexed. */
export interface Published {
  notifications: Notification[];
  indexed: number;
}

/** Who the service is, and its limits for notifications. */
export interface NotifySettings {
  /**
   * The address of the operator key the service signs with: its member's lender desks get `loan.registered` for
   * their borrowers (`visible`). Undefined for a read-only service, which sends none.
   */
  operator?: string;
  /** Let webhooks target loopback, private and link-local addresses (tests, a local network); default off. */
  allowPrivateWebhooks?: boolean;
  /** Notifications a stream may have waiting to be sent; past it the stream ends (default 1,000). */
  streamBuffer?: number;
  /** The key webhook secrets are sealed with at rest (`service/webhook-secrets.ts`); without it they are not. */
  webhookKey?: Buffer;
}

/** Reads notifications from the events table, and fans out the ones each committed step made. */
export class NotificationHub {
  readonly #db: Kysely<Tables>;
  readonly #chainId: number;
  readonly #operator: string | undefined;
  readonly #subscribers = new Set<(p: Published) => void>();
  readonly #closers = new Set<() => void>();
  readonly allowPrivateWebhooks: boolean;
  readonly streamBuffer: number;
  readonly #webhookKey: Buffer | undefined;

  constructor(db: Kysely<Tables>, chainId: number, settings: NotifySettings = {}) {
    this.#db = db;
    this.#chainId = chainId;
    this.#operator = settings.operator;
    this.allowPrivateWebhooks = settings.allowPrivateWebhooks ?? false;
    this.streamBuffer = settings.streamBuffer ?? 1_000;
    this.#webhookKey = settings.webhookKey;
  }

  /** A new webhook's secret as the database keeps it (sealed when the service has a key, bound to `binding`). */
  sealSecret(secret: string, binding: SecretBinding): string {
    return sealSecret(this.#webhookKey, secret, binding);
  }

  /** Webhook `id`'s secret from what the database keeps (`openSecret`). */
  openSecret(stored: string, id: number, binding: SecretBinding): string {
    return openSecret(this.#webhookKey, stored, id, binding);
  }

  /** Of `notes`, those a token with `roles` may see on this service, in order (the rule: `visible`). */
  visible(roles: readonly ApiRole[], notes: readonly Notification[]): Promise<Notification[]> {
    return visible(this.#db, this.#chainId, this.#operator, roles, notes);
  }

  /** Calls `fn` after each published step, and `onClose` when the hub closes; returns the unsubscribe function. */
  subscribe(fn: (p: Published) => void, onClose?: () => void): () => void {
    this.#subscribers.add(fn);
    if (onClose !== undefined) this.#closers.add(onClose);
    return () => {
      this.#subscribers.delete(fn);
      if (onClose !== undefined) this.#closers.delete(onClose);
    };
  }

  /** Ends every subscription (the service stops: its streams close, so the server can). */
  close(): void {
    for (const fn of [...this.#closers]) fn();
    this.#subscribers.clear();
    this.#closers.clear();
  }

  get subscribers(): number {
    return this.#subscribers.size;
  }

  /** Up to `limit` notifications after `after` (from the first event when undefined), in chain order. */
  async after(after: Cursor | undefined, limit: number): Promise<Notification[]> {
    let q = this.#db
      .selectFrom("events")
      .selectAll()
      .where("chain_id", "=", this.#chainId)
      .where("name", "in", [...NOTIFYING_EVENTS]);
    if (after !== undefined) {
      q = q.where((eb) =>
        eb.or([
          eb("block_number", ">", after.block),
          eb.and([eb("block_number", "=", after.block), eb("log_index", ">", after.logIndex)]),
        ]),
      );
    }
    const rows = await q.orderBy("block_number").orderBy("log_index").limit(limit).execute();
    return rows.map((r) => notificationOf(r as EventRow)).filter((n) => n !== undefined);
  }

  /** The cursor of the last stored event (notifying or not); undefined when none is stored. */
  async head(): Promise<Cursor | undefined> {
    const row = await this.#db
      .selectFrom("events")
      .select(["block_number", "log_index"])
      .where("chain_id", "=", this.#chainId)
      .orderBy("block_number", "desc")
      .orderBy("log_index", "desc")
      .executeTakeFirst();
    return row === undefined ? undefined : { block: Number(row.block_number), logIndex: Number(row.log_index) };
  }

  /**
   * Publishes blocks `after` + 1 to `to`, read from the events table: call it only after the step that stored them
   * committed.
   */
  async publish(after: number, to: number): Promise<void> {
    const rows = await this.#db
      .selectFrom("events")
      .selectAll()
      .where("chain_id", "=", this.#chainId)
      .where("block_number", ">", after)
      .where("block_number", "<=", to)
      .where("name", "in", [...NOTIFYING_EVENTS])
      .orderBy("block_number")
      .orderBy("log_index")
      .execute();
    const notifications = rows.map((r) => notificationOf(r as EventRow)).filter((n) => n !== undefined);
    for (const fn of this.#subscribers) fn({ notifications, indexed: to });
  }
}

/**
 * Moves back every webhook cursor that points past `keptBlock` (in the rollback's transaction, and again by the
 * deliverer before its next round): the events that replace the dropped blocks may take the same cursors, and must
 * still be delivered.
 */
export async function rewindWebhooks(db: Kysely<Tables>, keptBlock: number): Promise<void> {
  const rows = await db.selectFrom("webhooks").select(["id", "cursor"]).where("cursor", "is not", null).execute();
  for (const r of rows) {
    const c = parseCursor(r.cursor ?? "");
    if (c === undefined || c.block <= keptBlock) continue;
    await db
      .updateTable("webhooks")
      .set({ cursor: keptBlock < 0 ? null : formatCursor({ block: keptBlock, logIndex: MAX_LOG_INDEX }) })
      .where("id", "=", r.id)
      .execute();
  }
}

/** Past any log index of a block (a cursor after the whole block). */
const MAX_LOG_INDEX = 999_999_999;

export interface DelivererOptions {
  db: Kysely<Tables>;
  /** The events and who sees them; its `allowPrivateWebhooks` lets deliveries go to private addresses. */
  hub: NotificationHub;
  logger?: Logger;
  /** The first retry's delay, in milliseconds; each next one doubles it (default 1 s). */
  backoffMs?: number;
  /** The longest delay between two attempts (default 10 min). */
  maxBackoffMs?: number;
  /** How long a receiver has to answer (default 10 s). */
  timeoutMs?: number;
}

interface Pending {
  /** The event being delivered, and the attempts made at it. */
  eventId: string;
  attempts: number;
  /** No attempt before this time (ms). */
  notBefore: number;
}

interface Hook {
  id: number;
  url: string;
  secret: string;
  kinds: string | null;
  cursor: string | null;
  roles: string;
}

/** A webhook being served: its run, and whether new events came while it ran (it looks again when done). */
interface Worker {
  done: Promise<void>;
  again: boolean;
}

/**
 * Delivers each live webhook's events after its cursor, in order, with retries and backoff. A scheduler loop starts
 * one worker per webhook that has something to do; a worker delivers until its webhook is up to date or an attempt
 * fails, each attempt bounded by `timeoutMs`, and webhooks do not wait for each other.
 */
export class WebhookDeliverer {
  readonly #o: Required<Omit<DelivererOptions, "logger">> & Pick<DelivererOptions, "logger">;
  readonly #pending = new Map<number, Pending>();
  /** How far a webhook's events were scanned (events it may not see are skipped without moving its cursor). */
  readonly #scanned = new Map<number, Cursor>();
  /** When to look at a webhook again (ms): a retry's time, or +Infinity when up to date (until new events). */
  readonly #due = new Map<number, number>();
  readonly #workers = new Map<number, Worker>();
  readonly #stop = new AbortController();
  #wake: (() => void) | undefined;
  /** Something changed since the scheduler last looked (a worker ended, or news came). */
  #dirty = false;
  /** New events were published, or a webhook registered, since the scheduler last looked. */
  #news = false;
  #rewindTo: number | undefined;
  #loop: Promise<void> | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(options: DelivererOptions) {
    this.#o = {
      ...options,
      backoffMs: options.backoffMs ?? 1_000,
      maxBackoffMs: options.maxBackoffMs ?? 600_000,
      timeoutMs: options.timeoutMs ?? 10_000,
    };
  }

  start(): void {
    this.#unsubscribe = this.#o.hub.subscribe(() => this.kick());
    this.#loop = this.#run();
  }

  /** Looks for new events now (a new step was published, or a webhook registered). */
  kick(): void {
    this.#news = true;
    this.#poke();
  }

  /**
   * After a rollback to `keptBlock`: once the deliveries in flight are over, the deliverer rewinds the cursors again
   * (one in flight during the rollback may have moved a cursor onto a dropped event) and forgets how far it had
   * scanned.
   */
  rewound(keptBlock: number): void {
    this.#rewindTo = Math.min(this.#rewindTo ?? keptBlock, keptBlock);
    this.kick();
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.();
    this.#stop.abort();
    this.#poke();
    await this.#loop;
  }

  #poke(): void {
    this.#dirty = true;
    this.#wake?.();
  }

  async #run(): Promise<void> {
    while (!this.#stop.signal.aborted) {
      this.#dirty = false;
      let next = Number.POSITIVE_INFINITY;
      try {
        if (this.#news) {
          this.#news = false;
          for (const w of this.#workers.values()) w.again = true;
          for (const [id, due] of this.#due) if (due === Number.POSITIVE_INFINITY) this.#due.delete(id);
        }
        if (this.#rewindTo !== undefined) {
          // The workers see the rewind coming and stop after their attempt in flight.
          await Promise.all([...this.#workers.values()].map((w) => w.done));
          const kept = this.#rewindTo;
          await rewindWebhooks(this.#o.db, kept);
          // A deeper rollback that came meanwhile is done next round.
          if (this.#rewindTo === kept) this.#rewindTo = undefined;
          this.#scanned.clear();
          this.#pending.clear();
          this.#due.clear();
        }
        const hooks = await this.#o.db
          .selectFrom("webhooks")
          .innerJoin("api_tokens", "api_tokens.id", "webhooks.token_id")
          .select([
            "webhooks.id as id",
            "webhooks.url as url",
            "webhooks.secret as secret",
            "webhooks.token_id as token_id",
            "webhooks.kinds as kinds",
            "webhooks.cursor as cursor",
            "api_tokens.roles as roles",
          ])
          .where("webhooks.revoked_at", "is", null)
          .where("api_tokens.revoked_at", "is", null)
          .execute();
        const live = new Set<number>();
        for (const row of hooks) {
          const id = Number(row.id);
          live.add(id);
          if (this.#workers.has(id)) continue;
          const due = this.#due.get(id) ?? 0;
          if (due > Date.now()) {
            next = Math.min(next, due);
            continue;
          }
          let secret: string;
          try {
            secret = this.#o.hub.openSecret(row.secret, id, { tokenId: Number(row.token_id), url: row.url });
          } catch (err) {
            // Checked at start (`checkWebhookSecrets`): only a value altered in the database since gets here. That
            // webhook waits; the others go on.
            this.#o.logger?.error({ webhook: id, err: (err as Error).message }, "webhook secret does not open");
            continue;
          }
          this.#startWorker({ ...row, id, secret });
        }
        // A deleted webhook (or a revoked token's) is forgotten.
        for (const id of this.#due.keys()) if (!live.has(id) && !this.#workers.has(id)) this.#forget(id);
      } catch (err) {
        this.#o.logger?.error({ err: err instanceof Error ? err.message : String(err) }, "webhook round failed");
        next = Date.now() + this.#o.backoffMs;
      }
      if (this.#dirty) continue;
      await new Promise<void>((resolve) => {
        const timer = Number.isFinite(next) ? setTimeout(done, Math.max(0, next - Date.now())) : undefined;
        this.#wake = done;
        if (this.#stop.signal.aborted || this.#dirty) done();
        function done() {
          if (timer !== undefined) clearTimeout(timer);
          resolve();
        }
      });
      this.#wake = undefined;
    }
    await Promise.all([...this.#workers.values()].map((w) => w.done));
  }

  #forget(id: number): void {
    this.#due.delete(id);
    this.#pending.delete(id);
    this.#scanned.delete(id);
  }

  #startWorker(h: Hook): void {
    const worker: Worker = { again: false, done: Promise.resolve() };
    worker.done = (async () => {
      let due: number;
      try {
        due = await this.#serve(h);
      } catch (err) {
        this.#o.logger?.error(
          { webhook: h.id, err: err instanceof Error ? err.message : String(err) },
          "webhook delivery round failed",
        );
        // Whatever it had scanned past is looked at again from the stored cursor: nothing is skipped.
        this.#scanned.delete(h.id);
        due = Date.now() + this.#o.backoffMs;
      }
      // New events while it ran: an up-to-date webhook looks again at once (a retry still waits its turn).
      this.#due.set(h.id, worker.again && due === Number.POSITIVE_INFINITY ? 0 : due);
      this.#workers.delete(h.id);
      this.#poke();
    })();
    this.#workers.set(h.id, worker);
  }

  /** Delivers one webhook's events until it is up to date or a receiver fails; returns when to look again (ms). */
  async #serve(h: Hook): Promise<number> {
    const roles = h.roles.split(",") as ApiRole[];
    const kinds = h.kinds === null ? undefined : h.kinds.split(",");
    let cursor = h.cursor === null ? undefined : parseCursor(h.cursor);
    for (;;) {
      if (this.#stop.signal.aborted) return Number.POSITIVE_INFINITY;
      if (this.#rewindTo !== undefined) return 0;
      const scanned = this.#scanned.get(h.id);
      const from =
        scanned !== undefined && (cursor === undefined || compareCursors(scanned, cursor) > 0) ? scanned : cursor;
      const page = await this.#o.hub.after(from, 100);
      if (page.length === 0) return Number.POSITIVE_INFINITY;
      const wanted = new Set(
        (await this.#o.hub.visible(roles, kinds === undefined ? page : page.filter((n) => kinds.includes(n.kind)))).map(
          (n) => n.id,
        ),
      );
      for (const n of page) {
        if (this.#rewindTo !== undefined) return 0;
        this.#scanned.set(h.id, { block: n.block, logIndex: n.logIndex });
        if (!wanted.has(n.id)) continue;
        let pending = this.#pending.get(h.id);
        if (pending === undefined || pending.eventId !== n.id) {
          // After a restart, the attempts already logged for this event count.
          const logged = await this.#o.db
            .selectFrom("webhook_deliveries")
            .select((eb) => eb.fn.countAll().as("n"))
            .where("webhook_id", "=", h.id)
            .where("event_id", "=", n.id)
            .executeTakeFirstOrThrow();
          pending = { eventId: n.id, attempts: Number(logged.n), notBefore: 0 };
          this.#pending.set(h.id, pending);
        }
        if (Date.now() < pending.notBefore) {
          this.#scanned.set(h.id, cursor ?? { block: -1, logIndex: -1 });
          return pending.notBefore;
        }
        // The webhook and its token are checked before each attempt: a revocation stops the worker at once.
        const still = await this.#o.db
          .selectFrom("webhooks")
          .innerJoin("api_tokens", "api_tokens.id", "webhooks.token_id")
          .select("webhooks.id")
          .where("webhooks.id", "=", h.id)
          .where("webhooks.revoked_at", "is", null)
          .where("api_tokens.revoked_at", "is", null)
          .executeTakeFirst();
        if (still === undefined) return Number.POSITIVE_INFINITY;
        const ok = await this.#attempt(h, n, pending.attempts + 1);
        pending.attempts += 1;
        if (!ok) {
          const delay = Math.min(this.#o.backoffMs * 2 ** (pending.attempts - 1), this.#o.maxBackoffMs);
          pending.notBefore = Date.now() + delay;
          // Look at this event again next time, not past it.
          this.#scanned.set(h.id, cursor ?? { block: -1, logIndex: -1 });
          return pending.notBefore;
        }
        this.#pending.delete(h.id);
        // The cursor moves only here, after a 2xx, and only from where it was (a revoked webhook stays revoked).
        const next = { block: n.block, logIndex: n.logIndex };
        let update = this.#o.db
          .updateTable("webhooks")
          .set({ cursor: formatCursor(next) })
          .where("id", "=", h.id)
          .where("revoked_at", "is", null);
        update =
          h.cursor === null && cursor === undefined
            ? update.where("cursor", "is", null)
            : update.where("cursor", "=", formatCursor(cursor as Cursor));
        const moved = await update.executeTakeFirst();
        if (Number(moved.numUpdatedRows) !== 1) return Number.POSITIVE_INFINITY;
        cursor = next;
      }
    }
  }

  /** One POST of `n` to the webhook; logs the attempt (the status, or the class of failure); true on a 2xx. */
  async #attempt(h: { id: number; url: string; secret: string }, n: Notification, attempt: number): Promise<boolean> {
    const body = JSON.stringify(n);
    const timestamp = Math.floor(Date.now() / 1000);
    const outcome = await post(
      h.url,
      {
        "content-type": "application/json",
        "user-agent": "tradeline-webhooks/1",
        [EVENT_ID_HEADER]: n.id,
        [SIGNATURE_HEADER]: signWebhook(h.secret, body, timestamp),
      },
      body,
      { timeoutMs: this.#o.timeoutMs, stop: this.#stop.signal, allowPrivate: this.#o.hub.allowPrivateWebhooks },
    );
    const status = "status" in outcome ? outcome.status : null;
    const error = "failure" in outcome ? outcome.failure : null;
    await this.#o.db
      .insertInto("webhook_deliveries")
      .values({ webhook_id: h.id, event_id: n.id, attempt, status, error, at: Math.floor(Date.now() / 1000) })
      .execute();
    const ok = status !== null && status >= 200 && status < 300;
    if (!ok) this.#o.logger?.warn({ webhook: h.id, event: n.id, attempt, status, error }, "webhook delivery failed");
    return ok;
  }
}

/**
 * Why a delivery got no answer, as the delivery log keeps it: a class, never the error's text (which may tell what
 * answered inside the service's network).
 */
export type DeliveryFailure =
  | "blocked"
  | "dns"
  | "refused"
  | "reset"
  | "timeout"
  | "tls"
  | "unreachable"
  | "network"
  | "stopped";

/**
 * Why `address` (an IP address) is not a public unicast one: its range (e.g. `loopback`, or `non-global` for an IPv6
 * address outside 2000::/3); undefined when it is.
 */
export function specialRange(address: string): string | undefined {
  // An IPv4-mapped IPv6 address (::ffff:127.0.0.1) is taken as the IPv4 address it maps.
  const parsed = ipaddr.process(address);
  const range = parsed.range();
  if (range !== "unicast") return range;
  // ipaddr.js calls "unicast" every IPv6 address outside the ranges it names, the deprecated IPv4-compatible ::/96
  // (::a9fe:a9fe is 169.254.169.254) among them. Only global unicast, 2000::/3, is public (review 34, S3).
  if (parsed.kind() === "ipv6" && !parsed.match(GLOBAL_UNICAST)) return "non-global";
  return undefined;
}

const GLOBAL_UNICAST = ipaddr.parseCIDR("2000::/3");

/** The host of `url` as an address when it is one (without an IPv6 literal's brackets); undefined for a name. */
function literalAddress(url: URL): string | undefined {
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  return ipaddr.isValid(host) ? host : undefined;
}

/** The error a blocked address fails a lookup with. */
class BlockedAddressError extends Error {
  readonly code = "ERR_TRADELINE_BLOCKED_ADDRESS";
}

/**
 * A name's addresses, from DNS through c-ares (a resolver with a timeout, off libuv's thread pool: a name server that
 * never answers cannot hold the threads every other lookup needs). `localhost` names are loopback; other names of
 * the hosts file are not known here.
 */
const resolver = new Resolver({ timeout: 2_000, tries: 2 });
async function resolveName(hostname: string): Promise<string[]> {
  const name = hostname.replace(/\.$/, "").toLowerCase();
  if (name === "localhost" || name.endsWith(".localhost")) return ["127.0.0.1", "::1"];
  const found = await Promise.allSettled([resolver.resolve4(name), resolver.resolve6(name)]);
  const addresses = found.flatMap((r) => (r.status === "fulfilled" ? r.value : []));
  if (addresses.length === 0) {
    throw Object.assign(new Error(`${hostname} does not resolve`), { code: "ENOTFOUND" });
  }
  return addresses;
}

/** A lookup for `http.request` refusing a name any of whose addresses is not public (it connects to what it checked). */
const publicLookup: LookupFunction = (hostname, options, callback) => {
  resolveName(hostname).then(
    (found) => {
      if (found.some((a) => specialRange(a) !== undefined)) {
        return callback(new BlockedAddressError(`${hostname} resolves to a non-public address`), "");
      }
      const addresses: LookupAddress[] = found.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
      const wanted =
        options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
      if (wanted.length === 0)
        return callback(Object.assign(new Error(`${hostname}: no address`), { code: "ENOTFOUND" }), "");
      if (options.all === true) return callback(null, wanted);
      callback(null, wanted[0].address, wanted[0].family);
    },
    (err: unknown) => callback(err as NodeJS.ErrnoException, ""),
  );
};

/** A refusal of a webhook's target: `detail` for the caller, `reason` for the log only. */
export interface TargetRefusal {
  detail: string;
  reason: string;
}

/**
 * Why a webhook may not be sent to `url`: its host is, or resolves to, an address that is not public, or resolves to
 * nothing. Undefined when it may. For a name, the detail is the same whether it resolves to nothing or to an
 * address that is not public, and never says what it resolved to: either would map the service's internal names
 * (which exist, and where they point) for any token holder. `reason` says which, for the log.
 */
export async function webhookTargetRefusal(url: URL): Promise<TargetRefusal | undefined> {
  const literal = literalAddress(url);
  if (literal !== undefined) {
    const range = specialRange(literal);
    if (range === undefined) return undefined;
    const detail = `${literal} is a ${range} address`;
    return { detail, reason: detail };
  }
  const detail = `${url.hostname} does not resolve to public addresses only`;
  let addresses: string[];
  try {
    addresses = await resolveName(url.hostname);
  } catch (err) {
    return { detail, reason: `${url.hostname} does not resolve (${err instanceof Error ? err.message : String(err)})` };
  }
  const special = addresses.filter((a) => specialRange(a) !== undefined);
  return special.length === 0
    ? undefined
    : { detail, reason: `${url.hostname} resolves to ${special.map((a) => `${a} (${specialRange(a)})`).join(", ")}` };
}

/** The class of a failed request's error. */
function failureOf(err: unknown, timedOut: boolean, stopped: boolean): DeliveryFailure {
  if (stopped) return "stopped";
  if (timedOut) return "timeout";
  const code = String((err as { code?: unknown } | undefined)?.code ?? "");
  if (err instanceof BlockedAddressError) return "blocked";
  if (/^(ENOTFOUND|EAI_)/.test(code)) return "dns";
  if (code === "ECONNREFUSED") return "refused";
  if (code === "ECONNRESET" || code === "EPIPE") return "reset";
  if (code === "ETIMEDOUT") return "timeout";
  if (/^(EHOSTUNREACH|ENETUNREACH|EHOSTDOWN|ENETDOWN)$/.test(code)) return "unreachable";
  if (/^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH)/.test(code)) return "tls";
  return "network";
}

/**
 * POSTs `body` to `url` and waits for the answer's status, within `timeoutMs`. A redirect is an answer, not a new
 * target (node:http never follows one). Without `allowPrivate`, a literal address or any resolved address that is
 * not public fails the attempt as `blocked`, before anything is sent.
 */
async function post(
  url: string,
  headers: Record<string, string>,
  body: string,
  o: { timeoutMs: number; stop: AbortSignal; allowPrivate: boolean },
): Promise<{ status: number } | { failure: DeliveryFailure }> {
  const target = new URL(url);
  if (!o.allowPrivate) {
    const literal = literalAddress(target);
    if (literal !== undefined && specialRange(literal) !== undefined) return { failure: "blocked" };
  }
  const timeout = AbortSignal.timeout(o.timeoutMs);
  const request = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = request(target, {
      method: "POST",
      headers: { ...headers, "content-length": Buffer.byteLength(body) },
      // A connection of its own per attempt: each one looks its host up (and checks it) again.
      agent: false,
      ...(o.allowPrivate ? {} : { lookup: publicLookup }),
      signal: AbortSignal.any([timeout, o.stop]),
    });
    req.once("response", (res: IncomingMessage) => {
      resolve({ status: res.statusCode ?? 0 });
      // The answer's body is not read: the status is all a delivery needs.
      res.destroy();
    });
    // Every error is handled (one may follow the answer, as the connection is dropped): the first one counts.
    req.on("error", (err) => resolve({ failure: failureOf(err, timeout.aborted, o.stop.aborted) }));
    req.end(body);
  });
}
