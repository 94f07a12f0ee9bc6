/**
 * Adversarial review 34, the contracts. Each test failed on the code before its fix:
 *
 * - T1 (trade, medium): once the importer was revoked nobody could object to a delivered order: the tranches whose
 *   evidence never came passed to the exporter when the window closed, and no governor path decided it. The governor
 *   now objects for a revoked importer, as it chooses a revoked payee's FX terms (`_governsForRevoked`).
 * - T2 (trade): `releaseAfterObjection` succeeded doing nothing when nothing was left to pay or refund. It refuses
 *   now, as `payReleased` does (`TradeNothingReleased`).
 * - C1 (credit): the catch-up a pause gives the lenders was counted in whole days from the last resume, so a pause
 *   cut into pieces of under a day (lifted for a minute around each midnight) gave none: a borrower who paid on time
 *   was aged at once. It is counted in seconds now, and what was left of it when a pause began is carried over.
 * - C2 (credit): a pause held a settled negative record past its five-year retention (`ageLoan` refused while
 *   paused). A record that is not live now ends its retention while paused; a live loan still does not age.
 * - C3 (credit): a lender collecting a written-off debt (still owed) could not make the soft Collections look-up that
 *   E1 (review 33) keeps for a lender holding the account. `collectionInquiry` names the loan it collects.
 * - F1 (credit, review 35 of those fixes): a lender's catch-up after its reinstatement ran from the start of the
 *   reinstatement's day and on through a pause: a pause right after a late reinstatement left it under two days of
 *   its five. It is whole days after that day now, and a pause that began within it gives back what was left.
 */
import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";
import { network } from "hardhat";

import { reasonCode } from "../../src/encoding.js";
import { NO_FX_QUOTE } from "../../src/trade.js";
import { GRACE_DAYS, chainDay, plainLoan, standaloneCredit, weeklyPlanWorld } from "../helpers/credit.js";
import { DAY as TRADE_DAY, Kind, tradeWorld } from "../helpers/trade.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const { time } = networkHelpers;

const DAY = 86_400;
const OrderState = { Funded: 3n, Disputed: 4n } as const;
const Role = { Lender: 0, Regulator: 12 } as const;
const Status = { Active: 1n, Repaid: 2n, Overdue: 3n, Defaulted: 4n, WrittenOff: 5n } as const;
const Purpose = { NewCredit: 1, AccountReview: 2, Collections: 5 } as const;

const bytes32 = (label: string): string => keccak256(toUtf8Bytes(label));
const today = () => chainDay(connection);
const at = (day: number, seconds: number) => time.increaseTo(day * DAY + seconds);

const tradeFixture = () => tradeWorld(connection, { document: "PO-R34" });
const planFixture = () => weeklyPlanWorld(connection, "review 34 c1");

async function plainFixture() {
  const [governor, lenderA, lenderB, regulator] = await ethers.getSigners();
  const w = await standaloneCredit(connection, governor, {
    a: { lei: "TLREVIEW34CLENDERA01", roles: 1 << Role.Lender, admin: lenderA },
    b: { lei: "TLREVIEW34CLENDERB01", roles: 1 << Role.Lender, admin: lenderB },
    regulator: { lei: "TLREVIEW34CREGULAT01", roles: 1 << Role.Regulator, admin: regulator },
  });
  return { ...w, governor, lenderA, lenderB, regulator };
}

