"use client";

import { useCallback, useEffect, useState } from "react";
import useSWR from "swr";
import type { DashboardState } from "@/lib/api/compact";
import { apiRequest } from "./api";
import { applyMessage, receiveDashboardState, type ClientLabState, type LiveMessage } from "./lab-state";

export const STATE_KEY = "/api/state?view=dashboard";
const EVENTS_URL = "/api/events?compact=1";

/** How the page is connected to the lab's live stream. */
export type Connection = "connecting" | "live" | "reconnecting" | "offline";

// After this long without the stream, the page says the server is unreachable and falls back to
// fetching the state now and then until the stream is back.
const OFFLINE_AFTER_MS = 4_000;
const FALLBACK_REFRESH_MS = 5_000;

async function fetchState(): Promise<ClientLabState> {
  const state = await apiRequest<DashboardState>(STATE_KEY);
  return receiveDashboardState(state, performance.now());
}

/**
 * The lab, live: the dashboard's view of `/api/state` as the fallback, one EventSource of the
 * compact stream carrying the lab's frames into SWR's cache. The server coalesces a burst of calls
 * into one frame (at most one per 50 ms, a transition at once), so each message is applied as it
 * comes: one render per frame. The browser's EventSource reconnects by itself; every
 * (re)connection starts with a snapshot, so the page resyncs without a reload (docs/architecture.md,
 * "The live stream").
 */
export function useLabState(initial: ClientLabState) {
  const [connection, setConnection] = useState<Connection>("connecting");
  const { data, mutate } = useSWR<ClientLabState>(STATE_KEY, fetchState, {
    fallbackData: initial,
    revalidateOnMount: false,
    revalidateOnFocus: false,
    revalidateIfStale: false,
    refreshInterval: connection === "offline" ? FALLBACK_REFRESH_MS : 0,
  });
  useEffect(() => {
    let source: EventSource | undefined;
    let offlineTimer: ReturnType<typeof setTimeout> | undefined;
    let reopenTimer: ReturnType<typeof setTimeout> | undefined;
    const apply = (event: LiveMessage["event"]) => (message: MessageEvent<string>) => {
      const live = { event, data: JSON.parse(message.data) } as LiveMessage;
      const receivedAt = performance.now();
      void mutate((current) => applyMessage(current ?? initial, live, receivedAt), { revalidate: false });
    };
    const open = () => {
      reopenTimer = undefined;
      const current = new EventSource(EVENTS_URL);
      source = current;
      current.addEventListener("snapshot", apply("snapshot"));
      current.addEventListener("frame", apply("frame"));
      current.onopen = () => {
        clearTimeout(offlineTimer);
        offlineTimer = undefined;
        setConnection("live");
      };
      // Never close() on an error: that would stop the browser's own reconnect. Only when the
      // browser has given up (a non-stream answer, say from a proxy) does the page open anew.
      current.onerror = () => {
        setConnection((state) => (state === "offline" ? state : "reconnecting"));
        offlineTimer ??= setTimeout(() => setConnection("offline"), OFFLINE_AFTER_MS);
        if (current.readyState === EventSource.CLOSED) reopenTimer ??= setTimeout(open, FALLBACK_REFRESH_MS);
      };
    };
    open();
    return () => {
      source?.close();
      clearTimeout(offlineTimer);
      clearTimeout(reopenTimer);
    };
  }, [initial, mutate]);

  const update = useCallback(
    (change: (state: ClientLabState) => ClientLabState) => void mutate((current) => change(current ?? initial), { revalidate: false }),
    [initial, mutate],
  );

  return { state: data ?? initial, connection, update };
}
