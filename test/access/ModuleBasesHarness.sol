// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {CreditReporter} from "../../contracts/access/CreditReporter.sol";
import {EmergencyPause} from "../../contracts/access/EmergencyPause.sol";
import {MemberGated} from "../../contracts/access/MemberGated.sol";
import {MemberPayouts} from "../../contracts/access/MemberPayouts.sol";
import {ICreditRegistry} from "../../contracts/interfaces/ICreditRegistry.sol";
import {IMemberRegistry, MemberId} from "../../contracts/interfaces/IMemberRegistry.sol";

/// @notice Test-only: the three module bases behind a thin surface, so each rule is tested on its own.
contract ModuleBasesHarness is MemberPayouts, EmergencyPause, CreditReporter {
    constructor(IMemberRegistry registry, ICreditRegistry credit) MemberGated(registry) CreditReporter(credit) {}

    /// @dev Takes `amount` of `token` from `from`, as a module pulls what it is paid (a system account takes nothing
    ///      pushed into it).
    function pull(address token, address from, uint256 amount) external {
        IERC20(token).transferFrom(from, address(this), amount);
    }

    function pay(MemberId member, address token, uint256 amount) external returns (address to, bool paid) {
        return _payMember(member, token, amount);
    }

    function report(bytes32 ref, bytes calldata data) external {
        _report(ref, data);
    }

    function activeNow() external view returns (uint256) {
        return _activeNow();
    }

    function toActive(uint256 wall) external view returns (uint256) {
        return _toActive(wall);
    }

    function toWall(uint256 active) external view returns (uint256) {
        return _toWall(active);
    }

    function guarded() external view whenNotPaused returns (bool) {
        return true;
    }
}

/// @notice Test-only stand-in for the credit registry: records calls, fails on demand, or burns all gas.
contract RecordingRegistry {
    error Refused(uint256 value);

    bool public failing;
    uint256[] public received;

    function setFailing(bool failing_) external {
        failing = failing_;
    }

    function record(uint256 value) external {
        if (failing) revert Refused(value);
        received.push(value);
    }

    function burn() external pure {
        uint256 i;
        while (true) ++i;
    }

    function count() external view returns (uint256) {
        return received.length;
    }
}
