// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";

import {IEmergencyPause} from "./IEmergencyPause.sol";
import {MemberId} from "./IMemberRegistry.sol";

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
    /// @notice The governor moved the `amount` on `from`, an account of member `member` that can never hold again as
    ///         it is (a key the member removed, or any account of a revoked member), to `to`; `reason` is an off-chain
    ///         reference. A `Transfer` from `from` to `to` precedes it.
    event BalanceRecovered(
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
    /// @notice System account `account` still holds `balance`, which its module owes to parties it keeps on its
    ///         books: it is delisted only once empty (freeze it to stop it meanwhile).
    error SettlementSystemAccountNotEmpty(address account, uint256 balance);
    /// @notice System account `account` (a module's escrow) takes only what it pulls itself: `caller` pushed or minted
    ///         into it, which would put money on no order's or piece's books.
    error SettlementDepositNotPulled(address account, address caller);
    /// @notice `currency` is not three upper-case ASCII letters.
    error SettlementInvalidCurrency(bytes3 currency);
    /// @notice Mint and burn amounts must be positive.
    error SettlementZeroAmount();
    /// @notice Member `issuer`, acting through `account`, is not an issuer of this token's currency `currency`.
    error SettlementIssuerUnauthorized(address account, MemberId issuer, bytes3 currency);
    /// @notice Member `issuer` is already in the requested issuer state.
    error SettlementIssuerUnchanged(MemberId issuer, bool allowed);
    /// @notice Issuing `amount` on top of the `supply` in issue would exceed the token's cap `cap` (2^160 - 1).
    error SettlementSupplyCapExceeded(uint256 supply, uint256 amount, uint256 cap);
    /// @notice `account` still acts for member `member`, which is not revoked: its holder moves its money itself.
    error SettlementKeyLinked(address account, MemberId member);
    /// @notice `account` acts for no member and is bound to none: there is no member its balance belongs to.
    error SettlementAccountWithoutMember(address account);
    /// @notice A removed key's balance goes only to an operator of its member `member`, and `to` is not one.
    error SettlementRecipientNotOfMember(address to, MemberId member);
    /// @notice `account` holds none of this token: nothing to recover.
    error SettlementNothingToRecover(address account);
    /// @notice `account` is a system account (a module's escrow): a recovery neither takes from one nor pays into
    ///         one, whose books the module keeps.
    error SettlementSystemAccountInRecovery(address account);

    // ─── Issuance (members with the TokenIssuer role that the governor named issuers of this token) ───

    /// @notice Issues `amount` to `to`.
    function mint(address to, uint256 amount) external;

    /// @notice Redeems `amount` from the issuer's own balance.
    function burn(uint256 amount) external;

    // ─── Recovery (governor only): no balance stranded on an account that can never hold again ───

    /// @notice Moves the whole balance of `from` to `to`, for the reason given:
    ///         - `from` is a key its member removed (`boundMemberOf`), while the member is not revoked: `to` must be
    ///           an operator of that member (the governor checks which, since a stolen admin key can add operators);
    ///         - or any account of a revoked member (an operator, or a key it removed): `to` is any account that may
    ///           hold the token, as the modules' `redirectOwed` does for what they parked.
    ///         Never from or to a system account (a module's escrow); not from a frozen account; `to` must be able
    ///         to hold the token (so not while its member is suspended).
    function recoverBalance(address from, address to, bytes32 reason) external returns (uint256 amount);

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
