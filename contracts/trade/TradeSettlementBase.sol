// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {RegistryCalls} from "../libraries/RegistryCalls.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {CreditReporter} from "../access/CreditReporter.sol";
import {EmergencyPause} from "../access/EmergencyPause.sol";
import {MemberGated} from "../access/MemberGated.sol";
import {MemberPayouts} from "../access/MemberPayouts.sol";
import {ICreditRegistry, ProductKind} from "../interfaces/ICreditRegistry.sol";
import {IMemberRegistry, MemberId, Role} from "../interfaces/IMemberRegistry.sol";
import {EvidenceKind, ITradeSettlement, OrderId, OrderState} from "../interfaces/ITradeSettlement.sol";
import {TradeChecks} from "../libraries/TradeChecks.sol";
import {OrderStates} from "../libraries/TradeOrderStates.sol";
import {PackedTranches, PackedTranchesLibrary} from "../libraries/TradePacking.sol";
import {TradePaymentRefs} from "../libraries/TradePaymentRefs.sol";
import {Thresholds, ThresholdsLibrary} from "../libraries/TradeThresholds.sol";
import {UnorderedNonces} from "../libraries/UnorderedNonces.sol";

/// @title TradeSettlementBase
/// @notice The storage and the internal rules shared by {TradeSettlement} and {TradeSettlementCold}, which runs the
///         settlement's less frequent operations by DELEGATECALL on the same storage (so that each runtime stays under
///         the 24,576-byte limit). Nothing may declare storage after this contract.
/// @dev Storage per order: five slots, `Parties` (1 slot), `Money` (3 slots) and the packed tranches (1 slot); the
///      storage-layout test (test/trade/TradeStorageLayout.test.ts) checks these counts against the compiler's
///      layout. A tranche is paid
///      or refunded once: the `paid` bitmask is set before any token moves. Every deadline is stored in active time
///      (EmergencyPause), so a pause moves it on. Every payment to a member goes through `_payMember`: a member that
///      cannot receive (suspended, revoked, frozen) has its money parked, never blocking anybody else's. Credit
///      reports go through `_report` and never block a payment.
abstract contract TradeSettlementBase is
    EIP712,
    ReentrancyGuardTransient,
    MemberPayouts,
    CreditReporter,
    EmergencyPause
{
    using SafeERC20 for IERC20;
    using PackedTranchesLibrary for PackedTranches;
    using ThresholdsLibrary for Thresholds;
    using UnorderedNonces for UnorderedNonces.Bitmap;
    using OrderStates for OrderState;

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
        "ProceedsAssignment(uint64 order,uint32 exporter,uint32 financier,uint64 advance,uint40 deadline,uint256 nonce)"
    );

    uint256 internal constant _BPS = 10_000;
    /// @dev The most tranches an order has (its {PackedTranches} word has 8 lanes).
    uint256 internal constant _MAX_TRANCHES = 8;
    // Order-state sets as Governor-style bitmaps (`bytes32(1 << state)`), for `_orderIn`.
    bytes32 internal constant _CREATED = bytes32(uint256(1) << uint8(OrderState.Created));
    bytes32 internal constant _ACCEPTED = bytes32(uint256(1) << uint8(OrderState.Accepted));
    bytes32 internal constant _FUNDED = bytes32(uint256(1) << uint8(OrderState.Funded));
    bytes32 internal constant _DISPUTED = bytes32(uint256(1) << uint8(OrderState.Disputed));
    bytes32 internal constant _SETTLED = bytes32(uint256(1) << uint8(OrderState.Settled));
    bytes32 internal constant _LAPSED = bytes32(uint256(1) << uint8(OrderState.Lapsed));

    /// @dev The parties and the lifecycle of one order (one slot: 4 x 4 + 4 x 1 + 2 x 2 + 5 + 2 + 1 = 32 bytes).
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
        Thresholds thresholds; // the k of each evidence kind when the order was made (terms apply as agreed)
        bool awardHeld; // an arbiter's award waits in `_heldAwards` for an FX quote (review 28, F1); 0 when created
    }

    /// @dev Money and time of one order (three slots: payToken and amount; payoutToken, expiry, objectionWindow and
    ///      financierPaid; the rest, 32 bytes); every time is active time.
    struct Money {
        address payToken;
        uint96 amount;
        address payoutToken;
        uint40 expiry;
        uint32 objectionWindow;
        bool financierPaid; // a payment of the order went to the financier its proceeds are assigned to
        uint40 deliveredAt;
        uint40 disputeDeadline; // non-zero once disputed (an order is disputed at most once)
        MemberId financier; // proceeds assigned to, or 0
        MemberId fxProvider; // the payee's chosen FX provider, or 0
        uint96 fxMinRate; // the least rate the payee takes from it
        bool advanceOpen; // assigned, and part of the proceeds never reached the financier: its record stays open
        bool advanceDefaulted; // the financier declared that open advance in default (`defaultAdvance`)
    }

    /// @notice The stateless checks this contract deployed (see {TradeChecks}).
    TradeChecks public immutable checks;

    // These three share the slot of EmergencyPause's fields.
    uint40 internal _orderCount;
    uint32 internal _arbiterWindow;
    /// @dev The k of each evidence kind for new orders.
    Thresholds internal _thresholdWord;
    mapping(OrderId => Parties) internal _parties;
    mapping(OrderId => Money) internal _money;
    mapping(OrderId => PackedTranches) internal _tranches;
    /// @dev Each signer's spent nonces: FX providers' quotes and financiers' assignment offers (review 32, A3), which
    ///      `cancelNonce` withdraws alike (the same slots as the nested mapping it replaced).
    mapping(address signer => UnorderedNonces.Bitmap) internal _fxNonces;
    /// @dev An arbiter's award (pay token, gross) held for an FX quote, by order, while `Parties.awardHeld`
    ///      (adversarial review 28, F1): the flag shares the slot every operation reads, so only an order holding one
    ///      reads this.
    mapping(OrderId => uint256) internal _heldAwards;
    constructor(
        IMemberRegistry registry,
        ICreditRegistry credit,
        TradeChecks checks_
    ) MemberGated(registry) CreditReporter(credit) EIP712("Tradeline TradeSettlement", "1") {
        checks = checks_;
    }

    function _fxQuoteDigest(ITradeSettlement.FxQuote calldata q) internal view returns (bytes32) {
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

    function _assignmentDigest(
        OrderId id,
        MemberId exporter,
        MemberId financier,
        uint64 advance,
        uint40 deadline,
        uint256 nonce
    ) internal view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        ASSIGNMENT_TYPEHASH,
                        OrderId.unwrap(id),
                        MemberId.unwrap(exporter),
                        MemberId.unwrap(financier),
                        advance,
                        deadline,
                        nonce
                    )
                )
            );
    }

    function _attestationDigest(OrderId id, EvidenceKind kind, bytes32 documentHash) internal view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(abi.encode(ATTESTATION_TYPEHASH, OrderId.unwrap(id), uint8(kind), documentHash))
            );
    }

    // ─── Internals ──────────────────────────────────────────────────────────

    /// @dev How one payment of an order converts: the FX provider's signer (0: no FX, the payee is paid in the pay
    ///      token), its rate (`RATE_SCALE` without FX) and the quote nonce spent, and whether the exporter's bank's
    ///      fee went to the provider in the same transfer as the amount sold (the bank is the FX provider and takes
    ///      its payout at the quote's signer account: one token movement instead of two).
    struct Fx {
        address provider;
        uint256 rate;
        uint256 nonce;
        bool feeWithSale;
    }

    /// @dev Pays every unpaid tranche whose evidence is complete (or all unpaid ones when `all`), converting their
    ///      net total with one FX quote when the exporter is paid in another token; returns how many were paid. The
    ///      tranches paid together go to the same three members in the same tokens: each leg moves once with their
    ///      sum (the payout being the sum of each tranche's rounded-down conversion), and each tranche has its own
    ///      `TranchePaid`.
    function _payReleased(
        OrderId id,
        Parties storage p,
        bool all,
        ITradeSettlement.FxQuote calldata quote,
        bytes calldata quoteSignature,
        address caller
    ) internal returns (uint256 count) {
        PackedTranches packed = _tranches[id];
        uint8 n = p.trancheCount;
        uint8 due = all ? uint8(~p.paid) & _allTranches(n) : _released(p, packed);
        if (due == 0) return 0;
        Money storage m = _money[id];
        // Evidence without an FX quote records the evidence; the tranches wait for `payReleased` with a quote.
        bool converting = m.payoutToken != m.payToken;
        if (converting && quote.rate == 0) return 0;
        p.paid |= due;
        bool ends = _settleIfPaid(id, p);
        // Every sum here is of pay-token amounts of one order: one currency (item 20). The payout is the sum of each
        // tranche's conversion at the quote's rate (which `_convert` then checks), rounded down tranche by tranche.
        uint256 amount = m.amount;
        Legs memory total;
        for (uint8 i; i < n; ++i) {
            if (due & (1 << i) == 0) continue;
            (uint256 importerFee, uint256 exporterFee, uint256 net) = _fees(p, _trancheGross(amount, packed, i, n));
            total.importerFee += importerFee;
            total.exporterFee += exporterFee;
            total.net += net;
            total.payout += converting ? Math.mulDiv(net, quote.rate, RATE_SCALE) : net;
        }
        Fx memory fx = _convert(id, p, m, quote, quoteSignature, total.net, total.exporterFee, caller);
        address beneficiary = _payLegs(p, m, total, fx);
        for (uint8 i; i < n; ++i) {
            if (due & (1 << i) == 0) continue;
            _emitPaid(id, p, i, _trancheGross(amount, packed, i, n), beneficiary, fx);
            ++count;
        }
        if (ends) _end(id, m, false);
    }

    /// @dev The legs of one payment of `gross`: the banks' fees, the net for the payee, and (set by the caller) the
    ///      payout in the payout token.
    struct Legs {
        uint256 importerFee;
        uint256 exporterFee;
        uint256 net;
        uint256 payout;
    }

    /// @dev The banks' fees on `gross` and the net left for the payee.
    function _fees(
        Parties storage p,
        uint256 gross
    ) internal view returns (uint256 importerFee, uint256 exporterFee, uint256 net) {
        importerFee = _share(gross, p.importerBankFeeBps);
        exporterFee = _share(gross, p.exporterBankFeeBps);
        net = gross - importerFee - exporterFee;
    }

    /// @dev What `net` of the pay token pays out: converted at the quote's rate, rounded down, or itself without FX.
    function _payoutOf(uint256 net, Fx memory fx) internal pure returns (uint256) {
        return fx.provider == address(0) ? net : Math.mulDiv(net, fx.rate, RATE_SCALE);
    }

    /// @dev Pays one award of `gross` (an arbiter's to the exporter's side) like a tranche, as tranche `tranche`.
    function _payTranche(
        OrderId id,
        Parties storage p,
        Money storage m,
        uint8 tranche,
        uint256 gross,
        Fx memory fx
    ) internal {
        (uint256 importerFee, uint256 exporterFee, uint256 net) = _fees(p, gross);
        Legs memory legs = Legs(importerFee, exporterFee, net, _payoutOf(net, fx));
        _emitPaid(id, p, tranche, gross, _payLegs(p, m, legs, fx), fx);
    }

    /// @dev Pays the legs `legs`: fees to the two banks, the net to the payee (through `fx.provider` at its rate when
    ///      converting, `legs.payout`; the pay token already went to the provider, with the exporter's bank's fee when
    ///      `fx.feeWithSale`). Each leg goes to the member's payout account now, or is parked for it: no member's
    ///      state blocks another's payment (item 2). Returns the payee's account tried.
    function _payLegs(
        Parties storage p,
        Money storage m,
        Legs memory legs,
        Fx memory fx
    ) internal returns (address beneficiary) {
        MemberId payee = m.financier;
        if (MemberId.unwrap(payee) == 0) payee = p.exporter;
        else if (!m.financierPaid) m.financierPaid = true;
        address payToken = m.payToken;
        if (fx.provider != address(0)) {
            IERC20 payoutToken = IERC20(m.payoutToken);
            // Straight from the provider to the payee's payout account of the day; when the token refuses the payee,
            // the provider pays the escrow and the amount is parked for the payee (a failing provider reverts).
            beneficiary = RegistryCalls.payoutAccountFor(memberRegistry, payee);
            if (legs.payout != 0 && !payoutToken.trySafeTransferFrom(fx.provider, beneficiary, legs.payout)) {
                payoutToken.safeTransferFrom(fx.provider, address(this), legs.payout);
                (beneficiary, ) = _payMember(payee, address(payoutToken), legs.payout);
            }
        } else {
            (beneficiary, ) = _payMember(payee, payToken, legs.net);
        }
        _payMember(p.importerBank, payToken, legs.importerFee);
        if (!fx.feeWithSale) _payMember(p.exporterBank, payToken, legs.exporterFee);
    }

    /// @dev The `TranchePaid` of tranche `tranche` of order `id`, of `gross`, paid to `beneficiary`.
    function _emitPaid(
        OrderId id,
        Parties storage p,
        uint8 tranche,
        uint256 gross,
        address beneficiary,
        Fx memory fx
    ) internal {
        (uint256 importerFee, uint256 exporterFee, uint256 net) = _fees(p, gross);
        emit ITradeSettlement.TranchePaid(
            id,
            tranche,
            beneficiary,
            TradePaymentRefs.uetr(address(this), id, tranche, TradePaymentRefs.PURPOSE_PAYMENT),
            TradePaymentRefs.endToEndId(id, tranche),
            uint96(gross),
            uint96(importerFee),
            uint96(exporterFee),
            _payoutOf(net, fx),
            fx.rate,
            fx.provider,
            fx.nonce
        );
    }

    /// @dev Tranche `i`'s share of `amount`, rounded down; the last tranche takes the rounding remainder, so the
    ///      tranches always sum to the amount.
    function _trancheGross(
        uint256 amount,
        PackedTranches packed,
        uint8 i,
        uint8 n
    ) internal pure returns (uint256 gross) {
        if (i + 1 < n) return _share(amount, packed.shareBps(i));
        gross = amount;
        for (uint8 j; j + 1 < n; ++j) gross -= _share(amount, packed.shareBps(j));
    }

    /// @dev The gross of the unpaid tranches of order `id` in `mask`.
    function _gross(OrderId id, Parties storage p, uint8 mask) internal view returns (uint256 total) {
        PackedTranches packed = _tranches[id];
        uint8 n = p.trancheCount;
        uint8 unpaid = mask & ~p.paid;
        uint96 amount = _money[id].amount;
        for (uint8 i; i < n; ++i) {
            if (unpaid & (1 << i) != 0) total += _trancheGross(amount, packed, i, n);
        }
    }

    /// @dev The unpaid tranches whose evidence is complete.
    function _released(Parties storage p, PackedTranches packed) internal view returns (uint8 due) {
        uint8 done = p.evidenceDone;
        uint8 paid = p.paid;
        uint8 n = p.trancheCount;
        for (uint8 i; i < n; ++i) {
            if (paid & (1 << i) != 0) continue;
            uint8 needs = packed.evidence(i);
            if (needs & done == needs) due |= uint8(1 << i);
        }
    }

    /// @dev The bitmask of all `n` tranches of an order.
    function _allTranches(uint8 n) internal pure returns (uint8) {
        return uint8((1 << n) - 1);
    }

    /// @dev When order `id` pays out in another token: checks the FX quote for selling `amount` of the pay token,
    ///      spends its nonce and sends the provider `amount` (with `exporterFee`, the exporter's bank's fees of the
    ///      payment, when that bank is the provider and its payout account is the quote's signer). Otherwise returns
    ///      no provider (a rate of 1). The quote must name this order and its payee, and be the payee's choice: the
    ///      payee relays it, or it is by the provider the payee named at no less than its floor (item 8). The arbiter
    ///      of a dispute (`caller` 0) decides shares, never prices: it relays only the named provider's quote, so an
    ///      award to a payee that named none waits for the payee's `setFxTerms` (adversarial review 3, F2).
    function _convert(
        OrderId id,
        Parties storage p,
        Money storage m,
        ITradeSettlement.FxQuote calldata q,
        bytes calldata signature,
        uint256 amount,
        uint256 exporterFee,
        address caller // the relayer; 0 for the arbiter of a dispute
    ) internal returns (Fx memory fx) {
        address payToken = m.payToken;
        if (m.payoutToken == payToken) return Fx(address(0), RATE_SCALE, 0, false);
        _requireQuoteIfConverting(id, q);
        MemberId payee = _payee(p, m);
        MemberId chosen = m.fxProvider;
        // Whether the payee relays the quote itself matters only when it named no provider: asked only then. Only an
        // active payee chooses so (review 26, R26-A).
        bool payeeChose = MemberId.unwrap(chosen) != 0 || (caller != address(0) && _operatesActive(caller, payee));
        (address signer, MemberId provider) = checks.quoteSigner(
            memberRegistry,
            id,
            q,
            _fxQuoteDigest(q),
            signature,
            [payToken, m.payoutToken],
            amount,
            payee,
            chosen,
            m.fxMinRate,
            payeeChose
        );
        if (!_fxNonces[signer].use(q.nonce)) revert ITradeSettlement.TradeFxQuoteNonceUsed(signer, q.nonce);
        fx = Fx(signer, q.rate, q.nonce, false);
        if (
            exporterFee != 0 &&
            MemberId.unwrap(provider) == MemberId.unwrap(p.exporterBank) &&
            RegistryCalls.payoutAccountFor(memberRegistry, provider) == signer
        ) {
            fx.feeWithSale = true;
            amount += exporterFee;
        }
        if (amount != 0) IERC20(payToken).safeTransfer(signer, amount);
    }

    /// @dev Refunds every unreleased unpaid tranche to the importer's bank and ends the order.
    function _refundUnreleased(OrderId id, Parties storage p, uint8 purpose) internal {
        Money storage m = _money[id];
        uint8 stake = uint8(~_released(p, _tranches[id]));
        uint256 refund = _gross(id, p, stake);
        p.paid |= stake & _allTranches(p.trancheCount);
        bool ends = _settleIfPaid(id, p);
        _refund(id, p, m, refund, purpose);
        if (ends) _end(id, m, false);
    }

    /// @dev Ends a dispute: marks the tranches still at stake (unpaid and unreleased) as settled and returns their
    ///      gross; released ones stay owed to the exporter and the order returns to Funded for them.
    function _closeDispute(OrderId id, Parties storage p) internal returns (uint256 atStake) {
        uint8 stake = uint8(~_released(p, _tranches[id])) & ~p.paid & _allTranches(p.trancheCount);
        atStake = _gross(id, p, stake);
        p.paid |= stake;
        _transition(id, p, OrderState.Funded);
    }

    /// @dev Settles the order when every tranche is paid or refunded; called before any token moves (effects before
    ///      interactions). Returns whether it did, so that the caller ends the order (`_end`) after the transfers.
    ///      An order holding an arbiter's award for a quote is not settled, whoever pays its last tranche: the award
    ///      is still owed (adversarial review 29, F1).
    function _settleIfPaid(OrderId id, Parties storage p) internal returns (bool ends) {
        ends = p.paid == _allTranches(p.trancheCount) && !p.awardHeld;
        if (ends) _transition(id, p, OrderState.Settled);
    }

    /// @dev Order `id` ended, settled (`OrderSettled`) or lapsed (`OrderLapsed`). Its trade-finance record, if any,
    ///      is closed when every tranche paid the financier (item 7); the report never blocks the payment (item 1).
    ///      Refunded in part or lapsed, the order did not repay the advance: the record stays open
    ///      (`AdvanceLeftOpen`) until the financier closes it (`closeAdvance`) (adversarial review 3, F1).
    function _end(OrderId id, Money storage m, bool lapsed) internal {
        if (lapsed) emit ITradeSettlement.OrderLapsed(id);
        else emit ITradeSettlement.OrderSettled(id);
        MemberId financier = m.financier;
        if (MemberId.unwrap(financier) == 0) return;
        if (lapsed || m.advanceOpen) {
            m.advanceOpen = true;
            emit ITradeSettlement.AdvanceLeftOpen(id, financier);
        } else {
            _closeExposure(_loanRef(id), _today());
        }
    }

    /// @dev Returns `amount` of the pay token to the importer's bank, named as a refund for `purpose` (one of
    ///      {TradePaymentRefs}'s `PURPOSE_*`).
    function _refund(OrderId id, Parties storage p, Money storage m, uint256 amount, uint8 purpose) internal {
        if (amount == 0) return;
        // What returns to the importer's side never reaches the financier: the order does not repay its advance.
        if (MemberId.unwrap(m.financier) != 0) m.advanceOpen = true;
        (address to, ) = _payMember(p.importerBank, m.payToken, amount);
        emit ITradeSettlement.Refunded(
            id,
            to,
            uint96(amount),
            TradePaymentRefs.uetr(address(this), id, TradePaymentRefs.REFUND_TRANCHE, purpose),
            TradePaymentRefs.endToEndId(id, 0)
        );
    }

    /// @dev Reports the financier's exposure to the exporter for an assignment of order `id` (matures at expiry).
    function _reportAssignment(OrderId id, Parties storage p, Money storage m, uint64 advance) internal {
        _reportExposure(
            m.financier,
            p.exporter,
            _loanRef(id),
            ProductKind.TradeFinance,
            advance,
            uint24(_toWall(m.expiry) / 1 days),
            keccak256(abi.encode(address(this), OrderId.unwrap(id), advance))
        );
    }

    function _order(OrderId id) internal view returns (Parties storage p) {
        p = _parties[id];
        if (p.state == OrderState.None) revert ITradeSettlement.TradeUnknownOrder(id);
    }

    /// @dev Order `id`, which must be in one of the states of `expected` (a Governor-style bitmap of `1 << state`,
    ///      as OpenZeppelin Governor's `_validateStateBitmap`): the state precondition of every operation is checked
    ///      here; its other preconditions (caller, time, evidence, quotes) by the operation itself.
    function _orderIn(OrderId id, bytes32 expected) internal view returns (Parties storage p) {
        p = _order(id);
        OrderState current = p.state;
        if (!current.isIn(expected)) revert ITradeSettlement.TradeUnexpectedOrderState(id, current, expected);
    }

    /// @dev The one place an order's state changes: `to` must be entered from the current state (see
    ///      {OrderStates-predecessors}); the operation already checked its own expected states with `_orderIn`.
    function _transition(OrderId id, Parties storage p, OrderState to) internal {
        OrderState from = p.state;
        bytes32 allowed = OrderStates.predecessors(to);
        if (!from.isIn(allowed)) revert ITradeSettlement.TradeUnexpectedOrderState(id, from, allowed);
        p.state = to;
    }

    /// @dev A payment of order `id` into another token needs a quote (rate 0 stands for none).
    function _requireQuoteIfConverting(OrderId id, ITradeSettlement.FxQuote calldata quote) internal view {
        Money storage m = _money[id];
        if (m.payoutToken != m.payToken && quote.rate == 0) revert ITradeSettlement.TradeFxQuoteRequired(id);
    }

    /// @dev The caller must be an operator of the order's party `party`, which is active: a party's word on a credit
    ///      record (the registry's own error names an unknown or inactive caller).
    function _requireActiveParty(OrderId id, MemberId party) internal view {
        if (!_actsActiveFor(msg.sender, party)) revert ITradeSettlement.TradeUnauthorized(id, msg.sender);
    }

    /// @dev The caller must act in `role` for the order's party `party` (an active member holding the role; the
    ///      registry's own error names an inactive caller or a missing role).
    function _requireActsAs(OrderId id, Role role, MemberId party) internal view {
        if (!_actsAs(msg.sender, role, party)) revert ITradeSettlement.TradeUnauthorized(id, msg.sender);
    }

    /// @dev Member `member`, named in new terms, must be active and hold `role`.
    function _requireMemberRole(MemberId member, Role role) internal view {
        if (!_memberHasRole(member, role)) revert ITradeSettlement.TradeInvalidParty(member);
    }

    /// @dev Whether `member` is a party of the order (importer, exporter, either bank, financier).
    function _isParty(Parties storage p, Money storage m, MemberId member) internal view returns (bool) {
        uint32 x = MemberId.unwrap(member);
        return
            x == MemberId.unwrap(p.importer) ||
            x == MemberId.unwrap(p.exporter) ||
            x == MemberId.unwrap(p.importerBank) ||
            x == MemberId.unwrap(p.exporterBank) ||
            x == MemberId.unwrap(m.financier);
    }

    /// @dev Who the exporter's side of order `id` is paid to: the financier once assigned, else the exporter.
    function _payee(Parties storage p, Money storage m) internal view returns (MemberId) {
        return MemberId.unwrap(m.financier) != 0 ? m.financier : p.exporter;
    }

    function _loanRef(OrderId id) internal pure returns (bytes32) {
        return bytes32(uint256(OrderId.unwrap(id)));
    }

    /// @dev `bps` of `amount`, rounded down. Amounts are at most uint96 sums and bps at most 10,000: the product
    ///      cannot overflow, so no full-width `mulDiv` is needed (the result is the same).
    function _share(uint256 amount, uint256 bps) internal pure returns (uint256) {
        return (amount * bps) / _BPS;
    }
}
