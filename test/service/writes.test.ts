import { spawnSync } from "node:child_process";
import { hostname } from "node:os";

import { expect } from "chai";
import { Wallet } from "ethers";
import { network } from "hardhat";

import { consentCommitment, newSalt } from "../../src/commitments.js";
import { LOAN_CSV_HEADER, isoDate, loanIdOf } from "../../src/credit.js";
import { Frequency, dueDay } from "../../src/schedule.js";
import { sampleLoan } from "../../scripts/lib/loans.js";
import { borrowerKey } from "../../src/keys.js";
import { borrowerReport } from "../../src/report.js";
import { openDatabase } from "../../service/db.js";
import { migrate } from "../../service/migrations.js";
import { processGone, registerRun } from "../../service/writes.js";
import { deployWorld } from "../../scripts/lib/world.js";
import { createToken, parseRoles, revokeToken } from "../../service/auth.js";
import type { RunningService } from "../../service/server.js";

import { engines, serviceOperator, startTestService } from "./engines.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

const LOAN = {
  borrowerType: "CN-RIC",
  borrowerId: "110101199003077777",
  ref: "QL-API-1",
  product: "ConsumerLoan",
  principal: "20000.00",
  outstanding: "18500.00",
  originated: "2026-03-01",
  matures: "2027-03-01",
};

interface Answer {
  txHashes: string[];
  events: { name: string; contract: string; args: Record<string, unknown> }[];
  result: Record<string, unknown>;
}
interface ProblemBody {
  type?: string;
  status: number;
  detail: string;
  errors?: { pointer: string; detail: string }[];
  revert?: { name: string; args: Record<string, string> };
}

