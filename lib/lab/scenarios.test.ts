import { describe, expect, it } from "vitest";
import type { Endpoint } from "@/lib/api/types";
import { ManualClock } from "@/lib/breaker";
import { createRandom, decideOutcome, defaultEndpoint, fullPatch, SCENARIO_PRESETS, type RandomSource, type Scenario } from "@/lib/simulator";
import { scriptedRandom } from "@/lib/simulator/test-helpers";
import type { HttpResult } from "./caller";
import type { BusMessage } from "./event-bus";
import { LabHub } from "./hub";
import { MAX_SAVED_SCENARIOS } from "./scenario-library";

type Answer = (endpoint: string, signal: AbortSignal) => Promise<HttpResult>;

const T0 = 1_700_000_000_000;

/**
 * A hub on a ManualClock at T0 whose caller answers with the queued answers in order (the last one
 * again once the queue runs dry), logging every call.
 */
function setup({ answers = [async () => ({ status: 200 })] as Answer[], random = createRandom(1) as RandomSource } = {}) {
  const clock = new ManualClock(T0);
  const calls: { endpoint: string; at: number; signal: AbortSignal }[] = [];
  const queue = [...answers];
  const hub = new LabHub({
    clock,
    random,
    caller: (endpoint, signal) => {
      calls.push({ endpoint, at: clock.now(), signal });
      const answer = queue.length > 1 ? queue.shift()! : queue[0]!;
      return answer(endpoint, signal);
    },
  });
  const messages: BusMessage[] = [];
  hub.subscribe((message) => messages.push(message));
  return { hub, clock, calls, messages };
}

/** Every `playback` message's body, in order. */
function playbackBodies(messages: BusMessage[]): unknown[] {
  return messages.filter(({ event }) => event === "playback").map(({ data }) => JSON.parse(data));
}

/** Lets pending promise callbacks run; no time passes on the ManualClock. */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A scenario on the demo endpoints. */
function scenario(name: string, phases: Scenario["phases"], extra: Partial<Scenario> = {}): Scenario {
  return { name, phases, ...extra };
}

const twoPhases = scenario("two-phases", [
  { label: "down", forMs: 1_000, endpoints: { payments: { failureRate: 1, errorStatus: 502 } } },
  { label: "slow", forMs: 2_000, endpoints: { payments: { failureRate: 0 }, search: { latencyMs: 1_500 } } },
]);

function model(hub: LabHub, name: string): Endpoint {
  return hub.getEndpoint(name);
}

async function counter(hub: LabHub, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = await hub.metrics.registry.getSingleMetric(name)?.get();
  return metric?.values.find((value) => Object.entries(labels).every(([key, label]) => value.labels[key] === label))?.value;
}

