/**
 * A small, dependency-free measuring core for the circuit-breaker benchmark.
 *
 * Every library under test is presented as a {@link Subject}: one `call(fn)` that runs `fn`
 * through the library, so the timed loop is the same for all of them. A {@link baselineSubject}
 * (a bare `await fn()`) is timed in the same rounds, so that a library's *overhead* is
 * `median(ns per call) − median(baseline ns per call)`.
 *
 * Run with `node --expose-gc --import tsx …` so that `globalThis.gc` exists: a full collection
 * is then forced before every timed measurement, and {@link heapGrowth} can work.
 *
 * Notes on what a number means:
 * - Calls run one after the other (`await` each), never concurrently: this is the per-call
 *   cost of the library, not a throughput figure under load.
 * - A target that settles at once (`Promise.resolve`) never yields to the event loop, so no
 *   timer fires *inside* a measurement (opossum's bucket rotation and snapshots, cockatiel's
 *   or opossum's cleared timeouts). The harness yields to the event loop between
 *   measurements, outside the timed region, so that those timers still run.
 * - The call site `subject.call(target)` in {@link measure} sees every subject and therefore
 *   becomes megamorphic for all of them alike, baseline included; the baseline subtraction
 *   cancels that cost.
 */

/** The function a subject runs once per iteration (the "upstream"). */
export type Target = () => Promise<unknown>;

/** What {@link Subject.tryCall} resolves with: never rejects, says whether the call failed. */
export interface TryOutcome {
  readonly ok: boolean;
}

/** One library (or configuration of a library) under test, behind a single interface. */
export interface Subject {
  readonly name: string;
  /** Runs `fn` through the library; settles as the library settles (rejects on failure/rejection). */
  call(fn: Target): Promise<unknown>;
  /** A never-throwing variant, where the library offers one (ours: `tryExecute`). */
  tryCall?(fn: Target): Promise<TryOutcome>;
  /**
   * Whether an error seen in a "reject" measurement is the one the scenario means to measure
   * (e.g. the library's open-circuit rejection rather than the target's own error). Asked once
   * per measurement, after the timed loop, with the last error caught.
   */
  expectError?(error: unknown): boolean;
  /**
   * Throws when the subject is not in the state the scenario measures (a breaker meant to stay
   * CLOSED has tripped, one meant to stay OPEN has gone half-open, a window lost its samples).
   * Called after every measurement, outside the timed region.
   */
  check?(): void;
  /** Releases timers and listeners. */
  dispose?(): void;
}

/** Whether the timed calls are expected to resolve or to reject. */
export type Expectation = "resolve" | "reject";

export interface MeasureOptions {
  /** The function each iteration runs through the subject. Default: {@link resolvedTarget}. */
  target?: Target;
  /** Default `"resolve"`: a rejection then escapes and fails the measurement. */
  expect?: Expectation;
  /** Use `subject.tryCall` where the subject has one (falls back to `call`). Default false. */
  useTryCall?: boolean;
  /**
   * Time by the process's CPU time (`process.cpuUsage()`, µs resolution) instead of the wall
   * clock: on a machine busy with other work, the time other processes hold the cores then
   * stays out of the figures. Default false.
   */
  cpuTime?: boolean;
}

/** The wall clock in ns. */
function wallNs(): bigint {
  return process.hrtime.bigint();
}

/** This process's CPU time (user and system, every thread) in ns. */
function cpuNs(): bigint {
  const { user, system } = process.cpuUsage();
  return BigInt(user + system) * 1000n;
}

export interface RoundsOptions extends MeasureOptions {
  /** Measured rounds (each subject is timed once per round). */
  rounds: number;
  /**
   * Iterations (calls) per subject per round: one number for all, or per subject (the baseline
   * included) when their costs differ by orders of magnitude — results are per call, so
   * subjects timed over different counts stay comparable.
   */
  iterations: number | ((subject: Subject) => number);
  /** Rounds run first and discarded (JIT warm-up, lazy allocations). Default 3. */
  warmupRounds?: number;
  /**
   * The baseline timed in the same rounds: `true` (default) for {@link baselineSubject},
   * a subject of your own, or `false` for none (overheads are then `NaN`).
   */
  baseline?: boolean | Subject;
  /** Called after each round, outside the timed region (progress output, sanity checks). */
  onRound?(round: number, warmup: boolean): void;
}

export interface SubjectStats {
  readonly name: string;
  /** Median over the measured rounds of ns per call. */
  readonly medianNs: number;
  readonly minNs: number;
  readonly maxNs: number;
  /** `medianNs − baseline.medianNs` (`NaN` without a baseline; `0` for the baseline itself). */
  readonly overheadNs: number;
  /** ns per call of every measured round, in round order. */
  readonly samples: readonly number[];
}

export interface RoundsResult {
  /** The baseline's figures, or `null` when run without one. */
  readonly baseline: SubjectStats | null;
  /** One entry per subject passed in, in the order passed in (the baseline is not among them). */
  readonly subjects: readonly SubjectStats[];
}

