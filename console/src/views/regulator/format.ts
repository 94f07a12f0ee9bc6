/** The regulator desk's pure pieces: flags filtered and counted by day, reason codes and times in words. */

/** A multi-borrowing flag as `GET /v1/regulator/flags` answers it. */
export interface FlagRow {
  at: number;
  block: number;
  txHash: string;
  borrowerKey: string;
  loanId: string;
  lender: number | null;
  limit: string;
  value: string;
  max: string;
}

/** What the flags table is narrowed to: a lender, a borrower key, days (UTC, YYYY-MM-DD, both inclusive). */
export interface FlagFilter {
  lender?: number;
  borrowerKey?: string;
  from?: string;
  to?: string;
}

/** A UTC day, YYYY-MM-DD, of Unix seconds. */
export function utcDay(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}

/** The flags a filter lets through (a borrower key matches whatever its case). */
export function filterFlags<T extends FlagRow>(flags: readonly T[], filter: FlagFilter): T[] {
  const key = filter.borrowerKey?.trim().toLowerCase();
  return flags.filter((f) => {
    if (filter.lender !== undefined && f.lender !== filter.lender) return false;
    if (key !== undefined && key !== "" && f.borrowerKey.toLowerCase() !== key) return false;
    const day = utcDay(f.at);
    if (filter.from !== undefined && day < filter.from) return false;
    if (filter.to !== undefined && day > filter.to) return false;
    return true;
  });
}

/**
 * The chart's series: flags counted per UTC day, from the first flag's day to the last's, every day in between
 * present (a day without a flag counts 0), so the time axis is even.
 */
export function flagsPerDay(flags: readonly Pick<FlagRow, "at">[]): { days: string[]; counts: number[] } {
  if (flags.length === 0) return { days: [], counts: [] };
  const counts = new Map<string, number>();
  for (const f of flags) counts.set(utcDay(f.at), (counts.get(utcDay(f.at)) ?? 0) + 1);
  const sorted = [...counts.keys()].sort();
  const days: string[] = [];
  const last = Date.parse(`${sorted[sorted.length - 1]}T00:00:00Z`);
  for (let t = Date.parse(`${sorted[0]}T00:00:00Z`); t <= last; t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return { days, counts: days.map((d) => counts.get(d) ?? 0) };
}

/** A reason or purpose code (`bytes32`, zero-padded ASCII) in letters; a value that is not one, as given. */
export function reasonText(hex: string | null | undefined): string {
  if (hex === null || hex === undefined) return "";
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) return hex;
  const bytes = hex
    .slice(2)
    .match(/../g)!
    .map((b) => parseInt(b, 16));
  const end = bytes.indexOf(0);
  const used = end === -1 ? bytes : bytes.slice(0, end);
  if (used.length === 0 || used.some((b) => b < 0x20 || b > 0x7e)) return hex;
  return String.fromCharCode(...used);
}

/** Unix seconds as a UTC date and time, e.g. 2026-03-01 14:05 UTC. */
export function utcTime(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** A key or hash shortened for a cell: 0x1234…abcd (the whole value stays in the title and the CSV). */
export function short(hex: string): string {
  return hex.length > 14 ? `${hex.slice(0, 6)}…${hex.slice(-4)}` : hex;
}

/** Whether `text` is a borrower key: 0x and 64 hex digits. */
export function isBorrowerKey(text: string): boolean {
  return /^0x[0-9a-fA-F]{64}$/.test(text.trim());
}

/** A table's "nothing here" in a colour readable on white (antd's own grey fails WCAG AA contrast). */
export const EMPTY = { color: "rgba(0, 0, 0, 0.75)" } as const;

/** A key as a link: a fixed-width face, in a blue dark enough for WCAG AA on white (antd's link blue is not). */
export const MONO = {
  fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
  color: "#0b4f9c",
} as const;
