import { describe, expect, it } from "vitest";
import { fireEvent, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { CreateOrder } from "./CreateOrder";
import type { Me } from "../../session";
import { renderSignedIn } from "../../test/signed-in";

const me: Me = {
  name: "Cristal importer desk",
  roles: ["importer"],
  member: { id: 5, status: "Active", jurisdiction: "MX" },
};
const currencies = [
  { code: "CNY", token: "0x0000000000000000000000000000000000000001", decimals: 2 },
  { code: "MXN", token: "0x0000000000000000000000000000000000000002", decimals: 2 },
];

function day(offset: number): string {
  return new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
}

async function fill(tranches: string, dates = { shipBy: day(14), expires: day(60) }) {
  const user = userEvent.setup();
  const type = (label: string, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });
  await screen.findByLabelText("Exporter (member id)");
  type("Exporter (member id)", "3");
  type("Importer's bank (member id)", "6");
  type("Exporter's bank (member id)", "4");
  type("Trade document reference", "PO 0042");
  await user.click(screen.getByLabelText("Pay currency"));
  await user.click(await screen.findByTitle("MXN"));
  type("Amount", "400000.00");
  type("Tranches", tranches);
  fireEvent.change(screen.getByLabelText("Ship by (UTC day)"), { target: { value: dates.shipBy } });
  fireEvent.change(screen.getByLabelText("Expires (UTC day)"), { target: { value: dates.expires } });
  await user.click(screen.getByRole("button", { name: "Create the order" }));
}

describe("CreateOrder", { timeout: 30_000 }, () => {
  it("test_createOrder_tranchesShortOf100_reasonShownAndNothingPosted", async () => {
    const { writes } = renderSignedIn(<CreateOrder />, {
      me,
      routes: { "GET /v1/trade/currencies": currencies },
      path: "/orders/new",
    });
    await fill("30:Shipped,40:CustomsCleared,20:Delivered");
    expect(
      await screen.findByText(
        /The tranches are refused: tranches must be 1 to 8 shares summing to 100%, got 3 summing to 90%/,
      ),
    ).toBeTruthy();
    expect(writes()).toEqual([]);
  });

  it("test_createOrder_unknownEvidenceKind_reasonShownAndNothingPosted", async () => {
    const { writes } = renderSignedIn(<CreateOrder />, {
      me,
      routes: { "GET /v1/trade/currencies": currencies },
      path: "/orders/new",
    });
    await fill("30:Shipped,70:Teleported");
    expect(await screen.findByText(/unknown evidence kind "Teleported"/)).toBeTruthy();
    expect(writes()).toEqual([]);
  });

  it("test_createOrder_expiryBeforeShipment_reasonShownAndNothingPosted", async () => {
    const { writes } = renderSignedIn(<CreateOrder />, {
      me,
      routes: { "GET /v1/trade/currencies": currencies },
      path: "/orders/new",
    });
    await fill("30:Shipped,40:CustomsCleared,30:Delivered", { shipBy: day(30), expires: day(20) });
    expect(await screen.findByText("The expiry must come after the shipment deadline.")).toBeTruthy();
    expect(writes()).toEqual([]);
  });

  it("test_createOrder_goodTerms_postedOnceWithTheTerms", async () => {
    const { writes } = renderSignedIn(<CreateOrder />, {
      me,
      routes: {
        "GET /v1/trade/currencies": currencies,
        "POST /v1/trade/orders": { txHashes: [], events: [], result: { id: "7" } },
      },
      path: "/orders/new",
    });
    await fill("30:Shipped,40:CustomsCleared,30:Delivered");
    await waitFor(() => expect(writes()).toHaveLength(1));
    expect(writes()[0]).toMatchObject({ method: "POST", path: "/v1/trade/orders" });
    expect(writes()[0].body).toMatchObject({
      exporter: 3,
      importerBank: 6,
      exporterBank: 4,
      amount: "400000.00",
      currency: "MXN",
      tranches: "30:Shipped,40:CustomsCleared,30:Delivered",
      shipBy: day(14),
      expires: day(60),
    });
  });
});
