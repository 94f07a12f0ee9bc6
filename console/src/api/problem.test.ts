import { describe, expect, it } from "vitest";

import i18n from "../i18n";
import { ApiError } from "./client";
import { describeError, describeProblem } from "./problem";

const t = i18n.getFixedT("en");

describe("describeProblem", () => {
  it("test_describeProblem_knownRevert_sentenceWithItsValues", () => {
    i18n.addResource("en", "errors", "TestDouble", "invoice {{invoice}} already backs receivable {{receivable}}");
    const text = describeProblem(t, {
      type: "https://tradeline.dev/problems/reverted",
      title: "Refused by the contract",
      status: 409,
      detail: "reverted: TestDouble(invoice=0xab, receivable=R1.0)",
      revert: { name: "TestDouble", args: { invoice: "0xab", receivable: "R1.0" }, text: "TestDouble(…)" },
    });
    expect(text).toBe("invoice 0xab already backs receivable R1.0");
  });

  it("test_describeProblem_unknownRevert_theServicesDetail", () => {
    const detail = "reverted: NoSuchError(x=1)";
    expect(
      describeProblem(t, {
        type: "x",
        title: "Refused",
        status: 409,
        detail,
        revert: { name: "NoSuchError", args: { x: "1" }, text: "NoSuchError(x=1)" },
      }),
    ).toBe(detail);
  });

  it("test_describeError_partlySent_saysSoThenTheRefusal", () => {
    const err = new ApiError({
      type: "x",
      title: "Partly sent",
      status: 500,
      detail: "an approval was mined, then fund was refused",
      cause: { type: "y", title: "Refused", status: 409, detail: "the order is not accepted" },
    });
    expect(describeError(t, err)).toBe("Part of this write was sent before it was refused: the order is not accepted");
  });
});
