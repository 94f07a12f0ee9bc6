/**
 * The borrower's own report from the read model, in the JSON of the SDK's `borrowerReport` (src/report.ts), so that
 * `credit:report --service` prints the same report as from the chain: every loan with its lender, status, APR,
 * instalments and days past due today; every inquiry with the consent it relied on; the consents recorded; open and
 * closed disputes. The score and the reporting currency are the chain's (the caller gives them).
 */
import { z } from "@hono/zod-openapi";
import type { Kysely, Transaction } from "kysely";

import { isoDate } from "../../src/credit.js";
import { applyHolds, codeText, delinquencyToday, shownDelinquency, type HoldQuestion } from "../../src/report.js";
import { Frequency, dueDays, oldestUnpaid, type Plan } from "../../src/schedule.js";
import type { CreditRegistry } from "../../typechain-types/index.js";
import { ProblemError } from "../problem.js";
import type { Tables } from "../schema.js";
import { Hex32, borrowerRecord, closedDisputes, consentView, type ConsentView, type DisputeView } from "./borrower.js";

type Db = Kysely<Tables> | Transaction<Tables>;

const iso = (unixSeconds: number): string => new Date(unixSeconds * 1000).toISOString();

const ReportConsent = z.object({
  holder: z.number().int(),
  purpose: z.string(),
  expiresAt: z.string().openapi({ description: "ISO 8601" }),
  revokedAt: z.string().nullable(),
});

export const ScoreOut = z
  .object({
    score: z.number().int().openapi({ description: "300 to 850", example: 712 }),
    reasons: z
      .array(z.object({ code: z.number().int(), attribute: z.string(), text: z.string() }))
      .openapi({ description: "up to four attributes that cost the most points, in order (docs/credit-score.md)" }),
  })
  .openapi("CreditScore");

const ReportDispute = z.object({
  loanId: Hex32,
  openedBy: z.number().int(),
  openedAt: z.string(),
  reason: z.string(),
  response: z.string().optional(),
  resolvedBy: z.number().int().optional(),
  resolvedAt: z.string().optional(),
  outcome: z.string().optional(),
});

export const ReportOut = z
  .object({
    borrowerKey: Hex32,
    generatedAt: z.string().openapi({ description: "the chain's time of the report, ISO 8601" }),
    currency: z.object({ code: z.string(), decimals: z.number().int() }),
    loans: z.array(
      z.object({
        loanId: Hex32,
        lender: z.number().int(),
        kind: z.string(),
        status: z.string(),
        principal: z.string().openapi({ description: "minor units" }),
        outstanding: z.string().openapi({ description: "minor units" }),
        originated: z.string(),
        matures: z.string(),
        aprBps: z.number().int().openapi({ description: "0 when registered without one" }),
        plan: z
          .object({
            instalments: z.number().int(),
            frequency: z.string(),
            firstDue: z.string(),
            instalment: z.string(),
            finalInstalment: z.string(),
          })
          .optional(),
        instalments: z
          .object({ due: z.number().int(), paid: z.number().int() })
          .optional()
          .openapi({ description: "a plan loan's instalments fallen due by today, and those paid in full" }),
        daysPastDue: z
          .number()
          .int()
          .openapi({ description: "today, on the outstanding the lender last reported (0 when written off)" }),
        bucket: z.string().openapi({
          description: "current, 1-30, 31-60, 61-90 or 90+; for a loan held as last reported, the one counted",
        }),
        held: z
          .string()
          .optional()
          .openapi({ description: "why the registry holds the loan as its lender last reported it (no ageing)" }),
      }),
    ),
    inquiries: z.array(
      z.object({
        lender: z.number().int(),
        at: z.string(),
        purpose: z.string(),
        consentId: Hex32.nullable(),
        consent: ReportConsent.nullable(),
        consentHash: Hex32.optional().openapi({ description: "inquiries before the consent book" }),
      }),
    ),
    consents: z.array(
      ReportConsent.extend({ consentId: Hex32, recordedAt: z.string(), covered: z.array(z.number().int()) }),
    ),
    disputes: z.object({ open: z.array(ReportDispute), closed: z.array(ReportDispute) }),
    score: ScoreOut,
  })
  .openapi("BorrowerReport");

export type Report = z.infer<typeof ReportOut>;

/**
 * The report of `key` as the read model has it, at chain time `now` (Unix seconds): `snapshot` runs its reads in one
 * consistent view of the read model. Whether the registry holds a loan as last reported is the chain's answer
 * (`credit`), asked after the snapshot, one loan at a time, so that no read-model connection waits on the node
 * (review 39, S1). A node that fails to answer is a 503.
 */
