// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice For test/layout/beyond-floor.test.ts: six functions that do the same thing, so that what calls to them
///         cost apart is where their selectors fall in the dispatcher's order.
contract DispatchProbe {
    uint256 private _last;

    function alpha(uint256 v) external {
        _last = v;
    }

    function bravo(uint256 v) external {
        _last = v;
    }

    function charlie(uint256 v) external {
        _last = v;
    }

    function delta(uint256 v) external {
        _last = v;
    }

    function echo(uint256 v) external {
        _last = v;
    }

    function foxtrot(uint256 v) external {
        _last = v;
    }
}
