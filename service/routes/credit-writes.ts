/**
 * The lender desk's writes: register a loan (joint loans with their funders), repayments, status changes, disputes,
 * the logged inquiry with the policy verdict, and loan files uploaded as CSV jobs. Each is the SDK desk's operation
 * (`src/desk/credit.ts`, the same the `credit:*` tasks print) run through `runWrite`.
 */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { Kysely, Selectable } from "kysely";
import type { Logger } from "pino";

import { CONSENT_PURPOSES, FREQUENCIES, isoDate, type ConsentPurposeName } from "../../src/credit.js";
import { DELINQUENCY_BUCKETS } from "../../src/schedule.js";
import { connect } from "../../src/deployment.js";
import * as desk from "../../src/desk/credit.js";
import { formatAmount } from "../../src/encoding.js";
import { allow, requireRole, type AppEnv } from "../app.js";
import { tokenLive, type ApiRole } from "../auth.js";
import { decodeError } from "../../src/errors.js";
import { ProblemError, badRequest, echo, notFound } from "../problem.js";
import type { Tables } from "../schema.js";
import { runAlive, runWrite, writeProblem, type WriteContext, type Writer } from "../writes.js";
import { Text, WriteAnswer, idempotencyHeader, problemContent, writeResponses, writeRoute } from "./write-schemas.js";

const security = [{ bearer: [] }];
const Decimal = Text.openapi({ description: "an amount in major units, e.g. 1250.50", example: "20000.00" });
const Day = Text.openapi({ description: "a UTC date, YYYY-MM-DD", example: "2026-03-01" });

const problem = problemContent;
const answers = writeResponses;
const idempotency = idempotencyHeader;

const LoanBody = z
  .object({
    borrowerType: Text.openapi({ example: "CN-RIC" }),
    borrowerId: Text.openapi({ description: "keyed with the consortium key; never stored or logged" }),
    ref: Text.openapi({ description: "the lender's loan reference, up to 31 characters", example: "HX-2026-0001" }),
    product: Text.optional().openapi({ example: "ConsumerLoan" }),
    principal: Decimal,
    outstanding: Decimal.optional(),
    originated: Day,
    matures: Day.optional().openapi({ description: "required without a plan; with one, its last due date" }),
    salt: Text.optional().openapi({ description: "the record commitment's salt; default a fresh one" }),
    aprBps: Text.optional().openapi({
      description:
        "the disclosed annual percentage rate in basis points (2399 for 23.99%), capped by the policy; a consumer " +
        "loan with a plan and none gets the APR its cash flows imply",
      example: "2399",
    }),
    instalments: Text.optional().openapi({ description: "an instalment plan's number of instalments (1 to 120)" }),
    frequency: Text.optional().openapi({ description: "Weekly or Monthly (default Monthly)" }),
    firstDue: Day.optional().openapi({ description: "the first instalment's due date; `matures` is the last's" }),
    instalment: Decimal.optional().openapi({ description: "each instalment (or give amortiseRateBps)" }),
    finalInstalment: Decimal.optional().openapi({ description: "the last instalment; default the same" }),
    amortiseRateBps: Text.optional().openapi({ description: "a nominal annual rate that amortises the principal" }),
    funders: z
      .array(z.object({ member: z.number().int(), shareBps: z.number().int() }))
      .optional()
      .openapi({ description: "a JointLoan's funders, shares in basis points summing to 10,000" }),
  })
  .strict()
  .openapi("LoanRequest");

function exposureOut(e: desk.Registered["exposure"]) {
  return {
    activeLoans: Number(e.activeLoans),
    activeLenders: Number(e.activeLenders),
    outstanding: String(e.outstanding),
    defaults: Number(e.defaults),
    inquiries: Number(e.inquiries),
  };
}

/** Who may take each dispute step: a lender's desk answers; the regulator corrects and resolves. */
const DISPUTE_ROLES: Record<desk.DisputeAction, ApiRole[]> = {
  open: ["lender-desk", "regulator"],
  answer: ["lender-desk"],
  correct: ["regulator"],
  resolve: ["regulator"],
};

export interface CreditWriteContext extends WriteContext {
  logger?: Logger;
}

