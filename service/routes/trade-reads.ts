/**
 * The trade module's reads: orders by party or state, an order with its tranches (the evidence each awaits, with
 * how many oracles signed of how many needed), its attestations and its payments, the orders in dispute for the
 * regulator, and each payment's pacs.008 record as JSON or ISO 20022 XML. All from the read model.
 */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { sql, type Kysely, type Selectable } from "kysely";

import type { Deployment } from "../../src/deployment.js";
import { minorUnits } from "../../src/encoding.js";
import { pacs008Xml, type Pacs008Record } from "../../src/iso20022.js";
import { EVIDENCE_KINDS, evidenceNames, pacs008 } from "../../src/trade.js";
import { allow, type AppEnv } from "../app.js";
import { onSnapshot } from "../db.js";
import { notFound } from "../problem.js";
import { pausedSeconds } from "../projections/scf.js";
import type { Tables } from "../schema.js";
import { listResponse, pageOf, pageQuery, type PageKey } from "./lists.js";

export interface TradeReadContext {
  db: Kysely<Tables>;
  chainId: number;
  deployment?: Deployment;
  chainTime: () => Promise<number>;
}

const security = [{ bearer: [] }];
const TRADE_ROLES = ["exporter", "importer", "bank-treasury", "regulator"] as const;
const OrderId = z.string().regex(/^[1-9]\d{0,19}$/, "an order id, a positive whole number");
const Uetr = z.string().regex(/^(0x)?[0-9a-fA-F]{32}$|^[0-9a-fA-F-]{36}$/, "a UETR: 16 bytes of hex, or a UUID");
const problem = { "application/problem+json": { schema: z.object({}).passthrough() } };
const STATES = ["Created", "Accepted", "Funded", "Disputed", "Settled", "Lapsed"] as const;
const AWARD = 254;
const REFUND = 255;

const OrderSummary = z
  .object({
    id: z.string(),
    state: z.string(),
    importer: z.number().int(),
    exporter: z.number().int(),
    importerBank: z.number().int(),
    exporterBank: z.number().int(),
    amount: z.string().openapi({ description: "minor units of the pay token" }),
    payToken: z.string(),
    payoutToken: z.string(),
    currency: z.string().openapi({ description: "the pay token's currency code (ISO 4217)" }),
    payoutCurrency: z.string().openapi({ description: "the payout token's currency code" }),
    documentHash: z.string().openapi({ description: "the trade document's salted commitment" }),
    tranches: z.number().int(),
    settledTranches: z
      .number()
      .int()
      .openapi({
        description:
          "bitmask of the settled tranches (bit i: tranche i + 1): paid to the exporter's side, refunded to the " +
          "importer's bank, or decided in a dispute; the order's payments tell them apart",
      }),
    createdAt: z.number().int(),
  })
  .openapi("OrderSummary");

const Payment = z
  .object({
    tranche: z.string().openapi({ description: "1 to 8, award or refund" }),
    at: z.number().int(),
    txHash: z.string(),
    account: z.string(),
    uetr: z.string(),
    endToEndId: z.string(),
    gross: z.string(),
    importerBankFee: z.string(),
    exporterBankFee: z.string(),
    payout: z.string(),
    rate: z.string(),
    fxProvider: z.string(),
    quoteNonce: z.string(),
  })
  .openapi("TradePayment");

const Order = OrderSummary.extend({
  fees: z.object({ importerBankBps: z.number().int(), exporterBankBps: z.number().int() }),
  deadlines: z.object({
    shipment: z.number().int().openapi({ description: "Unix seconds (wall clock, pauses included so far)" }),
    expiry: z.number().int(),
    objectionWindowSeconds: z.number().int(),
    deliveredAt: z.number().int().nullable(),
    disputeDeadline: z.number().int().nullable(),
  }),
  financier: z.number().int().nullable(),
  advanceOpen: z.boolean().openapi({
    description:
      "part of an assigned order was refunded, or it lapsed: the financier's advance stays open in the credit " +
      "registry until it closes it (trade:close-advance)",
  }),
  fx: z.object({ provider: z.number().int(), minRate: z.string() }).nullable(),
  heldAward: z
    .string()
    .nullable()
    .openapi({
      description:
        "an arbiter's award (pay token, minor units) held in escrow for an FX quote: anyone pays it with the payee's " +
        "chosen quote (POST /v1/trade/orders/{id}/pay, trade:pay); null when none",
    }),
  evidence: z.array(
    z.object({ kind: z.string(), signatures: z.number().int(), needed: z.number().int(), complete: z.boolean() }),
  ),
  trancheDetails: z.array(
    z.object({
      tranche: z.number().int(),
      shareBps: z.number().int(),
      evidence: z.array(z.string()),
      awaiting: z.array(z.string()),
      settled: z.boolean().openapi({
        description: "paid (a payment of this tranche is listed), refunded, or decided in a dispute",
      }),
    }),
  ),
  attestations: z.array(z.object({ kind: z.string(), oracle: z.string(), at: z.number().int(), txHash: z.string() })),
  payments: z.array(Payment),
}).openapi("Order");

