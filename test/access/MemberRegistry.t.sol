// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MemberRegistry} from "../../contracts/access/MemberRegistry.sol";
import {IMemberRegistry, MemberId, MemberStatus, Role} from "../../contracts/interfaces/IMemberRegistry.sol";
import {TestBase} from "../lib/Vm.sol";

contract MemberRegistryFuzzTest is TestBase {
    MemberRegistry internal registry;
    address internal constant ADMIN = address(0xA11CE);
    uint32 internal constant ALL_ROLES = (1 << 14) - 1;

    /// Links `operator` to member `id` in the registry's two steps: `admin` offers, the key accepts (review 31, D2).
    function _link(MemberId id, address admin, address operator) internal {
        vm.prank(admin);
        registry.addOperator(id, operator);
        vm.prank(operator);
        registry.acceptOperatorOffer(id);
    }

    function setUp() public {
        registry = new MemberRegistry(address(this), keccak256("test key check"));
        registry.admit(keccak256("BANK"), ~keccak256("BANK"), "CN", 1, ADMIN);
    }

    /// Any code that is not two upper-case letters is refused, and nothing is admitted.
    function testFuzz_admit_rejectsInvalidJurisdiction(bytes2 code) public {
        bool valid = code[0] >= "A" && code[0] <= "Z" && code[1] >= "A" && code[1] <= "Z";
        vm.assume(!valid);
        vm.expectRevert(abi.encodeWithSelector(IMemberRegistry.MemberInvalidJurisdiction.selector, code));
        registry.admit(keccak256("OTHER"), ~keccak256("OTHER"), code, 1, address(0xB0B));
        assertEq(registry.memberCount(), 1, "member admitted despite bad jurisdiction");
    }

    /// activeInRole answers exactly the bits of the role set, whatever grants and removals came before.
    function testFuzz_roles_hasRoleMatchesTheSet(uint32 grant, uint32 removal) public {
        grant = uint32(bound(grant, 1, ALL_ROLES));
        removal = uint32(bound(removal, 1, ALL_ROLES));
        registry.grantRoles(MemberId.wrap(1), grant);
        registry.removeRoles(MemberId.wrap(1), removal);
        uint32 expected = (1 | grant) & ~removal;
        assertEq(registry.getMember(MemberId.wrap(1)).roles, expected, "role set");
        for (uint8 r; r < 14; ++r) {
            bool bit = (expected >> r) & 1 == 1;
            assertTrue(registry.activeInRole(ADMIN, Role(r)) == bit, "activeInRole disagrees with the role set");
        }
    }

    /// Random status commands follow the state machine, and only an active member holds roles.
    function testFuzz_status_followsTheStateMachine(uint8[12] memory ops) public {
        MemberStatus model = MemberStatus.Active;
        for (uint256 i; i < ops.length; ++i) {
            uint8 op = ops[i] % 3; // 0 suspend, 1 reinstate, 2 revoke
            MemberStatus to =
                op == 0
                    ? MemberStatus.Suspended
                    : op == 1
                        ? MemberStatus.Active
                        : MemberStatus.Revoked;
            bool allowed =
                (model == MemberStatus.Active && to != MemberStatus.Active) ||
                    (model == MemberStatus.Suspended && to != MemberStatus.Suspended);
            if (!allowed) {
                vm.expectRevert(
                    abi.encodeWithSelector(
                        IMemberRegistry.MemberInvalidTransition.selector,
                        MemberId.wrap(1),
                        model,
                        to
                    )
                );
            }
            if (op == 0) registry.suspend(MemberId.wrap(1), bytes32(0));
            else if (op == 1) registry.reinstate(MemberId.wrap(1), bytes32(0));
            else registry.revoke(MemberId.wrap(1), bytes32(0));
            if (allowed) model = to;
            assertTrue(registry.getMember(MemberId.wrap(1)).status == model, "status differs from the model");
            assertTrue(
                registry.activeInRole(ADMIN, Role.Lender) == (model == MemberStatus.Active),
                "role while inactive"
            );
        }
    }

    /// Each operator's word is its member's status and roles at all times: through random operators added and
    /// removed, admins changed, suspensions, reinstatements, revocations and role changes on two members, every
    /// operator answers `isActiveKey` and `activeInRole` exactly as its member's record says, `operatorsOf` lists exactly the
    /// member's operators, and a removed key answers for no member.
    function testFuzz_operatorWords_followTheirMember(uint8[24] memory ops, uint32 roleSeed) public {
        address second = address(0xB0B);
        registry.admit(keccak256("LENDER"), ~keccak256("LENDER"), "HK", 2, second);
        uint160 next = 0x1000;
        address removed;
        for (uint256 i; i < ops.length; ++i) {
            MemberId id = MemberId.wrap(uint32(1 + (ops[i] & 1)));
            uint8 op = (ops[i] >> 1) % 7;
            IMemberRegistry.Member memory m = registry.getMember(id);
            address admin = m.admin;
            if (op == 0 && m.status == MemberStatus.Active) {
                _link(id, admin, address(++next));
            } else if (op == 1) {
                address[] memory list = registry.operatorsOf(id);
                address victim = list[uint256(ops[i]) % list.length];
                if (victim != admin && victim != m.payout && m.status != MemberStatus.Revoked) {
                    vm.prank(admin);
                    registry.removeOperator(id, victim);
                    removed = victim;
                }
            } else if (op == 2 && m.status != MemberStatus.Revoked) {
                address[] memory list = registry.operatorsOf(id);
                vm.prank(admin);
                registry.setAdmin(id, list[uint256(ops[i]) % list.length]);
            } else if (op == 3 && m.status == MemberStatus.Active) {
                registry.suspend(id, bytes32(0));
            } else if (op == 4 && m.status == MemberStatus.Suspended) {
                registry.reinstate(id, bytes32(0));
            } else if (op == 5 && i > 18 && m.status != MemberStatus.Revoked) {
                registry.revoke(id, bytes32(0));
            } else if (op == 6) {
                uint32 roles = uint32(bound(uint256(keccak256(abi.encode(roleSeed, i))), 1, ALL_ROLES));
                if (ops[i] & 2 == 0) registry.grantRoles(id, roles);
                else registry.removeRoles(id, roles);
            }
            for (uint256 k; k < 2; ++k) _checkOperatorWords(MemberId.wrap(uint32(k + 1)));
            if (removed != address(0)) {
                assertEq(
                    MemberId.unwrap(registry.memberForKey(removed)),
                    0,
                    "a removed key still answers for a member"
                );
                assertTrue(!registry.isActiveKey(removed), "a removed key is active");
            }
        }
    }

    function _checkOperatorWords(MemberId id) internal view {
        IMemberRegistry.Member memory m = registry.getMember(id);
        address[] memory list = registry.operatorsOf(id);
        assertEq(list.length, m.operatorCount, "operatorsOf and operatorCount differ");
        bool active = m.status == MemberStatus.Active;
        for (uint256 j; j < list.length; ++j) {
            assertEq(
                MemberId.unwrap(registry.memberForKey(list[j])),
                MemberId.unwrap(id),
                "an operator listed elsewhere"
            );
            assertTrue(registry.isActiveKey(list[j]) == active, "isActiveKey disagrees with the member's status");
            for (uint8 r; r < 14; ++r) {
                bool bit = active && (m.roles >> r) & 1 == 1;
                assertTrue(
                    registry.activeInRole(list[j], Role(r)) == bit,
                    "activeInRole disagrees with the member's record"
                );
            }
        }
    }

    /// A member has at most MAX_OPERATORS operators: the next is refused, also as a new admin, and nothing changes.
    function test_operators_atMostMaxOperators() public {
        uint256 max = registry.MAX_OPERATORS();
        vm.prank(ADMIN);
        registry.addOperator(MemberId.wrap(1), address(0x2FFF));
        for (uint160 k = 1; k < max; ++k) {
            _link(MemberId.wrap(1), ADMIN, address(0x2000 + k));
        }
        assertEq(registry.operatorsOf(MemberId.wrap(1)).length, max, "operators");
        vm.expectRevert(abi.encodeWithSelector(IMemberRegistry.OperatorLimitReached.selector, MemberId.wrap(1), max));
        vm.prank(ADMIN);
        registry.addOperator(MemberId.wrap(1), address(0x3000));
        // Nor a key offered before the list filled up: its acceptance checks the limit again.
        vm.expectRevert(abi.encodeWithSelector(IMemberRegistry.OperatorLimitReached.selector, MemberId.wrap(1), max));
        vm.prank(address(0x2FFF));
        registry.acceptOperatorOffer(MemberId.wrap(1));
        vm.expectRevert(
            abi.encodeWithSelector(IMemberRegistry.OperatorNotOfMember.selector, address(0x3000), MemberId.wrap(1))
        );
        vm.prank(ADMIN);
        registry.setAdmin(MemberId.wrap(1), address(0x3000));
        assertEq(MemberId.unwrap(registry.memberForKey(address(0x3000))), 0, "linked despite the limit");
        // One removed, one more fits.
        vm.prank(ADMIN);
        registry.removeOperator(MemberId.wrap(1), address(0x2001));
        _link(MemberId.wrap(1), ADMIN, address(0x3000));
        assertEq(registry.operatorsOf(MemberId.wrap(1)).length, max, "operators after a swap");
    }

    /// A member at MAX_OPERATORS whose admin key is lost is recovered to a fresh key all the same: a recovery seats its
    /// admin one over the cap (review 23, R23-1), and the new admin then removes the lost key; no other step goes past.
    function test_recovery_seatsAFreshAdminAtTheCap() public {
        uint256 max = registry.MAX_OPERATORS();
        for (uint160 k = 1; k < max; ++k) {
            _link(MemberId.wrap(1), ADMIN, address(0x2000 + k));
        }
        address fresh = address(0x4000);
        registry.proposeAdminRecovery(MemberId.wrap(1), fresh);
        vm.warp(block.timestamp + registry.RECOVERY_DELAY());
        registry.completeAdminRecovery(MemberId.wrap(1));
        assertTrue(registry.getMember(MemberId.wrap(1)).admin == fresh, "the fresh key is the admin");
        assertEq(registry.operatorsOf(MemberId.wrap(1)).length, max + 1, "one over the cap");
        // Over the cap, nothing else links a key: the new admin first removes the lost one.
        vm.expectRevert(abi.encodeWithSelector(IMemberRegistry.OperatorLimitReached.selector, MemberId.wrap(1), max));
        vm.prank(fresh);
        registry.addOperator(MemberId.wrap(1), address(0x5000));
        vm.prank(fresh);
        registry.setPayoutAccount(MemberId.wrap(1), fresh);
        vm.prank(fresh);
        registry.removeOperator(MemberId.wrap(1), ADMIN);
        assertEq(registry.operatorsOf(MemberId.wrap(1)).length, max, "back at the cap");
        assertTrue(!registry.isActiveKey(ADMIN), "the lost key is out");
    }

    /// Nobody but the governor can admit.
    function testFuzz_admit_refusesAnyoneButTheGovernor(address caller) public {
        vm.assume(caller != address(this));
        vm.prank(caller);
        vm.expectRevert(abi.encodeWithSelector(IMemberRegistry.GovernorUnauthorizedAccount.selector, caller));
        registry.admit(keccak256("OTHER"), ~keccak256("OTHER"), "MX", 1, address(0xB0B));
    }
}
