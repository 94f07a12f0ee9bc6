import { expect } from "chai";
import { network } from "hardhat";

import { runDemo } from "../../scripts/lib/demo-world.js";
import { deployWorld } from "../../scripts/lib/world.js";
import { openDatabase } from "../../service/db.js";
import { Indexer } from "../../service/indexer.js";
import { migrate } from "../../service/migrations.js";
import { project, rebuild } from "../../service/projections.js";
import { credit } from "../../service/projections/credit.js";
import { balances, members } from "../../service/projections/members.js";
import { pauses, scf } from "../../service/projections/scf.js";
import { trade } from "../../service/projections/trade.js";

import { engines } from "./engines.js";
import { checkMirror } from "./mirror.js";

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
      const { db, engine, close } = openDatabase(await store.fresh(), ":memory:");
      await migrate(db as never, engine);
      const chainId = Number((await ethers.provider.getNetwork()).chainId);
      const projections = [members, balances, credit, pauses, scf, trade];
      const indexer = new Indexer({
        db,
        provider: ethers.provider,
        chainId,
        deployment: world.deployment,
        fromBlock: 0,
        onEvents: (trx, rows) => project(trx, projections, rows),
        onRollback: (trx) => rebuild(trx, projections, chainId),
      });
      for (let r = await indexer.step(); r.indexed < r.head; r = await indexer.step());
      const counts = await checkMirror(db, world, chainId, await networkHelpers.time.latest());
      expect(counts.loans).to.be.greaterThan(4);
      expect(counts.pieces).to.equal(3);
      expect(counts.families).to.equal(1);
      expect(counts.lines).to.equal(1);
      expect(counts.orders).to.be.greaterThan(1);
      expect(counts.payments).to.be.greaterThan(3);
      await close();
    });
  }
});
