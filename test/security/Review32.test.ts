/**
 * Adversarial review 32, the contracts, and review 31's D2. Each test failed on the code before its fix:
 *
 * - A1 (trade): a dispute with nothing at stake was accepted, and while an order was Disputed its released tranches
 *   could not be paid (`payReleased` needed Funded), though no award can touch them (item 19): the importer held up
 *   what the exporter had earned for the arbiter's window. `payReleased` now pays released tranches while disputed,
 *   and `dispute` refuses an order with nothing at stake (`TradeNothingAtStake`).
 * - A2 (trade): `setFxTerms` stored any member id as the FX provider and FX terms on an order that converts nothing.
 *   Both are refused now (`TradeInvalidParty`, `TradeFxNotConverting`).
 * - A3 (trade): a financier's signed assignment offer had no nonce, so nothing withdrew it before its deadline. It
 *   names a nonce of the financier's key now, spent by the assignment; `cancelNonce` withdraws the offer.
 * - B1 (ledger): `transfer` to the holder's own operator faked a tier step; one member alone could walk a piece to the
 *   last tier before handing it on. Refused now (`ScfTransferToHolder`).
 * - B2 (ledger): `request` took an invoice list naming one invoice twice: a request no confirmation could take. It is
 *   refused now, as `issue` refuses it, with one error (`ScfInvoiceRepeated`).
 * - C1 (credit, medium): a later short pause of the credit registry cut short the catch-up days an earlier, longer
 *   one gave the lenders (review 31's D1 fix): the later day now wins.
 * - C2 (credit): a lender's review of an account, or a collection, counted as an inquiry for new credit: it cost the
 *   borrower score points and, enforced, refused another lender's loan. Such soft inquiries are logged, not counted.
 * - E1 (credit, review 33 of those fixes): a lender with no account of the borrower called its credit check an
 *   account review, uncounted, and lent past the enforced limit. A soft look-up needs a live loan of the borrower.
 * - C3 (credit): a Regulator's correction took a zero record commitment and no reason code. Every step of a dispute
 *   now names its reason (`CreditInvalidReason`), and a correction its record's commitment.
 * - E2 (members, review 33): an operator offer could not be withdrawn, and stood again when the admin key that made it
 *   took the seat back. Offers are marked with the admin seat's term now, and `cancelOperatorOffer` withdraws one.
 * - Review 31, D2 (members): a member's admin linked any free address as its operator: the governor's announced
 *   successor (so that the transfer of governance reverted), or another member's key (bound to itself for good once
 *   removed). A key is now linked only when it accepts (`acceptOperatorOffer`), and an offer lapses with the admin that
 *   made it.
 */
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";
import { Wallet, keccak256, toUtf8Bytes } from "ethers";
import { network } from "hardhat";

import type { MemberRegistry } from "../../typechain-types/index.js";
import { reasonCode } from "../../src/encoding.js";
import { invoiceKey } from "../../src/keys.js";
import { NO_FX_QUOTE, scaledRate } from "../../src/trade.js";
import { ephemeralKey } from "../../scripts/lib/loans.js";
import {
  CONSUMER_POLICY,
  GRACE_DAYS,
  chainDay,
  plainLoan,
  standaloneCredit,
  travelToDay as travelToDayOf,
  weeklyPlanWorld,
} from "../helpers/credit.js";
import { TEST_KEY_CHECK, testEntityKey } from "../helpers/entity.js";
import { ledgerWorld } from "../helpers/ledger.js";
import { DAY as TRADE_DAY, Kind, tradeWorld } from "../helpers/trade.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const { time } = networkHelpers;

// ─── Trade settlement ───────────────────────────────────────────────────────

const OrderState = { Funded: 3n, Disputed: 4n, Settled: 5n } as const;

async function tradeFixture() {
  return tradeWorld(connection, { document: "PO-R32A" });
}

