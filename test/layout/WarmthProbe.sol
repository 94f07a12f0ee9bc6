// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IMemberRegistry} from "../../contracts/interfaces/IMemberRegistry.sol";

/// @notice For test/layout/beyond-floor.test.ts: a call that reverts inside a try, after its callee touched the member
///         registry, then a call of its own to the registry. EIP-2929 takes the registry's warmth back with the
///         reverted frame, so the transaction pays the registry's cold account twice.
contract WarmthProbe {
    function probe(IERC20 token, IMemberRegistry registry) external returns (uint64 epoch) {
        try token.transfer(address(1), 1) {} catch {}
        epoch = registry.memberEpoch();
    }
}
