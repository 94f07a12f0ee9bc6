// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {RegistryCalls} from "./RegistryCalls.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

import {IMemberRegistry, MemberId, Role} from "../interfaces/IMemberRegistry.sol";
import {EvidenceKind, ITradeSettlement, OrderId} from "../interfaces/ITradeSettlement.sol";

/// @title TradeChecks
/// @notice Stateless checks of TradeSettlement, deployed by its constructor so that the settlement's runtime code
///         stays under the 24,576-byte limit without library linking. It reverts with the settlement's own errors;
///         the settlement bubbles them up. It holds nothing and moves nothing.
contract TradeChecks {
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
            MemberId oracle = RegistryCalls.memberForKey(registry, signer);
            // The signer's own word carries its member's status and roles: a second look at the slot just read.
            if (!RegistryCalls.activeInRole(registry, signer, Role.Oracle))
                revert ITradeSettlement.TradeInvalidAttestation(id, signer);
            if (signer <= previous) revert ITradeSettlement.TradeAttestationsUnordered(id, signer, previous);
            for (uint256 j; j < i; ++j) {
                if (MemberId.unwrap(seen[j]) == MemberId.unwrap(oracle)) {
                    revert ITradeSettlement.TradeDuplicateOracleMember(id, oracle);
                }
            }
            if (isParty(parties, oracle)) revert ITradeSettlement.TradeConflictOfInterest(id, oracle);
            (seen[i], signers[i], previous) = (oracle, signer, signer);
        }
    }

    /// @notice The FX provider's signer and member for quote `q` (signature over `digest`) paying order `id`'s
    ///         payee `payee` for `amount` of `sell` into `buy`, after checking everything but its nonce and its rate
    ///         being non-zero (the settlement checks both): it names this order and payee, the tokens, a maximum
    ///         covering `amount`, an unexpired time and an active FX provider. `chosen` is the provider the payee
    ///         named (0: none) with floor `minRate`; without one, `payeeChose` says whether the payee relays the
    ///         quote itself (item 8; never so for an arbiter's award). Each refusal has its own error, checked in
    ///         this order.
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
    ) external view returns (address signer, MemberId provider) {
        if (OrderId.unwrap(q.order) != OrderId.unwrap(id)) revert ITradeSettlement.TradeFxQuoteNotForOrder(id, q.order);
        if (MemberId.unwrap(q.beneficiary) != MemberId.unwrap(payee)) {
            revert ITradeSettlement.TradeFxQuoteNotForPayee(id, q.beneficiary, payee);
        }
        if (q.sellToken != tokens[0] || q.buyToken != tokens[1]) {
            revert ITradeSettlement.TradeFxQuoteTokenMismatch(q.sellToken, q.buyToken, tokens[0], tokens[1]);
        }
        if (amount > q.maxSellAmount) revert ITradeSettlement.TradeFxQuoteAboveMax(amount, q.maxSellAmount);
        if (block.timestamp > q.expiry) revert ITradeSettlement.TradeFxQuoteExpired(q.expiry, block.timestamp);
        (signer, , ) = ECDSA.tryRecover(digest, signature);
        provider = RegistryCalls.memberForKey(registry, signer);
        if (!RegistryCalls.activeInRole(registry, signer, Role.FxProvider)) {
            revert ITradeSettlement.TradeFxQuoteSignerNotProvider(signer, provider);
        }
        if (MemberId.unwrap(chosen) == 0) {
            if (!payeeChose) revert ITradeSettlement.TradeFxQuoteNotChosen(id, signer);
        } else if (MemberId.unwrap(chosen) != MemberId.unwrap(provider)) {
            revert ITradeSettlement.TradeFxProviderNotNamed(id, provider, chosen);
        } else if (q.rate < minRate) {
            revert ITradeSettlement.TradeFxRateBelowMin(id, q.rate, minRate);
        }
    }

    /// @notice Checks that `financier` is an active Financier member (else `TradeInvalidParty`) and that an operator
    ///         of it signed `digest` (else `TradeInvalidAssignment`) (item 7); returns that operator.
    function checkAssignment(
        IMemberRegistry registry,
        OrderId id,
        MemberId financier,
        bytes32 digest,
        bytes calldata signature
    ) external view returns (address signer) {
        // Member 0 is nobody: it holds no role, so a signature recovering to a non-member never passes below.
        (signer, , ) = ECDSA.tryRecover(digest, signature);
        // An operator of `financier` carries its status and roles in its own word, so the usual case reads one slot.
        // Otherwise the financier's own record decides which refusal it is: not a financier comes first.
        if (MemberId.unwrap(RegistryCalls.memberForKey(registry, signer)) == MemberId.unwrap(financier)) {
            if (!RegistryCalls.activeInRole(registry, signer, Role.Financier))
                revert ITradeSettlement.TradeInvalidParty(financier);
        } else {
            if (!RegistryCalls.hasMemberRole(registry, financier, Role.Financier))
                revert ITradeSettlement.TradeInvalidParty(financier);
            revert ITradeSettlement.TradeInvalidAssignment(id, signer);
        }
    }

    /// @notice Whether `member` is one of `parties` (importer, exporter, importer's bank, exporter's bank, financier).
    function isParty(MemberId[5] calldata parties, MemberId member) public pure returns (bool) {
        for (uint256 i; i < 5; ++i) if (MemberId.unwrap(parties[i]) == MemberId.unwrap(member)) return true;
        return false;
    }
}