const RESOLVED_VALUE = Object.freeze({ ok: true });
/**
 * An error built once: rejecting with it costs no stack capture per call, so a failing
 * iteration measures the library, not `new Error()`.
 */
export const TARGET_ERROR: Error = new Error("target failed (benchmark)");

/** A target that resolves at once with a constant value. */
export const resolvedTarget: Target = () => Promise.resolve(RESOLVED_VALUE);
/** A target that rejects at once with {@link TARGET_ERROR}. */
export const rejectedTarget: Target = () => Promise.reject(TARGET_ERROR);

/** A bare `await fn()`: the cost every subject is compared against. */
export function baselineSubject(name = "baseline (await fn())"): Subject {
  return {
    name,
    call(fn) {
      return fn();
    },
    async tryCall(fn) {
      try {
        await fn();
        return { ok: true };
      } catch {
        return { ok: false };
      }
    },
  };
}

/** True when the process runs with `--expose-gc`. */
export function hasGc(): boolean {
  return typeof globalThis.gc === "function";
}

/** Forces full collections when `gc` is exposed; returns whether it could. */
export function forceGc(passes = 2): boolean {
  const gc = globalThis.gc;
  if (typeof gc !== "function") return false;
  for (let i = 0; i < passes; i++) gc();
  return true;
}

/** Lets pending timers and I/O callbacks run (outside any timed region). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Times `iterations` sequential calls of `target` through `subject` and returns the mean
 * ns per call, from `process.hrtime.bigint()` (or the CPU time, see `cpuTime`).
 *
 * With `expect: "reject"`, every call must reject (or, with `useTryCall`, resolve with
 * `ok: false`); a call that resolves, or an error that `subject.expectError` refuses, throws
 * after the timed loop. With `expect: "resolve"`, a rejection escapes at once.
 * `subject.check()` runs afterwards.
 */
export async function measure(
  subject: Subject,
  iterations: number,
  options: MeasureOptions = {},
): Promise<number> {
  if (!Number.isInteger(iterations) || iterations < 1) {
    throw new RangeError(`iterations must be an integer >= 1, got ${iterations}`);
  }
  const target = options.target ?? resolvedTarget;
  const expect = options.expect ?? "resolve";
  const tryCall = options.useTryCall ? subject.tryCall : undefined;
  const now = options.cpuTime ? cpuNs : wallNs;

  let rejected = 0;
  let lastError: unknown = undefined;
  let start: bigint;
  let end: bigint;

  if (tryCall) {
    let failed = 0;
    start = now();
    for (let i = 0; i < iterations; i++) {
      if (!(await tryCall.call(subject, target)).ok) failed++;
    }
    end = now();
    rejected = failed;
  } else if (expect === "resolve") {
    start = now();
    for (let i = 0; i < iterations; i++) {
      await subject.call(target);
    }
    end = now();
  } else {
    start = now();
    for (let i = 0; i < iterations; i++) {
      try {
        await subject.call(target);
      } catch (error) {
        rejected++;
        lastError = error;
      }
    }
    end = now();
  }

  const expectedRejections = expect === "reject" ? iterations : 0;
  if (rejected !== expectedRejections) {
    throw new Error(
      `${subject.name}: expected ${expectedRejections} of ${iterations} calls to fail, ` +
        `${rejected} did`,
    );
  }
  if (expect === "reject" && !tryCall && subject.expectError && !subject.expectError(lastError)) {
    throw new Error(`${subject.name}: unexpected error in a "reject" measurement: ${String(lastError)}`);
  }
  subject.check?.();
  return Number(end - start) / iterations;
}

export interface CalibrateOptions extends MeasureOptions {
  /** Time one measurement of the subject should take. Default 20 ms. */
  budgetMs?: number;
  /** Bounds of the result. Defaults 1 and 10 000 000. */
  min?: number;
  max?: number;
}

/**
 * How many iterations make one measurement of `subject` last about `budgetMs`: times 1, 2, 4…
 * calls until a probe lasts a quarter of the budget, times that count twice more and
 * extrapolates from the fastest of the three (a preempted probe only ever runs slow), rounded
 * to two significant digits and clamped to [min, max]. The probes also warm the subject up.
 * Use it to give each subject its own count through `RoundsOptions.iterations` when costs
 * differ by orders of magnitude.
 */
export async function calibrateIterations(subject: Subject, options: CalibrateOptions = {}): Promise<number> {
  const budgetNs = (options.budgetMs ?? 20) * 1e6;
  const min = options.min ?? 1;
  const max = options.max ?? 10_000_000;
  for (let n = 1; ; n = Math.min(max, n * 2)) {
    const probe = await measure(subject, n, options);
    if (probe * n >= budgetNs / 4 || n >= max) {
      await yieldToEventLoop();
      const nsPerCall = Math.min(probe, await measure(subject, n, options), await measure(subject, n, options));
      const ideal = budgetNs / Math.max(nsPerCall, 1e-3);
      const magnitude = 10 ** Math.max(0, Math.floor(Math.log10(ideal)) - 1);
      return Math.min(max, Math.max(min, Math.round(ideal / magnitude) * magnitude));
    }
  }
}

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median of an empty list");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Runs every subject (and the baseline) once per round, in an order that rotates by one each
 * round, so that no subject always runs first or right after a given other one. Before each
 * timed measurement the event loop gets a turn and, with `--expose-gc`, a full GC runs.
 * The first `warmupRounds` rounds are discarded. Returns the median ns/call of each subject
 * and its overhead over the baseline's median.
 */
