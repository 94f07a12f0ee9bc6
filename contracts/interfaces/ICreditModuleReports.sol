// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {LoanId, LoanStatus, ProductKind} from "./ICreditRegistry.sol";
import {MemberId} from "./IMemberRegistry.sol";

/// @title ICreditModuleReports
/// @notice What the modules (the receivable ledger, the trade settlement) report to the credit registry. Only
///         contracts the governor listed as reporter modules may call it. A record is always about a member, under
///         the entity key the member registry holds for it, never under a key the caller chooses; its id is
///         `loanId(module's member id, loanRef)`. Amounts are minor units of the registry's reporting currency.
interface ICreditModuleReports {
    /// @notice `module` was listed (or delisted) as a reporter module.
    event ReporterModuleSet(address indexed module, bool allowed);
    /// @notice A module's further default of `amount` under the reference of live record `id` (of borrower
    ///         `borrowerKey`) was added to it, now Defaulted: principal and outstanding grew by `amount`, to
    ///         `outstanding`. `commitment` is the added default's own.
    event DefaultAdded(
        LoanId indexed id,
        bytes32 indexed borrowerKey,
        uint64 amount,
        uint64 outstanding,
        bytes32 commitment
    );
    /// @notice A module's further default of `amount` under the reference of record `id` was not added: the record
    ///         is closed (`status`: Repaid, or WrittenOff by a Regulator) and is left as it is.
    event DefaultNotAdded(LoanId indexed id, bytes32 indexed borrowerKey, uint64 amount, LoanStatus status);

    /// @notice `account` is not a listed reporter module.
    error CreditReporterNotModule(address account);

    /// @notice Books an exposure of `lender` to member `borrower`, originated on `originationDay` (the day the
    ///         module saw it happen, so that a report held in the module's queue is dated as the event, not as its
    ///         delivery): a live record the multi-borrowing policy flags but never refuses (the money already moved).
    function reportExposure(
        MemberId lender,
        MemberId borrower,
        bytes32 loanRef,
        ProductKind kind,
        uint64 amount,
        uint24 originationDay,
        uint24 maturityDay,
        bytes32 commitment
    ) external;

    /// @notice Books member `borrower`'s default towards `lender` as a Defaulted record, originated and maturing on
    ///         `day` (the day the module saw the default, whenever the report is delivered). Never refused by the
    ///         policy: the most indebted borrowers are those whose defaults must be seen. Under the reference of an
    ///         existing record (same lender and borrower) it adds `amount` to that record instead, which becomes
    ///         Defaulted if it was Active or Overdue (`DefaultAdded`), so that one default the module books in parts
    ///         counts once; a closed record is left as it is (`DefaultNotAdded`). It never refuses a further default.
    function reportDefault(
        MemberId lender,
        MemberId borrower,
        bytes32 loanRef,
        ProductKind kind,
        uint64 amount,
        uint24 day,
        bytes32 commitment
    ) external;

    /// @notice Closes the module's record `loanRef` as settled on `day` (the day the module saw the debt paid,
    ///         whenever the report is delivered): Repaid when it is live; nothing when a regulator or an earlier report
    ///         already closed it (returns false). A settled Defaulted record's negative record is retained from `day`
    ///         (read as no earlier than the record's origination and no later than today). Reverts only for an
    ///         unknown record.
    function closeExposure(bytes32 loanRef, uint24 day) external returns (bool closed);

    /// @notice Moves the module's live record `loanRef` (Active or Overdue) to Defaulted, its amounts unchanged: the
    ///         borrower did not repay what the record says it owes (a seller under recourse, an exporter's advance).
    ///         Nothing when the record is already Defaulted or closed (returns false). Reverts only for an unknown
    ///         record.
    function defaultExposure(bytes32 loanRef) external returns (bool defaulted);

    /// @notice Governor only: lists or delists `module` as a reporter module.
    function setReporterModule(address module, bool allowed) external;

    /// @notice True when `module` is a listed reporter module.
    function isReporterModule(address module) external view returns (bool);
}
