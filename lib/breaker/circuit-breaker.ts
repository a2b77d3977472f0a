import { Alarm } from "./clock";
import { DeadlineQueue, type Deadline } from "./deadlines";
import { CallTimeoutError, CircuitOpenError, rejection } from "./errors";
import { applyOptions, defaultSettings, describeValue, resolvedOptions, sameWindow, type Settings } from "./options";
import type {
  BreakerEvent,
  BreakerOptions,
  BreakerSnapshot,
  BreakerState,
  BreakerTotals,
  ExecuteOptions,
  TransitionReason,
  TryResult,
} from "./types";
import { createWindow, TimeWindow, type CallWindow } from "./window";

type Listener = (event: BreakerEvent) => void;

// Calls that can never be aborted (no timeout, no caller signal) share one signal instead of
// paying for an AbortController each (creating a signal costs microseconds on Node 20).
const NEVER_ABORTED = new AbortController().signal;

// Latency is measured on every call while the window holds fewer timed calls than this, then on
// one call in LATENCY_SAMPLE_EVERY: reading the clock twice costs more than the rest of a call.
// Calls are timed every time when something needs each call's duration (see `plain`).
const ALWAYS_TIMED_BELOW = 64;
const LATENCY_SAMPLE_EVERY = 16;

/** The handlers of an untimed call, shared by every such call of one period. */
interface PlainHandlers {
  period: number;
  onValue: (value: unknown) => void;
  onError: (error: unknown) => void;
}

// Open and half-open periods shorter than this could not move a float epoch time forward.
const MIN_PERIOD_MS = 0.001;

// A clock that jumped over more open/half-open cycles than this (a suspended process, a fake clock
// advanced without timers) skips the cycles in between instead of replaying each one.
const MAX_REPLAYED_CYCLES = 100;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null && typeof (value as PromiseLike<unknown>).then === "function";
}

/**
 * Settle the breaker's side of a call when `result` settles and hand the caller `fn`'s own
 * promise: the breaker's reaction is registered first, so it runs before the caller resumes, and
 * a failure reaches the caller as one rejection instead of a second one rethrown by the breaker.
 */
function observe<T>(result: T | PromiseLike<T>, onValue: (value: unknown) => void, onError: (error: unknown) => void): Promise<T> {
  if (result instanceof Promise) {
    result.then(onValue, onError);
    return result;
  }
  if (isThenable(result)) {
    const promise = Promise.resolve(result);
    promise.then(onValue, onError);
    return promise;
  }
  onValue(result);
  return Promise.resolve(result);
}

function isAbortSignal(value: unknown): value is AbortSignal {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as AbortSignal).aborted === "boolean" &&
    typeof (value as AbortSignal).addEventListener === "function"
  );
}

/**
 * A circuit breaker: it runs calls while the protected service is healthy, trips OPEN when
 * failures cross a threshold and rejects calls at once, then lets trial calls through
 * (HALF_OPEN) to decide whether to close again.
 *
 * Every call is tagged with the period (the stretch between two transitions) it was admitted in;
 * a call that settles after the breaker moved on is counted in `totals` but decides nothing.
 *
 * @example
 * ```ts
 * import { CircuitBreaker, CircuitOpenError } from "@/lib/breaker";
 *
 * const breaker = new CircuitBreaker({
 *   name: "payments",
 *   failureThreshold: 3,
 *   openMs: 20_000,
 *   isFailure: (error) => error instanceof Error,
 * });
 *
 * try {
 *   const response = await breaker.execute((signal) => fetch(url, { signal }));
 * } catch (error) {
 *   if (error instanceof CircuitOpenError) console.log(`retry in ${error.retryAfterMs} ms`);
 * }
 * ```
 */
