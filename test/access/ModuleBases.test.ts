import { expect } from "chai";
import type { Contract, ContractRunner } from "ethers";
import { network } from "hardhat";

import { currencyCode, jurisdictionCode, legalIdHash, reasonCode } from "../../src/encoding.js";
import { roleMask } from "../../src/members.js";
import { TEST_KEY_CHECK, testEntityKey } from "../helpers/entity.js";
import { allPendingReports } from "../helpers/reports.js";
import { linkOperator } from "../helpers/operators.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const REASON = reasonCode("RULE-7.2");

/** `contract` bound to `runner`, still a dynamic Contract. */
function by(contract: Contract, runner: ContractRunner): Contract {
  return contract.connect(runner) as Contract;
}

async function deployFixture() {
  const [governor, bankAdmin, bankOps, regulatorA, regulatorB, issuer, outsider, treasury] = await ethers.getSigners();
  const registry = await ethers.deployContract("MemberRegistry", [governor.address, TEST_KEY_CHECK]);
  const admit = async (legalId: string, roles: string[], admin: string) => {
    const hash = legalIdHash(legalId);
    await registry.admit(hash, testEntityKey(hash), jurisdictionCode("CN"), roleMask(roles), admin);
  };
  await admit("TLBANK00000000000001", ["Financier"], bankAdmin.address); // 1
  await admit("TLREGULATOR000000002", ["Regulator"], regulatorA.address); // 2
  await admit("TLREGULATOR000000003", ["Regulator"], regulatorB.address); // 3
  await admit("TLISSUER000000000004", ["TokenIssuer"], issuer.address); // 4
  await admit("TLTREASURY0000000005", ["Financier"], treasury.address); // 5
  await linkOperator(connection, registry, bankAdmin, 1, bankOps);
  const token = await ethers.deployContract("SettlementToken", [
    "Tradeline Digital CNY",
    "tCNY",
    currencyCode("CNY"),
    2,
    await registry.getAddress(),
  ]);
  const target = (await ethers.deployContract("RecordingRegistry")) as unknown as Contract;
  // Test-only contracts get no TypeChain types: the harness is driven through ethers' dynamic Contract.
  const harness = (await ethers.deployContract("ModuleBasesHarness", [
    await registry.getAddress(),
    await target.getAddress(),
  ])) as unknown as Contract;
  await token.setSystemAccount(harness, true);
  await token.setIssuer(4, true);
  // The harness pulls its float, as a module pulls what it is paid.
  await token.connect(issuer).mint(issuer, 10_000n);
  await token.connect(issuer).approve(harness, 10_000n);
  await harness.pull(await token.getAddress(), issuer.address, 10_000n);
  return { registry, token, target, harness, governor, bankAdmin, bankOps, regulatorA, regulatorB, outsider, treasury };
}

