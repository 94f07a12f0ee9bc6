/**
 * A trade desk on the settlement: orders (create, accept, fund), evidence (an oracle signs, a relayer submits the
 * signatures), FX quotes and terms, assignments of proceeds, disputes, resolutions and the time rules. Each
 * operation takes the operator's input as text, checks it, sends, and returns what happened as data; the `trade:*`
 * tasks print it and the service answers with it. Amounts are in major units of the order's pay token.
 */
import { ZeroAddress, getAddress, isAddress, isHexString, type ContractTransactionReceipt, type Signer } from "ethers";

import { checkSalt, documentCommitment, givenOrNewSalt } from "../commitments.js";
import { tokenAt, tokenFor, type TradelineContracts } from "../deployment.js";
import { decodeCode, minorUnits, parseAmount, reasonCode } from "../encoding.js";
import { newSignatureNonce } from "../eip712.js";
import { decodeError } from "../errors.js";
import {
  InputError,
  checked,
  parseMemberId,
  requireChainSignature,
  requireOption,
  uintField,
  wholeNumber,
  type Labels,
} from "../input.js";
import { normalizeDate } from "../keys.js";
import {
  EVIDENCE_KINDS,
  MAX_FEE_BPS,
  TIME_RULES,
  accept as acceptOrder,
  applyTimeRule,
  assignProceeds,
  attest as relayEvidence,
  buildOrder,
  cancelQuoteNonce,
  closeAdvance as closeOrderAdvance,
  defaultAdvance as defaultOrderAdvance,
  createOrder,
  dispute as disputeOrder,
  fund as fundOrder,
  fundWithPermit,
  fxQuoteSigner,
  newFxQuote,
  offerRefusal,
  payReleased,
  refundedIn,
  parseTranches,
  payeeOf,
  resolve as resolveOrder,
  scaledRate,
  setFxTerms,
  signAssignment,
  signAttestation,
  signFxQuote,
  tradeDomainOf,
  assignmentSigner,
  type ProceedsAssignment,
  type EvidenceKindName,
  type FxQuote,
  type OrderTerms,
  type TimeRule,
  type TranchePayment,
} from "../trade.js";
import { chainTime } from "../tx.js";

/** What a trade desk works with: the contracts on the member's signer, and how inputs are named. */
export interface TradeDesk {
  contracts: TradelineContracts;
  signer: Signer;
  label: Labels;
}

export interface Money {
  code: string;
  decimals: number;
}

/** An order id: a positive uint64. */
export function orderId(desk: TradeDesk, text: string | undefined): bigint {
  const name = desk.label("order");
  const t = requireOption(text, name);
  if (!/^\d+$/.test(t) || BigInt(t) === 0n || BigInt(t) >= 2n ** 64n) {
    throw new InputError(name, `${name} "${text}" is not an order id`);
  }
  return BigInt(t);
}

function kindOf(desk: TradeDesk, text: string | undefined): EvidenceKindName {
  const name = desk.label("kind");
  const k = EVIDENCE_KINDS.find((n) => n.toLowerCase() === requireOption(text, name).toLowerCase());
  if (k === undefined) throw new InputError(name, `${name} "${text}": expected one of ${EVIDENCE_KINDS.join(", ")}`);
  return k;
}

function token(desk: TradeDesk, field: string, currency: string | undefined) {
  const name = desk.label(field);
  return checked(name, () => tokenFor(desk.contracts, requireOption(currency, name)));
}

function endOfDay(desk: TradeDesk, text: string | undefined, field: string): bigint {
  const name = desk.label(field);
  const date = checked(name, () => normalizeDate(requireOption(text, name), name));
  return BigInt(Date.parse(`${date}T00:00:00Z`) / 1000) + 86_399n;
}

// ─── Quotes as they travel ────────────────────────────────────────────────────

/** An FX quote with its signature, as `quote` returns it and as relayers hand it on (a file, or JSON). */
export interface SignedFxQuote {
  quote: Record<keyof FxQuote, string>;
  signature: string;
}

