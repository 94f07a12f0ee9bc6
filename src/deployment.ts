/**
 * Connects to a deployed Tradeline network from its deployment record: the `deployed_addresses.json` that Hardhat
 * Ignition writes under `ignition/deployments/chain-<chainId>/`.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";

import { getAddress, type ContractRunner } from "ethers";

import {
  ConsentBook__factory,
  CreditRegistry__factory,
  CreditScore__factory,
  MemberRegistry__factory,
  ReceivableLedger__factory,
  SettlementToken__factory,
  TradeSettlement__factory,
  type ConsentBook,
  type CreditRegistry,
  type CreditScore,
  type MemberRegistry,
  type ReceivableLedger,
  type SettlementToken,
  type TradeSettlement,
} from "../typechain-types/index.js";

/** The Ignition module id; future ids in the record read `Tradeline#<Name>`. */
export const MODULE_ID = "Tradeline";

/** Addresses of one deployed network. */
export interface Deployment {
  memberRegistry: string;
  /** The borrowers' consents to credit look-ups, checked by every inquiry. */
  consentBook: string;
  creditRegistry: string;
  /** The shared, explainable credit score. */
  creditScore: string;
  receivableLedger: string;
  tradeSettlement: string;
  /** Settlement tokens by ISO 4217 code. */
  tokens: Record<string, string>;
}

/** Typed contracts bound to one runner (a signer to send, a provider to read). */
export interface TradelineContracts {
  members: MemberRegistry;
  consents: ConsentBook;
  credit: CreditRegistry;
  score: CreditScore;
  scf: ReceivableLedger;
  trade: TradeSettlement;
  tokens: Record<string, SettlementToken>;
}

/** The default record path for a chain id. */
export function deploymentPath(chainId: bigint | number, root = process.cwd()): string {
  return path.join(root, "ignition", "deployments", `chain-${chainId}`, "deployed_addresses.json");
}

/** Parses Ignition's address map (`{"Tradeline#MemberRegistry": "0x…", "Tradeline#TokenCNY": "0x…"}`). */
export function parseDeployment(addresses: Record<string, string>): Deployment {
  const get = (name: string): string | undefined => addresses[`${MODULE_ID}#${name}`];
  const required = (name: string): string => {
    const address = get(name);
    if (address === undefined) throw new Error(`deployment record has no ${MODULE_ID}#${name}`);
    return getAddress(address);
  };
  const tokens: Record<string, string> = {};
  const prefix = `${MODULE_ID}#Token`;
  for (const [key, address] of Object.entries(addresses)) {
    const code = key.slice(prefix.length);
    if (key.startsWith(prefix) && /^[A-Z]{3}$/.test(code)) tokens[code] = getAddress(address);
  }
  return {
    memberRegistry: required("MemberRegistry"),
    consentBook: required("ConsentBook"),
    creditRegistry: required("CreditRegistry"),
    creditScore: required("CreditScore"),
    receivableLedger: required("ReceivableLedger"),
    tradeSettlement: required("TradeSettlement"),
    tokens,
  };
}

/** Reads a deployment record from a file; the error names the file and what to do when it is missing. */
export async function loadDeployment(file: string): Promise<Deployment> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new Error(
      `no deployment record at ${file}: deploy first (npx hardhat ignition deploy ignition/modules/Tradeline.ts ` +
        `--network <name> --parameters ignition/parameters/<name>.json) or pass --deployment <file>`,
    );
  }
  return parseDeployment(JSON.parse(text) as Record<string, string>);
}

/** Binds the typed contracts of a deployment to a runner. */
export function connect(deployment: Deployment, runner: ContractRunner): TradelineContracts {
  const tokens: Record<string, SettlementToken> = {};
  for (const [code, address] of Object.entries(deployment.tokens)) {
    tokens[code] = SettlementToken__factory.connect(address, runner);
  }
  return {
    members: MemberRegistry__factory.connect(deployment.memberRegistry, runner),
    consents: ConsentBook__factory.connect(deployment.consentBook, runner),
    credit: CreditRegistry__factory.connect(deployment.creditRegistry, runner),
    score: CreditScore__factory.connect(deployment.creditScore, runner),
    scf: ReceivableLedger__factory.connect(deployment.receivableLedger, runner),
    trade: TradeSettlement__factory.connect(deployment.tradeSettlement, runner),
    tokens,
  };
}

/** The token for a currency code, or a readable error listing the deployed ones. */
export function tokenFor(contracts: TradelineContracts, currency: string): SettlementToken {
  const token = contracts.tokens[currency.trim().toUpperCase()];
  if (token === undefined) {
    throw new Error(`no settlement token for "${currency}": deployed are ${Object.keys(contracts.tokens).join(", ")}`);
  }
  return token;
}

/** The deployment's settlement token at `address`, with its currency code and decimals, or a readable error. */
export async function tokenAt(
  contracts: TradelineContracts,
  address: string,
): Promise<{ code: string; token: SettlementToken; decimals: number }> {
  for (const [code, token] of Object.entries(contracts.tokens)) {
    if ((await token.getAddress()) === getAddress(address)) {
      return { code, token, decimals: Number(await token.decimals()) };
    }
  }
  throw new Error(`token ${address} is not one of this deployment's settlement tokens`);
}
