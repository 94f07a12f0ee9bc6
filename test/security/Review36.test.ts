/**
 * Adversarial review 36: each test failed on the code before its fix. K1 and K2 (the credit registry): a lender's
 * catch-up after its reinstatement is counted over the pause log, so every pause since that day gives back the time it
 * took, whenever it began and however short a later one was; review 37 of those fixes: counted exactly over any number
 * of pauses (C2), and a refusal names the later end (C1). X1 (the trade settlement): an order's objection window
 * must leave room for its delivery evidence. L1 and L2 (the receivable ledger): a bank that lost its Financier role
 * still cuts and freezes its own credit line; a freeze that changes nothing is refused.
 */
import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";
import { network } from "hardhat";

import { ROLES, roleMask } from "../../src/members.js";
import { buildOrder } from "../../src/trade.js";
import { GRACE_DAYS, weeklyPlanWorld } from "../helpers/credit.js";
import { FACE, ledgerWorld } from "../helpers/ledger.js";
import { tradeWorld } from "../helpers/trade.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const { time } = networkHelpers;

const DAY = 86_400;
const Status = { Active: 1n, Overdue: 3n } as const;
const NEEDED = (GRACE_DAYS + 1) * DAY; // the reinstatement's day and `graceDays` whole days after it

const bytes32 = (label: string): string => keccak256(toUtf8Bytes(label));
const at = (day: number, seconds: number) => time.increaseTo(day * DAY + seconds);

const planFixture = () => weeklyPlanWorld(connection, "review 36 catch-up");
type World = Awaited<ReturnType<typeof planFixture>>;

/** A Regulator's pause and its lifting in one block (`paused()` is never seen true); answers that block's time. */
async function pauseAndResumeInOneBlock(w: World) {
  await ethers.provider.send("evm_setAutomine", [false]);
  try {
    const p = await w.credit.connect(w.regulator).pause({ gasLimit: 200_000n });
    const u = await w.credit.connect(w.regulator).unpause({ gasLimit: 200_000n });
    await networkHelpers.mine();
    const [rp, ru] = await Promise.all([p, u].map((t) => ethers.provider.getTransactionReceipt(t.hash)));
    expect([rp!.status, ru!.status]).to.deep.equal([1, 1]);
    expect(rp!.blockNumber).to.equal(ru!.blockNumber);
  } finally {
    await ethers.provider.send("evm_setAutomine", [true]);
  }
  return time.latest();
}

/** The plan world's lender, suspended before its first instalment and reinstated on day D (its first + 8) at 01:00. */
async function reinstatedOnD() {
  const w = await networkHelpers.loadFixture(planFixture);
  await at(w.first - 1, 3_600);
  await w.members.connect(w.governor).suspend(w.ids.a, bytes32("review"));
  const D = w.first + 8;
  await at(D, 3_600);
  await w.members.connect(w.governor).reinstate(w.ids.a, bytes32("cleared"));
  return { w, D };
}

/** A Regulator pauses the registry at `from` and lifts it at `to` (Unix seconds); answers how long it was paused. */
async function pauseBetween(w: World, from: number, to: number) {
  await time.increaseTo(from);
  await w.credit.connect(w.regulator).pause();
  const start = await time.latest();
  await time.increaseTo(to);
  await w.credit.connect(w.regulator).unpause();
  return (await time.latest()) - start;
}

/** The loan ages from `agesFrom` on (a stranger's `ageLoan`), and not a second before, naming `reportableFrom`. */
async function agesExactlyFrom(w: World, reportableFrom: number, agesFrom: number) {
  await time.increaseTo(agesFrom - 2);
  await expect(w.credit.connect(w.stranger).ageLoan(w.id))
    .to.be.revertedWithCustomError(w.credit, "CreditLenderCatchingUp")
    .withArgs(w.id, reportableFrom, agesFrom);
  await time.setNextBlockTimestamp(agesFrom);
  await expect(w.credit.connect(w.stranger).ageLoan(w.id))
    .to.emit(w.credit, "LoanStatusChanged")
    .withArgs(w.id, w.loan.borrowerKey, Status.Active, Status.Overdue);
}