describe("service writes: the lender desk over HTTP", function () {
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
      let exporter: string;
      let regulator: string;
      before(async function () {
        service = await startTestService(ethers.provider, world.deployment, await store.fresh(), {
          signer: operator,
          consortiumKey: async () => world.key,
        });
        const db = service.database.db;
        desk = (await createToken(db, "quicklend desk", parseRoles("lender-desk"))).token;
        exporter = (await createToken(db, "exporter", parseRoles("exporter"))).token;
        regulator = (await createToken(db, "regulator", parseRoles("regulator"))).token;
      });
      after(async () => service?.stop());

      const post = (path: string, token: string, body: unknown, headers: Record<string, string> = {}) =>
        fetch(service.url + path, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
          body: typeof body === "string" ? body : JSON.stringify(body),
        });
      const ref = (r: string) => `${store.name.slice(0, 2).toUpperCase()}-${r}`;
      const keyOf = (id: string) => borrowerKey(world.key, "CN-RIC", id);

      it("test_registerLoan_isSentIndexedAndReadBack", async function () {
        const loan = { ...LOAN, ref: ref("1"), salt: newSalt() };
        const res = await post("/v1/credit/loans", desk, loan);
        expect(res.status).to.equal(201);
        const body = (await res.json()) as Answer;
        expect(body.txHashes).to.have.length(1);
        const registered = body.events.find((e) => e.name === "LoanRegistered");
        expect(registered?.contract).to.equal("CreditRegistry");
        const id = loanIdOf(world.ids.quicklend, loan.ref);
        expect(body.result.loanIds).to.deep.equal([id]);
        expect(body.result.borrower).to.equal("CN-RIC ****7777");
        const onChain = await world.contracts.credit.getLoan(id);
        expect(onChain.outstanding).to.equal(1_850_000n);

        // Indexed, then read back from the read model: the same exposure as the chain's view.
        await service.caughtUp();
        const key = keyOf(LOAN.borrowerId);
        const read = (await (
          await fetch(`${service.url}/v1/credit/borrowers/${key}/exposure`, {
            headers: { authorization: `Bearer ${desk}` },
          })
        ).json()) as Record<string, unknown>;
        const chain = await world.contracts.credit.exposureOf(key);
        expect([read.activeLoans, read.outstanding]).to.deep.equal([
          Number(chain.activeLoans),
          String(chain.outstanding),
        ]);

        // Every write is audited: who, what, the transaction.
        const audit = await service.database.db
          .selectFrom("audit_log")
          .selectAll()
          .where("action", "=", "credit.register")
          .execute();
        expect(audit.map((a) => [a.status, a.tx_hash])).to.deep.include([201, body.txHashes[0]]);
      });

      it("test_repayStatusAndInquiry_answerWithTheirEffects", async function () {
        // A borrower of this engine's run only (both engines' runs share the chain).
        const loan = { ...LOAN, ref: ref("2"), borrowerId: `11010119900307${store.name.length}888`, salt: newSalt() };
        expect((await post("/v1/credit/loans", desk, loan)).status).to.equal(201);
        const repaid = (await (
          await post(`/v1/credit/loans/${loan.ref}/repayments`, desk, { amount: "500.00" })
        ).json()) as Answer;
        expect(repaid.result).to.include({ outstanding: "18000.00", currency: "CNY" });
        const status = (await (
          await post(`/v1/credit/loans/${loan.ref}/status`, desk, { to: "Overdue" })
        ).json()) as Answer;
        expect(status.result).to.deep.equal({ ref: loan.ref, from: "Active", to: "Overdue" });
        // The lender records the borrower's consent, inquires under it, then records its withdrawal: a second
        // inquiry under it is refused by the chain, with the error named.
        const recorded = await post("/v1/credit/consents", desk, {
          borrowerType: "CN-RIC",
          borrowerId: loan.borrowerId,
          document: `borrower authorization ${loan.ref}`,
          purpose: "NewCredit",
          expires: isoDate(Math.floor((await networkHelpers.time.latest()) / 86_400) + 30),
        });
        expect(recorded.status).to.equal(201);
        const consent = (await recorded.json()) as Answer;
        const consentId = String(consent.result.consentId);
        expect(consentId).to.match(/^0x[0-9a-f]{64}$/);
        expect(consent.events.map((e) => e.name)).to.deep.equal(["ConsentRecorded"]);
        // The document is committed to with a salt the service drew, returned for the lender to keep.
        expect(consent.result.documentHash).to.equal(
          consentCommitment(`borrower authorization ${loan.ref}`, String(consent.result.documentSalt)),
        );
        const body = { borrowerType: "CN-RIC", borrowerId: loan.borrowerId, consentId, purpose: "NewCredit" };
        const inquiry = await post("/v1/credit/inquiries", desk, { ...body, amount: "1000.00" });
        expect(inquiry.status).to.equal(200);
        const answer = (await inquiry.json()) as Answer;
        expect(answer.result.exposure).to.include({ activeLoans: 1, outstanding: "1800000" });
        expect(answer.result).to.include({ consentId, purpose: "NewCredit" });
        expect(answer.events.map((e) => e.name)).to.include("CreditInquired");
        expect(answer.result.policy).to.deep.include({ product: "ConsumerLoan", verdict: "within every limit" });
        // An APR above the policy's cap (36.00%) is judged as registering judges it: flagged in flag mode.
        const priced = await post("/v1/credit/inquiries", desk, { ...body, amount: "1000.00", aprBps: "3700" });
        expect(priced.status).to.equal(200);
        expect(((await priced.json()) as Answer).result.policy).to.deep.include({
          product: "ConsumerLoan",
          aprBps: 3700,
          verdict: "flagged",
          breaches: [{ limit: "Apr", value: "3700", max: "3600" }],
        });
        const badApr = await post("/v1/credit/inquiries", desk, { ...body, aprBps: "37%" });
        expect(badApr.status).to.equal(400);
        expect(((await badApr.json()) as { detail: string }).detail).to.include(
          "must be a whole number of basis points",
        );
        // Review 4, C-F1: naming another borrower's consent is refused without telling whose consent it is.
        const otherId = `11010119900307${store.name.length}777`;
        const mismatch = await post("/v1/credit/inquiries", desk, { ...body, borrowerId: otherId });
        expect(mismatch.status).to.equal(422);
        const problem = (await mismatch.json()) as { detail: string; revert: { name: string; args: object } };
        expect(problem.revert).to.deep.include({ name: "ConsentBorrowerMismatch" });
        expect(problem.revert.args).to.deep.equal({
          id: consentId,
          consentBorrower: "withheld",
          borrowerKey: keyOf(otherId),
        });
        expect(problem.detail.toLowerCase()).to.not.include(keyOf(loan.borrowerId).slice(2).toLowerCase());
        const wrongPurpose = await post("/v1/credit/inquiries", desk, { ...body, purpose: "Collections" });
        expect(wrongPurpose.status).to.equal(422);
        expect(((await wrongPurpose.json()) as { detail: string }).detail).to.match(/ConsentPurposeMismatch|purpose/i);
        const revoked = await post(`/v1/credit/consents/${consentId}/revoke`, desk, { reason: "WITHDRAWN" });
        expect(revoked.status).to.equal(200);
        const refused = await post("/v1/credit/inquiries", desk, body);
        expect(refused.status).to.equal(422);
        expect(((await refused.json()) as { detail: string }).detail).to.match(/ConsentRevokedAt|revoked|withdrawn/i);
        const badPurpose = await post("/v1/credit/inquiries", desk, { ...body, purpose: "None" });
        expect([badPurpose.status, badPurpose.headers.get("content-type")]).to.deep.equal([
          400,
          "application/problem+json",
        ]);

        // A consumer loan on 12 monthly instalments at 23.99%, 70 days past due, partly repaid, for the same borrower.
        const today = Math.floor((await networkHelpers.time.latest()) / 86_400);
        const plan = {
          instalments: 12,
          frequency: Frequency.Monthly,
          firstDueDay: today - 70,
          instalment: 100_000n,
          finalInstalment: 100_000n,
        };
        const planned = sampleLoan(world.key, {
          loanRef: ref("2P"),
          idNumber: loan.borrowerId,
          principal: 1_100_000n,
          outstanding: 1_150_000n,
          originated: isoDate(today - 100),
          matures: isoDate(dueDay(plan, 11)),
          aprBps: 2399,
          plan,
        });
        await (await world.contracts.credit.connect(world.admins.quicklend).registerLoan(planned)).wait();

        // The borrower's report from the read model is the SDK's report from the chain (the same JSON), but for the
        // time each was made.
        await service.caughtUp();
        const key = keyOf(loan.borrowerId);
        // Review 4, C-F1 and review 5, F1: the desk reads the report only after its member inquired under a consent
        // still in force; the one it inquired under is withdrawn.
        const report = () =>
          fetch(`${service.url}/v1/credit/borrowers/${key}/report`, { headers: { authorization: `Bearer ${desk}` } });
        const refusedReport = await report();
        expect([refusedReport.status, refusedReport.headers.get("content-type")]).to.deep.equal([
          403,
          "application/problem+json",
        ]);
        expect(((await refusedReport.json()) as { detail: string }).detail).to.match(/made no inquiry/);
        const renewed = await post("/v1/credit/consents", desk, {
          borrowerType: "CN-RIC",
          borrowerId: loan.borrowerId,
          document: `borrower authorization ${loan.ref}, renewed`,
          purpose: "AccountReview",
          expires: isoDate(Math.floor((await networkHelpers.time.latest()) / 86_400) + 30),
        });
        expect(renewed.status).to.equal(201);
        // A consent the desk recorded unlocks nothing by itself: the look-up must be the logged inquiry.
        await service.caughtUp();
        expect((await report()).status).to.equal(403);
        const renewedId = String(((await renewed.json()) as Answer).result.consentId);
        const reviewed = await post("/v1/credit/inquiries", desk, {
          ...body,
          consentId: renewedId,
          purpose: "AccountReview",
        });
        expect(reviewed.status).to.equal(200);
        await service.caughtUp();
        const served = (await (
          await fetch(`${service.url}/v1/credit/borrowers/${key}/report`, {
            headers: { authorization: `Bearer ${desk}` },
          })
        ).json()) as Record<string, unknown>;
        const { contracts } = world;
        const fromChain = JSON.parse(
          JSON.stringify(
            await borrowerReport({
              credit: contracts.credit,
              consents: contracts.consents,
              score: contracts.score,
              key,
            }),
          ),
        ) as Record<string, unknown>;
        expect((served.inquiries as unknown[]).length).to.equal(3); // the first, the priced one, the review
        expect((served.loans as { daysPastDue: number; instalments?: unknown }[])[1]).to.deep.include({
          daysPastDue: 70,
          instalments: { due: 3, paid: 0 },
        });
        expect({ ...served, generatedAt: "" }).to.deep.equal({ ...fromChain, generatedAt: "" });
      });

      it("test_registerPlanLoan_answersItsComputedAprAndPlan_andTheLoanListShowsThem", async function () {
        const today = Math.floor((await networkHelpers.time.latest()) / 86_400);
        const planned = {
          borrowerType: "CN-RIC",
          borrowerId: `11010119900307${store.name.length}555`,
          ref: ref("PLAN"),
          principal: "11000.00",
          originated: isoDate(today),
          instalments: "12",
          frequency: "Monthly",
          firstDue: isoDate(today + 30),
          instalment: "1000.00",
        };
        const res = await post("/v1/credit/loans", desk, planned);
        expect(res.status).to.equal(201);
        const answer = (await res.json()) as Answer;
        // No APR given: the one the cash flows imply (11,000 advanced, 12 monthly 1,000 repaid) is registered.
        const aprBps = Number(answer.result.aprBps);
        expect(aprBps).to.be.greaterThan(1_500).and.lessThan(2_000);
        expect(answer.result.plan).to.deep.include({ instalments: 12, frequency: "Monthly", instalment: "1000.00" });
        await service.caughtUp();
        const list = (await (
          await fetch(`${service.url}/v1/credit/loans`, { headers: { authorization: `Bearer ${desk}` } })
        ).json()) as { ref: string; aprBps: number | null; apr: string | null; instalments: number | null }[];
        const row = list.find((l) => l.ref === planned.ref);
        expect(row).to.deep.include({
          aprBps,
          apr: `${Math.floor(aprBps / 100)}.${String(aprBps % 100).padStart(2, "0")}%`,
          instalments: 12,
        });
        expect(list.find((l) => l.ref === ref("1"))).to.deep.include({ aprBps: null, apr: null, instalments: null });

        // Its first instalment missed: anyone's desk applies what time changed (the chain's ageLoan), once.
        await networkHelpers.time.increase(45 * 86_400);
        const loanId = (answer.result.loanIds as string[])[0];
        const aged = await post("/v1/credit/loans/age", desk, { loanId });
        expect(aged.status).to.equal(200);
        const agedBody = (await aged.json()) as Answer;
        expect(agedBody.result.loanId).to.equal(loanId);
        expect(agedBody.result.daysPastDue).to.be.within(15, 16);
        expect([agedBody.result.bucket, agedBody.result.bucketMoved]).to.deep.equal([
          "1-30",
          { from: "current", to: "1-30" },
        ]);
        const again = await post("/v1/credit/loans/age", desk, { loanId });
        expect([again.status, ((await again.json()) as ProblemBody).revert?.name]).to.deep.equal([
          422,
          "CreditNothingToAge",
        ]);
        const bad = await post("/v1/credit/loans/age", desk, { loanId: "0x12" });
        expect([bad.status, ((await bad.json()) as ProblemBody).errors?.[0].pointer]).to.deep.equal([400, "/loanId"]);
      });

      it("test_idempotentRetry_returnsTheFirstAnswerAndSendsNothing", async function () {
        const loan = { ...LOAN, ref: ref("3"), borrowerId: "110101199003079999", salt: newSalt() };
        const key = { "idempotency-key": `register-${loan.ref}` };
        const first = await post("/v1/credit/loans", desk, loan, key);
        expect(first.status).to.equal(201);
        const firstBody = await first.text();
        const block = await ethers.provider.getBlockNumber();
        const again = await post("/v1/credit/loans", desk, loan, key);
        expect(again.status).to.equal(201);
        expect(again.headers.get("idempotent-replayed")).to.equal("true");
        expect(await again.text()).to.equal(firstBody);
        expect(await ethers.provider.getBlockNumber()).to.equal(block);
        // The same key for another request is refused, and nothing is sent.
        const other = await post("/v1/credit/loans", desk, { ...loan, ref: ref("3b") }, key);
        expect(other.status).to.equal(422);
        expect(((await other.json()) as ProblemBody).detail).to.include("was first used for a different request");
        expect(await ethers.provider.getBlockNumber()).to.equal(block);

        // The stored row keeps neither the body's ids nor the record's salt readable: the request hash is keyed and
        // the answer sealed, both with keys derived from the consortium key.
        const db = service.database.db;
        const row = await db.selectFrom("idempotency").selectAll().where("key", "=", key["idempotency-key"]).execute();
        expect(row).to.have.length(1);
        expect(row[0].response).to.match(/^v1\.[A-Za-z0-9+/]+=*$/);
        expect(row[0].response).to.not.include(loan.salt.slice(2));
        expect(row[0].response).to.not.include("9999");
        expect(row[0].request_hash).to.match(/^[0-9a-f]{64}$/);

        // A row another run of the service left in flight with nothing signed: this run takes the key over and
        // runs the request (here the chain refuses the loan it already has: the handler ran, nothing is sent).
        const firstHash = row[0].request_hash;
        const dead = { token_id: row[0].token_id, request_hash: firstHash, created_at: Math.floor(Date.now() / 1000) };
        await db
          .insertInto("idempotency")
          .values({ ...dead, key: "crashed-unsigned", status: null, response: null, owner: "dead-run", signed: null })
          .execute();
        const takeOver = async (idempotencyKey: string) => {
          const res = await post("/v1/credit/loans", desk, loan, { "idempotency-key": idempotencyKey });
          return [res.status, ((await res.json()) as ProblemBody).revert?.name];
        };
        const ranAgain = [422, "CreditLoanAlreadyRegistered"];
        expect(await takeOver("crashed-unsigned")).to.deep.equal(ranAgain);
        expect(await ethers.provider.getBlockNumber()).to.equal(block);
        // Owned by another run whose lease is alive (a second service on this database, still serving it): 409, not
        // taken; once its lease has lapsed, taken over.
        const seen = Math.floor(Date.now() / 1000);
        await db
          .insertInto("service_runs")
          .values({ run: "live-run", signer: "0xlive", host: "elsewhere", pid: 1, started_at: seen, seen_at: seen })
          .execute();
        await db
          .insertInto("idempotency")
          .values({ ...dead, key: "other-run", status: null, response: null, owner: "live-run", signed: null })
          .execute();
        expect(await takeOver("other-run")).to.deep.equal([409, undefined]);
        await db
          .updateTable("service_runs")
          .set({ seen_at: seen - 60 })
          .where("run", "=", "live-run")
          .execute();
        expect(await takeOver("other-run")).to.deep.equal(ranAgain);
        // Owned by this run but served by none of its requests (a database failure stopped one): taken over too.
        const mine = await db
          .selectFrom("service_runs")
          .select("run")
          .where("signer", "=", operator.address.toLowerCase())
          .executeTakeFirstOrThrow();
        await db
          .insertInto("idempotency")
          .values({ ...dead, key: "own-run", status: null, response: null, owner: mine.run, signed: null })
          .execute();
        expect(await takeOver("own-run")).to.deep.equal(ranAgain);
        expect(await ethers.provider.getBlockNumber()).to.equal(block);

        // The same with a transaction signed: it may have been mined, so the key's answer is what it did, and
        // nothing is sent again, then or on the next retry.
        const firstTx = (JSON.parse(firstBody) as Answer).txHashes[0];
        await db
          .insertInto("idempotency")
          .values({ ...dead, key: "crashed-signed", status: null, response: null, owner: "dead-run", signed: firstTx })
          .execute();
        for (const attempt of [1, 2]) {
          const interrupted = await post("/v1/credit/loans", desk, loan, { "idempotency-key": "crashed-signed" });
          const body = (await interrupted.json()) as ProblemBody & { txHashes: string[]; events: { name: string }[] };
          expect([attempt, interrupted.status, body.type]).to.deep.equal([
            attempt,
            500,
            "https://tradeline.dev/problems/write-interrupted",
          ]);
          expect(body.txHashes).to.deep.equal([firstTx]);
          expect(body.events.map((e) => e.name)).to.include("LoanRegistered");
        }
        expect(await ethers.provider.getBlockNumber()).to.equal(block);
      });

      it("test_signingRuns_oneLivePerKey_aStoppedOneTakenOver", async function () {
        const opened = openDatabase(await store.fresh(), ":memory:");
        try {
          await migrate(opened.db as never, opened.engine);
          const db = opened.db;
          const first = await registerRun(db, "run-1", operator.address, 1);
          // A second run for the same key while the first renews its lease: refused once the lease would have lapsed.
          const refused = await registerRun(db, "run-2", operator.address, 1).then(
            () => "started",
            (err: unknown) => String(err),
          );
          expect(refused).to.match(/another service signing as 0x[0-9a-fA-F]{40} is running on this database/);
          await first.stop();
          await (await registerRun(db, "run-2", operator.address, 1)).stop();
          // A run of this machine whose process is gone (a crash): taken over, its lease notwithstanding.
          const gone = spawnSync(process.execPath, ["-e", ""]).pid;
          const seen = Math.floor(Date.now() / 1000);
          await db
            .insertInto("service_runs")
            .values({
              run: "crashed",
              signer: operator.address.toLowerCase(),
              host: hostname(),
              pid: gone,
              started_at: seen,
              seen_at: seen,
            })
            .execute();
          const third = await registerRun(db, "run-3", operator.address, 1);
          expect((await db.selectFrom("service_runs").select("run").execute()).map((r) => r.run)).to.deep.equal([
            "run-3",
          ]);
          await third.stop();
          // The process check itself: gone only for a process of this machine that has exited.
          expect([
            processGone(hostname(), gone!),
            processGone(hostname(), process.pid),
            processGone("another-machine", gone!),
          ]).to.deep.equal([true, false, false]);
          expect(await db.selectFrom("service_runs").selectAll().execute()).to.deep.equal([]);
        } finally {
          await opened.close();
        }
      });

      it("test_lostBroadcastAnswer_keepsTheKeysAnswer_andNeverSendsTwice", async function () {
        // The node takes the transaction but its answer is lost: the hash was recorded before broadcasting, so the
        // key answers with it and a retry sends nothing again.
        const lossy = new Proxy(ethers.provider, {
          get(target, prop, receiver) {
            if (prop === "broadcastTransaction") {
              return async (signed: string) => {
                await target.broadcastTransaction(signed);
                throw new Error("socket hang up");
              };
            }
            const v = Reflect.get(target, prop, receiver) as unknown;
            return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
          },
        });
        const lossyService = await startTestService(ethers.provider, world.deployment, await store.fresh(), {
          signer: new Wallet(operator.privateKey, lossy),
          consortiumKey: async () => world.key,
        });
        try {
          const token = (await createToken(lossyService.database.db, "desk", parseRoles("lender-desk"))).token;
          const loan = { ...LOAN, ref: ref("lost"), borrowerId: `11010119900307${store.name.length}555` };
          const send = () =>
            fetch(lossyService.url + "/v1/credit/loans", {
              method: "POST",
              headers: {
                authorization: `Bearer ${token}`,
                "content-type": "application/json",
                "idempotency-key": `lost-${loan.ref}`,
              },
              body: JSON.stringify(loan),
            });
          const first = await send();
          const body = (await first.json()) as ProblemBody & { txHashes: string[] };
          expect(first.status).to.equal(500);
          expect(body.txHashes).to.have.length(1);
          const mined = await ethers.provider.getTransactionReceipt(body.txHashes[0]);
          expect(mined?.status).to.equal(1);
          const block = await ethers.provider.getBlockNumber();
          const retry = await send();
          expect([retry.status, retry.headers.get("idempotent-replayed")]).to.deep.equal([500, "true"]);
          expect(((await retry.json()) as { txHashes: string[] }).txHashes).to.deep.equal(body.txHashes);
          expect(await ethers.provider.getBlockNumber()).to.equal(block);
          const audit = await lossyService.database.db.selectFrom("audit_log").selectAll().execute();
          expect(audit.map((a) => [a.action, Number(a.status), a.tx_hash])).to.deep.equal([
            ["credit.register", 500, body.txHashes[0]],
          ]);
        } finally {
          await lossyService.stop();
        }
      });

      it("test_badInput_getsItsProblem_andNothingIsSent", async function () {
        const block = await ethers.provider.getBlockNumber();
        const audited = (await service.database.db.selectFrom("audit_log").select("id").execute()).length;
        const malformed = await post("/v1/credit/loans", desk, "{not json");
        expect(malformed.status).to.equal(400);
        expect(malformed.headers.get("content-type")).to.equal("application/problem+json");
        const wrongType = (await (
          await post("/v1/credit/loans", desk, { ...LOAN, principal: 20000 })
        ).json()) as ProblemBody;
        expect(wrongType.status).to.equal(400);
        expect(wrongType.errors?.[0].pointer).to.equal("/principal");
        const unknownField = (await (
          await post("/v1/credit/loans", desk, { ...LOAN, rate: "5" })
        ).json()) as ProblemBody;
        expect([unknownField.status, unknownField.errors?.[0].pointer]).to.deep.equal([400, "/rate"]);
        const tooPrecise = (await (
          await post("/v1/credit/loans", desk, { ...LOAN, principal: "12.345" })
        ).json()) as ProblemBody;
        expect([tooPrecise.status, tooPrecise.errors?.[0].pointer]).to.deep.equal([400, "/principal"]);
        expect(tooPrecise.detail).to.include("not a decimal number with at most 2 decimals");
        const badId = (await (
          await post("/v1/credit/loans", desk, { ...LOAN, borrowerId: "1101#99" })
        ).json()) as ProblemBody;
        expect([badId.status, badId.errors?.[0].pointer]).to.deep.equal([400, "/borrowerId"]);
        expect(badId.detail).to.not.include("1101#99");
        const jointWithout = (await (
          await post("/v1/credit/loans", desk, { ...LOAN, product: "JointLoan" })
        ).json()) as ProblemBody;
        expect([jointWithout.status, jointWithout.errors?.[0].pointer]).to.deep.equal([400, "/funders"]);
        // A field over 256 characters is refused by the schema; nothing of it is echoed.
        const long = (await (
          await post("/v1/credit/loans", desk, { ...LOAN, ref: "R".repeat(257) })
        ).json()) as ProblemBody;
        expect([long.status, long.errors?.[0].pointer]).to.deep.equal([400, "/ref"]);
        expect(JSON.stringify(long)).to.not.include("R".repeat(257));
        const badKey = await post("/v1/credit/loans", desk, LOAN, { "idempotency-key": "with space" });
        expect(badKey.status).to.equal(400);
        expect(await ethers.provider.getBlockNumber()).to.equal(block);
        // Every refusal is audited: the desk's (in the write's action) and those made before any handler ran.
        const rows = await service.database.db
          .selectFrom("audit_log")
          .select(["action", "status", "tx_hash"])
          .orderBy("id")
          .offset(audited)
          .limit(100)
          .execute();
        expect(rows.map((r) => [r.action, Number(r.status), r.tx_hash])).to.deep.equal([
          ...Array(3).fill(["refused", 400, null]),
          ...Array(3).fill(["credit.register", 400, null]),
          ["refused", 400, null],
          ["refused", 400, null],
        ]);
      });

      it("test_rolesAndReverts_areRefused_withNothingSent", async function () {
        const block = await ethers.provider.getBlockNumber();
        const loan = { ...LOAN, ref: ref("4"), salt: newSalt() };
        for (const token of [exporter, regulator]) {
          const res = await post("/v1/credit/loans", token, loan);
          expect(res.status).to.equal(403);
        }
        expect(await ethers.provider.getBlockNumber()).to.equal(block);
        // A loan reference already used: the chain's decoded error, and nothing sent.
        const again = await post("/v1/credit/loans", desk, { ...LOAN, ref: ref("1"), salt: newSalt() });
        expect(again.status).to.equal(422);
        const problem = (await again.json()) as ProblemBody;
        expect(problem.revert?.name).to.equal("CreditLoanAlreadyRegistered");
        expect(problem.revert?.args.id).to.equal(loanIdOf(world.ids.quicklend, ref("1")));
        expect(await ethers.provider.getBlockNumber()).to.equal(block);
      });

      it("test_csvUpload_badLinesAllNamed_thenAJob_thenResumedByLoanRef", async function () {
        const upload = (text: string) =>
          fetch(`${service.url}/v1/credit/uploads?batchSize=2`, {
            method: "POST",
            headers: { authorization: `Bearer ${desk}`, "content-type": "text/csv" },
            body: text,
          });
        const n = store.name.length;
        const line = (i: number, principal = "8000") =>
          `${ref(`U${i}`)},CN-RIC,1101011990031${n}${String(i).padStart(3, "0")},ConsumerLoan,${principal},${principal},2026-03-01,2027-03-01,${newSalt()}`;
        const block = await ethers.provider.getBlockNumber();
        const bad = await upload([LOAN_CSV_HEADER.join(","), line(1), line(2, "12.345"), "x,y", line(3)].join("\n"));
        expect(bad.status).to.equal(400);
        const problem = (await bad.json()) as ProblemBody;
        expect(problem.errors?.map((e) => e.pointer)).to.deep.equal(["/lines/3", "/lines/4"]);
        expect(problem.errors?.[1].detail).to.equal("expected 9 fields, found 2");
        expect(await ethers.provider.getBlockNumber()).to.equal(block);
        const notCsv = await post("/v1/credit/uploads", desk, { file: "x" });
        expect(notCsv.status).to.equal(400);

        // Lines the chain would refuse under an enforced outstanding limit of 10,000.00, found by simulating every
        // batch before the answer: a 400 naming the line, with no job and nothing sent. One line over the limit
        // alone; and two loans of 8,000.00 to one borrower, placed in different batches of two (a borrower's rows
        // are simulated in one batch, so the limit they reach together is seen).
        const policy = await world.contracts.credit.policy();
        const { maxLenders, maxInquiries, inquiryWindow, maxPlatformShareBps, maxAprBps, graceDays } = policy;
        const limit = (maxOutstanding: bigint, mode: bigint) =>
          world.contracts.credit
            .connect(world.governor)
            .setPolicy({
              maxLenders,
              maxInquiries,
              inquiryWindow,
              maxPlatformShareBps,
              maxOutstanding,
              mode,
              maxAprBps,
              graceDays,
            })
            .then((tx) => tx.wait());
        await limit(1_000_000n, 1n);
        const jobs = async () => (await service.database.db.selectFrom("upload_jobs").select("id").execute()).length;
        const jobsBefore = await jobs();
        const limited = await ethers.provider.getBlockNumber();
        const again = (i: number) => line(i).replace(ref(`U${i}`), ref(`U${i}b`));
        const files = [
          { rows: [line(90), line(91), line(92, "20000")], line: 4 },
          { rows: [line(93), line(95), line(94), again(95)], line: 5 },
        ];
        const refusals = [];
        for (const f of files) {
          const refused = await upload([LOAN_CSV_HEADER.join(","), ...f.rows].join("\n"));
          refusals.push({ status: refused.status, body: (await refused.json()) as ProblemBody, line: f.line });
        }
        const blockAfter = await ethers.provider.getBlockNumber();
        await limit(policy.maxOutstanding, policy.mode);
        for (const r of refusals) {
          expect([r.status, r.body.errors?.map((e) => e.pointer)]).to.deep.equal([400, [`/lines/${r.line}`]]);
          expect(r.body.errors?.[0].detail).to.match(/^would be refused: CreditPolicyLimitExceeded\(/);
        }
        expect(blockAfter).to.equal(limited);
        expect(await jobs()).to.equal(jobsBefore);

        const lines = [1, 2, 3, 4, 5].map((i) => line(i));
        // A first upload of the first three lines stands for a run cut off after them.
        const first = await upload([LOAN_CSV_HEADER.join(","), ...lines.slice(0, 3)].join("\n"));
        expect(first.status).to.equal(202);
        const job = ((await first.json()) as Answer).result as { id: number; pending: number };
        expect(job.pending).to.equal(3);
        const progress = async (id: number) => {
          for (;;) {
            const res = await fetch(`${service.url}/v1/credit/uploads/${id}`, {
              headers: { authorization: `Bearer ${desk}` },
            });
            const body = (await res.json()) as {
              status: string;
              sent: number;
              alreadyRegistered: number;
              txHashes: string[];
            };
            if (body.status !== "running") return body;
            await new Promise((r) => setTimeout(r, 50));
          }
        };
        expect(await progress(job.id)).to.include({ status: "done", sent: 3 });
        const whole = await upload([LOAN_CSV_HEADER.join(","), ...lines].join("\n"));
        const resumed = ((await whole.json()) as Answer).result as {
          id: number;
          pending: number;
          alreadyRegistered: number;
        };
        expect([resumed.pending, resumed.alreadyRegistered]).to.deep.equal([2, 3]);
        const done = await progress(resumed.id);
        expect(done).to.include({ status: "done", sent: 2 });
        expect(done.txHashes).to.have.length(1);
        for (const i of [1, 2, 3, 4, 5]) {
          expect((await world.contracts.credit.getLoan(loanIdOf(world.ids.quicklend, ref(`U${i}`)))).status).to.equal(
            1n,
          );
        }
        // Another token's job is not this token's to read.
        const other = await fetch(`${service.url}/v1/credit/uploads/${job.id}`, {
          headers: { authorization: `Bearer ${regulator}` },
        });
        expect(other.status).to.equal(403);
      });

      it("test_csvUpload_aRevokedTokensJob_sendsNoFurtherBatch", async function () {
        // Adversarial review 4, C-F2: a job started by a token that is revoked while it runs stops between batches.
        const db = service.database.db;
        const temp = await createToken(db, "temporary desk", parseRoles("lender-desk"));
        const n = store.name.length;
        const line = (i: number) =>
          `${ref(`R${i}`)},CN-RIC,1101011990041${n}${String(i).padStart(3, "0")},ConsumerLoan,8000,8000,2026-03-01,2027-03-01,${newSalt()}`;
        const sent = await ethers.provider.getTransactionCount(operator.address, "pending");
        let job: { id: number };
        await ethers.provider.send("evm_setAutomine", [false]);
        try {
          const res = await fetch(`${service.url}/v1/credit/uploads?batchSize=1`, {
            method: "POST",
            headers: { authorization: `Bearer ${temp.token}`, "content-type": "text/csv" },
            body: [LOAN_CSV_HEADER.join(","), line(1), line(2), line(3)].join("\n"),
          });
          expect(res.status).to.equal(202);
          job = ((await res.json()) as Answer).result as { id: number };
          // The first batch waits in the pool; the token is revoked before it is mined.
          while ((await ethers.provider.getTransactionCount(operator.address, "pending")) === sent) {
            await new Promise((r) => setTimeout(r, 20));
          }
          expect(await revokeToken(db, temp.id)).to.equal(true);
          await ethers.provider.send("evm_mine", []);
        } finally {
          await ethers.provider.send("evm_setAutomine", [true]);
        }
        const jobRow = () =>
          db.selectFrom("upload_jobs").selectAll().where("id", "=", job.id).executeTakeFirstOrThrow();
        let row = await jobRow();
        while (row.status === "running") {
          await new Promise((r) => setTimeout(r, 20));
          row = await jobRow();
        }
        expect([row.status, Number(row.sent)]).to.deep.equal(["interrupted", 1]);
        expect(row.error).to.match(/token that started this job was revoked: 1 of 3 loans were sent/);
        const statuses = [];
        for (const i of [1, 2, 3]) {
          statuses.push((await world.contracts.credit.getLoan(loanIdOf(world.ids.quicklend, ref(`R${i}`)))).status);
        }
        expect(statuses).to.deep.equal([1n, 0n, 0n]);
      });

      it("test_disputeSteps_eachToItsRole", async function () {
        const block = await ethers.provider.getBlockNumber();
        const step = (token: string, action: string) =>
          post("/v1/credit/disputes", token, {
            action,
            lender: Number(world.ids.quicklend),
            ref: ref("1"),
            reason: "R-1",
          });
        // A regulator's token does not answer for the lender, a lender's desk does not correct or resolve.
        expect((await step(regulator, "answer")).status).to.equal(403);
        expect((await step(desk, "resolve")).status).to.equal(403);
        expect((await step(desk, "correct")).status).to.equal(403);
        expect(await ethers.provider.getBlockNumber()).to.equal(block);
      });

      it("test_concurrentWritesFromOneKey_allLand", async function () {
        const loans = Array.from({ length: 8 }, (_, i) => ({
          ...LOAN,
          ref: ref(`C${i}`),
          borrowerId: `11010119900308${String(i).padStart(4, "0")}`,
          salt: newSalt(),
        }));
        const answers = await Promise.all(loans.map((l) => post("/v1/credit/loans", desk, l)));
        expect(answers.map((a) => a.status)).to.deep.equal(loans.map(() => 201));
        const hashes = await Promise.all(answers.map(async (a) => ((await a.json()) as Answer).txHashes[0]));
        expect(new Set(hashes).size).to.equal(loans.length);
        for (const l of loans) {
          expect((await world.contracts.credit.getLoan(loanIdOf(world.ids.quicklend, l.ref))).status).to.equal(1n);
        }
        expect(service.queue?.depth).to.equal(0);
      });
    });
  }
});
