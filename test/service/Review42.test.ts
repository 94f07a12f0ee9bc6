/**
 * Adversarial review 42 (the service, of review 41's fixes): each test failed on the code before its fix.
 * - T2 (low): `payeeChoiceStep` asked a Financier bank's treasury for a quote relay also once no assignment could land
 *   any more (past the shipment deadline), and said the proceeds "may be assigned to" it first.
 * - R1 (low): the refold for migration 0016 ran after the migration was recorded, in its own transaction: a service
 *   stopped in between never refolded. A start now refolds whenever a row lacks its place in chain order (its test
 *   is review 41's D1 test, in Review41.test.ts).
 * - R2 (medium, PostgreSQL; skipped without TRADELINE_TEST_PG_URL): the refold did not exclude another service's
 *   indexer on the same database, and a repayment indexed during it was lost from the read model. The refold now
 *   takes the checkpoints first, as every indexer's step does.
 */
import { expect } from "chai";
import { randomBytes } from "node:crypto";

import { Migrator, type MigrationProvider } from "kysely/migration";
import { network } from "hardhat";
import pg from "pg";

import { fundGlasswareParties } from "../../scripts/lib/glassware.js";
import { deployWorld } from "../../scripts/lib/world.js";
import { decodeError } from "../../src/errors.js";
import { sampleLoan } from "../../scripts/lib/loans.js";
import { registerLoan } from "../../src/credit.js";
import { createToken, parseRoles } from "../../service/auth.js";
import { openDatabase } from "../../service/db.js";
import { migrations } from "../../service/migrations.js";
import type { RunningService } from "../../service/server.js";

import { shippedOrder, startTestService } from "./engines.js";

const connection = await network.create();
const { ethers } = connection;

