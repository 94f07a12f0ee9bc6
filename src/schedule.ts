/**
 * Instalment plans as the credit registry holds them, and the delinquency the registry derives from one.
 *
 * A plan is level: `instalments` payments, all but the last of `instalment`, the last of `finalInstalment`, due
 * weekly or monthly from `firstDueDay` (a UTC day number, days since 1970-01-01, as `dayNumber` in credit.ts).
 * The contract library implements the same rule with the same integer arithmetic; this module is its reference:
 * change one, change both.
 *
 * - Due day k: weekly, `firstDueDay + 7k`; monthly, the civil date k calendar months after `firstDueDay`, on the
 *   same day of the month clamped to the target month's length (Jan 31 → Feb 28 or 29 → Mar 31).
 * - From the outstanding amount: paid = total due − outstanding; the oldest unpaid instalment is
 *   min(⌊paid / instalment⌋, n − 1) (0 for a single instalment, none once everything is paid), and its days past
 *   due are today − its due day, never below 0.
 *
 * Builders make a plan from explicit amounts (`levelPlan`) or from a principal and a nominal rate
 * (`amortisingPlan`, an annuity rounded up to the minor unit with an exact final instalment).
 */

/** How often instalments fall due; the numbers are the registry's. */
export const Frequency = { Weekly: 0, Monthly: 1 } as const;
export type Frequency = (typeof Frequency)[keyof typeof Frequency];

/** An instalment plan, amounts in minor units. */
export interface Plan {
  /** Number of instalments, 1 to 120. */
  readonly instalments: number;
  readonly frequency: Frequency;
  /** UTC day number the first instalment falls due. */
  readonly firstDueDay: number;
  /** Each instalment but the last; more than 0 when there are two or more. */
  readonly instalment: bigint;
  /** The last instalment; always more than 0. */
  readonly finalInstalment: bigint;
}

/** The most instalments a plan may have. */
export const MAX_INSTALMENTS = 120;
/** The last day number the registry can store (its days are `uint24`). */
export const MAX_DAY = 2 ** 24 - 1;

/** Labels of the delinquency buckets, by index: `delinquencyBucket` returns the index. */
export const DELINQUENCY_BUCKETS = ["current", "1-30", "31-60", "61-90", "90+"] as const;
export type DelinquencyBucket = (typeof DELINQUENCY_BUCKETS)[number];

