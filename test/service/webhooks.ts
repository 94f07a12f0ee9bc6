/**
 * What the webhook and stream tests share: a receiver on loopback, a bounded wait, and the loan a desk hears of.
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";

import type { Provider } from "ethers";

import { actAs, type World } from "../../scripts/lib/world.js";
import { register } from "../../tasks/lib/credit.js";

/** Waits for `promise`, failing with `what` after `ms` (a generous limit: the verdict is the promise's, not a time). */
export async function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>(
        (_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)),
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A webhook receiver on loopback: it records each request as it arrives, and answers it with `answer`'s status
 * (a promise holds the answer back until the test settles it).
 */
export async function receiver(answer: (n: number) => number | Promise<number> = () => 204) {
  const got: { eventId: string; body: string; status?: number; closed: boolean }[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const answered = () => got.filter((r) => r.status !== undefined && r.status < 300);
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      const entry: (typeof got)[number] = { eventId: String(req.headers["tradeline-event-id"]), body, closed: false };
      got.push(entry);
      res.on("close", () => (entry.closed = true));
      void Promise.resolve(answer(got.length)).then((status) => {
        if (res.destroyed) return;
        entry.status = status;
        res.writeHead(status).end();
        for (const w of waiters.filter((w) => answered().length >= w.n)) w.resolve();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    got,
    answered,
    /** Resolves once `n` deliveries were answered 2xx. */
    delivered: (n: number) =>
      new Promise<void>((resolve) => (answered().length >= n ? resolve() : waiters.push({ n, resolve }))),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Cast member `lender` registers a loan to `borrowerId`; returns the block it landed in. */
export async function lend(world: World, provider: Provider, lender: string, borrowerId: string): Promise<number> {
  const as = actAs(world, lender, world.key);
  await register(
    as.contracts,
    {
      borrowerType: "USCC",
      borrowerId,
      ref: `NT-${randomBytes(4).toString("hex")}`,
      product: "SmeLoan",
      principal: "1000.00",
      outstanding: "",
      originated: "2026-09-01",
      matures: "2027-09-01",
      salt: "",
      funders: "",
    },
    as.session,
  );
  return provider.getBlockNumber();
}

/**
 * Golfo lends to `borrowerId`, then Huaxia lends to the same borrower: the loan Golfo's desk hears of (another
 * lender, one of its own borrowers). Returns the block of Huaxia's loan.
 */
export async function lendToOneBorrower(world: World, provider: Provider, borrowerId: string): Promise<number> {
  await lend(world, provider, "golfo", borrowerId);
  return lend(world, provider, "huaxia", borrowerId);
}
