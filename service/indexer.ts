/**
 * The indexer: follows every log of the deployed contracts from the deployment block on, decodes it with the
 * contract's ABI and stores it keyed by (chain id, block hash, log index), so nothing is stored twice. It resumes from
 * its checkpoint after a restart, and when the block at its checkpoint no longer has the hash it stored (a
 * reorganisation), it rolls back to the last block both agree on and indexes again from there.
 */
import { Interface, id, toQuantity } from "ethers";
import type { Kysely, Transaction } from "kysely";
import pg from "pg";

import type { Deployment } from "../src/deployment.js";
import {
  ConsentBook__factory,
  CreditRegistry__factory,
  MemberRegistry__factory,
  ReceivableLedger__factory,
  SettlementToken__factory,
  TradeSettlement__factory,
} from "../typechain-types/index.js";
import type { EventRow, Tables } from "./schema.js";
import { lockCheckpoints } from "./projections.js";

/**
 * The credit registry's inquiry event before the consent book (a free purpose and a consent hash): its logs, from a
 * chain that ran the earlier registry, are still decoded (as `CreditInquired`, with `consentHash`).
 */
export const LEGACY_CREDIT_INQUIRED =
  "event CreditInquired(uint32 indexed lender, bytes32 indexed borrowerKey, bytes32 purpose, bytes32 consentHash)";

/** A deployment as the indexer reads it: the consent book is followed when the record has one. */
export type IndexedDeployment = Deployment & { consentBook?: string };

/** A deployed contract the indexer follows. */
export interface Followed {
  address: string;
  /** `MemberRegistry`, `CreditRegistry`, `ReceivableLedger`, `TradeSettlement`, or `Token<CODE>`. */
  contract: string;
  iface: Interface;
}

/** The contracts of a deployment, each with the ABI its logs are decoded with. */
export function followedContracts(d: IndexedDeployment): Followed[] {
  const credit = new Interface([...CreditRegistry__factory.abi, LEGACY_CREDIT_INQUIRED]);
  const list: Followed[] = [
    { address: d.memberRegistry, contract: "MemberRegistry", iface: new Interface(MemberRegistry__factory.abi) },
    { address: d.creditRegistry, contract: "CreditRegistry", iface: credit },
    { address: d.receivableLedger, contract: "ReceivableLedger", iface: new Interface(ReceivableLedger__factory.abi) },
    { address: d.tradeSettlement, contract: "TradeSettlement", iface: new Interface(TradeSettlement__factory.abi) },
  ];
  if (d.consentBook !== undefined) {
    list.push({ address: d.consentBook, contract: "ConsentBook", iface: new Interface(ConsentBook__factory.abi) });
  }
  const token = new Interface(SettlementToken__factory.abi);
  for (const [code, address] of Object.entries(d.tokens))
    list.push({ address, contract: `Token${code}`, iface: token });
  return list;
}

/** What an indexer follows, as one hash: the contracts' addresses (with their names) and the first block. */
export function deploymentFingerprint(d: Deployment, fromBlock: number): string {
  const followed = followedContracts(d)
    .map((f) => `${f.contract}=${f.address.toLowerCase()}`)
    .sort();
  return id(`tradeline:index:v1|${fromBlock}|${followed.join(",")}`);
}

/** A decoded value as JSON: integers as decimal strings, structs as objects with their field names. */
export function jsonValue(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) {
    // An empty array (e.g. a consent covering no member besides its holder) stays an array, not ethers' {}.
    if (value.length === 0) return [];
    // ethers' Result is an array that may also carry names.
    const names = (value as { toObject?: () => Record<string, unknown> }).toObject;
    if (typeof names === "function") {
      try {
        const object = names.call(value);
        // A one-element array of unnamed values comes back as { _: value } (ethers' placeholder name): an array.
        if (Object.keys(object).every((k) => !/^\d+$/.test(k) && k !== "" && k !== "_")) {
          return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, jsonValue(v)]));
        }
      } catch {
        // Unnamed members: fall through to a plain array.
      }
    }
    return Array.from(value, jsonValue);
  }
  return value;
}

