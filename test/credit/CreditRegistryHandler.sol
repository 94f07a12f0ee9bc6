// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ConsentBook} from "../../contracts/credit/ConsentBook.sol";
import {CreditRegistry} from "../../contracts/credit/CreditRegistry.sol";
import {ConsentId, ConsentPurpose, IConsentBook} from "../../contracts/interfaces/IConsentBook.sol";
import {
    Frequency,
    ICreditRegistry,
    ICreditRegistryTypes,
    LoanId,
    LoanStatus,
    ProductKind
} from "../../contracts/interfaces/ICreditRegistry.sol";
import {InstalmentPlan} from "../../contracts/libraries/InstalmentPlan.sol";
import {MemberId} from "../../contracts/interfaces/IMemberRegistry.sol";
import {TestBase} from "../lib/Vm.sol";

/// @notice Drives a CreditRegistry through random sequences of registrations (single, batch, joint), a joint loan's
///         funder booking the facility again, the module API (this handler is a listed reporter module: exposures,
///         defaults, closes), repayments, status changes, regulator corrections, instalment plans and their repayments,
///         ageing by a stranger, consents (recorded, withdrawn, expired) and inquiries under them, and time jumps of
///         days and of years. It remembers every loan id it created, and for plan loans what was paid and when the
///         loan was last touched, so the invariant test can recompute each borrower's totals, buckets and what is
///         owed from its own model.
contract CreditRegistryHandler is TestBase {
    uint256 public constant BORROWERS = 4;

    CreditRegistry internal immutable _credit;
    ConsentBook internal immutable _consents;
    address[3] internal _lenders; // two banks and a platform
    MemberId[3] internal _lenderIds;
    address internal immutable _regulator;
    address internal immutable _governor;

    LoanId[] internal _ids;
    mapping(LoanId => address) internal _reporterOf;
    mapping(LoanId => bytes32) internal _refOf;
    uint256 internal _nonce;
    mapping(LoanId => bool) internal _joint;
    MemberId internal immutable _moduleId;
    MemberId internal immutable _firstBorrower;
    mapping(uint256 borrower => mapping(uint256 lender => uint256 time)) internal _lastInquiry;
    /// @notice What the model says was paid on each plan loan (total due - outstanding), and the day of the last
    ///         operation that recomputed its delinquency bucket.
    mapping(LoanId => uint256) public paidOf;
    mapping(LoanId => uint256) public touchedDay;
    ConsentId[] internal _consentIds;
    mapping(ConsentId => uint256) internal _consentLender;
    mapping(ConsentId => uint256) internal _consentBorrower;
    mapping(ConsentId => bool) internal _revoked;

    /// @notice Set when a funder of a joint loan managed to book its facility again.
    bool public doubleBooked;
    /// @notice Set when an inquiry went through under a consent that was withdrawn, expired, another borrower's or
    ///         not covering the inquirer.
    bool public inquiredWithoutConsent;
    /// Set when an inquiry returned a count of inquiring lenders other than the model's (the view is checked apart).
    bool public inquiryReturnedWrongCount;
    /// @notice Set when ageLoan left a plan loan Active more than the grace past due, or moved one that was not.
    bool public ageingWrong;

    /// @dev `moduleId`: the member id this handler is admitted under as a module; `firstBorrower`: the member id
    ///      of borrower 0 (borrowers are consecutive members whose entity keys are `borrowerKey(i)`).
    constructor(
        CreditRegistry credit,
        ConsentBook consents,
        address[3] memory lenders,
        MemberId[3] memory lenderIds,
        address regulator,
        MemberId moduleId,
        MemberId firstBorrower,
        address governor
    ) {
        (_moduleId, _firstBorrower, _governor) = (moduleId, firstBorrower, governor);
        _credit = credit;
        _consents = consents;
        _lenders = lenders;
        _lenderIds = lenderIds;
        _regulator = regulator;
    }

    // ─── Actions ────────────────────────────────────────────────────────────

    function register(uint256 lenderSeed, uint256 borrowerSeed, uint64 principal, uint64 paidSeed) external {
        uint256 l = lenderSeed % 3;
        ICreditRegistryTypes.LoanInput memory loan = _input(borrowerSeed, principal, paidSeed, ProductKind.SmeLoan);
        vm.prank(_lenders[l]);
        _remember(_credit.registerLoan(loan), _lenders[l], loan.loanRef);
    }

    function registerBatch(uint256 lenderSeed, uint256 borrowerSeed, uint64 principal, uint8 countSeed) external {
        uint256 l = lenderSeed % 3;
        uint256 count = bound(countSeed, 1, 4);
        ICreditRegistryTypes.LoanInput[] memory loans = new ICreditRegistryTypes.LoanInput[](count);
        for (uint256 i; i < count; ++i) {
            loans[i] = _input((borrowerSeed % BORROWERS) + i, principal / uint64(i + 1), i, ProductKind.ConsumerLoan);
        }
        vm.prank(_lenders[l]);
        _credit.registerLoans(loans);
        for (uint256 i; i < count; ++i) {
            _remember(_credit.loanId(_lenderIds[l], loans[i].loanRef), _lenders[l], loans[i].loanRef);
        }
    }

    function registerJoint(uint256 borrowerSeed, uint64 principal, uint16 platformSeed) external {
        ICreditRegistryTypes.LoanInput memory loan = _input(borrowerSeed, principal, 0, ProductKind.JointLoan);
        uint16 platformShare = uint16(bound(platformSeed, 1, 3_000));
        ICreditRegistryTypes.Funder[] memory funders = new ICreditRegistryTypes.Funder[](2);
        funders[0] = ICreditRegistryTypes.Funder(_lenderIds[0], 10_000 - platformShare);
        funders[1] = ICreditRegistryTypes.Funder(_lenderIds[2], platformShare);
        vm.prank(_lenders[0]);
        LoanId id = _credit.registerJointLoan(loan, funders);
        _remember(id, _lenders[0], loan.loanRef);
        _joint[id] = true;
    }

    /// The platform funder of a joint loan tries to book the same facility from its own books: it must fail.
    function bookJointAgain(uint256 loanSeed) external {
        (bool found, LoanId id, ICreditRegistryTypes.LoanRecord memory r) = _pick(loanSeed);
        if (!found || !_joint[id]) return;
        ICreditRegistryTypes.LoanInput memory loan = _input(0, r.principal, 0, ProductKind.SmeLoan);
        loan.loanRef = _refOf[id];
        vm.prank(_lenders[2]);
        try _credit.registerLoan(loan) {
            doubleBooked = true;
        } catch {}
    }

    function moduleExposure(uint256 lenderSeed, uint256 borrowerSeed, uint64 amountSeed) external {
        uint64 amount = uint64(bound(amountSeed, 1, 1e15));
        bytes32 ref = keccak256(abi.encode("module", ++_nonce));
        MemberId borrower = MemberId.wrap(MemberId.unwrap(_firstBorrower) + uint32(borrowerSeed % BORROWERS));
        _credit.reportExposure(
            _lenderIds[lenderSeed % 3],
            borrower,
            ref,
            ProductKind.ReceivableFinance,
            amount,
            uint24(block.timestamp / 1 days),
            uint24(block.timestamp / 1 days) + 90,
            "COMMIT"
        );
        _remember(_credit.loanId(_moduleId, ref), address(this), ref);
    }

    function moduleDefault(uint256 lenderSeed, uint256 borrowerSeed, uint64 amountSeed) external {
        uint64 amount = uint64(bound(amountSeed, 1, 1e15));
        bytes32 ref = keccak256(abi.encode("module", ++_nonce));
        MemberId borrower = MemberId.wrap(MemberId.unwrap(_firstBorrower) + uint32(borrowerSeed % BORROWERS));
        _credit.reportDefault(
            _lenderIds[lenderSeed % 3],
            borrower,
            ref,
            ProductKind.ReceivableFinance,
            amount,
            uint24(block.timestamp / 1 days),
            "C"
        );
        _remember(_credit.loanId(_moduleId, ref), address(this), ref);
    }

    /// A module's further default under the reference of one of its Defaulted records (review 4, A1): the record
    /// grows by the amount, and stays one default.
    function moduleDefaultAgain(uint256 loanSeed, uint64 amountSeed) external {
        (bool found, LoanId id, ICreditRegistryTypes.LoanRecord memory r) = _pick(loanSeed);
        if (!found || _reporterOf[id] != address(this) || r.status != LoanStatus.Defaulted) return;
        uint64 amount = uint64(bound(amountSeed, 1, 1e15));
        for (uint256 b; b < BORROWERS; ++b) {
            if (borrowerKey(b) != r.borrowerKey) continue;
            MemberId borrower = MemberId.wrap(MemberId.unwrap(_firstBorrower) + uint32(b));
            _credit.reportDefault(
                r.lender,
                borrower,
                _refOf[id],
                ProductKind.ReceivableFinance,
                amount,
                uint24(block.timestamp / 1 days),
                "C2"
            );
            ICreditRegistryTypes.LoanRecord memory added = _credit.getLoan(id);
            assertEq(added.outstanding, r.outstanding + amount, "a further default adds its amount");
            assertEq(added.principal, r.principal + amount, "to the principal too");
            assertTrue(added.status == LoanStatus.Defaulted, "and the record stays Defaulted");
            _touch(id);
            return;
        }
    }

    /// The module closes its record, dated the day it saw the debt paid: today, or up to 400 days back (a close that
    /// waited in its queue; review 27).
    function moduleClose(uint256 loanSeed, uint16 daysBack) external {
        (bool found, LoanId id, ICreditRegistryTypes.LoanRecord memory r) = _pick(loanSeed);
        if (!found || _reporterOf[id] != address(this)) return;
        bool live = r.status == LoanStatus.Active || r.status == LoanStatus.Overdue || r.status == LoanStatus.Defaulted;
        bool closed = _credit.closeExposure(_refOf[id], uint24(block.timestamp / 1 days) - uint24(daysBack % 400));
        assertTrue(closed == live, "closeExposure closes exactly the live records");
        if (closed) _touch(id);
    }

    function repay(uint256 loanSeed, uint64 amountSeed) external {
        (bool found, LoanId id, ICreditRegistryTypes.LoanRecord memory r) = _pick(loanSeed);
        if (!found || (r.status != LoanStatus.Active && r.status != LoanStatus.Overdue)) return;
        uint64 amount = uint64(bound(amountSeed, 1, r.outstanding));
        vm.prank(_reporterOf[id]);
        _credit.fileLoanRepayment(_refOf[id], amount);
        _paid(id, amount);
    }

    function repayBatch(uint256 loanSeed) external {
        (bool found, LoanId id, ICreditRegistryTypes.LoanRecord memory r) = _pick(loanSeed);
        if (!found || (r.status != LoanStatus.Active && r.status != LoanStatus.Overdue) || r.outstanding < 2) return;
        ICreditRegistryTypes.Repayment[] memory lines = new ICreditRegistryTypes.Repayment[](2);
        lines[0] = ICreditRegistryTypes.Repayment(_refOf[id], 1);
        lines[1] = ICreditRegistryTypes.Repayment(_refOf[id], 1);
        vm.prank(_reporterOf[id]);
        _credit.fileLoanRepayments(lines);
        _paid(id, 2);
    }

    function moveStatus(uint256 loanSeed, uint8 toSeed) external {
        (bool found, LoanId id, ICreditRegistryTypes.LoanRecord memory r) = _pick(loanSeed);
        if (!found) return;
        LoanStatus to = LoanStatus(bound(toSeed, 1, 5));
        if (!_allowed(r.status, to)) return;
        vm.prank(_reporterOf[id]);
        try _credit.fileLoanStatus(_refOf[id], to) {
            if (to == LoanStatus.Repaid) _paid(id, r.outstanding);
            _touch(id);
        } catch (bytes memory reason) {
            // Only a cure of a plan loan still past its grace may be refused.
            assertTrue(bytes4(reason) == ICreditRegistryTypes.CreditLoanPastDue.selector, "status change refused");
            assertTrue(to == LoanStatus.Active && _credit.termsOf(id).plan.instalments != 0, "refused cure");
        }
    }

    function correct(uint256 loanSeed, uint8 statusSeed, uint64 outstandingSeed) external {
        (bool found, LoanId id, ICreditRegistryTypes.LoanRecord memory r) = _pick(loanSeed);
        if (!found) return;
        LoanStatus s = LoanStatus(bound(statusSeed, 1, 5));
        ICreditRegistryTypes.Plan memory plan = _credit.termsOf(id).plan;
        uint256 ceiling = plan.instalments != 0 ? InstalmentPlan.totalDue(plan) : r.principal;
        // A Defaulted or WrittenOff record may be corrected to nothing owed (review 27); Repaid owes nothing.
        bool mayBeZero = s == LoanStatus.Defaulted || s == LoanStatus.WrittenOff;
        uint64 outstanding = s == LoanStatus.Repaid ? 0 : uint64(bound(outstandingSeed, mayBeZero ? 0 : 1, ceiling));
        MemberId reporter = _memberOfReporter(id);
        vm.startPrank(_regulator);
        _credit.openDispute(reporter, _refOf[id], "HANDLER");
        _credit.correctLoan(reporter, _refOf[id], ICreditRegistryTypes.Correction(s, outstanding, "FIXED"), "RULING");
        _credit.resolveDispute(reporter, _refOf[id], "CLOSED");
        vm.stopPrank();
        if (plan.instalments != 0) paidOf[id] = InstalmentPlan.totalDue(plan) - outstanding;
        _touch(id);
    }

    /// A consumer loan on an instalment plan, possibly registered with part already paid, and possibly first due
    /// before it is registered (a loan reported late, already past due; review 27).
    function registerPlan(
        uint256 lenderSeed,
        uint256 borrowerSeed,
        uint64 instalmentSeed,
        uint8 countSeed,
        bool monthly,
        uint64 paidSeed,
        uint16 firstDueSeed
    ) external {
        uint256 l = lenderSeed % 2; // the two banks
        uint8 n = uint8(bound(countSeed, 1, 120));
        uint64 instalment = uint64(bound(instalmentSeed, 1, 1e12));
        uint24 today = uint24(block.timestamp / 1 days);
        ICreditRegistryTypes.Plan memory plan = ICreditRegistryTypes.Plan({
            instalments: n,
            frequency: monthly ? Frequency.Monthly : Frequency.Weekly,
            firstDueDay: today + 7 - uint24(bound(firstDueSeed, 0, 2_007)),
            instalment: n == 1 ? 0 : instalment,
            finalInstalment: instalment / 2 + 1
        });
        uint256 total = InstalmentPlan.totalDue(plan);
        uint64 paid = uint64(bound(paidSeed, 0, total - 1));
        ICreditRegistryTypes.LoanInput memory loan = _input(borrowerSeed, 1, 1, ProductKind.ConsumerLoan);
        (loan.principal, loan.outstanding) = (uint64(total), uint64(total - paid));
        if (plan.firstDueDay < loan.originationDay) loan.originationDay = plan.firstDueDay;
        (loan.plan, loan.aprBps, loan.maturityDay) = (plan, 1_800, uint24(InstalmentPlan.dueDay(plan, n - 1)));
        vm.prank(_lenders[l]);
        LoanId id = _credit.registerLoan(loan);
        _remember(id, _lenders[l], loan.loanRef);
        paidOf[id] = paid;
        _touch(id);
    }

    /// A stranger applies what time made due on a loan.
    function age(uint256 loanSeed) external {
        (bool found, LoanId id, ICreditRegistryTypes.LoanRecord memory r) = _pick(loanSeed);
        if (!found) return;
        ICreditRegistryTypes.Delinquency memory d = _credit.delinquencyOf(id);
        bool hasPlan = _credit.termsOf(id).plan.instalments != 0;
        vm.prank(address(0xBAD));
        try _credit.ageLoan(id) {
            _touch(id);
        } catch {}
        LoanStatus now_ = _credit.getLoan(id).status;
        bool pastGrace = hasPlan && d.daysPastDue > _credit.policy().graceDays;
        if (r.status == LoanStatus.Active && (now_ == LoanStatus.Overdue) != pastGrace) ageingWrong = true;
        if (r.status != LoanStatus.Active && now_ != r.status) ageingWrong = true;
    }

    /// The governor changes the grace before a missed instalment makes a loan Overdue (review 27).
    function setGrace(uint16 graceSeed) external {
        ICreditRegistryTypes.Policy memory p = _credit.policy();
        p.graceDays = uint16(bound(graceSeed, 0, 120));
        vm.prank(_governor);
        _credit.setPolicy(p);
    }

    /// A lender records a borrower's consent; sometimes it covers another bank, sometimes it expires within days.
    function recordConsent(uint256 lenderSeed, uint256 borrowerSeed, bool coverOther, uint32 termSeed) external {
        uint256 l = lenderSeed % 3;
        MemberId[] memory covered = new MemberId[](coverOther ? 1 : 0);
        if (coverOther) covered[0] = _lenderIds[(l + 1) % 3];
        IConsentBook.ConsentInput memory c = IConsentBook.ConsentInput({
            borrowerKey: borrowerKey(borrowerSeed),
            documentHash: keccak256(abi.encode("consent", ++_nonce)),
            purpose: ConsentPurpose.NewCredit,
            expiresAt: uint40(block.timestamp + bound(termSeed, 1, 60 days)),
            covered: covered
        });
        vm.prank(_lenders[l]);
        ConsentId id = _consents.recordConsent(c);
        _consentIds.push(id);
        (_consentLender[id], _consentBorrower[id]) = (l, borrowerSeed % BORROWERS);
    }

    function revokeConsent(uint256 consentSeed, bool byRegulator) external {
        if (_consentIds.length == 0) return;
        ConsentId id = _consentIds[consentSeed % _consentIds.length];
        if (_revoked[id]) return;
        vm.prank(byRegulator ? _regulator : _lenders[_consentLender[id]]);
        _consents.revokeConsent(id, "WITHDRAWN");
        _revoked[id] = true;
    }

    /// A lender inquires about a borrower under one of the consents: it goes through exactly when the model says the
    /// consent is in force for that borrower and that lender.
    function inquire(uint256 lenderSeed, uint256 borrowerSeed, uint256 consentSeed) external {
        if (_consentIds.length == 0) return;
        ConsentId id = _consentIds[consentSeed % _consentIds.length];
        uint256 l = lenderSeed % 3;
        IConsentBook.Consent memory c = _consents.getConsent(id);
        bool covers =
            _consentLender[id] == l ||
                (c.covered.length == 1 && MemberId.unwrap(c.covered[0]) == MemberId.unwrap(_lenderIds[l]));
        bool valid =
            !_revoked[id] &&
                block.timestamp < c.expiresAt &&
                _consentBorrower[id] == borrowerSeed % BORROWERS &&
                covers;
        vm.prank(_lenders[l]);
        try _credit.inquire(borrowerKey(borrowerSeed), ConsentPurpose.NewCredit, id) returns (
            ICreditRegistryTypes.Exposure memory e
        ) {
            if (!valid) inquiredWithoutConsent = true;
            _lastInquiry[borrowerSeed % BORROWERS][l] = block.timestamp;
            // The suite's policy window (CreditRegistry.t.sol): 30 days.
            if (e.inquiries != _inquiringLenders(borrowerSeed % BORROWERS, 30 days)) inquiryReturnedWrongCount = true;
        } catch {
            if (valid) inquiredWithoutConsent = true;
        }
    }

    /// @notice The model of the rolling window: distinct lenders whose latest inquiry is younger than `window`.
    function inquiringLenders(uint256 borrower, uint256 window) external view returns (uint256) {
        return _inquiringLenders(borrower, window);
    }

    function _inquiringLenders(uint256 borrower, uint256 window) private view returns (uint256 count) {
        for (uint256 l; l < 3; ++l) {
            uint256 t = _lastInquiry[borrower][l];
            if (t != 0 && block.timestamp < t + window) ++count;
        }
    }

    function warp(uint32 secondsSeed) external {
        vm.warp(block.timestamp + bound(secondsSeed, 1, 40 days));
    }

    /// Years pass: retained negative records reach the end of their retention.
    function warpYears(uint8 yearsSeed) external {
        vm.warp(block.timestamp + bound(yearsSeed, 1, 6) * 365 days);
    }

    // ─── For the invariant test ─────────────────────────────────────────────

    function loanCount() external view returns (uint256) {
        return _ids.length;
    }

    function loanAt(uint256 i) external view returns (LoanId) {
        return _ids[i];
    }

    function borrowerKey(uint256 seed) public pure returns (bytes32) {
        return keccak256(abi.encode("borrower", seed % BORROWERS));
    }

    // ─── Internals ──────────────────────────────────────────────────────────

    function _input(
        uint256 borrowerSeed,
        uint64 principal,
        uint256 paidSeed,
        ProductKind kind
    ) internal returns (ICreditRegistryTypes.LoanInput memory) {
        uint64 p = uint64(bound(principal, 1, 1e15));
        uint64 outstanding = uint64(bound(paidSeed, 1, p));
        uint24 today = uint24(block.timestamp / 1 days);
        return
            ICreditRegistryTypes.LoanInput({
                loanRef: keccak256(abi.encode("ref", ++_nonce)),
                borrowerKey: borrowerKey(borrowerSeed),
                kind: kind,
                principal: p,
                outstanding: outstanding,
                originationDay: today,
                maturityDay: today + 365,
                commitment: keccak256(abi.encode("record", _nonce)),
                aprBps: 0,
                plan: ICreditRegistryTypes.Plan(0, Frequency.Weekly, 0, 0, 0)
            });
    }

    function _paid(LoanId id, uint256 amount) internal {
        paidOf[id] += amount;
        _touch(id);
    }

    function _touch(LoanId id) internal {
        touchedDay[id] = block.timestamp / 1 days;
    }

    function _remember(LoanId id, address reporter, bytes32 ref) internal {
        _ids.push(id);
        _reporterOf[id] = reporter;
        _refOf[id] = ref;
    }

    function _pick(uint256 seed) internal view returns (bool, LoanId, ICreditRegistryTypes.LoanRecord memory r) {
        if (_ids.length == 0) return (false, LoanId.wrap(0), r);
        LoanId id = _ids[seed % _ids.length];
        return (true, id, _credit.getLoan(id));
    }

    function _memberOfReporter(LoanId id) internal view returns (MemberId) {
        for (uint256 i; i < 3; ++i) if (_lenders[i] == _reporterOf[id]) return _lenderIds[i];
        if (_reporterOf[id] == address(this)) return _moduleId;
        revert("unknown reporter");
    }

    function _allowed(LoanStatus from, LoanStatus to) internal pure returns (bool) {
        if (from == LoanStatus.Active) return to == LoanStatus.Overdue || to == LoanStatus.Repaid;
        if (from == LoanStatus.Overdue) {
            return to == LoanStatus.Active || to == LoanStatus.Defaulted || to == LoanStatus.Repaid;
        }
        return from == LoanStatus.Defaulted && to == LoanStatus.WrittenOff;
    }
}
