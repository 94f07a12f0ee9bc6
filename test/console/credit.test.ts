/**
 * The credit stories in Chromium, against `make up SEED=demo` (one service per member, each signing as itself):
 *
 *   1. Huaxia's lender desk uploads its nightly loan file with one bad line and sees it by its number (nothing sent),
 *      uploads it fixed and sees the job finish with the multi-borrowing flag it raised: the file lends to the demo's
 *      borrower who already borrows from the other banks (chapter 2 of the demo). It then records the borrower's
 *      consent through its service and checks that borrower under it, naming the consent id and its purpose.
 *   2. The regulator sees that flag (chart and table, found by the borrower's key), the borrower's inquiry history
 *      with Huaxia's check in it (who, when, why, which consent), exports the flags as CSV, and opens the other
 *      supervision tables.
 *
 * The second story follows the first: it runs in the same describe, after it.
 */
import { randomBytes } from "node:crypto";

import { expect } from "chai";
import type { Page } from "playwright-core";

import { JsonRpcProvider } from "ethers";
import { LOAN_CSV_HEADER } from "../../src/credit.js";
import { checkA11y, openPage, screenshot, sharedStack } from "./harness.js";

/** The demo's multi-borrowing borrower (scripts/lib/demo-world.ts, chapter 2): already over the lenders' limit. */
const BORROWER = { borrowerType: "USCC", borrowerId: "91990000SYNTH00003" } as const;

/** What the lender's story leaves for the regulator's: the upload's flag and the check's consent. */
const story: { flag?: { borrowerKey: string; txHash: string; limit: string }; consentId?: string } = {};

const ORIGINATED = "2026-06-01";
const MATURES = "2027-06-01";