export async function interleavedRounds(
  subjects: readonly Subject[],
  options: RoundsOptions,
): Promise<RoundsResult> {
  const { rounds, iterations } = options;
  const warmupRounds = options.warmupRounds ?? 3;
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`rounds must be >= 1, got ${rounds}`);
  if (!Number.isInteger(warmupRounds) || warmupRounds < 0) {
    throw new RangeError(`warmupRounds must be >= 0, got ${warmupRounds}`);
  }
  const baseline =
    options.baseline === false ? null : options.baseline === undefined || options.baseline === true
      ? baselineSubject()
      : options.baseline;

  const all: Subject[] = baseline ? [baseline, ...subjects] : [...subjects];
  const samples: number[][] = all.map(() => []);
  const measureOptions: MeasureOptions = {
    target: options.target,
    expect: options.expect,
    useTryCall: options.useTryCall,
    cpuTime: options.cpuTime,
  };

  for (let round = 0; round < warmupRounds + rounds; round++) {
    const warmup = round < warmupRounds;
    for (let k = 0; k < all.length; k++) {
      const index = (round + k) % all.length;
      await yieldToEventLoop();
      forceGc(1);
      const subject = all[index]!;
      const n = typeof iterations === "function" ? iterations(subject) : iterations;
      const ns = await measure(subject, n, measureOptions);
      if (!warmup) samples[index]!.push(ns);
    }
    options.onRound?.(round, warmup);
  }

  const stats = all.map((subject, i): Omit<SubjectStats, "overheadNs"> => {
    const s = samples[i]!;
    return { name: subject.name, medianNs: median(s), minNs: Math.min(...s), maxNs: Math.max(...s), samples: s };
  });
  const baselineMedian = baseline ? stats[0]!.medianNs : Number.NaN;
  const withOverhead = stats.map((s) => ({ ...s, overheadNs: s.medianNs - baselineMedian }));
  return {
    baseline: baseline ? withOverhead[0]! : null,
    subjects: baseline ? withOverhead.slice(1) : withOverhead,
  };
}

export interface HeapGrowth {
  /** `heapUsed` after forced GC, before `fn` ran. */
  readonly beforeBytes: number;
  /** `heapUsed` after forced GC, after `fn` settled, while its result is still referenced. */
  readonly afterBytes: number;
  /** `afterBytes − beforeBytes`: what `fn` left behind (and what its result retains). */
  readonly growthBytes: number;
}

/**
 * Measures how much heap `fn` leaves behind: `process.memoryUsage().heapUsed` after forced
 * full GCs before and after it runs. Whatever `fn` returns (or resolves with) is kept
 * referenced until after the second reading, so return the object whose retained size you
 * want counted (a breaker after N calls); return nothing to measure leaks only.
 * Requires `node --expose-gc` (throws otherwise: without GC the figure means nothing).
 */
export async function heapGrowth<T>(fn: () => T | Promise<T>, gcPasses = 3): Promise<HeapGrowth & { result: T }> {
  if (!hasGc()) throw new Error("heapGrowth needs globalThis.gc: run node with --expose-gc");
  await yieldToEventLoop();
  forceGc(gcPasses);
  const beforeBytes = process.memoryUsage().heapUsed;
  const result = await fn();
  await yieldToEventLoop();
  forceGc(gcPasses);
  const afterBytes = process.memoryUsage().heapUsed;
  return { beforeBytes, afterBytes, growthBytes: afterBytes - beforeBytes, result };
}

/** A GitHub-flavoured markdown table; numeric-looking columns are right-aligned. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const numeric = headers.map((_, c) =>
    rows.length > 0 && rows.every((r) => /^[-+−]?[\d.,]+( ?[a-zµ%×]+)?$|^—$|^$/.test(r[c] ?? "")),
  );
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [
    line(headers),
    line(headers.map((_, c) => (numeric[c] ? "---:" : "---"))),
    ...rows.map((r) => line(headers.map((_, c) => r[c] ?? ""))),
  ].join("\n");
}

/** Formats ns with a unit suited to its size (`812 ns`, `3.41 µs`, `12.7 ms`). */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return "—";
  const abs = Math.abs(ns);
  if (abs >= 1e6) return `${(ns / 1e6).toFixed(abs >= 1e8 ? 0 : abs >= 1e7 ? 1 : 2)} ms`;
  if (abs >= 1e3) return `${(ns / 1e3).toFixed(abs >= 1e5 ? 0 : abs >= 1e4 ? 1 : 2)} µs`;
  return `${ns.toFixed(0)} ns`;
}
