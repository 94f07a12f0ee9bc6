/**
 * The HTTP API: Hono with `@hono/zod-openapi`, so each route's request and response schemas validate the traffic
 * and generate the OpenAPI 3.1 document at `/openapi.json` (docs/service.md: why Hono). Handlers are thin: they
 * parse, check the token's roles, and call the SDK or the read model.
 */
import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import type { MiddlewareHandler } from "hono";
import type { Kysely } from "kysely";
import type { ContractRunner } from "ethers";
import type { Logger } from "pino";

import { decodeError, withholdArgs } from "../src/errors.js";
import { API_ROLES, clientOf, type ApiRole, type Client } from "./auth.js";
import {
  ECHO_MAX,
  ProblemError,
  badRequest,
  echo,
  forbidden,
  problemResponse,
  requestPath,
  unauthorized,
  type Problem,
} from "./problem.js";
import { createMetrics } from "./metrics.js";
import { NotificationHub } from "./notify.js";
import { memberOfOperator } from "./notifications.js";
import { notifyRoutes } from "./routes/notify.js";
import { consoleRoutes } from "./console.js";
import { referenceRoutes } from "./reference.js";
import { readRoutes } from "./routes/read.js";
import { creditReadRoutes } from "./routes/credit-reads.js";
import { creditWriteRoutes } from "./routes/credit-writes.js";
import { listRoutes } from "./routes/lists.js";
import { scfWriteRoutes } from "./routes/scf-writes.js";
import { tradeReadRoutes } from "./routes/trade-reads.js";
import { tradeWriteRoutes } from "./routes/trade-writes.js";
import type { Deployment } from "../src/deployment.js";
import type { Tables } from "./schema.js";
import type { Writer } from "./writes.js";

export interface AppEnv {
  /** `audited`: the request's audit row is written (by `runWrite`); otherwise a refused write is audited here. */
  Variables: { client: Client; audited?: boolean };
}

export interface Health {
  chainHead: number;
  indexedHead: number;
  /** The indexer's last failure, while it has not succeeded since. */
  error?: string;
  /** Seconds since the indexer's last successful step. */
  sinceSuccess: number;
  /** Whether the read model is stale: failing, or no successful step for too long. */
  stale: boolean;
}

export interface AppOptions {
  db: Kysely<Tables>;
  chainId: number;
  /** The chain's latest block time, Unix seconds. */
  chainTime: () => Promise<number>;
  /** The chain head and the last block indexed, for /healthz. */
  health: () => Promise<Health>;
  /** Largest request body, in bytes (default 1 MiB: a CSV of about 10,000 loans). */
  bodyLimit?: number;
  /** Where the cause of a 500 is logged (never sent to the client). */
  logger?: Logger;
  /** The deployment followed: its tokens name the currencies of trade payments. */
  deployment?: Deployment;
  /** The chain, for the views a read asks of it (the credit score); without it the score answers 503. */
  chain?: ContractRunner;
  /** The member's operator key and consortium key; without them every write answers 503. */
  writer?: Writer;
  /** Requests each token may make per second, on average (default 50), and in a burst (default 200). */
  rateLimit?: { perSecond: number; burst: number };
  /** Notifications, as the server publishes them after each indexer step (default: a hub nothing publishes to). */
  notifications?: NotificationHub;
  /** Called when a webhook is registered (the server wakes its deliverer). */
  onWebhook?: () => void;
  /** Milliseconds between heartbeat comments on an idle SSE stream (default 15 s). */
  heartbeatMs?: number;
  /** The submission queue's depth, for /metrics (0 without one). */
  queueDepth?: () => number;
}

/** Refuses a request whose token does not carry one of `roles` (403, nothing done). */
export function requireRole(client: Client, roles: ApiRole[], step = "this endpoint"): void {
  if (!roles.some((r) => client.roles.includes(r))) {
    const needs = roles.length === 1 ? `the role ${roles[0]}` : `one of the roles ${roles.join(", ")}`;
    throw forbidden(`${step} needs ${needs}; the token has ${client.roles.join(", ")}`);
  }
}

/**
 * Route middleware refusing a token without one of `roles` (403), before the request is validated: a token outside
 * its roles learns nothing about the endpoint's input.
 */
export function allow(...roles: ApiRole[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    requireRole(c.get("client"), roles);
    await next();
  };
}

/**
 * Revert arguments a caller is not told: the borrower key of a consent given by another borrower
 * (`ConsentBorrowerMismatch.consentBorrower`), which would tell a desk whose borrower a consent id is for.
 */
const WITHHELD_REVERT_ARGS: ReadonlySet<string> = new Set(["consentBorrower"]);

