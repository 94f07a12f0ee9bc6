// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MemberRegistry} from "../../contracts/access/MemberRegistry.sol";
import {CreditRegistry} from "../../contracts/credit/CreditRegistry.sol";
import {ICreditRegistry, LoanStatus, PolicyMode, ProductKind} from "../../contracts/interfaces/ICreditRegistry.sol";
import {MemberId} from "../../contracts/interfaces/IMemberRegistry.sol";
import {TestBase} from "../lib/Vm.sol";

import {CreditRegistryHandler} from "./CreditRegistryHandler.sol";

/// @notice Invariants of the borrower aggregates, recomputed from the loan records after random sequences of
///         registrations, repayments, status changes, corrections, inquiries and time jumps; and fuzzed properties
///         of single operations.
contract CreditRegistryInvariantTest is TestBase {
    uint32 internal constant LENDER = uint32(1) << 0;
    uint32 internal constant PLATFORM = uint32(1) << 1;
    uint32 internal constant REGULATOR = uint32(1) << 12;
    uint32 internal constant REPORTER = uint32(1) << 13;
    uint32 internal constant SUPPLIER = uint32(1) << 3;

    MemberRegistry internal registry;
    CreditRegistry internal credit;
    CreditRegistryHandler internal handler;
    address internal constant BANK_A = address(0xA);
    address internal constant BANK_B = address(0xB);
    address internal constant PLATFORM_C = address(0xC);
    address internal constant REGULATOR_R = address(0xD);

    function setUp() public {
        vm.warp(1_790_000_000);
        registry = new MemberRegistry(address(this), keccak256("test key check"));
        registry.admit(keccak256("BANK_A"), ~keccak256("BANK_A"), "CN", LENDER, BANK_A);
        registry.admit(keccak256("BANK_B"), ~keccak256("BANK_B"), "MX", LENDER, BANK_B);
        registry.admit(keccak256("PLATFORM_C"), ~keccak256("PLATFORM_C"), "CN", LENDER | PLATFORM, PLATFORM_C);
        registry.admit(keccak256("REGULATOR"), ~keccak256("REGULATOR"), "CN", REGULATOR, REGULATOR_R);
        credit = new CreditRegistry(
            registry,
            "CNY",
            ICreditRegistry.Policy({
                maxLenders: 2,
                maxInquiries: 3,
                inquiryWindow: 30 days,
                maxOutstanding: 0,
                maxPlatformShareBps: 3_000,
                mode: PolicyMode.Flag
            })
        );
        handler = new CreditRegistryHandler(
            credit,
            [BANK_A, BANK_B, PLATFORM_C],
            [MemberId.wrap(1), MemberId.wrap(2), MemberId.wrap(3)],
            REGULATOR_R,
            MemberId.wrap(9),
            MemberId.wrap(5)
        );
        // Borrowers the module reports about: members whose entity keys are the handler's borrower keys.
        for (uint256 b; b < handler.BORROWERS(); ++b) {
            address account = address(uint160(0xB0 + b));
            registry.admit(keccak256(abi.encode("LEI", b)), handler.borrowerKey(b), "CN", SUPPLIER, account);
        }
        // The module member's admin is a key; the handler contract is its operator.
        MemberId moduleId = registry.admit(keccak256("MODULE"), keccak256("MODULE KEY"), "CN", REPORTER, address(0xE0));
        vm.prank(address(0xE0));
        registry.addOperator(moduleId, address(handler));
        credit.setReporterModule(address(handler), true);
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    // ─── Invariants ─────────────────────────────────────────────────────────

    /// Outstanding equals the sum of the borrower's live loans' outstanding.
    function invariant_outstandingIsTheSumOfLiveLoans() public view {
        for (uint256 b; b < handler.BORROWERS(); ++b) {
            (uint256 outstanding, , , ) = _recount(handler.borrowerKey(b));
            assertEq(credit.exposureOf(handler.borrowerKey(b)).outstanding, outstanding, "outstanding");
        }
    }

    /// Active loans equals the count of live loans.
    function invariant_activeLoansIsTheCountOfLiveLoans() public view {
        for (uint256 b; b < handler.BORROWERS(); ++b) {
            (, uint256 live, , ) = _recount(handler.borrowerKey(b));
            assertEq(credit.exposureOf(handler.borrowerKey(b)).activeLoans, live, "active loans");
        }
    }

    /// Active lenders equals the number of distinct lenders with a live loan.
    function invariant_activeLendersIsTheCountOfDistinctLiveLenders() public view {
        for (uint256 b; b < handler.BORROWERS(); ++b) {
            (, , uint256 lenders, ) = _recount(handler.borrowerKey(b));
            assertEq(credit.exposureOf(handler.borrowerKey(b)).activeLenders, lenders, "active lenders");
        }
    }

    /// Defaults equals the count of Defaulted and WrittenOff loans.
    function invariant_defaultsIsTheCountOfDefaultedLoans() public view {
        for (uint256 b; b < handler.BORROWERS(); ++b) {
            (, , , uint256 defaults) = _recount(handler.borrowerKey(b));
            assertEq(credit.exposureOf(handler.borrowerKey(b)).defaults, defaults, "defaults");
        }
    }

    /// A joint loan counts once: no funder ever booked its facility again (item 11).
    function invariant_jointLoanCountsOnce() public view {
        assertTrue(!handler.doubleBooked(), "a funder booked a joint loan's facility again");
    }

    /// Inquiries are the distinct lenders whose latest inquiry is within the rolling window (items 15, 16).
    function invariant_inquiriesAreDistinctLendersInTheRollingWindow() public view {
        for (uint256 b; b < handler.BORROWERS(); ++b) {
            assertEq(
                credit.exposureOf(handler.borrowerKey(b)).inquiries,
                handler.inquiringLenders(b, 30 days),
                "inquiries"
            );
        }
    }

    /// Every loan keeps outstanding within principal, and a repaid loan owes nothing.
    function invariant_loansStayConsistent() public view {
        for (uint256 i; i < handler.loanCount(); ++i) {
            ICreditRegistry.LoanRecord memory r = credit.getLoan(handler.loanAt(i));
            assertTrue(r.status != LoanStatus.None, "remembered loan is unknown");
            assertTrue(r.outstanding <= r.principal, "outstanding above principal");
            assertTrue(r.status != LoanStatus.Repaid || r.outstanding == 0, "repaid loan owes");
        }
    }

    // ─── Fuzz ───────────────────────────────────────────────────────────────

    /// A registration followed by a full repayment leaves the borrower exactly as before.
    function testFuzz_registerThenRepay_restoresExposure(uint64 principal, uint64 first) public {
        principal = uint64(bound(principal, 1, type(uint64).max));
        first = uint64(bound(first, 1, principal));
        bytes32 borrower = keccak256("fuzz borrower");
        ICreditRegistry.LoanInput memory loan = ICreditRegistry.LoanInput({
            loanRef: "FUZZ-1",
            borrowerKey: borrower,
            kind: ProductKind.ConsumerLoan,
            principal: principal,
            outstanding: principal,
            originationDay: uint24(block.timestamp / 1 days),
            maturityDay: uint24(block.timestamp / 1 days) + 30,
            commitment: "C"
        });
        vm.startPrank(BANK_A);
        credit.registerLoan(loan);
        assertEq(credit.exposureOf(borrower).outstanding, principal, "registered outstanding");
        credit.reportRepayment("FUZZ-1", first);
        if (first < principal) credit.reportRepayment("FUZZ-1", principal - first);
        vm.stopPrank();
        ICreditRegistry.Exposure memory e = credit.exposureOf(borrower);
        assertEq(e.outstanding + e.activeLoans + e.activeLenders + e.defaults, 0, "exposure not restored");
        assertTrue(credit.getLoan(credit.loanId(MemberId.wrap(1), "FUZZ-1")).status == LoanStatus.Repaid, "not repaid");
    }

    // ─── Helpers ────────────────────────────────────────────────────────────

    /// Recomputes a borrower's totals from the records of every loan the handler created.
    function _recount(
        bytes32 borrower
    ) internal view returns (uint256 outstanding, uint256 live, uint256 lenders, uint256 defaults) {
        bool[4] memory lenderSeen;
        for (uint256 i; i < handler.loanCount(); ++i) {
            ICreditRegistry.LoanRecord memory r = credit.getLoan(handler.loanAt(i));
            if (r.borrowerKey != borrower) continue;
            bool isLive =
                r.status == LoanStatus.Active || r.status == LoanStatus.Overdue || r.status == LoanStatus.Defaulted;
            if (isLive) {
                outstanding += r.outstanding;
                live += 1;
                uint32 lender = MemberId.unwrap(r.lender);
                if (!lenderSeen[lender]) {
                    lenderSeen[lender] = true;
                    lenders += 1;
                }
            }
            if (r.status == LoanStatus.Defaulted || r.status == LoanStatus.WrittenOff) defaults += 1;
        }
    }
}
