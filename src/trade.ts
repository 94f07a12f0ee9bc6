/**
 * Trade settlement from TypeScript: order builders, attestation and FX-quote signers, one helper per operation,
 * UETR formatting and the pacs.008-like record of a settled payment.
 *
 * Amounts are minor units of the order's pay token. An FX rate is buy-token minor units per sell-token minor unit,
 * scaled by 1e18; the contract rounds the converted amount down (`net × rate / 1e18`).
 */
import {
  formatUnits,
  hexlify,
  randomBytes,
  verifyTypedData,
  type ContractTransactionReceipt,
  type Signer,
  type TypedDataDomain,
} from "ethers";

import type { SettlementToken, TradeSettlement } from "../typechain-types/index.js";
import type { ITradeSettlement } from "../typechain-types/trade/TradeSettlement.js";

import { documentCommitment } from "./commitments.js";
import { signPermit } from "./eip712.js";
import { MEMBER_STATUSES } from "./members.js";
import { ensureAllowance, eventArg, mined } from "./tx.js";

export const ORDER_STATES = ["None", "Created", "Accepted", "Funded", "Disputed", "Settled", "Lapsed"] as const;
export type OrderStateName = (typeof ORDER_STATES)[number];
export const EVIDENCE_KINDS = ["Shipped", "CustomsCleared", "Delivered", "Inspected"] as const;

/**
 * A set of order states as the settlement's `TradeUnexpectedOrderState` names it: a Governor-style bitmap (bit
 * `1 << state` for each state), as a bytes32 hex string.
 */
export function orderStateSet(...states: OrderStateName[]): string {
  const bits = states.reduce((set, s) => set | (1n << BigInt(ORDER_STATES.indexOf(s))), 0n);
  return "0x" + bits.toString(16).padStart(64, "0");
}

/** The order states in a Governor-style bitmap (`orderStateSet`'s inverse), in enum order. */
export function orderStatesIn(set: string | bigint): OrderStateName[] {
  const bits = BigInt(set);
  return ORDER_STATES.filter((_, i) => (bits >> BigInt(i)) & 1n);
}
export type EvidenceKindName = (typeof EVIDENCE_KINDS)[number];

/** 1e18: an FX rate is buy-token minor units per sell-token minor unit, times this. */
export const RATE_SCALE = 10n ** 18n;

export const ATTESTATION_TYPES = {
  Attestation: [
    { name: "order", type: "uint64" },
    { name: "kind", type: "uint8" },
    { name: "documentHash", type: "bytes32" },
  ],
};

/** An FX quote names the order and the member it pays (the exporter, or the financier once assigned). */
export const FX_QUOTE_TYPES = {
  FxQuote: [
    { name: "order", type: "uint64" },
    { name: "beneficiary", type: "uint32" },
    { name: "sellToken", type: "address" },
    { name: "buyToken", type: "address" },
    { name: "rate", type: "uint256" },
    { name: "maxSellAmount", type: "uint96" },
    { name: "expiry", type: "uint40" },
    { name: "nonce", type: "uint256" },
  ],
};

export interface FxQuote {
  /** The order whose payment the quote converts. */
  order: bigint;
  /** The member id the payment goes to: the exporter, or the financier the proceeds are assigned to. */
  beneficiary: bigint;
  sellToken: string;
  buyToken: string;
  rate: bigint;
  maxSellAmount: bigint;
  expiry: bigint;
  nonce: bigint;
}

/** The "no quote" placeholder for payments that need no conversion. */
export const NO_FX_QUOTE: FxQuote = {
  order: 0n,
  beneficiary: 0n,
  sellToken: "0x0000000000000000000000000000000000000000",
  buyToken: "0x0000000000000000000000000000000000000000",
  rate: 0n,
  maxSellAmount: 0n,
  expiry: 0n,
  nonce: 0n,
};

