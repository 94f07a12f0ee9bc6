/**
 * What a transaction pays beyond the brief's floor, item by item, named from its trace: the floor counts the
 * intrinsic gas, the slots written and the logs, so everything else is one of
 *
 * - a cold account: the first touch of another contract (2,600);
 * - a cold read of a slot the transaction does not then write (2,100; a slot it writes has its read in the floor's
 *   5,000 or 22,100), named by contract and variable, with the mapping keys that reach it;
 * - a cold rewrite of a slot with the value it holds (2,200: the floor counts no such write);
 * - a precompile: `ecrecover` (3,000);
 * - a call that only a warm account's cost (100, EIP-2929) can reach: each call to a precompile (always warm), and
 *   the first call from one contract to another already touched in the transaction, when that call reads or writes
 *   a slot the floor or a named read counts. Reaching another contract's storage takes a call, and a warm one costs
 *   100 beyond the opcodes of its callee; a second call between the same two contracts could have been folded into
 *   the first, so it is not named;
 * - execution: everything left (opcodes, memory, hashing, the calls' own cost). Of it, `dispatch` is what each
 *   call frame spends matching its function selector: solc's IR pipeline compares the selector with each of the
 *   contract's selectors in turn, in ascending order (22 gas per comparison; solc issue 12688), so a function late in
 *   that order pays up to about 1,000 gas in a contract of 50 functions before its first line runs.
 *
 * So gas = floor + named + execution - refund, the refund being what clearing slots earns back (EIP-3529).
 *
 * The floor plus the named items, less the accounts of code split off only to stay under EIP-170 (the cold parts,
 * `TradeChecks`) and less the refund, is the row's *bound*: the least gas any implementation of these reads and
 * writes could use, before it executes a single opcode. A target below the bound cannot be met without reading less.
 *
 * Slots are named from solc's storage layout and from the KECCAK256 preimages in the trace's memory, so
 * `MemberRegistry._members[7].status` is the member record's slot that holds the status, of member 7. This is what
 * a closing note needs when a row stays above 1.3x its floor: the reads that keep it there, with their gas, from a
 * trace and not from a guess (issue 15).
 */
import type { EthereumProvider } from "hardhat/types/providers";

import type { StructLog as Step } from "./gas.js";
import type { StorageEntry, StorageLayout } from "./layout.js";

export interface BeyondItem {
  kind: "account" | "read" | "rewrite" | "ecrecover" | "call";
  /** The contract touched or read (its name in the world), or the precompile. */
  contract: string;
  /** For a read: the variable, its keys and the struct member(s) the slot holds; for a call: its caller. */
  what: string;
  gas: number;
}

export interface BeyondFloor {
  gas: number;
  floor: number;
  items: BeyondItem[];
  /** The named items' gas. */
  named: number;
  /** The refund the transaction earned (a slot cleared: 4,800), capped at a fifth of its gas (EIP-3529). */
  refund: number;
  /** gas + refund - floor - named: opcodes, memory, hashing and call overhead. */
  execution: number;
  /** Of `execution`: the frames' selector matching, up to the jump into the function or into the fallback. */
  dispatch: number;
  /** The named accounts of code split off under EIP-170 (in `named`). */
  split: number;
  /** floor + named - split - refund: the least gas these reads and writes allow, before any execution. */
  bound: number;
}

/** A contract in the world: its display name and, when it holds storage, the layout that names its slots. */
export interface KnownContract {
  name: string;
  layout?: StorageLayout;
  /** Code split off its contract only to stay under EIP-170 (a cold part, `TradeChecks`). */
  split?: boolean;
}

const COLD_ACCOUNT = 2_600;
const COLD_SLOAD = 2_100;
const WARM_CALL = 100;
/** An SSTORE's cost when the floor counts the write: a new slot (22,100/20,000) or an update (5,000/2,900). */
const FLOOR_WRITES = [22_100, 20_000, 5_000, 2_900];
const ECRECOVER = 1n;
const PRECOMPILES = new Set(Array.from({ length: 10 }, (_, i) => BigInt(i + 1)));
/**
 * Where code instrumented for `hardhat test --coverage` reports each line it runs (EDR's `coverage.sol`): not part of
 * any contract's cost, so never an item (the test command runs the itemiser's tests under coverage).
 */
const COVERAGE_PROBE = BigInt("0xc0bEc0BEc0BeC0bEC0beC0bEC0bEC0beC0beC0BE");

/** What a dispatcher runs between comparisons: stack shuffles, constants, the comparison and its jump. */
const DISPATCH_OPS = /^(DUP\d+|SWAP\d+|PUSH\d*|POP|EQ|LT|GT|JUMPI)$/;

