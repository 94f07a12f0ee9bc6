// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MemberId, MemberStatus} from "./IMemberRegistry.sol";

/// @notice Identifier of one receivable: `(family << 24) | index`. A family is everything split from one confirmed
///         root; index 0 is the root itself, so `family` names the root and its terms.
type ReceivableId is uint64;

/// @notice Life of a family (a confirmed root and every piece split from it): Requested -> Confirmed -> Repaid, or
///         Confirmed -> Overdue (past maturity plus grace) -> Defaulted (a financier declared its piece in default)
///         -> Repaid: a default never closes the payment path. A request the debtor never confirmed ends Rejected (by
///         the debtor or withdrawn by the supplier) or Lapsed (at maturity); it never held its invoices.
enum FamilyState {
    None,
    Requested,
    Confirmed,
    Overdue,
    Repaid,
    Defaulted,
    Rejected,
    Lapsed
}

/// @notice Life of one piece: Held by a supplier, Financed (held by the bank that discounted it), Collected (its
///         holder was paid at maturity).
enum PieceState {
    None,
    Held,
    Financed,
    Collected
}

/// @title IReceivableLedgerTypes
/// @notice The structs, events and errors of {IReceivableLedger}, shared by the ledger and the part that runs its less
///         frequent operations ({ReceivableLedgerCold}).
interface IReceivableLedgerTypes {
    /// @notice A piece as the ledger holds it.
    struct Piece {
        MemberId holder; // the member holding it: any of its active operators moves it; paid at its payout account
        uint64 face; // minor units of the family's token
        uint8 tier; // 1 for the confirmed root's holder, +1 per transfer
        PieceState state;
        bool frozen;
        bool encumbered;
        bool recourse; // financed with recourse: the seller's exposure is in the credit registry
        bool defaulted; // its financier declared it in default (reported against the debtor)
        MemberId pledgee; // the financier it is pledged to (it gets the proceeds), or 0
    }

    /// @notice The terms every piece of a family shares.
    struct Family {
        MemberId debtor; // the core enterprise
        address token; // the settlement token it pays in
        uint40 maturity; // unix seconds, moved on by every pause (paused time never runs against the debtor)
        uint24 pieces; // how many pieces the family has had (the next index)
        uint96 face; // the confirmed face of the whole family
        uint96 paid; // what the debtor paid: face plus any penalty interest
        FamilyState state;
        uint40 repaidAt;
        uint32 graceSeconds; // the grace period agreed at confirmation
        uint16 penaltyRateBps; // the penalty rate agreed at confirmation
    }

    /// @notice A credit line in one token that the financier the debtor chose granted it: confirmations in that token
    ///         are refused past it. Lines in different tokens (currencies) are never added.
    struct CreditLine {
        MemberId financier;
        uint96 limit;
        uint96 used; // outstanding confirmed face
        bool frozen;
    }

    /// @notice A financier's signed price for one receivable (EIP-712 `Quote`).
    struct Quote {
        ReceivableId id;
        uint16 rateBps; // discount rate, basis points per year
        uint16 dayBase; // 360 or 365
        bool recourse; // with recourse, the seller's exposure is reported to the credit registry
        MemberId seller; // the member the financier agrees to buy from (and, with recourse, to report exposure to)
        uint40 expiry;
        uint256 nonce; // unordered; each (signer, nonce) is usable once
    }

    // ─── Events ─────────────────────────────────────────────────────────────

