import { expect } from "chai";
import { network } from "hardhat";

import { aprBps as toBps, aprOfPlan } from "../../src/apr.js";
import { reasonCode } from "../../src/encoding.js";
import { roleMask } from "../../src/members.js";
import { Frequency } from "../../src/schedule.js";
import {
  EVIDENCE_KINDS,
  NO_FX_QUOTE,
  signAssignment,
  signAttestation,
  signFxQuote,
  tradeDomain,
} from "../../src/trade.js";
import type { FxQuote } from "../../src/trade.js";
import { glasswareOrder } from "../../scripts/lib/glassware.js";
import { deployWorld } from "../../scripts/lib/world.js";
import { allPendingReports } from "../helpers/reports.js";

/**
 * Regressions of the third adversarial review (after issue 15's registry-call change). Each case failed before its
 * fix: a financed order that never repaid its advance booked it Repaid (F1); an arbiter priced its own award (F2); a
 * lender declared an APR far under its plan's (F3); money pushed into a module's escrow was owed to nobody (F4).
 */
const connection = await network.create();
const { ethers, networkHelpers } = connection;
const DAY = 86_400n;
const Status = { Active: 1n, Repaid: 2n, Defaulted: 4n } as const;
const OrderState = { Funded: 3 } as const;
const ADVANCE = 30_000_000n;

async function fixture() {
  const world = await deployWorld(connection);
  const { tokens, trade, credit, members } = world.contracts;
  const a = world.admins;
  const address = await trade.getAddress();
  await tokens.MXN.connect(world.issuer).mint(a.golfo, 100_000_000n);
  await tokens.MXN.connect(a.golfo).approve(address, 100_000_000n);
  const now = BigInt(await networkHelpers.time.latest());
  // The consortium's glassware order, paid out in its own currency (MXN) in one tranche on shipment.
  const terms = {
    ...(await glasswareOrder(world, now, "PO-REVIEW3")),
    payoutToken: await tokens.MXN.getAddress(),
    tranches: [{ shareBps: 10_000, evidence: 1 }],
  };
  const domain = tradeDomain(31337n, address);
  const loanOf = async (order: bigint) => credit.loanId(await members.memberForKey(address), ethers.toBeHex(order, 32));
  const exporterKey = await members.entityKeyOf(world.ids.glassworks);
  /** The exporter assigns order `id`'s proceeds to Pacific for ADVANCE, with Pacific's signature. */
  const assign = async (id: bigint) => {
    const deadline = BigInt(await networkHelpers.time.latest()) + 3_600n;
    const assignment = {
      order: id,
      exporter: world.ids.glassworks,
      financier: world.ids.pacific,
      advance: ADVANCE,
      deadline,
      nonce: id,
    };
    const signed = await signAssignment(a.pacific, domain, assignment);
    await trade.connect(a.glassworks).assignProceeds(id, world.ids.pacific, ADVANCE, deadline, id, signed);
  };
  return { world, trade, credit, a, terms, domain, loanOf, exporterKey, assign };
}

