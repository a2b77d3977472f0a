import { describe, expect, it } from "vitest";
import { CircuitBreaker, CircuitOpenError, ManualClock } from "./index";
import { recordEvents, transitions } from "./test-helpers";

// The seed's breaker: three consecutive failures trip it, it waits 20 s, one trial decides.
function seedBreaker(clock: ManualClock) {
  return new CircuitBreaker({
    name: "payments",
    failureThreshold: 3,
    openMs: 20_000,
    isFailure: (error) => error instanceof Error,
    clock,
  });
}

const makeRequest = (outcome: "ok" | "down") => () =>
  outcome === "ok" ? Promise.resolve({ status: 200 }) : Promise.reject(new Error("ECONNREFUSED"));

describe("the seed scenario, step by step", () => {
  it("trips after 3 failures, rejects without calling, half-opens at exactly 20 000 ms, closes on success", async () => {
    const clock = new ManualClock(1_000);
    const breaker = seedBreaker(clock);
    const events = recordEvents(breaker);

    await expect(breaker.execute(makeRequest("ok"))).resolves.toEqual({ status: 200 });
    for (let attempt = 1; attempt <= 2; attempt++) {
      await expect(breaker.execute(makeRequest("down"))).rejects.toThrow("ECONNREFUSED");
      expect(breaker.state).toBe("CLOSED");
      expect(breaker.snapshot().consecutiveFailures).toBe(attempt);
    }
    await expect(breaker.execute(makeRequest("down"))).rejects.toThrow("ECONNREFUSED");
    expect(breaker.state).toBe("OPEN");
    expect(breaker.snapshot()).toMatchObject({ openedAt: 1_000, halfOpenAt: 21_000, consecutiveFailures: 3 });

    let invoked = 0;
    const rejection = await breaker
      .execute(() => {
        invoked += 1;
        return "never";
      })
      .catch((error: unknown) => error);
    expect(invoked).toBe(0);
    expect(rejection).toBeInstanceOf(CircuitOpenError);
    expect(rejection).toMatchObject({ name: "CircuitOpenError", breaker: "payments", state: "OPEN", retryAfterMs: 20_000 });

    clock.advance(12_300);
    const later = await breaker.execute(makeRequest("ok")).catch((error: unknown) => error);
    expect(later).toMatchObject({ retryAfterMs: 7_700 });

    clock.advance(7_699);
    expect(breaker.state).toBe("OPEN");
    expect(transitions(events)).toEqual(["CLOSED>OPEN:failure-threshold@1000"]);
    clock.advance(1);
    expect(transitions(events)).toEqual(["CLOSED>OPEN:failure-threshold@1000", "OPEN>HALF_OPEN:open-elapsed@21000"]);
    expect(breaker.state).toBe("HALF_OPEN");
    expect(breaker.snapshot()).toMatchObject({ openedAt: 1_000, halfOpenAt: 21_000 });

    await expect(breaker.execute(makeRequest("ok"))).resolves.toEqual({ status: 200 });
    expect(breaker.state).toBe("CLOSED");
    expect(breaker.snapshot()).toMatchObject({
      openedAt: null,
      halfOpenAt: null,
      consecutiveFailures: 0,
      totals: { calls: 7, successes: 2, failures: 3, rejected: 2, ignored: 0, timeouts: 0, slow: 0 },
    });
    expect(transitions(events).at(-1)).toBe("HALF_OPEN>CLOSED:trial-succeeded@21000");
  });

  it("a failed trial opens it again for another 20 s", async () => {
    const clock = new ManualClock(0);
    const breaker = seedBreaker(clock);
    const events = recordEvents(breaker);
    for (let attempt = 0; attempt < 3; attempt++) await breaker.execute(makeRequest("down")).catch(() => undefined);
    clock.advance(20_000);
    expect(breaker.state).toBe("HALF_OPEN");
    clock.advance(500);

    await expect(breaker.execute(makeRequest("down"))).rejects.toThrow("ECONNREFUSED");
    expect(breaker.state).toBe("OPEN");
    expect(breaker.snapshot()).toMatchObject({ openedAt: 20_500, halfOpenAt: 40_500 });
    expect(transitions(events)).toEqual([
      "CLOSED>OPEN:failure-threshold@0",
      "OPEN>HALF_OPEN:open-elapsed@20000",
      "HALF_OPEN>OPEN:trial-failed@20500",
    ]);
  });

  it("an error that isFailure rejects is rethrown but does not count towards the trip", async () => {
    const breaker = seedBreaker(new ManualClock());
    for (let attempt = 0; attempt < 5; attempt++) {
      await expect(breaker.execute(() => Promise.reject("not an Error"))).rejects.toBe("not an Error");
    }
    expect(breaker.state).toBe("CLOSED");
    expect(breaker.snapshot()).toMatchObject({ consecutiveFailures: 0, totals: { ignored: 5, failures: 0 } });
  });
});
