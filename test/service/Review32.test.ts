/**
 * Adversarial review 32, the service. Each test failed on the code before its fix:
 *
 * - D1: a signed message's number that its ABI type cannot hold (an SCF quote's rateBps or nonce, an FX quote's
 *   rate, an assignment's advance) was a 500: the desks' parsers checked digits only, and ethers' encoding error
 *   reached the service undecoded (the assignment's preview echoed ethers' own text). Each field is now checked against
 *   its width (`uintField`): a 400 naming the field, nothing sent.
 * - D2: the FX-terms step let both `exporter` and `bank-treasury` through for an order it could not find, and the desk
 *   read the order again: an order created between the two reads got its exporter's terms from the member's treasury
 *   token. An unknown order is now a 404 at the step, as the chain would refuse it.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { deployWorld } from "../../scripts/lib/world.js";
import type { RunningService } from "../../service/server.js";

import {
  call,
  glasswareOrderBody,
  memberService,
  openPearlLineAtPacific,
  pearlReceivableBody,
  roleToken,
  scfWorld,
  startTestService,
  type ApiBody as Body,
} from "./engines.js";

const connection = await network.create();
const { ethers } = connection;

describe("adversarial review 32: the service", function () {
  let world: Awaited<ReturnType<typeof deployWorld>>;
  before(async function () {
    world = await scfWorld(connection);
  });

  it("D1: a signed quote's or assignment's number its ABI type cannot hold is a 400 naming the field; nothing is sent", async function () {
    const s: Record<string, RunningService> = {};
    try {
      for (const who of ["pearl", "glassworks", "pacific", "cristal", "huaxia"]) {
        s[who] = await memberService(ethers.provider, world, who);
      }
      const pearl = await roleToken(s.pearl, "supply-chain-desk");
      const supplier = await roleToken(s.glassworks, "supply-chain-desk");
      const exporter = await roleToken(s.glassworks, "exporter");
      const bank = await roleToken(s.pacific, "bank-treasury");
      const importer = await roleToken(s.cristal, "importer");
      const ok = async (r: Promise<{ status: number; body: Body }>, status: number) => {
        const a = await r;
        expect(a.status, a.body.detail).to.equal(status);
        return a.body.result!;
      };
      // A receivable held by the supplier and a bank's signed quote for it, as the desks make them.
      await openPearlLineAtPacific(s, world, pearl, bank);
      const latest = (await ethers.provider.getBlock("latest"))!.timestamp;
      const day = (offset: number) => new Date((latest + offset * 86_400) * 1000).toISOString().slice(0, 10);
      const issued = await ok(
        call(
          s.pearl.url,
          pearl,
          "POST",
          "/v1/scf/receivables",
          pearlReceivableBody(world.admins.glassworks.address, "INV-R32D-1", day),
        ),
        201,
      );
      const root = issued.id as string;
      const signed = (await ok(
        call(s.pacific.url, bank, "POST", `/v1/scf/receivables/${root}/quotes`, { rateBps: 600, validFor: 86_400 }),
        201,
      )) as { quote: Record<string, unknown>; signature: string };
      // An order for the trade endpoints.
      const order = await ok(
        call(s.cristal.url, importer, "POST", "/v1/trade/orders", glasswareOrderBody(world.ids, "PO R32D-D1", day)),
        201,
      );
      const id = String(order.id);

      const block = await ethers.provider.getBlockNumber();
      const over256 = (2n ** 256n).toString();
      const fxQuote = {
        quote: {
          order: id,
          beneficiary: String(world.ids.glassworks),
          sellToken: world.deployment.tokens.CNY,
          buyToken: world.deployment.tokens.CNY,
          rate: over256,
          maxSellAmount: "1",
          expiry: "1",
          nonce: "1",
        },
        signature: "0x" + "11".repeat(65),
      };
      const assignment = {
        order: id,
        exporter: String(world.ids.glassworks),
        financier: String(world.ids.huaxia),
        advance: over256,
        deadline: "1",
        signature: "0x" + "11".repeat(65),
      };
      const answers = [
        // rateBps is a uint16 on the chain: 70000 does not fit.
        await call(s.glassworks.url, supplier, "POST", `/v1/scf/receivables/${root}/finance`, {
          quote: { ...signed.quote, rateBps: 70_000 },
          signature: signed.signature,
        }),
        await call(s.glassworks.url, supplier, "POST", `/v1/scf/receivables/${root}/finance/preview`, {
          quote: { ...signed.quote, nonce: over256 },
          signature: signed.signature,
        }),
        await call(s.glassworks.url, exporter, "POST", `/v1/trade/orders/${id}/pay`, { quote: fxQuote }),
        await call(s.glassworks.url, exporter, "POST", `/v1/trade/orders/${id}/refund`, {
          rule: "objection",
          quote: fxQuote,
        }),
        await call(s.glassworks.url, exporter, "POST", `/v1/trade/orders/${id}/assignments`, { assignment }),
      ];
      expect(answers.map((a) => [a.status, a.body.errors?.map((e) => e.pointer)])).to.deep.equal([
        [400, ["/quote"]],
        [400, ["/quote"]],
        [400, ["/quote"]],
        [400, ["/quote"]],
        [400, ["/assignment"]],
      ]);
      expect(answers.map((a) => a.body.detail)).to.deep.equal([
        "quote: quote.rateBps 70000 is too large (the chain stores it in 16 bits)",
        `quote: quote.nonce ${over256} is too large (the chain stores it in 256 bits)`,
        `quote: quote.rate ${over256} is too large (the chain stores it in 256 bits)`,
        `quote: quote.rate ${over256} is too large (the chain stores it in 256 bits)`,
        `assignment: assignment.advance ${over256} is too large (the chain stores it in 64 bits)`,
      ]);
      // The same on the assignment's preview, in the service's words, not ethers'.
      const preview = await call(s.glassworks.url, exporter, "POST", `/v1/trade/orders/${id}/assignments/preview`, {
        assignment,
      });
      expect([preview.status, preview.body.detail]).to.deep.equal([
        400,
        `assignment: assignment.advance ${over256} is too large (the chain stores it in 64 bits)`,
      ]);
      // Nothing reached the chain.
      expect(await ethers.provider.getBlockNumber()).to.equal(block);
    } finally {
      for (const v of Object.values(s)) await v.stop();
    }
  });

  it("D2: an order the FX-terms step cannot find is a 404, so a treasury token never names an exporter's terms in a race", async function () {
    const trade = world.contracts.trade;
    const getOrder = trade.interface.getFunction("getOrder")!.selector;
    let onUnknownOrder: (() => Promise<void>) | undefined;
    // The chain as the exporter's service reads it: the step's read of the order comes back TradeUnknownOrder, and
    // right after, the order is created and accepted (what a race between the two reads does).
    const target = ethers.provider as unknown as Record<string | symbol, unknown>;
    const provider = new Proxy(target, {
      get(t, prop) {
        if (prop === "call") {
          return async (tx: { data?: string }) => {
            try {
              return await (t.call as (x: unknown) => Promise<string>).call(t, tx);
            } catch (err) {
              const hook = onUnknownOrder;
              if (hook !== undefined && tx.data?.startsWith(getOrder) === true) {
                onUnknownOrder = undefined;
                await hook();
              }
              throw err;
            }
          };
        }
        const v = Reflect.get(t, prop, t);
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(t) : v;
      },
    }) as never;
    const cristal = await memberService(ethers.provider, world, "cristal");
    const glassworks = await startTestService(provider, world.deployment, ":memory:", {
      signer: world.admins.glassworks,
      consortiumKey: async () => world.key,
    });
    try {
      const importer = await roleToken(cristal, "importer");
      const exporter = await roleToken(glassworks, "exporter");
      const treasury = await roleToken(glassworks, "bank-treasury");
      const latest = (await ethers.provider.getBlock("latest"))!.timestamp;
      const day = (offset: number) => new Date((latest + offset * 86_400) * 1000).toISOString().slice(0, 10);
      const create = async (po: string) => {
        const r = await call(cristal.url, importer, "POST", "/v1/trade/orders", glasswareOrderBody(world.ids, po, day));
        expect(r.status, r.body.detail).to.equal(201);
        const id = String(r.body.result!.id);
        const a = await call(glassworks.url, exporter, "POST", `/v1/trade/orders/${id}/accept`, {});
        expect(a.status, a.body.detail).to.equal(200);
        return id;
      };
      const terms = { provider: Number(world.ids.huaxia), minRate: "0.01" };
      // The control: on an order the step can read, the exporter's FX terms are the exporter desk's only.
      const first = await create("PO R32D-D2-a");
      const refused = await call(glassworks.url, treasury, "POST", `/v1/trade/orders/${first}/fx-terms`, terms);
      expect(refused.status).to.equal(403);
      expect(refused.body.detail).to.contain("needs the role exporter");
      // The next order id (ids are sequential): the step finds no order, and the order is created and accepted right
      // after its read. The step refuses it as unknown: nothing is sent, whoever's token it is.
      const next = String(BigInt(first) + 1n);
      onUnknownOrder = async () => {
        expect(await create("PO R32D-D2-b")).to.equal(next);
      };
      const sent = await call(glassworks.url, treasury, "POST", `/v1/trade/orders/${next}/fx-terms`, terms);
      expect([sent.status, sent.body.detail]).to.deep.equal([404, `no order ${next} on this chain`]);
      expect(onUnknownOrder).to.equal(undefined);
      const fx = await trade.fxTermsOf(BigInt(next));
      expect(fx.provider).to.equal(0n);
      // The order now exists: the treasury token is refused by role, the exporter's token sets the terms.
      const again = await call(glassworks.url, treasury, "POST", `/v1/trade/orders/${next}/fx-terms`, terms);
      expect(again.status).to.equal(403);
      const own = await call(glassworks.url, exporter, "POST", `/v1/trade/orders/${next}/fx-terms`, terms);
      expect(own.status, own.body.detail).to.equal(200);
    } finally {
      await glassworks.stop();
      await cristal.stop();
    }
  });
});
