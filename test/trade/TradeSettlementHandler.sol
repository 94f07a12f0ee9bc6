// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MemberRegistry} from "../../contracts/access/MemberRegistry.sol";
import {SettlementToken} from "../../contracts/assets/SettlementToken.sol";
import {IEmergencyPause} from "../../contracts/interfaces/IEmergencyPause.sol";
import {IMemberPayouts} from "../../contracts/interfaces/IMemberPayouts.sol";
import {MemberId} from "../../contracts/interfaces/IMemberRegistry.sol";
import {EvidenceKind, ITradeSettlement, OrderId} from "../../contracts/interfaces/ITradeSettlement.sol";
import {TradeSettlement} from "../../contracts/trade/TradeSettlement.sol";
import {TestBase} from "../lib/Vm.sol";

/// @notice Drives TradeSettlement through random orders (paid in the same token or converted by FX), attestations,
///         FX quotes (valid, expired, replayed or missing), disputes, resolutions and time jumps. It records what left
///         the escrow for each order. A call may only fail with a Trade error the rules foresee: any other revert
///         (a panic, a token shortfall) fails the run. It also pauses and unpauses the settlement, suspends and
///         reinstates the banks (whose payments are then parked), claims parked money and assigns proceeds to a
///         financier with its signature. `outflowOf` counts what left the escrow for an order, parked amounts
///         included (they are the payee's, no longer the order's).
contract TradeSettlementHandler is TestBase {
    TradeSettlement internal _trade;
    SettlementToken internal _pay;
    SettlementToken internal _payout;
    address internal _importer;
    address internal _exporter;
    address internal _bank;
    address internal _arbiter;
    uint256 internal _oracleKey;
    uint256 internal _fxKey;
    uint256 internal _financierKey;
    MemberId[5] internal _ids; // exporter, importer bank, exporter bank, FX provider, financier
    uint256 internal _lastNonce;
    uint256 internal _assignmentNonces;
    MemberRegistry internal _registry;
    address internal _governor;
    bool[2] internal _suspended; // importer bank, exporter bank

    OrderId[] public orders;
    mapping(OrderId => uint256) public amountOf;
    mapping(OrderId => uint256) public outflowOf; // what left the escrow for the order: payments, fees and refunds
    mapping(OrderId => uint16[]) internal _shares;
    uint256 public funded;

    constructor(
        TradeSettlement trade,
        SettlementToken[2] memory tokens, // pay token, payout token
        address[4] memory actors, // importer, exporter, importer bank, arbiter
        uint256[3] memory keys, // oracle, FX provider, financier
        MemberId[5] memory ids,
        MemberRegistry registry
    ) {
        (_trade, _pay, _payout) = (trade, tokens[0], tokens[1]);
        (_importer, _exporter, _bank, _arbiter) = (actors[0], actors[1], actors[2], actors[3]);
        (_oracleKey, _fxKey, _financierKey) = (keys[0], keys[1], keys[2]);
        _ids = ids;
        (_registry, _governor) = (registry, registry.governor());
    }

    /// @dev What the escrow holds for live orders: its pay-token balance less what is parked for members.
    function _held() private view returns (uint256) {
        return _pay.balanceOf(address(_trade)) - _trade.totalOwed(address(_pay));
    }

    function orderCount() external view returns (uint256) {
        return orders.length;
    }

    /// @notice The gross of the tranches order `id` settled, computed here from the shares (the last tranche takes
    ///         the rounding remainder): what must have left the escrow for it, unless an arbiter split it.
    function settledGrossOf(OrderId id, uint8 settled) external view returns (uint256 total) {
        uint16[] storage shares = _shares[id];
        uint256 amount = amountOf[id];
        uint256 rest = amount;
        for (uint256 i; i < shares.length; ++i) {
            uint256 gross = i + 1 == shares.length ? rest : (amount * shares[i]) / 10_000;
            rest -= gross;
            if (settled & (1 << i) != 0) total += gross;
        }
    }

    // ─── Actions ────────────────────────────────────────────────────────────

    function createAndFund(uint96 amountSeed, uint8 shapeSeed) external {
        uint96 amount = uint96(bound(amountSeed, 1, 1e12));
        if (_pay.balanceOf(_bank) < amount || _suspended[0] || _suspended[1] || _trade.paused()) return;
        uint16[] memory shares = new uint16[](shapeSeed % 2 == 0 ? 3 : 2);
        ITradeSettlement.Tranche[] memory tranches = new ITradeSettlement.Tranche[](shares.length);
        if (shares.length == 3) {
            (shares[0], shares[1], shares[2]) = (3_000, 4_000, 3_000);
            tranches[0] = ITradeSettlement.Tranche(3_000, 1); // shipped
            tranches[1] = ITradeSettlement.Tranche(4_000, 2); // customs cleared
            tranches[2] = ITradeSettlement.Tranche(3_000, 4); // delivered
        } else {
            (shares[0], shares[1]) = (6_667, 3_333);
            tranches[0] = ITradeSettlement.Tranche(6_667, 5); // shipped and delivered
            tranches[1] = ITradeSettlement.Tranche(3_333, 8); // inspected
        }
        ITradeSettlement.OrderTerms memory t = ITradeSettlement.OrderTerms({
            exporter: _ids[0],
            importerBank: _ids[1],
            exporterBank: _ids[2],
            documentHash: keccak256(abi.encode(orders.length)),
            payToken: address(_pay),
            payoutToken: shapeSeed % 4 < 2 ? address(_pay) : address(_payout),
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
        // On an order that converts, the exporter names its FX provider: anyone may then relay that provider's quotes
        // (item 8). An order paid out in its own currency takes no FX terms (review 32, A2).
        if (t.payoutToken != t.payToken) {
            vm.prank(_exporter);
            _trade.setFxTerms(id, _ids[3], 0.3e18);
        }
        orders.push(id);
        amountOf[id] = amount;
        _shares[id] = shares;
        funded += amount;
    }

    function attest(uint256 orderSeed, uint8 kindSeed, uint8 quoteSeed) external {
        if (orders.length == 0) return;
        OrderId id = orders[orderSeed % orders.length];
        EvidenceKind kind = EvidenceKind(kindSeed % 4);
        bytes32 doc = keccak256(abi.encode(id, kind));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(_oracleKey, _trade.attestationDigest(id, kind, doc));
        bytes[] memory sigs = new bytes[](1);
        sigs[0] = abi.encodePacked(r, s, v);
        (ITradeSettlement.FxQuote memory q, bytes memory qs) = _quote(id, quoteSeed);
        uint256 before = _held();
        try _trade.attest(id, kind, doc, sigs, q, qs) {} catch (bytes memory reason) {
            _expect(reason);
        }
        outflowOf[id] += before - _held();
    }

    function payReleased(uint256 orderSeed, uint8 quoteSeed) external {
        if (orders.length == 0) return;
        OrderId id = orders[orderSeed % orders.length];
        (ITradeSettlement.FxQuote memory q, bytes memory qs) = _quote(id, quoteSeed);
        uint256 before = _held();
        try _trade.payReleased(id, q, qs) {} catch (bytes memory reason) {
            _expect(reason);
        }
        outflowOf[id] += before - _held();
    }

    function dispute(uint256 orderSeed) external {
        if (orders.length == 0) return;
        vm.prank(_importer);
        try _trade.dispute(orders[orderSeed % orders.length], "WHY") {} catch (bytes memory reason) {
            _expect(reason);
        }
    }

    function resolve(uint256 orderSeed, uint16 shareSeed, uint8 quoteSeed) external {
        if (orders.length == 0) return;
        OrderId id = orders[orderSeed % orders.length];
        (ITradeSettlement.FxQuote memory q, bytes memory qs) = _quote(id, quoteSeed);
        uint256 before = _held();
        vm.prank(_arbiter);
        try _trade.resolve(id, uint16(bound(shareSeed, 0, 10_000)), q, qs) {} catch (bytes memory reason) {
            _expect(reason);
        }
        outflowOf[id] += before - _held();
    }

    /// @notice The importer disputes and the arbiter at once awards a share without a quote: on an order paid out in
    ///         CNY with something at stake the award is held for a quote (review 28, F1), which `payReleased` and
    ///         `endAll` pay later. One call, so the path is reached within the objection window.
    function disputeAndAwardWithoutQuote(uint256 orderSeed, uint16 shareSeed) external {
        if (orders.length == 0) return;
        OrderId id = orders[orderSeed % orders.length];
        vm.prank(_importer);
        try _trade.dispute(id, "WHY") {} catch (bytes memory reason) {
            _expect(reason);
        }
        ITradeSettlement.FxQuote memory none;
        uint256 before = _held();
        vm.prank(_arbiter);
        try _trade.resolve(id, uint16(bound(shareSeed, 1, 10_000)), none, "") {} catch (bytes memory reason) {
            _expect(reason);
        }
        outflowOf[id] += before - _held();
    }

    function timeRule(uint256 orderSeed, uint8 which, uint8 quoteSeed) external {
        if (orders.length == 0) return;
        OrderId id = orders[orderSeed % orders.length];
        (ITradeSettlement.FxQuote memory q, bytes memory qs) = _quote(id, quoteSeed);
        uint256 before = _held();
        if (which % 3 == 0) {
            try _trade.refundUnshipped(id) {} catch (bytes memory reason) {
                _expect(reason);
            }
        } else if (which % 3 == 1) {
            try _trade.releaseAfterObjection(id, q, qs) {} catch (bytes memory reason) {
                _expect(reason);
            }
        } else {
            try _trade.refundExpired(id) {} catch (bytes memory reason) {
                _expect(reason);
            }
        }
        outflowOf[id] += before - _held();
    }

    function warp(uint32 secondsSeed) external {
        vm.warp(block.timestamp + bound(secondsSeed, 1, 8 days));
    }

    /// @notice The governor pauses or unpauses: deadlines stand still meanwhile (item 18).
    function togglePause() external {
        bool wasPaused = _trade.paused();
        vm.prank(_governor);
        if (wasPaused) _trade.unpause();
        else _trade.pause();
    }

    /// @notice The governor suspends or reinstates a bank: its fees and refunds are parked meanwhile (item 2).
    function toggleSuspension(uint8 which) external {
        uint256 i = which % 2;
        MemberId bank = _ids[1 + i];
        vm.prank(_governor);
        if (_suspended[i]) _registry.reinstate(bank, "BACK");
        else _registry.suspend(bank, "AUDIT");
        _suspended[i] = !_suspended[i];
    }

    /// @notice Anyone claims what is parked for a member; it pays only once the member can receive.
    function claimOwed(uint8 who, bool payout) external {
        MemberId member = _ids[who % 5];
        address token = payout ? address(_payout) : address(_pay);
        try _trade.claimOwed(member, token) {} catch (bytes memory reason) {
            bytes4 selector = bytes4(reason);
            // Nothing parked, or the token still refuses the member.
            assertTrue(
                selector == IMemberPayouts.PayoutNothingOwed.selector || _suspendedMember(member),
                "claim failed"
            );
        }
    }

    /// @notice The exporter assigns an order's proceeds to the financier, with the financier's signature; the
    ///         financier then names its FX provider.
    function assignProceeds(uint256 orderSeed, uint64 advanceSeed) external {
        if (orders.length == 0) return;
        OrderId id = orders[orderSeed % orders.length];
        uint64 advance = uint64(bound(advanceSeed, 1, 1e12));
        uint40 deadline = uint40(block.timestamp + 600);
        uint256 nonce = ++_assignmentNonces; // each offer its own nonce (review 32, A3)
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(
            _financierKey,
            _trade.assignmentDigest(id, _ids[0], _ids[4], advance, deadline, nonce)
        );
        vm.prank(_exporter);
        try _trade.assignProceeds(id, _ids[4], advance, deadline, nonce, abi.encodePacked(r, s, v)) {
            // The financier, now the payee, names the FX provider of an order that converts (review 32, A2).
            ITradeSettlement.OrderView memory o = _trade.getOrder(id);
            if (o.payoutToken != o.payToken) {
                vm.prank(vm.addr(_financierKey));
                _trade.setFxTerms(id, _ids[3], 0.3e18);
            }
        } catch (bytes memory reason) {
            bytes4 selector = bytes4(reason);
            assertTrue(
                selector == ITradeSettlement.TradeUnexpectedOrderState.selector ||
                    selector == ITradeSettlement.TradeAlreadyAssigned.selector ||
                    selector == ITradeSettlement.TradeGoodsMoved.selector || // pre-shipment finance only
                    selector == ITradeSettlement.TradeWindowClosed.selector || // ...before the shipment deadline
                    selector == IEmergencyPause.EnforcedPause.selector,
                "assign failed"
            );
        }
    }

    /// @notice Every deadline passes and every time rule is called on every order: the escrow then holds only
    ///         what is parked for identifiable members.
    function endAll() external {
        if (_trade.paused()) {
            vm.prank(_governor);
            _trade.unpause();
        }
        vm.warp(block.timestamp + 120 days);
        for (uint256 round; round < 2; ++round) {
            for (uint256 i; i < orders.length; ++i) {
                OrderId id = orders[i];
                uint256 before = _held();
                // An arbiter's award held for a quote is paid with the named provider's (review 28, F1).
                (ITradeSettlement.FxQuote memory award, bytes memory awardSig) = _quote(id, 0);
                try _trade.payReleased(id, award, awardSig) {} catch (bytes memory reason) {
                    _expect(reason);
                }
                (ITradeSettlement.FxQuote memory q, bytes memory qs) = _quote(id, 0);
                try _trade.refundExpired(id) {} catch (bytes memory reason) {
                    _expect(reason);
                }
                try _trade.releaseAfterObjection(id, q, qs) {} catch (bytes memory reason) {
                    _expect(reason);
                }
                outflowOf[id] += before - _held();
            }
        }
        assertEq(_pay.balanceOf(address(_trade)), _trade.totalOwed(address(_pay)), "pay token left beyond owed");
        assertEq(_payout.balanceOf(address(_trade)), _trade.totalOwed(address(_payout)), "payout left beyond owed");
    }

    function _payee(OrderId id) private view returns (MemberId) {
        MemberId financier = _trade.getOrder(id).financier;
        return MemberId.unwrap(financier) == 0 ? _ids[0] : financier;
    }

    function _suspendedMember(MemberId member) private view returns (bool) {
        return
            (_suspended[0] && MemberId.unwrap(member) == MemberId.unwrap(_ids[1])) ||
            (_suspended[1] && MemberId.unwrap(member) == MemberId.unwrap(_ids[2]));
    }

    // ─── Helpers ────────────────────────────────────────────────────────────

    /// @dev A quote by the FX provider for pay -> payout at 0.38: valid (seed % 4 == 0 or 1), expired (2), a replay of
    ///      the last nonce (3); same-token payments ignore it.
    function _quote(
        OrderId id,
        uint8 seed
    ) private returns (ITradeSettlement.FxQuote memory q, bytes memory signature) {
        uint256 mode = seed % 5;
        // Mode 4: no quote (rate 0): evidence waits, and an arbiter's award to convert is held (review 28, F1).
        if (mode == 4) return (q, signature);
        uint256 nonce = mode == 3 ? _lastNonce : ++_lastNonce;
        q = ITradeSettlement.FxQuote({
            order: id,
            beneficiary: _payee(id),
            sellToken: address(_pay),
            buyToken: address(_payout),
            rate: 0.38e18,
            maxSellAmount: 1e12,
            expiry: uint40(mode == 2 ? block.timestamp - 1 : block.timestamp + 600),
            nonce: nonce
        });
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(_fxKey, _trade.fxQuoteDigest(q));
        signature = abi.encodePacked(r, s, v);
    }

    /// @dev Lets a call fail only with an error the rules foresee for random input.
    function _expect(bytes memory reason) private pure {
        bytes4 selector = bytes4(reason);
        assertTrue(
            selector == ITradeSettlement.TradeUnexpectedOrderState.selector ||
                selector == ITradeSettlement.TradeNotDelivered.selector || // was TradeInvalidState (issue 15)
                selector == ITradeSettlement.TradeAlreadyDisputed.selector || // was TradeInvalidState
                selector == ITradeSettlement.TradeTooEarly.selector ||
                selector == ITradeSettlement.TradeNoEvidence.selector || // was TradeTooEarly(id, max)
                selector == ITradeSettlement.TradeWindowClosed.selector ||
                selector == ITradeSettlement.TradeEvidenceAlreadyComplete.selector ||
                selector == ITradeSettlement.TradeNothingReleased.selector ||
                selector == ITradeSettlement.TradeFxQuoteExpired.selector || // TradeInvalidFxQuote's causes
                selector == ITradeSettlement.TradeFxQuoteNonceUsed.selector ||
                selector == ITradeSettlement.TradeFxQuoteRequired.selector || // no quote where one converts
                selector == ITradeSettlement.TradeGoodsMoved.selector ||
                selector == ITradeSettlement.TradeObjectionPastExpiry.selector ||
                selector == IEmergencyPause.EnforcedPause.selector,
            "unexpected revert"
        );
    }
}
