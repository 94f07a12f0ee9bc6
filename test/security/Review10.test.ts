import { expect } from "chai";
import { network } from "hardhat";

import { reasonCode } from "../../src/encoding.js";
import { addMonths } from "../../src/schedule.js";
import { deployWorld } from "../../scripts/lib/world.js";
import { FACE, ledgerWorld } from "../helpers/ledger.js";
import { allPendingReports } from "../helpers/reports.js";

/**
 * Regressions of the tenth adversarial review. Each case passed as a PoC of the problem before its fix: a frozen piece
 * kept a repaid debtor's default and its seller's recourse record live (R10-1); a suspended lender's borrowers were
 * aged into delinquency on an outstanding the lender could not update (R10-2); a module's report queue was delivered
 * whole or not at all, so a long one could never be (R10-3).
 */
const connection = await network.create();
const { ethers, networkHelpers } = connection;
const DAY = 86_400n;
const Status = { Active: 1n, Repaid: 2n, Overdue: 3n, Defaulted: 4n } as const;
const loanRef = (id: bigint): string => ethers.toBeHex(id, 32);
const defaultRef = (root: bigint, financier: bigint): string =>
  ethers.toBeHex(root | (financier << 64n) | (1n << 255n), 32);

async function ledgerFixture() {
  return ledgerWorld(connection, "R10");
}

describe("review 10, R10-1: a frozen piece no longer keeps a repaid debtor's default and its seller's recourse live", function () {
  it("once the family is repaid anyone closes the records its collection would close; collecting later closes none twice", async function () {
    const { scf, credit, members, a, ids, maturity, issue, quote, module } =
      await networkHelpers.loadFixture(ledgerFixture);
    const root = await issue();
    const { q, sig } = await quote(root, { recourse: true });
    await scf.connect(a.glassworks).finance(q, sig);
    await networkHelpers.time.increaseTo(maturity + 8n * DAY);
    await scf.connect(a.pacific).declareDefault(root);
    await scf.connect(a.pacific).defaultRecourse(root);
    const defaultId = await credit.loanId(module, defaultRef(root, ids.pacific));
    const recourseId = await credit.loanId(module, loanRef(root));
    const stranger = (await ethers.getSigners())[19];
    // A Regulator holds the financier's piece; before the debtor pays there is nothing to settle.
    await scf.connect(a.regulator).freeze(root, true, reasonCode("AML-HOLD"));
    await expect(scf.connect(stranger).settleCreditRecords(root)).to.be.revertedWithCustomError(
      scf,
      "ScfUnexpectedFamilyState",
    );
    await scf.connect(a.pearl).repay(root);
    await expect(scf.collect(root)).to.be.revertedWithCustomError(scf, "ScfFrozen").withArgs(root);
    // The money stays held; the records the repayment ended are closed by anyone.
    await expect(scf.connect(stranger).settleCreditRecords(root))
      .to.emit(scf, "CreditRecordsSettled")
      .withArgs(root, true, true)
      .and.not.to.emit(scf, "CreditReportDeferred");
    expect((await credit.getLoan(defaultId)).status).to.equal(Status.Repaid);
    expect((await credit.getLoan(recourseId)).status).to.equal(Status.Repaid);
    const debtor = await credit.exposureOf(await members.entityKeyOf(ids.pearl));
    expect(debtor.outstanding).to.equal(0n);
    await expect(scf.connect(stranger).settleCreditRecords(root))
      .to.be.revertedWithCustomError(scf, "ScfNoCreditRecords")
      .withArgs(root);
    // Unfrozen, the piece is collected and sends no second close.
    await scf.connect(a.regulator).freeze(root, false, reasonCode("AML-CLEARED"));
    await expect(scf.collect(root)).to.emit(scf, "ReceivableCollected").and.not.to.emit(credit, "LoanStatusChanged");
    expect(await allPendingReports(scf, loanRef(root))).to.deep.equal([]);
    expect(await allPendingReports(scf, defaultRef(root, ids.pacific))).to.deep.equal([]);
  });
});

