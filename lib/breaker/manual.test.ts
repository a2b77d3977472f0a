import { describe, expect, it } from "vitest";
import { CircuitBreaker, CircuitOpenError, ManualClock } from "./index";
import { fail, recordEvents, succeed, transitions } from "./test-helpers";

describe("manual controls", () => {
  it("forceOpen rejects every call with retryAfterMs null until reset, and emits force-open", async () => {
    const clock = new ManualClock(5);
    const breaker = new CircuitBreaker({ clock });
    const events = recordEvents(breaker);
    breaker.forceOpen();
    expect(breaker.snapshot()).toMatchObject({ state: "FORCED_OPEN", openedAt: null, halfOpenAt: null });
    const error = await breaker.execute(() => "never").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error).toMatchObject({ state: "FORCED_OPEN", retryAfterMs: null });
    clock.advance(10 * 60_000);
    expect(breaker.state).toBe("FORCED_OPEN");
    expect(clock.pendingTimers).toBe(0);
    breaker.reset();
    expect(breaker.state).toBe("CLOSED");
    expect(transitions(events)).toEqual(["CLOSED>FORCED_OPEN:force-open@5", `FORCED_OPEN>CLOSED:reset@${clock.now()}`]);
  });

  it("disable lets every call pass, counts outcomes, never trips", async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1, clock: new ManualClock() });
    const events = recordEvents(breaker);
    breaker.disable();
    await fail(breaker, 10);
    await succeed(breaker);
    expect(breaker.state).toBe("DISABLED");
    expect(breaker.snapshot()).toMatchObject({ totals: { failures: 10, successes: 1 }, window: { calls: 11 }, openedAt: null });
    expect(transitions(events)).toEqual(["CLOSED>DISABLED:disable@0"]);
  });

  it("a transition to the state the breaker is already in emits nothing", async () => {
    const breaker = new CircuitBreaker();
    const events = recordEvents(breaker);
    breaker.forceOpen();
    breaker.forceOpen();
    breaker.disable();
    breaker.disable();
    breaker.reset();
    breaker.reset();
    expect(transitions(events).map((line) => line.split("@")[0])).toEqual([
      "CLOSED>FORCED_OPEN:force-open",
      "FORCED_OPEN>DISABLED:disable",
      "DISABLED>CLOSED:reset",
    ]);
  });

  it("reset from OPEN clears the window, the streak and the open period, keeps totals, and cancels the timer", async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ failureThreshold: 2, openMs: 1_000, clock });
    await fail(breaker, 2);
    expect(clock.pendingTimers).toBe(1);
    breaker.reset();
    expect(clock.pendingTimers).toBe(0);
    expect(breaker.snapshot()).toMatchObject({
      state: "CLOSED",
      openedAt: null,
      halfOpenAt: null,
      consecutiveFailures: 0,
      window: { calls: 0 },
      totals: { calls: 2, failures: 2 },
    });
  });

  it("forceOpen from OPEN reports its true current state, even when HALF_OPEN is only due", async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 1_000, clock });
    const events = recordEvents(breaker);
    await fail(breaker);
    clock.jump(1_000);
    breaker.forceOpen();
    expect(transitions(events)).toEqual([
      "CLOSED>OPEN:failure-threshold@0",
      "OPEN>HALF_OPEN:open-elapsed@1000",
      "HALF_OPEN>FORCED_OPEN:force-open@1000",
    ]);
  });

  it("disable from HALF_OPEN makes the trials stale", async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 1_000, clock });
    await fail(breaker);
    clock.advance(1_000);
    const trial = breaker.execute(() => Promise.reject(new Error("late")));
    breaker.disable();
    await trial.catch(() => undefined);
    expect(breaker.snapshot()).toMatchObject({ state: "DISABLED", halfOpen: { inFlight: 0 }, window: { calls: 0 } });
  });
});
