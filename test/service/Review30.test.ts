/**
 * Adversarial review 30 of the service. Each test failed on the code before its fix:
 *
 * - C1: a retry with the same Idempotency-Key while the first request's step check was still asking the chain ran
 *   too, and sent a second transaction. The key is in flight from its claim: the retry is a 409.
 * - C2: a malformed salt was a 500 (a plain Error from `checkSalt`); it is a 400 naming the field.
 * - D3 (a review of review 30's fixes): the governor taking over a Regulator's pause emits a second `Paused`, and the
 *   read model opened a second pause row: the overlap counted twice in every mirrored deadline.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { isoDate } from "../../src/credit.js";
import { deployWorld } from "../../scripts/lib/world.js";
import { pausedSeconds } from "../../service/projections/scf.js";

import { glasswareOrderBody, memberService, roleToken, withMemberServices } from "./engines.js";
import { withReadModel } from "./mirror.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

interface Body {
  type?: string;
  detail?: string;
  errors?: { pointer: string }[];
  txHashes?: string[];
  result?: Record<string, unknown>;
}

describe("adversarial review 30: the service", function () {
  let world: Awaited<ReturnType<typeof deployWorld>>;
  before(async function () {
    world = await deployWorld(connection);
  });

  const post = async (
    url: string,
    token: string,
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    const res = await fetch(url + path, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Body };
  };

  it("C1: a retry with the Idempotency-Key while the first request checks its step is a 409, and one transaction is sent", async function () {
    await withMemberServices(ethers.provider, world, ["cristal", "glassworks"], async (cristal, glassworks) => {
      const latest = (await ethers.provider.getBlock("latest"))!.timestamp;
      const day = (offset: number) => new Date((latest + offset * 86_400) * 1000).toISOString().slice(0, 10);
      const order = glasswareOrderBody(world.ids, "PO R30-C1", day);
      const created = await post(cristal.url, await roleToken(cristal, "importer"), "/v1/trade/orders", order);
      expect(created.status, created.body.detail).to.equal(201);
      const id = String(created.body.result?.id);
      const exporter = await roleToken(glassworks, "exporter");
      expect((await post(glassworks.url, exporter, `/v1/trade/orders/${id}/accept`, {})).status).to.equal(200);
      // fx-terms checks its step against the chain (the order's payee) before it sends.
      const terms = { provider: Number(world.ids.huaxia), minRate: "0.37" };
      const key = { "idempotency-key": "r30-c1-fx-terms" };
      const before = await ethers.provider.getBlockNumber();
      const answers = await Promise.all([
        post(glassworks.url, exporter, `/v1/trade/orders/${id}/fx-terms`, terms, key),
        post(glassworks.url, exporter, `/v1/trade/orders/${id}/fx-terms`, terms, key),
      ]);
      expect(answers.map((a) => a.status).sort()).to.deep.equal([200, 409]);
      expect(await ethers.provider.getBlockNumber()).to.equal(before + 1);
      // Once the first answered, the retry replays its answer: still one transaction.
      const replay = await post(glassworks.url, exporter, `/v1/trade/orders/${id}/fx-terms`, terms, key);
      expect(replay.status).to.equal(200);
      expect(await ethers.provider.getBlockNumber()).to.equal(before + 1);
    });
  });

  it("C2: a malformed salt is a 400 naming its field, and nothing is sent", async function () {
    const service = await memberService(ethers.provider, world, "huaxia");
    try {
      const desk = await roleToken(service, "lender-desk");
      const today = Math.floor((await networkHelpers.time.latest()) / 86_400);
      const block = await ethers.provider.getBlockNumber();
      const borrower = { borrowerType: "CN-RIC", borrowerId: "110101199003077777" };
      const loan = await post(service.url, desk, "/v1/credit/loans", {
        ...borrower,
        ref: "R30-C2",
        principal: "100.00",
        originated: isoDate(today - 1),
        matures: isoDate(today + 300),
        salt: "not-a-salt",
      });
      const consent = await post(service.url, desk, "/v1/credit/consents", {
        ...borrower,
        document: "borrower authorization R30-C2",
        purpose: "NewCredit",
        expires: isoDate(today + 30),
        documentSalt: "0x1234",
      });
      const answer = await post(service.url, desk, "/v1/credit/disputes", {
        action: "answer",
        ref: "R30-C2",
        reason: "CHECKED",
        salt: "zz",
      });
      expect(
        [loan, consent, answer].map((r) => [r.status, r.body.errors?.[0].pointer, r.body.detail?.split(":")[0]]),
      ).to.deep.equal([
        [400, "/salt", "salt"],
        [400, "/documentSalt", "documentSalt"],
        [400, "/salt", "salt"],
      ]);
      expect(loan.body.detail).to.equal('salt: salt must be 32 bytes of hex (0x + 64 hex digits), got "not-a-salt"');
      expect(await ethers.provider.getBlockNumber()).to.equal(block);
    } finally {
      await service.stop();
    }
  });

  it("D3: a pause the governor took over is one pause in the read model, as on the chain", async function () {
    const { scf } = world.contracts;
    const { time } = networkHelpers;
    await (await scf.connect(world.admins.regulator).pause()).wait();
    await time.increase(3_600);
    await (await scf.connect(world.governor).pause()).wait();
    await time.increase(10 * 86_400);
    await (await scf.connect(world.governor).unpause()).wait();
    await time.increase(60);
    await networkHelpers.mine();
    const now = await time.latest();
    const mirrored = await withReadModel(":memory:", world.deployment, ethers.provider as never, (db, chainId) =>
      pausedSeconds(db, chainId, "ReceivableLedger", now),
    );
    expect(mirrored).to.equal(Number(await scf.pausedSeconds()));
  });
});
