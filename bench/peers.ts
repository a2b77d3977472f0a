/**
 * The peers of the benchmark — opossum and cockatiel — presented through the harness's
 * {@link Subject} interface, one factory per scenario, so that the timed loop is the same for
 * every library (ours included, once `lib/breaker` is ready: see {@link executorSubject}).
 *
 * Configuration policy: every option a scenario does not name keeps the library's default,
 * because that is what its users get; every option we set is commented with why. Where a peer
 * cannot express the scenario exactly, the comment says what it does instead.
 *
 * Scenarios (each comes with the equivalent options for our breaker in `Scenario.ours`):
 *  a. CLOSED, success, consecutive-failure mode.
 *  b. CLOSED, success, 10 s time window.
 *  c. CLOSED, success, 3 s call timeout.
 *  d. OPEN: every call rejected by the breaker without running the target.
 *  e. CLOSED, failing calls against a window already holding 100 000 successful calls
 *     (exposes opossum's per-failure statistics: it concatenates and sorts every latency
 *     sample in the window on each failure).
 */
import CircuitBreaker from "opossum";
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  SamplingBreaker,
  TimeoutStrategy,
  circuitBreaker,
  handleAll,
  timeout,
  wrap,
  type CircuitBreakerPolicy,
} from "cockatiel";
import {
  TARGET_ERROR,
  rejectedTarget,
  resolvedTarget,
  type Expectation,
  type Subject,
  type Target,
  type TryOutcome,
} from "./harness";

export type { Subject, Target, TryOutcome } from "./harness";

/** The state a subject must stay in while it is measured (checked after each measurement). */
export type ExpectedState = "closed" | "open";

// ---------------------------------------------------------------------------------------------
// Generic adapters
// ---------------------------------------------------------------------------------------------

/**
 * Anything with an `execute(fn)` that runs `fn` and settles as it settles: a cockatiel policy,
 * and our own `CircuitBreaker` (`execute(fn, opts?)`, `tryExecute(fn, opts?)`). The target
 * ignores whatever argument the library passes it (cockatiel's context, our AbortSignal).
 */
export interface ExecuteLike {
  execute(fn: Target): Promise<unknown>;
  tryExecute?(fn: Target): Promise<TryOutcome>;
}

/** Wraps an {@link ExecuteLike} as a {@link Subject}; `extras` adds `check`, `expectError`, `dispose`. */
export function executorSubject(
  name: string,
  executor: ExecuteLike,
  extras: Pick<Subject, "check" | "expectError" | "dispose"> = {},
): Subject {
  const tryExecute = executor.tryExecute;
  return {
    name,
    call: (fn) => executor.execute(fn),
    ...(tryExecute ? { tryCall: (fn: Target) => tryExecute.call(executor, fn) } : {}),
    ...extras,
  };
}

// ---------------------------------------------------------------------------------------------
// opossum
// ---------------------------------------------------------------------------------------------

/** A subject around an opossum breaker, with the breaker exposed for inspection. */
export interface OpossumSubject extends Subject {
  /** For inspection (state, stats); call through the subject. */
  readonly breaker: CircuitBreaker<unknown[], unknown>;
}

export interface OpossumSubjectOptions {
  /**
   * Construct the breaker around this function (opossum's idiomatic form: one breaker per
   * function, `fire()` with no arguments). `call(fn)` must then be given this same function
   * (anything else rejects). Without it, the breaker wraps a dispatcher (see below).
   */
  fixedTarget?: Target;
  /** More checks after each measurement (e.g. the window still holds its samples). */
  extraCheck?(breaker: CircuitBreaker<unknown[], unknown>): void;
}

