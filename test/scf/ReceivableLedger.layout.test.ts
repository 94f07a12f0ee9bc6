/**
 * The receivable ledger's storage layout, read back from a deployed ledger slot by slot: what the comments of
 * contracts/scf/ReceivableLedgerBase.sol say (one slot shared by the pause fields and the ledger's counter and terms;
 * a piece in one slot; a family in two; a credit line in one) is what the compiler laid out. A change of layout, or
 * a comment that no longer matches it, fails here.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { AbiCoder, ZeroAddress, keccak256 } from "ethers";

import { invoiceKey } from "../../src/keys.js";
import { ephemeralKey } from "../../scripts/lib/loans.js";
import { deployWorld } from "../../scripts/lib/world.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const key = ephemeralKey();
const coder = AbiCoder.defaultAbiCoder();

/** Slots of the ledger's declared state, in the order ReceivableLedgerBase inherits and declares it. */
const SLOT = {
  // After MemberPayouts (0, 1), CreditReporter (2, 3) and EIP712's fallback strings (4, 5):
  // EmergencyPause (88 bits), then _familyCount, _graceSeconds, _penaltyRateBps (88 bits).
  pauseAndTerms: 6n,
  pieces: 7n,
  families: 8n,
  lines: 9n,
  invoices: 10n,
} as const;

/** Bits `[from, from + width)` of a slot's value. */
function bits(word: bigint, from: number, width: number): bigint {
  return (word >> BigInt(from)) & ((1n << BigInt(width)) - 1n);
}

function mappingSlot(keyType: string, k: unknown, slot: bigint): bigint {
  return BigInt(keccak256(coder.encode([keyType, "uint256"], [k, slot])));
}

describe("ReceivableLedger storage layout", function () {
  it("test_layout_matchesTheCommentsOfReceivableLedgerBase", async function () {
    const world = await deployWorld(connection, undefined, key);
    const { scf, tokens, members } = world.contracts;
    const a = world.admins;
    const token = await tokens.CNY.getAddress();
    const ledger = await scf.getAddress();
    const read = async (slot: bigint) => BigInt(await ethers.provider.getStorage(ledger, slot));
    await scf.connect(a.pearl).chooseFinancier(token, world.ids.huaxia);
    await scf.connect(a.huaxia).setCreditLine(world.ids.pearl, token, 500_000_000n);
    const maturity = BigInt(await networkHelpers.time.latest()) + 30n * 86_400n;
    const entity = await members.entityKeyOf(world.ids.pearl);
    const invoice = invoiceKey(key, entity, "INV-LAYOUT-1", "2026-11-01");
    await scf.connect(a.pearl).issue(a.glassworks, token, 100_000_000n, maturity, [invoice]);
    const root = 1n << 24n;
    await scf.connect(a.glassworks).splitTo(root, [60_000_000n, 40_000_000n], [ZeroAddress, a.precision]);
    await scf.connect(a.precision).encumber(root + 1n, world.ids.huaxia);
    await scf.pause();
    const pausedAt = BigInt(await networkHelpers.time.latest());
    const family = await scf.getFamily(root);

    // The pause fields, then the ledger's counter and terms in the same word.
    const slot0 = await read(SLOT.pauseAndTerms);
    expect([bits(slot0, 0, 40), bits(slot0, 40, 40), bits(slot0, 80, 8)]).to.deep.equal([pausedAt, 0n, 1n]);
    expect([bits(slot0, 88, 40), bits(slot0, 128, 32), bits(slot0, 160, 16)]).to.deep.equal([
      1n,
      family.graceSeconds,
      family.penaltyRateBps,
    ]);
    expect(bits(slot0, 176, 80)).to.equal(0n);

    // A piece: holder 32, face 64, tier 8, state 8, flags 8, pledgee 32 (152 bits) in one slot.
    const piece = await read(mappingSlot("uint64", root + 1n, SLOT.pieces));
    expect([
      bits(piece, 0, 32),
      bits(piece, 32, 64),
      bits(piece, 96, 8),
      bits(piece, 104, 8),
      bits(piece, 112, 8),
      bits(piece, 120, 32),
      bits(piece, 152, 104),
    ]).to.deep.equal([world.ids.precision, 40_000_000n, 2n, 1n, 2n, world.ids.huaxia, 0n]);
    expect(await read(mappingSlot("uint64", root + 1n, SLOT.pieces) + 1n)).to.equal(0n);

    // A family: debtor 32, maturity 40, pieces 24, state 8, penalty 16, repaidAt 40, paid 96 (256 bits); then the
    // token 160, face 64 and grace 32 (256 bits).
    const f = mappingSlot("uint256", 1n, SLOT.families);
    const [f0, f1] = [await read(f), await read(f + 1n)];
    expect([bits(f0, 0, 32), bits(f0, 32, 40), bits(f0, 72, 24), bits(f0, 96, 8), bits(f0, 104, 16)]).to.deep.equal([
      world.ids.pearl,
      maturity,
      2n,
      2n,
      family.penaltyRateBps,
    ]);
    expect([bits(f0, 120, 40), bits(f0, 160, 96)]).to.deep.equal([0n, 0n]);
    expect([bits(f1, 0, 160), bits(f1, 160, 64), bits(f1, 224, 32)]).to.deep.equal([
      BigInt(token),
      100_000_000n,
      family.graceSeconds,
    ]);

    // A credit line: financier 32, limit 96, used 96, frozen 8 (232 bits) in one slot.
    const line = await read(mappingSlot("address", token, mappingSlot("uint32", world.ids.pearl, SLOT.lines)));
    expect([bits(line, 0, 32), bits(line, 32, 96), bits(line, 128, 96), bits(line, 224, 32)]).to.deep.equal([
      world.ids.huaxia,
      500_000_000n,
      100_000_000n,
      0n,
    ]);

    // The invoice backs the root, under its debtor.
    const invoices = mappingSlot("uint32", world.ids.pearl, SLOT.invoices);
    expect(await read(mappingSlot("bytes32", invoice, invoices))).to.equal(root);
  });
});