describe("adversarial review 32: the trade settlement", function () {
  it("A1: every tranche released, a dispute has nothing at stake: refused, and the exporter is paid", async function () {
    const { trade, tokens, a, attestation, fxQuote, openOrder } = await networkHelpers.loadFixture(tradeFixture);
    await openOrder(); // 30/40/30 on shipped, customs cleared, delivered; MXN paid out in CNY
    await trade.connect(a.golfo).fund(1n);
    // Every kind of evidence comes, relayed without a quote: every tranche is released, none paid yet.
    for (const kind of [Kind.Shipped, Kind.CustomsCleared, Kind.Delivered]) {
      const doc = ethers.id(`R32A-doc-${kind}`);
      await trade.connect(a.carrier).attest(1n, kind, doc, [await attestation(1n, kind, doc)], NO_FX_QUOTE, "0x");
    }
    expect((await trade.getOrder(1n)).evidenceDone).to.equal(0b111n);
    await expect(trade.connect(a.cristal).dispute(1n, reasonCode("STALL")))
      .to.be.revertedWithCustomError(trade, "TradeNothingAtStake")
      .withArgs(1n);
    expect((await trade.getOrder(1n)).state).to.equal(OrderState.Funded);
    const own = await fxQuote(1n, { expiry: BigInt(await time.latest()) + 30n * TRADE_DAY });
    await expect(trade.connect(a.glassworks).payReleased(1n, own.q, own.sig)).to.emit(trade, "OrderSettled");
    expect(await tokens.MXN.balanceOf(await trade.getAddress())).to.equal(0n);
  });

  it("A1: while disputed, the released tranches are paid; the arbiter decides only what is at stake", async function () {
    const { world, trade, tokens, a, attestation, fxQuote, openOrder } = await networkHelpers.loadFixture(tradeFixture);
    await openOrder();
    await trade.connect(a.golfo).fund(1n);
    // Shipped and Delivered released (30% + 30%), customs still to come (40%, 16,000,000 MXN, at stake).
    for (const kind of [Kind.Shipped, Kind.Delivered]) {
      const doc = ethers.id(`R32A-doc-${kind}`);
      await trade.connect(a.carrier).attest(1n, kind, doc, [await attestation(1n, kind, doc)], NO_FX_QUOTE, "0x");
    }
    await trade.connect(a.cristal).dispute(1n, reasonCode("STALL"));
    const own = await fxQuote(3n, { expiry: BigInt(await time.latest()) + 30n * TRADE_DAY });
    // 24,000,000 MXN of released tranches are paid while the arbiter decides about the other 16,000,000.
    await expect(trade.connect(a.glassworks).payReleased(1n, own.q, own.sig))
      .to.emit(trade, "TranchePaid")
      .and.not.to.emit(trade, "OrderSettled");
    const order = await trade.getOrder(1n);
    expect([order.state, order.settledTranches]).to.deep.equal([OrderState.Disputed, 0b101n]);
    expect(await trade.escrowOf(1n)).to.equal(16_000_000n);
    // The arbiter's award (0%) refunds what was at stake, and settles the order.
    await expect(trade.connect(world.admins.regulator).resolve(1n, 0, NO_FX_QUOTE, "0x")).to.emit(
      trade,
      "OrderSettled",
    );
    expect(await tokens.MXN.balanceOf(await trade.getAddress())).to.equal(0n);
  });

  it("A2: FX terms name an active FX provider (or none), on an order that converts; nothing changes otherwise", async function () {
    const { world, trade, terms, a, openOrder } = await networkHelpers.loadFixture(tradeFixture);
    await openOrder();
    // Member 4242 does not exist; the importer Casa Cristal holds no FxProvider role.
    for (const provider of [4242n, world.ids.cristal]) {
      await expect(trade.connect(a.glassworks).setFxTerms(1n, provider, scaledRate("0.37")))
        .to.be.revertedWithCustomError(trade, "TradeInvalidParty")
        .withArgs(provider);
    }
    expect(await trade.fxTermsOf(1n)).to.deep.equal([0n, 0n]);
    await expect(trade.connect(a.glassworks).setFxTerms(1n, world.ids.huaxia, scaledRate("0.37")))
      .to.emit(trade, "FxTermsSet")
      .withArgs(1n, world.ids.huaxia, scaledRate("0.37"));
    // Zero clears the choice.
    await expect(trade.connect(a.glassworks).setFxTerms(1n, 0n, 0n))
      .to.emit(trade, "FxTermsSet")
      .withArgs(1n, 0n, 0n);
    // An order paid out in its own currency converts nothing: it takes no FX terms.
    const same = { ...terms, payoutToken: terms.payToken, documentHash: ethers.id("R32A-same") };
    await trade.connect(a.cristal).createOrder(same);
    await trade.connect(a.glassworks).accept(2n);
    await expect(trade.connect(a.glassworks).setFxTerms(2n, world.ids.huaxia, 12345n))
      .to.be.revertedWithCustomError(trade, "TradeFxNotConverting")
      .withArgs(2n);
    expect(await trade.fxTermsOf(2n)).to.deep.equal([0n, 0n]);
  });
});