/**
 * Measures each call frame's selector dispatch: the steps from the frame's first one, through the selector's load
 * (`SHR`), to the jump into the function (a JUMPI taken) or the first step that is not a comparison (the fallback).
 * A frame whose first steps load no selector (no calldata, a precompile) counts nothing.
 */
class DispatchMeter {
  private depth = 0;
  private gas = 0;
  private selected = false;
  private open = false;
  total = 0;

  step(s: Step, next: Step | undefined, enteredFrame: boolean): void {
    if (enteredFrame) [this.depth, this.gas, this.selected, this.open] = [s.depth, 0, false, true];
    if (!this.open || s.depth !== this.depth) return;
    if (!this.selected) {
      this.gas += s.gasCost;
      if (s.op === "SHR") this.selected = true;
      else if (this.gas > 100 || /^(CALL|STATICCALL|DELEGATECALL|RETURN|STOP|REVERT)$/.test(s.op)) this.open = false;
      return;
    }
    if (!DISPATCH_OPS.test(s.op)) return this.close();
    this.gas += s.gasCost;
    if (s.op === "JUMPI" && next !== undefined && next.depth === s.depth && next.pc !== s.pc + 1) this.close();
  }

  private close(): void {
    this.total += this.gas;
    this.open = false;
  }
}

const top = (s: Step, n = 0): bigint => BigInt(s.stack![s.stack!.length - 1 - n]);
const hex40 = (a: bigint) => `0x${a.toString(16).padStart(40, "0")}`;

/** Bytes `[offset, offset + size)` of a step's memory (32-byte words), as hex without 0x. */
function memorySlice(memory: readonly string[], offset: number, size: number): string {
  const all = memory.map((w) => w.replace(/^0x/, "")).join("");
  return all.slice(offset * 2, (offset + size) * 2).padEnd(size * 2, "0");
}

/** Names slots of one contract from its layout and the transaction's KECCAK256 preimages. */
export class SlotNamer {
  constructor(
    private readonly layout: StorageLayout,
    private readonly preimages: Map<bigint, string>,
  ) {}

  private key(word: string, type: string): string {
    const v = BigInt(`0x${word}`);
    if (type.startsWith("t_address") || type.startsWith("t_contract")) return `${hex40(v).slice(0, 10)}…`;
    if (/^t_(u?int|userDefinedValueType|enum|bool)/.test(type) && v < 1n << 64n) return v.toString();
    return `0x${word.slice(0, 8)}…`;
  }

  /**
   * Slot `k` of struct `name`: the members stored there (`name.a/b`), or the member that spans it from an earlier
   * slot (`name.a+2`, a fixed array or a nested struct), or `name+k`.
   */
  private member(name: string, type: string, members: readonly StorageEntry[], k: bigint) {
    const types = this.layout.types ?? {};
    const inSlot = members.filter((m) => BigInt(m.slot) === k);
    if (inSlot.length > 0) return { name: `${name}.${inSlot.map((m) => m.label).join("/")}`, type: inSlot[0].type };
    const spanning = members.find((m) => {
      const start = BigInt(m.slot);
      return start < k && k < start + BigInt(types[m.type]?.numberOfBytes ?? "32") / 32n;
    });
    if (spanning === undefined) return { name: `${name}+${k}`, type };
    return { name: `${name}.${spanning.label}+${k - BigInt(spanning.slot)}`, type: spanning.type };
  }