/** A financier's agreement to an assignment of an order's proceeds against an advance (reporting-currency units). */
export const ASSIGNMENT_TYPES = {
  ProceedsAssignment: [
    { name: "order", type: "uint64" },
    { name: "exporter", type: "uint32" },
    { name: "financier", type: "uint32" },
    { name: "advance", type: "uint64" },
    { name: "deadline", type: "uint40" },
    { name: "nonce", type: "uint256" },
  ],
};

export interface ProceedsAssignment {
  order: bigint;
  exporter: bigint;
  financier: bigint;
  /** Minor units of the credit registry's reporting currency. */
  advance: bigint;
  /** Unix seconds after which the signature is refused. */
  deadline: bigint;
  /**
   * The financier key's unordered nonce, spent by the assignment; `cancelNonce` with it withdraws the offer (as an FX
   * quote's).
   */
  nonce: bigint;
}

/** The EIP-712 domain of a TradeSettlement contract. */
export function tradeDomain(chainId: bigint, verifyingContract: string): TypedDataDomain {
  return { name: "Tradeline TradeSettlement", version: "1", chainId, verifyingContract };
}

/** The EIP-712 domain of a deployed TradeSettlement, read from its network. */
export async function tradeDomainOf(trade: TradeSettlement): Promise<TypedDataDomain> {
  const { chainId } = await trade.runner!.provider!.getNetwork();
  return tradeDomain(chainId, await trade.getAddress());
}

/** A bitmask of evidence kinds, e.g. `evidenceMask(["Shipped", "Delivered"])` → 5. */
export function evidenceMask(kinds: readonly string[]): number {
  return kinds.reduce((mask, k) => {
    const i = EVIDENCE_KINDS.findIndex((n) => n.toLowerCase() === k.trim().toLowerCase());
    if (i < 0) throw new Error(`unknown evidence kind "${k}": expected one of ${EVIDENCE_KINDS.join(", ")}`);
    return mask | (1 << i);
  }, 0);
}

/** Tranches from `"30:Shipped,40:CustomsCleared,30:Delivered"` (percent with up to 2 decimals : kinds joined by +). */
export function parseTranches(text: string): { shareBps: number; evidence: number }[] {
  const tranches = text.split(",").map((part) => {
    const m = /^\s*(\d+(?:\.\d{1,2})?)\s*:\s*([A-Za-z+]+)\s*$/.exec(part);
    if (m === null) throw new Error(`tranche "${part}" is not share:Kind[+Kind], e.g. 30:Shipped`);
    return { shareBps: Math.round(Number(m[1]) * 100), evidence: evidenceMask(m[2].split("+")) };
  });
  const total = tranches.reduce((s, t) => s + t.shareBps, 0);
  if (tranches.length === 0 || tranches.length > 8 || total !== 10_000) {
    throw new Error(
      `tranches must be 1 to 8 shares summing to 100%, got ${tranches.length} summing to ${total / 100}%`,
    );
  }
  return tranches;
}

/** An oracle signs evidence of `kind` for order `order` over the document `documentHash`. */
export async function signAttestation(
  oracle: Signer,
  domain: TypedDataDomain,
  order: bigint,
  kind: EvidenceKindName,
  documentHash: string,
): Promise<string> {
  return oracle.signTypedData(domain, ATTESTATION_TYPES, {
    order,
    kind: EVIDENCE_KINDS.indexOf(kind),
    documentHash,
  });
}

/** An FX provider signs a quote. */
export async function signFxQuote(provider: Signer, domain: TypedDataDomain, quote: FxQuote): Promise<string> {
  return provider.signTypedData(domain, FX_QUOTE_TYPES, quote);
}

/** The address that signed FX quote `quote` (throws on a signature that is not one). */
export function fxQuoteSigner(domain: TypedDataDomain, quote: FxQuote, signature: string): string {
  return verifyTypedData(domain, FX_QUOTE_TYPES, quote, signature);
}

/** A financier (an operator of the financier member) agrees to an assignment of an order's proceeds. */
export async function signAssignment(
  financier: Signer,
  domain: TypedDataDomain,
  assignment: ProceedsAssignment,
): Promise<string> {
  return financier.signTypedData(domain, ASSIGNMENT_TYPES, assignment);
}