const Currency = z.object({ code: z.string(), token: z.string(), decimals: z.number().int() }).openapi("TradeCurrency");

function summary(o: Selectable<Tables["trade_orders"]>, currencyOf: (token: string) => string) {
  return {
    id: o.id,
    state: o.state,
    importer: Number(o.importer),
    exporter: Number(o.exporter),
    importerBank: Number(o.importer_bank),
    exporterBank: Number(o.exporter_bank),
    amount: o.amount,
    payToken: o.pay_token,
    payoutToken: o.payout_token,
    currency: currencyOf(o.pay_token),
    payoutCurrency: currencyOf(o.payout_token),
    documentHash: o.document_hash,
    tranches: Number(o.tranche_count),
    settledTranches: Number(o.settled_tranches),
    createdAt: Number(o.created_at),
  };
}

function trancheLabel(t: number): string {
  return t === AWARD ? "award" : t === REFUND ? "refund" : String(t + 1);
}

function paymentOut(p: Selectable<Tables["trade_payments"]>) {
  return {
    tranche: trancheLabel(Number(p.tranche)),
    at: Number(p.at),
    txHash: p.tx_hash,
    account: p.account,
    uetr: p.uetr,
    endToEndId: p.end_to_end_id,
    gross: p.gross,
    importerBankFee: p.importer_bank_fee,
    exporterBankFee: p.exporter_bank_fee,
    payout: p.payout,
    rate: p.rate,
    fxProvider: p.fx_provider,
    quoteNonce: p.quote_nonce,
  };
}

