// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SettlementToken} from "../../contracts/assets/SettlementToken.sol";
import {MemberId} from "../../contracts/interfaces/IMemberRegistry.sol";
import {EvidenceKind, ITradeSettlement, OrderId} from "../../contracts/interfaces/ITradeSettlement.sol";
import {TradeSettlement} from "../../contracts/trade/TradeSettlement.sol";
import {TestBase} from "../lib/Vm.sol";

/// @notice Drives TradeSettlement through random orders, attestations, disputes, resolutions and time jumps (no FX:
///         one token), recording what each order paid and refunded from its events' amounts.
contract TradeSettlementHandler is TestBase {
    TradeSettlement internal _trade;
    SettlementToken internal _token;
    address internal _importer;
    address internal _exporter;
    address internal _bank;
    address internal _arbiter;
    uint256 internal _oracleKey;
    MemberId[3] internal _ids; // exporter, importer bank, exporter bank

    OrderId[] public orders;
    mapping(OrderId => uint256) public amountOf;
    mapping(OrderId => uint256) public outflowOf; // what left the escrow for the order: paid, fees and refunds
    uint256 public funded;

    constructor(
        TradeSettlement trade,
        SettlementToken token,
        address[4] memory actors, // importer, exporter, importer bank, arbiter
        uint256 oracleKey,
        MemberId[3] memory ids
    ) {
        (_trade, _token, _importer, _exporter, _bank, _arbiter) = (
            trade,
            token,
            actors[0],
            actors[1],
            actors[2],
            actors[3]
        );
        _oracleKey = oracleKey;
        _ids = ids;
    }

    function orderCount() external view returns (uint256) {
        return orders.length;
    }

    function createAndFund(uint96 amountSeed, uint8 shapeSeed) external {
        uint96 amount = uint96(bound(amountSeed, 1, 1e12));
        if (_token.balanceOf(_bank) < amount) return;
        ITradeSettlement.Tranche[] memory tranches = new ITradeSettlement.Tranche[](shapeSeed % 2 == 0 ? 3 : 2);
        if (tranches.length == 3) {
            tranches[0] = ITradeSettlement.Tranche(3_000, 1);
            tranches[1] = ITradeSettlement.Tranche(4_000, 2);
            tranches[2] = ITradeSettlement.Tranche(3_000, 4);
        } else {
            tranches[0] = ITradeSettlement.Tranche(6_667, 5);
            tranches[1] = ITradeSettlement.Tranche(3_333, 8);
        }
        ITradeSettlement.OrderTerms memory t = ITradeSettlement.OrderTerms({
            exporter: _ids[0],
            importerBank: _ids[1],
            exporterBank: _ids[2],
            documentHash: keccak256(abi.encode(orders.length)),
            payToken: address(_token),
            payoutToken: address(_token),
            amount: amount,
            importerBankFeeBps: 10,
            exporterBankFeeBps: 15,
            shipmentDeadline: uint40(block.timestamp + 10 days),
            objectionWindow: 3 days,
            expiry: uint40(block.timestamp + 40 days),
            tranches: tranches
        });
        vm.prank(_importer);
        OrderId id = _trade.createOrder(t);
        vm.prank(_exporter);
        _trade.accept(id);
        vm.prank(_bank);
        _trade.fund(id);
        orders.push(id);
        amountOf[id] = amount;
        funded += amount;
    }

    function attest(uint256 orderSeed, uint8 kindSeed) external {
        if (orders.length == 0) return;
        OrderId id = orders[orderSeed % orders.length];
        EvidenceKind kind = EvidenceKind(kindSeed % 4);
        bytes32 doc = keccak256(abi.encode(id, kind));
        bytes32 digest = _trade.attestationDigest(id, kind, doc);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(_oracleKey, digest);
        bytes[] memory sigs = new bytes[](1);
        sigs[0] = abi.encodePacked(r, s, v);
        ITradeSettlement.FxQuote memory none;
        uint256 before = _token.balanceOf(address(_trade));
        try _trade.attest(id, kind, doc, sigs, none, "") {} catch {}
        outflowOf[id] += before - _token.balanceOf(address(_trade));
    }

    function dispute(uint256 orderSeed) external {
        if (orders.length == 0) return;
        vm.prank(_importer);
        try _trade.dispute(orders[orderSeed % orders.length], "WHY") {} catch {}
    }

    function resolve(uint256 orderSeed, uint16 shareSeed) external {
        if (orders.length == 0) return;
        ITradeSettlement.FxQuote memory none;
        OrderId id = orders[orderSeed % orders.length];
        uint256 before = _token.balanceOf(address(_trade));
        vm.prank(_arbiter);
        try _trade.resolve(id, uint16(bound(shareSeed, 0, 10_000)), none, "") {} catch {}
        outflowOf[id] += before - _token.balanceOf(address(_trade));
    }

    function timeRule(uint256 orderSeed, uint8 which) external {
        if (orders.length == 0) return;
        OrderId id = orders[orderSeed % orders.length];
        ITradeSettlement.FxQuote memory none;
        uint256 before = _token.balanceOf(address(_trade));
        if (which % 3 == 0) try _trade.refundUnshipped(id) {} catch {}
        else if (which % 3 == 1) try _trade.releaseAfterObjection(id, none, "") {} catch {}
        else try _trade.refundExpired(id) {} catch {}
        outflowOf[id] += before - _token.balanceOf(address(_trade));
    }

    function warp(uint32 secondsSeed) external {
        vm.warp(block.timestamp + bound(secondsSeed, 1, 8 days));
    }
}
