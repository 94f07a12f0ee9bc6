/**
 * The lists a regulator and the desks ask of the read model: a borrower's full history, receivables by holder,
 * debtor or state, the overdue list, and balances. Every list is JSON, or CSV with `?format=csv` (csv-stringify:
 * quoting and formula-looking cells handled by a kept library, not by hand).
 */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { stringify } from "csv-stringify/sync";
import { getAddress } from "ethers";
import type { Context } from "hono";
import type { Kysely, RawBuilder, SelectQueryBuilder } from "kysely";

import { spreadsheetSafe } from "../../src/csv.js";
import { formatReceivable } from "../../src/scf.js";
import { allow, type AppEnv } from "../app.js";
import { onSnapshot } from "../db.js";
import { badRequest, echo } from "../problem.js";
import { pausedSeconds } from "../projections/scf.js";
import type { Tables } from "../schema.js";
import { DisputeOut, InquiryOut, LoanOut, borrowerRecord } from "./borrower.js";

export interface ListContext {
  db: Kysely<Tables>;
  chainId: number;
  chainTime: () => Promise<number>;
}

const security = [{ bearer: [] }];
const Hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "a 32-byte hex value, 0x and 64 hex digits");
const Format = z.object({
  format: z.enum(["json", "csv"]).optional().openapi({ description: "csv for a spreadsheet; default json" }),
});

/** Rows a page holds unless `pageSize` says otherwise. */
export const DEFAULT_PAGE = 500;

/** The paging parameters of a long list: a page size, and the opaque cursor a `Link: rel="next"` header gave. */
export const pageQuery = {
  pageSize: z.coerce.number().int().min(1).max(5_000).optional().openapi({ description: "rows a page (default 500)" }),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,200}$/, "the cursor a Link header gave")
    .optional()
    .openapi({ description: "where the page starts: the cursor of the previous page's Link rel=next" }),
};

type KeyValue = number | string;

/** A cursor: the sort key of a page's last row. */
export function encodeCursor(key: KeyValue[]): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

/** The sort key a cursor holds, of the given kinds; a cursor that is not one of ours is a 400. */
export function decodeCursor(cursor: string | undefined, kinds: ("number" | "string")[]): KeyValue[] | undefined {
  if (cursor === undefined) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    key = undefined;
  }
  const fits = (v: unknown, kind: "number" | "string") =>
    kind === "number" ? Number.isSafeInteger(v) && (v as number) >= 0 : typeof v === "string" && v.length <= 100;
  if (!Array.isArray(key) || key.length !== kinds.length || !key.every((v, i) => fits(v, kinds[i]))) {
    throw badRequest(`cursor ${echo(cursor)} is not one this list gave`, [
      { pointer: "/cursor", detail: "use the cursor of the previous page's Link rel=next" },
    ]);
  }
  return key as KeyValue[];
}

/** An RFC 8288 Link header to the next page: the same request with `cursor` set. */
export function nextLink(requestUrl: string, cursor: string): string {
  const url = new URL(requestUrl);
  url.searchParams.set("cursor", cursor);
  return `<${url.pathname}${url.search}>; rel="next"`;
}

/** One key a list is ordered by: a column (or an SQL expression), its direction, and its value in a row. */
export interface PageKey<R> {
  column: string | RawBuilder<unknown>;
  desc?: boolean;
  kind: "number" | "string";
  of: (row: R) => KeyValue;
}

/**
 * The page of `query` that a request asks for: ordered by `keys` (unique together), after the row its cursor names,
 * `pageSize` rows (default 500), with a `Link: rel="next"` header when more follow. CSV is the whole list.
 */
