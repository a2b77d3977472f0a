import { expect, test, type APIResponse } from "@playwright/test";
import {
  createBreaker,
  fire,
  getBreaker,
  JSON_HEADERS,
  openEventStream,
  patchEndpoint,
  patchJson,
  postJson,
  resetLab,
  sampleSum,
  sampleValue,
  scrape,
  type BreakerBody,
  type EndpointBody,
} from "./support/api";
import { DEMO_OPTIONS } from "../lib/lab/test-helpers";

// Every route of the HTTP API (README.md), with good input: status, shape, effect.

test.beforeEach(async ({ request }) => {
  await resetLab(request);
});

const SNAPSHOT_KEYS = [
  "consecutiveFailures",
  "endpoint",
  "halfOpen",
  "halfOpenAt",
  "latency",
  "name",
  "openedAt",
  "options",
  "state",
  "totals",
  "window",
];

const ZERO_TOTALS = { calls: 0, successes: 0, failures: 0, timeouts: 0, rejected: 0, ignored: 0, slow: 0 };


function expectJson(response: APIResponse): void {
  expect(response.headers()["content-type"]).toMatch(/^application\/json/);
}

function expectFreshBreaker(breaker: BreakerBody, name: string, endpoint: string): void {
  expect(Object.keys(breaker).sort()).toEqual(SNAPSHOT_KEYS);
  expect(breaker.name).toBe(name);
  expect(breaker.endpoint).toBe(endpoint);
  expect(breaker.state).toBe("CLOSED");
  expect(breaker.openedAt).toBeNull();
  expect(breaker.halfOpenAt).toBeNull();
  expect(breaker.consecutiveFailures).toBe(0);
  expect(breaker.window).toEqual({ calls: 0, failures: 0, slowCalls: 0, failureRate: 0, slowCallRate: 0 });
  expect(breaker.halfOpen).toEqual({ inFlight: 0, successes: 0 });
  expect(breaker.latency).toBeNull();
  expect(breaker.totals).toEqual(ZERO_TOTALS);
}

function expectHealthyEndpoint(endpoint: EndpointBody, name: string): void {
  expect(Object.keys(endpoint).sort()).toEqual(["capacity", "errorStatus", "failureRate", "fault", "jitterMs", "latencyMs", "name", "retryAfterS"]);
  expect(endpoint.name).toBe(name);
  expect(endpoint.failureRate).toBe(0);
  expect(endpoint.errorStatus).toBeGreaterThanOrEqual(500);
  expect(endpoint.errorStatus).toBeLessThanOrEqual(599);
  expect(endpoint.latencyMs).toBeGreaterThanOrEqual(0);
  expect(endpoint.jitterMs).toBeGreaterThanOrEqual(0);
  expect(endpoint.fault).toBe("status");
  expect(endpoint.capacity).toBeNull();
  expect(endpoint.retryAfterS).toBeNull();
}

test.describe("GET /api/state", () => {
  test("holds the demo breakers with their exact policies, healthy endpoints and an empty timeline", async ({ request }) => {
    const before = Date.now();
    const response = await request.get("/api/state");
    expect(response.status()).toBe(200);
    expectJson(response);
    const body = (await response.json()) as { now: number; breakers: BreakerBody[]; endpoints: EndpointBody[]; timeline: unknown[] };
    expect(Object.keys(body).sort()).toEqual(["breakers", "endpoints", "instance", "instances", "now", "playback", "timeline"]);
    expect(typeof body.now).toBe("number");
    expect(Math.abs(body.now - before)).toBeLessThan(60_000);

    expect(body.breakers.map((breaker) => breaker.name).sort()).toEqual(["inventory", "payments", "search"]);
    for (const breaker of body.breakers) {
      expectFreshBreaker(breaker, breaker.name, breaker.name);
      expect(breaker.options).toEqual(DEMO_OPTIONS[breaker.name]);
    }

    expect(body.endpoints.map((endpoint) => endpoint.name).sort()).toEqual(["inventory", "payments", "search"]);
    for (const endpoint of body.endpoints) expectHealthyEndpoint(endpoint, endpoint.name);
    expect(body.timeline).toEqual([]);
  });

  test("is live, never cached: `now` moves between two reads", async ({ request }) => {
    const first = (await (await request.get("/api/state")).json()) as { now: number };
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = (await (await request.get("/api/state")).json()) as { now: number };
    expect(second.now).toBeGreaterThan(first.now);
  });
});

