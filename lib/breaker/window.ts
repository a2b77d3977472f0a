import { BUCKET_COUNT, bucketOf, LatencyHistogram } from "./histogram";
import type { PersistedLatency, PersistedWindow, SlidingWindowOptions } from "./types";

/**
 * The calls a breaker judges: counts of calls, failures and slow calls, and the latencies of those
 * that were timed (an untimed call's duration is NaN; it counts but has no latency).
 */
export interface CallWindow {
  readonly calls: number;
  readonly failures: number;
  readonly slowCalls: number;
  readonly latency: LatencyHistogram;
  /**
   * Add one settled call, stamped `now`. The stamp is undefined when the breaker did not read the
   * clock, which it does only for windows that ignore it: a time window always gets one.
   */
  record(failed: boolean, slow: boolean, durationMs: number, now: number | undefined): void;
  /** Drop what has aged out by `now` (time windows only); call before reading the counts. */
  expire(now: number): void;
  /** The contents as plain JSON, for `exportState()`. */
  persist(): PersistedWindow;
}

/** Every call since the window was created: the consecutive mode's informative window. */
export class CumulativeWindow implements CallWindow {
  calls = 0;
  failures = 0;
  slowCalls = 0;
  readonly latency = new LatencyHistogram();

  record(failed: boolean, slow: boolean, durationMs: number): void {
    this.count(failed, slow);
    this.latency.add(durationMs);
  }

  protected count(failed: boolean, slow: boolean): void {
    this.calls += 1;
    if (failed) this.failures += 1;
    if (slow) this.slowCalls += 1;
  }

  expire(): void {}

  persist(): PersistedWindow {
    const { calls, failures, slowCalls } = this;
    return { type: "none", calls, failures, slowCalls, latency: this.latency.persist() };
  }

  /** Take over the counts of a saved cumulative window. */
  restore(saved: Extract<PersistedWindow, { type: "none" }>): void {
    this.calls = saved.calls;
    this.failures = Math.min(saved.failures, saved.calls);
    this.slowCalls = Math.min(saved.slowCalls, saved.calls);
    this.latency.restore(saved.latency);
  }
}

const FAILED = 1;
const SLOW = 2;
const INITIAL_CAPACITY = 64;

/**
 * The last `size` calls, in a ring that grows on demand up to `size` (a huge window costs memory
 * only once it has seen that many calls) and then overwrites its oldest call.
 */
export class CountWindow extends CumulativeWindow {
  // Allocated by the first call, then grown: an idle breaker holds no ring.
  private flags = new Uint8Array(0);
  private durations = new Float64Array(0);
  /** Each timed call's latency bucket, so that evicting it needs no second logarithm. */
  private buckets = new Uint8Array(0);
  private oldest = 0;

  constructor(readonly size: number) {
    super();
  }

  override record(failed: boolean, slow: boolean, durationMs: number): void {
    let slot: number;
    if (this.calls < this.size) {
      if (this.calls === this.flags.length) this.grow();
      slot = this.calls;
    } else {
      slot = this.oldest;
      this.oldest = slot + 1 === this.size ? 0 : slot + 1;
      const evicted = this.flags[slot]!;
      this.calls -= 1;
      if (evicted & FAILED) this.failures -= 1;
      if (evicted & SLOW) this.slowCalls -= 1;
      const evictedMs = this.durations[slot]!;
      if (!Number.isNaN(evictedMs)) this.latency.removeFrom(this.buckets[slot]!, evictedMs);
    }
    this.flags[slot] = (failed ? FAILED : 0) | (slow ? SLOW : 0);
    this.durations[slot] = durationMs;
    this.count(failed, slow);
    if (!Number.isNaN(durationMs)) {
      const bucket = bucketOf(durationMs);
      this.buckets[slot] = bucket;
      this.latency.addIn(bucket, durationMs);
    }
  }

  override persist(): PersistedWindow {
    const calls: [0 | 1, 0 | 1, number | null][] = [];
    const first = this.calls < this.size ? 0 : this.oldest;
    for (let index = 0; index < this.calls; index++) {
      const slot = (first + index) % this.size;
      const flags = this.flags[slot]!;
      const durationMs = this.durations[slot]!;
      calls.push([flags & FAILED ? 1 : 0, flags & SLOW ? 1 : 0, Number.isNaN(durationMs) ? null : durationMs]);
    }
    return { type: "count", size: this.size, calls };
  }

