/**
 * Renders a view signed in, against canned API answers: `fetch` (which openapi-fetch calls) is replaced by a mock
 * answering by method and path, and every request it saw is kept for assertions.
 */
import type { ReactNode } from "react";
import { render } from "@testing-library/react";
import { QueryClientProvider } from "@tanstack/react-query";
import { vi } from "vitest";

import { makeQueryClient } from "../../App";
import { SessionProvider, type Me } from "../../session";

export type Answer = { status?: number; body: unknown };
export type Routes = Record<string, (body: unknown) => Answer>;

export interface Sent {
  method: string;
  path: string;
  body: unknown;
}

export function renderSignedIn(ui: ReactNode, routes: Routes, me: Me) {
  const sent: Sent[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const path = new URL(request.url).pathname;
    const text = request.method === "GET" ? "" : await request.text();
    const body = text === "" ? undefined : (JSON.parse(text) as unknown);
    sent.push({ method: request.method, path, body });
    const route = path === "/v1/me" ? (): Answer => ({ body: me }) : routes[`${request.method} ${path}`];
    const answer = route?.(body) ?? {
      status: 404,
      body: { type: "about:blank", title: "Not found", status: 404, detail: `no endpoint ${path}` },
    };
    const status = answer.status ?? 200;
    return new Response(JSON.stringify(answer.body), {
      status,
      headers: { "content-type": status < 300 ? "application/json" : "application/problem+json" },
    });
  });
  vi.stubGlobal("fetch", fetchMock);
  const view = render(
    <QueryClientProvider client={makeQueryClient()}>
      <SessionProvider token="tl_test" signOut={() => {}} pending={<p>signing in</p>} refused={() => <p>refused</p>}>
        {ui}
      </SessionProvider>
    </QueryClientProvider>,
  );
  return { ...view, sent };
}
