/**
 * Notifications over HTTP: the server-sent-events stream `/v1/stream` and the webhooks a token registers. Both send
 * only what the token may see (`visible` in `notifications.ts`, through the hub), and both resume from a cursor:
 * `Last-Event-ID` for the stream, the webhook's own cursor for deliveries.
 */
import { randomBytes } from "node:crypto";

import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import type { Kysely } from "kysely";
import type { Logger } from "pino";

import type { AppEnv } from "../app.js";
import {
  NOTIFICATION_KINDS,
  compareCursors,
  formatCursor,
  kindsVisibleTo,
  parseCursor,
  rolesMaySee,
  type Cursor,
  type Notification,
  type NotificationKind,
} from "../notifications.js";
import { webhookTargetRefusal, type NotificationHub, type Published } from "../notify.js";
import { ProblemError, badRequest, echo, forbidden, notFound } from "../problem.js";
import type { Tables } from "../schema.js";

export interface NotifyContext {
  db: Kysely<Tables>;
  hub: NotificationHub;
  /** Milliseconds between two heartbeat comments on an idle stream (default 15 s). */
  heartbeatMs?: number;
  /** Called when a webhook is registered, so its deliveries start without waiting for the next step. */
  onWebhook?: () => void;
  /** Where a refused webhook target's reason goes (the caller is told less). */
  logger?: Logger;
}

/** Streams one token may hold open at once; more get 429 (each holds a connection and a subscription). */
export const MAX_STREAMS_PER_TOKEN = 8;
/** Webhooks one token may have live at once; more get 409 (each is an outgoing request per event). */
export const MAX_WEBHOOKS_PER_TOKEN = 10;

const security = [{ bearer: [] }];
const Kind = z.enum(NOTIFICATION_KINDS);

/** The kinds asked for (all the token may see when none), refusing any it may never see. */
function wantedKinds(roles: AppEnv["Variables"]["client"]["roles"], asked: string[] | undefined): NotificationKind[] {
  const visible = kindsVisibleTo(roles);
  if (asked === undefined || asked.length === 0) {
    if (visible.length === 0) throw forbidden(`the token's roles (${roles.join(", ")}) see no notification`);
    return visible;
  }
  for (const k of asked) {
    if (!(NOTIFICATION_KINDS as readonly string[]).includes(k)) {
      throw badRequest(`unknown notification kind ${echo(k)}: choose from ${NOTIFICATION_KINDS.join(", ")}`, [
        { pointer: "/kinds", detail: `unknown kind ${echo(k)}` },
      ]);
    }
    if (!visible.includes(k as NotificationKind)) {
      throw forbidden(`the token's roles (${roles.join(", ")}) may not see ${echo(k)} notifications`);
    }
  }
  return [...new Set(asked)] as NotificationKind[];
}

const Webhook = z
  .object({
    id: z.number().int(),
    url: z.string(),
    kinds: z.array(Kind).nullable().openapi({ description: "null: every kind the token may see" }),
    cursor: z.string().nullable().openapi({ description: "the last event delivered, `<block>:<log index>`" }),
    createdAt: z.number().int(),
  })
  .openapi("Webhook");

const Delivery = z
  .object({
    eventId: z.string(),
    attempt: z.number().int(),
    status: z.number().int().nullable().openapi({ description: "the receiver's HTTP status; null if none came" }),
    error: z
      .string()
      .nullable()
      .openapi({
        description:
          "why no answer came: blocked (not a public address), dns, refused, reset, timeout, tls, unreachable, " +
          "network or stopped (the service stopped)",
      }),
    at: z.number().int(),
  })
  .openapi("WebhookDelivery");

function webhookOf(r: {
  id: number;
  url: string;
  kinds: string | null;
  cursor: string | null;
  created_at: number;
}): z.infer<typeof Webhook> {
  return {
    id: Number(r.id),
    url: r.url,
    kinds: r.kinds === null ? null : (r.kinds.split(",") as NotificationKind[]),
    cursor: r.cursor,
    createdAt: Number(r.created_at),
  };
}

