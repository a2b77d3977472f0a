import { describe, expect, it } from "vitest";
import { CallTimeoutError, CircuitBreaker, CircuitOpenError, ManualClock, type BreakerEvent, type BreakerOptions, type CallPermit } from "./index";
import { recordEvents, takes, transitions } from "./test-helpers";

/** The permit, failing the test when the breaker refused it. */
function granted(breaker: CircuitBreaker): CallPermit {
  const permit = breaker.tryAcquire();
  if (permit instanceof CircuitOpenError) throw new Error(`refused: ${permit.message}`);
  return permit;
}

function refused(breaker: CircuitBreaker): CircuitOpenError {
  const permit = breaker.tryAcquire();
  expect(permit).toBeInstanceOf(CircuitOpenError);
  return permit as CircuitOpenError;
}

/** A breaker tripped by one failure, OPEN for 1000 ms, on a manual clock. */
function tripped(options: BreakerOptions = {}) {
  const clock = new ManualClock(0);
  const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 1_000, clock, ...options });
  granted(breaker).failure(new Error("down"));
  expect(breaker.state).toBe("OPEN");
  return { clock, breaker };
}

describe("tryAcquire: admission in every state", () => {
  it("CLOSED grants a permit, judged at once when it settles", () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ failureThreshold: 2, clock });
    const permit = granted(breaker);
    expect(permit).toMatchObject({ breaker: "breaker", state: "CLOSED", settled: false, timedOut: false });
    expect(breaker.inFlight).toBe(1);
    expect(permit.success("value")).toBe(true);
    expect(permit.settled).toBe(true);
    expect(breaker.inFlight).toBe(0);
    granted(breaker).failure(new Error("a"));
    expect(breaker.snapshot().consecutiveFailures).toBe(1);
    granted(breaker).failure(new Error("b"));
    // No await anywhere: the second failure tripped the breaker synchronously.
    expect(breaker.state).toBe("OPEN");
    expect(breaker.snapshot().totals).toMatchObject({ calls: 3, successes: 1, failures: 2 });
  });

  it("OPEN returns the rejection (not thrown), counted and announced like execute's", () => {
    const { clock, breaker } = tripped();
    const events = recordEvents(breaker);
    clock.advance(400);
    const rejection = refused(breaker);
    expect(rejection).toMatchObject({ breaker: "breaker", state: "OPEN", retryAfterMs: 600 });
    expect(rejection.message).toBe('Circuit breaker "breaker" is OPEN: call rejected, retry after 600 ms');
    expect(breaker.snapshot().totals).toMatchObject({ calls: 2, rejected: 1 });
    expect(events).toEqual([{ type: "rejected", breaker: "breaker", at: 400, state: "OPEN" }]);
  });

  it("FORCED_OPEN refuses with no retry time; DISABLED grants and never trips", () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1, clock: new ManualClock(0) });
    breaker.forceOpen();
    expect(refused(breaker)).toMatchObject({ state: "FORCED_OPEN", retryAfterMs: null });
    breaker.disable();
    for (let call = 0; call < 5; call++) {
      const permit = granted(breaker);
      expect(permit.state).toBe("DISABLED");
      permit.failure(new Error("down"));
    }
    expect(breaker.state).toBe("DISABLED");
    expect(breaker.snapshot().totals).toMatchObject({ failures: 5, rejected: 1 });
  });

  it("HALF_OPEN grants halfOpenMaxCalls trial permits, refuses the next, and a settled trial frees its slot", () => {
    const { clock, breaker } = tripped({ halfOpenMaxCalls: 2, successThreshold: 3 });
    clock.advance(1_000);
    const first = granted(breaker);
    const second = granted(breaker);
    expect([first.state, second.state]).toEqual(["HALF_OPEN", "HALF_OPEN"]);
    expect(refused(breaker)).toMatchObject({ state: "HALF_OPEN", retryAfterMs: null });
    expect(breaker.snapshot().halfOpen).toEqual({ inFlight: 2, successes: 0 });
    first.success();
    expect(breaker.snapshot().halfOpen).toEqual({ inFlight: 1, successes: 1 });
    second.cancel(new Error("gave up"));
    expect(breaker.snapshot().halfOpen).toEqual({ inFlight: 0, successes: 1 });
    granted(breaker).success();
    expect(breaker.state).toBe("HALF_OPEN");
    granted(breaker).success();
    expect(breaker.state).toBe("CLOSED");
  });

  it("a failed trial re-opens the breaker", () => {
    const { clock, breaker } = tripped();
    clock.advance(1_000);
    const events = recordEvents(breaker);
    granted(breaker).failure(new Error("still down"));
    expect(transitions(events)).toEqual(["HALF_OPEN>OPEN:trial-failed@1000"]);
  });

  it("a disposed breaker throws a TypeError", () => {
    const breaker = new CircuitBreaker({ name: "gone" });
    breaker.dispose();
    expect(() => breaker.tryAcquire()).toThrow(new TypeError('Circuit breaker "gone" is disposed'));
  });
});

