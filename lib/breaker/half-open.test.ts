import { describe, expect, it } from "vitest";
import { CircuitBreaker, CircuitOpenError, ManualClock, type BreakerOptions } from "./index";
import { deferred, fail, flushPromises, recordEvents, succeed, transitions } from "./test-helpers";

async function trippedBreaker(options: BreakerOptions = {}) {
  const clock = new ManualClock(0);
  const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 1_000, ...options, clock });
  const events = recordEvents(breaker);
  await fail(breaker);
  return { clock, breaker, events };
}

describe("trial admission", () => {
  it("admits exactly halfOpenMaxCalls of 1000 concurrent calls and rejects the rest", async () => {
    const { clock, breaker } = await trippedBreaker({ halfOpenMaxCalls: 3, successThreshold: 3 });
    clock.advance(1_000);
    const gate = deferred<string>();
    let invoked = 0;
    const calls = Array.from({ length: 1000 }, () =>
      breaker.tryExecute(() => {
        invoked += 1;
        return gate.promise;
      }),
    );
    expect(invoked).toBe(3);
    expect(breaker.snapshot().halfOpen).toEqual({ inFlight: 3, successes: 0 });
    gate.resolve("fine");
    const results = await Promise.all(calls);
    expect(results.filter((result) => result.ok)).toHaveLength(3);
    const refused = results.filter((result) => !result.ok && result.rejected);
    expect(refused).toHaveLength(997);
    expect(refused[0]).toMatchObject({ error: { state: "HALF_OPEN", retryAfterMs: null } });
    expect(breaker.state).toBe("CLOSED");
    expect(breaker.snapshot().totals).toMatchObject({ calls: 1001, successes: 3, failures: 1, rejected: 997 });
  });

  it("frees a slot when a trial settles, so later trials run", async () => {
    const { clock, breaker } = await trippedBreaker({ successThreshold: 3 });
    clock.advance(1_000);
    await succeed(breaker);
    expect(breaker.snapshot().halfOpen).toEqual({ inFlight: 0, successes: 1 });
    await succeed(breaker);
    expect(breaker.state).toBe("HALF_OPEN");
    await succeed(breaker);
    expect(breaker.state).toBe("CLOSED");
  });

  it("needs successThreshold successes; one failure in between opens again", async () => {
    const { clock, breaker, events } = await trippedBreaker({ successThreshold: 2 });
    clock.advance(1_000);
    await succeed(breaker);
    await fail(breaker);
    expect(transitions(events).slice(1)).toEqual(["OPEN>HALF_OPEN:open-elapsed@1000", "HALF_OPEN>OPEN:trial-failed@1000"]);
  });

  it("an ignored trial gives its slot back and decides nothing", async () => {
    const { clock, breaker } = await trippedBreaker({ isFailure: (error) => error !== "meh" });
    clock.advance(1_000);
    await breaker.execute(() => Promise.reject("meh")).catch(() => undefined);
    expect(breaker.state).toBe("HALF_OPEN");
    expect(breaker.snapshot().halfOpen).toEqual({ inFlight: 0, successes: 0 });
    await succeed(breaker);
    expect(breaker.state).toBe("CLOSED");
  });

  it("a cancelled trial gives its slot back", async () => {
    const { clock, breaker } = await trippedBreaker();
    clock.advance(1_000);
    const controller = new AbortController();
    const cancelled = breaker.execute(() => new Promise(() => undefined), { signal: controller.signal });
    await expect(breaker.execute(() => "second")).rejects.toBeInstanceOf(CircuitOpenError);
    controller.abort(new Error("user left"));
    await expect(cancelled).rejects.toThrow("user left");
    expect(breaker.snapshot().halfOpen.inFlight).toBe(0);
    await expect(breaker.execute(() => "third")).resolves.toBe("third");
    expect(breaker.state).toBe("CLOSED");
  });

  it("trials stay out of the window and the streak; a close starts a fresh window", async () => {
    const { clock, breaker } = await trippedBreaker({ successThreshold: 2 });
    expect(breaker.snapshot().window.calls).toBe(1);
    clock.advance(1_000);
    await succeed(breaker);
    expect(breaker.snapshot()).toMatchObject({ window: { calls: 1, failures: 1 }, consecutiveFailures: 1 });
    await succeed(breaker);
    expect(breaker.snapshot()).toMatchObject({ window: { calls: 0, failures: 0 }, consecutiveFailures: 0, latency: null });
  });
});

describe("a hung trial never pins the breaker", () => {
  it("HALF_OPEN that has not decided within maxHalfOpenMs goes back to OPEN, for the same open period", async () => {
    const { clock, breaker, events } = await trippedBreaker({ maxHalfOpenMs: 5_000, backoffMultiplier: 2 });
    clock.advance(1_000);
    const hung = breaker.execute(() => new Promise(() => undefined));
    void hung;
    clock.advance(4_999);
    expect(breaker.state).toBe("HALF_OPEN");
    clock.advance(1);
    expect(breaker.state).toBe("OPEN");
    expect(breaker.snapshot()).toMatchObject({ openedAt: 6_000, halfOpenAt: 7_000 });
    expect(transitions(events).at(-1)).toBe("HALF_OPEN>OPEN:half-open-timeout@6000");
    clock.advance(1_000);
    expect(breaker.state).toBe("HALF_OPEN");
    await succeed(breaker);
    expect(breaker.state).toBe("CLOSED");
  });

  it("runs from the start of HALF_OPEN even when no trial ever came", async () => {
    const { clock, breaker, events } = await trippedBreaker({ maxHalfOpenMs: 2_000 });
    clock.advance(3_000);
    expect(breaker.state).toBe("OPEN");
    expect(transitions(events).slice(1)).toEqual(["OPEN>HALF_OPEN:open-elapsed@1000", "HALF_OPEN>OPEN:half-open-timeout@3000"]);
  });

  it("the hung trial settles later as a stale call: counted, deciding nothing", async () => {
    const { clock, breaker } = await trippedBreaker({ maxHalfOpenMs: 2_000 });
    clock.advance(1_000);
    const trial = deferred<string>();
    const hung = breaker.execute(() => trial.promise);
    clock.advance(2_000);
    clock.advance(1_000);
    expect(breaker.state).toBe("HALF_OPEN");
    trial.reject(new Error("finally failed"));
    await expect(hung).rejects.toThrow("finally failed");
    expect(breaker.state).toBe("HALF_OPEN");
    expect(breaker.snapshot()).toMatchObject({ halfOpen: { inFlight: 0, successes: 0 }, totals: { failures: 2 } });
  });
});

