/**
 * Where a transaction's gas went, from `debug_traceTransaction`: the intrinsic cost (21,000 + calldata), cold and warm
 * storage reads, storage writes, logs, each call into another contract (its account access and the whole frame), and
 * the rest (execution). The bench prints it for the rows the issue asks to explain (`--profile`), so that a note's
 * "unavoidable reads" come from a trace, not from a guess.
 */
import type { EthereumProvider } from "hardhat/types/providers";

import { calldataGas, type StructLog as Step } from "./gas.js";

export interface GasProfile {
  total: number;
  intrinsic: number;
  coldReads: number;
  coldReadGas: number;
  warmReads: number;
  writes: number;
  writeGas: number;
  logGas: number;
  /** Calls into other contracts from the top frame: callee address, the frame's whole gas (access cost included). */
  calls: { to: string; gas: number }[];
  execution: number;
}

const COLD_SLOAD = 2_100;

/** The profile of mined transaction `hash`, whose calldata is `data` and which used `gasUsed`. */
export async function profileTx(
  provider: EthereumProvider,
  hash: string,
  data: string,
  gasUsed: number,
): Promise<GasProfile> {
  const { structLogs } = (await provider.request({
    method: "debug_traceTransaction",
    params: [hash, { disableMemory: true, disableStack: false, disableStorage: true }],
  })) as { structLogs: Step[] };
  const intrinsic = 21_000 + calldataGas(data);
  const p: GasProfile = {
    total: gasUsed,
    intrinsic,
    coldReads: 0,
    coldReadGas: 0,
    warmReads: 0,
    writes: 0,
    writeGas: 0,
    logGas: 0,
    calls: [],
    execution: 0,
  };
  let accounted = intrinsic;
  for (let i = 0; i < structLogs.length; i++) {
    const s = structLogs[i];
    if (s.depth === 1 && /CALL$/.test(s.op) && structLogs[i + 1]?.depth === 2) {
      // The frame: from this step's gas to the gas left when the caller resumes.
      let j = i + 1;
      while (j < structLogs.length && structLogs[j].depth > 1) j++;
      const gas = s.gas - (structLogs[j]?.gas ?? s.gas);
      const to =
        s.stack === undefined
          ? "?"
          : `0x${BigInt(s.stack[s.stack.length - 2])
              .toString(16)
              .padStart(40, "0")}`;
      p.calls.push({ to, gas });
      accounted += gas;
      i = j - 1;
      continue;
    }
    if (s.depth !== 1) continue;
    if (s.op === "SLOAD") {
      if (s.gasCost >= COLD_SLOAD) {
        p.coldReads += 1;
        p.coldReadGas += s.gasCost;
        accounted += s.gasCost;
      } else p.warmReads += 1;
    } else if (s.op === "SSTORE") {
      p.writes += 1;
      p.writeGas += s.gasCost;
      accounted += s.gasCost;
    } else if (s.op.startsWith("LOG")) {
      p.logGas += s.gasCost;
      accounted += s.gasCost;
    }
  }
  p.execution = gasUsed - accounted;
  return p;
}

/** One line per part, for the bench's `--profile` output and the notes. */
export function formatProfile(label: string, p: GasProfile, names: Record<string, string> = {}): string {
  const calls = p.calls.map((c) => `call ${names[c.to.toLowerCase()] ?? c.to} ${c.gas}`).join("; ");
  return (
    `${label}: total ${p.total} = intrinsic ${p.intrinsic} + ${p.coldReads} cold reads ${p.coldReadGas}` +
    ` + ${p.writes} writes ${p.writeGas} + logs ${p.logGas}${calls ? ` + ${calls}` : ""}` +
    ` + execution ${p.execution} (${p.warmReads} warm reads)`
  );
}
