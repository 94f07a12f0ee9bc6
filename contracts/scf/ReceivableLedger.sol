// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {RegistryCalls} from "../libraries/RegistryCalls.sol";
import {ColdPart} from "../libraries/ColdPart.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

import {ICreditRegistry, ProductKind} from "../interfaces/ICreditRegistry.sol";
import {IMemberRegistry, MemberId, Role} from "../interfaces/IMemberRegistry.sol";
import {FamilyState, IReceivableLedger, PieceState, ReceivableId} from "../interfaces/IReceivableLedger.sol";
import {DiscountMath} from "../libraries/DiscountMath.sol";
import {UnorderedNonces} from "../libraries/UnorderedNonces.sol";

import {ReceivableLedgerBase} from "./ReceivableLedgerBase.sol";
import {ReceivableLedgerCold} from "./ReceivableLedgerCold.sol";

/// @title ReceivableLedger
/// @notice Supply-chain finance on confirmed receivables. See {IReceivableLedger}. Its less frequent operations run in
///         {ReceivableLedgerCold} by DELEGATECALL on this contract's storage (both share {ReceivableLedgerBase}).
/// @dev A piece is one storage slot; the terms its family shares (debtor, token, maturity, face, payment, agreed grace
///      and penalty) are two slots keyed by the family number, which the piece id carries in its upper bits. A split
///      keeps the piece's id for its first part and creates only the others, so splitting in two writes one new slot.
///      Holders, pledgees and debtors are member ids: any current operator of the member acts for it, and every payout
///      goes through {MemberPayouts} to the member's payout account at payment time. Deadlines (maturity, grace,
///      penalty days) are kept on the active clock of {EmergencyPause}: paused time never runs against the debtor.
///      Credit reports go through {CreditReporter}: the registry never decides whether money moves. Every family state
///      check goes through {_expectFamilyState}, every piece state check through {_expectPieceState}.
contract ReceivableLedger is IReceivableLedger, ReceivableLedgerBase {
    using SafeERC20 for IERC20;
    using UnorderedNonces for UnorderedNonces.Bitmap;

    /// @notice The part that runs the less frequent operations on this contract's storage.
    ReceivableLedgerCold public immutable cold;

    constructor(
        IMemberRegistry registry,
        ICreditRegistry credit,
        uint32 graceSeconds,
        uint16 penaltyRateBps
    ) ReceivableLedgerBase(registry, credit) {
        cold = new ReceivableLedgerCold(registry, credit);
        _setTerms(graceSeconds, penaltyRateBps);
    }

    // ─── Issue and confirm ──────────────────────────────────────────────────

    /// @inheritdoc IReceivableLedger
    function confirm(ReceivableId root) external whenNotPaused {
        StoredFamily storage f = _familyOf(root);
        if (!_actsAs(msg.sender, Role.CoreEnterprise, f.debtor)) revert ScfNotDebtor(f.debtor, msg.sender);
        _confirmRequest(root, f);
    }

    /// @inheritdoc IReceivableLedger
    function issue(
        address supplier,
        address token,
        uint64 face,
        uint40 maturity,
        bytes32[] calldata invoiceKeys
    ) external whenNotPaused returns (ReceivableId root) {
        MemberId debtor = _requireRole(msg.sender, Role.CoreEnterprise);
        MemberId holder = _recipient(supplier);
        if (MemberId.unwrap(holder) == MemberId.unwrap(debtor)) revert ScfSelfDealing(debtor);
        root = _create(debtor, holder, token, face, maturity, invoiceKeys);
        emit ReceivableRequested(root, debtor, holder, token, face, maturity);
        _confirm(root, _families[_familyNumber(root)], invoiceKeys);
    }

    // ─── Split, transfer, pledge ────────────────────────────────────────────

    /// @inheritdoc IReceivableLedger
    function split(
        ReceivableId id,
        uint64[] calldata faces
    ) external whenNotPaused returns (ReceivableId[] memory children) {
        return _split(id, faces, new address[](0));
    }

    /// @inheritdoc IReceivableLedger
    function splitTo(
        ReceivableId id,
        uint64[] calldata faces,
        address[] calldata recipients
    ) external whenNotPaused returns (ReceivableId[] memory children) {
        if (recipients.length != faces.length) {
            revert ScfSplitRecipientsMismatch(id, faces.length, recipients.length);
        }
        return _split(id, faces, recipients);
    }

    /// @inheritdoc IReceivableLedger
    function transfer(ReceivableId id, address to) external whenNotPaused {
        (StoredPiece memory p, StoredFamily storage f) = _movable(id);
        MemberId recipient = _recipient(to);
        // A hand-over to its own holder would be a tier step that never happened (review 32, B1): `splitTo` keeps
        // such a part where it is, at its tier.
        if (MemberId.unwrap(recipient) == MemberId.unwrap(p.holder)) revert ScfTransferToHolder(id, recipient);
        _notDebtor(recipient, f.debtor);
        if (p.tier == type(uint8).max) revert ScfTierExhausted(id, p.tier);
        uint8 tier = p.tier + 1;
        StoredPiece storage s = _pieces[id];
        (s.holder, s.tier) = (recipient, tier);
        emit ReceivableTransferred(id, p.holder, recipient, tier);
    }

    /// @inheritdoc IReceivableLedger
    function encumber(ReceivableId id, MemberId financier) external whenNotPaused {
        (StoredPiece memory p, ) = _movable(id);
        _requireMemberRole(financier, Role.Financier);
        if (MemberId.unwrap(financier) == MemberId.unwrap(p.holder)) revert ScfSelfDealing(financier);
        StoredPiece storage s = _pieces[id];
        (s.flags, s.pledgee) = (p.flags | _ENCUMBERED, financier);
        emit ReceivableEncumbered(id, financier, true);
    }

    // ─── Discounting ────────────────────────────────────────────────────────

    /// @inheritdoc IReceivableLedger
    function finance(
        Quote calldata quote,
        bytes calldata signature
    ) external whenNotPaused nonReentrant returns (uint256 price) {
        ReceivableId id = quote.id;
        (StoredPiece memory p, StoredFamily storage f) = _movable(id);
        if (block.timestamp > quote.expiry) revert ScfQuoteExpired(quote.expiry);
        bytes32 digest = _hashTypedDataV4(_quoteStructHash(quote));
        address signer = ECDSA.recover(digest, signature);
        MemberId financier = _requireRole(signer, Role.Financier);
        if (MemberId.unwrap(quote.seller) != MemberId.unwrap(p.holder)) {
            revert ScfQuoteSellerMismatch(id, quote.seller, p.holder);
        }
        if (MemberId.unwrap(financier) == MemberId.unwrap(p.holder)) revert ScfSelfDealing(financier);
        // A debtor may buy its own payable (an early payment), never with recourse: the seller would owe it for its
        // own non-payment, and `defaultRecourse` would book the seller's default for it (review 21, F1).
        if (quote.recourse && MemberId.unwrap(financier) == MemberId.unwrap(f.debtor)) revert ScfSelfDealing(financier);
        _useSignatureNonce(signer, quote.nonce);
        price = _price(quote, p.face, f.maturity);
        address token = f.token;

        StoredPiece storage s = _pieces[id];
        (s.holder, s.state) = (financier, PieceState.Financed);
        emit ReceivableFinanced(
            id,
            p.holder,
            financier,
            price,
            quote.rateBps,
            quote.dayBase,
            quote.recourse,
            signer,
            quote.nonce
        );

        if (quote.recourse) {
            // The registry counts one currency: recourse in another would add unlike units, so it is refused.
            (bytes3 currency, bytes3 reporting) = _currencies(token);
            if (currency != reporting) revert ScfRecourseCurrency(token, currency, reporting);
            s.flags = p.flags | _RECOURSE;
            _reportExposure(
                financier,
                p.holder,
                _loanRef(id),
                ProductKind.ReceivableFinance,
                uint64(price),
                uint24(_toWall(f.maturity) / 1 days),
                digest
            );
        }
        IERC20(token).safeTransferFrom(signer, RegistryCalls.payoutAccountFor(memberRegistry, p.holder), price);
    }

    // ─── Maturity ───────────────────────────────────────────────────────────

    /// @inheritdoc IReceivableLedger
    /// @dev Open to anyone and during a pause: it only pays what is owed, and a role removal or a default never
    ///      closes it.
    function repay(ReceivableId root) external nonReentrant returns (uint256 amount) {
        StoredFamily storage f = _familyOf(root);
        _expectFamilyState(root, f.state, _CONFIRMED | _OVERDUE | _DEFAULTED_FAMILY);
        uint256 penalty;
        (amount, penalty) = _amountDue(f);
        (f.state, f.paid, f.repaidAt) = (FamilyState.Repaid, uint96(amount), uint40(block.timestamp));
        _lines[f.debtor][f.token].used -= f.face;
        emit FamilyRepaid(root, f.debtor, amount, penalty);
        IERC20(f.token).safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IReceivableLedger
    /// @dev Open during a pause. Pays the member (or parks its share); credit reports are deferred if refused.
    function collect(ReceivableId id) external nonReentrant returns (uint256 amount) {
        StoredFamily storage f = _familyOf(id);
        _expectFamilyState(id, f.state, _REPAID);
        StoredPiece storage s = _pieces[id];
        StoredPiece memory p = s;
        _expectPieceState(id, p.state, _HELD | _FINANCED);
        if (p.flags & _FROZEN != 0) revert ScfFrozen(id);
        // The piece's face plus its pro-rata share of any penalty, rounded down; the family's last piece takes the
        // remainder, so what the debtor paid is paid out in full.
        amount = p.face;
        if (f.paid > f.face) amount = _penaltyShare(id, p.face, f);
        s.state = PieceState.Collected;
        // A pledge gives the pledgee the proceeds.
        MemberId payee = p.flags & _ENCUMBERED != 0 ? p.pledgee : p.holder;
        if (p.flags & (_RECOURSE | _DEFAULT_REPORTED) != 0) {
            // Settled the day the debtor paid, however late the piece is collected (review 12).
            uint24 paidOn = uint24(f.repaidAt / 1 days);
            if (p.flags & _RECOURSE != 0) _closeExposure(_loanRef(id), paidOn);
            if (p.flags & _DEFAULT_REPORTED != 0) _closeExposure(_defaultRef(id, p.holder), paidOn);
        }
        (, bool paid) = _payMember(payee, f.token, amount);
        emit ReceivableCollected(id, payee, amount, paid);
    }

    // ─── Overdue, terms ─────────────────────────────────────────────────────

    /// @inheritdoc IReceivableLedger
    function markOverdue(ReceivableId root) external whenNotPaused {
        StoredFamily storage f = _familyOf(root);
        _expectFamilyState(root, f.state, _CONFIRMED);
        _requireOverdue(_rootOf(root), f);
    }

    /// @inheritdoc IReceivableLedger
    function setTerms(uint32 graceSeconds, uint16 penaltyRateBps) external onlyGovernor {
        _setTerms(graceSeconds, penaltyRateBps);
    }

    // ─── Credit-line freeze, quotes and the Regulator ───────────────────────
    // Run here rather than in the cold part: its account (2,600) and the DELEGATECALL would keep each above 1.3x its
    // floor.

    /// @inheritdoc IReceivableLedger
    function freeze(ReceivableId id, bool frozen, bytes32 reason) external {
        _requireRole(msg.sender, Role.Regulator);
        StoredPiece storage s = _pieces[id];
        (PieceState state, uint8 flags) = (s.state, s.flags);
        if (state == PieceState.None) revert ScfUnknownReceivable(id);
        // A collected piece's money has left the ledger, and a freeze that changes nothing is refused (review 36, L2).
        _expectPieceState(id, state, (1 << uint8(PieceState.Held)) | (1 << uint8(PieceState.Financed)));
        if ((flags & _FROZEN != 0) == frozen) revert ScfFreezeUnchanged(id, frozen);
        s.flags = frozen ? flags | _FROZEN : flags & ~_FROZEN;
        emit ReceivableFrozen(id, frozen, reason);
    }

    /// @inheritdoc IReceivableLedger
    function freezeCreditLine(MemberId debtor, address token, bool frozen) external {
        // Freezing winds business down: left to the line's financier also once it lost the Financier role, as review 13
        // leaves a member the rest of its business (review 36, L1). Unfreezing resumes it: the role is asked.
        MemberId financier = frozen ? _requireActive(msg.sender) : _requireRole(msg.sender, Role.Financier);
        _lineOf(debtor, token, financier).frozen = frozen;
        emit CreditLineFrozen(debtor, token, frozen);
    }

    /// @inheritdoc IReceivableLedger
    function cancelNonce(uint256 nonce) external {
        // A key withdraws only what it signed itself, so no standing is asked: a suspended financier's operator, or a
        // key its member is about to remove, can still void its outstanding quotes.
        _useSignatureNonce(msg.sender, nonce);
        emit NonceCancelled(msg.sender, nonce);
    }

    // ─── Run by ReceivableLedgerCold ────────────────────────────────────────

    /// @inheritdoc IReceivableLedger
    function chooseFinancier(address, MemberId) external {
        _runCold();
    }

    /// @inheritdoc IReceivableLedger
    function reassignCreditLine(MemberId, address, MemberId) external {
        _runCold();
    }

    /// @inheritdoc IReceivableLedger
    function setCreditLine(MemberId, address, uint96) external {
        _runCold();
    }

    /// @inheritdoc IReceivableLedger
    function request(MemberId, address, uint64, uint40, bytes32[] calldata) external returns (ReceivableId) {
        _runCold();
    }

    /// @inheritdoc IReceivableLedger
    function release(ReceivableId) external {
        _runCold();
    }

    /// @inheritdoc IReceivableLedger
    function reject(ReceivableId) external {
        _runCold();
    }

    /// @inheritdoc IReceivableLedger
    function lapse(ReceivableId) external {
        _runCold();
    }

    /// @inheritdoc IReceivableLedger
    function confirmWithSignature(ReceivableId, uint32, uint16, uint256, uint256, bytes calldata) external {
        _runCold();
    }

    /// @inheritdoc IReceivableLedger
    function declareDefault(ReceivableId) external {
        _runCold();
    }

    /// @inheritdoc IReceivableLedger
    function closeRecourse(ReceivableId) external {
        _runCold();
    }

    /// @inheritdoc IReceivableLedger
    function defaultRecourse(ReceivableId) external {
        _runCold();
    }

    /// @inheritdoc IReceivableLedger
    function settleCreditRecords(ReceivableId) external {
        _runCold();
    }

    // ─── Views ──────────────────────────────────────────────────────────────

    /// @inheritdoc IReceivableLedger
    function getPiece(ReceivableId id) external view returns (Piece memory) {
        StoredPiece memory p = _pieces[id];
        return
            Piece({
                holder: p.holder,
                face: p.face,
                tier: p.tier,
                state: p.state,
                frozen: p.flags & _FROZEN != 0,
                encumbered: p.flags & _ENCUMBERED != 0,
                recourse: p.flags & _RECOURSE != 0,
                defaulted: p.flags & _DEFAULTED != 0,
                pledgee: p.pledgee
            });
    }

    /// @inheritdoc IReceivableLedger
    function getFamily(ReceivableId id) external view returns (Family memory) {
        StoredFamily memory f = _families[_familyNumber(id)];
        return
            Family({
                debtor: f.debtor,
                token: f.token,
                maturity: uint40(_toWall(f.maturity)),
                pieces: f.pieces,
                face: f.face,
                paid: f.paid,
                state: f.state,
                repaidAt: f.repaidAt,
                graceSeconds: f.graceSeconds,
                penaltyRateBps: f.penaltyRateBps
            });
    }

    /// @inheritdoc IReceivableLedger
    function creditLineOf(MemberId debtor, address token) external view returns (CreditLine memory) {
        return _lines[debtor][token];
    }

    /// @inheritdoc IReceivableLedger
    function invoiceUse(MemberId debtor, bytes32 invoiceKey) external view returns (ReceivableId) {
        return _invoices[debtor][invoiceKey];
    }

    /// @inheritdoc IReceivableLedger
    function priceOf(Quote calldata quote) external view returns (uint256) {
        return _price(quote, _pieces[quote.id].face, _families[_familyNumber(quote.id)].maturity);
    }

    /// @inheritdoc IReceivableLedger
    /// @dev Nothing outside the states `repay` takes: a request not yet confirmed, a rejected or lapsed one and a
    ///      repaid family owe nothing (adversarial review 41, S2).
    function amountDue(ReceivableId root) external view returns (uint256 amount, uint256 penalty) {
        StoredFamily storage f = _families[_familyNumber(root)];
        if ((1 << uint8(f.state)) & (_CONFIRMED | _OVERDUE | _DEFAULTED_FAMILY) != 0) return _amountDue(f);
    }

    /// @inheritdoc IReceivableLedger
    function nonceUsed(address signer, uint256 nonce) external view returns (bool) {
        return _signatureNonces[signer].isUsed(nonce);
    }

    /// @inheritdoc IReceivableLedger
    function terms() external view returns (uint32 graceSeconds, uint16 penaltyRateBps) {
        return (_graceSeconds, _penaltyRateBps);
    }

    /// @notice The EIP-712 digest a financier signs for `quote`.
    function quoteDigest(Quote calldata quote) external view returns (bytes32) {
        return _hashTypedDataV4(_quoteStructHash(quote));
    }

    // ─── Internals ──────────────────────────────────────────────────────────

    /// @dev Splits piece `id` into `faces`; part `i` goes to `recipients[i]` one tier down unless that is address(0)
    ///      or an operator of the holder (no recipients: every part stays). Each piece slot is written once.
    function _split(
        ReceivableId id,
        uint64[] calldata faces,
        address[] memory recipients
    ) private returns (ReceivableId[] memory children) {
        (StoredPiece memory p, StoredFamily storage f) = _movable(id);
        uint256 n = faces.length;
        if (n < 2 || n > MAX_SPLIT) revert ScfInvalidSplitCount(id, n);
        uint256 total;
        for (uint256 i; i < n; ++i) {
            if (faces[i] == 0) revert ScfZeroSplitFace(id, i);
            total += faces[i];
        }
        if (total != p.face) revert ScfSplitFaceMismatch(id, total, p.face);
        uint256 first = f.pieces;
        ReceivableId root = _rootOf(id);
        // The counter is the next index: it may reach _MAX_INDEX (2^24 - 1) but never wrap to 0.
        if (first + n - 1 > _MAX_INDEX) revert ScfTooManyPieces(root);
        f.pieces = uint24(first + n - 1);
        children = new ReceivableId[](n - 1);
        // `handing` when some part goes to another member (none for a plain split, whose `recipients` is empty).
        (MemberId[] memory to, bool handing) = _handedTo(recipients, p.holder, f.debtor);
        // A part handed on moves one tier down, as `transfer` moves it; a split that hands nothing on keeps the tier
        // (even 255).
        if (handing && p.tier == type(uint8).max) revert ScfTierExhausted(id, p.tier);
        uint8 nextTier = handing ? p.tier + 1 : p.tier;
        // Piece `id` keeps its slot (and its flags and pledgee, both clear as it is movable): only what changes.
        StoredPiece storage s = _pieces[id];
        if (!handing || MemberId.unwrap(to[0]) == 0) s.face = faces[0];
        else (s.holder, s.face, s.tier) = (to[0], faces[0], nextTier);
        uint64 base = uint64(_familyNumber(id) << _INDEX_BITS);
        for (uint256 i = 1; i < n; ++i) {
            ReceivableId child = ReceivableId.wrap(base | uint64(first + i - 1));
            children[i - 1] = child;
            bool handed = handing && MemberId.unwrap(to[i]) != 0;
            _writeNewPiece(child, handed ? to[i] : p.holder, faces[i], handed ? nextTier : p.tier, PieceState.Held);
        }
        emit ReceivableSplit(id, p.holder, root, children[0], faces);
        if (!handing) return children;
        for (uint256 i; i < n; ++i) {
            if (MemberId.unwrap(to[i]) == 0) continue;
            emit ReceivableTransferred(i == 0 ? id : children[i - 1], p.holder, to[i], nextTier);
        }
    }

    /// @dev The member each part goes to: 0 where it stays with `holder` (address(0) or an operator of `holder`);
    ///      `handing` when some part goes to another member.
    function _handedTo(
        address[] memory recipients,
        MemberId holder,
        MemberId debtor
    ) private view returns (MemberId[] memory to, bool handing) {
        to = new MemberId[](recipients.length);
        for (uint256 i; i < recipients.length; ++i) {
            address account = recipients[i];
            if (account == address(0)) continue;
            MemberId member = _recipientOrHolder(account, holder);
            if (MemberId.unwrap(member) != MemberId.unwrap(holder)) {
                _notDebtor(member, debtor);
                (to[i], handing) = (member, true);
            }
        }
    }

    /// @dev A piece never goes to its family's debtor, as `issue` and `request` never name it supplier: holding its
    ///      own payable, it could sell it with recourse and be booked twice for one non-payment, or raise cash on its
    ///      own IOU with no borrowing reported (adversarial review 22, R22-1).
    function _notDebtor(MemberId recipient, MemberId debtor) private pure {
        if (MemberId.unwrap(recipient) == MemberId.unwrap(debtor)) revert ScfSelfDealing(debtor);
    }

    /// @dev Piece `id` as its holder may move it: held (not financed or collected), confirmed, before maturity, not
    ///      frozen or pledged, and the caller an operator of the holding member, which is active.
    function _movable(ReceivableId id) private view returns (StoredPiece memory p, StoredFamily storage f) {
        f = _familyOf(id);
        p = _pieces[id];
        _expectPieceState(id, p.state, _HELD);
        _expectFamilyState(id, f.state, _CONFIRMED);
        if (_activeNow() >= f.maturity) revert ScfMatured(id, uint40(_toWall(f.maturity)));
        if (p.flags & _FROZEN != 0) revert ScfFrozen(id);
        if (p.flags & _ENCUMBERED != 0) revert ScfEncumbered(id);
        if (!_actsActiveFor(msg.sender, p.holder)) revert ScfNotHolder(id, msg.sender);
    }

    /// @dev The member of supplier operator `to`, which must be active and hold the Supplier role.
    function _recipient(address to) private view returns (MemberId) {
        (bool ok, MemberId member) = _supplierOf(to);
        if (!ok) revert ScfInvalidRecipient(to);
        return member;
    }

    /// @dev `holder` when `account` is one of its operators (the part stays), else the member of supplier operator
    ///      `account` as {_recipient}.
    function _recipientOrHolder(address account, MemberId holder) private view returns (MemberId) {
        (bool ok, MemberId member) = _supplierOf(account);
        if (ok) return member;
        if (MemberId.unwrap(RegistryCalls.memberForKey(memberRegistry, account)) == MemberId.unwrap(holder))
            return holder;
        revert ScfInvalidRecipient(account);
    }

    /// @dev The member of `account` if it is an operator of an active Supplier: one registry call (`requireKeyInRole`),
    ///      whose refusal (unknown account, inactive member, missing role) means "not a recipient".
    function _supplierOf(address account) private view returns (bool ok, MemberId member) {
        try memberRegistry.requireKeyInRole(account, Role.Supplier) returns (MemberId m) {
            return (true, m);
        } catch {
            return (false, MemberId.wrap(0));
        }
    }

    /// @dev `maturity` is on the active clock, as is "now": a pause does not eat discount days.
    function _price(Quote calldata quote, uint64 face, uint40 maturity) private view returns (uint256 price) {
        if (quote.dayBase != 360 && quote.dayBase != 365) revert ScfInvalidDayBase(quote.dayBase);
        uint256 days_ = DiscountMath.daysBetween(_activeNow(), maturity);
        price = DiscountMath.discountedPrice(face, quote.rateBps, days_, quote.dayBase);
        if (price == 0) revert ScfQuoteLeavesNoPrice(quote.rateBps, days_, quote.dayBase);
    }

    /// @dev Penalty interest at the family's agreed rate, per completed day after maturity on the active clock:
    ///      paying on the maturity day costs nothing extra, and paused days never count.
    ///      Active time never runs ahead of wall time, so before a full day past maturity on the wall clock no day is
    ///      late and the pause clock is not read (a repayment on time reads one cold slot less).
    function _amountDue(StoredFamily storage f) private view returns (uint256 amount, uint256 penalty) {
        uint256 maturity = f.maturity;
        if (block.timestamp >= maturity + 1 days) {
            uint256 late = DiscountMath.completedDays(maturity, _activeNow());
            penalty = DiscountMath.penalty(f.face, f.penaltyRateBps, late);
        }
        amount = f.face + penalty;
    }

    /// @dev What a piece of a family repaid with a penalty collects: its face and pro-rata penalty, rounded down,
    ///      or, for the last piece, exactly what the family's collections still lack of what the debtor paid.
    function _penaltyShare(ReceivableId id, uint64 face, StoredFamily storage f) private returns (uint256 amount) {
        uint256 family = _familyNumber(id);
        uint256 collected = _penaltyCollected[family];
        uint256 faceSoFar = (collected >> 128) + face;
        uint256 amountSoFar = uint128(collected);
        amount = faceSoFar == f.face ? f.paid - amountSoFar : face + (uint256(face) * (f.paid - f.face)) / f.face;
        _penaltyCollected[family] = (faceSoFar << 128) | (amountSoFar + amount);
    }

    function _quoteStructHash(Quote calldata q) private pure returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    QUOTE_TYPEHASH,
                    ReceivableId.unwrap(q.id),
                    q.rateBps,
                    q.dayBase,
                    q.recourse,
                    MemberId.unwrap(q.seller),
                    q.expiry,
                    q.nonce
                )
            );
    }

    /// @dev Runs this call's data in `cold` on this contract's storage and returns (or reverts) with its result.
    function _runCold() private {
        ColdPart.run(address(cold));
    }
}