describe("backoff", () => {
  it("each failed trial multiplies the next open period, up to maxOpenMs; a close resets it", async () => {
    const { clock, breaker } = await trippedBreaker({ backoffMultiplier: 2, maxOpenMs: 5_000 });
    const openPeriods: number[] = [];
    const recordPeriod = () => {
      const { openedAt, halfOpenAt } = breaker.snapshot();
      openPeriods.push(halfOpenAt! - openedAt!);
    };
    recordPeriod();
    for (let trial = 0; trial < 4; trial++) {
      clock.advance(breaker.snapshot().halfOpenAt! - clock.now());
      await fail(breaker);
      recordPeriod();
    }
    expect(openPeriods).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
    clock.advance(5_000);
    await succeed(breaker);
    await fail(breaker);
    recordPeriod();
    expect(openPeriods.at(-1)).toBe(1_000);
  });

  it("a half-open timeout re-opens without a backoff step", async () => {
    const { clock, breaker } = await trippedBreaker({ backoffMultiplier: 3, maxHalfOpenMs: 100 });
    clock.advance(1_000);
    await fail(breaker);
    expect(breaker.snapshot()).toMatchObject({ openedAt: 1_000, halfOpenAt: 4_000 });
    clock.advance(3_000 + 100);
    expect(breaker.snapshot()).toMatchObject({ state: "OPEN", openedAt: 4_100, halfOpenAt: 7_100 });
  });

  it("maxOpenMs defaults to 32 × openMs", async () => {
    const { clock, breaker } = await trippedBreaker({ backoffMultiplier: 10 });
    for (let trial = 0; trial < 3; trial++) {
      clock.advance(breaker.snapshot().halfOpenAt! - clock.now());
      await fail(breaker);
    }
    const { openedAt, halfOpenAt } = breaker.snapshot();
    expect(halfOpenAt! - openedAt!).toBe(32_000);
  });

  it("reset() resets the backoff", async () => {
    const { clock, breaker } = await trippedBreaker({ backoffMultiplier: 2 });
    clock.advance(1_000);
    await fail(breaker);
    breaker.reset();
    await fail(breaker);
    const { openedAt, halfOpenAt } = breaker.snapshot();
    expect(halfOpenAt! - openedAt!).toBe(1_000);
  });
});

describe("time is exact without timers", () => {
  it("state and snapshot report HALF_OPEN from the instant the open period ends, with the event's at set to that instant", async () => {
    const { clock, breaker, events } = await trippedBreaker();
    clock.jump(1_500);
    expect(transitions(events)).toHaveLength(1);
    expect(breaker.snapshot().state).toBe("HALF_OPEN");
    expect(transitions(events).at(-1)).toBe("OPEN>HALF_OPEN:open-elapsed@1000");
  });

  it("a call arriving after the open period ended, before any timer fired, is admitted as a trial", async () => {
    const { clock, breaker } = await trippedBreaker();
    clock.jump(1_000);
    await expect(breaker.execute(() => "probe")).resolves.toBe("probe");
    expect(breaker.state).toBe("CLOSED");
  });

  it("replays every missed transition in order when the clock jumped far", async () => {
    const { clock, breaker, events } = await trippedBreaker({ maxHalfOpenMs: 500 });
    clock.jump(3_200);
    expect(breaker.state).toBe("OPEN");
    expect(transitions(events).slice(1)).toEqual([
      "OPEN>HALF_OPEN:open-elapsed@1000",
      "HALF_OPEN>OPEN:half-open-timeout@1500",
      "OPEN>HALF_OPEN:open-elapsed@2500",
      "HALF_OPEN>OPEN:half-open-timeout@3000",
    ]);
  });

  it("skips cycles nobody could observe after a very long jump, staying in phase", async () => {
    const { clock, breaker, events } = await trippedBreaker({ maxHalfOpenMs: 500 });
    clock.jump(1_000 + 1_500 * 1_000 + 200);
    expect(breaker.snapshot()).toMatchObject({ state: "HALF_OPEN" });
    expect(events.length).toBeLessThan(10);
    clock.jump(300);
    expect(breaker.state).toBe("OPEN");
    expect(transitions(events).at(-1)).toBe(`HALF_OPEN>OPEN:half-open-timeout@${clock.now()}`);
  });

  it("the timer fires the HALF_OPEN event with no traffic and no reads", async () => {
    const { clock, events } = await trippedBreaker();
    clock.advance(1_000);
    await flushPromises();
    expect(transitions(events).at(-1)).toBe("OPEN>HALF_OPEN:open-elapsed@1000");
  });
});
