/**
 * Turns a revert into a readable message: the project's custom errors (with enum values, codes and ids decoded),
 * OpenZeppelin's errors, `Error(string)` and panics.
 */
import { AbiCoder, Interface, dataSlice, isHexString, type InterfaceAbi } from "ethers";

import {
  ConsentBook__factory,
  CreditRegistryCold__factory,
  CreditRegistry__factory,
  CreditScore__factory,
  MemberRegistry__factory,
  ReceivableLedger__factory,
  SettlementToken__factory,
  TradeSettlement__factory,
} from "../typechain-types/index.js";

import {
  CONSENT_PURPOSES,
  LOAN_STATUSES,
  POLICY_LIMITS,
  POLICY_MODES,
  PRODUCT_KINDS,
  SCORE_ATTRIBUTES,
} from "./credit.js";
import { decodeCode } from "./encoding.js";
import { MEMBER_STATUSES, ROLES } from "./members.js";
import { FAMILY_STATES, PIECE_STATES, formatReceivable, statesOfBitmap } from "./scf.js";
import { EVIDENCE_KINDS, ORDER_STATES } from "./trade.js";

/** A decoded revert. */
export interface DecodedError {
  /** The error's name, e.g. `MemberNotActive`, `Error` or `Panic`. */
  name: string;
  /** Each argument, named and already rendered for humans. */
  args: Record<string, string>;
  /** One line, e.g. `MemberNotActive(account=0x…, id=3, status=Suspended)`. */
  message: string;
}

interface AbiInput {
  name: string;
  type: string;
  internalType?: string;
}

/** Enums the contracts use in errors, by their ABI `internalType`. */
const ENUMS: Record<string, readonly string[]> = {
  "enum MemberStatus": MEMBER_STATUSES,
  "enum Role": ROLES,
  "enum ProductKind": PRODUCT_KINDS,
  "enum LoanStatus": LOAN_STATUSES,
  "enum PolicyMode": POLICY_MODES,
  "enum PolicyLimit": POLICY_LIMITS,
  "enum ConsentPurpose": CONSENT_PURPOSES,
  "enum ICreditScore.Attribute": SCORE_ATTRIBUTES,
  "enum FamilyState": FAMILY_STATES,
  "enum PieceState": PIECE_STATES,
  "enum OrderState": ORDER_STATES,
  "enum EvidenceKind": EVIDENCE_KINDS,
};

const PANICS: Record<number, string> = {
  0x01: "assertion failed",
  0x11: "arithmetic overflow or underflow",
  0x12: "division by zero",
  0x21: "invalid enum value",
  0x31: "pop on empty array",
  0x32: "array index out of bounds",
  0x41: "out of memory",
};

/** The ABIs of Tradeline's own contracts, whose errors (with those they inherit) decode from the start. */
export const KNOWN_ABIS: readonly InterfaceAbi[] = [
  MemberRegistry__factory.abi,
  SettlementToken__factory.abi,
  CreditRegistry__factory.abi,
  // The registry's less frequent operations (governor, disputes, ageing) run in it and raise its errors.
  CreditRegistryCold__factory.abi,
  ConsentBook__factory.abi,
  CreditScore__factory.abi,
  ReceivableLedger__factory.abi,
  TradeSettlement__factory.abi,
];

const errorInputs = new Map<string, AbiInput[]>();
let iface = new Interface([]);
registerAbis(KNOWN_ABIS);

/**
 * Adds the errors of contracts outside Tradeline's deployment (e.g. an integrator's own wrapper), so that their
 * reverts decode too. Tradeline's own contracts are registered once, when this module loads (`KNOWN_ABIS`).
 */
export function registerAbis(abis: readonly InterfaceAbi[]): void {
  const fragments = new Map<string, unknown>();
  for (const f of iface.fragments) fragments.set(f.format("sighash"), JSON.parse(f.format("json")));
  for (const abi of abis) {
    for (const item of abi as readonly { type: string; name?: string; inputs?: AbiInput[] }[]) {
      if (item.type !== "error" || item.name === undefined) continue;
      const inputs = item.inputs ?? [];
      errorInputs.set(item.name, inputs);
      fragments.set(`${item.name}(${inputs.map((i) => i.type).join(",")})`, item);
    }
  }
  iface = new Interface([...fragments.values()] as InterfaceAbi);
}

