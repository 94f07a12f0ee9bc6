/**
 * RFC 9457 problem details: every error the API answers is `application/problem+json` with a type, a title, the
 * status, a detail in words, and, where it helps, the field that is wrong or the decoded revert.
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  /** For a bad request: each wrong field (a JSON pointer) with what is wrong with it. */
  errors?: { pointer: string; detail: string }[];
  /** For a contract revert: the custom error's name and its values, as the SDK's `describeError` renders them. */
  revert?: { name: string; args: Record<string, string>; text: string };
  /** For a 429: seconds to wait (also sent as Retry-After). */
  retryAfter?: number;
  /** For a write refused after part of it was sent: the refusal itself. */
  cause?: Problem;
}

const TYPE_BASE = "https://tradeline.dev/problems/";

/** An error the handlers throw to answer with a problem. */
export class ProblemError extends Error {
  readonly problem: Problem;
  constructor(status: number, slug: string, title: string, detail: string, extra: Partial<Problem> = {}) {
    super(detail);
    this.problem = { type: TYPE_BASE + slug, title, status, detail, ...extra };
  }
}

/** The most characters of a caller's value a problem repeats (`echo`). */
export const ECHO_MAX = 40;

/**
 * A caller's value as a problem repeats it: quoted, and only its first `ECHO_MAX` characters with its length when it
 * is longer (a request may carry a megabyte in one field, header or query, which a problem and the logs would
 * otherwise carry back whole).
 */
export function echo(value: string): string {
  return value.length <= ECHO_MAX ? `"${value}"` : `"${value.slice(0, ECHO_MAX)}…" (${value.length} characters)`;
}

/**
 * The longest detail (and field pointer) a 400 carries. Every detail that names a caller's value goes through `echo`;
 * this also bounds a desk's own message (its fields are at most 256 characters, a CSV line more).
 */
const DETAIL_MAX = 600;
export const clip = (text: string) => (text.length <= DETAIL_MAX ? text : `${text.slice(0, DETAIL_MAX - 1)}…`);

/** A 400 problem; its detail and each field's pointer and detail are clipped to `DETAIL_MAX` characters. */
export const badRequest = (detail: string, errors?: Problem["errors"]) =>
  new ProblemError(
    400,
    "bad-request",
    "The request is not valid",
    clip(detail),
    errors === undefined ? {} : { errors: errors.map((e) => ({ pointer: clip(e.pointer), detail: clip(e.detail) })) },
  );
export const unauthorized = (detail: string) => new ProblemError(401, "unauthorized", "Not signed in", detail);
export const forbidden = (detail: string) => new ProblemError(403, "forbidden", "Outside this token's roles", detail);
export const notFound = (detail: string) => new ProblemError(404, "not-found", "Not found", detail);

/** The longest request path a problem's `instance` and the audit log repeat; every route's own paths are shorter. */
const PATH_MAX = 200;

/**
 * The request's path as a problem and the audit log repeat it: clipped to `PATH_MAX` characters, so that a path of
 * many kilobytes is not answered and stored whole (review 34, S2).
 */
export function requestPath(c: Context): string {
  const path = c.req.path;
  return path.length <= PATH_MAX ? path : `${path.slice(0, PATH_MAX - 1)}…`;
}

/** Answers with a problem document. */
export function problemResponse(c: Context, problem: Problem): Response {
  return c.body(
    JSON.stringify({ ...problem, instance: problem.instance ?? requestPath(c) }),
    problem.status as ContentfulStatusCode,
    {
      "content-type": "application/problem+json",
    },
  );
}