describe("adversarial review 32: a financier withdraws its assignment offer", function () {
  it("A3: the offer names a nonce of the financier's key; cancelNonce withdraws it, and a spent offer is refused", async function () {
    const { world, trade, a, signedAssignment, openOrder } = await networkHelpers.loadFixture(tradeFixture);
    await openOrder();
    const offer = await signedAssignment(a.pacific, world.ids.pacific, 30_000_000n);
    expect(await trade.ASSIGNMENT_TYPEHASH()).to.equal(
      ethers.id(
        "ProceedsAssignment(uint64 order,uint32 exporter,uint32 financier,uint64 advance,uint40 deadline,uint256 nonce)",
      ),
    );
    // The financier changes its mind before the exporter uses the offer.
    await expect(trade.connect(a.pacific).cancelNonce(offer.nonce))
      .to.emit(trade, "NonceCancelled")
      .withArgs(a.pacific.address, offer.nonce);
    const assign = (o: typeof offer) =>
      trade.connect(a.glassworks).assignProceeds(1n, world.ids.pacific, 30_000_000n, o.deadline, o.nonce, o.signed);
    await expect(assign(offer))
      .to.be.revertedWithCustomError(trade, "TradeAssignmentNonceUsed")
      .withArgs(a.pacific.address, offer.nonce);
    expect((await trade.getOrder(1n)).financier).to.equal(0n);
    // A new offer is used once: its nonce is then spent.
    const next = await signedAssignment(a.pacific, world.ids.pacific, 30_000_000n);
    await expect(assign(next)).to.emit(trade, "ProceedsAssigned").withArgs(1n, world.ids.pacific, 30_000_000n);
    expect(await trade.nonceUsed(a.pacific.address, next.nonce)).to.equal(true);
  });
});

// ─── Receivable ledger ──────────────────────────────────────────────────────

const ledgerKey = ephemeralKey();
const FACE = 100_000_000n;
let invoices = 0;
const invoice = (): string =>
  invoiceKey(ledgerKey, ethers.id("TLTESTDEBTOR00000001"), `INV-R32B-${++invoices}`, "2026-11-01");

async function ledgerFixture() {
  return ledgerWorld(connection, "R32B");
}

describe("adversarial review 32: the receivable ledger", function () {
  it("B1: a transfer to the holder itself is refused: a tier step is a hand-over to another supplier", async function () {
    const { scf, a, ids, issue } = await networkHelpers.loadFixture(ledgerFixture);
    const root = await issue();
    await expect(scf.connect(a.glassworks).transfer(root, a.glassworks.address))
      .to.be.revertedWithCustomError(scf, "ScfTransferToHolder")
      .withArgs(root, ids.glassworks);
    expect((await scf.getPiece(root)).tier).to.equal(1n);
    await expect(scf.connect(a.glassworks).transfer(root, a.precision.address))
      .to.emit(scf, "ReceivableTransferred")
      .withArgs(root, ids.glassworks, ids.precision, 2n);
  });

  it("B2: a list naming one invoice twice is refused by request as by issue, with the same error", async function () {
    const { scf, a, ids, token, maturity } = await networkHelpers.loadFixture(ledgerFixture);
    const [k, other] = [invoice(), invoice()];
    await expect(scf.connect(a.pearl).issue(a.glassworks.address, token, FACE, maturity, [k, other, k]))
      .to.be.revertedWithCustomError(scf, "ScfInvoiceRepeated")
      .withArgs(k, 2n);
    await expect(scf.connect(a.glassworks).request(ids.pearl, token, FACE, maturity, [k, other, k]))
      .to.be.revertedWithCustomError(scf, "ScfInvoiceRepeated")
      .withArgs(k, 2n);
    expect(await scf.invoiceUse(ids.pearl, k)).to.equal(0n);
    // The same invoices once each: requested, then confirmed.
    const root = await scf.connect(a.glassworks).request.staticCall(ids.pearl, token, FACE, maturity, [k, other]);
    await scf.connect(a.glassworks).request(ids.pearl, token, FACE, maturity, [k, other]);
    await expect(scf.connect(a.pearl).confirm(root)).to.emit(scf, "ReceivableConfirmed");
  });
});

