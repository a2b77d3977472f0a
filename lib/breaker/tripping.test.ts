import { describe, expect, it } from "vitest";
import { CircuitBreaker, ManualClock } from "./index";
import { fail, recordEvents, succeed, takes, transitions } from "./test-helpers";

describe("consecutive mode", () => {
  it("trips exactly at failureThreshold consecutive failures", async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 4, clock: new ManualClock() });
    await fail(breaker, 3);
    expect(breaker.state).toBe("CLOSED");
    await fail(breaker);
    expect(breaker.state).toBe("OPEN");
  });

  it("a success breaks the streak", async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 3, clock: new ManualClock() });
    await fail(breaker, 2);
    await succeed(breaker);
    await fail(breaker, 2);
    expect(breaker.state).toBe("CLOSED");
    expect(breaker.snapshot().consecutiveFailures).toBe(2);
    await fail(breaker);
    expect(breaker.state).toBe("OPEN");
  });

  it("an ignored error leaves the streak as it was", async () => {
    const breaker = new CircuitBreaker({
      failureThreshold: 2,
      isFailure: (error) => error !== "ignore me",
      clock: new ManualClock(),
    });
    await fail(breaker);
    await breaker.execute(() => Promise.reject("ignore me")).catch(() => undefined);
    expect(breaker.snapshot().consecutiveFailures).toBe(1);
    await fail(breaker);
    expect(breaker.state).toBe("OPEN");
  });

  it("defaults to 5 consecutive failures", async () => {
    const breaker = new CircuitBreaker({ clock: new ManualClock() });
    await fail(breaker, 4);
    expect(breaker.state).toBe("CLOSED");
    await fail(breaker);
    expect(breaker.state).toBe("OPEN");
  });

  it("keeps an informative window of the calls since the last close, slow calls do not trip", async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker({ failureThreshold: 3, slowCallMs: 10, clock });
    await succeed(breaker);
    await fail(breaker);
    await breaker.execute(takes(clock, 50));
    await breaker.execute(takes(clock, 50));
    expect(breaker.state).toBe("CLOSED");
    expect(breaker.snapshot().window).toEqual({ calls: 4, failures: 1, slowCalls: 2, failureRate: 25, slowCallRate: 50 });
  });
});

describe("count window", () => {
  const options = { slidingWindow: { type: "count", size: 10 }, failureRateThreshold: 50, minimumCalls: 4 } as const;

  it("does not judge below minimumCalls, trips when the rate reaches the threshold exactly", async () => {
    const breaker = new CircuitBreaker({ ...options, clock: new ManualClock() });
    const events = recordEvents(breaker);
    await fail(breaker, 3);
    expect(breaker.state).toBe("CLOSED");
    await succeed(breaker);
    expect(breaker.state).toBe("OPEN");
    expect(transitions(events)).toEqual(["CLOSED>OPEN:failure-rate@0"]);
  });

  it("stays closed just below the threshold", async () => {
    const breaker = new CircuitBreaker({ ...options, failureRateThreshold: 50.1, clock: new ManualClock() });
    await succeed(breaker, 2);
    await fail(breaker, 2);
    expect(breaker.snapshot().window.failureRate).toBe(50);
    expect(breaker.state).toBe("CLOSED");
  });

  it("judges only the last `size` calls", async () => {
    const breaker = new CircuitBreaker({ ...options, slidingWindow: { type: "count", size: 4 }, failureRateThreshold: 75 });
    await fail(breaker, 2);
    await succeed(breaker, 4);
    expect(breaker.snapshot().window).toMatchObject({ calls: 4, failures: 0 });
    await fail(breaker, 2);
    expect(breaker.state).toBe("CLOSED");
    await fail(breaker);
    expect(breaker.state).toBe("OPEN");
  });

  it("caps minimumCalls at the window size", async () => {
    const breaker = new CircuitBreaker({ slidingWindow: { type: "count", size: 2 }, minimumCalls: 100, clock: new ManualClock() });
    await fail(breaker, 2);
    expect(breaker.state).toBe("OPEN");
  });

  it("a failing call after the rate fell below the threshold re-evaluates the whole window", async () => {
    const breaker = new CircuitBreaker({ ...options, minimumCalls: 10, clock: new ManualClock() });
    await succeed(breaker, 5);
    await fail(breaker, 4);
    expect(breaker.state).toBe("CLOSED");
    await fail(breaker);
    expect(breaker.state).toBe("OPEN");
    expect(breaker.snapshot().window).toMatchObject({ calls: 10, failures: 5, failureRate: 50 });
  });
});

