import type { BreakerEvent, BreakerSnapshot, BreakerState } from "@/lib/breaker";
import type { INTERNAL_ERROR_CODE, LabErrorCode } from "./errors";
import type { EndpointConfig, Scenario } from "@/lib/simulator";

/** A breaker as the lab shows it: the library's snapshot plus the endpoint it protects. */
export type LabBreaker = BreakerSnapshot & { endpoint: string };

/** A mock endpoint: its fault model. */
export type Endpoint = EndpointConfig;

/** How one fired call ended, as the calls route and the timeline name it. */
export type CallOutcome = "success" | "failure" | "timeout" | "rejected" | "ignored";

export type TimelineEntry =
  | { at: number; breaker: string; kind: "transition"; from: BreakerState; to: BreakerState; reason: string }
  | { at: number; breaker: string; kind: "call"; outcome: CallOutcome; durationMs: number; status?: number };

/** The scenario playing now. Times are epoch ms. */
export interface PlaybackStatus {
  /** The scenario's name (an inline one's too). */
  scenario: string;
  /** The phase in force, 0-based. */
  phase: number;
  /** The start of the current pass. */
  startedAt: number;
  phaseEndsAt: number;
  /** The end of the playback; `null` when the scenario loops. */
  endsAt: number | null;
}

/** `GET /api/playback`, and the `playback` event of `/api/events`. */
export interface PlaybackBody {
  playing: PlaybackStatus | null;
}

/** What one mock endpoint received since the lab's last reset. */
export interface EndpointTraffic {
  /** Requests received. */
  requests: number;
  /** Requests being answered (or hanging) now. */
  inFlight: number;
  /** Requests answered 503 at once because `capacity` were in flight. */
  overloaded: number;
}

/** `GET /api/traffic`: endpoint name → its traffic. */
export interface TrafficBody {
  endpoints: Record<string, EndpointTraffic>;
}

/** `GET /api/scenarios`: the presets first, then the saved ones. */
export interface ScenarioList {
  scenarios: Scenario[];
}

/** The instance that answers: its id, where it keeps its shared state, and whether that store is reachable. */
export interface InstanceInfo {
  id: string;
  store: "memory" | "redis";
  /** Always true in memory; false while Redis is down (the instance then runs on local state). */
  storeUp: boolean;
}

/** An instance of the fleet heard from in the last 10 s (`seenAt`: epoch ms). */
export interface FleetMember {
  id: string;
  seenAt: number;
}

/** `GET /api/state`, and the `snapshot` event of `/api/events`. */
export interface LabState {
  now: number;
  breakers: LabBreaker[];
  endpoints: Endpoint[];
  timeline: TimelineEntry[];
  playback: PlaybackStatus | null;
  instance: InstanceInfo;
  /** The fleet, this instance included. */
  instances: FleetMember[];
}

/** One attempt of a fired call: one call through the breaker. */
export interface CallAttempt {
  outcome: CallOutcome;
  status?: number;
  durationMs: number;
  error?: string;
}

/**
 * One result of `POST /api/breakers/{name}/calls`: the last attempt's outcome, the time from the
 * first attempt's start to the last one's end (retry delays included), and every attempt.
 */
export interface CallResult extends CallAttempt {
  attempts: CallAttempt[];
}

export interface FireCallsResponse {
  results: CallResult[];
  snapshot: LabBreaker;
}

/** An error inside an event, as JSON can carry it. */
export interface SerializedError {
  name: string;
  message: string;
}

/** A breaker event on the wire: the library's event with its `error` serialised. */
export type WireBreakerEvent = {
  [K in BreakerEvent["type"]]: Extract<BreakerEvent, { type: K }> extends infer E
    ? E extends { error: unknown }
      ? Omit<E, "error"> & { error: SerializedError }
      : E
    : never;
}[BreakerEvent["type"]];

/**
 * A `breaker` message of the live stream: the event, the breaker's snapshot after it, and the
 * timeline entry the lab recorded for it (with the call's HTTP status, which the event lacks).
 */
export type BreakerMessage = WireBreakerEvent & {
  snapshot: LabBreaker;
  entry: TimelineEntry;
  /** On a state event: the instance whose breaker decided it (another one's for reason `adopted`). */
  origin?: string;
};

/** The body of every error response. */
export interface ApiErrorBody {
  error: { code: LabErrorCode | typeof INTERNAL_ERROR_CODE; message: string; field?: string };
}
