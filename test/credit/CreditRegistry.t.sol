// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MemberRegistry} from "../../contracts/access/MemberRegistry.sol";
import {ConsentBook} from "../../contracts/credit/ConsentBook.sol";
import {CreditRegistry} from "../../contracts/credit/CreditRegistry.sol";
import {
    Frequency,
    ICreditRegistry,
    ICreditRegistryTypes,
    LoanId,
    LoanStatus,
    PolicyMode,
    ProductKind
} from "../../contracts/interfaces/ICreditRegistry.sol";
import {InstalmentPlan} from "../../contracts/libraries/InstalmentPlan.sol";
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
        ConsentBook consents = new ConsentBook(registry);
        credit = new CreditRegistry(
            registry,
            consents,
            "CNY",
            ICreditRegistryTypes.Policy({
                maxLenders: 2,
                maxInquiries: 3,
                inquiryWindow: 30 days,
                maxOutstanding: 0,
                maxPlatformShareBps: 3_000,
                mode: PolicyMode.Flag,
                maxAprBps: 2_400,
                graceDays: 15
            })
        );
        handler = new CreditRegistryHandler(
            credit,
            consents,
            [BANK_A, BANK_B, PLATFORM_C],
            [MemberId.wrap(1), MemberId.wrap(2), MemberId.wrap(3)],
            REGULATOR_R,
            MemberId.wrap(9),
            MemberId.wrap(5),
            address(this) // the governor
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
        vm.prank(address(handler));
        registry.acceptOperatorOffer(moduleId);
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

    /// Defaults equals the count of retained negative records: Defaulted loans, and loans written off or settled after a
    /// default whose retention has not been aged out.
    function invariant_defaultsIsTheCountOfDefaultedLoans() public view {
        for (uint256 b; b < handler.BORROWERS(); ++b) {
            (, , , uint256 defaults) = _recount(handler.borrowerKey(b));
            assertEq(credit.exposureOf(handler.borrowerKey(b)).defaults, defaults, "defaults");
        }
    }

    /// Each borrower's delinquency buckets equal a recount of its live plan loans, each in the bucket the model
    /// computes for the day the loan was last touched, from what the model says was paid.
    function invariant_bucketsAreARecountOfTheModel() public view {
        for (uint256 b; b < handler.BORROWERS(); ++b) {
            uint256[4] memory counted;
            bytes32 key = handler.borrowerKey(b);
            for (uint256 i; i < handler.loanCount(); ++i) {
                LoanId id = handler.loanAt(i);
                ICreditRegistryTypes.LoanRecord memory r = credit.getLoan(id);
                ICreditRegistryTypes.Plan memory plan = credit.termsOf(id).plan;
                if (r.borrowerKey != key || plan.instalments == 0 || !_live(r.status)) continue;
                uint256 owed = InstalmentPlan.totalDue(plan) - handler.paidOf(id);
                uint8 bucket = InstalmentPlan.bucket(InstalmentPlan.daysPastDue(plan, owed, handler.touchedDay(id)));
                assertEq(credit.termsOf(id).bucket, bucket, "loan bucket");
                if (bucket != 0) ++counted[bucket - 1];
            }
            uint256[4] memory held = credit.profileOf(key).delinquent;
            for (uint256 k; k < 4; ++k) assertEq(held[k], counted[k], "bucket count");
        }
    }

    /// A retained negative record is a loan written off or settled after default, and every operation on or after its
    /// retention day ended it.
    function invariant_retainedRecordsAreWithinRetention() public view {
        for (uint256 i; i < handler.loanCount(); ++i) {
            LoanId id = handler.loanAt(i);
            uint256 until = credit.termsOf(id).negativeUntil;
            if (until == 0) continue;
            LoanStatus s = credit.getLoan(id).status;
            assertTrue(s == LoanStatus.WrittenOff || s == LoanStatus.Repaid, "retained record of a live loan");
            assertTrue(handler.touchedDay(id) < until, "touched after its retention yet still counted");
        }
    }

    /// A plan loan's outstanding is what is due less what was paid.
    function invariant_planOutstandingIsDueLessPaid() public view {
        for (uint256 i; i < handler.loanCount(); ++i) {
            LoanId id = handler.loanAt(i);
            ICreditRegistryTypes.Plan memory plan = credit.termsOf(id).plan;
            if (plan.instalments == 0) continue;
            ICreditRegistryTypes.LoanRecord memory r = credit.getLoan(id);
            uint256 total = InstalmentPlan.totalDue(plan);
            assertEq(r.outstanding, total - handler.paidOf(id), "owed");
            assertEq(credit.delinquencyOf(id).paid, total - r.outstanding, "paid view");
        }
    }

    /// Inquiries go through exactly under a consent in force for that borrower and that lender.
    function invariant_inquiriesNeedAConsentInForce() public view {
        assertTrue(!handler.inquiredWithoutConsent(), "an inquiry and its consent disagree with the model");
    }

    /// A stranger's ageing moves to Overdue exactly the Active plan loans past their grace, and nothing else.
    function invariant_ageingMovesExactlyWhatIsPastGrace() public view {
        assertTrue(!handler.ageingWrong(), "ageLoan disagreed with the model");
    }

    /// A joint loan counts once: no funder ever booked its facility again (item 11).
    function invariant_jointLoanCountsOnce() public view {
        assertTrue(!handler.doubleBooked(), "a funder booked a joint loan's facility again");
    }

    /// An inquiry returns the distinct lenders in the window, itself included, as the model counts them.
    function invariant_inquireReturnsTheWindowCount() public view {
        assertTrue(!handler.inquiryReturnedWrongCount(), "an inquiry returned another count than the model's");
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
            ICreditRegistryTypes.LoanRecord memory r = credit.getLoan(handler.loanAt(i));
            assertTrue(r.status != LoanStatus.None, "remembered loan is unknown");
            ICreditRegistryTypes.Plan memory plan = credit.termsOf(handler.loanAt(i)).plan;
            uint256 ceiling = plan.instalments != 0 ? InstalmentPlan.totalDue(plan) : r.principal;
            assertTrue(r.outstanding <= ceiling, "outstanding above principal or plan");
            assertTrue(r.status != LoanStatus.Repaid || r.outstanding == 0, "repaid loan owes");
        }
    }

    function _live(LoanStatus s) internal pure returns (bool) {
        return s == LoanStatus.Active || s == LoanStatus.Overdue || s == LoanStatus.Defaulted;
    }

    // ─── Fuzz ───────────────────────────────────────────────────────────────

    /// A registration followed by a full repayment leaves the borrower exactly as before.
    function testFuzz_registerThenRepay_restoresExposure(uint64 principal, uint64 first) public {
        principal = uint64(bound(principal, 1, type(uint64).max));
        first = uint64(bound(first, 1, principal));
        bytes32 borrower = keccak256("fuzz borrower");
        ICreditRegistryTypes.LoanInput memory loan = ICreditRegistryTypes.LoanInput({
            loanRef: "FUZZ-1",
            borrowerKey: borrower,
            kind: ProductKind.ConsumerLoan,
            principal: principal,
            outstanding: principal,
            originationDay: uint24(block.timestamp / 1 days),
            maturityDay: uint24(block.timestamp / 1 days) + 30,
            commitment: "C",
            aprBps: 0,
            plan: ICreditRegistryTypes.Plan(0, Frequency.Weekly, 0, 0, 0)
        });
        vm.startPrank(BANK_A);
        credit.registerLoan(loan);
        assertEq(credit.exposureOf(borrower).outstanding, principal, "registered outstanding");
        credit.fileLoanRepayment("FUZZ-1", first);
        if (first < principal) credit.fileLoanRepayment("FUZZ-1", principal - first);
        vm.stopPrank();
        ICreditRegistryTypes.Exposure memory e = credit.exposureOf(borrower);
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
            LoanId id = handler.loanAt(i);
            ICreditRegistryTypes.LoanRecord memory r = credit.getLoan(id);
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
            if (r.status == LoanStatus.Defaulted || credit.termsOf(id).negativeUntil != 0) defaults += 1;
        }
    }
}
