import { expect } from "chai";
import { network } from "hardhat";

import { invoiceKey } from "../../src/keys.js";
import { reasonCode } from "../../src/encoding.js";
import { roleMask } from "../../src/members.js";
import { NO_FX_QUOTE, scaledRate, signAssignment } from "../../src/trade.js";
import { productKind } from "../../src/credit.js";
import { ephemeralKey, sampleLoan, syntheticId } from "../../scripts/lib/loans.js";
import { DAY, Kind, tradeWorld } from "../helpers/trade.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const key = ephemeralKey();
let n = 0;
const invoice = (): string => invoiceKey(key, ethers.id("TLTESTDEBTOR00000001"), `RV-${++n}`, "2026-11-01");

async function fixture() {
  const t = await tradeWorld(connection, { document: "PO-R10" });
  const terms = {
    ...t.terms,
    tranches: [
      { shareBps: 3_000, evidence: 1 << Kind.Shipped },
      { shareBps: 7_000, evidence: 1 << Kind.Delivered },
    ],
  };
  return { ...t, scf: t.world.contracts.scf, members: t.world.contracts.members, terms };
}

/** Cases a second adversarial review found after the first fixes; each asserts the property, and failed before. */
describe("issue 10: the second review's cases", function () {
  it("item 2: a revoked exporter's released tranche is converted on the governor's chosen terms and parked for redirectOwed", async function () {
    const { world, trade, members, a, terms, attestation, fxQuote } = await networkHelpers.loadFixture(fixture);
    await trade.connect(a.cristal).createOrder(terms);
    await trade.connect(a.glassworks).accept(1n);
    await trade.connect(a.golfo).fund(1n);
    const doc = ethers.id("bl");
    await trade
      .connect(a.carrier)
      .attest(1n, Kind.Shipped, doc, [await attestation(1n, Kind.Shipped, doc)], NO_FX_QUOTE, "0x");
    await members.connect(world.governor).revoke(world.ids.glassworks, reasonCode("SANCTIONS"));
    const { q, sig } = await fxQuote(1n);
    // The revoked exporter's own key no longer chooses a quote.
    await expect(trade.connect(a.glassworks).payReleased(1n, q, sig)).to.be.revertedWithCustomError(
      trade,
      "TradeFxQuoteNotChosen",
    );
    await expect(trade.connect(world.outsiders[0]).setFxTerms(1n, world.ids.huaxia, 0n)).to.be.revertedWithCustomError(
      trade,
      "TradeUnauthorized",
    );
    // The governor names the provider; anyone relays its quote; the payout is parked for the consortium's rules.
    await trade.connect(world.governor).setFxTerms(1n, world.ids.huaxia, scaledRate("0.38"));
    await expect(trade.connect(world.outsiders[0]).payReleased(1n, q, sig)).to.emit(trade, "PaymentParked");
    const owed = await trade.owedTo(world.ids.glassworks, terms.payoutToken);
    expect(owed).to.be.greaterThan(0n);
    await trade
      .connect(world.governor)
      .redirectOwed(world.ids.glassworks, terms.payoutToken, a.huaxia.address, reasonCode("RULE-9"));
    expect(await trade.owedTo(world.ids.glassworks, terms.payoutToken)).to.equal(0n);
  });

  it("item 23: a member holding Supplier and CoreEnterprise cannot request a receivable on itself", async function () {
    const { world, scf, members, tokens, a } = await networkHelpers.loadFixture(fixture);
    const token = await tokens.CNY.getAddress();
    await members.connect(world.governor).grantRoles(world.ids.pearl, roleMask(["Supplier"]));
    const maturity = BigInt(await networkHelpers.time.latest()) + 90n * DAY;
    await expect(scf.connect(a.pearl).request(world.ids.pearl, token, 100_000_000n, maturity, [invoice()]))
      .to.be.revertedWithCustomError(scf, "ScfSelfDealing")
      .withArgs(world.ids.pearl);
  });

  it("no money stuck: the last piece of a family repaid with a penalty takes the rounding remainder", async function () {
    const { world, scf, tokens, a } = await networkHelpers.loadFixture(fixture);
    const cny = tokens.CNY;
    const token = await cny.getAddress();
    await scf.connect(a.pearl).chooseFinancier(token, world.ids.huaxia);
    await scf.connect(a.huaxia).setCreditLine(world.ids.pearl, token, 1_000_000_000n);
    await cny.connect(world.issuer).mint(a.pearl, 1_000_000_000n);
    await cny.connect(a.pearl).approve(await scf.getAddress(), 1_000_000_000n);
    const maturity = BigInt(await networkHelpers.time.latest()) + 30n * DAY;
    const invoices = [invoice()];
    const root = await scf.connect(a.pearl).issue.staticCall(a.glassworks, token, 100_000_000n, maturity, invoices);
    await scf.connect(a.pearl).issue(a.glassworks, token, 100_000_000n, maturity, invoices);
    const faces = [33_333_333n, 33_333_333n, 33_333_334n];
    const children = await scf.connect(a.glassworks).split.staticCall(root, faces);
    await scf.connect(a.glassworks).split(root, faces);
    await networkHelpers.time.increaseTo(maturity + 10n * DAY + 5n);
    await scf.connect(a.pearl).repay(root);
    const { paid } = await scf.getFamily(root);
    expect(paid).to.be.greaterThan(100_000_000n);
    const before = await cny.balanceOf(a.glassworks);
    for (const id of [root, ...children]) await scf.collect(id);
    expect((await cny.balanceOf(a.glassworks)) - before).to.equal(paid);
    expect(await cny.balanceOf(await scf.getAddress())).to.equal(0n);
  });

  it("item 7: pre-shipment finance cannot be assigned once evidence came (the signed advance would not match)", async function () {
    const { world, trade, a, terms, domain, attestation } = await networkHelpers.loadFixture(fixture);
    const same = { ...terms, payoutToken: terms.payToken };
    await trade.connect(a.cristal).createOrder(same);
    await trade.connect(a.glassworks).accept(1n);
    const deadline = BigInt(await networkHelpers.time.latest()) + 3_600n;
    const assignment = {
      order: 1n,
      exporter: world.ids.glassworks,
      financier: world.ids.pacific,
      advance: 30_000_000n,
      deadline,
      nonce: 1n,
    };
    const signed = await signAssignment(a.pacific, domain, assignment);
    await trade.connect(a.golfo).fund(1n);
    const doc = ethers.id("bl");
    await trade
      .connect(a.carrier)
      .attest(1n, Kind.Shipped, doc, [await attestation(1n, Kind.Shipped, doc)], NO_FX_QUOTE, "0x");
    await expect(trade.connect(a.glassworks).assignProceeds(1n, world.ids.pacific, 30_000_000n, deadline, 1n, signed))
      .to.be.revertedWithCustomError(trade, "TradeGoodsMoved")
      .withArgs(1n, 1 << Kind.Shipped);
    expect((await trade.getOrder(1n)).financier).to.equal(0n);
  });

  it("item 23: an exporter that is also a Financier cannot assign its order's proceeds to itself", async function () {
    const { world, trade, members, a, terms, domain } = await networkHelpers.loadFixture(fixture);
    await members.connect(world.governor).grantRoles(world.ids.glassworks, roleMask(["Financier"]));
    await trade.connect(a.cristal).createOrder({ ...terms, payoutToken: terms.payToken });
    await trade.connect(a.glassworks).accept(1n);
    const deadline = BigInt(await networkHelpers.time.latest()) + 3_600n;
    const own = {
      order: 1n,
      exporter: world.ids.glassworks,
      financier: world.ids.glassworks,
      advance: 1n,
      deadline,
      nonce: 1n,
    };
    const signed = await signAssignment(a.glassworks, domain, own);
    await expect(trade.connect(a.glassworks).assignProceeds(1n, world.ids.glassworks, 1n, deadline, 1n, signed))
      .to.be.revertedWithCustomError(trade, "TradeConflictOfInterest")
      .withArgs(1n, world.ids.glassworks);
  });

  it("item 11: a funder named in a joint loan without its agreement gets its reference back from a Regulator", async function () {
    const { world, a } = await networkHelpers.loadFixture(fixture);
    const { credit } = world.contracts;
    const ids = world.ids;
    const victim = sampleLoan(key, { loanRef: "GOLFO-2026-0001", idNumber: syntheticId(700_001) });
    const squat = {
      ...sampleLoan(key, { loanRef: "GOLFO-2026-0001", idNumber: syntheticId(700_002) }),
      kind: productKind("JointLoan"),
      principal: 1n,
      outstanding: 1n,
    };
    await credit.connect(a.huaxia).registerJointLoan(squat, [
      { member: ids.huaxia, shareBps: 9_900 },
      { member: ids.golfo, shareBps: 100 },
    ]);
    await expect(credit.connect(a.golfo).registerLoan(victim)).to.be.revertedWithCustomError(
      credit,
      "CreditJointLoanFunderBooked",
    );
    const reason = reasonCode("NO-CONSENT");
    await expect(credit.connect(a.huaxia).releaseJointLoanClaim(ids.golfo, victim.loanRef, reason))
      .to.be.revertedWithCustomError(world.contracts.members, "MemberMissingRole")
      .withArgs(a.huaxia.address, ids.huaxia, 12);
    await expect(credit.connect(a.regulator).releaseJointLoanClaim(ids.golfo, victim.loanRef, reason))
      .to.emit(credit, "JointLoanClaimReleased")
      .withArgs(ids.golfo, victim.loanRef, await credit.loanId(ids.huaxia, victim.loanRef), ids.regulator, reason);
    await expect(credit.connect(a.regulator).releaseJointLoanClaim(ids.golfo, victim.loanRef, reason))
      .to.be.revertedWithCustomError(credit, "CreditJointLoanClaimUnknown")
      .withArgs(ids.golfo, victim.loanRef);
    await expect(credit.connect(a.golfo).registerLoan(victim)).to.emit(credit, "LoanRegistered");
  });

  it("item 9: a debtor cannot escape its bank's freeze by choosing another bank", async function () {
    const { world, scf, tokens, a } = await networkHelpers.loadFixture(fixture);
    const token = await tokens.CNY.getAddress();
    await scf.connect(a.pearl).chooseFinancier(token, world.ids.huaxia);
    await scf.connect(a.huaxia).setCreditLine(world.ids.pearl, token, 1_000_000_000n);
    await scf.connect(a.huaxia).freezeCreditLine(world.ids.pearl, token, true);
    await scf.connect(a.pearl).chooseFinancier(token, world.ids.pacific);
    expect((await scf.creditLineOf(world.ids.pearl, token)).frozen).to.equal(true);
    await scf.connect(a.pacific).setCreditLine(world.ids.pearl, token, 1_000_000_000n);
    const maturity = BigInt(await networkHelpers.time.latest()) + 30n * DAY;
    await expect(scf.connect(a.pearl).issue(a.glassworks, token, 1n, maturity, [invoice()]))
      .to.be.revertedWithCustomError(scf, "ScfCreditLineFrozen")
      .withArgs(world.ids.pearl);
    // The governor's reassignment starts the line afresh.
    await scf.connect(world.governor).reassignCreditLine(world.ids.pearl, token, world.ids.huaxia);
    expect((await scf.creditLineOf(world.ids.pearl, token)).frozen).to.equal(false);
  });

  it("item 4: an order cannot be funded after its shipment deadline, where the unshipped refund would follow at once", async function () {
    const { trade, a, terms } = await networkHelpers.loadFixture(fixture);
    await trade.connect(a.cristal).createOrder(terms);
    await trade.connect(a.glassworks).accept(1n);
    await networkHelpers.time.increaseTo(terms.shipmentDeadline);
    await expect(trade.connect(a.golfo).fund(1n))
      .to.be.revertedWithCustomError(trade, "TradeWindowClosed")
      .withArgs(1n, terms.shipmentDeadline);
  });
});
