import type { BreakerMessage, Endpoint, LabBreaker, LabState, PlaybackBody, TimelineEntry } from "@/lib/api/types";

/** Entries the browser keeps, like the server. */
export const CLIENT_TIMELINE_CAPACITY = 10_000;

/**
 * The lab as the browser holds it: the server's state plus where the server's clock stood against
 * the browser's monotonic clock when it was received (`serverNow ≈ performance.now() + clockOffset`).
 */
export interface ClientLabState extends LabState {
  clockOffset: number;
}

export type LiveMessage =
  | { event: "snapshot"; data: LabState }
  | { event: "breaker"; data: BreakerMessage }
  | { event: "endpoint"; data: Endpoint }
  | { event: "playback"; data: PlaybackBody };

/** Take a full state from the server, received when the browser's monotonic clock read `receivedAt`. */
export function receiveState(state: LabState, receivedAt: number): ClientLabState {
  return { ...state, clockOffset: state.now - receivedAt };
}

/** The server's time now, estimated from the browser's monotonic clock. */
export function serverNow(state: ClientLabState, monotonicNow: number): number {
  return monotonicNow + state.clockOffset;
}

function withTimeline(timeline: TimelineEntry[], entries: TimelineEntry[]): TimelineEntry[] {
  const merged = timeline.concat(entries);
  return merged.length > CLIENT_TIMELINE_CAPACITY ? merged.slice(merged.length - CLIENT_TIMELINE_CAPACITY) : merged;
}

function replaceBreaker(breakers: LabBreaker[], next: LabBreaker): LabBreaker[] {
  return breakers.some((breaker) => breaker.name === next.name)
    ? breakers.map((breaker) => (breaker.name === next.name ? next : breaker))
    : breakers;
}

/**
 * Apply a batch of live messages in order. A snapshot replaces everything; a breaker event
 * replaces that breaker with the snapshot it carries and adds the timeline entry it carries; an endpoint
 * event replaces that endpoint. Pure, so that a burst of events costs one render.
 */
export function applyMessages(state: ClientLabState, messages: readonly LiveMessage[], receivedAt: number): ClientLabState {
  let next = state;
  let pendingEntries: TimelineEntry[] = [];
  const flushEntries = () => {
    if (pendingEntries.length > 0) next = { ...next, timeline: withTimeline(next.timeline, pendingEntries) };
    pendingEntries = [];
  };
  for (const message of messages) {
    switch (message.event) {
      case "snapshot":
        pendingEntries = [];
        next = receiveState(message.data, receivedAt);
        break;
      case "breaker":
        next = { ...next, breakers: replaceBreaker(next.breakers, message.data.snapshot) };
        pendingEntries.push(message.data.entry);
        break;
      case "endpoint":
        next = {
          ...next,
          endpoints: next.endpoints.map((endpoint) => (endpoint.name === message.data.name ? message.data : endpoint)),
        };
        break;
      case "playback":
        next = { ...next, playback: message.data.playing };
        break;
    }
  }
  flushEntries();
  return next;
}

/** Put a breaker the API just answered with into the state, without waiting for the stream. */
export function applyBreaker(state: ClientLabState, breaker: LabBreaker): ClientLabState {
  return { ...state, breakers: replaceBreaker(state.breakers, breaker) };
}

/** Put an endpoint the API just answered with into the state. */
export function applyEndpoint(state: ClientLabState, endpoint: Endpoint): ClientLabState {
  return { ...state, endpoints: state.endpoints.map((current) => (current.name === endpoint.name ? endpoint : current)) };
}

export type TransitionEntry = Extract<TimelineEntry, { kind: "transition" }>;

/**
 * The transitions later than `after`, oldest first. The scan starts at the newest entry and stops
 * at the first transition not later than `after`, so a render costs the entries since then.
 */
export function transitionsAfter(timeline: readonly TimelineEntry[], after: number): TransitionEntry[] {
  const found: TransitionEntry[] = [];
  for (let index = timeline.length - 1; index >= 0; index--) {
    const entry = timeline[index]!;
    if (entry.kind !== "transition") continue;
    if (entry.at <= after) break;
    found.push(entry);
  }
  return found.reverse();
}

/** When the newest transition happened; `-Infinity` when there is none. */
export function latestTransitionAt(timeline: readonly TimelineEntry[]): number {
  for (let index = timeline.length - 1; index >= 0; index--) {
    const entry = timeline[index]!;
    if (entry.kind === "transition") return entry.at;
  }
  return -Infinity;
}
