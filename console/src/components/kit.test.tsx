import { afterEach, describe, expect, it, vi } from "vitest";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { CsvExportButton } from "./kit";

describe("CsvExportButton", () => {
  const original = { create: URL.createObjectURL, revoke: URL.revokeObjectURL };
  afterEach(() => {
    URL.createObjectURL = original.create;
    URL.revokeObjectURL = original.revoke;
  });

  it("test_csvExport_formulaCellsWrittenAsText_numbersAndQuotingKept", async () => {
    const blobs: Blob[] = [];
    URL.createObjectURL = vi.fn((blob: Blob) => {
      blobs.push(blob);
      return "blob:test";
    });
    URL.revokeObjectURL = vi.fn();
    const rows = [
      { reason: '=HYPERLINK("http://evil.example","open")', amount: "-12.50" },
      { reason: "@SUM(A1:A9)", amount: "3" },
      { reason: "late, then paid", amount: "0" },
    ];
    render(
      <CsvExportButton
        rows={rows}
        columns={[
          { title: "Reason", value: (r) => r.reason },
          { title: "Amount", value: (r) => r.amount },
        ]}
        filename="t.csv"
      />,
    );
    await userEvent.click(screen.getByRole("button", { name: /Export CSV/ }));
    expect(blobs).toHaveLength(1);
    expect((await blobs[0].text()).trim().split("\n")).toEqual([
      "Reason,Amount",
      `"'=HYPERLINK(""http://evil.example"",""open"")",-12.50`,
      "'@SUM(A1:A9),3",
      '"late, then paid",0',
    ]);
  });
});
