// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MemberRegistry} from "../../contracts/access/MemberRegistry.sol";
import {SettlementToken} from "../../contracts/assets/SettlementToken.sol";
import {ConsentBook} from "../../contracts/credit/ConsentBook.sol";
import {CreditRegistry} from "../../contracts/credit/CreditRegistry.sol";
import {ICreditRegistry, ICreditRegistryTypes, PolicyMode} from "../../contracts/interfaces/ICreditRegistry.sol";
import {MemberId} from "../../contracts/interfaces/IMemberRegistry.sol";
import {
    FamilyState,
    IReceivableLedgerTypes,
    PieceState,
    ReceivableId
} from "../../contracts/interfaces/IReceivableLedger.sol";
import {DiscountMath} from "../../contracts/libraries/DiscountMath.sol";
import {ReceivableLedger} from "../../contracts/scf/ReceivableLedger.sol";
import {TestBase} from "../lib/Vm.sol";

import {ReceivableLedgerHandler} from "./ReceivableLedgerHandler.sol";

/// @notice Invariants of the receivable ledger under every state-changing operation its handler drives (see
///         {ReceivableLedgerHandler}), deliberate second financings included, and after `endAll`; and fuzzed
///         properties of the discount maths.
contract ReceivableLedgerInvariantTest is TestBase {
    uint256 internal constant FINANCIER_KEY = 0xF1A7;
    uint256 internal constant FINANCIER2_KEY = 0xF1A8;
    uint256 internal constant CORE_KEY = 0xC0FE;
    uint256 internal constant MINTED = 4e12;
    address internal constant ISSUER = address(0x155);
    address internal constant REGULATOR = address(0x4E6);
    address[3] internal SUPPLIERS = [address(0x51), address(0x52), address(0x53)];

    MemberRegistry internal registry;
    SettlementToken internal token;
    ReceivableLedger internal ledger;
    ReceivableLedgerHandler internal handler;
    address internal financier;
    address internal financier2;
    address internal core;

    function setUp() public {
        vm.warp(1_790_000_000);
        financier = vm.addr(FINANCIER_KEY);
        financier2 = vm.addr(FINANCIER2_KEY);
        core = vm.addr(CORE_KEY);
        registry = new MemberRegistry(address(this), keccak256("test key check"));
        registry.admit(keccak256("ISSUER"), ~keccak256("ISSUER"), "CN", uint32(1) << 11, ISSUER);
        registry.admit(keccak256("CORE"), ~keccak256("CORE"), "CN", uint32(1) << 2, core);
        MemberId coreId = registry.memberForKey(core);
        for (uint256 i; i < 3; ++i)
            registry.admit(
                keccak256(abi.encode("S", i)),
                ~keccak256(abi.encode("S", i)),
                "CN",
                uint32(1) << 3,
                SUPPLIERS[i]
            );
        registry.admit(keccak256("BANK"), ~keccak256("BANK"), "CN", (uint32(1) << 4) | 1, financier);
        registry.admit(keccak256("BANK2"), ~keccak256("BANK2"), "CN", (uint32(1) << 4) | 1, financier2);
        registry.admit(keccak256("REGULATOR"), ~keccak256("REGULATOR"), "CN", uint32(1) << 12, REGULATOR);
        CreditRegistry credit = new CreditRegistry(
            registry,
            new ConsentBook(registry),
            "CNY",
            ICreditRegistryTypes.Policy(0, 0, 30 days, 0, 3_000, PolicyMode.Flag, 0, 0)
        );
        ledger = new ReceivableLedger(registry, credit, 7 days, 1_800);
        registry.admit(keccak256("LEDGER"), ~keccak256("LEDGER"), "CN", uint32(1) << 13, address(ledger));
        // The ledger reports to the credit registry as a listed module: its reports are delivered, and queued only
        // while the registry is paused (the handler pauses and resumes it), so retries deliver real queues.
        credit.setReporterModule(address(ledger), true);
        token = new SettlementToken("Tradeline Digital CNY", "tCNY", "CNY", 2, registry);
        token.setIssuer(MemberId.wrap(1), true);
        token.setSystemAccount(address(ledger), true);
        registry.setSettlementToken(address(token), true);
        vm.startPrank(ISSUER);
        token.mint(core, MINTED / 2);
        token.mint(financier, MINTED / 4);
        token.mint(financier2, MINTED / 4);
        vm.stopPrank();
        vm.prank(financier2);
        token.approve(address(ledger), type(uint256).max);
        vm.prank(core);
        token.approve(address(ledger), type(uint256).max);
        MemberId bank = registry.memberForKey(financier);
        vm.prank(core);
        ledger.chooseFinancier(address(token), bank);
        vm.startPrank(financier);
        token.approve(address(ledger), type(uint256).max);
        ledger.setCreditLine(coreId, address(token), 1e12);
        vm.stopPrank();
        handler = new ReceivableLedgerHandler(
            ledger,
            token,
            registry,
            REGULATOR,
            CORE_KEY,
            SUPPLIERS,
            [FINANCIER_KEY, FINANCIER2_KEY]
        );
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    // ─── Invariants ─────────────────────────────────────────────────────────

    /// The face of live pieces equals the confirmed roots' face minus what holders have collected.
    function invariant_faceIsConserved() public view {
        uint256 live;
        for (uint256 i; i < handler.pieceCount(); ++i) {
            IReceivableLedgerTypes.Piece memory p = ledger.getPiece(handler.pieces(i));
            if (p.state == PieceState.Held || p.state == PieceState.Financed) live += p.face;
        }
        assertEq(live, handler.confirmedFace() - handler.collectedFace(), "face not conserved");
    }

    /// No unit of face is ever financed twice: no piece is sold twice (the handler counts every sale the ledger let
    /// through, deliberate second financings included, and a piece split off a financed one inherits its count), and
    /// no financing or move the ledger had to refuse (of a financed or pledged piece) went through.
    function invariant_noPieceFinancedTwice() public view {
        for (uint256 i; i < handler.pieceCount(); ++i) {
            assertTrue(handler.financedCount(handler.pieces(i)) <= 1, "financed twice");
        }
        assertEq(handler.wrongFinancings(), 0, "a refused financing went through");
        assertEq(handler.wrongMoves(), 0, "a financed or pledged piece moved");
    }

    /// Every refusal the handler provoked (a second financing, a move of a financed or pledged piece, a cancelled
    /// nonce, an expired quote, a retry with nothing queued, a redirect with nothing parked) carried exactly the error
    /// the ledger's checks name.
    function invariant_refusalsNameTheExpectedError() public view {
        assertEq(handler.wrongRefusals(), 0, "refused with an unexpected error");
    }

    /// The debtor's used credit line equals the face of its confirmed, unpaid families.
    function invariant_usedLineIsTheOutstandingConfirmedFace() public view {
        uint256 outstanding;
        for (uint256 i; i < handler.rootCount(); ++i) {
            IReceivableLedgerTypes.Family memory f = ledger.getFamily(handler.roots(i));
            if (
                f.state == FamilyState.Confirmed || f.state == FamilyState.Overdue || f.state == FamilyState.Defaulted
            ) {
                outstanding += f.face;
            }
        }
        assertEq(ledger.creditLineOf(registry.memberForKey(core), address(token)).used, outstanding, "used line");
    }

    /// The settlement token is neither created nor destroyed: every unit is with a party or in the ledger.
    function invariant_tokenIsConserved() public view {
        uint256 held = token.balanceOf(core) + token.balanceOf(financier) + token.balanceOf(financier2);
        held += token.balanceOf(address(ledger));
        for (uint256 i; i < 3; ++i) held += token.balanceOf(SUPPLIERS[i]);
        assertEq(held, MINTED, "tokens appeared or vanished");
        assertEq(token.totalSupply(), MINTED, "supply changed");
    }

    /// Every token the ledger holds is owed to an identifiable party: repaid but not yet collected, or parked for a
    /// member (claimable, or redirectable by the governor once the member is revoked).
    function invariant_ledgerBalanceIsOwed() public view {
        assertEq(
            token.balanceOf(address(ledger)),
            handler.repaidUncollected() + ledger.totalOwed(address(token)),
            "unowned tokens in the ledger"
        );
    }

    /// After `endAll` (every deadline passed, every time rule called, every family the debtor can pay repaid, every
    /// piece collected, parked money claimed or redirected), the ledger holds exactly what is parked for members, and
    /// only for members that cannot take it themselves now: a suspended one (it claims once reinstated) or a revoked
    /// one when no supplier is active to redirect it to (the governor's `redirectOwed`).
    function invariant_afterEndAllLedgerHoldsOnlyOwed() public view {
        assertEq(handler.unownedAfterEnd(), 0, "endAll: tokens in the ledger beyond what it owes");
        assertEq(handler.unclaimedAfterEnd(), 0, "endAll: owed to a member that could be paid");
    }

    // ─── Fuzz ───────────────────────────────────────────────────────────────

    /// A discounted price never exceeds the face and falls as the rate or the days grow.
    function testFuzz_discountedPrice_isMonotonic(uint64 face, uint16 rate, uint16 days_) public pure {
        uint256 d = bound(days_, 0, 720);
        uint256 r = bound(rate, 0, 5_000);
        uint256 price = DiscountMath.discountedPrice(face, r, d, 360);
        assertTrue(price <= face, "price above face");
        assertTrue(DiscountMath.discountedPrice(face, r, d + 1, 360) <= price, "more days, higher price");
        assertTrue(DiscountMath.discountedPrice(face, r + 1, d, 360) <= price, "higher rate, higher price");
        // The discount is the exact formula rounded up, so the price is within one unit of it.
        if (price > 0) assertTrue(price + 1 >= face - (uint256(face) * r * d) / (10_000 * 360), "rounding");
    }
}
