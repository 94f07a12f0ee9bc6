import { expect } from "chai";
import { network } from "hardhat";

import { newSignatureNonce, signQuote, type QuoteTerms } from "../../src/eip712.js";
import { parseAmount } from "../../src/encoding.js";
import { parseReceivable } from "../../src/scf.js";
import { deployWorld } from "../../scripts/lib/world.js";
import { createToken, parseRoles } from "../../service/auth.js";
import type { RunningService } from "../../service/server.js";

import { engines, pearlReceivableBody, scfWorld, startTestService } from "./engines.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

interface Answer {
  txHashes: string[];
  events: { name: string; args: Record<string, unknown> }[];
  result: Record<string, unknown>;
}
/** The terms of a quote as the service's quote endpoint answered it. */
function parseSignedQuote(signed: Record<string, unknown>): QuoteTerms {
  const q = signed.quote as Record<string, string | number | boolean>;
  return {
    id: BigInt(q.id),
    rateBps: Number(q.rateBps),
    dayBase: Number(q.dayBase) as 360 | 365,
    recourse: q.recourse === true,
    seller: BigInt(q.seller),
    expiry: BigInt(q.expiry),
    nonce: BigInt(q.nonce),
  };
}
interface ProblemBody {
  status: number;
  detail: string;
  errors?: { pointer: string }[];
  revert?: { name: string };
}

