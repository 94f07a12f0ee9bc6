/**
 * The glassware order of the demo and the bench: 400,000.00 MXN from Casa Cristal to Shenzhen Glassworks, 30/40/30 on
 * shipped, customs cleared and delivered, each tranche paid in CNY through Huaxia's MXN->CNY quote at 0.38.
 */
import type { ContractTransactionResponse, TypedDataDomain } from "ethers";

import { documentCommitment, newSalt } from "../../src/commitments.js";
import { parseAmount } from "../../src/encoding.js";
import {
  EVIDENCE_KINDS,
  buildOrder,
  newFxQuote,
  scaledRate,
  signAttestation,
  signFxQuote,
  tradeDomainOf,
  type EvidenceKindName,
  type FxQuote,
  type OrderTerms,
} from "../../src/trade.js";
import { eventArg, mined } from "../../src/tx.js";

import type { World } from "./world.js";

export const GLASSWARE_EVIDENCE: [EvidenceKindName, string, string][] = [
  ["Shipped", "carrier", "bill of lading TPL-MZO-88121"],
  ["CustomsCleared", "customs", "pedimento 26 16 3456 6001234"],
  ["Delivered", "carrier", "proof of delivery Guadalajara"],
];

/** Gives the importer's bank the MXN and the FX provider the CNY the orders need, and lets the escrow draw the CNY. */
export async function fundGlasswareParties(world: World, orders: number): Promise<void> {
  const { MXN, CNY } = world.contracts.tokens;
  const a = world.admins;
  const amount = parseAmount("400000.00", 2) * BigInt(orders);
  await mined(await MXN.connect(world.issuer).mint(a.golfo, amount));
  await mined(await CNY.connect(world.issuer).mint(a.huaxia, amount));
  await mined(await CNY.connect(a.huaxia).approve(await world.contracts.trade.getAddress(), amount));
}

/** The glassware order's terms, deadlines counted from `now` (Unix seconds). */
export async function glasswareOrder(world: World, now: bigint, document = "PO CC-2026-0042"): Promise<OrderTerms> {
  const { MXN, CNY } = world.contracts.tokens;
  return buildOrder({
    exporter: world.ids.glassworks,
    importerBank: world.ids.golfo,
    exporterBank: world.ids.huaxia,
    document,
    documentSalt: newSalt(),
    payToken: await MXN.getAddress(),
    payoutToken: await CNY.getAddress(),
    amount: parseAmount("400000.00", 2),
    importerBankFeeBps: 10,
    exporterBankFeeBps: 15,
    shipmentDeadline: now + 14n * 86_400n,
    objectionWindow: 3 * 86_400,
    expiry: now + 60n * 86_400n,
    tranches: "30:Shipped,40:CustomsCleared,30:Delivered",
    now,
  });
}

/**
 * The oracle's signed evidence number `index` of `GLASSWARE_EVIDENCE` for order `id`, and Huaxia's quote at 0.38 for
 * the payment it releases, valid until `expiry`.
 */
export async function signGlasswareEvidence(
  world: World,
  domain: TypedDataDomain,
  id: bigint,
  terms: OrderTerms,
  index: number,
  expiry: bigint,
): Promise<{
  kind: EvidenceKindName;
  documentHash: string;
  signature: string;
  fx: { quote: FxQuote; signature: string };
}> {
  const [kind, oracle, doc] = GLASSWARE_EVIDENCE[index];
  const hash = documentCommitment(doc, newSalt());
  const quote = newFxQuote({
    order: id,
    beneficiary: BigInt(terms.exporter),
    sellToken: terms.payToken as string,
    buyToken: terms.payoutToken as string,
    rate: scaledRate("0.38"),
    maxSellAmount: terms.amount as bigint,
    expiry,
  });
  return {
    kind,
    documentHash: hash,
    signature: await signAttestation(world.admins[oracle], domain, id, kind, hash),
    fx: { quote, signature: await signFxQuote(world.admins.huaxia, domain, quote) },
  };
}

/**
 * Runs the whole order, from creation to the last payment, handing each transaction to `sent` as it goes out:
 * create (importer), accept (exporter), approve and fund (importer's bank), and the three pieces of evidence, each
 * relayed by the exporter's bank with a fresh quote bound to the order (the exporter names Huaxia as its FX provider
 * after accepting). Returns the order id.
 */
export async function runGlasswareLifecycle(
  world: World,
  now: bigint,
  sent: (operation: string, tx: ContractTransactionResponse) => Promise<void>,
): Promise<bigint> {
  const a = world.admins;
  const trade = world.contracts.trade;
  const escrow = await trade.getAddress();
  const domain = await tradeDomainOf(trade);
  const terms = await glasswareOrder(world, now);
  const created = await trade.connect(a.cristal).createOrder(terms);
  await sent("TradeSettlement.createOrder [3 tranches, MXN paid out in CNY]", created);
  const id = eventArg<bigint>(trade, await mined(created), "OrderCreated", "id");
  await sent("TradeSettlement.accept", await trade.connect(a.glassworks).accept(id));
  // The exporter names Huaxia's quotes at 0.38 or better: its bank may then relay them with the evidence.
  await sent(
    "TradeSettlement.setFxTerms",
    await trade.connect(a.glassworks).setFxTerms(id, world.ids.huaxia, scaledRate("0.38")),
  );
  await mined(await world.contracts.tokens.MXN.connect(a.golfo).approve(escrow, terms.amount));
  await sent("TradeSettlement.fund [escrow 400,000.00 MXN]", await trade.connect(a.golfo).fund(id));
  for (const [i, [kind]] of GLASSWARE_EVIDENCE.entries()) {
    const e = await signGlasswareEvidence(world, domain, id, terms, i, now + 3_600n);
    const kindIndex = EVIDENCE_KINDS.indexOf(kind);
    const tx = await trade
      .connect(a.huaxia)
      .attest(id, kindIndex, e.documentHash, [e.signature], e.fx.quote, e.fx.signature);
    const settles = i === GLASSWARE_EVIDENCE.length - 1 ? ", settles the order" : "";
    await sent(`TradeSettlement.attest [${kind}, 1 oracle, pays a tranche in CNY${settles}]`, tx);
  }
  return id;
}
