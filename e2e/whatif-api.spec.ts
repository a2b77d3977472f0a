import { expect, test, type APIRequestContext } from "@playwright/test";
import type { WhatIfConfigResult, WhatIfResult } from "../lib/whatif";
import { expectApiError, getJson, labContents, patchEndpoint, postJson, resetLab, sendRaw, type ScenarioBody } from "./support/api";

// POST /api/whatif against `next start`: the result's shape, a case computed by hand from the
// contract, determinism, the recording, instances, every kind of bad input, and a big run that
// leaves the live lab responsive (it runs in a worker thread).

test.beforeEach(async ({ request }) => {
  await resetLab(request);
});

// The lab's own result types: the spec checks the server against the declarations the page uses.
type WhatIfBody = WhatIfResult;

const RESULT_KEYS = [
  "label",
  "calls",
  "successes",
  "failures",
  "timeouts",
  "rejected",
  "ignored",
  "upstreamCalls",
  "wastedCalls",
  "rejectedGood",
  "timeToOpenMs",
  "timeToCloseMs",
  "transitions",
].sort();

const STATES = ["CLOSED", "OPEN", "HALF_OPEN", "FORCED_OPEN", "DISABLED"];
const REASONS = ["failure-threshold", "failure-rate", "slow-call-rate", "open-elapsed", "trial-failed", "trial-succeeded", "half-open-timeout", "reset", "force-open", "disable"];

/**
 * 1 s healthy at exactly 10 ms, 2 s down (503 after 10 ms), 3 s healthy: every number of the run
 * follows from the contract by hand.
 */
const SMALL: ScenarioBody = {
  name: "small-outage",
  phases: [
    { label: "up", forMs: 1_000, endpoints: { payments: { latencyMs: 10, jitterMs: 0 } } },
    { label: "down", forMs: 2_000, endpoints: { payments: { failureRate: 1 } } },
    { label: "back", forMs: 3_000, endpoints: { payments: { failureRate: 0 } } },
  ],
};

const CONSECUTIVE_3 = { label: "three", options: { failureThreshold: 3, openMs: 1_000 } };

async function whatIf(request: APIRequestContext, body: unknown): Promise<WhatIfBody> {
  const response = await postJson(request, "/api/whatif", body);
  const text = await response.text();
  expect(response.status(), text).toBe(200);
  expect(response.headers()["content-type"]).toMatch(/^application\/json/);
  return JSON.parse(text) as WhatIfBody;
}

/** Every invariant of one result the contract states, whatever the input. */
function expectWellFormed(result: WhatIfConfigResult): void {
  expect(Object.keys(result).sort()).toEqual(RESULT_KEYS);
  const { calls, successes, failures, timeouts, rejected, ignored } = result;
  expect(calls).toBe(successes + failures + ignored + rejected);
  expect(timeouts).toBeLessThanOrEqual(failures);
  expect(result.upstreamCalls).toBe(successes + failures + ignored);
  expect(result.wastedCalls).toBeLessThanOrEqual(result.upstreamCalls);
  expect(result.rejectedGood).toBeLessThanOrEqual(rejected);
  let previous = -Infinity;
  for (const transition of result.transitions) {
    expect(Object.keys(transition).sort()).toEqual(["at", "from", "instance", "reason", "to"]);
    expect(typeof transition.at).toBe("number");
    expect(transition.at).toBeGreaterThanOrEqual(previous);
    previous = transition.at;
    expect(Number.isInteger(transition.instance)).toBe(true);
    expect(STATES).toContain(transition.from);
    expect(STATES).toContain(transition.to);
    expect(REASONS).toContain(transition.reason);
  }
}

