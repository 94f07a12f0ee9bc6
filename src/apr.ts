/**
 * The annual percentage rate of a credit by the actuarial method, under either of the two rules lenders disclose by.
 *
 * - "eu": the annual percentage rate of charge of the Consumer Credit Directive 2008/48/EC, Annex I (the same
 *   equation and remarks in (EU) 2023/2225): the rate X with Σ C_k (1 + X)^−t_k = Σ D_l (1 + X)^−s_l, the times in
 *   years from the first drawdown. Remark (c) lets a year be 365 days (366 in a leap year), 52 weeks or 12 equal
 *   months. Following the Commission's guidelines on remark (c) (SWD(2012) 128, 4.1.1), an interval is counted back
 *   from the later date in whole periods (years, months or weeks) and the days left over are a fraction of a year
 *   of 365 days, or 366 when the year ending where the whole periods start holds a 29 February (our reading of "366
 *   days for leap years"). Annual compounding: X is an effective rate.
 * - "us": the actuarial method of Regulation Z, 12 CFR 1026 Appendix J: a unit-period rate i with
 *   Σ A_k / ((1 + e_k i)(1 + i)^q_k) = Σ P_j / ((1 + f_j i)(1 + i)^t_j), q and t the full unit-periods and e and f
 *   the fractions of one ((b)(5)), from the beginning of the term; the APR is i × unit-periods a year ((b)(1)), a
 *   nominal rate. A monthly unit-period counts months back from the later date and the odd days over 30
 *   ((b)(5)(ii)); a week, days over 7 ((b)(5)(iv)).
 *
 * Amounts are bigint minor units and dates UTC day numbers, as in schedule.ts and credit.ts. The rate is solved with
 * Newton's method inside a bracket, falling back to bisection, to 1e-10.
 */
import {
  addMonths,
  civilFromDays,
  checkPlan,
  daysFromCivil,
  daysInMonth,
  dueDays,
  Frequency,
  isMonthEnd,
  MAX_DAY,
  type Plan,
} from "./schedule.js";

export type AprMethod = "eu" | "us";

/**
 * The period time is counted in.
 * EU: "year" (whole years and days: the calendar basis of the Directive's worked examples), "month" or "week".
 * US (the unit-period): "day", "week", "semimonth", "month", "year", or a multiple of weeks or months.
 */
export type AprPeriod = "day" | "week" | "semimonth" | "month" | "year" | { weeks: number } | { months: number };

/** An amount advanced to, or paid by, the borrower on a UTC day number. */
export interface Flow {
  amount: bigint;
  day: number;
}

export interface Flows {
  /** Drawdowns: the first one starts the term. */
  advanced: readonly Flow[];
  /** Repayments and payments of charges. */
  payments: readonly Flow[];
}

export interface AprOptions {
  /** Default "eu". */
  method?: AprMethod;
  /**
   * Default: EU "year" (whole years, then days over 365 or 366); US the unit-period Appendix J (b)(4) picks, the
   * common period between payments that occurs most often (the smaller on a tie), or, for one advance and one
   * payment, the term itself up to a year ((b)(5)(vi)–(vii)).
   */
  period?: AprPeriod;
}

/** The tolerance the APR is solved to (for US, the unit-period rate to this ÷ unit-periods a year). */
export const APR_TOLERANCE = 1e-10;

// ─── Time ────────────────────────────────────────────────────────────────────

/** A flow's time from the start of the term: `whole` full periods plus `fraction` of one. */
interface Time {
  whole: number;
  fraction: number;
}

/**
 * Whole steps of `step` months counted back from `later` that stay on or after `earlier`, the day those steps
 * reach, and the days left from `earlier` to it. When both days are the last of their months, months run from
 * month end to month end (Appendix J (b)(3)(iv); the EU guidelines count the same way).
 */
