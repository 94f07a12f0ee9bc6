import { describe, expect, it } from "vitest";

import { filterFlags, flagsPerDay, reasonText, type FlagRow } from "./format";

const day = (iso: string, hour = 12) => Date.parse(`${iso}T${String(hour).padStart(2, "0")}:00:00Z`) / 1000;
const flag = (at: number, lender: number, key: string): FlagRow => ({
  at,
  block: 1,
  txHash: "0x01",
  borrowerKey: key,
  loanId: "0x02",
  lender,
  limit: "DistinctLenders",
  value: "3",
  max: "2",
});

describe("regulator format", () => {
  it("test_flagsPerDay_cannedFlags_countsEachUtcDayWithGapsAsZero", () => {
    const flags = [
      flag(day("2026-03-03", 23), 5, "0xa"),
      flag(day("2026-03-01", 0), 5, "0xa"),
      flag(day("2026-03-01", 23), 6, "0xb"),
      flag(day("2026-03-04", 1), 6, "0xb"),
      flag(day("2026-03-04", 2), 6, "0xb"),
      flag(day("2026-03-04", 3), 7, "0xc"),
    ];
    expect(flagsPerDay(flags)).toEqual({
      days: ["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04"],
      counts: [2, 0, 1, 3],
    });
    expect(flagsPerDay([])).toEqual({ days: [], counts: [] });
  });

  it("test_filterFlags_lenderKeyAndDays_eachNarrowsTheRows", () => {
    const flags = [
      flag(day("2026-03-01"), 5, "0xAA"),
      flag(day("2026-03-02"), 6, "0xbb"),
      flag(day("2026-03-03"), 6, "0xaa"),
    ];
    expect(filterFlags(flags, {})).toHaveLength(3);
    expect(filterFlags(flags, { lender: 6 }).map((f) => f.at)).toEqual([flags[1].at, flags[2].at]);
    expect(filterFlags(flags, { borrowerKey: " 0xaa " }).map((f) => f.at)).toEqual([flags[0].at, flags[2].at]);
    expect(filterFlags(flags, { from: "2026-03-02", to: "2026-03-02" }).map((f) => f.at)).toEqual([flags[1].at]);
  });

  it("test_reasonText_bytes32Code_readAsLettersAndOtherValuesKept", () => {
    expect(reasonText(`0x${Buffer.from("NEW_LOAN").toString("hex").padEnd(64, "0")}`)).toBe("NEW_LOAN");
    expect(reasonText(`0x${"ff".repeat(32)}`)).toBe(`0x${"ff".repeat(32)}`);
    expect(reasonText(null)).toBe("");
  });
});
