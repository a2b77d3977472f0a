import { MAX_LATENCY_MS, type EndpointConfig } from "./endpoint";
import type { RandomSource } from "./random";

/**
 * What the mock endpoint does with one request. Every kind but `"overload"` and `"slow-body"`
 * waits `delayMs` first; then `"ok"` answers 200, `"status"` answers `status` (the endpoint's
 * `errorStatus`), `"reset"` drops the connection, `"hang"` starts hanging (the server bounds the
 * hang at `HANG_LIMIT_MS`) and `"malformed"` answers 200 with a body that is not JSON.
 * `"slow-body"` answers 200 at once and spends `delayMs` sending its body; `"overload"` answers
 * 503 at once. `retryAfterS` is the `Retry-After` header of a failure status (`null`: none).
 */
export type MockOutcome =
  | { kind: "ok"; status: 200; delayMs: number }
  | { kind: "status"; status: number; delayMs: number; retryAfterS: number | null }
  | { kind: "reset"; delayMs: number }
  | { kind: "hang"; delayMs: number }
  | { kind: "slow-body"; status: 200; delayMs: number }
  | { kind: "malformed"; status: 200; delayMs: number }
  | { kind: "overload"; status: 503; delayMs: 0; retryAfterS: number | null };

/** Every {@link MockOutcome} kind: the `result` label of the mock's request counter. */
export type MockOutcomeKind = MockOutcome["kind"];

/**
 * Decides how the endpoint answers one request.
 *
 * Draws exactly two numbers from `random`, always in this order, whatever the config and the
 * load:
 * 1. the failure draw: the request fails when it is `< failureRate`, so a rate of 0 never
 *    fails and 1 always fails;
 * 2. the latency draw `r`: the delay is `latencyMs + (2r - 1) * jitterMs`, uniform in
 *    `[latencyMs - jitterMs, latencyMs + jitterMs)`, clamped to `[0, MAX_LATENCY_MS]`.
 *
 * A fixed number of draws keeps a seeded sequence reproducible even when the config or the load
 * changes between requests: request n always consumes draws 2n and 2n + 1. An overloaded request
 * (one arriving while `capacity` requests are in flight) draws too, then answers 503 at once.
 *
 * @param config - The endpoint's fault model.
 * @param random - Where the randomness comes from (`Math.random`, or a seeded source).
 * @param inFlight - Requests of this endpoint in flight when this one arrives (not counting it).
 * @returns The outcome; for `"hang"`, `delayMs` is the time before the hang starts.
 */
export function decideOutcome(config: EndpointConfig, random: RandomSource, inFlight = 0): MockOutcome {
  const failed = random() < config.failureRate;
  const delayMs = clampDelay(config.latencyMs + (2 * random() - 1) * config.jitterMs);
  if (config.capacity !== null && inFlight >= config.capacity) {
    return { kind: "overload", status: 503, delayMs: 0, retryAfterS: config.retryAfterS };
  }
  if (!failed) return { kind: "ok", status: 200, delayMs };
  switch (config.fault) {
    case "status":
      return { kind: "status", status: config.errorStatus, delayMs, retryAfterS: config.retryAfterS };
    case "reset":
      return { kind: "reset", delayMs };
    case "hang":
      return { kind: "hang", delayMs };
    case "slow-body":
      return { kind: "slow-body", status: 200, delayMs };
    case "malformed":
      return { kind: "malformed", status: 200, delayMs };
    default:
      // Unreachable for a typed config; a JS caller's typo must not pass as a silent success.
      throw new TypeError(`unknown fault kind: ${String(config.fault satisfies never)}`);
  }
}

/** A delay a timer can use: a config that slipped past validation must not yield NaN or a negative wait. */
function clampDelay(ms: number): number {
  if (Number.isNaN(ms)) return 0;
  return Math.min(Math.max(ms, 0), MAX_LATENCY_MS);
}
