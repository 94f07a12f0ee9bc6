// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {MemberGated} from "../access/MemberGated.sol";
import {ICreditModuleReports} from "../interfaces/ICreditModuleReports.sol";
import {ICreditRegistry, LoanStatus, ProductKind} from "../interfaces/ICreditRegistry.sol";
import {IMemberRegistry, MemberId, MemberStatus, Role} from "../interfaces/IMemberRegistry.sol";
import {FamilyState, IReceivableLedger, PieceState, ReceivableId} from "../interfaces/IReceivableLedger.sol";
import {DiscountMath} from "../libraries/DiscountMath.sol";

/// @title ReceivableLedger
/// @notice Supply-chain finance on confirmed receivables. See {IReceivableLedger}.
/// @dev A piece is one storage slot; the terms its family shares (debtor, token, maturity, face, payment) are two
///      slots keyed by the family number, which the piece id carries in its upper bits. A split keeps the piece's
///      id for its first part and creates only the others, so splitting in two writes one new slot.
contract ReceivableLedger is IReceivableLedger, MemberGated, Pausable, EIP712, Nonces, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Most invoices one receivable may carry.
    uint256 public constant MAX_INVOICES = 16;
    /// @notice Most parts one split may produce.
    uint256 public constant MAX_SPLIT = 16;

    /// @notice EIP-712 type of a core enterprise's confirmation of a requested root.
    bytes32 public constant CONFIRMATION_TYPEHASH = keccak256(
        "Confirmation(uint64 root,address holder,address token,uint64 face,uint40 maturity,"
        "uint256 nonce,uint256 deadline)"
    );
    /// @notice EIP-712 type of a financier's quote.
    bytes32 public constant QUOTE_TYPEHASH = keccak256(
        "Quote(uint64 id,uint16 rateBps,uint16 dayBase,bool recourse,bytes32 supplierKey,uint40 expiry,"
        "uint256 nonce)"
    );

    uint256 private constant _INDEX_BITS = 24;
    uint256 private constant _MAX_INDEX = (1 << _INDEX_BITS) - 1;

    /// @dev One piece in one slot (248 bits).
    struct StoredPiece {
        address holder;
        uint64 face;
        uint8 tier;
        PieceState state;
        uint8 flags;
    }

    /// @dev A family's terms in two slots: what the lifecycle touches first, then the token and the face.
    struct StoredFamily {
        MemberId debtor;
        uint40 maturity;
        uint24 pieces;
        FamilyState state;
        uint40 repaidAt;
        uint96 paid;
        address token;
        uint96 face;
    }

    uint8 private constant _FROZEN = 1;
    uint8 private constant _ENCUMBERED = 2;
    uint8 private constant _RECOURSE = 4;

    /// @notice The credit registry exposures and defaults are reported to (this ledger holds the Reporter role).
    ICreditRegistry public immutable creditRegistry;

    // Packed with Pausable's flag: read once per transaction.
    uint40 private _familyCount;
    uint32 private _graceSeconds;
    uint16 private _penaltyRateBps;

    mapping(ReceivableId => StoredPiece) private _pieces;
    mapping(uint256 family => StoredFamily) private _families;
    mapping(MemberId debtor => CreditLine) private _lines;
    mapping(bytes32 invoiceKey => ReceivableId) private _invoices;
    mapping(address signer => mapping(uint256 word => uint256 bits)) private _quoteNonces;
    mapping(ReceivableId => MemberId) private _pledgedTo;

    constructor(
        IMemberRegistry registry,
        ICreditRegistry credit,
        uint32 graceSeconds,
        uint16 penaltyRateBps
    ) MemberGated(registry) EIP712("Tradeline ReceivableLedger", "1") {
        creditRegistry = credit;
        _setTerms(graceSeconds, penaltyRateBps);
    }

    // ─── Credit lines ───────────────────────────────────────────────────────

    /// @inheritdoc IReceivableLedger
    function setCreditLine(MemberId debtor, uint96 limit) external whenNotPaused {
        MemberId financier = _requireRole(msg.sender, Role.Financier);
        CreditLine storage line = _lines[debtor];
        _checkLineOwner(line, debtor, financier);
        IMemberRegistry.Member memory m = memberRegistry.getMember(debtor);
        if (m.status != MemberStatus.Active || (m.roles >> uint8(Role.CoreEnterprise)) & 1 == 0) {
            revert IMemberRegistry.MemberMissingRole(m.admin, debtor, Role.CoreEnterprise);
        }
        (line.financier, line.limit) = (financier, limit);
        emit CreditLineSet(debtor, financier, limit);
    }

    /// @inheritdoc IReceivableLedger
    function freezeCreditLine(MemberId debtor, bool frozen) external {
        MemberId financier = _requireRole(msg.sender, Role.Financier);
        CreditLine storage line = _lines[debtor];
        _checkLineOwner(line, debtor, financier);
        line.frozen = frozen;
        emit CreditLineFrozen(debtor, frozen);
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
        _requireRole(msg.sender, Role.Supplier);
        IMemberRegistry.Member memory m = memberRegistry.getMember(debtor);
        if (m.status != MemberStatus.Active || (m.roles >> uint8(Role.CoreEnterprise)) & 1 == 0) {
            revert IMemberRegistry.MemberMissingRole(m.admin, debtor, Role.CoreEnterprise);
        }
        root = _create(debtor, msg.sender, token, face, maturity, invoiceKeys, FamilyState.Requested);
        emit ReceivableRequested(root, debtor, msg.sender, token, face, maturity);
    }

    /// @inheritdoc IReceivableLedger
    function confirm(ReceivableId root) external whenNotPaused {
        StoredFamily storage f = _familyOf(root);
        MemberId caller = _requireRole(msg.sender, Role.CoreEnterprise);
        if (MemberId.unwrap(caller) != MemberId.unwrap(f.debtor)) revert ScfNotDebtor(f.debtor, msg.sender);
        _confirm(root, f);
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
                    p.holder,
                    f.token,
                    p.face,
                    f.maturity,
                    nonce,
                    deadline
                )
            )
        );
        address signer = ECDSA.recover(digest, signature);
        MemberId member = memberRegistry.requireRole(signer, Role.CoreEnterprise);
        if (MemberId.unwrap(member) != MemberId.unwrap(f.debtor)) revert ScfNotDebtor(f.debtor, signer);
        _useCheckedNonce(signer, nonce);
        _confirm(root, f);
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
        _requireRecipient(supplier);
        root = _create(debtor, supplier, token, face, maturity, invoiceKeys, FamilyState.Requested);
        emit ReceivableRequested(root, debtor, supplier, token, face, maturity);
        _confirm(root, _families[_familyNumber(root)]);
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
        if (first + n - 1 > _MAX_INDEX + 1) revert ScfTooManyPieces(_rootOf(id));
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
                flags: 0
            });
        }
        emit ReceivableSplit(id, children[0], faces);
    }

    /// @inheritdoc IReceivableLedger
    function transfer(ReceivableId id, address to) external whenNotPaused {
        (StoredPiece memory p, ) = _movable(id);
        _requireRecipient(to);
        uint8 tier = p.tier + 1;
        StoredPiece storage s = _pieces[id];
        (s.holder, s.tier) = (to, tier);
        emit ReceivableTransferred(id, msg.sender, to, tier);
    }

    /// @inheritdoc IReceivableLedger
    function encumber(ReceivableId id, MemberId financier) external whenNotPaused {
        _movable(id);
        IMemberRegistry.Member memory m = memberRegistry.getMember(financier);
        if (m.status != MemberStatus.Active || (m.roles >> uint8(Role.Financier)) & 1 == 0) {
            revert IMemberRegistry.MemberMissingRole(m.admin, financier, Role.Financier);
        }
        _pieces[id].flags |= _ENCUMBERED;
        _pledgedTo[id] = financier;
        emit ReceivableEncumbered(id, financier, true);
    }

    /// @inheritdoc IReceivableLedger
    function release(ReceivableId id) external whenNotPaused {
        MemberId financier = _requireRole(msg.sender, Role.Financier);
        StoredPiece storage s = _pieces[id];
        if (s.flags & _ENCUMBERED == 0 || MemberId.unwrap(_pledgedTo[id]) != MemberId.unwrap(financier)) {
            revert ScfNotFinancier(id, msg.sender);
        }
        s.flags &= ~_ENCUMBERED;
        _pledgedTo[id] = MemberId.wrap(0);
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
        address signer = ECDSA.recover(_hashTypedDataV4(_quoteStructHash(quote)), signature);
        MemberId financier = memberRegistry.requireRole(signer, Role.Financier);
        _useQuoteNonce(signer, quote.nonce);
        price = _price(quote, p.face, f.maturity);
        if (quote.recourse && quote.supplierKey == 0) revert ScfInvalidQuote(quote.rateBps, quote.dayBase);

        StoredPiece storage s = _pieces[id];
        (s.holder, s.state) = (signer, PieceState.Financed);
        if (quote.recourse) s.flags |= _RECOURSE;
        emit ReceivableFinanced(id, msg.sender, signer, price, quote.rateBps, quote.dayBase, quote.recourse);

        if (quote.recourse) {
            ICreditModuleReports(address(creditRegistry)).reportExposure(
                financier,
                memberRegistry.memberOf(msg.sender),
                _loanRef(id),
                ProductKind.ReceivableFinance,
                uint64(price),
                uint24(f.maturity / 1 days),
                _hashTypedDataV4(_quoteStructHash(quote))
            );
        }
        IERC20(f.token).safeTransferFrom(signer, msg.sender, price);
    }

    /// @inheritdoc IReceivableLedger
    function cancelNonce(uint256 nonce) external {
        _requireRole(msg.sender, Role.Financier);
        _useQuoteNonce(msg.sender, nonce);
        emit QuoteNonceCancelled(msg.sender, nonce);
    }

    // ─── Maturity ───────────────────────────────────────────────────────────

    /// @inheritdoc IReceivableLedger
    function repay(ReceivableId root) external whenNotPaused nonReentrant returns (uint256 amount) {
        StoredFamily storage f = _familyOf(root);
        if (f.state != FamilyState.Confirmed && f.state != FamilyState.Overdue) {
            revert ScfInvalidFamilyState(root, f.state);
        }
        MemberId caller = _requireRole(msg.sender, Role.CoreEnterprise);
        if (MemberId.unwrap(caller) != MemberId.unwrap(f.debtor)) revert ScfNotDebtor(f.debtor, msg.sender);
        uint256 penalty;
        (amount, penalty) = _amountDue(f);
        (f.state, f.paid, f.repaidAt) = (FamilyState.Repaid, uint96(amount), uint40(block.timestamp));
        _lines[f.debtor].used -= f.face;
        emit FamilyRepaid(root, amount, penalty);
        IERC20(f.token).safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IReceivableLedger
    function collect(ReceivableId id) external whenNotPaused nonReentrant returns (uint256 amount) {
        StoredFamily storage f = _familyOf(id);
        if (f.state != FamilyState.Repaid) revert ScfInvalidFamilyState(id, f.state);
        StoredPiece storage s = _pieces[id];
        StoredPiece memory p = s;
        if (p.state != PieceState.Held && p.state != PieceState.Financed) revert ScfInvalidPieceState(id, p.state);
        if (p.flags & _FROZEN != 0) revert ScfFrozen(id);
        // The piece's face plus its pro-rata share of any penalty, rounded down.
        amount = p.face + (uint256(p.face) * (f.paid - f.face)) / f.face;
        s.state = PieceState.Collected;
        emit ReceivableCollected(id, p.holder, amount);
        if (p.flags & _RECOURSE != 0) creditRegistry.reportStatus(_loanRef(id), LoanStatus.Repaid);
        IERC20(f.token).safeTransfer(p.holder, amount);
    }

    /// @inheritdoc IReceivableLedger
    function markOverdue(ReceivableId root) external whenNotPaused {
        StoredFamily storage f = _familyOf(root);
        if (f.state != FamilyState.Confirmed) revert ScfInvalidFamilyState(root, f.state);
        uint256 dueAt = uint256(f.maturity) + _graceSeconds;
        if (block.timestamp <= dueAt) revert ScfNotOverdue(root, dueAt);
        f.state = FamilyState.Overdue;
        emit FamilyOverdue(root);
    }

    /// @inheritdoc IReceivableLedger
    function declareDefault(ReceivableId id, bytes32 debtorKey) external whenNotPaused {
        StoredFamily storage f = _familyOf(id);
        if (f.state != FamilyState.Overdue) revert ScfInvalidFamilyState(id, f.state);
        StoredPiece memory p = _pieces[id];
        if (p.state != PieceState.Financed || p.holder != msg.sender) revert ScfNotFinancier(id, msg.sender);
        MemberId financier = _requireRole(msg.sender, Role.Financier);
        f.state = FamilyState.Defaulted;
        emit FamilyDefaulted(_rootOf(id), financier);
        bytes32 ref = _defaultRef(_rootOf(id));
        uint24 matured = uint24(f.maturity / 1 days);
        ICreditModuleReports(address(creditRegistry)).reportDefault(
            financier,
            f.debtor,
            ref,
            ProductKind.ReceivableFinance,
            uint64(f.face),
            keccak256(abi.encode(address(this), ReceivableId.unwrap(_rootOf(id)), f.face, debtorKey, matured))
        );
        creditRegistry.reportStatus(ref, LoanStatus.Overdue);
        creditRegistry.reportStatus(ref, LoanStatus.Defaulted);
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

    /// @inheritdoc IReceivableLedger
    function pause() external onlyGovernorOrRegulator {
        _pause();
    }

    /// @inheritdoc IReceivableLedger
    function unpause() external onlyGovernorOrRegulator {
        _unpause();
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
                recourse: p.flags & _RECOURSE != 0
            });
    }

    /// @inheritdoc IReceivableLedger
    function getFamily(ReceivableId id) external view returns (Family memory) {
        StoredFamily memory f = _families[_familyNumber(id)];
        return
            Family({
                debtor: f.debtor,
                token: f.token,
                maturity: f.maturity,
                pieces: f.pieces,
                face: f.face,
                paid: f.paid,
                state: f.state,
                repaidAt: f.repaidAt
            });
    }

    /// @inheritdoc IReceivableLedger
    function creditLineOf(MemberId debtor) external view returns (CreditLine memory) {
        return _lines[debtor];
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

    function _create(
        MemberId debtor,
        address holder,
        address token,
        uint64 face,
        uint40 maturity,
        bytes32[] calldata invoiceKeys,
        FamilyState state
    ) private returns (ReceivableId root) {
        if (face == 0) revert ScfInvalidFace();
        if (maturity <= block.timestamp) revert ScfInvalidMaturity(maturity, block.timestamp);
        if (token.code.length == 0) revert ScfInvalidToken(token);
        uint256 n = invoiceKeys.length;
        if (n == 0 || n > MAX_INVOICES) revert ScfInvalidInvoices(n);
        uint256 family = ++_familyCount;
        root = ReceivableId.wrap(uint64(family << _INDEX_BITS));
        for (uint256 i; i < n; ++i) {
            bytes32 key = invoiceKeys[i];
            if (key == 0) revert ScfInvalidInvoices(n);
            ReceivableId existing = _invoices[key];
            if (ReceivableId.unwrap(existing) != 0) revert ScfInvoiceAlreadyUsed(key, existing);
            _invoices[key] = root;
            emit InvoiceUsed(key, root);
        }
        _families[family] = StoredFamily({
            debtor: debtor,
            maturity: maturity,
            pieces: 1,
            state: state,
            repaidAt: 0,
            paid: 0,
            token: token,
            face: face
        });
        _pieces[root] = StoredPiece({holder: holder, face: face, tier: 1, state: PieceState.None, flags: 0});
    }

    function _confirm(ReceivableId root, StoredFamily storage f) private {
        if (f.state != FamilyState.Requested || ReceivableId.unwrap(root) != ReceivableId.unwrap(_rootOf(root))) {
            revert ScfInvalidFamilyState(root, f.state);
        }
        if (f.maturity <= block.timestamp) revert ScfMatured(root, f.maturity);
        CreditLine storage line = _lines[f.debtor];
        if (line.frozen) revert ScfCreditLineFrozen(f.debtor);
        uint256 wouldUse = uint256(line.used) + f.face;
        if (wouldUse > line.limit) revert ScfCreditLineExceeded(f.debtor, wouldUse, line.limit);
        line.used = uint96(wouldUse);
        f.state = FamilyState.Confirmed;
        _pieces[root].state = PieceState.Held;
        emit ReceivableConfirmed(root, f.debtor, uint96(wouldUse));
    }

    /// @dev Piece `id` as its holder may move it: held (not financed or collected), confirmed, before maturity, not
    ///      frozen or pledged, and the caller its holder and an active member.
    function _movable(ReceivableId id) private view returns (StoredPiece memory p, StoredFamily storage f) {
        f = _familyOf(id);
        p = _pieces[id];
        if (p.holder != msg.sender) revert ScfNotHolder(id, msg.sender);
        if (p.state != PieceState.Held) revert ScfInvalidPieceState(id, p.state);
        if (f.state != FamilyState.Confirmed) revert ScfInvalidFamilyState(id, f.state);
        if (block.timestamp >= f.maturity) revert ScfMatured(id, f.maturity);
        if (p.flags & _FROZEN != 0) revert ScfFrozen(id);
        if (p.flags & _ENCUMBERED != 0) revert ScfEncumbered(id);
        memberRegistry.requireActive(msg.sender);
    }

    function _familyOf(ReceivableId id) private view returns (StoredFamily storage f) {
        f = _families[_familyNumber(id)];
        if (f.state == FamilyState.None || ReceivableId.unwrap(id) & _MAX_INDEX >= f.pieces) {
            revert ScfUnknownReceivable(id);
        }
    }

    function _requireRecipient(address to) private view {
        if (!memberRegistry.hasRole(to, Role.Supplier)) revert ScfInvalidRecipient(to);
    }

    function _checkLineOwner(CreditLine storage line, MemberId debtor, MemberId financier) private view {
        MemberId holder = line.financier;
        if (MemberId.unwrap(holder) != 0 && MemberId.unwrap(holder) != MemberId.unwrap(financier)) {
            revert ScfCreditLineNotYours(debtor, financier, holder);
        }
    }

    function _useQuoteNonce(address signer, uint256 nonce) private {
        uint256 bit = 1 << (nonce & 0xff);
        uint256 word = _quoteNonces[signer][nonce >> 8];
        if (word & bit != 0) revert ScfNonceUsed(signer, nonce);
        _quoteNonces[signer][nonce >> 8] = word | bit;
    }

    function _price(Quote calldata quote, uint64 face, uint40 maturity) private view returns (uint256 price) {
        if (quote.dayBase != 360 && quote.dayBase != 365) revert ScfInvalidQuote(quote.rateBps, quote.dayBase);
        price = DiscountMath.discountedPrice(
            face,
            quote.rateBps,
            DiscountMath.daysBetween(block.timestamp, maturity),
            quote.dayBase
        );
        if (price == 0) revert ScfInvalidQuote(quote.rateBps, quote.dayBase);
    }

    function _amountDue(StoredFamily storage f) private view returns (uint256 amount, uint256 penalty) {
        // Penalty interest runs per completed day after maturity: paying on the maturity day costs nothing extra.
        uint256 late = DiscountMath.completedDays(f.maturity, block.timestamp);
        penalty = DiscountMath.penalty(f.face, _penaltyRateBps, late);
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
                    q.supplierKey,
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

    /// @dev The credit registry reference of a debtor's default on family `root` (the top bit set).
    function _defaultRef(ReceivableId root) private pure returns (bytes32) {
        return bytes32(uint256(ReceivableId.unwrap(root)) | (1 << 255));
    }

    /// @dev The credit registry reference of a receivable's exposure.
    function _loanRef(ReceivableId id) private pure returns (bytes32) {
        return bytes32(uint256(ReceivableId.unwrap(id)));
    }
}
