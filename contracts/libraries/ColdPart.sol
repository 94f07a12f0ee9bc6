// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ColdPart
/// @notice How a contract split in two under EIP-170 runs its rarely used functions: the hot contract forwards the
///         call's data to its cold part by DELEGATECALL, on the hot contract's own storage (both inherit one base
///         and so one layout, which the storage-layout test checks), and returns or reverts with the cold part's
///         result. Used by the credit registry, the receivable ledger and the trade settlement.
library ColdPart {
    /// @dev Runs this call's data in `cold` on this contract's storage; never returns to the caller's code. It copies
    ///      the calldata and the answer over memory from offset 0 (scratch space, the free memory pointer and what
    ///      follows), which is memory-safe only because the block always ends the call, by `return` or `revert`.
    function run(address cold) internal {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), cold, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) {
                revert(0, returndatasize())
            }
            return(0, returndatasize())
        }
    }
}
