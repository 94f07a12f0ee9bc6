/**
 * Adversarial review 43.
 * - Q2 (low, SDK/service): review 36's Q1 fix checked only a piece's state before a bank's desk signed a quote. A quote
 *   the ledger refuses whoever relays it (`ScfRecourseCurrency`: recourse outside the credit registry's reporting
 *   currency; `ScfSelfDealing`: a financier buying from itself, a debtor buying its own payable with recourse) was
 *   signed anyway, after raising the ledger's allowance on the bank's key by the quote's most. The desk now refuses
 *   such terms before it approves or signs anything (`unquotable`), and so does the service's finance preview
 *   (test/service/scf-writes.test.ts).
 */
import { expect } from "chai";
import { network } from "hardhat";

import { connect } from "../../src/deployment.js";
import * as desk from "../../src/desk/scf.js";
import { InputError, optionLabels } from "../../src/input.js";
import { unquotable, unsellable, unsellableForGood } from "../../src/scf.js";
import { ledgerWorld } from "../helpers/ledger.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const ledgerFixture = () => ledgerWorld(connection, "review 43");

describe("adversarial review 43: a desk signs no quote the ledger refuses whoever relays it", function () {
  it("Q2: a recourse quote in a non-reporting currency, or one buying from itself, is refused before any approval", async function () {
    const { world, scf, a, ids } = await networkHelpers.loadFixture(ledgerFixture);
    const usd = world.contracts.tokens.USD;
    const usdAddress = await usd.getAddress();
    const ledger = await scf.getAddress();

    // Pearl's USD line at Huaxia; a USD receivable to Glassworks, Held, confirmed, 90 days to maturity.
    await scf.connect(a.pearl).chooseFinancier(usdAddress, ids.huaxia);
    await scf.connect(a.huaxia).setCreditLine(ids.pearl, usdAddress, 1_000_000n);
    const maturity = BigInt(await networkHelpers.time.latest()) + 90n * 86_400n;
    const keys = [ethers.id("r43 q2 usd invoice")];
    const id = await scf.connect(a.pearl).issue.staticCall(a.glassworks.address, usdAddress, 500_000n, maturity, keys);
    await scf.connect(a.pearl).issue(a.glassworks.address, usdAddress, 500_000n, maturity, keys);
    await usd.connect(world.issuer).mint(a.huaxia, 1_000_000n);

    const bankDesk = {
      contracts: connect(world.deployment, a.huaxia),
      consortiumKey: async () => world.key,
      signer: a.huaxia,
      label: optionLabels,
    };
    const allowance = await usd.allowance(a.huaxia.address, ledger);
    const block = await ethers.provider.getBlockNumber();
    const refusal = async (req: Parameters<typeof desk.quote>[1]) => {
      try {
        await desk.quote(bankDesk, req);
      } catch (e) {
        if (e instanceof InputError) return [e.field, e.message];
        throw e;
      }
      throw new Error("the desk signed the quote");
    };
    expect(await refusal({ id: id.toString(), rateBps: "600", recourse: "true" })).to.deep.equal([
      "--recourse",
      `the ledger refuses this quote for R${id >> 24n}.0: recourse is booked in the credit registry's CNY, and the receivable is in USD`,
    ]);
    expect(await refusal({ id: id.toString(), rateBps: "600", seller: String(ids.huaxia) })).to.deep.equal([
      "--seller",
      `the ledger refuses this quote for R${id >> 24n}.0: financier ${ids.huaxia} would buy from itself`,
    ]);
    // Nothing approved, nothing sent.
    expect(await usd.allowance(a.huaxia.address, ledger)).to.equal(allowance);
    expect(await ethers.provider.getBlockNumber()).to.equal(block);

    // Without recourse the same piece is quoted, and the seller's finance on it goes through.
    const quoted = await desk.quote(bankDesk, { id: id.toString(), rateBps: "600" });
    const sellerDesk = { ...bankDesk, contracts: connect(world.deployment, a.glassworks), signer: a.glassworks };
    await desk.finance(sellerDesk, quoted.signed);
    expect((await scf.getPiece(id)).holder).to.equal(ids.huaxia);
  });

  it("Q2: unquotable names each refusal finance makes whoever relays it, and nothing else", function () {
    const family = { debtor: 7n };
    const cny = { token: "CNY", reporting: "CNY" };
    expect(unquotable({ recourse: false, seller: 3n }, 5n, family, cny)).to.equal(null);
    expect(unquotable({ recourse: true, seller: 3n }, 5n, family, cny)).to.equal(null);
    // A debtor buys its own payable early, but never with recourse.
    expect(unquotable({ recourse: false, seller: 3n }, 7n, family, cny)).to.equal(null);
    expect(unquotable({ recourse: true, seller: 3n }, 7n, family, cny)?.term).to.equal("recourse");
    expect(unquotable({ recourse: false, seller: 5n }, 5n, family, cny)?.term).to.equal("seller");
    const usd = { token: "USD", reporting: "CNY" };
    expect(unquotable({ recourse: false, seller: 3n }, 5n, family, usd)).to.equal(null);
    expect(unquotable({ recourse: true, seller: 3n }, 5n, family, usd)?.reason).to.equal(
      "recourse is booked in the credit registry's CNY, and the receivable is in USD",
    );
  });

  it("reviews 46 and 47: unsellableForGood refuses only what no later act undoes; unsellable names the confirmation a request awaits", function () {
    const held = { state: 1, frozen: false, encumbered: false };
    const confirmed = { state: 2, maturity: 1_000n };
    const requested = { state: 1, maturity: 1_000n };
    // A request's piece is None until the debtor confirms: passing, and named by what it waits for.
    expect(unsellableForGood({ state: 0 }, requested, 10n)).to.equal(null);
    expect(unsellable({ ...held, state: 0 }, requested, 10n)).to.equal("its receivable is not confirmed yet");
    // A pledge and a freeze end: passing too.
    expect(unsellableForGood(held, confirmed, 10n)).to.equal(null);
    expect(unsellable({ ...held, encumbered: true }, confirmed, 10n)).to.equal("it is pledged");
    expect(unsellable({ ...held, frozen: true }, confirmed, 10n)).to.equal("a Regulator froze it");
    // Sold, matured: for good.
    expect(unsellableForGood({ state: 2 }, confirmed, 10n)).to.equal("it is Financed, not Held");
    expect(unsellableForGood({ state: 1 }, confirmed, 1_000n)).to.equal("it has matured");
    expect(unsellable(held, confirmed, 10n)).to.equal(null);
  });
});
