/**
 * A circuit breaker for TypeScript: framework-free, zero dependencies, exact under concurrency
 * and time. Runs in Node, browsers and edge runtimes.
 *
 * @packageDocumentation
 */
export { CircuitBreaker } from "./circuit-breaker";
export { realClock } from "./clock";
export { BreakerRegistry } from "./registry";
export type { BreakerRegistryOptions, RegistryBreakerOptions, RegistryEvent } from "./registry";
export { ManualClock } from "./manual-clock";
export { CallTimeoutError, CircuitOpenError } from "./errors";
export type { OptionError } from "./validation";
export type {
  AdoptedState,
  BreakerEvent,
  BreakerOptions,
  BreakerSnapshot,
  BreakerState,
  BreakerTotals,
  CallPermit,
  Clock,
  CountWindowOptions,
  ExecuteOptions,
  FailureEvent,
  HalfOpenPolicy,
  IgnoredEvent,
  LatencySummary,
  PersistedLatency,
  PersistedState,
  PersistedTimeGroup,
  PersistedWindow,
  RejectedEvent,
  ResolvedOptions,
  SlidingWindowOptions,
  StateEvent,
  SuccessEvent,
  TimeWindowOptions,
  TransitionReason,
  TrialAdmission,
  TrialCounts,
  TrialGate,
  TrialRequest,
  TrialTicket,
  TryResult,
} from "./types";
