/**
 * The database engines the service tests run on: SQLite always, and PostgreSQL at the URL `make test` exports as
 * TRADELINE_TEST_PG_URL (scripts/ensure-postgres.sh starts the server). Without it the tests fail rather than skip,
 * unless TRADELINE_TEST_SQLITE_ONLY=1 says so explicitly (a quick local run).
 */
import { randomBytes } from "node:crypto";

import { expect } from "chai";

import { Wallet, parseEther, type Provider } from "ethers";
import pg from "pg";
import pino from "pino";

import type { Deployment } from "../../src/deployment.js";
import { deployWorld, type World } from "../../scripts/lib/world.js";
import { createToken, parseRoles, type ApiRole } from "../../service/auth.js";
import { startService, type RunningService, type ServiceOptions } from "../../service/server.js";

/**
 * The parties of the glassware order (scripts/lib/glassware.ts) that the trade write tests run a service for, each
 * with the role its token carries: the importer, the exporter, both banks, and the carrier as an oracle.
 */
export const TRADE_PARTIES: readonly (readonly [string, ApiRole])[] = [
  ["cristal", "importer"],
  ["glassworks", "exporter"],
  ["golfo", "bank-treasury"],
  ["huaxia", "bank-treasury"],
  ["carrier", "operator"],
];

/**
 * The glassware order's request body for `POST /v1/trade/orders`: 400,000.00 MXN paid out in CNY in three tranches
 * (shipped, cleared, delivered), between the given members, with `day(n)` the date n days from the chain's now.
 */
export function glasswareOrderBody(
  ids: Record<"glassworks" | "golfo" | "huaxia", bigint | number | string> | Record<string, bigint>,
  document: string,
  day: (offset: number) => string,
) {
  return {
    exporter: Number(ids.glassworks),
    importerBank: Number(ids.golfo),
    exporterBank: Number(ids.huaxia),
    document,
    amount: "400000.00",
    currency: "MXN",
    payout: "CNY",
    tranches: "30:Shipped,40:CustomsCleared,30:Delivered",
    shipBy: day(14),
    objectionDays: 3,
    expires: day(60),
    importerFeeBps: 10,
    exporterFeeBps: 15,
  };
}

/**
 * Pearl's receivable for `POST /v1/scf/receivables`: 1,000.00 CNY to Shenzhen Glassworks under `invoice`, issued
 * yesterday, due in 30 days, with `day(n)` the date n days from the chain's now.
 */
export function pearlReceivableBody(
  supplier: string,
  invoice: string,
  day: (offset: number) => string,
  change: Record<string, unknown> = {},
) {
  return {
    supplier,
    face: "1000.00",
    currency: "CNY",
    maturity: day(30),
    invoices: [invoice],
    issueDate: day(-1),
    ...change,
  };
}

export interface Engine {
  name: "sqlite" | "postgres";
  /** A fresh, empty database's URL. */
  fresh(): Promise<string>;
  /** Drops the databases `fresh` made. */
  cleanup(): Promise<void>;
}

function postgres(admin: string): Engine {
  const made: string[] = [];
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  return {
    name: "postgres",
    async fresh() {
      const name = `tradeline_t_${randomBytes(6).toString("hex")}`;
      await run(`create database ${name}`);
      made.push(name);
      const url = new URL(admin);
      url.pathname = `/${name}`;
      return url.toString();
    },
    async cleanup() {
      for (const name of made.splice(0)) {
        // A session the test role may not end (e.g. autovacuum's, a superuser's) can hold the database for a moment:
        // the drop is tried again rather than failing the run over its own cleanup.
        for (let attempt = 1; ; attempt++) {
          try {
            await run(`drop database if exists ${name} with (force)`);
            break;
          } catch (err) {
            if (attempt >= 20 || !/pg_signal_backend|being accessed by other users/.test(String(err))) throw err;
            await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
          }
        }
      }
    },
  };
}

export function engines(): Engine[] {
  const sqlite: Engine = { name: "sqlite", fresh: async () => ":memory:", cleanup: async () => {} };
  const url = process.env.TRADELINE_TEST_PG_URL;
  if (url === undefined || url === "") {
    if (process.env.TRADELINE_TEST_SQLITE_ONLY === "1") return [sqlite];
    throw new Error(
      "TRADELINE_TEST_PG_URL is not set: run the tests with make test (it starts PostgreSQL), or set " +
        "TRADELINE_TEST_SQLITE_ONLY=1 for a SQLite-only run",
    );
  }
  return [sqlite, postgres(url)];
}

/**
 * A service on a free loopback port over `databaseUrl`, following `deployment` from genesis on the test's chain,
 * polling every 50 ms and logging nothing; `extra` adds or overrides options (a signer, a consortium key).
 */
