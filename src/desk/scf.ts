/**
 * A supply-chain desk on the receivable ledger: credit lines, issuing and requesting receivables, confirming,
 * splitting, transferring, quoting and financing, repaying and collecting. Each operation takes the operator's
 * input as text, checks it, sends, and returns what happened as data; the `scf:*` tasks print it and the service
 * answers with it. Amounts are in major units of the receivable's settlement token; receivables are `R<family>.<n>`.
 */
import { ZeroAddress, getAddress, isAddress, isError, isHexString, type ContractTransactionReceipt } from "ethers";

import { tokenAt, tokenFor, type TradelineContracts } from "../deployment.js";
import { newSignatureNonce, signQuote, type QuoteTerms } from "../eip712.js";
import { decodeCode, formatAmount, parseAmount } from "../encoding.js";
import {
  InputError,
  checked,
  parseMemberId,
  requireOption,
  requireChainSignature,
  uintField,
  wholeNumber,
  yesOrNo,
  type Labels,
} from "../input.js";
import { invoiceKey, normalizeDate, type ConsortiumKey } from "../keys.js";
import {
  FAMILY_STATES,
  PIECE_STATES,
  closeRecourse as closeRecourseOf,
  defaultRecourse as defaultRecourseOf,
  settleCreditRecords as settleCreditRecordsOf,
  daysBetween,
  discountedPrice,
  formatReceivable,
  issue as issueReceivable,
  parseReceivable,
  request as requestReceivable,
  rootOf,
  split as splitReceivable,
  splitTo as splitReceivableTo,
  unquotable,
  unsellable,
  unsellableForGood,
} from "../scf.js";
import { chainTime, ensureAllowance, mined, raiseAllowance } from "../tx.js";

/** What an SCF desk works with: the contracts on the member's signer, the consortium key, input labels. */
export interface ScfDesk {
  contracts: TradelineContracts;
  consortiumKey: () => Promise<ConsortiumKey>;
  signer: Parameters<typeof signQuote>[1] & { getAddress(): Promise<string> };
  label: Labels;
}

export interface Money {
  code: string;
  decimals: number;
}

function receivable(desk: ScfDesk, text: string | undefined, field = "id"): bigint {
  const name = desk.label(field);
  return checked(name, () => parseReceivable(requireOption(text, name)));
}

function address(desk: ScfDesk, text: string | undefined, field: string): string {
  const name = desk.label(field);
  const value = requireOption(text, name);
  const lower = value.toLowerCase();
  if (!isAddress(value)) {
    const checksum = isAddress(lower) ? " (its checksum is wrong: check the mixed case)" : "";
    throw new InputError(name, `${name} "${value}" is not an address${checksum}`);
  }
  return getAddress(value);
}

function currencyToken(desk: ScfDesk, currency: string | undefined) {
  const name = desk.label("currency");
  return checked(name, () => tokenFor(desk.contracts, requireOption(currency, name)));
}

/** A receivable's family and its token; an unknown receivable is an input error. */
export async function familyToken(desk: ScfDesk, id: bigint, field = "id") {
  const family = await desk.contracts.scf.getFamily(rootOf(id));
  if (Number(family.state) === 0 || (id & 0xffffffn) >= family.pieces) {
    throw new InputError(desk.label(field), `no receivable ${formatReceivable(id)}`);
  }
  const t = await tokenAt(desk.contracts, family.token);
  return { family, token: t.token, money: { code: t.code, decimals: t.decimals } as Money };
}

/** Approves the ledger to pull `amount` of `token` from the signer when its allowance falls short. */
async function approveLedger(
  desk: ScfDesk,
  token: string,
  amount: bigint,
): Promise<ContractTransactionReceipt | undefined> {
  const c = desk.contracts;
  return ensureAllowance(
    (await tokenAt(c, token)).token,
    await desk.signer.getAddress(),
    await c.scf.getAddress(),
    amount,
  );
}