/** Reads a signed FX quote; undefined when none is given. A malformed one is an input error naming `field`. */
export function parseFxQuote(
  desk: TradeDesk,
  value: unknown,
  field = "quote",
): { quote: FxQuote; signature: string } | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const name = desk.label(field);
  const v = value as Partial<SignedFxQuote>;
  const q = v.quote;
  if (q === undefined || q.order === undefined || typeof v.signature !== "string" || !isHexString(v.signature)) {
    throw new InputError(name, `${name} is not a signed FX quote: expected { quote: {…}, signature: "0x…" }`);
  }
  // Each as wide as the contract's `FxQuote` field.
  const whole = (x: unknown, what: string, bits: number) => uintField(x, bits, name, `quote.${what}`);
  const address = (x: unknown, what: string) => {
    if (typeof x !== "string" || !isAddress(x)) throw new InputError(name, `${name}: quote.${what} is not an address`);
    return getAddress(x);
  };
  const quote = {
    order: whole(q.order, "order", 64),
    beneficiary: whole(q.beneficiary, "beneficiary", 32),
    sellToken: address(q.sellToken, "sellToken"),
    buyToken: address(q.buyToken, "buyToken"),
    rate: whole(q.rate, "rate", 256),
    maxSellAmount: whole(q.maxSellAmount, "maxSellAmount", 96),
    expiry: whole(q.expiry, "expiry", 40),
    nonce: whole(q.nonce, "nonce", 256),
  };
  requireChainSignature(name, name, v.signature);
  return { quote, signature: v.signature };
}

// ─── Orders ───────────────────────────────────────────────────────────────────

export interface CreateRequest {
  exporter: string;
  importerBank: string;
  exporterBank: string;
  /** The trade document's reference text, committed to with a salt. */
  document: string;
  documentSalt?: string;
  amount: string;
  currency: string;
  /** The exporter's currency; default the pay currency. */
  payout?: string;
  /** e.g. "30:Shipped,70:Delivered+CustomsCleared". */
  tranches: string;
  shipBy: string;
  objectionDays: string;
  expires: string;
  importerFeeBps: string;
  exporterFeeBps: string;
}

export interface Created {
  id: bigint;
  terms: OrderTerms;
  pay: Money;
  payout: Money;
  documentSalt: string;
  receipt: ContractTransactionReceipt;
}

export async function create(desk: TradeDesk, req: CreateRequest): Promise<Created> {
  const c = desk.contracts;
  const L = desk.label;
  const pay = token(desk, "currency", req.currency);
  const payout = (req.payout ?? "").trim() === "" ? pay : token(desk, "payout", req.payout);
  const decimals = Number(await pay.decimals());
  const documentSalt = givenOrNewSalt(req.documentSalt, L("documentSalt"));
  const tranches = checked(L("tranches"), () => parseTranches(requireOption(req.tranches, L("tranches"))));
  const input = {
    exporter: parseMemberId(requireOption(req.exporter, L("exporter")), L("exporter")),
    importerBank: parseMemberId(requireOption(req.importerBank, L("importerBank")), L("importerBank")),
    exporterBank: parseMemberId(requireOption(req.exporterBank, L("exporterBank")), L("exporterBank")),
    document: requireOption(req.document, L("document")),
    documentSalt,
    payToken: await pay.getAddress(),
    payoutToken: await payout.getAddress(),
    amount: checked(L("amount"), () =>
      parseAmount(requireOption(req.amount, L("amount")), decimals, { name: L("amount"), bits: 96 }),
    ),
    importerBankFeeBps: wholeNumber(req.importerFeeBps, L("importerFeeBps"), 10_000),
    exporterBankFeeBps: wholeNumber(req.exporterFeeBps, L("exporterFeeBps"), 10_000),
    shipmentDeadline: endOfDay(desk, req.shipBy, "shipBy"),
    objectionWindow: wholeNumber(req.objectionDays, L("objectionDays"), 365) * 86_400,
    expiry: endOfDay(desk, req.expires, "expires"),
    tranches,
    now: await chainTime(c.trade.runner),
  };
  // The order's own rules (deadlines in order, fees capped), each named by the input it concerns.
  const built = checked(L(fieldOfOrderRule(input)), () => buildOrder(input));
  const { id, receipt } = await createOrder(c.trade, built);
  const payCode = (await tokenAt(c, built.payToken as string)).code;
  const payoutCode = (await tokenAt(c, built.payoutToken as string)).code;
  return {
    id,
    terms: built,
    pay: { code: payCode, decimals },
    payout: { code: payoutCode, decimals: minorUnits(payoutCode) },
    documentSalt,
    receipt,
  };
}

