/**
 * The regulator's desk in Chromium, against `make up SEED=demo`: two lenders (Huaxia and Golfo, each through its
 * own service) look a borrower up six times between them and each register a loan, so the registry flags the
 * borrower's inquiries; the regulator then sees the flag in the chart and the table (found by the borrower's key),
 * opens the borrower's inquiry history (who looked, when, why), and exports the flags as CSV.
 */
import { randomUUID } from "node:crypto";

import { expect } from "chai";
import { JsonRpcProvider } from "ethers";

import { checkA11y, openPage, screenshot, sharedStack, type Desk } from "./harness.js";

/** A write through a desk's service with its role's token; the answer's result, or the problem in the failure. */
async function write(desk: Desk, role: string, route: string, body: unknown): Promise<Record<string, unknown>> {
  const token = desk.tokens[role];
  expect(token, `${desk.member} has a ${role} token`).to.be.a("string");
  const res = await fetch(`${desk.url}${route}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "idempotency-key": randomUUID() },
    body: JSON.stringify(body),
  });
  const answer = (await res.json()) as { result: Record<string, unknown> };
  expect(res.status, `${desk.member} ${route}: ${JSON.stringify(answer)}`).to.be.oneOf([200, 201]);
  return answer.result;
}

describe("console: the regulator's supervision, in Chromium against make up SEED=demo", function () {
  this.timeout(900_000);

  it("test_supervision_flagRaisedByTwoLenders_seenInChartTableAndHistory_exportedAsCsv", async function () {
    const { desks, world, rpcUrl } = await sharedStack();
    const [huaxia, golfo] = [desks.huaxia, desks.golfo];
    const chainNow = (await new JsonRpcProvider(rpcUrl).getBlock("latest"))!.timestamp;
    const day = (offset: number) => new Date((chainNow + offset * 86_400) * 1000).toISOString().slice(0, 10);
    // A borrower of this run only; the id goes to the lenders' services and is keyed there, never to the regulator.
    const borrower = { borrowerType: "CN-RIC", borrowerId: `1101011990${String(Date.now()).slice(-7)}X` };

    // Six logged inquiries in the window (the demo's policy allows five), then a loan from each lender: flagged.
    let borrowerKey = "";
    for (const [i, desk] of [huaxia, golfo, huaxia, golfo, huaxia, golfo].entries()) {
      const r = await write(desk, "lender-desk", "/v1/credit/inquiries", {
        ...borrower,
        purpose: "NEW_LOAN",
        consent: `consent form ${desk.member} ${i}`,
      });
      borrowerKey = r.borrowerKey as string;
    }
    expect(borrowerKey).to.match(/^0x[0-9a-f]{64}$/);
    for (const [desk, ref] of [
      [huaxia, `HX-REG-${chainNow}`],
      [golfo, `BG-REG-${chainNow}`],
    ] as const) {
      await write(desk, "lender-desk", "/v1/credit/loans", {
        ...borrower,
        ref,
        principal: "50000.00",
        originated: day(-1),
        matures: day(364),
      });
    }

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
      const lenders = (await rows.locator("td:nth-child(3)").allTextContents()).sort();
      expect(lenders).to.include.members([`member #${world.members.huaxia.id}`, `member #${world.members.golfo.id}`]);
      expect(await rows.locator("td:nth-child(4)").allTextContents()).to.include("Inquiries");
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

      // The borrower's inquiry history: six inquiries, by Huaxia and Golfo, for NEW_LOAN, each with its consent.
      await rows.first().getByRole("button").first().click();
      await page.getByRole("heading", { name: "Inquiries: who looked, when and why" }).waitFor();
      const inquiries = page
        .locator("table", { has: page.locator("caption", { hasText: "Inquiries about borrower" }) })
        .locator("tbody tr[data-row-key]");
      await inquiries.first().waitFor();
      expect(await inquiries.count()).to.equal(6);
      expect(new Set(await inquiries.locator("td:nth-child(2)").allTextContents())).to.deep.equal(
        new Set([`member #${world.members.huaxia.id}`, `member #${world.members.golfo.id}`]),
      );
      expect(new Set(await inquiries.locator("td:nth-child(3)").allTextContents())).to.deep.equal(
        new Set(["NEW_LOAN"]),
      );
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
        await page.getByRole("heading", { level: 2, name: new RegExp(tab.split(" ")[0]) }).waitFor();
        await page.locator(".ant-table-wrapper").first().waitFor();
        await checkA11y(page, `supervision ${tab}`);
        await screenshot(page, name);
      }
    } finally {
      await page.context().close();
    }
  });
});
