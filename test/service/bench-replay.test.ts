/**
 * The bench's scenarios (scripts/bench.ts, run with TRADELINE_BENCH_REPLAY=1: every state-changing operation of every
 * contract, the registry filled to 1,000 borrowers) replayed into the read model, then every mirrored view compared
 * with the chain's own, field by field (test/service/mirror.ts), on each engine.
 */
import { expect } from "chai";

import { engines } from "./engines.js";
import { replayAndCheck } from "./mirror.js";

describe("service read model: the bench's scenarios", function () {
  let bench: typeof import("../../scripts/bench.js");
  before(async function () {
    this.timeout(1_200_000);
    process.env.TRADELINE_BENCH_REPLAY = "1";
    try {
      bench = await import("../../scripts/bench.js");
    } finally {
      delete process.env.TRADELINE_BENCH_REPLAY;
    }
  });

  for (const store of engines()) {
    after(() => store.cleanup());
    it(`test_benchScenarios_replayIntoAReadModelThatMatchesEveryView (${store.name})`, async function () {
      this.timeout(600_000);
      const { ethers, networkHelpers } = bench.connection;
      const counts = await replayAndCheck(
        await store.fresh(),
        bench.world,
        ethers.provider,
        await networkHelpers.time.latest(),
      );
      // The bench's world: over a thousand borrowers, its receivable families and its orders, all mirrored.
      expect(counts.loans).to.be.greaterThan(1_000);
      expect(counts.families).to.be.greaterThan(2);
      expect(counts.orders).to.be.greaterThan(3);
      expect(counts.payments).to.be.greaterThan(3);
    });
  }
});
