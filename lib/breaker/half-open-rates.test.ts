import { describe, expect, it } from "vitest";
import { CircuitBreaker, ManualClock, type BreakerOptions } from "./index";
import { boom, deferred, fail, ok, recordEvents, succeed, takes, transitions } from "./test-helpers";

async function halfOpen(options: BreakerOptions) {
  const clock = new ManualClock(0);
  const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 1_000, halfOpenPolicy: "rates", ...options, clock });
  const events = recordEvents(breaker);
  await fail(breaker);
  clock.advance(1_000);
  expect(breaker.state).toBe("HALF_OPEN");
  return { clock, breaker, events };
}

describe('halfOpenPolicy "rates" (Resilience4j\'s rule)', () => {
  it("a failed trial does not reopen at once: the trials are judged once successThreshold settled", async () => {
    const { breaker, events } = await halfOpen({ successThreshold: 4, failureRateThreshold: 50 });
    await fail(breaker);
    expect(breaker.state).toBe("HALF_OPEN");
    await succeed(breaker, 2);
    expect(breaker.state).toBe("HALF_OPEN");
    await succeed(breaker);
    // 1 failure in 4 trials: 25 % < 50 %.
    expect(transitions(events).at(-1)).toBe("HALF_OPEN>CLOSED:trial-succeeded@1000");
  });

  it("reopens, with a backoff step, when the trials' failure rate reaches failureRateThreshold", async () => {
    const { breaker, events } = await halfOpen({ successThreshold: 4, failureRateThreshold: 50, backoffMultiplier: 2 });
    await succeed(breaker, 2);
    await fail(breaker, 2);
    expect(transitions(events).at(-1)).toBe("HALF_OPEN>OPEN:trial-failed@1000");
    expect(breaker.snapshot().halfOpenAt).toBe(3_000);
  });

  it("reopens when slow trials reach slowCallRateThreshold, though every trial succeeded", async () => {
    const { clock, breaker, events } = await halfOpen({ successThreshold: 2, slowCallMs: 100, slowCallRateThreshold: 50 });
    await breaker.execute(takes(clock, 500));
    await breaker.execute(takes(clock, 10));
    expect(transitions(events).at(-1)).toBe("HALF_OPEN>OPEN:trial-failed@1510");
  });

  it("the default any-failure lets the same slow trials close the breaker", async () => {
    const { clock, breaker } = await halfOpen({ halfOpenPolicy: "any-failure", successThreshold: 2, slowCallMs: 100, slowCallRateThreshold: 50 });
    await breaker.execute(takes(clock, 500));
    await breaker.execute(takes(clock, 10));
    expect(breaker.state).toBe("CLOSED");
  });

  it("ignored trials give their slot back and are not judged", async () => {
    const { breaker } = await halfOpen({ successThreshold: 2, isFailure: (error) => error !== "meh" });
    await breaker.execute(() => Promise.reject("meh")).catch(() => undefined);
    await breaker.execute(() => Promise.reject("meh")).catch(() => undefined);
    expect(breaker.snapshot()).toMatchObject({ state: "HALF_OPEN", halfOpen: { inFlight: 0, successes: 0 } });
    await succeed(breaker, 2);
    expect(breaker.state).toBe("CLOSED");
  });

  it("trials still running when the decision falls settle as stale calls", async () => {
    const { breaker } = await halfOpen({ successThreshold: 2, halfOpenMaxCalls: 3 });
    const late = deferred<string>();
    const running = breaker.execute(() => late.promise);
    await Promise.all([breaker.execute(ok), breaker.execute(ok)]);
    expect(breaker.state).toBe("CLOSED");
    late.reject(new Error("late"));
    await running.catch(() => undefined);
    expect(breaker.snapshot()).toMatchObject({ state: "CLOSED", consecutiveFailures: 0, totals: { failures: 2 } });
  });

  it("timeouts of trials count as failures in the rate", async () => {
    const { clock, breaker, events } = await halfOpen({ successThreshold: 1, timeoutMs: 50 });
    const hung = breaker.execute(() => new Promise(() => undefined));
    clock.advance(50);
    await hung.catch(() => undefined);
    expect(transitions(events).at(-1)).toBe("HALF_OPEN>OPEN:trial-failed@1050");
    await expect(breaker.execute(boom)).rejects.toMatchObject({ name: "CircuitOpenError" });
  });
});
