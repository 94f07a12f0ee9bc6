/**
 * Regressions of the nineteenth adversarial review: differential checks of the read model against the chain's own
 * views after sequences of legitimate operations (a credit lifecycle with a plan, disputes, a write-off and its
 * retention, consents and inquiries). R19-1 failed before its fix: the review's proof of concept asserted the opposite.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { ephemeralKey, sampleLoan, syntheticId } from "../../scripts/lib/loans.js";
import { deployWorld } from "../../scripts/lib/world.js";
import { consentPurpose, isoDate, loanStatus, recordConsent, revokeConsent } from "../../src/credit.js";
import { reasonCode } from "../../src/encoding.js";
import { borrowerReport } from "../../src/report.js";
import { Frequency, dueDay } from "../../src/schedule.js";
import { exposureOf } from "../../service/projections/credit.js";
import { borrowerRecord } from "../../service/routes/borrower.js";
import { readModelReport } from "../../service/routes/report.js";
import { roleToken, startTestService } from "./engines.js";
import { checkMirror, withReadModel } from "./mirror.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const DAY = 86_400;

/** The consortium's policy in flag mode, with `overrides`. */
const flagPolicy = (overrides: { maxLenders?: number; maxInquiries?: number; maxAprBps?: number }) => ({
  maxLenders: 0,
  maxInquiries: 0,
  inquiryWindow: DAY,
  maxOutstanding: 0n,
  maxPlatformShareBps: 3_000,
  mode: 0,
  maxAprBps: 0,
  graceDays: 0,
  ...overrides,
});

