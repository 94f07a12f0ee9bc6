// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ConsentId, ConsentPurpose, IConsentBook} from "./IConsentBook.sol";
import {MemberId, MemberStatus} from "./IMemberRegistry.sol";

/// @notice Identifier of one loan record: `keccak256(abi.encode(reporter, loanRef))`. A module's records use the
///         module's own member id as `reporter`.
type LoanId is bytes32;

/// @notice What kind of credit a record is. It travels with every record so that one borrower's debts are counted
///         once across all products of the network.
enum ProductKind {
    ConsumerLoan,
    SmeLoan,
    JointLoan,
    ReceivableFinance,
    TradeFinance
}

/// @notice Life of a loan: Active -> Repaid, or Active -> Overdue -> Defaulted -> WrittenOff (Overdue may be cured
///         back to Active, or repaid). Active, Overdue and Defaulted loans are *live*: they count in the totals. A
///         Defaulted loan may still be settled (recoveries, then Defaulted -> Repaid, by its lender or the module that
///         booked it); its negative record is then retained for five years, as a write-off's is.
enum LoanStatus {
    None,
    Active,
    Repaid,
    Overdue,
    Defaulted,
    WrittenOff
}

/// @notice What a broken policy limit does: `Flag` lets the registration pass and emits `MultiBorrowingFlagged`;
///         `Enforce` reverts it with `CreditPolicyLimitExceeded`.
enum PolicyMode {
    Flag,
    Enforce
}

/// @notice The limits of the lending policy: the multi-borrowing limits, and the cap on a consumer loan's APR.
enum PolicyLimit {
    DistinctLenders,
    Outstanding,
    Inquiries,
    Apr
}

/// @notice How often a plan's instalments fall due: every 7 days, or on the same day of each calendar month (the
///         first due day's day of month, clamped to the month's length).
enum Frequency {
    Weekly,
    Monthly
}

/// @title ICreditRegistryTypes
/// @notice The credit registry's structs, events and errors, shared by {ICreditRegistry} and the registry's parts.
interface ICreditRegistryTypes {
    /// @notice A loan as the reporting lender submits it.
    struct LoanInput {
        bytes32 loanRef; // the lender's own reference; (reporter, loanRef) is unique forever
        bytes32 borrowerKey; // HMAC-SHA256(consortium key, normalised id), from the SDK
        ProductKind kind;
        uint64 principal;
        uint64 outstanding; // at reporting time; 0 < outstanding <= principal
        uint24 originationDay; // not in the future
        uint24 maturityDay; // not before origination
        bytes32 commitment; // salted hash of the canonical off-chain record
        uint32 aprBps; // the disclosed annual percentage rate, basis points; capped by policy for consumer loans
        Plan plan; // the instalment plan; all zero for a loan without one
    }

    /// @notice An instalment plan: `instalments` due every period from `firstDueDay`, each `instalment` except the
    ///         last,
    ///         which is `finalInstalment`. For a loan with a plan, the outstanding is what is due less what was paid,
    ///         and repayments pay the oldest unpaid instalment first.
    struct Plan {
        uint8 instalments; // 1..MAX_INSTALMENTS; 0 = no plan (and every other field 0)
        Frequency frequency;
        uint24 firstDueDay;
        uint64 instalment;
        uint64 finalInstalment;
    }

    /// @notice A loan's consumer-credit terms as the registry holds them.
    struct LoanTerms {
        uint32 aprBps;
        Plan plan;
        uint8 bucket; // the delinquency bucket the loan is counted in: 0 current, 1: 1-30, 2: 31-60, 3: 61-90, 4: 90+
        uint24 negativeUntil; // day its negative record stops counting (5 years after settlement or write-off); 0 none
    }

    /// @notice Where a plan loan stands today.
    struct Delinquency {
        uint256 daysPastDue; // today - due day of the oldest unpaid instalment, if positive
        uint256 oldestUnpaid; // index of the oldest unpaid instalment (0-based); `instalments` when all are paid
        uint256 oldestUnpaidDueDay;
        uint256 dueOnOldest; // what is still due on it (less when it is partly paid)
        uint256 paid; // paid so far: total due - outstanding
        uint256 totalDue;
    }

