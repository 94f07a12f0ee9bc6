/**
 * Adversarial reviews 11 (R11-4) and 12: the exporter reads an assignment offer before it assigns its proceeds. The
 * preview answers what the chain would record (the financier, the member whose operator signed, the advance in the
 * credit registry's currency, the deadline), not what the offer's text says; an offer for another order or exporter,
 * or with a signature that is not one, is a 400 naming the field; nothing is sent.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { deployWorld } from "../../scripts/lib/world.js";
import type { RunningService } from "../../service/server.js";

import { glasswareOrderBody, roleToken, withMemberServices } from "./engines.js";

const connection = await network.create();
const { ethers } = connection;

interface Body {
  detail?: string;
  errors?: { pointer: string; detail: string }[];
  result?: Record<string, unknown>;
  [field: string]: unknown;
}

describe("the exporter's assignment preview (SQLite)", function () {
  it("test_assignmentPreview_answersTheChainsFigures_refusesAnOfferForAnotherOrder_sendsNothing", async function () {
    const world = await deployWorld(connection);
    const post = async (s: RunningService, token: string, path: string, body: unknown) => {
      const res = await fetch(s.url + path, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Body };
    };
    await withMemberServices(
      ethers.provider,
      world,
      ["cristal", "glassworks", "pacific"],
      async (cristal, glassworks, pacific) => {
        const latest = (await ethers.provider.getBlock("latest"))!.timestamp;
        const day = (offset: number) => new Date((latest + offset * 86_400) * 1000).toISOString().slice(0, 10);
        const created = await post(
          cristal,
          await roleToken(cristal, "importer"),
          "/v1/trade/orders",
          glasswareOrderBody(world.ids, "PO PREVIEW", day),
        );
        expect(created.status, created.body.detail).to.equal(201);
        const id = String(created.body.result?.id);
        await (await world.contracts.trade.connect(world.admins.glassworks).accept(BigInt(id))).wait();

        // Pacific's treasury signs an offer of 0.01 (one minor unit); it hands it over with a currency of its choosing.
        const offered = await post(
          pacific,
          await roleToken(pacific, "bank-treasury"),
          `/v1/trade/orders/${id}/assignment-offers`,
          {
            financier: Number(world.ids.pacific),
            advance: "0.01",
            validFor: 3_600,
          },
        );
        expect(offered.status, offered.body.detail).to.equal(201);
        const offer: Record<string, string> = { ...(offered.body.result as Record<string, string>), currency: "GBP" };
        const exporter = await roleToken(glassworks, "exporter");
        const preview = await post(glassworks, exporter, `/v1/trade/orders/${id}/assignments/preview`, {
          assignment: offer,
        });
        expect(preview.status, preview.body.detail).to.equal(200);
        const reporting = (await world.contracts.credit.reportingCurrency()) === "0x434e59" ? "CNY" : "?";
        expect(preview.body).to.deep.include({
          id,
          exporter: Number(world.ids.glassworks),
          financier: Number(world.ids.pacific),
          signedBy: Number(world.ids.pacific),
          advance: { amount: "0.01", currency: reporting },
          deadline: Number(offer.deadline),
        });
        expect(reporting).to.equal("CNY");

        // An offer for another order, or whose signature is not one, is refused with the field named.
        const otherOrder = await post(glassworks, exporter, `/v1/trade/orders/${Number(id) + 1}/assignments/preview`, {
          assignment: offer,
        });
        expect(otherOrder.status).to.equal(400);
        expect(otherOrder.body.errors?.[0].pointer).to.equal("/assignment");
        const forged = await post(glassworks, exporter, `/v1/trade/orders/${id}/assignments/preview`, {
          assignment: { ...offer, signature: `0x${"11".repeat(65)}` },
        });
        expect(forged.status).to.equal(400);
        expect(forged.body.errors?.[0].pointer).to.equal("/assignment");
        // Only the exporter's desk reads it; and nothing was sent: the order is still unassigned.
        const treasury = await post(
          glassworks,
          await roleToken(glassworks, "bank-treasury"),
          `/v1/trade/orders/${id}/assignments/preview`,
          {
            assignment: offer,
          },
        );
        expect(treasury.status).to.equal(403);
        expect((await world.contracts.trade.getOrder(BigInt(id))).financier).to.equal(0n);
        expect(preview.body.spent).to.equal(false);

        // Review 32 (A3): the financier withdraws its offer. Only the key that signed it can: another member's
        // treasury is refused before anything is sent.
        const cancelPath = `/v1/trade/orders/${id}/assignment-offers/cancel`;
        const before = await ethers.provider.getBlockNumber();
        const notMine = await post(glassworks, await roleToken(glassworks, "bank-treasury"), cancelPath, {
          assignment: offer,
        });
        expect([notMine.status, notMine.body.errors?.[0].pointer]).to.deep.equal([400, "/assignment"]);
        expect(await ethers.provider.getBlockNumber()).to.equal(before);
        const bank = await roleToken(pacific, "bank-treasury");
        const cancelled = await post(pacific, bank, cancelPath, { assignment: offer });
        expect(cancelled.status, cancelled.body.detail).to.equal(200);
        expect(cancelled.body.result).to.deep.include({ nonce: offer.nonce, cancelled: true });
        const again = await post(pacific, bank, cancelPath, { assignment: offer });
        expect([again.status, again.body.detail]).to.deep.equal([
          400,
          `assignment: nonce ${offer.nonce} of ${world.admins.pacific.address} is already spent (the offer was used or withdrawn)`,
        ]);
        // The exporter's preview says so, and the chain refuses the assignment.
        const spent = await post(glassworks, exporter, `/v1/trade/orders/${id}/assignments/preview`, {
          assignment: offer,
        });
        expect(spent.body.spent).to.equal(true);
        const refused = await post(glassworks, exporter, `/v1/trade/orders/${id}/assignments`, { assignment: offer });
        expect([refused.status, (refused.body.revert as { name?: string } | undefined)?.name]).to.deep.equal([
          422,
          "TradeAssignmentNonceUsed",
        ]);
        expect((await world.contracts.trade.getOrder(BigInt(id))).financier).to.equal(0n);
      },
    );
  });
});
