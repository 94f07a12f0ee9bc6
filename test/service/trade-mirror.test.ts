import { expect } from "chai";
import { network } from "hardhat";

import { reasonCode } from "../../src/encoding.js";
import { NO_FX_QUOTE, signAssignment } from "../../src/trade.js";
import { openDatabase } from "../../service/db.js";
import { Indexer } from "../../service/indexer.js";
import { migrate } from "../../service/migrations.js";
import { project, rebuild } from "../../service/projections.js";
import { pauses } from "../../service/projections/scf.js";
import { trade as tradeProjection } from "../../service/projections/trade.js";

import { DAY, Kind, tradeWorld } from "../helpers/trade.js";

import { engines } from "./engines.js";
import { checkTrade } from "./mirror.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

/** Nine orders through every path: FX payments (one waiting for a quote), a lapse, an arbiter's split, a dispute
 *  the arbiter let expire (with and without something at stake), unshipped refunds, pre-shipment finance and FX
 *  terms, an advance left open by a refund (and one closed by its financier), a raised threshold, a pause, and an award held for an FX quote. */
async function mirrorWorld() {
  const t = await tradeWorld(connection, { funds: 500_000_000n, document: "PO-MIRROR" });
  const { world, trade, a } = t;
  const fx = {
    ...t.terms,
    amount: 40_000_001n,
    tranches: [
      { shareBps: 3_333, evidence: 1 << Kind.Shipped },
      { shareBps: 3_333, evidence: 1 << Kind.CustomsCleared },
      { shareBps: 3_334, evidence: (1 << Kind.Delivered) | (1 << Kind.Shipped) },
    ],
  };
  const same = {
    ...fx,
    payoutToken: fx.payToken,
    amount: 10_000_000n,
    tranches: [
      { shareBps: 5_000, evidence: 1 << Kind.Delivered },
      { shareBps: 5_000, evidence: 1 << Kind.Inspected },
    ],
  };
  const attest = async (order: bigint, kind: number, quote = NO_FX_QUOTE, signature = "0x") => {
    const doc = ethers.id(`doc-${order}-${kind}`);
    await trade.attest(order, kind, doc, [await t.attestation(order, kind, doc)], quote, signature);
  };
  const quote = (order: bigint, nonce: bigint) => t.fxQuote(nonce, { order, maxSellAmount: fx.amount });

  // Order 1 (FX) is made before the governor raises a threshold; orders 2 to 6 (same currency) after it.
  await trade.connect(a.cristal).createOrder(fx);
  await trade.setThreshold(Kind.Inspected, 2);
  for (let i = 0; i < 5; i++) await trade.connect(a.cristal).createOrder(same);
  // Order 7 (FX, one tranche on delivery): released without a quote; with nothing at stake, no dispute is taken.
  await trade
    .connect(a.cristal)
    .createOrder({ ...fx, tranches: [{ shareBps: 10_000, evidence: 1 << Kind.Delivered }] });
  // Order 8 (same currency): financed, never shipped.
  await trade.connect(a.cristal).createOrder(same);
  // Order 9 (FX, half on delivery, half on inspection): disputed, and the arbiter's award held for a quote.
  await trade.connect(a.cristal).createOrder({
    ...fx,
    tranches: [
      { shareBps: 5_000, evidence: 1 << Kind.Delivered },
      { shareBps: 5_000, evidence: 1 << Kind.Inspected },
    ],
  });
  for (let id = 1n; id <= 9n; id++) await trade.connect(a.glassworks).accept(id);
  // Orders 5, 6 and 8: pre-shipment finance (same currency: they take no FX terms, review 32, A2).
  const deadline = BigInt(await networkHelpers.time.latest()) + 600n;
  for (const order of [5n, 6n, 8n]) {
    const assignment = {
      order,
      exporter: world.ids.glassworks,
      financier: world.ids.pacific,
      advance: 1n,
      deadline,
      nonce: order,
    };
    await trade
      .connect(a.glassworks)
      .assignProceeds(
        order,
        world.ids.pacific,
        1n,
        deadline,
        order,
        await signAssignment(a.pacific, t.domain, assignment),
      );
  }
  await trade.connect(a.glassworks).setFxTerms(1n, world.ids.huaxia, 0n);
  for (const id of [1n, 3n, 4n, 5n, 6n, 7n, 8n, 9n]) await trade.connect(a.golfo).fund(id);

  // Order 1: paid in CNY as evidence comes; customs cleared without a quote waits for payReleased.
  const q1 = await quote(1n, 1n);
  await attest(1n, Kind.Shipped, q1.q, q1.sig);
  await attest(1n, Kind.CustomsCleared);
  const q2 = await quote(1n, 2n);
  await trade.connect(world.outsiders[0]).payReleased(1n, q2.q, q2.sig);
  const q3 = await quote(1n, 3n);
  await attest(1n, Kind.Delivered, q3.q, q3.sig);
  // Orders 3 and 4: delivered, then disputed; the arbiter splits order 3, and lets order 4's dispute expire.
  await attest(7n, Kind.Delivered);
  await expect(trade.connect(a.cristal).dispute(7n, reasonCode("CRACKS"))).to.be.revertedWithCustomError(
    trade,
    "TradeNothingAtStake",
  );
  for (const id of [3n, 4n]) {
    await attest(id, Kind.Delivered);
    await trade.connect(a.cristal).dispute(id, reasonCode("CRACKS"));
  }
  await trade.connect(a.regulator).resolve(3n, 2_500, NO_FX_QUOTE, "0x");
  // Order 9: the exporter named no provider, so the arbiter gives no quote: 60% of the inspection half is held.
  await attest(9n, Kind.Delivered);
  await trade.connect(a.cristal).dispute(9n, reasonCode("CRACKS"));
  await trade.connect(a.regulator).resolve(9n, 6_000, NO_FX_QUOTE, "0x");
  // A pause moves every deadline on.
  await trade.pause();
  await networkHelpers.time.increase(Number(2n * DAY));
  await trade.unpause();
  await networkHelpers.time.increase(Number(15n * DAY));
  await trade.refundExpired(4n);
  // Orders 5 and 8: never shipped, so their advances stay open; the financier closes order 8's. Order 2: never funded.
  await trade.connect(world.outsiders[0]).refundUnshipped(5n);
  await trade.connect(world.outsiders[0]).refundUnshipped(8n);
  await trade.connect(a.pacific).closeAdvance(8n);
  await trade.connect(world.outsiders[0]).refundExpired(2n);

  const ids = [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n];
  const orders = await Promise.all(ids.map((id) => trade.getOrder(id)));
  // Settled, Lapsed, Settled x3, Funded x2, Settled, Funded
  expect(orders.map((o) => o.state)).to.deep.equal([5n, 6n, 5n, 5n, 5n, 3n, 3n, 5n, 3n]);
  expect(orders.map((o) => o.advanceOpen)).to.deep.equal([
    false,
    false,
    false,
    false,
    true,
    false,
    false,
    false,
    false,
  ]);
  expect(await trade.escrowOf(9n)).to.equal(20_000_000n + 12_000_000n); // the released half, and the held award

  return world;
}

