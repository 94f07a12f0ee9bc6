// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CreditRegistry} from "../../contracts/credit/CreditRegistry.sol";
import {ICreditRegistry, LoanId, LoanStatus, ProductKind} from "../../contracts/interfaces/ICreditRegistry.sol";
import {MemberId} from "../../contracts/interfaces/IMemberRegistry.sol";
import {TestBase} from "../lib/Vm.sol";

/// @notice Drives a CreditRegistry through random sequences of registrations (single, batch, joint), repayments,
///         status changes, regulator corrections, inquiries and time jumps. It remembers every loan id it created,
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

    constructor(CreditRegistry credit, address[3] memory lenders, MemberId[3] memory lenderIds, address regulator) {
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
        _remember(_credit.registerJointLoan(loan, funders), _lenders[0], loan.loanRef);
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
