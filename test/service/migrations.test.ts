import { expect } from "chai";
import { Migrator, type MigrationProvider } from "kysely/migration";

import { openDatabase } from "../../service/db.js";
import { migrations } from "../../service/migrations.js";

import { engines } from "./engines.js";

describe("service migrations", function () {
  for (const store of engines()) {
    after(() => store.cleanup());

    it(`test_invoicesByDebtor_keepsEveryUse_andAcceptsOneKeyForTwoDebtors (${store.name})`, async function () {
      const { db, engine, close } = openDatabase(await store.fresh(), ":memory:");
      const provider: MigrationProvider = { getMigrations: async () => migrations(engine) };
      const migrator = new Migrator({ db: db as never, provider });
      expect((await migrator.migrateTo("0012_advance_open")).error).to.equal(undefined);
      // A database written before 0013: one invoice of debtor 7's root, keyed by the invoice alone.
      const family = {
        chain_id: 31337,
        family: 1,
        root: "16777216",
        debtor: 7,
        token: "0x0000000000000000000000000000000000000001",
        maturity_active: 0,
        pieces: 1,
        face: "100",
        paid: "0",
        state: "Confirmed",
        repaid_at: 0,
        grace_seconds: 0,
        penalty_rate_bps: 0,
        requested_at: 0,
      };
      await db.insertInto("families").values(family).execute();
      const key = `0x${"ab".repeat(32)}`;
      await (db as never as { insertInto: typeof db.insertInto })
        .insertInto("invoices")
        .values({ chain_id: 31337, invoice_key: key, root: family.root } as never)
        .execute();

      const up = await migrator.migrateTo("0013_invoices_by_debtor");
      expect(up.results?.map((r) => [r.migrationName, r.status])).to.deep.equal([
        ["0013_invoices_by_debtor", "Success"],
      ]);
      const rows = await db.selectFrom("invoices").selectAll().execute();
      expect(rows.map((r) => [Number(r.debtor), r.invoice_key, r.root])).to.deep.equal([[7, key, family.root]]);
      // Another debtor's receivable may use the same key now, as the ledger allows; the same debtor's may not.
      await db
        .insertInto("invoices")
        .values({ chain_id: 31337, debtor: 9, invoice_key: key, root: "33554432" })
        .execute();
      let again: unknown;
      try {
        await db
          .insertInto("invoices")
          .values({ chain_id: 31337, debtor: 7, invoice_key: key, root: "50331648" })
          .execute();
      } catch (e) {
        again = e;
      }
      expect(again, "a second use of debtor 7's key").to.be.instanceOf(Error);

      // And back: one row per key again.
      expect((await migrator.migrateDown()).error).to.equal(undefined);
      const down = (await db.selectFrom("invoices").selectAll().execute()) as unknown as { invoice_key: string }[];
      expect(down.map((r) => r.invoice_key)).to.deep.equal([key]);
      await close();
    });

    it(`test_uploadJobRuns_addsTheRunColumn_andDropsItOnTheWayDown (${store.name})`, async function () {
      const { db, engine, close } = openDatabase(await store.fresh(), ":memory:");
      const provider: MigrationProvider = { getMigrations: async () => migrations(engine) };
      const migrator = new Migrator({ db: db as never, provider });
      expect((await migrator.migrateTo("0013_invoices_by_debtor")).error).to.equal(undefined);
      const job = {
        token_id: 1,
        status: "running",
        lines: 1,
        already_registered: 0,
        pending: 1,
        sent: 0,
        tx_hashes: "",
        error: null,
        created_at: 1,
        updated_at: 1,
      };
      // A job written before 0014 has no run: a service starting later marks it interrupted, as before.
      await db
        .insertInto("upload_jobs")
        .values(job as never)
        .execute();
      const up = await migrator.migrateTo("0014_upload_job_runs");
      expect(up.results?.map((r) => [r.migrationName, r.status])).to.deep.equal([["0014_upload_job_runs", "Success"]]);
      await db
        .insertInto("upload_jobs")
        .values({ ...job, run: "r1" })
        .execute();
      const runs = await db.selectFrom("upload_jobs").select("run").orderBy("id").execute();
      expect(runs.map((r) => r.run)).to.deep.equal([null, "r1"]);
      expect((await migrator.migrateDown()).error).to.equal(undefined);
      const refused = await db
        .insertInto("upload_jobs")
        .values({ ...job, run: "r2" })
        .execute()
        .then(
          () => "inserted",
          () => "refused",
        );
      expect(refused).to.equal("refused");
      await close();
    });
  }
});
