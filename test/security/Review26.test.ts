import { expect } from "chai";
import { network } from "hardhat";

import { reasonCode } from "../../src/encoding.js";
import { scaledRate } from "../../src/trade.js";
import { Kind, tradeWorld } from "../helpers/trade.js";

/**
 * Regressions of the twenty-sixth adversarial review (the authority caches, and what the trade settlement lets a
 * suspended party decide). A suspension is the governor's brake on a member whose key may be compromised: its key
 * gives nothing away (R15-1). Each case failed before its fix: the review's proofs of concept asserted the opposite.
 */
const connection = await network.create();
const { ethers, networkHelpers } = connection;
const MemberStatus = { Suspended: 2n, Revoked: 3n } as const;
const AMOUNT = 40_000_000n;

async function fixture() {
  const t = await tradeWorld(connection, { fxProvider: "pacific", document: "PO-R26" });
  const { world, trade, a } = t;
  const terms = {
    ...t.terms,
    amount: AMOUNT,
    importerBankFeeBps: 0,
    exporterBankFeeBps: 0,
    tranches: [{ shareBps: 10_000, evidence: 1 << Kind.Shipped }],
  };
  await trade.connect(a.cristal).createOrder(terms);
  await trade.connect(a.glassworks).accept(1n);
  /** Pacific's MXN->CNY quote for the whole order at `rate` (scaled), paying the exporter, valid for an hour. */
  const quote = async (rate: bigint, nonce: bigint) =>
    t.fxQuote(nonce, { rate, maxSellAmount: AMOUNT, expiry: BigInt(await networkHelpers.time.latest()) + 3_600n });
  const shipped = async () => {
    const doc = ethers.id("BL-R26");
    return { doc, sigs: [await t.attestation(1n, Kind.Shipped, doc)] };
  };
  return {
    world,
    trade,
    members: world.contracts.members,
    tokens: t.tokens,
    terms,
    a,
    signedAssignment: t.signedAssignment,
    quote,
    shipped,
  };
}

