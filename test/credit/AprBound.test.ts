import { expect } from "chai";
import { network } from "hardhat";

import { aprBps, aprOfPlan } from "../../src/apr.js";
import { Frequency, amortisingPlan, totalDue, type Plan } from "../../src/schedule.js";

/**
 * The registry refuses a declared APR under what its plan's cash flows imply (InstalmentPlan.aprCovers, adversarial
 * review 3, F3), by a bound that must never refuse an honest one: whatever year basis the lender used (the EU
 * directive's 365/366 days, 52 weeks or 12 months; the US Regulation Z unit-period with its nominal rate), whatever
 * the calendar. Here every APR the SDK computes, both methods, for plans of every shape: amortising and interest-only
 * (a balloon final instalment), weekly and monthly, 1 to 120 instalments, a first period short or long, starting on a
 * month's 29th to 31st and in a leap February, at nominal rates from 0.1% to 200% a year.
 */
const { ethers } = await network.create();

const DAY = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
const ORIGINATIONS = ["2024-01-31", "2024-02-29", "2025-03-30", "2025-08-31"].map(DAY);
const COUNTS = [1, 2, 3, 6, 12, 13, 24, 36, 60, 120];
const RATES_BPS = [10, 500, 2_400, 6_000, 20_000];
const PRINCIPAL = 100_000_000n;

describe("the registry's APR check (InstalmentPlan.aprCovers)", function () {
  it("testGrid_aprCovers_acceptsEverySdkApr_euAndUs_andRefusesFarBelow", async function () {
    const harness = await ethers.deployContract("InstalmentPlanHarness");
    let checked = 0;
    for (const origination of ORIGINATIONS) {
      for (const frequency of [Frequency.Monthly, Frequency.Weekly]) {
        for (const firstOffset of frequency === Frequency.Monthly ? [17, 30, 45] : [3, 7, 12]) {
          for (const instalments of COUNTS) {
            for (const annualRateBps of RATES_BPS) {
              const firstDueDay = origination + firstOffset;
              const amortising = amortisingPlan({
                principal: PRINCIPAL,
                annualRateBps,
                instalments,
                frequency,
                firstDueDay,
              });
              // Interest-only: the same interest each period, the principal with the last instalment.
              const perPeriod = amortising.interest / BigInt(instalments) + 1n;
              const balloon: Plan = {
                instalments,
                frequency,
                firstDueDay,
                instalment: perPeriod,
                finalInstalment: perPeriod + PRINCIPAL,
              };
              for (const plan of [amortising, balloon]) {
                const onChain = {
                  instalments: plan.instalments,
                  frequency: plan.frequency,
                  firstDueDay: plan.firstDueDay,
                  instalment: plan.instalment,
                  finalInstalment: plan.finalInstalment,
                };
                const mean = await harness.meanDueDaysWad(onChain, origination);
                const total = totalDue(plan);
                for (const method of ["eu", "us"] as const) {
                  const declared = aprBps(aprOfPlan(PRINCIPAL, plan, origination, { method }));
                  const what = `${method} ${declared} bps: ${JSON.stringify(onChain, (_, v: unknown) => (typeof v === "bigint" ? String(v) : v))} from day ${origination}`;
                  expect(await harness.aprCovers(declared, PRINCIPAL, total, mean), what).to.equal(true);
                  // Half the US (nominal, the lower) figure is refused at a consumer lender's rates, once the plan asks
                  // back a noticeable sum over a couple of months or more (the 6-day margin dwarfs a shorter plan's
                  // mean time, and at hundreds of percent continuous compounding outgrows any periodic one).
                  const noticeable = total > (PRINCIPAL * 101n) / 100n && mean >= 60n * 10n ** 18n;
                  if (method === "us" && annualRateBps <= 6_000 && noticeable) {
                    expect(await harness.aprCovers(Math.floor(declared / 2), PRINCIPAL, total, mean), what).to.equal(
                      false,
                    );
                  }
                  checked += 1;
                }
              }
            }
          }
        }
      }
    }
    expect(checked).to.equal(ORIGINATIONS.length * 2 * 3 * COUNTS.length * RATES_BPS.length * 2 * 2);
  });

  it("testShortLoans_aprCovers_acceptsEverySdkApr_andRefusesPaydayChargesDeclaredAtACap", async function () {
    const harness = await ethers.deployContract("InstalmentPlanHarness");
    const origination = DAY("2024-02-27"); // over a leap February
    // Single payments 1 to 40 days out, and 2 to 4 weekly instalments, at simple annual charges of 5% to 400%.
    for (const days of [1, 2, 3, 6, 7, 13, 14, 20, 27, 28, 29, 31, 40]) {
      for (const chargeBps of [500, 3_600, 10_000, 40_000]) {
        const charge = (PRINCIPAL * BigInt(chargeBps) * BigInt(days)) / 3_650_000n;
        const plans: Plan[] = [
          {
            instalments: 1,
            frequency: Frequency.Monthly,
            firstDueDay: origination + days,
            instalment: 0n,
            finalInstalment: PRINCIPAL + charge,
          },
          {
            instalments: 1,
            frequency: Frequency.Weekly,
            firstDueDay: origination + days,
            instalment: 0n,
            finalInstalment: PRINCIPAL + charge,
          },
        ];
        for (const n of [2, 3, 4]) {
          const each = (PRINCIPAL + charge) / BigInt(n);
          plans.push({
            instalments: n,
            frequency: Frequency.Weekly,
            firstDueDay: origination + Math.min(days, 7),
            instalment: each,
            finalInstalment: PRINCIPAL + charge - each * BigInt(n - 1),
          });
        }
        for (const plan of plans) {
          const mean = await harness.meanDueDaysWad(plan, origination);
          for (const method of ["eu", "us"] as const) {
            const declared = aprBps(aprOfPlan(PRINCIPAL, plan, origination, { method }));
            expect(
              await harness.aprCovers(declared, PRINCIPAL, totalDue(plan), mean),
              `${method} ${declared} bps, ${days} days`,
            ).to.equal(true);
          }
        }
      }
    }
    // Adversarial review of F3's fix: a next-day loan charging 0.694% (US APR about 253%) or a 7-day one charging
    // 1.294% (about 67%) cannot be declared at a 36% cap, as they could with a flat 6-day margin.
    for (const [days, total] of [
      [1, 100_694_000n],
      [7, 101_294_000n],
    ] as const) {
      const plan: Plan = {
        instalments: 1,
        frequency: Frequency.Weekly,
        firstDueDay: origination + days,
        instalment: 0n,
        finalInstalment: total,
      };
      const mean = await harness.meanDueDaysWad(plan, origination);
      expect(await harness.aprCovers(3_600, PRINCIPAL, total, mean), `${days} days at 36%`).to.equal(false);
    }
  });
});