/** The invoice keys of a debtor's invoice numbers, all issued on `issueDate`. */
async function invoiceKeys(desk: ScfDesk, debtor: bigint, numbers: string, issueDate: string): Promise<string[]> {
  const c = desk.contracts;
  const debtorEntity = await c.members.entityKeyOf(debtor);
  if (/^0x0{64}$/.test(debtorEntity)) {
    throw new InputError(desk.label("debtor"), `no member ${debtor}: the debtor must be an admitted member`);
  }
  const list = requireOption(numbers, desk.label("invoices"))
    .split(",")
    .map((n) => n.trim());
  const date = checked(desk.label("issueDate"), () =>
    normalizeDate(requireOption(issueDate, desk.label("issueDate")), desk.label("issueDate")),
  );
  const key = await desk.consortiumKey();
  return list.map((n) => checked(desk.label("invoices"), () => invoiceKey(key, debtorEntity, n, date)));
}

/** A UTC date (YYYY-MM-DD) as the last second of that day, in Unix seconds. */
function endOfDay(desk: ScfDesk, text: string, field: string): bigint {
  const name = desk.label(field);
  const date = checked(name, () => normalizeDate(requireOption(text, name), name));
  return BigInt(Date.parse(`${date}T00:00:00Z`) / 1000) + 86_399n;
}

// ─── Credit lines ─────────────────────────────────────────────────────────────

export type LineDone =
  | { action: "chose-financier"; member: bigint; financier: bigint; money: Money; receipt: ContractTransactionReceipt }
  | { action: "frozen" | "unfrozen"; debtor: bigint; money: Money; receipt: ContractTransactionReceipt }
  | { action: "set"; debtor: bigint; limit: bigint; used: bigint; money: Money; receipt: ContractTransactionReceipt };

/**
 * A core enterprise names the bank its line in a currency belongs to (`financier`); that bank sets the line's
 * limit (`debtor`, `limit`) or freezes it (`freeze`).
 */
export async function line(
  desk: ScfDesk,
  req: { debtor?: string; limit?: string; currency: string; freeze?: string; financier?: string },
): Promise<LineDone> {
  const c = desk.contracts;
  const token = currencyToken(desk, req.currency);
  const tokenAddress = await token.getAddress();
  const money = { code: req.currency.trim().toUpperCase(), decimals: Number(await token.decimals()) };
  if ((req.financier ?? "") !== "") {
    const financier = parseMemberId(req.financier!, desk.label("financier"));
    const member = await c.members.memberForKey(await desk.signer.getAddress());
    const receipt = await mined(await c.scf.chooseFinancier(tokenAddress, financier));
    return { action: "chose-financier", member, financier, money, receipt };
  }
  const debtor = parseMemberId(requireOption(req.debtor, desk.label("debtor")), desk.label("debtor"));
  if ((req.freeze ?? "") !== "") {
    const freeze = yesOrNo(req.freeze, desk.label("freeze"));
    const receipt = await mined(await c.scf.freezeCreditLine(debtor, tokenAddress, freeze));
    return { action: freeze ? "frozen" : "unfrozen", debtor, money, receipt };
  }
  const name = desk.label("limit");
  const limit = checked(name, () => parseAmount(requireOption(req.limit, name), money.decimals, { name, bits: 96 }));
  const receipt = await mined(await c.scf.setCreditLine(debtor, tokenAddress, limit));
  const l = await c.scf.creditLineOf(debtor, tokenAddress);
  return { action: "set", debtor, limit: l.limit, used: l.used, money, receipt };
}

// ─── Issuing ──────────────────────────────────────────────────────────────────

export interface IssueRequest {
  /** Issue to this supplier (the signer is the debtor)… */
  supplier?: string;
  /** …or request from this debtor (the signer is the supplier). */
  debtor?: string;
  face: string;
  currency: string;
  /** YYYY-MM-DD: the receivable matures at the end of that day (UTC). */
  maturity: string;
  /** The debtor's invoice numbers, comma-separated, all issued on `issueDate`. */
  invoices: string;
  issueDate: string;
}

export interface Issued {
  action: "issued" | "requested";
  id: bigint;
  face: bigint;
  money: Money;
  invoices: number;
  /** issued: the debtor's credit line after it. */
  line?: { used: bigint; limit: bigint };
  supplier?: string;
  debtor?: bigint;
  receipt: ContractTransactionReceipt;
}

