/**
 * Regressions of the ninth adversarial review (of review 7's service fixes). J1: the FX-terms step was decided by
 * whether the order's proceeds were assigned, which can change between the service's read and its send. J2: a retry
 * with the first request's Idempotency-Key was refused by a step check made before the key was looked up. J3: a
 * loan file's bad lines were a 400 neither clipped nor echoed by a prefix. Each test failed before its fix.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { newSalt } from "../../src/commitments.js";
import { LOAN_CSV_HEADER } from "../../src/credit.js";
import { deployWorld } from "../../scripts/lib/world.js";
import { signAssignment, tradeDomainOf } from "../../src/trade.js";
import type { RunningService } from "../../service/server.js";

import { glasswareOrderBody, memberService, roleToken, withMemberServices } from "./engines.js";

const connection = await network.create();
const { ethers } = connection;

interface Body {
  detail?: string;
  result?: Record<string, unknown>;
}

describe("review 9: the service's steps and problems (SQLite)", function () {
  let world: Awaited<ReturnType<typeof deployWorld>>;
  before(async function () {
    world = await deployWorld(connection);
  });

  const post = async (url: string, token: string, path: string, body: unknown, key?: string) => {
    const res = await fetch(url + path, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        ...(key === undefined ? {} : { "idempotency-key": key }),
      },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      replayed: res.headers.get("idempotent-replayed"),
      body: (await res.json()) as Body,
    };
  };

  /** An accepted glassware order (importer cristal, exporter glassworks), made on the chain directly. */
  const acceptedOrder = async (cristal: RunningService, glassworks: RunningService, ref: string) => {
    const latest = (await ethers.provider.getBlock("latest"))!.timestamp;
    const day = (offset: number) => new Date((latest + offset * 86_400) * 1000).toISOString().slice(0, 10);
    const created = await post(
      cristal.url,
      await roleToken(cristal, "importer"),
      "/v1/trade/orders",
      glasswareOrderBody(world.ids, ref, day),
    );
    expect(created.status, created.body.detail).to.equal(201);
    const id = BigInt(String(created.body.result?.id));
    await (await world.contracts.trade.connect(world.admins.glassworks).accept(id)).wait();
    return id;
  };

  /** Glassworks (the exporter) assigns order `id`'s proceeds to pacific, on the chain. */
  const assignToPacific = async (id: bigint) => {
    const trade = world.contracts.trade;
    const deadline = BigInt((await ethers.provider.getBlock("latest"))!.timestamp) + 3_600n;
    const assignment = {
      order: id,
      exporter: world.ids.glassworks,
      financier: world.ids.pacific,
      advance: 1n,
      deadline,
      nonce: id,
    };
    const signature = await signAssignment(world.admins.pacific, await tradeDomainOf(trade), assignment);
    await (
      await trade.connect(world.admins.glassworks).assignProceeds(id, world.ids.pacific, 1n, deadline, id, signature)
    ).wait();
  };

  it("test_review9_J1_fxTermsStep_decidedByTheOrdersExporter_anAssignmentRacingTheSendChangesNothing", async function () {
    // Pacific (a bank, the financier to be) runs a service. Its exporter-desk token must not name the FX terms of an
    // order whose proceeds are assigned to pacific: that is bank-treasury's step, even when the assignment is mined
    // between the service's read of the order and its send (shown here by mining it right after the read).
    const services: RunningService[] = [];
    try {
      const cristal = await memberService(ethers.provider, world, "cristal");
      services.push(cristal);
      const glassworks = await memberService(ethers.provider, world, "glassworks");
      services.push(glassworks);
      const trade = world.contracts.trade;
      const tradeAddress = (await trade.getAddress()).toLowerCase();
      const getOrder = trade.interface.getFunction("getOrder")!.selector;
      let race: (() => Promise<void>) | undefined;
      const base = ethers.provider;
      // The service's read provider: the chain, except that the step hook's order read is answered as of the block
      // before an assignment (what a lagging or load-balanced node, or a race with the exporter's submission, gives).
      const provider = new Proxy(base, {
        get(target, prop) {
          if (prop === "call") {
            return async (tx: { to?: string; data?: string }) => {
              const result = await target.call(tx as never);
              if (race !== undefined && String(tx.to).toLowerCase() === tradeAddress && tx.data?.startsWith(getOrder)) {
                const r = race;
                race = undefined;
                await r();
              }
              return result;
            };
          }
          const v = Reflect.get(target, prop, target);
          return typeof v === "function" ? v.bind(target) : v;
        },
      });
      const pacific = await memberService(provider as typeof base, world, "pacific");
      services.push(pacific);
      const exporterToken = await roleToken(pacific, "exporter");
      const terms = { provider: Number(world.ids.huaxia), minRate: "0.01" };

      // The rule as meant: on an order already assigned to pacific, the exporter token is refused.
      const assigned = await acceptedOrder(cristal, glassworks, "PO R9-J1a");
      await assignToPacific(assigned);
      const refused = await post(pacific.url, exporterToken, `/v1/trade/orders/${assigned}/fx-terms`, terms);
      expect(refused.status).to.equal(403);
      expect(refused.body.detail).to.contain("bank-treasury");

      // The race: the assignment lands right after the service reads the order. The step is decided by who the
      // order's exporter is, which no race changes: pacific is not the exporter, so this is the treasury's step.
      const id = await acceptedOrder(cristal, glassworks, "PO R9-J1b");
      race = () => assignToPacific(id);
      const raced = await post(pacific.url, exporterToken, `/v1/trade/orders/${id}/fx-terms`, terms);
      expect(race).to.equal(undefined);
      expect(raced.status, raced.body.detail).to.equal(403);
      expect(raced.body.detail).to.contain("bank-treasury");
      expect((await trade.getOrder(id)).financier).to.equal(world.ids.pacific);
      expect((await trade.fxTermsOf(id))[0]).to.equal(0n);
      // The treasury's token names them.
      const treasury = await roleToken(pacific, "bank-treasury");
      const named = await post(pacific.url, treasury, `/v1/trade/orders/${id}/fx-terms`, terms);
      expect(named.status, named.body.detail).to.equal(200);
      expect((await trade.fxTermsOf(id))[0]).to.equal(world.ids.huaxia);
    } finally {
      for (const s of services) await s.stop();
    }
  });

  it("test_review9_J2_fxTermsRetry_withItsIdempotencyKey_replaysTheFirstAnswer_afterTheOrderMovedOn", async function () {
    // docs/service.md: "A retried request with the same key (per token) answers the first answer again, with
    // Idempotent-Replayed: true, and sends nothing", whatever the chain did since.
    await withMemberServices(ethers.provider, world, ["cristal", "glassworks"], async (cristal, glassworks) => {
      const exporter = await roleToken(glassworks, "exporter");
      const id = await acceptedOrder(cristal, glassworks, "PO R9-J2");
      const terms = { provider: Number(world.ids.huaxia), minRate: "0.37" };
      const first = await post(glassworks.url, exporter, `/v1/trade/orders/${id}/fx-terms`, terms, "fx-R9-J2");
      expect(first.status, first.body.detail).to.equal(200);
      // The answer was lost on the way back; meanwhile the exporter assigned its proceeds (its other desk).
      await assignToPacific(id);
      const retry = await post(glassworks.url, exporter, `/v1/trade/orders/${id}/fx-terms`, terms, "fx-R9-J2");
      expect([retry.status, retry.replayed]).to.deep.equal([200, "true"]);
      expect(retry.body).to.deep.equal(first.body);
      // A new request is the treasury's step now (the order's exporter is glassworks, but the step is its own).
      const fresh = await post(glassworks.url, exporter, `/v1/trade/orders/${id}/fx-terms`, terms, "fx-R9-J2b");
      expect(fresh.status).to.equal(422);
    });
  });

  it("test_review9_J3_aLoanFilesBadLines_areClippedLikeEvery400", async function () {
    // docs/service.md (review 7, S4): "a 400's detail and each field's detail are at most 600 characters".
    const service = await memberService(ethers.provider, world, "huaxia");
    try {
      const token = await roleToken(service, "lender-desk");
      const apr = "9".repeat(200_000) + "x";
      const line = `R9-J3,CN-RIC,110101199003070011,ConsumerLoan,100,100,2026-03-01,2027-03-01,${newSalt()},${apr}`;
      const file = [[...LOAN_CSV_HEADER, "apr_bps"].join(","), line].join("\n");
      const res = await fetch(`${service.url}/v1/credit/uploads`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "text/csv" },
        body: file,
      });
      expect(res.status).to.equal(400);
      const problem = (await res.json()) as { detail: string; errors: { pointer: string; detail: string }[] };
      expect(problem.errors[0].pointer).to.equal("/lines/2");
      expect(problem.detail).to.equal("1 bad line(s); nothing was sent");
      expect(problem.errors[0].detail.length).to.be.at.most(600);
      expect(problem.errors[0].detail).to.not.contain(apr);
    } finally {
      await service.stop();
    }
  });

  it("test_review9_J1_consentRevoke_anUnknownConsent_isRefusedBeforeAnyStep", async function () {
    // Its holder decides whose step a revocation is; a consent not recorded yet has none, so it is refused here (as
    // the chain would, ConsentUnknown) rather than sent with no step checked.
    const service = await memberService(ethers.provider, world, "huaxia");
    try {
      const token = await roleToken(service, "lender-desk");
      const unknown = `0x${"ab".repeat(32)}`;
      const res = await post(service.url, token, `/v1/credit/consents/${unknown}/revoke`, { reason: "WITHDRAWN" });
      expect(res.status).to.equal(404);
      expect(res.body.detail).to.equal(`no consent ${unknown} is recorded on the chain`);
    } finally {
      await service.stop();
    }
  });
});