    /// @notice A borrower's aggregates with its delinquency and history, as the score reads them.
    struct Profile {
        uint256 activeLoans;
        uint256 activeLenders;
        uint256 outstanding;
        uint256 defaults; // negative records still retained: Defaulted, and WrittenOff or settled after default within
        // the retention period
        uint256 inquiries;
        uint256[4] delinquent; // live loans 1-30, 31-60, 61-90, over 90 days past due (as of their last update)
        uint256 liveSinceDay; // the day the current unbroken run of live credit began on the registry; 0 none
    }

    /// @notice One funder of a joint or co-financed loan and its share.
    struct Funder {
        MemberId member;
        uint16 shareBps;
    }

    /// @notice One line of a repayment batch.
    struct Repayment {
        bytes32 loanRef;
        uint64 amount;
    }

    /// @notice A loan as the registry holds it.
    struct LoanRecord {
        bytes32 borrowerKey;
        MemberId lender; // the member carrying the exposure; counted in the borrower's distinct lenders
        ProductKind kind;
        LoanStatus status;
        uint64 principal;
        uint64 outstanding;
        uint24 originationDay;
        uint24 maturityDay;
    }

    /// @notice A borrower's aggregates across the whole network.
    struct Exposure {
        uint256 activeLoans; // live loans (Active, Overdue, Defaulted)
        uint256 activeLenders; // distinct lenders with at least one live loan
        uint256 outstanding; // sum of live loans' outstanding
        uint256 defaults; // loans now Defaulted or WrittenOff
        uint256 inquiries; // distinct lenders that inquired in the rolling window (exact up to INQUIRY_SLOTS, then
        // INQUIRY_SLOTS: see `inquire`)
    }

    /// @notice The governor's multi-borrowing policy. A limit of 0 is no limit.
    struct Policy {
        uint16 maxLenders;
        uint32 maxInquiries; // at most INQUIRY_SLOTS - 1, so that the limit is checked exactly
        uint32 inquiryWindow; // seconds; rolling: an inquiry counts for `inquiryWindow` seconds after it was made
        uint96 maxOutstanding;
        uint16 maxPlatformShareBps; // cap on a Platform member's share of a joint loan
        PolicyMode mode;
        uint32 maxAprBps; // cap on the APR of consumer and joint loans; 0 = no cap
        uint16 graceDays; // days past due after which anyone may move a plan loan to Overdue
    }

    /// @notice A regulator's correction of a disputed record.
    struct Correction {
        LoanStatus status;
        uint64 outstanding;
        bytes32 commitment; // of the corrected off-chain record
    }

    // ─── Events ─────────────────────────────────────────────────────────────

    /// @notice The registry was paused by `account` (the modules' rule and signatures: see {IEmergencyPause}).
    event Paused(address account);
    /// @notice The registry was unpaused by `account`.
    event Unpaused(address account);

