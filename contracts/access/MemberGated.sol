// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMemberRegistry, MemberId, Role} from "../interfaces/IMemberRegistry.sol";

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
        if (msg.sender != memberRegistry.governor()) revert IMemberRegistry.GovernorUnauthorizedAccount(msg.sender);
        _;
    }

    /// @dev The governor, or else an operator of an active Regulator (reverting with the registry's reason).
    modifier onlyGovernorOrRegulator() {
        if (msg.sender != memberRegistry.governor()) _requireRole(msg.sender, Role.Regulator);
        _;
    }

    /// @dev The caller's member id; reverts with the registry's precise error unless it is active and holds `role`.
    function _requireRole(address account, Role role) internal view returns (MemberId) {
        return memberRegistry.requireRole(account, role);
    }
}
