/**
 * A borrower's credit report, as a borrower (or a lender with its consent) is shown it: every loan on record with its
 * terms and delinquency, every inquiry and the consent it relied on, every consent recorded, the disputes, and the
 * shared score with its reasons. `borrowerReport` reads it from the chain (events and views); a service with a read
 * model answers the same JSON at `GET /v1/credit/borrowers/{key}/report` (`borrowerReportFromService`).
 * `formatReport` prints it.
 *
 * Amounts are decimal strings of minor units of the registry's reporting currency, times ISO 8601 UTC, days
 * YYYY-MM-DD: the JSON the service returns is the same object.
 */
import { Interface, decodeBytes32String, id as eventTopic, zeroPadValue, type Log } from "ethers";

import type { ConsentBook, CreditRegistry, CreditScore, MemberRegistry } from "../typechain-types/index.js";

import {
  CONSENT_PURPOSES,
  FREQUENCIES,
  checkConsentId,
  consentPurpose,
  type ConsentPurposeName,
  PRODUCT_KINDS,
  formatApr,
  isoDate,
  loanStatusName,
  planOf,
  scoreOf,
  type ScoreReason,
} from "./credit.js";
import { decodeCode, formatAmount, minorUnits } from "./encoding.js";
import { decodeError } from "./errors.js";
import { roleIndex } from "./members.js";
import { DELINQUENCY_BUCKETS, type Plan, daysPastDue, delinquencyBucket, dueDays } from "./schedule.js";

/** A loan of the report. */
export interface ReportLoan {
  loanId: string;
  /** Member id of the lender carrying the exposure. */
  lender: number;
  kind: string;
  status: string;
  principal: string;
  outstanding: string;
  originated: string;
  matures: string;
  /** 0 when the loan was registered without one. */
  aprBps: number;
  plan?: {
    instalments: number;
    frequency: string;
    firstDue: string;
    instalment: string;
    finalInstalment: string;
  };
  /** A plan loan's instalments fallen due by today, and those paid in full. */
  instalments?: { due: number; paid: number };
  /** Days past due today on the outstanding the lender last reported (0 for a written-off loan). */
  daysPastDue: number;
  /** Today's delinquency bucket: current, 1-30, 31-60, 61-90 or 90+; for a loan `held`, the one the registry counts. */
  bucket: string;
  /** Why the registry holds the loan as its lender last reported it, and counts it in `bucket` (see `ageLoan`). */
  held?: string;
}

/** The consent an inquiry relied on, as the consent book holds it. */
export interface ReportConsent {
  holder: number;
  purpose: string;
  expiresAt: string;
  /** null while not withdrawn. */
  revokedAt: string | null;
}

export interface ReportInquiry {
  lender: number;
  at: string;
  /** A consent purpose name; an inquiry of the registry's first version gives its purpose code instead. */
  purpose: string;
  /** null for an inquiry of the first version, which named a consent commitment (`consentHash`) instead. */
  consentId: string | null;
  consent: ReportConsent | null;
  consentHash?: string;
}

export interface ReportConsentRecord extends ReportConsent {
  consentId: string;
  recordedAt: string;
  covered: number[];
}

export interface ReportDispute {
  loanId: string;
  openedBy: number;
  openedAt: string;
  reason: string;
  /** The lender's answer (hash of it), when it answered. */
  response?: string;
  /** When a regulator closed it: who, when and the outcome code. */
  resolvedBy?: number;
  resolvedAt?: string;
  outcome?: string;
}

export interface BorrowerReport {
  borrowerKey: string;
  generatedAt: string;
  currency: { code: string; decimals: number };
  loans: ReportLoan[];
  inquiries: ReportInquiry[];
  consents: ReportConsentRecord[];
  disputes: { open: ReportDispute[]; closed: ReportDispute[] };
  score: { score: number; reasons: ScoreReason[] };
}

/** The inquiry event of the registry's first version, still readable in old logs. */
const LEGACY_INQUIRY = new Interface([
  "event CreditInquired(uint32 indexed lender, bytes32 indexed borrowerKey, bytes32 purpose, bytes32 consentHash)",
]);
const LEGACY_INQUIRY_TOPIC = eventTopic("CreditInquired(uint32,bytes32,bytes32,bytes32)");

const iso = (unixSeconds: bigint | number): string => new Date(Number(unixSeconds) * 1000).toISOString();

