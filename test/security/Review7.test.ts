import { expect } from "chai";
import { network } from "hardhat";

import { NO_FX_QUOTE, signAssignment, signAttestation, tradeDomain } from "../../src/trade.js";
import { dayOf } from "../../src/credit.js";
import { roleMask } from "../../src/members.js";
import { deployWorld } from "../../scripts/lib/world.js";
import { FACE, ledgerWorld } from "../helpers/ledger.js";
import { allPendingReports } from "../helpers/reports.js";

/**
 * Regressions of the seventh adversarial review. G1: a module's report held in its queue (the credit registry paused)
 * until after the record's maturity day was refused for good (`CreditInvalidDates`: the registry dated the record on
 * delivery), and every later report under its reference was stuck behind it. A module now sends the day it saw the
 * event, and the registry checks the lender only for being a member, which nothing after the event can change.
 */
const connection = await network.create();
const { ethers, networkHelpers } = connection;
const DAY = 86_400n;
const loanRef = (id: bigint): string => ethers.toBeHex(id, 32);

async function fixture() {
  return ledgerWorld(connection, "G");
}

/**
 * Order 1 of `world`: importer Cristal buys 400,000.00 MXN of goods from Glassworks, paid in MXN, no fees, shipping
 * within a day and expiring in two; accepted by the exporter. Returns the chain time it was made at.
 */
async function shortOrder(
  world: Awaited<ReturnType<typeof deployWorld>>,
  doc: string,
  tranches = [{ shareBps: 10_000, evidence: 1 }],
): Promise<bigint> {
  const { trade, tokens } = world.contracts;
  const now = BigInt(await networkHelpers.time.latest());
  const mxn = await tokens.MXN.getAddress();
  await trade.connect(world.admins.cristal).createOrder({
    exporter: world.ids.glassworks,
    importerBank: world.ids.golfo,
    exporterBank: world.ids.huaxia,
    documentHash: ethers.id(doc),
    payToken: mxn,
    payoutToken: mxn,
    amount: 40_000_000n,
    importerBankFeeBps: 0,
    exporterBankFeeBps: 0,
    shipmentDeadline: now + 1n * DAY,
    objectionWindow: Number(DAY / 4n),
    expiry: now + 2n * DAY,
    tranches,
  });
  await trade.connect(world.admins.glassworks).accept(1n);
  return now;
}

/** Pacific's signed agreement to advance `advance` against order 1's proceeds, valid for ten minutes. */
let offers = 0n;
async function advanceOffer(world: Awaited<ReturnType<typeof deployWorld>>, advance: bigint) {
  const deadline = BigInt(await networkHelpers.time.latest()) + 600n;
  const domain = tradeDomain(31337n, await world.contracts.trade.getAddress());
  const nonce = ++offers;
  const assignment = {
    order: 1n,
    exporter: world.ids.glassworks,
    financier: world.ids.pacific,
    advance,
    deadline,
    nonce,
  };
  return { deadline, nonce, signed: await signAssignment(world.admins.pacific, domain, assignment) };
}

