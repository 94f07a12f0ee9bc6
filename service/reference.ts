/**
 * The rendered API reference at `/docs`: Swagger UI (the `swagger-ui-dist` package) over `/openapi.json`, its files
 * served by the service itself, so the page works on a bank's network with no route to a CDN.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";

import type { Hono } from "hono";

import type { AppEnv } from "./app.js";
import { pageHeaders } from "./console.js";

const FILES: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
};

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Tradeline service API</title>
    <link rel="stylesheet" href="/docs/swagger-ui.css" />
  </head>
  <body>
    <div id="reference"></div>
    <script src="/docs/swagger-ui-bundle.js"></script>
    <script src="/docs/init.js"></script>
  </body>
</html>
`;

const INIT = `window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#reference", deepLinking: true });\n`;

export function referenceRoutes(app: Hono<AppEnv>): void {
  const dir = path.dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  const cache = new Map<string, Promise<string>>();
  // The console's policy: the page loads only the files below and /openapi.json.
  app.use("/docs", pageHeaders);
  app.use("/docs/*", pageHeaders);
  app.get("/docs", (c) => c.html(PAGE));
  app.get("/docs/init.js", (c) => c.body(INIT, 200, { "content-type": "text/javascript; charset=utf-8" }));
  for (const [file, type] of Object.entries(FILES)) {
    app.get(`/docs/${file}`, async (c) => {
      if (!cache.has(file)) cache.set(file, readFile(path.join(dir, file), "utf8"));
      return c.body(await cache.get(file)!, 200, { "content-type": type, "cache-control": "public, max-age=86400" });
    });
  }
}
