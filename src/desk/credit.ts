/**
 * A lender's desk on the credit registry: each operation takes the operator's input as text (as a task option or a
 * JSON field gives it), checks it, sends, and returns what happened as data. The `credit:*` tasks print it; the
 * service answers with it. Borrower ids are keyed with the consortium key here and never leave this module.
 */
import { hexlify, isHexString, type ContractTransactionReceipt } from "ethers";

import { commitment, consentCommitment, givenOrNewSalt } from "../commitments.js";
import {
  BatchRejectedError,
  CONSENT_PURPOSES,
  DEFAULT_BATCH_SIZE,
  LOAN_STATUSES,
  PRODUCT_KINDS,
  POLICY_MODES,
  ageLoan,
  assessPolicy,
  completeRecord,
  consentPurpose,
  collectionInquiry,
  dayNumber,
  dayOf,
  delinquency,
  frequency as frequencyIndex,
  inquire,
  isoDate,
  loanIdOf,
  loanInput,
  loanRef,
  newLoanRef,
  loanStatus,
  loanStatusName,
  parseAprBps,
  parseLoanCsv,
  productKind,
  readRegistration,
  registerJointLoan,
  registerLoan,
  batchesByKey,
  recordConsent as recordConsentOn,
  revokeConsent as revokeConsentOn,
  scoreOf,
  type ConsentPurposeName,
  type ProductKindName,
  type Exposure,
  type LoanDelinquency,
  type LineError,
  type LoanFileRow,
  type LoanRecordData,
  type LoanStatusName,
  type PolicyBreach,
  type RegistrationResult,
  type ScoreReason,
} from "../credit.js";
import type { TradelineContracts } from "../deployment.js";
import { decodeCode, minorUnits, parseAmount, reasonCode } from "../encoding.js";
import { decodeError } from "../errors.js";
import { InputError, checked, parseMemberId, requireOption, wholeNumber, type Labels } from "../input.js";
import { borrowerKey, normalizeIdNumber, normalizeIdType, type ConsortiumKey } from "../keys.js";
import { Frequency, amortisingPlan, dueDay, totalDue, type Plan } from "../schedule.js";
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
  return desk.contracts.members.memberForKey(await desk.signer.getAddress());
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
  /** With a plan, default (and required to be) the plan's last due day. */
  matures?: string;
  /** The record commitment's salt; default a fresh one (returned: the lender keeps it). */
  salt?: string;
  /** The disclosed APR in basis points; a consumer loan with a plan and none gets its computed APR. */
  aprBps?: string;
  /** An instalment plan: the number of instalments (empty for none), Weekly or Monthly (default Monthly), the first
   *  due date, and either the instalment (and the final one, default the same) or a nominal annual rate in basis
   *  points that amortises the principal (`amortisingPlan`). */
  instalments?: string;
  frequency?: string;
  firstDue?: string;
  instalment?: string;
  finalInstalment?: string;
  amortiseRateBps?: string;
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
  /** The APR the loan was registered with (computed for a consumer loan's plan when not given); 0 for none. */
  aprBps: number;
  plan?: Plan;
  /** The record as committed to (the lender keeps it with the salt). */
  record: LoanRecordData;
}

