/**
 * The supply-chain desk's and the bank's writes on the receivable ledger: credit lines, issuing and requesting,
 * confirming, rejecting, splitting, transferring, quoting, financing, repaying and collecting, overdue and default,
 * and claims. Each is the SDK desk's operation (`src/desk/scf.ts`, the same the `scf:*` tasks print) run through
 * `runWrite`.
 */
import { z, type OpenAPIHono } from "@hono/zod-openapi";
import { recoverAddress } from "ethers";

import * as desk from "../../src/desk/scf.js";
import { formatAmount } from "../../src/encoding.js";
import { InputError, checked } from "../../src/input.js";
import { daysBetween, formatReceivable, parseReceivable } from "../../src/scf.js";
import { chainTime } from "../../src/tx.js";
import type { AppEnv } from "../app.js";
import type { WriteContext } from "../writes.js";
import { Money, Text, previewRoute, writeRoute } from "./write-schemas.js";

const Decimal = Text.openapi({ description: "an amount in major units, e.g. 1250.50" });

const money = (value: bigint, m: desk.Money) => ({ amount: formatAmount(value, m.decimals), currency: m.code });

const empty = z.object({}).strict();

const SignedQuoteBody = z
  .object({ quote: z.record(Text, z.unknown()), signature: Text })
  .strict()
  .openapi({ description: "the signed quote as the bank's quote endpoint answered it" });

const FinancePreview = z
  .object({
    id: z.string(),
    financier: z.number().int().openapi({ description: "the member whose key signed the quote (0: none)" }),
    seller: z.number().int(),
    holder: z.number().int(),
    recourse: z.boolean(),
    rateBps: z.number().int(),
    dayBase: z.number().int().openapi({ description: "the day-count base: 360 (ACT/360) or 365 (ACT/365)" }),
    now: z.number().int().openapi({ description: "the chain's latest block time, Unix seconds" }),
    expiry: z.number().int(),
    maturity: z.number().int(),
    days: z.number().int().openapi({ description: "days to maturity, a started day counting as one" }),
    face: Money,
    price: Money,
    discount: Money,
  })
  .openapi("FinancePreview");

