// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MemberId, MemberStatus} from "./IMemberRegistry.sol";

/// @notice Identifier of one consent: `keccak256(abi.encode(holder, documentHash))`, so a lender cannot record the same
///         signed document twice and the SDK knows the id before the record is mined.
type ConsentId is bytes32;

/// @notice What a borrower allowed its credit record to be looked up for (the purposes of HKMA's Commercial Data
///         Interchange and of the credit reference centre's inquiry codes). An inquiry names one, and it must be the
///         consent's.
enum ConsentPurpose {
    None,
    NewCredit, // an application for a new loan or facility
    AccountReview, // review of an existing account by the lender that holds it
    LimitReview, // an application to raise a limit
    Guarantee, // the borrower stands as guarantor of another's loan
    Collections // recovery of a debt already owed
}

/// @title IConsentBook
/// @notice The borrowers' consents to credit look-ups, as the lender that collected each one records it: the borrower
///         key, the hash of the signed consent document, its purpose, the members it covers and its expiry. The credit
///         registry's `inquire` names a consent and is refused unless it is in force, for that borrower, that member
///         and that purpose. A withdrawal takes effect at once. Nothing personal is stored: the document stays with
///         the lender; only its (salted) hash is published.
interface IConsentBook {
    /// @notice A consent as the lender records it.
    struct ConsentInput {
        bytes32 borrowerKey;
        bytes32 documentHash; // salted hash of the signed consent document (the SDK's consentCommitment)
        ConsentPurpose purpose;
        uint40 expiresAt; // unix seconds; the consent is in force strictly before it
        MemberId[] covered; // members besides the holder that may rely on it (at most MAX_COVERED)
    }

    /// @notice A consent as the book holds it.
    struct Consent {
        bytes32 borrowerKey;
        MemberId holder; // the lender that collected it; always covered
        ConsentPurpose purpose;
        uint40 expiresAt;
        uint40 revokedAt; // 0 while not withdrawn
        MemberId[] covered;
    }

    /// @notice Lender `holder` recorded consent `id` of `borrowerKey`.
    event ConsentRecorded(
        ConsentId indexed id,
        bytes32 indexed borrowerKey,
        MemberId indexed holder,
        bytes32 documentHash,
        ConsentPurpose purpose,
        uint40 expiresAt,
        MemberId[] covered
    );
    /// @notice The borrower withdrew consent `id`; member `recordedBy` (its holder or a Regulator) recorded it.
    event ConsentRevoked(
        ConsentId indexed id,
        bytes32 indexed borrowerKey,
        MemberId indexed recordedBy,
        bytes32 reason
    );

    /// @notice Consent `id` is already recorded (the same holder and document).
    error ConsentAlreadyRecorded(ConsentId id);
    /// @notice No consent is recorded as `id`.
    error ConsentUnknown(ConsentId id);
    /// @notice The borrower key or the document hash is zero.
    error ConsentInvalidInput(bytes32 borrowerKey, bytes32 documentHash);
    /// @notice `purpose` is not one a consent can be given for (None).
    error ConsentInvalidPurpose(ConsentPurpose purpose);
    /// @notice The expiry `expiresAt` is not after `now`.
    error ConsentInvalidExpiry(uint40 expiresAt, uint256 now);
    /// @notice A consent covers at most `max` members besides its holder; `count` were named.
    error ConsentTooManyMembers(uint256 count, uint256 max);
    /// @notice Member `member` is named twice, is the holder itself, or is member 0.
    error ConsentInvalidMember(MemberId member);
    /// @notice Consent `id` expired at `expiresAt`; it is `now`.
    error ConsentExpired(ConsentId id, uint40 expiresAt, uint256 now);
    /// @notice Consent `id` was withdrawn at `revokedAt`.
    error ConsentRevokedAt(ConsentId id, uint40 revokedAt);
    /// @notice Consent `id` was given by borrower `consentBorrower`, not by `borrowerKey`.
    error ConsentBorrowerMismatch(ConsentId id, bytes32 consentBorrower, bytes32 borrowerKey);
    /// @notice Consent `id` does not cover member `member`.
    error ConsentMemberNotCovered(ConsentId id, MemberId member);
    /// @notice Consent `id` was given for `consentPurpose`, not for `purpose`.
    error ConsentPurposeMismatch(ConsentId id, ConsentPurpose consentPurpose, ConsentPurpose purpose);
    /// @notice Consent `id`'s holder `holder` is `status`, not active: no other member may rely on its consents.
    error ConsentHolderInactive(ConsentId id, MemberId holder, MemberStatus status);
    /// @notice Account `account` (member `member`) may not withdraw consent `id`: only its holder or a Regulator may.
    error ConsentRevokeUnauthorized(ConsentId id, address account, MemberId member);

    /// @notice Records a consent collected by the caller's member (a Lender). Returns its id.
    function recordConsent(ConsentInput calldata consent) external returns (ConsentId id);

    /// @notice Records the borrower's withdrawal of consent `id`, effective at once: by its holder (whatever its
    ///         status)
    ///         or an active Regulator.
    function revokeConsent(ConsentId id, bytes32 reason) external;

    /// @notice Reverts, with the precise reason, unless consent `id` is in force now for `borrowerKey`, covers
    ///         `member` and was given for `purpose`, and, for a member other than its holder, its holder is active.
    function requireConsent(ConsentId id, bytes32 borrowerKey, MemberId member, ConsentPurpose purpose) external view;

    /// @notice The id a consent recorded by `holder` for document `documentHash` has.
    function consentId(MemberId holder, bytes32 documentHash) external pure returns (ConsentId);

    /// @notice Consent `id` (holder 0 when unknown).
    function getConsent(ConsentId id) external view returns (Consent memory);
}
