/** Encodings of the small fixed-width codes the contracts store. */
import {
  encodeBytes32String,
  formatUnits,
  getBytes,
  hexlify,
  keccak256,
  parseUnits,
  toUtf8Bytes,
  toUtf8String,
} from "ethers";

function fixedAscii(code: string, width: number, what: string, pattern: RegExp): string {
  const c = code.trim().toUpperCase();
  if (c.length !== width || !pattern.test(c)) {
    throw new Error(`${what} "${code}" must be ${width} letters`);
  }
  return hexlify(toUtf8Bytes(c));
}

/** ISO 3166-1 alpha-2 country code, e.g. "CN", as `bytes2`. */
export function jurisdictionCode(code: string): string {
  return fixedAscii(code, 2, "jurisdiction", /^[A-Z]{2}$/);
}

/** ISO 4217 currency code, e.g. "MXN", as `bytes3`. */
export function currencyCode(code: string): string {
  return fixedAscii(code, 3, "currency", /^[A-Z]{3}$/);
}

const ZERO_DECIMALS = new Set([
  "BIF",
  "CLP",
  "DJF",
  "GNF",
  "ISK",
  "JPY",
  "KMF",
  "KRW",
  "PYG",
  "RWF",
  "UGX",
  "VND",
  "VUV",
  "XAF",
  "XOF",
  "XPF",
]);
const THREE_DECIMALS = new Set(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]);

/** ISO 4217 minor units of a currency: 0 for JPY and the like, 3 for BHD and the like, 2 for the rest. */
export function minorUnits(code: string): number {
  const c = code.trim().toUpperCase();
  currencyCode(c);
  if (ZERO_DECIMALS.has(c)) return 0;
  return THREE_DECIMALS.has(c) ? 3 : 2;
}

/** Decodes a `bytes2`/`bytes3` code back to its letters. */
export function decodeCode(hex: string): string {
  return toUtf8String(getBytes(hex));
}

/** The hash stored for a legal identifier (LEI or BIC): keccak256 of the trimmed, upper-cased identifier. */
export function legalIdHash(legalId: string): string {
  const id = legalId.trim().toUpperCase();
  if (!/^[0-9A-Z]{8,20}$/.test(id)) throw new Error(`legal identifier "${legalId}" is not an LEI or a BIC`);
  return keccak256(toUtf8Bytes(id));
}

/** A short reason code (up to 31 ASCII characters) as `bytes32`, e.g. "AML-2026-0042". */
export function reasonCode(reason: string): string {
  if (reason.length > 31) throw new Error(`reason "${reason}" is longer than 31 characters`);
  return encodeBytes32String(reason);
}

/** An amount field: the name an error gives it (e.g. "--principal") and how many bits the contract stores it in. */
export interface AmountField {
  readonly name: string;
  readonly bits: 64 | 96 | 128 | 256;
}

/** A field of unnamed width: a token amount (uint256). */
const ANY_AMOUNT: AmountField = { name: "amount", bits: 256 };

/**
 * Parses a positive decimal amount in major units (e.g. "1250.50") into minor units for `decimals`, checked against
 * the field's on-chain width, so that a value the contract cannot hold is refused here, naming the field and its
 * limit, instead of failing in the ABI encoder with "value out-of-bounds".
 */
export function parseAmount(amount: string, decimals: number | bigint, field: AmountField = ANY_AMOUNT): bigint {
  const d = Number(decimals);
  const text = amount.trim();
  if (/^-\s*\d/.test(text)) {
    throw new Error(`${field.name} "${amount}" is negative: give a positive amount in major units, e.g. 1250.50`);
  }
  if (!/^\d+(\.\d+)?$/.test(text) || (text.split(".")[1]?.length ?? 0) > d) {
    throw new Error(`${field.name} "${amount}" is not a decimal number with at most ${d} decimals`);
  }
  const value = parseUnits(text, d);
  if (value === 0n) throw new Error(`${field.name} must be positive, got "${amount}"`);
  const max = (1n << BigInt(field.bits)) - 1n;
  if (value > max) {
    throw new Error(
      `${field.name} "${amount}" is more than its limit of ${formatAmount(max, d)} ` +
        `(the contract stores it as a uint${field.bits} of minor units)`,
    );
  }
  return value;
}

/** Formats minor units as a major-unit amount with every decimal shown, e.g. 125050n, 2 → "1250.50". */
export function formatAmount(value: bigint, decimals: number | bigint): string {
  const d = Number(decimals);
  const [whole, fraction = ""] = formatUnits(value, d).split(".");
  return d === 0 ? whole : `${whole}.${fraction.padEnd(d, "0")}`;
}
