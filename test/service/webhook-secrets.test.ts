/**
 * Webhook secrets sealed at rest (service/webhook-secrets.ts): AES-256-GCM under the service's
 * `TRADELINE_WEBHOOK_KEY`, so that a copy of the database cannot forge deliveries. A secret kept in the clear (no key,
 * or a database from before) still opens, and is sealed once a key is given; a sealed secret the service cannot open
 * stops it at start, in words.
 */
import { expect } from "chai";

import { createToken, parseRoles } from "../../service/auth.js";
import { openDatabase } from "../../service/db.js";
import { migrate } from "../../service/migrations.js";
import { checkWebhookSecrets, isSealed, openSecret, sealSecret, webhookKey } from "../../service/webhook-secrets.js";

const KEY = Buffer.alloc(32, 1);
const OTHER = Buffer.alloc(32, 2);
const SECRET = "whsec_" + "s".repeat(43);

describe("webhook secrets sealed at rest", function () {
  it("a sealed secret opens with its key only, and shows nothing of the secret", function () {
    const sealed = sealSecret(KEY, SECRET);
    expect(isSealed(sealed)).to.equal(true);
    expect(sealed).not.to.include("ssssssss");
    // A fresh nonce each time: the same secret seals to another value.
    expect(sealSecret(KEY, SECRET)).not.to.equal(sealed);
    expect(openSecret(KEY, sealed, 4)).to.equal(SECRET);
    expect(() => openSecret(OTHER, sealed, 4)).to.throw(
      "webhook 4's secret does not open with the TRADELINE_WEBHOOK_KEY given: it was sealed with another key, or altered",
    );
    expect(() => openSecret(undefined, sealed, 4)).to.throw(
      "webhook 4's secret is sealed: start the service with the key it was sealed with (TRADELINE_WEBHOOK_KEY)",
    );
  });

  it("an altered or truncated sealed value is refused, never opened to something else", function () {
    const sealed = sealSecret(KEY, SECRET);
    const [iv, body, tag] = sealed.slice("sealed:v1:".length).split(":");
    const flipped = Buffer.from(body, "base64url");
    flipped[0] ^= 1;
    const variants = [
      `sealed:v1:${iv}:${flipped.toString("base64url")}:${tag}`,
      `sealed:v1:${iv}:${body}:${tag.slice(0, 16)}`, // the genuine tag cut to 12 bytes, which GCM could check alone
      `sealed:v1:${iv}:${body}`,
      "sealed:v1:",
    ];
    for (const v of variants) expect(() => openSecret(KEY, v, 9), v).to.throw(/does not open/);
  });

  it("without a key a secret is kept, and opened, as it is", function () {
    expect(sealSecret(undefined, SECRET)).to.equal(SECRET);
    expect(openSecret(undefined, SECRET, 1)).to.equal(SECRET);
    expect(openSecret(KEY, SECRET, 1)).to.equal(SECRET);
  });

  it("the key is 32 bytes in hexadecimal, else refused in words", function () {
    expect(webhookKey("ab".repeat(32))).to.deep.equal(Buffer.alloc(32, 0xab));
    for (const bad of ["", "ab".repeat(31), "zz".repeat(32), "ab".repeat(33)]) {
      expect(() => webhookKey(bad, "TRADELINE_WEBHOOK_KEY from the environment"), bad).to.throw(
        "TRADELINE_WEBHOOK_KEY from the environment must be 32 bytes as 64 hexadecimal characters",
      );
    }
  });

  it("at start, secrets in the clear are sealed once a key is given; a sealed one without its key stops the start", async function () {
    const database = openDatabase(":memory:", "");
    try {
      await migrate(database.db as never, database.engine);
      const db = database.db;
      const token = await createToken(db, "desk", parseRoles("lender-desk"));
      const row = (secret: string) => ({
        token_id: token.id,
        url: "https://receiver.example/hook",
        secret,
        kinds: null,
        cursor: null,
        created_at: 1,
      });
      await db
        .insertInto("webhooks")
        .values([row("whsec_one"), row("whsec_two")])
        .execute();
      const stored = async () =>
        (await db.selectFrom("webhooks").select(["id", "secret"]).orderBy("id").execute()).map((r) => r.secret);

      // No key: nothing changes, and the two are counted in the clear.
      expect(await checkWebhookSecrets(db, undefined)).to.deep.equal({ sealed: 0, clear: 2 });
      expect(await stored()).to.deep.equal(["whsec_one", "whsec_two"]);

      // A key: both are sealed, and open to what they were.
      expect(await checkWebhookSecrets(db, KEY)).to.deep.equal({ sealed: 2, clear: 0 });
      const sealed = await stored();
      expect(sealed.every(isSealed)).to.equal(true);
      expect(sealed.map((s, i) => openSecret(KEY, s, i + 1))).to.deep.equal(["whsec_one", "whsec_two"]);
      // Again: nothing more to do.
      expect(await checkWebhookSecrets(db, KEY)).to.deep.equal({ sealed: 0, clear: 0 });

      // Without the key, or with another, the start is refused and nothing is written.
      let refused: unknown;
      await checkWebhookSecrets(db, undefined).catch((err: unknown) => (refused = err));
      expect((refused as Error).message).to.equal(
        "webhook 1's secret is sealed: start the service with the key it was sealed with (TRADELINE_WEBHOOK_KEY)",
      );
      refused = undefined;
      await checkWebhookSecrets(db, OTHER).catch((err: unknown) => (refused = err));
      expect((refused as Error).message).to.match(/^webhook 1's secret does not open/);
      expect(await stored()).to.deep.equal(sealed);
    } finally {
      await database.close();
    }
  });
});
