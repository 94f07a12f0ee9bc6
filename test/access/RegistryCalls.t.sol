// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MemberRegistry} from "../../contracts/access/MemberRegistry.sol";
import {IMemberRegistry, MemberId, MemberStatus, Role} from "../../contracts/interfaces/IMemberRegistry.sol";
import {RegistryCalls} from "../../contracts/libraries/RegistryCalls.sol";
import {TestBase} from "../lib/Vm.sol";

/// @notice Test-only: every `RegistryCalls` wrapper behind an external function with the registry's own signature,
///         so that one calldata asks both.
contract RegistryCallsHarness {
    IMemberRegistry internal immutable _registry;

    constructor(IMemberRegistry registry) {
        _registry = registry;
    }

    /// Lets the registry list the harness as a settlement token: it names the registry it checks members against,
    /// and a currency.
    function memberRegistry() external view returns (IMemberRegistry) {
        return _registry;
    }

    function currency() external pure returns (bytes3) {
        return "CNY";
    }

    function requireKeyInRole(address account, Role role) external view returns (MemberId) {
        return RegistryCalls.requireKeyInRole(_registry, account, role);
    }

    function requireActiveMember(address account) external view returns (MemberId, uint32) {
        return RegistryCalls.requireActiveWithRoles(_registry, account);
    }

    /// The one-word wrapper the modules' `_requireActive` uses: the first word of `requireActiveMember`'s answer.
    function requireActiveMemberId(address account) external view returns (MemberId) {
        return RegistryCalls.requireActiveMember(_registry, account);
    }

    function memberForKey(address account) external view returns (MemberId) {
        return RegistryCalls.memberForKey(_registry, account);
    }

    function statusOf(MemberId member) external view returns (MemberStatus) {
        return RegistryCalls.statusOf(_registry, member);
    }

    function standingOf(MemberId member) external view returns (MemberStatus, uint32) {
        return RegistryCalls.standingOf(_registry, member);
    }

    function hasMemberRole(MemberId member, Role role) external view returns (bool) {
        return RegistryCalls.hasMemberRole(_registry, member, role);
    }

    function activeInRole(address account, Role role) external view returns (bool) {
        return RegistryCalls.activeInRole(_registry, account, role);
    }

    function payoutAccountFor(MemberId member) external view returns (address) {
        return RegistryCalls.payoutAccountFor(_registry, member);
    }

    function isActiveKey(address account) external view returns (bool) {
        return RegistryCalls.isActiveKey(_registry, account);
    }

    function isSettlementToken(address token) external view returns (bool) {
        return RegistryCalls.isSettlementToken(_registry, token);
    }

    function entityKeyOf(MemberId member) external view returns (bytes32) {
        return RegistryCalls.entityKeyOf(_registry, member);
    }

    function governor() external view returns (address) {
        return RegistryCalls.governor(_registry);
    }

    function memberEpoch() external view returns (uint64) {
        return RegistryCalls.memberEpoch(_registry);
    }
}

/// @notice Test-only: a stand-in registry that answers every call with the bytes it is given, or reverts with them.
contract RawRegistry {
    bytes private _answer;
    bool private _reverts;

    function set(bytes memory answer, bool reverts) external {
        (_answer, _reverts) = (answer, reverts);
    }

    fallback(bytes calldata) external returns (bytes memory) {
        bytes memory answer = _answer;
        if (_reverts) {
            assembly ("memory-safe") {
                revert(add(answer, 0x20), mload(answer))
            }
        }
        return answer;
    }
}

