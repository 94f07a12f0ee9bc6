// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {OrderState} from "../interfaces/ITradeSettlement.sol";

/// @notice Sets of order states as Governor-style bitmaps (`bytes32(1 << state)`, OpenZeppelin Governor's
///         `_encodeStateBitmap`), and the order state machine: which states each state may be entered from.
library OrderStates {
    /// @dev The bitmap of the single state `s`.
    function bit(OrderState s) internal pure returns (bytes32) {
        return bytes32(1 << uint8(s));
    }

    /// @dev Whether `s` is in `set`.
    function isIn(OrderState s, bytes32 set) internal pure returns (bool) {
        return set & bit(s) != 0;
    }

    /// @dev The states an order may enter `to` from: Created -> Accepted -> Funded <-> Disputed; Funded -> Settled;
    ///      Created or Accepted -> Lapsed; nothing enters Created from another state, nor leaves Settled or Lapsed.
    function predecessors(OrderState to) internal pure returns (bytes32) {
        if (to == OrderState.Accepted) return bit(OrderState.Created);
        if (to == OrderState.Funded) return bit(OrderState.Accepted) | bit(OrderState.Disputed);
        if (to == OrderState.Disputed || to == OrderState.Settled) return bit(OrderState.Funded);
        if (to == OrderState.Lapsed) return bit(OrderState.Created) | bit(OrderState.Accepted);
        return 0;
    }
}