/** Registers the routes; returns the count of streams open now (for /metrics). */
export function notifyRoutes(app: OpenAPIHono<AppEnv>, ctx: NotifyContext): { openStreams: () => number } {
  const { db, hub } = ctx;
  const heartbeatMs = ctx.heartbeatMs ?? 15_000;
  const streams = new Map<number, number>();

  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/v1/stream",
    summary: "Notifications the token may see, as server-sent events",
    description:
      "Each event has `event:` the notification kind, `id:` its cursor `<block>:<log index>` and `data:` the " +
      "notification as JSON. With `Last-Event-ID` (or `?after=`), the events after that cursor are replayed from " +
      "the read model first. A `: live` comment marks the end of the replay, `: indexed <block>` follows each " +
      "indexed step, and `: heartbeat` is sent every 15 s. The stream ends when the token is revoked, and with a " +
      "`reconnect` event (data: `reason`, `lastEventId`) when more notifications wait than the stream buffers (a " +
      "client reading too slowly): reconnect with `Last-Event-ID`.",
    security,
    request: {
      query: z.object({
        kinds: z.string().optional().openapi({ description: "comma-separated kinds; default all the token may see" }),
        after: z.string().optional().openapi({ description: "a cursor, as Last-Event-ID" }),
      }),
    },
    responses: {
      200: { description: "the stream", content: { "text/event-stream": { schema: z.string() } } },
      400: { description: "an unknown kind or a malformed cursor" },
      403: { description: "a kind the token may not see" },
      429: { description: "too many streams open for this token" },
    },
  });
  app.get("/v1/stream", (c) => {
    const client = c.get("client");
    const asked = c.req
      .query("kinds")
      ?.split(",")
      .map((k) => k.trim())
      .filter((k) => k !== "");
    const kinds = wantedKinds(client.roles, asked);
    const resume = c.req.header("last-event-id") ?? c.req.query("after");
    let after: Cursor | undefined;
    if (resume !== undefined && resume !== "") {
      after = parseCursor(resume);
      if (after === undefined) {
        throw badRequest(
          `${echo(resume)} is not a cursor: send the id of the last event received, <block>:<log index>`,
          [{ pointer: "/Last-Event-ID", detail: "not <block>:<log index>" }],
        );
      }
    }
    const open = streams.get(client.id) ?? 0;
    if (open >= MAX_STREAMS_PER_TOKEN) {
      throw new ProblemError(
        429,
        "too-many-streams",
        "Too many streams",
        `this token already holds ${open} streams open (at most ${MAX_STREAMS_PER_TOKEN}): close one`,
      );
    }
    streams.set(client.id, open + 1);
    // Counted against the buffer: what the token's kinds and roles let through (the member's scope is applied as
    // they are sent, with the read model).
    const mayWant = (n: Notification) => kinds.includes(n.kind) && rolesMaySee(client.roles, n);
    const visible = (notes: Notification[]) =>
      hub.visible(
        client.roles,
        notes.filter((n) => kinds.includes(n.kind)),
      );
    const tokenLive = async () =>
      (await db
        .selectFrom("api_tokens")
        .select("id")
        .where("id", "=", client.id)
        .where("revoked_at", "is", null)
        .executeTakeFirst()) !== undefined;

    return streamSSE(c, async (stream) => {
      const queue: (Published & { duringReplay: boolean })[] = [];
      let queued = 0;
      let replaying = true;
      /** Why the stream ends: the client left or the service stops, the buffer overflowed, the token was revoked. */
      let end: "closed" | "overflow" | "revoked" | undefined;
      let beat = false;
      let wake: (() => void) | undefined;
      const unsubscribe = hub.subscribe(
        (p) => {
          if (end !== undefined) return;
          const notifications = p.notifications.filter(mayWant);
          if (queued + notifications.length > hub.streamBuffer) {
            // A client not reading fast enough: what waits is dropped, and the stream ends once what is being
            // written is out, telling the client to resume with Last-Event-ID.
            end = "overflow";
            queue.length = 0;
            queued = 0;
            unsubscribe();
          } else {
            queue.push({ notifications, indexed: p.indexed, duringReplay: replaying });
            queued += notifications.length;
          }
          wake?.();
        },
        () => {
          // The service stops: the stream ends now, even with a write held up by a client that does not read.
          end ??= "closed";
          wake?.();
          stream.abort();
        },
      );
      let finished = false;
      const heartbeat = setInterval(() => {
        beat = true;
        wake?.();
        // A client that stopped reading holds the loop in a write, where it never checks its token: the timer does.
        // A revoked stream still open one heartbeat later is aborted.
        if (end === "revoked" && !finished) stream.abort();
        void tokenLive().then(
          (live) => {
            if (!live && end === undefined) {
              end = "revoked";
              wake?.();
            }
          },
          () => undefined,
        );
      }, heartbeatMs);
      stream.onAbort(() => {
        end ??= "closed";
        wake?.();
      });
      /** The last notification written, for the overflow's final event. */
      let lastSent: string | undefined;
      const send = async (notes: Notification[]) => {
        for (const n of await visible(notes)) {
          if (end !== undefined) return;
          await stream.writeSSE({ event: n.kind, id: n.id, data: JSON.stringify(n) });
          lastSent = n.id;
        }
      };
      try {
        // Subscribed first, then replayed: a step published during the replay is queued, and what the replay
        // already sent is skipped from it.
        let last = after;
        if (after !== undefined) {
          for (;;) {
            if (!(await tokenLive())) end ??= "revoked";
            if (end !== undefined) break;
            const page = await hub.after(last, 500);
            if (page.length === 0) break;
            await send(page);
            const tail = page[page.length - 1];
            last = { block: tail.block, logIndex: tail.logIndex };
          }
        }
        replaying = false;
        if (end === undefined) await stream.write(": live\n\n");
        while (end === undefined) {
          if (!beat && queue.length === 0) {
            await new Promise<void>((resolve) => (wake = resolve));
            wake = undefined;
            continue;
          }
          // Each step and each heartbeat first checks that the token still holds (and, as that waits, the stream
          // may end or its queue be dropped).
          if (!(await tokenLive())) end ??= "revoked";
          if (end !== undefined) break;
          if (beat) {
            beat = false;
            await stream.write(": heartbeat\n\n");
            continue;
          }
          const p = queue.shift();
          if (p === undefined) continue;
          queued -= p.notifications.length;
          await send(
            p.duringReplay && last !== undefined
              ? p.notifications.filter((n) => compareCursors(n, last) > 0)
              : p.notifications,
          );
          if (end === undefined) await stream.write(`: indexed ${p.indexed}\n\n`);
        }
        if (end === "overflow") {
          await stream.writeSSE({
            event: "reconnect",
            data: JSON.stringify({
              reason: `more than ${hub.streamBuffer} notifications were waiting: the client reads too slowly`,
              lastEventId: lastSent ?? (after === undefined ? null : formatCursor(after)),
            }),
          });
        } else if (end === "revoked") {
          await stream.write(": token revoked\n\n");
        }
      } finally {
        finished = true;
        clearInterval(heartbeat);
        unsubscribe();
        const left = (streams.get(client.id) ?? 1) - 1;
        if (left <= 0) streams.delete(client.id);
        else streams.set(client.id, left);
      }
    });
  });

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/webhooks",
      summary: "Registers a webhook for the notifications this token may see",
      description:
        "Events after the last one indexed now are POSTed to `url`, in order, at least once, signed with the " +
        "secret returned here (and never again): `Tradeline-Signature: t=<unix>,v1=<hex HMAC-SHA256 of " +
        "<t>.<body>>`. The URL's host must be, and resolve only to, public addresses (not loopback, private, " +
        "link-local, unspecified or multicast): else 400 on `/url`.",
      security,
      request: {
        body: {
          content: {
            "application/json": {
              schema: z.object({
                url: z.string().max(2048),
                kinds: z
                  .array(z.string().max(64))
                  .max(NOTIFICATION_KINDS.length * 2)
                  .optional(),
              }),
            },
          },
        },
      },
      responses: {
        201: {
          description: "the webhook, with its secret (shown once)",
          content: { "application/json": { schema: Webhook.extend({ secret: z.string() }) } },
        },
      },
    }),
    async (c) => {
      const client = c.get("client");
      const body = c.req.valid("json");
      let url: URL;
      try {
        url = new URL(body.url);
      } catch {
        throw badRequest(`${echo(body.url)} is not a URL`, [{ pointer: "/url", detail: "not a URL" }]);
      }
      if (url.protocol !== "http:" && url.protocol !== "https:") {
        throw badRequest(`a webhook URL is http or https, not ${url.protocol.replace(/:$/, "")}`, [
          { pointer: "/url", detail: "only http and https URLs" },
        ]);
      }
      if (url.username !== "" || url.password !== "") {
        throw badRequest("a webhook URL carries no credentials: verify the signature instead", [
          { pointer: "/url", detail: "credentials in the URL" },
        ]);
      }
      // A token whose roles see nothing is refused here, not left with a webhook that never fires.
      const asked = wantedKinds(client.roles, body.kinds);
      const kinds = body.kinds === undefined ? undefined : asked;
      const live = await db
        .selectFrom("webhooks")
        .select((eb) => eb.fn.countAll().as("n"))
        .where("token_id", "=", client.id)
        .where("revoked_at", "is", null)
        .executeTakeFirstOrThrow();
      if (Number(live.n) >= MAX_WEBHOOKS_PER_TOKEN) {
        throw new ProblemError(
          409,
          "too-many-webhooks",
          "Too many webhooks",
          `this token has ${Number(live.n)} webhooks (at most ${MAX_WEBHOOKS_PER_TOKEN}): delete one first`,
        );
      }
      if (!hub.allowPrivateWebhooks) {
        // After the role and count checks (a name lookup is work a token should not get for free); checked again at
        // each delivery (the name may resolve elsewhere by then).
        const refusal = await webhookTargetRefusal(url);
        if (refusal !== undefined) {
          ctx.logger?.info({ token: client.id, reason: refusal.reason }, "webhook target refused");
          throw badRequest(`a webhook goes to a public address: ${refusal.detail}`, [
            { pointer: "/url", detail: refusal.detail },
          ]);
        }
      }
      const head = await hub.head();
      const secret = "whsec_" + randomBytes(32).toString("base64url");
      const row = {
        token_id: client.id,
        url: url.toString(),
        secret: hub.sealSecret(secret, { tokenId: client.id, url: url.toString() }),
        kinds: kinds === undefined ? null : kinds.join(","),
        cursor: head === undefined ? null : `${head.block}:${head.logIndex}`,
        created_at: Math.floor(Date.now() / 1000),
      };
      const inserted = await db.insertInto("webhooks").values(row).returning("id").executeTakeFirstOrThrow();
      ctx.onWebhook?.();
      return c.json({ ...webhookOf({ ...row, id: Number(inserted.id) }), secret }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/webhooks",
      summary: "This token's live webhooks (without their secrets)",
      security,
      responses: {
        200: { description: "the webhooks", content: { "application/json": { schema: z.array(Webhook) } } },
      },
    }),
    async (c) => {
      const rows = await db
        .selectFrom("webhooks")
        .select(["id", "url", "kinds", "cursor", "created_at"])
        .where("token_id", "=", c.get("client").id)
        .where("revoked_at", "is", null)
        .orderBy("id")
        .execute();
      return c.json(rows.map(webhookOf), 200);
    },
  );

  const IdParam = z.object({
    id: z.coerce
      .number()
      .int()
      .min(1)
      .max(2 ** 31),
  });
  /** The token's own live webhook, or 404 (another token's webhook is not told apart from none). */
  async function own(tokenId: number, id: number) {
    const row = await db
      .selectFrom("webhooks")
      .select(["id"])
      .where("id", "=", id)
      .where("token_id", "=", tokenId)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    if (row === undefined) throw notFound(`this token has no webhook ${id}`);
  }

  app.openapi(
    createRoute({
      method: "delete",
      path: "/v1/webhooks/{id}",
      summary: "Deletes one of this token's webhooks: nothing more is delivered to it",
      security,
      request: { params: IdParam },
      responses: { 204: { description: "deleted" } },
    }),
    async (c) => {
      const client = c.get("client");
      const { id } = c.req.valid("param");
      await own(client.id, id);
      await db
        .updateTable("webhooks")
        .set({ revoked_at: Math.floor(Date.now() / 1000) })
        .where("id", "=", id)
        .where("token_id", "=", client.id)
        .execute();
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/webhooks/{id}/deliveries",
      summary: "The delivery log of one of this token's webhooks, oldest first",
      security,
      request: {
        params: IdParam,
        query: z.object({ limit: z.coerce.number().int().min(1).max(1000).optional() }),
      },
      responses: {
        200: { description: "the attempts", content: { "application/json": { schema: z.array(Delivery) } } },
      },
    }),
    async (c) => {
      const client = c.get("client");
      const { id } = c.req.valid("param");
      await own(client.id, id);
      const rows = await db
        .selectFrom("webhook_deliveries")
        .selectAll()
        .where("webhook_id", "=", id)
        .orderBy("id", "desc")
        .limit(c.req.valid("query").limit ?? 100)
        .execute();
      return c.json(
        rows.reverse().map((r) => ({
          eventId: r.event_id,
          attempt: Number(r.attempt),
          status: r.status === null ? null : Number(r.status),
          error: r.error,
          at: Number(r.at),
        })),
        200,
      );
    },
  );
  return { openStreams: () => [...streams.values()].reduce((a, b) => a + b, 0) };
}
