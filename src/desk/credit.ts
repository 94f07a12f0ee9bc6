/**
 * A lender's desk on the credit registry: each operation takes the operator's input as text (as a task option or a
 * JSON field gives it), checks it, sends, and returns what happened as data. The `credit:*` tasks print it; the
 * service answers with it. Borrower ids are keyed with the consortium key here and never leave this module.
 */
import { hexlify, isHexString, type ContractTransactionReceipt } from "ethers";

import { checkSalt, commitment, consentCommitment, newSalt } from "../commitments.js";
import {
  BatchRejectedError,
  DEFAULT_BATCH_SIZE,
  LOAN_STATUSES,
  PRODUCT_KINDS,
  POLICY_MODES,
  assessPolicy,
  dayOf,
  inquire,
  loanIdOf,
  loanInput,
  loanRef,
  loanStatus,
  loanStatusName,
  parseLoanCsv,
  productKind,
  readRegistration,
  registerJointLoan,
  registerLoan,
  type Exposure,
  type LineError,
  type LoanFileRow,
  type LoanRecordData,
  type LoanStatusName,
  type PolicyBreach,
  type RegistrationResult,
} from "../credit.js";
import type { TradelineContracts } from "../deployment.js";
import { decodeCode, minorUnits, parseAmount, reasonCode } from "../encoding.js";
import { decodeError } from "../errors.js";
import { InputError, checked, parseMemberId, requireOption, wholeNumber, type Labels } from "../input.js";
import { borrowerKey, normalizeIdNumber, normalizeIdType, type ConsortiumKey } from "../keys.js";
import { chainTime, mined } from "../tx.js";

/** What a desk works with: the contracts connected to the member's signer, and the consortium key. */
export interface Desk {
  contracts: TradelineContracts;
  consortiumKey: () => Promise<ConsortiumKey>;
  signer: { getAddress(): Promise<string> };
  /** How inputs are named in messages: `optionLabels` for a task, `fieldLabels` for the API. */
  label: Labels;
}

export interface Currency {
  code: string;
  decimals: number;
}

/** The credit registry's reporting currency and its minor units. */
export async function currencyOf(c: TradelineContracts): Promise<Currency> {
  const code = decodeCode(await c.credit.reportingCurrency());
  return { code, decimals: minorUnits(code) };
}

/** An id for printing and logs: its type and last four characters only. */
export function maskId(idType: string, idNumber: string): string {
  const n = normalizeIdNumber(idNumber);
  return `${idType.trim().toUpperCase()} ****${n.slice(-4)}`;
}

/** The signer's member id. */
export async function memberOfSigner(desk: Desk): Promise<bigint> {
  return desk.contracts.members.memberOf(await desk.signer.getAddress());
}

function amount(desk: Desk, field: string, text: string, decimals: number): bigint {
  const name = desk.label(field);
  return checked(name, () => parseAmount(requireOption(text, name), decimals, { name, bits: 64 }));
}

// ─── Registration ─────────────────────────────────────────────────────────────

export interface LoanRequest {
  borrowerType: string;
  borrowerId: string;
  ref: string;
  /** A product kind name; default ConsumerLoan. */
  product?: string;
  principal: string;
  /** Default: the principal. */
  outstanding?: string;
  originated: string;
  matures: string;
  /** The record commitment's salt; default a fresh one (returned: the lender keeps it). */
  salt?: string;
  /** A JointLoan's funders: member ids with shares in basis points summing to 10,000. */
  funders?: { member: string | number; shareBps: string | number }[];
}

export interface Registered {
  kind: string;
  ref: string;
  /** The borrower as it may be shown: id type and the id's last four characters. */
  borrower: string;
  borrowerKey: string;
  outstanding: bigint;
  currency: Currency;
  result: RegistrationResult;
  exposure: Exposure;
  salt: string;
}

