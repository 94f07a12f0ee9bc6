// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {OrderId} from "../interfaces/ITradeSettlement.sol";

/// @notice The names of an order's payments: what a `TranchePaid` or `Refunded` event's `uetr` and `endToEndId` are
///         derived from. A tranche payment is named by its tranche index (0 to 7); an arbiter's award by
///         {AWARD_TRANCHE}; a refund by {REFUND_TRANCHE} and its purpose.
library TradePaymentRefs {
    /// @dev The tranche index an arbiter's award to the exporter's side is paid as (in `TranchePaid`).
    uint8 internal constant AWARD_TRANCHE = 254;
    /// @dev The tranche index a refund's UETR is derived from.
    uint8 internal constant REFUND_TRANCHE = 255;

    /// @dev Purposes in a payment's UETR: a tranche payment (or award) has none; a refund has one of the others.
    uint8 internal constant PURPOSE_PAYMENT = 0;
    uint8 internal constant PURPOSE_UNSHIPPED = 1; // nothing shipped by the shipment deadline
    uint8 internal constant PURPOSE_EXPIRED = 2; // expiry, or an arbiter's deadline passed
    uint8 internal constant PURPOSE_ARBITRATION = 3; // the importer's side of an arbiter's award

    /// @dev Bits of an `endToEndId`: the order id above, the tranche index in the low byte.
    uint256 internal constant TRANCHE_BITS = 8;

    // UUID v4 layout xxxxxxxx-xxxx-4xxx-[89ab]xxx-…: byte 6's high nibble is the version, byte 8's top bits
    // the variant.
    bytes16 internal constant UUID_VERSION_MASK = bytes16(0x000000000000f0000000000000000000);
    bytes16 internal constant UUID_VERSION_4 = bytes16(0x00000000000040000000000000000000);
    bytes16 internal constant UUID_VARIANT_MASK = bytes16(0x0000000000000000c000000000000000);
    bytes16 internal constant UUID_VARIANT_RFC4122 = bytes16(0x00000000000000008000000000000000);

    /// @dev The end-to-end id of tranche `tranche` of order `id` (a refund uses tranche 0's, as it always has).
    function endToEndId(OrderId id, uint8 tranche) internal pure returns (bytes32) {
        return bytes32((uint256(OrderId.unwrap(id)) << TRANCHE_BITS) | tranche);
    }

    /// @dev A UUID v4 derived from the payment's identity (escrow, order, tranche, purpose).
    function uetr(address escrow, OrderId id, uint8 tranche, uint8 purpose) internal pure returns (bytes16 u) {
        u = bytes16(keccak256(abi.encode(escrow, OrderId.unwrap(id), tranche, purpose)));
        u = (u & ~UUID_VERSION_MASK) | UUID_VERSION_4;
        u = (u & ~UUID_VARIANT_MASK) | UUID_VARIANT_RFC4122;
    }
}
