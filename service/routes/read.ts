/**
 * Read endpoints over the read model. Each checks the token's roles, validates its parameters with the route's
 * schema (400 naming the field otherwise), and answers from the database: no chain call on a read, except the
 * chain's time for the inquiry window.
 */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { Kysely } from "kysely";

import { POLICY_LIMITS } from "../../src/credit.js";
import { roleNames } from "../../src/members.js";
import { formatReceivable, parseReceivable } from "../../src/scf.js";
import { allow, type AppEnv } from "../app.js";
import { listResponse, pageOf, pageQuery } from "./lists.js";
import { onSnapshot } from "../db.js";
import { badRequest, notFound } from "../problem.js";
import { exposureOf } from "../projections/credit.js";
import { pausedSeconds } from "../projections/scf.js";
import type { Tables } from "../schema.js";

export interface ReadContext {
  db: Kysely<Tables>;
  chainId: number;
  /** The chain's latest block time, Unix seconds: the rolling inquiry window and maturities are judged by it. */
  chainTime: () => Promise<number>;
}

const security = [{ bearer: [] }];
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  200: { description, content: { "application/json": { schema } } },
});
const Hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "a 32-byte hex value, 0x and 64 hex digits");

const Member = z
  .object({
    id: z.number().int(),
    jurisdiction: z.string(),
    status: z.string(),
    roles: z.array(z.string()),
    admin: z.string(),
    payout: z.string().nullable(),
  })
  .openapi("Member");

const Exposure = z
  .object({
    borrowerKey: Hex32,
    activeLoans: z.number().int(),
    activeLenders: z.number().int(),
    outstanding: z.string().openapi({ description: "minor units of the reporting currency" }),
    defaults: z.number().int(),
    inquiries: z.number().int(),
    history: z.array(
      z.object({
        block: z.number().int(),
        at: z.number().int(),
        txHash: z.string(),
        activeLoans: z.number().int(),
        activeLenders: z.number().int(),
        outstanding: z.string(),
        defaults: z.number().int(),
      }),
    ),
  })
  .openapi("Exposure");

const Flag = z
  .object({
    at: z.number().int(),
    block: z.number().int(),
    txHash: z.string(),
    borrowerKey: Hex32,
    loanId: Hex32,
    lender: z.number().int().nullable().openapi({ description: "the member whose loan raised the flag" }),
    limit: z.string(),
    value: z.string(),
    max: z.string(),
  })
  .openapi("Flag");

const Piece = z
  .object({
    id: z.string().openapi({ example: "R1.2" }),
    parent: z.string().nullable(),
    holder: z.number().int(),
    face: z.string(),
    tier: z.number().int(),
    state: z.string(),
    frozen: z.boolean(),
    encumbered: z.boolean(),
    recourse: z.boolean(),
    defaulted: z.boolean(),
    pledgee: z.number().int(),
  })
  .openapi("Piece");

const Family = z
  .object({
    root: z.string(),
    debtor: z.number().int(),
    token: z.string(),
    maturity: z.number().int().openapi({ description: "Unix seconds on the wall clock (pauses included so far)" }),
    face: z.string(),
    paid: z.string(),
    state: z.string(),
    pieces: z.array(Piece),
  })
  .openapi("ReceivableFamily");

function pieceOut(p: Tables["pieces"]) {
  return {
    id: formatReceivable(BigInt(p.id)),
    parent: p.parent === null ? null : formatReceivable(BigInt(p.parent)),
    holder: Number(p.holder),
    face: p.face,
    tier: Number(p.tier),
    state: p.state,
    frozen: Number(p.frozen) === 1,
    encumbered: Number(p.encumbered) === 1,
    recourse: Number(p.recourse) === 1,
    defaulted: Number(p.defaulted) === 1,
    pledgee: Number(p.pledgee),
  };
}

function receivableId(text: string): bigint {
  try {
    return parseReceivable(text);
  } catch (err) {
    throw badRequest(err instanceof Error ? err.message : String(err), [{ pointer: "/id", detail: String(err) }]);
  }
}