test("a preset by name: results in config order, every field of the contract, simulatedCalls the sum of calls", async ({ request }) => {
  const body = await whatIf(request, {
    scenario: "outage-then-flaky-recovery",
    endpoint: "payments",
    traffic: { rps: 20 },
    configs: [
      { label: "consecutive", options: { failureThreshold: 3, openMs: 5_000 } },
      { label: "count window", options: { slidingWindow: { type: "count", size: 20 }, failureRateThreshold: 50, minimumCalls: 10, openMs: 5_000 } },
      { label: "timeout", options: { failureThreshold: 5, openMs: 2_000, timeoutMs: 15 } },
    ],
  });
  expect(Object.keys(body).sort()).toEqual(["results", "simulatedCalls"]);
  expect(body.results.map((result) => result.label)).toEqual(["consecutive", "count window", "timeout"]);
  for (const result of body.results) {
    expectWellFormed(result);
    // 90 s of the preset at 20 steady calls per second: arrivals at 0, 50, …, 89 950 ms.
    expect(result.calls).toBe(1_800);
    expect(result.timeToOpenMs).not.toBeNull();
  }
  // The 30 s outage starts at 10 s; the configs without a timeout trip during it, not before.
  for (const result of body.results.slice(0, 2)) {
    expect(result.transitions[0]).toMatchObject({ instance: 0, from: "CLOSED", to: "OPEN" });
    expect(result.transitions[0]!.at).toBeGreaterThanOrEqual(10_000);
    expect(result.transitions[0]!.at).toBeLessThan(40_000);
  }
  // A 15 ms timeout against 20 ± 10 ms answers: some calls time out, so timeouts are counted as failures.
  expect(body.results[2]!.timeouts).toBeGreaterThan(0);
  expect(body.results[0]!.timeouts).toBe(0);
  expect(body.simulatedCalls).toBe(body.results.reduce((sum, result) => sum + result.calls, 0));
});

test("the hand-computed case: 60 calls, 36 successes, 4 failures, 20 rejected, transitions at 1210/2210/2310/3310/3410", async ({ request }) => {
  // Arrivals every 100 ms, each settles 10 ms later. Down from 1000: the calls of 1000, 1100 and
  // 1200 fail, the third at 1210 trips (OPEN until 2210); 1300..2200 are rejected (10); the trial
  // at 2300 fails at 2310 (OPEN until 3310); 2400..3300 are rejected (10, of which 3000..3300
  // would have succeeded); the trial at 3400 succeeds at 3410. Healthy again from 3000, so
  // timeToCloseMs = 3410 - 3000; timeToOpenMs = 1210 - 1000.
  const body = await whatIf(request, { scenario: SMALL, endpoint: "payments", traffic: { rps: 10 }, configs: [CONSECUTIVE_3] });
  expect(body).toEqual({
    simulatedCalls: 60,
    results: [
      {
        label: "three",
        calls: 60,
        successes: 36,
        failures: 4,
        timeouts: 0,
        rejected: 20,
        ignored: 0,
        upstreamCalls: 40,
        wastedCalls: 4,
        rejectedGood: 4,
        timeToOpenMs: 210,
        timeToCloseMs: 410,
        transitions: [
          { at: 1210, instance: 0, from: "CLOSED", to: "OPEN", reason: "failure-threshold" },
          { at: 2210, instance: 0, from: "OPEN", to: "HALF_OPEN", reason: "open-elapsed" },
          { at: 2310, instance: 0, from: "HALF_OPEN", to: "OPEN", reason: "trial-failed" },
          { at: 3310, instance: 0, from: "OPEN", to: "HALF_OPEN", reason: "open-elapsed" },
          { at: 3410, instance: 0, from: "HALF_OPEN", to: "CLOSED", reason: "trial-succeeded" },
        ],
      },
    ],
  });
});