describe("adversarial review 42: the service", function () {
  let world: Awaited<ReturnType<typeof deployWorld>>;
  before(async function () {
    world = await deployWorld(connection);
    await fundGlasswareParties(world, 4);
  });

  it("T2: past the shipment deadline a Financier bank's ops desk relays the named provider's quote, as anyone may", async function () {
    const { services, ok, stop, id, quoteAt, relay, paid } = await shippedOrder(ethers.provider, world, "PO T2-42");
    try {
      // The exporter (the payee) names Huaxia at 0.35 at least: anyone may relay Huaxia's quote at or above it.
      await ok("glassworks", `/v1/trade/orders/${id}/fx-terms`, {
        provider: Number(world.ids.huaxia),
        minRate: "0.35",
      });
      // The goods ship late: the shipment deadline (day 14) passes with no evidence; the order is far from expiry.
      await ethers.provider.send("evm_increaseTime", [16 * 86_400]);
      await ethers.provider.send("evm_mine", []);
      const order = await world.contracts.trade.getOrder(BigInt(id));
      const now = (await ethers.provider.getBlock("latest"))!.timestamp;
      expect([order.financier, order.evidenceDone]).to.deep.equal([0n, 0n]);
      expect(now).to.be.greaterThan(Number(order.shipmentDeadline));
      expect(now).to.be.lessThan(Number(order.expiry));
      // No assignment can land any more, to Golfo or anyone (TradeWindowClosed): Golfo can never be the payee.
      const refused = await world.contracts.trade
        .connect(world.admins.glassworks)
        .assignProceeds(BigInt(id), world.ids.golfo, 1n, BigInt(now + 3_600), 1n, "0x")
        .catch((e: unknown) => e);
      expect(decodeError(refused)?.name).to.equal("TradeWindowClosed");

      // Golfo's operations desk relays the named provider's quote, which the chain takes from anyone: no assignment
      // to Golfo can land first, so the relay is not the payee's choice, and any desk may make it.
      const opsDesk = (await createToken(services.golfo.database.db, "golfo ops", parseRoles("operator"))).token;
      const relayed = await ok(
        "golfo",
        `/v1/trade/orders/${id}/evidence`,
        { ...relay, quote: await quoteAt("0.38") },
        200,
        opsDesk,
      );
      expect(relayed.payments).to.have.length(1);
      expect(await paid()).to.equal(1);
    } finally {
      await stop();
    }
  });

  /** Takes the database at `url` back to before migration 0016 (as written by a service of the previous version). */
  async function downTo0015(url: string) {
    const old = openDatabase(url, ":memory:");
    try {
      const provider: MigrationProvider = { getMigrations: async () => migrations(old.engine) };
      const r = await new Migrator({ db: old.db as never, provider }).migrateTo("0015_held_awards");
      expect(r.error).to.equal(undefined);
    } finally {
      await old.close();
    }
  }

  it("R2 (PostgreSQL): a repayment indexed by a running service while another refolds the same database is kept", async function () {
    const admin = process.env.TRADELINE_TEST_PG_URL;
    if (admin === undefined || admin === "") this.skip();
    this.timeout(120_000);
    const name = `tradeline_r42_${randomBytes(6).toString("hex")}`;
    const adminClient = new pg.Client({ connectionString: admin });
    await adminClient.connect();
    await adminClient.query(`create database ${name}`);
    await adminClient.end();
    const u = new URL(admin!);
    u.pathname = `/${name}`;
    const url = u.toString();
    const services: RunningService[] = [];
    const probe = new pg.Client({ connectionString: url });
    const blocker = new pg.Client({ connectionString: url });
    try {
      const c = world.contracts;
      const lender = c.credit.connect(world.admins.quicklend);
      const input = sampleLoan(world.key, { loanRef: "R42-R2", idNumber: "11010119900309043X" });
      const reg = await registerLoan(lender, input);
      const loanId = reg.ids[0].toString();
      // A consent recorded before the upgrade: its row has no place in chain order after 0016, so the upgrading
      // service refolds (as for any database written by the previous version).
      const expiresAt = (await ethers.provider.getBlock("latest"))!.timestamp + 30 * 86_400;
      await (
        await c.consents.connect(world.admins.quicklend).recordConsent({
          borrowerKey: (await c.credit.getLoan(reg.ids[0])).borrowerKey,
          documentHash: ethers.id("review 42 R2 consent"),
          purpose: 1,
          expiresAt,
          covered: [],
        })
      ).wait();
      const before = (await c.credit.getLoan(reg.ids[0])).outstanding;

      // Service A: the running service (of the previous version, or of another chain's upgrade: the refold takes
      // every chain of the database) indexing this chain.
      // (Its code's projection of a repayment is the same in both versions; the database is taken back to 0015
      // under it, as the previous version left it.)
      const running = await startTestService(ethers.provider, world.deployment, url);
      services.push(running);
      await running.caughtUp();
      await downTo0015(url);

      // The refold's window is as long as folding every stored event takes; here a lock held on a table it empties
      // last (trade_orders) holds it open, after it emptied `loans`, only so the test can time the race.
      await probe.connect();
      await blocker.connect();
      await blocker.query("begin");
      await blocker.query("lock table trade_orders in access exclusive mode");
      const upgrading = startTestService(ethers.provider, world.deployment, url);
      const waiting = async (sql: string) => {
        for (let i = 0; i < 400; i++) {
          const r = await probe.query(sql);
          if (Number(r.rows[0].n) > 0) return;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        const act = await probe.query(
          "select pid, state, wait_event_type, wait_event, left(query, 120) as q from pg_stat_activity where datname = current_database()",
        );
        const locks = await probe.query(
          "select locktype, relation::regclass as rel, mode, granted, pid from pg_locks where not granted",
        );
        throw new Error(
          `timed out waiting for: ${sql}\n${JSON.stringify(act.rows, null, 1)}\n${JSON.stringify(locks.rows)}`,
        );
      };
      await waiting("select count(*) as n from pg_locks where not granted and relation = 'trade_orders'::regclass");
      // The borrower repays 1,000 while B refolds; A indexes it (its UPDATE of the loan waits on B's delete).
      await (await lender.fileLoanRepayment(input.loanRef, 1_000n)).wait();
      const afterRepay = (await c.credit.getLoan(reg.ids[0])).outstanding;
      expect(afterRepay).to.equal(before - 1_000n);
      await waiting("select count(*) as n from pg_locks where not granted and locktype = 'transactionid'");
      await blocker.query("commit");
      const upgraded = await upgrading;
      services.push(upgraded);
      await running.caughtUp();
      await upgraded.caughtUp();

      // Both services are caught up, and the read model holds the repayment the events table holds.
      const stored = await probe.query("select count(*) as n from events where name = 'LoanRepaid' and args like $1", [
        `%${loanId}%`,
      ]);
      expect(Number(stored.rows[0].n)).to.equal(1);
      const row = await probe.query("select outstanding from loans where id = $1", [loanId]);
      expect(row.rows[0].outstanding).to.equal(afterRepay.toString());
    } finally {
      await blocker.query("rollback").catch(() => {});
      await blocker.end().catch(() => {});
      await probe.end().catch(() => {});
      for (const s of services) await s.stop();
      const cleanup = new pg.Client({ connectionString: admin });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    }
  });
});
