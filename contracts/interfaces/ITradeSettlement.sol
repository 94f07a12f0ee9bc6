// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MemberId} from "./IMemberRegistry.sol";

/// @notice Identifier of one trade order (sequential from 1).
type OrderId is uint64;

/// @notice Life of an order: Created -> Accepted (exporter) -> Funded (importer's bank locks the amount) -> Settled
///         (every tranche paid or refunded). Created orders lapse at the shipment deadline; Funded orders may be
///         Disputed within the objection window, then resolved by an arbiter or refunded.
enum OrderState {
    None,
    Created,
    Accepted,
    Funded,
    Disputed,
    Settled,
    Lapsed
}

/// @notice What releases a tranche: a bitmask of evidence kinds, each attested by k-of-n distinct oracles.
enum EvidenceKind {
    Shipped,
    CustomsCleared,
    Delivered,
    Inspected
}

/// @title ITradeSettlement
/// @notice Trusple-style settlement of a cross-border order: the importer's bank locks the payment, signed logistics
///         and customs evidence releases it tranche by tranche, and an FX provider's signed quote converts each
///         payment atomically into the exporter's currency. Time rules anyone may call refund what is not shipped,
///         release what is not disputed and return what remains at expiry.
/// @dev The settlement also implements IMemberPayouts (every payment goes to a member's payout account at payment
///      time, or is parked for it), IEmergencyPause (every deadline runs in active time, so a pause moves it on) and
///      ICreditReporter (credit reports never block a payment).
interface ITradeSettlement {
    /// @notice One tranche: its share of the amount and the evidence kinds (bitmask of `1 << EvidenceKind`).
    struct Tranche {
        uint16 shareBps;
        uint8 evidence;
    }

    /// @notice The terms the importer proposes.
    struct OrderTerms {
        MemberId exporter;
        MemberId importerBank;
        MemberId exporterBank;
        bytes32 documentHash; // salted commitment to the order document (SDK `documentCommitment`), never a plain hash
        address payToken; // what the importer's bank locks, e.g. tMXN
        address payoutToken; // what the exporter wants, e.g. tCNY (the same token means no FX)
        uint96 amount; // in payToken minor units
        uint16 importerBankFeeBps;
        uint16 exporterBankFeeBps;
        uint40 shipmentDeadline;
        uint32 objectionWindow; // seconds after delivery evidence
        uint40 expiry;
        Tranche[] tranches; // 1 to 8, shares summing to 10,000
    }

    /// @notice Everything about one order, as `getOrder` returns it.
    struct OrderView {
        MemberId importer;
        MemberId exporter;
        MemberId importerBank;
        MemberId exporterBank;
        OrderState state;
        uint8 evidenceDone; // bitmask of completed evidence kinds
        uint8 settledTranches; // bitmask of tranches paid or refunded
        uint16 importerBankFeeBps;
        uint16 exporterBankFeeBps;
        uint40 shipmentDeadline;
        address payToken;
        uint96 amount;
        address payoutToken;
        uint40 expiry;
        uint32 objectionWindow;
        uint40 deliveredAt; // 0 until delivery evidence completes
        uint40 disputeDeadline; // 0 unless disputed
        MemberId financier; // proceeds assigned to, or 0
        bool advanceOpen; // assigned, and part refunded or lapsed: the advance stays open until `closeAdvance`
        Tranche[] tranches;
    }

    /// @notice An FX provider's signed quote (EIP-712 `FxQuote`) for order `order`'s payments to member `beneficiary`
    ///         (the exporter, or the financier the proceeds are assigned to): `rate` buy-token minor units per
    ///         sell-token minor unit, scaled by 1e18; the buy amount is rounded down.
    struct FxQuote {
        OrderId order;
        MemberId beneficiary;
        address sellToken;
        address buyToken;
        uint256 rate;
        uint96 maxSellAmount;
        uint40 expiry;
        uint256 nonce;
    }

    // ─── Events ─────────────────────────────────────────────────────────────

