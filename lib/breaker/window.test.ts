import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { LatencyHistogram } from "./histogram";
import { CountWindow, createWindow, CumulativeWindow, MAX_GROUPS, TimeWindow, type CallWindow } from "./window";

// --- helpers ---------------------------------------------------------------------------------

/** A small deterministic PRNG (mulberry32): the same seed gives the same sequence on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Call {
  at: number;
  failed: boolean;
  slow: boolean;
  /** NaN for a call that was not timed: it counts, but has no latency. */
  durationMs: number;
}

function randomCall(next: () => number, at: number): Call {
  const timed = next() >= 0.1;
  return {
    at,
    failed: next() < 0.3,
    slow: next() < 0.2,
    durationMs: timed ? Math.exp(next() * Math.log(60_000)) : Number.NaN,
  };
}

/** What a window holding exactly `calls` must report. */
function expectHolds(window: CallWindow, calls: readonly Call[], step: string): void {
  expect(
    { calls: window.calls, failures: window.failures, slowCalls: window.slowCalls },
    step,
  ).toEqual({
    calls: calls.length,
    failures: calls.filter((call) => call.failed).length,
    slowCalls: calls.filter((call) => call.slow).length,
  });
  const reference = new LatencyHistogram();
  for (const call of calls) reference.add(call.durationMs);
  expect(window.latency.total, step).toBe(reference.total);
  const actual = window.latency.summary();
  const expected = reference.summary();
  if (expected === null) {
    expect(actual, step).toBeNull();
    expect(window.latency.sum, step).toBe(0);
    return;
  }
  expect(actual, step).not.toBeNull();
  expect({ p50: actual!.p50, p90: actual!.p90, p99: actual!.p99 }, step).toEqual({ p50: expected.p50, p90: expected.p90, p99: expected.p99 });
  // The window's sum is kept by adding and subtracting: allow float rounding, nothing more.
  expect(Math.abs(actual!.mean - expected.mean), step).toBeLessThanOrEqual(Math.abs(expected.mean) * 1e-9 + 1e-9);
}

function record(window: CallWindow, call: Call): void {
  window.record(call.failed, call.slow, call.durationMs, call.at);
}

// Measuring retained memory needs a collection first: garbage from growing arrays is not a leak.
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

function retainedArrayBuffers(): number {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().arrayBuffers;
}

const MEGABYTE = 1024 * 1024;

// --- CountWindow -----------------------------------------------------------------------------

describe("CountWindow keeps exactly the last `size` calls", () => {
  it.each([1, 3, 64, 65, 200, 1_000])("size %d, against an array of the last N calls", (size) => {
    const window = new CountWindow(size);
    const next = random(size * 7_919);
    const seen: Call[] = [];
    const steps = size * 3 + 150;
    // Checking the latency summary is O(size); for the big windows every step around the growth
    // points and the wrap, and every 13th step elsewhere, keeps the test fast.
    const growthPoints = new Set([1, 2, 63, 64, 65, 127, 128, 129, 255, 256, 257, 511, 512, 513, size - 1, size, size + 1, 2 * size, 2 * size + 1]);
    expectHolds(window, [], "empty");
    for (let step = 1; step <= steps; step++) {
      const call = randomCall(next, step);
      record(window, call);
      seen.push(call);
      if (size <= 200 || growthPoints.has(step) || step % 13 === 0) {
        expectHolds(window, seen.slice(-size), `size ${size}, after call ${step}`);
      } else {
        const last = seen.slice(-size);
        expect(window.calls).toBe(last.length);
        expect(window.failures).toBe(last.filter((entry) => entry.failed).length);
        expect(window.slowCalls).toBe(last.filter((entry) => entry.slow).length);
      }
    }
  });

  it("evicts a failure exactly when it leaves", () => {
    const window: CallWindow = new CountWindow(3);
    window.record(true, true, 5_000, 0);
    window.record(false, false, 10, 0);
    window.record(false, false, 10, 0);
    expect({ calls: window.calls, failures: window.failures, slowCalls: window.slowCalls }).toEqual({ calls: 3, failures: 1, slowCalls: 1 });
    window.record(false, false, 10, 0);
    expect({ calls: window.calls, failures: window.failures, slowCalls: window.slowCalls }).toEqual({ calls: 3, failures: 0, slowCalls: 0 });
  });

  it("a slow latency leaves p99 once its call is evicted", () => {
    const window: CallWindow = new CountWindow(100);
    window.record(false, true, 5_000, 0);
    window.record(false, true, 5_000, 0);
    for (let index = 0; index < 98; index++) window.record(false, false, 10, 0);
    expect(window.latency.summary()!.p99).toBeGreaterThan(4_500);
    window.record(false, false, 10, 0);
    window.record(false, false, 10, 0);
    expect(window.latency.summary()!.p99).toBeLessThan(11);
  });

  it("ignores the clock: expire() drops nothing", () => {
    const window: CallWindow = new CountWindow(5);
    window.record(true, false, 1, 0);
    window.expire(1e12);
    expect(window.calls).toBe(1);
    expect(window.failures).toBe(1);
  });

  it("a size of 1e9 allocates nothing giant up front", () => {
    const before = retainedArrayBuffers();
    const started = performance.now();
    const window: CallWindow = new CountWindow(1e9);
    for (let index = 0; index < 10; index++) window.record(index % 2 === 0, false, 10 + index, index);
    const elapsed = performance.now() - started;
    const grown = retainedArrayBuffers() - before;
    expect(window.calls).toBe(10);
    expect(window.failures).toBe(5);
    expect(grown).toBeLessThan(MEGABYTE);
    expect(elapsed).toBeLessThan(250);
  });
});