export async function register(desk: Desk, req: LoanRequest): Promise<Registered> {
  const c = desk.contracts;
  const cur = await currencyOf(c);
  const kind = PRODUCT_KINDS[checked(desk.label("product"), () => productKind(req.product?.trim() || "ConsumerLoan"))];
  const principal = amount(desk, "principal", req.principal, cur.decimals);
  const record: LoanRecordData = {
    loanRef: requireOption(req.ref, desk.label("ref")),
    idType: requireOption(req.borrowerType, desk.label("borrowerType")),
    idNumber: requireOption(req.borrowerId, desk.label("borrowerId")),
    kind,
    principal,
    outstanding:
      (req.outstanding ?? "") === "" ? principal : amount(desk, "outstanding", req.outstanding!, cur.decimals),
    originated: requireOption(req.originated, desk.label("originated")),
    matures: requireOption(req.matures, desk.label("matures")),
  };
  const salt = (req.salt ?? "") === "" ? newSalt() : checkSalt(req.salt!, desk.label("salt"));
  checked(desk.label("borrowerType"), () => normalizeIdType(record.idType));
  const key = await desk.consortiumKey();
  const built = checked(desk.label("borrowerId"), () => loanInput(key, record, salt));
  const joint = kind === "JointLoan";
  const funders = (req.funders ?? []).map((f, i) => ({
    member: parseMemberId(String(f.member), `${desk.label("funders")}[${i}].member`),
    shareBps: wholeNumber(String(f.shareBps), `${desk.label("funders")}[${i}].shareBps`, 10_000),
  }));
  if (joint !== funders.length > 0) {
    const name = desk.label("funders");
    throw new InputError(name, `a JointLoan needs ${name}, and only a JointLoan takes them`);
  }
  const result = joint ? await registerJointLoan(c.credit, built, funders) : await registerLoan(c.credit, built);
  return {
    kind,
    ref: record.loanRef,
    borrower: maskId(record.idType, record.idNumber),
    borrowerKey: String(built.borrowerKey),
    outstanding: record.outstanding,
    currency: cur,
    result,
    exposure: await c.credit.exposureOf(built.borrowerKey),
    salt,
  };
}

// ─── Repayments and status ────────────────────────────────────────────────────

export interface Repaid {
  amount: bigint;
  currency: Currency;
  /** The outstanding after the repayment, and the new status when it changed. */
  outstanding?: bigint;
  status?: LoanStatusName;
  receipt: ContractTransactionReceipt;
}

export async function repay(desk: Desk, req: { ref: string; amount: string }): Promise<Repaid> {
  const c = desk.contracts;
  const cur = await currencyOf(c);
  const value = amount(desk, "amount", req.amount, cur.decimals);
  const ref = checked(desk.label("ref"), () => loanRef(requireOption(req.ref, desk.label("ref"))));
  const receipt = await mined(await c.credit.reportRepayment(ref, value));
  const out: Repaid = { amount: value, currency: cur, receipt };
  for (const log of receipt.logs) {
    const parsed = c.credit.interface.parseLog(log);
    if (parsed?.name === "LoanRepaid") out.outstanding = parsed.args.outstanding as bigint;
    if (parsed?.name === "LoanStatusChanged") out.status = loanStatusName(parsed.args.to as bigint);
  }
  return out;
}

export interface StatusChanged {
  ref: string;
  from: LoanStatusName;
  to: LoanStatusName;
  receipt: ContractTransactionReceipt;
}

export async function changeStatus(desk: Desk, req: { ref: string; to: string }): Promise<StatusChanged> {
  const ref = requireOption(req.ref, desk.label("ref"));
  const to = checked(desk.label("to"), () => loanStatus(requireOption(req.to, desk.label("to"))));
  const key = checked(desk.label("ref"), () => loanRef(ref));
  const from = loanStatusName((await desk.contracts.credit.getLoan(loanIdOf(await memberOfSigner(desk), ref))).status);
  const receipt = await mined(await desk.contracts.credit.reportStatus(key, to));
  return { ref, from, to: LOAN_STATUSES[to], receipt };
}

// ─── Inquiry ──────────────────────────────────────────────────────────────────

export interface CheckRequest {
  borrowerType: string;
  borrowerId: string;
  /** Default NEW_LOAN. */
  purpose?: string;
  /** The consent's reference text (committed to with a salt; never a hash). */
  consent: string;
  /** To repeat an earlier commitment; default a fresh salt. */
  consentSalt?: string;
  /** The new loan's amount the policy verdict is for; default 0. */
  amount?: string;
}

