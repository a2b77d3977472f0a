import { describe, expect, it, vi } from "vitest";
import { CallTimeoutError, CircuitBreaker, CircuitOpenError, ManualClock } from "./index";
import { deferred, fail, recordEvents, takes } from "./test-helpers";

describe("what fn may be", () => {
  it("a function returning a plain value resolves to it", async () => {
    const breaker = new CircuitBreaker();
    await expect(breaker.execute(() => 42)).resolves.toBe(42);
    await expect(breaker.execute(() => undefined)).resolves.toBeUndefined();
    expect(breaker.snapshot().totals.successes).toBe(2);
  });

  it("a function throwing synchronously rejects (never throws) and counts as a failure", async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1 });
    let result: Promise<unknown> | undefined;
    expect(() => {
      result = breaker.execute(() => {
        throw new Error("sync");
      });
    }).not.toThrow();
    await expect(result).rejects.toThrow("sync");
    expect(breaker.state).toBe("OPEN");
  });

  it("a thenable that is not a Promise works", async () => {
    const breaker = new CircuitBreaker();
    const thenable = { then: (resolve: (value: string) => void) => resolve("thenable") } as PromiseLike<string>;
    await expect(breaker.execute(() => thenable)).resolves.toBe("thenable");
  });

  it("a non-function is a TypeError and is not counted", async () => {
    const breaker = new CircuitBreaker();
    await expect(breaker.execute("nope" as never)).rejects.toThrow(TypeError);
    await expect(breaker.execute(() => 1, { signal: "nope" as never })).rejects.toThrow(/signal must be an AbortSignal/);
    await expect(breaker.execute(() => 1, 5 as never)).rejects.toThrow(/options must be an object/);
    expect(breaker.snapshot().totals.calls).toBe(0);
  });

  it("fn is invoked synchronously, with an AbortSignal", () => {
    const breaker = new CircuitBreaker();
    const fn = vi.fn((signal: AbortSignal) => signal.aborted);
    void breaker.execute(fn);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(fn.mock.calls[0]![0]).toBeInstanceOf(AbortSignal);
  });
});

describe("isFailure and isResultFailure", () => {
  it("isFailure is judged by truthiness; false means ignored and rethrown", async () => {
    const breaker = new CircuitBreaker({ isFailure: (error) => (error as { code?: number }).code });
    await expect(breaker.execute(() => Promise.reject({ code: 0 }))).rejects.toEqual({ code: 0 });
    await expect(breaker.execute(() => Promise.reject({ code: 503 }))).rejects.toEqual({ code: 503 });
    expect(breaker.snapshot().totals).toMatchObject({ ignored: 1, failures: 1 });
  });

  it("a throwing isFailure counts the call as a failure and the caller still gets fn's error", async () => {
    const breaker = new CircuitBreaker({
      isFailure: () => {
        throw new Error("predicate bug");
      },
    });
    await expect(breaker.execute(() => Promise.reject(new Error("original")))).rejects.toThrow("original");
    expect(breaker.snapshot().totals.failures).toBe(1);
  });

  it("isResultFailure counts a resolved value as a failure, still returns it, and puts it in the event", async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2, isResultFailure: (response) => (response as { status: number }).status >= 500 });
    const events = recordEvents(breaker);
    await expect(breaker.execute(() => ({ status: 503 }))).resolves.toEqual({ status: 503 });
    await expect(breaker.execute(() => ({ status: 404 }))).resolves.toEqual({ status: 404 });
    expect(events.map((event) => event.type)).toEqual(["failure", "success"]);
    expect(events[0]).toMatchObject({ type: "failure", error: { status: 503 }, timeout: false });
    await breaker.execute(() => ({ status: 500 }));
    await breaker.execute(() => ({ status: 502 }));
    expect(breaker.state).toBe("OPEN");
  });

  it("a throwing isResultFailure counts a failure but still returns the value", async () => {
    const breaker = new CircuitBreaker({
      isResultFailure: () => {
        throw new Error("predicate bug");
      },
    });
    const events = recordEvents(breaker);
    await expect(breaker.execute(() => "value")).resolves.toBe("value");
    expect(events[0]).toMatchObject({ type: "failure", error: new Error("predicate bug") });
  });
});

