/**
 * Credit registry operations behind the `credit:*` tasks: each returns the lines to print. Borrowers are given as an
 * id type and number and keyed with the consortium key; ids are masked in everything printed.
 */
import { readFile } from "node:fs/promises";

import { isHexString } from "ethers";

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
  registerJointLoan,
  registerLoan,
  registerLoans,
  type Exposure,
  type LoanRecordData,
  type RegistrationResult,
} from "../../src/credit.js";
import { checkSalt, commitment, consentCommitment, newSalt } from "../../src/commitments.js";
import type { TradelineContracts } from "../../src/deployment.js";
import { decodeCode, formatAmount, minorUnits, parseAmount, reasonCode } from "../../src/encoding.js";
import { decodeError } from "../../src/errors.js";
import { borrowerKey, normalizeIdNumber, type ConsortiumKey } from "../../src/keys.js";
import { chainTime } from "../../src/tx.js";

import { formatTable, parseMemberId, requireOption as required, wholeNumber } from "./members.js";

/** What the credit operations need from a session. */
export interface CreditSession {
  consortiumKey: () => Promise<ConsortiumKey>;
  signer: { getAddress(): Promise<string> };
}

interface Currency {
  code: string;
  decimals: number;
}

/** The credit registry's reporting currency and its minor units. */
export async function currencyOf(c: TradelineContracts): Promise<Currency> {
  const code = decodeCode(await c.credit.reportingCurrency());
  return { code, decimals: minorUnits(code) };
}

/** An id for printing: its type and last four characters only. */
export function maskId(idType: string, idNumber: string): string {
  const n = normalizeIdNumber(idNumber);
  return `${idType.trim().toUpperCase()} ****${n.slice(-4)}`;
}

function exposureLines(e: Exposure, cur: Currency): string[] {
  return formatTable([
    ["active loans", "active lenders", `outstanding (${cur.code})`, "defaults", "lenders inquiring (window)"],
    [
      String(e.activeLoans),
      String(e.activeLenders),
      formatAmount(e.outstanding, cur.decimals),
      String(e.defaults),
      String(e.inquiries),
    ],
  ]).map((l) => `  ${l}`);
}

function flagLines(result: RegistrationResult, cur: Currency): string[] {
  return result.flags.map((f) => {
    const show = (v: bigint) => (f.limit === "Outstanding" ? formatAmount(v, cur.decimals) : String(v));
    return `  FLAGGED multi-borrowing: ${f.limit} ${show(f.value)} > limit ${show(f.max)}`;
  });
}

/** Parses `--funders 3:7000,6:3000` (member id : share in basis points). */
export function parseFunders(text: string): { member: bigint; shareBps: number }[] {
  return text.split(",").map((part) => {
    const m = /^\s*(\d+)\s*:\s*(\d+)\s*$/.exec(part);
    if (m === null) throw new Error(`--funders "${text}": expected memberId:shareBps pairs, e.g. 3:7000,6:3000`);
    return { member: parseMemberId(m[1], "--funders"), shareBps: wholeNumber(m[2], "--funders share", 10_000) };
  });
}

export async function register(
  c: TradelineContracts,
  args: {
    borrowerType: string;
    borrowerId: string;
    ref: string;
    product: string;
    principal: string;
    outstanding: string;
    originated: string;
    matures: string;
    salt: string;
    funders: string;
  },
  session: CreditSession,
): Promise<string[]> {
  const cur = await currencyOf(c);
  const kind = PRODUCT_KINDS[productKind(args.product === "" ? "ConsumerLoan" : args.product)];
  const principal = parseAmount(required(args.principal, "--principal"), cur.decimals, {
    name: "--principal",
    bits: 64,
  });
  const record: LoanRecordData = {
    loanRef: required(args.ref, "--ref"),
    idType: required(args.borrowerType, "--borrower-type"),
    idNumber: required(args.borrowerId, "--borrower-id"),
    kind,
    principal,
    outstanding:
      args.outstanding === ""
        ? principal
        : parseAmount(args.outstanding, cur.decimals, { name: "--outstanding", bits: 64 }),
    originated: required(args.originated, "--originated"),
    matures: required(args.matures, "--matures"),
  };
  const salt = args.salt === "" ? newSalt() : args.salt;
  const input = loanInput(await session.consortiumKey(), record, salt);
  const joint = kind === "JointLoan";
  if (joint !== (args.funders !== "")) {
    throw new Error("a JointLoan needs --funders, and only a JointLoan takes them");
  }
  const result = joint
    ? await registerJointLoan(c.credit, input, parseFunders(args.funders))
    : await registerLoan(c.credit, input);
  const exposure = await c.credit.exposureOf(input.borrowerKey);
  return [
    `registered ${kind} ${record.loanRef} for ${maskId(record.idType, record.idNumber)}: ` +
      `${formatAmount(record.outstanding, cur.decimals)} ${cur.code} outstanding`,
    `  loan id: ${result.ids[0]}`,
    ...flagLines(result, cur),
    "  borrower's exposure now:",
    ...exposureLines(exposure, cur),
    `  salt: ${salt} (keep it with the record: auditors need it to check the commitment)`,
    `  tx: ${result.receipts[0].hash}`,
  ];
}