describe("module bases", function () {
  describe("MemberPayouts", function () {
    it("item 2: pays the member's payout account at payment time, after a key rotation too", async function () {
      const { registry, token, harness, bankAdmin, bankOps } = await networkHelpers.loadFixture(deployFixture);
      await expect(harness.pay(1, token, 100n)).to.changeTokenBalance(ethers, token, bankAdmin, 100n);
      await registry.connect(bankAdmin).setPayoutAccount(1, bankOps);
      await registry.connect(bankAdmin).setAdmin(1, bankOps);
      await registry.connect(bankOps).removeOperator(1, bankAdmin);
      await expect(harness.pay(1, token, 40n)).to.changeTokenBalance(ethers, token, bankOps, 40n);
      expect(await harness.totalOwed(token)).to.equal(0n);
    });

    it("item 2: a suspended member's payment is parked, not refused, and claimed on reinstatement", async function () {
      const { registry, token, harness, bankAdmin, outsider } = await networkHelpers.loadFixture(deployFixture);
      await registry.suspend(1, REASON);
      await expect(harness.pay(1, token, 250n))
        .to.emit(harness, "PaymentParked")
        .withArgs(1, token, 250n);
      expect(await harness.owedTo(1, token)).to.equal(250n);
      expect(await harness.totalOwed(token)).to.equal(250n);
      await expect(by(harness, outsider).claimOwed(1, token))
        .to.be.revertedWithCustomError(token, "SettlementHolderNotEligible")
        .withArgs(bankAdmin.address);
      await expect(harness.redirectOwed(1, token, outsider, REASON))
        .to.be.revertedWithCustomError(harness, "PayoutMemberNotRevoked")
        .withArgs(1, 2);
      await registry.reinstate(1, REASON);
      const before = await token.balanceOf(bankAdmin);
      await expect(by(harness, outsider).claimOwed(1, token))
        .to.emit(harness, "OwedClaimed")
        .withArgs(1, token, bankAdmin.address, 250n);
      expect((await token.balanceOf(bankAdmin)) - before).to.equal(250n);
      expect(await harness.totalOwed(token)).to.equal(0n);
      await expect(harness.claimOwed(1, token))
        .to.be.revertedWithCustomError(harness, "PayoutNothingOwed")
        .withArgs(1, token);
    });

    it("item 2: a frozen payout account or a paused token parks the payment", async function () {
      const { token, harness, bankAdmin } = await networkHelpers.loadFixture(deployFixture);
      await token.freeze(bankAdmin, REASON);
      await expect(harness.pay(1, token, 10n))
        .to.emit(harness, "PaymentParked")
        .withArgs(1, token, 10n);
      await token.unfreeze(bankAdmin, REASON);
      await token.pause();
      await expect(harness.pay(1, token, 5n))
        .to.emit(harness, "PaymentParked")
        .withArgs(1, token, 5n);
      await token.unpause();
      expect(await harness.owedTo(1, token)).to.equal(15n);
      await expect(harness.claimOwed(1, token)).to.changeTokenBalance(ethers, token, bankAdmin, 15n);
    });

    it("item 2: a revoked member's money goes where the governor sends it, with an event, and only then", async function () {
      const { registry, token, harness, treasury, outsider } = await networkHelpers.loadFixture(deployFixture);
      await registry.revoke(1, REASON);
      await harness.pay(1, token, 300n);
      await expect(by(harness, outsider).redirectOwed(1, token, outsider, REASON))
        .to.be.revertedWithCustomError(harness, "GovernorUnauthorizedAccount")
        .withArgs(outsider.address);
      await expect(harness.redirectOwed(1, token, ethers.ZeroAddress, REASON)).to.be.revertedWithCustomError(
        harness,
        "PayoutInvalidRecipient",
      );
      // Review 4, B-F3: redirected to the module itself, the money would sit there owed to no one.
      await expect(harness.redirectOwed(1, token, harness, REASON))
        .to.be.revertedWithCustomError(harness, "PayoutRecipientIsModule")
        .withArgs(await harness.getAddress());
      expect(await harness.owedTo(1, token)).to.equal(300n);
      await expect(harness.redirectOwed(1, token, treasury, REASON))
        .to.emit(harness, "OwedRedirected")
        .withArgs(1, token, treasury.address, 300n, REASON);
      expect(await token.balanceOf(treasury)).to.equal(300n);
      expect(await harness.owedTo(1, token)).to.equal(0n);
      expect(await harness.totalOwed(token)).to.equal(0n);
    });
  });

  describe("EmergencyPause", function () {
    it("item 18: whoever lifts a pause has the authority that set it", async function () {
      const { registry, harness, governor, regulatorA, regulatorB, outsider } =
        await networkHelpers.loadFixture(deployFixture);
      await expect(by(harness, outsider).pause()).to.be.revertedWithCustomError(registry, "MemberUnknownAccount");
      await by(harness, governor).pause();
      await expect(harness.guarded()).to.be.revertedWithCustomError(harness, "EnforcedPause");
      await expect(by(harness, regulatorA).unpause())
        .to.be.revertedWithCustomError(harness, "PauseLiftUnauthorized")
        .withArgs(regulatorA.address);
      await expect(by(harness, governor).unpause()).to.emit(harness, "Unpaused").withArgs(governor.address);
      await expect(by(harness, governor).unpause()).to.be.revertedWithCustomError(harness, "ExpectedPause");
      // A Regulator's pause: the governor or another Regulator lifts it; an outsider does not.
      await by(harness, regulatorA).pause();
      await expect(by(harness, regulatorA).pause()).to.be.revertedWithCustomError(harness, "EnforcedPause");
      await expect(by(harness, outsider).unpause()).to.be.revertedWithCustomError(registry, "MemberUnknownAccount");
      await expect(by(harness, regulatorB).unpause()).to.emit(harness, "Unpaused").withArgs(regulatorB.address);
      expect(await harness.guarded()).to.equal(true);
    });

    it("item 18: the active clock stands still while paused, so a deadline moves on by the pause", async function () {
      const { harness, regulatorA } = await networkHelpers.loadFixture(deployFixture);
      const start = BigInt(await networkHelpers.time.latest());
      const deadline = await harness.toActive(start + 1000n);
      await by(harness, regulatorA).pause();
      const pausedAt = BigInt(await networkHelpers.time.latest());
      await networkHelpers.time.increase(5000);
      expect(await harness.activeNow()).to.equal(pausedAt - 0n);
      expect(await harness.pausedSeconds()).to.equal(5000n);
      await by(harness, regulatorA).unpause();
      const lifted = BigInt(await networkHelpers.time.latest());
      const paused = lifted - pausedAt;
      expect(await harness.pausedSeconds()).to.equal(paused);
      expect(await harness.activeNow()).to.equal(lifted - paused);
      // The deadline, seen on the wall clock, is later by exactly the time spent paused.
      expect(await harness.toWall(deadline)).to.equal(start + 1000n + paused);
      // A deadline given after the pause is stored as active time and read back as the wall time it was given.
      const later = lifted + 10_000n;
      expect(await harness.toActive(later)).to.equal(later - paused);
      expect(await harness.toWall(await harness.toActive(later))).to.equal(later);
      expect(await harness.toActive(0)).to.equal(0n);
      expect(await harness.toWall(0)).to.equal(0n);
    });
  });

  describe("CreditReporter", function () {
    const call = (target: { interface: { encodeFunctionData: (f: string, a: unknown[]) => string } }, v: number) =>
      target.interface.encodeFunctionData("record", [v]);

    it("item 1: a refused report never reverts the caller; it is queued and delivered later, in order", async function () {
      const { harness, target, outsider } = await networkHelpers.loadFixture(deployFixture);
      const ref = ethers.id("loan-1");
      await harness.report(ref, call(target, 1));
      expect(await target.count()).to.equal(1n);
      await target.setFailing(true);
      const refused = target.interface.encodeErrorResult("Refused", [2]);
      await expect(harness.report(ref, call(target, 2)))
        .to.emit(harness, "CreditReportDeferred")
        .withArgs(ref, 0, refused);
      await target.setFailing(false);
      // A later report for the same record queues behind the first, even though the registry would take it now.
      await expect(harness.report(ref, call(target, 3)))
        .to.emit(harness, "CreditReportDeferred")
        .withArgs(ref, 1, "0x");
      expect(await target.count()).to.equal(1n);
      expect(await allPendingReports(harness, ref)).to.deep.equal([call(target, 2), call(target, 3)]);
      // Another record is not held up by this one.
      await harness.report(ethers.id("loan-2"), call(target, 9));
      expect(await target.received(1)).to.equal(9n);
      await expect(by(harness, outsider).retryCreditReports(ref, 10))
        .to.emit(harness, "CreditReportDelivered")
        .withArgs(ref, 0)
        .and.to.emit(harness, "CreditReportDelivered")
        .withArgs(ref, 1);
      expect([await target.received(2), await target.received(3)]).to.deep.equal([2n, 3n]);
      expect(await allPendingReports(harness, ref)).to.deep.equal([]);
      await expect(harness.retryCreditReports(ref, 10))
        .to.be.revertedWithCustomError(harness, "CreditReportNoneQueued")
        .withArgs(ref);
      // Once its queue is drained, the record's next report goes straight to the registry again.
      await expect(harness.report(ref, call(target, 4))).not.to.emit(harness, "CreditReportDeferred");
      expect(await target.received(4)).to.equal(4n);
      expect(await allPendingReports(harness, ref)).to.deep.equal([]);
    });

    it("item 1: a retry that still fails says why, and a retry stops at the first failure", async function () {
      const { harness, target } = await networkHelpers.loadFixture(deployFixture);
      const ref = ethers.id("loan-3");
      await target.setFailing(true);
      await harness.report(ref, call(target, 4));
      await expect(harness.retryCreditReports(ref, 10))
        .to.be.revertedWithCustomError(harness, "CreditReportStillFailing")
        .withArgs(ref, 0, target.interface.encodeErrorResult("Refused", [4]));
      expect((await allPendingReports(harness, ref)).length).to.equal(1);
    });

    it("review 10, R10-3: a queue longer than one transaction carries is delivered in parts, oldest first", async function () {
      const { harness, target, outsider } = await networkHelpers.loadFixture(deployFixture);
      const ref = ethers.id("loan-5");
      await target.setFailing(true);
      for (let v = 1; v <= 5; v++) await harness.report(ref, call(target, v));
      await target.setFailing(false);
      // The queue is read in pages too: from an offset, at most `max`, with the count of all pending.
      const page = async (offset: bigint, max: bigint) => {
        const [reports, total] = await harness.pendingCreditReports(ref, offset, max);
        return { reports: [...reports], total };
      };
      expect(await page(0n, 2n)).to.deep.equal({ reports: [1, 2].map((v) => call(target, v)), total: 5n });
      expect(await page(3n, 10n)).to.deep.equal({ reports: [4, 5].map((v) => call(target, v)), total: 5n });
      expect(await page(5n, 10n)).to.deep.equal({ reports: [], total: 5n });
      expect(await page(ethers.MaxUint256, 1n)).to.deep.equal({ reports: [], total: 5n });
      expect(await page(0n, 0n)).to.deep.equal({ reports: [], total: 5n });
      await expect(harness.retryCreditReports(ref, 0)).to.be.revertedWithCustomError(harness, "CreditReportZeroLimit");
      // Two, then two, then the last one: each call delivers what it was asked, from where the last one stopped.
      expect(await by(harness, outsider).retryCreditReports.staticCall(ref, 2)).to.equal(2n);
      await expect(by(harness, outsider).retryCreditReports(ref, 2))
        .to.emit(harness, "CreditReportDelivered")
        .withArgs(ref, 0)
        .and.to.emit(harness, "CreditReportDelivered")
        .withArgs(ref, 1);
      expect(await allPendingReports(harness, ref)).to.deep.equal([3, 4, 5].map((v) => call(target, v)));
      // Offsets count from the next report to deliver.
      expect(await page(1n, 1n)).to.deep.equal({ reports: [call(target, 4)], total: 3n });
      await harness.retryCreditReports(ref, 2);
      expect(await allPendingReports(harness, ref)).to.deep.equal([call(target, 5)]);
      expect(await harness.retryCreditReports.staticCall(ref, 10)).to.equal(1n);
      await harness.retryCreditReports(ref, 10);
      expect(await target.count()).to.equal(5n);
      for (let i = 0; i < 5; i++) expect(await target.received(i)).to.equal(BigInt(i + 1));
      expect(await allPendingReports(harness, ref)).to.deep.equal([]);
    });

    it("item 1: a relayer cannot defer a report by starving it of gas", async function () {
      const { harness, target } = await networkHelpers.loadFixture(deployFixture);
      const burn = target.interface.encodeFunctionData("burn", []);
      await expect(harness.report(ethers.id("loan-4"), burn, { gasLimit: 1_000_000 })).to.be.revertedWithCustomError(
        harness,
        "CreditReportOutOfGas",
      );
      expect(await allPendingReports(harness, ethers.id("loan-4"))).to.deep.equal([]);
    });
  });
});
