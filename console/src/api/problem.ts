/**
 * Problems in words: a contract's refusal by its error's name, in the reader's language, with its values
 * (locales/<lang>/errors.json, one sentence per custom error); otherwise the service's own detail, which is already
 * a sentence. Never a raw revert.
 */
import type { TFunction } from "i18next";

import { ApiError, type Problem } from "./client";

export function describeProblem(t: TFunction, problem: Problem): string {
  if (problem.revert !== undefined) {
    const key = `errors:${problem.revert.name}`;
    const text = t(key, { ...problem.revert.args, defaultValue: "" });
    if (text !== "") return text;
  }
  if (problem.cause !== undefined) {
    return `${t("common:problem.partlySent")} ${describeProblem(t, problem.cause)}`;
  }
  if (problem.status === 0) return t("common:problem.unreachable");
  return problem.detail;
}

/** Words for any error a query or a mutation ends with. */
export function describeError(t: TFunction, err: unknown): string {
  if (err instanceof ApiError) return describeProblem(t, err.problem);
  return err instanceof Error ? err.message : String(err);
}
