import { expect } from "chai";
import { network } from "hardhat";

import { reasonCode } from "../../src/encoding.js";
import { invoiceKey } from "../../src/keys.js";
import { ephemeralKey } from "../../scripts/lib/loans.js";
import { deployWorld } from "../../scripts/lib/world.js";
import { secondKeyWorld } from "../helpers/token.js";
import { linkOperator } from "../helpers/operators.js";

/**
 * Regressions of the adversarial review of issue 15's change (the token's pause authority is tested with the token,
 * test/assets/SettlementToken.test.ts).
 */
const connection = await network.create();
const { ethers, networkHelpers } = connection;
const key = ephemeralKey();
const DAY = 86_400n;
const FACE = 100_000_000n;

describe("issue 15 review", function () {
  it("a plain split keeps the tier, so a piece at tier 255 still splits (splitTo computed the next tier always)", async function () {
    const world = await deployWorld(connection);
    const { scf, tokens } = world.contracts;
    const a = world.admins;
    const token = await tokens.CNY.getAddress();
    await scf.connect(a.pearl).chooseFinancier(token, world.ids.huaxia);
    await scf.connect(a.huaxia).setCreditLine(world.ids.pearl, token, 250_000_000n);
    const maturity = BigInt(await networkHelpers.time.latest()) + 90n * DAY;
    const inv = invoiceKey(key, ethers.id("TLTESTDEBTOR00000001"), "INV-T255", "2026-11-01");
    await scf.connect(a.pearl).issue(a.glassworks.address, token, FACE, maturity, [inv]);
    const root = 1n << 24n;
    const holders = [a.glassworks, a.precision];
    for (let i = 0; i < 254; ++i) await scf.connect(holders[i % 2]).transfer(root, holders[(i + 1) % 2].address);
    expect((await scf.getPiece(root)).tier).to.equal(255n);
    await scf.connect(holders[0]).split(root, [1n, FACE - 1n]);
    const [kept, child] = [await scf.getPiece(root), await scf.getPiece(root + 1n)];
    expect([kept.tier, kept.face, child.tier, child.face]).to.deep.equal([255n, 1n, 255n, FACE - 1n]);
    // splitTo that hands nothing on is a plain split (it panicked at tier 255); handing on is refused by name.
    const piece = root + 1n;
    await scf.connect(holders[0]).splitTo(piece, [1n, FACE - 2n], [ethers.ZeroAddress, ethers.ZeroAddress]);
    expect([(await scf.getPiece(piece)).tier, (await scf.getPiece(root + 2n)).tier]).to.deep.equal([255n, 255n]);
    await expect(scf.connect(holders[0]).splitTo(root + 2n, [1n, FACE - 3n], [ethers.ZeroAddress, a.precision.address]))
      .to.be.revertedWithCustomError(scf, "ScfTierExhausted")
      .withArgs(root + 2n, 255);
    await expect(scf.connect(holders[0]).transfer(root + 2n, a.precision.address))
      .to.be.revertedWithCustomError(scf, "ScfTierExhausted")
      .withArgs(root + 2n, 255);
    expect((await scf.getPiece(root + 2n)).holder).to.equal(world.ids.glassworks);
  });
});

async function keysFixture() {
  // Carol is a second operator key of member 2; member 2 holds money at both of its keys.
  const w = await secondKeyWorld(connection);
  await w.token.connect(w.issuer).mint(w.aliceAdmin.address, 100_000n);
  await w.token.connect(w.issuer).mint(w.carol.address, 1_000n);
  return w;
}