describe("a permit counts only while the period it was granted in is current", () => {
  it("a permit settled after its CLOSED period ended is counted in totals but decides nothing", () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ failureThreshold: 2, openMs: 1_000, clock });
    const [a, b, late] = [granted(breaker), granted(breaker), granted(breaker)];
    a.failure(new Error("a"));
    b.failure(new Error("b"));
    expect(breaker.state).toBe("OPEN");
    clock.advance(1_000);
    expect(breaker.state).toBe("HALF_OPEN");
    late.failure(new Error("late"));
    // Not a failed trial: it was granted in CLOSED.
    expect(breaker.state).toBe("HALF_OPEN");
    expect(breaker.snapshot()).toMatchObject({ halfOpen: { inFlight: 0, successes: 0 }, totals: { calls: 3, failures: 3 } });
  });

  it("after a reset, a permit of the old CLOSED period leaves the new window alone", () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1, clock: new ManualClock(0) });
    const old = granted(breaker);
    breaker.reset();
    old.failure(new Error("old"));
    expect(breaker.state).toBe("CLOSED");
    expect(breaker.snapshot()).toMatchObject({ consecutiveFailures: 0, window: { calls: 0 }, totals: { failures: 1 } });
  });

  it("a trial that outlived its HALF_OPEN (maxHalfOpenMs) decides nothing, even before the timer said so", () => {
    const { clock, breaker } = tripped({ maxHalfOpenMs: 500 });
    clock.advance(1_000);
    const trial = granted(breaker);
    const events = recordEvents(breaker);
    // The clock jumps without firing timers: the trial itself finds its HALF_OPEN over.
    clock.jump(500);
    trial.success();
    expect(transitions(events)).toEqual(["HALF_OPEN>OPEN:half-open-timeout@1500"]);
    expect(breaker.state).toBe("OPEN");
  });
});

describe("permits with timeoutMs", () => {
  it("the breaker settles a permit still unsettled at its deadline as a timeout, on its own clock", () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ name: "slow", failureThreshold: 1, timeoutMs: 100, clock });
    const events = recordEvents(breaker);
    const permit = granted(breaker);
    const signal = permit.signal;
    clock.advance(99);
    expect(permit.settled).toBe(false);
    clock.advance(1);
    expect(permit).toMatchObject({ settled: true, timedOut: true });
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(CallTimeoutError);
    expect(breaker.state).toBe("OPEN");
    expect(breaker.snapshot().totals).toMatchObject({ calls: 1, failures: 1, timeouts: 1 });
    const failure = events.find((event) => event.type === "failure");
    expect(failure).toMatchObject({ type: "failure", at: 100, durationMs: 100, timeout: true });
    expect((failure as { error: unknown }).error).toEqual(new CallTimeoutError("slow", 100));
    // The holder's late report changes nothing and says so.
    expect(permit.success("late")).toBe(false);
    expect(breaker.snapshot().totals).toMatchObject({ calls: 1, successes: 0 });
    expect(() => permit.success("again")).toThrow(/already settled by success\(\)/);
  });

  it("a signal first read after the timeout is already aborted with the timeout", () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ timeoutMs: 50, clock });
    const permit = granted(breaker);
    clock.advance(50);
    expect(permit.signal.aborted).toBe(true);
    expect(permit.signal.reason).toBeInstanceOf(CallTimeoutError);
  });

  it("a permit settled in time stops its deadline: no timeout, no timer left", () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ timeoutMs: 100, clock });
    const permits = Array.from({ length: 50 }, () => granted(breaker));
    clock.advance(99);
    for (const permit of permits) expect(permit.success()).toBe(true);
    clock.advance(1_000);
    expect(permits.every((permit) => !permit.timedOut)).toBe(true);
    expect(breaker.snapshot().totals).toMatchObject({ calls: 50, successes: 50, timeouts: 0 });
    expect(clock.pendingTimers).toBe(0);
  });

  it("cancel counts as ignored and aborts the signal with the reason", () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ timeoutMs: 100, clock });
    const events = recordEvents(breaker);
    const permit = granted(breaker);
    const reason = new Error("user left");
    clock.advance(30);
    expect(permit.cancel(reason)).toBe(true);
    expect(permit.signal.reason).toBe(reason);
    clock.advance(100);
    expect(events).toEqual([{ type: "ignored", breaker: "breaker", at: 30, durationMs: 30, error: reason }]);
    expect(breaker.snapshot().totals).toMatchObject({ calls: 1, ignored: 1, timeouts: 0 });
  });
});

