import { describe, expect, it } from "vitest";
import { fireEvent, screen, waitFor, within } from "@testing-library/react";

import { OrderPage } from "./OrderPage";
import type { Me } from "../../session";
import { exporter, order } from "../../test/orders";
import { renderSignedIn } from "../../test/signed-in";

/** The service's reading of an offer of member #9 for one minor unit on order 7 (`…/assignments/preview`). */
const ASSIGNMENT_PREVIEW = {
  id: "7",
  exporter: 3,
  financier: 9,
  signedBy: 9,
  advance: { amount: "0.01", currency: "CNY" },
  deadline: 1_799_999_999,
  now: 1_790_000_000,
  spent: false,
  expired: false,
  refused: null as string | null,
};

describe("OrderPage", { timeout: 30_000 }, () => {
  it("test_orderPage_trancheStates_paidAndAwaitingWithSignatureCounts", async () => {
    renderSignedIn(<OrderPage id="7" />, {
      me: exporter,
      routes: { "GET /v1/trade/orders/7": order },
      path: "/orders/7",
    });
    const first = await screen.findByTestId("tranche-1");
    expect(first.textContent).toBe("Tranche 1 (30%) — paid");
    expect(screen.getByTestId("tranche-2").textContent).toBe("Tranche 2 (40%) — awaiting evidence");
    expect(screen.getByText("Customs cleared: 1 of 2 signatures")).toBeTruthy();
    expect(screen.getByText("Delivered: 0 of 1 signatures")).toBeTruthy();
    // Tranche 1's evidence is complete: no count is shown as awaited for it.
    expect(screen.queryByText(/Shipped: \d of \d signatures/)).toBeNull();
  });

  it("test_orderPage_payout_bothAmountsRateFeesAndUetr", async () => {
    renderSignedIn(<OrderPage id="7" />, {
      me: exporter,
      routes: { "GET /v1/trade/orders/7": order },
      path: "/orders/7",
    });
    const payouts = (await screen.findByRole("heading", { name: "Payouts" })).closest("section")!;
    const row = (await within(payouts).findByText("3f2c9a1b-7d4e-4f8a-9b0c-1d2e3f405162")).closest("tr")!;
    const cells = within(row);
    expect(cells.getByText("120,000.00 MXN")).toBeTruthy();
    expect(cells.getByText("45,486.00 CNY")).toBeTruthy();
    expect(cells.getByText("0.38 CNY/MXN")).toBeTruthy();
    expect(cells.getByText("importer's bank 120.00 MXN, exporter's bank 180.00 MXN")).toBeTruthy();
    expect(cells.getByRole("button", { name: /XML/ })).toBeTruthy();
    expect(cells.getByRole("button", { name: /JSON/ })).toBeTruthy();
  });

  it("test_orderPage_advanceOpen_shownBesideTheFinancierOnlyWhileOpen", async () => {
    const financed = { ...order, state: "Settled", financier: 8, advanceOpen: true };
    const { unmount } = renderSignedIn(<OrderPage id="7" />, {
      me: exporter,
      routes: { "GET /v1/trade/orders/7": financed },
      path: "/orders/7",
    });
    expect(await screen.findByText(/advance left open/)).toBeTruthy();
    unmount();
    renderSignedIn(<OrderPage id="7" />, {
      me: exporter,
      routes: { "GET /v1/trade/orders/7": { ...financed, advanceOpen: false } },
      path: "/orders/7",
    });
    expect(await screen.findByText("member #8")).toBeTruthy();
    expect(screen.queryByText(/advance left open/)).toBeNull();
  });

  it("test_orderPage_heldAward_shownWithItsAmountOnlyWhileHeld", async () => {
    const held = { ...order, heldAward: "12000000" };
    const { unmount } = renderSignedIn(<OrderPage id="7" />, {
      me: exporter,
      routes: { "GET /v1/trade/orders/7": held },
      path: "/orders/7",
    });
    expect(
      await screen.findByText(
        "An arbiter's award of 120,000.00 MXN waits in escrow for an FX quote: anyone pays it with the payee's chosen quote.",
      ),
    ).toBeTruthy();
    unmount();
    renderSignedIn(<OrderPage id="7" />, {
      me: exporter,
      routes: { "GET /v1/trade/orders/7": order },
      path: "/orders/7",
    });
    expect(await screen.findByTestId("tranche-1")).toBeTruthy();
    expect(screen.queryByText(/waits in escrow for an FX quote/)).toBeNull();
  });

  it("test_orderPage_assignment_theServicesReadingOfTheOfferIsShownAndTheCheckedOfferSent", async () => {
    // Reviews 11 (R11-4) and 12: an offer naming member #9 for 1 minor unit, its text claiming GBP. The terms shown
    // are the service's reading of the chain (CNY), and what is sent is the offer that was checked.
    const offer = {
      order: "7",
      exporter: "3",
      financier: "9",
      advance: "1",
      deadline: "1799999999",
      nonce: "5",
      signature: `0x${"11".repeat(65)}`,
      currency: "GBP",
    };
    const preview = ASSIGNMENT_PREVIEW;
    const { writes } = renderSignedIn(<OrderPage id="7" />, {
      me: exporter,
      routes: {
        "GET /v1/trade/orders/7": order,
        "POST /v1/trade/orders/7/assignments/preview": () => ({ body: preview }),
        "POST /v1/trade/orders/7/assignments": { txHashes: [], events: [], result: {} },
      },
      path: "/orders/7",
    });
    const box = await screen.findByLabelText("Signed assignment offer (JSON)");
    fireEvent.change(box, { target: { value: JSON.stringify(offer) } });
    // Nothing is offered for sending before the check.
    expect(screen.queryByRole("button", { name: /Assign proceeds/ })).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: /Check the offer/ }));
    const summary = (await screen.findByTestId("offer-summary")).textContent;
    expect(summary).toMatch(/every payment still to come on this order to member #9, which advances 0\.01 CNY/);
    expect(summary).not.toMatch(/GBP/);
    expect(writes().map((w) => w.path)).toEqual(["/v1/trade/orders/7/assignments/preview"]);
    // Editing the text takes the checked terms away: a new offer needs a new check.
    fireEvent.change(box, { target: { value: JSON.stringify({ ...offer, advance: "2" }) } });
    expect(screen.queryByRole("button", { name: /Assign proceeds/ })).toBeNull();
    fireEvent.change(box, { target: { value: JSON.stringify(offer) } });
    fireEvent.click(screen.getByRole("button", { name: /Check the offer/ }));
    fireEvent.click(await screen.findByRole("button", { name: /Assign proceeds/ }));
    await waitFor(() => expect(writes()).toHaveLength(3));
    expect(writes()[2].path).toBe("/v1/trade/orders/7/assignments");
    expect(writes()[2].body).toEqual({ assignment: offer });
  });

  it("test_orderPage_assignment_aWithdrawnOrExpiredOfferIsShownAsSuchAndCannotBeSent", async () => {
    // Review 32 (A3): the financier withdrew its offer (its nonce is spent); review 45 (E1): its deadline passed.
    // The service's reading says so, and the offer cannot be sent.
    const offer = { order: "7", exporter: "3", financier: "9", advance: "1", deadline: "1799999999", nonce: "5" };
    const cases: [Partial<typeof ASSIGNMENT_PREVIEW>, RegExp][] = [
      [{ spent: true }, /the financier withdrew it, or it was used already/],
      [{ expired: true, refused: "its deadline has passed" }, /its deadline has passed/],
      [
        { refused: "its proceeds are assigned to member 8 already" },
        /refuses this offer for good: its proceeds are assigned/,
      ],
    ];
    for (const [reading, shown] of cases) {
      const preview = { ...ASSIGNMENT_PREVIEW, ...reading };
      const { writes, unmount } = renderSignedIn(<OrderPage id="7" />, {
        me: exporter,
        routes: {
          "GET /v1/trade/orders/7": order,
          "POST /v1/trade/orders/7/assignments/preview": () => ({ body: preview }),
        },
        path: "/orders/7",
      });
      const box = await screen.findByLabelText("Signed assignment offer (JSON)");
      fireEvent.change(box, { target: { value: JSON.stringify({ ...offer, signature: `0x${"11".repeat(65)}` }) } });
      fireEvent.click(screen.getByRole("button", { name: /Check the offer/ }));
      expect(await screen.findByText(shown)).toBeTruthy();
      const assign = screen.getByRole("button", { name: /Assign proceeds/ });
      expect((assign as HTMLButtonElement).disabled).toBe(true);
      fireEvent.click(assign);
      expect(writes().map((w) => w.path)).toEqual(["/v1/trade/orders/7/assignments/preview"]);
      unmount();
    }
  });

  it("test_orderPage_disputeIsTheImportersStep_notItsBanksTreasury", async () => {
    const importer: Me = {
      name: "Cristal import desk",
      roles: ["importer"],
      member: { id: 5, status: "Active", jurisdiction: "MX" },
    };
    const bank: Me = {
      name: "Golfo treasury",
      roles: ["bank-treasury"],
      member: { id: 6, status: "Active", jurisdiction: "MX" },
    };
    const { unmount } = renderSignedIn(<OrderPage id="7" />, {
      me: importer,
      routes: { "GET /v1/trade/orders/7": order },
      path: "/orders/7",
    });
    expect(await screen.findByTestId("dispute-window")).toBeTruthy();
    unmount();
    renderSignedIn(<OrderPage id="7" />, {
      me: bank,
      routes: { "GET /v1/trade/orders/7": order },
      path: "/orders/7",
    });
    expect(await screen.findByText("Objection window: 3 days after delivery")).toBeTruthy();
    expect(screen.queryByTestId("dispute-window")).toBeNull();
  });

  it("test_orderPage_notDelivered_exporterSeesNoDisputeAndWindowAfterDelivery", async () => {
    renderSignedIn(<OrderPage id="7" />, {
      me: exporter,
      routes: { "GET /v1/trade/orders/7": order },
      path: "/orders/7",
    });
    expect(await screen.findByText("Objection window: 3 days after delivery")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Open a dispute" })).toBeNull();
  });
});