/**
 * opossum wraps one fixed function at construction (`new CircuitBreaker(action)`; `fire(...args)`
 * passes its arguments to that action). Two ways to present it as a Subject:
 * - `fixedTarget` given: the breaker wraps the scenario's constant target and `call` fires it
 *   with no argument — the idiomatic use, and the cheaper one (≈ 150–200 ns less per call on
 *   Node 20 than the dispatcher). Used for a–d, whose target is constant.
 * - otherwise a dispatcher, `(fn) => fn()`, fired as `fire(fn)` — the usual way to put many
 *   different calls behind one opossum breaker. Used for e, whose fill runs other targets.
 *
 * `shutdown()` on dispose clears its two `setInterval`s (bucket rotation, snapshots).
 */
export function opossumSubject(
  name: string,
  options: CircuitBreaker.Options,
  expected: ExpectedState,
  { fixedTarget, extraCheck }: OpossumSubjectOptions = {},
): OpossumSubject {
  let call: (fn: Target) => Promise<unknown>;
  let breaker: CircuitBreaker<unknown[], unknown>;
  if (fixedTarget) {
    const fixed = new CircuitBreaker<[], unknown>(fixedTarget, { name, ...options });
    breaker = fixed;
    call = (fn) =>
      fn === fixedTarget ? fixed.fire() : Promise.reject(new TypeError(`${name}: wraps a fixed target, got another`));
  } else {
    const dispatching = new CircuitBreaker<[Target], unknown>((fn: Target) => fn(), { name, ...options });
    breaker = dispatching;
    call = (fn) => dispatching.fire(fn);
  }
  return {
    name,
    breaker,
    call,
    expectError: (error) =>
      expected === "open"
        ? CircuitBreaker.isOurError(error as Error) && (error as { code?: unknown }).code === "EOPENBREAKER"
        : error === TARGET_ERROR,
    check() {
      const state = breaker.opened ? "open" : breaker.closed ? "closed" : "half-open";
      if (state !== expected) throw new Error(`${name}: expected the breaker ${expected}, it is ${state}`);
      extraCheck?.(breaker);
    },
    dispose: () => breaker.shutdown(),
  };
}

// ---------------------------------------------------------------------------------------------
// cockatiel
// ---------------------------------------------------------------------------------------------

/**
 * A subject around a cockatiel policy. `policy` is what is executed (a breaker, or a `wrap(…)`
 * of a breaker and a timeout); `breaker` is the circuit-breaker policy inside it, whose state is
 * checked. cockatiel has no timers while CLOSED or OPEN (OPEN → HALF_OPEN is decided lazily by
 * `Date.now()` at the next call), so there is nothing to dispose.
 */