// ─── Credit registry ────────────────────────────────────────────────────────

const DAY = 86_400;
const Role = { Lender: 0, Regulator: 12 } as const;
const Status = { Active: 1n, Overdue: 3n, Defaulted: 4n, WrittenOff: 5n } as const;

const bytes32 = (label: string): string => keccak256(toUtf8Bytes(label));

const today = () => chainDay(connection);
const travelToDay = (day: number) => travelToDayOf(connection, day);
const deployFixture = () => weeklyPlanWorld(connection, "review 32c");

async function inquiryFixture() {
  const [governor, lenderA, lenderB, lenderC, regulator] = await ethers.getSigners();
  // Enforce mode: at most one distinct lender's inquiry in the window.
  const w = await standaloneCredit(
    connection,
    governor,
    {
      a: { lei: "TLREVIEW32CINQLENDA1", roles: 1 << Role.Lender, admin: lenderA },
      b: { lei: "TLREVIEW32CINQLENDB1", roles: 1 << Role.Lender, admin: lenderB },
      c: { lei: "TLREVIEW32CINQLENDC1", roles: 1 << Role.Lender, admin: lenderC },
      regulator: { lei: "TLREVIEW32CINQREGUL1", roles: 1 << Role.Regulator, admin: regulator },
    },
    { ...CONSUMER_POLICY, mode: 1, maxInquiries: 1 },
  );
  return { ...w, governor, lenderA, lenderB, lenderC, regulator };
}

const Purpose = { NewCredit: 1, AccountReview: 2, Collections: 5 } as const;