export async function issue(desk: ScfDesk, req: IssueRequest): Promise<Issued> {
  const c = desk.contracts;
  const token = currencyToken(desk, req.currency);
  const money = { code: req.currency.trim().toUpperCase(), decimals: Number(await token.decimals()) };
  const name = desk.label("face");
  const face = checked(name, () => parseAmount(requireOption(req.face, name), money.decimals, { name, bits: 64 }));
  const maturity = endOfDay(desk, req.maturity, "maturity");
  const terms = { token: await token.getAddress(), face, maturity };
  if ((req.debtor ?? "") !== "") {
    const debtor = parseMemberId(req.debtor!, desk.label("debtor"));
    const keys = await invoiceKeys(desk, debtor, req.invoices, req.issueDate);
    const { id, receipt } = await requestReceivable(c.scf, { ...terms, debtor, invoiceKeys: keys });
    return { action: "requested", id, face, money, invoices: keys.length, debtor, receipt };
  }
  if ((req.supplier ?? "").trim() === "") {
    const name = desk.label("supplier");
    throw new InputError(name, `${name} (or ${desk.label("debtor")} to request) is required`);
  }
  const supplier = address(desk, req.supplier, "supplier");
  const me = await c.members.memberForKey(await desk.signer.getAddress());
  const keys = await invoiceKeys(desk, me, req.invoices, req.issueDate);
  const { id, receipt } = await issueReceivable(c.scf, { ...terms, supplier, invoiceKeys: keys });
  const l = await c.scf.creditLineOf(me, terms.token);
  return {
    action: "issued",
    id,
    face,
    money,
    invoices: keys.length,
    line: { used: l.used, limit: l.limit },
    supplier,
    receipt,
  };
}

export async function confirm(
  desk: ScfDesk,
  req: { id: string },
): Promise<{ id: bigint; receipt: ContractTransactionReceipt }> {
  const id = receivable(desk, req.id);
  return { id, receipt: await mined(await desk.contracts.scf.confirm(id)) };
}

/** The debtor rejects a request, or the requesting supplier withdraws it; `lapse`: anyone, after maturity. */
export async function reject(
  desk: ScfDesk,
  req: { id: string; lapse?: boolean },
): Promise<{ id: bigint; action: "rejected" | "lapsed"; receipt: ContractTransactionReceipt }> {
  const id = receivable(desk, req.id);
  const scf = desk.contracts.scf;
  const receipt = await mined(req.lapse === true ? await scf.lapse(id) : await scf.reject(id));
  return { id, action: req.lapse === true ? "lapsed" : "rejected", receipt };
}

/** The financier holding a financed piece declares it in default (its family must be overdue). */
export async function declareDefault(
  desk: ScfDesk,
  req: { id: string },
): Promise<{ id: bigint; debtor: bigint; receipt: ContractTransactionReceipt }> {
  const id = receivable(desk, req.id);
  const { family } = await familyToken(desk, id);
  return { id, debtor: family.debtor, receipt: await mined(await desk.contracts.scf.declareDefault(id)) };
}

/** The financier holding a piece financed with recourse closes its recourse record: the seller made it whole. */
export async function closeRecourse(
  desk: ScfDesk,
  req: { id: string },
): Promise<{ id: bigint; receipt: ContractTransactionReceipt }> {
  const id = receivable(desk, req.id);
  await familyToken(desk, id);
  return { id, receipt: await closeRecourseOf(desk.contracts.scf, id) };
}

/** The financier holding a piece financed with recourse declares the seller's recourse in default. */
export async function defaultRecourse(
  desk: ScfDesk,
  req: { id: string },
): Promise<{ id: bigint; receipt: ContractTransactionReceipt }> {
  const id = receivable(desk, req.id);
  await familyToken(desk, id);
  return { id, receipt: await defaultRecourseOf(desk.contracts.scf, id) };
}

/** Whether frozen piece `id` of a repaid family has credit records its collection would close. */
async function settles(c: ScfDesk["contracts"], id: bigint): Promise<boolean> {
  try {
    await c.scf.settleCreditRecords.staticCall(id);
    return true;
  } catch (err) {
    // A refusal (ScfNoCreditRecords) means there is nothing to close; anything else is the node's and is raised.
    if (isError(err, "CALL_EXCEPTION")) return false;
    throw err;
  }
}