describe("adversarial review 34: the trade settlement", function () {
  it("T1: the governor objects for a revoked importer, so unevidenced tranches do not pass to the exporter", async function () {
    const { world, trade, terms, a, attestation, openOrder } = await networkHelpers.loadFixture(tradeFixture);
    const members = world.contracts.members;
    // 30/40/30 on shipped, customs cleared, delivered; paid out in MXN. Customs never clears: 40% is at stake.
    await openOrder({ payoutToken: terms.payToken });
    await trade.connect(a.golfo).fund(1n);
    for (const kind of [Kind.Shipped, Kind.Delivered]) {
      const doc = ethers.id(`R34T1-${kind}`);
      await trade.connect(a.carrier).attest(1n, kind, doc, [await attestation(1n, kind, doc)], NO_FX_QUOTE, "0x");
    }
    expect(await trade.escrowOf(1n)).to.equal(16_000_000n);
    // While the importer stands, the objection is its own: the governor's is refused, and nothing changes.
    await expect(trade.connect(world.governor).dispute(1n, reasonCode("NOCUSTOMS")))
      .to.be.revertedWithCustomError(trade, "TradeUnauthorized")
      .withArgs(1n, world.governor.address);
    // The importer is revoked inside the objection window: its key objects no more, nor does its bank.
    await members.revoke(world.ids.cristal, reasonCode("LICENCE"));
    await expect(trade.connect(a.cristal).dispute(1n, reasonCode("NOCUSTOMS"))).to.be.revert(ethers);
    await expect(trade.connect(a.golfo).dispute(1n, reasonCode("NOCUSTOMS")))
      .to.be.revertedWithCustomError(trade, "TradeUnauthorized")
      .withArgs(1n, a.golfo.address);
    expect((await trade.getOrder(1n)).state).to.equal(OrderState.Funded);
    // The governor objects for it: the arbiter decides what is at stake.
    await expect(trade.connect(world.governor).dispute(1n, reasonCode("NOCUSTOMS")))
      .to.emit(trade, "OrderDisputed")
      .withArgs(1n, reasonCode("NOCUSTOMS"));
    expect((await trade.getOrder(1n)).state).to.equal(OrderState.Disputed);
    // The window closes: nobody releases the unevidenced tranche to the exporter.
    await time.increase(3n * TRADE_DAY + 1n);
    await expect(
      trade.connect(world.outsiders[0]).releaseAfterObjection(1n, NO_FX_QUOTE, "0x"),
    ).to.be.revertedWithCustomError(trade, "TradeUnexpectedOrderState");
    expect(await trade.escrowOf(1n)).to.equal(16_000_000n);
  });

  it("T2: releaseAfterObjection refuses a call that would pay and refund nothing", async function () {
    const { world, trade, a, attestation, openOrder } = await networkHelpers.loadFixture(tradeFixture);
    // Paid out in CNY: the relayer brings no quote, so released tranches wait for payReleased.
    await openOrder();
    await trade.connect(a.golfo).fund(1n);
    for (const kind of [Kind.Shipped, Kind.CustomsCleared]) {
      const doc = ethers.id(`R34T2-${kind}`);
      await trade.connect(a.carrier).attest(1n, kind, doc, [await attestation(1n, kind, doc)], NO_FX_QUOTE, "0x");
    }
    await time.increase(61n * TRADE_DAY); // past expiry, no delivery recorded
    const stranger = world.outsiders[0];
    // First call: the Delivered tranche (never evidenced) is refunded; the released ones wait for a quote.
    await expect(trade.connect(stranger).releaseAfterObjection(1n, NO_FX_QUOTE, "0x")).to.emit(trade, "Refunded");
    const before = await trade.getOrder(1n);
    expect(before.state).to.equal(OrderState.Funded);
    // Second call: nothing to pay without a quote, nothing left to refund: refused with the order's figures.
    await expect(trade.connect(stranger).releaseAfterObjection(1n, NO_FX_QUOTE, "0x"))
      .to.be.revertedWithCustomError(trade, "TradeNothingReleased")
      .withArgs(1n, before.evidenceDone, before.settledTranches);
    expect(await trade.getOrder(1n)).to.deep.equal(before);
  });
});

