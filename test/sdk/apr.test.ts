import { expect } from "chai";

import { aprBps, aprOf, aprOfPlan, type AprPeriod, type Flow } from "../../src/apr.js";
import { dayNumber } from "../../src/credit.js";
import { addMonths, dueDays, Frequency, type Plan } from "../../src/schedule.js";

const day = (date: string) => dayNumber(date);

/** `count` payments of `amount` from `first`, each `months` calendar months (from the first) or `weeks` weeks on. */
function series(count: number, amount: bigint, first: string, every: { months: number } | { weeks: number }): Flow[] {
  return Array.from({ length: count }, (_, k) => ({
    amount,
    day: "months" in every ? addMonths(day(first), k * every.months) : day(first) + 7 * every.weeks * k,
  }));
}

/**
 * Asserts two rates agree to a tolerance (chai's closeTo is taken over for bigints by the Hardhat matchers, which
 * refuse fractions when the whole suite runs).
 */
function expectNear(actual: number, expected: number, tolerance: number, what = "rate"): void {
  if (!(Math.abs(actual - expected) <= tolerance))
    expect.fail(`${what} ${actual} is not within ${tolerance} of ${expected}`);
}

/** The APR in percent to the hundredth, as Appendix J publishes it (its rates are right when rounded to two decimals). */
const percent2 = (apr: number) => aprBps(apr) / 100;

interface Published {
  source: string;
  advanced: bigint;
  on: string;
  payments: Flow[];
  period?: AprPeriod;
  apr: number;
}

/**
 * Regulation Z, 12 CFR Part 1026, Appendix J (Annual Percentage Rate Computations for Closed-End Credit
 * Transactions), paragraph (c), "Examples for the actuarial method": the inputs and the published rate, in percent
 * to two decimals. Each example's dates are the appendix's own (1978).
 */
