/**
 * Webhook signing secrets sealed at rest. The service must hold each secret usable to sign its deliveries, so it
 * cannot keep only a hash; it keeps it encrypted with AES-256-GCM (node:crypto) under a key given to the service
 * apart from the database (`TRADELINE_WEBHOOK_KEY`), so that a copy of the database (a backup, a dump, a replica, a
 * read-only role) does not let anyone forge deliveries. Without a key, secrets are kept as before, in the clear,
 * protected by the database's own access rules; a key given later seals them at the next start.
 *
 * Each seal is bound to its webhook's token and URL (the AEAD's associated data), so a sealed secret copied onto
 * another webhook does not open; and a service with a key refuses a secret kept in the clear, which only a write
 * around the service could have put there. Someone who can write the database can still make the service deliver
 * events of its choosing: sealing protects the secrets from whoever can read the database, not from whoever can
 * write it (adversarial review 22, R22-3).
 *
 * A new key: start the service with it in `TRADELINE_WEBHOOK_KEY` and the old one in
 * `TRADELINE_WEBHOOK_KEY_PREVIOUS`; the start re-seals every secret under the new key, and the old one can go.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

import type { Kysely } from "kysely";

import type { Tables } from "./schema.js";

/** The configuration variable holding the key: 32 bytes as 64 hexadecimal characters (`openssl rand -hex 32`). */
export const WEBHOOK_KEY_VARIABLE = "TRADELINE_WEBHOOK_KEY";
/** The key the secrets were sealed with before the current one, while a new key is rolled in. */
export const PREVIOUS_WEBHOOK_KEY_VARIABLE = "TRADELINE_WEBHOOK_KEY_PREVIOUS";

const SEALED = "sealed:v1:";

/** What a seal is bound to: the webhook's token and URL, which never change for a webhook. */
export interface SecretBinding {
  tokenId: number;
  url: string;
}

/** The associated data of a seal: its format and its webhook. */
function context(binding: SecretBinding): Buffer {
  return Buffer.from(`tradeline webhook secret v1\n${binding.tokenId}\n${binding.url}`);
}

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

/** `secret` of the webhook `binding` names, as the database keeps it: sealed under `key`, or as it is without one. */
export function sealSecret(key: Buffer | undefined, secret: string, binding: SecretBinding): string {
  if (key === undefined) return secret;
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv).setAAD(context(binding));
  const sealed = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
  return SEALED + [iv, sealed, cipher.getAuthTag()].map((b) => b.toString("base64url")).join(":");
}

/** The sealed value opened with `key`, or undefined when it does not open (another key, another webhook, altered). */
function tryOpen(key: Buffer, stored: string, binding: SecretBinding): string | undefined {
  const parts = stored.slice(SEALED.length).split(":");
  if (parts.length !== 3) return undefined;
  try {
    const [iv, sealed, tag] = parts.map((p) => Buffer.from(p, "base64url"));
    const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: 16 })
      .setAAD(context(binding))
      .setAuthTag(tag);
    return Buffer.concat([decipher.update(sealed), decipher.final()]).toString("utf8");
  } catch {
    return undefined;
  }
}

/**
 * The secret of webhook `id` (`binding`) from what the database keeps: opened with `key` when sealed, as it is when
 * the service has no key. Refuses, in words, a sealed secret without a key, one the key does not open (another key,
 * another webhook's seal, an altered value), and a secret in the clear when the service has a key.
 */
export function openSecret(key: Buffer | undefined, stored: string, id: number, binding: SecretBinding): string {
  if (!isSealed(stored)) {
    if (key === undefined) return stored;
    throw new Error(
      `webhook ${id}'s secret is in the clear though the service seals secrets: it was written around the service`,
    );
  }
  if (key === undefined) {
    throw new Error(
      `webhook ${id}'s secret is sealed: start the service with the key it was sealed with (${WEBHOOK_KEY_VARIABLE})`,
    );
  }
  const secret = tryOpen(key, stored, binding);
  if (secret === undefined) {
    throw new Error(
      `webhook ${id}'s secret does not open with the ${WEBHOOK_KEY_VARIABLE} given: it was sealed with another ` +
        `key (give that one as ${PREVIOUS_WEBHOOK_KEY_VARIABLE} to re-seal), for another webhook, or altered`,
    );
  }
  return secret;
}

/**
 * A sealed secret of webhook `id`, opened for its binding `from` and sealed again for `to`: a move gives its token a
 * new id (adversarial review 36, M1). Refuses, in words, without the key it was sealed with.
 */
export function resealSecret(
  key: Buffer | undefined,
  stored: string,
  id: number,
  from: SecretBinding,
  to: SecretBinding,
): string {
  if (key === undefined) {
    throw new Error(
      `webhook ${id}'s secret is sealed, for its token's id, which the move gives anew: give the move the key it ` +
        `was sealed with (${WEBHOOK_KEY_VARIABLE}) to seal it again for the new id`,
    );
  }
  return sealSecret(key, openSecret(key, stored, id, from), to);
}

/**
 * Before the service starts: every stored secret opens with `key` (else the readable error of `openSecret`). With a
 * key, each secret kept in the clear is sealed, and each sealed with `previous` is re-sealed under `key`. Returns how
 * many were sealed, re-sealed, and how many stay in the clear (no key).
 */
export async function checkWebhookSecrets(
  db: Kysely<Tables>,
  key: Buffer | undefined,
  previous?: Buffer,
): Promise<{ sealed: number; resealed: number; clear: number }> {
  const rows = await db.selectFrom("webhooks").select(["id", "token_id", "url", "secret"]).execute();
  const counts = { sealed: 0, resealed: 0, clear: 0 };
  for (const row of rows) {
    const id = Number(row.id);
    const binding = { tokenId: Number(row.token_id), url: row.url };
    let secret: string;
    if (!isSealed(row.secret)) {
      if (key === undefined) {
        counts.clear += 1;
        continue;
      }
      secret = row.secret;
      counts.sealed += 1;
    } else {
      const old = key === undefined || previous === undefined ? undefined : tryOpen(key, row.secret, binding);
      if (old !== undefined || previous === undefined || key === undefined) {
        openSecret(key, row.secret, id, binding);
        continue;
      }
      const opened = tryOpen(previous, row.secret, binding);
      if (opened === undefined) {
        throw new Error(
          `webhook ${id}'s secret opens neither with ${WEBHOOK_KEY_VARIABLE} nor with ` +
            `${PREVIOUS_WEBHOOK_KEY_VARIABLE}: it was sealed with a third key, for another webhook, or altered`,
        );
      }
      secret = opened;
      counts.resealed += 1;
    }
    await db
      .updateTable("webhooks")
      .set({ secret: sealSecret(key, secret, binding) })
      .where("id", "=", row.id)
      .where("secret", "=", row.secret)
      .execute();
  }
  return counts;
}
