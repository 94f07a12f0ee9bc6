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

export const badRequest = (detail: string, errors?: Problem["errors"]) =>
  new ProblemError(400, "bad-request", "The request is not valid", detail, errors === undefined ? {} : { errors });
export const unauthorized = (detail: string) => new ProblemError(401, "unauthorized", "Not signed in", detail);
export const forbidden = (detail: string) => new ProblemError(403, "forbidden", "Outside this token's roles", detail);
export const notFound = (detail: string) => new ProblemError(404, "not-found", "Not found", detail);

/** Answers with a problem document. */
export function problemResponse(c: Context, problem: Problem): Response {
  return c.body(
    JSON.stringify({ ...problem, instance: problem.instance ?? c.req.path }),
    problem.status as ContentfulStatusCode,
    {
      "content-type": "application/problem+json",
    },
  );
}
