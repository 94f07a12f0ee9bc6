/**
 * The operator word (a key's member, the member's status and roles copied, its binding, the next operator): what every
 * module's check of an acting key reads. Review 40 drove the registry before and after the binding moved into the
 * word through 1,000 random walks of every registry step and found no difference; these tests keep what it checked.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { reasonCode } from "../../src/encoding.js";
import { ROLES } from "../../src/members.js";
import { linkOperator } from "../helpers/operators.js";
import { secondKeyWorld } from "../helpers/token.js";

const connection = await network.create();
const { networkHelpers } = connection;
const REASON = reasonCode("REVIEW-40");
const ALL_ROLES = (1 << ROLES.length) - 1;

async function world() {
  const w = await secondKeyWorld(connection);
  await w.token.connect(w.issuer).mint(w.carol.address, 1_000n);
  return w;
}

describe("the operator word", function () {
  it("copies every role bit to each operator (16 bits hold them all), answered as the member's record", async function () {
    const { registry, carol } = await networkHelpers.loadFixture(world);
    await registry.grantRoles(2, ALL_ROLES);
    expect(ROLES.length).to.be.at.most(16);
    for (let r = 0; r < ROLES.length; ++r) {
      expect(await registry.activeInRole(carol.address, r)).to.equal(true);
      expect(await registry.requireKeyInRole(carol.address, r)).to.equal(2n);
    }
    expect((await registry.requireActiveMember(carol.address))[1]).to.equal(BigInt(ALL_ROLES));
    await expect(registry.grantRoles(2, 1 << ROLES.length)).to.be.revertedWithCustomError(
      registry,
      "MemberInvalidRoles",
    );
    const last = ROLES.length - 1;
    await registry.removeRoles(2, 1 << last);
    expect(await registry.activeInRole(carol.address, last)).to.equal(false);
    expect((await registry.requireActiveMember(carol.address))[1]).to.equal((await registry.getMember(2)).roles);
  });

  it("a removed key stays bound through suspension, roles and status changes; its balance goes only to its member", async function () {
    const { registry, token, aliceAdmin, bobAdmin, carol } = await networkHelpers.loadFixture(world);
    await registry.connect(aliceAdmin).removeOperator(2, carol.address);
    await registry.grantRoles(2, ALL_ROLES);
    await registry.suspend(2, REASON);
    await registry.reinstate(2, REASON);
    await registry.removeRoles(2, 1);
    expect(await registry.boundMemberOf(carol.address)).to.equal(2n);
    expect(await registry.memberForKey(carol.address)).to.equal(0n);
    expect(await registry.isActiveKey(carol.address)).to.equal(false);
    await expect(registry.connect(bobAdmin).addOperator(3, carol.address))
      .to.be.revertedWithCustomError(registry, "OperatorBoundToMember")
      .withArgs(carol.address, 2);
    await expect(registry.proposeAdminRecovery(3, carol.address))
      .to.be.revertedWithCustomError(registry, "OperatorBoundToMember")
      .withArgs(carol.address, 2);
    await expect(token.recoverBalance(carol.address, bobAdmin.address, REASON))
      .to.be.revertedWithCustomError(token, "SettlementRecipientNotOfMember")
      .withArgs(bobAdmin.address, 2);
    await token.recoverBalance(carol.address, aliceAdmin.address, REASON);
    expect(await token.balanceOf(aliceAdmin.address)).to.equal(1_000n);
  });

  it("a recovery reserves the key for its member, its link clears the binding, its removal binds it again", async function () {
    const { registry, aliceAdmin, bobAdmin, dave } = await networkHelpers.loadFixture(world);
    await registry.proposeAdminRecovery(2, dave.address);
    expect(await registry.boundMemberOf(dave.address)).to.equal(2n);
    await registry.connect(aliceAdmin).cancelAdminRecovery(2);
    expect(await registry.boundMemberOf(dave.address)).to.equal(2n); // a reservation outlives its cancellation
    await linkOperator(connection, registry, aliceAdmin, 2, dave);
    expect([await registry.memberForKey(dave.address), await registry.boundMemberOf(dave.address)]).to.deep.equal([
      2n,
      0n,
    ]);
    await registry.suspend(2, REASON); // rewrites dave's status and roles copy: the binding stays cleared
    expect(await registry.boundMemberOf(dave.address)).to.equal(0n);
    await registry.connect(aliceAdmin).removeOperator(2, dave.address);
    expect(await registry.boundMemberOf(dave.address)).to.equal(2n);
    await expect(registry.connect(bobAdmin).addOperator(3, dave.address)).to.be.revertedWithCustomError(
      registry,
      "OperatorBoundToMember",
    );
  });
});
