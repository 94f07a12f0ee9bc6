/**
 * The `credit:*` tasks' output: each operation is the lender desk's (`src/desk/credit.ts`), printed as lines.
 * Borrowers are given as an id type and number and keyed with the consortium key; ids are masked in everything
 * printed.
 */
import { readFile } from "node:fs/promises";

import {
  DEFAULT_BATCH_SIZE,
  FREQUENCIES,
  formatApr,
  isoDate,
  type Exposure,
  type RegistrationResult,
} from "../../src/credit.js";
import type { TradelineContracts } from "../../src/deployment.js";
import * as desk from "../../src/desk/credit.js";
import { currencyOf, maskId, type Currency, type Desk } from "../../src/desk/credit.js";
import { formatAmount } from "../../src/encoding.js";
import { optionLabels, requireOption as required } from "../../src/input.js";
import type { ConsortiumKey } from "../../src/keys.js";
import { borrowerReport, borrowerReportFromService, formatReport } from "../../src/report.js";
import { DELINQUENCY_BUCKETS } from "../../src/schedule.js";

import { formatTable, parseMemberId, wholeNumber } from "./members.js";

export { currencyOf, maskId };

/** What the credit operations need from a session. */
export interface CreditSession {
  consortiumKey: () => Promise<ConsortiumKey>;
  signer: { getAddress(): Promise<string> };
}

/** Repayments and disputes need neither the consortium key nor the member: they run without a session. */
const NO_SESSION: CreditSession = {
  consortiumKey: () => Promise.reject(new Error("this operation needs a session's consortium key")),
  signer: { getAddress: () => Promise.reject(new Error("this operation needs a session's signer")) },
};

function deskOf(c: TradelineContracts, session: CreditSession = NO_SESSION): Desk {
  return { contracts: c, consortiumKey: session.consortiumKey, signer: session.signer, label: optionLabels };
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
    if (f.limit === "Apr") return `  FLAGGED APR ${formatApr(f.value)} > cap ${formatApr(f.max)}`;
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
    aprBps?: string;
    instalments?: string;
    frequency?: string;
    firstDue?: string;
    instalment?: string;
    finalInstalment?: string;
    amortiseRateBps?: string;
  },
  session: CreditSession,
): Promise<string[]> {
  const funders = args.funders === "" ? [] : parseFunders(args.funders);
  const r = await desk.register(deskOf(c, session), {
    ...args,
    funders: funders.map((f) => ({ ...f, member: String(f.member) })),
  });
  const cur = r.currency;
  return [
    `registered ${r.kind} ${r.ref} for ${r.borrower}: ${formatAmount(r.outstanding, cur.decimals)} ${cur.code} outstanding`,
    `  loan id: ${r.result.ids[0]}`,
    ...(r.aprBps === 0 ? [] : [`  APR ${formatApr(r.aprBps)}`]),
    ...(r.plan === undefined
      ? []
      : [
          `  plan: ${r.plan.instalments} ${FREQUENCIES[r.plan.frequency].toLowerCase()} instalment(s) of ` +
            `${formatAmount(r.plan.instalment, cur.decimals)} ${cur.code} ` +
            `(last ${formatAmount(r.plan.finalInstalment, cur.decimals)}) from ${isoDate(r.plan.firstDueDay)}, ` +
            `maturing ${r.record.matures}`,
        ]),
    ...flagLines(r.result, cur),
    "  borrower's exposure now:",
    ...exposureLines(r.exposure, cur),
    `  salt: ${r.salt} (keep it with the record: auditors need it to check the commitment)`,
    `  tx: ${r.result.receipts[0].hash}`,
  ];
}

