/**
 * The process-level test harness of the service: a `hardhat node` in its own process on a free port, the Ignition
 * deployment onto it (optionally the demo's world), and the service started through the `serve` task (the real
 * entry point) in another process, driven over HTTP. The same pieces `make up` uses (scripts/lib/local-network.ts).
 *
 *   const stack = await startStack({ seed: true });       // in before()
 *   const service = await stack.startService(database);   // waits until it listens
 *   await service.caughtUp();                             // polls /healthz
 *   await stack.stop();                                   // in after(): every process group, the temp files
 *
 * Every wait polls with a generous limit (a slow shared machine); none decides a verdict. Tokens for write
 * round-trip tests: `stack.createToken(database, name, roles)` writes one into the database before the service
 * starts (or while it runs, on PostgreSQL); `service.ok(route, token, body, status)` posts a write that must answer
 * `status` and gives its result, `service.post` one whose answer the test inspects.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { JsonRpcProvider, type JsonRpcSigner } from "ethers";

import {
  Child,
  ROOT,
  deployWorld,
  freePort,
  partyKey,
  rpc,
  serveProcess,
  startNode,
  startServe,
  waitFor,
  type Exit,
  type WorldRecord,
} from "../../scripts/lib/local-network.js";
import { createToken, type ApiRole } from "../../service/auth.js";
import { openDatabase } from "../../service/db.js";
import { migrate } from "../../service/migrations.js";
import { connect, loadDeployment, type Deployment, type TradelineContracts } from "../../src/deployment.js";

export interface Health {
  chainHead: number;
  indexedHead: number;
  lag: number;
  sinceSuccess: number;
  error?: string;
}

/** One running service process. */
export class ServiceProcess {
  constructor(
    readonly child: Child,
    readonly url: string,
    readonly rpcUrl: string,
  ) {}

