import { describe, expect, it } from "vitest";
import { screen } from "@testing-library/react";

import { OrderList } from "./OrderList";
import type { Me } from "../../session";
import { summary } from "../../test/orders";
import { renderSignedIn } from "../../test/signed-in";

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
