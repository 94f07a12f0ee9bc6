/**
 * The `trade:*` tasks' output: each operation is the trade desk's (`src/desk/trade.ts`), printed as lines.
 * Amounts are in major units of the order's pay token; attestations and FX quotes travel between parties as JSON
 * files.
 */
import { writeFile } from "node:fs/promises";

import type { Signer } from "ethers";

import { tokenAt, type TradelineContracts } from "../../src/deployment.js";
import * as desk from "../../src/desk/trade.js";
import type { TradeDesk } from "../../src/desk/trade.js";
import { formatAmount } from "../../src/encoding.js";
import { InputError, optionLabels } from "../../src/input.js";
import type { ConsortiumKey } from "../../src/keys.js";
import {
  ORDER_STATES,
  awaitedEvidence,
  evidenceNames,
  formatShare,
  formatUetr,
  type TranchePayment,
} from "../../src/trade.js";

import { readJsonFile, requireOption as required } from "./members.js";

/** What the trade operations need from a session. */
export interface TradeSession {
  signer: Signer;
  consortiumKey: () => Promise<ConsortiumKey>;
}

/** Operations that sign nothing off-chain run without a session (the contracts carry their signer). */
function deskOf(c: TradelineContracts, session?: TradeSession): TradeDesk {
  const signer = session?.signer ?? (c.trade.runner as Signer);
  return { contracts: c, signer, label: optionLabels };
}

/** Reads a quote file `trade:quote` wrote; an empty name means no quote. */
async function readQuote(file: string): Promise<unknown> {
  if (file.trim() === "") return undefined;
  const parsed = await readJsonFile(file, "FX quote");
  try {
    desk.parseFxQuote({ label: optionLabels } as TradeDesk, parsed);
  } catch (err) {
    // A file of another shape; a quote whose fields or signature the chain refuses keeps its own reason.
    if (err instanceof InputError && !/ is not a signed FX quote/.test(err.message)) throw err;
    throw new Error(`${file} is not an FX quote file (written by trade:quote)`);
  }
  return parsed;
}

/** One line per payment: tranche, payout in the exporter's currency, beneficiary and UETR. */
async function paymentLines(c: TradelineContracts, payments: TranchePayment[]): Promise<string[]> {
  const lines: string[] = [];
  for (const p of payments) {
    const order = await c.trade.getOrder(p.order);
    const out = await tokenAt(c, order.payoutToken);
    const label = p.tranche === 254 ? "arbiter's award" : `tranche ${p.tranche + 1}`;
    lines.push(
      `  ${label} paid ${formatAmount(p.payout, out.decimals)} ${out.code} to ${p.beneficiary} (UETR ${formatUetr(p.uetr)})`,
    );
  }
  return lines;
}

export async function create(c: TradelineContracts, args: desk.CreateRequest): Promise<string[]> {
  const r = await desk.create(deskOf(c), args);
  return [
    `created order ${r.id}: ${formatAmount(r.terms.amount as bigint, r.pay.decimals)} ${args.currency.toUpperCase()} ` +
      `paid out in ${r.payout.code}, ${r.terms.tranches.length} tranche(s); the exporter accepts it by ${args.shipBy}`,
    `  document commitment ${r.terms.documentHash as string}: keep its salt ${r.documentSalt} with the document`,
    `  tx: ${r.receipt.hash}`,
  ];
}

export async function accept(c: TradelineContracts, args: { order: string }): Promise<string[]> {
  const r = await desk.accept(deskOf(c), args);
  return [`accepted order ${r.id}`, `  tx: ${r.receipt.hash}`];
}

export async function fund(
  c: TradelineContracts,
  args: { order: string; permit: boolean },
  session: TradeSession,
): Promise<string[]> {
  const r = await desk.fund(deskOf(c, session), args);
  const locked = `funded order ${r.id}: ${formatAmount(r.amount, r.money.decimals)} ${r.money.code} locked in escrow`;
  if (r.permit) return [`${locked} (ERC-2612 permit, one transaction)`, `  tx: ${r.receipt.hash}`];
  return [
    locked,
    ...(r.approval === undefined ? [] : [`  approved the escrow to draw exactly that (tx ${r.approval.hash})`]),
    `  tx: ${r.receipt.hash}`,
  ];
}

export async function attest(
  c: TradelineContracts,
  args: {
    order: string;
    kind: string;
    document: string;
    documentSalt?: string;
    signatures: string;
    quote: string;
    out: string;
  },
  session: TradeSession,
): Promise<string[]> {
  const d = deskOf(c, session);
  if (args.out.trim() !== "") {
    const a = await desk.signEvidence(d, args);
    await writeFile(args.out, `${JSON.stringify(a, null, 2)}\n`);
    return [
      `signed ${a.kind} evidence for order ${a.order}; written to ${args.out}`,
      `  document commitment ${a.documentHash}: co-signers pass --document-salt ${a.documentSalt}`,
    ];
  }
  const files = required(args.signatures, "--signatures (or --out to sign)")
    .split(",")
    .map((f) => f.trim());
  const attestations = (await Promise.all(
    files.map((f) => readJsonFile(f, "attestation")),
  )) as unknown as desk.Attestation[];
  const r = await desk.relay(d, { ...args, attestations, names: files, quote: await readQuote(args.quote) });
  return [
    `${r.kind} evidence for order ${r.id} complete (${r.attestations} attestation(s))`,
    ...(await paymentLines(c, r.payments)),
    ...(r.waitingForQuote
      ? ["  the released tranches wait for an FX quote: pay them with trade:pay --quote <file>"]
      : []),
    `  tx: ${r.receipt.hash}`,
  ];
}

