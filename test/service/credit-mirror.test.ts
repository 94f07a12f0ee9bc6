import { expect } from "chai";
import { network } from "hardhat";

import { ephemeralKey, sampleLoan, syntheticId } from "../../scripts/lib/loans.js";
import { deployWorld } from "../../scripts/lib/world.js";
import {
  LOAN_STATUSES,
  PRODUCT_KINDS,
  consentPurpose,
  isoDate,
  loanStatus,
  recordConsent,
  revokeConsent,
} from "../../src/credit.js";
import { Frequency, dueDay } from "../../src/schedule.js";
import { reasonCode } from "../../src/encoding.js";
import { openDatabase } from "../../service/db.js";
import { Indexer } from "../../service/indexer.js";
import { migrate } from "../../service/migrations.js";
import { project, rebuild } from "../../service/projections.js";
import { credit, exposureOf } from "../../service/projections/credit.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

describe("service read model: credit", function () {
  it("test_creditMirror_matchesGetLoanAndExposureOf_fieldByField", async function () {
    const key = ephemeralKey();
    const world = await deployWorld(connection, undefined, key);
    const c = world.contracts.credit;
    const as = (who: string) => c.connect(world.admins[who]);
    await c.setPolicy({
      maxLenders: 2,
      maxInquiries: 2,
      inquiryWindow: 86_400,
      maxOutstanding: 0n,
      maxPlatformShareBps: 3_000,
      mode: 0,
      maxAprBps: 0,
      graceDays: 0,
    });
    const loans = [];
    const consents: string[] = [];
    // Three borrowers; the first borrows from three lenders (flagged), repays, goes overdue, is disputed and corrected.
    for (const [i, [who, borrower]] of (
      [
        ["huaxia", 1],
        ["golfo", 1],
        ["pacific", 1],
        ["huaxia", 2],
        ["quicklend", 3],
      ] as const
    ).entries()) {
      const input = sampleLoan(key, { loanRef: `M-${i}`, idNumber: syntheticId(500 + borrower) });
      const consent = await recordConsent(world.contracts.consents.connect(world.admins[who]), {
        borrowerKey: String(input.borrowerKey),
        documentHash: ethers.id(`consent ${i}`),
        purpose: "NewCredit",
        expiresAt: (await networkHelpers.time.latest()) + 30 * 86_400,
      });
      await as(who).inquire(input.borrowerKey, consentPurpose("NewCredit"), consent.id);
      consents.push(consent.id);
      await as(who).registerLoan(input);
      loans.push({ who, input, id: await c.loanId(world.ids[who], input.loanRef) });
    }
    // A soft inquiry (a lender's review of its own account) is logged, not counted: the mirror counts as the registry
    // does (reviews 32, C2, and 33, E1). Pacific lends to a fourth borrower without a credit check, then reviews it.
    const reviewed = sampleLoan(key, { loanRef: "M-REVIEWED", idNumber: syntheticId(504) });
    await as("pacific").registerLoan(reviewed);
    const review = await recordConsent(world.contracts.consents.connect(world.admins.pacific), {
      borrowerKey: String(reviewed.borrowerKey),
      documentHash: ethers.id("account review consent"),
      purpose: "AccountReview",
      expiresAt: (await networkHelpers.time.latest()) + 30 * 86_400,
    });
    await as("pacific").inquire(reviewed.borrowerKey, consentPurpose("AccountReview"), review.id);
    consents.push(review.id);
    expect((await c.exposureOf(reviewed.borrowerKey)).inquiries).to.equal(0n);
    await as("huaxia").fileLoanRepayment(loans[0].input.loanRef, 1_000n);
    await as("golfo").fileLoanStatus(loans[1].input.loanRef, loanStatus("Overdue"));
    await as("golfo").fileLoanStatus(loans[1].input.loanRef, loanStatus("Defaulted"));
    await as("huaxia").fileLoanRepayment(loans[3].input.loanRef, loans[3].input.outstanding);
    await as("pacific").openDispute(world.ids.pacific, loans[2].input.loanRef, reasonCode("WRONG-AMOUNT"));
    await as("pacific").answerDispute(loans[2].input.loanRef, reasonCode("CHECKED"));
    const regulator = c.connect(world.admins.regulator);
    await regulator.correctLoan(
      world.ids.pacific,
      loans[2].input.loanRef,
      { status: loanStatus("Active"), outstanding: 7_000n, commitment: ethers.id("corrected") },
      reasonCode("RULING-1"),
    );
    await regulator.resolveDispute(world.ids.pacific, loans[2].input.loanRef, reasonCode("CORRECTED"));

    // A consumer loan on 12 monthly instalments at 23.99% APR, already 70 days past due when registered; a month
    // later a stranger ages it (bucket 90+, Overdue). And the first consent is withdrawn.
    const today = Math.floor((await networkHelpers.time.latest()) / 86_400);
    const plan = {
      instalments: 12,
      frequency: Frequency.Monthly,
      firstDueDay: today - 70,
      instalment: 100_000n,
      finalInstalment: 100_000n,
    };
    const planned = sampleLoan(key, {
      loanRef: "M-PLAN",
      idNumber: syntheticId(504),
      principal: 1_100_000n,
      outstanding: 1_200_000n,
      originated: isoDate(today - 100),
      matures: isoDate(dueDay(plan, 11)),
      aprBps: 2399,
      plan,
    });
    await as("huaxia").registerLoan(planned);
    const plannedId = await c.loanId(world.ids.huaxia, planned.loanRef);
    await networkHelpers.time.increase(30 * 86_400);
    await as("golfo").ageLoan(plannedId);
    await revokeConsent(world.contracts.consents.connect(world.admins.huaxia), consents[0], "WITHDRAWN");

    const { db, engine, close } = openDatabase(":memory:", ":memory:");
    await migrate(db as never, engine);
    const chainId = Number((await ethers.provider.getNetwork()).chainId);
    const indexer = new Indexer({
      db,
      provider: ethers.provider,
      chainId,
      deployment: world.deployment,
      fromBlock: 0,
      onEvents: (trx, rows) => project(trx, [credit], rows),
      onRollback: (trx) => rebuild(trx, [credit], chainId),
    });
    for (let r = await indexer.step(); r.indexed < r.head; r = await indexer.step());

    for (const l of loans) {
      const chain = await c.getLoan(l.id);
      const row = await db.selectFrom("loans").selectAll().where("id", "=", l.id).executeTakeFirstOrThrow();
      expect([
        row.borrower_key,
        BigInt(row.lender),
        row.kind,
        row.status,
        BigInt(row.principal),
        BigInt(row.outstanding),
      ]).to.deep.equal([
        chain.borrowerKey,
        chain.lender,
        PRODUCT_KINDS[Number(chain.kind)],
        LOAN_STATUSES[Number(chain.status)],
        chain.principal,
        chain.outstanding,
      ]);
      expect([BigInt(row.origination_day), BigInt(row.maturity_day)]).to.deep.equal([
        chain.originationDay,
        chain.maturityDay,
      ]);
    }
    const terms = await c.termsOf(plannedId);
    const row = await db.selectFrom("loans").selectAll().where("id", "=", plannedId).executeTakeFirstOrThrow();
    expect([row.apr_bps, row.bucket, row.status, JSON.parse(row.plan!).instalments]).to.deep.equal([
      2399,
      4,
      "Overdue",
      12,
    ]);
    expect([BigInt(row.apr_bps!), BigInt(row.bucket)]).to.deep.equal([terms.aprBps, terms.bucket]);
    expect(Number(row.days_past_due)).to.equal(100);
    const consentRows = await db.selectFrom("consents").selectAll().orderBy("recorded_block").execute();
    expect(consentRows.map((r) => [r.id, r.revoked_at !== null])).to.deep.equal(consents.map((id, i) => [id, i === 0]));
    const now = await networkHelpers.time.latest();
    const borrowers = [...new Set(loans.map((l) => l.input.borrowerKey))];
    for (const b of [...borrowers, reviewed.borrowerKey]) {
      const chain = await c.exposureOf(b);
      const mirrored = await exposureOf(db, chainId, String(b), now);
      expect([
        mirrored.activeLoans,
        mirrored.activeLenders,
        mirrored.outstanding,
        mirrored.defaults,
        mirrored.inquiries,
      ]).to.deep.equal(
        [chain.activeLoans, chain.activeLenders, chain.outstanding, chain.defaults, chain.inquiries]
          .map(Number)
          .map((v, i) => (i === 2 ? BigInt(v) : v)),
      );
    }
    // One row per transaction that changed a borrower: borrower 2 borrowed once and repaid in full in one
    // transaction (LoanRepaid to 0, then Repaid), so no row shows a live loan owing nothing.
    const history = await db
      .selectFrom("exposure_history")
      .select(["active_loans", "outstanding"])
      .where("borrower_key", "=", String(loans[3].input.borrowerKey))
      .orderBy("block_number")
      .orderBy("log_index")
      .execute();
    expect(history.map((h) => [Number(h.active_loans), h.outstanding])).to.deep.equal([
      [1, String(loans[3].input.outstanding)],
      [0, "0"],
    ]);
    // The third lender of borrower 1 broke maxLenders 2: flagged.
    const flags = await db.selectFrom("flags").selectAll().execute();
    expect(flags.map((f) => [f.borrower_key, f.limit_name, f.value, f.max])).to.deep.include([
      loans[0].input.borrowerKey,
      "DistinctLenders",
      "3",
      "2",
    ]);
    const dispute = await db.selectFrom("loan_disputes").selectAll().executeTakeFirstOrThrow();
    expect([dispute.loan_id, dispute.state, BigInt(dispute.resolved_by ?? 0)]).to.deep.equal([
      loans[2].id,
      "Resolved",
      world.ids.regulator,
    ]);
    expect((await c.disputeOf(loans[2].id)).openedBy).to.equal(0n);
    // An inquiry ages out of the window in the mirror as on the chain.
    await networkHelpers.time.increase(86_400);
    const later = await networkHelpers.time.latest();
    expect((await exposureOf(db, chainId, String(borrowers[0]), later)).inquiries).to.equal(
      Number((await c.exposureOf(borrowers[0])).inquiries),
    );
    expect(await db.selectFrom("inquiries").select("lender").execute()).to.have.length(6);
    await close();
  });
});
