/**
 * The notification bus and the webhook deliverer. The server publishes each indexer step's range once its
 * transaction has committed: the hub reads that range's rows back from the events table (so nothing a reorg rolled
 * back before the commit is ever sent) and hands the notifications to the SSE streams, then wakes the deliverer.
 * The deliverer works from the events table and each webhook's cursor, not from the bus: it survives a restart and
 * delivers each event at least once, in order, moving the cursor only when the receiver answers 2xx.
 */
import type { Kysely } from "kysely";
import type { Logger } from "pino";

import type { ApiRole } from "./auth.js";
import {
  NOTIFYING_EVENTS,
  compareCursors,
  formatCursor,
  maySee,
  notificationOf,
  parseCursor,
  type Cursor,
  type Notification,
} from "./notifications.js";
import type { EventRow, Tables } from "./schema.js";
import { EVENT_ID_HEADER, SIGNATURE_HEADER, signWebhook } from "./webhook-signature.js";

/** What a subscriber receives per indexer step: the step's notifications in chain order, and the block indexed. */
export interface Published {
  notifications: Notification[];
  indexed: number;
}

/** Reads notifications from the events table, and fans out the ones each committed step made. */
export class NotificationHub {
  readonly #db: Kysely<Tables>;
  readonly #chainId: number;
  readonly #subscribers = new Set<(p: Published) => void>();
  readonly #closers = new Set<() => void>();

  constructor(db: Kysely<Tables>, chainId: number) {
    this.#db = db;
    this.#chainId = chainId;
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

/** Delivers each live webhook's events after its cursor, in order, with retries and backoff. */
export class WebhookDeliverer {
  readonly #o: Required<Omit<DelivererOptions, "logger">> & Pick<DelivererOptions, "logger">;
  readonly #pending = new Map<number, Pending>();
  /** How far a webhook's events were scanned (events it may not see are skipped without moving its cursor). */
  readonly #scanned = new Map<number, Cursor>();
  readonly #stop = new AbortController();
  #wake: (() => void) | undefined;
  #kicked = false;
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
    this.#kicked = true;
    this.#wake?.();
  }

  /**
   * After a rollback to `keptBlock`: before its next round, the deliverer rewinds the cursors again (a delivery in
   * flight during the rollback may have moved one onto a dropped event) and forgets how far it had scanned.
   */
  rewound(keptBlock: number): void {
    this.#rewindTo = Math.min(this.#rewindTo ?? keptBlock, keptBlock);
    this.kick();
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.();
    this.#stop.abort();
    this.#wake?.();
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (!this.#stop.signal.aborted) {
      this.#kicked = false;
      let next = Number.POSITIVE_INFINITY;
      try {
        if (this.#rewindTo !== undefined) {
          const kept = this.#rewindTo;
          this.#rewindTo = undefined;
          await rewindWebhooks(this.#o.db, kept);
          this.#scanned.clear();
          this.#pending.clear();
        }
        const hooks = await this.#o.db
          .selectFrom("webhooks")
          .innerJoin("api_tokens", "api_tokens.id", "webhooks.token_id")
          .select([
            "webhooks.id as id",
            "webhooks.url as url",
            "webhooks.secret as secret",
            "webhooks.kinds as kinds",
            "webhooks.cursor as cursor",
            "api_tokens.roles as roles",
          ])
          .where("webhooks.revoked_at", "is", null)
          .where("api_tokens.revoked_at", "is", null)
          .execute();
        const waits = await Promise.all(hooks.map((h) => this.#serve({ ...h, id: Number(h.id) })));
        next = Math.min(next, ...waits);
      } catch (err) {
        this.#o.logger?.error({ err: err instanceof Error ? err.message : String(err) }, "webhook round failed");
        next = Date.now() + this.#o.backoffMs;
      }
      if (this.#kicked) continue;
      await new Promise<void>((resolve) => {
        const timer = Number.isFinite(next) ? setTimeout(done, Math.max(0, next - Date.now())) : undefined;
        this.#wake = done;
        if (this.#stop.signal.aborted) done();
        function done() {
          if (timer !== undefined) clearTimeout(timer);
          resolve();
        }
      });
      this.#wake = undefined;
    }
  }

  /** Delivers one webhook's events until it is up to date or a receiver fails; returns when to look again (ms). */
  async #serve(h: {
    id: number;
    url: string;
    secret: string;
    kinds: string | null;
    cursor: string | null;
    roles: string;
  }): Promise<number> {
    const roles = h.roles.split(",") as ApiRole[];
    const kinds = h.kinds === null ? undefined : h.kinds.split(",");
    let cursor = h.cursor === null ? undefined : parseCursor(h.cursor);
    for (;;) {
      if (this.#stop.signal.aborted) return Number.POSITIVE_INFINITY;
      const scanned = this.#scanned.get(h.id);
      const from =
        scanned !== undefined && (cursor === undefined || compareCursors(scanned, cursor) > 0) ? scanned : cursor;
      const page = await this.#o.hub.after(from, 100);
      if (page.length === 0) return Number.POSITIVE_INFINITY;
      for (const n of page) {
        this.#scanned.set(h.id, { block: n.block, logIndex: n.logIndex });
        if (!maySee(roles, n) || (kinds !== undefined && !kinds.includes(n.kind))) continue;
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

  /** One POST of `n` to the webhook; logs the attempt; true on a 2xx. */
  async #attempt(h: { id: number; url: string; secret: string }, n: Notification, attempt: number): Promise<boolean> {
    const body = JSON.stringify(n);
    const timestamp = Math.floor(Date.now() / 1000);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(h.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "tradeline-webhooks/1",
          [EVENT_ID_HEADER]: n.id,
          [SIGNATURE_HEADER]: signWebhook(h.secret, body, timestamp),
        },
        body,
        // A redirect is an answer, not a new target: the service never follows one to an address not registered.
        redirect: "manual",
        signal: AbortSignal.any([AbortSignal.timeout(this.#o.timeoutMs), this.#stop.signal]),
      });
      status = res.status;
      await res.body?.cancel();
    } catch (err) {
      error = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    }
    await this.#o.db
      .insertInto("webhook_deliveries")
      .values({
        webhook_id: h.id,
        event_id: n.id,
        attempt,
        status,
        error: error?.slice(0, 500) ?? null,
        at: Math.floor(Date.now() / 1000),
      })
      .execute();
    const ok = status !== null && status >= 200 && status < 300;
    if (!ok) this.#o.logger?.warn({ webhook: h.id, event: n.id, attempt, status, error }, "webhook delivery failed");
    return ok;
  }
}