export function creditWriteRoutes(app: OpenAPIHono<AppEnv>, ctx: CreditWriteContext): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/credit/loans",
      summary: "Register a loan of this member (a JointLoan with its funders)",
      security,
      request: { headers: idempotency, body: { content: { "application/json": { schema: LoanBody } } } },
      responses: answers(201, "registered: the loan id, any multi-borrowing flag, the borrower's exposure now"),
      middleware: [allow("lender-desk")] as const,
    }),
    async (c) => {
      const body = c.req.valid("json");
      return runWrite(c, ctx, "credit.register", JSON.stringify(body), async (d) => {
        const r = await desk.register(d, {
          ...body,
          funders: body.funders?.map((f) => ({ member: String(f.member), shareBps: String(f.shareBps) })),
        });
        return {
          status: 201,
          result: {
            kind: r.kind,
            ref: r.ref,
            borrower: r.borrower,
            borrowerKey: r.borrowerKey,
            loanIds: r.result.ids,
            outstanding: formatAmount(r.outstanding, r.currency.decimals),
            currency: r.currency.code,
            flags: r.result.flags.map((f) => ({ ...f, value: String(f.value), max: String(f.max) })),
            exposure: exposureOut(r.exposure),
            salt: r.salt,
            aprBps: r.aprBps,
            ...(r.plan === undefined
              ? {}
              : {
                  plan: {
                    instalments: r.plan.instalments,
                    frequency: FREQUENCIES[r.plan.frequency],
                    firstDue: isoDate(r.plan.firstDueDay),
                    instalment: formatAmount(r.plan.instalment, r.currency.decimals),
                    finalInstalment: formatAmount(r.plan.finalInstalment, r.currency.decimals),
                  },
                }),
          },
        };
      });
    },
  );

  const Ref = z.object({ ref: Text.min(1).max(31).openapi({ example: "HX-2026-0001" }) });

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/credit/loans/{ref}/repayments",
      summary: "Report a repayment of this member's loan; repaying it all marks it Repaid",
      security,
      request: {
        params: Ref,
        headers: idempotency,
        body: { content: { "application/json": { schema: z.object({ amount: Decimal }).strict() } } },
      },
      responses: answers(200, "the outstanding after the repayment, and the new status if it changed"),
      middleware: [allow("lender-desk")] as const,
    }),
    async (c) => {
      const { ref } = c.req.valid("param");
      const body = c.req.valid("json");
      return runWrite(c, ctx, "credit.repay", JSON.stringify({ ref, ...body }), async (d) => {
        const r = await desk.repay(d, { ref, amount: body.amount });
        return {
          result: {
            ref,
            amount: formatAmount(r.amount, r.currency.decimals),
            currency: r.currency.code,
            ...(r.outstanding === undefined ? {} : { outstanding: formatAmount(r.outstanding, r.currency.decimals) }),
            ...(r.status === undefined ? {} : { status: r.status }),
          },
        };
      });
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/credit/loans/{ref}/status",
      summary: "Move this member's loan to Overdue, Active (cured), Defaulted, WrittenOff or Repaid",
      security,
      request: {
        params: Ref,
        headers: idempotency,
        body: { content: { "application/json": { schema: z.object({ to: Text }).strict() } } },
      },
      responses: answers(200, "the status before and after"),
      middleware: [allow("lender-desk")] as const,
    }),
    async (c) => {
      const { ref } = c.req.valid("param");
      const body = c.req.valid("json");
      return runWrite(c, ctx, "credit.status", JSON.stringify({ ref, ...body }), async (d) => {
        const r = await desk.changeStatus(d, { ref, to: body.to });
        return { result: { ref: r.ref, from: r.from, to: r.to } };
      });
    },
  );

  writeRoute(app, ctx, {
    path: "/v1/credit/loans/age",
    summary:
      "Applies what time changed on a loan (anyone may): a missed instalment past the grace to Overdue, a " +
      "delinquency bucket, a negative record past its retention",
    roles: ["lender-desk", "regulator"],
    action: "credit.age",
    body: z.object({ loanId: Text.openapi({ description: "the loan's id, 0x and 64 hex digits" }) }).strict(),
    run: async (d, b) => {
      const r = await desk.age(d, { loanId: b.loanId });
      return {
        loanId: r.loanId,
        daysPastDue: r.delinquency.daysPastDue,
        bucket: r.delinquency.bucketLabel,
        status: r.status ?? null,
        bucketMoved:
          r.bucket === undefined
            ? null
            : { from: DELINQUENCY_BUCKETS[r.bucket.from], to: DELINQUENCY_BUCKETS[r.bucket.to] },
        negativeRecordExpired: r.negativeRecordExpired,
      };
    },
  });

  const Hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "a 32-byte hex value, 0x and 64 hex digits");
  const Purpose = z.enum(CONSENT_PURPOSES.slice(1) as [ConsentPurposeName, ...ConsentPurposeName[]]).openapi({
    description: "the consent's purpose (ConsentPurpose): an inquiry must name its consent's purpose",
    example: "NewCredit",
  });

  const InquiryBody = z
    .object({
      borrowerType: Text,
      borrowerId: Text.openapi({ description: "keyed with the consortium key; never stored or logged" }),
      consentId: Hex32.openapi({ description: "the consent book's consent the inquiry relies on" }),
      purpose: Purpose,
      amount: Decimal.optional().openapi({ description: "the new loan the policy verdict is for" }),
      product: Text.optional().openapi({
        description: "the new loan's product; default ConsumerLoan",
        example: "ConsumerLoan",
      }),
      aprBps: Text.optional().openapi({
        description:
          "the new loan's APR in basis points (2399 for 23.99%), judged against the policy's cap for the products it " +
          "caps (consumer and joint loans), as registering judges it",
        example: "2399",
      }),
      loan: Text.optional().openapi({
        description:
          "Collections only: the reference of this member's loan being collected; a written-off debt still owed is " +
          "collected this way, without it a collection needs a live loan of the borrower",
      }),
    })
    .strict()
    .openapi("InquiryRequest");

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/credit/inquiries",
      summary: "A logged inquiry under a consent: the borrower's exposure and what the policy says of a new loan",
      description:
        "The chain refuses it (a problem naming the error) when the consent is expired or revoked, is another " +
        "borrower's, does not cover this member, or was given for another purpose.",
      security,
      request: { headers: idempotency, body: { content: { "application/json": { schema: InquiryBody } } } },
      responses: answers(200, "the exposure, and the limits a new loan would break (flagged or refused)"),
      middleware: [allow("lender-desk")] as const,
    }),
    async (c) => {
      const body = c.req.valid("json");
      return runWrite(c, ctx, "credit.inquire", JSON.stringify(body), async (d) => {
        const { consentId, ...rest } = body;
        const r = await desk.check(d, { ...rest, consent: consentId });
        return {
          result: {
            borrower: r.borrower,
            borrowerKey: r.borrowerKey,
            member: Number(r.member),
            exposure: exposureOut(r.exposure),
            policy: {
              mode: r.mode,
              amount: formatAmount(r.amount, r.currency.decimals),
              currency: r.currency.code,
              product: r.product,
              ...(r.aprBps === undefined ? {} : { aprBps: r.aprBps }),
              verdict: r.breaches.length === 0 ? "within every limit" : r.mode === "Enforce" ? "refused" : "flagged",
              breaches: r.breaches.map((b) => ({ limit: b.limit, value: String(b.value), max: String(b.max) })),
            },
            consentId: r.consent,
            purpose: r.purpose,
          },
        };
      });
    },
  );

  const ConsentBody = z
    .object({
      borrowerType: Text,
      borrowerId: Text.openapi({ description: "keyed with the consortium key; never stored or logged" }),
      document: Text.openapi({
        description: "the signed consent document's reference text (committed to with a salt; never a hash)",
        example: "borrower authorization QL-A-7781",
      }),
      documentSalt: Text.optional().openapi({ description: "to repeat an earlier commitment; default a fresh salt" }),
      purpose: Purpose,
      expires: Day.openapi({ description: "the last day (UTC) the consent is in force: it expires at its end" }),
      covered: z
        .array(
          z
            .number()
            .int()
            .min(1)
            .max(2 ** 32 - 1),
        )
        .max(4)
        .optional()
        .openapi({ description: "members besides this one that may rely on it (at most 4)" }),
    })
    .strict()
    .openapi("ConsentRequest");

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/credit/consents",
      summary:
        "Record a borrower's consent to look-ups: its document's commitment, purpose, expiry and covered members",
      security,
      request: { headers: idempotency, body: { content: { "application/json": { schema: ConsentBody } } } },
      responses: answers(201, "recorded: the consent id an inquiry names, and the document's salt to keep"),
      middleware: [allow("lender-desk")] as const,
    }),
    async (c) => {
      const body = c.req.valid("json");
      return runWrite(c, ctx, "credit.consent.record", JSON.stringify(body), async (d) => {
        const r = await desk.recordConsent(d, { ...body, covered: body.covered?.join(",") });
        return {
          status: 201,
          result: {
            consentId: r.id,
            borrower: r.borrower,
            borrowerKey: r.borrowerKey,
            purpose: r.purpose,
            documentHash: r.documentHash,
            documentSalt: r.documentSalt,
            expiresAt: r.expiresAt,
            covered: r.covered.map(Number),
          },
        };
      });
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/credit/consents/{consentId}/revoke",
      summary:
        "Record the borrower's withdrawal of a consent (its holder: lender-desk; another member's: regulator); it " +
        "takes effect at once",
      security,
      request: {
        params: z.object({ consentId: Hex32 }),
        headers: idempotency,
        body: { content: { "application/json": { schema: z.object({ reason: Text }).strict() } } },
      },
      responses: answers(200, "revoked"),
      middleware: [allow("lender-desk", "regulator")] as const,
    }),
    async (c) => {
      const { consentId } = c.req.valid("param");
      const body = c.req.valid("json");
      // The chain lets the consent's holder or any Regulator revoke it: a lender's desk for a consent its member
      // holds, a regulator's for another member's. Its holder never changes once recorded; a consent not recorded
      // yet is refused here, as the chain would (ConsentUnknown), so no step goes unchecked (review 9, J1).
      const authorize = async (w: Writer) => {
        const contracts = connect(w.deployment, w.provider);
        const [consent, member] = await Promise.all([
          contracts.consents.getConsent(consentId),
          w.signer.getAddress().then((a) => contracts.members.memberForKey(a)),
        ]).catch((err: unknown) => {
          throw decodeError(err) === undefined
            ? new ProblemError(
                503,
                "chain-unavailable",
                "The chain did not answer",
                "the consent could not be read: retry",
              )
            : err;
        });
        if (consent.holder === 0n) throw notFound(`no consent ${consentId} is recorded on the chain`);
        if (consent.holder === member) {
          requireRole(c.get("client"), ["lender-desk"], "revoking a consent this member holds");
        } else requireRole(c.get("client"), ["regulator"], "revoking a consent another member holds");
      };
      return runWrite(
        c,
        ctx,
        "credit.consent.revoke",
        JSON.stringify({ consentId, ...body }),
        async (d) => {
          const r = await desk.revokeConsent(d, { consent: consentId, reason: body.reason });
          return { result: { consentId: r.id, revoked: true, reason: body.reason } };
        },
        authorize,
      );
    },
  );

  const DisputeBody = z
    .object({
      action: z.enum(desk.DISPUTE_ACTIONS),
      lender: z.number().int().optional().openapi({ description: "the reporting lender's member id" }),
      ref: Text,
      reason: Text,
      to: Text.optional(),
      outstanding: Decimal.optional(),
      commitment: Text.optional(),
      salt: Text.optional(),
    })
    .strict()
    .openapi("DisputeRequest");

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/credit/disputes",
      summary: "Open, answer, correct or resolve a dispute on a loan (the chain decides who may)",
      security,
      request: { headers: idempotency, body: { content: { "application/json": { schema: DisputeBody } } } },
      responses: answers(200, "the dispute step taken"),
      middleware: [allow("lender-desk", "regulator")] as const,
    }),
    async (c) => {
      const body = c.req.valid("json");
      // The chain sees one key per member: which desk may take which step is decided here.
      requireRole(c.get("client"), DISPUTE_ROLES[body.action], `a dispute's ${body.action} step`);
      return runWrite(c, ctx, `credit.dispute.${body.action}`, JSON.stringify(body), async (d) => {
        const r = await desk.dispute(d, {
          ...body,
          lender: body.lender === undefined ? undefined : String(body.lender),
        });
        return { result: { action: r.action, ref: r.ref, ...(r.answer === undefined ? {} : { answer: r.answer }) } };
      });
    },
  );

  uploadRoutes(app, ctx);
}

