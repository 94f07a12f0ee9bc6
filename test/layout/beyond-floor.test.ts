import { expect } from "chai";
import { ethers } from "ethers";
import { network } from "hardhat";

import { beyondFloor, SlotNamer, type KnownContract } from "../../scripts/lib/beyond-floor.js";
import { measureTx } from "../../scripts/lib/gas.js";
import { storageLayouts } from "../../scripts/lib/layout.js";
import { deployTokenWorld } from "../helpers/token.js";
import { linkOperator } from "../helpers/operators.js";

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
    return { connection, token, registry, known, issuer, supplier, importer, itemise };
  }

  it("names a transfer's reads: the pause word and the registry's epoch, not the balances it writes", async () => {
    const { token, supplier, importer, itemise } = await world();
    const b = await itemise(token.connect(supplier).transfer(importer.address, 10n));
    const reads = b.items.filter((i) => i.kind === "read").map((i) => `${i.contract} ${i.what}`);
    expect(reads).to.have.members([
      "SettlementToken _pausedAt/_pausedTotal/_pausedByGovernor/_supply/_issuerGeneration",
      "MemberRegistry _memberCount/_membershipEpoch",
    ]);
    expect(b.items.filter((i) => i.kind === "account").map((i) => i.contract)).to.deep.equal(["MemberRegistry"]);
    expect(b.named).to.equal(2 * 2_100 + 2_600);
    expect(b.floor + b.named + b.execution - b.refund).to.equal(b.gas);
    // Nothing here is split-off code, so the bound is the floor plus every named item.
    expect([b.split, b.refund, b.bound]).to.deep.equal([0, 0, b.floor + b.named]);
  });

  it("names a mapping's entry by its key, and leaves out the slots the transaction writes", async () => {
    const { connection, token, registry, issuer, supplier, importer, itemise } = await world();
    // A third party spends an allowance: its own account is read (is it eligible?), not written, and as the token has
    // never seen it (an operator the issuer's member just added) the token asks the registry (its operator's word,
    // which carries its member's status and roles). The allowance and the two balances are written, so their reads are
    // in the floor's 5,000 per updated slot.
    const [, , , , spender] = await connection.ethers.getSigners();
    await linkOperator(connection, registry, issuer, 1, spender);
    await token.connect(supplier).approve(spender.address, 50n);
    const b = await itemise(token.connect(spender).transferFrom(supplier.address, importer.address, 5n));
    const reads = b.items.filter((i) => i.kind === "read").map((i) => `${i.contract} ${i.what}`);
    expect(reads).to.have.members([
      `SettlementToken _accounts[${spender.address.toLowerCase().slice(0, 10)}…]`,
      "SettlementToken _pausedAt/_pausedTotal/_pausedByGovernor/_supply/_issuerGeneration",
      "MemberRegistry _memberCount/_membershipEpoch",
      `MemberRegistry _memberOf[${spender.address.toLowerCase().slice(0, 10)}…].member/status/roles/bound/next`,
    ]);
    expect(b.floor + b.named + b.execution - b.refund).to.equal(b.gas);
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

  it("counts an account again after the frame that warmed it reverted (EIP-2929)", async () => {
    const { connection, token, registry, itemise } = await world();
    const probe = await connection.ethers.deployContract("WarmthProbe");
    const b = await itemise(probe.probe(await token.getAddress(), await registry.getAddress()));
    const registryAccounts = b.items.filter((i) => i.kind === "account" && i.contract === "MemberRegistry");
    expect(registryAccounts).to.have.length(2);
  });

  it("names the warm calls that reach a slot the bound counts, once per caller and callee, and each precompile call", async () => {
    const { connection, registry, known, supplier, itemise } = await world();
    const reader = await connection.ethers.deployContract("EpochReader");
    const other = await connection.ethers.deployContract("EpochReader");
    const probe = await connection.ethers.deployContract("CallProbe");
    const names = new Map(known);
    names.set((await reader.getAddress()).toLowerCase(), { name: "EpochReader" });
    names.set((await other.getAddress()).toLowerCase(), { name: "OtherReader" });
    names.set((await probe.getAddress()).toLowerCase(), { name: "CallProbe" });
    const digest = ethers.keccak256("0x01");
    const sig = ethers.Signature.from(await supplier.signMessage(ethers.getBytes(digest)));
    const hashed = ethers.hashMessage(ethers.getBytes(digest));
    const args = [await registry.getAddress(), await reader.getAddress(), await other.getAddress()] as const;
    const send = probe.getFunction("probe").send(...args, hashed, sig.v, sig.r, sig.s);
    const b = await itemise(send, names);
    const calls = b.items.filter((i) => i.kind === "call").map((i) => `${i.contract} ${i.what} ${i.gas}`);
    // The reader's first call reaches the registry's epoch, a cold slot, through a warm account: named. Its later
    // calls could have been folded into that one; the other reader's reads a warm slot; the probe's first calls to
    // the registry and to the other reader touched cold accounts (the second by EXTCODESIZE), named as accounts.
    expect(calls).to.deep.equal(["MemberRegistry from EpochReader 100", "ecrecover from CallProbe 100"]);
    expect(b.items.filter((i) => i.kind === "account").map((i) => i.contract)).to.deep.equal([
      "MemberRegistry",
      "EpochReader",
      "OtherReader",
    ]);
    expect(b.named).to.equal(3 * 2_600 + 5 * 2_100 + 3_000 + 2 * 100);
    expect(b.floor + b.named + b.execution - b.refund).to.equal(b.gas);
    expect(b.bound).to.equal(b.floor + b.named);
  });

  it("measures selector dispatch: 22 gas per selector compared before the function's own", async () => {
    const { connection, itemise } = await world();
    const probe = await connection.ethers.deployContract("DispatchProbe");
    // The dispatcher compares selectors in ascending order (solc's IR pipeline): sort the six functions so.
    const names = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"].sort((a, b) =>
      probe.interface.getFunction(a)!.selector.localeCompare(probe.interface.getFunction(b)!.selector),
    );
    const send = (name: string) =>
      (probe as unknown as Record<string, (v: bigint) => Promise<{ hash: string; from: string; to: string }>>)[name](
        7n,
      );
    await send(names[0]); // the slot exists from now on, so each call below writes it the same way
    const first = await itemise(send(names[0]));
    const fifth = await itemise(send(names[4]));
    const last = await itemise(send(names[5]));
    expect(first.dispatch).to.be.greaterThan(0);
    expect(first.dispatch).to.be.at.most(first.execution);
    // Four more comparisons: DUP1, PUSH1 (the target), PUSH4, EQ, JUMPI (3 + 3 + 3 + 3 + 10); the last one needs no
    // copy of the selector, so no DUP1.
    expect(fifth.dispatch - first.dispatch).to.equal(4 * 22);
    expect(last.dispatch - fifth.dispatch).to.equal(22 - 3);
  });

  it("takes the refund of a cleared slot off the bound", async () => {
    const { token, issuer, supplier, importer, itemise } = await world();
    // Spending the whole allowance clears its slot: 4,800 back (EIP-3529), which no implementation of it pays.
    await token.connect(supplier).approve(issuer.address, 5n);
    const b = await itemise(token.connect(issuer).transferFrom(supplier.address, importer.address, 5n));
    expect(b.refund).to.equal(4_800);
    expect(b.bound).to.equal(b.floor + b.named - 4_800);
    expect(b.floor + b.named + b.execution - b.refund).to.equal(b.gas);
  });

  it("names a slot inside a struct that takes several slots, and a struct member behind a mapping key", () => {
    const struct = {
      label: "struct Card",
      numberOfBytes: "128",
      encoding: "inplace",
      members: [
        { label: "base", slot: "0", offset: 0, type: "t_uint256" },
        { label: "edges", slot: "1", offset: 0, type: "t_uint256" },
        { label: "points", slot: "2", offset: 0, type: "t_array(t_uint256)2_storage" },
      ],
    };
    const layout = {
      storage: [
        { label: "_owner", slot: "0", offset: 0, type: "t_address" },
        { label: "_card", slot: "1", offset: 0, type: "t_struct(Card)" },
        { label: "_cards", slot: "5", offset: 0, type: "t_mapping(t_uint64,t_struct(Card))" },
      ],
      types: {
        "t_struct(Card)": struct,
        "t_array(t_uint256)2_storage": {
          label: "uint256[2]",
          numberOfBytes: "64",
          encoding: "inplace",
          base: "t_uint256",
        },
        "t_mapping(t_uint64,t_struct(Card))": {
          label: "mapping(uint64 => struct Card)",
          numberOfBytes: "32",
          encoding: "mapping",
          value: "t_struct(Card)",
        },
      },
    };
    const key = 7n.toString(16).padStart(64, "0") + 5n.toString(16).padStart(64, "0");
    const entry = BigInt(ethers.keccak256(`0x${key}`));
    const namer = new SlotNamer(layout, new Map([[entry, key]]));
    expect(namer.describe(2n)?.name).to.equal("_card.edges");
    expect(namer.describe(3n)?.name).to.equal("_card.points");
    expect(namer.describe(4n)?.name).to.equal("_card.points+1");
    expect(namer.describe(entry + 3n)?.name).to.equal("_cards[7].points+1");
    expect(namer.describe(6n)).to.equal(undefined);
  });
});
