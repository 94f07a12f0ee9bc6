/**
 * The receivable ledger from TypeScript: id arithmetic, prices, one helper per operation, and the lineage of a
 * receivable rebuilt from events alone (what a regulator does).
 *
 * A receivable id is `(family << 24) | index`: the family is everything split from one confirmed root, index 0 is the
 * root. `formatReceivable` prints it as `R<family>.<index>`.
 */
import type { ContractTransactionReceipt } from "ethers";

import type { ReceivableLedger } from "../typechain-types/index.js";

import { signQuote, type QuoteTerms, type SignedConfirmation } from "./eip712.js";
import { eventArg, mined } from "./tx.js";

export const FAMILY_STATES = [
  "None",
  "Requested",
  "Confirmed",
  "Overdue",
  "Repaid",
  "Defaulted",
  "Rejected",
  "Lapsed",
] as const;
export const PIECE_STATES = ["None", "Held", "Financed", "Collected"] as const;

/**
 * Why a financier's quote for this piece could never be taken, as the ledger's `finance` would refuse it whoever
 * signs (the piece held, its family confirmed and not matured, neither frozen nor pledged), or null when it could.
 * A bank quotes nothing, and approves nothing, for a piece no seller can sell (adversarial review 36, Q1).
 */
export function unsellable(
  piece: { state: bigint | number; frozen: boolean; encumbered: boolean },
  family: { state: bigint | number; maturity: bigint | number },
  now: bigint,
): string | null {
  const lasting = unsellableForGood(piece, family, now);
  if (lasting !== null) return lasting;
  // A request's pieces are None until the debtor confirms it: the reason is the confirmation, not the piece.
  if (FAMILY_STATES[Number(family.state)] !== "Confirmed") return "its receivable is not confirmed yet";
  if (PIECE_STATES[Number(piece.state)] !== "Held") return `it is ${PIECE_STATES[Number(piece.state)]}, not Held`;
  if (piece.frozen) return "a Regulator froze it";
  if (piece.encumbered) return "it is pledged";
  return null;
}

/**
 * The reasons of {@link unsellable} that no later act undoes (null when none): the piece sold or collected, its
 * receivable settled, rejected or past due, or matured. A request not confirmed yet, a freeze and a pledge can end;
 * a quote refused for them now may be taken later (adversarial review 46, B).
 */
export function unsellableForGood(
  piece: { state: bigint | number },
  family: { state: bigint | number; maturity: bigint | number },
  now: bigint,
): string | null {
  const pieceState = PIECE_STATES[Number(piece.state)];
  if (pieceState === "Financed" || pieceState === "Collected") return `it is ${pieceState}, not Held`;
  const familyState = FAMILY_STATES[Number(family.state)];
  if (familyState !== "Requested" && familyState !== "Confirmed") {
    return `its receivable is ${familyState}, not Confirmed`;
  }
  if (now >= BigInt(family.maturity)) return "it has matured";
  return null;
}

/**
 * Why `finance` refuses a quote on these terms whoever relays it and whenever (null when nothing does): no seller, the
 * financier buying from itself, the receivable's debtor named as seller (it never holds a piece: review 46, C), the
 * debtor buying its own payable with recourse, or recourse in a currency other than the credit registry's reporting
 * currency (`ScfSelfDealing`, `ScfQuoteSellerMismatch`, `ScfRecourseCurrency`). A desk asks it before it approves or signs
 * anything, and a preview before it prices such a quote (adversarial review 43, Q2).
 */
