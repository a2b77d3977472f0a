import { describe, expect, it } from "vitest";
import { CircuitBreaker, ManualClock, type BreakerOptions, type ResolvedOptions } from "./index";
import { fail } from "./test-helpers";

// Validation seen through the public API: `new CircuitBreaker(options)` and `configure(patch)`.

const DEFAULT_OPTIONS: ResolvedOptions = {
  name: "breaker",
  failureThreshold: 5,
  slidingWindow: null,
  failureRateThreshold: 50,
  slowCallMs: null,
  slowCallRateThreshold: 100,
  minimumCalls: 10,
  openMs: 30_000,
  backoffMultiplier: 1,
  maxOpenMs: 960_000,
  halfOpenMaxCalls: 1,
  successThreshold: 1,
  maxHalfOpenMs: 60_000,
  timeoutMs: null,
};

type ErrorClass = typeof TypeError | typeof RangeError;

/** Runs `action`, expecting exactly `kind` (not a subclass, not the other class) with a matching message. */
function expectError(action: () => unknown, kind: ErrorClass, message: string | RegExp): void {
  let thrown: unknown = undefined;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, "expected an error to be thrown").toBeInstanceOf(Error);
  expect((thrown as Error).constructor).toBe(kind);
  if (typeof message === "string") expect((thrown as Error).message).toBe(message);
  else expect((thrown as Error).message).toMatch(message);
}

/** Options given as loose data, the way a JSON body or a JavaScript caller would pass them. */
function construct(options: unknown): CircuitBreaker {
  return new CircuitBreaker(options as BreakerOptions);
}

function configure(breaker: CircuitBreaker, patch: unknown): void {
  breaker.configure(patch as Partial<BreakerOptions>);
}

/** Checks a bad value both at construction and in configure, where it must also change nothing. */
function expectRejected(patch: Record<string, unknown>, kind: ErrorClass, message: string | RegExp): void {
  expectError(() => construct(patch), kind, message);
  const breaker = new CircuitBreaker({ clock: new ManualClock() });
  const before = breaker.snapshot().options;
  expectError(() => configure(breaker, patch), kind, message);
  expect(breaker.snapshot().options).toStrictEqual(before);
}

/** Checks a good value both at construction and in configure, and that the snapshot shows it. */
function expectAccepted(patch: Record<string, unknown>, shown: Partial<ResolvedOptions>): void {
  expect(construct(patch).snapshot().options).toMatchObject(shown);
  const breaker = new CircuitBreaker({ clock: new ManualClock() });
  configure(breaker, patch);
  expect(breaker.snapshot().options).toMatchObject(shown);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Wrong JavaScript types for a numeric option, none of them a number. */
const NOT_NUMBERS: [string, unknown][] = [
  ["a numeric string", "5"],
  ["null", null],
  ["true", true],
  ["an object", {}],
  ["an array", [5]],
];

describe("defaults", () => {
  it("a breaker built with no options shows every documented default", () => {
    expect(new CircuitBreaker().snapshot().options).toStrictEqual(DEFAULT_OPTIONS);
  });

  it("an empty options object and undefined mean the same defaults", () => {
    expect(new CircuitBreaker({}).snapshot().options).toStrictEqual(DEFAULT_OPTIONS);
    expect(new CircuitBreaker(undefined).snapshot().options).toStrictEqual(DEFAULT_OPTIONS);
  });

  it.each(Object.entries(DEFAULT_OPTIONS))("%s defaults to %j", (key, value) => {
    expect((new CircuitBreaker().snapshot().options as unknown as Record<string, unknown>)[key]).toStrictEqual(value);
  });

  it("maxOpenMs defaults to openMs × 32", () => {
    expect(new CircuitBreaker({ openMs: 1_000 }).snapshot().options.maxOpenMs).toBe(32_000);
    expect(new CircuitBreaker({ openMs: 0.5 }).snapshot().options.maxOpenMs).toBe(16);
  });
});

describe("integer options (>= 1)", () => {
  const keys = ["failureThreshold", "minimumCalls", "halfOpenMaxCalls", "successThreshold"] as const;

  describe.each(keys)("%s", (key) => {
    it.each([1, 2, 1_000_000])("accepts %d", (value) => {
      expectAccepted({ [key]: value }, { [key]: value });
    });

    it.each([
      [0, "0"],
      [-1, "-1"],
      [1.5, "1.5"],
      [0.5, "0.5"],
      [Number.NaN, "NaN"],
      [Number.POSITIVE_INFINITY, "Infinity"],
      [Number.NEGATIVE_INFINITY, "-Infinity"],
    ])("rejects %d with a RangeError naming the option and the range", (value, shown) => {
      expectRejected({ [key]: value }, RangeError, `${key} must be an integer >= 1, got ${shown}`);
    });

    it.each(NOT_NUMBERS)("rejects %s with a TypeError naming the option", (_label, value) => {
      expectRejected({ [key]: value }, TypeError, new RegExp(`^${key} must be `));
    });
  });

  it("the exact message for failureThreshold 0", () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0 })).toThrow(new RangeError("failureThreshold must be an integer >= 1, got 0"));
  });
});

