// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

import {MemberGated} from "../access/MemberGated.sol";
import {IMemberRegistry, MemberId, Role} from "../interfaces/IMemberRegistry.sol";
import {ISettlementToken} from "../interfaces/ISettlementToken.sol";

/// @title SettlementToken
/// @notice An ERC-20 with ERC-2612 permit for one ISO 4217 currency, restricted to the consortium's members.
contract SettlementToken is ISettlementToken, ERC20Permit, Pausable, MemberGated {
    uint8 private constant _FROZEN = 1;
    uint8 private constant _SYSTEM = 2;

    bytes3 private immutable _currency;
    uint8 private immutable _decimals;

    /// @dev Frozen and system-account flags share one slot per account: one read per side of a transfer.
    mapping(address account => uint8 flags) private _flags;
    mapping(MemberId issuer => bool) private _issuers;

    constructor(
        string memory name_,
        string memory symbol_,
        bytes3 currency_,
        uint8 decimals_,
        IMemberRegistry registry
    ) ERC20(name_, symbol_) ERC20Permit(name_) MemberGated(registry) {
        for (uint256 i; i < 3; ++i) {
            if (currency_[i] < "A" || currency_[i] > "Z") revert SettlementInvalidCurrency(currency_);
        }
        _currency = currency_;
        _decimals = decimals_;
    }

    // ─── Issuance ───────────────────────────────────────────────────────────

    /// @inheritdoc ISettlementToken
    function mint(address to, uint256 amount) external {
        _checkIssuer(amount);
        _mint(to, amount);
    }

    /// @inheritdoc ISettlementToken
    function burn(uint256 amount) external {
        _checkIssuer(amount);
        _burn(msg.sender, amount);
    }

    // ─── Control ────────────────────────────────────────────────────────────

    /// @inheritdoc ISettlementToken
    function freeze(address account, bytes32 reason) external onlyGovernor {
        uint8 flags = _flags[account];
        if (flags & _FROZEN != 0) revert SettlementFreezeUnchanged(account, true);
        _flags[account] = flags | _FROZEN;
        emit AccountFrozen(account, reason);
    }

    /// @inheritdoc ISettlementToken
    function unfreeze(address account, bytes32 reason) external onlyGovernor {
        uint8 flags = _flags[account];
        if (flags & _FROZEN == 0) revert SettlementFreezeUnchanged(account, false);
        _flags[account] = flags & ~_FROZEN;
        emit AccountUnfrozen(account, reason);
    }

    /// @inheritdoc ISettlementToken
    function setSystemAccount(address account, bool allowed) external onlyGovernor {
        uint8 flags = _flags[account];
        if ((flags & _SYSTEM != 0) == allowed) revert SettlementSystemAccountUnchanged(account, allowed);
        _flags[account] = allowed ? flags | _SYSTEM : flags & ~_SYSTEM;
        emit SystemAccountSet(account, allowed);
    }

    /// @inheritdoc ISettlementToken
    function setIssuer(MemberId issuer, bool allowed) external onlyGovernor {
        if (_issuers[issuer] == allowed) revert SettlementIssuerUnchanged(issuer, allowed);
        _issuers[issuer] = allowed;
        emit IssuerSet(issuer, allowed);
    }

    /// @inheritdoc ISettlementToken
    function pause() external onlyGovernor {
        _pause();
    }

    /// @inheritdoc ISettlementToken
    function unpause() external onlyGovernor {
        _unpause();
    }

    // ─── ERC-20 ─────────────────────────────────────────────────────────────

    /// @dev The spender is checked as a holder is: not frozen, and an active member's operator or a system account.
    function transferFrom(address from, address to, uint256 value) public override(ERC20, IERC20) returns (bool) {
        _checkHolder(msg.sender);
        return super.transferFrom(from, to, value);
    }

    /// @inheritdoc ERC20
    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    /// @inheritdoc ERC20Permit
    function nonces(address owner) public view override(ERC20Permit, IERC20Permit) returns (uint256) {
        return super.nonces(owner);
    }

    // ─── Views ──────────────────────────────────────────────────────────────

    /// @inheritdoc ISettlementToken
    function currency() external view returns (bytes3) {
        return _currency;
    }

    /// @inheritdoc ISettlementToken
    function isFrozen(address account) external view returns (bool) {
        return _flags[account] & _FROZEN != 0;
    }

    /// @inheritdoc ISettlementToken
    function isIssuer(MemberId issuer) external view returns (bool) {
        return _issuers[issuer];
    }

    /// @inheritdoc ISettlementToken
    function isSystemAccount(address account) external view returns (bool) {
        return _flags[account] & _SYSTEM != 0;
    }

    /// @inheritdoc ISettlementToken
    function canHold(address account) external view returns (bool) {
        uint8 flags = _flags[account];
        return flags & _FROZEN == 0 && (flags & _SYSTEM != 0 || memberRegistry.isActive(account));
    }

    // ─── Internals ──────────────────────────────────────────────────────────

    /// @dev Every balance change passes here: not while paused, and both sides must be eligible and not frozen.
    function _update(address from, address to, uint256 value) internal override whenNotPaused {
        if (from != address(0)) _checkHolder(from);
        if (to != address(0)) _checkHolder(to);
        super._update(from, to, value);
    }

    /// @dev Every allowance change emits `Approval`, also the one `transferFrom` spends (OZ 5 leaves it silent): the
    ///      allowance left is rebuilt from events. An infinite allowance is not spent, so nothing changes and nothing
    ///      is emitted.
    function _approve(address owner, address spender, uint256 value, bool) internal override {
        super._approve(owner, spender, value, true);
    }

    /// @dev The permit nonce spent is an event, so that `nonces` is rebuilt from events.
    function _useNonce(address owner) internal override returns (uint256 nonce) {
        nonce = super._useNonce(owner);
        emit PermitNonceUsed(owner, nonce);
    }

    function _checkHolder(address account) private view {
        uint8 flags = _flags[account];
        if (flags & _FROZEN != 0) revert SettlementAccountFrozen(account);
        if (flags & _SYSTEM == 0 && !memberRegistry.isActive(account)) revert SettlementHolderNotEligible(account);
    }

    function _checkIssuer(uint256 amount) private view {
        MemberId issuer = _requireRole(msg.sender, Role.TokenIssuer);
        if (!_issuers[issuer]) revert SettlementIssuerUnauthorized(msg.sender, issuer, _currency);
        if (_flags[msg.sender] & _FROZEN != 0) revert SettlementAccountFrozen(msg.sender);
        if (amount == 0) revert SettlementZeroAmount();
    }
}