describe("review 10, R10-2: a loan is not aged against a lender that cannot report its repayments", function () {
  it("a suspended lender's plan loan stays as last reported; reinstated, it reports and the loan ages as before", async function () {
    const world = await deployWorld(connection);
    const { credit, members } = world.contracts;
    const a = world.admins;
    const day = Math.floor((await networkHelpers.time.latest()) / 86_400);
    const first = addMonths(day, 1);
    const borrowerKey = ethers.id("R10 borrower");
    const ref = ethers.id("R10 loan");
    await credit.connect(a.huaxia).registerLoan({
      loanRef: ref,
      borrowerKey,
      kind: 0,
      principal: 1_200_000n,
      outstanding: 1_260_000n,
      originationDay: day,
      maturityDay: addMonths(first, 11),
      commitment: ethers.id("R10 commitment"),
      aprBps: 1_069,
      plan: { instalments: 12, frequency: 1, firstDueDay: first, instalment: 105_000n, finalInstalment: 105_000n },
    });
    const id = await credit.loanId(world.ids.huaxia, ref);
    await members.connect(world.governor).suspend(world.ids.huaxia, reasonCode("LICENCE-REVIEW"));
    // The borrower pays on the due day; the suspended lender cannot report it; 40 days on, nobody ages the loan.
    await networkHelpers.time.increaseTo(first * 86_400 + 3_600);
    await expect(credit.connect(a.huaxia).fileLoanRepayment(ref, 105_000n)).to.be.revert(ethers);
    await networkHelpers.time.increase(40 * 86_400);
    await expect(credit.connect(world.outsiders[0]).ageLoan(id))
      .to.be.revertedWithCustomError(credit, "CreditLenderInactive")
      .withArgs(id, world.ids.huaxia, 2n); // Suspended
    expect((await credit.getLoan(id)).status).to.equal(Status.Active);
    expect((await credit.profileOf(borrowerKey)).delinquent).to.deep.equal([0n, 0n, 0n, 0n]);
    // Reinstated, the lender reports what it was paid: the loan is current, and a missed instalment ages again.
    await members.connect(world.governor).reinstate(world.ids.huaxia, reasonCode("LICENCE-OK"));
    await credit.connect(a.huaxia).fileLoanRepayment(ref, 105_000n);
    await networkHelpers.time.increaseTo(addMonths(first, 1) * 86_400 + 40 * 86_400);
    await credit.connect(world.outsiders[0]).ageLoan(id);
    expect((await credit.getLoan(id)).status).to.equal(Status.Overdue);
    expect((await credit.profileOf(borrowerKey)).delinquent[1]).to.equal(1n); // 31-60 days past due
  });
});

describe("review 10, R10-3: a module's queue longer than one transaction carries is delivered in parts", function () {
  it("six defaults queued under one reference are delivered five then one, in order", async function () {
    const { scf, credit, a, ids, maturity, issue, quote, module } = await networkHelpers.loadFixture(ledgerFixture);
    const root = await issue();
    const faces = Array.from({ length: 6 }, (_, i) => (i < 5 ? FACE / 6n : FACE - (FACE / 6n) * 5n));
    await scf.connect(a.glassworks).split(root, faces);
    for (let i = 0n; i < 6n; ++i) {
      const { q, sig } = await quote(root + i);
      await scf.connect(a.glassworks).finance(q, sig);
    }
    await networkHelpers.time.increaseTo(maturity + 8n * DAY);
    await credit.connect(a.regulator).pause();
    for (let i = 0n; i < 6n; ++i) await scf.connect(a.pacific).declareDefault(root + i);
    await credit.connect(a.regulator).unpause();
    const ref = defaultRef(root, ids.pacific);
    expect(await allPendingReports(scf, ref)).to.have.length(6);
    await expect(scf.retryCreditReports(ref, 0)).to.be.revertedWithCustomError(scf, "CreditReportZeroLimit");
    expect(await scf.retryCreditReports.staticCall(ref, 5)).to.equal(5n);
    await scf.retryCreditReports(ref, 5);
    expect(await allPendingReports(scf, ref)).to.have.length(1);
    const record = await credit.getLoan(await credit.loanId(module, ref));
    expect([record.status, record.outstanding]).to.deep.equal([Status.Defaulted, (FACE / 6n) * 5n]);
    await expect(scf.retryCreditReports(ref, 5)).to.emit(scf, "CreditReportDelivered").withArgs(ref, 5);
    expect((await credit.getLoan(await credit.loanId(module, ref))).outstanding).to.equal(FACE);
    expect(await allPendingReports(scf, ref)).to.deep.equal([]);
  });
});