export function unquotable(
  quote: { recourse: boolean; seller: bigint | number },
  financier: bigint | number,
  family: { debtor: bigint | number },
  currency: { token: string; reporting: string },
): { term: "seller" | "recourse"; reason: string } | null {
  if (BigInt(quote.seller) === 0n) return { term: "seller", reason: "it names no seller (member 0)" };
  if (BigInt(financier) === BigInt(quote.seller)) {
    return { term: "seller", reason: `financier ${financier} would buy from itself` };
  }
  // The ledger never lets a receivable's debtor hold a piece of it (ScfSelfDealing): no seller it names can sell.
  if (BigInt(quote.seller) === BigInt(family.debtor)) {
    return {
      term: "seller",
      reason: `member ${quote.seller} is the receivable's debtor, which never holds a piece of it`,
    };
  }
  if (!quote.recourse) return null;
  if (BigInt(financier) === BigInt(family.debtor)) {
    const reason = `financier ${financier} is the receivable's debtor, which buys its own payable only without recourse`;
    return { term: "recourse", reason };
  }
  if (currency.token !== currency.reporting) {
    const reason = `recourse is booked in the credit registry's ${currency.reporting}, and the receivable is in ${currency.token}`;
    return { term: "recourse", reason };
  }
  return null;
}

/**
 * The `expectedStates` bitmap of `ScfUnexpectedFamilyState` and `ScfUnexpectedPieceState` (bit `1 << state` per
 * allowed state, as OpenZeppelin Governor's `GovernorUnexpectedProposalState`), as the bytes32 hex the error carries.
 */
export function stateBitmap(states: readonly number[]): string {
  const bits = states.reduce((acc, state) => acc | (1n << BigInt(state)), 0n);
  return "0x" + bits.toString(16).padStart(64, "0");
}

/** The names of the states set in an `expectedStates` bitmap, in enum order, e.g. `["Confirmed", "Overdue"]`. */
export function statesOfBitmap(bitmap: string | bigint, names: readonly string[]): string[] {
  const bits = BigInt(bitmap);
  return names.filter((_, i) => ((bits >> BigInt(i)) & 1n) === 1n);
}

const INDEX_BITS = 24n;

/** The family number of a receivable id. */
export function familyOf(id: bigint): bigint {
  return id >> INDEX_BITS;
}

/** The root of a receivable's family. */
export function rootOf(id: bigint): bigint {
  return familyOf(id) << INDEX_BITS;
}

/** `R<family>.<index>`, e.g. R3.0 for the root of family 3. */
export function formatReceivable(id: bigint): string {
  return `R${familyOf(id)}.${id & ((1n << INDEX_BITS) - 1n)}`;
}

/** Parses `R3.1`, or a plain decimal id; both within the contract's uint64 (a family below 2^40, an index 2^24). */
export function parseReceivable(text: string): bigint {
  const t = text.trim();
  const m = /^R(\d+)\.(\d+)$/i.exec(t);
  if (m !== null) {
    const [family, index] = [BigInt(m[1]), BigInt(m[2])];
    if (family >= 1n << (64n - INDEX_BITS) || index >= 1n << INDEX_BITS) {
      throw new Error(
        `receivable "${text}" is out of range: families go up to ${(1n << (64n - INDEX_BITS)) - 1n}, ` +
          `pieces up to ${(1n << INDEX_BITS) - 1n}`,
      );
    }
    return (family << INDEX_BITS) | index;
  }
  if (/^\d+$/.test(t)) {
    if (BigInt(t) >= 1n << 64n) throw new Error(`receivable "${text}" is more than a receivable id holds (uint64)`);
    return BigInt(t);
  }
  throw new Error(`receivable "${text}" is not an id like R3.1`);
}

/** Whole days from `from` to `to` (seconds), a started day counting as one; 0 if `to` is not later. */
export function daysBetween(from: bigint, to: bigint): bigint {
  return to <= from ? 0n : (to - from + 86_399n) / 86_400n;
}

/** The contract's price: face × (1 − rate × days / dayBase), the discount rounded up. */
export function discountedPrice(face: bigint, rateBps: bigint, days: bigint, dayBase: bigint): bigint {
  const num = face * rateBps * days;
  const den = 10_000n * dayBase;
  const discount = (num + den - 1n) / den;
  return discount >= face ? 0n : face - discount;
}

