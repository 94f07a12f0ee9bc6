/**
 * What every write endpoint shares: its answer, its problems, the Idempotency-Key header, and `writeRoute`, which
 * declares a POST endpoint whose handler runs an SDK desk operation through `runWrite`.
 */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";

import { connect } from "../../src/deployment.js";
import { InputError, fieldLabels } from "../../src/input.js";
import { allow, requireRole, type AppEnv } from "../app.js";
import type { ApiRole } from "../auth.js";
import { ProblemError, badRequest } from "../problem.js";
import { runWrite, writeProblem, type RequestDesk, type WriteContext } from "../writes.js";

/**
 * A text field of a request: at most 256 characters (every field the desks take is far shorter; a body's size limit
 * alone would let one field be a megabyte, echoed in problems and logs).
 */
export const Text = z.string().max(256);

/** An amount in major units with its currency code, as the answers give money. */
export const Money = z.object({ amount: z.string(), currency: z.string() });

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
      responses: {
        ...writeResponses(spec.status ?? 200, spec.summary),
        ...(spec.withId === true
          ? { 404: { description: "the record is not on the chain; nothing was sent", content: problemContent } }
          : {}),
      },
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

export interface PreviewSpec<B extends z.ZodType, A extends z.ZodType> {
  path: string;
  summary: string;
  description: string;
  roles: ApiRole[];
  body: B;
  answer: A;
  /** What a 200 says, and what a 400 is refused for. */
  ok: string;
  bad: string;
  /** What the service cannot do without a chain connection ("price a quote"). */
  cannot: string;
  run: (d: ChainDesk, body: z.infer<B>, id: string) => Promise<z.infer<A>>;
}

/** A desk on the service's chain connection and signer, for reads that send nothing. */
function chainDesk(w: NonNullable<WriteContext["writer"]>) {
  return {
    contracts: connect(w.deployment, w.provider),
    consortiumKey: w.consortiumKey,
    signer: w.signer,
    label: fieldLabels,
  };
}
export type ChainDesk = ReturnType<typeof chainDesk>;

/**
 * A POST endpoint that reads what a write would do, sending nothing (no Idempotency-Key, no audit row): the desk's
 * own checks, as a 400 with the field that is wrong; 503 when the service has no chain connection.
 */
export function previewRoute<B extends z.ZodType, A extends z.ZodType>(
  app: OpenAPIHono<AppEnv>,
  ctx: WriteContext,
  spec: PreviewSpec<B, A>,
): void {
  app.openapi(
    createRoute({
      method: "post",
      path: spec.path,
      summary: spec.summary,
      description: `Roles: ${spec.roles.join(", ")}. ${spec.description}`,
      security,
      request: { params: Id, body: { content: { "application/json": { schema: spec.body } }, required: true } },
      responses: {
        200: { description: spec.ok, content: { "application/json": { schema: spec.answer } } },
        400: { description: spec.bad, content: problemContent },
        403: { description: "outside the token's roles", content: problemContent },
        503: { description: "this service has no chain connection to read with", content: problemContent },
      },
      middleware: [allow(...spec.roles)] as const,
    }),
    async (c) => {
      const w = ctx.writer;
      if (w === undefined) {
        throw new ProblemError(
          503,
          "no-operator-key",
          "This service signs nothing",
          `the service has no operator key: it cannot ${spec.cannot}`,
        );
      }
      try {
        const body = (c.req.valid as (t: "json") => z.infer<B>)("json");
        return c.json((await spec.run(chainDesk(w), body, c.req.param("id") ?? "")) as never, 200);
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        const p = writeProblem(err);
        throw badRequest(p.detail, p.errors);
      }
    },
  );
}