describe("positive durations (> 0)", () => {
  const keys = ["openMs", "maxHalfOpenMs", "timeoutMs", "slowCallMs"] as const;

  describe.each(keys)("%s", (key) => {
    it.each([0.001, 1, 1.5, 86_400_000])("accepts %d", (value) => {
      expectAccepted({ [key]: value }, { [key]: value });
    });

    it.each([
      [0, "0"],
      [-1, "-1"],
      [-0.001, "-0.001"],
      [Number.NaN, "NaN"],
      [Number.POSITIVE_INFINITY, "Infinity"],
    ])("rejects %d with a RangeError naming the option and the range", (value, shown) => {
      expectRejected({ [key]: value }, RangeError, new RegExp(`^${key} must be .*> 0, got ${escape(shown)}$`));
    });

    const wrongTypes = key === "timeoutMs" || key === "slowCallMs" ? NOT_NUMBERS.filter(([, value]) => value !== null) : NOT_NUMBERS;
    it.each(wrongTypes)("rejects %s with a TypeError naming the option", (_label, value) => {
      expectRejected({ [key]: value }, TypeError, new RegExp(`^${key} must be `));
    });
  });

  it("a very long openMs is accepted and its default cap stays a finite number", () => {
    const options = new CircuitBreaker({ openMs: 1e308 }).snapshot().options;
    expect(options.openMs).toBe(1e308);
    expect(Number.isFinite(options.maxOpenMs)).toBe(true);
    expect(options.maxOpenMs).toBeGreaterThanOrEqual(options.openMs);
  });
});

describe("rate thresholds (in (0, 100])", () => {
  const keys = ["failureRateThreshold", "slowCallRateThreshold"] as const;

  describe.each(keys)("%s", (key) => {
    it.each([100, 0.001, 50.5, 1])("accepts %d", (value) => {
      expectAccepted({ [key]: value }, { [key]: value });
    });

    it.each([
      [0, "0"],
      [-1, "-1"],
      [100.001, "100.001"],
      [101, "101"],
      [Number.NaN, "NaN"],
      [Number.POSITIVE_INFINITY, "Infinity"],
    ])("rejects %d with a RangeError naming the option and the range", (value, shown) => {
      expectRejected({ [key]: value }, RangeError, new RegExp(`^${key} must be .*\\(0, 100\\], got ${escape(shown)}$`));
    });

    it.each(NOT_NUMBERS)("rejects %s with a TypeError naming the option", (_label, value) => {
      expectRejected({ [key]: value }, TypeError, new RegExp(`^${key} must be `));
    });
  });
});

describe("backoffMultiplier (>= 1)", () => {
  it.each([1, 1.0001, 2, 10])("accepts %d", (value) => {
    expectAccepted({ backoffMultiplier: value }, { backoffMultiplier: value });
  });

  it.each([
    [0.999, "0.999"],
    [0, "0"],
    [-2, "-2"],
    [Number.NaN, "NaN"],
    [Number.POSITIVE_INFINITY, "Infinity"],
  ])("rejects %d with a RangeError naming the option and the range", (value, shown) => {
    expectRejected({ backoffMultiplier: value }, RangeError, new RegExp(`^backoffMultiplier must be .*>= 1, got ${escape(shown)}$`));
  });

  it.each(NOT_NUMBERS)("rejects %s with a TypeError naming the option", (_label, value) => {
    expectRejected({ backoffMultiplier: value }, TypeError, /^backoffMultiplier must be /);
  });
});

