import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";
import { network } from "hardhat";

import { reasonCode } from "../../src/encoding.js";
import { addMonths } from "../../src/schedule.js";
import { NO_FX_QUOTE, scaledRate } from "../../src/trade.js";
import { ledgerWorld } from "../helpers/ledger.js";
import { Kind, tradeWorld } from "../helpers/trade.js";

/**
 * Regressions of the twenty-eighth adversarial review. F1: an arbiter's award converted into the payout currency
 * needed a quote the payee had chosen, in the same transaction; while the payee could not choose (suspended, with no
 * provider named) or the payout token was paused, no award could be made, the arbiter's deadline ran out and
 * `refundExpired` sent everything at stake to the importer's bank. The award is now held in escrow for a quote, as a
 * released tranche waits. R28-1: a financier that closed a seller's defaulted recourse record long after the debtor
 * paid dated the close, and so the start of its five-year retention, to its own day. Each case asserted the opposite
 * before the fix (the review's proofs of concept).
 */
const connection = await network.create();
const { ethers, networkHelpers } = connection;
const AMOUNT = 40_000_000n;
const AWARD_TRANCHE = 254n;
const State = { Funded: 3n, Settled: 5n } as const;

async function ledgerFixture() {
  return ledgerWorld(connection, "R28");
}

async function fixture() {
  // Pacific quotes too (the financier's case).
  const t = await tradeWorld(connection, { document: "PO-R28", otherProviders: ["pacific"] });
  const { world, trade, a } = t;
  // 50% on delivery, 50% on inspection, no fees: the inspection half is what a dispute puts at stake.
  const terms = await t.openOrder({
    importerBankFeeBps: 0,
    exporterBankFeeBps: 0,
    tranches: [
      { shareBps: 5_000, evidence: 1 << Kind.Delivered },
      { shareBps: 5_000, evidence: 1 << Kind.Inspected },
    ],
  });
  /** A quote of `provider` (Huaxia) at 0.38 for `payee`, valid for a day. */
  const quote = async (payee: bigint, nonce: bigint, provider = a.huaxia) =>
    t.fxQuote(nonce, { beneficiary: payee, expiry: BigInt(await networkHelpers.time.latest()) + 86_400n }, provider);
  /** Funds order 1, pays the delivery half to `payee` on its own chosen quote, and the importer disputes the rest. */
  const deliveredThenDisputed = async (payee: bigint, relayer = a.glassworks) => {
    await trade.connect(a.golfo).fund(1n);
    const doc = ethers.id("POD-R28");
    const own = await quote(payee, 1n);
    await trade
      .connect(relayer)
      .attest(1n, Kind.Delivered, doc, [await t.attestation(1n, Kind.Delivered, doc)], own.q, own.sig);
    expect(await trade.escrowOf(1n)).to.equal(AMOUNT / 2n);
  };
  return { ...t, members: world.contracts.members, terms, quote, deliveredThenDisputed };
}