  /** The name and type of `slot`, or undefined when no variable of the layout reaches it. */
  describe(slot: bigint, depth = 0): { name: string; type: string } | undefined {
    const types = this.layout.types ?? {};
    if (slot < 1n << 32n) {
      const entries = this.layout.storage.filter((e) => BigInt(e.slot) === slot);
      if (entries.length > 0) return { name: entries.map((e) => e.label).join("/"), type: entries[0].type };
      // A slot inside a struct variable that takes several: the variable and the members of that slot.
      const within = this.layout.storage.filter((e) => {
        const start = BigInt(e.slot);
        return start < slot && slot < start + BigInt(types[e.type]?.numberOfBytes ?? "32") / 32n;
      });
      const members = within.length === 1 ? types[within[0].type]?.members : undefined;
      if (members === undefined) return undefined;
      const k = slot - BigInt(within[0].slot);
      return this.member(within[0].label, within[0].type, members, k);
    }
    if (depth > 4) return undefined;
    for (let k = 0n; k < 16n; k++) {
      const pre = this.preimages.get(slot - k);
      if (pre === undefined) continue;
      let name: string;
      let valueType: string;
      if (pre.length === 128) {
        const base = this.describe(BigInt(`0x${pre.slice(64)}`), depth + 1);
        const t = base && types[base.type];
        if (base === undefined || t === undefined || t.encoding !== "mapping") continue;
        const keyType = /^t_mapping\((.+?),/.exec(base.type)?.[1] ?? "";
        name = `${base.name}[${this.key(pre.slice(0, 64), keyType)}]`;
        valueType = t.value ?? "";
      } else if (pre.length === 64) {
        const base = this.describe(BigInt(`0x${pre}`), depth + 1);
        const t = base && types[base.type];
        if (base === undefined || t === undefined || t.encoding !== "dynamic_array") continue;
        name = `${base.name}[]`;
        valueType = t.base ?? "";
      } else continue;
      const members = types[valueType]?.members;
      if (members === undefined) return { name: k === 0n ? name : `${name}+${k}`, type: valueType };
      return this.member(name, valueType, members, k);
    }
    return undefined;
  }
}

/**
 * The items beyond the floor of mined transaction `hash` (sent by `from` to `to`), whose floor the bench measured as
 * `floor` and which used `gas`. `known` names the world's contracts by address (lower case).
 */
export async function beyondFloor(
  provider: EthereumProvider,
  tx: { hash: string; from: string; to: string | null },
  gas: number,
  floor: number,
  known: Map<string, KnownContract>,
): Promise<BeyondFloor> {
  const { structLogs } = (await provider.request({
    method: "debug_traceTransaction",
    params: [tx.hash, { enableMemory: true, disableStack: false, disableStorage: true }],
  })) as { structLogs: Step[] };
  const to = BigInt(tx.to ?? 0);
  let warm = new Set<bigint>([BigInt(tx.from), to, COVERAGE_PROBE, ...PRECOMPILES]);
  // A frame that reverts takes back the accounts it warmed (EIP-2929): the set as each open frame found it.
  const warmAtEntry: Set<bigint>[] = [];
  const nameOf = (a: bigint) => known.get(hex40(a))?.name ?? hex40(a);
  const items: BeyondItem[] = [];
  const preimages = new Map<bigint, string>();
  /** Cold reads, by contract and slot, until the end shows whether the transaction wrote the slot. */
  const coldReads: { storage: bigint; slot: bigint; kind: "read" | "rewrite"; gas: number }[] = [];
  const written = new Set<string>();
  // The storage each depth runs on: a DELEGATECALL runs the callee's code on the caller's storage.
  const storageAt: bigint[] = [to];
  // Whose call each depth is: the contract on whose behalf it runs (a DELEGATECALL's and split-off code's calls are
  // their caller's), and the warm call that entered it, named once it reads or writes a slot the bound counts.
  const principalAt: bigint[] = [to];
  const pendingAt: ({ pair: string; caller: bigint; callee: bigint } | undefined)[] = [undefined];
  /** Caller-callee pairs already reached: by a cold call (its account) or a named warm call. */
  const reached = new Set<string>();
  const isSplit = (a: bigint) => known.get(hex40(a))?.split === true;
  const dispatch = new DispatchMeter();
  for (let i = 0; i < structLogs.length; i++) {
    const s = structLogs[i];
    const previous = structLogs[i - 1];
    dispatch.step(s, structLogs[i + 1], previous === undefined || s.depth > previous.depth);
    if (previous !== undefined && s.depth < previous.depth) {
      const entered = warmAtEntry[s.depth];
      if (!["RETURN", "STOP", "SELFDESTRUCT"].includes(previous.op) && entered !== undefined) warm = entered;
    }
    warmAtEntry.length = s.depth;
    storageAt.length = s.depth;
    principalAt.length = s.depth;
    pendingAt.length = s.depth;
    const storage = storageAt[s.depth - 1];
    const principal = principalAt[s.depth - 1];
    if (s.stack === undefined) continue;
    if (/^(CALL|STATICCALL|DELEGATECALL|CALLCODE)$/.test(s.op)) {
      const target = top(s, 1);
      const delegated = s.op === "DELEGATECALL" || s.op === "CALLCODE";
      const pair = `${principal}>${target}`;
      let pending: (typeof pendingAt)[number] = delegated ? pendingAt[s.depth - 1] : undefined;
      if (target === ECRECOVER) {
        items.push({ kind: "ecrecover", contract: "ecrecover", what: "", gas: 3_000 });
        items.push({ kind: "call", contract: "ecrecover", what: `from ${nameOf(principal)}`, gas: WARM_CALL });
      } else if (!warm.has(target)) {
        warm.add(target);
        reached.add(pair);
        items.push({ kind: "account", contract: nameOf(target), what: "", gas: COLD_ACCOUNT });
      } else if (!delegated && target !== principal && !isSplit(target) && !reached.has(pair)) {
        pending = { pair, caller: principal, callee: target };
      }
      if (structLogs[i + 1]?.depth === s.depth + 1) {
        storageAt[s.depth] = delegated ? storage : target;
        principalAt[s.depth] = delegated || isSplit(target) ? principal : target;
        pendingAt[s.depth] = pending;
        warmAtEntry[s.depth] = new Set(warm);
      }
    } else if (/^(EXTCODESIZE|EXTCODEHASH|EXTCODECOPY|BALANCE)$/.test(s.op)) {
      const target = top(s);
      if (!warm.has(target)) {
        warm.add(target);
        // solc's check that a callee has code, before its call: the account is paid here, and the call is warm.
        reached.add(`${principal}>${target}`);
        items.push({ kind: "account", contract: nameOf(target), what: "", gas: COLD_ACCOUNT });
      }
    } else if (s.op === "KECCAK256" && s.memory !== undefined) {
      const next = structLogs[i + 1];
      if (next?.stack !== undefined) {
        preimages.set(top(next), memorySlice(s.memory, Number(top(s)), Number(top(s, 1))));
      }
    } else if (s.op === "SLOAD" || s.op === "SSTORE") {
      const floorWrite = s.op === "SSTORE" && FLOOR_WRITES.includes(s.gasCost);
      // The floor counts a new slot and an update; a cold read, or a cold rewrite of the value a slot holds, is named.
      if (floorWrite) written.add(`${storage}:${top(s)}`);
      else if (s.gasCost >= COLD_SLOAD) {
        const kind = s.op === "SLOAD" ? "read" : "rewrite";
        coldReads.push({ storage, slot: top(s), kind, gas: kind === "read" ? COLD_SLOAD : s.gasCost });
      }
      const pending = pendingAt[s.depth - 1];
      if ((floorWrite || s.gasCost >= COLD_SLOAD) && pending !== undefined && !reached.has(pending.pair)) {
        reached.add(pending.pair);
        const caller = `from ${nameOf(pending.caller)}`;
        items.push({ kind: "call", contract: nameOf(pending.callee), what: caller, gas: WARM_CALL });
      }
    }
  }
  const namers = new Map<bigint, SlotNamer | undefined>();
  for (const r of coldReads) {
    if (written.has(`${r.storage}:${r.slot}`)) continue;
    const c = known.get(hex40(r.storage));
    if (!namers.has(r.storage)) namers.set(r.storage, c?.layout && new SlotNamer(c.layout, preimages));
    const what = namers.get(r.storage)?.describe(r.slot)?.name ?? `slot 0x${r.slot.toString(16).slice(0, 8)}…`;
    items.push({ kind: r.kind, contract: c?.name ?? hex40(r.storage), what, gas: r.gas });
  }
  const named = items.reduce((sum, it) => sum + it.gas, 0);
  const splitNames = new Set([...known.values()].filter((c) => c.split === true).map((c) => c.name));
  const split = items
    .filter((it) => it.kind === "account" && splitNames.has(it.contract))
    .reduce((sum, it) => sum + it.gas, 0);
  // gasUsed is the gas spent less the refund, which is capped at a fifth of the gas spent (EIP-3529).
  const counter = structLogs.at(-1)?.refund ?? 0;
  const refund = 4 * counter <= gas ? counter : Math.floor(gas / 4);
  return {
    gas,
    floor,
    items,
    named,
    refund,
    execution: gas + refund - floor - named,
    dispatch: dispatch.total,
    split,
    bound: floor + named - split - refund,
  };
}

/** One item as one line: kind, gas, contract and what (`read 2100 MemberRegistry _payoutTo[9]`). */
export function formatItem(it: BeyondItem): string {
  return `${it.kind.padEnd(9)} ${String(it.gas).padStart(5)}  ${it.contract}${it.what ? ` ${it.what}` : ""}`;
}

/** A heading line and one line per item, for the bench's output and the notes. */
export function formatBeyondFloor(label: string, b: BeyondFloor): string[] {
  return [
    `${label}: gas ${b.gas} = floor ${b.floor} + named ${b.named} + execution ${b.execution}` +
      ` (dispatch ${b.dispatch})` +
      (b.refund === 0 ? ";" : ` - refund ${b.refund};`) +
      ` bound ${b.bound} = ${(b.bound / b.floor).toFixed(3)}x the floor` +
      (b.split === 0 ? "" : ` (the named less ${b.split} of split-off code's accounts)`),
    ...b.items.map((it) => `  ${formatItem(it)}`),
  ];
}
