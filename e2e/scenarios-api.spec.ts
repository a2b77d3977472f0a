import { expect, test, type APIRequestContext, type APIResponse } from "@playwright/test";
import {
  expectApiError,
  getEndpoint,
  getJson,
  getPlayback,
  listScenarios,
  openEventStream,
  patchEndpoint,
  play,
  postJson,
  putJson,
  resetLab,
  sendRaw,
  serverClockOffset,
  type EndpointBody,
  type PlaybackBody,
  type PlayingBody,
  type ScenarioBody,
  type SseFrame,
} from "./support/api";

// Scenarios (timed fault patterns), their playback on the live endpoints and the recording, over
// HTTP against `next start`: every route with good and bad input, phases on time, SSE, replay.

test.beforeEach(async ({ request }) => {
  await resetLab(request);
});

const REQUIRED_PRESETS = ["outage-then-flaky-recovery", "slow-degradation", "flapping", "brownout"];

/** A demo endpoint right after a reset. */
function healthy(name: string): EndpointBody {
  return { name, failureRate: 0, errorStatus: 503, latencyMs: 20, jitterMs: 10, fault: "status", capacity: null, retryAfterS: null };
}

/** The full model of a healthy endpoint as a phase patch (every field but the name). */
function healthyPatch(): Record<string, unknown> {
  const patch: Partial<EndpointBody> = healthy("x");
  delete patch.name;
  return patch;
}

function scenario(name: string, phases: ScenarioBody["phases"], extra: Partial<ScenarioBody> = {}): ScenarioBody {
  return { name, ...extra, phases };
}

/** One long phase: nothing changes while a test looks at it. */
const STEADY = scenario("steady", [{ label: "down", forMs: 60_000, endpoints: { payments: { failureRate: 1 } } }]);

async function save(request: APIRequestContext, body: ScenarioBody): Promise<ScenarioBody> {
  const response = await postJson(request, "/api/scenarios", body);
  expect(response.status(), await response.text()).toBe(201);
  return (await response.json()) as ScenarioBody;
}

