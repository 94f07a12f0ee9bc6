// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title UnorderedNonces
/// @notice Signers' nonces that may be spent in any order: one bit per nonce, 256 to a storage word, as Permit2's
///         unordered nonces. OpenZeppelin's `Nonces` spends in order, which a signer of independent quotes cannot
///         use. A module keeps one `Bitmap` per signer and reverts with its own error when `use` returns false.
library UnorderedNonces {
    /// @dev Bit `nonce & 0xff` of word `nonce >> 8` is set once `nonce` is spent.
    struct Bitmap {
        mapping(uint256 word => uint256 bits) words;
    }

    /// @dev Spends `nonce`; false (and nothing changes) when it was spent before.
    function use(Bitmap storage self, uint256 nonce) internal returns (bool fresh) {
        uint256 bit = 1 << (nonce & 0xff);
        uint256 word = self.words[nonce >> 8];
        if (word & bit != 0) return false;
        self.words[nonce >> 8] = word | bit;
        return true;
    }

    /// @dev Whether `nonce` has been spent.
    function isUsed(Bitmap storage self, uint256 nonce) internal view returns (bool) {
        return (self.words[nonce >> 8] >> (nonce & 0xff)) & 1 == 1;
    }
}
