import { describe, expect, it } from "vitest";
import { CircuitBreaker, CircuitOpenError, ManualClock, type BreakerOptions, type TrialCounts, type TrialGate } from "./index";
import { deferred, fail, flushPromises, recordEvents, succeed, transitions } from "./test-helpers";

function breakerOn(clock: ManualClock, options: BreakerOptions = {}) {
  const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 1_000, ...options, clock });
  return { breaker, events: recordEvents(breaker) };
}

describe("adopt(): a state decided elsewhere", () => {
  it("adopts an OPEN with its period: calls are refused until halfOpenAt, then trials run", async () => {
    const clock = new ManualClock(10_000);
    const { breaker, events } = breakerOn(clock);
    expect(breaker.adopt({ state: "OPEN", openedAt: 9_900, halfOpenAt: 10_500, backoffSteps: 0 })).toBe(true);
    expect(breaker.snapshot()).toMatchObject({ state: "OPEN", openedAt: 9_900, halfOpenAt: 10_500 });
    const refused = await breaker.tryExecute(() => "never");
    expect(refused).toMatchObject({ ok: false, rejected: true, error: { state: "OPEN", retryAfterMs: 500 } });
    clock.advance(500);
    expect(breaker.state).toBe("HALF_OPEN");
    expect(transitions(events)).toEqual(["CLOSED>OPEN:adopted@10000", "OPEN>HALF_OPEN:open-elapsed@10500"]);
  });

  it("goes on to HALF_OPEN at once when the adopted open period has already ended", () => {
    const clock = new ManualClock(10_000);
    const { breaker, events } = breakerOn(clock);
    breaker.adopt({ state: "OPEN", openedAt: 8_000, halfOpenAt: 9_000, backoffSteps: 0 });
    expect(breaker.state).toBe("HALF_OPEN");
    expect(transitions(events)).toEqual(["CLOSED>OPEN:adopted@10000", "OPEN>HALF_OPEN:open-elapsed@9000"]);
  });

  it("changes nothing for the period it is in, and re-times another OPEN period without an event", () => {
    const clock = new ManualClock(0);
    const { breaker, events } = breakerOn(clock);
    breaker.adopt({ state: "OPEN", openedAt: 0, halfOpenAt: 1_000, backoffSteps: 0 });
    expect(breaker.adopt({ state: "OPEN", openedAt: 0, halfOpenAt: 1_000, backoffSteps: 0 })).toBe(false);
    expect(breaker.adopt({ state: "OPEN", openedAt: 2, halfOpenAt: 1_002, backoffSteps: 0 })).toBe(true);
    expect(breaker.snapshot()).toMatchObject({ state: "OPEN", openedAt: 2, halfOpenAt: 1_002 });
    clock.advance(1_000);
    expect(breaker.state).toBe("OPEN");
    clock.advance(2);
    expect(breaker.state).toBe("HALF_OPEN");
    expect(breaker.adopt({ state: "OPEN", openedAt: 2, halfOpenAt: 1_002, backoffSteps: 0 })).toBe(false);
    expect(breaker.state).toBe("HALF_OPEN");
    expect(transitions(events)).toEqual(["CLOSED>OPEN:adopted@0", "OPEN>HALF_OPEN:open-elapsed@1002"]);
  });

  it("announces HALF_OPEN to a new OPEN (a trial failed elsewhere) and keeps the backoff it is given", async () => {
    const clock = new ManualClock(0);
    const { breaker, events } = breakerOn(clock, { backoffMultiplier: 2 });
    await fail(breaker);
    clock.advance(1_000);
    expect(breaker.state).toBe("HALF_OPEN");
    breaker.adopt({ state: "OPEN", openedAt: 1_000, halfOpenAt: 3_000, backoffSteps: 1 });
    expect(breaker.snapshot()).toMatchObject({ state: "OPEN", halfOpenAt: 3_000 });
    clock.advance(2_000);
    await fail(breaker);
    // The adopted backoff step and this failed trial: openMs × 2².
    expect(breaker.snapshot()).toMatchObject({ state: "OPEN", openedAt: 3_000, halfOpenAt: 7_000 });
    expect(transitions(events)).toEqual([
      "CLOSED>OPEN:failure-threshold@0",
      "OPEN>HALF_OPEN:open-elapsed@1000",
      "HALF_OPEN>OPEN:adopted@1000",
      "OPEN>HALF_OPEN:open-elapsed@3000",
      "HALF_OPEN>OPEN:trial-failed@3000",
    ]);
  });

  it("adopts CLOSED with a fresh window and no backoff, and keeps its own window when already CLOSED", async () => {
    const clock = new ManualClock(0);
    const { breaker, events } = breakerOn(clock, { failureThreshold: 3, backoffMultiplier: 2 });
    await fail(breaker, 2);
    expect(breaker.adopt({ state: "CLOSED" })).toBe(false);
    expect(breaker.snapshot().consecutiveFailures).toBe(2);
    await fail(breaker);
    expect(breaker.adopt({ state: "CLOSED" })).toBe(true);
    expect(breaker.snapshot()).toMatchObject({ state: "CLOSED", consecutiveFailures: 0, openedAt: null });
    await fail(breaker, 3);
    expect(breaker.snapshot().halfOpenAt).toBe(1_000);
    expect(transitions(events)).toEqual(["CLOSED>OPEN:failure-threshold@0", "OPEN>CLOSED:adopted@0", "CLOSED>OPEN:failure-threshold@0"]);
  });

  it("adopts FORCED_OPEN and DISABLED as the manual actions would set them", async () => {
    const clock = new ManualClock(0);
    const { breaker, events } = breakerOn(clock);
    breaker.adopt({ state: "FORCED_OPEN" });
    expect(await breaker.tryExecute(() => "never")).toMatchObject({ rejected: true, error: { state: "FORCED_OPEN" } });
    breaker.adopt({ state: "DISABLED" });
    await fail(breaker, 5);
    expect(breaker.state).toBe("DISABLED");
    expect(transitions(events)).toEqual(["CLOSED>FORCED_OPEN:adopted@0", "FORCED_OPEN>DISABLED:adopted@0"]);
  });

  it("starts a new period: a call in flight before the adoption decides nothing", async () => {
    const clock = new ManualClock(0);
    const { breaker } = breakerOn(clock);
    const slow = deferred<string>();
    const call = breaker.execute(() => slow.promise);
    breaker.adopt({ state: "FORCED_OPEN" });
    breaker.adopt({ state: "CLOSED" });
    slow.reject(new Error("late"));
    await expect(call).rejects.toThrow("late");
    expect(breaker.snapshot()).toMatchObject({ state: "CLOSED", consecutiveFailures: 0, totals: { failures: 1 } });
  });

  it.each([
    [null, "state", /needs a state object/],
    [{ state: "HALF_OPEN" }, "state", /state must be one of CLOSED, OPEN, FORCED_OPEN, DISABLED, got "HALF_OPEN"/],
    [{ state: "OPEN", openedAt: "0", halfOpenAt: 1, backoffSteps: 0 }, "openedAt", /openedAt must be a finite number/],
    [{ state: "OPEN", openedAt: 5, halfOpenAt: 1, backoffSteps: 0 }, "halfOpenAt", /halfOpenAt must be a finite number >= openedAt, got 1/],
    [{ state: "OPEN", openedAt: 0, halfOpenAt: 1, backoffSteps: -1 }, "backoffSteps", /backoffSteps must be an integer >= 0/],
  ])("refuses %j with a TypeError naming %s, and changes nothing", (input, field, message) => {
    const { breaker } = breakerOn(new ManualClock(0));
    let thrown: unknown;
    try {
      breaker.adopt(input as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    expect((thrown as Error).message).toMatch(message);
    expect((thrown as { option: string }).option).toBe(field);
    expect(breaker.state).toBe("CLOSED");
  });
});

/** A gate over several breakers, as a store gives one: `slots` trial slots, the trials' counts shared. */
function sharedGate(slots: number) {
  const counts: TrialCounts = { successes: 0, failures: 0, slowCalls: 0 };
  const fleet = { inFlight: 0, acquired: 0, released: 0, lost: false };
  const gate: TrialGate = {
    acquire: async () => {
      if (fleet.inFlight >= slots) return null;
      fleet.inFlight += 1;
      fleet.acquired += 1;
      let settled = false;
      return {
        settle: async (outcome, slow) => {
          if (settled) throw new Error("a ticket settled twice");
          settled = true;
          fleet.inFlight -= 1;
          if (outcome === "ignored") {
            fleet.released += 1;
            return null;
          }
          if (fleet.lost) return null;
          if (outcome === "success") counts.successes += 1;
          else counts.failures += 1;
          if (slow) counts.slowCalls += 1;
          return { ...counts };
        },
      };
    },
  };
  return { gate, counts, fleet };
}

async function trippedPair(options: BreakerOptions, slots: number) {
  const clock = new ManualClock(0);
  const shared = sharedGate(slots);
  const [a, b] = [0, 1].map(() => breakerOn(clock, { halfOpenMaxCalls: slots, ...options, trialGate: shared.gate }));
  for (const { breaker } of [a!, b!]) await fail(breaker);
  clock.advance(1_000);
  return { clock, a: a!, b: b!, ...shared };
}

describe("trialGate: HALF_OPEN admission over several breakers", () => {
  it("admits exactly halfOpenMaxCalls trials over two breakers together, and refuses the rest as HALF_OPEN", async () => {
    const { a, b, fleet } = await trippedPair({ successThreshold: 5 }, 2);
    const hold = deferred<string>();
    let invoked = 0;
    const calls = [a, b].flatMap(({ breaker }) =>
      Array.from({ length: 10 }, () =>
        breaker.tryExecute(() => {
          invoked += 1;
          return hold.promise;
        }),
      ),
    );
    await flushPromises();
    expect(invoked).toBe(2);
    expect(fleet.inFlight).toBe(2);
    hold.resolve("fine");
    const results = await Promise.all(calls);
    const refused = results.filter((result) => !result.ok);
    expect(refused).toHaveLength(18);
    expect(refused.every((result) => !result.ok && result.rejected && result.error instanceof CircuitOpenError)).toBe(true);
    expect(refused[0]).toMatchObject({ error: { state: "HALF_OPEN", retryAfterMs: null } });
    expect(a.breaker.snapshot().totals.rejected + b.breaker.snapshot().totals.rejected).toBe(18);
  });

  it("closes on the fleet's successes: the breaker whose trial brings them to successThreshold closes", async () => {
    const { a, b } = await trippedPair({ successThreshold: 3 }, 1);
    await succeed(a.breaker);
    await flushPromises();
    await succeed(b.breaker);
    await flushPromises();
    expect([a.breaker.state, b.breaker.state]).toEqual(["HALF_OPEN", "HALF_OPEN"]);
    await succeed(b.breaker);
    await flushPromises();
    expect(b.breaker.state).toBe("CLOSED");
    expect(b.breaker.snapshot().totals.successes).toBe(2);
    expect(transitions(b.events).at(-1)).toBe("HALF_OPEN>CLOSED:trial-succeeded@1000");
    // The other one learns of it from the store, by adopt().
    expect(a.breaker.state).toBe("HALF_OPEN");
  });

  it("reopens on a failed trial once the gate has counted it, and judges rates over the fleet's trials", async () => {
    const anyFailure = await trippedPair({}, 1);
    await fail(anyFailure.a.breaker);
    await flushPromises();
    expect(transitions(anyFailure.a.events).at(-1)).toBe("HALF_OPEN>OPEN:trial-failed@1000");

    const rates = await trippedPair({ halfOpenPolicy: "rates", successThreshold: 4, failureRateThreshold: 50 }, 1);
    await succeed(rates.a.breaker);
    await flushPromises();
    await fail(rates.b.breaker);
    await flushPromises();
    await succeed(rates.a.breaker);
    await flushPromises();
    expect(rates.a.breaker.state).toBe("HALF_OPEN");
    await fail(rates.b.breaker);
    await flushPromises();
    // 2 failures in 4 fleet trials: a failure rate of 50 % reopens.
    expect(rates.b.breaker.state).toBe("OPEN");
    expect(transitions(rates.b.events).at(-1)).toBe("HALF_OPEN>OPEN:trial-failed@1000");
  });

  it("a trial whose slot was lost decides nothing", async () => {
    const { a, fleet } = await trippedPair({}, 1);
    fleet.lost = true;
    await fail(a.breaker);
    await flushPromises();
    expect(a.breaker.snapshot()).toMatchObject({ state: "HALF_OPEN", halfOpen: { inFlight: 0 }, totals: { failures: 2 } });
  });

  it("refuses the trial when the gate throws, and gives the local slot back", async () => {
    const clock = new ManualClock(0);
    const { breaker } = breakerOn(clock, { trialGate: { acquire: () => Promise.reject(new Error("store down")) } });
    await fail(breaker);
    clock.advance(1_000);
    expect(await breaker.tryExecute(() => "never")).toMatchObject({ ok: false, rejected: true, error: { state: "HALF_OPEN" } });
    await expect(breaker.execute(() => "never")).rejects.toBeInstanceOf(CircuitOpenError);
    expect(breaker.snapshot()).toMatchObject({ state: "HALF_OPEN", halfOpen: { inFlight: 0 }, totals: { rejected: 2 } });
  });

  it("admits the call anew when the breaker moved on while the gate answered, giving the ticket back", async () => {
    const clock = new ManualClock(0);
    const answer = deferred<null>();
    const { gate, fleet } = sharedGate(1);
    const slowGate: TrialGate = { acquire: async (request) => (await answer.promise) ?? gate.acquire(request) };
    const { breaker } = breakerOn(clock, { trialGate: slowGate });
    await fail(breaker);
    clock.advance(1_000);
    const call = breaker.execute(() => "ran as a CLOSED call");
    breaker.adopt({ state: "CLOSED" });
    answer.resolve(null);
    await expect(call).resolves.toBe("ran as a CLOSED call");
    await flushPromises();
    expect(fleet).toMatchObject({ acquired: 1, released: 1, inFlight: 0 });
    expect(breaker.snapshot()).toMatchObject({ state: "CLOSED", window: { calls: 1 }, totals: { successes: 1 } });
  });

  it("a breaker disposed while the gate answered fails the call as disposed, not as refused", async () => {
    const clock = new ManualClock(0);
    const answer = deferred<null>();
    const { gate, fleet } = sharedGate(1);
    const { breaker } = breakerOn(clock, { trialGate: { acquire: async (request) => (await answer.promise) ?? gate.acquire(request) } });
    await fail(breaker);
    clock.advance(1_000);
    const call = breaker.tryExecute(() => "never");
    breaker.dispose();
    answer.resolve(null);
    const result = await call;
    expect(result).toMatchObject({ ok: false, rejected: false });
    expect(!result.ok && result.error).toBeInstanceOf(TypeError);
    await flushPromises();
    expect(fleet).toMatchObject({ acquired: 1, released: 1, inFlight: 0 });
    expect(breaker.snapshot().totals.rejected).toBe(0);
  });

  it("gives the ticket back when a trial is ignored", async () => {
    const { a, fleet } = await trippedPair({}, 1);
    const controller = new AbortController();
    const call = a.breaker.tryExecute(() => new Promise(() => undefined), { signal: controller.signal });
    await flushPromises();
    expect(fleet.inFlight).toBe(1);
    controller.abort(new Error("gave up"));
    expect(await call).toMatchObject({ ok: false, rejected: false });
    await flushPromises();
    expect(fleet).toMatchObject({ inFlight: 0, released: 1 });
    expect(a.breaker.snapshot()).toMatchObject({ state: "HALF_OPEN", totals: { ignored: 1 } });
  });

  it("tryAcquire, which cannot wait for the gate, refuses trials; CLOSED permits are unaffected", async () => {
    const clock = new ManualClock(0);
    const { gate, fleet } = sharedGate(1);
    const { breaker } = breakerOn(clock, { trialGate: gate });
    const closed = breaker.tryAcquire();
    expect(closed).not.toBeInstanceOf(CircuitOpenError);
    if (!(closed instanceof CircuitOpenError)) closed.failure(new Error("boom"));
    clock.advance(1_000);
    expect(breaker.tryAcquire()).toMatchObject({ state: "HALF_OPEN", retryAfterMs: null });
    expect(breaker.snapshot().halfOpen.inFlight).toBe(0);
    expect(fleet.acquired).toBe(0);
  });

  it("validates the option, naming it", () => {
    expect(() => new CircuitBreaker({ trialGate: {} as TrialGate })).toThrow(/trialGate must be an object with an acquire\(\) function/);
    expect(() => new CircuitBreaker({ trialGate: { acquire: () => null } }).snapshot()).not.toThrow();
    expect(new CircuitBreaker({ trialGate: { acquire: () => null } }).snapshot().options).not.toHaveProperty("trialGate");
  });
});

describe("trialGate answering \"alone\"", () => {
  it("admits the trial to be judged by the breaker itself, as without a gate", async () => {
    const clock = new ManualClock(0);
    const { breaker, events } = breakerOn(clock, { successThreshold: 2, halfOpenMaxCalls: 2, trialGate: { acquire: () => "alone" } });
    await fail(breaker);
    clock.advance(1_000);
    await succeed(breaker);
    expect(breaker.snapshot()).toMatchObject({ state: "HALF_OPEN", halfOpen: { successes: 1 } });
    await succeed(breaker);
    expect(transitions(events).at(-1)).toBe("HALF_OPEN>CLOSED:trial-succeeded@1000");
  });
});