async function presets(request: APIRequestContext): Promise<ScenarioBody[]> {
  // Right after a reset nothing is saved: the list is the presets alone.
  return listScenarios(request);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

// ── GET/POST /api/scenarios ──────────────────────────────────────────────────

test.describe("GET /api/scenarios", () => {
  test("lists the presets first, each with a description and valid phases, then the saved ones in save order", async ({ request }) => {
    const response = await request.get("/api/scenarios");
    expect(response.status()).toBe(200);
    expect(response.headers()["content-type"]).toMatch(/^application\/json/);
    const body = (await response.json()) as { scenarios: ScenarioBody[] };
    expect(Object.keys(body)).toEqual(["scenarios"]);
    const builtIn = body.scenarios;
    const names = builtIn.map((item) => item.name);
    for (const name of REQUIRED_PRESETS) expect(names).toContain(name);
    expect(new Set(names).size).toBe(names.length);
    for (const preset of builtIn) {
      expect(preset.name).toMatch(/^[a-z0-9-]{1,40}$/);
      expect(typeof preset.description, preset.name).toBe("string");
      expect(preset.description!.length, preset.name).toBeGreaterThan(10);
      expect(preset.phases.length, preset.name).toBeGreaterThanOrEqual(1);
      expect(preset.phases.length, preset.name).toBeLessThanOrEqual(100);
      for (const phase of preset.phases) {
        expect(phase.forMs).toBeGreaterThanOrEqual(100);
        expect(phase.forMs).toBeLessThanOrEqual(3_600_000);
        for (const endpoint of Object.keys(phase.endpoints)) expect(["payments", "inventory", "search"]).toContain(endpoint);
      }
    }

    const second = scenario("b-first", [{ forMs: 500, endpoints: { payments: { failureRate: 1 } } }]);
    const first = scenario("a-second", [{ forMs: 700, endpoints: {} }], { description: "later", loop: true, seed: 9 });
    await save(request, second);
    await save(request, first);
    expect(await listScenarios(request)).toEqual([...builtIn, second, first]);
  });
});

test.describe("POST /api/scenarios", () => {
  test("saves a scenario: 201 with it, then listed and readable by name", async ({ request }) => {
    const body = scenario(
      "evening-outage",
      [
        { label: "down", forMs: 1_000, endpoints: { payments: { failureRate: 1, errorStatus: 502, retryAfterS: 5 } } },
        { label: "slow", forMs: 2_500, endpoints: { search: { latencyMs: 800, fault: "slow-body", capacity: 3 }, inventory: { fault: "malformed" } } },
      ],
      { description: "payments down, then search slow", seed: 42, loop: false },
    );
    const response = await postJson(request, "/api/scenarios", body);
    expect(response.status(), await response.text()).toBe(201);
    expect(response.headers()["content-type"]).toMatch(/^application\/json/);
    expect(await response.json()).toEqual(body);
    expect((await listScenarios(request)).at(-1)).toEqual(body);
    expect(await getJson(request, "/api/scenarios/evening-outage")).toEqual(body);
    // Saving plays nothing and changes no endpoint.
    expect(await getPlayback(request)).toEqual({ playing: null });
    expect(await getEndpoint(request, "payments")).toEqual(healthy("payments"));
  });

  test("a scenario of about 100 KiB is accepted (the 16 KiB limit of other routes does not apply)", async ({ request }) => {
    const phases = Array.from({ length: 100 }, (_, index) => ({
      label: `step ${index} `.padEnd(80, "."),
      forMs: 100 + index,
      endpoints: {
        payments: { ...healthyPatch(), failureRate: (index % 10) / 10 },
        inventory: { ...healthyPatch(), latencyMs: index },
        search: { ...healthyPatch(), fault: "reset", capacity: index + 1, retryAfterS: index },
      },
    }));
    const big = scenario("big-one", phases, { description: "d".repeat(500) });
    const text = JSON.stringify(big, null, 4);
    expect(Buffer.byteLength(text)).toBeGreaterThan(90 * 1024);
    expect(Buffer.byteLength(text)).toBeLessThan(256 * 1024);
    const response = await sendRaw(request, "POST", "/api/scenarios", text);
    expect(response.status(), (await response.text()).slice(0, 300)).toBe(201);
    expect(await getJson(request, "/api/scenarios/big-one")).toEqual(big);
  });

  test("a body of exactly 256 KiB is accepted, one byte more is 413", async ({ request }) => {
    const body = JSON.stringify(scenario("edge", [{ forMs: 100, endpoints: {} }]));
    const exact = await sendRaw(request, "POST", "/api/scenarios", body + " ".repeat(256 * 1024 - Buffer.byteLength(body)));
    expect(exact.status(), await exact.text()).toBe(201);
    const before = await listScenarios(request);
    const over = JSON.stringify(scenario("edge-two", [{ forMs: 100, endpoints: {} }]));
    await expectApiError(await sendRaw(request, "POST", "/api/scenarios", over + " ".repeat(256 * 1024 + 1 - Buffer.byteLength(over))), 413);
    expect(await listScenarios(request)).toEqual(before);
  });
});

interface BadScenarioCase {
  title: string;
  body?: unknown;
  raw?: string;
  contentType?: string | null;
  status: number;
  field?: string | RegExp;
  code?: string;
}

const phase = (patch: Record<string, unknown> = {}) => ({ forMs: 500, endpoints: { payments: { failureRate: 1 } }, ...patch });
const valid = (patch: Record<string, unknown> = {}) => ({ name: "fresh", phases: [phase()], ...patch });
const threePhases = (third: Record<string, unknown>) => valid({ phases: [phase(), phase(), phase(third)] });
const withPatch = (patch: Record<string, unknown>) => valid({ phases: [phase({ endpoints: { payments: patch } })] });

const BAD_SCENARIOS: BadScenarioCase[] = [
  { title: "malformed JSON (truncated)", raw: JSON.stringify(valid()).slice(0, -2), status: 400, code: "invalid_json" },
  { title: "malformed JSON (trailing comma)", raw: '{"name": "fresh", "phases": [],}', status: 400, code: "invalid_json" },
  { title: "an empty body", raw: "", status: 400 },
  { title: "a non-object body (array)", raw: JSON.stringify([valid()]), status: 400 },
  { title: "a non-object body (null)", raw: "null", status: 400 },
  { title: "name missing", body: { phases: [phase()] }, status: 400, field: "name" },
  { title: "name of the wrong type", body: valid({ name: 7 }), status: 400, field: "name" },
  { title: 'name "Bad Name"', body: valid({ name: "Bad Name" }), status: 400, field: "name" },
  { title: "name of 41 characters", body: valid({ name: "a".repeat(41) }), status: 400, field: "name" },
  { title: "name empty", body: valid({ name: "" }), status: 400, field: "name" },
  { title: "description a number", body: valid({ description: 5 }), status: 400, field: "description" },
  { title: "seed 1.5", body: valid({ seed: 1.5 }), status: 400, field: "seed" },
  { title: 'seed "1"', body: valid({ seed: "1" }), status: 400, field: "seed" },
  { title: 'loop "yes"', body: valid({ loop: "yes" }), status: 400, field: "loop" },
  { title: "seed 1e400 (Infinity once parsed)", raw: '{"name": "fresh", "seed": 1e400, "phases": [{"forMs": 500, "endpoints": {}}]}', status: 400, field: "seed" },
  { title: "phases missing", body: { name: "fresh" }, status: 400, field: "phases" },
  { title: "phases an object", body: valid({ phases: { 0: phase() } }), status: 400, field: "phases" },
  { title: "0 phases", body: valid({ phases: [] }), status: 400, field: "phases" },
  { title: "101 phases", body: valid({ phases: Array.from({ length: 101 }, () => phase({ forMs: 100 })) }), status: 400, field: "phases" },
  { title: "phases.2.forMs 99 (below 100)", body: threePhases({ forMs: 99 }), status: 400, field: "phases.2.forMs" },
  { title: "phases.2.forMs 3 600 001 (above an hour)", body: threePhases({ forMs: 3_600_001 }), status: 400, field: "phases.2.forMs" },
  { title: 'phases.2.forMs "500"', body: threePhases({ forMs: "500" }), status: 400, field: "phases.2.forMs" },
  {
    title: "phases.2.forMs 1e400 (Infinity once parsed)",
    raw: '{"name": "fresh", "phases": [{"forMs": 500, "endpoints": {}}, {"forMs": 500, "endpoints": {}}, {"forMs": 1e400, "endpoints": {}}]}',
    status: 400,
    field: "phases.2.forMs",
  },
  { title: "phases.2.forMs missing", body: valid({ phases: [phase(), phase(), { endpoints: {} }] }), status: 400, field: "phases.2.forMs" },
  { title: "phases.2.endpoints missing", body: valid({ phases: [phase(), phase(), { forMs: 500 }] }), status: 400, field: "phases.2.endpoints" },
  { title: "phases.2.endpoints an array", body: threePhases({ endpoints: [] }), status: 400, field: "phases.2.endpoints" },
  { title: "phases.2.label a number", body: threePhases({ label: 3 }), status: 400, field: "phases.2.label" },
  { title: "a phase that is not an object", body: valid({ phases: [phase(), 500] }), status: 400, field: "phases.1" },
  {
    title: "an unknown endpoint",
    body: valid({ phases: [phase(), phase({ endpoints: { payments: {}, nowhere: { failureRate: 1 } } })] }),
    status: 400,
    field: "phases.1.endpoints.nowhere",
  },
  { title: 'an endpoint named "constructor"', body: threePhases({ endpoints: { constructor: { failureRate: 1 } } }), status: 400, field: "phases.2.endpoints.constructor" },
  // JSON.parse makes "__proto__" an own key like any other: it names no endpoint and must not vanish.
  { title: 'an endpoint named "__proto__"', raw: '{"name": "fresh", "phases": [{"forMs": 500, "endpoints": {"__proto__": {"failureRate": 1}}}]}', status: 400, field: /^phases\.0\.endpoints\.__proto__/ },
  { title: 'an endpoint named "__proto__" with a bad patch', raw: '{"name": "fresh", "phases": [{"forMs": 500, "endpoints": {"__proto__": "x"}}]}', status: 400, field: /^phases\.0\.endpoints\.__proto__/ },
  { title: "an endpoint name that breaks the pattern", body: threePhases({ endpoints: { Payments: {} } }), status: 400, field: /^phases\.2\.endpoints\.Payments/ },
  { title: 'an unknown fault kind "explode"', body: withPatch({ fault: "explode" }), status: 400, field: "phases.0.endpoints.payments.fault" },
  { title: "a bad failureRate in a patch", body: withPatch({ failureRate: 2 }), status: 400, field: "phases.0.endpoints.payments.failureRate" },
  { title: "capacity 0 in a patch", body: withPatch({ capacity: 0 }), status: 400, field: "phases.0.endpoints.payments.capacity" },
  { title: "retryAfterS 3601 in a patch", body: withPatch({ retryAfterS: 3601 }), status: 400, field: "phases.0.endpoints.payments.retryAfterS" },
  { title: "an unknown top-level key", body: valid({ bogus: 1 }), status: 400, field: "bogus" },
  { title: "an unknown key in a phase", body: threePhases({ colour: "red" }), status: 400, field: "phases.2.colour" },
  { title: "an unknown key in an endpoint patch", body: withPatch({ failureRate: 1, colour: "red" }), status: 400, field: "phases.0.endpoints.payments.colour" },
  { title: "name in an endpoint patch", body: withPatch({ name: "inventory" }), status: 400, field: "phases.0.endpoints.payments.name" },
  { title: "text/plain", raw: JSON.stringify(valid()), contentType: "text/plain", status: 415 },
  { title: "no content type", raw: JSON.stringify(valid()), contentType: null, status: 415 },
  { title: "a body over 256 KiB", raw: JSON.stringify(valid()) + " ".repeat(256 * 1024), status: 413 },
  { title: "a taken name (saved)", body: valid({ name: "taken" }), status: 409, code: "duplicate_name" },
  { title: "a preset's name", body: valid({ name: "flapping" }), status: 409, code: "preset" },
  { title: "another preset's name", body: valid({ name: "outage-then-flaky-recovery" }), status: 409, code: "preset" },
  { title: 'the reserved name "recording"', body: valid({ name: "recording" }), status: 409, code: "preset" },
];

function sendCase(request: APIRequestContext, method: string, url: string, item: BadScenarioCase): Promise<APIResponse> {
  const contentType = item.contentType === undefined ? "application/json" : item.contentType;
  return sendRaw(request, method, url, item.raw ?? JSON.stringify(item.body), contentType);
}

test.describe("POST /api/scenarios refuses bad input: nothing saved, nothing playing", () => {
  test.beforeEach(async ({ request }) => {
    await save(request, scenario("taken", [{ forMs: 1_000, endpoints: { inventory: { latencyMs: 5 } } }]));
  });

  for (const item of BAD_SCENARIOS) {
    test(item.title, async ({ request }) => {
      const before = await listScenarios(request);
      await expectApiError(await sendCase(request, "POST", "/api/scenarios", item), item.status, { field: item.field, code: item.code });
      expect(await listScenarios(request)).toEqual(before);
      expect(await getPlayback(request)).toEqual({ playing: null });
      expect(await getEndpoint(request, "payments")).toEqual(healthy("payments"));
    });
  }
});

// ── GET/PUT/DELETE /api/scenarios/{name} ─────────────────────────────────────

test.describe("/api/scenarios/{name}", () => {
  test("GET one: a preset, a saved one, the recording; 404 for an unknown name", async ({ request }) => {
    const builtIn = await presets(request);
    const flapping = builtIn.find((item) => item.name === "flapping")!;
    expect(await getJson(request, "/api/scenarios/flapping")).toEqual(flapping);

    const saved = await save(request, scenario("mine", [{ forMs: 300, endpoints: { search: { latencyMs: 900 } } }]));
    expect(await getJson(request, "/api/scenarios/mine")).toEqual(saved);

    const recording = await getJson<ScenarioBody>(request, "/api/scenarios/recording");
    expect(recording.name).toBe("recording");
    expect(recording.phases[0]!.endpoints).toEqual({ payments: healthyPatch(), inventory: healthyPatch(), search: healthyPatch() });

    for (const url of ["/api/scenarios/nope", "/api/scenarios/Flapping", "/api/scenarios/a%20b", `/api/scenarios/${"a".repeat(41)}`]) {
      await expectApiError(await request.get(url), 404);
    }
  });

  test("PUT replaces a saved scenario (200 with it); the list keeps one entry for it", async ({ request }) => {
    await save(request, scenario("mine", [{ forMs: 300, endpoints: { search: { latencyMs: 900 } } }]));
    const replacement = scenario("mine", [{ label: "new", forMs: 400, endpoints: { payments: { failureRate: 0.5 } } }], { description: "v2", loop: true });
    const response = await putJson(request, "/api/scenarios/mine", replacement);
    expect(response.status(), await response.text()).toBe(200);
    expect(await response.json()).toEqual(replacement);
    expect(await getJson(request, "/api/scenarios/mine")).toEqual(replacement);
    const list = await listScenarios(request);
    expect(list.filter((item) => item.name === "mine")).toEqual([replacement]);
    expect(await getPlayback(request)).toEqual({ playing: null });

    // A replacement of about 100 KiB is accepted too (256 KiB limit).
    const big = scenario(
      "mine",
      Array.from({ length: 100 }, (_, index) => ({ label: "l".repeat(80), forMs: 100 + index, endpoints: { payments: healthyPatch(), inventory: healthyPatch(), search: healthyPatch() } })),
    );
    const text = JSON.stringify(big, null, 4);
    expect(Buffer.byteLength(text)).toBeGreaterThan(90 * 1024);
    const bigResponse = await sendRaw(request, "PUT", "/api/scenarios/mine", text);
    expect(bigResponse.status(), (await bigResponse.text()).slice(0, 300)).toBe(200);
    expect(await getJson(request, "/api/scenarios/mine")).toEqual(big);
  });

  test("PUT refuses bad input and changes nothing: another name, a bad body, an unknown endpoint, not JSON, too large", async ({ request }) => {
    const original = await save(request, scenario("mine", [{ forMs: 300, endpoints: { search: { latencyMs: 900 } } }]));
    const before = await listScenarios(request);
    const cases: [string | Buffer, string | null, number, string | undefined][] = [
      [JSON.stringify(scenario("other", [{ forMs: 300, endpoints: {} }])), "application/json", 400, "name"],
      [JSON.stringify(scenario("mine", [{ forMs: 50, endpoints: {} }])), "application/json", 400, "phases.0.forMs"],
      [JSON.stringify(scenario("mine", [{ forMs: 300, endpoints: { nowhere: {} } }])), "application/json", 400, "phases.0.endpoints.nowhere"],
      [JSON.stringify({ ...scenario("mine", [{ forMs: 300, endpoints: {} }]), extra: 1 }), "application/json", 400, "extra"],
      ['{"name": "mine", ', "application/json", 400, undefined],
      [JSON.stringify(scenario("mine", [{ forMs: 300, endpoints: {} }])), "text/plain", 415, undefined],
      [JSON.stringify(scenario("mine", [{ forMs: 300, endpoints: {} }])) + " ".repeat(256 * 1024), "application/json", 413, undefined],
    ];
    for (const [body, contentType, status, field] of cases) {
      await expectApiError(await sendRaw(request, "PUT", "/api/scenarios/mine", body, contentType), status, { field });
      expect(await getJson(request, "/api/scenarios/mine")).toEqual(original);
    }
    expect(await listScenarios(request)).toEqual(before);
    expect(await getPlayback(request)).toEqual({ playing: null });
  });

  test("PUT and DELETE of a preset or the recording answer 409 preset; of an unknown name 404", async ({ request }) => {
    const before = await listScenarios(request);
    for (const name of ["flapping", "brownout", "recording"]) {
      await expectApiError(await putJson(request, `/api/scenarios/${name}`, scenario(name, [{ forMs: 300, endpoints: {} }])), 409, { code: "preset" });
      await expectApiError(await request.delete(`/api/scenarios/${name}`), 409, { code: "preset" });
    }
    expect(await listScenarios(request)).toEqual(before);
    expect(await getJson(request, "/api/scenarios/flapping")).toEqual(before.find((item) => item.name === "flapping"));
    await expectApiError(await putJson(request, "/api/scenarios/nope", scenario("nope", [{ forMs: 300, endpoints: {} }])), 404);
    await expectApiError(await request.delete("/api/scenarios/nope"), 404);
    expect(await listScenarios(request)).toEqual(before);
  });

  test("DELETE a saved scenario: 204, then 404 to GET and DELETE", async ({ request }) => {
    const before = await listScenarios(request);
    await save(request, scenario("mine", [{ forMs: 300, endpoints: {} }]));
    const response = await request.delete("/api/scenarios/mine");
    expect(response.status()).toBe(204);
    expect(await response.text()).toBe("");
    await expectApiError(await request.get("/api/scenarios/mine"), 404);
    await expectApiError(await request.delete("/api/scenarios/mine"), 404);
    expect(await listScenarios(request)).toEqual(before);
    // The name is free again.
    await save(request, scenario("mine", [{ forMs: 400, endpoints: {} }]));
  });
});

test("the scenario routes answer JSON that no cache keeps, with the lab's security headers", async ({ request }) => {
  await save(request, scenario("mine", [{ forMs: 300, endpoints: {} }]));
  const responses: [string, APIResponse][] = [
    ["GET /api/scenarios", await request.get("/api/scenarios")],
    ["GET /api/scenarios/mine", await request.get("/api/scenarios/mine")],
    ["GET /api/scenarios/recording", await request.get("/api/scenarios/recording")],
    ["GET /api/recording", await request.get("/api/recording")],
    ["GET /api/playback", await request.get("/api/playback")],
    ["POST /api/playback", await postJson(request, "/api/playback", { scenario: "mine" })],
    ["DELETE /api/playback", await request.delete("/api/playback")],
    ["GET /api/scenarios/nope (404)", await request.get("/api/scenarios/nope")],
  ];
  for (const [what, response] of responses) {
    const headers = response.headers();
    expect(response.status(), what).toBeLessThan(500);
    expect(headers["content-type"], what).toMatch(/^application\/json/);
    expect(headers["cache-control"], what).toContain("no-store");
    expect(headers["x-content-type-options"], what).toBe("nosniff");
    expect(headers["referrer-policy"], what).toBeTruthy();
    expect(headers["content-security-policy"], what).toContain("frame-ancestors 'none'");
  }
});

test('an endpoint key "__proto__" is refused by PUT and by an inline playback too, not dropped', async ({ request }) => {
  const original = await save(request, scenario("mine", [{ forMs: 300, endpoints: { search: { latencyMs: 900 } } }]));
  const put = await sendRaw(request, "PUT", "/api/scenarios/mine", '{"name": "mine", "phases": [{"forMs": 300, "endpoints": {"__proto__": {"failureRate": 1}}}]}');
  await expectApiError(put, 400, { field: /^phases\.0\.endpoints\.__proto__/ });
  expect(await getJson(request, "/api/scenarios/mine")).toEqual(original);
  const inline = await sendRaw(request, "POST", "/api/playback", '{"scenario": {"name": "x", "phases": [{"forMs": 500, "endpoints": {"__proto__": {"failureRate": 1}}}]}}');
  await expectApiError(inline, 400, { field: /^scenario\.phases\.0\.endpoints\.__proto__/ });
  expect(await getPlayback(request)).toEqual({ playing: null });
});

// ── /api/playback ────────────────────────────────────────────────────────────

function expectPlaying(playing: PlayingBody, scenarioBody: Pick<ScenarioBody, "name" | "phases" | "loop">, phaseIndex = 0): void {
  expect(Object.keys(playing).sort()).toEqual(["endsAt", "phase", "phaseEndsAt", "scenario", "startedAt"]);
  expect(playing.scenario).toBe(scenarioBody.name);
  expect(playing.phase).toBe(phaseIndex);
  const upTo = scenarioBody.phases.slice(0, phaseIndex + 1).reduce((sum, item) => sum + item.forMs, 0);
  expect(playing.phaseEndsAt - playing.startedAt).toBeCloseTo(upTo, 3);
  const total = scenarioBody.phases.reduce((sum, item) => sum + item.forMs, 0);
  if (scenarioBody.loop) expect(playing.endsAt).toBeNull();
  else expect(playing.endsAt! - playing.startedAt).toBeCloseTo(total, 3);
}

test.describe("/api/playback", () => {
  test("nothing plays after a reset; DELETE with nothing playing is still 200 { playing: null }", async ({ request }) => {
    expect(await getPlayback(request)).toEqual({ playing: null });
    expect((await getJson<{ playback: unknown }>(request, "/api/state")).playback).toBeNull();
    const response = await request.delete("/api/playback");
    expect(response.status()).toBe(200);
    expect(await response.json()).toEqual({ playing: null });
  });

  test("POST by name plays a preset: 200 with the GET body, phase 0 applied at once, /api/state carries it", async ({ request }) => {
    const builtIn = await presets(request);
    const before = Date.now();
    const response = await postJson(request, "/api/playback", { scenario: "brownout" });
    expect(response.status(), await response.text()).toBe(200);
    const body = (await response.json()) as PlaybackBody;
    expect(Object.keys(body)).toEqual(["playing"]);
    const brownout = builtIn.find((item) => item.name === "brownout")!;
    expectPlaying(body.playing!, brownout);
    const offset = await serverClockOffset(request);
    expect(body.playing!.startedAt).toBeGreaterThanOrEqual(before + offset - 50);
    expect(body.playing!.startedAt).toBeLessThanOrEqual(Date.now() + offset + 50);
    expect(await getPlayback(request)).toEqual(body);
    expect((await getJson<{ playback: unknown }>(request, "/api/state")).playback).toEqual(body.playing);
    const first = brownout.phases[0]!.endpoints.inventory!;
    expect(await getEndpoint(request, "inventory")).toMatchObject(first);
  });

  test("a looping scenario has endsAt null; a saved one plays by name", async ({ request }) => {
    const flapping = (await presets(request)).find((item) => item.name === "flapping")!;
    expect(flapping.loop).toBe(true);
    expectPlaying(await play(request, "flapping"), flapping);
    expect(await getEndpoint(request, "inventory")).toMatchObject({ failureRate: 1, fault: "reset" });

    const saved = await save(request, scenario("mine", [{ forMs: 5_000, endpoints: { search: { latencyMs: 321 } } }, { forMs: 200, endpoints: {} }]));
    expectPlaying(await play(request, "mine"), saved);
    expect((await getEndpoint(request, "search")).latencyMs).toBe(321);
  });

  test("POST inline plays without saving; its name shows in playing.scenario", async ({ request }) => {
    const before = await listScenarios(request);
    const inline = scenario("inline-one", [{ forMs: 5_000, endpoints: { payments: { failureRate: 0.75, errorStatus: 504 } } }], { loop: true });
    expectPlaying(await play(request, inline), inline);
    expect(await getEndpoint(request, "payments")).toEqual({ ...healthy("payments"), failureRate: 0.75, errorStatus: 504 });
    expect(await listScenarios(request)).toEqual(before);
    await expectApiError(await request.get("/api/scenarios/inline-one"), 404);
    // An inline scenario may carry a preset's name: it is played, not saved.
    const namedLikePreset = scenario("flapping", [{ forMs: 5_000, endpoints: { search: { latencyMs: 77 } } }]);
    expectPlaying(await play(request, namedLikePreset), namedLikePreset);
    expect((await getEndpoint(request, "search")).latencyMs).toBe(77);
    expect(await listScenarios(request)).toEqual(before);
  });

  test("a new POST replaces what plays: the old scenario's later phases never apply", async ({ request }) => {
    const first = scenario("first", [
      { forMs: 150, endpoints: { payments: { failureRate: 0.1 } } },
      { forMs: 5_000, endpoints: { payments: { failureRate: 0.9 } } },
    ]);
    const started = await play(request, first);
    const second = scenario("second", [{ forMs: 5_000, endpoints: { inventory: { latencyMs: 55 } } }]);
    const replaced = await play(request, second);
    expect(replaced.scenario).toBe("second");
    expect(replaced.startedAt).toBeGreaterThanOrEqual(started.startedAt);
    // Past the first scenario's boundary: its phase 1 did not apply.
    const offset = await serverClockOffset(request);
    await sleep(started.startedAt + 150 + 250 - offset - Date.now());
    expect((await getEndpoint(request, "payments")).failureRate).toBe(0.1);
    expect((await getEndpoint(request, "inventory")).latencyMs).toBe(55);
    expect((await getPlayback(request)).playing).toEqual(replaced);
  });

  test("DELETE stops: 200 { playing: null }; the endpoints keep the model they have and no later phase applies", async ({ request }) => {
    const body = scenario("stop-me", [
      { forMs: 200, endpoints: { payments: { failureRate: 1, errorStatus: 502 } } },
      { forMs: 5_000, endpoints: { payments: { failureRate: 0 } } },
    ]);
    const started = await play(request, body);
    const response = await request.delete("/api/playback");
    expect(response.status()).toBe(200);
    expect(await response.json()).toEqual({ playing: null });
    expect(await getPlayback(request)).toEqual({ playing: null });
    expect((await getJson<{ playback: unknown }>(request, "/api/state")).playback).toBeNull();
    const offset = await serverClockOffset(request);
    await sleep(started.startedAt + 200 + 250 - offset - Date.now());
    expect(await getEndpoint(request, "payments")).toEqual({ ...healthy("payments"), failureRate: 1, errorStatus: 502 });
  });

  test("bad input: unknown name (field scenario), inline with an unknown endpoint or a bad phase; what played keeps playing", async ({ request }) => {
    const playing = await play(request, STEADY);
    const cases: [unknown, number, string | RegExp | undefined][] = [
      [{ scenario: "nope" }, 400, "scenario"],
      [{ scenario: "" }, 400, "scenario"],
      [{ scenario: "Bad Name" }, 400, "scenario"],
      [{ scenario: 42 }, 400, "scenario"],
      [{ scenario: null }, 400, "scenario"],
      [{}, 400, "scenario"],
      [{ scenario: "steady" }, 400, "scenario"],
      [{ scenario: "flapping", loop: true }, 400, "loop"],
      [{ scenario: scenario("x", [{ forMs: 500, endpoints: { payments: {} } }, { forMs: 500, endpoints: { nowhere: {} } }]) }, 400, "scenario.phases.1.endpoints.nowhere"],
      [{ scenario: scenario("x", [{ forMs: 500, endpoints: {} }, { forMs: 500, endpoints: {} }, { forMs: 50, endpoints: {} }]) }, 400, /^scenario\.phases\.2\.forMs$/],
      [{ scenario: scenario("x", [{ forMs: 500, endpoints: { payments: { fault: "explode" } } }]) }, 400, /^scenario\.phases\.0\.endpoints\.payments\.fault$/],
      [{ scenario: scenario("x", []) }, 400, /^scenario\.phases$/],
      [{ scenario: { ...scenario("x", [{ forMs: 500, endpoints: {} }]), extra: 1 } }, 400, /^scenario\.extra$/],
      [{ scenario: scenario("Bad Name", [{ forMs: 500, endpoints: {} }]) }, 400, /^scenario\.name$/],
    ];
    for (const [body, status, field] of cases) {
      await expectApiError(await postJson(request, "/api/playback", body), status, { field });
      expect((await getPlayback(request)).playing, JSON.stringify(body)).toEqual(playing);
    }
    await expectApiError(await sendRaw(request, "POST", "/api/playback", '{"scenario": "flapping"'), 400, { code: "invalid_json" });
    await expectApiError(await sendRaw(request, "POST", "/api/playback", ""), 400);
    await expectApiError(await sendRaw(request, "POST", "/api/playback", '"flapping"'), 400);
    await expectApiError(await sendRaw(request, "POST", "/api/playback", JSON.stringify({ scenario: "flapping" }), "text/plain"), 415);
    await expectApiError(await sendRaw(request, "POST", "/api/playback", JSON.stringify({ scenario: "flapping" }) + " ".repeat(256 * 1024)), 413);
    expect((await getPlayback(request)).playing).toEqual(playing);
    expect(await getEndpoint(request, "inventory")).toEqual(healthy("inventory"));
  });

  test("bad input with nothing playing leaves nothing playing", async ({ request }) => {
    for (const body of [{ scenario: "nope" }, { scenario: scenario("x", [{ forMs: 500, endpoints: { nowhere: {} } }]) }]) {
      await expectApiError(await postJson(request, "/api/playback", body), 400);
      expect(await getPlayback(request)).toEqual({ playing: null });
    }
    expect(await getEndpoint(request, "payments")).toEqual(healthy("payments"));
  });

  test("an inline scenario of about 100 KiB plays (256 KiB limit)", async ({ request }) => {
    const phases = Array.from({ length: 100 }, (_, index) => ({
      label: `step ${index} `.padEnd(80, "."),
      forMs: 1_000,
      endpoints: { payments: { ...healthyPatch(), latencyMs: index + 1 }, inventory: healthyPatch(), search: healthyPatch() },
    }));
    const big = scenario("big-inline", phases, { description: "d".repeat(500) });
    const text = JSON.stringify({ scenario: big }, null, 4);
    expect(Buffer.byteLength(text)).toBeGreaterThan(90 * 1024);
    const response = await sendRaw(request, "POST", "/api/playback", text);
    expect(response.status(), (await response.text()).slice(0, 300)).toBe(200);
    expectPlaying(((await response.json()) as PlaybackBody).playing!, big);
    expect((await getEndpoint(request, "payments")).latencyMs).toBe(1);
  });

  test("POST /api/reset stops playback, forgets saved scenarios and clears the recording", async ({ request }) => {
    const builtIn = await presets(request);
    await save(request, scenario("mine", [{ forMs: 300, endpoints: {} }]));
    await patchEndpoint(request, "search", { latencyMs: 450 });
    await play(request, STEADY);
    await resetLab(request);
    expect(await getPlayback(request)).toEqual({ playing: null });
    expect((await getJson<{ playback: unknown }>(request, "/api/state")).playback).toBeNull();
    expect(await listScenarios(request)).toEqual(builtIn);
    await expectApiError(await request.get("/api/scenarios/mine"), 404);
    const recording = await getJson<ScenarioBody>(request, "/api/recording");
    expect(recording.phases).toHaveLength(1);
    expect(recording.phases[0]!.endpoints).toEqual({ payments: healthyPatch(), inventory: healthyPatch(), search: healthyPatch() });
    expect(await getEndpoint(request, "payments")).toEqual(healthy("payments"));
  });
});

// ── Phases on time ───────────────────────────────────────────────────────────

interface Sample {
  /** Server time span in which the server answered, ms since the playback's start. */
  from: number;
  to: number;
  endpoint: EndpointBody;
  playing: PlayingBody | null;
}

test("a three-phase scenario changes the endpoint on time, then ends", async ({ request }) => {
  const PHASE_MS = 1_500;
  const TOLERANCE = 300;
  const models = [
    { ...healthy("payments"), failureRate: 1 },
    { ...healthy("payments"), failureRate: 0 },
    { ...healthy("payments"), failureRate: 1, errorStatus: 502 },
  ];
  const mockStatuses = [503, 200, 502];
  const body = scenario("three-phases", [
    { label: "down", forMs: PHASE_MS, endpoints: { payments: { failureRate: 1 } } },
    { label: "up", forMs: PHASE_MS, endpoints: { payments: { failureRate: 0 } } },
    { label: "bad gateway", forMs: PHASE_MS, endpoints: { payments: { failureRate: 1, errorStatus: 502 } } },
  ]);
  const offset = await serverClockOffset(request);
  const playing = await play(request, body);
  expectPlaying(playing, body);
  const start = playing.startedAt;
  const end = start + 3 * PHASE_MS;

  const samples: Sample[] = [];
  const seenStatus: (number | undefined)[] = [undefined, undefined, undefined];
  while (Date.now() + offset < end + 700) {
    const t0 = Date.now() + offset;
    const [endpoint, playback] = await Promise.all([getEndpoint(request, "payments"), getPlayback(request)]);
    const t1 = Date.now() + offset;
    samples.push({ from: t0 - start, to: t1 - start, endpoint, playing: playback.playing });
    // One real request in the middle of each phase: the mock answers as the phase says.
    const index = Math.floor((t1 - start) / PHASE_MS);
    const into = t1 - start - index * PHASE_MS;
    if (index < 3 && seenStatus[index] === undefined && into > 500 && into < 1_000) {
      seenStatus[index] = (await request.get("/api/mock/payments")).status();
    }
    await sleep(40);
  }
  expect(seenStatus).toEqual(mockStatuses);

  const checked = [0, 0, 0, 0];
  for (const sample of samples) {
    const first = Math.floor((sample.from - TOLERANCE) / PHASE_MS);
    const last = Math.floor((sample.to + TOLERANCE) / PHASE_MS);
    if (first !== last || first < 0) continue; // too close to a boundary to say
    const where = `${Math.round(sample.from)}..${Math.round(sample.to)} ms after the start`;
    if (first >= 3) {
      expect(sample.playing, where).toBeNull();
      expect(sample.endpoint, where).toEqual(models[2]);
      checked[3]! += 1;
      continue;
    }
    expect(sample.endpoint, where).toEqual(models[first]);
    expect(sample.playing, where).toEqual({ scenario: "three-phases", phase: first, startedAt: start, phaseEndsAt: expect.any(Number), endsAt: playing.endsAt });
    expect(sample.playing!.phaseEndsAt - start, where).toBeCloseTo((first + 1) * PHASE_MS, 3);
    checked[first]! += 1;
  }
  // Enough samples well inside every phase (and after the end) for the checks above to mean something.
  for (const [index, count] of checked.entries()) expect(count, `samples checked in phase ${index}`).toBeGreaterThanOrEqual(3);
  // Every change happened within the tolerance of its boundary: the first sample showing a model
  // is no later than boundary + tolerance, and none shows it before boundary - tolerance.
  for (let index = 1; index < 3; index += 1) {
    const firstSeen = samples.find((sample) => sample.playing?.phase === index);
    expect(firstSeen, `phase ${index} seen`).toBeDefined();
    expect(firstSeen!.from).toBeLessThanOrEqual(index * PHASE_MS + TOLERANCE);
    expect(firstSeen!.to).toBeGreaterThanOrEqual(index * PHASE_MS - TOLERANCE);
  }
  const ended = samples.find((sample) => sample.playing === null);
  expect(ended, "playback ended").toBeDefined();
  expect(ended!.from).toBeLessThanOrEqual(3 * PHASE_MS + TOLERANCE);
  expect(ended!.to).toBeGreaterThanOrEqual(3 * PHASE_MS - TOLERANCE);
});

test("a looping scenario starts over after its last phase, with startedAt at the new pass", async ({ request }) => {
  const body = scenario(
    "loop-two",
    [
      { forMs: 400, endpoints: { payments: { failureRate: 1 } } },
      { forMs: 400, endpoints: { payments: { failureRate: 0 } } },
    ],
    { loop: true },
  );
  const playing = await play(request, body);
  await expect
    .poll(async () => (await getPlayback(request)).playing?.startedAt, { timeout: 3_000, intervals: [50] })
    .toBeGreaterThan(playing.startedAt);
  const again = (await getPlayback(request)).playing!;
  expect(again.startedAt - playing.startedAt).toBeCloseTo(800, 3);
  expect(again.endsAt).toBeNull();
  expect(again.scenario).toBe("loop-two");
  // The second pass applies its phases again: payments goes down, then up, as in the first.
  await expect.poll(async () => (await getEndpoint(request, "payments")).failureRate, { timeout: 2_000, intervals: [25] }).toBe(0);
  await expect.poll(async () => (await getEndpoint(request, "payments")).failureRate, { timeout: 2_000, intervals: [25] }).toBe(1);
  expect((await getPlayback(request)).playing?.scenario).toBe("loop-two");
});

test("a scenario's seed makes the endpoints' randomness repeatable while it plays", async ({ request }) => {
  const seeded = scenario("seeded", [{ forMs: 30_000, endpoints: { payments: { failureRate: 0.5, latencyMs: 0, jitterMs: 0 } } }], { seed: 123 });
  const statuses = async () => {
    const seen: number[] = [];
    for (let i = 0; i < 24; i += 1) seen.push((await request.get("/api/mock/payments")).status());
    return seen;
  };
  await play(request, seeded);
  const first = await statuses();
  expect(first).toContain(200);
  expect(first).toContain(503);
  await play(request, seeded);
  expect(await statuses()).toEqual(first);
});

// ── SSE ──────────────────────────────────────────────────────────────────────

test.describe("GET /api/events during a playback", () => {
  test("playback events at start, at each phase change and at the end, endpoint events for the playback's changes", async ({ request, baseURL }) => {
    const stream = await openEventStream(baseURL!);
    try {
      const first = await stream.next();
      expect(first.event).toBe("snapshot");
      expect((JSON.parse(first.data) as { playback: unknown }).playback).toBeNull();

      const body = scenario("sse-two", [
        { forMs: 300, endpoints: { payments: { failureRate: 1, errorStatus: 500 } } },
        { forMs: 300, endpoints: { payments: { failureRate: 0 }, search: { latencyMs: 99 } } },
      ]);
      const playing = await play(request, body);
      const isEnd = (frame: SseFrame) => frame.event === "playback" && (JSON.parse(frame.data) as PlaybackBody).playing === null;
      const { frame: last, skipped } = await stream.until(isEnd, 5_000);
      const frames = [...skipped.filter((frame) => frame.event !== undefined), last];
      const ids = frames.map((frame) => Number(frame.id));
      for (let i = 1; i < ids.length; i += 1) expect(ids[i]!).toBeGreaterThan(ids[i - 1]!);

      const playbackEvents = frames.filter((frame) => frame.event === "playback").map((frame) => JSON.parse(frame.data) as PlaybackBody);
      expect(playbackEvents).toEqual([
        { playing },
        { playing: { ...playing, phase: 1, phaseEndsAt: expect.any(Number) } },
        { playing: null },
      ]);
      expect(playbackEvents[1]!.playing!.phaseEndsAt - playing.startedAt).toBeCloseTo(600, 3);

      const endpointEvents = frames.filter((frame) => frame.event === "endpoint").map((frame) => JSON.parse(frame.data) as EndpointBody);
      expect(endpointEvents).toEqual([
        { ...healthy("payments"), failureRate: 1, errorStatus: 500 },
        { ...healthy("payments"), failureRate: 0, errorStatus: 500 },
        { ...healthy("search"), latencyMs: 99 },
      ]);
    } finally {
      stream.close();
    }
  });

  test("a playback event at stop (DELETE, reset); a new stream's snapshot carries the playback", async ({ request, baseURL }) => {
    const playing = await play(request, STEADY);
    const stream = await openEventStream(baseURL!);
    try {
      const first = await stream.next();
      expect(first.event).toBe("snapshot");
      expect((JSON.parse(first.data) as { playback: unknown }).playback).toEqual(playing);
      expect((await request.delete("/api/playback")).status()).toBe(200);
      const { frame } = await stream.until((item) => item.event === "playback", 3_000);
      expect(JSON.parse(frame.data)).toEqual({ playing: null });

      // A reset stops a playback too, and says so.
      const again = await play(request, STEADY);
      const started = await stream.until((item) => item.event === "playback", 3_000);
      expect(JSON.parse(started.frame.data)).toEqual({ playing: again });
      await resetLab(request);
      const stopped = await stream.until((item) => item.event === "playback", 3_000);
      expect(JSON.parse(stopped.frame.data)).toEqual({ playing: null });
    } finally {
      stream.close();
    }
  });
});

// ── Recording ────────────────────────────────────────────────────────────────

/** Wait until `ms` have passed since `since` (epoch ms of this process). */
async function until(since: number, ms: number): Promise<void> {
  await sleep(since + ms - Date.now());
}

/** When a request was in flight, in server time: the server handled it somewhere inside. */
interface Span {
  start: number;
  end: number;
}

async function timed(offset: number, action: () => Promise<unknown>): Promise<Span> {
  const start = Date.now() + offset;
  await action();
  return { start, end: Date.now() + offset };
}

test.describe("GET /api/recording", () => {
  test("a Scenario named recording: the full models first, then each change with its timing, the last phase until now", async ({ request }) => {
    const offset = await serverClockOffset(request);
    const local = Date.now();
    const reset = await timed(offset, () => resetLab(request));
    await until(local, 250);
    const first = await timed(offset, () => patchEndpoint(request, "payments", { failureRate: 1 }));
    await until(local, 250 + 300);
    const second = await timed(offset, () => patchEndpoint(request, "inventory", { latencyMs: 200, capacity: 4 }));
    await until(local, 250 + 300 + 400);
    const third = await timed(offset, () => patchEndpoint(request, "payments", { failureRate: 0, errorStatus: 502, retryAfterS: 3 }));
    // A change less than 100 ms after another joins its phase.
    await patchEndpoint(request, "payments", { fault: "malformed" });
    await until(local, 250 + 300 + 400 + 250);

    let response: APIResponse | undefined;
    const read = await timed(offset, async () => {
      response = await request.get("/api/recording");
    });
    expect(response!.status()).toBe(200);
    const recording = (await response!.json()) as ScenarioBody;
    expect(recording.name).toBe("recording");
    expect(recording.loop ?? false).toBe(false);
    expect(recording.phases.map((item) => item.endpoints)).toEqual([
      { payments: healthyPatch(), inventory: healthyPatch(), search: healthyPatch() },
      { payments: { failureRate: 1 } },
      { inventory: { latencyMs: 200, capacity: 4 } },
      { payments: { failureRate: 0, errorStatus: 502, retryAfterS: 3, fault: "malformed" } },
    ]);
    // Each phase lasts from one change to the next (the last until the read), as far as the
    // requests' spans can tell, give or take the rounding to integers.
    const marks = [reset, first, second, third, read];
    recording.phases.forEach((item, index) => {
      const from = marks[index]!;
      const to = marks[index + 1]!;
      const where = `phase ${index}: forMs ${item.forMs}, between ${Math.round(to.start - from.end)} and ${Math.round(to.end - from.start)}`;
      expect(Number.isInteger(item.forMs), where).toBe(true);
      expect(item.forMs, where).toBeGreaterThanOrEqual(100);
      expect(item.forMs, where).toBeGreaterThanOrEqual(to.start - from.end - 2);
      expect(item.forMs, where).toBeLessThanOrEqual(to.end - from.start + 2);
    });

    // It is a valid scenario: saving a copy under another name is accepted as is.
    expect((await postJson(request, "/api/scenarios", { ...recording, name: "copy" })).status()).toBe(201);
    // The last phase grows with time.
    await sleep(150);
    const later = await getJson<ScenarioBody>(request, "/api/scenarios/recording");
    expect(later.phases.slice(0, -1)).toEqual(recording.phases.slice(0, -1));
    expect(later.phases.at(-1)!.forMs).toBeGreaterThanOrEqual(recording.phases.at(-1)!.forMs + 100);
  });

  test("GET /api/scenarios/recording is the same scenario as GET /api/recording", async ({ request }) => {
    const local = Date.now();
    await until(local, 150);
    await patchEndpoint(request, "search", { fault: "slow-body", failureRate: 0.5 });
    const [one, other] = await Promise.all([getJson<ScenarioBody>(request, "/api/recording"), getJson<ScenarioBody>(request, "/api/scenarios/recording")]);
    expect(other.name).toBe("recording");
    expect(other.phases.map((item) => item.endpoints)).toEqual(one.phases.map((item) => item.endpoints));
    expect(other.phases.slice(0, -1)).toEqual(one.phases.slice(0, -1));
    expect(Math.abs(other.phases.at(-1)!.forMs - one.phases.at(-1)!.forMs)).toBeLessThan(100);
    expect(one.phases.at(-1)!.endpoints).toEqual({ search: { fault: "slow-body", failureRate: 0.5 } });
  });

  test("right after a reset: one phase of at least 100 ms holding every endpoint's model", async ({ request }) => {
    await patchEndpoint(request, "search", { latencyMs: 333 }); // within 100 ms of the reset: part of the start
    const recording = await getJson<ScenarioBody>(request, "/api/recording");
    expect(recording.name).toBe("recording");
    expect(recording.phases).toHaveLength(1);
    expect(recording.phases[0]!.forMs).toBeGreaterThanOrEqual(100);
    expect(Number.isInteger(recording.phases[0]!.forMs)).toBe(true);
    expect(recording.phases[0]!.endpoints).toEqual({ payments: healthyPatch(), inventory: healthyPatch(), search: { ...healthyPatch(), latencyMs: 333 } });
  });

  test("replayed after a reset, the recording takes the endpoint through the same models on time; playback changes are recorded too", async ({ request }) => {
    const offset = await serverClockOffset(request);
    const local = Date.now();
    await until(local, 200);
    await patchEndpoint(request, "payments", { failureRate: 1 });
    await until(local, 200 + 400);
    await patchEndpoint(request, "payments", { failureRate: 0.5, errorStatus: 504 });
    await until(local, 200 + 400 + 400);
    await patchEndpoint(request, "payments", { failureRate: 0 });
    await until(local, 200 + 400 + 400 + 150);
    const recording = await getJson<ScenarioBody>(request, "/api/recording");
    expect(recording.phases).toHaveLength(4);
    const models = [
      healthy("payments"),
      { ...healthy("payments"), failureRate: 1 },
      { ...healthy("payments"), failureRate: 0.5, errorStatus: 504 },
      { ...healthy("payments"), failureRate: 0, errorStatus: 504 },
    ];

    await resetLab(request);
    const resetAt = Date.now();
    // Somebody leaves payments in another state: the replay's first phase puts the recorded model back.
    // (Each step more than 100 ms after the one before, so that the new recording keeps them apart.)
    await until(resetAt, 150);
    await patchEndpoint(request, "payments", { failureRate: 0.2, latencyMs: 5, capacity: 9 });
    await until(resetAt, 300);
    const playing = await play(request, recording);
    expect(playing.scenario).toBe("recording");
    const total = recording.phases.reduce((sum, item) => sum + item.forMs, 0);
    expect(playing.endsAt! - playing.startedAt).toBeCloseTo(total, 3);

    const seen: { at: number; model: EndpointBody }[] = [];
    while ((await getPlayback(request)).playing !== null && Date.now() + offset < playing.startedAt + total + 1_000) {
      const model = await getEndpoint(request, "payments");
      if (seen.length === 0 || JSON.stringify(seen.at(-1)!.model) !== JSON.stringify(model)) seen.push({ at: Date.now() + offset - playing.startedAt, model });
      await sleep(30);
    }
    expect(await getPlayback(request)).toEqual({ playing: null });
    expect(seen.map((item) => item.model)).toEqual(models);
    // Each change shows up close to its recorded start.
    let start = 0;
    recording.phases.forEach((item, index) => {
      expect(Math.abs(seen[index]!.at - start), `model ${index} at ${Math.round(seen[index]!.at)} ms, expected ${start}`).toBeLessThanOrEqual(250);
      start += item.forMs;
    });

    // The replay's changes are themselves recorded, after the manual one.
    const again = await getJson<ScenarioBody>(request, "/api/recording");
    expect(again.phases[0]!.endpoints.payments).toEqual(healthyPatch());
    expect(again.phases.slice(1).map((item) => item.endpoints)).toEqual([
      { payments: { failureRate: 0.2, latencyMs: 5, capacity: 9 } },
      { payments: { failureRate: 0, latencyMs: 20, capacity: null } },
      { payments: { failureRate: 1 } },
      { payments: { failureRate: 0.5, errorStatus: 504 } },
      { payments: { failureRate: 0 } },
    ]);
  });

  test("the recording plays by name: POST /api/playback { scenario: \"recording\" }", async ({ request }) => {
    const local = Date.now();
    await until(local, 150);
    await patchEndpoint(request, "inventory", { failureRate: 1, fault: "reset" });
    await until(local, 300);
    const recording = await getJson<ScenarioBody>(request, "/api/recording");
    await patchEndpoint(request, "inventory", { failureRate: 0.3 });
    const playing = await play(request, "recording");
    expect(playing.scenario).toBe("recording");
    expect(playing.phase).toBe(0);
    expect(playing.phaseEndsAt - playing.startedAt).toBeCloseTo(recording.phases[0]!.forMs, 3);
    // Phase 0 is the start of the recording: inventory healthy again.
    expect(await getEndpoint(request, "inventory")).toEqual(healthy("inventory"));
    await expect.poll(async () => (await getEndpoint(request, "inventory")).fault, { timeout: 3_000, intervals: [50] }).toBe("reset");
  });
});

// ── Manual changes during a playback ─────────────────────────────────────────

test("a manual PATCH during playback applies at once; the next phase overrides what it names", async ({ request }) => {
  const body = scenario("override", [
    { forMs: 1_000, endpoints: { payments: { failureRate: 1 } } },
    { forMs: 5_000, endpoints: { payments: { failureRate: 0.5 } } },
  ]);
  const playing = await play(request, body);
  const patched = await patchEndpoint(request, "payments", { failureRate: 0.2, latencyMs: 5 });
  expect(patched).toEqual({ ...healthy("payments"), failureRate: 0.2, latencyMs: 5 });
  expect(await getEndpoint(request, "payments")).toEqual(patched);
  // The playback goes on: same scenario, same phase.
  expect((await getPlayback(request)).playing).toEqual(playing);

  await expect.poll(async () => (await getPlayback(request)).playing?.phase, { timeout: 3_000, intervals: [50] }).toBe(1);
  // The phase sets failureRate; latencyMs, which it does not name, keeps the manual value.
  expect(await getEndpoint(request, "payments")).toEqual({ ...healthy("payments"), failureRate: 0.5, latencyMs: 5 });
});