test("a longer durationMs keeps the last phase in force; a timeout at the latency makes every call fail", async ({ request }) => {
  // 8 s instead of 6: 20 more healthy arrivals after the scenario's end.
  const longer = await whatIf(request, { scenario: SMALL, endpoint: "payments", traffic: { rps: 10 }, durationMs: 8_000, configs: [CONSECUTIVE_3] });
  expect(longer.results[0]).toMatchObject({ calls: 80, successes: 56, failures: 4, rejected: 20 });
  // timeoutMs 10 against answers of exactly 10 ms: a call succeeds only below its timeout, so the
  // healthy phase is unhealthy for this config and its first three calls trip it at 3 × 100 - 100 + 10.
  const tight = await whatIf(request, { scenario: SMALL, endpoint: "payments", traffic: { rps: 10 }, configs: [{ label: "tight", options: { failureThreshold: 3, openMs: 1_000, timeoutMs: 10 } }] });
  const result = tight.results[0]!;
  expectWellFormed(result);
  expect(result.successes).toBe(0);
  expect(result.timeouts).toBeGreaterThan(0);
  expect(result.transitions[0]).toEqual({ at: 210, instance: 0, from: "CLOSED", to: "OPEN", reason: "failure-threshold" });
  expect(result.timeToOpenMs).toBe(210);
  expect(result.timeToCloseMs).toBeNull();
});

test("the same input twice gives byte-identical bodies, poisson arrivals included", async ({ request }) => {
  for (const traffic of [{ rps: 50 }, { rps: 50, arrival: "poisson" }]) {
    const body = { scenario: "brownout", endpoint: "inventory", traffic, seed: 42, instances: 3, configs: [CONSECUTIVE_3, { label: "count", options: { slidingWindow: { type: "count", size: 10 }, openMs: 2_000 } }] };
    const first = await postJson(request, "/api/whatif", body);
    const second = await postJson(request, "/api/whatif", body);
    expect(first.status()).toBe(200);
    expect(second.status()).toBe(200);
    const [a, b] = [await first.body(), await second.body()];
    expect(a.length).toBeGreaterThan(100);
    expect(b.equals(a)).toBe(true);
  }
  // A different seed gives different poisson arrivals.
  const other = await whatIf(request, { scenario: "brownout", endpoint: "inventory", traffic: { rps: 50, arrival: "poisson" }, seed: 43, configs: [CONSECUTIVE_3] });
  const again = await whatIf(request, { scenario: "brownout", endpoint: "inventory", traffic: { rps: 50, arrival: "poisson" }, seed: 42, configs: [CONSECUTIVE_3] });
  expect(other).not.toEqual(again);
});

test("configs side by side meet the same upstream: each result is what that config gives alone", async ({ request }) => {
  // brownout: 20 % errors, 600 ± 400 ms and a capacity of 8 (which counts each config's own calls).
  const configs = [
    CONSECUTIVE_3,
    { label: "count", options: { slidingWindow: { type: "count", size: 20 }, failureRateThreshold: 50, minimumCalls: 10, openMs: 5_000 } },
    { label: "timeout", options: { failureThreshold: 5, openMs: 2_000, timeoutMs: 700 } },
  ];
  const base = { scenario: "brownout", endpoint: "inventory", traffic: { rps: 30, arrival: "poisson" }, instances: 2 };
  const together = await whatIf(request, { ...base, configs });
  for (const [index, config] of configs.entries()) {
    const alone = await whatIf(request, { ...base, configs: [config] });
    expect(together.results[index], config.label).toEqual(alone.results[0]);
  }
});

test("the recording after some endpoint PATCHes runs by name and gives what the recording inline gives", async ({ request }) => {
  await patchEndpoint(request, "payments", { failureRate: 1, latencyMs: 5, jitterMs: 0 });
  await new Promise((resolve) => setTimeout(resolve, 700));
  await patchEndpoint(request, "payments", { failureRate: 0 });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const recording = await getJson<ScenarioBody>(request, "/api/recording");
  expect(recording.name).toBe("recording");
  const durationMs = recording.phases.reduce((sum, phase) => sum + phase.forMs, 0);
  const body = (scenario: unknown) => ({ scenario, endpoint: "payments", traffic: { rps: 100 }, durationMs, configs: [CONSECUTIVE_3] });
  const byName = await whatIf(request, body("recording"));
  const result = byName.results[0]!;
  expectWellFormed(result);
  // About 700 ms down at 100 calls per second: three failures trip the breaker.
  expect(result.failures).toBeGreaterThanOrEqual(3);
  expect(result.transitions[0]).toMatchObject({ from: "CLOSED", to: "OPEN", reason: "failure-threshold" });
  expect(result.timeToOpenMs).not.toBeNull();
  // Up to `durationMs` the recording by name (whose last phase has grown since) is the same input.
  expect(await whatIf(request, body(recording))).toEqual(byName);
});