  // Only called before the ring first wraps, so slots 0..calls-1 are in order.
  private grow(): void {
    const capacity = Math.min(this.size, Math.max(INITIAL_CAPACITY, this.flags.length * 2));
    const flags = new Uint8Array(capacity);
    flags.set(this.flags);
    const durations = new Float64Array(capacity);
    durations.set(this.durations);
    const buckets = new Uint8Array(capacity);
    buckets.set(this.buckets);
    this.flags = flags;
    this.durations = durations;
    this.buckets = buckets;
  }
}

/** Groups a time window keeps at most: its time resolution is `ms / MAX_GROUPS`. */
export const MAX_GROUPS = 1024;
const INITIAL_GROUPS = 16;

/**
 * The calls that settled within the last `ms`. Calls are kept in groups by settle time: calls
 * settling at the same instant, or within `ms / 1024` of a group's first call, share the group,
 * so memory is bounded whatever the traffic. A group leaves the window when its first call is
 * `ms` old; calls at least `ms / 1024` apart therefore expire exactly. Expiry is lazy: no timers.
 */
export class TimeWindow implements CallWindow {
  calls = 0;
  failures = 0;
  slowCalls = 0;
  readonly latency = new LatencyHistogram();
  private readonly resolutionMs: number;
  private startedAt: Float64Array;
  private groupCalls: Uint32Array;
  private groupFailures: Uint32Array;
  private groupSlowCalls: Uint32Array;
  private groupTimedCalls: Uint32Array;
  private groupLatencySum: Float64Array;
  private groupBuckets: Uint32Array;
  private oldest = 0;
  private groups = 0;

  constructor(readonly ms: number) {
    this.resolutionMs = ms / MAX_GROUPS;
    // Allocated by the first call, then grown: an idle breaker holds no groups.
    this.startedAt = new Float64Array(0);
    this.groupCalls = new Uint32Array(0);
    this.groupFailures = new Uint32Array(0);
    this.groupSlowCalls = new Uint32Array(0);
    this.groupTimedCalls = new Uint32Array(0);
    this.groupLatencySum = new Float64Array(0);
    this.groupBuckets = new Uint32Array(0);
  }

  record(failed: boolean, slow: boolean, durationMs: number, now: number): void {
    this.expire(now);
    const group = this.groupFor(now);
    this.groupCalls[group]! += 1;
    if (!Number.isNaN(durationMs)) {
      const bucket = bucketOf(durationMs);
      this.groupTimedCalls[group]! += 1;
      this.groupLatencySum[group]! += durationMs;
      this.groupBuckets[group * BUCKET_COUNT + bucket]! += 1;
      this.latency.addIn(bucket, durationMs);
    }
    this.calls += 1;
    if (failed) {
      this.groupFailures[group]! += 1;
      this.failures += 1;
    }
    if (slow) {
      this.groupSlowCalls[group]! += 1;
      this.slowCalls += 1;
    }
  }

  expire(now: number): void {
    const capacity = this.startedAt.length;
    while (this.groups > 0 && now - this.startedAt[this.oldest]! >= this.ms) {
      const group = this.oldest;
      this.calls -= this.groupCalls[group]!;
      this.failures -= this.groupFailures[group]!;
      this.slowCalls -= this.groupSlowCalls[group]!;
      this.latency.subtract(this.groupBuckets, group * BUCKET_COUNT, this.groupTimedCalls[group]!, this.groupLatencySum[group]!);
      this.groupBuckets.fill(0, group * BUCKET_COUNT, (group + 1) * BUCKET_COUNT);
      this.oldest = group + 1 === capacity ? 0 : group + 1;
      this.groups -= 1;
    }
  }

  persist(): PersistedWindow {
    const groups = [];
    const capacity = this.startedAt.length;
    for (let index = 0; index < this.groups; index++) {
      const group = (this.oldest + index) % capacity;
      const latency: PersistedLatency = { sum: this.groupLatencySum[group]!, buckets: [] };
      for (let bucket = 0; bucket < BUCKET_COUNT; bucket++) {
        const count = this.groupBuckets[group * BUCKET_COUNT + bucket]!;
        if (count > 0) latency.buckets.push([bucket, count]);
      }
      groups.push({
        at: this.startedAt[group]!,
        calls: this.groupCalls[group]!,
        failures: this.groupFailures[group]!,
        slowCalls: this.groupSlowCalls[group]!,
        latency,
      });
    }
    return { type: "time", ms: this.ms, groups };
  }

