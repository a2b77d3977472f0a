/**
 * A circuit breaker for TypeScript: framework-free, zero dependencies, exact under concurrency
 * and time. Runs in Node, browsers and edge runtimes.
 *
 * @packageDocumentation
 */
export { CircuitBreaker } from "./circuit-breaker";
export { realClock } from "./clock";
export { ManualClock } from "./manual-clock";
export { CallTimeoutError, CircuitOpenError } from "./errors";
export type {
  BreakerEvent,
  BreakerOptions,
  BreakerSnapshot,
  BreakerState,
  BreakerTotals,
  Clock,
  CountWindowOptions,
  ExecuteOptions,
  FailureEvent,
  IgnoredEvent,
  LatencySummary,
  RejectedEvent,
  ResolvedOptions,
  SlidingWindowOptions,
  StateEvent,
  SuccessEvent,
  TimeWindowOptions,
  TransitionReason,
  TryResult,
} from "./types";
