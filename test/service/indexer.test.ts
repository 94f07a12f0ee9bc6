import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { toQuantity } from "ethers";
import { network } from "hardhat";

import { deployWorld } from "../../scripts/lib/world.js";
import { onSnapshot, openDatabase } from "../../service/db.js";
import { followedContracts, Indexer, jsonValue, type ChainRpc } from "../../service/indexer.js";
import { migrate } from "../../service/migrations.js";
import { project, rebuild } from "../../service/projections.js";
import { balances, members } from "../../service/projections/members.js";
import { deploymentBlock } from "../../service/server.js";
import { statusName } from "../../src/members.js";

import { engines } from "./engines.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

async function fixture() {
  const world = await deployWorld(connection);
  return { world };
}

/** Every log of the deployment's contracts on the chain now, as (block hash, log index, name). */
async function chainEvents(world: Awaited<ReturnType<typeof fixture>>["world"]) {
  const followed = followedContracts(world.deployment);
  const logs = await ethers.provider.getLogs({ address: followed.map((f) => f.address), fromBlock: 0 });
  return logs.map((l) => {
    const f = followed.find((x) => x.address.toLowerCase() === l.address.toLowerCase());
    return `${l.blockHash}:${l.index}:${f?.iface.parseLog(l)?.name ?? "?"}`;
  });
}