describe("saved scenarios", () => {
  it("lists the presets first, then saved ones in the order they were saved", () => {
    const { hub } = setup();
    expect(hub.listScenarios()).toEqual(SCENARIO_PRESETS);
    const a = hub.saveScenario(scenario("zeta", twoPhases.phases));
    const b = hub.saveScenario(scenario("alpha", twoPhases.phases));
    expect(a.name).toBe("zeta");
    expect(hub.listScenarios()).toEqual([...SCENARIO_PRESETS, a, b]);
    expect(hub.getScenario("alpha")).toEqual(b);
    expect(hub.getScenario("flapping")).toEqual(SCENARIO_PRESETS.find(({ name }) => name === "flapping"));
  });

  it("refuses a taken name with 409 duplicate_name on `name`, keeping the first", () => {
    const { hub } = setup();
    hub.saveScenario(twoPhases);
    expect(() => hub.saveScenario({ ...twoPhases, description: "again" })).toThrow(expect.objectContaining({ status: 409, code: "duplicate_name", field: "name" }));
    expect(hub.getScenario("two-phases").description).toBeUndefined();
    expect(hub.listScenarios()).toHaveLength(SCENARIO_PRESETS.length + 1);
  });

  it.each(["brownout", "flapping", "recording"])("refuses to save over %s with 409 preset on `name`", (name) => {
    const { hub } = setup();
    expect(() => hub.saveScenario({ ...twoPhases, name })).toThrow(expect.objectContaining({ status: 409, code: "preset", field: "name" }));
    expect(hub.listScenarios()).toEqual(SCENARIO_PRESETS);
  });

  it("refuses an unknown endpoint with 400 unknown_endpoint on phases.N.endpoints.NAME, saving nothing", () => {
    const { hub } = setup();
    const bad = scenario("bad", [twoPhases.phases[0]!, { forMs: 100, endpoints: { search: {}, nope: { failureRate: 1 } } }]);
    expect(() => hub.saveScenario(bad)).toThrow(expect.objectContaining({ status: 400, code: "unknown_endpoint", field: "phases.1.endpoints.nope" }));
    expect(() => hub.getScenario("bad")).toThrow(expect.objectContaining({ status: 404 }));
  });

  it(`keeps at most ${MAX_SAVED_SCENARIOS}: the next is 409 limit_reached, until one is deleted`, () => {
    const { hub } = setup();
    expect(MAX_SAVED_SCENARIOS).toBe(200);
    for (let index = 0; index < MAX_SAVED_SCENARIOS; index++) hub.saveScenario(scenario(`s-${index}`, twoPhases.phases));
    expect(() => hub.saveScenario(scenario("one-more", twoPhases.phases))).toThrow(expect.objectContaining({ status: 409, code: "limit_reached" }));
    expect(() => hub.getScenario("one-more")).toThrow(expect.objectContaining({ status: 404 }));
    hub.deleteScenario("s-7");
    expect(hub.saveScenario(scenario("one-more", twoPhases.phases)).name).toBe("one-more");
    expect(hub.listScenarios()).toHaveLength(SCENARIO_PRESETS.length + MAX_SAVED_SCENARIOS);
  });

  it("answers 404 scenario_not_found for an unknown name", () => {
    const { hub } = setup();
    expect(() => hub.getScenario("nope")).toThrow(expect.objectContaining({ status: 404, code: "scenario_not_found" }));
  });

  it("replaces a saved one with one of the same name", () => {
    const { hub } = setup();
    hub.saveScenario(twoPhases);
    hub.saveScenario(scenario("other", twoPhases.phases));
    const replacement = { ...twoPhases, loop: true, phases: [twoPhases.phases[1]!] };
    hub.requireReplaceableScenario("two-phases");
    expect(hub.replaceScenario("two-phases", replacement)).toEqual(replacement);
    expect(hub.getScenario("two-phases")).toEqual(replacement);
    expect(hub.listScenarios().map(({ name }) => name).slice(-2)).toEqual(["two-phases", "other"]);
  });

  it("refuses to replace with another name: 400 on `name`, the saved one unchanged", () => {
    const { hub } = setup();
    hub.saveScenario(twoPhases);
    expect(() => hub.replaceScenario("two-phases", { ...twoPhases, name: "renamed" })).toThrow(expect.objectContaining({ status: 400, field: "name" }));
    expect(hub.getScenario("two-phases")).toEqual(twoPhases);
    expect(() => hub.getScenario("renamed")).toThrow(expect.objectContaining({ status: 404 }));
  });

  it("refuses to replace with an unknown endpoint: 400 on phases.N.endpoints.NAME", () => {
    const { hub } = setup();
    hub.saveScenario(twoPhases);
    const bad = scenario("two-phases", [{ forMs: 100, endpoints: { ghost: {} } }]);
    expect(() => hub.replaceScenario("two-phases", bad)).toThrow(expect.objectContaining({ status: 400, code: "unknown_endpoint", field: "phases.0.endpoints.ghost" }));
    expect(hub.getScenario("two-phases")).toEqual(twoPhases);
  });

  it.each(["outage-then-flaky-recovery", "recording"])("answers 409 preset to replacing or deleting %s", (name) => {
    const { hub } = setup();
    const preset = expect.objectContaining({ status: 409, code: "preset" });
    expect(() => hub.requireReplaceableScenario(name)).toThrow(preset);
    expect(() => hub.replaceScenario(name, { ...twoPhases, name })).toThrow(preset);
    expect(() => hub.deleteScenario(name)).toThrow(preset);
    expect(hub.getScenario(name).name).toBe(name);
  });

  it("answers 404 to replacing or deleting an unknown one", () => {
    const { hub } = setup();
    const missing = expect.objectContaining({ status: 404, code: "scenario_not_found" });
    expect(() => hub.requireReplaceableScenario("nope")).toThrow(missing);
    expect(() => hub.replaceScenario("nope", { ...twoPhases, name: "nope" })).toThrow(missing);
    expect(() => hub.deleteScenario("nope")).toThrow(missing);
  });

  it("deletes a saved one: 404 afterwards, the name free again", () => {
    const { hub } = setup();
    hub.saveScenario(twoPhases);
    hub.deleteScenario("two-phases");
    expect(() => hub.getScenario("two-phases")).toThrow(expect.objectContaining({ status: 404 }));
    expect(() => hub.deleteScenario("two-phases")).toThrow(expect.objectContaining({ status: 404 }));
    expect(hub.listScenarios()).toEqual(SCENARIO_PRESETS);
    hub.saveScenario(twoPhases);
  });
});

