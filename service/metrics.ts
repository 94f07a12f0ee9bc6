/**
 * Prometheus metrics through prom-client, on a registry of the app's own (not the global one, so several apps can
 * run in one process, as the tests do). Requests are labelled by the route's pattern, never the raw path: no id,
 * key or other client-chosen text reaches a label, so a client cannot grow the series without bound.
 */
import type { MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

import type { Health } from "./app.js";

export interface MetricsOptions {
  health: () => Promise<Health>;
  /** The submission queue's depth (writes waiting for their transaction), when the service has one. */
  queueDepth?: () => number;
  /** Open SSE streams. */
  streams?: () => number;
}

export interface Metrics {
  registry: Registry;
  middleware: MiddlewareHandler;
}

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/**
 * The pattern of the route the request is for (`/v1/webhooks/:id`), even when a middleware answered it (a 401), or
 * `unmatched` when no route has it (a 404): the middlewares, registered for every method, are not routes.
 */
function routeOf(c: Parameters<MiddlewareHandler>[0]): string {
  return matchedRoutes(c).find((r) => r.method !== "ALL")?.path ?? "unmatched";
}

export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "tradeline_" });
  const labelNames = ["method", "route", "status"] as const;
  const requests = new Counter({
    name: "tradeline_http_requests_total",
    help: "HTTP requests answered, by method, route pattern and status",
    labelNames,
    registers: [registry],
  });
  const latency = new Histogram({
    name: "tradeline_http_request_duration_seconds",
    help: "Time to answer an HTTP request (to the first byte of a stream), by method, route pattern and status",
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  // The chain figures are read once per scrape, from the same health the /healthz route gives.
  let health: Promise<Health> | undefined;
  const scrape = () => (health ??= options.health().finally(() => setTimeout(() => (health = undefined), 0)));
  new Gauge({
    name: "tradeline_chain_head",
    help: "The chain's latest block, as the indexer last saw it",
    registers: [registry],
    async collect() {
      this.set((await scrape()).chainHead);
    },
  });
  new Gauge({
    name: "tradeline_indexer_indexed_head",
    help: "The last block the read model has indexed",
    registers: [registry],
    async collect() {
      this.set((await scrape()).indexedHead);
    },
  });
  new Gauge({
    name: "tradeline_indexer_lag_blocks",
    help: "Blocks the read model is behind the chain",
    registers: [registry],
    async collect() {
      const h = await scrape();
      this.set(Math.max(0, h.chainHead - h.indexedHead));
    },
  });
  new Gauge({
    name: "tradeline_indexer_seconds_since_success",
    help: "Seconds since the indexer's last successful step",
    registers: [registry],
    async collect() {
      this.set((await scrape()).sinceSuccess);
    },
  });
  new Gauge({
    name: "tradeline_submission_queue_depth",
    help: "Writes waiting in the submission queue (0 when the service has none)",
    registers: [registry],
    collect() {
      this.set(options.queueDepth?.() ?? 0);
    },
  });
  new Gauge({
    name: "tradeline_sse_streams",
    help: "Server-sent-event streams open",
    registers: [registry],
    collect() {
      this.set(options.streams?.() ?? 0);
    },
  });

  const middleware: MiddlewareHandler = async (c, next) => {
    const start = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const method = METHODS.includes(c.req.method) ? c.req.method : "OTHER";
      const labels = { method, route: routeOf(c), status: String(c.res.status) };
      requests.inc(labels);
      latency.observe(labels, Number(process.hrtime.bigint() - start) / 1e9);
    }
  };
  return { registry, middleware };
}
