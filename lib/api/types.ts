import type { BreakerEvent, BreakerSnapshot, BreakerState } from "@/lib/breaker";
import type { EndpointConfig } from "@/lib/simulator";

/** A breaker as the lab shows it: the library's snapshot plus the endpoint it protects. */
export type LabBreaker = BreakerSnapshot & { endpoint: string };

/** A mock endpoint: its fault model. */
export type Endpoint = EndpointConfig;

/** How one fired call ended, as the calls route and the timeline name it. */
export type CallOutcome = "success" | "failure" | "timeout" | "rejected" | "ignored";

export type TimelineEntry =
  | { at: number; breaker: string; kind: "transition"; from: BreakerState; to: BreakerState; reason: string }
  | { at: number; breaker: string; kind: "call"; outcome: CallOutcome; durationMs: number; status?: number };

/** `GET /api/state`, and the `snapshot` event of `/api/events`. */
export interface LabState {
  now: number;
  breakers: LabBreaker[];
  endpoints: Endpoint[];
  timeline: TimelineEntry[];
}

/** One result of `POST /api/breakers/{name}/calls`. */
export interface CallResult {
  outcome: CallOutcome;
  status?: number;
  durationMs: number;
  error?: string;
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

/** The body of every error response. */
export interface ApiErrorBody {
  error: { code: string; message: string; field?: string };
}