/** A reason code (`reasonCode`, zero-padded ASCII) as its text when it is one, else its hex (e.g. an answer's hash). */
export function codeText(hex: string): string {
  try {
    const text = decodeBytes32String(hex);
    return /^[\x20-\x7e]+$/.test(text) ? text : hex;
  } catch {
    return hex;
  }
}

/** Events in chain order. */
function ordered<T extends Log>(logs: T[]): T[] {
  return [...logs].sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
}

/** A loan's delinquency as a report shows it. */
export interface ShownDelinquency {
  daysPastDue: number;
  bucket: string;
  held?: string;
}

/**
 * A plan loan's days past due today on the outstanding its lender last reported (none for a written-off loan, which
 * keeps its outstanding, not a clock: review 30, RA-3), and their bucket's index.
 */
export function delinquencyToday(
  loan: { status: string; plan: Plan | undefined; outstanding: bigint },
  today: number,
): { daysPastDue: number; bucket: number } {
  let dpd = 0;
  if (loan.plan !== undefined && loan.status !== "WrittenOff") {
    try {
      dpd = daysPastDue(loan.plan, loan.outstanding, today);
    } catch {
      // An outstanding beyond the plan (a regulator's correction): no schedule position to count from.
    }
  }
  return { daysPastDue: dpd, bucket: delinquencyBucket(dpd) };
}

/**
 * Why the registry holds loan `loanId` as its lender last reported it, by its own answer to `ageLoan` (called, not
 * sent): its lender is not active, or may still report after its reinstatement or a pause, or the registry is paused
 * (review 38, R1; review 39, P1). undefined when the registry would age it, or refuses for a reason of the loan's own.
 * A failure that is not the registry's answer (the node's) is thrown: a report never guesses (review 39, P2).
 */
export async function heldAsReported(credit: CreditRegistry, loanId: string): Promise<string | undefined> {
  try {
    await credit.ageLoan.staticCall(loanId);
    return undefined;
  } catch (err) {
    const e = decodeError(err);
    if (e === undefined) throw err;
    const why =
      e.name === "CreditLenderInactive"
        ? `its lender, member #${e.args.lender}, is ${e.args.status}`
        : e.name === "CreditLenderCatchingUp"
          ? `its lender may still report until ${iso(Number(e.args.agesFrom))}`
          : e.name === "EnforcedPause"
            ? "the registry is paused"
            : undefined;
    return why === undefined ? undefined : `${why}: held as last reported`;
  }
}

/**
 * What a report shows of a loan's delinquency: today's (`delinquencyToday`), or, for a loan the registry holds as
 * last reported, the bucket it counts the loan in (`booked`) and why.
 */
export function shownDelinquency(
  today: { daysPastDue: number; bucket: number },
  booked: number,
  held?: string,
): ShownDelinquency {
  return held === undefined
    ? { daysPastDue: today.daysPastDue, bucket: DELINQUENCY_BUCKETS[today.bucket] }
    : { daysPastDue: today.daysPastDue, bucket: DELINQUENCY_BUCKETS[booked], held };
}

/**
 * A loan of a report whose bucket today is not the one the registry counts it in (`booked`): the registry is asked
 * whether it holds the loan as last reported. `index` is the loan's place in the report.
 */
export interface HoldQuestion {
  index: number;
  loanId: string;
  booked: number;
  today: { daysPastDue: number; bucket: number };
}

/**
 * A report's loans as the registry counts them, the same whether the report reads the chain or a read model: each
 * loan of `questions` the registry holds as last reported shows the bucket it counts and why. One question at a
 * time, so that a borrower's many loans do not burst on the node; a node's failure is thrown.
 */
export async function applyHolds<L extends ShownDelinquency>(
  credit: CreditRegistry,
  loans: L[],
  questions: readonly HoldQuestion[],
): Promise<void> {
  for (const q of questions) {
    const held = await heldAsReported(credit, q.loanId);
    if (held !== undefined) loans[q.index] = { ...loans[q.index], ...shownDelinquency(q.today, q.booked, held) };
  }
}