export async function repay(c: TradelineContracts, args: { ref: string; amount: string }): Promise<string[]> {
  const cur = await currencyOf(c);
  const amount = parseAmount(required(args.amount, "--amount"), cur.decimals, { name: "--amount", bits: 64 });
  const tx = await c.credit.reportRepayment(loanRef(required(args.ref, "--ref")), amount);
  const receipt = await tx.wait();
  const lines = [`repaid ${formatAmount(amount, cur.decimals)} ${cur.code} on ${args.ref.trim()}`];
  for (const log of receipt?.logs ?? []) {
    const parsed = c.credit.interface.parseLog(log);
    if (parsed?.name === "LoanRepaid") {
      lines.push(`  outstanding now ${formatAmount(parsed.args.outstanding as bigint, cur.decimals)} ${cur.code}`);
    }
    if (parsed?.name === "LoanStatusChanged") lines.push(`  status now ${loanStatusName(parsed.args.to as bigint)}`);
  }
  return [...lines, `  tx: ${tx.hash}`];
}

export async function status(
  c: TradelineContracts,
  args: { ref: string; to: string },
  session: CreditSession,
): Promise<string[]> {
  const ref = required(args.ref, "--ref");
  const to = loanStatus(required(args.to, "--to"));
  const id = loanIdOf(await c.members.memberOf(await session.signer.getAddress()), ref);
  const from = loanStatusName((await c.credit.getLoan(id)).status);
  const tx = await c.credit.reportStatus(loanRef(ref), to);
  await tx.wait();
  return [`loan ${ref}: ${from} -> ${LOAN_STATUSES[to]}`, `  tx: ${tx.hash}`];
}

/**
 * The consent's commitment: its text committed to with the given salt (to repeat an earlier commitment), or a fresh
 * one the lender must keep with the signed authorization. A 32-byte hex value is refused: the task cannot tell a
 * commitment from a plain hash of the form, which a guess of the form's text would reverse.
 */
function consentOf(text: string, saltText: string): { consent: string; salt: string } {
  const t = required(text, "--consent");
  if (isHexString(t, 32)) {
    throw new Error(
      "--consent takes the authorization's reference text, not a hash: the task commits to it with a salt " +
        "(give --consent-salt to repeat an earlier commitment)",
    );
  }
  const salt = saltText.trim() === "" ? newSalt() : checkSalt(saltText, "--consent-salt");
  return { consent: consentCommitment(t, salt), salt };
}

export async function check(
  c: TradelineContracts,
  args: {
    borrowerType: string;
    borrowerId: string;
    purpose: string;
    consent: string;
    consentSalt?: string;
    amount: string;
  },
  session: CreditSession,
): Promise<string[]> {
  const cur = await currencyOf(c);
  const idType = required(args.borrowerType, "--borrower-type");
  const idNumber = required(args.borrowerId, "--borrower-id");
  const key = borrowerKey(await session.consortiumKey(), idType, idNumber);
  const amount = args.amount === "" ? 0n : parseAmount(args.amount, cur.decimals, { name: "--amount", bits: 64 });
  const { consent, salt } = consentOf(args.consent, args.consentSalt ?? "");
  const { exposure, receipt } = await inquire(c.credit, key, args.purpose === "" ? "NEW_LOAN" : args.purpose, consent);
  const me = await c.members.memberOf(await session.signer.getAddress());
  const policy = await c.credit.policy();
  const lenderHasLiveLoan = (await c.credit.liveLoansOf(key, me)) > 0n;
  const breaches = assessPolicy(exposure, policy, { outstanding: amount, lenderHasLiveLoan });
  const mode = POLICY_MODES[Number(policy.mode)];
  const loan = amount === 0n ? "a new loan" : `a new loan of ${formatAmount(amount, cur.decimals)} ${cur.code}`;
  const verdict =
    breaches.length === 0
      ? [`  policy: ${loan} from member ${me} stays within every limit`]
      : breaches.map((b) => {
          const show = (v: bigint) => (b.limit === "Outstanding" ? formatAmount(v, cur.decimals) : String(v));
          const effect = mode === "Enforce" ? "would be REFUSED" : "would be FLAGGED";
          return `  policy (${mode} mode): ${loan} from member ${me} ${effect}: ${b.limit} ${show(b.value)} > limit ${show(b.max)}`;
        });
  return [
    `exposure of ${maskId(idType, idNumber)} (inquiry logged for the regulator)`,
    ...exposureLines(exposure, cur),
    ...verdict,
    ...(salt === undefined ? [] : [`  consent commitment ${consent}: keep its salt ${salt} with the authorization`]),
    `  tx: ${receipt.hash}`,
  ];
}

