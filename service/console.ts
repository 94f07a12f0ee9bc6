/**
 * The web console (console/, docs/console.md): the built single-page app in `console/dist`, served at `/` by the
 * service itself, so it reaches the API on its own origin and a bank's network needs no other server. The app keeps
 * its place in the URL's hash, so `/` and the hashed files under `/assets/` are all there is to serve.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { serveStatic } from "@hono/node-server/serve-static";
import type { Hono } from "hono";

import type { AppEnv } from "./app.js";
import { problemResponse } from "./problem.js";

/** Where `npm run console:build` writes the app. */
export const CONSOLE_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "console", "dist");

/**
 * The pages the service serves (the console, and the API reference at `/docs`) may load only their own files and talk
 * only to this origin; antd and Swagger UI write their styles inline. No frame may hold them (clickjacking a signing
 * button).
 */
const POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; " +
  "form-action 'self'";

/** The headers of every page the service serves and of the files they load: the policy above, no sniffing. */
export const pageHeaders: MiddlewareHeaders = async (c, next) => {
  await next();
  c.header("Content-Security-Policy", POLICY);
  c.header("X-Content-Type-Options", "nosniff");
  c.header("Referrer-Policy", "no-referrer");
};

export function consoleRoutes(app: Hono<AppEnv>, dist = CONSOLE_DIST): void {
  const headers: MiddlewareHeaders = async (c, next) => {
    await pageHeaders(c, next);
    // The hashed assets never change under their name; the page itself is always asked for again.
    c.header("Cache-Control", c.req.path.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
  };
  app.use("/", headers);
  app.use("/assets/*", headers);
  if (!existsSync(path.join(dist, "index.html"))) {
    app.get("/", (c) =>
      problemResponse(c, {
        type: "https://tradeline.dev/problems/console-not-built",
        title: "The console is not built",
        status: 503,
        detail: "build it with npm run console:build (make up and make test do), then reload",
      }),
    );
    return;
  }
  app.get("/", serveStatic({ root: dist, path: "index.html" }));
  app.get("/assets/*", serveStatic({ root: dist }));
}

type MiddlewareHeaders = Parameters<Hono<AppEnv>["use"]>[1];