describe("service writes: a receivable from issue to collection, one service per member", function () {
  let world: Awaited<ReturnType<typeof deployWorld>>;
  before(async function () {
    world = await scfWorld(connection);
  });

  for (const store of engines()) {
    after(() => store.cleanup());

    it(`test_scfFlow_overHttp_matchesTheChain (${store.name})`, async function () {
      const services: Record<string, RunningService> = {};
      const tokens: Record<string, string> = {};
      try {
        for (const [who, roles] of [
          ["pearl", "supply-chain-desk"],
          ["glassworks", "supply-chain-desk"],
          ["pacific", "bank-treasury"],
        ]) {
          services[who] = await startTestService(ethers.provider, world.deployment, await store.fresh(), {
            signer: world.admins[who],
            consortiumKey: async () => world.key,
          });
          tokens[who] = (await createToken(services[who].database.db, who, parseRoles(roles))).token;
        }
        const post = async (who: string, path: string, body: unknown, token = tokens[who]) => {
          const res = await fetch(services[who].url + path, {
            method: "POST",
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
            body: JSON.stringify(body),
          });
          return { status: res.status, body: (await res.json()) as Answer & ProblemBody };
        };
        const ok = async (who: string, path: string, body: unknown, status = 200) => {
          const r = await post(who, path, body);
          expect(r.status, `${path}: ${r.body.detail}`).to.equal(status);
          return r.body.result;
        };

        await ok("pearl", "/v1/scf/credit-lines", { currency: "CNY", financier: Number(world.ids.pacific) });
        const line = await ok("pacific", "/v1/scf/credit-lines", {
          currency: "CNY",
          debtor: Number(world.ids.pearl),
          limit: "50000.00",
        });
        expect(line.limit).to.deep.equal({ amount: "50000.00", currency: "CNY" });

        const latest = (await ethers.provider.getBlock("latest"))!.timestamp;
        const day = (offset: number) => new Date((latest + offset * 86_400) * 1000).toISOString().slice(0, 10);
        const issued = await ok(
          "pearl",
          "/v1/scf/receivables",
          pearlReceivableBody(world.admins.glassworks.address, `INV-${store.name}-1`, day),
          201,
        );
        const root = issued.id as string;
        const family = root.replace(/\.0$/, "");

        // Bad input and roles: each refused with its problem, and nothing sent.
        const block = await ethers.provider.getBlockNumber();
        const badFaces = await post("glassworks", `/v1/scf/receivables/${root}/split`, { faces: ["600.00", "abc"] });
        expect([badFaces.status, badFaces.body.errors?.[0].pointer]).to.deep.equal([400, "/faces"]);
        const unknown = await post("glassworks", `/v1/scf/receivables/R999.0/transfer`, {
          to: world.admins.precision.address,
        });
        expect([unknown.status, unknown.body.detail]).to.deep.equal([422, "reverted: ScfUnknownReceivable(id=R999.0)"]);
        const refused = await post("pacific", "/v1/scf/receivables", { face: "1" });
        expect(refused.status).to.equal(403);
        expect(await ethers.provider.getBlockNumber()).to.equal(block);

        const split = await ok("glassworks", `/v1/scf/receivables/${root}/split`, { faces: ["600.00", "400.00"] });
        expect((split.pieces as { id: string }[]).map((p) => p.id)).to.deep.equal([root, `${family}.1`]);
        const signed = await ok(
          "pacific",
          `/v1/scf/receivables/${family}.1/quotes`,
          { rateBps: 600, validFor: 3 * 86_400 },
          201,
        );
        const price = signed.price as { amount: string; currency: string };
        const maxPrice = signed.maxPrice as { amount: string; currency: string };
        expect(price.currency).to.equal("CNY");
        expect(Number(maxPrice.amount)).to.be.greaterThan(Number(price.amount));

        // A quote for one piece cannot sell another: refused before anything is sent.
        const quote = { quote: signed.quote, signature: signed.signature };
        const before = await ethers.provider.getBlockNumber();
        const wrong = await post("glassworks", `/v1/scf/receivables/${root}/finance`, quote);
        expect([wrong.status, wrong.body.errors?.[0].pointer]).to.deep.equal([400, "/quote"]);
        expect(await ethers.provider.getBlockNumber()).to.equal(before);

        // Taken two days later, at a higher price than quoted: the financier's approval covers it.
        await networkHelpers.time.increase(2 * 86_400);
        // The holder sees what the sale would pay before signing: the ledger's price now, its discount and day count.
        const previewAt = `/v1/scf/receivables/${family}.1/finance/preview`;
        const sentBefore = await ethers.provider.getBlockNumber();
        const wrongPiece = await post("glassworks", `/v1/scf/receivables/${root}/finance/preview`, quote);
        expect([wrongPiece.status, wrongPiece.body.errors?.[0].pointer]).to.deep.equal([400, "/quote"]);
        const notAQuote = await post("glassworks", previewAt, { quote: signed.quote, signature: "nonsense" });
        expect([notAQuote.status, notAQuote.body.errors?.[0].pointer]).to.deep.equal([400, "/quote"]);
        // A quote the ledger refuses whoever relays it is not priced (review 43, Q2): here its financier is its seller.
        const selfTerms = { ...parseSignedQuote(signed), seller: world.ids.pacific, nonce: newSignatureNonce() };
        const selfDealing = await post("glassworks", previewAt, {
          quote: {
            ...(signed.quote as Record<string, unknown>),
            seller: String(world.ids.pacific),
            nonce: selfTerms.nonce.toString(),
          },
          signature: await signQuote(world.contracts.scf, world.admins.pacific, selfTerms),
        });
        expect([selfDealing.status, selfDealing.body.errors?.[0].pointer, selfDealing.body.detail]).to.deep.equal([
          400,
          "/quote",
          `quote: the ledger refuses this quote for ${family}.1: financier ${world.ids.pacific} would buy from itself`,
        ]);
        expect((await post("pacific", previewAt, quote)).status).to.equal(403);
        const seen = await post("glassworks", previewAt, quote);
        expect(seen.status, JSON.stringify(seen.body)).to.equal(200);
        const preview = seen.body as unknown as {
          financier: number;
          rateBps: number;
          dayBase: number;
          days: number;
          now: number;
          maturity: number;
          face: { amount: string };
          price: { amount: string; currency: string };
          discount: { amount: string };
        };
        const blockTime = (await ethers.provider.getBlock("latest"))!.timestamp;
        const onChain = await world.contracts.scf.getFamily(parseReceivable(root));
        expect(preview.now).to.equal(blockTime);
        expect(preview.maturity).to.equal(Number(onChain.maturity));
        expect(preview.days).to.equal(Math.ceil((Number(onChain.maturity) - blockTime) / 86_400));
        expect([preview.financier, preview.rateBps, preview.dayBase]).to.deep.equal([
          Number(world.ids.pacific),
          600,
          360,
        ]);
        expect(preview.face.amount).to.equal("400.00");
        const cents = (a: { amount: string }) => parseAmount(a.amount, 2);
        expect(cents(preview.discount) + cents(preview.price)).to.equal(40_000n);
        expect(cents(preview.discount) > 0n).to.equal(true);
        expect(await ethers.provider.getBlockNumber()).to.equal(sentBefore);
        const financed = await ok("glassworks", `/v1/scf/receivables/${family}.1/finance`, quote);
        expect(financed.financier).to.equal(Number(world.ids.pacific));
        const paid = financed.price as { amount: string };
        // Sold one block later on the same day: at the price previewed.
        expect(paid).to.deep.equal(preview.price);
        expect(Number(paid.amount)).to.be.greaterThan(Number(price.amount)).and.at.most(Number(maxPrice.amount));
        // The bank's credit-record steps reach the chain, which decides, decoded: this piece was financed without
        // recourse, and its family is not repaid yet. A supply-chain desk may not take the bank's steps.
        for (const step of ["close", "default"]) {
          const r = await post("pacific", `/v1/scf/receivables/${family}.1/recourse/${step}`, {});
          expect([r.status, r.body.revert?.name], r.body.detail).to.deep.equal([422, "ScfNoRecourse"]);
        }
        expect((await post("glassworks", `/v1/scf/receivables/${family}.1/recourse/close`, {})).status).to.equal(403);
        const unsettled = await post("pacific", `/v1/scf/receivables/${family}.1/credit-records/settle`, {});
        expect([unsettled.status, unsettled.body.revert?.name]).to.deep.equal([422, "ScfUnexpectedFamilyState"]);
        // The same quote again: the chain refuses the spent nonce, decoded.
        const again = await post("glassworks", `/v1/scf/receivables/${family}.1/finance`, quote);
        expect(again.status).to.equal(422);
        expect(again.body.revert?.name).to.match(/^Scf/);

        const f = await world.contracts.scf.getFamily(parseReceivable(root));
        await networkHelpers.time.increaseTo(f.maturity);
        // The ledger lets anyone repay a family; a desk repays only its own member's: refused, nothing sent.
        const blockBefore = await ethers.provider.getBlockNumber();
        const notMine = await post("glassworks", `/v1/scf/receivables/${root}/repay`, {});
        expect([notMine.status, notMine.body.errors?.[0].pointer]).to.deep.equal([400, "/id"]);
        expect(notMine.body.detail).to.include(`is owed by member ${world.ids.pearl}, not by this member`);
        expect(await ethers.provider.getBlockNumber()).to.equal(blockBefore);
        const repaid = await ok("pearl", `/v1/scf/receivables/${root}/repay`, {});
        expect(repaid.repaid).to.deep.equal({ amount: "1000.00", currency: "CNY" });
        expect((repaid.collected as { id: string; amount: string }[]).map((c) => [c.id, c.amount])).to.deep.equal([
          [root, "600.00"],
          [`${family}.1`, "400.00"],
        ]);

        // Split and hand on in one transaction (splitTo): an empty entry keeps that part; one entry per face.
        const later = (await ethers.provider.getBlock("latest"))!.timestamp;
        const second = await ok(
          "pearl",
          "/v1/scf/receivables",
          {
            supplier: world.admins.glassworks.address,
            face: "500.00",
            currency: "CNY",
            maturity: new Date((later + 30 * 86_400) * 1000).toISOString().slice(0, 10),
            invoices: [`INV-${store.name}-2`],
            issueDate: day(-1),
          },
          201,
        );
        const secondFamily = (second.id as string).replace(/\.0$/, "");
        const precision = world.admins.precision.address;
        const beforeSplit = await ethers.provider.getBlockNumber();
        const miscounted = await post("glassworks", `/v1/scf/receivables/${second.id}/split`, {
          faces: ["300.00", "200.00"],
          to: ["", precision, ""],
        });
        expect([miscounted.status, miscounted.body.errors?.[0].pointer]).to.deep.equal([400, "/to"]);
        expect(await ethers.provider.getBlockNumber()).to.equal(beforeSplit);
        const handed = await ok("glassworks", `/v1/scf/receivables/${second.id}/split`, {
          faces: ["300.00", "200.00"],
          to: ["", precision],
        });
        expect(handed.pieces).to.deep.equal([
          { id: second.id, face: { amount: "300.00", currency: "CNY" } },
          { id: `${secondFamily}.1`, face: { amount: "200.00", currency: "CNY" }, to: precision },
        ]);
        const handedPiece = await world.contracts.scf.getPiece(parseReceivable(`${secondFamily}.1`));
        expect([handedPiece.holder, handedPiece.tier]).to.deep.equal([world.ids.precision, 2n]);
        expect(await ethers.provider.getBlockNumber()).to.equal(beforeSplit + 1);

        // Indexed by each member's service: the family as the chain holds it.
        for (const who of Object.keys(services)) {
          await services[who].caughtUp();
          const tree = (await (
            await fetch(`${services[who].url}/v1/scf/receivables/${root}/family`, {
              headers: { authorization: `Bearer ${tokens[who]}` },
            })
          ).json()) as { state: string; paid: string; pieces: { id: string; holder: number; state: string }[] };
          expect(tree.state).to.equal("Repaid");
          for (const p of tree.pieces) {
            const onChain = await world.contracts.scf.getPiece(parseReceivable(p.id));
            expect([BigInt(p.holder), p.state]).to.deep.equal([onChain.holder, "Collected"]);
          }
        }
      } finally {
        for (const s of Object.values(services)) await s.stop();
      }
    });
  }
});
