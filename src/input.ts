/**
 * Checks of operator input shared by the tasks and the service. Each names the field it refused, as its caller
 * spells it: `--principal` on the command line, `principal` in a JSON body (see `Labels`).
 */
import { signatureProblem } from "./eip712.js";

/** Bad operator input: `field` is the input's name as the caller spells it; nothing was sent. */
export class InputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "InputError";
  }
}

/** How a caller names its inputs in messages. */
export type Labels = (field: string) => string;

/** Command-line labels: `borrowerType` → `--borrower-type`. */
export const optionLabels: Labels = (field) => `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** JSON labels: the field's own name. */
export const fieldLabels: Labels = (field) => field;

/**
 * Runs `parse` and turns a plain `Error` it throws into an `InputError` for `field` (the parsers in `encoding.ts`
 * and `keys.ts` already name the field in their message).
 */
export function checked<T>(field: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof InputError || !(err instanceof Error)) throw err;
    throw new InputError(field, err.message);
  }
}

/**
 * A whole number given as `value` that fits the contract's unsigned `bits`-bit field `what` of input `field`: a
 * number its ABI type cannot hold is an input error naming the field, not an encoding failure after the checks
 * (review 32, D1).
 */
export function uintField(value: unknown, bits: number, field: string, what: string): bigint {
  const text = String(value);
  if (!/^\d+$/.test(text)) throw new InputError(field, `${field}: ${what} "${text}" is not a whole number`);
  const n = BigInt(text);
  if (n >= 1n << BigInt(bits)) {
    throw new InputError(field, `${field}: ${what} ${text} is too large (the chain stores it in ${bits} bits)`);
  }
  return n;
}

/** A required input's trimmed value; the error names the input when it is empty. */
export function requireOption(value: string | undefined, option: string): string {
  if (value === undefined || value.trim() === "") throw new InputError(option, `${option} is required`);
  return value.trim();
}

/** Parses a positive member id (a uint32) given in input `option`. */
export function parseMemberId(id: string, option = "--id"): bigint {
  if (!/^\d+$/.test(id.trim()) || BigInt(id) === 0n || BigInt(id) >= 2n ** 32n) {
    throw new InputError(option, `${option} "${id}" is not a member id`);
  }
  return BigInt(id);
}

/** A whole number from 0 to `max` given in input `option`. */
export function wholeNumber(text: string, option: string, max: number): number {
  const t = requireOption(text, option);
  if (!/^\d+$/.test(t) || Number(t) > max) {
    throw new InputError(option, `${option} "${text}" is not a whole number up to ${max}`);
  }
  return Number(t);
}

/**
 * A yes-or-no input given as text: exactly `true` or `false` (trimmed), or `fallback` when empty. Anything else
 * (`yes`, `TRUE`, `1`) is refused rather than read as false: a financier typing `--recourse yes` must not sign a
 * quote without recourse (adversarial review 14, R14-3).
 */
export function yesOrNo(text: string | undefined, option: string, fallback = false): boolean {
  const t = (text ?? "").trim();
  if (t === "") return fallback;
  if (t === "true") return true;
  if (t === "false") return false;
  throw new InputError(option, `${option} "${text}" must be true or false`);
}

/**
 * Refuses, as an input error on `field`, a signature (of `what`) in a form the contracts never take
 * ({@link signatureProblem}): before anything is sent or priced.
 */
export function requireChainSignature(field: string, what: string, signature: string): void {
  const problem = signatureProblem(signature);
  if (problem !== null) throw new InputError(field, `${what}: its signature ${problem}`);
}
