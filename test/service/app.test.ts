import { expect } from "chai";

import { createApp } from "../../service/app.js";
import { createToken, parseRoles, revokeToken } from "../../service/auth.js";
import { openDatabase } from "../../service/db.js";
import { migrate } from "../../service/migrations.js";

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
    // An indexer that keeps failing makes the service unhealthy, with the cause.
    health = { chainHead: 14, indexedHead: 10, sinceSuccess: 40, stale: true, error: "eth_getLogs: range too large" };
    const failing = await app.request("/healthz");
    expect(failing.status).to.equal(503);
    expect(await failing.json()).to.deep.equal({
      chainHead: 14,
      indexedHead: 10,
      sinceSuccess: 40,
      error: "eth_getLogs: range too large",
      lag: 4,
    });
    health = { chainHead: 12, indexedHead: 10, sinceSuccess: 1, stale: false };
    const doc = (await (await app.request("/openapi.json")).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).to.equal("3.1.0");
    expect(Object.keys(doc.paths)).to.include("/healthz");
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