// ─── Loan files ───────────────────────────────────────────────────────────────

const Job = z
  .object({
    id: z.number().int(),
    status: z.enum(["running", "done", "failed", "interrupted"]),
    lines: z.number().int().openapi({ description: "loans in the file" }),
    alreadyRegistered: z.number().int().openapi({ description: "already on the chain (a resumed upload)" }),
    pending: z.number().int(),
    sent: z.number().int(),
    txHashes: z.array(z.string()),
    error: z.string().nullable(),
    flags: z
      .array(
        z.object({
          loanId: z.string(),
          borrowerKey: z.string(),
          limit: z.string().openapi({ description: "DistinctLenders, Outstanding or Inquiries" }),
          value: z.string(),
          max: z.string(),
          txHash: z.string(),
        }),
      )
      .openapi({ description: "multi-borrowing flags the job's batches raised, once the read model indexed them" }),
  })
  .openapi("UploadJob");

/** Where an upload job is read, and the path its batches are audited under. */
const jobPath = (id: number) => `/v1/credit/uploads/${id}`;

/** The transactions of a job's batches, in order, from the audit table. */
async function jobHashes(db: Kysely<Tables>, id: number): Promise<string[]> {
  const rows = await db
    .selectFrom("audit_log")
    .select("tx_hash")
    .where("path", "=", jobPath(id))
    .where("action", "=", "credit.upload.batch")
    .orderBy("id")
    .execute();
  return rows.map((r) => r.tx_hash).filter((h): h is string => h !== null);
}

