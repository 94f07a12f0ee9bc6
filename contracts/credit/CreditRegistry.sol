// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

import {MemberGated} from "../access/MemberGated.sol";
import {ICreditModuleReports} from "../interfaces/ICreditModuleReports.sol";
import {IMemberRegistry, MemberId, MemberStatus, Role} from "../interfaces/IMemberRegistry.sol";
import {
    ICreditRegistry,
    LoanId,
    LoanStatus,
    PolicyLimit,
    PolicyMode,
    ProductKind
} from "../interfaces/ICreditRegistry.sol";

/// @title CreditRegistry
/// @notice The network's single exposure ledger. See {ICreditRegistry}.
/// @dev Storage is shaped so that every aggregate moves in O(1) and a batch shares its fixed costs:
///      - a loan is one slot; it names its borrower by a 32-bit index, not by the 32-byte key;
///      - a borrower's aggregates are one slot, keyed by the borrower key;
///      - live-loan counts per (borrower, lender) are packed eight to a slot, so a borrower's second and later
///        lenders usually update a slot instead of creating one; a 0 <-> 1 change moves the distinct-lender count.
///      - a borrower's inquiries are a ring of the INQUIRY_SLOTS most recent distinct lenders and the time of their
///        latest inquiry (two slots), read only while the borrower's latest inquiry is within the window;
///      - a joint loan's claim on a funder's reference is a `Loan` slot with status None naming the reporter, so
///        the duplicate check of every registration reads the slot it already read.
///      Every change of a loan's contribution to the totals goes through {_rebook}; every status change is allowed
///      by {_canTransition}.
contract CreditRegistry is ICreditRegistry, ICreditModuleReports, MemberGated, Pausable {
    /// @notice Most funders a joint loan may have.
    uint256 public constant MAX_FUNDERS = 8;
    /// @notice How many distinct lenders' latest inquiries a borrower's rolling window holds.
    uint256 public constant INQUIRY_SLOTS = 8;

    uint256 private constant _BPS = 10_000;
    uint256 private constant _SINGLE = type(uint256).max; // "not in a batch": errors are raised bare
    uint32 private constant _LENDING_ROLES = uint32(1 << uint8(Role.Lender)) | uint32(1 << uint8(Role.Financier));
    uint32 private constant _PLATFORM_ROLE = uint32(1 << uint8(Role.Platform));
    uint256 private constant _LANES = 8; // 32-bit live-loan counters per slot
    uint256 private constant _LANE_MASK = 0xffffffff;
    uint256 private constant _ENTRY_MASK = 0xffffffffffffffff; // one inquiry: lender (high 32 bits), time (low 32)

    /// @dev Who asks for a status change; each has its row in {_canTransition}.
    enum Actor {
        Lender,
        Module,
        Regulator
    }

    /// @dev One loan in one slot (256 bits).
    struct Loan {
        uint32 borrower; // index into _borrowerKeys
        MemberId lender;
        uint64 principal;
        uint64 outstanding;
        uint24 originationDay;
        uint24 maturityDay;
        ProductKind kind;
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

    bytes3 private immutable _currency;

    // Policy: declared field by field so it packs into Pausable's slot, read once per transaction.
    uint16 private _maxLenders;
    uint32 private _maxInquiries;
    uint32 private _inquiryWindow;
    uint96 private _maxOutstanding;
    uint16 private _maxPlatformShareBps;
    PolicyMode private _mode;

    uint32 private _borrowerCount;
    mapping(bytes32 borrowerKey => Borrower) private _borrowers;
    mapping(uint32 index => bytes32 borrowerKey) private _borrowerKeys;
    mapping(uint256 laneSlot => uint256 counters) private _lenderLoans;
    mapping(LoanId => Loan) private _loans;
    mapping(LoanId => Dispute) private _disputes;
    mapping(bytes32 borrowerKey => uint256[2] entries) private _inquiryRing;
    mapping(address module => bool) private _reporterModules;

    constructor(IMemberRegistry registry, bytes3 currency, Policy memory initialPolicy) MemberGated(registry) {
        for (uint256 i; i < 3; ++i) {
            if (currency[i] < "A" || currency[i] > "Z") revert CreditInvalidCurrency(currency);
        }
        _currency = currency;
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

    /// @inheritdoc ICreditRegistry
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
            LoanId claim = loanId(funder, ref);
            Loan memory held = _loans[claim];
            if (held.status != LoanStatus.None || MemberId.unwrap(held.lender) != 0) {
                revert CreditJointLoanFunderBooked(funder, ref, _bookedAs(claim, held, ref));
            }
            _loans[claim].lender = lender;
        }
        emit JointLoanFunded(id, members, shares);
    }

    /// @inheritdoc ICreditRegistry
    function reportRepayment(bytes32 loanRef, uint64 amount) external whenNotPaused {
        _repay(memberRegistry.requireActive(msg.sender), loanRef, amount, _SINGLE);
    }

    /// @inheritdoc ICreditRegistry
    function reportRepayments(Repayment[] calldata repayments) external whenNotPaused {
        MemberId reporter = memberRegistry.requireActive(msg.sender);
        uint256 n = repayments.length;
        if (n == 0) revert CreditEmptyBatch();
        for (uint256 i; i < n; ++i) {
            _repay(reporter, repayments[i].loanRef, repayments[i].amount, i);
        }
    }

    /// @inheritdoc ICreditRegistry
    function reportStatus(bytes32 loanRef, LoanStatus to) external whenNotPaused {
        LoanId id = loanId(memberRegistry.requireActive(msg.sender), loanRef);
        Loan memory loan = _knownLoan(id, _SINGLE);
        LoanStatus from = loan.status;
        if (!_canTransition(from, to, Actor.Lender)) revert CreditInvalidTransition(id, from, to);
        bytes32 key = _rebookLoan(id, loan, to, to == LoanStatus.Repaid ? 0 : loan.outstanding);
        emit LoanStatusChanged(id, key, from, to);
    }

    /// @inheritdoc ICreditRegistry
    function inquire(
        bytes32 borrowerKey,
        bytes32 purpose,
        bytes32 consentHash
    ) external whenNotPaused returns (Exposure memory) {
        MemberId lender = _requireRole(msg.sender, Role.Lender);
        if (borrowerKey == 0) revert CreditInvalidBorrowerKey();
        if (purpose == 0 || consentHash == 0) revert CreditInvalidInquiry(purpose, consentHash);
        Borrower memory b = _borrowers[borrowerKey];
        uint256 count = _logInquiry(borrowerKey, lender);
        b.lastInquiry = uint40(block.timestamp);
        _borrowers[borrowerKey] = b;
        emit CreditInquired(lender, borrowerKey, purpose, consentHash);
        return _exposure(b, count);
    }

    // ─── Modules ────────────────────────────────────────────────────────────

    /// @inheritdoc ICreditModuleReports
    /// @dev The lender must be an active member with the Lender or Financier role; in enforce mode too a breach of
    ///      the policy is only flagged.
    function reportExposure(
        MemberId lender,
        MemberId borrower,
        bytes32 loanRef,
        ProductKind kind,
        uint64 amount,
        uint24 maturityDay,
        bytes32 commitment
    ) external whenNotPaused {
        _reportModule(lender, borrower, loanRef, kind, amount, maturityDay, commitment);
    }

    /// @inheritdoc ICreditModuleReports
    /// @dev The lender must be a member (active or not) with the Lender or Financier role. The record is booked
    ///      Defaulted, originated and maturing today, and the policy is not applied at all (item 14).
    function reportDefault(
        MemberId lender,
        MemberId borrower,
        bytes32 loanRef,
        ProductKind kind,
        uint64 amount,
        bytes32 commitment
    ) external whenNotPaused {
        _reportModule(lender, borrower, loanRef, kind, amount, uint24(block.timestamp / 1 days), commitment);
    }

    /// @inheritdoc ICreditModuleReports
    /// @dev Live means Active, Overdue or Defaulted: a Defaulted record the module booked is settled too (the
    ///      debtor paid after all), so that a default paid in full does not stay in the borrower's outstanding.
    function closeExposure(bytes32 loanRef) external whenNotPaused returns (bool) {
        LoanId id = loanId(_requireModule(), loanRef);
        Loan memory loan = _knownLoan(id, _SINGLE);
        LoanStatus from = loan.status;
        if (!_canTransition(from, LoanStatus.Repaid, Actor.Module)) return false;
        bytes32 key = _rebookLoan(id, loan, LoanStatus.Repaid, 0);
        emit LoanStatusChanged(id, key, from, LoanStatus.Repaid);
        return true;
    }

    // ─── Disputes ───────────────────────────────────────────────────────────

    /// @inheritdoc ICreditRegistry
    function openDispute(MemberId reporter, bytes32 loanRef, bytes32 reason) external {
        MemberId opener = memberRegistry.requireActive(msg.sender);
        if (!memberRegistry.hasRole(msg.sender, Role.Lender) && !memberRegistry.hasRole(msg.sender, Role.Regulator)) {
            revert CreditDisputeUnauthorized(msg.sender, opener);
        }
        LoanId id = loanId(reporter, loanRef);
        Loan memory loan = _knownLoan(id, _SINGLE);
        Dispute storage d = _disputes[id];
        if (MemberId.unwrap(d.openedBy) != 0) revert CreditDisputeAlreadyOpen(id);
        (d.openedBy, d.openedAt) = (opener, uint40(block.timestamp));
        emit DisputeOpened(id, opener, _borrowerKeys[loan.borrower], reason);
    }

    /// @inheritdoc ICreditRegistry
    function answerDispute(bytes32 loanRef, bytes32 response) external {
        MemberId lender = memberRegistry.requireActive(msg.sender);
        (LoanId id, bytes32 key) = _openDispute(lender, loanRef);
        emit DisputeAnswered(id, lender, key, response);
    }

    /// @inheritdoc ICreditRegistry
    function correctLoan(MemberId reporter, bytes32 loanRef, Correction calldata correction, bytes32 reason) external {
        MemberId regulator = _requireRole(msg.sender, Role.Regulator);
        (LoanId id, ) = _openDispute(reporter, loanRef);
        Loan memory loan = _loans[id];
        LoanStatus s = correction.status;
        uint64 outstanding = correction.outstanding;
        if (
            !_canTransition(loan.status, s, Actor.Regulator) ||
            outstanding > loan.principal ||
            (s == LoanStatus.Repaid && outstanding != 0) ||
            ((s == LoanStatus.Active || s == LoanStatus.Overdue) && outstanding == 0)
        ) revert CreditInvalidCorrection(id, s, outstanding);
        bytes32 key = _rebookLoan(id, loan, s, outstanding);
        emit LoanCorrected(id, regulator, key, s, outstanding, correction.commitment, reason);
    }

    /// @inheritdoc ICreditRegistry
    function releaseJointLoanClaim(MemberId funder, bytes32 loanRef, bytes32 reason) external {
        MemberId regulator = _requireRole(msg.sender, Role.Regulator);
        LoanId id = loanId(funder, loanRef);
        Loan memory held = _loans[id];
        if (held.status != LoanStatus.None || MemberId.unwrap(held.lender) == 0) {
            revert CreditJointLoanClaimUnknown(funder, loanRef);
        }
        delete _loans[id];
        emit JointLoanClaimReleased(funder, loanRef, loanId(held.lender, loanRef), regulator, reason);
    }

    /// @inheritdoc ICreditRegistry
    function resolveDispute(MemberId reporter, bytes32 loanRef, bytes32 outcome) external {
        MemberId regulator = _requireRole(msg.sender, Role.Regulator);
        (LoanId id, bytes32 key) = _openDispute(reporter, loanRef);
        delete _disputes[id];
        emit DisputeResolved(id, regulator, key, outcome);
    }

    // ─── Governor ───────────────────────────────────────────────────────────

    /// @inheritdoc ICreditRegistry
    function setPolicy(Policy calldata newPolicy) external onlyGovernor {
        _setPolicy(newPolicy);
    }

    /// @inheritdoc ICreditModuleReports
    function setReporterModule(address module, bool allowed) external onlyGovernor {
        if (allowed && module.code.length == 0) revert CreditReporterModuleInvalid(module);
        _reporterModules[module] = allowed;
        emit ReporterModuleSet(module, allowed);
    }

    /// @inheritdoc ICreditRegistry
    function pause() external onlyGovernor {
        _pause();
    }

    /// @inheritdoc ICreditRegistry
    function unpause() external onlyGovernor {
        _unpause();
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
        Loan memory held = _loans[loanId(funder, loanRef)];
        if (held.status != LoanStatus.None || MemberId.unwrap(held.lender) == 0) return LoanId.wrap(0);
        return loanId(held.lender, loanRef);
    }

    /// @inheritdoc ICreditRegistry
    function getLoan(LoanId id) external view returns (LoanRecord memory) {
        Loan memory loan = _loans[id];
        return
            LoanRecord({
                borrowerKey: _borrowerKeys[loan.borrower],
                lender: loan.lender,
                kind: loan.kind,
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
        uint32 index = _borrowers[borrowerKey].index;
        if (index == 0) return 0;
        (uint256 slot, uint256 shift) = _lane(index, lender);
        return (_lenderLoans[slot] >> shift) & _LANE_MASK;
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
                mode: _mode
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
    ) private returns (LoanId id) {
        _validate(input, index);
        id = loanId(reporter, input.loanRef);
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
                    loanId(held.lender, input.loanRef)
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
        LoanStatus status = defaulted ? LoanStatus.Defaulted : LoanStatus.Active;
        _rebook(b, lender, Move(false, true, false, defaulted, 0, input.outstanding));
        _borrowers[key] = b;
        _loans[id] = Loan({
            borrower: b.index,
            lender: lender,
            principal: input.principal,
            outstanding: input.outstanding,
            originationDay: input.originationDay,
            maturityDay: input.maturityDay,
            kind: input.kind,
            status: status
        });
        _emitRegistered(id, lender, reporter, input);
        if (defaulted) emit LoanStatusChanged(id, key, LoanStatus.None, status);
        else {
            bool module = MemberId.unwrap(reporter) != MemberId.unwrap(lender);
            _applyPolicy(key, id, b, module ? PolicyMode.Flag : _mode, index);
        }
    }

    function _emitRegistered(LoanId id, MemberId lender, MemberId reporter, LoanInput memory input) private {
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
    function _validate(LoanInput memory input, uint256 index) private view {
        if (input.loanRef == 0) _fail(index, abi.encodeWithSelector(CreditInvalidLoanRef.selector));
        if (input.borrowerKey == 0) _fail(index, abi.encodeWithSelector(CreditInvalidBorrowerKey.selector));
        if (input.commitment == 0) _fail(index, abi.encodeWithSelector(CreditInvalidCommitment.selector));
        if (input.principal == 0 || input.outstanding == 0 || input.outstanding > input.principal) {
            _fail(index, abi.encodeWithSelector(CreditInvalidAmounts.selector, input.principal, input.outstanding));
        }
        uint24 today = uint24(block.timestamp / 1 days);
        if (input.originationDay > today || input.maturityDay < input.originationDay) {
            _fail(
                index,
                abi.encodeWithSelector(CreditInvalidDates.selector, input.originationDay, input.maturityDay, today)
            );
        }
    }

    /// @dev Compares the borrower's new aggregates with the policy: reverts in enforce `mode`, flags otherwise.
    function _applyPolicy(bytes32 key, LoanId id, Borrower memory b, PolicyMode mode, uint256 index) private {
        uint256 max = _maxLenders;
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
    ) private {
        if (mode == PolicyMode.Enforce) {
            _fail(index, abi.encodeWithSelector(CreditPolicyLimitExceeded.selector, key, limit, value, max));
        }
        emit MultiBorrowingFlagged(key, id, limit, value, max);
    }

    /// @dev Funders of a joint loan: 2..MAX_FUNDERS distinct eligible lenders, shares summing to 10,000, platforms
    ///      within their cap, and the reporter among them.
    function _checkFunders(MemberId reporter, Funder[] calldata funders) private view {
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
            IMemberRegistry.Member memory m = memberRegistry.getMember(member);
            if (m.status != MemberStatus.Active || m.roles & _LENDING_ROLES == 0) {
                revert CreditLenderIneligible(member, m.status, m.roles);
            }
            if (m.roles & _PLATFORM_ROLE != 0 && share > cap) revert CreditPlatformShareExceeded(member, share, cap);
            total += share;
            if (MemberId.unwrap(member) == MemberId.unwrap(reporter)) reporterFunds = true;
        }
        if (total != _BPS) revert CreditSharesNotWhole(total);
        if (!reporterFunds) revert CreditReporterNotFunder(reporter);
    }

    // ─── Lifecycle ──────────────────────────────────────────────────────────

    function _repay(MemberId reporter, bytes32 loanRef, uint64 amount, uint256 index) private {
        LoanId id = loanId(reporter, loanRef);
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
        bytes32 key = _rebookLoan(id, loan, to, outstanding);
        emit LoanRepaid(id, key, amount, outstanding);
        if (to != from) emit LoanStatusChanged(id, key, from, to);
    }

    /// @dev The one transition table of every status change of a booked loan. A Regulator's correction may set
    ///      any status (its amounts are checked by `correctLoan`); a module may only settle a live record it booked,
    ///      a Defaulted one included (the debtor paid after all); a lender follows the lifecycle. Repayments ask
    ///      for `to == Repaid`: they apply where the lender may settle the loan.
    function _canTransition(LoanStatus from, LoanStatus to, Actor actor) private pure returns (bool) {
        if (from == LoanStatus.None || to == LoanStatus.None) return false;
        if (actor == Actor.Regulator) return true;
        bool performing = from == LoanStatus.Active || from == LoanStatus.Overdue;
        if (actor == Actor.Module) return to == LoanStatus.Repaid && (performing || from == LoanStatus.Defaulted);
        if (to == LoanStatus.Repaid) return performing;
        if (from == LoanStatus.Active) return to == LoanStatus.Overdue;
        if (from == LoanStatus.Overdue) return to == LoanStatus.Active || to == LoanStatus.Defaulted;
        return from == LoanStatus.Defaulted && to == LoanStatus.WrittenOff;
    }

    /// @dev What blocks a joint loan from claiming `claim` (funder, `ref`): the funder's own loan, or the joint
    ///      loan that claimed it first.
    function _bookedAs(LoanId claim, Loan memory held, bytes32 ref) private pure returns (LoanId) {
        return held.status != LoanStatus.None ? claim : loanId(held.lender, ref);
    }

    /// @dev Books a module's record: an exposure (Active, flagged but never refused by the policy) or a default
    ///      (Defaulted, maturing today, the policy not applied), about member `borrower` under its entity key.
    function _reportModule(
        MemberId lender,
        MemberId borrower,
        bytes32 loanRef,
        ProductKind kind,
        uint64 amount,
        uint24 maturityDay,
        bytes32 commitment
    ) private {
        MemberId module = _requireModule();
        if (kind == ProductKind.JointLoan) revert CreditInvalidProductKind(kind);
        _requireLender(lender, !_isDefaultReport());
        uint24 today = uint24(block.timestamp / 1 days);
        LoanInput memory input = LoanInput(
            loanRef,
            _keyOf(borrower),
            kind,
            amount,
            amount,
            today,
            maturityDay,
            commitment
        );
        _register(module, lender, input, _single());
    }

    /// @dev `_SINGLE`, as a value the optimizer cannot see (a literal would get `_register` compiled once per caller).
    function _single() private pure returns (uint256) {
        return msg.sig == 0 ? 0 : _SINGLE;
    }

    /// @dev Whether this call is a module's `reportDefault`.
    function _isDefaultReport() private pure returns (bool) {
        return msg.sig == ICreditModuleReports.reportDefault.selector;
    }

    /// @dev The caller's member id, if it is a listed reporter module (and a member).
    function _requireModule() private view returns (MemberId module) {
        module = memberRegistry.memberOf(msg.sender);
        if (!_reporterModules[msg.sender] || MemberId.unwrap(module) == 0) revert CreditReporterNotModule(msg.sender);
    }

    /// @dev Reverts unless `lender` can carry credit exposure: a Lender or Financier, and active if `active`.
    function _requireLender(MemberId lender, bool active) private view {
        IMemberRegistry.Member memory m = memberRegistry.getMember(lender);
        if (
            m.status == MemberStatus.None ||
            (active && m.status != MemberStatus.Active) ||
            m.roles & _LENDING_ROLES == 0
        ) {
            revert CreditLenderIneligible(lender, m.status, m.roles);
        }
    }

    /// @dev The borrower key of member `borrower`, as the member registry holds it.
    function _keyOf(MemberId borrower) private view returns (bytes32 key) {
        key = memberRegistry.entityKeyOf(borrower);
        if (key == 0) revert CreditBorrowerKeyUnknown(borrower);
    }

    function _knownLoan(LoanId id, uint256 index) private view returns (Loan memory loan) {
        loan = _loans[id];
        if (loan.status == LoanStatus.None) _fail(index, abi.encodeWithSelector(CreditLoanUnknown.selector, id));
    }

    /// @dev The id of (reporter, loanRef) and its borrower key, after checking it exists and has an open dispute.
    function _openDispute(MemberId reporter, bytes32 loanRef) private view returns (LoanId id, bytes32 key) {
        id = loanId(reporter, loanRef);
        key = _borrowerKeys[_knownLoan(id, _SINGLE).borrower];
        if (MemberId.unwrap(_disputes[id].openedBy) == 0) revert CreditDisputeNotOpen(id);
    }

    // ─── Aggregates ─────────────────────────────────────────────────────────

    /// @dev Moves loan `id` to status `to` with `outstanding`, and its borrower's aggregates with it; returns the
    ///      borrower key. `loan` is the record before the change; it is updated in place and written back.
    function _rebookLoan(LoanId id, Loan memory loan, LoanStatus to, uint64 outstanding) private returns (bytes32 key) {
        key = _borrowerKeys[loan.borrower];
        Move memory m = Move({
            wasLive: _isLive(loan.status),
            isLive: _isLive(to),
            wasDefault: _isDefault(loan.status),
            isDefault: _isDefault(to),
            fromOutstanding: loan.outstanding,
            toOutstanding: outstanding
        });
        // Active <-> Overdue at the same outstanding leaves every total where it is: skip the borrower.
        if (m.wasLive != m.isLive || m.wasDefault != m.isDefault || (m.isLive && m.fromOutstanding != outstanding)) {
            Borrower memory b = _borrowers[key];
            _rebook(b, loan.lender, m);
            _borrowers[key] = b;
        }
        (loan.status, loan.outstanding) = (to, outstanding);
        _loans[id] = loan;
    }

    /// @dev The single place where a loan's contribution to its borrower's aggregates changes: live loans count,
    ///      with their outstanding, in active loans and (per lender, 0 <-> 1) in active lenders; Defaulted and
    ///      WrittenOff loans count in defaults. Ends by checking that a borrower without live loans owes nothing.
    function _rebook(Borrower memory b, MemberId lender, Move memory m) private {
        if (m.wasLive) b.outstanding -= m.fromOutstanding;
        if (m.isLive) b.outstanding += m.toOutstanding;
        if (m.wasLive != m.isLive) {
            if (m.isLive) b.activeLoans += 1;
            else b.activeLoans -= 1;
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
    function _lane(uint32 index, MemberId lender) private pure returns (uint256 slot, uint256 shift) {
        slot = (uint256(index) << 32) | (MemberId.unwrap(lender) / _LANES);
        shift = (MemberId.unwrap(lender) % _LANES) * 32;
    }

    function _exposure(Borrower memory b, uint256 inquiries) private pure returns (Exposure memory) {
        return
            Exposure({
                activeLoans: b.activeLoans,
                activeLenders: b.activeLenders,
                outstanding: b.outstanding,
                defaults: b.defaults,
                inquiries: inquiries
            });
    }

    // ─── Inquiries ──────────────────────────────────────────────────────────
    // A borrower's ring holds INQUIRY_SLOTS entries (lender id, time of its latest inquiry), four per slot. An
    // inquiry refreshes the lender's own entry, else replaces the oldest (or an empty) one, so the ring always holds
    // the latest inquiry of the INQUIRY_SLOTS most recent distinct lenders. The lenders inquiring within the window
    // are a prefix of that recency order, so counting the ring's entries within the window gives exactly
    // min(distinct lenders in the window, INQUIRY_SLOTS). Times are kept as 32-bit wrapping seconds: ages are
    // exact for entries less than 136 years old.

    /// @dev Records `lender`'s inquiry about `key` now; returns the distinct lenders in the window, this one included.
    function _logInquiry(bytes32 key, MemberId lender) private returns (uint256 count) {
        uint256[2] storage ring = _inquiryRing[key];
        uint256[2] memory slots = [ring[0], ring[1]];
        uint256 window = _inquiryWindow;
        uint32 now32 = uint32(block.timestamp);
        uint256 target;
        uint256 oldest;
        bool targetCounted;
        bool own;
        for (uint256 i; i < INQUIRY_SLOTS; ++i) {
            uint256 entry = (slots[i / 4] >> ((i % 4) * 64)) & _ENTRY_MASK;
            uint32 who = uint32(entry >> 32);
            uint256 age = who == 0 ? type(uint256).max : _age(now32, entry);
            bool inWindow = age < window;
            if (inWindow) ++count;
            if (own) continue;
            if (who == MemberId.unwrap(lender) || age >= oldest) {
                (target, oldest, targetCounted) = (i, age, inWindow);
                own = who == MemberId.unwrap(lender);
            }
        }
        if (targetCounted) --count;
        uint256 shift = (target % 4) * 64;
        uint256 fresh = (uint256(MemberId.unwrap(lender)) << 32) | now32;
        ring[target / 4] = (slots[target / 4] & ~(_ENTRY_MASK << shift)) | (fresh << shift);
        return count + 1;
    }

    /// @dev The distinct lenders that inquired about `key` within the window; the ring is read only when the
    ///      latest inquiry is recent enough for any entry to count.
    function _inquiriesInWindow(bytes32 key, Borrower memory b) private view returns (uint256 count) {
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
    function _age(uint32 now32, uint256 entry) private pure returns (uint256) {
        unchecked {
            return uint32(now32 - uint32(entry));
        }
    }

    function _isLive(LoanStatus s) private pure returns (bool) {
        return s == LoanStatus.Active || s == LoanStatus.Overdue || s == LoanStatus.Defaulted;
    }

    function _isDefault(LoanStatus s) private pure returns (bool) {
        return s == LoanStatus.Defaulted || s == LoanStatus.WrittenOff;
    }

    // ─── Internals ──────────────────────────────────────────────────────────

    function _setPolicy(Policy memory p) private {
        if (p.maxPlatformShareBps > _BPS) revert CreditInvalidPlatformCap(p.maxPlatformShareBps);
        if (p.inquiryWindow == 0) revert CreditInvalidInquiryWindow();
        if (p.maxInquiries >= INQUIRY_SLOTS) revert CreditInvalidInquiryLimit(p.maxInquiries, INQUIRY_SLOTS - 1);
        (_maxLenders, _maxInquiries, _inquiryWindow) = (p.maxLenders, p.maxInquiries, p.inquiryWindow);
        (_maxOutstanding, _maxPlatformShareBps, _mode) = (p.maxOutstanding, p.maxPlatformShareBps, p.mode);
        emit PolicyUpdated(p);
    }

    /// @dev Reverts with `error`; inside a batch, wrapped in `CreditBatchRecordRejected(index, error)`.
    function _fail(uint256 index, bytes memory error) private pure {
        if (index != _SINGLE) error = abi.encodeWithSelector(CreditBatchRecordRejected.selector, index, error);
        // Re-raising ABI-encoded revert data as-is has no Solidity syntax; the block only reads `error`.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            revert(add(error, 0x20), mload(error))
        }
    }
}
