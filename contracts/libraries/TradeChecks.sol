// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

import {IMemberRegistry, MemberId, Role} from "../interfaces/IMemberRegistry.sol";
import {EvidenceKind, ITradeSettlement, OrderId} from "../interfaces/ITradeSettlement.sol";

/// @title TradeChecks
/// @notice Stateless checks of TradeSettlement, deployed by its constructor so that the settlement's runtime code
///         stays under the 24,576-byte limit without library linking. It reverts with the settlement's own errors;
///         the settlement bubbles them up. It holds nothing and moves nothing.
contract TradeChecks {
    uint256 private constant _BPS = 10_000;
    uint256 private constant _MAX_TRANCHES = 8;

    /// @notice Checks the tranches (1 to 8, non-zero shares summing to 10,000, evidence 1 to 15) and packs them as
    ///         8 x (uint16 share, uint8 evidence), low to high.
    function packTranches(ITradeSettlement.Tranche[] calldata tranches) external pure returns (uint256 packed) {
        uint256 n = tranches.length;
        uint256 total;
        for (uint256 i; i < n && i < _MAX_TRANCHES; ++i) {
            ITradeSettlement.Tranche calldata tr = tranches[i];
            if (tr.shareBps == 0 || tr.evidence == 0 || tr.evidence > 15) {
                revert ITradeSettlement.TradeInvalidTranches(n, total);
            }
            total += tr.shareBps;
            packed |= (uint256(tr.shareBps) | (uint256(tr.evidence) << 16)) << (24 * i);
        }
        if (n == 0 || n > _MAX_TRANCHES || total != _BPS) revert ITradeSettlement.TradeInvalidTranches(n, total);
    }

    /// @notice The signers of `signatures` over `digest` for `kind` evidence of order `id`, after checking: at least
    ///         `threshold` of them, in ascending signer order, each an operator of an active Oracle member, no two of
    ///         the same member (k-of-n counts institutions, item 6), none a party of the order (item 23).
    function attestationSigners(
        IMemberRegistry registry,
        OrderId id,
        EvidenceKind kind,
        bytes32 digest,
        bytes[] calldata signatures,
        uint256 threshold,
        MemberId[5] calldata parties
    ) external view returns (address[] memory signers) {
        uint256 n = signatures.length;
        if (n < threshold) revert ITradeSettlement.TradeThresholdNotMet(id, kind, n, threshold);
        signers = new address[](n);
        MemberId[] memory seen = new MemberId[](n);
        address previous;
        for (uint256 i; i < n; ++i) {
            (address signer, , ) = ECDSA.tryRecover(digest, signatures[i]);
            MemberId oracle = registry.memberOf(signer);
            if (signer <= previous || !registry.hasMemberRole(oracle, Role.Oracle)) {
                revert ITradeSettlement.TradeInvalidAttestation(id, signer);
            }
            for (uint256 j; j < i; ++j) {
                if (MemberId.unwrap(seen[j]) == MemberId.unwrap(oracle)) {
                    revert ITradeSettlement.TradeDuplicateOracleMember(id, oracle);
                }
            }
            if (isParty(parties, oracle)) revert ITradeSettlement.TradeConflictOfInterest(id, oracle);
            (seen[i], signers[i], previous) = (oracle, signer, signer);
        }
    }

    /// @notice The FX provider's signer and member for quote `q` (signature over `digest`) paying order `id`'s payee
    ///         `payee` for `amount` of `sell` into `buy`, after checking everything but its nonce: it names this order
    ///         and payee, the tokens, a positive rate, a maximum covering `amount`, an unexpired time and an active
    ///         FX provider. `chosen` is the provider the payee named (0: none) with floor `minRate`; without one,
    ///         `payeeChose` says whether the payee (or the arbiter) picked the quote (item 8).
    function quoteSigner(
        IMemberRegistry registry,
        OrderId id,
        ITradeSettlement.FxQuote calldata q,
        bytes32 digest,
        bytes calldata signature,
        address[2] calldata tokens, // sell, buy
        uint256 amount,
        MemberId payee,
        MemberId chosen,
        uint256 minRate,
        bool payeeChose
    ) external view returns (address signer) {
        if (OrderId.unwrap(q.order) != OrderId.unwrap(id) || MemberId.unwrap(q.beneficiary) != MemberId.unwrap(payee)) {
            revert ITradeSettlement.TradeFxQuoteNotForOrder(id, q.order, q.beneficiary);
        }
        (signer, , ) = ECDSA.tryRecover(digest, signature);
        MemberId provider = registry.memberOf(signer);
        if (
            q.sellToken != tokens[0] ||
            q.buyToken != tokens[1] ||
            q.rate == 0 ||
            amount > q.maxSellAmount ||
            block.timestamp > q.expiry ||
            !registry.hasMemberRole(provider, Role.FxProvider)
        ) revert ITradeSettlement.TradeInvalidFxQuote(signer, q.nonce);
        if (
            MemberId.unwrap(chosen) == 0
                ? !payeeChose
                : MemberId.unwrap(chosen) != MemberId.unwrap(provider) || q.rate < minRate
        ) revert ITradeSettlement.TradeFxQuoteNotChosen(id, signer, q.rate);
    }

    /// @notice Checks that an operator of the active Financier member `financier` signed `digest` (item 7).
    function checkAssignment(
        IMemberRegistry registry,
        OrderId id,
        MemberId financier,
        bytes32 digest,
        bytes calldata signature
    ) external view {
        (address signer, , ) = ECDSA.tryRecover(digest, signature);
        if (
            MemberId.unwrap(financier) == 0 ||
            MemberId.unwrap(registry.memberOf(signer)) != MemberId.unwrap(financier) ||
            !registry.hasMemberRole(financier, Role.Financier)
        ) revert ITradeSettlement.TradeInvalidAssignment(id, signer);
    }

    /// @notice Whether `member` is one of `parties` (importer, exporter, importer's bank, exporter's bank, financier).
    function isParty(MemberId[5] calldata parties, MemberId member) public pure returns (bool) {
        for (uint256 i; i < 5; ++i) if (MemberId.unwrap(parties[i]) == MemberId.unwrap(member)) return true;
        return false;
    }
}