const APPENDIX_J: Published[] = [
  // (c)(1)(i) monthly payments, regular first period: $5,000 on 1-10-78; 24 of $230 from 2-10-78. 9.69 %.
  {
    source: "(c)(1)(i)",
    advanced: 500_000n,
    on: "1978-01-10",
    payments: series(24, 23_000n, "1978-02-10", { months: 1 }),
    apr: 9.69,
  },
  // (c)(1)(ii) monthly payments, long first period: $6,000 on 2-10-78; 36 of $200 from 4-1-78. 11.82 %.
  {
    source: "(c)(1)(ii)",
    advanced: 600_000n,
    on: "1978-02-10",
    payments: series(36, 20_000n, "1978-04-01", { months: 1 }),
    apr: 11.82,
  },
  // (c)(1)(iii) semimonthly payments, short first period: $5,000 on 2-23-78; 24 of $219.17 on the 1st and 16th
  // from 3-1-78. 10.34 %.
  {
    source: "(c)(1)(iii)",
    advanced: 500_000n,
    on: "1978-02-23",
    payments: series(12, 21_917n, "1978-03-01", { months: 1 })
      .concat(series(12, 21_917n, "1978-03-16", { months: 1 }))
      .sort((a, b) => a.day - b.day),
    period: "semimonth",
    apr: 10.34,
  },
  // (c)(1)(iv) quarterly payments, long first period: $10,000 on 5-23-78; 40 of $385 from 10-1-78. 8.97 %.
  {
    source: "(c)(1)(iv)",
    advanced: 1_000_000n,
    on: "1978-05-23",
    payments: series(40, 38_500n, "1978-10-01", { months: 3 }),
    apr: 8.97,
  },
  // (c)(1)(v) weekly payments, long first period: $500 on 3-20-78; 30 of $17.60 from 4-21-78. 14.96 %.
  {
    source: "(c)(1)(v)",
    advanced: 50_000n,
    on: "1978-03-20",
    payments: series(30, 1_760n, "1978-04-21", { weeks: 1 }),
    apr: 14.96,
  },
  // (c)(2)(i) monthly, irregular first payment: $5,000 on 1-10-78; $250 on 2-10-78, then 23 of $230. 10.08 %.
  {
    source: "(c)(2)(i)",
    advanced: 500_000n,
    on: "1978-01-10",
    payments: [{ amount: 25_000n, day: day("1978-02-10") }, ...series(23, 23_000n, "1978-03-10", { months: 1 })],
    apr: 10.08,
  },
  // (c)(2)(ii) every 4 weeks, long first period, irregular first payment: $400 on 3-18-78; $39.50 on 4-20-78,
  // then 11 of $38.31 from 5-18-78. 28.50 %.
  {
    source: "(c)(2)(ii)",
    advanced: 40_000n,
    on: "1978-03-18",
    payments: [{ amount: 3_950n, day: day("1978-04-20") }, ...series(11, 3_831n, "1978-05-18", { weeks: 4 })],
    apr: 28.5,
  },
  // (c)(3)(i) monthly, irregular final payment: $5,000 on 1-10-78; 23 of $230 from 2-10-78, then $280. 10.50 %.
  {
    source: "(c)(3)(i)",
    advanced: 500_000n,
    on: "1978-01-10",
    payments: series(24, 23_000n, "1978-02-10", { months: 1 }).map((f, k) =>
      k === 23 ? { ...f, amount: 28_000n } : f,
    ),
    apr: 10.5,
  },
  // (c)(3)(ii) every 2 weeks, short first period, irregular final payment: $200 on 4-3-78; 19 of $9.50 from
  // 4-11-78, then $30. 12.22 %.
  {
    source: "(c)(3)(ii)",
    advanced: 20_000n,
    on: "1978-04-03",
    payments: series(20, 950n, "1978-04-11", { weeks: 2 }).map((f, k) => (k === 19 ? { ...f, amount: 3_000n } : f)),
    apr: 12.22,
  },
  // (c)(4)(i) monthly, irregular first and final payments: $5,000 on 1-10-78; $250 on 2-10-78, 22 of $230, $280.
  // 10.90 %.
  {
    source: "(c)(4)(i)",
    advanced: 500_000n,
    on: "1978-01-10",
    payments: [
      { amount: 25_000n, day: day("1978-02-10") },
      ...series(23, 23_000n, "1978-03-10", { months: 1 }).map((f, k) => (k === 22 ? { ...f, amount: 28_000n } : f)),
    ],
    apr: 10.9,
  },
  // (c)(4)(ii) every 2 months, short first period, irregular first and final payments: $8,000 on 1-10-78;
  // $449.36 on 3-1-78, 18 of $465 from 5-1-78, then $200 on 5-1-81. 7.30 %.
  {
    source: "(c)(4)(ii)",
    advanced: 800_000n,
    on: "1978-01-10",
    payments: [
      { amount: 44_936n, day: day("1978-03-01") },
      ...series(19, 46_500n, "1978-05-01", { months: 2 }).map((f, k) => (k === 18 ? { ...f, amount: 20_000n } : f)),
    ],
    apr: 7.3,
  },
  // (c)(5)(i) single advance, single payment, term under a year in days: $1,000 on 1-3-78, $1,080 on 9-15-78
  // (255 days). 11.45 %.
  {
    source: "(c)(5)(i)",
    advanced: 100_000n,
    on: "1978-01-03",
    payments: [{ amount: 108_000n, day: day("1978-09-15") }],
    apr: 11.45,
  },
  // (c)(5)(ii) single advance, single payment, term of 6 months: $1,000, then $1,044. 8.80 %.
  {
    source: "(c)(5)(ii)",
    advanced: 100_000n,
    on: "1978-01-03",
    payments: [{ amount: 104_400n, day: day("1978-07-03") }],
    apr: 8.8,
  },
  // (c)(5)(iii) single advance, single payment, term of 18 months (a year and 6/12): $1,000, then $1,135.19. 8.76 %.
  {
    source: "(c)(5)(iii)",
    advanced: 100_000n,
    on: "1978-01-03",
    payments: [{ amount: 113_519n, day: day("1979-07-03") }],
    apr: 8.76,
  },
  // (c)(5)(iv) single advance, single payment, term of 2 years: $1,000, then $1,240. 11.36 %.
  {
    source: "(c)(5)(iv)",
    advanced: 100_000n,
    on: "1978-01-03",
    payments: [{ amount: 124_000n, day: day("1980-01-03") }],
    apr: 11.36,
  },
];

