// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MemberGated} from "../access/MemberGated.sol";
import {ICreditRegistry, ICreditRegistryTypes} from "../interfaces/ICreditRegistry.sol";
import {ICreditScore} from "../interfaces/ICreditScore.sol";
import {IMemberRegistry} from "../interfaces/IMemberRegistry.sol";
import {ScorecardMath} from "../libraries/ScorecardMath.sol";

/// @title CreditScore
/// @notice The shared, explainable score over the credit registry's aggregates. See {ICreditScore}.
/// @dev Owns only the scorecard (seven slots); every figure it scores is the credit registry's.
contract CreditScore is ICreditScore, MemberGated {
    /// @notice The registry whose aggregates are scored.
    ICreditRegistry public immutable creditRegistry;

    Scorecard private _card;

    constructor(IMemberRegistry registry, ICreditRegistry credit, Scorecard memory initial) MemberGated(registry) {
        creditRegistry = credit;
        _set(initial);
    }

    /// @inheritdoc ICreditScore
    function setScorecard(Scorecard calldata card) external onlyGovernor {
        _set(card);
    }

    /// @inheritdoc ICreditScore
    function scoreOf(bytes32 borrowerKey) external view returns (uint16, uint8[4] memory) {
        ICreditRegistryTypes.Profile memory p = creditRegistry.profileOf(borrowerKey);
        return scoreProfile(p, creditRegistry.policy().maxOutstanding, block.timestamp / 1 days);
    }

    /// @inheritdoc ICreditScore
    function scoreProfile(
        ICreditRegistryTypes.Profile memory profile,
        uint256 maxOutstanding,
        uint256 today
    ) public view returns (uint16, uint8[4] memory) {
        return ScorecardMath.score(_card, ScorecardMath.attributes(profile, maxOutstanding, today));
    }

    /// @inheritdoc ICreditScore
    function attributesOf(
        ICreditRegistryTypes.Profile memory profile,
        uint256 maxOutstanding,
        uint256 today
    ) external pure returns (uint256[6] memory) {
        return ScorecardMath.attributes(profile, maxOutstanding, today);
    }

    /// @inheritdoc ICreditScore
    function scorecard() external view returns (Scorecard memory) {
        return _card;
    }

    function _set(Scorecard memory card) private {
        ScorecardMath.check(card);
        _card = card;
        emit ScorecardSet(card);
    }
}