function csvLine(ref: string, principal: string): string {
  const { borrowerType, borrowerId } = BORROWER;
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

describe("console: the lender's desk, then the regulator who sees its flag, in Chromium against make up SEED=demo", function () {
  this.timeout(900_000);

  it("test_lenderStory_badLineNamed_thenFixedFileSentAndFlagged_thenBorrowerChecked", async function () {
    const { desks, rpcUrl } = await sharedStack();
    const page = await openPage("huaxia", "lender-desk");
    await page.goto(`${desks.huaxia.url}/#/credit`);
    await page.getByRole("heading", { level: 2, name: "My loans" }).waitFor();
    await checkA11y(page, "lender: my loans");
    await screenshot(page, "lender-loans");

    await page.getByRole("tab", { name: "Upload a loan file" }).click();
    await page.getByRole("heading", { level: 2, name: "Upload a loan file" }).waitFor();
    await checkA11y(page, "lender: upload");
    const good = csvLine(`HX-STORY-${randomBytes(3).toString("hex").toUpperCase()}`, "80000.00");
    await upload(page, "loans-bad.csv", [good, "HX-STORY-0002,USCC,91990000STORY0002,SmeLoan,abc"]);
    const badTable = page.getByRole("table", { name: "Lines to fix" });
    await badTable.waitFor();
    const row = badTable.getByRole("row").filter({ hasText: "expected 9 fields, found 5" });
    expect(await row.getByRole("cell").first().textContent()).to.equal("3");
    await checkA11y(page, "lender: upload with a bad line");
    await screenshot(page, "lender-upload-bad-line");

    await upload(page, "loans.csv", [good]);
    const done = page.getByText(/Upload \d+ is done\./);
    await done.waitFor({ timeout: 120_000 });
    const jobId = /Upload (\d+) is done/.exec((await done.textContent()) ?? "")?.[1];
    const flags = page.getByRole("table", { name: "Multi-borrowing flags raised" });
    await flags.waitFor({ timeout: 120_000 });
    expect(await flags.textContent()).to.include("Number of lenders");
    // The job as the API gives it: the flag the regulator will look for.
    const job = (await (
      await fetch(`${desks.huaxia.url}/v1/credit/uploads/${jobId}`, {
        headers: { authorization: `Bearer ${desks.huaxia.tokens["lender-desk"]}` },
      })
    ).json()) as { status: string; flags: { borrowerKey: string; txHash: string; limit: string }[] };
    expect(job.status).to.equal("done");
    expect(job.flags.map((f) => f.limit)).to.include("DistinctLenders");
    story.flag = job.flags.find((f) => f.limit === "DistinctLenders");
    await checkA11y(page, "lender: upload done");
    await screenshot(page, "lender-upload-done");

    await page.getByRole("tab", { name: "Check a borrower" }).click();
    await page.getByLabel("Borrower id type").click();
    await page.getByTitle(BORROWER.borrowerType).click();
    await page.getByLabel("Borrower id number").fill(BORROWER.borrowerId);
    // The borrower's signed consent, recorded by Huaxia's service in the consent book (the console records none).
    const provider = new JsonRpcProvider(rpcUrl);
    const now = (await provider.getBlock("latest"))!.timestamp;
    provider.destroy();
    const recorded = await fetch(`${desks.huaxia.url}/v1/credit/consents`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${desks.huaxia.tokens["lender-desk"]}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({
        ...BORROWER,
        document: `borrower authorization HX-${randomBytes(3).toString("hex")}`,
        purpose: "NewCredit",
        expires: new Date((now + 30 * 86_400) * 1000).toISOString().slice(0, 10),
      }),
    });
    expect(recorded.status).to.equal(201);
    const consentId = ((await recorded.json()) as { result: { consentId: string } }).result.consentId;
    await page.getByLabel("Consent id").fill(consentId);
    await page.getByLabel("Purpose").click();
    // The option in the open list (the select itself shows the default, New credit, under the same title).
    await page.locator(".ant-select-item-option[title='New credit']").click();
    await page.getByLabel("New loan amount").fill("10000.00");
    await page.getByRole("button", { name: "Check", exact: true }).click();
    const verdict = page.getByRole("status").filter({ hasText: "A new loan of" });
    await verdict.waitFor({ timeout: 60_000 });
    expect(
      await page
        .getByRole("row")
        .filter({ has: page.getByText("Lenders", { exact: true }) })
        .textContent(),
    ).to.match(/[4-9]/);
    // The answer names the consent the inquiry relied on.
    expect(await page.locator("code").filter({ hasText: consentId }).count()).to.equal(1);
    story.consentId = consentId;
    await checkA11y(page, "lender: borrower checked");
    await screenshot(page, "lender-check");
    await page.context().close();
  });

  it("test_regulatorStory_seesTheUploadsFlag_andTheBorrowersInquiryHistory_exportsCsv", async function () {
    const { world } = await sharedStack();
    expect(story.flag, "the lender's story raised a flag first (run the whole describe)").to.not.equal(undefined);
    const { borrowerKey, txHash } = story.flag!;
    const page = await openPage("regulator", "regulator");
    try {
      await page.getByRole("menuitem", { name: "Supervision" }).click();
      await page.getByRole("heading", { level: 1, name: "Supervision" }).waitFor();
      // The regulator's service indexes the lenders' blocks: poll the table (generous limit) for the borrower's flags.
      await page.getByLabel("Borrower key").first().fill(borrowerKey);
      const caption = page.locator("caption", { hasText: "flags, newest first" });
      await caption.filter({ hasText: /^[1-9]\d* flags/ }).waitFor({ timeout: 120_000 });
      const rows = page.locator("tbody tr[data-row-key]");
      await rows.first().waitFor();
      const huaxia = `member #${world.members.huaxia.id}`;
      const byHuaxia = rows.filter({ has: page.locator("td:nth-child(3)", { hasText: huaxia }) });
      expect(await byHuaxia.locator("td:nth-child(4)").allTextContents()).to.include("Distinct lenders");
      await page
        .getByRole("img", { name: /Bar chart: [1-9]\d* flags/ })
        .locator("canvas")
        .first()
        .waitFor();
      await checkA11y(page, "supervision flags");
      await screenshot(page, "regulator-flags");

      // The CSV export gives the table's rows: the header, then each flag of this borrower.
      const shown = await rows.count();
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page
          .getByRole("button", { name: /Export CSV/ })
          .first()
          .click(),
      ]);
      expect(download.suggestedFilename()).to.equal("multi-borrowing-flags.csv");
      const csv = (await (await download.createReadStream()).toArray()).join("").trim().split("\n");
      expect(csv[0]).to.equal("Raised (UTC),Borrower key,Lender,Limit,Value,Allowed,Loan,Transaction");
      expect(csv.slice(1)).to.have.length(shown);
      for (const line of csv.slice(1)) expect(line.split(",")[1]).to.equal(borrowerKey);
      // The upload's own transaction is among them.
      expect(csv.some((line) => line.endsWith(txHash))).to.equal(true);

      // The borrower's inquiry history: Huaxia's check is there, for a new loan, on the consent it filed.
      await rows.first().getByRole("button").first().click();
      await page.getByRole("heading", { name: "Inquiries: who looked, when and why" }).waitFor();
      const inquiries = page
        .locator("table", { has: page.locator("caption", { hasText: "Inquiries about borrower" }) })
        .locator("tbody tr[data-row-key]");
      // The consent is shown shortened, whole in its title, with its holder, purpose and expiry.
      const huaxiasCheck = inquiries.filter({ has: page.locator(`code[title="${story.consentId}"]`) });
      await huaxiasCheck.waitFor({ timeout: 120_000 });
      expect(await huaxiasCheck.locator("td:nth-child(2)").textContent()).to.equal(huaxia);
      expect(await huaxiasCheck.locator("td:nth-child(3)").textContent()).to.equal("New credit");
      expect(await huaxiasCheck.locator("td:nth-child(4)").textContent()).to.include(`held by ${huaxia}`);
      expect(page.url()).to.include(`#/supervision/borrower/${borrowerKey}`);
      await checkA11y(page, "supervision borrower history");
      await screenshot(page, "regulator-borrower-history");

      // The other tables open and pass axe too.
      for (const [tab, name] of [
        ["Credit disputes", "regulator-disputes"],
        ["Overdue receivables", "regulator-overdue"],
        ["Orders in dispute", "regulator-orders"],
      ]) {
        await page.getByRole("tab", { name: tab }).click();
        await page.getByRole("heading", { level: 2, name: new RegExp(tab.split(" ")[0], "i") }).waitFor();
        await page.locator(".ant-table-wrapper").first().waitFor();
        await checkA11y(page, `supervision ${tab}`);
        await screenshot(page, name);
      }
    } finally {
      await page.context().close();
    }
  });
});
