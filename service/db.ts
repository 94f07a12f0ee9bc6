/**
 * The service's database: SQLite through Node's built-in `node:sqlite` by default (a file under `data/`), PostgreSQL
 * through `pg` when a `postgres://` URL is given. Both go through one Kysely query builder, so the migrations and the
 * queries are the same for both engines (docs/service.md: why Kysely).
 */
import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, statSync } from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";

import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase } from "kysely";
import pg from "pg";

import type { Tables } from "./schema.js";

export type Engine = "sqlite" | "postgres";

export interface Database {
  db: Kysely<Tables>;
  engine: Engine;
  /** Where the data lives, with any password masked: safe to log. */
  where: string;
  close(): Promise<void>;
}

/**
 * Keeps an SQLite database readable by its owner only (adversarial review 16, R16-2): it holds the read model, the
 * audit log and every webhook's signing secret, which the service must keep usable to sign. A new folder is made
 * 0700 and a new file 0600 (SQLite gives the WAL and shared-memory files it creates the database file's mode); an
 * existing file, WAL or shared-memory file of this account is tightened to 0600. Refused, before anything is written
 * (review 18, R18-2): one that is a symbolic link or belongs to another account (planted in a shared folder, it would
 * take the secrets where its owner reads them), and a folder every account may write to that is not sticky (any
 * could swap the file).
 */
function ownerOnly(file: string): void {
  const folder = path.dirname(path.resolve(file));
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const me = process.getuid?.();
  const folderMode = statSync(folder).mode;
  if ((folderMode & 0o002) !== 0 && (folderMode & 0o1000) === 0) {
    throw new Error(
      `the database's folder ${folder} is writable by other accounts: keep the database in a folder of its own`,
    );
  }
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    const st = lstatSync(f, { throwIfNoEntry: false });
    if (st === undefined) {
      if (f === file) closeSync(openSync(f, "wx", 0o600));
      continue;
    }
    if (st.isSymbolicLink() || !st.isFile())
      throw new Error(`${f} is not a plain file: the service keeps its database in one`);
    if (me !== undefined && st.uid !== me) {
      throw new Error(
        `${f} belongs to another account (uid ${st.uid}): the service keeps its database only in a file of its own`,
      );
    }
    if ((st.mode & 0o077) !== 0) chmodSync(f, 0o600);
  }
}

/** `node:sqlite`'s synchronous API in the shape Kysely's SQLite dialect expects (that of better-sqlite3). */
function sqliteDatabase(file: string): SqliteDatabase {
  const db = new DatabaseSync(file);
  db.exec(
    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000",
  );
  return {
    close: () => db.close(),
    prepare(sql: string) {
      const statement = db.prepare(sql);
      type Params = Parameters<typeof statement.all>;
      const bind = (parameters: ReadonlyArray<unknown>) => parameters.map(toSqlite) as Params;
      return {
        reader: statement.columns().length > 0,
        all: (parameters) => statement.all(...bind(parameters)),
        run: (parameters) => statement.run(...bind(parameters)),
        iterate: (parameters) => statement.iterate(...bind(parameters)),
      };
    },
  };
}

/** node:sqlite binds numbers, bigints, strings, bytes and null; booleans become 0 and 1. */
function toSqlite(value: unknown): unknown {
  if (typeof value === "boolean") return value ? 1 : 0;
  return value;
}

/** A database URL with its password replaced by `****`. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "****";
    for (const name of [...parsed.searchParams.keys()]) {
      if (/pass|secret|key|token/i.test(name)) parsed.searchParams.set(name, "****");
    }
    return parsed.toString();
  } catch {
    return "(unparsable database URL)";
  }
}

/**
 * Runs a read of several queries on one snapshot of the read model (a repeatable-read transaction; SQLite's one
 * connection serialises it with the indexer's steps): an indexer step is wholly in what it reads, or not at all.
 */
export function onSnapshot<T>(db: Kysely<Tables>, read: (db: Kysely<Tables>) => Promise<T>): Promise<T> {
  return db.transaction().setIsolationLevel("repeatable read").execute(read);
}

/**
 * Opens the database: `url` undefined or a path gives SQLite (default `data/tradeline-<chainId>.sqlite`);
 * `postgres://…` or `postgresql://…` gives PostgreSQL.
 */
export function openDatabase(url: string | undefined, defaultFile: string): Database {
  const scheme = url === undefined ? undefined : /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== "postgres" && scheme !== "postgresql" && scheme !== "sqlite") {
    throw new Error(
      `database URL scheme "${scheme}:" is not one of postgres:, postgresql: or sqlite: (or a file path)`,
    );
  }
  if (url !== undefined && (scheme === "postgres" || scheme === "postgresql")) {
    const pool = new pg.Pool({
      connectionString: url,
      max: 10,
      // 64-bit integers (block numbers, times) come back as numbers, as SQLite gives them; amounts are text.
      types: {
        getTypeParser: (oid: number, format?: "text" | "binary") =>
          oid === 20 ? Number : pg.types.getTypeParser(oid, format),
      } as pg.CustomTypesConfig,
    });
    // A dropped idle connection is reported here; without a listener it would end the process.
    pool.on("error", (err) =>
      console.error(`database connection lost (${err.message}); it reconnects on the next query`),
    );
    const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
    return { db, engine: "postgres", where: maskUrl(url), close: () => db.destroy() };
  }
  const file = url === undefined ? defaultFile : url.replace(/^sqlite:(\/\/)?/, "");
  if (file !== ":memory:") ownerOnly(file);
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: sqliteDatabase(file) }) });
  return { db, engine: "sqlite", where: file, close: () => db.destroy() };
}
