import { describe, expect, it } from "vitest";
import { CircuitBreaker, ManualClock, type BreakerOptions, type OptionError, type PersistedState } from "./index";
import { fail, recordEvents, succeed, takes, transitions } from "./test-helpers";

const WINDOWS: [string, BreakerOptions["slidingWindow"]][] = [
  ["consecutive", null],
  ["count", { type: "count", size: 10 }],
  ["time", { type: "time", ms: 60_000 }],
];

const TRIPS_AT_ONCE = { failureThreshold: 1, minimumCalls: 1, failureRateThreshold: 1 };

/** A breaker with some history: timed successes and failures, on a manual clock. */
async function withHistory(slidingWindow: BreakerOptions["slidingWindow"], clock: ManualClock) {
  const breaker = new CircuitBreaker({ clock, slidingWindow, failureThreshold: 3, minimumCalls: 5, openMs: 10_000, backoffMultiplier: 2, slowCallMs: 30 });
  await breaker.execute(takes(clock, 20));
  await breaker.execute(takes(clock, 40));
  await fail(breaker);
  return breaker;
}

/** A new breaker, as after a restart, on a clock that reads the same time. */
function restarted(saved: PersistedState, slidingWindow: BreakerOptions["slidingWindow"], clock: ManualClock, options: BreakerOptions = {}) {
  const copy = JSON.parse(JSON.stringify(saved)) as PersistedState;
  return new CircuitBreaker({ clock, slidingWindow, failureThreshold: 3, minimumCalls: 5, openMs: 10_000, backoffMultiplier: 2, slowCallMs: 30, ...options, initialState: copy });
}

describe.each(WINDOWS)("exportState() → initialState round trip (%s window)", (_label, slidingWindow) => {
  const setups: [string, (breaker: CircuitBreaker, clock: ManualClock) => Promise<void>][] = [
    ["CLOSED", async () => undefined],
    [
      "OPEN",
      async (breaker) => {
        breaker.configure(TRIPS_AT_ONCE);
        await fail(breaker);
      },
    ],
    ["FORCED_OPEN", async (breaker) => breaker.forceOpen()],
    ["DISABLED", async (breaker) => breaker.disable()],
  ];

  it.each(setups)("%s: the new breaker's snapshot equals the old one's", async (state, setup) => {
    const clock = new ManualClock(1_000_000);
    const breaker = await withHistory(slidingWindow, clock);
    await setup(breaker, clock);
    expect(breaker.state).toBe(state);
    const before = breaker.snapshot();
    const saved = breaker.exportState();
    expect(JSON.parse(JSON.stringify(saved))).toEqual(saved);
    const after = restarted(saved, slidingWindow, clock, state === "OPEN" ? TRIPS_AT_ONCE : {});
    expect(after.snapshot()).toEqual(before);
    expect(after.exportState()).toEqual(saved);
  });

  it("HALF_OPEN: restores as an OPEN that ends at once, no trial in flight", async () => {
    const clock = new ManualClock(1_000_000);
    const breaker = await withHistory(slidingWindow, clock);
    breaker.configure(TRIPS_AT_ONCE);
    await fail(breaker);
    clock.advance(10_000);
    const pending = breaker.execute(() => new Promise(() => undefined));
    void pending;
    expect(breaker.snapshot()).toMatchObject({ state: "HALF_OPEN", halfOpen: { inFlight: 1 } });
    const saved = breaker.exportState();
    expect(saved.state).toBe("HALF_OPEN");
    clock.advance(5);
    const after = restarted(saved, slidingWindow, clock);
    const events = recordEvents(after);
    expect(after.snapshot()).toMatchObject({ state: "HALF_OPEN", halfOpen: { inFlight: 0, successes: 0 }, openedAt: saved.openedAt });
    expect(transitions(events)).toEqual([`OPEN>HALF_OPEN:open-elapsed@${clock.now()}`]);
    await succeed(after);
    expect(after.state).toBe("CLOSED");
    breaker.dispose();
  });
});

describe("restoring an OPEN breaker", () => {
  it("keeps its remaining open time (its absolute halfOpenAt) and its backoff", async () => {
    const clock = new ManualClock(5_000);
    const breaker = new CircuitBreaker({ clock, failureThreshold: 1, openMs: 10_000, backoffMultiplier: 2 });
    await fail(breaker);
    clock.advance(10_000);
    await fail(breaker); // a failed trial: the next open period is 20 s
    expect(breaker.snapshot()).toMatchObject({ state: "OPEN", openedAt: 15_000, halfOpenAt: 35_000 });
    clock.advance(8_000);
    const saved = breaker.exportState();

    const later = new ManualClock(clock.now() + 2_000); // the process was down for 2 s
    const after = new CircuitBreaker({ clock: later, failureThreshold: 1, openMs: 10_000, backoffMultiplier: 2, initialState: saved });
    const events = recordEvents(after);
    expect(after.snapshot()).toMatchObject({ state: "OPEN", openedAt: 15_000, halfOpenAt: 35_000 });
    await expect(after.execute(() => "x")).rejects.toMatchObject({ retryAfterMs: 10_000 });
    later.advance(10_000);
    expect(transitions(events)).toEqual(["OPEN>HALF_OPEN:open-elapsed@35000"]);
    await fail(after); // the backoff went on from where it was: 40 s now
    expect(after.snapshot()).toMatchObject({ state: "OPEN", openedAt: 35_000, halfOpenAt: 75_000 });
    after.dispose();
    breaker.dispose();
  });

  it("an open period that ended while the process was down is HALF_OPEN at once, from its end", () => {
    const saved: PersistedState = {
      ...new CircuitBreaker().exportState(),
      state: "OPEN",
      openedAt: 1_000,
      halfOpenAt: 2_000,
    };
    const clock = new ManualClock(2_500);
    const breaker = new CircuitBreaker({ clock, initialState: saved });
    const events = recordEvents(breaker);
    expect(breaker.state).toBe("HALF_OPEN");
    expect(transitions(events)).toEqual(["OPEN>HALF_OPEN:open-elapsed@2000"]);
    breaker.dispose();
  });
});

