import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";
import { network } from "hardhat";

import { signPermit } from "../../src/eip712.js";
import { jurisdictionCode, legalIdHash, reasonCode } from "../../src/encoding.js";
import { roleMask } from "../../src/members.js";
import {
  NO_FX_QUOTE,
  formatUetr,
  orderStateSet,
  scaledRate,
  FX_QUOTE_TYPES,
  signAssignment,
  signAttestation,
  tradeDomain,
} from "../../src/trade.js";
import { testEntityKey } from "../helpers/entity.js";
import { DAY, Kind, tradeWorld } from "../helpers/trade.js";
import { allPendingReports } from "../helpers/reports.js";
import { linkOperator } from "../helpers/operators.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const NO_QUOTE = NO_FX_QUOTE;
const State = { None: 0, Created: 1, Accepted: 2, Funded: 3, Disputed: 4, Settled: 5, Lapsed: 6 } as const;
/** The UETR the settlement derives for a payment (TradeSettlementBase._uetr): a UUID v4 from a keccak256. */
function formatUetrBytes(hash: string): string {
  const b = Buffer.from(hash.slice(2, 34), "hex");
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  return "0x" + b.toString("hex");
}
/** Huaxia's member id: the FX provider the exporter names for its orders in most tests (set by the fixture). */
let HUAXIA = 0n;

async function fixture() {
  const t = await tradeWorld(connection);
  const { world, trade, a, signedAssignment } = t;
  HUAXIA = world.ids.huaxia;
  /** The exporter assigns order `order`'s proceeds to Pacific, which signed an advance of `advance`. */
  const assignToPacific = async (order: bigint, advance: bigint) => {
    const { deadline, nonce, signed } = await signedAssignment(a.pacific, world.ids.pacific, advance, order);
    await trade.connect(a.glassworks).assignProceeds(order, world.ids.pacific, advance, deadline, nonce, signed);
  };
  /** Order 1, paid out in the currency it is paid in, accepted by the exporter. */
  const acceptedOrder = async () => {
    await trade.connect(a.cristal).createOrder({ ...t.terms, payoutToken: t.terms.payToken });
    await trade.connect(a.glassworks).accept(1n);
  };
  /** Order 1 on the fixture's terms (paid out in CNY), accepted with Huaxia as the exporter's FX provider, funded. */
  const fundedFxOrder = async () => {
    await trade.connect(a.cristal).createOrder(t.terms);
    await trade.connect(a.glassworks).accept(1n);
    await trade.connect(a.glassworks).setFxTerms(1n, HUAXIA, 0n);
    await trade.connect(a.golfo).fund(1n);
  };
  return { ...t, assignToPacific, acceptedOrder, fundedFxOrder };
}

