import { expect } from "chai";
import { network } from "hardhat";

import { reasonCode } from "../../src/encoding.js";
import { NO_FX_QUOTE, scaledRate } from "../../src/trade.js";
import { Kind, tradeWorld } from "../helpers/trade.js";

/**
 * Regressions of the twenty-ninth adversarial review (of review 28's held award). F1: a held award was stranded when
 * a tranche released before the dispute was paid by another path. `releaseAfterObjection` (anyone, after the
 * objection window) or `attest` of a further kind paid it through `_payReleased`, which settled the order with the
 * award still held: `payReleased` then refused the settled order, `escrowOf` read 0 and the award's tokens stayed in
 * the contract for good; with an assigned advance, the financier's record was closed as repaid. An order holding an
 * award no longer settles until the award is paid. Each F1 case asserted the opposite before the fix (the review's
 * proofs of concept); the review's checks of what was sound follow.
 */
const connection = await network.create();
const { ethers, networkHelpers } = connection;
const AMOUNT = 40_000_000n;
const State = { Funded: 3n, Settled: 5n } as const;

async function fixture() {
  const t = await tradeWorld(connection, { document: "PO-R29", otherProviders: ["pacific"] });
  const { trade, a } = t;
  // 50% on shipment, 50% on inspection, no fees; delivery (needed to dispute) releases nothing by itself.
  const terms = await t.openOrder({
    importerBankFeeBps: 0,
    exporterBankFeeBps: 0,
    tranches: [
      { shareBps: 5_000, evidence: 1 << Kind.Shipped },
      { shareBps: 5_000, evidence: 1 << Kind.Inspected },
    ],
  });
  const quote = async (payee: bigint, nonce: bigint, provider = a.huaxia) =>
    t.fxQuote(
      nonce,
      { beneficiary: payee, expiry: BigInt(await networkHelpers.time.latest()) + 30n * 86_400n },
      provider,
    );
  /**
   * Funds order 1; the carrier attests shipment and delivery without a quote (the shipment half waits, released, as
   * every converting tranche may); the importer disputes; the arbiter awards `share` without a quote (held).
   */
  const heldWithReleasedTranche = async (share: number) => {
    await trade.connect(a.golfo).fund(1n);
    for (const [kind, doc] of [
      [Kind.Shipped, ethers.id("BL-R29")],
      [Kind.Delivered, ethers.id("POD-R29")],
    ] as const) {
      await trade.connect(a.carrier).attest(1n, kind, doc, [await t.attestation(1n, kind, doc)], NO_FX_QUOTE, "0x");
    }
    expect(await trade.escrowOf(1n)).to.equal(AMOUNT);
    await trade.connect(a.cristal).dispute(1n, reasonCode("LATE-INSPECTION"));
    await expect(trade.connect(a.regulator).resolve(1n, share, NO_FX_QUOTE, "0x")).to.emit(trade, "AwardHeld");
    expect((await trade.getOrder(1n)).state).to.equal(State.Funded);
  };
  return { ...t, terms, quote, heldWithReleasedTranche };
}