export async function dispute(
  c: TradelineContracts,
  args: {
    action: string;
    lender: string;
    ref: string;
    reason: string;
    to: string;
    outstanding: string;
    commitment: string;
    salt?: string;
  },
): Promise<string[]> {
  const action = args.action === "" ? "open" : args.action.trim().toLowerCase();
  const ref = loanRef(required(args.ref, "--ref"));
  const reason = required(args.reason, "--reason");
  const lender = () => parseMemberId(required(args.lender, "--lender"));
  let tx;
  let saltLine: string | undefined;
  switch (action) {
    case "open":
      tx = await c.credit.openDispute(lender(), ref, reasonCode(reason));
      break;
    case "answer": {
      const salt = (args.salt ?? "").trim() === "" ? newSalt() : checkSalt(args.salt!, "--salt");
      const answer = commitment("dispute-answer", reason, salt);
      tx = await c.credit.answerDispute(ref, answer);
      saltLine = `  answer commitment ${answer}: keep its salt ${salt} with the answer`;
      break;
    }
    case "correct": {
      const cur = await currencyOf(c);
      const commitment = required(args.commitment, "--commitment");
      if (!isHexString(commitment, 32)) throw new Error("--commitment must be 32 bytes of hex (0x + 64 hex digits)");
      if (/^0x0{64}$/i.test(commitment))
        throw new Error("--commitment is zero: give the corrected record's commitment");
      // The corrected outstanding is always stated, 0 included: a missing option must not book a zero.
      const outstandingText = required(args.outstanding, "--outstanding");
      const outstanding = /^\s*0+(\.0*)?\s*$/.test(outstandingText)
        ? 0n
        : parseAmount(outstandingText, cur.decimals, { name: "--outstanding", bits: 64 });
      const correction = { status: loanStatus(required(args.to, "--to")), outstanding, commitment };
      tx = await c.credit.correctLoan(lender(), ref, correction, reasonCode(reason));
      break;
    }
    case "resolve":
      tx = await c.credit.resolveDispute(lender(), ref, reasonCode(reason));
      break;
    default:
      throw new Error(`--action "${args.action}": expected open, answer, correct or resolve`);
  }
  await tx.wait();
  const verb = { open: "opened", answer: "answered", correct: "corrected", resolve: "resolved" }[action];
  return [`dispute on ${args.ref.trim()}: ${verb}`, ...(saltLine === undefined ? [] : [saltLine]), `  tx: ${tx.hash}`];
}

export async function importFile(
  c: TradelineContracts,
  args: { file: string; batchSize: string },
  session: CreditSession,
): Promise<string[]> {
  const file = required(args.file, "--file");
  const batchSize = args.batchSize === "" ? DEFAULT_BATCH_SIZE : Number(args.batchSize);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`--batch-size "${args.batchSize}" must be a positive integer`);
  const cur = await currencyOf(c);
  const text = await readFile(file, "utf8").catch(() => {
    throw new Error(`cannot read ${file}`);
  });
  const today = dayOf(await chainTime(c.credit.runner));
  const { rows, errors } = parseLoanCsv(text, await session.consortiumKey(), { decimals: cur.decimals, today });
  if (errors.length > 0) {
    const lines = errors.map((e) => `  line ${e.line}: ${e.message}`);
    throw new Error(`${file}: ${errors.length} bad row(s); nothing was sent\n${lines.join("\n")}`);
  }
  let result: RegistrationResult;
  try {
    result = await registerLoans(
      c.credit,
      rows.map((r) => r.input),
      batchSize,
    );
  } catch (err) {
    if (!(err instanceof BatchRejectedError)) throw err;
    const decoded = decodeError(err.revert);
    if (decoded?.name !== "CreditBatchRecordRejected") throw err.revert;
    const row = rows[err.offset + Number(decoded.args.index)];
    throw new Error(`${file}: line ${row.line} would be refused: ${decoded.args.reason}; nothing was sent`);
  }
  const lineOf = new Map(rows.map((r) => [String(r.input.borrowerKey), r]));
  return [
    `imported ${rows.length} loan(s) from ${file} in ${result.receipts.length} batch(es)`,
    ...result.flags.map((f) => {
      const row = lineOf.get(f.borrowerKey);
      const who = row === undefined ? f.borrowerKey : maskId(row.record.idType, row.record.idNumber);
      return `  FLAGGED ${who}: ${f.limit} ${f.value} > limit ${f.max}`;
    }),
    ...result.receipts.map((r) => `  tx: ${r.hash} (gas ${r.gasUsed})`),
  ];
}
