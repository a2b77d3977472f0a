/**
 * How a failing request fails: answer `errorStatus` (`"status"`), drop the connection
 * (`"reset"`), never answer (`"hang"`), answer 200 at once and trickle the body over the latency
 * (`"slow-body"`), or answer 200 with a body that is not JSON (`"malformed"`).
 */
export type FaultKind = "status" | "reset" | "hang" | "slow-body" | "malformed";

/** Every {@link FaultKind}, in the order the UI lists them. */
export const FAULT_KINDS: readonly FaultKind[] = Object.freeze(["status", "reset", "hang", "slow-body", "malformed"]);

/** The fault model of one mock upstream endpoint. */
export interface EndpointConfig {
  /** The endpoint's name, `[a-z0-9-]{1,40}`; fixed for the endpoint's life. */
  name: string;
  /** Probability in [0, 1] that a request fails: 0 = always up, 1 = always down. */
  failureRate: number;
  /** The status a failure answers when `fault` is `"status"`, in 500..599. */
  errorStatus: number;
  /** Mean time every request waits before answering (or failing), ms. */
  latencyMs: number;
  /** Half-width of the uniform spread around `latencyMs`, ms. */
  jitterMs: number;
  /** How a failing request fails. */
  fault: FaultKind;
  /**
   * Requests the endpoint answers at once; one arriving while this many are in flight is
   * overloaded and answers 503 at once. `null`: no limit.
   */
  capacity: number | null;
  /** Seconds a failure status (and an overload 503) asks the client to wait, as `Retry-After`; `null`: no header. */
  retryAfterS: number | null;
}

/** A change to an endpoint's fault model: any fields but the name; `null` clears `capacity` or `retryAfterS`. */
export type EndpointPatch = Partial<Omit<EndpointConfig, "name">>;

/** The fields of a fault model, in the order they are listed and compared. */
export const ENDPOINT_FIELDS: readonly (keyof EndpointPatch)[] = Object.freeze([
  "failureRate",
  "errorStatus",
  "latencyMs",
  "jitterMs",
  "fault",
  "capacity",
  "retryAfterS",
]);

/** The longest delay a request waits before answering, ms; longer delays are cut to this. */
export const MAX_LATENCY_MS = 60_000;

/** The largest jitter the lab accepts, ms. */
export const MAX_JITTER_MS = 60_000;

/** How long the server lets a hanging request hang before it gives up (answers 504), ms. */
export const HANG_LIMIT_MS = 60_000;

/** The lowest `errorStatus` allowed: failures are server errors. */
export const MIN_ERROR_STATUS = 500;

/** The highest `errorStatus` allowed. */
export const MAX_ERROR_STATUS = 599;

/** The largest `capacity` the lab accepts. */
export const MAX_CAPACITY = 10_000;

/** The largest `retryAfterS` the lab accepts. */
export const MAX_RETRY_AFTER_S = 3_600;

/**
 * A healthy endpoint: never fails, answers in 20 ± 10 ms. Its `errorStatus` and `fault`
 * only matter once someone raises `failureRate`; 503 is what a real overloaded upstream says.
 *
 * @param name - The endpoint's name.
 * @returns A new config object.
 */
export function defaultEndpoint(name: string): EndpointConfig {
  return { name, failureRate: 0, errorStatus: 503, latencyMs: 20, jitterMs: 10, fault: "status", capacity: null, retryAfterS: null };
}

/**
 * A copy of `config` with the fields of `patch` applied. Pure: `config` is not mutated.
 *
 * Does not validate (the API layer does, with its schema). Fields that are `undefined` on the
 * patch keep their current value, because a parsed optional field may be present but unset;
 * `null` is a value (it clears `capacity` and `retryAfterS`). Keys other than the fault fields
 * are ignored, so the name never changes even when an untyped caller slips one into the patch:
 * the lab keys endpoints by name.
 *
 * @param config - The current fault model.
 * @param patch - The fields to change.
 * @returns A new config object.
 */
export function applyEndpointPatch(config: EndpointConfig, patch: EndpointPatch): EndpointConfig {
  return {
    name: config.name,
    failureRate: patch.failureRate ?? config.failureRate,
    errorStatus: patch.errorStatus ?? config.errorStatus,
    latencyMs: patch.latencyMs ?? config.latencyMs,
    jitterMs: patch.jitterMs ?? config.jitterMs,
    fault: patch.fault ?? config.fault,
    capacity: patch.capacity === undefined ? config.capacity : patch.capacity,
    retryAfterS: patch.retryAfterS === undefined ? config.retryAfterS : patch.retryAfterS,
  };
}

/**
 * The fields in which `after` differs from `before`: the patch that turns one into the other.
 *
 * @param before - The model before a change.
 * @param after - The model after it.
 * @returns Only the changed fields; empty when nothing changed.
 */
export function diffEndpoints(before: EndpointConfig, after: EndpointConfig): EndpointPatch {
  const patch: Record<string, unknown> = {};
  for (const field of ENDPOINT_FIELDS) {
    if (before[field] !== after[field]) patch[field] = after[field];
  }
  return patch as EndpointPatch;
}

/**
 * The whole fault model as a patch (every field but the name): applied to any model, it gives
 * this one.
 *
 * @param config - The model.
 * @returns A new patch object.
 */
export function fullPatch(config: EndpointConfig): Required<EndpointPatch> {
  const { failureRate, errorStatus, latencyMs, jitterMs, fault, capacity, retryAfterS } = config;
  return { failureRate, errorStatus, latencyMs, jitterMs, fault, capacity, retryAfterS };
}
