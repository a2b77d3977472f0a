import type { ResolvedOptions } from "./options";

export type { ResolvedOptions };

/**
 * The five states of a breaker.
 *
 * - `CLOSED`: calls run; failures are counted and may trip the breaker.
 * - `OPEN`: calls are rejected at once until the open period ends.
 * - `HALF_OPEN`: a few trial calls run; they decide between `CLOSED` and `OPEN`.
 * - `FORCED_OPEN`: set by {@link CircuitBreaker.forceOpen}; every call is rejected until `reset()`.
 * - `DISABLED`: set by {@link CircuitBreaker.disable}; every call runs, outcomes are counted, the
 *   breaker never trips.
 */
export type BreakerState = "CLOSED" | "OPEN" | "HALF_OPEN" | "FORCED_OPEN" | "DISABLED";

/** Why a breaker changed state, carried by every `state` event. */
export type TransitionReason =
  | "failure-threshold"
  | "failure-rate"
  | "slow-call-rate"
  | "open-elapsed"
  | "trial-failed"
  | "trial-succeeded"
  | "half-open-timeout"
  | "reset"
  | "force-open"
  | "disable"
  | "adopted";

/**
 * The source of time and timers. `now()` returns epoch milliseconds (fractions allowed) and must
 * never run backwards. Tests inject a fake one to control time exactly.
 */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The last `size` calls. */
export interface CountWindowOptions {
  type: "count";
  size: number;
}

/** The calls that settled within the last `ms` milliseconds. */
export interface TimeWindowOptions {
  type: "time";
  ms: number;
}

/** A sliding window: when set, the breaker trips on failure and slow-call rates. */
export type SlidingWindowOptions = CountWindowOptions | TimeWindowOptions;

/**
 * How HALF_OPEN judges its trials. `"any-failure"`: one failed trial reopens, `successThreshold`
 * successful ones close. `"rates"` (Resilience4j's rule): once `successThreshold` trials have
 * settled, the breaker reopens if their failure rate reaches `failureRateThreshold` or (with
 * `slowCallMs`) their slow-call rate reaches `slowCallRateThreshold`, and closes otherwise.
 */
export type HalfOpenPolicy = "any-failure" | "rates";

/** A latency histogram as persisted: its exact sum and its non-empty buckets as `[index, count]`. */
export interface PersistedLatency {
  sum: number;
  buckets: [bucket: number, count: number][];
}

/** A time window's calls that settled within one stretch of `ms / 1024`, stamped (epoch ms) by the first. */
export interface PersistedTimeGroup {
  at: number;
  calls: number;
  failures: number;
  slowCalls: number;
  latency: PersistedLatency;
}

/** The contents of a breaker's window, by window type (`"none"`: consecutive mode, since the last close). */
export type PersistedWindow =
  | { type: "none"; calls: number; failures: number; slowCalls: number; latency: PersistedLatency }
  | { type: "count"; size: number; calls: [failed: 0 | 1, slow: 0 | 1, durationMs: number | null][] }
  | { type: "time"; ms: number; groups: PersistedTimeGroup[] };

/**
 * What {@link CircuitBreaker.exportState} returns and the `initialState` option restores: plain
 * JSON, with every time an epoch ms stamp.
 */
export interface PersistedState {
  version: 1;
  state: BreakerState;
  /** As in snapshots: the current open period, kept through HALF_OPEN; null otherwise. */
  openedAt: number | null;
  halfOpenAt: number | null;
  /** Failed trials since the last close: the next open period is `openMs × backoffMultiplier^backoffSteps`. */
  backoffSteps: number;
  consecutiveFailures: number;
  window: PersistedWindow;
  totals: BreakerTotals;
}

/**
 * Options of a breaker. All are optional; see the README's options table for the defaults.
 * `null` means "none" for `slidingWindow`, `slowCallMs` and `timeoutMs`; a key set to
 * `undefined` means its default.
 */
