/**
 * The schema, as Kysely migrations: the same code creates the tables on SQLite and on PostgreSQL. A migration is
 * never edited once released; a change is a new one.
 */
import type { Kysely } from "kysely";
import { Migrator, type Migration, type MigrationProvider } from "kysely/migration";

const core: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("blocks")
      .addColumn("chain_id", "bigint", (c) => c.notNull())
      .addColumn("number", "bigint", (c) => c.notNull())
      .addColumn("hash", "text", (c) => c.notNull())
      .addColumn("parent_hash", "text", (c) => c.notNull())
      .addColumn("timestamp", "bigint", (c) => c.notNull())
      .addPrimaryKeyConstraint("blocks_pk", ["chain_id", "number"])
      .execute();
    await db.schema
      .createTable("events")
      .addColumn("chain_id", "bigint", (c) => c.notNull())
      .addColumn("block_hash", "text", (c) => c.notNull())
      .addColumn("log_index", "integer", (c) => c.notNull())
      .addColumn("block_number", "bigint", (c) => c.notNull())
      .addColumn("tx_hash", "text", (c) => c.notNull())
      .addColumn("tx_index", "integer", (c) => c.notNull())
      .addColumn("address", "text", (c) => c.notNull())
      .addColumn("contract", "text", (c) => c.notNull())
      .addColumn("name", "text")
      .addColumn("signature", "text")
      .addColumn("args", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("events_pk", ["chain_id", "block_hash", "log_index"])
      .execute();
    await db.schema
      .createIndex("events_by_block")
      .on("events")
      .columns(["chain_id", "block_number", "log_index"])
      .execute();
    await db.schema.createIndex("events_by_name").on("events").columns(["chain_id", "name", "block_number"]).execute();
    await db.schema
      .createTable("checkpoints")
      .addColumn("chain_id", "bigint", (c) => c.primaryKey())
      .addColumn("block_number", "bigint", (c) => c.notNull())
      .addColumn("block_hash", "text", (c) => c.notNull())
      .addColumn("updated_at", "bigint", (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    for (const table of ["checkpoints", "events", "blocks"]) await db.schema.dropTable(table).execute();
  },
};

/** Every migration, in order. */
export const MIGRATIONS: Record<string, Migration> = {
  "0001_core": core,
};

class InCode implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS;
  }
}

/** Brings the schema up to date; throws with the failing migration's name and cause. */
export async function migrate(db: Kysely<unknown>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new InCode() });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error !== undefined) {
    const cause = error instanceof Error ? error.message : String(error);
    throw new Error(`database migration ${failed?.migrationName ?? "(before any migration)"} failed: ${cause}`);
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
