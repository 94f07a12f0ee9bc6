// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {RegistryCalls} from "../libraries/RegistryCalls.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {CreditReporter} from "../access/CreditReporter.sol";
import {EmergencyPause} from "../access/EmergencyPause.sol";
import {MemberGated} from "../access/MemberGated.sol";
import {MemberPayouts} from "../access/MemberPayouts.sol";
import {ICreditRegistry} from "../interfaces/ICreditRegistry.sol";
import {IMemberRegistry, MemberId, Role} from "../interfaces/IMemberRegistry.sol";
import {FamilyState, IReceivableLedgerTypes, PieceState, ReceivableId} from "../interfaces/IReceivableLedger.sol";
import {ISettlementToken} from "../interfaces/ISettlementToken.sol";
import {DiscountMath} from "../libraries/DiscountMath.sol";
import {UnorderedNonces} from "../libraries/UnorderedNonces.sol";

/// @title ReceivableLedgerBase
/// @notice The storage and shared internals of {ReceivableLedger} and {ReceivableLedgerCold}, which runs the ledger's
///         less frequent operations by DELEGATECALL on the ledger's storage: both inherit this one layout.
/// @dev Storage layout (test/scf/ReceivableLedger.layout.test.ts reads it back from a deployed ledger):
///      - slots 0 to 5: {MemberPayouts} (2 mappings), {CreditReporter} (2 mappings) and {EIP712}'s fallback strings
///        (2);
///      - slot 6: {EmergencyPause}'s `_pausedAt`, `_pausedTotal`, `_pausedByGovernor` (88 bits), then `_familyCount`,
///        `_graceSeconds`, `_penaltyRateBps` (88 bits): {EmergencyPause} is the last base with storage, so the ledger's
///        fields pack with it, and `whenNotPaused` warms the slot that creating a family reads;
///      - from slot 7 the ledger's mappings. A piece is one slot (`StoredPiece`, 152 bits); a family's terms are two
///        slots (`StoredFamily`: 256 bits of what the lifecycle touches, then the token, face and grace, 256 bits); a
///        credit line is one slot (232 bits).
abstract contract ReceivableLedgerBase is
    IReceivableLedgerTypes,
    MemberGated,
    MemberPayouts,
    CreditReporter,
    EIP712,
    ReentrancyGuardTransient,
    EmergencyPause
{
    using UnorderedNonces for UnorderedNonces.Bitmap;

    /// @notice Most invoices one receivable may carry.
    uint256 public constant MAX_INVOICES = 16;
    /// @notice Most parts one split may produce.
    uint256 public constant MAX_SPLIT = 16;

    /// @notice EIP-712 type of a core enterprise's confirmation of a requested root.
    bytes32 public constant CONFIRMATION_TYPEHASH = keccak256(
        "Confirmation(uint64 root,uint32 holder,address token,uint64 face,uint40 activeMaturity,"
        "uint32 graceSeconds,uint16 penaltyRateBps,uint256 nonce,uint256 deadline)"
    );
    /// @notice EIP-712 type of a financier's quote.
    bytes32 public constant QUOTE_TYPEHASH = keccak256(
        "Quote(uint64 id,uint16 rateBps,uint16 dayBase,bool recourse,uint32 seller,uint40 expiry,uint256 nonce)"
    );

    uint256 internal constant _INDEX_BITS = 24;
    uint256 internal constant _MAX_INDEX = (1 << _INDEX_BITS) - 1;

    /// @dev One piece in one slot (152 bits).
    struct StoredPiece {
        MemberId holder;
        uint64 face;
        uint8 tier;
        PieceState state;
        uint8 flags;
        MemberId pledgee;
    }

    /// @dev A family's terms in two slots: what the lifecycle touches first (256 bits), then the token, face and
    ///      grace (256 bits). `maturity` is on the active clock.
    struct StoredFamily {
        MemberId debtor;
        uint40 maturity;
        uint24 pieces;
        FamilyState state;
        uint16 penaltyRateBps;
        uint40 repaidAt;
        uint96 paid;
        address token;
        uint64 face;
        uint32 graceSeconds;
    }

    uint8 internal constant _FROZEN = 1;
    uint8 internal constant _ENCUMBERED = 2;
    uint8 internal constant _RECOURSE = 4;
    uint8 internal constant _DEFAULTED = 8;
    /// @dev The piece's default went to the credit registry (its family's token is in the reporting currency), so
    ///      collecting the piece closes that record; a default in another currency was never reported.
    uint8 internal constant _DEFAULT_REPORTED = 16;
    /// @dev The financier declared the seller's recourse in default (`defaultRecourse`).
    uint8 internal constant _RECOURSE_DEFAULTED = 32;

    /// @dev Bitmaps of family states for {_expectFamilyState}: bit `1 << uint8(state)` per allowed state.
    uint256 internal constant _REQUESTED = 1 << uint8(FamilyState.Requested);
    uint256 internal constant _CONFIRMED = 1 << uint8(FamilyState.Confirmed);
    uint256 internal constant _OVERDUE = 1 << uint8(FamilyState.Overdue);
    uint256 internal constant _REPAID = 1 << uint8(FamilyState.Repaid);
    uint256 internal constant _DEFAULTED_FAMILY = 1 << uint8(FamilyState.Defaulted);
    /// @dev Bitmaps of piece states for {_expectPieceState}.
    uint256 internal constant _HELD = 1 << uint8(PieceState.Held);
    uint256 internal constant _FINANCED = 1 << uint8(PieceState.Financed);

    // Packed with EmergencyPause's fields in slot 7 (see the layout above): read once per transaction.
    uint40 internal _familyCount;
    uint32 internal _graceSeconds;
    uint16 internal _penaltyRateBps;

    mapping(ReceivableId => StoredPiece) internal _pieces;
    mapping(uint256 family => StoredFamily) internal _families;
    mapping(MemberId debtor => mapping(address token => CreditLine)) internal _lines;
    /// @dev Per debtor: a debtor's invoice keys name it (HMAC over its entity key), so another debtor's use of the
    ///      same key never takes it (adversarial review 4, A3).
    mapping(MemberId debtor => mapping(bytes32 invoiceKey => ReceivableId)) internal _invoices;
    mapping(uint256 family => bytes32[]) internal _requestedInvoices;
    /// @dev Of a family repaid with a penalty: face and amount collected so far (128 bits each), so that the last
    ///      piece collected takes the rounding remainder of the penalty shares and nothing is left behind.
    mapping(uint256 family => uint256 faceAndAmount) internal _penaltyCollected;
    /// @dev Each key's signature nonces, for its quotes and its confirmations alike: unordered, so that independent
    ///      signatures (a debtor's confirmations of several suppliers' requests) never void each other.
    mapping(address signer => UnorderedNonces.Bitmap) internal _signatureNonces;

    constructor(
        IMemberRegistry registry,
        ICreditRegistry credit
    ) MemberGated(registry) CreditReporter(credit) EIP712("Tradeline ReceivableLedger", "1") {}

    // ─── State machine ──────────────────────────────────────────────────────

    /// @dev The one check of a family's state: reverts unless `current` is in `expected` (a bitmap of states).
    function _expectFamilyState(ReceivableId id, FamilyState current, uint256 expected) internal pure {
        if ((1 << uint8(current)) & expected == 0) {
            revert ScfUnexpectedFamilyState(id, current, bytes32(expected));
        }
    }

    /// @dev The one check of a piece's state: reverts unless `current` is in `expected` (a bitmap of states).
    function _expectPieceState(ReceivableId id, PieceState current, uint256 expected) internal pure {
        if ((1 << uint8(current)) & expected == 0) {
            revert ScfUnexpectedPieceState(id, current, bytes32(expected));
        }
    }

    // ─── Shared internals ───────────────────────────────────────────────────

    /// @dev A new family in state Requested with the current terms; its invoices are not taken here.
    function _create(
        MemberId debtor,
        MemberId holder,
        address token,
        uint64 face,
        uint40 maturity,
        bytes32[] calldata invoiceKeys
    ) internal returns (ReceivableId root) {
        if (face == 0) revert ScfInvalidFace();
        if (maturity <= block.timestamp) revert ScfInvalidMaturity(maturity, block.timestamp);
        if (!RegistryCalls.isSettlementToken(memberRegistry, token)) revert ScfInvalidToken(token);
        uint256 n = invoiceKeys.length;
        if (n == 0 || n > MAX_INVOICES) revert ScfInvalidInvoiceCount(n);
        uint256 family = ++_familyCount;
        root = ReceivableId.wrap(uint64(family << _INDEX_BITS));
        _writeNewFamily(family, debtor, uint40(_toActive(maturity)), token, face);
        _writeNewPiece(root, holder, face, 1, PieceState.None);
    }

    // ─── New records, one write per slot ────────────────────────────────────
    // Assigning a struct writes it member by member: one SLOAD and one SSTORE per member, 200 gas apiece once the
    // slot is warm. A new family or piece is written whole instead, at the bit offsets solc lays its members out at
    // (docs/storage-layout.md, pinned by test/layout/storage-layout.test.ts; test/scf/ReceivableLedger.layout.test.ts
    // reads both back slot by slot).

    uint256 private constant _PIECE_FACE_AT = 32;
    uint256 private constant _PIECE_TIER_AT = 96;
    uint256 private constant _PIECE_STATE_AT = 104;
    uint256 private constant _FAMILY_MATURITY_AT = 32;
    uint256 private constant _FAMILY_PIECES_AT = 72;
    uint256 private constant _FAMILY_STATE_AT = 96;
    uint256 private constant _FAMILY_PENALTY_AT = 104;
    uint256 private constant _FAMILY_FACE_AT = 160;
    uint256 private constant _FAMILY_GRACE_AT = 224;

    /// @dev Writes family `family`, which must not exist, as {StoredFamily}: Requested, one piece, the ledger's
    ///      current terms, nothing repaid.
    function _writeNewFamily(uint256 family, MemberId debtor, uint40 maturity, address token, uint64 face) private {
        StoredFamily storage f = _families[family];
        uint256 first =
            uint256(MemberId.unwrap(debtor)) |
                (uint256(maturity) << _FAMILY_MATURITY_AT) |
                (1 << _FAMILY_PIECES_AT) |
                (uint256(uint8(FamilyState.Requested)) << _FAMILY_STATE_AT) |
                (uint256(_penaltyRateBps) << _FAMILY_PENALTY_AT);
        uint256 second =
            uint256(uint160(token)) | (uint256(face) << _FAMILY_FACE_AT) | (uint256(_graceSeconds) << _FAMILY_GRACE_AT);
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            sstore(f.slot, first)
            sstore(add(f.slot, 1), second)
        }
    }

    /// @dev Writes piece `id`, which must not exist, as {StoredPiece}: `holder`'s, `face` at `tier` in `state`, with
    ///      no flags and no pledgee.
    function _writeNewPiece(ReceivableId id, MemberId holder, uint64 face, uint8 tier, PieceState state) internal {
        StoredPiece storage s = _pieces[id];
        uint256 word =
            uint256(MemberId.unwrap(holder)) |
                (uint256(face) << _PIECE_FACE_AT) |
                (uint256(tier) << _PIECE_TIER_AT) |
                (uint256(uint8(state)) << _PIECE_STATE_AT);
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            sstore(s.slot, word)
        }
    }

    function _confirmRequest(ReceivableId root, StoredFamily storage f) internal {
        uint256 family = _familyNumber(root);
        _confirm(root, f, _requestedInvoices[family]);
        delete _requestedInvoices[family];
    }

    /// @dev The one transition Requested -> Confirmed: takes the invoices and the debtor's line in the family's token.
    ///      The terms (grace, penalty) copied at creation are refreshed to the ones in force now, when it is agreed.
    ///      A Requested family has only its root (index 0), which {_familyOf} checked.
    function _confirm(ReceivableId root, StoredFamily storage f, bytes32[] memory invoiceKeys) internal {
        _expectFamilyState(root, f.state, _REQUESTED);
        if (_activeNow() >= f.maturity) revert ScfMatured(root, uint40(_toWall(f.maturity)));
        uint256 n = invoiceKeys.length;
        MemberId debtor = f.debtor;
        mapping(bytes32 => ReceivableId) storage used = _invoices[debtor];
        for (uint256 i; i < n; ++i) {
            bytes32 key = invoiceKeys[i];
            // Taken by this family already: the list names it twice (review 32, B2).
            if (ReceivableId.unwrap(used[key]) == ReceivableId.unwrap(root)) revert ScfInvoiceRepeated(key, i);
            _checkInvoice(used, key, i);
            used[key] = root;
            emit InvoiceUsed(key, root);
        }
        CreditLine storage line = _lines[debtor][f.token];
        if (line.frozen) revert ScfCreditLineFrozen(f.debtor);
        uint256 wouldUse = uint256(line.used) + f.face;
        if (wouldUse > line.limit) revert ScfCreditLineExceeded(f.debtor, wouldUse, line.limit);
        line.used = uint96(wouldUse);
        (f.state, f.graceSeconds, f.penaltyRateBps) = (FamilyState.Confirmed, _graceSeconds, _penaltyRateBps);
        _pieces[root].state = PieceState.Held;
        emit ReceivableConfirmed(root, f.debtor, uint96(wouldUse));
    }

    /// @dev Invoice key number `index` is non-zero and backs no receivable of its debtor yet (`used`: the debtor's
    ///      entry of `_invoices`).
    function _checkInvoice(mapping(bytes32 => ReceivableId) storage used, bytes32 key, uint256 index) internal view {
        if (key == 0) revert ScfZeroInvoiceKey(index);
        ReceivableId existing = used[key];
        if (ReceivableId.unwrap(existing) != 0) revert ScfInvoiceAlreadyUsed(key, existing);
    }

    function _familyOf(ReceivableId id) internal view returns (StoredFamily storage f) {
        f = _families[_familyNumber(id)];
        if (f.state == FamilyState.None || ReceivableId.unwrap(id) & _MAX_INDEX >= f.pieces) {
            revert ScfUnknownReceivable(id);
        }
    }

    /// @dev Member `member` is active and holds `role`, or the registry's `MemberMissingRole` names it.
    function _requireMemberRole(MemberId member, Role role) internal view {
        if (!_memberHasRole(member, role)) {
            revert IMemberRegistry.MemberMissingRole(memberRegistry.getMember(member).admin, member, role);
        }
    }

    function _currencies(address token) internal view returns (bytes3 currency, bytes3 reporting) {
        return (ISettlementToken(token).currency(), creditRegistry.reportingCurrency());
    }

    /// @dev `debtor`'s `token` line, which `financier` may change only if the debtor chose it (or the governor
    ///      assigned it).
    function _lineOf(
        MemberId debtor,
        address token,
        MemberId financier
    ) internal view returns (CreditLine storage line) {
        line = _lines[debtor][token];
        MemberId holder = line.financier;
        if (MemberId.unwrap(holder) != MemberId.unwrap(financier)) {
            revert ScfCreditLineNotYours(debtor, financier, holder);
        }
    }

    /// @dev Spends signature nonce `nonce` of `signer` (a quote, a confirmation, or its cancellation).
    function _useSignatureNonce(address signer, uint256 nonce) internal {
        if (!_signatureNonces[signer].use(nonce)) revert ScfNonceUsed(signer, nonce);
    }

    /// @dev The one transition Confirmed -> Overdue, once maturity plus the family's agreed grace passed on the
    ///      active clock; a family already Overdue or Defaulted passes.
    function _requireOverdue(ReceivableId root, StoredFamily storage f) internal {
        FamilyState state = f.state;
        _expectFamilyState(root, state, _CONFIRMED | _OVERDUE | _DEFAULTED_FAMILY);
        if (state != FamilyState.Confirmed) return;
        uint256 dueAt = uint256(f.maturity) + f.graceSeconds;
        if (_activeNow() <= dueAt) revert ScfNotOverdue(root, _toWall(dueAt));
        f.state = FamilyState.Overdue;
        emit FamilyOverdue(root, f.debtor);
    }

    function _setTerms(uint32 graceSeconds, uint16 penaltyRateBps) internal {
        if (penaltyRateBps > DiscountMath.BPS) revert ScfInvalidTerms(penaltyRateBps);
        (_graceSeconds, _penaltyRateBps) = (graceSeconds, penaltyRateBps);
        emit TermsUpdated(graceSeconds, penaltyRateBps);
    }

    function _familyNumber(ReceivableId id) internal pure returns (uint256) {
        return ReceivableId.unwrap(id) >> _INDEX_BITS;
    }

    function _rootOf(ReceivableId id) internal pure returns (ReceivableId) {
        return ReceivableId.wrap(uint64(_familyNumber(id) << _INDEX_BITS));
    }

    /// @dev The credit registry reference of the defaults `financier` declared on the pieces it holds of the family
    ///      of piece `id` (the top bit set, the financier above the root's 64 bits): one record per family and
    ///      financier, however many of its pieces it declares (review 4, A1), which the registry adds up.
    function _defaultRef(ReceivableId id, MemberId financier) internal pure returns (bytes32) {
        return
            bytes32(
                uint256(ReceivableId.unwrap(_rootOf(id))) | (uint256(MemberId.unwrap(financier)) << 64) | (1 << 255)
            );
    }

    /// @dev The credit registry reference of a piece's recourse exposure.
    function _loanRef(ReceivableId id) internal pure returns (bytes32) {
        return bytes32(uint256(ReceivableId.unwrap(id)));
    }
}
