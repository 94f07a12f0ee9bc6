import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { Hono } from "hono";

import { createApp } from "../../service/app.js";
import { consoleRoutes } from "../../service/console.js";
import { memberOfOperator } from "../../service/notifications.js";
import { clientOf, createToken, parseRoles, revokeToken } from "../../service/auth.js";
import { openDatabase } from "../../service/db.js";
import { migrate } from "../../service/migrations.js";
import { moveOwnTables } from "../../service/move.js";
import { interruptJobs } from "../../service/routes/credit-writes.js";
import { listResponse } from "../../service/routes/lists.js";

import { engines } from "./engines.js";

let health = { chainHead: 12, indexedHead: 10, sinceSuccess: 1, stale: false } as {
  chainHead: number;
  indexedHead: number;
  sinceSuccess: number;
  stale: boolean;
  error?: string;
};

async function setup() {
  const database = openDatabase(":memory:", ":memory:");
  await migrate(database.db as never, database.engine);
  const app = createApp({
    db: database.db,
    chainId: 31337,
    chainTime: async () => 0,
    health: async () => health,
  });
  return { ...database, app };
}

describe("service HTTP basics", function () {
  it("test_healthz_reportsTheLag_andOpenApiDescribesIt", async function () {
    const { app, close } = await setup();
    const res = await app.request("/healthz");
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.equal({ chainHead: 12, indexedHead: 10, sinceSuccess: 1, lag: 2 });
    // An indexer that keeps failing makes the service unhealthy, with the class of its failure.
    health = { chainHead: 14, indexedHead: 10, sinceSuccess: 40, stale: true, error: "rpc-http-413" };
    const failing = await app.request("/healthz");
    expect(failing.status).to.equal(503);
    expect(await failing.json()).to.deep.equal({
      chainHead: 14,
      indexedHead: 10,
      sinceSuccess: 40,
      error: "rpc-http-413",
      lag: 4,
    });
    health = { chainHead: 12, indexedHead: 10, sinceSuccess: 1, stale: false };
    const doc = (await (await app.request("/openapi.json")).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).to.equal("3.1.0");
    expect(Object.keys(doc.paths)).to.include("/healthz");
    // The rendered reference: Swagger UI over /openapi.json, served from the service's own files.
    const page = await app.request("/docs");
    expect(page.headers.get("content-type")).to.match(/^text\/html/);
    expect(page.headers.get("content-security-policy")).to.include("script-src 'self';");
    expect(page.headers.get("content-security-policy")).to.include("frame-ancestors 'none'");
    const html = await page.text();
    expect(html).to.include('src="/docs/swagger-ui-bundle.js"');
    const bundle = await app.request("/docs/swagger-ui-bundle.js");
    expect([bundle.status, (await bundle.text()).includes("SwaggerUIBundle")]).to.deep.equal([200, true]);
    expect(bundle.headers.get("x-content-type-options")).to.equal("nosniff");
    expect(await (await app.request("/docs/init.js")).text()).to.include('url: "/openapi.json"');
    await close();
  });

  it("test_v1_refusesAMissingUnknownOrRevokedToken_withProblemDetails", async function () {
    const { app, db, close } = await setup();
    for (const headers of [{}, { authorization: "Bearer tl_nope" }, { authorization: "Basic abc" }]) {
      const res = await app.request("/v1/members", { headers });
      expect(res.status).to.equal(401);
      expect(res.headers.get("content-type")).to.equal("application/problem+json");
      const body = (await res.json()) as { status: number; type: string; detail: string };
      expect(body.status).to.equal(401);
      expect(body.type).to.match(/unauthorized$/);
      expect(res.headers.get("www-authenticate")).to.equal('Bearer realm="tradeline"');
    }
    const { id, token } = await createToken(db, "desk", parseRoles("lender-desk"));
    expect((await app.request("/v1/nothing-here", { headers: { authorization: `Bearer ${token}` } })).status).to.equal(
      404,
    );
    expect(await revokeToken(db, id)).to.equal(true);
    expect(await revokeToken(db, id)).to.equal(false);
    expect((await app.request("/v1/nothing-here", { headers: { authorization: `Bearer ${token}` } })).status).to.equal(
      401,
    );
    expect(() => parseRoles("lender-desk,banker")).to.throw('unknown role "banker"');
    await close();
  });
});