    /// @notice `financier` set the `token` credit line of `debtor` to `limit`.
    event CreditLineSet(MemberId indexed debtor, MemberId indexed financier, address indexed token, uint96 limit);
    /// @notice The `token` credit line of `debtor` was frozen or unfrozen.
    event CreditLineFrozen(MemberId indexed debtor, address indexed token, bool frozen);
    /// @notice The `token` credit line of `debtor` now belongs to `financier` (chosen by the debtor, or reassigned by
    ///         the governor when `byGovernor`); its limit restarts at 0 and its use is kept.
    event CreditLineAssigned(
        MemberId indexed debtor,
        address indexed token,
        MemberId indexed financier,
        bool byGovernor
    );
    /// @notice Supplier `holder` asked `debtor` to confirm root `id`.
    event ReceivableRequested(
        ReceivableId indexed id,
        MemberId indexed debtor,
        MemberId indexed holder,
        address token,
        uint64 face,
        uint40 maturity
    );
    /// @notice Requested root `id` will never be confirmed: rejected or withdrawn by `by`, or lapsed at maturity.
    ///         It never held its invoices, so nothing is freed.
    event RequestClosed(ReceivableId indexed id, MemberId indexed by, FamilyState state);
    /// @notice Invoice `invoiceKey` of the root's debtor now backs confirmed root `id`, for ever.
    event InvoiceUsed(bytes32 indexed invoiceKey, ReceivableId indexed id);
    /// @notice Root `id` was confirmed by its debtor; `used` is the debtor's credit line use after it.
    event ReceivableConfirmed(ReceivableId indexed id, MemberId indexed debtor, uint96 used);
    /// @notice Root `id` was confirmed with the EIP-712 signature of the debtor's operator `signer`, which anyone may
    ///         relay (`confirmWithSignature`): it spent `signer`'s signature nonce `nonce` (`nonceUsed(signer, nonce)`
    ///         is now true). `ReceivableConfirmed` follows.
    event ConfirmationRelayed(ReceivableId indexed id, address indexed signer, uint256 nonce);
    /// @notice Piece `parent` of family `root`, held by `holder`, was split: it keeps `faces[0]`; new piece
    ///         `firstChild + i` got `faces[i + 1]`, held by `holder` too.
    event ReceivableSplit(
        ReceivableId indexed parent,
        MemberId indexed holder,
        ReceivableId indexed root,
        ReceivableId firstChild,
        uint64[] faces
    );
    /// @notice Piece `id` moved from `from` to `to`, now at `tier`.
    event ReceivableTransferred(ReceivableId indexed id, MemberId indexed from, MemberId indexed to, uint8 tier);
    /// @notice Piece `id` was sold by `seller` to `financier` for `price`, on the quote of financier operator
    ///         `signer` (who paid the price), which spent its quote nonce `nonce`.
    event ReceivableFinanced(
        ReceivableId indexed id,
        MemberId indexed seller,
        MemberId indexed financier,
        uint256 price,
        uint16 rateBps,
        uint16 dayBase,
        bool recourse,
        address signer,
        uint256 nonce
    );
    /// @notice Piece `id` was pledged to, or released by, financier `financier`.
    event ReceivableEncumbered(ReceivableId indexed id, MemberId indexed financier, bool encumbered);
    /// @notice The regulator froze or unfroze piece `id`.
    event ReceivableFrozen(ReceivableId indexed id, bool frozen, bytes32 reason);
    /// @notice Debtor `debtor` paid family `root`: `amount` is the face plus `penalty`.
    event FamilyRepaid(ReceivableId indexed root, MemberId indexed debtor, uint256 amount, uint256 penalty);
    /// @notice Piece `id` paid `amount` to member `payee` (its holder, or the financier it is pledged to); `paid` is
    ///         false when the payment was parked for the member (see {IMemberPayouts}).
    event ReceivableCollected(ReceivableId indexed id, MemberId indexed payee, uint256 amount, bool paid);
    /// @notice Family `root` of debtor `debtor` is past maturity plus grace and unpaid.
    event FamilyOverdue(ReceivableId indexed root, MemberId indexed debtor);
    /// @notice Financier `financier` declared its piece `id` in default (`face` of it unpaid past maturity plus grace).
    event PieceDefaulted(ReceivableId indexed id, MemberId indexed financier, uint64 face);
    /// @notice Financier `financier` closed the recourse record of its piece `id`: the seller made it whole outside
    ///         the ledger.
    event RecourseClosed(ReceivableId indexed id, MemberId indexed financier);
    /// @notice Financier `financier` declared the seller's recourse on its piece `id` in default: the seller did not
    ///         make it whole; the recourse record in the credit registry is Defaulted.
    event RecourseDefaulted(ReceivableId indexed id, MemberId indexed financier);
    /// @notice The credit records of piece `id` that its collection would close were closed before it (its family is
    ///         repaid): its recourse record when `recourse`, its holder's default record when `defaulted`.
    event CreditRecordsSettled(ReceivableId indexed id, bool recourse, bool defaulted);
    /// @notice A default or exposure of piece `id` in `token` (currency `currency`) is not reported: the credit
    ///         registry counts only its reporting currency.
    event CreditReportNotInCurrency(ReceivableId indexed id, address token, bytes3 currency);
    /// @notice `signer` cancelled its signature nonce `nonce`, voiding the quote or confirmation it signed with it.
    event NonceCancelled(address indexed signer, uint256 nonce);
    /// @notice The governor set the grace period and the penalty rate.
    event TermsUpdated(uint32 graceSeconds, uint16 penaltyRateBps);