test.describe("/api/breakers", () => {
  test("GET lists the demo breakers wrapped in { breakers }", async ({ request }) => {
    const response = await request.get("/api/breakers");
    expect(response.status()).toBe(200);
    expectJson(response);
    const body = (await response.json()) as { breakers: BreakerBody[] };
    expect(Object.keys(body)).toEqual(["breakers"]);
    expect(body.breakers.map((breaker) => breaker.name).sort()).toEqual(["inventory", "payments", "search"]);
    for (const breaker of body.breakers) expect(breaker.endpoint).toBe(breaker.name);
  });

  test("POST creates a breaker: 201 with the new breaker, then listed", async ({ request }) => {
    const response = await postJson(request, "/api/breakers", {
      name: "orders-2",
      endpoint: "inventory",
      options: { failureThreshold: 2, openMs: 1_500, slidingWindow: { type: "count", size: 5 }, timeoutMs: 900 },
    });
    expect(response.status()).toBe(201);
    expectJson(response);
    const created = (await response.json()) as BreakerBody;
    expectFreshBreaker(created, "orders-2", "inventory");
    expect(created.options).toMatchObject({
      name: "orders-2",
      failureThreshold: 2,
      openMs: 1_500,
      maxOpenMs: 1_500 * 32,
      slidingWindow: { type: "count", size: 5 },
      timeoutMs: 900,
    });

    const list = (await (await request.get("/api/breakers")).json()) as { breakers: BreakerBody[] };
    expect(list.breakers.map((breaker) => breaker.name).sort()).toEqual(["inventory", "orders-2", "payments", "search"]);
    expect(list.breakers.find((breaker) => breaker.name === "orders-2")).toEqual(created);
  });

  test("POST without options takes the library's defaults", async ({ request }) => {
    const created = await createBreaker(request, { name: "plain", endpoint: "search" });
    expectFreshBreaker(created, "plain", "search");
    expect(created.options).toMatchObject({ failureThreshold: 5, openMs: 30_000, slidingWindow: null, timeoutMs: null });
  });
});

test.describe("/api/breakers/{name}", () => {
  test("GET answers one snapshot, the object itself", async ({ request }) => {
    const response = await request.get("/api/breakers/payments");
    expect(response.status()).toBe(200);
    expectJson(response);
    const breaker = (await response.json()) as BreakerBody;
    expectFreshBreaker(breaker, "payments", "payments");
    expect(breaker.options).toEqual(DEMO_OPTIONS.payments);
  });

  test("PATCH reconfigures live and answers 200 with the changed breaker", async ({ request }) => {
    await createBreaker(request, { name: "tune", endpoint: "payments", options: { failureThreshold: 3, openMs: 1_000 } });
    const response = await patchJson(request, "/api/breakers/tune", { failureThreshold: 7, openMs: 4_000, timeoutMs: 500 });
    expect(response.status()).toBe(200);
    expectJson(response);
    const patched = (await response.json()) as BreakerBody;
    expect(patched.name).toBe("tune");
    expect(patched.endpoint).toBe("payments");
    expect(patched.options).toMatchObject({ failureThreshold: 7, openMs: 4_000, maxOpenMs: 4_000 * 32, timeoutMs: 500 });
    expect((await getBreaker(request, "tune")).options).toEqual(patched.options);

    // A window on, then off again with null; the other options stay as they were.
    const windowed = (await (await patchJson(request, "/api/breakers/tune", { slidingWindow: { type: "time", ms: 5_000 } })).json()) as BreakerBody;
    expect(windowed.options).toMatchObject({ slidingWindow: { type: "time", ms: 5_000 }, failureThreshold: 7, timeoutMs: 500 });
    const cleared = await patchJson(request, "/api/breakers/tune", { slidingWindow: null, timeoutMs: null, maxOpenMs: 8_000 });
    expect(cleared.status()).toBe(200);
    expect(((await cleared.json()) as BreakerBody).options).toMatchObject({ slidingWindow: null, timeoutMs: null, maxOpenMs: 8_000, openMs: 4_000 });
  });

  test("DELETE answers 204 with no body; the breaker is gone (GET 404, not listed)", async ({ request }) => {
    await createBreaker(request, { name: "doomed", endpoint: "search" });
    const response = await request.delete("/api/breakers/doomed");
    expect(response.status()).toBe(204);
    expect(await response.body()).toHaveLength(0);

    const gone = await request.get("/api/breakers/doomed");
    expect(gone.status()).toBe(404);
    const error = (await gone.json()) as { error: { code: string; message: string } };
    expect(typeof error.error.code).toBe("string");
    expect(error.error.message).toContain("doomed");

    const list = (await (await request.get("/api/breakers")).json()) as { breakers: BreakerBody[] };
    expect(list.breakers.map((breaker) => breaker.name)).not.toContain("doomed");

    // A demo breaker can be deleted too, and the name is free again.
    expect((await request.delete("/api/breakers/payments")).status()).toBe(204);
    expect((await request.get("/api/breakers/payments")).status()).toBe(404);
    await createBreaker(request, { name: "payments", endpoint: "payments", options: { failureThreshold: 2 } });
  });
});

