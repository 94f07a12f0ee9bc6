/**
 * Webhook secrets sealed at rest (service/webhook-secrets.ts): AES-256-GCM under the service's
 * `TRADELINE_WEBHOOK_KEY`, each seal bound to its webhook's token and URL, so that a copy of the database cannot
 * forge deliveries and a seal copied onto another webhook does not open. A secret kept in the clear (no key, or a
 * database from before) is sealed once a key is given; a sealed secret the service cannot open, or one in the clear
 * while it has a key, stops it in words; a new key takes over from the previous one at a start.
 */
import { expect } from "chai";

import { createToken, parseRoles } from "../../service/auth.js";
import { openDatabase } from "../../service/db.js";
import { migrate } from "../../service/migrations.js";
import { checkWebhookSecrets, isSealed, openSecret, sealSecret, webhookKey } from "../../service/webhook-secrets.js";

const KEY = Buffer.alloc(32, 1);
const OTHER = Buffer.alloc(32, 2);
const SECRET = "whsec_" + "s".repeat(43);
const HOOK = { tokenId: 3, url: "https://desk.example/hooks/tradeline" };

describe("webhook secrets sealed at rest", function () {
  it("a sealed secret opens with its key, for its webhook, only, and shows nothing of the secret", function () {
    const sealed = sealSecret(KEY, SECRET, HOOK);
    expect(isSealed(sealed)).to.equal(true);
    expect(sealed).not.to.include("ssssssss");
    // A fresh nonce each time: the same secret seals to another value.
    expect(sealSecret(KEY, SECRET, HOOK)).not.to.equal(sealed);
    expect(openSecret(KEY, sealed, 4, HOOK)).to.equal(SECRET);
    const notOpened = /^webhook 4's secret does not open with the TRADELINE_WEBHOOK_KEY given/;
    expect(() => openSecret(OTHER, sealed, 4, HOOK)).to.throw(notOpened);
    // Copied onto another webhook (another token, or another URL), the seal does not open (review 22, R22-3).
    expect(() => openSecret(KEY, sealed, 4, { ...HOOK, tokenId: 4 })).to.throw(notOpened);
    expect(() => openSecret(KEY, sealed, 4, { ...HOOK, url: "https://attacker.example/h" })).to.throw(notOpened);
    expect(() => openSecret(undefined, sealed, 4, HOOK)).to.throw(
      "webhook 4's secret is sealed: start the service with the key it was sealed with (TRADELINE_WEBHOOK_KEY)",
    );
  });

  it("an altered or truncated sealed value is refused, never opened to something else", function () {
    const sealed = sealSecret(KEY, SECRET, HOOK);
    const [iv, body, tag] = sealed.slice("sealed:v1:".length).split(":");
    const flipped = Buffer.from(body, "base64url");
    flipped[0] ^= 1;
    const variants = [
      `sealed:v1:${iv}:${flipped.toString("base64url")}:${tag}`,
      `sealed:v1:${iv}:${body}:${tag.slice(0, 16)}`, // the genuine tag cut to 12 bytes, which GCM could check alone
      `sealed:v1:${iv}:${body}`,
      "sealed:v1:",
    ];
    for (const v of variants) expect(() => openSecret(KEY, v, 9, HOOK), v).to.throw(/does not open/);
  });

  it("without a key a secret is kept, and opened, as it is; with one, a secret in the clear is refused", function () {
    expect(sealSecret(undefined, SECRET, HOOK)).to.equal(SECRET);
    expect(openSecret(undefined, SECRET, 1, HOOK)).to.equal(SECRET);
    // Only a write around the service puts a clear secret beside sealed ones (review 22, R22-3).
    expect(() => openSecret(KEY, SECRET, 1, HOOK)).to.throw(
      "webhook 1's secret is in the clear though the service seals secrets: it was written around the service",
    );
  });

  it("the key is 32 bytes in hexadecimal, else refused in words", function () {
    expect(webhookKey("ab".repeat(32))).to.deep.equal(Buffer.alloc(32, 0xab));
    for (const bad of ["", "ab".repeat(31), "zz".repeat(32), "ab".repeat(33)]) {
      expect(() => webhookKey(bad, "TRADELINE_WEBHOOK_KEY from the environment"), bad).to.throw(
        "TRADELINE_WEBHOOK_KEY from the environment must be 32 bytes as 64 hexadecimal characters",
      );
    }
  });

  it("at start: secrets in the clear are sealed once a key is given, a new key re-seals what the previous one sealed, and a secret no key given opens stops the start", async function () {
    const database = openDatabase(":memory:", "");
    try {
      await migrate(database.db as never, database.engine);
      const db = database.db;
      const token = await createToken(db, "desk", parseRoles("lender-desk"));
      const row = (secret: string, url: string) => ({
        token_id: token.id,
        url,
        secret,
        kinds: null,
        cursor: null,
        created_at: 1,
      });
      const urls = ["https://one.example/hook", "https://two.example/hook"];
      await db
        .insertInto("webhooks")
        .values([row("whsec_one", urls[0]), row("whsec_two", urls[1])])
        .execute();
      const stored = async () =>
        (await db.selectFrom("webhooks").select(["id", "secret"]).orderBy("id").execute()).map((r) => r.secret);
      const opened = (key: Buffer, values: string[]) =>
        values.map((s, i) => openSecret(key, s, i + 1, { tokenId: token.id, url: urls[i] }));

      // No key: nothing changes, and the two are counted in the clear.
      expect(await checkWebhookSecrets(db, undefined)).to.deep.equal({ sealed: 0, resealed: 0, clear: 2 });
      expect(await stored()).to.deep.equal(["whsec_one", "whsec_two"]);

      // A key: both are sealed, and open to what they were.
      expect(await checkWebhookSecrets(db, KEY)).to.deep.equal({ sealed: 2, resealed: 0, clear: 0 });
      const sealed = await stored();
      expect(sealed.every(isSealed)).to.equal(true);
      expect(opened(KEY, sealed)).to.deep.equal(["whsec_one", "whsec_two"]);
      // Again: nothing more to do.
      expect(await checkWebhookSecrets(db, KEY)).to.deep.equal({ sealed: 0, resealed: 0, clear: 0 });

      // Without the key, or with another alone, the start is refused and nothing is written.
      let refused: unknown;
      await checkWebhookSecrets(db, undefined).catch((err: unknown) => (refused = err));
      expect((refused as Error).message).to.equal(
        "webhook 1's secret is sealed: start the service with the key it was sealed with (TRADELINE_WEBHOOK_KEY)",
      );
      refused = undefined;
      await checkWebhookSecrets(db, OTHER).catch((err: unknown) => (refused = err));
      expect((refused as Error).message).to.match(/^webhook 1's secret does not open .*TRADELINE_WEBHOOK_KEY_PREVIOUS/);
      expect(await stored()).to.deep.equal(sealed);

      // A new key with the previous one beside it: every secret is re-sealed under the new key (review 22, R22-4).
      expect(await checkWebhookSecrets(db, OTHER, KEY)).to.deep.equal({ sealed: 0, resealed: 2, clear: 0 });
      const resealed = await stored();
      expect(opened(OTHER, resealed)).to.deep.equal(["whsec_one", "whsec_two"]);
      expect(() => opened(KEY, resealed)).to.throw(/does not open/);
      // The previous key may stay configured a while: nothing more to do, and a third key is refused.
      expect(await checkWebhookSecrets(db, OTHER, KEY)).to.deep.equal({ sealed: 0, resealed: 0, clear: 0 });
      refused = undefined;
      await checkWebhookSecrets(db, Buffer.alloc(32, 9), KEY).catch((err: unknown) => (refused = err));
      expect((refused as Error).message).to.match(/^webhook 1's secret opens neither with TRADELINE_WEBHOOK_KEY nor/);
    } finally {
      await database.close();
    }
  });
});
