// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICreditRegistry} from "../interfaces/ICreditRegistry.sol";
import {IMemberRegistry, MemberId, Role} from "../interfaces/IMemberRegistry.sol";
import {ITradeSettlement, OrderId, OrderState} from "../interfaces/ITradeSettlement.sol";
import {TradeChecks} from "../libraries/TradeChecks.sol";
import {TradePaymentRefs} from "../libraries/TradePaymentRefs.sol";
import {UnorderedNonces} from "../libraries/UnorderedNonces.sol";

import {TradeSettlementBase} from "./TradeSettlementBase.sol";

/// @title TradeSettlementCold
/// @notice The less frequent operations of {TradeSettlement} (disputes, pre-shipment finance and refunds), run only
///         by DELEGATECALL from the settlement on its storage; see {ITradeSettlement} for each. Called directly it
///         acts on its own empty storage and holds nothing.
contract TradeSettlementCold is TradeSettlementBase {
    using UnorderedNonces for UnorderedNonces.Bitmap;

    constructor(
        IMemberRegistry registry,
        ICreditRegistry credit,
        TradeChecks checks_
    ) TradeSettlementBase(registry, credit, checks_) {}

    function resolve(
        OrderId id,
        uint16 exporterShareBps,
        ITradeSettlement.FxQuote calldata quote,
        bytes calldata quoteSignature
    ) external whenNotPaused nonReentrant {
        Parties storage p = _orderIn(id, _DISPUTED);
        MemberId arbiter = _requireRole(msg.sender, Role.Arbiter);
        Money storage m = _money[id];
        if (_isParty(p, m, arbiter)) revert ITradeSettlement.TradeConflictOfInterest(id, arbiter);
        if (_activeNow() > m.disputeDeadline) revert ITradeSettlement.TradeWindowClosed(id, _toWall(m.disputeDeadline));
        if (exporterShareBps > _BPS) revert ITradeSettlement.TradeShareTooHigh(exporterShareBps, _BPS);
        // Only what is still at stake is split: released tranches stay owed to the exporter (item 19).
        uint256 atStake = _closeDispute(id, p);
        uint256 toExporter = _share(atStake, exporterShareBps);
        // An award to convert without a quote is held for one, as a released tranche waits: the arbiter decides the
        // share, and whether the payee can choose a quote now (or the payout token moves) no longer decides who gets
        // it (adversarial review 28, F1). The order stays funded until the award is paid.
        bool held = toExporter != 0 && m.payoutToken != m.payToken && quote.rate == 0;
        if (held) (p.awardHeld, _heldAwards[id]) = (true, toExporter);
        bool ends = _settleIfPaid(id, p);
        emit ITradeSettlement.DisputeResolved(id, arbiter, exporterShareBps);
        if (held) {
            emit ITradeSettlement.AwardHeld(id, uint96(toExporter));
        } else if (toExporter != 0) {
            _payAward(id, p, m, toExporter, quote, quoteSignature, address(0));
        }
        _refund(id, p, m, atStake - toExporter, TradePaymentRefs.PURPOSE_ARBITRATION);
        if (ends) _end(id, m, false);
    }

    /// @dev Pays the award `toExporter` of order `id` like a tranche (tranche 254), converted with `quote` when the
    ///      order pays out in another token; `caller` as for {_convert} (0 for the arbiter).
    function _payAward(
        OrderId id,
        Parties storage p,
        Money storage m,
        uint256 toExporter,
        ITradeSettlement.FxQuote calldata quote,
        bytes calldata quoteSignature,
        address caller
    ) private {
        uint256 exporterFee = _share(toExporter, p.exporterBankFeeBps);
        uint256 net = toExporter - _share(toExporter, p.importerBankFeeBps) - exporterFee;
        Fx memory fx = _convert(id, p, m, quote, quoteSignature, net, exporterFee, caller);
        _payTranche(id, p, m, TradePaymentRefs.AWARD_TRANCHE, toExporter, fx);
    }

    // ─── Pre-shipment finance ───────────────────────────────────────────────

    function assignProceeds(
        OrderId id,
        MemberId financier,
        uint64 advance,
        uint40 deadline,
        uint256 nonce,
        bytes calldata financierSignature
    ) external whenNotPaused {
        Parties storage p = _orderIn(id, _ACCEPTED | _FUNDED);
        // New borrowing: the exporter must be active (any role; review 26, R26-B), as every new business is refused to
        // a suspended member.
        _requireActiveParty(id, p.exporter);
        Money storage m = _money[id];
        if (MemberId.unwrap(m.financier) != 0) revert ITradeSettlement.TradeAlreadyAssigned(id);
        // Pre-shipment finance: once any evidence came, tranches may have been released or paid to the exporter,
        // and the financier's signed advance would no longer match what the proceeds are.
        if (p.evidenceDone != 0) revert ITradeSettlement.TradeGoodsMoved(id, p.evidenceDone);
        // Nor once the goods can no longer ship: the order is then refundable, and the advance's record, maturing at
        // the order's expiry, could be reported past its maturity (review 7, G1).
        if (_activeNow() >= p.shipmentDeadline) {
            revert ITradeSettlement.TradeWindowClosed(id, _toWall(p.shipmentDeadline));
        }
        // Nobody finances itself: an exporter that is also a Financier cannot book a loan to itself.
        if (MemberId.unwrap(financier) == MemberId.unwrap(p.exporter)) {
            revert ITradeSettlement.TradeConflictOfInterest(id, financier);
        }
        if (advance == 0) revert ITradeSettlement.TradeZeroAmount();
        if (block.timestamp > deadline) revert ITradeSettlement.TradeAssignmentExpired(id, deadline);
        // The financier agrees to the advance: an operator of the named, active Financier member signed it (item 7).
        address signer = checks.checkAssignment(
            memberRegistry,
            id,
            financier,
            _assignmentDigest(id, p.exporter, financier, advance, deadline, nonce),
            financierSignature
        );
        // Spent from the signer's nonces, which its `cancelNonce` spends to withdraw the offer (review 32, A3).
        if (!_fxNonces[signer].use(nonce)) revert ITradeSettlement.TradeAssignmentNonceUsed(signer, nonce);
        (m.financier, m.fxProvider, m.fxMinRate) = (financier, MemberId.wrap(0), 0);
        emit ITradeSettlement.ProceedsAssigned(id, financier, advance);
        _reportAssignment(id, p, m, advance);
    }

    function closeAdvance(OrderId id) external whenNotPaused nonReentrant {
        Money storage m = _money[id];
        _orderIn(id, _SETTLED | _LAPSED);
        if (!m.advanceOpen) revert ITradeSettlement.TradeAdvanceNotOpen(id);
        MemberId financier = m.financier;
        // The financier, and only it, says the exporter repaid its advance outside the order; a credit report, so only
        // while the financier is active, as the credit registry takes a lender's own reports.
        _requireActiveParty(id, financier);
        m.advanceOpen = false;
        emit ITradeSettlement.AdvanceClosed(id, financier);
        _closeExposure(_loanRef(id), _today());
    }

    function defaultAdvance(OrderId id) external whenNotPaused nonReentrant {
        Money storage m = _money[id];
        _orderIn(id, _SETTLED | _LAPSED);
        if (!m.advanceOpen) revert ITradeSettlement.TradeAdvanceNotOpen(id);
        if (m.advanceDefaulted) revert ITradeSettlement.TradeAdvanceAlreadyDefaulted(id);
        // The record is the whole advance: a default of all of it only when none of the proceeds reached the
        // financier (adversarial review 8, M2).
        if (m.financierPaid) revert ITradeSettlement.TradeAdvancePaidInPart(id);
        // The advance's record matures at the order's expiry: the exporter has until then to repay it.
        if (_activeNow() <= m.expiry) revert ITradeSettlement.TradeTooEarly(id, _toWall(m.expiry) + 1);
        MemberId financier = m.financier;
        // The financier's word, as for `closeAdvance`.
        _requireActiveParty(id, financier);
        m.advanceDefaulted = true;
        emit ITradeSettlement.AdvanceDefaulted(id, financier);
        _defaultExposure(_loanRef(id));
    }

    function refundUnshipped(OrderId id) external nonReentrant {
        Parties storage p = _orderIn(id, _FUNDED);
        // Any evidence (shipped, customs, delivered, inspected) shows the goods moved (item 4).
        if (p.evidenceDone != 0) revert ITradeSettlement.TradeGoodsMoved(id, p.evidenceDone);
        if (_activeNow() <= p.shipmentDeadline)
            revert ITradeSettlement.TradeTooEarly(id, _toWall(p.shipmentDeadline) + 1);
        _refundUnreleased(id, p, TradePaymentRefs.PURPOSE_UNSHIPPED);
    }

    /// @dev A funded or disputed order's refund; the settlement lapses an unfunded one itself.
    function refundExpired(OrderId id) external nonReentrant {
        Parties storage p = _orderIn(id, _FUNDED | _DISPUTED);
        Money storage m = _money[id];
        if (p.state == OrderState.Disputed) {
            // The arbiter left the dispute past its deadline: what was at stake returns to the importer's side.
            if (_activeNow() <= m.disputeDeadline)
                revert ITradeSettlement.TradeTooEarly(id, _toWall(m.disputeDeadline) + 1);
            uint256 atStake = _closeDispute(id, p);
            bool ends = _settleIfPaid(id, p);
            emit ITradeSettlement.DisputeExpired(id);
            _refund(id, p, m, atStake, TradePaymentRefs.PURPOSE_EXPIRED);
            if (ends) _end(id, m, false);
            return;
        }
        // Once evidence shows the goods moved and nothing is disputed, what remains is the exporter's (item 4).
        if (p.evidenceDone != 0) revert ITradeSettlement.TradeGoodsMoved(id, p.evidenceDone);
        if (_activeNow() <= m.expiry) revert ITradeSettlement.TradeTooEarly(id, _toWall(m.expiry) + 1);
        _refundUnreleased(id, p, TradePaymentRefs.PURPOSE_EXPIRED);
    }

    function payReleased(
        OrderId id,
        ITradeSettlement.FxQuote calldata quote,
        bytes calldata quoteSignature
    ) external whenNotPaused nonReentrant {
        // Also while disputed: released tranches are outside the dispute (item 19), and the importer's objection
        // must not hold up what the exporter earned (review 32, A1). The tranches at stake are unreleased and unpaid,
        // so no payment here settles a disputed order; an award is held only once the dispute is resolved.
        Parties storage p = _orderIn(id, _FUNDED | _DISPUTED);
        _requireQuoteIfConverting(id, quote);
        if (p.awardHeld) {
            // An arbiter's award held for a quote, paid on its own, on the payee's choice as a released tranche is.
            Money storage m = _money[id];
            uint256 award = _heldAwards[id];
            p.awardHeld = false;
            delete _heldAwards[id];
            bool ends = _settleIfPaid(id, p);
            _payAward(id, p, m, award, quote, quoteSignature, msg.sender);
            if (ends) _end(id, m, false);
            return;
        }
        if (_payReleased(id, p, false, quote, quoteSignature, msg.sender) == 0) {
            revert ITradeSettlement.TradeNothingReleased(id, p.evidenceDone, p.paid);
        }
    }

    function dispute(OrderId id, bytes32 reason) external whenNotPaused {
        Parties storage p = _orderIn(id, _FUNDED);
        // An existing order's party acts by membership, not by a role it may since have lost (item 24), and also
        // while suspended, since the order's windows keep running (item 18). A revoked importer's objection is the
        // governor's (review 34, T1): otherwise nobody could object, and the tranches evidence never released would
        // pass to the exporter when the window closes.
        if (!_operatesUnrevoked(msg.sender, p.importer) && !_governsForRevoked(msg.sender, p.importer)) {
            revert ITradeSettlement.TradeUnauthorized(id, msg.sender);
        }
        Money storage m = _money[id];
        if (m.deliveredAt == 0) revert ITradeSettlement.TradeNotDelivered(id);
        if (m.disputeDeadline != 0) revert ITradeSettlement.TradeAlreadyDisputed(id);
        // A dispute is over the tranches evidence did not release: with none left, there is nothing to arbitrate.
        if (uint8(~_released(p, _tranches[id])) & ~p.paid & _allTranches(p.trancheCount) == 0) {
            revert ITradeSettlement.TradeNothingAtStake(id);
        }
        uint256 closesAt = uint256(m.deliveredAt) + m.objectionWindow;
        if (_activeNow() > closesAt) revert ITradeSettlement.TradeWindowClosed(id, _toWall(closesAt));
        _transition(id, p, OrderState.Disputed);
        m.disputeDeadline = uint40(_activeNow() + _arbiterWindow);
        emit ITradeSettlement.OrderDisputed(id, reason);
    }

    function releaseAfterObjection(
        OrderId id,
        ITradeSettlement.FxQuote calldata quote,
        bytes calldata quoteSignature
    ) external whenNotPaused nonReentrant {
        Parties storage p = _orderIn(id, _FUNDED);
        Money storage m = _money[id];
        if (m.deliveredAt == 0) {
            // No delivery recorded, so the importer could not object: at expiry only what evidence released is paid
            // (with a quote when converting; without one it stays released, for `payReleased`), and every tranche
            // whose evidence never came returns to the importer's side. One attestation of a cheap kind no longer
            // pays tranches that need another kind, or a higher threshold (adversarial review 4, B-F1).
            if (p.evidenceDone == 0) revert ITradeSettlement.TradeNoEvidence(id);
            if (_activeNow() <= m.expiry) revert ITradeSettlement.TradeTooEarly(id, _toWall(m.expiry) + 1);
            uint8 settled = p.paid;
            _payReleased(id, p, false, quote, quoteSignature, msg.sender);
            if (p.state == OrderState.Funded) _refundUnreleased(id, p, TradePaymentRefs.PURPOSE_EXPIRED);
            // A call that paid and refunded nothing is refused, not a success that did nothing (review 34, T2).
            if (p.paid == settled) revert ITradeSettlement.TradeNothingReleased(id, p.evidenceDone, p.paid);
            return;
        }
        // Delivered and not disputed within the objection window: the importer accepted what remains.
        uint256 at = uint256(m.deliveredAt) + m.objectionWindow + 1;
        if (_activeNow() < at) revert ITradeSettlement.TradeTooEarly(id, _toWall(at));
        _requireQuoteIfConverting(id, quote);
        if (_payReleased(id, p, true, quote, quoteSignature, msg.sender) == 0) {
            revert ITradeSettlement.TradeNothingReleased(id, p.evidenceDone, p.paid);
        }
    }
}