export interface Checked {
  borrower: string;
  borrowerKey: string;
  member: bigint;
  currency: Currency;
  exposure: Exposure;
  /** The policy's mode, and the limits a new loan of `amount` from this member would break. */
  mode: (typeof POLICY_MODES)[number];
  amount: bigint;
  breaches: PolicyBreach[];
  consent: string;
  consentSalt: string;
  receipt: ContractTransactionReceipt;
}

/**
 * The consent's commitment: its text committed to with the given salt (to repeat an earlier commitment), or a fresh
 * one the lender must keep with the signed authorization. A 32-byte hex value is refused: a commitment cannot be
 * told from a plain hash of the form, which a guess of the form's text would reverse.
 */
function consentOf(desk: Desk, text: string, saltText: string | undefined): { consent: string; salt: string } {
  const name = desk.label("consent");
  const t = requireOption(text, name);
  if (isHexString(t, 32)) {
    throw new InputError(
      name,
      `${name} takes the authorization's reference text, not a hash: it is committed to with a salt ` +
        `(give ${desk.label("consentSalt")} to repeat an earlier commitment)`,
    );
  }
  const salt = (saltText ?? "").trim() === "" ? newSalt() : checkSalt(saltText!, desk.label("consentSalt"));
  return { consent: consentCommitment(t, salt), salt };
}

export async function check(desk: Desk, req: CheckRequest): Promise<Checked> {
  const c = desk.contracts;
  const cur = await currencyOf(c);
  const idType = requireOption(req.borrowerType, desk.label("borrowerType"));
  const idNumber = requireOption(req.borrowerId, desk.label("borrowerId"));
  const loanAmount = (req.amount ?? "") === "" ? 0n : amount(desk, "amount", req.amount!, cur.decimals);
  const { consent, salt } = consentOf(desk, req.consent, req.consentSalt);
  const purpose = (req.purpose ?? "") === "" ? "NEW_LOAN" : req.purpose!;
  checked(desk.label("purpose"), () => reasonCode(purpose));
  checked(desk.label("borrowerType"), () => normalizeIdType(idType));
  const key = checked(desk.label("borrowerId"), () => borrowerKeyOf(idType, idNumber));
  const k = key(await desk.consortiumKey());
  const { exposure, receipt } = await inquire(c.credit, k, purpose, consent);
  const me = await memberOfSigner(desk);
  const policy = await c.credit.policy();
  const lenderHasLiveLoan = (await c.credit.liveLoansOf(k, me)) > 0n;
  return {
    borrower: maskId(idType, idNumber),
    borrowerKey: k,
    member: me,
    currency: cur,
    exposure,
    mode: POLICY_MODES[Number(policy.mode)],
    amount: loanAmount,
    breaches: assessPolicy(exposure, policy, { outstanding: loanAmount, lenderHasLiveLoan }),
    consent,
    consentSalt: salt,
    receipt,
  };
}

/** Checks an id before the key is needed, so a bad id is an input error whatever the key. */
function borrowerKeyOf(idType: string, idNumber: string): (key: ConsortiumKey) => string {
  normalizeIdNumber(idNumber);
  return (key) => borrowerKey(key, idType, idNumber);
}

// ─── Disputes ─────────────────────────────────────────────────────────────────

export const DISPUTE_ACTIONS = ["open", "answer", "correct", "resolve"] as const;
export type DisputeAction = (typeof DISPUTE_ACTIONS)[number];

export interface DisputeRequest {
  action?: string;
  /** The reporting lender's member id (open, correct, resolve). */
  lender?: string;
  ref: string;
  reason: string;
  /** correct: the corrected status and outstanding, and the corrected record's commitment. */
  to?: string;
  outstanding?: string;
  commitment?: string;
  /** answer: the answer commitment's salt; default a fresh one. */
  salt?: string;
}

export interface DisputeDone {
  action: DisputeAction;
  ref: string;
  /** answer: the answer's commitment and its salt (the lender keeps it). */
  answer?: { commitment: string; salt: string };
  receipt: ContractTransactionReceipt;
}

