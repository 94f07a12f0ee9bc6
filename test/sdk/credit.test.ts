import { expect } from "chai";
import { AbiCoder, keccak256 } from "ethers";

import {
  DEFAULT_SCORECARD,
  REASON_TEXTS,
  assessPolicy,
  completeRecord,
  consentIdOf,
  consentPurpose,
  formatApr,
  loanInput,
  scoreReasons,
  dayNumber,
  dayOf,
  isoDate,
  loanIdOf,
  loanRef,
  loanStatus,
  loanStatusName,
  productKind,
  recordCommitment,
  type LoanRecordData,
} from "../../src/credit.js";
import { minorUnits } from "../../src/encoding.js";
import { ephemeralKey, sampleRecord } from "../../scripts/lib/loans.js";
import { parseLoanCsv } from "../../src/credit.js";
import { Frequency, type Plan } from "../../src/schedule.js";

const SALT = `0x${"11".repeat(32)}`;

describe("SDK credit helpers", function () {
  it("test_enums_parseNamesCaseInsensitively", function () {
    expect(productKind("smeloan")).to.equal(1);
    expect(loanStatus("WRITTENOFF")).to.equal(5);
    expect(loanStatusName(3n)).to.equal("Overdue");
    expect(() => productKind("Mortgage")).to.throw(/unknown product kind "Mortgage": expected one of ConsumerLoan/);
    expect(() => loanStatus("Closed")).to.throw(/unknown loan status "Closed"/);
  });

  it("test_dates_roundTripUtcDayNumbers", function () {
    expect(dayNumber("1970-01-02")).to.equal(1);
    expect(dayNumber(" 2026-11-22 ")).to.equal(20_779);
    expect(isoDate(20_779)).to.equal("2026-11-22");
    expect(dayOf(20_779 * 86_400 - 1)).to.equal(20_778);
    expect(() => dayNumber("2026-02-29", "matures")).to.throw('matures "2026-02-29" is not a valid YYYY-MM-DD date');
    expect(() => dayNumber("22/11/2026")).to.throw(/is not a valid YYYY-MM-DD date/);
    expect(() => dayNumber("1969-12-31")).to.throw(/before 1970-01-01/);
  });

  it("test_loanRef_encodesAndRejects", function () {
    expect(loanRef("HX-1")).to.equal(`0x48582d31${"00".repeat(28)}`);
    expect(() => loanRef("")).to.throw(/must be 1 to 31 printable ASCII/);
    expect(() => loanRef("a".repeat(32))).to.throw(/must be 1 to 31 printable ASCII/);
    expect(() => loanRef("né")).to.throw(/must be 1 to 31 printable ASCII/);
    expect(loanIdOf(3n, "HX-1")).to.match(/^0x[0-9a-f]{64}$/);
    expect(loanIdOf(3n, "HX-1")).not.to.equal(loanIdOf(4n, "HX-1"));
  });

  it("test_recordCommitment_dependsOnRecordAndSaltNotOnFormatting", function () {
    const record: LoanRecordData = sampleRecord({ loanRef: "HX-1", idNumber: "990101199003070011" });
    const c = recordCommitment(record, SALT);
    expect(recordCommitment({ ...record, idNumber: "9901 0119 9003 0700 11", idType: "cn-ric" }, SALT)).to.equal(c);
    expect(recordCommitment({ ...record, outstanding: record.outstanding - 1n }, SALT)).not.to.equal(c);
    expect(recordCommitment(record, `0x${"12".repeat(32)}`)).not.to.equal(c);
    expect(() => recordCommitment(record, "0x1234")).to.throw(/salt must be 32 bytes/);
  });

  it("test_parseLoanCsv_readsSpreadsheetCsv_withLineNumbers", function () {
    const key = ephemeralKey();
    const header = "loan_ref,id_type,id_number,product,principal,outstanding,originated,matures,salt";
    const salt2 = `0x${"22".repeat(32)}`;
    // A byte-order mark, quoted fields, a comment line and a quoted field spanning two lines, as spreadsheets write.
    const { rows, errors } = parseLoanCsv(
      [
        "\ufeff" + header,
        "# exported 2026-11-22",
        `"A-1","CN-RIC","990101199003070011",ConsumerLoan,"100.50",100.50,2026-01-01,2026-12-31,${SALT}`,
        `"A-2\nB",CN-RIC,990101199003070012,ConsumerLoan,100,100,2026-01-01,2026-12-31,${salt2}`,
        `A-3,CN-RIC,990101199003070013,ConsumerLoan,100,100,2026-01-01,2026-12-31,${`0x${"33".repeat(32)}`}`,
      ].join("\r\n"),
      key,
      { decimals: 2, today: dayNumber("2026-11-22") },
    );
    expect(rows.map((r) => [r.line, r.record.loanRef])).to.deep.equal([
      [3, "A-1"],
      [6, "A-3"],
    ]);
    expect(errors).to.have.length(1);
    expect(errors[0].line).to.equal(5);
    expect(errors[0].message).to.match(/must be 1 to 31 printable ASCII/);
    // A stray quote: the file cannot be read; the error names the line, never the cell (it may hold an id).
    const broken = parseLoanCsv(`${header}\nA-1,CN-RIC,990101"199003070011,x`, key, { decimals: 2, today: 0 });
    expect(broken.rows).to.deep.equal([]);
    expect(broken.errors[0].message).to.match(/^not readable as CSV: /);
    expect(broken.errors[0].message).to.not.include("990101");
    // Columns swapped: the id number in the id type's column is not echoed either.
    const swapped = parseLoanCsv(
      `${header}\nA-1,990101199003070011,CN-RIC,ConsumerLoan,100,100,2026-01-01,2026-12-31,${SALT}`,
      key,
      { decimals: 2, today: dayNumber("2026-11-22") },
    );
    expect(swapped.errors[0].message).to.equal(
      "unknown id type (a value with digits: is it an id number in the wrong column?): expected one of CN-RIC, " +
        "PASSPORT, MX-CURP, MX-RFC, LEI, USCC, TAX-ID",
    );
  });

  it("test_parseLoanCsv_keysBorrowersAndRejectsJointLoans", function () {
    const key = ephemeralKey();
    const header = "loan_ref,id_type,id_number,product,principal,outstanding,originated,matures,salt";
    const { rows, errors } = parseLoanCsv(
      [
        header,
        `A-1,CN-RIC,990101199003070011,ConsumerLoan,100.5,100.5,2026-01-01,2026-12-31,${SALT}`,
        `A-2,CN-RIC,990101199003070011,JointLoan,100,100,2026-01-01,2026-12-31,${SALT}`,
        "",
      ].join("\r\n"),
      key,
      { decimals: 2, today: dayNumber("2026-11-22") },
    );
    expect(rows).to.have.length(1);
    expect(rows[0].line).to.equal(2);
    expect(rows[0].input.principal).to.equal(10_050n);
    expect(errors).to.deep.equal([
      { line: 3, message: "joint loans need their funders: use credit:register --funders" },
    ]);
    expect(parseLoanCsv(header, key, { decimals: 2, today: 0 }).errors).to.deep.equal([
      { line: 2, message: "the file has no loans" },
    ]);
    // One salt per loan: a repeated salt (any case) is a bad line, and nothing is sent.
    const repeated = parseLoanCsv(
      [
        header,
        `B-1,CN-RIC,990101199003070011,ConsumerLoan,100,100,2026-01-01,2026-12-31,${SALT}`,
        `B-2,CN-RIC,990101199003070012,ConsumerLoan,100,100,2026-01-01,2026-12-31,${SALT.toUpperCase().replace("0X", "0x")}`,
      ].join("\n"),
      key,
      { decimals: 2, today: dayNumber("2026-11-22") },
    );
    expect(repeated.errors).to.deep.equal([{ line: 3, message: "salt repeats line 2: draw a fresh salt per loan" }]);
  });

  it("test_assessPolicy_appliesTheContractsRule", function () {
    const policy = { maxLenders: 3n, maxOutstanding: 1_000n, maxInquiries: 0n };
    const exposure = { activeLenders: 3n, outstanding: 900n, inquiries: 50n };
    expect(assessPolicy(exposure, policy, { outstanding: 100n, lenderHasLiveLoan: true })).to.deep.equal([]);
    expect(assessPolicy(exposure, policy, { outstanding: 101n, lenderHasLiveLoan: false })).to.deep.equal([
      { limit: "DistinctLenders", value: 4n, max: 3n },
      { limit: "Outstanding", value: 1_001n, max: 1_000n },
    ]);
  });

  it("test_minorUnits_followsIso4217", function () {
    expect(minorUnits("cny")).to.equal(2);
    expect(minorUnits("JPY")).to.equal(0);
    expect(minorUnits("KWD")).to.equal(3);
    expect(() => minorUnits("YUAN")).to.throw(/must be 3 letters/);
  });

  it("test_recordCommitment_withoutTermsIsTheFirstVersionsCanonicalJson", function () {
    // Records without an APR or a plan commit exactly as before they existed: the canonical JSON of the eight fields.
    const record: LoanRecordData = sampleRecord({ loanRef: "HX-1", idNumber: "990101199003070011" });
    const canonical =
      '{"loanRef":"HX-1","idType":"CN-RIC","idNumber":"990101199003070011","kind":"ConsumerLoan",' +
      '"principal":"5000000","outstanding":"5000000","originated":"2026-01-15","matures":"2027-01-15"}';
    const firstVersion = keccak256(AbiCoder.defaultAbiCoder().encode(["string", "bytes32"], [canonical, SALT]));
    expect(recordCommitment(record, SALT)).to.equal(firstVersion);
    // An APR or a plan is part of what is committed to.
    expect(recordCommitment({ ...record, aprBps: 0 }, SALT)).not.to.equal(firstVersion);
    expect(recordCommitment({ ...record, aprBps: 1000 }, SALT)).not.to.equal(
      recordCommitment({ ...record, aprBps: 1001 }, SALT),
    );
  });

  it("test_loanInput_planLoan_maturesOnItsLastDueDay_andGetsItsApr", function () {
    const key = ephemeralKey();
    // One instalment of 1,100.00 a year after 1,000.00 was advanced: an APR of exactly 10 % (EU, 12 months a year).
    const plan: Plan = {
      instalments: 1,
      frequency: Frequency.Monthly,
      firstDueDay: dayNumber("2027-01-15"),
      instalment: 0n,
      finalInstalment: 110_000n,
    };
    const record = sampleRecord({
      loanRef: "HX-P",
      idNumber: "990101199003070011",
      principal: 100_000n,
      outstanding: 110_000n,
      plan,
    });
    const full = completeRecord(record);
    expect(full.aprBps).to.equal(1000);
    const input = loanInput(key, record, SALT);
    expect(input.aprBps).to.equal(1000);
    expect(input.plan).to.deep.equal({ ...plan });
    expect(input.maturityDay).to.equal(dayNumber("2027-01-15"));
    // The commitment covers the computed APR: the completed record is the one to keep.
    expect(input.commitment).to.equal(recordCommitment(full, SALT));
    expect(input.commitment).not.to.equal(recordCommitment(record, SALT));
    // A stated APR is kept as stated (the policy judges it); a loan that is not a consumer loan gets none computed.
    expect(loanInput(key, { ...record, aprBps: 2387 }, SALT).aprBps).to.equal(2387);
    expect(loanInput(key, { ...record, kind: "SmeLoan" }, SALT).aprBps).to.equal(0);
    // No plan: an all-zero plan on the chain.
    expect(loanInput(key, sampleRecord({ loanRef: "X", idNumber: "990101199003070011" }), SALT).plan).to.deep.equal({
      instalments: 0,
      frequency: 0,
      firstDueDay: 0,
      instalment: 0n,
      finalInstalment: 0n,
    });
    expect(() => completeRecord({ ...record, matures: "2027-01-16" })).to.throw(
      "matures 2027-01-16 is not the plan's last due day 2027-01-15: a plan loan matures on its last instalment",
    );
    expect(() => completeRecord({ ...record, outstanding: 110_001n })).to.throw(
      "outstanding 110001 exceeds the plan's total due 110000",
    );
    expect(() => completeRecord({ ...record, principal: 110_001n })).to.throw(
      "the plan's instalments add up to 110000, less than the principal 110001",
    );
    expect(() => completeRecord({ ...record, aprBps: 1.5 })).to.throw(/aprBps must be a whole number/);
    expect(formatApr(2387)).to.equal("23.87%");
    expect(formatApr(3600n)).to.equal("36.00%");
    expect(formatApr(5)).to.equal("0.05%");
  });

  it("test_parseLoanCsv_takesAnOptionalAprColumn", function () {
    const key = ephemeralKey();
    const header = "loan_ref,id_type,id_number,product,principal,outstanding,originated,matures,salt,apr_bps";
    const { rows, errors } = parseLoanCsv(
      [
        header,
        `A-1,CN-RIC,990101199003070011,ConsumerLoan,100,100,2026-01-01,2026-12-31,${SALT},2387`,
        `A-2,CN-RIC,990101199003070012,ConsumerLoan,100,100,2026-01-01,2026-12-31,0x${"22".repeat(32)},`,
        `A-3,CN-RIC,990101199003070013,ConsumerLoan,100,100,2026-01-01,2026-12-31,0x${"33".repeat(32)},23.87`,
      ].join("\n"),
      key,
      { decimals: 2, today: 30_000 },
    );
    expect(rows.map((r) => r.input.aprBps)).to.deep.equal([2387, 0]);
    expect(rows[0].record.aprBps).to.equal(2387);
    expect(rows[1].record).not.to.have.property("aprBps");
    expect(errors).to.deep.equal([
      { line: 4, message: 'apr_bps "23.87" must be a whole number of basis points, e.g. 2387 for 23.87%' },
    ]);
    expect(parseLoanCsv(`${header},plan`, key, { decimals: 2, today: 0 }).errors[0].message).to.match(
      /^header must be: loan_ref,.*,salt \(then optionally apr_bps\)$/,
    );
  });

  it("test_assessPolicy_capsConsumerAndJointLoansApr", function () {
    const policy = { maxLenders: 0n, maxOutstanding: 0n, maxInquiries: 0n, maxAprBps: 3_600n };
    const exposure = { activeLenders: 0n, outstanding: 0n, inquiries: 0n };
    const loan = { outstanding: 1n, lenderHasLiveLoan: false };
    expect(assessPolicy(exposure, policy, { ...loan, aprBps: 3_600 })).to.deep.equal([]);
    expect(assessPolicy(exposure, policy, { ...loan, aprBps: 3_601 })).to.deep.equal([
      { limit: "Apr", value: 3_601n, max: 3_600n },
    ]);
    expect(assessPolicy(exposure, policy, { ...loan, aprBps: 9_000, kind: "SmeLoan" })).to.deep.equal([]);
    // A joint loan's APR is capped on chain as a consumer loan's is (review 27).
    expect(assessPolicy(exposure, policy, { ...loan, aprBps: 3_601, kind: "JointLoan" })).to.deep.equal([
      { limit: "Apr", value: 3_601n, max: 3_600n },
    ]);
    expect(assessPolicy(exposure, { ...policy, maxAprBps: 0n }, { ...loan, aprBps: 9_000 })).to.deep.equal([]);
  });

  it("test_consentIdOf_isKeccakOfHolderAndDocument", function () {
    const doc = `0x${"ab".repeat(32)}`;
    expect(consentIdOf(3n, doc)).to.equal(
      keccak256(AbiCoder.defaultAbiCoder().encode(["uint32", "bytes32"], [3, doc])),
    );
    expect(consentIdOf(3n, doc)).not.to.equal(consentIdOf(4n, doc));
    expect(consentPurpose("newcredit")).to.equal(1);
    expect(consentPurpose("Collections")).to.equal(5);
    expect(() => consentPurpose("None")).to.throw(
      /^unknown consent purpose "None": expected one of NewCredit, AccountReview/,
    );
    expect(() => consentPurpose("NEW_LOAN")).to.throw(/unknown consent purpose "NEW_LOAN"/);
  });

  it("test_scoreReasons_nameTheAttributeAndTheAdverseActionWording", function () {
    expect(scoreReasons([2n, 6n, 5n, 0n])).to.deep.equal([
      { code: 2, attribute: "Delinquency", text: "Payments past due on instalment loans" },
      { code: 6, attribute: "History", text: "Length of credit history too short" },
      { code: 5, attribute: "Inquiries", text: "Too many recent credit inquiries" },
    ]);
    expect(scoreReasons([0, 0, 0, 0])).to.deep.equal([]);
    expect(Object.keys(REASON_TEXTS).map(Number)).to.deep.equal([1, 2, 3, 4, 5, 6]);
    expect(REASON_TEXTS[1]).to.equal("Serious delinquency or default on record");
    // The published scorecard: best case 300 + 150 + 150 + 60 + 80 + 50 + 60 = 850, worst 300.
    const best = DEFAULT_SCORECARD.attributes.reduce((sum, a) => sum + Math.max(...a.points), DEFAULT_SCORECARD.base);
    const worst = DEFAULT_SCORECARD.attributes.reduce((sum, a) => sum + Math.min(...a.points), DEFAULT_SCORECARD.base);
    expect([worst, best]).to.deep.equal([300, 850]);
  });
});