describe("SDK APR", function () {
  it("test_us_reproducesEveryRegulationZAppendixJExample", function () {
    for (const example of APPENDIX_J) {
      const apr = aprOf(
        { advanced: [{ amount: example.advanced, day: day(example.on) }], payments: example.payments },
        { method: "us", period: example.period },
      );
      expect(percent2(apr), `Appendix J ${example.source}`).to.equal(example.apr);
    }
  });

  it("test_us_picksTheUnitPeriodAppendixJPicks", function () {
    // Without opts.period: the common period that occurs most often ((b)(4)) is found from the dates. The 4-week
    // example has a 33-day first period and 28-day ones after it; the quarterly one three-month steps.
    for (const source of ["(c)(1)(iv)", "(c)(2)(ii)", "(c)(3)(ii)", "(c)(4)(ii)", "(c)(1)(v)"]) {
      const example = APPENDIX_J.find((e) => e.source === source)!;
      const flows = { advanced: [{ amount: example.advanced, day: day(example.on) }], payments: example.payments };
      expect(aprOf(flows, { method: "us" }), source).to.equal(aprOf(flows, { method: "us", period: inferred(source) }));
    }
    // Semimonthly dates (15 and 16 days, then 13 or 14 across February) have no common period of whole weeks or
    // months: the caller must say.
    const semimonthly = APPENDIX_J.find((e) => e.source === "(c)(1)(iii)")!;
    expect(() =>
      aprOf(
        { advanced: [{ amount: 500_000n, day: day("1978-02-23") }], payments: semimonthly.payments },
        { method: "us" },
      ),
    ).to.throw(
      "the payments have no common period of a day, whole weeks or whole months (Appendix J (b)(4)): pass opts.period",
    );
    // Two common periods: the one that occurs more often wins ((b)(4)(i)), the smaller on a tie ((b)(4)(i)(A)).
    const lent = { amount: 100_000n, day: day("2026-01-01") };
    const mostlyMonthly = [
      ...series(4, 26_000n, "2026-02-01", { months: 1 }), // four intervals of a month, counting from the advance
      ...series(3, 1_000n, "2026-05-15", { weeks: 2 }), // three of two weeks, 1 May to 12 June
    ];
    expect(aprOf({ advanced: [lent], payments: mostlyMonthly }, { method: "us" })).to.equal(
      aprOf({ advanced: [lent], payments: mostlyMonthly }, { method: "us", period: "month" }),
    );
    const tied = [
      ...series(3, 34_000n, "2026-02-01", { months: 1 }), // three intervals of a month, counting from the advance
      ...series(3, 1_000n, "2026-04-15", { weeks: 2 }), // three of two weeks, 1 April to 13 May
    ];
    const tiedApr = aprOf({ advanced: [lent], payments: tied }, { method: "us" });
    expect(tiedApr).to.equal(aprOf({ advanced: [lent], payments: tied }, { method: "us", period: { weeks: 2 } }));
    expect(tiedApr).to.not.equal(aprOf({ advanced: [lent], payments: tied }, { method: "us", period: "month" }));
    // A unit-period that does not fit the dates gives a different rate: the period matters.
    const quarterly = APPENDIX_J.find((e) => e.source === "(c)(1)(iv)")!;
    const asMonthly = aprOf(
      { advanced: [{ amount: quarterly.advanced, day: day(quarterly.on) }], payments: quarterly.payments },
      { method: "us", period: "month" },
    );
    expect(percent2(asMonthly)).to.not.equal(8.97);
  });

  it("test_eu_reproducesTheDirectivesWorkedExamples", function () {
    // Directive 98/7/EC (amending 87/102/EEC), Annex III "Examples of calculation", A: on a calendar basis
    // (1 year = 365 days, 366 in leap years), the basis Directive 2008/48/EC Annex I, remark (c) keeps.
    // First example: 1,000 lent on 1 January 1994, repaid by 1,200 on 1 July 1995 (546 days): 13 %, or 12.96 %
    // to two decimal places.
    const first = aprOf({
      advanced: [{ amount: 100_000n, day: day("1994-01-01") }],
      payments: [{ amount: 120_000n, day: day("1995-07-01") }],
    });
    expect(aprBps(first)).to.equal(1_296);
    expect(Math.round(first * 100)).to.equal(13);
    // Second example: the creditor keeps 50 for administrative expenses, so 950 is lent; the same 1,200 on
    // 1 July 1995: 16.9 %.
    const second = aprOf({
      advanced: [{ amount: 95_000n, day: day("1994-01-01") }],
      payments: [{ amount: 120_000n, day: day("1995-07-01") }],
    });
    expect(Math.round(second * 1_000) / 10).to.equal(16.9);
    // Third example: 1,000 on 1 January 1994, repaid by 600 after one year and 600 after two: i = 0,1306623
    // (the exact root is 0.13066238…, so the figure is cut at seven decimals), 13.1 % (13.07 % to two places).
    const third = aprOf({
      advanced: [{ amount: 100_000n, day: day("1994-01-01") }],
      payments: [
        { amount: 60_000n, day: day("1995-01-01") },
        { amount: 60_000n, day: day("1996-01-01") },
      ],
    });
    expectNear(third, 0.1306623, 1e-7);
    expect(aprBps(third)).to.equal(1_307);
    // The same first example counted in 12 equal months (Annex I remark (c) allows it): 18 months is exactly
    // 1.5 years, so 1.2^(1/1.5) − 1.
    const inMonths = aprOf(
      {
        advanced: [{ amount: 100_000n, day: day("1994-01-01") }],
        payments: [{ amount: 120_000n, day: day("1995-07-01") }],
      },
      { period: "month" },
    );
    expectNear(inMonths, 1.2 ** (1 / 1.5) - 1, 1e-10);
  });

  it("test_eu_daysOverALeapYearCountAs366", function () {
    // 1,000 on 1 January 2024, 1,100 on 1 July 2024 (182 days): the year ending on 1 July 2024 holds 29 February,
    // so t = 182/366 and 1 + X = 1.1^(366/182). Six months later in 2025 it is 181/365.
    const leap = aprOf({
      advanced: [{ amount: 100_000n, day: day("2024-01-01") }],
      payments: [{ amount: 110_000n, day: day("2024-07-01") }],
    });
    expectNear(leap, 1.1 ** (366 / 182) - 1, 1e-10);
    const common = aprOf({
      advanced: [{ amount: 100_000n, day: day("2025-01-01") }],
      payments: [{ amount: 110_000n, day: day("2025-07-01") }],
    });
    expectNear(common, 1.1 ** (365 / 181) - 1, 1e-10);
  });

  it("test_aprOfPlan_monthlyAndWeeklyPlans", function () {
    // Appendix J (c)(1)(i) as a registry plan: 24 monthly instalments of $230 from 1978-02-10 for $5,000. 9.69 %.
    const monthly: Plan = {
      instalments: 24,
      frequency: Frequency.Monthly,
      firstDueDay: day("1978-02-10"),
      instalment: 23_000n,
      finalInstalment: 23_000n,
    };
    expect(percent2(aprOfPlan(500_000n, monthly, day("1978-01-10"), { method: "us" }))).to.equal(9.69);
    // Appendix J (c)(3)(i): the same with a final instalment of $280. 10.50 %.
    const finalOdd = { ...monthly, finalInstalment: 28_000n };
    expect(percent2(aprOfPlan(500_000n, finalOdd, day("1978-01-10"), { method: "us" }))).to.equal(10.5);
    // Appendix J (c)(1)(ii), long first period: 36 of $200 from 1978-04-01 for $6,000 lent 1978-02-10. 11.82 %.
    const longFirst = {
      ...monthly,
      instalments: 36,
      firstDueDay: day("1978-04-01"),
      instalment: 20_000n,
      finalInstalment: 20_000n,
    };
    expect(percent2(aprOfPlan(600_000n, longFirst, day("1978-02-10"), { method: "us" }))).to.equal(11.82);
    // Appendix J (c)(1)(v), weekly: 30 of $17.60 from 1978-04-21 for $500 lent 1978-03-20. 14.96 %.
    const weekly: Plan = {
      instalments: 30,
      frequency: Frequency.Weekly,
      firstDueDay: day("1978-04-21"),
      instalment: 1_760n,
      finalInstalment: 1_760n,
    };
    expect(percent2(aprOfPlan(50_000n, weekly, day("1978-03-20"), { method: "us" }))).to.equal(14.96);
    // Appendix J (c)(5)(i) as a one-instalment plan: the term is the unit-period. 11.45 %.
    const single = {
      ...monthly,
      instalments: 1,
      firstDueDay: day("1978-09-15"),
      instalment: 0n,
      finalInstalment: 108_000n,
    };
    expect(percent2(aprOfPlan(100_000n, single, day("1978-01-03"), { method: "us" }))).to.equal(11.45);
  });

  it("test_aprOfPlan_theAnnuityCheck", function () {
    // $5,000 repaid by 36 monthly payments of $166.07 is the annuity at 1 % a month (5000 × 0.01 / (1 − 1.01^−36)
    // = 166.0715…): the US APR is the nominal 12.00 % and the EU APR the effective 1.01^12 − 1 = 12.68 %.
    const plan: Plan = {
      instalments: 36,
      frequency: Frequency.Monthly,
      firstDueDay: day("2026-02-15"),
      instalment: 16_607n,
      finalInstalment: 16_607n,
    };
    const us = aprOfPlan(500_000n, plan, day("2026-01-15"), { method: "us" });
    const eu = aprOfPlan(500_000n, plan, day("2026-01-15"), { method: "eu" });
    expect(percent2(us)).to.equal(12);
    expect(percent2(eu)).to.equal(12.68);
    expectNear(eu, (1 + us / 12) ** 12 - 1, 1e-9);
    // The same flows through aprOf agree with the plan's own time.
    const flows = {
      advanced: [{ amount: 500_000n, day: day("2026-01-15") }],
      payments: series(36, 16_607n, "2026-02-15", { months: 1 }),
    };
    expectNear(aprOf(flows, { method: "us" }), us, 1e-9);
    expectNear(aprOf(flows, { method: "eu", period: "month" }), eu, 1e-9);
  });

  it("test_aprOfPlan_dueDaysClampedToAMonthEndCountAsWholeMonths", function () {
    // From 31 December, instalments on 31 January, 28 February, 31 March…: every one a whole number of months on
    // (Appendix J (b)(3)(iv)), so the rate is that of the same plan from the 15th of each month.
    const endOfMonth: Plan = {
      instalments: 12,
      frequency: Frequency.Monthly,
      firstDueDay: day("2026-01-31"),
      instalment: 8_885n,
      finalInstalment: 8_885n,
    };
    const midMonth = { ...endOfMonth, firstDueDay: day("2026-01-15") };
    for (const method of ["us", "eu"] as const) {
      const atEnd = aprOfPlan(100_000n, endOfMonth, day("2025-12-31"), { method });
      expectNear(atEnd, aprOfPlan(100_000n, midMonth, day("2025-12-15"), { method }), 1e-12, method);
    }
    // Lent on 31 January, first due on 28 February: a whole month, month end to month end.
    const fromJan31 = { ...endOfMonth, firstDueDay: day("2026-02-28") };
    expectNear(
      aprOfPlan(100_000n, fromJan31, day("2026-01-31"), { method: "us" }),
      aprOfPlan(100_000n, midMonth, day("2025-12-15"), { method: "us" }),
      1e-12,
    );
    // The same dates as plain flows: counted back from 28 February, two months reach 31 December.
    const lent = [{ amount: 100_000n, day: day("2025-12-31") }];
    const atMonthEnds = dueDays(endOfMonth).map((d) => ({ amount: 8_885n, day: d }));
    const midMonthFlows = series(12, 8_885n, "2026-01-15", { months: 1 });
    for (const [method, period] of [
      ["us", "month"],
      ["eu", "month"],
    ] as const) {
      expectNear(
        aprOf({ advanced: lent, payments: atMonthEnds }, { method, period }),
        aprOf(
          { advanced: [{ amount: 100_000n, day: day("2025-12-15") }], payments: midMonthFlows },
          { method, period },
        ),
        1e-12,
        method,
      );
    }
    // And a plan that starts with odd days costs more for the same instalments: 10 extra days in the first period.
    const later = aprOfPlan(100_000n, endOfMonth, day("2025-12-21"), { method: "us" });
    expect(later).to.be.lessThan(aprOfPlan(100_000n, endOfMonth, day("2025-12-31"), { method: "us" }));
  });

  it("test_aprOf_negativeAndUnsolvable", function () {
    // Less repaid than lent: the rate is negative and returned. 1,000 then 990 a year later: −1 %.
    const negative = aprOf({
      advanced: [{ amount: 100_000n, day: day("2025-01-01") }],
      payments: [{ amount: 99_000n, day: day("2026-01-01") }],
    });
    expectNear(negative, -0.01, 1e-10);
    expect(aprBps(negative)).to.equal(-100);
    // Nothing can make a same-day 500 worth 1,000.
    expect(() =>
      aprOf({ advanced: [{ amount: 100_000n, day: 100 }], payments: [{ amount: 50_000n, day: 100 }] }),
    ).to.throw("no rate from -99% up makes the payments worth the advances");
    expect(() =>
      aprOf({ advanced: [{ amount: 100_000n, day: 100 }], payments: [{ amount: 100_000n, day: 100 }] }),
    ).to.throw("the payments match the advances day for day: every rate fits, so there is no APR");
    // A second drawdown after the repayment: (1+X)² − 2.6(1+X) + 1.6675 = 0 has two roots, 15 % and 45 %.
    expect(() =>
      aprOf({
        advanced: [
          { amount: 100_000n, day: day("2025-01-01") },
          { amount: 166_750n, day: day("2027-01-01") },
        ],
        payments: [{ amount: 260_000n, day: day("2026-01-01") }],
      }),
    ).to.throw("more than one rate makes the payments worth the advances (between 0.1 to 0.2 and 0.2 to 0.5)");
  });

  it("test_aprOf_multipleAdvancesAndFeesOnTheFirstDay", function () {
    // Two drawdowns of 500 a year apart, 1,155 repaid two years after the first: at 10 %,
    const twoDrawdowns = aprOf({
      advanced: [
        { amount: 50_000n, day: day("2025-01-01") },
        { amount: 50_000n, day: day("2026-01-01") },
      ],
      payments: [{ amount: 115_500n, day: day("2027-01-01") }],
    });
    // 500·1.1² + 500·1.1 = 605 + 550 = 1,155.
    expectNear(twoDrawdowns, 0.1, 1e-10);
    // A fee paid on the day of the drawdown lowers what is really lent: 1,000 lent, 100 fee that day, 990 a
    // year later is 900 → 990, 10 %.
    const feeFirst = aprOf({
      advanced: [{ amount: 100_000n, day: day("2025-01-01") }],
      payments: [
        { amount: 10_000n, day: day("2025-01-01") },
        { amount: 99_000n, day: day("2026-01-01") },
      ],
    });
    expectNear(feeFirst, 0.1, 1e-10);
  });

  it("test_aprOf_refusesWhatIsNotACredit", function () {
    const ok = { advanced: [{ amount: 100n, day: 10 }], payments: [{ amount: 110n, day: 375 }] };
    expect(() => aprOf({ ...ok, advanced: [] })).to.throw("an APR needs at least one amount advanced");
    expect(() => aprOf({ ...ok, payments: [] })).to.throw("an APR needs at least one payment");
    expect(() => aprOf({ ...ok, payments: [{ amount: 0n, day: 375 }] })).to.throw(
      "payment 0 must be a bigint amount more than 0, not 0",
    );
    expect(() => aprOf({ ...ok, advanced: [{ amount: 100n, day: 1.5 }] })).to.throw(
      "advance 0's day must be a whole number from 0 to 16777215, not 1.5",
    );
    expect(() => aprOf({ ...ok, payments: [{ amount: 110n, day: 9 }] })).to.throw(
      "a payment on day 9 comes before the first advance on day 10",
    );
    expect(() => aprOf(ok, { method: "uk" as "eu" })).to.throw('method must be "eu" or "us", not "uk"');
    expect(() => aprOf(ok, { method: "eu", period: "semimonth" })).to.throw(
      'the EU rule counts time in years, months or weeks, not "semimonth"',
    );
    expect(() => aprOf(ok, { method: "us", period: { months: 13 } })).to.throw(
      "a unit-period's months must be a whole number from 1 to 12, not 13",
    );
    const plan: Plan = { instalments: 2, frequency: 1, firstDueDay: 100, instalment: 60n, finalInstalment: 60n };
    expect(() => aprOfPlan(100n, plan, 101)).to.throw(
      "the plan's first instalment (day 100) falls before its origination (day 101)",
    );
    expect(() => aprOfPlan(0n, plan, 50)).to.throw("principal must be a bigint amount more than 0, not 0");
  });

  it("test_aprBps_roundsHalfUpToWholeBasisPoints", function () {
    expect(aprBps(0.12685)).to.equal(1_269);
    expect(aprBps(0.01045)).to.equal(105); // 104.4999… in binary, rounded as written
    expect(aprBps(0.00015)).to.equal(2); // 1.4999… in binary
    expect(aprBps(0.126849)).to.equal(1_268);
    expect(aprBps(0.1268)).to.equal(1_268);
    expect(aprBps(0)).to.equal(0);
    expect(Object.is(aprBps(-0.00004), 0)).to.equal(true); // never −0
    expect(aprBps(-0.00005)).to.equal(0); // half up: −0.5 bps → 0
    expect(aprBps(-0.00015)).to.equal(-1);
    expect(() => aprBps(Number.NaN)).to.throw("an APR must be a finite number, not NaN");
  });
});

/** The unit-period each example states, to compare with the one found from the dates. */
function inferred(source: string): AprPeriod {
  const stated: Record<string, AprPeriod> = {
    "(c)(1)(iv)": { months: 3 },
    "(c)(1)(v)": "week",
    "(c)(2)(ii)": { weeks: 4 },
    "(c)(3)(ii)": { weeks: 2 },
    "(c)(4)(ii)": { months: 2 },
  };
  return stated[source];
}
