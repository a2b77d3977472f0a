import { describe, expect, it, vi } from "vitest";
import { CircuitBreaker, CircuitOpenError, ManualClock } from "./index";
import { fail, takes } from "./test-helpers";

/** A clock that counts its reads. */
function countingClock() {
  const clock = new ManualClock(0);
  const now = vi.spyOn(clock, "now");
  return { clock, reads: () => now.mock.calls.length };
}

describe("the hot path: CLOSED, success, nothing to time or tell", () => {
  it("stops reading the clock once the window has 64 timed calls, but for one sampled call in 16", async () => {
    const { clock, reads } = countingClock();
    const breaker = new CircuitBreaker({ clock });
    for (let call = 0; call < 64; call++) await breaker.execute(() => "ok");
    const before = reads();
    for (let call = 0; call < 160; call++) await breaker.execute(() => "ok");
    // 160 calls, 10 of them sampled, each sample reading the clock at its start and its end.
    expect(reads() - before).toBe(20);
  });

  it("still counts every call, and latency stays right from the samples", async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ failureThreshold: 1_000, clock });
    for (let call = 0; call < 500; call++) await breaker.execute(takes(clock, 40));
    const { totals, window, latency } = breaker.snapshot();
    expect(totals).toMatchObject({ calls: 500, successes: 500 });
    expect(window.calls).toBe(500);
    expect(latency!.mean).toBeCloseTo(40, 9);
    expect(Math.abs(latency!.p99 - 40) / 40).toBeLessThan(0.25);
  });

  it("times every call when something needs each duration: a listener, slowCallMs or a time window's stamp", async () => {
    for (const options of [{ slowCallMs: 10 }, { slidingWindow: { type: "time", ms: 1_000 } } as const]) {
      const { clock, reads } = countingClock();
      const breaker = new CircuitBreaker({ ...options, clock });
      for (let call = 0; call < 100; call++) await breaker.execute(() => "ok");
      const before = reads();
      await breaker.execute(() => "ok");
      expect(reads() - before, JSON.stringify(options)).toBeGreaterThanOrEqual(1);
    }
    const { clock, reads } = countingClock();
    const breaker = new CircuitBreaker({ clock });
    breaker.subscribe(() => undefined);
    for (let call = 0; call < 100; call++) await breaker.execute(() => "ok");
    const before = reads();
    await breaker.execute(() => "ok");
    expect(reads() - before).toBe(2);
  });

  it("trips, ignores, and judges results exactly as the timed path does", async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({
      failureThreshold: 3,
      isFailure: (error) => error !== "ignored",
      isResultFailure: (value) => value === "bad",
      clock,
    });
    for (let call = 0; call < 100; call++) await breaker.execute(() => Promise.resolve("ok"));
    await breaker.execute(() => Promise.reject("ignored")).catch(() => undefined);
    await expect(breaker.execute(() => "bad")).resolves.toBe("bad");
    let syncThrow: Promise<unknown> | undefined;
    expect(() => {
      syncThrow = breaker.execute(() => {
        throw new Error("sync");
      });
    }).not.toThrow();
    await expect(syncThrow).rejects.toThrow("sync");
    await breaker.execute(() => ({ then: (_: unknown, reject: (error: unknown) => void) => reject(new Error("thenable")) }) as PromiseLike<never>).catch(() => undefined);
    expect(breaker.state).toBe("OPEN");
    expect(breaker.snapshot()).toMatchObject({ openedAt: 0, totals: { calls: 104, successes: 100, failures: 3, ignored: 1 } });
    await expect(breaker.execute(() => "refused")).rejects.toBeInstanceOf(CircuitOpenError);
  });

  it("a call of an earlier period settling on the hot path decides nothing", async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1, clock: new ManualClock() });
    for (let call = 0; call < 100; call++) await breaker.execute(() => "ok");
    let reject!: (error: unknown) => void;
    const late = breaker.execute(() => new Promise((_, rejectLate) => (reject = rejectLate)));
    breaker.reset();
    reject(new Error("late"));
    await late.catch(() => undefined);
    expect(breaker.state).toBe("CLOSED");
  });

  it("tryExecute takes the hot path too", async () => {
    const { clock, reads } = countingClock();
    const breaker = new CircuitBreaker({ clock });
    for (let call = 0; call < 64; call++) await breaker.tryExecute(() => "ok");
    const before = reads();
    const results = [];
    for (let call = 0; call < 15; call++) results.push(await breaker.tryExecute(() => Promise.resolve(call)));
    expect(reads() - before).toBe(0);
    expect(results.at(-1)).toEqual({ ok: true, value: 14 });
    await expect(breaker.tryExecute(() => Promise.reject(new Error("x")))).resolves.toMatchObject({ ok: false, rejected: false });
  });

  it("a listener that resets the breaker as it half-opens lets the arriving call run as a normal call", async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 100, clock });
    breaker.subscribe((event) => {
      if (event.type === "state" && event.to === "HALF_OPEN") breaker.reset();
    });
    await fail(breaker);
    clock.jump(100);
    await expect(breaker.execute(() => "normal")).resolves.toBe("normal");
    expect(breaker.snapshot()).toMatchObject({ state: "CLOSED", halfOpen: { inFlight: 0 }, window: { calls: 1 } });
  });

  it("DISABLED calls take the hot path too: counted, never tripping", async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1, clock: new ManualClock() });
    breaker.disable();
    for (let call = 0; call < 100; call++) await breaker.execute(() => "ok");
    await fail(breaker, 5);
    expect(breaker.snapshot()).toMatchObject({ state: "DISABLED", totals: { calls: 105, failures: 5 } });
  });
});

describe("the breaker's own rejections", () => {
  it("are CircuitOpenErrors with every field, a message and a stack, built lazily and cheaply", async () => {
    const breaker = new CircuitBreaker({ name: "payments", failureThreshold: 1, openMs: 20_000, clock: new ManualClock(0) });
    await fail(breaker);
    const error = (await breaker.execute(() => 1).catch((caught: unknown) => caught)) as CircuitOpenError;
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("CircuitOpenError");
    expect(error.message).toBe('Circuit breaker "payments" is OPEN: call rejected, retry after 20000 ms');
    expect(String(error)).toBe(`CircuitOpenError: ${error.message}`);
    expect(error.stack).toContain("CircuitOpenError: Circuit breaker");
    expect(JSON.parse(JSON.stringify(error))).toEqual({ breaker: "payments", state: "OPEN", retryAfterMs: 20_000 });
    error.message = "rewritten";
    error.stack = "custom stack";
    expect([error.message, error.stack]).toEqual(["rewritten", "custom stack"]);
  });

  it("match the ones users construct", () => {
    const constructed = new CircuitOpenError("inventory", "HALF_OPEN", null);
    expect(constructed).toMatchObject({ name: "CircuitOpenError", breaker: "inventory", state: "HALF_OPEN", retryAfterMs: null });
    expect(constructed.message).toBe('Circuit breaker "inventory" is HALF_OPEN: call rejected');
    expect(constructed.stack).toContain("hot-path.test");
  });
});
