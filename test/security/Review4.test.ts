import { expect } from "chai";
import { network } from "hardhat";

import { jurisdictionCode, legalIdHash } from "../../src/encoding.js";
import { EVIDENCE_KINDS, NO_FX_QUOTE, refundedIn, signAttestation, tradeDomain } from "../../src/trade.js";
import { invoiceKey } from "../../src/keys.js";
import { entityKey, roleMask } from "../../src/members.js";
import { glasswareOrder } from "../../scripts/lib/glassware.js";
import { deployWorld } from "../../scripts/lib/world.js";

/**
 * Regressions of the fourth adversarial review. Each case failed before its fix: another core enterprise confirmed a
 * receivable on a debtor's invoice keys and so barred the debtor's genuine receivable for ever (A3); at expiry, one
 * attestation of any kind paid every tranche, whatever evidence and threshold it needed, while the importer could not
 * object without delivery evidence (B-F1).
 */
const connection = await network.create();
const { ethers, networkHelpers } = connection;
const Kind = { Shipped: 0, CustomsCleared: 1, Delivered: 2, Inspected: 3 } as const;
const DAY = 86_400n;
const FACE = 100_000_000n;

async function fixture() {
  const world = await deployWorld(connection);
  const { scf, members, tokens } = world.contracts;
  const a = world.admins;
  const token = await tokens.CNY.getAddress();
  await scf.connect(a.pearl).chooseFinancier(token, world.ids.huaxia);
  await scf.connect(a.huaxia).setCreditLine(world.ids.pearl, token, 10n * FACE);
  // A rival core enterprise with a line of 0.01 CNY at another bank.
  const rival = world.outsiders[0];
  const lei = "TLRIVALCORE000000099";
  await members
    .connect(world.governor)
    .admit(legalIdHash(lei), entityKey(world.key, lei), jurisdictionCode("CN"), roleMask(["CoreEnterprise"]), rival);
  const rivalId = await members.memberForKey(rival);
  await scf.connect(rival).chooseFinancier(token, world.ids.pacific);
  await scf.connect(a.pacific).setCreditLine(rivalId, token, 1n);
  const maturity = BigInt(await networkHelpers.time.latest()) + 90n * DAY;
  // Pearl's genuine invoice, keyed under Pearl's own entity key as the SDK derives it.
  const pearlInvoice = invoiceKey(world.key, await members.entityKeyOf(world.ids.pearl), "INV-2026-0042", "2026-11-01");
  return { world, scf, a, rival, rivalId, token, maturity, pearlInvoice };
}

describe("adversarial review 4: regressions", function () {
  it("A3: another core enterprise's use of a debtor's invoice key takes nothing from the debtor", async function () {
    const {
      world,
      scf,
      a,
      rival,
      rivalId,
      token,
      maturity,
      pearlInvoice: k,
    } = await networkHelpers.loadFixture(fixture);
    const squat = await scf.connect(rival).issue.staticCall(a.glassworks, token, 1n, maturity, [k]);
    await scf.connect(rival).issue(a.glassworks, token, 1n, maturity, [k]);
    expect(await scf.invoiceUse(rivalId, k)).to.equal(squat);
    expect(await scf.invoiceUse(world.ids.pearl, k)).to.equal(0n);

    // Pearl's genuine receivable on its invoice is confirmed; the key is then Pearl's, and only once.
    const root = await scf.connect(a.pearl).issue.staticCall(a.glassworks, token, FACE, maturity, [k]);
    await expect(scf.connect(a.pearl).issue(a.glassworks, token, FACE, maturity, [k]))
      .to.emit(scf, "InvoiceUsed")
      .withArgs(k, root);
    expect(await scf.invoiceUse(world.ids.pearl, k)).to.equal(root);
    await expect(scf.connect(a.pearl).issue(a.precision, token, 1n, maturity, [k]))
      .to.be.revertedWithCustomError(scf, "ScfInvoiceAlreadyUsed")
      .withArgs(k, root);
    // A supplier's request on it is refused up front too, and the rival cannot use it twice either.
    await expect(scf.connect(a.glassworks).request(world.ids.pearl, token, 1n, maturity, [k]))
      .to.be.revertedWithCustomError(scf, "ScfInvoiceAlreadyUsed")
      .withArgs(k, root);
    await expect(scf.connect(rival).issue(a.glassworks, token, 1n, maturity, [k]))
      .to.be.revertedWithCustomError(scf, "ScfInvoiceAlreadyUsed")
      .withArgs(k, squat);
  });
});