describe("review 3 (F1): an order that did not repay the financier's advance leaves its credit record open", function () {
  it("refunded unshipped: the record stays the exporter's live debt until the financier, and only it, closes it", async function () {
    const { world, trade, credit, a, terms, loanOf, exporterKey, assign } = await networkHelpers.loadFixture(fixture);
    await trade.connect(a.cristal).createOrder(terms);
    await trade.connect(a.glassworks).accept(1n);
    await assign(1n);
    await trade.connect(a.golfo).fund(1n);
    const loan = await loanOf(1n);
    // Too early to close: the order is live.
    await expect(trade.connect(a.pacific).closeAdvance(1n))
      .to.be.revertedWithCustomError(trade, "TradeUnexpectedOrderState")
      .withArgs(1n, OrderState.Funded, anyStates());

    // The exporter never ships: the escrow returns to the importer's bank and the financier gets nothing.
    await networkHelpers.time.increaseTo(BigInt(terms.shipmentDeadline) + 1n);
    await expect(trade.connect(world.outsiders[0]).refundUnshipped(1n))
      .to.emit(trade, "AdvanceLeftOpen")
      .withArgs(1n, world.ids.pacific)
      .and.not.to.emit(credit, "LoanStatusChanged");
    const record = await credit.getLoan(loan);
    expect([record.status, record.outstanding]).to.deep.equal([Status.Active, ADVANCE]);
    const exposure = await credit.exposureOf(exporterKey);
    expect([exposure.activeLoans, exposure.outstanding]).to.deep.equal([1n, ADVANCE]);

    // Neither a stranger nor the exporter says the advance was repaid.
    await expect(trade.connect(world.outsiders[0]).closeAdvance(1n))
      .to.be.revertedWithCustomError(world.contracts.members, "MemberUnknownAccount")
      .withArgs(world.outsiders[0].address);
    await expect(trade.connect(a.glassworks).closeAdvance(1n))
      .to.be.revertedWithCustomError(trade, "TradeUnauthorized")
      .withArgs(1n, a.glassworks.address);
    expect((await credit.getLoan(loan)).status).to.equal(Status.Active);
    // The financier does, once repaid outside the order; then there is nothing left to close.
    await expect(trade.connect(a.pacific).closeAdvance(1n))
      .to.emit(trade, "AdvanceClosed")
      .withArgs(1n, world.ids.pacific)
      .and.to.emit(credit, "LoanStatusChanged")
      .withArgs(loan, exporterKey, Status.Active, Status.Repaid);
    expect((await credit.exposureOf(exporterKey)).outstanding).to.equal(0n);
    await expect(trade.connect(a.pacific).closeAdvance(1n))
      .to.be.revertedWithCustomError(trade, "TradeAdvanceNotOpen")
      .withArgs(1n);
  });

  it("lapsed unfunded: the record stays open; an order that paid the financier every tranche closes it itself", async function () {
    const { world, trade, credit, a, terms, domain, loanOf, assign } = await networkHelpers.loadFixture(fixture);
    await trade.connect(a.cristal).createOrder(terms);
    await trade.connect(a.glassworks).accept(1n);
    await assign(1n);
    await trade.connect(a.cristal).createOrder({ ...terms, documentHash: ethers.id("PO-REVIEW3-2") });
    await trade.connect(a.glassworks).accept(2n);
    await assign(2n);
    await trade.connect(a.golfo).fund(2n);
    const doc = ethers.id("bill of lading");
    const sig = await signAttestation(a.carrier, domain, 2n, EVIDENCE_KINDS[0], doc);
    await expect(trade.connect(a.carrier).attest(2n, 0, doc, [sig], NO_FX_QUOTE, "0x"))
      .to.emit(credit, "LoanStatusChanged")
      .withArgs(await loanOf(2n), anyKey(), Status.Active, Status.Repaid)
      .and.not.to.emit(trade, "AdvanceLeftOpen");
    await expect(trade.connect(a.pacific).closeAdvance(2n))
      .to.be.revertedWithCustomError(trade, "TradeAdvanceNotOpen")
      .withArgs(2n);

    await networkHelpers.time.increaseTo(terms.shipmentDeadline);
    await expect(trade.connect(world.outsiders[0]).refundExpired(1n))
      .to.emit(trade, "AdvanceLeftOpen")
      .withArgs(1n, world.ids.pacific);
    expect((await credit.getLoan(await loanOf(1n))).status).to.equal(Status.Active);
  });
});