function monthsBack(earlier: number, later: number, step: number): { steps: number; anchor: number; days: number } {
  const a = civilFromDays(earlier);
  const b = civilFromDays(later);
  const monthEnds = isMonthEnd(earlier) && isMonthEnd(later);
  const months = (b.year - a.year) * 12 + (b.month - a.month);
  const back = (n: number) => {
    if (!monthEnds) return addMonths(later, -n * step);
    const index = b.year * 12 + (b.month - 1) - n * step;
    const y = Math.floor(index / 12);
    const m = index - y * 12 + 1;
    return daysFromCivil(y, m, daysInMonth(y, m));
  };
  let steps = Math.max(0, Math.floor(months / step));
  while (steps > 0 && back(steps) < earlier) steps--;
  const anchor = back(steps);
  return { steps, anchor, days: anchor - earlier };
}

/** Days in the year that ends on `day`: 366 when it holds a 29 February. */
function yearEndingOn(day: number): number {
  return day - addMonths(day, -12);
}

type EuPeriod = "year" | "month" | "week";

/** EU time in years: whole periods counted back from `day`, the rest in days over a 365- or 366-day year. */
function euYears(start: number, day: number, period: EuPeriod): number {
  if (period === "week") {
    const weeks = Math.floor((day - start) / 7);
    const anchor = day - 7 * weeks;
    return weeks / 52 + (anchor - start) / yearEndingOn(anchor);
  }
  const step = period === "year" ? 12 : 1;
  const { steps, anchor, days } = monthsBack(start, day, step);
  return (steps * step) / 12 + days / yearEndingOn(anchor);
}

/** A US unit-period: its length and how many make a year. */
interface UnitPeriod {
  kind: "day" | "week" | "semimonth" | "month" | "year";
  /** Weeks or months in one unit-period (1 for the others). */
  multiple: number;
  perYear: number;
}

function unitPeriod(period: AprPeriod): UnitPeriod {
  if (typeof period === "string") {
    const perYear = { day: 365, week: 52, semimonth: 24, month: 12, year: 1 }[period];
    if (perYear === undefined) throw new Error(`unknown period "${period}"`);
    return { kind: period, multiple: 1, perYear };
  }
  if ("weeks" in period) {
    checkWhole(period.weeks, "a unit-period's weeks", 1, 52);
    return { kind: "week", multiple: period.weeks, perYear: 52 / period.weeks };
  }
  checkWhole(period.months, "a unit-period's months", 1, 12);
  if (period.months === 12) return { kind: "year", multiple: 1, perYear: 1 };
  return { kind: "month", multiple: period.months, perYear: 12 / period.months };
}

/** Full unit-periods and the fraction of one from `start` to `day`, by Appendix J (b)(5). */
function usTime(start: number, day: number, unit: UnitPeriod): Time {
  const days = day - start;
  switch (unit.kind) {
    case "day":
      return { whole: days, fraction: 0 };
    case "week": {
      const length = 7 * unit.multiple; // (b)(5)(iv)
      return { whole: Math.floor(days / length), fraction: (days % length) / length };
    }
    case "year": {
      // (b)(5)(v): full years back from the later date; the rest in months over 12 when whole, else days over 365.
      const years = monthsBack(start, day, 12);
      const months = monthsBack(start, years.anchor, 1);
      const fraction = months.days === 0 ? months.steps / 12 : years.days / 365;
      return { whole: years.steps, fraction };
    }
    default: {
      const months = monthsBack(start, day, 1);
      if (unit.kind === "month" && unit.multiple === 1) return { whole: months.steps, fraction: months.days / 30 };
      // (b)(5)(iii): a semimonth or several months: 30 days a month counted back, plus the odd days.
      const length = unit.kind === "semimonth" ? 15 : 30 * unit.multiple;
      const counted = 30 * months.steps + months.days;
      return { whole: Math.floor(counted / length), fraction: (counted % length) / length };
    }
  }
}