    // ─── Errors ─────────────────────────────────────────────────────────────

    /// @notice Invoice `invoiceKey` of the same debtor already backs receivable `existing`.
    error ScfInvoiceAlreadyUsed(bytes32 invoiceKey, ReceivableId existing);
    /// @notice The invoice list names `invoiceKey` twice, the second time at position `index`.
    error ScfInvoiceRepeated(bytes32 invoiceKey, uint256 index);
    /// @notice A receivable needs 1 to `MAX_INVOICES` invoice keys; `count` were given.
    error ScfInvalidInvoiceCount(uint256 count);
    /// @notice Invoice key number `index` (from 0) is zero.
    error ScfZeroInvoiceKey(uint256 index);
    /// @notice No receivable has id `id`.
    error ScfUnknownReceivable(ReceivableId id);
    /// @notice Piece `id` is already frozen (`frozen` true) or already not frozen (false): the freeze changes nothing.
    error ScfFreezeUnchanged(ReceivableId id, bool frozen);
    /// @notice The face value is zero.
    error ScfInvalidFace();
    /// @notice Maturity `maturity` is not after `nowTime`.
    error ScfInvalidMaturity(uint40 maturity, uint256 nowTime);
    /// @notice Token `token` is not one of the consortium's settlement tokens (`isSettlementToken`).
    error ScfInvalidToken(address token);
    /// @notice Confirming `face` would take the debtor's line use in that token to `wouldUse`, above `limit`.
    error ScfCreditLineExceeded(MemberId debtor, uint256 wouldUse, uint256 limit);
    /// @notice The debtor's credit line is frozen.
    error ScfCreditLineFrozen(MemberId debtor);
    /// @notice `financier` may not change the line of `debtor`, held by `holder` (0: the debtor chose no financier).
    error ScfCreditLineNotYours(MemberId debtor, MemberId financier, MemberId holder);
    /// @notice `member` may not act in this role on its own receivable or line (it is a party to it).
    error ScfSelfDealing(MemberId member);
    /// @notice The quote was signed for seller `seller`, but piece `id` is held by `holder`.
    error ScfQuoteSellerMismatch(ReceivableId id, MemberId seller, MemberId holder);
    /// @notice Recourse is reported in the credit registry's `reporting` currency only; `token` is in `currency`.
    error ScfRecourseCurrency(address token, bytes3 currency, bytes3 reporting);
    /// @notice Piece `id` was already declared in default.
    error ScfAlreadyDefaulted(ReceivableId id);
    /// @notice Request `root` may lapse only once its maturity, `lapsesAt`, has passed.
    error ScfRequestNotLapsed(ReceivableId root, uint256 lapsesAt);
    /// @notice The family of `id` is `current`; this needs one of the states in `expectedStates`, a bitmap with bit
    ///         `1 << uint8(state)` set for each allowed {FamilyState} (as OpenZeppelin Governor's
    ///         `GovernorUnexpectedProposalState`).
    error ScfUnexpectedFamilyState(ReceivableId id, FamilyState current, bytes32 expectedStates);
    /// @notice Piece `id` is `current`; this needs one of the states in `expectedStates`, a bitmap with bit
    ///         `1 << uint8(state)` set for each allowed {PieceState}.
    error ScfUnexpectedPieceState(ReceivableId id, PieceState current, bytes32 expectedStates);
    /// @notice `account` does not hold piece `id`.
    error ScfNotHolder(ReceivableId id, address account);
    /// @notice `account` is not an operator of the debtor `debtor`.
    error ScfNotDebtor(MemberId debtor, address account);
    /// @notice Piece `id` is frozen by the regulator.
    error ScfFrozen(ReceivableId id);
    /// @notice Piece `id` is pledged to a financier.
    error ScfEncumbered(ReceivableId id);
    /// @notice Piece `id` matured at `maturity`: it can no longer be split, transferred or financed.
    error ScfMatured(ReceivableId id, uint40 maturity);
    /// @notice A split of piece `id` needs 2 to `MAX_SPLIT` parts; `count` were given.
    error ScfInvalidSplitCount(ReceivableId id, uint256 count);
    /// @notice Part number `index` (from 0) of the split of piece `id` has face zero.
    error ScfZeroSplitFace(ReceivableId id, uint256 index);
    /// @notice The parts of the split of piece `id` sum to `total`, not to the piece's `face`.
    error ScfSplitFaceMismatch(ReceivableId id, uint256 total, uint64 face);
    /// @notice A split of piece `id` names `recipients` recipients for `parts` parts: one each (0 keeps it).
    error ScfSplitRecipientsMismatch(ReceivableId id, uint256 parts, uint256 recipients);
    /// @notice Piece `id` is at the last tier, `tier` (255): it cannot be handed one tier further down.
    error ScfTierExhausted(ReceivableId id, uint8 tier);
    /// @notice Piece `id` would be handed to `holder`, the member that holds it already: a transfer moves a piece one
    ///         tier down the supply chain, to another supplier.
    error ScfTransferToHolder(ReceivableId id, MemberId holder);
    /// @notice A family can have at most 2^24 - 1 pieces (indices 0 to 2^24 - 2).
    error ScfTooManyPieces(ReceivableId root);
    /// @notice `to` is not an operator of an active member with the Supplier role.
    error ScfInvalidRecipient(address to);
    /// @notice The quote expired at `expiry`.
    error ScfQuoteExpired(uint40 expiry);
    /// @notice Nonce `nonce` of `signer` was already used or cancelled.
    error ScfNonceUsed(address signer, uint256 nonce);
    /// @notice The quote's day base `dayBase` is not 360 or 365.
    error ScfInvalidDayBase(uint16 dayBase);
    /// @notice A discount of `rateBps` a year over `daysToMaturity` days on a `dayBase`-day year takes the whole face:
    ///         the quote leaves no positive price.
    error ScfQuoteLeavesNoPrice(uint16 rateBps, uint256 daysToMaturity, uint16 dayBase);
    /// @notice The confirmation signature expired at `deadline`.
    error ScfSignatureExpired(uint256 deadline);
    /// @notice The debtor signed its confirmation under `signedGraceSeconds` of grace and a `signedPenaltyRateBps`
    ///         penalty; the terms in force are `graceSeconds` and `penaltyRateBps`: it signs again under them.
    error ScfConfirmationTermsChanged(
        uint32 signedGraceSeconds,
        uint16 signedPenaltyRateBps,
        uint32 graceSeconds,
        uint16 penaltyRateBps
    );
    /// @notice Family `root` is not overdue yet: it may be marked at `dueAt` (maturity plus grace).
    error ScfNotOverdue(ReceivableId root, uint256 dueAt);
    /// @notice `account` is not an operator of the financier holding financed piece `id`.
    error ScfNotFinancier(ReceivableId id, address account);
    /// @notice Piece `id` carries no open recourse record: it was financed without recourse, or it was closed.
    error ScfNoRecourse(ReceivableId id);
    /// @notice The recourse of piece `id` was already declared in default.
    error ScfRecourseAlreadyDefaulted(ReceivableId id);
    /// @notice Piece `id` has no open credit record (recourse or default) for its collection to close.
    error ScfNoCreditRecords(ReceivableId id);
    /// @notice Piece `id` is not pledged: there is nothing to release.
    error ScfNotEncumbered(ReceivableId id);
    /// @notice `account` is not an operator of `pledgee`, the financier piece `id` is pledged to.
    error ScfNotPledgee(ReceivableId id, address account, MemberId pledgee);
    /// @notice The governor releases piece `id` only once its pledgee `pledgee` is revoked; it is `status`.
    error ScfPledgeeNotRevoked(ReceivableId id, MemberId pledgee, MemberStatus status);
    /// @notice The penalty rate `penaltyRateBps` is above 10,000.
    error ScfInvalidTerms(uint16 penaltyRateBps);
}