describe("review 29, F1: a held award is never stranded by another path settling the order", function () {
  it("releaseAfterObjection pays the released tranche and leaves the order funded for the held award", async function () {
    const { world, trade, tokens, a, quote, heldWithReleasedTranche } = await networkHelpers.loadFixture(fixture);
    // The exporter named its provider: anyone may relay that provider's quotes.
    await trade.connect(a.glassworks).setFxTerms(1n, world.ids.huaxia, scaledRate("0.37"));
    await heldWithReleasedTranche(10_000);
    const settlement = await trade.getAddress();
    // The award (the inspection half) is held, the shipment half is released and unpaid: all of it still in escrow.
    expect(await trade.escrowOf(1n)).to.equal(AMOUNT);
    expect(await tokens.MXN.balanceOf(settlement)).to.equal(AMOUNT);

    // A stranger relays a provider quote through releaseAfterObjection once the objection window closed.
    await networkHelpers.time.increase(4n * 86_400n);
    const q = await quote(world.ids.glassworks, 7n);
    const released = trade.connect(world.outsiders[0]).releaseAfterObjection(1n, q.q, q.sig);
    await expect(released).to.emit(trade, "TranchePaid");
    await expect(released).to.not.emit(trade, "OrderSettled");
    // The order waits for the award, which escrow still holds and counts.
    expect((await trade.getOrder(1n)).state).to.equal(State.Funded);
    expect(await trade.escrowOf(1n)).to.equal(AMOUNT / 2n);
    expect(await tokens.MXN.balanceOf(settlement)).to.equal(AMOUNT / 2n);
    const again = await quote(world.ids.glassworks, 8n);
    await expect(trade.connect(a.glassworks).payReleased(1n, again.q, again.sig)).to.emit(trade, "OrderSettled");
    expect(await trade.escrowOf(1n)).to.equal(0n);
    expect(await tokens.MXN.balanceOf(settlement)).to.equal(0n);
  });

  it("an attestation of a further kind, relayed with the exporter's own quote, does not settle it either", async function () {
    const { world, trade, tokens, a, quote, attestation, heldWithReleasedTranche } =
      await networkHelpers.loadFixture(fixture);
    await heldWithReleasedTranche(6_000);
    const settlement = await trade.getAddress();
    expect(await trade.escrowOf(1n)).to.equal(AMOUNT / 2n + 12_000_000n);
    // The inspection report arrives anyway; the exporter relays it with its own quote for the released half.
    const doc = ethers.id("INSP-R29");
    const own = await quote(world.ids.glassworks, 9n);
    await expect(
      trade
        .connect(a.glassworks)
        .attest(1n, Kind.Inspected, doc, [await attestation(1n, Kind.Inspected, doc)], own.q, own.sig),
    ).to.not.emit(trade, "OrderSettled");
    expect((await trade.getOrder(1n)).state).to.equal(State.Funded);
    expect(await trade.escrowOf(1n)).to.equal(12_000_000n);
    expect(await tokens.MXN.balanceOf(settlement)).to.equal(12_000_000n);
    const again = await quote(world.ids.glassworks, 10n);
    await expect(trade.connect(a.glassworks).payReleased(1n, again.q, again.sig)).to.emit(trade, "OrderSettled");
    expect(await tokens.MXN.balanceOf(settlement)).to.equal(0n);
  });

  it("assigned: the financier's advance record stays open until the held award reaches it, then closes", async function () {
    const { world, trade, tokens, a, quote, signedAssignment, heldWithReleasedTranche } =
      await networkHelpers.loadFixture(fixture);
    const { deadline, nonce, signed } = await signedAssignment(a.pacific, world.ids.pacific, 30_000_000n);
    await trade.connect(a.glassworks).assignProceeds(1n, world.ids.pacific, 30_000_000n, deadline, nonce, signed);
    await trade.connect(a.pacific).setFxTerms(1n, world.ids.huaxia, scaledRate("0.37"));
    await heldWithReleasedTranche(10_000); // all at stake to the financier: nothing refunded
    await networkHelpers.time.increase(4n * 86_400n);
    const credit = world.contracts.credit;
    const module = await world.contracts.members.memberForKey(await trade.getAddress());
    const loanId = await credit.loanId(module, ethers.toBeHex(1n, 32));
    const q = await quote(world.ids.pacific, 11n);
    await expect(trade.connect(world.outsiders[0]).releaseAfterObjection(1n, q.q, q.sig)).to.not.emit(
      trade,
      "OrderSettled",
    );
    expect((await credit.getLoan(loanId)).status).to.equal(1n); // Active: half has not reached the financier yet
    const last = await quote(world.ids.pacific, 12n);
    const paid = trade.connect(world.outsiders[0]).payReleased(1n, last.q, last.sig);
    await expect(paid).to.emit(trade, "OrderSettled");
    await expect(paid).to.not.emit(trade, "AdvanceLeftOpen");
    expect((await credit.getLoan(loanId)).status).to.equal(2n); // Repaid: every tranche and the award reached it
    expect(await tokens.MXN.balanceOf(await trade.getAddress())).to.equal(0n);
  });
});