describe("adversarial review 36: a lender's catch-up after its reinstatement", function () {
  /** Suspends the lender before its first instalment, pauses the registry at `pauseAt` (day D's time, in seconds
   *  from D's midnight; negative is the day before), reinstates it on D at 00:10, resumes on D+3 at 00:10. */
  async function pausedAcrossReinstatement(pauseAt: number) {
    const w = await networkHelpers.loadFixture(planFixture);
    await at(w.first - 1, 3_600);
    await w.members.connect(w.governor).suspend(w.ids.a, bytes32("review"));
    const D = w.first + 8;
    await time.increaseTo(D * DAY + pauseAt);
    await w.credit.connect(w.regulator).pause();
    const pausedAt = await time.latest();
    await at(D, 600);
    await w.members.connect(w.governor).reinstate(w.ids.a, bytes32("cleared"));
    await at(D + 3, 600);
    await w.credit.connect(w.regulator).unpause();
    return { w, D, pausedAt, resumedAt: await time.latest() };
  }

  it("K1: a pause that began the day before the reinstatement gives back all of the lender's catch-up", async function () {
    // Before the fix the pause counted only if it began on the reinstatement's day or later: begun a minute before
    // midnight, it gave back nothing, and a stranger aged the loan three days after the lender could first report.
    const { w, D, resumedAt } = await pausedAcrossReinstatement(-60);
    await agesExactlyFrom(w, D * DAY, resumedAt + NEEDED);
  });

  it("K1: begun a minute after midnight instead, the pause gives back the same time, less that minute", async function () {
    const { w, D, pausedAt, resumedAt } = await pausedAcrossReinstatement(60);
    await agesExactlyFrom(w, D * DAY, resumedAt + NEEDED - (pausedAt - D * DAY));
  });

  it("K2: a pause lifted in the same block takes nothing from a lender's catch-up", async function () {
    const w = await networkHelpers.loadFixture(planFixture);
    const F = w.first;
    await at(F - 1, 3_600);
    await w.members.connect(w.governor).suspend(w.ids.a, bytes32("review"));
    await at(F + 1, 3_600); // an earlier, real pause of five days, over before the reinstatement
    await w.credit.connect(w.regulator).pause();
    await at(F + 6, 3_600);
    await w.credit.connect(w.regulator).unpause();
    const D = F + 8;
    await at(D, 3_600);
    await w.members.connect(w.governor).reinstate(w.ids.a, bytes32("cleared"));
    await at(F + 9, 12 * 3_600);
    // Before the fix this paired the earlier resume with the new pause's start: aged at F+11 01:00, not D+6.
    await pauseAndResumeInOneBlock(w);
    await agesExactlyFrom(w, D * DAY, D * DAY + NEEDED);
  });

  it("every pause in the lender's catch-up gives back its time, not only the last", async function () {
    const { w, D } = await reinstatedOnD();
    let paused = 0;
    for (const day of [D + 1, D + 2, D + 3]) paused += await pauseBetween(w, day * DAY, day * DAY + 6 * 3_600);
    // Each pause's own catch-up (six hours) is long over; the lender's ends as much later as the three took together.
    await agesExactlyFrom(w, D * DAY, D * DAY + NEEDED + paused);
  });
});