describe("service indexer", function () {
  for (const store of engines()) {
    after(() => store.cleanup());

    it(`test_onSnapshot_aWriteCommittedDuringARead_isNotSeenByIt (${store.name})`, async function () {
      const { db, engine, close } = openDatabase(await store.fresh(), ":memory:");
      try {
        await migrate(db as never, engine);
        const count = async (d: typeof db) =>
          Number((await d.selectFrom("blocks").select(d.fn.countAll().as("n")).executeTakeFirstOrThrow()).n);
        const block = { chain_id: 1, number: 1, hash: "0x01", parent_hash: "0x00", timestamp: 1 };
        let write: Promise<unknown> | undefined;
        const seen = await onSnapshot(db, async (read) => {
          const first = await count(read);
          // An indexer step commits meanwhile: on PostgreSQL through another connection, on SQLite queued for the
          // one connection (without the snapshot it would run between the read's two queries).
          write = db.insertInto("blocks").values(block).execute();
          if (engine === "postgres") await write;
          return [first, await count(read)];
        });
        await write;
        expect([...seen, await count(db)]).to.deep.equal([0, 0, 1]);
      } finally {
        await close();
      }
    });
    it(`test_indexer_storesEveryLogOnce_resumes_andRollsBackAReorg (${store.name})`, async function () {
      const { world } = await networkHelpers.loadFixture(fixture);
      const { db, close, engine } = openDatabase(await store.fresh(), ":memory:");
      await migrate(db as never, engine);
      const chainId = Number((await ethers.provider.getNetwork()).chainId);
      const projections = [members, balances];
      const make = (provider: ChainRpc = ethers.provider) =>
        new Indexer({
          db,
          provider,
          chainId,
          deployment: world.deployment,
          fromBlock: 0,
          batchBlocks: 5,
          onEvents: (trx, rows) => project(trx, projections, rows),
          onRollback: (trx) => rebuild(trx, projections, chainId),
        });
      /** Every mirrored member and balance against the chain's own views. */
      const checkMirror = async (balanceRows: number) => {
        const rows = await db.selectFrom("members").selectAll().orderBy("id").execute();
        expect(rows.length).to.equal(Number(await world.contracts.members.memberCount()));
        for (const r of rows) {
          const m = await world.contracts.members.getMember(r.id);
          const mirrored = [
            r.legal_id_hash,
            r.jurisdiction,
            BigInt(r.roles),
            r.status,
            r.admin,
            r.payout ?? ethers.ZeroAddress,
          ];
          expect(mirrored).to.deep.equal([
            m.legalIdHash,
            Buffer.from(m.jurisdiction.slice(2), "hex").toString("latin1"),
            m.roles,
            statusName(m.status),
            m.admin,
            m.payout,
          ]);
          const operators = await db
            .selectFrom("member_operators")
            .select("operator")
            .where("member_id", "=", r.id)
            .execute();
          expect(BigInt(operators.length)).to.equal(m.operatorCount);
          for (const o of operators)
            expect(await world.contracts.members.memberForKey(o.operator)).to.equal(BigInt(r.id));
        }
        const held = await db.selectFrom("balances").selectAll().execute();
        expect(held.length).to.equal(balanceRows);
        for (const b of held) {
          const token = world.contracts.tokens[b.currency];
          expect(BigInt(b.balance)).to.equal(await token.balanceOf(b.account));
          expect(b.frozen === 1).to.equal(await token.isFrozen(b.account));
        }
      };
      const stored = async () =>
        (
          await db
            .selectFrom("events")
            .select(["block_hash", "log_index", "name"])
            .orderBy("block_number")
            .orderBy("log_index")
            .execute()
        ).map((r) => `${r.block_hash}:${r.log_index}:${r.name ?? "?"}`);
      // Two indexers on one database step at once: both read the same checkpoint (a gate holds each at its log
      // read until both are there); one stores the batch, the other finds the checkpoint moved and stores nothing.
      let arrived = 0;
      let open = () => {};
      const gate = new Promise<void>((resolve) => (open = resolve));
      const gated: ChainRpc = {
        async send(method, params) {
          if (method === "eth_getLogs" && ++arrived === 2) open();
          if (method === "eth_getLogs") await gate;
          return ethers.provider.send(method, params);
        },
      };
      await make().step();
      const twins = await Promise.allSettled([make(gated).step(), make(gated).step()]);
      expect(twins.map((t) => t.status).sort()).to.deep.equal(["fulfilled", "rejected"]);
      const refused = twins.find((t) => t.status === "rejected") as PromiseRejectedResult;
      expect(String(refused.reason)).to.match(/the checkpoint moved from block \d+ while this step ran/);
      // A node that refuses log ranges over two blocks: the range is halved until taken, and nothing is missed.
      let widest = 0;
      const capped: ChainRpc = {
        async send(method, params) {
          if (method === "eth_getLogs") {
            const [{ fromBlock, toBlock }] = params as [{ fromBlock: string; toBlock: string }];
            const span = Number(toBlock) - Number(fromBlock) + 1;
            if (span > 2) throw new Error(`query exceeds the maximum range of 2 blocks (asked ${span})`);
            widest = Math.max(widest, span);
          }
          return ethers.provider.send(method, params);
        },
      };
      const cappedIndexer = make(capped);
      const cappedStart = (await cappedIndexer.checkpoint())!.number;
      const cappedRun = await cappedIndexer.step();
      expect([cappedRun.indexed - cappedStart, widest]).to.deep.equal([2, 2]);
      // A first indexer stops after two steps; a second one resumes from the checkpoint.
      let indexer = make();
      await indexer.step();
      await indexer.step();
      indexer = make();
      for (let r = await indexer.step(); r.indexed < r.head; r = await indexer.step());
      expect(await stored()).to.deep.equal(await chainEvents(world));
      expect((await stored()).length).to.be.greaterThan(10);
      // The same database for another deployment (one more token, or another first block) is refused.
      await indexer.verifyDeployment();
      const other = { ...world.deployment, tokens: { ...world.deployment.tokens, EUR: ethers.ZeroAddress } };
      const refusal = await new Indexer({ db, provider: ethers.provider, chainId, deployment: other, fromBlock: 0 })
        .verifyDeployment()
        .then(
          () => "accepted",
          (err: unknown) => String(err),
        );
      expect(refusal).to.match(
        /this database indexes another deployment on chain 31337 .*give the service another database/,
      );
      await checkMirror(0);
      // A node lagging three blocks behind the checkpoint (it has not the blocks yet): waited for, not rolled back.
      const indexedTo = (await indexer.checkpoint())!.number;
      const lagging: ChainRpc = {
        async send(method, params) {
          if (method === "eth_blockNumber") return toQuantity(indexedTo - 3);
          if (method === "eth_getBlockByNumber" && Number((params as [string])[0]) > indexedTo - 3) return null;
          return ethers.provider.send(method, params);
        },
      };
      const waited = await make(lagging).step();
      expect([waited.indexed, waited.rolledBackTo, waited.events]).to.deep.equal([indexedTo, undefined, 0]);
      expect(await stored()).to.deep.equal(await chainEvents(world));
      // A reorganisation racing a step: the last block's hash changes between the step's two reads of it. Nothing
      // is stored, the checkpoint stays; the next step indexes the block as the chain has it.
      await (await world.contracts.tokens.CNY.connect(world.issuer).mint(world.admins.pacific.address, 1n)).wait();
      const newHead = indexedTo + 1;
      let reads = 0;
      const racing: ChainRpc = {
        async send(method, params) {
          const got = (await ethers.provider.send(method, params)) as { hash: string } | null;
          if (method === "eth_getBlockByNumber" && Number((params as [string])[0]) === newHead && ++reads === 2) {
            return { ...got, hash: `0x${"ab".repeat(32)}` };
          }
          return got;
        },
      };
      const raced = await make(racing).step();
      expect([raced.indexed, raced.events, (await indexer.checkpoint())!.number]).to.deep.equal([
        indexedTo,
        0,
        indexedTo,
      ]);
      expect((await make().step()).indexed).to.equal(newHead);
      expect(await stored()).to.deep.equal(await chainEvents(world));
      await checkMirror(1);
      // A reorganisation: blocks after the snapshot are replaced by others.
      const snapshot = await networkHelpers.takeSnapshot();
      await world.contracts.tokens.CNY.connect(world.issuer).mint(world.admins.huaxia.address, 1_000n);
      await world.contracts.tokens.CNY.connect(world.issuer).mint(world.admins.golfo.address, 2_000n);
      for (let r = await indexer.step(); r.indexed < r.head; r = await indexer.step());
      await checkMirror(3);
      const before = await stored();
      await snapshot.restore();
      await world.contracts.tokens.MXN.connect(world.issuer).mint(world.admins.golfo.address, 3_000n);
      let rolled: number | undefined;
      for (let r = await indexer.step(); ; r = await indexer.step()) {
        rolled ??= r.rolledBackTo;
        if (r.indexed >= r.head) break;
      }
      expect(rolled).to.not.equal(undefined);
      const after = await stored();
      expect(after).to.deep.equal(await chainEvents(world));
      expect(after).to.not.deep.equal(before);
      // Only pacific's CNY and golfo's MXN are left: huaxia's and golfo's CNY went with the replaced blocks.
      await checkMirror(2);
      await close();
    });
  }

  it("test_deploymentBlock_isTheJournalsLowestReceipt_orZeroWithoutAJournal", async function () {
    const dir = await mkdtemp(path.join(tmpdir(), "tradeline-journal-"));
    try {
      const record = path.join(dir, "deployed_addresses.json");
      expect(await deploymentBlock(record)).to.equal(0);
      // Ignition's journal: one JSON object a line, receipts among other entries, not in block order.
      const entries = [
        { type: "DEPLOYMENT_INITIALIZE" },
        { type: "TRANSACTION_CONFIRM", receipt: { blockNumber: 12 } },
        { type: "TRANSACTION_CONFIRM", receipt: { blockNumber: 7 } },
        { type: "ONCHAIN_INTERACTION_SUCCEEDED" },
        { type: "TRANSACTION_CONFIRM", receipt: { blockNumber: 9 } },
      ];
      await writeFile(path.join(dir, "journal.jsonl"), `${entries.map((e) => JSON.stringify(e)).join("\n")}\n`);
      expect(await deploymentBlock(record)).to.equal(7);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("test_jsonValue_keepsArraysOfStructsArrays_evenWithOneElement", function () {
    // ethers names a lone unnamed array element "_": an array of one struct must stay an array of one object.
    const iface = new ethers.Interface([
      "event E(uint256 indexed id, tuple(uint16 shareBps, uint8 evidence)[] tranches)",
    ]);
    for (const n of [1, 2]) {
      const tranches = Array.from({ length: n }, (_, i) => [100 + i, 1]);
      const parsed = iface.parseLog(iface.encodeEventLog("E", [7, tranches]))!;
      expect(jsonValue(parsed.args[1])).to.deep.equal(
        tranches.map(([shareBps, evidence]) => ({ shareBps: String(shareBps), evidence: String(evidence) })),
      );
    }
  });
});