/** The multi-borrowing flags raised by a job's transactions, as the read model has indexed them so far. */
async function jobFlags(db: Kysely<Tables>, txHashes: string[]) {
  if (txHashes.length === 0) return [];
  const rows = await db
    .selectFrom("flags")
    .selectAll()
    .where("tx_hash", "in", txHashes)
    .orderBy("block_number")
    .orderBy("log_index")
    .execute();
  return rows.map((r) => ({
    loanId: r.loan_id,
    borrowerKey: r.borrower_key,
    limit: r.limit_name,
    value: r.value,
    max: r.max,
    txHash: r.tx_hash,
  }));
}

function jobOut(row: Selectable<Tables["upload_jobs"]>, txHashes: string[], flags: z.infer<typeof Job>["flags"]) {
  return {
    id: Number(row.id),
    status: row.status as "running" | "done" | "failed" | "interrupted",
    lines: Number(row.lines),
    alreadyRegistered: Number(row.already_registered),
    pending: Number(row.pending),
    sent: Number(row.sent),
    txHashes,
    error: row.error,
    flags,
  };
}

/**
 * Marks the jobs a stopped service left running: their file is sent again to resume (nothing is stored of it). A job
 * whose run is alive (`runAlive`: its lease renewed lately) is another service's, sending now: it is left alone.
 * Run at a service's start, and when a running job is read, so that a run that died while another service kept
 * running does not leave its jobs `running` (adversarial review 5).
 */
