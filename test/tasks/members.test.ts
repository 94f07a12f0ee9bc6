import { expect } from "chai";
import { network } from "hardhat";

import { admit, balance, formatTable, list, mint, suspend } from "../../tasks/lib/members.js";
import { connect } from "../../src/deployment.js";
import { deployWorld, type World } from "../../scripts/lib/world.js";
import { failure } from "../helpers/failure.js";
import { linkOperator } from "../helpers/operators.js";

const connection = await network.create();
const { networkHelpers } = connection;

async function worldFixture() {
  return deployWorld(connection);
}

/** What the admit task needs of a session: the consortium key the entity key is derived with. */
const session = (world: World) => ({ consortiumKey: async () => world.key });

describe("member and token tasks", function () {
  it("test_memberTasks_admitListAndSuspend", async function () {
    const world = await networkHelpers.loadFixture(worldFixture);
    const newcomer = world.outsiders[0].address;
    const out = await admit(
      world.contracts,
      {
        legalId: "TLNEWBANK0000000009",
        jurisdiction: "br",
        roles: "Lender,Financier",
        admin: newcomer,
      },
      session(world),
    );
    expect(out[0]).to.equal("admitted member 16 (TLNEWBANK0000000009, BR)");
    expect(out[1]).to.equal("  roles: Lender, Financier");
    const table = await list(world.contracts);
    expect(table[0]).to.match(/^id\s+jurisdiction\s+status\s+operators\s+admin\s+roles$/);
    expect(table).to.have.length(17);
    expect(table[16]).to.match(new RegExp(`^16\\s+BR\\s+Active\\s+1\\s+${newcomer}\\s+Lender,Financier$`));
    expect((await suspend(world.contracts, { id: "16", reason: "AML-1" }))[0]).to.equal(
      "suspended member 16 (reason: AML-1)",
    );
    expect((await list(world.contracts))[16]).to.match(/^16\s+BR\s+Suspended/);
  });

  it("test_suspend_gasLimitCoversEveryOperatorTheMemberMayStillAdd", async function () {
    // Review 23, R23-2: between the estimate and the inclusion a member's admin may add operators, each one more word
    // the registry rewrites. The limit sent for a member with one operator covers what suspending one with 32 uses.
    const world = await networkHelpers.loadFixture(worldFixture);
    const { ethers } = connection;
    const members = world.contracts.members;
    const [one, full] = [world.outsiders[0], world.outsiders[1]];
    await admit(
      world.contracts,
      { legalId: "TLNEWBANK0000000009", jurisdiction: "BR", roles: "Lender", admin: one.address },
      session(world),
    );
    await admit(
      world.contracts,
      { legalId: "TLNEWBANK0000000010", jurisdiction: "BR", roles: "Lender", admin: full.address },
      session(world),
    );
    const max = await members.MAX_OPERATORS();
    for (let i = 1n; i < max; i++) {
      await linkOperator(connection, members, full, 17n, ethers.Wallet.createRandom().address);
    }
    const sent = await suspend(world.contracts, { id: "16", reason: "AML-1" });
    const limit = (await ethers.provider.getTransaction(sent[1].replace("  tx: ", "")))!.gasLimit;
    const fullSuspension = await suspend(world.contracts, { id: "17", reason: "AML-2" });
    const used = (await ethers.provider.getTransactionReceipt(fullSuspension[1].replace("  tx: ", "")))!.gasUsed;
    expect(limit >= used, `limit ${limit} for one operator, ${used} used for ${max}`).to.equal(true);
  });

  it("test_memberTasks_reportBadInputReadablyAndChangeNothing", async function () {
    const world = await networkHelpers.loadFixture(worldFixture);
    const base = {
      legalId: "TLNEWBANK0000000009",
      jurisdiction: "BR",
      roles: "Lender",
      admin: world.outsiders[0].address,
    };
    expect(await failure(admit(world.contracts, { ...base, admin: "0xabc" }, session(world)))).to.equal(
      '--admin "0xabc" is not an address',
    );
    expect(await failure(admit(world.contracts, { ...base, roles: "Banker" }, session(world)))).to.match(
      /unknown role "Banker"/,
    );
    expect(await failure(admit(world.contracts, { ...base, jurisdiction: "BRA" }, session(world)))).to.match(
      /must be 2 letters/,
    );
    expect(
      await failure(admit(world.contracts, { ...base, legalId: "TLHUAXIABANK00000002" }, session(world))),
    ).to.match(/^reverted: MemberAlreadyAdmitted\(legalIdHash=0x[0-9a-f]{64}, existing=5\)$/);
    const asOutsider = connect(world.deployment, world.outsiders[1]);
    expect(await failure(admit(asOutsider, base, session(world)))).to.equal(
      `reverted: GovernorUnauthorizedAccount(account=${world.outsiders[1].address})`,
    );
    expect(await failure(suspend(world.contracts, { id: "x", reason: "r" }))).to.equal('--id "x" is not a member id');
    expect(await failure(suspend(world.contracts, { id: "99", reason: "r" }))).to.equal(
      "reverted: MemberUnknownId(id=99)",
    );
    expect(await world.contracts.members.memberCount()).to.equal(15n);
  });

  it("test_tokenTasks_mintAndBalance", async function () {
    const world = await networkHelpers.loadFixture(worldFixture);
    const glassworks = world.admins.glassworks.address;
    const asIssuer = connect(world.deployment, world.issuer);
    expect((await mint(asIssuer, { currency: "cny", to: glassworks, amount: "1250.5" }))[0]).to.equal(
      `minted 1250.50 CNY to ${glassworks}; balance now 1250.50`,
    );
    const out = await balance(world.contracts, { account: glassworks, currency: "" });
    expect(out.slice(1)).to.deep.equal(
      formatTable([
        ["currency", "balance", "frozen"],
        ["CNY", "1250.50", "false"],
        ["USD", "0.00", "false"],
        ["MXN", "0.00", "false"],
      ]),
    );
    expect(await failure(mint(asIssuer, { currency: "CNY", to: glassworks, amount: "1.001" }))).to.match(
      /at most 2 decimals/,
    );
    expect(await failure(mint(asIssuer, { currency: "EUR", to: glassworks, amount: "1" }))).to.match(
      /deployed are CNY/,
    );
    expect(await failure(mint(asIssuer, { currency: "CNY", to: world.outsiders[0].address, amount: "1" }))).to.equal(
      `reverted: SettlementHolderNotEligible(account=${world.outsiders[0].address})`,
    );
    expect(await failure(mint(world.contracts, { currency: "CNY", to: glassworks, amount: "1" }))).to.equal(
      `reverted: MemberUnknownAccount(account=${world.governor.address})`,
    );
    expect(await world.contracts.tokens.CNY.totalSupply()).to.equal(125050n);
  });
});