describe("review 28, F1: an award to convert waits for a quote instead of going to the importer's side", function () {
  it("a suspended exporter that named no provider: the award is held, outlives the arbiter's deadline and is paid on reinstatement", async function () {
    const { world, trade, members, tokens, a, quote, deliveredThenDisputed } =
      await networkHelpers.loadFixture(fixture);
    await deliveredThenDisputed(world.ids.glassworks);
    await members.suspend(world.ids.glassworks, reasonCode("KEY-LEAK"));
    await trade.connect(a.cristal).dispute(1n, reasonCode("LATE-INSPECTION"));

    // A provider's quote still needs the payee's choice, which a suspended payee cannot make (review 26).
    const offered = await quote(world.ids.glassworks, 2n);
    await expect(trade.connect(a.regulator).resolve(1n, 6_000, offered.q, offered.sig))
      .to.be.revertedWithCustomError(trade, "TradeFxQuoteNotChosen")
      .withArgs(1n, a.huaxia.address);
    // Without a quote the arbiter's 60% is held for one, and the importer's 40% is refunded at once.
    const golfo = await tokens.MXN.balanceOf(a.golfo);
    await expect(trade.connect(a.regulator).resolve(1n, 6_000, NO_FX_QUOTE, "0x"))
      .to.emit(trade, "AwardHeld")
      .withArgs(1n, 12_000_000n);
    expect((await tokens.MXN.balanceOf(a.golfo)) - golfo).to.equal(8_000_000n);
    expect(await trade.escrowOf(1n)).to.equal(12_000_000n);
    expect((await trade.getOrder(1n)).state).to.equal(State.Funded);
    expect(await tokens.MXN.balanceOf(await trade.getAddress())).to.equal(12_000_000n);

    // The arbiter's deadline passes: nothing sends the award anywhere, and the suspended key still chooses nothing.
    await networkHelpers.time.increase(BigInt(await trade.arbiterWindow()) + 86_400n);
    await expect(trade.connect(world.outsiders[0]).refundExpired(1n)).to.be.revertedWithCustomError(
      trade,
      "TradeGoodsMoved",
    );
    const own = await quote(world.ids.glassworks, 3n);
    await expect(trade.connect(a.glassworks).payReleased(1n, own.q, own.sig))
      .to.be.revertedWithCustomError(trade, "TradeFxQuoteNotChosen")
      .withArgs(1n, a.huaxia.address);
    expect(await trade.escrowOf(1n)).to.equal(12_000_000n);

    // Reinstated, the exporter relays its own choice: the award is paid in CNY as an award tranche, and the order ends.
    await members.reinstate(world.ids.glassworks, reasonCode("CLEARED"));
    const cny = await tokens.CNY.balanceOf(a.glassworks);
    await expect(trade.connect(a.glassworks).payReleased(1n, own.q, own.sig))
      .to.emit(trade, "TranchePaid")
      .withArgs(
        1n,
        AWARD_TRANCHE,
        anyValue,
        anyValue,
        anyValue,
        12_000_000n,
        0n,
        0n,
        4_560_000n,
        scaledRate("0.38"),
        a.huaxia.address,
        3n,
      );
    expect((await tokens.CNY.balanceOf(a.glassworks)) - cny).to.equal(4_560_000n);
    expect(await trade.escrowOf(1n)).to.equal(0n);
    expect((await trade.getOrder(1n)).state).to.equal(State.Settled);
    expect(await tokens.MXN.balanceOf(await trade.getAddress())).to.equal(0n);
    // Paid once: a second relay finds nothing to pay.
    const again = await quote(world.ids.glassworks, 4n);
    await expect(trade.connect(a.glassworks).payReleased(1n, again.q, again.sig)).to.be.revertedWithCustomError(
      trade,
      "TradeUnexpectedOrderState",
    );
  });

  it("a paused payout token: the award waits for the token, not for the arbiter's deadline", async function () {
    const { world, trade, tokens, a, quote, deliveredThenDisputed } = await networkHelpers.loadFixture(fixture);
    await trade.connect(a.glassworks).setFxTerms(1n, world.ids.huaxia, scaledRate("0.37"));
    await deliveredThenDisputed(world.ids.glassworks);
    await trade.connect(a.cristal).dispute(1n, reasonCode("LATE-INSPECTION"));
    await tokens.CNY.connect(world.governor).pause();
    const offered = await quote(world.ids.glassworks, 2n);
    await expect(trade.connect(a.regulator).resolve(1n, 10_000, offered.q, offered.sig)).to.be.revertedWithCustomError(
      tokens.CNY,
      "EnforcedPause",
    );
    await expect(trade.connect(a.regulator).resolve(1n, 10_000, NO_FX_QUOTE, "0x"))
      .to.emit(trade, "AwardHeld")
      .withArgs(1n, AMOUNT / 2n);
    await networkHelpers.time.increase(BigInt(await trade.arbiterWindow()) + 86_400n);
    await expect(trade.connect(world.outsiders[0]).refundExpired(1n)).to.be.revertedWithCustomError(
      trade,
      "TradeGoodsMoved",
    );
    // Once the token moves again, anyone relays the named provider's quote.
    await tokens.CNY.connect(world.governor).unpause();
    const cny = await tokens.CNY.balanceOf(a.glassworks);
    const fresh = await quote(world.ids.glassworks, 3n);
    await trade.connect(world.outsiders[0]).payReleased(1n, fresh.q, fresh.sig);
    expect((await tokens.CNY.balanceOf(a.glassworks)) - cny).to.equal(((AMOUNT / 2n) * 38n) / 100n);
    expect((await trade.getOrder(1n)).state).to.equal(State.Settled);
    expect(await trade.escrowOf(1n)).to.equal(0n);
  });

  it("a suspended financier as payee: the award is held, then paid to it, and the advance is closed", async function () {
    const { world, trade, members, a, quote, deliveredThenDisputed, signedAssignment } =
      await networkHelpers.loadFixture(fixture);
    const { deadline, nonce, signed } = await signedAssignment(a.pacific, world.ids.pacific, 1_000n);
    await trade.connect(a.glassworks).assignProceeds(1n, world.ids.pacific, 1_000n, deadline, nonce, signed);
    await deliveredThenDisputed(world.ids.pacific, a.pacific);
    await members.suspend(world.ids.pacific, reasonCode("AUDIT"));
    await trade.connect(a.cristal).dispute(1n, reasonCode("LATE-INSPECTION"));
    await expect(trade.connect(a.regulator).resolve(1n, 10_000, NO_FX_QUOTE, "0x")).to.emit(trade, "AwardHeld");
    await networkHelpers.time.increase(BigInt(await trade.arbiterWindow()) + 86_400n);
    await members.reinstate(world.ids.pacific, reasonCode("CLEARED"));
    const own = await quote(world.ids.pacific, 5n);
    await expect(trade.connect(a.pacific).payReleased(1n, own.q, own.sig)).to.emit(trade, "OrderSettled");
    // Every tranche reached the financier: its advance's record is closed, not left open.
    expect((await trade.getOrder(1n)).advanceOpen).to.equal(false);
  });

  it("with a quote the arbiter still pays the award at once, and an order paid in its own currency never holds one", async function () {
    const { world, trade, terms, a, attestation, quote, deliveredThenDisputed } =
      await networkHelpers.loadFixture(fixture);
    await trade.connect(a.glassworks).setFxTerms(1n, world.ids.huaxia, scaledRate("0.37"));
    await deliveredThenDisputed(world.ids.glassworks);
    await trade.connect(a.cristal).dispute(1n, reasonCode("LATE-INSPECTION"));
    const offered = await quote(world.ids.glassworks, 2n);
    const tx = trade.connect(a.regulator).resolve(1n, 10_000, offered.q, offered.sig);
    await expect(tx).to.emit(trade, "OrderSettled");
    await expect(tx).to.not.emit(trade, "AwardHeld");
    expect(await trade.escrowOf(1n)).to.equal(0n);

    // Order 2 pays out in MXN: the arbiter's award needs no quote and is paid at once.
    await trade.connect(a.cristal).createOrder({ ...terms, payoutToken: terms.payToken });
    await trade.connect(a.glassworks).accept(2n);
    await trade.connect(a.golfo).fund(2n);
    const doc = ethers.id("POD-R28-2");
    await trade
      .connect(a.carrier)
      .attest(2n, Kind.Delivered, doc, [await attestation(2n, Kind.Delivered, doc)], NO_FX_QUOTE, "0x");
    await trade.connect(a.cristal).dispute(2n, reasonCode("LATE-INSPECTION"));
    const same = trade.connect(a.regulator).resolve(2n, 10_000, NO_FX_QUOTE, "0x");
    await expect(same).to.emit(trade, "OrderSettled");
    await expect(same).to.not.emit(trade, "AwardHeld");
  });
});