/** The plan a request describes, or undefined when it gives no instalments. */
function planOf(desk: Desk, req: LoanRequest, principal: bigint, decimals: number): Plan | undefined {
  const count = (req.instalments ?? "").trim();
  const name = desk.label("instalments");
  const planFields = ["frequency", "firstDue", "instalment", "finalInstalment", "amortiseRateBps"] as const;
  if (count === "") {
    const stray = planFields.find((f) => (req[f] ?? "").trim() !== "");
    if (stray !== undefined) throw new InputError(name, `${desk.label(stray)} describes a plan: give ${name} too`);
    return undefined;
  }
  const instalments = wholeNumber(count, name, 120);
  const freq = checked(desk.label("frequency"), () =>
    (req.frequency ?? "").trim() === "" ? Frequency.Monthly : frequencyIndex(req.frequency!),
  );
  const firstDueDay = checked(desk.label("firstDue"), () =>
    dayNumber(requireOption(req.firstDue, desk.label("firstDue")), desk.label("firstDue")),
  );
  const rate = (req.amortiseRateBps ?? "").trim();
  const given = (req.instalment ?? "").trim();
  if ((rate === "") === (given === "")) {
    throw new InputError(
      desk.label("instalment"),
      `a plan takes either ${desk.label("instalment")} or ${desk.label("amortiseRateBps")}, one of them`,
    );
  }
  if (rate !== "") {
    const annualRateBps = checked(desk.label("amortiseRateBps"), () =>
      parseAprBps(rate, desk.label("amortiseRateBps")),
    );
    return checked(desk.label("amortiseRateBps"), () => {
      const p = amortisingPlan({ principal, annualRateBps, instalments, frequency: freq, firstDueDay });
      // The registry's plan: the amortisation's totals stay off it.
      return {
        instalments: p.instalments,
        frequency: p.frequency,
        firstDueDay: p.firstDueDay,
        instalment: p.instalment,
        finalInstalment: p.finalInstalment,
      };
    });
  }
  const instalment = amount(desk, "instalment", given, decimals);
  const finalText = (req.finalInstalment ?? "").trim();
  const finalInstalment = finalText === "" ? instalment : amount(desk, "finalInstalment", finalText, decimals);
  return {
    instalments,
    frequency: freq,
    firstDueDay,
    instalment: instalments === 1 ? 0n : instalment,
    finalInstalment,
  };
}

/** A product kind name as input; default ConsumerLoan. */
function productInput(desk: Desk, text: string | undefined): ProductKindName {
  return PRODUCT_KINDS[checked(desk.label("product"), () => productKind(text?.trim() || "ConsumerLoan"))];
}

/** An APR in basis points as input; undefined when not given. */
function aprInput(desk: Desk, text: string | undefined): number | undefined {
  const t = (text ?? "").trim();
  return t === "" ? undefined : checked(desk.label("aprBps"), () => parseAprBps(t, desk.label("aprBps")));
}

export async function register(desk: Desk, req: LoanRequest): Promise<Registered> {
  const c = desk.contracts;
  const cur = await currencyOf(c);
  const kind = productInput(desk, req.product);
  const principal = amount(desk, "principal", req.principal, cur.decimals);
  const plan = planOf(desk, req, principal, cur.decimals);
  const aprBps = aprInput(desk, req.aprBps);
  const given: LoanRecordData = {
    loanRef: requireOption(req.ref, desk.label("ref")),
    idType: requireOption(req.borrowerType, desk.label("borrowerType")),
    idNumber: requireOption(req.borrowerId, desk.label("borrowerId")),
    kind,
    principal,
    // A plan loan's outstanding is what is due less what was paid: all of it, unless stated.
    outstanding:
      (req.outstanding ?? "") === ""
        ? plan === undefined
          ? principal
          : totalDue(plan)
        : amount(desk, "outstanding", req.outstanding!, cur.decimals),
    originated: requireOption(req.originated, desk.label("originated")),
    matures:
      plan !== undefined && (req.matures ?? "").trim() === ""
        ? isoDate(dueDay(plan, plan.instalments - 1))
        : requireOption(req.matures, desk.label("matures")),
    ...(aprBps === undefined ? {} : { aprBps }),
    ...(plan === undefined ? {} : { plan }),
  };
  const salt = givenOrNewSalt(req.salt, desk.label("salt"));
  checked(desk.label("borrowerType"), () => normalizeIdType(given.idType));
  for (const date of ["originated", "matures"] as const) {
    checked(desk.label(date), () => dayNumber(given[date], desk.label(date)));
  }
  checked(desk.label("ref"), () => newLoanRef(given.loanRef, given.idType, given.idNumber));
  const record = checked(desk.label(plan === undefined ? "matures" : "instalments"), () => completeRecord(given));
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
    aprBps: record.aprBps ?? 0,
    ...(plan === undefined ? {} : { plan }),
    record,
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
  const receipt = await mined(await c.credit.fileLoanRepayment(ref, value));
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
  const receipt = await mined(await desk.contracts.credit.fileLoanStatus(key, to));
  return { ref, from, to: LOAN_STATUSES[to], receipt };
}

