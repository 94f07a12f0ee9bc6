// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {CreditReporter} from "../access/CreditReporter.sol";
import {EmergencyPause} from "../access/EmergencyPause.sol";
import {MemberGated} from "../access/MemberGated.sol";
import {MemberPayouts} from "../access/MemberPayouts.sol";
import {ICreditModuleReports} from "../interfaces/ICreditModuleReports.sol";
import {ICreditRegistry, ProductKind} from "../interfaces/ICreditRegistry.sol";
import {IMemberRegistry, MemberId, Role} from "../interfaces/IMemberRegistry.sol";
import {EvidenceKind, ITradeSettlement, OrderId, OrderState} from "../interfaces/ITradeSettlement.sol";

/// @title TradeSettlement
/// @notice Evidence-released escrow with atomic FX. See {ITradeSettlement}.
/// @dev Storage per order: `Parties` (1 slot), `Money` (3 slots) and the packed tranches (1 slot). A tranche is paid
///      or refunded once: the `paid` bitmask is set before any token moves. Every deadline is stored in active time
///      (EmergencyPause), so a pause moves it on. Every payment to a member goes through `_payMember`: a member that
///      cannot receive (suspended, revoked, frozen) has its money parked, never blocking anybody else's. Credit
///      reports go through `_report` and never block a payment.
contract TradeSettlement is
    ITradeSettlement,
    EIP712,
    ReentrancyGuardTransient,
    MemberPayouts,
    CreditReporter,
    EmergencyPause
{
    using SafeERC20 for IERC20;

    uint256 public constant MAX_TRANCHES = 8;
    uint256 public constant MAX_FEE_BPS = 1_000;
    uint256 public constant RATE_SCALE = 1e18;

    bytes32 public constant ATTESTATION_TYPEHASH = keccak256(
        "Attestation(uint64 order,uint8 kind,bytes32 documentHash)"
    );
    bytes32 public constant FX_QUOTE_TYPEHASH = keccak256(
        "FxQuote(uint64 order,uint32 beneficiary,address sellToken,address buyToken,uint256 rate,uint96 maxSellAmount,"
        "uint40 expiry,uint256 nonce)"
    );
    bytes32 public constant ASSIGNMENT_TYPEHASH = keccak256(
        "ProceedsAssignment(uint64 order,uint32 exporter,uint32 financier,uint64 advance,uint40 deadline)"
    );

    uint256 private constant _BPS = 10_000;
    uint256 private constant _CREATED = 1 << uint8(OrderState.Created);
    uint256 private constant _ACCEPTED = 1 << uint8(OrderState.Accepted);
    uint256 private constant _FUNDED = 1 << uint8(OrderState.Funded);
    uint256 private constant _DISPUTED = 1 << uint8(OrderState.Disputed);

    /// @dev The parties and the lifecycle of one order (one slot).
    struct Parties {
        MemberId importer;
        MemberId exporter;
        MemberId importerBank;
        MemberId exporterBank;
        OrderState state;
        uint8 trancheCount;
        uint8 evidenceDone; // bitmask of completed evidence kinds
        uint8 paid; // bitmask of tranches paid or refunded
        uint16 importerBankFeeBps;
        uint16 exporterBankFeeBps;
        uint40 shipmentDeadline; // active time
    }

    /// @dev Money and time of one order (three slots); every time is active time.
    struct Money {
        address payToken;
        uint96 amount;
        address payoutToken;
        uint40 expiry;
        uint32 objectionWindow;
        uint40 deliveredAt;
        uint40 disputeDeadline; // non-zero once disputed (an order is disputed at most once)
        MemberId financier; // proceeds assigned to, or 0
        MemberId fxProvider; // the payee's chosen FX provider, or 0
        uint96 fxMinRate; // the least rate the payee takes from it
    }

    uint40 private _orderCount;
    uint32 private _arbiterWindow;
    mapping(OrderId => Parties) private _parties;
    mapping(OrderId => Money) private _money;
    mapping(OrderId => uint256) private _tranches; // 8 x (uint16 share, uint8 evidence), packed low to high
    mapping(EvidenceKind => uint8) private _thresholds;
    mapping(address signer => mapping(uint256 word => uint256 bits)) private _fxNonces;

    constructor(
        IMemberRegistry registry,
        ICreditRegistry credit,
        uint32 arbiterWindow_
    ) MemberGated(registry) CreditReporter(credit) EIP712("Tradeline TradeSettlement", "1") {
        _arbiterWindow = arbiterWindow_;
        for (uint256 k; k < 4; ++k) _thresholds[EvidenceKind(k)] = 1;
    }

    // ─── Orders ─────────────────────────────────────────────────────────────

    /// @inheritdoc ITradeSettlement
    function createOrder(OrderTerms calldata t) external whenNotPaused returns (OrderId id) {
        MemberId importer = _requireRole(msg.sender, Role.Importer);
        _requireMemberRole(t.exporter, Role.Exporter);
        _requireMemberRole(t.importerBank, Role.ImporterBank);
        _requireMemberRole(t.exporterBank, Role.Financier);
        if (t.amount == 0 || t.importerBankFeeBps > MAX_FEE_BPS || t.exporterBankFeeBps > MAX_FEE_BPS) {
            revert TradeInvalidAmount(t.amount);
        }
        if (!memberRegistry.isSettlementToken(t.payToken)) revert TradeInvalidToken(t.payToken);
        if (!memberRegistry.isSettlementToken(t.payoutToken)) revert TradeInvalidToken(t.payoutToken);
        if (block.timestamp >= t.shipmentDeadline || t.shipmentDeadline >= t.expiry) {
            revert TradeInvalidDeadlines(t.shipmentDeadline, t.expiry);
        }
        uint256 n = t.tranches.length;
        uint256 total;
        uint256 packed;
        for (uint256 i; i < n && i < MAX_TRANCHES; ++i) {
            Tranche calldata tr = t.tranches[i];
            if (tr.shareBps == 0 || tr.evidence == 0 || tr.evidence > 15) revert TradeInvalidTranches(n, total);
            total += tr.shareBps;
            packed |= (uint256(tr.shareBps) | (uint256(tr.evidence) << 16)) << (24 * i);
        }
        if (n == 0 || n > MAX_TRANCHES || total != _BPS) revert TradeInvalidTranches(n, total);
        id = OrderId.wrap(++_orderCount);
        _parties[id] = Parties({
            importer: importer,
            exporter: t.exporter,
            importerBank: t.importerBank,
            exporterBank: t.exporterBank,
            state: OrderState.Created,
            trancheCount: uint8(n),
            evidenceDone: 0,
            paid: 0,
            importerBankFeeBps: t.importerBankFeeBps,
            exporterBankFeeBps: t.exporterBankFeeBps,
            shipmentDeadline: uint40(_toActive(t.shipmentDeadline))
        });
        _money[id] = Money({
            payToken: t.payToken,
            amount: t.amount,
            payoutToken: t.payoutToken,
            expiry: uint40(_toActive(t.expiry)),
            objectionWindow: t.objectionWindow,
            deliveredAt: 0,
            disputeDeadline: 0,
            financier: MemberId.wrap(0),
            fxProvider: MemberId.wrap(0),
            fxMinRate: 0
        });
        _tranches[id] = packed;
        emit OrderCreated(id, importer, t.exporter, t.documentHash, t.amount, t.payToken, t.payoutToken);
    }

    /// @inheritdoc ITradeSettlement
    function accept(OrderId id) external whenNotPaused {
        Parties storage p = _orderIn(id, _CREATED);
        if (MemberId.unwrap(_requireRole(msg.sender, Role.Exporter)) != MemberId.unwrap(p.exporter)) {
            revert TradeUnauthorized(id, msg.sender);
        }
        if (_activeNow() >= p.shipmentDeadline) revert TradeWindowClosed(id, _toWall(p.shipmentDeadline));
        p.state = OrderState.Accepted;
        emit OrderAccepted(id);
    }

    /// @inheritdoc ITradeSettlement
    function fund(OrderId id) external {
        _fund(id);
    }

    /// @inheritdoc ITradeSettlement
    function fundWithPermit(OrderId id, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external {
        _order(id);
        Money storage m = _money[id];
        try IERC20Permit(m.payToken).permit(msg.sender, address(this), m.amount, deadline, v, r, s) {} catch {}
        _fund(id);
    }

    function _fund(OrderId id) private whenNotPaused nonReentrant {
        Parties storage p = _orderIn(id, _ACCEPTED);
        if (MemberId.unwrap(_requireRole(msg.sender, Role.ImporterBank)) != MemberId.unwrap(p.importerBank)) {
            revert TradeUnauthorized(id, msg.sender);
        }
        p.state = OrderState.Funded;
        Money storage m = _money[id];
        emit OrderFunded(id, msg.sender, m.amount);
        IERC20(m.payToken).safeTransferFrom(msg.sender, address(this), m.amount);
    }

    // ─── Evidence and payment ───────────────────────────────────────────────

    /// @inheritdoc ITradeSettlement
    function attest(
        OrderId id,
        EvidenceKind kind,
        bytes32 documentHash,
        bytes[] calldata signatures,
        FxQuote calldata quote,
        bytes calldata quoteSignature
    ) external whenNotPaused nonReentrant {
        Parties storage p = _orderIn(id, _FUNDED);
        Money storage m = _money[id];
        uint8 bit = uint8(1 << uint8(kind));
        if (p.evidenceDone & bit != 0) revert TradeEvidenceAlreadyComplete(id, kind);
        uint256 now_ = _activeNow();
        if (now_ >= m.expiry) revert TradeWindowClosed(id, _toWall(m.expiry));
        if (kind == EvidenceKind.Delivered) {
            // The importer's objection window must close before expiry, or expiry could take back a delivery.
            uint256 closesAt = now_ + m.objectionWindow;
            if (closesAt >= m.expiry) revert TradeObjectionPastExpiry(id, _toWall(closesAt), _toWall(m.expiry));
            m.deliveredAt = uint40(now_);
        }
        _checkAttestations(id, p, m, kind, documentHash, signatures);
        p.evidenceDone |= bit;
        emit EvidenceCompleted(id, kind, uint8(signatures.length));
        _payReleased(id, p, false, quote, quoteSignature);
    }

    /// @inheritdoc ITradeSettlement
    function payReleased(
        OrderId id,
        FxQuote calldata quote,
        bytes calldata quoteSignature
    ) external whenNotPaused nonReentrant {
        Parties storage p = _orderIn(id, _FUNDED);
        _requireQuoteIfConverting(id, quote);
        if (_payReleased(id, p, false, quote, quoteSignature) == 0) revert TradeTrancheNotPayable(id, 0);
    }

    // ─── Disputes ───────────────────────────────────────────────────────────

    /// @inheritdoc ITradeSettlement
    function dispute(OrderId id, bytes32 reason) external whenNotPaused {
        Parties storage p = _orderIn(id, _FUNDED);
        // An existing order's party acts by membership, not by a role it may since have lost (item 24).
        _requireMember(id, p.importer);
        Money storage m = _money[id];
        if (m.deliveredAt == 0 || m.disputeDeadline != 0) revert TradeInvalidState(id, p.state);
        uint256 closesAt = uint256(m.deliveredAt) + m.objectionWindow;
        if (_activeNow() > closesAt) revert TradeWindowClosed(id, _toWall(closesAt));
        p.state = OrderState.Disputed;
        m.disputeDeadline = uint40(_activeNow() + _arbiterWindow);
        emit OrderDisputed(id, reason);
    }

    /// @inheritdoc ITradeSettlement
    function resolve(
        OrderId id,
        uint16 exporterShareBps,
        FxQuote calldata quote,
        bytes calldata quoteSignature
    ) external whenNotPaused nonReentrant {
        Parties storage p = _orderIn(id, _DISPUTED);
        MemberId arbiter = _requireRole(msg.sender, Role.Arbiter);
        Money storage m = _money[id];
        if (_isParty(p, m, arbiter)) revert TradeConflictOfInterest(id, arbiter);
        if (_activeNow() > m.disputeDeadline) revert TradeWindowClosed(id, _toWall(m.disputeDeadline));
        if (exporterShareBps > _BPS) revert TradeInvalidAmount(exporterShareBps);
        // Only what is still at stake is split: released tranches stay owed to the exporter (item 19).
        uint256 atStake = _closeDispute(id, p);
        uint256 toExporter = _share(atStake, exporterShareBps);
        emit DisputeResolved(id, arbiter, exporterShareBps);
        if (toExporter != 0) {
            (address provider, uint256 rate) = _convert(id, p, m, quote, quoteSignature, _net(p, toExporter), true);
            _payTranche(id, p, m, 254, toExporter, provider, rate);
        }
        _refund(id, p, m, atStake - toExporter, 3);
        _endIfPaid(id, p, m);
    }

    // ─── Pre-shipment finance ───────────────────────────────────────────────

    /// @inheritdoc ITradeSettlement
    function assignProceeds(
        OrderId id,
        MemberId financier,
        uint64 advance,
        uint40 deadline,
        bytes calldata financierSignature
    ) external whenNotPaused {
        Parties storage p = _orderIn(id, _ACCEPTED | _FUNDED);
        _requireMember(id, p.exporter);
        Money storage m = _money[id];
        if (MemberId.unwrap(m.financier) != 0) revert TradeAlreadyAssigned(id);
        if (advance == 0) revert TradeInvalidAmount(advance);
        if (block.timestamp > deadline) revert TradeAssignmentExpired(id, deadline);
        (address signer, , ) = ECDSA.tryRecover(
            assignmentDigest(id, p.exporter, financier, advance, deadline),
            financierSignature
        );
        // The financier agrees to the advance: an operator of the named, active Financier member signed it (item 7).
        if (
            MemberId.unwrap(financier) == 0 ||
            MemberId.unwrap(memberRegistry.memberOf(signer)) != MemberId.unwrap(financier) ||
            !memberRegistry.hasMemberRole(financier, Role.Financier)
        ) revert TradeInvalidAssignment(id, signer);
        (m.financier, m.fxProvider, m.fxMinRate) = (financier, MemberId.wrap(0), 0);
        emit ProceedsAssigned(id, financier, advance);
        bytes32 ref = _loanRef(id);
        _report(
            ref,
            abi.encodeCall(
                ICreditModuleReports.reportExposure,
                (
                    financier,
                    p.exporter,
                    ref,
                    ProductKind.TradeFinance,
                    advance,
                    uint24(_toWall(m.expiry) / 1 days),
                    keccak256(abi.encode(address(this), OrderId.unwrap(id), advance))
                )
            )
        );
    }

    /// @inheritdoc ITradeSettlement
    function setFxTerms(OrderId id, MemberId provider, uint96 minRate) external whenNotPaused {
        Parties storage p = _orderIn(id, _ACCEPTED | _FUNDED | _DISPUTED);
        Money storage m = _money[id];
        _requireMember(id, _payee(p, m));
        (m.fxProvider, m.fxMinRate) = (provider, minRate);
        emit FxTermsSet(id, provider, minRate);
    }

    // ─── Time rules ─────────────────────────────────────────────────────────

    /// @inheritdoc ITradeSettlement
    function refundUnshipped(OrderId id) external nonReentrant {
        Parties storage p = _orderIn(id, _FUNDED);
        // Any evidence (shipped, customs, delivered, inspected) shows the goods moved (item 4).
        if (p.evidenceDone != 0) revert TradeGoodsMoved(id, p.evidenceDone);
        if (_activeNow() <= p.shipmentDeadline) revert TradeTooEarly(id, _toWall(p.shipmentDeadline) + 1);
        _refundUnreleased(id, p, 1);
    }

    /// @inheritdoc ITradeSettlement
    function releaseAfterObjection(
        OrderId id,
        FxQuote calldata quote,
        bytes calldata quoteSignature
    ) external whenNotPaused nonReentrant {
        Parties storage p = _orderIn(id, _FUNDED);
        Money storage m = _money[id];
        uint256 at = type(uint256).max;
        if (m.deliveredAt != 0) at = uint256(m.deliveredAt) + m.objectionWindow + 1;
        else if (p.evidenceDone != 0) at = uint256(m.expiry) + 1;
        if (_activeNow() < at) revert TradeTooEarly(id, at == type(uint256).max ? at : _toWall(at));
        _requireQuoteIfConverting(id, quote);
        _payReleased(id, p, true, quote, quoteSignature);
    }

    /// @inheritdoc ITradeSettlement
    function refundExpired(OrderId id) external nonReentrant {
        Parties storage p = _orderIn(id, _CREATED | _ACCEPTED | _FUNDED | _DISPUTED);
        OrderState s = p.state;
        Money storage m = _money[id];
        if (s == OrderState.Created || s == OrderState.Accepted) {
            if (_activeNow() < p.shipmentDeadline) revert TradeTooEarly(id, _toWall(p.shipmentDeadline));
            p.state = OrderState.Lapsed;
            _end(id, m);
            return;
        }
        if (s == OrderState.Disputed) {
            // The arbiter left the dispute past its deadline: what was at stake returns to the importer's side.
            if (_activeNow() <= m.disputeDeadline) revert TradeTooEarly(id, _toWall(m.disputeDeadline) + 1);
            _refund(id, p, m, _closeDispute(id, p), 2);
            _endIfPaid(id, p, m);
            return;
        }
        // Once evidence shows the goods moved and nothing is disputed, what remains is the exporter's (item 4).
        if (p.evidenceDone != 0) revert TradeGoodsMoved(id, p.evidenceDone);
        if (_activeNow() <= m.expiry) revert TradeTooEarly(id, _toWall(m.expiry) + 1);
        _refundUnreleased(id, p, 2);
    }

    // ─── Governor ───────────────────────────────────────────────────────────

    /// @inheritdoc ITradeSettlement
    function setThreshold(EvidenceKind kind, uint8 oracles) external onlyGovernor {
        if (oracles == 0 || oracles > 16) revert TradeInvalidThreshold(oracles);
        _thresholds[kind] = oracles;
        emit ThresholdSet(kind, oracles);
    }

    // ─── Views ──────────────────────────────────────────────────────────────

    /// @inheritdoc ITradeSettlement
    function getOrder(OrderId id) external view returns (OrderView memory o) {
        Parties storage p = _order(id);
        Money storage m = _money[id];
        uint256 packed = _tranches[id];
        uint8 n = p.trancheCount;
        o.tranches = new Tranche[](n);
        for (uint8 i; i < n; ++i) {
            o.tranches[i] = Tranche(uint16(packed >> (24 * i)), uint8(packed >> (24 * i + 16)));
        }
        (o.importer, o.exporter, o.importerBank, o.exporterBank) = (
            p.importer,
            p.exporter,
            p.importerBank,
            p.exporterBank
        );
        (o.state, o.evidenceDone, o.settledTranches) = (p.state, p.evidenceDone, p.paid);
        (o.importerBankFeeBps, o.exporterBankFeeBps, o.shipmentDeadline) = (
            p.importerBankFeeBps,
            p.exporterBankFeeBps,
            uint40(_toWall(p.shipmentDeadline))
        );
        (o.payToken, o.amount, o.payoutToken, o.expiry) = (
            m.payToken,
            m.amount,
            m.payoutToken,
            uint40(_toWall(m.expiry))
        );
        (o.objectionWindow, o.deliveredAt, o.disputeDeadline, o.financier) = (
            m.objectionWindow,
            uint40(_toWall(m.deliveredAt)),
            uint40(_toWall(m.disputeDeadline)),
            m.financier
        );
    }

    /// @inheritdoc ITradeSettlement
    function fxQuoteDigest(FxQuote calldata q) public view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        FX_QUOTE_TYPEHASH,
                        OrderId.unwrap(q.order),
                        MemberId.unwrap(q.beneficiary),
                        q.sellToken,
                        q.buyToken,
                        q.rate,
                        q.maxSellAmount,
                        q.expiry,
                        q.nonce
                    )
                )
            );
    }

    /// @inheritdoc ITradeSettlement
    function assignmentDigest(
        OrderId id,
        MemberId exporter,
        MemberId financier,
        uint64 advance,
        uint40 deadline
    ) public view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        ASSIGNMENT_TYPEHASH,
                        OrderId.unwrap(id),
                        MemberId.unwrap(exporter),
                        MemberId.unwrap(financier),
                        advance,
                        deadline
                    )
                )
            );
    }

    /// @inheritdoc ITradeSettlement
    function fxTermsOf(OrderId id) external view returns (MemberId provider, uint96 minRate) {
        Money storage m = _money[id];
        return (m.fxProvider, m.fxMinRate);
    }

    /// @inheritdoc ITradeSettlement
    function evidenceThreshold(EvidenceKind kind) external view returns (uint8) {
        return _thresholds[kind];
    }

    /// @inheritdoc ITradeSettlement
    function arbiterWindow() external view returns (uint32) {
        return _arbiterWindow;
    }

    /// @inheritdoc ITradeSettlement
    function escrowOf(OrderId id) external view returns (uint256) {
        Parties storage p = _parties[id];
        if (p.state != OrderState.Funded && p.state != OrderState.Disputed) return 0;
        return _gross(id, p, ~p.paid);
    }

    /// @inheritdoc ITradeSettlement
    function attestationDigest(OrderId id, EvidenceKind kind, bytes32 documentHash) public view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(abi.encode(ATTESTATION_TYPEHASH, OrderId.unwrap(id), uint8(kind), documentHash))
            );
    }

    // ─── Internals ──────────────────────────────────────────────────────────

    /// @dev Checks `signatures` over `kind` evidence of order `id`: ascending signers, each an operator of a distinct
    ///      active Oracle member that is no party of the order, at least the threshold of them.
    function _checkAttestations(
        OrderId id,
        Parties storage p,
        Money storage m,
        EvidenceKind kind,
        bytes32 documentHash,
        bytes[] calldata signatures
    ) private {
        bytes32 digest = attestationDigest(id, kind, documentHash);
        uint256 n = signatures.length;
        if (n < _thresholds[kind]) revert TradeThresholdNotMet(id, kind, n, _thresholds[kind]);
        MemberId[] memory seen = new MemberId[](n);
        address previous;
        for (uint256 i; i < n; ++i) {
            (address signer, , ) = ECDSA.tryRecover(digest, signatures[i]);
            MemberId oracle = memberRegistry.memberOf(signer);
            if (signer <= previous || !memberRegistry.hasMemberRole(oracle, Role.Oracle)) {
                revert TradeInvalidAttestation(id, signer);
            }
            // k-of-n counts institutions: two keys of one oracle member count once (item 6).
            for (uint256 j; j < i; ++j) {
                if (MemberId.unwrap(seen[j]) == MemberId.unwrap(oracle)) revert TradeDuplicateOracleMember(id, oracle);
            }
            if (_isParty(p, m, oracle)) revert TradeConflictOfInterest(id, oracle);
            seen[i] = oracle;
            previous = signer;
            emit EvidenceAttested(id, kind, signer, documentHash);
        }
    }

    /// @dev Pays every unpaid tranche whose evidence is complete (or all unpaid ones when `all`), converting their
    ///      net total with one FX quote when the exporter is paid in another token; returns how many were paid.
    function _payReleased(
        OrderId id,
        Parties storage p,
        bool all,
        FxQuote calldata quote,
        bytes calldata quoteSignature
    ) private returns (uint256 count) {
        uint256 packed = _tranches[id];
        uint8 n = p.trancheCount;
        uint8 due = all ? uint8(~p.paid) & uint8((1 << n) - 1) : _released(p, packed);
        if (due == 0) return 0;
        Money storage m = _money[id];
        // Evidence without an FX quote records the evidence; the tranches wait for `payReleased` with a quote.
        if (m.payoutToken != m.payToken && quote.rate == 0) return 0;
        p.paid |= due;
        // Every sum here is of pay-token amounts of one order: one currency (item 20).
        uint256 totalNet;
        for (uint8 i; i < n; ++i) {
            if (due & (1 << i) != 0) totalNet += _net(p, _trancheGross(m.amount, packed, i, n));
        }
        (address provider, uint256 rate) = _convert(id, p, m, quote, quoteSignature, totalNet, false);
        for (uint8 i; i < n; ++i) {
            if (due & (1 << i) == 0) continue;
            _payTranche(id, p, m, i, _trancheGross(m.amount, packed, i, n), provider, rate);
            ++count;
        }
        _endIfPaid(id, p, m);
    }

    /// @dev Pays one tranche: fees to the two banks, the net to the payee (through `provider` at `rate` when
    ///      converting; the pay token already went to the provider). Each leg goes to the member's payout account now,
    ///      or is parked for it: no member's state blocks another's payment (item 2).
    function _payTranche(
        OrderId id,
        Parties storage p,
        Money storage m,
        uint8 tranche,
        uint256 gross,
        address provider,
        uint256 rate
    ) private {
        uint256 importerFee = _share(gross, p.importerBankFeeBps);
        uint256 exporterFee = _share(gross, p.exporterBankFeeBps);
        uint256 net = gross - importerFee - exporterFee;
        MemberId payee = _payee(p, m);
        address payToken = m.payToken;
        uint256 payout = net;
        address beneficiary;
        if (provider != address(0)) {
            payout = Math.mulDiv(net, rate, RATE_SCALE);
            IERC20(m.payoutToken).safeTransferFrom(provider, address(this), payout);
            (beneficiary, ) = _payMember(payee, m.payoutToken, payout);
        } else {
            (beneficiary, ) = _payMember(payee, payToken, net);
        }
        _payMember(p.importerBank, payToken, importerFee);
        _payMember(p.exporterBank, payToken, exporterFee);
        emit TranchePaid(
            id,
            tranche,
            beneficiary,
            _uetr(id, tranche, 0),
            bytes32((uint256(OrderId.unwrap(id)) << 8) | tranche),
            uint96(gross),
            uint96(importerFee),
            uint96(exporterFee),
            payout,
            rate
        );
    }

    /// @dev Tranche `i`'s share of `amount`, rounded down; the last tranche takes the rounding remainder, so the
    ///      tranches always sum to the amount.
    function _trancheGross(uint256 amount, uint256 packed, uint8 i, uint8 n) private pure returns (uint256 gross) {
        if (i + 1 < n) return _share(amount, uint16(packed >> (24 * i)));
        gross = amount;
        for (uint8 j; j + 1 < n; ++j) gross -= _share(amount, uint16(packed >> (24 * j)));
    }

    /// @dev The gross of the unpaid tranches of order `id` in `mask`.
    function _gross(OrderId id, Parties storage p, uint8 mask) private view returns (uint256 total) {
        uint256 packed = _tranches[id];
        uint8 n = p.trancheCount;
        uint96 amount = _money[id].amount;
        for (uint8 i; i < n; ++i) {
            if (mask & (1 << i) != 0 && p.paid & (1 << i) == 0) total += _trancheGross(amount, packed, i, n);
        }
    }

    /// @dev The unpaid tranches whose evidence is complete.
    function _released(Parties storage p, uint256 packed) private view returns (uint8 due) {
        uint8 done = p.evidenceDone;
        uint8 n = p.trancheCount;
        for (uint8 i; i < n; ++i) {
            if (p.paid & (1 << i) != 0) continue;
            uint8 needs = uint8(packed >> (24 * i + 16));
            if (needs & done == needs) due |= uint8(1 << i);
        }
    }

    /// @dev When order `id` pays out in another token: checks the FX quote for selling `amount` of the pay token,
    ///      spends its nonce and sends the provider `amount`; returns the provider and the rate. Otherwise returns no
    ///      provider and a rate of 1. The quote must name this order and its payee, and be the payee's choice: the
    ///      payee relays it, or it is by the provider the payee named at no less than its floor, or (`byArbiter`, no
    ///      provider named) the arbiter of a dispute picks it (item 8).
    function _convert(
        OrderId id,
        Parties storage p,
        Money storage m,
        FxQuote calldata q,
        bytes calldata signature,
        uint256 amount,
        bool byArbiter
    ) private returns (address signer, uint256 rate) {
        if (m.payoutToken == m.payToken) return (address(0), RATE_SCALE);
        _requireQuoteIfConverting(id, q);
        MemberId payee = _payee(p, m);
        if (
            OrderId.unwrap(q.order) != OrderId.unwrap(id) || MemberId.unwrap(q.beneficiary) != MemberId.unwrap(payee)
        ) revert TradeFxQuoteNotForOrder(id, q.order, q.beneficiary);
        (address sell, address buy) = (m.payToken, m.payoutToken);
        (signer, , ) = ECDSA.tryRecover(fxQuoteDigest(q), signature);
        MemberId provider = memberRegistry.memberOf(signer);
        uint256 bit = 1 << (q.nonce & 0xff);
        uint256 word = _fxNonces[signer][q.nonce >> 8];
        if (
            q.sellToken != sell ||
            q.buyToken != buy ||
            q.rate == 0 ||
            amount > q.maxSellAmount ||
            block.timestamp > q.expiry ||
            word & bit != 0 ||
            !memberRegistry.hasMemberRole(provider, Role.FxProvider)
        ) revert TradeInvalidFxQuote(signer, q.nonce);
        MemberId chosen = m.fxProvider;
        if (
            MemberId.unwrap(chosen) == 0
                ? !(byArbiter || MemberId.unwrap(memberRegistry.memberOf(msg.sender)) == MemberId.unwrap(payee))
                : MemberId.unwrap(chosen) != MemberId.unwrap(provider) || q.rate < m.fxMinRate
        ) revert TradeFxQuoteNotChosen(id, signer, q.rate);
        _fxNonces[signer][q.nonce >> 8] = word | bit;
        rate = q.rate;
        IERC20(sell).safeTransfer(signer, amount);
    }

    /// @dev Refunds every unreleased unpaid tranche to the importer's bank and ends the order.
    function _refundUnreleased(OrderId id, Parties storage p, uint8 purpose) private {
        Money storage m = _money[id];
        uint8 stake = uint8(~_released(p, _tranches[id]));
        uint256 refund = _gross(id, p, stake);
        p.paid |= stake & uint8((1 << p.trancheCount) - 1);
        _refund(id, p, m, refund, purpose);
        _endIfPaid(id, p, m);
    }

    /// @dev Ends a dispute: marks the tranches still at stake (unpaid and unreleased) as settled and returns their
    ///      gross; released ones stay owed to the exporter and the order returns to Funded for them.
    function _closeDispute(OrderId id, Parties storage p) private returns (uint256 atStake) {
        uint8 stake = uint8(~_released(p, _tranches[id])) & ~p.paid & uint8((1 << p.trancheCount) - 1);
        atStake = _gross(id, p, stake);
        p.paid |= stake;
        p.state = OrderState.Funded;
    }

    /// @dev Settles order `id` once every tranche is paid or refunded.
    function _endIfPaid(OrderId id, Parties storage p, Money storage m) private {
        if (p.paid != uint8((1 << p.trancheCount) - 1)) return;
        p.state = OrderState.Settled;
        _end(id, m);
    }

    /// @dev Order `id` ended (settled or lapsed): its trade-finance record, if any, is closed, whatever the path
    ///      (item 7); the report never blocks the payment (item 1).
    function _end(OrderId id, Money storage m) private {
        emit OrderSettled(id);
        if (MemberId.unwrap(m.financier) != 0) {
            bytes32 ref = _loanRef(id);
            _report(ref, abi.encodeCall(ICreditModuleReports.closeExposure, (ref)));
        }
    }

    function _refund(OrderId id, Parties storage p, Money storage m, uint256 amount, uint8 purpose) private {
        if (amount == 0) return;
        (address to, ) = _payMember(p.importerBank, m.payToken, amount);
        emit Refunded(id, to, uint96(amount), _uetr(id, 255, purpose), bytes32(uint256(OrderId.unwrap(id)) << 8));
    }

    function _order(OrderId id) private view returns (Parties storage p) {
        p = _parties[id];
        if (p.state == OrderState.None) revert TradeUnknownOrder(id);
    }

    /// @dev Order `id`, which must be in one of the states of `allowed` (a mask of `1 << state`): every transition's
    ///      precondition is checked here.
    function _orderIn(OrderId id, uint256 allowed) private view returns (Parties storage p) {
        p = _order(id);
        if ((1 << uint8(p.state)) & allowed == 0) revert TradeInvalidState(id, p.state);
    }

    /// @dev A payment of order `id` into another token needs a quote (rate 0 stands for none).
    function _requireQuoteIfConverting(OrderId id, FxQuote calldata quote) private view {
        Money storage m = _money[id];
        if (m.payoutToken != m.payToken && quote.rate == 0) revert TradeFxQuoteRequired(id);
    }

    /// @dev The caller must be an operator of the active member `party`: an existing order's party acts by
    ///      membership, whatever roles it holds now (item 24).
    function _requireMember(OrderId id, MemberId party) private view {
        if (MemberId.unwrap(memberRegistry.requireActive(msg.sender)) != MemberId.unwrap(party)) {
            revert TradeUnauthorized(id, msg.sender);
        }
    }

    function _requireMemberRole(MemberId member, Role role) private view {
        if (!memberRegistry.hasMemberRole(member, role)) revert TradeInvalidParty(member);
    }

    /// @dev Whether `member` is a party of the order (importer, exporter, either bank, financier).
    function _isParty(Parties storage p, Money storage m, MemberId member) private view returns (bool) {
        uint32 x = MemberId.unwrap(member);
        return
            x == MemberId.unwrap(p.importer) ||
            x == MemberId.unwrap(p.exporter) ||
            x == MemberId.unwrap(p.importerBank) ||
            x == MemberId.unwrap(p.exporterBank) ||
            x == MemberId.unwrap(m.financier);
    }

    /// @dev Who the exporter's side of order `id` is paid to: the financier once assigned, else the exporter.
    function _payee(Parties storage p, Money storage m) private view returns (MemberId) {
        return MemberId.unwrap(m.financier) != 0 ? m.financier : p.exporter;
    }

    function _loanRef(OrderId id) private pure returns (bytes32) {
        return bytes32(uint256(OrderId.unwrap(id)));
    }

    /// @dev A UUID v4 derived from the payment's identity: version nibble 4, variant bits 10.
    function _uetr(OrderId id, uint8 tranche, uint8 purpose) internal view returns (bytes16 uetr) {
        uetr = bytes16(keccak256(abi.encode(address(this), OrderId.unwrap(id), tranche, purpose)));
        // UUID layout xxxxxxxx-xxxx-4xxx-[89ab]xxx-…: byte 6's high nibble is the version, byte 8 the variant.
        uetr = (uetr & ~bytes16(0x000000000000f0000000000000000000)) | bytes16(0x00000000000040000000000000000000);
        uetr = (uetr & ~bytes16(0x0000000000000000c000000000000000)) | bytes16(0x00000000000000008000000000000000);
    }

    /// @dev What `gross` leaves for the exporter's side once both banks took their fees.
    function _net(Parties storage p, uint256 gross) private view returns (uint256) {
        return gross - _share(gross, p.importerBankFeeBps) - _share(gross, p.exporterBankFeeBps);
    }

    function _share(uint256 amount, uint256 bps) internal pure returns (uint256) {
        return Math.mulDiv(amount, bps, _BPS);
    }
}