describe("timeouts", () => {
  it("fails a call still running after timeoutMs with CallTimeoutError and aborts its signal", async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ name: "search", timeoutMs: 2_000, clock });
    const events = recordEvents(breaker);
    let seenSignal: AbortSignal | undefined;
    const call = breaker.execute((signal) => {
      seenSignal = signal;
      return new Promise(() => undefined);
    });
    clock.advance(1_999);
    expect(seenSignal!.aborted).toBe(false);
    clock.advance(1);
    expect(seenSignal!.aborted).toBe(true);
    const error = await call.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CallTimeoutError);
    expect(error).toMatchObject({ name: "CallTimeoutError", breaker: "search", timeoutMs: 2_000 });
    expect(seenSignal!.reason).toBe(error);
    expect(events).toEqual([{ type: "failure", breaker: "search", at: 2_000, durationMs: 2_000, error, timeout: true }]);
    expect(breaker.snapshot().totals).toMatchObject({ failures: 1, timeouts: 1 });
  });

  it("is always a failure, even when isFailure would ignore it", async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ timeoutMs: 10, failureThreshold: 1, isFailure: () => false, clock });
    const call = breaker.execute(() => new Promise(() => undefined));
    clock.advance(10);
    await expect(call).rejects.toBeInstanceOf(CallTimeoutError);
    expect(breaker.state).toBe("OPEN");
  });

  it("a call that finishes in time is not affected; the breaker's one timeout timer then lapses", async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ timeoutMs: 100, clock });
    const events = recordEvents(breaker);
    await expect(breaker.execute(takes(clock, 99))).resolves.toBe("ok");
    await expect(breaker.execute(takes(clock, 99))).resolves.toBe("ok");
    expect(clock.pendingTimers).toBeLessThanOrEqual(1);
    clock.advance(1_000);
    expect(clock.pendingTimers).toBe(0);
    expect(events.map((event) => event.type)).toEqual(["success", "success"]);
  });

  it("times out each call at its own deadline, in order, with one timer", async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ timeoutMs: 100, failureThreshold: 10, clock });
    const events = recordEvents(breaker);
    const first = breaker.execute(() => new Promise(() => undefined));
    clock.advance(30);
    const second = breaker.execute(() => new Promise(() => undefined));
    clock.advance(30);
    await breaker.execute(takes(clock, 10));
    expect(clock.pendingTimers).toBe(1);
    clock.advance(29);
    expect(events.filter((event) => event.type === "failure")).toHaveLength(0);
    clock.advance(1);
    await expect(first).rejects.toBeInstanceOf(CallTimeoutError);
    clock.advance(29);
    expect(events.filter((event) => event.type === "failure")).toHaveLength(1);
    clock.advance(1);
    await expect(second).rejects.toBeInstanceOf(CallTimeoutError);
    expect(events.filter((event) => event.type === "failure").map((event) => event.at)).toEqual([100, 130]);
    expect(clock.pendingTimers).toBe(0);
  });

  it("a shorter timeout configured later still fires first", async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ timeoutMs: 1_000, failureThreshold: 10, clock });
    const events = recordEvents(breaker);
    void breaker.execute(() => new Promise(() => undefined)).catch(() => undefined);
    breaker.configure({ timeoutMs: 100 });
    void breaker.execute(() => new Promise(() => undefined)).catch(() => undefined);
    clock.advance(100);
    expect(events.map((event) => event.type === "failure" && event.at)).toEqual([100]);
    clock.advance(900);
    expect(events.map((event) => event.type === "failure" && event.at)).toEqual([100, 1_000]);
  });

  it("many calls that finish in time keep the queue of deadlines small", async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ timeoutMs: 100, clock });
    for (let call = 0; call < 1_000; call++) await breaker.execute(() => "quick");
    const queue = (breaker as unknown as { deadlines: { pending: number; items: unknown[] } }).deadlines;
    expect(queue.pending).toBe(0);
    expect(queue.items.length).toBeLessThan(70);
  });

  it("fn's late outcome after a timeout is dropped: the call is counted once", async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ timeoutMs: 100, clock });
    const late = deferred<string>();
    const call = breaker.execute(() => late.promise);
    clock.advance(100);
    await expect(call).rejects.toBeInstanceOf(CallTimeoutError);
    late.resolve("too late");
    await late.promise;
    expect(breaker.snapshot().totals).toMatchObject({ calls: 1, failures: 1, successes: 0 });
  });
});