    /// @notice A loan was registered by `reporter`; `lender` carries the exposure (the same member unless a
    ///         reporter module registered it).
    event LoanRegistered(
        LoanId indexed id,
        bytes32 indexed borrowerKey,
        MemberId indexed lender,
        MemberId reporter,
        bytes32 loanRef,
        ProductKind kind,
        uint64 principal,
        uint64 outstanding,
        uint24 originationDay,
        uint24 maturityDay,
        bytes32 commitment
    );
    /// @notice The funders of joint loan `id` and their shares, in basis points.
    event JointLoanFunded(LoanId indexed id, MemberId[] funders, uint16[] sharesBps);
    /// @notice A Regulator released joint loan `jointLoan`'s claim on funder `funder`'s reference `loanRef` (a funder
    ///         named without its agreement), with `reason`.
    event JointLoanClaimReleased(
        MemberId indexed funder,
        bytes32 indexed loanRef,
        LoanId jointLoan,
        MemberId regulator,
        bytes32 reason
    );
    /// @notice `amount` of loan `id` was repaid, leaving `outstanding`.
    event LoanRepaid(LoanId indexed id, bytes32 indexed borrowerKey, uint64 amount, uint64 outstanding);
    /// @notice Loan `id` moved from `from` to `to`.
    event LoanStatusChanged(LoanId indexed id, bytes32 indexed borrowerKey, LoanStatus from, LoanStatus to);
    /// @notice Lender `lender` looked up `borrowerKey` for `purpose`, relying on consent `consent` of the consent book.
    event CreditInquired(
        MemberId indexed lender,
        bytes32 indexed borrowerKey,
        ConsentPurpose purpose,
        ConsentId indexed consent
    );
    /// @notice Loan `id` was registered with these consumer-credit terms (emitted when it has a plan or an APR).
    event LoanTermsRegistered(LoanId indexed id, uint32 aprBps, Plan plan);
    /// @notice Loan `id` of `borrowerKey` moved from delinquency bucket `fromBucket` to `toBucket`, `daysPastDue` days
    ///         past due.
    event LoanDelinquencyChanged(
        LoanId indexed id,
        bytes32 indexed borrowerKey,
        uint8 fromBucket,
        uint8 toBucket,
        uint256 daysPastDue
    );
    /// @notice Loan `id`'s negative record reached the end of its retention: it no longer counts in the defaults of
    ///         `borrowerKey` (its events remain).
    event NegativeRecordExpired(LoanId indexed id, bytes32 indexed borrowerKey);
    /// @notice Registering loan `id` took `borrowerKey` to `value` on `limit`, above `max`; flag mode let it pass.
    event MultiBorrowingFlagged(
        bytes32 indexed borrowerKey,
        LoanId indexed id,
        PolicyLimit limit,
        uint256 value,
        uint256 max
    );
    /// @notice The governor set a new policy.
    event PolicyUpdated(Policy policy);
    /// @notice Member `openedBy` disputed loan `id` of borrower `borrowerKey`, for `reason` (an off-chain reason code).
    event DisputeOpened(LoanId indexed id, MemberId indexed openedBy, bytes32 indexed borrowerKey, bytes32 reason);
    /// @notice The reporting lender answered the dispute on loan `id` of borrower `borrowerKey`; `response` is the hash
    ///         of its answer.
    event DisputeAnswered(LoanId indexed id, MemberId indexed lender, bytes32 indexed borrowerKey, bytes32 response);
    /// @notice Regulator `regulator` corrected loan `id` of borrower `borrowerKey` while it was disputed.
    event LoanCorrected(
        LoanId indexed id,
        MemberId indexed regulator,
        bytes32 indexed borrowerKey,
        LoanStatus status,
        uint64 outstanding,
        bytes32 commitment,
        bytes32 reason
    );
    /// @notice Regulator `regulator` closed the dispute on loan `id` of borrower `borrowerKey` with `outcome` (an
    ///         off-chain reason code).
    event DisputeResolved(LoanId indexed id, MemberId indexed regulator, bytes32 indexed borrowerKey, bytes32 outcome);

    // ─── Errors ─────────────────────────────────────────────────────────────

    /// @notice The operation is refused while the registry is paused.
    error EnforcedPause();
    /// @notice The registry is not paused.
    error ExpectedPause();
    /// @notice Only the governor may lift the governor's pause; `account` may not.
    error PauseLiftUnauthorized(address account);

