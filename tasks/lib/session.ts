/**
 * What every task shares: connect to the selected network, load the deployment record, pick the signer, and turn
 * any failure into one readable line (a decoded revert when there is one) with a non-zero exit code.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { configVariable } from "hardhat/config";

import { connect, deploymentPath, loadDeployment, type TradelineContracts } from "../../src/deployment.js";
import { describeError } from "../../src/errors.js";
import type { ConsortiumKey } from "../../src/keys.js";
import { verifiedConsortiumKey } from "../../src/members.js";

/** The configuration variable holding the consortium's HMAC key. */
export const CONSORTIUM_KEY_VARIABLE = "TRADELINE_CONSORTIUM_KEY";

export interface Session {
  contracts: TradelineContracts;
  signer: HardhatEthersSigner;
  chainId: bigint;
  /**
   * The consortium key, read when first needed from the `TRADELINE_CONSORTIUM_KEY` configuration variable and
   * checked against the key-check value the deployment's member registry publishes.
   */
  consortiumKey: () => Promise<ConsortiumKey>;
}

/**
 * Reads a configuration variable the way Hardhat does: the environment first, then the configuration-variable
 * plugins (the keystore: `npx hardhat keystore set TRADELINE_CONSORTIUM_KEY`). Undefined when neither has it.
 */
export async function readConfigVariable(hre: HardhatRuntimeEnvironment, name: string): Promise<string | undefined> {
  return (await readConfigVariableWithSource(hre, name)).value;
}

/** `readConfigVariable`, with where the value came from ("NAME from the environment", "NAME from the keystore"). */
export async function readConfigVariableWithSource(
  hre: HardhatRuntimeEnvironment,
  name: string,
): Promise<{ value: string | undefined; source: string }> {
  const fromEnv = process.env[name];
  if (fromEnv !== undefined) return { value: fromEnv, source: `${name} from the environment` };
  const source = `${name} from the Hardhat keystore`;
  let value: string;
  try {
    value = await hre.hooks.runHandlerChain(
      "configurationVariables",
      "fetchValue",
      [configVariable(name)],
      async () => "",
    );
  } catch (err) {
    // A keystore that does not hold the key (HHE50002 from the development keystore) leaves the variable unset, as
    // no keystore does: an optional variable (the webhook key, the previous one) must not stop a task.
    if (err instanceof Error && /not found in the( development)? keystore/i.test(err.message)) {
      return { value: undefined, source };
    }
    throw err;
  }
  return { value: value === "" ? undefined : value, source };
}

/** Options every task accepts. */
export interface SessionArgs {
  deployment: string;
  from: string;
}

/** The signer `--from` names: an index or an address of the configured accounts; the first by default. */
export async function pickSigner(signers: HardhatEthersSigner[], from: string): Promise<HardhatEthersSigner> {
  if (signers.length === 0) throw new Error("this network has no accounts configured (see README: configuration)");
  if (from === "") return signers[0];
  if (/^\d+$/.test(from)) {
    const s = signers[Number(from)];
    if (s === undefined) throw new Error(`--from ${from}: only ${signers.length} accounts are configured`);
    return s;
  }
  const s = signers.find((x) => x.address.toLowerCase() === from.toLowerCase());
  if (s === undefined) throw new Error(`--from ${from}: not one of this network's configured accounts`);
  return s;
}

/** Prints the lines `body` returns, or one clear error line (a decoded revert when there is one) and exit code 1. */
export async function printOrFail(body: () => Promise<string[]>): Promise<void> {
  try {
    for (const line of await body()) console.log(line);
  } catch (err) {
    console.error(`error: ${describeError(err)}`);
    process.exitCode = 1;
  }
}

/** Runs a task body against the deployed network and prints its output, or one clear error line. */
export async function runInSession(
  hre: HardhatRuntimeEnvironment,
  args: SessionArgs,
  body: (session: Session) => Promise<string[]>,
): Promise<void> {
  await printOrFail(async () => {
    const connection = await hre.network.create();
    const { chainId } = await connection.ethers.provider.getNetwork();
    const file = args.deployment === "" ? deploymentPath(chainId, hre.config.paths.root) : args.deployment;
    const deployment = await loadDeployment(file);
    const signer = await pickSigner(await connection.ethers.getSigners(), args.from);
    const contracts = connect(deployment, signer);
    const consortiumKey = async () => {
      const { value, source } = await readConfigVariableWithSource(hre, CONSORTIUM_KEY_VARIABLE);
      return verifiedConsortiumKey(contracts.members, value, source);
    };
    return body({ contracts, signer, chainId, consortiumKey });
  });
}