describe("review 19: the read model against the chain", function () {
  it("a credit lifecycle with a plan, disputes, a write-off past its retention and a revoked consent reads as the chain", async function () {
    const key = ephemeralKey();
    const world = await deployWorld(connection, undefined, key);
    const c = world.contracts.credit;
    const as = (who: string) => c.connect(world.admins[who]);
    const regulator = c.connect(world.admins.regulator);
    await c.setPolicy(flagPolicy({ maxLenders: 1, maxInquiries: 1 }));
    const today = Math.floor((await networkHelpers.time.latest()) / DAY);
    const plan = {
      instalments: 6,
      frequency: Frequency.Monthly,
      firstDueDay: today - 40,
      instalment: 100_000n,
      finalInstalment: 100_000n,
    };
    const L1 = sampleLoan(key, {
      loanRef: "R19-PLAN",
      idNumber: syntheticId(1901),
      principal: 590_000n,
      outstanding: 600_000n,
      originated: isoDate(today - 70),
      matures: isoDate(dueDay(plan, 5)),
      aprBps: 2399,
      plan,
    });
    const L2 = sampleLoan(key, { loanRef: "R19-PLAIN", idNumber: syntheticId(1901) });
    const bk = String(L1.borrowerKey);
    const consent = await recordConsent(world.contracts.consents.connect(world.admins.huaxia), {
      borrowerKey: bk,
      documentHash: ethers.id("r19 consent"),
      purpose: "NewCredit",
      expiresAt: (await networkHelpers.time.latest()) + 30 * DAY,
    });
    await as("huaxia").inquire(bk, consentPurpose("NewCredit"), consent.id);
    await as("huaxia").registerLoan(L1);
    await as("golfo").registerLoan(L2);
    const id1 = await c.loanId(world.ids.huaxia, L1.loanRef);
    const id2 = await c.loanId(world.ids.golfo, L2.loanRef);
    await as("huaxia").fileLoanRepayment(L1.loanRef, 150_000n);
    await as("golfo").openDispute(world.ids.golfo, L2.loanRef, reasonCode("WRONG"));
    await as("golfo").answerDispute(L2.loanRef, reasonCode("CHECKED"));
    await regulator.resolveDispute(world.ids.golfo, L2.loanRef, reasonCode("UPHELD"));
    await as("golfo").fileLoanStatus(L2.loanRef, loanStatus("Overdue"));
    await as("golfo").fileLoanStatus(L2.loanRef, loanStatus("Defaulted"));
    await as("golfo").fileLoanStatus(L2.loanRef, loanStatus("WrittenOff"));
    await regulator.openDispute(world.ids.golfo, L2.loanRef, reasonCode("AGAIN"));
    await networkHelpers.time.increase(45 * DAY);
    await as("pacific").ageLoan(id1);
    await revokeConsent(world.contracts.consents.connect(world.admins.huaxia), consent.id, "WITHDRAWN");
    await networkHelpers.time.increase(5 * 366 * DAY);
    await as("pacific").ageLoan(id2);

    await withReadModel(":memory:", world.deployment, ethers.provider, async (db, chainId) => {
      const now = await networkHelpers.time.latest();
      await checkMirror(db, world, chainId, now);
      const chainReport = await borrowerReport({
        credit: c,
        consents: world.contracts.consents,
        score: world.contracts.score,
        key: bk,
      });
      const mirrored = await readModelReport(
        (read) => read(db),
        chainId,
        bk,
        now,
        chainReport.currency,
        chainReport.score,
        c,
      );
      expect(JSON.parse(JSON.stringify(mirrored))).to.deep.equal(JSON.parse(JSON.stringify(chainReport)));
      const x = await exposureOf(db, chainId, bk, now);
      const cx = await c.exposureOf(bk);
      expect([x.activeLoans, x.activeLenders, x.outstanding, x.defaults, x.inquiries]).to.deep.equal([
        Number(cx.activeLoans),
        Number(cx.activeLenders),
        cx.outstanding,
        Number(cx.defaults),
        Number(cx.inquiries),
      ]);
      const open = await db.selectFrom("loan_disputes").selectAll().where("state", "!=", "Resolved").execute();
      expect(open.map((d) => d.loan_id)).to.deep.equal([id2]);
      expect((await c.disputeOf(id2)).openedBy).to.equal(world.ids.regulator);
    });
  });

  it("R19-1: a retention a Regulator restarted reads as running again, not as ended years ago", async function () {
    const key = ephemeralKey();
    const world = await deployWorld(connection, undefined, key);
    const c = world.contracts.credit;
    const golfo = c.connect(world.admins.golfo);
    const regulator = c.connect(world.admins.regulator);
    const L = sampleLoan(key, { loanRef: "R19-WO", idNumber: syntheticId(1902) });
    const bk = String(L.borrowerKey);
    await golfo.registerLoan(L);
    const id = await c.loanId(world.ids.golfo, L.loanRef);
    for (const to of ["Overdue", "Defaulted", "WrittenOff"]) await golfo.fileLoanStatus(L.loanRef, loanStatus(to));
    // Five years on, a stranger ends the retention (NegativeRecordExpired): the history says so.
    await networkHelpers.time.increase(5 * 366 * DAY);
    await c.connect(world.admins.pacific).ageLoan(id);
    expect((await c.termsOf(id)).negativeUntil).to.equal(0n);
    await withReadModel(":memory:", world.deployment, ethers.provider, async (db, chainId) => {
      expect((await borrowerRecord(db, chainId, bk)).loans[0].negativeExpiredAt).to.not.equal(null);
    });
    // A Regulator, on a dispute, corrects the record to Defaulted, then to WrittenOff: a new retention runs.
    await regulator.openDispute(world.ids.golfo, L.loanRef, reasonCode("FRAUD-FOUND"));
    for (const status of ["Defaulted", "WrittenOff"]) {
      await regulator.correctLoan(
        world.ids.golfo,
        L.loanRef,
        { status: loanStatus(status), outstanding: L.outstanding, commitment: ethers.id(status) },
        reasonCode("RULING"),
      );
    }
    expect((await c.termsOf(id)).negativeUntil).to.be.greaterThan(
      BigInt(Math.floor((await networkHelpers.time.latest()) / DAY)),
    );
    expect((await c.exposureOf(bk)).defaults).to.equal(1n);
    await withReadModel(":memory:", world.deployment, ethers.provider, async (db, chainId) => {
      expect((await exposureOf(db, chainId, bk, await networkHelpers.time.latest())).defaults).to.equal(1);
      const record = await borrowerRecord(db, chainId, bk);
      expect(record.loans[0].status).to.equal("WrittenOff");
      expect(record.loans[0].negativeExpiredAt).to.equal(null);
    });
  });
  it("a regulator filters the policy flags by any limit the registry flags, the APR cap included", async function () {
    const key = ephemeralKey();
    const world = await deployWorld(connection, undefined, key);
    const c = world.contracts.credit;
    // Flag mode with a 20% APR cap: a 23.99% consumer loan is registered and flagged.
    await c.setPolicy(flagPolicy({ maxAprBps: 2000 }));
    const today = Math.floor((await networkHelpers.time.latest()) / DAY);
    const plan = {
      instalments: 6,
      frequency: Frequency.Monthly,
      firstDueDay: today + 30,
      instalment: 100_000n,
      finalInstalment: 100_000n,
    };
    const loan = sampleLoan(key, {
      loanRef: "R19-APR",
      idNumber: syntheticId(1903),
      principal: 590_000n,
      outstanding: 600_000n,
      originated: isoDate(today),
      matures: isoDate(dueDay(plan, 5)),
      aprBps: 2399,
      plan,
    });
    await expect(c.connect(world.admins.huaxia).registerLoan(loan)).to.emit(c, "MultiBorrowingFlagged");
    const service = await startTestService(ethers.provider, world.deployment, ":memory:");
    try {
      await service.caughtUp();
      const token = await roleToken(service, "regulator");
      const res = await fetch(`${service.url}/v1/regulator/flags?limit=Apr`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).to.equal(200);
      const flags = (await res.json()) as { borrowerKey: string; limit: string; value: string; max: string }[];
      expect(flags.map((f) => [f.borrowerKey, f.limit, f.value, f.max])).to.deep.equal([
        [String(loan.borrowerKey), "Apr", "2399", "2000"],
      ]);
    } finally {
      await service.stop();
    }
  });
});
