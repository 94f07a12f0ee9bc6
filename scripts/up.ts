/**
 * `make up` (and `make up SEED=demo`): a complete local Tradeline network in one command, for a newcomer.
 *
 *   1. a `hardhat node` on 127.0.0.1:8545 (NODE_PORT=…), refused clearly when the port is taken;
 *   2. the Ignition deployment onto it, with a consortium key made for this run (never printed);
 *   3. with SEED=demo, the demo's world: members, loans, receivables, orders (scripts/lib/demo-world.ts);
 *   4. API tokens for the demo's desks, one per role, in a fresh database under data/up/;
 *   5. the service through the `serve` task on 127.0.0.1:8787 (API_PORT=…).
 *
 * It prints the URLs and the tokens. Ctrl-C (or SIGTERM) stops everything it started; when a child dies, the rest
 * is stopped and the reason printed. The children's logs go to data/up/*.log.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";

import { createToken, type ApiRole } from "../service/auth.js";
import { openDatabase } from "../service/db.js";
import { migrate } from "../service/migrations.js";

import { CAST } from "./lib/cast.js";
import { ROOT, describeExit, deployWorld, portTaken, startNode, startServe, type Child } from "./lib/local-network.js";

/** A port from the environment variable `name` (set by make from `makeName`), or `fallback`. */
function port(name: string, makeName: string, fallback: number): number {
  const text = process.env[name] ?? "";
  if (text === "") return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 65_535) {
    throw new Error(`${makeName}=${text} is not a port number from 1 to 65535`);
  }
  return Number(text);
}

/** The desks the tokens are for: one per role, held by the demo party that plays it. */
const DESKS: { role: ApiRole; party?: string; desk: string }[] = [
  { role: "lender-desk", party: "huaxia", desk: "lender desk" },
  { role: "supply-chain-desk", party: "pearl", desk: "supply-chain desk" },
  { role: "exporter", party: "glassworks", desk: "export desk" },
  { role: "importer", party: "cristal", desk: "import desk" },
  { role: "bank-treasury", party: "golfo", desk: "treasury" },
  { role: "regulator", party: "regulator", desk: "supervision" },
  { role: "operator", desk: "consortium operator" },
];

