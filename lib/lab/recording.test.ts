import { describe, expect, it } from "vitest";
import { firstProblem } from "@/lib/api/issues";
import { scenarioSchema } from "@/lib/api/schemas";
import { applyEndpointPatch, defaultEndpoint, fullPatch, type EndpointConfig, type EndpointPatch, type Scenario } from "@/lib/simulator";
import { EndpointRecorder, RECORDING_NAME } from "./recording";

const NAMES = ["payments", "inventory", "search"];

/** A recorder started at `at` on the demo's healthy endpoints, and a way to change them as the hub does. */
function setup(at = 0) {
  const recorder = new EndpointRecorder();
  const models = new Map<string, EndpointConfig>(NAMES.map((name) => [name, defaultEndpoint(name)]));
  recorder.restart(at, models.values());
  return {
    recorder,
    models,
    change(time: number, name: string, patch: EndpointPatch) {
      const before = models.get(name)!;
      const after = applyEndpointPatch(before, patch);
      models.set(name, after);
      recorder.record(time, before, after);
    },
  };
}

/** The models a scenario leaves the endpoints with after its phases up to and including `upTo`. */
function replay(scenario: Scenario, upTo = scenario.phases.length - 1): Map<string, EndpointConfig> {
  const models = new Map<string, EndpointConfig>(NAMES.map((name) => [name, defaultEndpoint(name)]));
  for (const phase of scenario.phases.slice(0, upTo + 1)) {
    for (const [name, patch] of Object.entries(phase.endpoints)) models.set(name, applyEndpointPatch(models.get(name)!, patch));
  }
  return models;
}

