import { expect } from "chai";
import { encodeBytes32String, type Wallet } from "ethers";
import { network } from "hardhat";

import { sampleLoan, syntheticId } from "../../scripts/lib/loans.js";
import { deployWorld } from "../../scripts/lib/world.js";
import { newSalt } from "../../src/commitments.js";
import { LOAN_CSV_HEADER, inquire, loanIdOf, recordConsent } from "../../src/credit.js";
import { borrowerKey } from "../../src/keys.js";
import { createToken, parseRoles } from "../../service/auth.js";
import type { RunningService } from "../../service/server.js";

import { engines, serviceOperator, startTestService } from "./engines.js";

const connection = await network.create();
const { ethers } = connection;

interface LoanSummary {
  id: string;
  ref: string;
  borrowerKey: string;
  lender: number;
  status: string;
  principal: string;
  outstanding: string;
  currency: string;
  originated: string;
  matures: string;
}

describe("service reads: the lender desk's loans and its upload's flags", function () {
  let world: Awaited<ReturnType<typeof deployWorld>>;
  let operator: Wallet;
  before(async function () {
    world = await deployWorld(connection);
    // The service signs with a key of its own, an operator of QuickLend.
    operator = await serviceOperator(ethers.provider, world, "quicklend");
  });

  for (const store of engines()) {
    after(() => store.cleanup());

    describe(store.name, function () {
      let service: RunningService;
      let desk: string;
      let regulator: string;
      before(async function () {
        service = await startTestService(ethers.provider, world.deployment, await store.fresh(), {
          signer: operator,
          consortiumKey: async () => world.key,
        });
        const db = service.database.db;
        desk = (await createToken(db, "quicklend desk", parseRoles("lender-desk"))).token;
        regulator = (await createToken(db, "regulator", parseRoles("regulator"))).token;
      });
      after(async () => service?.stop());

      const get = (path: string, token: string) =>
        fetch(service.url + path, { headers: { authorization: `Bearer ${token}` } });
      const ref = (r: string) => `${store.name.slice(0, 2).toUpperCase()}-R${r}`;
      const n = () => store.name.length;

      it("test_creditLoans_thisMembersLoansOnly_newestFirstInPages", async function () {
        const loan = (i: number) => ({
          borrowerType: "CN-RIC",
          borrowerId: `11010119900308${n()}${String(i).padStart(3, "0")}`,
          ref: ref(`L${i}`),
          principal: "20000.00",
          outstanding: "18500.00",
          originated: "2026-03-01",
          matures: "2027-03-01",
          salt: newSalt(),
        });
        for (const i of [1, 2]) {
          const res = await fetch(`${service.url}/v1/credit/loans`, {
            method: "POST",
            headers: { authorization: `Bearer ${desk}`, "content-type": "application/json" },
            body: JSON.stringify(loan(i)),
          });
          expect(res.status).to.equal(201);
        }
        // Another member's loan, registered after them: not QuickLend's to list.
        const other = sampleLoan(world.key, { loanRef: ref("G1"), idNumber: syntheticId(800 + n()) });
        await (await world.contracts.credit.connect(world.admins.golfo).registerLoan(other)).wait();
        await service.caughtUp();

        const first = await get("/v1/credit/loans?pageSize=1", desk);
        expect(first.status).to.equal(200);
        const [newest] = (await first.json()) as LoanSummary[];
        expect(newest).to.deep.include({
          id: loanIdOf(world.ids.quicklend, ref("L2")),
          ref: ref("L2"),
          borrowerKey: borrowerKey(world.key, "CN-RIC", loan(2).borrowerId),
          lender: Number(world.ids.quicklend),
          status: "Active",
          principal: "20000.00",
          outstanding: "18500.00",
          originated: "2026-03-01",
          matures: "2027-03-01",
        });
        const link = first.headers.get("link");
        expect(link).to.match(/rel="next"/);
        const next = await get(/<([^>]+)>/.exec(link!)![1], desk);
        const [second] = (await next.json()) as LoanSummary[];
        expect(second.ref).to.equal(ref("L1"));

        const all = (await (await get("/v1/credit/loans", desk)).json()) as LoanSummary[];
        expect(all.map((l) => l.ref)).to.include.members([ref("L1"), ref("L2")]);
        expect(all.map((l) => l.ref)).to.not.include(ref("G1"));
        expect(all.every((l) => l.lender === Number(world.ids.quicklend))).to.equal(true);

        expect((await get("/v1/credit/loans", regulator)).status).to.equal(403);
      });

      it("test_uploadJob_borrowerOfAnotherLender_namesTheFlagRaised", async function () {
        const credit = world.contracts.credit;
        const policy = await credit.policy();
        const {
          maxLenders,
          maxInquiries,
          inquiryWindow,
          maxPlatformShareBps,
          maxOutstanding,
          mode,
          maxAprBps,
          graceDays,
        } = policy;
        // One lender per borrower, flagged (not refused): a second lender's loan raises DistinctLenders.
        await (
          await credit.connect(world.governor).setPolicy({
            maxLenders: 1,
            maxInquiries,
            inquiryWindow,
            maxPlatformShareBps,
            maxOutstanding,
            mode: 0,
            maxAprBps,
            graceDays,
          })
        ).wait();
        try {
          const idNumber = syntheticId(900 + n());
          const golfo = sampleLoan(world.key, { loanRef: ref("G2"), idNumber });
          await (await credit.connect(world.admins.golfo).registerLoan(golfo)).wait();
          const line = `${ref("U1")},CN-RIC,${idNumber},ConsumerLoan,5000,5000,2026-03-01,2027-03-01,${newSalt()}`;
          const res = await fetch(`${service.url}/v1/credit/uploads`, {
            method: "POST",
            headers: { authorization: `Bearer ${desk}`, "content-type": "text/csv" },
            body: [LOAN_CSV_HEADER.join(","), line].join("\n"),
          });
          expect(res.status).to.equal(202);
          const { id } = ((await res.json()) as { result: { id: number } }).result;
          type Job = { status: string; sent: number; flags: { loanId: string; borrowerKey: string; limit: string }[] };
          let job: Job | undefined;
          // Done, and the read model has indexed what it sent (generous limit: 60 s).
          for (let i = 0; i < 1_200; i++) {
            job = (await (await get(`/v1/credit/uploads/${id}`, desk)).json()) as Job;
            if (job.status !== "running" && job.flags.length > 0) break;
            await new Promise((r) => setTimeout(r, 50));
          }
          expect(job).to.deep.include({ status: "done", sent: 1 });
          expect(job!.flags.map((f) => [f.loanId, f.borrowerKey, f.limit])).to.deep.equal([
            [loanIdOf(world.ids.quicklend, ref("U1")), borrowerKey(world.key, "CN-RIC", idNumber), "DistinctLenders"],
          ]);
        } finally {
          await (
            await credit.connect(world.governor).setPolicy({
              maxLenders,
              maxInquiries,
              inquiryWindow,
              maxPlatformShareBps,
              maxOutstanding,
              mode,
              maxAprBps,
              graceDays,
            })
          ).wait();
        }
      });

      it("test_borrowerReport_consentHeldByAnotherMember_onlyWhileThatHolderIsActive", async function () {
        // Golfo holds the borrower's consent and covers QuickLend, whose operator (the service's key) inquires
        // under it on the chain; the desk may then read the report, until the governor suspends Golfo.
        const key = borrowerKey(world.key, "CN-RIC", `11010119900309${n()}001`);
        const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
        const { id } = await recordConsent(world.contracts.consents.connect(world.admins.golfo), {
          borrowerKey: key,
          documentHash: `0x${"ab".repeat(31)}${n().toString(16).padStart(2, "0")}`,
          purpose: "NewCredit",
          expiresAt: now + 30n * 86_400n,
          covered: [world.ids.quicklend],
        });
        await inquire(world.contracts.credit.connect(operator), key, "NewCredit", id);
        await service.caughtUp();
        const report = () => get(`/v1/credit/borrowers/${key}/report`, desk);
        expect((await report()).status).to.equal(200);
        const reason = encodeBytes32String("REVIEW");
        await (await world.contracts.members.connect(world.governor).suspend(world.ids.golfo, reason)).wait();
        try {
          await service.caughtUp();
          const refused = await report();
          expect([refused.status, refused.headers.get("content-type")]).to.deep.equal([
            403,
            "application/problem+json",
          ]);
          expect(((await refused.json()) as { detail: string }).detail).to.match(/made no inquiry/);
        } finally {
          await (await world.contracts.members.connect(world.governor).reinstate(world.ids.golfo, reason)).wait();
        }
        await service.caughtUp();
        expect((await report()).status).to.equal(200);
      });
    });
  }
});
