/**
 * The console's one way to the service: openapi-fetch over the types openapi-typescript generates from the service's
 * OpenAPI document (scripts/console-api.ts), with the bearer token on every request. A refusal becomes an
 * `ApiError` holding the RFC 9457 problem, which `describeProblem` puts in words.
 */
import createClient from "openapi-fetch";

import type { components, paths } from "./schema";

export type Api = ReturnType<typeof createClient<paths>>;
export type Schemas = components["schemas"];

/** An RFC 9457 problem, as the service answers every error (service/problem.ts). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { pointer: string; detail: string }[];
  revert?: { name: string; args: Record<string, string>; text: string };
  retryAfter?: number;
  cause?: Problem;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
    this.name = "ApiError";
  }
}

/** A problem from whatever an answer's body was (a proxy's HTML page is not one). */
export function asProblem(body: unknown, response: Response): Problem {
  if (typeof body === "object" && body !== null && typeof (body as Problem).detail === "string") {
    return body as Problem;
  }
  return {
    type: "about:blank",
    title: response.statusText || "Request failed",
    status: response.status,
    detail: `the service answered ${response.status} ${response.statusText}`.trim(),
  };
}

/**
 * A client sending `token`; `onUnauthorized` runs, with the service's words, when the service no longer knows it
 * (revoked, or a new chain's database).
 */
export function makeClient(
  token: string,
  onUnauthorized: (detail?: string) => void,
  baseUrl = window.location.origin,
): Api {
  const client = createClient<paths>({ baseUrl });
  client.use({
    onRequest({ request }) {
      request.headers.set("Authorization", `Bearer ${token}`);
      return request;
    },
    onResponse({ response }) {
      if (response.status === 401) {
        void response
          .clone()
          .json()
          .then((body: unknown) => onUnauthorized(asProblem(body, response).detail))
          .catch(() => onUnauthorized());
      }
      return response;
    },
  });
  return client;
}

/** The data of an answer, or an `ApiError` with its problem. */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<NonNullable<T>> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch (err) {
    throw new ApiError({
      type: "about:blank",
      title: "The service cannot be reached",
      status: 0,
      detail: err instanceof Error ? err.message : String(err),
    });
  }
  if (result.error !== undefined || !result.response.ok) {
    throw new ApiError(asProblem(result.error, result.response));
  }
  return result.data as NonNullable<T>;
}

/** A fresh Idempotency-Key for one intended write: a retry of the same dialog's submit sends it again. */
export function idempotencyKey(): string {
  return crypto.randomUUID();
}
