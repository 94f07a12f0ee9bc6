/**
 * Supply-chain finance operations behind the `scf:*` tasks: each returns the lines to print. Amounts are in major
 * units of the receivable's settlement token; receivables are named `R<family>.<index>`.
 */
import { writeFile } from "node:fs/promises";

import { hexlify, isHexString, randomBytes } from "ethers";

import { tokenAt, tokenFor, type TradelineContracts } from "../../src/deployment.js";
import { signQuote, type QuoteTerms } from "../../src/eip712.js";
import { formatAmount, parseAmount } from "../../src/encoding.js";
import { invoiceKey, type ConsortiumKey } from "../../src/keys.js";
import {
  FAMILY_STATES,
  PIECE_STATES,
  formatReceivable,
  issue as issueReceivable,
  parseReceivable,
  request as requestReceivable,
  rootOf,
  split as splitReceivable,
  trace as traceFamily,
  type TraceNode,
} from "../../src/scf.js";
import { chainTime, ensureAllowance } from "../../src/tx.js";

import {
  parseEndOfDay,
  parseMemberId,
  readJsonFile,
  requireAddress,
  requireOption as required,
  wholeNumber,
} from "./members.js";

/** What the SCF operations need from a session. */
export interface ScfSession {
  consortiumKey: () => Promise<ConsortiumKey>;
  signer: Parameters<typeof signQuote>[1] & { getAddress(): Promise<string> };
}

async function familyToken(c: TradelineContracts, id: bigint) {
  const family = await c.scf.getFamily(id);
  if (Number(family.state) === 0) throw new Error(`no receivable ${formatReceivable(id)}`);
  return { family, ...(await tokenAt(c, family.token)) };
}

/** Approves the ledger to pull `amount` of `token` from the signer when its allowance falls short. */
async function approveLedger(c: TradelineContracts, token: string, owner: string, amount: bigint): Promise<string[]> {
  const receipt = await ensureAllowance((await tokenAt(c, token)).token, owner, await c.scf.getAddress(), amount);
  return receipt === undefined ? [] : [`  approved the ledger to draw ${amount} minor units (tx ${receipt.hash})`];
}

/** The invoice keys of a debtor's invoice numbers, all issued on `issueDate`. */
async function invoiceKeys(
  c: TradelineContracts,
  key: ConsortiumKey,
  debtor: bigint,
  numbers: string,
  issueDate: string,
): Promise<string[]> {
  const debtorEntity = await c.members.entityKeyOf(debtor);
  if (/^0x0{64}$/.test(debtorEntity)) throw new Error(`no member ${debtor}: the debtor must be an admitted member`);
  const list = required(numbers, "--invoices")
    .split(",")
    .map((n) => n.trim());
  return list.map((n) => invoiceKey(key, debtorEntity, n, required(issueDate, "--issue-date")));
}

export async function line(
  c: TradelineContracts,
  args: { debtor: string; limit: string; currency: string; freeze: string; financier?: string },
  session?: ScfSession,
): Promise<string[]> {
  const token = tokenFor(c, required(args.currency, "--currency"));
  const tokenAddress = await token.getAddress();
  const code = args.currency.toUpperCase();
  if (args.financier !== undefined && args.financier !== "") {
    // The core enterprise names the bank its line in this currency belongs to.
    const financier = parseMemberId(args.financier);
    if (session === undefined) throw new Error("choosing a financier needs a signer");
    const me = await c.members.memberOf(await session.signer.getAddress());
    const tx = await c.scf.chooseFinancier(tokenAddress, financier);
    await tx.wait();
    return [`${code} credit line of member ${me} now belongs to financier member ${financier}`, `  tx: ${tx.hash}`];
  }
  const debtor = parseMemberId(required(args.debtor, "--debtor"));
  if (args.freeze !== "") {
    if (!["true", "false"].includes(args.freeze)) throw new Error('--freeze must be "true" or "false"');
    const tx = await c.scf.freezeCreditLine(debtor, tokenAddress, args.freeze === "true");
    await tx.wait();
    return [
      `${code} credit line of member ${debtor} ${args.freeze === "true" ? "frozen" : "unfrozen"}`,
      `  tx: ${tx.hash}`,
    ];
  }
  const decimals = Number(await token.decimals());
  const limit = parseAmount(required(args.limit, "--limit"), decimals, { name: "--limit", bits: 96 });
  const tx = await c.scf.setCreditLine(debtor, tokenAddress, limit);
  await tx.wait();
  const l = await c.scf.creditLineOf(debtor, tokenAddress);
  return [
    `${code} credit line of member ${debtor}: ${formatAmount(l.limit, decimals)} (used ${formatAmount(l.used, decimals)})`,
    `  tx: ${tx.hash}`,
  ];
}

