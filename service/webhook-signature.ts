/**
 * Webhook signatures: HMAC-SHA256 with the webhook's secret over `<timestamp>.<body>`, sent as
 * `Tradeline-Signature: t=<unix seconds>,v1=<hex>`. A receiver checks it with `verifyWebhookSignature` on the raw
 * body (before any JSON parsing) and refuses a timestamp outside its tolerance, so a captured delivery cannot be
 * replayed later. Within the tolerance a receiver deduplicates on the body's `id`, which the signature covers; the
 * `Tradeline-Event-Id` header repeats it unsigned. This module has no dependency on the service: a receiver may copy
 * it.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "Tradeline-Signature";
export const EVENT_ID_HEADER = "Tradeline-Event-Id";

function mac(secret: string, timestamp: number, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
}

/** The `Tradeline-Signature` header value for `body` sent at `timestamp` (Unix seconds). */
export function signWebhook(secret: string, body: string, timestamp: number): string {
  return `t=${timestamp},v1=${mac(secret, timestamp, body)}`;
}

/**
 * Whether `header` is a valid signature of `body` with `secret`, made within `toleranceSeconds` of `now` (Unix
 * seconds, default the clock). Any `v1` entry may match (several are sent while a secret is rotated).
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | null | undefined,
  body: string,
  toleranceSeconds: number,
  now: number = Math.floor(Date.now() / 1000),
): boolean {
  if (typeof header !== "string") return false;
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const [key, value] = part.trim().split("=", 2);
    if (key === "t" && /^\d{1,12}$/.test(value ?? "")) timestamp = Number(value);
    else if (key === "v1" && /^[0-9a-f]{64}$/.test(value ?? "")) signatures.push(value);
  }
  if (timestamp === undefined || signatures.length === 0) return false;
  if (Math.abs(now - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(mac(secret, timestamp, body), "hex");
  return signatures.some((s) => timingSafeEqual(Buffer.from(s, "hex"), expected));
}
