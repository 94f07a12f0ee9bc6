/**
 * The service as processes: a `hardhat node`, the Ignition deployment with the demo's world, and the `serve` task,
 * driven over HTTP (test/service/process.ts). On each engine: catching up, a read against the chain's view, a crash
 * and restart while the chain moves on, a reorganisation made with evm_snapshot/evm_revert, and starts that must be
 * refused; and the write round trips (credit, supply-chain finance, trade), each party's own service signing with its
 * own key, read back once indexed. Waits poll with generous limits; no assertion is about time.
 */
import { randomInt } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { followedContracts } from "../../service/indexer.js";
import { openDatabase } from "../../service/db.js";
import { parseAmount } from "../../src/encoding.js";
import { parseReceivable } from "../../src/scf.js";
import { borrowerKey } from "../../src/keys.js";
import { ORDER_STATES, evidenceNames } from "../../src/trade.js";
import { verifiedConsortiumKey } from "../../src/members.js";
import { sampleLoan } from "../../scripts/lib/loans.js";
import {
  Child,
  devAccountKey,
  freePort,
  portTaken,
  waitFor,
  type Exit,
  type WorldRecord,
} from "../../scripts/lib/local-network.js";
import { CAST } from "../../scripts/lib/cast.js";
import { API_ROLES } from "../../service/auth.js";

import { TRADE_PARTIES, engines, glasswareOrderBody } from "./engines.js";
import { startOutcome, startStack, strangersRecord, type ServiceProcess, type Stack } from "./process.js";

/** The demo's multi-borrowing borrower (scripts/lib/demo-world.ts, chapter 2). */
const DEMO_BORROWER = { idType: "USCC", idNumber: "91990000SYNTH00003" };

interface ExposureBody {
  activeLoans: number;
  activeLenders: number;
  outstanding: string;
  defaults: number;
  inquiries: number;
}

