import axe from "axe-core";
import { describe, expect, it, vi } from "vitest";
import { screen } from "@testing-library/react";

import LenderDesk from "./LenderDesk";
import type { Me } from "../../session";
import { renderSignedIn } from "../../test/signed-in";

vi.setConfig({ testTimeout: 30_000 });

const HUAXIA: Me = {
  name: "huaxia desk",
  roles: ["lender-desk"],
  member: { id: 3, status: "Active", jurisdiction: "CN" },
};
const LOAN = {
  id: "0x01",
  ref: "HX-2026-0001",
  borrowerKey: "0x02",
  lender: 3,
  kind: "ConsumerLoan",
  status: "Active",
  principal: "20000.00",
  outstanding: "18500.00",
  currency: "CNY",
  originated: "2026-03-01",
  matures: "2027-03-01",
  registeredAt: 1_772_000_000,
};

describe("lender desk: accessibility", () => {
  const PANELS: [string, string][] = [
    ["", "My loans"],
    ["/register", "Register a loan"],
    ["/upload", "Upload a loan file"],
    ["/check", "Check a borrower"],
  ];
  for (const [panel, heading] of PANELS) {
    it(`test_lenderDesk${panel || "/loans"}_axe_findsNothingSeriousOrCritical`, async () => {
      const { container } = renderSignedIn(<LenderDesk />, {
        me: HUAXIA,
        routes: { "GET /v1/credit/loans": [LOAN] },
        path: `/credit${panel}`,
      });
      expect(await screen.findByRole("heading", { level: 1, name: "Lender's desk" })).toBeTruthy();
      expect(await screen.findByRole("heading", { level: 2, name: heading })).toBeTruthy();
      if (panel === "") expect(await screen.findByText("HX-2026-0001")).toBeTruthy();
      // jsdom draws nothing: contrast is checked in the browser (the e2e story's checkA11y).
      const result = await axe.run(container, { rules: { "color-contrast": { enabled: false } } });
      const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
      expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.html).join(" | ")}`)).toEqual([]);
    });
  }
});
