/**
 * Component tests' harness for this desk: a signed-in regulator (the session's `/v1/me`) and canned JSON answers by
 * path, served through a mocked global `fetch` (openapi-fetch calls it); a path without an answer is a 404 problem.
 */
import type { ReactNode } from "react";
import { render } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { vi } from "vitest";

import { SessionProvider, type Me } from "../../session";

const REGULATOR: Me = {
  name: "regulator",
  roles: ["regulator"],
  member: { id: 8, status: "Active", jurisdiction: "CN" },
};

export function renderAsRegulator(ui: ReactNode, answers: Record<string, unknown>) {
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const path = new URL(request.url).pathname;
    const body = path === "/v1/me" ? REGULATOR : answers[path];
    if (body === undefined) {
      return new Response(
        JSON.stringify({
          type: "about:blank",
          title: "Not Found",
          status: 404,
          detail: `no canned answer for ${path}`,
        }),
        { status: 404, headers: { "content-type": "application/problem+json" } },
      );
    }
    return new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } });
  });
  vi.stubGlobal("fetch", fetchMock);
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <SessionProvider token="tl_test" signOut={() => {}} pending={<p>signing in</p>} refused={() => <p>refused</p>}>
        {ui}
      </SessionProvider>
    </QueryClientProvider>,
  );
  return fetchMock;
}
