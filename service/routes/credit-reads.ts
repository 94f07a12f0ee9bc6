/**
 * The lender desk's reads: the loans this service's member reported, newest first, from the read model's loans
 * table (amounts in the registry's reporting currency, as the writes answer them).
 */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { decodeBytes32String, type ContractRunner } from "ethers";
import type { Kysely } from "kysely";

import { isoDate, scoreOf } from "../../src/credit.js";
import { inquiryRefusal } from "../../src/report.js";
import { connect, type Deployment } from "../../src/deployment.js";
import { CreditRegistry__factory, CreditScore__factory } from "../../typechain-types/index.js";
import { currencyOf, type Currency } from "../../src/desk/credit.js";
import { decodeCode, formatAmount, minorUnits } from "../../src/encoding.js";
import { roleIndex } from "../../src/members.js";
import { allow, type AppEnv } from "../app.js";
import { onSnapshot } from "../db.js";
import { describeError } from "../../src/errors.js";
import { forbidden, ProblemError } from "../problem.js";
import type { Tables } from "../schema.js";
import { Hex32, PlanOut } from "./borrower.js";
import { ReportOut, ScoreOut, readModelReport } from "./report.js";
import { memberOfOperator } from "../notifications.js";
import type { Writer } from "../writes.js";
import { listResponse, pageOf, pageQuery } from "./lists.js";

export interface CreditReadContext {
  db: Kysely<Tables>;
  chainId: number;
  writer?: Writer | undefined;
  /** The deployment followed: its credit score contract answers the score (`creditScore`). */
  deployment?: (Deployment & { creditScore?: string }) | undefined;
  /** The chain, for the one view a read asks of it: the score. */
  chain?: ContractRunner | undefined;
  /** The chain's latest block time, Unix seconds (the report's time). */
  chainTime?: () => Promise<number>;
}

const security = [{ bearer: [] }];

/** How long after its member's consented inquiry a lender desk may read the borrower's report: 30 days. */
export const REPORT_AFTER_INQUIRY_SECONDS = 30 * 86_400;
/** How many of the consents a desk inquired under the report gate asks the chain about, the newest first. */
export const REPORT_CONSENTS_CHECKED = 5;

const LoanSummary = z
  .object({
    id: z.string(),
    ref: z.string().openapi({ description: "the lender's loan reference", example: "HX-2026-0001" }),
    borrowerKey: z.string(),
    lender: z.number().int(),
    kind: z.string(),
    status: z.string(),
    principal: z.string().openapi({ description: "major units of `currency`", example: "20000.00" }),
    outstanding: z.string().openapi({ description: "major units of `currency`", example: "18500.00" }),
    currency: z.string(),
    originated: z.string().openapi({ description: "YYYY-MM-DD" }),
    matures: z.string().openapi({ description: "YYYY-MM-DD" }),
    registeredAt: z.number().int().openapi({ description: "Unix seconds" }),
    aprBps: z.number().int().nullable().openapi({ description: "the disclosed APR, basis points; null if none" }),
    apr: z.string().nullable().openapi({ description: "the APR as a percentage, 2 decimals", example: "23.99%" }),
    instalments: z.number().int().nullable().openapi({ description: "the plan's instalments; null without a plan" }),
    plan: PlanOut.nullable(),
    bucket: z
      .number()
      .int()
      .openapi({ description: "delinquency: 0 current, 1: 1-30, 2: 31-60, 3: 61-90, 4: 90+ dpd" }),
    daysPastDue: z.number().int().nullable().openapi({ description: "days past due when the bucket last moved" }),
  })
  .openapi("LoanSummary");

/** Basis points as a percentage with two decimals ("2399" -> "23.99%"). */
export function percentOfBps(bps: number): string {
  return `${Math.floor(bps / 100)}.${String(bps % 100).padStart(2, "0")}%`;
}

/** A loan reference as the chain stores it (bytes32) back to its text; a value that is not one stays as it is. */
function refText(hex: string): string {
  try {
    return decodeBytes32String(hex);
  } catch {
    return hex;
  }
}

