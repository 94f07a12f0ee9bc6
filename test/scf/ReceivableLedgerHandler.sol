// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MemberRegistry} from "../../contracts/access/MemberRegistry.sol";
import {SettlementToken} from "../../contracts/assets/SettlementToken.sol";
import {ICreditReporter} from "../../contracts/interfaces/ICreditReporter.sol";
import {IEmergencyPause} from "../../contracts/interfaces/IEmergencyPause.sol";
import {
    FamilyState,
    IReceivableLedgerTypes,
    PieceState,
    ReceivableId
} from "../../contracts/interfaces/IReceivableLedger.sol";
import {MemberId, MemberStatus} from "../../contracts/interfaces/IMemberRegistry.sol";
import {IMemberPayouts} from "../../contracts/interfaces/IMemberPayouts.sol";
import {ReceivableLedger} from "../../contracts/scf/ReceivableLedger.sol";
import {TestBase} from "../lib/Vm.sol";

/// @notice Drives every state-changing operation of a ReceivableLedger: issues, requests (confirmed directly or by a
///         relayed signature, rejected, withdrawn or lapsed), splits, transfers, pledges and releases, discounts (also
///         with a cancelled nonce or an expired quote), deliberate second financings (of a financed piece, by its
///         buyer or its seller, a replayed quote, an encumbered piece, a split or transfer of either), overdue marks,
///         default declarations, repayments (also after a default and during a pause), collections (also parked),
///         claims and redirections of parked money, credit lines (choice, reassignment, limit, freeze), terms, piece
///         freezes, credit report retries (with the credit registry paused and resumed), suspensions, a revocation,
///         pauses, time jumps, and `endAll` (every deadline passed, every time rule and payment path called). It
///         keeps the model the invariants compare against; every refusal it provokes is checked to be the expected
///         custom error, and any that goes through is counted.
contract ReceivableLedgerHandler is TestBase {
    /// A piece id's low 24 bits are its index in its family (the ledger's `_INDEX_BITS`); the rest is its root.
    uint256 internal constant _PIECE_INDEX_MASK = (1 << 24) - 1;

    ReceivableLedger internal _ledger;
    SettlementToken internal _token;
    MemberRegistry internal _registry;
    address internal _governor;
    address internal _regulator;
    uint256 internal _coreKey;
    address internal _core;
    MemberId internal _coreId;
    address[3] internal _suppliers;
    uint256[2] internal _bankKeys;
    address[2] internal _banks;

    ReceivableId[] public pieces;
    ReceivableId[] public roots;
    /// How many times each piece's units were sold to a bank, counted from the ledger's answers (a piece split from a
    /// financed one inherits its count).
    mapping(ReceivableId => uint256) public financedCount;
    /// Financings and moves (split, transfer) the ledger had to refuse but let through.
    uint256 public wrongFinancings;
    uint256 public wrongMoves;
    /// Refusals whose error was not the one the ledger's checks name, and the last such error.
    uint256 public wrongRefusals;
    bytes public lastWrongRefusal;
    uint256 public secondFinancingsRefused;
    uint256 public confirmedFace;
    uint256 public collectedFace;
    /// What debtors paid into the ledger and holders have not collected yet (rounding dust included).
    uint256 public repaidUncollected;
    /// After the last `endAll`: the ledger's balance beyond what it owes members, and what it still owes to members
    /// that have no claim path of their own right now (active ones, or a revoked one while an active supplier exists).
    uint256 public endAllCount;
    uint256 public unownedAfterEnd;
    uint256 public unclaimedAfterEnd;
    uint256 internal _nonce;

    mapping(ReceivableId => MemberId) internal _sellerOf;
    mapping(ReceivableId => IReceivableLedgerTypes.Quote) internal _quoteOf;
    mapping(ReceivableId => bytes) internal _signatureOf;

    constructor(
        ReceivableLedger ledger,
        SettlementToken token,
        MemberRegistry registry,
        address regulator,
        uint256 coreKey,
        address[3] memory suppliers,
        uint256[2] memory bankKeys
    ) {
        (_ledger, _token, _registry) = (ledger, token, registry);
        (_governor, _regulator) = (registry.governor(), regulator);
        (_coreKey, _core) = (coreKey, vm.addr(coreKey));
        _coreId = registry.memberForKey(_core);
        _suppliers = suppliers;
        _bankKeys = bankKeys;
        _banks = [vm.addr(bankKeys[0]), vm.addr(bankKeys[1])];
    }

    function pieceCount() external view returns (uint256) {
        return pieces.length;
    }

    function rootCount() external view returns (uint256) {
        return roots.length;
    }

    // ─── Issue and confirm ──────────────────────────────────────────────────

    function issue(uint256 supplierSeed, uint64 faceSeed) external {
        _issue(supplierSeed, faceSeed);
    }

    /// A supplier requests; the debtor answers now (`respond`) or later, or leaves it to lapse.
    function request(uint256 supplierSeed, uint64 faceSeed, uint8 outcome) external {
        if (_ledger.paused()) return;
        uint64 face = uint64(bound(faceSeed, 1, 1e10));
        address supplier = _suppliers[supplierSeed % 3];
        if (!_registry.isActiveKey(supplier)) return;
        vm.prank(supplier);
        ReceivableId root = _ledger.request(
            _coreId,
            address(_token),
            face,
            uint40(block.timestamp + 3 days),
            _invoices()
        );
        roots.push(root);
        if (outcome % 5 != 4) _respond(root, outcome);
    }

    /// The debtor confirms (directly, or by a signature anyone relays) or rejects a request; or its supplier withdraws.
    function respond(uint256 rootSeed, uint8 outcome) external {
        if (roots.length == 0) return;
        _respond(roots[rootSeed % roots.length], outcome);
    }

    function lapse(uint256 rootSeed) external {
        if (roots.length == 0 || _ledger.paused()) return;
        ReceivableId root = roots[rootSeed % roots.length];
        IReceivableLedgerTypes.Family memory f = _ledger.getFamily(root);
        if (f.state != FamilyState.Requested) return;
        if (block.timestamp < f.maturity) vm.warp(f.maturity);
        _ledger.lapse(root);
    }

    // ─── Credit lines and terms ─────────────────────────────────────────────

    /// The debtor picks a bank for its line (or the governor reassigns it); the bank then sets a limit.
    function chooseFinancier(uint256 bankSeed, uint96 limitSeed, bool byGovernor) external {
        if (_ledger.paused()) return;
        MemberId bank = _registry.memberForKey(_banks[bankSeed % 2]);
        if (byGovernor) {
            vm.prank(_governor);
            _ledger.reassignCreditLine(_coreId, address(_token), bank);
        } else {
            vm.prank(_core);
            _ledger.chooseFinancier(address(_token), bank);
        }
        setCreditLine(limitSeed);
    }

    /// The line's bank raises or cuts the limit (below the use too: confirmations then wait).
    function setCreditLine(uint96 limitSeed) public {
        if (_ledger.paused()) return;
        vm.prank(_lineBank());
        _ledger.setCreditLine(_coreId, address(_token), uint96(bound(limitSeed, 0, 1e12)));
    }

    function freezeCreditLine(bool frozen) external {
        vm.prank(_lineBank());
        _ledger.freezeCreditLine(_coreId, address(_token), frozen);
    }

    function setTerms(uint32 graceSeed, uint16 penaltySeed) external {
        vm.prank(_governor);
        _ledger.setTerms(uint32(bound(graceSeed, 0, 14 days)), uint16(bound(penaltySeed, 0, 10_000)));
    }

    // ─── Split, transfer, pledge ────────────────────────────────────────────

    function split(uint256 pieceSeed, uint64 cutSeed) external {
        (bool ok, ReceivableId id, IReceivableLedgerTypes.Piece memory p) = _movable(pieceSeed);
        if (!ok || p.face < 2) return;
        vm.prank(_operatorOf(p.holder));
        ReceivableId[] memory children = _ledger.split(id, _halves(p.face, cutSeed));
        pieces.push(children[0]);
    }

    function transfer(uint256 pieceSeed, uint256 toSeed) external {
        (bool ok, ReceivableId id, IReceivableLedgerTypes.Piece memory p) = _movable(pieceSeed);
        address to = _suppliers[toSeed % 3];
        // A hand-over goes to another supplier (review 32, B1).
        if (!ok || p.tier == type(uint8).max || !_registry.isActiveKey(to)) return;
        if (MemberId.unwrap(_registry.memberForKey(to)) == MemberId.unwrap(p.holder)) return;
        vm.prank(_operatorOf(p.holder));
        _ledger.transfer(id, to);
    }

    /// The holder pledges a piece to a bank: it can then neither move nor be sold until released.
    function encumber(uint256 pieceSeed, uint256 bankSeed) external {
        (bool ok, ReceivableId id, IReceivableLedgerTypes.Piece memory p) = _movable(pieceSeed);
        if (!ok) return;
        MemberId bank = _registry.memberForKey(_banks[bankSeed % 2]);
        vm.prank(_operatorOf(p.holder));
        _ledger.encumber(id, bank);
    }

    /// The pledgee releases a pledged piece. A collected one keeps its pledge, the record of whom it paid (review 41,
    /// S1): that release is refused, naming the piece's state.
    function release(uint256 pieceSeed) external {
        (bool found, ReceivableId id) = _find(pieceSeed, 1);
        if (!found || _ledger.paused()) return;
        IReceivableLedgerTypes.Piece memory p = _ledger.getPiece(id);
        vm.prank(_operatorOf(p.pledgee));
        if (p.state == PieceState.Held) {
            _ledger.release(id);
            return;
        }
        try _ledger.release(id) {
            ++wrongRefusals;
        } catch (bytes memory reason) {
            bytes32 held = bytes32(uint256(1) << uint8(PieceState.Held));
            _expect(
                reason,
                abi.encodeWithSelector(IReceivableLedgerTypes.ScfUnexpectedPieceState.selector, id, p.state, held)
            );
        }
    }

    /// The regulator freezes or unfreezes a piece: it cannot move, be sold or be collected meanwhile. A freeze that
    /// changes nothing, or of a collected piece, is refused (review 36, L2): the handler makes only real ones.
    function freeze(uint256 pieceSeed, bool frozen) external {
        if (pieces.length == 0) return;
        ReceivableId id = pieces[pieceSeed % pieces.length];
        IReceivableLedgerTypes.Piece memory piece = _ledger.getPiece(id);
        if (piece.frozen == frozen || piece.state == PieceState.Collected) return;
        vm.prank(_regulator);
        _ledger.freeze(id, frozen, "handler");
    }

    // ─── Discounting ────────────────────────────────────────────────────────

    /// The holder sells a held piece to a bank; mode 2 uses a nonce the bank cancelled, mode 3 an expired quote: both
    /// must be refused.
    function finance(uint256 pieceSeed, uint16 rateSeed, uint8 mode) external {
        (bool ok, ReceivableId id, IReceivableLedgerTypes.Piece memory p) = _movable(pieceSeed);
        if (!ok) return;
        uint256 bank = rateSeed % 2;
        IReceivableLedgerTypes.Quote memory q = _quote(id, p.holder, uint16(bound(rateSeed, 0, 2_000)));
        try _ledger.priceOf(q) returns (uint256 price) {
            // The bank must afford it, or the ledger's transfer would fail.
            if (_token.balanceOf(_banks[bank]) < price) return;
        } catch {
            return; // the ledger refuses a quote that leaves no positive price (a tiny face): skip those
        }
        bytes memory expected;
        mode %= 4;
        if (mode == 2) {
            vm.prank(_banks[bank]);
            _ledger.cancelNonce(q.nonce);
            expected = abi.encodeWithSelector(IReceivableLedgerTypes.ScfNonceUsed.selector, _banks[bank], q.nonce);
        } else if (mode == 3) {
            q.expiry = uint40(block.timestamp - 1);
            expected = abi.encodeWithSelector(IReceivableLedgerTypes.ScfQuoteExpired.selector, q.expiry);
        }
        _tryFinance(q, bank, _operatorOf(p.holder), expected);
    }

    /// Deliberate second financings of one piece, in turn: a financed piece sold on by its buyer, sold again by its
    /// seller with a fresh quote or the replayed one, then split and transferred by its holder; or the same with a
    /// pledged piece. The ledger must refuse each with the error its checks name. With `first` 1 or 2, a movable
    /// piece is first sold (legitimately) or pledged in the same call, so that the attempts meet a piece still within
    /// its term; else they meet any financed or pledged piece, in whatever state its family reached.
    function financeAgain(uint256 pieceSeed, uint8 first, uint64 faceSeed) external {
        (bool found, ReceivableId id, IReceivableLedgerTypes.Piece memory p) = _movable(pieceSeed);
        first %= 3;
        // A piece to sell or pledge first: a movable one, else one issued now (movable ones are scarce).
        if (first != 0 && !found) {
            (found, id) = _issue(pieceSeed, faceSeed);
            p = _ledger.getPiece(id);
        }
        uint256 bank = pieceSeed % 2;
        if (found && first == 1 && _token.balanceOf(_banks[bank]) >= p.face) {
            _tryFinance(_quote(id, p.holder, 0), bank, _operatorOf(p.holder), "");
        } else if (found && first == 2) {
            MemberId pledgee = _registry.memberForKey(_banks[bank]);
            vm.prank(_operatorOf(p.holder));
            _ledger.encumber(id, pledgee);
        } else {
            (found, id) = _find(pieceSeed, 0);
            if (!found) return;
        }
        for (uint256 attempt; attempt < 5; ++attempt) _financeAgain(id, attempt, pieceSeed);
    }

    // ─── Maturity ───────────────────────────────────────────────────────────

    /// Anyone marks a family overdue once maturity plus grace has passed.
    function markOverdue(uint256 rootSeed) external {
        if (roots.length == 0 || _ledger.paused()) return;
        ReceivableId root = roots[rootSeed % roots.length];
        IReceivableLedgerTypes.Family memory f = _ledger.getFamily(root);
        if (f.state != FamilyState.Confirmed) return;
        uint256 dueAt = uint256(f.maturity) + f.graceSeconds;
        if (block.timestamp <= dueAt) vm.warp(dueAt + 1);
        _ledger.markOverdue(root);
    }

    /// The bank holding a financed piece declares it in default once its family is overdue (marking it if needed).
    function declareDefault(uint256 pieceSeed) external {
        if (pieces.length == 0 || _ledger.paused()) return;
        ReceivableId id = pieces[pieceSeed % pieces.length];
        IReceivableLedgerTypes.Piece memory p = _ledger.getPiece(id);
        IReceivableLedgerTypes.Family memory f = _ledger.getFamily(id);
        if (p.state != PieceState.Financed || p.defaulted || !_open(f.state)) return;
        uint256 dueAt = uint256(f.maturity) + f.graceSeconds;
        if (block.timestamp <= dueAt) vm.warp(dueAt + 1);
        vm.prank(_operatorOf(p.holder));
        _ledger.declareDefault(id);
    }

    /// The debtor repays, also after a default and during a pause.
    function repay(uint256 rootSeed) external {
        if (roots.length == 0) return;
        _repay(roots[rootSeed % roots.length], true);
    }

    /// Anyone collects, also during a pause and to a suspended or revoked holder (its share is then parked).
    function collect(uint256 pieceSeed) external {
        if (pieces.length == 0) return;
        _collect(pieces[pieceSeed % pieces.length]);
    }

    /// Anyone claims what is parked for a member; only an active member can receive it.
    function claimOwed(uint256 memberSeed) external {
        _claim(_memberAt(memberSeed % 5));
    }

    /// The governor sends what is parked for the revoked supplier to an active one.
    function redirectOwed(uint256 toSeed) external {
        _redirect(toSeed);
    }

    /// Anyone retries up to one to three of the deferred credit reports of a piece (its recourse exposure, or the
    /// defaults a bank declared on its family): a queue is delivered in parts, in order. The first record from the
    /// seed on that has reports queued is retried, else the seed's own (refused: nothing queued).
    function retryCreditReports(uint256 pieceSeed, bool isDefault, uint8 maxSeed) external {
        uint256 n = pieces.length;
        if (n == 0) return;
        bytes32 ref = _reportRef(pieces[pieceSeed % n], isDefault, pieceSeed);
        for (uint256 k; k < n; ++k) {
            bytes32 candidate = _reportRef(pieces[((pieceSeed % n) + k) % n], isDefault, pieceSeed);
            (, uint256 queuedThere) = _ledger.pendingCreditReports(candidate, 0, 0);
            if (queuedThere != 0) {
                ref = candidate;
                break;
            }
        }
        uint256 max = 1 + (maxSeed % 3);
        (bytes[] memory before, uint256 queued) = _ledger.pendingCreditReports(ref, 0, max + 1);
        try _ledger.retryCreditReports(ref, max) returns (uint256 delivered) {
            assertTrue(delivered >= 1 && delivered <= max, "a retry delivers at least one report and at most max");
            (bytes[] memory next, uint256 left) = _ledger.pendingCreditReports(ref, 0, 1);
            assertEq(left, queued - delivered, "a retry takes what it delivered off the queue");
            if (left != 0) {
                assertTrue(keccak256(next[0]) == keccak256(before[delivered]), "delivered from the head, in order");
            }
        } catch (bytes memory reason) {
            bytes4 selector = bytes4(reason);
            if (selector != ICreditReporter.CreditReportStillFailing.selector) {
                _expect(reason, abi.encodeWithSelector(ICreditReporter.CreditReportNoneQueued.selector, ref));
            }
        }
    }

    // ─── Members, pause, time ───────────────────────────────────────────────

    /// The governor suspends or reinstates a supplier: payments to it are parked meanwhile.
    function toggleSupplier(uint256 supplierSeed) external {
        MemberId member = _registry.memberForKey(_suppliers[supplierSeed % 3]);
        MemberStatus status = _registry.statusOf(member);
        if (status == MemberStatus.Revoked) return;
        vm.prank(_governor);
        if (status == MemberStatus.Active) _registry.suspend(member, "handler");
        else _registry.reinstate(member, "handler");
    }

    /// The governor revokes the third supplier for good: what it is paid is parked, then redirected by the governor.
    function revokeSupplier() external {
        MemberId member = _registry.memberForKey(_suppliers[2]);
        if (_registry.statusOf(member) == MemberStatus.Revoked) return;
        vm.prank(_governor);
        _registry.revoke(member, "handler");
    }

    function togglePause() external {
        bool paused = _ledger.paused();
        vm.prank(_governor);
        if (paused) _ledger.unpause();
        else _ledger.pause();
    }

    /// The governor pauses or resumes the credit registry: the ledger's reports to it are queued meanwhile and
    /// delivered by `retryCreditReports`, in parts and in order, once it runs again.
    function toggleCreditPause() external {
        IEmergencyPause credit = IEmergencyPause(address(_ledger.creditRegistry()));
        bool paused = credit.paused();
        vm.prank(_governor);
        if (paused) credit.unpause();
        else credit.pause();
    }

    function warp(uint32 secondsSeed) external {
        vm.warp(block.timestamp + bound(secondsSeed, 1, 10 days));
    }

    /// Every deadline passes and every time rule and payment path is called: requests lapse, families go overdue and
    /// are repaid where the debtor can pay, frozen pieces of repaid families are unfrozen and every piece is collected,
    /// parked money is claimed or redirected. What the ledger still holds is then recorded for the invariants.
    function endAll() external {
        if (_ledger.paused()) {
            vm.prank(_governor);
            _ledger.unpause();
        }
        uint256 last = block.timestamp;
        for (uint256 i; i < roots.length; ++i) {
            IReceivableLedgerTypes.Family memory f = _ledger.getFamily(roots[i]);
            uint256 dueAt = uint256(f.maturity) + 14 days + 1;
            if (dueAt > last) last = dueAt;
        }
        vm.warp(last);
        for (uint256 i; i < roots.length; ++i) {
            ReceivableId root = roots[i];
            FamilyState state = _ledger.getFamily(root).state;
            if (state == FamilyState.Requested) _ledger.lapse(root);
            if (state == FamilyState.Confirmed) _ledger.markOverdue(root);
            _repay(root, false);
        }
        for (uint256 i; i < pieces.length; ++i) {
            ReceivableId id = pieces[i];
            if (_ledger.getPiece(id).frozen && _ledger.getFamily(id).state == FamilyState.Repaid) {
                vm.prank(_regulator);
                _ledger.freeze(id, false, "endAll");
            }
            _collect(id);
        }
        for (uint256 i; i < 5; ++i) _claim(_memberAt(i));
        _redirect(0);
        ++endAllCount;
        uint256 balance = _token.balanceOf(address(_ledger));
        uint256 owed = _ledger.totalOwed(address(_token));
        unownedAfterEnd = balance > owed ? balance - owed : owed - balance;
        unclaimedAfterEnd = 0;
        bool anyActive = _activeSupplier(0) != address(0);
        for (uint256 i; i < 5; ++i) {
            MemberId member = _memberAt(i);
            MemberStatus status = _registry.statusOf(member);
            if (status == MemberStatus.Active || (status == MemberStatus.Revoked && anyActive)) {
                unclaimedAfterEnd += _ledger.owedTo(member, address(_token));
            }
        }
    }

    // ─── Internals ──────────────────────────────────────────────────────────

    function _issue(uint256 supplierSeed, uint64 faceSeed) internal returns (bool, ReceivableId root) {
        uint64 face = uint64(bound(faceSeed, 1, 1e10));
        address supplier = _suppliers[supplierSeed % 3];
        if (!_lineHasRoom(face) || !_registry.isActiveKey(supplier)) return (false, root);
        vm.prank(_core);
        root = _ledger.issue(supplier, address(_token), face, uint40(block.timestamp + 30 days), _invoices());
        roots.push(root);
        pieces.push(root);
        confirmedFace += face;
        return (true, root);
    }

    function _respond(ReceivableId root, uint8 outcome) internal {
        IReceivableLedgerTypes.Family memory f = _ledger.getFamily(root);
        if (f.state != FamilyState.Requested || _ledger.paused()) return;
        outcome %= 4;
        if (outcome < 2) {
            if (!_lineHasRoom(uint64(f.face)) || block.timestamp >= f.maturity) return;
            if (outcome == 0) {
                vm.prank(_core);
                _ledger.confirm(root);
            } else {
                // Unordered nonces: one of the root's own, signed under the terms in force.
                (uint256 nonce, uint256 deadline) = (uint256(keccak256(abi.encode(root))), block.timestamp + 1 hours);
                (uint32 grace, uint16 penalty) = _ledger.terms();
                bytes memory signature = _confirmation(root, f, grace, penalty, nonce, deadline);
                _ledger.confirmWithSignature(root, grace, penalty, nonce, deadline, signature);
            }
            pieces.push(root);
            confirmedFace += f.face;
        } else {
            // The debtor rejects (2), or the supplier withdraws (3) while it is a member.
            address by = outcome == 2 ? _core : _operatorOf(_ledger.getPiece(root).holder);
            if (_registry.statusOf(_registry.memberForKey(by)) == MemberStatus.None) return;
            vm.prank(by);
            _ledger.reject(root);
        }
    }

    function _confirmation(
        ReceivableId root,
        IReceivableLedgerTypes.Family memory f,
        uint32 grace,
        uint16 penalty,
        uint256 nonce,
        uint256 deadline
    ) internal view returns (bytes memory) {
        (, string memory name, string memory version, uint256 chainId, address verifying, , ) = _ledger.eip712Domain();
        bytes32 domain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256(bytes(name)),
                keccak256(bytes(version)),
                chainId,
                verifying
            )
        );
        bytes32 structHash = keccak256(
            abi.encode(
                _ledger.CONFIRMATION_TYPEHASH(),
                ReceivableId.unwrap(root),
                MemberId.unwrap(_ledger.getPiece(root).holder),
                f.token,
                uint64(f.face),
                f.maturity - _ledger.pausedSeconds(), // the active clock's maturity, which a pause does not move
                grace,
                penalty,
                nonce,
                deadline
            )
        );
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(
            _coreKey,
            keccak256(abi.encodePacked("\x19\x01", domain, structHash))
        );
        return abi.encodePacked(r, s, v);
    }

    function _quote(
        ReceivableId id,
        MemberId seller,
        uint16 rateBps
    ) internal returns (IReceivableLedgerTypes.Quote memory) {
        return
            IReceivableLedgerTypes.Quote({
                id: id,
                rateBps: rateBps,
                dayBase: 360,
                recourse: rateBps % 2 == 0,
                seller: seller,
                expiry: uint40(block.timestamp + 1 hours),
                nonce: ++_nonce
            });
    }

    /// Bank `bank` signs `q`; `caller` submits it. With `expected` empty the sale must go through; else the ledger
    /// must refuse it with exactly `expected`. Either way the model counts what the ledger actually did.
    function _tryFinance(
        IReceivableLedgerTypes.Quote memory q,
        uint256 bank,
        address caller,
        bytes memory expected
    ) internal {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(_bankKeys[bank], _ledger.quoteDigest(q));
        bytes memory signature = abi.encodePacked(r, s, v);
        MemberId seller = _ledger.getPiece(q.id).holder;
        (bool ok, bytes memory reason) = _callFinance(caller, q, signature);
        if (ok && financedCount[q.id] == 0)
            (_sellerOf[q.id], _quoteOf[q.id], _signatureOf[q.id]) = (seller, q, signature);
        _afterFinance(q.id, ok, reason, expected);
    }

    function _callFinance(
        address caller,
        IReceivableLedgerTypes.Quote memory q,
        bytes memory signature
    ) internal returns (bool, bytes memory) {
        vm.prank(caller);
        try _ledger.finance(q, signature) {
            return (true, "");
        } catch (bytes memory reason) {
            return (false, reason);
        }
    }

    function _afterFinance(ReceivableId id, bool ok, bytes memory reason, bytes memory expected) internal {
        if (ok) {
            financedCount[id] += 1;
            if (expected.length != 0) ++wrongFinancings;
        } else if (expected.length == 0) {
            // An unforeseen refusal fails the run (failOnRevert) with the ledger's own error.
            assembly {
                revert(add(reason, 32), mload(reason))
            }
        } else {
            _expect(reason, expected);
            ++secondFinancingsRefused;
        }
    }

    function _wrongMove(bytes memory expected) internal {
        if (expected.length != 0) ++wrongMoves;
    }

    /// The credit registry reference of piece `id`'s recourse exposure, or of the defaults one of the two banks
    /// (chosen by `bankSeed`) declared on its family (ReceivableLedgerBase's `_loanRef` and `_defaultRef`).
    function _reportRef(ReceivableId id, bool isDefault, uint256 bankSeed) internal view returns (bytes32) {
        uint256 raw = ReceivableId.unwrap(id);
        if (!isDefault) return bytes32(raw);
        uint256 root = raw & ~uint256(_PIECE_INDEX_MASK);
        MemberId bank = _registry.memberForKey(_banks[(bankSeed >> 8) % 2]);
        return bytes32(root | (uint256(MemberId.unwrap(bank)) << 64) | (1 << 255));
    }

    /// A refusal the handler provoked must carry exactly the error the ledger's checks name; any other is recorded
    /// (and fails `invariant_refusalsNameTheExpectedError`), so the run goes on and the other invariants still judge.
    function _expect(bytes memory reason, bytes memory expected) internal {
        if (keccak256(reason) == keccak256(expected)) return;
        ++wrongRefusals;
        lastWrongRefusal = reason;
    }

    /// The error the ledger's move checks (`_movable`) must give `caller` acting on piece `id`, or nothing.
    function _moveError(ReceivableId id, address caller) internal view returns (bytes memory) {
        if (_ledger.paused()) return abi.encodeWithSelector(IEmergencyPause.EnforcedPause.selector);
        IReceivableLedgerTypes.Piece memory p = _ledger.getPiece(id);
        IReceivableLedgerTypes.Family memory f = _ledger.getFamily(id);
        if (p.state != PieceState.Held) {
            bytes32 held = bytes32(uint256(1) << uint8(PieceState.Held));
            return abi.encodeWithSelector(IReceivableLedgerTypes.ScfUnexpectedPieceState.selector, id, p.state, held);
        }
        if (f.state != FamilyState.Confirmed) {
            bytes32 confirmed = bytes32(uint256(1) << uint8(FamilyState.Confirmed));
            return
                abi.encodeWithSelector(
                    IReceivableLedgerTypes.ScfUnexpectedFamilyState.selector,
                    id,
                    f.state,
                    confirmed
                );
        }
        if (block.timestamp >= f.maturity) {
            return abi.encodeWithSelector(IReceivableLedgerTypes.ScfMatured.selector, id, f.maturity);
        }
        if (p.frozen) return abi.encodeWithSelector(IReceivableLedgerTypes.ScfFrozen.selector, id);
        if (p.encumbered) return abi.encodeWithSelector(IReceivableLedgerTypes.ScfEncumbered.selector, id);
        if (MemberId.unwrap(_registry.memberForKey(caller)) != MemberId.unwrap(p.holder)) {
            return abi.encodeWithSelector(IReceivableLedgerTypes.ScfNotHolder.selector, id, caller);
        }
        return "";
    }

    /// One second-financing attempt on piece `id`: its buyer sells it on (0), its seller sells it again with a fresh
    /// quote (1) or replays its quote (2), its holder splits (3) or transfers it (4).
    function _financeAgain(ReceivableId id, uint256 attempt, uint256 seed) internal {
        IReceivableLedgerTypes.Piece memory p = _ledger.getPiece(id);
        bool financed = financedCount[id] != 0;
        // The seller again (1, 2) only for a financed piece; else its holder acts.
        address caller = _operatorOf(financed && (attempt == 1 || attempt == 2) ? _sellerOf[id] : p.holder);
        if (!_registry.isActiveKey(caller)) return;
        bytes memory expected = _moveError(id, caller);
        if (attempt == 3) {
            if (p.face < 2) return;
            vm.prank(caller);
            try _ledger.split(id, _halves(p.face, seed)) returns (ReceivableId[] memory children) {
                // Its units now sit in two pieces: the child carries the parent's financings.
                financedCount[children[0]] = financedCount[id];
                pieces.push(children[0]);
                _wrongMove(expected);
            } catch (bytes memory reason) {
                _expect(reason, expected);
            }
        } else if (attempt == 4) {
            vm.prank(caller);
            try _ledger.transfer(id, _suppliers[seed % 3]) {
                _wrongMove(expected);
            } catch (bytes memory reason) {
                _expect(reason, expected);
            }
        } else if (attempt == 2 && financed) {
            (bool ok, bytes memory reason) = _callFinance(caller, _quoteOf[id], _signatureOf[id]);
            _afterFinance(id, ok, reason, expected);
        } else {
            // A fresh quote at rate 0 (price = face), from the bank that does not hold it when it is financed.
            uint256 bank = financed && MemberId.unwrap(p.holder) == MemberId.unwrap(_memberOf(_banks[0])) ? 1 : 0;
            if (_token.balanceOf(_banks[bank]) < p.face) return;
            _tryFinance(_quote(id, _registry.memberForKey(caller), 0), bank, caller, expected);
        }
    }

    function _repay(ReceivableId root, bool warpToMaturity) internal {
        IReceivableLedgerTypes.Family memory f = _ledger.getFamily(root);
        if (!_open(f.state)) return;
        if (warpToMaturity && block.timestamp < f.maturity) vm.warp(f.maturity);
        (uint256 amount, ) = _ledger.amountDue(root);
        if (_token.balanceOf(_core) < amount) return;
        vm.prank(_core);
        repaidUncollected += _ledger.repay(root);
    }

    function _collect(ReceivableId id) internal {
        IReceivableLedgerTypes.Piece memory p = _ledger.getPiece(id);
        if (_ledger.getFamily(id).state != FamilyState.Repaid || p.frozen) return;
        if (p.state != PieceState.Held && p.state != PieceState.Financed) return;
        repaidUncollected -= _ledger.collect(id);
        collectedFace += p.face;
    }

    function _claim(MemberId member) internal {
        if (_ledger.owedTo(member, address(_token)) == 0 || _registry.statusOf(member) != MemberStatus.Active) return;
        _ledger.claimOwed(member, address(_token));
    }

    function _redirect(uint256 toSeed) internal {
        MemberId member = _registry.memberForKey(_suppliers[2]);
        address to = _activeSupplier(toSeed);
        if (_registry.statusOf(member) != MemberStatus.Revoked || to == address(0)) return;
        vm.prank(_governor);
        try _ledger.redirectOwed(member, address(_token), to, "handler") {} catch (bytes memory reason) {
            _expect(reason, abi.encodeWithSelector(IMemberPayouts.PayoutNothingOwed.selector, member, address(_token)));
        }
    }

    function _activeSupplier(uint256 seed) internal view returns (address) {
        for (uint256 i; i < 3; ++i) {
            address s = _suppliers[((seed % 3) + i) % 3];
            if (_registry.isActiveKey(s)) return s;
        }
        return address(0);
    }

    /// Member `i`: the three suppliers, then the two banks.
    function _memberAt(uint256 i) internal view returns (MemberId) {
        return _registry.memberForKey(i < 3 ? _suppliers[i] : _banks[i - 3]);
    }

    function _memberOf(address account) internal view returns (MemberId) {
        return _registry.memberForKey(account);
    }

    /// From `seed` on, the first piece that is financed (`kind` 0) or pledged (`kind` 0 or 1).
    function _find(uint256 seed, uint256 kind) internal view returns (bool, ReceivableId) {
        uint256 n = pieces.length;
        for (uint256 i; i < n; ++i) {
            ReceivableId id = pieces[((seed % n) + i) % n];
            if ((kind == 0 && financedCount[id] != 0) || _ledger.getPiece(id).encumbered) return (true, id);
        }
        return (false, ReceivableId.wrap(0));
    }

    function _halves(uint64 face, uint256 cutSeed) internal pure returns (uint64[] memory faces) {
        faces = new uint64[](2);
        faces[0] = uint64(bound(cutSeed, 1, face - 1));
        faces[1] = face - faces[0];
    }

    function _open(FamilyState state) internal pure returns (bool) {
        return state == FamilyState.Confirmed || state == FamilyState.Overdue || state == FamilyState.Defaulted;
    }

    function _invoices() internal returns (bytes32[] memory invoices) {
        invoices = new bytes32[](1);
        invoices[0] = keccak256(abi.encode("invoice", ++_nonce));
    }

    function _lineHasRoom(uint64 face) internal view returns (bool) {
        if (_ledger.paused()) return false;
        IReceivableLedgerTypes.CreditLine memory line = _ledger.creditLineOf(_coreId, address(_token));
        return !line.frozen && line.used + face <= line.limit;
    }

    function _lineBank() internal view returns (address) {
        return _operatorOf(_ledger.creditLineOf(_coreId, address(_token)).financier);
    }

    function _operatorOf(MemberId member) internal view returns (address) {
        return _registry.getMember(member).admin;
    }

    /// A piece its holder may move or sell now (the ledger's own checks, so that no call reverts unforeseen).
    function _movable(uint256 seed) internal view returns (bool, ReceivableId, IReceivableLedgerTypes.Piece memory p) {
        if (pieces.length == 0) return (false, ReceivableId.wrap(0), p);
        ReceivableId id = pieces[seed % pieces.length];
        p = _ledger.getPiece(id);
        bool ok = _moveError(id, _operatorOf(p.holder)).length == 0 && _registry.isActiveKey(_operatorOf(p.holder));
        return (ok, id, p);
    }
}
