/**
 * A borrower's record as the read model holds it: loans (with their consumer-credit terms and delinquency), inquiries
 * (with the consent each relied on) and disputes. The regulator's history and the borrower's own report both read it
 * here, so that the two never disagree.
 */
import { z } from "@hono/zod-openapi";
import type { Kysely, Transaction } from "kysely";

import type { Tables } from "../schema.js";

type Db = Kysely<Tables> | Transaction<Tables>;

export const Hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "a 32-byte hex value, 0x and 64 hex digits");

/** The reason codes of the score (ICreditScore.Attribute + 1; 0 is no reason), as docs/credit-score.md names them. */
export const SCORE_REASONS = [
  "None",
  "Defaults",
  "Delinquency",
  "Lenders",
  "Utilisation",
  "Inquiries",
  "History",
] as const;

export const PlanOut = z
  .object({
    instalments: z.number().int(),
    frequency: z.string().openapi({ description: "Weekly or Monthly" }),
    firstDueDay: z.number().int().openapi({ description: "days since 1970-01-01" }),
    instalment: z.string().openapi({ description: "minor units" }),
    finalInstalment: z.string().openapi({ description: "minor units" }),
  })
  .openapi("InstalmentPlan");

export const LoanOut = z
  .object({
    loanId: Hex32,
    lender: z.number().int(),
    reporter: z.number().int(),
    kind: z.string(),
    status: z.string(),
    principal: z.string(),
    outstanding: z.string(),
    originationDay: z.number().int(),
    maturityDay: z.number().int(),
    commitment: Hex32,
    registeredAt: z.number().int(),
    aprBps: z.number().int().nullable().openapi({ description: "the disclosed APR in basis points; null if none" }),
    plan: PlanOut.nullable(),
    bucket: z
      .number()
      .int()
      .openapi({ description: "delinquency: 0 current, 1: 1-30, 2: 31-60, 3: 61-90, 4: 90+ dpd" }),
    daysPastDue: z.number().int().nullable().openapi({ description: "days past due when the bucket last moved" }),
    negativeExpiredAt: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "when its negative record stopped counting (retention ended), Unix seconds" }),
  })
  .openapi("HistoryLoan");

export const ConsentOut = z
  .object({
    id: Hex32,
    holder: z.number().int().openapi({ description: "the lender that collected it" }),
    purpose: z.string(),
    expiresAt: z.number().int().openapi({ description: "Unix seconds; in force strictly before it" }),
    covered: z.array(z.number().int()),
    revoked: z.boolean(),
    revokedAt: z.number().int().nullable(),
  })
  .openapi("Consent");

export const InquiryOut = z
  .object({
    at: z.number().int(),
    txHash: z.string(),
    lender: z.number().int().openapi({ description: "the inquiring member" }),
    purpose: z.string().openapi({ description: "a ConsentPurpose name (before the consent book: the free purpose)" }),
    consentId: Hex32.nullable().openapi({ description: "the consent relied on; null before the consent book" }),
    consentHash: Hex32.nullable().openapi({ description: "before the consent book: the consent's hash; else null" }),
    consent: ConsentOut.nullable().openapi({ description: "the consent as the book holds it now" }),
  })
  .openapi("HistoryInquiry");

export const DisputeOut = z
  .object({
    loanId: Hex32,
    openedAt: z.number().int(),
    openedBy: z.number().int(),
    reason: z.string(),
    state: z.string(),
    response: z.string().nullable(),
    outcome: z.string().nullable(),
    resolvedBy: z.number().int().nullable(),
    resolvedAt: z.number().int().nullable(),
  })
  .openapi("HistoryDispute");

export type LoanView = z.infer<typeof LoanOut>;
export type InquiryView = z.infer<typeof InquiryOut>;
export type DisputeView = z.infer<typeof DisputeOut>;
export type ConsentView = z.infer<typeof ConsentOut>;

/** A consents row as the API gives it. */
export function consentView(r: Tables["consents"]): ConsentView {
  return {
    id: r.id,
    holder: Number(r.holder),
    purpose: r.purpose,
    expiresAt: Number(r.expires_at),
    covered: (JSON.parse(r.covered) as number[]).map(Number),
    revoked: r.revoked_at !== null,
    revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  };
}

