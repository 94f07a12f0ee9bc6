import { expect } from "chai";
import { network } from "hardhat";

import { reasonCode } from "../../src/encoding.js";
import { decodeRevertData } from "../../src/errors.js";
import { ReceivableLedger__factory } from "../../typechain-types/index.js";
import { signConfirmation } from "../../src/eip712.js";
import { invoiceKey } from "../../src/keys.js";
import * as scf from "../../src/scf.js";
import { ephemeralKey } from "../../scripts/lib/loans.js";
import { deployWorld } from "../../scripts/lib/world.js";
import {
  daysBetween,
  discountedPrice,
  familyOf,
  formatReceivable,
  parseReceivable,
  rootOf,
  stateBitmap,
} from "../../src/scf.js";

describe("SDK receivable helpers", function () {
  it("test_receivableIds_formatAndParse", function () {
    const id = (3n << 24n) | 7n;
    expect(formatReceivable(id)).to.equal("R3.7");
    expect(parseReceivable("r3.7")).to.equal(id);
    expect(parseReceivable(String(id))).to.equal(id);
    expect(familyOf(id)).to.equal(3n);
    expect(rootOf(id)).to.equal(3n << 24n);
    expect(() => parseReceivable("R3")).to.throw('receivable "R3" is not an id like R3.1');
    expect(() => parseReceivable("R3.16777216")).to.throw(
      'receivable "R3.16777216" is out of range: families go up to 1099511627775, pieces up to 16777215',
    );
    expect(() => parseReceivable("R1099511627776.0")).to.throw(/is out of range/);
    expect(parseReceivable("R1099511627775.16777215")).to.equal(2n ** 64n - 1n);
    expect(() => parseReceivable(String(2n ** 64n))).to.throw(
      'receivable "18446744073709551616" is more than a receivable id holds (uint64)',
    );
  });

  it("test_errors_decodeTheLedgersNewErrorsReadably", function () {
    const iface = ReceivableLedger__factory.createInterface();
    const usd = "0x" + "11".repeat(20);
    const root = 1n << 24n;
    const cases: [string, string][] = [
      [
        iface.encodeErrorResult("ScfRecourseCurrency", [usd, "0x555344", "0x434e59"]),
        `ScfRecourseCurrency(token=${usd}, currency=USD, reporting=CNY)`,
      ],
      [
        iface.encodeErrorResult("ScfQuoteSellerMismatch", [root + 1n, 4n, 5n]),
        "ScfQuoteSellerMismatch(id=R1.1, seller=4, holder=5)",
      ],
      [
        iface.encodeErrorResult("ScfUnexpectedFamilyState", [root, 7, stateBitmap([2, 3, 5])]),
        "ScfUnexpectedFamilyState(id=R1.0, current=Lapsed, expectedStates=Confirmed|Overdue|Defaulted)",
      ],
      [
        iface.encodeErrorResult("ScfUnexpectedPieceState", [root + 1n, 3, stateBitmap([1, 2])]),
        "ScfUnexpectedPieceState(id=R1.1, current=Collected, expectedStates=Held|Financed)",
      ],
      [
        iface.encodeErrorResult("ScfQuoteLeavesNoPrice", [65_535, 90n, 360]),
        "ScfQuoteLeavesNoPrice(rateBps=65535, daysToMaturity=90, dayBase=360)",
      ],
      [iface.encodeErrorResult("ScfRequestNotLapsed", [root, 99n]), "ScfRequestNotLapsed(root=R1.0, lapsesAt=99)"],
      [iface.encodeErrorResult("ScfSelfDealing", [3n]), "ScfSelfDealing(member=3)"],
      [iface.encodeErrorResult("ScfAlreadyDefaulted", [root]), "ScfAlreadyDefaulted(id=R1.0)"],
      [
        iface.encodeErrorResult("CreditReportStillFailing", [
          `0x${"00".repeat(31)}01`,
          0n,
          iface.encodeErrorResult("ScfSelfDealing", [3n]),
        ]),
        `CreditReportStillFailing(ref=0x${"00".repeat(31)}01, index=0, reason=ScfSelfDealing(member=3))`,
      ],
    ];
    for (const [data, message] of cases) expect(decodeRevertData(data)?.message).to.equal(message);
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

  it("test_helpers_driveAWholeLifecycle", async function () {
    const connection = await network.create();
    const world = await deployWorld(connection);
    const a = world.admins;
    const ledger = (who: string) => world.contracts.scf.connect(a[who]);
    const cny = world.contracts.tokens.CNY;
    const key = ephemeralKey();
    const pearlEntity = await world.contracts.members.entityKeyOf(world.ids.pearl);
    const token = await cny.getAddress();
    await scf.chooseFinancier(ledger("pearl"), token, world.ids.huaxia);
    await scf.setCreditLine(ledger("huaxia"), world.ids.pearl, token, 10_000n);
    const maturity = BigInt(await connection.networkHelpers.time.latest()) + 86_400n * 30n;
    const { id: root } = await scf.request(ledger("glassworks"), {
      debtor: world.ids.pearl,
      token: await cny.getAddress(),
      face: 1_000n,
      maturity,
      invoiceKeys: [invoiceKey(key, pearlEntity, "H-1", "2026-11-01")],
    });
    const deadline = maturity;
    await scf.relayConfirmation(
      ledger("carrier"),
      root,
      await signConfirmation(world.contracts.scf, a.pearl, root, deadline),
    );
    const { children } = await scf.split(ledger("glassworks"), root, [600n, 400n]);
    expect(children).to.deep.equal([root + 1n]);
    await scf.transfer(ledger("glassworks"), root + 1n, a.precision.address);
    await scf.encumber(ledger("precision"), root + 1n, world.ids.huaxia);
    await scf.release(ledger("huaxia"), root + 1n);
    await scf.freeze(ledger("regulator"), root + 1n, true, reasonCode("HOLD"));
    await scf.freeze(ledger("regulator"), root + 1n, false, reasonCode("HOLD"));
    await scf.freezeCreditLine(ledger("huaxia"), world.ids.pearl, token, true);
    await cny.connect(world.issuer).mint(a.pearl, 2_000n);
    await cny.connect(a.pearl).approve(await world.contracts.scf.getAddress(), 2_000n);
    await connection.networkHelpers.time.increaseTo(maturity + 86_400n * 8n);
    await scf.markOverdue(ledger("carrier"), root);
    const paid = await scf.repay(ledger("pearl"), root);
    expect(paid.amount).to.equal(1_000n + paid.penalty);
    expect(paid.penalty).to.be.greaterThan(0n);
    const collected = await scf.collect(ledger("carrier"), root + 1n);
    expect(collected.amount).to.equal(400n + (400n * paid.penalty) / 1_000n);
    const tree = await scf.trace(world.contracts.scf, root + 1n);
    expect(tree.children.map((c) => [c.id, c.face, c.tier, c.collected])).to.deep.equal([[root + 1n, 400n, 2, true]]);
    // Only a financed piece can be declared in default: this one is still held by its supplier.
    await expect(scf.declareDefault(ledger("pacific"), root))
      .to.be.revertedWithCustomError(world.contracts.scf, "ScfUnexpectedPieceState")
      .withArgs(root, 1, stateBitmap([2]));
    // A request the debtor rejects, and one that lapses.
    const { id: rejected } = await scf.request(ledger("glassworks"), {
      debtor: world.ids.pearl,
      token,
      face: 1n,
      maturity: maturity + 86_400n * 30n,
      invoiceKeys: [invoiceKey(key, pearlEntity, "H-2", "2026-11-01")],
    });
    await scf.reject(ledger("pearl"), rejected);
    const { id: lapsing } = await scf.request(ledger("glassworks"), {
      debtor: world.ids.pearl,
      token,
      face: 1n,
      maturity: maturity + 86_400n * 31n,
      invoiceKeys: [invoiceKey(key, pearlEntity, "H-3", "2026-11-01")],
    });
    await connection.networkHelpers.time.increaseTo(maturity + 86_400n * 31n);
    await scf.lapse(ledger("carrier"), lapsing);
    expect(
      [(await world.contracts.scf.getFamily(rejected)).state, (await world.contracts.scf.getFamily(lapsing)).state].map(
        (x) => scf.FAMILY_STATES[Number(x)],
      ),
    ).to.deep.equal(["Rejected", "Lapsed"]);
  });
});