export async function issue(
  c: TradelineContracts,
  args: {
    supplier: string;
    debtor: string;
    face: string;
    currency: string;
    maturity: string;
    invoices: string;
    issueDate: string;
  },
  session: ScfSession,
): Promise<string[]> {
  const token = tokenFor(c, required(args.currency, "--currency"));
  const decimals = Number(await token.decimals());
  const face = parseAmount(required(args.face, "--face"), decimals, { name: "--face", bits: 64 });
  const maturity = parseEndOfDay(args.maturity, "--maturity");
  const key = await session.consortiumKey();
  const me = await c.members.memberOf(await session.signer.getAddress());
  const terms = { token: await token.getAddress(), face, maturity };
  if (args.debtor !== "") {
    const debtor = parseMemberId(args.debtor);
    const keys = await invoiceKeys(c, key, debtor, args.invoices, args.issueDate);
    const { id, receipt } = await requestReceivable(c.scf, { ...terms, debtor, invoiceKeys: keys });
    return [
      `requested ${formatReceivable(id)} from member ${debtor}: ${formatAmount(face, decimals)} ${args.currency.toUpperCase()}`,
      `  backed by ${keys.length} invoice(s); awaiting the debtor's confirmation`,
      `  tx: ${receipt.hash}`,
    ];
  }
  const supplier = requireAddress(required(args.supplier, "--supplier (or --debtor to request)"), "--supplier");
  const keys = await invoiceKeys(c, key, me, args.invoices, args.issueDate);
  const { id, receipt } = await issueReceivable(c.scf, { ...terms, supplier, invoiceKeys: keys });
  const l = await c.scf.creditLineOf(me, terms.token);
  return [
    `issued ${formatReceivable(id)} to ${supplier}: ${formatAmount(face, decimals)} ${args.currency.toUpperCase()}, ` +
      `maturing ${args.maturity}`,
    `  credit line used ${formatAmount(l.used, decimals)} of ${formatAmount(l.limit, decimals)}`,
    `  tx: ${receipt.hash}`,
  ];
}

export async function confirm(c: TradelineContracts, args: { id: string }): Promise<string[]> {
  const id = parseReceivable(required(args.id, "--id"));
  const tx = await c.scf.confirm(id);
  await tx.wait();
  return [`confirmed ${formatReceivable(id)}`, `  tx: ${tx.hash}`];
}

/** The debtor rejects a request, or the requesting supplier withdraws it; `--lapse true`: anyone, after maturity. */
export async function reject(c: TradelineContracts, args: { id: string; lapse: string }): Promise<string[]> {
  const id = parseReceivable(required(args.id, "--id"));
  const tx = args.lapse === "true" ? await c.scf.lapse(id) : await c.scf.reject(id);
  await tx.wait();
  return [`${args.lapse === "true" ? "lapsed" : "rejected"} request ${formatReceivable(id)}`, `  tx: ${tx.hash}`];
}

/** The financier holding a financed piece declares it in default (its family must be overdue). */
export async function declareDefault(c: TradelineContracts, args: { id: string }): Promise<string[]> {
  const id = parseReceivable(required(args.id, "--id"));
  const { family } = await familyToken(c, id);
  const tx = await c.scf.declareDefault(id);
  await tx.wait();
  return [`declared ${formatReceivable(id)} in default (debtor member ${family.debtor})`, `  tx: ${tx.hash}`];
}

/** Pays what the ledger parked for a member to its current payout account. */
export async function claim(c: TradelineContracts, args: { member: string; currency: string }): Promise<string[]> {
  const member = parseMemberId(required(args.member, "--member"));
  const token = tokenFor(c, required(args.currency, "--currency"));
  const decimals = Number(await token.decimals());
  const owed = await c.scf.owedTo(member, await token.getAddress());
  const tx = await c.scf.claimOwed(member, await token.getAddress());
  await tx.wait();
  return [
    `paid ${formatAmount(owed, decimals)} ${args.currency.toUpperCase()} parked for member ${member}`,
    `  tx: ${tx.hash}`,
  ];
}

