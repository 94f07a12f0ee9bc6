/**
 * A local Tradeline network made of separate processes: a `hardhat node` on loopback, the Ignition deployment (and
 * optionally the demo's world) made by scripts/up-world.ts, and the service through the `serve` task. Shared by
 * `make up` (scripts/up.ts) and the service's process-level tests (test/service/process.ts).
 *
 * Every child runs in its own process group, so stopping it stops whatever it started; a child still running when
 * this process exits is killed with it (no orphans, even when a test fails or the caller throws).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";

import { HDNodeWallet, Wallet } from "ethers";

export const ROOT = path.resolve(import.meta.dirname, "..", "..");
const HARDHAT = path.join(ROOT, "node_modules", "hardhat", "dist", "src", "cli.js");

/** The public development mnemonic of `hardhat node`'s accounts (its banner prints their keys). */
const DEV_MNEMONIC = "test test test test test test test test test test test junk";

/** The private key of the local node's account `index`; for a dev chain only, never logged. */
export function devAccountKey(index: number): string {
  return HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`).privateKey;
}

/** The private key of a demo party's admin: the node account with that address (the demo's world, `world`). */
export function partyKey(world: WorldRecord, party: string): string {
  const admin = world.members[party]?.admin;
  if (admin === undefined) throw new Error(`no demo party "${party}" (was the world seeded?)`);
  for (let i = 0; i < 64; i++) {
    const key = devAccountKey(i);
    if (new Wallet(key).address.toLowerCase() === admin.toLowerCase()) return key;
  }
  throw new Error(`the admin of ${party} is not one of the node's first 64 accounts`);
}

/** Children still running; killed when this process exits, whatever the reason. */
const live = new Set<Child>();
process.once("exit", () => {
  for (const child of live) child.killNow();
});

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class Child {
  readonly exited: Promise<Exit>;
  #exit: Exit | undefined;
  readonly #proc: ChildProcess;

  constructor(
    readonly name: string,
    readonly logFile: string,
    args: string[],
    env: NodeJS.ProcessEnv,
  ) {
    const fd = openSync(logFile, "a");
    try {
      this.#proc = spawn(process.execPath, [HARDHAT, ...args], {
        cwd: ROOT,
        env: childEnv(env),
        detached: true,
        stdio: ["ignore", fd, fd],
      });
    } finally {
      closeSync(fd);
    }
    live.add(this);
    this.exited = new Promise((resolve) => {
      this.#proc.once("exit", (code, signal) => {
        this.#exit = { code, signal };
        // Anything the leader started dies with it.
        this.#signalGroup("SIGKILL");
        live.delete(this);
        resolve(this.#exit);
      });
    });
  }

  get pid(): number {
    return this.#proc.pid!;
  }

  /** How it ended, once it has. */
  get exit(): Exit | undefined {
    return this.#exit;
  }

  /** The last lines of its log. */
  tail(lines = 20): string {
    let text = "";
    try {
      text = readFileSync(this.logFile, "utf8");
    } catch {
      return "";
    }
    return text.trimEnd().split("\n").slice(-lines).join("\n");
  }

  /** Stops the whole process group: `signal` first, SIGKILL after `graceMs` if it is still running. */
  async stop(signal: NodeJS.Signals = "SIGTERM", graceMs = 15_000): Promise<Exit> {
    if (this.#exit !== undefined) return this.#exit;
    this.#signalGroup(signal);
    const timer = setTimeout(() => this.#signalGroup("SIGKILL"), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the group now, synchronously (for an exit handler). */
  killNow(): void {
    if (this.#exit === undefined) this.#signalGroup("SIGKILL");
  }

  #signalGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      // the group is gone already
    }
  }
}

/**
 * The environment of a child: the caller's, without Hardhat's own global options (a child of `hardhat test
 * --coverage` would otherwise build and deploy instrumented contracts), with `env` on top.
 */
function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("HARDHAT_")));
  return { ...base, PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ""}`, ...env };
}

/** A port nobody listens on now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Whether something accepts connections on 127.0.0.1:`port`. */
export async function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * Polls `probe` every `everyMs` until it returns a value other than undefined. Fails with `what` when `child` (if
 * given) exits first, or after `timeoutMs`: generous, for a slow shared machine; it never decides a test's verdict.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: { child?: Child; timeoutMs?: number; everyMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  for (;;) {
    const exit = options.child?.exit;
    if (exit !== undefined) {
      throw new Error(
        `${options.child!.name} exited (${describeExit(exit)}) before ${what}; its log ${options.child!.logFile} ` +
          `ends:\n${options.child!.tail()}`,
      );
    }
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      const log = options.child === undefined ? "" : `; ${options.child.name}'s log ends:\n${options.child.tail()}`;
      throw new Error(`gave up waiting for ${what}${log}`);
    }
    await new Promise((r) => setTimeout(r, options.everyMs ?? 250));
  }
}

export function describeExit(exit: Exit): string {
  return exit.signal !== null ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}

