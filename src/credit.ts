/**
 * The credit registry from TypeScript: names of its enums, record encoding (loan references, UTC day numbers,
 * commitments), a lender's nightly CSV file, and one helper per operation.
 *
 * Borrowers are given as an id type plus an id number and turned into keys with the consortium key (`borrowerKey`),
 * so no personal data reaches the chain. Lending workflows check a borrower through `inquire`, which is logged;
 * `exposureOf` is a free view for tooling.
 */
import { parse as parseCsv } from "csv-parse/sync";
import { AbiCoder, keccak256, type ContractTransactionReceipt } from "ethers";

import type { CreditRegistry } from "../typechain-types/index.js";
import type { ICreditRegistry } from "../typechain-types/credit/CreditRegistry.js";

import { checkSalt } from "./commitments.js";
import { parseAmount, reasonCode } from "./encoding.js";
import { mined } from "./tx.js";
import { borrowerKey, normalizeDate, normalizeIdNumber, normalizeIdType, type ConsortiumKey } from "./keys.js";

export const PRODUCT_KINDS = ["ConsumerLoan", "SmeLoan", "JointLoan", "ReceivableFinance", "TradeFinance"] as const;
export type ProductKindName = (typeof PRODUCT_KINDS)[number];
export const LOAN_STATUSES = ["None", "Active", "Repaid", "Overdue", "Defaulted", "WrittenOff"] as const;
export type LoanStatusName = (typeof LOAN_STATUSES)[number];
export const POLICY_MODES = ["Flag", "Enforce"] as const;
export const POLICY_LIMITS = ["DistinctLenders", "Outstanding", "Inquiries"] as const;
export type PolicyLimitName = (typeof POLICY_LIMITS)[number];

export type LoanInput = ICreditRegistry.LoanInputStruct;
export type Exposure = ICreditRegistry.ExposureStructOutput;
export type Policy = ICreditRegistry.PolicyStructOutput;

/** Records per transaction when a file is sent in batches. */
export const DEFAULT_BATCH_SIZE = 100;

const MS_PER_DAY = 86_400_000;

function enumIndex(names: readonly string[], name: string, what: string): number {
  const i = names.findIndex((n) => n.toLowerCase() === name.trim().toLowerCase());
  if (i < 0) throw new Error(`unknown ${what} "${name}": expected one of ${names.join(", ")}`);
  return i;
}

/** The index of a product kind, by name (case-insensitive). */
export function productKind(name: string): number {
  return enumIndex(PRODUCT_KINDS, name, "product kind");
}

/** The index of a loan status, by name (case-insensitive). */
export function loanStatus(name: string): number {
  return enumIndex(LOAN_STATUSES, name, "loan status");
}

/** The name of a loan status index. */
export function loanStatusName(status: bigint | number): LoanStatusName {
  return LOAN_STATUSES[Number(status)] ?? (`#${status}` as LoanStatusName);
}

/** A UTC calendar date ("2026-11-22") as the day number the registry stores (days since 1970-01-01). */
export function dayNumber(date: string, what = "date"): number {
  const ms = Date.parse(`${normalizeDate(date, what)}T00:00:00Z`);
  if (ms < 0) throw new Error(`${what} "${date}" is before 1970-01-01`);
  return ms / MS_PER_DAY;
}

/** A day number back to its UTC date, e.g. 20779 → "2026-11-22". */
export function isoDate(day: bigint | number): string {
  return new Date(Number(day) * MS_PER_DAY).toISOString().slice(0, 10);
}

/** The UTC day number of a Unix time in seconds. */
export function dayOf(unixSeconds: bigint | number): number {
  return Math.floor(Number(unixSeconds) / 86_400);
}

/** A lender's loan reference (1–31 printable ASCII characters) as `bytes32`. */
export function loanRef(ref: string): string {
  const text = ref.trim();
  if (!/^[\x21-\x7e]{1,31}$/.test(text)) {
    throw new Error(`loan reference "${ref}" must be 1 to 31 printable ASCII characters without spaces`);
  }
  return reasonCode(text);
}

