import { expect } from "chai";
import { network } from "hardhat";

import { fundGlasswareParties } from "../../scripts/lib/glassware.js";
import { deployWorld } from "../../scripts/lib/world.js";
import { createToken, parseRoles } from "../../service/auth.js";
import type { RunningService } from "../../service/server.js";

import { TRADE_PARTIES, engines, glasswareOrderBody, startTestService } from "./engines.js";

const connection = await network.create();
const { ethers } = connection;

interface Body {
  status: number;
  detail: string;
  errors?: { pointer: string }[];
  revert?: { name: string };
  txHashes: string[];
  result: Record<string, unknown>;
}

describe("service writes: a trade order from creation to a paid tranche, one service per party", function () {
  let world: Awaited<ReturnType<typeof deployWorld>>;
  before(async function () {
    world = await deployWorld(connection);
    await fundGlasswareParties(world, 2);
  });

  for (const store of engines()) {
    after(() => store.cleanup());

    it(`test_tradeFlow_overHttp_paysTheTrancheInTheExportersCurrency (${store.name})`, async function () {
      // The regulator's desk is the arbiter of the dispute at the end.
      const parties = [...TRADE_PARTIES, ["regulator", "operator"] as const];
      const services: Record<string, RunningService> = {};
      const tokens: Record<string, string> = {};
      try {
        for (const [who, role] of parties) {
          services[who] = await startTestService(ethers.provider, world.deployment, await store.fresh(), {
            signer: world.admins[who],
            consortiumKey: async () => world.key,
          });
          tokens[who] = (await createToken(services[who].database.db, who, parseRoles(role))).token;
        }
        const post = async (who: string, path: string, body: unknown, token = tokens[who]) => {
          const res = await fetch(services[who].url + path, {
            method: "POST",
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
            body: JSON.stringify(body),
          });
          return { status: res.status, body: (await res.json()) as Body };
        };
        const ok = async (who: string, path: string, body: unknown, status = 200) => {
          const r = await post(who, path, body);
          expect(r.status, `${path}: ${r.body.detail}`).to.equal(status);
          return r.body.result;
        };
        const latest = (await ethers.provider.getBlock("latest"))!.timestamp;
        const day = (offset: number) => new Date((latest + offset * 86_400) * 1000).toISOString().slice(0, 10);
        const order = glasswareOrderBody(world.ids, `PO CC-2026-${store.name}`, day);

        // Refused before anything is sent: the exporter cannot create, a bad tranche list is a 400.
        const block = await ethers.provider.getBlockNumber();
        expect((await post("glassworks", "/v1/trade/orders", order)).status).to.equal(403);
        const badTranches = await post("cristal", "/v1/trade/orders", {
          ...order,
          tranches: "30:Shipped,40:Teleported",
        });
        expect([badTranches.status, badTranches.body.errors?.[0].pointer]).to.deep.equal([400, "/tranches"]);
        // An objection period that a delivery at the shipment deadline would run to the expiry (review 36, X1).
        const tooLong = await post("cristal", "/v1/trade/orders", { ...order, objectionDays: 46 });
        expect([tooLong.status, tooLong.body.errors?.[0].pointer]).to.deep.equal([400, "/objectionDays"]);
        expect(await ethers.provider.getBlockNumber()).to.equal(block);

        const created = await ok("cristal", "/v1/trade/orders", order, 201);
        const id = created.id as string;
        expect(created).to.include({ currency: "MXN", payout: "CNY", tranches: 3 });
        // Funding an order not accepted yet: the chain's refusal, found before any approval is sent.
        const early = await ethers.provider.getBlockNumber();
        const notAccepted = await post("golfo", `/v1/trade/orders/${id}/fund`, {});
        expect([notAccepted.status, notAccepted.body.revert?.name]).to.deep.equal([422, "TradeUnexpectedOrderState"]);
        expect(await ethers.provider.getBlockNumber()).to.equal(early);
        await ok("glassworks", `/v1/trade/orders/${id}/accept`, {});
        // The exporter names Huaxia as the FX provider whose quotes anyone may relay, at 0.37 MXN->CNY or better.
        await ok("glassworks", `/v1/trade/orders/${id}/fx-terms`, {
          provider: Number(world.ids.huaxia),
          minRate: "0.37",
        });
        const funded = await ok("golfo", `/v1/trade/orders/${id}/fund`, {});
        expect(funded).to.include({ amount: "400000.00", currency: "MXN" });
        expect(await world.contracts.trade.escrowOf(BigInt(id))).to.equal(40_000_000n);

        const attestation = await ok(
          "carrier",
          `/v1/trade/orders/${id}/attestations`,
          { kind: "Shipped", document: "bill of lading TPL-MZO-88121" },
          201,
        );
        const quote = await ok(
          "huaxia",
          `/v1/trade/orders/${id}/fx-quotes`,
          { sell: "MXN", buy: "CNY", rate: "0.38", max: "400000.00", validFor: 3600 },
          201,
        );
        // A quote the provider withdraws: only its signer's desk can (another bank's is a 400 naming it, before
        // anything is sent), once; relayed afterwards, the chain refuses it, decoded.
        const stale = await ok(
          "huaxia",
          `/v1/trade/orders/${id}/fx-quotes`,
          { sell: "MXN", buy: "CNY", rate: "0.39", max: "400000.00", validFor: 3600 },
          201,
        );
        const staleQuote = { quote: stale.quote, signature: stale.signature };
        const beforeCancel = await ethers.provider.getBlockNumber();
        const notMine = await post("golfo", `/v1/trade/orders/${id}/fx-quotes/cancel`, { quote: staleQuote });
        expect([notMine.status, notMine.body.errors?.[0].pointer]).to.deep.equal([400, "/quote"]);
        expect(await ethers.provider.getBlockNumber()).to.equal(beforeCancel);
        const cancelled = await ok("huaxia", `/v1/trade/orders/${id}/fx-quotes/cancel`, { quote: staleQuote });
        const staleNonce = (stale.quote as { nonce: string }).nonce;
        expect(cancelled).to.deep.include({ nonce: staleNonce, cancelled: true });
        const again = await post("huaxia", `/v1/trade/orders/${id}/fx-quotes/cancel`, { quote: staleQuote });
        expect([again.status, again.body.detail]).to.deep.equal([
          400,
          `quote: nonce ${staleNonce} of ${world.admins.huaxia.address} is already spent (the quote was used or withdrawn)`,
        ]);
        const withdrawn = await post("huaxia", `/v1/trade/orders/${id}/evidence`, {
          kind: "Shipped",
          document: "bill of lading TPL-MZO-88121",
          attestations: [attestation],
          quote: staleQuote,
        });
        expect([withdrawn.status, withdrawn.body.revert?.name]).to.deep.equal([422, "TradeFxQuoteNonceUsed"]);

        // Another kind's attestation is refused before anything is sent.
        const before = await ethers.provider.getBlockNumber();
        const wrongKind = await post("huaxia", `/v1/trade/orders/${id}/evidence`, {
          kind: "Delivered",
          document: "bill of lading TPL-MZO-88121",
          attestations: [attestation],
          quote: { quote: quote.quote, signature: quote.signature },
        });
        expect([wrongKind.status, wrongKind.body.errors?.[0].pointer]).to.deep.equal([400, "/attestations"]);
        expect(await ethers.provider.getBlockNumber()).to.equal(before);

        const relayed = await ok("huaxia", `/v1/trade/orders/${id}/evidence`, {
          kind: "Shipped",
          document: "bill of lading TPL-MZO-88121",
          attestations: [attestation],
          quote: { quote: quote.quote, signature: quote.signature },
        });
        const payments = relayed.payments as { tranche: string; uetr: string; payout: string }[];
        expect(payments.map((p) => p.tranche)).to.deep.equal(["1"]);
        const paid = await world.contracts.trade.queryFilter(world.contracts.trade.filters.TranchePaid(BigInt(id)));
        expect(paid.map((e) => e.args.payout.toString())).to.deep.equal([payments[0].payout]);

        // The financier's steps on an advance reach the chain, which decides, decoded: the order is still running. Only
        // a bank's treasury may take them.
        for (const step of ["close", "default"]) {
          const r = await post("huaxia", `/v1/trade/orders/${id}/advance/${step}`, {});
          expect([r.status, r.body.revert?.name], r.body.detail).to.deep.equal([422, "TradeUnexpectedOrderState"]);
        }
        expect((await post("glassworks", `/v1/trade/orders/${id}/advance/close`, {})).status).to.equal(403);

        // Indexed by the exporter's service: the order with its payment, and its pacs.008.
        await services.glassworks.caughtUp();
        const get = (path: string) =>
          fetch(services.glassworks.url + path, { headers: { authorization: `Bearer ${tokens.glassworks}` } });
        const read = (await (await get(`/v1/trade/orders/${id}`)).json()) as {
          state: string;
          payments: { payout: string }[];
          trancheDetails: { settled: boolean; awaiting: string[] }[];
        };
        expect(read.state).to.equal("Funded");
        expect(read.payments.map((p) => p.payout)).to.deep.equal([payments[0].payout]);
        expect(read.trancheDetails.map((t) => [t.settled, t.awaiting])).to.deep.equal([
          [true, []],
          [false, ["CustomsCleared"]],
          [false, ["Delivered"]],
        ]);
        const xml = await (await get(`/v1/trade/payments/${payments[0].uetr}/pacs008?format=xml`)).text();
        expect(xml).to.include(`<UETR>${payments[0].uetr}</UETR>`);

        // Delivered before customs cleared: the importer disputes within the objection window, and the customs tranche
        // is at stake. The arbiter gives no quote, so the exporter's 60% of it waits in escrow for one (review 28, F1),
        // in the resolve answer and in the order's view, until the FX provider's quote pays it.
        const delivered = await ok(
          "carrier",
          `/v1/trade/orders/${id}/attestations`,
          { kind: "Delivered", document: "proof of delivery POD-5531" },
          201,
        );
        await ok("huaxia", `/v1/trade/orders/${id}/evidence`, {
          kind: "Delivered",
          document: "proof of delivery POD-5531",
          attestations: [delivered],
        });
        await ok("cristal", `/v1/trade/orders/${id}/dispute`, { reason: "breakage" });
        const resolved = await ok("regulator", `/v1/trade/orders/${id}/resolve`, { exporterShare: "60" });
        // 60% of the customs tranche's 160,000.00 MXN, in minor units.
        expect(resolved.heldAward).to.equal("9600000");
        const heldView = async () => {
          await services.glassworks.caughtUp();
          return ((await (await get(`/v1/trade/orders/${id}`)).json()) as { heldAward: string | null }).heldAward;
        };
        expect(await heldView()).to.equal("9600000");
        const payQuote = await ok(
          "huaxia",
          `/v1/trade/orders/${id}/fx-quotes`,
          { sell: "MXN", buy: "CNY", rate: "0.38", max: "400000.00", validFor: 3600 },
          201,
        );
        const award = await ok("huaxia", `/v1/trade/orders/${id}/pay`, {
          quote: { quote: payQuote.quote, signature: payQuote.signature },
        });
        // The award is paid first; the delivered tranche, released, waits for the next quote.
        expect((award.payments as { tranche: string }[]).map((p) => p.tranche)).to.deep.equal(["award"]);
        expect(await heldView()).to.equal(null);
      } finally {
        for (const s of Object.values(services)) await s.stop();
      }
    });
  }
});
