/**
 * Regressions of the fifteenth adversarial review (of the fixes of reviews 13 and 14), for the service. Each case
 * failed before its fix: the review's proofs of concept asserted the opposite.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { deployWorld } from "../../scripts/lib/world.js";
import { inquire, recordConsent } from "../../src/credit.js";
import { borrowerKey } from "../../src/keys.js";

import { flakyProvider, roleToken, startTestService } from "./engines.js";

const connection = await network.create();
const { ethers } = connection;

describe("review 15: the report gate asks the chain's views, and tells a refusal from a node that failed", function () {
  let world: Awaited<ReturnType<typeof deployWorld>>;
  before(async function () {
    world = await deployWorld(connection);
  });

  const get = (url: string, token: string, path: string) =>
    fetch(url + path, { headers: { authorization: `Bearer ${token}` } });

  it("R15-2: a pause of the registry's writes leaves the gate open; a failed eth_call is a 503 to retry, not a refusal", async function () {
    // The chain as the service sees it, with a switch that makes the node fail its calls (a timeout).
    const { provider, fail } = flakyProvider(ethers.provider, "call");
    const service = await startTestService(provider, world.deployment, ":memory:", {
      signer: world.admins.quicklend,
      consortiumKey: async () => world.key,
    });
    const { consents, credit } = world.contracts;
    try {
      const desk = await roleToken(service, "lender-desk");
      const key = borrowerKey(world.key, "CN-RIC", "110101199003091111");
      const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
      const consent = await recordConsent(consents.connect(world.admins.quicklend), {
        borrowerKey: key,
        documentHash: ethers.id("R15-2 consent"),
        purpose: "NewCredit",
        expiresAt: now + 30n * 86_400n,
        covered: [],
      });
      await inquire(credit.connect(world.admins.quicklend), key, "NewCredit", consent.id);
      await service.caughtUp();
      const report = `/v1/credit/borrowers/${key}/report`;
      expect((await get(service.url, desk, report)).status).to.equal(200);

      // A Regulator stops the registry's writes: nothing the gate is for changed, and the report stays readable.
      await (await credit.connect(world.admins.regulator).pause()).wait();
      await service.caughtUp();
      expect((await get(service.url, desk, report)).status).to.equal(200);
      await (await credit.connect(world.admins.regulator).unpause()).wait();

      // The node fails the gate's call: a 503 the desk may retry, which names no refusal.
      fail(true);
      const failed = await get(service.url, desk, report);
      expect(failed.status).to.equal(503);
      const problem = (await failed.json()) as { type: string; detail: string };
      expect(problem.type).to.match(/chain-unavailable$/);
      expect(problem.detail).to.match(/could not ask the chain about consent .*upstream request timeout.*try again/);
      fail(false);
      expect((await get(service.url, desk, report)).status).to.equal(200);
    } finally {
      fail(false);
      await service.stop();
    }
  });
});