describe("service as processes: hardhat node, Ignition, the serve task, over HTTP", function () {
  this.timeout(300_000);
  let stack: Stack;
  const stores = engines();

  before(async function () {
    stack = await startStack({ seed: true });
  });
  after(async function () {
    await stack?.stop();
    for (const store of stores) await store.cleanup();
  });

  /** A second deployment on the same chain, made once for both engines. */
  let second: Promise<string> | undefined;
  const secondDeployment = () => (second ??= stack.deployAgain());

  /** Every log the followed contracts emitted from the deployment's first block to `head`, on the chain. */
  async function chainLogs(head: number): Promise<{ transactionHash: string }[]> {
    const addresses = followedContracts(stack.deployment).map((f) => f.address);
    return stack.provider.send("eth_getLogs", [
      { address: addresses, fromBlock: "0x0", toBlock: `0x${head.toString(16)}` },
    ]);
  }

  /** The rows of the read model's events table, and its checkpoint. */
  async function readModel(database: string) {
    const { db, close } = openDatabase(database, database);
    try {
      const events = await db.selectFrom("events").select(["block_hash", "log_index", "tx_hash"]).execute();
      const checkpoint = await db.selectFrom("checkpoints").selectAll().executeTakeFirst();
      return { events, checkpoint };
    } finally {
      await close();
    }
  }

  /** The read model's events compared with the chain's logs: the same number, and no (block, log index) twice. */
  async function expectEventsMatchChain(database: string, head: number) {
    const [logs, model] = [await chainLogs(head), await readModel(database)];
    const keys = new Set(model.events.map((e) => `${e.block_hash}:${e.log_index}`));
    expect(keys.size, "distinct events").to.equal(model.events.length);
    expect(model.events.length, "events in the read model vs logs on the chain").to.equal(logs.length);
    expect(Number(model.checkpoint?.block_number)).to.equal(head);
    return model;
  }

  async function exposureOnChain(key: string): Promise<ExposureBody> {
    const e = await stack.contracts.credit.exposureOf(key);
    return {
      activeLoans: Number(e.activeLoans),
      activeLenders: Number(e.activeLenders),
      outstanding: e.outstanding.toString(),
      defaults: Number(e.defaults),
      inquiries: Number(e.inquiries),
    };
  }

  async function exposureOverHttp(service: ServiceProcess, key: string, token: string): Promise<ExposureBody> {
    const { status, body } = await service.get(`/v1/credit/borrowers/${key}/exposure`, token);
    expect(status, JSON.stringify(body)).to.equal(200);
    const b = body as ExposureBody;
    return {
      activeLoans: b.activeLoans,
      activeLenders: b.activeLenders,
      outstanding: b.outstanding,
      defaults: b.defaults,
      inquiries: b.inquiries,
    };
  }

  /** Dates (YYYY-MM-DD, UTC) `offset` days from the chain's latest block: the chain's time, not this machine's. */
  async function chainDay(): Promise<(offset: number) => string> {
    const latest = (await stack.provider.getBlock("latest"))!.timestamp;
    return (offset) => new Date((latest + offset * 86_400) * 1000).toISOString().slice(0, 10);
  }

  /** The issuer mints CNY to the glassworks, one transaction after another, until `stop` is called. */
  function mintStream(): { stop: () => Promise<number> } {
    let running = true;
    let sent = 0;
    const loop = (async () => {
      const issuer = await stack.provider.getSigner(stack.world.issuer);
      const cny = stack.contracts.tokens.CNY.connect(issuer);
      while (running) {
        await (await cny.mint(stack.world.members.glassworks.admin, parseAmount("10.00", 2))).wait();
        sent += 1;
      }
    })();
    return {
      stop: async () => {
        running = false;
        await loop;
        return sent;
      },
    };
  }

  for (const store of stores) {
    describe(`on ${store.name}`, function () {
      let database: string;
      let token: string;
      let service: ServiceProcess;

      before(async function () {
        database = store.name === "sqlite" ? stack.sqliteFile() : await store.fresh();
        token = await stack.createToken(database, "e2e lender desk", ["lender-desk", "regulator"]);
      });
      after(async function () {
        await service?.stop();
      });

      it("test_serve_catchesUp_healthzShowsTheChainHeadIndexed", async function () {
        service = await stack.startService(database);
        await service.caughtUp();
        const head = await stack.provider.getBlockNumber();
        const health = await service.health();
        expect(health.chainHead).to.equal(head);
        expect(health.indexedHead).to.equal(head);
        expect(health.lag).to.equal(0);
        await expectEventsMatchChain(database, head);
      });

      it("test_serve_readsTheSeededWorld_exposureEqualsExposureOf", async function () {
        const checked = await verifiedConsortiumKey(stack.contracts.members, stack.consortiumKey);
        const key = borrowerKey(checked, DEMO_BORROWER.idType, DEMO_BORROWER.idNumber);
        const onChain = await exposureOnChain(key);
        expect(onChain.activeLoans, "the demo's borrower has loans").to.be.greaterThan(1);
        expect(onChain.defaults, "and a default").to.be.greaterThan(0);
        expect(await exposureOverHttp(service, key, token)).to.deep.equal(onChain);
        const members = await service.get("/v1/members", token);
        expect(members.status).to.equal(200);
        expect((members.body as unknown[]).length).to.equal(Number(await stack.contracts.members.memberCount()));
      });

      it("test_serve_killedMidStream_restartsFromItsCheckpointAndCatchesUp", async function () {
        const stream = mintStream();
        try {
          const start = (await service.health()).indexedHead;
          // Let it index some of the stream, then crash it (SIGKILL: no clean stop) while blocks keep coming.
          await waitFor("the service to index part of the stream", async () =>
            (await service.health()).indexedHead >= start + 3 ? true : undefined,
          );
          await service.stop("SIGKILL");
          const saved = (await readModel(database)).checkpoint;
          expect(Number(saved?.block_number)).to.be.at.least(start + 3);
          // The chain moves on while the service is down.
          const down = await stack.provider.getBlockNumber();
          await waitFor("more blocks while the service is down", async () =>
            (await stack.provider.getBlockNumber()) >= down + 3 ? true : undefined,
          );
          service = await stack.startService(database);
          // Its first answer already stands at the checkpoint: it resumed, it did not start over.
          expect((await service.health()).indexedHead).to.be.at.least(Number(saved?.block_number));
        } finally {
          expect(await stream.stop()).to.be.greaterThan(3);
        }
        await service.caughtUp();
        const head = await stack.provider.getBlockNumber();
        await expectEventsMatchChain(database, head);
        // The derived balance too: a batch projected twice (or skipped) would show here.
        const { db, close } = openDatabase(database, database);
        try {
          const glassworks = stack.world.members.glassworks.admin.toLowerCase();
          const rows = await db.selectFrom("balances").selectAll().where("currency", "=", "CNY").execute();
          const row = rows.find((r) => r.account.toLowerCase() === glassworks);
          const onChain = await stack.contracts.tokens.CNY.balanceOf(stack.world.members.glassworks.admin);
          expect(row?.balance).to.equal(onChain.toString());
        } finally {
          await close();
        }
      });

      it("test_serve_reorgOnTheNode_dropsTheRevertedRowsAndMatchesTheChain", async function () {
        const checked = await verifiedConsortiumKey(stack.contracts.members, stack.consortiumKey);
        const idNumber = `99${Date.now().toString().padStart(15, "0")}X`;
        const key = borrowerKey(checked, "CN-RIC", idNumber);
        const snapshot = await stack.provider.send("evm_snapshot", []);
        const lender = await stack.signer("huaxia");
        const registration = await stack.contracts.credit
          .connect(lender)
          .registerLoan(sampleLoan(checked, { loanRef: `E2E-${store.name}`, idNumber }));
        const receipt = await registration.wait();
        await service.caughtUp();
        expect((await exposureOverHttp(service, key, token)).activeLoans, "the loan is indexed").to.equal(1);
        const abandonedHead = await stack.provider.getBlockNumber();

        expect(await stack.provider.send("evm_revert", [snapshot])).to.equal(true);
        // A different history, longer than the abandoned one: other transactions, then empty blocks.
        const stream = mintStream();
        await waitFor("the new history to pass the abandoned head", async () =>
          (await stack.provider.getBlockNumber()) > abandonedHead + 2 ? true : undefined,
        );
        await stream.stop();
        await service.caughtUp();

        const head = await stack.provider.getBlockNumber();
        const model = await expectEventsMatchChain(database, head);
        expect(model.events.map((e) => e.tx_hash)).not.to.include(receipt!.hash);
        expect(model.checkpoint?.block_hash).to.equal((await stack.provider.getBlock(head))!.hash);
        const onChain = await exposureOnChain(key);
        expect(onChain.activeLoans).to.equal(0);
        expect(await exposureOverHttp(service, key, token)).to.deep.equal(onChain);
      });

      it("test_serve_wrongConsortiumKey_refusesToStartAndTouchesNoDatabase", async function () {
        const untouched = store.name === "sqlite" ? stack.sqliteFile() : undefined;
        const start = await stack.serviceProcess(untouched ?? database, { consortiumKey: `0x${"ab".repeat(32)}` });
        const outcome = await startOutcome(start);
        expect(outcome).to.not.equal("listening");
        expect((outcome as Exit).code).to.not.equal(0);
        expect(start.child.tail()).to.match(/^error: consortium key mismatch: this deployment's key check is 0x/m);
        if (untouched !== undefined) expect(existsSync(untouched), "no database made").to.equal(false);
      });

      it("test_serve_anotherDeploymentsDatabase_orAnotherChainsRecord_refusesToStart", async function () {
        await service?.stop();
        // The same chain, another deployment: this database indexes the first one.
        const other = await stack.serviceProcess(database, { deploymentFile: await secondDeployment() });
        expect(await startOutcome(other)).to.deep.include({ code: 1 });
        expect(other.child.tail()).to.match(/^error: this database indexes another deployment on chain 31337/m);
        // A record whose contracts this chain does not have.
        const stranger = await stack.serviceProcess(stack.sqliteFile(), {
          deploymentFile: await strangersRecord(stack.dir),
        });
        expect(await startOutcome(stranger)).to.deep.include({ code: 1 });
        expect(stranger.child.tail()).to.match(/^error: no contract at 0x[0-9a-fA-F]{40} on chain 31337/m);
        // The database of the first deployment still serves it.
        service = await stack.startService(database);
        await service.caughtUp();
        await expectEventsMatchChain(database, await stack.provider.getBlockNumber());
      });

      it("test_serve_writes_creditAndScf_sentIndexedAndReadBack_idempotent_concurrent", async function () {
        // Each member runs its own service, signing with its own key: QuickLend's desk and Pearl's.
        const lenderDb = store.name === "sqlite" ? stack.sqliteFile() : await store.fresh();
        const pearlDb = store.name === "sqlite" ? stack.sqliteFile() : await store.fresh();
        const lenderToken = await stack.createToken(lenderDb, "quicklend desk", ["lender-desk"]);
        const pearlToken = await stack.createToken(pearlDb, "pearl desk", ["supply-chain-desk"]);
        const lender = await stack.startService(lenderDb, { operator: "quicklend" });
        const pearl = await stack.startService(pearlDb, { operator: "pearl" });
        try {
          const tag = store.name.slice(0, 2).toUpperCase();
          const loan = (i: number) => ({
            borrowerType: "CN-RIC",
            borrowerId: `11010119900406${store.name.length}${String(i).padStart(3, "0")}`,
            ref: `E2E-${tag}-${i}`,
            principal: "9000.00",
            originated: "2026-03-01",
            matures: "2027-03-01",
          });
          // A retried request with its Idempotency-Key: the first answer, one transaction.
          const key = { "idempotency-key": `e2e-${tag}-0` };
          const first = await lender.post("/v1/credit/loans", lenderToken, loan(0), key);
          expect(first.status, JSON.stringify(first.body)).to.equal(201);
          const block = await stack.provider.getBlockNumber();
          const retry = await lender.post("/v1/credit/loans", lenderToken, loan(0), key);
          expect([retry.status, retry.headers.get("idempotent-replayed")]).to.deep.equal([201, "true"]);
          expect(retry.body).to.deep.equal(first.body);
          expect(await stack.provider.getBlockNumber()).to.equal(block);
          // Six at once from one key: every one lands, each its own transaction.
          const many = await Promise.all(
            [1, 2, 3, 4, 5, 6].map((i) => lender.post("/v1/credit/loans", lenderToken, loan(i))),
          );
          expect(many.map((m) => m.status)).to.deep.equal([201, 201, 201, 201, 201, 201]);
          const hashes = many.map((m) => (m.body as { txHashes: string[] }).txHashes[0]);
          expect(new Set(hashes).size).to.equal(6);
          // Indexed, then read back: the exposure the chain computes.
          await lender.caughtUp();
          const checked = await verifiedConsortiumKey(stack.contracts.members, stack.consortiumKey);
          for (const i of [0, 3, 6]) {
            const k = borrowerKey(checked, "CN-RIC", loan(i).borrowerId);
            expect(await exposureOverHttp(lender, k, lenderToken)).to.deep.equal(await exposureOnChain(k));
          }

          // Pearl issues a receivable to its supplier; its service indexes it; the family reads as the chain's.
          const day = await chainDay();
          const issued = await pearl.ok(
            "/v1/scf/receivables",
            pearlToken,
            {
              supplier: stack.world.members.glassworks.admin,
              face: "500.00",
              currency: "CNY",
              maturity: day(60),
              invoices: [`E2E-${tag}-INV`],
              issueDate: day(-1),
            },
            201,
          );
          const id = issued.id as string;
          await pearl.caughtUp();
          const tree = await pearl.get(`/v1/scf/receivables/${id}/family`, pearlToken);
          expect(tree.status).to.equal(200);
          const family = await stack.contracts.scf.getFamily(parseReceivable(id));
          const body = tree.body as { debtor: number; face: string; state: string };
          expect([BigInt(body.debtor), body.face, body.state]).to.deep.equal([
            family.debtor,
            family.face.toString(),
            "Confirmed",
          ]);
        } finally {
          await lender.stop();
          await pearl.stop();
        }
      });

      it("test_serve_writes_trade_createdFundedEvidencedPaid_indexedAndReadBack", async function () {
        // Each party's own service, signing with its own key. The exporter's reads, on the engine under test; the
        // others only write, on SQLite files (five services at once on a shared machine).
        const parties = TRADE_PARTIES;
        const services: Record<string, ServiceProcess> = {};
        const tokens: Record<string, string> = {};
        const { members } = stack.world;
        const { trade } = stack.contracts;
        try {
          for (const [who, role] of parties) {
            const db = who === "glassworks" && store.name !== "sqlite" ? await store.fresh() : stack.sqliteFile();
            tokens[who] = await stack.createToken(db, `${who} desk`, [role]);
            services[who] = await stack.startService(db, { operator: who });
          }
          const ok = (who: string, route: string, body: unknown, status?: number) =>
            services[who].ok(route, tokens[who], body, status);
          // The importer's bank is given the MXN this order locks: the test rests on no leftover of the demo's orders.
          const issuer = await stack.provider.getSigner(stack.world.issuer);
          const amount = parseAmount("400000.00", 2);
          await (await stack.contracts.tokens.MXN.connect(issuer).mint(members.golfo.admin, amount)).wait();
          // The FX provider pays the tranche from its CNY, which the seed let the escrow draw (fundGlasswareParties).
          const cny = stack.contracts.tokens.CNY;
          // Tranche 1: 30% of the amount, less the banks' 10 + 15 bps, at 0.38 CNY per MXN.
          const gross = (amount * 30n) / 100n;
          const payout = ((gross - (gross * 25n) / 10_000n) * 38n) / 100n;
          expect(await cny.allowance(members.huaxia.admin, await trade.getAddress())).to.be.at.least(payout);
          expect(await cny.balanceOf(members.huaxia.admin)).to.be.at.least(payout);

          const tag = store.name.slice(0, 2).toUpperCase();
          const day = await chainDay();
          const order = glasswareOrderBody(
            { glassworks: members.glassworks.id, golfo: members.golfo.id, huaxia: members.huaxia.id },
            `PO E2E-${tag}-0042`,
            day,
          );
          // Refused before anything is sent: the exporter cannot create, a bad tranche list is a 400.
          const block = await stack.provider.getBlockNumber();
          const byExporter = await services.glassworks.post("/v1/trade/orders", tokens.glassworks, order);
          expect(byExporter.status, JSON.stringify(byExporter.body)).to.equal(403);
          const badTranches = await services.cristal.post("/v1/trade/orders", tokens.cristal, {
            ...order,
            tranches: "30:Shipped,40:Teleported",
          });
          const problem = badTranches.body as { errors?: { pointer: string }[] };
          expect([badTranches.status, problem.errors?.[0].pointer]).to.deep.equal([400, "/tranches"]);
          expect(await stack.provider.getBlockNumber()).to.equal(block);

          const created = await ok("cristal", "/v1/trade/orders", order, 201);
          expect(created).to.include({ currency: "MXN", payout: "CNY", tranches: 3 });
          const id = created.id as string;
          await ok("glassworks", `/v1/trade/orders/${id}/accept`, {});
          await ok("glassworks", `/v1/trade/orders/${id}/fx-terms`, {
            provider: Number(members.huaxia.id),
            minRate: "0.37",
          });
          expect(await ok("golfo", `/v1/trade/orders/${id}/fund`, {})).to.include({
            amount: "400000.00",
            currency: "MXN",
          });
          const document = `bill of lading E2E-${tag}-88121`;
          const attestation = await ok(
            "carrier",
            `/v1/trade/orders/${id}/attestations`,
            { kind: "Shipped", document },
            201,
          );
          const quote = await ok(
            "huaxia",
            `/v1/trade/orders/${id}/fx-quotes`,
            { sell: "MXN", buy: "CNY", rate: "0.38", max: "400000.00", validFor: 3600 },
            201,
          );
          const relayed = await ok("huaxia", `/v1/trade/orders/${id}/evidence`, {
            kind: "Shipped",
            document,
            attestations: [attestation],
            quote: { quote: quote.quote, signature: quote.signature },
          });
          const payments = relayed.payments as { tranche: string; uetr: string; payout: string }[];
          expect(payments.map((p) => [p.tranche, p.payout])).to.deep.equal([["1", payout.toString()]]);

          // The exporter's service indexes it; its read is the chain's order, escrow and TranchePaid events.
          await services.glassworks.caughtUp();
          const { status, body } = await services.glassworks.get(`/v1/trade/orders/${id}`, tokens.glassworks);
          expect(status, JSON.stringify(body)).to.equal(200);
          const read = body as {
            state: string;
            amount: string;
            payments: { gross: string }[];
            trancheDetails: { tranche: number; shareBps: number; evidence: string[]; awaiting: string[] }[];
          };
          const onChain = await trade.getOrder(BigInt(id));
          expect(read.state).to.equal(ORDER_STATES[Number(onChain.state)]).and.to.equal("Funded");
          const tranches = onChain.tranches.map((t, i) => ({
            tranche: i + 1,
            shareBps: Number(t.shareBps),
            evidence: evidenceNames(t.evidence),
            awaiting: evidenceNames(Number(t.evidence) & ~Number(onChain.evidenceDone)),
            settled: ((Number(onChain.settledTranches) >> i) & 1) === 1,
          }));
          expect(read.trancheDetails).to.deep.equal(tranches);
          expect(tranches.map((t) => [t.settled, t.awaiting])).to.deep.equal([
            [true, []],
            [false, ["CustomsCleared"]],
            [false, ["Delivered"]],
          ]);
          const escrow = await trade.escrowOf(BigInt(id));
          expect(escrow).to.equal((amount * 70n) / 100n);
          const paidOut = read.payments.reduce((sum, p) => sum + BigInt(p.gross), 0n);
          expect(BigInt(read.amount) - paidOut).to.equal(escrow);
          const paid = await trade.queryFilter(trade.filters.TranchePaid(BigInt(id)));
          const fromEvents = await Promise.all(
            paid.map(async (e) => ({
              tranche: String(Number(e.args.tranche) + 1),
              at: (await e.getBlock()).timestamp,
              txHash: e.transactionHash,
              account: e.args.beneficiary,
              uetr: e.args.uetr,
              endToEndId: e.args.endToEndId,
              gross: e.args.gross.toString(),
              importerBankFee: e.args.importerBankFee.toString(),
              exporterBankFee: e.args.exporterBankFee.toString(),
              payout: e.args.payout.toString(),
              rate: e.args.rate.toString(),
              fxProvider: e.args.fxProvider,
              quoteNonce: e.args.quoteNonce.toString(),
            })),
          );
          expect(read.payments).to.deep.equal(fromEvents);
          expect(fromEvents.map((p) => p.payout)).to.deep.equal([payments[0].payout]);
          const xml = await services.glassworks.get(
            `/v1/trade/payments/${payments[0].uetr}/pacs008?format=xml`,
            tokens.glassworks,
          );
          expect(xml.status).to.equal(200);
          expect(xml.body).to.include(`<UETR>${payments[0].uetr}</UETR>`);
        } finally {
          for (const s of Object.values(services)) await s.stop();
        }
      });
    });
  }
});

/** The members make up SEED=demo runs a service for, in its ports' order, and the roles of their tokens. */
const UP_DEMO_DESKS: [string, string[]][] = [
  ["huaxia", ["lender-desk", "bank-treasury"]],
  ["golfo", ["bank-treasury", "lender-desk"]],
  ["glassworks", ["exporter", "supply-chain-desk"]],
  ["cristal", ["importer"]],
  ["carrier", ["operator"]],
  ["customs", ["operator"]],
  ["pearl", ["supply-chain-desk"]],
  ["silica", ["supply-chain-desk"]],
  ["regulator", ["regulator", "operator"]],
  ["precision", ["supply-chain-desk"]],
];

/** What make up writes to <dataDir>/desks.json. */
interface Desk {
  member: string;
  name: string;
  url: string;
  tokens: Record<string, string>;
}

/**
 * `count` consecutive ports nobody listens on now, none of them `avoid`; below the OS's range of ephemeral ports,
 * where the services' own connections to the node (and other processes') would take one before it is bound.
 */
async function freePorts(count: number, avoid: number): Promise<number> {
  let ephemeral = 32_768; // Linux's default lower bound, where /proc does not say (another OS)
  try {
    ephemeral = Number(/^\d+/.exec(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8"))?.[0] ?? ephemeral);
  } catch {
    // not Linux: the default
  }
  for (;;) {
    const base = 20_000 + randomInt(Math.max(1, ephemeral - 20_000 - count));
    const ports = Array.from({ length: count }, (_, i) => base + i);
    if (ports.includes(avoid)) continue;
    if (!(await Promise.all(ports.map(portTaken))).some(Boolean)) return base;
  }
}

/** make up as a process, in a temp folder of its own, once it has printed that it is up. */
async function startUp(seed: "" | "demo") {
  const dir = await mkdtemp(path.join(tmpdir(), "tradeline-up-"));
  const dataDir = path.join(dir, "data");
  const nodePort = await freePort();
  const apiPort = await freePorts(seed === "demo" ? UP_DEMO_DESKS.length : 1, nodePort);
  const log = path.join(dir, "up.log");
  const up = new Child("make up", log, ["run", "--no-compile", "scripts/up.ts"], {
    TRADELINE_UP_NODE_PORT: String(nodePort),
    TRADELINE_UP_PORT: String(apiPort),
    // A folder inside: make up empties its own folder first.
    TRADELINE_UP_DATA: dataDir,
    TRADELINE_UP_SEED: seed,
    // Under --coverage the artifacts are instrumented: make up's node must lift the size limit too.
    ...(process.env.HARDHAT_COVERAGE === "true" ? { TRADELINE_NODE_COVERAGE: "1" } : {}),
  });
  const cleanUp = async () => {
    await up.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const text = await waitFor(
      "make up to print its tokens",
      async () => {
        const t = readFileSync(log, "utf8");
        return t.includes("Ctrl-C stops") ? t : undefined;
      },
      { child: up, timeoutMs: 900_000 },
    );
    const desks = JSON.parse(readFileSync(path.join(dataDir, "desks.json"), "utf8")) as Desk[];
    return { up, text, desks, dataDir, nodePort, apiPort, cleanUp };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}

describe("make up (scripts/up.ts), as a process", function () {
  this.timeout(300_000);

  it("test_up_printsATokenPerRoleThatWorks_noSecret_andSigtermStopsTheNodeAndTheService", async function () {
    const { up, text, desks, nodePort, apiPort, cleanUp } = await startUp("");
    try {
      const tokens = Object.fromEntries([...text.matchAll(/^ {2}([a-z-]+) +(tl_\S+)/gm)].map((m) => [m[1], m[2]]));
      expect(Object.keys(tokens)).to.have.members([...API_ROLES]);
      const api = `http://127.0.0.1:${apiPort}`;
      // desks.json says the same: one service, the printed tokens.
      expect(desks.map((d) => [d.url, d.tokens])).to.deep.equal([[api, tokens]]);
      expect(text)
        .to.include(`${api}/docs`)
        .and.include(`${api}/openapi.json`)
        .and.include(`${api}/healthz`)
        .and.include(`${api}/metrics`);
      // No key is printed: neither the operator's nor the consortium's (the only 32-byte hex it could print).
      expect(text).not.to.include(devAccountKey(0).slice(2));
      expect(text).not.to.match(/[0-9a-f]{64}/i);
      const flags = (token: string) =>
        fetch(`${api}/v1/regulator/flags`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
      expect(await flags(tokens.regulator)).to.equal(200);
      expect(await flags(tokens["lender-desk"])).to.equal(403);
      expect((await fetch(`${api}/healthz`)).status).to.equal(200);

      // SIGTERM to make up's own process only: it must stop the node and the service it started.
      process.kill(up.pid, "SIGTERM");
      const exit = await up.exited;
      expect(exit.code, up.tail()).to.equal(0);
      expect(await portTaken(nodePort), "the node still listens").to.equal(false);
      expect(await portTaken(apiPort), "the service still listens").to.equal(false);
    } finally {
      await cleanUp();
    }
  });

  it("test_up_seedDemo_aServicePerMemberSigningAsItsAdmin_tokensOwnMemberOnly_aDeathStopsAll", async function () {
    this.timeout(1_200_000);
    const { up, text, desks, dataDir, nodePort, apiPort, cleanUp } = await startUp("demo");
    try {
      const world = JSON.parse(readFileSync(path.join(dataDir, "world.json"), "utf8")) as WorldRecord;
      // The members, in their ports' order from API_PORT on, with their names and their desks' roles.
      expect(desks.map((d) => [d.member, d.url, Object.keys(d.tokens)])).to.deep.equal(
        UP_DEMO_DESKS.map(([member, roles], i) => [member, `http://127.0.0.1:${apiPort + i}`, roles]),
      );
      for (const d of desks) {
        expect(d.name).to.equal(CAST.find((m) => m.key === d.member)?.name);
        // The banner lists each member, its console's URL and its tokens.
        expect(text).to.include(d.name).and.include(`${d.url}/`);
        for (const token of Object.values(d.tokens)) expect(text).to.include(token);
      }
      // No key is printed: no admin's, no consortium key (the only 32-byte hex it could print).
      expect(text).not.to.match(/[0-9a-f]{64}/i);

      const me = async (url: string, token: string) => {
        const r = await fetch(`${url}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
        return {
          status: r.status,
          body: (await r.json()) as { roles: string[]; signer?: string; member?: { id: number } },
        };
      };
      for (const d of desks) {
        const record = world.members[d.member];
        for (const [role, token] of Object.entries(d.tokens)) {
          // The member is known once the service's read model has indexed it: polled, with waitFor's limits.
          const body = await waitFor(`${d.member}'s /v1/me to name its member`, async () => {
            const answer = await me(d.url, token);
            return answer.status === 200 && answer.body.member !== undefined ? answer.body : undefined;
          });
          expect(body.roles, `${d.member} ${role}`).to.deep.equal([role]);
          expect(body.signer, `${d.member}'s signer`).to.equal(record.admin.toLowerCase());
          expect(body.member!.id, `${d.member}'s member id`).to.equal(Number(record.id));
        }
      }
      // A token is its own member's: every other member's service refuses it.
      for (const [i, d] of desks.entries()) {
        const token = Object.values(d.tokens)[0];
        for (const other of desks.filter((_, j) => j !== i)) {
          expect((await me(other.url, token)).status, `${d.member}'s token at ${other.member}'s service`).to.equal(401);
        }
      }

      // One service dies (SIGKILL, as a crash): make up says which, and stops the node and every other service.
      const carrierLog = readFileSync(path.join(dataDir, "service-carrier.log"), "utf8");
      const pid = Number(/"pid":(\d+)/.exec(carrierLog)?.[1]);
      expect(pid, "the carrier service's pid in its log").to.be.greaterThan(0);
      process.kill(pid, "SIGKILL");
      const exit = await waitFor("make up to stop after the carrier's service died", async () => up.exit);
      expect(exit.code, up.tail()).to.equal(1);
      expect(up.tail(30)).to.include("the service of carrier stopped (signal SIGKILL)");
      expect(await portTaken(nodePort), "the node still listens").to.equal(false);
      for (const d of desks) {
        expect(await portTaken(Number(new URL(d.url).port)), `${d.member}'s service still listens`).to.equal(false);
      }
    } finally {
      await cleanUp();
    }
  });
});
