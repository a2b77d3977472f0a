import { decodeTimeline, type CompactFrame, type DashboardState } from "@/lib/api/compact";
import type { Endpoint, LabBreaker, LabState, TimelineEntry } from "@/lib/api/types";

/** Entries the browser keeps, like the server. */
export const CLIENT_TIMELINE_CAPACITY = 10_000;

/**
 * The lab as the browser holds it: the server's state plus where the server's clock stood against
 * the browser's monotonic clock when it was received (`serverNow ≈ performance.now() + clockOffset`).
 */
export interface ClientLabState extends LabState {
  clockOffset: number;
}

export type LiveMessage = { event: "snapshot"; data: DashboardState } | { event: "frame"; data: CompactFrame };

/** Take a full state from the server, received when the browser's monotonic clock read `receivedAt`. */
export function receiveState(state: LabState, receivedAt: number): ClientLabState {
  return { ...state, clockOffset: state.now - receivedAt };
}

/** Take the dashboard's view of the lab (`/api/state?view=dashboard`, the compact stream's snapshot). */
export function receiveDashboardState({ timeline, ...state }: DashboardState, receivedAt: number): ClientLabState {
  return { ...state, timeline: decodeTimeline(timeline), clockOffset: state.now - receivedAt };
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

function applyFrame(state: ClientLabState, frame: CompactFrame): ClientLabState {
  const changed = Object.keys(frame.breakers).length > 0;
  const entries = frame.timeline.entries.length > 0 ? decodeTimeline(frame.timeline) : [];
  const endpoints = frame.endpoints ? new Map(frame.endpoints.map((endpoint) => [endpoint.name, endpoint])) : undefined;
  return {
    ...state,
    breakers: changed ? state.breakers.map((breaker) => (frame.breakers[breaker.name] ? { ...breaker, ...frame.breakers[breaker.name] } : breaker)) : state.breakers,
    timeline: entries.length > 0 ? withTimeline(state.timeline, entries) : state.timeline,
    endpoints: endpoints ? state.endpoints.map((endpoint) => endpoints.get(endpoint.name) ?? endpoint) : state.endpoints,
    playback: frame.playback === undefined ? state.playback : frame.playback,
  };
}

/**
 * Apply one message of the compact stream: a snapshot replaces everything; a frame changes the
 * fields of the breakers it names, adds its timeline entries, and replaces the endpoints and the
 * playback it carries. Pure: SWR's cache holds the result.
 */
export function applyMessage(state: ClientLabState, message: LiveMessage, receivedAt: number): ClientLabState {
  return message.event === "snapshot" ? receiveDashboardState(message.data, receivedAt) : applyFrame(state, message.data);
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
