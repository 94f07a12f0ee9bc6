import { writeFile, mkdtemp } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";

import { consentCommitment, newSalt } from "../../src/commitments.js";
import { consentIdOf, dayOf, isoDate } from "../../src/credit.js";
import type { BorrowerReport } from "../../src/report.js";
import { addMonths } from "../../src/schedule.js";
import { borrowerKey } from "../../src/keys.js";
import {
  age,
  check,
  consent as recordConsent,
  dispute,
  importFile,
  maskId,
  parseFunders,
  register,
  repay,
  report,
  revokeConsent,
  score,
  status,
} from "../../tasks/lib/credit.js";
import { ephemeralKey } from "../../scripts/lib/loans.js";
import { actAs, deployWorld } from "../../scripts/lib/world.js";
import { failure } from "../helpers/failure.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const key = ephemeralKey();

async function worldFixture() {
  const world = await deployWorld(connection);
  const as = (who: string) => actAs(world, who, key);
  return { world, as };
}

const LOAN = {
  borrowerType: "CN-RIC",
  borrowerId: "990101199003070011",
  ref: "HX-2026-0001",
  product: "ConsumerLoan",
  principal: "50000.00",
  outstanding: "",
  originated: "2026-01-15",
  matures: "2027-01-15",
  salt: "",
  funders: "",
};

async function csv(lines: string[]): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "tradeline-"));
  const file = path.join(dir, "loans.csv");
  await writeFile(file, `${lines.join("\n")}\n`);
  return file;
}
const BORROWER = { borrowerType: "CN-RIC", borrowerId: "990101199003070011" };

/** Records a consent of the test borrower with the credit:consent task as `who`; returns the id it printed. */
async function consentId(
  who: ReturnType<typeof actAs>,
  options: { purpose?: string; document?: string; covered?: string } = {},
): Promise<string> {
  const out = await recordConsent(
    who.contracts,
    { ...BORROWER, document: "signed form 7", purpose: "", expires: "2099-12-31", ...options },
    who.session,
  );
  const m = /^ {2}consent id: (0x[0-9a-f]{64})$/.exec(out[1]);
  expect(m, out.join("\n")).not.to.equal(null);
  return m![1];
}

const HEADER = "loan_ref,id_type,id_number,product,principal,outstanding,originated,matures,salt";
/** A distinct salt per loan line, as the import requires. */
const saltOf = (n: number): string => `0x${"ab".repeat(31)}${n.toString(16).padStart(2, "0")}`;