describe("review 7, G1: a report the module held is delivered with the event's dates, whatever happened meanwhile", function () {
  it("a recourse exposure held across its maturity day, its financier's role removed meanwhile, is booked as of the sale", async function () {
    const { world, scf, credit, members, a, ids, issue, quote, module } = await networkHelpers.loadFixture(fixture);
    // A receivable maturing in 3 days, sold with recourse while a Regulator has the registry paused.
    const now = BigInt(await networkHelpers.time.latest());
    const root = await issue(FACE, a.glassworks.address, now + 3n * DAY);
    await credit.connect(a.regulator).pause();
    const { q, sig } = await quote(root, { recourse: true });
    await expect(scf.connect(a.glassworks).finance(q, sig)).to.emit(scf, "CreditReportDeferred");
    const soldOn = dayOf(await networkHelpers.time.latest());
    // Five days on, past the maturity day, and after the governor took Pacific's Financier role away.
    await networkHelpers.time.increase(5n * DAY);
    await members.connect(world.governor).removeRoles(ids.pacific, roleMask(["Financier"]));
    await credit.connect(a.regulator).unpause();
    const sellerKey = await members.entityKeyOf(ids.glassworks);
    const id = await credit.loanId(module, loanRef(root));
    await expect(scf.retryCreditReports(loanRef(root), 10)).to.emit(credit, "LoanRegistered");
    const record = await credit.getLoan(id);
    expect([record.status, record.originationDay, record.outstanding]).to.deep.equal([
      1n,
      BigInt(soldOn),
      record.principal,
    ]);
    expect((await credit.exposureOf(sellerKey)).outstanding).to.equal(record.principal);
    // The financier's later close goes straight through: nothing is left queued.
    await scf.connect(a.pacific).closeRecourse(root);
    expect(await allPendingReports(scf, loanRef(root))).to.deep.equal([]);
    expect((await credit.getLoan(id)).status).to.equal(2n); // Repaid
  });

  it("a pre-shipment advance held across the order's expiry day is booked as of the assignment, and its close follows", async function () {
    const world = await deployWorld(connection);
    const { trade, credit, members } = world.contracts;
    const a = world.admins;
    await shortOrder(world, "PO-G1");
    await credit.connect(a.regulator).pause();
    const { deadline, nonce, signed } = await advanceOffer(world, 10_000_000n);
    await expect(
      trade.connect(a.glassworks).assignProceeds(1n, world.ids.pacific, 10_000_000n, deadline, nonce, signed),
    ).to.emit(trade, "CreditReportDeferred");
    const assignedOn = dayOf(await networkHelpers.time.latest());
    await networkHelpers.time.increase(4n * DAY);
    await credit.connect(a.regulator).unpause();
    const ref = ethers.toBeHex(1n, 32);
    await trade.retryCreditReports(ref, 10);
    const exporterKey = await members.entityKeyOf(world.ids.glassworks);
    const id = await credit.loanId(await members.memberForKey(await trade.getAddress()), ref);
    expect((await credit.getLoan(id)).originationDay).to.equal(BigInt(assignedOn));
    expect((await credit.exposureOf(exporterKey)).outstanding).to.equal(10_000_000n);
    // The order lapses, leaving the advance open; the financier's close is delivered at once.
    await trade.refundExpired(1n);
    await trade.connect(a.pacific).closeAdvance(1n);
    expect(await allPendingReports(trade, ref)).to.deep.equal([]);
    expect((await credit.exposureOf(exporterKey)).outstanding).to.equal(0n);
  });

  it("pre-shipment finance is refused once the goods can no longer ship: its record would mature before its report", async function () {
    const world = await deployWorld(connection);
    const { trade } = world.contracts;
    const a = world.admins;
    const now = await shortOrder(world, "PO-G1-LATE");
    const shipmentDeadline = now + 1n * DAY;
    await networkHelpers.time.increaseTo(now + 3n * DAY);
    const { deadline, nonce, signed } = await advanceOffer(world, 10_000_000n);
    await expect(
      trade.connect(a.glassworks).assignProceeds(1n, world.ids.pacific, 10_000_000n, deadline, nonce, signed),
    )
      .to.be.revertedWithCustomError(trade, "TradeWindowClosed")
      .withArgs(1n, shipmentDeadline);
    expect(await allPendingReports(trade, ethers.toBeHex(1n, 32))).to.deep.equal([]);
    expect((await trade.getOrder(1n)).financier).to.equal(0n);
  });
});

describe("review 8, M2: an advance is booked as a default only when the order paid its financier nothing", function () {
  it("an order that paid its financier 99% of its proceeds and refunded 1% leaves the advance open, not Defaulted", async function () {
    const world = await deployWorld(connection);
    const { trade, credit, members, tokens } = world.contracts;
    const { admins: a, ids } = world;
    const mxn = tokens.MXN;
    const amount = 40_000_000n;
    await shortOrder(world, "PO-R8-M2", [
      { shareBps: 9_900, evidence: 1 }, // Shipped
      { shareBps: 100, evidence: 2 }, // CustomsCleared
    ]);
    const advance = 10_000_000n;
    const { deadline, nonce, signed } = await advanceOffer(world, advance);
    await trade.connect(a.glassworks).assignProceeds(1n, ids.pacific, advance, deadline, nonce, signed);
    await mxn.connect(world.issuer).mint(a.golfo, amount);
    await mxn.connect(a.golfo).approve(await trade.getAddress(), amount);
    await trade.connect(a.golfo).fund(1n);
    const hash = ethers.id("bill of lading");
    const domain = tradeDomain(31337n, await trade.getAddress());
    const sig = await signAttestation(a.carrier, domain, 1n, "Shipped", hash);
    await expect(trade.attest(1n, 0, hash, [sig], NO_FX_QUOTE, "0x")).to.changeTokenBalance(
      ethers,
      mxn,
      a.pacific,
      39_600_000n,
    );
    // Customs never came: at expiry the 1% returns to the importer's bank, and the advance is left open.
    await networkHelpers.time.increase(3n * DAY);
    await expect(trade.releaseAfterObjection(1n, NO_FX_QUOTE, "0x")).to.emit(trade, "AdvanceLeftOpen");
    // The financier was paid through the order: its whole advance is not the exporter's default.
    await expect(trade.connect(a.pacific).defaultAdvance(1n))
      .to.be.revertedWithCustomError(trade, "TradeAdvancePaidInPart")
      .withArgs(1n);
    const loan = await credit.getLoan(
      await credit.loanId(await members.memberForKey(await trade.getAddress()), loanRef(1n)),
    );
    expect(loan.status).to.equal(1n); // Active, for the financier to close
    expect((await credit.exposureOf(await members.entityKeyOf(ids.glassworks))).defaults).to.equal(0n);
    await trade.connect(a.pacific).closeAdvance(1n);
    expect((await credit.exposureOf(await members.entityKeyOf(ids.glassworks))).defaults).to.equal(0n);
  });
});