// ─── Calendar (integer arithmetic, as the contract does it) ─────────────────

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** The proleptic Gregorian date of a day number (H. Hinnant's `civil_from_days`). */
export function civilFromDays(dayNo: number): { year: number; month: number; day: number } {
  const z = dayNo + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Whether a year of the Gregorian calendar has a 29 February. */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in a month of a year (month 1 to 12). */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * The day `months` calendar months after (or, negative, before) `dayNo`, on the same day of the month clamped to
 * the target month's length: 31 January + 1 month is 28 (or 29) February, + 2 months is 31 March.
 */
export function addMonths(dayNo: number, months: number): number {
  const { year, month, day } = civilFromDays(dayNo);
  const index = year * 12 + (month - 1) + months;
  const y = Math.floor(index / 12);
  const m = index - y * 12 + 1;
  return daysFromCivil(y, m, Math.min(day, daysInMonth(y, m)));
}

/** Whether a day number is the last day of its month. */
export function isMonthEnd(dayNo: number): boolean {
  const { year, month, day } = civilFromDays(dayNo);
  return day === daysInMonth(year, month);
}

// ─── Validation ──────────────────────────────────────────────────────────────

function checkInteger(value: number, what: string, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new Error(`${what} must be a whole number from ${grouped(min)} to ${grouped(max)}, not ${value}`);
  }
}

function checkFrequency(frequency: number): asserts frequency is Frequency {
  if (frequency !== Frequency.Weekly && frequency !== Frequency.Monthly) {
    throw new Error(
      `frequency must be ${Frequency.Weekly} (weekly) or ${Frequency.Monthly} (monthly), not ${frequency}`,
    );
  }
}

/** An amount in minor units with thousands separators, as errors show it: 1200n → "1,200". */
function grouped(value: bigint | number): string {
  return value.toLocaleString("en-US");
}

/** Throws a readable Error when a plan breaks one of the registry's rules; returns the plan otherwise. */
export function checkPlan(plan: Plan): Plan {
  checkInteger(plan.instalments, "instalments", 1, MAX_INSTALMENTS);
  checkFrequency(plan.frequency);
  checkInteger(plan.firstDueDay, "firstDueDay", 0, MAX_DAY);
  if (typeof plan.instalment !== "bigint" || typeof plan.finalInstalment !== "bigint") {
    throw new Error("instalment and finalInstalment must be bigint amounts in minor units");
  }
  if (plan.instalments > 1 && plan.instalment <= 0n) {
    throw new Error(`instalment must be more than 0 when a plan has ${plan.instalments} instalments`);
  }
  if (plan.instalment < 0n) throw new Error(`instalment must not be negative, not ${grouped(plan.instalment)}`);
  if (plan.finalInstalment <= 0n) {
    throw new Error(`finalInstalment must be more than 0, not ${grouped(plan.finalInstalment)}`);
  }
  return plan;
}

function checkIndex(plan: Plan, k: number, max: number, what: string): void {
  if (!Number.isSafeInteger(k) || k < 0 || k > max) {
    throw new Error(`${what} must be a whole number from 0 to ${max} for a plan of ${plan.instalments}, not ${k}`);
  }
}

// ─── The registry's rule ─────────────────────────────────────────────────────

/** The day instalment `k` (0-based) falls due. */
export function dueDay(plan: Plan, k: number): number {
  checkPlan(plan);
  checkIndex(plan, k, plan.instalments - 1, "instalment index");
  return plan.frequency === Frequency.Weekly ? plan.firstDueDay + 7 * k : addMonths(plan.firstDueDay, k);
}

/** Every due day of a plan, in order. */
export function dueDays(plan: Plan): number[] {
  checkPlan(plan);
  return Array.from({ length: plan.instalments }, (_, k) => dueDay(plan, k));
}

/** The sum of all instalments: (n − 1) × instalment + finalInstalment. */
export function totalDue(plan: Plan): bigint {
  checkPlan(plan);
  return BigInt(plan.instalments - 1) * plan.instalment + plan.finalInstalment;
}

/** The sum of the first `k` instalments (0 to n). */
export function cumulativeDue(plan: Plan, k: number): bigint {
  checkPlan(plan);
  checkIndex(plan, k, plan.instalments, "instalment count");
  return k === plan.instalments ? totalDue(plan) : BigInt(k) * plan.instalment;
}

/** The oldest instalment not fully paid, from the amount still outstanding on the plan. */
export interface OldestUnpaid {
  /** Its index, 0-based. */
  index: number;
  dueDay: number;
  /** What is still due on it: cumulativeDue(index + 1) − paid. */
  dueOnIt: bigint;
  /** What has been paid on the plan in all: totalDue − outstanding. */
  paid: bigint;
}

/**
 * The oldest unpaid instalment given the amount outstanding (0 to the total due), or null when everything is paid.
 * Payments go to the oldest instalment first.
 */
export function oldestUnpaid(plan: Plan, outstanding: bigint): OldestUnpaid | null {
  const total = totalDue(plan);
  if (typeof outstanding !== "bigint" || outstanding < 0n || outstanding > total) {
    throw new Error(`outstanding must be from 0 to the plan's total due ${grouped(total)}, not ${String(outstanding)}`);
  }
  const paid = total - outstanding;
  if (paid >= total) return null;
  const n = plan.instalments;
  let index = 0;
  if (n > 1) {
    const whole = paid / plan.instalment; // bigint division: floor, paid ≥ 0
    index = whole < BigInt(n - 1) ? Number(whole) : n - 1;
  }
  return { index, dueDay: dueDay(plan, index), dueOnIt: cumulativeDue(plan, index + 1) - paid, paid };
}

/** Days the oldest unpaid instalment is past its due day on `today` (0 when it is not yet due or nothing is owed). */
export function daysPastDue(plan: Plan, outstanding: bigint, today: number): number {
  checkInteger(today, "today", 0, MAX_DAY);
  const oldest = oldestUnpaid(plan, outstanding);
  return oldest === null ? 0 : Math.max(0, today - oldest.dueDay);
}

/** The delinquency bucket of a number of days past due: 0 current, 1 for 1–30, 2 for 31–60, 3 for 61–90, 4 over 90. */
export function delinquencyBucket(dpd: number): number {
  checkInteger(dpd, "days past due", 0, Number.MAX_SAFE_INTEGER);
  if (dpd === 0) return 0;
  if (dpd <= 30) return 1;
  if (dpd <= 60) return 2;
  if (dpd <= 90) return 3;
  return 4;
}

// ─── Builders ────────────────────────────────────────────────────────────────

/**
 * A plan from explicit instalment amounts, accepted when all but the last are equal (the registry holds level
 * instalments); the error names the first instalment (0-based, as `dueDay`) that differs from the others.
 * A single amount makes a one-instalment plan with `instalment` 0.
 */
export function levelPlan(input: { amounts: readonly bigint[]; frequency: Frequency; firstDueDay: number }): Plan {
  const { amounts, frequency, firstDueDay } = input;
  checkInteger(amounts.length, "the number of instalment amounts", 1, MAX_INSTALMENTS);
  amounts.forEach((amount, k) => {
    if (typeof amount !== "bigint" || amount <= 0n) {
      throw new Error(`instalment ${k} must be a bigint amount more than 0, not ${String(amount)}`);
    }
  });
  const level = amounts.slice(0, -1);
  let instalment = 0n;
  if (level.length > 0) {
    // The amount most of the level instalments have (the earliest on a tie) is "the others".
    const counts = new Map<bigint, number>();
    for (const amount of level) counts.set(amount, (counts.get(amount) ?? 0) + 1);
    instalment = level[0];
    for (const amount of level) if (counts.get(amount)! > counts.get(instalment)!) instalment = amount;
    const odd = level.findIndex((amount) => amount !== instalment);
    if (odd >= 0) {
      throw new Error(
        `the registry holds level instalments: instalment ${odd} is ${grouped(level[odd])} ` +
          `where the others are ${grouped(instalment)}`,
      );
    }
  }
  return checkPlan({
    instalments: amounts.length,
    frequency,
    firstDueDay,
    instalment,
    finalInstalment: amounts[amounts.length - 1],
  });
}

/** An amortising plan, with the interest it charges. */
export interface AmortisingPlan extends Plan {
  /** The balance that amortises: principal plus financed fees. */
  readonly financed: bigint;
  /** Interest over the plan: totalDue − financed, exactly. */
  readonly interest: bigint;
}

/** Periods a year of a frequency, for a nominal annual rate. */
export function periodsPerYear(frequency: Frequency): number {
  checkFrequency(frequency);
  return frequency === Frequency.Weekly ? 52 : 12;
}

/**
 * A level plan that repays `principal` (plus financed `fees`) with interest at a nominal annual rate.
 *
 * The periodic rate is annualRateBps / 10 000 / 12 (monthly) or / 52 (weekly). The level instalment is the annuity
 * A = F·p·(1 + p)^n / ((1 + p)^n − 1), computed exactly and rounded up to the minor unit; each period's interest is
 * the balance × p rounded half-up; the final instalment is the balance left plus its interest, so the instalments
 * add up to the financed amount plus the interest exactly.
 */
export function amortisingPlan(input: {
  principal: bigint;
  annualRateBps: number;
  instalments: number;
  frequency: Frequency;
  firstDueDay: number;
  /** Fees financed with the principal (they amortise with it; the borrower receives `principal`). */
  fees?: bigint;
}): AmortisingPlan {
  const { principal, annualRateBps, instalments: n, frequency, firstDueDay } = input;
  const fees = input.fees ?? 0n;
  if (typeof principal !== "bigint" || principal <= 0n) {
    throw new Error(`principal must be a bigint amount more than 0, not ${String(principal)}`);
  }
  if (typeof fees !== "bigint" || fees < 0n) throw new Error(`fees must be a bigint amount of 0 or more, not ${fees}`);
  checkInteger(annualRateBps, "annualRateBps", 0, 1_000_000);
  checkInteger(n, "instalments", 1, MAX_INSTALMENTS);
  checkFrequency(frequency);
  checkInteger(firstDueDay, "firstDueDay", 0, MAX_DAY);

  const financed = principal + fees;
  const r = BigInt(annualRateBps);
  const d = 10_000n * BigInt(periodsPerYear(frequency)); // periodic rate p = r / d
  const interestOn = (balance: bigint) => (2n * balance * r + d) / (2n * d); // balance × p, half-up (balance ≥ 0)

  let instalment = 0n;
  if (n > 1) {
    if (r === 0n) {
      instalment = ceilDiv(financed, BigInt(n));
    } else {
      const grown = (d + r) ** BigInt(n);
      instalment = ceilDiv(financed * r * grown, d * (grown - d ** BigInt(n)));
    }
  }
  let balance = financed;
  let interest = 0n;
  for (let k = 0; k < n - 1; k++) {
    const charged = interestOn(balance);
    interest += charged;
    balance += charged - instalment;
    if (balance <= 0n) {
      throw new Error(
        `${grouped(financed)} is too small to amortise over ${n} instalments: ` +
          `the rounded instalment of ${grouped(instalment)} repays it by instalment ${k}`,
      );
    }
  }
  const charged = interestOn(balance);
  interest += charged;
  const plan = checkPlan({ instalments: n, frequency, firstDueDay, instalment, finalInstalment: balance + charged });
  return { ...plan, financed, interest };
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}