describe("adversarial review 32: the credit registry", function () {
  it("C1: a later short pause keeps the catch-up an earlier, longer pause gave: the paid borrower is not aged", async function () {
    const w = await networkHelpers.loadFixture(deployFixture);
    const key = w.loan.borrowerKey;
    // A pause of a week across the first due day: the borrower pays on time, the lender cannot report it.
    await travelToDay(w.first - 1);
    await w.credit.connect(w.regulator).pause();
    await travelToDay(w.first + 6);
    await w.credit.connect(w.regulator).unpause();
    const resumed = await today();
    const resumedAt = await time.latest();
    await expect(w.credit.connect(w.stranger).ageLoan(w.id))
      .to.be.revertedWithCustomError(w.credit, "CreditLenderCatchingUp")
      .withArgs(w.id, resumedAt, resumedAt + GRACE_DAYS * DAY);
    // The next day, within that window, a Regulator pauses and resumes in one block.
    await travelToDay(resumed + 1);
    await ethers.provider.send("evm_setAutomine", [false]);
    await w.credit.connect(w.regulator).pause();
    await w.credit.connect(w.regulator).unpause();
    await networkHelpers.mine();
    await ethers.provider.send("evm_setAutomine", [true]);
    expect(await w.credit.paused()).to.equal(false);
    // The week-long pause's window still holds (reports could be made again from the latest resume).
    await expect(w.credit.connect(w.stranger).ageLoan(w.id))
      .to.be.revertedWithCustomError(w.credit, "CreditLenderCatchingUp")
      .withArgs(w.id, await time.latest(), resumedAt + GRACE_DAYS * DAY);
    // The lender lands its backlog in time; the loan is current.
    await w.credit.connect(w.lenderA).fileLoanRepayment(w.loan.loanRef, 250_000n);
    expect((await w.credit.profileOf(key)).delinquent[0]).to.equal(0n);
    // A pause that ends later than the window moves it on: it keeps what was left of the window when it began
    // (four days less a few seconds) and adds its own three days, the five grace days at most from its end.
    await w.credit.connect(w.regulator).pause();
    await travelToDay(resumed + 4);
    await w.credit.connect(w.regulator).unpause();
    const laterAt = await time.latest();
    await expect(w.credit.connect(w.stranger).ageLoan(w.id))
      .to.be.revertedWithCustomError(w.credit, "CreditLenderCatchingUp")
      .withArgs(w.id, laterAt, laterAt + GRACE_DAYS * DAY);
  });

  it("C2: an account review or a collection is logged, not counted: no score points, no limit reached", async function () {
    const w = await networkHelpers.loadFixture(inquiryFixture);
    const key = bytes32("review 32c inquiry borrower");
    const expires = (await time.latest()) + 90 * DAY;
    const consent = async (signer: typeof w.lenderA, holder: bigint, doc: string, purpose: number): Promise<string> => {
      await w.book.connect(signer).recordConsent({
        borrowerKey: key,
        documentHash: bytes32(doc),
        purpose,
        expiresAt: expires,
        covered: [],
      });
      return w.book.consentId(holder, bytes32(doc));
    };
    const day = await today();
    await w.credit.connect(w.lenderA).registerLoan(plainLoan(key, "A's existing loan", day));
    const [before] = await w.score.scoreOf(key);
    // A reviews its own account: logged for the regulator's history, not counted.
    await expect(
      w.credit
        .connect(w.lenderA)
        .inquire(key, Purpose.AccountReview, await consent(w.lenderA, w.ids.a, "A review", Purpose.AccountReview)),
    )
      .to.emit(w.credit, "CreditInquired")
      .withArgs(w.ids.a, key, Purpose.AccountReview, anyValue);
    expect((await w.credit.exposureOf(key)).inquiries).to.equal(0n);
    expect((await w.score.scoreOf(key))[0]).to.equal(before);
    // The borrower applies to lender B: B's one new-credit inquiry is the only one, within the enforced limit of one.
    await w.credit
      .connect(w.lenderB)
      .inquire(key, Purpose.NewCredit, await consent(w.lenderB, w.ids.b, "B application", Purpose.NewCredit));
    expect((await w.credit.exposureOf(key)).inquiries).to.equal(1n);
    await expect(w.credit.connect(w.lenderB).registerLoan(plainLoan(key, "B's new loan", day))).to.emit(
      w.credit,
      "LoanRegistered",
    );
    // A soft look-up answers the count as it stands.
    const soft = await w.credit
      .connect(w.lenderA)
      .inquire.staticCall(
        key,
        Purpose.AccountReview,
        await consent(w.lenderA, w.ids.a, "A review 2", Purpose.AccountReview),
      );
    expect(soft.inquiries).to.equal(1n);
  });

  it("E1 (review 33): a lender without an account of the borrower cannot call its credit check a review or a collection", async function () {
    const w = await networkHelpers.loadFixture(inquiryFixture);
    const key = bytes32("review 33 borrower");
    const expires = (await time.latest()) + 90 * DAY;
    const consent = async (doc: string, purpose: number): Promise<string> => {
      await w.book
        .connect(w.lenderC)
        .recordConsent({ borrowerKey: key, documentHash: bytes32(doc), purpose, expiresAt: expires, covered: [] });
      return w.book.consentId(w.ids.c, bytes32(doc));
    };
    const day = await today();
    await w.credit.connect(w.lenderA).registerLoan(plainLoan(key, "A's loan", day));
    // Lender C holds no loan of the borrower: its "review" and its "collection" are refused, nothing logged.
    for (const [doc, purpose] of [
      ["C review", Purpose.AccountReview],
      ["C collections", Purpose.Collections],
    ] as const) {
      await expect(w.credit.connect(w.lenderC).inquire(key, purpose, await consent(doc, purpose)))
        .to.be.revertedWithCustomError(w.credit, "CreditNoAccountHeld")
        .withArgs(w.ids.c, key, purpose);
    }
    // Its credit check counts, and with the enforced limit of one, a second lender's check then blocks the loan.
    await w.credit
      .connect(w.lenderC)
      .inquire(key, Purpose.NewCredit, await consent("C application", Purpose.NewCredit));
    expect((await w.credit.exposureOf(key)).inquiries).to.equal(1n);
  });

  it("C3: a correction names its record's commitment and a reason; every dispute step names its reason", async function () {
    const w = await networkHelpers.loadFixture(deployFixture);
    const zero = "0x" + "00".repeat(32);
    await expect(
      w.credit.connect(w.regulator).openDispute(w.ids.a, w.loan.loanRef, zero),
    ).to.be.revertedWithCustomError(w.credit, "CreditInvalidReason");
    await w.credit.connect(w.regulator).openDispute(w.ids.a, w.loan.loanRef, bytes32("disputed"));
    const correction = { status: Status.Active, outstanding: 500_000n, commitment: zero };
    await expect(
      w.credit.connect(w.regulator).correctLoan(w.ids.a, w.loan.loanRef, correction, bytes32("reason")),
    ).to.be.revertedWithCustomError(w.credit, "CreditInvalidCommitment");
    await expect(
      w.credit
        .connect(w.regulator)
        .correctLoan(w.ids.a, w.loan.loanRef, { ...correction, commitment: bytes32("corrected") }, zero),
    ).to.be.revertedWithCustomError(w.credit, "CreditInvalidReason");
    await expect(w.credit.connect(w.lenderA).answerDispute(w.loan.loanRef, zero)).to.be.revertedWithCustomError(
      w.credit,
      "CreditInvalidCommitment",
    );
    await expect(
      w.credit.connect(w.regulator).resolveDispute(w.ids.a, w.loan.loanRef, zero),
    ).to.be.revertedWithCustomError(w.credit, "CreditInvalidReason");
    expect((await w.credit.getLoan(w.id)).outstanding).to.equal(1_000_000n);
    await expect(
      w.credit
        .connect(w.regulator)
        .correctLoan(w.ids.a, w.loan.loanRef, { ...correction, commitment: bytes32("corrected") }, bytes32("reason")),
    ).to.emit(w.credit, "LoanCorrected");
    expect((await w.credit.getLoan(w.id)).outstanding).to.equal(500_000n);
  });
});

