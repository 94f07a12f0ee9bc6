/**
 * The credit registry from TypeScript: names of its enums, record encoding (loan references, UTC day numbers,
 * commitments), a lender's nightly CSV file, and one helper per operation.
 *
 * Borrowers are given as an id type plus an id number and turned into keys with the consortium key (`borrowerKey`),
 * so no personal data reaches the chain. Lending workflows check a borrower through `inquire`, which is logged;
 * `exposureOf` is a free view for tooling.
 */
import { parse as parseCsv } from "csv-parse/sync";
import { AbiCoder, hexlify, isHexString, keccak256, type BytesLike, type ContractTransactionReceipt } from "ethers";

import type { ConsentBook, CreditRegistry, CreditScore } from "../typechain-types/index.js";
import type { ICreditRegistryTypes } from "../typechain-types/credit/CreditRegistry.js";
import type { ICreditScore } from "../typechain-types/credit/CreditScore.js";

import { aprBps as toAprBps, aprOfPlan } from "./apr.js";
import { checkSalt } from "./commitments.js";
import { parseAmount, reasonCode } from "./encoding.js";
import { eventArg, mined } from "./tx.js";
import {
  borrowerKey,
  normalizeDate,
  normalizeIdNumber,
  normalizeIdType,
  readsAsIdNumber,
  type ConsortiumKey,
} from "./keys.js";
import {
  DELINQUENCY_BUCKETS,
  Frequency,
  checkPlan,
  delinquencyBucket,
  dueDay,
  totalDue,
  type DelinquencyBucket,
  type Plan,
} from "./schedule.js";

export const PRODUCT_KINDS = ["ConsumerLoan", "SmeLoan", "JointLoan", "ReceivableFinance", "TradeFinance"] as const;
export type ProductKindName = (typeof PRODUCT_KINDS)[number];
export const LOAN_STATUSES = ["None", "Active", "Repaid", "Overdue", "Defaulted", "WrittenOff"] as const;
export type LoanStatusName = (typeof LOAN_STATUSES)[number];
export const POLICY_MODES = ["Flag", "Enforce"] as const;
export const POLICY_LIMITS = ["DistinctLenders", "Outstanding", "Inquiries", "Apr"] as const;
export type PolicyLimitName = (typeof POLICY_LIMITS)[number];
/** What a borrower allowed a look-up for (the consent book's `ConsentPurpose`); an inquiry names the consent's. */
export const CONSENT_PURPOSES = [
  "None",
  "NewCredit",
  "AccountReview",
  "LimitReview",
  "Guarantee",
  "Collections",
] as const;
export type ConsentPurposeName = (typeof CONSENT_PURPOSES)[number];
/**
 * The purposes whose look-ups are soft inquiries: logged (the regulator's history shows them) but not counted in the
 * borrower's inquiries, for the policy limit and the score (review 32, C2). As the registry's `inquire` rules.
 */
export const SOFT_INQUIRY_PURPOSES: readonly ConsentPurposeName[] = ["AccountReview", "Collections"];
/** Plan frequencies by index, as the registry numbers them (`Frequency` in schedule.ts). */
export const FREQUENCIES = ["Weekly", "Monthly"] as const;
export type FrequencyName = (typeof FREQUENCIES)[number];

export type LoanInput = ICreditRegistryTypes.LoanInputStruct;
export type Exposure = ICreditRegistryTypes.ExposureStructOutput;
export type Policy = ICreditRegistryTypes.PolicyStructOutput;
export type Profile = ICreditRegistryTypes.ProfileStructOutput;
export type Scorecard = ICreditScore.ScorecardStruct;

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

/** The index of a consent purpose, by name (case-insensitive); None is no purpose a consent can be given for. */
export function consentPurpose(name: string): number {
  const i = CONSENT_PURPOSES.findIndex((n, k) => k > 0 && n.toLowerCase() === name.trim().toLowerCase());
  if (i < 0) {
    throw new Error(`unknown consent purpose "${name}": expected one of ${CONSENT_PURPOSES.slice(1).join(", ")}`);
  }
  return i;
}