describe("review 4, open item: the financier books an advance the order left open as the exporter's default", function () {
  /** Order 1, its proceeds assigned to Pacific and funded, refunded unshipped: the advance is left open. */
  async function unshippedAdvance() {
    const f = await networkHelpers.loadFixture(fixture);
    const { world, trade, a, terms, loanOf, assign } = f;
    await trade.connect(a.cristal).createOrder(terms);
    await trade.connect(a.glassworks).accept(1n);
    await assign(1n);
    await trade.connect(a.golfo).fund(1n);
    await networkHelpers.time.increaseTo(BigInt(terms.shipmentDeadline) + 1n);
    await trade.connect(world.outsiders[0]).refundUnshipped(1n);
    return { ...f, loan: await loanOf(1n) };
  }

  it("after the order's expiry only, by the financier only, once; a late repayment still closes it", async function () {
    const { world, trade, credit, a, terms, exporterKey, loan } = await unshippedAdvance();
    // The exporter has until the order's expiry, the record's maturity, to repay.
    await expect(trade.connect(a.pacific).defaultAdvance(1n))
      .to.be.revertedWithCustomError(trade, "TradeTooEarly")
      .withArgs(1n, BigInt(terms.expiry) + 1n);
    await networkHelpers.time.increaseTo(BigInt(terms.expiry) + 1n);
    await expect(trade.connect(world.outsiders[0]).defaultAdvance(1n))
      .to.be.revertedWithCustomError(world.contracts.members, "MemberUnknownAccount")
      .withArgs(world.outsiders[0].address);
    await expect(trade.connect(a.glassworks).defaultAdvance(1n))
      .to.be.revertedWithCustomError(trade, "TradeUnauthorized")
      .withArgs(1n, a.glassworks.address);
    const before = await credit.exposureOf(exporterKey);
    await expect(trade.connect(a.pacific).defaultAdvance(1n))
      .to.emit(trade, "AdvanceDefaulted")
      .withArgs(1n, world.ids.pacific)
      .and.to.emit(credit, "LoanStatusChanged")
      .withArgs(loan, exporterKey, Status.Active, Status.Defaulted);
    const after = await credit.exposureOf(exporterKey);
    expect([after.outstanding, after.defaults]).to.deep.equal([ADVANCE, before.defaults + 1n]);
    await expect(trade.connect(a.pacific).defaultAdvance(1n))
      .to.be.revertedWithCustomError(trade, "TradeAdvanceAlreadyDefaulted")
      .withArgs(1n);
    // Repaid late outside the order: the financier closes it, a settled default.
    await expect(trade.connect(a.pacific).closeAdvance(1n))
      .to.emit(credit, "LoanStatusChanged")
      .withArgs(loan, exporterKey, Status.Defaulted, Status.Repaid);
    await expect(trade.connect(a.pacific).defaultAdvance(1n))
      .to.be.revertedWithCustomError(trade, "TradeAdvanceNotOpen")
      .withArgs(1n);
    expect(await allPendingReports(trade, ethers.toBeHex(1n, 32))).to.deep.equal([]);
  });
  it("refused while the settlement is paused, its clock stopped; queued while the registry is paused, then delivered", async function () {
    const { trade, credit, a, terms, exporterKey, loan } = await unshippedAdvance();
    // Paused before the expiry: no default while paused, and the paused days do not count against the exporter.
    await trade.connect(a.regulator).pause();
    await networkHelpers.time.increaseTo(BigInt(terms.expiry) + 1n);
    await expect(trade.connect(a.pacific).defaultAdvance(1n)).to.be.revertedWithCustomError(trade, "EnforcedPause");
    await trade.unpause();
    const paused = await trade.pausedSeconds();
    await expect(trade.connect(a.pacific).defaultAdvance(1n))
      .to.be.revertedWithCustomError(trade, "TradeTooEarly")
      .withArgs(1n, BigInt(terms.expiry) + paused + 1n);
    // Past the expiry in active time, with the registry paused: the default is booked in the order and queued.
    await networkHelpers.time.increaseTo(BigInt(terms.expiry) + paused + 1n);
    await credit.connect(a.regulator).pause();
    await expect(trade.connect(a.pacific).defaultAdvance(1n))
      .to.emit(trade, "AdvanceDefaulted")
      .and.to.emit(trade, "CreditReportDeferred");
    expect((await credit.getLoan(loan)).status).to.equal(Status.Active);
    await expect(trade.connect(a.pacific).defaultAdvance(1n))
      .to.be.revertedWithCustomError(trade, "TradeAdvanceAlreadyDefaulted")
      .withArgs(1n);
    await credit.unpause();
    await expect(trade.retryCreditReports(ethers.toBeHex(1n, 32), 10))
      .to.emit(credit, "LoanStatusChanged")
      .withArgs(loan, exporterKey, Status.Active, Status.Defaulted);
    expect(await allPendingReports(trade, ethers.toBeHex(1n, 32))).to.deep.equal([]);
  });

  it("review 13: a suspended financier's word on the record is refused, a default as a close, until it is reinstated", async function () {
    const { world, trade, credit, a, terms, exporterKey, loan } = await unshippedAdvance();
    const { members } = world.contracts;
    await networkHelpers.time.increaseTo(BigInt(terms.expiry) + 1n);
    // A credit report is an active member's word, in the registry (`fileLoanStatus`) and in its modules alike: the
    // ledger's `closeRecourse` and `defaultRecourse` asked for it already.
    await members.connect(world.governor).suspend(world.ids.pacific, reasonCode("LICENCE-REVIEW"));
    for (const call of [trade.connect(a.pacific).defaultAdvance(1n), trade.connect(a.pacific).closeAdvance(1n)]) {
      await expect(call)
        .to.be.revertedWithCustomError(members, "MemberNotActive")
        .withArgs(a.pacific.address, world.ids.pacific, 2n);
    }
    expect((await credit.getLoan(loan)).status).to.equal(Status.Active);
    expect((await credit.exposureOf(exporterKey)).defaults).to.equal(0n);
    await members.connect(world.governor).reinstate(world.ids.pacific, reasonCode("CLEARED"));
    await expect(trade.connect(a.pacific).defaultAdvance(1n))
      .to.emit(credit, "LoanStatusChanged")
      .withArgs(loan, exporterKey, Status.Active, Status.Defaulted);
  });
});

