/**
 * Adversarial review 38, the consumer-credit report: each test failed on the code before its fix.
 * - R1: the borrower's report showed a suspended lender's loan 90+ days past due on the outstanding the registry keeps
 *   as last reported (it refuses to age the loan while the lender cannot report). The report now shows the bucket the
 *   registry counts and why it holds the loan, until the registry would age it.
 * Review 39, of that fix: P1, a paused registry holds every live loan too (its `ageLoan` refused with the pause, read
 * as "would age"); P2, a node's failure to answer is not the registry's answer: the report fails rather than guess.
 */
import { expect } from "chai";
import { keccak256, toUtf8Bytes, type ContractRunner, type TransactionRequest } from "ethers";
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

  it("review 39, P1: while the registry is paused it holds every loan as last reported, and the report says so", async function () {
    const w = await networkHelpers.loadFixture(planFixture);
    const key = String(w.loan.borrowerKey);
    const line = async () =>
      (await borrowerReport({ credit: w.credit, consents: w.book, score: w.score, key })).loans.find(
        (l) => l.loanId === w.id,
      )!;
    // Paused before the first instalment: the lender cannot report the borrower's payments.
    await travelToDay(connection, w.first - 1);
    await w.credit.connect(w.regulator).pause();
    await travelToDay(connection, w.first + 100);
    expect((await w.credit.termsOf(w.id)).bucket).to.equal(0n);
    // Before the fix: 100 days past due, 90+, no hold.
    const paused = await line();
    expect([paused.daysPastDue, paused.bucket, paused.held]).to.deep.equal([
      100,
      "current",
      "the registry is paused: held as last reported",
    ]);
    // Resumed, the registry holds it for the lender's catch-up.
    await w.credit.connect(w.regulator).unpause();
    const resumed = await line();
    expect(resumed.bucket).to.equal("current");
    expect(resumed.held).to.match(/^its lender may still report until .*: held as last reported$/);
  });

  it("review 39, P2: a node that fails the registry's ageLoan call fails the report: it does not guess the bucket", async function () {
    const w = await networkHelpers.loadFixture(planFixture);
    const key = String(w.loan.borrowerKey);
    await travelToDay(connection, w.first - 1);
    await w.members.connect(w.governor).suspend(w.ids.a, bytes32("review"));
    await travelToDay(connection, w.first + 100);
    // A node that fails the ageLoan call (a rate limit, a timeout).
    const provider = connection.ethers.provider;
    const selector = w.credit.interface.getFunction("ageLoan").selector;
    const flaky: ContractRunner = {
      provider,
      async call(tx: TransactionRequest) {
        if (String(tx.data).startsWith(selector)) throw new Error("429 Too Many Requests");
        return provider.call(tx);
      },
    };
    // Before the fix: a report, the loan 90+ with no hold.
    const failed = await borrowerReport({
      credit: w.credit.connect(flaky),
      consents: w.book,
      score: w.score,
      key,
    }).then(
      () => "a report",
      (err: unknown) => String(err),
    );
    expect(failed).to.include("429 Too Many Requests");
    const report = await borrowerReport({ credit: w.credit, consents: w.book, score: w.score, key });
    expect(report.loans.find((l) => l.loanId === w.id)!.held).to.match(/is Suspended: held as last reported$/);
  });
});