describe("review 37, of review 36's fixes: the pause log", function () {
  it("C2: ten pauses in a lender's catch-up give back exactly their time, however many there are", async function () {
    const { w, D } = await reinstatedOnD();
    let paused = 0;
    for (let hour = 0; hour < 20; hour += 2) {
      // Ten pauses of an hour each, an hour apart.
      paused += await pauseBetween(w, (D + 1) * DAY + hour * 3_600, (D + 1) * DAY + (hour + 1) * 3_600);
    }
    await agesExactlyFrom(w, D * DAY, D * DAY + NEEDED + paused);
  });

  it("C2: eight one-second pauses hold a long-standing lender's loan back a second, not days", async function () {
    // Before the fix `ageLoan` read eight pauses at most and counted the time before them as paused: eight pauses of
    // a second each held every live plan loan back `graceDays` + 1 days, and eight more each time held it for good.
    const w = await networkHelpers.loadFixture(planFixture);
    await at(w.first + 15, 3_600); // the lender was admitted weeks ago and never suspended
    for (let i = 0; i < 8; i++) {
      await w.credit.connect(w.regulator).pause();
      await w.credit.connect(w.regulator).unpause();
    }
    const lastResume = await time.latest();
    // Each pause's own catch-up (a second) ran out before the next began: the loan ages a second after the last.
    await time.setNextBlockTimestamp(lastResume + 1);
    await expect(w.credit.connect(w.stranger).ageLoan(w.id))
      .to.emit(w.credit, "LoanStatusChanged")
      .withArgs(w.id, w.loan.borrowerKey, Status.Active, Status.Overdue);
  });

  it("C1: a refusal names the later of the lender's catch-up and the registry's, when the loan ages", async function () {
    // Before the fix the lender's end was named first, though the registry's ended later: at that time, `ageLoan`
    // was refused again, naming another.
    const { w, D } = await reinstatedOnD();
    const paused = await pauseBetween(w, (D + 2) * DAY, (D + 12) * DAY); // ten days: the registry's catch-up is five
    const resumedAt = await time.latest();
    expect(D * DAY + NEEDED + paused).to.be.lessThan(resumedAt + GRACE_DAYS * DAY);
    await time.increaseTo(resumedAt + DAY); // within both
    await expect(w.credit.connect(w.stranger).ageLoan(w.id))
      .to.be.revertedWithCustomError(w.credit, "CreditLenderCatchingUp")
      .withArgs(w.id, resumedAt, resumedAt + GRACE_DAYS * DAY);
    await agesExactlyFrom(w, resumedAt, resumedAt + GRACE_DAYS * DAY);
  });
});

describe("adversarial review 36: an order's terms leave room for its delivery evidence", function () {
  const tradeFixture = () => tradeWorld(connection, { document: "PO-R36" });

  it("X1: an objection window that would run past expiry from a delivery at the shipment deadline is refused", async function () {
    // Before the fix such an order was created, funded and shipped; every Delivered attestation was refused
    // (`TradeObjectionPastExpiry`), and at expiry the delivered tranche went back to the importer's bank.
    const { trade, a, terms } = await networkHelpers.loadFixture(tradeFixture);
    const fits = Number(terms.expiry - terms.shipmentDeadline) - 1;
    const tooLong = { ...terms, objectionWindow: fits + 1 };
    await expect(trade.connect(a.cristal).createOrder(tooLong))
      .to.be.revertedWithCustomError(trade, "TradeObjectionWindowTooLong")
      .withArgs(terms.shipmentDeadline, fits + 1, terms.expiry);
    // The SDK refuses the same terms before sending anything, naming the rule.
    const now = BigInt(await time.latest());
    expect(() =>
      buildOrder({
        ...terms,
        exporter: 1n,
        importerBank: 2n,
        exporterBank: 3n,
        document: "PO-R36",
        documentSalt: "0x" + "11".repeat(32),
        objectionWindow: fits + 1,
        now,
      }),
    ).to.throw(/objection window .* could never be taken/);
    // A second less fits: the delivery evidence can still be taken at the shipment deadline. The refused order
    // took no id: this one is the first.
    const receipt = await (await trade.connect(a.cristal).createOrder({ ...terms, objectionWindow: fits })).wait();
    const created = receipt!.logs.map((log) => trade.interface.parseLog(log)).find((e) => e?.name === "OrderCreated");
    expect(created!.args.id).to.equal(1n);
  });
});

