import { describe, expect, it } from "vitest";
import { scenarioSchema } from "@/lib/api/schemas";
import { applyEndpointPatch, defaultEndpoint } from "./endpoint";
import { SCENARIO_LIMITS, scenarioEndpoints, scenarioLength, type Scenario } from "./scenario";
import { SCENARIO_PRESETS, scenarioPreset } from "./scenario-presets";

/** A scenario whose phases last `lengths` ms, touching no endpoint. */
function timed(lengths: number[], loop?: boolean): Scenario {
  return { name: "timed", ...(loop === undefined ? {} : { loop }), phases: lengths.map((forMs) => ({ forMs, endpoints: {} })) };
}

describe("SCENARIO_LIMITS", () => {
  it("are the contract's: phases of 100 ms to 1 h, at most 100 of them", () => {
    expect(SCENARIO_LIMITS).toEqual({ minPhaseMs: 100, maxPhaseMs: 3_600_000, maxPhases: 100 });
  });
});

describe("scenarioLength", () => {
  it("is the sum of the phases' forMs", () => {
    expect(scenarioLength(timed([100]))).toBe(100);
    expect(scenarioLength(timed([1_000, 250, 3_600_000]))).toBe(3_601_250);
  });

  it("adds fractional lengths", () => {
    expect(scenarioLength(timed([100.25, 100.5]))).toBe(200.75);
  });

  it("is one pass, loop or not", () => {
    expect(scenarioLength(timed([300, 200], true))).toBe(500);
  });
});

describe("scenarioEndpoints", () => {
  it("lists each endpoint once, in the order it first appears", () => {
    const scenario: Scenario = {
      name: "order",
      phases: [
        { forMs: 100, endpoints: { search: { failureRate: 1 }, payments: { latencyMs: 5 } } },
        { forMs: 100, endpoints: {} },
        { forMs: 100, endpoints: { inventory: { fault: "reset" }, search: { failureRate: 0 } } },
        { forMs: 100, endpoints: { payments: { failureRate: 0 } } },
      ],
    };
    expect(scenarioEndpoints(scenario)).toEqual(["search", "payments", "inventory"]);
  });

  it("is empty when no phase names an endpoint", () => {
    expect(scenarioEndpoints(timed([100, 100]))).toEqual([]);
  });
});

describe("SCENARIO_PRESETS", () => {
  const DEMO_ENDPOINTS = ["payments", "inventory", "search"];

  it("hold at least the four the contract requires, with unique names", () => {
    const names = SCENARIO_PRESETS.map(({ name }) => name);
    expect(names).toEqual(expect.arrayContaining(["outage-then-flaky-recovery", "slow-degradation", "flapping", "brownout"]));
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(SCENARIO_PRESETS.map((preset) => [preset.name, preset] as const))("%s is valid under scenarioSchema, unchanged by parsing", (_name, preset) => {
    const parsed = scenarioSchema.safeParse(preset);
    expect(parsed.error).toBeUndefined();
    expect(parsed.data).toEqual(preset);
  });

  it.each(SCENARIO_PRESETS.map((preset) => [preset.name, preset] as const))("%s has a one-line description and names only the demo endpoints", (_name, preset) => {
    expect(preset.description?.trim().length).toBeGreaterThan(0);
    expect(preset.description).not.toContain("\n");
    expect(scenarioEndpoints(preset).length).toBeGreaterThan(0);
    for (const name of scenarioEndpoints(preset)) expect(DEMO_ENDPOINTS).toContain(name);
  });

  it.each(SCENARIO_PRESETS.map((preset) => [preset.name, preset] as const))("%s states in phase 0 the whole model of every endpoint it names", (_name, preset) => {
    // Phase 0 states the whole model, so the preset means the same whatever a person left behind.
    const phase0 = preset.phases[0]!.endpoints;
    for (const name of scenarioEndpoints(preset)) {
      const messy = { ...defaultEndpoint(name), failureRate: 0.7, latencyMs: 900, fault: "hang" as const, capacity: 2, retryAfterS: 9 };
      const fromDefault = applyEndpointPatch(defaultEndpoint(name), phase0[name] ?? {});
      expect(applyEndpointPatch(messy, phase0[name] ?? {})).toEqual(fromDefault);
    }
  });

  it("are frozen: a caller cannot change what every other caller sees", () => {
    const preset = scenarioPreset("flapping")!;
    expect(() => {
      (preset.phases[0]!.endpoints.inventory as { failureRate: number }).failureRate = 0;
    }).toThrow(TypeError);
    expect(() => {
      (preset.phases as unknown[]).push({});
    }).toThrow(TypeError);
    expect(scenarioPreset("flapping")!.phases).toHaveLength(2);
  });

  it("do what their descriptions say, against the demo breakers' policies", () => {
    /** The model of `endpoint` after each phase, from the default. */
    const models = (name: string, endpoint: string) => {
      let current = defaultEndpoint(endpoint);
      return scenarioPreset(name)!.phases.map((phase) => (current = applyEndpointPatch(current, phase.endpoints[endpoint] ?? {})));
    };
    // payments down for 30 s (its breaker's openMs is 20 s), then 30 % errors, then healthy.
    const outage = scenarioPreset("outage-then-flaky-recovery")!;
    expect(outage.phases.map(({ forMs }) => forMs).slice(1, 3)).toEqual([30_000, 30_000]);
    expect(models("outage-then-flaky-recovery", "payments").map(({ failureRate }) => failureRate)).toEqual([0, 1, 0.3, 0]);
    // search's slowest phase answers later than its breaker's 2 s timeout, every request; the last recovers.
    const search = models("slow-degradation", "search");
    const slowest = search.at(-2)!;
    expect(slowest.latencyMs - slowest.jitterMs).toBeGreaterThan(2_000);
    expect(search.at(-1)).toEqual(defaultEndpoint("search"));
    // inventory drops connections, then answers, 6 s each.
    expect(models("flapping", "inventory").map(({ failureRate, fault }) => [failureRate, fault])).toEqual([
      [1, "reset"],
      [0, "reset"],
    ]);
    // inventory at most 8 at once with Retry-After during the brownout, healthy after.
    const brownout = models("brownout", "inventory");
    expect(brownout[1]).toMatchObject({ capacity: 8, failureRate: 0.2 });
    expect(brownout[1]!.retryAfterS).not.toBeNull();
    expect(brownout.at(-1)).toEqual(defaultEndpoint("inventory"));
  });

  it("flapping loops; the others end", () => {
    expect(scenarioPreset("flapping")!.loop).toBe(true);
    for (const name of ["outage-then-flaky-recovery", "slow-degradation", "brownout"]) expect(scenarioPreset(name)!.loop ?? false).toBe(false);
  });

  it("carry a seed each, so a preset plays the same way every time", () => {
    for (const preset of SCENARIO_PRESETS) expect(Number.isInteger(preset.seed)).toBe(true);
  });
});

describe("scenarioPreset", () => {
  it("finds a preset by name and nothing else", () => {
    expect(scenarioPreset("brownout")).toBe(SCENARIO_PRESETS.find(({ name }) => name === "brownout"));
    expect(scenarioPreset("recording")).toBeUndefined();
    expect(scenarioPreset("Brownout")).toBeUndefined();
    expect(scenarioPreset("")).toBeUndefined();
  });
});