/** The input a broken order rule is about: the first of the rules `buildOrder` checks that the input breaks. */
function fieldOfOrderRule(input: Parameters<typeof buildOrder>[0]): string {
  if ((input.importerBankFeeBps ?? 0) > MAX_FEE_BPS) return "importerFeeBps";
  if ((input.exporterBankFeeBps ?? 0) > MAX_FEE_BPS) return "exporterFeeBps";
  if (input.shipmentDeadline <= input.now) return "shipBy";
  if (input.expiry <= input.shipmentDeadline) return "expires";
  if (input.shipmentDeadline + BigInt(input.objectionWindow) >= input.expiry) return "objectionDays";
  return "amount";
}

export async function accept(
  desk: TradeDesk,
  req: { order: string },
): Promise<{ id: bigint; receipt: ContractTransactionReceipt }> {
  const id = orderId(desk, req.order);
  return { id, receipt: await acceptOrder(desk.contracts.trade, id) };
}

export interface Funded {
  id: bigint;
  amount: bigint;
  money: Money;
  permit: boolean;
  approval?: ContractTransactionReceipt;
  receipt: ContractTransactionReceipt;
}

/** The importer's bank locks the order's amount: with an ERC-2612 permit in one transaction, or an approval first. */
export async function fund(desk: TradeDesk, req: { order: string; permit?: boolean }): Promise<Funded> {
  const c = desk.contracts;
  const id = orderId(desk, req.order);
  const order = await c.trade.getOrder(id);
  const pay = await tokenAt(c, order.payToken);
  const money = { code: pay.code, decimals: pay.decimals };
  if (req.permit === true) {
    const deadline = (await chainTime(c.trade.runner)) + 600n;
    const receipt = await fundWithPermit(c.trade, pay.token, desk.signer, id, deadline);
    return { id, amount: order.amount, money, permit: true, receipt };
  }
  // Simulated first: a refusal other than the allowance still to give is the chain's answer, before any approval.
  await c.trade.fund.staticCall(id).catch((err: unknown) => {
    if (decodeError(err)?.name !== "ERC20InsufficientAllowance") throw err;
  });
  const { approval, receipt } = await fundOrder(c.trade, pay.token, id);
  return { id, amount: order.amount, money, permit: false, ...(approval === undefined ? {} : { approval }), receipt };
}

// ─── Evidence ─────────────────────────────────────────────────────────────────

/** One oracle's signed attestation, as it travels to the relayer. */
export interface Attestation {
  order: string;
  kind: string;
  documentHash: string;
  documentSalt?: string;
  signature: string;
}

/**
 * An oracle signs evidence of `kind` for an order. The first oracle draws the document's salt; co-signers pass it,
 * so that all sign one commitment.
 */
export async function signEvidence(
  desk: TradeDesk,
  req: { order: string; kind: string; document: string; documentSalt?: string },
): Promise<Attestation> {
  const id = orderId(desk, req.order);
  const kind = kindOf(desk, req.kind);
  const document = requireOption(req.document, desk.label("document"));
  const salt = givenOrNewSalt(req.documentSalt, desk.label("documentSalt"));
  const documentHash = documentCommitment(document, salt);
  const signature = await signAttestation(
    desk.signer,
    await tradeDomainOf(desk.contracts.trade),
    id,
    kind,
    documentHash,
  );
  return { order: id.toString(), kind, documentHash, documentSalt: salt, signature };
}

export interface Relayed {
  id: bigint;
  kind: EvidenceKindName;
  attestations: number;
  payments: TranchePayment[];
  /** Released tranches wait for an FX quote (the order pays out in another currency and none was given). */
  waitingForQuote: boolean;
  receipt: ContractTransactionReceipt;
}

