/**
 * Deploys a Tradeline network with the Ignition module and admits the demo's institutions. Shared by the demo, the
 * bench and the end-to-end tests, so all three exercise the same deployment path as an operator does.
 */
import { readFile } from "node:fs/promises";

import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkConnection } from "hardhat/types/network";

import TradelineModule from "../../ignition/modules/Tradeline.js";
import { connect, type Deployment, type TradelineContracts } from "../../src/deployment.js";
import { jurisdictionCode, legalIdHash } from "../../src/encoding.js";
import { type ConsortiumKey, keyCheck } from "../../src/keys.js";
import { entityKey, roleMask } from "../../src/members.js";
import type { MemberRegistry } from "../../typechain-types/index.js";

import { CAST, type CastMember } from "./cast.js";
import { ephemeralKey } from "./loans.js";

/** The LEI of the settlement bank the committed Ignition parameters admit as the tokens' issuer. */
export const ISSUER_LEI = "TLSETTLEMENTBANK0001";

export interface World {
  /** The addresses, as a deployment record gives them (connect them to another signer with `connect`). */
  deployment: Deployment;
  contracts: TradelineContracts;
  governor: HardhatEthersSigner;
  /** The issuer admitted by the Ignition module. */
  issuer: HardhatEthersSigner;
  /** Admin operator of each cast member, by key. */
  admins: Record<string, HardhatEthersSigner>;
  /** Member id of each cast member, by key. */
  ids: Record<string, bigint>;
  /** Accounts no member owns. */
  outsiders: HardhatEthersSigner[];
  /** The consortium key the cast's entity keys were derived with. */
  key: ConsortiumKey;
}

/** Cast member `who` as a task session: its contracts bound to its admin, and the consortium key `key`. */
export function actAs(world: World, who: string, key: ConsortiumKey) {
  return {
    contracts: connect(world.deployment, world.admins[who]),
    session: { consortiumKey: async () => key, signer: world.admins[who] },
  };
}

/** Reads the Ignition parameters committed for a network. */
export async function ignitionParameters(networkName: string): Promise<Record<string, Record<string, string>>> {
  const url = new URL(`../../ignition/parameters/${networkName}.json`, import.meta.url);
  return JSON.parse(await readFile(url, "utf8")) as Record<string, Record<string, string>>;
}

/** Admits one institution and returns its member id (read from the MemberAdmitted event). */
export async function admitMember(
  members: MemberRegistry,
  governor: HardhatEthersSigner,
  who: Pick<CastMember, "legalId" | "jurisdiction" | "roles">,
  admin: string,
  key: ConsortiumKey,
): Promise<bigint> {
  const tx = await members
    .connect(governor)
    .admit(
      legalIdHash(who.legalId),
      entityKey(key, who.legalId),
      jurisdictionCode(who.jurisdiction),
      roleMask(who.roles),
      admin,
    );
  const receipt = await tx.wait();
  for (const log of receipt?.logs ?? []) {
    const parsed = members.interface.parseLog(log);
    if (parsed?.name === "MemberAdmitted") return parsed.args.id as bigint;
  }
  throw new Error("admit did not emit MemberAdmitted");
}

/**
 * Deploys with Ignition on `connection` and admits the cast (accounts 2…). On a JSON-RPC network Ignition keeps a
 * journal under `ignition/deployments/<deploymentId>`; give a fresh id per chain, and remove it when done.
 */
export async function deployWorld(
  connection: NetworkConnection,
  deploymentId?: string,
  key: ConsortiumKey = ephemeralKey(),
): Promise<World> {
  const signers = await connection.ethers.getSigners();
  const [governor, issuer] = signers;
  const parameters = await ignitionParameters("hardhat");
  // The key-derived parameters follow the run's key, so that every task's key check passes with it.
  parameters.Tradeline.keyCheck = keyCheck(key);
  parameters.Tradeline.issuerEntityKey = entityKey(key, ISSUER_LEI);
  const deployed = await connection.ignition.deploy(TradelineModule, { parameters, deploymentId });
  const addresses = {
    memberRegistry: await deployed.memberRegistry.getAddress(),
    consentBook: await deployed.consentBook.getAddress(),
    creditRegistry: await deployed.creditRegistry.getAddress(),
    creditScore: await deployed.creditScore.getAddress(),
    receivableLedger: await deployed.receivableLedger.getAddress(),
    tradeSettlement: await deployed.tradeSettlement.getAddress(),
    tokens: {
      CNY: await deployed.tokenCNY.getAddress(),
      USD: await deployed.tokenUSD.getAddress(),
      MXN: await deployed.tokenMXN.getAddress(),
    },
  };
  const contracts = connect(addresses, governor);
  // The key is checked against what the chain now publishes, as a task would check it.
  const checked = key.checkedAgainst(await contracts.members.keyCheck());
  const admins: Record<string, HardhatEthersSigner> = {};
  const ids: Record<string, bigint> = {};
  for (const [i, member] of CAST.entries()) {
    const admin = signers[2 + i];
    admins[member.key] = admin;
    ids[member.key] = await admitMember(contracts.members, governor, member, admin.address, checked);
  }
  const outsiders = signers.slice(2 + CAST.length);
  return { deployment: addresses, contracts, governor, issuer, admins, ids, outsiders, key: checked };
}