describe("the caller's signal", () => {
  it("aborting during a call settles it at once with the reason, counted as ignored, and aborts fn's signal", async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ failureThreshold: 1, clock });
    const events = recordEvents(breaker);
    const controller = new AbortController();
    let seenSignal: AbortSignal | undefined;
    const call = breaker.execute(
      (signal) => {
        seenSignal = signal;
        return new Promise(() => undefined);
      },
      { signal: controller.signal },
    );
    clock.advance(30);
    const reason = new Error("navigated away");
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    expect(seenSignal!.aborted).toBe(true);
    expect(seenSignal!.reason).toBe(reason);
    expect(events).toEqual([{ type: "ignored", breaker: "breaker", at: 30, durationMs: 30, error: reason }]);
    expect(breaker.state).toBe("CLOSED");
    expect(breaker.snapshot()).toMatchObject({ window: { calls: 0 }, totals: { calls: 1, ignored: 1 } });
  });

  it("an already aborted signal: fn is not invoked, checked before the state, counted as ignored", async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1 });
    breaker.forceOpen();
    const fn = vi.fn();
    const reason = new Error("already gone");
    await expect(breaker.execute(fn, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(fn).not.toHaveBeenCalled();
    expect(breaker.snapshot().totals).toMatchObject({ calls: 1, ignored: 1, rejected: 0 });
  });

  it("an already aborted signal is reported to listeners as an ignored call at that instant", async () => {
    const clock = new ManualClock(42);
    const breaker = new CircuitBreaker({ clock });
    const events = recordEvents(breaker);
    const reason = new Error("gone");
    await breaker.execute(() => 1, { signal: AbortSignal.abort(reason) }).catch(() => undefined);
    expect(events).toEqual([{ type: "ignored", breaker: "breaker", at: 42, durationMs: 0, error: reason }]);
  });

  it("fn aborting its own caller and then throwing settles once, as the abort", async () => {
    const breaker = new CircuitBreaker();
    const controller = new AbortController();
    const reason = new Error("caller gave up");
    const call = breaker.execute(
      (signal) => {
        controller.abort(reason);
        expect(signal.aborted).toBe(true);
        throw new Error("fn noticed");
      },
      { signal: controller.signal },
    );
    await expect(call).rejects.toBe(reason);
    expect(breaker.snapshot().totals).toMatchObject({ calls: 1, ignored: 1, failures: 0 });
  });

  it("a function with a timeout that throws synchronously fails at once and clears its deadline", async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ timeoutMs: 10, clock });
    await expect(
      breaker.execute(() => {
        throw new Error("sync");
      }),
    ).rejects.toThrow("sync");
    clock.advance(100);
    expect(breaker.snapshot().totals).toMatchObject({ calls: 1, failures: 1, timeouts: 0 });
  });

  it("fn's late rejection after a timeout is dropped too", async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ timeoutMs: 10, clock });
    let rejectLate!: (error: unknown) => void;
    const call = breaker.execute((signal) => new Promise((_, reject) => (rejectLate = reject)).finally(() => signal));
    clock.advance(10);
    await expect(call).rejects.toBeInstanceOf(CallTimeoutError);
    rejectLate(new Error("late"));
    await new Promise((resolve) => setImmediate(resolve));
    expect(breaker.snapshot().totals).toMatchObject({ calls: 1, failures: 1, timeouts: 1 });
  });

  it("after the call settles, aborting changes nothing", async () => {
    const breaker = new CircuitBreaker();
    const controller = new AbortController();
    await expect(breaker.execute(() => "done", { signal: controller.signal })).resolves.toBe("done");
    controller.abort();
    expect(breaker.snapshot().totals).toMatchObject({ calls: 1, successes: 1, ignored: 0 });
  });

  it("works together with timeoutMs: whichever comes first settles the call", async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ timeoutMs: 100, clock });
    const controller = new AbortController();
    const call = breaker.execute(() => new Promise(() => undefined), { signal: controller.signal });
    clock.advance(100);
    await expect(call).rejects.toBeInstanceOf(CallTimeoutError);
    controller.abort();
    expect(breaker.snapshot().totals).toMatchObject({ failures: 1, timeouts: 1, ignored: 0 });
  });
});

