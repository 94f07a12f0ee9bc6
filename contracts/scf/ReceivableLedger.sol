// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {CreditReporter} from "../access/CreditReporter.sol";
import {EmergencyPause} from "../access/EmergencyPause.sol";
import {MemberGated} from "../access/MemberGated.sol";
import {MemberPayouts} from "../access/MemberPayouts.sol";
import {ICreditModuleReports} from "../interfaces/ICreditModuleReports.sol";
import {ICreditRegistry, ProductKind} from "../interfaces/ICreditRegistry.sol";
import {IMemberRegistry, MemberId, Role} from "../interfaces/IMemberRegistry.sol";
import {FamilyState, IReceivableLedger, PieceState, ReceivableId} from "../interfaces/IReceivableLedger.sol";
import {ISettlementToken} from "../interfaces/ISettlementToken.sol";
import {DiscountMath} from "../libraries/DiscountMath.sol";

/// @title ReceivableLedger
/// @notice Supply-chain finance on confirmed receivables. See {IReceivableLedger}.
/// @dev A piece is one storage slot; the terms its family shares (debtor, token, maturity, face, payment, agreed grace
///      and penalty) are two slots keyed by the family number, which the piece id carries in its upper bits. A split
///      keeps the piece's id for its first part and creates only the others, so splitting in two writes one new slot.
///      Holders, pledgees and debtors are member ids: any current operator of the member acts for it, and every payout
///      goes through {MemberPayouts} to the member's payout account at payment time. Deadlines (maturity, grace,
///      penalty days) are kept on the active clock of {EmergencyPause}: paused time never runs against the debtor.
///      Credit reports go through {CreditReporter}: the registry never decides whether money moves.
contract ReceivableLedger is
    IReceivableLedger,
    MemberGated,
    EmergencyPause,
    MemberPayouts,
    CreditReporter,
    EIP712,
    Nonces,
    ReentrancyGuardTransient
{
    using SafeERC20 for IERC20;

    /// @notice Most invoices one receivable may carry.
    uint256 public constant MAX_INVOICES = 16;
    /// @notice Most parts one split may produce.
    uint256 public constant MAX_SPLIT = 16;

    /// @notice EIP-712 type of a core enterprise's confirmation of a requested root.
    bytes32 public constant CONFIRMATION_TYPEHASH = keccak256(
        "Confirmation(uint64 root,uint32 holder,address token,uint64 face,uint40 maturity,"
        "uint256 nonce,uint256 deadline)"
    );
    /// @notice EIP-712 type of a financier's quote.
    bytes32 public constant QUOTE_TYPEHASH = keccak256(
        "Quote(uint64 id,uint16 rateBps,uint16 dayBase,bool recourse,uint32 seller,uint40 expiry,uint256 nonce)"
    );

    uint256 private constant _INDEX_BITS = 24;
    uint256 private constant _MAX_INDEX = (1 << _INDEX_BITS) - 1;

    /// @dev One piece in one slot (152 bits).
    struct StoredPiece {
        MemberId holder;
        uint64 face;
        uint8 tier;
        PieceState state;
        uint8 flags;
        MemberId pledgee;
    }

    /// @dev A family's terms in two slots: what the lifecycle touches first, then the token, face and grace.
    ///      `maturity` is on the active clock.
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

    uint8 private constant _FROZEN = 1;
    uint8 private constant _ENCUMBERED = 2;
    uint8 private constant _RECOURSE = 4;
    uint8 private constant _DEFAULTED = 8;

    // Packed with EmergencyPause's fields: read once per transaction.
    uint40 private _familyCount;
    uint32 private _graceSeconds;
    uint16 private _penaltyRateBps;

    mapping(ReceivableId => StoredPiece) private _pieces;
    mapping(uint256 family => StoredFamily) private _families;
    mapping(MemberId debtor => mapping(address token => CreditLine)) private _lines;
    mapping(bytes32 invoiceKey => ReceivableId) private _invoices;
    mapping(uint256 family => bytes32[]) private _requestedInvoices;
    /// @dev Of a family repaid with a penalty: face and amount collected so far (128 bits each), so that the last
    ///      piece collected takes the rounding remainder of the penalty shares and nothing is left behind.
    mapping(uint256 family => uint256 faceAndAmount) private _penaltyCollected;
    mapping(address signer => mapping(uint256 word => uint256 bits)) private _quoteNonces;

    constructor(
        IMemberRegistry registry,
        ICreditRegistry credit,
        uint32 graceSeconds,
        uint16 penaltyRateBps
    ) MemberGated(registry) CreditReporter(credit) EIP712("Tradeline ReceivableLedger", "1") {
        _setTerms(graceSeconds, penaltyRateBps);
    }

    // ─── Credit lines ───────────────────────────────────────────────────────

    /// @inheritdoc IReceivableLedger
    function chooseFinancier(address token, MemberId financier) external whenNotPaused {
        MemberId debtor = _requireRole(msg.sender, Role.CoreEnterprise);
        _assignLine(debtor, token, financier, false);
    }

    /// @inheritdoc IReceivableLedger
    function reassignCreditLine(MemberId debtor, address token, MemberId financier) external onlyGovernor {
        _assignLine(debtor, token, financier, true);
    }

    /// @inheritdoc IReceivableLedger
    function setCreditLine(MemberId debtor, address token, uint96 limit) external whenNotPaused {
        MemberId financier = _requireRole(msg.sender, Role.Financier);
        CreditLine storage line = _lineOf(debtor, token, financier);
        line.limit = limit;
        emit CreditLineSet(debtor, financier, token, limit);
    }

    /// @inheritdoc IReceivableLedger
    function freezeCreditLine(MemberId debtor, address token, bool frozen) external {
        MemberId financier = _requireRole(msg.sender, Role.Financier);
        _lineOf(debtor, token, financier).frozen = frozen;
        emit CreditLineFrozen(debtor, token, frozen);
    }

    // ─── Issue and confirm ──────────────────────────────────────────────────

    /// @inheritdoc IReceivableLedger
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
        // Checked now for early feedback, but taken only at confirmation: a request reserves nothing.
        for (uint256 i; i < invoiceKeys.length; ++i) _checkInvoice(invoiceKeys[i], invoiceKeys.length);
        _requestedInvoices[_familyNumber(root)] = invoiceKeys;
        emit ReceivableRequested(root, debtor, holder, token, face, maturity);
    }

    /// @inheritdoc IReceivableLedger
    function confirm(ReceivableId root) external whenNotPaused {
        StoredFamily storage f = _familyOf(root);
        MemberId caller = _requireRole(msg.sender, Role.CoreEnterprise);
        if (MemberId.unwrap(caller) != MemberId.unwrap(f.debtor)) revert ScfNotDebtor(f.debtor, msg.sender);
        _confirmRequest(root, f);
    }

    /// @inheritdoc IReceivableLedger
    function reject(ReceivableId root) external whenNotPaused {
        StoredFamily storage f = _requested(root);
        MemberId caller = memberRegistry.memberOf(msg.sender);
        if (
            MemberId.unwrap(caller) == 0 ||
            (MemberId.unwrap(caller) != MemberId.unwrap(f.debtor) &&
                MemberId.unwrap(caller) != MemberId.unwrap(_pieces[root].holder))
        ) revert ScfNotDebtor(f.debtor, msg.sender);
        _closeRequest(root, f, caller, FamilyState.Rejected);
    }

    /// @inheritdoc IReceivableLedger
    function lapse(ReceivableId root) external whenNotPaused {
        StoredFamily storage f = _requested(root);
        if (_activeNow() < f.maturity) revert ScfRequestNotLapsed(root, _toWall(f.maturity));
        _closeRequest(root, f, MemberId.wrap(0), FamilyState.Lapsed);
    }

    /// @inheritdoc IReceivableLedger
    function confirmWithSignature(
        ReceivableId root,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external whenNotPaused {
        if (block.timestamp > deadline) revert ScfSignatureExpired(deadline);
        StoredFamily storage f = _familyOf(root);
        StoredPiece storage p = _pieces[root];
        bytes32 digest = _hashTypedDataV4(
            keccak256(
                abi.encode(
                    CONFIRMATION_TYPEHASH,
                    ReceivableId.unwrap(root),
                    MemberId.unwrap(p.holder),
                    f.token,
                    p.face,
                    _toWall(f.maturity),
                    nonce,
                    deadline
                )
            )
        );
        address signer = ECDSA.recover(digest, signature);
        MemberId member = memberRegistry.requireRole(signer, Role.CoreEnterprise);
        if (MemberId.unwrap(member) != MemberId.unwrap(f.debtor)) revert ScfNotDebtor(f.debtor, signer);
        _useCheckedNonce(signer, nonce);
        emit ConfirmationRelayed(root, signer, nonce);
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
        (StoredPiece memory p, StoredFamily storage f) = _movable(id);
        uint256 n = faces.length;
        uint256 total;
        bool zero;
        for (uint256 i; i < n; ++i) {
            total += faces[i];
            if (faces[i] == 0) zero = true;
        }
        if (n < 2 || n > MAX_SPLIT || zero || total != p.face) revert ScfInvalidSplit(id, total, p.face);
        uint256 first = f.pieces;
        // The counter is the next index: it may reach _MAX_INDEX (2^24 - 1) but never wrap to 0.
        if (first + n - 1 > _MAX_INDEX) revert ScfTooManyPieces(_rootOf(id));
        f.pieces = uint24(first + n - 1);
        _pieces[id].face = faces[0];
        children = new ReceivableId[](n - 1);
        uint64 base = uint64(_familyNumber(id) << _INDEX_BITS);
        for (uint256 i = 1; i < n; ++i) {
            ReceivableId child = ReceivableId.wrap(base | uint64(first + i - 1));
            children[i - 1] = child;
            _pieces[child] = StoredPiece({
                holder: p.holder,
                face: faces[i],
                tier: p.tier,
                state: PieceState.Held,
                flags: 0,
                pledgee: MemberId.wrap(0)
            });
        }
        emit ReceivableSplit(id, p.holder, _rootOf(id), children[0], faces);
    }

    /// @inheritdoc IReceivableLedger
    function transfer(ReceivableId id, address to) external whenNotPaused {
        (StoredPiece memory p, ) = _movable(id);
        MemberId recipient = _recipient(to);
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

    /// @inheritdoc IReceivableLedger
    function release(ReceivableId id) external whenNotPaused {
        MemberId financier = memberRegistry.requireActive(msg.sender);
        StoredPiece storage s = _pieces[id];
        if (s.flags & _ENCUMBERED == 0 || MemberId.unwrap(s.pledgee) != MemberId.unwrap(financier)) {
            revert ScfNotFinancier(id, msg.sender);
        }
        (s.flags, s.pledgee) = (s.flags & ~_ENCUMBERED, MemberId.wrap(0));
        emit ReceivableEncumbered(id, financier, false);
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
        MemberId financier = memberRegistry.requireRole(signer, Role.Financier);
        if (MemberId.unwrap(quote.seller) != MemberId.unwrap(p.holder)) {
            revert ScfQuoteSellerMismatch(id, quote.seller, p.holder);
        }
        if (MemberId.unwrap(financier) == MemberId.unwrap(p.holder)) revert ScfSelfDealing(financier);
        _useQuoteNonce(signer, quote.nonce);
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
            _report(
                _loanRef(id),
                abi.encodeCall(
                    ICreditModuleReports.reportExposure,
                    (
                        financier,
                        p.holder,
                        _loanRef(id),
                        ProductKind.ReceivableFinance,
                        uint64(price),
                        uint24(_toWall(f.maturity) / 1 days),
                        digest
                    )
                )
            );
        }
        IERC20(token).safeTransferFrom(signer, memberRegistry.payoutAccountOf(p.holder), price);
    }

    /// @inheritdoc IReceivableLedger
    function cancelNonce(uint256 nonce) external {
        _requireRole(msg.sender, Role.Financier);
        _useQuoteNonce(msg.sender, nonce);
        emit QuoteNonceCancelled(msg.sender, nonce);
    }

    // ─── Maturity ───────────────────────────────────────────────────────────

    /// @inheritdoc IReceivableLedger
    /// @dev Open to anyone and during a pause: it only pays what is owed, and a role removal or a default never
    ///      closes it.
    function repay(ReceivableId root) external nonReentrant returns (uint256 amount) {
        StoredFamily storage f = _familyOf(root);
        FamilyState state = f.state;
        if (state != FamilyState.Confirmed && state != FamilyState.Overdue && state != FamilyState.Defaulted) {
            revert ScfInvalidFamilyState(root, state);
        }
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
        if (f.state != FamilyState.Repaid) revert ScfInvalidFamilyState(id, f.state);
        StoredPiece storage s = _pieces[id];
        StoredPiece memory p = s;
        if (p.state != PieceState.Held && p.state != PieceState.Financed) revert ScfInvalidPieceState(id, p.state);
        if (p.flags & _FROZEN != 0) revert ScfFrozen(id);
        // The piece's face plus its pro-rata share of any penalty, rounded down; the family's last piece takes the
        // remainder, so what the debtor paid is paid out in full.
        amount = p.face;
        if (f.paid > f.face) amount = _penaltyShare(id, p.face, f);
        s.state = PieceState.Collected;
        // A pledge gives the pledgee the proceeds.
        MemberId payee = p.flags & _ENCUMBERED != 0 ? p.pledgee : p.holder;
        if (p.flags & _RECOURSE != 0) {
            _report(_loanRef(id), abi.encodeCall(ICreditModuleReports.closeExposure, (_loanRef(id))));
        }
        if (p.flags & _DEFAULTED != 0) {
            _report(_defaultRef(id), abi.encodeCall(ICreditModuleReports.closeExposure, (_defaultRef(id))));
        }
        (, bool paid) = _payMember(payee, f.token, amount);
        emit ReceivableCollected(id, payee, amount, paid);
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

    /// @inheritdoc IReceivableLedger
    function markOverdue(ReceivableId root) external whenNotPaused {
        StoredFamily storage f = _familyOf(root);
        if (f.state != FamilyState.Confirmed) revert ScfInvalidFamilyState(root, f.state);
        _requireOverdue(_rootOf(root), f);
    }

    /// @inheritdoc IReceivableLedger
    /// @dev Each financier declares only its own financed piece, and reports only that piece's face: a one-unit
    ///      holder cannot speak for the family. The family is Defaulted from the first declaration until repaid.
    function declareDefault(ReceivableId id) external whenNotPaused {
        StoredFamily storage f = _familyOf(id);
        StoredPiece storage s = _pieces[id];
        StoredPiece memory p = s;
        MemberId financier = _requireRole(msg.sender, Role.Financier);
        if (p.state != PieceState.Financed || MemberId.unwrap(p.holder) != MemberId.unwrap(financier)) {
            revert ScfNotFinancier(id, msg.sender);
        }
        if (MemberId.unwrap(financier) == MemberId.unwrap(f.debtor)) revert ScfSelfDealing(financier);
        if (p.flags & _DEFAULTED != 0) revert ScfAlreadyDefaulted(id);
        _requireOverdue(_rootOf(id), f);
        (f.state, s.flags) = (FamilyState.Defaulted, p.flags | _DEFAULTED);
        emit PieceDefaulted(id, financier, p.face);
        address token = f.token;
        (bytes3 currency, bytes3 reporting) = _currencies(token);
        if (currency != reporting) {
            emit CreditReportNotInCurrency(id, token, currency);
            return;
        }
        bytes32 ref = _defaultRef(id);
        _report(
            ref,
            abi.encodeCall(
                ICreditModuleReports.reportDefault,
                (
                    financier,
                    f.debtor,
                    ref,
                    ProductKind.ReceivableFinance,
                    p.face,
                    keccak256(abi.encode(address(this), ReceivableId.unwrap(id), p.face))
                )
            )
        );
    }

    // ─── Regulator and governor ─────────────────────────────────────────────

    /// @inheritdoc IReceivableLedger
    function freeze(ReceivableId id, bool frozen, bytes32 reason) external {
        _requireRole(msg.sender, Role.Regulator);
        StoredPiece storage s = _pieces[id];
        if (s.state == PieceState.None) revert ScfUnknownReceivable(id);
        s.flags = frozen ? s.flags | _FROZEN : s.flags & ~_FROZEN;
        emit ReceivableFrozen(id, frozen, reason);
    }

    /// @inheritdoc IReceivableLedger
    function setTerms(uint32 graceSeconds, uint16 penaltyRateBps) external onlyGovernor {
        _setTerms(graceSeconds, penaltyRateBps);
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
    function invoiceUse(bytes32 invoiceKey) external view returns (ReceivableId) {
        return _invoices[invoiceKey];
    }

    /// @inheritdoc IReceivableLedger
    function priceOf(Quote calldata quote) external view returns (uint256) {
        return _price(quote, _pieces[quote.id].face, _families[_familyNumber(quote.id)].maturity);
    }

    /// @inheritdoc IReceivableLedger
    function amountDue(ReceivableId root) external view returns (uint256 amount, uint256 penalty) {
        return _amountDue(_families[_familyNumber(root)]);
    }

    /// @inheritdoc IReceivableLedger
    function nonceUsed(address signer, uint256 nonce) external view returns (bool) {
        return (_quoteNonces[signer][nonce >> 8] >> (nonce & 0xff)) & 1 == 1;
    }

    /// @notice The EIP-712 digest a financier signs for `quote`.
    function quoteDigest(Quote calldata quote) external view returns (bytes32) {
        return _hashTypedDataV4(_quoteStructHash(quote));
    }

    // ─── Internals ──────────────────────────────────────────────────────────

    /// @dev A new family in state Requested with the current terms; its invoices are not taken here.
    function _create(
        MemberId debtor,
        MemberId holder,
        address token,
        uint64 face,
        uint40 maturity,
        bytes32[] calldata invoiceKeys
    ) private returns (ReceivableId root) {
        if (face == 0) revert ScfInvalidFace();
        if (maturity <= block.timestamp) revert ScfInvalidMaturity(maturity, block.timestamp);
        if (!memberRegistry.isSettlementToken(token)) revert ScfInvalidToken(token);
        uint256 n = invoiceKeys.length;
        if (n == 0 || n > MAX_INVOICES) revert ScfInvalidInvoices(n);
        uint256 family = ++_familyCount;
        root = ReceivableId.wrap(uint64(family << _INDEX_BITS));
        _families[family] = StoredFamily({
            debtor: debtor,
            maturity: uint40(_toActive(maturity)),
            pieces: 1,
            state: FamilyState.Requested,
            penaltyRateBps: _penaltyRateBps,
            repaidAt: 0,
            paid: 0,
            token: token,
            face: face,
            graceSeconds: _graceSeconds
        });
        _pieces[root] = StoredPiece({
            holder: holder,
            face: face,
            tier: 1,
            state: PieceState.None,
            flags: 0,
            pledgee: MemberId.wrap(0)
        });
    }

    function _confirmRequest(ReceivableId root, StoredFamily storage f) private {
        uint256 family = _familyNumber(root);
        _confirm(root, f, _requestedInvoices[family]);
        delete _requestedInvoices[family];
    }

    /// @dev The one transition Requested -> Confirmed: takes the invoices and the debtor's line in the family's token.
    ///      The terms (grace, penalty) copied at creation are refreshed to the ones in force now, when it is agreed.
    function _confirm(ReceivableId root, StoredFamily storage f, bytes32[] memory invoiceKeys) private {
        if (f.state != FamilyState.Requested || ReceivableId.unwrap(root) != ReceivableId.unwrap(_rootOf(root))) {
            revert ScfInvalidFamilyState(root, f.state);
        }
        if (_activeNow() >= f.maturity) revert ScfMatured(root, uint40(_toWall(f.maturity)));
        uint256 n = invoiceKeys.length;
        for (uint256 i; i < n; ++i) {
            bytes32 key = invoiceKeys[i];
            _checkInvoice(key, n);
            _invoices[key] = root;
            emit InvoiceUsed(key, root);
        }
        CreditLine storage line = _lines[f.debtor][f.token];
        if (line.frozen) revert ScfCreditLineFrozen(f.debtor);
        uint256 wouldUse = uint256(line.used) + f.face;
        if (wouldUse > line.limit) revert ScfCreditLineExceeded(f.debtor, wouldUse, line.limit);
        line.used = uint96(wouldUse);
        (f.state, f.graceSeconds, f.penaltyRateBps) = (FamilyState.Confirmed, _graceSeconds, _penaltyRateBps);
        _pieces[root].state = PieceState.Held;
        emit ReceivableConfirmed(root, f.debtor, uint96(wouldUse));
    }

    function _checkInvoice(bytes32 key, uint256 n) private view {
        if (key == 0) revert ScfInvalidInvoices(n);
        ReceivableId existing = _invoices[key];
        if (ReceivableId.unwrap(existing) != 0) revert ScfInvoiceAlreadyUsed(key, existing);
    }

    function _requested(ReceivableId root) private view returns (StoredFamily storage f) {
        f = _familyOf(root);
        if (f.state != FamilyState.Requested) revert ScfInvalidFamilyState(root, f.state);
    }

    function _closeRequest(ReceivableId root, StoredFamily storage f, MemberId by, FamilyState state) private {
        f.state = state;
        delete _requestedInvoices[_familyNumber(root)];
        emit RequestClosed(root, by, state);
    }

    /// @dev The one transition Confirmed -> Overdue, once maturity plus the family's agreed grace passed on the
    ///      active clock; a family already Overdue or Defaulted passes.
    function _requireOverdue(ReceivableId root, StoredFamily storage f) private {
        FamilyState state = f.state;
        if (state == FamilyState.Overdue || state == FamilyState.Defaulted) return;
        if (state != FamilyState.Confirmed) revert ScfInvalidFamilyState(root, state);
        uint256 dueAt = uint256(f.maturity) + f.graceSeconds;
        if (_activeNow() <= dueAt) revert ScfNotOverdue(root, _toWall(dueAt));
        f.state = FamilyState.Overdue;
        emit FamilyOverdue(root, f.debtor);
    }

    /// @dev Piece `id` as its holder may move it: held (not financed or collected), confirmed, before maturity, not
    ///      frozen or pledged, and the caller an operator of the holding member, which is active.
    function _movable(ReceivableId id) private view returns (StoredPiece memory p, StoredFamily storage f) {
        f = _familyOf(id);
        p = _pieces[id];
        if (p.state != PieceState.Held) revert ScfInvalidPieceState(id, p.state);
        if (f.state != FamilyState.Confirmed) revert ScfInvalidFamilyState(id, f.state);
        if (_activeNow() >= f.maturity) revert ScfMatured(id, uint40(_toWall(f.maturity)));
        if (p.flags & _FROZEN != 0) revert ScfFrozen(id);
        if (p.flags & _ENCUMBERED != 0) revert ScfEncumbered(id);
        if (MemberId.unwrap(memberRegistry.requireActive(msg.sender)) != MemberId.unwrap(p.holder)) {
            revert ScfNotHolder(id, msg.sender);
        }
    }

    function _familyOf(ReceivableId id) private view returns (StoredFamily storage f) {
        f = _families[_familyNumber(id)];
        if (f.state == FamilyState.None || ReceivableId.unwrap(id) & _MAX_INDEX >= f.pieces) {
            revert ScfUnknownReceivable(id);
        }
    }

    /// @dev The member of supplier operator `to`, which must be active and hold the Supplier role.
    function _recipient(address to) private view returns (MemberId) {
        if (!memberRegistry.hasRole(to, Role.Supplier)) revert ScfInvalidRecipient(to);
        return memberRegistry.memberOf(to);
    }

    function _requireMemberRole(MemberId member, Role role) private view {
        if (!memberRegistry.hasMemberRole(member, role)) {
            revert IMemberRegistry.MemberMissingRole(memberRegistry.getMember(member).admin, member, role);
        }
    }

    function _assignLine(MemberId debtor, address token, MemberId financier, bool byGovernor) private {
        if (!memberRegistry.isSettlementToken(token)) revert ScfInvalidToken(token);
        _requireMemberRole(financier, Role.Financier);
        if (MemberId.unwrap(financier) == MemberId.unwrap(debtor)) revert ScfSelfDealing(financier);
        CreditLine storage line = _lines[debtor][token];
        // A new bank starts from no limit; a freeze stays until a bank lifts it, so a debtor cannot escape its
        // bank's freeze by choosing another (only the governor's reassignment clears it).
        (line.financier, line.limit) = (financier, 0);
        if (byGovernor) line.frozen = false;
        emit CreditLineAssigned(debtor, token, financier, byGovernor);
    }

    /// @dev `debtor`'s `token` line, which `financier` may change only if the debtor chose it (or the governor
    ///      assigned it).
    function _lineOf(
        MemberId debtor,
        address token,
        MemberId financier
    ) private view returns (CreditLine storage line) {
        line = _lines[debtor][token];
        MemberId holder = line.financier;
        if (MemberId.unwrap(holder) != MemberId.unwrap(financier)) {
            revert ScfCreditLineNotYours(debtor, financier, holder);
        }
    }

    function _currencies(address token) private view returns (bytes3 currency, bytes3 reporting) {
        return (ISettlementToken(token).currency(), creditRegistry.reportingCurrency());
    }

    function _useQuoteNonce(address signer, uint256 nonce) private {
        uint256 bit = 1 << (nonce & 0xff);
        uint256 word = _quoteNonces[signer][nonce >> 8];
        if (word & bit != 0) revert ScfNonceUsed(signer, nonce);
        _quoteNonces[signer][nonce >> 8] = word | bit;
    }

    /// @dev `maturity` is on the active clock, as is "now": a pause does not eat discount days.
    function _price(Quote calldata quote, uint64 face, uint40 maturity) private view returns (uint256 price) {
        if (quote.dayBase != 360 && quote.dayBase != 365) revert ScfInvalidQuote(quote.rateBps, quote.dayBase);
        price = DiscountMath.discountedPrice(
            face,
            quote.rateBps,
            DiscountMath.daysBetween(_activeNow(), maturity),
            quote.dayBase
        );
        if (price == 0) revert ScfInvalidQuote(quote.rateBps, quote.dayBase);
    }

    /// @dev Penalty interest at the family's agreed rate, per completed day after maturity on the active clock:
    ///      paying on the maturity day costs nothing extra, and paused days never count.
    function _amountDue(StoredFamily storage f) private view returns (uint256 amount, uint256 penalty) {
        uint256 late = DiscountMath.completedDays(f.maturity, _activeNow());
        penalty = DiscountMath.penalty(f.face, f.penaltyRateBps, late);
        amount = f.face + penalty;
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

    function _setTerms(uint32 graceSeconds, uint16 penaltyRateBps) private {
        if (penaltyRateBps > DiscountMath.BPS) revert ScfInvalidTerms(penaltyRateBps);
        (_graceSeconds, _penaltyRateBps) = (graceSeconds, penaltyRateBps);
        emit TermsUpdated(graceSeconds, penaltyRateBps);
    }

    function _familyNumber(ReceivableId id) private pure returns (uint256) {
        return ReceivableId.unwrap(id) >> _INDEX_BITS;
    }

    function _rootOf(ReceivableId id) private pure returns (ReceivableId) {
        return ReceivableId.wrap(uint64(_familyNumber(id) << _INDEX_BITS));
    }

    /// @dev The credit registry reference of the default a financier declared on piece `id` (the top bit set).
    function _defaultRef(ReceivableId id) private pure returns (bytes32) {
        return bytes32(uint256(ReceivableId.unwrap(id)) | (1 << 255));
    }

    /// @dev The credit registry reference of a piece's recourse exposure.
    function _loanRef(ReceivableId id) private pure returns (bytes32) {
        return bytes32(uint256(ReceivableId.unwrap(id)));
    }
}
