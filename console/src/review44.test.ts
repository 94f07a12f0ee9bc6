/**
 * Adversarial review 44 (console).
 * - K1 (low): a refund to the importer's bank was drawn as a payout to the exporter's side. The service answers a
 *   `Refunded` event as a payment row (`tranche: "refund"`, the amount in minor units of the PAY token, `rate: "0"`),
 *   and the chain's `paid` bitmask (`settledTranches`, `trancheDetails[].settled`) means "paid, refunded or decided in
 *   a dispute". The console showed every refunded tranche "paid", a "Paid out 400,000.00 CNY" row at "1 CNY/MXN" for
 *   400,000.00 MXN that went back to the importer's bank, "3 of 3" tranches paid in the list, and the regulator's
 *   disputed orders showed the bitmask itself as a count. A tranche is now "paid" only with a payout of its own; a
 *   refund row is in the pay currency, with no rate; the lists count settled tranches.
 * - K2 (low): an arbiter's award (`TranchePaid` tranche 254) was announced as "Tranche 255 of order 9 paid".
 */
import { createElement } from "react";
import { describe, expect, it } from "vitest";
import { screen, within } from "@testing-library/react";

import type { Me } from "./session";
import { exporter, order, summary as glassware } from "./test/orders";
import { renderSignedIn } from "./test/signed-in";
import { OrderPage } from "./views/trade/OrderPage";
import { OrderList } from "./views/trade/OrderList";

const REFUND_UETR = "0x9a1b7d4e4f8a9b0c1d2e3f4051623f2c";
// The glassware order 8, funded and never shipped: `refundUnshipped` refunded all three tranches and settled it.
const summary = { ...glassware, id: "8", state: "Settled", settledTranches: 7 };

/** GET /v1/trade/orders/8 as the service answers it after `refundUnshipped(8)`. */
const refunded = {
  ...order,
  ...summary,
  evidence: order.evidence.map((e) => ({ ...e, signatures: 0, complete: false })),
  // No evidence ever arrived: each tranche still awaits its kind, and is settled (refunded).
  trancheDetails: [
    { tranche: 1, shareBps: 3000, evidence: ["Shipped"], awaiting: ["Shipped"], settled: true },
    { tranche: 2, shareBps: 4000, evidence: ["CustomsCleared"], awaiting: ["CustomsCleared"], settled: true },
    { tranche: 3, shareBps: 3000, evidence: ["Delivered"], awaiting: ["Delivered"], settled: true },
  ],
  attestations: [],
  // The projection's row for `Refunded(8, importerBankAccount, 40000000, uetr, e2e)`.
  payments: [
    {
      tranche: "refund",
      at: 1_791_100_000,
      txHash: `0x${"cd".repeat(32)}`,
      account: "0x0000000000000000000000000000000000000006",
      uetr: REFUND_UETR,
      endToEndId: "8",
      gross: "40000000",
      importerBankFee: "0",
      exporterBankFee: "0",
      payout: "40000000",
      rate: "0",
      fxProvider: `0x${"0".repeat(40)}`,
      quoteNonce: "0",
    },
  ],
};

describe("review 44 (K1): a refund is not drawn as a payout", { timeout: 30_000 }, () => {
  it("test_review44_orderPage_unshippedRefund_tranchesSettledNotPaid_refundInThePayCurrency", async () => {
    renderSignedIn(createElement(OrderPage, { id: "8" }), {
      me: exporter,
      routes: { "GET /v1/trade/orders/8": refunded },
      path: "/orders/8",
    });
    // No tranche reached the exporter's side: each is settled, none paid.
    const settled = "settled without a payout of its own: refunded to the importer's bank, or decided in a dispute";
    expect((await screen.findByTestId("tranche-1")).textContent).toBe(`Tranche 1 (30%) — ${settled}`);
    expect(screen.getByTestId("tranche-2").textContent).toBe(`Tranche 2 (40%) — ${settled}`);
    expect(screen.getByTestId("tranche-3").textContent).toBe(`Tranche 3 (30%) — ${settled}`);

    // The refund's row: 400,000.00 MXN back to the importer's bank, nothing converted.
    const payouts = (await screen.findByRole("heading", { name: "Payouts" })).closest("section")!;
    const row = (await within(payouts).findByText("9a1b7d4e-4f8a-9b0c-1d2e-3f4051623f2c")).closest("tr")!;
    const cells = within(row);
    expect(cells.getByText("refund")).toBeTruthy();
    expect(cells.queryAllByText("400,000.00 CNY")).toHaveLength(0);
    expect(cells.getAllByText("400,000.00 MXN")).toHaveLength(2); // the gross and what was returned
    expect(cells.getByText("— (refund, not converted)")).toBeTruthy();
  });

  it("test_review44_orderList_unshippedRefund_countedAsSettled", async () => {
    renderSignedIn(createElement(OrderList), {
      me: exporter,
      path: "/orders",
      routes: { "GET /v1/trade/orders": [summary] },
    });
    const row = (await screen.findByRole("link", { name: "Order #8" })).closest("tr")!;
    // The column counts settled tranches, and says so.
    expect(screen.getByRole("columnheader", { name: "Tranches settled" })).toBeTruthy();
    expect(within(row).getByText("3 of 3")).toBeTruthy();
  });
});

/** K2: an award is paid as `TranchePaid` tranche 254, which no order has: the notice names it. */
describe("review 44 (K2): an award is announced as an award", { timeout: 30_000 }, () => {
  it("test_review44_shell_awardPaid_announcedAsTheArbitersAward", async () => {
    const { Shell } = await import("./Shell");
    renderSignedIn(createElement(Shell), { me: exporter, path: "/" });
    const canned = globalThis.fetch;
    // The service's stream (service/routes/notify.ts): `event:` the kind, `id:` the cursor, `data:` the notification,
    // whose `data` is the event's decoded arguments (service/notifications.ts).
    const notice = { kind: "tranche.paid", event: "TranchePaid", data: { id: "9", tranche: "254" } };
    const sse = `: live\n\nevent: tranche.paid\nid: 120:3\ndata: ${JSON.stringify(notice)}\n\n`;
    globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (String(input) === "/v1/stream") {
        return new Response(
          new ReadableStream({
            start(c) {
              c.enqueue(new TextEncoder().encode(sse));
            },
          }),
          { status: 200, headers: { "content-type": "text/event-stream" } },
        );
      }
      if (String(input).startsWith("/")) return new Response("{}", { status: 404 });
      return canned(input, init);
    }) as typeof fetch;
    expect(await screen.findByText("The arbiter's award on order 9 paid")).toBeTruthy();
    expect(screen.queryByText(/Tranche 255/)).toBeNull();
  });
});

describe("review 44 (K1): the regulator's disputed orders count settled tranches", { timeout: 30_000 }, () => {
  it("test_review44_disputedOrders_countSettledTranches_notTheBitmask", async () => {
    const { default: DisputedOrders } = await import("./views/regulator/DisputedOrders");
    const regulator: Me = {
      name: "PBoC supervision desk",
      roles: ["regulator"],
      member: { id: 9, status: "Active", jurisdiction: "CN" },
    };
    // Tranches 1 and 3 settled (bitmask 0b101 = 5) of 3: "2 of 3", not "5 of 3".
    renderSignedIn(createElement(DisputedOrders), {
      me: regulator,
      path: "/",
      routes: { "GET /v1/regulator/orders/disputed": [{ ...summary, state: "Disputed", settledTranches: 5 }] },
    });
    expect(await screen.findByText("2 of 3")).toBeTruthy();
    expect(screen.queryByText("5 of 3")).toBeNull();
  });
});