describe("playback", () => {
  it("plays a preset by name: the endpoints follow its phases on the clock, then it ends", () => {
    const { hub, clock } = setup();
    expect(hub.playback()).toEqual({ playing: null });
    hub.patchEndpoint("payments", { latencyMs: 700, capacity: 3 });
    const body = hub.play("outage-then-flaky-recovery");
    expect(body).toEqual({ playing: { scenario: "outage-then-flaky-recovery", phase: 0, startedAt: T0, phaseEndsAt: T0 + 10_000, endsAt: T0 + 90_000 } });
    expect(hub.playback()).toEqual(body);
    expect(hub.state().playback).toEqual(body.playing);
    // Phase 0 states the whole healthy model, whatever a person left.
    expect(model(hub, "payments")).toEqual(defaultEndpoint("payments"));
    clock.advance(9_999);
    expect(model(hub, "payments").failureRate).toBe(0);
    clock.advance(1);
    expect(model(hub, "payments")).toMatchObject({ failureRate: 1, errorStatus: 503, retryAfterS: 30 });
    expect(hub.playback().playing).toMatchObject({ phase: 1, phaseEndsAt: T0 + 40_000 });
    clock.advance(29_999);
    expect(model(hub, "payments").failureRate).toBe(1);
    clock.advance(1);
    expect(model(hub, "payments")).toMatchObject({ failureRate: 0.3, errorStatus: 500, retryAfterS: null });
    clock.advance(30_000);
    expect(model(hub, "payments")).toMatchObject({ failureRate: 0, errorStatus: 500 });
    expect(hub.playback().playing).toMatchObject({ phase: 3, phaseEndsAt: T0 + 90_000 });
    clock.advance(19_999);
    expect(hub.playback().playing).not.toBeNull();
    clock.advance(1);
    expect(hub.playback()).toEqual({ playing: null });
    expect(hub.state().playback).toBeNull();
    // The endpoints keep the model the scenario left them with.
    expect(model(hub, "payments")).toEqual({ ...defaultEndpoint("payments"), errorStatus: 500 });
    expect(model(hub, "search")).toEqual(defaultEndpoint("search"));
  });

  it("plays an inline scenario without saving it", () => {
    const { hub, clock } = setup();
    expect(hub.play(twoPhases).playing).toMatchObject({ scenario: "two-phases", phase: 0, endsAt: T0 + 3_000 });
    expect(model(hub, "payments")).toMatchObject({ failureRate: 1, errorStatus: 502 });
    clock.advance(1_000);
    expect(model(hub, "payments")).toMatchObject({ failureRate: 0, errorStatus: 502 });
    expect(model(hub, "search").latencyMs).toBe(1_500);
    expect(() => hub.getScenario("two-phases")).toThrow(expect.objectContaining({ status: 404 }));
  });

  it("plays a saved scenario by name", () => {
    const { hub } = setup();
    hub.saveScenario(twoPhases);
    expect(hub.play("two-phases").playing).toMatchObject({ scenario: "two-phases", phase: 0 });
    expect(model(hub, "payments").failureRate).toBe(1);
  });

  it("loops a looping scenario, startedAt at each pass, endsAt null", () => {
    const { hub, clock } = setup();
    hub.play("flapping");
    expect(hub.playback().playing).toEqual({ scenario: "flapping", phase: 0, startedAt: T0, phaseEndsAt: T0 + 6_000, endsAt: null });
    expect(model(hub, "inventory")).toMatchObject({ failureRate: 1, fault: "reset" });
    clock.advance(6_000);
    expect(model(hub, "inventory").failureRate).toBe(0);
    clock.advance(6_000);
    expect(model(hub, "inventory").failureRate).toBe(1);
    expect(hub.playback().playing).toEqual({ scenario: "flapping", phase: 0, startedAt: T0 + 12_000, phaseEndsAt: T0 + 18_000, endsAt: null });
  });

  it("refuses an unknown name with 400 on `scenario`; whatever played plays on", () => {
    const { hub, clock } = setup();
    hub.play("flapping");
    clock.advance(1_000);
    const before = hub.playback();
    const endpoints = hub.listEndpoints();
    expect(() => hub.play("no-such-scenario")).toThrow(expect.objectContaining({ status: 400, code: "unknown_scenario", field: "scenario" }));
    expect(hub.playback()).toEqual(before);
    expect(hub.listEndpoints()).toEqual(endpoints);
    clock.advance(5_000);
    expect(hub.playback().playing).toMatchObject({ scenario: "flapping", phase: 1 });
  });

  it("refuses an inline scenario naming an unknown endpoint with 400 on scenario.phases.N.endpoints.NAME, changing nothing", () => {
    const { hub, messages } = setup();
    const bad = scenario("bad", [twoPhases.phases[0]!, { forMs: 100, endpoints: { ghost: { failureRate: 1 } } }]);
    expect(() => hub.play(bad)).toThrow(expect.objectContaining({ status: 400, code: "unknown_endpoint", field: "scenario.phases.1.endpoints.ghost" }));
    expect(hub.playback()).toEqual({ playing: null });
    expect(model(hub, "payments")).toEqual(defaultEndpoint("payments"));
    expect(messages).toEqual([]);
  });

  it("replaces whatever plays: the old scenario's phases never come", () => {
    const { hub, clock } = setup();
    hub.play(twoPhases);
    clock.advance(500);
    hub.play(scenario("other", [{ forMs: 5_000, endpoints: { inventory: { latencyMs: 300 } } }]));
    clock.advance(1_000);
    expect(model(hub, "search").latencyMs).toBe(20);
    expect(model(hub, "payments").failureRate).toBe(1);
    expect(hub.playback().playing).toMatchObject({ scenario: "other", phase: 0, startedAt: T0 + 500 });
  });

  it("stops: the endpoints keep their model, no phase comes later", () => {
    const { hub, clock } = setup();
    hub.play(twoPhases);
    clock.advance(200);
    expect(hub.stopPlayback()).toEqual({ playing: null });
    expect(hub.playback()).toEqual({ playing: null });
    expect(model(hub, "payments")).toMatchObject({ failureRate: 1, errorStatus: 502 });
    clock.advance(10_000);
    expect(model(hub, "payments").failureRate).toBe(1);
    expect(model(hub, "search").latencyMs).toBe(20);
    expect(hub.stopPlayback()).toEqual({ playing: null });
  });

  it("publishes `playback` messages with the GET /api/playback body at start, at each phase change and at the end", () => {
    const { hub, clock, messages } = setup();
    const bodies: unknown[] = [hub.play(twoPhases)];
    clock.advance(1_000);
    bodies.push(hub.playback());
    clock.advance(2_000);
    bodies.push(hub.playback());
    expect(bodies.at(-1)).toEqual({ playing: null });
    expect(playbackBodies(messages)).toEqual(bodies);
    // The endpoints' own changes go out as `endpoint` messages, before the playback message of their phase.
    expect(messages.map(({ event }) => event)).toEqual(["endpoint", "playback", "endpoint", "endpoint", "playback", "playback"]);
    expect(JSON.parse(messages[0]!.data)).toEqual({ ...defaultEndpoint("payments"), failureRate: 1, errorStatus: 502 });
  });

  it("publishes a `playback` message at stop, and none for stopping nothing", () => {
    const { hub, messages } = setup();
    hub.stopPlayback();
    expect(messages).toEqual([]);
    hub.play("flapping");
    hub.stopPlayback();
    expect(playbackBodies(messages)).toEqual([
      { playing: { scenario: "flapping", phase: 0, startedAt: T0, phaseEndsAt: T0 + 6_000, endsAt: null } },
      { playing: null },
    ]);
  });

  it("holds a manual change during playback until the next phase that names the endpoint", () => {
    const { hub, clock } = setup();
    hub.play(
      scenario("hold", [
        { forMs: 1_000, endpoints: { payments: { failureRate: 1 } } },
        { forMs: 1_000, endpoints: { search: { failureRate: 1 } } },
        { forMs: 1_000, endpoints: { payments: { failureRate: 0.5 } } },
      ]),
    );
    clock.advance(300);
    hub.patchEndpoint("payments", { failureRate: 0.2, latencyMs: 400 });
    expect(model(hub, "payments")).toMatchObject({ failureRate: 0.2, latencyMs: 400 });
    clock.advance(700);
    // Phase 1 does not name payments: the manual change holds.
    expect(model(hub, "payments")).toMatchObject({ failureRate: 0.2, latencyMs: 400 });
    expect(model(hub, "search").failureRate).toBe(1);
    clock.advance(1_000);
    // Phase 2 overrides the fields it names, and only those.
    expect(model(hub, "payments")).toMatchObject({ failureRate: 0.5, latencyMs: 400 });
  });

  it("applies the skipped phases in order when the clock jumps", () => {
    const { hub, clock } = setup();
    hub.play(twoPhases);
    clock.jump(1_500);
    clock.advance(0);
    expect(model(hub, "payments")).toMatchObject({ failureRate: 0, errorStatus: 502 });
    expect(hub.playback().playing).toMatchObject({ phase: 1, phaseEndsAt: T0 + 3_000 });
  });
});

