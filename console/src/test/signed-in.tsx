/**
 * The component tests' one way to render a view signed in: `fetch` (which openapi-fetch calls) is replaced by a mock
 * that answers `GET /v1/me` with the given `me` and each `"METHOD /path"` (no query) of `routes` with its canned
 * answer, and a path without one with a 404 problem; every request sent is kept for assertions. The view is drawn
 * inside antd's App, a query client as the console's, the session, and a memory route at `path` (the hash's path in
 * the console). Each test file's `afterEach` (setup.ts) puts the real `fetch` back.
 */
import type { ReactNode } from "react";
import { App as AntApp } from "antd";
import { QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import { vi } from "vitest";
import { Router } from "wouter";
import { memoryLocation } from "wouter/memory-location";

import { makeQueryClient } from "../App";
import { SessionProvider, type Me } from "../session";

/** A request the view sent: `body` is parsed when it was JSON, the text otherwise, undefined when empty. */
export interface Sent {
  method: string;
  path: string;
  /** The query string's parameters. */
  query: URLSearchParams;
  headers: Headers;
  body: unknown;
}

/** What a route answers: JSON with `status` (200 unless said; 400 and above as a problem). */
export interface Answer {
  status?: number;
  body: unknown;
}

/** A route's canned answer: a JSON body answered with 200, or a function of the request giving an `Answer`. */
export type Route = ((sent: Sent) => Answer) | object | string | number | boolean | null;

export interface SignedIn {
  /** Who `GET /v1/me` says is signed in. */
  me: Me;
  /** Canned answers by `"METHOD /path"`, e.g. `"POST /v1/trade/orders"`. */
  routes?: Record<string, Route>;
  /** Where the view is, as the console's hash path (default `/`). */
  path?: string;
}

export function renderSignedIn(ui: ReactNode, { me, routes = {}, path = "/" }: SignedIn) {
  const sent: Sent[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(String(input), init);
    const text = await request.text();
    const json = /json/.test(request.headers.get("content-type") ?? "");
    const one: Sent = {
      method: request.method,
      path: new URL(request.url).pathname,
      query: new URL(request.url).searchParams,
      headers: request.headers,
      body: text === "" ? undefined : json ? (JSON.parse(text) as unknown) : text,
    };
    sent.push(one);
    const key = `${one.method} ${one.path}`;
    const route = key === "GET /v1/me" ? me : routes[key];
    const answer: Answer =
      route === undefined
        ? { status: 404, body: { type: "about:blank", title: "Not Found", status: 404, detail: `no canned ${key}` } }
        : typeof route === "function"
          ? route(one)
          : { body: route };
    const status = answer.status ?? 200;
    return new Response(JSON.stringify(answer.body), {
      status,
      headers: { "content-type": status >= 400 ? "application/problem+json" : "application/json" },
    });
  });
  vi.stubGlobal("fetch", fetchMock);
  const { hook } = memoryLocation({ path });
  const view = render(
    <AntApp>
      <QueryClientProvider client={makeQueryClient()}>
        <SessionProvider token="tl_test" signOut={() => {}} pending={<p>signing in</p>} refused={() => <p>refused</p>}>
          <Router hook={hook}>{ui}</Router>
        </SessionProvider>
      </QueryClientProvider>
    </AntApp>,
  );
  /** The requests that would change something: all but GETs. */
  const writes = () => sent.filter((s) => s.method !== "GET");
  return { ...view, sent, writes };
}
