/**
 * Adversarial review 41 (the service): each test failed on the code before its fix.
 * - T1 (low): a bank holding the Financier role was refused a quote relay from any desk but its treasury, "as the
 *   financier its proceeds are assigned to", also once the proceeds were assigned, for good, to another financier.
 * - D1 (low): the read model's report listed disputes closed in one block in the order they were opened, not the
 *   order the chain closed them; rows written before the fix get their place by refolding the stored events, also
 *   at a start after one stopped between the migration and its refold (review 42, R1).
 */
import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { Migrator, type MigrationProvider } from "kysely/migration";
import { network } from "hardhat";

import { fundGlasswareParties } from "../../scripts/lib/glassware.js";
import { deployWorld } from "../../scripts/lib/world.js";
import { sampleLoan } from "../../scripts/lib/loans.js";
import { loanRef, registerLoan } from "../../src/credit.js";
import { reasonCode } from "../../src/encoding.js";
import { borrowerReport } from "../../src/report.js";
import { createToken, parseRoles } from "../../service/auth.js";
import { openDatabase } from "../../service/db.js";
import { migrate, migrations } from "../../service/migrations.js";

import { call, shippedOrder, startTestService } from "./engines.js";

const connection = await network.create();
const { ethers } = connection;

describe("adversarial review 41: the service", function () {
  let world: Awaited<ReturnType<typeof deployWorld>>;
  before(async function () {
    world = await deployWorld(connection);
    await fundGlasswareParties(world, 4);
  });

  it("T1: a bank relays the named provider's quote from any desk once the proceeds are another financier's for good", async function () {
    const { services, ok, post, stop, id, quoteAt, relay, paid } = await shippedOrder(
      ethers.provider,
      world,
      "PO T1-41",
    );
    try {
      const opsDesk = (await createToken(services.golfo.database.db, "golfo ops", parseRoles("operator"))).token;
      // Before any assignment, Banco del Golfo (a Financier) could still be assigned the proceeds before its relay
      // lands, so its relay may be the payee's choice: its treasury's, and the refusal says so.
      const early = await post(
        "golfo",
        `/v1/trade/orders/${id}/evidence`,
        { ...relay, quote: await quoteAt("0.38") },
        opsDesk,
      );
      expect(early.status, early.text).to.equal(403);
      expect(early.body.detail).to.equal(
        "relaying an order's evidence with an FX quote (as a financier the proceeds may be assigned to first) needs " +
          "the role bank-treasury; the token has operator",
      );
      expect(await paid()).to.equal(0);

      // Pacific advances against the proceeds: the order's financier, and no other member can ever be
      // (TradeAlreadyAssigned). Pacific names Huaxia at 0.35 at least.
      const offer = await ok(
        "pacific",
        `/v1/trade/orders/${id}/assignment-offers`,
        { financier: Number(world.ids.pacific), advance: "0.01", validFor: 3_600 },
        201,
      );
      await ok("glassworks", `/v1/trade/orders/${id}/assignments`, { assignment: offer });
      await ok("pacific", `/v1/trade/orders/${id}/fx-terms`, { provider: Number(world.ids.huaxia), minRate: "0.35" });
      expect((await world.contracts.trade.getOrder(BigInt(id))).financier).to.equal(world.ids.pacific);

      // Golfo can never be the payee now: its operations desk relays the named provider's quote, as anyone may.
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

  it("D1: disputes closed in one block are listed in the chain's order, also after an upgrade refolds the read model", async function () {
    const c = world.contracts;
    const lender = c.credit.connect(world.admins.quicklend);
    const idNumber = "11010119900309041X";
    const a = await registerLoan(lender, sampleLoan(world.key, { loanRef: "R41-D1-A", idNumber }));
    const b = await registerLoan(lender, sampleLoan(world.key, { loanRef: "R41-D1-B", idNumber }));
    const key = (await c.credit.getLoan(a.ids[0])).borrowerKey;
    expect((await c.credit.getLoan(b.ids[0])).borrowerKey).to.equal(key);
    const ql = world.ids.quicklend;
    await (await lender.openDispute(ql, loanRef("R41-D1-A"), reasonCode("WRONG_AMOUNT"))).wait();
    await (await lender.openDispute(ql, loanRef("R41-D1-B"), reasonCode("NOT_MINE"))).wait();
    // The regulator closes B, then A, in one block (two transactions of one block, as on any busy chain).
    const regulator = c.credit.connect(world.admins.regulator);
    await ethers.provider.send("evm_setAutomine", [false]);
    try {
      await regulator.resolveDispute(ql, loanRef("R41-D1-B"), reasonCode("UPHELD"));
      await regulator.resolveDispute(ql, loanRef("R41-D1-A"), reasonCode("REJECTED"));
      await ethers.provider.send("evm_mine", []);
    } finally {
      await ethers.provider.send("evm_setAutomine", [true]);
    }
    const resolved = await c.credit.queryFilter(c.credit.filters.DisputeResolved(undefined, undefined, key));
    expect(resolved.map((e) => [e.blockNumber, e.args.id])).to.deep.equal([
      [resolved[0].blockNumber, b.ids[0]],
      [resolved[0].blockNumber, a.ids[0]],
    ]);
    const chain = await borrowerReport({ credit: c.credit, consents: c.consents, score: c.score, key });
    expect(chain.disputes.closed.map((d) => d.loanId)).to.deep.equal([b.ids[0], a.ids[0]]);

    const dir = await mkdtemp(path.join(tmpdir(), "tradeline-r41-"));
    const file = path.join(dir, "read-model.sqlite");
    const serviceReport = async () => {
      const service = await startTestService(ethers.provider, world.deployment, file, {
        signer: world.admins.regulator,
        consortiumKey: async () => world.key,
      });
      try {
        const token = (await createToken(service.database.db, "regulator", parseRoles("regulator"))).token;
        await service.caughtUp();
        const r = await call(service.url, token, "GET", `/v1/credit/borrowers/${key}/report`);
        expect(r.status, r.text).to.equal(200);
        return (r.body as unknown as { disputes: { closed: { loanId: string }[] } }).disputes.closed;
      } finally {
        await service.stop();
      }
    };
    try {
      expect((await serviceReport()).map((d) => d.loanId)).to.deep.equal([b.ids[0], a.ids[0]]);

      // A database written before migration 0016 has no positions; the service applying 0016 refolds its events.
      const old = openDatabase(file, ":memory:");
      const provider: MigrationProvider = { getMigrations: async () => migrations(old.engine) };
      expect((await new Migrator({ db: old.db as never, provider }).migrateTo("0015_held_awards")).error).to.equal(
        undefined,
      );
      await old.close();
      expect((await serviceReport()).map((d) => d.loanId)).to.deep.equal([b.ids[0], a.ids[0]]);
      const after = openDatabase(file, ":memory:");
      try {
        const rows = await after.db
          .selectFrom("loan_disputes")
          .select(["loan_id", "resolved_block", "resolved_log"])
          .where("state", "=", "Resolved")
          .where("loan_id", "in", [a.ids[0].toString(), b.ids[0].toString()])
          .execute();
        expect(rows.map((r) => [r.loan_id, Number(r.resolved_block)]).sort()).to.deep.equal(
          [
            [a.ids[0].toString(), resolved[0].blockNumber],
            [b.ids[0].toString(), resolved[0].blockNumber],
          ].sort(),
        );
        const logs = new Map(rows.map((r) => [r.loan_id, Number(r.resolved_log)]));
        expect(logs.get(b.ids[0].toString())).to.be.lessThan(logs.get(a.ids[0].toString())!);
      } finally {
        await after.close();
      }

      // Review 42, R1: a start stopped after migrating and before its refold committed (the migration recorded, the
      // rows without positions) refolds at the next start, which applies no migration.
      const down = openDatabase(file, ":memory:");
      const downProvider: MigrationProvider = { getMigrations: async () => migrations(down.engine) };
      expect(
        (await new Migrator({ db: down.db as never, provider: downProvider }).migrateTo("0015_held_awards")).error,
      ).to.equal(undefined);
      expect(await migrate(down.db as never, down.engine)).to.deep.equal(["0016_event_positions"]);
      const stale = await down.db
        .selectFrom("loan_disputes")
        .select("resolved_block")
        .where("state", "=", "Resolved")
        .execute();
      expect(stale.length).to.be.greaterThan(0);
      expect(stale.every((r) => r.resolved_block === null)).to.equal(true);
      await down.close();
      expect((await serviceReport()).map((d) => d.loanId)).to.deep.equal([b.ids[0], a.ids[0]]);
      const refolded = openDatabase(file, ":memory:");
      try {
        const rows = await refolded.db
          .selectFrom("loan_disputes")
          .select("resolved_block")
          .where("state", "=", "Resolved")
          .execute();
        expect(rows.every((r) => r.resolved_block !== null)).to.equal(true);
        expect(
          await refolded.db.selectFrom("consents").select("id").where("recorded_log", "is", null).execute(),
        ).to.deep.equal([]);
      } finally {
        await refolded.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
