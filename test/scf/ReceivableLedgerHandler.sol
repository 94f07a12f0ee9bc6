// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SettlementToken} from "../../contracts/assets/SettlementToken.sol";
import {
    FamilyState,
    IReceivableLedger,
    PieceState,
    ReceivableId
} from "../../contracts/interfaces/IReceivableLedger.sol";
import {MemberId} from "../../contracts/interfaces/IMemberRegistry.sol";
import {ReceivableLedger} from "../../contracts/scf/ReceivableLedger.sol";
import {TestBase} from "../lib/Vm.sol";

/// @notice Drives a ReceivableLedger through random issues, splits, transfers, discounts, repayments, collections
///         and time jumps, and keeps the model the invariants compare against.
contract ReceivableLedgerHandler is TestBase {
    ReceivableLedger internal _ledger;
    SettlementToken internal _token;
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
    uint256 internal _nonce;

    constructor(
        ReceivableLedger ledger,
        SettlementToken token,
        address core,
        MemberId coreId,
        address[3] memory suppliers,
        uint256 financierKey
    ) {
        _ledger = ledger;
        _token = token;
        _core = core;
        _coreId = coreId;
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
        IReceivableLedger.CreditLine memory line = _ledger.creditLineOf(_coreId);
        if (line.used + face > line.limit) return;
        bytes32[] memory invoices = new bytes32[](1);
        invoices[0] = keccak256(abi.encode("invoice", ++_nonce));
        vm.prank(_core);
        ReceivableId root = _ledger.issue(
            _suppliers[supplierSeed % 3],
            address(_token),
            face,
            uint40(block.timestamp + 30 days),
            invoices
        );
        roots.push(root);
        pieces.push(root);
        confirmedFace += face;
    }

    function split(uint256 pieceSeed, uint64 cutSeed) external {
        (bool ok, ReceivableId id, IReceivableLedger.Piece memory p) = _movable(pieceSeed);
        if (!ok || p.face < 2) return;
        uint64[] memory faces = new uint64[](2);
        faces[0] = uint64(bound(cutSeed, 1, p.face - 1));
        faces[1] = p.face - faces[0];
        vm.prank(p.holder);
        ReceivableId[] memory children = _ledger.split(id, faces);
        pieces.push(children[0]);
    }

    function transfer(uint256 pieceSeed, uint256 toSeed) external {
        (bool ok, ReceivableId id, IReceivableLedger.Piece memory p) = _movable(pieceSeed);
        if (!ok || p.tier == type(uint8).max) return;
        vm.prank(p.holder);
        _ledger.transfer(id, _suppliers[toSeed % 3]);
    }

    function finance(uint256 pieceSeed, uint16 rateSeed) external {
        (bool ok, ReceivableId id, IReceivableLedger.Piece memory p) = _movable(pieceSeed);
        if (!ok) return;
        IReceivableLedger.Quote memory q = IReceivableLedger.Quote({
            id: id,
            rateBps: uint16(bound(rateSeed, 0, 2_000)),
            dayBase: 360,
            recourse: false,
            supplierKey: 0,
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
        vm.prank(p.holder);
        _ledger.finance(q, abi.encodePacked(r, s, v));
        financedCount[id] += 1;
    }

    function repay(uint256 rootSeed) external {
        if (roots.length == 0) return;
        ReceivableId root = roots[rootSeed % roots.length];
        IReceivableLedger.Family memory f = _ledger.getFamily(root);
        if (f.state != FamilyState.Confirmed) return;
        if (block.timestamp < f.maturity) vm.warp(f.maturity);
        (uint256 amount, ) = _ledger.amountDue(root);
        if (_token.balanceOf(_core) < amount) return;
        vm.prank(_core);
        _ledger.repay(root);
    }

    function collect(uint256 pieceSeed) external {
        if (pieces.length == 0) return;
        ReceivableId id = pieces[pieceSeed % pieces.length];
        IReceivableLedger.Piece memory p = _ledger.getPiece(id);
        if (_ledger.getFamily(id).state != FamilyState.Repaid) return;
        if (p.state != PieceState.Held && p.state != PieceState.Financed) return;
        _ledger.collect(id);
        collectedFace += p.face;
    }

    function warp(uint32 secondsSeed) external {
        vm.warp(block.timestamp + bound(secondsSeed, 1, 10 days));
    }

    // ─── Internals ──────────────────────────────────────────────────────────

    function _movable(uint256 seed) internal view returns (bool, ReceivableId, IReceivableLedger.Piece memory p) {
        if (pieces.length == 0) return (false, ReceivableId.wrap(0), p);
        ReceivableId id = pieces[seed % pieces.length];
        p = _ledger.getPiece(id);
        IReceivableLedger.Family memory f = _ledger.getFamily(id);
        bool ok = p.state == PieceState.Held && f.state == FamilyState.Confirmed && block.timestamp < f.maturity;
        return (ok, id, p);
    }
}
