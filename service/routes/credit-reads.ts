/**
 * The lender desk's reads: the loans this service's member reported, newest first, from the read model's loans
 * table (amounts in the registry's reporting currency, as the writes answer them).
 */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { decodeBytes32String } from "ethers";
import type { Kysely } from "kysely";

import { isoDate } from "../../src/credit.js";
import { connect } from "../../src/deployment.js";
import { currencyOf, type Currency } from "../../src/desk/credit.js";
import { formatAmount } from "../../src/encoding.js";
import { allow, type AppEnv } from "../app.js";
import type { Tables } from "../schema.js";
import { memberOfOperator } from "../notifications.js";
import type { Writer } from "../writes.js";
import { listResponse, pageOf, pageQuery } from "./lists.js";

export interface CreditReadContext {
  db: Kysely<Tables>;
  chainId: number;
  writer?: Writer | undefined;
}

const security = [{ bearer: [] }];

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
  })
  .openapi("LoanSummary");

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
        })),
      );
    },
  );
}
