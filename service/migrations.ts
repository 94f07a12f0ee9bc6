/**
 * The schema, as Kysely migrations: the same code creates the tables on SQLite and on PostgreSQL. A migration is
 * never edited once released; a change is a new one.
 */
import { sql, type ColumnDefinitionBuilder, type Kysely } from "kysely";
import { Migrator, type Migration, type MigrationProvider } from "kysely/migration";

import type { Engine } from "./db.js";

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
      .addColumn("block_timestamp", "bigint", (c) => c.notNull())
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
      .addColumn("deployment", "text", (c) => c.notNull())
      .addColumn("block_number", "bigint", (c) => c.notNull())
      .addColumn("block_hash", "text", (c) => c.notNull())
      .addColumn("updated_at", "bigint", (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    for (const table of ["checkpoints", "events", "blocks"]) await db.schema.dropTable(table).execute();
  },
};

/** An auto-numbered id: the one column type the two engines spell differently. */
function idColumn(engine: Engine) {
  return (c: ColumnDefinitionBuilder) =>
    engine === "postgres" ? c.primaryKey().generatedAlwaysAsIdentity() : c.primaryKey().autoIncrement();
}

const clients = (engine: Engine): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("api_tokens")
      .addColumn("id", "integer", idColumn(engine))
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("token_hash", "text", (c) => c.notNull().unique())
      .addColumn("roles", "text", (c) => c.notNull())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("revoked_at", "bigint")
      .execute();
    await db.schema
      .createTable("audit_log")
      .addColumn("id", "integer", idColumn(engine))
      .addColumn("token_id", "integer", (c) => c.notNull())
      .addColumn("at", "bigint", (c) => c.notNull())
      .addColumn("method", "text", (c) => c.notNull())
      .addColumn("path", "text", (c) => c.notNull())
      .addColumn("action", "text", (c) => c.notNull())
      .addColumn("status", "integer", (c) => c.notNull())
      .addColumn("tx_hash", "text")
      .execute();
    await db.schema
      .createTable("idempotency")
      .addColumn("token_id", "integer", (c) => c.notNull())
      .addColumn("key", "text", (c) => c.notNull())
      .addColumn("request_hash", "text", (c) => c.notNull())
      .addColumn("status", "integer")
      .addColumn("response", "text")
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addPrimaryKeyConstraint("idempotency_pk", ["token_id", "key"])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    for (const table of ["idempotency", "audit_log", "api_tokens"]) await db.schema.dropTable(table).execute();
  },
});

const membersAndBalances: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("members")
      .addColumn("chain_id", "bigint", (c) => c.notNull())
      .addColumn("id", "bigint", (c) => c.notNull())
      .addColumn("legal_id_hash", "text", (c) => c.notNull())
      .addColumn("jurisdiction", "text", (c) => c.notNull())
      .addColumn("roles", "bigint", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("admin", "text", (c) => c.notNull())
      .addColumn("payout", "text")
      .addColumn("admitted_block", "bigint", (c) => c.notNull())
      .addPrimaryKeyConstraint("members_pk", ["chain_id", "id"])
      .execute();
    await db.schema
      .createTable("member_operators")
      .addColumn("chain_id", "bigint", (c) => c.notNull())
      .addColumn("operator", "text", (c) => c.notNull())
      .addColumn("member_id", "bigint", (c) => c.notNull())
      .addPrimaryKeyConstraint("member_operators_pk", ["chain_id", "operator"])
      .execute();
    await db.schema
      .createTable("balances")
      .addColumn("chain_id", "bigint", (c) => c.notNull())
      .addColumn("currency", "text", (c) => c.notNull())
      .addColumn("token", "text", (c) => c.notNull())
      .addColumn("account", "text", (c) => c.notNull())
      .addColumn("balance", "text", (c) => c.notNull())
      .addColumn("frozen", "integer", (c) => c.notNull())
      .addPrimaryKeyConstraint("balances_pk", ["chain_id", "currency", "account"])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    for (const table of ["balances", "member_operators", "members"]) await db.schema.dropTable(table).execute();
  },
};

type Column = [name: string, type: "text" | "bigint" | "integer", notNull: boolean];