/** Reads a borrower's report from the chain: events from `fromBlock` (default 0) and the registry's views now. */
export async function borrowerReport(input: {
  credit: CreditRegistry;
  consents: ConsentBook;
  score: CreditScore;
  key: string;
  fromBlock?: number;
}): Promise<BorrowerReport> {
  const { credit, consents, key } = input;
  const from = input.fromBlock ?? 0;
  const provider = credit.runner?.provider;
  if (provider === undefined || provider === null)
    throw new Error("the credit registry is not connected to a provider");
  const latest = await provider.getBlock("latest");
  if (latest === null) throw new Error("the provider returned no latest block");
  const today = Math.floor(latest.timestamp / 86_400);
  const times = new Map<number, number>();
  const timeOf = async (block: number): Promise<string> => {
    if (!times.has(block)) times.set(block, (await provider.getBlock(block))?.timestamp ?? 0);
    return iso(times.get(block)!);
  };
  const code = decodeCode(await credit.reportingCurrency());
  const currency = { code, decimals: minorUnits(code) };

  // Loans: registered for this key; their state now from the registry's views.
  const registered = ordered(await credit.queryFilter(credit.filters.LoanRegistered(undefined, key), from));
  const loans: ReportLoan[] = [];
  const questions: HoldQuestion[] = [];
  for (const ev of registered) {
    const loanId = ev.args.id;
    const [record, terms, d] = await Promise.all([
      credit.getLoan(loanId),
      credit.termsOf(loanId),
      credit.delinquencyOf(loanId),
    ]);
    const plan = planOf(terms.plan);
    const status = loanStatusName(record.status);
    const t = delinquencyToday({ status, plan, outstanding: record.outstanding }, today);
    const booked = Number(terms.bucket);
    if (t.bucket !== booked) questions.push({ index: loans.length, loanId, booked, today: t });
    loans.push({
      loanId,
      lender: Number(record.lender),
      kind: PRODUCT_KINDS[Number(record.kind)] ?? `#${record.kind}`,
      status,
      principal: record.principal.toString(),
      outstanding: record.outstanding.toString(),
      originated: isoDate(record.originationDay),
      matures: isoDate(record.maturityDay),
      aprBps: Number(terms.aprBps),
      ...(plan === undefined
        ? {}
        : {
            plan: {
              instalments: plan.instalments,
              frequency: FREQUENCIES[plan.frequency],
              firstDue: isoDate(plan.firstDueDay),
              instalment: plan.instalment.toString(),
              finalInstalment: plan.finalInstalment.toString(),
            },
            instalments: {
              due: dueDays(plan).filter((day) => day <= today).length,
              paid: Number(d.oldestUnpaid),
            },
          }),
      ...shownDelinquency(t, booked),
    });
  }
  await applyHolds(credit, loans, questions);

  // Consents recorded for this key, and their state now.
  const consentCache = new Map<string, ReportConsent | null>();
  const consentOf = async (consentId: string): Promise<ReportConsent | null> => {
    if (!consentCache.has(consentId)) {
      const c = await consents.getConsent(consentId);
      consentCache.set(
        consentId,
        c.holder === 0n
          ? null
          : {
              holder: Number(c.holder),
              purpose: CONSENT_PURPOSES[Number(c.purpose)] ?? `#${c.purpose}`,
              expiresAt: iso(c.expiresAt),
              revokedAt: c.revokedAt === 0n ? null : iso(c.revokedAt),
            },
      );
    }
    return consentCache.get(consentId)!;
  };
  const recordedConsents: ReportConsentRecord[] = [];
  for (const ev of ordered(await consents.queryFilter(consents.filters.ConsentRecorded(undefined, key), from))) {
    const state = await consentOf(ev.args.id);
    if (state === null) continue;
    recordedConsents.push({
      consentId: ev.args.id,
      recordedAt: await timeOf(ev.blockNumber),
      ...state,
      covered: ev.args.covered.map(Number),
    });
  }

  // Inquiries: the current form names a consent; the first version's named a consent commitment.
  const inquiries: { block: number; index: number; inquiry: ReportInquiry }[] = [];
  for (const ev of await credit.queryFilter(credit.filters.CreditInquired(undefined, key), from)) {
    const consentId = ev.args.consent;
    inquiries.push({
      block: ev.blockNumber,
      index: ev.index,
      inquiry: {
        lender: Number(ev.args.lender),
        at: await timeOf(ev.blockNumber),
        purpose: CONSENT_PURPOSES[Number(ev.args.purpose)] ?? `#${ev.args.purpose}`,
        consentId,
        consent: await consentOf(consentId),
      },
    });
  }
  const legacy = await provider.getLogs({
    address: await credit.getAddress(),
    topics: [LEGACY_INQUIRY_TOPIC, null, zeroPadValue(key, 32)],
    fromBlock: from,
    toBlock: latest.number,
  });
  for (const log of legacy) {
    const parsed = LEGACY_INQUIRY.parseLog(log);
    if (parsed === null) continue;
    inquiries.push({
      block: log.blockNumber,
      index: log.index,
      inquiry: {
        lender: Number(parsed.args.lender),
        at: await timeOf(log.blockNumber),
        purpose: codeText(parsed.args.purpose as string),
        consentId: null,
        consent: null,
        consentHash: parsed.args.consentHash as string,
      },
    });
  }
  inquiries.sort((a, b) => a.block - b.block || a.index - b.index);

  // Disputes, in order: opened, perhaps answered, closed by a regulator.
  type DisputeEvent = {
    blockNumber: number;
    index: number;
    kind: string;
    loanId: string;
    member: bigint;
    code: string;
  };
  const disputeEvents: DisputeEvent[] = [
    ...(await credit.queryFilter(credit.filters.DisputeOpened(undefined, undefined, key), from)).map((e) => ({
      blockNumber: e.blockNumber,
      index: e.index,
      kind: "opened",
      loanId: e.args.id,
      member: e.args.openedBy,
      code: e.args.reason,
    })),
    ...(await credit.queryFilter(credit.filters.DisputeAnswered(undefined, undefined, key), from)).map((e) => ({
      blockNumber: e.blockNumber,
      index: e.index,
      kind: "answered",
      loanId: e.args.id,
      member: e.args.lender,
      code: e.args.response,
    })),
    ...(await credit.queryFilter(credit.filters.DisputeResolved(undefined, undefined, key), from)).map((e) => ({
      blockNumber: e.blockNumber,
      index: e.index,
      kind: "resolved",
      loanId: e.args.id,
      member: e.args.regulator,
      code: e.args.outcome,
    })),
  ].sort((x, y) => x.blockNumber - y.blockNumber || x.index - y.index);
  const open = new Map<string, ReportDispute>();
  const closed: ReportDispute[] = [];
  for (const ev of disputeEvents) {
    const d = open.get(ev.loanId);
    if (ev.kind === "opened") {
      open.set(ev.loanId, {
        loanId: ev.loanId,
        openedBy: Number(ev.member),
        openedAt: await timeOf(ev.blockNumber),
        reason: codeText(ev.code),
      });
    } else if (d === undefined) {
      continue;
    } else if (ev.kind === "answered") {
      d.response = ev.code;
    } else {
      open.delete(ev.loanId);
      closed.push({
        ...d,
        resolvedBy: Number(ev.member),
        resolvedAt: await timeOf(ev.blockNumber),
        outcome: codeText(ev.code),
      });
    }
  }

  return {
    borrowerKey: key,
    generatedAt: iso(latest.timestamp),
    currency,
    loans,
    inquiries: inquiries.map((i) => i.inquiry),
    consents: recordedConsents,
    disputes: { open: [...open.values()], closed },
    score: await scoreOf(input.score, key),
  };
}

