import { expect } from "chai";

import { daysBetween, discountedPrice, familyOf, formatReceivable, parseReceivable, rootOf } from "../../src/scf.js";

describe("SDK receivable helpers", function () {
  it("test_receivableIds_formatAndParse", function () {
    const id = (3n << 24n) | 7n;
    expect(formatReceivable(id)).to.equal("R3.7");
    expect(parseReceivable("r3.7")).to.equal(id);
    expect(parseReceivable(String(id))).to.equal(id);
    expect(familyOf(id)).to.equal(3n);
    expect(rootOf(id)).to.equal(3n << 24n);
    expect(() => parseReceivable("R3")).to.throw('receivable "R3" is not an id like R3.1');
    expect(() => parseReceivable("R3.16777216")).to.throw(/is not an id like R3\.1/);
  });

  it("test_discountedPrice_matchesTheContractsRounding", function () {
    expect(daysBetween(0n, 86_400n)).to.equal(1n);
    expect(daysBetween(0n, 86_401n)).to.equal(2n);
    expect(daysBetween(5n, 5n)).to.equal(0n);
    // 1,000,000.00 at 6% for 90 days on 360: a discount of exactly 15,000.00.
    expect(discountedPrice(100_000_000n, 600n, 90n, 360n)).to.equal(98_500_000n);
    // A discount of 0.333… minor units is rounded up to 1: the seller never gets more than the formula.
    expect(discountedPrice(1_000n, 1n, 1n, 30n)).to.equal(999n);
    expect(discountedPrice(1n, 10_000n, 360n, 360n)).to.equal(0n);
  });
});