test("instances: 2 breakers, the traffic dealt round robin, counts summed", async ({ request }) => {
  // Instance 0 takes the arrivals at even multiples of 100 ms, instance 1 the odd ones. Down from
  // 1000: instance 0 fails at 1000, 1200, 1400 (OPEN at 1410), instance 1 at 1100, 1300, 1500
  // (OPEN at 1510). Each is HALF_OPEN 1000 ms later, just after its own arrival of 2400 / 2500,
  // so its trial is the next one (2600 / 2700), which fails; the trials of 3800 / 3900 close them.
  const body = await whatIf(request, { scenario: SMALL, endpoint: "payments", traffic: { rps: 10 }, instances: 2, configs: [CONSECUTIVE_3] });
  const result = body.results[0]!;
  expectWellFormed(result);
  expect(result.transitions).toEqual([
    { at: 1410, instance: 0, from: "CLOSED", to: "OPEN", reason: "failure-threshold" },
    { at: 1510, instance: 1, from: "CLOSED", to: "OPEN", reason: "failure-threshold" },
    { at: 2410, instance: 0, from: "OPEN", to: "HALF_OPEN", reason: "open-elapsed" },
    { at: 2510, instance: 1, from: "OPEN", to: "HALF_OPEN", reason: "open-elapsed" },
    { at: 2610, instance: 0, from: "HALF_OPEN", to: "OPEN", reason: "trial-failed" },
    { at: 2710, instance: 1, from: "HALF_OPEN", to: "OPEN", reason: "trial-failed" },
    { at: 3610, instance: 0, from: "OPEN", to: "HALF_OPEN", reason: "open-elapsed" },
    { at: 3710, instance: 1, from: "OPEN", to: "HALF_OPEN", reason: "open-elapsed" },
    { at: 3810, instance: 0, from: "HALF_OPEN", to: "CLOSED", reason: "trial-succeeded" },
    { at: 3910, instance: 1, from: "HALF_OPEN", to: "CLOSED", reason: "trial-succeeded" },
  ]);
  expect(result).toMatchObject({ calls: 60, successes: 32, failures: 8, rejected: 20, upstreamCalls: 40, wastedCalls: 8, rejectedGood: 8, timeToOpenMs: 410, timeToCloseMs: 810 });
});