/** A table of plain columns with a primary key: most derived tables are just that. */
async function table(db: Kysely<unknown>, name: string, columns: Column[], key: string[], indexes: string[][] = []) {
  let t = db.schema.createTable(name);
  for (const [column, type, notNull] of columns) t = t.addColumn(column, type, (c) => (notNull ? c.notNull() : c));
  await t.addPrimaryKeyConstraint(`${name}_pk`, key as never).execute();
  for (const [i, cols] of indexes.entries()) {
    await db.schema.createIndex(`${name}_ix${i}`).on(name).columns(cols).execute();
  }
}

const CREDIT_TABLES = [
  "credit_policy",
  "loan_disputes",
  "flags",
  "inquiries",
  "exposure_history",
  "loan_funders",
  "loans",
];

const credit: Migration = {
  async up(db: Kysely<unknown>) {
    const at: Column[] = [
      ["chain_id", "bigint", true],
      ["block_number", "bigint", true],
      ["log_index", "integer", true],
      ["at", "bigint", true],
      ["tx_hash", "text", true],
    ];
    await table(
      db,
      "loans",
      [
        ["chain_id", "bigint", true],
        ["id", "text", true],
        ["borrower_key", "text", true],
        ["lender", "bigint", true],
        ["reporter", "bigint", true],
        ["loan_ref", "text", true],
        ["kind", "text", true],
        ["status", "text", true],
        ["principal", "text", true],
        ["outstanding", "text", true],
        ["origination_day", "bigint", true],
        ["maturity_day", "bigint", true],
        ["commitment", "text", true],
        ["registered_block", "bigint", true],
        ["registered_at", "bigint", true],
      ],
      ["chain_id", "id"],
      [
        ["chain_id", "borrower_key"],
        ["chain_id", "lender", "status"],
      ],
    );
    await table(
      db,
      "loan_funders",
      [
        ["chain_id", "bigint", true],
        ["loan_id", "text", true],
        ["member", "bigint", true],
        ["share_bps", "integer", true],
      ],
      ["chain_id", "loan_id", "member"],
    );
    await table(
      db,
      "exposure_history",
      [
        ...at,
        ["borrower_key", "text", true],
        ["active_loans", "integer", true],
        ["active_lenders", "integer", true],
        ["outstanding", "text", true],
        ["defaults", "integer", true],
      ],
      ["chain_id", "borrower_key", "block_number", "log_index"],
    );
    await table(
      db,
      "inquiries",
      [
        ...at,
        ["lender", "bigint", true],
        ["borrower_key", "text", true],
        ["purpose", "text", true],
        ["consent_hash", "text", true],
      ],
      ["chain_id", "block_number", "log_index"],
      [["chain_id", "borrower_key", "at"]],
    );
    await table(
      db,
      "flags",
      [
        ...at,
        ["borrower_key", "text", true],
        ["loan_id", "text", true],
        ["limit_name", "text", true],
        ["value", "text", true],
        ["max", "text", true],
      ],
      ["chain_id", "block_number", "log_index"],
      [
        ["chain_id", "at"],
        ["chain_id", "borrower_key"],
      ],
    );
    await table(
      db,
      "loan_disputes",
      [
        ["chain_id", "bigint", true],
        ["loan_id", "text", true],
        ["opened_block", "bigint", true],
        ["opened_log", "integer", true],
        ["opened_at", "bigint", true],
        ["opened_by", "bigint", true],
        ["reason", "text", true],
        ["state", "text", true],
        ["response", "text", false],
        ["outcome", "text", false],
        ["resolved_by", "bigint", false],
        ["resolved_at", "bigint", false],
      ],
      ["chain_id", "loan_id", "opened_block", "opened_log"],
      [["chain_id", "state"]],
    );
    await table(
      db,
      "credit_policy",
      [
        ["chain_id", "bigint", true],
        ["policy", "text", true],
        ["inquiry_window", "bigint", true],
        ["block_number", "bigint", true],
      ],
      ["chain_id"],
    );
  },
  async down(db: Kysely<unknown>) {
    for (const t of CREDIT_TABLES) await db.schema.dropTable(t).execute();
  },
};

const SCF_TABLES = ["scf_terms", "credit_lines", "invoices", "pieces", "families", "pauses"];

