/**
 * The console's end-to-end stories: the network `make up SEED=demo` starts (scripts/up.ts: a hardhat node, the
 * deployment with the demo's world, one service per member signing as that member, each serving the built console
 * at `/`), and Debian's Chromium driven by playwright-core (no browser download). One network serves every story
 * file of a run (`sharedStack`), stopped when mocha ends. Stories save screenshots under
 * `data/console-screenshots/` (git-ignored; docs/console.md shows copies) and run axe-core on each view they show.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";

import AxeBuilder from "@axe-core/playwright";
import { expect } from "chai";
import type { Page } from "playwright-core";

import { startConsoleStack, type ConsoleStack } from "../../scripts/lib/console-stack.js";
import { ROOT } from "../../scripts/lib/local-network.js";

export type { ConsoleStack, Desk } from "../../scripts/lib/console-stack.js";

export const SCREENSHOTS = path.join(ROOT, "data", "console-screenshots");

let shared: Promise<ConsoleStack> | undefined;

/** The network and the browser every story of this run shares, started on first use. */
export function sharedStack(): Promise<ConsoleStack> {
  return (shared ??= startConsoleStack());
}

// Root-level: once every story file has run.
after(async function () {
  this.timeout(120_000);
  const stack = await shared?.catch(() => undefined);
  await stack?.stop();
});

/** A fresh page of `member`'s console, signed in with its `role` token, the shell shown. */
export async function openPage(member: string, role: string, language = "en"): Promise<Page> {
  const { desks, browser } = await sharedStack();
  const desk = desks[member];
  if (desk === undefined) throw new Error(`make up runs no service for "${member}"`);
  const token = desk.tokens[role];
  if (token === undefined) throw new Error(`${member}'s service has no ${role} token`);
  // Reduced motion: antd then draws without animations, so axe-core reads settled colours.
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    locale: language,
    reducedMotion: "reduce",
  });
  await context.addInitScript((lang) => localStorage.setItem("tradeline.language", lang), language);
  const page = await context.newPage();
  // What the page last showed is kept when a story closes it (data/console-screenshots/last-*.png): after a
  // failure, the picture of why.
  const close = context.close.bind(context);
  context.close = async (options) => {
    await screenshot(page, `last-${member}-${role}`).catch(() => undefined);
    await close(options);
  };
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