export class CircuitBreaker {
  private settings: Settings;
  private window: CallWindow;
  private currentState: BreakerState = "CLOSED";
  /** Increases at every transition and reset; calls compare it to know whether they are stale. */
  private period = 0;
  private openedAt: number | null = null;
  private halfOpenAt: number | null = null;
  private halfOpenDeadline = 0;
  private backoffSteps = 0;
  private consecutiveFailures = 0;
  private trialsInFlight = 0;
  private trialSuccesses = 0;
  private readonly totals: BreakerTotals = {
    calls: 0,
    successes: 0,
    failures: 0,
    timeouts: 0,
    rejected: 0,
    ignored: 0,
    slow: 0,
  };
  private listeners: readonly { listener: Listener }[] = [];
  private readonly stateAlarm: Alarm;
  private readonly deadlines: DeadlineQueue;
  private disposed = false;
  /**
   * True while a call's duration matters only to the latency figures: CLOSED or DISABLED, no
   * listener (events carry durations), no slow-call threshold. Such calls are timed only as
   * latency samples; without a timeout they also share their handlers.
   */
  private plain = true;
  private plainHandlers: PlainHandlers | undefined;
  private untimedCalls = 0;

  /**
   * @param options - see {@link BreakerOptions}; every option is validated and a bad one throws a
   * `TypeError` or `RangeError` whose message names it.
   */
  constructor(options?: BreakerOptions) {
    this.settings = applyOptions(defaultSettings(), options, "constructor");
    this.window = createWindow(this.settings.slidingWindow);
    this.stateAlarm = new Alarm(this.settings.clock, () => this.advanceTime(this.settings.clock.now()));
    this.deadlines = new DeadlineQueue(this.settings.clock);
    this.updatePlain();
  }

  /** The breaker's name, as given in its options. */
  get name(): string {
    return this.settings.name;
  }

  /** The current state, exact to the instant: HALF_OPEN from the moment the open period ends. */
  get state(): BreakerState {
    if (this.currentState === "OPEN" || this.currentState === "HALF_OPEN") {
      this.advanceTime(this.settings.clock.now());
    }
    return this.currentState;
  }

  /**
   * Run `fn` through the breaker. Resolves or rejects with `fn`'s outcome; rejects with
   * {@link CircuitOpenError} without invoking `fn` when the breaker refuses the call, with
   * {@link CallTimeoutError} when `timeoutMs` runs out, and with the signal's reason when the
   * caller's `opts.signal` aborts. `fn` receives a signal that aborts in those last two cases,
   * provided it declares the parameter: a function of no parameters (`fn.length === 0`) cannot
   * use it, and gets a shared signal that never aborts instead of a new one per call.
   */
  execute<T>(fn: (signal: AbortSignal) => T | PromiseLike<T>, opts?: ExecuteOptions): Promise<T> {
    const launched = this.launch(fn, opts);
    return launched instanceof CircuitOpenError ? Promise.reject(launched) : launched;
  }

  /**
   * Like {@link execute}, but never rejects: resolves `{ ok: true, value }` or
   * `{ ok: false, error, rejected }`, where `rejected` is true exactly when the breaker refused
   * the call. Cheaper than catching on the rejection path: nothing is thrown.
   */
  tryExecute<T>(fn: (signal: AbortSignal) => T | PromiseLike<T>, opts?: ExecuteOptions): Promise<TryResult<T>> {
    const launched = this.launch(fn, opts);
    if (launched instanceof CircuitOpenError) return Promise.resolve({ ok: false, error: launched, rejected: true });
    return launched.then(
      (value): TryResult<T> => ({ ok: true, value }),
      (error: unknown): TryResult<T> => ({ ok: false, error, rejected: false }),
    );
  }

  /**
   * Wrap `fn` so that every call of the returned function runs through {@link execute}. The
   * wrapper passes exactly its own arguments and `this` to `fn`, works detached from the breaker,
   * and always returns a promise.
   */
  wrap<A extends unknown[], R, This = unknown>(
    fn: (this: This, ...args: A) => R | PromiseLike<R>,
  ): (this: This, ...args: A) => Promise<R> {
    if (typeof fn !== "function") throw new TypeError(`wrap() needs a function, got ${describeValue(fn)}`);
    const execute = (call: () => R | PromiseLike<R>) => this.execute(call);
    return function wrapped(this: This, ...args: A): Promise<R> {
      return execute(() => fn.apply(this, args));
    };
  }

