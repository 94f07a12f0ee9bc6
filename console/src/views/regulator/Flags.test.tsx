import { describe, expect, it, vi } from "vitest";
import { fireEvent, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import Flags from "./Flags";
import type { FlagRow } from "./format";
import type { Me } from "../../session";
import { renderSignedIn } from "../../test/signed-in";

// The chart draws on a canvas jsdom lacks; its series is tested as a pure function (format.test.ts).
vi.mock("./FlagsChart", () => ({ default: (p: { counts: number[] }) => <p>chart of {p.counts.join(",")}</p> }));

const REGULATOR: Me = {
  name: "regulator",
  roles: ["regulator"],
  member: { id: 8, status: "Active", jurisdiction: "CN" },
};
const KEY_A = `0x${"a1".repeat(32)}`;
const KEY_B = `0x${"b2".repeat(32)}`;
const at = (iso: string) => Date.parse(`${iso}T10:00:00Z`) / 1000;
const flag = (n: number, day: string, lender: number, borrowerKey: string): FlagRow => ({
  at: at(day),
  block: 100 - n,
  txHash: `0x${String(n).padStart(64, "0")}`,
  borrowerKey,
  loanId: `0x${String(n).padStart(64, "9")}`,
  lender,
  limit: "DistinctLenders",
  value: "2",
  max: "1",
});
const FLAGS = [flag(1, "2026-03-05", 6, KEY_A), flag(2, "2026-03-03", 5, KEY_B), flag(3, "2026-03-01", 6, KEY_B)];

/** The data rows the flags table shows. */
function rows(): HTMLElement[] {
  const table = screen.getByRole("table");
  return within(table)
    .getAllByRole("row")
    .filter((r) => r.getAttribute("data-row-key") !== null);
}

describe("regulator flags", () => {
  it("test_flagsTable_filters_changeTheRowsShown", async () => {
    renderSignedIn(<Flags onBorrower={() => {}} />, { me: REGULATOR, routes: { "GET /v1/regulator/flags": FLAGS } });
    await screen.findByText("3 flags, newest first");
    expect(rows()).toHaveLength(3);
    expect(await screen.findByText("chart of 1,0,1,0,1")).toBeTruthy();

    await userEvent.click(screen.getByLabelText("Borrower key"));
    await userEvent.paste(KEY_B);
    await screen.findByText("2 flags, newest first");
    expect(rows().map((r) => within(r).getByText(/^member #/).textContent)).toEqual(["member #5", "member #6"]);

    fireEvent.change(screen.getByLabelText("From (UTC)"), { target: { value: "2026-03-02" } });
    await screen.findByText("1 flags, newest first");
    expect(within(rows()[0]).getByText("member #5")).toBeTruthy();

    await userEvent.click(screen.getByRole("button", { name: "Clear filters" }));
    await screen.findByText("3 flags, newest first");
    expect(rows()).toHaveLength(3);
  }, 30_000);

  it("test_flagsCsvExport_filteredTable_givesExactlyItsRows", async () => {
    const blobs: Blob[] = [];
    vi.stubGlobal(
      "URL",
      Object.assign(URL, { createObjectURL: (b: Blob) => (blobs.push(b), "blob:x"), revokeObjectURL: () => {} }),
    );
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => {});
    renderSignedIn(<Flags onBorrower={() => {}} />, { me: REGULATOR, routes: { "GET /v1/regulator/flags": FLAGS } });
    await screen.findByText("3 flags, newest first");
    await userEvent.click(screen.getByLabelText("Borrower key"));
    await userEvent.paste(KEY_B);
    await screen.findByText("2 flags, newest first");
    await userEvent.click(screen.getByRole("button", { name: /Export CSV/ }));
    expect(click).toHaveBeenCalledTimes(1);
    const lines = (await blobs[0].text()).trim().split("\n");
    expect(lines[0]).toBe("Raised (UTC),Borrower key,Lender,Limit,Value,Allowed,Loan,Transaction");
    expect(lines.slice(1)).toEqual([
      `2026-03-03 10:00 UTC,${KEY_B},5,DistinctLenders,2,1,${FLAGS[1].loanId},${FLAGS[1].txHash}`,
      `2026-03-01 10:00 UTC,${KEY_B},6,DistinctLenders,2,1,${FLAGS[2].loanId},${FLAGS[2].txHash}`,
    ]);
    click.mockRestore();
  }, 30_000);
  it("test_flagsTable_anAprFlag_isNamedInWords", async () => {
    const apr: FlagRow = { ...flag(4, "2026-03-06", 7, KEY_A), limit: "Apr", value: "2399", max: "2000" };
    renderSignedIn(<Flags onBorrower={() => {}} />, { me: REGULATOR, routes: { "GET /v1/regulator/flags": [apr] } });
    await screen.findByText("1 flags, newest first");
    expect(within(rows()[0]).getByText("APR over the cap")).toBeTruthy();
  }, 30_000);
});