/** Anyone closes the credit records of a piece of a repaid family that cannot be collected yet (frozen). */
export async function settleCreditRecords(
  desk: ScfDesk,
  req: { id: string },
): Promise<{ id: bigint; receipt: ContractTransactionReceipt }> {
  const id = receivable(desk, req.id);
  await familyToken(desk, id);
  return { id, receipt: await settleCreditRecordsOf(desk.contracts.scf, id) };
}

/** Anyone moves a family past its maturity and grace to Overdue. */
export async function markOverdue(
  desk: ScfDesk,
  req: { id: string },
): Promise<{ id: bigint; receipt: ContractTransactionReceipt }> {
  const id = rootOf(receivable(desk, req.id));
  await familyToken(desk, id);
  return { id, receipt: await mined(await desk.contracts.scf.markOverdue(id)) };
}

/** Pays what the ledger parked for a member to its current payout account. */
export async function claim(
  desk: ScfDesk,
  req: { member: string; currency: string },
): Promise<{ member: bigint; amount: bigint; money: Money; receipt: ContractTransactionReceipt }> {
  const member = parseMemberId(requireOption(req.member, desk.label("member")), desk.label("member"));
  const token = currencyToken(desk, req.currency);
  const money = { code: req.currency.trim().toUpperCase(), decimals: Number(await token.decimals()) };
  const amount = await desk.contracts.scf.owedTo(member, await token.getAddress());
  const receipt = await mined(await desk.contracts.scf.claimOwed(member, await token.getAddress()));
  return { member, amount, money, receipt };
}

// ─── Splitting and transferring ───────────────────────────────────────────────

export interface Split {
  id: bigint;
  /** The pieces after the split, the split piece first, with their faces and, if handed on, the recipient. */
  pieces: { id: bigint; face: bigint; to?: string }[];
  money: Money;
  receipt: ContractTransactionReceipt;
}

/**
 * Splits a piece; with `to` (one entry per face, comma-separated or a list; an empty entry keeps that part), hands
 * the parts on to those suppliers in the same transaction.
 */
export async function split(
  desk: ScfDesk,
  req: { id: string; faces: string | string[]; to?: string | string[] },
): Promise<Split> {
  const id = receivable(desk, req.id);
  const { money } = await familyToken(desk, id);
  const name = desk.label("faces");
  const list = Array.isArray(req.faces) ? req.faces : requireOption(req.faces, name).split(",");
  const faces = list.map((f, i) =>
    checked(name, () =>
      parseAmount(f, money.decimals, { name: Array.isArray(req.faces) ? `${name}[${i}]` : name, bits: 64 }),
    ),
  );
  const toList = Array.isArray(req.to) ? req.to : (req.to ?? "").trim() === "" ? [] : (req.to ?? "").split(",");
  if (toList.length === 0) {
    const { children, receipt } = await splitReceivable(desk.contracts.scf, id, faces);
    return { id, pieces: [id, ...children].map((x, i) => ({ id: x, face: faces[i] })), money, receipt };
  }
  const toName = desk.label("to");
  if (toList.length !== faces.length) {
    throw new InputError(toName, `${toName} names ${toList.length} recipients for ${faces.length} faces: one each`);
  }
  const recipients = toList.map((t) => (t.trim() === "" ? ZeroAddress : address(desk, t.trim(), "to")));
  const { children, receipt } = await splitReceivableTo(desk.contracts.scf, id, faces, recipients);
  const pieces = [id, ...children].map((x, i) =>
    recipients[i] === ZeroAddress ? { id: x, face: faces[i] } : { id: x, face: faces[i], to: recipients[i] },
  );
  return { id, pieces, money, receipt };
}

export async function transfer(
  desk: ScfDesk,
  req: { id: string; to: string },
): Promise<{ id: bigint; to: string; tier: bigint; receipt: ContractTransactionReceipt }> {
  const id = receivable(desk, req.id);
  const to = address(desk, req.to, "to");
  const receipt = await mined(await desk.contracts.scf.transfer(id, to));
  return { id, to, tier: (await desk.contracts.scf.getPiece(id)).tier, receipt };
}

// ─── Quotes and financing ─────────────────────────────────────────────────────

