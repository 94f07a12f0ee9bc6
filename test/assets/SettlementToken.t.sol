// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MemberRegistry} from "../../contracts/access/MemberRegistry.sol";
import {MemberId} from "../../contracts/interfaces/IMemberRegistry.sol";
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
}