export async function pay(c: TradelineContracts, args: { order: string; quote: string }): Promise<string[]> {
  const r = await desk.pay(deskOf(c), { order: args.order, quote: await readQuote(required(args.quote, "--quote")) });
  return [`paid order ${r.id}'s released tranches`, ...(await paymentLines(c, r.payments)), `  tx: ${r.receipt.hash}`];
}

export async function quote(
  c: TradelineContracts,
  args: { order: string; sell: string; buy: string; rate: string; max: string; validFor: string; out: string },
  session: TradeSession,
): Promise<string[]> {
  const out = required(args.out, "--out");
  const r = await desk.quote(deskOf(c, session), args);
  await writeFile(out, `${JSON.stringify(r.signed, null, 2)}\n`);
  return [
    `FX quote ${args.sell.toUpperCase()}->${args.buy.toUpperCase()} at ${args.rate}, up to ${args.max} ` +
      `${args.sell.toUpperCase()}, valid ${args.validFor} s, for order ${r.signed.quote.order} paying member ` +
      `${r.beneficiary}; written to ${out}`,
  ];
}

/** The FX provider withdraws a quote it signed (the file `trade:quote` wrote) before it expires. */
export async function cancelQuote(c: TradelineContracts, args: { quote: string }): Promise<string[]> {
  const file = required(args.quote, "--quote");
  const r = await desk.cancelQuote(deskOf(c), { quote: await readQuote(file) });
  return [`withdrew the FX quote in ${file}: nonce ${r.nonce} of ${r.signer} is spent`, `  tx: ${r.receipt.hash}`];
}

/** The financier withdraws an assignment offer it signed (the file `trade:assign --out` wrote) before it is used. */
export async function cancelAssignment(
  c: TradelineContracts,
  args: { order: string; assignment: string },
): Promise<string[]> {
  const file = required(args.assignment, "--assignment");
  const f = await readJsonFile(file, "assignment");
  const r = await desk.cancelAssignment(deskOf(c), { order: args.order, assignment: f, name: file });
  return [
    `withdrew the assignment offer in ${file} for order ${r.id}: nonce ${r.nonce} of ${r.signer} is spent`,
    `  tx: ${r.receipt.hash}`,
  ];
}

/** The payee of an order names the FX provider whose quotes anyone may relay, and the least rate it takes. */
export async function fxTerms(
  c: TradelineContracts,
  args: { order: string; provider: string; minRate: string },
): Promise<string[]> {
  const r = await desk.fxTerms(deskOf(c), args);
  return [
    `order ${r.id}: quotes by member ${r.provider} at ${args.minRate} or better may be relayed by anyone`,
    `  tx: ${r.receipt.hash}`,
  ];
}

export async function status(c: TradelineContracts, args: { order: string }): Promise<string[]> {
  const id = desk.orderId(deskOf(c), args.order);
  const order = await c.trade.getOrder(id);
  const pay = await tokenAt(c, order.payToken);
  const payout = await tokenAt(c, order.payoutToken);
  const when = (s: bigint) => (s === 0n ? "-" : new Date(Number(s) * 1000).toISOString().replace(".000Z", "Z"));
  const awaited = new Map(awaitedEvidence(order).map((a) => [a.tranche, a.awaits]));
  const done = evidenceNames(order.evidenceDone);
  return [
    `order ${id}: ${ORDER_STATES[Number(order.state)]}; ${formatAmount(order.amount, pay.decimals)} ${pay.code} ` +
      `paid out in ${payout.code}; in escrow ${formatAmount(await c.trade.escrowOf(id), pay.decimals)} ${pay.code}`,
    `  parties: importer ${order.importer}, exporter ${order.exporter}, importer's bank ${order.importerBank}, ` +
      `exporter's bank ${order.exporterBank}` +
      (order.financier === 0n ? "" : `, proceeds assigned to ${order.financier}`) +
      (order.advanceOpen ? ` (advance open: part will not reach it here; trade:close-advance once repaid)` : ""),
    `  ship by ${when(order.shipmentDeadline)}, expires ${when(order.expiry)}, delivered ${when(order.deliveredAt)}` +
      (order.disputeDeadline === 0n ? "" : `, arbiter decides by ${when(order.disputeDeadline)}`),
    `  evidence complete: ${done.join(", ") || "none"}`,
    ...order.tranches.map((t, i) => {
      const share = `  tranche ${i + 1}: ${formatShare(t.shareBps)} on ${evidenceNames(t.evidence).join(" + ")}`;
      const awaits = awaited.get(i);
      if (awaits === undefined) return `${share}: paid or refunded`;
      return awaits.length === 0 ? `${share}: released, awaiting an FX quote` : `${share}: awaits ${awaits.join(", ")}`;
    }),
  ];
}

