/**
 * The network `make up SEED=demo` starts (scripts/up.ts: a hardhat node, the deployment with the demo's world, one
 * service per member signing as that member, each serving the built console at `/`) on free ports in a temporary
 * folder, with Debian's Chromium launched through playwright-core (no browser download). Used by the console's
 * end-to-end stories (test/console/harness.ts) and its bench (scripts/bench-console.ts).
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { chromium, type Browser } from "playwright-core";

import { CONSOLE_DIST } from "../../service/console.js";
import { Child, portTaken, waitFor, type WorldRecord } from "./local-network.js";

export const CHROMIUM = "/usr/bin/chromium";
export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"];

/** One member's service, as `make up` records it in `desks.json`. */
export interface Desk {
  member: string;
  name: string;
  url: string;
  tokens: Record<string, string>;
}

export interface ConsoleStack {
  desks: Record<string, Desk>;
  world: WorldRecord;
  rpcUrl: string;
  browser: Browser;
  stop: () => Promise<void>;
}

/** The first of `count` consecutive ports nobody listens on: the node's, then one per service. */
async function freeRun(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    // Below the system's temporary-port range (32768 on), where an outgoing connection could take one meanwhile.
    const base = 20_000 + Math.floor(Math.random() * 12_000);
    let free = true;
    for (let p = base; p < base + count && free; p++) free = !(await portTaken(p));
    if (free) return base;
  }
  throw new Error("no run of free ports found for the console's network");
}

export async function startConsoleStack(): Promise<ConsoleStack> {
  if (!existsSync(path.join(CONSOLE_DIST, "index.html"))) {
    throw new Error(`the console is not built (${CONSOLE_DIST}): run npm run console:build (npm test does)`);
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: run bash scripts/ensure-chromium.sh (make test does)`);
  }
  const dir = await mkdtemp(path.join(tmpdir(), "tradeline-console-"));
  const base = await freeRun(16);
  const data = path.join(dir, "data");
  const up = new Child("make up", path.join(dir, "up.log"), ["run", "--no-compile", "scripts/up.ts"], {
    TRADELINE_UP_SEED: "demo",
    TRADELINE_UP_NODE_PORT: String(base),
    TRADELINE_UP_PORT: String(base + 1),
    TRADELINE_UP_DATA: data,
    // Under --coverage the artifacts are instrumented, over the size limit: make up's node must lift it too (as the
    // make up test does).
    ...(process.env.HARDHAT_COVERAGE === "true" ? { TRADELINE_NODE_COVERAGE: "1" } : {}),
  });
  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close();
    await up.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const desksFile = path.join(data, "desks.json");
    const desks = await waitFor(
      "make up to record its desks",
      async () => (existsSync(desksFile) ? (JSON.parse(readFileSync(desksFile, "utf8")) as Desk[]) : undefined),
      { child: up, timeoutMs: 600_000, everyMs: 1_000 },
    );
    const world = JSON.parse(readFileSync(path.join(data, "world.json"), "utf8")) as WorldRecord;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    return {
      desks: Object.fromEntries(desks.map((d) => [d.member, d])),
      world,
      rpcUrl: `http://127.0.0.1:${base}`,
      browser,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