describe("maxOpenMs (>= openMs)", () => {
  it("accepts maxOpenMs equal to openMs", () => {
    expectAccepted({ maxOpenMs: 30_000 }, { openMs: 30_000, maxOpenMs: 30_000 });
    expectAccepted({ openMs: 1_000, maxOpenMs: 1_000 }, { openMs: 1_000, maxOpenMs: 1_000 });
  });

  it("rejects maxOpenMs below openMs with a RangeError naming both", () => {
    expectRejected({ maxOpenMs: 29_999 }, RangeError, /^maxOpenMs must be >= openMs.*30000.*got 29999$/);
    expectRejected({ openMs: 5_000, maxOpenMs: 4_000 }, RangeError, /^maxOpenMs must be >= openMs.*5000.*got 4000$/);
  });

  it.each([
    [0, "0"],
    [-1, "-1"],
    [Number.NaN, "NaN"],
    [Number.POSITIVE_INFINITY, "Infinity"],
  ])("rejects %d with a RangeError naming the option", (value, shown) => {
    expectRejected({ maxOpenMs: value }, RangeError, new RegExp(`^maxOpenMs must be .*, got ${escape(shown)}$`));
  });

  it.each(NOT_NUMBERS)("rejects %s with a TypeError naming the option", (_label, value) => {
    expectRejected({ maxOpenMs: value }, TypeError, /^maxOpenMs must be /);
  });

  it("follows openMs while not set explicitly", () => {
    const breaker = new CircuitBreaker({ clock: new ManualClock() });
    breaker.configure({ openMs: 1_000 });
    expect(breaker.snapshot().options).toMatchObject({ openMs: 1_000, maxOpenMs: 32_000 });
    breaker.configure({ openMs: 2_500 });
    expect(breaker.snapshot().options).toMatchObject({ openMs: 2_500, maxOpenMs: 80_000 });
  });

  it("stops following openMs once set explicitly, in the constructor or in configure", () => {
    const fromConstructor = new CircuitBreaker({ openMs: 1_000, maxOpenMs: 5_000, clock: new ManualClock() });
    fromConstructor.configure({ openMs: 2_000 });
    expect(fromConstructor.snapshot().options).toMatchObject({ openMs: 2_000, maxOpenMs: 5_000 });

    const fromConfigure = new CircuitBreaker({ openMs: 1_000, clock: new ManualClock() });
    fromConfigure.configure({ maxOpenMs: 7_000 });
    fromConfigure.configure({ openMs: 3_000 });
    expect(fromConfigure.snapshot().options).toMatchObject({ openMs: 3_000, maxOpenMs: 7_000 });
  });

  it("follows openMs again after maxOpenMs is set back to undefined", () => {
    const breaker = new CircuitBreaker({ openMs: 1_000, maxOpenMs: 5_000, clock: new ManualClock() });
    breaker.configure({ maxOpenMs: undefined });
    expect(breaker.snapshot().options.maxOpenMs).toBe(32_000);
    breaker.configure({ openMs: 10 });
    expect(breaker.snapshot().options.maxOpenMs).toBe(320);
  });

  it("configure throws when it would leave maxOpenMs below openMs, and changes nothing", () => {
    const breaker = new CircuitBreaker({ openMs: 1_000, maxOpenMs: 5_000, clock: new ManualClock() });
    const before = breaker.snapshot().options;
    expectError(() => breaker.configure({ maxOpenMs: 999 }), RangeError, /^maxOpenMs must be >= openMs/);
    expectError(() => breaker.configure({ openMs: 6_000 }), RangeError, /^maxOpenMs must be >= openMs/);
    expect(breaker.snapshot().options).toStrictEqual(before);
    breaker.configure({ openMs: 6_000, maxOpenMs: 6_000 });
    expect(breaker.snapshot().options).toMatchObject({ openMs: 6_000, maxOpenMs: 6_000 });
  });
});