export async function startTestService(
  provider: ServiceOptions["provider"],
  deployment: Deployment,
  databaseUrl: string,
  extra: Partial<ServiceOptions> = {},
): Promise<RunningService> {
  return startService({
    provider,
    chainId: Number((await provider.getNetwork()).chainId),
    deployment,
    fromBlock: 0,
    databaseUrl,
    dataDir: "",
    port: 0,
    pollMs: 50,
    logger: pino({ level: "silent" }),
    ...extra,
  });
}

/**
 * A fresh key, funded with 100 ETH by the governor and linked as an operator of cast member `who` (offered by its
 * admin, accepted by the key): a service's own
 * signer. An ethers Wallet picks its nonces itself, so only the service's submission queue keeps concurrent requests
 * from colliding.
 */
export async function serviceOperator(provider: Provider, world: World, who: string): Promise<Wallet> {
  const operator = new Wallet(Wallet.createRandom().privateKey, provider);
  await (await world.governor.sendTransaction({ to: operator.address, value: parseEther("100") })).wait();
  await (await world.contracts.members.connect(world.admins[who]).addOperator(world.ids[who], operator.address)).wait();
  await (await world.contracts.members.connect(operator).acceptOperatorOffer(world.ids[who])).wait();
  return operator;
}

/** A service reading `provider`, on in-memory SQLite, signing as cast member `who` of `world` (its admin key). */
export function memberService(
  provider: ServiceOptions["provider"],
  world: World,
  who: string,
): Promise<RunningService> {
  return startTestService(provider, world.deployment, ":memory:", {
    signer: world.admins[who],
    consortiumKey: async () => world.key,
  });
}

/**
 * Runs `body` with a service for each cast member in `who`, started as `memberService` starts them, and stops them all
 * after, whatever `body` did.
 */
export async function withMemberServices<T>(
  provider: ServiceOptions["provider"],
  world: World,
  who: readonly string[],
  body: (...services: RunningService[]) => Promise<T>,
): Promise<T> {
  const started: RunningService[] = [];
  try {
    for (const w of who) started.push(await memberService(provider, world, w));
    return await body(...started);
  } finally {
    for (const s of started) await s.stop();
  }
}

/** A token of `service` carrying the one role `role`, named after it. */
export async function roleToken(service: RunningService, role: ApiRole): Promise<string> {
  return (await createToken(service.database.db, role, parseRoles(role))).token;
}

/**
 * `provider` as the service sees it, with a switch that makes the node fail one kind of request: `eth_getLogs` sent
 * raw (the indexer stalls), or every `call` (a view times out). Everything else answers.
 */
