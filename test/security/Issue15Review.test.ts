import { expect } from "chai";
import { network } from "hardhat";

import { invoiceKey } from "../../src/keys.js";
import { ephemeralKey } from "../../scripts/lib/loans.js";
import { deployWorld } from "../../scripts/lib/world.js";

/**
 * Regressions of the adversarial review of issue 15's change (the token's pause authority is tested with the token,
 * test/assets/SettlementToken.test.ts).
 */
const connection = await network.create();
const { ethers, networkHelpers } = connection;
const key = ephemeralKey();
const DAY = 86_400n;
const FACE = 100_000_000n;

describe("issue 15 review", function () {
  it("a plain split keeps the tier, so a piece at tier 255 still splits (splitTo computed the next tier always)", async function () {
    const world = await deployWorld(connection);
    const { scf, tokens } = world.contracts;
    const a = world.admins;
    const token = await tokens.CNY.getAddress();
    await scf.connect(a.pearl).chooseFinancier(token, world.ids.huaxia);
    await scf.connect(a.huaxia).setCreditLine(world.ids.pearl, token, 250_000_000n);
    const maturity = BigInt(await networkHelpers.time.latest()) + 90n * DAY;
    const inv = invoiceKey(key, ethers.id("TLTESTDEBTOR00000001"), "INV-T255", "2026-11-01");
    await scf.connect(a.pearl).issue(a.glassworks.address, token, FACE, maturity, [inv]);
    const root = 1n << 24n;
    const holders = [a.glassworks, a.precision];
    for (let i = 0; i < 254; ++i) await scf.connect(holders[i % 2]).transfer(root, holders[(i + 1) % 2].address);
    expect((await scf.getPiece(root)).tier).to.equal(255n);
    await scf.connect(holders[0]).split(root, [1n, FACE - 1n]);
    const [kept, child] = [await scf.getPiece(root), await scf.getPiece(root + 1n)];
    expect([kept.tier, kept.face, child.tier, child.face]).to.deep.equal([255n, 1n, 255n, FACE - 1n]);
  });
});
