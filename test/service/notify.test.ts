import { randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";

import { expect } from "chai";
import { network } from "hardhat";
import pino from "pino";

import { runDemo } from "../../scripts/lib/demo-world.js";
import { actAs, deployWorld } from "../../scripts/lib/world.js";
import { createToken, parseRoles } from "../../service/auth.js";
import { startService, type RunningService } from "../../service/server.js";
import { verifyWebhookSignature } from "../../service/webhook-signature.js";
import { register } from "../../tasks/lib/credit.js";

import { engines } from "./engines.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

type Frame = { comment: string } | { event: string; id: string; data: Record<string, unknown> };
type Note = { event: string; id: string; data: Record<string, unknown> };

/** An SSE client reading frames (events and comments) one at a time. */
async function openStream(url: string, token: string, lastEventId?: string) {
  const abort = new AbortController();
  const res = await fetch(url + "/v1/stream", {
    headers: {
      authorization: `Bearer ${token}`,
      ...(lastEventId === undefined ? {} : { "last-event-id": lastEventId }),
    },
    signal: abort.signal,
  });
  const reader = (res.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  async function next(): Promise<Frame> {
    for (;;) {
      const end = buffer.indexOf("\n\n");
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (block.startsWith(":")) return { comment: block.slice(1).trim() };
        const fields = Object.fromEntries(
          block.split("\n").map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trimStart()]),
        );
        return { event: fields.event, id: fields.id, data: JSON.parse(fields.data) as Record<string, unknown> };
      }
      const { value, done } = await reader.read();
      if (done) throw new Error("the stream ended");
      buffer += value;
    }
  }
  /** The notifications up to the first comment `stop` accepts (the heartbeats are not counted). */
  async function until(stop: (comment: string) => boolean): Promise<Note[]> {
    const notes: Note[] = [];
    for (;;) {
      const f = await next();
      if ("comment" in f) {
        if (stop(f.comment)) return notes;
      } else notes.push(f);
    }
  }
  return { res, next, until, close: () => abort.abort() };
}