export async function split(c: TradelineContracts, args: { id: string; faces: string }): Promise<string[]> {
  const id = parseReceivable(required(args.id, "--id"));
  const { decimals, code } = await familyToken(c, id);
  const faces = required(args.faces, "--faces")
    .split(",")
    .map((f) => parseAmount(f, decimals, { name: "--faces", bits: 64 }));
  const { children, receipt } = await splitReceivable(c.scf, id, faces);
  const parts = [id, ...children].map((x, i) => `${formatReceivable(x)} ${formatAmount(faces[i], decimals)} ${code}`);
  return [`split ${formatReceivable(id)} into ${parts.join(", ")}`, `  tx: ${receipt.hash}`];
}

export async function transfer(c: TradelineContracts, args: { id: string; to: string }): Promise<string[]> {
  const id = parseReceivable(required(args.id, "--id"));
  const to = requireAddress(required(args.to, "--to"), "--to");
  const tx = await c.scf.transfer(id, to);
  await tx.wait();
  const p = await c.scf.getPiece(id);
  return [`transferred ${formatReceivable(id)} to ${to} (tier ${p.tier})`, `  tx: ${tx.hash}`];
}

/** A quote file: what a financier hands the holder. */
interface QuoteFile {
  quote: Record<keyof QuoteTerms, string | number | boolean>;
  signature: string;
}

export async function quote(
  c: TradelineContracts,
  args: {
    id: string;
    rateBps: string;
    dayBase: string;
    recourse: string;
    seller?: string;
    validFor: string;
    out: string;
  },
  session: ScfSession,
): Promise<string[]> {
  const id = parseReceivable(required(args.id, "--id"));
  const { decimals, code } = await familyToken(c, id);
  // Basis points a year, whole (the quote holds a uint16); 12.5 or 1e3 is refused, not rounded or read as 1000.
  const rateBps = wholeNumber(args.rateBps, "--rate-bps", 65_535);
  const dayBaseText = args.dayBase.trim() === "" ? "360" : args.dayBase.trim();
  if (dayBaseText !== "360" && dayBaseText !== "365")
    throw new Error(`--day-base "${args.dayBase}" must be 360 or 365`);
  const dayBase = dayBaseText === "360" ? 360 : 365;
  const recourse = args.recourse === "true";
  // The financier agrees to buy from one member: the piece's holder now unless --seller names it.
  const seller =
    args.seller !== undefined && args.seller !== "" ? parseMemberId(args.seller) : (await c.scf.getPiece(id)).holder;
  const now = await chainTime(c.scf.runner);
  const q: QuoteTerms = {
    id,
    rateBps,
    dayBase,
    recourse,
    seller,
    expiry: now + BigInt(args.validFor === "" ? 3600 : wholeNumber(args.validFor, "--valid-for", 365 * 86_400)),
    nonce: BigInt(hexlify(randomBytes(16))),
  };
  const price = await c.scf.priceOf(q);
  const { family } = await familyToken(c, id);
  const approved = await approveLedger(c, family.token, await session.signer.getAddress(), price);
  const signature = await signQuote(c.scf, session.signer, q);
  const file: QuoteFile = {
    quote: {
      ...q,
      id: q.id.toString(),
      seller: q.seller.toString(),
      expiry: q.expiry.toString(),
      nonce: q.nonce.toString(),
    },
    signature,
  };
  await writeFile(required(args.out, "--out"), `${JSON.stringify(file, null, 2)}\n`);
  return [
    `quote for ${formatReceivable(id)}: ${rateBps} bps/year on a ${dayBase}-day base, ` +
      `${recourse ? "with" : "without"} recourse, from member ${seller}; price now ${formatAmount(price, decimals)} ${code}`,
    `  written to ${args.out}; valid until ${new Date(Number(q.expiry) * 1000).toISOString()}`,
    ...approved,
  ];
}

