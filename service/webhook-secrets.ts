/**
 * Webhook signing secrets sealed at rest. The service must hold each secret usable to sign its deliveries, so it
 * cannot keep only a hash; it keeps it encrypted with AES-256-GCM (node:crypto) under a key given to the service
 * apart from the database (`TRADELINE_WEBHOOK_KEY`), so that a copy of the database (a backup, a dump, a replica, a
 * read-only role) does not let anyone forge deliveries. Without a key, secrets are kept as before, in the clear,
 * protected by the database's own access rules; a key given later seals them at the next start.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

import type { Kysely } from "kysely";

import type { Tables } from "./schema.js";

/** The configuration variable holding the key: 32 bytes as 64 hexadecimal characters (`openssl rand -hex 32`). */
export const WEBHOOK_KEY_VARIABLE = "TRADELINE_WEBHOOK_KEY";

const SEALED = "sealed:v1:";
/** Bound into every seal, so a sealed value opens only as a webhook secret of this format. */
const CONTEXT = Buffer.from("tradeline webhook secret v1");

/** The key in `text`, or a readable error naming `source`. */
export function webhookKey(text: string, source = WEBHOOK_KEY_VARIABLE): Buffer {
  const t = text.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(t)) {
    throw new Error(`${source} must be 32 bytes as 64 hexadecimal characters (e.g. from openssl rand -hex 32)`);
  }
  return Buffer.from(t, "hex");
}

/** Whether a stored secret is sealed. */
export function isSealed(stored: string): boolean {
  return stored.startsWith(SEALED);
}

/** `secret` as the database keeps it: sealed under `key`, or as it is without one. */
export function sealSecret(key: Buffer | undefined, secret: string): string {
  if (key === undefined) return secret;
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv).setAAD(CONTEXT);
  const sealed = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
  return SEALED + [iv, sealed, cipher.getAuthTag()].map((b) => b.toString("base64url")).join(":");
}

/**
 * The secret of webhook `id` from what the database keeps: opened with `key` when sealed, as it is when not. Refuses,
 * in words, a sealed secret without a key, and one the key does not open (another key, or an altered value).
 */
export function openSecret(key: Buffer | undefined, stored: string, id: number): string {
  if (!isSealed(stored)) return stored;
  if (key === undefined) {
    throw new Error(
      `webhook ${id}'s secret is sealed: start the service with the key it was sealed with (${WEBHOOK_KEY_VARIABLE})`,
    );
  }
  const parts = stored.slice(SEALED.length).split(":");
  try {
    if (parts.length !== 3) throw new Error("malformed");
    const [iv, sealed, tag] = parts.map((p) => Buffer.from(p, "base64url"));
    const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: 16 }).setAAD(CONTEXT).setAuthTag(tag);
    return Buffer.concat([decipher.update(sealed), decipher.final()]).toString("utf8");
  } catch {
    throw new Error(
      `webhook ${id}'s secret does not open with the ${WEBHOOK_KEY_VARIABLE} given: it was sealed with another key, or altered`,
    );
  }
}

/**
 * Before the service starts: every stored secret opens with `key` (else the readable error of `openSecret`), and,
 * with a key, each secret kept in the clear is sealed. Returns how many were sealed and how many stay in the clear.
 */
export async function checkWebhookSecrets(
  db: Kysely<Tables>,
  key: Buffer | undefined,
): Promise<{ sealed: number; clear: number }> {
  const rows = await db.selectFrom("webhooks").select(["id", "secret"]).execute();
  let sealed = 0;
  let clear = 0;
  for (const row of rows) {
    const secret = openSecret(key, row.secret, Number(row.id));
    if (isSealed(row.secret)) continue;
    if (key === undefined) {
      clear += 1;
      continue;
    }
    await db
      .updateTable("webhooks")
      .set({ secret: sealSecret(key, secret) })
      .where("id", "=", row.id)
      .where("secret", "=", row.secret)
      .execute();
    sealed += 1;
  }
  return { sealed, clear };
}
