import { expect } from "chai";
import { network } from "hardhat";

import { reasonCode } from "../../src/encoding.js";
import { signConfirmation } from "../../src/eip712.js";
import { relayConfirmation } from "../../src/scf.js";
import { roleMask } from "../../src/members.js";
import { FACE, ledgerWorld } from "../helpers/ledger.js";

/**
 * Regressions of the thirteenth adversarial review (the ledger's pledges, its signed confirmations and its
 * financiers' credit reports). Each case failed before its fix: the review's proofs of concept asserted the opposite.
 */
const connection = await network.create();
const { ethers, networkHelpers } = connection;
const DAY = 86_400n;
const Status = { None: 0n, Active: 1n, Repaid: 2n, Overdue: 3n, Defaulted: 4n } as const;
const MemberStatus = { Active: 1n, Suspended: 2n, Revoked: 3n } as const;
const FamilyState = { Requested: 1n, Confirmed: 2n } as const;
const loanRef = (id: bigint): string => ethers.toBeHex(id, 32);
const defaultRef = (root: bigint, financier: bigint): string =>
  ethers.toBeHex(root | (financier << 64n) | (1n << 255n), 32);

async function fixture() {
  return ledgerWorld(connection, "R13");
}

describe("review 13, R13-1: a debtor's signed confirmation survives a pause of the ledger", function () {
  it("a Regulator's pause between signing and relaying moves the wall-clock maturity, not the signed active one", async function () {
    const { scf, a, ids, token, maturity } = await networkHelpers.loadFixture(fixture);
    const tx = await scf.connect(a.glassworks).request(ids.pearl, token, FACE, maturity, [ethers.id("R13-1")]);
    const requested = (await tx.wait())!.logs
      .map((l) => scf.interface.parseLog(l))
      .find((e) => e?.name === "ReceivableRequested");
    const root = requested!.args.id as bigint;
    const signed = await signConfirmation(scf, a.pearl, root, BigInt(await networkHelpers.time.latest()) + DAY);

    await scf.connect(a.regulator).pause();
    await networkHelpers.time.increase(3_600);
    await scf.connect(a.regulator).unpause();
    // The maturity moved on by the pause, for every holder: the debtor's signature names the same active day.
    expect((await scf.getFamily(root)).maturity).to.be.greaterThan(maturity);
    await expect(relayConfirmation(scf.connect(a.glassworks), root, signed))
      .to.emit(scf, "ConfirmationRelayed")
      .withArgs(root, a.pearl.address, signed.nonce)
      .and.to.emit(scf, "ReceivableConfirmed");
    expect((await scf.getFamily(root)).state).to.equal(FamilyState.Confirmed);
  });
});

describe("review 13, R13-2: the financier holding a piece reports the debtor's default without its Financier role", function () {
  it("a role removed winds down new business; the late debtor's default on a piece already held is still booked", async function () {
    const { scf, credit, members, world, a, ids, maturity, issue, quote, module } =
      await networkHelpers.loadFixture(fixture);
    const root = await issue();
    const { q, sig } = await quote(root, { recourse: true });
    await scf.connect(a.glassworks).finance(q, sig);
    await members.connect(world.governor).removeRoles(ids.pacific, roleMask(["Financier"]));
    await networkHelpers.time.increaseTo(maturity + 8n * DAY);

    // Another member never speaks for the holder.
    await expect(scf.connect(a.huaxia).declareDefault(root))
      .to.be.revertedWithCustomError(scf, "ScfNotFinancier")
      .withArgs(root, a.huaxia.address);
    await expect(scf.connect(a.pacific).declareDefault(root))
      .to.emit(scf, "PieceDefaulted")
      .withArgs(root, ids.pacific, FACE);
    const defaultId = await credit.loanId(module, defaultRef(root, ids.pacific));
    expect((await credit.getLoan(defaultId)).status).to.equal(Status.Defaulted);
    await expect(scf.connect(a.pacific).defaultRecourse(root)).to.emit(scf, "RecourseDefaulted");
    expect((await credit.getLoan(await credit.loanId(module, loanRef(root)))).status).to.equal(Status.Defaulted);

    // A suspended holder's word is refused, as every credit report of a suspended member is.
    await members.connect(world.governor).suspend(ids.pacific, reasonCode("LICENCE-REVIEW"));
    await expect(scf.connect(a.pacific).closeRecourse(root))
      .to.be.revertedWithCustomError(members, "MemberNotActive")
      .withArgs(a.pacific.address, ids.pacific, MemberStatus.Suspended);
  });
});