/// @title IReceivableLedger
/// @notice Confirmed receivables that split down the supplier tiers, are discounted at banks, and are never financed
///         twice. A core enterprise confirms what it owes within the credit line a financier granted it; a holder
///         splits or transfers its piece to another supplier, or sells it to a bank for the discounted price in
///         one transaction; at maturity the core enterprise pays the family's face and every holder collects its
///         piece's face. Every state change is an event, so the regulator rebuilds tier 1 -> tier N from events.
interface IReceivableLedger is IReceivableLedgerTypes {
    // ─── Credit lines ───────────────────────────────────────────────────────

    /// @notice An operator of core enterprise `debtor`'s member chooses `financier` for its `token` line: only that
    ///         financier may then set or freeze it. The limit restarts at 0; the use is kept.
    function chooseFinancier(address token, MemberId financier) external;

    /// @notice Governor only: reassigns `debtor`'s `token` line to `financier` (a bank exit, a dispute).
    function reassignCreditLine(MemberId debtor, address token, MemberId financier) external;

    /// @notice The Financier the debtor chose sets (grants, raises or cuts) `debtor`'s `token` credit line. A cut (a
    ///         limit not above the current one) needs the financier active, a grant or a raise also its role.
    function setCreditLine(MemberId debtor, address token, uint96 limit) external;

