// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {CreditReporter} from "../access/CreditReporter.sol";
import {EmergencyPause} from "../access/EmergencyPause.sol";
import {MemberGated} from "../access/MemberGated.sol";
import {MemberPayouts} from "../access/MemberPayouts.sol";
import {ICreditModuleReports} from "../interfaces/ICreditModuleReports.sol";
import {ICreditRegistry} from "../interfaces/ICreditRegistry.sol";
import {IMemberRegistry, MemberId, MemberStatus, Role} from "../interfaces/IMemberRegistry.sol";
import {EvidenceKind, ITradeSettlement, OrderId, OrderState} from "../interfaces/ITradeSettlement.sol";
import {TradeChecks} from "../libraries/TradeChecks.sol";

/// @title TradeSettlementBase
/// @notice The storage and the internal rules shared by {TradeSettlement} and {TradeSettlementCold}, which runs the
///         settlement's less frequent operations by DELEGATECALL on the same storage (so that each runtime stays under
///         the 24,576-byte limit). Nothing may declare storage after this contract.
/// @dev Storage per order: `Parties` (1 slot), `Money` (3 slots) and the packed tranches (1 slot). A tranche is paid
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

    uint256 internal constant _BPS = 10_000;
    uint256 internal constant _CREATED = 1 << uint8(OrderState.Created);
    uint256 internal constant _ACCEPTED = 1 << uint8(OrderState.Accepted);
    uint256 internal constant _FUNDED = 1 << uint8(OrderState.Funded);
    uint256 internal constant _DISPUTED = 1 << uint8(OrderState.Disputed);

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
        uint16 thresholds; // the k of each evidence kind when the order was made (terms apply as agreed)
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

    /// @notice The stateless checks this contract deployed (see {TradeChecks}).
    TradeChecks public immutable checks;

    uint40 internal _orderCount;
    uint32 internal _arbiterWindow;
    /// @dev The k of each evidence kind for new orders, less one, 4 bits per kind (so 0 means 1 oracle).
    uint16 internal _thresholdWord;
    mapping(OrderId => Parties) internal _parties;
    mapping(OrderId => Money) internal _money;
    mapping(OrderId => uint256) internal _tranches; // 8 x (uint16 share, uint8 evidence), packed low to high
    mapping(address signer => mapping(uint256 word => uint256 bits)) internal _fxNonces;
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
        uint40 deadline
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
                        deadline
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

    /// @dev Pays every unpaid tranche whose evidence is complete (or all unpaid ones when `all`), converting their
    ///      net total with one FX quote when the exporter is paid in another token; returns how many were paid.
    function _payReleased(
        OrderId id,
        Parties storage p,
        bool all,
        ITradeSettlement.FxQuote calldata quote,
        bytes calldata quoteSignature,
        address caller
    ) internal returns (uint256 count) {
        uint256 packed = _tranches[id];
        uint8 n = p.trancheCount;
        uint8 due = all ? uint8(~p.paid) & uint8((1 << n) - 1) : _released(p, packed);
        if (due == 0) return 0;
        Money storage m = _money[id];
        // Evidence without an FX quote records the evidence; the tranches wait for `payReleased` with a quote.
        if (m.payoutToken != m.payToken && quote.rate == 0) return 0;
        p.paid |= due;
        bool ends = _settleIfPaid(p);
        // Every sum here is of pay-token amounts of one order: one currency (item 20).
        uint256 totalNet;
        for (uint8 i; i < n; ++i) {
            if (due & (1 << i) != 0) totalNet += _net(p, _trancheGross(m.amount, packed, i, n));
        }
        address provider = _convert(id, p, m, quote, quoteSignature, totalNet, caller);
        for (uint8 i; i < n; ++i) {
            if (due & (1 << i) == 0) continue;
            _payTranche(id, p, m, i, _trancheGross(m.amount, packed, i, n), provider, quote);
            ++count;
        }
        if (ends) _end(id, m, false);
    }

    /// @dev Pays one tranche: fees to the two banks, the net to the payee (through `provider` at `quote`'s rate when
    ///      converting; the pay token already went to the provider). Each leg goes to the member's payout account now,
    ///      or is parked for it: no member's state blocks another's payment (item 2).
    function _payTranche(
        OrderId id,
        Parties storage p,
        Money storage m,
        uint8 tranche,
        uint256 gross,
        address provider,
        ITradeSettlement.FxQuote calldata quote
    ) internal {
        uint256 rate = provider == address(0) ? RATE_SCALE : quote.rate;
        uint256 importerFee = _share(gross, p.importerBankFeeBps);
        uint256 exporterFee = _share(gross, p.exporterBankFeeBps);
        uint256 net = gross - importerFee - exporterFee;
        MemberId payee = _payee(p, m);
        address payToken = m.payToken;
        uint256 payout = net;
        address beneficiary;
        if (provider != address(0)) {
            payout = Math.mulDiv(net, rate, RATE_SCALE);
            IERC20 payoutToken = IERC20(m.payoutToken);
            // Straight from the provider to the payee's payout account of the day; when the token refuses the payee,
            // the provider pays the escrow and the amount is parked for the payee (a failing provider reverts).
            beneficiary = memberRegistry.payoutAccountOf(payee);
            if (payout != 0 && !payoutToken.trySafeTransferFrom(provider, beneficiary, payout)) {
                payoutToken.safeTransferFrom(provider, address(this), payout);
                (beneficiary, ) = _payMember(payee, address(payoutToken), payout);
            }
        } else {
            (beneficiary, ) = _payMember(payee, payToken, net);
        }
        _payMember(p.importerBank, payToken, importerFee);
        _payMember(p.exporterBank, payToken, exporterFee);
        emit ITradeSettlement.TranchePaid(
            id,
            tranche,
            beneficiary,
            _uetr(id, tranche, 0),
            bytes32((uint256(OrderId.unwrap(id)) << 8) | tranche),
            uint96(gross),
            uint96(importerFee),
            uint96(exporterFee),
            payout,
            rate,
            provider,
            provider == address(0) ? 0 : quote.nonce
        );
    }

    /// @dev Tranche `i`'s share of `amount`, rounded down; the last tranche takes the rounding remainder, so the
    ///      tranches always sum to the amount.
    function _trancheGross(uint256 amount, uint256 packed, uint8 i, uint8 n) internal pure returns (uint256 gross) {
        if (i + 1 < n) return _share(amount, uint16(packed >> (24 * i)));
        gross = amount;
        for (uint8 j; j + 1 < n; ++j) gross -= _share(amount, uint16(packed >> (24 * j)));
    }

    /// @dev The gross of the unpaid tranches of order `id` in `mask`.
    function _gross(OrderId id, Parties storage p, uint8 mask) internal view returns (uint256 total) {
        uint256 packed = _tranches[id];
        uint8 n = p.trancheCount;
        uint96 amount = _money[id].amount;
        for (uint8 i; i < n; ++i) {
            if (mask & (1 << i) != 0 && p.paid & (1 << i) == 0) total += _trancheGross(amount, packed, i, n);
        }
    }

    /// @dev The unpaid tranches whose evidence is complete.
    function _released(Parties storage p, uint256 packed) internal view returns (uint8 due) {
        uint8 done = p.evidenceDone;
        uint8 n = p.trancheCount;
        for (uint8 i; i < n; ++i) {
            if (p.paid & (1 << i) != 0) continue;
            uint8 needs = uint8(packed >> (24 * i + 16));
            if (needs & done == needs) due |= uint8(1 << i);
        }
    }

    /// @dev When order `id` pays out in another token: checks the FX quote for selling `amount` of the pay token,
    ///      spends its nonce and sends the provider `amount`; returns the provider (whose rate is the quote's).
    ///      Otherwise returns no provider (a rate of 1). The quote must name this order and its payee, and be the
    ///      payee's choice: the payee relays it, or it is by the provider the payee named at no less than its floor,
    ///      or (no provider named) the arbiter of a dispute picks it (`caller` 0) (item 8).
    function _convert(
        OrderId id,
        Parties storage p,
        Money storage m,
        ITradeSettlement.FxQuote calldata q,
        bytes calldata signature,
        uint256 amount,
        address caller // the relayer; 0 for the arbiter of a dispute
    ) internal returns (address signer) {
        if (m.payoutToken == m.payToken) return address(0);
        _requireQuoteIfConverting(id, q);
        signer = checks.quoteSigner(
            memberRegistry,
            id,
            q,
            _fxQuoteDigest(q),
            signature,
            [m.payToken, m.payoutToken],
            amount,
            _payee(p, m),
            m.fxProvider,
            m.fxMinRate,
            caller == address(0) || _payeeRelays(caller, _payee(p, m))
        );
        uint256 bit = 1 << (q.nonce & 0xff);
        uint256 word = _fxNonces[signer][q.nonce >> 8];
        if (word & bit != 0) revert ITradeSettlement.TradeInvalidFxQuote(signer, q.nonce);
        _fxNonces[signer][q.nonce >> 8] = word | bit;
        IERC20(m.payToken).safeTransfer(signer, amount);
    }

    /// @dev Refunds every unreleased unpaid tranche to the importer's bank and ends the order.
    function _refundUnreleased(OrderId id, Parties storage p, uint8 purpose) internal {
        Money storage m = _money[id];
        uint8 stake = uint8(~_released(p, _tranches[id]));
        uint256 refund = _gross(id, p, stake);
        p.paid |= stake & uint8((1 << p.trancheCount) - 1);
        bool ends = _settleIfPaid(p);
        _refund(id, p, m, refund, purpose);
        if (ends) _end(id, m, false);
    }

    /// @dev Ends a dispute: marks the tranches still at stake (unpaid and unreleased) as settled and returns their
    ///      gross; released ones stay owed to the exporter and the order returns to Funded for them.
    function _closeDispute(OrderId id, Parties storage p) internal returns (uint256 atStake) {
        uint8 stake = uint8(~_released(p, _tranches[id])) & ~p.paid & uint8((1 << p.trancheCount) - 1);
        atStake = _gross(id, p, stake);
        p.paid |= stake;
        p.state = OrderState.Funded;
    }

    /// @dev Settles order `id` once every tranche is paid or refunded.
    /// @dev Settles the order when every tranche is paid or refunded; called before any token moves (effects before
    ///      interactions). Returns whether it did, so that the caller ends the order (`_end`) after the transfers.
    function _settleIfPaid(Parties storage p) internal returns (bool ends) {
        ends = p.paid == uint8((1 << p.trancheCount) - 1);
        if (ends) p.state = OrderState.Settled;
    }

    /// @dev Order `id` ended, settled (`OrderSettled`) or lapsed (`OrderLapsed`): its trade-finance record, if any,
    ///      is closed, whatever the path (item 7); the report never blocks the payment (item 1).
    function _end(OrderId id, Money storage m, bool lapsed) internal {
        if (lapsed) emit ITradeSettlement.OrderLapsed(id);
        else emit ITradeSettlement.OrderSettled(id);
        if (MemberId.unwrap(m.financier) != 0) {
            bytes32 ref = _loanRef(id);
            _report(ref, abi.encodeCall(ICreditModuleReports.closeExposure, (ref)));
        }
    }

    function _refund(OrderId id, Parties storage p, Money storage m, uint256 amount, uint8 purpose) internal {
        if (amount == 0) return;
        (address to, ) = _payMember(p.importerBank, m.payToken, amount);
        emit ITradeSettlement.Refunded(
            id,
            to,
            uint96(amount),
            _uetr(id, 255, purpose),
            bytes32(uint256(OrderId.unwrap(id)) << 8)
        );
    }

    function _order(OrderId id) internal view returns (Parties storage p) {
        p = _parties[id];
        if (p.state == OrderState.None) revert ITradeSettlement.TradeUnknownOrder(id);
    }

    /// @dev Order `id`, which must be in one of the states of `allowed` (a mask of `1 << state`): the state
    ///      precondition of every transition is checked here; its other preconditions (caller, time, evidence,
    ///      quotes) are checked by the transition itself.
    function _orderIn(OrderId id, uint256 allowed) internal view returns (Parties storage p) {
        p = _order(id);
        if ((1 << uint8(p.state)) & allowed == 0) revert ITradeSettlement.TradeInvalidState(id, p.state);
    }

    /// @dev A payment of order `id` into another token needs a quote (rate 0 stands for none).
    function _requireQuoteIfConverting(OrderId id, ITradeSettlement.FxQuote calldata quote) internal view {
        Money storage m = _money[id];
        if (m.payoutToken != m.payToken && quote.rate == 0) revert ITradeSettlement.TradeFxQuoteRequired(id);
    }

    /// @dev The caller must be an operator of member `party`, not revoked: an existing order's party acts by
    ///      membership, whatever roles it holds now (item 24), and also while suspended, since the order's windows keep
    ///      running (item 18); suspension stops new business only.
    /// @dev Whether `caller` relays for `payee` itself: an operator of the payee, which is not revoked.
    function _payeeRelays(address caller, MemberId payee) internal view returns (bool) {
        return
            MemberId.unwrap(memberRegistry.memberOf(caller)) == MemberId.unwrap(payee) &&
            memberRegistry.statusOf(payee) != MemberStatus.Revoked;
    }

    /// @dev The k of evidence `kind` in a packed threshold word.
    function _threshold(uint16 word, EvidenceKind kind) internal pure returns (uint8) {
        return uint8((word >> (4 * uint8(kind))) & 0xf) + 1;
    }

    function _requireMember(OrderId id, MemberId party) internal view {
        if (
            MemberId.unwrap(memberRegistry.memberOf(msg.sender)) != MemberId.unwrap(party) ||
            memberRegistry.statusOf(party) == MemberStatus.Revoked
        ) revert ITradeSettlement.TradeUnauthorized(id, msg.sender);
    }

    function _requireMemberRole(MemberId member, Role role) internal view {
        if (!memberRegistry.hasMemberRole(member, role)) revert ITradeSettlement.TradeInvalidParty(member);
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

    /// @dev A UUID v4 derived from the payment's identity: version nibble 4, variant bits 10.
    function _uetr(OrderId id, uint8 tranche, uint8 purpose) internal view returns (bytes16 uetr) {
        uetr = bytes16(keccak256(abi.encode(address(this), OrderId.unwrap(id), tranche, purpose)));
        // UUID layout xxxxxxxx-xxxx-4xxx-[89ab]xxx-…: byte 6's high nibble is the version, byte 8 the variant.
        uetr = (uetr & ~bytes16(0x000000000000f0000000000000000000)) | bytes16(0x00000000000040000000000000000000);
        uetr = (uetr & ~bytes16(0x0000000000000000c000000000000000)) | bytes16(0x00000000000000008000000000000000);
    }

    /// @dev What `gross` leaves for the exporter's side once both banks took their fees.
    function _net(Parties storage p, uint256 gross) internal view returns (uint256) {
        return gross - _share(gross, p.importerBankFeeBps) - _share(gross, p.exporterBankFeeBps);
    }

    function _share(uint256 amount, uint256 bps) internal pure returns (uint256) {
        return Math.mulDiv(amount, bps, _BPS);
    }
}