export async function repay(
  c: TradelineContracts,
  args: { ref: string; amount: string },
  session?: CreditSession,
): Promise<string[]> {
  const r = await desk.repay(deskOf(c, session), args);
  const cur = r.currency;
  return [
    `repaid ${formatAmount(r.amount, cur.decimals)} ${cur.code} on ${args.ref.trim()}`,
    ...(r.outstanding === undefined
      ? []
      : [`  outstanding now ${formatAmount(r.outstanding, cur.decimals)} ${cur.code}`]),
    ...(r.status === undefined ? [] : [`  status now ${r.status}`]),
    `  tx: ${r.receipt.hash}`,
  ];
}

export async function status(
  c: TradelineContracts,
  args: { ref: string; to: string },
  session: CreditSession,
): Promise<string[]> {
  const r = await desk.changeStatus(deskOf(c, session), args);
  return [`loan ${r.ref}: ${r.from} -> ${r.to}`, `  tx: ${r.receipt.hash}`];
}

export async function check(
  c: TradelineContracts,
  args: {
    borrowerType: string;
    borrowerId: string;
    purpose: string;
    consent: string;
    amount: string;
    product?: string;
    aprBps?: string;
    loan?: string;
  },
  session: CreditSession,
): Promise<string[]> {
  const r = await desk.check(deskOf(c, session), args);
  const cur = r.currency;
  const loan = [
    `a new ${r.product}`,
    ...(r.amount === 0n ? [] : [`of ${formatAmount(r.amount, cur.decimals)} ${cur.code}`]),
    ...(r.aprBps === undefined ? [] : [`at APR ${formatApr(r.aprBps)}`]),
  ].join(" ");
  const verdict =
    r.breaches.length === 0
      ? [`  policy: ${loan} from member ${r.member} stays within every limit`]
      : r.breaches.map((b) => {
          const show = (v: bigint) =>
            b.limit === "Outstanding" ? formatAmount(v, cur.decimals) : b.limit === "Apr" ? formatApr(v) : String(v);
          const effect = r.mode === "Enforce" ? "would be REFUSED" : "would be FLAGGED";
          return `  policy (${r.mode} mode): ${loan} from member ${r.member} ${effect}: ${b.limit} ${show(b.value)} > limit ${show(b.max)}`;
        });
  return [
    `exposure of ${r.borrower} (inquiry logged for the regulator)`,
    ...exposureLines(r.exposure, cur),
    ...verdict,
    `  under consent ${r.consent} for ${r.purpose}`,
    `  tx: ${r.receipt.hash}`,
  ];
}

export async function consent(
  c: TradelineContracts,
  args: {
    borrowerType: string;
    borrowerId: string;
    document: string;
    documentSalt?: string;
    purpose: string;
    expires: string;
    covered?: string;
  },
  session: CreditSession,
): Promise<string[]> {
  const r = await desk.recordConsent(deskOf(c, session), args);
  return [
    `consent recorded for ${r.borrower}: ${r.purpose}, in force until ${new Date(r.expiresAt * 1000).toISOString()}`,
    `  consent id: ${r.id}`,
    ...(r.covered.length === 0 ? [] : [`  also covers member(s) ${r.covered.join(", ")}`]),
    `  document commitment ${r.documentHash}: keep its salt ${r.documentSalt} with the signed consent`,
    `  tx: ${r.receipt.hash}`,
  ];
}

export async function revokeConsent(
  c: TradelineContracts,
  args: { consent: string; reason: string },
  session?: CreditSession,
): Promise<string[]> {
  const r = await desk.revokeConsent(deskOf(c, session), args);
  return [`consent ${r.id} withdrawn: inquiries under it are refused from now`, `  tx: ${r.receipt.hash}`];
}

export async function age(c: TradelineContracts, args: { loanId: string }, session?: CreditSession): Promise<string[]> {
  const r = await desk.age(deskOf(c, session), args);
  const d = r.delinquency;
  return [
    `loan ${r.loanId} aged: ${d.daysPastDue} day(s) past due, bucket ${d.bucketLabel}`,
    ...(r.status === undefined ? [] : [`  status ${r.status.from} -> ${r.status.to}`]),
    ...(r.bucket === undefined
      ? []
      : [`  delinquency bucket ${DELINQUENCY_BUCKETS[r.bucket.from]} -> ${DELINQUENCY_BUCKETS[r.bucket.to]}`]),
    ...(r.negativeRecordExpired ? ["  its negative record reached the end of its retention"] : []),
    `  tx: ${r.receipt.hash}`,
  ];
}

