/**
 * What the service notifies, derived from the stored event rows alone: one pure mapping from an event row to a
 * notification (or none), with the API roles allowed to see it. The SSE stream and the webhooks share it, so a token
 * sees the same notifications on both, and a replay from the events table gives what the live stream gave.
 *
 * Member scoping is not there yet: tokens carry roles, not a member, so `loan.registered` goes to every lender-desk
 * token (not only to the member whose borrower it is) until tokens are bound to a member.
 */
import type { ApiRole } from "./auth.js";
import type { EventRow } from "./schema.js";

export const NOTIFICATION_KINDS = [
  "tranche.paid",
  "evidence.recorded",
  "credit.flagged",
  "receivable.overdue",
  "dispute.opened",
  "dispute.resolved",
  "loan.registered",
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

/** Whether a token with `roles` may see notification `n`. */
export function maySee(roles: readonly ApiRole[], n: Pick<Notification, "contract" | "event">): boolean {
  const allowed = rolesFor(n);
  return roles.some((r) => allowed.includes(r));
}

/** The kinds a token with `roles` may see at least some notifications of. */
export function kindsVisibleTo(roles: readonly ApiRole[]): NotificationKind[] {
  return NOTIFICATION_KINDS.filter((k) => SOURCES.some((s) => s.kind === k && s.roles.some((r) => roles.includes(r))));
}
