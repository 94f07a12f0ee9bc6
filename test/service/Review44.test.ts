/**
 * Adversarial reviews 44 (a review of stop 48's fixes) and 45 (a review of those).
 * - F1 (low, service and SDK): review 43's Q2 fix had the finance preview refuse a quote on terms `finance` refuses
 *   whoever relays it, but not a quote whose nonce its bank had spent (used, or withdrawn with `cancelNonce`), nor a
 *   signature in a form ethers reads and OpenZeppelin's ECDSA refuses (64-byte compact, v 0 or 1, a high s): the
 *   preview priced them, 200, as the bank's. The preview now refuses a spent nonce, and every signed artifact the SDK
 *   reads (a ledger quote, an FX quote, an oracle's attestation, an assignment) is refused in a form the chain never
 *   takes (`signatureProblem`), before anything is sent.
 * - E1 (low, service): the finance preview still priced, 200, a quote `finance` refuses in every later block: one past
 *   its expiry (`ScfQuoteExpired`), one for a piece no longer for sale (`ScfUnexpectedPieceState`); the assignment
 *   preview answered an expired offer `spent: false`, and the console's Assign button stayed enabled
 *   (`TradeAssignmentExpired`). The finance preview now refuses every such quote (`refuseUntakeable`), and the
 *   assignment preview says `expired` (the console disables Assign on it: `OrderPage.test.tsx`).
 * - E2 (low, tasks): `scf:finance --quote` (and the trade tasks' `--quote`) called a quote file whose signature the
 *   chain refuses "not a quote file", hiding F1's reason; the parser's own refusal now reaches the operator.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";
import { Signature, concat, toBeHex } from "ethers";

import { signatureProblem } from "../../src/eip712.js";
import { parseReceivable } from "../../src/scf.js";
import { deployWorld } from "../../scripts/lib/world.js";
import type { RunningService } from "../../service/server.js";
import { finance as financeTask } from "../../tasks/lib/scf.js";
import { failure } from "../helpers/failure.js";

import {
  call,
  glasswareOrderBody,
  memberService,
  openPearlLineAtPacific,
  quotedReceivable,
  roleToken,
  scfWorld,
} from "./engines.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

describe("adversarial reviews 44 and 45: previews, desks and tasks refuse what the chain refuses for good", function () {
  let world: Awaited<ReturnType<typeof deployWorld>>;
  const s: Record<string, RunningService> = {};
  let supplier: string;
  let bank: string;
  let pearl: string;
  let n = 0;

  before(async function () {
    world = await scfWorld(connection);
    for (const who of ["pearl", "glassworks", "pacific", "cristal"]) {
      s[who] = await memberService(ethers.provider, world, who);
    }
    pearl = await roleToken(s.pearl, "supply-chain-desk");
    supplier = await roleToken(s.glassworks, "supply-chain-desk");
    bank = await roleToken(s.pacific, "bank-treasury");
    await openPearlLineAtPacific(s, world, pearl, bank);
  });

  after(async function () {
    for (const x of Object.values(s)) await x.stop();
  });

  /** The holder's finance preview of `body`: its status, the field it names and its detail. */
  const previewOf = async (root: string, body: unknown) => {
    const r = await call(s.glassworks.url, supplier, "POST", `/v1/scf/receivables/${root}/finance/preview`, body);
    return [r.status, r.body.errors?.[0].pointer, r.body.detail];
  };
  const quoted = (validFor?: number) => quotedReceivable(s, world, { pearl, bank }, `INV-R44-${++n}`, validFor);

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

    expect(await previewOf(root, signed)).to.deep.equal([
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

  it("E1: the finance preview refuses a quote whose expiry passed; finance refuses it for good (ScfQuoteExpired)", async function () {
    const { root, signed } = await quoted(60);
    const expiry = new Date(Number(signed.quote.expiry) * 1000).toISOString();
    await networkHelpers.time.increase(120);
    await networkHelpers.mine();
    expect(await previewOf(root, signed)).to.deep.equal([400, "/quote", `quote: the quote expired at ${expiry}`]);
    // The chain refuses it whoever relays it, at any later block.
    const sold = await call(s.glassworks.url, supplier, "POST", `/v1/scf/receivables/${root}/finance`, signed);
    expect([sold.status, sold.body.revert?.name]).to.deep.equal([422, "ScfQuoteExpired"]);
    expect((await world.contracts.scf.getPiece(parseReceivable(root))).holder).to.equal(world.ids.glassworks);
  });

  it("E1: the finance preview refuses a quote for a piece already sold (Financed), which finance refuses for good", async function () {
    const { root, signed } = await quoted(3_600);
    const q2 = await call(s.pacific.url, bank, "POST", `/v1/scf/receivables/${root}/quotes`, {
      rateBps: 700,
      validFor: 3_600,
    });
    expect(q2.status, q2.body.detail).to.equal(201);
    const second = q2.body.result as unknown as { quote: Record<string, unknown>; signature: string };
    // Glassworks sells on the first quote: the piece is Financed, Pacific's.
    const sold = await call(s.glassworks.url, supplier, "POST", `/v1/scf/receivables/${root}/finance`, signed);
    expect(sold.status, sold.body.detail).to.equal(200);
    expect((await world.contracts.scf.getPiece(parseReceivable(root))).holder).to.equal(world.ids.pacific);
    // The second quote is not priced: the piece is no longer for sale.
    const body = { quote: second.quote, signature: second.signature };
    expect(await previewOf(root, body)).to.deep.equal([
      400,
      "/quote",
      `quote: receivable ${root} cannot be financed: it is Financed, not Held`,
    ]);
    const again = await call(s.glassworks.url, supplier, "POST", `/v1/scf/receivables/${root}/finance`, body);
    expect([again.status, again.body.revert?.name]).to.deep.equal([422, "ScfUnexpectedPieceState"]);
  });

  it("E1: the assignment preview says an offer past its deadline is expired; assign refuses it for good (TradeAssignmentExpired)", async function () {
    const latest = (await ethers.provider.getBlock("latest"))!.timestamp;
    const day = (offset: number) => new Date((latest + offset * 86_400) * 1000).toISOString().slice(0, 10);
    const created = await call(
      s.cristal.url,
      await roleToken(s.cristal, "importer"),
      "POST",
      "/v1/trade/orders",
      glasswareOrderBody(world.ids, "PO R45", day),
    );
    expect(created.status, created.body.detail).to.equal(201);
    const id = String(created.body.result?.id);
    await (await world.contracts.trade.connect(world.admins.glassworks).accept(BigInt(id))).wait();
    const offered = await call(s.pacific.url, bank, "POST", `/v1/trade/orders/${id}/assignment-offers`, {
      financier: Number(world.ids.pacific),
      advance: "0.01",
      validFor: 60,
    });
    expect(offered.status, offered.body.detail).to.equal(201);
    const offer = offered.body.result as unknown as Record<string, string>;
    await networkHelpers.time.increase(120);
    await networkHelpers.mine();
    const exporter = await roleToken(s.glassworks, "exporter");
    const preview = await call(s.glassworks.url, exporter, "POST", `/v1/trade/orders/${id}/assignments/preview`, {
      assignment: offer,
    });
    expect(preview.status, preview.body.detail).to.equal(200);
    const p = preview.body as unknown as { spent: boolean; expired: boolean; now: number; deadline: number };
    expect([p.spent, p.expired]).to.deep.equal([false, true]);
    expect(p.now).to.be.greaterThan(p.deadline);
    const refused = await call(s.glassworks.url, exporter, "POST", `/v1/trade/orders/${id}/assignments`, {
      assignment: offer,
    });
    expect([refused.status, refused.body.revert?.name]).to.deep.equal([422, "TradeAssignmentExpired"]);
  });

  it("E2: scf:finance gives F1's reason for a quote file whose signature's form the chain refuses", async function () {
    const { signed } = await quoted(3_600);
    const dir = await mkdtemp(path.join(tmpdir(), "r45-"));
    const file = path.join(dir, "quote.json");
    // The same quote, its signature re-encoded in the 64-byte compact form (EIP-2098) ethers offers.
    const compact = { quote: signed.quote, signature: Signature.from(signed.signature).compactSerialized };
    await writeFile(file, JSON.stringify(compact));
    expect(await failure(financeTask(world.contracts, { quote: file }))).to.equal(
      "--quote: its signature is 64 bytes; the chain takes 65-byte signatures (r, s, v) only",
    );
    // A file of another shape is still "not a quote file".
    await writeFile(file, JSON.stringify({ hello: "world" }));
    expect(await failure(financeTask(world.contracts, { quote: file }))).to.equal(`${file} is not a quote file`);
  });

  /** An accepted glassware order (Cristal imports from Glassworks), its id. */
  async function acceptedOrder(): Promise<string> {
    const latest = (await ethers.provider.getBlock("latest"))!.timestamp;
    const day = (offset: number) => new Date((latest + offset * 86_400) * 1000).toISOString().slice(0, 10);
    const body = glasswareOrderBody(world.ids, `PO R46-${++n}`, day);
    const created = await call(s.cristal.url, await roleToken(s.cristal, "importer"), "POST", "/v1/trade/orders", body);
    expect(created.status, created.body.detail).to.equal(201);
    const id = String(created.body.result?.id);
    await (await world.contracts.trade.connect(world.admins.glassworks).accept(BigInt(id))).wait();
    return id;
  }

  /** Pacific's desk asked for a signed assignment offer on order `id`, valid for `validFor` seconds. */
  const offerFor = (id: string, validFor: number) =>
    call(s.pacific.url, bank, "POST", `/v1/trade/orders/${id}/assignment-offers`, {
      financier: Number(world.ids.pacific),
      advance: "0.01",
      validFor,
    });

  it("review 46 (A): the assignment preview names what the chain refuses for good, and the bank's desk signs no such offer", async function () {
    const exporter = await roleToken(s.glassworks, "exporter");
    const previewOffer = async (id: string, assignment: unknown) => {
      const r = await call(s.glassworks.url, exporter, "POST", `/v1/trade/orders/${id}/assignments/preview`, {
        assignment,
      });
      expect(r.status, r.body.detail).to.equal(200);
      return (r.body as unknown as { refused: string | null }).refused;
    };
    // An order assigned already: a second offer is refused for good (TradeAlreadyAssigned).
    const id = await acceptedOrder();
    const first = (await offerFor(id, 86_400)).body.result;
    const second = (await offerFor(id, 86_400)).body.result;
    expect(await previewOffer(id, second)).to.equal(null);
    const assigned = await call(s.glassworks.url, exporter, "POST", `/v1/trade/orders/${id}/assignments`, {
      assignment: first,
    });
    expect(assigned.status, assigned.body.detail).to.equal(200);
    expect(await previewOffer(id, second)).to.equal(`its proceeds are assigned to member ${world.ids.pacific} already`);
    const refused = await call(s.glassworks.url, exporter, "POST", `/v1/trade/orders/${id}/assignments`, {
      assignment: second,
    });
    expect([refused.status, refused.body.revert?.name]).to.deep.equal([422, "TradeAlreadyAssigned"]);
    const third = await offerFor(id, 86_400);
    expect([third.status, third.body.detail]).to.deep.equal([
      400,
      `order: order ${id} cannot be assigned to this offer: its proceeds are assigned to member ${world.ids.pacific} already`,
    ]);

    // An order past its shipment deadline: refused for good (TradeWindowClosed), in this block and later ones.
    const late = await acceptedOrder();
    const offer = (await offerFor(late, 30 * 86_400)).body.result;
    await networkHelpers.time.increase(15 * 86_400);
    await networkHelpers.mine();
    expect(await previewOffer(late, offer)).to.equal("its shipment deadline has passed");
    const closed = await call(s.glassworks.url, exporter, "POST", `/v1/trade/orders/${late}/assignments`, {
      assignment: offer,
    });
    expect([closed.status, closed.body.revert?.name]).to.deep.equal([422, "TradeWindowClosed"]);
    expect((await offerFor(late, 86_400)).status).to.equal(400);
  });

  it("review 46 (B): a quote for a pledged piece is priced, and taken once the pledge is released", async function () {
    const { root, signed } = await quoted(86_400);
    const id = parseReceivable(root);
    await (await world.contracts.scf.connect(world.admins.glassworks).encumber(id, world.ids.pacific)).wait();
    const [status] = await previewOf(root, signed);
    expect(status).to.equal(200);
    await (await world.contracts.scf.connect(world.admins.pacific).release(id)).wait();
    const sold = await call(s.glassworks.url, supplier, "POST", `/v1/scf/receivables/${root}/finance`, signed);
    expect(sold.status, sold.body.detail).to.equal(200);
    expect((await world.contracts.scf.getPiece(id)).holder).to.equal(world.ids.pacific);
  });

  it("review 46 (C): a bank's desk signs no quote naming the receivable's debtor as seller", async function () {
    const { root } = await quoted(86_400);
    const allowance = await world.contracts.tokens.CNY.allowance(
      world.admins.pacific.address,
      await world.contracts.scf.getAddress(),
    );
    const q = await call(s.pacific.url, bank, "POST", `/v1/scf/receivables/${root}/quotes`, {
      rateBps: 600,
      validFor: 86_400,
      seller: Number(world.ids.pearl),
    });
    expect([q.status, q.body.errors?.[0].pointer, q.body.detail]).to.deep.equal([
      400,
      "/seller",
      `seller: the ledger refuses this quote for ${root}: member ${world.ids.pearl} is the receivable's debtor, which never holds a piece of it`,
    ]);
    expect(
      await world.contracts.tokens.CNY.allowance(world.admins.pacific.address, await world.contracts.scf.getAddress()),
    ).to.equal(allowance);
  });
});