/// @notice The member registry's views asked through `RegistryCalls` answer exactly what solc's own calls answer, and
///         revert with exactly the registry's revert data: the same answers, the same precise errors.
contract RegistryCallsTest is TestBase {
    MemberRegistry internal registry;
    RegistryCallsHarness internal viaLibrary;
    address internal constant ADMIN = address(0xA11CE);
    address internal constant OPERATOR = address(0x0BE7);

    function setUp() public {
        registry = new MemberRegistry(address(this), keccak256("test key check"));
        viaLibrary = new RegistryCallsHarness(registry);
        // Member 1: a Financier and Regulator, with an operator that is also its payout account.
        registry.admit(
            keccak256("BANK"),
            ~keccak256("BANK"),
            "CN",
            (uint32(1) << uint8(Role.Financier)) | (uint32(1) << uint8(Role.Regulator)),
            ADMIN
        );
        vm.prank(ADMIN);
        registry.addOperator(MemberId.wrap(1), OPERATOR);
        vm.prank(OPERATOR);
        registry.acceptOperatorOffer(MemberId.wrap(1));
        vm.prank(ADMIN);
        registry.setPayoutAccount(MemberId.wrap(1), OPERATOR);
        // Member 2: suspended. Member 3: revoked.
        registry.admit(
            keccak256("LENDER"),
            ~keccak256("LENDER"),
            "HK",
            uint32(1) << uint8(Role.Lender),
            address(0xB0B)
        );
        registry.suspend(MemberId.wrap(2), "test");
        registry.admit(keccak256("GONE"), ~keccak256("GONE"), "SG", uint32(1) << uint8(Role.Lender), address(0xD0D));
        registry.revoke(MemberId.wrap(3), "test");
        registry.setSettlementToken(address(viaLibrary), true); // a listed token: names this registry and a currency
    }

    /// Each account-keyed view agrees with solc's call for a known operator, an admin, a suspended or revoked
    /// member's key, a listed token and any other key, whatever the role: the same answer or the same revert data.
    function testFuzz_accountViews_agreeWithSolc(uint8 which, uint8 roleIndex, address stranger) public view {
        address[6] memory accounts = [OPERATOR, ADMIN, address(0xB0B), address(0xD0D), address(viaLibrary), stranger];
        address account = accounts[which % 6];
        Role role = Role(roleIndex % 14);
        _same(abi.encodeCall(IMemberRegistry.requireKeyInRole, (account, role)));
        _same(abi.encodeCall(IMemberRegistry.requireActiveMember, (account)));
        _same(abi.encodeCall(IMemberRegistry.memberForKey, (account)));
        _same(abi.encodeCall(IMemberRegistry.activeInRole, (account, role)));
        _same(abi.encodeCall(IMemberRegistry.isActiveKey, (account)));
        _same(abi.encodeCall(IMemberRegistry.isSettlementToken, (account)));
        _sameMember(account);
    }

    /// Each member-keyed view agrees with solc's call for members 0 to 4 (none, active, suspended, revoked, unknown).
    function testFuzz_memberViews_agreeWithSolc(uint8 memberIndex, uint8 roleIndex) public view {
        MemberId member = MemberId.wrap(uint32(memberIndex % 5));
        Role role = Role(roleIndex % 14);
        _same(abi.encodeCall(IMemberRegistry.statusOf, (member)));
        _same(abi.encodeCall(IMemberRegistry.standingOf, (member)));
        _same(abi.encodeCall(IMemberRegistry.hasMemberRole, (member, role)));
        _same(abi.encodeCall(IMemberRegistry.payoutAccountFor, (member)));
        _same(abi.encodeCall(IMemberRegistry.entityKeyOf, (member)));
    }

    /// The registry-wide views agree too.
    function test_registryViews_agreeWithSolc() public view {
        _same(abi.encodeCall(IMemberRegistry.governor, ()));
        _same(abi.encodeCall(IMemberRegistry.memberEpoch, ()));
    }

    /// A registry that answers nothing (an address without code) is refused with no data, as solc's decoder refuses
    /// it: never read as member 0 or as "false".
    function test_noAnswer_reverts() public {
        RegistryCallsHarness nowhere = new RegistryCallsHarness(IMemberRegistry(address(0xDEAD)));
        vm.expectRevert(bytes(""));
        nowhere.memberForKey(OPERATOR);
        vm.expectRevert(bytes(""));
        nowhere.standingOf(MemberId.wrap(1));
    }

    /// A one-word answer to the two-word `standingOf` is refused with no data (never a status with zero roles), while
    /// a one-word view takes it.
    function test_shortAnswerToTwoWordView_reverts() public {
        RawRegistry raw = new RawRegistry();
        RegistryCallsHarness overRaw = new RegistryCallsHarness(IMemberRegistry(address(raw)));
        raw.set(abi.encode(uint256(1)), false);
        assertTrue(overRaw.statusOf(MemberId.wrap(1)) == MemberStatus.Active, "a one-word answer to a one-word view");
        vm.expectRevert(bytes(""));
        overRaw.standingOf(MemberId.wrap(1));
    }

    /// Revert data longer than the scratch space (an `Error(string)` of 300 bytes) reaches the caller whole.
    function test_longRevertData_reraisedWhole() public {
        RawRegistry raw = new RawRegistry();
        RegistryCallsHarness overRaw = new RegistryCallsHarness(IMemberRegistry(address(raw)));
        bytes memory reason = new bytes(300);
        for (uint256 i; i < reason.length; ++i) reason[i] = bytes1(uint8(0x41 + (i % 26)));
        bytes memory data = abi.encodeWithSignature("Error(string)", string(reason));
        raw.set(data, true);
        vm.expectRevert(data);
        overRaw.requireKeyInRole(OPERATOR, Role.Financier);
        vm.expectRevert(data);
        overRaw.standingOf(MemberId.wrap(1));
    }

    /// The one-word `RegistryCalls.requireActiveMember` wrapper answers the registry's first word (the member), or the same revert data.
    function _sameMember(address account) private view {
        (bool okDirect, bytes memory outDirect) = address(registry).staticcall(
            abi.encodeCall(IMemberRegistry.requireActiveMember, (account))
        );
        (bool okWrapped, bytes memory outWrapped) = address(viaLibrary).staticcall(
            abi.encodeCall(RegistryCallsHarness.requireActiveMemberId, (account))
        );
        assertTrue(okDirect == okWrapped, "one reverted and the other did not");
        if (okDirect) {
            (MemberId member, ) = abi.decode(outDirect, (MemberId, uint32));
            assertTrue(
                MemberId.unwrap(abi.decode(outWrapped, (MemberId))) == MemberId.unwrap(member),
                "another member"
            );
        } else {
            assertTrue(keccak256(outDirect) == keccak256(outWrapped), "different revert data");
        }
    }

    /// The same call to the registry and to `viaLibrary` (the harness has the registry's selectors) succeeds or fails
    /// on both, with byte-identical return or revert data.
    function _same(bytes memory call) private view {
        (bool okDirect, bytes memory outDirect) = address(registry).staticcall(call);
        (bool okWrapped, bytes memory outWrapped) = address(viaLibrary).staticcall(call);
        assertTrue(okDirect == okWrapped, "one reverted and the other did not");
        assertTrue(keccak256(outDirect) == keccak256(outWrapped), "different answer or revert data");
    }
}
