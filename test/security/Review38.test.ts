/**
 * Adversarial review 38, the consumer-credit report: each test failed on the code before its fix.
 * - R1: the borrower's report showed a suspended lender's loan 90+ days past due on the outstanding the registry keeps
 *   as last reported (it refuses to age the loan while the lender cannot report). The report now shows the bucket the
 *   registry counts and why it holds the loan, until the registry would age it.
 */
import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";
import { network } from "hardhat";

import { borrowerReport, formatReport } from "../../src/report.js";
import { GRACE_DAYS, travelToDay, weeklyPlanWorld } from "../helpers/credit.js";

const connection = await network.create();
const { networkHelpers } = connection;

const bytes32 = (label: string): string => keccak256(toUtf8Bytes(label));
const planFixture = () => weeklyPlanWorld(connection, "review 38 r1");

describe("adversarial review 38: the consumer-credit report", function () {
  it("R1: a loan the registry holds as last reported shows the bucket counted and why, until it can be aged", async function () {
    const w = await networkHelpers.loadFixture(planFixture);
    const key = String(w.loan.borrowerKey);
    const reportLine = async () => {
      const report = await borrowerReport({ credit: w.credit, consents: w.book, score: w.score, key });
      const line = report.loans.find((l) => l.loanId === w.id)!;
      return { line, text: formatReport(report) };
    };
    // The lender is suspended before the first instalment falls due: it cannot report the borrower's payment.
    await travelToDay(connection, w.first - 1);
    await w.members.connect(w.governor).suspend(w.ids.a, bytes32("review"));
    await travelToDay(connection, w.first + 100);
    await expect(w.credit.connect(w.stranger).ageLoan(w.id)).to.be.revertedWithCustomError(
      w.credit,
      "CreditLenderInactive",
    );
    expect((await w.credit.termsOf(w.id)).bucket).to.equal(0n);

    // Before the fix: bucket "90+", no word of the hold.
    const held = await reportLine();
    expect(held.line.daysPastDue).to.equal(100);
    expect(held.line.bucket).to.equal("current");
    expect(held.line.held).to.equal(`its lender, member #${w.ids.a}, is Suspended: held as last reported`);
    expect(held.text).to.include(
      `counted current (its lender, member #${w.ids.a}, is Suspended: held as last reported)`,
    );
    expect(held.text).to.not.include("100 days past due");

    // Reinstated, the lender may still report for its catch-up: the registry holds the loan until then, and says so.
    await w.members.connect(w.governor).reinstate(w.ids.a, bytes32("review over"));
    const catchingUp = await reportLine();
    expect(catchingUp.line.bucket).to.equal("current");
    expect(catchingUp.line.held).to.match(
      /^its lender may still report until \d{4}-\d\d-\d\dT.*: held as last reported$/,
    );

    // Once the registry would age it, the report shows today's bucket, as ageLoan then books it.
    await travelToDay(connection, w.first + 100 + GRACE_DAYS + 1);
    const aged = await reportLine();
    expect(aged.line.held).to.equal(undefined);
    expect([aged.line.daysPastDue, aged.line.bucket]).to.deep.equal([100 + GRACE_DAYS + 1, "90+"]);
    await w.credit.connect(w.stranger).ageLoan(w.id);
    expect((await w.credit.termsOf(w.id)).bucket).to.equal(4n);
  });
});