export function creditReadRoutes(app: OpenAPIHono<AppEnv>, ctx: CreditReadContext): void {
  const { db, chainId, writer } = ctx;
  // The reporting currency is set once at deployment: read from the chain on first use, then kept.
  let currency: Promise<Currency> | undefined;
  const reporting = (w: Writer) => {
    currency ??= currencyOf(connect(w.deployment, w.provider)).catch((err: unknown) => {
      currency = undefined;
      throw err;
    });
    return currency;
  };

  /** The member this service signs for (its admin or one of its operators), once the read model knows it. */
  const memberOf = async (w: Writer) => memberOfOperator(db, chainId, await w.signer.getAddress());

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/credit/loans",
      summary: "The loans this member reported, newest first",
      description:
        "The member is the one this service signs for (`GET /v1/me`); a service that does not write, or whose " +
        "member the read model does not know yet, has no loans to list.",
      security,
      request: {
        query: z.object({
          format: z.enum(["json", "csv"]).optional().openapi({ description: "csv: every loan, unpaged" }),
          ...pageQuery,
        }),
      },
      responses: {
        200: {
          description: "the loans; a Link header with rel=next when more follow",
          content: { "application/json": { schema: z.array(LoanSummary) }, "text/csv": { schema: z.string() } },
        },
      },
      middleware: [allow("lender-desk")] as const,
    }),
    async (c) => {
      const q = c.req.valid("query");
      const member = writer === undefined ? undefined : await memberOf(writer);
      const columns: (keyof z.infer<typeof LoanSummary>)[] = [
        "id",
        "ref",
        "borrowerKey",
        "lender",
        "kind",
        "status",
        "principal",
        "outstanding",
        "currency",
        "originated",
        "matures",
        "registeredAt",
        "aprBps",
        "apr",
        "instalments",
        "bucket",
        "daysPastDue",
      ];
      if (writer === undefined || member === undefined) return listResponse(c, q.format, "loans", columns, []);
      const cur = await reporting(writer);
      const query = db.selectFrom("loans").selectAll().where("chain_id", "=", chainId).where("reporter", "=", member);
      const page = await pageOf(c, q, query, [
        { column: "registered_block", desc: true, kind: "number", of: (r) => Number(r.registered_block) },
        { column: "id", desc: true, kind: "string", of: (r) => r.id },
      ]);
      return listResponse(
        c,
        q.format,
        "loans",
        columns,
        page.map((r) => ({
          id: r.id,
          ref: refText(r.loan_ref),
          borrowerKey: r.borrower_key,
          lender: Number(r.lender),
          kind: r.kind,
          status: r.status,
          principal: formatAmount(BigInt(r.principal), cur.decimals),
          outstanding: formatAmount(BigInt(r.outstanding), cur.decimals),
          currency: cur.code,
          originated: isoDate(Number(r.origination_day)),
          matures: isoDate(Number(r.maturity_day)),
          registeredAt: Number(r.registered_at),
          aprBps: r.apr_bps === null ? null : Number(r.apr_bps),
          apr: r.apr_bps === null ? null : percentOfBps(Number(r.apr_bps)),
          instalments: r.plan === null ? null : (JSON.parse(r.plan) as { instalments: number }).instalments,
          plan: r.plan === null ? null : (JSON.parse(r.plan) as z.infer<typeof PlanOut>),
          bucket: Number(r.bucket),
          daysPastDue: r.days_past_due === null ? null : Number(r.days_past_due),
        })),
      );
    },
  );

  /** The chain's CreditScore and CreditRegistry views; 503 when the service has no chain or no score contract. */
  const chainViews = () => {
    const address = ctx.deployment?.creditScore;
    if (address === undefined || ctx.chain === undefined || ctx.deployment === undefined) {
      throw new ProblemError(
        503,
        "no-credit-score",
        "No credit score to ask",
        "the service follows no CreditScore contract (its deployment record has none) or has no chain",
      );
    }
    return {
      score: CreditScore__factory.connect(address, ctx.chain),
      credit: CreditRegistry__factory.connect(ctx.deployment.creditRegistry, ctx.chain),
    };
  };

  const Key = z.object({ borrowerKey: Hex32 });

  /**
   * 403 unless this service's member, active with the Lender role, inquired about `key` on the chain (a logged
   * `CreditInquired`, which the regulator sees) within the last `REPORT_AFTER_INQUIRY_SECONDS`, under a consent still
   * in force for the next block and, when another member holds it, while that holder is active. Recording a consent
   * alone unlocks nothing (adversarial review 5, F1 and F2).
   */
  const requireInquiry = async (key: string, now: number): Promise<void> => {
    const member = writer === undefined ? undefined : await memberOf(writer);
    if (member === undefined) {
      throw forbidden("this service signs for no member the read model knows, so its desk has made no inquiry");
    }
    const standing = await db
      .selectFrom("members")
      .select(["status", "roles"])
      .where("chain_id", "=", chainId)
      .where("id", "=", member)
      .executeTakeFirst();
    if (standing?.status !== "Active" || (Number(standing.roles) & (1 << roleIndex("Lender"))) === 0) {
      throw forbidden(`member ${member} is not an active Lender, so it reads no borrower's report`);
    }
    const inquired = await db
      .selectFrom("inquiries")
      .innerJoin("consents", (j) =>
        j.onRef("consents.chain_id", "=", "inquiries.chain_id").onRef("consents.id", "=", "inquiries.consent_id"),
      )
      .innerJoin("members as holders", (j) =>
        j.onRef("holders.chain_id", "=", "consents.chain_id").onRef("holders.id", "=", "consents.holder"),
      )
      .select((eb) => ["consents.id as consentId", "consents.purpose as purpose", eb.fn.max("inquiries.at").as("at")])
      .where("inquiries.chain_id", "=", chainId)
      .where("inquiries.borrower_key", "=", key)
      .where("inquiries.lender", "=", member)
      .where("inquiries.at", ">=", now - REPORT_AFTER_INQUIRY_SECONDS)
      .where("consents.revoked_at", "is", null)
      .where("consents.expires_at", ">", now + 1)
      // As the chain's inquiry does (`ConsentHolderInactive`): a covered member relies on the holder's word only
      // while the holder is active.
      .where((w) => w.or([w("consents.holder", "=", member), w("holders.status", "=", "Active")]))
      .groupBy(["consents.id", "consents.purpose"])
      .orderBy("at", "desc")
      .limit(REPORT_CONSENTS_CHECKED)
      .execute();
    if (inquired.length === 0) {
      throw forbidden(
        `member ${member} made no inquiry about this borrower in the last ${REPORT_AFTER_INQUIRY_SECONDS / 86_400} ` +
          "days under a consent still in force, held by it or by an active member: inquire first (POST /v1/credit/inquiries)",
      );
    }
    // The read model may lag the chain (a node that fails its log reads, confirmations to wait for): what can have
    // changed since the inquiry, the member's standing, the consent's revocation and its holder's, is decided by the
    // chain's own views, the two that `inquire` asks (adversarial reviews 14, R14-1, and 15, R15-2: not `inquire`
    // itself, which a pause of the registry's writes refuses). A node that fails the call is a 503, not a refusal.
    const chain = connect(writer!.deployment, writer!.provider);
    const account = await writer!.signer.getAddress();
    let refusal = "";
    for (const row of inquired) {
      let why: string | undefined;
      try {
        why = await inquiryRefusal(chain.members, chain.consents, account, key, row.purpose, row.consentId);
      } catch (err) {
        throw new ProblemError(
          503,
          "chain-unavailable",
          "The chain did not answer",
          `the report gate could not ask the chain about consent ${row.consentId}: ${describeError(err)}; try again`,
        );
      }
      if (why === undefined) return;
      refusal ||= `under consent ${row.consentId}: ${why}`;
    }
    throw forbidden(`the chain refuses member ${member} a look-up of this borrower now, ${refusal}`);
  };

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/credit/borrowers/{borrowerKey}/score",
      summary: "The borrower's shared score and its reason codes (the chain's CreditScore view)",
      description: "Every member gets the same number for the same chain state. 503 when the service has no chain.",
      security,
      request: { params: Key },
      responses: { 200: { description: "the score", content: { "application/json": { schema: ScoreOut } } } },
      middleware: [allow("lender-desk", "regulator")] as const,
    }),
    async (c) => {
      const key = c.req.valid("param").borrowerKey.toLowerCase();
      return c.json(await scoreOf(chainViews().score, key), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/credit/borrowers/{borrowerKey}/report",
      summary: "The borrower's own report: loans, inquiries with their consents, disputes, the score with its reasons",
      description:
        "The data subject's report from the read model, in the JSON of the SDK's borrowerReport (`credit:report " +
        "--service` prints it); the score and the reporting currency are the chain's. A lender desk reads it only " +
        "when the member this service signs for, an active Lender, inquired about the borrower on the chain in the " +
        "last 30 days under a consent still in force (403 otherwise); a regulator reads any. 503 when the service " +
        "has no chain.",
      security,
      request: { params: Key },
      responses: {
        200: { description: "the report", content: { "application/json": { schema: ReportOut } } },
        403: { description: "a lender desk whose member made no inquiry about this borrower under a consent in force" },
      },
      middleware: [allow("lender-desk", "regulator")] as const,
    }),
    async (c) => {
      const key = c.req.valid("param").borrowerKey.toLowerCase();
      const views = chainViews();
      const now = ctx.chainTime === undefined ? Math.floor(Date.now() / 1000) : await ctx.chainTime();
      // The lending workflow goes through the logged inquiry: a lender desk reads a report only after its member
      // inquired under a consent in force. The regulator reads any.
      if (!c.get("client").roles.includes("regulator")) await requireInquiry(key, now);
      const code = decodeCode(await views.credit.reportingCurrency());
      const score = await scoreOf(views.score, key);
      const report = await readModelReport(
        (read) => onSnapshot(db, read),
        chainId,
        key,
        now,
        { code, decimals: minorUnits(code) },
        score,
        views.credit,
      );
      return c.json(report, 200);
    },
  );
}
