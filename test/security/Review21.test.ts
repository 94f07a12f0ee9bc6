/**
 * Adversarial review 21 (the receivable ledger's money and authority), its findings as regressions. Each test
 * failed on the code before its fix:
 * - F1: a debtor holding the Financier role bought its own payable with recourse, then booked its supplier's recourse
 *   default for the debtor's own non-payment;
 * - F2: confirmations spent the debtor's sequential nonce, so one supplier's relay (or withdrawal) voided the debtor's
 *   signed confirmation of another supplier's request;
 * - F3: the signed confirmation fixed no terms, so a relayer holding it past a `setTerms` bound the debtor to a grace
 *   and penalty it never saw.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { ephemeralKey } from "../../scripts/lib/loans.js";
import { signConfirmation } from "../../src/eip712.js";
import { invoiceKey } from "../../src/keys.js";
import { roleMask } from "../../src/members.js";
import { relayConfirmation } from "../../src/scf.js";
import { FACE, ledgerWorld } from "../helpers/ledger.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const DAY = 86_400n;
const key = ephemeralKey();
let n = 0;
const invoice = () => invoiceKey(key, ethers.id("TLTESTDEBTOR00000001"), `INV-R21-${++n}`, "2026-11-01");

async function fixture() {
  return ledgerWorld(connection, "R21");
}

describe("review 21: the receivable ledger's signatures and recourse", function () {
  it("F1: a debtor may pay its supplier early by buying its own payable, never with recourse", async function () {
    const { scf, members, a, ids, token, maturity, quote } = await networkHelpers.loadFixture(fixture);
    // Huaxia, a Financier, is also a core enterprise, with Pacific as its line's bank.
    await members.grantRoles(ids.huaxia, roleMask(["CoreEnterprise"]));
    await scf.connect(a.huaxia).chooseFinancier(token, ids.pacific);
    await scf.connect(a.pacific).setCreditLine(ids.huaxia, token, 2n * FACE);
    await scf.connect(a.huaxia).issue(a.glassworks, token, FACE, maturity, [invoice()]);
    const root = 1n << 24n;
    const own = await quote(root, { recourse: true }, a.huaxia);
    await expect(scf.connect(a.glassworks).finance(own.q, own.sig))
      .to.be.revertedWithCustomError(scf, "ScfSelfDealing")
      .withArgs(ids.huaxia);
    expect((await scf.getPiece(root)).holder).to.equal(ids.glassworks);
    // Without recourse it is an early payment, as before.
    const early = await quote(root, { recourse: false }, a.huaxia);
    await expect(scf.connect(a.glassworks).finance(early.q, early.sig)).to.emit(scf, "ReceivableFinanced");
    expect((await scf.getPiece(root)).holder).to.equal(ids.huaxia);
  });

  it("F2: a debtor's confirmations of several suppliers' requests are relayed in any order, and a withdrawal voids none", async function () {
    const { scf, a, ids, token, maturity } = await networkHelpers.loadFixture(fixture);
    const relayer = (await ethers.getSigners())[19];
    for (let i = 0; i < 2; i++) {
      await scf.connect(a.glassworks).request(ids.pearl, token, FACE / 4n, maturity, [invoice()]);
      await scf.connect(a.precision).request(ids.pearl, token, FACE / 4n, maturity, [invoice()]);
    }
    const [r1, r2, r3, r4] = [1n << 24n, 2n << 24n, 3n << 24n, 4n << 24n];
    const deadline = BigInt(await networkHelpers.time.latest()) + 3_600n;
    const signed = [];
    for (const root of [r1, r2, r3, r4]) signed.push(await signConfirmation(scf, a.pearl, root, deadline));
    // Relayed in reverse order: each stands on its own.
    await relayConfirmation(scf.connect(relayer), r2, signed[1]);
    await relayConfirmation(scf.connect(relayer), r1, signed[0]);
    // Glassworks withdraws its second request: Precision's confirmation signed after it still goes through.
    await scf.connect(a.glassworks).reject(r3);
    await expect(relayConfirmation(scf.connect(relayer), r4, signed[3])).to.emit(scf, "ReceivableConfirmed");
    for (const root of [r1, r2, r4]) expect((await scf.getFamily(root)).state).to.equal(2n); // Confirmed
    // A signature spent, or cancelled by its signer, is refused.
    await expect(relayConfirmation(scf.connect(relayer), r1, signed[0]))
      .to.be.revertedWithCustomError(scf, "ScfNonceUsed")
      .withArgs(a.pearl.address, signed[0].nonce);
    await scf.connect(a.glassworks).request(ids.pearl, token, FACE / 4n, maturity, [invoice()]);
    const r5 = 5n << 24n;
    const withdrawn = await signConfirmation(scf, a.pearl, r5, deadline);
    await expect(scf.connect(a.pearl).cancelNonce(withdrawn.nonce))
      .to.emit(scf, "NonceCancelled")
      .withArgs(a.pearl.address, withdrawn.nonce);
    expect(await scf.nonceUsed(a.pearl.address, withdrawn.nonce)).to.equal(true);
    await expect(relayConfirmation(scf.connect(relayer), r5, withdrawn))
      .to.be.revertedWithCustomError(scf, "ScfNonceUsed")
      .withArgs(a.pearl.address, withdrawn.nonce);
  });

  it("F3: a confirmation binds the debtor to the terms it signed under; after a change of terms it is refused, with both", async function () {
    const { scf, members, a, ids, token, maturity } = await networkHelpers.loadFixture(fixture);
    await scf.connect(a.glassworks).request(ids.pearl, token, FACE, maturity, [invoice()]);
    const root = 1n << 24n;
    expect(await scf.terms()).to.deep.equal([7n * DAY, 1_800n]);
    const deadline = BigInt(await networkHelpers.time.latest()) + 30n * DAY;
    const signed = await signConfirmation(scf, a.pearl, root, deadline);
    expect([signed.graceSeconds, signed.penaltyRateBps]).to.deep.equal([7n * DAY, 1_800n]);
    // The governor changes the terms; the supplier relays the signature held since.
    await scf.setTerms(0, 10_000);
    await expect(relayConfirmation(scf.connect(a.glassworks), root, signed))
      .to.be.revertedWithCustomError(scf, "ScfConfirmationTermsChanged")
      .withArgs(7n * DAY, 1_800n, 0n, 10_000n);
    // A relay that claims the new terms for the old signature recovers no member's key.
    await expect(
      relayConfirmation(scf.connect(a.glassworks), root, { ...signed, graceSeconds: 0n, penaltyRateBps: 10_000n }),
    ).to.be.revertedWithCustomError(members, "MemberUnknownAccount");
    expect((await scf.getFamily(root)).state).to.equal(1n); // still Requested
    // Signed again under the terms in force, it confirms with them.
    const again = await signConfirmation(scf, a.pearl, root, deadline);
    await relayConfirmation(scf.connect(a.glassworks), root, again);
    const family = await scf.getFamily(root);
    expect([family.state, family.graceSeconds, family.penaltyRateBps]).to.deep.equal([2n, 0n, 10_000n]);
  });
});

describe("review 22: a piece never goes back to its debtor", function () {
  it("R22-1: transfer and splitTo refuse the family's debtor as recipient, so it never sells its own payable", async function () {
    const { scf, members, a, ids, issue } = await networkHelpers.loadFixture(fixture);
    // Pearl, the debtor, is also a supplier to others, as core enterprises often are.
    await members.grantRoles(ids.pearl, roleMask(["Supplier"]));
    const root = await issue(); // Pearl owes Glassworks
    await expect(scf.connect(a.glassworks).transfer(root, a.pearl.address))
      .to.be.revertedWithCustomError(scf, "ScfSelfDealing")
      .withArgs(ids.pearl);
    await expect(scf.connect(a.glassworks).splitTo(root, [FACE / 2n, FACE / 2n], [ethers.ZeroAddress, a.pearl.address]))
      .to.be.revertedWithCustomError(scf, "ScfSelfDealing")
      .withArgs(ids.pearl);
    expect((await scf.getPiece(root)).holder).to.equal(ids.glassworks);
    expect((await scf.getPiece(root)).face).to.equal(FACE);
    // Any other supplier still takes it.
    await expect(scf.connect(a.glassworks).transfer(root, a.precision.address)).to.emit(scf, "ReceivableTransferred");
  });
});
