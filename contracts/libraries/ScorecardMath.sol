// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICreditRegistryTypes} from "../interfaces/ICreditRegistry.sol";
import {ICreditScore} from "../interfaces/ICreditScore.sol";

/// @title ScorecardMath
/// @notice The pure maths of the shared score: attribute values from a profile, points per bin, reason codes, and the
///         checks that keep a scorecard monotone.
library ScorecardMath {
    uint256 internal constant ATTRIBUTES = 6;
    uint256 internal constant BINS = 6;
    uint256 internal constant MIN_SCORE = 300;
    uint256 internal constant MAX_SCORE = 850;

    /// @dev The attribute values of `p` (see {ICreditScore.Attribute}).
    function attributes(
        ICreditRegistryTypes.Profile memory p,
        uint256 maxOutstanding,
        uint256 today
    ) internal pure returns (uint256[6] memory v) {
        v[0] = p.defaults;
        // A retained negative record (a default, a write-off) is the worst delinquency there is: writing a loan off or
        // settling it after a default then never improves the delinquency attribute.
        if (p.defaults != 0) v[1] = 4;
        for (uint256 i = 4; i > v[1]; --i) {
            if (p.delinquent[i - 1] != 0) {
                v[1] = i;
                break;
            }
        }
        v[2] = p.activeLenders;
        v[3] = maxOutstanding == 0 ? 0 : (p.outstanding * 100) / maxOutstanding;
        v[4] = p.inquiries;
        v[5] = p.activeLoans == 0 || today < p.liveSinceDay ? 0 : today - p.liveSinceDay;
    }

    /// @dev The score of attribute values `v` under `card`, and up to four reason codes: the attributes that lost the
    ///      most points against their best bin, most first (ties in attribute order).
    function score(
        ICreditScore.Scorecard memory card,
        uint256[6] memory v
    ) internal pure returns (uint16 total, uint8[4] memory reasons) {
        uint256 sum = card.base;
        uint256[6] memory lost;
        for (uint256 a; a < ATTRIBUTES; ++a) {
            ICreditScore.Bins memory bins = card.attributes[a];
            uint256 pts = bins.points[binOf(bins, v[a])];
            sum += pts;
            lost[a] = _best(bins, a) - pts;
        }
        total = uint16(sum);
        for (uint256 r; r < 4; ++r) {
            uint256 worst;
            uint256 at;
            for (uint256 a; a < ATTRIBUTES; ++a) {
                if (lost[a] > worst) (worst, at) = (lost[a], a);
            }
            if (worst == 0) break;
            reasons[r] = uint8(at + 1);
            lost[at] = 0;
        }
    }

    /// @dev The bin of `value`: the first with `value <= edge`, else the last.
    function binOf(ICreditScore.Bins memory bins, uint256 value) internal pure returns (uint256) {
        for (uint256 i; i < BINS - 1; ++i) {
            if (value <= bins.edges[i]) return i;
        }
        return BINS - 1;
    }

    /// @dev Reverts unless `card`'s edges are ordered, its points run in each attribute's direction and its scores
    ///      stay within 300..850.
    function check(ICreditScore.Scorecard memory card) internal pure {
        uint256 lowest = card.base;
        uint256 highest = card.base;
        for (uint256 a; a < ATTRIBUTES; ++a) {
            ICreditScore.Bins memory bins = card.attributes[a];
            bool rising = a == uint256(ICreditScore.Attribute.History);
            for (uint256 i = 1; i < BINS; ++i) {
                if (i < BINS - 1 && bins.edges[i] < bins.edges[i - 1]) {
                    revert ICreditScore.ScorecardEdgesUnordered(ICreditScore.Attribute(a), i);
                }
                if (rising ? bins.points[i] < bins.points[i - 1] : bins.points[i] > bins.points[i - 1]) {
                    revert ICreditScore.ScorecardNotMonotone(ICreditScore.Attribute(a), i);
                }
            }
            highest += _best(bins, a);
            lowest += rising ? bins.points[0] : bins.points[BINS - 1];
        }
        if (lowest < MIN_SCORE || highest > MAX_SCORE) revert ICreditScore.ScorecardInvalidRange(lowest, highest);
    }

    function _best(ICreditScore.Bins memory bins, uint256 a) private pure returns (uint256) {
        return a == uint256(ICreditScore.Attribute.History) ? bins.points[BINS - 1] : bins.points[0];
    }
}
