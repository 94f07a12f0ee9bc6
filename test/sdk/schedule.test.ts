import { expect } from "chai";

import { dayNumber, isoDate } from "../../src/credit.js";
import {
  addMonths,
  amortisingPlan,
  checkPlan,
  civilFromDays,
  cumulativeDue,
  daysFromCivil,
  daysPastDue,
  DELINQUENCY_BUCKETS,
  delinquencyBucket,
  dueDay,
  dueDays,
  Frequency,
  levelPlan,
  oldestUnpaid,
  totalDue,
  type Plan,
} from "../../src/schedule.js";

const day = (date: string) => dayNumber(date);

/** 12 monthly instalments of 1,000.00 and a last one of 1,050.00, from 31 January 2026. */
const PLAN: Plan = {
  instalments: 12,
  frequency: Frequency.Monthly,
  firstDueDay: day("2026-01-31"),
  instalment: 100_000n,
  finalInstalment: 105_000n,
};

describe("SDK instalment schedules", function () {
  it("test_registryNumbers_frequencyAndBuckets", function () {
    expect(Frequency).to.deep.equal({ Weekly: 0, Monthly: 1 });
    expect(DELINQUENCY_BUCKETS).to.deep.equal(["current", "1-30", "31-60", "61-90", "90+"]);
    const cases: [number, number][] = [
      [0, 0],
      [1, 1],
      [30, 1],
      [31, 2],
      [60, 2],
      [61, 3],
      [90, 3],
      [91, 4],
      [10_000, 4],
    ];
    for (const [dpd, bucket] of cases) expect(delinquencyBucket(dpd), `${dpd} days`).to.equal(bucket);
    expect(() => delinquencyBucket(-1)).to.throw("days past due must be a whole number from 0");
    expect(() => delinquencyBucket(1.5)).to.throw("days past due must be a whole number from 0");
  });

  it("test_calendar_agreesWithTheJavaScriptDateEveryDayFrom1970To2200", function () {
    // An independent oracle: the runtime's proleptic Gregorian calendar, day by day (covers 2000 and 2100).
    for (let n = 0; n <= day("2200-12-31"); n++) {
      const d = new Date(n * 86_400_000);
      const civil = civilFromDays(n);
      if (civil.year !== d.getUTCFullYear() || civil.month !== d.getUTCMonth() + 1 || civil.day !== d.getUTCDate()) {
        expect.fail(`day ${n}: ${JSON.stringify(civil)} is not ${d.toISOString()}`);
      }
      if (daysFromCivil(civil.year, civil.month, civil.day) !== n) expect.fail(`day ${n} does not round-trip`);
    }
  });

  it("test_dueDay_monthly_clampsToTheMonthsLengthFromTheFirstDueDay", function () {
    // Jan 31 + 1 month is Feb 28 (2026) and + 2 months is Mar 31 again: each month from the first due day, not
    // from the previous instalment.
    expect(dueDays(PLAN).map(isoDate)).to.deep.equal([
      "2026-01-31",
      "2026-02-28",
      "2026-03-31",
      "2026-04-30",
      "2026-05-31",
      "2026-06-30",
      "2026-07-31",
      "2026-08-31",
      "2026-09-30",
      "2026-10-31",
      "2026-11-30",
      "2026-12-31",
    ]);
    // A leap year: 29 February.
    const leap = { ...PLAN, firstDueDay: day("2024-01-31"), instalments: 3 };
    expect(dueDays(leap).map(isoDate)).to.deep.equal(["2024-01-31", "2024-02-29", "2024-03-31"]);
    // 29 February itself: the 29th is kept where it exists, clamped to 28 February in common years.
    const feb29 = { ...PLAN, firstDueDay: day("2024-02-29"), instalments: 49 };
    expect(isoDate(dueDay(feb29, 1))).to.equal("2024-03-29");
    expect(isoDate(dueDay(feb29, 12))).to.equal("2025-02-28");
    expect(isoDate(dueDay(feb29, 48))).to.equal("2028-02-29");
    // The year turns over; 30 January → 28 February 2027 → 30 March; 2100 is not a leap year.
    const turn = { ...PLAN, firstDueDay: day("2026-12-30"), instalments: 4 };
    expect(dueDays(turn).map(isoDate)).to.deep.equal(["2026-12-30", "2027-01-30", "2027-02-28", "2027-03-30"]);
    expect(isoDate(addMonths(day("2100-01-29"), 1))).to.equal("2100-02-28");
    expect(isoDate(addMonths(day("2000-01-29"), 1))).to.equal("2000-02-29");
    expect(isoDate(addMonths(day("2026-03-31"), -1))).to.equal("2026-02-28");
  });

  it("test_dueDay_weekly_addsSevenDays", function () {
    const weekly = { ...PLAN, frequency: Frequency.Weekly, firstDueDay: day("2024-02-26"), instalments: 3 };
    expect(dueDays(weekly).map(isoDate)).to.deep.equal(["2024-02-26", "2024-03-04", "2024-03-11"]);
    expect(dueDay(weekly, 2) - dueDay(weekly, 0)).to.equal(14);
    expect(() => dueDay(weekly, 3)).to.throw("instalment index must be a whole number from 0 to 2 for a plan of 3");
    expect(() => dueDay(weekly, -1)).to.throw("instalment index must be a whole number from 0 to 2");
  });

  it("test_totals_countTheFinalInstalmentOnce", function () {
    expect(totalDue(PLAN)).to.equal(1_205_000n);
    expect(cumulativeDue(PLAN, 0)).to.equal(0n);
    expect(cumulativeDue(PLAN, 3)).to.equal(300_000n);
    expect(cumulativeDue(PLAN, 11)).to.equal(1_100_000n);
    expect(cumulativeDue(PLAN, 12)).to.equal(1_205_000n);
    expect(() => cumulativeDue(PLAN, 13)).to.throw("instalment count must be a whole number from 0 to 12");
    const single = { ...PLAN, instalments: 1, instalment: 0n };
    expect(totalDue(single)).to.equal(105_000n);
  });

  it("test_oldestUnpaid_followsPaymentsToTheOldestInstalmentFirst", function () {
    // Nothing paid: the first instalment, in full.
    expect(oldestUnpaid(PLAN, 1_205_000n)).to.deep.equal({
      index: 0,
      dueDay: day("2026-01-31"),
      dueOnIt: 100_000n,
      paid: 0n,
    });
    // 2,500.00 paid: two instalments met and half of the third (31 March) still due.
    expect(oldestUnpaid(PLAN, 1_205_000n - 250_000n)).to.deep.equal({
      index: 2,
      dueDay: day("2026-03-31"),
      dueOnIt: 50_000n,
      paid: 250_000n,
    });
    // Exactly three paid: the fourth, in full.
    expect(oldestUnpaid(PLAN, 905_000n)).to.include({ index: 3, dueOnIt: 100_000n });
    // One minor unit short of three.
    expect(oldestUnpaid(PLAN, 905_001n)).to.include({ index: 2, dueOnIt: 1n });
    // Into the last instalment: what is left of the larger final one.
    expect(oldestUnpaid(PLAN, 55_000n)).to.deep.equal({
      index: 11,
      dueDay: day("2026-12-31"),
      dueOnIt: 55_000n,
      paid: 1_150_000n,
    });
    // Past twelve times the level instalment, still the last one (the index never passes n − 1).
    expect(oldestUnpaid(PLAN, 1_000n)).to.include({ index: 11, dueOnIt: 1_000n, paid: 1_204_000n });
    expect(oldestUnpaid(PLAN, 0n)).to.equal(null);
    expect(() => oldestUnpaid(PLAN, 1_205_001n)).to.throw(
      "outstanding must be from 0 to the plan's total due 1,205,000, not 1205001",
    );
    expect(() => oldestUnpaid(PLAN, -1n)).to.throw("outstanding must be from 0");
    // A single instalment: index 0 until it is paid in full.
    const single = { ...PLAN, instalments: 1, instalment: 0n };
    expect(oldestUnpaid(single, 1n)).to.deep.equal({ index: 0, dueDay: PLAN.firstDueDay, dueOnIt: 1n, paid: 104_999n });
  });

  it("test_daysPastDue_countsFromTheOldestUnpaidDueDay", function () {
    const paidTwoAndAHalf = 1_205_000n - 250_000n; // the third instalment, due 31 March 2026, is half paid
    expect(daysPastDue(PLAN, paidTwoAndAHalf, day("2026-03-31"))).to.equal(0);
    expect(daysPastDue(PLAN, paidTwoAndAHalf, day("2026-03-01"))).to.equal(0); // not yet due: never negative
    expect(daysPastDue(PLAN, paidTwoAndAHalf, day("2026-04-01"))).to.equal(1);
    expect(daysPastDue(PLAN, paidTwoAndAHalf, day("2026-06-30"))).to.equal(91);
    expect(delinquencyBucket(daysPastDue(PLAN, paidTwoAndAHalf, day("2026-06-30")))).to.equal(4);
    // Nothing paid at all: counted from the first due day across February.
    expect(daysPastDue(PLAN, totalDue(PLAN), day("2026-03-02"))).to.equal(30);
    expect(daysPastDue(PLAN, 0n, day("2030-01-01"))).to.equal(0); // repaid
  });

  it("test_checkPlan_refusesWhatTheRegistryRefuses", function () {
    expect(checkPlan(PLAN)).to.equal(PLAN);
    expect(() => checkPlan({ ...PLAN, instalments: 0 })).to.throw(
      "instalments must be a whole number from 1 to 120, not 0",
    );
    expect(() => checkPlan({ ...PLAN, instalments: 121 })).to.throw("instalments must be a whole number from 1 to 120");
    expect(() => checkPlan({ ...PLAN, frequency: 2 as Frequency })).to.throw(
      "frequency must be 0 (weekly) or 1 (monthly), not 2",
    );
    expect(() => checkPlan({ ...PLAN, instalment: 0n })).to.throw(
      "instalment must be more than 0 when a plan has 12 instalments",
    );
    expect(() => checkPlan({ ...PLAN, finalInstalment: 0n })).to.throw("finalInstalment must be more than 0, not 0");
    expect(() => checkPlan({ ...PLAN, firstDueDay: -1 })).to.throw("firstDueDay must be a whole number from 0");
    expect(() => checkPlan({ ...PLAN, instalment: 1000 as unknown as bigint })).to.throw("must be bigint amounts");
    expect(checkPlan({ ...PLAN, instalments: 1, instalment: 0n }).instalments).to.equal(1);
  });

  it("test_levelPlan_acceptsLevelAmountsAndNamesTheFirstThatDiffers", function () {
    const first = day("2026-01-15");
    expect(
      levelPlan({ amounts: [110_000n, 110_000n, 110_000n, 95_000n], frequency: 1, firstDueDay: first }),
    ).to.deep.equal({
      instalments: 4,
      frequency: 1,
      firstDueDay: first,
      instalment: 110_000n,
      finalInstalment: 95_000n,
    });
    expect(levelPlan({ amounts: [5n], frequency: 0, firstDueDay: first })).to.deep.equal({
      instalments: 1,
      frequency: 0,
      firstDueDay: first,
      instalment: 0n,
      finalInstalment: 5n,
    });
    const amounts = [1_100n, 1_100n, 1_100n, 1_200n, 1_100n, 1_100n, 900n];
    expect(() => levelPlan({ amounts, frequency: 1, firstDueDay: first })).to.throw(
      "the registry holds level instalments: instalment 3 is 1,200 where the others are 1,100",
    );
    // The odd one out may be the first: "the others" is what most of them are.
    expect(() => levelPlan({ amounts: [1_200n, 1_100n, 1_100n, 1_100n], frequency: 1, firstDueDay: first })).to.throw(
      "the registry holds level instalments: instalment 0 is 1,200 where the others are 1,100",
    );
    expect(() => levelPlan({ amounts: [1_100n, 0n, 1_100n], frequency: 1, firstDueDay: first })).to.throw(
      "instalment 1 must be a bigint amount more than 0, not 0",
    );
    expect(() => levelPlan({ amounts: [], frequency: 1, firstDueDay: first })).to.throw(
      "the number of instalment amounts must be a whole number from 1 to 120, not 0",
    );
    expect(() => levelPlan({ amounts: [1n, 1n], frequency: 3 as Frequency, firstDueDay: first })).to.throw(
      "frequency must be 0 (weekly) or 1 (monthly), not 3",
    );
  });

  it("test_amortisingPlan_roundsTheAnnuityUpAndRepaysPrincipalPlusInterestExactly", function () {
    // 5,000.00 at 12 % a year nominal over 36 months: the annuity is 166.0715… (1 % a month), so 166.08 rounded up;
    // the figures were worked out with Python's exact fractions, apart from this code.
    const first = day("2026-02-15");
    const loan = amortisingPlan({
      principal: 500_000n,
      annualRateBps: 1_200,
      instalments: 36,
      frequency: Frequency.Monthly,
      firstDueDay: first,
    });
    expect(loan).to.deep.equal({
      instalments: 36,
      frequency: 1,
      firstDueDay: first,
      instalment: 16_608n,
      finalInstalment: 16_573n,
      financed: 500_000n,
      interest: 97_853n,
    });
    expect(totalDue(loan)).to.equal(loan.financed + loan.interest);
    // Replaying the balance: each month's interest is 1 % of it, rounded half up, and it ends at exactly 0.
    let balance = 500_000n;
    for (let k = 0; k < 36; k++) {
      const interest = (balance + 50n) / 100n;
      balance += interest - (k === 35 ? loan.finalInstalment : loan.instalment);
    }
    expect(balance).to.equal(0n);

    // 1,000.00 plus a 50.00 fee financed, 20 % over 12 months: 97.27 a month; the fee is in what amortises.
    const withFee = amortisingPlan({
      principal: 100_000n,
      annualRateBps: 2_000,
      instalments: 12,
      frequency: 1,
      firstDueDay: first,
      fees: 5_000n,
    });
    expect(withFee).to.include({ instalment: 9_727n, finalInstalment: 9_722n, financed: 105_000n, interest: 11_719n });
    // Weekly: 1,200.00 at 15 % over 26 weeks, the rate per week 15 %/52.
    const weekly = amortisingPlan({
      principal: 120_000n,
      annualRateBps: 1_500,
      instalments: 26,
      frequency: 0,
      firstDueDay: first,
    });
    expect(weekly).to.include({ instalment: 4_798n, finalInstalment: 4_780n, interest: 4_730n });
    expect(totalDue(weekly)).to.equal(124_730n);
    // No interest: 1,000.00 over 3 is 333.34, 333.34 and 333.32.
    expect(
      amortisingPlan({ principal: 100_000n, annualRateBps: 0, instalments: 3, frequency: 1, firstDueDay: first }),
    ).to.include({ instalment: 33_334n, finalInstalment: 33_332n, interest: 0n });
    // One instalment: principal plus one month's interest.
    expect(
      amortisingPlan({ principal: 500_000n, annualRateBps: 1_200, instalments: 1, frequency: 1, firstDueDay: first }),
    ).to.include({ instalment: 0n, finalInstalment: 505_000n, interest: 5_000n });
  });

  it("test_amortisingPlan_refusesWhatCannotBeAmortised", function () {
    const base = {
      principal: 500_000n,
      annualRateBps: 1_200,
      instalments: 36,
      frequency: Frequency.Monthly,
      firstDueDay: 0,
    };
    expect(() => amortisingPlan({ ...base, principal: 0n })).to.throw(
      "principal must be a bigint amount more than 0, not 0",
    );
    expect(() => amortisingPlan({ ...base, instalments: 121 })).to.throw(
      "instalments must be a whole number from 1 to 120, not 121",
    );
    expect(() => amortisingPlan({ ...base, frequency: 2 as Frequency })).to.throw("frequency must be 0 (weekly) or 1");
    expect(() => amortisingPlan({ ...base, annualRateBps: -1 })).to.throw(
      "annualRateBps must be a whole number from 0",
    );
    expect(() => amortisingPlan({ ...base, annualRateBps: 12.5 })).to.throw("annualRateBps must be a whole number");
    expect(() => amortisingPlan({ ...base, fees: -1n })).to.throw("fees must be a bigint amount of 0 or more");
    // 0.05 over 10 instalments: the instalment rounds up to 0.01 and repays it all by the fifth.
    expect(() => amortisingPlan({ ...base, principal: 5n, annualRateBps: 0, instalments: 10 })).to.throw(
      "5 is too small to amortise over 10 instalments: the rounded instalment of 1 repays it by instalment 4",
    );
  });
});
