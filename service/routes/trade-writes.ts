/**
 * The trade parties' writes on the settlement: create (importer), accept (exporter), fund (importer's bank), sign
 * evidence (an oracle's desk) and relay it with FX quotes (anyone), quotes and FX terms, pay released tranches,
 * assignments of proceeds, disputes, an arbiter's resolution and the time rules. Each is the SDK desk's operation
 * (`src/desk/trade.ts`, the same the `trade:*` tasks print) run through `runWrite`.
 */
import { z, type OpenAPIHono } from "@hono/zod-openapi";

import { connect } from "../../src/deployment.js";
import * as desk from "../../src/desk/trade.js";
import { formatAmount } from "../../src/encoding.js";
import { decodeError } from "../../src/errors.js";
import { roleNames } from "../../src/members.js";
import { assignmentStillPossible, formatUetr, payeeOf, type TranchePayment } from "../../src/trade.js";
import type { AppEnv } from "../app.js";
import type { ApiRole } from "../auth.js";
import { notFound, ProblemError } from "../problem.js";
import type { WriteContext } from "../writes.js";
import { Money, Text, previewRoute, writeRoute, type WriteStep } from "./write-schemas.js";

const Decimal = Text.openapi({ description: "an amount in major units, e.g. 400000.00" });
const Day = Text.openapi({ description: "a UTC date, YYYY-MM-DD", example: "2026-12-20" });
const SignedQuote = z
  .object({ quote: z.record(Text, Text), signature: Text })
  .openapi("SignedFxQuote", { description: "an FX quote as the quote endpoint answered it" });
const ANYONE: ApiRole[] = ["exporter", "importer", "bank-treasury", "operator"];
const empty = z.object({}).strict();
const AssignmentPreview = z
  .object({
    id: z.string(),
    exporter: z.number().int(),
    financier: z.number().int().openapi({ description: "the member the offer assigns every later tranche to" }),
    signedBy: z.number().int().openapi({ description: "the member whose operator signed the offer (0: none)" }),
    advance: Money,
    deadline: z.number().int().openapi({ description: "Unix seconds: the offer is refused from then on" }),
    now: z.number().int().openapi({ description: "the chain's latest block time, Unix seconds" }),
    spent: z
      .boolean()
      .openapi({ description: "the offer's nonce is spent: it was used, or its financier withdrew it" }),
    expired: z.boolean().openapi({ description: "the offer's deadline has passed: the chain refuses it for good" }),
    refused: z
      .string()
      .nullable()
      .openapi({
        description:
          "why the chain refuses the offer whoever submits it and in every later block (the order assigned, evidence " +
          "arrived, its state or shipment deadline, the financier being the exporter, no advance, the deadline); null " +
          "when it may be taken",
      }),
  })
  .openapi("AssignmentPreview");

function paymentsOut(payments: TranchePayment[]) {
  return payments.map((p) => ({
    tranche: p.tranche === 254 ? "award" : String(p.tranche + 1),
    beneficiary: p.beneficiary,
    uetr: formatUetr(p.uetr),
    gross: String(p.gross),
    payout: String(p.payout),
    rate: String(p.rate),
  }));
}

/**
 * Who may make the payee's FX choice: the chain lets the order's payee, the exporter or (once the proceeds are
 * assigned) the financier, name its FX terms, and takes a quote the payee's own key relays as the payee's choice,
 * without the provider and floor checks it applies to anyone else's relay (review 38, X1). Which one the service's
 * member can be follows from a part of the order that never changes: its exporter (an exporter's desk) or not (a
 * bank's treasury, as the financier). Whether the proceeds are assigned can change between this read and the send, so
 * it decides nothing here (review 9, J1); an exporter cannot be its own order's financier. A `relay` (a quote relayed
 * with evidence, a payment or a time rule) by a member other than the payee is the payee's choice only while an
 * assignment to it could still land first (it holds the Financier role and `assignmentStillPossible`): otherwise any
 * desk may make it (reviews 39, 41 and 42: X2, T1, T2). The order's financier stays its payee if it loses the role later.
 * An id that is not an order is left to the desk, which refuses it; an order the node cannot read now is a 503.
 */
