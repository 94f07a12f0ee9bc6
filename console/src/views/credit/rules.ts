/**
 * What the lender desk's forms check before sending, as the service checks it (src/credit.ts, src/keys.ts): a test
 * (rules.test.ts) keeps these lists equal to the SDK's. The service checks everything again; these only spare a
 * round trip for input it would refuse anyway.
 */
export const ID_TYPES = ["CN-RIC", "PASSPORT", "MX-CURP", "MX-RFC", "LEI", "USCC", "TAX-ID"] as const;
/** Product kinds a single lender registers (a JointLoan needs its funders: the `credit:register` task). */
export const PRODUCTS = ["ConsumerLoan", "SmeLoan", "ReceivableFinance", "TradeFinance"] as const;
/** The statuses a lender may move its loan to. */
export const STATUS_TARGETS = ["Overdue", "Active", "Defaulted", "WrittenOff", "Repaid"] as const;

/** The purposes a borrower's consent is given for (ConsentPurpose, None excepted); an inquiry names its consent's. */
export const CONSENT_PURPOSES = ["NewCredit", "AccountReview", "LimitReview", "Guarantee", "Collections"] as const;
/** A consent id in the consent book: 32 bytes of hex. */
export const CONSENT_ID = /^0x[0-9a-fA-F]{64}$/;
/** An APR in basis points: a whole number (2399 is 23.99%). */
export const APR_BPS = /^\d{1,9}$/;

/** Basis points as a percentage with two decimals, in the given locale ("23.99%"). */
export function formatAprBps(bps: number, locale?: string): string {
  return new Intl.NumberFormat(locale, { style: "percent", minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(
    bps / 10_000,
  );
}

/** A loan reference: 1 to 31 printable ASCII characters without spaces. */
export const LOAN_REF = /^[\x21-\x7e]{1,31}$/;
/** A positive amount in major units. */
export const AMOUNT = /^\d+(\.\d+)?$/;
/** A UTC date. */
export const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** An id number: letters and digits, with spaces, dashes, dots or slashes the service drops. */
export const ID_NUMBER = /^[0-9A-Za-z\s\-./]*[0-9A-Za-z][0-9A-Za-z\s\-./]*$/;

export function isDay(text: string): boolean {
  if (!DAY.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

export function isPositiveAmount(text: string): boolean {
  return AMOUNT.test(text) && /[1-9]/.test(text);
}

/** Compares two amounts in major units without floating point. */
export function compareAmounts(a: string, b: string): number {
  const scale = (s: string) => {
    const [whole, frac = ""] = s.split(".");
    return [whole.replace(/^0+/, ""), frac.replace(/0+$/, "")] as const;
  };
  const [aw, af] = scale(a);
  const [bw, bf] = scale(b);
  if (aw.length !== bw.length) return aw.length < bw.length ? -1 : 1;
  if (aw !== bw) return aw < bw ? -1 : 1;
  const n = Math.max(af.length, bf.length);
  const ap = af.padEnd(n, "0");
  const bp = bf.padEnd(n, "0");
  return ap === bp ? 0 : ap < bp ? -1 : 1;
}
