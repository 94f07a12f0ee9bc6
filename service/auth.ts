/**
 * API tokens: each client holds a bearer token bound to a set of roles (and, for a member's desks, to the member).
 * Only a SHA-256 of the token is stored: tokens are 32 random bytes, so a fast hash is enough (no password to
 * stretch), and a leaked database gives no usable token.
 */
import { createHash, randomBytes } from "node:crypto";

import type { Kysely } from "kysely";

import type { Tables } from "./schema.js";

/** The roles a token may carry, each a desk or a viewer of the API. */
export const API_ROLES = [
  "lender-desk",
  "supply-chain-desk",
  "exporter",
  "importer",
  "bank-treasury",
  "regulator",
  "operator",
] as const;
export type ApiRole = (typeof API_ROLES)[number];

export interface Client {
  id: number;
  name: string;
  roles: ApiRole[];
}

const PREFIX = "tl_";

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Parses a comma-separated role list; the error names the unknown role and the known ones. */
export function parseRoles(text: string): ApiRole[] {
  const roles = text
    .split(",")
    .map((r) => r.trim())
    .filter((r) => r !== "");
  if (roles.length === 0) throw new Error(`no roles given: choose from ${API_ROLES.join(", ")}`);
  for (const r of roles) {
    if (!(API_ROLES as readonly string[]).includes(r)) {
      throw new Error(`unknown role "${r}": choose from ${API_ROLES.join(", ")}`);
    }
  }
  return [...new Set(roles)] as ApiRole[];
}

/** Creates a token; the token itself is returned once and never stored. */
export async function createToken(
  db: Kysely<Tables>,
  name: string,
  roles: ApiRole[],
): Promise<{ id: number; token: string }> {
  if (name.trim() === "") throw new Error("a token needs a name (who holds it)");
  const token = PREFIX + randomBytes(32).toString("base64url");
  const row = await db
    .insertInto("api_tokens")
    .values({ name, token_hash: hashToken(token), roles: roles.join(","), created_at: Math.floor(Date.now() / 1000) })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { id: Number(row.id), token };
}

/** Revokes a token by id; false when there is no live token with that id. */
export async function revokeToken(db: Kysely<Tables>, id: number): Promise<boolean> {
  const result = await db
    .updateTable("api_tokens")
    .set({ revoked_at: Math.floor(Date.now() / 1000) })
    .where("id", "=", id)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Whether token `id` is still live (not revoked): what a job a token started asks before each step. */
export async function tokenLive(db: Kysely<Tables>, id: number): Promise<boolean> {
  const row = await db
    .selectFrom("api_tokens")
    .select("id")
    .where("id", "=", id)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return row !== undefined;
}

/** The client a bearer token belongs to, or undefined for an unknown or revoked one. */
export async function clientOf(db: Kysely<Tables>, token: string): Promise<Client | undefined> {
  if (!token.startsWith(PREFIX)) return undefined;
  const row = await db
    .selectFrom("api_tokens")
    .select(["id", "name", "roles"])
    .where("token_hash", "=", hashToken(token))
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return row === undefined
    ? undefined
    : { id: Number(row.id), name: row.name, roles: row.roles.split(",") as ApiRole[] };
}
