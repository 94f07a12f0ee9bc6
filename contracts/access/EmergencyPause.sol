// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MemberGated} from "./MemberGated.sol";
import {IEmergencyPause} from "../interfaces/IEmergencyPause.sol";
import {Role} from "../interfaces/IMemberRegistry.sol";

/// @title EmergencyPause
/// @notice A pause that knows who set it and keeps an active clock. See {IEmergencyPause}.
/// @dev A module stores each deadline that runs against a party in active time (`_toActive`, when it is set) and
///      compares it with `_activeNow()`: a pause then never lets a deadline run out against a party that could not
///      act. The three fields share one slot with whatever the module declares next.
abstract contract EmergencyPause is IEmergencyPause, MemberGated {
    uint40 private _pausedAt; // 0 while not paused
    uint40 private _pausedTotal; // seconds spent in pauses that ended
    bool private _pausedByGovernor;

    modifier whenNotPaused() {
        if (_pausedAt != 0) revert EnforcedPause();
        _;
    }

    /// @inheritdoc IEmergencyPause
    function pause() external {
        bool byGovernor = _requirePauser();
        if (_pausedAt == 0) {
            (_pausedAt, _pausedByGovernor) = (uint40(block.timestamp), byGovernor);
        } else {
            // The governor takes over a Regulator's pause, which then only the governor lifts: a Regulator pausing
            // first cannot keep the governor's pause from holding (review 30, B2). The pause's clock runs on.
            if (!byGovernor || _pausedByGovernor) revert EnforcedPause();
            _pausedByGovernor = true;
        }
        emit Paused(msg.sender);
    }

    /// @inheritdoc IEmergencyPause
    function unpause() external {
        uint40 pausedAt = _pausedAt;
        if (pausedAt == 0) revert ExpectedPause();
        if (_pausedByGovernor) {
            if (!_isGovernor(msg.sender)) revert PauseLiftUnauthorized(msg.sender);
        } else if (!_hasRole(msg.sender, Role.Regulator) && !_isGovernor(msg.sender)) {
            // Neither: the registry's precise reason why the caller is no active Regulator.
            _requireRole(msg.sender, Role.Regulator);
        }
        (_pausedAt, _pausedTotal, _pausedByGovernor) = (0, _pausedTotal + uint40(block.timestamp) - pausedAt, false);
        emit Unpaused(msg.sender);
    }

    /// @dev Who may pause: the governor or an active Regulator (reverting with the registry's reason); returns whether
    ///      it is the governor, whose pause only the governor lifts. A contract whose pause stops other contracts
    ///      without stopping their clocks narrows it (the settlement token).
    function _requirePauser() internal view virtual returns (bool byGovernor) {
        byGovernor = _isGovernor(msg.sender);
        if (!byGovernor) _requireRole(msg.sender, Role.Regulator);
    }

    /// @inheritdoc IEmergencyPause
    function paused() public view returns (bool) {
        return _pausedAt != 0;
    }

    /// @inheritdoc IEmergencyPause
    function pausedSeconds() public view returns (uint256) {
        uint40 pausedAt = _pausedAt;
        return uint256(_pausedTotal) + (pausedAt == 0 ? 0 : block.timestamp - pausedAt);
    }

    /// @dev The active clock: wall time less every second spent paused. It stands still during a pause.
    function _activeNow() internal view returns (uint256) {
        return block.timestamp - pausedSeconds();
    }

    /// @dev A wall-clock time as active time, for storing a deadline (0 stays 0: "not set").
    function _toActive(uint256 wall) internal view returns (uint256) {
        return wall == 0 ? 0 : wall - pausedSeconds();
    }

    /// @dev An active time as the wall-clock time it falls on if no further pause comes (0 stays 0).
    function _toWall(uint256 active) internal view returns (uint256) {
        return active == 0 ? 0 : active + pausedSeconds();
    }
}
