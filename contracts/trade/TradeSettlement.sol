// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {RegistryCalls} from "../libraries/RegistryCalls.sol";
import {ColdPart} from "../libraries/ColdPart.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {ICreditRegistry} from "../interfaces/ICreditRegistry.sol";
import {IMemberRegistry, MemberId, Role} from "../interfaces/IMemberRegistry.sol";
import {EvidenceKind, ITradeSettlement, OrderId, OrderState} from "../interfaces/ITradeSettlement.sol";
import {TradeChecks} from "../libraries/TradeChecks.sol";
import {PackedTranches, PackedTranchesLibrary} from "../libraries/TradePacking.sol";
import {Thresholds, ThresholdsLibrary} from "../libraries/TradeThresholds.sol";
import {UnorderedNonces} from "../libraries/UnorderedNonces.sol";

import {TradeSettlementBase} from "./TradeSettlementBase.sol";
import {TradeSettlementCold} from "./TradeSettlementCold.sol";

/// @title TradeSettlement
/// @notice Evidence-released escrow with atomic FX. See {ITradeSettlement}.
/// @dev The frequent operations run here, and `accept`, `setFxTerms` and `setThreshold` (short, their cold part's
///      account would cost more than their bodies); disputes, pre-shipment finance and refunds run in
///      {TradeSettlementCold} by DELEGATECALL on this contract's storage (both share {TradeSettlementBase}), and the
///      stateless signature checks in {TradeChecks}: both are deployed by the constructor, so the deployment is one
///      contract with the same constructor as before.
contract TradeSettlement is ITradeSettlement, TradeSettlementBase {
    using SafeERC20 for IERC20;
    using PackedTranchesLibrary for PackedTranches;
    using ThresholdsLibrary for Thresholds;
    using UnorderedNonces for UnorderedNonces.Bitmap;

    /// @notice Where the less frequent operations run (by DELEGATECALL).
    TradeSettlementCold public immutable cold;

    constructor(
        IMemberRegistry registry,
        ICreditRegistry credit,
        uint32 arbiterWindow_
    ) TradeSettlementBase(registry, credit, new TradeChecks()) {
        cold = new TradeSettlementCold(registry, credit, checks);
        _arbiterWindow = arbiterWindow_;
        emit ArbiterWindowSet(arbiterWindow_);
        // The initial thresholds (1 oracle per kind, a zero word), so that they too are rebuilt from events.
        for (uint8 k; k <= uint8(type(EvidenceKind).max); ++k) emit ThresholdSet(EvidenceKind(k), 1);
    }

    // ─── Orders ─────────────────────────────────────────────────────────────

    /// @inheritdoc ITradeSettlement
    function createOrder(OrderTerms calldata t) external whenNotPaused returns (OrderId id) {
        MemberId importer = _requireRole(msg.sender, Role.Importer);
        _checkTerms(t);
        PackedTranches packed = _packTranches(t.tranches);
        id = OrderId.wrap(++_orderCount);
        _writeNewParties(id, importer, t);
        // The order's first two money slots. The third (delivery, dispute, financier, FX terms) is empty: the id is
        // new, and every write to an order's money first requires the order to exist (`_orderIn`, `_order`).
        // Assigning its zeros would only rewrite a zero slot (2,200 gas of a cold no-op write).
        Money storage m = _money[id];
        (m.payToken, m.amount) = (t.payToken, t.amount);
        (m.payoutToken, m.expiry, m.objectionWindow) = (t.payoutToken, uint40(_toActive(t.expiry)), t.objectionWindow);
        _tranches[id] = packed;
        emit OrderCreated(
            id,
            importer,
            t.exporter,
            t.documentHash,
            t.amount,
            t.payToken,
            t.payoutToken,
            t.shipmentDeadline,
            t.expiry,
            t.objectionWindow,
            t.tranches
        );
        emit OrderBanksNamed(id, t.importerBank, t.exporterBank, t.importerBankFeeBps, t.exporterBankFeeBps);
    }

    // A new order's parties are written whole, at the bit offsets solc lays {Parties} out at: assigning the struct
    // would write it member by member, a further SLOAD and SSTORE of the slot per group of members. The offsets are
    // pinned by the layout snapshot (docs/storage-layout.md, test/layout/storage-layout.test.ts); `getOrder` reads
    // them back through solc's own layout, and TradeSettlement.test.ts's
    // `test_layout_aNewOrdersPartiesAreWrittenWholeAtSolcsOffsets` reads the raw slot field by field.
    uint256 private constant _PARTIES_EXPORTER_AT = 32;
    uint256 private constant _PARTIES_IMPORTER_BANK_AT = 64;
    uint256 private constant _PARTIES_EXPORTER_BANK_AT = 96;
    uint256 private constant _PARTIES_STATE_AT = 128;
    uint256 private constant _PARTIES_TRANCHE_COUNT_AT = 136;
    uint256 private constant _PARTIES_IMPORTER_FEE_AT = 160;
    uint256 private constant _PARTIES_EXPORTER_FEE_AT = 176;
    uint256 private constant _PARTIES_SHIPMENT_AT = 192;
    uint256 private constant _PARTIES_THRESHOLDS_AT = 232;

    /// @dev Writes order `id`'s parties, which must not exist, as {Parties}: Created, nothing evidenced or paid, the
    ///      evidence thresholds in force now.
    function _writeNewParties(OrderId id, MemberId importer, OrderTerms calldata t) private {
        Parties storage p = _parties[id];
        uint256 word =
            uint256(MemberId.unwrap(importer)) |
                (uint256(MemberId.unwrap(t.exporter)) << _PARTIES_EXPORTER_AT) |
                (uint256(MemberId.unwrap(t.importerBank)) << _PARTIES_IMPORTER_BANK_AT) |
                (uint256(MemberId.unwrap(t.exporterBank)) << _PARTIES_EXPORTER_BANK_AT) |
                (uint256(uint8(OrderState.Created)) << _PARTIES_STATE_AT) |
                (t.tranches.length << _PARTIES_TRANCHE_COUNT_AT) |
                (uint256(t.importerBankFeeBps) << _PARTIES_IMPORTER_FEE_AT) |
                (uint256(t.exporterBankFeeBps) << _PARTIES_EXPORTER_FEE_AT) |
                (uint256(uint40(_toActive(t.shipmentDeadline))) << _PARTIES_SHIPMENT_AT) |
                (uint256(Thresholds.unwrap(_thresholdWord)) << _PARTIES_THRESHOLDS_AT);
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            sstore(p.slot, word)
        }
    }

    /// @dev The terms' parties, amount, fees, tokens and deadlines; each refusal with its own error.
    function _checkTerms(OrderTerms calldata t) private view {
        _requireMemberRole(t.exporter, Role.Exporter);
        _requireMemberRole(t.importerBank, Role.ImporterBank);
        _requireMemberRole(t.exporterBank, Role.Financier);
        if (t.amount == 0) revert TradeZeroAmount();
        if (t.importerBankFeeBps > MAX_FEE_BPS) revert TradeFeeTooHigh(t.importerBankFeeBps, MAX_FEE_BPS);
        if (t.exporterBankFeeBps > MAX_FEE_BPS) revert TradeFeeTooHigh(t.exporterBankFeeBps, MAX_FEE_BPS);
        if (!RegistryCalls.isSettlementToken(memberRegistry, t.payToken)) revert TradeInvalidToken(t.payToken);
        if (!RegistryCalls.isSettlementToken(memberRegistry, t.payoutToken)) revert TradeInvalidToken(t.payoutToken);
        if (block.timestamp >= t.shipmentDeadline) {
            revert TradeShipmentDeadlinePassed(t.shipmentDeadline, block.timestamp);
        }
        if (t.shipmentDeadline >= t.expiry) revert TradeInvalidDeadlines(t.shipmentDeadline, t.expiry);
        // Delivery evidence opens the objection window, which must close before expiry (see {attest}).
        if (uint256(t.shipmentDeadline) + t.objectionWindow >= t.expiry) {
            revert TradeObjectionWindowTooLong(t.shipmentDeadline, t.objectionWindow, t.expiry);
        }
    }

    /// @dev Checks the tranches (1 to 8, non-zero shares summing to 10,000, evidence 1 to 15) and packs them (see
    ///      {PackedTranches}). Here rather than in {TradeChecks}: a call there cost every order a cold account (2,600).
    function _packTranches(Tranche[] calldata tranches) private pure returns (PackedTranches packed) {
        uint256 n = tranches.length;
        if (n == 0 || n > _MAX_TRANCHES) revert TradeInvalidTrancheCount(n, _MAX_TRANCHES);
        uint256 total;
        for (uint256 i; i < n; ++i) {
            Tranche calldata tr = tranches[i];
            if (tr.shareBps == 0 || tr.evidence == 0 || tr.evidence > 15) {
                revert TradeInvalidTranche(i, tr.shareBps, tr.evidence);
            }
            total += tr.shareBps;
            packed = packed.setTranche(i, tr.shareBps, tr.evidence);
        }
        if (total != _BPS) revert TradeTranchesTotal(total);
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
        _requireActsAs(id, Role.ImporterBank, p.importerBank);
        // Funding after the shipment deadline would let the unshipped refund follow at once, racing late evidence.
        if (_activeNow() >= p.shipmentDeadline) revert TradeWindowClosed(id, _toWall(p.shipmentDeadline));
        _transition(id, p, OrderState.Funded);
        Money storage m = _money[id];
        emit OrderFunded(id, msg.sender, m.amount);
        IERC20(m.payToken).safeTransferFrom(msg.sender, address(this), m.amount);
    }

    /// @inheritdoc ITradeSettlement
    /// @dev Run here, not in the cold part: its account and the DELEGATECALL cost more than its body.
    function accept(OrderId id) external whenNotPaused {
        Parties storage p = _orderIn(id, _CREATED);
        _requireActsAs(id, Role.Exporter, p.exporter);
        if (_activeNow() >= p.shipmentDeadline)
            revert ITradeSettlement.TradeWindowClosed(id, _toWall(p.shipmentDeadline));
        _transition(id, p, OrderState.Accepted);
        emit ITradeSettlement.OrderAccepted(id);
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
        address[] memory signers = checks.attestationSigners(
            memberRegistry,
            id,
            kind,
            _attestationDigest(id, kind, documentHash),
            signatures,
            p.thresholds.oracles(kind),
            [p.importer, p.exporter, p.importerBank, p.exporterBank, m.financier]
        );
        for (uint256 i; i < signers.length; ++i) emit EvidenceAttested(id, kind, signers[i], documentHash);
        p.evidenceDone |= bit;
        emit EvidenceCompleted(id, kind, uint8(signatures.length));
        _payReleased(id, p, false, quote, quoteSignature, msg.sender);
    }

    /// @inheritdoc ITradeSettlement
    /// @dev Run here, not in the cold part: its account and the DELEGATECALL cost more than its body.
    function setFxTerms(OrderId id, MemberId provider, uint96 minRate) external whenNotPaused {
        Parties storage p = _orderIn(id, _ACCEPTED | _FUNDED | _DISPUTED);
        Money storage m = _money[id];
        MemberId payee = _payee(p, m);
        // The payee chooses (an operator of it, while it is active); a suspended payee's key chooses nothing, as it
        // gives nothing away (review 26, R26-A): its released tranches wait in escrow until the governor reinstates
        // or revokes it. A revoked payee cannot choose any more: the governor does, so that its released money can
        // still be converted and parked for the consortium's rules (redirectOwed) instead of staying in escrow. The
        // payee's own case is asked first (two registry reads); the registry's error names a payee not active.
        if (MemberId.unwrap(RegistryCalls.memberForKey(memberRegistry, msg.sender)) == MemberId.unwrap(payee)) {
            _requireActive(msg.sender);
        } else if (!_governsForRevoked(msg.sender, payee)) {
            revert ITradeSettlement.TradeUnauthorized(id, msg.sender);
        }
        // Terms that could never apply are refused, not stored (review 32, A2): an order that converts nothing, or a
        // provider that is no active FX provider (zero clears the choice).
        if (m.payoutToken == m.payToken) revert ITradeSettlement.TradeFxNotConverting(id);
        if (MemberId.unwrap(provider) != 0) _requireMemberRole(provider, Role.FxProvider);
        (m.fxProvider, m.fxMinRate) = (provider, minRate);
        emit ITradeSettlement.FxTermsSet(id, provider, minRate);
    }

    // ─── Disputes ───────────────────────────────────────────────────────────

    // ─── Views ──────────────────────────────────────────────────────────────

    /// @inheritdoc ITradeSettlement
    function getOrder(OrderId id) external view returns (OrderView memory o) {
        Parties storage p = _order(id);
        Money storage m = _money[id];
        PackedTranches packed = _tranches[id];
        uint8 n = p.trancheCount;
        o.tranches = new Tranche[](n);
        for (uint8 i; i < n; ++i) o.tranches[i] = Tranche(packed.shareBps(i), packed.evidence(i));
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
        o.advanceOpen = m.advanceOpen;
    }

    // ─── Run by TradeSettlementCold ─────────────────────────────────────────

    /// @inheritdoc ITradeSettlement
    function payReleased(OrderId, FxQuote calldata, bytes calldata) external {
        _runCold();
    }

    /// @inheritdoc ITradeSettlement
    function dispute(OrderId, bytes32) external {
        _runCold();
    }

    /// @inheritdoc ITradeSettlement
    function releaseAfterObjection(OrderId, FxQuote calldata, bytes calldata) external {
        _runCold();
    }

    /// @inheritdoc ITradeSettlement
    function resolve(OrderId, uint16, FxQuote calldata, bytes calldata) external {
        _runCold();
    }

    /// @inheritdoc ITradeSettlement
    function assignProceeds(OrderId, MemberId, uint64, uint40, uint256, bytes calldata) external {
        _runCold();
    }

    /// @inheritdoc ITradeSettlement
    function closeAdvance(OrderId) external {
        _runCold();
    }

    /// @inheritdoc ITradeSettlement
    function defaultAdvance(OrderId) external {
        _runCold();
    }

    /// @inheritdoc ITradeSettlement
    function refundUnshipped(OrderId) external {
        _runCold();
    }

    /// @inheritdoc ITradeSettlement
    /// @dev An unfunded order lapses here; the cold part refunds a funded or disputed one.
    function refundExpired(OrderId id) external {
        Parties storage p = _orderIn(id, _CREATED | _ACCEPTED | _FUNDED | _DISPUTED);
        OrderState s = p.state;
        if (s == OrderState.Created || s == OrderState.Accepted) return _lapse(id, p);
        _runCold();
    }

    /// @inheritdoc ITradeSettlement
    /// @dev Run here, not in the cold part: without its account (2,600 gas) it is within 1.3x of its floor.
    function setThreshold(EvidenceKind kind, uint8 oracles) external onlyGovernor {
        if (oracles == 0 || oracles > ThresholdsLibrary.MAX_ORACLES) revert TradeInvalidThreshold(oracles);
        // Only orders made from now on: a running order keeps the thresholds it was made with.
        _thresholdWord = _thresholdWord.setOracles(kind, oracles);
        emit ThresholdSet(kind, oracles);
    }

    /// @inheritdoc ITradeSettlement
    function fxQuoteDigest(FxQuote calldata q) public view returns (bytes32) {
        return _fxQuoteDigest(q);
    }

    /// @inheritdoc ITradeSettlement
    function assignmentDigest(
        OrderId id,
        MemberId exporter,
        MemberId financier,
        uint64 advance,
        uint40 deadline,
        uint256 nonce
    ) external view returns (bytes32) {
        return _assignmentDigest(id, exporter, financier, advance, deadline, nonce);
    }

    /// @inheritdoc ITradeSettlement
    function cancelNonce(uint256 nonce) external {
        // A key withdraws only what it signed itself, so no standing is asked, as the ledger's `cancelNonce`.
        if (!_fxNonces[msg.sender].use(nonce)) revert TradeFxQuoteNonceUsed(msg.sender, nonce);
        emit NonceCancelled(msg.sender, nonce);
    }

    /// @inheritdoc ITradeSettlement
    function nonceUsed(address signer, uint256 nonce) external view returns (bool) {
        return _fxNonces[signer].isUsed(nonce);
    }

    /// @inheritdoc ITradeSettlement
    function fxTermsOf(OrderId id) external view returns (MemberId provider, uint96 minRate) {
        Money storage m = _money[id];
        return (m.fxProvider, m.fxMinRate);
    }

    /// @inheritdoc ITradeSettlement
    function evidenceThreshold(EvidenceKind kind) external view returns (uint8) {
        return _thresholdWord.oracles(kind);
    }

    /// @inheritdoc ITradeSettlement
    function orderThreshold(OrderId id, EvidenceKind kind) external view returns (uint8) {
        return _order(id).thresholds.oracles(kind);
    }

    /// @inheritdoc ITradeSettlement
    function arbiterWindow() external view returns (uint32) {
        return _arbiterWindow;
    }

    /// @inheritdoc ITradeSettlement
    function escrowOf(OrderId id) external view returns (uint256) {
        Parties storage p = _parties[id];
        if (p.state != OrderState.Funded && p.state != OrderState.Disputed) return 0;
        return _gross(id, p, ~p.paid) + (p.awardHeld ? _heldAwards[id] : 0);
    }

    /// @inheritdoc ITradeSettlement
    function attestationDigest(OrderId id, EvidenceKind kind, bytes32 documentHash) external view returns (bytes32) {
        return _attestationDigest(id, kind, documentHash);
    }

    /// @dev Lapses order `id`, Created or Accepted (so nothing is escrowed), once its shipment deadline passed; under
    ///      the reentrancy guard, as the report that closes a financed order's exposure calls the credit registry.
    function _lapse(OrderId id, Parties storage p) private nonReentrant {
        if (_activeNow() < p.shipmentDeadline) revert ITradeSettlement.TradeTooEarly(id, _toWall(p.shipmentDeadline));
        _transition(id, p, OrderState.Lapsed);
        _end(id, _money[id], true);
    }

    /// @dev Runs this call's data in `cold` on this contract's storage and returns (or reverts) with its result.
    function _runCold() private {
        ColdPart.run(address(cold));
    }
}
