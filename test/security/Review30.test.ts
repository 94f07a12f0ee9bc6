/**
 * Adversarial review 30. Each test failed on the code before its fix:
 *
 * - RA-2: a loan aged against its lender's silence right after a time the lender could not report: this registry's
 *   pause, or the lender's suspension. It now ages only `graceDays` after the lender could report again
 *   (`CreditLenderCatchingUp`).
 * - RA-3: `delinquencyOf` kept a written-off loan days past due for ever, also after its negative record expired.
 * - B1: a member linked the governor's address as its own operator, so that the governor's steps that first ask
 *   "an operator of the member?" (a revoked pledgee's release, a revoked payee's FX terms) reverted with the member's
 *   standing. The governor's key, and its pending successor, are now no member's operator, and governance passes
 *   only to an address that acts for no member.
 * - B2: a Regulator's pause kept the governor's from holding (refused while paused), and the Regulator lifted it at
 *   will. The governor now takes a Regulator's pause over.
 * - D1 (a review of these fixes): RA-2's first fix gave every pause change the full grace days, so a Regulator's
 *   pause and resume in one block, repeated, held off every loan's ageing. A pause now gives as many days as it lasted,
 *   the grace days at most.
 */
import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";
import { network } from "hardhat";

import { reasonCode } from "../../src/encoding.js";
import { borrowerReport } from "../../src/report.js";
import { GRACE_DAYS, chainDay, travelToDay as travelToDayOf, weeklyPlanWorld } from "../helpers/credit.js";
import { ledgerWorld } from "../helpers/ledger.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const { time } = networkHelpers;

const DAY = 86_400;
const Status = { Active: 1n, Overdue: 3n, Defaulted: 4n, WrittenOff: 5n } as const;

const bytes32 = (label: string): string => keccak256(toUtf8Bytes(label));

const today = () => chainDay(connection);
const travelToDay = (day: number) => travelToDayOf(connection, day);
const deployFixture = () => weeklyPlanWorld(connection, "review 30");

async function ledgerWorldFixture() {
  return ledgerWorld(connection, "R30");
}