const scf: Migration = {
  async up(db: Kysely<unknown>) {
    await table(
      db,
      "pauses",
      [
        ["chain_id", "bigint", true],
        ["contract", "text", true],
        ["block_number", "bigint", true],
        ["log_index", "integer", true],
        ["paused_at", "bigint", true],
        ["unpaused_at", "bigint", false],
      ],
      ["chain_id", "block_number", "log_index"],
    );
    await table(
      db,
      "families",
      [
        ["chain_id", "bigint", true],
        ["family", "bigint", true],
        ["root", "text", true],
        ["debtor", "bigint", true],
        ["token", "text", true],
        ["maturity_active", "bigint", true],
        ["pieces", "integer", true],
        ["face", "text", true],
        ["paid", "text", true],
        ["state", "text", true],
        ["repaid_at", "bigint", true],
        ["grace_seconds", "bigint", true],
        ["penalty_rate_bps", "integer", true],
        ["requested_at", "bigint", true],
      ],
      ["chain_id", "family"],
      [
        ["chain_id", "debtor"],
        ["chain_id", "state"],
      ],
    );
    await table(
      db,
      "pieces",
      [
        ["chain_id", "bigint", true],
        ["id", "text", true],
        ["family", "bigint", true],
        ["piece_index", "integer", true],
        ["parent", "text", false],
        ["holder", "bigint", true],
        ["face", "text", true],
        ["tier", "integer", true],
        ["state", "text", true],
        ["frozen", "integer", true],
        ["encumbered", "integer", true],
        ["recourse", "integer", true],
        ["defaulted", "integer", true],
        ["pledgee", "bigint", true],
        ["financed_price", "text", false],
        ["financed_from", "bigint", false],
      ],
      ["chain_id", "id"],
      [
        ["chain_id", "family", "piece_index"],
        ["chain_id", "holder"],
      ],
    );
    await table(
      db,
      "invoices",
      [
        ["chain_id", "bigint", true],
        ["invoice_key", "text", true],
        ["root", "text", true],
      ],
      ["chain_id", "invoice_key"],
    );
    await table(
      db,
      "credit_lines",
      [
        ["chain_id", "bigint", true],
        ["debtor", "bigint", true],
        ["token", "text", true],
        ["financier", "bigint", true],
        ["limit", "text", true],
        ["used", "text", true],
        ["frozen", "integer", true],
      ],
      ["chain_id", "debtor", "token"],
    );
    await table(
      db,
      "scf_terms",
      [
        ["chain_id", "bigint", true],
        ["grace_seconds", "bigint", true],
        ["penalty_rate_bps", "integer", true],
      ],
      ["chain_id"],
    );
  },
  async down(db: Kysely<unknown>) {
    for (const t of SCF_TABLES) await db.schema.dropTable(t).execute();
  },
};

