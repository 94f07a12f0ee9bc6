// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ICreditReporter
/// @notice How a module reports to the credit registry without ever letting the report decide whether money moves.
///         A report the registry refuses (paused, a record already moved or corrected, anything) is queued under its
///         record reference and can be delivered later by anyone, in the order it was made.
interface ICreditReporter {
    /// @notice Report number `index` for record `ref` could not be delivered now and is queued; `reason` is the
    ///         registry's revert data (empty when an earlier report for `ref` was still queued).
    event CreditReportDeferred(bytes32 indexed ref, uint256 index, bytes reason);
    /// @notice Queued report number `index` for record `ref` was delivered.
    event CreditReportDelivered(bytes32 indexed ref, uint256 index);

    /// @notice Nothing is queued for record `ref`.
    error CreditReportNoneQueued(bytes32 ref);
    /// @notice The first queued report for `ref`, number `index`, still fails with `reason`.
    error CreditReportStillFailing(bytes32 ref, uint256 index, bytes reason);
    /// @notice The registry call ran out of gas: send the transaction with more gas (a relayer cannot defer a
    ///         report by starving it).
    error CreditReportOutOfGas();
    /// @notice A retry was asked to deliver no report (`max` is 0).
    error CreditReportZeroLimit();

    /// @notice Delivers up to `max` of the reports queued for `ref`, oldest first, stopping at the first that still
    ///         fails. Anyone may call it, as often as it takes: a queue longer than one transaction can carry is
    ///         delivered in parts (adversarial review 10, R10-3). Reverts when not even the first can be delivered.
    function retryCreditReports(bytes32 ref, uint256 max) external returns (uint256 delivered);

    /// @notice How many reports are still queued for `ref` (`total`), and up to `max` of them (registry call data),
    ///         oldest first, from the `offset`-th pending one (0 is the next to be delivered). A queue can hold more
    ///         reports than one call can return (a family's defaults share a reference), so it is read in pages; an
    ///         `offset` at or past `total`, or a `max` of 0, returns no report and the count alone.
    function pendingCreditReports(
        bytes32 ref,
        uint256 offset,
        uint256 max
    ) external view returns (bytes[] memory page, uint256 total);
}
