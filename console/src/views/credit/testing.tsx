/** Renders a lender-desk panel signed in, over a `fetch` that answers from canned API answers (test only). */
import type { ReactNode } from "react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import { vi } from "vitest";

import { SessionProvider } from "../../session";

export interface Sent {
  method: string;
  path: string;
  headers: Headers;
  body: string;
}

type Answer = { status: number; body: unknown };

/** Answers `/v1/me` as a lender desk, and each `"METHOD /path"` of `answers`; records every request sent. */
export function renderSignedIn(ui: ReactNode, answers: Record<string, Answer | ((sent: Sent) => Answer)> = {}) {
  const sent: Sent[] = [];
  const fetchMock = vi.fn(async (input: Request | string, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const one: Sent = {
      method: request.method,
      path: url.pathname,
      headers: request.headers,
      body: await request.text(),
    };
    sent.push(one);
    const key = `${one.method} ${one.path}`;
    const canned =
      key === "GET /v1/me"
        ? {
            status: 200,
            body: {
              name: "huaxia desk",
              roles: ["lender-desk"],
              member: { id: 3, status: "Active", jurisdiction: "CN" },
            },
          }
        : answers[key];
    const answer = typeof canned === "function" ? canned(one) : canned;
    if (answer === undefined) return new Response(JSON.stringify({ detail: `no canned ${key}` }), { status: 599 });
    const problem = answer.status >= 400;
    return new Response(JSON.stringify(answer.body), {
      status: answer.status,
      headers: { "content-type": problem ? "application/problem+json" : "application/json" },
    });
  });
  vi.stubGlobal("fetch", fetchMock);
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const view = render(
    <QueryClientProvider client={client}>
      <SessionProvider token="tl_test" signOut={() => {}} pending={<p>pending</p>} refused={() => <p>refused</p>}>
        {ui}
      </SessionProvider>
    </QueryClientProvider>,
  );
  return { ...view, sent, writes: () => sent.filter((s) => s.method !== "GET") };
}