describe("the recording", () => {
  it("is a scenario named recording whose first phase holds every endpoint's full model", () => {
    const { hub, clock } = setup();
    clock.advance(250);
    const recording = hub.getScenario("recording");
    expect(recording).toEqual(hub.recording());
    expect(recording.name).toBe("recording");
    expect(recording.phases).toEqual([
      { label: "start", forMs: 250, endpoints: Object.fromEntries(["payments", "inventory", "search"].map((name) => [name, fullPatch(defaultEndpoint(name))])) },
    ]);
  });

  it("records manual and playback-driven changes with their timing", () => {
    const { hub, clock } = setup();
    clock.advance(1_000);
    hub.patchEndpoint("inventory", { capacity: 5 });
    clock.advance(1_000);
    hub.play(twoPhases);
    clock.advance(1_000);
    const recording = hub.recording();
    expect(recording.phases.map(({ forMs }) => forMs)).toEqual([1_000, 1_000, 1_000, 100]);
    expect(recording.phases.slice(1).map(({ endpoints }) => endpoints)).toEqual([
      { inventory: { capacity: 5 } },
      { payments: { failureRate: 1, errorStatus: 502 } },
      { payments: { failureRate: 0 }, search: { latencyMs: 1_500 } },
    ]);
  });

  it("replays: after a reset, playing it takes the endpoints through the same models at the same offsets", () => {
    const { hub, clock } = setup();
    const offsets = [0, 999, 1_000, 2_600, 3_999, 4_000, 5_999];
    // What a person does, by offset; the models are sampled at `offsets` (a change lands before a sample at its time).
    const changes: [number, string, Parameters<LabHub["patchEndpoint"]>[1]][] = [
      [1_000, "payments", { failureRate: 1, fault: "reset" }],
      [2_500, "search", { latencyMs: 900 }],
      [2_550, "payments", { errorStatus: 500 }],
      [4_000, "inventory", { capacity: 5, retryAfterS: 1 }],
    ];
    const sample = (start: number, act: boolean): Endpoint[][] => {
      const samples: Endpoint[][] = [];
      const pending = act ? [...changes] : [];
      for (const offset of offsets) {
        while (pending.length > 0 && pending[0]![0] <= offset) {
          const [at, name, patch] = pending.shift()!;
          clock.advance(start + at - clock.now());
          hub.patchEndpoint(name, patch);
        }
        clock.advance(start + offset - clock.now());
        samples.push(hub.listEndpoints());
      }
      return samples;
    };
    const live = sample(T0, true);
    clock.advance(T0 + 6_000 - clock.now());
    const recording = hub.recording();
    expect(recording.phases.map(({ forMs }) => forMs)).toEqual([1_000, 1_500, 1_500, 2_000]);
    expect(live.at(-1)).not.toEqual(live[0]);

    hub.resetLab();
    hub.patchEndpoint("search", { failureRate: 1 });
    clock.advance(10_000);
    const start = clock.now();
    hub.play(recording);
    expect(sample(start, false)).toEqual(live);
    clock.advance(start + 6_000 - clock.now());
    expect(hub.playback()).toEqual({ playing: null });
  });

  it("replays by name: playing `recording` puts the endpoints back to the start of the recording", () => {
    const { hub, clock } = setup();
    clock.advance(500);
    hub.patchEndpoint("payments", { failureRate: 1 });
    clock.advance(500);
    hub.play("recording");
    expect(hub.playback().playing).toMatchObject({ scenario: "recording", phase: 0, phaseEndsAt: T0 + 1_500, endsAt: T0 + 2_000 });
    expect(model(hub, "payments").failureRate).toBe(0);
    clock.advance(500);
    expect(model(hub, "payments").failureRate).toBe(1);
  });
});