export function cockatielSubject(
  name: string,
  policy: ExecuteLike,
  breaker: CircuitBreakerPolicy,
  expected: ExpectedState,
  extraCheck?: () => void,
): Subject {
  return executorSubject(name, policy, {
    expectError: (error) => (expected === "open" ? error instanceof BrokenCircuitError : error === TARGET_ERROR),
    check() {
      const state = CircuitState[breaker.state];
      const want = expected === "open" ? CircuitState.Open : CircuitState.Closed;
      if (breaker.state !== want) throw new Error(`${name}: expected the breaker ${expected}, it is ${state}`);
      extraCheck?.();
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Scenario preparation (generic: works on any Subject, ours included)
// ---------------------------------------------------------------------------------------------

/**
 * Trips a breaker: calls a failing target until a call is rejected by the breaker itself
 * (an error other than the target's). Throws if it has not tripped after `maxCalls` calls.
 */
export async function tripSubject(subject: Subject, maxCalls = 1_000): Promise<number> {
  for (let i = 1; i <= maxCalls; i++) {
    try {
      await subject.call(rejectedTarget);
    } catch (error) {
      if (error !== TARGET_ERROR) return i;
      continue;
    }
    throw new Error(`${subject.name}: the failing target resolved while tripping`);
  }
  throw new Error(`${subject.name}: did not trip within ${maxCalls} failing calls`);
}

export interface FillOptions {
  /**
   * Upper bound of the latency of each successful call, in ms. `0` (default): the target
   * resolves at once and calls run one after the other (opossum then records 0 ms for all of
   * them). Above 0: each call waits a pseudo-random 0…maxLatencyMs ms on a real timer, with
   * `concurrency` calls in flight, so the window holds the spread of latencies a real upstream
   * produces (which is what makes sorting them cost n·log n rather than one linear pass).
   */
  maxLatencyMs?: number;
  /** Calls in flight at once when `maxLatencyMs > 0`. Default 10 000. */
  concurrency?: number;
  /** Seed of the latency sequence (same for every subject, so each window gets the same data). */
  seed?: number;
}

/** Runs `count` successful calls through `subject` to fill its window. */
export async function fillWindow(subject: Subject, count: number, options: FillOptions = {}): Promise<void> {
  const maxLatencyMs = options.maxLatencyMs ?? 0;
  if (maxLatencyMs <= 0) {
    for (let i = 0; i < count; i++) await subject.call(resolvedTarget);
    return;
  }
  const concurrency = options.concurrency ?? 10_000;
  let seed = (options.seed ?? 0x9e3779b9) >>> 0;
  const nextDelay = () => {
    // xorshift32: deterministic, so every subject is filled with the same latency sequence.
    seed ^= seed << 13;
    seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    seed >>>= 0;
    return seed % (maxLatencyMs + 1);
  };
  for (let done = 0; done < count; ) {
    const batch = Math.min(concurrency, count - done);
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < batch; i++) {
      const delay = nextDelay();
      calls.push(subject.call(() => new Promise((resolve) => setTimeout(resolve, delay))));
    }
    await Promise.all(calls);
    done += batch;
  }
}

// ---------------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------------

export type ScenarioId = "a" | "b" | "c" | "d" | "e";

export interface Scenario {
  readonly id: ScenarioId;
  readonly title: string;
  /** The target every iteration runs (the same for every subject and the baseline). */
  readonly target: Target;
  /** Whether the timed calls resolve or reject. */
  readonly expect: Expectation;
  /**
   * Our breaker's options for the same scenario (plain data; `lib/breaker` is not imported
   * here). Create it with `new CircuitBreaker(scenario.ours)`, then run `scenario.prepare`.
   */
  readonly ours: Readonly<Record<string, unknown>>;
  /** Brings any subject into the measured state (trip it, fill its window); a no-op for a–c. */
  prepare(subject: Subject): Promise<void>;
  /** Creates the peers' subjects, already prepared. Dispose them when done. */
  createPeers(): Promise<Subject[]>;
}

/** Open period long enough that no measurement reaches HALF_OPEN (scenario d). */
export const LONG_OPEN_MS = 600_000;

// --- a. CLOSED success, consecutive mode ----------------------------------------------------

/** Our `{ failureThreshold: 5, openMs: 10_000 }`. */
export function cockatielClosedConsecutive(): Subject {
  // handleAll: every error is a failure (our default isFailure).
  // ConsecutiveBreaker(5): trips after 5 consecutive failures (our failureThreshold: 5).
  // halfOpenAfter 10 s: our openMs.
  const breaker = circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) });
  return cockatielSubject("cockatiel", breaker, breaker, "closed");
}

export function opossumClosedConsecutive(): OpossumSubject {
  // opossum has no consecutive-failure mode (the old `maxFailures` is deprecated and ignored:
  // it only logs a warning). Its only trip rule is "error % in the rolling window >
  // errorThresholdPercentage once the window holds volumeThreshold calls"; the nearest to
  // "5 consecutive failures" is that rule from 5 calls on. The success path runs the same code
  // whatever the thresholds, so the figure is comparable.
  return opossumSubject(
    "opossum",
    {
      timeout: false, // no call timeout in this scenario (opossum's default is 10 s)
      resetTimeout: 10_000, // our openMs
      errorThresholdPercentage: 50, // (opossum's default)
      volumeThreshold: 5, // judge from 5 calls on, like failureThreshold 5
      // rollingCountTimeout 10 s / 10 buckets, rollingPercentilesEnabled and enableSnapshots
      // stay at opossum's defaults (all on): what an opossum user gets.
    },
    "closed",
    { fixedTarget: resolvedTarget },
  );
}

