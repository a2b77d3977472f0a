/**
 * How a failing request fails: answer `errorStatus` (`"status"`), drop the connection
 * (`"reset"`), or never answer (`"hang"`).
 */
export type FaultKind = "status" | "reset" | "hang";

/** Every {@link FaultKind}, in the order the UI lists them. */
export const FAULT_KINDS: readonly FaultKind[] = Object.freeze(["status", "reset", "hang"]);

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
}

/** A change to an endpoint's fault model: any fields but the name. */
export type EndpointPatch = Partial<Omit<EndpointConfig, "name">>;

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

/**
 * A healthy endpoint: never fails, answers in 20 ± 10 ms. Its `errorStatus` and `fault`
 * only matter once someone raises `failureRate`; 503 is what a real overloaded upstream says.
 *
 * @param name - The endpoint's name.
 * @returns A new config object.
 */
export function defaultEndpoint(name: string): EndpointConfig {
  return { name, failureRate: 0, errorStatus: 503, latencyMs: 20, jitterMs: 10, fault: "status" };
}

/**
 * A copy of `config` with the fields of `patch` applied. Pure: `config` is not mutated.
 *
 * Does not validate (the API layer does, with its schema). Fields that are `undefined` on the
 * patch keep their current value, because a parsed optional field may be present but unset.
 * Keys other than the five fault fields are ignored, so the name never changes even when an
 * untyped caller slips one into the patch: the lab keys endpoints by name.
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
  };
}
