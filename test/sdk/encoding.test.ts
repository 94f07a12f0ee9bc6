import { expect } from "chai";

import { currencyCode, decodeCode, jurisdictionCode, legalIdHash, reasonCode } from "../../src/encoding.js";
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