// --- b. CLOSED success, 10 s time window ----------------------------------------------------

/** Our `{ slidingWindow: { type: "time", ms: 10_000 }, failureRateThreshold: 50, minimumCalls: 10 }`. */
export function cockatielClosedTimeWindow(): Subject {
  // SamplingBreaker: failure *ratio* over a time window, split into max(5, ceil(duration/1s))
  // = 10 one-second sub-windows. threshold 0.5 = our failureRateThreshold 50 (cockatiel trips
  // on failures > 50 %, we on ≥ 50 %; irrelevant to the success path). cockatiel has no
  // "minimum calls", only minimumRps: minimumRps × duration = minimum calls in the window,
  // so 1 rps × 10 s = our minimumCalls 10.
  const breaker = circuitBreaker(handleAll, {
    halfOpenAfter: 10_000,
    breaker: new SamplingBreaker({ threshold: 0.5, duration: 10_000, minimumRps: 1 }),
  });
  return cockatielSubject("cockatiel", breaker, breaker, "closed");
}

export function opossumClosedTimeWindow(): OpossumSubject {
  return opossumSubject(
    "opossum",
    {
      timeout: false, // no call timeout in this scenario
      resetTimeout: 10_000, // our openMs
      rollingCountTimeout: 10_000, // the 10 s window (opossum's default)
      rollingCountBuckets: 10, // 1 s buckets (opossum's default)
      errorThresholdPercentage: 50, // trips on > 50 % (we trip on ≥ 50 %)
      volumeThreshold: 10, // our minimumCalls
    },
    "closed",
    { fixedTarget: resolvedTarget },
  );
}

// --- c. CLOSED success, 3 s timeout ---------------------------------------------------------

/** Our `{ failureThreshold: 5, openMs: 10_000, timeoutMs: 3_000 }`. */
export function cockatielClosedTimeoutCooperative(): Subject {
  // As specified for the benchmark: wrap(timeout, breaker) — the timeout policy is *outside*
  // the breaker, Cooperative: at 3 s it only aborts the signal it passes down and keeps
  // waiting for fn. So a call that overruns is not failed by the timeout, and the breaker
  // sees a failure only if fn honours the abort and rejects. Per call: an AbortController, a
  // (referenced) setTimeout + clearTimeout, an abort listener added and removed, and abort()
  // on return (abortOnReturn defaults to true). On Node 20 the AbortSignal work dominates:
  // abort() alone costs ~10–18 µs (a DOMException plus an event dispatch).
  const breaker = circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) });
  const policy = wrap(timeout(3_000, TimeoutStrategy.Cooperative), breaker);
  return cockatielSubject("cockatiel wrap(timeout coop, breaker)", policy, breaker, "closed");
}

export function cockatielClosedTimeoutAggressive(): Subject {
  // The composition that matches our timeoutMs (and opossum's timeout): the breaker outside,
  // an Aggressive timeout inside — at 3 s the call rejects at once with TaskCancelledError,
  // the signal aborts, and the breaker counts the timeout as a failure. Aggressive adds a
  // Promise.race and an extra async frame per call.
  const breaker = circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) });
  const policy = wrap(breaker, timeout(3_000, TimeoutStrategy.Aggressive));
  return cockatielSubject("cockatiel wrap(breaker, timeout aggr.)", policy, breaker, "closed");
}

export function opossumClosedTimeout(): OpossumSubject {
  return opossumSubject(
    "opossum",
    {
      timeout: 3_000, // rejects with ETIMEDOUT at 3 s and counts a failure (a setTimeout per call)
      resetTimeout: 10_000, // our openMs
      errorThresholdPercentage: 50, // (default) as in a
      volumeThreshold: 5, // as in a
    },
    "closed",
    { fixedTarget: resolvedTarget },
  );
}

// --- d. OPEN rejection ----------------------------------------------------------------------

