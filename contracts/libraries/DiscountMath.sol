// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title DiscountMath
/// @notice Day counts, discounting and penalty interest for receivables. Rates are basis points per year.
/// @dev Rounding always goes against the party receiving the computed amount's benefit: a discount and a penalty
///      are rounded up (so a price is rounded down), never by more than one minor unit.
library DiscountMath {
    uint256 internal constant BPS = 10_000;
    uint256 internal constant PENALTY_DAY_BASE = 365;

    /// @notice Whole days from `fromTime` to `toTime`, a started day counting as a day; 0 when `toTime` is not later.
    function daysBetween(uint256 fromTime, uint256 toTime) internal pure returns (uint256) {
        return toTime <= fromTime ? 0 : Math.ceilDiv(toTime - fromTime, 1 days);
    }

    /// @notice Completed days from `fromTime` to `toTime`; 0 when `toTime` is not later.
    function completedDays(uint256 fromTime, uint256 toTime) internal pure returns (uint256) {
        return toTime <= fromTime ? 0 : (toTime - fromTime) / 1 days;
    }

    /// @notice `face × (1 − rateBps / 10,000 × days / dayBase)`, the discount rounded up; 0 if it would go negative.
    function discountedPrice(
        uint256 face,
        uint256 rateBps,
        uint256 days_,
        uint256 dayBase
    ) internal pure returns (uint256) {
        uint256 discount = Math.mulDiv(face, rateBps * days_, BPS * dayBase, Math.Rounding.Ceil);
        return discount >= face ? 0 : face - discount;
    }

    /// @notice Simple penalty interest `face × rateBps / 10,000 × daysLate / 365`, rounded up.
    function penalty(uint256 face, uint256 rateBps, uint256 daysLate) internal pure returns (uint256) {
        return Math.mulDiv(face, rateBps * daysLate, BPS * PENALTY_DAY_BASE, Math.Rounding.Ceil);
    }
}
