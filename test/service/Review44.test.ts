/**
 * Adversarial review 44 (a review of stop 48's fixes).
 * - F1 (low, service and SDK): review 43's Q2 fix had the finance preview refuse a quote on terms `finance` refuses
 *   whoever relays it, but not a quote whose nonce its bank had spent (used, or withdrawn with `cancelNonce`), nor a
 *   signature in a form ethers reads and OpenZeppelin's ECDSA refuses (64-byte compact, v 0 or 1, a high s): the
 *   preview priced them, 200, as the bank's. The preview now refuses a spent nonce, and every signed artifact the SDK
 *   reads (a ledger quote, an FX quote, an oracle's attestation, an assignment) is refused in a form the chain never
 *   takes (`signatureProblem`), before anything is sent.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { Signature, concat, toBeHex } from "ethers";

import { signatureProblem } from "../../src/eip712.js";

import { parseReceivable } from "../../src/scf.js";
import { deployWorld } from "../../scripts/lib/world.js";
import type { RunningService } from "../../service/server.js";

import { call, memberService, openPearlLineAtPacific, pearlReceivableBody, roleToken, scfWorld } from "./engines.js";

const connection = await network.create();
const { ethers } = connection;

describe("adversarial review 44 (F1): the finance preview refuses quotes the ledger refuses whoever relays them", function () {
  let world: Awaited<ReturnType<typeof deployWorld>>;
  const s: Record<string, RunningService> = {};
  let supplier: string;
  let bank: string;
  let pearl: string;
  let n = 0;

  before(async function () {
    world = await scfWorld(connection);
    for (const who of ["pearl", "glassworks", "pacific"]) s[who] = await memberService(ethers.provider, world, who);
    pearl = await roleToken(s.pearl, "supply-chain-desk");
    supplier = await roleToken(s.glassworks, "supply-chain-desk");
    bank = await roleToken(s.pacific, "bank-treasury");
    await openPearlLineAtPacific(s, world, pearl, bank);
  });

  after(async function () {
    for (const x of Object.values(s)) await x.stop();
  });

  /** A fresh receivable of Pearl's held by Glassworks, and Pacific's quote for it from the bank's quote endpoint. */
  async function quoted(): Promise<{ root: string; signed: { quote: Record<string, unknown>; signature: string } }> {
    const latest = (await ethers.provider.getBlock("latest"))!.timestamp;
    const day = (offset: number) => new Date((latest + offset * 86_400) * 1000).toISOString().slice(0, 10);
    const issued = await call(
      s.pearl.url,
      pearl,
      "POST",
      "/v1/scf/receivables",
      pearlReceivableBody(world.admins.glassworks.address, `INV-R44F-${++n}`, day),
    );
    expect(issued.status, issued.body.detail).to.equal(201);
    const root = issued.body.result!.id as string;
    const q = await call(s.pacific.url, bank, "POST", `/v1/scf/receivables/${root}/quotes`, {
      rateBps: 600,
      validFor: 86_400,
    });
    expect(q.status, q.body.detail).to.equal(201);
    const r = q.body.result as unknown as { quote: Record<string, unknown>; signature: string };
    return { root, signed: { quote: r.quote, signature: r.signature } };
  }

  const termsOf = (q: Record<string, unknown>) => ({
    id: BigInt(q.id as string),
    rateBps: Number(q.rateBps),
    dayBase: Number(q.dayBase),
    recourse: q.recourse === true,
    seller: BigInt(q.seller as string),
    expiry: BigInt(q.expiry as string),
    nonce: BigInt(q.nonce as string),
  });

  it("F1: a quote its bank withdrew (cancelNonce) is refused by the preview; finance refuses it for good", async function () {
    const { root, signed } = await quoted();
    const terms = termsOf(signed.quote);
    // The preview prices the quote while it stands.
    const before = await call(
      s.glassworks.url,
      supplier,
      "POST",
      `/v1/scf/receivables/${root}/finance/preview`,
      signed,
    );
    expect(before.status, before.body.detail).to.equal(200);
    // The bank withdraws it: its key spends the quote's nonce.
    await (await world.contracts.scf.connect(world.admins.pacific).cancelNonce(terms.nonce)).wait();

    const preview = await call(
      s.glassworks.url,
      supplier,
      "POST",
      `/v1/scf/receivables/${root}/finance/preview`,
      signed,
    );
    expect([preview.status, preview.body.errors?.[0].pointer, preview.body.detail]).to.deep.equal([
      400,
      "/quote",
      "quote: the quote's nonce is spent: its financier used it or withdrew the quote",
    ]);
    // The chain's own refusal, decoded, if the holder sends it anyway.
    const sold = await call(s.glassworks.url, supplier, "POST", `/v1/scf/receivables/${root}/finance`, signed);
    expect([sold.status, sold.body.revert?.name]).to.deep.equal([422, "ScfNonceUsed"]);
    expect((await world.contracts.scf.getPiece(parseReceivable(root))).holder).to.equal(world.ids.glassworks);
  });

  it("F1: a compact (64-byte), v 0/1 or high-s signature is refused by the preview and by finance before sending", async function () {
    const { root, signed } = await quoted();
    const sig = Signature.from(signed.signature);
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const forms: Record<string, [string, string]> = {
      compact: [sig.compactSerialized, "is 64 bytes; the chain takes 65-byte signatures (r, s, v) only"],
      v01: [concat([sig.r, sig.s, toBeHex(sig.v - 27, 1)]), `has v = ${sig.v - 27}; the chain takes v = 27 or 28 only`],
      highS: [
        concat([sig.r, toBeHex(n - BigInt(sig.s), 32), toBeHex(sig.v === 27 ? 28 : 27, 1)]),
        "has s in the upper half of the curve order, which the chain refuses (EIP-2)",
      ],
    };
    const block = await ethers.provider.getBlockNumber();
    for (const [form, [signature, problem]] of Object.entries(forms)) {
      const body = { quote: signed.quote, signature };
      for (const path of ["finance/preview", "finance"]) {
        const r = await call(s.glassworks.url, supplier, "POST", `/v1/scf/receivables/${root}/${path}`, body);
        expect([r.status, r.body.errors?.[0].pointer, r.body.detail], `${form} ${path}`).to.deep.equal([
          400,
          "/quote",
          `quote: its signature ${problem}`,
        ]);
      }
    }
    expect(await ethers.provider.getBlockNumber()).to.equal(block);
    // The canonical form from the bank's endpoint is taken: only the form was refused.
    const sold = await call(s.glassworks.url, supplier, "POST", `/v1/scf/receivables/${root}/finance`, signed);
    expect(sold.status, sold.body.detail).to.equal(200);
  });

  it("F1: signatureProblem takes exactly what OpenZeppelin's ECDSA takes", function () {
    const r = "11".repeat(32);
    const low = "22".repeat(32);
    expect(signatureProblem(`0x${r}${low}1b`)).to.equal(null);
    expect(signatureProblem(`0x${r}${low}1c`)).to.equal(null);
    expect(signatureProblem(`0x${r}${low}`)).to.match(/is 64 bytes/);
    expect(signatureProblem(`0x${r}${low}01`)).to.match(/has v = 1/);
    expect(signatureProblem(`0x${r}${"ff".repeat(32)}1b`)).to.match(/upper half/);
    // The boundary: s = n/2 is taken, n/2 + 1 is not.
    const half = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;
    expect(signatureProblem(`0x${r}${half.toString(16)}1b`)).to.equal(null);
    expect(signatureProblem(`0x${r}${(half + 1n).toString(16)}1b`)).to.match(/upper half/);
  });
});
