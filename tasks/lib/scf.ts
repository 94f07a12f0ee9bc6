/**
 * The `scf:*` tasks' output: each operation is the supply-chain desk's (`src/desk/scf.ts`), printed as lines.
 * Amounts are in major units of the receivable's settlement token; receivables are named `R<family>.<index>`.
 */
import { writeFile } from "node:fs/promises";

import type { TradelineContracts } from "../../src/deployment.js";
import * as desk from "../../src/desk/scf.js";
import type { ScfDesk } from "../../src/desk/scf.js";
import type { signQuote } from "../../src/eip712.js";
import { formatAmount } from "../../src/encoding.js";
import { InputError, optionLabels, yesOrNo } from "../../src/input.js";
import type { ConsortiumKey } from "../../src/keys.js";
import {
  FAMILY_STATES,
  formatReceivable,
  parseReceivable,
  rootOf,
  trace as traceFamily,
  type TraceNode,
} from "../../src/scf.js";

import { readJsonFile, requireOption as required } from "./members.js";

/** What the SCF operations need from a session. */
export interface ScfSession {
  consortiumKey: () => Promise<ConsortiumKey>;
  signer: Parameters<typeof signQuote>[1] & { getAddress(): Promise<string> };
}

/** Operations that name no borrower and sign nothing off-chain run without a session. */
const NO_SESSION: ScfSession = {
  consortiumKey: () => Promise.reject(new Error("this operation needs a session's consortium key")),
  signer: {
    getAddress: () => Promise.reject(new Error("this operation needs a session's signer")),
  } as ScfSession["signer"],
};

function deskOf(c: TradelineContracts, session: ScfSession = NO_SESSION): ScfDesk {
  return { contracts: c, consortiumKey: session.consortiumKey, signer: session.signer, label: optionLabels };
}

const amount = (value: bigint, m: desk.Money) => `${formatAmount(value, m.decimals)} ${m.code}`;

export async function line(
  c: TradelineContracts,
  args: { debtor: string; limit: string; currency: string; freeze: string; financier?: string },
  session?: ScfSession,
): Promise<string[]> {
  if ((args.financier ?? "") !== "" && session === undefined) throw new Error("choosing a financier needs a signer");
  const r = await desk.line(deskOf(c, session), args);
  const tx = `  tx: ${r.receipt.hash}`;
  switch (r.action) {
    case "chose-financier":
      return [`${r.money.code} credit line of member ${r.member} now belongs to financier member ${r.financier}`, tx];
    case "frozen":
    case "unfrozen":
      return [`${r.money.code} credit line of member ${r.debtor} ${r.action}`, tx];
    case "set":
      return [
        `${r.money.code} credit line of member ${r.debtor}: ${formatAmount(r.limit, r.money.decimals)} ` +
          `(used ${formatAmount(r.used, r.money.decimals)})`,
        tx,
      ];
  }
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
  const r = await desk.issue(deskOf(c, session), args);
  if (r.action === "requested") {
    return [
      `requested ${formatReceivable(r.id)} from member ${r.debtor}: ${amount(r.face, r.money)}`,
      `  backed by ${r.invoices} invoice(s); awaiting the debtor's confirmation`,
      `  tx: ${r.receipt.hash}`,
    ];
  }
  return [
    `issued ${formatReceivable(r.id)} to ${r.supplier}: ${amount(r.face, r.money)}, maturing ${args.maturity}`,
    `  credit line used ${formatAmount(r.line!.used, r.money.decimals)} of ${formatAmount(r.line!.limit, r.money.decimals)}`,
    `  tx: ${r.receipt.hash}`,
  ];
}

export async function confirm(c: TradelineContracts, args: { id: string }): Promise<string[]> {
  const r = await desk.confirm(deskOf(c), args);
  return [`confirmed ${formatReceivable(r.id)}`, `  tx: ${r.receipt.hash}`];
}

/** The debtor rejects a request, or the requesting supplier withdraws it; `--lapse true`: anyone, after maturity. */
export async function reject(c: TradelineContracts, args: { id: string; lapse: string }): Promise<string[]> {
  const r = await desk.reject(deskOf(c), { id: args.id, lapse: yesOrNo(args.lapse, "--lapse") });
  return [`${r.action} request ${formatReceivable(r.id)}`, `  tx: ${r.receipt.hash}`];
}

/** The financier holding a financed piece declares it in default (its family must be overdue). */
export async function declareDefault(c: TradelineContracts, args: { id: string }): Promise<string[]> {
  const r = await desk.declareDefault(deskOf(c), args);
  return [`declared ${formatReceivable(r.id)} in default (debtor member ${r.debtor})`, `  tx: ${r.receipt.hash}`];
}

/** The financier holding a piece financed with recourse closes its recourse record: the seller made it whole. */
export async function closeRecourse(c: TradelineContracts, args: { id: string }): Promise<string[]> {
  const r = await desk.closeRecourse(deskOf(c), args);
  return [
    `closed the recourse record of ${formatReceivable(r.id)}: the seller made it whole outside the ledger`,
    `  tx: ${r.receipt.hash}`,
  ];
}