/** A core enterprise issues a confirmed receivable to its tier-1 supplier; returns the root id. */
export async function issue(
  ledger: ReceivableLedger,
  terms: { supplier: string; token: string; face: bigint; maturity: bigint; invoiceKeys: string[] },
): Promise<{ id: bigint; receipt: ContractTransactionReceipt }> {
  const receipt = await mined(
    await ledger.issue(terms.supplier, terms.token, terms.face, terms.maturity, terms.invoiceKeys),
  );
  return { id: eventArg<bigint>(ledger, receipt, "ReceivableConfirmed", "id"), receipt };
}

/** A supplier asks a core enterprise to confirm; returns the requested root id. */
export async function request(
  ledger: ReceivableLedger,
  terms: { debtor: bigint; token: string; face: bigint; maturity: bigint; invoiceKeys: string[] },
): Promise<{ id: bigint; receipt: ContractTransactionReceipt }> {
  const receipt = await mined(
    await ledger.request(terms.debtor, terms.token, terms.face, terms.maturity, terms.invoiceKeys),
  );
  return { id: eventArg<bigint>(ledger, receipt, "ReceivableRequested", "id"), receipt };
}

/** Splits a piece: it keeps `faces[0]`; returns the new pieces' ids. */
export async function split(
  ledger: ReceivableLedger,
  id: bigint,
  faces: bigint[],
): Promise<{ children: bigint[]; receipt: ContractTransactionReceipt }> {
  const receipt = await mined(await ledger.split(id, faces));
  const first = eventArg<bigint>(ledger, receipt, "ReceivableSplit", "firstChild");
  return { children: faces.slice(1).map((_, i) => first + BigInt(i)), receipt };
}

/**
 * Splits a piece and hands part `i` to supplier `recipients[i]` one tier down, in one transaction; part `i` stays
 * with the holder when `recipients[i]` is the zero address (or an operator of the holder). Part 0 is the piece
 * itself; returns the new pieces' ids.
 */
export async function splitTo(
  ledger: ReceivableLedger,
  id: bigint,
  faces: bigint[],
  recipients: string[],
): Promise<{ children: bigint[]; receipt: ContractTransactionReceipt }> {
  const receipt = await mined(await ledger.splitTo(id, faces, recipients));
  const first = eventArg<bigint>(ledger, receipt, "ReceivableSplit", "firstChild");
  return { children: faces.slice(1).map((_, i) => first + BigInt(i)), receipt };
}

/** The holder sells a piece on a financier's signed quote; returns the price paid. */
export async function finance(
  ledger: ReceivableLedger,
  quote: QuoteTerms,
  signature: string,
): Promise<{ price: bigint; receipt: ContractTransactionReceipt }> {
  const receipt = await mined(await ledger.finance(quote, signature));
  return { price: eventArg<bigint>(ledger, receipt, "ReceivableFinanced", "price"), receipt };
}

/** A core enterprise chooses financier member `financier` for its credit line in `token` (one line per currency). */
export async function chooseFinancier(
  ledger: ReceivableLedger,
  token: string,
  financier: bigint,
): Promise<ContractTransactionReceipt> {
  return mined(await ledger.chooseFinancier(token, financier));
}

/** The financier the debtor chose grants, raises or cuts `debtor`'s credit line in `token` (minor units). */
export async function setCreditLine(
  ledger: ReceivableLedger,
  debtor: bigint,
  token: string,
  limit: bigint,
): Promise<ContractTransactionReceipt> {
  return mined(await ledger.setCreditLine(debtor, token, limit));
}

/** The line's financier freezes or unfreezes `debtor`'s line in `token`. */
export async function freezeCreditLine(
  ledger: ReceivableLedger,
  debtor: bigint,
  token: string,
  frozen: boolean,
): Promise<ContractTransactionReceipt> {
  return mined(await ledger.freezeCreditLine(debtor, token, frozen));
}

/** The debtor rejects a requested root, or the requesting supplier withdraws it. */
export async function reject(ledger: ReceivableLedger, root: bigint): Promise<ContractTransactionReceipt> {
  return mined(await ledger.reject(root));
}

/** Anyone closes a request left unconfirmed past its maturity. */
export async function lapse(ledger: ReceivableLedger, root: bigint): Promise<ContractTransactionReceipt> {
  return mined(await ledger.lapse(root));
}