/** Our `{ failureThreshold: 5, openMs: LONG_OPEN_MS }`, tripped. */
export async function cockatielOpen(): Promise<Subject> {
  // As in a, with an open period long enough that no measurement reaches HALF_OPEN.
  // A rejection is `throw new BrokenCircuitError()` inside an async function (a new Error,
  // with its stack, per call) after a Date.now() comparison.
  const breaker = circuitBreaker(handleAll, { halfOpenAfter: LONG_OPEN_MS, breaker: new ConsecutiveBreaker(5) });
  const subject = cockatielSubject("cockatiel", breaker, breaker, "open");
  await tripSubject(subject);
  subject.check?.();
  return subject;
}

export async function opossumOpen(): Promise<OpossumSubject> {
  // As in a, with a long resetTimeout. A rejection emits 'fire' and 'reject' (counted in the
  // rolling window) and returns Promise.reject(new Error('Breaker is open')) with
  // code EOPENBREAKER (a new Error, with its stack, per call).
  const subject = opossumSubject(
    "opossum",
    { timeout: false, resetTimeout: LONG_OPEN_MS, errorThresholdPercentage: 50, volumeThreshold: 5 },
    "open",
    { fixedTarget: rejectedTarget },
  );
  await tripSubject(subject);
  subject.check?.();
  return subject;
}

// --- e. failure path, large window ----------------------------------------------------------

export interface LargeWindowOptions extends FillOptions {
  /** Successful calls put in the window before failing calls are timed. Default 100 000. */
  fill?: number;
  /**
   * Window length. Default 60 s: the filled calls must stay in the window for the whole
   * measurement (opossum drops a whole bucket, here 6 s, at each rotation; `check()` throws
   * once the window has lost them). Keep the timed part of the scenario well under this.
   */
  windowMs?: number;
}

const LARGE_WINDOW_DEFAULTS = { fill: 100_000, windowMs: 60_000 } as const;

/**
 * Our `{ slidingWindow: { type: "time", ms: windowMs }, failureRateThreshold: 100,
 * minimumCalls: Number.MAX_SAFE_INTEGER }` — a window that never trips.
 */
export async function opossumLargeWindowFailure(
  options: LargeWindowOptions = {},
  percentiles = true,
): Promise<OpossumSubject> {
  const { fill, windowMs } = { ...LARGE_WINDOW_DEFAULTS, ...options };
  const subject = opossumSubject(
    percentiles ? "opossum (percentiles on)" : "opossum (percentiles, snapshots off)",
    {
      timeout: false, // failing calls reject at once; a timer would only add noise
      rollingCountTimeout: windowMs, // the large window…
      rollingCountBuckets: 10, // …in opossum's default 10 buckets
      // On (opossum's default): every call's latency is recorded, and *each failure* builds the
      // window's stats before deciding whether to open: the latency arrays are concatenated
      // bucket by bucket (the accumulated array is copied once per bucket, 10 copies of the
      // whole window), sorted, summed for the mean, and 9 percentiles read. That is the cost
      // this scenario exposes. enableSnapshots (default on) also builds those stats once per
      // bucket interval in a timer, which runs between measurements, outside the timed region.
      rollingPercentilesEnabled: percentiles,
      enableSnapshots: percentiles,
      // Never trip, so that every timed call takes the failure path (not the open-rejection
      // path): the rate must exceed 100 % and the window hold 2^53 − 1 calls. The stats are
      // still computed first, whatever these are.
      errorThresholdPercentage: 100,
      volumeThreshold: Number.MAX_SAFE_INTEGER,
    },
    "closed",
    {
      // Dispatcher form (no fixedTarget): the fill runs other targets than the timed one.
      extraCheck(breaker) {
        const held = breaker.stats.successes;
        if (held < fill) throw new Error(`opossum: the window holds ${held} successes, fewer than ${fill}`);
      },
    },
  );
  await fillWindow(subject, fill, options);
  subject.check?.();
  return subject;
}