export async function readModelReport(
  snapshot: <T>(read: (db: Db) => Promise<T>) => Promise<T>,
  chainId: number,
  key: string,
  now: number,
  currency: Report["currency"],
  score: Report["score"],
  credit: CreditRegistry,
): Promise<Report> {
  const { report, questions } = await snapshot((db) => reportFromRows(db, chainId, key, now, currency, score));
  try {
    await applyHolds(credit, report.loans, questions);
  } catch {
    throw new ProblemError(
      503,
      "chain-unavailable",
      "The chain did not answer",
      "a loan's hold could not be read: retry",
    );
  }
  return report;
}

/** The report from the read model's rows, and the loans whose bucket today is not the one the registry counts. */
async function reportFromRows(
  db: Db,
  chainId: number,
  key: string,
  now: number,
  currency: Report["currency"],
  score: Report["score"],
): Promise<{ report: Report; questions: HoldQuestion[] }> {
  const today = Math.floor(now / 86_400);
  const record = await borrowerRecord(db, chainId, key);
  const questions: HoldQuestion[] = [];
  const loans = record.loans.map((l, index) => {
    const plan: Plan | undefined =
      l.plan === null
        ? undefined
        : {
            instalments: l.plan.instalments,
            frequency: l.plan.frequency === "Weekly" ? Frequency.Weekly : Frequency.Monthly,
            firstDueDay: l.plan.firstDueDay,
            instalment: BigInt(l.plan.instalment),
            finalInstalment: BigInt(l.plan.finalInstalment),
          };
    const outstanding = BigInt(l.outstanding);
    let paid = 0;
    if (plan !== undefined) {
      try {
        paid = oldestUnpaid(plan, outstanding)?.index ?? plan.instalments;
      } catch {
        // An outstanding beyond the plan (a regulator's correction): no schedule position to give.
      }
    }
    const t = delinquencyToday({ status: l.status, plan, outstanding }, today);
    if (t.bucket !== l.bucket) questions.push({ index, loanId: l.loanId, booked: l.bucket, today: t });
    return {
      loanId: l.loanId,
      lender: l.lender,
      kind: l.kind,
      status: l.status,
      principal: l.principal,
      outstanding: l.outstanding,
      originated: isoDate(l.originationDay),
      matures: isoDate(l.maturityDay),
      aprBps: l.aprBps ?? 0,
      ...(plan === undefined || l.plan === null
        ? {}
        : {
            plan: {
              instalments: plan.instalments,
              frequency: l.plan.frequency,
              firstDue: isoDate(plan.firstDueDay),
              instalment: l.plan.instalment,
              finalInstalment: l.plan.finalInstalment,
            },
            instalments: { due: dueDays(plan).filter((day) => day <= today).length, paid },
          }),
      ...shownDelinquency(t, l.bucket),
    };
  });

  const consentRows = await db
    .selectFrom("consents")
    .selectAll()
    .where("chain_id", "=", chainId)
    .where("borrower_key", "=", key)
    .orderBy("recorded_block")
    .orderBy("recorded_log")
    .execute();
  const consentState = (c: ConsentView) => ({
    holder: c.holder,
    purpose: c.purpose,
    expiresAt: iso(c.expiresAt),
    revokedAt: c.revokedAt === null ? null : iso(c.revokedAt),
  });
  const inquiries = record.inquiries.map((i) =>
    i.consentId === null
      ? {
          lender: i.lender,
          at: iso(i.at),
          purpose: codeText(i.purpose),
          consentId: null,
          consent: null,
          ...(i.consentHash === null ? {} : { consentHash: i.consentHash }),
        }
      : {
          lender: i.lender,
          at: iso(i.at),
          purpose: i.purpose,
          consentId: i.consentId,
          consent: i.consent === null ? null : consentState(i.consent),
        },
  );

  const dispute = (d: DisputeView) => ({
    loanId: d.loanId,
    openedBy: d.openedBy,
    openedAt: iso(d.openedAt),
    reason: codeText(d.reason),
    ...(d.response === null ? {} : { response: d.response }),
    ...(d.state !== "Resolved"
      ? {}
      : { resolvedBy: d.resolvedBy!, resolvedAt: iso(d.resolvedAt!), outcome: codeText(d.outcome!) }),
  });

  const report: Report = {
    borrowerKey: key,
    generatedAt: iso(now),
    currency,
    loans,
    inquiries,
    consents: consentRows.map((c) => ({
      consentId: c.id,
      recordedAt: iso(Number(c.recorded_at)),
      ...consentState(consentView(c)),
      covered: (JSON.parse(c.covered) as number[]).map(Number),
    })),
    disputes: {
      open: record.disputes.filter((d) => d.state !== "Resolved").map(dispute),
      closed: (
        await closedDisputes(
          db,
          chainId,
          record.loans.map((l) => l.loanId),
        )
      ).map(dispute),
    },
    score,
  };
  return { report, questions };
}