describe("permits are judged as execute judges its calls", () => {
  it("slow calls: durations on the breaker's clock, slow events and the slow-call rate", () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ slowCallMs: 50, slowCallRateThreshold: 50, slidingWindow: { type: "count", size: 4 }, minimumCalls: 4, clock });
    const events = recordEvents(breaker);
    for (const ms of [10, 60, 20, 70]) {
      const permit = granted(breaker);
      clock.advance(ms);
      permit.success();
    }
    expect(events.filter((event) => event.type === "success").map((event) => [event.durationMs, (event as { slow: boolean }).slow])).toEqual([
      [10, false],
      [60, true],
      [20, false],
      [70, true],
    ]);
    expect(transitions(events)).toEqual(["CLOSED>OPEN:slow-call-rate@160"]);
    expect(breaker.snapshot().totals.slow).toBe(2);
  });

  it("isResultFailure judges success(value), isFailure judges failure(error)", () => {
    const breaker = new CircuitBreaker({
      failureThreshold: 10,
      isResultFailure: (value) => value === "bad",
      isFailure: (error) => error !== "ignored",
      clock: new ManualClock(0),
    });
    const events = recordEvents(breaker);
    granted(breaker).success("bad");
    granted(breaker).failure("ignored");
    granted(breaker).success("good");
    expect(events.map((event) => event.type)).toEqual(["failure", "ignored", "success"]);
    expect((events[0] as { error: unknown }).error).toBe("bad");
  });

  it("the latency histogram and sampling match execute's, with and without a listener", async () => {
    for (const listen of [false, true]) {
      const clocks = [new ManualClock(0), new ManualClock(0)];
      const [viaExecute, viaPermits] = clocks.map((clock) => new CircuitBreaker({ failureThreshold: 1_000, clock }));
      if (listen) for (const breaker of [viaExecute!, viaPermits!]) breaker.subscribe(() => undefined);
      for (let call = 0; call < 300; call++) {
        const ms = 5 + (call % 7) * 3;
        await viaExecute!.execute(takes(clocks[0]!, ms));
        const permit = granted(viaPermits!);
        clocks[1]!.advance(ms);
        permit.success();
      }
      expect(viaPermits!.snapshot()).toEqual(viaExecute!.snapshot());
    }
  });

  it("the same calls through execute and through permits leave the same state and the same events", async () => {
    const optionSets: BreakerOptions[] = [
      { failureThreshold: 3, openMs: 100, halfOpenMaxCalls: 2, successThreshold: 2 },
      { slidingWindow: { type: "count", size: 10 }, minimumCalls: 5, openMs: 80, timeoutMs: 30, slowCallMs: 20, backoffMultiplier: 2 },
      { slidingWindow: { type: "time", ms: 200 }, minimumCalls: 4, openMs: 50, halfOpenPolicy: "rates", successThreshold: 3, halfOpenMaxCalls: 3, maxHalfOpenMs: 60 },
    ];
    for (const options of optionSets) {
      let seed = 12345;
      const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      const clocks = [new ManualClock(0), new ManualClock(0)];
      const [viaExecute, viaPermits] = clocks.map((clock) => new CircuitBreaker({ ...options, isFailure: (error) => error !== "ignored", clock }));
      const logs: BreakerEvent[][] = [recordEvents(viaExecute!), recordEvents(viaPermits!)];
      for (let call = 0; call < 2_000; call++) {
        const ms = Math.floor(random() * 40);
        const roll = random();
        const outcome = roll < 0.35 ? { error: new Error("down") } : roll < 0.4 ? { error: "ignored" } : { value: "ok" };
        await viaExecute!.execute(takes(clocks[0]!, ms, outcome)).catch(() => undefined);
        const permit = viaPermits!.tryAcquire();
        // A refused call never runs, so its time does not pass (execute never invokes `fn`).
        if (!(permit instanceof CircuitOpenError)) clocks[1]!.advance(ms);
        if (!(permit instanceof CircuitOpenError) && !permit.timedOut) {
          if ("error" in outcome) permit.failure(outcome.error);
          else permit.success(outcome.value);
        }
        const gap = Math.floor(random() * 10);
        clocks[0]!.advance(gap);
        clocks[1]!.advance(gap);
      }
      expect(viaPermits!.snapshot(), JSON.stringify(options)).toEqual(viaExecute!.snapshot());
      expect(logs[1]!.length).toBeGreaterThan(2_000);
      expect(logs[1], JSON.stringify(options)).toEqual(logs[0]);
    }
  });
});

describe("misuse of a permit", () => {
  it("settling twice throws a TypeError that names the problem and counts nothing more", () => {
    const breaker = new CircuitBreaker({ name: "payments" });
    const permit = granted(breaker);
    permit.success();
    expect(() => permit.success()).toThrow(
      new TypeError('success() on a permit of circuit breaker "payments" already settled by success(): a permit settles once'),
    );
    expect(() => permit.failure(new Error("x"))).toThrow(/failure\(\) on a permit .* already settled by success\(\)/);
    expect(() => permit.cancel()).toThrow(/cancel\(\) on a permit .* already settled by success\(\)/);
    expect(breaker.snapshot().totals).toMatchObject({ calls: 1, successes: 1, failures: 0, ignored: 0 });
  });

  it("a cancelled permit cannot succeed afterwards", () => {
    const breaker = new CircuitBreaker();
    const permit = granted(breaker);
    permit.cancel();
    expect(() => permit.success()).toThrow(/already settled by cancel\(\)/);
  });
});