export async function interruptJobs(db: Kysely<Tables>, id?: number, ownRun?: string): Promise<number> {
  let query = db.selectFrom("upload_jobs").select(["id", "run"]).where("status", "=", "running");
  if (id !== undefined) query = query.where("id", "=", id);
  let interrupted = 0;
  for (const job of await query.execute()) {
    // This process's own jobs are being sent by it, whatever the lease table says (adversarial review 6, R6-S1).
    if (job.run !== null && (job.run === ownRun || (await runAlive(db, job.run)))) continue;
    const r = await db
      .updateTable("upload_jobs")
      .set({
        status: "interrupted",
        error: "the service stopped while sending: upload the same file again to send the rest",
        updated_at: Math.floor(Date.now() / 1000),
      })
      .where("id", "=", job.id)
      .where("status", "=", "running")
      .executeTakeFirst();
    interrupted += Number(r.numUpdatedRows);
  }
  return interrupted;
}

/** A job stopped between batches because the token that started it was revoked. */
class TokenRevoked extends Error {}

function uploadRoutes(app: OpenAPIHono<AppEnv>, ctx: CreditWriteContext): void {
  const { db } = ctx;
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/credit/uploads",
      summary: "Upload a loan file (CSV): every bad line with its number and nothing sent, or a job that sends it",
      description:
        "The header is loan_ref,id_type,id_number,product,principal,outstanding,originated,matures,salt. " +
        "Sending the same file again after a crash sends only the loans not yet on the chain, matched by loan_ref.",
      security,
      request: {
        headers: idempotency,
        query: z.object({ batchSize: z.coerce.number().int().min(1).max(500).optional() }),
        body: { content: { "text/csv": { schema: z.string() } }, required: true },
      },
      responses: {
        202: {
          description: "the job sending the file (its result; follow it at /v1/credit/uploads/{id})",
          content: { "application/json": { schema: WriteAnswer } },
        },
        400: { description: "bad lines, each with its number; nothing was sent", content: problem },
      },
      middleware: [allow("lender-desk")] as const,
    }),
    async (c) => {
      const type = c.req.header("content-type") ?? "";
      if (!/^text\/csv\b/i.test(type)) {
        throw badRequest(`send the file as text/csv, not ${type === "" ? "no content type" : echo(type)}`, [
          { pointer: "/headers/content-type", detail: "text/csv" },
        ]);
      }
      const { batchSize } = c.req.valid("query");
      const text = await c.req.text();
      const client = c.get("client");
      return runWrite(c, ctx, "credit.upload", text, async (d) => {
        const plan = await desk.planLoanFile(d, text);
        // Every batch is simulated before the answer: a record the chain would refuse is a 400 naming its line.
        const checked = await desk.checkLoanFile(d, plan, batchSize);
        const now = Math.floor(Date.now() / 1000);
        const job = await db
          .insertInto("upload_jobs")
          .values({
            token_id: client.id,
            status: plan.pending.length === 0 ? "done" : "running",
            lines: plan.rows.length,
            already_registered: plan.alreadyRegistered.length,
            pending: plan.pending.length,
            sent: 0,
            tx_hashes: "",
            error: null,
            created_at: now,
            updated_at: now,
            run: plan.pending.length === 0 ? null : (ctx.writer?.run ?? null),
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        const id = Number(job.id);
        // A revoked token's job signs no further batch, its first included (adversarial review 4, C-F2; review 5,
        // F5): checked before each batch is signed.
        const stopIfRevoked = async (done: number) => {
          if (!(await tokenLive(db, client.id))) {
            throw new TokenRevoked(
              `the token that started this job was revoked: ${done} of ${plan.pending.length} loans were sent, ` +
                "the rest was not; upload the same file again with a live token to send it",
            );
          }
        };
        if (plan.pending.length > 0) {
          // The job goes on after the answer; each batch's transaction is in the audit table, which the job reads.
          void desk
            .sendCheckedLoanFile(
              d,
              checked,
              async (done, receipt) => {
                await db
                  .updateTable("upload_jobs")
                  .set({ sent: done, updated_at: Math.floor(Date.now() / 1000) })
                  .where("id", "=", id)
                  .execute();
                await db
                  .insertInto("audit_log")
                  .values({
                    token_id: client.id,
                    at: Math.floor(Date.now() / 1000),
                    method: "JOB",
                    path: jobPath(id),
                    action: "credit.upload.batch",
                    status: 200,
                    tx_hash: receipt.hash,
                  })
                  .execute();
              },
              stopIfRevoked,
            )
            .then(
              // Done is done, even after another service took the job for interrupted: no stale error stays.
              () => db.updateTable("upload_jobs").set({ status: "done", error: null }).where("id", "=", id).execute(),
              (err: unknown) => {
                if (err instanceof TokenRevoked) {
                  return db
                    .updateTable("upload_jobs")
                    .set({ status: "interrupted", error: err.message, updated_at: Math.floor(Date.now() / 1000) })
                    .where("id", "=", id)
                    .execute();
                }
                ctx.logger?.warn({ job: id, err: err instanceof Error ? err.message : String(err) }, "upload failed");
                // What the client reads is the problem's text (a decoded revert), never the raw error.
                const problem = writeProblem(err);
                return db
                  .updateTable("upload_jobs")
                  .set({ status: "failed", error: `${problem.title}: ${problem.detail}` })
                  .where("id", "=", id)
                  .execute();
              },
            )
            .catch((err: unknown) => ctx.logger?.error({ job: id, err: String(err) }, "upload job bookkeeping failed"));
        }
        return { status: 202, result: jobOut(job, [], []) };
      });
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/credit/uploads/{id}",
      summary: "An upload job's progress",
      security,
      request: { params: z.object({ id: z.coerce.number().int().min(1).max(2_147_483_647) }) },
      responses: {
        200: { description: "the job", content: { "application/json": { schema: Job } } },
        404: { description: "no such job of this token", content: problem },
      },
      middleware: [allow("lender-desk")] as const,
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const read = () =>
        db
          .selectFrom("upload_jobs")
          .selectAll()
          .where("id", "=", id)
          .where("token_id", "=", c.get("client").id)
          .executeTakeFirst();
      let row = await read();
      if (row === undefined) throw notFound(`no upload job ${id} of this token`);
      if (row.status === "running" && (await interruptJobs(db, id, ctx.writer?.run)) > 0) row = (await read()) ?? row;
      const hashes = await jobHashes(db, id);
      return c.json(jobOut(row, hashes, await jobFlags(db, hashes)), 200);
    },
  );
}