const jobs = (engine: Engine): Migration => ({
  async up(db: Kysely<unknown>) {
    // An upload job keeps its progress, never its file: the file holds raw borrower ids.
    await db.schema
      .createTable("upload_jobs")
      .addColumn("id", "integer", idColumn(engine))
      .addColumn("token_id", "integer", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("lines", "integer", (c) => c.notNull())
      .addColumn("already_registered", "integer", (c) => c.notNull())
      .addColumn("pending", "integer", (c) => c.notNull())
      .addColumn("sent", "integer", (c) => c.notNull())
      .addColumn("tx_hashes", "text", (c) => c.notNull())
      .addColumn("error", "text")
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("updated_at", "bigint", (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("upload_jobs").execute();
  },
});

const notifications = (engine: Engine): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("webhooks")
      .addColumn("id", "integer", idColumn(engine))
      .addColumn("token_id", "integer", (c) => c.notNull())
      .addColumn("url", "text", (c) => c.notNull())
      .addColumn("secret", "text", (c) => c.notNull())
      .addColumn("kinds", "text")
      .addColumn("cursor", "text")
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("revoked_at", "bigint")
      .execute();
    await db.schema.createIndex("webhooks_by_token").on("webhooks").columns(["token_id"]).execute();
    await db.schema
      .createTable("webhook_deliveries")
      .addColumn("id", "integer", idColumn(engine))
      .addColumn("webhook_id", "integer", (c) => c.notNull())
      .addColumn("event_id", "text", (c) => c.notNull())
      .addColumn("attempt", "integer", (c) => c.notNull())
      .addColumn("status", "integer")
      .addColumn("error", "text")
      .addColumn("at", "bigint", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("webhook_deliveries_by_webhook")
      .on("webhook_deliveries")
      .columns(["webhook_id", "id"])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    for (const table of ["webhook_deliveries", "webhooks"]) await db.schema.dropTable(table).execute();
  },
});
const TRADE_TABLES = ["trade_settings", "trade_payments", "trade_evidence", "trade_tranches", "trade_orders"];

const trade: Migration = {
  async up(db: Kysely<unknown>) {
    const at: Column[] = [
      ["chain_id", "bigint", true],
      ["block_number", "bigint", true],
      ["log_index", "integer", true],
      ["tx_hash", "text", true],
      ["at", "bigint", true],
      ["order_id", "text", true],
    ];
    await table(
      db,
      "trade_orders",
      [
        ["chain_id", "bigint", true],
        ["id", "text", true],
        ["importer", "bigint", true],
        ["exporter", "bigint", true],
        ["importer_bank", "bigint", true],
        ["exporter_bank", "bigint", true],
        ["state", "text", true],
        ["evidence_done", "integer", true],
        ["settled_tranches", "integer", true],
        ["tranche_count", "integer", true],
        ["importer_bank_fee_bps", "integer", true],
        ["exporter_bank_fee_bps", "integer", true],
        ["document_hash", "text", true],
        ["pay_token", "text", true],
        ["payout_token", "text", true],
        ["amount", "text", true],
        ["shipment_deadline_active", "bigint", true],
        ["expiry_active", "bigint", true],
        ["objection_window", "bigint", true],
        ["delivered_at_active", "bigint", true],
        ["dispute_deadline_active", "bigint", true],
        ["financier", "bigint", true],
        ["fx_provider", "bigint", true],
        ["fx_min_rate", "text", true],
        ["threshold_word", "integer", true],
        ["created_block", "bigint", true],
        ["created_at", "bigint", true],
      ],
      ["chain_id", "id"],
      [
        ["chain_id", "importer"],
        ["chain_id", "exporter"],
        ["chain_id", "importer_bank"],
        ["chain_id", "exporter_bank"],
        ["chain_id", "state"],
      ],
    );
    await table(
      db,
      "trade_tranches",
      [
        ["chain_id", "bigint", true],
        ["order_id", "text", true],
        ["tranche", "integer", true],
        ["share_bps", "integer", true],
        ["evidence", "integer", true],
        ["settled", "integer", true],
      ],
      ["chain_id", "order_id", "tranche"],
    );
    await table(
      db,
      "trade_evidence",
      [...at, ["kind", "text", true], ["oracle", "text", true], ["document_hash", "text", true]],
      ["chain_id", "block_number", "log_index"],
      [["chain_id", "order_id"]],
    );
    await table(
      db,
      "trade_payments",
      [
        ...at,
        ["tranche", "integer", true],
        ["account", "text", true],
        ["uetr", "text", true],
        ["end_to_end_id", "text", true],
        ["gross", "text", true],
        ["importer_bank_fee", "text", true],
        ["exporter_bank_fee", "text", true],
        ["payout", "text", true],
        ["rate", "text", true],
        ["fx_provider", "text", true],
        ["quote_nonce", "text", true],
      ],
      ["chain_id", "block_number", "log_index"],
      [
        ["chain_id", "order_id"],
        ["chain_id", "uetr"],
      ],
    );
    await table(
      db,
      "trade_settings",
      [
        ["chain_id", "bigint", true],
        ["arbiter_window", "bigint", true],
        ["threshold_word", "integer", true],
      ],
      ["chain_id"],
    );
  },
  async down(db: Kysely<unknown>) {
    for (const t of TRADE_TABLES) await db.schema.dropTable(t).execute();
  },
};

/**
 * Idempotency rows become private to the service's keys and survive a crash: the request hash is an HMAC and the
 * stored answer is encrypted (both with keys derived from the consortium key), a row names the run that serves it
 * and the transactions it signed, and rows expire. Rows written before this carry an unkeyed hash and a plain
 * answer: they are deleted (a retry of one of them is a new request).
 */
const idempotencyKeyed: Migration = {
  async up(db: Kysely<unknown>) {
    await db.deleteFrom("idempotency" as never).execute();
    await db.schema.alterTable("idempotency").addColumn("owner", "text").execute();
    await db.schema.alterTable("idempotency").addColumn("signed", "text").execute();
    await db.schema.createIndex("idempotency_created").on("idempotency").column("created_at").execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex("idempotency_created").execute();
    await db.schema.alterTable("idempotency").dropColumn("signed").execute();
    await db.schema.alterTable("idempotency").dropColumn("owner").execute();
  },
};

/**
 * The signing runs of the service on this database, each with a lease it renews (one per operator key), and an index
 * for reading an upload job's batches from the audit table.
 */
const runs: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("service_runs")
      .addColumn("run", "text", (c) => c.primaryKey())
      .addColumn("signer", "text", (c) => c.notNull().unique())
      .addColumn("host", "text", (c) => c.notNull())
      .addColumn("pid", "integer", (c) => c.notNull())
      .addColumn("started_at", "bigint", (c) => c.notNull())
      .addColumn("seen_at", "bigint", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("audit_log_path").on("audit_log").column("path").execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex("audit_log_path").execute();
    await db.schema.dropTable("service_runs").execute();
  },
};

