import { describe, expect, it } from "vitest";
import { CircuitBreaker, ManualClock } from "./index";
import { fail, recordEvents, succeed, takes } from "./test-helpers";

describe("live reconfiguration", () => {
  it("judges a new threshold at the next settled call, not at once", async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 5, clock: new ManualClock() });
    await fail(breaker, 3);
    breaker.configure({ failureThreshold: 2 });
    expect(breaker.state).toBe("CLOSED");
    await fail(breaker);
    expect(breaker.state).toBe("OPEN");
  });

  it("a new openMs applies from the next open period", async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 1_000, clock });
    await fail(breaker);
    breaker.configure({ openMs: 5_000 });
    expect(breaker.snapshot().halfOpenAt).toBe(1_000);
    clock.advance(1_000);
    await fail(breaker);
    expect(breaker.snapshot()).toMatchObject({ openedAt: 1_000, halfOpenAt: 6_000 });
  });

  it("maxHalfOpenMs applies from the next HALF_OPEN", async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 100, maxHalfOpenMs: 1_000, clock });
    await fail(breaker);
    clock.advance(100);
    breaker.configure({ maxHalfOpenMs: 50 });
    clock.advance(999);
    expect(breaker.state).toBe("HALF_OPEN");
    clock.advance(1);
    expect(breaker.state).toBe("OPEN");
    clock.advance(100);
    clock.advance(50);
    expect(breaker.state).toBe("OPEN");
  });

  it("the window keeps its calls unless its type or size changes", async () => {
    const breaker = new CircuitBreaker({ slidingWindow: { type: "count", size: 10 }, clock: new ManualClock() });
    await fail(breaker, 3);
    breaker.configure({ failureRateThreshold: 90, slidingWindow: { type: "count", size: 10 } });
    expect(breaker.snapshot().window.calls).toBe(3);
    breaker.configure({ slidingWindow: { type: "count", size: 11 } });
    expect(breaker.snapshot().window.calls).toBe(0);
    await fail(breaker, 2);
    breaker.configure({ slidingWindow: { type: "time", ms: 1_000 } });
    expect(breaker.snapshot().window.calls).toBe(0);
    await fail(breaker);
    breaker.configure({ slidingWindow: null });
    expect(breaker.snapshot().window.calls).toBe(0);
  });

  it("switching from consecutive to window mode starts judging rates", async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 100, clock: new ManualClock() });
    await fail(breaker, 3);
    breaker.configure({ slidingWindow: { type: "count", size: 4 }, minimumCalls: 2, failureRateThreshold: 100 });
    await fail(breaker);
    expect(breaker.state).toBe("CLOSED");
    await fail(breaker);
    expect(breaker.state).toBe("OPEN");
  });

  it("timeoutMs and slowCallMs apply to calls started after the change", async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ clock });
    breaker.configure({ slowCallMs: 10, timeoutMs: 50 });
    await breaker.execute(takes(clock, 20));
    const hung = breaker.execute(() => new Promise(() => undefined));
    clock.advance(50);
    await hung.catch(() => undefined);
    expect(breaker.snapshot().totals).toMatchObject({ slow: 2, timeouts: 1 });
    breaker.configure({ slowCallMs: null, timeoutMs: null });
    await breaker.execute(takes(clock, 20));
    expect(breaker.snapshot().totals.slow).toBe(2);
    expect(clock.pendingTimers).toBe(0);
  });

  it("halfOpenMaxCalls and successThreshold apply to the current HALF_OPEN", async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 10, successThreshold: 5, clock });
    await fail(breaker);
    clock.advance(10);
    await succeed(breaker, 2);
    breaker.configure({ successThreshold: 3, halfOpenMaxCalls: 2 });
    await succeed(breaker);
    expect(breaker.state).toBe("CLOSED");
  });

  it("renaming shows in later events and errors", async () => {
    const breaker = new CircuitBreaker({ name: "old", failureThreshold: 1 });
    const events = recordEvents(breaker);
    breaker.configure({ name: "new" });
    await fail(breaker);
    expect(events.every((event) => event.breaker === "new")).toBe(true);
    await expect(breaker.execute(() => 1)).rejects.toMatchObject({ breaker: "new" });
    expect(breaker.name).toBe("new");
  });

  it("clock: undefined means the default clock: fine when that is the clock, a TypeError otherwise", () => {
    const real = new CircuitBreaker();
    expect(() => real.configure({ clock: undefined })).not.toThrow();
    const manual = new CircuitBreaker({ clock: new ManualClock() });
    expect(() => manual.configure({ clock: undefined })).toThrow(TypeError);
  });
});