/** The address that signed `assignment` (throws on a signature that is not one). */
export function assignmentSigner(domain: TypedDataDomain, assignment: ProceedsAssignment, signature: string): string {
  return verifyTypedData(domain, ASSIGNMENT_TYPES, assignment, signature);
}

/**
 * A decimal rate ("0.3800") of major buy units per major sell unit as the contract's rate: base units of the buy
 * token per base unit of the sell token, scaled by 1e18. The two tokens' decimals convert between the two (JPY has
 * none, USD two: 0.0067 USD per JPY is 0.67 cents per yen); they default to equal. A rate the contract cannot hold
 * exactly is refused, never rounded: a floor or a quote is the payee's money.
 */
export function scaledRate(rate: string, sellDecimals = 0, buyDecimals = sellDecimals): bigint {
  const m = /^(\d+)(?:\.(\d{1,36}))?$/.exec(rate.trim());
  if (m === null) throw new Error(`rate "${rate}" is not a decimal number`);
  const digits = m[2] ?? "";
  const units = BigInt(m[1] + digits);
  const shift = 18 + buyDecimals - sellDecimals - digits.length;
  let scaled: bigint;
  if (shift >= 0) scaled = units * 10n ** BigInt(shift);
  else {
    const cut = 10n ** BigInt(-shift);
    if (units % cut !== 0n) {
      throw new Error(`rate "${rate}" has more decimals than the contract holds (${digits.length + shift})`);
    }
    scaled = units / cut;
  }
  // Quotes and floor rates store the rate as a uint96.
  if (scaled >= 2n ** 96n) {
    const largest = formatUnits(2n ** 96n - 1n, 18 + buyDecimals - sellDecimals);
    throw new Error(`rate "${rate}" is more than the largest rate a quote holds, ${largest}`);
  }
  return scaled;
}

/** The contract's rate (see `scaledRate`) as major buy units per major sell unit, e.g. "0.38". */
export function majorRateText(rate: bigint, sellDecimals: number, buyDecimals: number): string {
  return formatUnits(rate, 18 - sellDecimals + buyDecimals).replace(/\.0$/, "");
}

