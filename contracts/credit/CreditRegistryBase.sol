// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {RegistryCalls} from "../libraries/RegistryCalls.sol";
import {MemberGated} from "../access/MemberGated.sol";
import {IConsentBook} from "../interfaces/IConsentBook.sol";
import {ICreditModuleReports} from "../interfaces/ICreditModuleReports.sol";
import {InstalmentPlan} from "../libraries/InstalmentPlan.sol";
import {IMemberRegistry, MemberId, MemberStatus, Role} from "../interfaces/IMemberRegistry.sol";
import {
    Frequency,
    ICreditRegistryTypes,
    LoanId,
    LoanStatus,
    PolicyLimit,
    PolicyMode,
    ProductKind
} from "../interfaces/ICreditRegistry.sol";

/// @title CreditRegistryBase
/// @notice The storage and shared internals of {CreditRegistry} and {CreditRegistryCold}: the registry runs its
///         frequent
///         operations itself and the others in {CreditRegistryCold} by DELEGATECALL on its own storage, so that each
///         part stays well under the EIP-170 size limit.
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
abstract contract CreditRegistryBase is ICreditRegistryTypes, MemberGated {
    /// @notice Most funders a joint loan may have.
    uint256 public constant MAX_FUNDERS = 8;

    /// @notice How many distinct lenders' latest inquiries a borrower's rolling window holds.
    uint256 public constant INQUIRY_SLOTS = 8;

    /// @notice Most instalments a plan may have.
    uint256 public constant MAX_INSTALMENTS = InstalmentPlan.MAX_INSTALMENTS;

    /// @notice How long a negative record counts after the loan was settled or written off: five years, the credit
    ///         reference centre's rule.
    uint256 public constant RETENTION_MONTHS = 60;

    uint256 internal constant _BPS = 10_000;

    uint256 internal constant _SINGLE = type(uint256).max; // "not in a batch": errors are raised bare
    uint256 internal constant _DPD_UNKNOWN = type(uint256).max; // "not worked out yet", to {_rebookLoanWith}
    uint32 internal constant _LENDING_ROLES = uint32(1 << uint8(Role.Lender)) | uint32(1 << uint8(Role.Financier));

    uint32 internal constant _PLATFORM_ROLE = uint32(1 << uint8(Role.Platform));

    uint8 internal constant _HAS_TERMS = 0x80; // in `Loan.kind`: the loan has a `Terms` slot
    uint8 internal constant _KIND_MASK = 0x7f;

    uint256 internal constant _LANES = 8; // 32-bit live-loan counters per slot
    uint256 internal constant _LANE_MASK = 0xffffffff;

    uint8 internal constant _PAUSED_BY_REGULATOR = 1;
    uint8 internal constant _PAUSED_BY_GOVERNOR = 2;
    uint256 internal constant _ENTRY_MASK = 0xffffffffffffffff; // one inquiry: lender (high 32 bits), time (low 32)

    /// @dev Who asks for a status change; each has its row in {_canTransition}.
    enum Actor {
        Lender,
        Module,
        Regulator,
        Anyone // `ageLoan`: only what time makes due
    }

    /// @dev One loan in one slot (256 bits).
    struct Loan {
        uint32 borrower; // index into _borrowerKeys
        MemberId lender;
        uint64 principal;
        uint64 outstanding;
        uint24 originationDay;
        uint24 maturityDay;
        uint8 kind; // the ProductKind, and _HAS_TERMS when the loan has a `Terms` slot (read only then)
        LoanStatus status;
    }

    /// @dev One borrower's aggregates in one slot (256 bits).
    struct Borrower {
        uint32 index; // 0 until the first loan
        uint24 activeLoans;
        uint16 activeLenders;
        uint24 defaults;
        uint40 lastInquiry; // time of the latest inquiry; the ring is read only while it is within the window
        uint96 outstanding;
        uint24 liveSince; // the day the current unbroken run of live loans began on the registry (not a lender's date)
    }

    /// @dev A loan's consumer-credit terms, in one slot (232 bits); absent for loans without a plan, an APR or a
    ///      retained negative record.
    struct Terms {
        uint32 aprBps;
        uint8 instalments;
        Frequency frequency;
        uint24 firstDueDay;
        uint64 instalment;
        uint64 finalInstalment;
        uint8 bucket; // the delinquency bucket the loan is counted in
        uint24 negativeUntil; // the day its retained negative record stops counting; 0 when none is retained
    }

    /// @dev How a loan's contribution to its borrower's totals changes.
    struct Move {
        bool wasLive;
        bool isLive;
        bool wasDefault;
        bool isDefault;
        uint64 fromOutstanding;
        uint64 toOutstanding;
    }

    struct Dispute {
        MemberId openedBy;
        uint40 openedAt;
    }

    bytes3 internal immutable _currency;

    IConsentBook internal immutable _consentBook;

    /// @dev Who paused: 0 nobody, else `_PAUSED_BY_REGULATOR` or `_PAUSED_BY_GOVERNOR`. The modules' rule (see
    ///      {IEmergencyPause}): the governor or a Regulator pauses; only the governor lifts the governor's pause. The
    ///      registry keeps no deadlines, so it needs no active clock.
    uint8 internal _pausedBy;

    // Policy: declared field by field so it packs into the pause's slot, read once per transaction.
    uint16 internal _maxLenders;

    uint32 internal _maxInquiries;

    uint32 internal _inquiryWindow;

    uint96 internal _maxOutstanding;

    uint16 internal _maxPlatformShareBps;

    PolicyMode internal _mode;

    uint32 internal _maxAprBps;

    uint16 internal _graceDays;

    uint32 internal _borrowerCount;

    mapping(bytes32 borrowerKey => Borrower) internal _borrowers;

    mapping(uint32 index => bytes32 borrowerKey) internal _borrowerKeys;

    mapping(uint256 laneSlot => uint256 counters) internal _lenderLoans;

    mapping(LoanId => Loan) internal _loans;

    mapping(LoanId => Dispute) internal _disputes;

    mapping(bytes32 borrowerKey => uint256[2] entries) internal _inquiryRing;

    mapping(address module => bool) internal _reporterModules;

    mapping(LoanId => Terms) internal _terms;

    mapping(bytes32 borrowerKey => uint256 counts) internal _delinquent; // four 64-bit counters, bucket 1 lowest

    /// @dev The pause's own slot, which only the pause writes and only `ageLoan` reads (review 30, RA-2), in Unix
    ///      seconds: when the current pause began; when this registry last resumed; and when loans age again, as long
    ///      after it as the registry was paused, `_graceDays` at most. No repayment could be reported while paused,
    ///      and a pause lifted at once (a Regulator's pause and resume in one block) gives no extra time (review 31,
    ///      D1). Counted in seconds and carried from one pause to the next, so that a pause cut into pieces of under
    ///      a day gives back all its time (review 34, C1).
    uint40 internal _pausedSince;
    uint40 internal _resumedAt;
    uint40 internal _agesFrom;
    uint32 internal _pauseCount;
    uint64 internal _pausedTotal; // seconds paused in all, by the pauses logged in `_pauses`

    /// @dev Every pause that lasted, in order: `start | end << 40 | pausedTotal << 80` (Unix seconds; the seconds
    ///      paused in all up to its end). Only the pause writes it and only `ageLoan` reads it (a binary search), to
    ///      count the time a lender could report since its reinstatement (review 36, K1 and K2; review 37, C2): the
    ///      member registry keeps the day of that, and pauses may have cut into it.
    mapping(uint256 index => uint256 entry) internal _pauses;

    modifier whenNotPaused() {
        _requireNotPaused();
        _;
    }

    constructor(IMemberRegistry registry, IConsentBook consents, bytes3 currency) MemberGated(registry) {
        for (uint256 i; i < 3; ++i) {
            if (currency[i] < "A" || currency[i] > "Z") revert CreditInvalidCurrency(currency);
        }
        if (address(consents).code.length == 0) revert CreditReporterModuleInvalid(address(consents));
        _currency = currency;
        _consentBook = consents;
    }

    // ─── Registration ───────────────────────────────────────────────────────

    /// @dev Validates and books one loan of `reporter`, carried by `lender`; `index` is its place in a batch. A
    ///      module's record (reporter is not the lender) is only flagged by the policy, in enforce mode too; a
    ///      module's default is booked Defaulted and the policy is not applied. (Derived here rather than passed:
    ///      literal arguments would make the optimizer compile one copy of this function per call site.)
    function _register(
        MemberId reporter,
        MemberId lender,
        LoanInput memory input,
        uint256 index
    ) internal returns (LoanId id) {
        _validate(input, index);
        id = _loanId(reporter, input.loanRef);
        Loan memory held = _loans[id];
        if (held.status != LoanStatus.None) {
            _fail(index, abi.encodeWithSelector(CreditLoanAlreadyRegistered.selector, id));
        }
        if (MemberId.unwrap(held.lender) != 0) {
            _fail(
                index,
                abi.encodeWithSelector(
                    CreditJointLoanFunderBooked.selector,
                    reporter,
                    input.loanRef,
                    _loanId(held.lender, input.loanRef)
                )
            );
        }
        bytes32 key = input.borrowerKey;
        Borrower memory b = _borrowers[key];
        if (b.index == 0) {
            b.index = ++_borrowerCount;
            _borrowerKeys[b.index] = key;
        }
        bool defaulted = _isDefaultReport();
        bool hasTerms = input.plan.instalments != 0 || input.aprBps != 0;
        LoanStatus status = defaulted ? LoanStatus.Defaulted : LoanStatus.Active;
        _rebook(b, lender, Move(false, true, false, defaulted, 0, input.outstanding));
        _borrowers[key] = b;
        _storeLoan(
            id,
            Loan({
                borrower: b.index,
                lender: lender,
                principal: input.principal,
                outstanding: input.outstanding,
                originationDay: input.originationDay,
                maturityDay: input.maturityDay,
                kind: uint8(input.kind) | (hasTerms ? _HAS_TERMS : 0),
                status: status
            })
        );
        _emitRegistered(id, lender, reporter, input);
        if (hasTerms) _bookTerms(id, key, input);
        if (defaulted) emit LoanStatusChanged(id, key, LoanStatus.None, status);
        else {
            bool module = MemberId.unwrap(reporter) != MemberId.unwrap(lender);
            _applyPolicy(key, id, b, input, module ? PolicyMode.Flag : _mode, index);
        }
    }

    function _emitRegistered(LoanId id, MemberId lender, MemberId reporter, LoanInput memory input) internal {
        emit LoanRegistered(
            id,
            input.borrowerKey,
            lender,
            reporter,
            input.loanRef,
            input.kind,
            input.principal,
            input.outstanding,
            input.originationDay,
            input.maturityDay,
            input.commitment
        );
    }

    /// @dev Input checks of one record.
    function _validate(LoanInput memory input, uint256 index) internal view {
        if (input.loanRef == 0) _fail(index, abi.encodeWithSelector(CreditInvalidLoanRef.selector));
        if (input.borrowerKey == 0) _fail(index, abi.encodeWithSelector(CreditInvalidBorrowerKey.selector));
        if (input.commitment == 0) _fail(index, abi.encodeWithSelector(CreditInvalidCommitment.selector));
        Plan memory p = input.plan;
        bool planned = p.instalments != 0;
        if (input.principal == 0 || input.outstanding == 0 || (!planned && input.outstanding > input.principal)) {
            _fail(index, abi.encodeWithSelector(CreditInvalidAmounts.selector, input.principal, input.outstanding));
        }
        uint24 today = uint24(block.timestamp / 1 days);
        if (input.originationDay > today || input.maturityDay < input.originationDay) {
            _fail(
                index,
                abi.encodeWithSelector(CreditInvalidDates.selector, input.originationDay, input.maturityDay, today)
            );
        }
        if (
            planned ||
            p.frequency != Frequency.Weekly ||
            p.firstDueDay != 0 ||
            p.instalment != 0 ||
            p.finalInstalment != 0
        ) {
            _validatePlan(input, index);
        }
    }

    /// @dev Checks of a loan's instalment plan: its length, amounts and dates, and the outstanding against it.
    function _validatePlan(LoanInput memory input, uint256 index) internal pure {
        Plan memory p = input.plan;
        if (p.instalments == 0 || p.instalments > MAX_INSTALMENTS) {
            _fail(index, abi.encodeWithSelector(CreditInvalidPlanLength.selector, p.instalments, MAX_INSTALMENTS));
        }
        if (p.finalInstalment == 0 || (p.instalments > 1 && p.instalment == 0)) {
            _fail(index, abi.encodeWithSelector(CreditInvalidPlanAmounts.selector, p.instalment, p.finalInstalment));
        }
        uint256 total = InstalmentPlan.totalDue(p);
        if (total < input.principal) {
            _fail(index, abi.encodeWithSelector(CreditPlanBelowPrincipal.selector, total, input.principal));
        }
        if (input.outstanding > total) {
            _fail(index, abi.encodeWithSelector(CreditOutstandingAbovePlan.selector, input.outstanding, total));
        }
        if (p.firstDueDay < input.originationDay) {
            _fail(
                index,
                abi.encodeWithSelector(CreditPlanBeforeOrigination.selector, p.firstDueDay, input.originationDay)
            );
        }
        uint256 last = InstalmentPlan.dueDay(p, p.instalments - 1);
        if (input.maturityDay != last) {
            _fail(index, abi.encodeWithSelector(CreditMaturityNotLastDueDay.selector, input.maturityDay, last));
        }
        uint256 meanDays = InstalmentPlan.meanDueDaysWad(p, input.originationDay, total);
        if (!InstalmentPlan.aprCovers(input.aprBps, input.principal, total, meanDays)) {
            _fail(
                index,
                abi.encodeWithSelector(
                    CreditAprBelowPlan.selector,
                    input.aprBps,
                    total,
                    input.principal,
                    meanDays / 1e18
                )
            );
        }
    }

    /// @dev Stores a new loan's APR and plan, and counts it in its delinquency bucket if it is already past due.
    function _bookTerms(LoanId id, bytes32 key, LoanInput memory input) internal {
        Plan memory p = input.plan;
        Terms memory t = Terms({
            aprBps: input.aprBps,
            instalments: p.instalments,
            frequency: p.frequency,
            firstDueDay: p.firstDueDay,
            instalment: p.instalment,
            finalInstalment: p.finalInstalment,
            bucket: 0,
            negativeUntil: 0
        });
        if (p.instalments != 0) {
            uint256 dpd = InstalmentPlan.daysPastDue(p, input.outstanding, block.timestamp / 1 days);
            _moveBucket(id, key, t, InstalmentPlan.bucket(dpd), dpd);
        }
        _storeTerms(id, t);
        emit LoanTermsRegistered(id, input.aprBps, p);
    }

    /// @dev Compares the borrower's new aggregates with the policy: reverts in enforce `mode`, flags otherwise.
    function _applyPolicy(
        bytes32 key,
        LoanId id,
        Borrower memory b,
        LoanInput memory input,
        PolicyMode mode,
        uint256 index
    ) internal {
        uint256 max = _maxAprBps;
        if (max != 0 && _capped(input.kind) && input.aprBps > max) {
            _breach(mode, key, id, PolicyLimit.Apr, input.aprBps, max, index);
        }
        max = _maxLenders;
        if (max != 0 && b.activeLenders > max) {
            _breach(mode, key, id, PolicyLimit.DistinctLenders, b.activeLenders, max, index);
        }
        max = _maxOutstanding;
        if (max != 0 && b.outstanding > max) _breach(mode, key, id, PolicyLimit.Outstanding, b.outstanding, max, index);
        max = _maxInquiries;
        if (max != 0) {
            uint256 inquiries = _inquiriesInWindow(key, b);
            if (inquiries > max) _breach(mode, key, id, PolicyLimit.Inquiries, inquiries, max, index);
        }
    }

    function _breach(
        PolicyMode mode,
        bytes32 key,
        LoanId id,
        PolicyLimit limit,
        uint256 value,
        uint256 max,
        uint256 index
    ) internal {
        if (mode == PolicyMode.Enforce) {
            _fail(index, abi.encodeWithSelector(CreditPolicyLimitExceeded.selector, key, limit, value, max));
        }
        emit MultiBorrowingFlagged(key, id, limit, value, max);
    }

    /// @dev Funders of a joint loan: 2..MAX_FUNDERS distinct eligible lenders, shares summing to 10,000, platforms
    ///      within their cap, and the reporter among them.
    function _checkFunders(MemberId reporter, Funder[] calldata funders) internal view {
        uint256 n = funders.length;
        if (n < 2 || n > MAX_FUNDERS) revert CreditInvalidFunderCount(n);
        uint16 cap = _maxPlatformShareBps;
        uint256 total;
        bool reporterFunds;
        for (uint256 i; i < n; ++i) {
            MemberId member = funders[i].member;
            uint16 share = funders[i].shareBps;
            for (uint256 j; j < i; ++j) {
                if (MemberId.unwrap(funders[j].member) == MemberId.unwrap(member)) revert CreditDuplicateFunder(member);
            }
            if (share == 0) revert CreditInvalidShare(member);
            (MemberStatus status, uint32 roles) = RegistryCalls.standingOf(memberRegistry, member);
            if (status != MemberStatus.Active || roles & _LENDING_ROLES == 0) {
                revert CreditLenderIneligible(member, status, roles);
            }
            if (roles & _PLATFORM_ROLE != 0 && share > cap) revert CreditPlatformShareExceeded(member, share, cap);
            total += share;
            if (MemberId.unwrap(member) == MemberId.unwrap(reporter)) reporterFunds = true;
        }
        if (total != _BPS) revert CreditSharesNotWhole(total);
        if (!reporterFunds) revert CreditReporterNotFunder(reporter);
    }

    // ─── Lifecycle ──────────────────────────────────────────────────────────

    function _repay(MemberId reporter, bytes32 loanRef, uint64 amount, uint256 index) internal {
        LoanId id = _loanId(reporter, loanRef);
        Loan memory loan = _knownLoan(id, index);
        LoanStatus from = loan.status;
        // A repayment is a step towards Repaid: it applies exactly where the lender may settle the loan.
        if (!_canTransition(from, LoanStatus.Repaid, Actor.Lender)) {
            _fail(index, abi.encodeWithSelector(CreditLoanNotPerforming.selector, id, from));
        }
        if (amount == 0 || amount > loan.outstanding) {
            _fail(index, abi.encodeWithSelector(CreditInvalidRepayment.selector, id, amount, loan.outstanding));
        }
        uint64 outstanding = loan.outstanding - amount;
        LoanStatus to = outstanding == 0 ? LoanStatus.Repaid : from;
        (bytes32 key, ) = _rebookLoan(id, loan, to, outstanding, Actor.Lender);
        emit LoanRepaid(id, key, amount, outstanding);
        if (to != from) emit LoanStatusChanged(id, key, from, to);
    }

    /// @dev The one transition table of every status change of a booked loan. A Regulator's correction may set
    ///      any status (its amounts are checked by `correctLoan`); a module may only settle a live record it booked,
    ///      a Defaulted one included (the debtor paid after all); a lender follows the lifecycle, and may record
    ///      recoveries on a Defaulted loan and its settlement. Repayments ask for `to == Repaid`: they apply where the
    ///      lender may settle the loan.
    function _canTransition(LoanStatus from, LoanStatus to, Actor actor) internal pure returns (bool) {
        if (from == LoanStatus.None || to == LoanStatus.None) return false;
        if (actor == Actor.Regulator) return true;
        if (actor == Actor.Anyone) return from == LoanStatus.Active && to == LoanStatus.Overdue;
        bool performing = from == LoanStatus.Active || from == LoanStatus.Overdue;
        // A module closes its live record, or books a further default on it (adversarial review 5, R5-1).
        if (actor == Actor.Module) {
            return
                (to == LoanStatus.Repaid || to == LoanStatus.Defaulted) && (performing || from == LoanStatus.Defaulted);
        }
        if (to == LoanStatus.Repaid) return performing || from == LoanStatus.Defaulted;
        if (from == LoanStatus.Active) return to == LoanStatus.Overdue;
        if (from == LoanStatus.Overdue) return to == LoanStatus.Active || to == LoanStatus.Defaulted;
        return from == LoanStatus.Defaulted && to == LoanStatus.WrittenOff;
    }

    /// @dev What blocks a joint loan from claiming `claim` (funder, `ref`): the funder's own loan, or the joint
    ///      loan that claimed it first.
    function _bookedAs(LoanId claim, Loan memory held, bytes32 ref) internal pure returns (LoanId) {
        return held.status != LoanStatus.None ? claim : _loanId(held.lender, ref);
    }

    /// @dev Books a module's record: an exposure (Active, flagged but never refused by the policy) or a default
    ///      (Defaulted, maturing on its day, the policy not applied), about member `borrower` under its entity key.
    ///      Its dates are the module's, fixed at the event, and the lender is checked only for what cannot change
    ///      after it (a member): the module checked its role when the money moved, and a report the module held in
    ///      its queue must stay deliverable whatever happens meanwhile (adversarial review 7, G1).
    function _reportModule(
        MemberId module,
        MemberId lender,
        MemberId borrower,
        bytes32 loanRef,
        ProductKind kind,
        uint64 amount,
        uint24 originationDay,
        uint24 maturityDay,
        bytes32 commitment
    ) internal {
        if (kind == ProductKind.JointLoan) revert CreditInvalidProductKind(kind);
        _requireKnownLender(lender);
        LoanInput memory input = LoanInput(
            loanRef,
            _keyOf(borrower),
            kind,
            amount,
            amount,
            originationDay,
            maturityDay,
            commitment,
            0,
            Plan(0, Frequency.Weekly, 0, 0, 0)
        );
        _register(module, lender, input, _single());
    }

    /// @dev `_SINGLE`, as a value the optimizer cannot see (a literal would get `_register` compiled once per caller).
    function _single() internal pure returns (uint256) {
        return msg.sig == 0 ? 0 : _SINGLE;
    }

    /// @dev Whether this call is a module's `reportDefault`.
    function _isDefaultReport() internal pure returns (bool) {
        return msg.sig == ICreditModuleReports.reportDefault.selector;
    }

    /// @dev The caller's member id, if it is a listed reporter module (and a member).
    function _requireModule() internal view returns (MemberId module) {
        module = RegistryCalls.memberForKey(memberRegistry, msg.sender);
        if (!_reporterModules[msg.sender] || MemberId.unwrap(module) == 0)
            revert ICreditModuleReports.CreditReporterNotModule(msg.sender);
    }

    /// @dev Reverts unless `lender` is a member, in any status (see {_reportModule}).
    function _requireKnownLender(MemberId lender) internal view {
        (MemberStatus status, uint32 roles) = RegistryCalls.standingOf(memberRegistry, lender);
        if (status == MemberStatus.None) revert CreditLenderIneligible(lender, status, roles);
    }

    /// @dev The borrower key of member `borrower`, as the member registry holds it.
    function _keyOf(MemberId borrower) internal view returns (bytes32 key) {
        key = RegistryCalls.entityKeyOf(memberRegistry, borrower);
        if (key == 0) revert CreditBorrowerKeyUnknown(borrower);
    }

    function _knownLoan(LoanId id, uint256 index) internal view returns (Loan memory loan) {
        loan = _loans[id];
        if (loan.status == LoanStatus.None) _fail(index, abi.encodeWithSelector(CreditLoanUnknown.selector, id));
    }

    /// @dev The id of (reporter, loanRef) and its borrower key, after checking it exists and has an open dispute.
    function _openDispute(MemberId reporter, bytes32 loanRef) internal view returns (LoanId id, bytes32 key) {
        id = _loanId(reporter, loanRef);
        key = _borrowerKeys[_knownLoan(id, _SINGLE).borrower];
        if (MemberId.unwrap(_disputes[id].openedBy) == 0) revert CreditDisputeNotOpen(id);
    }

    // ─── Aggregates ─────────────────────────────────────────────────────────

    /// @dev Moves loan `id` to status `to` with `outstanding` on behalf of `actor`, and with it its borrower's
    ///      aggregates, its delinquency bucket (recomputed for today) and its retained negative record. `loan` is the
    ///      record before the change; it is updated in place and written back. Returns the borrower key and whether
    ///      the loan's bucket or retention changed.
    function _rebookLoan(
        LoanId id,
        Loan memory loan,
        LoanStatus to,
        uint64 outstanding,
        Actor actor
    ) internal returns (bytes32 key, bool termsChanged) {
        return
            _rebookLoanWith(
                id,
                loan,
                _termsOf(id, loan),
                to,
                outstanding,
                _DPD_UNKNOWN,
                actor,
                block.timestamp / 1 days
            );
    }

    /// @dev {_rebookLoan} for a caller that read the loan's terms `t` already and, unless `dpd` is `_DPD_UNKNOWN`,
    ///      worked out its days past due at `outstanding` today (used only while the loan stays live); a settlement
    ///      or write-off starts its retention on day `settledOn` (today but for a module's close, see
    ///      `closeExposure`).
    function _rebookLoanWith(
        LoanId id,
        Loan memory loan,
        Terms memory t,
        LoanStatus to,
        uint64 outstanding,
        uint256 dpd,
        Actor actor,
        uint256 settledOn
    ) internal returns (bytes32 key, bool termsChanged) {
        key = _borrowerKeys[loan.borrower];
        (uint24 until, bool expired) = _retention(loan.status, to, t.negativeUntil, actor, settledOn);
        Move memory m = Move({
            wasLive: _isLive(loan.status),
            isLive: _isLive(to),
            wasDefault: loan.status == LoanStatus.Defaulted || t.negativeUntil != 0,
            isDefault: to == LoanStatus.Defaulted || until != 0,
            fromOutstanding: loan.outstanding,
            toOutstanding: outstanding
        });
        // Active <-> Overdue at the same outstanding leaves every total where it is: skip the borrower.
        if (m.wasLive != m.isLive || m.wasDefault != m.isDefault || (m.isLive && m.fromOutstanding != outstanding)) {
            Borrower memory b = _borrowers[key];
            _rebook(b, loan.lender, m);
            _borrowers[key] = b;
        }
        uint8 bucket;
        if (t.instalments != 0 && m.isLive) {
            if (dpd == _DPD_UNKNOWN) dpd = InstalmentPlan.daysPastDue(_plan(t), outstanding, block.timestamp / 1 days);
            bucket = InstalmentPlan.bucket(dpd);
        } else {
            dpd = 0;
        }
        if (bucket != t.bucket || until != t.negativeUntil) {
            _moveBucket(id, key, t, bucket, dpd);
            t.negativeUntil = until;
            _storeTerms(id, t);
            loan.kind |= _HAS_TERMS;
            termsChanged = true;
            if (expired) emit NegativeRecordExpired(id, key);
        }
        (loan.status, loan.outstanding) = (to, outstanding);
        _storeLoan(id, loan);
    }

    /// @dev The day a loan's negative record stops counting after it moves `from` -> `to` on behalf of `actor`, and
    ///      whether a retained record expired: a write-off, or a settlement of a Defaulted record, is retained
    ///      RETENTION_MONTHS from `settledOn`; a Regulator's correction to another status (but WrittenOff) erases it;
    ///      time ends it.
    function _retention(
        LoanStatus from,
        LoanStatus to,
        uint24 until,
        Actor actor,
        uint256 settledOn
    ) internal view returns (uint24, bool expired) {
        uint256 today = block.timestamp / 1 days;
        bool settled = from == LoanStatus.Defaulted && to == LoanStatus.Repaid && actor != Actor.Regulator;
        if ((to == LoanStatus.WrittenOff && from != LoanStatus.WrittenOff) || settled) {
            return (uint24(InstalmentPlan.addMonths(settledOn, RETENTION_MONTHS)), false);
        }
        if (actor == Actor.Regulator && to != from && to != LoanStatus.WrittenOff) return (0, false);
        if (until != 0 && today >= until) return (0, true);
        return (until, false);
    }

    /// @dev Moves loan `id` (terms `t`) from its delinquency bucket to `bucket`, in its borrower's counts too.
    function _moveBucket(LoanId id, bytes32 key, Terms memory t, uint8 bucket, uint256 dpd) internal {
        uint8 from = t.bucket;
        if (from == bucket) return;
        uint256 counts = _delinquent[key];
        if (from != 0) counts -= 1 << (64 * (from - 1));
        if (bucket != 0) counts += 1 << (64 * (bucket - 1));
        _delinquent[key] = counts;
        t.bucket = bucket;
        emit LoanDelinquencyChanged(id, key, from, bucket, dpd);
    }

    /// @dev Days past due today of loan `id` (`loan`), whether it has a plan, and the bucket it is counted in.
    function _pastDue(LoanId id, Loan memory loan) internal view returns (uint256 dpd, bool hasPlan, uint8 bucket) {
        Terms memory t = _termsOf(id, loan);
        hasPlan = t.instalments != 0;
        bucket = t.bucket;
        if (hasPlan && _isLive(loan.status)) {
            dpd = InstalmentPlan.daysPastDue(_plan(t), loan.outstanding, block.timestamp / 1 days);
        }
    }

    /// @dev The most a loan may owe: its plan's total due, or else its principal.
    function _ceiling(LoanId id, Loan memory loan) internal view returns (uint256) {
        Terms memory t = _termsOf(id, loan);
        return t.instalments != 0 ? InstalmentPlan.totalDue(_plan(t)) : loan.principal;
    }

    /// @dev Loan `id`'s terms: its `Terms` slot if it has one, else all zero (without reading the slot).
    function _termsOf(LoanId id, Loan memory loan) internal view returns (Terms memory t) {
        if (loan.kind & _HAS_TERMS != 0) t = _terms[id];
    }

    function _plan(Terms memory t) internal pure returns (Plan memory) {
        return Plan(t.instalments, t.frequency, t.firstDueDay, t.instalment, t.finalInstalment);
    }

    /// @dev The single place where a loan's contribution to its borrower's aggregates changes: live loans count,
    ///      with their outstanding, in active loans and (per lender, 0 <-> 1) in active lenders; Defaulted and
    ///      WrittenOff loans count in defaults. Ends by checking that a borrower without live loans owes nothing.
    function _rebook(Borrower memory b, MemberId lender, Move memory m) internal {
        if (m.wasLive) b.outstanding -= m.fromOutstanding;
        if (m.isLive) b.outstanding += m.toOutstanding;
        if (m.wasLive != m.isLive) {
            if (m.isLive) {
                if (b.activeLoans == 0) b.liveSince = uint24(block.timestamp / 1 days);
                b.activeLoans += 1;
            } else {
                b.activeLoans -= 1;
                if (b.activeLoans == 0) b.liveSince = 0;
            }
            (uint256 slot, uint256 shift) = _lane(b.index, lender);
            uint256 counters = _lenderLoans[slot];
            uint256 count = (counters >> shift) & _LANE_MASK;
            if (m.isLive) {
                if (count == 0) b.activeLenders += 1;
                count += 1;
            } else {
                if (count == 1) b.activeLenders -= 1;
                count -= 1;
            }
            _lenderLoans[slot] = (counters & ~(_LANE_MASK << shift)) | (count << shift);
        }
        if (m.wasDefault != m.isDefault) {
            if (m.isDefault) b.defaults += 1;
            else b.defaults -= 1;
        }
        assert(b.activeLoans != 0 || b.outstanding == 0);
    }

    /// @dev Where the live-loan counter of (borrower `index`, `lender`) lives: its slot key and bit offset.
    function _lane(uint32 index, MemberId lender) internal pure returns (uint256 slot, uint256 shift) {
        slot = (uint256(index) << 32) | (MemberId.unwrap(lender) / _LANES);
        shift = (MemberId.unwrap(lender) % _LANES) * 32;
    }

    /// @dev The lender's live loans of the borrower at `index`: none for a borrower never registered (index 0).
    function _liveLoans(uint32 index, MemberId lender) internal view returns (uint256) {
        if (index == 0) return 0;
        (uint256 slot, uint256 shift) = _lane(index, lender);
        return (_lenderLoans[slot] >> shift) & _LANE_MASK;
    }

    function _exposure(Borrower memory b, uint256 inquiries) internal pure returns (Exposure memory) {
        return
            Exposure({
                activeLoans: b.activeLoans,
                activeLenders: b.activeLenders,
                outstanding: b.outstanding,
                defaults: b.defaults,
                inquiries: inquiries
            });
    }

    // ─── Records, one write per slot ────────────────────────────────────────
    // Assigning a struct from memory writes it member by member: a further SLOAD and SSTORE of the warm slot per
    // group of members, 200 gas apiece. A loan and its terms are one slot each and are written whole instead, at the
    // bit offsets solc lays their members out at (docs/storage-layout.md, pinned by test/layout/storage-layout.test.ts;
    // every view reads them back through solc's own layout, and ConsumerCredit.test.ts's
    // `test_layout_aLoanAndItsTermsAreWrittenWholeAtSolcsOffsets` reads both raw slots field by field).

    uint256 private constant _LOAN_LENDER_AT = 32;
    uint256 private constant _LOAN_PRINCIPAL_AT = 64;
    uint256 private constant _LOAN_OUTSTANDING_AT = 128;
    uint256 private constant _LOAN_ORIGINATION_AT = 192;
    uint256 private constant _LOAN_MATURITY_AT = 216;
    uint256 private constant _LOAN_KIND_AT = 240;
    uint256 private constant _LOAN_STATUS_AT = 248;
    uint256 private constant _TERMS_INSTALMENTS_AT = 32;
    uint256 private constant _TERMS_FREQUENCY_AT = 40;
    uint256 private constant _TERMS_FIRST_DUE_AT = 48;
    uint256 private constant _TERMS_INSTALMENT_AT = 72;
    uint256 private constant _TERMS_FINAL_AT = 136;
    uint256 private constant _TERMS_BUCKET_AT = 200;
    uint256 private constant _TERMS_NEGATIVE_UNTIL_AT = 208;

    /// @dev Writes `loan` as loan `id`'s slot, whole.
    function _storeLoan(LoanId id, Loan memory loan) internal {
        Loan storage s = _loans[id];
        uint256 word =
            uint256(loan.borrower) |
                (uint256(MemberId.unwrap(loan.lender)) << _LOAN_LENDER_AT) |
                (uint256(loan.principal) << _LOAN_PRINCIPAL_AT) |
                (uint256(loan.outstanding) << _LOAN_OUTSTANDING_AT) |
                (uint256(loan.originationDay) << _LOAN_ORIGINATION_AT) |
                (uint256(loan.maturityDay) << _LOAN_MATURITY_AT) |
                (uint256(loan.kind) << _LOAN_KIND_AT) |
                (uint256(uint8(loan.status)) << _LOAN_STATUS_AT);
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            sstore(s.slot, word)
        }
    }

    /// @dev Writes `t` as loan `id`'s terms slot, whole.
    function _storeTerms(LoanId id, Terms memory t) internal {
        Terms storage s = _terms[id];
        uint256 word =
            uint256(t.aprBps) |
                (uint256(t.instalments) << _TERMS_INSTALMENTS_AT) |
                (uint256(uint8(t.frequency)) << _TERMS_FREQUENCY_AT) |
                (uint256(t.firstDueDay) << _TERMS_FIRST_DUE_AT) |
                (uint256(t.instalment) << _TERMS_INSTALMENT_AT) |
                (uint256(t.finalInstalment) << _TERMS_FINAL_AT) |
                (uint256(t.bucket) << _TERMS_BUCKET_AT) |
                (uint256(t.negativeUntil) << _TERMS_NEGATIVE_UNTIL_AT);
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            sstore(s.slot, word)
        }
    }

    // ─── Inquiries ──────────────────────────────────────────────────────────
    // A borrower's ring holds INQUIRY_SLOTS entries (lender id, time of its latest inquiry), four per slot. An
    // inquiry refreshes the lender's own entry, else replaces the oldest (or an empty) one, so the ring always holds
    // the latest inquiry of the INQUIRY_SLOTS most recent distinct lenders. The lenders inquiring within the window
    // are a prefix of that recency order, so counting the ring's entries within the window gives exactly
    // min(distinct lenders in the window, INQUIRY_SLOTS). Times are kept as 32-bit wrapping seconds: ages are
    // exact for entries less than 136 years old.

    /// @dev Records `lender`'s inquiry about `key` now; returns the distinct lenders in the window, this one included.
    function _logInquiry(bytes32 key, MemberId lender) internal returns (uint256 count) {
        uint256[2] storage ring = _inquiryRing[key];
        (uint256 low, uint256 high) = (ring[0], ring[1]);
        uint256 window = _inquiryWindow;
        uint256 me = MemberId.unwrap(lender);
        uint256 target;
        uint256 oldest;
        bool targetCounted;
        bool own;
        // Unchecked: i < 8, shifts < 256, and ages are 32-bit wrapping differences by design.
        unchecked {
            for (uint256 i; i < INQUIRY_SLOTS; ++i) {
                uint256 entry = ((i < 4 ? low : high) >> ((i & 3) << 6)) & _ENTRY_MASK;
                uint256 who = entry >> 32;
                uint256 age = who == 0 ? type(uint256).max : uint32(block.timestamp - entry);
                bool inWindow = age < window;
                if (inWindow) ++count;
                if (own) continue;
                if (who == me || age >= oldest) {
                    (target, oldest, targetCounted, own) = (i, age, inWindow, who == me);
                }
            }
            if (targetCounted) --count;
            uint256 shift = (target & 3) << 6;
            uint256 fresh = ((me << 32) | uint32(block.timestamp)) << shift;
            if (target < 4) ring[0] = (low & ~(_ENTRY_MASK << shift)) | fresh;
            else ring[1] = (high & ~(_ENTRY_MASK << shift)) | fresh;
            return count + 1;
        }
    }

    /// @dev The distinct lenders that inquired about `key` within the window; the ring is read only when the
    ///      latest inquiry is recent enough for any entry to count.
    function _inquiriesInWindow(bytes32 key, Borrower memory b) internal view returns (uint256 count) {
        uint256 window = _inquiryWindow;
        if (b.lastInquiry == 0 || block.timestamp >= uint256(b.lastInquiry) + window) return 0;
        uint256[2] storage ring = _inquiryRing[key];
        uint32 now32 = uint32(block.timestamp);
        for (uint256 s; s < 2; ++s) {
            uint256 slot = ring[s];
            for (uint256 j; j < 4; ++j) {
                uint256 entry = (slot >> (j * 64)) & _ENTRY_MASK;
                if (entry >> 32 != 0 && _age(now32, entry) < window) ++count;
            }
        }
    }

    /// @dev Seconds since the time of ring entry `entry`, in wrapping 32-bit arithmetic.
    function _age(uint32 now32, uint256 entry) internal pure returns (uint256) {
        unchecked {
            return uint32(now32 - uint32(entry));
        }
    }

    /// @dev Whether the APR cap applies to `kind`: consumer loans, and joint loans (co-financed consumer credit).
    function _capped(ProductKind kind) internal pure returns (bool) {
        return kind == ProductKind.ConsumerLoan || kind == ProductKind.JointLoan;
    }

    function _isLive(LoanStatus s) internal pure returns (bool) {
        return s == LoanStatus.Active || s == LoanStatus.Overdue || s == LoanStatus.Defaulted;
    }

    // ─── Internals ──────────────────────────────────────────────────────────

    function _requireNotPaused() internal view {
        if (_pausedBy != 0) revert EnforcedPause();
    }

    function _setPolicy(Policy memory p) internal {
        if (p.maxPlatformShareBps > _BPS) revert CreditInvalidPlatformCap(p.maxPlatformShareBps);
        if (p.inquiryWindow == 0) revert CreditInvalidInquiryWindow();
        if (p.maxInquiries >= INQUIRY_SLOTS) revert CreditInvalidInquiryLimit(p.maxInquiries, INQUIRY_SLOTS - 1);
        (_maxLenders, _maxInquiries, _inquiryWindow) = (p.maxLenders, p.maxInquiries, p.inquiryWindow);
        (_maxOutstanding, _maxPlatformShareBps, _mode) = (p.maxOutstanding, p.maxPlatformShareBps, p.mode);
        (_maxAprBps, _graceDays) = (p.maxAprBps, p.graceDays);
        emit PolicyUpdated(p);
    }

    /// @dev Reverts with `error`; inside a batch, wrapped in `CreditBatchRecordRejected(index, error)`.
    function _fail(uint256 index, bytes memory error) internal pure {
        if (index != _SINGLE) error = abi.encodeWithSelector(CreditBatchRecordRejected.selector, index, error);
        // Re-raising ABI-encoded revert data as-is has no Solidity syntax; the block only reads `error`.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            revert(add(error, 0x20), mload(error))
        }
    }

    function _loanId(MemberId reporter, bytes32 loanRef) internal pure returns (LoanId) {
        return LoanId.wrap(keccak256(abi.encode(reporter, loanRef)));
    }
}
