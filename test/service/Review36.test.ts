/**
 * Adversarial review 36, the service and the SDK: each test failed on the code before its fix.
 * - M1: `service:move` seals each webhook secret again for its token's new id (the seal is bound to it), with the key
 *   it was sealed with, and refuses without it, writing nothing.
 * - Q1: a bank's quote for a piece no seller can sell is an input error naming `id`: nothing signed, nothing sent.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";

import { parseAmount } from "../../src/encoding.js";
import { deployWorld } from "../../scripts/lib/world.js";
import { createToken, parseRoles } from "../../service/auth.js";
import { openDatabase } from "../../service/db.js";
import { migrate } from "../../service/migrations.js";
import { moveOwnTables } from "../../service/move.js";
import type { RunningService } from "../../service/server.js";

import { call, memberService, pearlReceivableBody, roleToken, startTestService } from "./engines.js";

const connection = await network.create();
const { ethers } = connection;

const WEBHOOK_KEY = Buffer.alloc(32, 0x36);

describe("adversarial review 36: the service", function () {
  let world: Awaited<ReturnType<typeof deployWorld>>;
  before(async function () {
    world = await deployWorld(connection);
  });

  it("M1: a move seals webhook secrets again for their tokens' new ids: the service starts on the new database", async function () {
    // Before the fix the move copied each seal as it was, bound to the old token id: with a gap in the ids (a token
    // removed), the service refused to start on the new database with the very key that sealed the secret.
    const dir = mkdtempSync(path.join(tmpdir(), "review36-move-"));
    const source = path.join(dir, "source.sqlite");
    let s: RunningService | undefined;
    const move = async (destination: string, webhookKey?: Buffer) => {
      const from = openDatabase(source, source);
      const to = openDatabase(destination, destination);
      try {
        await migrate(from.db as never, from.engine);
        await migrate(to.db as never, to.engine);
        return await moveOwnTables(from.db, to.db, { webhookKey }).then(
          (moved) => moved,
          async (error: Error) => ({
            refused: error.message,
            tokens: (await to.db.selectFrom("api_tokens").select("id").execute()).length,
          }),
        );
      } finally {
        await from.close();
        await to.close();
      }
    };
    try {
      s = await startTestService(ethers.provider, world.deployment, source, {
        webhookKey: WEBHOOK_KEY,
        allowPrivateWebhooks: true,
      });
      const lost = await createToken(s.database.db, "lost", parseRoles("operator"));
      await s.database.db.deleteFrom("api_tokens").where("id", "=", lost.id).execute();
      const regulator = (await createToken(s.database.db, "regulator desk", parseRoles("regulator"))).token;
      const hook = await call(s.url, regulator, "POST", "/v1/webhooks", { url: "http://127.0.0.1:9/hook" });
      expect(hook.status, hook.text).to.equal(201);
      await s.stop();
      s = undefined;

      // Without the key the move refuses, in words, and writes nothing.
      const refused = await move(path.join(dir, "refused.sqlite"));
      expect(refused).to.deep.equal({
        refused:
          "webhook 1's secret is sealed, for its token's id, which the move gives anew: give the move the key it " +
          "was sealed with (TRADELINE_WEBHOOK_KEY) to seal it again for the new id",
        tokens: 0,
      });
      // With it, the token takes a new id and its webhook's secret opens for it: the service starts.
      const destination = path.join(dir, "destination.sqlite");
      expect(await move(destination, WEBHOOK_KEY)).to.include({ tokens: 1, webhooks: 1 });
      s = await startTestService(ethers.provider, world.deployment, destination, {
        webhookKey: WEBHOOK_KEY,
        allowPrivateWebhooks: true,
      });
      const listed = await call(s.url, regulator, "GET", "/v1/webhooks");
      expect(listed.status, listed.text).to.equal(200);
    } finally {
      await s?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("Q1: a bank's quote for a piece already collected is a 400 naming it: nothing is approved or sent", async function () {
    // Before the fix it was a 201 with a quote `finance` always refuses, after an approval raising the ledger's
    // allowance on the bank's key by the quote's most.
    const s: Record<string, RunningService> = {};
    try {
      for (const who of ["pearl", "pacific"]) s[who] = await memberService(ethers.provider, world, who);
      await (
        await world.contracts.tokens.CNY.connect(world.issuer).mint(world.admins.pearl, parseAmount("100000.00", 2))
      ).wait();
      const pearl = await roleToken(s.pearl, "supply-chain-desk");
      const bank = await roleToken(s.pacific, "bank-treasury");
      const ok = async (url: string, token: string, p: string, body: unknown, status: number) => {
        const r = await call(url, token, "POST", p, body);
        expect(r.status, r.text).to.equal(status);
        return r.body.result!;
      };
      await ok(
        s.pearl.url,
        pearl,
        "/v1/scf/credit-lines",
        { currency: "CNY", financier: Number(world.ids.pacific) },
        200,
      );
      const line = { currency: "CNY", debtor: Number(world.ids.pearl), limit: "50000.00" };
      await ok(s.pacific.url, bank, "/v1/scf/credit-lines", line, 200);
      const latest = (await ethers.provider.getBlock("latest"))!.timestamp;
      const day = (offset: number) => new Date((latest + offset * 86_400) * 1000).toISOString().slice(0, 10);
      const body = pearlReceivableBody(world.admins.glassworks.address, "INV-R36-Q1", day);
      const issued = await ok(s.pearl.url, pearl, "/v1/scf/receivables", body, 201);
      const root = issued.id as string;
      // A quote while the piece is for sale is signed.
      const quote = { rateBps: 600, validFor: 86_400 };
      await ok(s.pacific.url, bank, `/v1/scf/receivables/${root}/quotes`, quote, 201);
      // The debtor repays early: its one piece is Collected for good.
      await ok(s.pearl.url, pearl, `/v1/scf/receivables/${root}/repay`, {}, 200);
      const ledger = await world.contracts.scf.getAddress();
      const allowance = await world.contracts.tokens.CNY.allowance(world.admins.pacific.address, ledger);
      const block = await ethers.provider.getBlockNumber();
      const refused = await call(s.pacific.url, bank, "POST", `/v1/scf/receivables/${root}/quotes`, quote);
      expect([refused.status, refused.body.errors?.[0].pointer]).to.deep.equal([400, "/id"]);
      expect(refused.body.errors?.[0].detail).to.equal(
        `receivable ${root} cannot be financed: it is Collected, not Held`,
      );
      expect(await ethers.provider.getBlockNumber()).to.equal(block);
      expect(await world.contracts.tokens.CNY.allowance(world.admins.pacific.address, ledger)).to.equal(allowance);
    } finally {
      for (const v of Object.values(s)) await v.stop();
    }
  });
});