/** The canonical text form of a UETR (UUID v4), e.g. `3f2c…-…`. */
export function formatUetr(uetr: string): string {
  const h = uetr.replace(/^0x/, "").toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(h)) throw new Error(`UETR ${uetr} is not 16 bytes`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The end-to-end id the contract emits (order << 8 | tranche) as text, e.g. `TL-ORD-42-T1`. */
export function formatEndToEndId(e2e: bigint | string): string {
  const v = BigInt(e2e);
  const tranche = Number(v & 0xffn);
  const order = v >> 8n;
  const suffix = tranche === 255 ? "REFUND" : tranche === 254 ? "AWARD" : `T${tranche + 1}`;
  return `TL-ORD-${order}-${suffix}`;
}

// ─── Orders ─────────────────────────────────────────────────────────────────

export type OrderTerms = ITradeSettlement.OrderTermsStruct;
export type OrderView = ITradeSettlement.OrderViewStructOutput;

/** The most fee a bank may take, in basis points (the contract's `MAX_FEE_BPS`). */
export const MAX_FEE_BPS = 1_000;

/**
 * Builds and checks an order's terms before anything is sent, with the contract's rules: a positive amount, fees of
 * at most 1,000 bps, now < shipment deadline < expiry, and 1 to 8 tranches summing to 100%.
 */
export function buildOrder(input: {
  exporter: bigint;
  importerBank: bigint;
  exporterBank: bigint;
  /** The order document's reference (e.g. the PO number) and the salt its commitment is made with. */
  document: string;
  documentSalt: string;
  payToken: string;
  payoutToken?: string;
  amount: bigint;
  importerBankFeeBps?: number;
  exporterBankFeeBps?: number;
  shipmentDeadline: bigint;
  objectionWindow: number;
  expiry: bigint;
  tranches: string | { shareBps: number; evidence: number }[];
  now: bigint;
}): OrderTerms {
  if (input.amount <= 0n) throw new Error(`the amount must be positive, got ${input.amount}`);
  for (const [name, fee] of [
    ["importer bank fee", input.importerBankFeeBps ?? 0],
    ["exporter bank fee", input.exporterBankFeeBps ?? 0],
  ] as const) {
    if (!Number.isInteger(fee) || fee < 0 || fee > MAX_FEE_BPS) {
      throw new Error(`the ${name} must be 0 to ${MAX_FEE_BPS} bps, got ${fee}`);
    }
  }
  if (input.shipmentDeadline <= input.now) {
    throw new Error(`the shipment deadline ${isoTime(input.shipmentDeadline)} is not in the future`);
  }
  if (input.expiry <= input.shipmentDeadline) {
    throw new Error(
      `the expiry ${isoTime(input.expiry)} must come after the shipment deadline ${isoTime(input.shipmentDeadline)}`,
    );
  }
  if (!Number.isInteger(input.objectionWindow) || input.objectionWindow < 0 || input.objectionWindow >= 2 ** 32) {
    throw new Error(`the objection window must be whole seconds, got ${input.objectionWindow}`);
  }
  if (input.shipmentDeadline + BigInt(input.objectionWindow) >= input.expiry) {
    throw new Error(
      `the objection window of ${input.objectionWindow} s would run from a delivery at the shipment deadline ` +
        `${isoTime(input.shipmentDeadline)} to or past the expiry ${isoTime(input.expiry)}: the delivery evidence could never be taken`,
    );
  }
  return {
    exporter: input.exporter,
    importerBank: input.importerBank,
    exporterBank: input.exporterBank,
    documentHash: documentCommitment(input.document, input.documentSalt),
    payToken: input.payToken,
    payoutToken: input.payoutToken ?? input.payToken,
    amount: input.amount,
    importerBankFeeBps: input.importerBankFeeBps ?? 0,
    exporterBankFeeBps: input.exporterBankFeeBps ?? 0,
    shipmentDeadline: input.shipmentDeadline,
    objectionWindow: input.objectionWindow,
    expiry: input.expiry,
    tranches: typeof input.tranches === "string" ? parseTranches(input.tranches) : input.tranches,
  };
}

function isoTime(seconds: bigint): string {
  return new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z");
}

/** The evidence kinds in a bitmask, e.g. 5 → ["Shipped", "Delivered"]. */
export function evidenceNames(mask: bigint | number): EvidenceKindName[] {
  return EVIDENCE_KINDS.filter((_, i) => (Number(mask) >> i) & 1);
}

/** A tranche's share as text, e.g. 3000 → "30%". */
export function formatShare(bps: bigint | number): string {
  return `${Number(bps) / 100}%`;
}

/** What each unsettled tranche of an order still awaits: the evidence kinds not yet complete. */
export function awaitedEvidence(order: OrderView): { tranche: number; awaits: EvidenceKindName[] }[] {
  return order.tranches
    .map((t, i) => ({ tranche: i, awaits: evidenceNames(Number(t.evidence) & ~Number(order.evidenceDone)) }))
    .filter(({ tranche }) => !((Number(order.settledTranches) >> tranche) & 1));
}

// ─── Operations ─────────────────────────────────────────────────────────────

/** The importer creates an order; returns its id. */
export async function createOrder(
  trade: TradeSettlement,
  terms: OrderTerms,
): Promise<{ id: bigint; receipt: ContractTransactionReceipt }> {
  const receipt = await mined(await trade.createOrder(terms));
  return { id: eventArg<bigint>(trade, receipt, "OrderCreated", "id"), receipt };
}

/** The exporter accepts order `id`. */
export async function accept(trade: TradeSettlement, id: bigint): Promise<ContractTransactionReceipt> {
  return mined(await trade.accept(id));
}

/**
 * The importer's bank locks order `id`'s amount, approving exactly the order's pay token for it first when its
 * allowance falls short. `payToken` must be connected to the bank's signer.
 */
export async function fund(
  trade: TradeSettlement,
  payToken: SettlementToken,
  id: bigint,
): Promise<{ approval?: ContractTransactionReceipt; receipt: ContractTransactionReceipt }> {
  const order = await trade.getOrder(id);
  if ((await payToken.getAddress()) !== order.payToken) throw new Error(`order ${id} is paid in another token`);
  const runner = trade.runner as Signer;
  const approval = await ensureAllowance(payToken, await runner.getAddress(), await trade.getAddress(), order.amount);
  return { approval, receipt: await mined(await trade.fund(id)) };
}

/** The importer's bank locks order `id`'s amount with an ERC-2612 permit valid until `deadline`: one transaction. */
export async function fundWithPermit(
  trade: TradeSettlement,
  payToken: SettlementToken,
  bank: Signer,
  id: bigint,
  deadline: bigint,
): Promise<ContractTransactionReceipt> {
  const order = await trade.getOrder(id);
  const permit = await signPermit(payToken, bank, await trade.getAddress(), order.amount, deadline);
  return mined(await trade.connect(bank).fundWithPermit(id, deadline, permit.v, permit.r, permit.s));
}

/**
 * Relays `kind` evidence: orders the attestations by signer as the contract requires, and pays what the evidence
 * completes (converted with `quote` when the exporter is paid in another token). Returns the payments made.
 */
export async function attest(
  trade: TradeSettlement,
  id: bigint,
  kind: EvidenceKindName,
  docHash: string,
  signatures: string[],
  fx: { quote: FxQuote; signature: string } = { quote: NO_FX_QUOTE, signature: "0x" },
): Promise<{ payments: TranchePayment[]; receipt: ContractTransactionReceipt }> {
  const domain = await tradeDomainOf(trade);
  const message = { order: id, kind: EVIDENCE_KINDS.indexOf(kind), documentHash: docHash };
  const sorted = signatures
    .map((signature) => ({ signer: BigInt(verifyTypedData(domain, ATTESTATION_TYPES, message, signature)), signature }))
    .sort((x, y) => (x.signer < y.signer ? -1 : x.signer > y.signer ? 1 : 0))
    .map((s) => s.signature);
  const receipt = await mined(
    await trade.attest(id, EVIDENCE_KINDS.indexOf(kind), docHash, sorted, fx.quote, fx.signature),
  );
  return { payments: paymentsIn(trade, receipt), receipt };
}

/** Pays the tranches whose evidence is complete but which waited for an FX quote. */
export async function payReleased(
  trade: TradeSettlement,
  id: bigint,
  fx: { quote: FxQuote; signature: string },
): Promise<{ payments: TranchePayment[]; receipt: ContractTransactionReceipt }> {
  const receipt = await mined(await trade.payReleased(id, fx.quote, fx.signature));
  return { payments: paymentsIn(trade, receipt), receipt };
}

/** Within the objection window after delivery, the importer disputes what remains in escrow. */
export async function dispute(trade: TradeSettlement, id: bigint, reason: string): Promise<ContractTransactionReceipt> {
  return mined(await trade.dispute(id, reason));
}

/**
 * The financier of order `id` closes the credit record of its advance, which the order left open when it ended
 * without paying it every tranche (`AdvanceLeftOpen`): the exporter repaid the advance outside the order.
 */
export async function closeAdvance(trade: TradeSettlement, id: bigint): Promise<ContractTransactionReceipt> {
  return mined(await trade.closeAdvance(id));
}

/**
 * The signer of an FX quote, or of an assignment offer, spends its nonce, so that nobody can relay the quote or use
 * the offer any more (`NonceCancelled`).
 */
export async function cancelQuoteNonce(trade: TradeSettlement, nonce: bigint): Promise<ContractTransactionReceipt> {
  return mined(await trade.cancelNonce(nonce));
}

/**
 * The financier of order `id` declares the advance the order left open in default, once the order's expiry passed:
 * the exporter did not repay it, and the advance's credit record becomes Defaulted.
 */
export async function defaultAdvance(trade: TradeSettlement, id: bigint): Promise<ContractTransactionReceipt> {
  return mined(await trade.defaultAdvance(id));
}

/**
 * An arbiter pays `exporterShareBps` of what remains to the exporter's side and refunds the rest. An award to convert
 * without `fx` is held in escrow for a quote (`held`, gross in the pay token): anyone pays it later with the payee's
 * chosen quote (`payReleased`).
 */
export async function resolve(
  trade: TradeSettlement,
  id: bigint,
  exporterShareBps: number,
  fx: { quote: FxQuote; signature: string } = { quote: NO_FX_QUOTE, signature: "0x" },
): Promise<{ payments: TranchePayment[]; held: bigint; receipt: ContractTransactionReceipt }> {
  if (!Number.isInteger(exporterShareBps) || exporterShareBps < 0 || exporterShareBps > 10_000) {
    throw new Error(`the exporter's share must be 0 to 10,000 bps, got ${exporterShareBps}`);
  }
  const receipt = await mined(await trade.resolve(id, exporterShareBps, fx.quote, fx.signature));
  let held = 0n;
  for (const log of receipt.logs) {
    const parsed = trade.interface.parseLog(log);
    if (parsed?.name === "AwardHeld") held = parsed.args.amount as bigint;
  }
  return { payments: paymentsIn(trade, receipt), held, receipt };
}

/** The time rules anyone may call: the name of each, as the `trade:refund --rule` option takes it. */
export const TIME_RULES = ["unshipped", "expired", "objection"] as const;
export type TimeRule = (typeof TIME_RULES)[number];

/**
 * Applies a time rule to order `id`: `unshipped` refunds all when no shipment evidence came by the deadline,
 * `objection` releases what remains once the objection window after delivery closed undisputed (with `fx` when the
 * exporter is paid in another token), `expired` refunds what remains at expiry (or lapses an unfunded order).
 */
export async function applyTimeRule(
  trade: TradeSettlement,
  id: bigint,
  rule: TimeRule,
  fx: { quote: FxQuote; signature: string } = { quote: NO_FX_QUOTE, signature: "0x" },
): Promise<ContractTransactionReceipt> {
  if (rule === "unshipped") return mined(await trade.refundUnshipped(id));
  if (rule === "expired") return mined(await trade.refundExpired(id));
  return mined(await trade.releaseAfterObjection(id, fx.quote, fx.signature));
}

/**
 * The exporter assigns order `id`'s proceeds to the financier that signed `assignment` (`signAssignment`); the
 * financier's exposure to the exporter member is reported to the credit registry (deferred if it refuses).
 */
export async function assignProceeds(
  trade: TradeSettlement,
  assignment: ProceedsAssignment,
  signature: string,
): Promise<ContractTransactionReceipt> {
  const a = assignment;
  return mined(await trade.assignProceeds(a.order, a.financier, a.advance, a.deadline, a.nonce, signature));
}

/**
 * The payee of order `id` (the exporter, or the financier once assigned) names the FX provider whose quotes anyone may
 * relay for its payments, at no less than `minRate` (scaled 1e18).
 */
export async function setFxTerms(
  trade: TradeSettlement,
  id: bigint,
  provider: bigint,
  minRate: bigint,
): Promise<ContractTransactionReceipt> {
  return mined(await trade.setFxTerms(id, provider, minRate));
}

/** The member an order's payments go to: the financier once assigned, else the exporter. */
export function payeeOf(order: Pick<OrderView, "exporter" | "financier">): bigint {
  return order.financier === 0n ? order.exporter : order.financier;
}

/**
 * Whether an assignment of the order's proceeds could still land (`assignProceeds`), judged only by what no later act
 * undoes: the order read at a block whose time is `now` (Unix seconds), and its exporter's status. Once this is false
 * the order's payee is fixed: the exporter, or the financier already assigned. An order not yet accepted, or a
 * suspended exporter (reinstated later), may still be assigned.
 */
export function assignmentStillPossible(
  order: Pick<OrderView, "financier" | "evidenceDone" | "state" | "shipmentDeadline">,
  now: number | bigint,
  exporterStatus: bigint,
): boolean {
  return assignmentBlocked(order, now, exporterStatus) === null;
}

/** Why no assignment of the order's proceeds can land any more (see {@link assignmentStillPossible}), or null. */
export function assignmentBlocked(
  order: Pick<OrderView, "financier" | "evidenceDone" | "state" | "shipmentDeadline">,
  now: number | bigint,
  exporterStatus: bigint,
): string | null {
  if (order.financier !== 0n) return `its proceeds are assigned to member ${order.financier} already`;
  if (order.evidenceDone !== 0n) return "evidence of the goods moving has arrived";
  const state = ORDER_STATES[Number(order.state)];
  if (state !== "Created" && state !== "Accepted" && state !== "Funded") return `the order is ${state}`;
  // The deadline as the view gives it at that block: wall time with every pause so far added (the active clock
  // never runs back, so once passed it stays passed; TradeWindowClosed).
  if (BigInt(now) >= order.shipmentDeadline) return "its shipment deadline has passed";
  if (MEMBER_STATUSES[Number(exporterStatus)] === "Revoked") return "its exporter is revoked";
  return null;
}

/**
 * Why `assignProceeds` refuses this offer whoever submits it and in every later block, or null: what no later act
 * undoes on the order ({@link assignmentBlocked}), a financier that is the exporter, no advance, or a deadline passed
 * (the chain refuses once a block's time is past it, and every later block's is later still). Adversarial review 46.
 */
export function offerRefusal(
  order: Pick<OrderView, "financier" | "evidenceDone" | "state" | "shipmentDeadline" | "exporter">,
  now: number | bigint,
  exporterStatus: bigint,
  offer: { financier: bigint; advance: bigint; deadline: bigint },
): string | null {
  const blocked = assignmentBlocked(order, now, exporterStatus);
  if (blocked !== null) return blocked;
  if (offer.financier === order.exporter) return `the financier, member ${offer.financier}, is the order's exporter`;
  if (offer.advance === 0n) return "it advances nothing";
  if (BigInt(now) >= offer.deadline) return "its deadline has passed";
  return null;
}

/** A quote from `sellToken` to `buyToken` at `rate` (scaled 1e18) with a random 128-bit nonce. */
export function newFxQuote(terms: Omit<FxQuote, "nonce">): FxQuote {
  if (terms.rate <= 0n) throw new Error("the rate must be positive");
  if (terms.maxSellAmount <= 0n) throw new Error("the maximum sell amount must be positive");
  return { ...terms, nonce: BigInt(hexlify(randomBytes(16))) };
}

/** What a transaction refunded to the importer's bank (`Refunded` events), in pay-token minor units. */
export function refundedIn(trade: TradeSettlement, receipt: ContractTransactionReceipt): bigint {
  let total = 0n;
  for (const log of receipt.logs) {
    const parsed = trade.interface.parseLog(log);
    if (parsed?.name === "Refunded") total += parsed.args.amount as bigint;
  }
  return total;
}

/** The payments (`TranchePaid` events) a transaction made. */
export function paymentsIn(trade: TradeSettlement, receipt: ContractTransactionReceipt): TranchePayment[] {
  const payments: TranchePayment[] = [];
  for (const log of receipt.logs) {
    const parsed = trade.interface.parseLog(log);
    if (parsed?.name !== "TranchePaid") continue;
    const a = parsed.args;
    payments.push({
      order: a.id,
      tranche: Number(a.tranche),
      beneficiary: a.beneficiary,
      uetr: a.uetr,
      endToEndId: BigInt(a.endToEndId),
      gross: a.gross,
      importerBankFee: a.importerBankFee,
      exporterBankFee: a.exporterBankFee,
      payout: a.payout,
      rate: a.rate,
      fxProvider: a.fxProvider,
      quoteNonce: a.quoteNonce,
      blockNumber: receipt.blockNumber,
    });
  }
  return payments;
}

/** A settled tranche, as the `TranchePaid` event gives it. */
export interface TranchePayment {
  order: bigint;
  tranche: number;
  beneficiary?: string;
  blockNumber?: number;
  uetr: string;
  endToEndId: bigint;
  gross: bigint;
  importerBankFee: bigint;
  exporterBankFee: bigint;
  payout: bigint;
  rate: bigint;
  /** The FX quote's signer (the provider's operator) and the nonce it spent; absent or zero when no FX. */
  fxProvider?: string;
  quoteNonce?: bigint;
}

/**
 * A pacs.008-like record of one settled payment (FI to FI customer credit transfer): group header, payment ids with
 * the UETR, interbank settlement amount and currency, charge bearer, the agents as member ids, and the exchange rate.
 * Amounts are decimal strings in major units.
 */
export function pacs008(
  payment: TranchePayment,
  ctx: {
    messageId: string;
    createdAt: Date;
    settlementCurrency: string;
    instructedCurrency: string;
    /** Decimals of the settlement (payout) and the instructed (pay) currency. */
    settlementDecimals: number;
    instructedDecimals: number;
    debtorAgent: bigint;
    creditorAgent: bigint;
    debtor: bigint;
    creditor: bigint;
  },
): Record<string, unknown> {
  const major = (v: bigint, d: number) => {
    const s = v.toString().padStart(d + 1, "0");
    return d === 0 ? s : `${s.slice(0, -d)}.${s.slice(-d)}`;
  };
  const settled = (v: bigint) => major(v, ctx.settlementDecimals);
  const instructed = (v: bigint) => major(v, ctx.instructedDecimals);
  const rateText = majorRateText(payment.rate, ctx.instructedDecimals, ctx.settlementDecimals);
  const net = payment.gross - payment.importerBankFee - payment.exporterBankFee;
  return {
    GrpHdr: {
      MsgId: ctx.messageId,
      CreDtTm: ctx.createdAt.toISOString(),
      NbOfTxs: "1",
      SttlmInf: { SttlmMtd: "CLRG", ClrSys: { Prtry: "TRADELINE" } },
    },
    CdtTrfTxInf: {
      PmtId: {
        InstrId: formatEndToEndId(payment.endToEndId),
        EndToEndId: formatEndToEndId(payment.endToEndId),
        UETR: formatUetr(payment.uetr),
      },
      IntrBkSttlmAmt: { Ccy: ctx.settlementCurrency, value: settled(payment.payout) },
      InstdAmt: { Ccy: ctx.instructedCurrency, value: instructed(payment.gross) },
      XchgRate: rateText,
      ChrgBr: "SHAR",
      ChrgsInf: [
        {
          Amt: { Ccy: ctx.instructedCurrency, value: instructed(payment.importerBankFee) },
          Agt: { MmbId: String(ctx.debtorAgent) },
        },
        {
          Amt: { Ccy: ctx.instructedCurrency, value: instructed(payment.exporterBankFee) },
          Agt: { MmbId: String(ctx.creditorAgent) },
        },
      ],
      Dbtr: { MmbId: String(ctx.debtor) },
      DbtrAgt: { FinInstnId: { ClrSysMmbId: { MmbId: String(ctx.debtorAgent) } } },
      CdtrAgt: { FinInstnId: { ClrSysMmbId: { MmbId: String(ctx.creditorAgent) } } },
      Cdtr: { MmbId: String(ctx.creditor) },
      RmtInf: { Strd: { RfrdDocInf: { Nb: `order ${payment.order}, tranche ${payment.tranche + 1}` } } },
      NetInstdAmt: instructed(net),
    },
  };
}
