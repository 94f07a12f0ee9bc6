import { expect } from "chai";
import { network } from "hardhat";

import { currencyCode, jurisdictionCode, legalIdHash, reasonCode } from "../../src/encoding.js";
import { roleIndex, roleMask } from "../../src/members.js";
import { TEST_KEY_CHECK, testEntityKey } from "../helpers/entity.js";
import { linkOperator } from "../helpers/operators.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

const Status = { None: 0, Active: 1, Suspended: 2, Revoked: 3 } as const;
const LENDER = roleIndex("Lender");
const FINANCIER = roleIndex("Financier");
const BANK_ROLES = roleMask(["Lender", "Financier"]);
const BANK = legalIdHash("TLHUAXIABANK00000002");
const CNY = currencyCode("CNY");
const CN = jurisdictionCode("CN");
const REASON = reasonCode("AML-2026-0042");

async function deployFixture() {
  const [governor, bankAdmin, bankOps, otherAdmin, outsider, newGovernor] = await ethers.getSigners();
  const registry = await ethers.deployContract("MemberRegistry", [governor.address, TEST_KEY_CHECK]);
  await registry.admit(BANK, testEntityKey(BANK), CN, BANK_ROLES, bankAdmin.address);
  await linkOperator(connection, registry, bankAdmin, 1, bankOps);
  await registry.admit(
    legalIdHash("TLBANCODELGOLFO00003"),
    testEntityKey(legalIdHash("TLBANCODELGOLFO00003")),
    jurisdictionCode("MX"),
    BANK_ROLES,
    otherAdmin.address,
  );
  return { registry, governor, bankAdmin, bankOps, otherAdmin, outsider, newGovernor };
}

