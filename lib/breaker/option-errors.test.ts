import { describe, expect, it } from "vitest";
import { CircuitBreaker, ManualClock, type OptionError } from "./index";

function thrownBy(action: () => unknown): OptionError {
  try {
    action();
  } catch (error) {
    return error as OptionError;
  }
  throw new Error("expected an error to be thrown");
}

// Callers (the lab, a config loader) map a bad option to a field without parsing messages.
describe("validation errors name their option as `option`", () => {
  it.each([
    [{ openMs: -1 }, RangeError, "openMs"],
    [{ failureThreshold: "5" }, TypeError, "failureThreshold"],
    [{ name: "" }, RangeError, "name"],
    [{ halfOpenPolicy: "sometimes" }, TypeError, "halfOpenPolicy"],
    [{ slidingWindow: { type: "count", size: 0 } }, RangeError, "slidingWindow.size"],
    [{ slidingWindow: { type: "time", ms: Number.NaN } }, RangeError, "slidingWindow.ms"],
    [{ slidingWindow: { type: "sliding" } }, TypeError, "slidingWindow.type"],
    [{ slidingWindow: { type: "count", size: 5, ms: 1 } }, TypeError, "slidingWindow.ms"],
    [{ slidingWindow: 5 }, TypeError, "slidingWindow"],
    [{ colour: "red" }, TypeError, "colour"],
    [{ openMs: 1_000, maxOpenMs: 500 }, RangeError, "maxOpenMs"],
    [{ isFailure: true }, TypeError, "isFailure"],
    [{ clock: {} }, TypeError, "clock"],
  ])("%j → %o on %s, from the constructor and from configure()", (options, kind, option) => {
    const fromConstructor = thrownBy(() => new CircuitBreaker(options as never));
    expect(fromConstructor).toBeInstanceOf(kind);
    expect(fromConstructor.option).toBe(option);
    const breaker = new CircuitBreaker({ clock: new ManualClock() });
    const fromConfigure = thrownBy(() => breaker.configure(options as never));
    expect(fromConfigure).toBeInstanceOf(kind);
    expect(fromConfigure.option).toBe(option);
  });

  it("a clock change in configure() names clock; initialState in configure() names initialState", () => {
    const breaker = new CircuitBreaker({ clock: new ManualClock() });
    expect(thrownBy(() => breaker.configure({ clock: new ManualClock() })).option).toBe("clock");
    const error = thrownBy(() => breaker.configure({ initialState: new CircuitBreaker().exportState() }));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.option).toBe("initialState");
  });

  it("keeps `option` out of the error's enumerable fields, so it prints and compares as before", () => {
    const error = thrownBy(() => new CircuitBreaker({ openMs: 0 }));
    expect(Object.keys(error)).toEqual([]);
    expect(error.constructor).toBe(RangeError);
  });
});

describe("halfOpenPolicy as an option", () => {
  it("defaults to any-failure, left out of snapshot options until set", () => {
    const breaker = new CircuitBreaker();
    expect(breaker.snapshot().options).not.toHaveProperty("halfOpenPolicy");
    breaker.configure({ halfOpenPolicy: "rates" });
    expect(breaker.snapshot().options.halfOpenPolicy).toBe("rates");
    breaker.configure({ halfOpenPolicy: undefined });
    expect(breaker.snapshot().options).not.toHaveProperty("halfOpenPolicy");
  });
});