/**
 * Pre-shipment finance in two steps. The financier signs its agreement to an advance (`--out`): order, exporter member,
 * financier, the advance in the credit registry's reporting currency and a deadline. The exporter then submits the
 * signed file (`--assignment`): the order's proceeds go to the financier and the financier's exposure to the exporter
 * member is reported (the registry derives the exporter's key).
 */
export async function assign(
  c: TradelineContracts,
  args: { order: string; financier: string; advance: string; validFor: string; out: string; assignment: string },
  session: TradeSession,
): Promise<string[]> {
  const d = deskOf(c, session);
  if (args.out.trim() !== "") {
    const r = await desk.signAssignmentOf(d, args);
    await writeFile(args.out, `${JSON.stringify(r.assignment, null, 2)}\n`);
    return [
      `member ${r.assignment.financier} agrees to advance ${formatAmount(r.advance, r.reporting.decimals)} ` +
        `${r.reporting.code} against order ${r.assignment.order}'s proceeds; written to ${args.out}`,
    ];
  }
  const file = required(args.assignment, "--assignment (or --out to sign)");
  const f = await readJsonFile(file, "assignment");
  let r: Awaited<ReturnType<typeof desk.assign>>;
  try {
    r = await desk.assign(d, { order: args.order, assignment: f, name: file });
  } catch (err) {
    if (err instanceof Error && /is not a signed assignment/.test(err.message)) {
      throw new Error(
        `${args.assignment} is not a signed assignment of order ${args.order.trim()} (written by trade:assign --out)`,
      );
    }
    throw err;
  }
  return [
    `assigned order ${r.id}'s proceeds (${formatAmount(r.amount, r.pay.decimals)} ${r.pay.code}) to member ${r.financier}`,
    `  member ${r.exporter} owes the advance of ${formatAmount(r.advance, r.reporting.decimals)} ${r.reporting.code}: ` +
      `reported to the credit registry as TradeFinance`,
    `  tx: ${r.receipt.hash}`,
  ];
}

export async function dispute(c: TradelineContracts, args: { order: string; reason: string }): Promise<string[]> {
  const r = await desk.dispute(deskOf(c), args);
  const by = new Date(Number(r.arbiterDeadline) * 1000).toISOString();
  return [`disputed order ${r.id}: an arbiter splits what remains in escrow by ${by}`, `  tx: ${r.receipt.hash}`];
}

export async function closeAdvance(c: TradelineContracts, args: { order: string }): Promise<string[]> {
  const r = await desk.closeAdvance(deskOf(c), args);
  return [`closed the advance's credit record of order ${r.id}: repaid outside the order`, `  tx: ${r.receipt.hash}`];
}

export async function defaultAdvance(c: TradelineContracts, args: { order: string }): Promise<string[]> {
  const r = await desk.defaultAdvance(deskOf(c), args);
  return [
    `declared the advance on order ${r.id} in default: the exporter's credit record is Defaulted`,
    `  tx: ${r.receipt.hash}`,
  ];
}

export async function resolve(
  c: TradelineContracts,
  args: { order: string; exporterShare: string; quote: string },
): Promise<string[]> {
  const r = await desk.resolve(deskOf(c), { ...args, quote: await readQuote(args.quote) });
  const pay = await tokenAt(c, (await c.trade.getOrder(r.id)).payToken);
  return [
    `resolved order ${r.id}: ${formatShare(r.shareBps)} of what remained to the exporter's side, the rest refunded`,
    ...(await paymentLines(c, r.payments)),
    ...(r.held === 0n
      ? []
      : [
          `  award of ${formatAmount(r.held, pay.decimals)} ${pay.code} held in escrow for an FX quote: anyone pays it with the ` +
            `payee's chosen quote (trade:pay --order ${r.id} --quote <file>)`,
        ]),
    `  tx: ${r.receipt.hash}`,
  ];
}

export async function refund(
  c: TradelineContracts,
  args: { order: string; rule: string; quote: string },
): Promise<string[]> {
  const r = await desk.refund(deskOf(c), { ...args, quote: await readQuote(args.quote) });
  const amount = (v: bigint) => `${formatAmount(v, r.money.decimals)} ${r.money.code}`;
  const moved = amount(r.moved);
  const what =
    r.rule === "objection"
      ? r.refunded === 0n
        ? `released ${moved} to the exporter's side: the objection window closed undisputed`
        : `released ${amount(r.moved - r.refunded)} to the exporter's side and refunded ${amount(r.refunded)} ` +
          `to the importer's bank at expiry: no evidence released the rest`
      : r.rule === "unshipped"
        ? `refunded ${moved} to the importer's bank: no shipment evidence by the deadline`
        : `refunded ${moved} to the importer's bank at expiry`;
  return [`order ${r.id}: ${what}`, `  tx: ${r.receipt.hash}`];
}
