/**
 * The supplier's story, in Chromium against make up SEED=demo: a new receivable goes down the tiers through the
 * desks' APIs until Silica Sands holds a piece; Silica sees it in its family tree; Huaxia's treasury quotes for it
 * through the API; Silica sells it at that price through the console, seeing the price and the day count before
 * confirming; the piece then shows Financed, held by Huaxia.
 */
import { randomUUID } from "node:crypto";

import { expect } from "chai";
import { JsonRpcProvider } from "ethers";

import { checkA11y, openPage, screenshot, sharedStack, type Desk } from "./harness.js";

/** A write through a desk's API that must answer `status`; its result. */
async function write(desk: Desk, role: string, path: string, body: unknown, status = 200) {
  const res = await fetch(`${desk.url}${path}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${desk.tokens[role]}`,
      "content-type": "application/json",
      "idempotency-key": randomUUID(),
    },
    body: JSON.stringify(body),
  });
  const answer = (await res.json()) as { result: Record<string, unknown>; detail?: string };
  expect(res.status, `${desk.member} ${path}: ${answer.detail ?? ""}`).to.equal(status);
  return answer.result;
}

async function read<T>(desk: Desk, role: string, path: string): Promise<T> {
  const res = await fetch(`${desk.url}${path}`, { headers: { authorization: `Bearer ${desk.tokens[role]}` } });
  expect(res.status, path).to.equal(200);
  return (await res.json()) as T;
}

describe("console: a tier-3 supplier sells its receivable piece to a bank", function () {
  this.timeout(900_000);

  it("test_supplier_sellsPieceAtQuotedPrice_seesPriceAndDayCountFirst_thenFinanced", async function () {
    const { desks, world, rpcUrl } = await sharedStack();
    const { pearl, glassworks, silica, huaxia } = desks;
    const { precision } = desks;
    const member = (key: string) => world.members[key];

    // A fresh family: Pearl River confirms 150,000.00 CNY to Glassworks, maturing in 60 days of chain time.
    const now = (await new JsonRpcProvider(rpcUrl).getBlock("latest"))!.timestamp;
    const maturity = new Date((now + 60 * 86_400) * 1000).toISOString().slice(0, 10);
    const issued = await write(
      pearl,
      "supply-chain-desk",
      "/v1/scf/receivables",
      {
        supplier: member("glassworks").admin,
        face: "150000.00",
        currency: "CNY",
        maturity,
        invoices: [`PRA-E2E-${randomUUID().slice(0, 8)}`],
        issueDate: new Date(now * 1000).toISOString().slice(0, 10),
      },
      201,
    );
    const root = issued.id as string;
    const family = root.replace(/\.0$/, "");
    // Glassworks pays its tier-2 supplier (Dongguan Precision) with a piece; tier 2 pays Silica (tier 3) with part
    // of it, each through its own service.
    await write(glassworks, "supply-chain-desk", `/v1/scf/receivables/${root}/split`, {
      faces: ["90000.00", "60000.00"],
    });
    await write(glassworks, "supply-chain-desk", `/v1/scf/receivables/${family}.1/transfer`, {
      to: member("precision").admin,
    });
    await write(precision, "supply-chain-desk", `/v1/scf/receivables/${family}.1/split`, {
      faces: ["35000.00", "25000.00"],
    });
    const piece = `${family}.2`;
    await write(precision, "supply-chain-desk", `/v1/scf/receivables/${piece}/transfer`, {
      to: member("silica").admin,
    });

    const page = await openPage("silica", "supply-chain-desk");
    try {
      // Silica sees its piece in its list and in the family tree, marked as its own.
      await page.goto(`${silica.url}/#/scf/${piece}`);
      const node = page.getByTestId(`piece-${piece}`);
      await node.waitFor({ timeout: 120_000 });
      expect(await node.textContent()).to.match(
        new RegExp(`^${piece} · member #${member("silica").id} · tier 3 · .* · Held.*yours$`),
      );
      expect(await page.getByTestId(`piece-${root}`).textContent()).to.include(`member #${member("glassworks").id}`);
      await page.getByRole("button", { name: `Sell ${piece}` }).waitFor();
      await checkA11y(page, "scf desk: the family tree");
      await screenshot(page, "supplier-tree");

      // Huaxia's treasury quotes through the API: 5% a year, ACT/360, for an hour.
      const quote = await write(
        huaxia,
        "bank-treasury",
        `/v1/scf/receivables/${piece}/quotes`,
        { rateBps: 500, dayBase: 360, validFor: 3600 },
        201,
      );
      const quoted = quote.price as { amount: string; currency: string };

      // Silica pastes the quote, sees the price and the day count, then confirms.
      await page.getByRole("button", { name: `Sell ${piece}` }).click();
      await page
        .getByLabel("The bank's signed quote")
        .fill(JSON.stringify({ quote: quote.quote, signature: quote.signature }));
      await page.getByRole("button", { name: "Check the price" }).click();
      const price = page.getByTestId("price");
      await price.waitFor({ timeout: 60_000 });
      expect(await price.textContent()).to.equal(`${quoted.amount} ${quoted.currency}`);
      expect(await page.getByTestId("day-count").textContent()).to.match(
        /^(60|61) days to maturity, ACT\/360 \(actual days over 360; a started day counts as one\)$/,
      );
      await checkA11y(page, "scf desk: the sale's confirmation");
      await screenshot(page, "supplier-confirm");
      await page.getByRole("button", { name: `Sell for ${quoted.amount} ${quoted.currency}` }).click();
      await page
        .getByRole("status")
        .filter({ hasText: `${piece} sold for` })
        .waitFor({ timeout: 120_000 });
      await screenshot(page, "supplier-sold");

      // Closed, the tree shows the piece financed, held by Huaxia (polled: the read model indexes the block).
      await page.keyboard.press("Escape");
      await page
        .getByTestId(`piece-${piece}`)
        .filter({ hasText: `member #${member("huaxia").id}` })
        .filter({ hasText: "Financed" })
        .waitFor({ timeout: 120_000 });
      expect(await page.getByTestId(`piece-${piece}`).textContent()).not.to.include("yours");
      await checkA11y(page, "scf desk: the piece financed");
      await screenshot(page, "supplier-financed");
      const after = await read<{ pieces: { id: string; holder: number; state: string }[] }>(
        silica,
        "supply-chain-desk",
        `/v1/scf/receivables/${piece}/family`,
      );
      expect(after.pieces.find((p) => p.id === piece)).to.include({
        holder: Number(member("huaxia").id),
        state: "Financed",
      });
    } finally {
      await page.context().close();
    }
  });
});