    /// @notice Loan `id` is already registered: the same (reporter, loanRef) cannot be registered twice.
    error CreditLoanAlreadyRegistered(LoanId id);
    /// @notice No loan is registered as `id` (under the caller's member for lender operations).
    error CreditLoanUnknown(LoanId id);
    /// @notice The loan reference is zero.
    error CreditInvalidLoanRef();
    /// @notice The borrower key is zero.
    error CreditInvalidBorrowerKey();
    /// @notice The record commitment is zero.
    error CreditInvalidCommitment();
    /// @notice The reason code (a dispute's reason, a ruling's outcome, a correction's reason) is zero: every step of
    ///         a dispute names its reason, so that an auditor can trace it to the file behind it (review 32, C3).
    error CreditInvalidReason();
    /// @notice `lender` holds no live loan of `borrowerKey` (to `collectionInquiry`: not the loan named, owed): an
    ///         account review or a collection (`purpose`), a look-up that does not count as an inquiry, is for a
    ///         lender's own account (review 33, E1).
    error CreditNoAccountHeld(MemberId lender, bytes32 borrowerKey, ConsentPurpose purpose);
    /// @notice The principal is zero, or the outstanding is zero or above the principal.
    error CreditInvalidAmounts(uint64 principal, uint64 outstanding);
    /// @notice Origination is after `today`, or maturity is before origination (UTC day numbers).
    error CreditInvalidDates(uint24 originationDay, uint24 maturityDay, uint24 today);
    /// @notice `kind` does not fit the function: joint loans go through `registerJointLoan`, and only they do.
    error CreditInvalidProductKind(ProductKind kind);
    /// @notice Loan `id` cannot move from `from` to `to`.
    error CreditInvalidTransition(LoanId id, LoanStatus from, LoanStatus to);
    /// @notice Loan `id` is `status`: repayments apply to Active, Overdue and Defaulted loans only.
    error CreditLoanNotPerforming(LoanId id, LoanStatus status);
    /// @notice The repayment `amount` is zero or above the loan's `outstanding`.
    error CreditInvalidRepayment(LoanId id, uint64 amount, uint64 outstanding);
    /// @notice Enforce mode: the registration would take `borrowerKey` to `value` on `limit`, above `max`.
    error CreditPolicyLimitExceeded(bytes32 borrowerKey, PolicyLimit limit, uint256 value, uint256 max);
    /// @notice Member `member` cannot carry credit exposure: it must be active and a Lender or Financier.
    error CreditLenderIneligible(MemberId member, MemberStatus status, uint32 roles);
    /// @notice A joint loan needs 2 to `MAX_FUNDERS` funders; `count` were given.
    error CreditInvalidFunderCount(uint256 count);
    /// @notice Funder `member` appears twice.
    error CreditDuplicateFunder(MemberId member);
    /// @notice Funder `member` has a zero share.
    error CreditInvalidShare(MemberId member);
    /// @notice The funders' shares sum to `totalBps`, not 10,000.
    error CreditSharesNotWhole(uint256 totalBps);
    /// @notice Platform member `member` would fund `shareBps`, above the cap `maxBps`.
    error CreditPlatformShareExceeded(MemberId member, uint16 shareBps, uint16 maxBps);
    /// @notice The reporting lender `reporter` must be one of the joint loan's funders.
    error CreditReporterNotFunder(MemberId reporter);
    /// @notice A batch must hold at least one record.
    error CreditEmptyBatch();
    /// @notice Record `index` of a batch was rejected with `reason` (another of these errors); nothing was recorded.
    error CreditBatchRecordRejected(uint256 index, bytes reason);
    /// @notice Funder `funder`'s facility `loanRef` is already booked as `bookedAs`: a joint loan naming it, or its
    ///         own loan. A joint loan counts once, whoever reports it: its reference is claimed for every funder.
    error CreditJointLoanFunderBooked(MemberId funder, bytes32 loanRef, LoanId bookedAs);
    /// @notice No joint loan claims funder `funder`'s reference `loanRef`.
    error CreditJointLoanClaimUnknown(MemberId funder, bytes32 loanRef);
    /// @notice `module` has no code: only contracts can be listed as reporter modules.
    error CreditReporterModuleInvalid(address module);
    /// @notice Member `borrower` has no entity key in the member registry, so nothing can be reported about it.
    error CreditBorrowerKeyUnknown(MemberId borrower);
    /// @notice `maxInquiries` is above `cap` (INQUIRY_SLOTS - 1), the most the rolling window counts exactly.
    error CreditInvalidInquiryLimit(uint32 maxInquiries, uint256 cap);
    /// @notice Loan `id` already has an open dispute.
    error CreditDisputeAlreadyOpen(LoanId id);
    /// @notice Loan `id` has no open dispute.
    error CreditDisputeNotOpen(LoanId id);
    /// @notice Account `account` (member `id`) may not open disputes: it must be a Lender or a Regulator.
    error CreditDisputeUnauthorized(address account, MemberId id);
    /// @notice The correction is inconsistent: status None, outstanding above principal, or outstanding not fitting
    ///         the status (Repaid needs 0; Active and Overdue need more than 0).
    error CreditInvalidCorrection(LoanId id, LoanStatus status, uint64 outstanding);
    /// @notice The platform cap `maxPlatformShareBps` is above 10,000.
    error CreditInvalidPlatformCap(uint16 maxPlatformShareBps);
    /// @notice The inquiry window must be at least one second.
    error CreditInvalidInquiryWindow();
    /// @notice The reporting currency is not three letters A–Z.
    error CreditInvalidCurrency(bytes3 currency);
    /// @notice A plan has `instalments` instalments: it needs 1 to `max` (or 0 and no other field, for no plan).
    error CreditInvalidPlanLength(uint8 instalments, uint256 max);
    /// @notice A plan's final instalment is 0, or its regular `instalment` is 0 while it has more than one.
    error CreditInvalidPlanAmounts(uint64 instalment, uint64 finalInstalment);
    /// @notice A plan's total due `totalDue` is below the `principal` advanced.
    error CreditPlanBelowPrincipal(uint256 totalDue, uint64 principal);
    /// @notice A plan loan's `outstanding` is above its total due `totalDue`.
    error CreditOutstandingAbovePlan(uint64 outstanding, uint256 totalDue);
    /// @notice A plan's first instalment falls due on `firstDueDay`, before the origination day `originationDay`.
    error CreditPlanBeforeOrigination(uint24 firstDueDay, uint24 originationDay);
    /// @notice The maturity day `maturityDay` is not the plan's last due day `lastDueDay`.
    error CreditMaturityNotLastDueDay(uint24 maturityDay, uint256 lastDueDay);
    /// @notice The APR `aprBps` is below what the plan implies: asking `totalDue` back for `principal` in instalments
    ///      due on average `meanDueDays` days after the advance (rounded down; an upper bound, in the lender's favour)
    ///      costs at least ln(totalDue / principal) / (meanDueDays / 364) a year, however it is compounded.
    error CreditAprBelowPlan(uint32 aprBps, uint256 totalDue, uint64 principal, uint256 meanDueDays);
    /// @notice Nothing is due to change on loan `id` yet: it is `daysPastDue` days past due, in bucket `bucket`, and no
    ///         negative record of it is past retention.
    error CreditNothingToAge(LoanId id, uint256 daysPastDue, uint8 bucket);
    /// @notice Loan `id`'s lender `lender` is not active (`status`): it cannot report the repayments that would stop
    ///         its loan ageing, so the loan stays as last reported (adversarial review 10, R10-2).
    error CreditLenderInactive(LoanId id, MemberId lender, MemberStatus status);
    /// @notice Loan `id`'s lender could report its repayments only from `reportableFrom` (Unix time: when this
    ///         registry last resumed after a pause, or the start of the day the lender was reinstated): the loan ages
    ///         from `agesFrom`, `graceDays` whole days after the reinstatement day and as much later as the registry
    ///         was paused since (after a pause, as long after it as the registry was paused since the catch-up last
    ///         ran out, `graceDays` at most), so that repayments the lender could not report in the meantime reach
    ///         the registry first (adversarial review 30, RA-2; review 31, D1; reviews 34, C1, 35, F1, and 36, K1).
    error CreditLenderCatchingUp(LoanId id, uint256 reportableFrom, uint256 agesFrom);
    /// @notice Loan `id` is `daysPastDue` days past due, more than the `graceDays` grace: it cannot be cured to Active.
    error CreditLoanPastDue(LoanId id, uint256 daysPastDue, uint16 graceDays);
}