test.describe("POST /api/breakers/{name}/calls", () => {
  test("fires calls and answers one result each plus the moved snapshot", async ({ request }) => {
    await createBreaker(request, { name: "caller", endpoint: "inventory" });

    // No body at all: one call.
    const single = await request.post("/api/breakers/caller/calls");
    expect(single.status(), await single.text()).toBe(200);
    expectJson(single);
    const one = (await single.json()) as { results: unknown[]; snapshot: BreakerBody };
    expect(Object.keys(one).sort()).toEqual(["results", "snapshot"]);
    expect(one.results).toHaveLength(1);
    expect(one.snapshot.totals).toMatchObject({ calls: 1, successes: 1 });

    const burst = await fire(request, "caller", { count: 3 });
    expect(burst.results).toHaveLength(3);
    for (const result of burst.results) {
      expect(result.outcome).toBe("success");
      expect(result.status).toBe(200);
      expect(typeof result.durationMs).toBe("number");
      expect(result.durationMs).toBeGreaterThanOrEqual(0);
      expect(result.error).toBeUndefined();
    }
    expect(burst.snapshot.name).toBe("caller");
    expect(burst.snapshot.endpoint).toBe("inventory");
    expect(burst.snapshot.totals).toEqual({ ...ZERO_TOTALS, calls: 4, successes: 4 });
    expect((await getBreaker(request, "caller")).totals).toEqual(burst.snapshot.totals);

    // `{}` is the defaults too.
    expect((await fire(request, "caller", {})).results).toHaveLength(1);
  });

  test("failures: a 5xx answer carries its status; a dropped connection is a failure without one", async ({ request }) => {
    await createBreaker(request, { name: "flaky", endpoint: "payments", options: { failureThreshold: 100 } });
    await patchEndpoint(request, "payments", { failureRate: 1, errorStatus: 502, latencyMs: 0, jitterMs: 0 });
    const status = await fire(request, "flaky", { count: 2 });
    for (const result of status.results) {
      expect(result.outcome).toBe("failure");
      expect(result.status).toBe(502);
    }

    await patchEndpoint(request, "payments", { fault: "reset" });
    const dropped = await fire(request, "flaky", { count: 2 });
    for (const result of dropped.results) {
      expect(result.outcome).toBe("failure");
      expect(result.status).toBeUndefined();
      expect(typeof result.error).toBe("string");
    }
    expect(dropped.snapshot.totals).toMatchObject({ calls: 4, failures: 4, successes: 0 });
  });

  test("the caller never follows forged Host or X-Forwarded-* headers: calls still reach this lab's mock", async ({ request }) => {
    await createBreaker(request, { name: "origin", endpoint: "inventory" });
    const reached = sampleSum((await scrape(request)).samples, "lab_mock_requests_total", { endpoint: "inventory" });
    const response = await request.post("/api/breakers/origin/calls", {
      headers: {
        ...JSON_HEADERS,
        Host: "attacker.invalid:9",
        "X-Forwarded-Host": "attacker.invalid:9",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Port": "9",
        Forwarded: "host=attacker.invalid:9;proto=https",
      },
      data: Buffer.from(JSON.stringify({ count: 2 })),
    });
    expect(response.status(), await response.text()).toBe(200);
    const body = (await response.json()) as { results: { outcome: string; status?: number }[] };
    expect(body.results.map((result) => [result.outcome, result.status])).toEqual([
      ["success", 200],
      ["success", 200],
    ]);
    expect(sampleSum((await scrape(request)).samples, "lab_mock_requests_total", { endpoint: "inventory" })).toBe(reached + 2);
  });

  test("respects concurrency: 20 calls 5 at a time against a 200 ms endpoint take about 4 × 200 ms", async ({ request }) => {
    await patchEndpoint(request, "inventory", { latencyMs: 200, jitterMs: 0 });
    await createBreaker(request, { name: "parallel", endpoint: "inventory", options: { failureThreshold: 100 } });

    const started = Date.now();
    const burst = await fire(request, "parallel", { count: 20, concurrency: 5 });
    const elapsed = Date.now() - started;
    expect(burst.results).toHaveLength(20);
    for (const result of burst.results) {
      expect(result.outcome).toBe("success");
      expect(result.durationMs).toBeGreaterThanOrEqual(190);
    }
    // 4 waves of 200 ms: at least 800 ms, and far below 20 sequential calls (4 s).
    expect(elapsed).toBeGreaterThanOrEqual(780);
    expect(elapsed).toBeLessThan(2_800);

    // And concurrency 1 is sequential: 4 calls take at least 4 × 200 ms.
    const sequentialStart = Date.now();
    await fire(request, "parallel", { count: 4, concurrency: 1 });
    expect(Date.now() - sequentialStart).toBeGreaterThanOrEqual(780);
  });
});