/**
 * A relayer submits the oracles' attestations of one kind, with an FX quote when the released tranches pay out in
 * another currency. The commitment is recomputed from the document and the salt (given, or the attestations'); an
 * attestation of another order, kind or document is refused before anything is sent.
 */
export async function relay(
  desk: TradeDesk,
  req: {
    order: string;
    kind: string;
    document: string;
    documentSalt?: string;
    attestations: Attestation[];
    quote?: unknown;
    /** How each attestation is named in messages (a file name for a task); default `attestations[i]`. */
    names?: string[];
  },
): Promise<Relayed> {
  const c = desk.contracts;
  const id = orderId(desk, req.order);
  const kind = kindOf(desk, req.kind);
  const document = requireOption(req.document, desk.label("document"));
  const field = desk.label("attestations");
  const nameOf = (i: number) => req.names?.[i] ?? `${field}[${i}]`;
  if (req.attestations.length === 0) throw new InputError(field, `${field} is required: the oracles' signatures`);
  const given = (req.documentSalt ?? "").trim();
  const first = req.attestations[0].documentSalt ?? "";
  if (given === "" && first === "") {
    throw new InputError(
      field,
      `${nameOf(0)} carries no document salt: pass the signers' salt with ${desk.label("documentSalt")}`,
    );
  }
  const salt = checked(given === "" ? field : desk.label("documentSalt"), () =>
    checkSalt(given === "" ? first : given, given === "" ? `the salt in ${nameOf(0)}` : desk.label("documentSalt")),
  );
  const docHash = documentCommitment(document, salt);
  const signatures: string[] = [];
  for (const [i, s] of req.attestations.entries()) {
    if (typeof s.documentSalt === "string" && s.documentSalt.toLowerCase() !== salt) {
      throw new InputError(
        field,
        `${nameOf(i)} was signed with another document salt than ${salt}: its signer re-signs with ` +
          `${desk.label("documentSalt")} ${salt}, so that all sign one commitment`,
      );
    }
    if (s.order !== id.toString() || s.kind !== kind || s.documentHash !== docHash) {
      throw new InputError(
        field,
        `${nameOf(i)} attests order ${s.order} ${s.kind} of another document, not order ${id} ${kind}`,
      );
    }
    if (typeof s.signature !== "string" || !isHexString(s.signature)) {
      throw new InputError(field, `${nameOf(i)} has no signature`);
    }
    requireChainSignature(field, nameOf(i), s.signature);
    signatures.push(s.signature);
  }
  const fx = parseFxQuote(desk, req.quote);
  const { payments, receipt } = await relayEvidence(c.trade, id, kind, docHash, signatures, fx);
  const order = await c.trade.getOrder(id);
  return {
    id,
    kind,
    attestations: signatures.length,
    payments,
    waitingForQuote: payments.length === 0 && order.payToken !== order.payoutToken && fx === undefined,
    receipt,
  };
}

/** Pays an order's released tranches with an FX quote, or first an arbiter's award held for one. */
export async function pay(
  desk: TradeDesk,
  req: { order: string; quote: unknown },
): Promise<{ id: bigint; payments: TranchePayment[]; receipt: ContractTransactionReceipt }> {
  const id = orderId(desk, req.order);
  const fx = parseFxQuote(desk, req.quote);
  if (fx === undefined) throw new InputError(desk.label("quote"), `${desk.label("quote")} is required`);
  const { payments, receipt } = await payReleased(desk.contracts.trade, id, fx);
  return { id, payments, receipt };
}

// ─── FX ───────────────────────────────────────────────────────────────────────

export interface Quoted {
  signed: SignedFxQuote;
  beneficiary: bigint;
}