describe("name (a non-empty string)", () => {
  it.each(["a", "payments api", "ünïcödé", " "])("accepts %j", (value) => {
    expectAccepted({ name: value }, { name: value });
  });

  it("rejects the empty string with a RangeError naming the option", () => {
    expectRejected({ name: "" }, RangeError, /^name must be a non-empty string/);
  });

  it.each([
    ["a number", 5],
    ["null", null],
    ["true", true],
    ["an object", {}],
    ["an array", ["x"]],
  ])("rejects %s with a TypeError naming the option", (_label, value) => {
    expectRejected({ name: value }, TypeError, /^name must be a non-empty string/);
  });
});

describe("slidingWindow", () => {
  it.each([
    [{ type: "count", size: 1 }],
    [{ type: "count", size: 1_000_000_000 }],
    [{ type: "time", ms: 0.001 }],
    [{ type: "time", ms: 60_000 }],
  ])("accepts %j", (value) => {
    expectAccepted({ slidingWindow: value }, { slidingWindow: value as ResolvedOptions["slidingWindow"] });
  });

  it.each([
    [0, "0"],
    [-1, "-1"],
    [1.5, "1.5"],
    [Number.NaN, "NaN"],
    [Number.POSITIVE_INFINITY, "Infinity"],
  ])("rejects a count window of size %d with a RangeError naming slidingWindow.size", (size, shown) => {
    expectRejected({ slidingWindow: { type: "count", size } }, RangeError, `slidingWindow.size must be an integer >= 1, got ${shown}`);
  });

  it.each([
    [0, "0"],
    [-1, "-1"],
    [Number.NaN, "NaN"],
    [Number.POSITIVE_INFINITY, "Infinity"],
  ])("rejects a time window of %d ms with a RangeError naming slidingWindow.ms", (ms, shown) => {
    expectRejected({ slidingWindow: { type: "time", ms } }, RangeError, new RegExp(`^slidingWindow\\.ms must be .*> 0, got ${escape(shown)}$`));
  });

  it.each([
    ["a string size", { type: "count", size: "10" }, /^slidingWindow\.size must be /],
    ["a missing size", { type: "count" }, /^slidingWindow\.size must be /],
    ["a null size", { type: "count", size: null }, /^slidingWindow\.size must be /],
    ["a string ms", { type: "time", ms: "1000" }, /^slidingWindow\.ms must be /],
    ["a missing ms", { type: "time" }, /^slidingWindow\.ms must be /],
  ])("rejects %s with a TypeError naming the field", (_label, value, message) => {
    expectRejected({ slidingWindow: value }, TypeError, message);
  });

  it.each([
    ["sliding", { type: "sliding", size: 10 }],
    ["COUNT", { type: "COUNT", size: 10 }],
    ["missing", { size: 10 }],
    ["a number", { type: 1, size: 10 }],
  ])("rejects a type that is %s with a TypeError naming slidingWindow.type", (_label, value) => {
    expectRejected({ slidingWindow: value }, TypeError, /slidingWindow\.type/);
  });

  it.each([
    ["an unknown key", { type: "count", size: 10, extra: 1 }, "extra"],
    ["ms on a count window", { type: "count", size: 10, ms: 1_000 }, "ms"],
    ["size on a time window", { type: "time", ms: 1_000, size: 10 }, "size"],
  ])("rejects %s with a TypeError naming that key", (_label, value, inner) => {
    expectRejected({ slidingWindow: value }, TypeError, new RegExp(`"${inner}".*slidingWindow|slidingWindow.*"${inner}"`));
  });

  it.each([
    ["a string", "count"],
    ["a number", 10],
    ["true", true],
    ["an array", [{ type: "count", size: 10 }]],
  ])("rejects %s with a TypeError naming the option", (_label, value) => {
    expectRejected({ slidingWindow: value }, TypeError, /^slidingWindow/);
  });
});

