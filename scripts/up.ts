/**
 * `make up` (and `make up SEED=demo`): a complete local Tradeline network in one command, for a newcomer.
 *
 *   1. a `hardhat node` on 127.0.0.1:8545 (NODE_PORT=…), refused clearly when the port is taken;
 *   2. the Ignition deployment onto it, with a consortium key made for this run (never printed);
 *   3. with SEED=demo, the demo's world: members, loans, receivables, orders (scripts/lib/demo-world.ts);
 *   4. the service through the `serve` task, on 127.0.0.1:8787 (API_PORT=…):
 *      - with SEED=demo, one per demo member with a desk (DEMO_DESKS, on 8787 and the next ports in its order), each
 *        signing with its member admin's key, with its own fresh SQLite database data/up/<member>.sqlite holding a
 *        token per role of that member's desks;
 *      - without, one signing with the node's account 0, its database data/up/tradeline.sqlite holding a token per
 *        API role.
 *
 * It prints the URLs and the tokens, and writes them to data/up/desks.json (for scripts and tests). Ctrl-C (or
 * SIGTERM) stops everything it started; when a child dies, the rest is stopped and the reason printed. The
 * children's logs go to data/up/*.log (the services': data/up/service-<member>.log).
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

import { API_ROLES, createToken, type ApiRole } from "../service/auth.js";
import { openDatabase } from "../service/db.js";
import { migrate } from "../service/migrations.js";

import { CAST } from "./lib/cast.js";
import {
  ROOT,
  describeExit,
  deployWorld,
  partyKey,
  portTaken,
  serveProcess,
  startNode,
  untilListening,
  type Child,
  type Exit,
} from "./lib/local-network.js";

/** A port from the environment variable `name` (set by make from `makeName`), or `fallback`. */
function port(name: string, makeName: string, fallback: number): number {
  const text = process.env[name] ?? "";
  if (text === "") return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 65_535) {
    throw new Error(`${makeName}=${text} is not a port number from 1 to 65535`);
  }
  return Number(text);
}

/** What a token's holder is called after its role: "Huaxia Commercial Bank, lender desk". */
const DESK: Record<ApiRole, string> = {
  "lender-desk": "lender desk",
  "supply-chain-desk": "supply-chain desk",
  exporter: "export desk",
  importer: "import desk",
  "bank-treasury": "treasury",
  regulator: "supervision",
  operator: "operations",
};

/**
 * With SEED=demo, the members that run a service, in the order of their ports (the first on API_PORT, default
 * 8787, each next one on the next port), and the API roles of the tokens made in each one's database. Each service
 * signs with its member admin's key. The oracles and the arbiter hold `operator`: attestations and resolutions
 * need it.
 */
const DEMO_DESKS: readonly { member: string; roles: readonly ApiRole[] }[] = [
  { member: "huaxia", roles: ["lender-desk", "bank-treasury"] },
  { member: "golfo", roles: ["bank-treasury", "lender-desk"] },
  { member: "glassworks", roles: ["exporter", "supply-chain-desk"] },
  { member: "cristal", roles: ["importer"] },
  { member: "carrier", roles: ["operator"] },
  { member: "customs", roles: ["operator"] },
  { member: "pearl", roles: ["supply-chain-desk"] },
  { member: "silica", roles: ["supply-chain-desk"] },
  { member: "regulator", roles: ["regulator", "operator"] },
  // The tier-2 supplier, last so that the others keep their ports: it hands pieces on to the tier-3 supplier.
  { member: "precision", roles: ["supply-chain-desk"] },
];

/** One service `make up` runs, as <dataDir>/desks.json records it (tokens by role). */
interface DeskRecord {
  member: string;
  name: string;
  url: string;
  tokens: Partial<Record<ApiRole, string>>;
}

/** A fresh SQLite database at `file`, migrated, with a token per role in `roles` held by `name`'s desks. */
async function databaseWithTokens(file: string, name: string, roles: readonly ApiRole[]) {
  const database = openDatabase(file, file);
  const tokens: Partial<Record<ApiRole, string>> = {};
  try {
    await migrate(database.db as never, database.engine);
    for (const role of roles) tokens[role] = (await createToken(database.db, `${name}, ${DESK[role]}`, [role])).token;
  } finally {
    await database.close();
  }
  return tokens;
}

