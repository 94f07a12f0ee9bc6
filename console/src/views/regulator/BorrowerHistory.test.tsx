import { describe, expect, it, vi } from "vitest";
import { screen, within } from "@testing-library/react";

import BorrowerHistory from "./BorrowerHistory";
import type { Me } from "../../session";
import { renderSignedIn } from "../../test/signed-in";

vi.setConfig({ testTimeout: 30_000 });

const REGULATOR: Me = {
  name: "regulator",
  roles: ["regulator"],
  member: { id: 8, status: "Active", jurisdiction: "CN" },
};
const KEY = `0x${"a1".repeat(32)}`;
const CONSENT = `0x${"c1".repeat(32)}`;
const OLD_HASH = `0x${"0d".repeat(32)}`;
// "NEW_LOAN" as the registry's free bytes32 purpose before the consent book.
const NEW_LOAN = `0x${Buffer.from("NEW_LOAN").toString("hex").padEnd(64, "0")}`;
const at = (iso: string) => Date.parse(iso) / 1000;

const HISTORY = {
  borrowerKey: KEY,
  loans: [],
  disputes: [],
  inquiries: [
    {
      at: at("2026-03-01T10:00:00Z"),
      txHash: `0x${"01".repeat(32)}`,
      lender: 3,
      purpose: "NewCredit",
      consentId: CONSENT,
      consentHash: null,
      consent: {
        id: CONSENT,
        holder: 3,
        purpose: "NewCredit",
        expiresAt: at("2026-04-01T00:00:00Z"),
        covered: [5],
        revoked: true,
        revokedAt: at("2026-03-10T08:00:00Z"),
      },
    },
    {
      at: at("2025-12-01T10:00:00Z"),
      txHash: `0x${"02".repeat(32)}`,
      lender: 5,
      purpose: NEW_LOAN,
      consentId: null,
      consentHash: OLD_HASH,
      consent: null,
    },
  ],
};

describe("regulator: a borrower's inquiry history", () => {
  it("test_history_eachInquiryShowsItsConsent_andOldInquiriesTheirConsentHash", async () => {
    renderSignedIn(<BorrowerHistory borrowerKey={KEY} onBorrower={() => {}} />, {
      me: REGULATOR,
      routes: { [`GET /v1/regulator/borrowers/${KEY}/history`]: HISTORY },
    });
    const table = await screen.findByRole("table", { name: /Inquiries about borrower/ });
    await within(table).findAllByText("New credit");
    const rows = within(table)
      .getAllByRole("row")
      .filter((r) => r.getAttribute("data-row-key") !== null);
    expect(rows).toHaveLength(2);
    const [current, old] = rows;
    // The inquiry's purpose, and its consent's.
    expect(within(current).getAllByText("New credit")).toHaveLength(2);
    expect(within(current).getByTitle(CONSENT)).toBeTruthy();
    expect(within(current).getByText("held by member #3")).toBeTruthy();
    expect(within(current).getByText(/^until 2026-04-01/)).toBeTruthy();
    expect(within(current).getByText(/^revoked 2026-03-10/)).toBeTruthy();
    expect(within(old).getByText("NEW_LOAN")).toBeTruthy();
    expect(within(old).getByTitle(OLD_HASH)).toBeTruthy();
    expect(within(old).queryByText(/^held by/)).toBeNull();
  });
});
