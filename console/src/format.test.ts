import { describe, expect, it } from "vitest";

import { formatMinor } from "./format";

describe("formatMinor", () => {
  it("test_formatMinor_eachLanguagesGroupingAndDecimalMark_everyDigitKept", () => {
    expect(formatMinor("60000000", 2, "en")).toBe("600,000.00");
    expect(formatMinor("60000000", 2, "es")).toBe("600.000,00");
    expect(formatMinor("60000000", 2, "zh-CN")).toBe("600,000.00");
    expect(formatMinor("-1250", 2, "en")).toBe("-12.50");
    expect(formatMinor("7", 0, "en")).toBe("7");
    // Past 2^53: no digit lost to floating point.
    expect(formatMinor("123456789012345678901", 2, "en")).toBe("1,234,567,890,123,456,789.01");
  });
});
