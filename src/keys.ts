/**
 * Privacy keys: how a borrower and an invoice are named on the chain without personal data.
 *
 * A borrower is known only by `borrowerKey = HMAC-SHA256(consortiumKey, "tradeline:borrower:v1" | idType | idNumber)`
 * and an invoice by `invoiceKey = HMAC-SHA256(consortiumKey, "tradeline:invoice:v1" | debtor | number | issueDate)`,
 * each field normalised first (see `normalizeIdNumber` and friends) and the fields joined by a 0x1f unit separator,
 * which none of the normalised fields may contain.
 *
 * A plain hash of an identifier is NOT offered: a resident ID has about 10^11 plausible values, so anyone can
 * enumerate them and reverse the hash. Without the consortium key, which never goes on the chain, the HMAC cannot be
 * recomputed for a guess.
 */
import { createHmac } from "node:crypto";

/** A 32-byte value as 0x-prefixed hex. */
export type Hex32 = `0x${string}`;

/** Identifier kinds a borrower may be given by. Extend here, never ad hoc: the kind is part of the key. */
export const ID_TYPES = ["CN-RIC", "PASSPORT", "MX-CURP", "MX-RFC", "LEI", "USCC", "TAX-ID"] as const;
export type IdType = (typeof ID_TYPES)[number];

const SEPARATOR = "\x1f";
const MIN_KEY_BYTES = 32;

/**
 * The consortium key, parsed once. Give it as 0x-hex (at least 32 bytes).
 *
 * A key read from configuration is *unchecked*: it derives no borrower, invoice or entity key until it has been
 * compared with the key-check value the deployment published (`verifiedConsortiumKey` with the member registry), so
 * that a wrong key is refused before anything derived from it is sent. Only the key of a network about to be
 * deployed with it is checked without a chain (`forNewDeployment`): its deployer defines the check value.
 */
export class ConsortiumKey {
  readonly #bytes: Buffer;
  readonly #checked: boolean;

  private constructor(bytes: Buffer, checked: boolean) {
    this.#bytes = bytes;
    this.#checked = checked;
  }

  /** Parses a hex consortium key; throws a readable error when it is missing, malformed or too short. */
  static fromHex(hex: string | undefined): ConsortiumKey {
    if (hex === undefined || hex.trim() === "") {
      throw new Error(
        "consortium key missing: set TRADELINE_CONSORTIUM_KEY (0x + 64 hex digits or more); it must never be committed",
      );
    }
    const clean = hex.trim();
    if (!/^0x([0-9a-fA-F]{2})+$/.test(clean)) {
      throw new Error("consortium key malformed: expected 0x followed by an even number of hex digits");
    }
    const bytes = Buffer.from(clean.slice(2), "hex");
    if (bytes.length < MIN_KEY_BYTES) {
      throw new Error(`consortium key too short: ${bytes.length} bytes, need at least ${MIN_KEY_BYTES}`);
    }
    return new ConsortiumKey(bytes, false);
  }

