/**
 * Amounts of the receivable ledger: the read model gives faces in minor units (text); the write endpoints take major
 * units ("600000.00"). The network's settlement currencies (CNY, USD, MXN) all have two decimals (ISO 4217).
 */
export const DECIMALS = 2;

/** Minor units as major-unit text with grouping, e.g. "60000000" → "600,000.00". */
export function formatMinor(minor: string, locale?: string, decimals = DECIMALS): string {
  const value = BigInt(minor);
  const scale = 10n ** BigInt(decimals);
  const whole = value / scale;
  const fraction = (value % scale).toString().padStart(decimals, "0");
  const grouped = new Intl.NumberFormat(locale).format(whole);
  return decimals === 0 ? grouped : `${grouped}.${fraction}`;
}

/** Major-unit text ("400000.5") as minor units, or undefined when it is not a positive amount with ≤ `decimals`. */
export function parseMajor(text: string, decimals = DECIMALS): bigint | undefined {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (m === null || (m[2] ?? "").length > decimals) return undefined;
  const value = BigInt(m[1]) * 10n ** BigInt(decimals) + BigInt((m[2] ?? "").padEnd(decimals, "0") || "0");
  return value > 0n ? value : undefined;
}
