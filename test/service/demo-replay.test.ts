import { expect } from "chai";
import { network } from "hardhat";

import { runDemo } from "../../scripts/lib/demo-world.js";
import { deployWorld } from "../../scripts/lib/world.js";

import { engines } from "./engines.js";
import { replayAndCheck } from "./mirror.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

describe("service read model: the demo world", function () {
  let world: Awaited<ReturnType<typeof deployWorld>>;
  before(async function () {
    world = await deployWorld(connection);
    await runDemo(world, connection, () => {});
  });

  for (const store of engines()) {
    after(() => store.cleanup());
    it(`test_demoWorld_replaysIntoAReadModelThatMatchesEveryView (${store.name})`, async function () {
      const counts = await replayAndCheck(
        await store.fresh(),
        world,
        ethers.provider,
        await networkHelpers.time.latest(),
      );
      expect(counts.loans).to.be.greaterThan(4);
      expect(counts.pieces).to.equal(3);
      expect(counts.families).to.equal(1);
      expect(counts.lines).to.equal(1);
      expect(counts.orders).to.be.greaterThan(1);
      expect(counts.payments).to.be.greaterThan(3);
    });
  }
});