/// @title ICreditRegistry (the lenders', regulators' and governor's surface; the modules' is ICreditModuleReports)
/// @notice The consortium's shared credit registry: lenders report loans against a keyed borrower identifier (see
///         `docs/architecture.md`, never personal data), and anyone lending first sees, in O(1), how many live loans
///         and lenders the borrower has, what it owes, how often it defaulted and how often it was inquired about.
/// @dev Amounts are in minor units of the registry's reporting currency. Dates are UTC day numbers (days since
///      1970-01-01). A record's details stay off the chain: `commitment` (a salted hash of the canonical record) is
///      published in `LoanRegistered` and `LoanCorrected`, where an auditor checks it.
interface ICreditRegistry is ICreditRegistryTypes {
    // ─── Lenders ────────────────────────────────────────────────────────────

    /// @notice Registers a loan of the caller's member (a Lender). Not for joint loans.
    function registerLoan(LoanInput calldata loan) external returns (LoanId id);

    /// @notice Registers many loans at once, all or nothing (`CreditBatchRecordRejected` names the bad record).
    function registerLoans(LoanInput[] calldata loans) external;

    /// @notice Registers a joint or co-financed loan: one record, counted once, funded by `funders`. The reference
    ///         `loan.loanRef` (the facility's reference, shared by its funders) is claimed for every funder: no funder
    ///         can register it again, alone or in another joint loan (`CreditJointLoanFunderBooked`), and a funder
    ///         that already booked it cannot be named.
    function registerJointLoan(LoanInput calldata loan, Funder[] calldata funders) external returns (LoanId id);

