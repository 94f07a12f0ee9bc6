/**
 * The lenders' catch-up against a model: random runs of pauses (of no length, a second, minutes, hours or days; before,
 * across and after a lender's reinstatement) and, after them, `ageLoan` refused until exactly the time the model
 * works out, naming it, and ageing the loan from then on. The model keeps every pause and sums by hand what the
 * registry sums with its pause log and its own catch-up (reviews 34 C1, 36 K1 and K2, 37 C1 and C2).
 */
import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";
import { network } from "hardhat";

import { GRACE_DAYS, weeklyPlanWorld } from "../helpers/credit.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const { time } = networkHelpers;

const DAY = 86_400;
const RUNS = 24;
const bytes32 = (label: string): string => keccak256(toUtf8Bytes(label));

/** A small seeded generator (mulberry32), so that a failing run can be repeated from its seed. */
function generator(seed: number) {
  let a = seed >>> 0;
  return (below: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * below);
  };
}

/** The registry's pause rule as the model keeps it: every pause, and the catch-up each resume leaves. */
class Model {
  pauses: [number, number][] = [];
  agesFrom = 0;
  resumedAt = 0;
  paused(start: number, end: number) {
    const carry = this.agesFrom > start ? this.agesFrom - start : 0;
    const catchUp = Math.min(carry + (end - start), GRACE_DAYS * DAY);
    this.agesFrom = Math.max(this.agesFrom, end + catchUp);
    this.resumedAt = end;
    this.pauses.push([start, end]);
  }
  /** When a loan of a lender reinstated on `day` ages, and from when the refusal says it could report. */
  expected(day: number): [number, number] {
    const from = day * DAY;
    let lender = from + (GRACE_DAYS + 1) * DAY;
    for (const [start, end] of this.pauses) if (end > from) lender += end - Math.max(start, from);
    return this.agesFrom > lender ? [this.resumedAt, this.agesFrom] : [from, lender];
  }
}

const LENGTHS = [0, 1, 60, 3_600, 6 * 3_600, DAY, 3 * DAY];

describe("the lenders' catch-up against a model", function () {
  const fixture = () => weeklyPlanWorld(connection, "catch-up model");

  it(`testFuzz_ageLoan_catchUp_matchesTheModel (${RUNS} seeded runs)`, async function () {
    for (let seed = 1; seed <= RUNS; seed++) {
      const w = await networkHelpers.loadFixture(fixture);
      const random = generator(seed);
      const model = new Model();
      await time.increaseTo((w.first - 1) * DAY + 3_600);
      await w.members.connect(w.governor).suspend(w.ids.a, bytes32("review"));
      const D = w.first + 8;
      let t = (D - 2) * DAY + random(DAY);
      let reinstated = false;
      const reinstateAt = D * DAY + random(DAY - 60);
      const reinstate = async () => {
        await time.increaseTo(Math.max(reinstateAt, (await time.latest()) + 1));
        await w.members.connect(w.governor).reinstate(w.ids.a, bytes32("cleared"));
        reinstated = true;
      };
      for (let i = random(11); i > 0; i--) {
        t += 1 + random(2 * DAY);
        if (!reinstated && t >= reinstateAt) await reinstate();
        const length = LENGTHS[random(LENGTHS.length)];
        const from = Math.max(t, (await time.latest()) + 1);
        if (length === 0) {
          // Paused and lifted in one block: `paused()` is never seen true.
          await ethers.provider.send("evm_setAutomine", [false]);
          await time.setNextBlockTimestamp(from);
          await w.credit.connect(w.regulator).pause({ gasLimit: 300_000n });
          await w.credit.connect(w.regulator).unpause({ gasLimit: 300_000n });
          await networkHelpers.mine();
          await ethers.provider.send("evm_setAutomine", [true]);
          model.paused(from, from);
        } else {
          await time.setNextBlockTimestamp(from);
          await w.credit.connect(w.regulator).pause();
          if (!reinstated && from + length >= reinstateAt) await reinstate(); // reinstated while paused
          await time.setNextBlockTimestamp(Math.max(from + length, (await time.latest()) + 1));
          await w.credit.connect(w.regulator).unpause();
          model.paused(from, await time.latest());
        }
        t = await time.latest();
      }
      if (!reinstated) await reinstate();
      const [reportableFrom, agesFrom] = model.expected(D);
      const now = await time.latest();
      const context = `seed ${seed}: pauses ${JSON.stringify(model.pauses)}, reinstated on day ${D}`;
      if (agesFrom - 1 > now) {
        await time.setNextBlockTimestamp(agesFrom - 1);
        await expect(w.credit.connect(w.stranger).ageLoan(w.id), context)
          .to.be.revertedWithCustomError(w.credit, "CreditLenderCatchingUp")
          .withArgs(w.id, reportableFrom, agesFrom);
      }
      await time.setNextBlockTimestamp(Math.max(agesFrom, (await time.latest()) + 1));
      await expect(w.credit.connect(w.stranger).ageLoan(w.id), context).to.emit(w.credit, "LoanStatusChanged");
    }
  });
});
