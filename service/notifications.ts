/**
 * What the service notifies: one pure mapping from a stored event row to a notification (or none), and one rule of
 * who sees it (`visible`): the API roles of each kind, and for `loan.registered` the service's member too. The SSE
 * stream (live and replayed) and the webhooks all filter with `visible`, so a token sees the same notifications on
 * each, and a replay from the events table gives what the live stream gave.
 */
import type { Kysely } from "kysely";

import type { ApiRole } from "./auth.js";
import type { EventRow, Tables } from "./schema.js";

export const NOTIFICATION_KINDS = [
  "tranche.paid",
  "evidence.recorded",
  "credit.flagged",
  "receivable.overdue",
  "dispute.opened",
  "dispute.resolved",
  "loan.registered",
  "advance.open",
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export type Module = "credit" | "scf" | "trade";

/** Where a notification comes from: the contract and event name, and what it is, with who may see it. */
interface Source {
  contract: string;
  event: string;
  kind: NotificationKind;
  module: Module;
  roles: readonly ApiRole[];
  /**
   * Seen only on the service of a member whose borrower it concerns (`visible`): a loan another member registered
   * to a borrower this member had lent to before.
   */
  ownBorrowers?: true;
}

const TRADE_PARTIES: readonly ApiRole[] = ["exporter", "importer", "bank-treasury", "regulator"];
const TRADE_DISPUTE: readonly ApiRole[] = ["exporter", "importer", "regulator"];
const CREDIT: readonly ApiRole[] = ["lender-desk", "regulator"];

/** Every event that makes a notification. No receivable dispute exists on the chain, so none is listed. */
export const SOURCES: readonly Source[] = [
  { contract: "TradeSettlement", event: "TranchePaid", kind: "tranche.paid", module: "trade", roles: TRADE_PARTIES },
  // One per kind of evidence once its oracles' threshold is reached: the evidence a tranche waits for is recorded.
  {
    contract: "TradeSettlement",
    event: "EvidenceCompleted",
    kind: "evidence.recorded",
    module: "trade",
    roles: TRADE_PARTIES,
  },
  {
    contract: "TradeSettlement",
    event: "OrderDisputed",
    kind: "dispute.opened",
    module: "trade",
    roles: TRADE_DISPUTE,
  },
  {
    contract: "TradeSettlement",
    event: "DisputeResolved",
    kind: "dispute.resolved",
    module: "trade",
    roles: TRADE_DISPUTE,
  },
  // A dispute the arbiter let expire with nothing at stake ends too: the order is back to Funded.
  {
    contract: "TradeSettlement",
    event: "DisputeExpired",
    kind: "dispute.resolved",
    module: "trade",
    roles: TRADE_DISPUTE,
  },
  {
    contract: "CreditRegistry",
    event: "MultiBorrowingFlagged",
    kind: "credit.flagged",
    module: "credit",
    roles: CREDIT,
  },
  { contract: "CreditRegistry", event: "DisputeOpened", kind: "dispute.opened", module: "credit", roles: CREDIT },
  { contract: "CreditRegistry", event: "DisputeResolved", kind: "dispute.resolved", module: "credit", roles: CREDIT },
  {
    contract: "CreditRegistry",
    event: "LoanRegistered",
    kind: "loan.registered",
    module: "credit",
    roles: ["lender-desk"],
    ownBorrowers: true,
  },
  // A financed order ended without repaying its financier's advance: the exporter's credit record stays open until
  // the financier closes it (closeAdvance).
  {
    contract: "TradeSettlement",
    event: "AdvanceLeftOpen",
    kind: "advance.open",
    module: "trade",
    roles: ["bank-treasury", "regulator"],
  },
  {
    contract: "ReceivableLedger",
    event: "FamilyOverdue",
    kind: "receivable.overdue",
    module: "scf",
    roles: ["supply-chain-desk", "regulator"],
  },
];

/** The event names that can make a notification (to narrow a query of the events table). */
export const NOTIFYING_EVENTS: readonly string[] = [...new Set(SOURCES.map((s) => s.event))];

/** A notification as the stream and the webhooks send it. */
export interface Notification {
  /** The cursor: `<block number>:<log index>`, increasing in chain order. */
  id: string;
  kind: NotificationKind;
  module: Module;
  /** The contract and event it comes from. */
  contract: string;
  event: string;
  chainId: number;
  block: number;
  logIndex: number;
  /** The block's time, Unix seconds. */
  at: number;
  txHash: string;
  /** The event's decoded arguments (integers as decimal strings). */
  data: Record<string, unknown>;
}

/** A position in the chain's events: after `block`'s log `logIndex`. */
export interface Cursor {
  block: number;
  logIndex: number;
}

export function formatCursor(c: Cursor): string {
  return `${c.block}:${c.logIndex}`;
}

/** Parses `<block>:<log index>`; undefined for anything else. */
export function parseCursor(text: string): Cursor | undefined {
  const m = /^(\d{1,15}):(\d{1,9})$/.exec(text.trim());
  return m === null ? undefined : { block: Number(m[1]), logIndex: Number(m[2]) };
}

/** Negative, zero or positive as `a` is before, at or after `b`. */
export function compareCursors(a: Cursor, b: Cursor): number {
  return a.block - b.block || a.logIndex - b.logIndex;
}

function sourceOf(contract: string, event: string | null): Source | undefined {
  return SOURCES.find((s) => s.contract === contract && s.event === event);
}

/** The notification an event row makes, or undefined when it makes none (or is undecoded). */
export function notificationOf(row: EventRow): Notification | undefined {
  const source = sourceOf(row.contract, row.name);
  if (source === undefined) return undefined;
  const block = Number(row.block_number);
  const logIndex = Number(row.log_index);
  return {
    id: formatCursor({ block, logIndex }),
    kind: source.kind,
    module: source.module,
    contract: row.contract,
    event: source.event,
    chainId: Number(row.chain_id),
    block,
    logIndex,
    at: Number(row.block_timestamp),
    txHash: row.tx_hash,
    data: JSON.parse(row.args) as Record<string, unknown>,
  };
}

/** The roles allowed to see a notification. */
export function rolesFor(n: Pick<Notification, "contract" | "event">): readonly ApiRole[] {
  return sourceOf(n.contract, n.event)?.roles ?? [];
}

/**
 * Whether a token with `roles` may see notifications of `n`'s source: needed, not enough (a `loan.registered` is
 * also scoped to the member); filter with `visible`.
 */
export function rolesMaySee(roles: readonly ApiRole[], n: Pick<Notification, "contract" | "event">): boolean {
  const allowed = rolesFor(n);
  return roles.some((r) => allowed.includes(r));
}

/** The kinds a token with `roles` may see at least some notifications of. */
export function kindsVisibleTo(roles: readonly ApiRole[]): NotificationKind[] {
  return NOTIFICATION_KINDS.filter((k) => SOURCES.some((s) => s.kind === k && s.roles.some((r) => roles.includes(r))));
}

/** The member `operator` acts for (its admin or an operator it added), in the read model; undefined for none. */
export async function memberOfOperator(
  db: Kysely<Tables>,
  chainId: number,
  operator: string,
): Promise<number | undefined> {
  // As MemberRegistry.memberForKey: each operator a member added acts for it, and so does its admin.
  const account = operator.toLowerCase();
  const added = await db
    .selectFrom("member_operators")
    .select("member_id")
    .where("chain_id", "=", chainId)
    .where((eb) => eb(eb.fn("lower", ["operator"]), "=", account))
    .executeTakeFirst();
  if (added !== undefined) return Number(added.member_id);
  const admin = await db
    .selectFrom("members")
    .select("id")
    .where("chain_id", "=", chainId)
    .where((eb) => eb(eb.fn("lower", ["admin"]), "=", account))
    .executeTakeFirst();
  return admin === undefined ? undefined : Number(admin.id);
}

/**
 * Who sees what, the one rule: of `notes`, in order, those a token with `roles` may see on the service that signs
 * with `operator`'s key (undefined: a read-only service, of no member).
 *
 * A notification is seen by the roles of its source. A `loan.registered` is seen only on the service of a member M
 * (the operator's member in the read model), when the loan's lender is another member and M had registered a loan
 * to the same borrower key before it (earlier in chain order): another lender is lending to one of M's borrowers.
 * A service of no member sends none. Loans are only ever added to the read model (a reorg rebuilds it), so the
 * answer for an event does not change with the time it is asked: live, replayed or delivered.
 */
export async function visible(
  db: Kysely<Tables>,
  chainId: number,
  operator: string | undefined,
  roles: readonly ApiRole[],
  notes: readonly Notification[],
): Promise<Notification[]> {
  const byRole = notes.filter((n) => rolesMaySee(roles, n));
  const scoped = byRole.filter((n) => sourceOf(n.contract, n.event)?.ownBorrowers === true);
  if (scoped.length === 0) return byRole;
  const member = operator === undefined ? undefined : await memberOfOperator(db, chainId, operator);
  const shown = member === undefined ? new Set<string>() : await lentToBefore(db, chainId, member, scoped);
  return byRole.filter((n) => !scoped.includes(n) || shown.has(n.id));
}

/** The ids of the `LoanRegistered` notifications of another lender to a borrower `member` had lent to before. */
async function lentToBefore(
  db: Kysely<Tables>,
  chainId: number,
  member: number,
  loans: readonly Notification[],
): Promise<Set<string>> {
  const others = loans.filter((n) => Number(n.data.lender) !== member);
  const shown = new Set<string>();
  if (others.length === 0) return shown;
  const keys = [...new Set(others.map((n) => String(n.data.borrowerKey)))];
  const own = await db
    .selectFrom("loans")
    .select(["id", "borrower_key", "registered_block"])
    .where("chain_id", "=", chainId)
    .where("lender", "=", member)
    .where("borrower_key", "in", keys)
    .where("registered_block", "<=", Math.max(...others.map((n) => n.block)))
    .execute();
  // The read model keeps a loan's block, not its log index: a loan of the same block is placed by its event.
  const sameBlock = new Set(others.map((n) => n.block));
  const placed = own.filter((l) => sameBlock.has(Number(l.registered_block)));
  const logIndexOf = new Map<string, number>();
  if (placed.length > 0) {
    const rows = await db
      .selectFrom("events")
      .select(["log_index", "args"])
      .where("chain_id", "=", chainId)
      .where("contract", "=", "CreditRegistry")
      .where("name", "=", "LoanRegistered")
      .where("block_number", "in", [...new Set(placed.map((l) => Number(l.registered_block)))])
      .execute();
    for (const r of rows) logIndexOf.set(String((JSON.parse(r.args) as { id: unknown }).id), Number(r.log_index));
  }
  for (const n of others) {
    const before = own.some((l) => {
      if (l.borrower_key !== n.data.borrowerKey) return false;
      const block = Number(l.registered_block);
      if (block !== n.block) return block < n.block;
      return (logIndexOf.get(l.id) ?? Number.POSITIVE_INFINITY) < n.logIndex;
    });
    if (before) shown.add(n.id);
  }
  return shown;
}
