import type { BreakerState } from "./types";

function openMessage(breaker: string, state: BreakerState, retryAfterMs: number | null): string {
  return retryAfterMs === null
    ? `Circuit breaker "${breaker}" is ${state}: call rejected`
    : `Circuit breaker "${breaker}" is ${state}: call rejected, retry after ${Math.ceil(retryAfterMs)} ms`;
}

/**
 * Thrown (or returned by `tryExecute`) when the breaker refuses a call: it is OPEN, FORCED_OPEN,
 * or HALF_OPEN with every trial slot taken. `fn` was not invoked.
 *
 * The breaker's own rejections carry no stack trace and build their message only when it is
 * read: rejection is the hot path of a failing system, a stack costs microseconds, and it would
 * only point into the breaker. `instanceof CircuitOpenError` and `instanceof Error` hold.
 */
export class CircuitOpenError extends Error {
  /** The breaker's name. */
  readonly breaker: string;
  /** The state that refused the call. */
  readonly state: BreakerState;
  /** Milliseconds until HALF_OPEN; `null` when FORCED_OPEN or when HALF_OPEN is full. */
  readonly retryAfterMs: number | null;

  constructor(breaker: string, state: BreakerState, retryAfterMs: number | null) {
    super(openMessage(breaker, state, retryAfterMs));
    this.breaker = breaker;
    this.state = state;
    this.retryAfterMs = retryAfterMs;
  }
}

// Set on the prototype, not per instance, so that the breaker's fast rejections have it too.
Object.defineProperty(CircuitOpenError.prototype, "name", { value: "CircuitOpenError", writable: true, configurable: true });

interface FastRejection {
  breaker: string;
  state: BreakerState;
  retryAfterMs: number | null;
}

const fastRejectionPrototype: object = Object.create(CircuitOpenError.prototype, {
  message: {
    get(this: FastRejection) {
      return openMessage(this.breaker, this.state, this.retryAfterMs);
    },
    set(this: object, value: unknown) {
      Object.defineProperty(this, "message", { value, writable: true, configurable: true });
    },
    configurable: true,
  },
  stack: {
    get(this: Error) {
      return `${this.name}: ${this.message}\n    at the circuit breaker (rejected without calling; no stack trace is captured)`;
    },
    set(this: object, value: unknown) {
      Object.defineProperty(this, "stack", { value, writable: true, configurable: true });
    },
    configurable: true,
  },
});

/**
 * A CircuitOpenError made without capturing a stack or building a message: ten nanoseconds
 * instead of several hundred. Its `message` and `stack` are computed when read.
 */
export function rejection(breaker: string, state: BreakerState, retryAfterMs: number | null): CircuitOpenError {
  const error = Object.create(fastRejectionPrototype) as FastRejection;
  error.breaker = breaker;
  error.state = state;
  error.retryAfterMs = retryAfterMs;
  return error as CircuitOpenError;
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
