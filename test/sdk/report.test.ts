/**
 * The borrower report read from a small chain scenario: a weekly plan loan already past due, a consent and the inquiry
 * that relied on it, a dispute closed and one open; and the shared score with its reasons.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { consentCommitment } from "../../src/commitments.js";
import {
  ageLoan,
  dayOf,
  delinquency,
  inquire,
  isoDate,
  loanIdOf,
  loanInput,
  loanRef,
  recordConsent,
  registerLoan,
  revokeConsent,
  scoreOf,
} from "../../src/credit.js";
import { reasonCode } from "../../src/encoding.js";
import { borrowerKey } from "../../src/keys.js";
import { borrowerReport, formatReport, type BorrowerReport } from "../../src/report.js";
import { Frequency } from "../../src/schedule.js";
import { ephemeralKey, sampleRecord } from "../../scripts/lib/loans.js";
import { actAs, deployWorld } from "../../scripts/lib/world.js";
import { failure } from "../helpers/failure.js";

const connection = await network.create();
const { networkHelpers } = connection;
const key = ephemeralKey();
const SALT = `0x${"5a".repeat(32)}`;
const ID = "990101199003070011";

async function scenario() {
  const world = await deployWorld(connection);
  // Start of a UTC day plus an hour, so that every day below is a fixed distance from "today".
  const now = await networkHelpers.time.latest();
  await networkHelpers.time.increaseTo((dayOf(now) + 1) * 86_400 + 3_600);
  const today = dayOf(await networkHelpers.time.latest());
  const huaxia = actAs(world, "huaxia", key).contracts;
  const golfo = actAs(world, "golfo", key).contracts;
  const regulator = actAs(world, "regulator", key).contracts;
  const borrower = borrowerKey(key, "CN-RIC", ID);

  // Ten weekly instalments of 100.00 from 40 days ago, for 900.00 advanced 70 days ago; the first one paid.
  const plan = {
    instalments: 10,
    frequency: Frequency.Weekly,
    firstDueDay: today - 40,
    instalment: 10_000n,
    finalInstalment: 10_000n,
  };
  const record = sampleRecord({
    loanRef: "HX-PLAN-1",
    idNumber: ID,
    principal: 90_000n,
    outstanding: 90_000n,
    originated: isoDate(today - 70),
    matures: isoDate(today - 40 + 63),
    plan,
  });
  const input = loanInput(key, record, SALT);
  const registered = await registerLoan(huaxia.credit, input);

  // golfo records the borrower's consent, then inquires under it.
  const documentHash = consentCommitment("signed consent form GB-77", SALT);
  const expiresAt = (today + 365) * 86_400;
  const consent = await recordConsent(golfo.consents, {
    borrowerKey: borrower,
    documentHash,
    purpose: "NewCredit",
    expiresAt,
  });
  await inquire(golfo.credit, borrower, "NewCredit", consent.id);

  // A dispute the regulator closes after the lender answered, and a second one still open.
  await regulator.credit.openDispute(world.ids.huaxia, loanRef("HX-PLAN-1"), reasonCode("CLAIM-1"));
  await huaxia.credit.answerDispute(loanRef("HX-PLAN-1"), reasonCode("ANSWER"));
  await regulator.credit.resolveDispute(world.ids.huaxia, loanRef("HX-PLAN-1"), reasonCode("UPHELD"));
  await regulator.credit.openDispute(world.ids.huaxia, loanRef("HX-PLAN-1"), reasonCode("CLAIM-2"));
  return { world, today, borrower, registered, aprBps: Number(input.aprBps), consent, golfo, huaxia };
}

describe("SDK borrower report", function () {
  it("test_borrowerReport_readsLoansInquiriesConsentsDisputesAndScore", async function () {
    const { world, today, borrower, registered, aprBps, consent, golfo } = await networkHelpers.loadFixture(scenario);
    const loanId = loanIdOf(world.ids.huaxia, "HX-PLAN-1");
    expect(registered.ids).to.deep.equal([loanId]);
    // The plan's APR is far above the 36 % cap: flag mode lets it through and says so.
    expect(aprBps).to.be.greaterThan(3_600);
    expect(registered.flags.map((f) => [f.limit, f.value, f.max])).to.deep.equal([["Apr", BigInt(aprBps), 3_600n]]);

    const r = await borrowerReport({
      credit: golfo.credit,
      consents: golfo.consents,
      score: golfo.score,
      key: borrower,
    });
    expect(r.borrowerKey).to.equal(borrower);
    expect(r.currency).to.deep.equal({ code: "CNY", decimals: 2 });
    expect(r.loans).to.have.length(1);
    const loan = r.loans[0];
    expect(loan).to.deep.include({
      loanId,
      lender: Number(world.ids.huaxia),
      kind: "ConsumerLoan",
      status: "Active",
      principal: "90000",
      outstanding: "90000",
      originated: isoDate(today - 70),
      matures: isoDate(today + 23),
      aprBps,
      // Due 40, 33, 26, 19, 12 and 5 days ago: six fallen due, the first paid; the second is 33 days past due.
      instalments: { due: 6, paid: 1 },
      daysPastDue: 33,
      bucket: "31-60",
    });
    expect(loan.plan).to.deep.equal({
      instalments: 10,
      frequency: "Weekly",
      firstDue: isoDate(today - 40),
      instalment: "10000",
      finalInstalment: "10000",
    });

    expect(r.inquiries).to.deep.equal([
      {
        lender: Number(world.ids.golfo),
        at: r.inquiries[0].at,
        purpose: "NewCredit",
        consentId: consent.id,
        consent: {
          holder: Number(world.ids.golfo),
          purpose: "NewCredit",
          expiresAt: new Date((today + 365) * 86_400_000).toISOString(),
          revokedAt: null,
        },
      },
    ]);
    expect(r.consents.map((c) => [c.consentId, c.holder, c.covered])).to.deep.equal([
      [consent.id, Number(world.ids.golfo), []],
    ]);
    expect(r.disputes.closed.map((d) => [d.reason, d.outcome, d.response !== undefined])).to.deep.equal([
      ["CLAIM-1", "UPHELD", true],
    ]);
    expect(r.disputes.open.map((d) => [d.reason, d.openedBy])).to.deep.equal([
      ["CLAIM-2", Number(world.ids.regulator)],
    ]);

    // Score: 300 + defaults 150 + delinquency (bucket 2) 60 + one lender 60 + no limit 80 + one inquiry 40 +
    // 70 days of history 10 = 700. Points lost: delinquency 90, history 50, inquiries 10.
    expect(r.score).to.deep.equal({
      score: 700,
      reasons: [
        { code: 2, attribute: "Delinquency", text: "Payments past due on instalment loans" },
        { code: 6, attribute: "History", text: "Length of credit history too short" },
        { code: 5, attribute: "Inquiries", text: "Too many recent credit inquiries" },
      ],
    });
    expect(await scoreOf(golfo.score, borrower)).to.deep.equal(r.score);
  });

  it("test_formatReport_printsEachSection", async function () {
    const { borrower, consent, golfo, world } = await networkHelpers.loadFixture(scenario);
    const r = await borrowerReport({
      credit: golfo.credit,
      consents: golfo.consents,
      score: golfo.score,
      key: borrower,
    });
    const text = formatReport(r);
    const lines = text.split("\n");
    expect(lines[0]).to.equal(`Credit report for borrower ${borrower}`);
    expect(text).to.contain(
      "Score 700 (300 to 850)\n  1. Payments past due on instalment loans (code 2, Delinquency)\n",
    );
    expect(lines).to.include("Loans (1)");
    expect(text).to.match(
      new RegExp(
        `member #${world.ids.huaxia} {2}ConsumerLoan {2}Active {2}principal 900\\.00 CNY, outstanding 900\\.00 CNY, APR \\d+\\.\\d\\d%`,
      ),
    );
    expect(text).to.match(
      /plan: 10 weekly instalments of 100\.00 CNY \(last 100\.00 CNY\) from \d{4}-\d\d-\d\d; 6 fallen due, 1 paid/,
    );
    expect(lines).to.include("    33 days past due (bucket 31-60)");
    expect(text).to.match(
      new RegExp(
        `member #${world.ids.golfo} {2}for NewCredit {2}under consent ${consent.id.slice(0, 10)}…${consent.id.slice(-4)} held by member #${world.ids.golfo}, expires `,
      ),
    );
    expect(lines).to.include("Disputes (1 open, 1 closed)");
    expect(text).to.match(/ {2}OPEN 0x[0-9a-f]{8}…[0-9a-f]{4} {2}by member #\d+ on \S+: CLAIM-2\n/);
    expect(text).to.match(/ {2}closed .*: CLAIM-1; resolved by member #\d+ on \S+: UPHELD\n/);

    // An inquiry of the registry's first version names a consent commitment, not a consent: printed as such.
    const legacy: BorrowerReport = {
      ...r,
      inquiries: [
        {
          lender: 6,
          at: "2026-01-01T00:00:00.000Z",
          purpose: "NEW_LOAN",
          consentId: null,
          consent: null,
          consentHash: `0x${"cd".repeat(32)}`,
        },
      ],
    };
    expect(formatReport(legacy)).to.contain(
      "  2026-01-01T00:00:00.000Z  member #6  for NEW_LOAN  under consent commitment 0xcdcdcdcd…cdcd (before the consent book)\n",
    );
  });

  it("test_consents_revokedConsentShowsInTheReportAndRefusesInquiries", async function () {
    const { borrower, consent, golfo } = await networkHelpers.loadFixture(scenario);
    await revokeConsent(golfo.consents, consent.id, "BORROWER-WITHDREW");
    expect(await failure(inquire(golfo.credit, borrower, "NewCredit", consent.id))).to.match(
      new RegExp(`^reverted: ConsentRevokedAt\\(id=${consent.id}, revokedAt=\\d+\\)$`),
    );
    const r = await borrowerReport({
      credit: golfo.credit,
      consents: golfo.consents,
      score: golfo.score,
      key: borrower,
    });
    expect(r.inquiries[0].consent?.revokedAt).to.match(/^\d{4}-\d\d-\d\dT/);
    expect(r.consents[0].revokedAt).to.equal(r.inquiries[0].consent?.revokedAt);
  });

  it("test_ageLoan_movesAPlanLoanPastTheGraceToOverdue", async function () {
    const { world, golfo } = await networkHelpers.loadFixture(scenario);
    const loanId = loanIdOf(world.ids.huaxia, "HX-PLAN-1");
    // 33 days past due, more than the 15 days of grace: anyone may move it to Overdue.
    const receipt = await ageLoan(golfo.credit, loanId);
    const changed = receipt.logs
      .map((l) => golfo.credit.interface.parseLog(l))
      .find((p) => p?.name === "LoanStatusChanged");
    expect(changed?.args.to).to.equal(3n);
    expect(await failure(ageLoan(golfo.credit, loanId))).to.equal(
      `reverted: CreditNothingToAge(id=${loanId}, daysPastDue=33, bucket=2)`,
    );
    const d = await delinquency(golfo.credit, loanId);
    expect([d.daysPastDue, d.bucket, d.bucketLabel, d.bookedBucket, d.oldestUnpaid]).to.deep.equal([
      33,
      2,
      "31-60",
      2,
      1,
    ]);
    expect([d.paid, d.totalDue, d.dueOnOldest]).to.deep.equal([10_000n, 100_000n, 10_000n]);
  });
});
