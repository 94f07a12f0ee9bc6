// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMemberRegistry, MemberId} from "../../contracts/interfaces/IMemberRegistry.sol";

/// @notice For test/layout/beyond-floor.test.ts: asks the member registry on behalf of another contract.
contract EpochReader {
    uint256 private _calls;

    /// @dev Returns nothing, so solc checks the callee's code (EXTCODESIZE) before the call: that pays the account.
    function touch() external view {
        if (_calls == type(uint256).max) revert();
    }

    function epochOf(IMemberRegistry registry) external view returns (uint64) {
        return registry.memberEpoch();
    }

    function memberOf(IMemberRegistry registry, address key) external view returns (MemberId) {
        return registry.memberForKey(key);
    }
}

/// @notice For test/layout/beyond-floor.test.ts: calls that reach storage through an account already warm. The probe
///         asks the registry for a key's member (a cold account), then has a reader ask the registry's epoch twice
///         (a warm account, a cold slot, then a warm one) and another key's member (a cold slot again, from the
///         same caller), has a second reader check its own storage (its account paid by solc's EXTCODESIZE before the
///         call) and ask the epoch (a warm account and a warm slot), asks a third key's
///         member itself (a cold slot, from a caller whose first call was cold), and checks one signature.
contract CallProbe {
    function probe(
        IMemberRegistry registry,
        EpochReader reader,
        EpochReader other,
        bytes32 digest,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external view returns (address signer) {
        registry.memberForKey(address(this));
        reader.epochOf(registry);
        reader.epochOf(registry);
        reader.memberOf(registry, address(reader));
        other.touch();
        other.epochOf(registry);
        registry.memberForKey(address(other));
        signer = ecrecover(digest, v, r, s);
    }
}
