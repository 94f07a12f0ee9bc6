// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";

import {IMemberRegistry, MemberId, MemberStatus, Role} from "../interfaces/IMemberRegistry.sol";

/// @title MemberRegistry
/// @notice Institutions, their operator addresses, roles, jurisdiction and status. The governor is the owner, and
///         ownership moves in two steps so that a multisig or a TimelockController must accept the seat.
contract MemberRegistry is IMemberRegistry, Ownable2Step {
    /// @dev Every bit that names a role of the `Role` enum.
    uint32 private constant _ALL_ROLES = uint32((1 << (uint256(type(Role).max) + 1)) - 1);

    /// @notice How long a governor's key recovery waits, so that a member whose admin is still there can cancel it.
    uint256 public constant RECOVERY_DELAY = 7 days;

    /// @notice The most operators a member may have: every change of its status or roles rewrites each one's word.
    uint256 public constant MAX_OPERATORS = 32;

    /// @dev An operator's one word: the member it acts for, with a copy of that member's status and roles, so that
    ///      `requireKeyInRole`, `requireActiveMember` and `isActiveKey` (every module's check of who is acting) read
    ///      one slot, not two; and the next operator of the same member (`next`, zero for the last), so that the
    ///      member's operators are a list threaded through their own words. Every change of a member's status or
    ///      roles rewrites each of its operators' copies (`_syncOperators`) walking that list, which reads no slot
    ///      it does not write but the list's head (`_firstOperator`): the copy is the member's at all times. A key that
    ///      is not linked may be bound to a member (`bound`, see `boundMemberOf`), in the same word: a new operator's
    ///      checks read one slot (the roles copy is 16 bits wide: there are 14 roles).
    struct OperatorWord {
        MemberId member;
        MemberStatus status;
        uint16 roles;
        MemberId bound;
        address next;
    }

    mapping(MemberId id => Member) private _members;
    mapping(address operator => OperatorWord) private _memberOf;
    mapping(MemberId id => address) private _firstOperator;
    mapping(bytes32 legalIdHash => MemberId) private _byLegalId;
    mapping(bytes32 entityKey => MemberId) private _byEntityKey;
    mapping(MemberId id => Recovery) private _recoveries;
    mapping(address token => bool) private _settlementTokens;
    uint32 private _memberCount;
    /// @dev Packed with `_memberCount`. Starts at 1 and moves on whenever `isActiveKey` may turn false for some account
    ///      (a member leaves Active, an operator is unlinked) or a member loses a role: see `memberEpoch`.
    uint64 private _membershipEpoch = 1;
    /// @dev Where payouts to each member go: its payout account, else its admin. Kept with every change of either,
    ///      so that `payoutAccountFor`, read by every module payment, costs one storage read rather than two.
    mapping(MemberId id => address) private _payoutTo;
    /// @dev Standing offers to link a key (`addOperator`), each marked with the admin seat's term it was made in (plus
    ///      one: zero is no offer). It stands during that term, until the key accepts (`acceptOperatorOffer`) or the
    ///      admin withdraws it (`cancelOperatorOffer`); a later term, even of the same key, never revives it.
    mapping(MemberId id => mapping(address operator => uint256 term)) private _operatorOffers;
    /// @dev Each member's admin seat term: moved on whenever the seat changes hands (`_seatAdmin`) (review 33, E2).
    mapping(MemberId id => uint256) private _adminTerms;
    bytes32 private immutable _keyCheck;

    /// @param initialGovernor The first governor (hand the seat to a multisig or TimelockController afterwards).
    /// @param keyCheck_ The consortium key's check value (see `keyCheck`); never zero.
    constructor(address initialGovernor, bytes32 keyCheck_) Ownable(initialGovernor) {
        if (keyCheck_ == bytes32(0)) revert ConsortiumKeyCheckMissing();
        _keyCheck = keyCheck_;
    }

    // ─── Governance ─────────────────────────────────────────────────────────

    /// @inheritdoc IMemberRegistry
    function admit(
        bytes32 legalIdHash,
        bytes32 entityKey,
        bytes2 jurisdiction,
        uint32 roles,
        address admin
    ) external onlyOwner returns (MemberId id) {
        _checkNewLegalId(legalIdHash);
        if (entityKey == bytes32(0)) revert MemberInvalidEntityKey();
        MemberId holder = _byEntityKey[entityKey];
        if (MemberId.unwrap(holder) != 0) revert MemberEntityKeyTaken(entityKey, holder);
        _checkJurisdiction(jurisdiction);
        _checkRoles(roles);
        _checkNewOperator(admin, MemberId.wrap(0));

        id = MemberId.wrap(++_memberCount);
        // Field by field, a slot per statement: assigning the struct would write it member by member, and write the
        // zero `payout` into its empty slot (a cold read and a write for nothing). The id is new: its slots are zero.
        Member storage m = _members[id];
        (m.legalIdHash, m.entityKey) = (legalIdHash, entityKey);
        (m.admin, m.jurisdiction, m.roles, m.status, m.operatorCount) = (
            admin,
            jurisdiction,
            roles,
            MemberStatus.Active,
            1
        );
        _byLegalId[legalIdHash] = id;
        _byEntityKey[entityKey] = id;
        _link(admin, id, m, MAX_OPERATORS);
        _payoutTo[id] = admin;
        emit MemberAdmitted(id, legalIdHash, entityKey, jurisdiction, roles, admin);
        emit OperatorAdded(id, admin);
    }

    /// @inheritdoc IMemberRegistry
    function addLegalId(MemberId id, bytes32 legalIdHash) external onlyOwner {
        _existing(id);
        _checkNewLegalId(legalIdHash);
        _byLegalId[legalIdHash] = id;
        emit MemberLegalIdAdded(id, legalIdHash);
    }

    /// @inheritdoc IMemberRegistry
    function setSettlementToken(address token, bool listed) external onlyOwner {
        if (token.code.length == 0) revert SettlementTokenInvalid(token);
        if (listed) {
            // Only a token that checks membership against this registry may carry the consortium's money: a plain
            // ERC-20 would pay revoked members and take deposits no module booked (review 4, B-F2).
            (bool ok, bytes memory data) = token.staticcall(abi.encodeWithSignature("memberRegistry()"));
            address bound = ok && data.length >= 32 ? abi.decode(data, (address)) : address(0);
            if (bound != address(this)) revert SettlementTokenRegistryMismatch(token, bound);
            // Every contract of the consortium names this registry; only a settlement token names a currency
            // (adversarial review 7).
            (ok, data) = token.staticcall(abi.encodeWithSignature("currency()"));
            if (!ok || data.length < 32 || bytes3(bytes32(data)) == 0) revert SettlementTokenInvalid(token);
        }
        _settlementTokens[token] = listed;
        emit SettlementTokenListed(token, listed);
    }

    /// @inheritdoc IMemberRegistry
    function proposeAdminRecovery(MemberId id, address newAdmin) external onlyOwner {
        _existing(id);
        if (newAdmin == address(0)) revert OperatorInvalidAddress();
        MemberId holder = _memberOf[newAdmin].member;
        if (MemberId.unwrap(holder) == 0) {
            // Reserved for this member until linked, so that no other member's admin can take it first.
            _checkNewOperator(newAdmin, id);
            _memberOf[newAdmin].bound = id;
        } else if (MemberId.unwrap(holder) != MemberId.unwrap(id)) {
            revert OperatorAlreadyRegistered(newAdmin, holder);
        }
        uint40 readyAt = uint40(block.timestamp + RECOVERY_DELAY);
        _recoveries[id] = Recovery(newAdmin, readyAt);
        emit AdminRecoveryProposed(id, newAdmin, readyAt);
    }

    /// @inheritdoc IMemberRegistry
    function suspend(MemberId id, bytes32 reason) external onlyOwner {
        _transition(id, MemberStatus.Suspended, reason);
    }

    /// @inheritdoc IMemberRegistry
    function reinstate(MemberId id, bytes32 reason) external onlyOwner {
        _transition(id, MemberStatus.Active, reason);
    }

    /// @inheritdoc IMemberRegistry
    function revoke(MemberId id, bytes32 reason) external onlyOwner {
        _transition(id, MemberStatus.Revoked, reason);
    }

    /// @inheritdoc IMemberRegistry
    function grantRoles(MemberId id, uint32 roles) external onlyOwner {
        _checkRoles(roles);
        Member storage m = _existing(id);
        uint32 previous = m.roles;
        m.roles = previous | roles;
        _syncOperators(id, m.status, previous | roles);
        emit MemberRolesChanged(id, previous, previous | roles);
    }

    /// @inheritdoc IMemberRegistry
    function removeRoles(MemberId id, uint32 roles) external onlyOwner {
        _checkRoles(roles);
        Member storage m = _existing(id);
        uint32 previous = m.roles;
        m.roles = previous & ~roles;
        _syncOperators(id, m.status, previous & ~roles);
        // A role taken away: caches of "found an issuer" keyed on the epoch expire (see `memberEpoch`).
        if (previous & roles != 0) ++_membershipEpoch;
        emit MemberRolesChanged(id, previous, previous & ~roles);
    }

    // ─── Operators ──────────────────────────────────────────────────────────

    /// @inheritdoc IMemberRegistry
    /// @dev The first of two steps, as `Ownable2Step` passes ownership: the admin offers, the key accepts. A member
    ///      cannot link a key it does not hold (review 31, D2): not the governor's announced successor, to make the
    ///      transfer of governance revert, nor another member's key, to bind it to itself for good.
    function addOperator(MemberId id, address operator) external {
        Member storage m = _activeAdminOf(id);
        _checkNewOperator(operator, id);
        if (m.operatorCount >= MAX_OPERATORS) revert OperatorLimitReached(id, MAX_OPERATORS);
        _operatorOffers[id][operator] = _adminTerms[id] + 1;
        emit OperatorOffered(id, operator);
    }

    /// @inheritdoc IMemberRegistry
    function cancelOperatorOffer(MemberId id, address operator) external {
        Member storage m = _existing(id);
        if (msg.sender != m.admin) revert OperatorUnauthorizedAdmin(msg.sender, id);
        if (!_offerStands(id, operator)) revert OperatorNotOffered(operator, id);
        delete _operatorOffers[id][operator];
        emit OperatorOfferCancelled(id, operator);
    }

    /// @inheritdoc IMemberRegistry
    /// @dev Everything `addOperator` checked is checked again: the member, the key and the limit may have changed.
    function acceptOperatorOffer(MemberId id) external {
        Member storage m = _existing(id);
        // An offer stands only during the admin seat's term it was made in: a compromised admin's offers lapse with
        // its replacement, and do not come back with a later term of the same key (review 33, E2).
        if (!_offerStands(id, msg.sender)) revert OperatorNotOffered(msg.sender, id);
        if (m.status != MemberStatus.Active) revert MemberNotActive(msg.sender, id, m.status);
        _checkNewOperator(msg.sender, id);
        delete _operatorOffers[id][msg.sender];
        _link(msg.sender, id, m, MAX_OPERATORS);
        ++m.operatorCount;
        emit OperatorAdded(id, msg.sender);
    }

    /// @inheritdoc IMemberRegistry
    function operatorOfferOf(MemberId id, address operator) external view returns (bool) {
        return _offerStands(id, operator);
    }

    /// @inheritdoc IMemberRegistry
    function removeOperator(MemberId id, address operator) external {
        Member storage m = _existing(id);
        // A suspended member may still cut off a compromised key, so that it is not live again on reinstatement.
        if (msg.sender != m.admin) revert OperatorUnauthorizedAdmin(msg.sender, id);
        if (m.status == MemberStatus.Revoked) revert MemberNotActive(msg.sender, id, m.status);
        if (MemberId.unwrap(_memberOf[operator].member) != MemberId.unwrap(id))
            revert OperatorNotOfMember(operator, id);
        if (operator == m.admin) revert OperatorIsAdmin(operator, id);
        if (operator == m.payout) revert OperatorIsPayoutAccount(operator, id);
        _unlink(operator, id);
        // The key stays this member's: relinked elsewhere, it would take its balance and allowances with it.
        _memberOf[operator].bound = id;
        --m.operatorCount;
        ++_membershipEpoch;
        emit OperatorRemoved(id, operator);
    }

    /// @inheritdoc IMemberRegistry
    function setAdmin(MemberId id, address newAdmin) external {
        Member storage m = _existing(id);
        if (msg.sender != m.admin) revert OperatorUnauthorizedAdmin(msg.sender, id);
        // Also while suspended (to retire a compromised admin key). The seat goes only to a key already linked, which
        // accepted its link (review 31, D2): a member links no key it does not hold.
        if (m.status == MemberStatus.Revoked) revert MemberNotActive(msg.sender, id, m.status);
        if (newAdmin == address(0)) revert OperatorInvalidAddress();
        if (MemberId.unwrap(_memberOf[newAdmin].member) != MemberId.unwrap(id))
            revert OperatorNotOfMember(newAdmin, id);
        _seatAdmin(id, m, newAdmin, MAX_OPERATORS);
    }

    /// @inheritdoc IMemberRegistry
    function setPayoutAccount(MemberId id, address account) external {
        Member storage m = _existing(id);
        if (msg.sender != m.admin) revert OperatorUnauthorizedAdmin(msg.sender, id);
        // Also while suspended, so that a compromised payout key can be retired before reinstatement.
        if (m.status == MemberStatus.Revoked) revert MemberNotActive(msg.sender, id, m.status);
        if (MemberId.unwrap(_memberOf[account].member) != MemberId.unwrap(id)) revert OperatorNotOfMember(account, id);
        m.payout = account;
        _payoutTo[id] = account;
        emit PayoutAccountSet(id, account);
    }

    /// @inheritdoc IMemberRegistry
    function cancelAdminRecovery(MemberId id) external {
        Member storage m = _existing(id);
        if (msg.sender != m.admin) revert OperatorUnauthorizedAdmin(msg.sender, id);
        Recovery memory r = _recoveries[id];
        if (r.readyAt == 0) revert RecoveryNotPending(id);
        delete _recoveries[id];
        emit AdminRecoveryCancelled(id, r.newAdmin);
    }

    /// @inheritdoc IMemberRegistry
    function completeAdminRecovery(MemberId id) external {
        Member storage m = _existing(id);
        Recovery memory r = _recoveries[id];
        if (r.readyAt == 0) revert RecoveryNotPending(id);
        if (block.timestamp < r.readyAt) revert RecoveryNotReady(id, r.readyAt);
        delete _recoveries[id];
        // One over the cap if need be: a member whose admin key is lost, at 32 operators, is never locked out of its
        // recovery; its new admin then removes the lost key (adversarial review 23, R23-1).
        _seatAdmin(id, m, r.newAdmin, MAX_OPERATORS + 1);
    }

    // ─── Views ──────────────────────────────────────────────────────────────

    /// @inheritdoc IMemberRegistry
    function governor() external view returns (address) {
        return owner();
    }

    /// @inheritdoc IMemberRegistry
    function keyCheck() external view returns (bytes32) {
        return _keyCheck;
    }

    /// @inheritdoc IMemberRegistry
    function memberForKey(address account) external view returns (MemberId) {
        return _memberOf[account].member;
    }

    /// @inheritdoc IMemberRegistry
    function operatorsOf(MemberId id) external view returns (address[] memory list) {
        list = new address[](_members[id].operatorCount);
        address a = _firstOperator[id];
        for (uint256 i; a != address(0); ++i) {
            list[i] = a;
            a = _memberOf[a].next;
        }
    }

    /// @inheritdoc IMemberRegistry
    function getMember(MemberId id) external view returns (Member memory) {
        return _members[id];
    }

    /// @inheritdoc IMemberRegistry
    function activeInRole(address account, Role role) external view returns (bool) {
        OperatorWord storage w = _memberOf[account];
        return w.status == MemberStatus.Active && (w.roles >> uint8(role)) & 1 == 1;
    }

    /// @inheritdoc IMemberRegistry
    function isActiveKey(address account) external view returns (bool) {
        return _memberOf[account].status == MemberStatus.Active;
    }

    /// @inheritdoc IMemberRegistry
    function requireKeyInRole(address account, Role role) external view returns (MemberId id) {
        uint32 roles;
        (id, roles) = _requireActive(account);
        if ((roles >> uint8(role)) & 1 == 0) revert MemberMissingRole(account, id, role);
    }

    /// @inheritdoc IMemberRegistry
    function requireActiveMember(address account) external view returns (MemberId id, uint32 roles) {
        return _requireActive(account);
    }

    /// @inheritdoc IMemberRegistry
    function memberCount() external view returns (uint256) {
        return _memberCount;
    }

    /// @inheritdoc IMemberRegistry
    function memberEpoch() external view returns (uint64) {
        return _membershipEpoch;
    }

    /// @inheritdoc IMemberRegistry
    function statusOf(MemberId id) external view returns (MemberStatus) {
        return _members[id].status;
    }

    /// @inheritdoc IMemberRegistry
    function statusSinceOf(MemberId id) external view returns (MemberStatus status, uint256 sinceDay) {
        Member storage m = _members[id];
        return (m.status, m.statusSince);
    }

    /// @inheritdoc IMemberRegistry
    function standingOf(MemberId id) external view returns (MemberStatus status, uint32 roles) {
        Member storage m = _members[id];
        return (m.status, m.roles);
    }

    /// @inheritdoc IMemberRegistry
    function hasMemberRole(MemberId id, Role role) external view returns (bool) {
        Member storage m = _members[id];
        return m.status == MemberStatus.Active && (m.roles >> uint8(role)) & 1 == 1;
    }

    /// @inheritdoc IMemberRegistry
    function entityKeyOf(MemberId id) external view returns (bytes32) {
        return _members[id].entityKey;
    }

    /// @inheritdoc IMemberRegistry
    function payoutAccountFor(MemberId id) external view returns (address) {
        return _payoutTo[id];
    }

    /// @inheritdoc IMemberRegistry
    function boundMemberOf(address account) external view returns (MemberId) {
        return _memberOf[account].bound;
    }

    /// @inheritdoc IMemberRegistry
    function memberByLegalId(bytes32 legalIdHash) external view returns (MemberId) {
        return _byLegalId[legalIdHash];
    }

    /// @inheritdoc IMemberRegistry
    function isSettlementToken(address token) external view returns (bool) {
        return _settlementTokens[token];
    }

    /// @inheritdoc IMemberRegistry
    function recoveryOf(MemberId id) external view returns (Recovery memory) {
        return _recoveries[id];
    }

    // ─── Internals ──────────────────────────────────────────────────────────

    /// @dev The consortium must always have a governor: renouncing the seat is refused. Hand it over instead.
    function renounceOwnership() public view override onlyOwner {
        revert GovernorRenounceDisabled();
    }

    /// @dev Governance passes only to an address that acts for no member (review 30, B1); the successor then accepts.
    function transferOwnership(address newOwner) public override onlyOwner {
        MemberId member = _memberOf[newOwner].member;
        if (MemberId.unwrap(member) != 0) revert GovernorIsOperator(newOwner, member);
        super.transferOwnership(newOwner);
    }

    /// @dev The governor's refusal carries this registry's own error rather than Ownable's.
    function _checkOwner() internal view override {
        if (msg.sender != owner()) revert GovernorUnauthorizedAccount(msg.sender);
    }

    /// @dev The one place where a member's status changes. Allowed: Active <-> Suspended, Active|Suspended -> Revoked.
    function _transition(MemberId id, MemberStatus to, bytes32 reason) private {
        Member storage m = _existing(id);
        MemberStatus from = m.status;
        bool allowed =
            (from == MemberStatus.Active && to != MemberStatus.Active) ||
                (from == MemberStatus.Suspended && to != MemberStatus.Suspended);
        if (!allowed) revert MemberInvalidTransition(id, from, to);
        (m.status, m.statusSince) = (to, uint24(block.timestamp / 1 days));
        _syncOperators(id, to, m.roles);
        // Leaving Active turns `isActiveKey` false for every operator of the member: caches keyed on the epoch expire.
        if (from == MemberStatus.Active) ++_membershipEpoch;
        emit MemberStatusChanged(id, from, to, reason);
    }

    /// @dev Seats `newAdmin` (an operator of member `id`, or a new one while it has fewer than `limit`) as its admin.
    function _seatAdmin(MemberId id, Member storage m, address newAdmin, uint256 limit) private {
        address previous = m.admin;
        ++_adminTerms[id]; // every standing operator offer lapses (review 33, E2)
        MemberId holder = _memberOf[newAdmin].member;
        if (MemberId.unwrap(holder) == 0) {
            _checkNewOperator(newAdmin, id);
            _link(newAdmin, id, m, limit);
            ++m.operatorCount;
            emit OperatorAdded(id, newAdmin);
        } else if (MemberId.unwrap(holder) != MemberId.unwrap(id)) {
            revert OperatorAlreadyRegistered(newAdmin, holder);
        }
        m.admin = newAdmin;
        if (m.payout == address(0)) _payoutTo[id] = newAdmin;
        emit MemberAdminChanged(id, previous, newAdmin);
    }

    /// @dev Whether member `id` has a standing offer to link `operator`: made during the admin seat's current term.
    function _offerStands(MemberId id, address operator) private view returns (bool) {
        uint256 term = _operatorOffers[id][operator];
        return term != 0 && term == _adminTerms[id] + 1;
    }

    function _checkNewLegalId(bytes32 legalIdHash) private view {
        if (legalIdHash == bytes32(0)) revert MemberInvalidLegalId();
        MemberId existing = _byLegalId[legalIdHash];
        if (MemberId.unwrap(existing) != 0) revert MemberAlreadyAdmitted(legalIdHash, existing);
    }

    /// @dev `account`'s member, active, and its roles: all three from the operator's one word.
    function _requireActive(address account) private view returns (MemberId id, uint32 roles) {
        OperatorWord storage w = _memberOf[account];
        MemberStatus status;
        (id, status, roles) = (w.member, w.status, w.roles);
        if (MemberId.unwrap(id) == 0) revert MemberUnknownAccount(account);
        if (status != MemberStatus.Active) revert MemberNotActive(account, id, status);
    }

    function _existing(MemberId id) private view returns (Member storage m) {
        m = _members[id];
        if (m.status == MemberStatus.None) revert MemberUnknownId(id);
    }

    function _activeAdminOf(MemberId id) private view returns (Member storage m) {
        m = _existing(id);
        if (msg.sender != m.admin) revert OperatorUnauthorizedAdmin(msg.sender, id);
        if (m.status != MemberStatus.Active) revert MemberNotActive(msg.sender, id, m.status);
    }

    /// @dev `operator` may be linked to member `id` (zero for a member being admitted): not zero, not linked, and
    ///      not bound to another member.
    function _checkNewOperator(address operator, MemberId id) private view {
        if (operator == address(0)) revert OperatorInvalidAddress();
        // The governor's key is no member's: a module asks "an operator of the member?" before "the governor?" in
        // places (a revoked pledgee's release, a revoked payee's FX terms), where a member that linked it would make
        // the governor's step revert with the member's standing (review 30, B1).
        if (operator == owner() || operator == pendingOwner()) revert OperatorIsGovernor(operator);
        OperatorWord storage w = _memberOf[operator];
        MemberId existing = w.member;
        if (MemberId.unwrap(existing) != 0) revert OperatorAlreadyRegistered(operator, existing);
        MemberId bound = w.bound;
        if (MemberId.unwrap(bound) != 0 && MemberId.unwrap(bound) != MemberId.unwrap(id)) {
            revert OperatorBoundToMember(operator, bound);
        }
    }

    /// @dev Links `operator` to member `id` (record `m`, whose `operatorCount` its caller moves on), with a copy of its
    ///      status and roles, at the head of the member's list, while it has fewer than `limit` operators; a binding to
    ///      `id` has served its purpose.
    function _link(address operator, MemberId id, Member storage m, uint256 limit) private {
        if (m.operatorCount >= limit) revert OperatorLimitReached(id, limit);
        _memberOf[operator] = OperatorWord(id, m.status, uint16(m.roles), MemberId.wrap(0), _firstOperator[id]);
        _firstOperator[id] = operator;
    }

    /// @dev Unlinks `operator` from member `id`'s list (walking it to the operator before it: at most
    ///      `MAX_OPERATORS` words, on a rare step) and clears its word.
    function _unlink(address operator, MemberId id) private {
        address next = _memberOf[operator].next;
        address a = _firstOperator[id];
        if (a == operator) {
            _firstOperator[id] = next;
        } else {
            while (_memberOf[a].next != operator) a = _memberOf[a].next;
            _memberOf[a].next = next;
        }
        delete _memberOf[operator];
    }

    /// @dev Writes member `id`'s new status and roles into each of its operators' words (at most `MAX_OPERATORS`).
    function _syncOperators(MemberId id, MemberStatus status, uint32 roles) private {
        for (address a = _firstOperator[id]; a != address(0);) {
            OperatorWord storage w = _memberOf[a];
            (w.status, w.roles) = (status, uint16(roles));
            a = w.next;
        }
    }

    function _checkRoles(uint32 roles) private pure {
        if (roles == 0 || roles & ~_ALL_ROLES != 0) revert MemberInvalidRoles(roles);
    }

    function _checkJurisdiction(bytes2 jurisdiction) private pure {
        bytes1 a = jurisdiction[0];
        bytes1 b = jurisdiction[1];
        if (a < "A" || a > "Z" || b < "A" || b > "Z") revert MemberInvalidJurisdiction(jurisdiction);
    }
}
