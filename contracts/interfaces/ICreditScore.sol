// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ICreditRegistryTypes} from "./ICreditRegistry.sol";

/// @title ICreditScore
/// @notice The network's shared, explainable credit score: 300 to 850, computed from a borrower's on-chain aggregates
///         by the published scorecard (points per bin of each attribute), with up to four reason codes, the attributes
///         that cost the most points, as US adverse-action notices give them. It is a view: every member gets the same
///         number for the same state. `docs/credit-score.md` publishes the scorecard, the codes and their wording.
interface ICreditScore {
    /// @notice The scored attributes, in the order of the scorecard; reason code = attribute + 1.
    /// 0 Defaults: negative records retained. 1 Delinquency: the worst delinquency bucket of a live loan (0-4), and 4
    /// while a negative record is retained. 2 Lenders: distinct active lenders. 3 Utilisation: outstanding as a
    /// percentage of the policy limit (0 with no limit). 4 Inquiries: distinct lenders that inquired within the window.
    /// 5 History: days since the current run of live credit began on the registry (0 with none).
    enum Attribute {
        Defaults,
        Delinquency,
        Lenders,
        Utilisation,
        Inquiries,
        History
    }

    /// @notice One attribute's bins: a value falls in the first bin `i` with `value <= edges[i]`, else in bin 5.
    struct Bins {
        uint32[5] edges; // non-decreasing
        uint16[6] points; // non-increasing, except for History, where more is better: non-decreasing
    }

    /// @notice A scorecard: the score is `base` plus each attribute's points.
    struct Scorecard {
        uint16 base;
        Bins[6] attributes;
    }

    /// @notice The governor set scorecard `scorecard`.
    event ScorecardSet(Scorecard scorecard);

    /// @notice Attribute `attribute`'s edge `bin` is below the edge before it.
    error ScorecardEdgesUnordered(Attribute attribute, uint256 bin);
    /// @notice Attribute `attribute`'s points at bin `bin` break its direction: more risk may never score more.
    error ScorecardNotMonotone(Attribute attribute, uint256 bin);
    /// @notice The scorecard's scores run from `lowest` to `highest`, outside 300..850.
    error ScorecardInvalidRange(uint256 lowest, uint256 highest);

    /// @notice The score of `borrowerKey` now and up to four reason codes (1-6, most points lost first; 0 = none).
    function scoreOf(bytes32 borrowerKey) external view returns (uint16 score, uint8[4] memory reasons);

    /// @notice The score of a profile `profile` under policy limit `maxOutstanding` on day `today`: what `scoreOf`
    ///         computes, for a read model's mirrored aggregates.
    function scoreProfile(
        ICreditRegistryTypes.Profile memory profile,
        uint256 maxOutstanding,
        uint256 today
    ) external view returns (uint16 score, uint8[4] memory reasons);

    /// @notice The six attribute values the scorecard reads from `profile`.
    function attributesOf(
        ICreditRegistryTypes.Profile memory profile,
        uint256 maxOutstanding,
        uint256 today
    ) external pure returns (uint256[6] memory values);

    /// @notice Sets the scorecard (governor).
    function setScorecard(Scorecard calldata scorecard) external;

    /// @notice The scorecard in force.
    function scorecard() external view returns (Scorecard memory);
}
