/** The OpenAPI shapes every write shares: its answer, its problems, and the Idempotency-Key header. */
import { z } from "@hono/zod-openapi";

export const WriteAnswer = z
  .object({
    txHashes: z.array(z.string()),
    events: z.array(
      z.object({
        txHash: z.string(),
        logIndex: z.number().int(),
        contract: z.string(),
        name: z.string(),
        args: z.record(z.string(), z.unknown()),
      }),
    ),
    result: z.record(z.string(), z.unknown()),
  })
  .openapi("WriteAnswer");

export const problemContent = { "application/problem+json": { schema: z.object({}).passthrough() } };

/** The answers of a write: `ok` with its result, or a problem. */
export function writeResponses(ok: number, description: string) {
  return {
    [ok]: { description, content: { "application/json": { schema: WriteAnswer } } },
    400: { description: "bad input: the field that is wrong; nothing was sent", content: problemContent },
    403: { description: "outside the token's roles; nothing was sent", content: problemContent },
    409: { description: "the first request with this Idempotency-Key is still running", content: problemContent },
    422: {
      description: "the contract refused it (the decoded error), or the Idempotency-Key was reused",
      content: problemContent,
    },
    503: { description: "this service has no operator key (or no consortium key)", content: problemContent },
  };
}

export const idempotencyHeader = z.object({
  "idempotency-key": z
    .string()
    .optional()
    .openapi({ description: "a retried request with the same key returns the first answer and sends nothing" }),
});