  /** Add the groups of a saved time window (in ascending order), then drop what aged out by `now`. */
  restore(saved: Extract<PersistedWindow, { type: "time" }>, now: number): void {
    for (const { at, calls, failures, slowCalls, latency } of saved.groups) {
      if (now - at >= this.ms) continue;
      const group = this.groupFor(at);
      const failed = Math.min(failures, calls);
      const slow = Math.min(slowCalls, calls);
      this.groupCalls[group]! += calls;
      this.groupFailures[group]! += failed;
      this.groupSlowCalls[group]! += slow;
      this.calls += calls;
      this.failures += failed;
      this.slowCalls += slow;
      let timed = 0;
      for (const [bucket, count] of latency.buckets) {
        this.groupBuckets[group * BUCKET_COUNT + bucket]! += count;
        timed += count;
      }
      if (timed > 0) {
        this.groupTimedCalls[group]! += timed;
        this.groupLatencySum[group]! += latency.sum;
        this.latency.restore(latency);
      }
    }
    this.expire(now);
  }

  private groupFor(now: number): number {
    const capacity = this.startedAt.length;
    if (this.groups > 0) {
      const newest = (this.oldest + this.groups - 1) % capacity;
      const joinsNewest = now - this.startedAt[newest]! < this.resolutionMs;
      // Groups start at least resolutionMs apart, so at most MAX_GROUPS + 1 lie within ms; the
      // fallback to the newest group only guards the bound against rounding.
      if (joinsNewest || this.groups === MAX_GROUPS + 1) return newest;
    }
    if (this.groups === capacity) this.grow();
    const group = (this.oldest + this.groups) % this.startedAt.length;
    this.groups += 1;
    this.startedAt[group] = now;
    this.groupCalls[group] = 0;
    this.groupFailures[group] = 0;
    this.groupSlowCalls[group] = 0;
    this.groupTimedCalls[group] = 0;
    this.groupLatencySum[group] = 0;
    return group;
  }

  private grow(): void {
    const capacity = this.startedAt.length;
    const grown = Math.min(Math.max(INITIAL_GROUPS, capacity * 2), MAX_GROUPS + 1);
    const order = (array: Float64Array | Uint32Array, target: Float64Array | Uint32Array, width: number) => {
      for (let index = 0; index < this.groups; index++) {
        const from = ((this.oldest + index) % capacity) * width;
        target.set(array.subarray(from, from + width), index * width);
      }
      return target;
    };
    this.startedAt = order(this.startedAt, new Float64Array(grown), 1) as Float64Array;
    this.groupCalls = order(this.groupCalls, new Uint32Array(grown), 1) as Uint32Array;
    this.groupFailures = order(this.groupFailures, new Uint32Array(grown), 1) as Uint32Array;
    this.groupSlowCalls = order(this.groupSlowCalls, new Uint32Array(grown), 1) as Uint32Array;
    this.groupTimedCalls = order(this.groupTimedCalls, new Uint32Array(grown), 1) as Uint32Array;
    this.groupLatencySum = order(this.groupLatencySum, new Float64Array(grown), 1) as Float64Array;
    this.groupBuckets = order(this.groupBuckets, new Uint32Array(grown * BUCKET_COUNT), BUCKET_COUNT) as Uint32Array;
    this.oldest = 0;
  }
}

/**
 * The window `options` call for, holding what `saved` held of it by `now`: nothing when `saved`
 * is another type or size of window (its calls were judged by other rules).
 */
export function restoreWindow(options: SlidingWindowOptions | null, saved: PersistedWindow, now: number): CallWindow {
  if (options === null) {
    const window = new CumulativeWindow();
    if (saved.type === "none") window.restore(saved);
    return window;
  }
  if (options.type === "count") {
    const window = new CountWindow(options.size);
    if (saved.type === "count" && saved.size === options.size) {
      for (const [failed, slow, durationMs] of saved.calls.slice(-options.size)) {
        window.record(failed === 1, slow === 1, durationMs ?? Number.NaN);
      }
    }
    return window;
  }
  const window = new TimeWindow(options.ms);
  if (saved.type === "time" && saved.ms === options.ms) window.restore(saved, now);
  return window;
}

/** The window a breaker's options call for. */
export function createWindow(options: SlidingWindowOptions | null): CallWindow {
  if (options === null) return new CumulativeWindow();
  return options.type === "count" ? new CountWindow(options.size) : new TimeWindow(options.ms);
}
