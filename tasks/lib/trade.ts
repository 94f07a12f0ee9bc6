/**
 * Trade settlement operations behind the `trade:*` tasks (work in progress for issue 5): each returns the lines to
 * print. Amounts are in major units of the order's pay token; quotes and attestations travel as JSON files.
 */
import { readFile, writeFile } from "node:fs/promises";

import { getAddress, hexlify, isHexString, keccak256, randomBytes, toUtf8Bytes, verifyTypedData } from "ethers";

import { tokenFor, type TradelineContracts } from "../../src/deployment.js";
import { formatAmount, parseAmount, reasonCode } from "../../src/encoding.js";
import { normalizeDate } from "../../src/keys.js";
import {
  ATTESTATION_TYPES,
  EVIDENCE_KINDS,
  NO_FX_QUOTE,
  ORDER_STATES,
  parseTranches,
  scaledRate,
  signAttestation,
  signFxQuote,
  tradeDomain,
  type EvidenceKindName,
  type FxQuote,
} from "../../src/trade.js";

import { parseMemberId } from "./members.js";

/** What the trade operations need from a session. */
export interface TradeSession {
  signer: Parameters<typeof signFxQuote>[0] & { getAddress(): Promise<string> };
}

function required(value: string, option: string): string {
  if (value.trim() === "") throw new Error(`${option} is required`);
  return value.trim();
}

function orderId(text: string): bigint {
  const t = required(text, "--order");
  if (!/^\d+$/.test(t) || BigInt(t) === 0n) throw new Error(`--order "${text}" is not an order id`);
  return BigInt(t);
}

function endOfDay(date: string, option: string): bigint {
  return BigInt(Date.parse(`${normalizeDate(date, option)}T00:00:00Z`) / 1000) + 86_399n;
}