  /** Plain, JSON-serialisable state of the breaker at this instant. */
  snapshot(): BreakerSnapshot {
    const now = this.settings.clock.now();
    this.advanceTime(now);
    this.window.expire(now);
    const { calls, failures, slowCalls } = this.window;
    return {
      name: this.settings.name,
      state: this.currentState,
      options: resolvedOptions(this.settings),
      openedAt: this.openedAt,
      halfOpenAt: this.halfOpenAt,
      consecutiveFailures: this.consecutiveFailures,
      window: {
        calls,
        failures,
        slowCalls,
        failureRate: calls === 0 ? 0 : (failures / calls) * 100,
        slowCallRate: calls === 0 ? 0 : (slowCalls / calls) * 100,
      },
      halfOpen: { inFlight: this.trialsInFlight, successes: this.trialSuccesses },
      latency: this.window.latency.summary(),
      totals: { ...this.totals },
    };
  }

  /**
   * Receive every event of the breaker. A listener that throws is isolated: the breaker and the
   * other listeners carry on. Returns the function that unsubscribes.
   */
  subscribe(listener: (event: BreakerEvent) => void): () => void {
    if (typeof listener !== "function") {
      throw new TypeError(`subscribe() needs a function, got ${describeValue(listener)}`);
    }
    const entry = { listener };
    this.listeners = [...this.listeners, entry];
    this.updatePlain();
    return () => {
      this.listeners = this.listeners.filter((candidate) => candidate !== entry);
      this.updatePlain();
    };
  }

  /**
   * Change options live. The patch is validated whole: if any field is invalid it throws and
   * nothing changes. Thresholds are judged at the next settled call; a new `openMs` applies from
   * the next open period and `maxHalfOpenMs` from the next HALF_OPEN; the window keeps its calls
   * unless its type or size changes. `clock` can only be set at construction.
   */
  configure(patch: Partial<BreakerOptions>): void {
    this.assertUsable();
    const next = applyOptions(this.settings, patch, "configure");
    const windowChanged = !sameWindow(this.settings.slidingWindow, next.slidingWindow);
    this.settings = next;
    if (windowChanged) this.window = createWindow(next.slidingWindow);
    this.updatePlain();
  }

  /**
   * Back to CLOSED with a fresh window, no consecutive failures and no backoff. Always starts a
   * new period, also from CLOSED: calls in flight settle as stale. `totals` are kept.
   */
  reset(): void {
    this.assertUsable();
    const now = this.settings.clock.now();
    this.advanceTime(now);
    this.enterClosed("reset", now);
  }

  /** Go to FORCED_OPEN: every call is rejected until {@link reset}. */
  forceOpen(): void {
    this.holdIn("FORCED_OPEN", "force-open");
  }

  /** Go to DISABLED: every call runs and is counted, the breaker never trips, until {@link reset}. */
  disable(): void {
    this.holdIn("DISABLED", "disable");
  }

  /** A manual transition into a state only reset() leaves; DISABLED counts from a fresh window. */
  private holdIn(state: "FORCED_OPEN" | "DISABLED", reason: TransitionReason): void {
    this.assertUsable();
    const now = this.settings.clock.now();
    this.advanceTime(now);
    if (this.currentState === state) return;
    const from = this.currentState;
    this.beginPeriod(state);
    if (state === "DISABLED") this.freshWindow();
    this.announce(from, reason, now);
  }

  /**
   * Clear every timer (including running calls' timeouts; those calls settle with `fn`'s outcome)
   * and every listener. Afterwards `execute` rejects with a `TypeError`.
   */
  dispose(): void {
    this.disposed = true;
    this.plain = false;
    this.stateAlarm.clear();
    this.deadlines.clear();
    this.listeners = [];
  }

  private updatePlain(): void {
    const state = this.currentState;
    this.plain =
      !this.disposed && this.listeners.length === 0 && this.settings.slowCallMs === null && (state === "CLOSED" || state === "DISABLED");
  }

