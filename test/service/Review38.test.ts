/**
 * Adversarial review 38, the service: each test failed on the code before its fix.
 * - X1: relaying an FX quote on the payee's own service is the payee's FX choice (the chain takes a quote the
 *   payee's key relays without its provider and floor checks), so it needs the payee's desk, as `fx-terms` does.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { fundGlasswareParties } from "../../scripts/lib/glassware.js";
import { deployWorld } from "../../scripts/lib/world.js";
import { roleMask } from "../../src/members.js";
import { createToken, parseRoles } from "../../service/auth.js";

import { shippedOrder } from "./engines.js";

const connection = await network.create();
const { ethers } = connection;

describe("adversarial review 38: the service", function () {
  let world: Awaited<ReturnType<typeof deployWorld>>;
  before(async function () {
    world = await deployWorld(connection);
    await fundGlasswareParties(world, 4);
  });

  it("X1: only the payee's desk relays an FX quote on the payee's service; any desk relays evidence without one", async function () {
    const { services, post, ok, stop, id, quoteAt, relay, paid } = await shippedOrder(
      ethers.provider,
      world,
      "PO X1-38",
    );
    try {
      // The exporter's institution also runs an operator desk on its service.
      const opsDesk = (await createToken(services.glassworks.database.db, "ops desk", parseRoles("operator"))).token;
      const cheap = await quoteAt("0.01");

      // The operator desk of the exporter's service: each request carrying a quote is the exporter desk's step, as
      // naming the FX terms is. 403 before anything is sent (before the fix: 200, paid at 0.01 CNY per MXN).
      const refusals = [
        [
          `/v1/trade/orders/${id}/evidence`,
          { ...relay, quote: cheap },
          "relaying an order's evidence with an FX quote",
        ],
        [`/v1/trade/orders/${id}/pay`, { quote: cheap }, "paying an order's released tranches with an FX quote"],
        [`/v1/trade/orders/${id}/refund`, { rule: "objection", quote: cheap }, "applying a time rule with an FX quote"],
      ] as const;
      for (const [path, body, step] of refusals) {
        const r = await post("glassworks", path, body, opsDesk);
        expect(r.status, r.text).to.equal(403);
        expect(r.body.detail).to.equal(`${step} (as its exporter) needs the role exporter; the token has operator`);
      }
      expect(await paid()).to.equal(0);

      // Without a quote, relaying evidence stays any desk's step: the tranche is released and waits for a quote.
      const released = await ok("glassworks", `/v1/trade/orders/${id}/evidence`, relay, 200, opsDesk);
      expect(released.waitingForQuote).to.equal(true);
      expect(await paid()).to.equal(0);

      // The cheap quote relayed by another member (the provider's own desk) is not the payee's choice: the chain
      // refuses it. The exporter's own desk pays with the quote it chooses.
      const byProvider = await post("huaxia", `/v1/trade/orders/${id}/pay`, { quote: cheap });
      expect([byProvider.status, byProvider.body.revert?.name]).to.deep.equal([422, "TradeFxQuoteNotChosen"]);
      const payment = await ok("glassworks", `/v1/trade/orders/${id}/pay`, { quote: await quoteAt("0.38") });
      expect((payment.payments as { rate: string }[]).map((p) => p.rate)).to.have.length(1);
      expect(await paid()).to.equal(1);
    } finally {
      await stop();
    }
  });

  it("review 39, X2: a member that can never be the payee relays the named provider's quote from any desk", async function () {
    const { ok, post, stop, id, quoteAt, relay, paid } = await shippedOrder(ethers.provider, world, "PO X2-39");
    try {
      // The exporter names Huaxia, at 0.35 at least: the chain takes Huaxia's quotes at or above it from anyone.
      await ok("glassworks", `/v1/trade/orders/${id}/fx-terms`, {
        provider: Number(world.ids.huaxia),
        minRate: "0.35",
      });
      const quote = await quoteAt("0.38");
      // The importer's desk and the carrier's operator desk: neither member holds the Financier role, so neither key
      // is ever the payee's. Before the fix: 403, "as the financier its proceeds are assigned to".
      const byImporter = await post("cristal", `/v1/trade/orders/${id}/pay`, { quote });
      // Past the step, the chain answers: nothing is released yet.
      expect([byImporter.status, byImporter.body.revert?.name]).to.deep.equal([422, "TradeNothingReleased"]);
      const released = await ok("carrier", `/v1/trade/orders/${id}/evidence`, { ...relay, quote });
      expect(released.payments).to.have.length(1);
      expect(await paid()).to.equal(1);
    } finally {
      await stop();
    }
  });

  it("review 39, X2: the order's financier relays a quote only from its treasury, also once it lost the Financier role", async function () {
    const { services, ok, post, stop, id, quoteAt, relay, paid } = await shippedOrder(
      ethers.provider,
      world,
      "PO X2B-39",
    );
    try {
      // Pacific's treasury offers an advance; the exporter assigns the order's proceeds to it: Pacific is the payee.
      const offer = await ok(
        "pacific",
        `/v1/trade/orders/${id}/assignment-offers`,
        { financier: Number(world.ids.pacific), advance: "0.01", validFor: 3_600 },
        201,
      );
      await ok("glassworks", `/v1/trade/orders/${id}/assignments`, { assignment: offer });
      expect((await world.contracts.trade.getOrder(BigInt(id))).financier).to.equal(world.ids.pacific);
      // The governor then takes the Financier role away; Pacific stays the order's financier, its key the payee's.
      await world.contracts.members.connect(world.governor).removeRoles(world.ids.pacific, roleMask(["Financier"]));
      const opsDesk = (await createToken(services.pacific.database.db, "ops desk", parseRoles("operator"))).token;
      // Before the fix: the operator desk passed (no Financier role), and the chain took its quote as the payee's
      // choice, at any rate.
      const refused = await post(
        "pacific",
        `/v1/trade/orders/${id}/evidence`,
        { ...relay, quote: await quoteAt("0.01") },
        opsDesk,
      );
      expect(refused.status, refused.text).to.equal(403);
      expect(refused.body.detail).to.equal(
        "relaying an order's evidence with an FX quote (as the financier its proceeds are assigned to) needs the " +
          "role bank-treasury; the token has operator",
      );
      expect(await paid()).to.equal(0);
    } finally {
      await stop();
    }
  });
});