/** The debtor confirms requested root `root`. */
export async function confirm(ledger: ReceivableLedger, root: bigint): Promise<ContractTransactionReceipt> {
  return mined(await ledger.confirm(root));
}

/** Anyone relays a debtor's signed confirmation (see `signConfirmation`). */
export async function relayConfirmation(
  ledger: ReceivableLedger,
  root: bigint,
  signed: SignedConfirmation,
): Promise<ContractTransactionReceipt> {
  return mined(
    await ledger.confirmWithSignature(
      root,
      signed.graceSeconds,
      signed.penaltyRateBps,
      signed.nonce,
      signed.deadline,
      signed.signature,
    ),
  );
}

/** The holder passes piece `id` to supplier `to`. */
export async function transfer(ledger: ReceivableLedger, id: bigint, to: string): Promise<ContractTransactionReceipt> {
  return mined(await ledger.transfer(id, to));
}

/** The holder pledges piece `id` to financier member `financier`. */
export async function encumber(
  ledger: ReceivableLedger,
  id: bigint,
  financier: bigint,
): Promise<ContractTransactionReceipt> {
  return mined(await ledger.encumber(id, financier));
}

/** The financier a piece is pledged to releases it. */
export async function release(ledger: ReceivableLedger, id: bigint): Promise<ContractTransactionReceipt> {
  return mined(await ledger.release(id));
}

/**
 * Pays family `root` (face plus any penalty) on its debtor's behalf, also after a default; the payer must have
 * approved the ledger for `amountDue`.
 */
export async function repay(
  ledger: ReceivableLedger,
  root: bigint,
): Promise<{ amount: bigint; penalty: bigint; receipt: ContractTransactionReceipt }> {
  const receipt = await mined(await ledger.repay(root));
  return {
    amount: eventArg<bigint>(ledger, receipt, "FamilyRepaid", "amount"),
    penalty: eventArg<bigint>(ledger, receipt, "FamilyRepaid", "penalty"),
    receipt,
  };
}

/**
 * Pays the member holding piece `id` (the pledgee if pledged) its share of a repaid family; returns the amount and
 * whether it was paid now (false: parked for the member, see `claimOwed`).
 */
export async function collect(
  ledger: ReceivableLedger,
  id: bigint,
): Promise<{ amount: bigint; paid: boolean; receipt: ContractTransactionReceipt }> {
  const receipt = await mined(await ledger.collect(id));
  return {
    amount: eventArg<bigint>(ledger, receipt, "ReceivableCollected", "amount"),
    paid: eventArg<boolean>(ledger, receipt, "ReceivableCollected", "paid"),
    receipt,
  };
}

/** Pays what the ledger parked for `member` in `token` to its current payout account. */
export async function claimOwed(
  ledger: ReceivableLedger,
  member: bigint,
  token: string,
): Promise<ContractTransactionReceipt> {
  return mined(await ledger.claimOwed(member, token));
}

/** Anyone marks family `root` overdue once maturity plus grace has passed. */
export async function markOverdue(ledger: ReceivableLedger, root: bigint): Promise<ContractTransactionReceipt> {
  return mined(await ledger.markOverdue(root));
}

/**
 * The financier holding financed piece `id` of an overdue family declares that piece in default; the registry records
 * the family's debtor member. The debtor can still repay.
 */
export async function declareDefault(ledger: ReceivableLedger, id: bigint): Promise<ContractTransactionReceipt> {
  return mined(await ledger.declareDefault(id));
}

/**
 * The financier holding financed piece `id` closes its recourse record in the credit registry: the seller made it
 * whole outside the ledger.
 */
export async function closeRecourse(ledger: ReceivableLedger, id: bigint): Promise<ContractTransactionReceipt> {
  return mined(await ledger.closeRecourse(id));
}

/**
 * The financier holding financed piece `id` declares the seller's recourse in default once the family is overdue:
 * the seller did not make it whole, and its recourse record in the credit registry becomes Defaulted.
 */
export async function defaultRecourse(ledger: ReceivableLedger, id: bigint): Promise<ContractTransactionReceipt> {
  return mined(await ledger.defaultRecourse(id));
}