describe("issue 15 review, second pass: a key's money stays with its member", function () {
  const REASON = reasonCode("AML-2026-0042");

  it("a suspended member cannot move money out by unlinking a key and having another member link it", async function () {
    const { registry, token, aliceAdmin, bobAdmin, carol } = await networkHelpers.loadFixture(keysFixture);
    await registry.suspend(2, REASON);
    await registry.connect(aliceAdmin).removeOperator(2, carol.address); // allowed while suspended (item 27)
    await expect(registry.connect(bobAdmin).addOperator(3, carol.address))
      .to.be.revertedWithCustomError(registry, "OperatorBoundToMember")
      .withArgs(carol.address, 2);
    await expect(token.connect(carol).transfer(bobAdmin.address, 1_000n))
      .to.be.revertedWithCustomError(token, "SettlementHolderNotEligible")
      .withArgs(carol.address);
    // The governor returns it to member 2 once it may hold again, never before.
    await expect(token.recoverBalance(carol.address, aliceAdmin.address, REASON))
      .to.be.revertedWithCustomError(token, "SettlementHolderNotEligible")
      .withArgs(aliceAdmin.address);
    await registry.reinstate(2, REASON);
    await token.recoverBalance(carol.address, aliceAdmin.address, REASON);
    expect([await token.balanceOf(carol.address), await token.balanceOf(aliceAdmin.address)]).to.deep.equal([
      0n,
      101_000n,
    ]);
  });

  it("a removed key cannot be linked elsewhere to spend its former member's allowance", async function () {
    const { registry, token, aliceAdmin, bobAdmin, carol } = await networkHelpers.loadFixture(keysFixture);
    await token.connect(aliceAdmin).approve(carol.address, 50_000n);
    await registry.connect(aliceAdmin).removeOperator(2, carol.address);
    await expect(registry.connect(bobAdmin).addOperator(3, carol.address))
      .to.be.revertedWithCustomError(registry, "OperatorBoundToMember")
      .withArgs(carol.address, 2);
    await expect(token.connect(carol).transferFrom(aliceAdmin.address, bobAdmin.address, 1n))
      .to.be.revertedWithCustomError(token, "SettlementHolderNotEligible")
      .withArgs(carol.address);
    expect(await token.balanceOf(aliceAdmin.address)).to.equal(100_000n);
  });

  it("a stolen admin key cannot empty the member's other keys: removing a key moves nothing, and only the governor recovers it", async function () {
    const { registry, token, aliceAdmin, carol } = await networkHelpers.loadFixture(keysFixture);
    const [, , , , , thief] = await ethers.getSigners();
    // With member 2's admin key: a key of its own as payout account, then the treasury key removed.
    await linkOperator(connection, registry, aliceAdmin, 2, thief);
    await registry.connect(aliceAdmin).setPayoutAccount(2, thief.address);
    await registry.connect(aliceAdmin).removeOperator(2, carol.address);
    await expect(token.connect(thief).recoverBalance(carol.address, thief.address, REASON))
      .to.be.revertedWithCustomError(token, "GovernorUnauthorizedAccount")
      .withArgs(thief.address);
    expect(await token.balanceOf(carol.address)).to.equal(1_000n);
  });

  it("a removed key goes back only to its own member: the governor cannot hand it to another", async function () {
    const { registry, token, governor, aliceAdmin, bobAdmin, carol } = await networkHelpers.loadFixture(keysFixture);
    await token.connect(aliceAdmin).approve(carol.address, 50_000n);
    await registry.connect(aliceAdmin).removeOperator(2, carol.address);
    // Neither a key recovery for another member nor a recovery of its balance to another member's operator.
    await expect(registry.connect(governor).proposeAdminRecovery(3, carol.address))
      .to.be.revertedWithCustomError(registry, "OperatorBoundToMember")
      .withArgs(carol.address, 2);
    await expect(token.connect(governor).recoverBalance(carol.address, bobAdmin.address, REASON))
      .to.be.revertedWithCustomError(token, "SettlementRecipientNotOfMember")
      .withArgs(bobAdmin.address, 2);
    await expect(token.connect(governor).recoverBalance(carol.address, ethers.ZeroAddress, REASON))
      .to.be.revertedWithCustomError(token, "ERC20InvalidReceiver")
      .withArgs(ethers.ZeroAddress);
    expect([await token.balanceOf(carol.address), await registry.boundMemberOf(carol.address)]).to.deep.equal([
      1_000n,
      2n,
    ]);
  });

  it("the address a key recovery names is reserved for that member, so the recovery completes", async function () {
    const { registry, bobAdmin } = await networkHelpers.loadFixture(keysFixture);
    const newAdmin = ethers.Wallet.createRandom().address;
    await registry.proposeAdminRecovery(2, newAdmin);
    expect(await registry.boundMemberOf(newAdmin)).to.equal(2n);
    await expect(registry.connect(bobAdmin).addOperator(3, newAdmin))
      .to.be.revertedWithCustomError(registry, "OperatorBoundToMember")
      .withArgs(newAdmin, 2);
    await networkHelpers.time.increase(await registry.RECOVERY_DELAY());
    await registry.completeAdminRecovery(2);
    expect([(await registry.getMember(2)).admin, await registry.boundMemberOf(newAdmin)]).to.deep.equal([newAdmin, 0n]);
    // A key bound to another member cannot be named either.
    const [, , , , , removed] = await ethers.getSigners();
    await linkOperator(connection, registry, bobAdmin, 3, removed);
    await registry.connect(bobAdmin).removeOperator(3, removed.address);
    await expect(registry.proposeAdminRecovery(2, removed.address))
      .to.be.revertedWithCustomError(registry, "OperatorBoundToMember")
      .withArgs(removed.address, 3);
  });
});
