/**
 * Trade settlement operations behind the `trade:*` tasks: each returns the lines to print. Amounts are in major
 * units of the order's pay token; attestations and FX quotes travel between parties as JSON files.
 */
import { writeFile } from "node:fs/promises";

import { getAddress, isHexString, type Signer } from "ethers";

import { checkSalt, documentCommitment, newSalt } from "../../src/commitments.js";
import { tokenAt, tokenFor, type TradelineContracts } from "../../src/deployment.js";
import { formatAmount, parseAmount, reasonCode } from "../../src/encoding.js";
import { type ConsortiumKey } from "../../src/keys.js";
import {
  EVIDENCE_KINDS,
  ORDER_STATES,
  TIME_RULES,
  accept as acceptOrder,
  applyTimeRule,
  assignProceeds,
  awaitedEvidence,
  attest as relayEvidence,
  buildOrder,
  createOrder,
  dispute as disputeOrder,
  evidenceNames,
  formatShare,
  formatUetr,
  fund as fundOrder,
  fundWithPermit,
  newFxQuote,
  payReleased,
  payeeOf,
  setFxTerms,
  signAssignment,
  resolve as resolveOrder,
  scaledRate,
  signAttestation,
  signFxQuote,
  tradeDomainOf,
  type EvidenceKindName,
  type FxQuote,
  type TimeRule,
  type TranchePayment,
} from "../../src/trade.js";

import { chainTime } from "../../src/tx.js";

import { currencyOf } from "./credit.js";
import { parseEndOfDay, parseMemberId, readJsonFile, requireOption as required, wholeNumber } from "./members.js";

/** What the trade operations need from a session. */
export interface TradeSession {
  signer: Signer;
  consortiumKey: () => Promise<ConsortiumKey>;
}

/** An order id: a positive uint64. */
function orderId(text: string): bigint {
  const t = required(text, "--order");
  if (!/^\d+$/.test(t) || BigInt(t) === 0n || BigInt(t) >= 2n ** 64n) {
    throw new Error(`--order "${text}" is not an order id`);
  }
  return BigInt(t);
}

function kindOf(text: string): EvidenceKindName {
  const k = EVIDENCE_KINDS.find((n) => n.toLowerCase() === required(text, "--kind").toLowerCase());
  if (k === undefined) throw new Error(`--kind "${text}": expected one of ${EVIDENCE_KINDS.join(", ")}`);
  return k;
}

interface QuoteFile {
  quote: Record<keyof FxQuote, string>;
  signature: string;
}