/** The index of a plan frequency, by name (case-insensitive): Weekly or Monthly. */
export function frequency(name: string): Frequency {
  return enumIndex(FREQUENCIES, name, "frequency") as Frequency;
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

/**
 * A new loan's reference as `bytes32`: `loanRef`, refused when it would publish the borrower's identifier. The
 * reference goes on the chain in the clear, to every member for good (adversarial review 14, R14-2), so it is refused,
 * without being echoed, when it is the borrower's own id number, or when it reads as an id number of the borrower's
 * id type (a CN-RIC with its check character, an MX-CURP) while the id number given does not: the loan file's
 * `loan_ref` and `id_number` columns swapped. A lender's own reference of the same shape beside a well-formed id
 * number is taken (review 15, R15-3: an 18-digit branch, date and sequence number).
 */
export function newLoanRef(ref: string, idType: string, idNumber: string): string {
  const shown = `****${ref.trim().slice(-4)}`;
  const clear = "a reference goes on the chain in the clear for every member, so it must be the lender's own";
  // An id number or type that does not parse is refused under its own name by the record's checks.
  const parsed = (parse: () => string): string | undefined => {
    try {
      return parse();
    } catch {
      return undefined;
    }
  };
  const own = parsed(() => normalizeIdNumber(idNumber));
  if (own !== undefined && parsed(() => normalizeIdNumber(ref)) === own) {
    throw new Error(`loan reference ${shown} is the borrower's id number: ${clear}`);
  }
  const type = readsAsIdNumber(ref);
  if (
    type !== undefined &&
    own !== undefined &&
    type === parsed(() => normalizeIdType(idType)) &&
    readsAsIdNumber(own) !== type
  ) {
    throw new Error(
      `loan reference ${shown} reads as a ${type} id number and the borrower's id number does not: are the ` +
        `loan_ref and id_number columns swapped? ${clear[0].toUpperCase()}${clear.slice(1)}`,
    );
  }
  return loanRef(ref);
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
  /** YYYY-MM-DD; with a plan, the plan's last due day. */
  matures: string;
  /** The disclosed APR in basis points; with a consumer loan's plan and no APR, `completeRecord` computes it. */
  aprBps?: number;
  /** The instalment plan (amounts in minor units); `outstanding` is then what is due less what was paid. */
  plan?: Plan;
}

/**
 * The commitment to an off-chain record: keccak256(abi.encode(canonical JSON, salt)). The canonical JSON has the
 * fields above in that order, the id normalised, amounts as decimal strings of minor units; `aprBps` and `plan`
 * (frequency by name, first due day as a date, amounts as decimal strings) only when the record has them, so a
 * record without them commits as it always did. An auditor given the record and its salt recomputes it; without the
 * salt nobody can test guesses against it.
 */
export function recordCommitment(record: LoanRecordData, salt: string): string {
  const checked = checkSalt(salt);
  const terms: Record<string, unknown> = {};
  if (record.aprBps !== undefined) terms.aprBps = checkAprBps(record.aprBps);
  if (record.plan !== undefined) {
    const p = checkPlan(record.plan);
    terms.plan = {
      instalments: p.instalments,
      frequency: FREQUENCIES[p.frequency],
      firstDue: isoDate(p.firstDueDay),
      instalment: p.instalment.toString(),
      finalInstalment: p.finalInstalment.toString(),
    };
  }
  const canonical = JSON.stringify({
    loanRef: record.loanRef.trim(),
    idType: normalizeIdType(record.idType),
    idNumber: normalizeIdNumber(record.idNumber),
    kind: record.kind,
    principal: record.principal.toString(),
    outstanding: record.outstanding.toString(),
    originated: record.originated.trim(),
    matures: record.matures.trim(),
    ...terms,
  });
  return keccak256(AbiCoder.defaultAbiCoder().encode(["string", "bytes32"], [canonical, checked]));
}

/** A loan without an instalment plan: every field 0. */
export const NO_PLAN = { instalments: 0, frequency: 0, firstDueDay: 0, instalment: 0n, finalInstalment: 0n } as const;

/** The registry's APR field: whole basis points, 0 to 4,294,967,295 (uint32). */
function checkAprBps(bps: number): number {
  if (!Number.isSafeInteger(bps) || bps < 0 || bps > 0xffff_ffff) {
    throw new Error(`aprBps must be a whole number of basis points from 0 to 4294967295, not ${bps}`);
  }
  return bps;
}

/** An APR in basis points as people read it: 2387 → "23.87%". */
export function formatApr(bps: bigint | number): string {
  const n = Number(bps);
  return `${Math.floor(n / 100)}.${String(n % 100).padStart(2, "0")}%`;
}

/**
 * A record with what it implies filled in and checked: with a plan, `matures` must be the plan's last due day (a
 * readable error says which day it should be), the first due day not before origination, and the outstanding not
 * above the total due; a consumer loan with a plan and no `aprBps` gets the APR of its plan (the EU directive's
 * actuarial rule, `aprOfPlan`). Keep the returned record: the commitment covers the computed APR.
 */
export function completeRecord(record: LoanRecordData): LoanRecordData {
  if (record.aprBps !== undefined) checkAprBps(record.aprBps);
  const plan = record.plan;
  if (plan === undefined) return record;
  checkPlan(plan);
  const originated = dayNumber(record.originated, "originated");
  const matures = dayNumber(record.matures, "matures");
  const last = dueDay(plan, plan.instalments - 1);
  if (matures !== last) {
    throw new Error(
      `matures ${record.matures.trim()} is not the plan's last due day ${isoDate(last)}: ` +
        `a plan loan matures on its last instalment`,
    );
  }
  if (plan.firstDueDay < originated) {
    throw new Error(
      `the plan's first instalment falls due ${isoDate(plan.firstDueDay)}, before originated ${record.originated.trim()}`,
    );
  }
  const total = totalDue(plan);
  if (total < record.principal) {
    throw new Error(`the plan's instalments add up to ${total}, less than the principal ${record.principal}`);
  }
  if (record.outstanding > total) {
    throw new Error(`outstanding ${record.outstanding} exceeds the plan's total due ${total}`);
  }
  if (record.aprBps !== undefined || record.kind !== "ConsumerLoan") return record;
  return { ...record, aprBps: toAprBps(aprOfPlan(record.principal, plan, originated, { method: "eu" })) };
}

/**
 * Builds the on-chain input of a record: keyed borrower, encoded reference and dates, its APR and plan, and its
 * commitment. The record is completed first (`completeRecord`): a consumer loan's plan without an APR gets its
 * computed APR, which the commitment then covers; call `completeRecord` yourself to keep that record.
 */
export function loanInput(key: ConsortiumKey, record: LoanRecordData, salt: string): LoanInput {
  const full = completeRecord(record);
  const plan = full.plan;
  return {
    loanRef: newLoanRef(full.loanRef, full.idType, full.idNumber),
    borrowerKey: borrowerKey(key, full.idType, full.idNumber),
    kind: productKind(full.kind),
    principal: full.principal,
    outstanding: full.outstanding,
    originationDay: dayNumber(full.originated, "originated"),
    maturityDay: dayNumber(full.matures, "matures"),
    commitment: recordCommitment(full, salt),
    aprBps: full.aprBps ?? 0,
    plan:
      plan === undefined
        ? NO_PLAN
        : {
            instalments: plan.instalments,
            frequency: plan.frequency,
            firstDueDay: plan.firstDueDay,
            instalment: plan.instalment,
            finalInstalment: plan.finalInstalment,
          },
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

/** Optional columns a loan file may add after `LOAN_CSV_HEADER`, in this order. */
export const LOAN_CSV_OPTIONAL = ["apr_bps"] as const;

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
 * Parses a loan file (CSV, header `LOAN_CSV_HEADER`, optionally followed by `apr_bps`, the disclosed APR in whole
 * basis points, empty for none; amounts in major units with `decimals` decimals). Returns every
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
  const columns = [...LOAN_CSV_HEADER, ...LOAN_CSV_OPTIONAL].slice(0, Math.max(header.length, LOAN_CSV_HEADER.length));
  if (header.join(",") !== columns.join(",")) {
    const optional = LOAN_CSV_OPTIONAL.join(",");
    return {
      rows,
      errors: [{ line: 1, message: `header must be: ${LOAN_CSV_HEADER.join(",")} (then optionally ${optional})` }],
    };
  }
  const seen = new Map<string, number>();
  const salts = new Map<string, number>();
  for (const { record: cells, info } of records.slice(1)) {
    const line = info.lines;
    try {
      if (cells.length !== columns.length) {
        throw new Error(`expected ${columns.length} fields, found ${cells.length}`);
      }
      const [ref, idType, idNumber, product, principal, outstanding, originated, matures, salt, apr = ""] = cells;
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
        ...(apr === "" ? {} : { aprBps: parseAprBps(apr, "apr_bps") }),
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

/** Parses an APR in whole basis points ("2387" is 23.87 %); `what` names it in the error. */
export function parseAprBps(text: string, what = "aprBps"): number {
  const t = text.trim();
  if (!/^\d{1,10}$/.test(t) || Number(t) > 0xffff_ffff) {
    throw new Error(`${what} "${text}" must be a whole number of basis points, e.g. 2387 for 23.87%`);
  }
  return Number(t);
}

// ─── Operations ─────────────────────────────────────────────────────────────

/** What a registration did: the loan ids, and any policy limits flag mode let through. */
export interface RegistrationResult {
  /** The loans' ids, in the order their records were given (for a file sent in batches, not the batches' order). */
  ids: string[];
  flags: { borrowerKey: string; limit: PolicyLimitName; value: bigint; max: bigint }[];
  receipts: ContractTransactionReceipt[];
}

/**
 * What `receipts` registered. `refs`, the records' loan references in the order they were given, puts the ids in that
 * order; without it they come in the receipts' order.
 */
export function readRegistration(
  credit: CreditRegistry,
  receipts: ContractTransactionReceipt[],
  refs?: readonly BytesLike[],
): RegistrationResult {
  const result: RegistrationResult = { ids: [], flags: [], receipts };
  const idOfRef = new Map<string, string>();
  for (const receipt of receipts) {
    for (const log of receipt.logs) {
      const parsed = credit.interface.parseLog(log);
      if (parsed?.name === "LoanRegistered") {
        result.ids.push(parsed.args.id as string);
        idOfRef.set(hexlify(parsed.args.loanRef as string).toLowerCase(), parsed.args.id as string);
      }
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
  if (refs !== undefined) {
    result.ids = refs.map((ref) => {
      const id = idOfRef.get(hexlify(ref).toLowerCase());
      if (id === undefined) throw new Error(`no loan was registered with reference ${hexlify(ref)}`);
      return id;
    });
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
 * `items` in batches of at most `batchSize`, each key's items in one batch (in the order keys are first seen): a
 * batch takes keys whole until the next would pass `batchSize`, and a key with more items than that is a batch of
 * its own. Loans are batched by borrower, so that simulating each batch sees every limit a borrower's loans add up
 * to (the policy's limits are per borrower).
 */
export function batchesByKey<T>(items: readonly T[], keyOf: (item: T) => string, batchSize: number): T[][] {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batch size ${batchSize} must be at least 1`);
  const byKey = new Map<string, T[]>();
  for (const item of items) {
    const k = keyOf(item);
    const group = byKey.get(k);
    if (group === undefined) byKey.set(k, [item]);
    else group.push(item);
  }
  const batches: T[][] = [];
  let batch: T[] = [];
  for (const group of byKey.values()) {
    if (batch.length > 0 && batch.length + group.length > batchSize) {
      batches.push(batch);
      batch = [];
    }
    batch.push(...group);
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/**
 * Registers many loans in batches of about `batchSize`, each borrower's loans in one batch (`batchesByKey`). A
 * reference given twice is refused, and every batch is simulated, before any is sent: a record the chain would
 * refuse is reported as a `BatchRejectedError` (`offset`: the record's batch's first record, in the order given;
 * `revert`: `CreditBatchRecordRejected(index in that batch, …)`) with nothing sent. What the simulations cannot see
 * (another lender's loan to the same borrower mined meanwhile) can still refuse a later batch: the error then says how
 * many records were registered before it (review 17, R17-1).
 */
export async function registerLoans(
  credit: CreditRegistry,
  inputs: readonly LoanInput[],
  batchSize = DEFAULT_BATCH_SIZE,
): Promise<RegistrationResult> {
  const first = new Map<string, number>();
  for (const [i, input] of inputs.entries()) {
    const ref = hexlify(input.loanRef).toLowerCase();
    const earlier = first.get(ref);
    if (earlier !== undefined) {
      throw new Error(`records ${earlier} and ${i} have the same loan reference ${ref}; nothing was sent`);
    }
    first.set(ref, i);
  }
  const batches = batchesByKey(
    inputs.map((input, index) => ({ input, index })),
    (r) => hexlify(r.input.borrowerKey).toLowerCase(),
    batchSize,
  );
  for (const batch of batches) {
    await credit.registerLoans.staticCall(batch.map((r) => r.input)).catch((err: unknown) => {
      throw new BatchRejectedError(batch[0].index, err);
    });
  }
  const receipts: ContractTransactionReceipt[] = [];
  let sent = 0;
  for (const batch of batches) {
    try {
      receipts.push(await mined(await credit.registerLoans(batch.map((r) => r.input))));
    } catch (err) {
      if (sent === 0) throw err;
      throw new Error(
        `${sent} of ${inputs.length} records were registered before the chain refused the batch with record ` +
          `${batch[0].index}: send the others again once the cause is fixed`,
        { cause: err },
      );
    }
    sent += batch.length;
  }
  return readRegistration(
    credit,
    receipts,
    inputs.map((input) => input.loanRef),
  );
}

/** Reports a repayment of the signer's loan `ref` (the lender's reference string). */
export async function repay(credit: CreditRegistry, ref: string, amount: bigint): Promise<ContractTransactionReceipt> {
  return mined(await credit.fileLoanRepayment(loanRef(ref), amount));
}

/** Moves the signer's loan `ref` to a new status (e.g. "Overdue", "Defaulted"). */
export async function reportStatus(
  credit: CreditRegistry,
  ref: string,
  status: LoanStatusName | string,
): Promise<ContractTransactionReceipt> {
  return mined(await credit.fileLoanStatus(loanRef(ref), loanStatus(status)));
}

/**
 * The logged look-up a lender makes before lending, under consent `consentId` of the consent book (recorded with
 * `recordConsent`) given for `purpose` (a `CONSENT_PURPOSES` name): sends the inquiry and returns the exposure it saw.
 * The registry refuses it with the consent book's error unless the consent is in force, is this borrower's, covers
 * the signer's member and was given for that purpose.
 */
export async function inquire(
  credit: CreditRegistry,
  key: string,
  purpose: ConsentPurposeName | string,
  consentId: string,
): Promise<{ exposure: Exposure; receipt: ContractTransactionReceipt }> {
  const code = consentPurpose(purpose);
  const id = checkConsentId(consentId);
  const exposure = await credit.inquire.staticCall(key, code, id);
  const receipt = await mined(await credit.inquire(key, code, id));
  return { exposure, receipt };
}

/**
 * A lender's look-up of the borrower of its own loan `ref`, to collect it, under a Collections consent: logged, not
 * counted. Unlike `inquire`, it also serves a written-off debt still owed (review 34, C3); the registry refuses it
 * (`CreditNoAccountHeld`) unless `ref` is the signer's loan of `key` and is owed.
 */
export async function collectionInquiry(
  credit: CreditRegistry,
  key: string,
  ref: string,
  consentId: string,
): Promise<{ exposure: Exposure; receipt: ContractTransactionReceipt }> {
  const id = checkConsentId(consentId);
  const exposure = await credit.collectionInquiry.staticCall(key, loanRef(ref), id);
  const receipt = await mined(await credit.collectionInquiry(key, loanRef(ref), id));
  return { exposure, receipt };
}

/** Applies what time changed on loan `id` (anyone may): its delinquency bucket, Overdue past the grace days, and the
 *  end of a negative record's retention. Reverts `CreditNothingToAge` when nothing is due to change. */
export async function ageLoan(credit: CreditRegistry, id: string): Promise<ContractTransactionReceipt> {
  return mined(await credit.ageLoan(id));
}

/** Where a loan stands: its APR, plan, days past due and delinquency bucket (today's, and the one it is counted in). */
export interface LoanDelinquency {
  aprBps: number;
  /** Undefined for a loan without a plan. */
  plan?: Plan;
  daysPastDue: number;
  /** Today's bucket, from the days past due (index into `DELINQUENCY_BUCKETS`) and its label. */
  bucket: number;
  bucketLabel: DelinquencyBucket;
  /** The bucket the registry counts the loan in now (as of its last update: `ageLoan` moves it). */
  bookedBucket: number;
  /** 0-based index of the oldest unpaid instalment (`instalments` when all are paid), its due day and what is due. */
  oldestUnpaid: number;
  oldestUnpaidDueDay: number;
  dueOnOldest: bigint;
  paid: bigint;
  totalDue: bigint;
  /** Day its negative record stops counting; 0 when it has none. */
  negativeUntil: number;
}

/** A loan's terms and delinquency now, read from the registry (`termsOf`, `delinquencyOf`). */
export async function delinquency(credit: CreditRegistry, id: string): Promise<LoanDelinquency> {
  const [terms, d] = await Promise.all([credit.termsOf(id), credit.delinquencyOf(id)]);
  const plan = planOf(terms.plan);
  const dpd = Number(d.daysPastDue);
  const bucket = delinquencyBucket(dpd);
  return {
    aprBps: Number(terms.aprBps),
    ...(plan === undefined ? {} : { plan }),
    daysPastDue: dpd,
    bucket,
    bucketLabel: DELINQUENCY_BUCKETS[bucket],
    bookedBucket: Number(terms.bucket),
    oldestUnpaid: Number(d.oldestUnpaid),
    oldestUnpaidDueDay: Number(d.oldestUnpaidDueDay),
    dueOnOldest: d.dueOnOldest,
    paid: d.paid,
    totalDue: d.totalDue,
    negativeUntil: Number(terms.negativeUntil),
  };
}

/** A plan as the registry returns it, or undefined for none (0 instalments). */
export function planOf(p: ICreditRegistryTypes.PlanStructOutput): Plan | undefined {
  if (Number(p.instalments) === 0) return undefined;
  return {
    instalments: Number(p.instalments),
    frequency: Number(p.frequency) as Frequency,
    firstDueDay: Number(p.firstDueDay),
    instalment: p.instalment,
    finalInstalment: p.finalInstalment,
  };
}

// ─── Consents ───────────────────────────────────────────────────────────────

/** A consent id: 32 bytes of hex, lower-cased. */
export function checkConsentId(id: string): string {
  if (!isHexString(id.trim(), 32)) throw new Error(`consent id "${id}" must be 32 bytes of hex (0x + 64 hex digits)`);
  return id.trim().toLowerCase();
}

/** The id of the consent member `holder` records for document `documentHash`: keccak256(abi.encode(uint32, bytes32)),
 *  known before the record is mined. */
export function consentIdOf(holder: bigint | number, documentHash: string): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["uint32", "bytes32"], [holder, documentHash]));
}

/** A consent as a lender records it. */
export interface ConsentRequest {
  borrowerKey: string;
  /** The salted hash of the signed consent document (`consentCommitment`). */
  documentHash: string;
  purpose: ConsentPurposeName | string;
  /** Unix seconds; the consent is in force strictly before it. */
  expiresAt: bigint | number;
  /** Members besides the holder that may rely on it (at most 4). */
  covered?: readonly (bigint | number)[];
}

/** Records a consent collected by the signer's member (a Lender); returns its id. */
export async function recordConsent(
  consents: ConsentBook,
  req: ConsentRequest,
): Promise<{ id: string; receipt: ContractTransactionReceipt }> {
  const input = {
    borrowerKey: req.borrowerKey,
    documentHash: req.documentHash,
    purpose: consentPurpose(req.purpose),
    expiresAt: req.expiresAt,
    covered: [...(req.covered ?? [])],
  };
  const receipt = await mined(await consents.recordConsent(input));
  return { id: eventArg<string>(consents, receipt, "ConsentRecorded", "id"), receipt };
}

/** Records the borrower's withdrawal of consent `id` (its holder or a Regulator), with a reason code. */
export async function revokeConsent(
  consents: ConsentBook,
  id: string,
  reason: string,
): Promise<ContractTransactionReceipt> {
  return mined(await consents.revokeConsent(checkConsentId(id), reasonCode(reason)));
}

// ─── The score ──────────────────────────────────────────────────────────────

const MAX = 4_294_967_295;

/**
 * The published scorecard every deployment starts with (docs/credit-score.md): base 300, then points per bin of each
 * attribute, in the order Defaults, Delinquency, Lenders, Utilisation (%), Inquiries, History (days). A value falls in
 * the first bin `i` with `value <= edges[i]`, else in the last. Scores run from 300 to 850.
 */
export const DEFAULT_SCORECARD: {
  base: number;
  attributes: { edges: [number, number, number, number, number]; points: number[] }[];
} = {
  base: 300,
  attributes: [
    { edges: [0, 1, 2, MAX, MAX], points: [150, 60, 20, 0, 0, 0] },
    { edges: [0, 1, 2, 3, 4], points: [150, 110, 60, 20, 0, 0] },
    { edges: [1, 2, 3, 5, MAX], points: [60, 50, 35, 15, 0, 0] },
    { edges: [30, 50, 75, 100, MAX], points: [80, 65, 45, 20, 0, 0] },
    { edges: [0, 1, 2, 4, MAX], points: [50, 40, 28, 10, 0, 0] },
    { edges: [0, 179, 364, 729, 1824], points: [0, 10, 20, 35, 50, 60] },
  ],
};

/** The scored attributes, in scorecard order; reason code = index + 1. */
export const SCORE_ATTRIBUTES = ["Defaults", "Delinquency", "Lenders", "Utilisation", "Inquiries", "History"] as const;
export type ScoreAttributeName = (typeof SCORE_ATTRIBUTES)[number];

/** The adverse-action wording of each reason code (docs/credit-score.md). */
export const REASON_TEXTS: Readonly<Record<number, string>> = {
  1: "Serious delinquency or default on record",
  2: "Payments past due on instalment loans",
  3: "Too many lenders with active loans",
  4: "Balances too high against the limit",
  5: "Too many recent credit inquiries",
  6: "Length of credit history too short",
};

export interface ScoreReason {
  code: number;
  attribute: ScoreAttributeName;
  text: string;
}

/** Reason codes as the score contract returns them (0 = none) in words, most points lost first. */
export function scoreReasons(codes: readonly (bigint | number)[]): ScoreReason[] {
  return codes
    .map(Number)
    .filter((code) => code !== 0)
    .map((code) => ({
      code,
      attribute: SCORE_ATTRIBUTES[code - 1] ?? (`#${code}` as ScoreAttributeName),
      text: REASON_TEXTS[code] ?? `reason code ${code}`,
    }));
}

/** A borrower's shared score now (300 to 850) and the reasons that cost it the most points. */
export async function scoreOf(score: CreditScore, key: string): Promise<{ score: number; reasons: ScoreReason[] }> {
  const [value, codes] = await score.scoreOf(key);
  return { score: Number(value), reasons: scoreReasons(codes) };
}

/** The free view of a borrower's aggregates (not logged: for tooling, not for lending decisions). */
export async function exposureOf(credit: CreditRegistry, key: string): Promise<Exposure> {
  return credit.exposureOf(key);
}

/** The product kinds whose APR the policy caps (CreditRegistryBase._capped). */
const APR_CAPPED: readonly ProductKindName[] = ["ConsumerLoan", "JointLoan"];

/** A policy limit a new loan would break. */
export interface PolicyBreach {
  limit: PolicyLimitName;
  value: bigint;
  max: bigint;
}

/**
 * The limits a new loan of `outstanding` by a lender would break, given the borrower's exposure and whether that
 * lender already has a live loan to the borrower: the same rule the contract applies at registration. The `aprBps`
 * of a consumer or joint loan (the kinds the contract caps; a consumer loan when `kind` is not given) is checked
 * against the APR cap when given.
 */
export function assessPolicy(
  exposure: Pick<Exposure, "activeLenders" | "outstanding" | "inquiries">,
  policy: Pick<Policy, "maxLenders" | "maxOutstanding" | "maxInquiries"> & Partial<Pick<Policy, "maxAprBps">>,
  loan: { outstanding: bigint; lenderHasLiveLoan: boolean; aprBps?: number; kind?: ProductKindName },
): PolicyBreach[] {
  const checks: [PolicyLimitName, bigint, bigint][] = [
    ...(APR_CAPPED.includes(loan.kind ?? "ConsumerLoan") && loan.aprBps !== undefined
      ? ([["Apr", BigInt(loan.aprBps), policy.maxAprBps ?? 0n]] as [PolicyLimitName, bigint, bigint][])
      : []),
    ["DistinctLenders", exposure.activeLenders + (loan.lenderHasLiveLoan ? 0n : 1n), policy.maxLenders],
    ["Outstanding", exposure.outstanding + loan.outstanding, policy.maxOutstanding],
    ["Inquiries", exposure.inquiries, policy.maxInquiries],
  ];
  return checks
    .filter(([, value, max]) => max !== 0n && value > max)
    .map(([limit, value, max]) => ({ limit, value, max }));
}