describe("MemberRegistry", function () {
  describe("key check", function () {
    it("test_keyCheck_isPublishedAtDeployment_andNeverZero", async function () {
      const [governor] = await ethers.getSigners();
      const registry = await ethers.deployContract("MemberRegistry", [governor.address, TEST_KEY_CHECK]);
      expect(await registry.keyCheck()).to.equal(TEST_KEY_CHECK);
      await expect(
        ethers.deployContract("MemberRegistry", [governor.address, ethers.ZeroHash]),
      ).to.be.revertedWithCustomError(registry, "ConsortiumKeyCheckMissing");
    });
  });

  describe("admit", function () {
    it("test_admit_recordsMemberAndEmits", async function () {
      const [governor, admin] = await ethers.getSigners();
      const registry = await ethers.deployContract("MemberRegistry", [governor.address, TEST_KEY_CHECK]);
      await expect(registry.admit(BANK, testEntityKey(BANK), CN, BANK_ROLES, admin.address))
        .to.emit(registry, "MemberAdmitted")
        .withArgs(1, BANK, testEntityKey(BANK), CN, BANK_ROLES, admin.address)
        .and.to.emit(registry, "OperatorAdded")
        .withArgs(1, admin.address);
      const m = await registry.getMember(1);
      expect(m.legalIdHash).to.equal(BANK);
      expect(m.admin).to.equal(admin.address);
      expect(m.jurisdiction).to.equal(CN);
      expect(m.roles).to.equal(BANK_ROLES);
      expect(m.status).to.equal(Status.Active);
      expect(m.operatorCount).to.equal(1);
      expect(await registry.memberForKey(admin.address)).to.equal(1);
      expect(await registry.memberCount()).to.equal(1);
    });

    it("test_admit_revertsForOutsider", async function () {
      const { registry, outsider } = await networkHelpers.loadFixture(deployFixture);
      await expect(
        registry
          .connect(outsider)
          .admit(
            legalIdHash("TLNEWBANK0000000009"),
            testEntityKey(legalIdHash("TLNEWBANK0000000009")),
            CN,
            BANK_ROLES,
            outsider,
          ),
      )
        .to.be.revertedWithCustomError(registry, "GovernorUnauthorizedAccount")
        .withArgs(outsider.address);
    });

    it("test_admit_revertsForMemberOperator", async function () {
      const { registry, bankAdmin } = await networkHelpers.loadFixture(deployFixture);
      await expect(
        registry
          .connect(bankAdmin)
          .admit(
            legalIdHash("TLNEWBANK0000000009"),
            testEntityKey(legalIdHash("TLNEWBANK0000000009")),
            CN,
            BANK_ROLES,
            bankAdmin,
          ),
      )
        .to.be.revertedWithCustomError(registry, "GovernorUnauthorizedAccount")
        .withArgs(bankAdmin.address);
    });

    it("test_admit_revertsOnBadInputAndChangesNothing", async function () {
      const { registry, bankAdmin, outsider } = await networkHelpers.loadFixture(deployFixture);
      const fresh = legalIdHash("TLNEWBANK0000000009");
      await expect(
        registry.admit(ethers.ZeroHash, testEntityKey(ethers.ZeroHash), CN, BANK_ROLES, outsider),
      ).to.be.revertedWithCustomError(registry, "MemberInvalidLegalId");
      await expect(registry.admit(BANK, testEntityKey(BANK), CN, BANK_ROLES, outsider))
        .to.be.revertedWithCustomError(registry, "MemberAlreadyAdmitted")
        .withArgs(BANK, 1);
      for (const bad of ["0x636e", "0x0000", "0x4331"]) {
        await expect(registry.admit(fresh, testEntityKey(fresh), bad, BANK_ROLES, outsider))
          .to.be.revertedWithCustomError(registry, "MemberInvalidJurisdiction")
          .withArgs(bad);
      }
      await expect(registry.admit(fresh, testEntityKey(fresh), CN, 0, outsider))
        .to.be.revertedWithCustomError(registry, "MemberInvalidRoles")
        .withArgs(0);
      await expect(registry.admit(fresh, testEntityKey(fresh), CN, 1 << 14, outsider))
        .to.be.revertedWithCustomError(registry, "MemberInvalidRoles")
        .withArgs(1 << 14);
      await expect(
        registry.admit(fresh, testEntityKey(fresh), CN, BANK_ROLES, ethers.ZeroAddress),
      ).to.be.revertedWithCustomError(registry, "OperatorInvalidAddress");
      await expect(registry.admit(fresh, testEntityKey(fresh), CN, BANK_ROLES, bankAdmin))
        .to.be.revertedWithCustomError(registry, "OperatorAlreadyRegistered")
        .withArgs(bankAdmin.address, 1);
      expect(await registry.memberCount()).to.equal(2);
      expect(await registry.memberForKey(outsider.address)).to.equal(0);
    });
  });

  describe("status", function () {
    it("test_suspend_locksMemberOutAndReinstateRestores", async function () {
      const { registry, bankOps } = await networkHelpers.loadFixture(deployFixture);
      expect(await registry.activeInRole(bankOps.address, LENDER)).to.equal(true);
      await expect(registry.suspend(1, REASON))
        .to.emit(registry, "MemberStatusChanged")
        .withArgs(1, Status.Active, Status.Suspended, REASON);
      expect(await registry.activeInRole(bankOps.address, LENDER)).to.equal(false);
      expect(await registry.isActiveKey(bankOps.address)).to.equal(false);
      await expect(registry.requireKeyInRole(bankOps.address, LENDER))
        .to.be.revertedWithCustomError(registry, "MemberNotActive")
        .withArgs(bankOps.address, 1, Status.Suspended);
      await expect(registry.reinstate(1, REASON))
        .to.emit(registry, "MemberStatusChanged")
        .withArgs(1, Status.Suspended, Status.Active, REASON);
      expect(await registry.activeInRole(bankOps.address, LENDER)).to.equal(true);
    });

    it("test_revoke_isFinal", async function () {
      const { registry } = await networkHelpers.loadFixture(deployFixture);
      await registry.suspend(1, REASON);
      await expect(registry.revoke(1, REASON))
        .to.emit(registry, "MemberStatusChanged")
        .withArgs(1, Status.Suspended, Status.Revoked, REASON);
      await expect(registry.reinstate(1, REASON))
        .to.be.revertedWithCustomError(registry, "MemberInvalidTransition")
        .withArgs(1, Status.Revoked, Status.Active);
      await expect(registry.suspend(1, REASON))
        .to.be.revertedWithCustomError(registry, "MemberInvalidTransition")
        .withArgs(1, Status.Revoked, Status.Suspended);
      await expect(registry.revoke(1, REASON))
        .to.be.revertedWithCustomError(registry, "MemberInvalidTransition")
        .withArgs(1, Status.Revoked, Status.Revoked);
      expect((await registry.getMember(1)).status).to.equal(Status.Revoked);
    });

    it("test_transition_revertsWhenNoChangeOrUnknown", async function () {
      const { registry } = await networkHelpers.loadFixture(deployFixture);
      await expect(registry.reinstate(1, REASON))
        .to.be.revertedWithCustomError(registry, "MemberInvalidTransition")
        .withArgs(1, Status.Active, Status.Active);
      await registry.suspend(1, REASON);
      await expect(registry.suspend(1, REASON))
        .to.be.revertedWithCustomError(registry, "MemberInvalidTransition")
        .withArgs(1, Status.Suspended, Status.Suspended);
      await expect(registry.suspend(99, REASON))
        .to.be.revertedWithCustomError(registry, "MemberUnknownId")
        .withArgs(99);
    });

    it("test_status_revertsForOutsiderAndSuspendedMember", async function () {
      const { registry, outsider, bankAdmin, otherAdmin } = await networkHelpers.loadFixture(deployFixture);
      await registry.suspend(1, REASON);
      for (const caller of [outsider, bankAdmin, otherAdmin]) {
        await expect(registry.connect(caller).suspend(2, REASON))
          .to.be.revertedWithCustomError(registry, "GovernorUnauthorizedAccount")
          .withArgs(caller.address);
        await expect(registry.connect(caller).reinstate(1, REASON))
          .to.be.revertedWithCustomError(registry, "GovernorUnauthorizedAccount")
          .withArgs(caller.address);
        await expect(registry.connect(caller).revoke(2, REASON))
          .to.be.revertedWithCustomError(registry, "GovernorUnauthorizedAccount")
          .withArgs(caller.address);
      }
    });
  });

  describe("roles", function () {
    it("test_grantAndRemoveRoles_changeTheSet", async function () {
      const { registry, bankOps } = await networkHelpers.loadFixture(deployFixture);
      const oracle = roleMask(["Oracle"]);
      await expect(registry.grantRoles(1, oracle))
        .to.emit(registry, "MemberRolesChanged")
        .withArgs(1, BANK_ROLES, BANK_ROLES | oracle);
      expect(await registry.activeInRole(bankOps.address, roleIndex("Oracle"))).to.equal(true);
      await expect(registry.removeRoles(1, roleMask(["Lender"])))
        .to.emit(registry, "MemberRolesChanged")
        .withArgs(1, BANK_ROLES | oracle, roleMask(["Financier", "Oracle"]));
      expect(await registry.activeInRole(bankOps.address, LENDER)).to.equal(false);
      await expect(registry.requireKeyInRole(bankOps.address, LENDER))
        .to.be.revertedWithCustomError(registry, "MemberMissingRole")
        .withArgs(bankOps.address, 1, LENDER);
      expect(await registry.requireKeyInRole(bankOps.address, FINANCIER)).to.equal(1);
    });

    it("test_standingOf_isTheRecordsStatusAndRoles_noneForAnUnknownId", async function () {
      const { registry } = await networkHelpers.loadFixture(deployFixture);
      expect(await registry.standingOf(1)).to.deep.equal([BigInt(Status.Active), BigInt(BANK_ROLES)]);
      await registry.grantRoles(1, roleMask(["Oracle"]));
      await registry.suspend(1, REASON);
      const record = await registry.getMember(1);
      expect(record.status).to.equal(Status.Suspended);
      expect(await registry.standingOf(1)).to.deep.equal([record.status, record.roles]);
      expect(record.roles).to.equal(BANK_ROLES | roleMask(["Oracle"]));
      expect(await registry.standingOf(99)).to.deep.equal([BigInt(Status.None), 0n]);
    });

    it("test_roles_revertOnBadInput", async function () {
      const { registry } = await networkHelpers.loadFixture(deployFixture);
      await expect(registry.grantRoles(1, 0)).to.be.revertedWithCustomError(registry, "MemberInvalidRoles").withArgs(0);
      await expect(registry.removeRoles(1, 1 << 20))
        .to.be.revertedWithCustomError(registry, "MemberInvalidRoles")
        .withArgs(1 << 20);
      await expect(registry.grantRoles(7, BANK_ROLES))
        .to.be.revertedWithCustomError(registry, "MemberUnknownId")
        .withArgs(7);
      expect((await registry.getMember(1)).roles).to.equal(BANK_ROLES);
    });

    it("test_roles_revertForOutsiderAndSuspendedMember", async function () {
      const { registry, outsider, bankAdmin } = await networkHelpers.loadFixture(deployFixture);
      await registry.suspend(1, REASON);
      for (const caller of [outsider, bankAdmin]) {
        await expect(registry.connect(caller).grantRoles(1, BANK_ROLES))
          .to.be.revertedWithCustomError(registry, "GovernorUnauthorizedAccount")
          .withArgs(caller.address);
        await expect(registry.connect(caller).removeRoles(1, BANK_ROLES))
          .to.be.revertedWithCustomError(registry, "GovernorUnauthorizedAccount")
          .withArgs(caller.address);
      }
    });
  });

  describe("operators", function () {
    it("test_addAndRemoveOperator_byAdmin", async function () {
      const { registry, bankAdmin, bankOps, outsider } = await networkHelpers.loadFixture(deployFixture);
      // Offered: nothing linked yet, until the key accepts (review 31, D2).
      await expect(registry.connect(bankAdmin).addOperator(1, outsider.address))
        .to.emit(registry, "OperatorOffered")
        .withArgs(1, outsider.address);
      expect(await registry.operatorOfferOf(1, outsider.address)).to.equal(true);
      expect(await registry.memberForKey(outsider.address)).to.equal(0n);
      expect((await registry.getMember(1)).operatorCount).to.equal(2);
      await expect(registry.connect(outsider).acceptOperatorOffer(1))
        .to.emit(registry, "OperatorAdded")
        .withArgs(1, outsider.address);
      expect(await registry.operatorOfferOf(1, outsider.address)).to.equal(false);
      expect(await registry.activeInRole(outsider.address, LENDER)).to.equal(true);
      expect((await registry.getMember(1)).operatorCount).to.equal(3);
      await expect(registry.connect(bankAdmin).removeOperator(1, bankOps.address))
        .to.emit(registry, "OperatorRemoved")
        .withArgs(1, bankOps.address);
      expect(await registry.memberForKey(bankOps.address)).to.equal(0);
      expect(await registry.activeInRole(bankOps.address, LENDER)).to.equal(false);
      await expect(registry.requireActiveMember(bankOps.address))
        .to.be.revertedWithCustomError(registry, "MemberUnknownAccount")
        .withArgs(bankOps.address);
      expect((await registry.getMember(1)).operatorCount).to.equal(2);
    });

    it("test_operators_revertOnBadInput", async function () {
      const { registry, bankAdmin, bankOps, otherAdmin } = await networkHelpers.loadFixture(deployFixture);
      await expect(registry.connect(bankAdmin).addOperator(1, ethers.ZeroAddress)).to.be.revertedWithCustomError(
        registry,
        "OperatorInvalidAddress",
      );
      await expect(registry.connect(bankAdmin).addOperator(1, otherAdmin.address))
        .to.be.revertedWithCustomError(registry, "OperatorAlreadyRegistered")
        .withArgs(otherAdmin.address, 2);
      await expect(registry.connect(bankAdmin).removeOperator(1, otherAdmin.address))
        .to.be.revertedWithCustomError(registry, "OperatorNotOfMember")
        .withArgs(otherAdmin.address, 1);
      await expect(registry.connect(bankAdmin).removeOperator(1, bankAdmin.address))
        .to.be.revertedWithCustomError(registry, "OperatorIsAdmin")
        .withArgs(bankAdmin.address, 1);
      await expect(registry.connect(bankAdmin).addOperator(9, bankOps.address))
        .to.be.revertedWithCustomError(registry, "MemberUnknownId")
        .withArgs(9);
      expect((await registry.getMember(1)).operatorCount).to.equal(2);
    });

    it("test_operators_revertForOutsiderNonAdminAndOtherMember", async function () {
      const { registry, bankOps, otherAdmin, outsider, governor } = await networkHelpers.loadFixture(deployFixture);
      for (const caller of [outsider, bankOps, otherAdmin, governor]) {
        await expect(registry.connect(caller).addOperator(1, ethers.Wallet.createRandom().address))
          .to.be.revertedWithCustomError(registry, "OperatorUnauthorizedAdmin")
          .withArgs(caller.address, 1);
        await expect(registry.connect(caller).removeOperator(1, bankOps.address))
          .to.be.revertedWithCustomError(registry, "OperatorUnauthorizedAdmin")
          .withArgs(caller.address, 1);
      }
    });

    it("test_operators_revertForSuspendedMember", async function () {
      const { registry, bankAdmin, outsider } = await networkHelpers.loadFixture(deployFixture);
      // An offer made while active is not accepted while suspended.
      await registry.connect(bankAdmin).addOperator(1, outsider.address);
      await registry.suspend(1, REASON);
      await expect(registry.connect(bankAdmin).addOperator(1, outsider.address))
        .to.be.revertedWithCustomError(registry, "MemberNotActive")
        .withArgs(bankAdmin.address, 1, Status.Suspended);
      await expect(registry.connect(outsider).acceptOperatorOffer(1))
        .to.be.revertedWithCustomError(registry, "MemberNotActive")
        .withArgs(outsider.address, 1, Status.Suspended);
      // No new key while suspended, not even as admin: the seat goes only to a linked key.
      await expect(registry.connect(bankAdmin).setAdmin(1, outsider.address))
        .to.be.revertedWithCustomError(registry, "OperatorNotOfMember")
        .withArgs(outsider.address, 1);
      expect(await registry.memberForKey(outsider.address)).to.equal(0n);
    });

    it("item 27: a suspended member retires a compromised admin or payout key in favour of another operator", async function () {
      const { registry, bankAdmin, bankOps } = await networkHelpers.loadFixture(deployFixture);
      await registry.connect(bankAdmin).setPayoutAccount(1, bankAdmin.address);
      await registry.suspend(1, REASON);
      await expect(registry.connect(bankAdmin).setPayoutAccount(1, bankOps.address))
        .to.emit(registry, "PayoutAccountSet")
        .withArgs(1, bankOps.address);
      await expect(registry.connect(bankAdmin).setAdmin(1, bankOps.address))
        .to.emit(registry, "MemberAdminChanged")
        .withArgs(1, bankAdmin.address, bankOps.address);
      await expect(registry.connect(bankOps).removeOperator(1, bankAdmin.address)).to.emit(registry, "OperatorRemoved");
      await registry.reinstate(1, REASON);
      expect(await registry.memberForKey(bankAdmin.address)).to.equal(0n);
      expect(await registry.payoutAccountFor(1)).to.equal(bankOps.address);
      await registry.revoke(1, REASON);
      await expect(registry.connect(bankOps).setPayoutAccount(1, bankOps.address))
        .to.be.revertedWithCustomError(registry, "MemberNotActive")
        .withArgs(bankOps.address, 1, Status.Revoked);
    });

    it("item 27: a suspended member cuts off a compromised key, which stays off after reinstatement", async function () {
      const { registry, bankAdmin, bankOps } = await networkHelpers.loadFixture(deployFixture);
      await registry.suspend(1, REASON);
      await expect(registry.connect(bankAdmin).removeOperator(1, bankOps.address))
        .to.emit(registry, "OperatorRemoved")
        .withArgs(1, bankOps.address);
      await registry.reinstate(1, REASON);
      expect(await registry.memberForKey(bankOps.address)).to.equal(0n);
      expect(await registry.isActiveKey(bankOps.address)).to.equal(false);
      await registry.revoke(1, REASON);
      await expect(registry.connect(bankAdmin).removeOperator(1, bankAdmin.address))
        .to.be.revertedWithCustomError(registry, "MemberNotActive")
        .withArgs(bankAdmin.address, 1, Status.Revoked);
    });
  });

  describe("setAdmin", function () {
    it("test_setAdmin_byAdminToExistingOperator", async function () {
      const { registry, bankAdmin, bankOps } = await networkHelpers.loadFixture(deployFixture);
      await expect(registry.connect(bankAdmin).setAdmin(1, bankOps.address))
        .to.emit(registry, "MemberAdminChanged")
        .withArgs(1, bankAdmin.address, bankOps.address)
        .and.not.to.emit(registry, "OperatorAdded");
      expect((await registry.getMember(1)).admin).to.equal(bankOps.address);
      expect((await registry.getMember(1)).operatorCount).to.equal(2);
      await expect(registry.connect(bankOps).removeOperator(1, bankAdmin.address)).to.emit(registry, "OperatorRemoved");
    });

    it("test_setAdmin_byGovernorRecoversLostKeyAfterTheDelay", async function () {
      const { registry, governor, outsider } = await networkHelpers.loadFixture(deployFixture);
      await registry.suspend(1, REASON);
      const delay = await registry.RECOVERY_DELAY();
      await expect(registry.connect(governor).proposeAdminRecovery(1, outsider.address)).to.emit(
        registry,
        "AdminRecoveryProposed",
      );
      const { readyAt } = await registry.recoveryOf(1);
      await expect(registry.connect(outsider).completeAdminRecovery(1))
        .to.be.revertedWithCustomError(registry, "RecoveryNotReady")
        .withArgs(1, readyAt);
      await networkHelpers.time.increase(delay);
      await expect(registry.connect(outsider).completeAdminRecovery(1))
        .to.emit(registry, "OperatorAdded")
        .withArgs(1, outsider.address)
        .and.to.emit(registry, "MemberAdminChanged");
      expect(await registry.memberForKey(outsider.address)).to.equal(1);
      expect((await registry.getMember(1)).operatorCount).to.equal(3);
      await expect(registry.completeAdminRecovery(1))
        .to.be.revertedWithCustomError(registry, "RecoveryNotPending")
        .withArgs(1);
    });

    it("item 22: the governor cannot seat itself as an active member's admin: the admin cancels", async function () {
      const { registry, governor, bankAdmin, outsider } = await networkHelpers.loadFixture(deployFixture);
      await expect(registry.connect(governor).setAdmin(1, governor.address))
        .to.be.revertedWithCustomError(registry, "OperatorUnauthorizedAdmin")
        .withArgs(governor.address, 1);
      // Nor by a key recovery: the governor's key is no member's operator (adversarial review 30, B1).
      await expect(registry.connect(governor).proposeAdminRecovery(1, governor.address))
        .to.be.revertedWithCustomError(registry, "OperatorIsGovernor")
        .withArgs(governor.address);
      // A recovery to another key: the admin, still there, cancels it.
      await registry.connect(governor).proposeAdminRecovery(1, outsider.address);
      await expect(registry.connect(outsider).cancelAdminRecovery(1))
        .to.be.revertedWithCustomError(registry, "OperatorUnauthorizedAdmin")
        .withArgs(outsider.address, 1);
      await expect(registry.connect(bankAdmin).cancelAdminRecovery(1))
        .to.emit(registry, "AdminRecoveryCancelled")
        .withArgs(1, outsider.address);
      await networkHelpers.time.increase(await registry.RECOVERY_DELAY());
      await expect(registry.completeAdminRecovery(1))
        .to.be.revertedWithCustomError(registry, "RecoveryNotPending")
        .withArgs(1);
      expect((await registry.getMember(1)).admin).to.equal(bankAdmin.address);
      expect(await registry.memberForKey(outsider.address)).to.equal(0n);
      await expect(registry.connect(outsider).proposeAdminRecovery(1, outsider.address))
        .to.be.revertedWithCustomError(registry, "GovernorUnauthorizedAccount")
        .withArgs(outsider.address);
    });

    it("test_setAdmin_revertsForOutsiderAndOtherMembersOperator", async function () {
      const { registry, bankOps, otherAdmin, outsider, bankAdmin } = await networkHelpers.loadFixture(deployFixture);
      for (const caller of [outsider, bankOps, otherAdmin]) {
        await expect(registry.connect(caller).setAdmin(1, caller.address))
          .to.be.revertedWithCustomError(registry, "OperatorUnauthorizedAdmin")
          .withArgs(caller.address, 1);
      }
      await expect(registry.connect(bankAdmin).setAdmin(1, otherAdmin.address))
        .to.be.revertedWithCustomError(registry, "OperatorNotOfMember")
        .withArgs(otherAdmin.address, 1);
      // A key not yet linked: it is first offered, and accepts (review 31, D2).
      await expect(registry.connect(bankAdmin).setAdmin(1, outsider.address))
        .to.be.revertedWithCustomError(registry, "OperatorNotOfMember")
        .withArgs(outsider.address, 1);
      await expect(registry.connect(bankAdmin).setAdmin(1, ethers.ZeroAddress)).to.be.revertedWithCustomError(
        registry,
        "OperatorInvalidAddress",
      );
      await expect(registry.setAdmin(5, outsider.address)).to.be.revertedWithCustomError(registry, "MemberUnknownId");
      expect((await registry.getMember(1)).admin).to.equal(bankAdmin.address);
    });
  });

  describe("identity, payout account and settlement tokens", function () {
    it("item 13: the same institution is not admitted twice, under its BIC or under its entity key", async function () {
      const { registry, outsider } = await networkHelpers.loadFixture(deployFixture);
      const bic = legalIdHash("HXBKCNSHXXX");
      await expect(registry.addLegalId(1, bic)).to.emit(registry, "MemberLegalIdAdded").withArgs(1, bic);
      expect(await registry.memberByLegalId(bic)).to.equal(1n);
      await expect(registry.admit(bic, testEntityKey(bic), CN, BANK_ROLES, outsider))
        .to.be.revertedWithCustomError(registry, "MemberAlreadyAdmitted")
        .withArgs(bic, 1);
      const fresh = legalIdHash("TLOTHERNAME000000009");
      await expect(registry.admit(fresh, testEntityKey(BANK), CN, BANK_ROLES, outsider))
        .to.be.revertedWithCustomError(registry, "MemberEntityKeyTaken")
        .withArgs(testEntityKey(BANK), 1);
      await expect(registry.admit(fresh, ethers.ZeroHash, CN, BANK_ROLES, outsider)).to.be.revertedWithCustomError(
        registry,
        "MemberInvalidEntityKey",
      );
      await expect(registry.addLegalId(2, bic)).to.be.revertedWithCustomError(registry, "MemberAlreadyAdmitted");
      await expect(registry.connect(outsider).addLegalId(1, fresh))
        .to.be.revertedWithCustomError(registry, "GovernorUnauthorizedAccount")
        .withArgs(outsider.address);
      expect(await registry.memberCount()).to.equal(2n);
      expect(await registry.entityKeyOf(1)).to.equal(testEntityKey(BANK));
    });

    it("item 2: without a payout account, payouts follow the admin seat (setAdmin and key recovery)", async function () {
      const { registry, governor, bankAdmin, bankOps, outsider } = await networkHelpers.loadFixture(deployFixture);
      expect(await registry.payoutAccountFor(1)).to.equal(bankAdmin.address);
      expect(await registry.payoutAccountFor(3)).to.equal(ethers.ZeroAddress);
      await registry.connect(bankAdmin).setAdmin(1, bankOps.address);
      expect(await registry.payoutAccountFor(1)).to.equal(bankOps.address);
      await registry.connect(governor).proposeAdminRecovery(1, outsider.address);
      await networkHelpers.time.increase(await registry.RECOVERY_DELAY());
      await registry.completeAdminRecovery(1);
      expect(await registry.payoutAccountFor(1)).to.equal(outsider.address);
      // Once a payout account is set, a new admin no longer moves the payouts.
      await registry.connect(outsider).setPayoutAccount(1, bankOps.address);
      await registry.connect(outsider).setAdmin(1, bankAdmin.address);
      expect((await registry.getMember(1)).admin).to.equal(bankAdmin.address);
      expect(await registry.payoutAccountFor(1)).to.equal(bankOps.address);
    });

    it("item 2: payouts follow the member: the payout account is one of its operators, kept while it is", async function () {
      const { registry, bankAdmin, bankOps, otherAdmin, outsider } = await networkHelpers.loadFixture(deployFixture);
      expect(await registry.payoutAccountFor(1)).to.equal(bankAdmin.address);
      await expect(registry.connect(bankAdmin).setPayoutAccount(1, otherAdmin.address))
        .to.be.revertedWithCustomError(registry, "OperatorNotOfMember")
        .withArgs(otherAdmin.address, 1);
      await expect(registry.connect(bankOps).setPayoutAccount(1, bankOps.address))
        .to.be.revertedWithCustomError(registry, "OperatorUnauthorizedAdmin")
        .withArgs(bankOps.address, 1);
      await expect(registry.connect(bankAdmin).setPayoutAccount(1, bankOps.address))
        .to.emit(registry, "PayoutAccountSet")
        .withArgs(1, bankOps.address);
      expect(await registry.payoutAccountFor(1)).to.equal(bankOps.address);
      await expect(registry.connect(bankAdmin).removeOperator(1, bankOps.address))
        .to.be.revertedWithCustomError(registry, "OperatorIsPayoutAccount")
        .withArgs(bankOps.address, 1);
      // A key rotation: the admin seat moves, the payouts follow the member's account, not the old key.
      await linkOperator(connection, registry, bankAdmin, 1, outsider);
      await registry.connect(bankAdmin).setAdmin(1, outsider.address);
      await registry.connect(outsider).removeOperator(1, bankAdmin.address);
      expect(await registry.payoutAccountFor(1)).to.equal(bankOps.address);
    });

    it("item 26: only the governor lists settlement tokens, and only contracts", async function () {
      const { registry, outsider } = await networkHelpers.loadFixture(deployFixture);
      const token = await ethers.deployContract("SettlementToken", ["Digital CNY", "dCNY", CNY, 2, registry]);
      expect(await registry.isSettlementToken(token)).to.equal(false);
      await expect(registry.connect(outsider).setSettlementToken(token, true))
        .to.be.revertedWithCustomError(registry, "GovernorUnauthorizedAccount")
        .withArgs(outsider.address);
      await expect(registry.setSettlementToken(outsider.address, true))
        .to.be.revertedWithCustomError(registry, "SettlementTokenInvalid")
        .withArgs(outsider.address);
      await expect(registry.setSettlementToken(token, true)).to.emit(registry, "SettlementTokenListed");
      expect(await registry.isSettlementToken(token)).to.equal(true);
    });

    it("review 4, B-F2: only a token that checks membership against this registry is listed", async function () {
      const { registry, governor } = await networkHelpers.loadFixture(deployFixture);
      // A plain ERC-20 (no memberRegistry()) would pay revoked members and take deposits no module booked.
      const plain = await ethers.deployContract("MemberRegistry", [governor.address, TEST_KEY_CHECK]);
      await expect(registry.setSettlementToken(plain, true))
        .to.be.revertedWithCustomError(registry, "SettlementTokenRegistryMismatch")
        .withArgs(await plain.getAddress(), ethers.ZeroAddress);
      // A settlement token of another consortium's registry checks the wrong members.
      const elsewhere = await ethers.deployContract("SettlementToken", ["Digital CNY", "dCNY", CNY, 2, plain]);
      await expect(registry.setSettlementToken(elsewhere, true))
        .to.be.revertedWithCustomError(registry, "SettlementTokenRegistryMismatch")
        .withArgs(await elsewhere.getAddress(), await plain.getAddress());
      expect(await registry.isSettlementToken(elsewhere)).to.equal(false);
      // Review 7: every consortium contract names this registry; one that names no currency is no token.
      const consentBook = await ethers.deployContract("ConsentBook", [registry]);
      await expect(registry.setSettlementToken(consentBook, true))
        .to.be.revertedWithCustomError(registry, "SettlementTokenInvalid")
        .withArgs(await consentBook.getAddress());
      // Delisting needs no check: a token listed before can always be taken off.
      await expect(registry.setSettlementToken(elsewhere, false))
        .to.emit(registry, "SettlementTokenListed")
        .withArgs(await elsewhere.getAddress(), false);
    });
  });

  describe("governor seat", function () {
    it("test_governor_movesInTwoSteps", async function () {
      const { registry, governor, newGovernor, outsider } = await networkHelpers.loadFixture(deployFixture);
      expect(await registry.governor()).to.equal(governor.address);
      await registry.transferOwnership(newGovernor.address);
      expect(await registry.governor()).to.equal(governor.address);
      await expect(registry.connect(outsider).acceptOwnership())
        .to.be.revertedWithCustomError(registry, "OwnableUnauthorizedAccount")
        .withArgs(outsider.address);
      await registry.connect(newGovernor).acceptOwnership();
      expect(await registry.governor()).to.equal(newGovernor.address);
      await expect(registry.connect(governor).suspend(1, REASON))
        .to.be.revertedWithCustomError(registry, "GovernorUnauthorizedAccount")
        .withArgs(governor.address);
    });

    it("test_renounceOwnership_isRefused", async function () {
      const { registry, governor, outsider } = await networkHelpers.loadFixture(deployFixture);
      await expect(registry.renounceOwnership()).to.be.revertedWithCustomError(registry, "GovernorRenounceDisabled");
      await expect(registry.connect(outsider).renounceOwnership())
        .to.be.revertedWithCustomError(registry, "GovernorUnauthorizedAccount")
        .withArgs(outsider.address);
      expect(await registry.governor()).to.equal(governor.address);
    });

    it("test_transferOwnership_revertsForOutsider", async function () {
      const { registry, outsider } = await networkHelpers.loadFixture(deployFixture);
      await expect(registry.connect(outsider).transferOwnership(outsider.address))
        .to.be.revertedWithCustomError(registry, "GovernorUnauthorizedAccount")
        .withArgs(outsider.address);
    });
  });

  describe("views", function () {
    it("test_views_forUnknownAccount", async function () {
      const { registry, outsider } = await networkHelpers.loadFixture(deployFixture);
      expect(await registry.memberForKey(outsider.address)).to.equal(0);
      expect(await registry.activeInRole(outsider.address, LENDER)).to.equal(false);
      expect(await registry.isActiveKey(outsider.address)).to.equal(false);
      await expect(registry.requireKeyInRole(outsider.address, LENDER))
        .to.be.revertedWithCustomError(registry, "MemberUnknownAccount")
        .withArgs(outsider.address);
      expect((await registry.getMember(42)).status).to.equal(Status.None);
    });
  });

  describe("membership epoch (issue 15)", function () {
    /**
     * The settlement token caches "found active" and "found an issuer" under `memberEpoch`, so the epoch must move
     * on with every change that turns `isActiveKey` from true to false for some account, or takes a role from a member,
     * in the same transaction. The walk calls every state-changing function of the registry (the ABI's list, so that
     * a new one fails here until it is classified) and checks, after each, that the epoch moved on exactly when an
     * account that was active is no longer or a member lost a role.
     */
    it("moves on exactly when some account stops being active or a member loses a role, across every state-changing function", async function () {
      const { registry, governor, bankAdmin, bankOps, otherAdmin, outsider, newGovernor } =
        await networkHelpers.loadFixture(deployFixture);
      const [, , , , , , spare, recovered] = await ethers.getSigners();
      const watched = [bankAdmin, bankOps, otherAdmin, outsider, newGovernor, spare, recovered, governor];
      const called = new Set<string>();
      expect(await registry.memberEpoch()).to.not.equal(0n);

      async function step(name: string, send: () => Promise<unknown>): Promise<void> {
        const rolesOf = async () =>
          Promise.all(
            Array.from(
              { length: Number(await registry.memberCount()) },
              async (_, i) => (await registry.getMember(i + 1)).roles,
            ),
          );
        const before = await Promise.all(watched.map((a) => registry.isActiveKey(a.address)));
        const rolesBefore = await rolesOf();
        const epochBefore = await registry.memberEpoch();
        await send();
        called.add(name);
        const after = await Promise.all(watched.map((a) => registry.isActiveKey(a.address)));
        const rolesAfter = await rolesOf();
        const epochAfter = await registry.memberEpoch();
        const lost = watched.filter((_, i) => before[i] && !after[i]).map((a) => a.address);
        const lostRoles = rolesBefore.filter((r, i) => (r & ~rolesAfter[i]) !== 0n).length;
        expect(epochAfter >= epochBefore, `${name}: the epoch went back`).to.equal(true);
        expect(
          epochAfter > epochBefore,
          `${name}: accounts no longer active ${lost.join(",")}, members that lost a role ${lostRoles}`,
        ).to.equal(lost.length > 0 || lostRoles > 0);
      }

      const gulf = legalIdHash("TLBENCHBANK00000009");
      await step("admit", () => registry.admit(gulf, testEntityKey(gulf), CN, BANK_ROLES, outsider.address));
      await step("addLegalId", () => registry.addLegalId(3, legalIdHash("TLBENCHBIC000000009")));
      const listed = await ethers.deployContract("SettlementToken", ["Digital CNY", "dCNY", CNY, 2, registry]);
      await step("setSettlementToken", () => registry.setSettlementToken(listed, true));
      await step("grantRoles", () => registry.grantRoles(3, roleMask(["Regulator"])));
      await step("removeRoles", () => registry.removeRoles(3, roleMask(["Regulator"])));
      await step("removeRoles", () => registry.removeRoles(3, roleMask(["Regulator"]))); // none held: nothing lost
      await step("addOperator", () => registry.connect(outsider).addOperator(3, spare.address));
      await step("cancelOperatorOffer", () => registry.connect(outsider).cancelOperatorOffer(3, spare.address));
      await registry.connect(outsider).addOperator(3, spare.address);
      await step("acceptOperatorOffer", () => registry.connect(spare).acceptOperatorOffer(3));
      await step("setPayoutAccount", () => registry.connect(outsider).setPayoutAccount(3, spare.address));
      await step("setAdmin", () => registry.connect(outsider).setAdmin(3, spare.address));
      await step("removeOperator", () => registry.connect(spare).removeOperator(3, outsider.address));
      await step("proposeAdminRecovery", () => registry.proposeAdminRecovery(3, recovered.address));
      await step("cancelAdminRecovery", () => registry.connect(spare).cancelAdminRecovery(3));
      await registry.proposeAdminRecovery(3, recovered.address);
      await networkHelpers.time.increase(await registry.RECOVERY_DELAY());
      await step("completeAdminRecovery", () => registry.completeAdminRecovery(3));
      await step("suspend", () => registry.suspend(1, REASON));
      await step("reinstate", () => registry.reinstate(1, REASON));
      await step("revoke", () => registry.revoke(2, REASON));
      await step("transferOwnership", () => registry.transferOwnership(newGovernor.address));
      await step("acceptOwnership", () => registry.connect(newGovernor).acceptOwnership());
      // renounceOwnership is a view that always refuses (test_renounceOwnership_isRefused): not in the list.

      const stateChanging: string[] = [];
      registry.interface.forEachFunction((f) => {
        if (f.stateMutability === "nonpayable") stateChanging.push(f.name);
      });
      expect([...called].sort()).to.deep.equal([...new Set(stateChanging)].sort());
    });
  });
});
