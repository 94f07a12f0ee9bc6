// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {MemberGated} from "../access/MemberGated.sol";
import {ICreditModuleReports} from "../interfaces/ICreditModuleReports.sol";
import {ICreditRegistry, LoanStatus, ProductKind} from "../interfaces/ICreditRegistry.sol";
import {IMemberRegistry, MemberId, MemberStatus, Role} from "../interfaces/IMemberRegistry.sol";
import {EvidenceKind, ITradeSettlement, OrderId, OrderState} from "../interfaces/ITradeSettlement.sol";

/// @title TradeSettlement
/// @notice Evidence-released escrow with atomic FX. See {ITradeSettlement}.
/// @dev Storage per order: `Parties` (1 slot), `Money` (2 slots) and the packed tranches (1 slot). A tranche is paid
///      or refunded once: the `paid` bitmask is set before any token moves. The pause stops orders, funding, evidence
///      and payments to the exporter's side; the refunds to the importer's side stay open.
contract TradeSettlement is ITradeSettlement, MemberGated, Pausable, EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    uint256 public constant MAX_TRANCHES = 8;
    uint256 public constant MAX_FEE_BPS = 1_000;
    uint256 public constant RATE_SCALE = 1e18;

    bytes32 public constant ATTESTATION_TYPEHASH = keccak256(
        "Attestation(uint64 order,uint8 kind,bytes32 documentHash)"
    );
    bytes32 public constant FX_QUOTE_TYPEHASH = keccak256(
        "FxQuote(address sellToken,address buyToken,uint256 rate,uint96 maxSellAmount,uint40 expiry,uint256 nonce)"
    );

    uint256 private constant _BPS = 10_000;

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
        uint40 shipmentDeadline;
    }

    /// @dev Money and time of one order (two slots).
    struct Money {
        address payToken;
        uint96 amount;
        address payoutToken;
        uint40 expiry;
        uint32 objectionWindow;
        uint40 deliveredAt;
        uint40 disputeDeadline;
        MemberId financier; // proceeds assigned to, or 0
    }

    /// @notice The credit registry pre-shipment finance is reported to (this contract holds the Reporter role).
    ICreditRegistry public immutable creditRegistry;

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
    ) MemberGated(registry) EIP712("Tradeline TradeSettlement", "1") {
        creditRegistry = credit;
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
        if (t.payToken.code.length == 0) revert TradeInvalidToken(t.payToken);
        if (t.payoutToken.code.length == 0) revert TradeInvalidToken(t.payoutToken);
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
            shipmentDeadline: t.shipmentDeadline
        });
        _money[id] = Money({
            payToken: t.payToken,
            amount: t.amount,
            payoutToken: t.payoutToken,
            expiry: t.expiry,
            objectionWindow: t.objectionWindow,
            deliveredAt: 0,
            disputeDeadline: 0,
            financier: MemberId.wrap(0)
        });
        _tranches[id] = packed;
        emit OrderCreated(id, importer, t.exporter, t.documentHash, t.amount, t.payToken, t.payoutToken);
    }

    /// @inheritdoc ITradeSettlement
    function accept(OrderId id) external whenNotPaused {
        Parties storage p = _orderIn(id, OrderState.Created);
        _requireParty(id, Role.Exporter, p.exporter);
        if (block.timestamp >= p.shipmentDeadline) revert TradeWindowClosed(id, p.shipmentDeadline);
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
        Parties storage p = _orderIn(id, OrderState.Accepted);
        _requireParty(id, Role.ImporterBank, p.importerBank);
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
        Parties storage p = _orderIn(id, OrderState.Funded);
        uint8 bit = uint8(1 << uint8(kind));
        if (p.evidenceDone & bit != 0) revert TradeEvidenceAlreadyComplete(id, kind);
        bytes32 digest = attestationDigest(id, kind, documentHash);
        uint256 n = signatures.length;
        if (n < _thresholds[kind]) revert TradeThresholdNotMet(id, kind, n, _thresholds[kind]);
        address previous;
        for (uint256 i; i < n; ++i) {
            (address signer, , ) = ECDSA.tryRecover(digest, signatures[i]);
            if (signer <= previous || !memberRegistry.hasRole(signer, Role.Oracle)) {
                revert TradeInvalidAttestation(id, signer);
            }
            previous = signer;
            emit EvidenceAttested(id, kind, signer, documentHash);
        }
        p.evidenceDone |= bit;
        if (kind == EvidenceKind.Delivered) _money[id].deliveredAt = uint40(block.timestamp);
        emit EvidenceCompleted(id, kind, uint8(n));
        _payReleased(id, p, false, quote, quoteSignature);
    }

    /// @inheritdoc ITradeSettlement
    function payReleased(
        OrderId id,
        FxQuote calldata quote,
        bytes calldata quoteSignature
    ) external whenNotPaused nonReentrant {
        Parties storage p = _orderIn(id, OrderState.Funded);
        _requireQuoteIfConverting(id, quote);
        if (_payReleased(id, p, false, quote, quoteSignature) == 0) revert TradeTrancheNotPayable(id, 0);
    }

    // ─── Disputes ───────────────────────────────────────────────────────────

    /// @inheritdoc ITradeSettlement
    function dispute(OrderId id, bytes32 reason) external whenNotPaused {
        Parties storage p = _orderIn(id, OrderState.Funded);
        _requireParty(id, Role.Importer, p.importer);
        Money storage m = _money[id];
        if (m.deliveredAt == 0) revert TradeInvalidState(id, p.state);
        uint256 closesAt = uint256(m.deliveredAt) + m.objectionWindow;
        if (block.timestamp > closesAt) revert TradeWindowClosed(id, closesAt);
        p.state = OrderState.Disputed;
        m.disputeDeadline = uint40(block.timestamp + _arbiterWindow);
        emit OrderDisputed(id, reason);
    }

    /// @inheritdoc ITradeSettlement
    function resolve(
        OrderId id,
        uint16 exporterShareBps,
        FxQuote calldata quote,
        bytes calldata quoteSignature
    ) external whenNotPaused nonReentrant {
        Parties storage p = _orderIn(id, OrderState.Disputed);
        MemberId arbiter = _requireRole(msg.sender, Role.Arbiter);
        Money storage m = _money[id];
        if (block.timestamp > m.disputeDeadline) revert TradeWindowClosed(id, m.disputeDeadline);
        if (exporterShareBps > _BPS) revert TradeInvalidAmount(exporterShareBps);
        uint256 remaining = _unpaid(id, p, m);
        uint256 toExporter = _share(remaining, exporterShareBps);
        p.paid = uint8((1 << p.trancheCount) - 1);
        p.state = OrderState.Settled;
        emit DisputeResolved(id, arbiter, exporterShareBps);
        if (toExporter != 0) {
            (address provider, uint256 rate) = _convert(id, m, quote, quoteSignature, _net(p, toExporter));
            _payTranche(id, p, m, 254, toExporter, provider, rate);
        }
        _refund(id, p, m, remaining - toExporter, 3);
        emit OrderSettled(id);
    }

    // ─── Pre-shipment finance ───────────────────────────────────────────────

    /// @inheritdoc ITradeSettlement
    function assignProceeds(
        OrderId id,
        MemberId financier,
        bytes32 exporterKey,
        uint64 advance
    ) external whenNotPaused {
        Parties storage p = _order(id);
        if (p.state != OrderState.Accepted && p.state != OrderState.Funded) revert TradeInvalidState(id, p.state);
        _requireParty(id, Role.Exporter, p.exporter);
        Money storage m = _money[id];
        if (MemberId.unwrap(m.financier) != 0) revert TradeAlreadyAssigned(id);
        _requireMemberRole(financier, Role.Financier);
        m.financier = financier;
        emit ProceedsAssigned(id, financier, advance);
        ICreditModuleReports(address(creditRegistry)).reportExposure(
            financier,
            p.exporter,
            bytes32(uint256(OrderId.unwrap(id))),
            ProductKind.TradeFinance,
            advance,
            uint24(m.expiry / 1 days),
            keccak256(abi.encode(address(this), OrderId.unwrap(id), advance, exporterKey))
        );
    }

    // ─── Time rules ─────────────────────────────────────────────────────────

    /// @inheritdoc ITradeSettlement
    function refundUnshipped(OrderId id) external nonReentrant {
        Parties storage p = _order(id);
        if (p.state != OrderState.Funded || p.evidenceDone & uint8(1 << uint8(EvidenceKind.Shipped)) != 0) {
            revert TradeInvalidState(id, p.state);
        }
        if (block.timestamp <= p.shipmentDeadline) revert TradeTooEarly(id, uint256(p.shipmentDeadline) + 1);
        _refundRemaining(id, p, 1);
    }

    /// @inheritdoc ITradeSettlement
    function releaseAfterObjection(
        OrderId id,
        FxQuote calldata quote,
        bytes calldata quoteSignature
    ) external whenNotPaused nonReentrant {
        Parties storage p = _orderIn(id, OrderState.Funded);
        Money storage m = _money[id];
        uint256 at = m.deliveredAt == 0 ? type(uint256).max : uint256(m.deliveredAt) + m.objectionWindow + 1;
        if (block.timestamp < at) revert TradeTooEarly(id, at);
        _requireQuoteIfConverting(id, quote);
        _payReleased(id, p, true, quote, quoteSignature);
    }

    /// @inheritdoc ITradeSettlement
    function refundExpired(OrderId id) external nonReentrant {
        Parties storage p = _order(id);
        OrderState s = p.state;
        if (s == OrderState.Created || s == OrderState.Accepted) {
            if (block.timestamp < p.shipmentDeadline) revert TradeTooEarly(id, p.shipmentDeadline);
            p.state = OrderState.Lapsed;
            emit OrderSettled(id);
            return;
        }
        if (s != OrderState.Funded && s != OrderState.Disputed) revert TradeInvalidState(id, s);
        Money storage m = _money[id];
        // A dispute the arbiter left past its deadline returns to the importer's side; otherwise wait for expiry.
        uint256 from = s == OrderState.Disputed ? m.disputeDeadline : m.expiry;
        if (block.timestamp <= from) revert TradeTooEarly(id, from + 1);
        _refundRemaining(id, p, 2);
    }

    // ─── Governor ───────────────────────────────────────────────────────────

    /// @inheritdoc ITradeSettlement
    function setThreshold(EvidenceKind kind, uint8 oracles) external onlyGovernor {
        if (oracles == 0 || oracles > 16) revert TradeInvalidThreshold(oracles);
        _thresholds[kind] = oracles;
        emit ThresholdSet(kind, oracles);
    }

    /// @inheritdoc ITradeSettlement
    function pause() external onlyGovernorOrRegulator {
        _pause();
    }

    /// @inheritdoc ITradeSettlement
    function unpause() external onlyGovernorOrRegulator {
        _unpause();
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
            p.shipmentDeadline
        );
        (o.payToken, o.amount, o.payoutToken, o.expiry) = (m.payToken, m.amount, m.payoutToken, m.expiry);
        (o.objectionWindow, o.deliveredAt, o.disputeDeadline, o.financier) = (
            m.objectionWindow,
            m.deliveredAt,
            m.disputeDeadline,
            m.financier
        );
    }

    /// @inheritdoc ITradeSettlement
    function fxQuoteDigest(FxQuote calldata quote) public view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        FX_QUOTE_TYPEHASH,
                        quote.sellToken,
                        quote.buyToken,
                        quote.rate,
                        quote.maxSellAmount,
                        quote.expiry,
                        quote.nonce
                    )
                )
            );
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
        return _unpaid(id, p, _money[id]);
    }

    /// @inheritdoc ITradeSettlement
    function attestationDigest(OrderId id, EvidenceKind kind, bytes32 documentHash) public view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(abi.encode(ATTESTATION_TYPEHASH, OrderId.unwrap(id), uint8(kind), documentHash))
            );
    }

    // ─── Internals ──────────────────────────────────────────────────────────

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
        uint8 done = p.evidenceDone;
        uint8 n = p.trancheCount;
        uint8 due;
        for (uint8 i; i < n; ++i) {
            if (p.paid & (1 << i) != 0) continue;
            uint8 needs = uint8(packed >> (24 * i + 16));
            if (all || needs & done == needs) due |= uint8(1 << i);
        }
        if (due == 0) return 0;
        Money storage m = _money[id];
        // Evidence without an FX quote records the evidence; the tranches wait for `payReleased` with a quote.
        if (m.payoutToken != m.payToken && quote.rate == 0) return 0;
        p.paid |= due;
        uint256 totalNet;
        for (uint8 i; i < n; ++i) {
            if (due & (1 << i) != 0) totalNet += _net(p, _gross(m.amount, packed, i, n));
        }
        (address provider, uint256 rate) = _convert(id, m, quote, quoteSignature, totalNet);
        for (uint8 i; i < n; ++i) {
            if (due & (1 << i) == 0) continue;
            _payTranche(id, p, m, i, _gross(m.amount, packed, i, n), provider, rate);
            ++count;
        }
        if (p.paid == uint8((1 << n) - 1)) {
            p.state = OrderState.Settled;
            emit OrderSettled(id);
            // Proceeds paid the financier in full: the exporter's pre-shipment finance is repaid.
            if (MemberId.unwrap(m.financier) != 0) {
                creditRegistry.reportStatus(bytes32(uint256(OrderId.unwrap(id))), LoanStatus.Repaid);
            }
        }
    }

    /// @dev Pays one tranche: fees to the two banks, the net to the exporter (through `provider` at `rate` when
    ///      converting; the pay token already went to the provider).
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
        uint256 net = _net(p, gross);
        MemberId payee = MemberId.unwrap(m.financier) != 0 ? m.financier : p.exporter;
        address beneficiary = memberRegistry.getMember(payee).admin;
        IERC20 payToken = IERC20(m.payToken);
        uint256 payout = net;
        if (provider != address(0)) {
            payout = Math.mulDiv(net, rate, RATE_SCALE);
            IERC20(m.payoutToken).safeTransferFrom(provider, beneficiary, payout);
        } else {
            payToken.safeTransfer(beneficiary, net);
        }
        if (importerFee != 0) payToken.safeTransfer(memberRegistry.getMember(p.importerBank).admin, importerFee);
        if (exporterFee != 0) payToken.safeTransfer(memberRegistry.getMember(p.exporterBank).admin, exporterFee);
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
    function _gross(uint256 amount, uint256 packed, uint8 i, uint8 n) private pure returns (uint256 gross) {
        if (i + 1 < n) return _share(amount, uint16(packed >> (24 * i)));
        gross = amount;
        for (uint8 j; j + 1 < n; ++j) gross -= _share(amount, uint16(packed >> (24 * j)));
    }

    /// @dev When order `id` pays out in another token: checks the FX quote for selling `amount` of the pay token,
    ///      spends its nonce and sends the provider `amount`; returns the provider and the rate. Otherwise returns no
    ///      provider and a rate of 1.
    function _convert(
        OrderId id,
        Money storage m,
        FxQuote calldata q,
        bytes calldata signature,
        uint256 amount
    ) private returns (address signer, uint256 rate) {
        if (m.payoutToken == m.payToken) return (address(0), RATE_SCALE);
        _requireQuoteIfConverting(id, q);
        (address sell, address buy) = (m.payToken, m.payoutToken);
        (signer, , ) = ECDSA.tryRecover(fxQuoteDigest(q), signature);
        uint256 bit = 1 << (q.nonce & 0xff);
        uint256 word = _fxNonces[signer][q.nonce >> 8];
        if (
            q.sellToken != sell ||
            q.buyToken != buy ||
            q.rate == 0 ||
            amount > q.maxSellAmount ||
            block.timestamp > q.expiry ||
            word & bit != 0 ||
            !memberRegistry.hasRole(signer, Role.FxProvider)
        ) revert TradeInvalidFxQuote(signer, q.nonce);
        _fxNonces[signer][q.nonce >> 8] = word | bit;
        rate = q.rate;
        IERC20(sell).safeTransfer(signer, amount);
    }

    /// @dev Refunds every unpaid tranche to the importer's bank and settles the order.
    function _refundRemaining(OrderId id, Parties storage p, uint8 purpose) private {
        Money storage m = _money[id];
        uint256 refund = _unpaid(id, p, m);
        p.paid = uint8((1 << p.trancheCount) - 1);
        p.state = OrderState.Settled;
        _refund(id, p, m, refund, purpose);
        emit OrderSettled(id);
    }

    /// @dev The gross of every unpaid tranche.
    function _unpaid(OrderId id, Parties storage p, Money storage m) private view returns (uint256 total) {
        uint256 packed = _tranches[id];
        uint8 n = p.trancheCount;
        for (uint8 i; i < n; ++i) {
            if (p.paid & (1 << i) == 0) total += _gross(m.amount, packed, i, n);
        }
    }

    function _refund(OrderId id, Parties storage p, Money storage m, uint256 amount, uint8 purpose) private {
        if (amount == 0) return;
        address to = memberRegistry.getMember(p.importerBank).admin;
        emit Refunded(id, to, uint96(amount), _uetr(id, 255, purpose), bytes32(uint256(OrderId.unwrap(id)) << 8));
        IERC20(m.payToken).safeTransfer(to, amount);
    }

    function _order(OrderId id) private view returns (Parties storage p) {
        p = _parties[id];
        if (p.state == OrderState.None) revert TradeUnknownOrder(id);
    }

    /// @dev Order `id`, which must be in state `expected`: every transition's precondition is checked here.
    function _orderIn(OrderId id, OrderState expected) private view returns (Parties storage p) {
        p = _order(id);
        if (p.state != expected) revert TradeInvalidState(id, p.state);
    }

    /// @dev A payment of order `id` into another token needs a quote (rate 0 stands for none).
    function _requireQuoteIfConverting(OrderId id, FxQuote calldata quote) private view {
        Money storage m = _money[id];
        if (m.payoutToken != m.payToken && quote.rate == 0) revert TradeFxQuoteRequired(id);
    }

    /// @dev The caller must be an operator of `party`, active and holding `role`.
    function _requireParty(OrderId id, Role role, MemberId party) private view {
        if (MemberId.unwrap(_requireRole(msg.sender, role)) != MemberId.unwrap(party)) {
            revert TradeUnauthorized(id, msg.sender);
        }
    }

    function _requireMemberRole(MemberId member, Role role) private view {
        IMemberRegistry.Member memory m = memberRegistry.getMember(member);
        if (m.status != MemberStatus.Active || (m.roles >> uint8(role)) & 1 == 0) revert TradeInvalidParty(member);
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