/**
 * Consumer credit (issue 14): a loan's disclosed APR and instalment plan, its delinquency bucket and days past due,
 * the end of its negative record's retention; the consent book's consents; an inquiry's consent and purpose code.
 * Inquiries logged before the consent book keep their consent hash and have no consent id; inquiries after it keep
 * an empty consent hash.
 */
const consumerCredit: Migration = {
  async up(db: Kysely<unknown>) {
    const loans: [string, "text" | "bigint" | "integer", boolean][] = [
      ["apr_bps", "integer", false],
      ["plan", "text", false],
      ["bucket", "integer", true],
      ["days_past_due", "bigint", false],
      ["negative_expired_at", "bigint", false],
      ["negative_retained", "integer", true],
      ["registered_log", "integer", false],
    ];
    for (const [column, type, zero] of loans) {
      await db.schema
        .alterTable("loans")
        .addColumn(column, type, (c) => (zero ? c.notNull().defaultTo(0) : c))
        .execute();
    }
    await db.schema.alterTable("inquiries").addColumn("consent_id", "text").execute();
    await db.schema.alterTable("inquiries").addColumn("purpose_code", "integer").execute();
    await table(
      db,
      "consents",
      [
        ["chain_id", "bigint", true],
        ["id", "text", true],
        ["borrower_key", "text", true],
        ["holder", "bigint", true],
        ["document_hash", "text", true],
        ["purpose", "text", true],
        ["expires_at", "bigint", true],
        ["covered", "text", true],
        ["recorded_block", "bigint", true],
        ["recorded_at", "bigint", true],
        ["tx_hash", "text", true],
        ["revoked_at", "bigint", false],
        ["revoked_by", "bigint", false],
        ["revoke_reason", "text", false],
      ],
      ["chain_id", "id"],
      [
        ["chain_id", "borrower_key"],
        ["chain_id", "holder"],
      ],
    );
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("consents").execute();
    await db.schema.alterTable("inquiries").dropColumn("purpose_code").execute();
    await db.schema.alterTable("inquiries").dropColumn("consent_id").execute();
    for (const column of [
      "registered_log",
      "negative_retained",
      "negative_expired_at",
      "days_past_due",
      "bucket",
      "plan",
      "apr_bps",
    ]) {
      await db.schema.alterTable("loans").dropColumn(column).execute();
    }
  },
};

/**
 * An order whose proceeds were assigned and of which part was refunded, or which lapsed, leaves the financier's
 * advance open (adversarial review 3, F1) until the financier closes it: `advance_open` is 1 from the refund or the
 * lapse until `AdvanceClosed`, as the settlement's `getOrder` reports it.
 */
const advanceOpen: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable("trade_orders")
      .addColumn("advance_open", "integer", (c) => c.notNull().defaultTo(0))
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable("trade_orders").dropColumn("advance_open").execute();
  },
};

/**
 * Invoice keys are unique per debtor on the chain (adversarial review 4, A3): the read model keys its invoices by
 * (chain, debtor, key), the debtor taken from the root's family.
 */