describe("review 13, R13-3 and review 15, R15-1: every pledge has an exit, and only the pledgee's active word gives it up", function () {
  it("a suspended pledgee's key cannot release (nor the governor for it); a revoked one's pledge is the governor's to release", async function () {
    const { scf, members, world, a, ids, issue } = await networkHelpers.loadFixture(fixture);
    const first = await issue();
    const second = await issue();
    await scf.connect(a.glassworks).encumber(first, ids.pacific);
    await scf.connect(a.glassworks).encumber(second, ids.pacific);

    // Suspended (a compromised key, say): the pledge is the pledgee's collateral, held as its tokens are (R15-1).
    await members.connect(world.governor).suspend(ids.pacific, reasonCode("KEY-COMPROMISE"));
    await expect(scf.connect(a.pacific).release(first))
      .to.be.revertedWithCustomError(members, "MemberNotActive")
      .withArgs(a.pacific.address, ids.pacific, MemberStatus.Suspended);
    await expect(scf.connect(world.governor).release(first))
      .to.be.revertedWithCustomError(scf, "ScfPledgeeNotRevoked")
      .withArgs(first, ids.pacific, MemberStatus.Suspended);
    expect((await scf.getPiece(first)).encumbered).to.equal(true);
    // Reinstated, the pledgee releases on its own word.
    await members.connect(world.governor).reinstate(ids.pacific, reasonCode("KEY-RETIRED"));
    await expect(scf.connect(a.pacific).release(first))
      .to.emit(scf, "ReceivableEncumbered")
      .withArgs(first, ids.pacific, false);

    // Revoked: neither its keys nor a Regulator nor the holder; the governor, as for its parked money (R13-3).
    await members.connect(world.governor).revoke(ids.pacific, reasonCode("LICENCE-WITHDRAWN"));
    await expect(scf.connect(a.pacific).release(second))
      .to.be.revertedWithCustomError(members, "MemberNotActive")
      .withArgs(a.pacific.address, ids.pacific, MemberStatus.Revoked);
    for (const who of [a.regulator, a.glassworks]) {
      await expect(scf.connect(who).release(second))
        .to.be.revertedWithCustomError(scf, "ScfNotPledgee")
        .withArgs(second, who.address, ids.pacific);
    }
    await expect(scf.connect(world.governor).release(second))
      .to.emit(scf, "ReceivableEncumbered")
      .withArgs(second, ids.pacific, false);
    // The holder's piece moves again, and what it collects at maturity is its own.
    await expect(scf.connect(a.glassworks).split(second, [1n, FACE - 1n])).to.emit(scf, "ReceivableSplit");
    await expect(scf.connect(world.governor).release(second))
      .to.be.revertedWithCustomError(scf, "ScfNotEncumbered")
      .withArgs(second);
  });
});

describe("review 13, follow-up: a key withdraws its own quotes whatever its member's standing", function () {
  it("a suspended financier's operator voids a quote it signed, which stays void once the financier is reinstated", async function () {
    const { scf, members, world, a, ids, issue, quote } = await networkHelpers.loadFixture(fixture);
    const root = await issue();
    const { q, sig } = await quote(root);
    await members.connect(world.governor).suspend(ids.pacific, reasonCode("KEY-COMPROMISE"));
    await expect(scf.connect(a.pacific).cancelNonce(q.nonce))
      .to.emit(scf, "NonceCancelled")
      .withArgs(a.pacific.address, q.nonce);
    await members.connect(world.governor).reinstate(ids.pacific, reasonCode("CLEARED"));
    await expect(scf.connect(a.glassworks).finance(q, sig))
      .to.be.revertedWithCustomError(scf, "ScfNonceUsed")
      .withArgs(a.pacific.address, q.nonce);
  });
});
