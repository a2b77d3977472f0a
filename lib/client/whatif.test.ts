import { describe, expect, it } from "vitest";
import { CircuitBreaker, ManualClock } from "@/lib/breaker";
import type { WhatIfConfigResult } from "@/lib/whatif";
import { applyOptionsPatch, bestValues, inputFragment, inputFromFragment, optionsInputOf, resolveOptions } from "./whatif";

function result(patch: Partial<WhatIfConfigResult>): WhatIfConfigResult {
  return {
    label: "x",
    calls: 100,
    successes: 50,
    failures: 10,
    timeouts: 0,
    rejected: 40,
    ignored: 0,
    upstreamCalls: 60,
    wastedCalls: 10,
    rejectedGood: 5,
    timeToOpenMs: 100,
    timeToCloseMs: null,
    transitions: [],
    ...patch,
  };
}

describe("bestValues", () => {
  it("marks the highest calls and successes and the lowest of everything else", () => {
    const best = bestValues([result({ successes: 60, failures: 12, timeToOpenMs: 300 }), result({ successes: 50, failures: 8, timeToOpenMs: 200, timeToCloseMs: 900 })]);
    expect(best).toMatchObject({ successes: 60, failures: 8, timeToOpenMs: 200, timeToCloseMs: 900 });
  });

  it("marks nothing where all agree, and nothing for a single result", () => {
    const best = bestValues([result({}), result({ failures: 3 })]);
    expect(best).not.toHaveProperty("calls");
    expect(best).not.toHaveProperty("timeouts");
    expect(best.failures).toBe(3);
    expect(bestValues([result({})])).toEqual({});
  });
});

describe("the URL fragment", () => {
  it("carries an input there and back, unicode included", () => {
    const input = { scenario: "flapping", endpoint: "inventory", traffic: { rps: 20 }, configs: [{ label: "ünïcode ✓", options: { openMs: 1_000 } }] };
    const fragment = inputFragment(input);
    expect(fragment).toMatch(/^#input=[A-Za-z0-9_-]+$/);
    expect(inputFromFragment(fragment)).toEqual(input);
  });

  it("reads nothing from another fragment or a damaged one", () => {
    expect(inputFromFragment("")).toBeUndefined();
    expect(inputFromFragment("#other=1")).toBeUndefined();
    expect(inputFromFragment("#input=%%%")).toBeUndefined();
    expect(inputFromFragment("#input=bm90IGpzb24")).toBeUndefined();
  });
});

describe("options of a config", () => {
  const resolved = new CircuitBreaker({ name: "p", failureThreshold: 3, openMs: 20_000, clock: new ManualClock(0) }).snapshot().options;

  it("leave out the name, and a maxOpenMs at its default so that it keeps following openMs", () => {
    const input = optionsInputOf(resolved);
    expect(input).not.toHaveProperty("name");
    expect(input).not.toHaveProperty("maxOpenMs");
    expect(applyOptionsPatch(resolved, { openMs: 1_000 }).maxOpenMs).toBe(32_000);
    expect(optionsInputOf({ ...resolved, maxOpenMs: 50_000 })).toMatchObject({ maxOpenMs: 50_000 });
  });

  it("are judged by the library: a refusal names the option", () => {
    expect(() => applyOptionsPatch(resolved, { openMs: 1_000, maxOpenMs: 500 })).toThrow(expect.objectContaining({ message: expect.stringContaining("maxOpenMs") }));
    expect(resolveOptions({ slidingWindow: { type: "count", size: 10 } }, "w")).toMatchObject({ name: "w", slidingWindow: { type: "count", size: 10 }, minimumCalls: 10 });
  });
});
