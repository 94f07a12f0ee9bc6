import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { network } from "hardhat";

import { signPermit } from "../../src/eip712.js";
import { currencyCode, jurisdictionCode, legalIdHash, reasonCode } from "../../src/encoding.js";
import { roleIndex, roleMask } from "../../src/members.js";
import { testEntityKey } from "../helpers/entity.js";
import { deployTokenWorld } from "../helpers/token.js";
import { linkOperator } from "../helpers/operators.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

const ISSUER = roleIndex("TokenIssuer");
const REASON = reasonCode("OFAC-SDN-2026-11");
const Status = { Suspended: 2 } as const;

async function deployFixture() {
  const [governor, issuer, alice, bob, outsider, escrow, spender] = await ethers.getSigners();
  const { registry, token } = await deployTokenWorld(connection, governor, { issuer, supplier: alice, importer: bob });
  await linkOperator(connection, registry, bob, 3, spender);
  await token.connect(issuer).mint(alice, 100_000n);
  return { registry, token, governor, issuer, alice, bob, outsider, escrow, spender };
}

describe("SettlementToken", function () {
  describe("metadata", function () {
    it("test_metadata_isFixedAtDeployment", async function () {
      const { token, registry } = await networkHelpers.loadFixture(deployFixture);
      expect(await token.currency()).to.equal(currencyCode("CNY"));
      expect(await token.decimals()).to.equal(2);
      expect(await token.symbol()).to.equal("tCNY");
      expect(await token.memberRegistry()).to.equal(await registry.getAddress());
    });

    it("test_constructor_revertsOnBadCurrency", async function () {
      const { registry } = await networkHelpers.loadFixture(deployFixture);
      const factory = await ethers.getContractFactory("SettlementToken");
      for (const bad of ["0x636e79", "0x434e00", "0x313233"]) {
        await expect(factory.deploy("x", "x", bad, 2, await registry.getAddress()))
          .to.be.revertedWithCustomError(factory, "SettlementInvalidCurrency")
          .withArgs(bad);
      }
    });
  });

  describe("mint and burn", function () {
    it("test_mint_byIssuerToMember", async function () {
      const { token, issuer, bob } = await networkHelpers.loadFixture(deployFixture);
      await expect(token.connect(issuer).mint(bob, 5_00n)).to.changeTokenBalance(ethers, token, bob, 5_00n);
      expect(await token.totalSupply()).to.equal(100_500n);
    });

    it("test_burn_byIssuerFromOwnBalance", async function () {
      const { token, issuer } = await networkHelpers.loadFixture(deployFixture);
      await token.connect(issuer).mint(issuer, 700n);
      await expect(token.connect(issuer).burn(300n)).to.changeTokenBalance(ethers, token, issuer, -300n);
      await expect(token.connect(issuer).burn(10_000n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientBalance")
        .withArgs(issuer.address, 400n, 10_000n);
    });

    it("test_mintAndBurn_revertForOutsiderNonIssuerAndSuspendedIssuer", async function () {
      const { token, registry, issuer, alice, outsider } = await networkHelpers.loadFixture(deployFixture);
      await expect(token.connect(outsider).mint(alice, 1n))
        .to.be.revertedWithCustomError(registry, "MemberUnknownAccount")
        .withArgs(outsider.address);
      await expect(token.connect(alice).mint(alice, 1n))
        .to.be.revertedWithCustomError(registry, "MemberMissingRole")
        .withArgs(alice.address, 2, ISSUER);
      await expect(token.connect(alice).burn(1n))
        .to.be.revertedWithCustomError(registry, "MemberMissingRole")
        .withArgs(alice.address, 2, ISSUER);
      await registry.suspend(1, REASON);
      await expect(token.connect(issuer).mint(alice, 1n))
        .to.be.revertedWithCustomError(registry, "MemberNotActive")
        .withArgs(issuer.address, 1, Status.Suspended);
      expect(await token.totalSupply()).to.equal(100_000n);
    });

    it("test_mintAndBurn_revertForFrozenIssuer", async function () {
      const { token, issuer, alice } = await networkHelpers.loadFixture(deployFixture);
      await token.connect(issuer).mint(issuer, 10n);
      await token.freeze(issuer, REASON);
      await expect(token.connect(issuer).mint(alice, 1n))
        .to.be.revertedWithCustomError(token, "SettlementAccountFrozen")
        .withArgs(issuer.address);
      await expect(token.connect(issuer).burn(1n))
        .to.be.revertedWithCustomError(token, "SettlementAccountFrozen")
        .withArgs(issuer.address);
    });

    it("item 5: an issuer mints only the currencies the governor named it issuer of", async function () {
      const { registry, token, governor, issuer, alice, outsider } = await networkHelpers.loadFixture(deployFixture);
      const usd = await ethers.deployContract("SettlementToken", [
        "Tradeline Digital USD",
        "tUSD",
        currencyCode("USD"),
        2,
        await registry.getAddress(),
      ]);
      await expect(usd.connect(issuer).mint(alice, 1n))
        .to.be.revertedWithCustomError(usd, "SettlementIssuerUnauthorized")
        .withArgs(issuer.address, 1, currencyCode("USD"));
      await expect(usd.connect(outsider).setIssuer(1, true))
        .to.be.revertedWithCustomError(usd, "GovernorUnauthorizedAccount")
        .withArgs(outsider.address);
      await expect(usd.connect(governor).setIssuer(1, true)).to.emit(usd, "IssuerSet").withArgs(1, true);
      await expect(usd.connect(governor).setIssuer(1, true))
        .to.be.revertedWithCustomError(usd, "SettlementIssuerUnchanged")
        .withArgs(1, true);
      await usd.connect(issuer).mint(alice, 7n);
      await token.connect(governor).setIssuer(1, false);
      await expect(token.connect(issuer).mint(alice, 1n))
        .to.be.revertedWithCustomError(token, "SettlementIssuerUnauthorized")
        .withArgs(issuer.address, 1, currencyCode("CNY"));
      await expect(token.connect(issuer).burn(1n)).to.be.revertedWithCustomError(token, "SettlementIssuerUnauthorized");
      expect(await usd.isIssuer(1)).to.equal(true);
      expect(await token.isIssuer(1)).to.equal(false);
    });

    it("a naming taken away refuses the issuer at once, also once the issuer generation has saturated", async function () {
      const { token, governor, issuer, alice } = await networkHelpers.loadFixture(deployFixture);
      // The fixture's mint left member 1 cached in the issuer's word. Each removal moves the generation on, up to
      // 255, where it stays: from there no cached issuer is trusted, so a removal still refuses at once.
      for (let i = 0; i < 256; i++) {
        await token.connect(governor).setIssuer(1, false);
        await expect(token.connect(issuer).mint(alice, 1n))
          .to.be.revertedWithCustomError(token, "SettlementIssuerUnauthorized")
          .withArgs(issuer.address, 1, currencyCode("CNY"));
        await token.connect(governor).setIssuer(1, true);
        await token.connect(issuer).mint(alice, 1n); // cached again, at the new generation
      }
      await token.connect(governor).setIssuer(1, false);
      await expect(token.connect(issuer).burn(1n))
        .to.be.revertedWithCustomError(token, "SettlementIssuerUnauthorized")
        .withArgs(issuer.address, 1, currencyCode("CNY"));
      expect(await token.balanceOf(alice)).to.equal(100_000n + 256n);
    });

    it("test_mint_revertsOnZeroAndIneligibleRecipient", async function () {
      const { token, issuer, alice, outsider } = await networkHelpers.loadFixture(deployFixture);
      await expect(token.connect(issuer).mint(alice, 0n)).to.be.revertedWithCustomError(token, "SettlementZeroAmount");
      await expect(token.connect(issuer).burn(0n)).to.be.revertedWithCustomError(token, "SettlementZeroAmount");
      await expect(token.connect(issuer).mint(outsider, 1n))
        .to.be.revertedWithCustomError(token, "SettlementHolderNotEligible")
        .withArgs(outsider.address);
      await expect(token.connect(issuer).mint(ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(token, "ERC20InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
    });
  });

  describe("holding rules", function () {
    it("test_transfer_betweenActiveMembers", async function () {
      const { token, alice, bob } = await networkHelpers.loadFixture(deployFixture);
      await expect(token.connect(alice).transfer(bob, 250n)).to.changeTokenBalances(
        ethers,
        token,
        [alice, bob],
        [-250n, 250n],
      );
    });

    it("test_transfer_revertsToOutsiderAndFromSuspendedMember", async function () {
      const { token, registry, alice, bob, outsider } = await networkHelpers.loadFixture(deployFixture);
      await expect(token.connect(alice).transfer(outsider, 1n))
        .to.be.revertedWithCustomError(token, "SettlementHolderNotEligible")
        .withArgs(outsider.address);
      await registry.suspend(3, REASON);
      await expect(token.connect(alice).transfer(bob, 1n))
        .to.be.revertedWithCustomError(token, "SettlementHolderNotEligible")
        .withArgs(bob.address);
      await registry.suspend(2, REASON);
      await expect(token.connect(alice).transfer(alice, 1n))
        .to.be.revertedWithCustomError(token, "SettlementHolderNotEligible")
        .withArgs(alice.address);
      expect(await token.balanceOf(alice)).to.equal(100_000n);
    });

    it("test_systemAccount_mayHoldAndReceive", async function () {
      const { token, alice, escrow, bob } = await networkHelpers.loadFixture(deployFixture);
      await expect(token.setSystemAccount(escrow, true))
        .to.emit(token, "SystemAccountSet")
        .withArgs(escrow.address, true);
      expect(await token.canHold(escrow)).to.equal(true);
      // A module pulls what it is paid (transferFrom by the module itself).
      await token.connect(alice).approve(escrow, 40n);
      await token.connect(escrow).transferFrom(alice, escrow, 40n);
      await token.connect(escrow).transfer(bob, 15n);
      expect(await token.balanceOf(escrow)).to.equal(25n);
      // Delisted only once empty: what a module's escrow holds is owed to the parties on its books.
      await expect(token.setSystemAccount(escrow, false))
        .to.be.revertedWithCustomError(token, "SettlementSystemAccountNotEmpty")
        .withArgs(escrow.address, 25n);
      expect(await token.isSystemAccount(escrow)).to.equal(true);
      await token.connect(escrow).transfer(bob, 25n);
      await token.setSystemAccount(escrow, false);
      expect(await token.isSystemAccount(escrow)).to.equal(false);
      await expect(token.connect(alice).transfer(escrow, 1n))
        .to.be.revertedWithCustomError(token, "SettlementHolderNotEligible")
        .withArgs(escrow.address);
    });

    it("test_systemAccount_takesOnlyWhatItPulls_aPushOrMintIntoItIsRefused", async function () {
      const { token, issuer, alice, escrow, spender } = await networkHelpers.loadFixture(deployFixture);
      await token.setSystemAccount(escrow, true);
      // Pushed, by a transfer, a third party's transferFrom or a mint, the money would be on no order's books and
      // nothing could pay it out (adversarial review 3, F4).
      await expect(token.connect(alice).transfer(escrow, 1n))
        .to.be.revertedWithCustomError(token, "SettlementDepositNotPulled")
        .withArgs(escrow.address, alice.address);
      await token.connect(alice).approve(spender, 10n);
      await expect(token.connect(spender).transferFrom(alice, escrow, 1n))
        .to.be.revertedWithCustomError(token, "SettlementDepositNotPulled")
        .withArgs(escrow.address, spender.address);
      await expect(token.connect(issuer).mint(escrow, 1n))
        .to.be.revertedWithCustomError(token, "SettlementDepositNotPulled")
        .withArgs(escrow.address, issuer.address);
      expect([
        await token.balanceOf(escrow),
        await token.balanceOf(alice),
        await token.allowance(alice, spender),
      ]).to.deep.equal([0n, 100_000n, 10n]);
      // What the escrow pulls itself it takes.
      await token.connect(alice).approve(escrow, 5n);
      await token.connect(escrow).transferFrom(alice, escrow, 5n);
      expect(await token.balanceOf(escrow)).to.equal(5n);
    });
    it("test_setSystemAccount_revertsWhenUnchanged", async function () {
      const { token, escrow } = await networkHelpers.loadFixture(deployFixture);
      await expect(token.setSystemAccount(escrow, false))
        .to.be.revertedWithCustomError(token, "SettlementSystemAccountUnchanged")
        .withArgs(escrow.address, false);
      await token.setSystemAccount(escrow, true);
      await expect(token.setSystemAccount(escrow, true))
        .to.be.revertedWithCustomError(token, "SettlementSystemAccountUnchanged")
        .withArgs(escrow.address, true);
    });
  });

  describe("freeze", function () {
    it("test_freeze_blocksSendReceiveAndSpend", async function () {
      const { token, alice, bob, spender } = await networkHelpers.loadFixture(deployFixture);
      await token.connect(alice).approve(spender, 1_000n);
      await expect(token.freeze(alice, REASON)).to.emit(token, "AccountFrozen").withArgs(alice.address, REASON);
      expect(await token.isFrozen(alice)).to.equal(true);
      expect(await token.canHold(alice)).to.equal(false);
      await expect(token.connect(alice).transfer(bob, 1n))
        .to.be.revertedWithCustomError(token, "SettlementAccountFrozen")
        .withArgs(alice.address);
      await expect(token.connect(bob).transfer(alice, 0n))
        .to.be.revertedWithCustomError(token, "SettlementAccountFrozen")
        .withArgs(alice.address);
      await expect(token.connect(spender).transferFrom(alice, bob, 1n))
        .to.be.revertedWithCustomError(token, "SettlementAccountFrozen")
        .withArgs(alice.address);
      await expect(token.unfreeze(alice, REASON)).to.emit(token, "AccountUnfrozen").withArgs(alice.address, REASON);
      await expect(token.connect(spender).transferFrom(alice, bob, 10n)).to.changeTokenBalance(ethers, token, bob, 10n);
    });

    it("test_transferFrom_revertsForFrozenSpender", async function () {
      const { token, alice, bob, spender } = await networkHelpers.loadFixture(deployFixture);
      await token.connect(alice).approve(spender, 1_000n);
      await token.freeze(spender, REASON);
      await expect(token.connect(spender).transferFrom(alice, bob, 1n))
        .to.be.revertedWithCustomError(token, "SettlementAccountFrozen")
        .withArgs(spender.address);
      expect(await token.allowance(alice, spender)).to.equal(1_000n);
    });

    it("item 12: transferFrom checks the spender as every other path does: eligible and not frozen", async function () {
      const { registry, token, alice, bob, outsider, spender } = await networkHelpers.loadFixture(deployFixture);
      await token.connect(alice).approve(outsider, 1_000n);
      await expect(token.connect(outsider).transferFrom(alice, bob, 1n))
        .to.be.revertedWithCustomError(token, "SettlementHolderNotEligible")
        .withArgs(outsider.address);
      await token.connect(alice).approve(spender, 1_000n);
      await registry.suspend(3, REASON); // the spender's member
      await expect(token.connect(spender).transferFrom(alice, alice, 1n))
        .to.be.revertedWithCustomError(token, "SettlementHolderNotEligible")
        .withArgs(spender.address);
      expect(await token.balanceOf(alice)).to.equal(100_000n);
    });

    it("test_freeze_revertsWhenUnchanged", async function () {
      const { token, alice } = await networkHelpers.loadFixture(deployFixture);
      await expect(token.unfreeze(alice, REASON))
        .to.be.revertedWithCustomError(token, "SettlementFreezeUnchanged")
        .withArgs(alice.address, false);
      await token.freeze(alice, REASON);
      await expect(token.freeze(alice, REASON))
        .to.be.revertedWithCustomError(token, "SettlementFreezeUnchanged")
        .withArgs(alice.address, true);
    });
  });

  describe("pause", function () {
    it("test_pause_stopsEveryMovement", async function () {
      const { token, issuer, alice, bob } = await networkHelpers.loadFixture(deployFixture);
      await expect(token.pause()).to.emit(token, "Paused");
      await expect(token.connect(alice).transfer(bob, 1n)).to.be.revertedWithCustomError(token, "EnforcedPause");
      await expect(token.connect(issuer).mint(bob, 1n)).to.be.revertedWithCustomError(token, "EnforcedPause");
      await expect(token.pause()).to.be.revertedWithCustomError(token, "EnforcedPause");
      await expect(token.unpause()).to.emit(token, "Unpaused");
      await expect(token.unpause()).to.be.revertedWithCustomError(token, "ExpectedPause");
      await expect(token.connect(alice).transfer(bob, 1n)).to.changeTokenBalance(ethers, token, bob, 1n);
    });
  });

  describe("ERC-20 edges of the packed accounts", function () {
    it("refuses the zero address as receiver or approver (ERC-6093), and a self-transfer keeps the balance", async function () {
      const { token, alice, bob } = await networkHelpers.loadFixture(deployFixture);
      await expect(token.connect(alice).transfer(ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(token, "ERC20InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
      await token.connect(alice).approve(bob, 10n);
      await expect(token.connect(bob).transferFrom(alice, ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(token, "ERC20InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
      // As in OpenZeppelin's ERC-20, the allowance is spent first: a zero sender is refused as an approver.
      await expect(token.connect(bob).transferFrom(ethers.ZeroAddress, alice, 0n))
        .to.be.revertedWithCustomError(token, "ERC20InvalidApprover")
        .withArgs(ethers.ZeroAddress);
      const before = await token.balanceOf(alice);
      await expect(token.connect(alice).transfer(alice, 5n)).to.emit(token, "Transfer").withArgs(alice, alice, 5n);
      expect(await token.balanceOf(alice)).to.equal(before);
      expect(await token.totalSupply()).to.be.greaterThan(0n);
    });
  });

  describe("pause: the modules' mechanism, the governor's authority", function () {
    it("only the governor pauses and lifts: a Regulator's token pause would run the modules' clocks against payers", async function () {
      const { token, registry, issuer, alice, bob, outsider } = await networkHelpers.loadFixture(deployFixture);
      const [, , , , , , , regulator] = await ethers.getSigners();
      const reg = legalIdHash("TLREGULATOR000000009");
      await registry.admit(reg, testEntityKey(reg), jurisdictionCode("CN"), roleMask(["Regulator"]), regulator);
      for (const who of [outsider, alice, regulator]) {
        await expect(token.connect(who).pause())
          .to.be.revertedWithCustomError(registry, "GovernorUnauthorizedAccount")
          .withArgs(who.address);
      }
      await expect(token.pause()).to.emit(token, "Paused");
      await expect(token.pause()).to.be.revertedWithCustomError(token, "EnforcedPause");
      await expect(token.connect(alice).transfer(bob, 1n)).to.be.revertedWithCustomError(token, "EnforcedPause");
      await expect(token.connect(issuer).burn(1n)).to.be.revertedWithCustomError(token, "EnforcedPause");
      await expect(token.connect(regulator).unpause())
        .to.be.revertedWithCustomError(token, "PauseLiftUnauthorized")
        .withArgs(regulator.address);
      expect(await token.paused()).to.equal(true);
      await expect(token.unpause()).to.emit(token, "Unpaused");
      await expect(token.connect(alice).transfer(bob, 1n)).to.changeTokenBalance(ethers, token, bob, 1n);
    });
  });

  describe("supply cap", function () {
    it("refuses an issue that takes the total supply over MAX_SUPPLY (every balance fits its packed word)", async function () {
      const { token, issuer, alice, bob } = await networkHelpers.loadFixture(deployFixture);
      const cap = await token.MAX_SUPPLY();
      expect(cap).to.equal(2n ** 160n - 1n);
      await expect(token.connect(issuer).mint(bob, cap - 100_000n + 1n))
        .to.be.revertedWithCustomError(token, "SettlementSupplyCapExceeded")
        .withArgs(100_000n, cap - 100_000n + 1n, cap);
      await expect(token.connect(issuer).mint(bob, ethers.MaxUint256))
        .to.be.revertedWithCustomError(token, "SettlementSupplyCapExceeded")
        .withArgs(100_000n, ethers.MaxUint256, cap);
      await token.connect(issuer).mint(bob, cap - 100_000n);
      expect(await token.totalSupply()).to.equal(cap);
      expect(await token.balanceOf(bob)).to.equal(cap - 100_000n);
      // A full balance moves whole and leaves the other fields of the word alone.
      await token.connect(bob).transfer(alice, cap - 100_000n);
      expect(await token.balanceOf(alice)).to.equal(cap);
      expect(await token.canHold(alice)).to.equal(true);
      expect(await token.isFrozen(alice)).to.equal(false);
      await expect(token.connect(issuer).mint(bob, 1n))
        .to.be.revertedWithCustomError(token, "SettlementSupplyCapExceeded")
        .withArgs(cap, 1n, cap);
    });
  });

  describe("eligibility cache (issue 15)", function () {
    it("a holder found eligible is refused in the block its member is suspended, and again accepted once reinstated", async function () {
      const { token, registry, alice, bob } = await networkHelpers.loadFixture(deployFixture);
      await token.connect(alice).transfer(bob, 10n); // both sides now cached eligible
      await networkHelpers.mine();
      await ethers.provider.send("evm_setAutomine", [false]);
      try {
        const suspend = await registry.suspend(3, REASON, { gasLimit: 200_000n });
        const toBob = await token.connect(alice).transfer(bob, 1n, { gasLimit: 200_000n });
        const fromBob = await token.connect(bob).transfer(alice, 1n, { gasLimit: 200_000n });
        await networkHelpers.mine();
        const receipts = await Promise.all(
          [suspend, toBob, fromBob].map((t) => ethers.provider.getTransactionReceipt(t.hash)),
        );
        expect(new Set(receipts.map((r) => r!.blockNumber)).size).to.equal(1);
        expect(receipts.map((r) => r!.status)).to.deep.equal([1, 0, 0]);
      } finally {
        await ethers.provider.send("evm_setAutomine", [true]);
      }
      await expect(token.connect(alice).transfer(bob, 1n))
        .to.be.revertedWithCustomError(token, "SettlementHolderNotEligible")
        .withArgs(bob.address);
      await registry.reinstate(3, REASON);
      await expect(token.connect(bob).transfer(alice, 4n)).to.changeTokenBalances(
        ethers,
        token,
        [alice, bob],
        [4n, -4n],
      );
    });

    it("an operator removed from its member is refused at once, also as a spender", async function () {
      const { token, registry, alice, bob, spender } = await networkHelpers.loadFixture(deployFixture);
      await token.connect(alice).transfer(spender, 50n);
      await token.connect(alice).approve(spender, 20n);
      await token.connect(spender).transferFrom(alice, bob, 5n); // the spender's cache is fresh
      await registry.connect(bob).removeOperator(3, spender);
      await expect(token.connect(spender).transfer(bob, 1n))
        .to.be.revertedWithCustomError(token, "SettlementHolderNotEligible")
        .withArgs(spender.address);
      await expect(token.connect(alice).transfer(spender, 1n))
        .to.be.revertedWithCustomError(token, "SettlementHolderNotEligible")
        .withArgs(spender.address);
      await expect(token.connect(spender).transferFrom(alice, bob, 1n))
        .to.be.revertedWithCustomError(token, "SettlementHolderNotEligible")
        .withArgs(spender.address);
      expect(await token.canHold(spender)).to.equal(false);
    });
  });

  describe("recovery: no balance stranded on an account that can never hold again (review of issue 15)", function () {
    /** The governor's recovery of `amount` from `from` (of member `member`) to `to`: both events, both balances. */
    async function expectRecovered(
      token: Awaited<ReturnType<typeof deployTokenWorld>>["token"],
      from: HardhatEthersSigner,
      to: HardhatEthersSigner,
      member: bigint,
      amount: bigint,
    ): Promise<void> {
      await expect(token.recoverBalance(from, to, REASON))
        .to.emit(token, "Transfer")
        .withArgs(from.address, to.address, amount)
        .and.to.emit(token, "BalanceRecovered")
        .withArgs(from.address, member, to.address, amount, REASON);
      expect([await token.balanceOf(from), await token.balanceOf(to)]).to.deep.equal([0n, amount]);
    }

    it("a removed key stays its member's: no other member links it, and the governor returns its balance to the member", async function () {
      const { token, registry, governor, issuer, alice, bob, outsider, spender } =
        await networkHelpers.loadFixture(deployFixture);
      await token.connect(issuer).mint(spender, 1_000n);
      await registry.connect(bob).removeOperator(3, spender);
      expect(await registry.boundMemberOf(spender)).to.equal(3n);
      // Linked to another member, the key would take member 3's money (and allowances) with it: refused.
      await expect(registry.connect(alice).addOperator(2, spender))
        .to.be.revertedWithCustomError(registry, "OperatorBoundToMember")
        .withArgs(spender.address, 3);
      const lei = legalIdHash("TLNEWMEMBER000000009");
      await expect(
        registry
          .connect(governor)
          .admit(lei, testEntityKey(lei), jurisdictionCode("CN"), roleMask(["Supplier"]), spender),
      )
        .to.be.revertedWithCustomError(registry, "OperatorBoundToMember")
        .withArgs(spender.address, 3);
      // Refusals, each with its cause, and nothing moves.
      await expect(token.connect(bob).recoverBalance(spender, bob, REASON))
        .to.be.revertedWithCustomError(token, "GovernorUnauthorizedAccount")
        .withArgs(bob.address);
      await expect(token.recoverBalance(alice, bob, REASON))
        .to.be.revertedWithCustomError(token, "SettlementKeyLinked")
        .withArgs(alice.address, 2);
      await expect(token.recoverBalance(outsider, bob, REASON))
        .to.be.revertedWithCustomError(token, "SettlementAccountWithoutMember")
        .withArgs(outsider.address);
      // Only to the member the key belongs to.
      await expect(token.recoverBalance(spender, alice, REASON))
        .to.be.revertedWithCustomError(token, "SettlementRecipientNotOfMember")
        .withArgs(alice.address, 3);
      await registry.suspend(3, REASON);
      await expect(token.recoverBalance(spender, bob, REASON))
        .to.be.revertedWithCustomError(token, "SettlementHolderNotEligible")
        .withArgs(bob.address);
      await registry.reinstate(3, REASON);
      await token.freeze(spender, REASON);
      await expect(token.recoverBalance(spender, bob, REASON))
        .to.be.revertedWithCustomError(token, "SettlementAccountFrozen")
        .withArgs(spender.address);
      await token.unfreeze(spender, REASON);
      expect([await token.balanceOf(spender), await token.balanceOf(bob)]).to.deep.equal([1_000n, 0n]);
      await expectRecovered(token, spender, bob, 3n, 1_000n);
      expect(await token.totalSupply()).to.equal(101_000n);
      await expect(token.recoverBalance(spender, bob, REASON))
        .to.be.revertedWithCustomError(token, "SettlementNothingToRecover")
        .withArgs(spender.address);
      // Its own member may link it again; the binding has then served its purpose.
      await linkOperator(connection, registry, bob, 3, spender);
      expect(await registry.boundMemberOf(spender)).to.equal(0n);
      expect(await token.canHold(spender)).to.equal(true);
    });

    it("the governor moves a revoked member's balances wherever it names, never while the member is live", async function () {
      const { token, registry, governor, alice, bob, outsider } = await networkHelpers.loadFixture(deployFixture);
      await expect(token.connect(governor).recoverBalance(alice, bob, REASON))
        .to.be.revertedWithCustomError(token, "SettlementKeyLinked")
        .withArgs(alice.address, 2);
      await registry.revoke(2, REASON);
      await expect(token.connect(alice).transfer(bob, 1n))
        .to.be.revertedWithCustomError(token, "SettlementHolderNotEligible")
        .withArgs(alice.address);
      await expect(token.recoverBalance(alice, ethers.ZeroAddress, REASON))
        .to.be.revertedWithCustomError(token, "ERC20InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
      await expect(token.recoverBalance(alice, outsider, REASON))
        .to.be.revertedWithCustomError(token, "SettlementHolderNotEligible")
        .withArgs(outsider.address);
      await expect(token.recoverBalance(alice, alice, REASON))
        .to.be.revertedWithCustomError(token, "ERC20InvalidReceiver")
        .withArgs(alice.address);
      expect(await token.balanceOf(alice)).to.equal(100_000n);
      await expectRecovered(token, alice, bob, 2n, 100_000n);
    });

    it("a module's escrow is never taken from nor paid into, even once a member's admin linked and unlinked it", async function () {
      const { token, registry, issuer, alice, bob, escrow } = await networkHelpers.loadFixture(deployFixture);
      await token.setSystemAccount(escrow, true);
      // The module pulls what it holds.
      await token.connect(issuer).mint(alice, 7_000n);
      await token.connect(alice).approve(escrow, 7_000n);
      await token.connect(escrow).transferFrom(alice, escrow, 7_000n);
      // Linked with its key's acceptance (a key held by both sides, or a careless one), then unlinked: bound to the member.
      await linkOperator(connection, registry, alice, 2, escrow);
      await registry.connect(alice).removeOperator(2, escrow);
      expect(await registry.boundMemberOf(escrow)).to.equal(2n);
      await expect(token.recoverBalance(escrow, alice, REASON))
        .to.be.revertedWithCustomError(token, "SettlementSystemAccountInRecovery")
        .withArgs(escrow.address);
      await registry.revoke(2, REASON);
      await expect(token.recoverBalance(escrow, bob, REASON))
        .to.be.revertedWithCustomError(token, "SettlementSystemAccountInRecovery")
        .withArgs(escrow.address);
      // Nor paid into: the module's books would not know the money.
      await expect(token.recoverBalance(alice, escrow, REASON))
        .to.be.revertedWithCustomError(token, "SettlementSystemAccountInRecovery")
        .withArgs(escrow.address);
      expect([await token.balanceOf(escrow), await token.balanceOf(alice)]).to.deep.equal([7_000n, 100_000n]);
      // The binding stays: no governor release, which would let the key take its member's money and allowances
      // elsewhere (review of issue 15); a squatted address is simply not used.
      expect(await registry.boundMemberOf(escrow)).to.equal(2n);
    });

    it("recovery stops with every other movement while the token is paused", async function () {
      const { token, registry, governor, alice, bob } = await networkHelpers.loadFixture(deployFixture);
      await registry.revoke(2, REASON);
      await token.connect(governor).pause();
      await expect(token.recoverBalance(alice, bob, REASON)).to.be.revertedWithCustomError(token, "EnforcedPause");
      expect(await token.balanceOf(alice)).to.equal(100_000n);
    });
  });

  describe("governor-only functions", function () {
    it("test_control_revertsForOutsiderSuspendedMemberAndFrozenAccount", async function () {
      const { token, registry, issuer, alice, outsider } = await networkHelpers.loadFixture(deployFixture);
      await registry.suspend(1, REASON);
      await token.freeze(alice, REASON);
      for (const caller of [outsider, issuer, alice]) {
        const calls = [
          () => token.connect(caller).freeze(outsider, REASON),
          () => token.connect(caller).unfreeze(alice, REASON),
          () => token.connect(caller).setSystemAccount(outsider, true),
        ];
        for (const call of calls) {
          await expect(call())
            .to.be.revertedWithCustomError(token, "GovernorUnauthorizedAccount")
            .withArgs(caller.address);
        }
      }
      expect(await token.paused()).to.equal(false);
      expect(await token.isFrozen(outsider)).to.equal(false);
    });
  });

  describe("allowance events", function () {
    it("transferFrom emits the allowance it leaves; an infinite allowance is neither spent nor emitted", async function () {
      const { token, alice, bob, spender } = await networkHelpers.loadFixture(deployFixture);
      await token.connect(alice).approve(spender, 300n);
      await expect(token.connect(spender).transferFrom(alice, bob, 120n))
        .to.emit(token, "Approval")
        .withArgs(alice.address, spender.address, 180n)
        .and.to.emit(token, "Transfer")
        .withArgs(alice.address, bob.address, 120n);
      expect(await token.allowance(alice, spender)).to.equal(180n);
      await token.connect(alice).approve(spender, ethers.MaxUint256);
      await expect(token.connect(spender).transferFrom(alice, bob, 1n)).not.to.emit(token, "Approval");
      expect(await token.allowance(alice, spender)).to.equal(ethers.MaxUint256);
    });
  });

  describe("permit (ERC-2612)", function () {
    it("test_permit_setsAllowanceFromSignature", async function () {
      const { token, alice, bob, spender } = await networkHelpers.loadFixture(deployFixture);
      const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
      const p = await signPermit(token, alice, spender.address, 500n, deadline);
      expect(p.owner).to.equal(alice.address);
      // The nonce spent and the allowance granted are both events: `nonces` and `allowance` rebuild from them.
      await expect(token.connect(bob).permit(alice, spender, 500n, deadline, p.v, p.r, p.s))
        .to.emit(token, "PermitNonceUsed")
        .withArgs(alice.address, 0n)
        .and.to.emit(token, "Approval")
        .withArgs(alice.address, spender.address, 500n);
      expect(await token.allowance(alice, spender)).to.equal(500n);
      expect(await token.nonces(alice)).to.equal(1n);
      await expect(
        token.connect(bob).permit(alice, spender, 500n, deadline, p.v, p.r, p.s),
      ).to.be.revertedWithCustomError(token, "ERC2612InvalidSigner");
      await networkHelpers.time.increaseTo(deadline + 1n);
      const late = await signPermit(token, alice, spender.address, 500n, deadline);
      await expect(token.connect(bob).permit(alice, spender, 500n, deadline, late.v, late.r, late.s))
        .to.be.revertedWithCustomError(token, "ERC2612ExpiredSignature")
        .withArgs(deadline);
    });
  });
});