test.describe("POST /api/breakers/{name}/actions", () => {
  test("forceOpen, disable and reset move the breaker and answer it", async ({ request }) => {
    await createBreaker(request, { name: "manual", endpoint: "search", options: { failureThreshold: 2 } });

    const forced = await postJson(request, "/api/breakers/manual/actions", { action: "forceOpen" });
    expect(forced.status()).toBe(200);
    expectJson(forced);
    const forcedBody = (await forced.json()) as BreakerBody;
    expect(forcedBody.name).toBe("manual");
    expect(forcedBody.state).toBe("FORCED_OPEN");
    expect(forcedBody.openedAt).toBeNull();
    expect(forcedBody.halfOpenAt).toBeNull();
    const rejected = await fire(request, "manual");
    expect(rejected.results[0]!.outcome).toBe("rejected");
    expect((await getBreaker(request, "manual")).state).toBe("FORCED_OPEN");

    const disabled = await postJson(request, "/api/breakers/manual/actions", { action: "disable" });
    expect(disabled.status()).toBe(200);
    expect(((await disabled.json()) as BreakerBody).state).toBe("DISABLED");
    const passed = await fire(request, "manual");
    expect(passed.results[0]!.outcome).toBe("success");
    expect(passed.snapshot.state).toBe("DISABLED");

    const reset = await postJson(request, "/api/breakers/manual/actions", { action: "reset" });
    expect(reset.status()).toBe(200);
    const resetBody = (await reset.json()) as BreakerBody;
    expect(resetBody.state).toBe("CLOSED");
    // reset keeps the totals of the breaker's life.
    expect(resetBody.totals).toMatchObject({ calls: 2, rejected: 1, successes: 1 });
    expect((await getBreaker(request, "manual")).state).toBe("CLOSED");
  });
});

test.describe("/api/endpoints", () => {
  test("GET lists the endpoints wrapped in { endpoints }; GET one answers the object", async ({ request }) => {
    const response = await request.get("/api/endpoints");
    expect(response.status()).toBe(200);
    expectJson(response);
    const body = (await response.json()) as { endpoints: EndpointBody[] };
    expect(Object.keys(body)).toEqual(["endpoints"]);
    expect(body.endpoints.map((endpoint) => endpoint.name).sort()).toEqual(["inventory", "payments", "search"]);

    const one = await request.get("/api/endpoints/search");
    expect(one.status()).toBe(200);
    expectJson(one);
    const search = (await one.json()) as EndpointBody;
    expectHealthyEndpoint(search, "search");
    expect(search).toEqual(body.endpoints.find((endpoint) => endpoint.name === "search"));
  });

  test("PATCH changes the fault model and answers 200 with the new config", async ({ request }) => {
    const before = (await (await request.get("/api/endpoints/payments")).json()) as EndpointBody;
    const response = await patchJson(request, "/api/endpoints/payments", { failureRate: 0.5, errorStatus: 502 });
    expect(response.status()).toBe(200);
    expectJson(response);
    const patched = (await response.json()) as EndpointBody;
    expect(patched).toEqual({ ...before, failureRate: 0.5, errorStatus: 502 });
    expect(await (await request.get("/api/endpoints/payments")).json()).toEqual(patched);

    const full = { failureRate: 1, errorStatus: 599, latencyMs: 0, jitterMs: 0, fault: "hang" };
    const all = await patchJson(request, "/api/endpoints/payments", full);
    expect(all.status()).toBe(200);
    expect(await all.json()).toEqual({ name: "payments", ...full, capacity: null, retryAfterS: null });

    // Other endpoints are untouched.
    expectHealthyEndpoint((await (await request.get("/api/endpoints/inventory")).json()) as EndpointBody, "inventory");
  });
});