export function flakyProvider(
  provider: ServiceOptions["provider"],
  fails: "eth_getLogs" | "call",
): { provider: ServiceOptions["provider"]; fail: (on: boolean) => void } {
  let failing = false;
  const target = provider as unknown as Record<string | symbol, unknown>;
  const proxy = new Proxy(target, {
    get(t, prop) {
      if (fails === "eth_getLogs" && prop === "send") {
        return async (method: string, params: unknown[]) => {
          if (failing && method === "eth_getLogs") throw new Error("log index unavailable");
          return (t.send as (m: string, p: unknown[]) => Promise<unknown>).call(t, method, params);
        };
      }
      if (fails === "call" && prop === "call") {
        return async (tx: unknown) => {
          if (failing) throw new Error("upstream request timeout");
          return (t.call as (x: unknown) => Promise<string>).call(t, tx);
        };
      }
      const v = Reflect.get(t, prop, t);
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  }) as unknown as ServiceOptions["provider"];
  return { provider: proxy, fail: (on) => (failing = on) };
}

/** A problem's or an answer's body, as the review tests read it. */
export interface ApiBody {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  errors?: { pointer: string; detail: string }[];
  /** A contract's refusal, decoded. */
  revert?: { name: string };
  txHashes?: string[];
  result?: Record<string, unknown>;
  id?: number;
}

/**
 * One request to a running service with `token`: its status, its body parsed as JSON (a text body as its `detail`)
 * and its text. `body` goes as JSON, or as it is when a string (a malformed body).
 */
export async function call(
  url: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: ApiBody; text: string }> {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: ApiBody = {};
  try {
    parsed = JSON.parse(text) as ApiBody;
  } catch {
    parsed = { detail: text };
  }
  return { status: res.status, body: parsed, text };
}

/** A fresh world whose debtor (Pearl) and bank (Pacific) hold 100,000.00 CNY each: what an SCF flow over HTTP pays. */
export async function scfWorld(connection: Parameters<typeof deployWorld>[0]): Promise<World> {
  const world = await deployWorld(connection);
  for (const who of ["pearl", "pacific"]) {
    await (await world.contracts.tokens.CNY.connect(world.issuer).mint(world.admins[who], 100_000_00n)).wait();
  }
  return world;
}

/** The result of a call that must answer `status` (its detail is the assertion's message). */
export async function expectOk(r: Promise<{ status: number; body: ApiBody }>, status = 200) {
  const a = await r;
  expect(a.status, a.body.detail).to.equal(status);
  return a.body.result!;
}

/**
 * Pearl's CNY credit line at Pacific over HTTP, as their desks open it: Pearl (`pearl`, a supply-chain desk's token on
 * its service) chooses Pacific, and Pacific (`bank`, a bank-treasury token) sets a 50,000.00 limit.
 */
export async function openPearlLineAtPacific(
  services: Record<string, RunningService>,
  world: World,
  pearl: string,
  bank: string,
): Promise<void> {
  const line = { currency: "CNY", financier: Number(world.ids.pacific) };
  await expectOk(call(services.pearl.url, pearl, "POST", "/v1/scf/credit-lines", line));
  await expectOk(
    call(services.pacific.url, bank, "POST", "/v1/scf/credit-lines", {
      currency: "CNY",
      debtor: Number(world.ids.pearl),
      limit: "50000.00",
    }),
  );
}

/**
 * A fresh receivable of Pearl's held by Glassworks, issued over HTTP (`pearl`: Pearl's supply-chain desk token on its
 * service) on invoice `invoice`, and Pacific's signed quote for it from the bank's quote endpoint (`bank`: Pacific's
 * bank-treasury token), at 6% for `validFor` seconds.
 */
export async function quotedReceivable(
  services: Record<string, RunningService>,
  world: World,
  tokens: { pearl: string; bank: string },
  invoice: string,
  validFor = 86_400,
): Promise<{ root: string; signed: { quote: Record<string, unknown>; signature: string } }> {
  const latest = (await world.contracts.scf.runner!.provider!.getBlock("latest"))!.timestamp;
  const day = (offset: number) => new Date((latest + offset * 86_400) * 1000).toISOString().slice(0, 10);
  const body = pearlReceivableBody(world.admins.glassworks.address, invoice, day);
  const issued = await expectOk(call(services.pearl.url, tokens.pearl, "POST", "/v1/scf/receivables", body), 201);
  const root = issued.id as string;
  const quote = { rateBps: 600, validFor };
  const path = `/v1/scf/receivables/${root}/quotes`;
  const r = (await expectOk(call(services.pacific.url, tokens.bank, "POST", path, quote), 201)) as unknown as {
    quote: Record<string, unknown>;
    signature: string;
  };
  return { root, signed: { quote: r.quote, signature: r.signature } };
}

/**
 * Services for the glassware order's parties (each member's service with one desk's token) and an order funded with
 * its Shipped evidence signed, labelled `po`: what a relay of that evidence needs.
 */
export async function shippedOrder(provider: ServiceOptions["provider"], world: World, po: string) {
  const services: Record<string, RunningService> = {};
  const tokens: Record<string, string> = {};
  const role = {
    cristal: "importer",
    glassworks: "exporter",
    golfo: "bank-treasury",
    huaxia: "bank-treasury",
    carrier: "operator",
    pacific: "bank-treasury",
  };
  for (const [who, r] of Object.entries(role)) {
    services[who] = await startTestService(provider, world.deployment, ":memory:", {
      signer: world.admins[who],
      consortiumKey: async () => world.key,
    });
    tokens[who] = (await createToken(services[who].database.db, who, parseRoles(r))).token;
  }
  const post = (who: string, path: string, body: unknown, token = tokens[who]) =>
    call(services[who].url, token, "POST", path, body);
  const ok = async (who: string, path: string, body: unknown, status = 200, token = tokens[who]) => {
    const r = await post(who, path, body, token);
    expect(r.status, `${path}: ${r.text}`).to.equal(status);
    return r.body.result as Record<string, unknown>;
  };
  const stop = async () => {
    for (const s of Object.values(services)) await s.stop();
  };
  try {
    const latest = (await provider.getBlock("latest"))!.timestamp;
    const day = (offset: number) => new Date((latest + offset * 86_400) * 1000).toISOString().slice(0, 10);
    const id = (await ok("cristal", "/v1/trade/orders", glasswareOrderBody(world.ids, po, day), 201)).id as string;
    await ok("glassworks", `/v1/trade/orders/${id}/accept`, {});
    await ok("golfo", `/v1/trade/orders/${id}/fund`, {});
    const attestation = await ok(
      "carrier",
      `/v1/trade/orders/${id}/attestations`,
      { kind: "Shipped", document: `bill of lading ${po}` },
      201,
    );
    /** Huaxia's signed quote for the order's payee at `rate` CNY per MXN. */
    const quoteAt = async (rate: string) => {
      const q = await ok(
        "huaxia",
        `/v1/trade/orders/${id}/fx-quotes`,
        { sell: "MXN", buy: "CNY", rate, max: "400000.00", validFor: 3600 },
        201,
      );
      return { quote: q.quote, signature: q.signature };
    };
    const relay = { kind: "Shipped", document: `bill of lading ${po}`, attestations: [attestation] };
    const paid = async () =>
      (await world.contracts.trade.queryFilter(world.contracts.trade.filters.TranchePaid(BigInt(id)))).length;
    return { services, post, ok, stop, id, quoteAt, relay, paid };
  } catch (err) {
    await stop();
    throw err;
  }
}
