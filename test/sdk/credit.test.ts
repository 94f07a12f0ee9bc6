import { expect } from "chai";

import {
  assessPolicy,
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
});
