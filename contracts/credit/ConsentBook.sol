// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {RegistryCalls} from "../libraries/RegistryCalls.sol";
import {MemberGated} from "../access/MemberGated.sol";
import {ConsentId, ConsentPurpose, IConsentBook} from "../interfaces/IConsentBook.sol";
import {IMemberRegistry, MemberId, MemberStatus, Role} from "../interfaces/IMemberRegistry.sol";

/// @title ConsentBook
/// @notice The borrowers' consents to credit look-ups. See {IConsentBook}.
/// @dev One consent is two slots, keyed so that the credit registry's check of an inquiry reads one:
///      - `_borrowerOf[id]`: the borrower key, for the views, the withdrawal and the refusal that names it;
///      - `_terms[keccak256(id, borrower key)]`: the holder, the purpose, the expiry, the withdrawal time and up to
///        MAX_COVERED other members, packed (32 + 8 + 40 + 40 + 4 x 32 = 248 bits).
///      A check for another borrower finds no terms under its key, and only then reads the borrower key.
contract ConsentBook is IConsentBook, MemberGated {
    /// @notice Most members a consent covers besides its holder.
    uint256 public constant MAX_COVERED = 4;

    uint256 private constant _MEMBER_MASK = 0xffffffff;

    struct Terms {
        MemberId holder;
        ConsentPurpose purpose;
        uint40 expiresAt;
        uint40 revokedAt;
        uint128 covered; // up to MAX_COVERED member ids, 32 bits each, lowest first; 0 ends the list
    }

    mapping(ConsentId => bytes32 borrowerKey) private _borrowerOf;
    mapping(bytes32 termsKey => Terms) private _terms;

    constructor(IMemberRegistry registry) MemberGated(registry) {}

    /// @inheritdoc IConsentBook
    function recordConsent(ConsentInput calldata input) external returns (ConsentId id) {
        MemberId holder = _requireRole(msg.sender, Role.Lender);
        if (input.borrowerKey == 0 || input.documentHash == 0) {
            revert ConsentInvalidInput(input.borrowerKey, input.documentHash);
        }
        if (input.purpose == ConsentPurpose.None) revert ConsentInvalidPurpose(input.purpose);
        if (input.expiresAt <= block.timestamp) revert ConsentInvalidExpiry(input.expiresAt, block.timestamp);
        uint256 n = input.covered.length;
        if (n > MAX_COVERED) revert ConsentTooManyMembers(n, MAX_COVERED);
        uint128 covered;
        for (uint256 i; i < n; ++i) {
            MemberId m = input.covered[i];
            bool named = MemberId.unwrap(m) == 0 || MemberId.unwrap(m) == MemberId.unwrap(holder);
            for (uint256 j; j < i && !named; ++j) {
                named = MemberId.unwrap(input.covered[j]) == MemberId.unwrap(m);
            }
            if (named) revert ConsentInvalidMember(m);
            covered |= uint128(MemberId.unwrap(m)) << uint128(32 * i);
        }
        id = consentId(holder, input.documentHash);
        if (_borrowerOf[id] != 0) revert ConsentAlreadyRecorded(id);
        _borrowerOf[id] = input.borrowerKey;
        // In one statement: assigning the struct would write its slot member by member, a further SLOAD and SSTORE
        // each. `revokedAt` stays 0, as the record is new.
        Terms storage t = _terms[_termsKey(id, input.borrowerKey)];
        (t.holder, t.purpose, t.expiresAt, t.covered) = (holder, input.purpose, input.expiresAt, covered);
        emit ConsentRecorded(
            id,
            input.borrowerKey,
            holder,
            input.documentHash,
            input.purpose,
            input.expiresAt,
            input.covered
        );
    }

    /// @inheritdoc IConsentBook
    /// @dev The holder records a withdrawal whatever its status (a suspended lender must still be able to say that the
    ///      borrower withdrew); anyone else must be an active Regulator.
    function revokeConsent(ConsentId id, bytes32 reason) external {
        MemberId by = RegistryCalls.memberForKey(memberRegistry, msg.sender);
        bytes32 borrowerKey = _borrowerOf[id];
        if (borrowerKey == 0) revert ConsentUnknown(id);
        Terms storage t = _terms[_termsKey(id, borrowerKey)];
        MemberId holder = t.holder;
        if (
            MemberId.unwrap(by) == 0 ||
            (MemberId.unwrap(by) != MemberId.unwrap(holder) &&
                !RegistryCalls.activeInRole(memberRegistry, msg.sender, Role.Regulator))
        ) {
            revert ConsentRevokeUnauthorized(id, msg.sender, by);
        }
        if (t.revokedAt != 0) revert ConsentRevokedAt(id, t.revokedAt);
        t.revokedAt = uint40(block.timestamp);
        emit ConsentRevoked(id, borrowerKey, by, reason);
    }

    /// @inheritdoc IConsentBook
    function requireConsent(ConsentId id, bytes32 borrowerKey, MemberId member, ConsentPurpose purpose) external view {
        Terms memory t = _terms[_termsKey(id, borrowerKey)];
        // No terms under this borrower: an unknown consent, or another borrower's (named before its withdrawal or
        // expiry, which are that borrower's business).
        if (MemberId.unwrap(t.holder) == 0) {
            bytes32 recorded = _borrowerOf[id];
            if (recorded == 0) revert ConsentUnknown(id);
            revert ConsentBorrowerMismatch(id, recorded, borrowerKey);
        }
        if (t.revokedAt != 0) revert ConsentRevokedAt(id, t.revokedAt);
        if (block.timestamp >= t.expiresAt) revert ConsentExpired(id, t.expiresAt, block.timestamp);
        if (!_covers(t, member)) revert ConsentMemberNotCovered(id, member);
        if (t.purpose != purpose) revert ConsentPurposeMismatch(id, t.purpose, purpose);
        // Another member relies on the holder's word: only while the holder is an active member.
        if (MemberId.unwrap(member) != MemberId.unwrap(t.holder)) {
            MemberStatus status = RegistryCalls.statusOf(memberRegistry, t.holder);
            if (status != MemberStatus.Active) revert ConsentHolderInactive(id, t.holder, status);
        }
    }

    /// @inheritdoc IConsentBook
    function consentId(MemberId holder, bytes32 documentHash) public pure returns (ConsentId) {
        return ConsentId.wrap(keccak256(abi.encode(holder, documentHash)));
    }

    /// @inheritdoc IConsentBook
    function getConsent(ConsentId id) external view returns (Consent memory c) {
        bytes32 borrowerKey = _borrowerOf[id];
        Terms memory t = _terms[_termsKey(id, borrowerKey)];
        uint256 n;
        while (n < MAX_COVERED && (t.covered >> (32 * n)) & _MEMBER_MASK != 0) ++n;
        MemberId[] memory covered = new MemberId[](n);
        for (uint256 i; i < n; ++i) covered[i] = MemberId.wrap(uint32(t.covered >> (32 * i)));
        c = Consent({
            borrowerKey: borrowerKey,
            holder: t.holder,
            purpose: t.purpose,
            expiresAt: t.expiresAt,
            revokedAt: t.revokedAt,
            covered: covered
        });
    }

    /// @dev Where consent `id`'s terms are kept: under the consent and its borrower key together.
    function _termsKey(ConsentId id, bytes32 borrowerKey) private pure returns (bytes32 key) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            mstore(0x00, id)
            mstore(0x20, borrowerKey)
            key := keccak256(0x00, 0x40)
        }
    }

    function _covers(Terms memory t, MemberId member) private pure returns (bool) {
        uint256 m = MemberId.unwrap(member);
        if (m == MemberId.unwrap(t.holder)) return true;
        for (uint256 i; i < MAX_COVERED; ++i) {
            uint256 other = (t.covered >> (32 * i)) & _MEMBER_MASK;
            if (other == 0) return false;
            if (other == m) return true;
        }
        return false;
    }
}
