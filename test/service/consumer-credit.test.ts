/**
 * The read model of consumer credit (issue 14), on both engines: a loan's terms (APR, instalment plan), its
 * delinquency bucket and days past due, a negative record's expiry, the consent book's consents and their
 * withdrawal, inquiries with the consent they relied on next to inquiries logged before the consent book, and the
 * routes that read them (the regulator's history, the borrower's report, the score).
 *
 * The logs are encoded with the contracts' own ABIs and go through the indexer's decoding (`eventRow`), so what is
 * tested is what a chain's logs become; the chain itself is not needed.
 */
import { expect } from "chai";
import { Interface, encodeBytes32String, id, type ContractRunner } from "ethers";

import { createApp } from "../../service/app.js";
import { createToken, parseRoles } from "../../service/auth.js";
import { openDatabase } from "../../service/db.js";
import { eventRow, followedContracts, type Followed, type IndexedDeployment } from "../../service/indexer.js";
import { migrate } from "../../service/migrations.js";
import { project, rebuild } from "../../service/projections.js";
import { PROJECTIONS } from "../../service/projections/index.js";
import { exposureOf } from "../../service/projections/credit.js";
import { percentOfBps } from "../../service/routes/credit-reads.js";
import { REASON_TEXTS } from "../../src/credit.js";
import type { EventRow } from "../../service/schema.js";
import { CreditRegistry__factory, CreditScore__factory } from "../../typechain-types/index.js";

import { engines } from "./engines.js";

const CHAIN = 31337;
const DAY = 86_400;
const T0 = 1_780_000_000; // 2026-05-28, a block time
const K = id("borrower K");
const L1 = id("loan 1");
const L2 = id("loan 2");
const C1 = id("consent 1");
const C2 = id("consent 2");
const DOC = id("signed consent document");
const LEGACY_CONSENT_HASH = id("old consent reference");
const LEGACY_PURPOSE = encodeBytes32String("NEW_LOAN");

const deployment = {
  memberRegistry: "0x0000000000000000000000000000000000000001",
  creditRegistry: "0x0000000000000000000000000000000000000002",
  receivableLedger: "0x0000000000000000000000000000000000000003",
  tradeSettlement: "0x0000000000000000000000000000000000000004",
  consentBook: "0x0000000000000000000000000000000000000005",
  tokens: {},
} as IndexedDeployment;
const followed = new Map(followedContracts(deployment).map((f) => [f.contract, f]));