/** An FX provider signs a quote paying one order's payee (the exporter, or the financier of its proceeds). */
export async function quote(
  desk: TradeDesk,
  req: { order: string; sell: string; buy: string; rate: string; max: string; validFor: string },
): Promise<Quoted> {
  const c = desk.contracts;
  const id = orderId(desk, req.order);
  const sell = token(desk, "sell", req.sell);
  const buy = token(desk, "buy", req.buy);
  const beneficiary = payeeOf(await c.trade.getOrder(id));
  const L = desk.label;
  const sellDecimals = Number(await sell.decimals());
  const buyDecimals = Number(await buy.decimals());
  const q = newFxQuote({
    order: id,
    beneficiary,
    sellToken: await sell.getAddress(),
    buyToken: await buy.getAddress(),
    rate: checked(L("rate"), () => scaledRate(requireOption(req.rate, L("rate")), sellDecimals, buyDecimals)),
    maxSellAmount: checked(L("max"), () =>
      parseAmount(requireOption(req.max, L("max")), sellDecimals, { name: L("max"), bits: 96 }),
    ),
    expiry: (await chainTime(c.trade.runner)) + BigInt(wholeNumber(req.validFor, L("validFor"), 86_400)),
  });
  const signature = await signFxQuote(desk.signer, await tradeDomainOf(c.trade), q);
  return {
    signed: {
      quote: Object.fromEntries(Object.entries(q).map(([k, v]) => [k, String(v)])) as Record<keyof FxQuote, string>,
      signature,
    },
    beneficiary,
  };
}

/**
 * The FX provider withdraws a quote it signed before it expires (a rate the market left behind): its signer spends the
 * quote's nonce. Only the key that signed it can, so a quote another key signed is refused before anything is sent,
 * as is one already used or withdrawn, and one for another order than `order`, when given.
 */
export async function cancelQuote(
  desk: TradeDesk,
  req: { quote: unknown; order?: string },
): Promise<{ nonce: bigint; signer: string; receipt: ContractTransactionReceipt }> {
  const L = desk.label("quote");
  const signed = parseFxQuote(desk, req.quote);
  if (signed === undefined) throw new InputError(L, `${L} is required: the signed FX quote to withdraw`);
  if (req.order !== undefined && signed.quote.order !== orderId(desk, req.order)) {
    throw new InputError(L, `${L} is for order ${signed.quote.order}, not order ${orderId(desk, req.order)}`);
  }
  const trade = desk.contracts.trade;
  let signer: string;
  try {
    signer = fxQuoteSigner(await tradeDomainOf(trade), signed.quote, signed.signature);
  } catch {
    throw new InputError(L, `${L}: the signature is not a signature of this quote`);
  }
  const { nonce } = signed.quote;
  return { nonce, signer, receipt: await withdrawSigned(desk, { field: L, name: L, what: "quote", signer, nonce }) };
}

/**
 * Spends the nonce of a signed quote or offer, after checking that this desk's key signed it and that the nonce is
 * not spent yet: the one way `cancelQuote` and `cancelAssignment` withdraw what a key signed.
 */
async function withdrawSigned(
  desk: TradeDesk,
  w: { field: string; name: string; what: string; signer: string; nonce: bigint },
): Promise<ContractTransactionReceipt> {
  const me = await desk.signer.getAddress();
  if (w.signer !== me) {
    throw new InputError(
      w.field,
      `${w.name} was signed by ${w.signer}, not by this key (${me}): only its signer can withdraw it`,
    );
  }
  const trade = desk.contracts.trade;
  if (await trade.nonceUsed(w.signer, w.nonce)) {
    throw new InputError(
      w.field,
      `${w.name}: nonce ${w.nonce} of ${w.signer} is already spent (the ${w.what} was used or withdrawn)`,
    );
  }
  return cancelQuoteNonce(trade, w.nonce);
}

/** The payee names the FX provider whose quotes anyone may relay, and the least rate it takes. */
export async function fxTerms(
  desk: TradeDesk,
  req: { order: string; provider: string; minRate: string },
): Promise<{ id: bigint; provider: bigint; receipt: ContractTransactionReceipt }> {
  const id = orderId(desk, req.order);
  const provider = parseMemberId(requireOption(req.provider, desk.label("provider")), desk.label("provider"));
  // The floor is in major units of the payout currency per major unit of the pay currency, as a quote's rate.
  const order = await desk.contracts.trade.getOrder(id);
  if (order.payToken === ZeroAddress) throw new InputError(desk.label("order"), `order ${id} is not on the ledger`);
  const [pay, payout] = await Promise.all([order.payToken, order.payoutToken].map((t) => tokenAt(desk.contracts, t)));
  const minRate = checked(desk.label("minRate"), () =>
    scaledRate(requireOption(req.minRate, desk.label("minRate")), pay.decimals, payout.decimals),
  );
  return { id, provider, receipt: await setFxTerms(desk.contracts.trade, id, provider, minRate) };
}

