// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IEmergencyPause
/// @notice A module's emergency stop. The governor or a Regulator pauses; a governor's pause is lifted only by the
///         governor, a Regulator's by the governor or a Regulator. Time spent paused does not count against any
///         party: every deadline the module keeps moves on by the length of each pause (the module's *active
///         clock* stands still while it is paused).
interface IEmergencyPause {
    /// @notice The module was paused by `account`.
    event Paused(address account);
    /// @notice The module was unpaused by `account`, after `pausedFor` seconds.
    event Unpaused(address account);

    /// @notice The operation is refused while the module is paused.
    error EnforcedPause();
    /// @notice The module is not paused.
    error ExpectedPause();
    /// @notice Only the governor may lift the governor's pause; `account` may not.
    error PauseLiftUnauthorized(address account);

    /// @notice Pauses the module. Caller: the governor or an active Regulator. The governor may also pause a module a
    ///         Regulator paused: the pause becomes the governor's, which only the governor lifts.
    function pause() external;

    /// @notice Lifts the pause. Caller: the governor; also an active Regulator unless the governor paused.
    function unpause() external;

    /// @notice True while the module is paused.
    function paused() external view returns (bool);

    /// @notice Seconds the module has spent paused so far, the current pause included.
    function pausedSeconds() external view returns (uint256);
}