/** The chain's logs, as the indexer stores them: one transaction per entry, each a block of its own. */
function chainOfLogs(): EventRow[] {
  const rows: EventRow[] = [];
  let block = 0;
  const tx = (at: number, logs: [contract: string, event: string, values: unknown[]][]) => {
    block += 1;
    logs.forEach(([contract, event, values], index) => {
      const f = followed.get(contract) as Followed;
      const encoded = f.iface.encodeEventLog(f.iface.getEvent(event)!, values);
      rows.push(
        eventRow(
          CHAIN,
          {
            blockNumber: block,
            blockHash: id(`block ${block}`),
            index,
            transactionHash: id(`tx ${block}`),
            transactionIndex: 0,
            address: f.address,
            topics: encoded.topics,
            data: encoded.data,
            removed: false,
          },
          f,
          at,
        ),
      );
    });
  };
  const today = Math.floor(T0 / DAY);
  const registered = (loan: string, principal: number): unknown[] => [
    loan,
    K,
    7,
    7,
    encodeBytes32String(loan === L1 ? "HX-1" : "HX-2"),
    0,
    principal,
    principal,
    today,
    today + 330,
    id(`commitment ${loan}`),
  ];
  // Block 1: a consumer loan on 12 monthly instalments at 23.99% APR.
  tx(T0, [
    ["CreditRegistry", "LoanRegistered", registered(L1, 12_000)],
    [
      "CreditRegistry",
      "LoanTermsRegistered",
      [L1, 2399, { instalments: 12, frequency: 1, firstDueDay: today + 30, instalment: 1000, finalInstalment: 1000 }],
    ],
  ]);
  // Block 2: lender 7 records the borrower's consent (covering member 9) and inquires under it.
  tx(T0 + 60, [
    ["ConsentBook", "ConsentRecorded", [C1, K, 7, DOC, 1, T0 + 90 * DAY, [9]]],
    ["CreditRegistry", "CreditInquired(uint32,bytes32,uint8,bytes32)", [7, K, 1, C1]],
    // A consent covering no member besides its holder.
    ["ConsentBook", "ConsentRecorded", [C2, K, 9, id("another document"), 2, T0 + 30 * DAY, []]],
  ]);
  // Block 3: an inquiry logged by the registry before the consent book (a free purpose and a consent hash).
  tx(T0 + 120, [
    ["CreditRegistry", "CreditInquired(uint32,bytes32,bytes32,bytes32)", [9, K, LEGACY_PURPOSE, LEGACY_CONSENT_HASH]],
  ]);
  // Block 4: 45 days past due: bucket 31-60, and Overdue.
  tx(T0 + 75 * DAY, [
    ["CreditRegistry", "LoanDelinquencyChanged", [L1, K, 0, 2, 45]],
    ["CreditRegistry", "LoanStatusChanged", [L1, K, 1, 3]],
  ]);
  // Block 5: the borrower withdraws the consent; its holder records it.
  tx(T0 + 76 * DAY, [["ConsentBook", "ConsentRevoked", [C1, K, 7, encodeBytes32String("WITHDRAWN")]]]);
  // Blocks 6-8: a second loan, written off; five years on, its negative record expires.
  tx(T0 + 77 * DAY, [["CreditRegistry", "LoanRegistered", registered(L2, 5_000)]]);
  tx(T0 + 78 * DAY, [["CreditRegistry", "LoanStatusChanged", [L2, K, 1, 5]]]);
  tx(T0 + 78 * DAY + 1826 * DAY, [["CreditRegistry", "NegativeRecordExpired", [L2, K]]]);
  // Blocks 9-11: a dispute on each loan; the one on loan 2 is resolved.
  tx(T0 + 1905 * DAY, [["CreditRegistry", "DisputeOpened", [L1, 9, K, encodeBytes32String("WRONG_DPD")]]]);
  tx(T0 + 1905 * DAY, [["CreditRegistry", "DisputeOpened", [L2, 9, K, encodeBytes32String("PAID")]]]);
  tx(T0 + 1906 * DAY, [["CreditRegistry", "DisputeResolved", [L2, 3, K, encodeBytes32String("UPHELD")]]]);
  return rows;
}

/**
 * A chain that answers CreditScore.scoreOf with 641, reasons Delinquency then Defaults, and the registry's reporting
 * currency CNY (and records the calls); `onAgeLoan` runs before it answers an `ageLoan` call (and may throw, as a
 * failing node).
 */
function scoreChain(calls: string[], onAgeLoan?: () => Promise<void>): ContractRunner {
  const score = new Interface(CreditScore__factory.abi);
  const registry = new Interface(CreditRegistry__factory.abi);
  return {
    provider: null,
    async call(tx) {
      if (String(tx.to).toLowerCase() === deployment.creditRegistry.toLowerCase()) {
        const name = registry.parseTransaction({ data: String(tx.data) })?.name;
        calls.push(`${name}()`);
        if (name === "ageLoan" && onAgeLoan !== undefined) await onAgeLoan();
        return registry.encodeFunctionResult("reportingCurrency", [encodeBytes32String("CNY").slice(0, 8)]);
      }
      const decoded = score.parseTransaction({ data: String(tx.data) });
      calls.push(`${decoded?.name}(${String(decoded?.args[0])})`);
      return score.encodeFunctionResult("scoreOf", [641, [2, 1, 0, 0]]);
    },
  } as ContractRunner;
}