describe("null means none for slidingWindow, slowCallMs and timeoutMs", () => {
  const NONE = { slidingWindow: null, slowCallMs: null, timeoutMs: null };

  it("is accepted by the constructor and shown as null", () => {
    expect(new CircuitBreaker(NONE).snapshot().options).toMatchObject(NONE);
  });

  it("configure(null) clears values that were set", () => {
    const breaker = new CircuitBreaker({
      slidingWindow: { type: "count", size: 10 },
      slowCallMs: 100,
      timeoutMs: 1_000,
      clock: new ManualClock(),
    });
    breaker.configure(NONE);
    expect(breaker.snapshot().options).toStrictEqual(DEFAULT_OPTIONS);
  });

  it("a cleared timeoutMs no longer times calls out", async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ timeoutMs: 10, clock });
    breaker.configure({ timeoutMs: null });
    let finish!: (value: string) => void;
    const call = breaker.execute(() => new Promise<string>((resolve) => (finish = resolve)));
    clock.advance(1_000);
    finish("done");
    await expect(call).resolves.toBe("done");
    expect(breaker.snapshot().totals.timeouts).toBe(0);
  });
});

describe("a key set to undefined means its default", () => {
  const ALL_UNDEFINED = Object.fromEntries(Object.keys(DEFAULT_OPTIONS).map((key) => [key, undefined]));
  const ALL_SET: BreakerOptions = {
    name: "custom",
    failureThreshold: 2,
    slidingWindow: { type: "time", ms: 5_000 },
    failureRateThreshold: 20,
    slowCallMs: 300,
    slowCallRateThreshold: 40,
    minimumCalls: 3,
    openMs: 1_000,
    backoffMultiplier: 2,
    maxOpenMs: 8_000,
    halfOpenMaxCalls: 4,
    successThreshold: 3,
    maxHalfOpenMs: 2_000,
    timeoutMs: 700,
  };

  it("in the constructor", () => {
    expect(construct({ ...ALL_UNDEFINED, isFailure: undefined, isResultFailure: undefined, clock: undefined }).snapshot().options).toStrictEqual(
      DEFAULT_OPTIONS,
    );
  });

  it("in configure, for every option at once", () => {
    const breaker = new CircuitBreaker({ ...ALL_SET, clock: new ManualClock() });
    expect(breaker.snapshot().options).toStrictEqual({ ...ALL_SET });
    configure(breaker, ALL_UNDEFINED);
    expect(breaker.snapshot().options).toStrictEqual(DEFAULT_OPTIONS);
  });

  it.each(Object.entries(DEFAULT_OPTIONS).filter(([key]) => key !== "maxOpenMs"))("configure({ %s: undefined }) restores %j", (key, value) => {
    const breaker = new CircuitBreaker({ ...ALL_SET, maxOpenMs: undefined, clock: new ManualClock() });
    configure(breaker, { [key]: undefined });
    expect((breaker.snapshot().options as unknown as Record<string, unknown>)[key]).toStrictEqual(value);
  });

  it("configure({ openMs: undefined }) restores 30000, and a following maxOpenMs with it", () => {
    const breaker = new CircuitBreaker({ openMs: 1_000, clock: new ManualClock() });
    breaker.configure({ openMs: undefined });
    expect(breaker.snapshot().options).toMatchObject({ openMs: 30_000, maxOpenMs: 960_000 });
  });

  it("configure({ isFailure: undefined }) removes the predicate: errors count as failures again", async () => {
    const breaker = new CircuitBreaker({ isFailure: () => false, clock: new ManualClock() });
    await fail(breaker);
    expect(breaker.snapshot().totals).toMatchObject({ failures: 0, ignored: 1 });
    breaker.configure({ isFailure: undefined });
    await fail(breaker);
    expect(breaker.snapshot().totals).toMatchObject({ failures: 1, ignored: 1 });
  });
});

describe("unknown keys", () => {
  it("an unknown top-level key is a TypeError naming it", () => {
    expectRejected({ failureTreshold: 3 }, TypeError, /"failureTreshold"/);
    expectRejected({ resetTimeout: 1_000 }, TypeError, /"resetTimeout"/);
  });

  it("an unknown key is rejected even next to valid ones, and changes nothing", () => {
    expectRejected({ openMs: 1_000, bogus: true }, TypeError, /"bogus"/);
  });

  it.each(["__proto__", "constructor", "toString", "hasOwnProperty"])("a JSON patch with the key %s is a TypeError naming it", (key) => {
    const patch: unknown = JSON.parse(`{"${key}": 1}`);
    expectError(() => construct(patch), TypeError, new RegExp(`"${key}"`));
    const breaker = new CircuitBreaker({ clock: new ManualClock() });
    const before = breaker.snapshot().options;
    expectError(() => configure(breaker, patch), TypeError, new RegExp(`"${key}"`));
    expect(breaker.snapshot().options).toStrictEqual(before);
  });
});

