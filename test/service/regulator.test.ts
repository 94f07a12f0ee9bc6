import { expect } from "chai";
import { network } from "hardhat";

import { ephemeralKey, sampleLoan, syntheticId } from "../../scripts/lib/loans.js";
import { deployWorld } from "../../scripts/lib/world.js";
import { reasonCode } from "../../src/encoding.js";
import { consentPurpose, recordConsent } from "../../src/credit.js";
import { createToken, parseRoles } from "../../service/auth.js";

import { engines, startTestService } from "./engines.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

interface DisputeRow {
  loanId: string;
  borrowerKey: string;
  lender: number;
  state: string;
  reason: string;
}

describe("service: the regulator's reads", function () {
  let world: Awaited<ReturnType<typeof deployWorld>>;
  const loans: { who: string; id: string; ref: string; borrowerKey: string }[] = [];
  before(async function () {
    const key = ephemeralKey();
    world = await deployWorld(connection, undefined, key);
    const c = world.contracts.credit;
    const as = (who: string) => c.connect(world.admins[who]);
    await c.setPolicy({
      maxLenders: 1,
      maxInquiries: 5,
      inquiryWindow: 86_400,
      maxOutstanding: 0n,
      maxPlatformShareBps: 3_000,
      mode: 0,
      maxAprBps: 0,
      graceDays: 0,
    });
    // One borrower borrows from Huaxia then Golfo (a flag on Golfo's loan); a second borrows from Pacific alone.
    for (const [i, [who, borrower]] of (
      [
        ["huaxia", 1],
        ["golfo", 1],
        ["pacific", 2],
      ] as const
    ).entries()) {
      const input = sampleLoan(key, { loanRef: `REG-${i}`, idNumber: syntheticId(700 + borrower) });
      const consent = await recordConsent(world.contracts.consents.connect(world.admins[who]), {
        borrowerKey: String(input.borrowerKey),
        documentHash: ethers.id(`consent ${i}`),
        purpose: "NewCredit",
        expiresAt: (await networkHelpers.time.latest()) + 30 * 86_400,
      });
      await as(who).inquire(input.borrowerKey, consentPurpose("NewCredit"), consent.id);
      await as(who).registerLoan(input);
      loans.push({
        who,
        id: await c.loanId(world.ids[who], input.loanRef),
        ref: String(input.loanRef),
        borrowerKey: String(input.borrowerKey),
      });
    }
    // Disputes: Huaxia's loan disputed and resolved, then Golfo's and Pacific's opened (Pacific's answered).
    const regulator = c.connect(world.admins.regulator);
    await as("huaxia").openDispute(world.ids.huaxia, loans[0].ref, reasonCode("WRONG-AMOUNT"));
    await regulator.resolveDispute(world.ids.huaxia, loans[0].ref, reasonCode("NO-CHANGE"));
    await as("golfo").openDispute(world.ids.golfo, loans[1].ref, reasonCode("NOT-MINE"));
    await as("pacific").openDispute(world.ids.pacific, loans[2].ref, reasonCode("WRONG-DATE"));
    await as("pacific").answerDispute(loans[2].ref, reasonCode("CHECKED"));
  });

  for (const store of engines()) {
    after(() => store.cleanup());
    it(`test_regulatorDisputes_byState_newestFirstWithBorrowerAndLender (${store.name})`, async function () {
      const service = await startTestService(ethers.provider, world.deployment, await store.fresh());
      try {
        await service.caughtUp();
        const db = service.database.db;
        const regulator = (await createToken(db, "regulator", parseRoles("regulator"))).token;
        const desk = (await createToken(db, "desk", parseRoles("lender-desk"))).token;
        const get = (path: string, token = regulator) =>
          fetch(service.url + path, { headers: { authorization: `Bearer ${token}` } });
        const rows = async (path: string) => (await (await get(path)).json()) as DisputeRow[];

        const every = await rows("/v1/regulator/disputes");
        expect(every.map((d) => [d.loanId, d.state, d.lender, d.borrowerKey, d.reason])).to.deep.equal([
          [loans[2].id, "Answered", Number(world.ids.pacific), loans[2].borrowerKey, reasonCode("WRONG-DATE")],
          [loans[1].id, "Open", Number(world.ids.golfo), loans[1].borrowerKey, reasonCode("NOT-MINE")],
          [loans[0].id, "Resolved", Number(world.ids.huaxia), loans[0].borrowerKey, reasonCode("WRONG-AMOUNT")],
        ]);
        expect((await rows("/v1/regulator/disputes?state=Unresolved")).map((d) => d.loanId)).to.deep.equal([
          loans[2].id,
          loans[1].id,
        ]);
        expect((await rows("/v1/regulator/disputes?state=Resolved")).map((d) => d.loanId)).to.deep.equal([loans[0].id]);

        // Pages of one follow the Link header to the end: every dispute once, in the same order.
        const paged: DisputeRow[] = [];
        for (let next: string | null = "/v1/regulator/disputes?pageSize=1"; next !== null; ) {
          const res = await get(next);
          paged.push(...((await res.json()) as DisputeRow[]));
          const link = res.headers.get("link");
          next = link === null ? null : /^<([^>]+)>; rel="next"$/.exec(link)![1];
        }
        expect(paged).to.deep.equal(every);

        const csv = await (await get("/v1/regulator/disputes?format=csv&state=Open")).text();
        const lines = csv.trim().split("\n");
        expect(lines[0]).to.equal(
          "loanId,openedAt,openedBy,reason,state,response,outcome,resolvedBy,resolvedAt,borrowerKey,lender",
        );
        expect(lines.slice(1)).to.have.length(1);
        expect(lines[1]).to.include(loans[1].id);

        const refused = await get("/v1/regulator/disputes", desk);
        expect(refused.status).to.equal(403);
        const bad = await get("/v1/regulator/disputes?state=Closed");
        expect(bad.status).to.equal(400);
        expect(((await bad.json()) as { errors: { pointer: string }[] }).errors[0].pointer).to.equal("/state");
      } finally {
        await service.stop();
      }
    });

    it(`test_regulatorFlags_eachFlag_namesTheLenderWhoseLoanRaisedIt (${store.name})`, async function () {
      const service = await startTestService(ethers.provider, world.deployment, await store.fresh());
      try {
        await service.caughtUp();
        const regulator = (await createToken(service.database.db, "regulator", parseRoles("regulator"))).token;
        const get = (path: string) => fetch(service.url + path, { headers: { authorization: `Bearer ${regulator}` } });
        const flags = (await (await get("/v1/regulator/flags")).json()) as {
          loanId: string;
          borrowerKey: string;
          lender: number;
          limit: string;
        }[];
        expect(flags.map((f) => [f.loanId, f.borrowerKey, f.lender, f.limit])).to.deep.equal([
          [loans[1].id, loans[1].borrowerKey, Number(world.ids.golfo), "DistinctLenders"],
        ]);
        const csv = (await (await get("/v1/regulator/flags?format=csv")).text()).trim().split("\n");
        expect(csv[0]).to.equal("at,block,txHash,borrowerKey,loanId,lender,limit,value,max");
        expect(csv[1].split(",")[5]).to.equal(String(world.ids.golfo));
      } finally {
        await service.stop();
      }
    });
  }
});
