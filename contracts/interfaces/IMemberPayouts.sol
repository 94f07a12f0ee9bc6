// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MemberId, MemberStatus} from "./IMemberRegistry.sol";

/// @title IMemberPayouts
/// @notice How a module pays a member: at the member's payout account as the registry names it at payment time,
///         never at an operator address stored earlier. When the token refuses the payment (the member is suspended
///         or revoked, its account frozen, the token paused) the amount is parked for the member instead of
///         blocking the payment: the member claims it later, or, for a revoked member, the governor sends it where
///         the consortium's rules say, with an event.
interface IMemberPayouts {
    /// @notice `amount` of `token` owed to `member` could not be paid now and is parked for it.
    event PaymentParked(MemberId indexed member, address indexed token, uint256 amount);
    /// @notice A parked `amount` of `token` was paid to `member`'s payout account `to`.
    event OwedClaimed(MemberId indexed member, address indexed token, address to, uint256 amount);
    /// @notice The governor sent revoked `member`'s parked `amount` of `token` to `to`; `reason` cites the rule.
    event OwedRedirected(
        MemberId indexed member,
        address indexed token,
        address indexed to,
        uint256 amount,
        bytes32 reason
    );

    /// @notice Nothing of `token` is parked for `member`.
    error PayoutNothingOwed(MemberId member, address token);
    /// @notice Parked money of `member` is redirected only once the member is revoked (it is `status`).
    error PayoutMemberNotRevoked(MemberId member, MemberStatus status);
    /// @notice The redirect target is the zero address.
    error PayoutInvalidRecipient();
    /// @notice The redirect target is this module itself (`module`), where the money would be owed to no one.
    error PayoutRecipientIsModule(address module);

    /// @notice Pays what is parked of `token` for `member` to its current payout account. Anyone may call it; it
    ///         reverts with the token's reason while the token still refuses the payment.
    function claimOwed(MemberId member, address token) external returns (uint256 amount);

    /// @notice Governor only, for a revoked member: sends what is parked of `token` for `member` to `to`.
    function redirectOwed(MemberId member, address token, address to, bytes32 reason) external returns (uint256);

    /// @notice What is parked of `token` for `member`.
    function owedTo(MemberId member, address token) external view returns (uint256);

    /// @notice What is parked of `token` for all members together.
    function totalOwed(address token) external view returns (uint256);
}
