/**
 * What every write endpoint shares: its answer, its problems, the Idempotency-Key header, and `writeRoute`, which
 * declares a POST endpoint whose handler runs an SDK desk operation through `runWrite`.
 */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";

import { allow, requireRole, type AppEnv } from "../app.js";
import type { ApiRole } from "../auth.js";
import { runWrite, type RequestDesk, type WriteContext } from "../writes.js";

/**
 * A text field of a request: at most 256 characters (every field the desks take is far shorter; a body's size limit
 * alone would let one field be a megabyte, echoed in problems and logs).
 */
export const Text = z.string().max(256);

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

const security = [{ bearer: [] }];
const Id = z.object({ id: z.string().openapi({ description: "the record the endpoint acts on" }) });

export interface WriteSpec<B extends z.ZodType> {
  path: string;
  summary: string;
  roles: ApiRole[];
  action: string;
  body: B;
  status?: 200 | 201;
  withId?: boolean;
  /**
   * For an endpoint whose steps the chain lets different desks take (the member's one key signs them all): the step
   * this request takes and the roles it needs, checked once the body is valid and its `Idempotency-Key` claimed (a
   * retry of a write already done gets its first answer), before anything is sent. The endpoint's `roles` are then
   * the union of its steps' roles.
   */
  step?: (body: z.infer<B>, id: string, ctx: WriteContext) => WriteStep | Promise<WriteStep>;
  run: (d: RequestDesk, body: z.infer<B>, id: string) => Promise<Record<string, unknown>>;
}

/** One step of an endpoint, in words ("setting a credit line's limit"), and the roles that may take it. */
export interface WriteStep {
  step: string;
  roles: ApiRole[];
}

export function writeRoute<B extends z.ZodType>(app: OpenAPIHono<AppEnv>, ctx: WriteContext, spec: WriteSpec<B>): void {
  app.openapi(
    createRoute({
      method: "post",
      path: spec.path,
      summary: spec.summary,
      description:
        `Roles: ${spec.roles.join(", ")}` + (spec.step === undefined ? "." : " (each step needs its own, below)."),
      security,
      request: {
        ...(spec.withId === true ? { params: Id } : {}),
        headers: idempotencyHeader,
        body: { content: { "application/json": { schema: spec.body } }, required: true },
      },
      responses: writeResponses(spec.status ?? 200, spec.summary),
      middleware: [allow(...spec.roles)] as const,
    }),
    async (c) => {
      const id = spec.withId === true ? (c.req.param("id") ?? "") : "";
      const body = (c.req.valid as (t: "json") => z.infer<B>)("json");
      const { step } = spec;
      return runWrite(
        c,
        ctx,
        spec.action,
        JSON.stringify({ id, body }),
        async (d) => ({ status: spec.status ?? 200, result: await spec.run(d, body, id) }),
        step === undefined
          ? undefined
          : async () => {
              const taken = await step(body, id, ctx);
              requireRole(c.get("client"), taken.roles, taken.step);
            },
      );
    },
  );
}