  /**
   * The key of a network about to be deployed with it (Ignition's `keyCheck` parameter is `keyCheck(key)`): whoever
   * deploys defines the check value, so this key is checked by construction. Never use it for a network that exists:
   * `verifiedConsortiumKey` compares the key with what that network's member registry publishes.
   */
  static forNewDeployment(hex: string | undefined): ConsortiumKey {
    const key = ConsortiumKey.fromHex(hex);
    return new ConsortiumKey(key.#bytes, true);
  }

  /** True once the key was matched with a deployment's key-check value. */
  get checked(): boolean {
    return this.#checked;
  }

  /**
   * This key, checked: throws unless its check value is `published`, the value a deployment's member registry
   * holds (`keyCheck()`); `verifiedConsortiumKey` reads it from the chain. `source` says where the key came from,
   * for the error (e.g. "TRADELINE_CONSORTIUM_KEY from the environment").
   */
  checkedAgainst(published: string, source = "the configured TRADELINE_CONSORTIUM_KEY"): ConsortiumKey {
    const actual = this.checkValue;
    const expected = published.toLowerCase();
    if (actual !== expected) {
      throw new Error(
        `consortium key mismatch: this deployment's key check is ${expected.slice(0, 10)}…, ${source} gives ` +
          `${actual.slice(0, 10)}…; borrower, invoice and entity keys derived with it would match no other ` +
          `member's, so nothing was sent. Set the consortium's key (the environment variable wins over the ` +
          `keystore: npx hardhat keystore set TRADELINE_CONSORTIUM_KEY)`,
      );
    }
    return this.#checked ? this : new ConsortiumKey(this.#bytes, true);
  }

  /** The key's check value, `HMAC-SHA256(key, "tradeline:key-check:v1")`: what a deployment publishes. */
  get checkValue(): Hex32 {
    return this.#mac(["tradeline:key-check:v1"]);
  }

  /** HMAC-SHA256 of the joined fields, as 0x-hex, with no check: private, so that only `derive` hands keys out. */
  #mac(fields: readonly string[]): Hex32 {
    return `0x${createHmac("sha256", this.#bytes).update(fields.join(SEPARATOR), "utf8").digest("hex")}`;
  }

  /** The HMAC of a derived key (borrower, invoice, entity); refuses a key not checked against a deployment. */
  derive(fields: readonly string[]): Hex32 {
    if (!this.#checked) {
      throw new Error(
        "consortium key not checked against the deployment: get it through verifiedConsortiumKey(memberRegistry, " +
          "hex) before deriving keys (ConsortiumKey.forNewDeployment only for a network about to be deployed)",
      );
    }
    return this.#mac(fields);
  }

  /** Never print the key. */
  toString(): string {
    return "ConsortiumKey(<redacted>)";
  }

  toJSON(): string {
    return this.toString();
  }
}

/** Upper-cases an id type and checks it is one of `ID_TYPES`. */
export function normalizeIdType(idType: string): IdType {
  const t = idType.trim().toUpperCase();
  if (!(ID_TYPES as readonly string[]).includes(t)) {
    // A value with digits may be an id number in the wrong column: it is never echoed.
    const shown = /\d/.test(idType) ? "(a value with digits: is it an id number in the wrong column?)" : `"${idType}"`;
    throw new Error(`unknown id type ${shown}: expected one of ${ID_TYPES.join(", ")}`);
  }
  return t as IdType;
}

/**
 * Normalises an identifier number: Unicode NFKC (full-width digits become ASCII), upper case, and spaces, hyphens,
 * dots and slashes removed. What remains must be ASCII letters and digits.
 */
export function normalizeIdNumber(idNumber: string): string {
  const n = idNumber
    .normalize("NFKC")
    .toUpperCase()
    .replace(/[\s\-./]/g, "");
  if (n === "") throw new Error("id number is empty");
  if (!/^[0-9A-Z]+$/.test(n)) {
    // The number itself is personal data: the error names only the characters refused and the last four kept.
    const refused = [...new Set(n.replace(/[0-9A-Z]/g, ""))].join("");
    const kept = n.replace(/[^0-9A-Z]/g, "");
    throw new Error(
      `id number ****${kept.slice(-4)} has characters other than letters and digits: ${JSON.stringify(refused)}`,
    );
  }
  return n;
}

const RIC_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const RIC_CHECK = "10X98765432";