export interface BreakerOptions {
  /** Shown in events, snapshots and errors. Default `"breaker"`. */
  name?: string;
  /** Consecutive failures that trip CLOSED → OPEN when there is no sliding window. Default 5. */
  failureThreshold?: number;
  /** When set, the breaker trips on rates over this window instead of consecutive failures. */
  slidingWindow?: SlidingWindowOptions | null;
  /** Percent of failed calls in the window that trips (window mode). Default 50. */
  failureRateThreshold?: number;
  /** A call that takes longer than this is slow. Default none. */
  slowCallMs?: number | null;
  /** Percent of slow calls in the window that trips (window mode). Default 100. */
  slowCallRateThreshold?: number;
  /** Calls the window must hold before rates are judged (capped at a count window's size). Default 10. */
  minimumCalls?: number;
  /** Time in OPEN before HALF_OPEN. Default 30 000 ms. */
  openMs?: number;
  /** Each failed trial multiplies the next open period by this, up to `maxOpenMs`. Default 1. */
  backoffMultiplier?: number;
  /** Cap of the open period under backoff. Default `openMs` × 32, following `openMs`. */
  maxOpenMs?: number;
  /** Trial calls allowed in flight at once in HALF_OPEN. Default 1. */
  halfOpenMaxCalls?: number;
  /** Successful trials needed to close (with `halfOpenPolicy: "rates"`: settled trials judged). Default 1. */
  successThreshold?: number;
  /** How HALF_OPEN judges its trials; see {@link HalfOpenPolicy}. Default `"any-failure"`. */
  halfOpenPolicy?: HalfOpenPolicy;
  /** A HALF_OPEN period undecided after this goes back to OPEN. Default 60 000 ms. */
  maxHalfOpenMs?: number;
  /** A call still running after this fails with `CallTimeoutError` and its signal aborts. Default none. */
  timeoutMs?: number | null;
  /** False (falsy) for an error that should be ignored: rethrown, counted neither as success nor failure. */
  isFailure?: (error: unknown) => unknown;
  /** True (truthy) for a resolved value that counts as a failure; the value is still returned. */
  isResultFailure?: (result: unknown) => unknown;
  /** The source of time; the default is monotonic real time. */
  clock?: Clock;
  /**
   * State saved by {@link CircuitBreaker.exportState} to start from (constructor only): a restored
   * OPEN keeps its absolute `halfOpenAt`, a HALF_OPEN restores as an OPEN that ends at once, and
   * window contents that have aged out or belong to another window restore empty.
   */
  initialState?: PersistedState;
  /**
   * Admits HALF_OPEN trials across several breakers that share one state (a fleet of processes):
   * asked before each trial runs, it hands out a ticket per trial slot, and the trials' outcomes
   * are judged on the counts it reports back. See {@link TrialGate}. Default none: the breaker
   * admits and judges its trials alone.
   */
  trialGate?: TrialGate;
}

/** Trials of one HALF_OPEN period that settled, over every breaker sharing the state. */
export interface TrialCounts {
  successes: number;
  failures: number;
  /** Slow trials, successful or failed. */
  slowCalls: number;
}

/** What a {@link TrialGate} is asked for: a trial slot in the HALF_OPEN that follows this open period. */
export interface TrialRequest {
  breaker: string;
  openedAt: number;
  halfOpenAt: number;
}

/**
 * A trial slot a {@link TrialGate} granted. The breaker reports the trial's outcome once, and the
 * answer decides: the counts of the period's settled trials (the breaker judges them with its
 * half-open policy), or null when the slot was lost meanwhile (its lease expired, the shared state
 * moved on): the trial then decides nothing.
 */
export interface TrialTicket {
  settle(outcome: "success" | "failure" | "ignored", slow: boolean): Promise<TrialCounts | null> | TrialCounts | null;
}

/**
 * Fleet-wide admission of HALF_OPEN trials (the `trialGate` option). The breaker still takes a
 * local slot (`halfOpenMaxCalls`) first, then asks the gate: a ticket admits the trial, which the
 * ticket's counts judge; `"alone"` (the gate cannot coordinate now, say its store is down) admits
 * it to be judged by this breaker alone, as without a gate; null, or a gate that throws, refuses
 * the call as HALF_OPEN refuses one. `execute` and `tryExecute` wait for the answer;
 * `tryAcquire`, which cannot wait, refuses trials while a gate is set.
 */
export interface TrialGate {
  acquire(request: TrialRequest): Promise<TrialAdmission> | TrialAdmission;
}

/** A {@link TrialGate}'s answer. */
export type TrialAdmission = TrialTicket | "alone" | null;

/**
 * A state decided elsewhere (another process sharing this breaker's state) for
 * {@link CircuitBreaker.adopt}. An OPEN carries its period, on this breaker's clock, and the
 * backoff reached; HALF_OPEN is not adopted but follows from an OPEN's `halfOpenAt`.
 */
export type AdoptedState =
  | { state: "CLOSED" | "FORCED_OPEN" | "DISABLED" }
  | { state: "OPEN"; openedAt: number; halfOpenAt: number; backoffSteps: number };

/** Per-call options of {@link CircuitBreaker.execute}. */
export interface ExecuteOptions {
  /** Aborting it aborts the signal `fn` receives and settles the call at once, counted as ignored. */
  signal?: AbortSignal;
}

/** What {@link CircuitBreaker.tryExecute} resolves to; it never rejects. */
export type TryResult<T> =
  | { ok: true; value: T }
  | {
      ok: false;
      error: unknown;
      /** True exactly when the breaker refused the call (counted in `totals.rejected`). */
      rejected: boolean;
    };