/** Reads a quote file `trade:quote` wrote; an empty name means no quote. */
async function readQuote(file: string): Promise<{ quote: FxQuote; signature: string } | undefined> {
  if (file.trim() === "") return undefined;
  const parsed = (await readJsonFile(file, "FX quote")) as unknown as QuoteFile;
  const q = parsed.quote;
  if (
    q === undefined ||
    q.order === undefined ||
    typeof parsed.signature !== "string" ||
    !isHexString(parsed.signature)
  ) {
    throw new Error(`${file} is not an FX quote file (written by trade:quote)`);
  }
  return {
    quote: {
      order: BigInt(q.order),
      beneficiary: BigInt(q.beneficiary),
      sellToken: getAddress(q.sellToken),
      buyToken: getAddress(q.buyToken),
      rate: BigInt(q.rate),
      maxSellAmount: BigInt(q.maxSellAmount),
      expiry: BigInt(q.expiry),
      nonce: BigInt(q.nonce),
    },
    signature: parsed.signature,
  };
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

export async function create(
  c: TradelineContracts,
  args: {
    exporter: string;
    importerBank: string;
    exporterBank: string;
    document: string;
    documentSalt?: string;
    amount: string;
    currency: string;
    payout: string;
    tranches: string;
    shipBy: string;
    objectionDays: string;
    expires: string;
    importerFeeBps: string;
    exporterFeeBps: string;
  },
): Promise<string[]> {
  const pay = tokenFor(c, required(args.currency, "--currency"));
  const payout = args.payout.trim() === "" ? pay : tokenFor(c, args.payout);
  const decimals = Number(await pay.decimals());
  const documentSalt =
    (args.documentSalt ?? "").trim() === "" ? newSalt() : checkSalt(args.documentSalt!, "--document-salt");
  const terms = buildOrder({
    exporter: parseMemberId(required(args.exporter, "--exporter"), "--exporter"),
    importerBank: parseMemberId(required(args.importerBank, "--importer-bank"), "--importer-bank"),
    exporterBank: parseMemberId(required(args.exporterBank, "--exporter-bank"), "--exporter-bank"),
    document: required(args.document, "--document"),
    documentSalt,
    payToken: await pay.getAddress(),
    payoutToken: await payout.getAddress(),
    amount: parseAmount(required(args.amount, "--amount"), decimals, { name: "--amount", bits: 96 }),
    importerBankFeeBps: wholeNumber(args.importerFeeBps, "--importer-fee-bps", 10_000),
    exporterBankFeeBps: wholeNumber(args.exporterFeeBps, "--exporter-fee-bps", 10_000),
    shipmentDeadline: parseEndOfDay(args.shipBy, "--ship-by"),
    objectionWindow: wholeNumber(args.objectionDays, "--objection-days", 365) * 86_400,
    expiry: parseEndOfDay(args.expires, "--expires"),
    tranches: required(args.tranches, "--tranches"),
    now: await chainTime(c.trade.runner),
  });
  const { id, receipt } = await createOrder(c.trade, terms);
  const payoutCode = (await tokenAt(c, terms.payoutToken as string)).code;
  return [
    `created order ${id}: ${formatAmount(terms.amount as bigint, decimals)} ${args.currency.toUpperCase()} ` +
      `paid out in ${payoutCode}, ${terms.tranches.length} tranche(s); the exporter accepts it by ${args.shipBy}`,
    `  document commitment ${terms.documentHash as string}: keep its salt ${documentSalt} with the document`,
    `  tx: ${receipt.hash}`,
  ];
}

export async function accept(c: TradelineContracts, args: { order: string }): Promise<string[]> {
  const id = orderId(args.order);
  const receipt = await acceptOrder(c.trade, id);
  return [`accepted order ${id}`, `  tx: ${receipt.hash}`];
}

export async function fund(
  c: TradelineContracts,
  args: { order: string; permit: boolean },
  session: TradeSession,
): Promise<string[]> {
  const id = orderId(args.order);
  const order = await c.trade.getOrder(id);
  const pay = await tokenAt(c, order.payToken);
  const locked = `funded order ${id}: ${formatAmount(order.amount, pay.decimals)} ${pay.code} locked in escrow`;
  if (args.permit) {
    const deadline = (await chainTime(c.trade.runner)) + 600n;
    const receipt = await fundWithPermit(c.trade, pay.token, session.signer, id, deadline);
    return [`${locked} (ERC-2612 permit, one transaction)`, `  tx: ${receipt.hash}`];
  }
  const { approval, receipt } = await fundOrder(c.trade, pay.token, id);
  return [
    locked,
    ...(approval === undefined ? [] : [`  approved the escrow to draw exactly that (tx ${approval.hash})`]),
    `  tx: ${receipt.hash}`,
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
  const id = orderId(args.order);
  const kind = kindOf(args.kind);
  const document = required(args.document, "--document");
  if (args.out.trim() !== "") {
    // The first oracle draws the salt; co-signers pass it with --document-salt, so that all sign one commitment.
    const salt = (args.documentSalt ?? "").trim() === "" ? newSalt() : checkSalt(args.documentSalt!, "--document-salt");
    const docHash = documentCommitment(document, salt);
    const signature = await signAttestation(session.signer, await tradeDomainOf(c.trade), id, kind, docHash);
    const file = { order: id.toString(), kind, documentHash: docHash, documentSalt: salt, signature };
    await writeFile(args.out, `${JSON.stringify(file, null, 2)}\n`);
    return [
      `signed ${kind} evidence for order ${id}; written to ${args.out}`,
      `  document commitment ${docHash}: co-signers pass --document-salt ${salt}`,
    ];
  }
  const files = required(args.signatures, "--signatures (or --out to sign)").split(",");
  const attestations = await Promise.all(files.map((f) => readJsonFile(f.trim(), "attestation")));
  // The relayer recomputes the commitment from the document it was given and the salt (its own, or the signers').
  const given = (args.documentSalt ?? "").trim();
  const fileSalt = typeof attestations[0].documentSalt === "string" ? attestations[0].documentSalt : "";
  if (given === "" && fileSalt === "") {
    throw new Error(`${files[0].trim()} carries no document salt: pass the signers' salt with --document-salt`);
  }
  const salt = checkSalt(
    given === "" ? fileSalt : given,
    given === "" ? `the salt in ${files[0].trim()}` : "--document-salt",
  );
  const docHash = documentCommitment(document, salt);
  const signatures: string[] = [];
  for (const [i, s] of attestations.entries()) {
    if (typeof s.documentSalt === "string" && s.documentSalt.toLowerCase() !== salt) {
      throw new Error(
        `${files[i].trim()} was signed with another document salt than ${salt}: its signer re-signs with ` +
          `--document-salt ${salt}, so that all sign one commitment`,
      );
    }
    if (s.order !== id.toString() || s.kind !== kind || s.documentHash !== docHash) {
      throw new Error(
        `${files[i].trim()} attests order ${s.order} ${s.kind} of another document, not order ${id} ${kind}`,
      );
    }
    signatures.push(s.signature as string);
  }
  const fx = await readQuote(args.quote);
  const { payments, receipt } = await relayEvidence(c.trade, id, kind, docHash, signatures, fx);
  const order = await c.trade.getOrder(id);
  const waiting = payments.length === 0 && order.payToken !== order.payoutToken && fx === undefined;
  return [
    `${kind} evidence for order ${id} complete (${signatures.length} attestation(s))`,
    ...(await paymentLines(c, payments)),
    ...(waiting ? ["  the released tranches wait for an FX quote: pay them with trade:pay --quote <file>"] : []),
    `  tx: ${receipt.hash}`,
  ];
}

export async function pay(c: TradelineContracts, args: { order: string; quote: string }): Promise<string[]> {
  const id = orderId(args.order);
  const fx = await readQuote(required(args.quote, "--quote"));
  const { payments, receipt } = await payReleased(c.trade, id, fx!);
  return [`paid order ${id}'s released tranches`, ...(await paymentLines(c, payments)), `  tx: ${receipt.hash}`];
}

export async function quote(
  c: TradelineContracts,
  args: { order: string; sell: string; buy: string; rate: string; max: string; validFor: string; out: string },
  session: TradeSession,
): Promise<string[]> {
  const id = orderId(args.order);
  const sell = tokenFor(c, required(args.sell, "--sell"));
  const buy = tokenFor(c, required(args.buy, "--buy"));
  const out = required(args.out, "--out");
  // A quote pays one order's payee only: the exporter, or the financier its proceeds are assigned to.
  const beneficiary = payeeOf(await c.trade.getOrder(id));
  const q = newFxQuote({
    order: id,
    beneficiary,
    sellToken: await sell.getAddress(),
    buyToken: await buy.getAddress(),
    rate: scaledRate(required(args.rate, "--rate")),
    maxSellAmount: parseAmount(required(args.max, "--max"), Number(await sell.decimals()), { name: "--max", bits: 96 }),
    expiry: (await chainTime(c.trade.runner)) + BigInt(wholeNumber(args.validFor, "--valid-for", 86_400)),
  });
  const signature = await signFxQuote(session.signer, await tradeDomainOf(c.trade), q);
  const file: QuoteFile = {
    quote: Object.fromEntries(Object.entries(q).map(([k, v]) => [k, String(v)])) as Record<keyof FxQuote, string>,
    signature,
  };
  await writeFile(out, `${JSON.stringify(file, null, 2)}\n`);
  return [
    `FX quote ${args.sell.toUpperCase()}->${args.buy.toUpperCase()} at ${args.rate}, up to ${args.max} ` +
      `${args.sell.toUpperCase()}, valid ${args.validFor} s, for order ${id} paying member ${beneficiary}; ` +
      `written to ${out}`,
  ];
}

/** The payee of an order names the FX provider whose quotes anyone may relay, and the least rate it takes. */
export async function fxTerms(
  c: TradelineContracts,
  args: { order: string; provider: string; minRate: string },
): Promise<string[]> {
  const id = orderId(args.order);
  const provider = parseMemberId(required(args.provider, "--provider"), "--provider");
  const receipt = await setFxTerms(c.trade, id, provider, scaledRate(required(args.minRate, "--min-rate")));
  return [
    `order ${id}: quotes by member ${provider} at ${args.minRate} or better may be relayed by anyone`,
    `  tx: ${receipt.hash}`,
  ];
}

export async function status(c: TradelineContracts, args: { order: string }): Promise<string[]> {
  const id = orderId(args.order);
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
      (order.financier === 0n ? "" : `, proceeds assigned to ${order.financier}`),
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

interface AssignmentFile {
  order: string;
  exporter: string;
  financier: string;
  advance: string;
  deadline: string;
  signature: string;
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
  const id = orderId(args.order);
  const order = await c.trade.getOrder(id);
  const reporting = await currencyOf(c);
  const pay = await tokenAt(c, order.payToken);
  if (args.out.trim() !== "") {
    const financier = parseMemberId(required(args.financier, "--financier"), "--financier");
    const advance = parseAmount(required(args.advance, "--advance"), reporting.decimals, {
      name: "--advance",
      bits: 64,
    });
    const deadline = (await chainTime(c.trade.runner)) + BigInt(wholeNumber(args.validFor, "--valid-for", 30 * 86_400));
    const a = { order: id, exporter: order.exporter, financier, advance, deadline };
    const signature = await signAssignment(session.signer, await tradeDomainOf(c.trade), a);
    const file: AssignmentFile = {
      order: id.toString(),
      exporter: order.exporter.toString(),
      financier: financier.toString(),
      advance: advance.toString(),
      deadline: deadline.toString(),
      signature,
    };
    await writeFile(args.out, `${JSON.stringify(file, null, 2)}\n`);
    return [
      `member ${financier} agrees to advance ${formatAmount(advance, reporting.decimals)} ${reporting.code} against ` +
        `order ${id}'s proceeds; written to ${args.out}`,
    ];
  }
  const f = (await readJsonFile(
    required(args.assignment, "--assignment (or --out to sign)"),
    "assignment",
  )) as unknown as AssignmentFile;
  if (f.order !== id.toString() || typeof f.signature !== "string" || !isHexString(f.signature)) {
    throw new Error(`${args.assignment} is not a signed assignment of order ${id} (written by trade:assign --out)`);
  }
  const advance = BigInt(f.advance);
  const receipt = await assignProceeds(
    c.trade,
    { order: id, exporter: BigInt(f.exporter), financier: BigInt(f.financier), advance, deadline: BigInt(f.deadline) },
    f.signature,
  );
  return [
    `assigned order ${id}'s proceeds (${formatAmount(order.amount, pay.decimals)} ${pay.code}) to member ${f.financier}`,
    `  member ${order.exporter} owes the advance of ${formatAmount(advance, reporting.decimals)} ${reporting.code}: ` +
      `reported to the credit registry as TradeFinance`,
    `  tx: ${receipt.hash}`,
  ];
}

export async function dispute(c: TradelineContracts, args: { order: string; reason: string }): Promise<string[]> {
  const id = orderId(args.order);
  const receipt = await disputeOrder(c.trade, id, reasonCode(required(args.reason, "--reason")));
  const order = await c.trade.getOrder(id);
  const by = new Date(Number(order.disputeDeadline) * 1000).toISOString();
  return [`disputed order ${id}: an arbiter splits what remains in escrow by ${by}`, `  tx: ${receipt.hash}`];
}

export async function resolve(
  c: TradelineContracts,
  args: { order: string; exporterShare: string; quote: string },
): Promise<string[]> {
  const id = orderId(args.order);
  const text = required(args.exporterShare, "--exporter-share");
  if (!/^\d+(\.\d{1,2})?$/.test(text) || Number(text) > 100) {
    throw new Error(`--exporter-share "${text}" must be a percentage from 0 to 100`);
  }
  const share = Math.round(Number(text) * 100);
  const { payments, receipt } = await resolveOrder(c.trade, id, share, await readQuote(args.quote));
  return [
    `resolved order ${id}: ${formatShare(share)} of what remained to the exporter's side, the rest refunded`,
    ...(await paymentLines(c, payments)),
    `  tx: ${receipt.hash}`,
  ];
}

export async function refund(
  c: TradelineContracts,
  args: { order: string; rule: string; quote: string },
): Promise<string[]> {
  const id = orderId(args.order);
  const rule = required(args.rule, "--rule").toLowerCase();
  if (!(TIME_RULES as readonly string[]).includes(rule)) {
    throw new Error(`--rule "${args.rule}": expected one of ${TIME_RULES.join(", ")}`);
  }
  const before = await c.trade.escrowOf(id);
  const receipt = await applyTimeRule(c.trade, id, rule as TimeRule, await readQuote(args.quote));
  const pay = await tokenAt(c, (await c.trade.getOrder(id)).payToken);
  const moved = `${formatAmount(before - (await c.trade.escrowOf(id)), pay.decimals)} ${pay.code}`;
  const what =
    rule === "objection"
      ? `released ${moved} to the exporter's side: the objection window closed undisputed`
      : rule === "unshipped"
        ? `refunded ${moved} to the importer's bank: no shipment evidence by the deadline`
        : `refunded ${moved} to the importer's bank at expiry`;
  return [`order ${id}: ${what}`, `  tx: ${receipt.hash}`];
}