export async function cockatielLargeWindowFailure(options: LargeWindowOptions = {}): Promise<Subject> {
  const { fill, windowMs } = { ...LARGE_WINDOW_DEFAULTS, ...options };
  // SamplingBreaker keeps only success/failure counts per 1 s sub-window (no latencies), so
  // the window's size does not change its per-call cost. Its threshold must lie in (0, 1):
  // "never trip" cannot be said; 0.5 does not trip while the 100 000 successes dominate,
  // and check() would catch it if it did.
  const sampling = new SamplingBreaker({ threshold: 0.5, duration: windowMs, minimumRps: 1 });
  const breaker = circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: sampling });
  const subject = cockatielSubject("cockatiel", breaker, breaker, "closed", () => {
    const state = sampling.state as { windows: { successes: number }[] };
    const held = state.windows.reduce((sum, w) => sum + w.successes, 0);
    if (held < fill) throw new Error(`cockatiel: the window holds ${held} successes, fewer than ${fill}`);
  });
  await fillWindow(subject, fill, options);
  subject.check?.();
  return subject;
}

// --- the table of scenarios -----------------------------------------------------------------

const noPrepare = async (): Promise<void> => {};

/** Scenario e with custom fill/window options (the default instance is `SCENARIOS.e`). */
export function largeWindowScenario(options: LargeWindowOptions = {}): Scenario {
  const { fill, windowMs } = { ...LARGE_WINDOW_DEFAULTS, ...options };
  const latency = options.maxLatencyMs ? `latencies 0–${options.maxLatencyMs} ms` : "latencies 0 ms";
  return {
    id: "e",
    title: `failure path, ${windowMs / 1000} s window holding ${fill.toLocaleString("en-US")} successes (${latency})`,
    target: rejectedTarget,
    expect: "reject",
    ours: {
      slidingWindow: { type: "time", ms: windowMs },
      failureRateThreshold: 100,
      minimumCalls: Number.MAX_SAFE_INTEGER,
      openMs: 10_000,
    },
    prepare: (subject) => fillWindow(subject, fill, options),
    createPeers: async () => [
      await opossumLargeWindowFailure(options, true),
      await opossumLargeWindowFailure(options, false),
      await cockatielLargeWindowFailure(options),
    ],
  };
}

export const SCENARIOS: Readonly<Record<ScenarioId, Scenario>> = {
  a: {
    id: "a",
    title: "CLOSED success, consecutive mode",
    target: resolvedTarget,
    expect: "resolve",
    ours: { failureThreshold: 5, openMs: 10_000 },
    prepare: noPrepare,
    createPeers: async () => [opossumClosedConsecutive(), cockatielClosedConsecutive()],
  },
  b: {
    id: "b",
    title: "CLOSED success, 10 s time window",
    target: resolvedTarget,
    expect: "resolve",
    ours: { slidingWindow: { type: "time", ms: 10_000 }, failureRateThreshold: 50, minimumCalls: 10, openMs: 10_000 },
    prepare: noPrepare,
    createPeers: async () => [opossumClosedTimeWindow(), cockatielClosedTimeWindow()],
  },
  c: {
    id: "c",
    title: "CLOSED success, 3 s timeout",
    target: resolvedTarget,
    expect: "resolve",
    ours: { failureThreshold: 5, openMs: 10_000, timeoutMs: 3_000 },
    prepare: noPrepare,
    createPeers: async () => [
      opossumClosedTimeout(),
      cockatielClosedTimeoutCooperative(),
      cockatielClosedTimeoutAggressive(),
    ],
  },
  d: {
    id: "d",
    title: "OPEN rejection",
    target: rejectedTarget,
    expect: "reject",
    ours: { failureThreshold: 5, openMs: LONG_OPEN_MS },
    prepare: async (subject) => {
      await tripSubject(subject);
    },
    createPeers: async () => [await opossumOpen(), await cockatielOpen()],
  },
  e: largeWindowScenario(),
};

/** Disposes every subject that has a `dispose`. */
export function disposeAll(subjects: readonly Subject[]): void {
  for (const subject of subjects) subject.dispose?.();
}
