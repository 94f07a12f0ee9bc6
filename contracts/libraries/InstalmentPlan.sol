// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Frequency, ICreditRegistryTypes} from "../interfaces/ICreditRegistry.sol";

/// @title InstalmentPlan
/// @notice The maths of an instalment plan, on UTC day numbers (days since 1970-01-01). The SDK's `src/schedule.ts`
///         computes the same figures; `test/credit/InstalmentPlan.t.sol` holds them to each other's examples.
/// @dev Arithmetic is unchecked: day numbers are below 2^24, a plan has at most 120 instalments of at most 2^64 - 1,
///      and callers pass `paid <= totalDue`, so nothing here can overflow or underflow.
///      A plan is `instalments` amounts: `instalment` each, except the last, `finalInstalment`. What was paid is the
///      total due less the outstanding; repayments pay the oldest unpaid instalment first, so the oldest unpaid one is
///      the number of instalments the payments cover in full. Everything is O(1): nothing iterates over instalments.
library InstalmentPlan {
    /// @notice Most instalments a plan may have.
    uint256 internal constant MAX_INSTALMENTS = 120;

    /// @dev The total the borrower owes under the plan.
    function totalDue(ICreditRegistryTypes.Plan memory p) internal pure returns (uint256) {
        unchecked {
            return (uint256(p.instalments) - 1) * p.instalment + p.finalInstalment;
        }
    }

    /// @dev The day instalment `k` (0-based) falls due.
    function dueDay(ICreditRegistryTypes.Plan memory p, uint256 k) internal pure returns (uint256) {
        unchecked {
            if (p.frequency == Frequency.Weekly) return uint256(p.firstDueDay) + 7 * k;
            return addMonths(p.firstDueDay, k);
        }
    }

    /// @dev The oldest instalment not fully paid when `paid` was paid, and what is still due on it; `index` is
    ///      `instalments` (and `due` 0) when everything is paid.
    function oldestUnpaid(
        ICreditRegistryTypes.Plan memory p,
        uint256 paid
    ) internal pure returns (uint256 index, uint256 due) {
        unchecked {
            uint256 n = p.instalments;
            uint256 total = totalDue(p);
            if (paid >= total) return (n, 0);
            index = n == 1 ? 0 : paid / p.instalment;
            if (index > n - 1) index = n - 1;
            uint256 upTo = index == n - 1 ? total : (index + 1) * p.instalment;
            due = upTo - paid;
        }
    }

    /// @dev Days past due on `today` of a plan with `outstanding` left: today less the oldest unpaid due day, if
    ///      positive.
    function daysPastDue(
        ICreditRegistryTypes.Plan memory p,
        uint256 outstanding,
        uint256 today
    ) internal pure returns (uint256) {
        unchecked {
            uint256 total = totalDue(p);
            if (outstanding == 0 || outstanding > total) return 0;
            (uint256 index, ) = oldestUnpaid(p, total - outstanding);
            uint256 due = dueDay(p, index);
            return today > due ? today - due : 0;
        }
    }

    /// @dev 364/360 of a day and a twelfth of 364 days, 18 decimals, rounded up.
    uint256 private constant _DAY_364_OVER_360 = 1_011_111_111_111_111_112;
    uint256 private constant _TWELFTH_OF_364_DAYS = 30_333_333_333_333_333_334;

    /// @dev An upper bound of the payment-weighted mean time of plan `p`'s instalments (`total` due) after
    ///      `origination`, in days of a 364-day year, 18 decimals: the least "year" any APR convention uses (the EU
    ///      directive's 365 or 366 days, 52 weeks or 12 equal months; the US Regulation Z unit-period, odd days over
    ///      30 or 7), so a time in any of them is at most this many such days. Instalment k falls `c0 + k * step`
    ///      after the advance:
    ///      - weekly, two or more instalments: c0 the first period's days, step 7 (exact in every convention);
    ///      - monthly, or a single instalment: step 364 / 12 (a month is a twelfth of a year, whatever its days);
    ///        c0 the first period's days times 364 / 360 under 28 days (odd days over 30), else plus 3 (a whole month
    ///        counted back over a 28-day February is 2.33 days short of a twelfth, and odd days over 30 add at most
    ///        a third of a day).
    ///      Each figure rounds up. O(1): the steps weigh instalment * (n - 1)(n - 2) / 2 + final * (n - 1).
    function meanDueDaysWad(
        ICreditRegistryTypes.Plan memory p,
        uint256 origination,
        uint256 total
    ) internal pure returns (uint256 mean) {
        uint256 n = p.instalments;
        uint256 d0 = uint256(p.firstDueDay) - origination;
        bool weekly = p.frequency == Frequency.Weekly && n > 1;
        mean = weekly ? d0 * 1e18 : (d0 < 28 ? d0 * _DAY_364_OVER_360 : (d0 + 3) * 1e18);
        if (n > 1) {
            // The final instalment is at least 1 (checked before), so `steps` is not 0.
            uint256 steps = uint256(p.instalment) * (((n - 1) * (n - 2)) / 2) + uint256(p.finalInstalment) * (n - 1);
            mean += ((weekly ? 7e18 : _TWELFTH_OF_364_DAYS) * steps - 1) / total + 1;
        }
    }

    /// @dev Whether an APR of `aprBps` can be the rate of a plan that advanced `principal` and asks `total` back, its
    ///      instalments falling on average `meanDaysWad` days after the advance (an upper bound, 18 decimals). The
    ///      present value of the instalments at the true rate is the principal, and it is at least what the whole total
    ///      is worth at their mean time (Jensen: discounting is convex in time); a rate compounded any way (annually as
    ///      the EU directive, per unit-period as the US Regulation Z) grows no faster than continuously at the same
    ///      figure. So a true APR of at least X means principal * e^(X * mean years) >= total, which is checked with
    ///      years of 364 days ({meanDueDaysWad}) and one basis point of tolerance, both in the lender's favour: no
    ///      honest declaration is refused, and one under the plan's continuous-rate bound is (adversarial review 3,
    ///      F3).
    function aprCovers(
        uint32 aprBps,
        uint256 principal,
        uint256 total,
        uint256 meanDaysWad
    ) internal pure returns (bool) {
        if (total <= principal) return true;
        uint256 x = ((uint256(aprBps) + 1) * 1e14 * meanDaysWad) / (364 * 1e18); // the rate times the mean time
        if (x >= 50e18) return true; // e^50 > 120 * 2^64: no plan owes that much more than it advanced
        return (expWad(x) * principal) / 1e18 >= total;
    }

    /// @dev e^(x / 1e18), 18 decimals, for x below 50e18: e^n by repeated multiplication, e^f by its Taylor series
    ///      (24 terms: the error is far below one part in 10^15).
    function expWad(uint256 x) internal pure returns (uint256 r) {
        uint256 n = x / 1e18;
        uint256 f = x % 1e18;
        uint256 term = 1e18;
        r = 1e18;
        for (uint256 k = 1; k <= 24; ++k) {
            term = (term * f) / (1e18 * k);
            r += term;
        }
        for (uint256 k; k < n; ++k) r = (r * 2_718281828459045235) / 1e18;
    }

    /// @dev The delinquency bucket of `dpd` days past due: 0 current, 1: 1-30, 2: 31-60, 3: 61-90, 4: over 90.
    function bucket(uint256 dpd) internal pure returns (uint8) {
        if (dpd == 0) return 0;
        if (dpd > 90) return 4;
        return uint8((dpd - 1) / 30 + 1);
    }

    /// @dev Day `day` plus `months` calendar months, the day of month clamped to the target month's length.
    function addMonths(uint256 day, uint256 months) internal pure returns (uint256) {
        unchecked {
            (uint256 y, uint256 m, uint256 d) = civil(day);
            uint256 total = (m - 1) + months;
            y += total / 12;
            m = (total % 12) + 1;
            uint256 last = monthLength(y, m);
            return dayOf(y, m, d > last ? last : d);
        }
    }

    /// @dev The civil date (year, month 1-12, day 1-31) of day number `z` (H. Hinnant's `civil_from_days`).
    function civil(uint256 z) internal pure returns (uint256 y, uint256 m, uint256 d) {
        unchecked {
            z += 719_468;
            uint256 era = z / 146_097;
            uint256 doe = z - era * 146_097;
            uint256 yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
            uint256 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
            uint256 mp = (5 * doy + 2) / 153;
            d = doy - (153 * mp + 2) / 5 + 1;
            m = mp < 10 ? mp + 3 : mp - 9;
            y = yoe + era * 400 + (m <= 2 ? 1 : 0);
        }
    }

    /// @dev The day number of civil date (`y`, `m`, `d`), on or after 1970-01-01 (H. Hinnant's `days_from_civil`).
    function dayOf(uint256 y, uint256 m, uint256 d) internal pure returns (uint256) {
        unchecked {
            if (m <= 2) y -= 1;
            uint256 era = y / 400;
            uint256 yoe = y - era * 400;
            uint256 doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
            uint256 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
            return era * 146_097 + doe - 719_468;
        }
    }

    /// @dev Days in month `m` of year `y` (Gregorian).
    function monthLength(uint256 y, uint256 m) internal pure returns (uint256) {
        if (m == 2) return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28;
        return (m == 4 || m == 6 || m == 9 || m == 11) ? 30 : 31;
    }
}
