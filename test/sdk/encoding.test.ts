import { expect } from "chai";

import {
  currencyCode,
  decodeCode,
  formatAmount,
  jurisdictionCode,
  legalIdHash,
  parseAmount,
  reasonCode,
} from "../../src/encoding.js";
import { parseRoles, roleIndex, roleMask, roleNames, statusName } from "../../src/members.js";

describe("SDK encodings and roles", function () {
  it("test_codes_encodeAndDecode", function () {
    expect(jurisdictionCode("cn")).to.equal("0x434e");
    expect(currencyCode(" MXN ")).to.equal("0x4d584e");
    expect(decodeCode("0x4d584e")).to.equal("MXN");
    expect(legalIdHash("tlhuaxiabank00000002")).to.equal(legalIdHash("TLHUAXIABANK00000002"));
  });

  it("test_codes_rejectBadInput", function () {
    expect(() => jurisdictionCode("CHN")).to.throw(/jurisdiction "CHN" must be 2 letters/);
    expect(() => currencyCode("M1N")).to.throw(/currency "M1N" must be 3 letters/);
    expect(() => legalIdHash("short")).to.throw(/not an LEI or a BIC/);
    expect(() => reasonCode("x".repeat(32))).to.throw(/longer than 31/);
  });

  it("test_roles_roundTrip", function () {
    const mask = roleMask(["Lender", "financier"]);
    expect(mask).to.equal((1 << 0) | (1 << 4));
    expect(roleNames(mask)).to.deep.equal(["Lender", "Financier"]);
    expect(parseRoles("Lender, Financier,")).to.equal(mask);
    expect(roleIndex("Reporter")).to.equal(13);
    expect(statusName(2)).to.equal("Suspended");
  });

  it("test_roles_rejectUnknown", function () {
    expect(() => roleMask([])).to.throw(/at least one role/);
    expect(() => parseRoles("Lender,Banker")).to.throw(/unknown role "Banker"/);
  });
});

describe("SDK amounts", function () {
  it("test_amounts_parseAndFormatMinorUnits", function () {
    expect(parseAmount("1250.50", 2)).to.equal(125050n);
    expect(parseAmount(" 7 ", 2)).to.equal(700n);
    expect(formatAmount(125050n, 2)).to.equal("1250.50");
    expect(formatAmount(700n, 2)).to.equal("7.00");
    expect(formatAmount(5n, 0)).to.equal("5");
  });

  it("test_amounts_rejectBadInput", function () {
    expect(() => parseAmount("1.234", 2)).to.throw(/at most 2 decimals/);
    expect(() => parseAmount("-5", 2)).to.throw('amount "-5" is negative: give a positive amount in major units');
    expect(() => parseAmount("1e3", 2)).to.throw(/not a decimal number/);
    expect(() => parseAmount("0.00", 2)).to.throw(/must be positive/);
  });

  it("test_amounts_areBoundedByTheirFieldsWidth_namingFieldAndLimit", function () {
    const principal = { name: "--principal", bits: 64 } as const;
    // 2^64 - 1 minor units is the largest uint64 principal; one more minor unit is refused before encoding.
    expect(parseAmount("184467440737095516.15", 2, principal)).to.equal(2n ** 64n - 1n);
    expect(() => parseAmount("184467440737095516.16", 2, principal)).to.throw(
      '--principal "184467440737095516.16" is more than its limit of 184467440737095516.15 ' +
        "(the contract stores it as a uint64 of minor units)",
    );
    expect(() => parseAmount("792281625142643375935439503.36", 2, { name: "--limit", bits: 96 })).to.throw(
      /^--limit "792281625142643375935439503.36" is more than its limit of 792281625142643375935439503.35 /,
    );
    expect(() => parseAmount("-100", 2, principal)).to.throw('--principal "-100" is negative');
    expect(() => parseAmount("abc", 2, principal)).to.throw('--principal "abc" is not a decimal number');
  });
});