export async function pageOf<DB, TB extends keyof DB, R>(
  c: Context,
  q: { format?: "json" | "csv"; pageSize?: number; cursor?: string },
  query: SelectQueryBuilder<DB, TB, R>,
  keys: PageKey<R>[],
): Promise<R[]> {
  const csv = q.format === "csv";
  const after = csv
    ? undefined
    : decodeCursor(
        q.cursor,
        keys.map((k) => k.kind),
      );
  let paged = query;
  if (after !== undefined) {
    // Lexicographic: the first key past its value, or equal and the next key past its value, and so on.
    paged = paged.where((eb) =>
      eb.or(
        keys.map((k, i) =>
          eb.and([
            ...keys.slice(0, i).map((e, j) => eb(e.column as never, "=", after[j] as never)),
            eb(k.column as never, k.desc === true ? "<" : ">", after[i] as never),
          ]),
        ),
      ),
    );
  }
  for (const k of keys) paged = paged.orderBy(k.column as never, k.desc === true ? "desc" : "asc");
  const size = csv ? undefined : (q.pageSize ?? DEFAULT_PAGE);
  if (size === undefined) return paged.execute();
  const rows = await paged.limit(size + 1).execute();
  const page = rows.slice(0, size);
  if (rows.length > size) {
    const last = page[page.length - 1];
    c.header("Link", nextLink(c.req.url, encodeCursor(keys.map((k) => k.of(last)))));
  }
  return page;
}

/** A list as JSON, or as CSV (a header of `columns`, one line per row) when the query asks for it. */
export function listResponse<T extends Record<string, unknown>>(
  c: Context,
  format: "json" | "csv" | undefined,
  name: string,
  columns: (keyof T & string)[],
  rows: T[],
): never {
  if (format === "csv") {
    // Cells a spreadsheet would run as a formula are written as text (spreadsheetSafe).
    const body = stringify(
      rows.map((r) => columns.map((k) => spreadsheetSafe(r[k]))),
      { header: true, columns },
    );
    return c.body(body, 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${name}.csv"`,
    }) as never;
  }
  return c.json(rows, 200) as never;
}

const list = <T extends z.ZodType>(schema: T, description: string) => ({
  200: {
    description,
    content: { "application/json": { schema: z.array(schema) }, "text/csv": { schema: z.string() } },
  },
});

const OpenDispute = DisputeOut.extend({
  borrowerKey: Hex32,
  lender: z.number().int().openapi({ description: "the reporting lender of the disputed loan" }),
}).openapi("CreditDispute");

const Receivable = z
  .object({
    id: z.string().openapi({ example: "R1.2" }),
    family: z.string().openapi({ example: "R1.0" }),
    parent: z.string().nullable(),
    holder: z.number().int(),
    debtor: z.number().int(),
    face: z.string(),
    tier: z.number().int(),
    state: z.string(),
    familyState: z.string(),
    maturity: z.number().int().openapi({ description: "Unix seconds on the wall clock (pauses included so far)" }),
  })
  .openapi("Receivable");

const Overdue = z
  .object({
    root: z.string(),
    debtor: z.number().int(),
    token: z.string(),
    face: z.string(),
    paid: z.string(),
    state: z.string().openapi({ description: "Overdue or Defaulted as marked, or Confirmed when due but not marked" }),
    maturity: z.number().int(),
    daysPastDue: z.number().int(),
  })
  .openapi("OverdueFamily");

const Balance = z
  .object({ currency: z.string(), token: z.string(), account: z.string(), balance: z.string(), frozen: z.boolean() })
  .openapi("Balance");