/**
 * Anyone closes, once piece `id`'s family is repaid, the credit records its collection would close (its recourse
 * record, its holder's default record): for a piece a Regulator froze, so that the debtor and the seller are not left
 * with a live record meanwhile.
 */
export async function settleCreditRecords(ledger: ReceivableLedger, id: bigint): Promise<ContractTransactionReceipt> {
  return mined(await ledger.settleCreditRecords(id));
}

/** A Regulator freezes or unfreezes piece `id`, with a reason code. */
export async function freeze(
  ledger: ReceivableLedger,
  id: bigint,
  frozen: boolean,
  reason: string,
): Promise<ContractTransactionReceipt> {
  return mined(await ledger.freeze(id, frozen, reason));
}

/** A financier's quote for `id`, signed; expiry in seconds from the chain's latest block. */
export async function quote(
  ledger: ReceivableLedger,
  financier: Parameters<typeof signQuote>[1],
  terms: Omit<QuoteTerms, "expiry"> & { validFor: bigint; now: bigint },
): Promise<{ quote: QuoteTerms; signature: string }> {
  const q: QuoteTerms = {
    id: terms.id,
    rateBps: terms.rateBps,
    dayBase: terms.dayBase,
    recourse: terms.recourse,
    seller: terms.seller,
    expiry: terms.now + terms.validFor,
    nonce: terms.nonce,
  };
  return { quote: q, signature: await signQuote(ledger, financier, q) };
}

/** One node of a receivable tree, rebuilt from events. */
export interface TraceNode {
  id: bigint;
  face: bigint;
  holder: bigint; // member id
  tier: number;
  financedBy?: bigint; // member id
  collected: boolean;
  children: TraceNode[];
}

/**
 * Rebuilds the tree of the family of `id` from the ledger's events only: confirmation, splits (a split piece keeps
 * its id and hands out children), transfers, financing and collection.
 */
export async function trace(ledger: ReceivableLedger, id: bigint): Promise<TraceNode> {
  const root = rootOf(id);
  const nodes = new Map<bigint, TraceNode>();
  const provider = ledger.runner?.provider;
  if (provider === undefined || provider === null) throw new Error("trace needs a ledger connected to a provider");
  const logs = await provider.getLogs({ address: await ledger.getAddress(), fromBlock: 0, toBlock: "latest" });
  for (const log of logs) {
    const parsed = ledger.interface.parseLog(log);
    if (parsed === null) continue;
    const a = parsed.args;
    switch (parsed.name) {
      case "ReceivableRequested":
        if (a.id === root) {
          nodes.set(root, { id: root, face: a.face, holder: a.holder, tier: 1, collected: false, children: [] });
        }
        break;
      case "ReceivableSplit": {
        const parent = nodes.get(a.parent as bigint);
        if (parent === undefined) break;
        const faces = a.faces as bigint[];
        parent.face = faces[0];
        faces.slice(1).forEach((_, i) => {
          const child = (a.firstChild as bigint) + BigInt(i);
          const node = {
            id: child,
            face: faces[i + 1],
            holder: a.holder as bigint,
            tier: parent.tier,
            collected: false,
            children: [],
          };
          nodes.set(child, node);
          parent.children.push(node);
        });
        break;
      }
      case "ReceivableTransferred": {
        const node = nodes.get(a.id as bigint);
        if (node !== undefined) [node.holder, node.tier] = [a.to as bigint, Number(a.tier)];
        break;
      }
      case "ReceivableFinanced": {
        const node = nodes.get(a.id as bigint);
        if (node !== undefined) [node.holder, node.financedBy] = [a.financier as bigint, a.financier as bigint];
        break;
      }
      case "ReceivableCollected": {
        const node = nodes.get(a.id as bigint);
        if (node !== undefined) node.collected = true;
        break;
      }
    }
  }
  const top = nodes.get(root);
  if (top === undefined) throw new Error(`no receivable ${formatReceivable(root)} in the ledger's events`);
  return top;
}