/** The period between two days, named as Appendix J (b)(3) would: whole months, else weeks, else days. */
function periodBetween(from: number, to: number): { months: number } | { weeks: number } | { days: number } {
  const { steps, days } = monthsBack(from, to, 1);
  if (steps > 0 && days === 0) return { months: steps };
  return (to - from) % 7 === 0 ? { weeks: (to - from) / 7 } : { days: to - from };
}

/** Appendix J (b)(4): the common period that occurs most often, the smaller on a tie; null when there is none. */
function commonPeriod(start: number, paymentDays: readonly number[]): AprPeriod | null {
  const days = [start, ...new Set(paymentDays)].sort((a, b) => a - b);
  const seen = new Map<string, { period: ReturnType<typeof periodBetween>; count: number; length: number }>();
  for (let k = 1; k < days.length; k++) {
    if (days[k] === days[k - 1]) continue;
    const period = periodBetween(days[k - 1], days[k]);
    const key = JSON.stringify(period);
    const entry = seen.get(key) ?? { period, count: 0, length: days[k] - days[k - 1] };
    entry.count++;
    seen.set(key, entry);
  }
  const common = [...seen.values()].filter((e) => e.count > 1);
  common.sort((a, b) => b.count - a.count || a.length - b.length);
  const best = common[0]?.period;
  if (best === undefined) return null;
  if ("months" in best) return best.months <= 12 ? (best.months === 1 ? "month" : { months: best.months }) : null;
  if ("weeks" in best) return best.weeks <= 52 ? (best.weeks === 1 ? "week" : { weeks: best.weeks }) : null;
  return best.days === 1 ? "day" : null;
}

// ─── Solving ─────────────────────────────────────────────────────────────────

/** One term of the equation: sign × amount / ((1 + fraction·x)(1 + x)^whole). */
interface Term extends Time {
  amount: number;
}

function value(terms: readonly Term[], x: number): number {
  let sum = 0;
  for (const t of terms) sum += t.amount / ((1 + t.fraction * x) * (1 + x) ** t.whole);
  return sum;
}

function slope(terms: readonly Term[], x: number): number {
  let sum = 0;
  for (const t of terms) {
    const v = t.amount / ((1 + t.fraction * x) * (1 + x) ** t.whole);
    sum -= v * (t.fraction / (1 + t.fraction * x) + t.whole / (1 + x));
  }
  return sum;
}

/** Rates the equation is first tried at, to bracket its root: −99 % to 10⁶ (per year for EU, per unit-period US). */
const GRID = [-0.99, -0.9, -0.5, -0.2, -0.1, -0.01, 0, 0.01, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 100, 1e3, 1e4, 1e6];

/** The rate x at which the terms sum to 0: Newton's method kept inside a bracket, bisection when it strays. */
function solve(terms: readonly Term[], guess: number, tolerance: number): number {
  const points = GRID.map((x) => ({ x, v: value(terms, x) })).filter((p) => Number.isFinite(p.v));
  if (points.every((p) => p.v === 0)) {
    throw new Error("the payments match the advances day for day: every rate fits, so there is no APR");
  }
  const brackets: [number, number][] = [];
  for (let k = 0; k < points.length; k++) {
    if (points[k].v === 0) return points[k].x;
    if (k > 0 && Math.sign(points[k - 1].v) !== Math.sign(points[k].v)) brackets.push([points[k - 1].x, points[k].x]);
  }
  if (brackets.length === 0) {
    throw new Error(
      "no rate from -99% up makes the payments worth the advances: check the amounts, the days and which side each is on",
    );
  }
  if (brackets.length > 1) {
    const rates = brackets.map(([lo, hi]) => `${lo} to ${hi}`).join(" and ");
    throw new Error(`more than one rate makes the payments worth the advances (between ${rates}): no single APR`);
  }
  let [lo, hi] = brackets[0];
  const vLo = value(terms, lo);
  let x = guess > lo && guess < hi ? guess : (lo + hi) / 2;
  for (let iteration = 0; iteration < 500; iteration++) {
    const v = value(terms, x);
    if (v === 0) return x;
    if (Math.sign(v) === Math.sign(vLo)) lo = x;
    else hi = x;
    let next = x - v / slope(terms, x);
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (Math.abs(next - x) <= tolerance || hi - lo <= tolerance) return next;
    x = next;
  }
  throw new Error("the APR did not converge"); // not reached: bisection alone halves 1e6 to 1e-10 in 54 steps
}