describe("service notifications: SSE stream, webhooks and metrics", function () {
  let world: Awaited<ReturnType<typeof deployWorld>>;
  let loans = 0;
  before(async function () {
    world = await deployWorld(connection);
    await runDemo(world, connection, () => {});
  });

  /** Registers a new loan as Huaxia; returns the block it landed in. */
  async function registerLoan(): Promise<number> {
    const as = actAs(world, "huaxia", world.key);
    loans += 1;
    await register(
      as.contracts,
      {
        borrowerType: "USCC",
        borrowerId: `91990000NOTIFY${String(loans).padStart(4, "0")}`,
        ref: `NT-${randomBytes(4).toString("hex")}`,
        product: "SmeLoan",
        principal: "1000.00",
        outstanding: "",
        originated: "2026-09-01",
        matures: "2027-09-01",
        salt: "",
        funders: "",
      },
      as.session,
    );
    return ethers.provider.getBlockNumber();
  }

  for (const store of engines()) {
    describe(store.name, function () {
      let service: RunningService;
      let desk: string;
      let exporter: string;
      before(async function () {
        service = await startService({
          provider: ethers.provider,
          chainId: Number((await ethers.provider.getNetwork()).chainId),
          deployment: world.deployment,
          fromBlock: 0,
          databaseUrl: await store.fresh(),
          dataDir: "",
          port: 0,
          pollMs: 50,
          webhookBackoffMs: 20,
          queueDepth: () => 3,
          logger: pino({ level: "silent" }),
        });
        await service.caughtUp();
        desk = (await createToken(service.database.db, "desk", parseRoles("lender-desk"))).token;
        exporter = (await createToken(service.database.db, "exporter", parseRoles("exporter"))).token;
      });
      after(async function () {
        await service.stop();
        await store.cleanup();
      });
      const api = (path: string, token: string, init: RequestInit = {}) =>
        fetch(service.url + path, {
          ...init,
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...init.headers },
        });
      /** How many stored events have one of these names: counted in SQL, not through the notification module. */
      async function stored(...names: string[]): Promise<number> {
        const r = await service.database.db
          .selectFrom("events")
          .select((eb) => eb.fn.countAll().as("n"))
          .where("name", "in", names)
          .executeTakeFirstOrThrow();
        return Number(r.n);
      }

      it("test_stream_replaysAfterLastEventId_onlyTheKindsTheTokensRolesMaySee", async function () {
        const deskStream = await openStream(service.url, desk, "0:0");
        expect(deskStream.res.headers.get("content-type")).to.equal("text/event-stream");
        const deskNotes = await deskStream.until((c) => c === "live");
        deskStream.close();
        const exporterStream = await openStream(service.url, exporter, "0:0");
        const exporterNotes = await exporterStream.until((c) => c === "live");
        exporterStream.close();

        const count = (notes: Note[], kind: string) => notes.filter((n) => n.event === kind).length;
        // The demo world registered loans, flagged one, and paid tranches of an order.
        expect(count(deskNotes, "loan.registered"))
          .to.equal(await stored("LoanRegistered"))
          .and.be.greaterThan(0);
        expect(count(deskNotes, "credit.flagged"))
          .to.equal(await stored("MultiBorrowingFlagged"))
          .and.above(0);
        expect(count(deskNotes, "tranche.paid")).to.equal(0);
        expect(count(exporterNotes, "tranche.paid"))
          .to.equal(await stored("TranchePaid"))
          .and.be.greaterThan(0);
        expect(count(exporterNotes, "evidence.recorded")).to.equal(await stored("EvidenceCompleted"));
        expect(count(exporterNotes, "loan.registered") + count(exporterNotes, "credit.flagged")).to.equal(0);
        // Each id is the event's cursor, in chain order, and the data is the event's.
        const cursors = deskNotes.map((n) => n.id.split(":").map(Number));
        for (let i = 1; i < cursors.length; i++) {
          const [b0, l0] = cursors[i - 1];
          const [b1, l1] = cursors[i];
          expect(b1 > b0 || (b1 === b0 && l1 > l0), `${deskNotes[i].id} after ${deskNotes[i - 1].id}`).to.equal(true);
        }
        const first = deskNotes.find((n) => n.event === "loan.registered") as Note;
        expect(first.data.id).to.equal(first.id);
        expect(first.data.event).to.equal("LoanRegistered");
        const onChain = await world.contracts.credit.getLoan((first.data.data as { id: string }).id);
        expect((first.data.data as { principal: string }).principal).to.equal(onChain.principal.toString());

        // Resuming after the third notification replays exactly those after it.
        const resumed = await openStream(service.url, desk, deskNotes[2].id);
        const again = await resumed.until((c) => c === "live");
        resumed.close();
        expect(again.map((n) => n.id)).to.deep.equal(deskNotes.slice(3).map((n) => n.id));

        const bad = await api("/v1/stream", desk, { headers: { "last-event-id": "latest" } });
        expect(bad.status).to.equal(400);
        expect(((await bad.json()) as { errors: { pointer: string }[] }).errors[0].pointer).to.equal("/Last-Event-ID");
        expect((await api("/v1/stream?kinds=tranche.paid", desk)).status).to.equal(403);
      });

      it("test_stream_sendsANewLoanLive_toTheLenderDesk_andNotToTheExporter", async function () {
        const deskStream = await openStream(service.url, desk);
        const exporterStream = await openStream(service.url, exporter);
        await deskStream.until((c) => c === "live");
        await exporterStream.until((c) => c === "live");
        const block = await registerLoan();
        const deskNotes = await deskStream.until((c) => c.startsWith("indexed ") && Number(c.slice(8)) >= block);
        const exporterNotes = await exporterStream.until(
          (c) => c.startsWith("indexed ") && Number(c.slice(8)) >= block,
        );
        deskStream.close();
        exporterStream.close();
        const live = deskNotes.filter((n) => n.event === "loan.registered");
        expect(live.map((n) => n.data.block)).to.deep.equal([block]);
        expect(exporterNotes).to.deep.equal([]);
      });

      it("test_webhook_receiverFailingTwice_getsTheEventOnce_signed_withThreeAttemptsLogged", async function () {
        // Refused: not http(s), nothing stored; a kind outside the token's roles.
        for (const url of ["ftp://127.0.0.1/hook", "file:///etc/passwd", "javascript:alert(1)", "not a url"]) {
          const res = await api("/v1/webhooks", desk, { method: "POST", body: JSON.stringify({ url }) });
          expect(res.status, url).to.equal(400);
          expect(((await res.json()) as { errors: { pointer: string }[] }).errors[0].pointer).to.equal("/url");
        }
        const outside = await api("/v1/webhooks", desk, {
          method: "POST",
          body: JSON.stringify({ url: "http://127.0.0.1:9/", kinds: ["tranche.paid"] }),
        });
        expect(outside.status).to.equal(403);
        const operator = (await createToken(service.database.db, "ops", parseRoles("operator"))).token;
        const blind = await api("/v1/webhooks", operator, {
          method: "POST",
          body: JSON.stringify({ url: "http://127.0.0.1:9/" }),
        });
        expect(blind.status).to.equal(403);
        expect(await (await api("/v1/webhooks", desk)).json()).to.deep.equal([]);
        expect(await service.database.db.selectFrom("webhooks").selectAll().execute()).to.deep.equal([]);

        const received: { headers: IncomingHttpHeaders; body: string; status: number; cursorThen?: string }[] = [];
        let hookId = 0;
        const waiters: { n: number; resolve: () => void }[] = [];
        const receiver: Server = createServer((req, res) => {
          let body = "";
          req.setEncoding("utf8");
          req.on("data", (chunk: string) => (body += chunk));
          req.on("end", () => {
            void (async () => {
              const n = received.length + 1;
              // The first two attempts fail; while the second is in flight, the cursor is where it was.
              const status = n <= 2 ? 500 : 200;
              const entry = { headers: req.headers, body, status } as (typeof received)[number];
              if (n === 2) {
                const hooks = (await (await api("/v1/webhooks", desk)).json()) as { id: number; cursor: string }[];
                entry.cursorThen = hooks.find((h) => h.id === hookId)?.cursor;
              }
              received.push(entry);
              res.writeHead(status).end();
              for (const w of waiters.filter((w) => successes() >= w.n)) w.resolve();
            })();
          });
        });
        await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
        const port = (receiver.address() as { port: number }).port;
        const successes = () => received.filter((r) => r.status === 200).length;
        const delivered = (n: number) =>
          new Promise<void>((resolve) => (successes() >= n ? resolve() : waiters.push({ n, resolve })));
        try {
          const created = await api("/v1/webhooks", desk, {
            method: "POST",
            body: JSON.stringify({ url: `http://127.0.0.1:${port}/hook`, kinds: ["loan.registered"] }),
          });
          expect(created.status).to.equal(201);
          const hook = (await created.json()) as { id: number; secret: string; cursor: string; kinds: string[] };
          hookId = hook.id;
          expect(hook.kinds).to.deep.equal(["loan.registered"]);
          expect(hook.secret).to.match(/^whsec_/);
          // The secret is shown once: the list does not carry it.
          expect(JSON.stringify(await (await api("/v1/webhooks", desk)).json())).not.to.include(hook.secret);

          const block = await registerLoan();
          await delivered(1);
          expect(received.map((r) => r.status)).to.deep.equal([500, 500, 200]);
          const eventId = String(received[0].headers["tradeline-event-id"]);
          expect(eventId).to.match(new RegExp(`^${block}:\\d+$`));
          for (const r of received) {
            expect(r.headers["tradeline-event-id"]).to.equal(eventId);
            expect(r.body).to.equal(received[0].body);
            const signature = String(r.headers["tradeline-signature"]);
            expect(verifyWebhookSignature(hook.secret, signature, r.body, 300)).to.equal(true);
            expect(verifyWebhookSignature(hook.secret + "x", signature, r.body, 300)).to.equal(false);
            expect(verifyWebhookSignature(hook.secret, signature, r.body.replace("}", " }"), 300)).to.equal(false);
          }
          const note = JSON.parse(received[0].body) as { id: string; kind: string; block: number };
          expect([note.id, note.kind, note.block]).to.deep.equal([eventId, "loan.registered", block]);
          expect(received[1].cursorThen).to.equal(hook.cursor);

          // The next loan is delivered next, and the first never again.
          const second = await registerLoan();
          await delivered(2);
          const ok = received.filter((r) => r.status === 200).map((r) => String(r.headers["tradeline-event-id"]));
          expect(ok).to.have.length(2);
          expect(ok[0]).to.equal(eventId);
          expect(ok[1]).to.match(new RegExp(`^${second}:\\d+$`));
          let cursor = "";
          while (cursor !== ok[1]) {
            const hooks = (await (await api("/v1/webhooks", desk)).json()) as { cursor: string }[];
            cursor = hooks[0].cursor;
            if (cursor !== ok[1]) await new Promise((r) => setTimeout(r, 20));
          }
          const log = (await (await api(`/v1/webhooks/${hook.id}/deliveries`, desk)).json()) as {
            eventId: string;
            attempt: number;
            status: number;
          }[];
          expect(log.map((d) => [d.eventId, d.attempt, d.status])).to.deep.equal([
            [eventId, 1, 500],
            [eventId, 2, 500],
            [eventId, 3, 200],
            [ok[1], 1, 200],
          ]);
          // Another token neither sees nor deletes it.
          expect((await api(`/v1/webhooks/${hook.id}/deliveries`, exporter)).status).to.equal(404);
          expect((await api(`/v1/webhooks/${hook.id}`, exporter, { method: "DELETE" })).status).to.equal(404);
          expect((await api(`/v1/webhooks/${hook.id}`, desk, { method: "DELETE" })).status).to.equal(204);
          expect(await (await api("/v1/webhooks", desk)).json()).to.deep.equal([]);
        } finally {
          await new Promise<void>((resolve) => receiver.close(() => resolve()));
        }
      });

      it("test_stream_afterAReorg_sendsTheReplacingEvents_andNeverReplaysTheReplacedOnes", async function () {
        // A webhook receiver that accepts everything, and tells when it has had `n` deliveries.
        const got: string[] = [];
        const waiters: { n: number; resolve: () => void }[] = [];
        const receiver = createServer((req, res) => {
          let body = "";
          req.setEncoding("utf8");
          req.on("data", (chunk: string) => (body += chunk));
          req.on("end", () => {
            got.push((JSON.parse(body) as { txHash: string }).txHash);
            res.writeHead(204).end();
            for (const w of waiters) if (got.length >= w.n) w.resolve();
          });
        });
        await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
        const deliveries = (n: number) =>
          new Promise<void>((resolve) => (got.length >= n ? resolve() : waiters.push({ n, resolve })));
        const port = (receiver.address() as { port: number }).port;
        const created = await api("/v1/webhooks", desk, {
          method: "POST",
          body: JSON.stringify({ url: `http://127.0.0.1:${port}/`, kinds: ["loan.registered"] }),
        });
        expect(created.status).to.equal(201);
        const deskStream = await openStream(service.url, desk);
        await deskStream.until((c) => c === "live");
        const before = await ethers.provider.getBlockNumber();
        const snapshot = await networkHelpers.takeSnapshot();
        const replaced = await registerLoan();
        const first = await deskStream.until((c) => c.startsWith("indexed ") && Number(c.slice(8)) >= replaced);
        const replacedTx = (await ethers.provider.getBlock(replaced))?.transactions[0];
        expect(first.map((n) => n.data.txHash)).to.deep.equal([replacedTx]);
        // The chain drops that block and mines another loan in its place.
        await snapshot.restore();
        const replacing = await registerLoan();
        const replacingTx = (await ethers.provider.getBlock(replacing))?.transactions[0];
        expect(replacingTx).to.not.equal(replacedTx);
        const second = await deskStream.until((c) => c.startsWith("indexed ") && Number(c.slice(8)) >= replacing);
        deskStream.close();
        expect(second.map((n) => [n.event, n.data.txHash])).to.deep.equal([["loan.registered", replacingTx]]);
        // A client resuming from before the reorg gets the chain as it is now: the replaced loan is gone.
        const resumed = await openStream(service.url, desk, `${before}:999999`);
        const replay = await resumed.until((c) => c === "live");
        resumed.close();
        expect(replay.map((n) => n.data.txHash)).to.deep.equal([replacingTx]);
        // The webhook had the replaced loan at the same cursor; it still gets the replacing one.
        await deliveries(2);
        receiver.close();
        expect(got).to.deep.equal([replacedTx, replacingTx]);
        const hook = (await created.json()) as { id: number };
        expect((await api(`/v1/webhooks/${hook.id}`, desk, { method: "DELETE" })).status).to.equal(204);
      });

      it("test_metrics_countRequestsByRoutePattern_andShowIndexerAndQueueGauges", async function () {
        const scrape = async () => {
          const res = await fetch(service.url + "/metrics");
          expect(res.status).to.equal(200);
          const text = await res.text();
          return {
            text,
            value(series: string): number {
              const line = text.split("\n").find((l) => l.startsWith(series + " "));
              return line === undefined ? 0 : Number(line.slice(series.length + 1));
            },
          };
        };
        const deliveries = '{method="GET",route="/v1/webhooks/:id/deliveries",status="404"}';
        const unmatched = '{method="GET",route="unmatched",status="404"}';
        const before = await scrape();
        await api("/v1/webhooks/12345/deliveries", desk);
        await api("/v1/webhooks/67890/deliveries", desk);
        await api("/v1/no-such-thing/1", desk);
        const { text, value } = await scrape();
        expect(value(`tradeline_http_requests_total${deliveries}`)).to.equal(
          before.value(`tradeline_http_requests_total${deliveries}`) + 2,
        );
        expect(value(`tradeline_http_request_duration_seconds_count${deliveries}`)).to.equal(
          before.value(`tradeline_http_request_duration_seconds_count${deliveries}`) + 2,
        );
        expect(value(`tradeline_http_requests_total${unmatched}`)).to.equal(
          before.value(`tradeline_http_requests_total${unmatched}`) + 1,
        );
        // The scrape before is counted too, under its own route.
        expect(value('tradeline_http_requests_total{method="GET",route="/metrics",status="200"}')).to.be.at.least(1);
        expect(text).not.to.include("12345");
        expect(text).not.to.include("no-such-thing");
        await service.caughtUp();
        const health = (await (await fetch(service.url + "/healthz")).json()) as { indexedHead: number };
        expect(value("tradeline_indexer_indexed_head")).to.equal(health.indexedHead);
        expect(value("tradeline_indexer_lag_blocks")).to.equal(0);
        expect(value("tradeline_submission_queue_depth")).to.equal(3);
        // The streams the earlier tests closed are released; this one stays open, and stop() must end it (the
        // server waits for its connections, so a stream left running would hang the after hook).
        const open = await openStream(service.url, desk);
        await open.until((c) => c === "live");
        let streams = -1;
        while (streams !== 1) {
          streams = (await scrape()).value("tradeline_sse_streams");
          if (streams !== 1) await new Promise((r) => setTimeout(r, 20));
        }
      });
    });
  }
});
