"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import useSWR from "swr";
import type { LabState } from "@/lib/api/types";
import { apiRequest } from "./api";
import { applyMessages, receiveState, type ClientLabState, type LiveMessage } from "./lab-state";

export const STATE_KEY = "/api/state";
const EVENTS_URL = "/api/events";

/** How the page is connected to the lab's live stream. */
export type Connection = "connecting" | "live" | "reconnecting" | "offline";

// After this long without the stream, the page says the server is unreachable and falls back to
// fetching the state now and then until the stream is back.
const OFFLINE_AFTER_MS = 4_000;
const FALLBACK_REFRESH_MS = 5_000;
// Events are applied in batches so that a burst of calls costs one render, not one per event.
const BATCH_MS = 25;

async function fetchState(): Promise<ClientLabState> {
  const state = await apiRequest<LabState>(STATE_KEY);
  return receiveState(state, performance.now());
}

/**
 * The lab, live: `/api/state` for the first render and as the fallback, one EventSource carrying
 * every breaker's events into SWR's cache. The browser's EventSource reconnects by itself; every
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
  const queue = useRef<LiveMessage[]>([]);

  useEffect(() => {
    let source: EventSource | undefined;
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    let offlineTimer: ReturnType<typeof setTimeout> | undefined;
    let reopenTimer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      flushTimer = undefined;
      const messages = queue.current;
      queue.current = [];
      const receivedAt = performance.now();
      void mutate((current) => applyMessages(current ?? initial, messages, receivedAt), { revalidate: false });
    };
    const enqueue = (event: LiveMessage["event"]) => (message: MessageEvent<string>) => {
      queue.current.push({ event, data: JSON.parse(message.data) } as LiveMessage);
      // A snapshot replaces everything: apply it at once, it is what a reconnect waits for.
      if (event === "snapshot") flush();
      else flushTimer ??= setTimeout(flush, BATCH_MS);
    };
    const open = () => {
      reopenTimer = undefined;
      const current = new EventSource(EVENTS_URL);
      source = current;
      current.addEventListener("snapshot", enqueue("snapshot"));
      current.addEventListener("breaker", enqueue("breaker"));
      current.addEventListener("endpoint", enqueue("endpoint"));
      current.addEventListener("playback", enqueue("playback"));
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
      clearTimeout(flushTimer);
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