/** The borrower's loans (oldest first), inquiries (in chain order) and disputes, from one read of `db`. */
export async function borrowerRecord(
  db: Db,
  chainId: number,
  key: string,
): Promise<{ loans: LoanView[]; inquiries: InquiryView[]; disputes: DisputeView[] }> {
  const loanRows = await db
    .selectFrom("loans")
    .selectAll()
    .where("chain_id", "=", chainId)
    .where("borrower_key", "=", key)
    .orderBy("registered_block")
    .orderBy("registered_log")
    .orderBy("id")
    .execute();
  const loans = loanRows.map((l) => {
    const plan = l.plan === null ? null : (JSON.parse(l.plan) as z.infer<typeof PlanOut>);
    return {
      loanId: l.id,
      lender: Number(l.lender),
      reporter: Number(l.reporter),
      kind: l.kind,
      status: l.status,
      principal: l.principal,
      outstanding: l.outstanding,
      originationDay: Number(l.origination_day),
      maturityDay: Number(l.maturity_day),
      commitment: l.commitment,
      registeredAt: Number(l.registered_at),
      aprBps: l.apr_bps === null ? null : Number(l.apr_bps),
      plan,
      bucket: Number(l.bucket),
      daysPastDue: l.days_past_due === null ? null : Number(l.days_past_due),
      negativeExpiredAt: l.negative_expired_at === null ? null : Number(l.negative_expired_at),
    };
  });
  const { rows: inquiryRows, consents: consentRows } = await inquiriesOf(db, chainId, key);
  const consents = new Map([...consentRows].map(([id, r]) => [id, consentView(r)]));
  const inquiries = inquiryRows.map((i) => ({
    at: Number(i.at),
    txHash: i.tx_hash,
    lender: Number(i.lender),
    purpose: i.purpose,
    consentId: i.consent_id,
    consentHash: i.consent_hash === "" ? null : i.consent_hash,
    consent: i.consent_id === null ? null : (consents.get(i.consent_id) ?? null),
  }));
  const ids = loanRows.map((l) => l.id);
  const disputes = (
    ids.length === 0
      ? []
      : await db
          .selectFrom("loan_disputes")
          .selectAll()
          .where("chain_id", "=", chainId)
          .where("loan_id", "in", ids)
          .orderBy("opened_block")
          .orderBy("opened_log")
          .execute()
  ).map(disputeView);
  return { loans, inquiries, disputes };
}

function disputeView(d: Tables["loan_disputes"]): DisputeView {
  return {
    loanId: d.loan_id,
    openedAt: Number(d.opened_at),
    openedBy: Number(d.opened_by),
    reason: d.reason,
    state: d.state,
    response: d.response,
    outcome: d.outcome,
    resolvedBy: d.resolved_by === null ? null : Number(d.resolved_by),
    resolvedAt: d.resolved_at === null ? null : Number(d.resolved_at),
  };
}

/**
 * The resolved disputes of loans `ids`, in the order the chain resolved them: by block and log index, as the
 * chain's report lists them (adversarial review 41, D1: two resolutions in one block share its time).
 */
export async function closedDisputes(db: Db, chainId: number, ids: readonly string[]): Promise<DisputeView[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom("loan_disputes")
    .selectAll()
    .where("chain_id", "=", chainId)
    .where("loan_id", "in", ids)
    .where("state", "=", "Resolved")
    .orderBy("resolved_block")
    .orderBy("resolved_log")
    .execute();
  return rows.map(disputeView);
}

/** A borrower's inquiries in chain order, and the consents they relied on by id (older inquiries name none). */
async function inquiriesOf(
  db: Db,
  chainId: number,
  key: string,
): Promise<{ rows: Tables["inquiries"][]; consents: Map<string, Tables["consents"]> }> {
  const rows = await db
    .selectFrom("inquiries")
    .selectAll()
    .where("chain_id", "=", chainId)
    .where("borrower_key", "=", key)
    .orderBy("block_number")
    .orderBy("log_index")
    .execute();
  const ids = [...new Set(rows.flatMap((i) => (i.consent_id === null ? [] : [i.consent_id])))];
  const consents = new Map(
    (ids.length === 0
      ? []
      : await db.selectFrom("consents").selectAll().where("chain_id", "=", chainId).where("id", "in", ids).execute()
    ).map((c) => [c.id, c]),
  );
  return { rows, consents };
}
