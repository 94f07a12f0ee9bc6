import { describe, expect, it } from "vitest";
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import type { Me } from "../../session";
import { FinanceDialog, SplitDialog } from "./Dialogs";
import { renderSignedIn } from "../../test/signed-in";

const SILICA: Me = {
  name: "Silica Sands, supply-chain desk",
  roles: ["supply-chain-desk"],
  signer: "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
  member: { id: 7, status: "Active", jurisdiction: "CN" },
};

const PIECE = { id: "R4.2", face: "15000000" }; // 150,000.00

// Generous limits: typing in antd forms under jsdom is slow on a busy machine (a limit, not a pass condition).
describe("SplitDialog", { timeout: 60_000 }, () => {
  it("test_splitDialog_piecesNotSummingToFace_refusedWithoutSending", async () => {
    const { writes } = renderSignedIn(<SplitDialog piece={PIECE} onClose={() => {}} />, { me: SILICA });
    const first = await screen.findByLabelText("R4.2 keeps");
    await userEvent.type(first, "100000.00");
    await userEvent.type(screen.getByLabelText("New piece 2"), "40000");
    await userEvent.click(screen.getByRole("button", { name: "Split" }));
    expect(await screen.findByText("The pieces add up to 140,000.00, not the face 150,000.00.")).toBeTruthy();
    expect(writes()).toEqual([]);
  });

  it("test_splitDialog_piecesSummingToFace_sentAsMajorUnits", async () => {
    const routes = {
      "POST /v1/scf/receivables/R4.2/split": () => ({ body: { txHashes: [], events: [], result: {} } }),
    };
    const { writes } = renderSignedIn(<SplitDialog piece={PIECE} onClose={() => {}} />, { me: SILICA, routes });
    await userEvent.type(await screen.findByLabelText("R4.2 keeps"), "100000.00");
    await userEvent.type(screen.getByLabelText("New piece 2"), "50000");
    await userEvent.click(screen.getByRole("button", { name: "Split" }));
    await waitFor(() =>
      expect(writes().map(({ method, path, body }) => ({ method, path, body }))).toEqual([
        { method: "POST", path: "/v1/scf/receivables/R4.2/split", body: { faces: ["100000.00", "50000"] } },
      ]),
    );
  });
});

const SIGNED = {
  quote: {
    id: "67108866",
    rateBps: 500,
    dayBase: 360,
    recourse: false,
    seller: "7",
    expiry: "1790003600",
    nonce: "42",
  },
  signature: `0x${"ab".repeat(65)}`,
};

// As POST /v1/scf/receivables/{id}/finance/preview answers (the FinancePreview schema).
const PREVIEW = {
  id: "R4.2",
  financier: 2,
  seller: 7,
  holder: 7,
  recourse: false,
  rateBps: 500,
  dayBase: 360,
  now: 1790000000,
  expiry: 1790003600,
  maturity: 1797775199,
  days: 90,
  face: { amount: "150000.00", currency: "CNY" },
  price: { amount: "148125.00", currency: "CNY" },
  discount: { amount: "1875.00", currency: "CNY" },
};

describe("FinanceDialog", { timeout: 60_000 }, () => {
  it("test_financeDialog_signedQuote_showsPriceAndDayCountBeforeSelling", async () => {
    const routes = {
      "POST /v1/scf/receivables/R4.2/finance/preview": () => ({ body: PREVIEW }),
      "POST /v1/scf/receivables/R4.2/finance": () => ({
        body: { txHashes: ["0x1"], events: [], result: { id: "R4.2", financier: 2, price: PREVIEW.price } },
      }),
    };
    const { sent, writes } = renderSignedIn(<FinanceDialog piece={PIECE} onClose={() => {}} />, { me: SILICA, routes });
    await userEvent.click(await screen.findByLabelText("The bank's signed quote"));
    await userEvent.paste(JSON.stringify(SIGNED));
    await userEvent.click(screen.getByRole("button", { name: "Check the price" }));

    // Before anything is signed: the price, the discount and the day count, and nothing sent but the preview.
    expect((await screen.findByTestId("price")).textContent).toBe("148125.00 CNY");
    expect(screen.getByTestId("day-count").textContent).toBe(
      "90 days to maturity, ACT/360 (actual days over 360; a started day counts as one)",
    );
    expect(screen.getByText("1875.00 CNY")).toBeTruthy();
    expect(writes().map((r) => [r.path, r.body])).toEqual([["/v1/scf/receivables/R4.2/finance/preview", SIGNED]]);

    await userEvent.click(screen.getByRole("button", { name: "Sell for 148125.00 CNY" }));
    expect((await screen.findByRole("status")).textContent).toContain("R4.2 sold for 148125.00 CNY.");
    expect(writes().map((r) => r.path)).toEqual([
      "/v1/scf/receivables/R4.2/finance/preview",
      "/v1/scf/receivables/R4.2/finance",
    ]);
    expect(sent.at(-1)!.body).toEqual(SIGNED);
  });

  it("test_financeDialog_refusedQuote_saysWhyInWords", async () => {
    const routes = {
      "POST /v1/scf/receivables/R4.2/finance/preview": () => ({
        status: 400,
        body: {
          type: "https://tradeline.dev/problems/bad-request",
          title: "The request is not valid",
          status: 400,
          detail: "quote: the quote is for R4.1, not R4.2",
        },
      }),
    };
    renderSignedIn(<FinanceDialog piece={PIECE} onClose={() => {}} />, { me: SILICA, routes });
    await userEvent.click(await screen.findByLabelText("The bank's signed quote"));
    await userEvent.paste(JSON.stringify(SIGNED));
    await userEvent.click(screen.getByRole("button", { name: "Check the price" }));
    expect((await screen.findByRole("alert")).textContent).toContain("the quote is for R4.1, not R4.2");
    expect(screen.queryByTestId("price")).toBeNull();
  });
});
