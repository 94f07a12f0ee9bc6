/**
 * The create form's checks: the SDK's own (`parseTranches`, `parseAmount`, `buildOrder`), which are pure and run in
 * the browser as they run in `trade:create`, so the form refuses what the service would refuse before anything is
 * sent. Dates are whole UTC days; the deadline is the day's end, as the desk reads them (src/desk/trade.ts).
 */
import { parseAmount } from "../../../../src/encoding";
import { EVIDENCE_KINDS, MAX_FEE_BPS, buildOrder, parseTranches } from "../../../../src/trade";

export { EVIDENCE_KINDS, MAX_FEE_BPS };

export interface CreateValues {
  exporter: number;
  importerBank: number;
  exporterBank: number;
  document: string;
  amount: string;
  currency: string;
  payout?: string;
  tranches: string;
  shipBy: string;
  objectionDays: number;
  expires: string;
  importerFeeBps: number;
  exporterFeeBps: number;
}

/** The end of a UTC day `YYYY-MM-DD`, in Unix seconds. */
export function endOfDay(day: string): bigint {
  return BigInt(Date.parse(`${day}T00:00:00Z`) / 1000) + 86_399n;
}

/** The SDK's check of the tranche list; the error's words when it fails. */
export function tranchesProblem(text: string): string | undefined {
  return problemOf(() => parseTranches(text));
}

/** The SDK's check of the amount for a currency of `decimals` (the contract stores it in 96 bits). */
export function amountProblem(text: string, decimals: number): string | undefined {
  return problemOf(() => parseAmount(text, decimals, { name: "amount", bits: 96 }));
}

/** Every rule of the order as `buildOrder` checks it, with `now` the current time in Unix seconds. */
export function termsProblem(v: CreateValues, decimals: number, now: number): string | undefined {
  return problemOf(() =>
    buildOrder({
      exporter: BigInt(v.exporter),
      importerBank: BigInt(v.importerBank),
      exporterBank: BigInt(v.exporterBank),
      document: v.document,
      // Only the rules are checked here: the service draws the real salt; any non-zero one builds the commitment.
      documentSalt: `0x${"01".repeat(32)}`,
      payToken: v.currency,
      payoutToken: v.payout,
      amount: parseAmount(v.amount, decimals, { name: "amount", bits: 96 }),
      importerBankFeeBps: v.importerFeeBps,
      exporterBankFeeBps: v.exporterFeeBps,
      shipmentDeadline: endOfDay(v.shipBy),
      objectionWindow: v.objectionDays * 86_400,
      expiry: endOfDay(v.expires),
      tranches: v.tranches,
      now: BigInt(now),
    }),
  );
}

function problemOf(check: () => unknown): string | undefined {
  try {
    check();
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
