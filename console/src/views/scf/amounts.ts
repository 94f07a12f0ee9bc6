/**
 * Amounts of the receivable ledger: the read model gives faces in minor units (text, shown with ../../format.ts's
 * `formatMinor` and these decimals); the write endpoints take major units ("600000.00"). The network's settlement
 * currencies (CNY, USD, MXN) all have two decimals (ISO 4217).
 */
import { parseAmount } from "../../../../src/encoding";

export const DECIMALS = 2;

/** Major-unit text ("400000.5") as minor units (the SDK's parse), or undefined when it is not a positive amount. */
export function parseMajor(text: string, decimals = DECIMALS): bigint | undefined {
  try {
    return parseAmount(text, decimals);
  } catch {
    return undefined;
  }
}
