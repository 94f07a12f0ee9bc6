/** EIP-712 builders and signers. Each binds chain id and verifying contract; nonces and deadlines are explicit. */
import { Signature, type Signer } from "ethers";

import type { SettlementToken } from "../typechain-types/index.js";

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
