// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {RegistryCalls} from "../libraries/RegistryCalls.sol";
import {ColdPart} from "../libraries/ColdPart.sol";
import {ConsentId, ConsentPurpose, IConsentBook} from "../interfaces/IConsentBook.sol";
import {ICreditModuleReports} from "../interfaces/ICreditModuleReports.sol";
import {InstalmentPlan} from "../libraries/InstalmentPlan.sol";

import {CreditRegistryBase} from "./CreditRegistryBase.sol";
import {CreditRegistryCold} from "./CreditRegistryCold.sol";
import {IMemberRegistry, MemberId, Role} from "../interfaces/IMemberRegistry.sol";
import {ICreditRegistry, LoanId, LoanStatus, ProductKind} from "../interfaces/ICreditRegistry.sol";

/// @title CreditRegistry
/// @notice The network's single exposure ledger. See {ICreditRegistry}. Its less frequent operations run in
///         {CreditRegistryCold} by DELEGATECALL on this contract's storage (both share {CreditRegistryBase}).
/// @dev Storage is shaped so that every aggregate moves in O(1) and a batch shares its fixed costs:
///      - a loan is one slot; it names its borrower by a 32-bit index, not by the 32-byte key;
///      - a borrower's aggregates are one slot, keyed by the borrower key;
///      - live-loan counts per (borrower, lender) are packed eight to a slot, so a borrower's second and later
///        lenders usually update a slot instead of creating one; a 0 <-> 1 change moves the distinct-lender count.
///      - a borrower's inquiries are a ring of the INQUIRY_SLOTS most recent distinct lenders and the time of their
///        latest inquiry (two slots), read only while the borrower's latest inquiry is within the window;
///      - a joint loan's claim on a funder's reference is a `Loan` slot with status None naming the reporter, so
///        the duplicate check of every registration reads the slot it already read.
///      - a loan's consumer-credit terms (APR, plan, delinquency bucket, retention day) are one more slot, written only
///        for loans that have them or once they become a retained negative record;
///      - a borrower's delinquency buckets are one more slot, written only when a plan loan is past due.
///      Every change of a loan's contribution to the totals goes through {_rebookLoan}; every status change is allowed
///      by {_canTransition}.
contract CreditRegistry is CreditRegistryBase, ICreditRegistry, ICreditModuleReports {
    /// @dev Who may open a dispute: a Lender or a Regulator.
    uint32 private constant _DISPUTE_ROLES = uint32(1 << uint8(Role.Lender)) | uint32(1 << uint8(Role.Regulator));

    /// @notice The part that runs the less frequent operations on this contract's storage.
    CreditRegistryCold public immutable cold;

    constructor(
        IMemberRegistry registry,
        IConsentBook consents,
        bytes3 currency,
        Policy memory initialPolicy
    ) CreditRegistryBase(registry, consents, currency) {
        cold = new CreditRegistryCold(registry, consents, currency);
        _setPolicy(initialPolicy);
    }

    // ─── Lenders ────────────────────────────────────────────────────────────

    /// @inheritdoc ICreditRegistry
    function registerLoan(LoanInput calldata loan) external whenNotPaused returns (LoanId id) {
        MemberId lender = _requireRole(msg.sender, Role.Lender);
        if (loan.kind == ProductKind.JointLoan) revert CreditInvalidProductKind(loan.kind);
        id = _register(lender, lender, loan, _single());
    }

    /// @inheritdoc ICreditRegistry
    function fileLoanRepayment(bytes32 loanRef, uint64 amount) external whenNotPaused {
        _repay(_requireActive(msg.sender), loanRef, amount, _SINGLE);
    }

    /// @inheritdoc ICreditRegistry
    function fileLoanStatus(bytes32 loanRef, LoanStatus to) external whenNotPaused {
        LoanId id = _loanId(_requireActive(msg.sender), loanRef);
        Loan memory loan = _knownLoan(id, _SINGLE);
        LoanStatus from = loan.status;
        if (!_canTransition(from, to, Actor.Lender)) revert CreditInvalidTransition(id, from, to);
        if (to == LoanStatus.Active) {
            (uint256 dpd, bool hasPlan, ) = _pastDue(id, loan);
            if (hasPlan && dpd > _graceDays) revert CreditLoanPastDue(id, dpd, _graceDays);
        }
        (bytes32 key, ) = _rebookLoan(id, loan, to, to == LoanStatus.Repaid ? 0 : loan.outstanding, Actor.Lender);
        emit LoanStatusChanged(id, key, from, to);
    }

    /// @inheritdoc ICreditRegistry
    function inquire(
        bytes32 borrowerKey,
        ConsentPurpose purpose,
        ConsentId consent
    ) external whenNotPaused returns (Exposure memory) {
        MemberId lender = _requireRole(msg.sender, Role.Lender);
        if (borrowerKey == 0) revert CreditInvalidBorrowerKey();
        _consentBook.requireConsent(consent, borrowerKey, lender, purpose);
        Borrower memory b = _borrowers[borrowerKey];
        uint256 count;
        // Only a look-up for credit the borrower seeks counts against it: a lender's review of an account it holds,
        // or a collection, is logged (the event) but does not count (review 32, C2), as a soft inquiry. Only a lender
        // that holds a live loan of the borrower makes one: the purpose is the lender's word, and a credit check
        // called a review must not escape the count and the limit (review 33, E1).
        if (purpose == ConsentPurpose.AccountReview || purpose == ConsentPurpose.Collections) {
            if (_liveLoans(b.index, lender) == 0) {
                revert CreditNoAccountHeld(lender, borrowerKey, purpose);
            }
            count = _inquiriesInWindow(borrowerKey, b);
        } else {
            count = _logInquiry(borrowerKey, lender);
            b.lastInquiry = uint40(block.timestamp);
            _borrowers[borrowerKey] = b;
        }
        emit CreditInquired(lender, borrowerKey, purpose, consent);
        return _exposure(b, count);
    }

    // ─── Modules ────────────────────────────────────────────────────────────

    /// @inheritdoc ICreditModuleReports
    /// @dev In enforce mode too a breach of the policy is only flagged.
    function reportExposure(
        MemberId lender,
        MemberId borrower,
        bytes32 loanRef,
        ProductKind kind,
        uint64 amount,
        uint24 originationDay,
        uint24 maturityDay,
        bytes32 commitment
    ) external whenNotPaused {
        _reportModule(
            _requireModule(),
            lender,
            borrower,
            loanRef,
            kind,
            amount,
            originationDay,
            maturityDay,
            commitment
        );
    }

    /// @inheritdoc ICreditModuleReports
    /// @dev A new record is booked here, Defaulted, originated and maturing on `day`, and the policy is not applied
    ///      at all (item 14); a further default under an existing record's reference is handled by CreditRegistryCold.
    function reportDefault(
        MemberId lender,
        MemberId borrower,
        bytes32 loanRef,
        ProductKind kind,
        uint64 amount,
        uint24 day,
        bytes32 commitment
    ) external whenNotPaused {
        MemberId module = _requireModule();
        if (_loans[_loanId(module, loanRef)].status != LoanStatus.None) _runCold();
        _reportModule(module, lender, borrower, loanRef, kind, amount, day, day, commitment);
    }

    /// @inheritdoc ICreditModuleReports
    /// @dev Live means Active, Overdue or Defaulted: a Defaulted record the module booked is settled too (the
    ///      debtor paid after all), so that a default paid in full does not stay in the borrower's outstanding.
    ///      The day is the module's, as it saw the debt paid: a close held in its queue while this registry was
    ///      paused starts a settled default's retention on that day, not on delivery.
    function closeExposure(bytes32 loanRef, uint24 day) external whenNotPaused returns (bool) {
        LoanId id = _loanId(_requireModule(), loanRef);
        Loan memory loan = _knownLoan(id, _SINGLE);
        LoanStatus from = loan.status;
        if (!_canTransition(from, LoanStatus.Repaid, Actor.Module)) return false;
        uint256 today = block.timestamp / 1 days;
        uint256 settledOn = day > today ? today : (day < loan.originationDay ? loan.originationDay : day);
        (bytes32 key, ) = _rebookLoanWith(
            id,
            loan,
            _termsOf(id, loan),
            LoanStatus.Repaid,
            0,
            _DPD_UNKNOWN,
            Actor.Module,
            settledOn
        );
        emit LoanStatusChanged(id, key, from, LoanStatus.Repaid);
        return true;
    }

    /// @inheritdoc ICreditRegistry
    /// @dev Run here, not in the cold part: its account and the DELEGATECALL cost more than its body.
    function openDispute(MemberId reporter, bytes32 loanRef, bytes32 reason) external {
        // Active, and its roles from the opener's own word: one registry call, one slot.
        (MemberId opener, uint32 roles) = RegistryCalls.requireActiveWithRoles(memberRegistry, msg.sender);
        if (roles & _DISPUTE_ROLES == 0) revert CreditDisputeUnauthorized(msg.sender, opener);
        if (reason == 0) revert CreditInvalidReason();
        LoanId id = _loanId(reporter, loanRef);
        Loan memory loan = _knownLoan(id, _SINGLE);
        Dispute storage d = _disputes[id];
        if (MemberId.unwrap(d.openedBy) != 0) revert CreditDisputeAlreadyOpen(id);
        (d.openedBy, d.openedAt) = (opener, uint40(block.timestamp));
        emit DisputeOpened(id, opener, _borrowerKeys[loan.borrower], reason);
    }

    /// @inheritdoc ICreditRegistry
    function resolveDispute(MemberId reporter, bytes32 loanRef, bytes32 outcome) external {
        MemberId regulator = _requireRole(msg.sender, Role.Regulator);
        if (outcome == 0) revert CreditInvalidReason();
        (LoanId id, bytes32 key) = _openDispute(reporter, loanRef);
        delete _disputes[id];
        emit DisputeResolved(id, regulator, key, outcome);
    }

    // ─── Views ──────────────────────────────────────────────────────────────

    /// @inheritdoc ICreditRegistry
    function loanId(MemberId reporter, bytes32 loanRef) public pure returns (LoanId) {
        return LoanId.wrap(keccak256(abi.encode(reporter, loanRef)));
    }

    /// @inheritdoc ICreditModuleReports
    function isReporterModule(address module) external view returns (bool) {
        return _reporterModules[module];
    }

    /// @inheritdoc ICreditRegistry
    function jointLoanOf(MemberId funder, bytes32 loanRef) external view returns (LoanId) {
        Loan memory held = _loans[_loanId(funder, loanRef)];
        if (held.status != LoanStatus.None || MemberId.unwrap(held.lender) == 0) return LoanId.wrap(0);
        return _loanId(held.lender, loanRef);
    }

    /// @inheritdoc ICreditRegistry
    function getLoan(LoanId id) external view returns (LoanRecord memory) {
        Loan memory loan = _loans[id];
        return
            LoanRecord({
                borrowerKey: _borrowerKeys[loan.borrower],
                lender: loan.lender,
                kind: ProductKind(loan.kind & _KIND_MASK),
                status: loan.status,
                principal: loan.principal,
                outstanding: loan.outstanding,
                originationDay: loan.originationDay,
                maturityDay: loan.maturityDay
            });
    }

    /// @inheritdoc ICreditRegistry
    function exposureOf(bytes32 borrowerKey) external view returns (Exposure memory) {
        Borrower memory b = _borrowers[borrowerKey];
        return _exposure(b, _inquiriesInWindow(borrowerKey, b));
    }

    /// @inheritdoc ICreditRegistry
    function liveLoansOf(bytes32 borrowerKey, MemberId lender) external view returns (uint256) {
        return _liveLoans(_borrowers[borrowerKey].index, lender);
    }

    /// @inheritdoc ICreditRegistry
    function disputeOf(LoanId id) external view returns (MemberId openedBy, uint40 openedAt) {
        Dispute memory d = _disputes[id];
        return (d.openedBy, d.openedAt);
    }

    /// @inheritdoc ICreditRegistry
    function policy() external view returns (Policy memory) {
        return
            Policy({
                maxLenders: _maxLenders,
                maxInquiries: _maxInquiries,
                inquiryWindow: _inquiryWindow,
                maxOutstanding: _maxOutstanding,
                maxPlatformShareBps: _maxPlatformShareBps,
                mode: _mode,
                maxAprBps: _maxAprBps,
                graceDays: _graceDays
            });
    }

    /// @inheritdoc ICreditRegistry
    function borrowerCount() external view returns (uint256) {
        return _borrowerCount;
    }

    /// @inheritdoc ICreditRegistry
    function reportingCurrency() external view returns (bytes3) {
        return _currency;
    }

    /// @inheritdoc ICreditRegistry
    function consentBook() external view returns (IConsentBook) {
        return _consentBook;
    }

    /// @inheritdoc ICreditRegistry
    function termsOf(LoanId id) external view returns (LoanTerms memory) {
        Terms memory t = _terms[id];
        return LoanTerms({aprBps: t.aprBps, plan: _plan(t), bucket: t.bucket, negativeUntil: t.negativeUntil});
    }

    /// @inheritdoc ICreditRegistry
    function delinquencyOf(LoanId id) external view returns (Delinquency memory d) {
        Terms memory t = _terms[id];
        if (t.instalments == 0) return d;
        Plan memory p = _plan(t);
        Loan storage loan = _loans[id];
        uint64 outstanding = loan.outstanding;
        d.totalDue = InstalmentPlan.totalDue(p);
        d.paid = d.totalDue - outstanding;
        (d.oldestUnpaid, d.dueOnOldest) = InstalmentPlan.oldestUnpaid(p, d.paid);
        if (d.oldestUnpaid < p.instalments) d.oldestUnpaidDueDay = InstalmentPlan.dueDay(p, d.oldestUnpaid);
        // Only a live loan is past due: a written-off one keeps its outstanding, not a clock (review 30, RA-3). (A
        // repaid one owes nothing, and the rest have no plan.)
        if (loan.status != LoanStatus.WrittenOff)
            d.daysPastDue = InstalmentPlan.daysPastDue(p, outstanding, block.timestamp / 1 days);
    }

    /// @inheritdoc ICreditRegistry
    function profileOf(bytes32 borrowerKey) external view returns (Profile memory p) {
        Borrower memory b = _borrowers[borrowerKey];
        uint256 counts = _delinquent[borrowerKey];
        (p.activeLoans, p.activeLenders, p.outstanding) = (b.activeLoans, b.activeLenders, b.outstanding);
        (p.defaults, p.inquiries, p.liveSinceDay) = (b.defaults, _inquiriesInWindow(borrowerKey, b), b.liveSince);
        for (uint256 i; i < 4; ++i) p.delinquent[i] = uint64(counts >> (64 * i));
    }

    // ─── Run by CreditRegistryCold ──────────────────────────────────────────

    /// @inheritdoc ICreditRegistry
    function fileLoanRepayments(Repayment[] calldata) external {
        _runCold();
    }

    /// @inheritdoc ICreditRegistry
    function registerLoans(LoanInput[] calldata) external {
        _runCold();
    }

    /// @inheritdoc ICreditRegistry
    function registerJointLoan(LoanInput calldata, Funder[] calldata) external returns (LoanId) {
        _runCold();
    }

    /// @inheritdoc ICreditRegistry
    function ageLoan(LoanId) external {
        _runCold();
    }

    /// @inheritdoc ICreditRegistry
    function collectionInquiry(bytes32, bytes32, ConsentId) external returns (Exposure memory) {
        _runCold();
    }

    /// @inheritdoc ICreditRegistry
    function answerDispute(bytes32, bytes32) external {
        _runCold();
    }

    /// @inheritdoc ICreditRegistry
    function correctLoan(MemberId, bytes32, Correction calldata, bytes32) external {
        _runCold();
    }

    /// @inheritdoc ICreditRegistry
    function releaseJointLoanClaim(MemberId, bytes32, bytes32) external {
        _runCold();
    }

    /// @inheritdoc ICreditModuleReports
    function defaultExposure(bytes32) external returns (bool) {
        _runCold();
    }

    /// @inheritdoc ICreditModuleReports
    function setReporterModule(address, bool) external {
        _runCold();
    }

    // ─── Governance, run here ───────────────────────────────────────────────

    /// @inheritdoc ICreditRegistry
    function setPolicy(Policy calldata newPolicy) external onlyGovernor {
        _setPolicy(newPolicy);
    }

    // ─── The emergency pause ────────────────────────────────────────────────
    // Both halves run in the cold part (deployed with this contract and fixed in it, as `cold` is immutable): the
    // stop since stop 48, whose bytes let `setPolicy` run here; the lifting, which also works out the lenders'
    // catch-up, since stop 47.

    /// @inheritdoc ICreditRegistry
    function pause() external {
        _runCold();
    }

    /// @inheritdoc ICreditRegistry
    function unpause() external {
        _runCold();
    }

    /// @inheritdoc ICreditRegistry
    function paused() external view returns (bool) {
        return _pausedBy != 0;
    }

    /// @dev Runs this call's data in `cold` on this contract's storage and returns (or reverts) with its result.
    function _runCold() private {
        ColdPart.run(address(cold));
    }
}
