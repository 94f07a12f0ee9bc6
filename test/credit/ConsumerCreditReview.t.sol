// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MemberRegistry} from "../../contracts/access/MemberRegistry.sol";
import {ConsentBook} from "../../contracts/credit/ConsentBook.sol";
import {CreditRegistry} from "../../contracts/credit/CreditRegistry.sol";
import {CreditScore} from "../../contracts/credit/CreditScore.sol";
import {ConsentId, ConsentPurpose, IConsentBook} from "../../contracts/interfaces/IConsentBook.sol";
import {
    Frequency,
    ICreditRegistryTypes,
    LoanId,
    LoanStatus,
    PolicyLimit,
    PolicyMode,
    ProductKind
} from "../../contracts/interfaces/ICreditRegistry.sol";
import {ICreditScore} from "../../contracts/interfaces/ICreditScore.sol";
import {InstalmentPlan} from "../../contracts/libraries/InstalmentPlan.sol";
import {MemberId} from "../../contracts/interfaces/IMemberRegistry.sol";
import {TestBase} from "../lib/Vm.sol";

/// @notice Regressions of the adversarial review of issue 14's first cut (commit 5552945): each test failed there and
///         proves its finding fixed. (R5, bullet loans past maturity, and R8, views before `ageLoan`, are the documented
///         design: a loan without a plan behaves as before, and time-driven changes apply when anyone ages the loan.)
contract ConsumerCreditReviewTest is TestBase {
    uint32 internal constant LENDER = uint32(1) << 0;
    uint32 internal constant SUPPLIER = uint32(1) << 3;
    uint32 internal constant REGULATOR = uint32(1) << 12;
    uint32 internal constant REPORTER = uint32(1) << 13;

    address internal constant BANK_A = address(0xA);
    address internal constant BANK_B = address(0xB);
    address internal constant REGULATOR_R = address(0xD);
    address internal constant STRANGER = address(0x5757);
    // The governor is another key than this contract, which reports as the module: the governor's key is no member's
    // operator (review 30, B1).
    address internal constant GOVERNOR = address(0x6007);
    address internal constant BORROWER_MEMBER = address(0xB0);

    MemberRegistry internal registry;
    ConsentBook internal consents;
    CreditRegistry internal credit;
    CreditScore internal score;
    MemberId internal bankA;
    MemberId internal bankB;
    MemberId internal borrowerMember;
    MemberId internal moduleId;
    bytes32 internal constant KEY = keccak256("review borrower");
    uint24 internal today;

    function setUp() public {
        vm.warp(1_790_000_000);
        today = uint24(block.timestamp / 1 days);
        registry = new MemberRegistry(GOVERNOR, keccak256("test key check"));
        vm.startPrank(GOVERNOR);
        bankA = registry.admit(keccak256("BANK_A"), ~keccak256("BANK_A"), "CN", LENDER, BANK_A);
        bankB = registry.admit(keccak256("BANK_B"), ~keccak256("BANK_B"), "CN", LENDER, BANK_B);
        registry.admit(keccak256("REGULATOR"), ~keccak256("REGULATOR"), "CN", REGULATOR, REGULATOR_R);
        borrowerMember = registry.admit(keccak256("BORROWER"), KEY, "CN", SUPPLIER, BORROWER_MEMBER);
        moduleId = registry.admit(keccak256("MODULE"), keccak256("MODULE KEY"), "CN", REPORTER, address(this));
        consents = new ConsentBook(registry);
        credit = new CreditRegistry(registry, consents, "CNY", _policy(PolicyMode.Enforce));
        credit.setReporterModule(address(this), true);
        score = new CreditScore(registry, credit, _defaultCard());
        vm.stopPrank();
    }

    // ─── R1: APR cap bypassed by an APR of 0 (or any APR) the plan contradicts ──────────────────────────────────

    /// A consumer loan of 1,000.00 repaid in 12 weekly instalments of 200.00 (2,400.00 in 77 days: its APR is
    /// thousands of percent) registers under a 24% cap in enforce mode by declaring aprBps 0.
    function test_R1_consumerPlanWithAprZero_isRefusedByTheCap() public {
        ICreditRegistryTypes.LoanInput memory loan = _planLoan("R1", Frequency.Weekly, 12, 200_00, 1_000_00);
        loan.aprBps = 0;
        vm.prank(BANK_A);
        vm.expectRevert(
            abi.encodeWithSelector(ICreditRegistryTypes.CreditAprBelowPlan.selector, 0, 2_400_00, 1_000_00, 68)
        );
        credit.registerLoan(loan);
    }

    // ─── R2: joint (co-financed) consumer loans are never capped ─────────────────────────────────────────────────

    function test_R2_jointLoanAboveTheCap_isRefusedInEnforceMode() public {
        ICreditRegistryTypes.LoanInput memory loan = _planLoan("R2", Frequency.Monthly, 12, 100_00, 1_000_00);
        loan.kind = ProductKind.JointLoan;
        loan.aprBps = 99_999; // 999.99%, cap 24%
        ICreditRegistryTypes.Funder[] memory funders = new ICreditRegistryTypes.Funder[](2);
        funders[0] = ICreditRegistryTypes.Funder(bankA, 5_000);
        funders[1] = ICreditRegistryTypes.Funder(bankB, 5_000);
        vm.prank(BANK_A);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICreditRegistryTypes.CreditPolicyLimitExceeded.selector,
                KEY,
                PolicyLimit.Apr,
                99_999,
                2_400
            )
        );
        credit.registerJointLoan(loan, funders);
    }

    // ─── R3: a write-off raises the score (delinquency of the defaulted loan vanishes) ───────────────────────────

    function test_R3_writingOffADefaultedLoan_neverRaisesTheScore() public {
        // 1,080.00 back for 1,000.00 over a year of monthly instalments: an APR of about 15%, declared at 20%.
        ICreditRegistryTypes.LoanInput memory loan = _planLoan("R3", Frequency.Monthly, 12, 90_00, 1_000_00);
        vm.prank(BANK_A);
        credit.registerLoan(loan);
        vm.warp(block.timestamp + 140 days); // first instalment ~110 days past due
        LoanId id = credit.loanId(bankA, "R3");
        vm.prank(STRANGER);
        credit.ageLoan(id); // Active -> Overdue, bucket 4 (90+)
        vm.startPrank(BANK_A);
        credit.fileLoanStatus("R3", LoanStatus.Defaulted);
        (uint16 defaulted, ) = score.scoreOf(KEY);
        credit.fileLoanStatus("R3", LoanStatus.WrittenOff);
        vm.stopPrank();
        (uint16 writtenOff, ) = score.scoreOf(KEY);
        assertTrue(
            writtenOff <= defaulted,
            string.concat("a write-off raised the score: ", _str(defaulted), " -> ", _str(writtenOff))
        );
    }

    // ─── R4: backdated origination: one more lender raises the score ────────────────────────────────────────────

    function test_R4_oneMoreLender_neverRaisesTheScore_evenBackdated() public {
        ICreditRegistryTypes.LoanInput memory first = _bulletLoan("R4-A", today);
        vm.prank(BANK_A);
        credit.registerLoan(first);
        (uint16 before, ) = score.scoreOf(KEY);
        ICreditRegistryTypes.LoanInput memory second = _bulletLoan("R4-B", 1); // originated 1970-01-02
        vm.prank(BANK_B);
        credit.registerLoan(second);
        (uint16 afterSecond, ) = score.scoreOf(KEY);
        assertTrue(
            afterSecond <= before,
            string.concat("one more lender raised the score: ", _str(before), " -> ", _str(afterSecond))
        );
    }

    // ─── R6: a Regulator's same-status correction of a settled default erases the negative record ───────────────

    function test_R6_correctingASettledDefaultsCommitment_keepsItsNegativeRecord() public {
        credit.reportDefault(
            bankA,
            borrowerMember,
            "R6",
            ProductKind.TradeFinance,
            5_000_00,
            uint24(block.timestamp / 1 days),
            "C"
        );
        assertTrue(credit.closeExposure("R6", uint24(block.timestamp / 1 days)), "settled"); // Defaulted -> Repaid: retained 60 months
        assertEq(credit.exposureOf(KEY).defaults, 1, "retained after settlement");
        vm.prank(BANK_B);
        credit.openDispute(moduleId, "R6", "WRONG-HASH");
        vm.prank(REGULATOR_R);
        // Only the commitment changes: still Repaid, still 0.
        credit.correctLoan(moduleId, "R6", ICreditRegistryTypes.Correction(LoanStatus.Repaid, 0, "C2"), "HASH-FIX");
        assertEq(credit.exposureOf(KEY).defaults, 1, "a same-status correction erased the retained default");
    }

    // ─── R7: a suspended holder cannot record the borrower's withdrawal; its consent still serves others ────────

    function test_R7_suspendedHoldersConsent_stopsServingCoveredMembers() public {
        MemberId[] memory covered = new MemberId[](1);
        covered[0] = bankB;
        vm.prank(BANK_A);
        ConsentId cid = consents.recordConsent(
            IConsentBook.ConsentInput(KEY, "DOC", ConsentPurpose.NewCredit, uint40(block.timestamp + 365 days), covered)
        );
        vm.prank(GOVERNOR);
        registry.suspend(bankA, "MISCONDUCT");
        // The holder can no longer record a withdrawal (requireActiveMember), yet BANK_B keeps inquiring on its consent.
        vm.prank(BANK_B);
        try credit.inquire(KEY, ConsentPurpose.NewCredit, cid) {
            revert("an inquiry relied on the consent of a suspended holder");
        } catch {}
    }

    // ─── R9: a lender cannot record that a defaulted loan was settled, so its retention never starts ───────────

    function test_R9_lendersDefaultedLoanPaidInFull_canBeSettledAndRetained() public {
        vm.startPrank(BANK_A);
        credit.registerLoan(_bulletLoan("R9", today));
        credit.fileLoanStatus("R9", LoanStatus.Overdue);
        credit.fileLoanStatus("R9", LoanStatus.Defaulted);
        // The borrower pays everything after the default: the lender records it, and the default is retained.
        credit.fileLoanRepayment("R9", 1_000_00);
        vm.stopPrank();
        LoanId id = credit.loanId(bankA, "R9");
        assertTrue(credit.getLoan(id).status == LoanStatus.Repaid, "settled");
        assertTrue(credit.termsOf(id).negativeUntil != 0, "retained five years from settlement");
    }

    // ─── Helpers ────────────────────────────────────────────────────────────────────────────────────────────────

    function _planLoan(
        bytes32 ref,
        Frequency f,
        uint8 n,
        uint64 each,
        uint64 principal
    ) internal view returns (ICreditRegistryTypes.LoanInput memory loan) {
        ICreditRegistryTypes.Plan memory p = ICreditRegistryTypes.Plan(n, f, today + 30, each, each);
        uint256 total = InstalmentPlan.totalDue(p);
        loan = ICreditRegistryTypes.LoanInput({
            loanRef: ref,
            borrowerKey: KEY,
            kind: ProductKind.ConsumerLoan,
            principal: principal,
            outstanding: uint64(total),
            originationDay: today,
            maturityDay: uint24(InstalmentPlan.dueDay(p, n - 1)),
            commitment: "C",
            aprBps: 2_000,
            plan: p
        });
    }

    function _bulletLoan(
        bytes32 ref,
        uint24 origination
    ) internal view returns (ICreditRegistryTypes.LoanInput memory) {
        return
            ICreditRegistryTypes.LoanInput({
                loanRef: ref,
                borrowerKey: KEY,
                kind: ProductKind.ConsumerLoan,
                principal: 1_000_00,
                outstanding: 1_000_00,
                originationDay: origination,
                maturityDay: today + 30,
                commitment: "C",
                aprBps: 0,
                plan: ICreditRegistryTypes.Plan(0, Frequency.Weekly, 0, 0, 0)
            });
    }

    function _str(uint256 v) internal pure returns (string memory out) {
        if (v == 0) return "0";
        while (v != 0) {
            out = string.concat(string(abi.encodePacked(bytes1(uint8(48 + (v % 10))))), out);
            v /= 10;
        }
    }

    function _policy(PolicyMode mode) internal pure returns (ICreditRegistryTypes.Policy memory) {
        return
            ICreditRegistryTypes.Policy({
                maxLenders: 0,
                maxInquiries: 0,
                inquiryWindow: 30 days,
                maxOutstanding: 0,
                maxPlatformShareBps: 3_000,
                mode: mode,
                maxAprBps: 2_400,
                graceDays: 15
            });
    }

    function _bins(uint32[5] memory e, uint16[6] memory p) internal pure returns (ICreditScore.Bins memory) {
        return ICreditScore.Bins(e, p);
    }

    /// The default scorecard of /work/helper-context.md.
    function _defaultCard() internal pure returns (ICreditScore.Scorecard memory c) {
        uint32 MAX = type(uint32).max;
        c.base = 300;
        c.attributes[0] = _bins([uint32(0), 1, 2, MAX, MAX], [uint16(150), 60, 20, 0, 0, 0]);
        c.attributes[1] = _bins([uint32(0), 1, 2, 3, 4], [uint16(150), 110, 60, 20, 0, 0]);
        c.attributes[2] = _bins([uint32(1), 2, 3, 5, MAX], [uint16(60), 50, 35, 15, 0, 0]);
        c.attributes[3] = _bins([uint32(30), 50, 75, 100, MAX], [uint16(80), 65, 45, 20, 0, 0]);
        c.attributes[4] = _bins([uint32(0), 1, 2, 4, MAX], [uint16(50), 40, 28, 10, 0, 0]);
        c.attributes[5] = _bins([uint32(0), 179, 364, 729, 1824], [uint16(0), 10, 20, 35, 50, 60]);
    }
}