    /// @notice The line's financier freezes or unfreezes it; a frozen line refuses every confirmation. Freezing needs
    ///         the financier active, unfreezing also its Financier role.
    function freezeCreditLine(MemberId debtor, address token, bool frozen) external;

    // ─── Issue and confirm ──────────────────────────────────────────────────

    /// @notice A Supplier asks core enterprise `debtor` to confirm a receivable backed by `invoiceKeys`. The invoices
    ///         are taken only at confirmation: a request reserves nothing.
    function request(
        MemberId debtor,
        address token,
        uint64 face,
        uint40 maturity,
        bytes32[] calldata invoiceKeys
    ) external returns (ReceivableId root);

    /// @notice The debtor confirms requested root `root`, within its credit line.
    function confirm(ReceivableId root) external;

    /// @notice An operator of the debtor rejects requested root `root`, or the requesting supplier withdraws it.
    function reject(ReceivableId root) external;

    /// @notice Anyone closes requested root `root` once its maturity passed unconfirmed.
    function lapse(ReceivableId root) external;

    /// @notice Anyone relays the debtor's EIP-712 `Confirmation` of `root`, signed under the grace and penalty in force
    ///         (`terms()`), with one of its signature nonces (unordered: `nonceUsed`, `cancelNonce`).
    function confirmWithSignature(
        ReceivableId root,
        uint32 graceSeconds,
        uint16 penaltyRateBps,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice A CoreEnterprise issues a confirmed receivable directly to its tier-1 supplier `supplier`.
    function issue(
        address supplier,
        address token,
        uint64 face,
        uint40 maturity,
        bytes32[] calldata invoiceKeys
    ) external returns (ReceivableId root);

    // ─── Split, transfer, pledge ────────────────────────────────────────────

    /// @notice The holder splits piece `id`: it keeps `faces[0]` and new pieces get the rest, same root and tier.
    function split(ReceivableId id, uint64[] calldata faces) external returns (ReceivableId[] memory children);

    /// @notice The holder passes piece `id` to supplier `to`, one tier down.
    function transfer(ReceivableId id, address to) external;

    /// @notice The holder splits piece `id` as {split} and, in the same transaction, hands part `i` to supplier
    ///         `recipients[i]` one tier down, as {transfer} would (the same refusals); part `i` stays with the holder,
    ///         at its tier, when `recipients[i]` is address(0) or an operator of the holding member. Part 0 is piece
    ///         `id` itself. Emits `ReceivableSplit`, then `ReceivableTransferred` for each part handed on.
    function splitTo(
        ReceivableId id,
        uint64[] calldata faces,
        address[] calldata recipients
    ) external returns (ReceivableId[] memory children);

    /// @notice The holder pledges piece `id` to `financier`; it cannot move until the financier releases it.
    function encumber(ReceivableId id, MemberId financier) external;

    /// @notice The member piece `id` is pledged to releases it: an operator of the pledgee, while it is active (a
    ///         release gives up the pledgee's collateral, which a suspension holds as it holds its tokens); once the
    ///         pledgee is revoked, the governor, as it decides where a revoked member's parked money goes. A
    ///         collected piece keeps its pledge as the record of whom it paid (`ScfUnexpectedPieceState`).
    function release(ReceivableId id) external;

    // ─── Discounting ────────────────────────────────────────────────────────

    /// @notice The holder sells piece `quote.id` to the quote's signer for the discounted price, paid in the
    ///         family's token in the same transaction (the financier approves the ledger beforehand).
    function finance(Quote calldata quote, bytes calldata signature) external returns (uint256 price);

    /// @notice A key spends one of its own signature nonces, voiding the quote or confirmation it signed with it.
    ///         Anyone may, for its own address only, whatever its member's standing: a suspended financier's operator
    ///         still withdraws its quotes.
    function cancelNonce(uint256 nonce) external;

    // ─── Maturity ───────────────────────────────────────────────────────────

    /// @notice Anyone pays family `root` on its debtor's behalf (a role removal never stops it): its face plus penalty
    ///         interest from maturity if late, also after a default. Open during a pause; releases the debtor's line.
    function repay(ReceivableId root) external returns (uint256 amount);

    /// @notice Anyone pays the member holding piece `id` (the pledgee if it is pledged) its share of a repaid family,
    ///         once, at the member's payout account (parked if it refuses). Open during a pause; never blocked by the
    ///         credit registry.
    function collect(ReceivableId id) external returns (uint256 amount);

    /// @notice Anyone marks family `root` overdue once maturity plus the grace period has passed unpaid.
    function markOverdue(ReceivableId root) external;

    /// @notice The financier holding financed piece `id` of an overdue family (an operator of it, while it is active,
    ///         with or without its Financier role) declares that piece in default: the
    ///         debtor member's default on the piece's face is reported to the credit registry. The debtor can still
    ///         repay; every holder still collects.
    function declareDefault(ReceivableId id) external;

    /// @notice The financier holding financed piece `id` (an active operator of it) closes the piece's recourse
    ///         record in the credit registry: the seller made it whole outside the ledger (after a default, the
    ///         only exit the record has but the debtor paying). The piece stays the financier's, and collects as
    ///         before. Once the debtor paid, the record closes on the day it paid, as `collect` closes it.
    function closeRecourse(ReceivableId id) external;

    /// @notice The financier holding financed piece `id` (an active operator of it) declares the seller's recourse in
    ///         default, once the family is overdue (maturity plus grace): the piece's recourse record in the credit
    ///         registry becomes Defaulted. `closeRecourse` still closes it if the seller pays later, and collecting
    ///         the piece closes it when the debtor does.
    function defaultRecourse(ReceivableId id) external;

    /// @notice Anyone closes, once piece `id`'s family is repaid, the credit records its collection would close: its
    ///         recourse record and its holder's default record, reported Repaid. For a piece that cannot be collected
    ///         yet (a Regulator froze it), so that a debtor who paid and a seller whose debtor paid are not left with a
    ///         live record (adversarial review 10, R10-1). Open during a pause, as `collect` is; the money stays
    ///         where it is.
    function settleCreditRecords(ReceivableId id) external;

    // ─── Regulator and governor ─────────────────────────────────────────────

    /// @notice A Regulator freezes or unfreezes piece `id`, Held or Financed (a collected piece's money has left);
    ///         reverts `ScfFreezeUnchanged` when it is already so.
    function freeze(ReceivableId id, bool frozen, bytes32 reason) external;

    /// @notice The governor sets the grace period after maturity and the penalty rate (basis points per year) of
    ///         receivables confirmed from now on.
    function setTerms(uint32 graceSeconds, uint16 penaltyRateBps) external;

    // ─── Views ──────────────────────────────────────────────────────────────

    function getPiece(ReceivableId id) external view returns (Piece memory);

    function getFamily(ReceivableId id) external view returns (Family memory);

    function creditLineOf(MemberId debtor, address token) external view returns (CreditLine memory);

    /// @notice The confirmed root invoice key `invoiceKey` of debtor `debtor` backs, or 0. Keys are per debtor: the
    ///         SDK's keys bind the debtor's entity key, so another debtor confirming the same key takes nothing.
    function invoiceUse(MemberId debtor, bytes32 invoiceKey) external view returns (ReceivableId);

    /// @notice The price a quote would pay now for piece `quote.id`.
    function priceOf(Quote calldata quote) external view returns (uint256);

    /// @notice What the debtor of family `root` owes now: face plus penalty interest while the family is Confirmed,
    ///         Overdue or Defaulted (the states `repay` takes), else nothing.
    function amountDue(ReceivableId root) external view returns (uint256 amount, uint256 penalty);

    /// @notice Whether `signer` spent (or cancelled) its signature nonce `nonce`.
    function nonceUsed(address signer, uint256 nonce) external view returns (bool);

    /// @notice The grace period and penalty rate a family confirmed now takes (set by the governor, `setTerms`).
    function terms() external view returns (uint32 graceSeconds, uint16 penaltyRateBps);
}