/** One log as an event row; a log no event of the ABI matches keeps its raw topics and data. */
/** A log as the indexer reads it (from `eth_getLogs`, numbers decoded). */
export interface RawLog {
  blockNumber: number;
  blockHash: string;
  index: number;
  transactionHash: string;
  transactionIndex: number;
  address: string;
  topics: readonly string[];
  data: string;
  removed: boolean;
}

/** What the indexer asks of the chain: raw JSON-RPC, so that no client-side cache answers a re-read. */
export interface ChainRpc {
  send(method: string, params: unknown[]): Promise<unknown>;
}

interface Header {
  hash: string;
  parentHash: string;
  timestamp: number;
}

export function eventRow(chainId: number, log: RawLog, followed: Followed, timestamp: number): EventRow {
  const base = {
    chain_id: chainId,
    block_hash: log.blockHash,
    log_index: log.index,
    block_number: log.blockNumber,
    block_timestamp: timestamp,
    tx_hash: log.transactionHash,
    tx_index: log.transactionIndex,
    address: followed.address,
    contract: followed.contract,
  };
  const parsed = followed.iface.parseLog({ topics: [...log.topics], data: log.data });
  if (parsed === null) {
    return { ...base, name: null, signature: null, args: JSON.stringify({ topics: log.topics, data: log.data }) };
  }
  const args: Record<string, unknown> = {};
  parsed.fragment.inputs.forEach((input, i) => {
    args[input.name === "" ? String(i) : input.name] = jsonValue(parsed.args[i]);
  });
  return { ...base, name: parsed.name, signature: parsed.signature, args: JSON.stringify(args) };
}

export interface IndexerOptions {
  db: Kysely<Tables>;
  /** The chain, read through raw JSON-RPC calls (an ethers JsonRpcProvider or Hardhat's provider). */
  provider: ChainRpc;
  chainId: number;
  deployment: Deployment;
  /** The first block to index (the deployment's). */
  fromBlock: number;
  /** Blocks behind the head that are left unindexed until they are this deep (0 on a dev chain). */
  confirmations?: number;
  /** Blocks per `eth_getLogs` request. */
  batchBlocks?: number;
  /** Called inside the transaction that stores new events, in chain order (projections, notifications). */
  onEvents?: (trx: Transaction<Tables>, events: EventRow[]) => Promise<void>;
  /** Called inside the transaction of a rollback, with the last block kept. */
  onRollback?: (trx: Transaction<Tables>, keptBlock: number) => Promise<void>;
}

/** The checkpoint moved under a step: another indexer writes the same database. */
export class CheckpointMovedError extends Error {}

/**
 * The class of an indexer failure, for `/healthz`, which anyone may read: never the error's text (an ethers error
 * names the node's URL, which may carry an API key; a database error may name hosts and tables). The full text goes
 * to the log only. `rpc-http-<status>`: the node answered an HTTP error; `rpc`: any other error of the node or of
 * its answer; `database`: the read model's database refused; `connection`: a connection failed below either (a
 * refused or reset socket); `checkpoint-moved`: another indexer writes this database; `unknown`: anything else.
 */
export function indexerFailure(err: unknown): string {
  if (err instanceof CheckpointMovedError) return "checkpoint-moved";
  if (typeof err !== "object" || err === null) return "unknown";
  const e = err as { code?: unknown; shortMessage?: unknown; info?: { responseStatus?: unknown }; syscall?: unknown };
  const code = typeof e.code === "string" ? e.code : "";
  if (code.startsWith("ERR_SQLITE") || err instanceof pg.DatabaseError) return "database";
  // ethers' errors carry a short message and one of its codes (SERVER_ERROR, TIMEOUT, NETWORK_ERROR, BAD_DATA...).
  if (typeof e.shortMessage === "string" && /^[A-Z_]+$/.test(code)) {
    const status = /^(\d{3})\b/.exec(String(e.info?.responseStatus ?? ""));
    return code === "SERVER_ERROR" && status !== null ? `rpc-http-${status[1]}` : "rpc";
  }
  if (typeof e.syscall === "string") return "connection";
  return "unknown";
}

