/**
 * Regressions of the sixteenth adversarial review (of the console and the operations tooling). Each case failed
 * before its fix: the review's proofs of concept asserted the opposite.
 */
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { createToken, tokenLive } from "../../service/auth.js";
import { openDatabase } from "../../service/db.js";
import { migrate } from "../../service/migrations.js";
import { passwordFree, tokenTask } from "../../tasks/lib/service.js";
import { failure } from "../helpers/failure.js";

/** The little of a Hardhat runtime `tokenTask` uses: the chain id, the project root, no keystore. */
function fakeHre(root: string): HardhatRuntimeEnvironment {
  return {
    network: {
      create: async () => ({ ethers: { provider: { getNetwork: async () => ({ chainId: 31337n }) } } }),
    },
    config: { paths: { root } },
    hooks: { runHandlerChain: async () => "" },
  } as unknown as HardhatRuntimeEnvironment;
}

describe("review 16: the operations tooling", function () {
  let dir: string;
  beforeEach(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "review16-"));
  });
  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("R16-1: service:token does one thing a run: a create with a revoke is refused, and nothing is created", async function () {
    const file = path.join(dir, "service.sqlite");
    const database = openDatabase(file, file);
    await migrate(database.db as never, database.engine);
    const leaked = await createToken(database.db, "Huaxia, lender desk", ["lender-desk"]);
    await database.close();

    const args = { create: "Huaxia, lender desk (new)", roles: "lender-desk", revoke: String(leaked.id), list: false };
    expect(await failure(tokenTask({ ...args, database: file }, fakeHre(dir)))).to.match(
      /^say one of --create .*: to rotate a token, create the new one, then revoke the old one in a second run$/,
    );
    expect(await failure(tokenTask({ ...args, create: "", database: file }, fakeHre(dir)))).to.equal(
      "--roles goes with --create",
    );
    const after = openDatabase(file, file);
    try {
      expect(await after.db.selectFrom("api_tokens").select("id").execute()).to.have.length(1);
    } finally {
      await after.close();
    }
    // One at a time, the rotation goes through.
    expect((await tokenTask({ ...args, revoke: "", database: file }, fakeHre(dir)))[0]).to.match(/^created token 2 /);
    expect(await tokenTask({ ...args, create: "", roles: "", database: file }, fakeHre(dir))).to.deep.equal([
      `revoked token ${leaked.id}`,
    ]);
    const last = openDatabase(file, file);
    try {
      expect(await tokenLive(last.db, leaked.id)).to.equal(false);
    } finally {
      await last.close();
    }
  });

  it("R16-2: the SQLite database, its WAL and its folder are its owner's only, whatever the umask", async function () {
    if (process.platform === "win32") this.skip();
    const previous = process.umask(0o022);
    try {
      const file = path.join(dir, "data", "tradeline-31337.sqlite");
      const database = openDatabase(file, file);
      await migrate(database.db as never, database.engine);
      await createToken(database.db, "Huaxia, lender desk", ["lender-desk"]);
      expect((await stat(path.dirname(file))).mode & 0o777).to.equal(0o700);
      for (const f of [file, `${file}-wal`]) expect((await stat(f)).mode & 0o777, f).to.equal(0o600);
      await database.close();
      // A database an earlier version left readable to all is tightened when the service opens it.
      const { chmod } = await import("node:fs/promises");
      await chmod(file, 0o644);
      const again = openDatabase(file, file);
      expect((await stat(file)).mode & 0o777).to.equal(0o600);
      await again.close();
    } finally {
      process.umask(previous);
    }
  });

  it("R16-3: a database URL with a password is refused on the command line, before anything connects", async function () {
    expect(() => passwordFree("postgres://tradeline:S3cr3t-pw@127.0.0.1:9/tradeline", "--database")).to.throw(
      /^--database carries a password, which every local account can read in this process's command line: .*TRADELINE_DATABASE_URL/,
    );
    expect(passwordFree("postgres://tradeline@db.internal:5432/tradeline", "--to")).to.equal(
      "postgres://tradeline@db.internal:5432/tradeline",
    );
    expect(passwordFree("data/tradeline-31337.sqlite", "--database")).to.equal("data/tradeline-31337.sqlite");
    const args = { create: "", roles: "", revoke: "", list: true };
    const url = "postgres://tradeline:S3cr3t-pw@127.0.0.1:9/tradeline";
    expect(await failure(tokenTask({ ...args, database: url }, fakeHre(dir)))).to.match(
      /^--database carries a password/,
    );
  });
});