describe("TradeSettlement", function () {
  it("test_glasswareOrder_paysEachTrancheInCnyInTheEvidenceBlock", async function () {
    const { trade, fundedFxOrder, attestation, fxQuote, tokens, a } = await networkHelpers.loadFixture(fixture);
    await fundedFxOrder();
    let nonce = 0n;
    for (const kind of [Kind.Shipped, Kind.CustomsCleared, Kind.Delivered]) {
      const doc = ethers.id(`doc-${kind}`);
      const { q, sig } = await fxQuote(++nonce);
      await expect(trade.connect(a.carrier).attest(1n, kind, doc, [await attestation(1n, kind, doc)], q, sig)).to.emit(
        trade,
        "TranchePaid",
      );
    }
    // 400,000.00 MXN less 0.25% fees, at 0.38: 151,620.00 CNY.
    expect(await tokens.CNY.balanceOf(a.glassworks)).to.equal(((40_000_000n - 40_000n - 60_000n) * 38n) / 100n);
    expect(await tokens.MXN.balanceOf(await trade.getAddress())).to.equal(0n);
    expect(await tokens.MXN.balanceOf(a.golfo)).to.equal(60_000_000n + 40_000n);
  });

  it("test_layout_aNewOrdersPartiesAreWrittenWholeAtSolcsOffsets", async function () {
    // TradeSettlement writes a new order's parties as one word at named bit offsets; `getOrder` reads them through
    // solc's own layout. Read the raw slot field by field (docs/storage-layout.md: `_parties` is slot 7).
    const { trade, terms, world, a } = await networkHelpers.loadFixture(fixture);
    await trade.setThreshold(Kind.CustomsCleared, 3); // a non-trivial thresholds word: k - 1 = 2 at bits 4-7
    const maxFees = { ...terms, importerBankFeeBps: 500, exporterBankFeeBps: 499 };
    await trade.connect(a.cristal).createOrder(maxFees);
    const key = ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["uint256", "uint256"], [1n, 7n]));
    const word = BigInt(await ethers.provider.getStorage(await trade.getAddress(), key));
    const bits = (from: number, width: number) => (word >> BigInt(from)) & ((1n << BigInt(width)) - 1n);
    const o = await trade.getOrder(1n);
    expect(bits(0, 32)).to.equal(world.ids.cristal, "importer").and.to.equal(o.importer);
    expect(bits(32, 32)).to.equal(terms.exporter, "exporter").and.to.equal(o.exporter);
    expect(bits(64, 32)).to.equal(terms.importerBank, "importerBank").and.to.equal(o.importerBank);
    expect(bits(96, 32)).to.equal(terms.exporterBank, "exporterBank").and.to.equal(o.exporterBank);
    expect(bits(128, 8)).to.equal(BigInt(State.Created), "state").and.to.equal(o.state);
    expect(bits(136, 8)).to.equal(3n, "trancheCount");
    expect(bits(144, 16)).to.equal(0n, "evidenceDone and paid");
    expect(bits(160, 16)).to.equal(500n, "importerBankFeeBps").and.to.equal(o.importerBankFeeBps);
    expect(bits(176, 16)).to.equal(499n, "exporterBankFeeBps").and.to.equal(o.exporterBankFeeBps);
    expect(bits(192, 40)).to.equal(terms.shipmentDeadline, "shipmentDeadline (active time, no pause yet)");
    expect(bits(232, 16)).to.equal(2n << 4n, "thresholds");
    expect(word >> 248n).to.equal(0n, "awardHeld, the top byte, clear on a new order");
    expect(await trade.orderThreshold(1n, Kind.CustomsCleared)).to.equal(3n);
  });

  it("test_refundUnshipped_byAStrangerAfterTheDeadline", async function () {
    const { trade, terms, tokens, a, world } = await networkHelpers.loadFixture(fixture);
    await trade.connect(a.cristal).createOrder(terms);
    await trade.connect(a.glassworks).accept(1n);
    await trade.connect(a.glassworks).setFxTerms(1n, HUAXIA, 0n);
    await trade.connect(a.golfo).fund(1n);
    await expect(trade.connect(world.outsiders[0]).refundUnshipped(1n)).to.be.revertedWithCustomError(
      trade,
      "TradeTooEarly",
    );
    await networkHelpers.time.increaseTo(terms.shipmentDeadline + 1n);
    await trade.connect(world.outsiders[0]).refundUnshipped(1n);
    expect(await tokens.MXN.balanceOf(a.golfo)).to.equal(100_000_000n);
  });

  it("test_dispute_arbiterSplitsWhatRemains", async function () {
    const { trade, terms, attestation, fxQuote, tokens, a, world } = await networkHelpers.loadFixture(fixture);
    const withInspection = {
      ...terms,
      tranches: [
        { shareBps: 7_000, evidence: (1 << Kind.Shipped) | (1 << Kind.Delivered) },
        { shareBps: 3_000, evidence: 1 << Kind.Inspected },
      ],
    };
    await trade.connect(a.cristal).createOrder(withInspection);
    await trade.connect(a.glassworks).accept(1n);
    await trade.connect(a.glassworks).setFxTerms(1n, HUAXIA, 0n);
    await trade.connect(a.golfo).fund(1n);
    for (const kind of [Kind.Shipped, Kind.Delivered]) {
      const doc = ethers.id(`doc-${kind}`);
      const { q, sig } = await fxQuote(BigInt(kind) + 10n);
      await trade.connect(a.carrier).attest(1n, kind, doc, [await attestation(1n, kind, doc)], q, sig);
    }
    await expect(trade.connect(a.cristal).dispute(1n, reasonCode("BROKEN-GLASS"))).to.emit(trade, "OrderDisputed");
    const { q, sig } = await fxQuote(99n);
    for (const who of [a.cristal, a.glassworks, world.outsiders[0]]) {
      await expect(trade.connect(who).resolve(1n, 10_000, q, sig)).to.be.revertedWithCustomError(
        world.contracts.members,
        who === world.outsiders[0] ? "MemberUnknownAccount" : "MemberMissingRole",
      );
    }
    // Without a quote the award would be held in escrow for one (review 28, F1: test/security/Review28.test.ts);
    // with the named provider's quote it is paid at once.
    const golfoBefore = await tokens.MXN.balanceOf(a.golfo);
    const uetr = (tranche: number, purpose: number) =>
      formatUetrBytes(
        ethers.keccak256(
          ethers.AbiCoder.defaultAbiCoder().encode(
            ["address", "uint64", "uint8", "uint8"],
            [trade.target, 1n, tranche, purpose],
          ),
        ),
      );
    await expect(trade.connect(a.regulator).resolve(1n, 5_000, q, sig))
      .to.emit(trade, "DisputeResolved")
      .withArgs(1n, world.ids.regulator, 5_000)
      .and.to.emit(trade, "TranchePaid")
      .withArgs(
        1n,
        254,
        a.glassworks.address,
        uetr(254, 0),
        anyValue,
        6_000_000n,
        6_000n,
        9_000n,
        anyValue,
        q.rate,
        a.huaxia.address,
        99n,
      )
      .and.to.emit(trade, "Refunded")
      .withArgs(1n, a.golfo.address, 6_000_000n, uetr(255, 3), ethers.zeroPadValue(ethers.toBeHex(1n << 8n), 32));
    // The UETR is a topic: a bank finds the payment by it alone.
    const found = await trade.queryFilter(trade.filters.Refunded(undefined, undefined, undefined, uetr(255, 3)));
    expect(found.map((l) => l.args.amount)).to.deep.equal([6_000_000n]);
    // Half of the remaining 120,000.00 MXN comes back to the importer's bank (plus its fee on the other half).
    expect((await tokens.MXN.balanceOf(a.golfo)) - golfoBefore).to.equal(6_000_000n + 6_000n);
    expect(await tokens.MXN.balanceOf(await trade.getAddress())).to.equal(0n);
  });

  it("item 7: assignProceeds needs the financier's signature, reports the exporter member and closes on payment", async function () {
    const { trade, terms, attestation, world, a } = await networkHelpers.loadFixture(fixture);
    const sameCurrency = { ...terms, payoutToken: terms.payToken };
    await trade.connect(a.cristal).createOrder(sameCurrency);
    await trade.connect(a.glassworks).accept(1n);
    const domain = tradeDomain(31337n, await trade.getAddress());
    const deadline = BigInt(await networkHelpers.time.latest()) + 600n;
    const assignment = {
      order: 1n,
      exporter: world.ids.glassworks,
      financier: world.ids.pacific,
      advance: 10_000_000n,
      deadline,
      nonce: 1n,
    };
    const nonce = assignment.nonce;
    // The exporter cannot name a financier that agreed to nothing: a signature by anyone else is refused.
    const forged = await signAssignment(a.glassworks, domain, assignment);
    await expect(
      trade.connect(a.glassworks).assignProceeds(1n, world.ids.pacific, 10_000_000n, deadline, nonce, forged),
    )
      .to.be.revertedWithCustomError(trade, "TradeInvalidAssignment")
      .withArgs(1n, a.glassworks.address);
    const signed = await signAssignment(a.pacific, domain, assignment);
    // A signature for another advance does not cover this one.
    await expect(
      trade.connect(a.glassworks).assignProceeds(1n, world.ids.pacific, 20_000_000n, deadline, nonce, signed),
    ).to.be.revertedWithCustomError(trade, "TradeInvalidAssignment");
    const ref = ethers.zeroPadValue(ethers.toBeHex(1n), 32);
    const { credit, members } = world.contracts;
    const loan = await credit.loanId(await members.memberForKey(await trade.getAddress()), ref);
    await expect(
      trade.connect(a.glassworks).assignProceeds(1n, world.ids.pacific, 10_000_000n, deadline, nonce, signed),
    )
      .to.emit(trade, "ProceedsAssigned")
      .withArgs(1n, world.ids.pacific, 10_000_000n)
      .and.not.to.emit(trade, "CreditReportDeferred");
    // About the exporter member, under the key the member registry holds for it, in the financier's name.
    const record = await credit.getLoan(loan);
    expect([record.borrowerKey, record.lender, record.principal, record.status]).to.deep.equal([
      await members.entityKeyOf(world.ids.glassworks),
      world.ids.pacific,
      10_000_000n,
      1n, // Active
    ]);
    await expect(
      trade.connect(a.glassworks).assignProceeds(1n, world.ids.pacific, 10_000_000n, deadline, nonce, signed),
    ).to.be.revertedWithCustomError(trade, "TradeAlreadyAssigned");
    await trade.connect(a.golfo).fund(1n);
    // A paused registry never blocks the last tranche: the close is queued and delivered later.
    await credit.pause();
    for (const kind of [Kind.Shipped, Kind.CustomsCleared, Kind.Delivered]) {
      const doc = ethers.id(`doc-${kind}`);
      await trade.connect(a.carrier).attest(1n, kind, doc, [await attestation(1n, kind, doc)], NO_QUOTE, "0x");
    }
    expect(await world.contracts.tokens.MXN.balanceOf(a.pacific)).to.equal(40_000_000n - 40_000n - 60_000n);
    expect((await allPendingReports(trade, ref)).length).to.equal(1);
    await credit.unpause();
    await trade.retryCreditReports(ref, 10);
    expect((await credit.getLoan(loan)).status).to.equal(2n); // Repaid: the order ended
  });

  it("test_createOrder_revertsOnBadTermsAndWrongParties", async function () {
    const { trade, terms, world, a } = await networkHelpers.loadFixture(fixture);
    const now = BigInt(await networkHelpers.time.latest());
    // One cause per error, with the values that explain it (issue 15).
    const bad: [Partial<typeof terms>, string, unknown[]][] = [
      [{ amount: 0n }, "TradeZeroAmount", []],
      [{ importerBankFeeBps: 1_001 }, "TradeFeeTooHigh", [1_001n, 1_000n]],
      [{ exporterBankFeeBps: 1_001 }, "TradeFeeTooHigh", [1_001n, 1_000n]],
      [{ shipmentDeadline: now }, "TradeShipmentDeadlinePassed", [now, anyValue]],
      [{ expiry: terms.shipmentDeadline }, "TradeInvalidDeadlines", [terms.shipmentDeadline, terms.shipmentDeadline]],
      [{ tranches: [] }, "TradeInvalidTrancheCount", [0n, 8n]],
      [{ tranches: [{ shareBps: 9_000, evidence: 1 }] }, "TradeTranchesTotal", [9_000n]],
      [{ tranches: [{ shareBps: 10_000, evidence: 0 }] }, "TradeInvalidTranche", [0n, 10_000n, 0n]],
      [{ tranches: [{ shareBps: 10_000, evidence: 16 }] }, "TradeInvalidTranche", [0n, 10_000n, 16n]],
      [
        {
          tranches: [
            { shareBps: 5_000, evidence: 1 },
            { shareBps: 0, evidence: 1 },
          ],
        },
        "TradeInvalidTranche",
        [1n, 0n, 1n],
      ],
      [
        { tranches: Array.from({ length: 9 }, () => ({ shareBps: 1_000, evidence: 1 })) },
        "TradeInvalidTrancheCount",
        [9n, 8n],
      ],
      [{ exporter: world.ids.cristal }, "TradeInvalidParty", [world.ids.cristal]],
      [{ importerBank: world.ids.huaxia }, "TradeInvalidParty", [world.ids.huaxia]],
      [{ exporterBank: world.ids.carrier }, "TradeInvalidParty", [world.ids.carrier]],
    ];
    for (const [override, error, args] of bad) {
      await expect(trade.connect(a.cristal).createOrder({ ...terms, ...override }))
        .to.be.revertedWithCustomError(trade, error)
        .withArgs(...args);
    }
    // The limit itself is allowed: each bank may take exactly MAX_FEE_BPS (10%).
    await expect(
      trade.connect(a.cristal).createOrder({ ...terms, importerBankFeeBps: 1_000, exporterBankFeeBps: 1_000 }),
    ).to.emit(trade, "OrderCreated");
    await expect(trade.connect(a.glassworks).createOrder(terms)).to.be.revertedWithCustomError(
      world.contracts.members,
      "MemberMissingRole",
    );
    await expect(trade.connect(world.outsiders[0]).createOrder(terms)).to.be.revertedWithCustomError(
      world.contracts.members,
      "MemberUnknownAccount",
    );
  });

  it("test_acceptAndFund_onlyByTheirPartiesInOrder", async function () {
    const { trade, terms, world, a } = await networkHelpers.loadFixture(fixture);
    await trade.connect(a.cristal).createOrder(terms);
    await expect(trade.connect(a.golfo).fund(1n))
      .to.be.revertedWithCustomError(trade, "TradeUnexpectedOrderState")
      .withArgs(1n, State.Created, orderStateSet("Accepted"));
    await expect(trade.connect(a.cristal).accept(1n)).to.be.revertedWithCustomError(
      world.contracts.members,
      "MemberMissingRole",
    );
    await expect(trade.connect(a.glassworks).accept(2n)).to.be.revertedWithCustomError(trade, "TradeUnknownOrder");
    await trade.connect(a.glassworks).accept(1n);
    await trade.connect(a.glassworks).setFxTerms(1n, HUAXIA, 0n);
    await expect(trade.connect(a.glassworks).accept(1n))
      .to.be.revertedWithCustomError(trade, "TradeUnexpectedOrderState")
      .withArgs(1n, State.Accepted, orderStateSet("Created"));
    await expect(trade.connect(a.glassworks).fund(1n)).to.be.revertedWithCustomError(
      world.contracts.members,
      "MemberMissingRole",
    );
    await trade.connect(a.golfo).fund(1n);
    expect(await world.contracts.tokens.MXN.balanceOf(await trade.getAddress())).to.equal(terms.amount);
  });

  it("test_attest_revertsOnForeignDuplicateOrMissingSignaturesAndBadQuotes", async function () {
    const { trade, fundedFxOrder, attestation, fxQuote, a } = await networkHelpers.loadFixture(fixture);
    await fundedFxOrder();
    const doc = ethers.id("bill of lading");
    const good = await attestation(1n, Kind.Shipped, doc);
    const { q, sig } = await fxQuote(1n);
    await expect(trade.attest(1n, Kind.Shipped, doc, [], q, sig))
      .to.be.revertedWithCustomError(trade, "TradeThresholdNotMet")
      .withArgs(1n, Kind.Shipped, 0n, 1n);
    const byImporter = await attestation(1n, Kind.Shipped, doc, a.cristal);
    await expect(trade.attest(1n, Kind.Shipped, doc, [byImporter], q, sig))
      .to.be.revertedWithCustomError(trade, "TradeInvalidAttestation")
      .withArgs(1n, a.cristal.address);
    await expect(trade.attest(1n, Kind.Shipped, doc, [good, good], q, sig))
      .to.be.revertedWithCustomError(trade, "TradeAttestationsUnordered")
      .withArgs(1n, a.carrier.address, a.carrier.address);
    await expect(trade.attest(1n, Kind.Shipped, ethers.id("other doc"), [good], q, sig)).to.be.revertedWithCustomError(
      trade,
      "TradeInvalidAttestation",
    );
    const expired = await fxQuote(2n);
    await networkHelpers.time.increase(601);
    await expect(trade.attest(1n, Kind.Shipped, doc, [good], expired.q, expired.sig))
      .to.be.revertedWithCustomError(trade, "TradeFxQuoteExpired")
      .withArgs(expired.q.expiry, BigInt(await networkHelpers.time.latest()) + 1n);
    const fresh = await fxQuote(3n);
    await trade.attest(1n, Kind.Shipped, doc, [good], fresh.q, fresh.sig);
    await expect(trade.attest(1n, Kind.Shipped, doc, [good], fresh.q, fresh.sig))
      .to.be.revertedWithCustomError(trade, "TradeEvidenceAlreadyComplete")
      .withArgs(1n, Kind.Shipped);
    const customs = ethers.id("customs");
    const replay = trade.attest(
      1n,
      Kind.CustomsCleared,
      customs,
      [await attestation(1n, Kind.CustomsCleared, customs)],
      fresh.q,
      fresh.sig,
    );
    await expect(replay)
      .to.be.revertedWithCustomError(trade, "TradeFxQuoteNonceUsed")
      .withArgs(a.huaxia.address, fresh.q.nonce);
  });

  it("test_cancelNonce_voidsAProvidersQuoteBeforeItExpires", async function () {
    const { trade, fundedFxOrder, attestation, fxQuote, world, a } = await networkHelpers.loadFixture(fixture);
    await fundedFxOrder();
    const doc = ethers.id("bill of lading");
    const stale = await fxQuote(7n);
    const kept = await fxQuote(8n);
    // The provider withdraws its quote while the settlement is paused, so that nobody relays it when it resumes.
    await trade.pause();
    await expect(trade.connect(a.huaxia).cancelNonce(7n))
      .to.emit(trade, "NonceCancelled")
      .withArgs(a.huaxia.address, 7n);
    await trade.unpause();
    expect([await trade.nonceUsed(a.huaxia.address, 7n), await trade.nonceUsed(a.huaxia.address, 8n)]).to.deep.equal([
      true,
      false,
    ]);
    await expect(trade.connect(a.huaxia).cancelNonce(7n))
      .to.be.revertedWithCustomError(trade, "TradeFxQuoteNonceUsed")
      .withArgs(a.huaxia.address, 7n);
    const good = await attestation(1n, Kind.Shipped, doc);
    await expect(trade.attest(1n, Kind.Shipped, doc, [good], stale.q, stale.sig))
      .to.be.revertedWithCustomError(trade, "TradeFxQuoteNonceUsed")
      .withArgs(a.huaxia.address, 7n);
    // A key cancels only its own nonces: a stranger's cancellation of nonce 8 leaves the provider's quote good.
    await trade.connect(world.outsiders[0]).cancelNonce(8n);
    expect(await trade.nonceUsed(world.outsiders[0].address, 8n)).to.equal(true);
    await expect(trade.attest(1n, Kind.Shipped, doc, [good], kept.q, kept.sig)).to.emit(trade, "TranchePaid");
  });

  it("test_timeRules_releaseAfterObjectionExpiryAndLapse", async function () {
    const { trade, terms, attestation, tokens, world, a } = await networkHelpers.loadFixture(fixture);
    const same = {
      ...terms,
      payoutToken: terms.payToken,
      tranches: [
        { shareBps: 5_000, evidence: (1 << Kind.Shipped) | (1 << Kind.Delivered) },
        { shareBps: 5_000, evidence: 1 << Kind.Inspected },
      ],
    };
    await trade.connect(a.cristal).createOrder(same);
    await trade.connect(a.glassworks).accept(1n);
    await trade.connect(a.golfo).fund(1n);
    const NQ = NO_QUOTE;
    await expect(trade.releaseAfterObjection(1n, NQ, "0x"))
      .to.be.revertedWithCustomError(trade, "TradeNoEvidence")
      .withArgs(1n);
    for (const kind of [Kind.Shipped, Kind.Delivered]) {
      const doc = ethers.id(`doc-${kind}`);
      await trade.attest(1n, kind, doc, [await attestation(1n, kind, doc)], NQ, "0x");
    }
    await expect(trade.connect(world.outsiders[0]).releaseAfterObjection(1n, NQ, "0x")).to.be.revertedWithCustomError(
      trade,
      "TradeTooEarly",
    );
    await networkHelpers.time.increase(3 * 86_400 + 1);
    await trade.connect(world.outsiders[0]).releaseAfterObjection(1n, NQ, "0x");
    expect(await tokens.MXN.balanceOf(await trade.getAddress())).to.equal(0n);
    // A second order that is never funded lapses at its shipment deadline.
    await trade.connect(a.cristal).createOrder({
      ...terms,
      shipmentDeadline: terms.shipmentDeadline + 86_400n * 10n,
      expiry: terms.expiry + 86_400n * 10n,
    });
    // A third, accepted but never funded, lapses too.
    await trade.connect(a.cristal).createOrder({
      ...terms,
      shipmentDeadline: terms.shipmentDeadline + 86_400n * 10n,
      expiry: terms.expiry + 86_400n * 10n,
    });
    await trade.connect(a.glassworks).accept(3n);
    await expect(trade.refundExpired(2n)).to.be.revertedWithCustomError(trade, "TradeTooEarly");
    await networkHelpers.time.increaseTo(terms.shipmentDeadline + 86_400n * 10n);
    // A lapse is its own event, not a settlement.
    await expect(trade.refundExpired(2n))
      .to.emit(trade, "OrderLapsed")
      .withArgs(2n)
      .and.not.to.emit(trade, "Refunded")
      .and.not.to.emit(trade, "OrderSettled");
    await expect(trade.connect(world.outsiders[0]).refundExpired(3n))
      .to.emit(trade, "OrderLapsed")
      .withArgs(3n)
      .and.not.to.emit(trade, "OrderSettled");
    expect((await trade.getOrder(2n)).state).to.equal(6n); // Lapsed
    expect((await trade.getOrder(3n)).state).to.equal(6n);
    await expect(trade.connect(a.glassworks).accept(2n))
      .to.be.revertedWithCustomError(trade, "TradeUnexpectedOrderState")
      .withArgs(2n, State.Lapsed, orderStateSet("Created"));
    await expect(trade.connect(a.golfo).fund(3n))
      .to.be.revertedWithCustomError(trade, "TradeUnexpectedOrderState")
      .withArgs(3n, State.Lapsed, orderStateSet("Accepted"));
  });

  it("test_payReleased_paysEvidencedTranchesOnceAQuoteArrives", async function () {
    const { trade, terms, attestation, fxQuote, tokens, a } = await networkHelpers.loadFixture(fixture);
    await trade.connect(a.cristal).createOrder(terms);
    await trade.connect(a.glassworks).accept(1n);
    await trade.connect(a.glassworks).setFxTerms(1n, HUAXIA, 0n);
    await trade.connect(a.golfo).fund(1n);
    const { q, sig } = await fxQuote(7n);
    await expect(trade.payReleased(1n, q, sig))
      .to.be.revertedWithCustomError(trade, "TradeNothingReleased")
      .withArgs(1n, 0n, 0n);
    await expect(trade.payReleased(1n, NO_QUOTE, "0x"))
      .to.be.revertedWithCustomError(trade, "TradeFxQuoteRequired")
      .withArgs(1n);
    const doc = ethers.id("bill of lading");
    await expect(trade.attest(1n, Kind.Shipped, doc, [await attestation(1n, Kind.Shipped, doc)], NO_QUOTE, "0x"))
      .to.emit(trade, "EvidenceCompleted")
      .and.not.to.emit(trade, "TranchePaid");
    await expect(trade.payReleased(1n, q, sig)).to.emit(trade, "TranchePaid");
    expect(await tokens.CNY.balanceOf(a.glassworks)).to.be.greaterThan(0n);
  });

  it("test_partiesAndWindows_refuseEveryoneElse", async function () {
    const { trade, terms, attestation, fxQuote, world, a } = await networkHelpers.loadFixture(fixture);
    const { members } = world.contracts;
    const [otherExporter, otherBank] = world.outsiders;
    await members.admit(
      legalIdHash("TLOTHEREXPORTER00001"),
      testEntityKey(legalIdHash("TLOTHEREXPORTER00001")),
      jurisdictionCode("CN"),
      roleMask(["Exporter"]),
      otherExporter,
    );
    await members.admit(
      legalIdHash("TLOTHERBANK000000001"),
      testEntityKey(legalIdHash("TLOTHERBANK000000001")),
      jurisdictionCode("MX"),
      roleMask(["ImporterBank"]),
      otherBank,
    );
    await trade.connect(a.cristal).createOrder(terms);
    await expect(trade.connect(otherExporter).accept(1n)).to.be.revertedWithCustomError(trade, "TradeUnauthorized");
    const NQ = NO_QUOTE;
    await expect(trade.attest(1n, Kind.Shipped, ethers.ZeroHash, [], NQ, "0x"))
      .to.be.revertedWithCustomError(trade, "TradeUnexpectedOrderState")
      .withArgs(1n, State.Created, orderStateSet("Funded"));
    await expect(trade.connect(a.cristal).dispute(1n, ethers.ZeroHash))
      .to.be.revertedWithCustomError(trade, "TradeUnexpectedOrderState")
      .withArgs(1n, State.Created, orderStateSet("Funded"));
    await expect(trade.connect(a.glassworks).assignProceeds(1n, world.ids.pacific, 1n, 0n, 0n, "0x"))
      .to.be.revertedWithCustomError(trade, "TradeUnexpectedOrderState")
      .withArgs(1n, State.Created, orderStateSet("Accepted", "Funded"));
    await trade.connect(a.glassworks).accept(1n);
    await trade.connect(a.glassworks).setFxTerms(1n, HUAXIA, 0n);
    await expect(trade.connect(otherBank).fund(1n)).to.be.revertedWithCustomError(trade, "TradeUnauthorized");
    await trade.connect(a.golfo).fund(1n);
    await expect(trade.connect(a.cristal).dispute(1n, ethers.ZeroHash))
      .to.be.revertedWithCustomError(trade, "TradeNotDelivered")
      .withArgs(1n);
    await expect(trade.connect(a.regulator).resolve(1n, 5_000, NQ, "0x"))
      .to.be.revertedWithCustomError(trade, "TradeUnexpectedOrderState")
      .withArgs(1n, State.Funded, orderStateSet("Disputed"));
    await expect(trade.refundExpired(1n)).to.be.revertedWithCustomError(trade, "TradeTooEarly");
    const doc = ethers.id("bol");
    const { q, sig } = await fxQuote(1n);
    await trade.attest(1n, Kind.Shipped, doc, [await attestation(1n, Kind.Shipped, doc)], q, sig);
    await expect(trade.refundUnshipped(1n)).to.be.revertedWithCustomError(trade, "TradeGoodsMoved");
    const del = ethers.id("delivery");
    const q2 = await fxQuote(2n);
    await trade.attest(1n, Kind.Delivered, del, [await attestation(1n, Kind.Delivered, del)], q2.q, q2.sig);
    await expect(trade.connect(a.glassworks).dispute(1n, ethers.ZeroHash))
      .to.be.revertedWithCustomError(trade, "TradeUnauthorized")
      .withArgs(1n, a.glassworks.address);
    await trade.connect(a.cristal).dispute(1n, reasonCode("SHORT-SHIPMENT"));
    await expect(trade.connect(a.cristal).dispute(1n, ethers.ZeroHash))
      .to.be.revertedWithCustomError(trade, "TradeUnexpectedOrderState")
      .withArgs(1n, State.Disputed, orderStateSet("Funded"));
    await expect(trade.connect(a.regulator).resolve(1n, 10_001, NQ, "0x"))
      .to.be.revertedWithCustomError(trade, "TradeShareTooHigh")
      .withArgs(10_001n, 10_000n);
    await networkHelpers.time.increase(14 * 86_400 + 1);
    await expect(trade.connect(a.regulator).resolve(1n, 5_000, NQ, "0x")).to.be.revertedWithCustomError(
      trade,
      "TradeWindowClosed",
    );
    await expect(trade.connect(a.cristal).releaseAfterObjection(1n, NQ, "0x"))
      .to.be.revertedWithCustomError(trade, "TradeUnexpectedOrderState")
      .withArgs(1n, State.Disputed, orderStateSet("Funded"));
    // The arbiter's deadline passing is an event of its own, then the refund of what was at stake.
    await expect(trade.refundExpired(1n)).to.emit(trade, "DisputeExpired").withArgs(1n).and.to.emit(trade, "Refunded");
    const live = orderStateSet("Created", "Accepted", "Funded", "Disputed");
    await expect(trade.refundExpired(1n))
      .to.be.revertedWithCustomError(trade, "TradeUnexpectedOrderState")
      .withArgs(1n, State.Settled, live);
    await expect(trade.connect(a.glassworks).assignProceeds(1n, world.ids.pacific, 1n, 0n, 0n, "0x"))
      .to.be.revertedWithCustomError(trade, "TradeUnexpectedOrderState")
      .withArgs(1n, State.Settled, orderStateSet("Accepted", "Funded"));
  });

  it("test_dispute_atMostOnce_evenWhenTheOrderIsFundedAgainForReleasedTranches", async function () {
    const { trade, terms, attestation, a } = await networkHelpers.loadFixture(fixture);
    await trade.connect(a.cristal).createOrder(terms);
    await trade.connect(a.glassworks).accept(1n);
    await trade.connect(a.golfo).fund(1n);
    // Delivery evidence without a quote: its tranche is released but waits for one, so the order stays Funded.
    const del = ethers.id("POD");
    await trade.attest(1n, Kind.Delivered, del, [await attestation(1n, Kind.Delivered, del)], NO_QUOTE, "0x");
    await trade.connect(a.cristal).dispute(1n, reasonCode("LATE"));
    await networkHelpers.time.increase(14 * 86_400 + 1);
    await expect(trade.refundExpired(1n)).to.emit(trade, "DisputeExpired").withArgs(1n);
    expect((await trade.getOrder(1n)).state).to.equal(BigInt(State.Funded));
    await expect(trade.connect(a.cristal).dispute(1n, ethers.ZeroHash))
      .to.be.revertedWithCustomError(trade, "TradeAlreadyDisputed")
      .withArgs(1n);
  });

  it("test_setThreshold_byGovernorOnly", async function () {
    const { trade, world } = await networkHelpers.loadFixture(fixture);
    await expect(trade.connect(world.outsiders[0]).setThreshold(Kind.Shipped, 2)).to.be.revertedWithCustomError(
      trade,
      "GovernorUnauthorizedAccount",
    );
    await expect(trade.setThreshold(Kind.Shipped, 0)).to.be.revertedWithCustomError(trade, "TradeInvalidThreshold");
    await expect(trade.setThreshold(Kind.Shipped, 2)).to.emit(trade, "ThresholdSet").withArgs(Kind.Shipped, 2);
  });
  it("item 25: a threshold raised by the governor applies to new orders, not to running ones", async function () {
    const { trade, terms, attestation, fxQuote, a } = await networkHelpers.loadFixture(fixture);
    await trade.connect(a.cristal).createOrder(terms);
    await trade.connect(a.glassworks).accept(1n);
    await trade.connect(a.glassworks).setFxTerms(1n, HUAXIA, 0n);
    await trade.connect(a.golfo).fund(1n);
    await trade.setThreshold(Kind.Shipped, 3);
    expect(await trade.evidenceThreshold(Kind.Shipped)).to.equal(3n);
    expect(await trade.orderThreshold(1n, Kind.Shipped)).to.equal(1n);
    await trade.connect(a.cristal).createOrder(terms);
    expect(await trade.orderThreshold(2n, Kind.Shipped)).to.equal(3n);
    expect(await trade.orderThreshold(2n, Kind.Delivered)).to.equal(1n);
    // The running order's one signature still releases its tranche, as agreed.
    const doc = ethers.id("BL-25");
    const { q, sig } = await fxQuote(1n);
    await expect(trade.attest(1n, Kind.Shipped, doc, [await attestation(1n, Kind.Shipped, doc)], q, sig)).to.emit(
      trade,
      "TranchePaid",
    );
    await expect(trade.orderThreshold(9n, Kind.Shipped))
      .to.be.revertedWithCustomError(trade, "TradeUnknownOrder")
      .withArgs(9n);
  });

  it("test_attest_needsKDistinctOraclesInAscendingOrder", async function () {
    const { trade, terms, attestation, fxQuote, tokens, world, a } = await networkHelpers.loadFixture(fixture);
    await trade.setThreshold(Kind.Shipped, 2);
    expect(await trade.evidenceThreshold(Kind.Shipped)).to.equal(2n);
    await trade.connect(a.cristal).createOrder(terms);
    await trade.connect(a.glassworks).accept(1n);
    await trade.connect(a.glassworks).setFxTerms(1n, HUAXIA, 0n);
    await trade.connect(a.golfo).fund(1n);
    const doc = ethers.id("BL-2026-77");
    const byCarrier = await attestation(1n, Kind.Shipped, doc);
    const byCustoms = await attestation(1n, Kind.Shipped, doc, a.customs);
    const { q, sig } = await fxQuote(1n);
    await expect(trade.attest(1n, Kind.Shipped, doc, [byCarrier], q, sig))
      .to.be.revertedWithCustomError(trade, "TradeThresholdNotMet")
      .withArgs(1n, Kind.Shipped, 1n, 2n);
    const [low, high] =
      BigInt(a.carrier.address) < BigInt(a.customs.address) ? [byCarrier, byCustoms] : [byCustoms, byCarrier];
    const highSigner = BigInt(a.carrier.address) < BigInt(a.customs.address) ? a.customs : a.carrier;
    const lowSigner = highSigner === a.customs ? a.carrier : a.customs;
    await expect(trade.attest(1n, Kind.Shipped, doc, [high, low], q, sig))
      .to.be.revertedWithCustomError(trade, "TradeAttestationsUnordered")
      .withArgs(1n, lowSigner.address, highSigner.address);
    await expect(trade.attest(1n, Kind.Shipped, doc, [low, "0x1234"], q, sig))
      .to.be.revertedWithCustomError(trade, "TradeInvalidAttestation")
      .withArgs(1n, ethers.ZeroAddress);
    // A suspended oracle no longer counts.
    await world.contracts.members.suspend(world.ids.customs, reasonCode("AUDIT"));
    await expect(trade.attest(1n, Kind.Shipped, doc, [low, high], q, sig)).to.be.revertedWithCustomError(
      trade,
      "TradeInvalidAttestation",
    );
    expect((await trade.getOrder(1n)).evidenceDone).to.equal(0n);
    await world.contracts.members.reinstate(world.ids.customs, reasonCode("CLEARED"));
    // Anyone relays the two attestations; the tranche is paid in the same transaction.
    await expect(trade.connect(world.outsiders[1]).attest(1n, Kind.Shipped, doc, [low, high], q, sig))
      .to.emit(trade, "EvidenceCompleted")
      .withArgs(1n, Kind.Shipped, 2)
      .and.to.emit(trade, "TranchePaid");
    expect(await tokens.CNY.balanceOf(a.glassworks)).to.equal(((12_000_000n - 12_000n - 18_000n) * 38n) / 100n);
  });

  it("test_fxQuote_revertsOverMaximumWrongPairNonProviderOrBadSignature", async function () {
    const { trade, terms, attestation, fxQuote, tokens, world, a } = await networkHelpers.loadFixture(fixture);
    await trade.connect(a.cristal).createOrder(terms);
    await trade.connect(a.glassworks).accept(1n);
    await trade.connect(a.glassworks).setFxTerms(1n, HUAXIA, 0n);
    await trade.connect(a.golfo).fund(1n);
    const doc = ethers.id("BL-1");
    const sigs = [await attestation(1n, Kind.Shipped, doc)];
    // The first tranche nets 11,970,000 minor units: a quote capped one unit below refuses it.
    // One error per cause, each with the values that explain it (issue 15; each was TradeInvalidFxQuote).
    const [MXN, CNY, USD] = [
      await tokens.MXN.getAddress(),
      await tokens.CNY.getAddress(),
      await tokens.USD.getAddress(),
    ];
    const cases: [Awaited<ReturnType<typeof fxQuote>>, string, unknown[]][] = [
      [await fxQuote(1n, { maxSellAmount: 11_969_999n }), "TradeFxQuoteAboveMax", [11_970_000n, 11_969_999n]],
      [await fxQuote(2n, { buyToken: USD }), "TradeFxQuoteTokenMismatch", [MXN, USD, MXN, CNY]],
      [await fxQuote(3n, { sellToken: CNY }), "TradeFxQuoteTokenMismatch", [CNY, CNY, MXN, CNY]],
      [await fxQuote(5n, {}, a.cristal), "TradeFxQuoteSignerNotProvider", [a.cristal.address, world.ids.cristal]],
    ];
    for (const [{ q, sig }, error, args] of cases) {
      await expect(trade.attest(1n, Kind.Shipped, doc, sigs, q, sig))
        .to.be.revertedWithCustomError(trade, error)
        .withArgs(...args);
    }
    const { q } = await fxQuote(6n);
    await expect(trade.attest(1n, Kind.Shipped, doc, sigs, q, "0x1234"))
      .to.be.revertedWithCustomError(trade, "TradeFxQuoteSignerNotProvider")
      .withArgs(ethers.ZeroAddress, 0n);
    expect(await trade.escrowOf(1n)).to.equal(terms.amount);
    const exact = await fxQuote(7n, { maxSellAmount: 11_970_000n });
    await trade.attest(1n, Kind.Shipped, doc, sigs, exact.q, exact.sig);
    expect(await trade.escrowOf(1n)).to.equal(28_000_000n);
  });

  it("test_fx_payoutIsRoundedDownAndTheProviderGetsTheNet", async function () {
    const { trade, terms, attestation, fxQuote, tokens, a } = await networkHelpers.loadFixture(fixture);
    // 1,000,003 minor units in one tranche, fees 0.10% and 0.15% rounded down: 1,000 + 1,500, net 997,503.
    const odd = { ...terms, amount: 1_000_003n, tranches: [{ shareBps: 10_000, evidence: 1 << Kind.Shipped }] };
    await trade.connect(a.cristal).createOrder(odd);
    await trade.connect(a.glassworks).accept(1n);
    await trade.connect(a.glassworks).setFxTerms(1n, HUAXIA, 0n);
    await trade.connect(a.golfo).fund(1n);
    const rate = scaledRate("0.333333333333333333");
    const { q, sig } = await fxQuote(1n, { rate });
    const providerMxn = await tokens.MXN.balanceOf(a.huaxia);
    const doc = ethers.id("BL");
    await expect(trade.attest(1n, Kind.Shipped, doc, [await attestation(1n, Kind.Shipped, doc)], q, sig))
      .to.emit(trade, "TranchePaid")
      .withArgs(
        1n,
        0,
        a.glassworks.address,
        anyValue,
        anyValue,
        1_000_003n,
        1_000n,
        1_500n,
        332_500n,
        rate,
        a.huaxia.address, // the quote's signer: the FX provider
        1n, // the quote nonce it spent
      );
    // 997,503 × 0.333333333333333333 = 332,500.99…, paid as 332,500: the fraction stays with the provider.
    expect((997_503n * rate) / 10n ** 18n).to.equal(332_500n);
    expect(await tokens.CNY.balanceOf(a.glassworks)).to.equal(332_500n);
    // The provider (also the exporter's bank here) receives the net in MXN plus the exporter bank's fee.
    expect((await tokens.MXN.balanceOf(a.huaxia)) - providerMxn).to.equal(997_503n + 1_500n);
  });

  it("test_fx_anExporterBankThatIsTheProvider_getsItsFeeInTheSameTransferAsTheSale", async function () {
    const { trade, terms, attestation, fxQuote, tokens, a } = await networkHelpers.loadFixture(fixture);
    await trade.connect(a.cristal).createOrder(terms);
    await trade.connect(a.glassworks).accept(1n);
    await trade.connect(a.glassworks).setFxTerms(1n, HUAXIA, 0n);
    await trade.connect(a.golfo).fund(1n);
    const { q, sig } = await fxQuote(1n);
    const doc = ethers.id("BL");
    const tx = await trade.attest(1n, Kind.Shipped, doc, [await attestation(1n, Kind.Shipped, doc)], q, sig);
    // Tranche 1: 12,000,000 gross, fees 12,000 (Golfo) and 18,000 (Huaxia, also the FX provider).
    const escrow = await trade.getAddress();
    const moves = (await tx.wait())!.logs
      .filter((l) => l.address === (tokens.MXN.target as string))
      .map((l) => tokens.MXN.interface.parseLog(l))
      .filter((e) => e?.name === "Transfer" && e.args.from === escrow)
      .map((e) => [e!.args.to as string, e!.args.value as bigint]);
    // Two movements of the pay token, not three: the sale and Huaxia's fee in one, Golfo's fee.
    expect(moves).to.deep.equal([
      [a.huaxia.address, 12_000_000n - 12_000n - 18_000n + 18_000n],
      [a.golfo.address, 12_000n],
    ]);
    await expect(tx)
      .to.emit(trade, "TranchePaid")
      .withArgs(
        1n,
        0,
        anyValue,
        anyValue,
        anyValue,
        12_000_000n,
        12_000n,
        18_000n,
        anyValue,
        anyValue,
        a.huaxia.address,
        1n,
      );
  });

  it("test_releaseAfterObjection_paysTheTranchesTogether_eachLegMovesOnce_eachTrancheItsEvent", async function () {
    const { trade, terms, attestation, tokens, a } = await networkHelpers.loadFixture(fixture);
    const same = {
      ...terms,
      payoutToken: terms.payToken,
      tranches: [
        { shareBps: 3_333, evidence: 1 << Kind.Shipped },
        { shareBps: 3_333, evidence: 1 << Kind.Inspected },
        { shareBps: 3_334, evidence: 1 << Kind.Inspected },
      ],
    };
    await trade.connect(a.cristal).createOrder(same);
    await trade.connect(a.glassworks).accept(1n);
    await trade.connect(a.golfo).fund(1n);
    const doc = ethers.id("BL");
    await trade.attest(1n, Kind.Shipped, doc, [await attestation(1n, Kind.Shipped, doc)], NO_QUOTE, "0x");
    // Delivered, and not disputed within the objection window: the two inspection tranches are paid together.
    const pod = ethers.id("POD");
    await trade.attest(1n, Kind.Delivered, pod, [await attestation(1n, Kind.Delivered, pod)], NO_QUOTE, "0x");
    await networkHelpers.time.increase(same.objectionWindow + 1);
    const before = await tokens.MXN.balanceOf(a.glassworks);
    const tx = await trade.releaseAfterObjection(1n, NO_QUOTE, "0x");
    // 13,332,000 and 13,336,000 gross; fees 0.10% and 0.15% of each, rounded down tranche by tranche.
    const grosses = [13_332_000n, 13_336_000n];
    const fees = grosses.map((g) => [(g * 10n) / 10_000n, (g * 15n) / 10_000n]);
    const net = grosses.reduce((sum, g, i) => sum + g - fees[i][0] - fees[i][1], 0n);
    const escrow = await trade.getAddress();
    const moves = (await tx.wait())!.logs
      .filter((l) => l.address === (tokens.MXN.target as string))
      .map((l) => tokens.MXN.interface.parseLog(l))
      .filter((e) => e?.name === "Transfer" && e.args.from === escrow)
      .map((e) => [e!.args.to as string, e!.args.value as bigint]);
    expect(moves).to.deep.equal([
      [a.glassworks.address, net],
      [a.golfo.address, fees[0][0] + fees[1][0]],
      [a.huaxia.address, fees[0][1] + fees[1][1]],
    ]);
    expect((await tokens.MXN.balanceOf(a.glassworks)) - before).to.equal(net);
    for (const [i, g] of grosses.entries()) {
      await expect(tx)
        .to.emit(trade, "TranchePaid")
        .withArgs(
          1n,
          i + 1,
          a.glassworks.address,
          anyValue,
          anyValue,
          g,
          fees[i][0],
          fees[i][1],
          g - fees[i][0] - fees[i][1],
          10n ** 18n,
          ethers.ZeroAddress,
          0n,
        );
    }
    expect(await trade.escrowOf(1n)).to.equal(0n);
  });

  it("test_tranchePaid_carriesAUuidV4UetrAndAnEndToEndIdPerPayment", async function () {
    const { trade, terms, attestation, fxQuote, a } = await networkHelpers.loadFixture(fixture);
    await trade.connect(a.cristal).createOrder({ ...terms, payoutToken: terms.payToken });
    await trade.connect(a.glassworks).accept(1n);
    await trade.connect(a.golfo).fund(1n);
    const uetrs = new Set<string>();
    for (const kind of [Kind.Shipped, Kind.CustomsCleared, Kind.Delivered]) {
      const doc = ethers.id(`doc-${kind}`);
      const receipt = await (
        await trade.attest(1n, kind, doc, [await attestation(1n, kind, doc)], NO_QUOTE, "0x")
      ).wait();
      const paid = receipt!.logs.map((l) => trade.interface.parseLog(l)).find((e) => e?.name === "TranchePaid")!;
      const uetr = formatUetr(paid.args.uetr);
      expect(uetr).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(BigInt(paid.args.endToEndId)).to.equal((1n << 8n) | BigInt(kind));
      uetrs.add(uetr);
    }
    expect(uetrs.size).to.equal(3);
    void fxQuote;
  });

  it("test_fundWithPermit_locksInOneTransactionEvenIfThePermitWasRelayed", async function () {
    const { trade, terms, world, tokens, a } = await networkHelpers.loadFixture(fixture);
    const address = await trade.getAddress();
    await tokens.MXN.connect(a.golfo).approve(address, 0n);
    await trade.connect(a.cristal).createOrder(terms);
    await trade.connect(a.glassworks).accept(1n);
    await trade.connect(a.glassworks).setFxTerms(1n, HUAXIA, 0n);
    const deadline = BigInt(await networkHelpers.time.latest()) + 600n;
    // A permit for less than the amount: the permit is skipped and the transfer finds no allowance.
    const short = await signPermit(tokens.MXN, a.golfo, address, terms.amount - 1n, deadline);
    await expect(
      trade.connect(a.golfo).fundWithPermit(1n, deadline, short.v, short.r, short.s),
    ).to.be.revertedWithCustomError(tokens.MXN, "ERC20InsufficientAllowance");
    expect((await trade.getOrder(1n)).state).to.equal(2n); // still Accepted
    const permit = await signPermit(tokens.MXN, a.golfo, address, terms.amount, deadline);
    // Someone relays the permit first: fundWithPermit still funds with the allowance it left.
    await tokens.MXN.connect(world.outsiders[0]).permit(
      permit.owner,
      address,
      permit.value,
      deadline,
      permit.v,
      permit.r,
      permit.s,
    );
    await expect(trade.connect(a.golfo).fundWithPermit(1n, deadline, permit.v, permit.r, permit.s))
      .to.emit(trade, "OrderFunded")
      .withArgs(1n, a.golfo.address, terms.amount);
    expect(await trade.escrowOf(1n)).to.equal(terms.amount);
    await expect(trade.connect(a.golfo).fundWithPermit(9n, deadline, permit.v, permit.r, permit.s))
      .to.be.revertedWithCustomError(trade, "TradeUnknownOrder")
      .withArgs(9n);
  });

  it("item 18: a pause across the shipment deadline lets nobody take back the order, and only the governor lifts its own pause", async function () {
    const { trade, terms, attestation, fxQuote, world, a } = await networkHelpers.loadFixture(fixture);
    await trade.connect(a.cristal).createOrder(terms);
    await trade.connect(a.glassworks).accept(1n);
    await trade.connect(a.glassworks).setFxTerms(1n, HUAXIA, 0n);
    await trade.connect(a.golfo).fund(1n);
    await expect(trade.connect(a.golfo).pause()).to.be.revertedWithCustomError(
      world.contracts.members,
      "MemberMissingRole",
    );
    await expect(trade.pause()).to.emit(trade, "Paused");
    await expect(trade.connect(a.cristal).createOrder(terms)).to.be.revertedWithCustomError(trade, "EnforcedPause");
    const doc = ethers.id("BL");
    const sigs = [await attestation(1n, Kind.Shipped, doc)];
    await expect(trade.attest(1n, Kind.Shipped, doc, sigs, NO_QUOTE, "0x")).to.be.revertedWithCustomError(
      trade,
      "EnforcedPause",
    );
    await networkHelpers.time.increaseTo(terms.shipmentDeadline + 5n * DAY);
    // The deadline stood still while the exporter could not present its evidence.
    await expect(trade.connect(world.outsiders[0]).refundUnshipped(1n)).to.be.revertedWithCustomError(
      trade,
      "TradeTooEarly",
    );
    // A Regulator cannot lift the governor's pause.
    await expect(trade.connect(a.regulator).unpause())
      .to.be.revertedWithCustomError(trade, "PauseLiftUnauthorized")
      .withArgs(a.regulator.address);
    await expect(trade.unpause()).to.emit(trade, "Unpaused");
    const { q, sig } = await fxQuote(1n);
    await expect(trade.attest(1n, Kind.Shipped, doc, sigs, q, sig)).to.emit(trade, "TranchePaid");
    await expect(trade.refundUnshipped(1n)).to.be.revertedWithCustomError(trade, "TradeGoodsMoved");
  });

  it("item 18: a pause across the arbiter's deadline does not turn a dispute into a refund", async function () {
    const { trade, terms, attestation, world, a } = await networkHelpers.loadFixture(fixture);
    const same = {
      ...terms,
      payoutToken: terms.payToken,
      tranches: [{ shareBps: 10_000, evidence: 1 << Kind.Inspected }],
    };
    await trade.connect(a.cristal).createOrder(same);
    await trade.connect(a.glassworks).accept(1n);
    await trade.connect(a.golfo).fund(1n);
    const doc = ethers.id("POD");
    await trade.attest(1n, Kind.Delivered, doc, [await attestation(1n, Kind.Delivered, doc)], NO_QUOTE, "0x");
    await trade.connect(a.cristal).dispute(1n, reasonCode("CRACKS"));
    await trade.connect(a.regulator).pause();
    await networkHelpers.time.increase(20 * 86_400);
    await expect(trade.refundExpired(1n)).to.be.revertedWithCustomError(trade, "TradeTooEarly");
    await trade.connect(a.regulator).unpause();
    await expect(trade.refundExpired(1n)).to.be.revertedWithCustomError(trade, "TradeTooEarly");
    await expect(trade.connect(a.regulator).resolve(1n, 10_000, NO_QUOTE, "0x")).to.emit(trade, "TranchePaid");
    void world;
  });

  it("test_windows_closeWithPreciseErrors", async function () {
    const { trade, terms, attestation, tokens, a } = await networkHelpers.loadFixture(fixture);
    const same = {
      ...terms,
      payoutToken: terms.payToken,
      tranches: [{ shareBps: 10_000, evidence: 1 << Kind.Inspected }],
    };
    await trade.connect(a.cristal).createOrder(same);
    await trade.connect(a.cristal).createOrder(same);
    await networkHelpers.time.increaseTo(terms.shipmentDeadline);
    await expect(trade.connect(a.glassworks).accept(2n))
      .to.be.revertedWithCustomError(trade, "TradeWindowClosed")
      .withArgs(2n, terms.shipmentDeadline);
    await expect(trade.connect(a.cristal).createOrder({ ...same, payToken: ethers.ZeroAddress }))
      .to.be.revertedWithCustomError(trade, "TradeInvalidToken")
      .withArgs(ethers.ZeroAddress);
    await expect(
      trade.connect(a.cristal).createOrder({ ...same, payoutToken: a.cristal.address }),
    ).to.be.revertedWithCustomError(trade, "TradeInvalidToken");
    // An order accepted in time: delivery evidence opens the objection window, which closes 3 days later.
    const now = BigInt(await networkHelpers.time.latest());
    await trade
      .connect(a.cristal)
      .createOrder({ ...same, shipmentDeadline: now + 86_400n, expiry: now + 30n * 86_400n });
    await trade.connect(a.glassworks).accept(3n);
    await trade.connect(a.golfo).fund(3n);
    const doc = ethers.id("POD");
    await trade.attest(3n, Kind.Delivered, doc, [await attestation(3n, Kind.Delivered, doc)], NO_QUOTE, "0x");
    const delivered = (await trade.getOrder(3n)).deliveredAt;
    expect(delivered).to.be.greaterThan(0n);
    await networkHelpers.time.increaseTo(delivered + 3n * 86_400n + 1n);
    await expect(trade.connect(a.cristal).dispute(3n, reasonCode("LATE")))
      .to.be.revertedWithCustomError(trade, "TradeWindowClosed")
      .withArgs(3n, delivered + 3n * 86_400n);
    // The undisputed remainder goes to the exporter: nothing stays in escrow.
    await trade.releaseAfterObjection(3n, NO_QUOTE, "0x");
    expect(await trade.escrowOf(3n)).to.equal(0n);
    expect(await tokens.MXN.balanceOf(await trade.getAddress())).to.equal(0n);
  });

  it("test_assignProceeds_refusesAZeroAdvance_evenSignedByTheFinancier", async function () {
    const { trade, world, a, acceptedOrder, signedAssignment } = await networkHelpers.loadFixture(fixture);
    await acceptedOrder();
    const { deadline, nonce, signed } = await signedAssignment(a.pacific, world.ids.pacific, 0n);
    // A financier that advanced nothing has no claim on the proceeds, whatever it signed.
    await expect(trade.connect(a.glassworks).assignProceeds(1n, world.ids.pacific, 0n, deadline, nonce, signed))
      .to.be.revertedWithCustomError(trade, "TradeZeroAmount")
      .withArgs();
    expect((await trade.getOrder(1n)).financier).to.equal(0n);
  });

  it("test_assignProceeds_refusesAFinancierWithoutTheRole_whoeverSigned", async function () {
    const { trade, world, a, acceptedOrder, signedAssignment } = await networkHelpers.loadFixture(fixture);
    await acceptedOrder();
    const advance = 10_000_000n;
    // A member that is no financier is refused as a party before its signature is looked at, even when another
    // key signed: the error names the cause that no signature can cure.
    const byExporter = await signedAssignment(a.glassworks, world.ids.carrier, advance);
    await expect(
      trade
        .connect(a.glassworks)
        .assignProceeds(1n, world.ids.carrier, advance, byExporter.deadline, byExporter.nonce, byExporter.signed),
    )
      .to.be.revertedWithCustomError(trade, "TradeInvalidParty")
      .withArgs(world.ids.carrier);
    // The financier's own operator signed, but the governor took the Financier role away: refused as a party too.
    const { deadline, nonce, signed } = await signedAssignment(a.pacific, world.ids.pacific, advance);
    await world.contracts.members.removeRoles(world.ids.pacific, roleMask(["Financier"]));
    await expect(trade.connect(a.glassworks).assignProceeds(1n, world.ids.pacific, advance, deadline, nonce, signed))
      .to.be.revertedWithCustomError(trade, "TradeInvalidParty")
      .withArgs(world.ids.pacific);
    expect((await trade.getOrder(1n)).financier).to.equal(0n);
  });

  it("test_fundAndAccept_refusedFromTheShipmentDeadlineOn", async function () {
    const { trade, terms, a } = await networkHelpers.loadFixture(fixture);
    const now = BigInt(await networkHelpers.time.latest());
    const deadline = now + 86_400n;
    const order = { ...terms, payoutToken: terms.payToken, shipmentDeadline: deadline, expiry: now + 30n * 86_400n };
    for (const id of [1n, 2n]) {
      await trade.connect(a.cristal).createOrder(order);
      await expect(trade.connect(a.glassworks).accept(id)).to.emit(trade, "OrderAccepted").withArgs(id);
    }
    await trade.connect(a.cristal).createOrder(order);
    // One second before the shipment deadline the bank still funds; at the deadline it no longer can.
    await networkHelpers.time.setNextBlockTimestamp(deadline - 1n);
    await trade.connect(a.golfo).fund(1n);
    expect((await trade.getOrder(1n)).state).to.equal(3n); // Funded
    await networkHelpers.time.setNextBlockTimestamp(deadline);
    await expect(trade.connect(a.golfo).fund(2n))
      .to.be.revertedWithCustomError(trade, "TradeWindowClosed")
      .withArgs(2n, deadline);
    expect((await trade.getOrder(2n)).state).to.equal(2n); // Accepted
    // Nor does the exporter accept an order at the shipment deadline.
    await networkHelpers.time.setNextBlockTimestamp(deadline);
    await expect(trade.connect(a.glassworks).accept(3n))
      .to.be.revertedWithCustomError(trade, "TradeWindowClosed")
      .withArgs(3n, deadline);
    expect((await trade.getOrder(3n)).state).to.equal(1n); // Created
  });

  it("test_attest_refusedFromExpiryOn_whateverTheKind", async function () {
    const { trade, terms, attestation, a } = await networkHelpers.loadFixture(fixture);
    const now = BigInt(await networkHelpers.time.latest());
    const expiry = now + 30n * 86_400n;
    await trade
      .connect(a.cristal)
      .createOrder({ ...terms, payoutToken: terms.payToken, shipmentDeadline: now + 86_400n, expiry });
    await trade.connect(a.glassworks).accept(1n);
    await trade.connect(a.golfo).fund(1n);
    const doc = ethers.id("B/L");
    // One second before expiry, shipment evidence is still recorded; from expiry on, no kind of evidence is.
    await networkHelpers.time.setNextBlockTimestamp(expiry - 1n);
    await trade.attest(1n, Kind.Shipped, doc, [await attestation(1n, Kind.Shipped, doc)], NO_QUOTE, "0x");
    expect((await trade.getOrder(1n)).evidenceDone).to.equal(1n << BigInt(Kind.Shipped));
    for (const kind of [Kind.CustomsCleared, Kind.Delivered, Kind.Inspected]) {
      await networkHelpers.time.setNextBlockTimestamp(expiry + BigInt(kind) - 1n);
      await expect(trade.attest(1n, kind, doc, [await attestation(1n, kind, doc)], NO_QUOTE, "0x"))
        .to.be.revertedWithCustomError(trade, "TradeWindowClosed")
        .withArgs(1n, expiry);
    }
    expect((await trade.getOrder(1n)).evidenceDone).to.equal(1n << BigInt(Kind.Shipped));
  });

  it("test_getOrder_returnsTheTermsAndRevertsForUnknownIds", async function () {
    const { trade, terms, world, a } = await networkHelpers.loadFixture(fixture);
    await expect(trade.getOrder(1n)).to.be.revertedWithCustomError(trade, "TradeUnknownOrder").withArgs(1n);
    await trade.connect(a.cristal).createOrder(terms);
    const o = await trade.getOrder(1n);
    expect([o.importer, o.exporter, o.importerBank, o.exporterBank]).to.deep.equal([
      world.ids.cristal,
      world.ids.glassworks,
      world.ids.golfo,
      world.ids.huaxia,
    ]);
    expect([o.state, o.amount, o.payToken, o.payoutToken]).to.deep.equal([
      1n,
      terms.amount,
      terms.payToken,
      terms.payoutToken,
    ]);
    expect(o.tranches.map((t) => [t.shareBps, t.evidence])).to.deep.equal([
      [3_000n, 1n],
      [4_000n, 2n],
      [3_000n, 4n],
    ]);
    expect(await trade.arbiterWindow()).to.equal(14n * 86_400n);
  });
  it("test_otherPartiesAreRefused_andAFullAwardRefundsNothing", async function () {
    const { trade, terms, attestation, world, a } = await networkHelpers.loadFixture(fixture);
    const [otherImporter, otherExporter] = world.outsiders;
    await world.contracts.members.admit(
      legalIdHash("TLOTHERIMPORTER00001"),
      testEntityKey(legalIdHash("TLOTHERIMPORTER00001")),
      jurisdictionCode("MX"),
      roleMask(["Importer"]),
      otherImporter,
    );
    await world.contracts.members.admit(
      legalIdHash("TLOTHEREXPORTER00002"),
      testEntityKey(legalIdHash("TLOTHEREXPORTER00002")),
      jurisdictionCode("CN"),
      roleMask(["Exporter"]),
      otherExporter,
    );
    const same = {
      ...terms,
      payoutToken: terms.payToken,
      tranches: [{ shareBps: 10_000, evidence: 1 << Kind.Inspected }],
    };
    await trade.connect(a.cristal).createOrder(same);
    await expect(trade.payReleased(1n, NO_QUOTE, "0x"))
      .to.be.revertedWithCustomError(trade, "TradeUnexpectedOrderState")
      .withArgs(1n, State.Created, orderStateSet("Funded", "Disputed"));
    await trade.connect(a.glassworks).accept(1n);
    await expect(trade.connect(otherExporter).assignProceeds(1n, world.ids.pacific, 1n, 0n, 0n, "0x"))
      .to.be.revertedWithCustomError(trade, "TradeUnauthorized")
      .withArgs(1n, otherExporter.address);
    await trade.connect(a.golfo).fund(1n);
    const doc = ethers.id("POD");
    await trade.attest(1n, Kind.Delivered, doc, [await attestation(1n, Kind.Delivered, doc)], NO_QUOTE, "0x");
    await expect(trade.connect(otherImporter).dispute(1n, reasonCode("MINE")))
      .to.be.revertedWithCustomError(trade, "TradeUnauthorized")
      .withArgs(1n, otherImporter.address);
    await trade.connect(a.cristal).dispute(1n, reasonCode("CRACKS"));
    await expect(trade.connect(a.regulator).resolve(1n, 10_000, NO_QUOTE, "0x"))
      .to.emit(trade, "TranchePaid")
      .and.not.to.emit(trade, "Refunded");
    expect(await trade.escrowOf(1n)).to.equal(0n);
  });
  it("test_releaseAfterObjection_needsAQuoteWhenConverting", async function () {
    const { trade, terms, attestation, fxQuote, tokens, a } = await networkHelpers.loadFixture(fixture);
    await trade
      .connect(a.cristal)
      .createOrder({ ...terms, tranches: [{ shareBps: 10_000, evidence: 1 << Kind.Inspected }] });
    await trade.connect(a.glassworks).accept(1n);
    await trade.connect(a.glassworks).setFxTerms(1n, HUAXIA, 0n);
    await trade.connect(a.golfo).fund(1n);
    const doc = ethers.id("POD");
    await trade.attest(1n, Kind.Delivered, doc, [await attestation(1n, Kind.Delivered, doc)], NO_QUOTE, "0x");
    await networkHelpers.time.increase(3 * 86_400 + 1);
    await expect(trade.releaseAfterObjection(1n, NO_QUOTE, "0x"))
      .to.be.revertedWithCustomError(trade, "TradeFxQuoteRequired")
      .withArgs(1n);
    const { q, sig } = await fxQuote(1n);
    await expect(trade.releaseAfterObjection(1n, q, sig))
      .to.emit(trade, "OrderSettled")
      .withArgs(1n);
    expect(await tokens.CNY.balanceOf(a.glassworks)).to.equal(((40_000_000n - 40_000n - 60_000n) * 38n) / 100n);
  });

  it("item 1: the last tranche is paid while the credit registry is paused", async function () {
    const { trade, terms, attestation, world, a, assignToPacific } = await networkHelpers.loadFixture(fixture);
    await trade.connect(a.cristal).createOrder({ ...terms, payoutToken: terms.payToken });
    await trade.connect(a.glassworks).accept(1n);
    await assignToPacific(1n, 5n);
    await trade.connect(a.golfo).fund(1n);
    await world.contracts.credit.pause();
    for (const kind of [Kind.Shipped, Kind.CustomsCleared, Kind.Delivered]) {
      const doc = ethers.id(`doc-${kind}`);
      await trade.attest(1n, kind, doc, [await attestation(1n, kind, doc)], NO_QUOTE, "0x");
    }
    expect((await trade.getOrder(1n)).state).to.equal(5n); // Settled
    expect(await world.contracts.tokens.MXN.balanceOf(await trade.getAddress())).to.equal(0n);
  });

  it("item 2: a revoked importer's bank never locks the escrow; its money is parked and redirected by the governor", async function () {
    const { trade, terms, attestation, world, a } = await networkHelpers.loadFixture(fixture);
    const { members, tokens } = world.contracts;
    await trade.connect(a.cristal).createOrder({ ...terms, payoutToken: terms.payToken });
    await trade.connect(a.glassworks).accept(1n);
    await trade.connect(a.golfo).fund(1n);
    await members.revoke(world.ids.golfo, reasonCode("LICENCE"));
    const doc = ethers.id("BL");
    await expect(trade.attest(1n, Kind.Shipped, doc, [await attestation(1n, Kind.Shipped, doc)], NO_QUOTE, "0x"))
      .to.emit(trade, "TranchePaid")
      .and.to.emit(trade, "PaymentParked")
      .withArgs(world.ids.golfo, terms.payToken, 12_000n);
    expect(await tokens.MXN.balanceOf(a.glassworks)).to.equal(12_000_000n - 12_000n - 18_000n);
    await networkHelpers.time.increaseTo(terms.expiry + 1n);
    // Goods moved: the rest is the exporter's, paid although the importer's bank is revoked.
    await trade.releaseAfterObjection(1n, NO_QUOTE, "0x");
    const owed = await trade.owedTo(world.ids.golfo, terms.payToken);
    expect(await tokens.MXN.balanceOf(await trade.getAddress())).to.equal(owed);
    expect(await trade.totalOwed(terms.payToken)).to.equal(owed);
    await expect(trade.redirectOwed(world.ids.golfo, terms.payToken, a.regulator.address, reasonCode("RULE-7")))
      .to.emit(trade, "OwedRedirected")
      .withArgs(world.ids.golfo, terms.payToken, a.regulator.address, owed, reasonCode("RULE-7"));
    expect(await tokens.MXN.balanceOf(await trade.getAddress())).to.equal(0n);
  });

  it("item 2: a suspended exporter's payment is parked, then claimed at its payout account of the day", async function () {
    const { trade, terms, attestation, world, a } = await networkHelpers.loadFixture(fixture);
    const { members, tokens } = world.contracts;
    await trade.connect(a.cristal).createOrder({ ...terms, payoutToken: terms.payToken });
    await trade.connect(a.glassworks).accept(1n);
    await trade.connect(a.golfo).fund(1n);
    await members.suspend(world.ids.glassworks, reasonCode("AUDIT"));
    const doc = ethers.id("BL");
    await trade.attest(1n, Kind.Shipped, doc, [await attestation(1n, Kind.Shipped, doc)], NO_QUOTE, "0x");
    const net = 12_000_000n - 12_000n - 18_000n;
    expect(await trade.owedTo(world.ids.glassworks, terms.payToken)).to.equal(net);
    await members.reinstate(world.ids.glassworks, reasonCode("CLEARED"));
    const payout = world.outsiders[2];
    await linkOperator(connection, members, a.glassworks, world.ids.glassworks, payout);
    await members.connect(a.glassworks).setPayoutAccount(world.ids.glassworks, payout.address);
    await trade.connect(world.outsiders[0]).claimOwed(world.ids.glassworks, terms.payToken);
    expect(await tokens.MXN.balanceOf(payout.address)).to.equal(net);
  });

  it("item 4: refundUnshipped does not fire after customs evidence on an order with no Shipped tranche", async function () {
    const { trade, terms, attestation, a } = await networkHelpers.loadFixture(fixture);
    const noShipped = {
      ...terms,
      payoutToken: terms.payToken,
      tranches: [
        { shareBps: 5_000, evidence: 1 << Kind.CustomsCleared },
        { shareBps: 5_000, evidence: 1 << Kind.Inspected },
      ],
    };
    await trade.connect(a.cristal).createOrder(noShipped);
    await trade.connect(a.glassworks).accept(1n);
    await trade.connect(a.golfo).fund(1n);
    const doc = ethers.id("customs");
    await trade.attest(1n, Kind.CustomsCleared, doc, [await attestation(1n, Kind.CustomsCleared, doc)], NO_QUOTE, "0x");
    await networkHelpers.time.increaseTo(terms.shipmentDeadline + 1n);
    await expect(trade.refundUnshipped(1n))
      .to.be.revertedWithCustomError(trade, "TradeGoodsMoved")
      .withArgs(1n, 1 << Kind.CustomsCleared);
    // At expiry what remains is the exporter's, not refunded.
    await networkHelpers.time.increaseTo(terms.expiry + 1n);
    await expect(trade.refundExpired(1n)).to.be.revertedWithCustomError(trade, "TradeGoodsMoved");
    await expect(trade.releaseAfterObjection(1n, NO_QUOTE, "0x")).to.emit(trade, "OrderSettled");
  });

  it("item 4: delivery evidence whose objection window could not close before expiry is refused", async function () {
    const { trade, terms, attestation, a } = await networkHelpers.loadFixture(fixture);
    await trade.connect(a.cristal).createOrder({ ...terms, payoutToken: terms.payToken });
    await trade.connect(a.glassworks).accept(1n);
    await trade.connect(a.golfo).fund(1n);
    await networkHelpers.time.increaseTo(terms.expiry - 2n * DAY);
    const doc = ethers.id("POD");
    const sigs = [await attestation(1n, Kind.Delivered, doc)];
    await expect(trade.attest(1n, Kind.Delivered, doc, sigs, NO_QUOTE, "0x")).to.be.revertedWithCustomError(
      trade,
      "TradeObjectionPastExpiry",
    );
    // So refundExpired never meets an open objection window: at expiry it refunds an order without evidence.
    await networkHelpers.time.increaseTo(terms.expiry + 1n);
    await expect(trade.refundExpired(1n)).to.emit(trade, "Refunded");
  });

  it("item 6: two keys of one oracle member count once", async function () {
    const { trade, terms, world, a } = await networkHelpers.loadFixture(fixture);
    await trade.setThreshold(Kind.Shipped, 2);
    await trade.connect(a.cristal).createOrder({ ...terms, payoutToken: terms.payToken });
    await trade.connect(a.glassworks).accept(1n);
    await trade.connect(a.golfo).fund(1n);
    const second = world.outsiders[3];
    await linkOperator(connection, world.contracts.members, a.carrier, world.ids.carrier, second);
    const domain = tradeDomain(31337n, await trade.getAddress());
    const doc = ethers.id("BL");
    const sigs = [
      { who: a.carrier, sig: await signAttestation(a.carrier, domain, 1n, "Shipped", doc) },
      { who: second, sig: await signAttestation(second, domain, 1n, "Shipped", doc) },
    ].sort((x, y) => (BigInt(x.who.address) < BigInt(y.who.address) ? -1 : 1));
    await expect(
      trade.attest(
        1n,
        Kind.Shipped,
        doc,
        sigs.map((x) => x.sig),
        NO_QUOTE,
        "0x",
      ),
    )
      .to.be.revertedWithCustomError(trade, "TradeDuplicateOracleMember")
      .withArgs(1n, world.ids.carrier);
  });

  it("item 8: a quote for one order cannot be spent on another, and a relayer cannot attach another provider's quote", async function () {
    const { trade, terms, attestation, fxQuote, world, a } = await networkHelpers.loadFixture(fixture);
    await trade.connect(a.cristal).createOrder(terms);
    await trade.connect(a.cristal).createOrder(terms);
    for (const id of [1n, 2n]) {
      await trade.connect(a.glassworks).accept(id);
      await trade.connect(a.golfo).fund(id);
    }
    const doc = ethers.id("BL");
    const sigs = [await attestation(2n, Kind.Shipped, doc)];
    // Huaxia's quote for order 1 cannot pay order 2.
    const forOne = await fxQuote(1n);
    await expect(trade.connect(a.glassworks).attest(2n, Kind.Shipped, doc, sigs, forOne.q, forOne.sig))
      .to.be.revertedWithCustomError(trade, "TradeFxQuoteNotForOrder")
      .withArgs(2n, 1n);
    // A quote for this order that pays somebody else is not the payee's.
    const forPacific = await fxQuote(11n, { order: 2n, beneficiary: world.ids.pacific });
    await expect(trade.connect(a.glassworks).attest(2n, Kind.Shipped, doc, sigs, forPacific.q, forPacific.sig))
      .to.be.revertedWithCustomError(trade, "TradeFxQuoteNotForPayee")
      .withArgs(2n, world.ids.pacific, world.ids.glassworks);
    // A stranger relays the evidence with Pacific's worse live quote for order 2: refused, the exporter chose none.
    const worse = await fxQuote(2n, { order: 2n, rate: scaledRate("0.30") }, a.pacific);
    await expect(trade.connect(world.outsiders[0]).attest(2n, Kind.Shipped, doc, sigs, worse.q, worse.sig))
      .to.be.revertedWithCustomError(trade, "TradeFxQuoteNotChosen")
      .withArgs(2n, a.pacific.address);
    // Once the exporter names Huaxia with a floor of 0.37, anyone may relay Huaxia's quotes at or above it only.
    await trade.connect(a.glassworks).setFxTerms(2n, world.ids.huaxia, scaledRate("0.37"));
    const low = await fxQuote(3n, { order: 2n, rate: scaledRate("0.36") });
    await expect(trade.connect(world.outsiders[0]).attest(2n, Kind.Shipped, doc, sigs, low.q, low.sig))
      .to.be.revertedWithCustomError(trade, "TradeFxRateBelowMin")
      .withArgs(2n, scaledRate("0.36"), scaledRate("0.37"));
    await expect(trade.connect(world.outsiders[0]).attest(2n, Kind.Shipped, doc, sigs, worse.q, worse.sig))
      .to.be.revertedWithCustomError(trade, "TradeFxProviderNotNamed")
      .withArgs(2n, world.ids.pacific, world.ids.huaxia);
    const good = await fxQuote(4n, { order: 2n });
    await expect(trade.connect(world.outsiders[0]).attest(2n, Kind.Shipped, doc, sigs, good.q, good.sig)).to.emit(
      trade,
      "TranchePaid",
    );
    // The exporter itself may pick any provider's quote.
    await world.contracts.tokens.CNY.connect(world.issuer).mint(a.pacific, 100_000_000n);
    await world.contracts.tokens.CNY.connect(a.pacific).approve(await trade.getAddress(), 100_000_000n);
    const doc2 = ethers.id("customs");
    const pac = await fxQuote(5n, { order: 1n, rate: scaledRate("0.39") }, a.pacific);
    await expect(
      trade
        .connect(a.glassworks)
        .attest(1n, Kind.CustomsCleared, doc2, [await attestation(1n, Kind.CustomsCleared, doc2)], pac.q, pac.sig),
    ).to.emit(trade, "TranchePaid");
    // The contract's EIP-712 type is the SDK's.
    const encoded = ethers.TypedDataEncoder.from(FX_QUOTE_TYPES).encodeType("FxQuote");
    expect(await trade.FX_QUOTE_TYPEHASH()).to.equal(ethers.id(encoded));
  });

  it("item 19: a tranche released but unpaid for lack of a quote stays the exporter's through a dispute", async function () {
    const { trade, terms, attestation, fxQuote, tokens, a } = await networkHelpers.loadFixture(fixture);
    const twoTranches = {
      ...terms,
      tranches: [
        { shareBps: 5_000, evidence: 1 << Kind.Delivered },
        { shareBps: 5_000, evidence: 1 << Kind.Inspected },
      ],
    };
    await trade.connect(a.cristal).createOrder(twoTranches);
    await trade.connect(a.glassworks).accept(1n);
    await trade.connect(a.glassworks).setFxTerms(1n, HUAXIA, 0n);
    await trade.connect(a.golfo).fund(1n);
    const doc = ethers.id("POD");
    // The importer relays the delivery evidence without a quote, then disputes.
    await trade
      .connect(a.cristal)
      .attest(1n, Kind.Delivered, doc, [await attestation(1n, Kind.Delivered, doc)], NO_QUOTE, "0x");
    await trade.connect(a.cristal).dispute(1n, reasonCode("CRACKS"));
    const golfoBefore = await tokens.MXN.balanceOf(a.golfo);
    await trade.connect(a.regulator).resolve(1n, 0, NO_QUOTE, "0x");
    // Only the unreleased half was at stake and refunded.
    expect((await tokens.MXN.balanceOf(a.golfo)) - golfoBefore).to.equal(20_000_000n);
    expect(await trade.escrowOf(1n)).to.equal(20_000_000n);
    const { q, sig } = await fxQuote(1n);
    await trade.payReleased(1n, q, sig);
    expect(await tokens.CNY.balanceOf(a.glassworks)).to.equal(((20_000_000n - 20_000n - 30_000n) * 38n) / 100n);
    expect((await trade.getOrder(1n)).state).to.equal(5n);
  });

  it("item 23: no arbiter or oracle acts on an order it is party to", async function () {
    const { trade, terms, attestation, world, a, assignToPacific } = await networkHelpers.loadFixture(fixture);
    const { members } = world.contracts;
    // Every party of the order is made an arbiter: importer, exporter, both banks and the financier.
    const parties = ["cristal", "glassworks", "golfo", "huaxia", "pacific"] as const;
    for (const p of parties) await members.grantRoles(world.ids[p], roleMask(["Arbiter"]));
    await members.grantRoles(world.ids.glassworks, roleMask(["Oracle"]));
    const same = {
      ...terms,
      payoutToken: terms.payToken,
      tranches: [{ shareBps: 10_000, evidence: 1 << Kind.Inspected }],
    };
    await trade.connect(a.cristal).createOrder(same);
    await trade.connect(a.glassworks).accept(1n);
    await assignToPacific(1n, 5n);
    await trade.connect(a.golfo).fund(1n);
    const doc = ethers.id("POD");
    await expect(
      trade.attest(1n, Kind.Delivered, doc, [await attestation(1n, Kind.Delivered, doc, a.glassworks)], NO_QUOTE, "0x"),
    )
      .to.be.revertedWithCustomError(trade, "TradeConflictOfInterest")
      .withArgs(1n, world.ids.glassworks);
    await trade.attest(1n, Kind.Delivered, doc, [await attestation(1n, Kind.Delivered, doc)], NO_QUOTE, "0x");
    await trade.connect(a.cristal).dispute(1n, reasonCode("CRACKS"));
    for (const p of parties) {
      await expect(trade.connect(a[p]).resolve(1n, 0, NO_QUOTE, "0x"))
        .to.be.revertedWithCustomError(trade, "TradeConflictOfInterest")
        .withArgs(1n, world.ids[p]);
    }
  });

  it("item 24 / item 18: an importer whose role was removed, or that is suspended, can still dispute its order", async function () {
    const { trade, terms, attestation, world, a } = await networkHelpers.loadFixture(fixture);
    await trade.connect(a.cristal).createOrder({ ...terms, payoutToken: terms.payToken });
    await trade.connect(a.glassworks).accept(1n);
    await trade.connect(a.golfo).fund(1n);
    const doc = ethers.id("POD");
    await trade.attest(1n, Kind.Delivered, doc, [await attestation(1n, Kind.Delivered, doc)], NO_QUOTE, "0x");
    await world.contracts.members.removeRoles(world.ids.cristal, roleMask(["Importer"]));
    // Suspended too: its objection window keeps running, so it keeps its right to object (item 18).
    await world.contracts.members.suspend(world.ids.cristal, reasonCode("AUDIT"));
    await expect(trade.connect(a.cristal).dispute(1n, reasonCode("CRACKS"))).to.emit(trade, "OrderDisputed");
  });

  it("item 26: only listed settlement tokens", async function () {
    const { trade, terms, world, a } = await networkHelpers.loadFixture(fixture);
    await world.contracts.members.setSettlementToken(terms.payoutToken, false);
    await expect(trade.connect(a.cristal).createOrder(terms))
      .to.be.revertedWithCustomError(trade, "TradeInvalidToken")
      .withArgs(terms.payoutToken);
  });
});