export interface StepResult {
  /** Last block indexed after this step. */
  indexed: number;
  /** Chain head seen by this step. */
  head: number;
  events: number;
  /** The last block kept, when this step rolled back a reorganisation. */
  rolledBackTo?: number;
}

export class Indexer {
  readonly #o: Required<Omit<IndexerOptions, "onEvents" | "onRollback">> &
    Pick<IndexerOptions, "onEvents" | "onRollback">;
  readonly #byAddress: Map<string, Followed>;
  /** Blocks the next `eth_getLogs` asks for: `batchBlocks`, less while the node refuses ranges that large. */
  #span: number;
  /** Reads taken in a row since the range was last halved or grown. */
  #taken = 0;

  constructor(options: IndexerOptions) {
    this.#o = { confirmations: 0, batchBlocks: 2_000, ...options };
    this.#span = this.#o.batchBlocks;
    this.#byAddress = new Map(followedContracts(options.deployment).map((f) => [f.address.toLowerCase(), f]));
  }

  /**
   * Refuses a database that indexes another deployment (other contracts, another first block): its checkpoint
   * would skip the new contracts' earlier events.
   */
  async verifyDeployment(): Promise<void> {
    const row = await this.#o.db
      .selectFrom("checkpoints")
      .select("deployment")
      .where("chain_id", "=", this.#o.chainId)
      .executeTakeFirst();
    const mine = deploymentFingerprint(this.#o.deployment, this.#o.fromBlock);
    if (row !== undefined && row.deployment !== mine) {
      throw new Error(
        `this database indexes another deployment on chain ${this.#o.chainId} (${row.deployment.slice(0, 10)}…, ` +
          `this one is ${mine.slice(0, 10)}…): give the service another database`,
      );
    }
  }

  /** The checkpoint: the last block indexed and its hash (none before the first step). */
  async checkpoint(): Promise<{ number: number; hash: string } | undefined> {
    const row = await this.#o.db
      .selectFrom("checkpoints")
      .select(["block_number", "block_hash"])
      .where("chain_id", "=", this.#o.chainId)
      .executeTakeFirst();
    return row === undefined ? undefined : { number: Number(row.block_number), hash: row.block_hash };
  }

  async #head(): Promise<number> {
    return Number(await this.#o.provider.send("eth_blockNumber", []));
  }

  /** Block `n`'s header, or null when the node does not have it (behind, or pruned). */
  async #header(n: number): Promise<Header | null> {
    const b = (await this.#o.provider.send("eth_getBlockByNumber", [toQuantity(n), false])) as {
      hash: string;
      parentHash: string;
      timestamp: string;
    } | null;
    return b === null ? null : { hash: b.hash, parentHash: b.parentHash, timestamp: Number(b.timestamp) };
  }

  async #logs(from: number, to: number): Promise<RawLog[]> {
    const raw = (await this.#o.provider.send("eth_getLogs", [
      {
        address: [...this.#byAddress.values()].map((f) => f.address),
        fromBlock: toQuantity(from),
        toBlock: toQuantity(to),
      },
    ])) as Record<string, unknown>[];
    return raw.map((l) => ({
      blockNumber: Number(l.blockNumber),
      blockHash: String(l.blockHash),
      index: Number(l.logIndex),
      transactionHash: String(l.transactionHash),
      transactionIndex: Number(l.transactionIndex),
      address: String(l.address),
      topics: l.topics as string[],
      data: String(l.data),
      removed: l.removed === true,
    }));
  }

