// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EvidenceKind} from "../interfaces/ITradeSettlement.sol";

/// @notice The k of each evidence kind, less one, in 4 bits per kind at offset `4 * kind` (so 0 means 1 oracle).
type Thresholds is uint16;

/// @notice Reads and writes a {Thresholds} word.
library ThresholdsLibrary {
    uint256 internal constant KIND_BITS = 4;
    uint256 internal constant MASK_K = 0xf;
    /// @dev The most oracles a kind may need (k - 1 fits in 4 bits).
    uint8 internal constant MAX_ORACLES = 16;

    /// @dev How many distinct oracles `kind` evidence needs.
    function oracles(Thresholds self, EvidenceKind kind) internal pure returns (uint8) {
        return uint8((Thresholds.unwrap(self) >> (KIND_BITS * uint8(kind))) & MASK_K) + 1;
    }

    /// @dev `self` with `kind` needing `k` oracles (1 to {MAX_ORACLES}; the caller checks the range).
    function setOracles(Thresholds self, EvidenceKind kind, uint8 k) internal pure returns (Thresholds) {
        uint256 shift = KIND_BITS * uint8(kind);
        return
            Thresholds.wrap(
                uint16((Thresholds.unwrap(self) & ~(MASK_K << shift)) | ((uint256(k - 1) & MASK_K) << shift))
            );
    }
}
