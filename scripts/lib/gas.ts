/**
 * Gas measured, not guessed: the gas of a mined transaction, its storage writes read off `debug_traceTransaction`,
 * and the brief's floor:
 *
 *   21,000 + calldata (16 per non-zero byte, 4 per zero byte) + 22,100 per new slot + 5,000 per updated slot
 *   + logs (375 + 375 per topic + 8 per data byte)
 */
import type { EthereumProvider } from "hardhat/types/providers";
import { getBytes, type TransactionReceipt, type TransactionResponse } from "ethers";

export interface GasRow {
  operation: string;
  gas: number;
  newSlots: number;
  updatedSlots: number;
  floor: number;
  ratio: number;
}

/** What one or more transactions wrote and cost. */
export interface GasFigures {
  gas: number;
  newSlots: number;
  updatedSlots: number;
  floor: number;
}

interface StructLog {
  op: string;
  gasCost: number;
}

/** Classifies each SSTORE by its cost: 22,100/20,000 a new slot, 5,000/2,900 an update, 100/2,200 a no-op. */
export function countSlotWrites(structLogs: readonly StructLog[]): { newSlots: number; updatedSlots: number } {
  let newSlots = 0;
  let updatedSlots = 0;
  for (const step of structLogs) {
    if (step.op !== "SSTORE") continue;
    if (step.gasCost === 22_100 || step.gasCost === 20_000) newSlots++;
    else if (step.gasCost === 5_000 || step.gasCost === 2_900) updatedSlots++;
  }
  return { newSlots, updatedSlots };
}

/** Calldata cost: 16 per non-zero byte, 4 per zero byte. */
export function calldataGas(data: string): number {
  return getBytes(data).reduce((sum, b) => sum + (b === 0 ? 4 : 16), 0);
}

/** Log cost: 375 + 375 per topic + 8 per data byte, for each log. */
export function logsGas(receipt: TransactionReceipt): number {
  return receipt.logs.reduce((sum, log) => sum + 375 + 375 * log.topics.length + 8 * getBytes(log.data).length, 0);
}

/** Measures one mined transaction. */
export async function measureTx(provider: EthereumProvider, tx: TransactionResponse): Promise<GasFigures> {
  const receipt = await tx.wait();
  if (receipt === null) throw new Error(`transaction ${tx.hash} was not mined`);
  const trace = (await provider.request({
    method: "debug_traceTransaction",
    params: [tx.hash, { disableMemory: true, disableStack: true, disableStorage: true }],
  })) as { structLogs: StructLog[] };
  const { newSlots, updatedSlots } = countSlotWrites(trace.structLogs);
  const floor = 21_000 + calldataGas(tx.data) + 22_100 * newSlots + 5_000 * updatedSlots + logsGas(receipt);
  return { gas: Number(receipt.gasUsed), newSlots, updatedSlots, floor };
}

/** Sums the figures of several transactions (a flow). */
export function sumFigures(parts: readonly GasFigures[]): GasFigures {
  return parts.reduce(
    (a, b) => ({
      gas: a.gas + b.gas,
      newSlots: a.newSlots + b.newSlots,
      updatedSlots: a.updatedSlots + b.updatedSlots,
      floor: a.floor + b.floor,
    }),
    { gas: 0, newSlots: 0, updatedSlots: 0, floor: 0 },
  );
}

/** A results row, with the ratio to the floor rounded to three decimals. */
export function toRow(operation: string, f: GasFigures): GasRow {
  return { operation, ...f, ratio: Math.round((f.gas / f.floor) * 1000) / 1000 };
}