describe("review 26, R26-A: a suspended payee's key no longer chooses how its proceeds are converted", function () {
  it("its FX terms stay as the active payee set them, and a colluding provider's low quote is refused", async function () {
    const { world, trade, members, terms, a, quote, shipped } = await networkHelpers.loadFixture(fixture);
    await trade.connect(a.glassworks).setFxTerms(1n, world.ids.pacific, scaledRate("0.38"));
    await trade.connect(a.golfo).fund(1n);
    await members.suspend(world.ids.glassworks, reasonCode("KEY-LEAK"));

    // The suspended payee's key is refused, with the registry's own error naming the suspension; nothing changes.
    await expect(trade.connect(a.glassworks).setFxTerms(1n, world.ids.pacific, 1n))
      .to.be.revertedWithCustomError(members, "MemberNotActive")
      .withArgs(a.glassworks.address, world.ids.glassworks, MemberStatus.Suspended);
    expect(await trade.fxTermsOf(1n)).to.deep.equal([world.ids.pacific, scaledRate("0.38")]);
    // Nor may the governor choose for a payee that is only suspended: that is the revoked payee's rule.
    await expect(trade.connect(world.governor).setFxTerms(1n, world.ids.pacific, 1n))
      .to.be.revertedWithCustomError(trade, "TradeUnauthorized")
      .withArgs(1n, world.governor.address);

    // So the provider's quote at 1e-18 stays below the floor the payee set while it was active.
    const { q, sig } = await quote(1n, 7n);
    const { doc, sigs } = await shipped();
    await expect(trade.connect(world.outsiders[0]).attest(1n, Kind.Shipped, doc, sigs, q, sig))
      .to.be.revertedWithCustomError(trade, "TradeFxRateBelowMin")
      .withArgs(1n, 1n, scaledRate("0.38"));
    // A fair quote converts, and the suspended exporter's CNY is parked for it, not paid to the key.
    const fair = await quote(scaledRate("0.38"), 8n);
    await trade.connect(world.outsiders[0]).attest(1n, Kind.Shipped, doc, sigs, fair.q, fair.sig);
    expect(await trade.owedTo(world.ids.glassworks, terms.payoutToken)).to.equal((AMOUNT * 38n) / 100n);
  });

  it("a suspended payee that named no provider cannot pick one by relaying a quote; reinstated, it can", async function () {
    const { world, trade, members, a, quote, shipped } = await networkHelpers.loadFixture(fixture);
    await trade.connect(a.golfo).fund(1n);
    await members.suspend(world.ids.glassworks, reasonCode("KEY-LEAK"));
    const { q, sig } = await quote(1n, 9n);
    const { doc, sigs } = await shipped();
    await expect(trade.connect(a.glassworks).attest(1n, Kind.Shipped, doc, sigs, q, sig))
      .to.be.revertedWithCustomError(trade, "TradeFxQuoteNotChosen")
      .withArgs(1n, a.pacific.address);

    await members.reinstate(world.ids.glassworks, reasonCode("CLEARED"));
    const fair = await quote(scaledRate("0.38"), 10n);
    await expect(trade.connect(a.glassworks).attest(1n, Kind.Shipped, doc, sigs, fair.q, fair.sig)).to.emit(
      trade,
      "TranchePaid",
    );
  });

  it("reinstated, the payee sets its terms again; revoked, the governor does", async function () {
    const { world, trade, members, a } = await networkHelpers.loadFixture(fixture);
    await members.suspend(world.ids.glassworks, reasonCode("KEY-LEAK"));
    await members.reinstate(world.ids.glassworks, reasonCode("CLEARED"));
    await expect(trade.connect(a.glassworks).setFxTerms(1n, world.ids.pacific, scaledRate("0.37")))
      .to.emit(trade, "FxTermsSet")
      .withArgs(1n, world.ids.pacific, scaledRate("0.37"));
    await members.revoke(world.ids.glassworks, reasonCode("LICENCE"));
    await expect(trade.connect(a.glassworks).setFxTerms(1n, world.ids.pacific, 1n))
      .to.be.revertedWithCustomError(members, "MemberNotActive")
      .withArgs(a.glassworks.address, world.ids.glassworks, MemberStatus.Revoked);
    await expect(trade.connect(world.governor).setFxTerms(1n, world.ids.pacific, scaledRate("0.36")))
      .to.emit(trade, "FxTermsSet")
      .withArgs(1n, world.ids.pacific, scaledRate("0.36"));
  });
});

describe("review 26, R26-B: a suspended exporter takes no new pre-shipment finance", function () {
  it("its relayed assignment is refused and no loan is booked; reinstated, the same signed assignment goes through", async function () {
    const { world, trade, members, a, signedAssignment } = await networkHelpers.loadFixture(fixture);
    const { credit } = world.contracts;
    const { deadline, nonce, signed } = await signedAssignment(a.pacific, world.ids.pacific, 1_000n);
    const module = await members.memberForKey(await trade.getAddress());
    const loan = await credit.loanId(module, ethers.toBeHex(1n, 32));

    await members.suspend(world.ids.glassworks, reasonCode("KEY-LEAK"));
    await expect(trade.connect(a.glassworks).assignProceeds(1n, world.ids.pacific, 1_000n, deadline, nonce, signed))
      .to.be.revertedWithCustomError(members, "MemberNotActive")
      .withArgs(a.glassworks.address, world.ids.glassworks, MemberStatus.Suspended);
    expect((await credit.getLoan(loan)).status).to.equal(0n);
    expect((await trade.getOrder(1n)).financier).to.equal(0n);
    // Another member's key is still told it is not the exporter.
    await expect(trade.connect(a.huaxia).assignProceeds(1n, world.ids.pacific, 1_000n, deadline, nonce, signed))
      .to.be.revertedWithCustomError(trade, "TradeUnauthorized")
      .withArgs(1n, a.huaxia.address);

    await members.reinstate(world.ids.glassworks, reasonCode("CLEARED"));
    await expect(
      trade.connect(a.glassworks).assignProceeds(1n, world.ids.pacific, 1_000n, deadline, nonce, signed),
    ).to.emit(trade, "ProceedsAssigned");
    expect((await credit.getLoan(loan)).principal).to.equal(1_000n);
  });
});
