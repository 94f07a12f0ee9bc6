// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";

import {IEmergencyPause} from "./IEmergencyPause.sol";
import {MemberId, MemberStatus} from "./IMemberRegistry.sol";

/// @title ISettlementToken
/// @notice A tokenized deposit or CBDC in one ISO 4217 currency. Only active members' operators and the modules'
///         escrows (system accounts) may hold it; a sanctioned account can be frozen; it pauses with the modules'
///         mechanism (`IEmergencyPause`) but by the governor only, since a token pause stops the modules' payments
///         without stopping their clocks; a pause stops every transfer, mint and burn.
interface ISettlementToken is IERC20, IERC20Permit, IEmergencyPause {
    // ─── Events ─────────────────────────────────────────────────────────────

    /// @notice `account` was frozen (sanctions); `reason` is an off-chain reference.
    event AccountFrozen(address indexed account, bytes32 reason);
    /// @notice `account` was unfrozen.
    event AccountUnfrozen(address indexed account, bytes32 reason);
    /// @notice `account` was listed (`allowed` true) or delisted as a system account, e.g. a module's escrow.
    event SystemAccountSet(address indexed account, bool allowed);
    /// @notice Member `issuer` may (or may no longer) mint and burn this token.
    event IssuerSet(MemberId indexed issuer, bool allowed);
    /// @notice `owner`'s ERC-2612 permit nonce `nonce` was spent (`nonces(owner)` is now `nonce + 1`); the permit's
    ///         `Approval` follows in the same transaction.
    event PermitNonceUsed(address indexed owner, uint256 nonce);
    /// @notice The `amount` on `key`, an operator key member `member` unlinked, went to the member's payout account
    ///         `to` (a `Transfer` from `key` to `to` precedes it).
    event UnlinkedKeyReclaimed(address indexed key, MemberId indexed member, address indexed to, uint256 amount);
    /// @notice The governor sent the `amount` on `from`, an account of revoked member `member`, to `to`; `reason` is
    ///         an off-chain reference (a `Transfer` from `from` to `to` precedes it).
    event RevokedBalanceRedirected(
        address indexed from,
        MemberId indexed member,
        address indexed to,
        uint256 amount,
        bytes32 reason
    );

    // ─── Errors ─────────────────────────────────────────────────────────────

    /// @notice `account` is frozen and can neither send, receive, spend nor issue.
    error SettlementAccountFrozen(address account);
    /// @notice `account` is neither an operator of an active member nor a listed system account.
    error SettlementHolderNotEligible(address account);
    /// @notice `account` is already in the requested frozen state.
    error SettlementFreezeUnchanged(address account, bool frozen);
    /// @notice `account` is already in the requested system-account state.
    error SettlementSystemAccountUnchanged(address account, bool allowed);
    /// @notice `currency` is not three upper-case ASCII letters.
    error SettlementInvalidCurrency(bytes3 currency);
    /// @notice Mint and burn amounts must be positive.
    error SettlementZeroAmount();
    /// @notice Member `issuer`, acting through `account`, is not an issuer of this token's currency `currency`.
    error SettlementIssuerUnauthorized(address account, MemberId issuer, bytes3 currency);
    /// @notice Member `issuer` is already in the requested issuer state.
    error SettlementIssuerUnchanged(MemberId issuer, bool allowed);
    /// @notice Issuing `amount` on top of the `supply` in issue would exceed the token's cap `cap` (2^168 - 1).
    error SettlementSupplyCapExceeded(uint256 supply, uint256 amount, uint256 cap);
    /// @notice `key` still acts for member `member`: only an unlinked key's balance is reclaimed.
    error SettlementKeyLinked(address key, MemberId member);
    /// @notice `account` acts for no member and is bound to none: there is no member its balance belongs to.
    error SettlementAccountWithoutMember(address account);
    /// @notice Member `member` of `account` is `status`: only a revoked member's balances are redirected.
    error SettlementMemberNotRevoked(address account, MemberId member, MemberStatus status);
    /// @notice `account` holds none of this token: nothing to reclaim or redirect.
    error SettlementNothingToRecover(address account);
    /// @notice `account` is a system account (a module's escrow): what it holds is owed by the module, never
    ///         reclaimed or redirected as a member's.
    error SettlementSystemAccountNotRecoverable(address account);

    // ─── Issuance (members with the TokenIssuer role that the governor named issuers of this token) ───

    /// @notice Issues `amount` to `to`.
    function mint(address to, uint256 amount) external;

    /// @notice Redeems `amount` from the issuer's own balance.
    function burn(uint256 amount) external;

    // ─── Recovery: no balance is stranded on an account that can never be eligible again ───

    /// @notice Sends the whole balance of `key`, an operator key its member removed (`boundMemberOf`), to that
    ///         member's payout account. Anyone may call: the money goes only to the member it belongs to. The payout
    ///         account must be able to hold the token (so not while the member is suspended); a frozen key's balance
    ///         stays until it is unfrozen.
    function reclaimUnlinkedKey(address key) external returns (uint256 amount);

    /// @notice Governor: sends the whole balance of `from`, an account of a revoked member (an operator of it, or a
    ///         key it removed), to `to`, which must be able to hold the token, as the modules' `redirectOwed` does
    ///         for what they parked. A frozen account's balance stays until it is unfrozen.
    function redirectRevoked(address from, address to, bytes32 reason) external returns (uint256 amount);

    // ─── Control (governor only) ────────────────────────────────────────────

    /// @notice Freezes `account`.
    function freeze(address account, bytes32 reason) external;

    /// @notice Unfreezes `account`.
    function unfreeze(address account, bytes32 reason) external;

    /// @notice Lists or delists `account` as a system account allowed to hold the token.
    function setSystemAccount(address account, bool allowed) external;

    /// @notice Names (or removes) member `issuer` as an issuer of this token. Governor only: authority to issue is
    ///         per currency, so a CNY issuer cannot mint USD.
    function setIssuer(MemberId issuer, bool allowed) external;

    /// @notice True when member `issuer` may mint and burn this token.
    function isIssuer(MemberId issuer) external view returns (bool);

    // ─── Views ──────────────────────────────────────────────────────────────

    /// @notice The ISO 4217 code of the currency this token represents, e.g. "CNY".
    function currency() external view returns (bytes3);

    /// @notice Whether `account` is frozen.
    function isFrozen(address account) external view returns (bool);

    /// @notice Whether `account` is a listed system account.
    function isSystemAccount(address account) external view returns (bool);

    /// @notice Whether `account` may hold and receive the token right now.
    function canHold(address account) external view returns (bool);
}
