import { Alarm } from "./clock";
import { DeadlineQueue } from "./deadlines";
import { CircuitOpenError, rejection, type CallTimeoutError } from "./errors";
import { GuardedCall } from "./guarded-call";
import { applyOptions, defaultSettings, initialStateOf, resolvedOptions, sameWindow, type Settings } from "./options";
import { PERSISTED_VERSION } from "./persisted-state";
import { halfOpenPeriod, type HalfOpenPeriod, type Period } from "./periods";
import { Permit, type CallHooks } from "./permit";
import type {
  AdoptedState,
  BreakerEvent,
  BreakerOptions,
  BreakerSnapshot,
  BreakerState,
  BreakerTotals,
  CallPermit,
  ExecuteOptions,
  PersistedState,
  TransitionReason,
  TrialAdmission,
  TrialCounts,
  TrialTicket,
  TryResult,
} from "./types";
import { describeValue, invalid, isRecord } from "./validation";
import { createWindow, restoreWindow, TimeWindow, type CallWindow } from "./window";

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
  period: Period;
  onValue: (value: unknown) => void;
  onError: (error: unknown) => void;
}

// The untimed duration of a call, as windows and histograms take it: it counts, with no latency.
const UNTIMED = Number.NaN;

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
 * Every call keeps the period (the stretch between two transitions, one object each) it was
 * admitted in; a call that settles after the breaker moved on is counted in `totals` but decides
 * nothing.
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
  /** The current period; calls hold the one they were admitted in and compare it by identity. */
  private period: Period = { state: "CLOSED" };
  /** Failed trials since the last close: the exponent of the open period's backoff. */
  private backoffSteps = 0;
  private consecutiveFailures = 0;
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
  // Created when first needed: an idle breaker (one of thousands in a registry) holds no timers.
  private stateAlarm: Alarm | undefined;
  private deadlines: DeadlineQueue | undefined;
  private callHooks: CallHooks | undefined;
  private disposed = false;
  /**
   * True while a call's duration matters only to the latency figures: CLOSED or DISABLED, no
   * listener (events carry durations), no slow-call threshold. Such calls are timed only as
   * latency samples; without a timeout they also share their handlers.
   */
  private plain = true;
  private plainHandlers: PlainHandlers | undefined;
  private untimedCalls = 0;
  private running = 0;
  /**
   * The ticket of the gated trial being settled right now (settling is synchronous), so that the
   * settle code the hot path shares needs no extra parameter.
   */
  private settlingTicket: TrialTicket | undefined;
  /** Refusals of gated trials, which reach tryExecute as rejections of a promise. */
  private gatedRefusals: WeakSet<object> | undefined;

  /**
   * @param options - see {@link BreakerOptions}; every option is validated and a bad one throws a
   * `TypeError` or `RangeError` whose message names it, as does its `option` field.
   */
  constructor(options?: BreakerOptions) {
    this.settings = applyOptions(defaultSettings(), options, "constructor");
    const saved = initialStateOf(options);
    if (saved === undefined) {
      this.window = createWindow(this.settings.slidingWindow);
    } else {
      const now = this.settings.clock.now();
      this.window = restoreWindow(this.settings.slidingWindow, saved.window, now);
      this.restore(saved, now);
    }
    this.updatePlain();
  }

  /** The breaker's name, as given in its options. */
  get name(): string {
    return this.settings.name;
  }

  /** The current state, exact to the instant: HALF_OPEN from the moment the open period ends. */
  get state(): BreakerState {
    const state = this.period.state;
    if (state === "OPEN" || state === "HALF_OPEN") this.advanceTime(this.settings.clock.now());
    return this.period.state;
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
      (error: unknown): TryResult<T> => ({ ok: false, error, rejected: this.gatedRefusals?.has(error as object) === true }),
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

  /**
   * Ask for the right to make one call without handing the breaker a function: the synchronous
   * form of {@link execute}, for callers that run the call themselves (a callback API, a
   * simulation in virtual time, a call settled elsewhere). Returns a {@link CallPermit} when the
   * call may run, or the {@link CircuitOpenError} (returned, not thrown, and counted in
   * `totals.rejected`) when the breaker refuses it. Report the call's outcome once on the permit:
   * it is judged then and there, exactly as `execute` would judge it, with no promise involved.
   *
   * @throws TypeError when the breaker is disposed.
   *
   * @example
   * ```ts
   * const permit = breaker.tryAcquire();
   * if (permit instanceof CircuitOpenError) return fallback(permit.retryAfterMs);
   * socket.send(request, (error, reply) => (error ? permit.failure(error) : permit.success(reply)));
   * ```
   */
  tryAcquire(): CallPermit | CircuitOpenError {
    // The hot path, as execute's: CLOSED or DISABLED with nothing to time or tell admits at once.
    if (this.plain && this.skipsTiming()) {
      return this.grant(this.settings.timeoutMs === null ? UNTIMED : this.settings.clock.now(), false);
    }
    this.assertUsable();
    const refusal = this.admit();
    if (refusal !== undefined) return refusal;
    const period = this.period;
    if (period.state === "HALF_OPEN" && this.settings.trialGate !== undefined) {
      period.inFlight -= 1;
      return this.refuse("HALF_OPEN", null, this.settings.clock.now());
    }
    return this.grant(this.settings.clock.now(), true);
  }

  /** Plain, JSON-serialisable state of the breaker at this instant. */
  snapshot(): BreakerSnapshot {
    const now = this.settings.clock.now();
    this.advanceTime(now);
    this.window.expire(now);
    const { calls, failures, slowCalls } = this.window;
    const period = this.period;
    const opened = period.state === "OPEN" || period.state === "HALF_OPEN" ? period : undefined;
    const trials = period.state === "HALF_OPEN" ? period : undefined;
    return {
      name: this.settings.name,
      state: period.state,
      options: resolvedOptions(this.settings),
      openedAt: opened?.openedAt ?? null,
      halfOpenAt: opened?.halfOpenAt ?? null,
      consecutiveFailures: this.consecutiveFailures,
      window: {
        calls,
        failures,
        slowCalls,
        failureRate: calls === 0 ? 0 : (failures / calls) * 100,
        slowCallRate: calls === 0 ? 0 : (slowCalls / calls) * 100,
      },
      halfOpen: { inFlight: trials?.inFlight ?? 0, successes: trials?.successes ?? 0 },
      latency: this.window.latency.summary(),
      totals: { ...this.totals },
    };
  }

  /**
   * The breaker's state as plain JSON, to save (across a restart, a serverless cold start) and
   * give back as the `initialState` option: the state and its open period, the backoff, the
   * streak, the window's calls stamped in epoch ms, and the totals.
   */
  exportState(): PersistedState {
    const now = this.settings.clock.now();
    this.advanceTime(now);
    this.window.expire(now);
    const period = this.period;
    const opened = period.state === "OPEN" || period.state === "HALF_OPEN" ? period : undefined;
    return {
      version: PERSISTED_VERSION,
      state: period.state,
      openedAt: opened?.openedAt ?? null,
      halfOpenAt: opened?.halfOpenAt ?? null,
      backoffSteps: this.backoffSteps,
      consecutiveFailures: this.consecutiveFailures,
      window: this.window.persist(),
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
   * unless its type or size changes. `clock` and `initialState` can only be set at construction.
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

  /**
   * Take over a state decided elsewhere: by another process that shares this breaker's state, as
   * a store announced it. A change of state starts a new period (calls in flight settle as stale)
   * and is announced with reason `"adopted"`; CLOSED starts a fresh window, as does DISABLED. An
   * OPEN whose `halfOpenAt` has passed goes on to HALF_OPEN at once; an OPEN adopted while OPEN
   * for another period takes the new period's times without an event, and one adopted in the
   * HALF_OPEN of the same period changes nothing. Returns whether anything changed.
   *
   * @throws TypeError naming the field when `shared` is malformed.
   */
  adopt(shared: AdoptedState): boolean {
    this.assertUsable();
    const adopted = parseAdoptedState(shared);
    const now = this.settings.clock.now();
    this.advanceTime(now);
    const current = this.period;
    if (adopted.state !== "OPEN") {
      if (current.state === adopted.state) return false;
      if (adopted.state === "CLOSED") this.enterClosed("adopted", now);
      else this.holdIn(adopted.state, "adopted");
      return true;
    }
    const opened = current.state === "OPEN" || current.state === "HALF_OPEN" ? current : undefined;
    if (opened?.openedAt === adopted.openedAt && opened.halfOpenAt === adopted.halfOpenAt) return false;
    this.backoffSteps = adopted.backoffSteps;
    this.beginPeriod({ state: "OPEN", openedAt: adopted.openedAt, halfOpenAt: adopted.halfOpenAt });
    this.wakeAt(adopted.halfOpenAt);
    // Only OPEN to OPEN is a re-timing: HALF_OPEN to OPEN (a trial failed elsewhere) is a change.
    if (current.state !== "OPEN") this.announce(current.state, "adopted", now);
    this.advanceTime(now);
    return true;
  }

  /**
   * Clear every timer (including running calls' timeouts; those calls settle with `fn`'s outcome)
   * and every listener. Afterwards `execute` rejects with a `TypeError`.
   */
  dispose(): void {
    this.disposed = true;
    this.plain = false;
    this.stateAlarm?.clear();
    this.deadlines?.clear();
    this.listeners = [];
  }

  /**
   * Calls started and not yet settled.
   * @internal for {@link BreakerRegistry}, which evicts only breakers with none.
   */
  get inFlight(): number {
    return this.running;
  }

  /**
   * Calls counted in `totals` so far.
   * @internal for {@link BreakerRegistry}, which sees a breaker used by its count moving.
   */
  get countedCalls(): number {
    return this.totals.calls;
  }

  /** A manual transition into a state only reset() leaves; DISABLED counts from a fresh window. */
  private holdIn(state: "FORCED_OPEN" | "DISABLED", reason: TransitionReason): void {
    this.assertUsable();
    const now = this.settings.clock.now();
    this.advanceTime(now);
    const from = this.period.state;
    if (from === state) return;
    this.beginPeriod({ state });
    if (state === "DISABLED") this.freshWindow();
    this.announce(from, reason, now);
  }

  /** Take over a saved state (see `initialState`); the window was restored with the settings. */
  private restore(saved: PersistedState, now: number): void {
    Object.assign(this.totals, saved.totals);
    this.backoffSteps = saved.backoffSteps;
    this.consecutiveFailures = saved.consecutiveFailures;
    const { state, openedAt, halfOpenAt } = saved;
    if (state === "OPEN" || state === "HALF_OPEN") {
      // No trial survives a restart: a HALF_OPEN comes back as an OPEN that ends at once.
      const endsAt = state === "OPEN" && halfOpenAt !== null ? halfOpenAt : now;
      this.beginPeriod({ state: "OPEN", openedAt: openedAt ?? now, halfOpenAt: endsAt });
      this.wakeAt(endsAt);
    } else {
      this.beginPeriod({ state });
    }
  }

  /**
   * Have the state's timer fire at `at` (to announce the transition then). A disposed breaker sets
   * none: a call still running at dispose() may trip it later, and its state stays exact anyway.
   */
  private wakeAt(at: number): void {
    if (this.disposed) return;
    this.stateAlarm ??= new Alarm(this.settings.clock, () => this.advanceTime(this.settings.clock.now()));
    this.stateAlarm.set(at);
  }

  private updatePlain(): void {
    const state = this.period.state;
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
      return this.runGuarded(fn, undefined, this.settings.clock.now(), false, this.hooks());
    }
    const handlers = this.handlersFor(this.period);
    this.running += 1;
    let result: T | PromiseLike<T>;
    try {
      result = fn(NEVER_ABORTED);
    } catch (error) {
      handlers.onError(error);
      return Promise.reject(error);
    }
    return observe(result, handlers.onValue, handlers.onError);
  }

  private handlersFor(period: Period): PlainHandlers {
    let handlers = this.plainHandlers;
    if (handlers === undefined || handlers.period !== period) {
      handlers = {
        period,
        onValue: (value) => this.settleValue(value, period, undefined),
        onError: (error) => this.settleError(error, period, undefined),
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
      this.settleIgnored(0, reason, this.period, this.listeners.length > 0 ? this.settings.clock.now() : undefined, false);
      return Promise.reject(reason);
    }
    const refusal = this.admit();
    if (refusal !== undefined) return refusal;
    const period = this.period;
    if (period.state === "HALF_OPEN" && this.settings.trialGate !== undefined) return this.launchGated(fn, opts, period);
    const startedAt = this.settings.clock.now();
    if (callerSignal === undefined && this.settings.timeoutMs === null) return this.run(fn, startedAt);
    return this.runGuarded(fn, callerSignal, startedAt, true, this.hooks());
  }

  /**
   * A trial that holds a local slot in `period` and asks the trial gate for a fleet-wide one. A
   * period that moved on while the gate answered gives the ticket back and admits the call anew.
   */
  private async launchGated<T>(fn: (signal: AbortSignal) => T | PromiseLike<T>, opts: ExecuteOptions | undefined, period: HalfOpenPeriod): Promise<T> {
    const { trialGate, name } = this.settings;
    let admission: TrialAdmission;
    try {
      admission = (await trialGate!.acquire({ breaker: name, openedAt: period.openedAt, halfOpenAt: period.halfOpenAt })) ?? null;
    } catch {
      admission = null;
    }
    const ticket = admission === "alone" ? null : admission;
    const now = this.settings.clock.now();
    if (!this.isCurrent(period, now)) {
      if (ticket !== null) this.releaseTicket(ticket);
      return this.execute(fn, opts);
    }
    if (admission === null || this.disposed) {
      period.inFlight -= 1;
      if (ticket !== null) this.releaseTicket(ticket);
      // Disposed meanwhile: the TypeError execute gives a disposed breaker, not a refusal.
      if (this.disposed) throw new TypeError(`Circuit breaker "${name}" is disposed`);
      const refusal = this.refuse("HALF_OPEN", null, now);
      (this.gatedRefusals ??= new WeakSet()).add(refusal);
      throw refusal;
    }
    const hooks = ticket === null ? this.hooks() : this.trialHooks(ticket);
    const callerSignal = opts?.signal;
    if (callerSignal?.aborted) {
      // The caller gave up while the gate answered: an admitted call that ends at once, ignored.
      this.running += 1;
      hooks.cancelled(callerSignal.reason, period, 0, now);
      throw callerSignal.reason;
    }
    return this.runGuarded(fn, callerSignal, now, true, hooks);
  }

  /** The hooks of one gated trial: the shared ones, with the trial's ticket in hand while it settles. */
  private trialHooks(ticket: TrialTicket): CallHooks {
    const hooks = this.hooks();
    const withTicket = <A extends unknown[]>(settle: (...args: A) => void) => (...args: A) => {
      this.settlingTicket = ticket;
      try {
        settle(...args);
      } finally {
        this.settlingTicket = undefined;
      }
    };
    return {
      ...hooks,
      value: withTicket(hooks.value),
      error: withTicket(hooks.error),
      timedOut: withTicket(hooks.timedOut),
      cancelled: withTicket(hooks.cancelled),
    };
  }

  /**
   * Report a gated trial's outcome and judge the period on the counts the gate answers; a lost
   * slot, a gate that throws, or a period gone meanwhile decides nothing.
   */
  private reportTrial(ticket: TrialTicket, period: HalfOpenPeriod, outcome: "success" | "failure", slow: boolean): void {
    Promise.resolve()
      .then(() => ticket.settle(outcome, slow))
      .then(
        (counts) => {
          if (counts === null || counts === undefined || !this.isCurrent(period, undefined)) return;
          const decision = this.judgeFleetTrials(period, counts, outcome);
          if (decision !== null) this.decide(decision, period, undefined);
        },
        () => undefined,
      );
  }

  private judgeFleetTrials(period: HalfOpenPeriod, counts: TrialCounts, outcome: "success" | "failure"): TransitionReason | null {
    period.successes = counts.successes;
    period.failures = counts.failures;
    period.slowCalls = counts.slowCalls;
    if (outcome === "failure" && this.settings.halfOpenPolicy === "any-failure") return "trial-failed";
    return this.judgeTrials(period);
  }

  /** Give a ticket back unused: its slot frees now rather than when its lease runs out. */
  private releaseTicket(ticket: TrialTicket): void {
    Promise.resolve()
      .then(() => ticket.settle("ignored", false))
      .catch(() => undefined);
  }

  /** Decide whether a call may run now, in the current period (a trial takes a slot), or refuse it. */
  private admit(): CircuitOpenError | undefined {
    const period = this.period;
    if (period.state === "CLOSED" || period.state === "DISABLED") return undefined;
    const now = this.settings.clock.now();
    // The rejection path of a failing system: refuse without walking through the other states.
    if (period.state === "OPEN" && now < period.halfOpenAt) return this.refuse("OPEN", period.halfOpenAt - now, now);
    if (period.state !== "FORCED_OPEN") this.advanceTime(now);
    return this.admitIn(this.period, now);
  }

  /** Admission in `period`, the current one once time has been advanced to `now`. */
  private admitIn(period: Period, now: number): CircuitOpenError | undefined {
    switch (period.state) {
      case "CLOSED":
      case "DISABLED":
        return undefined;
      case "FORCED_OPEN":
        return this.refuse("FORCED_OPEN", null, now);
      case "OPEN":
        return this.refuse("OPEN", period.halfOpenAt - now, now);
      case "HALF_OPEN":
        if (period.inFlight >= this.settings.halfOpenMaxCalls) return this.refuse("HALF_OPEN", null, now);
        period.inFlight += 1;
        return undefined;
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
  private run<T>(fn: (signal: AbortSignal) => T | PromiseLike<T>, startedAt: number): Promise<T> {
    const period = this.period;
    this.running += 1;
    let result: T | PromiseLike<T>;
    try {
      result = fn(NEVER_ABORTED);
    } catch (error) {
      this.settleError(error, period, startedAt);
      return Promise.reject(error);
    }
    return observe(
      result,
      (value) => this.settleValue(value, period, startedAt),
      (error) => this.settleError(error, period, startedAt),
    );
  }

  /** A call that a timeout or the caller's signal can settle before `fn` does. */
  private runGuarded<T>(
    fn: (signal: AbortSignal) => T | PromiseLike<T>,
    callerSignal: AbortSignal | undefined,
    startedAt: number,
    measured: boolean,
    hooks: CallHooks,
  ): Promise<T> {
    // A function that declares no parameter cannot use the signal; creating one costs ~3 µs
    // on Node 20, more than everything else a timed call does, so it gets the shared one.
    const controller = fn.length > 0 ? new AbortController() : undefined;
    this.running += 1;
    const call = new GuardedCall<T>(
      hooks,
      this.settings.name,
      this.period,
      startedAt,
      measured,
      this.settings.timeoutMs,
      controller,
      callerSignal,
    );
    return call.start(fn, NEVER_ABORTED);
  }

  /** A permit for a call admitted in the current period; the breaker watches its timeout. */
  private grant(startedAt: number, measured: boolean): Permit {
    const timeoutMs = this.settings.timeoutMs;
    const hooks = this.hooks();
    this.running += 1;
    const permit = new Permit(hooks, this.settings.name, this.period, startedAt, measured, timeoutMs);
    if (timeoutMs !== null) hooks.track(permit, timeoutMs);
    return permit;
  }

  private hooks(): CallHooks {
    return (this.callHooks ??= {
      now: () => this.settings.clock.now(),
      track: (call, timeoutMs) => (this.deadlines ??= new DeadlineQueue(this.settings.clock)).add(call, timeoutMs),
      release: (call) => this.deadlines?.release(call),
      value: (value, period, startedAt) => this.settleValue(value, period, startedAt),
      error: (error, period, startedAt) => this.settleError(error, period, startedAt),
      timedOut: (error: CallTimeoutError, period, durationMs, now) => this.settleFailure(durationMs, error, true, period, now),
      cancelled: (reason, period, durationMs, now) => this.settleIgnored(durationMs, reason, period, now, true),
    });
  }

  /** When a call settles: its duration needs the clock, and so does a time window's stamp. */
  private settledAt(startedAt: number | undefined): number | undefined {
    return startedAt === undefined && !(this.window instanceof TimeWindow) ? undefined : this.settings.clock.now();
  }

  private settleValue(value: unknown, period: Period, startedAt: number | undefined): void {
    const now = this.settledAt(startedAt);
    const durationMs = durationOf(startedAt, now);
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
        this.settleFailure(durationMs, failure, false, period, now);
        return;
      }
    }
    this.settleSuccess(durationMs, period, now);
  }

  private settleError(error: unknown, period: Period, startedAt: number | undefined): void {
    const now = this.settledAt(startedAt);
    const durationMs = durationOf(startedAt, now);
    const isFailure = this.settings.isFailure;
    let failed = true;
    if (isFailure !== undefined) {
      try {
        failed = !!isFailure(error);
      } catch {
        failed = true;
      }
    }
    if (failed) this.settleFailure(durationMs, error, false, period, now);
    else this.settleIgnored(durationMs, error, period, now, true);
  }

  private isSlow(durationMs: number): boolean {
    const slowCallMs = this.settings.slowCallMs;
    return slowCallMs !== null && durationMs > slowCallMs;
  }

  /** Whether a call admitted in `period` may still change the breaker. */
  private isCurrent(period: Period, now: number | undefined): boolean {
    if (period !== this.period) return false;
    // A trial may have outlived its HALF_OPEN (maxHalfOpenMs) without the timer having said so.
    if (period.state === "HALF_OPEN") this.advanceTime(now ?? this.settings.clock.now());
    return period === this.period;
  }

  private settleSuccess(durationMs: number, period: Period, now: number | undefined): void {
    const slow = this.isSlow(durationMs);
    this.running -= 1;
    this.totals.calls += 1;
    this.totals.successes += 1;
    if (slow) this.totals.slow += 1;
    let decision: TransitionReason | null = null;
    if (this.isCurrent(period, now)) {
      if (period.state === "HALF_OPEN") {
        decision = this.settleTrial(period, false, slow);
      } else {
        this.consecutiveFailures = 0;
        this.window.record(false, slow, durationMs, now);
        decision = this.judge();
      }
    } else if (this.settlingTicket !== undefined) {
      this.releaseTicket(this.settlingTicket);
    }
    if (this.listeners.length > 0) {
      this.emit({ type: "success", breaker: this.settings.name, at: now ?? this.settings.clock.now(), durationMs, slow });
    }
    if (decision !== null) this.decide(decision, period, now);
  }

  private settleFailure(durationMs: number, error: unknown, timeout: boolean, period: Period, now: number | undefined): void {
    const slow = this.isSlow(durationMs);
    this.running -= 1;
    this.totals.calls += 1;
    this.totals.failures += 1;
    if (timeout) this.totals.timeouts += 1;
    if (slow) this.totals.slow += 1;
    let decision: TransitionReason | null = null;
    if (this.isCurrent(period, now)) {
      if (period.state === "HALF_OPEN") {
        decision = this.settleTrial(period, true, slow);
      } else {
        this.consecutiveFailures += 1;
        this.window.record(true, slow, durationMs, now);
        decision = this.judge();
      }
    } else if (this.settlingTicket !== undefined) {
      this.releaseTicket(this.settlingTicket);
    }
    if (this.listeners.length > 0) {
      this.emit({ type: "failure", breaker: this.settings.name, at: now ?? this.settings.clock.now(), durationMs, error, timeout });
    }
    if (decision !== null) this.decide(decision, period, now);
  }

  /**
   * A trial of the current HALF_OPEN settled: counted and judged here, or, for a gated trial,
   * reported to the trial gate, whose answer judges it later.
   */
  private settleTrial(period: HalfOpenPeriod, failed: boolean, slow: boolean): TransitionReason | null {
    period.inFlight -= 1;
    const ticket = this.settlingTicket;
    if (ticket !== undefined) {
      this.reportTrial(ticket, period, failed ? "failure" : "success", slow);
      return null;
    }
    if (failed) period.failures += 1;
    else period.successes += 1;
    if (slow) period.slowCalls += 1;
    return failed && this.settings.halfOpenPolicy === "any-failure" ? "trial-failed" : this.judgeTrials(period);
  }

  /** `admitted`: false for a call whose signal was aborted before it could be admitted. */
  private settleIgnored(durationMs: number, error: unknown, period: Period, now: number | undefined, admitted: boolean): void {
    if (admitted) this.running -= 1;
    this.totals.calls += 1;
    this.totals.ignored += 1;
    // An ignored trial gives its slot back without deciding anything.
    if (admitted && period.state === "HALF_OPEN" && this.isCurrent(period, now)) period.inFlight -= 1;
    if (this.settlingTicket !== undefined) this.releaseTicket(this.settlingTicket);
    if (this.listeners.length > 0) {
      this.emit({ type: "ignored", breaker: this.settings.name, at: now ?? this.settings.clock.now(), durationMs, error });
    }
  }

  /** The trip decision of a CLOSED breaker after a call entered its window. */
  private judge(): TransitionReason | null {
    if (this.period.state !== "CLOSED") return null;
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

  /**
   * The decision of HALF_OPEN after a trial settled. "any-failure" (a failure never gets here):
   * close after `successThreshold` successes. "rates": once `successThreshold` trials settled,
   * reopen when their failure or slow-call rate reaches its threshold, else close.
   */
  private judgeTrials(period: HalfOpenPeriod): TransitionReason | null {
    const settings = this.settings;
    if (settings.halfOpenPolicy === "any-failure") {
      return period.successes >= settings.successThreshold ? "trial-succeeded" : null;
    }
    const settled = period.successes + period.failures;
    if (settled < settings.successThreshold) return null;
    if ((period.failures / settled) * 100 >= settings.failureRateThreshold) return "trial-failed";
    if (settings.slowCallMs !== null && (period.slowCalls / settled) * 100 >= settings.slowCallRateThreshold) return "trial-failed";
    return "trial-succeeded";
  }

  /** Carry out a call's decision, unless a listener of its outcome event moved the breaker on. */
  private decide(reason: TransitionReason, period: Period, now: number | undefined): void {
    if (period !== this.period) return;
    const at = now ?? this.settings.clock.now();
    if (reason === "trial-succeeded") this.enterClosed(reason, at);
    else this.enterOpen(reason, at);
  }

  /** Apply the transitions that time has made due by `now`, each at the instant it took effect. */
  private advanceTime(now: number): void {
    for (;;) {
      const period = this.period;
      if (period.state === "OPEN") {
        if (now < period.halfOpenAt) return;
        this.enterHalfOpen(period);
      } else if (period.state === "HALF_OPEN") {
        if (now < period.endsAt) return;
        const cycleMs = this.openDurationMs() + this.settings.maxHalfOpenMs;
        const cycles = Math.floor((now - period.endsAt) / cycleMs);
        const at = cycles > MAX_REPLAYED_CYCLES ? period.endsAt + (cycles - 1) * cycleMs : period.endsAt;
        this.enterOpen("half-open-timeout", at);
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

  private beginPeriod(period: Period): void {
    this.period = period;
    this.plainHandlers = undefined;
    this.stateAlarm?.clear();
    this.updatePlain();
  }

  private freshWindow(): void {
    this.window = createWindow(this.settings.slidingWindow);
    this.consecutiveFailures = 0;
  }

  private enterOpen(reason: TransitionReason, at: number): void {
    const from = this.period.state;
    if (reason === "trial-failed") this.backoffSteps += 1;
    const halfOpenAt = at + this.openDurationMs();
    this.beginPeriod({ state: "OPEN", openedAt: at, halfOpenAt });
    this.wakeAt(halfOpenAt);
    this.announce(from, reason, at);
  }

  private enterHalfOpen(open: { readonly openedAt: number; readonly halfOpenAt: number }): void {
    const at = open.halfOpenAt;
    const endsAt = at + Math.max(MIN_PERIOD_MS, this.settings.maxHalfOpenMs);
    this.beginPeriod(halfOpenPeriod(open.openedAt, open.halfOpenAt, endsAt));
    this.wakeAt(endsAt);
    this.announce("OPEN", "open-elapsed", at);
  }

  private enterClosed(reason: "trial-succeeded" | "reset" | "adopted", at: number): void {
    const from = this.period.state;
    this.beginPeriod({ state: "CLOSED" });
    this.freshWindow();
    this.backoffSteps = 0;
    if (from !== "CLOSED") this.announce(from, reason, at);
  }

  private announce(from: BreakerState, reason: TransitionReason, at: number): void {
    if (this.listeners.length > 0) {
      this.emit({ type: "state", breaker: this.settings.name, at, from, to: this.period.state, reason });
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

/** A call's duration, or UNTIMED when it was not measured. */
function durationOf(startedAt: number | undefined, now: number | undefined): number {
  return startedAt === undefined || now === undefined ? UNTIMED : now - startedAt;
}

const ADOPTABLE_STATES: readonly AdoptedState["state"][] = ["CLOSED", "OPEN", "FORCED_OPEN", "DISABLED"];

/** Check what {@link CircuitBreaker.adopt} is given, naming the field that is wrong. */
function parseAdoptedState(value: unknown): AdoptedState {
  if (!isRecord(value)) throw invalid(TypeError, "state", `adopt() needs a state object, got ${describeValue(value)}`);
  const state = value.state;
  if (!ADOPTABLE_STATES.includes(state as AdoptedState["state"])) {
    throw invalid(TypeError, "state", `adopt(): state must be one of ${ADOPTABLE_STATES.join(", ")}, got ${describeValue(state)}`);
  }
  if (state !== "OPEN") return { state: state as "CLOSED" | "FORCED_OPEN" | "DISABLED" };
  const { openedAt, halfOpenAt, backoffSteps } = value;
  if (typeof openedAt !== "number" || !Number.isFinite(openedAt)) {
    throw invalid(TypeError, "openedAt", `adopt(): openedAt must be a finite number, got ${describeValue(openedAt)}`);
  }
  if (typeof halfOpenAt !== "number" || !Number.isFinite(halfOpenAt) || halfOpenAt < openedAt) {
    throw invalid(TypeError, "halfOpenAt", `adopt(): halfOpenAt must be a finite number >= openedAt, got ${describeValue(halfOpenAt)}`);
  }
  if (typeof backoffSteps !== "number" || !Number.isInteger(backoffSteps) || backoffSteps < 0) {
    throw invalid(TypeError, "backoffSteps", `adopt(): backoffSteps must be an integer >= 0, got ${describeValue(backoffSteps)}`);
  }
  return { state, openedAt, halfOpenAt, backoffSteps };
}
