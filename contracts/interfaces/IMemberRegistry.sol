// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice Identifier of one member institution. Zero means "no member".
type MemberId is uint32;

/// @notice The roles of the brief's actor table. A member holds a set of them, as a bitmap of `1 << role`.
enum Role {
    Lender,
    Platform,
    CoreEnterprise,
    Supplier,
    Financier,
    Importer,
    Exporter,
    ImporterBank,
    Oracle,
    FxProvider,
    Arbiter,
    TokenIssuer,
    Regulator,
    Reporter
}

/// @notice Life of a membership: Active <-> Suspended, and either -> Revoked (final).
enum MemberStatus {
    None,
    Active,
    Suspended,
    Revoked
}

/// @title IMemberRegistry
/// @notice The consortium's market-access mechanism: which institutions exist, which addresses act for them,
///         what they may do, and whether they are currently allowed to act at all.
/// @dev The governor is the registry's owner (a multisig or a TimelockController in production). Every module asks
///      this registry who may act, so suspending a member here locks it out of every module at once.
interface IMemberRegistry {
    /// @notice One institution, in four storage slots.
    struct Member {
        bytes32 legalIdHash; // keccak256 of the normalised LEI; never the identifier itself
        bytes32 entityKey; // HMAC-SHA256(consortium key, "LEI", LEI): the key modules report this member under
        address admin; // the operator that manages the member's other operators
        bytes2 jurisdiction; // ISO 3166-1 alpha-2, e.g. "CN"
        uint32 roles; // bitmap of `1 << uint8(Role)`
        MemberStatus status;
        uint16 operatorCount;
        uint24 statusSince; // the UTC day (days since 1970) its status last changed; 0 while it never did
        address payout; // the operator payouts go to; zero means the admin
    }

    /// @notice A governor's key recovery that waits for `readyAt`; the member's admin may cancel it until then.
    struct Recovery {
        address newAdmin;
        uint40 readyAt;
    }

    // ─── Events ─────────────────────────────────────────────────────────────

    /// @notice A member was admitted by the governor, with `admin` as its first operator; `entityKey` is the key
    ///         modules report it under (`entityKeyOf`), fixed at admission.
    event MemberAdmitted(
        MemberId indexed id,
        bytes32 indexed legalIdHash,
        bytes32 indexed entityKey,
        bytes2 jurisdiction,
        uint32 roles,
        address admin
    );
    /// @notice A member's status changed; `reason` is an off-chain reason code (e.g. a ruling's reference).
    event MemberStatusChanged(MemberId indexed id, MemberStatus from, MemberStatus to, bytes32 reason);
    /// @notice A member's role set changed from `previousRoles` to `roles`.
    event MemberRolesChanged(MemberId indexed id, uint32 previousRoles, uint32 roles);
    /// @notice Member `id`'s admin offered to link `operator`; the link is made when that key accepts.
    event OperatorOffered(MemberId indexed id, address indexed operator);
    /// @notice Member `id`'s admin withdrew its offer to link `operator`.
    event OperatorOfferCancelled(MemberId indexed id, address indexed operator);
    /// @notice `operator` now acts for member `id`.
    event OperatorAdded(MemberId indexed id, address indexed operator);
    /// @notice `operator` no longer acts for member `id`.
    event OperatorRemoved(MemberId indexed id, address indexed operator);
    /// @notice The admin operator of member `id` changed.
    event MemberAdminChanged(MemberId indexed id, address indexed previousAdmin, address indexed admin);
    /// @notice Another identifier of member `id` (e.g. its BIC beside its LEI) was recorded, so that the
    ///         institution cannot be admitted a second time under it.
    event MemberLegalIdAdded(MemberId indexed id, bytes32 indexed legalIdHash);
    /// @notice Payouts to member `id` now go to `account`, one of its operators.
    event PayoutAccountSet(MemberId indexed id, address indexed account);
    /// @notice The governor proposed `newAdmin` for member `id`; it can take effect at `readyAt` unless the member's
    ///         admin cancels it first.
    event AdminRecoveryProposed(MemberId indexed id, address indexed newAdmin, uint40 readyAt);
    /// @notice The member's admin cancelled the governor's pending key recovery.
    event AdminRecoveryCancelled(MemberId indexed id, address indexed newAdmin);
    /// @notice `token` was listed (or delisted) as one of the consortium's settlement tokens.
    event SettlementTokenListed(address indexed token, bool listed);

