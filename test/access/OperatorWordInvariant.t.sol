// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MemberRegistry} from "../../contracts/access/MemberRegistry.sol";
import {IMemberRegistry, MemberId, MemberStatus, Role} from "../../contracts/interfaces/IMemberRegistry.sol";
import {TestBase} from "../lib/Vm.sol";

/// The member registry's operator words under random sequences of every entry point (operators added and removed,
/// admins changed and recovered, payout accounts, suspensions, reinstatements, revocations, roles granted and
/// removed) on three members sharing one pool of 12 keys. Written by adversarial review 23; kept as a stateful
/// invariant suite: each operator's copy of its member's status and roles, the operator lists, and the epoch rule.
contract OperatorWordHandler is TestBase {
    MemberRegistry public registry;
    uint256 internal constant MEMBERS = 3;
    uint256 internal constant POOL = 12;
    uint32 internal constant ALL_ROLES = (1 << 14) - 1;
    uint256 public calls;
    bool public epochViolation;
    string public violation;

    constructor() {
        registry = new MemberRegistry(address(this), keccak256("review23"));
        for (uint256 i = 1; i <= MEMBERS; ++i) {
            registry.admit(keccak256(abi.encode("L", i)), keccak256(abi.encode("E", i)), "CN", uint32(i), key(i - 1));
        }
    }

    function key(uint256 i) public pure returns (address) {
        return address(uint160(0x10000 + (i % POOL)));
    }

    function _id(uint256 s) internal pure returns (MemberId) {
        return MemberId.wrap(uint32(1 + (s % MEMBERS)));
    }

    // snapshot of (isActiveKey, roles) per key to check the epoch rule
    function _snap() internal view returns (bool[POOL] memory active, uint32[POOL] memory roles) {
        for (uint256 i; i < POOL; ++i) {
            address a = key(i);
            active[i] = registry.isActiveKey(a);
            MemberId m = registry.memberForKey(a);
            if (MemberId.unwrap(m) != 0) roles[i] = registry.getMember(m).roles;
            // roles of the account as seen by activeInRole
            uint32 r;
            for (uint8 b; b < 14; ++b) if (registry.activeInRole(a, Role(b))) r |= uint32(1) << b;
            roles[i] = r;
        }
    }

    modifier checked() {
        (bool[POOL] memory a0, uint32[POOL] memory r0) = _snap();
        uint64 e0 = registry.memberEpoch();
        _;
        ++calls;
        (bool[POOL] memory a1, uint32[POOL] memory r1) = _snap();
        if (registry.memberEpoch() == e0) {
            for (uint256 i; i < POOL; ++i) {
                if ((a0[i] && !a1[i]) || (r0[i] & ~r1[i]) != 0) {
                    epochViolation = true;
                    violation = "isActiveKey turned false or a role was lost without an epoch move";
                }
            }
        }
    }

    /// A member's admin adds, removes, seats as admin or names as payout account one key of the pool; a refused step
    /// changes nothing, which the invariants check.
    function adminStep(uint256 s, uint256 k, uint8 which) external checked {
        MemberId id = _id(s);
        bytes4[4] memory steps = [
            IMemberRegistry.addOperator.selector,
            IMemberRegistry.removeOperator.selector,
            IMemberRegistry.setAdmin.selector,
            IMemberRegistry.setPayoutAccount.selector
        ];
        vm.prank(registry.getMember(id).admin);
        (bool ok, ) = address(registry).call(abi.encodeWithSelector(steps[which % 4], id, key(k)));
        // An offered key accepts at once (review 31, D2): the link is what the invariants watch.
        if (ok && which % 4 == 0) {
            vm.prank(key(k));
            (ok, ) = address(registry).call(abi.encodeWithSelector(IMemberRegistry.acceptOperatorOffer.selector, id));
        }
        ok;
    }

    function propose(uint256 s, uint256 k) external checked {
        try registry.proposeAdminRecovery(_id(s), key(k)) {} catch {}
    }

    function cancel(uint256 s) external checked {
        MemberId id = _id(s);
        vm.prank(registry.getMember(id).admin);
        try registry.cancelAdminRecovery(id) {} catch {}
    }

    function complete(uint256 s) external checked {
        MemberId id = _id(s);
        IMemberRegistry.Recovery memory r = registry.recoveryOf(id);
        if (r.readyAt != 0 && block.timestamp < r.readyAt) vm.warp(r.readyAt);
        try registry.completeAdminRecovery(id) {} catch {}
    }

    function status(uint256 s, uint8 op) external checked {
        MemberId id = _id(s);
        op = op % 8;
        if (op < 4) try registry.suspend(id, 0) {} catch {}
        else if (op < 7) try registry.reinstate(id, 0) {} catch {}
        else try registry.revoke(id, 0) {} catch {}
    }

    function roles(uint256 s, uint32 r, bool grant) external checked {
        MemberId id = _id(s);
        r = uint32(bound(r, 1, ALL_ROLES));
        if (grant) registry.grantRoles(id, r);
        else registry.removeRoles(id, r);
    }
}