describe("service read model: trade", function () {
  let world: Awaited<ReturnType<typeof mirrorWorld>>;
  before(async function () {
    world = await mirrorWorld();
  });

  for (const store of engines()) {
    after(() => store.cleanup());
    it(`test_tradeMirror_matchesGetOrderThroughEveryPath_fieldByField (${store.name})`, async function () {
      const a = world.admins;
      const { db, engine, close } = openDatabase(await store.fresh(), ":memory:");
      await migrate(db as never, engine);
      const chainId = Number((await ethers.provider.getNetwork()).chainId);
      const projections = [pauses, tradeProjection];
      const indexer = new Indexer({
        db,
        provider: ethers.provider,
        chainId,
        deployment: world.deployment,
        fromBlock: 0,
        onEvents: (trx, rows) => project(trx, projections, rows),
        onRollback: (trx) => rebuild(trx, projections, chainId),
      });
      for (let r = await indexer.step(); r.indexed < r.head; r = await indexer.step());
      const counts = await checkTrade(db, world, chainId, await networkHelpers.time.latest());
      expect(counts.orders).to.equal(9);
      expect(counts.tranches).to.equal(18);
      // Order 1: three tranches; 3 and 4: one paid and one award or refund each (and order 3 a refund); 5 and 8: a
      // refund each; 9: the refund of what the arbiter did not award.
      expect(counts.payments).to.equal(3 + 3 + 2 + 1 + 1 + 1);
      const held = await db
        .selectFrom("trade_orders")
        .select(["id", "held_award"])
        .where("held_award", "!=", "0")
        .execute();
      expect(held.map((o) => [o.id, o.held_award])).to.deep.equal([["9", "12000000"]]);
      const open = await db.selectFrom("trade_orders").select("id").where("advance_open", "=", 1).execute();
      expect(open.map((o) => o.id)).to.deep.equal(["5"]);
      const paid = await db
        .selectFrom("trade_payments")
        .selectAll()
        .where("order_id", "=", "1")
        .orderBy("tranche")
        .execute();
      expect(paid.map((p) => [p.fx_provider, p.quote_nonce])).to.deep.equal([
        [a.huaxia.address, "1"],
        [a.huaxia.address, "2"],
        [a.huaxia.address, "3"],
      ]);
      await close();
    });
  }
});