async function domainOf(c: TradelineContracts) {
  const network = await c.trade.runner!.provider!.getNetwork();
  return tradeDomain(network.chainId, await c.trade.getAddress());
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

async function readQuote(file: string): Promise<{ quote: FxQuote; signature: string }> {
  if (file === "") return { quote: NO_FX_QUOTE, signature: "0x" };
  const parsed = JSON.parse(
    await readFile(file, "utf8").catch(() => {
      throw new Error(`cannot read ${file}`);
    }),
  ) as QuoteFile;
  if (parsed.quote === undefined || !isHexString(parsed.signature)) throw new Error(`${file} is not an FX quote file`);
  const q = parsed.quote;
  return {
    quote: {
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

export async function create(
  c: TradelineContracts,
  args: {
    exporter: string;
    importerBank: string;
    exporterBank: string;
    document: string;
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
  const payout = tokenFor(c, args.payout === "" ? args.currency : args.payout);
  const decimals = Number(await pay.decimals());
  const terms = {
    exporter: parseMemberId(required(args.exporter, "--exporter")),
    importerBank: parseMemberId(required(args.importerBank, "--importer-bank")),
    exporterBank: parseMemberId(required(args.exporterBank, "--exporter-bank")),
    documentHash: keccak256(toUtf8Bytes(required(args.document, "--document"))),
    payToken: await pay.getAddress(),
    payoutToken: await payout.getAddress(),
    amount: parseAmount(required(args.amount, "--amount"), decimals),
    importerBankFeeBps: Number(args.importerFeeBps === "" ? "0" : args.importerFeeBps),
    exporterBankFeeBps: Number(args.exporterFeeBps === "" ? "0" : args.exporterFeeBps),
    shipmentDeadline: endOfDay(required(args.shipBy, "--ship-by"), "--ship-by"),
    objectionWindow: Number(args.objectionDays === "" ? "3" : args.objectionDays) * 86_400,
    expiry: endOfDay(required(args.expires, "--expires"), "--expires"),
    tranches: parseTranches(required(args.tranches, "--tranches")),
  };
  const tx = await c.trade.createOrder(terms);
  const receipt = await tx.wait();
  const event = receipt?.logs.map((l) => c.trade.interface.parseLog(l)).find((e) => e?.name === "OrderCreated");
  return [
    `created order ${event?.args.id} for ${formatAmount(terms.amount, decimals)} ${args.currency.toUpperCase()}, ` +
      `${terms.tranches.length} tranche(s); the exporter must accept it before ${args.shipBy}`,
    `  tx: ${tx.hash}`,
  ];
}

export async function accept(c: TradelineContracts, args: { order: string }): Promise<string[]> {
  const id = orderId(args.order);
  const tx = await c.trade.accept(id);
  await tx.wait();
  return [`accepted order ${id}`, `  tx: ${tx.hash}`];
}

export async function fund(c: TradelineContracts, args: { order: string }, session: TradeSession): Promise<string[]> {
  const id = orderId(args.order);
  const trade = await c.trade.getAddress();
  const lines: string[] = [];
  for (const token of Object.values(c.tokens)) {
    // TODO(issue 5): approve only the order's pay token for its amount, once the contract exposes them in a view;
    // for now every settlement token without an allowance is approved.
    const owner = await session.signer.getAddress();
    if ((await token.allowance(owner, trade)) === 0n) {
      const tx = await token.approve(trade, 2n ** 96n - 1n);
      await tx.wait();
      lines.push(`  approved the trade escrow on ${await token.symbol()}`);
    }
  }
  const tx = await c.trade.fund(id);
  await tx.wait();
  return [`funded order ${id}: the amount is locked in escrow`, ...lines, `  tx: ${tx.hash}`];
}

export async function attest(
  c: TradelineContracts,
  args: { order: string; kind: string; document: string; signatures: string; quote: string; out: string },
  session: TradeSession,
): Promise<string[]> {
  const id = orderId(args.order);
  const kind = kindOf(args.kind);
  const documentHash = keccak256(toUtf8Bytes(required(args.document, "--document")));
  if (args.out !== "") {
    const signature = await signAttestation(session.signer, await domainOf(c), id, kind, documentHash);
    await writeFile(args.out, `${JSON.stringify({ order: id.toString(), kind, documentHash, signature }, null, 2)}\n`);
    return [`signed ${kind} evidence for order ${id}; written to ${args.out}`];
  }
  const files = required(args.signatures, "--signatures (or --out to sign)").split(",");
  const signatures: { signer: string; signature: string }[] = [];
  for (const file of files) {
    const s = JSON.parse(await readFile(file.trim(), "utf8")) as { signature: string };
    const signer = verifyTypedData(
      await domainOf(c),
      ATTESTATION_TYPES,
      {
        order: id,
        kind: EVIDENCE_KINDS.indexOf(kind),
        documentHash,
      },
      s.signature,
    );
    signatures.push({ signer, signature: s.signature });
  }
  signatures.sort((x, y) => (BigInt(x.signer) < BigInt(y.signer) ? -1 : 1));
  const { quote, signature } = await readQuote(args.quote);
  const tx = await c.trade.attest(
    id,
    EVIDENCE_KINDS.indexOf(kind),
    documentHash,
    signatures.map((s) => s.signature),
    quote,
    signature,
  );
  const receipt = await tx.wait();
  const lines = [`${kind} evidence for order ${id} complete (${signatures.length} attestation(s))`];
  for (const log of receipt?.logs ?? []) {
    const parsed = c.trade.interface.parseLog(log);
    if (parsed?.name === "TranchePaid") {
      lines.push(
        `  tranche ${Number(parsed.args.tranche) + 1} paid ${parsed.args.payout} minor units to ${parsed.args.beneficiary}`,
      );
    }
  }
  return [...lines, `  tx: ${tx.hash}`];
}

export async function quote(
  c: TradelineContracts,
  args: { sell: string; buy: string; rate: string; max: string; validFor: string; out: string },
  session: TradeSession,
): Promise<string[]> {
  const sell = tokenFor(c, required(args.sell, "--sell"));
  const buy = tokenFor(c, required(args.buy, "--buy"));
  const decimals = Number(await sell.decimals());
  const latest = await c.trade.runner?.provider?.getBlock("latest");
  const q: FxQuote = {
    sellToken: await sell.getAddress(),
    buyToken: await buy.getAddress(),
    rate: scaledRate(required(args.rate, "--rate")),
    maxSellAmount: parseAmount(required(args.max, "--max"), decimals),
    expiry: BigInt(latest?.timestamp ?? 0) + BigInt(args.validFor === "" ? "300" : args.validFor),
    nonce: BigInt(hexlify(randomBytes(16))),
  };
  const signature = await signFxQuote(session.signer, await domainOf(c), q);
  const file: QuoteFile = {
    quote: Object.fromEntries(Object.entries(q).map(([k, v]) => [k, String(v)])) as Record<keyof FxQuote, string>,
    signature,
  };
  await writeFile(required(args.out, "--out"), `${JSON.stringify(file, null, 2)}\n`);
  return [
    `FX quote ${args.sell.toUpperCase()}->${args.buy.toUpperCase()} at ${args.rate}, up to ${args.max}; written to ${args.out}`,
  ];
}

export async function status(c: TradelineContracts, args: { order: string }): Promise<string[]> {
  const id = orderId(args.order);
  const [state, tranches, evidenceDone, settled] = await c.trade.orderStatus(id);
  if (Number(state) === 0) throw new Error(`no order ${id}`);
  const done = EVIDENCE_KINDS.filter((_, i) => (Number(evidenceDone) >> i) & 1);
  const awaited = EVIDENCE_KINDS.filter((_, i) => !((Number(evidenceDone) >> i) & 1));
  return [
    `order ${id}: ${ORDER_STATES[Number(state)]}, escrow ${await c.trade.escrowOf(id)} minor units`,
    `  evidence done: ${done.join(", ") || "none"}; awaited: ${awaited.join(", ")}`,
    ...Array.from(
      { length: Number(tranches) },
      (_, i) => `  tranche ${i + 1}: ${(Number(settled) >> i) & 1 ? "paid or refunded" : "in escrow"}`,
    ),
  ];
}

export async function dispute(c: TradelineContracts, args: { order: string; reason: string }): Promise<string[]> {
  const id = orderId(args.order);
  const tx = await c.trade.dispute(id, reasonCode(required(args.reason, "--reason")));
  await tx.wait();
  return [`disputed order ${id}: the arbiter decides what remains in escrow`, `  tx: ${tx.hash}`];
}

export async function resolve(
  c: TradelineContracts,
  args: { order: string; exporterShare: string; quote: string },
): Promise<string[]> {
  const id = orderId(args.order);
  const share = Math.round(Number(required(args.exporterShare, "--exporter-share")) * 100);
  if (!Number.isInteger(share) || share < 0 || share > 10_000) throw new Error("--exporter-share must be 0 to 100 (%)");
  const { quote: q, signature } = await readQuote(args.quote);
  const tx = await c.trade.resolve(id, share, q, signature);
  await tx.wait();
  return [
    `resolved order ${id}: ${share / 100}% to the exporter, the rest back to the importer's bank`,
    `  tx: ${tx.hash}`,
  ];
}

export async function refund(c: TradelineContracts, args: { order: string; rule: string }): Promise<string[]> {
  const id = orderId(args.order);
  const rule = args.rule === "" ? "unshipped" : args.rule;
  const tx =
    rule === "unshipped"
      ? await c.trade.refundUnshipped(id)
      : rule === "expired"
        ? await c.trade.refundExpired(id)
        : undefined;
  if (tx === undefined) throw new Error(`--rule "${args.rule}": expected unshipped or expired`);
  await tx.wait();
  return [`order ${id}: refunded to the importer's bank (${rule})`, `  tx: ${tx.hash}`];
}