    // ─── Errors ─────────────────────────────────────────────────────────────

    /// @notice `account` is not the governor.
    error GovernorUnauthorizedAccount(address account);
    /// @notice The governor seat cannot be left empty; transfer it to the new governor instead.
    error GovernorRenounceDisabled();
    /// @notice `account` acts for member `member`: an operator never becomes the governor (review 30, B1).
    error GovernorIsOperator(address account, MemberId member);
    /// @notice `account` is not an operator of any member.
    error MemberUnknownAccount(address account);
    /// @notice No member has id `id`.
    error MemberUnknownId(MemberId id);
    /// @notice Member `id`, acted for by `account`, is not active (it is `status`).
    error MemberNotActive(address account, MemberId id, MemberStatus status);
    /// @notice Member `id`, acted for by `account`, does not hold `role`.
    error MemberMissingRole(address account, MemberId id, Role role);
    /// @notice An institution with `legalIdHash` is already member `existing`.
    error MemberAlreadyAdmitted(bytes32 legalIdHash, MemberId existing);
    /// @notice The legal identifier hash is zero.
    error MemberInvalidLegalId();
    /// @notice `jurisdiction` is not two upper-case ASCII letters.
    error MemberInvalidJurisdiction(bytes2 jurisdiction);
    /// @notice `roles` has bits that name no role.
    error MemberInvalidRoles(uint32 roles);
    /// @notice Member `id` cannot move from `from` to `to`.
    error MemberInvalidTransition(MemberId id, MemberStatus from, MemberStatus to);
    /// @notice The operator address is zero.
    error OperatorInvalidAddress();
    /// @notice `operator` is the governor or the governor's pending successor: it is never a member's operator, so
    ///         that no member can make a governor's step fail by a check of its own standing (review 30, B1).
    error OperatorIsGovernor(address operator);
    /// @notice `operator` already acts for member `existing`.
    error OperatorAlreadyRegistered(address operator, MemberId existing);
    /// @notice `operator` is bound to member `member` (it was unlinked from it, or a key recovery named it for it): it
    ///         may be linked again only to that member.
    error OperatorBoundToMember(address operator, MemberId member);
    /// @notice `operator` does not act for member `id`.
    error OperatorNotOfMember(address operator, MemberId id);
    /// @notice Member `id` has no standing offer to link `operator`: its admin never offered it, withdrew it, or
    ///         the admin seat changed hands since.
    error OperatorNotOffered(address operator, MemberId id);
    /// @notice `account` is not the admin operator of member `id`.
    error OperatorUnauthorizedAdmin(address account, MemberId id);
    /// @notice The admin operator of member `id` cannot be removed; hand the admin seat on first.
    error OperatorIsAdmin(address operator, MemberId id);
    /// @notice The payout account of member `id` cannot be removed; set another payout account first.
    error OperatorIsPayoutAccount(address operator, MemberId id);
    /// @notice Member `id` already has `max` operators, the most one may have (`MAX_OPERATORS`; one more through a key
    ///         recovery, so that a member whose admin key is lost is never locked out).
    error OperatorLimitReached(MemberId id, uint256 max);
    /// @notice The entity key is zero.
    error MemberInvalidEntityKey();
    /// @notice Another member, `existing`, already has `entityKey`: the same institution cannot be admitted twice.
    error MemberEntityKeyTaken(bytes32 entityKey, MemberId existing);
    /// @notice No key recovery of member `id` is pending.
    error RecoveryNotPending(MemberId id);
    /// @notice The key recovery of member `id` can take effect only at `readyAt`.
    error RecoveryNotReady(MemberId id, uint40 readyAt);
    /// @notice `token` is not a settlement token: it has no code, or (to be listed) it names no currency.
    error SettlementTokenInvalid(address token);
    /// @notice `token` checks membership against `registry` (zero when it names none), not this registry, so it would
    ///         pay members this registry revoked: it cannot be listed.
    error SettlementTokenRegistryMismatch(address token, address registry);
    /// @notice A registry must be deployed with the check value of its consortium key; zero was given.
    error ConsortiumKeyCheckMissing();

