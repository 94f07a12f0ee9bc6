// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {RegistryCalls} from "../libraries/RegistryCalls.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

import {ICreditRegistry, ProductKind} from "../interfaces/ICreditRegistry.sol";
import {IMemberRegistry, MemberId, MemberStatus, Role} from "../interfaces/IMemberRegistry.sol";
import {FamilyState, PieceState, ReceivableId} from "../interfaces/IReceivableLedger.sol";

import {ReceivableLedgerBase} from "./ReceivableLedgerBase.sol";

/// @title ReceivableLedgerCold
/// @notice The less frequent operations of {ReceivableLedger} (choosing, assigning and setting credit lines, releasing
///         a pledge, requests, their closing and relayed confirmation, default), run only by DELEGATECALL from the
///         ledger on its storage; see {IReceivableLedger} for each.
///         Called directly it acts on its own empty storage and holds nothing.
contract ReceivableLedgerCold is ReceivableLedgerBase {
    constructor(IMemberRegistry registry, ICreditRegistry credit) ReceivableLedgerBase(registry, credit) {}

    // ─── Credit lines ───────────────────────────────────────────────────────

    /// @dev See {IReceivableLedger}.
    function chooseFinancier(address token, MemberId financier) external whenNotPaused {
        MemberId debtor = _requireRole(msg.sender, Role.CoreEnterprise);
        _assignLine(debtor, token, financier, false);
    }

    /// @dev See {IReceivableLedger}.
    function reassignCreditLine(MemberId debtor, address token, MemberId financier) external onlyGovernor {
        _assignLine(debtor, token, financier, true);
    }

    /// @dev See {IReceivableLedger}.
    function setCreditLine(MemberId debtor, address token, uint96 limit) external whenNotPaused {
        // A cut is left to the line's financier also once it lost the Financier role (review 36, L1); a grant or a
        // raise asks for the role.
        MemberId financier =
            limit <= _lines[debtor][token].limit
                ? _requireActive(msg.sender)
                : _requireRole(msg.sender, Role.Financier);
        CreditLine storage line = _lineOf(debtor, token, financier);
        line.limit = limit;
        emit CreditLineSet(debtor, financier, token, limit);
    }

    // ─── Pledges ────────────────────────────────────────────────────────────

    /// @dev See {IReceivableLedger}.
    ///      Every pledge has an exit whatever becomes of its pledgee (adversarial review 13, R13-3): the pledgee's
    ///      word while it is active, as the token moves its money only then (review 15, R15-1: a suspended member's
    ///      key gave its collateral away); the governor's once the pledgee is revoked, never before, as it never
    ///      moves an active or suspended member's money. A suspended pledgee's pledge waits for either.
    function release(ReceivableId id) external whenNotPaused {
        StoredPiece storage s = _pieces[id];
        if (s.flags & _ENCUMBERED == 0) revert ScfNotEncumbered(id);
        // A collected piece keeps the record of whom its proceeds went to (adversarial review 41, S1).
        _expectPieceState(id, s.state, _HELD);
        MemberId pledgee = s.pledgee;
        if (MemberId.unwrap(RegistryCalls.memberForKey(memberRegistry, msg.sender)) == MemberId.unwrap(pledgee)) {
            _requireActive(msg.sender);
        } else if (_isGovernor(msg.sender)) {
            MemberStatus status = RegistryCalls.statusOf(memberRegistry, pledgee);
            if (status != MemberStatus.Revoked) revert ScfPledgeeNotRevoked(id, pledgee, status);
        } else {
            revert ScfNotPledgee(id, msg.sender, pledgee);
        }
        (s.flags, s.pledgee) = (s.flags & ~_ENCUMBERED, MemberId.wrap(0));
        emit ReceivableEncumbered(id, pledgee, false);
    }

    // ─── Requests ───────────────────────────────────────────────────────────

    /// @dev See {IReceivableLedger}.
    function request(
        MemberId debtor,
        address token,
        uint64 face,
        uint40 maturity,
        bytes32[] calldata invoiceKeys
    ) external whenNotPaused returns (ReceivableId root) {
        MemberId holder = _requireRole(msg.sender, Role.Supplier);
        _requireMemberRole(debtor, Role.CoreEnterprise);
        // Nobody confirms a receivable it holds itself (as `issue` refuses it too).
        if (MemberId.unwrap(holder) == MemberId.unwrap(debtor)) revert ScfSelfDealing(debtor);
        root = _create(debtor, holder, token, face, maturity, invoiceKeys);
        // Checked now for early feedback, but taken only at confirmation: a request reserves nothing. A list that
        // names an invoice twice is refused here, as `issue` refuses it, not at a confirmation that could never be
        // made (review 32, B2).
        for (uint256 i; i < invoiceKeys.length; ++i) {
            bytes32 key = invoiceKeys[i];
            for (uint256 j; j < i; ++j) if (invoiceKeys[j] == key) revert ScfInvoiceRepeated(key, i);
            _checkInvoice(_invoices[debtor], key, i);
        }
        _requestedInvoices[_familyNumber(root)] = invoiceKeys;
        emit ReceivableRequested(root, debtor, holder, token, face, maturity);
    }

    /// @dev See {IReceivableLedger}.
    function reject(ReceivableId root) external whenNotPaused {
        StoredFamily storage f = _requested(root);
        MemberId caller = RegistryCalls.memberForKey(memberRegistry, msg.sender);
        if (
            MemberId.unwrap(caller) == 0 ||
            (MemberId.unwrap(caller) != MemberId.unwrap(f.debtor) &&
                MemberId.unwrap(caller) != MemberId.unwrap(_pieces[root].holder))
        ) revert ScfNotDebtor(f.debtor, msg.sender);
        _closeRequest(root, f, caller, FamilyState.Rejected);
    }

    /// @dev See {IReceivableLedger}.
    function lapse(ReceivableId root) external whenNotPaused {
        StoredFamily storage f = _requested(root);
        if (_activeNow() < f.maturity) revert ScfRequestNotLapsed(root, _toWall(f.maturity));
        _closeRequest(root, f, MemberId.wrap(0), FamilyState.Lapsed);
    }

    /// @dev See {IReceivableLedger}.
    function confirmWithSignature(
        ReceivableId root,
        uint32 graceSeconds,
        uint16 penaltyRateBps,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external whenNotPaused {
        if (block.timestamp > deadline) revert ScfSignatureExpired(deadline);
        StoredFamily storage f = _familyOf(root);
        StoredPiece storage p = _pieces[root];
        // Run by DELEGATECALL, `address(this)` is the ledger: EIP712 builds the ledger's domain. The maturity is signed
        // on the ledger's active clock, which a pause does not move (its wall-clock time does: adversarial review 13,
        // R13-1), so a pause between signing and relaying leaves the signature good.
        bytes32 digest = _hashTypedDataV4(
            keccak256(
                abi.encode(
                    CONFIRMATION_TYPEHASH,
                    ReceivableId.unwrap(root),
                    MemberId.unwrap(p.holder),
                    f.token,
                    p.face,
                    f.maturity,
                    graceSeconds,
                    penaltyRateBps,
                    nonce,
                    deadline
                )
            )
        );
        address signer = ECDSA.recover(digest, signature);
        if (!_actsAs(signer, Role.CoreEnterprise, f.debtor)) revert ScfNotDebtor(f.debtor, signer);
        // The debtor agreed to the grace and penalty in force when it signed: relayed after the governor changed
        // them, the signature would bind it to terms it never saw (adversarial review 21, F3).
        (uint32 grace, uint16 penalty) = (_graceSeconds, _penaltyRateBps);
        if (graceSeconds != grace || penaltyRateBps != penalty) {
            revert ScfConfirmationTermsChanged(graceSeconds, penaltyRateBps, grace, penalty);
        }
        // Unordered, as a quote's: a debtor's confirmations of independent requests never void each other (F2).
        _useSignatureNonce(signer, nonce);
        emit ConfirmationRelayed(root, signer, nonce);
        _confirmRequest(root, f);
    }

    // ─── Overdue and default ────────────────────────────────────────────────

    /// @dev See {IReceivableLedger}. Each financier declares only its own financed piece, and reports only that
    ///      piece's face: a one-unit holder cannot speak for the family. The family is Defaulted from the first
    ///      declaration until repaid.
    function declareDefault(ReceivableId id) external whenNotPaused {
        StoredFamily storage f = _familyOf(id);
        StoredPiece storage s = _pieces[id];
        StoredPiece memory p = s;
        _expectPieceState(id, p.state, _FINANCED);
        // A credit report on a piece the financier holds: its word while it is active, whatever roles it holds now
        // (removing a role stops new business, not what is owed: adversarial review 13, R13-2).
        if (!_actsActiveFor(msg.sender, p.holder)) revert ScfNotFinancier(id, msg.sender);
        MemberId financier = p.holder;
        if (MemberId.unwrap(financier) == MemberId.unwrap(f.debtor)) revert ScfSelfDealing(financier);
        if (p.flags & _DEFAULTED != 0) revert ScfAlreadyDefaulted(id);
        _requireOverdue(_rootOf(id), f);
        address token = f.token;
        (bytes3 currency, bytes3 reporting) = _currencies(token);
        bool reported = currency == reporting;
        (f.state, s.flags) = (FamilyState.Defaulted, p.flags | _DEFAULTED | (reported ? _DEFAULT_REPORTED : 0));
        emit PieceDefaulted(id, financier, p.face);
        if (!reported) {
            emit CreditReportNotInCurrency(id, token, currency);
            return;
        }
        _reportDefault(
            financier,
            f.debtor,
            _defaultRef(id, financier),
            ProductKind.ReceivableFinance,
            p.face,
            keccak256(abi.encode(address(this), ReceivableId.unwrap(id), p.face))
        );
    }

    /// @dev See {IReceivableLedger}. The financier, and only it, says the seller made it whole: the twin of the trade
    ///      settlement's `closeAdvance` (adversarial review 4, A2).
    function closeRecourse(ReceivableId id) external whenNotPaused {
        (StoredPiece storage s, StoredPiece memory p) = _recourseHeld(id);
        s.flags = p.flags & ~_RECOURSE;
        emit RecourseClosed(id, p.holder);
        // Once the debtor paid, the seller owed nothing from that day: the record closes on it, as `collect` and
        // `settleCreditRecords` close it, however long the financier waits (adversarial review 28, R28-1).
        StoredFamily storage f = _familyOf(id);
        _closeExposure(_loanRef(id), f.state == FamilyState.Repaid ? uint24(f.repaidAt / 1 days) : _today());
    }

    /// @dev See {IReceivableLedger}. The financier's word, as for `closeRecourse`; the family must be overdue, as for
    ///      `declareDefault`, since the seller owes under recourse only what the debtor did not pay when due.
    function defaultRecourse(ReceivableId id) external whenNotPaused {
        (StoredPiece storage s, StoredPiece memory p) = _recourseHeld(id);
        if (p.flags & _RECOURSE_DEFAULTED != 0) revert ScfRecourseAlreadyDefaulted(id);
        _requireOverdue(_rootOf(id), _familyOf(id));
        s.flags = p.flags | _RECOURSE_DEFAULTED;
        emit RecourseDefaulted(id, p.holder);
        _defaultExposure(_loanRef(id));
    }

    /// @dev See {IReceivableLedger}. What `collect` would close, for a piece that cannot be collected now; the flags
    ///      are cleared, so its later collection closes nothing twice.
    function settleCreditRecords(ReceivableId id) external {
        StoredFamily storage f = _familyOf(id);
        _expectFamilyState(id, f.state, _REPAID);
        StoredPiece storage s = _pieces[id];
        StoredPiece memory p = s;
        _expectPieceState(id, p.state, _HELD | _FINANCED);
        uint8 open = p.flags & (_RECOURSE | _DEFAULT_REPORTED);
        if (open == 0) revert ScfNoCreditRecords(id);
        s.flags = p.flags & ~open;
        emit CreditRecordsSettled(id, open & _RECOURSE != 0, open & _DEFAULT_REPORTED != 0);
        uint24 paidOn = uint24(f.repaidAt / 1 days);
        if (open & _RECOURSE != 0) _closeExposure(_loanRef(id), paidOn);
        if (open & _DEFAULT_REPORTED != 0) _closeExposure(_defaultRef(id, p.holder), paidOn);
    }

    // ─── Internals ──────────────────────────────────────────────────────────

    /// @dev Financed piece `id`, with its recourse record open, as an active operator of the financier holding it
    ///      acts on it (`ScfNotFinancier` for anyone else, `ScfNoRecourse` without one).
    function _recourseHeld(ReceivableId id) private view returns (StoredPiece storage s, StoredPiece memory p) {
        s = _pieces[id];
        p = s;
        _expectPieceState(id, p.state, _FINANCED);
        if (!_actsActiveFor(msg.sender, p.holder)) revert ScfNotFinancier(id, msg.sender);
        if (p.flags & _RECOURSE == 0) revert ScfNoRecourse(id);
    }

    function _requested(ReceivableId root) private view returns (StoredFamily storage f) {
        f = _familyOf(root);
        _expectFamilyState(root, f.state, _REQUESTED);
    }

    function _closeRequest(ReceivableId root, StoredFamily storage f, MemberId by, FamilyState state) private {
        f.state = state;
        delete _requestedInvoices[_familyNumber(root)];
        emit RequestClosed(root, by, state);
    }

    function _assignLine(MemberId debtor, address token, MemberId financier, bool byGovernor) private {
        if (!RegistryCalls.isSettlementToken(memberRegistry, token)) revert ScfInvalidToken(token);
        _requireMemberRole(financier, Role.Financier);
        if (MemberId.unwrap(financier) == MemberId.unwrap(debtor)) revert ScfSelfDealing(financier);
        CreditLine storage line = _lines[debtor][token];
        // A new bank starts from no limit; a freeze stays until a bank lifts it, so a debtor cannot escape its
        // bank's freeze by choosing another (only the governor's reassignment clears it).
        (line.financier, line.limit) = (financier, 0);
        if (byGovernor) line.frozen = false;
        emit CreditLineAssigned(debtor, token, financier, byGovernor);
    }
}