  /**
   * Indexes up to `batchBlocks` more blocks, after rolling back a reorganisation if the chain had one. A batch is
   * stored only if it is one consistent piece of the chain: its first block is a child of the checkpoint, the last
   * block's hash is the same before and after the logs are read, and every log's block has the hash read for it.
   * Otherwise nothing is stored and the next step looks again. A node behind the checkpoint is waited for, not
   * taken for a reorganisation.
   */
  async step(): Promise<StepResult> {
    const { db, chainId, confirmations, batchBlocks, fromBlock } = this.#o;
    const head = await this.#head();
    const target = head - confirmations;
    const at = await this.checkpoint();
    let rolledBackTo: number | undefined;
    if (at !== undefined && at.number >= fromBlock) {
      if (at.number > head) {
        // Behind the checkpoint: a lagging node (wait) or a reorganisation onto a shorter chain (roll back). The
        // last block stored at or below the node's head tells which.
        const below = await db
          .selectFrom("blocks")
          .select(["number", "hash"])
          .where("chain_id", "=", chainId)
          .where("number", "<=", head)
          .orderBy("number", "desc")
          .executeTakeFirst();
        const onChain = below === undefined ? null : await this.#header(Number(below.number));
        if (below === undefined || onChain === null || onChain.hash === below.hash) {
          return { indexed: at.number, head, events: 0 };
        }
        rolledBackTo = await this.#rollback(head);
      } else {
        const block = await this.#header(at.number);
        if (block === null) return { indexed: at.number, head, events: 0 };
        if (block.hash !== at.hash) rolledBackTo = await this.#rollback(at.number);
      }
    }
    // Where this step starts: the checkpoint as read (or as the rollback left it). The batch is stored only if the
    // checkpoint is still there when it commits.
    const start = rolledBackTo === undefined ? at : await this.checkpoint();
    const done = rolledBackTo ?? at?.number ?? fromBlock - 1;
    const unchanged = { indexed: done, head, events: 0, rolledBackTo };
    if (done >= target) return unchanged;
    // A node may refuse a range as too large (Besu caps eth_getLogs ranges, hosted nodes cap results): the range is
    // halved until it is taken, down to one block, and grows back by doubling after eight reads in a row are taken.
    let to: number;
    let before: Header | null;
    let logs: RawLog[];
    for (;;) {
      to = Math.min(target, done + this.#span);
      before = await this.#header(to);
      try {
        logs = await this.#logs(done + 1, to);
        break;
      } catch (err) {
        if (to === done + 1) throw err;
        this.#span = Math.max(1, Math.floor((to - done) / 2));
        this.#taken = 0;
      }
    }
    // Grown back only after eight reads in a row were taken, so a node with a fixed cap is asked past it rarely.
    if (this.#span < batchBlocks && ++this.#taken >= 8) {
      this.#span = Math.min(batchBlocks, this.#span * 2);
      this.#taken = 0;
    }
    const first = await this.#header(done + 1);
    const end = await this.#header(to);
    if (before === null || end === null || first === null || before.hash !== end.hash) return unchanged;
    const parentHash = start?.hash;
    if (parentHash !== undefined && parentHash !== "" && done >= fromBlock && first.parentHash !== parentHash) {
      return unchanged;
    }
    const headers = new Map<number, Header>([
      [to, end],
      [done + 1, first],
    ]);
    for (const n of new Set(logs.map((l) => l.blockNumber))) {
      if (headers.has(n)) continue;
      const b = await this.#header(n);
      if (b === null) return unchanged;
      headers.set(n, b);
    }
    if (logs.some((l) => headers.get(l.blockNumber)?.hash !== l.blockHash)) return unchanged;
    const rows = logs
      .filter((l) => !l.removed)
      .sort((x, y) => x.blockNumber - y.blockNumber || x.index - y.index)
      .map((l) =>
        eventRow(
          chainId,
          l,
          this.#byAddress.get(l.address.toLowerCase()) as Followed,
          headers.get(l.blockNumber)?.timestamp ?? 0,
        ),
      );
    await db.transaction().execute(async (trx) => {
      // The checkpoint moves first, and only from where this step read it: a second indexer on the same database
      // finds it moved (or waits for the first's transaction, then finds it moved) and stores nothing.
      await this.#advance(trx, start, { number: to, hash: end.hash });
      const blocks = [...headers].map(([number, h]) => ({
        chain_id: chainId,
        number,
        hash: h.hash,
        parent_hash: h.parentHash,
        timestamp: h.timestamp,
      }));
      for (const b of blocks) {
        await trx
          .insertInto("blocks")
          .values(b)
          .onConflict((c) =>
            c
              .columns(["chain_id", "number"])
              .doUpdateSet({ hash: b.hash, parent_hash: b.parent_hash, timestamp: b.timestamp }),
          )
          .execute();
      }
      for (let i = 0; i < rows.length; i += 200) {
        await trx
          .insertInto("events")
          .values(rows.slice(i, i + 200))
          .onConflict((c) => c.doNothing())
          .execute();
      }
      await this.#o.onEvents?.(trx, rows);
    });
    return { indexed: to, head, events: rows.length, rolledBackTo };
  }

  /** Moves the checkpoint from `previous` (as read) to `next`; throws, rolling the step back, if it had moved. */
  async #advance(
    trx: Transaction<Tables>,
    previous: { number: number; hash: string } | undefined,
    next: { number: number; hash: string },
  ): Promise<void> {
    const row = { block_number: next.number, block_hash: next.hash, updated_at: Math.floor(Date.now() / 1000) };
    const chainId = this.#o.chainId;
    if (previous === undefined) {
      // A second indexer's insert meets the primary key and fails.
      const deployment = deploymentFingerprint(this.#o.deployment, this.#o.fromBlock);
      await trx
        .insertInto("checkpoints")
        .values({ chain_id: chainId, deployment, ...row })
        .execute();
      return;
    }
    const result = await trx
      .updateTable("checkpoints")
      .set(row)
      .where("chain_id", "=", chainId)
      .where("block_number", "=", previous.number)
      .where("block_hash", "=", previous.hash)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) {
      throw new CheckpointMovedError(
        `the checkpoint moved from block ${previous.number} while this step ran: is another indexer writing this database?`,
      );
    }
  }

