import { expect } from "chai";
import { network } from "hardhat";

import { jurisdictionCode, legalIdHash } from "../../src/encoding.js";
import { invoiceKey } from "../../src/keys.js";
import { entityKey, roleMask } from "../../src/members.js";
import { deployWorld } from "../../scripts/lib/world.js";

/**
 * Regressions of the fourth adversarial review. Each case failed before its fix: another core enterprise confirmed a
 * receivable on a debtor's invoice keys and so barred the debtor's genuine receivable for ever (A3).
 */
const connection = await network.create();
const { networkHelpers } = connection;
const DAY = 86_400n;
const FACE = 100_000_000n;

async function fixture() {
  const world = await deployWorld(connection);
  const { scf, members, tokens } = world.contracts;
  const a = world.admins;
  const token = await tokens.CNY.getAddress();
  await scf.connect(a.pearl).chooseFinancier(token, world.ids.huaxia);
  await scf.connect(a.huaxia).setCreditLine(world.ids.pearl, token, 10n * FACE);
  // A rival core enterprise with a line of 0.01 CNY at another bank.
  const rival = world.outsiders[0];
  const lei = "TLRIVALCORE000000099";
  await members
    .connect(world.governor)
    .admit(legalIdHash(lei), entityKey(world.key, lei), jurisdictionCode("CN"), roleMask(["CoreEnterprise"]), rival);
  const rivalId = await members.memberOf(rival);
  await scf.connect(rival).chooseFinancier(token, world.ids.pacific);
  await scf.connect(a.pacific).setCreditLine(rivalId, token, 1n);
  const maturity = BigInt(await networkHelpers.time.latest()) + 90n * DAY;
  // Pearl's genuine invoice, keyed under Pearl's own entity key as the SDK derives it.
  const pearlInvoice = invoiceKey(world.key, await members.entityKeyOf(world.ids.pearl), "INV-2026-0042", "2026-11-01");
  return { world, scf, a, rival, rivalId, token, maturity, pearlInvoice };
}

describe("adversarial review 4: regressions", function () {
  it("A3: another core enterprise's use of a debtor's invoice key takes nothing from the debtor", async function () {
    const {
      world,
      scf,
      a,
      rival,
      rivalId,
      token,
      maturity,
      pearlInvoice: k,
    } = await networkHelpers.loadFixture(fixture);
    const squat = await scf.connect(rival).issue.staticCall(a.glassworks, token, 1n, maturity, [k]);
    await scf.connect(rival).issue(a.glassworks, token, 1n, maturity, [k]);
    expect(await scf.invoiceUse(rivalId, k)).to.equal(squat);
    expect(await scf.invoiceUse(world.ids.pearl, k)).to.equal(0n);

    // Pearl's genuine receivable on its invoice is confirmed; the key is then Pearl's, and only once.
    const root = await scf.connect(a.pearl).issue.staticCall(a.glassworks, token, FACE, maturity, [k]);
    await expect(scf.connect(a.pearl).issue(a.glassworks, token, FACE, maturity, [k]))
      .to.emit(scf, "InvoiceUsed")
      .withArgs(k, root);
    expect(await scf.invoiceUse(world.ids.pearl, k)).to.equal(root);
    await expect(scf.connect(a.pearl).issue(a.precision, token, 1n, maturity, [k]))
      .to.be.revertedWithCustomError(scf, "ScfInvoiceAlreadyUsed")
      .withArgs(k, root);
    // A supplier's request on it is refused up front too, and the rival cannot use it twice either.
    await expect(scf.connect(a.glassworks).request(world.ids.pearl, token, 1n, maturity, [k]))
      .to.be.revertedWithCustomError(scf, "ScfInvoiceAlreadyUsed")
      .withArgs(k, root);
    await expect(scf.connect(rival).issue(a.glassworks, token, 1n, maturity, [k]))
      .to.be.revertedWithCustomError(scf, "ScfInvoiceAlreadyUsed")
      .withArgs(k, squat);
  });
});