// ─── Inquiry ──────────────────────────────────────────────────────────────────

export interface CheckRequest {
  borrowerType: string;
  borrowerId: string;
  /** A consent purpose name (`CONSENT_PURPOSES`); default NewCredit. It must be the consent's. */
  purpose?: string;
  /** The id of the borrower's consent in the consent book (`recordConsent` returns it). */
  consent: string;
  /** The new loan's amount the policy verdict is for; default 0. */
  amount?: string;
  /** The new loan's product kind name; default ConsumerLoan. */
  product?: string;
  /** The new loan's APR in basis points, judged against the policy's cap for the products it caps; default none. */
  aprBps?: string;
  /**
   * Collections only: the reference of the lender's own loan being collected. A written-off debt is collected this
   * way; without it, a collection needs a live loan of the borrower.
   */
  loan?: string;
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
  product: ProductKindName;
  aprBps?: number;
  breaches: PolicyBreach[];
  /** The consent id the inquiry relied on, and its purpose. */
  consent: string;
  purpose: ConsentPurposeName;
  receipt: ContractTransactionReceipt;
}

/** A consent id given as input: 32 bytes of hex. */
function consentIdInput(desk: Desk, text: string | undefined, field = "consent"): string {
  const name = desk.label(field);
  const t = requireOption(text, name).trim();
  if (!isHexString(t, 32)) {
    throw new InputError(name, `${name} takes a consent id (0x + 64 hex digits), as recording the consent printed it`);
  }
  return t.toLowerCase();
}

function purposeInput(desk: Desk, text: string | undefined): ConsentPurposeName {
  const name = desk.label("purpose");
  const t = (text ?? "").trim() === "" ? "NewCredit" : text!;
  return CONSENT_PURPOSES[checked(name, () => consentPurpose(t))];
}

export async function check(desk: Desk, req: CheckRequest): Promise<Checked> {
  const c = desk.contracts;
  const cur = await currencyOf(c);
  const idType = requireOption(req.borrowerType, desk.label("borrowerType"));
  const idNumber = requireOption(req.borrowerId, desk.label("borrowerId"));
  const loanAmount = (req.amount ?? "") === "" ? 0n : amount(desk, "amount", req.amount!, cur.decimals);
  const kind = productInput(desk, req.product);
  const aprBps = aprInput(desk, req.aprBps);
  const consent = consentIdInput(desk, req.consent);
  const purpose = purposeInput(desk, req.purpose);
  checked(desk.label("borrowerType"), () => normalizeIdType(idType));
  const key = checked(desk.label("borrowerId"), () => borrowerKeyOf(idType, idNumber));
  const loan = (req.loan ?? "").trim();
  if (loan !== "") {
    const name = desk.label("loan");
    if (purpose !== "Collections") {
      throw new InputError(name, `${name} names the loan a Collections look-up collects; this look-up is ${purpose}`);
    }
    checked(name, () => loanRef(loan));
  }
  const k = key(await desk.consortiumKey());
  const { exposure, receipt } =
    loan === "" ? await inquire(c.credit, k, purpose, consent) : await collectionInquiry(c.credit, k, loan, consent);
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
    product: kind,
    ...(aprBps === undefined ? {} : { aprBps }),
    breaches: assessPolicy(exposure, policy, { outstanding: loanAmount, lenderHasLiveLoan, aprBps, kind }),
    consent,
    purpose,
    receipt,
  };
}

// ─── Consents ─────────────────────────────────────────────────────────────────

export interface ConsentRequest {
  borrowerType: string;
  borrowerId: string;
  /** The signed consent document's reference text (committed to with a salt; never a hash). */
  document: string;
  /** To repeat an earlier commitment; default a fresh salt (returned: keep it with the signed document). */
  documentSalt?: string;
  /** A consent purpose name; default NewCredit. */
  purpose?: string;
  /** The last day the consent is in force, YYYY-MM-DD (UTC): it expires at the end of it. */
  expires: string;
  /** Members besides yours that may rely on it: ids, comma-separated. */
  covered?: string;
}