export async function finance(c: TradelineContracts, args: { quote: string }): Promise<string[]> {
  const file = required(args.quote, "--quote");
  const parsed = (await readJsonFile(file, "quote")) as unknown as QuoteFile;
  const raw = parsed.quote;
  if (raw === undefined || !isHexString(parsed.signature)) throw new Error(`${file} is not a quote file`);
  const q: QuoteTerms = {
    id: BigInt(String(raw.id)),
    rateBps: Number(raw.rateBps),
    dayBase: Number(raw.dayBase) as 360 | 365,
    recourse: raw.recourse === true,
    seller: BigInt(String(raw.seller)),
    expiry: BigInt(String(raw.expiry)),
    nonce: BigInt(String(raw.nonce)),
  };
  const { decimals, code } = await familyToken(c, q.id);
  const tx = await c.scf.finance(q, parsed.signature);
  const receipt = await tx.wait();
  const event = receipt?.logs.map((l) => c.scf.interface.parseLog(l)).find((e) => e?.name === "ReceivableFinanced");
  return [
    `sold ${formatReceivable(q.id)} to member ${String(event?.args.financier)} for ` +
      `${formatAmount(event?.args.price as bigint, decimals)} ${code}, paid in the same transaction`,
    `  tx: ${tx.hash}`,
  ];
}

export async function repay(c: TradelineContracts, args: { id: string }, session: ScfSession): Promise<string[]> {
  const root = rootOf(parseReceivable(required(args.id, "--id")));
  const { family, decimals, code } = await familyToken(c, root);
  const lines: string[] = [];
  if (["Confirmed", "Overdue", "Defaulted"].includes(FAMILY_STATES[Number(family.state)])) {
    const [due] = await c.scf.amountDue(root);
    lines.push(...(await approveLedger(c, family.token, await session.signer.getAddress(), due)));
    const tx = await c.scf.repay(root);
    const receipt = await tx.wait();
    const event = receipt?.logs.map((l) => c.scf.interface.parseLog(l)).find((e) => e?.name === "FamilyRepaid");
    lines.push(
      `repaid ${formatReceivable(root)}: ${formatAmount(event?.args.amount as bigint, decimals)} ${code} ` +
        `(penalty ${formatAmount(event?.args.penalty as bigint, decimals)})`,
      `  tx: ${tx.hash}`,
    );
  }
  // Pay every holder: the ledger is pull-based, so push each uncollected piece.
  for (let index = 0n; index < family.pieces; index++) {
    const id = root + index;
    const p = await c.scf.getPiece(id);
    if (PIECE_STATES[Number(p.state)] === "Collected" || p.frozen) continue;
    const tx = await c.scf.collect(id);
    const receipt = await tx.wait();
    const event = receipt?.logs.map((l) => c.scf.interface.parseLog(l)).find((e) => e?.name === "ReceivableCollected");
    const payee = String(event?.args.payee);
    lines.push(
      event?.args.paid === true
        ? `  paid ${formatAmount(event?.args.amount as bigint, decimals)} ${code} to member ${payee} for ${formatReceivable(id)}`
        : `  parked ${formatAmount(event?.args.amount as bigint, decimals)} ${code} for member ${payee} for ${formatReceivable(id)} (scf:claim)`,
    );
  }
  return lines;
}

function renderTree(node: TraceNode, decimals: number, code: string, depth = 0): string[] {
  const state = node.collected ? "collected" : node.financedBy !== undefined ? "financed" : "held";
  const line = `${"  ".repeat(depth)}${formatReceivable(node.id)}  ${formatAmount(node.face, decimals)} ${code}  tier ${node.tier}  ${state} by member ${node.holder}`;
  return [line, ...node.children.flatMap((child) => renderTree(child, decimals, code, depth + 1))];
}

export async function traceTask(c: TradelineContracts, args: { id: string }): Promise<string[]> {
  const id = parseReceivable(required(args.id, "--id"));
  const { family, decimals, code } = await familyToken(c, id);
  const tree = await traceFamily(c.scf, id);
  return [
    `${formatReceivable(rootOf(id))}: debtor member ${family.debtor}, ${formatAmount(family.face, decimals)} ${code}, ` +
      `matures ${new Date(Number(family.maturity) * 1000).toISOString().slice(0, 10)}, ${FAMILY_STATES[Number(family.state)]}`,
    ...renderTree(tree, decimals, code, 1),
  ];
}
