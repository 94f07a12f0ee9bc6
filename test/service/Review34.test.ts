/**
 * Adversarial review 34, the service. Each test failed on the code before its fix:
 *
 * - S1: a loan's impossible date was refused as a bad `borrowerId` (pointer /borrowerId): the 400 named the wrong
 *   field. The desk checks `originated` and `matures` under their own names now.
 * - S2: a problem repeated the caller's whole request path (`instance`, and the 404's detail), and the audit log
 *   stored it, past the 40-character echo and 600-character clip the docs promise. `requestPath` clips it.
 * - S3: a webhook to an IPv4-compatible IPv6 literal of the metadata address (`[::a9fe:a9fe]`) was registered: an
 *   IPv6 address is public only in global unicast, 2000::/3, now.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { deployWorld } from "../../scripts/lib/world.js";
import { createToken, parseRoles } from "../../service/auth.js";
import type { RunningService } from "../../service/server.js";

import { memberService, roleToken, call } from "./engines.js";

const connection = await network.create();
const { ethers } = connection;

describe("adversarial review 34: the service", function () {
  let world: Awaited<ReturnType<typeof deployWorld>>;
  let s: RunningService;
  before(async function () {
    world = await deployWorld(connection);
    s = await memberService(ethers.provider, world, "huaxia");
  });
  after(async function () {
    await s?.stop();
  });

  for (const [field, dates] of [
    ["matures", { originated: "2026-01-01", matures: "2026-02-30" }],
    ["originated", { originated: "99999-01-01", matures: "2027-01-01" }],
  ] as const) {
    it(`S1: a loan whose ${field} is not a date is refused naming ${field}, and nothing is sent`, async function () {
      const desk = await roleToken(s, "lender-desk");
      const before = await ethers.provider.getBlockNumber();
      const r = await call(s.url, desk, "POST", "/v1/credit/loans", {
        borrowerType: "CN-RIC",
        borrowerId: "110101199003077777",
        ref: "R34-S1",
        principal: "100.00",
        ...dates,
      });
      expect(r.status).to.equal(400);
      expect(r.body.detail).to.match(
        new RegExp(`^${field}: ${field} "${dates[field]}" is not a valid YYYY-MM-DD date`),
      );
      expect(r.body.errors?.[0].pointer).to.equal(`/${field}`);
      expect(await ethers.provider.getBlockNumber()).to.equal(before);
    });
  }

  it("S2: a problem and the audit log repeat a long request path clipped, not whole", async function () {
    const token = (await createToken(s.database.db, "any", parseRoles("operator"))).token;
    const long = "A".repeat(8_000);
    // An unknown endpoint: the 404 quotes the path's first 40 characters, and its instance is clipped.
    const a = await call(s.url, token, "GET", `/v1/${long}`);
    expect(a.status).to.equal(404);
    expect(a.body.detail).to.equal(`no endpoint GET "/v1/${"A".repeat(36)}…" (8004 characters)`);
    expect(a.body.instance).to.have.length(200);
    expect(a.body.instance!.startsWith("/v1/AAAA")).to.equal(true);
    expect(a.body.instance!.endsWith("…")).to.equal(true);
    // A known endpoint with a bad parameter: the whole answer stays small.
    const b = await call(s.url, token, "GET", `/v1/trade/orders/${long}`);
    expect(b.status).to.be.oneOf([400, 403]);
    expect(b.body.instance).to.have.length(200);
    expect(b.text.length).to.be.lessThan(2_000);
    // A refused write is audited with the clipped path.
    const w = await call(s.url, token, "POST", `/v1/trade/orders/${long}/accept`, {});
    expect(w.status).to.be.within(400, 499);
    const row = await s.database.db
      .selectFrom("audit_log")
      .select(["path"])
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    expect(row.path).to.have.length(200);
    // A path of a normal length is repeated as it is.
    const c = await call(s.url, token, "GET", "/v1/nowhere");
    expect(c.body.instance).to.equal("/v1/nowhere");
    expect(c.body.detail).to.equal('no endpoint GET "/v1/nowhere"');
  });

  it("S3: a webhook to an IPv4-compatible IPv6 literal (::a9fe:a9fe is the metadata address) is refused", async function () {
    const token = await roleToken(s, "regulator");
    const count = async () =>
      (
        await s.database.db
          .selectFrom("webhooks")
          .select((e) => e.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow()
      ).n;
    const before = Number(await count());
    for (const url of ["http://169.254.169.254/latest/", "http://[::a9fe:a9fe]/latest/", "http://[::7f00:1]/"]) {
      const r = await call(s.url, token, "POST", "/v1/webhooks", { url });
      expect(r.status, r.text).to.equal(400);
    }
    const compat = await call(s.url, token, "POST", "/v1/webhooks", { url: "http://[::a9fe:a9fe]/latest/" });
    expect(compat.body.detail).to.contain("::a9fe:a9fe is a non-global address");
    expect(Number(await count())).to.equal(before);
  });
});
