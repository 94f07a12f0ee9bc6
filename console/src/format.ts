/**
 * Amounts for people, as every desk shows them: the API gives minor units (text); a view shows major units with the
 * whole part grouped for the reader's language and every decimal kept ("60000000", 2 → "600,000.00"). The digits are
 * the SDK's (src/encoding.ts), so a face past 2^53 keeps them all.
 */
import { formatAmount } from "../../src/encoding";

/**
 * Minor units as major units, grouped and marked for `locale` (the runtime's when not given), e.g. "60000000", 2 →
 * "600,000.00" in English, "600.000,00" in Spanish.
 */
export function formatMinor(minor: string | bigint, decimals: number, locale?: string): string {
  const [whole, fraction] = formatAmount(BigInt(minor), decimals).split(".");
  const sign = whole.startsWith("-") ? "-" : "";
  const grouped = BigInt(whole.replace("-", "")).toLocaleString(locale);
  // The language's own decimal mark: Spanish groups with "." and marks decimals with ",".
  const mark = new Intl.NumberFormat(locale).formatToParts(1.5).find((p) => p.type === "decimal")?.value ?? ".";
  return `${sign}${grouped}${fraction === undefined ? "" : `${mark}${fraction}`}`;
}