function render(value: unknown, input: AbiInput): string {
  const enumNames = input.internalType === undefined ? undefined : ENUMS[input.internalType];
  if (enumNames !== undefined) return enumNames[Number(value)] ?? String(value);
  if (input.internalType === "ReceivableId") return formatReceivable(BigInt(value as bigint));
  if ((input.type === "bytes2" || input.type === "bytes3") && typeof value === "string") {
    const letters = decodeCode(value);
    return /^[A-Z]+$/.test(letters) ? letters : value;
  }
  if (input.type === "bytes" && typeof value === "string" && value.length >= 10) {
    // A wrapped revert, e.g. the reason of a batch record: render the inner error too.
    return decodeRevertData(value)?.message ?? value;
  }
  return String(value);
}

/** Finds the revert data inside whatever an ethers or Hardhat call threw. */
export function revertData(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  const walk = (e: unknown): string | undefined => {
    if (e === null || typeof e !== "object" || seen.has(e)) return undefined;
    seen.add(e);
    const o = e as Record<string, unknown>;
    if (typeof o.data === "string" && isHexString(o.data) && o.data.length >= 10) return o.data;
    for (const k of ["data", "error", "info", "cause", "revert"]) {
      const found = walk(o[k]);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return walk(err);
}

/** Decodes raw revert data; undefined when the selector is unknown. */
export function decodeRevertData(data: string): DecodedError | undefined {
  const selector = dataSlice(data, 0, 4);
  if (selector === "0x08c379a0") {
    const [reason] = AbiCoder.defaultAbiCoder().decode(["string"], dataSlice(data, 4));
    return { name: "Error", args: { reason: String(reason) }, message: `Error: ${String(reason)}` };
  }
  if (selector === "0x4e487b71") {
    const [code] = AbiCoder.defaultAbiCoder().decode(["uint256"], dataSlice(data, 4));
    const text = PANICS[Number(code)] ?? "unknown panic";
    return { name: "Panic", args: { code: String(code) }, message: `Panic(0x${Number(code).toString(16)}): ${text}` };
  }
  const parsed = iface.parseError(data);
  if (parsed === null) return undefined;
  const inputs = errorInputs.get(parsed.name) ?? [];
  const args: Record<string, string> = {};
  inputs.forEach((input, i) => {
    args[input.name || `arg${i}`] = render(parsed.args[i], input);
  });
  // A Governor-style state error (`XUnexpectedState(id, current, expectedStates)`): the bitmap names its states in
  // the enum of `current`, e.g. `expectedStates=Confirmed|Overdue|Defaulted`.
  const current = inputs.find((input) => input.name === "current");
  const states = current?.internalType === undefined ? undefined : ENUMS[current.internalType];
  const at = inputs.findIndex((input) => input.name === "expectedStates");
  if (states !== undefined && at >= 0)
    args.expectedStates = statesOfBitmap(parsed.args[at] as string, states).join("|");
  return { name: parsed.name, args, message: callText(parsed.name, args) };
}

function callText(name: string, args: Record<string, string>): string {
  const list = Object.entries(args)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
  return `${name}(${list})`;
}

/**
 * The decoded revert with the values of the arguments named in `names` replaced by "withheld", in its args and its
 * message: for an answer that goes to someone the value is not for (a consent's borrower key, shown to a desk that
 * named another borrower).
 */
export function withholdArgs(decoded: DecodedError, names: ReadonlySet<string>): DecodedError {
  if (!Object.keys(decoded.args).some((k) => names.has(k))) return decoded;
  const args = Object.fromEntries(Object.entries(decoded.args).map(([k, v]) => [k, names.has(k) ? "withheld" : v]));
  return { name: decoded.name, args, message: callText(decoded.name, args) };
}

/** Decodes whatever a failed call threw; undefined when it carries no known revert. */
export function decodeError(err: unknown): DecodedError | undefined {
  const data = revertData(err);
  return data === undefined ? undefined : decodeRevertData(data);
}

/** One readable line for any error: the decoded revert when there is one, else the error's own short message. */
export function describeError(err: unknown): string {
  const decoded = decodeError(err);
  if (decoded !== undefined) return `reverted: ${decoded.message}`;
  if (err instanceof Error) {
    const short = (err as { shortMessage?: string }).shortMessage;
    return short ?? err.message;
  }
  return String(err);
}
