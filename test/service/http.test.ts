import { expect } from "chai";
import { network } from "hardhat";
import pino from "pino";

import { runDemo } from "../../scripts/lib/demo-world.js";
import { deployWorld } from "../../scripts/lib/world.js";
import { createToken, parseRoles } from "../../service/auth.js";
import { startService } from "../../service/server.js";

import { engines } from "./engines.js";

const connection = await network.create();
const { ethers } = connection;

describe("service HTTP API on the demo world", function () {
  let world: Awaited<ReturnType<typeof deployWorld>>;
  before(async function () {
    world = await deployWorld(connection);
    await runDemo(world, connection, () => {});
  });
  for (const store of engines()) {
    after(() => store.cleanup());
    it(`test_readEndpoints_answerFromTheReadModel_withinTheTokensRoles (${store.name})`, async function () {
      const chainId = Number((await ethers.provider.getNetwork()).chainId);
      const service = await startService({
        provider: ethers.provider,
        chainId,
        deployment: world.deployment,
        fromBlock: 0,
        databaseUrl: await store.fresh(),
        dataDir: "",
        port: 0,
        pollMs: 50,
        logger: pino({ level: "silent" }),
      });
      try {
        await service.caughtUp();
        const db = service.database.db;
        const regulator = (await createToken(db, "regulator", parseRoles("regulator"))).token;
        const desk = (await createToken(db, "desk", parseRoles("lender-desk"))).token;
        const get = (path: string, token: string) =>
          fetch(service.url + path, { headers: { authorization: `Bearer ${token}` } });

        const flags = (await (await get("/v1/regulator/flags", regulator)).json()) as {
          borrowerKey: string;
          limit: string;
        }[];
        expect(flags.length).to.be.greaterThan(0);
        const refused = await get("/v1/regulator/flags", desk);
        expect(refused.status).to.equal(403);
        expect(((await refused.json()) as { detail: string }).detail).to.include("regulator");

        const key = flags[0].borrowerKey;
        const exposure = (await (await get(`/v1/credit/borrowers/${key}/exposure`, desk)).json()) as Record<
          string,
          unknown
        >;
        const chain = await world.contracts.credit.exposureOf(key);
        expect([
          exposure.activeLoans,
          exposure.activeLenders,
          exposure.outstanding,
          exposure.defaults,
          exposure.inquiries,
        ]).to.deep.equal([
          Number(chain.activeLoans),
          Number(chain.activeLenders),
          chain.outstanding.toString(),
          Number(chain.defaults),
          Number(chain.inquiries),
        ]);
        expect((exposure.history as unknown[]).length).to.be.greaterThan(1);

        const bad = await get("/v1/credit/borrowers/0x1234/exposure", desk);
        expect(bad.status).to.equal(400);
        expect(bad.headers.get("content-type")).to.equal("application/problem+json");
        expect(((await bad.json()) as { errors: { pointer: string }[] }).errors[0].pointer).to.equal("/borrowerKey");

        const tree = (await (await get("/v1/scf/receivables/R1.2/family", regulator)).json()) as {
          root: string;
          pieces: { id: string; parent: string | null; holder: number }[];
        };
        expect(tree.root).to.equal("R1.0");
        expect(tree.pieces.map((p) => [p.id, p.parent])).to.deep.equal([
          ["R1.0", null],
          ["R1.1", "R1.0"],
          ["R1.2", "R1.1"],
        ]);
        for (const p of tree.pieces) {
          const onChain = await world.contracts.scf.getPiece(
            (BigInt(p.id.slice(1).split(".")[0]) << 24n) | BigInt(p.id.split(".")[1]),
          );
          expect(BigInt(p.holder)).to.equal(onChain.holder);
        }
        expect((await get("/v1/scf/receivables/R9.0/family", regulator)).status).to.equal(404);
        expect((await get("/v1/scf/receivables/R1.99/family", regulator)).status).to.equal(404);
        // A key in upper case is the same borrower, not a clean one.
        const upper = (await (
          await get(`/v1/credit/borrowers/0x${key.slice(2).toUpperCase()}/exposure`, desk)
        ).json()) as {
          activeLoans: number;
        };
        expect(upper.activeLoans).to.equal(Number(chain.activeLoans));
        const malformed = await get("/v1/scf/receivables/R1.x/family", regulator);
        expect(malformed.status).to.equal(400);
        expect((await get("/v1/regulator/flags?from=10000000000000000000", regulator)).status).to.equal(400);
        const huge = await fetch(service.url + "/v1/members", {
          method: "POST",
          headers: { authorization: `Bearer ${regulator}`, "content-type": "application/json" },
          body: JSON.stringify({ pad: "x".repeat(2 * 1024 * 1024) }),
        });
        expect(huge.status).to.equal(413);
        expect(((await huge.json()) as { title: string }).title).to.equal("The request body is too large");
        // A second service on the same port fails to start, with the reason, and leaves nothing running.
        const port = Number(new URL(service.url).port);
        const second = await startService({
          provider: ethers.provider,
          chainId,
          deployment: world.deployment,
          fromBlock: 0,
          databaseUrl: ":memory:",
          dataDir: "",
          port,
          logger: pino({ level: "silent" }),
        }).then(
          () => "started",
          (err: unknown) => String(err),
        );
        expect(second).to.equal(`Error: 127.0.0.1:${port} is already in use: choose --port`);
      } finally {
        await service.stop();
      }
    });
  }
});
