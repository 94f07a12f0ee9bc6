/**
 * Live updates from the service's event stream (`GET /v1/stream`, server-sent events). The browser's EventSource
 * cannot send the bearer token, so the stream is read with fetch and parsed with eventsource-parser. Each
 * notification is handed to `onNotification`, and every query is refreshed when the read model has indexed a new
 * step (`: indexed <block>`), so a write's effect or a tranche paid appears without a reload. A dropped stream is
 * resumed from the last event id after a pause.
 */
import { useEffect, useRef, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { EventSourceParserStream } from "eventsource-parser/stream";

export interface Notice {
  kind: string;
  id: string;
  data: Record<string, unknown>;
}

export type StreamState = "connecting" | "live" | "offline";

/** Refreshes are batched: at most one per this many milliseconds. */
const REFRESH_MS = 500;
const RETRY_MS = 3_000;

/**
 * `onUnauthorized` runs, with the service's words, when the service no longer knows the token (revoked): the stream
 * stops, and the page's data would otherwise stay as it was, unrefreshed.
 */
export function useLiveUpdates(
  token: string,
  onNotification: (notice: Notice) => void,
  onUnauthorized: (detail?: string) => void = () => {},
): StreamState {
  const queryClient = useQueryClient();
  const [state, setState] = useState<StreamState>("connecting");
  const notify = useRef(onNotification);
  notify.current = onNotification;
  const unauthorized = useRef(onUnauthorized);
  unauthorized.current = onUnauthorized;

  useEffect(() => {
    const abort = new AbortController();
    let lastEventId: string | undefined;
    let refreshTimer: ReturnType<typeof setTimeout> | undefined;
    const refresh = () => {
      refreshTimer ??= setTimeout(() => {
        refreshTimer = undefined;
        void queryClient.invalidateQueries({ predicate: (q) => q.queryKey[0] !== "me" });
      }, REFRESH_MS);
    };

    const connect = async () => {
      while (!abort.signal.aborted) {
        try {
          const headers: Record<string, string> = { Authorization: `Bearer ${token}`, Accept: "text/event-stream" };
          if (lastEventId !== undefined) headers["Last-Event-ID"] = lastEventId;
          const res = await fetch("/v1/stream", { headers, signal: abort.signal });
          if (res.status === 401) {
            const body = (await res.json().catch(() => ({}))) as { detail?: string };
            unauthorized.current(body.detail);
            return;
          }
          if (!res.ok || res.body === null) throw new Error(`stream answered ${res.status}`);
          const events = res.body.pipeThrough(new TextDecoderStream()).pipeThrough(
            new EventSourceParserStream({
              onComment: (comment) => {
                const text = comment.trim();
                if (text === "live") setState("live");
                else if (text.startsWith("indexed")) refresh();
              },
            }),
          );
          for await (const event of events as unknown as AsyncIterable<{ event?: string; id?: string; data: string }>) {
            if (event.id !== undefined) lastEventId = event.id;
            if (event.event === "reconnect") break;
            if (event.event === undefined) continue;
            // The notification (service/notifications.ts): the event's decoded arguments are its `data`.
            let data: Record<string, unknown> = {};
            try {
              data = ((JSON.parse(event.data) as { data?: Record<string, unknown> }).data ?? {}) as Record<
                string,
                unknown
              >;
            } catch {
              // A notification is JSON; anything else is ignored.
            }
            notify.current({ kind: event.event, id: event.id ?? "", data });
            refresh();
          }
        } catch {
          if (abort.signal.aborted) return;
        }
        setState("offline");
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        setState("connecting");
      }
    };
    void connect();
    return () => {
      abort.abort();
      if (refreshTimer !== undefined) clearTimeout(refreshTimer);
    };
  }, [token, queryClient]);

  return state;
}
