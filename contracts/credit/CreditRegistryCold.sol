// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ConsentId, ConsentPurpose, IConsentBook} from "../interfaces/IConsentBook.sol";
import {ICreditModuleReports} from "../interfaces/ICreditModuleReports.sol";
import {IMemberRegistry, MemberId, MemberStatus, Role} from "../interfaces/IMemberRegistry.sol";
import {LoanId, LoanStatus, ProductKind} from "../interfaces/ICreditRegistry.sol";
import {InstalmentPlan} from "../libraries/InstalmentPlan.sol";
import {RegistryCalls} from "../libraries/RegistryCalls.sol";

import {CreditRegistryBase} from "./CreditRegistryBase.sol";

/// @title CreditRegistryCold
/// @notice The less frequent operations of {CreditRegistry} (batches, joint loans and the release of their claims,
///         ageing, answers to disputes and corrections, a module's further default under a Defaulted record, the
///         policy, the lifting of a pause), run only by DELEGATECALL from the registry on its storage; see
///         {ICreditRegistry} for each. The emergency stop, `openDispute`, `resolveDispute` and the reporter-module
///         list run in the registry itself. Called directly it acts on its own empty storage and holds nothing.
contract CreditRegistryCold is CreditRegistryBase {
    constructor(
        IMemberRegistry registry,
        IConsentBook consents,
        bytes3 currency
    ) CreditRegistryBase(registry, consents, currency) {}

    /// @dev See {ICreditRegistry}.
    function registerLoans(LoanInput[] calldata loans) external whenNotPaused {
        MemberId lender = _requireRole(msg.sender, Role.Lender);
        uint256 n = loans.length;
        if (n == 0) revert CreditEmptyBatch();
        for (uint256 i; i < n; ++i) {
            if (loans[i].kind == ProductKind.JointLoan) {
                _fail(i, abi.encodeWithSelector(CreditInvalidProductKind.selector, loans[i].kind));
            }
            _register(lender, lender, loans[i], i);
        }
    }

    /// @dev See {ICreditRegistry}.
    function fileLoanRepayments(Repayment[] calldata repayments) external whenNotPaused {
        MemberId reporter = _requireActive(msg.sender);
        uint256 n = repayments.length;
        if (n == 0) revert CreditEmptyBatch();
        for (uint256 i; i < n; ++i) {
            _repay(reporter, repayments[i].loanRef, repayments[i].amount, i);
        }
    }

    /// @dev See {ICreditRegistry}.
    function registerJointLoan(
        LoanInput calldata loan,
        Funder[] calldata funders
    ) external whenNotPaused returns (LoanId id) {
        MemberId lender = _requireRole(msg.sender, Role.Lender);
        if (loan.kind != ProductKind.JointLoan) revert CreditInvalidProductKind(loan.kind);
        _checkFunders(lender, funders);
        id = _register(lender, lender, loan, _single());
        MemberId[] memory members = new MemberId[](funders.length);
        uint16[] memory shares = new uint16[](funders.length);
        bytes32 ref = loan.loanRef;
        for (uint256 i; i < funders.length; ++i) {
            MemberId funder = funders[i].member;
            (members[i], shares[i]) = (funder, funders[i].shareBps);
            if (MemberId.unwrap(funder) == MemberId.unwrap(lender)) continue;
            // Claim the facility's reference for the funder: neither it nor another joint loan can book it again.
            LoanId claim = _loanId(funder, ref);
            Loan memory held = _loans[claim];
            if (held.status != LoanStatus.None || MemberId.unwrap(held.lender) != 0) {
                revert CreditJointLoanFunderBooked(funder, ref, _bookedAs(claim, held, ref));
            }
            _loans[claim].lender = lender;
        }
        emit JointLoanFunded(id, members, shares);
    }

    /// @dev See {ICreditModuleReports}: run here only for a further default under the reference of an existing record
    ///      (another piece of a family its financier holds). A live record (Active or Overdue, after a Regulator's
    ///      correction, or Defaulted) becomes Defaulted with the amount added: one default per reference, however
    ///      many pieces it covers. A closed one (Repaid, WrittenOff) is left as it is, as `closeExposure` leaves it,
    ///      so that no report under the reference is refused for good (adversarial review 5, R5-1).
    function reportDefault(
        MemberId lender,
        MemberId borrower,
        bytes32 loanRef,
        ProductKind,
        uint64 amount,
        uint24,
        bytes32 commitment
    ) external whenNotPaused {
        LoanId id = _loanId(_requireModule(), loanRef);
        Loan memory loan = _loans[id];
        bytes32 key = _keyOf(borrower);
        if (MemberId.unwrap(loan.lender) != MemberId.unwrap(lender) || _borrowerKeys[loan.borrower] != key) {
            revert CreditLoanAlreadyRegistered(id);
        }
        LoanStatus from = loan.status;
        if (!_canTransition(from, LoanStatus.Defaulted, Actor.Module)) {
            emit ICreditModuleReports.DefaultNotAdded(id, key, amount, from);
            return;
        }
        loan.principal += amount;
        _rebookLoan(id, loan, LoanStatus.Defaulted, loan.outstanding + amount, Actor.Module);
        if (from != LoanStatus.Defaulted) emit LoanStatusChanged(id, key, from, LoanStatus.Defaulted);
        emit ICreditModuleReports.DefaultAdded(id, key, amount, loan.outstanding, commitment);
    }

    /// @dev See {ICreditModuleReports}. The module says its borrower did not repay: the seller a financier had
    ///      recourse to, the exporter whose order left its advance unpaid (adversarial review 4, open since).
    function defaultExposure(bytes32 loanRef) external whenNotPaused returns (bool) {
        LoanId id = _loanId(_requireModule(), loanRef);
        Loan memory loan = _knownLoan(id, _SINGLE);
        LoanStatus from = loan.status;
        if (from == LoanStatus.Defaulted || !_canTransition(from, LoanStatus.Defaulted, Actor.Module)) return false;
        (bytes32 key, ) = _rebookLoan(id, loan, LoanStatus.Defaulted, loan.outstanding, Actor.Module);
        emit LoanStatusChanged(id, key, from, LoanStatus.Defaulted);
        return true;
    }

    /// @dev The seconds this registry was paused from `from` until now (it is not paused now: only a live loan asks):
    ///      the seconds paused in all, less those before the first logged pause that ended after `from` (a binary
    ///      search of the log, so that no number of pauses makes it undercount: review 37, C2), less that pause's own
    ///      part before `from`.
    function _pausedAfter(uint256 from) private view returns (uint256) {
        uint256 n = _pauseCount;
        if (n == 0) return 0;
        (uint256 lo, uint256 hi) = (0, n - 1);
        if (uint40(_pauses[hi] >> 40) <= from) return 0;
        while (lo < hi) {
            uint256 mid = (lo + hi) / 2;
            if (uint40(_pauses[mid] >> 40) <= from) lo = mid + 1;
            else hi = mid;
        }
        uint256 entry = _pauses[lo];
        (uint256 start, uint256 end, uint256 totalAtEnd) = (uint40(entry), uint40(entry >> 40), entry >> 80);
        uint256 before = totalAtEnd - (end - start) + (start < from ? from - start : 0);
        return _pausedTotal - before;
    }

    /// @dev See {ICreditRegistry}.
    function ageLoan(LoanId id) external {
        Loan memory loan = _knownLoan(id, _SINGLE);
        LoanStatus from = loan.status;
        // A settled record only ends its retention, which helps the borrower and which nobody's report could stop: it
        // is not held past its five years by a pause (review 34, C2). A live loan is aged only while not paused.
        if (_isLive(from)) _requireNotPaused();
        // The terms are read, and the days past due worked out, once: the rebooking reuses both (same outstanding).
        Terms memory t = _termsOf(id, loan);
        (bool hasPlan, uint8 bucket) = (t.instalments != 0, t.bucket);
        uint256 dpd;
        if (hasPlan && _isLive(from)) {
            // Only a lender that can report a repayment is aged against: a suspended or revoked one cannot, and a
            // borrower who paid it would be made delinquent on a stale outstanding.
            (MemberStatus standing, uint256 since) = RegistryCalls.statusSinceOf(memberRegistry, loan.lender);
            if (standing != MemberStatus.Active) revert CreditLenderInactive(id, loan.lender, standing);
            // Nor right after a time it could not report: the lender suspended (its silence counts `graceDays`
            // whole days of an unpaused registry after its reinstatement's day: the member registry keeps the day,
            // not the time), or the registry paused (as many seconds after it resumed as the pause lasted,
            // `graceDays` at most) (review 30, RA-2; review 31, D1; review 34, C1). The lender's time is counted over
            // the pause log, so every pause since that day gives back all the time it took (review 36, K1 and K2),
            // and the later of the two ends is the one a refusal names (review 37, C1).
            uint256 reportableFrom = since * 1 days;
            uint256 needed = (uint256(_graceDays) + 1) * 1 days;
            uint256 agesFrom = reportableFrom + needed;
            // The log is read only when a pause ended after that day and less than the catch-up before now: after
            // that long unpaused, the lender has had its catch-up whatever the pauses before.
            uint256 resumed = _resumedAt;
            if (resumed > reportableFrom && block.timestamp < resumed + needed)
                agesFrom += _pausedAfter(reportableFrom);
            if (_agesFrom > agesFrom) (reportableFrom, agesFrom) = (_resumedAt, _agesFrom);
            if (block.timestamp < agesFrom) revert CreditLenderCatchingUp(id, reportableFrom, agesFrom);
            dpd = InstalmentPlan.daysPastDue(_plan(t), loan.outstanding, block.timestamp / 1 days);
        }
        LoanStatus to =
            hasPlan && dpd > _graceDays && _canTransition(from, LoanStatus.Overdue, Actor.Anyone)
                ? LoanStatus.Overdue
                : from;
        (bytes32 key, bool termsChanged) = _rebookLoanWith(
            id,
            loan,
            t,
            to,
            loan.outstanding,
            dpd,
            Actor.Anyone,
            block.timestamp / 1 days
        );
        if (to == from && !termsChanged) revert CreditNothingToAge(id, dpd, bucket);
        if (to != from) emit LoanStatusChanged(id, key, from, to);
    }

    /// @dev See {ICreditRegistry}. A written-off debt is still collected, though its loan no longer counts in the
    ///      lender's live loans that `inquire` asks for (review 34, C3).
    function collectionInquiry(
        bytes32 borrowerKey,
        bytes32 loanRef,
        ConsentId consent
    ) external whenNotPaused returns (Exposure memory) {
        MemberId lender = _requireRole(msg.sender, Role.Lender);
        Loan memory loan = _loans[_loanId(lender, loanRef)];
        // A joint loan's co-funder holds a claim on its reference (no status, its reporter as lender): it collects
        // the joint loan it funds (review 38, J1).
        if (loan.status == LoanStatus.None && MemberId.unwrap(loan.lender) != 0) {
            loan = _loans[_loanId(loan.lender, loanRef)];
        }
        bool owed = loan.outstanding != 0 && (_isLive(loan.status) || loan.status == LoanStatus.WrittenOff);
        if (!owed || _borrowerKeys[loan.borrower] != borrowerKey || borrowerKey == 0) {
            revert CreditNoAccountHeld(lender, borrowerKey, ConsentPurpose.Collections);
        }
        _consentBook.requireConsent(consent, borrowerKey, lender, ConsentPurpose.Collections);
        Borrower memory b = _borrowers[borrowerKey];
        emit CreditInquired(lender, borrowerKey, ConsentPurpose.Collections, consent);
        return _exposure(b, _inquiriesInWindow(borrowerKey, b));
    }

    // ─── Disputes ───────────────────────────────────────────────────────────

    /// @dev See {ICreditRegistry}.
    function answerDispute(bytes32 loanRef, bytes32 response) external {
        MemberId lender = _requireActive(msg.sender);
        if (response == 0) revert CreditInvalidCommitment();
        (LoanId id, bytes32 key) = _openDispute(lender, loanRef);
        emit DisputeAnswered(id, lender, key, response);
    }

    /// @dev See {ICreditRegistry}.
    function correctLoan(MemberId reporter, bytes32 loanRef, Correction calldata correction, bytes32 reason) external {
        MemberId regulator = _requireRole(msg.sender, Role.Regulator);
        // The corrected record's commitment and the reason, as registration asks for the first (review 32, C3).
        if (correction.commitment == 0) revert CreditInvalidCommitment();
        if (reason == 0) revert CreditInvalidReason();
        (LoanId id, ) = _openDispute(reporter, loanRef);
        Loan memory loan = _loans[id];
        LoanStatus s = correction.status;
        uint64 outstanding = correction.outstanding;
        if (
            !_canTransition(loan.status, s, Actor.Regulator) ||
            outstanding > _ceiling(id, loan) ||
            (s == LoanStatus.Repaid && outstanding != 0) ||
            ((s == LoanStatus.Active || s == LoanStatus.Overdue) && outstanding == 0)
        ) revert CreditInvalidCorrection(id, s, outstanding);
        (bytes32 key, ) = _rebookLoan(id, loan, s, outstanding, Actor.Regulator);
        emit LoanCorrected(id, regulator, key, s, outstanding, correction.commitment, reason);
    }

    /// @dev See {ICreditRegistry}.
    function releaseJointLoanClaim(MemberId funder, bytes32 loanRef, bytes32 reason) external {
        MemberId regulator = _requireRole(msg.sender, Role.Regulator);
        if (reason == 0) revert CreditInvalidReason();
        LoanId id = _loanId(funder, loanRef);
        Loan memory held = _loans[id];
        if (held.status != LoanStatus.None || MemberId.unwrap(held.lender) == 0) {
            revert CreditJointLoanClaimUnknown(funder, loanRef);
        }
        delete _loans[id];
        emit JointLoanClaimReleased(funder, loanRef, _loanId(held.lender, loanRef), regulator, reason);
    }

    // ─── Governor ───────────────────────────────────────────────────────────

    /// @dev See {ICreditModuleReports}. Run here since stop 48, whose bytes let `setPolicy` run in the registry.
    function setReporterModule(address module, bool allowed) external onlyGovernor {
        if (allowed && module.code.length == 0) revert CreditReporterModuleInvalid(module);
        _reporterModules[module] = allowed;
        emit ICreditModuleReports.ReporterModuleSet(module, allowed);
    }

    /// @dev See {ICreditRegistry}: the pausing half of the modules' pause rule (see {IEmergencyPause}). The governor
    ///      or an active Regulator pauses; pausing again is the governor taking over a Regulator's pause (review 30,
    ///      B2), which keeps the pause's start.
    function pause() external {
        uint8 by = _pausedBy;
        bool governor = _isGovernor(msg.sender);
        if (by != 0 && !(governor && by == _PAUSED_BY_REGULATOR)) revert EnforcedPause();
        if (!governor) _requireRole(msg.sender, Role.Regulator);
        _pausedBy = governor ? _PAUSED_BY_GOVERNOR : _PAUSED_BY_REGULATOR;
        if (by == 0) _pausedSince = uint40(block.timestamp);
        emit Paused(msg.sender);
    }

    /// @dev See {ICreditRegistry}: the lifting half of the modules' pause rule (see {IEmergencyPause}). The governor
    ///      or an active Regulator lifts a Regulator's pause; only the governor lifts the governor's.
    function unpause() external {
        uint8 by = _pausedBy;
        if (by == 0) revert ExpectedPause();
        if (!_isGovernor(msg.sender)) {
            if (by == _PAUSED_BY_GOVERNOR) revert PauseLiftUnauthorized(msg.sender);
            _requireRole(msg.sender, Role.Regulator);
        }
        _pausedBy = 0;
        // Nothing ages while paused; after, the lenders' silence counts once the time the pause took (at most the
        // grace days) has passed again. The catch-up runs only while unpaused: what was left of an earlier one when
        // this pause began is added to this pause's length (review 34, C1), so a later, shorter pause never shortens
        // it (review 32, C1), and pieces add up.
        // Unchecked: times are 40-bit seconds, the pause began before now, and neither the log's count nor the total
        // paused time (64 bits of seconds) can wrap.
        unchecked {
            uint256 since = _pausedSince;
            uint256 was = _agesFrom;
            uint256 catchUp = (was > since ? was - since : 0) + (block.timestamp - since);
            uint256 most = uint256(_graceDays) * 1 days;
            uint256 agesFrom = block.timestamp + (catchUp < most ? catchUp : most);
            // A pause that lasted is logged, for a lender's own catch-up (review 36, K1 and K2).
            (uint32 n, uint64 total) = (_pauseCount, _pausedTotal + uint64(block.timestamp - since));
            if (block.timestamp > since) _pauses[n++] = since | (block.timestamp << 40) | (uint256(total) << 80);
            (_resumedAt, _agesFrom, _pauseCount, _pausedTotal) = (
                uint40(block.timestamp),
                uint40(agesFrom > was ? agesFrom : was),
                n,
                total
            );
        }
        emit Unpaused(msg.sender);
    }
}