export function readRoutes(app: OpenAPIHono<AppEnv>, ctx: ReadContext): void {
  const { db, chainId } = ctx;

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/members",
      summary: "Every member",
      security,
      responses: json(z.array(Member), "the members"),
    }),
    async (c) => {
      const rows = await db.selectFrom("members").selectAll().where("chain_id", "=", chainId).orderBy("id").execute();
      return c.json(
        rows.map((r) => ({
          id: Number(r.id),
          jurisdiction: r.jurisdiction,
          status: r.status,
          roles: roleNames(Number(r.roles)),
          admin: r.admin,
          payout: r.payout,
        })),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/credit/borrowers/{borrowerKey}/exposure",
      summary: "A borrower's exposure now, and its history",
      security,
      request: { params: z.object({ borrowerKey: Hex32 }) },
      responses: json(Exposure, "the exposure, as exposureOf gives it, with every change"),
      middleware: [allow("lender-desk", "regulator")] as const,
    }),
    async (c) => {
      // Keys are stored as the chain gives them, in lower case.
      const borrowerKey = c.req.valid("param").borrowerKey.toLowerCase();
      const now = await exposureOf(db, chainId, borrowerKey, await ctx.chainTime());
      const history = await db
        .selectFrom("exposure_history")
        .selectAll()
        .where("chain_id", "=", chainId)
        .where("borrower_key", "=", borrowerKey)
        .orderBy("block_number")
        .orderBy("log_index")
        .execute();
      return c.json(
        {
          borrowerKey,
          activeLoans: now.activeLoans,
          activeLenders: now.activeLenders,
          outstanding: now.outstanding.toString(),
          defaults: now.defaults,
          inquiries: now.inquiries,
          history: history.map((h) => ({
            block: Number(h.block_number),
            at: Number(h.at),
            txHash: h.tx_hash,
            activeLoans: Number(h.active_loans),
            activeLenders: Number(h.active_lenders),
            outstanding: h.outstanding,
            defaults: Number(h.defaults),
          })),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/regulator/flags",
      summary: "Multi-borrowing flags, newest first",
      security,
      request: {
        query: z.object({
          from: z.coerce
            .number()
            .int()
            .min(0)
            .max(2 ** 40)
            .optional()
            .openapi({ description: "Unix seconds, inclusive" }),
          to: z.coerce
            .number()
            .int()
            .min(0)
            .max(2 ** 40)
            .optional()
            .openapi({ description: "Unix seconds, exclusive" }),
          limit: z.enum(POLICY_LIMITS).optional(),
          format: z.enum(["json", "csv"]).optional().openapi({ description: "csv: every flag, unpaged" }),
          ...pageQuery,
        }),
      },
      responses: {
        200: {
          description: "the flags; a Link header with rel=next when more follow",
          content: { "application/json": { schema: z.array(Flag) }, "text/csv": { schema: z.string() } },
        },
      },
      middleware: [allow("regulator")] as const,
    }),
    async (c) => {
      const q = c.req.valid("query");
      // With the lender of the loan that raised each flag (the regulator filters by it).
      let query = db
        .selectFrom("flags")
        .leftJoin("loans", (j) =>
          j.onRef("loans.chain_id", "=", "flags.chain_id").onRef("loans.id", "=", "flags.loan_id"),
        )
        .selectAll("flags")
        .select("loans.lender")
        .where("flags.chain_id", "=", chainId);
      if (q.from !== undefined) query = query.where("flags.at", ">=", q.from);
      if (q.to !== undefined) query = query.where("flags.at", "<", q.to);
      if (q.limit !== undefined) query = query.where("flags.limit_name", "=", q.limit);
      // Newest first; a page continues below the (block, log) its cursor names.
      const page = await pageOf(c, q, query, [
        { column: "flags.block_number", desc: true, kind: "number", of: (r) => Number(r.block_number) },
        { column: "flags.log_index", desc: true, kind: "number", of: (r) => Number(r.log_index) },
      ]);
      return listResponse(
        c,
        q.format,
        "multi-borrowing-flags",
        ["at", "block", "txHash", "borrowerKey", "loanId", "lender", "limit", "value", "max"],
        page.map((r) => ({
          at: Number(r.at),
          block: Number(r.block_number),
          txHash: r.tx_hash,
          borrowerKey: r.borrower_key,
          loanId: r.loan_id,
          lender: r.lender === null ? null : Number(r.lender),
          limit: r.limit_name,
          value: r.value,
          max: r.max,
        })),
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/scf/receivables/{id}/family",
      summary: "A receivable's family: the root and every piece split from it, with holders, tiers and states",
      security,
      request: { params: z.object({ id: z.string().openapi({ example: "R1.0" }) }) },
      responses: json(Family, "the family tree"),
      middleware: [allow("supply-chain-desk", "bank-treasury", "regulator")] as const,
    }),
    async (c) => {
      const id = receivableId(c.req.valid("param").id);
      const family = Number(id >> 24n);
      const now = await ctx.chainTime();
      // One snapshot: the family and its pieces as of the same indexer step.
      const { f, pieces, paused } = await onSnapshot(db, async (db) => {
        const f = await db
          .selectFrom("families")
          .selectAll()
          .where("chain_id", "=", chainId)
          .where("family", "=", family)
          .executeTakeFirst();
        if (f === undefined || Number(id & 0xffffffn) >= Number(f.pieces)) {
          throw notFound(`no receivable ${formatReceivable(id)} on this chain`);
        }
        const pieces = await db
          .selectFrom("pieces")
          .selectAll()
          .where("chain_id", "=", chainId)
          .where("family", "=", family)
          .orderBy("piece_index")
          .execute();
        const paused = await pausedSeconds(db, chainId, "ReceivableLedger", now);
        return { f, pieces, paused };
      });
      return c.json(
        {
          root: formatReceivable(BigInt(f.root)),
          debtor: Number(f.debtor),
          token: f.token,
          maturity: Number(f.maturity_active) + paused,
          face: f.face,
          paid: f.paid,
          state: f.state,
          pieces: pieces.map(pieceOut),
        },
        200,
      );
    },
  );
}
