// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMemberRegistry, MemberId, MemberStatus, Role} from "../interfaces/IMemberRegistry.sol";

/// @title RegistryCalls
/// @notice The member registry's one-word views, as every module asks them on its hot paths: one STATICCALL with the
///         arguments in free memory and the answer in scratch space. solc's high-level call also encodes through the
///         free memory pointer, checks the answer's length and decodes it into fresh memory; that costs about 240
///         gas a call more, on every role check of every operation.
/// @dev The registry is the consortium's own contract, fixed at each module's construction, so its answers are
///      trusted to be well formed: each wrapper narrows the word to the view's declared type by a cast, where solc's
///      decoder would refuse a word with stray high bits (a `bool` of 2 reads as true, a status keeps its low byte).
///      A revert inside the registry is re-raised with its own data, so its precise error reaches the caller
///      unchanged; an answer shorter than the view's reverts with no data, as solc's decoder does.
library RegistryCalls {
    /// @dev `registry.<selector>(a, b)`, returning its one-word answer. Arguments a view does not take are zero and
    ///      ignored by its decoder.
    function ask(IMemberRegistry registry, bytes4 selector, uint256 a, uint256 b) internal view returns (uint256 word) {
        (word, ) = _ask(registry, selector, a, b, 0x20);
    }

    /// @dev `registry.<selector>(a)`, returning its two-word answer.
    function askTwo(
        IMemberRegistry registry,
        bytes4 selector,
        uint256 a
    ) internal view returns (uint256 first, uint256 second) {
        return _ask(registry, selector, a, 0, 0x40);
    }

    /// @dev The call itself: an answer shorter than `size` bytes reverts with no data; `second` is meaningful only
    ///      when `size` is two words.
    function _ask(
        IMemberRegistry registry,
        bytes4 selector,
        uint256 a,
        uint256 b,
        uint256 size
    ) private view returns (uint256 first, uint256 second) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, selector)
            mstore(add(ptr, 0x04), a)
            mstore(add(ptr, 0x24), b)
            if iszero(staticcall(gas(), registry, ptr, 0x44, 0x00, size)) {
                returndatacopy(ptr, 0x00, returndatasize())
                revert(ptr, returndatasize())
            }
            if lt(returndatasize(), size) {
                revert(0x00, 0x00)
            }
            first := mload(0x00)
            second := mload(0x20)
        }
    }

    function requireKeyInRole(IMemberRegistry registry, address account, Role role) internal view returns (MemberId) {
        return
            MemberId.wrap(
                uint32(ask(registry, IMemberRegistry.requireKeyInRole.selector, uint160(account), uint8(role)))
            );
    }

    function requireActiveMember(IMemberRegistry registry, address account) internal view returns (MemberId) {
        return MemberId.wrap(uint32(ask(registry, IMemberRegistry.requireActiveMember.selector, uint160(account), 0)));
    }

    function requireActiveWithRoles(
        IMemberRegistry registry,
        address account
    ) internal view returns (MemberId id, uint32 roles) {
        (uint256 member, uint256 held) = askTwo(
            registry,
            IMemberRegistry.requireActiveMember.selector,
            uint160(account)
        );
        return (MemberId.wrap(uint32(member)), uint32(held));
    }

    function memberForKey(IMemberRegistry registry, address account) internal view returns (MemberId) {
        return MemberId.wrap(uint32(ask(registry, IMemberRegistry.memberForKey.selector, uint160(account), 0)));
    }

    function statusOf(IMemberRegistry registry, MemberId member) internal view returns (MemberStatus) {
        return MemberStatus(uint8(ask(registry, IMemberRegistry.statusOf.selector, MemberId.unwrap(member), 0)));
    }

    function statusSinceOf(
        IMemberRegistry registry,
        MemberId member
    ) internal view returns (MemberStatus status, uint256 sinceDay) {
        uint256 word;
        (word, sinceDay) = askTwo(registry, IMemberRegistry.statusSinceOf.selector, MemberId.unwrap(member));
        status = MemberStatus(uint8(word));
    }

    function hasMemberRole(IMemberRegistry registry, MemberId member, Role role) internal view returns (bool) {
        return ask(registry, IMemberRegistry.hasMemberRole.selector, MemberId.unwrap(member), uint8(role)) != 0;
    }

    function payoutAccountFor(IMemberRegistry registry, MemberId member) internal view returns (address) {
        return address(uint160(ask(registry, IMemberRegistry.payoutAccountFor.selector, MemberId.unwrap(member), 0)));
    }

    function isActiveKey(IMemberRegistry registry, address account) internal view returns (bool) {
        return ask(registry, IMemberRegistry.isActiveKey.selector, uint160(account), 0) != 0;
    }

    function isSettlementToken(IMemberRegistry registry, address token) internal view returns (bool) {
        return ask(registry, IMemberRegistry.isSettlementToken.selector, uint160(token), 0) != 0;
    }

    function governor(IMemberRegistry registry) internal view returns (address) {
        return address(uint160(ask(registry, IMemberRegistry.governor.selector, 0, 0)));
    }

    function memberEpoch(IMemberRegistry registry) internal view returns (uint64) {
        return uint64(ask(registry, IMemberRegistry.memberEpoch.selector, 0, 0));
    }

    function activeInRole(IMemberRegistry registry, address account, Role role) internal view returns (bool) {
        return ask(registry, IMemberRegistry.activeInRole.selector, uint160(account), uint8(role)) != 0;
    }

    function entityKeyOf(IMemberRegistry registry, MemberId member) internal view returns (bytes32) {
        return bytes32(ask(registry, IMemberRegistry.entityKeyOf.selector, MemberId.unwrap(member), 0));
    }

    function standingOf(IMemberRegistry registry, MemberId member) internal view returns (MemberStatus, uint32) {
        (uint256 status, uint256 roles) = askTwo(
            registry,
            IMemberRegistry.standingOf.selector,
            MemberId.unwrap(member)
        );
        return (MemberStatus(uint8(status)), uint32(roles));
    }
}