    /// @notice Reports a repayment of the caller's loan `loanRef`; repaying all of it moves the loan to Repaid.
    /// @dev A lender's most frequent call, named so that its selector (`0x00206cab`) sorts second of the registry's:
    ///      solc's dispatcher compares the selectors in ascending order, 22 gas each (`docs/gas.md`).
    function fileLoanRepayment(bytes32 loanRef, uint64 amount) external;

    /// @notice Reports many repayments at once, all or nothing.
    function fileLoanRepayments(Repayment[] calldata repayments) external;

    /// @notice Moves the caller's loan `loanRef` to `to` along the allowed transitions; Repaid settles it in full.
    function fileLoanStatus(bytes32 loanRef, LoanStatus to) external;

    /// @notice Anyone applies what time changed on loan `id`, as the receivable ledger's `markOverdue` does: a plan
    ///         loan moves to its current delinquency bucket, and to Overdue once its oldest unpaid instalment is more
    ///         than `graceDays` past due (so a lender cannot hide a missed payment by not reporting it); a negative
    ///         record past its retention stops counting in the borrower's defaults. Reverts `CreditNothingToAge`
    ///         otherwise, and `CreditLenderInactive` for a live plan loan whose lender is suspended or revoked (it
    ///         cannot report the repayments that would stop the move: the loan stays as last reported), or
    ///         `CreditLenderCatchingUp` (Unix times) within `graceDays` whole days after the day the lender was
    ///         reinstated (longer by every pause since that day), or, after this registry resumed, for as long as it
    ///         was paused (`graceDays` at most). A settled record's retention ends while paused
    ///         too.
    function ageLoan(LoanId id) external;

    /// @notice A lender's logged look-up of a borrower, before lending, under consent `consent` of the consent book:
    ///         refused (with the consent book's error) unless the consent is in force, is the borrower's, covers the
    ///         caller's member and was given for `purpose`. Returns the exposure (a `staticCall`
    ///         previews it without logging). The inquiry count is the number of *distinct lenders* whose latest
    ///         inquiry is less than `inquiryWindow` seconds old (a rolling window): a lender inquiring again refreshes
    ///         its own inquiry and adds nothing, so no lender alone can take a borrower over the limit. The registry
    ///         keeps the latest inquiry of the INQUIRY_SLOTS most recent distinct lenders per borrower, so the count
    ///         is exact up to INQUIRY_SLOTS and reads INQUIRY_SLOTS above it.
    function inquire(bytes32 borrowerKey, ConsentPurpose purpose, ConsentId consent) external returns (Exposure memory);

    /// @notice A lender's look-up of borrower `borrowerKey` to collect its own loan `loanRef`, still owed: live, or
    ///         written off with an outstanding (review 34, C3). Under a Collections consent, refused as `inquire`
    ///         refuses it; logged as a Collections inquiry, and not counted. `inquire` takes a collection only while
    ///         the lender holds a live loan of the borrower. Reverts `CreditNoAccountHeld` unless `loanRef` is the
    ///         caller's loan of `borrowerKey`, or a joint loan of it that the caller co-funds (its claim on the
    ///         reference, review 38's J1), and is owed.
    function collectionInquiry(
        bytes32 borrowerKey,
        bytes32 loanRef,
        ConsentId consent
    ) external returns (Exposure memory);