/** The financier holding a piece financed with recourse declares the seller's recourse in default. */
export async function defaultRecourse(c: TradelineContracts, args: { id: string }): Promise<string[]> {
  const r = await desk.defaultRecourse(deskOf(c), args);
  return [
    `declared the seller's recourse on ${formatReceivable(r.id)} in default: its credit record is Defaulted`,
    `  tx: ${r.receipt.hash}`,
  ];
}

/** Anyone closes the credit records of a piece of a repaid family that cannot be collected yet (frozen). */
export async function settleCreditRecords(c: TradelineContracts, args: { id: string }): Promise<string[]> {
  const r = await desk.settleCreditRecords(deskOf(c), args);
  return [
    `closed the credit records ${formatReceivable(r.id)}'s collection would close: its family is repaid`,
    `  tx: ${r.receipt.hash}`,
  ];
}

/** Pays what the ledger parked for a member to its current payout account. */
export async function claim(c: TradelineContracts, args: { member: string; currency: string }): Promise<string[]> {
  const r = await desk.claim(deskOf(c), args);
  return [`paid ${amount(r.amount, r.money)} parked for member ${r.member}`, `  tx: ${r.receipt.hash}`];
}

export async function split(
  c: TradelineContracts,
  args: { id: string; faces: string; to?: string },
): Promise<string[]> {
  const r = await desk.split(deskOf(c), args);
  const parts = r.pieces.map(
    (p) => `${formatReceivable(p.id)} ${amount(p.face, r.money)}${p.to === undefined ? "" : ` to ${p.to}`}`,
  );
  return [`split ${formatReceivable(r.id)} into ${parts.join(", ")}`, `  tx: ${r.receipt.hash}`];
}

export async function transfer(c: TradelineContracts, args: { id: string; to: string }): Promise<string[]> {
  const r = await desk.transfer(deskOf(c), args);
  return [`transferred ${formatReceivable(r.id)} to ${r.to} (tier ${r.tier})`, `  tx: ${r.receipt.hash}`];
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
  const out = required(args.out, "--out");
  const r = await desk.quote(deskOf(c, session), args);
  await writeFile(out, `${JSON.stringify(r.signed, null, 2)}\n`);
  const t = r.terms;
  return [
    `quote for ${formatReceivable(t.id)}: ${t.rateBps} bps/year on a ${t.dayBase}-day base, ` +
      `${t.recourse ? "with" : "without"} recourse, from member ${t.seller}; price now ${amount(r.price, r.money)}, ` +
      `at most ${amount(r.maxPrice, r.money)} by its expiry`,
    `  written to ${args.out}; valid until ${new Date(Number(t.expiry) * 1000).toISOString()}`,
    `  raised the ledger's allowance by ${amount(r.maxPrice, r.money)} (tx ${r.approval.hash})`,
  ];
}

export async function finance(c: TradelineContracts, args: { quote: string }): Promise<string[]> {
  const file = required(args.quote, "--quote");
  const parsed = await readJsonFile(file, "quote");
  const d = deskOf(c);
  try {
    desk.parseSignedQuote(d, parsed);
  } catch (err) {
    // A file of another shape; a quote whose fields or signature the chain refuses keeps its own reason.
    if (err instanceof InputError && !/ is not a signed quote/.test(err.message)) throw err;
    throw new Error(`${file} is not a quote file`);
  }
  const r = await desk.finance(d, parsed);
  return [
    `sold ${formatReceivable(r.id)} to member ${r.financier} for ${amount(r.price, r.money)}, paid in the same transaction`,
    `  tx: ${r.receipt.hash}`,
  ];
}

export async function repay(c: TradelineContracts, args: { id: string }, session: ScfSession): Promise<string[]> {
  const r = await desk.repay(deskOf(c, session), args);
  const lines: string[] = [];
  if (r.repaid !== undefined) {
    const a = r.repaid.approval;
    if (a !== undefined) lines.push(`  approved the ledger to draw ${a.amount} minor units (tx ${a.receipt.hash})`);
    lines.push(
      `repaid ${formatReceivable(r.root)}: ${amount(r.repaid.amount, r.money)} ` +
        `(penalty ${formatAmount(r.repaid.penalty, r.money.decimals)})`,
      `  tx: ${r.repaid.receipt.hash}`,
    );
  }
  for (const p of r.collected) {
    lines.push(
      p.paid
        ? `  paid ${amount(p.amount, r.money)} to member ${p.payee} for ${formatReceivable(p.id)}`
        : `  parked ${amount(p.amount, r.money)} for member ${p.payee} for ${formatReceivable(p.id)} (scf:claim)`,
    );
  }
  for (const id of r.settled) {
    lines.push(
      `  ${formatReceivable(id)} is frozen, not collected: closed the credit records its collection would close`,
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
  const { family, money } = await desk.familyToken(deskOf(c), id);
  const { decimals, code } = money;
  const tree = await traceFamily(c.scf, id);
  return [
    `${formatReceivable(rootOf(id))}: debtor member ${family.debtor}, ${formatAmount(family.face, decimals)} ${code}, ` +
      `matures ${new Date(Number(family.maturity) * 1000).toISOString().slice(0, 10)}, ${FAMILY_STATES[Number(family.state)]}`,
    ...renderTree(tree, decimals, code, 1),
  ];
}
