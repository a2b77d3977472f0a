import { describe, expect, it } from "vitest";
import { BreakerRegistry, CircuitBreaker, ManualClock, type OptionError, type RegistryEvent } from "./index";
import { boom, deferred, fail } from "./test-helpers";

function registry(options: { maxBreakers?: number; idleMs?: number; timeoutMs?: number } = {}) {
  const clock = new ManualClock(0);
  const { timeoutMs, ...rest } = options;
  const breakers = new BreakerRegistry({ options: { clock, failureThreshold: 1, openMs: 1_000, timeoutMs }, ...rest });
  return { clock, breakers };
}

describe("BreakerRegistry", () => {
  it("hands out one breaker per key, named by the key, with the registry's options", () => {
    const { breakers } = registry();
    const a = breakers.get("api.example.com");
    expect(a).toBeInstanceOf(CircuitBreaker);
    expect(breakers.get("api.example.com")).toBe(a);
    expect(breakers.get("other")).not.toBe(a);
    expect(a.name).toBe("api.example.com");
    expect(a.snapshot().options).toMatchObject({ failureThreshold: 1, openMs: 1_000 });
    expect(breakers.has("api.example.com")).toBe(true);
    expect(breakers.has("missing")).toBe(false);
    expect(breakers.keys()).toEqual(["api.example.com", "other"]);
    expect(Object.keys(breakers.snapshot())).toEqual(["api.example.com", "other"]);
    expect(breakers.snapshot()["other"]).toMatchObject({ name: "other", state: "CLOSED" });
  });

  it("delete() forgets and disposes of a breaker; the next get() creates a fresh one", async () => {
    const { breakers } = registry();
    const first = breakers.get("k");
    expect(breakers.delete("k")).toBe(true);
    expect(breakers.delete("k")).toBe(false);
    await expect(first.execute(() => 1)).rejects.toBeInstanceOf(TypeError);
    expect(breakers.get("k")).not.toBe(first);
  });

  it("forgets idle CLOSED breakers least recently used first, once it holds maxBreakers", () => {
    const { clock, breakers } = registry({ maxBreakers: 3, idleMs: 1_000 });
    const a = breakers.get("a");
    breakers.get("b");
    breakers.get("c");
    breakers.get("a"); // a is now more recent than b and c
    clock.advance(1_000);
    breakers.get("d");
    expect(breakers.keys()).toEqual(["a", "c", "d"]);
    clock.advance(1_000);
    breakers.get("e");
    expect(breakers.keys()).toEqual(["a", "d", "e"]);
    expect(breakers.get("a")).toBe(a);
  });

  it("never forgets a breaker used within idleMs: it grows past maxBreakers instead", () => {
    const { clock, breakers } = registry({ maxBreakers: 2, idleMs: 1_000 });
    breakers.get("a");
    breakers.get("b");
    clock.advance(999);
    breakers.get("c");
    expect(breakers.keys()).toEqual(["a", "b", "c"]);
  });

  it("never forgets an OPEN breaker, nor one with a call in flight", async () => {
    const clock = new ManualClock(0);
    const breakers = new BreakerRegistry({ options: { clock, failureThreshold: 1, openMs: 100_000 }, maxBreakers: 2, idleMs: 1_000 });
    const open = breakers.get("open");
    await fail(open);
    const gate = deferred<string>();
    const running = breakers.get("busy").execute(() => gate.promise);
    clock.advance(1_000);
    breakers.get("x1");
    clock.advance(1_000);
    breakers.get("x2");
    expect(open.state).toBe("OPEN");
    expect(breakers.keys()).toEqual(["open", "busy", "x2"]);
    gate.resolve("done");
    await running;
    open.reset();
    clock.advance(1_000);
    breakers.get("x3");
    expect(breakers.keys()).toEqual(["busy", "x3"]);
  });

  it("counts calls through a breaker held outside the registry as use", async () => {
    const { clock, breakers } = registry({ maxBreakers: 2, idleMs: 1_000 });
    const held = breakers.get("held");
    breakers.get("other");
    clock.advance(1_000);
    await held.execute(() => "ok");
    breakers.get("third");
    expect(breakers.keys()).toEqual(["held", "third"]);
  });

  it("reports every breaker's events with its key, only while it has listeners", async () => {
    const { breakers } = registry();
    const before = breakers.get("before");
    const events: RegistryEvent[] = [];
    const unsubscribe = breakers.subscribe((event) => events.push(event));
    breakers.subscribe(() => {
      throw new Error("a listener's bug");
    });
    const after = breakers.get("after");
    await before.execute(() => "ok");
    await after.execute(boom).catch(() => undefined);
    expect(events.map((event) => [event.key, event.type])).toEqual([
      ["before", "success"],
      ["after", "failure"],
      ["after", "state"],
    ]);
    expect(events[2]).toMatchObject({ key: "after", breaker: "after", from: "CLOSED", to: "OPEN" });
    unsubscribe();
    await before.execute(() => "ok");
    expect(events).toHaveLength(3);
  });

  it("dispose() leaves no timer: open periods and running calls' timeouts included", async () => {
    const { clock, breakers } = registry({ timeoutMs: 5_000 });
    await fail(breakers.get("open"));
    void breakers.get("slow").execute(() => new Promise(() => undefined));
    expect(clock.pendingTimers).toBeGreaterThanOrEqual(2);
    breakers.dispose();
    expect(clock.pendingTimers).toBe(0);
    expect(breakers.keys()).toEqual([]);
    expect(() => breakers.get("x")).toThrow(TypeError);
  });

  it("validates its options like a breaker's, naming the option", () => {
    const cases: [unknown, string][] = [
      [{ maxBreakers: 0 }, "maxBreakers"],
      [{ idleMs: -1 }, "idleMs"],
      [{ idleMs: "1" }, "idleMs"],
      [{ colour: 1 }, "colour"],
      [{ options: { openMs: 0 } }, "openMs"],
      [{ options: { name: "x" } }, "options.name"],
    ];
    for (const [options, option] of cases) {
      let thrown: unknown;
      try {
        new BreakerRegistry(options as never);
      } catch (error) {
        thrown = error;
      }
      expect(thrown instanceof TypeError || thrown instanceof RangeError, JSON.stringify(options)).toBe(true);
      expect((thrown as OptionError).option).toBe(option);
    }
    expect(() => new BreakerRegistry().get("")).toThrow(TypeError);
  });
});