export function scfWriteRoutes(app: OpenAPIHono<AppEnv>, ctx: WriteContext): void {
  writeRoute(app, ctx, {
    path: "/v1/scf/credit-lines",
    summary:
      "A core enterprise chooses its line's bank (financier: supply-chain-desk); that bank sets the limit or freezes " +
      "the line (debtor with limit or freeze: bank-treasury)",
    roles: ["supply-chain-desk", "bank-treasury"],
    action: "scf.line",
    // The step is the one `desk.line` takes for these fields: the chain lets the member's one key take both.
    step: (b) =>
      b.financier !== undefined
        ? { step: "choosing a credit line's bank (financier)", roles: ["supply-chain-desk"] }
        : b.freeze !== undefined
          ? { step: "freezing a credit line", roles: ["bank-treasury"] }
          : { step: "setting a credit line's limit", roles: ["bank-treasury"] },
    body: z
      .object({
        currency: Text,
        financier: z.number().int().optional(),
        debtor: z.number().int().optional(),
        limit: Decimal.optional(),
        freeze: z.boolean().optional(),
      })
      .strict(),
    run: async (d, b) => {
      const r = await desk.line(d, {
        currency: b.currency,
        financier: b.financier === undefined ? "" : String(b.financier),
        debtor: b.debtor === undefined ? "" : String(b.debtor),
        limit: b.limit ?? "",
        freeze: b.freeze === undefined ? "" : String(b.freeze),
      });
      switch (r.action) {
        case "chose-financier":
          return { action: r.action, member: Number(r.member), financier: Number(r.financier), currency: r.money.code };
        case "set":
          return {
            action: r.action,
            debtor: Number(r.debtor),
            limit: money(r.limit, r.money),
            used: money(r.used, r.money),
          };
        default:
          return { action: r.action, debtor: Number(r.debtor), currency: r.money.code };
      }
    },
  });

  writeRoute(app, ctx, {
    path: "/v1/scf/receivables",
    summary: "Issue a confirmed receivable to a supplier (as its debtor), or request one from a debtor (as supplier)",
    roles: ["supply-chain-desk"],
    action: "scf.issue",
    status: 201,
    body: z
      .object({
        supplier: Text.optional().openapi({ description: "the supplier's address (issue)" }),
        debtor: z.number().int().optional().openapi({ description: "the debtor's member id (request)" }),
        face: Decimal,
        currency: Text,
        maturity: Text.openapi({ description: "YYYY-MM-DD: matures at the end of that day (UTC)" }),
        invoices: z.array(Text).min(1).max(100).openapi({ description: "the debtor's invoice numbers" }),
        issueDate: Text.openapi({ description: "the invoices' issue date, YYYY-MM-DD" }),
      })
      .strict(),
    run: async (d, b) => {
      const r = await desk.issue(d, {
        ...b,
        debtor: b.debtor === undefined ? "" : String(b.debtor),
        invoices: b.invoices.join(","),
      });
      return {
        action: r.action,
        id: formatReceivable(r.id),
        face: money(r.face, r.money),
        invoices: r.invoices,
        ...(r.supplier === undefined ? {} : { supplier: r.supplier }),
        ...(r.debtor === undefined ? {} : { debtor: Number(r.debtor) }),
        ...(r.line === undefined
          ? {}
          : { creditLine: { used: money(r.line.used, r.money), limit: money(r.line.limit, r.money) } }),
      };
    },
  });

  writeRoute(app, ctx, {
    path: "/v1/scf/receivables/{id}/confirm",
    summary: "The debtor confirms a requested receivable",
    roles: ["supply-chain-desk"],
    action: "scf.confirm",
    withId: true,
    body: empty,
    run: async (d, _b, id) => ({ id: formatReceivable((await desk.confirm(d, { id })).id) }),
  });

  writeRoute(app, ctx, {
    path: "/v1/scf/receivables/{id}/reject",
    summary: "The debtor rejects a request or the supplier withdraws it; with lapse, anyone after maturity",
    roles: ["supply-chain-desk"],
    action: "scf.reject",
    withId: true,
    body: z.object({ lapse: z.boolean().optional() }).strict(),
    run: async (d, b, id) => {
      const r = await desk.reject(d, { id, lapse: b.lapse === true });
      return { id: formatReceivable(r.id), action: r.action };
    },
  });

  writeRoute(app, ctx, {
    path: "/v1/scf/receivables/{id}/split",
    summary:
      "The holder splits its piece: the piece keeps the first face, new pieces take the others; with `to`, the " +
      "parts go to those suppliers one tier down in the same transaction",
    roles: ["supply-chain-desk"],
    action: "scf.split",
    withId: true,
    body: z
      .object({
        faces: z.array(Decimal).min(2).max(1_000),
        to: z
          .array(z.string().max(100))
          .min(2)
          .max(1_000)
          .optional()
          .openapi({ description: "one receiving supplier's address per face; an empty string keeps that part" }),
      })
      .strict(),
    run: async (d, b, id) => {
      const r = await desk.split(d, { id, faces: b.faces, to: b.to });
      return {
        id: formatReceivable(r.id),
        pieces: r.pieces.map((p) => ({
          id: formatReceivable(p.id),
          face: money(p.face, r.money),
          ...(p.to === undefined ? {} : { to: p.to }),
        })),
      };
    },
  });

  writeRoute(app, ctx, {
    path: "/v1/scf/receivables/{id}/transfer",
    summary: "The holder hands its piece to another supplier (one tier down)",
    roles: ["supply-chain-desk"],
    action: "scf.transfer",
    withId: true,
    body: z.object({ to: Text.openapi({ description: "the receiving supplier's address" }) }).strict(),
    run: async (d, b, id) => {
      const r = await desk.transfer(d, { id, to: b.to });
      return { id: formatReceivable(r.id), to: r.to, tier: Number(r.tier) };
    },
  });

  writeRoute(app, ctx, {
    path: "/v1/scf/receivables/{id}/quotes",
    summary:
      "A bank's signed offer to buy the piece at a discount; the ledger is approved to draw the most it can cost by its expiry (its price then)",
    roles: ["bank-treasury"],
    action: "scf.quote",
    withId: true,
    status: 201,
    body: z
      .object({
        rateBps: z.number().int().min(0).max(65_535),
        dayBase: z.union([z.literal(360), z.literal(365)]).optional(),
        recourse: z.boolean().optional(),
        seller: z.number().int().optional(),
        validFor: z.number().int().min(1).optional().openapi({ description: "seconds; default 3600" }),
      })
      .strict(),
    run: async (d, b, id) => {
      const r = await desk.quote(d, {
        id,
        rateBps: String(b.rateBps),
        dayBase: b.dayBase === undefined ? "" : String(b.dayBase),
        recourse: String(b.recourse === true),
        seller: b.seller === undefined ? "" : String(b.seller),
        validFor: b.validFor === undefined ? "" : String(b.validFor),
      });
      return { ...r.signed, price: money(r.price, r.money), maxPrice: money(r.maxPrice, r.money) };
    },
  });

  writeRoute(app, ctx, {
    path: "/v1/scf/receivables/{id}/finance",
    summary: "The holder sells its piece on a bank's signed quote, paid in the same transaction",
    roles: ["supply-chain-desk"],
    action: "scf.finance",
    withId: true,
    body: z
      .object({ quote: z.record(Text, z.unknown()), signature: Text })
      .strict()
      .openapi({ description: "the signed quote as the bank's quote endpoint answered it" }),
    run: async (d, b, id) => {
      // The path names the piece the holder means to sell: a quote for another piece is refused before sending.
      const { terms } = desk.parseSignedQuote(d, b, "quote");
      if (terms.id !== checked("id", () => parseReceivable(id))) {
        throw new InputError("quote", `the quote is for ${formatReceivable(terms.id)}, not ${id.trim()}`);
      }
      const r = await desk.finance(d, b);
      return { id: formatReceivable(r.id), financier: Number(r.financier), price: money(r.price, r.money) };
    },
  });

  previewRoute(app, ctx, {
    path: "/v1/scf/receivables/{id}/finance/preview",
    summary:
      "What selling the piece on a signed quote would pay now, sending nothing: the price, the discount and its day count",
    description: "The price is the ledger's own (priceOf) at the chain's latest block.",
    roles: ["supply-chain-desk"],
    body: SignedQuoteBody,
    answer: FinancePreview,
    ok: "the terms as the ledger would price them now",
    bad: "not a signed quote, a quote for another piece, or one the ledger refuses whoever relays it and in every later block (the piece not for sale, the quote expired, its terms, its signature's form, a spent nonce)",
    cannot: "price a quote",
    run: async (d, body, id) => {
      const contracts = d.contracts;
      const { terms, signature } = desk.parseSignedQuote(d, body, "quote");
      if (terms.id !== checked("id", () => parseReceivable(id))) {
        throw new InputError("quote", `the quote is for ${formatReceivable(terms.id)}, not ${id.trim()}`);
      }
      const { family, money: m } = await desk.familyToken(d, terms.id, "quote");
      const [piece, price, now, digest] = await Promise.all([
        contracts.scf.getPiece(terms.id),
        contracts.scf.priceOf(terms),
        chainTime(contracts.scf.runner),
        contracts.scf.quoteDigest(terms),
      ]);
      const signerAddress = checked("quote", () => recoverAddress(digest, signature));
      const financier = await contracts.members.memberForKey(signerAddress);
      const quote = { terms, signer: signerAddress, financier };
      await desk.refuseUntakeable(d, quote, piece, family, m.code, now, "quote");
      return {
        id: formatReceivable(terms.id),
        financier: Number(financier),
        seller: Number(terms.seller),
        holder: Number(piece.holder),
        recourse: terms.recourse,
        rateBps: terms.rateBps,
        dayBase: terms.dayBase,
        now: Number(now),
        expiry: Number(terms.expiry),
        maturity: Number(family.maturity),
        days: Number(daysBetween(now, family.maturity)),
        face: money(piece.face, m),
        price: money(price, m),
        discount: money(piece.face - price, m),
      };
    },
  });

  writeRoute(app, ctx, {
    path: "/v1/scf/receivables/{id}/repay",
    summary: "The debtor repays the family's face (and any penalty); then every holder is paid",
    roles: ["supply-chain-desk"],
    action: "scf.repay",
    withId: true,
    body: empty,
    run: async (d, _b, id) => {
      const r = await desk.repay(d, { id });
      return {
        root: formatReceivable(r.root),
        ...(r.repaid === undefined
          ? {}
          : { repaid: money(r.repaid.amount, r.money), penalty: money(r.repaid.penalty, r.money) }),
        collected: r.collected.map((p) => ({
          id: formatReceivable(p.id),
          payee: Number(p.payee),
          ...money(p.amount, r.money),
          paid: p.paid,
        })),
        settled: r.settled.map(formatReceivable),
      };
    },
  });

  writeRoute(app, ctx, {
    path: "/v1/scf/receivables/{id}/collect",
    summary: "Pays one piece of a repaid family to its holder (anyone may)",
    roles: ["supply-chain-desk", "bank-treasury"],
    action: "scf.collect",
    withId: true,
    body: empty,
    run: async (d, _b, id) => {
      const r = await desk.collect(d, { id });
      return { id: formatReceivable(r.id), payee: Number(r.payee), amount: String(r.amount), paid: r.paid };
    },
  });

  writeRoute(app, ctx, {
    path: "/v1/scf/receivables/{id}/overdue",
    summary: "Moves a family past its maturity and grace to Overdue (anyone may)",
    roles: ["supply-chain-desk", "bank-treasury", "regulator"],
    action: "scf.overdue",
    withId: true,
    body: empty,
    run: async (d, _b, id) => ({ id: formatReceivable((await desk.markOverdue(d, { id })).id) }),
  });

  writeRoute(app, ctx, {
    path: "/v1/scf/receivables/{id}/default",
    summary: "The bank holding a financed piece of an overdue family declares it in default",
    roles: ["bank-treasury"],
    action: "scf.default",
    withId: true,
    body: empty,
    run: async (d, _b, id) => {
      const r = await desk.declareDefault(d, { id });
      return { id: formatReceivable(r.id), debtor: Number(r.debtor) };
    },
  });

  writeRoute(app, ctx, {
    path: "/v1/scf/receivables/{id}/recourse/close",
    summary: "The bank holding a piece financed with recourse closes its recourse record: the seller made it whole",
    roles: ["bank-treasury"],
    action: "scf.recourse.close",
    withId: true,
    body: empty,
    run: async (d, _b, id) => ({ id: formatReceivable((await desk.closeRecourse(d, { id })).id), closed: true }),
  });

  writeRoute(app, ctx, {
    path: "/v1/scf/receivables/{id}/recourse/default",
    summary: "The bank holding a piece financed with recourse declares the seller's recourse in default",
    roles: ["bank-treasury"],
    action: "scf.recourse.default",
    withId: true,
    body: empty,
    run: async (d, _b, id) => ({ id: formatReceivable((await desk.defaultRecourse(d, { id })).id), defaulted: true }),
  });

  writeRoute(app, ctx, {
    path: "/v1/scf/receivables/{id}/credit-records/settle",
    summary: "Closes the credit records of a frozen piece of a repaid family before its collection (anyone may)",
    roles: ["supply-chain-desk", "bank-treasury", "regulator"],
    action: "scf.credit-records.settle",
    withId: true,
    body: empty,
    run: async (d, _b, id) => ({
      id: formatReceivable((await desk.settleCreditRecords(d, { id })).id),
      settled: true,
    }),
  });

  writeRoute(app, ctx, {
    path: "/v1/scf/claims",
    summary: "Pays what the ledger parked for a member to its current payout account",
    roles: ["supply-chain-desk", "bank-treasury"],
    action: "scf.claim",
    body: z.object({ member: z.number().int(), currency: Text }).strict(),
    run: async (d, b) => {
      const r = await desk.claim(d, { member: String(b.member), currency: b.currency });
      return { member: Number(r.member), ...money(r.amount, r.money) };
    },
  });
}
