import { afterEach, describe, expect, it, vi } from "vitest";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { QueryClientProvider } from "@tanstack/react-query";

import { makeQueryClient } from "../App";
import { ApiError } from "../api/client";
import { CsvExportButton, useWrite } from "./kit";

describe("CsvExportButton", () => {
  const original = { create: URL.createObjectURL, revoke: URL.revokeObjectURL };
  afterEach(() => {
    URL.createObjectURL = original.create;
    URL.revokeObjectURL = original.revoke;
  });

  it("test_csvExport_formulaCellsWrittenAsText_numbersAndQuotingKept", async () => {
    const blobs: Blob[] = [];
    URL.createObjectURL = vi.fn((blob: Blob) => {
      blobs.push(blob);
      return "blob:test";
    });
    URL.revokeObjectURL = vi.fn();
    const rows = [
      { reason: '=HYPERLINK("http://evil.example","open")', amount: "-12.50" },
      { reason: "@SUM(A1:A9)", amount: "3" },
      { reason: "late, then paid", amount: "0" },
    ];
    render(
      <CsvExportButton
        rows={rows}
        columns={[
          { title: "Reason", value: (r) => r.reason },
          { title: "Amount", value: (r) => r.amount },
        ]}
        filename="t.csv"
      />,
    );
    await userEvent.click(screen.getByRole("button", { name: /Export CSV/ }));
    expect(blobs).toHaveLength(1);
    expect((await blobs[0].text()).trim().split("\n")).toEqual([
      "Reason,Amount",
      `"'=HYPERLINK(""http://evil.example"",""open"")",-12.50`,
      "'@SUM(A1:A9),3",
      '"late, then paid",0',
    ]);
  });
});

describe("useWrite", () => {
  function Probe({ send }: { send: (v: number, key: string) => Promise<string> }) {
    const write = useWrite(send);
    return (
      <button type="button" onClick={() => write.mutate(1, { onError: () => {} })}>
        send
      </button>
    );
  }
  const problem = (status: number) => new ApiError({ type: "x", title: "t", status, detail: `answered ${status}` });

  it("test_useWrite_refusal_nextSubmitIsANewWrite_butAnUnknownOutcomeKeepsItsKey", async () => {
    const keys: string[] = [];
    // Refused (422), then in flight (409), then a network failure (0), then refused as input (400).
    const answers = [422, 409, 0, 400];
    const send = vi.fn(async (_v: number, key: string) => {
      keys.push(key);
      throw problem(answers[keys.length - 1]);
    });
    render(
      <QueryClientProvider client={makeQueryClient()}>
        <Probe send={send} />
      </QueryClientProvider>,
    );
    for (let i = 0; i < 5; i++) {
      answers.push(422);
      await userEvent.click(screen.getByRole("button", { name: "send" }));
      await vi.waitFor(() => expect(send).toHaveBeenCalledTimes(i + 1));
    }
    // After the 422: a new key. After the 409 and the network failure: the same key again. After the 400: new.
    expect(keys[1]).not.toBe(keys[0]);
    expect(keys[2]).toBe(keys[1]);
    expect(keys[3]).toBe(keys[2]);
    expect(keys[4]).not.toBe(keys[3]);
  });
});