async function payeeChoiceStep(step: string, id: string, ctx: WriteContext, relay = false): Promise<WriteStep> {
  const w = ctx.writer;
  const t = id.trim();
  if (w === undefined || !/^\d+$/.test(t) || BigInt(t) === 0n || BigInt(t) >= 2n ** 64n) {
    return { step, roles: ["exporter", "bank-treasury"] };
  }
  const contracts = connect(w.deployment, w.provider);
  // The order and the time it is judged at come from one block (assignmentStillPossible).
  const block = await w.provider.getBlock("latest").catch(() => null);
  if (block === null) {
    throw new ProblemError(503, "chain-unavailable", "The chain did not answer", "the order could not be read: retry");
  }
  const [order, member] = await Promise.all([
    contracts.trade.getOrder(BigInt(t), { blockTag: block.number }).catch((err: unknown) => {
      if (decodeError(err)?.name === "TradeUnknownOrder") return undefined;
      throw new ProblemError(
        503,
        "chain-unavailable",
        "The chain did not answer",
        "the order could not be read: retry",
      );
    }),
    w.signer.getAddress().then((a) => contracts.members.memberForKey(a)),
  ]);
  // An order not created yet is refused here, as the chain would (TradeUnknownOrder): the desk reads the order again,
  // and an order created between the two reads must not pass a role check that never saw it (review 32, D2).
  if (order === undefined) throw notFound(`no order ${t} on this chain`);
  // The payee is the financier once assigned, else the exporter (payeeOf). A relay by any other member is not the
  // payee's choice, unless an assignment to it lands first: one still possible (assignmentStillPossible) to a member
  // holding the Financier role (reviews 41 and 42, T1 and T2: a bank that can never be the payee is anyone).
  const payee = payeeOf(order);
  if (relay && payee !== member) {
    const [[exporterStatus], [, roles]] = await Promise.all([
      contracts.members.standingOf(order.exporter, { blockTag: block.number }),
      contracts.members.standingOf(member, { blockTag: block.number }),
    ]);
    if (!assignmentStillPossible(order, block.timestamp, exporterStatus)) return { step, roles: ANYONE };
    if (!roleNames(roles).includes("Financier")) return { step, roles: ANYONE };
    return { step: `${step} (as a financier the proceeds may be assigned to first)`, roles: ["bank-treasury"] };
  }
  if (order.exporter === member) return { step: `${step} (as its exporter)`, roles: ["exporter"] };
  return { step: `${step} (as the financier its proceeds are assigned to)`, roles: ["bank-treasury"] };
}

