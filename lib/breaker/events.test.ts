import { describe, expect, it } from "vitest";
import { CircuitBreaker, ManualClock, type BreakerEvent } from "./index";
import { fail, recordEvents, takes } from "./test-helpers";

describe("events", () => {
  it("a whole cycle emits this exact sequence with these payloads", async () => {
    const clock = new ManualClock(100);
    const breaker = new CircuitBreaker({ name: "payments", failureThreshold: 2, openMs: 1_000, slowCallMs: 50, clock });
    const events = recordEvents(breaker);
    const error = new Error("down");

    await breaker.execute(takes(clock, 60));
    await breaker.execute(takes(clock, 10, { error })).catch(() => undefined);
    await breaker.execute(takes(clock, 20, { error })).catch(() => undefined);
    await breaker.execute(() => "refused").catch(() => undefined);
    clock.advance(1_000);
    await breaker.execute(takes(clock, 5));

    expect(events).toEqual<BreakerEvent[]>([
      { type: "success", breaker: "payments", at: 160, durationMs: 60, slow: true },
      { type: "failure", breaker: "payments", at: 170, durationMs: 10, error, timeout: false },
      { type: "failure", breaker: "payments", at: 190, durationMs: 20, error, timeout: false },
      { type: "state", breaker: "payments", at: 190, from: "CLOSED", to: "OPEN", reason: "failure-threshold" },
      { type: "rejected", breaker: "payments", at: 190, state: "OPEN" },
      { type: "state", breaker: "payments", at: 1_190, from: "OPEN", to: "HALF_OPEN", reason: "open-elapsed" },
      { type: "success", breaker: "payments", at: 1_195, durationMs: 5, slow: false },
      { type: "state", breaker: "payments", at: 1_195, from: "HALF_OPEN", to: "CLOSED", reason: "trial-succeeded" },
    ]);
  });

  it("a call's outcome event comes before the state event it causes", async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1 });
    const order: string[] = [];
    breaker.subscribe((event) => order.push(event.type === "state" ? `state:${breaker.snapshot().totals.failures}` : event.type));
    await fail(breaker);
    expect(order).toEqual(["failure", "state:1"]);
  });

  it("a listener that throws is isolated: the breaker and the other listeners carry on", async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1 });
    breaker.subscribe(() => {
      throw new Error("listener bug");
    });
    const events = recordEvents(breaker);
    await expect(breaker.execute(() => "fine")).resolves.toBe("fine");
    await fail(breaker);
    expect(breaker.state).toBe("OPEN");
    expect(events.map((event) => event.type)).toEqual(["success", "failure", "state"]);
  });

  it("unsubscribe stops delivery, is idempotent, and removes only its own subscription", async () => {
    const breaker = new CircuitBreaker();
    const seen: string[] = [];
    const listener = (event: BreakerEvent) => seen.push(event.type);
    const first = breaker.subscribe(listener);
    breaker.subscribe(listener);
    first();
    first();
    await breaker.execute(() => 1);
    expect(seen).toEqual(["success"]);
  });

  it("a listener may unsubscribe or subscribe others while an event is delivered", async () => {
    const breaker = new CircuitBreaker();
    const seen: string[] = [];
    const unsubscribe = breaker.subscribe(() => {
      seen.push("first");
      unsubscribe();
      breaker.subscribe(() => seen.push("late"));
    });
    breaker.subscribe(() => seen.push("second"));
    await breaker.execute(() => 1);
    await breaker.execute(() => 1);
    expect(seen).toEqual(["first", "second", "second", "late"]);
  });

  it("a listener reacting to an outcome by resetting wins over the call's own decision", async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1 });
    const events = recordEvents(breaker);
    breaker.subscribe((event) => {
      if (event.type === "failure") breaker.reset();
    });
    await fail(breaker);
    expect(breaker.state).toBe("CLOSED");
    expect(events.map((event) => event.type)).toEqual(["failure"]);
  });

  it("subscribe needs a function", () => {
    expect(() => new CircuitBreaker().subscribe("x" as never)).toThrow(TypeError);
  });
});
