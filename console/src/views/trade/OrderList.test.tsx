import { describe, expect, it } from "vitest";
import { screen } from "@testing-library/react";

import { OrderList } from "./OrderList";
import type { Me } from "../../session";
import { renderSignedIn } from "../../test/signed-in";

const summary = {
  id: "7",
  state: "Funded",
  importer: 5,
  exporter: 3,
  importerBank: 6,
  exporterBank: 4,
  amount: "40000000",
  payToken: "0x0000000000000000000000000000000000000002",
  payoutToken: "0x0000000000000000000000000000000000000001",
  currency: "MXN",
  payoutCurrency: "CNY",
  documentHash: `0x${"ab".repeat(32)}`,
  tranches: 3,
  settledTranches: 1,
  createdAt: 1_790_000_000,
};

describe("OrderList", () => {
  it("test_orderList_aPartysOrdersByItsMember_theRegulatorsAll", async () => {
    const cases: [Me, string | null][] = [
      [{ name: "export desk", roles: ["exporter"], member: { id: 3, status: "Active", jurisdiction: "CN" } }, "3"],
      // The supervisor's service signs as its own member, party to no order: it lists every order.
      [{ name: "supervision", roles: ["regulator"], member: { id: 4, status: "Active", jurisdiction: "CN" } }, null],
    ];
    for (const [me, party] of cases) {
      const { sent, unmount } = renderSignedIn(<OrderList />, {
        me,
        path: "/orders",
        routes: { "GET /v1/trade/orders": [summary] },
      });
      expect(await screen.findByRole("link", { name: "Order #7" })).toBeTruthy();
      const asked = sent.filter((s) => s.method === "GET" && s.path === "/v1/trade/orders");
      expect(
        asked.map((s) => s.query.get("party")),
        me.name,
      ).toEqual([party]);
      unmount();
    }
  });
});
