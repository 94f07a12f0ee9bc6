// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICreditModuleReports} from "../interfaces/ICreditModuleReports.sol";
import {ICreditRegistry, ProductKind} from "../interfaces/ICreditRegistry.sol";
import {ICreditReporter} from "../interfaces/ICreditReporter.sol";
import {MemberId} from "../interfaces/IMemberRegistry.sol";

/// @title CreditReporter
/// @notice Reports to the credit registry that never block a payment. See {ICreditReporter}.
abstract contract CreditReporter is ICreditReporter {
    /// @notice The credit registry this module reports to (it is listed there as a reporter module).
    ICreditRegistry public immutable creditRegistry;

    mapping(bytes32 ref => bytes[]) private _queue;
    mapping(bytes32 ref => uint256) private _head;

    constructor(ICreditRegistry registry) {
        creditRegistry = registry;
    }

    /// @inheritdoc ICreditReporter
    function retryCreditReports(bytes32 ref, uint256 max) external returns (uint256 delivered) {
        if (max == 0) revert CreditReportZeroLimit();
        bytes[] storage queue = _queue[ref];
        uint256 head = _head[ref];
        uint256 n = queue.length;
        if (head == n) revert CreditReportNoneQueued(ref);
        // The queue's end, or `max` reports on: a long queue is delivered over several transactions.
        if (n - head > max) n = head + max;
        for (; head < n; ++head) {
            (bool ok, bytes memory reason) = _call(queue[head]);
            if (!ok) {
                if (delivered == 0) revert CreditReportStillFailing(ref, head, reason);
                break;
            }
            delete queue[head];
            ++delivered;
            emit CreditReportDelivered(ref, head);
        }
        _head[ref] = head;
    }

    /// @inheritdoc ICreditReporter
    function pendingCreditReports(
        bytes32 ref,
        uint256 offset,
        uint256 max
    ) external view returns (bytes[] memory page, uint256 total) {
        bytes[] storage queue = _queue[ref];
        uint256 from = _head[ref];
        total = queue.length - from;
        uint256 n = offset < total ? total - offset : 0;
        if (n > max) n = max;
        page = new bytes[](n);
        // Only reached with offset < total, so `from + offset + i` stays within the queue.
        for (uint256 i; i < n; ++i) page[i] = queue[from + offset + i];
    }

    /// @dev Reports `lender`'s exposure to member `borrower` as record `ref`, originated today
    ///      (see {ICreditModuleReports-reportExposure}): the day is fixed now, so a report held in the queue is
    ///      delivered with the event's dates.
    function _reportExposure(
        MemberId lender,
        MemberId borrower,
        bytes32 ref,
        ProductKind kind,
        uint64 amount,
        uint24 maturityDay,
        bytes32 commitment
    ) internal {
        _report(
            ref,
            abi.encodeCall(
                ICreditModuleReports.reportExposure,
                (lender, borrower, ref, kind, amount, _today(), maturityDay, commitment)
            )
        );
    }

    /// @dev Reports member `borrower`'s default towards `lender` as record `ref` (see
    ///      {ICreditModuleReports-reportDefault}).
    function _reportDefault(
        MemberId lender,
        MemberId borrower,
        bytes32 ref,
        ProductKind kind,
        uint64 amount,
        bytes32 commitment
    ) internal {
        _report(
            ref,
            abi.encodeCall(
                ICreditModuleReports.reportDefault,
                (lender, borrower, ref, kind, amount, _today(), commitment)
            )
        );
    }

    /// @dev Today's day number (Unix days), the date of what is reported now.
    function _today() internal view returns (uint24) {
        return uint24(block.timestamp / 1 days);
    }

    /// @dev Closes record `ref` as settled on day `day` (see {ICreditModuleReports-closeExposure}): the day the
    ///      debt was paid, which may be before the close is sent (a receivable repaid, collected later).
    function _closeExposure(bytes32 ref, uint24 day) internal {
        _report(ref, abi.encodeCall(ICreditModuleReports.closeExposure, (ref, day)));
    }

    /// @dev Moves record `ref` to Defaulted (see {ICreditModuleReports-defaultExposure}).
    function _defaultExposure(bytes32 ref) internal {
        _report(ref, abi.encodeCall(ICreditModuleReports.defaultExposure, (ref)));
    }

    /// @dev Sends `data` (a registry call) for record `ref`, or queues it behind earlier queued reports of `ref`, or
    ///      when the registry refuses it. Never reverts for the registry's sake.
    function _report(bytes32 ref, bytes memory data) internal {
        bytes[] storage queue = _queue[ref];
        uint256 queued = queue.length;
        // The head never passes the queue's length: a ref that never queued a report (the usual case) needs no
        // second read.
        if (queued != 0 && _head[ref] < queued) {
            queue.push(data);
            emit CreditReportDeferred(ref, queued, "");
            return;
        }
        (bool ok, bytes memory reason) = _call(data);
        if (!ok) {
            queue.push(data);
            emit CreditReportDeferred(ref, queue.length - 1, reason);
        }
    }

    function _call(bytes memory data) private returns (bool ok, bytes memory reason) {
        uint256 before = gasleft();
        // The registry is immutable and ours; a low-level call is how a revert is caught without bubbling it.
        // solhint-disable-next-line avoid-low-level-calls
        (ok, reason) = address(creditRegistry).call(data);
        // A call starved of gas leaves at most 1/64 of it: refuse, so that nobody defers a report on purpose.
        if (!ok && gasleft() <= before / 63) revert CreditReportOutOfGas();
    }
}
