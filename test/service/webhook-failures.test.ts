/**
 * The webhook deliverer under failure, from an adversarial review of the notifications: a token revoked while its
 * worker runs, a database error in the middle of a delivery, and an indexer step that fails after committing its
 * rollback. Each was a lost or unwanted delivery before its fix (the review's proofs asserted those).
 */

import { expect } from "chai";
import { network } from "hardhat";
import type { KyselyPlugin } from "kysely";

import { runDemo } from "../../scripts/lib/demo-world.js";
import { deployWorld } from "../../scripts/lib/world.js";
import { createToken, parseRoles, revokeToken } from "../../service/auth.js";
import { openDatabase } from "../../service/db.js";
import { migrate } from "../../service/migrations.js";
import { NotificationHub, WebhookDeliverer } from "../../service/notify.js";
import type { EventRow } from "../../service/schema.js";

import { startTestService } from "./engines.js";
import { lendToOneBorrower, receiver, within } from "./webhooks.js";

const CHAIN = 31337;
let tx = 0;
function event(block: number, logIndex: number, contract: string, name: string, args: Record<string, unknown>) {
  return {
    chain_id: CHAIN,
    block_hash: "0x" + block.toString(16).padStart(64, "0"),
    log_index: logIndex,
    block_number: block,
    block_timestamp: 1_800_000_000,
    tx_hash: "0x" + (++tx).toString(16).padStart(64, "0"),
    tx_index: 0,
    address: "0x" + "11".repeat(20),
    contract,
    name,
    signature: null,
    args: JSON.stringify(args),
  } satisfies EventRow;
}
const tranche = (block: number) => event(block, 0, "TradeSettlement", "TranchePaid", { id: "1", tranche: "0" });
describe("webhook deliverer under failure", function () {
  this.timeout(120_000);

  it("test_deliverer_tokenRevokedWhileItsWorkerRuns_deliversNothingAfterTheRevocation", async function () {
    const database = openDatabase(":memory:", "");
    await migrate(database.db as never, database.engine);
    const db = database.db;
    const token = await createToken(db, "exporter", parseRoles("exporter"));
    await db.insertInto("events").values(tranche(7)).execute();
    // The first delivery: the token is revoked, and a new event is stored, before the receiver answers 2xx. Each
    // later delivery stores one more event.
    const hook = await receiver(async (n) => {
      if (n === 1) expect(await revokeToken(db, token.id)).to.equal(true);
      if (n < 5)
        await db
          .insertInto("events")
          .values(tranche(7 + n))
          .execute();
      return 204;
    });
    await db
      .insertInto("webhooks")
      .values({ token_id: token.id, url: hook.url, secret: "whsec_t", kinds: null, cursor: null, created_at: 1 })
      .execute();
    const d = new WebhookDeliverer({ db, hub: new NotificationHub(db, CHAIN, { allowPrivateWebhooks: true }) });
    d.start();
    try {
      await within(60_000, hook.delivered(1), "the delivery in flight at the revocation");
      const cursor = async () => (await db.selectFrom("webhooks").select("cursor").executeTakeFirstOrThrow()).cursor;
      while ((await cursor()) !== "7:0") await new Promise((r) => setTimeout(r, 20));
      // The worker checks the token before its next attempt: the event stored after the revocation is not sent
      // (stopping waits for the worker to end its run).
      await d.stop();
      expect(hook.got.map((g) => g.eventId)).to.deep.equal(["7:0"]);
      expect(await db.selectFrom("webhook_deliveries").select("event_id").execute()).to.deep.equal([
        { event_id: "7:0" },
      ]);
    } finally {
      await d.stop();
      await hook.close();
      await database.close();
    }
  });

  it("test_deliverer_deliveryLogWriteFailsAfterA500_theEventIsRetried_beforeTheNextOne", async function () {
    const database = openDatabase(":memory:", "");
    await migrate(database.db as never, database.engine);
    // A transient database error on the first write of the delivery log (e.g. SQLITE_BUSY, a dropped PG link).
    let fail = true;
    const flaky: KyselyPlugin = {
      transformQuery(args) {
        if (fail && args.node.kind === "InsertQueryNode" && JSON.stringify(args.node).includes("webhook_deliveries")) {
          fail = false;
          throw new Error("database is locked");
        }
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const db = database.db.withPlugin(flaky);
    const token = await createToken(db, "exporter", parseRoles("exporter"));
    await db.insertInto("events").values(tranche(7)).execute();
    // The receiver fails the first attempt: the event must be retried.
    const hook = await receiver((n) => (n === 1 ? 500 : 204));
    const id = Number(
      (
        await db
          .insertInto("webhooks")
          .values({ token_id: token.id, url: hook.url, secret: "whsec_t", kinds: null, cursor: null, created_at: 1 })
          .returning("id")
          .executeTakeFirstOrThrow()
      ).id,
    );
    const d = new WebhookDeliverer({
      db,
      hub: new NotificationHub(db, CHAIN, { allowPrivateWebhooks: true }),
      backoffMs: 20,
    });
    d.start();
    try {
      // Once the failed attempt is over, the next event comes.
      while (fail || hook.got.length === 0) await new Promise((r) => setTimeout(r, 20));
      await db.insertInto("events").values(tranche(8)).execute();
      d.kick();
      await within(60_000, hook.delivered(2), "two 2xx deliveries");
      // 7:0 is tried again after its failed attempt (whose log write failed), and delivered before 8:0.
      expect(hook.got.map((g) => [g.eventId, g.status])).to.deep.equal([
        ["7:0", 500],
        ["7:0", 204],
        ["8:0", 204],
      ]);
      const cursor = async () =>
        (await db.selectFrom("webhooks").select("cursor").where("id", "=", id).executeTakeFirstOrThrow()).cursor;
      while ((await cursor()) !== "8:0") await new Promise((r) => setTimeout(r, 20));
    } finally {
      await d.stop();
      await hook.close();
      await database.close();
    }
  });
});

describe("service: an indexer step that fails after its rollback", function () {
  this.timeout(300_000);
  it("test_service_stepThrowingAfterItsRollback_deliversTheReplacingLoanToAWebhook", async function () {
    const connection = await network.create();
    const { ethers, networkHelpers } = connection;
    const world = await deployWorld(connection);
    await runDemo(world, connection, () => {});
    let n = 0;
    const registerLoan = () =>
      lendToOneBorrower(world, ethers.provider, `91990000REVIEW${String(++n).padStart(4, "0")}`);
    // The node as the service sees it: a head that can be held, and one eth_getLogs that fails (a node hiccup).
    let heldHead: number | undefined;
    let failLogs = false;
    let failed!: () => void;
    const logsFailed = new Promise<void>((r) => (failed = r));
    const provider = new Proxy(ethers.provider, {
      get(target, prop) {
        if (prop === "send") {
          return async (method: string, params: unknown[]) => {
            if (method === "eth_blockNumber" && heldHead !== undefined) return "0x" + heldHead.toString(16);
            if (method === "eth_getLogs" && failLogs) {
              // Every log read fails (the step halves its range first); a one-block read failing ends the step.
              const [{ fromBlock, toBlock }] = params as [{ fromBlock: string; toBlock: string }];
              if (fromBlock === toBlock) failed();
              throw new Error("upstream connect error");
            }
            return target.send(method, params);
          };
        }
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const service = await startTestService(provider, world.deployment, ":memory:", {
      signer: world.admins.golfo,
      allowPrivateWebhooks: true,
      webhookBackoffMs: 20,
    });
    const hook = await receiver();
    try {
      await service.caughtUp();
      const desk = (await createToken(service.database.db, "desk", parseRoles("lender-desk"))).token;
      const created = await fetch(service.url + "/v1/webhooks", {
        method: "POST",
        headers: { authorization: `Bearer ${desk}`, "content-type": "application/json" },
        body: JSON.stringify({ url: hook.url, kinds: ["loan.registered"] }),
      });
      expect(created.status).to.equal(201);
      const txOf = async (block: number) => (await ethers.provider.getBlock(block))?.transactions.at(-1);
      const snapshot = await networkHelpers.takeSnapshot();
      const replaced = await registerLoan();
      const replacedTx = await txOf(replaced);
      await within(60_000, hook.delivered(1), "the first loan");
      await service.caughtUp();
      // The node's head is held at the indexed block while the chain is reorganised under it.
      heldHead = await ethers.provider.getBlockNumber();
      failLogs = true;
      await snapshot.restore();
      const replacing = await registerLoan();
      expect(replacing).to.equal(replaced);
      const replacingTx = await txOf(replacing);
      expect(replacingTx).to.not.equal(replacedTx);
      // The next step sees the indexed block's hash changed: it rolls back (committed), then its log read fails.
      await within(60_000, logsFailed, "the failed log read");
      failLogs = false;
      heldHead = undefined;
      const later = await registerLoan();
      const laterTx = await txOf(later);
      await within(60_000, hook.delivered(3), "the replacing loan and the later one");
      await service.caughtUp();
      // The replacing loan is in the read model, at the replaced one's cursor...
      const storedTx = (
        await service.database.db
          .selectFrom("events")
          .select("tx_hash")
          .where("name", "=", "LoanRegistered")
          .where("block_number", "in", [replaced, later])
          .orderBy("block_number")
          .execute()
      ).map((r) => r.tx_hash);
      expect(storedTx).to.deep.equal([replacingTx, laterTx]);
      // ...and the webhook had it, at the same cursor as the loan it replaced, then the later one.
      const txOfBody = (body: string) => (JSON.parse(body) as { txHash: string }).txHash;
      expect(hook.answered().map((g) => [g.eventId, txOfBody(g.body)])).to.deep.equal([
        [`${replaced}:0`, replacedTx],
        [`${replaced}:0`, replacingTx],
        [`${later}:0`, laterTx],
      ]);
    } finally {
      await hook.close();
      await service.stop();
    }
  });
});