/** The registry's id of loan `ref` reported by member `reporter`: keccak256(abi.encode(uint32, bytes32)). */
export function loanIdOf(reporter: bigint | number, ref: string): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["uint32", "bytes32"], [reporter, loanRef(ref)]));
}

/** A lender's off-chain loan record, in the canonical form its commitment covers. */
export interface LoanRecordData {
  loanRef: string;
  idType: string;
  idNumber: string;
  kind: ProductKindName;
  /** Minor units of the reporting currency. */
  principal: bigint;
  outstanding: bigint;
  /** YYYY-MM-DD */
  originated: string;
  matures: string;
}

/**
 * The commitment to an off-chain record: keccak256(abi.encode(canonical JSON, salt)). The canonical JSON has the
 * fields above in that order, the id normalised, amounts as decimal strings of minor units. An auditor given the
 * record and its salt recomputes it; without the salt nobody can test guesses against it.
 */
export function recordCommitment(record: LoanRecordData, salt: string): string {
  const checked = checkSalt(salt);
  const canonical = JSON.stringify({
    loanRef: record.loanRef.trim(),
    idType: normalizeIdType(record.idType),
    idNumber: normalizeIdNumber(record.idNumber),
    kind: record.kind,
    principal: record.principal.toString(),
    outstanding: record.outstanding.toString(),
    originated: record.originated.trim(),
    matures: record.matures.trim(),
  });
  return keccak256(AbiCoder.defaultAbiCoder().encode(["string", "bytes32"], [canonical, checked]));
}

/** Builds the on-chain input of a record: keyed borrower, encoded reference and dates, and its commitment. */
export function loanInput(key: ConsortiumKey, record: LoanRecordData, salt: string): LoanInput {
  return {
    loanRef: loanRef(record.loanRef),
    borrowerKey: borrowerKey(key, record.idType, record.idNumber),
    kind: productKind(record.kind),
    principal: record.principal,
    outstanding: record.outstanding,
    originationDay: dayNumber(record.originated, "originated"),
    maturityDay: dayNumber(record.matures, "matures"),
    commitment: recordCommitment(record, salt),
  };
}

// ─── The nightly file ───────────────────────────────────────────────────────

/** The header a lender's loan file must start with. */
export const LOAN_CSV_HEADER = [
  "loan_ref",
  "id_type",
  "id_number",
  "product",
  "principal",
  "outstanding",
  "originated",
  "matures",
  "salt",
] as const;

/** One good row of a loan file, with its line number. */
export interface LoanFileRow {
  line: number;
  record: LoanRecordData;
  input: LoanInput;
}

/** A problem with one line of a loan file. */
export interface LineError {
  line: number;
  message: string;
}

/**
 * Parses a loan file (CSV, header `LOAN_CSV_HEADER`, amounts in major units with `decimals` decimals). Returns every
 * good row and every bad line with its reason; callers send nothing unless `errors` is empty.
 */