async function main(): Promise<number> {
  const seed = process.env.TRADELINE_UP_SEED ?? "";
  if (seed !== "" && seed !== "demo") throw new Error(`SEED=${seed} is not known: the one seed is demo`);
  const nodePort = port("TRADELINE_UP_NODE_PORT", "NODE_PORT", 8545);
  const servicePort = port("TRADELINE_UP_PORT", "API_PORT", 8787);
  for (const [p, what, variable] of [
    [nodePort, "the node", "NODE_PORT"],
    [servicePort, "the service", "API_PORT"],
  ] as const) {
    if (await portTaken(p)) {
      throw new Error(
        `something already listens on 127.0.0.1:${p}, where ${what} would run: stop it (another make up, ` +
          `make localnode?) or choose another port, e.g. make up ${variable}=${p + 1}`,
      );
    }
  }

  // Fresh each run, as the chain is: the database, the logs, and the deployment record of the last run.
  // TRADELINE_UP_DATA: another folder (the tests use one of their own, so as not to touch a running make up's).
  const dataDir = path.resolve(ROOT, process.env.TRADELINE_UP_DATA || path.join("data", "up"));
  const shown = (file: string) => path.relative(ROOT, path.join(dataDir, file));
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  // On 8545 the record is the one the tasks read for `--network localhost` (git-ignored).
  const deploymentId = nodePort === 8545 ? "chain-31337" : `up-${nodePort}`;
  const deploymentDir = path.join(ROOT, "ignition", "deployments", deploymentId);
  rmSync(deploymentDir, { recursive: true, force: true });
  const consortiumKey = `0x${randomBytes(32).toString("hex")}`;

  const children: Child[] = [];
  let stopping = false;
  const stopAll = async () => {
    stopping = true;
    await Promise.all(children.map((c) => c.stop()));
    rmSync(deploymentDir, { recursive: true, force: true });
  };
  const interrupted = new Promise<number>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      process.on(signal, () => {
        if (stopping) return;
        console.log(`\n${signal}: stopping the service and the node…`);
        void stopAll().then(() => resolve(0));
      });
    }
  });

  try {
    console.log(`starting hardhat node on 127.0.0.1:${nodePort} (log: ${shown("node.log")})`);
    const node = await startNode(nodePort, path.join(dataDir, "node.log"));
    children.push(node.child);
    console.log(
      `deploying with Ignition${seed === "demo" ? " and building the demo's world" : ""} (log: ${shown("deploy.log")})`,
    );
    const world = await deployWorld({
      rpcUrl: node.url,
      deploymentId,
      consortiumKey,
      seed: seed === "demo",
      logFile: path.join(dataDir, "deploy.log"),
      outFile: path.join(dataDir, "world.json"),
    });

    const databaseFile = path.join(dataDir, "tradeline.sqlite");
    const database = openDatabase(databaseFile, databaseFile);
    const tokens: { role: ApiRole; holder: string; token: string }[] = [];
    try {
      await migrate(database.db as never, database.engine);
      for (const { role, party, desk } of DESKS) {
        const name = seed === "demo" && party !== undefined ? CAST.find((m) => m.key === party)?.name : undefined;
        const holder = party === undefined ? desk : name === undefined ? `local ${desk}` : `${name}, ${desk}`;
        tokens.push({ role, holder, token: (await createToken(database.db, holder, [role])).token });
      }
    } finally {
      await database.close();
    }

    console.log(`starting the service on 127.0.0.1:${servicePort} (log: ${shown("service.log")})`);
    const service = await startServe({
      rpcUrl: node.url,
      deploymentFile: world.deploymentFile,
      database: databaseFile,
      port: servicePort,
      consortiumKey,
      logFile: path.join(dataDir, "service.log"),
    });
    children.push(service.child);

    const u = service.url;
    console.log(
      [
        "",
        `Tradeline is up${seed === "demo" ? ", with the demo's world" : ""}.`,
        `  chain (JSON-RPC)  ${node.url}   chain id 31337`,
        `  API               ${u}/v1/…`,
        `  API reference     ${u}/docs (OpenAPI document: ${u}/openapi.json)`,
        `  health            ${u}/healthz`,
        `  metrics           ${u}/metrics`,
        `  database          ${path.relative(ROOT, databaseFile)} (SQLite, fresh each run)`,
        "",
        "API tokens (send as Authorization: Bearer <token>; for this local chain only):",
        ...tokens.map((t) => `  ${t.role.padEnd(18)} ${t.token}   ${t.holder}`),
        "",
        `e.g. curl -H "Authorization: Bearer ${tokens[0].token}" ${u}/v1/members`,
        ...(nodePort === 8545 ? ["tasks: ./tradeline --network localhost member:list"] : []),
        "Ctrl-C stops the service and the node.",
      ].join("\n"),
    );

    // Runs until Ctrl-C, or until a child dies: then the rest is stopped too.
    const died = Promise.race(children.map((c) => c.exited.then((exit) => ({ child: c, exit }))));
    const outcome = await Promise.race([interrupted, died]);
    if (typeof outcome === "number") return outcome;
    if (stopping) return await interrupted;
    console.error(
      `error: ${outcome.child.name} stopped (${describeExit(outcome.exit)}); stopping the rest. ` +
        `Its log ${path.relative(ROOT, outcome.child.logFile)} ends:\n${outcome.child.tail(10)}`,
    );
    await stopAll();
    return 1;
  } catch (err) {
    if (stopping) return await interrupted;
    await stopAll();
    throw err;
  }
}

try {
  process.exitCode = await main();
} catch (err) {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
// Nothing else keeps this process: the children are stopped, the signal handlers are no reason to stay.
process.exit();