async function main(): Promise<number> {
  const seed = process.env.TRADELINE_UP_SEED ?? "";
  if (seed !== "" && seed !== "demo") throw new Error(`SEED=${seed} is not known: the one seed is demo`);
  const nodePort = port("TRADELINE_UP_NODE_PORT", "NODE_PORT", 8545);
  const servicePort = port("TRADELINE_UP_PORT", "API_PORT", 8787);
  // The services' ports: API_PORT, then the next ones, one per demo member in DEMO_DESKS's order.
  const serviceCount = seed === "demo" ? DEMO_DESKS.length : 1;
  const lastPort = servicePort + serviceCount - 1;
  if (lastPort > 65_535) throw new Error(`API_PORT=${servicePort} leaves no room for ${serviceCount} services`);
  if (nodePort >= servicePort && nodePort <= lastPort) {
    throw new Error(`NODE_PORT=${nodePort} is one of the services' ports (${servicePort} to ${lastPort})`);
  }
  const wanted: [number, string, string][] = [[nodePort, "the node", "NODE_PORT"]];
  for (let p = servicePort; p <= lastPort; p++) wanted.push([p, "a service", "API_PORT"]);
  for (const [p, what, variable] of wanted) {
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
        console.log(`\n${signal}: stopping the services and the node…`);
        void stopAll().then(() => resolve(0));
      });
    }
  });

  /** When `death.child` has stopped by itself: says so with the end of its log, stops the rest; exit code 1. */
  const stoppedBecause = async (death: { child: Child; exit: Exit }): Promise<number> => {
    if (stopping) return await interrupted;
    console.error(
      `error: ${death.child.name} stopped (${describeExit(death.exit)}); stopping the rest. ` +
        `Its log ${path.relative(ROOT, death.child.logFile)} ends:\n${death.child.tail(10)}`,
    );
    await stopAll();
    return 1;
  };

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

    // What each service is: with the seed, one per demo member with a desk, signing as that member's admin; without
    // it, one signing as the node's account 0, with a token per role.
    const plans =
      seed === "demo"
        ? DEMO_DESKS.map(({ member, roles }, i) => {
            const name = CAST.find((m) => m.key === member)?.name;
            if (name === undefined) throw new Error(`no member "${member}" in the demo's cast`);
            return { member, name, roles, port: servicePort + i, operatorKey: partyKey(world, member) };
          })
        : [{ member: "local", name: "Local network", roles: API_ROLES, port: servicePort, operatorKey: undefined }];
    // Without the seed the files keep their names of old: data/up/tradeline.sqlite, data/up/service.log.
    const fileOf = (member: string) =>
      seed === "demo"
        ? { database: `${member}.sqlite`, log: `service-${member}.log` }
        : { database: "tradeline.sqlite", log: "service.log" };

    const desks: DeskRecord[] = [];
    const started: Promise<string>[] = [];
    for (const plan of plans) {
      const file = path.join(dataDir, fileOf(plan.member).database);
      const tokens = await databaseWithTokens(file, plan.name, plan.roles);
      const child = serveProcess({
        name: seed === "demo" ? `the service of ${plan.member}` : "the service",
        rpcUrl: node.url,
        deploymentFile: world.deploymentFile,
        database: file,
        port: plan.port,
        consortiumKey,
        operatorKey: plan.operatorKey,
        logFile: path.join(dataDir, fileOf(plan.member).log),
      });
      children.push(child);
      // Started together, waited for together: on two cores each hardhat process takes a while to load.
      started.push(untilListening(child, plan.port, 600_000));
      desks.push({ member: plan.member, name: plan.name, url: `http://127.0.0.1:${plan.port}`, tokens });
    }
    console.log(
      seed === "demo"
        ? `starting ${plans.length} services, one per member, on 127.0.0.1:${servicePort} to ${lastPort} ` +
            `(logs: ${shown("service-<member>.log")})`
        : `starting the service on 127.0.0.1:${servicePort} (log: ${shown("service.log")})`,
    );
    // Until all listen, or the first child (a service or the node) dies: then the rest is stopped and why printed.
    const died = Promise.race(children.map((c) => c.exited.then((exit) => ({ child: c, exit }))));
    const startup = await Promise.race([Promise.all(started).then(() => undefined), died]);
    if (startup !== undefined) return await stoppedBecause(startup);
    // Readable by this user only: the tokens are for this local chain, but a token is still a credential.
    writeFileSync(path.join(dataDir, "desks.json"), `${JSON.stringify(desks, null, 2)}\n`, { mode: 0o600 });

    const u = desks[0].url;
    const tokenLines = (d: DeskRecord, indent: string) =>
      Object.entries(d.tokens).map(([role, token]) => `${indent}${role.padEnd(18)} ${token}`);
    console.log(
      [
        "",
        `Tradeline is up${seed === "demo" ? ", with the demo's world" : ""}.`,
        `  chain (JSON-RPC)  ${node.url}   chain id 31337`,
        ...(seed === "demo"
          ? [
              `  services          ${u} to http://127.0.0.1:${lastPort}, one per member (below), each signing as`,
              `                    that member's admin: console at /, API at /v1/…, /docs, /openapi.json,`,
              `                    /healthz, /metrics on each`,
              `  databases         ${shown("<member>.sqlite")} (SQLite, fresh each run)`,
              `  desks as JSON     ${shown("desks.json")} (members, URLs, tokens by role)`,
              "",
              "Members (send a token as Authorization: Bearer <token>, to its own member's service only;",
              "for this local chain only):",
              ...desks.flatMap((d) => [
                "",
                `  ${d.member.padEnd(11)} ${d.name.padEnd(41)} ${d.url}/`,
                ...tokenLines(d, "    "),
              ]),
            ]
          : [
              `  console           ${u}/`,
              `  API               ${u}/v1/…`,
              `  API reference     ${u}/docs (OpenAPI document: ${u}/openapi.json)`,
              `  health            ${u}/healthz`,
              `  metrics           ${u}/metrics`,
              `  database          ${shown("tradeline.sqlite")} (SQLite, fresh each run); tokens also in ${shown("desks.json")}`,
              "",
              "API tokens (send as Authorization: Bearer <token>; for this local chain only), signing as account 0:",
              ...tokenLines(desks[0], "  "),
            ]),
        "",
        `e.g. curl -H "Authorization: Bearer ${Object.values(desks[0].tokens)[0]}" ${u}/v1/me`,
        ...(nodePort === 8545 ? ["tasks: ./tradeline --network localhost member:list"] : []),
        `Ctrl-C stops the service${plans.length > 1 ? "s" : ""} and the node.`,
      ].join("\n"),
    );

    // Runs until Ctrl-C, or until a child dies: then the rest is stopped too.
    const outcome = await Promise.race([interrupted, died]);
    if (typeof outcome === "number") return outcome;
    return await stoppedBecause(outcome);
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