export function tradeWriteRoutes(app: OpenAPIHono<AppEnv>, ctx: WriteContext): void {
  /** A step anyone may take, unless the request carries an FX quote: relaying one is the payee's FX choice. */
  const quoted =
    (step: string) =>
    (b: { quote?: unknown }, id: string): WriteStep | Promise<WriteStep> =>
      b.quote === undefined ? { step, roles: ANYONE } : payeeChoiceStep(`${step} with an FX quote`, id, ctx, true);

  writeRoute(app, ctx, {
    path: "/v1/trade/orders",
    summary: "The importer creates an order: parties, amount, payout currency, tranches, deadlines and fees",
    roles: ["importer"],
    action: "trade.create",
    status: 201,
    body: z
      .object({
        exporter: z.number().int(),
        importerBank: z.number().int(),
        exporterBank: z.number().int(),
        document: Text.openapi({ description: "the trade document's reference, committed to with a salt" }),
        documentSalt: Text.optional(),
        amount: Decimal,
        currency: Text,
        payout: Text.optional().openapi({ description: "the exporter's currency; default the pay currency" }),
        tranches: Text.openapi({ example: "30:Shipped,40:CustomsCleared,30:Delivered" }),
        shipBy: Day,
        objectionDays: z.number().int().min(0).max(365),
        expires: Day,
        importerFeeBps: z.number().int().min(0).max(10_000),
        exporterFeeBps: z.number().int().min(0).max(10_000),
      })
      .strict(),
    run: async (d, b) => {
      const r = await desk.create(d, {
        ...b,
        exporter: String(b.exporter),
        importerBank: String(b.importerBank),
        exporterBank: String(b.exporterBank),
        objectionDays: String(b.objectionDays),
        importerFeeBps: String(b.importerFeeBps),
        exporterFeeBps: String(b.exporterFeeBps),
      });
      return {
        id: String(r.id),
        amount: formatAmount(r.terms.amount as bigint, r.pay.decimals),
        currency: r.pay.code,
        payout: r.payout.code,
        tranches: r.terms.tranches.length,
        documentHash: r.terms.documentHash as string,
        documentSalt: r.documentSalt,
      };
    },
  });

  writeRoute(app, ctx, {
    path: "/v1/trade/orders/{id}/accept",
    summary: "The exporter accepts the order",
    roles: ["exporter"],
    action: "trade.accept",
    withId: true,
    body: empty,
    run: async (d, _b, id) => ({ id: String((await desk.accept(d, { order: id })).id) }),
  });

  writeRoute(app, ctx, {
    path: "/v1/trade/orders/{id}/fund",
    summary: "The importer's bank locks the amount in escrow (with an ERC-2612 permit, or an approval first)",
    roles: ["bank-treasury"],
    action: "trade.fund",
    withId: true,
    body: z.object({ permit: z.boolean().optional() }).strict(),
    run: async (d, b, id) => {
      const r = await desk.fund(d, { order: id, permit: b.permit === true });
      return { id: String(r.id), amount: formatAmount(r.amount, r.money.decimals), currency: r.money.code };
    },
  });

  writeRoute(app, ctx, {
    path: "/v1/trade/orders/{id}/attestations",
    summary: "An oracle's desk signs evidence of one kind (the first signer draws the document's salt)",
    roles: ["operator"],
    action: "trade.sign-evidence",
    withId: true,
    status: 201,
    body: z.object({ kind: Text, document: Text, documentSalt: Text.optional() }).strict(),
    run: async (d, b, id) => ({ ...(await desk.signEvidence(d, { ...b, order: id })) }),
  });

  writeRoute(app, ctx, {
    path: "/v1/trade/orders/{id}/evidence",
    summary:
      "Relays the oracles' attestations of one kind (with an FX quote when the tranches pay out in another currency)",
    roles: ANYONE,
    action: "trade.relay-evidence",
    withId: true,
    step: quoted("relaying an order's evidence"),
    body: z
      .object({
        kind: Text,
        document: Text,
        documentSalt: Text.optional(),
        attestations: z
          .array(
            z.object({
              order: Text,
              kind: Text,
              documentHash: Text,
              documentSalt: Text.optional(),
              signature: Text,
            }),
          )
          .min(1),
        quote: SignedQuote.optional(),
      })
      .strict(),
    run: async (d, b, id) => {
      const r = await desk.relay(d, { ...b, order: id });
      return {
        id: String(r.id),
        kind: r.kind,
        attestations: r.attestations,
        payments: paymentsOut(r.payments),
        waitingForQuote: r.waitingForQuote,
      };
    },
  });

  writeRoute(app, ctx, {
    path: "/v1/trade/orders/{id}/pay",
    summary: "Pays the order's released tranches, or first an arbiter's award held for a quote, with an FX quote",
    roles: ANYONE,
    action: "trade.pay",
    withId: true,
    step: quoted("paying an order's released tranches"),
    body: z.object({ quote: SignedQuote }).strict(),
    run: async (d, b, id) => {
      const r = await desk.pay(d, { order: id, quote: b.quote });
      return { id: String(r.id), payments: paymentsOut(r.payments) };
    },
  });

  writeRoute(app, ctx, {
    path: "/v1/trade/orders/{id}/fx-quotes",
    summary: "An FX provider's signed quote paying the order's payee",
    roles: ["bank-treasury"],
    action: "trade.fx-quote",
    withId: true,
    status: 201,
    body: z
      .object({
        sell: Text,
        buy: Text,
        rate: Text.openapi({ example: "0.38" }),
        max: Decimal.openapi({ description: "the most of the sell currency it sells" }),
        validFor: z.number().int().min(1).max(86_400),
      })
      .strict(),
    run: async (d, b, id) => {
      const r = await desk.quote(d, { ...b, order: id, validFor: String(b.validFor) });
      return { ...r.signed, beneficiary: Number(r.beneficiary) };
    },
  });

  writeRoute(app, ctx, {
    path: "/v1/trade/orders/{id}/fx-quotes/cancel",
    summary: "The FX provider withdraws a quote it signed for the order before it expires (its signing key only)",
    roles: ["bank-treasury"],
    action: "trade.fx-quote.cancel",
    withId: true,
    body: z.object({ quote: SignedQuote }).strict(),
    run: async (d, b, id) => {
      const r = await desk.cancelQuote(d, { order: id, quote: b.quote });
      return { id, nonce: String(r.nonce), signer: r.signer, cancelled: true };
    },
  });

  writeRoute(app, ctx, {
    path: "/v1/trade/orders/{id}/fx-terms",
    summary:
      "The payee names the FX provider whose quotes anyone may relay, and the least rate it takes: the exporter " +
      "(exporter), or once the proceeds are assigned the financier (bank-treasury)",
    roles: ["exporter", "bank-treasury"],
    action: "trade.fx-terms",
    withId: true,
    step: (_b, id) => payeeChoiceStep("naming an order's FX terms", id, ctx),
    body: z.object({ provider: z.number().int(), minRate: Text }).strict(),
    run: async (d, b, id) => {
      const r = await desk.fxTerms(d, { order: id, provider: String(b.provider), minRate: b.minRate });
      return { id: String(r.id), provider: Number(r.provider), minRate: b.minRate };
    },
  });

  writeRoute(app, ctx, {
    path: "/v1/trade/orders/{id}/assignment-offers",
    summary: "A financier signs its agreement to advance against the order's proceeds",
    roles: ["bank-treasury"],
    action: "trade.assignment-offer",
    withId: true,
    status: 201,
    body: z.object({ financier: z.number().int(), advance: Decimal, validFor: z.number().int().min(1) }).strict(),
    run: async (d, b, id) => {
      const r = await desk.signAssignmentOf(d, {
        order: id,
        financier: String(b.financier),
        advance: b.advance,
        validFor: String(b.validFor),
      });
      return { ...r.assignment, currency: r.reporting.code };
    },
  });

  previewRoute(app, ctx, {
    path: "/v1/trade/orders/{id}/assignments/preview",
    summary: "What a signed assignment offer commits the exporter to, sending nothing",
    description:
      "The financier it names and the member whose operator signed it, the advance in the credit registry's " +
      "currency (the chain's, whatever the offer's text says), and until when it holds.",
    roles: ["exporter"],
    body: z.object({ assignment: z.record(Text, Text) }).strict(),
    answer: AssignmentPreview,
    ok: "the offer as the chain reads it",
    bad: "not a signed assignment of this order and its exporter",
    cannot: "read an offer",
    run: async (d, b, id) => {
      const p = await desk.previewAssignment(d, { order: id, assignment: b.assignment });
      return {
        id: String(p.id),
        exporter: Number(p.exporter),
        financier: Number(p.financier),
        signedBy: Number(p.signedBy),
        advance: { amount: formatAmount(p.advance, p.reporting.decimals), currency: p.reporting.code },
        deadline: Number(p.deadline),
        now: Number(p.now),
        spent: p.spent,
        expired: p.expired,
        refused: p.refused,
      };
    },
  });

  writeRoute(app, ctx, {
    path: "/v1/trade/orders/{id}/assignment-offers/cancel",
    summary: "A financier withdraws an assignment offer it signed, before the exporter uses it (its signing key only)",
    roles: ["bank-treasury"],
    action: "trade.assignment-offer.cancel",
    withId: true,
    body: z.object({ assignment: z.record(Text, Text) }).strict(),
    run: async (d, b, id) => {
      const r = await desk.cancelAssignment(d, { order: id, assignment: b.assignment });
      return { id: String(r.id), nonce: String(r.nonce), signer: r.signer, cancelled: true };
    },
  });

  writeRoute(app, ctx, {
    path: "/v1/trade/orders/{id}/assignments",
    summary: "The exporter assigns the order's proceeds to the financier whose signed offer it submits",
    roles: ["exporter"],
    action: "trade.assign",
    withId: true,
    body: z.object({ assignment: z.record(Text, Text) }).strict(),
    run: async (d, b, id) => {
      const r = await desk.assign(d, { order: id, assignment: b.assignment });
      return {
        id: String(r.id),
        financier: Number(r.financier),
        advance: formatAmount(r.advance, r.reporting.decimals),
        currency: r.reporting.code,
      };
    },
  });

  writeRoute(app, ctx, {
    path: "/v1/trade/orders/{id}/dispute",
    summary: "The importer disputes within the objection window",
    roles: ["importer"],
    action: "trade.dispute",
    withId: true,
    body: z.object({ reason: Text }).strict(),
    run: async (d, b, id) => {
      const r = await desk.dispute(d, { order: id, reason: b.reason });
      return { id: String(r.id), arbiterDeadline: Number(r.arbiterDeadline) };
    },
  });

  writeRoute(app, ctx, {
    path: "/v1/trade/orders/{id}/advance/close",
    summary: "The financier closes the credit record of the advance an ended order did not repay (repaid outside it)",
    roles: ["bank-treasury"],
    action: "trade.advance.close",
    withId: true,
    body: empty,
    run: async (d, _b, id) => ({ id: String((await desk.closeAdvance(d, { order: id })).id), closed: true }),
  });

  writeRoute(app, ctx, {
    path: "/v1/trade/orders/{id}/advance/default",
    summary: "The financier declares the advance an ended order did not repay in default, once the order expired",
    roles: ["bank-treasury"],
    action: "trade.advance.default",
    withId: true,
    body: empty,
    run: async (d, _b, id) => ({ id: String((await desk.defaultAdvance(d, { order: id })).id), defaulted: true }),
  });

  writeRoute(app, ctx, {
    path: "/v1/trade/orders/{id}/resolve",
    summary: "The arbiter pays a percentage of what remains to the exporter's side and refunds the rest",
    roles: ["operator"],
    action: "trade.resolve",
    withId: true,
    body: z.object({ exporterShare: Text.openapi({ example: "60" }), quote: SignedQuote.optional() }).strict(),
    run: async (d, b, id) => {
      const r = await desk.resolve(d, { order: id, exporterShare: b.exporterShare, quote: b.quote });
      return {
        id: String(r.id),
        exporterShareBps: r.shareBps,
        payments: paymentsOut(r.payments),
        // An award to convert the arbiter gave no quote for waits in escrow (pay token, minor units); null when none,
        // as in the order's view.
        heldAward: r.held === 0n ? null : String(r.held),
      };
    },
  });

  writeRoute(app, ctx, {
    path: "/v1/trade/orders/{id}/refund",
    summary:
      "Applies a time rule: objection (release), unshipped or expired (refund); anyone may, with an FX quote the payee's desk",
    roles: ANYONE,
    action: "trade.time-rule",
    withId: true,
    step: quoted("applying a time rule"),
    body: z.object({ rule: Text, quote: SignedQuote.optional() }).strict(),
    run: async (d, b, id) => {
      const r = await desk.refund(d, { order: id, rule: b.rule, quote: b.quote });
      return {
        id: String(r.id),
        rule: r.rule,
        moved: formatAmount(r.moved, r.money.decimals),
        refunded: formatAmount(r.refunded, r.money.decimals),
        currency: r.money.code,
      };
    },
  });
}
