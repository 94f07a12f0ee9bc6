// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {RegistryCalls} from "../libraries/RegistryCalls.sol";
import {MemberGated} from "../access/MemberGated.sol";
import {ConsentId, ConsentPurpose, IConsentBook} from "../interfaces/IConsentBook.sol";
import {IMemberRegistry, MemberId, MemberStatus, Role} from "../interfaces/IMemberRegistry.sol";

/// @title ConsentBook
/// @notice The borrowers' consents to credit look-ups. See {IConsentBook}.
/// @dev One consent is two slots, so that the credit registry's check of an inquiry reads two slots:
///      - the borrower key;
///      - the holder, the purpose, the expiry, the withdrawal time and up to MAX_COVERED other members, packed
///        (32 + 8 + 40 + 40 + 4 x 32 = 248 bits).
contract ConsentBook is IConsentBook, MemberGated {
    /// @notice Most members a consent covers besides its holder.
    uint256 public constant MAX_COVERED = 4;

    uint256 private constant _MEMBER_MASK = 0xffffffff;

    struct Record {
        bytes32 borrowerKey;
        MemberId holder;
        ConsentPurpose purpose;
        uint40 expiresAt;
        uint40 revokedAt;
        uint128 covered; // up to MAX_COVERED member ids, 32 bits each, lowest first; 0 ends the list
    }

    mapping(ConsentId => Record) private _consents;

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
        Record storage r = _consents[id];
        if (MemberId.unwrap(r.holder) != 0) revert ConsentAlreadyRecorded(id);
        // Field by field, a slot per statement: assigning the struct would write its second slot member by member,
        // a further SLOAD and SSTORE each. `revokedAt` stays 0, as the record is new.
        r.borrowerKey = input.borrowerKey;
        (r.holder, r.purpose, r.expiresAt, r.covered) = (holder, input.purpose, input.expiresAt, covered);
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
        Record storage r = _consents[id];
        MemberId holder = r.holder;
        if (MemberId.unwrap(holder) == 0) revert ConsentUnknown(id);
        if (
            MemberId.unwrap(by) == 0 ||
            (MemberId.unwrap(by) != MemberId.unwrap(holder) &&
                !RegistryCalls.activeInRole(memberRegistry, msg.sender, Role.Regulator))
        ) {
            revert ConsentRevokeUnauthorized(id, msg.sender, by);
        }
        if (r.revokedAt != 0) revert ConsentRevokedAt(id, r.revokedAt);
        r.revokedAt = uint40(block.timestamp);
        emit ConsentRevoked(id, r.borrowerKey, by, reason);
    }

    /// @inheritdoc IConsentBook
    function requireConsent(ConsentId id, bytes32 borrowerKey, MemberId member, ConsentPurpose purpose) external view {
        Record memory r = _consents[id];
        if (MemberId.unwrap(r.holder) == 0) revert ConsentUnknown(id);
        if (r.revokedAt != 0) revert ConsentRevokedAt(id, r.revokedAt);
        if (block.timestamp >= r.expiresAt) revert ConsentExpired(id, r.expiresAt, block.timestamp);
        if (r.borrowerKey != borrowerKey) revert ConsentBorrowerMismatch(id, r.borrowerKey, borrowerKey);
        if (!_covers(r, member)) revert ConsentMemberNotCovered(id, member);
        if (r.purpose != purpose) revert ConsentPurposeMismatch(id, r.purpose, purpose);
        // Another member relies on the holder's word: only while the holder is an active member.
        if (MemberId.unwrap(member) != MemberId.unwrap(r.holder)) {
            MemberStatus status = RegistryCalls.statusOf(memberRegistry, r.holder);
            if (status != MemberStatus.Active) revert ConsentHolderInactive(id, r.holder, status);
        }
    }

    /// @inheritdoc IConsentBook
    function consentId(MemberId holder, bytes32 documentHash) public pure returns (ConsentId) {
        return ConsentId.wrap(keccak256(abi.encode(holder, documentHash)));
    }

    /// @inheritdoc IConsentBook
    function getConsent(ConsentId id) external view returns (Consent memory c) {
        Record memory r = _consents[id];
        uint256 n;
        while (n < MAX_COVERED && (r.covered >> (32 * n)) & _MEMBER_MASK != 0) ++n;
        MemberId[] memory covered = new MemberId[](n);
        for (uint256 i; i < n; ++i) covered[i] = MemberId.wrap(uint32(r.covered >> (32 * i)));
        c = Consent({
            borrowerKey: r.borrowerKey,
            holder: r.holder,
            purpose: r.purpose,
            expiresAt: r.expiresAt,
            revokedAt: r.revokedAt,
            covered: covered
        });
    }

    function _covers(Record memory r, MemberId member) private pure returns (bool) {
        uint256 m = MemberId.unwrap(member);
        if (m == MemberId.unwrap(r.holder)) return true;
        for (uint256 i; i < MAX_COVERED; ++i) {
            uint256 other = (r.covered >> (32 * i)) & _MEMBER_MASK;
            if (other == 0) return false;
            if (other == m) return true;
        }
        return false;
    }
}