describe("TradeSettlement events are the source of truth (issue 12)", function () {
  it("the constructor emits the arbiter window and the initial threshold of every evidence kind", async function () {
    const { trade } = await networkHelpers.loadFixture(fixture);
    const windows = await trade.queryFilter(trade.filters.ArbiterWindowSet());
    expect(windows.map((l) => l.args.arbiterWindow)).to.deep.equal([await trade.arbiterWindow()]);
    const thresholds = await trade.queryFilter(trade.filters.ThresholdSet());
    expect(thresholds.map((l) => [Number(l.args.kind), Number(l.args.oracles)])).to.deep.equal([
      [Kind.Shipped, 1],
      [Kind.CustomsCleared, 1],
      [Kind.Delivered, 1],
      [Kind.Inspected, 1],
    ]);
    for (const kind of Object.values(Kind)) expect(await trade.evidenceThreshold(kind)).to.equal(1n);
  });

  it("OrderCreated and OrderBanksNamed carry every term getOrder returns", async function () {
    const { trade, terms, world, a } = await networkHelpers.loadFixture(fixture);
    await expect(trade.connect(a.cristal).createOrder(terms))
      .to.emit(trade, "OrderCreated")
      .withArgs(
        1n,
        world.ids.cristal,
        world.ids.glassworks,
        terms.documentHash,
        terms.amount,
        terms.payToken,
        terms.payoutToken,
        terms.shipmentDeadline,
        terms.expiry,
        terms.objectionWindow,
        terms.tranches.map((t) => [t.shareBps, t.evidence]),
      )
      .and.to.emit(trade, "OrderBanksNamed")
      .withArgs(1n, world.ids.golfo, world.ids.huaxia, terms.importerBankFeeBps, terms.exporterBankFeeBps);
    const [created] = await trade.queryFilter(trade.filters.OrderCreated(1n));
    const [banks] = await trade.queryFilter(trade.filters.OrderBanksNamed(undefined, world.ids.golfo));
    const o = await trade.getOrder(1n);
    expect([o.importer, o.exporter, o.importerBank, o.exporterBank]).to.deep.equal([
      created.args.importer,
      created.args.exporter,
      banks.args.importerBank,
      banks.args.exporterBank,
    ]);
    expect([o.importerBankFeeBps, o.exporterBankFeeBps]).to.deep.equal([
      banks.args.importerBankFeeBps,
      banks.args.exporterBankFeeBps,
    ]);
    expect([o.shipmentDeadline, o.expiry, o.objectionWindow]).to.deep.equal([
      created.args.shipmentDeadline,
      created.args.expiry,
      created.args.objectionWindow,
    ]);
    expect(o.tranches.map((t) => [t.shareBps, t.evidence])).to.deep.equal(
      created.args.tranches.map((t) => [t.shareBps, t.evidence]),
    );
  });

  it("a payment without FX names no provider and no nonce, and its UETR is a topic", async function () {
    const { trade, terms, attestation, a } = await networkHelpers.loadFixture(fixture);
    await trade.connect(a.cristal).createOrder({ ...terms, payoutToken: terms.payToken });
    await trade.connect(a.glassworks).accept(1n);
    await trade.connect(a.golfo).fund(1n);
    const doc = ethers.id("BL");
    await expect(trade.attest(1n, Kind.Shipped, doc, [await attestation(1n, Kind.Shipped, doc)], NO_QUOTE, "0x"))
      .to.emit(trade, "TranchePaid")
      .withArgs(
        1n,
        0,
        a.glassworks.address,
        anyValue,
        anyValue,
        12_000_000n,
        12_000n,
        18_000n,
        12_000_000n - 30_000n,
        10n ** 18n,
        ethers.ZeroAddress,
        0n,
      );
    const [paid] = await trade.queryFilter(trade.filters.TranchePaid(1n));
    const byUetr = await trade.queryFilter(trade.filters.TranchePaid(undefined, undefined, undefined, paid.args.uetr));
    expect(byUetr.map((l) => l.transactionHash)).to.deep.equal([paid.transactionHash]);
  });
});