async function tradeFixture() {
  const world = await deployWorld(connection);
  const { tokens, trade } = world.contracts;
  const a = world.admins;
  const address = await trade.getAddress();
  await tokens.MXN.connect(world.issuer).mint(a.golfo, 100_000_000n);
  await tokens.MXN.connect(a.golfo).approve(address, 100_000_000n);
  const now = BigInt(await networkHelpers.time.latest());
  // The consortium's glassware order (400,000.00 MXN), paid out in MXN, 100% on delivery.
  const glassware = await glasswareOrder(world, now, "PO-REVIEW4");
  const terms = {
    ...glassware,
    amount: BigInt(glassware.amount),
    expiry: BigInt(glassware.expiry),
    payoutToken: await tokens.MXN.getAddress(),
    tranches: [{ shareBps: 10_000, evidence: 1 << Kind.Delivered }],
  };
  const domain = tradeDomain(31337n, address);
  const attest = async (id: bigint, kind: number, doc: string) => {
    const sig = await signAttestation(a.carrier, domain, id, EVIDENCE_KINDS[kind], ethers.id(doc));
    return trade.connect(a.carrier).attest(id, kind, ethers.id(doc), [sig], NO_FX_QUOTE, "0x");
  };
  return { world, trade, MXN: tokens.MXN, a, terms, attest };
}

describe("adversarial review 4 (B-F1): at expiry only evidence pays; what no evidence released returns", function () {
  it("one Shipped attestation on a delivery-only order pays nothing: the escrow returns to the importer's bank", async function () {
    const { world, trade, MXN, a, terms, attest } = await networkHelpers.loadFixture(tradeFixture);
    await trade.connect(world.governor).setThreshold(Kind.Delivered, 2);
    await trade.connect(a.cristal).createOrder(terms);
    await trade.connect(a.glassworks).accept(1n);
    await trade.connect(a.golfo).fund(1n);
    await attest(1n, Kind.Shipped, "bill of lading");
    await networkHelpers.time.increaseTo(terms.expiry - 1n); // the next block is at expiry: still too early
    await expect(trade.connect(world.outsiders[0]).releaseAfterObjection(1n, NO_FX_QUOTE, "0x"))
      .to.be.revertedWithCustomError(trade, "TradeTooEarly")
      .withArgs(1n, terms.expiry + 1n);
    await networkHelpers.time.increaseTo(terms.expiry);
    const exporter = await MXN.balanceOf(a.glassworks);
    const bank = await MXN.balanceOf(a.golfo);
    await expect(trade.connect(world.outsiders[0]).releaseAfterObjection(1n, NO_FX_QUOTE, "0x"))
      .to.emit(trade, "Refunded")
      .and.to.emit(trade, "OrderSettled")
      .and.not.to.emit(trade, "TranchePaid");
    expect(await MXN.balanceOf(a.glassworks)).to.equal(exporter);
    expect((await MXN.balanceOf(a.golfo)) - bank).to.equal(terms.amount);
    expect(await trade.escrowOf(1n)).to.equal(0n);
    expect((await trade.getOrder(1n)).state).to.equal(5n); // Settled
  });

  it("a tranche evidence released is paid at expiry; the one whose evidence never came is refunded", async function () {
    const { world, trade, MXN, a, terms, attest } = await networkHelpers.loadFixture(tradeFixture);
    const order = {
      ...terms,
      tranches: [
        { shareBps: 3_000, evidence: 1 << Kind.Shipped },
        { shareBps: 7_000, evidence: 1 << Kind.Inspected },
      ],
    };
    await trade.connect(a.cristal).createOrder(order);
    await trade.connect(a.glassworks).accept(1n);
    await trade.connect(a.golfo).fund(1n);
    await attest(1n, Kind.Shipped, "bill of lading"); // pays the 30% at once
    // Delivered too late to leave the importer its objection window: refused, as before.
    await networkHelpers.time.increaseTo(order.expiry - 2n * DAY);
    await expect(attest(1n, Kind.Delivered, "proof of delivery")).to.be.revertedWithCustomError(
      trade,
      "TradeObjectionPastExpiry",
    );
    await networkHelpers.time.increaseTo(order.expiry + 1n);
    const exporter = await MXN.balanceOf(a.glassworks);
    const bank = await MXN.balanceOf(a.golfo);
    const tx = await trade.connect(world.outsiders[0]).releaseAfterObjection(1n, NO_FX_QUOTE, "0x");
    expect(await MXN.balanceOf(a.glassworks)).to.equal(exporter);
    expect((await MXN.balanceOf(a.golfo)) - bank).to.equal((order.amount * 7_000n) / 10_000n);
    // What the SDK's time rule reports as refunded (trade:refund --rule objection).
    expect(refundedIn(trade, (await tx.wait())!)).to.equal((order.amount * 7_000n) / 10_000n);
    expect(await trade.escrowOf(1n)).to.equal(0n);
    expect((await trade.getOrder(1n)).settledTranches).to.equal(3n);
  });
});
