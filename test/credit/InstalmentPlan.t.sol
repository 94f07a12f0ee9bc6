// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Frequency, ICreditRegistryTypes} from "../../contracts/interfaces/ICreditRegistry.sol";
import {InstalmentPlan} from "../../contracts/libraries/InstalmentPlan.sol";
import {TestBase} from "../lib/Vm.sol";

/// @notice Exposes {InstalmentPlan}'s internal functions, so that the tests call them as the registry does.
contract InstalmentPlanHarness {
    function totalDue(ICreditRegistryTypes.Plan memory p) external pure returns (uint256) {
        return InstalmentPlan.totalDue(p);
    }

    function dueDay(ICreditRegistryTypes.Plan memory p, uint256 k) external pure returns (uint256) {
        return InstalmentPlan.dueDay(p, k);
    }

    function oldestUnpaid(
        ICreditRegistryTypes.Plan memory p,
        uint256 paid
    ) external pure returns (uint256 index, uint256 due) {
        return InstalmentPlan.oldestUnpaid(p, paid);
    }

    function daysPastDue(
        ICreditRegistryTypes.Plan memory p,
        uint256 outstanding,
        uint256 today
    ) external pure returns (uint256) {
        return InstalmentPlan.daysPastDue(p, outstanding, today);
    }

    function bucket(uint256 dpd) external pure returns (uint8) {
        return InstalmentPlan.bucket(dpd);
    }

    function addMonths(uint256 day, uint256 months) external pure returns (uint256) {
        return InstalmentPlan.addMonths(day, months);
    }

    function meanDueDaysWad(ICreditRegistryTypes.Plan memory p, uint256 origination) external pure returns (uint256) {
        return InstalmentPlan.meanDueDaysWad(p, origination, InstalmentPlan.totalDue(p));
    }

    function aprCovers(
        uint32 aprBps,
        uint256 principal,
        uint256 total,
        uint256 meanDaysWad
    ) external pure returns (bool) {
        return InstalmentPlan.aprCovers(aprBps, principal, total, meanDaysWad);
    }
}