describe("service limits and the read-only mode", function () {
  it("test_rateLimit_refusesBeyondTheBurst_perToken_withRetryAfter", async function () {
    const database = openDatabase(":memory:", ":memory:");
    await migrate(database.db as never, database.engine);
    const app = createApp({
      db: database.db,
      chainId: 31337,
      chainTime: async () => 0,
      health: async () => health,
      rateLimit: { perSecond: 1, burst: 3 },
    });
    const a = (await createToken(database.db, "a", parseRoles("regulator"))).token;
    const b = (await createToken(database.db, "b", parseRoles("regulator"))).token;
    const get = (token: string) => app.request("/v1/members", { headers: { authorization: `Bearer ${token}` } });
    expect([(await get(a)).status, (await get(a)).status, (await get(a)).status]).to.deep.equal([200, 200, 200]);
    const limited = await get(a);
    expect(limited.status).to.equal(429);
    expect(limited.headers.get("retry-after")).to.equal("1");
    expect(((await limited.json()) as { detail: string }).detail).to.include("1 requests a second (bursts of 3)");
    // Another token has its own bucket.
    expect((await get(b)).status).to.equal(200);
    await database.close();
  });

  it("test_me_namesTheHolderAndRoles_andNoSignerWithoutAKey", async function () {
    const { app, db, close } = await setup();
    try {
      const { token } = await createToken(db, "Casa Cristal, import desk", ["importer", "regulator"]);
      const res = await app.request("/v1/me", { headers: { Authorization: `Bearer ${token}` } });
      expect(res.status).to.equal(200);
      // A service without an operator key signs for no member: the console shows it read-only.
      expect(await res.json()).to.deep.equal({ name: "Casa Cristal, import desk", roles: ["importer", "regulator"] });
      expect((await app.request("/v1/me")).status).to.equal(401);
    } finally {
      await close();
    }
  });

  it("test_memberOfOperator_theAdminAndEachOperator_actForTheMember_noOneElse", async function () {
    const { db, close } = await setup();
    try {
      const admin = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
      const operator = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";
      await db
        .insertInto("members")
        .values({
          chain_id: 31337,
          id: 5,
          legal_id_hash: `0x${"11".repeat(32)}`,
          jurisdiction: "CN",
          roles: 1,
          status: "Active",
          admin,
          payout: null,
          admitted_block: 1,
        })
        .execute();
      await db.insertInto("member_operators").values({ chain_id: 31337, operator, member_id: 5 }).execute();
      // A service signing with the admin's key acts for the member (make up's services do), in any letter case.
      expect(await memberOfOperator(db, 31337, admin.toLowerCase())).to.equal(5);
      expect(await memberOfOperator(db, 31337, operator.toUpperCase().replace("0X", "0x"))).to.equal(5);
      expect(await memberOfOperator(db, 31337, "0x0000000000000000000000000000000000000001")).to.equal(undefined);
      expect(await memberOfOperator(db, 1, admin)).to.equal(undefined);
    } finally {
      await close();
    }
  });

  it("test_console_servedAtRoot_assetsImmutable_andAProblemWhenNotBuilt", async function () {
    const dist = await mkdtemp(path.join(tmpdir(), "console-dist-"));
    try {
      await mkdir(path.join(dist, "assets"));
      await writeFile(path.join(dist, "index.html"), "<!doctype html><title>console</title>");
      await writeFile(path.join(dist, "assets", "index-abc.js"), "console.log(1)");
      const app = new Hono();
      consoleRoutes(app as never, dist);
      const page = await app.request("/");
      expect([page.status, await page.text()]).to.deep.equal([200, "<!doctype html><title>console</title>"]);
      expect(page.headers.get("content-security-policy")).to.include("script-src 'self'");
      expect(page.headers.get("content-security-policy")).to.include("frame-ancestors 'none'");
      expect(page.headers.get("cache-control")).to.equal("no-cache");
      const asset = await app.request("/assets/index-abc.js");
      expect([asset.status, asset.headers.get("cache-control")]).to.deep.equal([
        200,
        "public, max-age=31536000, immutable",
      ]);
      // Nothing outside the build is reachable through the asset path.
      expect((await app.request("/assets/../../etc/passwd")).status).to.equal(404);

      const bare = new Hono();
      consoleRoutes(bare as never, path.join(dist, "missing"));
      const missing = await bare.request("/");
      expect(missing.status).to.equal(503);
      expect(((await missing.json()) as { detail: string }).detail).to.include("npm run console:build");
    } finally {
      await rm(dist, { recursive: true, force: true });
    }
  });

  it("test_writes_withoutAnOperatorKey_answer503_andSendNothing", async function () {
    const { app, db, close } = await setup();
    const desk = (await createToken(db, "desk", parseRoles("lender-desk"))).token;
    const res = await app.request("/v1/credit/loans/HX-1/repayments", {
      method: "POST",
      headers: { authorization: `Bearer ${desk}`, "content-type": "application/json" },
      body: JSON.stringify({ amount: "10.00" }),
    });
    expect(res.status).to.equal(503);
    expect(((await res.json()) as { detail: string }).detail).to.include("without an operator key");
    await close();
  });
});