    /// @notice Importer `importer` proposed order `id` to exporter `exporter`: `amount` of `payToken`, paid out in
    ///         `payoutToken`; `shipmentDeadline` and `expiry` are wall-clock times as proposed (a later pause moves
    ///         them on, see {IEmergencyPause}), `objectionWindow` seconds after delivery evidence, and `tranches` the
    ///         shares and evidence kinds in order. The banks and their fees are in {OrderBanksNamed}, emitted with it.
    event OrderCreated(
        OrderId indexed id,
        MemberId indexed importer,
        MemberId indexed exporter,
        bytes32 documentHash,
        uint96 amount,
        address payToken,
        address payoutToken,
        uint40 shipmentDeadline,
        uint40 expiry,
        uint32 objectionWindow,
        Tranche[] tranches
    );
    /// @notice Order `id`, created in the same transaction, names importer's bank `importerBank` and exporter's bank
    ///         `exporterBank` with their fees (a separate event, since one event has at most three indexed topics).
    event OrderBanksNamed(
        OrderId indexed id,
        MemberId indexed importerBank,
        MemberId indexed exporterBank,
        uint16 importerBankFeeBps,
        uint16 exporterBankFeeBps
    );
    event OrderAccepted(OrderId indexed id);
    event OrderFunded(OrderId indexed id, address indexed funder, uint96 amount);
    event EvidenceAttested(OrderId indexed id, EvidenceKind indexed kind, address indexed oracle, bytes32 documentHash);
    event EvidenceCompleted(OrderId indexed id, EvidenceKind indexed kind, uint8 attestations);
    /// @notice Tranche `tranche` of order `id` paid `beneficiary` `payout` of `payoutToken` for `gross` of the pay
    ///         token, after the two banks' fees, at `rate` (1e18 when no FX). `uetr` (indexed) and `endToEndId` name
    ///         the payment; `fxProvider` is the signer of the FX quote that converted it and `quoteNonce` the nonce it
    ///         spent (both 0 when no FX). Tranche 254 is an arbiter's award.
    event TranchePaid(
        OrderId indexed id,
        uint8 tranche,
        address indexed beneficiary,
        bytes16 indexed uetr,
        bytes32 endToEndId,
        uint96 gross,
        uint96 importerBankFee,
        uint96 exporterBankFee,
        uint256 payout,
        uint256 rate,
        address fxProvider,
        uint256 quoteNonce
    );
    /// @notice Order `id` returned `amount` to the importer's bank's account `to`; `uetr` (indexed) and `endToEndId`
    ///         name the payment.
    event Refunded(OrderId indexed id, address indexed to, uint96 amount, bytes16 indexed uetr, bytes32 endToEndId);
    event OrderDisputed(OrderId indexed id, bytes32 reason);
    /// @notice Arbiter `arbiter` resolved the dispute on order `id`: `exporterShareBps` of what was at stake (the
    ///         unreleased unpaid tranches, now settled) goes to the exporter's side, the rest back.
    event DisputeResolved(OrderId indexed id, MemberId indexed arbiter, uint16 exporterShareBps);
    /// @notice The award of `amount` (pay token, gross) the arbiter made on order `id` waits in escrow for an FX quote
    ///         that converts it, as a released tranche does: paid by `payReleased`, whenever the payee can choose and
    ///         the payout token moves. No deadline runs against it (adversarial review 28, F1).
    event AwardHeld(OrderId indexed id, uint96 amount);
    /// @notice No arbiter resolved the dispute on order `id` by its deadline: what was at stake (the unreleased unpaid
    ///         tranches, now settled) returns to the importer's bank (a `Refunded` follows unless it is nothing), and
    ///         the order is Funded again for its released tranches.
    event DisputeExpired(OrderId indexed id);
    event ProceedsAssigned(OrderId indexed id, MemberId indexed financier, uint64 advance);
    /// @notice Order `id` ended without paying financier `financier` every tranche (part refunded, or lapsed): the
    ///         advance's credit record stays open, the exporter's debt, until the financier closes it.
    event AdvanceLeftOpen(OrderId indexed id, MemberId indexed financier);
    /// @notice Financier `financier` closed the credit record of its advance on order `id`: repaid outside the order.
    event AdvanceClosed(OrderId indexed id, MemberId indexed financier);
    /// @notice Financier `financier` declared its advance on order `id` in default: the exporter did not repay it by
    ///         the order's expiry; the advance's credit record is Defaulted.
    event AdvanceDefaulted(OrderId indexed id, MemberId indexed financier);
    /// @notice Every tranche of order `id` was paid or refunded.
    event OrderSettled(OrderId indexed id);
    /// @notice Order `id` was never funded and lapsed at its shipment deadline.
    event OrderLapsed(OrderId indexed id);
    /// @notice Orders made from now on need `oracles` distinct oracles for `kind` evidence (emitted for every kind
    ///         at construction, with the initial 1).
    event ThresholdSet(EvidenceKind indexed kind, uint8 oracles);
    /// @notice An arbiter has `arbiterWindow` seconds from a dispute to resolve it (emitted at construction).
    event ArbiterWindowSet(uint32 arbiterWindow);
    /// @notice The payee of order `id` chose FX provider `provider` at no less than `minRate` for its payments.
    event FxTermsSet(OrderId indexed id, MemberId indexed provider, uint96 minRate);
    /// @notice `signer` cancelled its quote nonce `nonce`, voiding the FX quote it signed with it.
    event NonceCancelled(address indexed signer, uint256 nonce);