export async function score(
  c: TradelineContracts,
  args: { borrowerType: string; borrowerId: string },
  session: CreditSession,
): Promise<string[]> {
  const r = await desk.score(deskOf(c, session), args);
  return [
    `score of ${r.borrower}: ${r.score} (300 to 850)`,
    ...(r.reasons.length === 0
      ? ["  no adverse reasons"]
      : r.reasons.map((reason, i) => `  ${i + 1}. ${reason.text} (code ${reason.code})`)),
  ];
}

export async function report(
  c: TradelineContracts,
  args: { borrowerType: string; borrowerId: string; json?: boolean; serviceUrl?: string; token?: string },
  session: CreditSession,
): Promise<string[]> {
  const { borrowerKey } = await desk.borrowerKeyInput(deskOf(c, session), args);
  const url = (args.serviceUrl ?? "").trim();
  if (url === "" && (args.token ?? "").trim() !== "") throw new Error("--token goes with --service-url");
  const r =
    url === ""
      ? await borrowerReport({ credit: c.credit, consents: c.consents, score: c.score, key: borrowerKey })
      : await borrowerReportFromService(url, required(args.token ?? "", "--token"), borrowerKey);
  if (args.json === true) return JSON.stringify(r, null, 2).split("\n");
  return formatReport(r).trimEnd().split("\n");
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
  session?: CreditSession,
): Promise<string[]> {
  const r = await desk.dispute(deskOf(c, session), args);
  const verb = { open: "opened", answer: "answered", correct: "corrected", resolve: "resolved" }[r.action];
  return [
    `dispute on ${r.ref}: ${verb}`,
    ...(r.answer === undefined
      ? []
      : [`  answer commitment ${r.answer.commitment}: keep its salt ${r.answer.salt} with the answer`]),
    `  tx: ${r.receipt.hash}`,
  ];
}

export async function importFile(
  c: TradelineContracts,
  args: { file: string; batchSize: string },
  session: CreditSession,
): Promise<string[]> {
  const file = required(args.file, "--file");
  const batchSize = args.batchSize === "" ? DEFAULT_BATCH_SIZE : Number(args.batchSize);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`--batch-size "${args.batchSize}" must be a positive integer`);
  }
  const d = deskOf(c, session);
  const text = await readFile(file, "utf8").catch(() => {
    throw new Error(`cannot read ${file}`);
  });
  let plan: desk.LoanFilePlan;
  let result: RegistrationResult;
  try {
    plan = await desk.planLoanFile(d, text);
    result = await desk.sendLoanFile(d, plan, { batchSize });
  } catch (err) {
    if (err instanceof desk.LoanFileError) throw new Error(`${file}: ${err.message}`);
    throw err;
  }
  const lineOf = new Map(plan.rows.map((r) => [String(r.input.borrowerKey), r]));
  return [
    `imported ${plan.pending.length} loan(s) from ${file} in ${result.receipts.length} batch(es)` +
      (plan.alreadyRegistered.length === 0
        ? ""
        : `; ${plan.alreadyRegistered.length} already on the chain (skipped: resumed)`),
    ...result.flags.map((f) => {
      const row = lineOf.get(f.borrowerKey);
      const who = row === undefined ? f.borrowerKey : maskId(row.record.idType, row.record.idNumber);
      return `  FLAGGED ${who}: ${f.limit} ${f.value} > limit ${f.max}`;
    }),
    ...result.receipts.map((r) => `  tx: ${r.hash} (gas ${r.gasUsed})`),
  ];
}