/** Whether `yyyymmdd` (or `yymmdd` when `century` is given) is a real calendar date. */
function realDate(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/**
 * The id type that `text` reads as, when it has the exact shape of one a lender could put in the wrong field: a
 * CN-RIC (a region, a real birth date from 1900 and its ISO 7064 MOD 11-2 check character) or an MX-CURP (letters, a
 * real birth date, sex, state and consonants). Undefined otherwise. Used to keep personal data off the chain's
 * plain-text fields (adversarial review 14, R14-2).
 */
export function readsAsIdNumber(text: string): IdType | undefined {
  const n = text
    .normalize("NFKC")
    .toUpperCase()
    .replace(/[\s\-./]/g, "");
  const ric = /^([1-8]\d{5})((?:19|20)\d{2})(\d{2})(\d{2})\d{3}[\dX]$/.exec(n);
  if (ric !== null && realDate(Number(ric[2]), Number(ric[3]), Number(ric[4]))) {
    const sum = RIC_WEIGHTS.reduce((acc, w, i) => acc + w * Number(n[i]), 0);
    if (RIC_CHECK[sum % 11] === n[17]) return "CN-RIC";
  }
  const curp = /^[A-Z][AEIOUX][A-Z]{2}(\d{2})(\d{2})(\d{2})[HMX][A-Z]{5}[0-9A-Z]\d$/.exec(n);
  if (curp !== null && realDate(2000 + Number(curp[1]), Number(curp[2]), Number(curp[3]))) return "MX-CURP";
  return undefined;
}

/** Normalises an invoice number the same way as an id number. */
export const normalizeInvoiceNumber = normalizeIdNumber;

/** Checks an ISO 8601 calendar date (YYYY-MM-DD) and returns it trimmed; `what` names it in the error. */
export function normalizeDate(date: string, what = "date"): string {
  const d = date.trim();
  const parsed = new Date(`${d}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d) || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== d) {
    throw new Error(`${what} "${date}" is not a valid YYYY-MM-DD date`);
  }
  return d;
}

/** Checks an invoice's issue date (YYYY-MM-DD). */
export function normalizeIssueDate(date: string): string {
  return normalizeDate(date, "issue date");
}

/** The on-chain key of a borrower. */
export function borrowerKey(key: ConsortiumKey, idType: string, idNumber: string): Hex32 {
  return key.derive(["tradeline:borrower:v1", normalizeIdType(idType), normalizeIdNumber(idNumber)]);
}

/** Checks a 32-byte 0x-hex value and returns it lower-cased; `what` names it in the error. */
function normalizeBytes32(value: string, what: string): string {
  const v = value.trim().toLowerCase();
  if (!/^0x[0-9a-f]{64}$/.test(v)) throw new Error(`${what} "${value}" is not 32 bytes of 0x-hex`);
  if (/^0x0{64}$/.test(v)) throw new Error(`${what} is zero`);
  return v;
}

/**
 * The on-chain key of an invoice: the debtor's entity key (`entityKeyOf(debtor)` in the member registry, keyed from
 * its LEI), the invoice number and the issue date. The entity key, not an address or a member id, so that the same
 * invoice keeps its key when the debtor's admin changes or the institution is admitted again: it can back one
 * receivable, ever.
 */
export function invoiceKey(
  key: ConsortiumKey,
  debtorEntityKey: string,
  invoiceNumber: string,
  issueDate: string,
): Hex32 {
  return key.derive([
    "tradeline:invoice:v2",
    normalizeBytes32(debtorEntityKey, "debtor entity key"),
    normalizeInvoiceNumber(invoiceNumber),
    normalizeIssueDate(issueDate),
  ]);
}

/**
 * The check value of a consortium key: `HMAC-SHA256(consortiumKey, "tradeline:key-check:v1")`. The member registry
 * publishes it at deployment (`keyCheck()`); it reveals nothing about the key, and a key with another check value
 * would derive borrower, invoice and entity keys that no other member derives.
 */
export function keyCheck(key: ConsortiumKey): Hex32 {
  return key.checkValue;
}

/** The check value of the public development key (docs/operations.md), which no real network may publish. */
export const DEVELOPMENT_KEY_CHECK = "0x99c281106f153dc2fcca79e2b291f212043ac6b0fddcd2cb3c586b0e61057e21";