describe("adversarial review 36: the receivable ledger", function () {
  const ledgerFixture = () => ledgerWorld(connection, "R36");
  const PieceState = { Held: 1n, Financed: 2n, Collected: 3n } as const;

  it("L1: a bank that lost its Financier role cuts and freezes its own line, and cannot raise or reopen it", async function () {
    // Before the fix both were refused for the missing role, and the debtor went on confirming in the bank's name
    // up to the old limit, which only the governor could change.
    const { scf, members, world, a, ids, token, issue } = await networkHelpers.loadFixture(ledgerFixture);
    await members.connect(world.governor).removeRoles(ids.huaxia, roleMask(["Financier"]));
    await expect(scf.connect(a.huaxia).setCreditLine(ids.pearl, token, 2n * FACE))
      .to.emit(scf, "CreditLineSet")
      .withArgs(ids.pearl, ids.huaxia, token, 2n * FACE);
    await expect(scf.connect(a.huaxia).freezeCreditLine(ids.pearl, token, true))
      .to.emit(scf, "CreditLineFrozen")
      .withArgs(ids.pearl, token, true);
    await expect(issue(FACE)).to.be.revertedWithCustomError(scf, "ScfCreditLineFrozen");
    // Growing the business again needs the role: a raise and an unfreeze are refused, and nothing changed.
    for (const call of [
      scf.connect(a.huaxia).setCreditLine(ids.pearl, token, 3n * FACE),
      scf.connect(a.huaxia).freezeCreditLine(ids.pearl, token, false),
    ]) {
      await expect(call)
        .to.be.revertedWithCustomError(members, "MemberMissingRole")
        .withArgs(a.huaxia.address, ids.huaxia, ROLES.indexOf("Financier"));
    }
    const line = await scf.creditLineOf(ids.pearl, token);
    expect([line.limit, line.frozen]).to.deep.equal([2n * FACE, true]);
  });

  it("L1: a suspended bank does neither", async function () {
    const { scf, members, world, a, ids, token } = await networkHelpers.loadFixture(ledgerFixture);
    await members.connect(world.governor).suspend(ids.huaxia, ethers.encodeBytes32String("REVIEW"));
    await expect(scf.connect(a.huaxia).setCreditLine(ids.pearl, token, 0n)).to.be.revertedWithCustomError(
      members,
      "MemberNotActive",
    );
    await expect(scf.connect(a.huaxia).freezeCreditLine(ids.pearl, token, true)).to.be.revertedWithCustomError(
      members,
      "MemberNotActive",
    );
  });

  it("L2: a freeze that changes nothing, or of a collected piece, is refused", async function () {
    // Before the fix each succeeded and emitted `ReceivableFrozen`, a sanction that did nothing in the trace.
    const { scf, a, maturity, issue } = await networkHelpers.loadFixture(ledgerFixture);
    const root = await issue();
    const reason = ethers.encodeBytes32String("SANCTION");
    await expect(scf.connect(a.regulator).freeze(root, false, reason))
      .to.be.revertedWithCustomError(scf, "ScfFreezeUnchanged")
      .withArgs(root, false);
    await scf.connect(a.regulator).freeze(root, true, reason);
    await expect(scf.connect(a.regulator).freeze(root, true, reason))
      .to.be.revertedWithCustomError(scf, "ScfFreezeUnchanged")
      .withArgs(root, true);
    await scf.connect(a.regulator).freeze(root, false, reason);
    await networkHelpers.time.increaseTo(maturity);
    await scf.connect(a.pearl).repay(root);
    await scf.collect(root);
    expect((await scf.getPiece(root)).state).to.equal(PieceState.Collected);
    const heldOrFinanced = (1n << PieceState.Held) | (1n << PieceState.Financed);
    await expect(scf.connect(a.regulator).freeze(root, true, reason))
      .to.be.revertedWithCustomError(scf, "ScfUnexpectedPieceState")
      .withArgs(root, PieceState.Collected, ethers.toBeHex(heldOrFinanced, 32));
    expect((await scf.getPiece(root)).frozen).to.equal(false);
  });
});
