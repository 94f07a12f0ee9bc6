import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";

import {
  accept,
  assign,
  cancelAssignment,
  attest,
  cancelQuote,
  closeAdvance,
  create,
  defaultAdvance,
  dispute,
  fund,
  fxTerms,
  pay,
  quote,
  refund,
  resolve,
  status,
} from "../../tasks/lib/trade.js";
import { documentCommitment } from "../../src/commitments.js";
import { ephemeralKey } from "../../scripts/lib/loans.js";
import { actAs, deployWorld } from "../../scripts/lib/world.js";
import { failure } from "../helpers/failure.js";

const connection = await network.create();
const { networkHelpers } = connection;
const key = ephemeralKey();
const DAY = 86_400;

async function fixture() {
  const world = await deployWorld(connection);
  const as = (who: string) => actAs(world, who, key);
  const { MXN, CNY } = world.contracts.tokens;
  await MXN.connect(world.issuer).mint(world.admins.golfo, 1_000_000_00n);
  await CNY.connect(world.issuer).mint(world.admins.huaxia, 1_000_000_00n);
  await CNY.connect(world.admins.huaxia).approve(await world.contracts.trade.getAddress(), 1_000_000_00n);
  const dir = await mkdtemp(path.join(tmpdir(), "tradeline-trade-"));
  return { world, as, dir };
}

/** The UTC date `days` from the chain's clock. */
async function dateIn(days: number): Promise<string> {
  const now = await networkHelpers.time.latest();
  return new Date((now + days * DAY) * 1000).toISOString().slice(0, 10);
}

/** The carrier signs `kind` evidence of `document` for order `id` to a file, then relays it without a quote. */
async function carrierAttests(
  as: Awaited<ReturnType<typeof fixture>>["as"],
  dir: string,
  id: string,
  kind: string,
  document: string,
): Promise<string[]> {
  const carrier = as("carrier");
  const file = path.join(dir, `${kind}-${id}-${document}.json`);
  const args = { order: id, kind, document, quote: "" };
  await attest(carrier.contracts, { ...args, signatures: "", out: file }, carrier.session);
  return attest(carrier.contracts, { ...args, signatures: file, out: "" }, carrier.session);
}

async function order(world: Awaited<ReturnType<typeof fixture>>["world"], payout = "CNY") {
  return {
    exporter: String(world.ids.glassworks),
    importerBank: String(world.ids.golfo),
    exporterBank: String(world.ids.huaxia),
    document: "PO-2026-0042",
    amount: "400000.00",
    currency: "MXN",
    payout,
    tranches: "30:Shipped,40:CustomsCleared,30:Delivered",
    shipBy: await dateIn(14),
    objectionDays: "3",
    expires: await dateIn(60),
    importerFeeBps: "10",
    exporterFeeBps: "15",
  };
}