  /** Whether this plain call goes untimed: the window has enough timed calls and it is not a sample. */
  private skipsTiming(): boolean {
    return this.window.latency.total >= ALWAYS_TIMED_BELOW && ++this.untimedCalls % LATENCY_SAMPLE_EVERY !== 0;
  }

  /**
   * The hot path: CLOSED (or DISABLED), nothing to time, nothing to tell. Only a time window
   * reads the clock, to stamp the call when it settles, and a timeout, to know its deadline.
   */
  private runUntimed<T>(fn: (signal: AbortSignal) => T | PromiseLike<T>): Promise<T> {
    if (this.settings.timeoutMs !== null) {
      return this.runGuarded(fn, undefined, false, this.settings.clock.now(), this.period, false);
    }
    const handlers = this.handlersFor(this.period);
    let result: T | PromiseLike<T>;
    try {
      result = fn(NEVER_ABORTED);
    } catch (error) {
      handlers.onError(error);
      return Promise.reject(error);
    }
    return observe(result, handlers.onValue, handlers.onError);
  }

  private handlersFor(period: number): PlainHandlers {
    let handlers = this.plainHandlers;
    if (handlers === undefined || handlers.period !== period) {
      handlers = {
        period,
        onValue: (value) => this.settleValue(value, false, Number.NaN, period),
        onError: (error) => this.settleError(error, false, Number.NaN, period),
      };
      this.plainHandlers = handlers;
    }
    return handlers;
  }

  private assertUsable(): void {
    if (this.disposed) throw new TypeError(`Circuit breaker "${this.settings.name}" is disposed`);
  }

  /** Admit and start a call; a refusal is returned (not thrown) so tryExecute never throws. */
  private launch<T>(fn: (signal: AbortSignal) => T | PromiseLike<T>, opts: ExecuteOptions | undefined): Promise<T> | CircuitOpenError {
    if (this.plain && opts === undefined && typeof fn === "function" && this.skipsTiming()) return this.runUntimed(fn);
    if (typeof fn !== "function") {
      return Promise.reject(new TypeError(`execute() needs a function, got ${describeValue(fn)}`));
    }
    let callerSignal: AbortSignal | undefined;
    if (opts !== undefined) {
      if (typeof opts !== "object" || opts === null) {
        return Promise.reject(new TypeError(`execute() options must be an object, got ${describeValue(opts)}`));
      }
      callerSignal = opts.signal;
      if (callerSignal !== undefined && !isAbortSignal(callerSignal)) {
        return Promise.reject(new TypeError(`signal must be an AbortSignal, got ${describeValue(callerSignal)}`));
      }
    }
    if (this.disposed) {
      return Promise.reject(new TypeError(`Circuit breaker "${this.settings.name}" is disposed`));
    }
    if (callerSignal?.aborted) {
      const reason: unknown = callerSignal.reason;
      this.settleIgnored(0, reason, false, -1, this.listeners.length > 0 ? this.settings.clock.now() : 0);
      return Promise.reject(reason);
    }
    const admission = this.admit();
    if (typeof admission !== "boolean") return admission;
    const startedAt = this.settings.clock.now();
    if (callerSignal === undefined && this.settings.timeoutMs === null) {
      return this.run(fn, admission, startedAt, this.period);
    }
    return this.runGuarded(fn, callerSignal, admission, startedAt, this.period);
  }

  /** Decide whether a call may run now: false for a normal call, true for a trial, or a refusal. */
  private admit(): boolean | CircuitOpenError {
    const state = this.currentState;
    if (state === "CLOSED" || state === "DISABLED") return false;
    const now = this.settings.clock.now();
    if (state !== "FORCED_OPEN") this.advanceTime(now);
    switch (this.currentState) {
      case "CLOSED":
      case "DISABLED":
        return false;
      case "FORCED_OPEN":
        return this.refuse("FORCED_OPEN", null, now);
      case "OPEN":
        return this.refuse("OPEN", this.halfOpenAt! - now, now);
      case "HALF_OPEN":
        if (this.trialsInFlight >= this.settings.halfOpenMaxCalls) return this.refuse("HALF_OPEN", null, now);
        this.trialsInFlight += 1;
        return true;
    }
  }