    // ─── Disputes ───────────────────────────────────────────────────────────

    /// @notice A Lender or a Regulator disputes loan (`reporter`, `loanRef`).
    function openDispute(MemberId reporter, bytes32 loanRef, bytes32 reason) external;

    /// @notice The reporting lender answers the dispute on its loan `loanRef`.
    function answerDispute(bytes32 loanRef, bytes32 response) external;

    /// @notice A Regulator corrects a disputed loan, with a reason code.
    function correctLoan(MemberId reporter, bytes32 loanRef, Correction calldata correction, bytes32 reason) external;

    /// @notice A Regulator closes the dispute on a loan.
    function resolveDispute(MemberId reporter, bytes32 loanRef, bytes32 outcome) external;

    // ─── Governor ───────────────────────────────────────────────────────────

    /// @notice Sets the multi-borrowing policy and the platform cap.
    function setPolicy(Policy calldata policy) external;

    /// @notice Stops lenders' and reporters' writes in an emergency. Caller: the governor or an active Regulator (the
    ///         modules' pause rule, {IEmergencyPause}); reverts `EnforcedPause` when already paused.
    function pause() external;

    /// @notice Lets lenders and reporters write again. Caller: the governor; also an active Regulator unless the
    ///         governor paused (`PauseLiftUnauthorized`); reverts `ExpectedPause` when not paused.
    function unpause() external;

    /// @notice True while the registry is paused.
    function paused() external view returns (bool);

    // ─── Views ──────────────────────────────────────────────────────────────

    /// @notice The id of loan `loanRef` reported by member `reporter`.
    function loanId(MemberId reporter, bytes32 loanRef) external pure returns (LoanId);

    /// @notice The joint loan that claims funder `funder`'s reference `loanRef`; 0 when none does.
    function jointLoanOf(MemberId funder, bytes32 loanRef) external view returns (LoanId);

    /// @notice A Regulator releases a joint loan's claim on a funder's reference, e.g. when the funder shows in a
    ///         dispute that it never agreed to the joint loan: the funder can then book that reference itself.
    function releaseJointLoanClaim(MemberId funder, bytes32 loanRef, bytes32 reason) external;

    /// @notice The record of loan `id` (status None when unknown).
    function getLoan(LoanId id) external view returns (LoanRecord memory);

    /// @notice A borrower's aggregates, in O(1) whatever the registry's size. Free, and not logged: lending
    ///         workflows go through `inquire`.
    function exposureOf(bytes32 borrowerKey) external view returns (Exposure memory);

    /// @notice How many live loans `lender` carries for `borrowerKey` (so a lender knows if it would be a new one).
    function liveLoansOf(bytes32 borrowerKey, MemberId lender) external view returns (uint256);

    /// @notice The member that opened the dispute on loan `id` and when; member 0 when none is open.
    function disputeOf(LoanId id) external view returns (MemberId openedBy, uint40 openedAt);

    /// @notice The current policy.
    function policy() external view returns (Policy memory);

    /// @notice How many distinct borrowers have ever had a loan registered.
    function borrowerCount() external view returns (uint256);

    /// @notice ISO 4217 code of the currency all amounts are reported in.
    function reportingCurrency() external view returns (bytes3);

    /// @notice The consent book inquiries are checked against.
    function consentBook() external view returns (IConsentBook);

    /// @notice Loan `id`'s APR, plan, delinquency bucket and retention day.
    function termsOf(LoanId id) external view returns (LoanTerms memory);

    /// @notice Where plan loan `id` stands today (all zero for a loan without a plan).
    function delinquencyOf(LoanId id) external view returns (Delinquency memory);

    /// @notice A borrower's aggregates, delinquency buckets and history, in O(1).
    function profileOf(bytes32 borrowerKey) external view returns (Profile memory);
}
