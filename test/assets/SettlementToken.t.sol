// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MemberRegistry} from "../../contracts/access/MemberRegistry.sol";
import {IMemberRegistry, MemberId, MemberStatus, Role} from "../../contracts/interfaces/IMemberRegistry.sol";
import {SettlementToken} from "../../contracts/assets/SettlementToken.sol";
import {ISettlementToken} from "../../contracts/interfaces/ISettlementToken.sol";
import {TestBase} from "../lib/Vm.sol";

contract SettlementTokenFuzzTest is TestBase {
    MemberRegistry internal registry;
    SettlementToken internal token;
    address internal constant ISSUER = address(0x155);
    address internal constant ALICE = address(0xA11CE);
    address internal constant BOB = address(0xB0B);

    function setUp() public {
        registry = new MemberRegistry(address(this), keccak256("test key check"));
        registry.admit(keccak256("ISSUER"), ~keccak256("ISSUER"), "CN", uint32(1) << 11, ISSUER);
        registry.admit(keccak256("ALICE"), ~keccak256("ALICE"), "CN", uint32(1) << 3, ALICE);
        registry.admit(keccak256("BOB"), ~keccak256("BOB"), "MX", uint32(1) << 5, BOB);
        token = new SettlementToken("Tradeline Digital CNY", "tCNY", "CNY", 2, registry);
        token.setIssuer(MemberId.wrap(1), true);
        vm.prank(ISSUER);
        token.mint(ALICE, 1e12);
    }

    /// Transfers between members conserve supply and move exactly the amount.
    function testFuzz_transfer_conservesSupply(uint256 amount) public {
        amount = bound(amount, 0, 1e12);
        vm.prank(ALICE);
        token.transfer(BOB, amount);
        assertEq(token.balanceOf(ALICE) + token.balanceOf(BOB), 1e12, "balances do not add up");
        assertEq(token.balanceOf(BOB), amount, "recipient balance");
        assertEq(token.totalSupply(), 1e12, "supply changed");
    }

    /// No address outside the membership can receive the token.
    function testFuzz_transfer_refusesNonMembers(address to, uint256 amount) public {
        vm.assume(to != ALICE && to != BOB && to != ISSUER && to != address(0));
        amount = bound(amount, 1, 1e12);
        vm.prank(ALICE);
        vm.expectRevert(abi.encodeWithSelector(ISettlementToken.SettlementHolderNotEligible.selector, to));
        token.transfer(to, amount);
    }

    // ─── The eligibility cache (issue 15): a holder the token found eligible under the registry's membership
    //     epoch is refused in the very transaction its member is suspended or revoked, or its operator removed. ───

    address internal constant CAROL = address(0xCA201);

    /// Alice and Bob both hold cached eligibility; each call below runs in this one transaction (one block).
    function _cacheBoth() internal {
        vm.prank(ALICE);
        token.transfer(BOB, 100);
        vm.prank(BOB);
        token.transfer(ALICE, 1);
    }

    function _expectNotEligible(address account) internal {
        vm.expectRevert(abi.encodeWithSelector(ISettlementToken.SettlementHolderNotEligible.selector, account));
    }

    /// Suspended: refused as sender and as recipient at once; reinstated: accepted again.
    function test_cachedHolder_refusedWhenSuspended_acceptedWhenReinstated() public {
        _cacheBoth();
        uint64 before = registry.memberEpoch();
        registry.suspend(MemberId.wrap(3), "SANCTIONS"); // Bob's member
        assertTrue(registry.memberEpoch() > before, "suspension did not move the epoch on");
        vm.prank(BOB);
        _expectNotEligible(BOB);
        token.transfer(ALICE, 1);
        vm.prank(ALICE);
        _expectNotEligible(BOB);
        token.transfer(BOB, 1);
        registry.reinstate(MemberId.wrap(3), "CLEARED");
        vm.prank(ALICE);
        token.transfer(BOB, 1);
        vm.prank(BOB);
        token.transfer(ALICE, 2);
        assertEq(token.balanceOf(BOB), 98, "balance after reinstatement");
    }

    /// Revoked: refused at once.
    function test_cachedHolder_refusedWhenRevoked() public {
        _cacheBoth();
        registry.revoke(MemberId.wrap(2), "REVOKED"); // Alice's member
        vm.prank(BOB);
        _expectNotEligible(ALICE);
        token.transfer(ALICE, 1);
        vm.prank(ALICE);
        _expectNotEligible(ALICE);
        token.transfer(BOB, 1);
    }

    /// An operator removed from its member: refused at once, sending, receiving and spending.
    function test_cachedOperator_refusedWhenRemoved() public {
        vm.prank(ALICE);
        registry.addOperator(MemberId.wrap(2), CAROL);
        vm.prank(CAROL);
        registry.acceptOperatorOffer(MemberId.wrap(2));
        vm.prank(ALICE);
        token.transfer(CAROL, 100);
        vm.prank(CAROL);
        token.transfer(BOB, 10);
        vm.prank(BOB);
        token.approve(CAROL, 50);
        vm.prank(CAROL);
        token.transferFrom(BOB, ALICE, 5); // Carol's cache is fresh as a spender too
        vm.prank(ALICE);
        registry.removeOperator(MemberId.wrap(2), CAROL);
        vm.prank(CAROL);
        _expectNotEligible(CAROL);
        token.transfer(BOB, 1);
        vm.prank(BOB);
        _expectNotEligible(CAROL);
        token.transfer(CAROL, 1);
        vm.prank(CAROL);
        _expectNotEligible(CAROL);
        token.transferFrom(BOB, ALICE, 1);
        assertEq(token.balanceOf(CAROL), 90, "balance of the removed operator");
    }

    /// A delisted system account is checked against the registry again, whatever its cache says.
    function test_delistedSystemAccount_refusedDespiteCache() public {
        token.setSystemAccount(CAROL, true);
        vm.prank(ALICE);
        token.approve(CAROL, 5);
        vm.prank(CAROL);
        token.transferFrom(ALICE, CAROL, 5); // a system account takes what it pulls
        vm.prank(CAROL);
        token.transfer(ALICE, 5); // delisted only once empty
        token.setSystemAccount(CAROL, false);
        vm.prank(ALICE);
        _expectNotEligible(CAROL);
        token.transfer(CAROL, 1);
    }

    /// Whatever the order of transfers, suspensions and reinstatements, a transfer succeeds exactly when both
    /// sides are active members now: the cache never answers differently from the registry.
    function testFuzz_cache_agreesWithRegistry(uint256 seed) public {
        _cacheBoth();
        for (uint256 i; i < 12; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            (MemberId id, address holder) = r & 1 == 0 ? (MemberId.wrap(2), ALICE) : (MemberId.wrap(3), BOB);
            if ((r >> 1) % 3 == 0) {
                if (registry.isActiveKey(holder)) registry.suspend(id, "S");
                else registry.reinstate(id, "R");
            }
            (address from, address to) = (r >> 8) & 1 == 0 ? (ALICE, BOB) : (BOB, ALICE);
            (bool fromActive, bool toActive) = (registry.isActiveKey(from), registry.isActiveKey(to));
            vm.prank(from);
            if (!fromActive) _expectNotEligible(from);
            else if (!toActive) _expectNotEligible(to);
            token.transfer(to, 1);
        }
    }

    // ─── The issuer cache: an issuer's word holds its member at the epoch it was last found an active TokenIssuer.
    //     A role taken away moves the epoch on, and a word refreshed as a holder's holds no issuer. ───

    MemberId internal constant ISSUER_ID = MemberId.wrap(1);
    uint32 internal constant ISSUER_ROLE = uint32(1) << uint8(Role.TokenIssuer);

    function _expectMissingRole(address account, MemberId id) internal {
        vm.expectRevert(
            abi.encodeWithSelector(IMemberRegistry.MemberMissingRole.selector, account, id, Role.TokenIssuer)
        );
    }

    /// The issuer's role removed after it minted: its next mint and burn are refused at once.
    function test_cachedIssuer_refusedWhenRoleRemoved() public {
        vm.prank(ISSUER);
        token.mint(ISSUER, 10); // the issuer's word now holds its member at this epoch
        registry.removeRoles(ISSUER_ID, ISSUER_ROLE);
        vm.prank(ISSUER);
        _expectMissingRole(ISSUER, ISSUER_ID);
        token.mint(ALICE, 1);
        vm.prank(ISSUER);
        _expectMissingRole(ISSUER, ISSUER_ID);
        token.burn(1);
        registry.grantRoles(ISSUER_ID, ISSUER_ROLE);
        vm.prank(ISSUER);
        token.burn(1);
        assertEq(token.balanceOf(ISSUER), 9, "burnt once the role is back");
    }

    /// The issuer's word refreshed as a holder's at a later epoch (it received a transfer once it had lost its
    /// role) does not carry the issuer over to that epoch.
    function test_issuerWordRefreshedAsHolder_holdsNoIssuer() public {
        vm.prank(ISSUER);
        token.mint(ISSUER, 10);
        registry.removeRoles(ISSUER_ID, ISSUER_ROLE);
        vm.prank(ALICE);
        token.transfer(ISSUER, 5); // still an active member: its word is refreshed at the new epoch
        vm.prank(ISSUER);
        _expectMissingRole(ISSUER, ISSUER_ID);
        token.mint(ALICE, 1);
        assertEq(token.balanceOf(ISSUER), 15, "balance of the former issuer");
    }

    /// Whatever the order of role changes, suspensions, reinstatements, the governor's issuer list and transfers to
    /// the issuer, a mint succeeds exactly when the registry and the token would allow it now.
    function testFuzz_issuerCache_agreesWithRegistry(uint256 seed) public {
        for (uint256 i; i < 16; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            uint256 action = r % 6;
            (MemberStatus status, uint32 roles) = registry.standingOf(ISSUER_ID);
            if (action == 0) {
                if (roles & ISSUER_ROLE != 0) registry.removeRoles(ISSUER_ID, ISSUER_ROLE);
                else registry.grantRoles(ISSUER_ID, ISSUER_ROLE);
            } else if (action == 1) {
                if (status == MemberStatus.Active) registry.suspend(ISSUER_ID, "S");
                else registry.reinstate(ISSUER_ID, "R");
            } else if (action == 2) {
                token.setIssuer(ISSUER_ID, !token.isIssuer(ISSUER_ID));
            } else if (action == 3 && registry.isActiveKey(ISSUER)) {
                vm.prank(ALICE);
                token.transfer(ISSUER, 1);
            }
            (status, roles) = registry.standingOf(ISSUER_ID);
            bytes memory refusal;
            if (status != MemberStatus.Active) {
                refusal = abi.encodeWithSelector(IMemberRegistry.MemberNotActive.selector, ISSUER, ISSUER_ID, status);
            } else if (roles & ISSUER_ROLE == 0) {
                refusal = abi.encodeWithSelector(
                    IMemberRegistry.MemberMissingRole.selector,
                    ISSUER,
                    ISSUER_ID,
                    Role.TokenIssuer
                );
            } else if (!token.isIssuer(ISSUER_ID)) {
                refusal = abi.encodeWithSelector(
                    ISettlementToken.SettlementIssuerUnauthorized.selector,
                    ISSUER,
                    ISSUER_ID,
                    bytes3("CNY")
                );
            }
            if (refusal.length != 0) vm.expectRevert(refusal);
            vm.prank(ISSUER);
            token.mint(ALICE, 1);
        }
    }

    /// An operator whose word holds its member as issuer, removed from that member: refused at once, minting and
    /// burning, with the registry's error for an unlinked key.
    function test_cachedIssuerOperator_refusedWhenRemoved() public {
        vm.prank(ISSUER);
        registry.addOperator(ISSUER_ID, CAROL);
        vm.prank(CAROL);
        registry.acceptOperatorOffer(ISSUER_ID);
        vm.prank(CAROL);
        token.mint(CAROL, 10); // Carol's word now holds member 1 as issuer
        vm.prank(ISSUER);
        registry.removeOperator(ISSUER_ID, CAROL);
        vm.prank(CAROL);
        vm.expectRevert(abi.encodeWithSelector(IMemberRegistry.MemberUnknownAccount.selector, CAROL));
        token.mint(ALICE, 1);
        vm.prank(CAROL);
        vm.expectRevert(abi.encodeWithSelector(IMemberRegistry.MemberUnknownAccount.selector, CAROL));
        token.burn(1);
    }

    /// What the word does not cache is read on every mint: a frozen issuer, or one the governor no longer names
    /// issuer of this token, is refused though its word holds its member at the current epoch.
    function test_cachedIssuer_refusedWhenFrozenOrNoLongerNamed() public {
        vm.prank(ISSUER);
        token.mint(ISSUER, 10);
        token.freeze(ISSUER, "FROZEN");
        vm.prank(ISSUER);
        vm.expectRevert(abi.encodeWithSelector(ISettlementToken.SettlementAccountFrozen.selector, ISSUER));
        token.mint(ALICE, 1);
        token.unfreeze(ISSUER, "CLEARED");
        token.setIssuer(ISSUER_ID, false);
        vm.prank(ISSUER);
        vm.expectRevert(
            abi.encodeWithSelector(
                ISettlementToken.SettlementIssuerUnauthorized.selector,
                ISSUER,
                ISSUER_ID,
                bytes3("CNY")
            )
        );
        token.burn(1);
        assertEq(token.balanceOf(ISSUER), 10, "nothing burnt");
    }

    /// The word's fields do not overlap: a balance at the supply cap leaves the frozen and system flags and the
    /// cached issuer alone, and setting and clearing the flags leaves the balance alone.
    function test_accountWord_fieldsDoNotOverlap() public {
        uint256 cap = token.MAX_SUPPLY();
        uint256 room = cap - token.totalSupply();
        vm.prank(ISSUER);
        token.mint(ISSUER, room); // the issuer's word: its member cached, and the largest balance it can hold
        assertEq(token.balanceOf(ISSUER), cap - 1e12, "balance at the cap");
        assertTrue(!token.isFrozen(ISSUER) && !token.isSystemAccount(ISSUER), "flags set by the balance");
        token.freeze(ISSUER, "F");
        token.setSystemAccount(ISSUER, true);
        assertEq(token.balanceOf(ISSUER), cap - 1e12, "balance changed by the flags");
        assertTrue(token.isFrozen(ISSUER) && token.isSystemAccount(ISSUER), "flags lost");
        token.unfreeze(ISSUER, "U");
        vm.prank(ISSUER);
        token.burn(cap - 1e12); // the cached issuer still reads as member 1
        assertEq(token.totalSupply(), 1e12, "supply after burning to the start");
        token.setSystemAccount(ISSUER, false); // delisted once empty
        assertTrue(!token.isFrozen(ISSUER) && !token.isSystemAccount(ISSUER), "flags left set");
    }
}