describe("LabHub.resetLab and scenarios", () => {
  it("stops playback, forgets saved scenarios and clears the recording", () => {
    const { hub, clock, messages } = setup();
    hub.saveScenario(twoPhases);
    hub.patchEndpoint("inventory", { failureRate: 1 });
    clock.advance(500);
    hub.play("flapping");
    clock.advance(700);
    messages.length = 0;

    hub.resetLab();

    expect(hub.playback()).toEqual({ playing: null });
    expect(playbackBodies(messages)).toEqual([{ playing: null }]);
    expect(hub.listScenarios()).toEqual(SCENARIO_PRESETS);
    expect(() => hub.getScenario("two-phases")).toThrow(expect.objectContaining({ status: 404 }));
    expect(hub.recording().phases).toEqual([
      { label: "start", forMs: 100, endpoints: Object.fromEntries(["payments", "inventory", "search"].map((name) => [name, fullPatch(defaultEndpoint(name))])) },
    ]);
    clock.advance(60_000);
    expect(model(hub, "inventory")).toEqual(defaultEndpoint("inventory"));
    expect(hub.recording().phases).toHaveLength(1);
    hub.saveScenario(twoPhases);
  });
});

describe("seeded randomness", () => {
  const flaky = scenario("flaky", [{ forMs: 60_000, endpoints: { payments: { failureRate: 0.5, jitterMs: 10 } } }], { seed: 42 });
  const flakyModel = { ...defaultEndpoint("payments"), failureRate: 0.5, jitterMs: 10 };

  it("makes the mock endpoints deterministic while a seeded scenario plays: two hubs, same outcomes", () => {
    const first = setup({ random: createRandom(1) }).hub;
    const second = setup({ random: createRandom(999) }).hub;
    first.decideMock("payments");
    for (const hub of [first, second]) hub.play(flaky);
    const a = Array.from({ length: 40 }, () => first.decideMock("payments"));
    const b = Array.from({ length: 40 }, () => second.decideMock("payments"));
    expect(a).toEqual(b);
    const seeded = createRandom(42);
    expect(a).toEqual(Array.from({ length: 40 }, () => decideOutcome(flakyModel, seeded)));
    expect(new Set(a.map(({ kind }) => kind))).toEqual(new Set(["ok", "status"]));
  });

  it("starts the seed's sequence again each time the scenario is played", () => {
    const { hub } = setup();
    hub.play(flaky);
    const a = Array.from({ length: 10 }, () => hub.decideMock("payments"));
    hub.play(flaky);
    expect(Array.from({ length: 10 }, () => hub.decideMock("payments"))).toEqual(a);
  });

  it.each([
    ["stopped", (hub: LabHub) => hub.stopPlayback()],
    ["replaced by an unseeded one", (hub: LabHub) => hub.play({ ...flaky, seed: undefined, name: "unseeded" })],
    ["reset away", (hub: LabHub) => hub.resetLab()],
  ])("goes back to the hub's own source once the seeded scenario is %s", (_how, end) => {
    const { hub } = setup({ random: createRandom(7) });
    const own = createRandom(7);
    const config = { ...defaultEndpoint("payments"), failureRate: 0.5, jitterMs: 10 };
    hub.patchEndpoint("payments", { failureRate: 0.5, jitterMs: 10 });
    expect(hub.decideMock("payments")).toEqual(decideOutcome(config, own));
    hub.play(flaky);
    hub.decideMock("payments");
    hub.decideMock("payments");
    end(hub);
    hub.patchEndpoint("payments", { failureRate: 0.5, jitterMs: 10 });
    // The hub's own sequence carries on where it left off.
    expect(Array.from({ length: 5 }, () => hub.decideMock("payments"))).toEqual(Array.from({ length: 5 }, () => decideOutcome(config, own)));
  });

  it("goes back to the hub's own source when a seeded scenario ends by itself", () => {
    const { hub, clock } = setup({ random: createRandom(7) });
    const own = createRandom(7);
    hub.play({ ...flaky, phases: [{ forMs: 100, endpoints: { payments: { failureRate: 0.5, jitterMs: 10 } } }] });
    hub.decideMock("payments");
    clock.advance(100);
    expect(hub.playback()).toEqual({ playing: null });
    expect(Array.from({ length: 5 }, () => hub.decideMock("payments"))).toEqual(Array.from({ length: 5 }, () => decideOutcome(flakyModel, own)));
  });
});

