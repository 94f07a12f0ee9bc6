/** EIP-712 builders and signers. Each binds chain id and verifying contract; nonces and deadlines are explicit. */
import { Signature, hexlify, randomBytes, type Signer } from "ethers";

import type { ReceivableLedger, SettlementToken } from "../typechain-types/index.js";

/** ERC-2612 `Permit` type. */
export const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

/** A signed ERC-2612 permit, ready for `token.permit(owner, spender, value, deadline, v, r, s)`. */
export interface SignedPermit {
  owner: string;
  spender: string;
  value: bigint;
  deadline: bigint;
  v: number;
  r: string;
  s: string;
}

/** Signs an ERC-2612 permit for `token` with the owner's current nonce (or `nonce` when given). */
export async function signPermit(
  token: SettlementToken,
  owner: Signer,
  spender: string,
  value: bigint,
  deadline: bigint,
  nonce?: bigint,
): Promise<SignedPermit> {
  const ownerAddress = await owner.getAddress();
  const { chainId } = await (owner.provider ?? token.runner!.provider!).getNetwork();
  const domain = { name: await token.name(), version: "1", chainId, verifyingContract: await token.getAddress() };
  const message = { owner: ownerAddress, spender, value, nonce: nonce ?? (await token.nonces(ownerAddress)), deadline };
  const sig = Signature.from(await owner.signTypedData(domain, PERMIT_TYPES, message));
  return { owner: ownerAddress, spender, value, deadline, v: sig.v, r: sig.r, s: sig.s };
}

/** `ReceivableLedger` confirmation of a requested root by its debtor. */
export const CONFIRMATION_TYPES = {
  Confirmation: [
    { name: "root", type: "uint64" },
    { name: "holder", type: "uint32" },
    { name: "token", type: "address" },
    { name: "face", type: "uint64" },
    { name: "activeMaturity", type: "uint40" },
    { name: "graceSeconds", type: "uint32" },
    { name: "penaltyRateBps", type: "uint16" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

/** `ReceivableLedger` financier quote. */
export const QUOTE_TYPES = {
  Quote: [
    { name: "id", type: "uint64" },
    { name: "rateBps", type: "uint16" },
    { name: "dayBase", type: "uint16" },
    { name: "recourse", type: "bool" },
    { name: "seller", type: "uint32" },
    { name: "expiry", type: "uint40" },
    { name: "nonce", type: "uint256" },
  ],
};

/** A financier's quote, as `ReceivableLedger.finance(quote, signature)` takes it. */
export interface QuoteTerms {
  id: bigint;
  rateBps: number;
  dayBase: 360 | 365;
  recourse: boolean;
  seller: bigint; // member id the financier agrees to buy from (and, with recourse, to report exposure to)
  expiry: bigint;
  nonce: bigint;
}

async function ledgerDomain(ledger: ReceivableLedger, signer: Signer) {
  const { chainId } = await (signer.provider ?? ledger.runner!.provider!).getNetwork();
  return { name: "Tradeline ReceivableLedger", version: "1", chainId, verifyingContract: await ledger.getAddress() };
}

/** A financier signs a quote for one receivable. */
export async function signQuote(ledger: ReceivableLedger, financier: Signer, quote: QuoteTerms): Promise<string> {
  return financier.signTypedData(await ledgerDomain(ledger, financier), QUOTE_TYPES, quote);
}

/**
 * A fresh nonce for a ledger signature (a quote, a confirmation): the ledger's nonces are unordered, so 128 random bits
 * never collide with another signature of the same key.
 */
export function newSignatureNonce(): bigint {
  return BigInt(hexlify(randomBytes(16)));
}

/** A debtor's signed confirmation, as `confirmWithSignature` takes it. */
export interface SignedConfirmation {
  /** The grace and penalty in force when it was signed, which it binds the debtor to (`terms()`). */
  graceSeconds: bigint;
  penaltyRateBps: bigint;
  /** One of the signer's unordered signature nonces (a fresh random one unless given); `cancelNonce` voids it. */
  nonce: bigint;
  deadline: bigint;
  signature: string;
}

/**
 * A debtor's operator signs the confirmation of requested root `root` under the ledger's terms in force, with a fresh
 * random signature nonce unless `nonce` is given. Nonces are unordered, so confirmations of several suppliers'
 * requests are relayed in any order, and none voids another.
 */
export async function signConfirmation(
  ledger: ReceivableLedger,
  debtor: Signer,
  root: bigint,
  deadline: bigint,
  nonce?: bigint,
): Promise<SignedConfirmation> {
  // The maturity on the ledger's active clock (its wall-clock time less the seconds paused so far, read at one block),
  // which a later pause does not move: the signature stays good across one.
  const blockTag = await ledger.runner!.provider!.getBlockNumber();
  const [piece, family, paused, [graceSeconds, penaltyRateBps]] = await Promise.all([
    ledger.getPiece(root, { blockTag }),
    ledger.getFamily(root, { blockTag }),
    ledger.pausedSeconds({ blockTag }),
    ledger.terms({ blockTag }),
  ]);
  const n = nonce ?? newSignatureNonce();
  const message = {
    root,
    holder: piece.holder,
    token: family.token,
    face: piece.face,
    activeMaturity: family.maturity - paused,
    graceSeconds,
    penaltyRateBps,
    nonce: n,
    deadline,
  };
  const signature = await debtor.signTypedData(await ledgerDomain(ledger, debtor), CONFIRMATION_TYPES, message);
  return { graceSeconds, penaltyRateBps, nonce: n, deadline, signature };
}

/** Half the secp256k1 group order: OpenZeppelin's `ECDSA` refuses a larger `s` (EIP-2's malleability rule). */
const HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

/**
 * Why the contracts' signature check (OpenZeppelin `ECDSA.recover`/`tryRecover`) refuses `signature` whatever it
 * signs, or null: only 65 bytes (r, s, v), `v` 27 or 28, `s` in the lower half of the curve order. ethers also reads
 * 64-byte compact signatures and `v` 0 or 1, which the chain never takes (adversarial review 44, F1).
 */
export function signatureProblem(signature: string): string | null {
  const bytes = (signature.length - 2) / 2;
  if (!/^0x[0-9a-fA-F]*$/.test(signature) || bytes !== 65) {
    return `is ${Number.isInteger(bytes) ? bytes : "not whole"} bytes; the chain takes 65-byte signatures (r, s, v) only`;
  }
  const s = BigInt("0x" + signature.slice(66, 130));
  const v = parseInt(signature.slice(130, 132), 16);
  if (v !== 27 && v !== 28) return `has v = ${v}; the chain takes v = 27 or 28 only`;
  if (s > HALF_ORDER) return "has s in the upper half of the curve order, which the chain refuses (EIP-2)";
  return null;
}
