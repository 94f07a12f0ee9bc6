// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MemberRegistry} from "../../contracts/access/MemberRegistry.sol";
import {IMemberRegistry, MemberId, MemberStatus, Role} from "../../contracts/interfaces/IMemberRegistry.sol";
import {TestBase} from "../lib/Vm.sol";

contract MemberRegistryFuzzTest is TestBase {
    MemberRegistry internal registry;
    address internal constant ADMIN = address(0xA11CE);
    uint32 internal constant ALL_ROLES = (1 << 14) - 1;

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

    /// hasRole answers exactly the bits of the role set, whatever grants and removals came before.
    function testFuzz_roles_hasRoleMatchesTheSet(uint32 grant, uint32 removal) public {
        grant = uint32(bound(grant, 1, ALL_ROLES));
        removal = uint32(bound(removal, 1, ALL_ROLES));
        registry.grantRoles(MemberId.wrap(1), grant);
        registry.removeRoles(MemberId.wrap(1), removal);
        uint32 expected = (1 | grant) & ~removal;
        assertEq(registry.getMember(MemberId.wrap(1)).roles, expected, "role set");
        for (uint8 r; r < 14; ++r) {
            bool bit = (expected >> r) & 1 == 1;
            assertTrue(registry.hasRole(ADMIN, Role(r)) == bit, "hasRole disagrees with the role set");
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
            assertTrue(registry.hasRole(ADMIN, Role.Lender) == (model == MemberStatus.Active), "role while inactive");
        }
    }

    /// Nobody but the governor can admit.
    function testFuzz_admit_refusesAnyoneButTheGovernor(address caller) public {
        vm.assume(caller != address(this));
        vm.prank(caller);
        vm.expectRevert(abi.encodeWithSelector(IMemberRegistry.GovernorUnauthorizedAccount.selector, caller));
        registry.admit(keccak256("OTHER"), ~keccak256("OTHER"), "MX", 1, address(0xB0B));
    }
}