    // ─── Errors ─────────────────────────────────────────────────────────────

    /// @notice No order has id `id`.
    error TradeUnknownOrder(OrderId id);
    /// @notice Order `id` is in state `current`; this needs one of `expectedStates` (bit `1 << state` set for each,
    ///         as OpenZeppelin Governor's `GovernorUnexpectedProposalState`).
    error TradeUnexpectedOrderState(OrderId id, OrderState current, bytes32 expectedStates);
    /// @notice An order has 1 to `max` tranches, not `count`.
    error TradeInvalidTrancheCount(uint256 count, uint256 max);
    /// @notice Tranche `index` has a zero share or evidence that is not 1 to 15 (a non-empty set of evidence kinds).
    error TradeInvalidTranche(uint256 index, uint16 shareBps, uint8 evidence);
    /// @notice The tranches' shares sum to `totalBps`, not 10,000.
    error TradeTranchesTotal(uint256 totalBps);
    /// @notice The shipment deadline `shipmentDeadline` is not after now (`now`).
    error TradeShipmentDeadlinePassed(uint40 shipmentDeadline, uint256 now);
    /// @notice The shipment deadline `shipmentDeadline` is not before the expiry `expiry`.
    error TradeInvalidDeadlines(uint40 shipmentDeadline, uint40 expiry);
    /// @notice Delivery evidence at the shipment deadline `shipmentDeadline` would open an objection period of
    ///         `objectionWindow` seconds that ends at or after the expiry `expiry`: an order shipped on time could
    ///         never take its delivery evidence (adversarial review 36, X1).
    error TradeObjectionWindowTooLong(uint40 shipmentDeadline, uint32 objectionWindow, uint40 expiry);
    /// @notice The amount (of the order, or of a financier's advance) is zero.
    error TradeZeroAmount();
    /// @notice A bank's fee of `feeBps` is above the cap `maxBps`.
    error TradeFeeTooHigh(uint16 feeBps, uint256 maxBps);
    /// @notice An arbiter's share of `shareBps` for the exporter's side is above `maxBps` (all of it).
    error TradeShareTooHigh(uint16 shareBps, uint256 maxBps);
    /// @notice Token `token` is not one of the consortium's listed settlement tokens (`isSettlementToken`).
    error TradeInvalidToken(address token);
    /// @notice Member `member` is not active with the role the order gives it (importer's side, exporter's side, or
    ///         the financier of an assignment).
    error TradeInvalidParty(MemberId member);
    /// @notice `account` may not do this on order `id`.
    error TradeUnauthorized(OrderId id, address account);
    /// @notice The attestation's signer `signer` (recovered over the order's digest) is not an operator of an active
    ///         Oracle member.
    error TradeInvalidAttestation(OrderId id, address signer);
    /// @notice Signer `signer` does not come after `previous`: attestations are given once each, in ascending signer
    ///         order.
    error TradeAttestationsUnordered(OrderId id, address signer, address previous);
    /// @notice `kind` evidence needs `needed` distinct oracles; `given` signed.
    error TradeThresholdNotMet(OrderId id, EvidenceKind kind, uint256 given, uint256 needed);
    /// @notice `kind` evidence for order `id` is already complete.
    error TradeEvidenceAlreadyComplete(OrderId id, EvidenceKind kind);
    /// @notice The window for this on order `id` closed at `closedAt`.
    error TradeWindowClosed(OrderId id, uint256 closedAt);
    /// @notice The FX quote sells `sellToken` for `buyToken`; the order pays `payToken` out in `payoutToken`.
    error TradeFxQuoteTokenMismatch(address sellToken, address buyToken, address payToken, address payoutToken);
    /// @notice The FX quote sells at most `maxSellAmount`; the payment converts `amount`.
    error TradeFxQuoteAboveMax(uint256 amount, uint96 maxSellAmount);
    /// @notice The FX quote expired at `expiry`; it is `now`.
    error TradeFxQuoteExpired(uint40 expiry, uint256 now);
    /// @notice The FX quote's signer `signer` (member `member`) is not an operator of an active FX provider.
    error TradeFxQuoteSignerNotProvider(address signer, MemberId member);
    /// @notice Signer `signer` already spent quote nonce `nonce`.
    error TradeFxQuoteNonceUsed(address signer, uint256 nonce);
    /// @notice Order `id` pays the exporter in another token: this payment needs an FX quote.
    error TradeFxQuoteRequired(OrderId id);
    /// @notice The time rule does not apply yet: it applies from `at`.
    error TradeTooEarly(OrderId id, uint256 at);
    /// @notice No tranche of order `id` is released and unpaid: the completed evidence is `evidenceDone` and the
    ///         tranches paid or refunded are `settledTranches` (bitmasks).
    error TradeNothingReleased(OrderId id, uint8 evidenceDone, uint8 settledTranches);
    /// @notice No evidence came for order `id`: nothing is released after an objection window or expiry (see
    ///         `refundExpired`, `refundUnshipped`).
    error TradeNoEvidence(OrderId id);
    /// @notice Order `id` has no delivery evidence, so no objection window to dispute in.
    error TradeNotDelivered(OrderId id);
    /// @notice Order `id` was disputed before (an order is disputed at most once).
    error TradeAlreadyDisputed(OrderId id);
    /// @notice Proceeds of order `id` are already assigned.
    error TradeAlreadyAssigned(OrderId id);
    /// @notice A threshold must be 1 to 16 oracles.
    error TradeInvalidThreshold(uint8 oracles);
    /// @notice Two attestations of order `id` come from operators of the same oracle member `oracle`: k-of-n counts
    ///         institutions, not keys.
    error TradeDuplicateOracleMember(OrderId id, MemberId oracle);
    /// @notice Member `member` is a party of order `id` (importer, exporter, a bank or the financier) and may not act
    ///         on it in a neutral role (arbiter, oracle).
    error TradeConflictOfInterest(OrderId id, MemberId member);
    /// @notice Evidence shows the goods of order `id` moved (`evidenceDone`): what remains is the exporter's, not
    ///         refunded.
    error TradeGoodsMoved(OrderId id, uint8 evidenceDone);
    /// @notice Delivery evidence now would open an objection window closing at `closesAt`, not before the order's
    ///         expiry `expiry`: it is refused.
    error TradeObjectionPastExpiry(OrderId id, uint256 closesAt, uint256 expiry);
    /// @notice The quote names order `order`, not order `id`.
    error TradeFxQuoteNotForOrder(OrderId id, OrderId order);
    /// @notice The quote pays member `beneficiary`, not order `id`'s payee `payee`.
    error TradeFxQuoteNotForPayee(OrderId id, MemberId beneficiary, MemberId payee);
    /// @notice Order `id` has no advance left open: not assigned, paid the financier every tranche, or closed already.
    error TradeAdvanceNotOpen(OrderId id);
    /// @notice The advance on order `id` was already declared in default.
    error TradeAdvanceAlreadyDefaulted(OrderId id);
    /// @notice Order `id` paid its financier part of its proceeds: what is left of the advance cannot be told on the
    ///         chain (another currency, fees, interest), so the whole advance is not booked as a default. The financier
    ///         settles it with the exporter and closes the record (`closeAdvance`), or a Regulator corrects it.
    error TradeAdvancePaidInPart(OrderId id);
    /// @notice The payee of order `id` named no FX provider (`setFxTerms`) and does not relay this quote by `signer`
    ///         itself (an arbiter's award never counts as the payee's relay): it did not choose it.
    error TradeFxQuoteNotChosen(OrderId id, address signer);
    /// @notice Every tranche of order `id` was released by its evidence or paid: a dispute would have nothing at
    ///         stake.
    error TradeNothingAtStake(OrderId id);
    /// @notice Order `id` pays out in the token it is paid in: it converts nothing, so it takes no FX terms.
    error TradeFxNotConverting(OrderId id);
    /// @notice The quote is by provider `provider`; the payee of order `id` named `named` (`setFxTerms`).
    error TradeFxProviderNotNamed(OrderId id, MemberId provider, MemberId named);
    /// @notice The quote's rate `rate` is below the floor `minRate` the payee of order `id` named (`setFxTerms`).
    error TradeFxRateBelowMin(OrderId id, uint256 rate, uint256 minRate);
    /// @notice The assignment of order `id` is not signed by an operator of the financier it names (`signer`
    ///         recovered over this order, exporter, financier, advance and deadline).
    error TradeInvalidAssignment(OrderId id, address signer);
    /// @notice `signer` already spent nonce `nonce`: the assignment it signed with it was used or withdrawn.
    error TradeAssignmentNonceUsed(address signer, uint256 nonce);
    /// @notice The financier's signed assignment of order `id` expired at `deadline`.
    error TradeAssignmentExpired(OrderId id, uint256 deadline);