/** A signed quote as it travels from the financier to the holder (a file, or JSON over HTTP). */
export interface SignedQuote {
  quote: {
    id: string;
    rateBps: number;
    dayBase: number;
    recourse: boolean;
    seller: string;
    expiry: string;
    nonce: string;
  };
  signature: string;
}

export interface Quoted {
  signed: SignedQuote;
  terms: QuoteTerms;
  /** The price if taken now. */
  price: bigint;
  /**
   * The most the quote can cost: its price at its expiry. A discount shrinks by the day as maturity nears, so the
   * price rises while the quote waits; the ledger is approved for this much, not for today's price.
   */
  maxPrice: bigint;
  money: Money;
  /** The approval raising the ledger's allowance from the financier by `maxPrice`. */
  approval: ContractTransactionReceipt;
}

/**
 * A financier's signed offer to buy piece `id`; the ledger is approved to draw, from the financier, the most the
 * quote can cost until it expires.
 */
export async function quote(
  desk: ScfDesk,
  req: { id: string; rateBps: string; dayBase?: string; recourse?: string; seller?: string; validFor?: string },
): Promise<Quoted> {
  const c = desk.contracts;
  const id = receivable(desk, req.id);
  const { family, money } = await familyToken(desk, id);
  // Basis points a year, whole (the quote holds a uint16); 12.5 or 1e3 is refused, not rounded or read as 1000.
  const rateBps = wholeNumber(req.rateBps, desk.label("rateBps"), 65_535);
  const dayBaseText = (req.dayBase ?? "").trim() === "" ? "360" : req.dayBase!.trim();
  if (dayBaseText !== "360" && dayBaseText !== "365") {
    throw new InputError(desk.label("dayBase"), `${desk.label("dayBase")} "${req.dayBase}" must be 360 or 365`);
  }
  const dayBase = dayBaseText === "360" ? 360 : 365;
  const recourse = yesOrNo(req.recourse, desk.label("recourse"));
  // The financier agrees to buy from one member: the piece's holder now unless `seller` names it.
  const seller =
    (req.seller ?? "") !== "" ? parseMemberId(req.seller!, desk.label("seller")) : (await c.scf.getPiece(id)).holder;
  const now = await chainTime(c.scf.runner);
  const validFor =
    (req.validFor ?? "") === "" ? 3600 : wholeNumber(req.validFor!, desk.label("validFor"), 365 * 86_400);
  const terms: QuoteTerms = {
    id,
    rateBps,
    dayBase,
    recourse,
    seller,
    expiry: now + BigInt(validFor),
    nonce: newSignatureNonce(),
  };
  const piece = await c.scf.getPiece(id);
  const refusal = unsellable(piece, family, now);
  if (refusal !== null) {
    throw new InputError(desk.label("id"), `receivable ${formatReceivable(id)} cannot be financed: ${refusal}`);
  }
  const financier = await c.members.memberForKey(await desk.signer.getAddress());
  await refuseUnquotable(desk, terms, financier, family, money.code);
  const price = await c.scf.priceOf(terms);
  const maxPrice = discountedPrice(
    piece.face,
    BigInt(rateBps),
    daysBetween(terms.expiry, family.maturity),
    BigInt(dayBase),
  );
  // Raised by this quote's most, on top of what the financier's other open quotes need: each may be taken.
  const approval = await raiseAllowance(
    (await tokenAt(c, family.token)).token,
    await desk.signer.getAddress(),
    await c.scf.getAddress(),
    maxPrice,
  );
  const signature = await signQuote(c.scf, desk.signer, terms);
  const signed: SignedQuote = {
    quote: {
      id: terms.id.toString(),
      rateBps,
      dayBase,
      recourse,
      seller: terms.seller.toString(),
      expiry: terms.expiry.toString(),
      nonce: terms.nonce.toString(),
    },
    signature,
  };
  return { signed, terms, price, maxPrice, money, approval };
}

/**
 * Refuses, as an input error naming `field` (else the term at fault), a quote that `finance` refuses whoever relays it ({@link unquotable}):
 * before the desk approves or signs anything, and before a preview prices it.
 */