/**
 * The right to make one call, granted by {@link CircuitBreaker.tryAcquire}: run the call yourself,
 * then report its outcome once with `success`, `failure` or `cancel`. The outcome is judged at
 * once, synchronously, exactly as `execute` judges a call's: the predicates, the slow-call
 * threshold, the timeout, the events and the latency histogram all apply, and it counts only
 * while the period it was granted in is current (a permit that outlives a trip, a reset or its
 * HALF_OPEN is counted in `totals` but decides nothing). With `timeoutMs`, the breaker settles a
 * permit still unsettled at its deadline as a timeout, on its own clock, and aborts its `signal`.
 */
export interface CallPermit {
  /** The breaker's name. */
  readonly breaker: string;
  /** The state the permit was granted in; a HALF_OPEN permit holds one of the trial slots. */
  readonly state: "CLOSED" | "HALF_OPEN" | "DISABLED";
  /** True once settled: by `success`, `failure` or `cancel`, or by the breaker's timeout. */
  readonly settled: boolean;
  /** True when the breaker's `timeoutMs` ran out first and settled the permit as a timeout. */
  readonly timedOut: boolean;
  /**
   * Aborts when the breaker times the permit out (with the `CallTimeoutError`) or when it is
   * cancelled (with the reason). Created on first read: a permit whose signal is never read costs
   * no `AbortController`.
   */
  readonly signal: AbortSignal;
  /**
   * The call returned `value` (`isResultFailure` may still judge it a failure). Returns true when
   * this settled the permit, false when the breaker's timeout had settled it already.
   * @throws TypeError when the permit was already settled by `success`, `failure` or `cancel`.
   */
  success(value?: unknown): boolean;
  /**
   * The call threw `error` (ignored, not a failure, when `isFailure` says so). Returns and throws
   * as {@link CallPermit.success} does.
   */
  failure(error: unknown): boolean;
  /**
   * The call was abandoned (the caller gave up): counted as ignored, a trial gives its slot back,
   * the signal aborts with `reason`. Returns and throws as {@link CallPermit.success} does.
   */
  cancel(reason?: unknown): boolean;
}

interface EventBase {
  /** The breaker's name. */
  breaker: string;
  /** Epoch ms when it happened; for a transition, the instant it took effect. */
  at: number;
}

/** The breaker changed state. */
export interface StateEvent extends EventBase {
  type: "state";
  from: BreakerState;
  to: BreakerState;
  reason: TransitionReason;
}

/** A call succeeded. */
export interface SuccessEvent extends EventBase {
  type: "success";
  durationMs: number;
  slow: boolean;
}

/** A call failed: it threw, timed out, or resolved a value `isResultFailure` judged a failure. */
export interface FailureEvent extends EventBase {
  type: "failure";
  durationMs: number;
  /** The thrown error, the `CallTimeoutError`, or (for `isResultFailure`) the resolved value. */
  error: unknown;
  timeout: boolean;
}

/** The breaker refused a call without running it. */
export interface RejectedEvent extends EventBase {
  type: "rejected";
  state: BreakerState;
}

/** A call ended in a way that counts neither as success nor failure (isFailure false, or cancelled). */
export interface IgnoredEvent extends EventBase {
  type: "ignored";
  durationMs: number;
  error: unknown;
}

/** Everything a breaker reports to its subscribers. */
export type BreakerEvent = StateEvent | SuccessEvent | FailureEvent | RejectedEvent | IgnoredEvent;

/** Latency over the window (or since the last close), from a fixed-bucket histogram, in ms. */
export interface LatencySummary {
  mean: number;
  p50: number;
  p90: number;
  p99: number;
}

/** Counters that live as long as the breaker. `calls = successes + failures + ignored + rejected`. */
export interface BreakerTotals {
  calls: number;
  successes: number;
  failures: number;
  /** A subset of `failures`. */
  timeouts: number;
  rejected: number;
  ignored: number;
  /** A subset of `successes + failures`. */
  slow: number;
}

/** Plain, JSON-serialisable state of a breaker at one instant. */
export interface BreakerSnapshot {
  name: string;
  state: BreakerState;
  options: ResolvedOptions;
  /** When the current OPEN period began; kept through HALF_OPEN; null otherwise. */
  openedAt: number | null;
  /** When OPEN ends (the countdown target); kept through HALF_OPEN; null otherwise. */
  halfOpenAt: number | null;
  consecutiveFailures: number;
  window: {
    calls: number;
    failures: number;
    slowCalls: number;
    /** Percent. */
    failureRate: number;
    /** Percent. */
    slowCallRate: number;
  };
  halfOpen: { inFlight: number; successes: number };
  latency: LatencySummary | null;
  totals: BreakerTotals;
}
