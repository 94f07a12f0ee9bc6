// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MemberRegistry} from "../../contracts/access/MemberRegistry.sol";
import {SettlementToken} from "../../contracts/assets/SettlementToken.sol";
import {
    FamilyState,
    IReceivableLedger,
    PieceState,
    ReceivableId
} from "../../contracts/interfaces/IReceivableLedger.sol";
import {MemberId, MemberStatus} from "../../contracts/interfaces/IMemberRegistry.sol";
import {ReceivableLedger} from "../../contracts/scf/ReceivableLedger.sol";
import {TestBase} from "../lib/Vm.sol";

/// @notice Drives a ReceivableLedger through random issues, requests (confirmed, rejected or lapsed), splits,
///         transfers, discounts, overdue marks and default declarations, repayments (also after a default),
///         collections (also to a suspended supplier, whose share is parked), claims of parked money, pauses and
///         time jumps, and keeps the model the invariants compare against.
contract ReceivableLedgerHandler is TestBase {
    ReceivableLedger internal _ledger;
    SettlementToken internal _token;
    MemberRegistry internal _registry;
    address internal _governor;
    address internal _core;
    MemberId internal _coreId;
    address[3] internal _suppliers;
    uint256 internal _financierKey;
    address internal _financier;

    ReceivableId[] public pieces;
    ReceivableId[] public roots;
    mapping(ReceivableId => uint256) public financedCount;
    uint256 public confirmedFace;
    uint256 public collectedFace;
    /// What debtors paid into the ledger and holders have not collected yet (rounding dust included).
    uint256 public repaidUncollected;
    uint256 internal _nonce;

    constructor(
        ReceivableLedger ledger,
        SettlementToken token,
        MemberRegistry registry,
        address core,
        address[3] memory suppliers,
        uint256 financierKey
    ) {
        _ledger = ledger;
        _token = token;
        _registry = registry;
        _governor = registry.governor();
        _core = core;
        _coreId = registry.memberOf(core);
        _suppliers = suppliers;
        _financierKey = financierKey;
        _financier = vm.addr(financierKey);
    }

    function pieceCount() external view returns (uint256) {
        return pieces.length;
    }

    function rootCount() external view returns (uint256) {
        return roots.length;
    }

    // ─── Actions ────────────────────────────────────────────────────────────

    function issue(uint256 supplierSeed, uint64 faceSeed) external {
        uint64 face = uint64(bound(faceSeed, 1, 1e10));
        address supplier = _suppliers[supplierSeed % 3];
        if (!_lineHasRoom(face) || !_registry.isActive(supplier)) return;
        vm.prank(_core);
        ReceivableId root = _ledger.issue(
            supplier,
            address(_token),
            face,
            uint40(block.timestamp + 30 days),
            _invoices()
        );
        roots.push(root);
        pieces.push(root);
        confirmedFace += face;
    }

    /// A supplier requests; the debtor confirms, rejects, or leaves it to lapse (closed later by `lapse`).
    function request(uint256 supplierSeed, uint64 faceSeed, uint8 outcome) external {
        if (_ledger.paused()) return;
        uint64 face = uint64(bound(faceSeed, 1, 1e10));
        address supplier = _suppliers[supplierSeed % 3];
        if (_registry.statusOf(_registry.memberOf(supplier)) != MemberStatus.Active) return;
        vm.prank(supplier);
        ReceivableId root = _ledger.request(
            _coreId,
            address(_token),
            face,
            uint40(block.timestamp + 3 days),
            _invoices()
        );
        roots.push(root);
        outcome %= 3;
        if (outcome == 0 && _lineHasRoom(face)) {
            vm.prank(_core);
            _ledger.confirm(root);
            pieces.push(root);
            confirmedFace += face;
        } else if (outcome == 1) {
            vm.prank(_core);
            _ledger.reject(root);
        }
    }

    function lapse(uint256 rootSeed) external {
        if (roots.length == 0 || _ledger.paused()) return;
        ReceivableId root = roots[rootSeed % roots.length];
        IReceivableLedger.Family memory f = _ledger.getFamily(root);
        if (f.state != FamilyState.Requested) return;
        if (block.timestamp < f.maturity) vm.warp(f.maturity);
        _ledger.lapse(root);
    }

    function split(uint256 pieceSeed, uint64 cutSeed) external {
        (bool ok, ReceivableId id, IReceivableLedger.Piece memory p) = _movable(pieceSeed);
        if (!ok || p.face < 2) return;
        uint64[] memory faces = new uint64[](2);
        faces[0] = uint64(bound(cutSeed, 1, p.face - 1));
        faces[1] = p.face - faces[0];
        vm.prank(_operatorOf(p.holder));
        ReceivableId[] memory children = _ledger.split(id, faces);
        pieces.push(children[0]);
    }

    function transfer(uint256 pieceSeed, uint256 toSeed) external {
        (bool ok, ReceivableId id, IReceivableLedger.Piece memory p) = _movable(pieceSeed);
        address to = _suppliers[toSeed % 3];
        if (!ok || p.tier == type(uint8).max || !_registry.isActive(to)) return;
        vm.prank(_operatorOf(p.holder));
        _ledger.transfer(id, to);
    }

    function finance(uint256 pieceSeed, uint16 rateSeed) external {
        (bool ok, ReceivableId id, IReceivableLedger.Piece memory p) = _movable(pieceSeed);
        if (!ok) return;
        IReceivableLedger.Quote memory q = IReceivableLedger.Quote({
            id: id,
            rateBps: uint16(bound(rateSeed, 0, 2_000)),
            dayBase: 360,
            recourse: rateSeed % 2 == 0,
            seller: p.holder,
            expiry: uint40(block.timestamp + 1 hours),
            nonce: ++_nonce
        });
        uint256 price;
        try _ledger.priceOf(q) returns (uint256 p_) {
            price = p_; // the ledger refuses a quote that leaves no positive price (a tiny face): skip those
        } catch {
            return;
        }
        if (_token.balanceOf(_financier) < price) return;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(_financierKey, _ledger.quoteDigest(q));
        vm.prank(_operatorOf(p.holder));
        _ledger.finance(q, abi.encodePacked(r, s, v));
        financedCount[id] += 1;
    }

    /// The financier holding a piece declares it in default once its family is overdue (marking it if needed).
    function declareDefault(uint256 pieceSeed) external {
        if (pieces.length == 0 || _ledger.paused()) return;
        ReceivableId id = pieces[pieceSeed % pieces.length];
        IReceivableLedger.Piece memory p = _ledger.getPiece(id);
        IReceivableLedger.Family memory f = _ledger.getFamily(id);
        if (p.state != PieceState.Financed || p.defaulted) return;
        if (f.state != FamilyState.Confirmed && f.state != FamilyState.Overdue && f.state != FamilyState.Defaulted) {
            return;
        }
        uint256 dueAt = uint256(f.maturity) + f.graceSeconds;
        if (block.timestamp <= dueAt) vm.warp(dueAt + 1);
        vm.prank(_financier);
        _ledger.declareDefault(id);
    }

    /// The debtor repays, also after a default and during a pause.
    function repay(uint256 rootSeed) external {
        if (roots.length == 0) return;
        ReceivableId root = roots[rootSeed % roots.length];
        IReceivableLedger.Family memory f = _ledger.getFamily(root);
        if (f.state != FamilyState.Confirmed && f.state != FamilyState.Overdue && f.state != FamilyState.Defaulted) {
            return;
        }
        if (block.timestamp < f.maturity) vm.warp(f.maturity);
        (uint256 amount, ) = _ledger.amountDue(root);
        if (_token.balanceOf(_core) < amount) return;
        vm.prank(_core);
        repaidUncollected += _ledger.repay(root);
    }

    /// Anyone collects, also during a pause and to a suspended holder (its share is then parked).
    function collect(uint256 pieceSeed) external {
        if (pieces.length == 0) return;
        ReceivableId id = pieces[pieceSeed % pieces.length];
        IReceivableLedger.Piece memory p = _ledger.getPiece(id);
        if (_ledger.getFamily(id).state != FamilyState.Repaid) return;
        if (p.state != PieceState.Held && p.state != PieceState.Financed) return;
        repaidUncollected -= _ledger.collect(id);
        collectedFace += p.face;
    }

    function claimOwed(uint256 supplierSeed) external {
        MemberId member = _registry.memberOf(_suppliers[supplierSeed % 3]);
        if (_ledger.owedTo(member, address(_token)) == 0 || _registry.statusOf(member) != MemberStatus.Active) return;
        _ledger.claimOwed(member, address(_token));
    }

    /// The governor suspends or reinstates a supplier: payments to it are parked meanwhile.
    function toggleSupplier(uint256 supplierSeed) external {
        MemberId member = _registry.memberOf(_suppliers[supplierSeed % 3]);
        bool active = _registry.statusOf(member) == MemberStatus.Active;
        vm.prank(_governor);
        if (active) _registry.suspend(member, "handler");
        else _registry.reinstate(member, "handler");
    }

    function togglePause() external {
        bool paused = _ledger.paused();
        vm.prank(_governor);
        if (paused) _ledger.unpause();
        else _ledger.pause();
    }

    function warp(uint32 secondsSeed) external {
        vm.warp(block.timestamp + bound(secondsSeed, 1, 10 days));
    }

    // ─── Internals ──────────────────────────────────────────────────────────

    function _invoices() internal returns (bytes32[] memory invoices) {
        invoices = new bytes32[](1);
        invoices[0] = keccak256(abi.encode("invoice", ++_nonce));
    }

    function _lineHasRoom(uint64 face) internal view returns (bool) {
        if (_ledger.paused()) return false;
        IReceivableLedger.CreditLine memory line = _ledger.creditLineOf(_coreId, address(_token));
        return line.used + face <= line.limit;
    }

    function _operatorOf(MemberId member) internal view returns (address) {
        return _registry.getMember(member).admin;
    }

    function _movable(uint256 seed) internal view returns (bool, ReceivableId, IReceivableLedger.Piece memory p) {
        if (pieces.length == 0 || _ledger.paused()) return (false, ReceivableId.wrap(0), p);
        ReceivableId id = pieces[seed % pieces.length];
        p = _ledger.getPiece(id);
        IReceivableLedger.Family memory f = _ledger.getFamily(id);
        bool ok =
            p.state == PieceState.Held &&
                f.state == FamilyState.Confirmed &&
                block.timestamp < f.maturity &&
                _registry.statusOf(p.holder) == MemberStatus.Active;
        return (ok, id, p);
    }
}
