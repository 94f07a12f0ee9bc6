/**
 * Component tests' wrapper for the trade views: the session (its `/v1/me`), a query client and a memory route,
 * over a `fetch` that answers from canned API answers (shaped as the OpenAPI schema says) and records each request.
 */
import type { ReactNode } from "react";
import { App as AntApp } from "antd";
import { QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import { vi } from "vitest";
import { Router } from "wouter";
import { memoryLocation } from "wouter/memory-location";

import { makeQueryClient } from "../../App";
import type { Schemas } from "../../api/client";
import { SessionProvider } from "../../session";

// jsdom lacks ResizeObserver, which antd's Select and Table observe with.
globalThis.ResizeObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
};

export interface Sent {
  method: string;
  path: string;
  body?: unknown;
}

/** Renders `ui` signed in as `me`, at `path`; `answers` maps "METHOD /path" (no query) to the JSON answered. */
export function renderSignedIn(ui: ReactNode, me: Schemas["Me"], answers: Record<string, unknown>, path = "/orders") {
  const sent: Sent[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(String(input), init);
    const url = new URL(request.url);
    const text = request.method === "GET" ? "" : await request.text();
    sent.push({ method: request.method, path: url.pathname, body: text === "" ? undefined : JSON.parse(text) });
    const key = `${request.method} ${url.pathname}`;
    const answer = key === "GET /v1/me" ? me : answers[key];
    if (answer === undefined) {
      return new Response(JSON.stringify({ type: "about:blank", title: "Not Found", status: 404, detail: key }), {
        status: 404,
        headers: { "content-type": "application/problem+json" },
      });
    }
    return new Response(JSON.stringify(answer), { status: 200, headers: { "content-type": "application/json" } });
  });
  vi.stubGlobal("fetch", fetchMock);
  const { hook } = memoryLocation({ path });
  render(
    <AntApp>
      <QueryClientProvider client={makeQueryClient()}>
        <SessionProvider token="tl_test" signOut={() => {}} pending={<p>pending</p>} refused={() => <p>refused</p>}>
          <Router hook={hook}>{ui}</Router>
        </SessionProvider>
      </QueryClientProvider>
    </AntApp>,
  );
  return { sent };
}
