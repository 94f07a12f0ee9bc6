// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {RegistryCalls} from "../libraries/RegistryCalls.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {MemberGated} from "./MemberGated.sol";
import {IMemberPayouts} from "../interfaces/IMemberPayouts.sol";
import {MemberId, MemberStatus} from "../interfaces/IMemberRegistry.sol";

/// @title MemberPayouts
/// @notice Pays members by member id, parking what cannot be paid now. See {IMemberPayouts}.
abstract contract MemberPayouts is IMemberPayouts, MemberGated {
    using SafeERC20 for IERC20;

    mapping(MemberId member => mapping(address token => uint256)) private _owed;
    mapping(address token => uint256) private _owedTotal;

    /// @inheritdoc IMemberPayouts
    function claimOwed(MemberId member, address token) external returns (uint256 amount) {
        amount = _takeOwed(member, token);
        address to = RegistryCalls.payoutAccountFor(memberRegistry, member);
        emit OwedClaimed(member, token, to, amount);
        IERC20(token).safeTransfer(to, amount);
    }

    /// @inheritdoc IMemberPayouts
    function redirectOwed(
        MemberId member,
        address token,
        address to,
        bytes32 reason
    ) external onlyGovernor returns (uint256 amount) {
        MemberStatus status = RegistryCalls.statusOf(memberRegistry, member);
        if (status != MemberStatus.Revoked) revert PayoutMemberNotRevoked(member, status);
        if (to == address(0)) revert PayoutInvalidRecipient();
        if (to == address(this)) revert PayoutRecipientIsModule(to);
        amount = _takeOwed(member, token);
        emit OwedRedirected(member, token, to, amount, reason);
        IERC20(token).safeTransfer(to, amount);
    }

    /// @inheritdoc IMemberPayouts
    function owedTo(MemberId member, address token) external view returns (uint256) {
        return _owed[member][token];
    }

    /// @inheritdoc IMemberPayouts
    function totalOwed(address token) external view returns (uint256) {
        return _owedTotal[token];
    }

    /// @dev Pays `amount` of `token` to `member`'s payout account, or parks it when the token refuses; never
    ///      reverts for the payee's sake. Returns the account tried and whether it was paid.
    function _payMember(MemberId member, address token, uint256 amount) internal returns (address to, bool paid) {
        to = RegistryCalls.payoutAccountFor(memberRegistry, member);
        if (amount == 0) return (to, true);
        if (to != address(0) && IERC20(token).trySafeTransfer(to, amount)) return (to, true);
        _owed[member][token] += amount;
        _owedTotal[token] += amount;
        emit PaymentParked(member, token, amount);
    }

    function _takeOwed(MemberId member, address token) private returns (uint256 amount) {
        amount = _owed[member][token];
        if (amount == 0) revert PayoutNothingOwed(member, token);
        _owed[member][token] = 0;
        _owedTotal[token] -= amount;
    }
}
