/**
 * The console's shell in Chromium, against `make up SEED=demo`: the page the service serves at `/`, the sign-in
 * refusing a token in words, each desk seeing the views its roles open, the language switch, and axe-core on the
 * sign-in page and the overview. The desks' own stories are in the other files of this folder.
 */
import { expect } from "chai";

import { checkA11y, openPage, screenshot, sharedStack } from "./harness.js";

describe("console: the shell, in Chromium against make up SEED=demo", function () {
  this.timeout(900_000);

  it("test_console_servedAtRoot_withItsSecurityHeaders", async function () {
    const { desks } = await sharedStack();
    const res = await fetch(`${desks.glassworks.url}/`);
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.match(/^text\/html/);
    expect(res.headers.get("content-security-policy")).to.include("frame-ancestors 'none'");
    const html = await res.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script, html).to.be.a("string");
    const asset = await fetch(`${desks.glassworks.url}${script}`);
    expect([asset.status, asset.headers.get("cache-control")]).to.deep.equal([
      200,
      "public, max-age=31536000, immutable",
    ]);
  });

  it("test_reference_atDocs_rendersUnderThePagesPolicy", async function () {
    const { desks, browser } = await sharedStack();
    const context = await browser.newContext();
    const page = await context.newPage();
    // A file or a style the policy blocked shows as a console message or a page error.
    const blocked: string[] = [];
    page.on("console", (m) => {
      if (/content.security.policy|refused to/i.test(m.text())) blocked.push(m.text());
    });
    page.on("pageerror", (e) => blocked.push(e.message));
    const res = await page.goto(`${desks.glassworks.url}/docs`);
    expect(res?.headers()["content-security-policy"]).to.include("script-src 'self';");
    await page.locator(".swagger-ui .info .title").waitFor();
    expect(await page.locator(".swagger-ui .info .title").textContent()).to.include("Tradeline");
    // The operations come from /openapi.json, fetched under connect-src 'self'.
    await page.locator(".swagger-ui .opblock").first().waitFor();
    expect(blocked).to.deep.equal([]);
    await context.close();
  });

  it("test_console_unknownToken_refusedInWords_andAccessible", async function () {
    const { desks, browser } = await sharedStack();
    // A context of its own: axe-core opens its pages in the page's context.
    const page = await (await browser.newContext({ reducedMotion: "reduce" })).newPage();
    try {
      await page.goto(`${desks.glassworks.url}/`);
      await checkA11y(page, "sign-in");
      await screenshot(page, "shell-sign-in");
      await page.locator("input[type=password]").fill("tl_thisTokenWasNeverMade");
      await page.locator("button[type=submit]").click();
      await page.getByRole("alert").first().waitFor();
      expect(await page.getByRole("alert").first().textContent()).to.include("this token is unknown or revoked");
    } finally {
      await page.context().close();
    }
  });

  it("test_console_eachDesk_seesTheViewsOfItsRoles", async function () {
    const expected: [string, string, string[]][] = [
      ["glassworks", "exporter", ["Overview", "Trade orders"]],
      ["cristal", "importer", ["Overview", "Trade orders"]],
      ["huaxia", "lender-desk", ["Overview", "Lender's desk"]],
      ["silica", "supply-chain-desk", ["Overview", "Supply-chain desk"]],
      ["regulator", "regulator", ["Overview", "Trade orders", "Supervision"]],
    ];
    for (const [member, role, menu] of expected) {
      const page = await openPage(member, role);
      try {
        const items = await page.getByRole("navigation").getByRole("menuitem").allTextContents();
        expect(
          items.map((s) => s.trim()),
          `${member} ${role}`,
        ).to.deep.equal(menu);
        const { desks } = await sharedStack();
        expect(await page.getByTestId("who").textContent()).to.include(desks[member].name);
      } finally {
        await page.context().close();
      }
    }
  });

  it("test_console_overview_showsTheMemberAndTheMembers_inChineseToo_accessible", async function () {
    const page = await openPage("glassworks", "exporter");
    try {
      const { world } = await sharedStack();
      const id = String(world.members.glassworks.id);
      await page.getByText(`member #${id}`).first().waitFor();
      await page.getByRole("table", { name: "Members of the consortium" }).waitFor();
      await checkA11y(page, "overview");
      await screenshot(page, "shell-overview");
      await page.getByLabel("Language").click();
      await page.getByTitle("简体中文").click();
      await page.getByRole("heading", { name: "概览" }).waitFor();
      expect(await page.getByTestId("who").textContent()).to.include(`成员 #${id}`);
      await checkA11y(page, "overview (zh-CN)");
      await screenshot(page, "shell-overview-zh-CN");
    } finally {
      await page.context().close();
    }
  });
});