    // ─── Functions ──────────────────────────────────────────────────────────

    /// @notice The importer proposes an order.
    function createOrder(OrderTerms calldata t) external returns (OrderId id);

    /// @notice The exporter accepts the order, before its shipment deadline.
    function accept(OrderId id) external;

    /// @notice The importer's bank locks the full amount: from then on only the contract's rules move it.
    function fund(OrderId id) external;

    /// @notice `fund` with an ERC-2612 permit for the amount instead of a prior approval. A permit someone else
    ///         already relayed is skipped: the allowance it granted is used.
    function fundWithPermit(OrderId id, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external;

    /// @notice Anyone relays `kind` evidence for order `id`: EIP-712 attestations by at least the threshold of
    ///         distinct active oracles, given in ascending signer order. The transaction that completes a tranche's
    ///         evidence pays it; when the exporter is paid in another currency, `quote` converts the payment.
    function attest(
        OrderId id,
        EvidenceKind kind,
        bytes32 documentHash,
        bytes[] calldata signatures,
        FxQuote calldata quote,
        bytes calldata quoteSignature
    ) external;

    /// @notice Anyone pays the tranches whose evidence is complete but which waited for an FX quote; an arbiter's award
    ///         held for a quote (`AwardHeld`) is paid first, on its own.
    function payReleased(OrderId id, FxQuote calldata quote, bytes calldata quoteSignature) external;

    /// @notice Within the objection window after delivery, the importer disputes what remains in escrow.
    function dispute(OrderId id, bytes32 reason) external;

    /// @notice An Arbiter splits what remains: `exporterShareBps` is paid to the exporter's side (with fees and FX
    ///         like a tranche), the rest returns to the importer's bank. The arbiter decides the share, never the
    ///         price: an award converted into the payout currency takes only a quote of the provider the payee named
    ///         (`setFxTerms`), at or above its floor (`TradeFxQuoteNotChosen` while it named none). Without a quote
    ///         (rate 0) the award is held in escrow for one (`AwardHeld`, then `payReleased`), and the rest is refunded
    ///         at once: a payee that cannot choose yet, or a paused payout token, never hands the award to the
    ///         importer's side by the arbiter's deadline.
    function resolve(
        OrderId id,
        uint16 exporterShareBps,
        FxQuote calldata quote,
        bytes calldata quoteSignature
    ) external;

    /// @notice The exporter assigns the order's proceeds to financier `financier`, once, with the financier's EIP-712
    ///         `ProceedsAssignment` signature (order, exporter, financier, advance, deadline, nonce: the signer's
    ///         unordered nonce, spent here, which `cancelNonce` spends to withdraw the offer): every later payment goes
    ///         to it, and the financier's exposure to the exporter member (`advance`, minor units of the credit
    ///         registry's reporting currency) is reported. The record is closed when the order ends having paid the
    ///         financier every tranche; refunded in part or lapsed, it stays open (`AdvanceLeftOpen`). Pre-shipment
    ///         finance only: before any evidence (`TradeGoodsMoved`) and the shipment deadline (`TradeWindowClosed`).
    ///         New borrowing: the exporter must be active (the member registry's `MemberNotActive` otherwise).
    function assignProceeds(
        OrderId id,
        MemberId financier,
        uint64 advance,
        uint40 deadline,
        uint256 nonce,
        bytes calldata financierSignature
    ) external;

    /// @notice The financier of order `id` (an operator of it, while it is active: a credit report) closes the credit
    ///         record of its advance, which the order left open (`AdvanceLeftOpen`) when it ended: the exporter repaid
    ///         it outside the order.
    function closeAdvance(OrderId id) external;

    /// @notice The financier of order `id` (an operator of it, while it is active: a credit report) declares its
    ///         advance, which the order left open, in default once the order's expiry passed and if the order paid it
    ///         nothing
    ///         (`TradeAdvancePaidInPart`): the advance's credit record becomes Defaulted, the exporter's default.
    ///         `closeAdvance` still closes it if the exporter repays later.
    function defaultAdvance(OrderId id) external;

    /// @notice The payee of order `id` (the exporter, or the financier once assigned) names the FX provider whose
    ///         quotes anyone may relay for its payments, and the least rate it takes. Without it, only the payee
    ///         itself chooses a quote (an arbiter's award waits for it). The payee chooses while it is active (the
    ///         member registry's `MemberNotActive` for a suspended or revoked payee's key); the governor chooses for
    ///         a revoked payee.
    function setFxTerms(OrderId id, MemberId provider, uint96 minRate) external;

    /// @notice Anyone refunds the whole amount to the importer's bank when no evidence at all (of any kind) came by
    ///         the shipment deadline.
    function refundUnshipped(OrderId id) external;

    /// @notice Anyone releases every remaining tranche once the objection window after delivery closed undisputed.
    ///         With no delivery recorded, at expiry once any evidence showed the goods moved and nothing is disputed:
    ///         pays the tranches evidence released and refunds to the importer's bank those whose evidence never came.
    function releaseAfterObjection(OrderId id, FxQuote calldata quote, bytes calldata quoteSignature) external;

    /// @notice Anyone returns what remains of order `id` to the importer's bank at expiry when no evidence came, or
    ///         what a dispute left undecided after the arbiter's deadline (released tranches stay the exporter's), or
    ///         lapses an order that was never funded.
    function refundExpired(OrderId id) external;

    /// @notice The governor sets how many distinct oracles `kind` evidence needs (1 to 16), for orders made from
    ///         then on: a running order keeps the thresholds it was made with.
    function setThreshold(EvidenceKind kind, uint8 oracles) external;

    /// @notice Everything about order `id`; reverts for an unknown id.
    function getOrder(OrderId id) external view returns (OrderView memory o);

    /// @notice The EIP-712 digest an FX provider signs for `quote`.
    function fxQuoteDigest(FxQuote calldata quote) external view returns (bytes32);

    /// @notice How many distinct oracles `kind` evidence needs on orders made now.
    function evidenceThreshold(EvidenceKind kind) external view returns (uint8);

    /// @notice How many distinct oracles `kind` evidence needs on order `id` (fixed when it was made).
    function orderThreshold(OrderId id, EvidenceKind kind) external view returns (uint8);

    /// @notice How long an arbiter has to resolve a dispute, in seconds from the dispute.
    function arbiterWindow() external view returns (uint32);

    /// @notice What order `id` still holds in escrow: the gross of its unpaid tranches, and an award held for an FX
    ///         quote, while funded or disputed.
    function escrowOf(OrderId id) external view returns (uint256);

    /// @notice The EIP-712 digest a financier signs to agree to an assignment of order `id`'s proceeds.
    function assignmentDigest(
        OrderId id,
        MemberId exporter,
        MemberId financier,
        uint64 advance,
        uint40 deadline,
        uint256 nonce
    ) external view returns (bytes32);

    /// @notice A key spends one of its own nonces, voiding what it signed with it before it expires: an FX quote (a
    ///         rate the market left behind) or a financier's offer to advance against an order's proceeds (review 32,
    ///         A3). Anyone may, for its own address only, whatever its member's standing, and while the settlement is
    ///         paused: a quote cancelled then cannot be relayed when it resumes.
    function cancelNonce(uint256 nonce) external;

    /// @notice Whether `signer` spent nonce `nonce`, on a payment, an assignment or by `cancelNonce`.
    function nonceUsed(address signer, uint256 nonce) external view returns (bool);

    /// @notice The FX provider and floor rate the payee of order `id` chose (zero when none).
    function fxTermsOf(OrderId id) external view returns (MemberId provider, uint96 minRate);

    /// @notice The EIP-712 digest an oracle signs for `kind` evidence of order `id` over `documentHash`.
    function attestationDigest(OrderId id, EvidenceKind kind, bytes32 documentHash) external view returns (bytes32);
}