describe("the options argument itself", () => {
  it.each([
    ["null", null],
    ["a number", 5],
    ["a string", "x"],
    ["an array", []],
    ["true", true],
  ])("%s is a TypeError in the constructor and in configure", (_label, value) => {
    expectError(() => construct(value), TypeError, /options must be an object/);
    const breaker = new CircuitBreaker({ clock: new ManualClock() });
    const before = breaker.snapshot().options;
    expectError(() => configure(breaker, value), TypeError, /must be an object/);
    expect(breaker.snapshot().options).toStrictEqual(before);
  });
});

describe("function options", () => {
  it.each(["isFailure", "isResultFailure"])("%s must be a function", (key) => {
    for (const value of [true, "yes", {}, 5, null, [() => true]]) {
      expectRejected({ [key]: value }, TypeError, new RegExp(`^${key} must be a function`));
    }
  });

  it("isFailure and isResultFailure are used once accepted", async () => {
    const breaker = new CircuitBreaker({ clock: new ManualClock() });
    breaker.configure({ isFailure: (error) => !(error instanceof TypeError), isResultFailure: (result) => result === 503 });
    await breaker.execute(() => Promise.reject(new TypeError("ignored"))).catch(() => undefined);
    await expect(breaker.execute(() => 503)).resolves.toBe(503);
    await breaker.execute(() => 200);
    expect(breaker.snapshot().totals).toMatchObject({ ignored: 1, failures: 1, successes: 1 });
  });
});

describe("clock", () => {
  const noop = () => undefined;

  const badClocks: [string, unknown][] = [
    ["missing clearTimeout", { now: () => 0, setTimeout: noop }],
    ["missing setTimeout", { now: () => 0, clearTimeout: noop }],
    ["missing now", { setTimeout: noop, clearTimeout: noop }],
    ["now that is a number", { now: 0, setTimeout: noop, clearTimeout: noop }],
    ["an empty object", {}],
    ["a number", 5],
    ["null", null],
    ["a function", () => 0],
  ];

  it.each(badClocks)("a clock %s is a TypeError naming the option", (_label, value) => {
    expectError(() => construct({ clock: value }), TypeError, /^clock must be /);
  });

  it("a plain object clock is accepted and used", async () => {
    let time = 5_000;
    const clock = { now: () => time, setTimeout: () => 1, clearTimeout: noop };
    const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 100, clock });
    time = 6_000;
    await fail(breaker);
    expect(breaker.snapshot()).toMatchObject({ state: "OPEN", openedAt: 6_000, halfOpenAt: 6_100 });
  });

  it("cannot be changed by configure (TypeError), and nothing else changes with it", () => {
    const breaker = new CircuitBreaker({ clock: new ManualClock() });
    const before = breaker.snapshot().options;
    expectError(() => breaker.configure({ clock: new ManualClock(5) }), TypeError, /clock/);
    expectError(() => breaker.configure({ openMs: 1_000, clock: new ManualClock(5) }), TypeError, /clock/);
    expect(breaker.snapshot().options).toStrictEqual(before);
  });
});