describe("review 3 (F2): the arbiter decides the share of an award, never its price", function () {
  it("an arbiter that is also an FX provider cannot convert the award at its own quote; the payee's provider can", async function () {
    const { world, trade, a, terms, domain } = await networkHelpers.loadFixture(fixture);
    const { tokens, members } = world.contracts;
    await members.connect(world.governor).grantRoles(world.ids.regulator, roleMask(["FxProvider"]));
    const order = {
      ...terms,
      payoutToken: await tokens.CNY.getAddress(),
      tranches: [
        { shareBps: 7_000, evidence: (1 << 0) | (1 << 2) }, // Shipped + Delivered
        { shareBps: 3_000, evidence: 1 << 3 }, // Inspected
      ],
    };
    await trade.connect(a.cristal).createOrder(order);
    await trade.connect(a.glassworks).accept(1n);
    await trade.connect(a.golfo).fund(1n);
    for (const kind of [0, 2]) {
      const doc = ethers.id(`doc-${kind}`);
      const sig = await signAttestation(a.carrier, domain, 1n, EVIDENCE_KINDS[kind], doc);
      await trade.connect(a.carrier).attest(1n, kind, doc, [sig], NO_FX_QUOTE, "0x");
    }
    await trade.connect(a.cristal).dispute(1n, ethers.id("LATE"));
    const quote = async (signer: typeof a.regulator, nonce: bigint, rate: bigint): Promise<[FxQuote, string]> => {
      const q: FxQuote = {
        order: 1n,
        beneficiary: world.ids.glassworks,
        sellToken: await tokens.MXN.getAddress(),
        buyToken: await tokens.CNY.getAddress(),
        rate,
        maxSellAmount: 40_000_000n,
        expiry: BigInt(await networkHelpers.time.latest()) + 600n,
        nonce,
      };
      return [q, await signFxQuote(signer, domain, q)];
    };
    // The arbiter's own quote at 1e-18 CNY per MXN: the payee named no provider, so nobody chose it.
    const [own, ownSig] = await quote(a.regulator, 1n, 1n);
    const escrowBefore = await trade.escrowOf(1n);
    await expect(trade.connect(a.regulator).resolve(1n, 10_000, own, ownSig))
      .to.be.revertedWithCustomError(trade, "TradeFxQuoteNotChosen")
      .withArgs(1n, a.regulator.address);
    expect(await trade.escrowOf(1n)).to.equal(escrowBefore);
    // The exporter names Huaxia with a floor: the arbiter's own quote is still not the payee's choice.
    const floor = 3n * 10n ** 17n;
    await trade.connect(a.glassworks).setFxTerms(1n, world.ids.huaxia, floor);
    await expect(trade.connect(a.regulator).resolve(1n, 10_000, own, ownSig))
      .to.be.revertedWithCustomError(trade, "TradeFxProviderNotNamed")
      .withArgs(1n, world.ids.regulator, world.ids.huaxia);
    // Huaxia's quote at the floor converts the award: the exporter is paid in CNY, the arbiter's key nothing.
    await tokens.CNY.connect(world.issuer).mint(a.huaxia, 100_000_000n);
    await tokens.CNY.connect(a.huaxia).approve(await trade.getAddress(), 100_000_000n);
    const [named, namedSig] = await quote(a.huaxia, 2n, floor);
    const [mxnBefore, cnyBefore] = [await tokens.MXN.balanceOf(a.regulator), await tokens.CNY.balanceOf(a.glassworks)];
    await trade.connect(a.regulator).resolve(1n, 10_000, named, namedSig);
    const atStake = 12_000_000n; // tranche 2 (30%)
    const net = atStake - (atStake * 10n) / 10_000n - (atStake * 15n) / 10_000n;
    expect((await tokens.CNY.balanceOf(a.glassworks)) - cnyBefore).to.equal((net * floor) / 10n ** 18n);
    expect(await tokens.MXN.balanceOf(a.regulator)).to.equal(mxnBefore);
  });
});