describe("adversarial review 30", function () {
  it("RA-2: after a pause of the registry, a loan ages only graceDays after it resumed, so the lender's backlog lands first", async function () {
    const w = await networkHelpers.loadFixture(deployFixture);
    const key = w.loan.borrowerKey;
    // A Regulator pauses the day before the first instalment falls due, for a week (longer than the grace days):
    // the borrower pays on its due day, and the lender cannot report it.
    await travelToDay(w.first - 1);
    await w.credit.connect(w.regulator).pause();
    await travelToDay(w.first);
    await expect(w.credit.connect(w.lenderA).fileLoanRepayment(w.loan.loanRef, 250_000n)).to.be.revertedWithCustomError(
      w.credit,
      "EnforcedPause",
    );
    await travelToDay(w.first + 7);
    await w.credit.connect(w.regulator).unpause();
    const resumed = await today();
    const resumedAt = await time.latest();
    // Right after the resumption a stranger cannot age the loan on the stale outstanding: nothing changes.
    await expect(w.credit.connect(w.stranger).ageLoan(w.id))
      .to.be.revertedWithCustomError(w.credit, "CreditLenderCatchingUp")
      .withArgs(w.id, resumedAt, resumedAt + GRACE_DAYS * DAY);
    expect((await w.credit.getLoan(w.id)).status).to.equal(Status.Active);
    expect((await w.credit.profileOf(key)).delinquent).to.deep.equal([0n, 0n, 0n, 0n]);
    // The lender's backlog lands first. Past the grace days only what was truly missed ages: the second instalment,
    // due a week after the first, is unpaid.
    await w.credit.connect(w.lenderA).fileLoanRepayment(w.loan.loanRef, 250_000n);
    await travelToDay(resumed + GRACE_DAYS + 1);
    expect((await w.credit.delinquencyOf(w.id)).oldestUnpaid).to.equal(1n);
    await expect(w.credit.connect(w.stranger).ageLoan(w.id))
      .to.emit(w.credit, "LoanStatusChanged")
      .withArgs(w.id, key, Status.Active, Status.Overdue);
  });

  it("RA-2: a lender reinstated after a suspension gets graceDays to report before its loans age", async function () {
    const w = await networkHelpers.loadFixture(deployFixture);
    await travelToDay(w.first - 1);
    await w.members.suspend(w.ids.a, bytes32("review"));
    await travelToDay(w.first + 10);
    // Suspended: the loan does not age (review 10, R10-2).
    await expect(w.credit.connect(w.stranger).ageLoan(w.id)).to.be.revertedWithCustomError(
      w.credit,
      "CreditLenderInactive",
    );
    await w.members.reinstate(w.ids.a, bytes32("cleared"));
    const reinstated = await today();
    expect((await w.members.statusSinceOf(w.ids.a)).sinceDay).to.equal(BigInt(reinstated));
    // Reinstated: not at once, only graceDays later.
    await expect(w.credit.connect(w.stranger).ageLoan(w.id))
      .to.be.revertedWithCustomError(w.credit, "CreditLenderCatchingUp")
      .withArgs(w.id, reinstated * DAY, (reinstated + GRACE_DAYS + 1) * DAY);
    // Whole days after the reinstatement's day (the registry knows the day, not the time: review 35, F1).
    await travelToDay(reinstated + GRACE_DAYS);
    await expect(w.credit.connect(w.stranger).ageLoan(w.id)).to.be.revertedWithCustomError(
      w.credit,
      "CreditLenderCatchingUp",
    );
    await travelToDay(reinstated + GRACE_DAYS + 1);
    await expect(w.credit.connect(w.stranger).ageLoan(w.id))
      .to.emit(w.credit, "LoanStatusChanged")
      .withArgs(w.id, w.loan.borrowerKey, Status.Active, Status.Overdue);
  });

  it("RA-3: a written-off loan is not days past due, in delinquencyOf and in the borrower's report", async function () {
    const w = await networkHelpers.loadFixture(deployFixture);
    await travelToDay(w.first + 60);
    for (const s of [Status.Overdue, Status.Defaulted, Status.WrittenOff]) {
      await w.credit.connect(w.lenderA).fileLoanStatus(w.loan.loanRef, s);
    }
    const writtenOff = await today();
    // Its outstanding stays what the lender wrote off; its clock stops.
    expect((await w.credit.delinquencyOf(w.id)).daysPastDue).to.equal(0n);
    // Five years and a day later the retention ends and anyone clears it; still no days past due.
    await travelToDay(writtenOff + 5 * 366 + 1);
    await expect(w.credit.connect(w.stranger).ageLoan(w.id)).to.emit(w.credit, "NegativeRecordExpired");
    const d = await w.credit.delinquencyOf(w.id);
    expect([d.daysPastDue, d.paid]).to.deep.equal([0n, 0n]);
    const report = await borrowerReport({
      credit: w.credit,
      consents: w.book,
      score: w.score,
      key: String(w.loan.borrowerKey),
    });
    const line = report.loans.find((l) => l.loanId === w.id)!;
    expect([line.daysPastDue, line.bucket]).to.deep.equal([0, "current"]);
  });

  it("B1: the governor's key, or its pending successor, is no member's operator, and governance passes to no operator", async function () {
    const { world, scf, members, a, ids, issue } = await networkHelpers.loadFixture(ledgerWorldFixture);
    const governor = world.governor;
    await expect(members.connect(a.pacific).addOperator(ids.pacific, governor.address))
      .to.be.revertedWithCustomError(members, "OperatorIsGovernor")
      .withArgs(governor.address);
    // The successor the governor named cannot be linked either, before it accepts.
    const successor = world.outsiders[0];
    await members.connect(governor).transferOwnership(successor.address);
    await expect(members.connect(a.pacific).addOperator(ids.pacific, successor.address))
      .to.be.revertedWithCustomError(members, "OperatorIsGovernor")
      .withArgs(successor.address);
    // Nor is a member's operator ever named the successor.
    await expect(members.connect(governor).transferOwnership(a.pacific.address))
      .to.be.revertedWithCustomError(members, "GovernorIsOperator")
      .withArgs(a.pacific.address, ids.pacific);
    expect(await members.pendingOwner()).to.equal(successor.address);
    // So the governor's step for a revoked pledgee goes through (review 13, R13-3).
    const id = await issue();
    await scf.connect(a.glassworks).encumber(id, ids.pacific);
    await members.connect(governor).revoke(ids.pacific, reasonCode("LICENCE-WITHDRAWN"));
    await scf.connect(governor).release(id);
    expect((await scf.getPiece(id)).encumbered).to.equal(false);
  });

  it("B2: the governor takes over a Regulator's pause; only the governor lifts it, and the pause's clock runs on", async function () {
    // The ledger's pause (EmergencyPause, as the trade settlement's) and the credit registry's own.
    const ledger = async () => {
      const { world, scf, a } = await networkHelpers.loadFixture(ledgerWorldFixture);
      return [scf, world.governor, a.regulator] as const;
    };
    const registry = async () => {
      const w = await networkHelpers.loadFixture(deployFixture);
      return [w.credit, w.governor, w.regulator] as const;
    };
    for (const deploy of [ledger, registry]) {
      const [module, governor, regulator] = await deploy();
      await module.connect(regulator).pause();
      const before = await time.latest();
      await time.increase(3_600);
      await expect(module.connect(governor).pause()).to.emit(module, "Paused").withArgs(governor.address);
      // Paused once: a second pause by the governor, or the Regulator's, is refused.
      await expect(module.connect(governor).pause()).to.be.revertedWithCustomError(module, "EnforcedPause");
      await expect(module.connect(regulator).pause()).to.be.revertedWithCustomError(module, "EnforcedPause");
      await expect(module.connect(regulator).unpause())
        .to.be.revertedWithCustomError(module, "PauseLiftUnauthorized")
        .withArgs(regulator.address);
      expect(await module.paused()).to.equal(true);
      await module.connect(governor).unpause();
      expect(await module.paused()).to.equal(false);
      if ("pausedSeconds" in module) {
        expect(await module.pausedSeconds()).to.equal(BigInt((await time.latest()) - before));
      }
    }
  });

  it("D1: a pause lifted at once gives no catch-up day; a shorter pause than the grace, as many days as it lasted", async function () {
    const w = await networkHelpers.loadFixture(deployFixture);
    // The first instalment is missed; well past the grace days, a Regulator pauses and resumes in one block.
    await travelToDay(w.first + 20);
    await ethers.provider.send("evm_setAutomine", [false]);
    const pause = await w.credit.connect(w.regulator).pause();
    const resume = await w.credit.connect(w.regulator).unpause();
    await networkHelpers.mine();
    await ethers.provider.send("evm_setAutomine", [true]);
    expect([(await pause.wait())!.status, (await resume.wait())!.status]).to.deep.equal([1, 1]);
    await expect(w.credit.connect(w.stranger).ageLoan(w.id))
      .to.emit(w.credit, "LoanStatusChanged")
      .withArgs(w.id, w.loan.borrowerKey, Status.Active, Status.Overdue);
    // A two-day pause gives the lender the two days (to the second) to report, not the five grace days.
    await w.credit.connect(w.regulator).pause();
    const pausedAt = await time.latest();
    await time.increase(2 * DAY);
    await w.credit.connect(w.regulator).unpause();
    const resumedAt = await time.latest();
    const agesFrom = resumedAt + (resumedAt - pausedAt);
    expect(resumedAt - pausedAt).to.be.within(2 * DAY, 2 * DAY + 10);
    await expect(w.credit.connect(w.stranger).ageLoan(w.id))
      .to.be.revertedWithCustomError(w.credit, "CreditLenderCatchingUp")
      .withArgs(w.id, resumedAt, agesFrom);
    // Then it ages again: here nothing has changed since (still 1-30 days past due, already Overdue).
    await time.setNextBlockTimestamp(agesFrom);
    await expect(w.credit.connect(w.stranger).ageLoan(w.id))
      .to.be.revertedWithCustomError(w.credit, "CreditNothingToAge")
      .withArgs(w.id, BigInt(Math.floor(agesFrom / DAY) - w.first), 1n);
  });
});
