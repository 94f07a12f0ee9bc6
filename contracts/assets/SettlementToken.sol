// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {RegistryCalls} from "../libraries/RegistryCalls.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";

import {EmergencyPause} from "../access/EmergencyPause.sol";
import {MemberGated} from "../access/MemberGated.sol";
import {IMemberRegistry, MemberId, MemberStatus, Role} from "../interfaces/IMemberRegistry.sol";
import {ISettlementToken} from "../interfaces/ISettlementToken.sol";

/// @title SettlementToken
/// @notice An ERC-20 with ERC-2612 permit for one ISO 4217 currency, restricted to the consortium's members.
/// @dev Balances and the total supply live in this contract's own storage, not in OpenZeppelin's `ERC20` (whose
///      `_balances` and `_totalSupply` stay empty; `balanceOf`, `totalSupply` and `_update` are replaced), so that:
///      - each account is one word (`_accounts`): balance (bits 0-159), the token's issuer generation at which the
///        account was found an issuer (bits 160-167), the low 48 bits of the member registry's `memberEpoch` at
///        which the account was last found eligible (bits 168-215), the member the account was found an issuer of at
///        that epoch and generation (bits 216-247, zero when not), frozen (bit 248) and system-account (bit 249)
///        flags. A balance change checks a side against the registry (`isActiveKey`) only when that epoch is stale, and
///        writing the balance refreshes it at no extra cost; the registry moves its epoch on with every change that
///        can make an account ineligible or take a role away, so a suspended member, a removed operator or an issuer
///        that lost its role is refused at once. A mint or burn asks the registry for the issuer's role, and reads
///        whether the governor named its member issuer of this currency, only when the issuer's word holds no issuer
///        at the current epoch and generation. (48 bits: the epoch moves by one per registry change, and the
///        cheapest repeatable change, an admin removing and adding back an operator, costs about 49,000 gas a move,
///        so a stale or never-written word would read as current only after 2^48 moves, some 1.4e19 gas.)
///      - the issuer generation moves on each time the governor takes an issuer's naming away, so a cached issuer is
///        refused at once. It never wraps: at `_GENERATION_SATURATED` no cache is trusted again, and every mint or
///        burn reads the naming, as before the cache.
///      - the total supply (at most `MAX_SUPPLY`, so that every balance fits its 160 bits) and the issuer generation
///        share the pause's slot, which every mint and burn writes.
///      Allowances, name, symbol, permit and nonces are OpenZeppelin's.
contract SettlementToken is ISettlementToken, ERC20Permit, EmergencyPause {
    /// @notice The most that can ever be in issue: 2^160 - 1 base units (1.4e30 tokens at 18 decimals).
    uint256 public constant MAX_SUPPLY = type(uint160).max;

    // One account's word (see the contract's notes): named offsets and masks.
    uint256 private constant _BALANCE_MASK = type(uint160).max;
    uint256 private constant _GENERATION_OFFSET = 160;
    uint256 private constant _GENERATION_MASK = uint256(type(uint8).max) << _GENERATION_OFFSET;
    uint256 private constant _EPOCH_OFFSET = 168;
    uint256 private constant _EPOCH_MASK = uint256(type(uint48).max) << _EPOCH_OFFSET;
    uint256 private constant _ISSUER_OFFSET = 216;
    uint256 private constant _ISSUER_MASK = uint256(type(uint32).max) << _ISSUER_OFFSET;
    uint256 private constant _FROZEN = 1 << 248;
    uint256 private constant _SYSTEM = 1 << 249;
    /// @dev The issuer generation past which no cached issuer is trusted (see the contract's notes).
    uint8 private constant _GENERATION_SATURATED = type(uint8).max;

    bytes3 private immutable _currency;
    uint8 private immutable _decimals;

    /// @dev Declared first: they pack with `EmergencyPause`'s fields (88 bits), so a mint or burn reads one slot.
    uint160 private _supply;
    uint8 private _issuerGeneration;
    mapping(address account => uint256 word) private _accounts;
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
        uint64 epoch = RegistryCalls.memberEpoch(memberRegistry);
        _checkIssuer(amount, epoch);
        if (to == address(0)) revert ERC20InvalidReceiver(address(0));
        _move(address(0), to, amount, epoch);
    }

    /// @inheritdoc ISettlementToken
    function burn(uint256 amount) external {
        uint64 epoch = RegistryCalls.memberEpoch(memberRegistry);
        _checkIssuer(amount, epoch);
        _move(msg.sender, address(0), amount, epoch);
    }

    // ─── Recovery ───────────────────────────────────────────────────────────

    /// @inheritdoc ISettlementToken
    function recoverBalance(address from, address to, bytes32 reason) external onlyGovernor returns (uint256 amount) {
        if (to == address(0)) revert ERC20InvalidReceiver(address(0));
        MemberId member = RegistryCalls.memberForKey(memberRegistry, from);
        bool linked = MemberId.unwrap(member) != 0;
        if (!linked) member = memberRegistry.boundMemberOf(from);
        if (MemberId.unwrap(member) == 0) revert SettlementAccountWithoutMember(from);
        if (RegistryCalls.statusOf(memberRegistry, member) != MemberStatus.Revoked) {
            if (linked) revert SettlementKeyLinked(from, member);
            if (MemberId.unwrap(RegistryCalls.memberForKey(memberRegistry, to)) != MemberId.unwrap(member)) {
                revert SettlementRecipientNotOfMember(to, member);
            }
        }
        amount = _recover(from, to);
        emit BalanceRecovered(from, member, to, amount, reason);
    }

    // ─── Control ────────────────────────────────────────────────────────────

    /// @inheritdoc ISettlementToken
    function freeze(address account, bytes32 reason) external onlyGovernor {
        uint256 word = _accounts[account];
        if (word & _FROZEN != 0) revert SettlementFreezeUnchanged(account, true);
        _accounts[account] = word | _FROZEN;
        emit AccountFrozen(account, reason);
    }

    /// @inheritdoc ISettlementToken
    function unfreeze(address account, bytes32 reason) external onlyGovernor {
        uint256 word = _accounts[account];
        if (word & _FROZEN == 0) revert SettlementFreezeUnchanged(account, false);
        _accounts[account] = word & ~_FROZEN;
        emit AccountUnfrozen(account, reason);
    }

    /// @inheritdoc ISettlementToken
    function setSystemAccount(address account, bool allowed) external onlyGovernor {
        uint256 word = _accounts[account];
        if ((word & _SYSTEM != 0) == allowed) revert SettlementSystemAccountUnchanged(account, allowed);
        // Delisted with money on it, a module's escrow would strand what its parties are owed (it could no longer
        // pay) and read as an ordinary account to `recoverBalance`.
        if (!allowed && word & _BALANCE_MASK != 0) {
            revert SettlementSystemAccountNotEmpty(account, word & _BALANCE_MASK);
        }
        _accounts[account] = allowed ? word | _SYSTEM : word & ~_SYSTEM;
        emit SystemAccountSet(account, allowed);
    }

    /// @inheritdoc ISettlementToken
    function setIssuer(MemberId issuer, bool allowed) external onlyGovernor {
        if (_issuers[issuer] == allowed) revert SettlementIssuerUnchanged(issuer, allowed);
        _issuers[issuer] = allowed;
        // A naming taken away expires every issuer cached at this generation; a naming given expires none.
        if (!allowed) {
            uint8 generation = _issuerGeneration;
            if (generation != _GENERATION_SATURATED) _issuerGeneration = generation + 1;
        }
        emit IssuerSet(issuer, allowed);
    }

    // ─── ERC-20 ─────────────────────────────────────────────────────────────

    /// @inheritdoc IERC20
    function transfer(address to, uint256 value) public override(ERC20, IERC20) returns (bool) {
        if (to == address(0)) revert ERC20InvalidReceiver(address(0));
        _move(msg.sender, to, value, 0);
        return true;
    }

    /// @dev The spender is checked as a holder is: not frozen, and an active member's operator or a system account.
    function transferFrom(address from, address to, uint256 value) public override(ERC20, IERC20) returns (bool) {
        uint64 epoch = RegistryCalls.memberEpoch(memberRegistry);
        _eligible(msg.sender, _accounts[msg.sender], epoch);
        _spendAllowance(from, msg.sender, value);
        if (from == address(0)) revert ERC20InvalidSender(address(0));
        if (to == address(0)) revert ERC20InvalidReceiver(address(0));
        _move(from, to, value, epoch);
        return true;
    }

    /// @inheritdoc IERC20
    function balanceOf(address account) public view override(ERC20, IERC20) returns (uint256) {
        return _accounts[account] & _BALANCE_MASK;
    }

    /// @inheritdoc IERC20
    function totalSupply() public view override(ERC20, IERC20) returns (uint256) {
        return _supply;
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
        return _accounts[account] & _FROZEN != 0;
    }

    /// @inheritdoc ISettlementToken
    function isIssuer(MemberId issuer) external view returns (bool) {
        return _issuers[issuer];
    }

    /// @inheritdoc ISettlementToken
    function isSystemAccount(address account) external view returns (bool) {
        return _accounts[account] & _SYSTEM != 0;
    }

    /// @inheritdoc ISettlementToken
    function canHold(address account) external view returns (bool) {
        uint256 word = _accounts[account];
        return word & _FROZEN == 0 && (word & _SYSTEM != 0 || RegistryCalls.isActiveKey(memberRegistry, account));
    }

    // ─── Internals ──────────────────────────────────────────────────────────

    /// @dev The governor only. A token pause stops every module's payments in this currency but not the modules'
    ///      active clocks: repayment and funding deadlines would run out against parties that cannot pay, so no
    ///      Regulator may start one (adversarial review, issue 15). The governor's pause is lifted by the governor.
    function _requirePauser() internal view override returns (bool byGovernor) {
        byGovernor = _isGovernor(msg.sender);
        if (!byGovernor) revert IMemberRegistry.GovernorUnauthorizedAccount(msg.sender);
    }

    /// @dev OpenZeppelin's `_mint`, `_burn` and `_transfer` end here; this contract calls `_move` directly.
    function _update(address from, address to, uint256 value) internal override {
        _move(from, to, value, 0);
    }

    /// @dev Every balance change passes here: not while paused, and both sides must be eligible and not frozen (each
    ///      side's refusal in that order, then the balance). `epoch` is the registry's `memberEpoch`, or 0 when
    ///      the caller has not read it yet.
    function _move(address from, address to, uint256 value, uint64 epoch) private whenNotPaused {
        if (epoch == 0) epoch = RegistryCalls.memberEpoch(memberRegistry);
        uint256 fromWord;
        uint256 toWord;
        if (from != address(0)) fromWord = _eligible(from, _accounts[from], epoch);
        if (to != address(0)) {
            toWord = _eligible(to, _accounts[to], epoch);
            // A module's escrow takes only what the module pulls (`transferFrom` by the module): money pushed or
            // minted into it would be owed to nobody on its books, and nothing could pay it out.
            if (toWord & _SYSTEM != 0 && to != msg.sender) revert SettlementDepositNotPulled(to, msg.sender);
        }
        if (from == address(0)) {
            uint256 supply = _supply;
            if (value > MAX_SUPPLY - supply) revert SettlementSupplyCapExceeded(supply, value, MAX_SUPPLY);
            _supply = uint160(supply + value);
        } else {
            uint256 balance = fromWord & _BALANCE_MASK;
            if (balance < value) revert ERC20InsufficientBalance(from, balance, value);
            // The balance is the word's low bits and at least `value`: nothing borrows from the fields above it.
            unchecked {
                fromWord -= value;
            }
            _accounts[from] = fromWord;
            if (to == from) toWord = fromWord;
        }
        if (to == address(0)) {
            // `value` is at most the sender's balance, which is at most the supply.
            unchecked {
                _supply -= uint160(value);
            }
        } else {
            // balance + value is at most the supply, itself at most MAX_SUPPLY: nothing carries into the generation.
            unchecked {
                toWord += value;
            }
            _accounts[to] = toWord;
        }
        emit Transfer(from, to, value);
    }

    /// @dev Moves the whole balance of `from`, which can never be eligible again as it is (an unlinked key, or an
    ///      account of a revoked member), to `to`, which must be eligible: the one balance change that does not ask
    ///      the sender to be eligible. Not while paused, not from a frozen account, never from or to a system account.
    function _recover(address from, address to) private whenNotPaused returns (uint256 amount) {
        uint256 fromWord = _accounts[from];
        // A module's escrow is never a member's key, even if a member's admin linked its address (no consent asked).
        if (fromWord & _SYSTEM != 0) revert SettlementSystemAccountInRecovery(from);
        if (fromWord & _FROZEN != 0) revert SettlementAccountFrozen(from);
        amount = fromWord & _BALANCE_MASK;
        if (amount == 0) revert SettlementNothingToRecover(from);
        if (to == from) revert ERC20InvalidReceiver(to);
        uint256 toWord = _eligible(to, _accounts[to], RegistryCalls.memberEpoch(memberRegistry));
        // Paid into a module's escrow, the money would be on no order's or piece's books.
        if (toWord & _SYSTEM != 0) revert SettlementSystemAccountInRecovery(to);
        // The whole balance leaves `from`, and `to`'s balance plus it is at most the supply (at most MAX_SUPPLY).
        unchecked {
            _accounts[from] = fromWord - amount;
            _accounts[to] = toWord + amount;
        }
        emit Transfer(from, to, amount);
    }

    /// @dev `account`'s word with its epoch refreshed, when it may hold the token: not frozen, and a system account,
    ///      or found active by the registry at `epoch` (from the cache, or else by asking it).
    ///      Refreshed, the word holds no issuer: it was found active at `epoch`, not an issuer.
    function _eligible(address account, uint256 word, uint64 epoch) private view returns (uint256) {
        if (word & _FROZEN != 0) revert SettlementAccountFrozen(account);
        if (word & _SYSTEM != 0 || _current(word, epoch)) return word;
        if (!RegistryCalls.isActiveKey(memberRegistry, account)) revert SettlementHolderNotEligible(account);
        return _refreshed(word, epoch);
    }

    /// @dev `word` found eligible at `epoch`: that epoch in it, and no issuer.
    function _refreshed(uint256 word, uint64 epoch) private pure returns (uint256) {
        return (word & ~(_EPOCH_MASK | _ISSUER_MASK | _GENERATION_MASK)) | (uint256(uint48(epoch)) << _EPOCH_OFFSET);
    }

    /// @dev Whether `word` was found eligible (and, with an issuer in it, an issuer) at the registry's `epoch`.
    function _current(uint256 word, uint64 epoch) private pure returns (bool) {
        return (word & _EPOCH_MASK) >> _EPOCH_OFFSET == uint48(epoch);
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

    /// @dev The caller may issue this currency: an active operator of a member with the TokenIssuer role, which the
    ///      governor named issuer of this token, and not frozen. Both facts come from the caller's word when it holds
    ///      that member at the registry's `epoch` and the token's issuer generation; else the role is asked of the
    ///      registry and the naming read here, and both are then kept in the word.
    function _checkIssuer(uint256 amount, uint64 epoch) private {
        uint256 word = _accounts[msg.sender];
        uint256 cached = (word & _ISSUER_MASK) >> _ISSUER_OFFSET;
        uint8 generation = _issuerGeneration;
        bool known =
            cached != 0 &&
                _current(word, epoch) &&
                (word & _GENERATION_MASK) >> _GENERATION_OFFSET == generation &&
                generation != _GENERATION_SATURATED;
        MemberId issuer;
        if (known) {
            issuer = MemberId.wrap(uint32(cached));
        } else {
            issuer = _requireRole(msg.sender, Role.TokenIssuer);
            if (!_issuers[issuer]) revert SettlementIssuerUnauthorized(msg.sender, issuer, _currency);
        }
        if (word & _FROZEN != 0) revert SettlementAccountFrozen(msg.sender);
        if (amount == 0) revert SettlementZeroAmount();
        // Found an active issuer operator, it is also found active: the word is current at `epoch` and `generation`,
        // with its member.
        if (!known)
            _accounts[msg.sender] =
                _refreshed(word, epoch) |
                (uint256(generation) << _GENERATION_OFFSET) |
                (uint256(MemberId.unwrap(issuer)) << _ISSUER_OFFSET);
    }
}