export function listRoutes(app: OpenAPIHono<AppEnv>, ctx: ListContext): void {
  const { db, chainId } = ctx;

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/regulator/borrowers/{borrowerKey}/history",
      summary: "A borrower's full history: loans, inquiries (who looked, why, on which consent), disputes",
      security,
      request: {
        params: z.object({ borrowerKey: Hex32 }),
        query: Format.extend({ part: z.enum(["loans", "inquiries", "disputes"]).optional() }),
      },
      responses: {
        200: {
          description: "the history; with format=csv, the one part asked for",
          content: {
            "application/json": {
              schema: z.object({
                borrowerKey: Hex32,
                loans: z.array(LoanOut),
                inquiries: z.array(InquiryOut),
                disputes: z.array(DisputeOut),
              }),
            },
            "text/csv": { schema: z.string() },
          },
        },
      },
      middleware: [allow("regulator")] as const,
    }),
    async (c) => {
      const key = c.req.valid("param").borrowerKey.toLowerCase();
      const { format, part } = c.req.valid("query");
      // One snapshot: the loans, inquiries and disputes as of the same indexer step.
      const { loans, inquiries, disputes } = await onSnapshot(db, (db) => borrowerRecord(db, chainId, key));
      if (format === "csv") {
        const which = part ?? "loans";
        // A nested value (a loan's plan, an inquiry's consent) is one JSON cell.
        const rows = ({ loans, inquiries, disputes }[which] as Record<string, unknown>[]).map((r) =>
          Object.fromEntries(
            Object.entries(r).map(([k, v]) => [k, v !== null && typeof v === "object" ? JSON.stringify(v) : v]),
          ),
        );
        const columns = Object.keys(
          (which === "loans" ? LoanOut : which === "inquiries" ? InquiryOut : DisputeOut).shape,
        );
        return listResponse(c, "csv", `borrower-${key.slice(2, 10)}-${which}`, columns, rows);
      }
      return c.json({ borrowerKey: key, loans, inquiries, disputes }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/regulator/disputes",
      summary: "Credit disputes on every loan, newest first: open and answered ones, or resolved ones too",
      security,
      request: {
        query: Format.extend({
          state: z
            .enum(["Open", "Answered", "Resolved", "Unresolved"])
            .optional()
            .openapi({ description: "Unresolved: Open or Answered; default every dispute" }),
          ...pageQuery,
        }),
      },
      responses: list(OpenDispute, "the disputes, newest first; a Link header rel=next when more follow"),
      middleware: [allow("regulator")] as const,
    }),
    async (c) => {
      const q = c.req.valid("query");
      let query = db
        .selectFrom("loan_disputes")
        .innerJoin("loans", (j) =>
          j.onRef("loans.chain_id", "=", "loan_disputes.chain_id").onRef("loans.id", "=", "loan_disputes.loan_id"),
        )
        .selectAll("loan_disputes")
        .select(["loans.borrower_key", "loans.lender"])
        .where("loan_disputes.chain_id", "=", chainId);
      if (q.state === "Unresolved") query = query.where("loan_disputes.state", "in", ["Open", "Answered"]);
      else if (q.state !== undefined) query = query.where("loan_disputes.state", "=", q.state);
      // Newest first; a page continues below the (block, log) its cursor names.
      const rows = await pageOf(c, q, query, [
        { column: "loan_disputes.opened_block", desc: true, kind: "number", of: (d) => Number(d.opened_block) },
        { column: "loan_disputes.opened_log", desc: true, kind: "number", of: (d) => Number(d.opened_log) },
      ]);
      return listResponse(
        c,
        q.format,
        "credit-disputes",
        Object.keys(OpenDispute.shape) as never,
        rows.map((d) => ({
          loanId: d.loan_id,
          openedAt: Number(d.opened_at),
          openedBy: Number(d.opened_by),
          reason: d.reason,
          state: d.state,
          response: d.response,
          outcome: d.outcome,
          resolvedBy: d.resolved_by === null ? null : Number(d.resolved_by),
          resolvedAt: d.resolved_at === null ? null : Number(d.resolved_at),
          borrowerKey: d.borrower_key,
          lender: Number(d.lender),
        })),
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/scf/receivables",
      summary: "Receivables (pieces) by holder, by debtor or by state",
      security,
      request: {
        query: Format.extend({
          holder: z.coerce.number().int().min(1).max(0xffffffff).optional(),
          debtor: z.coerce.number().int().min(1).max(0xffffffff).optional(),
          state: z.enum(["Held", "Financed", "Collected"]).optional().openapi({ description: "the piece's state" }),
          ...pageQuery,
        }),
      },
      responses: list(Receivable, "the receivables, by family and piece; a Link header rel=next when more follow"),
      middleware: [allow("supply-chain-desk", "bank-treasury", "regulator")] as const,
    }),
    async (c) => {
      const q = c.req.valid("query");
      let query = db
        .selectFrom("pieces")
        .innerJoin("families", (j) =>
          j.onRef("families.chain_id", "=", "pieces.chain_id").onRef("families.family", "=", "pieces.family"),
        )
        .select([
          "pieces.id",
          "pieces.family",
          "pieces.parent",
          "pieces.piece_index",
          "pieces.holder",
          "pieces.face",
          "pieces.tier",
          "pieces.state",
          "families.root",
          "families.debtor",
          "families.state as family_state",
          "families.maturity_active",
        ])
        .where("pieces.chain_id", "=", chainId);
      if (q.holder !== undefined) query = query.where("pieces.holder", "=", q.holder);
      if (q.debtor !== undefined) query = query.where("families.debtor", "=", q.debtor);
      if (q.state !== undefined) query = query.where("pieces.state", "=", q.state);
      // By family and piece; a page continues after the (family, piece) its cursor names.
      const rows = await pageOf(c, q, query, [
        { column: "pieces.family", kind: "number", of: (r) => Number(r.family) },
        { column: "pieces.piece_index", kind: "number", of: (r) => Number(r.piece_index) },
      ]);
      const paused = await pausedSeconds(db, chainId, "ReceivableLedger", await ctx.chainTime());
      return listResponse(
        c,
        q.format,
        "receivables",
        ["id", "family", "parent", "holder", "debtor", "face", "tier", "state", "familyState", "maturity"],
        rows.map((p) => ({
          id: formatReceivable(BigInt(p.id)),
          family: formatReceivable(BigInt(p.root)),
          parent: p.parent === null ? null : formatReceivable(BigInt(p.parent)),
          holder: Number(p.holder),
          debtor: Number(p.debtor),
          face: p.face,
          tier: Number(p.tier),
          state: p.state,
          familyState: p.family_state,
          maturity: Number(p.maturity_active) + paused,
        })),
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/scf/receivables/overdue",
      summary: "Receivable families overdue or defaulted, and those due past their grace but not marked yet",
      security,
      request: { query: Format.extend(pageQuery) },
      responses: list(Overdue, "the families, most days past due first; a Link header rel=next when more follow"),
      middleware: [allow("supply-chain-desk", "bank-treasury", "regulator")] as const,
    }),
    async (c) => {
      const q = c.req.valid("query");
      const now = await ctx.chainTime();
      const paused = await pausedSeconds(db, chainId, "ReceivableLedger", now);
      // Due: marked overdue or defaulted, or confirmed and past maturity and grace on the ledger's paused clock.
      const query = db
        .selectFrom("families")
        .selectAll()
        .where("chain_id", "=", chainId)
        .where((eb) =>
          eb.or([
            eb("state", "in", ["Overdue", "Defaulted"]),
            eb.and([
              eb("state", "=", "Confirmed"),
              eb(eb("maturity_active", "+", eb.ref("grace_seconds")), "<", now - paused),
            ]),
          ]),
        );
      // Most days past due first: the earliest maturity first (every family's clock has paused alike).
      const families = await pageOf(c, q, query, [
        { column: "maturity_active", kind: "number", of: (f) => Number(f.maturity_active) },
        { column: "family", kind: "number", of: (f) => Number(f.family) },
      ]);
      const rows = families.map((f) => {
        const maturity = Number(f.maturity_active) + paused;
        return {
          root: formatReceivable(BigInt(f.root)),
          debtor: Number(f.debtor),
          token: f.token,
          face: f.face,
          paid: f.paid,
          state: f.state,
          maturity,
          daysPastDue: Math.max(0, Math.floor((now - maturity) / 86_400)),
        };
      });
      return listResponse(
        c,
        q.format,
        "overdue-receivables",
        ["root", "debtor", "token", "face", "paid", "state", "maturity", "daysPastDue"],
        rows,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/balances",
      summary: "Settlement-token balances, by account or currency",
      security,
      request: {
        query: Format.extend({
          account: z
            .string()
            .regex(/^0x[0-9a-fA-F]{40}$/, "an address")
            .optional(),
          currency: z.string().length(3).optional(),
          ...pageQuery,
        }),
      },
      responses: list(Balance, "the balances, by currency and account; a Link header rel=next when more follow"),
      middleware: [allow("bank-treasury", "regulator", "operator", "exporter", "importer")] as const,
    }),
    async (c) => {
      const q = c.req.valid("query");
      let query = db.selectFrom("balances").selectAll().where("chain_id", "=", chainId);
      if (q.account !== undefined) query = query.where("account", "=", getAddress(q.account.toLowerCase()));
      if (q.currency !== undefined) query = query.where("currency", "=", q.currency.toUpperCase());
      const rows = await pageOf(c, q, query, [
        { column: "currency", kind: "string", of: (b) => b.currency },
        { column: "account", kind: "string", of: (b) => b.account },
      ]);
      return listResponse(
        c,
        q.format,
        "balances",
        ["currency", "token", "account", "balance", "frozen"],
        rows.map((b) => ({
          currency: b.currency,
          token: b.token,
          account: b.account,
          balance: b.balance,
          frozen: Number(b.frozen) === 1,
        })),
      );
    },
  );
}
