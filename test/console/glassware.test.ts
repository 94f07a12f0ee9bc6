/**
 * The glassware order through the console, in Chromium against `make up SEED=demo`: the importer (Cristal) creates
 * it in the order form, the exporter (Glassworks) accepts it and sets its FX terms (Huaxia, at least 0.37 CNY per
 * MXN), the importer's bank (Golfo) funds it; then the evidence arrives as oracles send it, over HTTP to the
 * carrier's and customs' services, relayed by Huaxia with its quote at 0.38; the exporter's order page, left open,
 * shows each tranche paid in CNY with its UETR without a reload.
 */
import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import type { Page } from "playwright-core";

import { connect, loadDeployment } from "../../src/deployment.js";
import { parseAmount } from "../../src/encoding.js";
import { mined } from "../../src/tx.js";
import { checkA11y, openPage, screenshot, sharedStack, type Desk } from "./harness.js";

const EVIDENCE: [kind: string, oracle: string, document: string][] = [
  ["Shipped", "carrier", "bill of lading CONSOLE-88121"],
  ["CustomsCleared", "customs", "pedimento CONSOLE 6001234"],
  ["Delivered", "carrier", "proof of delivery CONSOLE Guadalajara"],
];

/** A write to a desk's service as its `role`, which must answer `status`; its result. */
async function write(desk: Desk, role: string, route: string, body: unknown, status = 200) {
  const res = await fetch(`${desk.url}${route}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${desk.tokens[role]}`,
      "content-type": "application/json",
      "idempotency-key": crypto.randomUUID(),
    },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { result?: Record<string, unknown> };
  expect(res.status, `${route}: ${JSON.stringify(json)}`).to.equal(status);
  return json.result as Record<string, unknown>;
}

/** The order's page at `desk`, opened by hash. */
async function showOrder(page: Page, desk: Desk, id: string) {
  await page.goto(`${desk.url}/#/orders/${id}`);
  await page.getByRole("heading", { level: 1, name: `Order #${id}` }).waitFor();
}