  /** GET (or another method) with an optional bearer token; the body parsed as JSON when it is. */
  async request(
    method: string,
    route: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: unknown; headers: Headers }> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(`${this.url}${route}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as text
    }
    return { status: response.status, body, headers: response.headers };
  }

  /** POSTs `body` with `token` (and `headers`, e.g. an Idempotency-Key); the answer as `request` gives it. */
  async post(route: string, token: string, body: unknown, headers?: Record<string, string>) {
    return this.request("POST", route, { token, body, headers });
  }

  /**
   * POSTs a write that must answer `status` (the answer is the failed assertion's message when it does not);
   * the write's result (service/writes.ts).
   */
  async ok(route: string, token: string, body: unknown, status = 200): Promise<Record<string, unknown>> {
    const answer = await this.post(route, token, body);
    expect(answer.status, `POST ${route}: ${JSON.stringify(answer.body)}`).to.equal(status);
    return (answer.body as { result: Record<string, unknown> }).result;
  }

  async get(route: string, token?: string): Promise<{ status: number; body: unknown }> {
    return this.request("GET", route, { token });
  }

  async health(): Promise<Health> {
    return (await this.get("/healthz")).body as Health;
  }

  /**
   * Waits until the read model has indexed the chain's head as it is now, and /healthz shows it (the chain head it
   * saw equal to the indexed head). Fails if the process exits first.
   */
  async caughtUp(): Promise<Health> {
    const head = Number(await rpc<string>(this.rpcUrl, "eth_blockNumber"));
    return waitFor(
      `the service to index block ${head}`,
      async () => {
        const h = await this.health();
        return h.indexedHead >= head && h.chainHead === h.indexedHead ? h : undefined;
      },
      { child: this.child },
    );
  }

  /** SIGTERM (a clean stop) or SIGKILL (a crash) to its process group; resolves once it has exited. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    await this.child.stop(signal);
  }
}

/** How a test's service is started: another key or record, or signing as a demo party's admin. */
export interface ServeAs {
  consortiumKey?: string;
  deploymentFile?: string;
  /** A demo party whose admin (one of the node's accounts) the service signs as; default the node's account 0. */
  operator?: string;
}

export interface Stack {
  rpcUrl: string;
  /** A provider on the node, without a request cache (the tests revert the chain under it). */
  provider: JsonRpcProvider;
  /** The consortium key of this deployment (0x + 64 hex). */
  consortiumKey: string;
  deployment: Deployment;
  deploymentFile: string;
  /** The demo's parties (empty without the seed), the governor and the issuer. */
  world: WorldRecord;
  /** The contracts, bound to the provider (read only; connect a node account's signer to send). */
  contracts: TradelineContracts;
  /** A demo party's admin as a signer on the node (an unlocked account), to send what a write test checks. */
  signer(party: string): Promise<JsonRpcSigner>;
  /** A fresh temporary directory, removed by `stop`. */
  dir: string;
  /** A fresh SQLite file in `dir`. */
  sqliteFile(): string;
  /** Starts the service on `database` and waits until it listens. */
  startService(database: string, options?: ServeAs): Promise<ServiceProcess>;
  /** The service's process without waiting for it to listen (for a start that must fail). */
  serviceProcess(database: string, options?: ServeAs): Promise<{ child: Child; url: string }>;
  /** Another plain Ignition deployment on the same chain (same key); returns its record file. */
  deployAgain(): Promise<string>;
  /** Creates an API token in `database` (migrating it first if new); the token itself. */
  createToken(database: string, name: string, roles: ApiRole[]): Promise<string>;
  /** Stops every process this stack started and removes its files. */
  stop(): Promise<void>;
}

/** Starts a node, deploys onto it (with `seed`, the demo's world), and returns the stack; `stop` it in after(). */
export async function startStack(options: { seed: boolean }): Promise<Stack> {
  const dir = await mkdtemp(path.join(tmpdir(), "tradeline-e2e-"));
  const deploymentIds: string[] = [];
  const children: Child[] = [];
  const stop = async () => {
    await Promise.all(children.map((c) => c.stop()));
    for (const id of deploymentIds)
      await rm(path.join(ROOT, "ignition", "deployments", id), { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const node = await startNode(await freePort(), path.join(dir, "node.log"));
    children.push(node.child);
    const consortiumKey = `0x${randomBytes(32).toString("hex")}`;
    let deployments = 0;
    const deploy = async (seed: boolean) => {
      // Under ignition/deployments/ (Ignition's place); git-ignored, removed by stop.
      const id = `service-e2e-${randomBytes(6).toString("hex")}`;
      deploymentIds.push(id);
      deployments += 1;
      return deployWorld({
        rpcUrl: node.url,
        deploymentId: id,
        consortiumKey,
        seed,
        logFile: path.join(dir, `deploy-${deployments}.log`),
        outFile: path.join(dir, `world-${deployments}.json`),
      });
    };
    const world = await deploy(options.seed);
    const deployment = await loadDeployment(world.deploymentFile);
    const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1, staticNetwork: true });
    let services = 0;
    const serveOptions = (database: string, o: ServeAs = {}) => {
      services += 1;
      return {
        rpcUrl: node.url,
        deploymentFile: o.deploymentFile ?? world.deploymentFile,
        database,
        consortiumKey: o.consortiumKey ?? consortiumKey,
        ...(o.operator === undefined ? {} : { operatorKey: partyKey(world, o.operator) }),
        logFile: path.join(dir, `service-${services}.log`),
      };
    };
    let files = 0;
    return {
      rpcUrl: node.url,
      provider,
      consortiumKey,
      deployment,
      deploymentFile: world.deploymentFile,
      world,
      contracts: connect(deployment, provider),
      dir,
      async signer(party) {
        const member = world.members[party];
        if (member === undefined) throw new Error(`no demo party "${party}" (was the stack seeded?)`);
        return provider.getSigner(member.admin);
      },
      sqliteFile: () => path.join(dir, `read-model-${++files}.sqlite`),
      async startService(database, o) {
        const { child, url } = await startServe({ ...serveOptions(database, o), port: await freePort() });
        children.push(child);
        return new ServiceProcess(child, url, node.url);
      },
      async serviceProcess(database, o) {
        const port = await freePort();
        const child = serveProcess({ ...serveOptions(database, o), port });
        children.push(child);
        return { child, url: `http://127.0.0.1:${port}` };
      },
      async deployAgain() {
        return (await deploy(false)).deploymentFile;
      },
      async createToken(database, name, roles) {
        const opened = openDatabase(database, database);
        try {
          await migrate(opened.db as never, opened.engine);
          return (await createToken(opened.db, name, roles)).token;
        } finally {
          await opened.close();
        }
      },
      async stop() {
        provider.destroy();
        await stop();
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Writes a deployment record naming contracts this chain does not have. */
export async function strangersRecord(dir: string): Promise<string> {
  const file = path.join(dir, "strangers.json");
  const address = () => `0x${randomBytes(20).toString("hex")}`;
  const names = [
    "MemberRegistry",
    "ConsentBook",
    "CreditRegistry",
    "CreditScore",
    "ReceivableLedger",
    "TradeSettlement",
    "TokenCNY",
  ];
  await writeFile(file, JSON.stringify(Object.fromEntries(names.map((n) => [`Tradeline#${n}`, address()]))));
  return file;
}

/**
 * Waits for a start that must be refused: resolves with the process's exit once it has ended, or with "listening"
 * if it answered on its port instead (then it is stopped, and the caller's assertion fails without a long wait).
 */
export async function startOutcome(start: { child: Child; url: string }): Promise<Exit | "listening"> {
  const outcome = await waitFor<Exit | "listening">("the service's start to end or to listen", async () => {
    if (start.child.exit !== undefined) return start.child.exit;
    const response = await fetch(`${start.url}/healthz`).catch(() => undefined);
    return response === undefined ? undefined : "listening";
  });
  if (outcome === "listening") await start.child.stop();
  return outcome;
}