describe("restoring windows", () => {
  it("a time window drops the calls that aged out while the process was down", async () => {
    const clock = new ManualClock(0);
    const slidingWindow = { type: "time", ms: 60_000 } as const;
    const breaker = new CircuitBreaker({ clock, slidingWindow });
    await fail(breaker, 3);
    clock.advance(30_000);
    await succeed(breaker, 2);
    const saved = breaker.exportState();

    const halfLater = new CircuitBreaker({ clock: new ManualClock(45_000), slidingWindow, initialState: saved });
    expect(halfLater.snapshot().window).toMatchObject({ calls: 5, failures: 3 });
    const later = new CircuitBreaker({ clock: new ManualClock(65_000), slidingWindow, initialState: saved });
    expect(later.snapshot().window).toMatchObject({ calls: 2, failures: 0 });
    const expired = new CircuitBreaker({ clock: new ManualClock(90_000), slidingWindow, initialState: saved });
    expect(expired.snapshot().window).toMatchObject({ calls: 0, failures: 0 });
    expect(expired.snapshot().latency).toBeNull();
    expect(expired.snapshot().totals).toEqual(breaker.snapshot().totals);
  });

  it("a window of another type or size restores empty; totals and the streak are kept", async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ clock, slidingWindow: { type: "count", size: 10 } });
    await fail(breaker, 2);
    const saved = breaker.exportState();
    for (const slidingWindow of [{ type: "count", size: 20 } as const, { type: "time", ms: 1_000 } as const, null]) {
      const after = new CircuitBreaker({ clock, slidingWindow, initialState: saved });
      expect(after.snapshot()).toMatchObject({ window: { calls: 0 }, consecutiveFailures: 2, totals: { failures: 2 } });
    }
  });

  it("a restored count window goes on sliding from where it was", async () => {
    const clock = new ManualClock(0);
    const slidingWindow = { type: "count", size: 4 } as const;
    const breaker = new CircuitBreaker({ clock, slidingWindow, minimumCalls: 4, failureRateThreshold: 75 });
    await fail(breaker, 2);
    await succeed(breaker, 3);
    const after = new CircuitBreaker({ clock, slidingWindow, minimumCalls: 4, failureRateThreshold: 75, initialState: breaker.exportState() });
    expect(after.snapshot().window).toMatchObject({ calls: 4, failures: 1 });
    await fail(after, 2);
    expect(after.state).toBe("CLOSED");
    await fail(after);
    expect(after.state).toBe("OPEN");
    after.dispose();
  });
});

describe("initialState validation", () => {
  const valid = () => new CircuitBreaker().exportState() as unknown as Record<string, unknown>;
  const cases: [string, unknown][] = [
    ["not an object", "CLOSED"],
    ["an unknown version", { ...valid(), version: 2 }],
    ["no version", { ...valid(), version: undefined }],
    ["an unknown state", { ...valid(), state: "AJAR" }],
    ["OPEN without its period", { ...valid(), state: "OPEN" }],
    ["a period while CLOSED", { ...valid(), openedAt: 1, halfOpenAt: 2 }],
    ["a negative streak", { ...valid(), consecutiveFailures: -1 }],
    ["a fractional backoff", { ...valid(), backoffSteps: 0.5 }],
    ["totals that do not add up", { ...valid(), totals: { calls: 1, successes: 0, failures: 0, timeouts: 0, rejected: 0, ignored: 0, slow: 0 } }],
    ["an unknown field", { ...valid(), extra: true }],
    ["an unknown window type", { ...valid(), window: { type: "sliding" } }],
    ["a count window with a bad call", { ...valid(), window: { type: "count", size: 2, calls: [[2, 0, 1]] } }],
    ["a time window out of order", { ...valid(), window: { type: "time", ms: 10, groups: [group(5), group(1)] } }],
    ["a latency bucket out of range", { ...valid(), window: { type: "none", calls: 0, failures: 0, slowCalls: 0, latency: { sum: 0, buckets: [[10_000, 1]] } } }],
  ];

  function group(at: number) {
    return { at, calls: 1, failures: 0, slowCalls: 0, latency: { sum: 0, buckets: [] } };
  }

  it.each(cases)("%s → a TypeError naming initialState", (_label, initialState) => {
    let thrown: unknown;
    try {
      new CircuitBreaker({ initialState: initialState as PersistedState });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    expect((thrown as OptionError).option).toBe("initialState");
    expect((thrown as Error).message).toMatch(/^initialState/);
  });

  it("initialState: undefined means none, and it never shows in snapshot options", () => {
    const breaker = new CircuitBreaker({ initialState: undefined });
    expect(breaker.snapshot().options).not.toHaveProperty("initialState");
    const restored = new CircuitBreaker({ initialState: breaker.exportState() });
    expect(restored.snapshot().options).not.toHaveProperty("initialState");
  });
});