describe("console: the glassware order, importer to exporter, in Chromium", function () {
  this.timeout(1_200_000);

  it("test_console_glasswareOrder_createdAcceptedFundedEvidenced_paidLiveOnTheExportersPage", async function () {
    const { desks, world, rpcUrl } = await sharedStack();
    const ids = Object.fromEntries(Object.entries(world.members).map(([k, m]) => [k, m.id]));
    // The importer's bank is given the order's MXN, and the FX provider the CNY it pays out and lets the escrow
    // draw, as the seed does for its own orders (fundGlasswareParties): the story rests on no leftover of theirs.
    const provider = new JsonRpcProvider(rpcUrl);
    const deployment = await loadDeployment(world.deploymentFile);
    const asIssuer = connect(deployment, await provider.getSigner(world.issuer));
    const asHuaxia = connect(deployment, await provider.getSigner(world.members.huaxia.admin));
    const amount = parseAmount("400000.00", 2);
    await mined(await asIssuer.tokens.MXN.mint(world.members.golfo.admin, amount));
    await mined(await asIssuer.tokens.CNY.mint(world.members.huaxia.admin, amount));
    await mined(await asHuaxia.tokens.CNY.approve(await asHuaxia.trade.getAddress(), amount));

    const chainNow = (await provider.getBlock("latest"))!.timestamp;
    const day = (offset: number) => new Date((chainNow + offset * 86_400) * 1000).toISOString().slice(0, 10);

    // The importer creates the order in the form.
    const importer = await openPage("cristal", "importer");
    await importer.goto(`${desks.cristal.url}/#/orders/new`);
    await importer.getByRole("heading", { level: 1, name: "New trade order" }).waitFor();
    await checkA11y(importer, "trade: new order");
    await importer.getByLabel("Exporter (member id)").fill(String(ids.glassworks));
    await importer.getByLabel("Importer's bank (member id)").fill(String(ids.golfo));
    await importer.getByLabel("Exporter's bank (member id)").fill(String(ids.huaxia));
    await importer.getByLabel("Trade document reference").fill("PO CONSOLE-0042");
    for (const [label, code] of [
      ["Pay currency", "MXN"],
      ["Payout currency", "CNY"],
    ]) {
      await importer.getByLabel(label).fill(code);
      await importer.getByLabel(label).press("Enter");
    }
    await importer.getByLabel("Amount").fill("400000.00");
    await importer.getByLabel("Tranches").fill("30:Shipped,40:CustomsCleared,30:Delivered");
    await importer.getByLabel("Ship by (UTC day)").fill(day(14));
    await importer.getByLabel("Expires (UTC day)").fill(day(60));
    await importer.getByLabel("Objection window (days)").fill("3");
    await importer.getByLabel("Importer's bank fee (bps)").fill("10");
    await importer.getByLabel("Exporter's bank fee (bps)").fill("15");
    await screenshot(importer, "glassware-create");
    await importer.getByRole("button", { name: "Create the order" }).click();
    await importer.waitForURL(/#\/orders\/\d+$/, { timeout: 120_000 });
    const id = /#\/orders\/(\d+)$/.exec(importer.url())![1];
    await importer.getByText("Created", { exact: true }).waitFor({ timeout: 120_000 });
    await checkA11y(importer, "trade: order (importer)");
    await screenshot(importer, "glassware-created");

    // The exporter accepts and sets its FX terms.
    const exporter = await openPage("glassworks", "exporter");
    await showOrder(exporter, desks.glassworks, id);
    await checkA11y(exporter, "trade: order (exporter, created)");
    await exporter.getByRole("button", { name: "Accept" }).click();
    await exporter.getByRole("button", { name: "Set FX terms" }).waitFor({ timeout: 120_000 });
    await exporter.getByLabel("FX provider (member id)").fill(String(ids.huaxia));
    await exporter.getByLabel(/Least rate/).fill("0.37");
    await exporter.getByRole("button", { name: "Set FX terms" }).click();
    await exporter.getByText(`provider member #${ids.huaxia}, at least 0.37`).waitFor({ timeout: 120_000 });
    await screenshot(exporter, "glassware-accepted");

    // The importer's bank funds.
    const bank = await openPage("golfo", "bank-treasury");
    await showOrder(bank, desks.golfo, id);
    await checkA11y(bank, "trade: order (importer's bank)");
    await bank.getByRole("button", { name: "Fund" }).click();
    await bank.getByText("Funded", { exact: true }).waitFor({ timeout: 120_000 });
    await screenshot(bank, "glassware-funded");
    await exporter.getByText("Funded", { exact: true }).waitFor({ timeout: 120_000 });

    // The evidence, as oracles send it; the exporter's page, left open, shows each tranche paid without a reload.
    for (const [n, [kind, oracle, document]] of EVIDENCE.entries()) {
      const attestation = await write(
        desks[oracle],
        "operator",
        `/v1/trade/orders/${id}/attestations`,
        { kind, document },
        201,
      );
      const quote = await write(
        desks.huaxia,
        "bank-treasury",
        `/v1/trade/orders/${id}/fx-quotes`,
        { sell: "MXN", buy: "CNY", rate: "0.38", max: "400000.00", validFor: 3600 },
        201,
      );
      const relayed = await write(desks.huaxia, "bank-treasury", `/v1/trade/orders/${id}/evidence`, {
        kind,
        document,
        attestations: [attestation],
        quote: { quote: quote.quote, signature: quote.signature },
      });
      const payments = relayed.payments as { tranche: string; uetr: string; payout: string }[];
      expect(payments.map((p) => p.tranche)).to.deep.equal([String(n + 1)]);
      await exporter.getByText(`Tranche ${n + 1} (${[30, 40, 30][n]}%) — paid`).waitFor({ timeout: 120_000 });
      const row = exporter.getByRole("row").filter({ hasText: payments[0].uetr });
      await row.waitFor({ timeout: 120_000 });
      expect(await row.textContent()).to.include(" CNY");
      await checkA11y(exporter, `trade: order (exporter, tranche ${n + 1} paid)`);
      await screenshot(exporter, `glassware-paid-${n + 1}`);
    }
  });
});