// ─── Assignments of proceeds ──────────────────────────────────────────────────

/** A financier's signed agreement to advance against an order's proceeds, as it travels to the exporter. */
export interface Assignment {
  order: string;
  exporter: string;
  financier: string;
  advance: string;
  deadline: string;
  /** The financier key's nonce: the offer is withdrawn by spending it (`cancelAssignment`). */
  nonce: string;
  signature: string;
}

async function reportingCurrency(c: TradelineContracts): Promise<Money> {
  const code = decodeCode(await c.credit.reportingCurrency());
  return { code, decimals: minorUnits(code) };
}

/**
 * Pre-shipment finance, first step: the financier signs its agreement to an advance (in the credit registry's
 * reporting currency) against the order's proceeds, valid for `validFor` seconds.
 */
export async function signAssignmentOf(
  desk: TradeDesk,
  req: { order: string; financier: string; advance: string; validFor: string },
): Promise<{ assignment: Assignment; advance: bigint; reporting: Money }> {
  const c = desk.contracts;
  const L = desk.label;
  const id = orderId(desk, req.order);
  const order = await c.trade.getOrder(id);
  const reporting = await reportingCurrency(c);
  const financier = parseMemberId(requireOption(req.financier, L("financier")), L("financier"));
  const advance = checked(L("advance"), () =>
    parseAmount(requireOption(req.advance, L("advance")), reporting.decimals, { name: L("advance"), bits: 64 }),
  );
  const now = await chainTime(c.trade.runner);
  const deadline = now + BigInt(wholeNumber(req.validFor, L("validFor"), 30 * 86_400));
  const a = { order: id, exporter: order.exporter, financier, advance, deadline, nonce: newSignatureNonce() };
  // No offer the chain would refuse for good is signed (adversarial review 46).
  const [exporterStatus] = await c.members.standingOf(order.exporter);
  const refusal =
    order.payToken === ZeroAddress ? `order ${id} is not on the ledger` : offerRefusal(order, now, exporterStatus, a);
  if (refusal !== null) throw new InputError(L("order"), `order ${id} cannot be assigned to this offer: ${refusal}`);
  const signature = await signAssignment(desk.signer, await tradeDomainOf(c.trade), a);
  return {
    assignment: {
      order: id.toString(),
      exporter: order.exporter.toString(),
      financier: financier.toString(),
      advance: advance.toString(),
      deadline: deadline.toString(),
      nonce: a.nonce.toString(),
      signature,
    },
    advance,
    reporting,
  };
}

/**
 * Second step: the exporter submits the signed agreement. The order's proceeds go to the financier, and the
 * financier's exposure to the exporter member is reported to the credit registry.
 */
export async function assign(
  desk: TradeDesk,
  req: { order: string; assignment: unknown; name?: string },
): Promise<{
  id: bigint;
  financier: bigint;
  exporter: bigint;
  amount: bigint;
  pay: Money;
  advance: bigint;
  reporting: Money;
  receipt: ContractTransactionReceipt;
}> {
  const c = desk.contracts;
  const { id, assignment: a, signature } = parseAssignment(desk, req);
  const order = await c.trade.getOrder(id);
  const pay = await tokenAt(c, order.payToken);
  const receipt = await assignProceeds(c.trade, a, signature);
  return {
    id,
    financier: a.financier,
    exporter: order.exporter,
    amount: order.amount,
    pay: { code: pay.code, decimals: pay.decimals },
    advance: a.advance,
    reporting: await reportingCurrency(c),
    receipt,
  };
}