test.describe("ANY /api/mock/{name}", () => {
  const methods = ["GET", "POST", "PUT", "DELETE", "PATCH"] as const;

  test("answers 200 to every method while healthy", async ({ request }) => {
    for (const method of methods) {
      const response = await request.fetch("/api/mock/inventory", { method });
      expect(response.status(), method).toBe(200);
    }
  });

  test("answers errorStatus while down with fault status", async ({ request }) => {
    await patchEndpoint(request, "inventory", { failureRate: 1, errorStatus: 507, fault: "status", latencyMs: 0, jitterMs: 0 });
    for (const method of methods) {
      const response = await request.fetch("/api/mock/inventory", { method });
      expect(response.status(), method).toBe(507);
    }
  });

  test("drops the connection with fault reset: the request throws", async ({ request }) => {
    await patchEndpoint(request, "inventory", { failureRate: 1, fault: "reset", latencyMs: 0, jitterMs: 0 });
    for (const method of ["GET", "POST"] as const) {
      await expect(request.fetch("/api/mock/inventory", { method, maxRetries: 0 }), method).rejects.toThrow();
    }
    // Healthy again: it answers.
    await patchEndpoint(request, "inventory", { failureRate: 0 });
    expect((await request.get("/api/mock/inventory")).status()).toBe(200);
  });

  test("waits latencyMs before answering", async ({ request }) => {
    await patchEndpoint(request, "search", { latencyMs: 300, jitterMs: 0 });
    const started = Date.now();
    expect((await request.get("/api/mock/search")).status()).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });
});

