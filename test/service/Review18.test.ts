/**
 * Regressions of the eighteenth adversarial review (of the fixes of reviews 15 to 17, and the trade settlement's
 * money, where it found nothing). Each case failed before its fix: the review's proofs of concept asserted the
 * opposite.
 */
import { chmodSync, chownSync, closeSync, mkdirSync, openSync, statSync, symlinkSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { openDatabase } from "../../service/db.js";
import { passwordFree } from "../../tasks/lib/service.js";

describe("review 18: the operations fixes of review 16", function () {
  let dir: string;
  beforeEach(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "review18-"));
  });
  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("R18-1: a password is found wherever node-postgres would read it: the query, or a socket URL without a host", function () {
    for (const url of [
      "postgres://tradeline@db.internal:5432/tradeline?password=S3cr3t-pw",
      "postgres://tradeline:S3cr3t-pw@/tradeline?host=/var/run/postgresql",
      "postgresql://tradeline:S3cr3t-pw@db.internal/tradeline",
    ]) {
      expect(() => passwordFree(url, "--to"), url).to.throw(/^--to carries a password/);
    }
    for (const url of [
      "postgres://tradeline@/tradeline?host=/var/run/postgresql",
      "postgres://tradeline@db.internal:5432/tradeline?application_name=tradeline",
      "data/tradeline-31337.sqlite",
    ]) {
      expect(passwordFree(url, "--database"), url).to.equal(url);
    }
  });

  it("R18-2: a database file that is another account's or a link, or in a folder all may write, is refused", async function () {
    if (process.platform === "win32") this.skip();
    // A shared folder (sticky and world-writable, as /tmp).
    const shared = path.join(dir, "shared");
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    // A link another account could have planted, to a file it reads.
    const target = path.join(dir, "theirs.sqlite");
    closeSync(openSync(target, "w", 0o666));
    const link = path.join(shared, "link.sqlite");
    symlinkSync(target, link);
    expect(() => openDatabase(link, link)).to.throw(`${link} is not a plain file`);
    // A file another account created first (needs root to stage; the other checks run for anyone).
    if (process.getuid?.() === 0) {
      const planted = path.join(shared, "tradeline-31337.sqlite");
      closeSync(openSync(planted, "w", 0o666));
      chownSync(planted, 65534, 65534);
      expect(() => openDatabase(planted, planted)).to.throw(
        `${planted} belongs to another account (uid 65534): the service keeps its database only in a file of its own`,
      );
      expect(statSync(planted).size).to.equal(0); // nothing written into it
    }
    // A folder every account may write to, not sticky: any could swap the file.
    const open = path.join(dir, "open");
    mkdirSync(open);
    chmodSync(open, 0o777);
    const file = path.join(open, "tradeline.sqlite");
    expect(() => openDatabase(file, file)).to.throw(/writable by other accounts/);
    // A file of our own in the sticky folder is taken, and kept ours only.
    const ours = path.join(shared, "ours.sqlite");
    const database = openDatabase(ours, ours);
    await database.close();
    expect(statSync(ours).mode & 0o777).to.equal(0o600);
  });
});
