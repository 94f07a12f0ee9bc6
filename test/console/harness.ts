/**
 * The console's end-to-end stories: the network `make up SEED=demo` starts (scripts/up.ts: a hardhat node, the
 * deployment with the demo's world, one service per member signing as that member, each serving the built console
 * at `/`), and Debian's Chromium driven by playwright-core (no browser download). One network serves every story
 * file of a run (`sharedStack`), stopped when mocha ends. Stories save screenshots under
 * `data/console-screenshots/` (git-ignored; docs/console.md shows copies) and run axe-core on each view they show.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import AxeBuilder from "@axe-core/playwright";
import { expect } from "chai";
import { chromium, type Browser, type Page } from "playwright-core";

import { CONSOLE_DIST } from "../../service/console.js";
import { Child, ROOT, portTaken, waitFor, type WorldRecord } from "../../scripts/lib/local-network.js";

export const CHROMIUM = "/usr/bin/chromium";
export const SCREENSHOTS = path.join(ROOT, "data", "console-screenshots");

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
}

/** Ports from `base` on that nobody listens on: the node's, then one per service. */
async function freeRun(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    let free = true;
    for (let p = base; p < base + count && free; p++) free = !(await portTaken(p));
    if (free) return base;
  }
  throw new Error("no run of free ports found for the console's network");
}

let shared: Promise<ConsoleStack> | undefined;
let cleanup: (() => Promise<void>) | undefined;

/** The network and the browser every story of this run shares, started on first use. */
export function sharedStack(): Promise<ConsoleStack> {
  return (shared ??= start());
}

async function start(): Promise<ConsoleStack> {
  if (!existsSync(path.join(CONSOLE_DIST, "index.html"))) {
    throw new Error(`the console is not built (${CONSOLE_DIST}): run npm run console:build (npm test does)`);
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (.ci/run installs it when missing)`);
  }
  const dir = await mkdtemp(path.join(tmpdir(), "tradeline-console-"));
  const base = await freeRun(16);
  const data = path.join(dir, "data");
  const up = new Child("make up", path.join(dir, "up.log"), ["run", "--no-compile", "scripts/up.ts"], {
    TRADELINE_UP_SEED: "demo",
    TRADELINE_UP_NODE_PORT: String(base),
    TRADELINE_UP_PORT: String(base + 1),
    TRADELINE_UP_DATA: data,
  });
  cleanup = async () => {
    await up.stop();
    await rm(dir, { recursive: true, force: true });
  };
  const desksFile = path.join(data, "desks.json");
  const desksList = await waitFor(
    "make up to print its desks",
    async () => (existsSync(desksFile) ? (JSON.parse(readFileSync(desksFile, "utf8")) as Desk[]) : undefined),
    { child: up, timeoutMs: 600_000, everyMs: 1_000 },
  );
  const world = JSON.parse(readFileSync(path.join(data, "world.json"), "utf8")) as WorldRecord;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  const stop = cleanup;
  cleanup = async () => {
    await browser.close();
    await stop();
  };
  return {
    desks: Object.fromEntries(desksList.map((d) => [d.member, d])),
    world,
    rpcUrl: `http://127.0.0.1:${base}`,
    browser,
  };
}

// Root-level: once every story file has run.
after(async function () {
  this.timeout(120_000);
  await cleanup?.();
});

/** A fresh page of `member`'s console, signed in with its `role` token, the shell shown. */
export async function openPage(member: string, role: string, language = "en"): Promise<Page> {
  const { desks, browser } = await sharedStack();
  const desk = desks[member];
  if (desk === undefined) throw new Error(`make up runs no service for "${member}"`);
  const token = desk.tokens[role];
  if (token === undefined) throw new Error(`${member}'s service has no ${role} token`);
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: language });
  await context.addInitScript((lang) => localStorage.setItem("tradeline.language", lang), language);
  const page = await context.newPage();
  await page.goto(`${desk.url}/`);
  await page.locator("input[type=password]").fill(token);
  await page.locator("button[type=submit]").click();
  await page.getByTestId("who").waitFor();
  return page;
}

/** Every axe-core finding of serious or critical impact on the page as it is now; the view is named in the message. */
export async function checkA11y(page: Page, view: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    bad.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join("; ")})`),
    `axe-core on ${view}`,
  ).to.deep.equal([]);
}

/** Saves the page as `data/console-screenshots/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