/** A problem for any error: ours as thrown, a contract revert decoded, anything else a 500 without internals. */
export function problemOf(err: unknown): Problem {
  if (err instanceof ProblemError) return err.problem;
  // Hono's own refusals before a handler runs (e.g. a body that is not JSON).
  if (err instanceof HTTPException && err.status < 500) {
    return {
      type: "https://tradeline.dev/problems/bad-request",
      title: "The request is not valid",
      status: err.status,
      detail: err.message,
    };
  }
  const found = decodeError(err);
  if (found !== undefined) {
    const decoded = withholdArgs(found, WITHHELD_REVERT_ARGS);
    const text = `reverted: ${decoded.message}`;
    return {
      type: "https://tradeline.dev/problems/reverted",
      title: "The contract refused the transaction",
      status: 422,
      detail: text,
      revert: { name: decoded.name, args: decoded.args, text },
    };
  }
  return {
    type: "https://tradeline.dev/problems/internal",
    title: "Internal error",
    status: 500,
    detail: "the service failed to answer; its log has the cause",
  };
}

export function createApp(options: AppOptions): OpenAPIHono<AppEnv> {
  const { db } = options;
  const app = new OpenAPIHono<AppEnv>({
    // A body that does not match its schema: 400 naming each wrong field, before any handler runs.
    defaultHook: (result, c) => {
      if (!result.success) {
        // An unknown field is named by its own pointer, not its parent's. A field's name is the caller's: zod's
        // message repeats it whole, so it is named here, as a bounded echo.
        const pointer = (path: PropertyKey[]) =>
          "/" +
          path
            .map((p) => (typeof p === "number" || String(p).length <= ECHO_MAX ? String(p) : echo(String(p))))
            .join("/");
        const errors = result.error.issues.flatMap((i) =>
          i.code === "unrecognized_keys"
            ? i.keys.map((k) => ({ pointer: pointer([...i.path, k]), detail: `unknown field ${echo(k)}` }))
            : [{ pointer: pointer(i.path), detail: i.message }],
        );
        const first = errors[0];
        return problemResponse(
          c,
          badRequest(first === undefined ? "the request is not valid" : `${first.pointer}: ${first.detail}`, errors)
            .problem,
        );
      }
    },
  });

  // First, so every answer is counted, a 413 or a 401 included.
  const notify = { openStreams: () => 0 };
  const hub = options.notifications ?? new NotificationHub(db, options.chainId);
  const metrics = createMetrics({
    health: options.health,
    queueDepth: options.queueDepth,
    streams: () => notify.openStreams(),
  });
  app.use("*", metrics.middleware);

  app.onError((err, c) => {
    const problem = problemOf(err);
    if (problem.status >= 500) {
      options.logger?.error(
        { err: err instanceof Error ? err.message : String(err), method: c.req.method, path: requestPath(c) },
        "request failed",
      );
    }
    const res = problemResponse(c, problem);
    // RFC 6750: a 401 names the scheme the client should use.
    if (problem.status === 401) res.headers.set("WWW-Authenticate", 'Bearer realm="tradeline"');
    if (problem.retryAfter !== undefined) res.headers.set("Retry-After", String(problem.retryAfter));
    return res;
  });

  const limit = options.bodyLimit ?? 1024 * 1024;
  app.use(
    "*",
    bodyLimit({
      maxSize: limit,
      onError: (c) =>
        problemResponse(c, {
          type: "https://tradeline.dev/problems/too-large",
          title: "The request body is too large",
          status: 413,
          detail: `the body is over ${limit} bytes; split the upload`,
        }),
    }),
  );
  app.notFound((c) =>
    problemResponse(c, {
      type: "https://tradeline.dev/problems/not-found",
      title: "Not found",
      status: 404,
      detail: `no endpoint ${c.req.method} ${echo(c.req.path)}`,
    }),
  );

  const limiter = new RateLimiter(options.rateLimit ?? { perSecond: 50, burst: 200 });
  // Every /v1 route needs a bearer token.
  app.use("/v1/*", async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (match === null) throw unauthorized("send the API token as Authorization: Bearer <token>");
    const client = await clientOf(db, match[1]);
    if (client === undefined) throw unauthorized("this token is unknown or revoked");
    c.set("client", client);
    limiter.take(client.id);
    await next();
  });
  // A write refused before its handler ran (a role's 403, a schema's 400, no operator key) is audited too.
  app.use("/v1/*", async (c, next) => {
    await next();
    if (c.req.method === "GET" || c.req.method === "HEAD" || c.get("audited") === true || c.res.status < 400) return;
    await db
      .insertInto("audit_log")
      .values({
        token_id: c.get("client").id,
        at: Math.floor(Date.now() / 1000),
        method: c.req.method,
        path: requestPath(c),
        action: "refused",
        status: c.res.status,
        tx_hash: null,
      })
      .execute();
  });

  const HealthSchema = z
    .object({
      chainHead: z.number().int().openapi({ example: 120 }),
      indexedHead: z.number().int().openapi({ example: 120 }),
      lag: z.number().int().openapi({ description: "blocks the read model is behind the chain", example: 0 }),
      sinceSuccess: z.number().openapi({ description: "seconds since the indexer's last successful step" }),
      error: z
        .string()
        .optional()
        .openapi({
          description:
            "the class of the indexer's last failure, while it persists: rpc, rpc-http-<status>, database, " +
            "connection, checkpoint-moved or unknown (its text is in the service's log only)",
          example: "rpc-http-401",
        }),
    })
    .openapi("Health");
  const json = { "application/json": { schema: HealthSchema } };
  app.openapi(
    createRoute({
      method: "get",
      path: "/healthz",
      summary: "The chain head, the indexed head and the lag",
      responses: {
        200: { description: "the read model follows the chain", content: json },
        503: { description: "the indexer is failing or has not moved for too long", content: json },
      },
    }),
    async (c) => {
      const { stale, ...h } = await options.health();
      const body = { ...h, lag: Math.max(0, h.chainHead - h.indexedHead) };
      return stale ? c.json(body, 503) : c.json(body, 200);
    },
  );

  const Me = z
    .object({
      name: z.string().openapi({ description: "who holds the token", example: "Shenzhen Glassworks Co., export desk" }),
      roles: z.array(z.enum(API_ROLES)).openapi({ description: "the roles the token carries" }),
      signer: z.string().optional().openapi({ description: "the address this service signs with, when it writes" }),
      member: z
        .object({ id: z.number().int(), status: z.string(), jurisdiction: z.string() })
        .optional()
        .openapi({ description: "the member the signer acts for, once the read model knows it" }),
    })
    .openapi("Me");
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/me",
      summary: "The token's holder and roles, and the member this service acts for",
      security: [{ bearer: [] }],
      responses: { 200: { description: "the token's holder", content: { "application/json": { schema: Me } } } },
    }),
    async (c) => {
      const client = c.get("client");
      const signer =
        options.writer === undefined ? undefined : (await options.writer.signer.getAddress()).toLowerCase();
      const memberId = signer === undefined ? undefined : await memberOfOperator(db, options.chainId, signer);
      const member =
        memberId === undefined
          ? undefined
          : await db
              .selectFrom("members")
              .select(["id", "status", "jurisdiction"])
              .where("chain_id", "=", options.chainId)
              .where("id", "=", memberId)
              .executeTakeFirst();
      return c.json(
        {
          name: client.name,
          roles: client.roles,
          ...(signer === undefined ? {} : { signer }),
          ...(member === undefined
            ? {}
            : { member: { id: Number(member.id), status: member.status, jurisdiction: member.jurisdiction } }),
        },
        200,
      );
    },
  );

  readRoutes(app, { db, chainId: options.chainId, chainTime: options.chainTime });
  listRoutes(app, { db, chainId: options.chainId, chainTime: options.chainTime });
  tradeReadRoutes(app, {
    db,
    chainId: options.chainId,
    chainTime: options.chainTime,
    ...(options.deployment === undefined ? {} : { deployment: options.deployment }),
  });
  creditWriteRoutes(app, { db, writer: options.writer, logger: options.logger });
  creditReadRoutes(app, {
    db,
    chainId: options.chainId,
    writer: options.writer,
    deployment: options.deployment,
    chain: options.chain,
    chainTime: options.chainTime,
  });
  scfWriteRoutes(app, { db, writer: options.writer, logger: options.logger });
  tradeWriteRoutes(app, { db, writer: options.writer, logger: options.logger });
  notify.openStreams = notifyRoutes(app, {
    db,
    hub,
    heartbeatMs: options.heartbeatMs,
    onWebhook: options.onWebhook,
    logger: options.logger,
  }).openStreams;
  // No token: it carries no member data (route patterns, counts, block heights), and Prometheus scrapes it; keep it
  // behind the proxy with /healthz (docs/service.md).
  app.get("/metrics", async (c) =>
    c.body(await metrics.registry.metrics(), 200, { "content-type": metrics.registry.contentType }),
  );

  referenceRoutes(app);
  consoleRoutes(app);
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Tradeline service",
      version: "1.0.0",
      description: "One member institution's view of the Tradeline ledger.",
    },
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });
  return app;
}

/** A token bucket per API token: `burst` requests at once, refilled at `perSecond`; beyond it, 429. */
export class RateLimiter {
  readonly #buckets = new Map<number, { tokens: number; at: number }>();
  constructor(readonly limit: { perSecond: number; burst: number }) {}

  take(tokenId: number, now = Date.now()): void {
    const b = this.#buckets.get(tokenId) ?? { tokens: this.limit.burst, at: now };
    b.tokens = Math.min(this.limit.burst, b.tokens + ((now - b.at) / 1000) * this.limit.perSecond);
    b.at = now;
    this.#buckets.set(tokenId, b);
    if (b.tokens < 1) {
      const wait = Math.ceil((1 - b.tokens) / this.limit.perSecond);
      throw new ProblemError(
        429,
        "rate-limited",
        "Too many requests",
        `this token may make ${this.limit.perSecond} requests a second (bursts of ${this.limit.burst}): retry in ${wait} s`,
        { retryAfter: wait },
      );
    }
    b.tokens -= 1;
  }
}