/** What the review checked and found sound (they passed before the fix too). */
describe("review 29, checked sound: the held award's own path", function () {
  it("payReleased pays the award first, then the released tranche; settles once, nothing left", async function () {
    const { world, trade, tokens, a, quote, signedAssignment, heldWithReleasedTranche } =
      await networkHelpers.loadFixture(fixture);
    const { deadline, nonce, signed } = await signedAssignment(a.pacific, world.ids.pacific, 30_000_000n);
    await trade.connect(a.glassworks).assignProceeds(1n, world.ids.pacific, 30_000_000n, deadline, nonce, signed);
    await heldWithReleasedTranche(10_000);
    const first = await quote(world.ids.pacific, 1n);
    const tx1 = trade.connect(a.pacific).payReleased(1n, first.q, first.sig);
    await expect(tx1).to.emit(trade, "TranchePaid");
    await expect(tx1).to.not.emit(trade, "OrderSettled");
    expect(await trade.escrowOf(1n)).to.equal(AMOUNT / 2n);
    const second = await quote(world.ids.pacific, 2n);
    const tx2 = trade.connect(a.pacific).payReleased(1n, second.q, second.sig);
    await expect(tx2).to.emit(trade, "OrderSettled");
    await expect(tx2).to.not.emit(trade, "AdvanceLeftOpen");
    expect(await tokens.MXN.balanceOf(await trade.getAddress())).to.equal(0n);
    expect(await trade.escrowOf(1n)).to.equal(0n);
  });

  it("a revoked payee: the governor names FX terms, anyone relays, the CNY is parked and redirected", async function () {
    const { world, trade, tokens, a, quote, heldWithReleasedTranche } = await networkHelpers.loadFixture(fixture);
    await heldWithReleasedTranche(10_000);
    const members = world.contracts.members;
    await members.revoke(world.ids.glassworks, reasonCode("STRUCK-OFF"));
    const q0 = await quote(world.ids.glassworks, 1n);
    await expect(trade.connect(a.glassworks).payReleased(1n, q0.q, q0.sig)).to.be.revertedWithCustomError(
      trade,
      "TradeFxQuoteNotChosen",
    );
    await trade.connect(world.governor).setFxTerms(1n, world.ids.huaxia, scaledRate("0.37"));
    const cny = await tokens.CNY.getAddress();
    for (const n of [2n, 3n]) {
      const q = await quote(world.ids.glassworks, n);
      await trade.connect(world.outsiders[0]).payReleased(1n, q.q, q.sig);
    }
    expect((await trade.getOrder(1n)).state).to.equal(State.Settled);
    const owed = await trade.owedTo(world.ids.glassworks, cny);
    expect(owed).to.equal((((AMOUNT / 2n) * 38n) / 100n) * 2n);
    expect(await tokens.CNY.balanceOf(await trade.getAddress())).to.equal(owed);
    await trade.connect(world.governor).redirectOwed(world.ids.glassworks, cny, a.regulator.address, reasonCode("R"));
    expect(await tokens.CNY.balanceOf(await trade.getAddress())).to.equal(0n);
    expect(await tokens.MXN.balanceOf(await trade.getAddress())).to.equal(0n);
  });

  it("both tokens paused: payReleased reverts and the award waits; unpaused, it is paid", async function () {
    const { world, trade, tokens, a, quote, heldWithReleasedTranche } = await networkHelpers.loadFixture(fixture);
    await trade.connect(a.glassworks).setFxTerms(1n, world.ids.huaxia, scaledRate("0.37"));
    await heldWithReleasedTranche(10_000);
    await tokens.CNY.connect(world.governor).pause();
    await tokens.MXN.connect(world.governor).pause();
    const q1 = await quote(world.ids.glassworks, 1n);
    await expect(trade.connect(world.outsiders[0]).payReleased(1n, q1.q, q1.sig)).to.be.revertedWithCustomError(
      tokens.MXN,
      "EnforcedPause",
    );
    expect(await trade.escrowOf(1n)).to.equal(AMOUNT);
    await tokens.MXN.connect(world.governor).unpause();
    // CNY still paused
    await expect(trade.connect(world.outsiders[0]).payReleased(1n, q1.q, q1.sig)).to.be.revertedWithCustomError(
      tokens.CNY,
      "EnforcedPause",
    );
    expect(await trade.escrowOf(1n)).to.equal(AMOUNT);
    await tokens.CNY.connect(world.governor).unpause();
    await trade.connect(world.outsiders[0]).payReleased(1n, q1.q, q1.sig);
    expect(await trade.escrowOf(1n)).to.equal(AMOUNT / 2n);
  });

  it("fees and FX rounding of a held award equal those of an award paid at once", async function () {
    const { world, trade, a, terms, fxQuote, attestation } = await networkHelpers.loadFixture(fixture);
    // Two more orders with fees and an awkward amount; one resolved with a quote, one held then paid on the same rate.
    const odd = { ...terms, amount: 33_333_337n, importerBankFeeBps: 7, exporterBankFeeBps: 13 };
    const awards: unknown[][] = [];
    for (const id of [2n, 3n]) {
      await trade.connect(a.cristal).createOrder(odd);
      await trade.connect(a.glassworks).accept(id);
      await trade.connect(a.glassworks).setFxTerms(id, world.ids.huaxia, scaledRate("0.37"));
      await trade.connect(a.golfo).fund(id);
      const doc = ethers.id(`POD-${id}`);
      await trade
        .connect(a.carrier)
        .attest(id, Kind.Delivered, doc, [await attestation(id, Kind.Delivered, doc)], NO_FX_QUOTE, "0x");
      await trade.connect(a.cristal).dispute(id, reasonCode("X"));
      const q = await fxQuote(100n + id, {
        order: id,
        maxSellAmount: odd.amount,
        expiry: BigInt(await networkHelpers.time.latest()) + 86_400n,
      });
      const tx =
        id === 2n
          ? await trade.connect(a.regulator).resolve(id, 3_333, q.q, q.sig)
          : (await trade.connect(a.regulator).resolve(id, 3_333, NO_FX_QUOTE, "0x"),
            await trade.connect(world.outsiders[0]).payReleased(id, q.q, q.sig));
      const r = await tx.wait();
      const paid = r!.logs.map((l) => trade.interface.parseLog(l)).find((p) => p?.name === "TranchePaid")!;
      awards.push([
        paid.args.gross,
        paid.args.importerBankFee,
        paid.args.exporterBankFee,
        paid.args.payout,
        paid.args.rate,
      ]);
    }
    expect(awards[1]).to.deep.equal(awards[0]);
  });
});
