/**
 * The lender's story in Chromium, against `make up SEED=demo` (one service per member): Huaxia's lender desk uploads
 * a loan file with one bad line and sees it by its number, uploads it fixed and sees the job finish with the
 * multi-borrowing flag it raised (the borrower already borrows from the other lenders, registered first through
 * their own services' API), then checks the borrower. The regulator's story follows the same borrower.
 */
import { randomBytes } from "node:crypto";

import { expect } from "chai";
import type { Page } from "playwright-core";

import { LOAN_CSV_HEADER } from "../../src/credit.js";
import { checkA11y, openPage, screenshot, sharedStack } from "./harness.js";

/** The story's borrower (synthetic): the regulator's story looks it up. */
export const LENDER_STORY_BORROWER = { borrowerType: "USCC", borrowerId: "91990000STORY0001" } as const;

const ORIGINATED = "2026-06-01";
const MATURES = "2027-06-01";

function csvLine(ref: string, principal: string): string {
  const { borrowerType, borrowerId } = LENDER_STORY_BORROWER;
  const salt = `0x${randomBytes(32).toString("hex")}`;
  return [ref, borrowerType, borrowerId, "SmeLoan", principal, principal, ORIGINATED, MATURES, salt].join(",");
}

async function upload(page: Page, name: string, lines: string[]): Promise<void> {
  await page.locator('input[type="file"]').setInputFiles({
    name,
    mimeType: "text/csv",
    buffer: Buffer.from([LOAN_CSV_HEADER.join(","), ...lines].join("\n")),
  });
}

describe("console: the lender's desk, in Chromium against make up SEED=demo", function () {
  this.timeout(900_000);

  it("test_lenderStory_badLineNamed_thenFixedFileSentAndFlagged_thenBorrowerChecked", async function () {
    const { desks } = await sharedStack();
    // The borrower first borrows from every other lender with a desk: Huaxia's loan is then one lender too many.
    const others = Object.values(desks).filter((d) => d.member !== "huaxia" && d.tokens["lender-desk"] !== undefined);
    expect(
      others.map((d) => d.member),
      "the other lenders' desks",
    ).to.include("golfo");
    for (const [i, desk] of others.entries()) {
      const res = await fetch(`${desk.url}/v1/credit/loans`, {
        method: "POST",
        headers: { authorization: `Bearer ${desk.tokens["lender-desk"]}`, "content-type": "application/json" },
        body: JSON.stringify({
          ...LENDER_STORY_BORROWER,
          ref: `STORY-${desk.member.toUpperCase().slice(0, 6)}-${i}`,
          product: "SmeLoan",
          principal: "50000.00",
          originated: ORIGINATED,
          matures: MATURES,
        }),
      });
      expect(res.status, `${desk.member}'s loan`).to.equal(201);
    }

    const page = await openPage("huaxia", "lender-desk");
    await page.goto(`${desks.huaxia.url}/#/credit`);
    await page.getByRole("heading", { level: 2, name: "My loans" }).waitFor();
    await checkA11y(page, "lender: my loans");
    await screenshot(page, "lender-loans");

    await page.getByRole("tab", { name: "Upload a loan file" }).click();
    await page.getByRole("heading", { level: 2, name: "Upload a loan file" }).waitFor();
    await checkA11y(page, "lender: upload");
    const good = csvLine("HX-STORY-0001", "80000.00");
    await upload(page, "loans-bad.csv", [good, "HX-STORY-0002,USCC,91990000STORY0002,SmeLoan,abc"]);
    const badTable = page.getByRole("table", { name: "Lines to fix" });
    await badTable.waitFor();
    const row = badTable.getByRole("row").filter({ hasText: "expected 9 fields, found 5" });
    expect(await row.getByRole("cell").first().textContent()).to.equal("3");
    await checkA11y(page, "lender: upload with a bad line");
    await screenshot(page, "lender-upload-bad-line");

    await upload(page, "loans.csv", [good]);
    await page.getByText(/Upload \d+ is done\./).waitFor({ timeout: 120_000 });
    const flags = page.getByRole("table", { name: "Multi-borrowing flags raised" });
    await flags.waitFor({ timeout: 120_000 });
    expect(await flags.textContent()).to.include("Number of lenders");
    await checkA11y(page, "lender: upload done");
    await screenshot(page, "lender-upload-done");

    await page.getByRole("tab", { name: "Check a borrower" }).click();
    await page.getByLabel("Borrower id type").click();
    await page.getByTitle(LENDER_STORY_BORROWER.borrowerType).click();
    await page.getByLabel("Borrower id number").fill(LENDER_STORY_BORROWER.borrowerId);
    await page.getByLabel("Consent reference").fill("borrower authorization HX-A-2026-01");
    await page.getByLabel("New loan amount").fill("10000.00");
    await page.getByRole("button", { name: "Check", exact: true }).click();
    const verdict = page.getByRole("status").filter({ hasText: "A new loan of" });
    await verdict.waitFor({ timeout: 60_000 });
    expect(
      await page
        .getByRole("row")
        .filter({ has: page.getByText("Lenders", { exact: true }) })
        .textContent(),
    ).to.include(String(others.length + 1));
    await checkA11y(page, "lender: borrower checked");
    await screenshot(page, "lender-check");
    await page.context().close();
  });
});
