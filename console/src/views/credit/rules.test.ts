import { describe, expect, it } from "vitest";

import { PRODUCT_KINDS } from "../../../../src/credit";
import { ID_TYPES as SDK_ID_TYPES } from "../../../../src/keys";
import { CONSENT_PURPOSES as READ_MODEL_PURPOSES } from "../../../../service/projections/credit";
import { CONSENT_PURPOSES, ID_TYPES, PRODUCTS, compareAmounts, formatAprBps } from "./rules";

describe("lender desk: the form's lists", () => {
  it("test_rules_listsOfIdTypesAndProducts_areTheSdks", () => {
    expect([...ID_TYPES]).toEqual([...SDK_ID_TYPES]);
    expect([...PRODUCTS]).toEqual(PRODUCT_KINDS.filter((k) => k !== "JointLoan"));
  });

  it("test_rules_consentPurposes_areTheConsentBooksLessNone", () => {
    expect([...CONSENT_PURPOSES]).toEqual(READ_MODEL_PURPOSES.slice(1));
  });

  it("test_formatAprBps_twoDecimalsInTheLocalesWay", () => {
    expect([formatAprBps(2399, "en"), formatAprBps(5, "en"), formatAprBps(3600, "zh-CN")]).toEqual([
      "23.99%",
      "0.05%",
      "36.00%",
    ]);
    expect(formatAprBps(2399, "es").replace(/\s/g, " ")).toBe("23,99 %");
  });

  it("test_compareAmounts_decimalStrings_comparedExactly", () => {
    expect(compareAmounts("20000.01", "20000")).toBe(1);
    expect(compareAmounts("0020000.10", "20000.1")).toBe(0);
    expect(compareAmounts("9999.99", "10000")).toBe(-1);
  });
});