// --- TimeWindow ------------------------------------------------------------------------------

describe("TimeWindow expires calls exactly `ms` after they settled", () => {
  it.each([1_000, 60_000])("ms %d: a call exactly ms old has left, one ms - 1 old stays", (ms) => {
    const start = 1_700_000_000_000;
    const window = new TimeWindow(ms);
    window.record(true, true, 50, start);
    window.expire(start + ms - 1);
    expect({ calls: window.calls, failures: window.failures, slowCalls: window.slowCalls }).toEqual({ calls: 1, failures: 1, slowCalls: 1 });
    window.expire(start + ms);
    expect({ calls: window.calls, failures: window.failures, slowCalls: window.slowCalls }).toEqual({ calls: 0, failures: 0, slowCalls: 0 });
    expect(window.latency.summary()).toBeNull();
  });

  it("calls at the same instant share a group and expire together", () => {
    const window = new TimeWindow(1_000);
    window.record(false, false, 10, 100);
    window.record(true, false, 20, 100);
    window.record(true, true, 30, 100);
    window.record(false, false, 40, 600);
    window.expire(1_099);
    expect({ calls: window.calls, failures: window.failures, slowCalls: window.slowCalls }).toEqual({ calls: 4, failures: 2, slowCalls: 1 });
    window.expire(1_100);
    expect({ calls: window.calls, failures: window.failures, slowCalls: window.slowCalls }).toEqual({ calls: 1, failures: 0, slowCalls: 0 });
    expect(window.latency.summary()!.mean).toBe(40);
  });

  it("expiry is lazy: counts change only when expire(now) (or a new call) says what time it is", () => {
    const window = new TimeWindow(1_000);
    window.record(true, false, 10, 0);
    window.record(false, false, 10, 10);
    // Nothing has told the window that time passed: it still holds both.
    expect(window.calls).toBe(2);
    window.expire(1_000);
    expect({ calls: window.calls, failures: window.failures }).toEqual({ calls: 1, failures: 0 });
    window.record(false, false, 10, 5_000);
    expect({ calls: window.calls, failures: window.failures }).toEqual({ calls: 1, failures: 0 });
  });

  it.each([
    [1_000, 1],
    [60_000, 2],
  ])("ms %d: equals a reference list of (time, failed, slow) at every step of a long run", (ms, seed) => {
    const next = random(seed);
    const window = new TimeWindow(ms);
    // Integer times at least ms / 1024 apart (or at the very same instant): expiry must be exact.
    const minGap = Math.ceil(ms / MAX_GROUPS);
    let now = 1_700_000_000_000;
    const calls: Call[] = [];
    const holding = () => calls.filter((call) => call.at > now - ms);
    for (let step = 0; step < 6_000; step++) {
      const roll = next();
      if (roll < 0.1) {
        // another call at the same instant
      } else if (roll < 0.12) {
        now += Math.floor(next() * 2 * ms) + minGap; // a lull: often empties the window
      } else {
        now += minGap + Math.floor(next() * (ms / 50));
      }
      const call = randomCall(next, now);
      record(window, call);
      calls.push(call);
      expectHolds(window, holding(), `ms ${ms}, step ${step}, at ${now}`);
      if (next() < 0.1) {
        // Read later without a new call: the counts follow once expire(now) is called.
        now += Math.floor(next() * ms);
        window.expire(now);
        expectHolds(window, holding(), `ms ${ms}, step ${step}, expired at ${now}`);
      }
    }
  });

  it("old slow latencies leave p99 once expired", () => {
    const window = new TimeWindow(1_000);
    window.record(false, true, 5_000, 0);
    window.record(false, true, 5_000, 0);
    for (let index = 0; index < 98; index++) window.record(false, false, 10, 500);
    expect(window.latency.summary()!.p99).toBeGreaterThan(4_500);
    window.expire(1_000);
    const summary = window.latency.summary()!;
    expect(window.latency.total).toBe(98);
    expect(summary.p99).toBeLessThan(11);
    expect(summary.mean).toBeCloseTo(10, 9);
    window.expire(1_500);
    expect(window.latency.summary()).toBeNull();
    expect(window.latency.sum).toBe(0);
  });

  it("keeps memory bounded: 1 000 000 calls at distinct fractional times within one window", () => {
    const ms = 60_000;
    const count = 1_000_000;
    const step = 0.06; // 1e6 calls over 59 999.94 ms: all inside one window, far closer than ms / 1024
    const at = (index: number) => index * step;
    const before = retainedArrayBuffers();
    const window = new TimeWindow(ms);
    for (let index = 0; index < count; index++) window.record(index % 3 === 0, index % 5 === 0, 1 + (index % 100), at(index));
    const grown = retainedArrayBuffers() - before;

    expect(window.calls).toBe(count);
    expect(window.failures).toBe(Math.ceil(count / 3));
    expect(window.slowCalls).toBe(count / 5);
    expect(window.latency.total).toBe(count);
    // One group per call would take hundreds of MB; MAX_GROUPS + 1 groups take well under 1 MB.
    expect(grown).toBeLessThan(MEGABYTE);

    // Grouping may drop a call up to ms / 1024 early, never late and never more than that.
    const resolution = ms / MAX_GROUPS;
    const countAfter = (from: number, every = 1) => {
      let kept = 0;
      for (let index = 0; index < count; index++) if (at(index) > from && index % every === 0) kept += 1;
      return kept;
    };
    for (const now of [60_000, 75_000.5, 90_000, 100_001.25, 119_990]) {
      window.expire(now);
      expect(window.calls, `calls at ${now}`).toBeLessThanOrEqual(countAfter(now - ms));
      expect(window.calls, `calls at ${now}`).toBeGreaterThanOrEqual(countAfter(now - ms + resolution));
      expect(window.failures, `failures at ${now}`).toBeLessThanOrEqual(countAfter(now - ms, 3));
      expect(window.failures, `failures at ${now}`).toBeGreaterThanOrEqual(countAfter(now - ms + resolution, 3));
      expect(window.latency.total).toBe(window.calls);
    }
    window.expire(at(count - 1) + ms);
    expect({ calls: window.calls, failures: window.failures, slowCalls: window.slowCalls }).toEqual({ calls: 0, failures: 0, slowCalls: 0 });
    expect(window.latency.summary()).toBeNull();
    expect(window.latency.sum).toBe(0);
  });

  it("stays exact after a flood: calls ms / 1024 apart once the groups have filled and wrapped", () => {
    const ms = 1_024;
    const window = new TimeWindow(ms);
    const calls: Call[] = [];
    const next = random(99);
    for (let index = 0; index < 200_000; index++) {
      const call = randomCall(next, index * 0.01);
      record(window, call);
      calls.push(call);
    }
    // From here on, calls 1 ms (= ms / 1024) apart: exact again once the flood has left.
    let now = 2_000;
    for (let index = 0; index < 5_000; index++) {
      now += 1;
      const call = randomCall(next, now);
      record(window, call);
      calls.push(call);
      if (now >= 2_000 + ms && index % 97 === 0) {
        expectHolds(
          window,
          calls.filter((entry) => entry.at > now - ms),
          `at ${now}`,
        );
      }
    }
  });
});

