// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MemberRegistry} from "../../contracts/access/MemberRegistry.sol";
import {SettlementToken} from "../../contracts/assets/SettlementToken.sol";
import {ConsentBook} from "../../contracts/credit/ConsentBook.sol";
import {CreditRegistry} from "../../contracts/credit/CreditRegistry.sol";
import {ICreditRegistry, ICreditRegistryTypes, PolicyMode} from "../../contracts/interfaces/ICreditRegistry.sol";
import {MemberId} from "../../contracts/interfaces/IMemberRegistry.sol";
import {ITradeSettlement, OrderId, OrderState} from "../../contracts/interfaces/ITradeSettlement.sol";
import {TradeSettlement} from "../../contracts/trade/TradeSettlement.sol";
import {TestBase} from "../lib/Vm.sol";

import {TradeSettlementHandler} from "./TradeSettlementHandler.sol";

/// @notice Escrow invariants of TradeSettlement under random orders, attestations, disputes and time jumps.
contract TradeSettlementInvariantTest is TestBase {
    uint256 internal constant ORACLE_KEY = 0x0AC1E;
    uint256 internal constant FX_KEY = 0xF0F0;
    uint256 internal constant FINANCIER_KEY = 0xF1FA;
    uint256 internal constant MINTED = 1e15;
    address internal constant ISSUER = address(0x155);
    address internal constant IMPORTER = address(0x1111);
    address internal constant EXPORTER = address(0x2222);
    address internal constant IMPORTER_BANK = address(0x3333);
    address internal constant EXPORTER_BANK = address(0x4444);
    address internal constant ARBITER = address(0x5555);

    SettlementToken internal token;
    SettlementToken internal cny;
    TradeSettlement internal trade;
    TradeSettlementHandler internal handler;

    function setUp() public {
        vm.warp(1_790_000_000);
        MemberRegistry registry = new MemberRegistry(address(this), keccak256("test key check"));
        registry.admit(keccak256("ISSUER"), ~keccak256("ISSUER"), "CN", uint32(1) << 11, ISSUER);
        registry.admit(keccak256("IMPORTER"), ~keccak256("IMPORTER"), "MX", uint32(1) << 5, IMPORTER);
        registry.admit(keccak256("EXPORTER"), ~keccak256("EXPORTER"), "CN", uint32(1) << 6, EXPORTER);
        registry.admit(keccak256("IMPORTER_BANK"), ~keccak256("IMPORTER_BANK"), "MX", uint32(1) << 7, IMPORTER_BANK);
        registry.admit(keccak256("EXPORTER_BANK"), ~keccak256("EXPORTER_BANK"), "CN", uint32(1) << 4, EXPORTER_BANK);
        registry.admit(keccak256("ARBITER"), ~keccak256("ARBITER"), "SG", uint32(1) << 10, ARBITER);
        registry.admit(keccak256("ORACLE"), ~keccak256("ORACLE"), "SG", uint32(1) << 8, vm.addr(ORACLE_KEY));
        registry.admit(keccak256("FX"), ~keccak256("FX"), "HK", uint32(1) << 9, vm.addr(FX_KEY));
        registry.admit(keccak256("FINANCIER"), ~keccak256("FINANCIER"), "HK", uint32(1) << 4, vm.addr(FINANCIER_KEY));
        CreditRegistry credit = new CreditRegistry(
            registry,
            new ConsentBook(registry),
            "CNY",
            ICreditRegistryTypes.Policy(0, 0, 30 days, 0, 3_000, PolicyMode.Flag, 0, 0)
        );
        trade = new TradeSettlement(registry, credit, 14 days);
        registry.admit(keccak256("TRADE"), ~keccak256("TRADE"), "CN", uint32(1) << 13, address(trade));
        // Listed as a reporter module, so an assignment's and a default's reports reach the credit registry.
        credit.setReporterModule(address(trade), true);
        token = new SettlementToken("Tradeline Digital MXN", "tMXN", "MXN", 2, registry);
        token.setIssuer(MemberId.wrap(1), true);
        token.setSystemAccount(address(trade), true);
        registry.setSettlementToken(address(token), true);
        vm.prank(ISSUER);
        token.mint(IMPORTER_BANK, MINTED);
        vm.prank(IMPORTER_BANK);
        token.approve(address(trade), type(uint256).max);
        cny = new SettlementToken("Tradeline Digital CNY", "tCNY", "CNY", 2, registry);
        cny.setIssuer(MemberId.wrap(1), true);
        cny.setSystemAccount(address(trade), true);
        registry.setSettlementToken(address(cny), true);
        vm.prank(ISSUER);
        cny.mint(vm.addr(FX_KEY), MINTED);
        vm.prank(vm.addr(FX_KEY));
        cny.approve(address(trade), type(uint256).max);
        handler = new TradeSettlementHandler(
            trade,
            [token, cny],
            [IMPORTER, EXPORTER, IMPORTER_BANK, ARBITER],
            [ORACLE_KEY, FX_KEY, FINANCIER_KEY],
            [
                registry.memberForKey(EXPORTER),
                registry.memberForKey(IMPORTER_BANK),
                registry.memberForKey(EXPORTER_BANK),
                registry.memberForKey(vm.addr(FX_KEY)),
                registry.memberForKey(vm.addr(FINANCIER_KEY))
            ],
            registry
        );
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// The escrow holds exactly the unpaid tranches of live (funded or disputed) orders plus what is parked for
    /// members; of the payout token it holds only what is parked.
    function invariant_escrowIsTheUnpaidTranchesPlusOwed() public view {
        uint256 held;
        for (uint256 i; i < handler.orderCount(); ++i) held += trade.escrowOf(handler.orders(i));
        assertEq(token.balanceOf(address(trade)), held + trade.totalOwed(address(token)), "escrow");
        assertEq(cny.balanceOf(address(trade)), trade.totalOwed(address(cny)), "payout token");
    }

    /// For every order, what left the escrow plus what it still holds equals its amount; a settled order holds nothing.
    function invariant_paidPlusRefundedIsTheAmount() public view {
        for (uint256 i; i < handler.orderCount(); ++i) {
            OrderId id = handler.orders(i);
            assertEq(handler.outflowOf(id) + trade.escrowOf(id), handler.amountOf(id), "paid + refunded + held");
            if (trade.getOrder(id).state == OrderState.Settled) {
                assertEq(handler.outflowOf(id), handler.amountOf(id), "settled short");
            }
        }
    }

    /// Nothing is paid twice: what left the escrow for an order, with an award still held for a quote, is exactly the
    /// gross of the tranches it settled, computed from the shares by the handler, and never more than was funded.
    function invariant_nothingPaidTwice() public view {
        uint256 out;
        for (uint256 i; i < handler.orderCount(); ++i) {
            OrderId id = handler.orders(i);
            ITradeSettlement.OrderView memory o = trade.getOrder(id);
            out += handler.outflowOf(id);
            // An arbiter's award held for a quote settled its tranches but is still in escrow (review 28, F1): what
            // escrow holds beyond the unsettled tranches.
            bool open = o.state == OrderState.Funded || o.state == OrderState.Disputed;
            uint256 heldAward = open ? trade.escrowOf(id) - handler.settledGrossOf(id, ~o.settledTranches) : 0;
            assertEq(
                handler.outflowOf(id) + heldAward,
                handler.settledGrossOf(id, o.settledTranches),
                "outflow + held award != settled gross"
            );
        }
        uint256 held = token.balanceOf(address(trade)) - trade.totalOwed(address(token));
        assertTrue(out + held == handler.funded(), "paid out more than funded");
    }
}