    // ─── Governance (governor only) ─────────────────────────────────────────

    /// @notice Admits an institution as an active member, with `admin` as its first operator and payout account.
    /// @param legalIdHash keccak256 of the normalised LEI.
    /// @param entityKey the institution's keyed identity, HMAC-SHA256(consortium key, "LEI", LEI), from the SDK;
    ///        unique, like the LEI it is derived from. Modules report credit records about the member under it.
    function admit(
        bytes32 legalIdHash,
        bytes32 entityKey,
        bytes2 jurisdiction,
        uint32 roles,
        address admin
    ) external returns (MemberId id);

    /// @notice Records another identifier (its BIC, a former LEI) of member `id`, so that no second admission can
    ///         use it.
    function addLegalId(MemberId id, bytes32 legalIdHash) external;

    /// @notice Lists or delists a settlement token. Modules accept only listed tokens. A token is listed only if its
    ///         `memberRegistry()` is this registry, so that it refuses revoked members and unbooked deposits.
    function setSettlementToken(address token, bool listed) external;

    /// @notice Proposes `newAdmin` as member `id`'s admin, for a member that lost its admin key. It takes effect
    ///         with `completeAdminRecovery` after `RECOVERY_DELAY`, unless the member's admin cancels it: the
    ///         governor cannot take over a member whose admin is still there.
    function proposeAdminRecovery(MemberId id, address newAdmin) external;

    /// @notice Suspends an active member: it can no longer act in any module until reinstated.
    function suspend(MemberId id, bytes32 reason) external;

    /// @notice Reinstates a suspended member.
    function reinstate(MemberId id, bytes32 reason) external;

    /// @notice Revokes a member for good. Its operators stay recorded, so its history stays attributable.
    function revoke(MemberId id, bytes32 reason) external;

    /// @notice Adds `roles` to member `id`'s role set.
    function grantRoles(MemberId id, uint32 roles) external;

    /// @notice Removes `roles` from member `id`'s role set.
    function removeRoles(MemberId id, uint32 roles) external;

    // ─── Operators (the member's admin; the governor may also reseat the admin) ─

    /// @notice Offers to link `operator` to member `id`; the key then accepts (`acceptOperatorOffer`), so that no
    ///         member links a key it does not hold. Caller: the member's admin, while the member is active. The offer
    ///         stands during the admin seat's current term: any change of admin ends it.
    function addOperator(MemberId id, address operator) external;

    /// @notice Links the caller to member `id`, on its admin's standing offer, while the member is active. Caller:
    ///         the offered key.
    function acceptOperatorOffer(MemberId id) external;

    /// @notice Withdraws the standing offer to link `operator` to member `id`. Caller: the member's admin.
    function cancelOperatorOffer(MemberId id, address operator) external;

    /// @notice Removes `operator` from member `id`. Caller: the member's admin, while the member is active or
    ///         suspended (a suspended member can still cut off a compromised key).
    function removeOperator(MemberId id, address operator) external;

    /// @notice Hands member `id`'s admin seat to `newAdmin`, one of its operators (a new key is first added and
    ///         accepts). Caller: the current admin, while the member is active or suspended.
    function setAdmin(MemberId id, address newAdmin) external;

    /// @notice Sets where payouts to member `id` go: `account` must be one of its operators. Caller: the admin,
    ///         while the member is active or suspended (a compromised payout key can be retired before reinstatement).
    function setPayoutAccount(MemberId id, address account) external;

    /// @notice Cancels the governor's pending key recovery of member `id`. Caller: the member's current admin.
    function cancelAdminRecovery(MemberId id) external;

    /// @notice Completes a key recovery whose delay has passed. Anyone may call it.
    function completeAdminRecovery(MemberId id) external;

    // ─── Views ──────────────────────────────────────────────────────────────

    /// @notice The governor: the only account that admits, suspends and sets policy across the consortium.
    function governor() external view returns (address);