const invoicesByDebtor: Migration = {
  async up(db: Kysely<unknown>) {
    await table(
      db,
      "invoices_by_debtor",
      [
        ["chain_id", "bigint", true],
        ["debtor", "bigint", true],
        ["invoice_key", "text", true],
        ["root", "text", true],
      ],
      ["chain_id", "debtor", "invoice_key"],
    );
    await sql`insert into invoices_by_debtor (chain_id, debtor, invoice_key, root)
      select i.chain_id, f.debtor, i.invoice_key, i.root
      from invoices i join families f on f.chain_id = i.chain_id and f.root = i.root`.execute(db);
    await db.schema.dropTable("invoices").execute();
    await db.schema.alterTable("invoices_by_debtor").renameTo("invoices").execute();
  },
  async down(db: Kysely<unknown>) {
    await table(
      db,
      "invoices_by_key",
      [
        ["chain_id", "bigint", true],
        ["invoice_key", "text", true],
        ["root", "text", true],
      ],
      ["chain_id", "invoice_key"],
    );
    await sql`insert into invoices_by_key (chain_id, invoice_key, root)
      select chain_id, invoice_key, min(root) from invoices group by chain_id, invoice_key`.execute(db);
    await db.schema.dropTable("invoices").execute();
    await db.schema.alterTable("invoices_by_key").renameTo("invoices").execute();
  },
};

/**
 * An upload job names the service run that sends it (adversarial review 4, C-F3), so that a service starting on the
 * same database marks interrupted only the jobs of runs that ended, not those another live service is sending.
 */
const uploadJobRuns: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("upload_jobs").addColumn("run", "text").execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable("upload_jobs").dropColumn("run").execute();
  },
};

/**
 * An arbiter's award converted into the payout currency waits in escrow for an FX quote when the arbiter gave none
 * (`AwardHeld`, adversarial review 28, F1): `held_award` is its gross in the pay token until the award tranche (254)
 * is paid, as the settlement's `escrowOf` counts it.
 */
const heldAwards: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable("trade_orders")
      .addColumn("held_award", "text", (c) => c.notNull().defaultTo("0"))
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable("trade_orders").dropColumn("held_award").execute();
  },
};

/**
 * Where a dispute's resolution and a consent's record sit in chain order (adversarial review 41, D1): the borrower's
 * report lists closed disputes and consents as the chain's report does, and two events of one block are told apart
 * by their log index, not by the block's time. The rows written before it have none (null): a service starting on a
 * database with such rows refolds the read model from the stored events (`refoldIfPositionsMissing`).
 */
const eventPositions: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("loan_disputes").addColumn("resolved_block", "bigint").execute();
    await db.schema.alterTable("loan_disputes").addColumn("resolved_log", "integer").execute();
    await db.schema.alterTable("consents").addColumn("recorded_log", "integer").execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable("consents").dropColumn("recorded_log").execute();
    await db.schema.alterTable("loan_disputes").dropColumn("resolved_log").execute();
    await db.schema.alterTable("loan_disputes").dropColumn("resolved_block").execute();
  },
};

/** Every migration, in order. */
export function migrations(engine: Engine): Record<string, Migration> {
  return {
    "0001_core": core,
    "0002_clients": clients(engine),
    "0003_members_balances": membersAndBalances,
    "0004_credit": credit,
    "0005_scf": scf,
    "0006_trade": trade,
    "0007_notifications": notifications(engine),
    "0008_jobs": jobs(engine),
    "0009_idempotency_keyed": idempotencyKeyed,
    "0010_runs": runs,
    "0011_consumer_credit": consumerCredit,
    "0012_advance_open": advanceOpen,
    "0013_invoices_by_debtor": invoicesByDebtor,
    "0014_upload_job_runs": uploadJobRuns,
    "0015_held_awards": heldAwards,
    "0016_event_positions": eventPositions,
  };
}

/** Brings the schema up to date; throws with the failing migration's name and cause. */
export async function migrate(db: Kysely<unknown>, engine: Engine): Promise<string[]> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(engine) };
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error !== undefined) {
    const cause = error instanceof Error ? error.message : String(error);
    throw new Error(`database migration ${failed?.migrationName ?? "(before any migration)"} failed: ${cause}`);
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