describe("configure is atomic", () => {
  const patches: [string, Record<string, unknown>, ErrorClass][] = [
    ["a valid field before an invalid one", { openMs: 1_000, failureThreshold: 0 }, RangeError],
    ["an invalid field before a valid one", { failureThreshold: 0, openMs: 1_000 }, RangeError],
    ["a new window with a bad type elsewhere", { slidingWindow: { type: "count", size: 3 }, name: 5 }, TypeError],
    ["valid fields and a bad window", { name: "renamed", minimumCalls: 2, slidingWindow: { type: "count", size: 10, bogus: 1 } }, TypeError],
    ["valid fields and an unknown key", { name: "renamed", timeoutMs: 10, bogus: 1 }, TypeError],
    ["an explicit maxOpenMs and a bad openMs", { maxOpenMs: 100_000, openMs: -1 }, RangeError],
  ];

  it.each(patches)("%s throws and leaves every option as it was", (_label, patch, kind) => {
    const breaker = new CircuitBreaker({ name: "atomic", slidingWindow: { type: "count", size: 5 }, clock: new ManualClock() });
    const before = breaker.snapshot().options;
    expect(() => configure(breaker, patch)).toThrow(kind);
    expect(breaker.snapshot().options).toStrictEqual(before);
  });

  it("a rejected patch keeps the window's calls", async () => {
    const breaker = new CircuitBreaker({ slidingWindow: { type: "count", size: 10 }, failureRateThreshold: 100, clock: new ManualClock() });
    await fail(breaker, 3);
    expect(() => configure(breaker, { slidingWindow: { type: "count", size: 20 }, openMs: -1 })).toThrow(RangeError);
    expect(breaker.snapshot().window.calls).toBe(3);
  });

  it("a rejected patch does not install its predicates", async () => {
    const breaker = new CircuitBreaker({ clock: new ManualClock() });
    expect(() => configure(breaker, { isFailure: () => false, failureThreshold: 0 })).toThrow(RangeError);
    await fail(breaker);
    expect(breaker.snapshot().totals).toMatchObject({ failures: 1, ignored: 0 });
  });

  it("a rejected explicit maxOpenMs leaves maxOpenMs following openMs", () => {
    const breaker = new CircuitBreaker({ clock: new ManualClock() });
    expect(() => configure(breaker, { maxOpenMs: 100_000, openMs: -1 })).toThrow(RangeError);
    breaker.configure({ openMs: 1_000 });
    expect(breaker.snapshot().options.maxOpenMs).toBe(32_000);
  });
});

describe("snapshot options", () => {
  const withEverything: BreakerOptions = {
    name: "everything",
    slidingWindow: { type: "count", size: 10 },
    slowCallMs: 100,
    timeoutMs: null,
    isFailure: () => true,
    isResultFailure: () => false,
    clock: new ManualClock(),
  };

  it("never contain functions, the clock or the predicates", () => {
    const options = new CircuitBreaker(withEverything).snapshot().options;
    expect(Object.keys(options).sort()).toEqual(Object.keys(DEFAULT_OPTIONS).sort());
    const values: unknown[] = [...Object.values(options), ...Object.values(options.slidingWindow ?? {})];
    expect(values.filter((value) => typeof value === "function")).toEqual([]);
  });

  it("survive JSON.stringify and JSON.parse unchanged", () => {
    for (const options of [new CircuitBreaker(withEverything).snapshot().options, new CircuitBreaker().snapshot().options]) {
      expect(JSON.parse(JSON.stringify(options))).toStrictEqual(options);
    }
  });

  it("hold a copy of slidingWindow: mutating it does not change the breaker", async () => {
    const breaker = new CircuitBreaker({
      slidingWindow: { type: "count", size: 4 },
      minimumCalls: 4,
      failureRateThreshold: 100,
      clock: new ManualClock(),
    });
    const window = breaker.snapshot().options.slidingWindow;
    if (window?.type !== "count") throw new Error("expected a count window");
    window.size = 1;
    expect(breaker.snapshot().options.slidingWindow).toStrictEqual({ type: "count", size: 4 });
    // A size of 1 would cap minimumCalls at 1 and trip on the first failure.
    await fail(breaker);
    expect(breaker.state).toBe("CLOSED");
    await fail(breaker, 3);
    expect(breaker.state).toBe("OPEN");
  });

  it("do not follow later mutations of the object given to the constructor or to configure", () => {
    const given = { type: "count" as const, size: 8 };
    const breaker = new CircuitBreaker({ slidingWindow: given, clock: new ManualClock() });
    given.size = 2;
    expect(breaker.snapshot().options.slidingWindow).toStrictEqual({ type: "count", size: 8 });
    const patched = { type: "time" as const, ms: 1_000 };
    breaker.configure({ slidingWindow: patched });
    patched.ms = 5;
    expect(breaker.snapshot().options.slidingWindow).toStrictEqual({ type: "time", ms: 1_000 });
  });
});