test.describe("GET /api/metrics", () => {
  test("is Prometheus text with every family of the contract", async ({ request }) => {
    const response = await request.get("/api/metrics");
    expect(response.status()).toBe(200);
    expect(response.headers()["content-type"]).toMatch(/^text\/plain/);
    const text = await response.text();
    const families: [string, string][] = [
      ["breaker_state", "gauge"],
      ["breaker_calls_total", "counter"],
      ["breaker_call_duration_seconds", "histogram"],
      ["breaker_failure_rate_percent", "gauge"],
      ["breaker_slow_call_rate_percent", "gauge"],
      ["breaker_transitions_total", "counter"],
      ["lab_sse_clients", "gauge"],
    ];
    for (const [family, type] of families) {
      expect(text, family).toContain(`# TYPE ${family} ${type}`);
      expect(text, family).toContain(`# HELP ${family} `);
    }
    const { samples } = await scrape(request);
    // One state series per library state, 1 for the current one.
    for (const breaker of ["payments", "inventory", "search"]) {
      expect(sampleValue(samples, "breaker_state", { breaker, state: "CLOSED" })).toBe(1);
      for (const state of ["OPEN", "HALF_OPEN", "FORCED_OPEN", "DISABLED"]) {
        expect(sampleValue(samples, "breaker_state", { breaker, state })).toBe(0);
      }
    }
  });

  test("counters move with calls and the state gauge follows a trip", async ({ request }) => {
    await createBreaker(request, { name: "metered", endpoint: "search" });
    const before = (await scrape(request)).samples;
    const calls = (breaker: string, outcome: string) => ({ breaker, outcome });
    for (const outcome of ["success", "failure", "timeout", "rejected", "ignored"]) {
      expect(sampleValue(before, "breaker_calls_total", calls("metered", outcome)), outcome).toBe(0);
    }

    await fire(request, "metered", { count: 3 });
    await fire(request, "payments", { count: 3 });
    const after = (await scrape(request)).samples;
    expect(sampleValue(after, "breaker_calls_total", calls("metered", "success"))).toBe(3);
    expect(sampleValue(after, "breaker_call_duration_seconds_count", { breaker: "metered" })).toBe(3);
    expect(sampleValue(after, "breaker_call_duration_seconds_bucket", { breaker: "metered", le: "+Inf" })).toBe(3);
    expect(sampleValue(after, "breaker_call_duration_seconds_sum", { breaker: "metered" })).toBeGreaterThan(0);
    // Counters of demo breakers live across resets: compare with the value before the calls.
    const paymentsBefore = sampleValue(before, "breaker_calls_total", calls("payments", "success")) ?? 0;
    expect(sampleValue(after, "breaker_calls_total", calls("payments", "success"))).toBe(paymentsBefore + 3);

    // Trip payments (3 consecutive failures): state gauge, transitions, failure rate.
    const tripsBefore = sampleValue(after, "breaker_transitions_total", { breaker: "payments", from: "CLOSED", to: "OPEN" }) ?? 0;
    const failuresBefore = sampleValue(after, "breaker_calls_total", calls("payments", "failure")) ?? 0;
    await patchEndpoint(request, "payments", { failureRate: 1, latencyMs: 0, jitterMs: 0 });
    const tripped = await fire(request, "payments", { count: 3 });
    expect(tripped.snapshot.state).toBe("OPEN");
    const open = (await scrape(request)).samples;
    expect(sampleValue(open, "breaker_state", { breaker: "payments", state: "OPEN" })).toBe(1);
    expect(sampleValue(open, "breaker_state", { breaker: "payments", state: "CLOSED" })).toBe(0);
    expect(sampleValue(open, "breaker_transitions_total", { breaker: "payments", from: "CLOSED", to: "OPEN" })).toBe(tripsBefore + 1);
    expect(sampleValue(open, "breaker_calls_total", calls("payments", "failure"))).toBe(failuresBefore + 3);
    // 3 successes and 3 failures since the last close.
    expect(sampleValue(open, "breaker_failure_rate_percent", { breaker: "payments" })).toBe(50);
    expect(sampleValue(open, "breaker_slow_call_rate_percent", { breaker: "payments" })).toBe(0);

    // A rejected call counts as rejected, and has no duration (the histogram does not move).
    const rejectedBefore = sampleValue(open, "breaker_calls_total", calls("payments", "rejected")) ?? 0;
    const durationsBefore = sampleValue(open, "breaker_call_duration_seconds_count", { breaker: "payments" }) ?? 0;
    await fire(request, "payments");
    const rejected = (await scrape(request)).samples;
    expect(sampleValue(rejected, "breaker_calls_total", calls("payments", "rejected"))).toBe(rejectedBefore + 1);
    expect(sampleValue(rejected, "breaker_call_duration_seconds_count", { breaker: "payments" })).toBe(durationsBefore);
  });

  test("counters never go back: POST /api/reset keeps them; the state gauge returns to CLOSED", async ({ request }) => {
    await patchEndpoint(request, "payments", { failureRate: 1, latencyMs: 0, jitterMs: 0 });
    expect((await fire(request, "payments", { count: 3 })).snapshot.state).toBe("OPEN");
    const before = (await scrape(request)).samples;
    await resetLab(request);
    const after = (await scrape(request)).samples;
    for (const sample of before.filter((candidate) => candidate.name === "breaker_calls_total" || candidate.name === "breaker_transitions_total")) {
      if (!["payments", "inventory", "search"].includes(sample.labels.breaker ?? "")) continue;
      expect(sampleValue(after, sample.name, sample.labels), `${sample.name} ${JSON.stringify(sample.labels)}`).toBeGreaterThanOrEqual(sample.value);
    }
    expect(sampleValue(after, "breaker_state", { breaker: "payments", state: "CLOSED" })).toBe(1);
    expect(sampleValue(after, "breaker_state", { breaker: "payments", state: "OPEN" })).toBe(0);
  });

  test("deleting a breaker removes its series", async ({ request }) => {
    await createBreaker(request, { name: "ephemeral", endpoint: "inventory" });
    await fire(request, "ephemeral", { count: 2 });
    expect(sampleSum((await scrape(request)).samples, "breaker_calls_total", { breaker: "ephemeral" })).toBe(2);
    expect((await request.delete("/api/breakers/ephemeral")).status()).toBe(204);
    const { samples } = await scrape(request);
    expect(samples.filter((sample) => sample.labels.breaker === "ephemeral")).toEqual([]);
  });
});