/** One JSON-RPC call to `url`. */
export async function rpc<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

/** Starts `hardhat node` on 127.0.0.1:`port` and waits until it answers JSON-RPC. */
export async function startNode(port: number, logFile: string): Promise<{ child: Child; url: string }> {
  // Under `hardhat test --coverage` the artifacts are instrumented, bigger than EIP-170 allows: the node then runs
  // with coverage too, which lifts the size limit and the gas caps as the in-process network does (its hits are
  // not saved: only the test task writes coverage data).
  // TRADELINE_NODE_COVERAGE carries it to a script a coverage run starts as a process (make up's test).
  const coverage =
    process.env.HARDHAT_COVERAGE === "true" || process.env.TRADELINE_NODE_COVERAGE === "1"
      ? { HARDHAT_COVERAGE: "true" }
      : {};
  const args = ["node", "--hostname", "127.0.0.1", "--port", String(port)];
  const child = new Child("hardhat node", logFile, args, coverage);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`the node to answer on ${url}`, () => rpc<string>(url, "eth_chainId"), { child });
  return { child, url };
}

/** What scripts/up-world.ts wrote: the deployment it made, and the demo's parties when it seeded them. */
export interface WorldRecord {
  deploymentFile: string;
  /** Member id and admin address of each demo party, by cast key (empty without the seed). */
  members: Record<string, { id: string; admin: string }>;
  /** The issuer's and the governor's addresses. */
  governor: string;
  issuer: string;
}

/**
 * Deploys with Ignition onto the node at `rpcUrl` (deployment id `deploymentId`, under ignition/deployments/), and
 * with `seed` builds the demo's world, in a child process (scripts/up-world.ts); returns what it wrote.
 */
export async function deployWorld(options: {
  rpcUrl: string;
  deploymentId: string;
  consortiumKey: string;
  seed: boolean;
  logFile: string;
  outFile: string;
}): Promise<WorldRecord> {
  const child = new Child(
    "the deployment",
    options.logFile,
    ["run", "--no-compile", path.join(ROOT, "scripts", "up-world.ts")],
    {
      TRADELINE_UP_RPC_URL: options.rpcUrl,
      TRADELINE_UP_DEPLOYMENT_ID: options.deploymentId,
      TRADELINE_UP_SEED: options.seed ? "demo" : "",
      TRADELINE_UP_OUT: options.outFile,
      TRADELINE_CONSORTIUM_KEY: options.consortiumKey,
    },
  );
  const exit = await child.exited;
  if (exit.code !== 0) {
    throw new Error(`the deployment failed (${describeExit(exit)}); its log ${options.logFile} ends:\n${child.tail()}`);
  }
  return JSON.parse(readFileSync(options.outFile, "utf8")) as WorldRecord;
}

export interface ServeOptions {
  rpcUrl: string;
  deploymentFile: string;
  /** A postgres:// URL or an SQLite file. */
  database: string;
  port: number;
  /** The consortium key the service is given (checked against the chain's at start). */
  consortiumKey: string;
  /** The operator key it signs with; default the node's account 0. */
  operatorKey?: string;
  logFile: string;
  /** What its messages call it; default "the service". */
  name?: string;
}

/**
 * Starts the service through the `serve` task, on the `consortium` network pointed at the local node (the path an
 * operator takes against an existing chain), and waits until it listens. Its operator key is the node's account 0
 * unless `operatorKey` says otherwise.
 */
export async function startServe(options: ServeOptions): Promise<{ child: Child; url: string }> {
  const child = serveProcess(options);
  return { child, url: await untilListening(child, options.port) };
}

/**
 * Waits until the service `child` answers on 127.0.0.1:`port` (any status from /healthz) and gives its URL; fails
 * when it exits first, or after `timeoutMs` (waitFor's default when not given).
 */
export async function untilListening(child: Child, port: number, timeoutMs?: number): Promise<string> {
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    `${child.name} to listen on ${url}`,
    async () => ((await fetch(`${url}/healthz`)).status > 0 ? true : undefined),
    { child, timeoutMs },
  );
  return url;
}

/** The `serve` task's process, without waiting for it (a start that must fail is awaited through `exited`). */
export function serveProcess(options: ServeOptions): Child {
  return new Child(
    options.name ?? "the service",
    options.logFile,
    ["--network", "consortium", "serve", "--deployment", options.deploymentFile, "--port", String(options.port)],
    {
      TRADELINE_RPC_URL: options.rpcUrl,
      TRADELINE_OPERATOR_KEY: options.operatorKey ?? devAccountKey(0),
      TRADELINE_CONSORTIUM_KEY: options.consortiumKey,
      // The database as a configuration variable, not an argument: a PostgreSQL URL carries its password, and every
      // local account reads a process's arguments (`serve` refuses one there).
      TRADELINE_DATABASE_URL: options.database,
      // A local network's webhooks go to receivers on this machine (loopback): allowed here, refused by default.
      TRADELINE_ALLOW_PRIVATE_WEBHOOKS: "1",
    },
  );
}