describe("adversarial review 34: the credit registry", function () {
  it("C1: a pause cut into pieces of under a day gives the lenders all its time back, the grace days at most", async function () {
    const w = await networkHelpers.loadFixture(planFixture);
    const key = w.loan.borrowerKey;
    // The first instalment falls due on day `first`; the borrower pays it that day. The Regulator lifts the pause for
    // a minute around each midnight, from the day before to the last grace day: paused 23h58m a day.
    let resumedAt = 0;
    for (let day = w.first - 1; day <= w.first + GRACE_DAYS; ++day) {
      await at(day, 60);
      await w.credit.connect(w.regulator).pause();
      await at(day, 86_340);
      await w.credit.connect(w.regulator).unpause();
      resumedAt = await time.latest();
    }
    // The morning after: the pieces added up, so the lender has the grace days from the last resume to report.
    await at(w.first + GRACE_DAYS + 1, 3_600);
    await expect(w.credit.connect(w.stranger).ageLoan(w.id))
      .to.be.revertedWithCustomError(w.credit, "CreditLenderCatchingUp")
      .withArgs(w.id, resumedAt, resumedAt + GRACE_DAYS * DAY);
    expect((await w.credit.getLoan(w.id)).status).to.equal(Status.Active);
    expect((await w.credit.profileOf(key)).delinquent).to.deep.equal([0n, 0n, 0n, 0n]);
    // The lender's report lands first. When the catch-up ends, only what was truly missed ages: the second
    // instalment, due a week after the first, is a few days past due, within the grace days: the loan stays Active.
    await w.credit.connect(w.lenderA).fileLoanRepayment(w.loan.loanRef, 250_000n);
    await time.increaseTo(resumedAt + GRACE_DAYS * DAY);
    await w.credit.connect(w.stranger).ageLoan(w.id);
    expect((await w.credit.delinquencyOf(w.id)).oldestUnpaid).to.equal(1n);
    expect((await w.credit.getLoan(w.id)).status).to.equal(Status.Active);
  });

  it("C2: a settled negative record ends its retention while the registry is paused; a live loan does not age", async function () {
    const w = await networkHelpers.loadFixture(plainFixture);
    const key = bytes32("review 34 c2 borrower");
    const day = await today();
    const loan = plainLoan(key, "review 34 c2 loan", day);
    const live = plainLoan(bytes32("review 34 c2 other borrower"), "review 34 c2 live loan", day);
    await w.credit.connect(w.lenderA).registerLoan(loan);
    await w.credit.connect(w.lenderA).registerLoan(live);
    const id = await w.credit.loanId(w.ids.a, loan.loanRef);
    const liveId = await w.credit.loanId(w.ids.a, live.loanRef);
    await w.credit.connect(w.lenderA).fileLoanStatus(loan.loanRef, Status.Overdue);
    await w.credit.connect(w.lenderA).fileLoanStatus(loan.loanRef, Status.Defaulted);
    await w.credit.connect(w.lenderA).fileLoanRepayment(loan.loanRef, 100_000n);
    const until = Number((await w.credit.termsOf(id)).negativeUntil);
    expect((await w.credit.profileOf(key)).defaults).to.equal(1n);
    // Paused from the day before the record's five years end, for a month.
    await at(until - 1, 3_600);
    await w.credit.connect(w.regulator).pause();
    await at(until + 30, 3_600);
    // A live loan is not aged while paused...
    await expect(w.credit.connect(w.governor).ageLoan(liveId)).to.be.revertedWithCustomError(w.credit, "EnforcedPause");
    // ...but the settled record's retention ends.
    await expect(w.credit.connect(w.governor).ageLoan(id)).to.emit(w.credit, "NegativeRecordExpired").withArgs(id, key);
    expect((await w.credit.profileOf(key)).defaults).to.equal(0n);
    expect(await w.credit.paused()).to.equal(true);
  });

  it("F1: a pause right after a lender's late reinstatement gives back what was left of its catch-up", async function () {
    const w = await networkHelpers.loadFixture(planFixture);
    await at(w.first - 1, 3_600);
    await w.members.connect(w.governor).suspend(w.ids.a, bytes32("review"));
    // Reinstated at 23:00, then at once paused for two days and a half hour.
    const reinstatedDay = w.first + 10;
    await at(reinstatedDay, 23 * 3_600);
    await w.members.connect(w.governor).reinstate(w.ids.a, bytes32("cleared"));
    await w.credit.connect(w.regulator).pause();
    const pausedAt = await time.latest();
    await time.increase(2 * DAY + 1_800);
    await w.credit.connect(w.regulator).unpause();
    const resumedAt = await time.latest();
    // The lender's five whole days after its reinstatement's day, less what ran before the pause, run after it.
    const lenderEnd = (reinstatedDay + GRACE_DAYS + 1) * DAY;
    const agesFrom = resumedAt + (lenderEnd - pausedAt);
    expect(agesFrom - resumedAt).to.be.greaterThan(GRACE_DAYS * DAY);
    await expect(w.credit.connect(w.stranger).ageLoan(w.id))
      .to.be.revertedWithCustomError(w.credit, "CreditLenderCatchingUp")
      .withArgs(w.id, reinstatedDay * DAY, agesFrom);
    await time.setNextBlockTimestamp(agesFrom - 1);
    await expect(w.credit.connect(w.stranger).ageLoan(w.id)).to.be.revertedWithCustomError(
      w.credit,
      "CreditLenderCatchingUp",
    );
    // The lender never reported: from then on the loan ages.
    await time.setNextBlockTimestamp(agesFrom);
    await expect(w.credit.connect(w.stranger).ageLoan(w.id))
      .to.emit(w.credit, "LoanStatusChanged")
      .withArgs(w.id, w.loan.borrowerKey, Status.Active, Status.Overdue);
  });

  it("C3: a lender collecting its written-off debt looks the borrower up softly, naming the loan", async function () {
    const w = await networkHelpers.loadFixture(plainFixture);
    const key = bytes32("review 34 c3 borrower");
    const day = await today();
    const loan = plainLoan(key, "review 34 c3 loan", day);
    await w.credit.connect(w.lenderA).registerLoan(loan);
    for (const to of [Status.Overdue, Status.Defaulted, Status.WrittenOff]) {
      await w.credit.connect(w.lenderA).fileLoanStatus(loan.loanRef, to);
    }
    const id = await w.credit.loanId(w.ids.a, loan.loanRef);
    expect((await w.credit.getLoan(id)).outstanding).to.equal(100_000n); // still owed
    const expires = (await time.latest()) + 90 * DAY;
    const consentOf = async (signer: typeof w.lenderA, member: bigint, doc: string, purpose: number) => {
      await w.book.connect(signer).recordConsent({
        borrowerKey: key,
        documentHash: bytes32(doc),
        purpose,
        expiresAt: expires,
        covered: [],
      });
      return w.book.consentId(member, bytes32(doc));
    };
    const collections = await consentOf(w.lenderA, w.ids.a, "review 34 c3 collections", Purpose.Collections);
    // `inquire` asks for a live loan, which a written-off one is not.
    await expect(w.credit.connect(w.lenderA).inquire(key, Purpose.Collections, collections))
      .to.be.revertedWithCustomError(w.credit, "CreditNoAccountHeld")
      .withArgs(w.ids.a, key, Purpose.Collections);
    // Naming the loan, the collection is logged and not counted.
    await expect(w.credit.connect(w.lenderA).collectionInquiry(key, loan.loanRef, collections))
      .to.emit(w.credit, "CreditInquired")
      .withArgs(w.ids.a, key, Purpose.Collections, collections);
    expect((await w.credit.exposureOf(key)).inquiries).to.equal(0n);
    // Refused, and nothing logged: another borrower's key, another lender's reference, a consent for new credit.
    const other = bytes32("review 34 c3 other borrower");
    await expect(w.credit.connect(w.lenderA).collectionInquiry(other, loan.loanRef, collections))
      .to.be.revertedWithCustomError(w.credit, "CreditNoAccountHeld")
      .withArgs(w.ids.a, other, Purpose.Collections);
    const bConsent = await consentOf(w.lenderB, w.ids.b, "review 34 c3 lender b", Purpose.Collections);
    await expect(w.credit.connect(w.lenderB).collectionInquiry(key, loan.loanRef, bConsent))
      .to.be.revertedWithCustomError(w.credit, "CreditNoAccountHeld")
      .withArgs(w.ids.b, key, Purpose.Collections);
    const newCredit = await consentOf(w.lenderA, w.ids.a, "review 34 c3 new credit", Purpose.NewCredit);
    await expect(
      w.credit.connect(w.lenderA).collectionInquiry(key, loan.loanRef, newCredit),
    ).to.be.revertedWithCustomError(w.book, "ConsentPurposeMismatch");
    // A loan paid off is no longer collected.
    const paid = plainLoan(key, "review 34 c3 paid loan", day);
    await w.credit.connect(w.lenderA).registerLoan(paid);
    await w.credit.connect(w.lenderA).fileLoanRepayment(paid.loanRef, 100_000n);
    await expect(w.credit.connect(w.lenderA).collectionInquiry(key, paid.loanRef, collections))
      .to.be.revertedWithCustomError(w.credit, "CreditNoAccountHeld")
      .withArgs(w.ids.a, key, Purpose.Collections);
  });
});
