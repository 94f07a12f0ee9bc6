import { createServer, type IncomingHttpHeaders, type Server } from "node:http";

import { serve, type ServerType } from "@hono/node-server";
import { expect } from "chai";
import { network } from "hardhat";

import { runDemo } from "../../scripts/lib/demo-world.js";
import { freePort } from "../../scripts/lib/local-network.js";
import { deployWorld } from "../../scripts/lib/world.js";
import { createApp } from "../../service/app.js";
import { createToken, parseRoles, revokeToken } from "../../service/auth.js";
import { openDatabase } from "../../service/db.js";
import { migrate } from "../../service/migrations.js";
import { NotificationHub, WebhookDeliverer } from "../../service/notify.js";
import type { RunningService } from "../../service/server.js";
import { openSecret } from "../../service/webhook-secrets.js";
import { verifyWebhookSignature } from "../../service/webhook-signature.js";

import { engines, startTestService } from "./engines.js";
import { lend as lendOf, lendToOneBorrower, receiver, within } from "./webhooks.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
/** The key the service seals its webhook secrets with (any 32 bytes). */
const WEBHOOK_KEY = Buffer.alloc(32, 7);

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
  /**
   * The frames until the stream ends, or up to the first one `stop` accepts (a sign that the stream goes on when it
   * should have ended); `ended` says which.
   */
  async function rest(stop: (f: Frame) => boolean = () => false): Promise<{ frames: Frame[]; ended: boolean }> {
    const frames: Frame[] = [];
    for (;;) {
      let f: Frame;
      try {
        f = await next();
      } catch (err) {
        if (err instanceof Error && err.message === "the stream ended") return { frames, ended: true };
        throw err;
      }
      frames.push(f);
      if (stop(f)) return { frames, ended: false };
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
  return { res, next, until, rest, close: () => abort.abort() };
}

describe("service notifications: SSE stream, webhooks and metrics", function () {
  let world: Awaited<ReturnType<typeof deployWorld>>;
  let borrowers = 0;
  before(async function () {
    world = await deployWorld(connection);
    await runDemo(world, connection, () => {});
  });

  /** A borrower id no loan names yet. */
  function newBorrower(): string {
    borrowers += 1;
    return `91990000NOTIFY${String(borrowers).padStart(4, "0")}`;
  }

  /**
   * The loan the desks of Golfo's service hear of: Golfo lends to a new borrower, then Huaxia lends to the same one.
   * Returns the block of Huaxia's loan.
   */
  const registerLoan = () => lendToOneBorrower(world, ethers.provider, newBorrower());
  /** Registers a loan of cast member `lender` to `borrowerId`; returns the block it landed in. */
  const lend = (lender: string, borrowerId: string) => lendOf(world, ethers.provider, lender, borrowerId);

  for (const store of engines()) {
    describe(store.name, function () {
      let service: RunningService;
      let desk: string;
      let exporter: string;
      /**
       * An app over the same database with a hub of its own that nothing else publishes to: of no member (no
       * operator key), without private webhook targets, buffering 20 notifications a stream, a heartbeat each
       * 50 ms.
       */
      let bareHub: NotificationHub;
      let bareServer: ServerType;
      let bareUrl: string;
      before(async function () {
        // Golfo's service: it signs with Golfo's operator key, so its lender desks hear of loans to Golfo's
        // borrowers. A held receiver is only released by its test (the timeout is far longer than any wait here).
        service = await startTestService(ethers.provider, world.deployment, await store.fresh(), {
          signer: world.admins.golfo,
          allowPrivateWebhooks: true,
          webhookBackoffMs: 20,
          webhookTimeoutMs: 600_000,
          queueDepth: () => 3,
          // Its webhook secrets are sealed at rest: the deliveries below are signed with what it opens.
          webhookKey: WEBHOOK_KEY,
        });
        await service.caughtUp();
        desk = (await createToken(service.database.db, "desk", parseRoles("lender-desk"))).token;
        exporter = (await createToken(service.database.db, "exporter", parseRoles("exporter"))).token;
        const chainId = Number((await ethers.provider.getNetwork()).chainId);
        bareHub = new NotificationHub(service.database.db, chainId, { streamBuffer: 20 });
        const app = createApp({
          db: service.database.db,
          chainId,
          chainTime: async () => Math.floor(Date.now() / 1000),
          health: async () => ({ chainHead: 0, indexedHead: 0, sinceSuccess: 0, stale: false }),
          notifications: bareHub,
          heartbeatMs: 50,
        });
        bareServer = await new Promise<ServerType>((resolve) => {
          const s = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, () => resolve(s));
        });
        bareUrl = `http://127.0.0.1:${(bareServer.address() as { port: number }).port}`;
      });
      after(async function () {
        bareHub.close();
        // A client a failed test left unread would hold its connection open.
        (bareServer as Server).closeAllConnections();
        await new Promise<void>((resolve) => bareServer.close(() => resolve()));
        await service.stop();
        await store.cleanup();
      });
      const api = (path: string, token: string, init: RequestInit = {}) =>
        fetch(service.url + path, {
          ...init,
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...init.headers },
        });
      const bareApi = (path: string, token: string, init: RequestInit = {}) =>
        fetch(bareUrl + path, {
          ...init,
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...init.headers },
        });
      /**
       * The cursors of the loans Golfo's desks should hear of, by the rule written out again over the stored events
       * (not through the notification module): another lender's loan to a borrower Golfo had lent to before.
       */
      async function golfosBorrowersLoans(): Promise<string[]> {
        const rows = await service.database.db
          .selectFrom("events")
          .select(["block_number", "log_index", "args"])
          .where("name", "=", "LoanRegistered")
          .orderBy("block_number")
          .orderBy("log_index")
          .execute();
        const golfo = String(world.ids.golfo);
        const lentTo = new Set<string>();
        const ids: string[] = [];
        for (const r of rows) {
          const a = JSON.parse(r.args) as { lender: string; borrowerKey: string };
          if (a.lender === golfo) lentTo.add(a.borrowerKey);
          else if (lentTo.has(a.borrowerKey)) ids.push(`${r.block_number}:${r.log_index}`);
        }
        return ids;
      }
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
        // The demo world registered loans, flagged one, and paid tranches of an order. Golfo lent to the demo's
        // borrower after Huaxia and Pacific: its desk hears of the loans after its own only.
        const loansHeard = deskNotes.filter((n) => n.event === "loan.registered").map((n) => n.id);
        expect(loansHeard).to.deep.equal(await golfosBorrowersLoans());
        expect(loansHeard.length)
          .to.be.greaterThan(0)
          .and.below(await stored("LoanRegistered"));
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
          // The database keeps it sealed, under the service's key.
          const stored = await service.database.db
            .selectFrom("webhooks")
            .select(["secret", "token_id", "url"])
            .where("id", "=", hook.id)
            .executeTakeFirstOrThrow();
          expect(stored.secret).to.match(/^sealed:v1:/);
          expect(stored.secret).not.to.include(hook.secret.slice("whsec_".length));
          const binding = { tokenId: Number(stored.token_id), url: stored.url };
          expect(openSecret(WEBHOOK_KEY, stored.secret, hook.id, binding)).to.equal(hook.secret);

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

      it("test_loanRegistered_anotherLenderToABorrowerTheMemberLentToBefore_isTheOnlyLoanItsDeskHearsOf", async function () {
        const hook = await receiver();
        try {
          const created = await api("/v1/webhooks", desk, {
            method: "POST",
            body: JSON.stringify({ url: hook.url, kinds: ["loan.registered"] }),
          });
          expect(created.status).to.equal(201);
          const hookId = ((await created.json()) as { id: number }).id;
          const live = await openStream(service.url, desk);
          await live.until((c) => c === "live");
          const from = await ethers.provider.getBlockNumber();
          const shared = newBorrower();
          const another = newBorrower();
          const later = newBorrower();
          await lend("golfo", shared); // Golfo's own loan: not news to its desk
          const heard = await lend("huaxia", shared); // another lender to Golfo's borrower: the one
          await lend("pacific", another); // a borrower Golfo never lent to
          await lend("pacific", later); // before Golfo lent to that borrower
          await lend("golfo", later);
          // A last loan the desk hears of: once it is through, everything before it has been looked at.
          const last = await registerLoan();
          const notes = await live.until((c) => c.startsWith("indexed ") && Number(c.slice(8)) >= last);
          live.close();
          const huaxia = String(world.ids.huaxia);
          const loansOf = (ns: Note[]) =>
            ns
              .filter((n) => n.event === "loan.registered")
              .map((n) => [n.data.block, (n.data.data as { lender: string }).lender]);
          expect(loansOf(notes)).to.deep.equal([
            [heard, huaxia],
            [last, huaxia],
          ]);
          // The same from a replay, and on the webhook (after the last registration's cursor).
          const replay = await openStream(service.url, desk, `${from}:999999999`);
          const replayed = await replay.until((c) => c === "live");
          replay.close();
          expect(loansOf(replayed)).to.deep.equal(loansOf(notes));
          await within(60_000, hook.delivered(2), "two loans delivered");
          const ids = notes.filter((n) => n.event === "loan.registered").map((n) => n.id);
          expect(hook.got.map((r) => r.eventId)).to.deep.equal(ids);
          expect((await api(`/v1/webhooks/${hookId}`, desk, { method: "DELETE" })).status).to.equal(204);
          // A service of no member (it holds no operator key) sends no loan at all, while it sends the flags.
          const none = await openStream(bareUrl, desk, "0:0");
          const all = await none.until((c) => c === "live");
          none.close();
          expect(all.filter((n) => n.event === "loan.registered")).to.deep.equal([]);
          expect(all.filter((n) => n.event === "credit.flagged")).to.have.length(await stored("MultiBorrowingFlagged"));
        } finally {
          await hook.close();
        }
      });

      it("test_webhook_receiverThatNeverAnswers_holdsUpOnlyItsOwnDeliveries", async function () {
        this.timeout(180_000);
        // The slow receiver holds every request open until the test lets it answer.
        let release!: () => void;
        const released = new Promise<number>((resolve) => (release = () => resolve(204)));
        const slow = await receiver(() => released);
        const fast = await receiver();
        const other = (await createToken(service.database.db, "desk 2", parseRoles("lender-desk"))).token;
        const hooks: [string, number][] = [];
        try {
          for (const [token, r] of [
            [desk, slow],
            [other, fast],
          ] as const) {
            const res = await api("/v1/webhooks", token, {
              method: "POST",
              body: JSON.stringify({ url: r.url, kinds: ["loan.registered"] }),
            });
            expect(res.status).to.equal(201);
            hooks.push([token, ((await res.json()) as { id: number }).id]);
          }
          const blocks = [await registerLoan(), await registerLoan(), await registerLoan()];
          await within(60_000, fast.delivered(3), "the fast receiver's three loans");
          expect(fast.answered().map((r) => Number(r.eventId.split(":")[0]))).to.deep.equal(blocks);
          // Meanwhile the slow receiver got the first loan only, and its request is still open, unanswered.
          expect(slow.got.map((r) => [Number(r.eventId.split(":")[0]), r.status, r.closed])).to.deep.equal([
            [blocks[0], undefined, false],
          ]);
          release();
          await within(60_000, slow.delivered(3), "the slow receiver's three loans, once it answers");
          expect(slow.answered().map((r) => r.eventId)).to.deep.equal(fast.answered().map((r) => r.eventId));
        } finally {
          release();
          for (const [token, id] of hooks) await api(`/v1/webhooks/${id}`, token, { method: "DELETE" });
          await slow.close();
          await fast.close();
        }
      });

      it("test_webhook_privateTarget_isRefusedAtRegistration_withAProblemOnUrl_andNothingStored", async function () {
        const count = async () =>
          Number(
            (
              await service.database.db
                .selectFrom("webhooks")
                .select((eb) => eb.fn.countAll().as("n"))
                .executeTakeFirstOrThrow()
            ).n,
          );
        const before = await count();
        for (const url of [
          "http://127.0.0.1:9/hook",
          "http://localhost:9/hook", // a name resolving to loopback
          "http://[::1]/",
          "http://2130706433/", // 127.0.0.1 written as one number
          "http://[::ffff:127.0.0.1]/",
          "http://10.1.2.3/",
          "http://172.16.0.1/",
          "http://192.168.1.1/",
          "http://169.254.169.254/latest/meta-data/", // the cloud metadata service
          "http://[fe80::1]/",
          "http://[fd00::1]/",
          "http://0.0.0.0/",
          "http://[::]/",
          "http://224.0.0.1/",
        ]) {
          const res = await bareApi("/v1/webhooks", desk, { method: "POST", body: JSON.stringify({ url }) });
          expect(res.status, url).to.equal(400);
          const problem = (await res.json()) as { errors: { pointer: string }[]; detail: string };
          expect(problem.errors[0].pointer, url).to.equal("/url");
          expect(problem.detail, url).to.match(/public address/);
        }
        expect(await count()).to.equal(before);
      });

      it("test_deliverer_privateTargetWithoutOptIn_isBlockedAtDelivery_andTheLogKeepsAFailureClassNotItsText", async function () {
        const database = openDatabase(await store.fresh(), "");
        const hanging = await receiver(() => new Promise<number>(() => {}));
        const ok = await receiver();
        const deliverers: WebhookDeliverer[] = [];
        try {
          await migrate(database.db as never, database.engine);
          const db = database.db;
          const chainId = Number((await ethers.provider.getNetwork()).chainId);
          const token = await createToken(db, "exporter", parseRoles("exporter"));
          // One notification to deliver: a tranche paid, which an exporter sees.
          await db
            .insertInto("events")
            .values({
              chain_id: chainId,
              block_hash: "0x" + "ab".repeat(32),
              log_index: 0,
              block_number: 7,
              block_timestamp: 1_800_000_000,
              tx_hash: "0x" + "cd".repeat(32),
              tx_index: 0,
              address: "0x" + "11".repeat(20),
              contract: "TradeSettlement",
              name: "TranchePaid",
              signature: null,
              args: JSON.stringify({ id: "1", tranche: "0" }),
            })
            .execute();
          const hook = async (url: string) =>
            Number(
              (
                await db
                  .insertInto("webhooks")
                  .values({ token_id: token.id, url, secret: "whsec_t", kinds: null, cursor: null, created_at: 1 })
                  .returning("id")
                  .executeTakeFirstOrThrow()
              ).id,
            );
          const log = async (id: number) =>
            (
              await db
                .selectFrom("webhook_deliveries")
                .select(["status", "error"])
                .where("webhook_id", "=", id)
                .orderBy("id")
                .execute()
            ).map((d) => [d.status === null ? null : Number(d.status), d.error]);
          const settled = async (ids: number[]) => {
            for (;;) {
              const logs = await Promise.all(ids.map(log));
              if (logs.every((l) => l.length > 0)) return logs.map((l) => l[0]);
              await new Promise((r) => setTimeout(r, 20));
            }
          };
          const run = (allowPrivateWebhooks: boolean) => {
            const d = new WebhookDeliverer({
              db,
              hub: new NotificationHub(db, chainId, { allowPrivateWebhooks }),
              backoffMs: 60_000,
              timeoutMs: 200,
            });
            deliverers.push(d);
            d.start();
            return d;
          };

          // Without the opt-in: an address, and a name that resolves to one, are not connected to.
          const blocked = [await hook(ok.url), await hook(`http://localhost:${ok.port}/hook`)];
          const first = run(false);
          expect(await within(60_000, settled(blocked), "the blocked attempts")).to.deep.equal([
            [null, "blocked"],
            [null, "blocked"],
          ]);
          await first.stop();
          expect(ok.got).to.deep.equal([]);
          await db.updateTable("webhooks").set({ revoked_at: 2 }).execute();

          // With it: a receiver that never answers, a port nobody listens on, and one that answers.
          const closed = await freePort();
          const failing = [await hook(hanging.url), await hook(`http://127.0.0.1:${closed}/`), await hook(ok.url)];
          run(true);
          expect(await within(60_000, settled(failing), "the attempts")).to.deep.equal([
            [null, "timeout"],
            [null, "refused"],
            [204, null],
          ]);
        } finally {
          for (const d of deliverers) await d.stop();
          await hanging.close();
          await ok.close();
          await database.close();
        }
      });

      it("test_stream_tokenRevoked_endsAtTheNextStep_orTheNextHeartbeat", async function () {
        // On the service: the step after the revocation ends it, before any of that step is sent.
        const held = await createToken(service.database.db, "desk revoked", parseRoles("lender-desk"));
        const stream = await openStream(service.url, held.token);
        await stream.until((c) => c === "live");
        expect(await revokeToken(service.database.db, held.id)).to.equal(true);
        const block = await registerLoan();
        const stepped = await stream.rest((f) => "comment" in f && f.comment === `indexed ${block}`);
        expect(stepped.ended, "the stream went on after the revocation").to.equal(true);
        expect(stepped.frames.filter((f) => !("comment" in f))).to.deep.equal([]);
        expect(stepped.frames.at(-1)).to.deep.equal({ comment: "token revoked" });
        // On the bare app nothing is published: its 50 ms heartbeat finds the token revoked (one heartbeat may
        // have been on its way as the token was revoked; a third means the stream went on).
        const idle = await createToken(service.database.db, "desk idle", parseRoles("lender-desk"));
        const quiet = await openStream(bareUrl, idle.token);
        await quiet.until((c) => c === "live");
        await quiet.until((c) => c === "heartbeat");
        expect(await revokeToken(service.database.db, idle.id)).to.equal(true);
        let beats = 0;
        const beaten = await quiet.rest((f) => "comment" in f && f.comment === "heartbeat" && ++beats === 3);
        expect(beaten.ended, "the stream went on after the revocation").to.equal(true);
        expect(beaten.frames.at(-1)).to.deep.equal({ comment: "token revoked" });
        expect((await bareApi("/v1/stream", idle.token)).status).to.equal(401);
      });

      it("test_stream_clientThatStopsReading_isEndedPastItsBuffer_withAReconnectEvent_andResumesFromIt", async function () {
        this.timeout(180_000);
        const stream = await openStream(bareUrl, exporter);
        await stream.until((c) => c === "live");
        // A second client that keeps reading paces the steps: the next is published once it has had the last.
        const reader = await openStream(bareUrl, exporter);
        await reader.until((c) => c === "live");
        const head = await ethers.provider.getBlockNumber();
        const perStep = (await bareHub.after(undefined, 10_000)).filter((n) =>
          ["tranche.paid", "evidence.recorded"].includes(n.kind),
        ).length;
        expect(perStep).to.be.greaterThan(0);
        // The first client reads nothing while the same steps are published again and again: its connection's
        // buffers fill, then its stream's own; past 20 notifications waiting, it is ended (its subscription goes).
        let steps = 0;
        while (bareHub.subscribers === 2 && steps < 20_000) {
          await bareHub.publish(-1, head);
          steps += 1;
          const got = await reader.until((c) => c === `indexed ${head}`);
          expect(got).to.have.length(perStep);
        }
        expect(bareHub.subscribers, `both still subscribed after ${steps} steps`).to.equal(1);
        // The client that reads is still served.
        await bareHub.publish(-1, head);
        expect(await reader.until((c) => c === `indexed ${head}`)).to.have.length(perStep);
        reader.close();
        // Reading again: what had been written, then the reconnect event, and the end.
        const frames = (await stream.rest()).frames.filter((f) => !("comment" in f)) as Note[];
        const final = frames.at(-1) as Note;
        const notes = frames.slice(0, -1);
        expect(final.event).to.equal("reconnect");
        expect(notes.every((n) => n.event !== "reconnect")).to.equal(true);
        expect(notes.length).to.be.below(steps * perStep);
        const lastEventId = final.data.lastEventId as string;
        expect(lastEventId).to.equal(notes.at(-1)?.id);
        // The client resumes where it was: the replay has what comes after it.
        const resumed = await openStream(bareUrl, exporter, lastEventId);
        const replayed = await resumed.until((c) => c === "live");
        resumed.close();
        const [block, logIndex] = lastEventId.split(":").map(Number);
        const after = (await bareHub.after({ block, logIndex }, 10_000)).filter((n) =>
          ["tranche.paid", "evidence.recorded"].includes(n.kind),
        );
        expect(replayed.map((n) => n.id)).to.deep.equal(after.map((n) => n.id));
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
