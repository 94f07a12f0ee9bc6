// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CreditRegistry} from "../../contracts/credit/CreditRegistry.sol";
import {ICreditRegistry, LoanId, LoanStatus, ProductKind} from "../../contracts/interfaces/ICreditRegistry.sol";
import {MemberId} from "../../contracts/interfaces/IMemberRegistry.sol";
import {TestBase} from "../lib/Vm.sol";

/// @notice Drives a CreditRegistry through random sequences of registrations (single, batch, joint), a joint loan's
///         funder booking the facility again, the module API (this handler is a listed reporter module: exposures,
///         defaults, closes), repayments, status changes, regulator corrections, inquiries and time jumps. It remembers every loan id it created,
///         so the invariant test can recompute each borrower's totals from the loan records themselves.
contract CreditRegistryHandler is TestBase {
    uint256 public constant BORROWERS = 4;

    CreditRegistry internal immutable _credit;
    address[3] internal _lenders; // two banks and a platform
    MemberId[3] internal _lenderIds;
    address internal immutable _regulator;

    LoanId[] internal _ids;
    mapping(LoanId => address) internal _reporterOf;
    mapping(LoanId => bytes32) internal _refOf;
    uint256 internal _nonce;
    mapping(LoanId => bool) internal _joint;
    MemberId internal immutable _moduleId;
    MemberId internal immutable _firstBorrower;
    mapping(uint256 borrower => mapping(uint256 lender => uint256 time)) internal _lastInquiry;

    /// @notice Set when a funder of a joint loan managed to book its facility again.
    bool public doubleBooked;

    /// @dev `moduleId`: the member id this handler is admitted under as a module; `firstBorrower`: the member id
    ///      of borrower 0 (borrowers are consecutive members whose entity keys are `borrowerKey(i)`).
    constructor(
        CreditRegistry credit,
        address[3] memory lenders,
        MemberId[3] memory lenderIds,
        address regulator,
        MemberId moduleId,
        MemberId firstBorrower
    ) {
        (_moduleId, _firstBorrower) = (moduleId, firstBorrower);
        _credit = credit;
        _lenders = lenders;
        _lenderIds = lenderIds;
        _regulator = regulator;
    }

    // ─── Actions ────────────────────────────────────────────────────────────

    function register(uint256 lenderSeed, uint256 borrowerSeed, uint64 principal, uint64 paidSeed) external {
        uint256 l = lenderSeed % 3;
        ICreditRegistry.LoanInput memory loan = _input(borrowerSeed, principal, paidSeed, ProductKind.SmeLoan);
        vm.prank(_lenders[l]);
        _remember(_credit.registerLoan(loan), _lenders[l], loan.loanRef);
    }

    function registerBatch(uint256 lenderSeed, uint256 borrowerSeed, uint64 principal, uint8 countSeed) external {
        uint256 l = lenderSeed % 3;
        uint256 count = bound(countSeed, 1, 4);
        ICreditRegistry.LoanInput[] memory loans = new ICreditRegistry.LoanInput[](count);
        for (uint256 i; i < count; ++i) {
            loans[i] = _input((borrowerSeed % BORROWERS) + i, principal / uint64(i + 1), i, ProductKind.ConsumerLoan);
        }
        vm.prank(_lenders[l]);
        _credit.registerLoans(loans);
        for (uint256 i; i < count; ++i) {
            _remember(_credit.loanId(_lenderIds[l], loans[i].loanRef), _lenders[l], loans[i].loanRef);
        }
    }

    function registerJoint(uint256 borrowerSeed, uint64 principal, uint16 platformSeed) external {
        ICreditRegistry.LoanInput memory loan = _input(borrowerSeed, principal, 0, ProductKind.JointLoan);
        uint16 platformShare = uint16(bound(platformSeed, 1, 3_000));
        ICreditRegistry.Funder[] memory funders = new ICreditRegistry.Funder[](2);
        funders[0] = ICreditRegistry.Funder(_lenderIds[0], 10_000 - platformShare);
        funders[1] = ICreditRegistry.Funder(_lenderIds[2], platformShare);
        vm.prank(_lenders[0]);
        LoanId id = _credit.registerJointLoan(loan, funders);
        _remember(id, _lenders[0], loan.loanRef);
        _joint[id] = true;
    }

    /// The platform funder of a joint loan tries to book the same facility from its own books: it must fail.
    function bookJointAgain(uint256 loanSeed) external {
        (bool found, LoanId id, ICreditRegistry.LoanRecord memory r) = _pick(loanSeed);
        if (!found || !_joint[id]) return;
        ICreditRegistry.LoanInput memory loan = _input(0, r.principal, 0, ProductKind.SmeLoan);
        loan.loanRef = _refOf[id];
        vm.prank(_lenders[2]);
        try _credit.registerLoan(loan) {
            doubleBooked = true;
        } catch {}
    }

    function moduleExposure(uint256 lenderSeed, uint256 borrowerSeed, uint64 amountSeed) external {
        uint64 amount = uint64(bound(amountSeed, 1, 1e15));
        bytes32 ref = keccak256(abi.encode("module", ++_nonce));
        MemberId borrower = MemberId.wrap(MemberId.unwrap(_firstBorrower) + uint32(borrowerSeed % BORROWERS));
        _credit.reportExposure(
            _lenderIds[lenderSeed % 3],
            borrower,
            ref,
            ProductKind.ReceivableFinance,
            amount,
            uint24(block.timestamp / 1 days) + 90,
            "COMMIT"
        );
        _remember(_credit.loanId(_moduleId, ref), address(this), ref);
    }

    function moduleDefault(uint256 lenderSeed, uint256 borrowerSeed, uint64 amountSeed) external {
        uint64 amount = uint64(bound(amountSeed, 1, 1e15));
        bytes32 ref = keccak256(abi.encode("module", ++_nonce));
        MemberId borrower = MemberId.wrap(MemberId.unwrap(_firstBorrower) + uint32(borrowerSeed % BORROWERS));
        _credit.reportDefault(_lenderIds[lenderSeed % 3], borrower, ref, ProductKind.ReceivableFinance, amount, "C");
        _remember(_credit.loanId(_moduleId, ref), address(this), ref);
    }

    function moduleClose(uint256 loanSeed) external {
        (bool found, LoanId id, ICreditRegistry.LoanRecord memory r) = _pick(loanSeed);
        if (!found || _reporterOf[id] != address(this)) return;
        bool live = r.status == LoanStatus.Active || r.status == LoanStatus.Overdue || r.status == LoanStatus.Defaulted;
        bool closed = _credit.closeExposure(_refOf[id]);
        assertTrue(closed == live, "closeExposure closes exactly the live records");
    }

    function repay(uint256 loanSeed, uint64 amountSeed) external {
        (bool found, LoanId id, ICreditRegistry.LoanRecord memory r) = _pick(loanSeed);
        if (!found || (r.status != LoanStatus.Active && r.status != LoanStatus.Overdue)) return;
        uint64 amount = uint64(bound(amountSeed, 1, r.outstanding));
        vm.prank(_reporterOf[id]);
        _credit.reportRepayment(_refOf[id], amount);
    }

    function repayBatch(uint256 loanSeed) external {
        (bool found, LoanId id, ICreditRegistry.LoanRecord memory r) = _pick(loanSeed);
        if (!found || (r.status != LoanStatus.Active && r.status != LoanStatus.Overdue) || r.outstanding < 2) return;
        ICreditRegistry.Repayment[] memory lines = new ICreditRegistry.Repayment[](2);
        lines[0] = ICreditRegistry.Repayment(_refOf[id], 1);
        lines[1] = ICreditRegistry.Repayment(_refOf[id], 1);
        vm.prank(_reporterOf[id]);
        _credit.reportRepayments(lines);
    }

    function moveStatus(uint256 loanSeed, uint8 toSeed) external {
        (bool found, LoanId id, ICreditRegistry.LoanRecord memory r) = _pick(loanSeed);
        if (!found) return;
        LoanStatus to = LoanStatus(bound(toSeed, 1, 5));
        if (!_allowed(r.status, to)) return;
        vm.prank(_reporterOf[id]);
        _credit.reportStatus(_refOf[id], to);
    }

    function correct(uint256 loanSeed, uint8 statusSeed, uint64 outstandingSeed) external {
        (bool found, LoanId id, ICreditRegistry.LoanRecord memory r) = _pick(loanSeed);
        if (!found) return;
        LoanStatus s = LoanStatus(bound(statusSeed, 1, 5));
        uint64 outstanding = s == LoanStatus.Repaid ? 0 : uint64(bound(outstandingSeed, 1, r.principal));
        MemberId reporter = _memberOfReporter(id);
        vm.startPrank(_regulator);
        _credit.openDispute(reporter, _refOf[id], "HANDLER");
        _credit.correctLoan(reporter, _refOf[id], ICreditRegistry.Correction(s, outstanding, "FIXED"), "RULING");
        _credit.resolveDispute(reporter, _refOf[id], "CLOSED");
        vm.stopPrank();
    }

    function inquire(uint256 lenderSeed, uint256 borrowerSeed) external {
        vm.prank(_lenders[lenderSeed % 3]);
        _credit.inquire(borrowerKey(borrowerSeed), "NEW_LOAN", "CONSENT");
        _lastInquiry[borrowerSeed % BORROWERS][lenderSeed % 3] = block.timestamp;
    }

    /// @notice The model of the rolling window: distinct lenders whose latest inquiry is younger than `window`.
    function inquiringLenders(uint256 borrower, uint256 window) external view returns (uint256 count) {
        for (uint256 l; l < 3; ++l) {
            uint256 t = _lastInquiry[borrower][l];
            if (t != 0 && block.timestamp < t + window) ++count;
        }
    }

    function warp(uint32 secondsSeed) external {
        vm.warp(block.timestamp + bound(secondsSeed, 1, 40 days));
    }

    // ─── For the invariant test ─────────────────────────────────────────────

    function loanCount() external view returns (uint256) {
        return _ids.length;
    }

    function loanAt(uint256 i) external view returns (LoanId) {
        return _ids[i];
    }

    function borrowerKey(uint256 seed) public pure returns (bytes32) {
        return keccak256(abi.encode("borrower", seed % BORROWERS));
    }

    // ─── Internals ──────────────────────────────────────────────────────────

    function _input(
        uint256 borrowerSeed,
        uint64 principal,
        uint256 paidSeed,
        ProductKind kind
    ) internal returns (ICreditRegistry.LoanInput memory) {
        uint64 p = uint64(bound(principal, 1, 1e15));
        uint64 outstanding = uint64(bound(paidSeed, 1, p));
        uint24 today = uint24(block.timestamp / 1 days);
        return
            ICreditRegistry.LoanInput({
                loanRef: keccak256(abi.encode("ref", ++_nonce)),
                borrowerKey: borrowerKey(borrowerSeed),
                kind: kind,
                principal: p,
                outstanding: outstanding,
                originationDay: today,
                maturityDay: today + 365,
                commitment: keccak256(abi.encode("record", _nonce))
            });
    }

    function _remember(LoanId id, address reporter, bytes32 ref) internal {
        _ids.push(id);
        _reporterOf[id] = reporter;
        _refOf[id] = ref;
    }

    function _pick(uint256 seed) internal view returns (bool, LoanId, ICreditRegistry.LoanRecord memory r) {
        if (_ids.length == 0) return (false, LoanId.wrap(0), r);
        LoanId id = _ids[seed % _ids.length];
        return (true, id, _credit.getLoan(id));
    }

    function _memberOfReporter(LoanId id) internal view returns (MemberId) {
        for (uint256 i; i < 3; ++i) if (_lenders[i] == _reporterOf[id]) return _lenderIds[i];
        if (_reporterOf[id] == address(this)) return _moduleId;
        revert("unknown reporter");
    }

    function _allowed(LoanStatus from, LoanStatus to) internal pure returns (bool) {
        if (from == LoanStatus.Active) return to == LoanStatus.Overdue || to == LoanStatus.Repaid;
        if (from == LoanStatus.Overdue) {
            return to == LoanStatus.Active || to == LoanStatus.Defaulted || to == LoanStatus.Repaid;
        }
        return from == LoanStatus.Defaulted && to == LoanStatus.WrittenOff;
    }
}