// ─── The rate ────────────────────────────────────────────────────────────────

function checkWhole(value: number, what: string, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new Error(`${what} must be a whole number from ${min} to ${max}, not ${value}`);
  }
}

function checkFlows(flows: Flows): void {
  if (flows.advanced.length === 0) throw new Error("an APR needs at least one amount advanced");
  if (flows.payments.length === 0) throw new Error("an APR needs at least one payment");
  for (const [list, what] of [
    [flows.advanced, "advance"],
    [flows.payments, "payment"],
  ] as const) {
    list.forEach((flow, k) => {
      if (typeof flow.amount !== "bigint" || flow.amount <= 0n) {
        throw new Error(`${what} ${k} must be a bigint amount more than 0, not ${String(flow.amount)}`);
      }
      checkWhole(flow.day, `${what} ${k}'s day`, 0, MAX_DAY);
    });
  }
}

function checkMethod(method: string): asserts method is AprMethod {
  if (method !== "eu" && method !== "us") throw new Error(`method must be "eu" or "us", not "${method}"`);
}

/**
 * The APR of a credit from what is advanced and what is paid, as a fraction (0.1268 for 12.68 %).
 * It may be negative when less is paid than advanced; it throws when no rate, or more than one, fits.
 */
export function aprOf(flows: Flows, opts: AprOptions = {}): number {
  const method = opts.method ?? "eu";
  checkMethod(method);
  checkFlows(flows);
  const start = Math.min(...flows.advanced.map((f) => f.day));
  const late = flows.payments.find((f) => f.day < start);
  if (late) throw new Error(`a payment on day ${late.day} comes before the first advance on day ${start}`);
  const scale = Number(flows.advanced.reduce((sum, f) => sum + f.amount, 0n));
  const signed = [
    ...flows.advanced.map((f) => ({ day: f.day, amount: Number(f.amount) / scale })),
    ...flows.payments.map((f) => ({ day: f.day, amount: -Number(f.amount) / scale })),
  ];

  if (method === "eu") {
    const period = opts.period ?? "year";
    if (period !== "year" && period !== "month" && period !== "week") {
      throw new Error(`the EU rule counts time in years, months or weeks, not ${JSON.stringify(period)}`);
    }
    const terms = signed.map((f) => ({ amount: f.amount, whole: euYears(start, f.day, period), fraction: 0 }));
    return solve(terms, 0.1, APR_TOLERANCE);
  }

  // US, Appendix J (b)(5)(vi)–(vii): one advance and one payment less than a year apart make one unit-period, of
  // 12 ÷ months a year when the term is whole months, else of 365 ÷ days.
  if (opts.period === undefined && flows.advanced.length === 1 && flows.payments.length === 1) {
    const end = flows.payments[0].day;
    const { steps, days } = monthsBack(start, end, 1);
    if (end > start && steps < 12) {
      const perYear = days === 0 ? 12 / steps : 365 / (end - start);
      const terms = [
        { amount: 1, whole: 0, fraction: 0 },
        { amount: -Number(flows.payments[0].amount) / scale, whole: 1, fraction: 0 },
      ];
      return solve(terms, 0.01, APR_TOLERANCE / perYear) * perYear;
    }
  }
  // (b)(4): a single payment a year or more on makes the year the unit-period; else the common period.
  const payDays = flows.payments.map((f) => f.day);
  const period = opts.period ?? (payDays.length === 1 ? "year" : commonPeriod(start, payDays));
  if (period === null) {
    throw new Error(
      "the payments have no common period of a day, whole weeks or whole months (Appendix J (b)(4)): " +
        "pass opts.period",
    );
  }
  const unit = unitPeriod(period);
  const terms = signed.map((f) => ({ amount: f.amount, ...usTime(start, f.day, unit) }));
  return solve(terms, 0.1 / unit.perYear, APR_TOLERANCE / unit.perYear) * unit.perYear;
}