export async function dispute(desk: Desk, req: DisputeRequest): Promise<DisputeDone> {
  const c = desk.contracts;
  const action = ((req.action ?? "") === "" ? "open" : req.action!.trim().toLowerCase()) as DisputeAction;
  if (!DISPUTE_ACTIONS.includes(action)) {
    const name = desk.label("action");
    throw new InputError(name, `${name} "${req.action}": expected open, answer, correct or resolve`);
  }
  const refText = requireOption(req.ref, desk.label("ref"));
  const ref = checked(desk.label("ref"), () => loanRef(refText));
  const reasonText = requireOption(req.reason, desk.label("reason"));
  const reason = checked(desk.label("reason"), () => reasonCode(reasonText));
  const lender = () => parseMemberId(requireOption(req.lender, desk.label("lender")), desk.label("lender"));
  let tx;
  let answer: DisputeDone["answer"];
  switch (action) {
    case "open":
      tx = await c.credit.openDispute(lender(), ref, reason);
      break;
    case "answer": {
      const salt = (req.salt ?? "").trim() === "" ? newSalt() : checkSalt(req.salt!, desk.label("salt"));
      answer = { commitment: commitment("dispute-answer", reasonText, salt), salt };
      tx = await c.credit.answerDispute(ref, answer.commitment);
      break;
    }
    case "correct": {
      const cur = await currencyOf(c);
      const name = desk.label("commitment");
      const value = requireOption(req.commitment, name);
      if (!isHexString(value, 32)) throw new InputError(name, `${name} must be 32 bytes of hex (0x + 64 hex digits)`);
      if (/^0x0{64}$/i.test(value))
        throw new InputError(name, `${name} is zero: give the corrected record's commitment`);
      // The corrected outstanding is always stated, 0 included: a missing input must not book a zero.
      const outName = desk.label("outstanding");
      const outstandingText = requireOption(req.outstanding, outName);
      const outstanding = /^\s*0+(\.0*)?\s*$/.test(outstandingText)
        ? 0n
        : amount(desk, "outstanding", outstandingText, cur.decimals);
      const to = checked(desk.label("to"), () => loanStatus(requireOption(req.to, desk.label("to"))));
      tx = await c.credit.correctLoan(lender(), ref, { status: to, outstanding, commitment: value }, reason);
      break;
    }
    case "resolve":
      tx = await c.credit.resolveDispute(lender(), ref, reason);
      break;
  }
  return { action, ref: refText, ...(answer === undefined ? {} : { answer }), receipt: await mined(tx) };
}

// ─── Loan files ───────────────────────────────────────────────────────────────

/** A loan file with bad lines: every one with its line number; nothing was sent. */
export class LoanFileError extends Error {
  constructor(readonly errors: LineError[]) {
    super(
      `${errors.length} bad row(s); nothing was sent\n` +
        errors.map((e) => `  line ${e.line}: ${e.message}`).join("\n"),
    );
    this.name = "LoanFileError";
  }
}

/** A checked loan file: the rows still to send, and those already on the chain (matched by loan reference). */
export interface LoanFilePlan {
  rows: LoanFileRow[];
  pending: LoanFileRow[];
  alreadyRegistered: LoanFileRow[];
}

/**
 * Checks a loan file line by line (`parseLoanCsv`) and against the chain: a row whose loan reference this member
 * already registered is skipped when the chain holds the same record (borrower, product, principal, dates), so
 * the file can be sent again after a crash; a different record under that reference is a bad line. Throws a
 * `LoanFileError` listing every bad line, before anything is sent.
 */
export async function planLoanFile(desk: Desk, text: string): Promise<LoanFilePlan> {
  const c = desk.contracts;
  const cur = await currencyOf(c);
  const today = dayOf(await chainTime(c.credit.runner));
  const { rows, errors } = parseLoanCsv(text, await desk.consortiumKey(), { decimals: cur.decimals, today });
  const me = await memberOfSigner(desk);
  const pending: LoanFileRow[] = [];
  const alreadyRegistered: LoanFileRow[] = [];
  for (const row of rows) {
    const onChain = await c.credit.getLoan(loanIdOf(me, row.record.loanRef));
    if (Number(onChain.status) === 0) {
      pending.push(row);
    } else if (
      onChain.borrowerKey === row.input.borrowerKey &&
      BigInt(onChain.kind) === BigInt(row.input.kind) &&
      onChain.principal === BigInt(row.input.principal) &&
      onChain.originationDay === BigInt(row.input.originationDay) &&
      onChain.maturityDay === BigInt(row.input.maturityDay)
    ) {
      alreadyRegistered.push(row);
    } else {
      errors.push({
        line: row.line,
        message: `loan_ref ${row.record.loanRef} is already on the chain for a different record`,
      });
    }
  }
  if (errors.length > 0) throw new LoanFileError(errors.sort((a, b) => a.line - b.line));
  return { rows, pending, alreadyRegistered };
}

