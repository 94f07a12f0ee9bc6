/**
 * Projections: the read model's derived tables, each kept by folding the stored events in chain order. A projection
 * declares its tables and how one event changes them. After a reorganisation the derived tables are emptied and
 * rebuilt from the events kept (the events table is the source; reorgs are rare and the replay is local).
 */
import { sql, type Kysely, type Transaction } from "kysely";

import type { EventRow, Tables } from "./schema.js";

/** An event as projections see it: the stored row with its arguments parsed. */
export interface Decoded {
  chainId: number;
  blockNumber: number;
  /** The block's time, in Unix seconds. */
  timestamp: number;
  logIndex: number;
  txHash: string;
  contract: string;
  address: string;
  name: string;
  args: Record<string, unknown>;
}

export type Db = Kysely<Tables> | Transaction<Tables>;

/** What one transaction's events leave for its end: e.g. the borrowers whose aggregates it touched. */
export type TxScope = Map<string, Set<string>>;

export interface Projection {
  /** The derived tables it owns (emptied before a rebuild). */
  tables: readonly (keyof Tables)[];
  apply(trx: Db, e: Decoded, tx: TxScope): Promise<void>;
  /** After the last event of each transaction: for figures that only the whole transaction settles. */
  afterTransaction?(trx: Db, last: Decoded, tx: TxScope): Promise<void>;
}

export function decoded(row: EventRow): Decoded | undefined {
  if (row.name === null) return undefined;
  return {
    chainId: Number(row.chain_id),
    blockNumber: Number(row.block_number),
    timestamp: Number(row.block_timestamp),
    logIndex: Number(row.log_index),
    txHash: row.tx_hash,
    contract: row.contract,
    address: row.address,
    name: row.name,
    args: JSON.parse(row.args) as Record<string, unknown>,
  };
}

/** Folds new events into every projection, in order, closing each transaction after its last event. */
export async function project(trx: Db, projections: readonly Projection[], rows: readonly EventRow[]): Promise<void> {
  let tx: TxScope = new Map();
  let last: Decoded | undefined;
  const close = async () => {
    if (last === undefined) return;
    for (const p of projections) await p.afterTransaction?.(trx, last, tx);
    tx = new Map();
    last = undefined;
  };
  for (const row of rows) {
    const e = decoded(row);
    if (e === undefined) continue;
    if (last !== undefined && last.txHash !== e.txHash) await close();
    for (const p of projections) await p.apply(trx, e, tx);
    last = e;
  }
  // A batch ends at a block boundary, so a transaction never spans two batches.
  await close();
}

/**
 * Takes the checkpoint row of `chainId` (every chain's when omitted) for the rest of the transaction, by a write that
 * changes nothing. Every indexer's step moves its checkpoint first, so a step of another service on the same database
 * waits for this transaction, then finds the checkpoint where it read it (or moved, and retries): a rebuild never
 * loses the events such a step stores meanwhile (adversarial review 42, R2).
 */
export async function lockCheckpoints(trx: Db, chainId?: number): Promise<void> {
  let q = trx.updateTable("checkpoints").set({ updated_at: sql<number>`updated_at` });
  if (chainId !== undefined) q = q.where("chain_id", "=", chainId);
  await q.execute();
}

/** Empties every derived table of a chain and folds all its stored events again. */
export async function rebuild(trx: Db, projections: readonly Projection[], chainId: number): Promise<void> {
  for (const p of projections) {
    for (const table of p.tables)
      await trx
        .deleteFrom(table)
        .where("chain_id" as never, "=", chainId as never)
        .execute();
  }
  const pageSize = 5_000;
  for (let after = { block: -1, log: -1 }; ; ) {
    const rows = await trx
      .selectFrom("events")
      .selectAll()
      .where("chain_id", "=", chainId)
      .where((eb) =>
        eb.or([
          eb("block_number", ">", after.block),
          eb.and([eb("block_number", "=", after.block), eb("log_index", ">", after.log)]),
        ]),
      )
      .orderBy("block_number")
      .orderBy("log_index")
      .limit(pageSize)
      .execute();
    if (rows.length === 0) break;
    // A page ends at a block boundary, so that no transaction is split across two pages: a full page leaves its
    // last block to the next (unless that block is all the page holds, which is then read whole).
    let page = rows;
    if (rows.length === pageSize) {
      const lastBlock = Number(rows[rows.length - 1].block_number);
      page = rows.filter((r) => Number(r.block_number) < lastBlock);
      if (page.length === 0) {
        page = await trx
          .selectFrom("events")
          .selectAll()
          .where("chain_id", "=", chainId)
          .where("block_number", "=", lastBlock)
          .orderBy("log_index")
          .execute();
      }
    }
    await project(trx, projections, page);
    const last = page[page.length - 1];
    after = { block: Number(last.block_number), log: Number(last.log_index) };
  }
}