/** A signed assignment of order `req.order` as its JSON travels (whole numbers as text), or an InputError. */
function parseAssignment(
  desk: TradeDesk,
  req: { order: string; assignment: unknown; name?: string },
): { id: bigint; assignment: ProceedsAssignment; signature: string } {
  const id = orderId(desk, req.order);
  const field = desk.label("assignment");
  const f = req.assignment as Partial<Assignment> | undefined;
  if (f === undefined || f.order !== id.toString() || typeof f.signature !== "string" || !isHexString(f.signature)) {
    throw new InputError(field, `${req.name ?? field} is not a signed assignment of order ${id}`);
  }
  // Each as wide as the contract's field (`assignProceeds`).
  const whole = (x: unknown, what: string, bits: number) => uintField(x, bits, field, `${req.name ?? field}.${what}`);
  const assignment = {
    order: id,
    exporter: whole(f.exporter, "exporter", 32),
    financier: whole(f.financier, "financier", 32),
    advance: whole(f.advance, "advance", 64),
    deadline: whole(f.deadline, "deadline", 40),
    nonce: whole(f.nonce, "nonce", 256),
  };
  requireChainSignature(field, req.name ?? field, f.signature);
  return { id, assignment, signature: f.signature };
}

/** What an assignment offer commits its exporter to, as the chain reads it: nothing is sent. */
export interface AssignmentPreview {
  id: bigint;
  exporter: bigint;
  financier: bigint;
  /** The member whose operator signed the offer (0 when the signer acts for none). */
  signedBy: bigint;
  advance: bigint;
  /** The advance's currency: the credit registry's, whatever the offer's text says. */
  reporting: Money;
  deadline: bigint;
  now: bigint;
  /** The offer's nonce is spent: it was used, or its financier withdrew it (`cancelAssignment`). */
  spent: boolean;
  /** The offer's deadline has passed: `assignProceeds` refuses it for good (`TradeAssignmentExpired`). */
  expired: boolean;
  /** Why `assignProceeds` refuses the offer whoever submits it and in every later block, or null ({@link offerRefusal}). */
  refused: string | null;
}

/**
 * The exporter reads an offer before it assigns: the financier it names, the advance in the credit registry's
 * currency, until when it holds, and which member's operator signed it (adversarial reviews 11 and 12: the offer's
 * own `currency` text is the financier's, not the chain's).
 */
export async function previewAssignment(
  desk: TradeDesk,
  req: { order: string; assignment: unknown; name?: string },
): Promise<AssignmentPreview> {
  const c = desk.contracts;
  const { id, assignment: a, signature } = parseAssignment(desk, req);
  const order = await c.trade.getOrder(id);
  if (order.payToken === ZeroAddress) throw new InputError(desk.label("order"), `order ${id} is not on the ledger`);
  const field = desk.label("assignment");
  if (a.exporter !== order.exporter) {
    throw new InputError(field, `the offer names exporter member ${a.exporter}; order ${id}'s is ${order.exporter}`);
  }
  const domain = await tradeDomainOf(c.trade);
  const signer = checked(field, () => assignmentSigner(domain, a, signature));
  const [signedBy, reporting, now, spent, [exporterStatus]] = await Promise.all([
    c.members.memberForKey(signer),
    reportingCurrency(c),
    chainTime(c.trade.runner),
    c.trade.nonceUsed(signer, a.nonce),
    c.members.standingOf(order.exporter),
  ]);
  return {
    id,
    exporter: a.exporter,
    financier: a.financier,
    signedBy,
    advance: a.advance,
    reporting,
    deadline: a.deadline,
    now,
    spent,
    // The chain refuses it once a block's time is past the deadline, and every later block's time is later still.
    expired: now >= a.deadline,
    refused: offerRefusal(order, now, exporterStatus, a),
  };
}

/**
 * The financier withdraws an assignment offer it signed, before the exporter uses it: its key spends the offer's
 * nonce (review 32, A3). Only the key that signed it can, so an offer another key signed, or one already spent, is
 * refused before anything is sent.
 */
