/** Transaction helpers the module clients share. */
import type { ContractTransactionReceipt } from "ethers";

/** Waits for a sent transaction and returns its receipt; throws when the node returns none. */
export async function mined(tx: {
  wait(): Promise<ContractTransactionReceipt | null>;
}): Promise<ContractTransactionReceipt> {
  const receipt = await tx.wait();
  if (receipt === null) throw new Error("transaction was not mined");
  return receipt;
}
