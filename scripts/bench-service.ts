/**
 * The service's figures, written to the `service` section of bench/results.json (the gas bench keeps it):
 * - registering loans: the CLI's path (`credit:import`: the SDK desk, batches of 100) and the API's (a CSV upload
 *   job), in loans a second;
 * - the exposure look-up from the read model under autocannon, 50 connections on loopback: p50, p99, requests a
 *   second;
 * - the indexer catching up from genesis over the chain those 10,000 loans made, on SQLite (a file) and on
 *   PostgreSQL (when TRADELINE_BENCH_PG_URL or TRADELINE_TEST_PG_URL names a server): events a second.
 * The chain is Hardhat's in-process network: the figures are the service's own costs plus that chain's answers.
 * Run with `make bench-service`. Timing belongs here, never in a test.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import path from "node:path";

import autocannon from "autocannon";
import { network } from "hardhat";
import pg from "pg";
import pino from "pino";

import { newSalt } from "../src/commitments.js";
import { LOAN_CSV_HEADER } from "../src/credit.js";
import { planLoanFile, sendLoanFile } from "../src/desk/credit.js";
import { optionLabels } from "../src/input.js";
import { borrowerKey } from "../src/keys.js";
import { createToken, parseRoles } from "../service/auth.js";
import { openDatabase } from "../service/db.js";
import { Indexer } from "../service/indexer.js";
import { migrate } from "../service/migrations.js";
import { project, rebuild } from "../service/projections.js";
import { PROJECTIONS } from "../service/projections/index.js";
import { startService } from "../service/server.js";
import { actAs, deployWorld } from "./lib/world.js";

// 10,000 loans in all (half through each path); TRADELINE_BENCH_LOANS sets each half for a quick try.
const LOANS_EACH = Number(process.env.TRADELINE_BENCH_LOANS ?? 5_000);
const connection = await network.create();
const { ethers } = connection;
const world = await deployWorld(connection);
const chainId = Number((await ethers.provider.getNetwork()).chainId);
const quicklend = actAs(world, "quicklend", world.key);
const dir = await mkdtemp(path.join(tmpdir(), "tradeline-bench-service-"));

/** A loan file of `n` new borrowers, loan references prefixed `prefix`. */
function loanFile(prefix: string, n: number): string {
  const lines = [LOAN_CSV_HEADER.join(",")];
  for (let i = 0; i < n; i++) {
    const id = `9901011990${prefix === "CLI" ? "1" : "2"}${String(i).padStart(7, "0")}`;
    lines.push(`${prefix}-${i},CN-RIC,${id},ConsumerLoan,8000.00,7500.00,2026-01-15,2027-01-15,${newSalt()}`);
  }
  return lines.join("\n");
}

// ─── Registering loans: the CLI's path ─────────────────────────────────────────
const desk = { ...quicklend.session, contracts: quicklend.contracts, label: optionLabels };
let t0 = performance.now();
const plan = await planLoanFile(desk, loanFile("CLI", LOANS_EACH));
await sendLoanFile(desk, plan, { batchSize: 100 });
const cliSeconds = (performance.now() - t0) / 1000;
console.log(`CLI path: ${LOANS_EACH} loans in ${cliSeconds.toFixed(1)} s`);

// ─── Registering loans: the API's upload job, then look-ups ────────────────────
const service = await startService({
  provider: ethers.provider,
  chainId,
  deployment: world.deployment,
  fromBlock: 0,
  databaseUrl: path.join(dir, "service.sqlite"),
  dataDir: dir,
  port: 0,
  pollMs: 200,
  signer: world.admins.quicklend,
  consortiumKey: async () => world.key,
  // The bench measures the service, not the per-token limit (50 a second by default).
  rateLimit: { perSecond: 1e9, burst: 1e9 },
  logger: pino({ level: "warn" }),
});
const token = (await createToken(service.database.db, "bench", parseRoles("lender-desk"))).token;
const auth = { authorization: `Bearer ${token}` };
t0 = performance.now();
const upload = await fetch(`${service.url}/v1/credit/uploads?batchSize=100`, {
  method: "POST",
  headers: { ...auth, "content-type": "text/csv" },
  body: loanFile("API", LOANS_EACH),
});
const job = ((await upload.json()) as { result: { id: number } }).result;
for (;;) {
  const j = (await (await fetch(`${service.url}/v1/credit/uploads/${job.id}`, { headers: auth })).json()) as {
    status: string;
    error: string | null;
  };
  if (j.status === "done") break;
  if (j.status !== "running") throw new Error(`upload job ${j.status}: ${j.error}`);
  await new Promise((r) => setTimeout(r, 100));
}
const apiSeconds = (performance.now() - t0) / 1000;
console.log(`API upload job: ${LOANS_EACH} loans in ${apiSeconds.toFixed(1)} s`);
await service.caughtUp();

