// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {RegistryCalls} from "../libraries/RegistryCalls.sol";
import {IMemberRegistry, MemberId, MemberStatus, Role} from "../interfaces/IMemberRegistry.sol";

/// @title MemberGated
/// @notice Base of every module: one member registry decides who may act, and its governor governs the module too.
abstract contract MemberGated {
    /// @notice The consortium's member registry.
    IMemberRegistry public immutable memberRegistry;

    constructor(IMemberRegistry registry) {
        memberRegistry = registry;
    }

    /// @dev Only the registry's governor: one governance seat for the whole consortium.
    modifier onlyGovernor() {
        if (!_isGovernor(msg.sender)) revert IMemberRegistry.GovernorUnauthorizedAccount(msg.sender);
        _;
    }

    /// @dev The governor, or else an operator of an active Regulator (reverting with the registry's reason).
    modifier onlyGovernorOrRegulator() {
        if (!_isGovernor(msg.sender)) _requireRole(msg.sender, Role.Regulator);
        _;
    }

    /// @dev Whether `account` is the registry's governor.
    function _isGovernor(address account) internal view returns (bool) {
        return account == RegistryCalls.governor(memberRegistry);
    }

    /// @dev Whether `account` is the governor standing in for `member`, which is revoked: a revoked party's choice
    ///      over an order's money (a payee's FX terms, an importer's objection) passes to the governor, so that a
    ///      revocation alone never decides where the money goes (review 26; review 34, T1).
    function _governsForRevoked(address account, MemberId member) internal view returns (bool) {
        return _isGovernor(account) && RegistryCalls.statusOf(memberRegistry, member) == MemberStatus.Revoked;
    }

    /// @dev The caller's member id; reverts with the registry's precise error unless it is active and holds `role`.
    function _requireRole(address account, Role role) internal view returns (MemberId) {
        return RegistryCalls.requireKeyInRole(memberRegistry, account, role);
    }

    /// @dev Whether `account` acts for an active member holding `role` (one slot: the account's own word).
    function _hasRole(address account, Role role) internal view returns (bool) {
        return RegistryCalls.activeInRole(memberRegistry, account, role);
    }

    /// @dev The caller's member id; reverts with the registry's precise error unless it is active (any role).
    function _requireActive(address account) internal view returns (MemberId) {
        return RegistryCalls.requireActiveMember(memberRegistry, account);
    }

    /// @dev Whether `account` acts for member `expected`, which is active and holds `role`: a party named in a record
    ///      acting in a role. Reverts with the registry's error when the account's own member is inactive or lacks
    ///      the role, so that the caller's error names only the remaining cause (another member).
    function _actsAs(address account, Role role, MemberId expected) internal view returns (bool) {
        return MemberId.unwrap(_requireRole(account, role)) == MemberId.unwrap(expected);
    }

    /// @dev Whether `account` is an operator of `member`, which is active (any role): a party's word on a credit record
    ///      (a close, a default), which the credit registry takes only from an active member. Reverts with the
    ///      registry's error when the account's own member is unknown or inactive, so that the caller's error names
    ///      only the remaining cause (another member).
    function _actsActiveFor(address account, MemberId member) internal view returns (bool) {
        return MemberId.unwrap(_requireActive(account)) == MemberId.unwrap(member);
    }

    /// @dev Whether `account` is an operator of `member`, which is active or suspended (not revoked): a party of an
    ///      existing record acts by membership, whatever roles it holds now, and also while suspended (its windows keep
    ///      running).
    function _operatesUnrevoked(address account, MemberId member) internal view returns (bool) {
        if (MemberId.unwrap(RegistryCalls.memberForKey(memberRegistry, account)) != MemberId.unwrap(member))
            return false;
        // The account's word carries its member's status: active is read there (warm); only otherwise is the
        // member's record read, to tell suspended from revoked. Suspended, not "not revoked": member 0 (the member of
        // no key) is None, and never passes.
        return
            RegistryCalls.isActiveKey(memberRegistry, account) ||
            RegistryCalls.statusOf(memberRegistry, member) == MemberStatus.Suspended;
    }

    /// @dev Whether `account` is an operator of `member`, which is active (any role): a party's choice over what the
    ///      member is paid (its FX terms, a quote it relays), which a suspended member's key no longer makes
    ///      (review 26). Answers false, not a revert, so that a caller may go on to another authority.
    function _operatesActive(address account, MemberId member) internal view returns (bool) {
        return
            MemberId.unwrap(RegistryCalls.memberForKey(memberRegistry, account)) == MemberId.unwrap(member) &&
            RegistryCalls.isActiveKey(memberRegistry, account);
    }

    /// @dev Whether member `member` is active and holds `role`.
    function _memberHasRole(MemberId member, Role role) internal view returns (bool) {
        return RegistryCalls.hasMemberRole(memberRegistry, member, role);
    }
}
