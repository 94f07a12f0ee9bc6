// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice An order's tranches in one word: 8 lanes of 24 bits, lane `i` at bit `24 * i`, each lane a uint16 share
///         (bps of the amount) at offset 0 and a uint8 evidence bitmask (`1 << EvidenceKind`) at offset 16. Unused
///         lanes are zero. Modelled on Uniswap v4's `Slot0`: a value type with named offsets and masks.
type PackedTranches is uint256;

/// @notice Reads and writes a {PackedTranches} word.
library PackedTranchesLibrary {
    uint256 internal constant LANE_BITS = 24;
    uint256 internal constant SHARE_OFFSET = 0;
    uint256 internal constant EVIDENCE_OFFSET = 16;
    uint256 internal constant MASK_SHARE = 0xffff;
    uint256 internal constant MASK_EVIDENCE = 0xff;
    uint256 internal constant MASK_LANE = 0xffffff;

    /// @dev Tranche `i`'s share of the amount, in bps.
    function shareBps(PackedTranches self, uint256 i) internal pure returns (uint16) {
        return uint16((PackedTranches.unwrap(self) >> (LANE_BITS * i + SHARE_OFFSET)) & MASK_SHARE);
    }

    /// @dev The evidence kinds (bitmask of `1 << EvidenceKind`) tranche `i` needs.
    function evidence(PackedTranches self, uint256 i) internal pure returns (uint8) {
        return uint8((PackedTranches.unwrap(self) >> (LANE_BITS * i + EVIDENCE_OFFSET)) & MASK_EVIDENCE);
    }

    /// @dev `self` with lane `i` set to (`share`, `evidence_`).
    function setTranche(
        PackedTranches self,
        uint256 i,
        uint16 share,
        uint8 evidence_
    ) internal pure returns (PackedTranches) {
        uint256 shift = LANE_BITS * i;
        uint256 lane = (uint256(share) << SHARE_OFFSET) | (uint256(evidence_) << EVIDENCE_OFFSET);
        return PackedTranches.wrap((PackedTranches.unwrap(self) & ~(MASK_LANE << shift)) | (lane << shift));
    }
}