const key = borrowerKey(world.key, "CN-RIC", "99010119902" + "0000042");
const lookups = await autocannon({
  url: `${service.url}/v1/credit/borrowers/${key}/exposure`,
  headers: auth,
  connections: 50,
  duration: 10,
});
console.log(
  `exposure look-up: p50 ${lookups.latency.p50} ms, p99 ${lookups.latency.p99} ms, ` +
    `${lookups.requests.average} requests a second (${lookups.non2xx} not 2xx, ${lookups.errors} errors)`,
);
await service.stop();

// ─── The indexer from genesis ──────────────────────────────────────────────────
async function catchUp(engine: "sqlite" | "postgres", url: string) {
  const database = openDatabase(url, url);
  await migrate(database.db as never, database.engine);
  const indexer = new Indexer({
    db: database.db,
    provider: ethers.provider,
    chainId,
    deployment: world.deployment,
    fromBlock: 0,
    onEvents: (trx, rows) => project(trx, PROJECTIONS, rows),
    onRollback: (trx) => rebuild(trx, PROJECTIONS, chainId),
  });
  const start = performance.now();
  let events = 0;
  let r;
  do {
    r = await indexer.step();
    events += r.events;
  } while (r.indexed < r.head);
  const seconds = (performance.now() - start) / 1000;
  await database.close();
  console.log(`indexer (${engine}): ${events} events, ${r.head + 1} blocks in ${seconds.toFixed(1)} s`);
  return {
    engine,
    events,
    blocks: r.head + 1,
    seconds: round(seconds, 2),
    eventsPerSecond: Math.round(events / seconds),
  };
}

const round = (x: number, d: number) => Number(x.toFixed(d));
const indexer = [await catchUp("sqlite", path.join(dir, "catch-up.sqlite"))];
const pgAdmin = process.env.TRADELINE_BENCH_PG_URL ?? process.env.TRADELINE_TEST_PG_URL;
if (pgAdmin !== undefined && pgAdmin !== "") {
  const name = `tradeline_bench_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: pgAdmin });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(pgAdmin);
  url.pathname = `/${name}`;
  try {
    indexer.push(await catchUp("postgres", url.toString()));
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
} else {
  console.log("indexer (postgres): skipped, no TRADELINE_BENCH_PG_URL or TRADELINE_TEST_PG_URL");
}
await rm(dir, { recursive: true, force: true });

const file = new URL("../bench/results.json", import.meta.url);
const results = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
results.service = {
  measuredOn: `Hardhat in-process network, ${cpus().length} CPU(s) (${cpus()[0]?.model ?? "unknown"}), Node ${process.version}`,
  loans: LOANS_EACH * 2,
  registration: {
    cliLoansPerSecond: Math.round(LOANS_EACH / cliSeconds),
    apiLoansPerSecond: Math.round(LOANS_EACH / apiSeconds),
    batchSize: 100,
  },
  exposureLookup: {
    connections: 50,
    durationSeconds: 10,
    p50Ms: lookups.latency.p50,
    p99Ms: lookups.latency.p99,
    requestsPerSecond: lookups.requests.average,
    non2xx: lookups.non2xx,
    errors: lookups.errors,
    targetP99Ms: 200,
    aimP99Ms: 20,
  },
  indexerCatchUp: indexer,
};
await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
console.log("service figures written to bench/results.json (service)");