test.describe("POST /api/reset", () => {
  test("takes no body, or {}, and goes back to the demo defaults", async ({ request }) => {
    const pristine = (await (await request.get("/api/state")).json()) as { breakers: unknown; endpoints: unknown };

    const dirty = async () => {
      await createBreaker(request, { name: "extra", endpoint: "payments" });
      await patchEndpoint(request, "payments", { failureRate: 1, latencyMs: 0 });
      await patchEndpoint(request, "search", { latencyMs: 5 });
      await patchJson(request, "/api/breakers/inventory", { openMs: 1_234 });
      await fire(request, "payments", { count: 3 });
      const state = (await (await request.get("/api/state")).json()) as { timeline: unknown[] };
      expect(state.timeline.length).toBeGreaterThan(0);
    };

    const check = async (response: APIResponse) => {
      expect(response.status(), await response.text()).toBe(200);
      const state = (await (await request.get("/api/state")).json()) as { breakers: BreakerBody[]; endpoints: EndpointBody[]; timeline: unknown[] };
      expect(state.breakers.map((breaker) => breaker.name)).not.toContain("extra");
      expect((await request.get("/api/breakers/extra")).status()).toBe(404);
      for (const endpoint of state.endpoints) expectHealthyEndpoint(endpoint, endpoint.name);
      expect(state.timeline).toEqual([]);
      expect({ breakers: state.breakers, endpoints: state.endpoints }).toEqual({ breakers: pristine.breakers, endpoints: pristine.endpoints });
    };

    await dirty();
    await check(await request.post("/api/reset")); // no body, no content type

    await dirty();
    await check(await request.post("/api/reset", { headers: JSON_HEADERS, data: Buffer.from("{}") }));

    await dirty();
    await check(await request.post("/api/reset", { headers: JSON_HEADERS })); // JSON content type, empty body
  });
});

test.describe("POST /api/reset with a call in flight", () => {
  test("the call of the old lab does not land in the fresh timeline", async ({ request }) => {
    await patchEndpoint(request, "inventory", { latencyMs: 800, jitterMs: 0 });
    const inFlight = postJson(request, "/api/breakers/inventory/calls", {});
    // Let the call start, then reset the lab under it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await resetLab(request);
    const response = await inFlight;
    expect(response.status()).toBe(200);
    const state = (await (await request.get("/api/state")).json()) as { breakers: BreakerBody[]; timeline: unknown[] };
    // The new inventory breaker has made no call, and the timeline agrees with it.
    expect(state.breakers.find((breaker) => breaker.name === "inventory")?.totals).toEqual(ZERO_TOTALS);
    expect(state.timeline).toEqual([]);
  });
});

test.describe("security headers", () => {
  const expectSecurityHeaders = (headers: Record<string, string>, what: string) => {
    expect(headers["x-content-type-options"], what).toBe("nosniff");
    expect(headers["referrer-policy"], what).toBeTruthy();
    expect(headers["content-security-policy"], what).toContain("frame-ancestors 'none'");
    expect(headers["content-security-policy"] ?? "", what).not.toContain("unsafe-eval");
  };

  test("every API response carries nosniff, a Referrer-Policy and frame-ancestors 'none'", async ({ request, baseURL }) => {
    const responses: [string, APIResponse][] = [
      ["GET /api/state", await request.get("/api/state")],
      ["GET /api/breakers", await request.get("/api/breakers")],
      ["GET /api/breakers/payments", await request.get("/api/breakers/payments")],
      ["GET /api/endpoints", await request.get("/api/endpoints")],
      ["GET /api/endpoints/search", await request.get("/api/endpoints/search")],
      ["GET /api/metrics", await request.get("/api/metrics")],
      ["GET /api/mock/search", await request.get("/api/mock/search")],
      ["POST calls", await postJson(request, "/api/breakers/search/calls", {})],
      ["PATCH endpoint", await patchJson(request, "/api/endpoints/search", { latencyMs: 10 })],
      ["404", await request.get("/api/breakers/nope")],
      ["400", await postJson(request, "/api/breakers", { name: "BAD" })],
      ["415", await request.post("/api/reset", { headers: { "Content-Type": "text/plain" }, data: "x" })],
      ["201", await postJson(request, "/api/breakers", { name: "hdr", endpoint: "search" })],
      ["204", await request.delete("/api/breakers/hdr")],
      ["POST /api/reset", await request.post("/api/reset")],
    ];
    for (const [what, response] of responses) expectSecurityHeaders(response.headers(), what);

    const stream = await openEventStream(baseURL!);
    try {
      expectSecurityHeaders(Object.fromEntries(stream.response.headers.entries()), "GET /api/events");
    } finally {
      stream.close();
    }
  });
});