export function parseLoanCsv(
  text: string,
  key: ConsortiumKey,
  options: { decimals: number; today: number },
): { rows: LoanFileRow[]; errors: LineError[] } {
  const rows: LoanFileRow[] = [];
  const errors: LineError[] = [];
  // csv-parse reads quoting and line ends the way spreadsheets write them; each record keeps its line number.
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseCsv(text, {
      info: true,
      trim: true,
      relax_column_count: true,
      skip_empty_lines: true,
      comment: "#",
      comment_no_infix: true,
      bom: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (err) {
    const line = (err as { lines?: number }).lines ?? 1;
    // The parser quotes the cell it stopped at; a cell may hold an id number, so only the reason is kept.
    const reason = (err as Error).message.replace(/[,:]?\s*(got|value is)\s+".*$/s, "");
    return { rows, errors: [{ line, message: `not readable as CSV: ${reason}` }] };
  }
  const header = (records[0]?.record ?? []).map((h) => h.toLowerCase());
  if (header.join(",") !== LOAN_CSV_HEADER.join(",")) {
    return { rows, errors: [{ line: 1, message: `header must be: ${LOAN_CSV_HEADER.join(",")}` }] };
  }
  const seen = new Map<string, number>();
  const salts = new Map<string, number>();
  for (const { record: cells, info } of records.slice(1)) {
    const line = info.lines;
    try {
      if (cells.length !== LOAN_CSV_HEADER.length) {
        throw new Error(`expected ${LOAN_CSV_HEADER.length} fields, found ${cells.length}`);
      }
      const [ref, idType, idNumber, product, principal, outstanding, originated, matures, salt] = cells;
      const kind = PRODUCT_KINDS[productKind(product)];
      if (kind === "JointLoan") throw new Error("joint loans need their funders: use credit:register --funders");
      const record: LoanRecordData = {
        loanRef: ref,
        idType,
        idNumber,
        kind,
        principal: parseAmount(principal, options.decimals, { name: "principal", bits: 64 }),
        outstanding: parseAmount(outstanding, options.decimals, { name: "outstanding", bits: 64 }),
        originated,
        matures,
      };
      if (record.outstanding > record.principal) throw new Error(`outstanding ${outstanding} exceeds principal`);
      const input = loanInput(key, record, salt);
      if (Number(input.originationDay) > options.today) throw new Error(`originated ${originated} is in the future`);
      if (Number(input.maturityDay) < Number(input.originationDay)) {
        throw new Error(`matures ${matures} is before originated ${originated}`);
      }
      const previous = seen.get(ref);
      if (previous !== undefined) throw new Error(`loan_ref ${ref} repeats line ${previous}`);
      // A salt hides one record: used twice, equal records would show as equal commitments.
      const saltLine = salts.get(salt.toLowerCase());
      if (saltLine !== undefined) throw new Error(`salt repeats line ${saltLine}: draw a fresh salt per loan`);
      seen.set(ref, line);
      salts.set(salt.toLowerCase(), line);
      rows.push({ line, record, input });
    } catch (err) {
      errors.push({ line, message: (err as Error).message });
    }
  }
  if (rows.length === 0 && errors.length === 0) errors.push({ line: 2, message: "the file has no loans" });
  return { rows, errors };
}

// ─── Operations ─────────────────────────────────────────────────────────────

/** What a registration did: the loan ids, and any policy limits flag mode let through. */
export interface RegistrationResult {
  ids: string[];
  flags: { borrowerKey: string; limit: PolicyLimitName; value: bigint; max: bigint }[];
  receipts: ContractTransactionReceipt[];
}

export function readRegistration(credit: CreditRegistry, receipts: ContractTransactionReceipt[]): RegistrationResult {
  const result: RegistrationResult = { ids: [], flags: [], receipts };
  for (const receipt of receipts) {
    for (const log of receipt.logs) {
      const parsed = credit.interface.parseLog(log);
      if (parsed?.name === "LoanRegistered") result.ids.push(parsed.args.id as string);
      if (parsed?.name === "MultiBorrowingFlagged") {
        result.flags.push({
          borrowerKey: parsed.args.borrowerKey as string,
          limit: POLICY_LIMITS[Number(parsed.args.limit)],
          value: parsed.args.value as bigint,
          max: parsed.args.max as bigint,
        });
      }
    }
  }
  return result;
}

/** Registers one loan of the signer's member. */
export async function registerLoan(credit: CreditRegistry, input: LoanInput): Promise<RegistrationResult> {
  return readRegistration(credit, [await mined(await credit.registerLoan(input))]);
}

/** Registers a joint loan: funders as member ids with shares in basis points (summing to 10,000). */
export async function registerJointLoan(
  credit: CreditRegistry,
  input: LoanInput,
  funders: readonly { member: bigint; shareBps: number }[],
): Promise<RegistrationResult> {
  return readRegistration(credit, [await mined(await credit.registerJointLoan(input, [...funders]))]);
}

/** A batch that would be refused: `offset` is the position of its first record in the whole list. */
export class BatchRejectedError extends Error {
  constructor(
    readonly offset: number,
    readonly revert: unknown,
  ) {
    super(`the batch starting at record ${offset} would be refused; nothing was sent`);
    this.name = "BatchRejectedError";
  }
}

/**
 * Registers many loans in batches of `batchSize`. Every batch is first simulated, so a record the chain would refuse
 * is reported (a `BatchRejectedError` whose `revert` is `CreditBatchRecordRejected(index, …)`) before any batch is
 * sent.
 */
export async function registerLoans(
  credit: CreditRegistry,
  inputs: readonly LoanInput[],
  batchSize = DEFAULT_BATCH_SIZE,
): Promise<RegistrationResult> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batch size ${batchSize} must be at least 1`);
  const batches: LoanInput[][] = [];
  for (let i = 0; i < inputs.length; i += batchSize) batches.push(inputs.slice(i, i + batchSize));
  for (const [i, batch] of batches.entries()) {
    await credit.registerLoans.staticCall(batch).catch((err: unknown) => {
      throw new BatchRejectedError(i * batchSize, err);
    });
  }
  const receipts: ContractTransactionReceipt[] = [];
  for (const batch of batches) receipts.push(await mined(await credit.registerLoans(batch)));
  return readRegistration(credit, receipts);
}

/** Reports a repayment of the signer's loan `ref` (the lender's reference string). */
export async function repay(credit: CreditRegistry, ref: string, amount: bigint): Promise<ContractTransactionReceipt> {
  return mined(await credit.reportRepayment(loanRef(ref), amount));
}

/** Moves the signer's loan `ref` to a new status (e.g. "Overdue", "Defaulted"). */
export async function reportStatus(
  credit: CreditRegistry,
  ref: string,
  status: LoanStatusName | string,
): Promise<ContractTransactionReceipt> {
  return mined(await credit.reportStatus(loanRef(ref), loanStatus(status)));
}

/** The logged look-up a lender makes before lending: sends the inquiry and returns the exposure it saw. */
export async function inquire(
  credit: CreditRegistry,
  key: string,
  purpose: string,
  consent: string,
): Promise<{ exposure: Exposure; receipt: ContractTransactionReceipt }> {
  const purposeCode = reasonCode(purpose);
  const exposure = await credit.inquire.staticCall(key, purposeCode, consent);
  const receipt = await mined(await credit.inquire(key, purposeCode, consent));
  return { exposure, receipt };
}

/** The free view of a borrower's aggregates (not logged: for tooling, not for lending decisions). */
export async function exposureOf(credit: CreditRegistry, key: string): Promise<Exposure> {
  return credit.exposureOf(key);
}

/** A policy limit a new loan would break. */
export interface PolicyBreach {
  limit: PolicyLimitName;
  value: bigint;
  max: bigint;
}

/**
 * The limits a new loan of `outstanding` by a lender would break, given the borrower's exposure and whether that
 * lender already has a live loan to the borrower: the same rule the contract applies at registration.
 */
export function assessPolicy(
  exposure: Pick<Exposure, "activeLenders" | "outstanding" | "inquiries">,
  policy: Pick<Policy, "maxLenders" | "maxOutstanding" | "maxInquiries">,
  loan: { outstanding: bigint; lenderHasLiveLoan: boolean },
): PolicyBreach[] {
  const checks: [PolicyLimitName, bigint, bigint][] = [
    ["DistinctLenders", exposure.activeLenders + (loan.lenderHasLiveLoan ? 0n : 1n), policy.maxLenders],
    ["Outstanding", exposure.outstanding + loan.outstanding, policy.maxOutstanding],
    ["Inquiries", exposure.inquiries, policy.maxInquiries],
  ];
  return checks
    .filter(([, value, max]) => max !== 0n && value > max)
    .map(([limit, value, max]) => ({ limit, value, max }));
}
