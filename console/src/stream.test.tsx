import { afterEach, describe, expect, it, vi } from "vitest";
import { render } from "@testing-library/react";
import { QueryClientProvider } from "@tanstack/react-query";

import { makeQueryClient } from "./App";
import { useLiveUpdates } from "./stream";

function Probe({ onUnauthorized }: { onUnauthorized: (detail?: string) => void }) {
  const state = useLiveUpdates("tl_revoked", () => {}, onUnauthorized);
  return <p>{state}</p>;
}

describe("useLiveUpdates", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("test_stream_revokedToken_signsOutWithTheServicesWords_andStopsAsking", async () => {
    const fetchMock = vi.fn(
      async () =>
        new Response(
          JSON.stringify({ status: 401, title: "Not signed in", detail: "this token is unknown or revoked" }),
          {
            status: 401,
            headers: { "content-type": "application/problem+json" },
          },
        ),
    );
    vi.stubGlobal("fetch", fetchMock);
    const onUnauthorized = vi.fn();
    render(
      <QueryClientProvider client={makeQueryClient()}>
        <Probe onUnauthorized={onUnauthorized} />
      </QueryClientProvider>,
    );
    await vi.waitFor(() => expect(onUnauthorized).toHaveBeenCalledWith("this token is unknown or revoked"));
    // No retry loop against a token the service refuses.
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });
});
