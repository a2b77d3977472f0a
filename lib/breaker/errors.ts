import type { BreakerState } from "./types";

/**
 * Thrown (or returned by `tryExecute`) when the breaker refuses a call: it is OPEN, FORCED_OPEN,
 * or HALF_OPEN with every trial slot taken. `fn` was not invoked.
 *
 * It carries no stack trace: rejection is the hot path of a failing system, capturing a stack
 * costs several microseconds, and the stack would only point into the breaker.
 */
export class CircuitOpenError extends Error {
  override readonly name = "CircuitOpenError";
  /** The breaker's name. */
  readonly breaker: string;
  /** The state that refused the call. */
  readonly state: BreakerState;
  /** Milliseconds until HALF_OPEN; `null` when FORCED_OPEN or when HALF_OPEN is full. */
  readonly retryAfterMs: number | null;

  constructor(breaker: string, state: BreakerState, retryAfterMs: number | null) {
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(
      retryAfterMs === null
        ? `Circuit breaker "${breaker}" is ${state}: call rejected`
        : `Circuit breaker "${breaker}" is ${state}: call rejected, retry after ${Math.ceil(retryAfterMs)} ms`,
    );
    Error.stackTraceLimit = stackTraceLimit;
    this.breaker = breaker;
    this.state = state;
    this.retryAfterMs = retryAfterMs;
  }
}

/** A call ran longer than the breaker's `timeoutMs`; the signal `fn` received was aborted with it. */
export class CallTimeoutError extends Error {
  override readonly name = "CallTimeoutError";
  /** The breaker's name. */
  readonly breaker: string;
  /** The limit that was exceeded. */
  readonly timeoutMs: number;

  constructor(breaker: string, timeoutMs: number) {
    super(`Call through circuit breaker "${breaker}" timed out after ${timeoutMs} ms`);
    this.breaker = breaker;
    this.timeoutMs = timeoutMs;
  }
}