export interface ConsentRecorded {
  id: string;
  borrower: string;
  borrowerKey: string;
  purpose: ConsentPurposeName;
  documentHash: string;
  documentSalt: string;
  /** Unix seconds: in force strictly before. */
  expiresAt: number;
  covered: bigint[];
  receipt: ContractTransactionReceipt;
}

/** Records a borrower's consent collected by the signer's member, under its document's salted commitment. */
export async function recordConsent(desk: Desk, req: ConsentRequest): Promise<ConsentRecorded> {
  const idType = requireOption(req.borrowerType, desk.label("borrowerType"));
  const idNumber = requireOption(req.borrowerId, desk.label("borrowerId"));
  const docName = desk.label("document");
  const doc = requireOption(req.document, docName);
  if (isHexString(doc.trim(), 32)) {
    throw new InputError(
      docName,
      `${docName} takes the signed consent's reference text, not a hash: it is committed to with a salt ` +
        `(give ${desk.label("documentSalt")} to repeat an earlier commitment)`,
    );
  }
  const salt = givenOrNewSalt(req.documentSalt, desk.label("documentSalt"));
  const purpose = purposeInput(desk, req.purpose);
  const expiresAt = checked(desk.label("expires"), () => {
    const day = dayNumber(requireOption(req.expires, desk.label("expires")), desk.label("expires"));
    return (day + 1) * 86_400;
  });
  const covered =
    (req.covered ?? "").trim() === ""
      ? []
      : req.covered!.split(",").map((m) => parseMemberId(m.trim(), desk.label("covered")));
  checked(desk.label("borrowerType"), () => normalizeIdType(idType));
  const key = checked(desk.label("borrowerId"), () => borrowerKeyOf(idType, idNumber))(await desk.consortiumKey());
  const documentHash = consentCommitment(doc, salt);
  const { id, receipt } = await recordConsentOn(desk.contracts.consents, {
    borrowerKey: key,
    documentHash,
    purpose,
    expiresAt,
    covered,
  });
  return {
    id,
    borrower: maskId(idType, idNumber),
    borrowerKey: key,
    purpose,
    documentHash,
    documentSalt: salt,
    expiresAt,
    covered,
    receipt,
  };
}

/** Records the borrower's withdrawal of a consent (its holder or a Regulator). */
export async function revokeConsent(
  desk: Desk,
  req: { consent: string; reason: string },
): Promise<{ id: string; receipt: ContractTransactionReceipt }> {
  const id = consentIdInput(desk, req.consent);
  const reason = requireOption(req.reason, desk.label("reason"));
  checked(desk.label("reason"), () => reasonCode(reason));
  return { id, receipt: await revokeConsentOn(desk.contracts.consents, id, reason) };
}

// ─── Ageing, delinquency and the score ───────────────────────────────────────

export interface Aged {
  loanId: string;
  /** The status change and the delinquency-bucket change it applied, and whether a negative record expired. */
  status?: { from: LoanStatusName; to: LoanStatusName };
  bucket?: { from: number; to: number; daysPastDue: number };
  negativeRecordExpired: boolean;
  delinquency: LoanDelinquency;
  receipt: ContractTransactionReceipt;
}

function loanIdInput(desk: Desk, text: string | undefined): string {
  const name = desk.label("loanId");
  const t = requireOption(text, name).trim();
  if (!isHexString(t, 32)) throw new InputError(name, `${name} takes a loan id (0x + 64 hex digits)`);
  return t.toLowerCase();
}

