import { expect } from "chai";
import { network } from "hardhat";

import { beyondFloor, type KnownContract } from "../../scripts/lib/beyond-floor.js";
import { measureTx } from "../../scripts/lib/gas.js";
import { storageLayouts } from "../../scripts/lib/layout.js";
import { deployTokenWorld } from "../helpers/token.js";

/**
 * The bench's itemisation of the gas beyond the floor (scripts/lib/beyond-floor.ts), on transactions whose reads are
 * known from the token's code: what a closing note quotes as "the reads that keep a row above 1.3x" must name the
 * right slots and add up.
 */
describe("gas beyond the floor, itemised from a trace", function () {
  this.timeout(120_000);

  async function world() {
    const connection = await network.create();
    const [governor, issuer, supplier, importer] = await connection.ethers.getSigners();
    const { registry, token } = await deployTokenWorld(connection, governor, { issuer, supplier, importer });
    const layouts = await storageLayouts();
    const known = new Map<string, KnownContract>([
      [(await registry.getAddress()).toLowerCase(), { name: "MemberRegistry", layout: layouts.get("MemberRegistry") }],
      [(await token.getAddress()).toLowerCase(), { name: "SettlementToken", layout: layouts.get("SettlementToken") }],
    ]);
    await token.connect(issuer).mint(supplier.address, 1_000n);
    await token.connect(issuer).mint(importer.address, 1_000n);
    const itemise = async (
      send: Promise<{ hash: string; from: string; to: string | null }>,
      names: Map<string, KnownContract> = known,
    ) => {
      const tx = await send;
      const figures = await measureTx(connection.provider, tx as never);
      return beyondFloor(connection.provider, tx, figures.gas, figures.floor, names);
    };
    return { token, registry, known, issuer, supplier, importer, itemise };
  }

  it("names a transfer's reads: the pause word and the registry's epoch, not the balances it writes", async () => {
    const { token, supplier, importer, itemise } = await world();
    const b = await itemise(token.connect(supplier).transfer(importer.address, 10n));
    const reads = b.items.filter((i) => i.kind === "read").map((i) => `${i.contract} ${i.what}`);
    expect(reads).to.have.members([
      "SettlementToken _pausedAt/_pausedTotal/_pausedByGovernor/_supply",
      "MemberRegistry _memberCount/_membershipEpoch",
    ]);
    expect(b.items.filter((i) => i.kind === "account").map((i) => i.contract)).to.deep.equal(["MemberRegistry"]);
    expect(b.named).to.equal(2 * 2_100 + 2_600);
    expect(b.floor + b.named + b.execution).to.equal(b.gas);
    // Nothing here is split-off code, so the bound is the floor plus every named item.
    expect([b.split, b.bound]).to.deep.equal([0, b.floor + b.named]);
  });

  it("names a mapping's entry by its key, and leaves out the slots the transaction writes", async () => {
    const { token, issuer, supplier, importer, itemise } = await world();
    // A third party spends an allowance: its own account is read (is it eligible?), not written, and as it holds no
    // membership cached at this epoch the token asks the registry (its operator entry and its member's record). The
    // allowance and the two balances are written, so their reads are in the floor's 5,000 per updated slot.
    await token.connect(supplier).approve(issuer.address, 50n);
    const b = await itemise(token.connect(issuer).transferFrom(supplier.address, importer.address, 5n));
    const reads = b.items.filter((i) => i.kind === "read").map((i) => `${i.contract} ${i.what}`);
    expect(reads).to.have.members([
      `SettlementToken _accounts[${issuer.address.toLowerCase().slice(0, 10)}…]`,
      "SettlementToken _pausedAt/_pausedTotal/_pausedByGovernor/_supply",
      "MemberRegistry _memberCount/_membershipEpoch",
      `MemberRegistry _memberOf[${issuer.address.toLowerCase().slice(0, 10)}…]`,
      "MemberRegistry _members[1].admin/jurisdiction/roles/status/operatorCount",
    ]);
    expect(b.floor + b.named + b.execution).to.equal(b.gas);
  });

  it("leaves the account of split-off code out of the bound", async () => {
    const { token, registry, known, supplier, importer, itemise } = await world();
    // As if the registry were a cold part: its account is named, but the bound leaves it out.
    const asSplit = new Map(known);
    const at = (await registry.getAddress()).toLowerCase();
    asSplit.set(at, { ...known.get(at)!, split: true });
    const b = await itemise(token.connect(supplier).transfer(importer.address, 10n), asSplit);
    expect(b.split).to.equal(2_600);
    expect(b.bound).to.equal(b.floor + b.named - 2_600);
  });
});