/**
 * The report from a Tradeline service's read model (`GET /v1/credit/borrowers/{key}/report`, the same JSON), with a
 * bearer token. The error says the status and the service's problem title.
 */
export async function borrowerReportFromService(baseUrl: string, token: string, key: string): Promise<BorrowerReport> {
  const url = new URL(
    `v1/credit/borrowers/${encodeURIComponent(key)}/report`,
    baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`,
  );
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: "application/json" } });
  if (!res.ok) {
    let detail = "";
    try {
      const problem = (await res.json()) as { title?: string; detail?: string };
      detail = problem.detail ?? problem.title ?? "";
    } catch {
      // not JSON: the status says enough
    }
    throw new Error(`the service answered ${res.status} for ${url.pathname}${detail === "" ? "" : `: ${detail}`}`);
  }
  return (await res.json()) as BorrowerReport;
}

const short = (hex: string): string => `${hex.slice(0, 10)}…${hex.slice(-4)}`;

/** The report as text to print or hand to the borrower. */
export function formatReport(report: BorrowerReport): string {
  const cur = report.currency;
  const money = (minor: string): string => `${formatAmount(BigInt(minor), cur.decimals)} ${cur.code}`;
  const lines: string[] = [
    `Credit report for borrower ${report.borrowerKey}`,
    `  generated ${report.generatedAt}`,
    "",
    `Score ${report.score.score} (300 to 850)`,
    ...(report.score.reasons.length === 0
      ? ["  no adverse reasons"]
      : report.score.reasons.map((r, i) => `  ${i + 1}. ${r.text} (code ${r.code}, ${r.attribute})`)),
    "",
    `Loans (${report.loans.length})`,
  ];
  for (const l of report.loans) {
    lines.push(
      `  ${short(l.loanId)}  member #${l.lender}  ${l.kind}  ${l.status}  ` +
        `principal ${money(l.principal)}, outstanding ${money(l.outstanding)}` +
        (l.aprBps === 0 ? "" : `, APR ${formatApr(l.aprBps)}`),
      `    ${l.originated} to ${l.matures}`,
    );
    if (l.plan !== undefined) {
      const i = l.instalments;
      lines.push(
        `    plan: ${l.plan.instalments} ${l.plan.frequency.toLowerCase()} instalments of ${money(l.plan.instalment)} ` +
          `(last ${money(l.plan.finalInstalment)}) from ${l.plan.firstDue}` +
          (i === undefined ? "" : `; ${i.due} fallen due, ${i.paid} paid`),
        l.held !== undefined
          ? `    counted ${l.bucket} (${l.held})`
          : `    ${l.daysPastDue === 0 ? "current" : `${l.daysPastDue} days past due (bucket ${l.bucket})`}`,
      );
    }
  }
  if (report.loans.length === 0) lines.push("  none");
  lines.push("", `Inquiries (${report.inquiries.length})`);
  for (const q of report.inquiries) {
    const consent =
      q.consentId === null
        ? `consent commitment ${short(q.consentHash ?? "")} (before the consent book)`
        : q.consent === null
          ? `consent ${short(q.consentId)} (not in the consent book)`
          : `consent ${short(q.consentId)} held by member #${q.consent.holder}, expires ${q.consent.expiresAt}` +
            (q.consent.revokedAt === null ? "" : `, withdrawn ${q.consent.revokedAt}`);
    lines.push(`  ${q.at}  member #${q.lender}  for ${q.purpose}  under ${consent}`);
  }
  if (report.inquiries.length === 0) lines.push("  none");
  lines.push("", `Consents (${report.consents.length})`);
  for (const c of report.consents) {
    lines.push(
      `  ${short(c.consentId)}  member #${c.holder}  for ${c.purpose}  recorded ${c.recordedAt}, expires ${c.expiresAt}` +
        (c.covered.length === 0 ? "" : `, also covers ${c.covered.map((m) => `#${m}`).join(", ")}`) +
        (c.revokedAt === null ? "" : `, withdrawn ${c.revokedAt}`),
    );
  }
  if (report.consents.length === 0) lines.push("  none");
  const { open, closed } = report.disputes;
  lines.push("", `Disputes (${open.length} open, ${closed.length} closed)`);
  for (const d of open) {
    lines.push(
      `  OPEN ${short(d.loanId)}  by member #${d.openedBy} on ${d.openedAt}: ${d.reason}` +
        (d.response === undefined ? "" : "; the lender answered"),
    );
  }
  for (const d of closed) {
    lines.push(
      `  closed ${short(d.loanId)}  opened by member #${d.openedBy} on ${d.openedAt}: ${d.reason}; ` +
        `resolved by member #${d.resolvedBy} on ${d.resolvedAt}: ${d.outcome}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Why the chain refuses member account `account` a look-up of `key` under consent `consentId` now: the decoded
 * refusal of the two views `inquire` itself asks (`requireKeyInRole(account, Lender)` in the member registry, then
 * `requireConsent` in the consent book: a lender not active, a consent revoked, expired, another borrower's, of
 * another purpose or not covering it, its holder not active), or undefined when both pass. Views only, so a pause of
 * the credit registry's writes changes nothing here. An error that is not a decoded refusal (a node that failed the
 * call) is thrown, not read as one.
 */
export async function inquiryRefusal(
  members: MemberRegistry,
  consents: ConsentBook,
  account: string,
  key: string,
  purpose: ConsentPurposeName | string,
  consentId: string,
): Promise<string | undefined> {
  const refusal = (err: unknown): string => {
    const decoded = decodeError(err);
    if (decoded === undefined) throw err;
    return `reverted: ${decoded.message}`;
  };
  let member: bigint;
  try {
    member = await members.requireKeyInRole(account, roleIndex("Lender"));
  } catch (err) {
    return refusal(err);
  }
  try {
    await consents.requireConsent(checkConsentId(consentId), key, member, consentPurpose(purpose));
    return undefined;
  } catch (err) {
    return refusal(err);
  }
}