  private refuse(state: BreakerState, retryAfterMs: number | null, now: number): CircuitOpenError {
    this.totals.calls += 1;
    this.totals.rejected += 1;
    const error = rejection(this.settings.name, state, retryAfterMs);
    if (this.listeners.length > 0) this.emit({ type: "rejected", breaker: this.settings.name, at: now, state });
    return error;
  }

  /** A timed call that nothing but `fn` can settle: no timeout, no caller signal. */
  private run<T>(fn: (signal: AbortSignal) => T | PromiseLike<T>, trial: boolean, startedAt: number, period: number): Promise<T> {
    let result: T | PromiseLike<T>;
    try {
      result = fn(NEVER_ABORTED);
    } catch (error) {
      this.settleError(error, trial, startedAt, period);
      return Promise.reject(error);
    }
    return observe(
      result,
      (value) => this.settleValue(value, trial, startedAt, period),
      (error) => this.settleError(error, trial, startedAt, period),
    );
  }

  /** A call that a timeout or the caller's signal can settle before `fn` does. */
  private runGuarded<T>(
    fn: (signal: AbortSignal) => T | PromiseLike<T>,
    callerSignal: AbortSignal | undefined,
    trial: boolean,
    startedAt: number,
    period: number,
    timed = true,
  ): Promise<T> {
    // An untimed call still knows when it started (its deadline), but reports no duration.
    const measuredFrom = timed ? startedAt : Number.NaN;
    return new Promise<T>((resolve, reject) => {
      // A function that declares no parameter cannot use the signal; creating one costs ~3 µs
      // on Node 20, more than everything else a timed call does, so it gets the shared one.
      const controller = fn.length > 0 ? new AbortController() : undefined;
      const timeoutMs = this.settings.timeoutMs;
      let settled = false;
      let deadline: Deadline | undefined;
      const claim = (): boolean => {
        if (settled) return false;
        settled = true;
        if (deadline !== undefined && !deadline.done) this.deadlines.release(deadline);
        callerSignal?.removeEventListener("abort", onCallerAbort);
        return true;
      };
      const onCallerAbort = () => {
        if (!claim()) return;
        const reason: unknown = callerSignal!.reason;
        controller?.abort(reason);
        const now = this.settings.clock.now();
        this.settleIgnored(now - startedAt, reason, trial, period, now);
        reject(reason);
      };
      callerSignal?.addEventListener("abort", onCallerAbort);
      if (timeoutMs !== null) {
        deadline = {
          dueAt: startedAt + timeoutMs,
          done: false,
          expire: () => {
            if (!claim()) return;
            const error = new CallTimeoutError(this.settings.name, timeoutMs);
            controller?.abort(error);
            const now = this.settings.clock.now();
            this.settleFailure(now - startedAt, error, true, trial, period, now);
            reject(error);
          },
        };
        this.deadlines.add(deadline, timeoutMs);
      }
      let result: T | PromiseLike<T>;
      try {
        result = fn(controller?.signal ?? NEVER_ABORTED);
      } catch (error) {
        if (claim()) {
          this.settleError(error, trial, measuredFrom, period);
          reject(error);
        }
        return;
      }
      Promise.resolve(result).then(
        (value) => {
          if (!claim()) return;
          this.settleValue(value, trial, measuredFrom, period);
          resolve(value);
        },
        (error: unknown) => {
          if (!claim()) return;
          this.settleError(error, trial, measuredFrom, period);
          reject(error);
        },
      );
    });
  }

  /** When a call settles: its duration needs the clock, and so does a time window's stamp. */
  private settledAt(startedAt: number): number {
    return Number.isNaN(startedAt) && !(this.window instanceof TimeWindow) ? Number.NaN : this.settings.clock.now();
  }

