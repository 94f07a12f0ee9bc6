/** Transaction helpers the module clients share. */
import type { ContractRunner, ContractTransactionReceipt, Interface } from "ethers";

import type { SettlementToken } from "../typechain-types/index.js";

/** Waits for a sent transaction and returns its receipt; throws when the node returns none. */
export async function mined(tx: {
  wait(): Promise<ContractTransactionReceipt | null>;
}): Promise<ContractTransactionReceipt> {
  const receipt = await tx.wait();
  if (receipt === null) throw new Error("transaction was not mined");
  return receipt;
}

/** The timestamp of the latest block (Unix seconds), or the local clock when the runner has no provider. */
export async function chainTime(runner: ContractRunner | null): Promise<bigint> {
  const latest = await runner?.provider?.getBlock("latest");
  return BigInt(latest?.timestamp ?? Math.floor(Date.now() / 1000));
}

/** Argument `arg` of the first `event` a contract emitted in `receipt`; throws when it emitted none. */
export function eventArg<T>(
  contract: { interface: Interface },
  receipt: ContractTransactionReceipt,
  event: string,
  arg: string,
): T {
  for (const log of receipt.logs) {
    const parsed = contract.interface.parseLog(log);
    if (parsed?.name === event) return parsed.args[arg] as T;
  }
  throw new Error(`the transaction emitted no ${event}`);
}

const raising = new Map<string, Promise<unknown>>();

/**
 * Raises `spender`'s allowance from `owner` by `by` (for one more use beside those it already covers, e.g. a second
 * open quote). The allowance is read and the approval sent under one lock per token, owner and spender in this
 * process, so two raises at once add up. The token must be connected to the owner's signer.
 */
export async function raiseAllowance(
  token: SettlementToken,
  owner: string,
  spender: string,
  by: bigint,
): Promise<ContractTransactionReceipt> {
  const lock = `${await token.getAddress()}:${owner}:${spender}`.toLowerCase();
  const raise = (raising.get(lock) ?? Promise.resolve()).then(async () =>
    mined(await token.approve(spender, (await token.allowance(owner, spender)) + by)),
  );
  raising.set(
    lock,
    raise.catch(() => undefined),
  );
  return raise;
}

/**
 * Approves `spender` to draw `amount` of `token` from `owner` when the allowance falls short; returns the approval's
 * receipt, or undefined when none was needed. The token must be connected to the owner's signer.
 */
export async function ensureAllowance(
  token: SettlementToken,
  owner: string,
  spender: string,
  amount: bigint,
): Promise<ContractTransactionReceipt | undefined> {
  if ((await token.allowance(owner, spender)) >= amount) return undefined;
  return mined(await token.approve(spender, amount));
}