export function tradeReadRoutes(app: OpenAPIHono<AppEnv>, ctx: TradeReadContext): void {
  const { db, chainId } = ctx;
  const currencyOf = (token: string) => {
    const entry = Object.entries(ctx.deployment?.tokens ?? {}).find(([, a]) => a.toLowerCase() === token.toLowerCase());
    return entry?.[0] ?? token;
  };

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/trade/currencies",
      summary: "The currencies an order may be paid and paid out in: the deployment's settlement tokens",
      security,
      responses: {
        200: { description: "the currencies, by code", content: { "application/json": { schema: z.array(Currency) } } },
      },
      middleware: [allow(...TRADE_ROLES)] as const,
    }),
    (c) =>
      c.json(
        Object.entries(ctx.deployment?.tokens ?? {})
          .map(([code, token]) => ({ code, token, decimals: minorUnits(code) }))
          .sort((a, b) => a.code.localeCompare(b.code)),
        200,
      ),
  );

  // Orders are numbered in creation order: the id (a whole number, stored as text) is the sort key.
  const ORDER_KEYS = (desc: boolean): PageKey<Selectable<Tables["trade_orders"]>>[] => [
    { column: sql`cast(id as bigint)`, desc, kind: "number", of: (o) => Number(o.id) },
  ];

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/trade/orders",
      summary: "Orders, by party (importer, exporter or either bank), state and whether they left an advance open",
      security,
      request: {
        query: z.object({
          party: z.coerce.number().int().min(1).max(0xffffffff).optional().openapi({ description: "a member id" }),
          state: z.enum(STATES).optional(),
          advanceOpen: z.enum(["true", "false"]).optional().openapi({
            description: "only orders that left (true) or did not leave (false) a financier's advance open",
          }),
          format: z.enum(["json", "csv"]).optional(),
          ...pageQuery,
        }),
      },
      responses: {
        200: {
          description: "the orders, newest first; a Link header rel=next when more follow",
          content: { "application/json": { schema: z.array(OrderSummary) }, "text/csv": { schema: z.string() } },
        },
      },
      middleware: [allow(...TRADE_ROLES)] as const,
    }),
    async (c) => {
      const q = c.req.valid("query");
      let query = db.selectFrom("trade_orders").selectAll().where("chain_id", "=", chainId);
      if (q.party !== undefined) {
        const p = q.party;
        query = query.where((eb) =>
          eb.or([
            eb("importer", "=", p),
            eb("exporter", "=", p),
            eb("importer_bank", "=", p),
            eb("exporter_bank", "=", p),
          ]),
        );
      }
      if (q.state !== undefined) query = query.where("state", "=", q.state);
      if (q.advanceOpen !== undefined) query = query.where("advance_open", "=", q.advanceOpen === "true" ? 1 : 0);
      const rows = await pageOf(c, q, query, ORDER_KEYS(true));
      return listResponse(
        c,
        q.format,
        "orders",
        Object.keys(OrderSummary.shape) as never,
        rows.map((o) => summary(o, currencyOf)),
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/regulator/orders/disputed",
      summary: "Orders in dispute, with the arbiter's deadline",
      security,
      request: { query: z.object({ format: z.enum(["json", "csv"]).optional(), ...pageQuery }) },
      responses: {
        200: {
          description: "the orders in dispute, oldest first; a Link header rel=next when more follow",
          content: { "application/json": { schema: z.array(OrderSummary) }, "text/csv": { schema: z.string() } },
        },
      },
      middleware: [allow("regulator")] as const,
    }),
    async (c) => {
      const q = c.req.valid("query");
      const query = db
        .selectFrom("trade_orders")
        .selectAll()
        .where("chain_id", "=", chainId)
        .where("state", "=", "Disputed");
      const rows = await pageOf(c, q, query, ORDER_KEYS(false));
      return listResponse(
        c,
        q.format,
        "orders-in-dispute",
        Object.keys(OrderSummary.shape) as never,
        rows.map((o) => summary(o, currencyOf)),
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/trade/orders/{id}",
      summary: "An order: its tranches with the evidence each awaits, its attestations, its payments and deadlines",
      security,
      request: { params: z.object({ id: OrderId }) },
      responses: {
        200: { description: "the order", content: { "application/json": { schema: Order } } },
        404: { description: "no such order", content: problem },
      },
      middleware: [allow(...TRADE_ROLES)] as const,
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const now = await ctx.chainTime();
      // One snapshot: the order, its tranches, evidence and payments as of the same indexer step.
      const { o, tranches, attestations, payments, paused } = await onSnapshot(db, async (db) => {
        const o = await db
          .selectFrom("trade_orders")
          .selectAll()
          .where("chain_id", "=", chainId)
          .where("id", "=", id)
          .executeTakeFirst();
        if (o === undefined) throw notFound(`no order ${id} on this chain`);
        const tranches = await db
          .selectFrom("trade_tranches")
          .selectAll()
          .where("chain_id", "=", chainId)
          .where("order_id", "=", id)
          .orderBy("tranche")
          .execute();
        // An order's rows of a table kept in chain order.
        const inChainOrder = <T extends "trade_evidence" | "trade_payments">(table: T) =>
          db
            .selectFrom(table as "trade_evidence")
            .selectAll()
            .where("chain_id", "=", chainId)
            .where("order_id", "=", id)
            .orderBy("block_number")
            .orderBy("log_index")
            .execute() as Promise<Selectable<Tables[T]>[]>;
        const attestations = await inChainOrder("trade_evidence");
        const payments = await inChainOrder("trade_payments");
        const paused = await pausedSeconds(db, chainId, "TradeSettlement", now);
        return { o, tranches, attestations, payments, paused };
      });
      const wall = (active: number) => (Number(active) === 0 ? null : Number(active) + paused);
      const done = Number(o.evidence_done);
      const needed = (kind: number) => ((Number(o.threshold_word) >> (4 * kind)) & 0xf) + 1;
      const evidence = EVIDENCE_KINDS.map((kind, i) => ({
        kind,
        signatures: new Set(attestations.filter((a) => a.kind === kind).map((a) => a.oracle.toLowerCase())).size,
        needed: needed(i),
        complete: ((done >> i) & 1) === 1,
      }));
      return c.json(
        {
          ...summary(o, currencyOf),
          fees: { importerBankBps: Number(o.importer_bank_fee_bps), exporterBankBps: Number(o.exporter_bank_fee_bps) },
          deadlines: {
            shipment: wall(o.shipment_deadline_active) ?? 0,
            expiry: wall(o.expiry_active) ?? 0,
            objectionWindowSeconds: Number(o.objection_window),
            deliveredAt: wall(o.delivered_at_active),
            disputeDeadline: wall(o.dispute_deadline_active),
          },
          financier: Number(o.financier) === 0 ? null : Number(o.financier),
          advanceOpen: Number(o.advance_open) === 1,
          fx: Number(o.fx_provider) === 0 ? null : { provider: Number(o.fx_provider), minRate: o.fx_min_rate },
          heldAward: o.held_award === "0" ? null : o.held_award,
          evidence,
          trancheDetails: tranches.map((t) => ({
            tranche: Number(t.tranche) + 1,
            shareBps: Number(t.share_bps),
            evidence: evidenceNames(Number(t.evidence)),
            awaiting: evidenceNames(Number(t.evidence) & ~done),
            settled: Number(t.settled) === 1,
          })),
          attestations: attestations.map((a) => ({
            kind: a.kind,
            oracle: a.oracle,
            at: Number(a.at),
            txHash: a.tx_hash,
          })),
          payments: payments.map(paymentOut),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/trade/payments/{uetr}/pacs008",
      summary: "A payment's pacs.008 record: JSON, or ISO 20022 XML (pacs.008.001.08) with format=xml",
      security,
      request: {
        params: z.object({ uetr: Uetr }),
        query: z.object({ format: z.enum(["json", "xml"]).optional() }),
      },
      responses: {
        200: {
          description: "the record",
          content: {
            "application/json": { schema: z.record(z.string(), z.unknown()) },
            "application/xml": { schema: z.string() },
          },
        },
        404: { description: "no payment with this UETR", content: problem },
      },
      middleware: [allow(...TRADE_ROLES)] as const,
    }),
    async (c) => {
      const hex = c.req.valid("param").uetr.replace(/^0x/, "").replace(/-/g, "").toLowerCase();
      const p = await db
        .selectFrom("trade_payments")
        .selectAll()
        .where("chain_id", "=", chainId)
        .where("uetr", "=", `0x${hex}`)
        .where("tranche", "!=", REFUND)
        .executeTakeFirst();
      if (p === undefined) throw notFound(`no payment with UETR ${c.req.valid("param").uetr}`);
      const o = await db
        .selectFrom("trade_orders")
        .selectAll()
        .where("chain_id", "=", chainId)
        .where("id", "=", p.order_id)
        .executeTakeFirstOrThrow();
      const settlementCurrency = currencyOf(o.payout_token);
      const record = pacs008(
        {
          order: BigInt(p.order_id),
          tranche: Number(p.tranche),
          uetr: p.uetr,
          endToEndId: BigInt(p.end_to_end_id),
          gross: BigInt(p.gross),
          importerBankFee: BigInt(p.importer_bank_fee),
          exporterBankFee: BigInt(p.exporter_bank_fee),
          payout: BigInt(p.payout),
          rate: BigInt(p.rate),
        },
        {
          messageId: `TL-${chainId}-${p.block_number}-${p.log_index}`,
          createdAt: new Date(Number(p.at) * 1000),
          settlementCurrency,
          instructedCurrency: currencyOf(o.pay_token),
          settlementDecimals: minorUnits(settlementCurrency),
          instructedDecimals: minorUnits(currencyOf(o.pay_token)),
          debtorAgent: BigInt(o.importer_bank),
          creditorAgent: BigInt(o.exporter_bank),
          debtor: BigInt(o.importer),
          creditor: BigInt(Number(o.financier) === 0 ? o.exporter : o.financier),
        },
      );
      if (c.req.valid("query").format === "xml") {
        return c.body(pacs008Xml(record as unknown as Pacs008Record), 200, {
          "content-type": "application/xml; charset=utf-8",
        }) as never;
      }
      return c.json(record, 200);
    },
  );
}
