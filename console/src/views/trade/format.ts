/** How the trade views show amounts, rates, times and UETRs: the SDK's own encodings, for people. */
import { minorUnits } from "../../../../src/encoding";
import { formatUetr, majorRateText } from "../../../../src/trade";
import { formatMinor } from "../../format";

/** Minor units of `code` as major units with grouping, e.g. "120,000.00 MXN". */
export function money(minor: string | bigint, code: string, locale?: string): string {
  return `${formatMinor(minor, decimalsOf(code), locale ?? "en")} ${code}`;
}

function decimalsOf(code: string): number {
  try {
    return minorUnits(code);
  } catch {
    return 0; // not a currency code (the API answered a token address): show the raw units
  }
}

/**
 * A payment's rate as major units of the payout currency per major unit of the pay currency ("0.38"); the contract's
 * rate is minor units per minor unit, scaled by 1e18. Zero when no conversion was made.
 */
export function majorRate(rate: string, sell: string, buy: string): string {
  const scaled = BigInt(rate);
  if (scaled === 0n) return "1";
  return majorRateText(scaled, decimalsOf(sell), decimalsOf(buy));
}

/** Unix seconds as a local date and time. */
export function when(seconds: number | null | undefined, locale?: string): string {
  if (seconds === null || seconds === undefined || seconds === 0) return "—";
  return new Date(seconds * 1000).toLocaleString(locale, { dateStyle: "medium", timeStyle: "short" });
}

/** A UETR as its canonical UUID text. */
export function uetrText(uetr: string): string {
  try {
    return formatUetr(uetr);
  } catch {
    return uetr;
  }
}

/** The tranche number `TranchePaid` gives an arbiter's award (ITradeSettlement): no order has it (8 at most). */
export const AWARD_TRANCHE = 254;

/**
 * How many tranches an order settled: `settledTranches` is the contract's bitmask of tranches paid to the exporter's
 * side, refunded to the importer's bank, or decided in a dispute (the order's page tells them apart).
 */
export function settledCount(o: { settledTranches: number }): number {
  let n = 0;
  for (let m = o.settledTranches; m > 0; m >>= 1) n += m & 1;
  return n;
}