describe("time window", () => {
  it("judges the calls of the last ms; a call exactly ms old has left", async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({
      slidingWindow: { type: "time", ms: 1_000 },
      minimumCalls: 3,
      failureRateThreshold: 100,
      clock,
    });
    await fail(breaker);
    clock.advance(500);
    await fail(breaker);
    clock.advance(500);
    // The first failure is now exactly 1 000 ms old: gone, so only two calls remain.
    await fail(breaker);
    expect(breaker.snapshot().window.calls).toBe(2);
    expect(breaker.state).toBe("CLOSED");
    clock.advance(499);
    await fail(breaker);
    expect(breaker.state).toBe("OPEN");
  });

  it("expires lazily: the snapshot drops old calls without any traffic or timer", async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ slidingWindow: { type: "time", ms: 10_000 }, clock });
    await succeed(breaker, 3);
    expect(clock.pendingTimers).toBe(0);
    clock.jump(9_999);
    expect(breaker.snapshot().window.calls).toBe(3);
    clock.jump(1);
    expect(breaker.snapshot().window).toEqual({ calls: 0, failures: 0, slowCalls: 0, failureRate: 0, slowCallRate: 0 });
    expect(breaker.snapshot().latency).toBeNull();
  });

  it("stamps calls when they settle, not when they start", async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ slidingWindow: { type: "time", ms: 1_000 }, clock });
    await breaker.execute(takes(clock, 800));
    clock.advance(999);
    expect(breaker.snapshot().window.calls).toBe(1);
    clock.advance(1);
    expect(breaker.snapshot().window.calls).toBe(0);
  });
});

describe("slow calls", () => {
  const slowOptions = {
    slidingWindow: { type: "count", size: 5 },
    minimumCalls: 5,
    slowCallMs: 100,
    slowCallRateThreshold: 60,
    failureRateThreshold: 100,
  } as const;

  it("a call is slow when it takes longer than slowCallMs, success or failure", async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker({ ...slowOptions, clock });
    const events = recordEvents(breaker);
    await breaker.execute(takes(clock, 100));
    await breaker.execute(takes(clock, 101));
    await breaker.execute(takes(clock, 150, { error: new Error("late and wrong") })).catch(() => undefined);
    expect(events.map((event) => (event.type === "success" || event.type === "failure" ? [event.type, event.durationMs] : event.type))).toEqual([
      ["success", 100],
      ["success", 101],
      ["failure", 150],
    ]);
    expect(events.map((event) => ("slow" in event ? event.slow : null))).toEqual([false, true, null]);
    expect(breaker.snapshot().totals.slow).toBe(2);
    expect(breaker.snapshot().window.slowCalls).toBe(2);
  });

  it("trips on the slow-call rate even when every call succeeds", async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker({ ...slowOptions, clock });
    const events = recordEvents(breaker);
    await breaker.execute(takes(clock, 10));
    await breaker.execute(takes(clock, 10));
    await breaker.execute(takes(clock, 500));
    await breaker.execute(takes(clock, 500));
    expect(breaker.state).toBe("CLOSED");
    await breaker.execute(takes(clock, 500));
    expect(breaker.state).toBe("OPEN");
    expect(transitions(events)).toEqual([`CLOSED>OPEN:slow-call-rate@${clock.now()}`]);
  });

  it("the failure rate wins when both rates cross at once", async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker({ ...slowOptions, failureRateThreshold: 50, clock });
    const events = recordEvents(breaker);
    for (let index = 0; index < 5; index++) {
      await breaker.execute(takes(clock, 500, { error: new Error("slow failure") })).catch(() => undefined);
    }
    expect(transitions(events)).toEqual([`CLOSED>OPEN:failure-rate@${clock.now()}`]);
  });

  it("without slowCallMs nothing is slow", async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker({ ...slowOptions, slowCallMs: null, clock });
    for (let index = 0; index < 5; index++) await breaker.execute(takes(clock, 60_000));
    expect(breaker.state).toBe("CLOSED");
    expect(breaker.snapshot().totals.slow).toBe(0);
  });
});