/** Applies what time changed on a loan (anyone may): see `ageLoan`. */
export async function age(desk: Desk, req: { loanId: string }): Promise<Aged> {
  const c = desk.contracts;
  const loanId = loanIdInput(desk, req.loanId);
  const receipt = await ageLoan(c.credit, loanId);
  const out: Aged = { loanId, negativeRecordExpired: false, delinquency: await delinquency(c.credit, loanId), receipt };
  for (const log of receipt.logs) {
    const parsed = c.credit.interface.parseLog(log);
    if (parsed?.name === "LoanStatusChanged") {
      out.status = { from: loanStatusName(parsed.args.from as bigint), to: loanStatusName(parsed.args.to as bigint) };
    }
    if (parsed?.name === "LoanDelinquencyChanged") {
      out.bucket = {
        from: Number(parsed.args.fromBucket),
        to: Number(parsed.args.toBucket),
        daysPastDue: Number(parsed.args.daysPastDue),
      };
    }
    if (parsed?.name === "NegativeRecordExpired") out.negativeRecordExpired = true;
  }
  return out;
}

/** A borrower's shared score and its reasons (a free view, not logged). */
export async function score(
  desk: Desk,
  req: { borrowerType: string; borrowerId: string },
): Promise<{ borrower: string; borrowerKey: string; score: number; reasons: ScoreReason[] }> {
  const who = await borrowerKeyInput(desk, req);
  return { ...who, ...(await scoreOf(desk.contracts.score, who.borrowerKey)) };
}

/** The borrower key of an id given as input (checked, with readable errors). */
export async function borrowerKeyInput(
  desk: Desk,
  req: { borrowerType: string; borrowerId: string },
): Promise<{ borrower: string; borrowerKey: string }> {
  const idType = requireOption(req.borrowerType, desk.label("borrowerType"));
  const idNumber = requireOption(req.borrowerId, desk.label("borrowerId"));
  checked(desk.label("borrowerType"), () => normalizeIdType(idType));
  const key = checked(desk.label("borrowerId"), () => borrowerKeyOf(idType, idNumber))(await desk.consortiumKey());
  return { borrower: maskId(idType, idNumber), borrowerKey: key };
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

/** The inputs only some dispute steps take, and which step takes which (`ref` and `reason` every step takes). */
const DISPUTE_FIELDS = ["lender", "to", "outstanding", "commitment", "salt"] as const;
const DISPUTE_STEP_FIELDS: Record<DisputeAction, readonly (typeof DISPUTE_FIELDS)[number][]> = {
  open: ["lender"],
  answer: ["salt"],
  correct: ["lender", "to", "outstanding", "commitment"],
  resolve: ["lender"],
};

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
  // A step's input it does not take is refused, not ignored: an answer's commitment is computed from its reason and
  // salt, and a caller who gave one must not believe it was used (review 34).
  for (const field of DISPUTE_FIELDS) {
    if ((req[field] ?? "").trim() !== "" && !DISPUTE_STEP_FIELDS[action].includes(field)) {
      const name = desk.label(field);
      throw new InputError(name, `${name} is not an input of a dispute's ${action} step`);
    }
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
      const salt = givenOrNewSalt(req.salt, desk.label("salt"));
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
 * `LoanFileError` listing every bad line, before anything is sent: the lines that do not parse before any row is
 * read from the chain (one read a row: a file with one bad line among thousands is refused at once).
 */
export async function planLoanFile(desk: Desk, text: string): Promise<LoanFilePlan> {
  const c = desk.contracts;
  const cur = await currencyOf(c);
  const today = dayOf(await chainTime(c.credit.runner));
  const { rows, errors } = parseLoanCsv(text, await desk.consortiumKey(), { decimals: cur.decimals, today });
  if (errors.length > 0) throw new LoanFileError(errors.sort((a, b) => a.line - b.line));
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
  // A borrower's rows all go in one batch, so that each batch's simulation sees every limit they add up to.
  const batches = batchesByKey(plan.pending, (row) => hexlify(row.input.borrowerKey).toLowerCase(), batchSize);
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
  beforeBatch?: (done: number) => Promise<void> | void,
): Promise<RegistrationResult> {
  const c = desk.contracts;
  const receipts: ContractTransactionReceipt[] = [];
  let done = 0;
  for (const batch of checked.batches) {
    // A caller may stop the file before any batch is signed (it throws): what was sent stays, the rest is not sent.
    await beforeBatch?.(done);
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