/**
 * The APR of a plan that repays `principal` advanced on `originationDay`, the instalments on the plan's due days.
 * Time runs in the plan's own period: EU in 12 equal months or 52 weeks a year, US with the plan's period as the
 * unit-period; a first period longer or shorter than the rest adds its odd days (EU over 365 or 366, US over 30 or 7).
 * Months are the plan's months, so due days clamped to a short month's end count as whole months.
 */
export function aprOfPlan(
  principal: bigint,
  plan: Plan,
  originationDay: number,
  opts: { method?: AprMethod } = {},
): number {
  const method = opts.method ?? "eu";
  checkMethod(method);
  checkPlan(plan);
  if (typeof principal !== "bigint" || principal <= 0n) {
    throw new Error(`principal must be a bigint amount more than 0, not ${String(principal)}`);
  }
  checkWhole(originationDay, "originationDay", 0, MAX_DAY);
  if (originationDay > plan.firstDueDay) {
    throw new Error(
      `the plan's first instalment (day ${plan.firstDueDay}) falls before its origination (day ${originationDay})`,
    );
  }
  const days = dueDays(plan);
  const amountOf = (k: number) => (k === plan.instalments - 1 ? plan.finalInstalment : plan.instalment);
  if (method === "us" && plan.instalments === 1) {
    // One advance, one payment: Appendix J makes the term the unit-period ((b)(5)(vi)–(vii)).
    return aprOf(
      { advanced: [{ amount: principal, day: originationDay }], payments: [{ amount: amountOf(0), day: days[0] }] },
      opts,
    );
  }

  // The first instalment's time from origination; each later one is one period more.
  const weekly = plan.frequency === Frequency.Weekly;
  let whole: number;
  let odd: number;
  let anchor: number;
  if (weekly) {
    whole = Math.floor((plan.firstDueDay - originationDay) / 7);
    odd = (plan.firstDueDay - originationDay) % 7;
    anchor = originationDay + odd;
  } else {
    ({ steps: whole, days: odd, anchor } = monthsBack(originationDay, plan.firstDueDay, 1));
  }
  const perYear = weekly ? 52 : 12;
  const scale = Number(principal);
  const terms: Term[] = [{ amount: 1, whole: 0, fraction: 0 }];
  for (let k = 0; k < plan.instalments; k++) {
    const amount = -Number(amountOf(k)) / scale;
    if (method === "eu") {
      terms.push({ amount, whole: (whole + k) / perYear + odd / yearEndingOn(anchor), fraction: 0 });
    } else {
      terms.push({ amount, whole: whole + k, fraction: odd / (weekly ? 7 : 30) });
    }
  }
  if (method === "eu") return solve(terms, 0.1, APR_TOLERANCE);
  return solve(terms, 0.1 / perYear, APR_TOLERANCE / perYear) * perYear;
}

/** An APR as whole basis points, rounded half up: 0.126825 → 1268 bps is 12.68 % (EU disclosure rounds to 0.1 %). */
export function aprBps(apr: number): number {
  if (!Number.isFinite(apr)) throw new Error(`an APR must be a finite number, not ${apr}`);
  // Through 12 significant digits first, so that 0.01045 (104.4999… in binary) rounds up as written.
  const bps = Number((apr * 10_000).toPrecision(12));
  return Math.floor(bps + 0.5);
}