    /// @notice The consortium key's check value, fixed at deployment: HMAC-SHA256(consortiumKey,
    ///         "tradeline:key-check:v1"). It reveals nothing about the key; the SDK refuses to derive borrower,
    ///         invoice or entity keys with a key whose check value differs, so a wrong key is caught before anything
    ///         is sent.
    function keyCheck() external view returns (bytes32);

    /// @notice The member `account` acts for, or zero.
    function memberForKey(address account) external view returns (MemberId);

    /// @notice Member `id`'s operators (its admin among them), in no particular order.
    function operatorsOf(MemberId id) external view returns (address[] memory);

    /// @notice Whether member `id` has a standing offer to link `operator` (`addOperator`), which that key may accept.
    function operatorOfferOf(MemberId id, address operator) external view returns (bool);

    /// @notice The record of member `id`.
    function getMember(MemberId id) external view returns (Member memory);

    /// @notice True only when `account` acts for an active member that holds `role`.
    function activeInRole(address account, Role role) external view returns (bool);

    /// @notice True only when `account` acts for an active member.
    function isActiveKey(address account) external view returns (bool);

    /// @notice Returns `account`'s member when it is active and holds `role`; otherwise reverts with the reason.
    function requireKeyInRole(address account, Role role) external view returns (MemberId);

    /// @notice Returns `account`'s member and that member's roles when it is active; reverts with the precise reason
    ///         otherwise.
    function requireActiveMember(address account) external view returns (MemberId id, uint32 roles);

    /// @notice Number of members ever admitted; ids run from 1 to this number.
    function memberCount() external view returns (uint256);

    /// @notice A counter (never zero) that moves on with every change that may turn `isActiveKey` from true to false
    ///         for some account (a member suspended or revoked, an operator removed) and with every role taken from a
    ///         member. Nothing else changes `isActiveKey` or `requireKeyInRole` that way (they depend on no clock), so
    ///         an account found active, or active in a role, while the epoch was `e` still is while it is `e`: a
    ///         contract may cache the answer under the epoch and ask again only once it moved on.
    function memberEpoch() external view returns (uint64);

    /// @notice Member `id`'s status (None for an unknown id).
    function statusOf(MemberId id) external view returns (MemberStatus);

    /// @notice Member `id`'s status and the UTC day (days since 1970) it took it: suspended, reinstated or revoked (0
    ///         for a member whose status never changed since its admission, None and 0 for an unknown id). A module
    ///         that holds a member to account for what it could not do while suspended gives it time from that day
    ///         (the credit registry's ageing).
    function statusSinceOf(MemberId id) external view returns (MemberStatus status, uint256 sinceDay);

    /// @notice Member `id`'s status and role bitmap (`1 << uint8(Role)`), both from one storage slot: what a module
    ///         checks of a member it names, without the record's other slots (None and 0 for an unknown id).
    function standingOf(MemberId id) external view returns (MemberStatus status, uint32 roles);

    /// @notice True only when member `id` is active and holds `role`.
    function hasMemberRole(MemberId id, Role role) external view returns (bool);

    /// @notice The key credit records about member `id` are reported under (zero for an unknown id).
    function entityKeyOf(MemberId id) external view returns (bytes32);

    /// @notice Where payouts to member `id` go: its payout account, or its admin when none is set.
    function payoutAccountFor(MemberId id) external view returns (address);

    /// @notice The member an unlinked address is bound to: the member it was removed from as an operator, or the one
    ///         a key recovery named it for. It may be linked again only to that member, so that unlinking a key
    ///         never hands the money on it, or the allowances it holds, to another member. Zero for a linked address
    ///         or one never linked or named.
    function boundMemberOf(address account) external view returns (MemberId);

    /// @notice The member holding `legalIdHash` (its LEI's or any other recorded identifier's), or zero.
    function memberByLegalId(bytes32 legalIdHash) external view returns (MemberId);

    /// @notice True when `token` is a listed settlement token.
    function isSettlementToken(address token) external view returns (bool);

    /// @notice The pending key recovery of member `id` (zero when none).
    function recoveryOf(MemberId id) external view returns (Recovery memory);
}
