/**
 * Gas measured, not guessed: the gas of a mined transaction, its storage writes read off `debug_traceTransaction`,
 * and the brief's floor:
 *
 *   21,000 + calldata (16 per non-zero byte, 4 per zero byte) + 22,100 per new slot + 5,000 per updated slot
 *   + logs (375 + 375 per topic + 8 per data byte)
 *
 * A module's report to the credit registry is a call inside the module's transaction: `measureCallsTo` measures each
 * call frame into one contract (its own execution gas, storage writes and logs) from a trace with the stack, and its
 * floor is that of the frame alone (22,100 per new slot + 5,000 per updated slot + logs: no intrinsic or calldata).
 */
import type { EthereumProvider } from "hardhat/types/providers";
import { getBytes, type TransactionReceipt, type TransactionResponse } from "ethers";

export interface GasRow {
  operation: string;
  /** Set for a call inside a transaction (the frame measured): what transaction it was measured in. */
  within?: string;
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

/** One step of `debug_traceTransaction`'s struct logs (stack and memory when asked for). */
export interface StructLog {
  pc: number;
  op: string;
  gas: number;
  gasCost: number;
  depth: number;
  stack?: string[];
  /** 32-byte words, with `enableMemory`. */
  memory?: string[];
  /** The refund counter (EIP-3529) at this step. */
  refund?: number;
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

/** One call frame into a contract, measured inside its transaction. */
export interface CallFigures extends GasFigures {
  /** The 4-byte selector is not in a struct log; the frame's order among the calls to the target is. */
  index: number;
}

/**
 * Each CALL from any depth into `target` in mined transaction `hash`: the callee's execution gas (gas handed to the
 * frame less gas left at its last step; the caller's access and memory costs are not in it), the slots it wrote
 * (any depth below it) and its logs. STATICCALLs are skipped (they write nothing).
 */
export async function measureCallsTo(provider: EthereumProvider, hash: string, target: string): Promise<CallFigures[]> {
  const trace = (await provider.request({
    method: "debug_traceTransaction",
    params: [hash, { disableMemory: true, disableStack: false, disableStorage: true }],
  })) as { structLogs: StructLog[] };
  const logs = trace.structLogs;
  const want = BigInt(target);
  const frames: CallFigures[] = [];
  for (let i = 0; i < logs.length - 1; i++) {
    const call = logs[i];
    if (call.op !== "CALL" || call.stack === undefined) continue;
    if (BigInt(call.stack[call.stack.length - 2]) !== want) continue;
    const depth = call.depth;
    if (logs[i + 1].depth !== depth + 1) continue; // no code ran (precompile or empty account)
    const gasIn = logs[i + 1].gas;
    let j = i + 1;
    const inside: StructLog[] = [];
    let logGas = 0;
    while (j < logs.length && logs[j].depth > depth) {
      const step = logs[j];
      inside.push(step);
      const m = /^LOG([0-4])$/.exec(step.op);
      if (m !== null && step.depth === depth + 1 && step.stack !== undefined) {
        const size = Number(BigInt(step.stack[step.stack.length - 2]));
        logGas += 375 + 375 * Number(m[1]) + 8 * size;
      }
      j++;
    }
    const last = logs[j - 1];
    const gas = gasIn - (last.gas - last.gasCost);
    const { newSlots, updatedSlots } = countSlotWrites(inside);
    frames.push({
      index: frames.length,
      gas,
      newSlots,
      updatedSlots,
      floor: 22_100 * newSlots + 5_000 * updatedSlots + logGas,
    });
    i = j - 1;
  }
  return frames;
}

/** A results row, with the ratio to the floor rounded to three decimals. */
export function toRow(operation: string, f: GasFigures, within?: string): GasRow {
  const { gas, newSlots, updatedSlots, floor } = f;
  const row: GasRow = { operation, gas, newSlots, updatedSlots, floor, ratio: Math.round((gas / floor) * 1000) / 1000 };
  return within === undefined ? row : { operation, within, gas, newSlots, updatedSlots, floor, ratio: row.ratio };
}
