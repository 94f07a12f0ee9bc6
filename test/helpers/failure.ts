import { describeError } from "../../src/errors.js";

/** What an operation that should fail reports: its readable error, or "no error" when it succeeded. */
export async function failure(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => "no error",
    (e: unknown) => describeError(e),
  );
}