describe("service upload jobs", function () {
  it("test_uploadJob_ofARunThatDied_readsInterrupted_whileALiveRunsJobReadsRunning", async function () {
    const { db, app, close } = await setup();
    try {
      const desk = await createToken(db, "desk", parseRoles("lender-desk"));
      const job = (run: string) =>
        db
          .insertInto("upload_jobs")
          .values({
            token_id: desk.id,
            status: "running",
            lines: 3,
            already_registered: 0,
            pending: 3,
            sent: 1,
            tx_hashes: "",
            error: null,
            created_at: 1,
            updated_at: 1,
            run,
          })
          .returning("id")
          .executeTakeFirstOrThrow();
      const seen = Math.floor(Date.now() / 1000);
      await db
        .insertInto("service_runs")
        .values({ run: "live", signer: "0xabc", host: "elsewhere", pid: 1, started_at: 1, seen_at: seen })
        .execute();
      const [live, dead] = [await job("live"), await job("died without stopping")];
      const read = async (id: unknown) =>
        (await (
          await app.request(`/v1/credit/uploads/${String(id)}`, { headers: { authorization: `Bearer ${desk.token}` } })
        ).json()) as { status: string; error: string | null };
      expect((await read(live.id)).status).to.equal("running");
      const orphan = await read(dead.id);
      expect(orphan.status).to.equal("interrupted");
      expect(orphan.error).to.match(/upload the same file again/);
      // The service sending a job never takes its own job for dead, whatever its lease row says (review 6, R6-S1).
      const own = await job("this service's run");
      const sender = createApp({
        db,
        chainId: 31337,
        chainTime: async () => 0,
        health: async () => health,
        writer: { run: "this service's run" } as never,
      });
      const ownRead = await sender.request(`/v1/credit/uploads/${String(own.id)}`, {
        headers: { authorization: `Bearer ${desk.token}` },
      });
      expect(((await ownRead.json()) as { status: string }).status).to.equal("running");
    } finally {
      await close();
    }
  });
});

describe("service CSV exports", function () {
  it("test_listResponse_quotesCsv_andDefusesFormulaCells", async function () {
    const app = new Hono();
    const rows = [
      { name: 'Pearl "River", Ltd', value: "-12", note: '=HYPERLINK("http://x")' },
      { name: "@home", value: "15.50", note: "+1" },
    ];
    app.get("/", (c) => listResponse(c, "csv", "test", ["name", "value", "note"], rows));
    const res = await app.request("/");
    expect(res.headers.get("content-disposition")).to.equal('attachment; filename="test.csv"');
    expect(await res.text()).to.equal(
      'name,value,note\n"Pearl ""River"", Ltd",-12,"\'=HYPERLINK(""http://x"")"\n\'@home,15.50,\'+1\n',
    );
  });
});

