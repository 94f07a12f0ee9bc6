/**
 * Adversarial review 41, the receivable ledger: each test failed on the code before its fix.
 * - S1 (low): a pledgee (or the governor, for a revoked one) "released" the pledge of a piece already collected, and
 *   wiped from the piece's record whom its proceeds went to. `release` now takes only a Held piece.
 * - S2 (low): `amountDue(root)` answered a debt for a family that owes nothing: a repaid one (with a penalty still
 *   growing by the day) and a rejected request. It now answers nothing outside the states `repay` takes.
 *
 * And review 38's J1 (low, credit), left open then: a joint loan's co-funder could not look its borrower up softly
 * to collect. `collectionInquiry` follows the co-funder's claim on the reference to the joint loan it funds.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { productKind } from "../../src/credit.js";
import { reasonCode } from "../../src/encoding.js";
import { chainDay, plainLoan, standaloneCredit } from "../helpers/credit.js";
import { ledgerWorld } from "../helpers/ledger.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

const PieceState = { Held: 1n, Financed: 2n, Collected: 3n } as const;
const HELD_ONLY = `0x${(1n << PieceState.Held).toString(16).padStart(64, "0")}`;
const ledgerFixture = () => ledgerWorld(connection, "review 41 scf");

describe("adversarial review 41: the receivable ledger", function () {
  it("S1: a collected piece keeps its pledge: the pledgee's release is refused, naming the piece's state", async function () {
    const { scf, a, ids, cny, maturity, issue } = await networkHelpers.loadFixture(ledgerFixture);
    const root = await issue();
    await scf.connect(a.glassworks).encumber(root, ids.pacific);
    await networkHelpers.time.increaseTo(maturity);
    await scf.connect(a.pearl).repay(root);
    const before = await cny.balanceOf(a.pacific.address);
    await scf.collect(root);
    expect((await cny.balanceOf(a.pacific.address)) - before).to.be.greaterThan(0n);

    await expect(scf.connect(a.pacific).release(root))
      .to.be.revertedWithCustomError(scf, "ScfUnexpectedPieceState")
      .withArgs(root, PieceState.Collected, HELD_ONLY);
    const after = await scf.getPiece(root);
    expect([after.state, after.encumbered, after.pledgee]).to.deep.equal([PieceState.Collected, true, ids.pacific]);
  });

  it("S1: a held piece's pledge is still released by its pledgee", async function () {
    const { scf, a, ids, issue } = await networkHelpers.loadFixture(ledgerFixture);
    const root = await issue();
    await scf.connect(a.glassworks).encumber(root, ids.pacific);
    await expect(scf.connect(a.pacific).release(root))
      .to.emit(scf, "ReceivableEncumbered")
      .withArgs(root, ids.pacific, false);
    const piece = await scf.getPiece(root);
    expect([piece.state, piece.encumbered, piece.pledgee]).to.deep.equal([PieceState.Held, false, 0n]);
  });

  it("S2: amountDue answers what a confirmed family owes, and nothing once repaid or for a rejected request", async function () {
    const { scf, a, ids, token, maturity, issue } = await networkHelpers.loadFixture(ledgerFixture);
    const root = await issue();
    await networkHelpers.time.increaseTo(maturity + 10n * 86_400n);
    const [owed, owedPenalty] = await scf.amountDue(root);
    expect(owedPenalty).to.be.greaterThan(0n);
    await scf.connect(a.pearl).repay(root);
    const family = await scf.getFamily(root);
    expect(family.state).to.equal(4n); // Repaid
    expect(family.paid).to.equal(owed); // what was owed at repayment
    expect(await scf.amountDue(root)).to.deep.equal([0n, 0n]);
    await networkHelpers.time.increase(30n * 86_400n);
    expect(await scf.amountDue(root)).to.deep.equal([0n, 0n]);

    const now = BigInt(await networkHelpers.time.latest());
    const key = connection.ethers.id("review 41 S2 invoice");
    const requested = await scf
      .connect(a.glassworks)
      .request.staticCall(ids.pearl, token, 5_000n, now + 90n * 86_400n, [key]);
    await scf.connect(a.glassworks).request(ids.pearl, token, 5_000n, now + 90n * 86_400n, [key]);
    expect(await scf.amountDue(requested)).to.deep.equal([0n, 0n]); // requested, not yet a debt
    await scf.connect(a.pearl).reject(requested);
    expect((await scf.getFamily(requested)).state).to.equal(6n); // Rejected
    expect(await scf.amountDue(requested)).to.deep.equal([0n, 0n]);
  });
});

const Role = { Lender: 0, Regulator: 12 } as const;
const Purpose = { NewCredit: 1, Collections: 5 } as const;

async function jointFixture() {
  const [governor, lead, cofunder, regulator] = await ethers.getSigners();
  const w = await standaloneCredit(connection, governor, {
    lead: { lei: "TLREVIEW41JLEAD00001", roles: 1 << Role.Lender, admin: lead },
    cofunder: { lei: "TLREVIEW41JCOFUND001", roles: 1 << Role.Lender, admin: cofunder },
    regulator: { lei: "TLREVIEW41JREGULAT01", roles: 1 << Role.Regulator, admin: regulator },
  });
  const key = ethers.id("review 41 j1 borrower");
  const loan = {
    ...plainLoan(key, "review 41 j1 joint loan", await chainDay(connection)),
    kind: productKind("JointLoan"),
  };
  await w.credit.connect(lead).registerJointLoan(loan, [
    { member: w.ids.lead, shareBps: 6_000 },
    { member: w.ids.cofunder, shareBps: 4_000 },
  ]);
  const consent = async (doc: string, purpose: number) => {
    const expiresAt = (await networkHelpers.time.latest()) + 90 * 86_400;
    await w.book
      .connect(cofunder)
      .recordConsent({ borrowerKey: key, documentHash: ethers.id(doc), purpose, expiresAt, covered: [] });
    return w.book.consentId(w.ids.cofunder, ethers.id(doc));
  };
  return {
    ...w,
    lead,
    cofunder,
    regulator,
    key,
    loan,
    collections: await consent("j1 collections", Purpose.Collections),
  };
}

describe("review 38's J1: a joint loan's co-funder collects softly", function () {
  it("J1: the co-funder's collection look-up names the joint loan, is logged and not counted", async function () {
    const { credit, cofunder, ids, key, loan, collections } = await networkHelpers.loadFixture(jointFixture);
    await expect(credit.connect(cofunder).collectionInquiry(key, loan.loanRef, collections))
      .to.emit(credit, "CreditInquired")
      .withArgs(ids.cofunder, key, Purpose.Collections, collections);
    expect((await credit.exposureOf(key)).inquiries).to.equal(0n);
  });

  it("J1: refused once the joint loan is repaid, once the claim is released, and for another borrower", async function () {
    const { credit, lead, cofunder, regulator, ids, key, loan, collections } =
      await networkHelpers.loadFixture(jointFixture);
    const other = ethers.id("review 41 j1 other borrower");
    await expect(credit.connect(cofunder).collectionInquiry(other, loan.loanRef, collections))
      .to.be.revertedWithCustomError(credit, "CreditNoAccountHeld")
      .withArgs(ids.cofunder, other, Purpose.Collections);
    // The claim released by a Regulator: the co-funder no longer funds the loan.
    const snapshot = await networkHelpers.takeSnapshot();
    await credit.connect(regulator).releaseJointLoanClaim(ids.cofunder, loan.loanRef, reasonCode("FUNDER-EXITED"));
    await expect(credit.connect(cofunder).collectionInquiry(key, loan.loanRef, collections))
      .to.be.revertedWithCustomError(credit, "CreditNoAccountHeld")
      .withArgs(ids.cofunder, key, Purpose.Collections);
    await snapshot.restore();
    // The joint loan paid off: nothing left to collect.
    await credit.connect(lead).fileLoanRepayment(loan.loanRef, loan.outstanding);
    await expect(credit.connect(cofunder).collectionInquiry(key, loan.loanRef, collections))
      .to.be.revertedWithCustomError(credit, "CreditNoAccountHeld")
      .withArgs(ids.cofunder, key, Purpose.Collections);
  });
});