describe("trade tasks", function () {
  it("test_tradeTasks_createAcceptFundAttestQuoteStatusPay", async function () {
    const { world, as, dir } = await networkHelpers.loadFixture(fixture);
    const created = await create(as("cristal").contracts, await order(world));
    expect(created[0]).to.equal(
      `created order 1: 400000.00 MXN paid out in CNY, 3 tranche(s); the exporter accepts it by ${await dateIn(14)}`,
    );
    expect(await accept(as("glassworks").contracts, { order: "1" })).to.have.length(2);
    const golfo = as("golfo");
    const funded = await fund(golfo.contracts, { order: "1", permit: false }, golfo.session);
    expect(funded[0]).to.equal("funded order 1: 400000.00 MXN locked in escrow");
    expect(funded[1]).to.match(/^ {2}approved the escrow to draw exactly that \(tx 0x/);
    expect(
      await world.contracts.tokens.MXN.allowance(world.admins.golfo, await world.contracts.trade.getAddress()),
    ).to.equal(0n);

    // The carrier signs, anyone relays with the FX provider's quote: the first tranche is paid in CNY.
    const carrier = as("carrier");
    const signed = path.join(dir, "shipped.json");
    const signing = await attest(
      carrier.contracts,
      { order: "1", kind: "shipped", document: "BL-1", signatures: "", quote: "", out: signed },
      carrier.session,
    );
    expect(signing[0]).to.equal(`signed Shipped evidence for order 1; written to ${signed}`);
    // The evidence names its document by a salted commitment; the signer prints the salt for co-signers.
    const signedLine =
      /^ {2}document commitment (0x[0-9a-f]{64}): co-signers pass --document-salt (0x[0-9a-f]{64})$/.exec(signing[1]);
    expect(signedLine?.[1]).to.equal(documentCommitment("BL-1", signedLine![2]));
    expect(JSON.parse(await readFile(signed, "utf8")).documentHash).to.equal(signedLine?.[1]);
    const huaxia = as("huaxia");
    const q = path.join(dir, "q1.json");
    expect(
      await quote(
        huaxia.contracts,
        { order: "1", sell: "mxn", buy: "cny", rate: "0.38", max: "400000", validFor: "600", out: q },
        huaxia.session,
      ),
    ).to.deep.equal([
      `FX quote MXN->CNY at 0.38, up to 400000 MXN, valid 600 s, for order 1 paying member ${world.ids.glassworks}; written to ${q}`,
    ]);
    const relay = as("pearl");
    // A stranger may relay Huaxia's quote only once the exporter named Huaxia (item 8).
    expect(
      await failure(
        attest(
          relay.contracts,
          { order: "1", kind: "Shipped", document: "BL-1", signatures: signed, quote: q, out: "" },
          relay.session,
        ),
      ),
    ).to.match(/^reverted: TradeFxQuoteNotChosen\(id=1, /);
    expect(
      (
        await fxTerms(as("glassworks").contracts, { order: "1", provider: String(world.ids.huaxia), minRate: "0.37" })
      )[0],
    ).to.equal(`order 1: quotes by member ${world.ids.huaxia} at 0.37 or better may be relayed by anyone`);
    const relayed = await attest(
      relay.contracts,
      { order: "1", kind: "Shipped", document: "BL-1", signatures: signed, quote: q, out: "" },
      relay.session,
    );
    expect(relayed[0]).to.equal("Shipped evidence for order 1 complete (1 attestation(s))");
    // 120,000.00 MXN gross less 0.25% fees = 119,700.00 MXN, at 0.38 = 45,486.00 CNY.
    expect(relayed[1]).to.match(
      new RegExp(`^ {2}tranche 1 paid 45486\\.00 CNY to ${world.admins.glassworks.address} \\(UETR [0-9a-f-]{36}\\)$`),
    );

    // Customs evidence without a quote waits; trade:pay pays it with the next quote.
    const customs = as("customs");
    const cleared = path.join(dir, "customs.json");
    await attest(
      customs.contracts,
      { order: "1", kind: "CustomsCleared", document: "PED-7", signatures: "", quote: "", out: cleared },
      customs.session,
    );
    const waited = await attest(
      relay.contracts,
      { order: "1", kind: "CustomsCleared", document: "PED-7", signatures: cleared, quote: "", out: "" },
      relay.session,
    );
    expect(waited[1]).to.equal("  the released tranches wait for an FX quote: pay them with trade:pay --quote <file>");
    const shown = await status(as("cristal").contracts, { order: "1" });
    expect(shown[0]).to.equal("order 1: Funded; 400000.00 MXN paid out in CNY; in escrow 280000.00 MXN");
    expect(shown[3]).to.equal("  evidence complete: Shipped, CustomsCleared");
    expect(shown.slice(4)).to.deep.equal([
      "  tranche 1: 30% on Shipped: paid or refunded",
      "  tranche 2: 40% on CustomsCleared: released, awaiting an FX quote",
      "  tranche 3: 30% on Delivered: awaits Delivered",
    ]);
    // The used quote is refused as a replay; a fresh one pays.
    expect(await failure(pay(relay.contracts, { order: "1", quote: q }))).to.match(
      /^reverted: TradeFxQuoteNonceUsed\(signer=/,
    );
    const q2 = path.join(dir, "q2.json");
    await quote(
      huaxia.contracts,
      { order: "1", sell: "MXN", buy: "CNY", rate: "0.38", max: "400000", validFor: "600", out: q2 },
      huaxia.session,
    );
    const paid = await pay(relay.contracts, { order: "1", quote: q2 });
    expect(paid[1]).to.match(/^ {2}tranche 2 paid 60648\.00 CNY to /);
  });

  it("test_tradeTasks_awardWithoutAQuote_isHeldInEscrow_andTradePayPaysIt", async function () {
    const { world, as, dir } = await networkHelpers.loadFixture(fixture);
    const golfo = as("golfo");
    const huaxia = as("huaxia");
    await create(as("cristal").contracts, { ...(await order(world)), tranches: "50:Delivered,50:Inspected" });
    await accept(as("glassworks").contracts, { order: "1" });
    await fxTerms(as("glassworks").contracts, { order: "1", provider: String(world.ids.huaxia), minRate: "0.37" });
    await fund(golfo.contracts, { order: "1", permit: false }, golfo.session);
    await carrierAttests(as, dir, "1", "Delivered", "POD-9");
    await dispute(as("cristal").contracts, { order: "1", reason: "LATE-INSPECTION" });
    // The arbiter decides the share and gives no quote: the award to convert waits in escrow for one.
    const resolved = await resolve(as("regulator").contracts, { order: "1", exporterShare: "60", quote: "" });
    expect(resolved).to.include(
      "  award of 120000.00 MXN held in escrow for an FX quote: anyone pays it with the payee's chosen quote " +
        "(trade:pay --order 1 --quote <file>)",
    );
    expect((await status(golfo.contracts, { order: "1" }))[0]).to.equal(
      "order 1: Funded; 400000.00 MXN paid out in CNY; in escrow 320000.00 MXN",
    );
    const q = path.join(dir, "award.json");
    await quote(
      huaxia.contracts,
      { order: "1", sell: "MXN", buy: "CNY", rate: "0.38", max: "400000", validFor: "600", out: q },
      huaxia.session,
    );
    // The held award is paid first, on its own; the released Delivered tranche waits for the next quote.
    const paid = await pay(as("pearl").contracts, { order: "1", quote: q });
    // 120,000.00 MXN gross less 0.25% fees = 119,700.00 MXN, at 0.38 = 45,486.00 CNY.
    expect(paid[1]).to.match(/^ {2}arbiter's award paid 45486\.00 CNY to /);
    expect((await status(golfo.contracts, { order: "1" }))[0]).to.equal(
      "order 1: Funded; 400000.00 MXN paid out in CNY; in escrow 200000.00 MXN",
    );
  });

  it("test_tradeTasks_cancelQuote_withdrawsAProvidersQuote_andRefusesAnotherKeysOrASpentOne", async function () {
    const { world, as, dir } = await networkHelpers.loadFixture(fixture);
    const golfo = as("golfo");
    const huaxia = as("huaxia");
    await create(as("cristal").contracts, await order(world));
    await accept(as("glassworks").contracts, { order: "1" });
    await fxTerms(as("glassworks").contracts, { order: "1", provider: String(world.ids.huaxia), minRate: "0.37" });
    await fund(golfo.contracts, { order: "1", permit: false }, golfo.session);
    await carrierAttests(as, dir, "1", "Shipped", "BL-7");
    const q = path.join(dir, "stale.json");
    await quote(
      huaxia.contracts,
      { order: "1", sell: "MXN", buy: "CNY", rate: "0.38", max: "400000", validFor: "600", out: q },
      huaxia.session,
    );
    const nonce = (JSON.parse(await readFile(q, "utf8")) as { quote: { nonce: string } }).quote.nonce;
    // Only the key that signed it withdraws it: another member's key is refused before anything is sent.
    const block = await connection.ethers.provider.getBlockNumber();
    expect(await failure(cancelQuote(golfo.contracts, { quote: q }))).to.equal(
      `--quote was signed by ${world.admins.huaxia.address}, not by this key (${world.admins.golfo.address}): ` +
        "only its signer can withdraw it",
    );
    expect(await connection.ethers.provider.getBlockNumber()).to.equal(block);
    expect((await cancelQuote(huaxia.contracts, { quote: q }))[0]).to.equal(
      `withdrew the FX quote in ${q}: nonce ${nonce} of ${world.admins.huaxia.address} is spent`,
    );
    expect(await failure(cancelQuote(huaxia.contracts, { quote: q }))).to.equal(
      `--quote: nonce ${nonce} of ${world.admins.huaxia.address} is already spent (the quote was used or withdrawn)`,
    );
    // Relayed after its withdrawal, the quote is refused with the chain's reason.
    expect(await failure(pay(as("pearl").contracts, { order: "1", quote: q }))).to.equal(
      `reverted: TradeFxQuoteNonceUsed(signer=${world.admins.huaxia.address}, nonce=${nonce})`,
    );
  });

  it("test_tradeTasks_disputeResolveAndTimeRules", async function () {
    const { world, as, dir } = await networkHelpers.loadFixture(fixture);
    const golfo = as("golfo");
    // Order 1 is paid in MXN (no FX), delivered, disputed and split 60/40 by the arbiter.
    await create(as("cristal").contracts, { ...(await order(world, "")), tranches: "50:Delivered,50:Inspected" });
    await accept(as("glassworks").contracts, { order: "1" });
    const permitted = await fund(golfo.contracts, { order: "1", permit: true }, golfo.session);
    expect(permitted[0]).to.equal("funded order 1: 400000.00 MXN locked in escrow (ERC-2612 permit, one transaction)");
    const delivered = await carrierAttests(as, dir, "1", "Delivered", "POD-1");
    expect(delivered[1]).to.match(/^ {2}tranche 1 paid 199500\.00 MXN to /);
    const disputed = await dispute(as("cristal").contracts, { order: "1", reason: "BROKEN-GLASS" });
    expect(disputed[0]).to.match(/^disputed order 1: an arbiter splits what remains in escrow by \d{4}-/);
    expect(await failure(resolve(as("regulator").contracts, { order: "1", exporterShare: "101", quote: "" }))).to.equal(
      '--exporter-share "101" must be a percentage from 0 to 100',
    );
    const resolved = await resolve(as("regulator").contracts, { order: "1", exporterShare: "60", quote: "" });
    expect(resolved[0]).to.equal("resolved order 1: 60% of what remained to the exporter's side, the rest refunded");
    expect(resolved[1]).to.match(/^ {2}arbiter's award paid 119700\.00 MXN to /);
    expect((await status(golfo.contracts, { order: "1" }))[0]).to.equal(
      "order 1: Settled; 400000.00 MXN paid out in MXN; in escrow 0.00 MXN",
    );

    // Order 2 is never shipped: after the deadline a stranger's call refunds it all.
    await create(as("cristal").contracts, await order(world, ""));
    await accept(as("glassworks").contracts, { order: "2" });
    await fund(golfo.contracts, { order: "2", permit: false }, golfo.session);
    expect(await failure(refund(as("pearl").contracts, { order: "2", rule: "unshipped", quote: "" }))).to.match(
      /^reverted: TradeTooEarly\(id=2, at=\d+\)$/,
    );
    await networkHelpers.time.increase(15 * DAY);
    expect((await refund(as("pearl").contracts, { order: "2", rule: "unshipped", quote: "" }))[0]).to.equal(
      "order 2: refunded 400000.00 MXN to the importer's bank: no shipment evidence by the deadline",
    );
  });

  it("test_tradeTasks_refuseBadInputWithoutSending", async function () {
    const { world, as, dir } = await networkHelpers.loadFixture(fixture);
    const cristal = as("cristal");
    const base = await order(world);
    const bad: [Partial<typeof base>, string][] = [
      [{ exporter: "" }, "--exporter is required"],
      [{ exporter: "x" }, '--exporter "x" is not a member id'],
      [{ currency: "EUR" }, 'no settlement token for "EUR": deployed are CNY, USD, MXN'],
      [{ amount: "0" }, '--amount must be positive, got "0"'],
      [{ tranches: "30:Shipped,60:Delivered" }, "tranches must be 1 to 8 shares summing to 100%, got 2 summing to 90%"],
      [
        { tranches: "100:Boarded" },
        'unknown evidence kind "Boarded": expected one of Shipped, CustomsCleared, Delivered, Inspected',
      ],
      [{ importerFeeBps: "1500" }, "the importer bank fee must be 0 to 1000 bps, got 1500"],
      [{ shipBy: "2020-01-01" }, "the shipment deadline 2020-01-01T23:59:59Z is not in the future"],
      [{ expires: base.shipBy }, /^the expiry .* must come after the shipment deadline/],
      [{ shipBy: "2027-02-30" }, /--ship-by/],
      // Review 36, X1: a delivery at the shipment deadline would open an objection period reaching the expiry.
      [{ objectionDays: "46" }, /^the objection window of 3974400 s would run .* could never be taken$/],
    ] as [Partial<typeof base>, string][];
    for (const [change, message] of bad) {
      const got = await failure(create(cristal.contracts, { ...base, ...change }));
      if (typeof message === "string") expect(got, JSON.stringify(change)).to.equal(message);
      else expect(got, JSON.stringify(change)).to.match(message);
    }
    // The chain's own refusals are decoded: a supplier named as exporter bank is not a Financier.
    expect(await failure(create(cristal.contracts, { ...base, exporterBank: String(world.ids.precision) }))).to.equal(
      `reverted: TradeInvalidParty(member=${world.ids.precision})`,
    );
    expect(await world.contracts.trade.escrowOf(1n)).to.equal(0n);
    await expect(world.contracts.trade.getOrder(1n)).to.be.revertedWithCustomError(
      world.contracts.trade,
      "TradeUnknownOrder",
    );

    await create(cristal.contracts, base);
    expect(await failure(accept(as("pearl").contracts, { order: "1" }))).to.match(/^reverted: MemberMissingRole\(/);
    expect(await failure(status(cristal.contracts, { order: "9" }))).to.equal("reverted: TradeUnknownOrder(id=9)");
    expect(await failure(status(cristal.contracts, { order: "one" }))).to.equal('--order "one" is not an order id');
    const carrier = as("carrier");
    expect(
      await failure(
        attest(
          carrier.contracts,
          { order: "1", kind: "Boarded", document: "BL", signatures: "", quote: "", out: "x" },
          carrier.session,
        ),
      ),
    ).to.equal('--kind "Boarded": expected one of Shipped, CustomsCleared, Delivered, Inspected');
    const other = path.join(dir, "other.json");
    await attest(
      carrier.contracts,
      { order: "1", kind: "Shipped", document: "BL-9", signatures: "", quote: "", out: other },
      carrier.session,
    );
    expect(
      await failure(
        attest(
          carrier.contracts,
          { order: "1", kind: "Shipped", document: "BL-1", signatures: other, quote: "", out: "" },
          carrier.session,
        ),
      ),
    ).to.equal(`${other} attests order 1 Shipped of another document, not order 1 Shipped`);
    // A co-signer who drew its own salt signed another commitment: the relayer names the salt to re-sign with.
    const first = path.join(dir, "first.json");
    const second = path.join(dir, "second.json");
    await attest(
      carrier.contracts,
      { order: "1", kind: "Shipped", document: "BL-1", signatures: "", quote: "", out: first },
      carrier.session,
    );
    await attest(
      carrier.contracts,
      { order: "1", kind: "Shipped", document: "BL-1", signatures: "", quote: "", out: second },
      carrier.session,
    );
    const salt = JSON.parse(await readFile(first, "utf8")).documentSalt as string;
    expect(
      await failure(
        attest(
          carrier.contracts,
          { order: "1", kind: "Shipped", document: "BL-1", signatures: `${first},${second}`, quote: "", out: "" },
          carrier.session,
        ),
      ),
    ).to.equal(
      `${second} was signed with another document salt than ${salt}: its signer re-signs with ` +
        `--document-salt ${salt}, so that all sign one commitment`,
    );
    const junk = path.join(dir, "junk.json");
    await writeFile(junk, "{}");
    expect(await failure(pay(cristal.contracts, { order: "1", quote: junk }))).to.equal(
      `${junk} is not an FX quote file (written by trade:quote)`,
    );
    expect(await failure(pay(cristal.contracts, { order: "1", quote: path.join(dir, "none.json") }))).to.equal(
      `cannot read the FX quote file ${path.join(dir, "none.json")}`,
    );
    const huaxia = as("huaxia");
    expect(
      await failure(
        quote(
          huaxia.contracts,
          { order: "1", sell: "MXN", buy: "CNY", rate: "abc", max: "1", validFor: "60", out: junk },
          huaxia.session,
        ),
      ),
    ).to.equal('rate "abc" is not a decimal number');
    expect(await failure(refund(cristal.contracts, { order: "1", rule: "later", quote: "" }))).to.equal(
      '--rule "later": expected one of unshipped, expired, objection',
    );
    // Nothing above changed the order.
    expect((await status(cristal.contracts, { order: "1" }))[0]).to.equal(
      "order 1: Created; 400000.00 MXN paid out in CNY; in escrow 0.00 MXN",
    );
  });

  it("item 7: trade:assign needs the financier's signed agreement and reports the exporter member", async function () {
    const { world, as, dir } = await networkHelpers.loadFixture(fixture);
    await create(as("cristal").contracts, { ...(await order(world, "")), tranches: "100:Shipped" });
    await accept(as("glassworks").contracts, { order: "1" });
    const glass = as("glassworks");
    const pacific = as("pacific");
    const file = path.join(dir, "assignment.json");
    const args = {
      order: "1",
      financier: String(world.ids.pacific),
      advance: "50000",
      validFor: "600",
      out: file,
      assignment: "",
    };
    expect(await failure(assign(pacific.contracts, { ...args, advance: "" }, pacific.session))).to.equal(
      "--advance is required",
    );
    expect((await assign(pacific.contracts, args, pacific.session))[0]).to.equal(
      `member ${world.ids.pacific} agrees to advance 50000.00 CNY against order 1's proceeds; written to ${file}`,
    );
    // The exporter cannot sign for the financier.
    const forged = path.join(dir, "forged.json");
    await assign(glass.contracts, { ...args, out: forged }, glass.session);
    expect(await failure(assign(glass.contracts, { ...args, out: "", assignment: forged }, glass.session))).to.equal(
      `reverted: TradeInvalidAssignment(id=1, signer=${world.admins.glassworks.address})`,
    );
    // The financier withdraws an offer before it is used (review 32, A3): only the key that signed it can.
    const withdrawn = path.join(dir, "withdrawn.json");
    await assign(pacific.contracts, { ...args, out: withdrawn }, pacific.session);
    const nonce = (JSON.parse(await readFile(withdrawn, "utf8")) as { nonce: string }).nonce;
    expect(await failure(cancelAssignment(glass.contracts, { order: "1", assignment: withdrawn }))).to.equal(
      `${withdrawn} was signed by ${world.admins.pacific.address}, not by this key (${world.admins.glassworks.address}): ` +
        "only its signer can withdraw it",
    );
    expect((await cancelAssignment(pacific.contracts, { order: "1", assignment: withdrawn }))[0]).to.equal(
      `withdrew the assignment offer in ${withdrawn} for order 1: nonce ${nonce} of ${world.admins.pacific.address} is spent`,
    );
    expect(await failure(assign(glass.contracts, { ...args, out: "", assignment: withdrawn }, glass.session))).to.equal(
      `reverted: TradeAssignmentNonceUsed(signer=${world.admins.pacific.address}, nonce=${nonce})`,
    );
    const out = await assign(glass.contracts, { ...args, out: "", assignment: file }, glass.session);
    expect(out[0]).to.equal(`assigned order 1's proceeds (400000.00 MXN) to member ${world.ids.pacific}`);
    expect(out[1]).to.equal(
      `  member ${world.ids.glassworks} owes the advance of 50000.00 CNY: reported to the credit registry as TradeFinance`,
    );
    expect(await failure(assign(glass.contracts, { ...args, out: "", assignment: file }, glass.session))).to.equal(
      "reverted: TradeAlreadyAssigned(id=1)",
    );

    // Never funded, the order lapses: it did not repay the advance, so the record stays open for the financier.
    expect(await failure(closeAdvance(pacific.contracts, { order: "1" }))).to.match(
      /^reverted: TradeUnexpectedOrderState\(id=1/,
    );
    await networkHelpers.time.increase(15 * DAY);
    await refund(as("pearl").contracts, { order: "1", rule: "expired", quote: "" });
    const assigned = `, proceeds assigned to ${world.ids.pacific}`;
    expect((await status(pacific.contracts, { order: "1" }))[1]).to.have.string(
      `${assigned} (advance open: part will not reach it here; trade:close-advance once repaid)`,
    );
    expect(await failure(closeAdvance(glass.contracts, { order: "1" }))).to.equal(
      `reverted: TradeUnauthorized(id=1, account=${world.admins.glassworks.address})`,
    );
    // Unpaid at the order's expiry, the advance may be booked as the exporter's default; a repayment still closes it.
    expect(await failure(defaultAdvance(pacific.contracts, { order: "1" }))).to.match(/^reverted: TradeTooEarly\(id=1/);
    await networkHelpers.time.increase(50 * DAY);
    expect(await failure(defaultAdvance(glass.contracts, { order: "1" }))).to.equal(
      `reverted: TradeUnauthorized(id=1, account=${world.admins.glassworks.address})`,
    );
    expect((await defaultAdvance(pacific.contracts, { order: "1" }))[0]).to.equal(
      "declared the advance on order 1 in default: the exporter's credit record is Defaulted",
    );
    expect(await failure(defaultAdvance(pacific.contracts, { order: "1" }))).to.equal(
      "reverted: TradeAdvanceAlreadyDefaulted(id=1)",
    );
    expect(await failure(closeAdvance(pacific.contracts, { order: "" }))).to.equal("--order is required");
    expect((await closeAdvance(pacific.contracts, { order: "1" }))[0]).to.equal(
      "closed the advance's credit record of order 1: repaid outside the order",
    );
    expect(await failure(closeAdvance(pacific.contracts, { order: "1" }))).to.equal(
      "reverted: TradeAdvanceNotOpen(id=1)",
    );
    expect((await status(pacific.contracts, { order: "1" }))[1]).to.match(new RegExp(`${assigned}$`));
  });
});