for (const engine of engines()) {
  describe(`consumer credit read model (${engine.name})`, function () {
    after(() => engine.cleanup());

    async function loaded() {
      const database = openDatabase(await engine.fresh(), ":memory:");
      await migrate(database.db as never, database.engine);
      const rows = chainOfLogs();
      await database.db.insertInto("events").values(rows).execute();
      await database.db.transaction().execute((trx) => project(trx, PROJECTIONS, rows));
      return database;
    }

    it("test_projection_keepsTermsDelinquencyConsentsAndBothKindsOfInquiry", async function () {
      const { db, close } = await loaded();
      try {
        const loan = await db.selectFrom("loans").selectAll().where("id", "=", L1).executeTakeFirstOrThrow();
        expect([loan.status, Number(loan.apr_bps), Number(loan.bucket), Number(loan.days_past_due)]).to.deep.equal([
          "Overdue",
          2399,
          2,
          45,
        ]);
        expect(JSON.parse(loan.plan!)).to.deep.equal({
          instalments: 12,
          frequency: "Monthly",
          firstDueDay: Math.floor(T0 / DAY) + 30,
          instalment: "1000",
          finalInstalment: "1000",
        });
        const plain = await db.selectFrom("loans").selectAll().where("id", "=", L2).executeTakeFirstOrThrow();
        expect([plain.apr_bps, plain.plan, Number(plain.bucket), plain.days_past_due]).to.deep.equal([
          null,
          null,
          0,
          null,
        ]);
        expect(Number(plain.negative_expired_at)).to.equal(T0 + 78 * DAY + 1826 * DAY);

        const holderOnly = await db.selectFrom("consents").selectAll().where("id", "=", C2).executeTakeFirstOrThrow();
        expect([holderOnly.purpose, JSON.parse(holderOnly.covered), holderOnly.revoked_at]).to.deep.equal([
          "AccountReview",
          [],
          null,
        ]);
        const consent = await db.selectFrom("consents").selectAll().where("id", "=", C1).executeTakeFirstOrThrow();
        expect({
          id: consent.id,
          borrower: consent.borrower_key,
          holder: Number(consent.holder),
          purpose: consent.purpose,
          expiresAt: Number(consent.expires_at),
          covered: JSON.parse(consent.covered) as number[],
          revokedAt: Number(consent.revoked_at),
          revokedBy: Number(consent.revoked_by),
        }).to.deep.equal({
          id: C1,
          borrower: K,
          holder: 7,
          purpose: "NewCredit",
          expiresAt: T0 + 90 * DAY,
          covered: [9],
          revokedAt: T0 + 76 * DAY,
          revokedBy: 7,
        });

        const inquiries = await db
          .selectFrom("inquiries")
          .select(["lender", "purpose", "purpose_code", "consent_id", "consent_hash"])
          .orderBy("block_number")
          .execute();
        expect(
          inquiries.map((i) => [Number(i.lender), i.purpose, i.purpose_code, i.consent_id, i.consent_hash]),
        ).to.deep.equal([
          [7, "NewCredit", 1, C1, ""],
          [9, LEGACY_PURPOSE, null, null, LEGACY_CONSENT_HASH],
        ]);
      } finally {
        await close();
      }
    });

    it("test_negativeRecordExpired_stopsCountingTheDefault_andTheHistoryRecordsIt", async function () {
      const { db, close } = await loaded();
      try {
        const history = await db
          .selectFrom("exposure_history")
          .select(["block_number", "defaults"])
          .where("borrower_key", "=", K)
          .orderBy("block_number")
          .execute();
        const defaultsAt = new Map(history.map((h) => [Number(h.block_number), Number(h.defaults)]));
        expect([defaultsAt.get(7), defaultsAt.get(8)]).to.deep.equal([1, 0]);
        expect((await exposureOf(db, CHAIN, K, T0 + 2000 * DAY)).defaults).to.equal(0);
      } finally {
        await close();
      }
    });

    it("test_rebuild_replaysTheNewEventsToTheSameTables", async function () {
      const { db, close } = await loaded();
      try {
        const snapshot = async () => ({
          loans: await db.selectFrom("loans").selectAll().orderBy("id").execute(),
          consents: await db.selectFrom("consents").selectAll().execute(),
          inquiries: await db.selectFrom("inquiries").selectAll().orderBy("block_number").execute(),
        });
        const before = await snapshot();
        await db.transaction().execute((trx) => rebuild(trx, PROJECTIONS, CHAIN));
        expect(await snapshot()).to.deep.equal(before);
      } finally {
        await close();
      }
    });

    it("test_report_asksTheChainOutsideTheReadModelsSnapshot_andANodeThatFailsIsA503", async function () {
      const { db, close } = await loaded();
      try {
        const appWith = (onAgeLoan: () => Promise<void>) =>
          createApp({
            db,
            chainId: CHAIN,
            chainTime: async () => T0 + 2000 * DAY,
            health: async () => ({ chainHead: 0, indexedHead: 0, sinceSuccess: 0, stale: false }),
            deployment: { ...deployment, creditScore: "0x0000000000000000000000000000000000000006" } as never,
            chain: scoreChain([], onAgeLoan),
          });
        const regulator = { authorization: `Bearer ${(await createToken(db, "r", parseRoles("regulator"))).token}` };
        // While the chain is asked whether it holds L1, the read model answers another read: no snapshot holds its
        // connection (review 39, S1: on SQLite, its only one, so every other request and the indexer waited on the
        // node). The guard only ends a wait that would otherwise last as long as the report.
        let duringCall: string | undefined;
        const patient = appWith(async () => {
          duringCall = await Promise.race([
            db
              .selectFrom("events")
              .select("block_number")
              .limit(1)
              .execute()
              .then(() => "answered"),
            new Promise<string>((resolve) => setTimeout(() => resolve("held by the report"), 5_000)),
          ]);
        });
        const res = await patient.request(`/v1/credit/borrowers/${K}/report`, { headers: regulator });
        expect(res.status).to.equal(200);
        expect(duringCall).to.equal("answered");
        // A node that fails the call: the report is a 503, not a guess (review 39, P2).
        const failing = appWith(async () => {
          throw new Error("429 Too Many Requests");
        });
        const refused = await failing.request(`/v1/credit/borrowers/${K}/report`, { headers: regulator });
        expect(refused.status).to.equal(503);
        expect(((await refused.json()) as { detail: string }).detail).to.equal(
          "a loan's hold could not be read: retry",
        );
      } finally {
        await close();
      }
    });

    it("test_historyAndReport_showEachInquirysConsent_andTheScoreFromTheChain", async function () {
      const { db, close } = await loaded();
      try {
        const calls: string[] = [];
        const app = createApp({
          db,
          chainId: CHAIN,
          chainTime: async () => T0 + 2000 * DAY,
          health: async () => ({ chainHead: 0, indexedHead: 0, sinceSuccess: 0, stale: false }),
          deployment: { ...deployment, creditScore: "0x0000000000000000000000000000000000000006" } as never,
          chain: scoreChain(calls),
        });
        const regulator = { authorization: `Bearer ${(await createToken(db, "r", parseRoles("regulator"))).token}` };
        const desk = { authorization: `Bearer ${(await createToken(db, "d", parseRoles("lender-desk"))).token}` };

        const history = (await (
          await app.request(`/v1/regulator/borrowers/${K}/history`, { headers: regulator })
        ).json()) as {
          inquiries: {
            lender: number;
            purpose: string;
            consentId: string | null;
            consentHash: string | null;
            consent: unknown;
          }[];
          loans: { loanId: string; aprBps: number | null; bucket: number; daysPastDue: number | null }[];
        };
        expect(history.inquiries).to.deep.equal([
          {
            at: T0 + 60,
            txHash: id("tx 2"),
            lender: 7,
            purpose: "NewCredit",
            consentId: C1,
            consentHash: null,
            consent: {
              id: C1,
              holder: 7,
              purpose: "NewCredit",
              expiresAt: T0 + 90 * DAY,
              covered: [9],
              revoked: true,
              revokedAt: T0 + 76 * DAY,
            },
          },
          {
            at: T0 + 120,
            txHash: id("tx 3"),
            lender: 9,
            purpose: LEGACY_PURPOSE,
            consentId: null,
            consentHash: LEGACY_CONSENT_HASH,
            consent: null,
          },
        ]);
        expect(history.loans.map((l) => [l.aprBps, l.bucket, l.daysPastDue])).to.deep.equal([
          [2399, 2, 45],
          [null, 0, null],
        ]);
        const csv = await app.request(`/v1/regulator/borrowers/${K}/history?format=csv&part=inquiries`, {
          headers: regulator,
        });
        expect((await csv.text()).split("\n")[0]).to.equal("at,txHash,lender,purpose,consentId,consentHash,consent");

        // Review 4, C-F1: a lender desk reads a report only under a consent in force for its member; this service
        // signs for no member, and the borrower's consents ran out long ago. Nothing was asked of the chain.
        const refused = await app.request(`/v1/credit/borrowers/${K}/report`, { headers: desk });
        expect([refused.status, refused.headers.get("content-type")]).to.deep.equal([403, "application/problem+json"]);
        expect(calls).to.deep.equal([]);

        // The borrower's report, in the SDK's borrowerReport JSON, as of the chain's time (2000 days on).
        const res = await app.request(`/v1/credit/borrowers/${K}/report`, { headers: regulator });
        expect(res.status).to.equal(200);
        const report = (await res.json()) as Record<string, unknown> & {
          loans: Record<string, unknown>[];
          disputes: { open: Record<string, unknown>[]; closed: Record<string, unknown>[] };
        };
        const day = (offset: number) =>
          new Date((Math.floor(T0 / DAY) + offset) * DAY * 1000).toISOString().slice(0, 10);
        const isoAt = (t: number) => new Date(t * 1000).toISOString();
        expect([report.borrowerKey, report.generatedAt, report.currency]).to.deep.equal([
          K,
          isoAt(T0 + 2000 * DAY),
          { code: "CNY", decimals: 2 },
        ]);
        // Nothing repaid on the plan: every instalment has fallen due, the oldest on day 30, 1970 days ago.
        expect(report.loans[0]).to.deep.equal({
          loanId: L1,
          lender: 7,
          kind: "ConsumerLoan",
          status: "Overdue",
          principal: "12000",
          outstanding: "12000",
          originated: day(0),
          matures: day(330),
          aprBps: 2399,
          plan: {
            instalments: 12,
            frequency: "Monthly",
            firstDue: day(30),
            instalment: "1000",
            finalInstalment: "1000",
          },
          instalments: { due: 12, paid: 0 },
          daysPastDue: 1970,
          bucket: "90+",
        });
        expect(report.loans[1]).to.deep.include({ loanId: L2, status: "WrittenOff", aprBps: 0, daysPastDue: 0 });
        expect(report.loans[1]).to.not.have.property("plan");
        expect(report.inquiries).to.deep.equal([
          {
            lender: 7,
            at: isoAt(T0 + 60),
            purpose: "NewCredit",
            consentId: C1,
            consent: {
              holder: 7,
              purpose: "NewCredit",
              expiresAt: isoAt(T0 + 90 * DAY),
              revokedAt: isoAt(T0 + 76 * DAY),
            },
          },
          {
            lender: 9,
            at: isoAt(T0 + 120),
            purpose: "NEW_LOAN",
            consentId: null,
            consent: null,
            consentHash: LEGACY_CONSENT_HASH,
          },
        ]);
        expect(
          (report.consents as { consentId: string; covered: number[] }[]).map((c) => [c.consentId, c.covered]),
        ).to.deep.equal([
          [C1, [9]],
          [C2, []],
        ]);
        expect(report.disputes).to.deep.equal({
          open: [{ loanId: L1, openedBy: 9, openedAt: isoAt(T0 + 1905 * DAY), reason: "WRONG_DPD" }],
          closed: [
            {
              loanId: L2,
              openedBy: 9,
              openedAt: isoAt(T0 + 1905 * DAY),
              reason: "PAID",
              resolvedBy: 3,
              resolvedAt: isoAt(T0 + 1906 * DAY),
              outcome: "UPHELD",
            },
          ],
        });
        expect(report.score).to.deep.equal({
          score: 641,
          reasons: [
            { code: 2, attribute: "Delinquency", text: REASON_TEXTS[2] },
            { code: 1, attribute: "Defaults", text: REASON_TEXTS[1] },
          ],
        });

        const score = await app.request(`/v1/credit/borrowers/${K}/score`, { headers: regulator });
        expect(await score.json()).to.deep.equal(report.score);
        // The report asks the chain whether it holds L1 as last reported (review 38, R1): its bucket today (90+) is not
        // the one the read model has it counted in. This chain ages it, so the report shows today's bucket.
        expect(calls).to.deep.equal(["reportingCurrency()", `scoreOf(${K})`, "ageLoan()", `scoreOf(${K})`]);
      } finally {
        await close();
      }
    });

    it("test_scoreAndReport_refuseABadKey_andAre503WithoutAChain", async function () {
      const { db, close } = await loaded();
      try {
        const app = createApp({
          db,
          chainId: CHAIN,
          chainTime: async () => T0,
          health: async () => ({ chainHead: 0, indexedHead: 0, sinceSuccess: 0, stale: false }),
        });
        const desk = { authorization: `Bearer ${(await createToken(db, "d", parseRoles("lender-desk"))).token}` };
        for (const path of ["score", "report"]) {
          const bad = await app.request(`/v1/credit/borrowers/0x1234/${path}`, { headers: desk });
          expect([bad.status, bad.headers.get("content-type")]).to.deep.equal([400, "application/problem+json"]);
        }
        for (const path of ["score", "report"]) {
          const res = await app.request(`/v1/credit/borrowers/${K}/${path}`, { headers: desk });
          expect(res.status).to.equal(503);
          expect(((await res.json()) as { type: string }).type).to.match(/no-credit-score$/);
        }
      } finally {
        await close();
      }
    });
  });
}

describe("consumer credit formatting", function () {
  it("test_percentOfBps_givesTwoDecimals", function () {
    expect([0, 5, 2399, 3600, 100_000].map(percentOfBps)).to.deep.equal([
      "0.00%",
      "0.05%",
      "23.99%",
      "36.00%",
      "1000.00%",
    ]);
  });
});