// ─── Member registry (review 31, D2) ────────────────────────────────────────

async function membersFixture() {
  const [governor, adminA, adminB, keyB, successor, thief] = await ethers.getSigners();
  const registry = (await (
    await ethers.getContractFactory("MemberRegistry")
  ).deploy(governor.address, TEST_KEY_CHECK)) as unknown as MemberRegistry;
  for (const [lei, admin] of [
    ["TLREVIEW32MEMBERA001", adminA],
    ["TLREVIEW32MEMBERB001", adminB],
  ] as const) {
    const hash = keccak256(toUtf8Bytes(lei));
    await registry.admit(hash, testEntityKey(hash), "0x434e", 1 << Role.Lender, admin.address);
  }
  return { registry, governor, adminA, adminB, keyB, successor, thief };
}

describe("review 31, D2: a member links only a key that accepts", function () {
  it("a member cannot link the governor's announced successor: the transfer of governance goes through", async function () {
    const { registry, governor, adminA, successor } = await networkHelpers.loadFixture(membersFixture);
    // The successor is public before the transfer runs (a timelock's queue). Member 1 offers to link it first.
    await expect(registry.connect(adminA).addOperator(1, successor.address))
      .to.emit(registry, "OperatorOffered")
      .withArgs(1, successor.address);
    expect(await registry.memberForKey(successor.address)).to.equal(0n);
    await registry.connect(governor).transferOwnership(successor.address);
    await registry.connect(successor).acceptOwnership();
    expect(await registry.governor()).to.equal(successor.address);
    // The offer can never be taken up by the governor's key.
    await expect(registry.connect(successor).acceptOperatorOffer(1))
      .to.be.revertedWithCustomError(registry, "OperatorIsGovernor")
      .withArgs(successor.address);
  });

  it("a member cannot take another member's key: the key accepts only its own member's offer", async function () {
    const { registry, adminA, adminB, keyB } = await networkHelpers.loadFixture(membersFixture);
    await registry.connect(adminA).addOperator(1, keyB.address);
    await registry.connect(adminB).addOperator(2, keyB.address);
    // Member 1's offer cannot be squatted into a binding: the key takes member 2's.
    await expect(registry.connect(keyB).acceptOperatorOffer(2))
      .to.emit(registry, "OperatorAdded")
      .withArgs(2, keyB.address);
    expect(await registry.memberForKey(keyB.address)).to.equal(2n);
    await expect(registry.connect(keyB).acceptOperatorOffer(1))
      .to.be.revertedWithCustomError(registry, "OperatorAlreadyRegistered")
      .withArgs(keyB.address, 2);
    // A key offered nothing accepts nothing.
    await expect(registry.connect(adminA).acceptOperatorOffer(2))
      .to.be.revertedWithCustomError(registry, "OperatorNotOffered")
      .withArgs(adminA.address, 2);
  });

  it("a compromised admin's offers lapse when the seat changes hands", async function () {
    const { registry, governor, adminA, thief } = await networkHelpers.loadFixture(membersFixture);
    // With member 1's stolen admin key, the thief offers a key of its own, and waits.
    await registry.connect(adminA).addOperator(1, thief.address);
    expect(await registry.operatorOfferOf(1, thief.address)).to.equal(true);
    // The member recovers its seat through the governor.
    const fresh = Wallet.createRandom().connect(ethers.provider);
    await registry.connect(governor).proposeAdminRecovery(1, fresh.address);
    await time.increase(await registry.RECOVERY_DELAY());
    await registry.completeAdminRecovery(1);
    expect(await registry.operatorOfferOf(1, thief.address)).to.equal(false);
    await expect(registry.connect(thief).acceptOperatorOffer(1))
      .to.be.revertedWithCustomError(registry, "OperatorNotOffered")
      .withArgs(thief.address, 1);
    expect(await registry.memberForKey(thief.address)).to.equal(0n);
  });

  it("E2 (review 33): an offer lapses for good when the seat changes hands, and its admin withdraws it", async function () {
    const { registry, adminA, adminB, keyB: keyK, thief: stray } = await networkHelpers.loadFixture(membersFixture);
    // Member 1 links a second key K of its own, then offers a key by mistake.
    await registry.connect(adminA).addOperator(1, keyK.address);
    await registry.connect(keyK).acceptOperatorOffer(1);
    await registry.connect(adminA).addOperator(1, stray.address);
    // The seat goes to K and back to A: the offer made in A's earlier term does not stand again.
    await registry.connect(adminA).setAdmin(1, keyK.address);
    await registry.connect(keyK).setAdmin(1, adminA.address);
    expect(await registry.operatorOfferOf(1, stray.address)).to.equal(false);
    await expect(registry.connect(stray).acceptOperatorOffer(1))
      .to.be.revertedWithCustomError(registry, "OperatorNotOffered")
      .withArgs(stray.address, 1);
    // An offer withdrawn by its admin: only the admin withdraws, only a standing offer.
    await registry.connect(adminA).addOperator(1, stray.address);
    await expect(registry.connect(keyK).cancelOperatorOffer(1, stray.address))
      .to.be.revertedWithCustomError(registry, "OperatorUnauthorizedAdmin")
      .withArgs(keyK.address, 1);
    await expect(registry.connect(adminB).cancelOperatorOffer(1, stray.address))
      .to.be.revertedWithCustomError(registry, "OperatorUnauthorizedAdmin")
      .withArgs(adminB.address, 1);
    await expect(registry.connect(adminA).cancelOperatorOffer(1, stray.address))
      .to.emit(registry, "OperatorOfferCancelled")
      .withArgs(1, stray.address);
    await expect(registry.connect(adminA).cancelOperatorOffer(1, stray.address))
      .to.be.revertedWithCustomError(registry, "OperatorNotOffered")
      .withArgs(stray.address, 1);
    await expect(registry.connect(stray).acceptOperatorOffer(1))
      .to.be.revertedWithCustomError(registry, "OperatorNotOffered")
      .withArgs(stray.address, 1);
    expect(await registry.memberForKey(stray.address)).to.equal(0n);
  });
});