test.describe("bad input is a 400 naming the field, and nothing changes", () => {
  const good = () => ({ scenario: SMALL as unknown, endpoint: "payments", traffic: { rps: 10 } as Record<string, unknown>, configs: [CONSECUTIVE_3] as unknown[] });

  async function refused(request: APIRequestContext, body: unknown, field: string | RegExp, status = 400) {
    const before = await labContents(request);
    const error = await expectApiError(await postJson(request, "/api/whatif", body), status, { field });
    expect(await labContents(request)).toEqual(before);
    return error;
  }

  test("scenario, endpoint and traffic", async ({ request }) => {
    await refused(request, { ...good(), scenario: "no-such-scenario" }, "scenario");
    await refused(request, { ...good(), endpoint: "search" }, "endpoint");
    await refused(request, { ...good(), scenario: "flapping", endpoint: "payments" }, "endpoint");
    await refused(request, { ...good(), endpoint: "Not A Name" }, "endpoint");
    for (const rps of [0, -1, 10_001, "10", null]) {
      await refused(request, { ...good(), traffic: { rps } }, "traffic.rps");
    }
    await refused(request, { ...good(), traffic: {} }, "traffic.rps");
    await refused(request, { ...good(), traffic: { rps: 10, arrival: "bursty" } }, "traffic.arrival");
    // 10 000 calls/s for an hour is 36 M arrivals; 2 configs × 10 000/s × 260 s is 5.2 M: both beyond 5 M.
    const tooMany = await refused(request, { ...good(), traffic: { rps: 10_000 }, durationMs: 3_600_000 }, "traffic.rps");
    expect(tooMany.message).toMatch(/5\s?000\s?000|5000000|5,000,000/);
    await refused(request, { ...good(), traffic: { rps: 10_000 }, durationMs: 260_000, configs: [CONSECUTIVE_3, CONSECUTIVE_3] }, "traffic.rps");
    await refused(request, { ...good(), durationMs: 3_600_001 }, "durationMs");
    await refused(request, { ...good(), instances: 0 }, "instances");
    await refused(request, { ...good(), instances: 21 }, "instances");
    await refused(request, { ...good(), seed: 1.5 }, "seed");
    // An inline scenario that does not validate names its field under `scenario`.
    await refused(request, { ...good(), scenario: { name: "bad", phases: [{ forMs: 5, endpoints: { payments: {} } }] } }, "scenario.phases.0.forMs");
    await refused(request, { ...good(), scenario: { name: "bad", phases: [] } }, "scenario.phases");
  });

  test("configs: 0 or 6 of them, options that break a rule", async ({ request }) => {
    await refused(request, { ...good(), configs: [] }, "configs");
    await refused(request, { ...good(), configs: Array.from({ length: 6 }, (_, index) => ({ label: `c${index}`, options: {} })) }, "configs");
    await refused(request, { ...good(), configs: [CONSECUTIVE_3, { label: "zero", options: { failureThreshold: 0 } }] }, /^configs\.1\.options/);
    // Each value is fine alone; together they break the library's rule maxOpenMs >= openMs.
    const crossField = await refused(request, { ...good(), configs: [CONSECUTIVE_3, { label: "cap", options: { openMs: 5_000, maxOpenMs: 1_000 } }] }, /^configs\.1\.options/);
    expect(crossField.message).toContain("maxOpenMs");
    await refused(request, { ...good(), configs: [CONSECUTIVE_3, { label: "pct", options: { failureRateThreshold: 101 } }] }, /^configs\.1\.options/);
    await refused(request, { ...good(), configs: [{ label: "", options: {} }] }, "configs.0.label");
    await refused(request, { ...good(), configs: [{ options: {} }] }, "configs.0.label");
  });

  test("unknown keys anywhere", async ({ request }) => {
    await refused(request, { ...good(), extra: 1 }, "extra");
    await refused(request, { ...good(), traffic: { rps: 10, burst: 2 } }, "traffic.burst");
    await refused(request, { ...good(), configs: [{ ...CONSECUTIVE_3, colour: "red" }] }, "configs.0.colour");
    await refused(request, { ...good(), configs: [{ label: "x", options: { failureThreshold: 3, isFailure: "always" } }] }, "configs.0.options.isFailure");
    await refused(request, { ...good(), configs: [{ label: "x", options: { slidingWindow: { type: "count", size: 5, extra: 1 } } }] }, /^configs\.0\.options\.slidingWindow/);
    await refused(request, { ...good(), scenario: { ...SMALL, owner: "me" } }, "scenario.owner");
    await refused(request, { ...good(), scenario: { ...SMALL, phases: [{ ...SMALL.phases[0], colour: "red" }] } }, "scenario.phases.0.colour");
    await refused(request, { ...good(), scenario: { ...SMALL, phases: [{ forMs: 1_000, endpoints: { payments: { failureRate: 1, flavour: "x" } } }] } }, "scenario.phases.0.endpoints.payments.flavour");
  });

  test("malformed JSON, not JSON, a body beyond 256 KiB", async ({ request }) => {
    const before = await labContents(request);
    await expectApiError(await sendRaw(request, "POST", "/api/whatif", '{"scenario": "flapping",'), 400);
    await expectApiError(await sendRaw(request, "POST", "/api/whatif", ""), 400);
    await expectApiError(await sendRaw(request, "POST", "/api/whatif", "[]"), 400);
    await expectApiError(await sendRaw(request, "POST", "/api/whatif", JSON.stringify(good()), "text/plain"), 415);
    await expectApiError(await sendRaw(request, "POST", "/api/whatif", JSON.stringify(good()), null), 415);
    // A valid input padded past 256 KiB with a long description.
    const padded = { ...good(), scenario: { ...SMALL, description: "x".repeat(300 * 1024) } };
    await expectApiError(await sendRaw(request, "POST", "/api/whatif", JSON.stringify(padded)), 413);
    // Just under 256 KiB is accepted as far as size goes: here the description's own limit answers.
    const large = { ...good(), scenario: { ...SMALL, description: "x".repeat(200 * 1024) } };
    await expectApiError(await sendRaw(request, "POST", "/api/whatif", JSON.stringify(large)), 400, { field: "scenario.description" });
    // GET is not a way in.
    expect((await request.get("/api/whatif")).status()).toBe(405);
    expect(await labContents(request)).toEqual(before);
  });

  test("a body between 16 and 256 KiB runs (the scenario routes' limit, not the default 16 KiB)", async ({ request }) => {
    // 100 phases with long labels: about 20 KiB of JSON.
    const phases = Array.from({ length: 100 }, (_, index) => ({ label: `${"phase ".repeat(12)}${index}`.slice(0, 80), forMs: 100, endpoints: { payments: { failureRate: index % 2, errorStatus: 503, latencyMs: 20, jitterMs: 10, fault: "status", capacity: null, retryAfterS: null } } }));
    const body = { ...good(), scenario: { name: "many-phases", phases } };
    expect(JSON.stringify(body).length).toBeGreaterThan(16 * 1024);
    const result = await whatIf(request, body);
    expect(result.results[0]!.calls).toBe(100);
  });
});

