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
    /// @notice One institution. Packed into two storage slots.
    struct Member {
        bytes32 legalIdHash; // keccak256 of the normalised LEI or BIC; never the identifier itself
        address admin; // the operator that manages the member's other operators
        bytes2 jurisdiction; // ISO 3166-1 alpha-2, e.g. "CN"
        uint32 roles; // bitmap of `1 << uint8(Role)`
        MemberStatus status;
        uint16 operatorCount;
    }

    // ─── Events ─────────────────────────────────────────────────────────────

    /// @notice A member was admitted by the governor, with `admin` as its first operator.
    event MemberAdmitted(
        MemberId indexed id,
        bytes32 indexed legalIdHash,
        bytes2 jurisdiction,
        uint32 roles,
        address admin
    );
    /// @notice A member's status changed; `reason` is an off-chain reason code (e.g. a ruling's reference).
    event MemberStatusChanged(MemberId indexed id, MemberStatus from, MemberStatus to, bytes32 reason);
    /// @notice A member's role set changed from `previousRoles` to `roles`.
    event MemberRolesChanged(MemberId indexed id, uint32 previousRoles, uint32 roles);
    /// @notice `operator` now acts for member `id`.
    event OperatorAdded(MemberId indexed id, address indexed operator);
    /// @notice `operator` no longer acts for member `id`.
    event OperatorRemoved(MemberId indexed id, address indexed operator);
    /// @notice The admin operator of member `id` changed.
    event MemberAdminChanged(MemberId indexed id, address indexed previousAdmin, address indexed admin);

    // ─── Errors ─────────────────────────────────────────────────────────────

    /// @notice `account` is not the governor.
    error GovernorUnauthorizedAccount(address account);
    /// @notice The governor seat cannot be left empty; transfer it to the new governor instead.
    error GovernorRenounceDisabled();
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
    /// @notice `operator` already acts for member `existing`.
    error OperatorAlreadyRegistered(address operator, MemberId existing);
    /// @notice `operator` does not act for member `id`.
    error OperatorNotOfMember(address operator, MemberId id);
    /// @notice `account` is not the admin operator of member `id`.
    error OperatorUnauthorizedAdmin(address account, MemberId id);
    /// @notice The admin operator of member `id` cannot be removed; hand the admin seat on first.
    error OperatorIsAdmin(address operator, MemberId id);

    // ─── Governance (governor only) ─────────────────────────────────────────

    /// @notice Admits an institution as an active member, with `admin` as its first operator.
    function admit(
        bytes32 legalIdHash,
        bytes2 jurisdiction,
        uint32 roles,
        address admin
    ) external returns (MemberId id);

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

    /// @notice Adds `operator` to member `id`. Caller: the member's admin, while the member is active.
    function addOperator(MemberId id, address operator) external;

    /// @notice Removes `operator` from member `id`. Caller: the member's admin, while the member is active.
    function removeOperator(MemberId id, address operator) external;

    /// @notice Hands member `id`'s admin seat to `newAdmin`, one of its operators (or a new one).
    ///         Caller: the current admin, or the governor for key recovery.
    function setAdmin(MemberId id, address newAdmin) external;

    // ─── Views ──────────────────────────────────────────────────────────────

    /// @notice The governor: the only account that admits, suspends and sets policy across the consortium.
    function governor() external view returns (address);

    /// @notice The member `account` acts for, or zero.
    function memberOf(address account) external view returns (MemberId);

    /// @notice The record of member `id`.
    function getMember(MemberId id) external view returns (Member memory);

    /// @notice True only when `account` acts for an active member that holds `role`.
    function hasRole(address account, Role role) external view returns (bool);

    /// @notice True only when `account` acts for an active member.
    function isActive(address account) external view returns (bool);

    /// @notice Returns `account`'s member when it is active and holds `role`; otherwise reverts with the reason.
    function requireRole(address account, Role role) external view returns (MemberId);

    /// @notice Returns `account`'s member when it is active; reverts with the precise reason otherwise.
    function requireActive(address account) external view returns (MemberId);

    /// @notice Number of members ever admitted; ids run from 1 to this number.
    function memberCount() external view returns (uint256);
}