export async function refuseUnquotable(
  desk: ScfDesk,
  terms: { id: bigint; recourse: boolean; seller: bigint },
  financier: bigint,
  family: { debtor: bigint },
  tokenCode: string,
  field?: string,
): Promise<void> {
  const reporting = terms.recourse ? decodeCode(await desk.contracts.credit.reportingCurrency()) : tokenCode;
  const refusal = unquotable(terms, financier, family, { token: tokenCode, reporting });
  if (refusal !== null) {
    const name = desk.label(field ?? refusal.term);
    throw new InputError(name, `the ledger refuses this quote for ${formatReceivable(terms.id)}: ${refusal.reason}`);
  }
}

/**
 * Refuses, as an input error on `field`, a signed quote that `finance` refuses whoever relays it and in every later
 * block: a piece no seller can sell again ({@link unsellableForGood}; a pledge, a freeze or a request not confirmed yet
 * can end, and the preview then prices the quote), a quote past its expiry, terms the ledger refuses
 * ({@link unquotable}), or a nonce its financier spent (used, or withdrawn with `cancelNonce`). The finance preview
 * asks it before it prices a quote (adversarial reviews 43, 44 and 45).
 */
export async function refuseUntakeable(
  desk: ScfDesk,
  quote: { terms: QuoteTerms; signer: string; financier: bigint },
  piece: Parameters<typeof unsellableForGood>[0],
  family: Parameters<typeof unsellableForGood>[1] & { debtor: bigint },
  tokenCode: string,
  now: bigint,
  field: string,
): Promise<void> {
  const { terms } = quote;
  const refusal = unsellableForGood(piece, family, now);
  if (refusal !== null) {
    throw new InputError(desk.label(field), `receivable ${formatReceivable(terms.id)} cannot be financed: ${refusal}`);
  }
  // The chain refuses it once a block's time is past the expiry, and every later block's time is later still.
  if (now >= terms.expiry) {
    const at = new Date(Number(terms.expiry) * 1000).toISOString();
    throw new InputError(desk.label(field), `the quote expired at ${at}`);
  }
  await refuseUnquotable(desk, terms, quote.financier, family, tokenCode, field);
  if (await desk.contracts.scf.nonceUsed(quote.signer, terms.nonce)) {
    throw new InputError(desk.label(field), "the quote's nonce is spent: its financier used it or withdrew the quote");
  }
}

/** Reads a signed quote (from a file or a request body); a malformed one is an input error naming `field`. */
export function parseSignedQuote(
  desk: ScfDesk,
  value: unknown,
  field = "quote",
): { terms: QuoteTerms; signature: string } {
  const name = desk.label(field);
  const v = value as Partial<SignedQuote> | undefined;
  const q = v?.quote;
  if (q === undefined || typeof v?.signature !== "string" || !isHexString(v.signature)) {
    throw new InputError(name, `${name} is not a signed quote: expected { quote: {…}, signature: "0x…" }`);
  }
  // Each as wide as the contract's `Quote` field.
  const whole = (x: unknown, what: string, bits: number) => uintField(x, bits, name, `quote.${what}`);
  const dayBase = Number(q.dayBase);
  if (dayBase !== 360 && dayBase !== 365) throw new InputError(name, `${name}: quote.dayBase must be 360 or 365`);
  const terms = {
    id: whole(q.id, "id", 64),
    rateBps: Number(whole(q.rateBps, "rateBps", 16)),
    dayBase: dayBase as 360 | 365,
    recourse: q.recourse === true,
    seller: whole(q.seller, "seller", 32),
    expiry: whole(q.expiry, "expiry", 40),
    nonce: whole(q.nonce, "nonce", 256),
  };
  requireChainSignature(name, name, v.signature);
  return { terms, signature: v.signature };
}

export interface Financed {
  id: bigint;
  financier: bigint;
  price: bigint;
  money: Money;
  receipt: ContractTransactionReceipt;
}