describe("EndpointRecorder", () => {
  it("starts with one phase holding every endpoint's full model, lasting at least 100 ms", () => {
    const { recorder } = setup(1_000);
    const custom = { ...defaultEndpoint("search"), failureRate: 0.25, capacity: 3 };
    recorder.restart(1_000, [defaultEndpoint("payments"), custom]);
    const scenario = recorder.toScenario(1_000);
    expect(scenario.name).toBe(RECORDING_NAME);
    expect(scenario.loop ?? false).toBe(false);
    expect(scenario.phases).toEqual([
      { label: "start", forMs: 100, endpoints: { payments: fullPatch(defaultEndpoint("payments")), search: fullPatch(custom) } },
    ]);
    expect(recorder.toScenario(6_000).phases[0]!.forMs).toBe(5_000);
  });

  it("copies the models it starts from: a later change of the caller's objects is not recorded", () => {
    const recorder = new EndpointRecorder();
    const payments = defaultEndpoint("payments");
    recorder.restart(0, [payments]);
    payments.failureRate = 1;
    expect(recorder.toScenario(500).phases[0]!.endpoints.payments).toEqual(fullPatch(defaultEndpoint("payments")));
  });

  it("makes each change a phase holding only the changed fields, timed from one change to the next", () => {
    const { recorder, change } = setup(0);
    change(2_000, "payments", { failureRate: 1, errorStatus: 500 });
    change(5_000, "search", { latencyMs: 1_500, failureRate: 0 });
    change(5_500, "payments", { failureRate: 0, errorStatus: 500, capacity: 4 });
    const scenario = recorder.toScenario(9_000);
    expect(scenario.phases.map(({ forMs }) => forMs)).toEqual([2_000, 3_000, 500, 3_500]);
    expect(scenario.phases.slice(1).map(({ endpoints }) => endpoints)).toEqual([
      { payments: { failureRate: 1, errorStatus: 500 } },
      { search: { latencyMs: 1_500 } },
      { payments: { failureRate: 0, capacity: 4 } },
    ]);
    expect(scenarioSchema.safeParse(scenario).error).toBeUndefined();
  });

  it("records null when a change clears capacity or retryAfterS", () => {
    const { recorder, change } = setup(0);
    change(1_000, "inventory", { capacity: 8, retryAfterS: 2 });
    change(2_000, "inventory", { capacity: null, retryAfterS: null });
    expect(recorder.toScenario(3_000).phases[2]!.endpoints).toEqual({ inventory: { capacity: null, retryAfterS: null } });
  });

  it("does not record a change that changes nothing", () => {
    const { recorder, change } = setup(0);
    change(1_000, "payments", {});
    change(2_000, "payments", { failureRate: 0, latencyMs: 20 });
    expect(recorder.toScenario(3_000).phases).toHaveLength(1);
    change(4_000, "payments", { failureRate: 1 });
    change(5_000, "payments", { failureRate: 1 });
    expect(recorder.toScenario(6_000).phases.map(({ forMs }) => forMs)).toEqual([4_000, 2_000]);
  });

  it("merges a change less than 100 ms after the newest phase began into it; at 100 ms it is a phase of its own", () => {
    const { recorder, change } = setup(0);
    change(1_000, "payments", { failureRate: 1 });
    change(1_050, "search", { latencyMs: 900 });
    change(1_099, "inventory", { failureRate: 1 });
    change(1_099.9, "payments", { failureRate: 0.5, fault: "reset" });
    let phases = recorder.toScenario(2_000).phases;
    expect(phases).toHaveLength(2);
    expect(phases[1]).toEqual({
      label: "change 1",
      forMs: 1_000,
      endpoints: { payments: { failureRate: 0.5, fault: "reset" }, search: { latencyMs: 900 }, inventory: { failureRate: 1 } },
    });
    change(1_100, "search", { latencyMs: 20 });
    phases = recorder.toScenario(2_000).phases;
    expect(phases).toHaveLength(3);
    expect(phases.map(({ forMs }) => forMs)).toEqual([1_000, 100, 900]);
    expect(phases[2]!.endpoints).toEqual({ search: { latencyMs: 20 } });
  });

  it("merges changes within 100 ms of a restart into the first phase, as full models", () => {
    const { recorder, change } = setup(10_000);
    change(10_000, "payments", { failureRate: 1 });
    change(10_099, "search", { fault: "hang", failureRate: 1 });
    const scenario = recorder.toScenario(10_500);
    expect(scenario.phases).toHaveLength(1);
    expect(scenario.phases[0]!.forMs).toBe(500);
    expect(scenario.phases[0]!.endpoints).toEqual({
      payments: fullPatch({ ...defaultEndpoint("payments"), failureRate: 1 }),
      inventory: fullPatch(defaultEndpoint("inventory")),
      search: fullPatch({ ...defaultEndpoint("search"), fault: "hang", failureRate: 1 }),
    });
    change(10_100, "inventory", { latencyMs: 5 });
    expect(recorder.toScenario(10_500).phases.map(({ forMs }) => forMs)).toEqual([100, 400]);
  });

  it("keeps every phase at least 100 ms long, merged changes included", () => {
    const { recorder, change } = setup(0);
    for (let time = 0; time < 5_000; time += 37) change(time, "payments", { latencyMs: time % 1_000 });
    const scenario = recorder.toScenario(5_000);
    for (const phase of scenario.phases) expect(phase.forMs).toBeGreaterThanOrEqual(100);
    expect(scenarioSchema.safeParse(scenario).error).toBeUndefined();
    expect(replay(scenario).get("payments")).toEqual(applyEndpointPatch(defaultEndpoint("payments"), { latencyMs: (Math.floor(4_999 / 37) * 37) % 1_000 }));
  });

  it("gives integer forMs when the clock reads fractional times, summing to the rounded span", () => {
    const { recorder, change } = setup(1_000.4);
    change(1_250.6, "payments", { failureRate: 1 });
    change(1_400.2, "payments", { failureRate: 0 });
    const scenario = recorder.toScenario(2_000.7);
    for (const phase of scenario.phases) expect(Number.isInteger(phase.forMs)).toBe(true);
    expect(scenario.phases.map(({ forMs }) => forMs)).toEqual([251, 149, 601]);
    expect(scenarioSchema.safeParse(scenario).error).toBeUndefined();
  });

  it("never rounds a phase below 100 ms", () => {
    const { recorder, change } = setup(0.6);
    change(100.6, "payments", { failureRate: 1 });
    change(200.4, "payments", { failureRate: 0.5 });
    const forMs = recorder.toScenario(300.5).phases.map((phase) => phase.forMs);
    for (const length of forMs) expect(length).toBeGreaterThanOrEqual(100);
    expect(forMs.reduce((sum, length) => sum + length, 0)).toBe(Math.round(300.5) - Math.round(0.6));
  });

  it("lets the last phase last until now, and at least 100 ms", () => {
    const { recorder, change } = setup(0);
    change(1_000, "payments", { failureRate: 1 });
    expect(recorder.toScenario(1_000).phases.at(-1)!.forMs).toBe(100);
    expect(recorder.toScenario(1_030).phases.at(-1)!.forMs).toBe(100);
    expect(recorder.toScenario(1_100).phases.at(-1)!.forMs).toBe(100);
    expect(recorder.toScenario(1_101).phases.at(-1)!.forMs).toBe(101);
    expect(recorder.toScenario(61_000).phases.at(-1)!.forMs).toBe(60_000);
  });

  it("keeps only the newest 100 phases; the first is the model in force at its start", () => {
    const { recorder, models, change } = setup(0);
    // 250 changes, 1 s apart, cycling through the endpoints and fields.
    for (let index = 1; index <= 250; index++) {
      const name = NAMES[index % 3]!;
      change(index * 1_000, name, { latencyMs: index, failureRate: (index % 10) / 10, capacity: index % 4 === 0 ? null : index });
    }
    const scenario = recorder.toScenario(251_000);
    expect(scenario.phases).toHaveLength(100);
    expect(scenarioSchema.safeParse(scenario).error).toBeUndefined();
    // The first phase begins at the oldest change kept (the 151st), and the timing runs from there.
    expect(scenario.phases.map(({ forMs }) => forMs)).toEqual(Array.from({ length: 100 }, () => 1_000));
    // Replaying every phase on top of the defaults gives the live models.
    const replayed = replay(scenario);
    for (const name of NAMES) expect(replayed.get(name)).toEqual(models.get(name));
    // The first phase holds the models as they were from t = 151 s: after the 151st change.
    const rebuild = setup(0);
    for (let index = 1; index <= 151; index++) {
      const name = NAMES[index % 3]!;
      rebuild.change(index * 1_000, name, { latencyMs: index, failureRate: (index % 10) / 10, capacity: index % 4 === 0 ? null : index });
    }
    const first = replay(scenario, 0);
    for (const name of NAMES) expect(first.get(name)).toEqual(rebuild.models.get(name));
  });

  it("keeps a merged change with the phase it joined when older phases fold away", () => {
    const { recorder, models, change } = setup(0);
    for (let index = 1; index <= 120; index++) {
      change(index * 1_000, "payments", { latencyMs: index });
      change(index * 1_000 + 50, "search", { latencyMs: index });
    }
    const scenario = recorder.toScenario(121_000);
    expect(scenario.phases).toHaveLength(100);
    const replayed = replay(scenario);
    for (const name of NAMES) expect(replayed.get(name)).toEqual(models.get(name));
  });

  it("starts anew on restart: the old changes are gone", () => {
    const { recorder, change } = setup(0);
    change(1_000, "payments", { failureRate: 1 });
    change(2_000, "search", { failureRate: 1 });
    recorder.restart(5_000, NAMES.map((name) => defaultEndpoint(name)));
    const scenario = recorder.toScenario(8_000);
    expect(scenario.phases).toEqual([{ label: "start", forMs: 3_000, endpoints: Object.fromEntries(NAMES.map((name) => [name, fullPatch(defaultEndpoint(name))])) }]);
    expect(scenario.description).toContain(new Date(5_000).toISOString());
  });

  it("is a valid scenario after a long quiet spell (a phase over an hour)", () => {
    // The dashboard downloads the recording and imports it again through scenarioSchema.
    const { recorder, change } = setup(0);
    change(1_000, "payments", { failureRate: 1 });
    const parsed = scenarioSchema.safeParse(recorder.toScenario(1_000 + 2 * 3_600_000), { reportInput: true });
    expect(parsed.success ? undefined : firstProblem(parsed.error)).toBeUndefined();
  });
});