export async function cancelAssignment(
  desk: TradeDesk,
  req: { order: string; assignment: unknown; name?: string },
): Promise<{ id: bigint; nonce: bigint; signer: string; receipt: ContractTransactionReceipt }> {
  const { id, assignment: a, signature } = parseAssignment(desk, req);
  const field = desk.label("assignment");
  const name = req.name ?? field;
  const trade = desk.contracts.trade;
  const domain = await tradeDomainOf(trade);
  const signer = checked(field, () => assignmentSigner(domain, a, signature));
  const receipt = await withdrawSigned(desk, { field, name, what: "offer", signer, nonce: a.nonce });
  return { id, nonce: a.nonce, signer, receipt };
}

// ─── Disputes and the time rules ──────────────────────────────────────────────

export async function dispute(
  desk: TradeDesk,
  req: { order: string; reason: string },
): Promise<{ id: bigint; arbiterDeadline: bigint; receipt: ContractTransactionReceipt }> {
  const id = orderId(desk, req.order);
  const reason = checked(desk.label("reason"), () => reasonCode(requireOption(req.reason, desk.label("reason"))));
  const receipt = await disputeOrder(desk.contracts.trade, id, reason);
  return { id, arbiterDeadline: (await desk.contracts.trade.getOrder(id)).disputeDeadline, receipt };
}

/** The financier closes the credit record of the advance an ended order did not repay (repaid outside it). */
export async function closeAdvance(
  desk: TradeDesk,
  req: { order: string },
): Promise<{ id: bigint; receipt: ContractTransactionReceipt }> {
  const id = orderId(desk, req.order);
  return { id, receipt: await closeOrderAdvance(desk.contracts.trade, id) };
}

/** The financier declares the advance an ended order did not repay in default, once the order's expiry passed. */
export async function defaultAdvance(
  desk: TradeDesk,
  req: { order: string },
): Promise<{ id: bigint; receipt: ContractTransactionReceipt }> {
  const id = orderId(desk, req.order);
  return { id, receipt: await defaultOrderAdvance(desk.contracts.trade, id) };
}

/** An arbiter pays a percentage of what remains to the exporter's side and refunds the rest. */
export async function resolve(
  desk: TradeDesk,
  req: { order: string; exporterShare: string; quote?: unknown },
): Promise<{
  id: bigint;
  shareBps: number;
  payments: TranchePayment[];
  held: bigint;
  receipt: ContractTransactionReceipt;
}> {
  const id = orderId(desk, req.order);
  const name = desk.label("exporterShare");
  const text = requireOption(req.exporterShare, name);
  if (!/^\d+(\.\d{1,2})?$/.test(text) || Number(text) > 100) {
    throw new InputError(name, `${name} "${text}" must be a percentage from 0 to 100`);
  }
  const shareBps = Math.round(Number(text) * 100);
  const { payments, held, receipt } = await resolveOrder(
    desk.contracts.trade,
    id,
    shareBps,
    parseFxQuote(desk, req.quote),
  );
  return { id, shareBps, payments, held, receipt };
}

/** Applies a time rule: release after the objection window, or refund an unshipped or expired order. */
export async function refund(
  desk: TradeDesk,
  req: { order: string; rule: string; quote?: unknown },
): Promise<{
  id: bigint;
  rule: TimeRule;
  moved: bigint;
  refunded: bigint;
  money: Money;
  receipt: ContractTransactionReceipt;
}> {
  const c = desk.contracts;
  const id = orderId(desk, req.order);
  const name = desk.label("rule");
  const rule = requireOption(req.rule, name).toLowerCase();
  if (!(TIME_RULES as readonly string[]).includes(rule)) {
    throw new InputError(name, `${name} "${req.rule}": expected one of ${TIME_RULES.join(", ")}`);
  }
  const before = await c.trade.escrowOf(id);
  const receipt = await applyTimeRule(c.trade, id, rule as TimeRule, parseFxQuote(desk, req.quote));
  const pay = await tokenAt(c, (await c.trade.getOrder(id)).payToken);
  return {
    id,
    rule: rule as TimeRule,
    moved: before - (await c.trade.escrowOf(id)),
    // At expiry the objection rule refunds what no evidence released (adversarial review 4, B-F1).
    refunded: refundedIn(c.trade, receipt),
    money: { code: pay.code, decimals: pay.decimals },
    receipt,
  };
}