describe("capacity", () => {
  it("overloads a request that arrives while `capacity` are in flight; finishing one frees a slot", async () => {
    const { hub } = setup();
    hub.patchEndpoint("inventory", { capacity: 2, latencyMs: 0, jitterMs: 0 });
    const first = hub.decideMock("inventory");
    const second = hub.decideMock("inventory");
    expect([first.kind, second.kind]).toEqual(["ok", "ok"]);
    expect(hub.decideMock("inventory")).toEqual({ kind: "overload", status: 503, delayMs: 0, retryAfterS: null });
    hub.patchEndpoint("inventory", { retryAfterS: 2 });
    const overloaded = hub.decideMock("inventory");
    expect(overloaded).toEqual({ kind: "overload", status: 503, delayMs: 0, retryAfterS: 2 });
    // An overloaded request is never in flight: finishing it frees nothing.
    hub.finishMock("inventory", overloaded);
    expect(hub.decideMock("inventory").kind).toBe("overload");
    expect(await counter(hub, "lab_mock_requests_in_flight", { endpoint: "inventory" })).toBe(2);
    hub.finishMock("inventory", first);
    const third = hub.decideMock("inventory");
    expect(third.kind).toBe("ok");
    expect(hub.decideMock("inventory").kind).toBe("overload");
    expect(await counter(hub, "lab_mock_requests_total", { endpoint: "inventory", result: "overload" })).toBe(4);
    expect(await counter(hub, "lab_mock_requests_total", { endpoint: "inventory", result: "ok" })).toBe(3);
    // Other endpoints have slots of their own.
    expect(hub.decideMock("payments").kind).toBe("ok");
  });

  it("counts in-flight requests against a capacity set later, and frees every slot with null", () => {
    const { hub } = setup();
    hub.decideMock("search");
    hub.decideMock("search");
    hub.patchEndpoint("search", { capacity: 2 });
    expect(hub.decideMock("search").kind).toBe("overload");
    hub.patchEndpoint("search", { capacity: null });
    expect(hub.decideMock("search").kind).toBe("ok");
  });

  it("still takes two draws for an overloaded request, so a seeded sequence stays aligned", () => {
    const random = scriptedRandom([0.9, 0.5, 0.9, 0.5, 0.1, 0.5, 0.9, 0.5]);
    const { hub } = setup({ random });
    hub.patchEndpoint("payments", { capacity: 1, failureRate: 0.5 });
    const first = hub.decideMock("payments");
    expect(first.kind).toBe("ok");
    expect(hub.decideMock("payments").kind).toBe("overload");
    expect(random.draws()).toBe(4);
    hub.finishMock("payments", first);
    expect(hub.decideMock("payments").kind).toBe("status");
    expect(random.draws()).toBe(6);
  });
});