describe("service database moves", function () {
  for (const store of engines()) {
    after(() => store.cleanup());
    it(`test_moveOwnTables_keepsTokensWorking_andEveryReference (sqlite -> ${store.name})`, async function () {
      const from = openDatabase(":memory:", ":memory:");
      await migrate(from.db as never, from.engine);
      // A row removed by hand leaves a gap, so the ids the destination gives differ from the source's.
      const removed = await createToken(from.db, "removed", parseRoles("operator"));
      await from.db.deleteFrom("api_tokens").where("id", "=", removed.id).execute();
      const gone = await createToken(from.db, "gone", parseRoles("regulator"));
      await revokeToken(from.db, gone.id);
      const desk = await createToken(from.db, "desk", parseRoles("lender-desk"));
      await from.db
        .insertInto("audit_log")
        .values({
          token_id: desk.id,
          at: 1,
          method: "POST",
          path: "/v1/credit/loans",
          action: "credit.register",
          status: 201,
          tx_hash: "0x01",
        })
        .execute();
      // An upload job whose id the destination gives anew (the first one was removed), with a batch audited under
      // its path: the path follows the job (adversarial review 4, C-F4).
      const jobRow = {
        token_id: desk.id,
        status: "running",
        lines: 2,
        already_registered: 0,
        pending: 2,
        sent: 1,
        tx_hashes: "",
        error: null,
        created_at: 1,
        updated_at: 1,
        run: "a run that ended",
      };
      const dropped = await from.db.insertInto("upload_jobs").values(jobRow).returning("id").executeTakeFirstOrThrow();
      await from.db.deleteFrom("upload_jobs").where("id", "=", dropped.id).execute();
      const job = await from.db.insertInto("upload_jobs").values(jobRow).returning("id").executeTakeFirstOrThrow();
      await from.db
        .insertInto("audit_log")
        .values({
          token_id: desk.id,
          at: 2,
          method: "JOB",
          path: `/v1/credit/uploads/${job.id}`,
          action: "credit.upload.batch",
          status: 200,
          tx_hash: "0x02",
        })
        .execute();
      // A request any token sent to a job path that is no job's (refused, audited): it stays as written, and does
      // not stop the move (adversarial review 5, F4).
      await from.db
        .insertInto("audit_log")
        .values({
          token_id: desk.id,
          at: 3,
          method: "POST",
          path: "/v1/credit/uploads/4242",
          action: "refused",
          status: 404,
          tx_hash: null,
        })
        .execute();
      const hook = await from.db
        .insertInto("webhooks")
        .values({
          token_id: desk.id,
          url: "http://127.0.0.1:9/h",
          secret: "s",
          kinds: null,
          cursor: "12:3",
          created_at: 1,
          revoked_at: null,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await from.db
        .insertInto("webhook_deliveries")
        .values({ webhook_id: Number(hook.id), event_id: "12:3", attempt: 1, status: 200, error: null, at: 2 })
        .execute();

      const url = await store.fresh();
      const to = openDatabase(url, url);
      try {
        await migrate(to.db as never, to.engine);
        // Something in the destination already: refused.
        const other = openDatabase(":memory:", ":memory:");
        await migrate(other.db as never, other.engine);
        await createToken(other.db, "x", parseRoles("operator"));
        const refused = await moveOwnTables(from.db, other.db).then(
          () => "moved",
          (e: Error) => e.message,
        );
        expect(refused).to.equal("the destination already has API tokens: move into a fresh database only");
        await other.close();

        expect(await moveOwnTables(from.db, to.db)).to.deep.equal({
          tokens: 2,
          audit: 3,
          idempotency: 0,
          uploads: 1,
          webhooks: 1,
          deliveries: 1,
        });
        const client = await clientOf(to.db, desk.token);
        expect(client?.name).to.equal("desk");
        expect(await clientOf(to.db, gone.token)).to.equal(undefined);
        const audit = await to.db.selectFrom("audit_log").selectAll().execute();
        const [moved] = await to.db.selectFrom("upload_jobs").selectAll().execute();
        expect(Number(moved.id)).to.not.equal(Number(job.id));
        expect(audit.map((a) => [Number(a.token_id), a.path, a.tx_hash])).to.deep.equal([
          [client!.id, "/v1/credit/loans", "0x01"],
          [client!.id, `/v1/credit/uploads/${moved.id}`, "0x02"],
          [client!.id, "/v1/credit/uploads/4242", null],
        ]);
        // The job's run ended with the old database: a service starting on the new one marks it interrupted. A job
        // of a run still registered there (another live service's, adversarial review 4, C-F3) is left running.
        // A run whose lease lapsed (it died while another service kept running) is not alive either.
        const seen = Math.floor(Date.now() / 1000);
        await to.db
          .insertInto("service_runs")
          .values([
            { run: "live", signer: "0xabc", host: "elsewhere", pid: 1, started_at: 1, seen_at: seen },
            { run: "lapsed", signer: "0xdef", host: "elsewhere", pid: 1, started_at: 1, seen_at: seen - 60 },
          ])
          .execute();
        const added = [];
        for (const run of ["live", "lapsed"]) {
          const row = await to.db
            .insertInto("upload_jobs")
            .values({ ...jobRow, token_id: client!.id, run })
            .returning("id")
            .executeTakeFirstOrThrow();
          added.push(Number(row.id));
        }
        expect(await interruptJobs(to.db)).to.equal(2);
        const statuses = await to.db.selectFrom("upload_jobs").select(["id", "status"]).orderBy("id").execute();
        expect(statuses.map((j) => [Number(j.id), j.status])).to.deep.equal([
          [Number(moved.id), "interrupted"],
          [added[0], "running"],
          [added[1], "interrupted"],
        ]);
        const hooks = await to.db.selectFrom("webhooks").selectAll().execute();
        expect(hooks.map((h) => [Number(h.token_id), h.cursor])).to.deep.equal([[client!.id, "12:3"]]);
        const deliveries = await to.db.selectFrom("webhook_deliveries").selectAll().execute();
        expect(deliveries.map((d) => Number(d.webhook_id))).to.deep.equal([Number(hooks[0].id)]);
      } finally {
        await to.close();
        await from.close();
      }
    });
  }
});