/// @notice {InstalmentPlan}'s calendar and allocation rules, against oracles written independently here (a year-by-year
///         walk of the calendar; a loop over the instalments) and against dated examples.
contract InstalmentPlanTest is TestBase {
    InstalmentPlanHarness internal plan;

    // Day numbers (days since 1970-01-01) of the examples: Date.parse(iso) / 86_400_000.
    uint256 internal constant JAN_31_2024 = 19_753; // 2024 is a leap year
    uint256 internal constant FEB_29_2024 = 19_782;
    uint256 internal constant MAR_31_2024 = 19_813;
    uint256 internal constant JAN_31_2025 = 20_119;
    uint256 internal constant FEB_28_2025 = 20_147;
    uint256 internal constant JAN_31_2100 = 47_512; // 2100 is not (a century not divisible by 400)
    uint256 internal constant FEB_28_2100 = 47_540;
    uint256 internal constant JAN_31_2000 = 10_987; // 2000 is (divisible by 400)
    uint256 internal constant FEB_29_2000 = 11_016;

    /// @dev Last day the calendar oracle walks to: 2199-12-31.
    uint256 internal constant LAST_DAY = 84_005;

    function setUp() public {
        plan = new InstalmentPlanHarness();
    }

    // ─── addMonths ──────────────────────────────────────────────────────────

    /// @notice Adding months lands in the right month, on the same day of month, or on the month's last day when the
    ///         month is shorter (never spilling into the next month).
    function testFuzz_addMonths_clampsToMonthEnd(uint256 day, uint256 months) public view {
        day = bound(day, 0, 73_000); // 1970 .. 2169, so that 360 months later stays within the oracle's range
        months = bound(months, 0, 360);
        uint256 result = plan.addMonths(day, months);
        (uint256 y, uint256 m, uint256 d) = _civil(day);
        (uint256 y2, uint256 m2, uint256 d2) = _civil(result);
        assertEq(y2 * 12 + m2, y * 12 + m + months, "addMonths: wrong month");
        uint256 last = _monthLength(y2, m2);
        assertEq(d2, d < last ? d : last, "addMonths: day of month not kept or not clamped to the month's end");
        assertTrue(result >= day, "addMonths: went back in time");
    }

    /// @notice Adding months one at a time from the first due day's date never drifts: month k of a plan is always
    ///         computed from the first due day, so a 31st stays a 31st after a short month.
    function testFuzz_addMonths_doesNotDriftAfterShortMonths(uint256 day, uint256 months) public view {
        day = bound(day, 0, 73_000);
        months = bound(months, 1, 360);
        (, , uint256 d) = _civil(day);
        (uint256 y2, uint256 m2, uint256 d2) = _civil(plan.addMonths(day, months));
        uint256 last = _monthLength(y2, m2);
        if (d <= last) assertEq(d2, d, "addMonths: the day of month drifted");
    }

    function test_addMonths_jan31PlusOneMonth_leapAndNonLeapYears() public view {
        assertEq(plan.addMonths(JAN_31_2024, 1), FEB_29_2024, "2024-01-31 + 1 month must be 2024-02-29 (leap year)");
        assertEq(plan.addMonths(JAN_31_2025, 1), FEB_28_2025, "2025-01-31 + 1 month must be 2025-02-28");
        assertEq(plan.addMonths(JAN_31_2100, 1), FEB_28_2100, "2100-01-31 + 1 month must be 2100-02-28 (not leap)");
        assertEq(plan.addMonths(JAN_31_2000, 1), FEB_29_2000, "2000-01-31 + 1 month must be 2000-02-29 (leap)");
        assertEq(plan.addMonths(JAN_31_2024, 2), MAR_31_2024, "2024-01-31 + 2 months must be 2024-03-31");
        assertEq(plan.addMonths(JAN_31_2024, 12), JAN_31_2025, "2024-01-31 + 12 months must be 2025-01-31");
        assertEq(plan.addMonths(JAN_31_2024, 0), JAN_31_2024, "adding 0 months must keep the day");
    }

    // ─── dueDay ─────────────────────────────────────────────────────────────

    function test_dueDay_weeklyAndMonthlyExamples() public view {
        ICreditRegistryTypes.Plan memory weekly = _plan(12, Frequency.Weekly, JAN_31_2024, 100, 100);
        assertEq(plan.dueDay(weekly, 0), JAN_31_2024, "weekly: instalment 0 falls due on the first due day");
        assertEq(plan.dueDay(weekly, 1), JAN_31_2024 + 7, "weekly: instalment 1 falls due 7 days later");
        assertEq(plan.dueDay(weekly, 11), JAN_31_2024 + 77, "weekly: instalment 11 falls due 77 days later");

        ICreditRegistryTypes.Plan memory monthly = _plan(12, Frequency.Monthly, JAN_31_2024, 100, 100);
        assertEq(plan.dueDay(monthly, 0), JAN_31_2024, "monthly: instalment 0 falls due on the first due day");
        assertEq(plan.dueDay(monthly, 1), FEB_29_2024, "monthly from Jan 31 2024: Feb 29 (leap year)");
        assertEq(plan.dueDay(monthly, 2), MAR_31_2024, "monthly from Jan 31 2024: back to Mar 31");
        assertEq(plan.dueDay(monthly, 12), JAN_31_2025, "monthly from Jan 31 2024: a year later, Jan 31 2025");

        ICreditRegistryTypes.Plan memory nonLeap = _plan(12, Frequency.Monthly, JAN_31_2025, 100, 100);
        assertEq(plan.dueDay(nonLeap, 1), FEB_28_2025, "monthly from Jan 31 2025: Feb 28 (not a leap year)");
    }

    // ─── oldestUnpaid ───────────────────────────────────────────────────────

    /// @notice Payments cover instalments oldest first: the oldest unpaid one is the first whose running total is
    ///         above what was paid, and a further payment smaller than what is due on it leaves it the oldest unpaid,
    ///         partly paid, owing that much less.
    function testFuzz_oldestUnpaid_partialPaymentStays(
        uint256 n,
        uint256 instalment,
        uint256 finalInstalment,
        uint256 paid,
        uint256 more
    ) public view {
        n = bound(n, 1, InstalmentPlan.MAX_INSTALMENTS);
        instalment = bound(instalment, 1, 1e15);
        finalInstalment = bound(finalInstalment, 1, 1e15);
        ICreditRegistryTypes.Plan memory p = _plan(
            uint8(n),
            Frequency.Monthly,
            JAN_31_2024,
            uint64(instalment),
            uint64(finalInstalment)
        );
        uint256 total = (n - 1) * instalment + finalInstalment;
        assertEq(plan.totalDue(p), total, "totalDue");
        paid = bound(paid, 0, total - 1);

        (uint256 index, uint256 due) = plan.oldestUnpaid(p, paid);
        (uint256 expectedIndex, uint256 expectedDue) = _oldestUnpaidByLoop(n, instalment, finalInstalment, paid);
        assertEq(index, expectedIndex, "oldestUnpaid: wrong instalment");
        assertEq(due, expectedDue, "oldestUnpaid: wrong amount due on it");
        uint256 amount = index == n - 1 ? finalInstalment : instalment;
        assertTrue(due > 0 && due <= amount, "oldestUnpaid: due on the oldest must be in (0, its amount]");

        more = bound(more, 0, due - 1);
        (uint256 index2, uint256 due2) = plan.oldestUnpaid(p, paid + more);
        assertEq(index2, index, "a partial payment moved past the oldest unpaid instalment");
        assertEq(due2, due - more, "a partial payment was not applied to the oldest unpaid instalment");

        (uint256 index3, ) = plan.oldestUnpaid(p, paid + due);
        assertEq(index3, index + 1, "paying what is due on the oldest must move to the next instalment");
    }

    function test_oldestUnpaid_allPaid() public view {
        ICreditRegistryTypes.Plan memory p = _plan(12, Frequency.Monthly, JAN_31_2024, 105_000, 105_000);
        (uint256 index, uint256 due) = plan.oldestUnpaid(p, 1_260_000);
        assertEq(index, 12, "all paid: index is the number of instalments");
        assertEq(due, 0, "all paid: nothing due");
    }

    // ─── daysPastDue and buckets ────────────────────────────────────────────

    function test_daysPastDue_fromTheOldestUnpaidDueDay() public view {
        ICreditRegistryTypes.Plan memory p = _plan(12, Frequency.Monthly, JAN_31_2024, 105_000, 105_000);
        assertEq(plan.daysPastDue(p, 1_260_000, JAN_31_2024), 0, "due today is not past due");
        assertEq(plan.daysPastDue(p, 1_260_000, JAN_31_2024 + 1), 1, "one day after the due day");
        // Instalment 0 paid, 1 partly: its due day, Feb 29 2024, is the reference.
        assertEq(plan.daysPastDue(p, 1_260_000 - 150_000, FEB_29_2024 + 40), 40, "partly paid instalment 1");
        assertEq(plan.daysPastDue(p, 0, FEB_29_2024 + 40), 0, "repaid: never past due");
    }

    function test_bucket_edges() public view {
        uint256[10] memory dpd = [uint256(0), 1, 30, 31, 60, 61, 90, 91, 365, 10_000];
        uint256[10] memory expected = [uint256(0), 1, 1, 2, 2, 3, 3, 4, 4, 4];
        for (uint256 i; i < dpd.length; ++i) assertEq(plan.bucket(dpd[i]), expected[i], "bucket");
    }

    // ─── Oracles ────────────────────────────────────────────────────────────

    /// @dev The oldest unpaid instalment and what is due on it, by walking the instalments.
    function _oldestUnpaidByLoop(
        uint256 n,
        uint256 instalment,
        uint256 finalInstalment,
        uint256 paid
    ) internal pure returns (uint256, uint256) {
        uint256 cumulative;
        for (uint256 k; k < n; ++k) {
            cumulative += k == n - 1 ? finalInstalment : instalment;
            if (cumulative > paid) return (k, cumulative - paid);
        }
        return (n, 0);
    }

    /// @dev The civil date of day number `day` (1970-01-01 is day 0), by walking years and months: an oracle that
    ///      shares nothing with the library's arithmetic.
    function _civil(uint256 day) internal pure returns (uint256 y, uint256 m, uint256 d) {
        require(day <= LAST_DAY, "oracle: day out of range");
        y = 1970;
        while (true) {
            uint256 len = _isLeap(y) ? 366 : 365;
            if (day < len) break;
            day -= len;
            ++y;
        }
        m = 1;
        while (day >= _monthLength(y, m)) {
            day -= _monthLength(y, m);
            ++m;
        }
        d = day + 1;
    }

    function _isLeap(uint256 y) internal pure returns (bool) {
        return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    }

    function _monthLength(uint256 y, uint256 m) internal pure returns (uint256) {
        if (m == 2) return _isLeap(y) ? 29 : 28;
        return (m == 4 || m == 6 || m == 9 || m == 11) ? 30 : 31;
    }

    function _plan(
        uint8 n,
        Frequency frequency,
        uint256 firstDueDay,
        uint64 instalment,
        uint64 finalInstalment
    ) internal pure returns (ICreditRegistryTypes.Plan memory) {
        return ICreditRegistryTypes.Plan(n, frequency, uint24(firstDueDay), instalment, finalInstalment);
    }

    /// @dev The mean due time the APR check uses, against a loop over the instalments here: for a weekly plan of two
    ///      or more instalments, exactly the payment-weighted mean of its real due days (rounded up); otherwise the
    ///      first period (x 364/360 under 28 days, else + 3 days) plus a twelfth of a 364-day year per instalment.
    function testFuzz_meanDueDaysWad_isTheLoopsWeightedMean(
        uint256 origination,
        uint256 offset,
        uint256 n,
        bool weekly,
        uint64 instalment,
        uint64 finalInstalment
    ) public view {
        origination = 18_000 + (origination % 20_000); // 2019 to 2074
        offset = offset % 400;
        n = 1 + (n % 120);
        instalment = uint64(1 + (instalment % 1e15));
        finalInstalment = uint64(1 + (finalInstalment % 1e15));
        ICreditRegistryTypes.Plan memory p = ICreditRegistryTypes.Plan(
            uint8(n),
            weekly ? Frequency.Weekly : Frequency.Monthly,
            uint24(origination + offset),
            instalment,
            finalInstalment
        );
        uint256 total = plan.totalDue(p);
        uint256 expected;
        if (weekly && n > 1) {
            uint256 days_;
            for (uint256 k; k < n; ++k)
                days_ += (k + 1 == n ? finalInstalment : instalment) * (plan.dueDay(p, k) - origination);
            expected = (days_ * 1e18 + total - 1) / total;
        } else {
            uint256 year = 364e18;
            uint256 c0 = offset < 28 ? offset * ((year + 359) / 360) : (offset + 3) * 1e18;
            uint256 twelfth = (year + 11) / 12;
            uint256 steps;
            for (uint256 k; k < n; ++k) steps += (k + 1 == n ? finalInstalment : instalment) * k;
            expected = c0 + (steps == 0 ? 0 : (twelfth * steps + total - 1) / total);
        }
        assertEq(plan.meanDueDaysWad(p, origination), expected, "the mean due time");
    }
}