describe("credit tasks", function () {
  it("test_creditTasks_registerCheckRepayAndStatus", async function () {
    const { world, as } = await networkHelpers.loadFixture(worldFixture);
    const huaxia = as("huaxia");
    const out = await register(huaxia.contracts, LOAN, huaxia.session);
    expect(out[0]).to.equal("registered ConsumerLoan HX-2026-0001 for CN-RIC ****0011: 50000.00 CNY outstanding");
    expect(out.join("\n")).to.match(/active loans\s+active lenders\s+outstanding \(CNY\)/);
    expect(out.join("\n")).to.match(/salt: 0x[0-9a-f]{64} \(keep it with the record/);
    expect(out.join("\n")).not.to.contain("990101199003070011");

    const golfo = as("golfo");
    const out1 = await recordConsent(
      golfo.contracts,
      { ...BORROWER, document: "signed form 7", purpose: "NewCredit", expires: "2099-12-31" },
      golfo.session,
    );
    expect(out1[0]).to.equal(
      "consent recorded for CN-RIC ****0011: NewCredit, in force until 2100-01-01T00:00:00.000Z",
    );
    // The document is logged as a salted commitment, never as a hash of its text; the salt is printed to keep.
    const docLine = /^ {2}document commitment (0x[0-9a-f]{64}): keep its salt (0x[0-9a-f]{64}) with the/.exec(out1[2]);
    expect(docLine?.[1]).to.equal(consentCommitment("signed form 7", docLine![2]));
    const consent = /^ {2}consent id: (0x[0-9a-f]{64})$/.exec(out1[1])![1];
    expect(consent).to.equal(consentIdOf(world.ids.golfo, docLine![1]));
    const seen = await check(golfo.contracts, { ...BORROWER, purpose: "", consent, amount: "1000" }, golfo.session);
    expect(seen[0]).to.equal("exposure of CN-RIC ****0011 (inquiry logged for the regulator)");
    expect(seen[2]).to.match(/^\s+1\s+1\s+50000\.00\s+0\s+1$/);
    expect(seen[3]).to.equal("  policy: a new ConsumerLoan of 1000.00 CNY from member 6 stays within every limit");
    expect(seen[4]).to.equal(`  under consent ${consent} for NewCredit`);
    const inquiries = await world.contracts.credit.queryFilter(world.contracts.credit.filters.CreditInquired());
    expect(inquiries.at(-1)?.args.consent).to.equal(consent);
    const given = { ...BORROWER, purpose: "", amount: "" };
    // A hash is refused as a document, salted or not: the task cannot tell a commitment from a plain hash of the text.
    for (const document of [docLine![1], ethers.id("signed form 7")]) {
      expect(
        await failure(
          recordConsent(golfo.contracts, { ...BORROWER, document, purpose: "", expires: "2099-12-31" }, golfo.session),
        ),
      ).to.equal(
        "--document takes the signed consent's reference text, not a hash: it is committed to with a salt " +
          "(give --document-salt to repeat an earlier commitment)",
      );
    }
    expect(await failure(check(golfo.contracts, { ...given, consent: "signed form 7" }, golfo.session))).to.equal(
      "--consent takes a consent id (0x + 64 hex digits), as recording the consent printed it",
    );
    // The consent book refuses an inquiry for another purpose, or by a member the consent does not cover.
    expect(
      await failure(check(golfo.contracts, { ...given, consent, purpose: "Collections" }, golfo.session)),
    ).to.equal(`reverted: ConsentPurposeMismatch(id=${consent}, consentPurpose=NewCredit, purpose=Collections)`);
    expect(await failure(check(huaxia.contracts, { ...given, consent }, huaxia.session))).to.equal(
      `reverted: ConsentMemberNotCovered(id=${consent}, member=${world.ids.huaxia})`,
    );

    expect(await repay(huaxia.contracts, { ref: "HX-2026-0001", amount: "1000" })).to.include.members([
      "repaid 1000.00 CNY on HX-2026-0001",
      "  outstanding now 49000.00 CNY",
    ]);
    expect((await status(huaxia.contracts, { ref: "HX-2026-0001", to: "overdue" }, huaxia.session))[0]).to.equal(
      "loan HX-2026-0001: Active -> Overdue",
    );
    expect((await status(huaxia.contracts, { ref: "HX-2026-0001", to: "Defaulted" }, huaxia.session))[0]).to.equal(
      "loan HX-2026-0001: Overdue -> Defaulted",
    );
    const after = await check(golfo.contracts, { ...given, consent }, golfo.session);
    // golfo inquired twice: one distinct lender in the window (item 16)
    expect(after[2]).to.match(/^\s+1\s+1\s+49000\.00\s+1\s+1$/);
    expect(await world.contracts.credit.borrowerCount()).to.equal(1n);
    // A written-off debt is still collected: the collection names the lender's loan (review 34, C3).
    await status(huaxia.contracts, { ref: "HX-2026-0001", to: "WrittenOff" }, huaxia.session);
    const collecting = await recordConsent(
      huaxia.contracts,
      { ...BORROWER, document: "collections form 1", purpose: "Collections", expires: "2099-12-31" },
      huaxia.session,
    );
    const collection = /^ {2}consent id: (0x[0-9a-f]{64})$/.exec(collecting[1])![1];
    const collect = { ...given, consent: collection, purpose: "Collections" };
    const BORROWER_KEY = borrowerKey(key, BORROWER.borrowerType, BORROWER.borrowerId);
    expect(await failure(check(huaxia.contracts, collect, huaxia.session))).to.equal(
      `reverted: CreditNoAccountHeld(lender=${world.ids.huaxia}, borrowerKey=${BORROWER_KEY}, purpose=Collections)`,
    );
    expect(
      await failure(check(huaxia.contracts, { ...collect, purpose: "", loan: "HX-2026-0001" }, huaxia.session)),
    ).to.equal("--loan names the loan a Collections look-up collects; this look-up is NewCredit");
    expect(await failure(check(huaxia.contracts, { ...collect, loan: "HX 2026 0001" }, huaxia.session))).to.equal(
      'loan reference "HX 2026 0001" must be 1 to 31 printable ASCII characters without spaces',
    );
    const collected = await check(huaxia.contracts, { ...collect, loan: "HX-2026-0001" }, huaxia.session);
    expect(collected[4]).to.equal(`  under consent ${collection} for Collections`);
    expect((await world.contracts.credit.exposureOf(BORROWER_KEY)).inquiries).to.equal(1n); // not counted
    // Withdrawn, the consent supports no inquiry any more.
    expect((await revokeConsent(golfo.contracts, { consent, reason: "BORROWER-WITHDREW" }))[0]).to.equal(
      `consent ${consent} withdrawn: inquiries under it are refused from now`,
    );
    expect(await failure(check(golfo.contracts, { ...given, consent }, golfo.session))).to.match(
      new RegExp(`^reverted: ConsentRevokedAt\\(id=${consent}, revokedAt=\\d+\\)$`),
    );
  });

  it("test_creditTasks_checkShowsTheFlagAFourthLenderWouldRaise", async function () {
    const { as } = await networkHelpers.loadFixture(worldFixture);
    for (const [who, ref] of [
      ["huaxia", "HX-1"],
      ["golfo", "BG-1"],
      ["pacific", "PT-1"],
    ]) {
      const s = as(who);
      await register(s.contracts, { ...LOAN, ref }, s.session);
    }
    const quicklend = as("quicklend");
    const seen = await check(
      quicklend.contracts,
      { ...BORROWER, purpose: "", consent: await consentId(quicklend), amount: "5000" },
      quicklend.session,
    );
    expect(seen[3]).to.equal(
      "  policy (Flag mode): a new ConsumerLoan of 5000.00 CNY from member 8 would be FLAGGED: DistinctLenders 4 > limit 3",
    );
    // The APR is judged against the policy's cap (36.00%) for the products the cap covers, as registering judges it.
    const priced = { ...BORROWER, purpose: "", consent: await consentId(quicklend), amount: "5000", aprBps: "3601" };
    expect((await check(quicklend.contracts, priced, quicklend.session)).slice(3, 5)).to.deep.equal([
      "  policy (Flag mode): a new ConsumerLoan of 5000.00 CNY at APR 36.01% from member 8 would be FLAGGED: Apr 36.01% > limit 36.00%",
      "  policy (Flag mode): a new ConsumerLoan of 5000.00 CNY at APR 36.01% from member 8 would be FLAGGED: DistinctLenders 4 > limit 3",
    ]);
    const sme = await check(quicklend.contracts, { ...priced, product: "SmeLoan" }, quicklend.session);
    expect(sme.filter((l) => l.includes("Apr"))).to.deep.equal([]);
    expect(await failure(check(quicklend.contracts, { ...priced, aprBps: "36%" }, quicklend.session))).to.equal(
      '--apr-bps "36%" must be a whole number of basis points, e.g. 2387 for 23.87%',
    );
    const out = await register(quicklend.contracts, { ...LOAN, ref: "QL-1", principal: "5000" }, quicklend.session);
    expect(out).to.include("  FLAGGED multi-borrowing: DistinctLenders 4 > limit 3");
  });

  it("test_creditTasks_jointLoanAndDispute", async function () {
    const { world, as } = await networkHelpers.loadFixture(worldFixture);
    const huaxia = as("huaxia");
    const funders = `${world.ids.huaxia}:7000,${world.ids.quicklend}:3000`;
    const out = await register(huaxia.contracts, { ...LOAN, product: "JointLoan", funders }, huaxia.session);
    expect(out[0]).to.match(/^registered JointLoan HX-2026-0001/);
    expect(await failure(register(huaxia.contracts, { ...LOAN, ref: "X", funders }, huaxia.session))).to.equal(
      "a JointLoan needs --funders, and only a JointLoan takes them",
    );
    const regulator = as("regulator");
    const base = { lender: String(world.ids.huaxia), ref: "HX-2026-0001", to: "", outstanding: "", commitment: "" };
    expect((await dispute(regulator.contracts, { ...base, action: "open", reason: "CLAIM-1" }))[0]).to.equal(
      "dispute on HX-2026-0001: opened",
    );
    // A step's input it does not take is refused, not ignored: an answer's commitment is its reason's and salt's,
    // and the lender answering is the key's own member (review 34).
    const answer = { ...base, lender: "", action: "answer", reason: "statement attached" };
    const recordCommitment = consentCommitment("fixed", newSalt());
    expect(await failure(dispute(huaxia.contracts, { ...answer, commitment: recordCommitment }))).to.equal(
      "--commitment is not an input of a dispute's answer step",
    );
    expect(await failure(dispute(huaxia.contracts, { ...answer, lender: String(world.ids.huaxia) }))).to.equal(
      "--lender is not an input of a dispute's answer step",
    );
    expect(
      await failure(dispute(regulator.contracts, { ...base, action: "open", salt: newSalt(), reason: "x" })),
    ).to.equal("--salt is not an input of a dispute's open step");
    expect((await dispute(huaxia.contracts, answer))[0]).to.equal("dispute on HX-2026-0001: answered");
    const corrected = { ...base, action: "correct", reason: "RULING-1", to: "Active", outstanding: "100.00" };
    expect(await failure(dispute(regulator.contracts, corrected))).to.equal("--commitment is required");
    // A correction states its outstanding, 0 included: a missing option must not book a zero.
    expect(
      await failure(dispute(regulator.contracts, { ...corrected, outstanding: "", commitment: recordCommitment })),
    ).to.equal("--outstanding is required");
    expect(await failure(dispute(regulator.contracts, { ...corrected, commitment: ethers.ZeroHash }))).to.equal(
      "--commitment is zero: give the corrected record's commitment",
    );
    await dispute(regulator.contracts, { ...corrected, commitment: recordCommitment });
    expect((await dispute(regulator.contracts, { ...base, action: "resolve", reason: "RULING-1" }))[0]).to.equal(
      "dispute on HX-2026-0001: resolved",
    );
    expect(await failure(dispute(regulator.contracts, { ...base, action: "close", reason: "x" }))).to.equal(
      '--action "close": expected open, answer, correct or resolve',
    );
    const key0 = (await world.contracts.credit.exposureOf(borrowerKey(key, "CN-RIC", "990101199003070011"))) as {
      outstanding: bigint;
    };
    expect(key0.outstanding).to.equal(10_000n);
  });

  it("test_creditImport_sendsGoodFilesInBatches", async function () {
    const { world, as } = await networkHelpers.loadFixture(worldFixture);
    const file = await csv([
      HEADER,
      `QL-1,CN-RIC,990101199003070011,ConsumerLoan,20000.00,18500.00,2026-03-01,2027-03-01,${saltOf(1)}`,
      "# a comment line",
      `QL-2,CN-RIC,990305198811200022,ConsumerLoan,8000,8000,2026-10-15,2027-04-15,${saltOf(2)}`,
      `QL-3,USCC,91990000SYNTH00003,SmeLoan,250000.00,240000.00,2026-06-30,2028-06-30,${saltOf(3)}`,
    ]);
    const quicklend = as("quicklend");
    const out = await importFile(quicklend.contracts, { file, batchSize: "2" }, quicklend.session);
    expect(out[0]).to.equal(`imported 3 loan(s) from ${file} in 2 batch(es)`);
    expect(await world.contracts.credit.borrowerCount()).to.equal(3n);
  });

  it("test_creditImport_reportsEveryBadLineAndSendsNothing", async function () {
    const { world, as } = await networkHelpers.loadFixture(worldFixture);
    const file = await csv([
      HEADER,
      `QL-1,CN-RIC,990101199003070011,ConsumerLoan,20000.00,18500.00,2026-03-01,2027-03-01,${saltOf(4)}`,
      `QL-2,XX-ID,123,ConsumerLoan,8000,8000,2026-10-15,2027-04-15,${saltOf(5)}`,
      `QL-3,CN-RIC,990101199003070012,ConsumerLoan,8000,9000,2026-10-15,2027-04-15,${saltOf(6)}`,
      `QL-4,CN-RIC,990101199003070013,ConsumerLoan,8000,8000,2026-02-30,2027-04-15,${saltOf(7)}`,
      `QL-1,CN-RIC,990101199003070014,ConsumerLoan,8000,8000,2026-01-30,2027-04-15,${saltOf(8)}`,
      `QL-6,CN-RIC,990101199003070015,ConsumerLoan,8000,8000,2026-01-30,2027-04-15`,
      `QL-7,CN-RIC,990101199003070016,ConsumerLoan,8000,8000,2099-01-30,2099-04-15,${saltOf(9)}`,
      `QL-8,CN-RIC,990101199003070017,ConsumerLoan,8000,8000,2026-01-30,2027-04-15,0x12`,
    ]);
    const quicklend = as("quicklend");
    const message = await failure(importFile(quicklend.contracts, { file, batchSize: "" }, quicklend.session));
    expect(message.split("\n")).to.deep.equal([
      `${file}: 7 bad row(s); nothing was sent`,
      '  line 3: unknown id type "XX-ID": expected one of CN-RIC, PASSPORT, MX-CURP, MX-RFC, LEI, USCC, TAX-ID',
      "  line 4: outstanding 9000 exceeds principal",
      '  line 5: originated "2026-02-30" is not a valid YYYY-MM-DD date',
      "  line 6: loan_ref QL-1 repeats line 2",
      "  line 7: expected 9 fields, found 8",
      "  line 8: originated 2099-01-30 is in the future",
      '  line 9: salt must be 32 bytes of hex (0x + 64 hex digits), got "0x12"',
    ]);
    expect(await world.contracts.credit.borrowerCount()).to.equal(0n);
    expect(
      await failure(importFile(quicklend.contracts, { file: await csv(["a,b"]), batchSize: "" }, quicklend.session)),
    ).to.match(/1 bad row\(s\); nothing was sent\n {2}line 1: header must be: loan_ref,id_type/);
    expect(
      await failure(importFile(quicklend.contracts, { file: "/nonexistent.csv", batchSize: "" }, quicklend.session)),
    ).to.equal("cannot read /nonexistent.csv");
    expect(await failure(importFile(quicklend.contracts, { file, batchSize: "0" }, quicklend.session))).to.equal(
      '--batch-size "0" must be a positive integer',
    );
  });

  it("test_creditImport_namesTheLineTheChainWouldRefuse", async function () {
    const { world, as } = await networkHelpers.loadFixture(worldFixture);
    const quicklend = as("quicklend");
    // Enforce an outstanding limit of 10,000.00: the third loan, in the second batch, breaks it.
    const policy = await world.contracts.credit.policy();
    const { maxLenders, maxInquiries, inquiryWindow, maxPlatformShareBps, maxAprBps, graceDays } = policy;
    await world.contracts.credit.setPolicy({
      maxLenders,
      maxInquiries,
      inquiryWindow,
      maxPlatformShareBps,
      maxOutstanding: 1_000_000n,
      mode: 1,
      maxAprBps,
      graceDays,
    });
    const file = await csv([
      HEADER,
      `QL-1,CN-RIC,990101199003070011,ConsumerLoan,8000,8000,2026-03-01,2027-03-01,${saltOf(10)}`,
      `QL-2,CN-RIC,990101199003070012,ConsumerLoan,8000,8000,2026-10-15,2027-04-15,${saltOf(11)}`,
      `QL-3,CN-RIC,990101199003070013,ConsumerLoan,20000,18500,2026-10-15,2027-04-15,${saltOf(12)}`,
    ]);
    const key = borrowerKey(await quicklend.session.consortiumKey(), "CN-RIC", "990101199003070013");
    // The first batch would pass: it is not sent either, because every batch is simulated first.
    expect(await failure(importFile(quicklend.contracts, { file, batchSize: "2" }, quicklend.session))).to.equal(
      `${file}: 1 bad row(s); nothing was sent\n  line 4: would be refused: ` +
        `CreditPolicyLimitExceeded(borrowerKey=${key}, limit=Outstanding, value=1850000, max=1000000)`,
    );
    expect(await world.contracts.credit.borrowerCount()).to.equal(0n);
  });

  it("test_creditImport_resumesAfterACrashByLoanRef", async function () {
    const { world, as } = await networkHelpers.loadFixture(worldFixture);
    const quicklend = as("quicklend");
    const lines = [
      `QL-1,CN-RIC,990101199003070011,ConsumerLoan,8000,8000,2026-03-01,2027-03-01,${saltOf(10)}`,
      `QL-2,CN-RIC,990101199003070012,ConsumerLoan,8000,8000,2026-10-15,2027-04-15,${saltOf(11)}`,
      `QL-3,CN-RIC,990101199003070013,ConsumerLoan,9000,9000,2026-10-15,2027-04-15,${saltOf(12)}`,
    ];
    // A run that stopped after its first batch: QL-1 and QL-2 landed.
    await importFile(
      quicklend.contracts,
      { file: await csv([HEADER, ...lines.slice(0, 2)]), batchSize: "2" },
      quicklend.session,
    );
    const file = await csv([HEADER, ...lines]);
    const out = await importFile(quicklend.contracts, { file, batchSize: "2" }, quicklend.session);
    expect(out[0]).to.equal(
      `imported 1 loan(s) from ${file} in 1 batch(es); 2 already on the chain (skipped: resumed)`,
    );
    expect(await world.contracts.credit.borrowerCount()).to.equal(3n);
    const again = await importFile(quicklend.contracts, { file, batchSize: "2" }, quicklend.session);
    expect(again[0]).to.equal(
      `imported 0 loan(s) from ${file} in 0 batch(es); 3 already on the chain (skipped: resumed)`,
    );
    // The same reference on the chain for another record is a bad line, and nothing is sent.
    const changed = await csv([
      HEADER,
      lines[0].replace(",8000,8000,", ",8000,7000,").replace("QL-1", "QL-4"),
      lines[1].replace(",8000,8000,", ",9000,9000,"),
    ]);
    expect(
      await failure(importFile(quicklend.contracts, { file: changed, batchSize: "2" }, quicklend.session)),
    ).to.equal(
      `${changed}: 1 bad row(s); nothing was sent\n  line 3: loan_ref QL-2 is already on the chain for a different record`,
    );
    expect(await world.contracts.credit.borrowerCount()).to.equal(3n);
  });

  it("test_creditTasks_reportBadInputReadably", async function () {
    const { as } = await networkHelpers.loadFixture(worldFixture);
    const huaxia = as("huaxia");
    expect(await failure(register(huaxia.contracts, { ...LOAN, principal: "" }, huaxia.session))).to.equal(
      "--principal is required",
    );
    expect(await failure(register(huaxia.contracts, { ...LOAN, product: "Mortgage" }, huaxia.session))).to.match(
      /^unknown product kind "Mortgage"/,
    );
    expect(await failure(register(huaxia.contracts, { ...LOAN, ref: "has space" }, huaxia.session))).to.match(
      /^loan reference "has space" must be 1 to 31 printable ASCII/,
    );
    expect(
      await failure(
        register(huaxia.contracts, { ...LOAN, originated: "2099-01-01", matures: "2099-02-01" }, huaxia.session),
      ),
    ).to.match(/^reverted: CreditInvalidDates\(originationDay=47117, maturityDay=47148, today=\d+\)$/);
    expect(await failure(repay(huaxia.contracts, { ref: "NOPE", amount: "1" }))).to.match(
      /^reverted: CreditLoanUnknown\(id=0x[0-9a-f]{64}\)$/,
    );
    expect(await failure(status(huaxia.contracts, { ref: "HX", to: "Closed" }, huaxia.session))).to.match(
      /^unknown loan status "Closed"/,
    );
    expect(() => parseFunders("3=7000")).to.throw(/expected memberId:shareBps pairs/);
    expect(maskId("cn-ric", "9901 0119 9003 0700 11")).to.equal("CN-RIC ****0011");
    const glass = as("glassworks");
    expect(
      await failure(
        check(
          glass.contracts,
          { borrowerType: "CN-RIC", borrowerId: "1", purpose: "", consent: `0x${"c0".repeat(32)}`, amount: "" },
          glass.session,
        ),
      ),
    ).to.match(/^reverted: MemberMissingRole\(account=0x[0-9a-fA-F]{40}, id=9, role=Lender\)$/);
    expect(
      await failure(
        check(
          huaxia.contracts,
          { borrowerType: "CN-RIC", borrowerId: "1", purpose: "", consent: "", amount: "" },
          huaxia.session,
        ),
      ),
    ).to.equal("--consent is required");
    expect(
      await failure(
        check(
          huaxia.contracts,
          { ...BORROWER, purpose: "NEW_LOAN", consent: `0x${"c0".repeat(32)}`, amount: "" },
          huaxia.session,
        ),
      ),
    ).to.match(
      /^unknown consent purpose "NEW_LOAN": expected one of NewCredit, AccountReview, LimitReview, Guarantee, Collections$/,
    );
  });

  it("test_creditTasks_planLoansAprAgeScoreAndReport", async function () {
    const { as } = await networkHelpers.loadFixture(worldFixture);
    // Start of a UTC day plus an hour, so that every day below is a fixed distance from "today".
    await networkHelpers.time.increaseTo((dayOf(await networkHelpers.time.latest()) + 1) * 86_400 + 3_600);
    const today = dayOf(await networkHelpers.time.latest());
    const huaxia = as("huaxia");
    const plan = {
      instalments: "",
      frequency: "",
      firstDue: "",
      instalment: "",
      finalInstalment: "",
      amortiseRateBps: "",
    };
    // 1,100.00 repaid a year after 1,000.00 was advanced: 10.00 % a year; maturity defaults to the last due day.
    const yearly = await register(
      huaxia.contracts,
      {
        ...LOAN,
        ...plan,
        ref: "HX-P1",
        principal: "1000.00",
        originated: isoDate(today - 30),
        matures: "",
        instalments: "1",
        firstDue: isoDate(addMonths(today - 30, 12)),
        instalment: "1100.00",
      },
      huaxia.session,
    );
    expect(yearly[0]).to.equal("registered ConsumerLoan HX-P1 for CN-RIC ****0011: 1100.00 CNY outstanding");
    expect(yearly).to.include("  APR 10.00%");
    expect(yearly).to.include(
      `  plan: 1 monthly instalment(s) of 0.00 CNY (last 1100.00) from ${isoDate(addMonths(today - 30, 12))}, ` +
        `maturing ${isoDate(addMonths(today - 30, 12))}`,
    );
    expect(
      await failure(
        register(
          huaxia.contracts,
          {
            ...LOAN,
            ...plan,
            ref: "HX-P9",
            originated: isoDate(today - 30),
            instalments: "2",
            firstDue: isoDate(today),
          },
          huaxia.session,
        ),
      ),
    ).to.equal("a plan takes either --instalment or --amortise-rate-bps, one of them");
    expect(
      await failure(
        register(huaxia.contracts, { ...LOAN, ...plan, ref: "HX-P9", firstDue: isoDate(today) }, huaxia.session),
      ),
    ).to.equal("--first-due describes a plan: give --instalments too");
    // Three weekly instalments of 100.00 from 30 days ago, none paid: 30 days past due, above the 36 % cap.
    const weekly = await register(
      huaxia.contracts,
      {
        ...LOAN,
        ...plan,
        ref: "HX-P2",
        principal: "250.00",
        originated: isoDate(today - 60),
        matures: "",
        instalments: "3",
        frequency: "weekly",
        firstDue: isoDate(today - 30),
        instalment: "100.00",
      },
      huaxia.session,
    );
    expect(weekly.find((l) => l.startsWith("  FLAGGED"))).to.match(/^ {2}FLAGGED APR \d+\.\d\d% > cap 36\.00%$/);
    const loanId = /^ {2}loan id: (0x[0-9a-f]{64})$/.exec(weekly[1])![1];
    const golfo = as("golfo");
    const aged = await age(golfo.contracts, { loanId });
    expect(aged.slice(0, 2)).to.deep.equal([
      `loan ${loanId} aged: 30 day(s) past due, bucket 1-30`,
      "  status Active -> Overdue",
    ]);
    expect(aged.at(-1)).to.match(/^ {2}tx: 0x[0-9a-f]{64}$/);
    expect(await failure(age(golfo.contracts, { loanId }))).to.equal(
      `reverted: CreditNothingToAge(id=${loanId}, daysPastDue=30, bucket=1)`,
    );
    expect(await failure(age(golfo.contracts, { loanId: "HX-P2" }))).to.equal(
      "--loan-id takes a loan id (0x + 64 hex digits)",
    );

    // 300 + 150 (no default) + 110 (bucket 1-30) + 60 (one lender) + 80 (no limit) + 50 (no inquiry) + 0 (history
    // counts from the registration today, not from the origination 60 days ago).
    expect(await score(golfo.contracts, BORROWER, golfo.session)).to.deep.equal([
      "score of CN-RIC ****0011: 750 (300 to 850)",
      "  1. Length of credit history too short (code 6)",
      "  2. Payments past due on instalment loans (code 2)",
    ]);

    const json = JSON.parse(
      (await report(golfo.contracts, { ...BORROWER, json: true }, golfo.session)).join("\n"),
    ) as BorrowerReport;
    expect(json.borrowerKey).to.equal(borrowerKey(key, "CN-RIC", BORROWER.borrowerId));
    expect(json.loans.map((l) => [l.status, l.aprBps === 1000, l.daysPastDue, l.bucket])).to.deep.equal([
      ["Active", true, 0, "current"],
      ["Overdue", false, 30, "1-30"],
    ]);
    expect(json.score.score).to.equal(750);
    const text = await report(golfo.contracts, { ...BORROWER }, golfo.session);
    expect(text[0]).to.equal(`Credit report for borrower ${json.borrowerKey}`);
    expect(text).to.include("Loans (2)");

    // From a service's read model: the same JSON, fetched with the bearer token.
    const seen: { url?: string; auth?: string } = {};
    const server = createServer((req, res) => {
      seen.url = req.url;
      seen.auth = req.headers.authorization;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(json));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const served = await report(
        golfo.contracts,
        { ...BORROWER, serviceUrl: `http://127.0.0.1:${port}`, token: "t0k3n" },
        golfo.session,
      );
      expect(served).to.deep.equal(text);
      expect(seen).to.deep.equal({ url: `/v1/credit/borrowers/${json.borrowerKey}/report`, auth: "Bearer t0k3n" });
    } finally {
      server.close();
    }
  });
});