  /**
   * Finds the last stored block at or below `from` whose hash the chain still has, deletes everything above it
   * and moves the checkpoint there. Returns that block's number (the deployment block − 1 when none matches).
   */
  async #rollback(from: number): Promise<number> {
    const { db, chainId, fromBlock } = this.#o;
    const stored = await db
      .selectFrom("blocks")
      .select(["number", "hash"])
      .where("chain_id", "=", chainId)
      .where("number", "<=", from)
      .orderBy("number", "desc")
      .execute();
    let kept = fromBlock - 1;
    let keptHash = "";
    for (const s of stored) {
      const b = await this.#header(Number(s.number));
      if (b !== null && b.hash === s.hash) {
        kept = Number(s.number);
        keptHash = s.hash;
        break;
      }
    }
    if (keptHash === "" && kept >= 0) keptHash = (await this.#header(kept))?.hash ?? "";
    await db.transaction().execute(async (trx) => {
      // The checkpoint first, as a step takes it: another indexer's step waits, then finds it moved (review 42, R2).
      await lockCheckpoints(trx, chainId);
      await trx.deleteFrom("events").where("chain_id", "=", chainId).where("block_number", ">", kept).execute();
      await trx.deleteFrom("blocks").where("chain_id", "=", chainId).where("number", ">", kept).execute();
      await this.#o.onRollback?.(trx, kept);
      const checkpoint = { block_number: kept, block_hash: keptHash, updated_at: Math.floor(Date.now() / 1000) };
      await trx
        .insertInto("checkpoints")
        .values({ chain_id: chainId, deployment: deploymentFingerprint(this.#o.deployment, fromBlock), ...checkpoint })
        .onConflict((c) => c.column("chain_id").doUpdateSet(checkpoint))
        .execute();
    });
    return kept;
  }
}