contract OperatorWordInvariantTest is TestBase {
    OperatorWordHandler internal handler;
    MemberRegistry internal registry;

    function setUp() public {
        handler = new OperatorWordHandler();
        registry = handler.registry();
    }

    function targetContracts() public view returns (address[] memory t) {
        t = new address[](1);
        t[0] = address(handler);
    }

    function invariant_epochMovesWheneverActivityOrARoleIsLost() public view {
        require(!handler.epochViolation(), handler.violation());
    }

    function invariant_listsAndCopiesMatchTheRecords() public view {
        uint256 listed;
        for (uint32 i = 1; i <= 3; ++i) {
            MemberId id = MemberId.wrap(i);
            IMemberRegistry.Member memory m = registry.getMember(id);
            address[] memory list = registry.operatorsOf(id);
            require(list.length == m.operatorCount, "count");
            require(list.length <= registry.MAX_OPERATORS(), "cap");
            listed += list.length;
            bool adminListed;
            bool payoutListed = m.payout == address(0);
            for (uint256 j; j < list.length; ++j) {
                require(list[j] != address(0), "zero entry (list shorter than count)");
                for (uint256 k; k < j; ++k) require(list[k] != list[j], "duplicate / cycle");
                require(MemberId.unwrap(registry.memberForKey(list[j])) == i, "listed elsewhere");
                require(registry.isActiveKey(list[j]) == (m.status == MemberStatus.Active), "isActiveKey copy");
                for (uint8 r; r < 14; ++r) {
                    bool bit = m.status == MemberStatus.Active && (m.roles >> r) & 1 == 1;
                    require(registry.activeInRole(list[j], Role(r)) == bit, "activeInRole copy");
                }
                if (list[j] == m.admin) adminListed = true;
                if (list[j] == m.payout) payoutListed = true;
            }
            require(adminListed, "admin not an operator");
            require(payoutListed, "payout not an operator");
            require(registry.payoutAccountFor(id) == (m.payout == address(0) ? m.admin : m.payout), "payoutTo");
        }
        // every linked key of the pool is in exactly its member's list
        uint256 linked;
        for (uint256 i; i < 12; ++i) {
            address a = handler.key(i);
            MemberId id = registry.memberForKey(a);
            if (MemberId.unwrap(id) == 0) {
                require(!registry.isActiveKey(a), "unlinked key active");
                continue;
            }
            ++linked;
            address[] memory list = registry.operatorsOf(id);
            bool found;
            for (uint256 j; j < list.length; ++j) if (list[j] == a) found = true;
            require(found, "linked key missing from its member's list");
            MemberId bound = registry.boundMemberOf(a);
            require(MemberId.unwrap(bound) == 0, "linked key still bound");
        }
        require(linked == listed, "linked keys != listed keys");
    }
}