test("the live lab stays responsive during a run of 3 000 000 simulated calls", async ({ baseURL }) => {
  // 10 000 calls/s for 300 s, one config: 3 M arrivals, run in a worker thread of the server.
  const big = { scenario: "outage-then-flaky-recovery", endpoint: "payments", traffic: { rps: 10_000 }, durationMs: 300_000, configs: [{ label: "big", options: { failureThreshold: 5, openMs: 2_000 } }] };
  let finished = false;
  const started = Date.now();
  const run = fetch(new URL("/api/whatif", baseURL), { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(big) }).then(async (response) => {
    finished = true;
    return { status: response.status, body: (await response.json()) as WhatIfBody };
  });
  // Give the request time to reach the worker, then ask the live lab while the run goes on.
  await new Promise((resolve) => setTimeout(resolve, 150));
  const timings: number[] = [];
  let duringRun = 0;
  while (!finished && timings.length < 40) {
    const before = Date.now();
    const response = await fetch(new URL("/api/state", baseURL));
    expect(response.status).toBe(200);
    await response.json();
    timings.push(Date.now() - before);
    if (!finished) duringRun += 1;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const { status, body } = await run;
  const elapsed = Date.now() - started;
  expect(status, JSON.stringify(body).slice(0, 300)).toBe(200);
  // 3 000 000 arrivals; the few (about 20 ms worth) still in flight at the end are left out.
  expect(body.simulatedCalls).toBeLessThanOrEqual(3_000_000);
  expect(body.simulatedCalls).toBeGreaterThan(2_999_000);
  expectWellFormed(body.results[0]!);
  const figures = `run took ${elapsed} ms; /api/state answered ${timings.length} times (${duringRun} during the run), slowest ${Math.max(...timings)} ms`;
  test.info().annotations.push({ type: "whatif-3M", description: figures });
  console.log(`3 M what-if: ${figures}`);
  // The run must have lasted long enough for the lab to be asked while it ran.
  expect(duringRun, `the run finished after ${elapsed} ms, before /api/state was asked`).toBeGreaterThanOrEqual(1);
  expect(Math.max(...timings)).toBeLessThan(500);
});