describe("tryExecute", () => {
  it("never rejects and says whether the breaker refused the call", async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1 });
    await expect(breaker.tryExecute(() => "value")).resolves.toEqual({ ok: true, value: "value" });
    const failed = await breaker.tryExecute(() => Promise.reject(new Error("down")));
    expect(failed).toMatchObject({ ok: false, rejected: false, error: new Error("down") });
    const refused = await breaker.tryExecute(() => "never");
    expect(refused.ok).toBe(false);
    expect(refused).toMatchObject({ rejected: true });
    expect(!refused.ok && refused.error).toBeInstanceOf(CircuitOpenError);
  });

  it("a CircuitOpenError thrown by fn itself (an inner breaker) is fn's failure, not a rejection", async () => {
    const inner = new CircuitBreaker({ name: "inner" });
    inner.forceOpen();
    const outer = new CircuitBreaker({ name: "outer" });
    const result = await outer.tryExecute(() => inner.execute(() => "x"));
    expect(result).toMatchObject({ ok: false, rejected: false, error: { breaker: "inner" } });
    expect(outer.snapshot().totals).toMatchObject({ failures: 1, rejected: 0 });
  });

  it("bad arguments and a disposed breaker resolve as not rejected", async () => {
    const breaker = new CircuitBreaker();
    await expect(breaker.tryExecute(null as never)).resolves.toMatchObject({ ok: false, rejected: false });
    breaker.dispose();
    const result = await breaker.tryExecute(() => 1);
    expect(result).toMatchObject({ ok: false, rejected: false });
    expect(!result.ok && result.error).toBeInstanceOf(TypeError);
  });

  it("an already aborted signal resolves as not rejected", async () => {
    const breaker = new CircuitBreaker();
    const reason = new Error("gone");
    await expect(breaker.tryExecute(() => 1, { signal: AbortSignal.abort(reason) })).resolves.toEqual({ ok: false, error: reason, rejected: false });
  });
});

describe("wrap", () => {
  it("passes exactly its own arguments and this, works detached, always returns a promise", async () => {
    const breaker = new CircuitBreaker();
    const seen: unknown[] = [];
    const target = function (this: unknown, ...args: unknown[]) {
      seen.push(this, args);
      return args.length;
    };
    const wrapped = breaker.wrap(target);
    const context = { wrapped };
    const result = context.wrapped(1, "two", undefined);
    expect(result).toBeInstanceOf(Promise);
    await expect(result).resolves.toBe(3);
    expect(seen).toEqual([context, [1, "two", undefined]]);
    const detached = breaker.wrap(async (a: number, b: number) => a + b);
    await expect(detached(2, 3)).resolves.toBe(5);
    expect(breaker.snapshot().totals.successes).toBe(2);
  });

  it("goes through the breaker: rejected while open", async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1 });
    const wrapped = breaker.wrap(() => Promise.reject(new Error("down")));
    await expect(wrapped()).rejects.toThrow("down");
    await expect(wrapped()).rejects.toBeInstanceOf(CircuitOpenError);
  });

  it("needs a function", () => {
    expect(() => new CircuitBreaker().wrap(3 as never)).toThrow(TypeError);
  });
});

describe("stale results", () => {
  it("a call admitted while CLOSED that settles during HALF_OPEN is counted but neither closes nor re-opens", async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 1_000, clock });
    const events = recordEvents(breaker);
    const slowSuccess = deferred<string>();
    const slowFailure = deferred<string>();
    const first = breaker.execute(() => slowSuccess.promise);
    const second = breaker.execute(() => slowFailure.promise);
    await fail(breaker);
    clock.advance(1_000);
    expect(breaker.state).toBe("HALF_OPEN");

    slowSuccess.resolve("late success");
    await first;
    expect(breaker.state).toBe("HALF_OPEN");
    slowFailure.reject(new Error("late failure"));
    await second.catch(() => undefined);
    expect(breaker.state).toBe("HALF_OPEN");
    expect(breaker.snapshot()).toMatchObject({
      consecutiveFailures: 1,
      window: { calls: 1, failures: 1 },
      halfOpen: { inFlight: 0, successes: 0 },
      totals: { calls: 3, successes: 1, failures: 2 },
    });
    expect(events.filter((event) => event.type !== "state").map((event) => event.type)).toEqual(["failure", "success", "failure"]);
  });

  it("calls in flight across a reset() from CLOSED are stale: they cannot trip the fresh breaker", async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2 });
    const pending = [deferred(), deferred()];
    const calls = pending.map((call) => breaker.execute(() => call.promise).catch(() => undefined));
    breaker.reset();
    for (const call of pending) call.reject(new Error("old"));
    await Promise.all(calls);
    expect(breaker.state).toBe("CLOSED");
    expect(breaker.snapshot()).toMatchObject({ consecutiveFailures: 0, window: { calls: 0 }, totals: { failures: 2 } });
  });

  it("a call admitted before a trip does not add to the next CLOSED period's window", async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 100, clock });
    const old = deferred();
    const call = breaker.execute(() => old.promise).catch(() => undefined);
    await fail(breaker);
    clock.advance(100);
    await breaker.execute(() => "probe");
    old.reject(new Error("stale"));
    await call;
    expect(breaker.state).toBe("CLOSED");
    expect(breaker.snapshot().window.calls).toBe(0);
  });
});
