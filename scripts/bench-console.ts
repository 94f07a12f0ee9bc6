/**
 * The console's figures, written to the `console` section of bench/results.json (the gas bench keeps it):
 *
 *   - the JavaScript the browser loads, gzipped: for the sign-in page (the first load), and by the time the
 *     exporter's order list shows (the shell and the trade view's chunks); aim under 300 KB;
 *   - the time from navigation to the exporter's order list visible, against the seeded demo network that
 *     `make up SEED=demo` starts, token already entered: median and 95th percentile of RUNS fresh page loads.
 *
 *   make bench-console   (needs the console built: npm run console:build)
 */
import { cpus } from "node:os";
import { readFile, writeFile } from "node:fs/promises";
import { gzipSync } from "node:zlib";

import type { Browser, Page } from "playwright-core";

import { startConsoleStack } from "./lib/console-stack.js";

const RUNS = Number(process.env.TRADELINE_BENCH_CONSOLE_RUNS ?? 20);
const ROWS = ".ant-table-row";

/** The gzipped size (level 9, as a server would send it) of every script `page` loads while `act` runs. */
async function scriptsLoaded(page: Page, act: () => Promise<void>): Promise<{ files: number; gzipBytes: number }> {
  const seen = new Map<string, Promise<number>>();
  page.on("response", (res) => {
    if (res.request().resourceType() !== "script" || seen.has(res.url())) return;
    seen.set(
      res.url(),
      res.body().then((body) => gzipSync(body, { level: 9 }).length),
    );
  });
  await act();
  await page.waitForLoadState("networkidle");
  const sizes = await Promise.all(seen.values());
  return { files: sizes.length, gzipBytes: sizes.reduce((a, b) => a + b, 0) };
}

async function freshPage(browser: Browser, token?: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  if (token !== undefined) {
    await context.addInitScript((t) => sessionStorage.setItem("tradeline.token", t), token);
  }
  return context.newPage();
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

const stack = await startConsoleStack();
try {
  const exporter = stack.desks.glassworks;
  const token = exporter.tokens.exporter;

  // The first load: the sign-in page.
  const first = await freshPage(stack.browser);
  const signIn = await scriptsLoaded(first, async () => {
    await first.goto(`${exporter.url}/`);
    await first.locator("input[type=password]").waitFor();
  });
  // Signed in, on to the order list: what the exporter's browser has loaded by then.
  const toOrders = await scriptsLoaded(first, async () => {
    await first.locator("input[type=password]").fill(token);
    await first.locator("button[type=submit]").click();
    await first.getByTestId("who").waitFor();
    await first.goto(`${exporter.url}/#/orders`);
    await first.locator(ROWS).first().waitFor();
  });
  await first.context().close();
  const ordersBytes = signIn.gzipBytes + toOrders.gzipBytes;

  // Time to the order list, token entered, from navigation start (the page's own clock).
  const times: number[] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const page = await freshPage(stack.browser, token);
    // The page's own clock, read by a MutationObserver the moment the first row is in the document (an init script:
    // the console's CSP allows no evaluated strings, and none is needed).
    await page.addInitScript((sel: string) => {
      const w = globalThis as unknown as {
        document: { querySelector(s: string): unknown; documentElement: unknown };
        MutationObserver: new (cb: () => void) => { observe(n: unknown, o: object): void; disconnect(): void };
        ordersShownAt?: number;
      };
      const observer = new w.MutationObserver(() => {
        if (w.ordersShownAt === undefined && w.document.querySelector(sel) !== null) {
          w.ordersShownAt = performance.now();
          observer.disconnect();
        }
      });
      observer.observe(w.document, { childList: true, subtree: true });
    }, ROWS);
    await page.goto(`${exporter.url}/#/orders`);
    await page.locator(ROWS).first().waitFor();
    const ms = await page.evaluate(() => (globalThis as unknown as { ordersShownAt: number }).ordersShownAt);
    // The first load warms the service's and the browser's caches alike: not counted.
    if (i > 0) times.push(ms);
    await page.context().close();
  }
  times.sort((a, b) => a - b);

  const figures = {
    measuredOn: `make up SEED=demo on this machine, ${cpus().length} CPU(s) (${cpus()[0]?.model ?? "unknown"}), Debian Chromium, Node ${process.version}`,
    javascriptGzipKB: {
      firstLoad: Number((signIn.gzipBytes / 1024).toFixed(1)),
      firstLoadFiles: signIn.files,
      toExporterOrderList: Number((ordersBytes / 1024).toFixed(1)),
      toExporterOrderListFiles: signIn.files + toOrders.files,
      aimFirstLoad: 300,
    },
    exporterOrderListVisibleMs: {
      runs: times.length,
      p50: Math.round(percentile(times, 50)),
      p95: Math.round(percentile(times, 95)),
      max: Math.round(times[times.length - 1]),
    },
  };
  const file = new URL("../bench/results.json", import.meta.url);
  const results = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
  results.console = figures;
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(figures, null, 2));
  console.log("console figures written to bench/results.json (console)");
} finally {
  await stack.stop();
}