/** The holder sells its piece on a financier's signed quote, paid in the same transaction. */
export async function finance(desk: ScfDesk, signed: unknown): Promise<Financed> {
  const c = desk.contracts;
  const { terms, signature } = parseSignedQuote(desk, signed);
  const { money } = await familyToken(desk, terms.id, "quote");
  const receipt = await mined(await c.scf.finance(terms, signature));
  const event = receipt.logs.map((l) => c.scf.interface.parseLog(l)).find((e) => e?.name === "ReceivableFinanced");
  return {
    id: terms.id,
    financier: BigInt(event?.args.financier as bigint),
    price: BigInt(event?.args.price as bigint),
    money,
    receipt,
  };
}

// ─── Paying ───────────────────────────────────────────────────────────────────

export interface Collected {
  id: bigint;
  payee: bigint;
  amount: bigint;
  /** false: parked for the payee (`claim`), because its payout account could not take it. */
  paid: boolean;
  receipt: ContractTransactionReceipt;
}

export interface Repaid {
  root: bigint;
  money: Money;
  /** The repayment, when the family was still owed (approval first when the allowance fell short). */
  repaid?: {
    amount: bigint;
    penalty: bigint;
    approval?: { amount: bigint; receipt: ContractTransactionReceipt };
    receipt: ContractTransactionReceipt;
  };
  collected: Collected[];
  /**
   * Pieces that could not be collected (a Regulator froze them) whose credit records were closed instead: the
   * debtor's default and the seller's recourse record do not outlive the repayment.
   */
  settled: bigint[];
}

/** Collects one piece for its holder (anyone may: the ledger is pull-based). */
export async function collect(desk: ScfDesk, req: { id: string }): Promise<Collected> {
  const c = desk.contracts;
  const id = receivable(desk, req.id);
  await familyToken(desk, id);
  const receipt = await mined(await c.scf.collect(id));
  const event = receipt.logs.map((l) => c.scf.interface.parseLog(l)).find((e) => e?.name === "ReceivableCollected");
  return {
    id,
    payee: BigInt(event?.args.payee as bigint),
    amount: BigInt(event?.args.amount as bigint),
    paid: event?.args.paid === true,
    receipt,
  };
}

/** The debtor repays its family's face (and any penalty), then every uncollected, unfrozen piece is collected. */
export async function repay(desk: ScfDesk, req: { id: string }): Promise<Repaid> {
  const c = desk.contracts;
  const root = rootOf(receivable(desk, req.id));
  const { family, money } = await familyToken(desk, root);
  const out: Repaid = { root, money, collected: [], settled: [] };
  if (["Confirmed", "Overdue", "Defaulted"].includes(FAMILY_STATES[Number(family.state)])) {
    // The ledger lets anyone repay a family: a desk pays only its own member's debt, and only what it holds.
    const me = await c.members.memberForKey(await desk.signer.getAddress());
    if (me !== family.debtor) {
      throw new InputError(
        desk.label("id"),
        `${formatReceivable(root)} is owed by member ${family.debtor}, not by this member (${me}): a desk repays ` +
          "only its own member's receivables",
      );
    }
    const [due] = await c.scf.amountDue(root);
    const { token } = await tokenAt(c, family.token);
    const balance = await token.balanceOf(await desk.signer.getAddress());
    if (balance < due) {
      throw new InputError(
        desk.label("id"),
        `${formatReceivable(root)} is due ${formatAmount(due, money.decimals)} ${money.code} and this member holds ` +
          `${formatAmount(balance, money.decimals)}: nothing was sent`,
      );
    }
    const approval = await approveLedger(desk, family.token, due);
    const receipt = await mined(await c.scf.repay(root));
    const event = receipt.logs.map((l) => c.scf.interface.parseLog(l)).find((e) => e?.name === "FamilyRepaid");
    out.repaid = {
      amount: BigInt(event?.args.amount as bigint),
      penalty: BigInt(event?.args.penalty as bigint),
      ...(approval === undefined ? {} : { approval: { amount: due, receipt: approval } }),
      receipt,
    };
  }
  for (let index = 0n; index < family.pieces; index++) {
    const id = root + index;
    const p = await c.scf.getPiece(id);
    if (PIECE_STATES[Number(p.state)] === "Collected") continue;
    if (!p.frozen) out.collected.push(await collect(desk, { id: formatReceivable(id) }));
    else if (await settles(c, id)) {
      await settleCreditRecordsOf(c.scf, id);
      out.settled.push(id);
    }
  }
  return out;
}
