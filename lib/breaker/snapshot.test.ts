import { describe, expect, it } from "vitest";
import { CircuitBreaker, ManualClock, type BreakerSnapshot } from "./index";
import { deferred, fail, takes } from "./test-helpers";

function totalsBalance(snapshot: BreakerSnapshot): boolean {
  const { calls, successes, failures, ignored, rejected, timeouts, slow } = snapshot.totals;
  return calls === successes + failures + ignored + rejected && timeouts <= failures && slow <= successes + failures;
}

describe("snapshot", () => {
  it("is plain data that survives a JSON round trip unchanged, in every state", async () => {
    const clock = new ManualClock(1_700_000_000_000.5);
    const breaker = new CircuitBreaker({
      name: "inventory",
      slidingWindow: { type: "count", size: 20 },
      minimumCalls: 2,
      slowCallMs: 5,
      timeoutMs: 1_000,
      openMs: 1_000,
      isFailure: () => true,
      clock,
    });
    const states: BreakerSnapshot[] = [breaker.snapshot()];
    await breaker.execute(takes(clock, 7));
    await breaker.execute(takes(clock, 3, { error: new Error("x") })).catch(() => undefined);
    await fail(breaker);
    states.push(breaker.snapshot());
    clock.advance(1_000);
    states.push(breaker.snapshot());
    breaker.forceOpen();
    states.push(breaker.snapshot());
    breaker.disable();
    states.push(breaker.snapshot());
    expect(states.map((snapshot) => snapshot.state)).toEqual(["CLOSED", "OPEN", "HALF_OPEN", "FORCED_OPEN", "DISABLED"]);
    for (const snapshot of states) {
      expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
      expect(totalsBalance(snapshot)).toBe(true);
    }
  });

  it("holds the documented fields with their exact values", async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ name: "search", slidingWindow: { type: "time", ms: 30_000 }, minimumCalls: 3, slowCallMs: 100, clock });
    await breaker.execute(takes(clock, 200));
    await breaker.execute(takes(clock, 50, { error: new Error("x") })).catch(() => undefined);
    await breaker.execute(takes(clock, 10));
    const snapshot = breaker.snapshot();
    expect(snapshot).toEqual({
      name: "search",
      state: "CLOSED",
      options: {
        name: "search",
        failureThreshold: 5,
        slidingWindow: { type: "time", ms: 30_000 },
        failureRateThreshold: 50,
        slowCallMs: 100,
        slowCallRateThreshold: 100,
        minimumCalls: 3,
        openMs: 30_000,
        backoffMultiplier: 1,
        maxOpenMs: 960_000,
        halfOpenMaxCalls: 1,
        successThreshold: 1,
        maxHalfOpenMs: 60_000,
        timeoutMs: null,
      },
      openedAt: null,
      halfOpenAt: null,
      consecutiveFailures: 0,
      window: { calls: 3, failures: 1, slowCalls: 1, failureRate: (1 / 3) * 100, slowCallRate: (1 / 3) * 100 },
      halfOpen: { inFlight: 0, successes: 0 },
      latency: { mean: expect.closeTo(260 / 3, 9), p50: expect.any(Number), p90: expect.any(Number), p99: expect.any(Number) },
      totals: { calls: 3, successes: 2, failures: 1, timeouts: 0, rejected: 0, ignored: 0, slow: 1 },
    });
    expect(snapshot.latency!.p50 / 50).toBeGreaterThan(0.75);
    expect(snapshot.latency!.p50 / 50).toBeLessThan(1.25);
    expect(snapshot.latency!.p99 / 200).toBeGreaterThan(0.75);
    expect(snapshot.latency!.p99 / 200).toBeLessThan(1.25);
  });

  it("latency figures are within 25 % of the exact value from 1 ms to 60 s", async () => {
    for (const ms of [1, 1.7, 13, 250, 999, 4_321, 59_999]) {
      const clock = new ManualClock(0);
      const breaker = new CircuitBreaker({ clock });
      for (let call = 0; call < 3; call++) await breaker.execute(takes(clock, ms));
      const latency = breaker.snapshot().latency!;
      expect(latency.mean).toBeCloseTo(ms, 6);
      for (const figure of [latency.p50, latency.p90, latency.p99]) {
        expect(Math.abs(figure - ms) / ms).toBeLessThan(0.25);
      }
    }
  });

  it("in-flight trials and successes appear under halfOpen", async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 10, halfOpenMaxCalls: 2, successThreshold: 3, clock });
    await fail(breaker);
    clock.advance(10);
    await breaker.execute(() => "one");
    const hold = deferred();
    void breaker.execute(() => hold.promise);
    expect(breaker.snapshot().halfOpen).toEqual({ inFlight: 1, successes: 1 });
  });

  it("returns copies: changing a snapshot does not change the breaker", () => {
    const breaker = new CircuitBreaker({ slidingWindow: { type: "count", size: 5 } });
    const snapshot = breaker.snapshot();
    snapshot.totals.calls = 99;
    (snapshot.options.slidingWindow as { size: number }).size = 1;
    expect(breaker.snapshot().totals.calls).toBe(0);
    expect(breaker.snapshot().options.slidingWindow).toEqual({ type: "count", size: 5 });
  });
});