  private settleValue(value: unknown, trial: boolean, startedAt: number, period: number): void {
    const now = this.settledAt(startedAt);
    const isResultFailure = this.settings.isResultFailure;
    if (isResultFailure !== undefined) {
      let failure: unknown;
      let failed: boolean;
      try {
        failed = !!isResultFailure(value);
        failure = value;
      } catch (predicateError) {
        failed = true;
        failure = predicateError;
      }
      if (failed) {
        this.settleFailure(now - startedAt, failure, false, trial, period, now);
        return;
      }
    }
    this.settleSuccess(now - startedAt, trial, period, now);
  }

  private settleError(error: unknown, trial: boolean, startedAt: number, period: number): void {
    const now = this.settledAt(startedAt);
    const isFailure = this.settings.isFailure;
    let failed = true;
    if (isFailure !== undefined) {
      try {
        failed = !!isFailure(error);
      } catch {
        failed = true;
      }
    }
    if (failed) this.settleFailure(now - startedAt, error, false, trial, period, now);
    else this.settleIgnored(now - startedAt, error, trial, period, now);
  }

  private isSlow(durationMs: number): boolean {
    const slowCallMs = this.settings.slowCallMs;
    return slowCallMs !== null && durationMs > slowCallMs;
  }

  /** Whether a call admitted in `period` may still change the breaker. */
  private isCurrent(period: number, now: number): boolean {
    if (period !== this.period) return false;
    // A trial may have outlived its HALF_OPEN (maxHalfOpenMs) without the timer having said so.
    if (this.currentState === "HALF_OPEN") this.advanceTime(now);
    return period === this.period;
  }

  private settleSuccess(durationMs: number, trial: boolean, period: number, now: number): void {
    const slow = this.isSlow(durationMs);
    this.totals.calls += 1;
    this.totals.successes += 1;
    if (slow) this.totals.slow += 1;
    let decision: TransitionReason | null = null;
    if (this.isCurrent(period, now)) {
      if (trial) {
        this.trialsInFlight -= 1;
        this.trialSuccesses += 1;
        if (this.trialSuccesses >= this.settings.successThreshold) decision = "trial-succeeded";
      } else {
        this.consecutiveFailures = 0;
        this.window.record(false, slow, durationMs, now);
        decision = this.judge();
      }
    }
    if (this.listeners.length > 0) {
      this.emit({ type: "success", breaker: this.settings.name, at: now, durationMs, slow });
    }
    if (decision !== null) this.decide(decision, period, now);
  }

  private settleFailure(durationMs: number, error: unknown, timeout: boolean, trial: boolean, period: number, now: number): void {
    const slow = this.isSlow(durationMs);
    this.totals.calls += 1;
    this.totals.failures += 1;
    if (timeout) this.totals.timeouts += 1;
    if (slow) this.totals.slow += 1;
    let decision: TransitionReason | null = null;
    if (this.isCurrent(period, now)) {
      if (trial) {
        this.trialsInFlight -= 1;
        decision = "trial-failed";
      } else {
        this.consecutiveFailures += 1;
        this.window.record(true, slow, durationMs, now);
        decision = this.judge();
      }
    }
    if (this.listeners.length > 0) {
      this.emit({ type: "failure", breaker: this.settings.name, at: now, durationMs, error, timeout });
    }
    if (decision !== null) this.decide(decision, period, now);
  }

  private settleIgnored(durationMs: number, error: unknown, trial: boolean, period: number, now: number): void {
    this.totals.calls += 1;
    this.totals.ignored += 1;
    // An ignored trial gives its slot back without deciding anything.
    if (trial && this.isCurrent(period, now)) this.trialsInFlight -= 1;
    if (this.listeners.length > 0) {
      this.emit({ type: "ignored", breaker: this.settings.name, at: now, durationMs, error });
    }
  }

  /** The trip decision of a CLOSED breaker after a call entered its window. */
  private judge(): TransitionReason | null {
    if (this.currentState !== "CLOSED") return null;
    const settings = this.settings;
    const window = settings.slidingWindow;
    if (window === null) {
      return this.consecutiveFailures >= settings.failureThreshold ? "failure-threshold" : null;
    }
    const minimumCalls = window.type === "count" ? Math.min(settings.minimumCalls, window.size) : settings.minimumCalls;
    const { calls, failures, slowCalls } = this.window;
    if (calls < minimumCalls) return null;
    if ((failures / calls) * 100 >= settings.failureRateThreshold) return "failure-rate";
    if ((slowCalls / calls) * 100 >= settings.slowCallRateThreshold) return "slow-call-rate";
    return null;
  }