/** A planned file cut into batches, each simulated against the chain: what `sendCheckedLoanFile` sends. */
export interface CheckedLoanFile {
  plan: LoanFilePlan;
  batches: LoanFileRow[][];
}

/**
 * Cuts a planned file's pending rows into batches of `batchSize` and simulates every one, so a record the chain
 * would refuse is reported with its line before anything is sent.
 */
export async function checkLoanFile(
  desk: Desk,
  plan: LoanFilePlan,
  batchSize: number = DEFAULT_BATCH_SIZE,
): Promise<CheckedLoanFile> {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    const name = desk.label("batchSize");
    throw new InputError(name, `${name} "${batchSize}" must be a positive integer`);
  }
  // A borrower's rows all go in one batch, so that each batch's simulation sees every limit they add up to (the
  // policy's limits are per borrower): a batch takes borrowers whole until the next would pass `batchSize`, and a
  // borrower with more rows than that is a batch of its own.
  const byBorrower = new Map<string, LoanFileRow[]>();
  for (const row of plan.pending) {
    const k = hexlify(row.input.borrowerKey);
    const rows = byBorrower.get(k);
    if (rows === undefined) byBorrower.set(k, [row]);
    else rows.push(row);
  }
  const batches: LoanFileRow[][] = [];
  let batch: LoanFileRow[] = [];
  for (const rows of byBorrower.values()) {
    if (batch.length > 0 && batch.length + rows.length > batchSize) {
      batches.push(batch);
      batch = [];
    }
    batch.push(...rows);
  }
  if (batch.length > 0) batches.push(batch);
  let offset = 0;
  for (const checked of batches) {
    const at = offset;
    offset += checked.length;
    await desk.contracts.credit.registerLoans.staticCall(checked.map((r) => r.input)).catch((err: unknown) => {
      const decoded = decodeError(err);
      if (decoded?.name !== "CreditBatchRecordRejected") throw new BatchRejectedError(at, err);
      const row = checked[Number(decoded.args.index)];
      throw new LoanFileError([{ line: row.line, message: `would be refused: ${String(decoded.args.reason)}` }]);
    });
  }
  return { plan, batches };
}

/**
 * Sends a checked file's batches; `onBatch` hears of each batch mined (a job's progress). If sending stops
 * part-way, the batches mined stay and `planLoanFile` on the same file resumes after them.
 */
export async function sendCheckedLoanFile(
  desk: Desk,
  checked: CheckedLoanFile,
  onBatch?: (done: number, receipt: ContractTransactionReceipt) => Promise<void> | void,
): Promise<RegistrationResult> {
  const c = desk.contracts;
  const receipts: ContractTransactionReceipt[] = [];
  let done = 0;
  for (const batch of checked.batches) {
    const receipt = await mined(await c.credit.registerLoans(batch.map((r) => r.input)));
    receipts.push(receipt);
    done += batch.length;
    await onBatch?.(done, receipt);
  }
  return readRegistration(c.credit, receipts);
}

/** Checks, then sends, a planned file (`checkLoanFile`, `sendCheckedLoanFile`). */
export async function sendLoanFile(
  desk: Desk,
  plan: LoanFilePlan,
  options: {
    batchSize?: number;
    onBatch?: (done: number, receipt: ContractTransactionReceipt) => Promise<void> | void;
  } = {},
): Promise<RegistrationResult> {
  return sendCheckedLoanFile(desk, await checkLoanFile(desk, plan, options.batchSize), options.onBatch);
}