describe("review 3 (F3): a declared APR cannot sit far under what its plan's cash flows imply", function () {
  it("a 12-month amortising plan at about 58% cannot be declared at a 24% cap; at its true APR it is refused by the cap", async function () {
    const { world } = await networkHelpers.loadFixture(fixture);
    const { credit } = world.contracts;
    const a = world.admins;
    const policy = await credit.policy();
    await credit.connect(world.governor).setPolicy({ ...policyOf(policy), mode: 1, maxAprBps: 2_400 });
    const today = Number(BigInt(await networkHelpers.time.latest()) / DAY);
    const first = addMonths(today, 1);
    const plan = {
      instalments: 12,
      frequency: Frequency.Monthly,
      firstDueDay: first,
      instalment: 105_900n,
      finalInstalment: 105_900n,
    };
    const principal = 1_000_000n;
    const trueApr = toBps(aprOfPlan(principal, plan, today)); // 5816 bps by the SDK's actuarial method
    expect(trueApr).to.be.greaterThan(5_000);
    const loan = {
      loanRef: ethers.id("REVIEW3-APR-1"),
      borrowerKey: ethers.id("review3 borrower"),
      kind: 0, // ConsumerLoan
      principal,
      outstanding: 12n * 105_900n,
      originationDay: today,
      maturityDay: addMonths(first, 11),
      commitment: ethers.id("commitment"),
      aprBps: 2_400, // declared at the cap
      plan,
    };
    await expect(credit.connect(a.golfo).registerLoan(loan)).to.be.revertedWithCustomError(
      credit,
      "CreditAprBelowPlan",
    );
    await expect(
      credit.connect(a.golfo).registerLoan({ ...loan, loanRef: ethers.id("REVIEW3-APR-2"), aprBps: trueApr }),
    ).to.be.revertedWithCustomError(credit, "CreditPolicyLimitExceeded");
    // Without the cap, the true APR registers.
    await credit.connect(world.governor).setPolicy({ ...policyOf(policy), mode: 1, maxAprBps: 0 });
    await expect(
      credit.connect(a.golfo).registerLoan({ ...loan, loanRef: ethers.id("REVIEW3-APR-3"), aprBps: trueApr }),
    ).to.emit(credit, "LoanRegistered");
  });
});

describe("review 3 (F4): a module's escrow takes only what the module pulls", function () {
  it("a member's plain transfer to the trade settlement is refused, so nothing lands on no order's books", async function () {
    const { world, trade, a } = await networkHelpers.loadFixture(fixture);
    const mxn = world.contracts.tokens.MXN;
    const address = await trade.getAddress();
    const before = await mxn.balanceOf(a.golfo);
    await expect(mxn.connect(a.golfo).transfer(address, 1_000_000n))
      .to.be.revertedWithCustomError(mxn, "SettlementDepositNotPulled")
      .withArgs(address, a.golfo.address);
    expect([await mxn.balanceOf(address), await mxn.balanceOf(a.golfo)]).to.deep.equal([0n, before]);
  });
});

function anyStates() {
  return (v: unknown) => typeof v === "string" && v.startsWith("0x");
}

function anyKey() {
  return (v: unknown) => typeof v === "string" && /^0x[0-9a-f]{64}$/.test(v);
}

function policyOf(p: {
  maxLenders: bigint;
  maxInquiries: bigint;
  inquiryWindow: bigint;
  maxOutstanding: bigint;
  maxPlatformShareBps: bigint;
  mode: bigint;
  maxAprBps: bigint;
  graceDays: bigint;
}) {
  return {
    maxLenders: p.maxLenders,
    maxInquiries: p.maxInquiries,
    inquiryWindow: p.inquiryWindow,
    maxOutstanding: p.maxOutstanding,
    maxPlatformShareBps: p.maxPlatformShareBps,
    mode: p.mode,
    maxAprBps: p.maxAprBps,
    graceDays: p.graceDays,
  };
}

/** Day `day` plus `months` calendar months, the day of month clamped (as the registry's InstalmentPlan.addMonths). */
function addMonths(day: number, months: number): number {
  const d = new Date(day * 86_400_000);
  const m = d.getUTCMonth() + months;
  const last = new Date(Date.UTC(d.getUTCFullYear(), m + 1, 0)).getUTCDate();
  return Date.UTC(d.getUTCFullYear(), m, Math.min(d.getUTCDate(), last)) / 86_400_000;
}
