/** Roles and statuses of the member registry, mirrored from `IMemberRegistry.sol`, and a member's entity key. */
import type { ContractTransactionReceipt } from "ethers";

import type { MemberRegistry } from "../typechain-types/index.js";

import { borrowerKey, ConsortiumKey, DEVELOPMENT_KEY_CHECK, type Hex32 } from "./keys.js";
import { mined } from "./tx.js";

/** The chain id of Hardhat's local networks, the only ones the public development key may serve. */
const LOCAL_CHAIN_ID = 31337n;

/**
 * Parses the consortium key and checks it against the key-check value `members` (the deployment's member registry)
 * published at deployment; only the key it returns derives borrower, invoice and entity keys. Throws a readable
 * error when the key is missing, malformed or not this consortium's, when the registry predates the key check, and
 * when a chain other than a local one was deployed with the public development key.
 */
export async function verifiedConsortiumKey(
  members: MemberRegistry,
  hex: string | undefined,
  source?: string,
): Promise<ConsortiumKey> {
  const key = ConsortiumKey.fromHex(hex);
  const address = await members.getAddress();
  const provider = members.runner?.provider;
  if (provider === null || provider === undefined) throw new Error("the member registry has no provider to read from");
  const { chainId } = await provider.getNetwork();
  const code = await provider.getCode(address);
  if (code === "0x") {
    throw new Error(
      `no contract at ${address} on chain ${chainId}: the deployment record names a member registry this chain ` +
        `does not have (another network's record, or a chain restarted since it was deployed)`,
    );
  }
  // A registry deployed before keyCheck existed has no such function: its dispatcher lacks the selector. Any other
  // failure of the call (a timeout, a node down) is reported as it is.
  const selector = members.interface.getFunction("keyCheck").selector.slice(2);
  if (!code.toLowerCase().includes(selector)) {
    throw new Error(
      `the member registry at ${address} publishes no consortium key check (it was deployed before keyCheck ` +
        `existed): redeploy the network with Ignition's keyCheck parameter (docs/operations.md)`,
    );
  }
  const published = await members.keyCheck();
  if (published.toLowerCase() === DEVELOPMENT_KEY_CHECK) {
    if (chainId !== LOCAL_CHAIN_ID) {
      throw new Error(
        `chain ${chainId} was deployed with the public development key, which anyone can read: redeploy it with ` +
          `the consortium's own key (./tradeline consortium:parameters)`,
      );
    }
  }
  return key.checkedAgainst(published, source);
}

/**
 * A member's entity key: the borrower key of its LEI, `HMAC-SHA256(consortiumKey, "LEI", lei)`. The registry stores
 * it at admission; modules report credit records about the member under it, so a lender that checks the company by
 * its LEI sees what the modules reported. The LEI is the primary identifier (one per legal entity, worldwide), so
 * the same institution cannot get a second entity key.
 */
export function entityKey(key: ConsortiumKey, lei: string): Hex32 {
  return borrowerKey(key, "LEI", lei);
}

/** Same order as the Solidity `Role` enum: the index is the bit in a member's role set. */
export const ROLES = [
  "Lender",
  "Platform",
  "CoreEnterprise",
  "Supplier",
  "Financier",
  "Importer",
  "Exporter",
  "ImporterBank",
  "Oracle",
  "FxProvider",
  "Arbiter",
  "TokenIssuer",
  "Regulator",
  "Reporter",
] as const;
export type RoleName = (typeof ROLES)[number];

/** Same order as the Solidity `MemberStatus` enum. */
export const MEMBER_STATUSES = ["None", "Active", "Suspended", "Revoked"] as const;
export type MemberStatusName = (typeof MEMBER_STATUSES)[number];

/** The enum index of a role, from its name (case-insensitive). */
export function roleIndex(name: string): number {
  const i = ROLES.findIndex((r) => r.toLowerCase() === name.trim().toLowerCase());
  if (i < 0) throw new Error(`unknown role "${name}": expected one of ${ROLES.join(", ")}`);
  return i;
}

/** The role-set bitmap of a list of role names. */
export function roleMask(names: readonly string[]): number {
  if (names.length === 0) throw new Error("at least one role is required");
  return names.reduce((mask, n) => mask | (1 << roleIndex(n)), 0);
}

/** The role names in a role-set bitmap. */
export function roleNames(mask: bigint | number): RoleName[] {
  const m = Number(mask);
  return ROLES.filter((_, i) => (m >> i) & 1);
}

/** Parses a comma-separated role list, e.g. "Lender,Financier". */
export function parseRoles(list: string): number {
  return roleMask(
    list
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== ""),
  );
}

/** The name of a member status. */
export function statusName(status: bigint | number): MemberStatusName {
  return MEMBER_STATUSES[Number(status)] ?? (`Unknown(${status})` as MemberStatusName);
}

/**
 * What one more operator may add to a status or role change of its member (the registry rewrites its word): measured
 * 5,571 gas, about 6,200 under the coverage run's instrumentation; the margin is generous, as unused gas is not
 * charged.
 */
const GAS_PER_OPERATOR = 10_000n;

/**
 * The governor suspends member `id`, with a gas limit that covers the most operators the member may have: its admin
 * could add operators between the estimate and the inclusion, each one more word the registry rewrites, and run an
 * estimated suspension out of gas (adversarial review 23, R23-2). Unused gas is not charged.
 */
export async function suspendMember(
  members: MemberRegistry,
  id: bigint,
  reason: string,
): Promise<ContractTransactionReceipt> {
  const [estimate, member, max] = await Promise.all([
    members.suspend.estimateGas(id, reason),
    members.getMember(id),
    members.MAX_OPERATORS(),
  ]);
  const room = max > member.operatorCount ? max - member.operatorCount : 0n;
  const gasLimit = estimate + room * GAS_PER_OPERATOR;
  return mined(await members.suspend(id, reason, { gasLimit }));
}