describe("retries", () => {
  const fail503: Answer = async () => ({ status: 503 });
  const ok200: Answer = async () => ({ status: 200 });
  const hang: Answer = (_endpoint, signal) =>
    new Promise((_resolve, reject) => {
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });

  /** A breaker on payments that never trips in these tests. */
  function tolerant(answers: Answer[]) {
    const context = setup({ answers });
    context.hub.createBreaker({ name: "tolerant", endpoint: "payments", options: { failureThreshold: 100 } });
    return context;
  }

  it("retries a failed call after the delay, through the breaker, until it succeeds", async () => {
    const { hub, clock, calls } = tolerant([fail503, fail503, ok200]);
    const pending = hub.fireCalls("tolerant", 1, 1, undefined, { retries: 3, retryDelayMs: 250 });
    await flush();
    expect(calls).toHaveLength(1);
    clock.advance(249);
    await flush();
    expect(calls).toHaveLength(1);
    clock.advance(1);
    await flush();
    expect(calls).toHaveLength(2);
    clock.advance(250);
    const { results, snapshot } = await pending;
    expect(calls.map(({ at }) => at - T0)).toEqual([0, 250, 500]);
    expect(results).toEqual([
      {
        outcome: "success",
        status: 200,
        durationMs: 500,
        attempts: [
          { outcome: "failure", status: 503, durationMs: 0, error: "HTTP 503" },
          { outcome: "failure", status: 503, durationMs: 0, error: "HTTP 503" },
          { outcome: "success", status: 200, durationMs: 0 },
        ],
      },
    ]);
    expect(snapshot.totals).toMatchObject({ calls: 3, failures: 2, successes: 1 });
  });

  it("makes at most `retries` extra attempts; the result is the last attempt's, timed from the first start to the last end", async () => {
    const { hub, clock, calls } = tolerant([
      async () => {
        clock.advance(30);
        return { status: 503 };
      },
    ]);
    const pending = hub.fireCalls("tolerant", 1, 1, undefined, { retries: 2, retryDelayMs: 100 });
    for (let step = 0; step < 4; step++) {
      await flush();
      clock.advance(100);
    }
    const { results } = await pending;
    expect(calls).toHaveLength(3);
    const attempt = { outcome: "failure", status: 503, durationMs: 30, error: "HTTP 503" };
    expect(results).toEqual([{ ...attempt, durationMs: 30 + 100 + 30 + 100 + 30, attempts: [attempt, attempt, attempt] }]);
  });

  it("retries a dropped connection (a thrown error) too", async () => {
    const dropped: Answer = async () => {
      throw new TypeError("fetch failed");
    };
    const { hub, clock, calls } = tolerant([dropped, ok200]);
    const pending = hub.fireCalls("tolerant", 1, 1, undefined, { retries: 1, retryDelayMs: 0 });
    await flush();
    clock.advance(0);
    const { results } = await pending;
    expect(calls).toHaveLength(2);
    expect(results[0]!.attempts.map(({ outcome }) => outcome)).toEqual(["failure", "success"]);
  });

  it("retries a timed-out call", async () => {
    const { hub, clock, calls } = setup({ answers: [hang, ok200] });
    const pending = hub.fireCalls("search", 1, 1, undefined, { retries: 2, retryDelayMs: 100 });
    await flush();
    clock.advance(2_000);
    await flush();
    clock.advance(100);
    const { results } = await pending;
    expect(calls).toHaveLength(2);
    expect(results[0]).toMatchObject({ outcome: "success", status: 200, durationMs: 2_100 });
    expect(results[0]!.attempts.map(({ outcome, durationMs }) => [outcome, durationMs])).toEqual([
      ["timeout", 2_000],
      ["success", 0],
    ]);
  });

  it("does not retry a success, a 4xx, or without retries", async () => {
    for (const [answer, policy] of [
      [ok200, { retries: 5, retryDelayMs: 100 }],
      [async () => ({ status: 404 }), { retries: 5, retryDelayMs: 100 }],
      [fail503, { retries: 0, retryDelayMs: 100 }],
    ] as const) {
      const { hub, calls, clock } = tolerant([answer]);
      const { results } = await hub.fireCalls("tolerant", 1, 1, undefined, policy);
      expect(calls).toHaveLength(1);
      expect(results[0]!.attempts).toHaveLength(1);
      expect(clock.pendingTimers).toBe(0);
    }
  });

  it("does not retry a call the breaker rejects", async () => {
    const { hub, calls, clock } = tolerant([ok200]);
    hub.act("tolerant", "forceOpen");
    const { results } = await hub.fireCalls("tolerant", 2, 1, undefined, { retries: 5, retryDelayMs: 100 });
    expect(calls).toHaveLength(0);
    expect(results.map(({ outcome, attempts }) => [outcome, attempts.length])).toEqual([
      ["rejected", 1],
      ["rejected", 1],
    ]);
    expect(clock.pendingTimers).toBe(0);
  });

  it("stops retrying once the breaker trips: the retry storm is cut off", async () => {
    const { hub, clock, calls } = setup({ answers: [fail503] });
    const pending = hub.fireCalls("payments", 1, 1, undefined, { retries: 5, retryDelayMs: 100 });
    for (let step = 0; step < 5; step++) {
      await flush();
      clock.advance(100);
    }
    const { results, snapshot } = await pending;
    // payments trips after 3 consecutive failures; the 4th attempt is rejected and ends the retries.
    expect(calls).toHaveLength(3);
    expect(results[0]!.outcome).toBe("rejected");
    expect(results[0]!.attempts.map(({ outcome }) => outcome)).toEqual(["failure", "failure", "failure", "rejected"]);
    expect(results[0]!.durationMs).toBe(300);
    expect(snapshot.state).toBe("OPEN");
  });

  it("does not retry a call whose client went away", async () => {
    const { hub, calls } = tolerant([hang]);
    const client = new AbortController();
    const pending = hub.fireCalls("tolerant", 1, 1, client.signal, { retries: 3, retryDelayMs: 0 });
    await flush();
    client.abort(new DOMException("client went away", "AbortError"));
    const { results } = await pending;
    expect(calls).toHaveLength(1);
    expect(results[0]).toMatchObject({ outcome: "ignored", attempts: [{ outcome: "ignored" }] });
  });

  it("makes no further attempt when the client goes away during the retry delay, and starts no more calls", async () => {
    const { hub, clock, calls } = tolerant([fail503]);
    const client = new AbortController();
    const pending = hub.fireCalls("tolerant", 3, 1, client.signal, { retries: 3, retryDelayMs: 1_000 });
    await flush();
    expect(calls).toHaveLength(1);
    clock.advance(400);
    client.abort(new DOMException("client went away", "AbortError"));
    const { results } = await pending;
    expect(calls).toHaveLength(1);
    expect(results).toEqual([
      { outcome: "failure", status: 503, durationMs: 400, error: "HTTP 503", attempts: [{ outcome: "failure", status: 503, durationMs: 0, error: "HTTP 503" }] },
    ]);
    expect(clock.pendingTimers).toBe(0);
    clock.advance(10_000);
    await flush();
    expect(calls).toHaveLength(1);
  });

  it.each([
    ["the breaker is deleted", (hub: LabHub) => hub.deleteBreaker("tolerant")],
    ["the lab is reset", (hub: LabHub) => hub.resetLab()],
  ])("makes no further attempt once %s during the retry delay", async (_what, end) => {
    const { hub, clock, calls } = tolerant([fail503]);
    const pending = hub.fireCalls("tolerant", 1, 1, undefined, { retries: 5, retryDelayMs: 1_000 });
    await flush();
    expect(calls).toHaveLength(1);
    end(hub);
    for (let step = 0; step < 5; step++) {
      clock.advance(1_000);
      await flush();
    }
    const { results } = await pending;
    expect(calls).toHaveLength(1);
    expect(results[0]!.attempts).toHaveLength(1);
  });

  it("retries each call of a concurrent burst on its own", async () => {
    const { hub, clock, calls } = tolerant([fail503, fail503, ok200, ok200]);
    const pending = hub.fireCalls("tolerant", 2, 2, undefined, { retries: 1, retryDelayMs: 100 });
    await flush();
    expect(calls).toHaveLength(2);
    clock.advance(100);
    const { results } = await pending;
    expect(calls.map(({ at }) => at - T0)).toEqual([0, 0, 100, 100]);
    expect(results.map(({ outcome, attempts, durationMs }) => [outcome, attempts.length, durationMs])).toEqual([
      ["success", 2, 100],
      ["success", 2, 100],
    ]);
  });
});