// --- CumulativeWindow and createWindow --------------------------------------------------------

describe("CumulativeWindow counts everything since it was created", () => {
  it("never forgets a call, whatever the time", () => {
    const window = new CumulativeWindow();
    const next = random(5);
    const calls: Call[] = [];
    for (let index = 0; index < 5_000; index++) {
      const call = randomCall(next, index * 1_000);
      window.record(call.failed, call.slow, call.durationMs);
      calls.push(call);
    }
    window.expire();
    expectHolds(window, calls, "after 5000 calls");
  });
});

describe("createWindow picks the window the options call for", () => {
  it("null → CumulativeWindow, which keeps every call", () => {
    const window = createWindow(null);
    expect(window).toBeInstanceOf(CumulativeWindow);
    expect(window).not.toBeInstanceOf(CountWindow);
    expect(window).not.toBeInstanceOf(TimeWindow);
    for (let index = 0; index < 2_000; index++) window.record(index % 2 === 0, false, 1, index * 1_000);
    window.expire(1e12);
    expect({ calls: window.calls, failures: window.failures }).toEqual({ calls: 2_000, failures: 1_000 });
  });

  it("count → CountWindow of that size", () => {
    const window = createWindow({ type: "count", size: 7 });
    expect(window).toBeInstanceOf(CountWindow);
    expect((window as CountWindow).size).toBe(7);
    for (let index = 0; index < 20; index++) window.record(false, false, 1, index);
    expect(window.calls).toBe(7);
  });

  it("time → TimeWindow of that length", () => {
    const window = createWindow({ type: "time", ms: 500 });
    expect(window).toBeInstanceOf(TimeWindow);
    expect((window as TimeWindow).ms).toBe(500);
    window.record(true, false, 1, 0);
    window.expire(499);
    expect(window.calls).toBe(1);
    window.expire(500);
    expect(window.calls).toBe(0);
  });

  it("every call creates a fresh window", () => {
    const options = { type: "count", size: 3 } as const;
    const first = createWindow(options);
    first.record(true, false, 1, 0);
    expect(createWindow(options).calls).toBe(0);
  });
});