  /** Carry out a call's decision, unless a listener of its outcome event moved the breaker on. */
  private decide(reason: TransitionReason, period: number, now: number): void {
    if (period !== this.period) return;
    const at = Number.isNaN(now) ? this.settings.clock.now() : now;
    if (reason === "trial-succeeded") this.enterClosed(reason, at);
    else this.enterOpen(reason, at);
  }

  /** Apply the transitions that time has made due by `now`, each at the instant it took effect. */
  private advanceTime(now: number): void {
    for (;;) {
      if (this.currentState === "OPEN") {
        if (now < this.halfOpenAt!) return;
        this.enterHalfOpen(this.halfOpenAt!);
      } else if (this.currentState === "HALF_OPEN") {
        if (now < this.halfOpenDeadline) return;
        const cycleMs = this.openDurationMs() + this.settings.maxHalfOpenMs;
        const cycles = Math.floor((now - this.halfOpenDeadline) / cycleMs);
        if (cycles > MAX_REPLAYED_CYCLES) this.halfOpenDeadline += (cycles - 1) * cycleMs;
        this.enterOpen("half-open-timeout", this.halfOpenDeadline);
      } else {
        return;
      }
    }
  }

  /** The length of the next open period, with the backoff reached so far. */
  private openDurationMs(): number {
    const { openMs, backoffMultiplier, maxOpenMs } = this.settings;
    return Math.max(MIN_PERIOD_MS, Math.min(openMs * backoffMultiplier ** this.backoffSteps, maxOpenMs));
  }

  private beginPeriod(state: BreakerState): void {
    this.currentState = state;
    this.period += 1;
    this.plainHandlers = undefined;
    this.trialsInFlight = 0;
    this.trialSuccesses = 0;
    this.openedAt = null;
    this.halfOpenAt = null;
    this.stateAlarm.clear();
    this.updatePlain();
  }

  private freshWindow(): void {
    this.window = createWindow(this.settings.slidingWindow);
    this.consecutiveFailures = 0;
  }

  private enterOpen(reason: TransitionReason, at: number): void {
    const from = this.currentState;
    if (reason === "trial-failed") this.backoffSteps += 1;
    const halfOpenAt = at + this.openDurationMs();
    this.beginPeriod("OPEN");
    this.openedAt = at;
    this.halfOpenAt = halfOpenAt;
    this.stateAlarm.set(halfOpenAt);
    this.announce(from, reason, at);
  }

  private enterHalfOpen(at: number): void {
    const { openedAt, halfOpenAt } = this;
    this.beginPeriod("HALF_OPEN");
    this.openedAt = openedAt;
    this.halfOpenAt = halfOpenAt;
    this.halfOpenDeadline = at + Math.max(MIN_PERIOD_MS, this.settings.maxHalfOpenMs);
    this.stateAlarm.set(this.halfOpenDeadline);
    this.announce("OPEN", "open-elapsed", at);
  }

  private enterClosed(reason: "trial-succeeded" | "reset", at: number): void {
    const from = this.currentState;
    this.beginPeriod("CLOSED");
    this.freshWindow();
    this.backoffSteps = 0;
    if (from !== "CLOSED") this.announce(from, reason, at);
  }

  private announce(from: BreakerState, reason: TransitionReason, at: number): void {
    if (this.listeners.length > 0) {
      this.emit({ type: "state", breaker: this.settings.name, at, from, to: this.currentState, reason });
    }
  }

  private emit(event: BreakerEvent): void {
    for (const { listener } of this.listeners) {
      try {
        listener(event);
      } catch {
        // A subscriber's bug must not break the breaker or starve the other subscribers.
      }
    }
  }
}