describe("review 28, R28-1: closeRecourse dates a settled recourse default to the debtor's payment", function () {
  it("a financier that waits a year to close still closes on the payment day, so retention ends five years after it", async function () {
    const DAY = 86_400n;
    const { scf, credit, members, a, issue, quote, maturity } = await networkHelpers.loadFixture(ledgerFixture);
    const root = await issue();
    const { q, sig } = await quote(root, { recourse: true });
    await scf.connect(a.glassworks).finance(q, sig);
    const module = await members.memberForKey(await scf.getAddress());
    const recourseId = await credit.loanId(module, ethers.toBeHex(root, 32));
    await networkHelpers.time.increaseTo(maturity + 8n * DAY);
    await scf.connect(a.pacific).defaultRecourse(root);
    await scf.connect(a.pearl).repay(root);
    const paidOn = Number((await scf.getFamily(root)).repaidAt / DAY);
    await networkHelpers.time.increase(365n * DAY);
    await scf.connect(a.pacific).closeRecourse(root);
    expect((await credit.getLoan(recourseId)).status).to.equal(2n); // Repaid
    expect((await credit.termsOf(recourseId)).negativeUntil).to.equal(BigInt(addMonths(paidOn, 60)));
    // Five years after the payment the seller's default stops counting, whatever day the financier closed.
    const sellerKey = await members.entityKeyOf(await members.memberForKey(a.glassworks.address));
    await networkHelpers.time.increaseTo(BigInt(addMonths(paidOn, 60) + 1) * DAY);
    await expect(credit.ageLoan(recourseId)).to.emit(credit, "NegativeRecordExpired");
    expect((await credit.exposureOf(sellerKey)).defaults).to.equal(0n);
  });
});
