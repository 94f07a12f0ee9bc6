// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

import {MemberGated} from "../access/MemberGated.sol";
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
///      Every change of a loan's contribution to the totals goes through {_rebook}.
contract CreditRegistry is ICreditRegistry, MemberGated, Pausable {
    /// @notice Most funders a joint loan may have.
    uint256 public constant MAX_FUNDERS = 8;

    uint256 private constant _BPS = 10_000;
    uint256 private constant _SINGLE = type(uint256).max; // "not in a batch": errors are raised bare
    uint32 private constant _LENDING_ROLES = uint32(1 << uint8(Role.Lender)) | uint32(1 << uint8(Role.Financier));
    uint32 private constant _PLATFORM_ROLE = uint32(1 << uint8(Role.Platform));
    uint256 private constant _LANES = 8; // 32-bit live-loan counters per slot
    uint256 private constant _LANE_MASK = 0xffffffff;

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
        uint24 inquiries;
        uint40 windowStart;
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
        id = _register(lender, lender, loan, _SINGLE);
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
        id = _register(lender, lender, loan, _SINGLE);
        MemberId[] memory members = new MemberId[](funders.length);
        uint16[] memory shares = new uint16[](funders.length);
        for (uint256 i; i < funders.length; ++i) {
            (members[i], shares[i]) = (funders[i].member, funders[i].shareBps);
        }
        emit JointLoanFunded(id, members, shares);
    }

    /// @inheritdoc ICreditRegistry
    function reportExposure(MemberId lender, LoanInput calldata loan) external whenNotPaused returns (LoanId id) {
        MemberId reporter = _requireRole(msg.sender, Role.Reporter);
        if (loan.kind == ProductKind.JointLoan) revert CreditInvalidProductKind(loan.kind);
        IMemberRegistry.Member memory m = memberRegistry.getMember(lender);
        if (m.status != MemberStatus.Active || m.roles & _LENDING_ROLES == 0) {
            revert CreditLenderIneligible(lender, m.status, m.roles);
        }
        id = _register(reporter, lender, loan, _SINGLE);
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
        if (!_canTransition(from, to)) revert CreditInvalidTransition(id, from, to);
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
        if (block.timestamp >= uint256(b.windowStart) + _inquiryWindow) {
            b.windowStart = uint40(block.timestamp);
            b.inquiries = 1;
        } else {
            b.inquiries += 1;
        }
        _borrowers[borrowerKey] = b;
        emit CreditInquired(lender, borrowerKey, purpose, consentHash);
        return _exposure(b);
    }

    // ─── Disputes ───────────────────────────────────────────────────────────

    /// @inheritdoc ICreditRegistry
    function openDispute(MemberId reporter, bytes32 loanRef, bytes32 reason) external {
        MemberId opener = memberRegistry.requireActive(msg.sender);
        if (!memberRegistry.hasRole(msg.sender, Role.Lender) && !memberRegistry.hasRole(msg.sender, Role.Regulator)) {
            revert CreditDisputeUnauthorized(msg.sender, opener);
        }
        LoanId id = loanId(reporter, loanRef);
        _knownLoan(id, _SINGLE);
        Dispute storage d = _disputes[id];
        if (MemberId.unwrap(d.openedBy) != 0) revert CreditDisputeAlreadyOpen(id);
        (d.openedBy, d.openedAt) = (opener, uint40(block.timestamp));
        emit DisputeOpened(id, opener, reason);
    }

    /// @inheritdoc ICreditRegistry
    function answerDispute(bytes32 loanRef, bytes32 response) external {
        MemberId lender = memberRegistry.requireActive(msg.sender);
        LoanId id = _openDispute(lender, loanRef);
        emit DisputeAnswered(id, lender, response);
    }

    /// @inheritdoc ICreditRegistry
    function correctLoan(MemberId reporter, bytes32 loanRef, Correction calldata correction, bytes32 reason) external {
        MemberId regulator = _requireRole(msg.sender, Role.Regulator);
        LoanId id = _openDispute(reporter, loanRef);
        Loan memory loan = _loans[id];
        LoanStatus s = correction.status;
        uint64 outstanding = correction.outstanding;
        if (
            s == LoanStatus.None ||
            outstanding > loan.principal ||
            (s == LoanStatus.Repaid && outstanding != 0) ||
            ((s == LoanStatus.Active || s == LoanStatus.Overdue) && outstanding == 0)
        ) revert CreditInvalidCorrection(id, s, outstanding);
        _rebookLoan(id, loan, s, outstanding);
        emit LoanCorrected(id, regulator, s, outstanding, correction.commitment, reason);
    }

    /// @inheritdoc ICreditRegistry
    function resolveDispute(MemberId reporter, bytes32 loanRef, bytes32 outcome) external {
        MemberId regulator = _requireRole(msg.sender, Role.Regulator);
        LoanId id = _openDispute(reporter, loanRef);
        delete _disputes[id];
        emit DisputeResolved(id, regulator, outcome);
    }

    // ─── Governor ───────────────────────────────────────────────────────────

    /// @inheritdoc ICreditRegistry
    function setPolicy(Policy calldata newPolicy) external onlyGovernor {
        _setPolicy(newPolicy);
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
        return _exposure(_borrowers[borrowerKey]);
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

    /// @dev Validates and books one loan of `reporter`, carried by `lender`; `index` is its place in a batch.
    function _register(
        MemberId reporter,
        MemberId lender,
        LoanInput calldata input,
        uint256 index
    ) private returns (LoanId id) {
        _validate(input, index);
        id = loanId(reporter, input.loanRef);
        if (_loans[id].status != LoanStatus.None) {
            _fail(index, abi.encodeWithSelector(CreditLoanAlreadyRegistered.selector, id));
        }
        bytes32 key = input.borrowerKey;
        Borrower memory b = _borrowers[key];
        if (b.index == 0) {
            b.index = ++_borrowerCount;
            _borrowerKeys[b.index] = key;
        }
        _rebook(b, lender, Move(false, true, false, false, 0, input.outstanding));
        _borrowers[key] = b;
        _loans[id] = Loan({
            borrower: b.index,
            lender: lender,
            principal: input.principal,
            outstanding: input.outstanding,
            originationDay: input.originationDay,
            maturityDay: input.maturityDay,
            kind: input.kind,
            status: LoanStatus.Active
        });
        _emitRegistered(id, lender, reporter, input);
        _applyPolicy(key, id, b, index);
    }

    function _emitRegistered(LoanId id, MemberId lender, MemberId reporter, LoanInput calldata input) private {
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
    function _validate(LoanInput calldata input, uint256 index) private view {
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

    /// @dev Compares the borrower's new aggregates with the policy: reverts in enforce mode, flags otherwise.
    function _applyPolicy(bytes32 key, LoanId id, Borrower memory b, uint256 index) private {
        PolicyMode mode = _mode;
        uint256 max = _maxLenders;
        if (max != 0 && b.activeLenders > max) {
            _breach(mode, key, id, PolicyLimit.DistinctLenders, b.activeLenders, max, index);
        }
        max = _maxOutstanding;
        if (max != 0 && b.outstanding > max) _breach(mode, key, id, PolicyLimit.Outstanding, b.outstanding, max, index);
        max = _maxInquiries;
        uint256 inquiries = _inquiriesInWindow(b);
        if (max != 0 && inquiries > max) _breach(mode, key, id, PolicyLimit.Inquiries, inquiries, max, index);
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
        if (from != LoanStatus.Active && from != LoanStatus.Overdue) {
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

    /// @dev The one transition table of lender-reported status changes.
    function _canTransition(LoanStatus from, LoanStatus to) private pure returns (bool) {
        if (from == LoanStatus.Active) return to == LoanStatus.Overdue || to == LoanStatus.Repaid;
        if (from == LoanStatus.Overdue) {
            return to == LoanStatus.Active || to == LoanStatus.Defaulted || to == LoanStatus.Repaid;
        }
        if (from == LoanStatus.Defaulted) return to == LoanStatus.WrittenOff;
        return false;
    }

    function _knownLoan(LoanId id, uint256 index) private view returns (Loan memory loan) {
        loan = _loans[id];
        if (loan.status == LoanStatus.None) _fail(index, abi.encodeWithSelector(CreditLoanUnknown.selector, id));
    }

    /// @dev The id of (reporter, loanRef) after checking it exists and has an open dispute.
    function _openDispute(MemberId reporter, bytes32 loanRef) private view returns (LoanId id) {
        id = loanId(reporter, loanRef);
        _knownLoan(id, _SINGLE);
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

    function _exposure(Borrower memory b) private view returns (Exposure memory) {
        return
            Exposure({
                activeLoans: b.activeLoans,
                activeLenders: b.activeLenders,
                outstanding: b.outstanding,
                defaults: b.defaults,
                inquiries: _inquiriesInWindow(b)
            });
    }

    function _inquiriesInWindow(Borrower memory b) private view returns (uint256) {
        return block.timestamp < uint256(b.windowStart) + _inquiryWindow ? b.inquiries : 0;
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
