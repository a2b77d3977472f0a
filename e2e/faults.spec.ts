import { expect, test, type APIRequestContext } from "@playwright/test";
import {
  createBreaker,
  expectApiError,
  fire,
  getEndpoint,
  getJson,
  labContents,
  mockRequests,
  patchEndpoint,
  patchJson,
  postJson,
  resetLab,
  type AttemptBody,
  type EndpointBody,
} from "./support/api";
import { isJson } from "../lib/lab/caller";

// The fault kinds and fields of wave 2 (capacity, Retry-After, malformed, slow-body) seen by real
// calls through a breaker and on the wire, and clients that retry through the breaker.

test.beforeEach(async ({ request }) => {
  await resetLab(request);
});

const HEALTHY_PRESET = { failureRate: 0, latencyMs: 20, jitterMs: 10, fault: "status", capacity: null, retryAfterS: null };

/** Fetch a mock endpoint directly; `headersMs` is the time to the response headers, `totalMs` to the end of the body. */
async function fetchMock(baseURL: string, name: string): Promise<{ status: number; headers: Headers; body: string; headersMs: number; totalMs: number }> {
  const started = performance.now();
  const response = await fetch(new URL(`/api/mock/${name}`, baseURL), { method: "POST" });
  const headersMs = performance.now() - started;
  const body = await response.text();
  return { status: response.status, headers: response.headers, body, headersMs, totalMs: performance.now() - started };
}

async function overloads(request: APIRequestContext, endpoint: string): Promise<number> {
  return mockRequests(request, endpoint, "overload");
}

test.describe("capacity: requests in flight beyond it get 503 at once", () => {
  test("8 concurrent calls against capacity 2 and 500 ms latency: the overflow fails fast with 503 and is counted as overload", async ({ request }) => {
    await createBreaker(request, { name: "crowd", endpoint: "payments", options: { failureThreshold: 100 } });
    // A first burst warms the routes up, so that the timings below are the mock's, not a cold start's.
    await fire(request, "crowd", { count: 8, concurrency: 8 });
    await patchEndpoint(request, "payments", { capacity: 2, latencyMs: 500, jitterMs: 0 });
    const before = await overloads(request, "payments");
    const totalBefore = await mockRequests(request, "payments");

    const fired = await fire(request, "crowd", { count: 8, concurrency: 8 });
    expect(fired.results).toHaveLength(8);
    const overloaded = fired.results.filter((result) => result.outcome === "failure");
    const served = fired.results.filter((result) => result.outcome === "success");
    expect(served.length + overloaded.length).toBe(8);
    expect(served.length).toBeGreaterThanOrEqual(1);
    expect(served.length).toBeLessThanOrEqual(2);
    for (const result of served) {
      expect(result.status).toBe(200);
      expect(result.durationMs).toBeGreaterThanOrEqual(450);
    }
    for (const result of overloaded) {
      expect(result.status).toBe(503);
      // Answered at once, not after the endpoint's 500 ms.
      expect(result.durationMs).toBeLessThan(300);
    }
    expect(fired.snapshot.totals.failures).toBe(overloaded.length);
    expect(fired.snapshot.totals.successes).toBe(8 + served.length);
    expect(fired.snapshot.state).toBe("CLOSED");
    expect(await overloads(request, "payments")).toBe(before + overloaded.length);
    expect(await mockRequests(request, "payments")).toBe(totalBefore + 8);
  });

  test("under capacity nothing is overloaded; capacity null lifts the limit", async ({ request }) => {
    await createBreaker(request, { name: "crowd", endpoint: "payments", options: { failureThreshold: 100 } });
    await patchEndpoint(request, "payments", { capacity: 4, latencyMs: 200, jitterMs: 0 });
    const before = await overloads(request, "payments");
    const within = await fire(request, "crowd", { count: 4, concurrency: 4 });
    expect(within.results.map((result) => result.outcome)).toEqual(["success", "success", "success", "success"]);
    const lifted = await patchEndpoint(request, "payments", { capacity: null });
    expect(lifted.capacity).toBeNull();
    const free = await fire(request, "crowd", { count: 8, concurrency: 8 });
    expect(free.results.every((result) => result.outcome === "success")).toBe(true);
    expect(await overloads(request, "payments")).toBe(before);
  });

  test("a trickling body holds its place: while it streams, the next request is overloaded", async ({ request, baseURL }) => {
    await patchEndpoint(request, "payments", { failureRate: 1, fault: "slow-body", latencyMs: 800, jitterMs: 0, capacity: 1 });
    const before = await overloads(request, "payments");
    const slowBefore = await mockRequests(request, "payments", "slow-body");
    const streaming = fetchMock(baseURL!, "payments");
    await expect.poll(() => mockRequests(request, "payments", "slow-body"), { timeout: 2_000, intervals: [20] }).toBe(slowBefore + 1);
    const second = await fetchMock(baseURL!, "payments");
    expect(second.status).toBe(503);
    expect((await streaming).status).toBe(200);
    expect(await overloads(request, "payments")).toBe(before + 1);
    // Once the body has ended the place is free again.
    expect((await fetchMock(baseURL!, "payments")).status).toBe(200);
  });
});

test.describe("Retry-After on the wire", () => {
  test("a failure status carries Retry-After when retryAfterS is set, and none when it is null", async ({ request, baseURL }) => {
    await patchEndpoint(request, "payments", { failureRate: 1, fault: "status", errorStatus: 503, retryAfterS: 7, latencyMs: 0, jitterMs: 0 });
    const failing = await fetchMock(baseURL!, "payments");
    expect(failing.status).toBe(503);
    expect(failing.headers.get("retry-after")).toBe("7");

    await patchEndpoint(request, "payments", { retryAfterS: 0, errorStatus: 500 });
    const zero = await fetchMock(baseURL!, "payments");
    expect(zero.status).toBe(500);
    expect(zero.headers.get("retry-after")).toBe("0");

    const cleared = await patchEndpoint(request, "payments", { retryAfterS: null });
    expect(cleared.retryAfterS).toBeNull();
    const bare = await fetchMock(baseURL!, "payments");
    expect(bare.status).toBe(500);
    expect(bare.headers.get("retry-after")).toBeNull();

    // A success never asks the client to wait.
    await patchEndpoint(request, "payments", { failureRate: 0, retryAfterS: 7 });
    const ok = await fetchMock(baseURL!, "payments");
    expect(ok.status).toBe(200);
    expect(ok.headers.get("retry-after")).toBeNull();
  });

  test("an overload 503 carries Retry-After too", async ({ request, baseURL }) => {
    await patchEndpoint(request, "payments", { failureRate: 0, capacity: 1, latencyMs: 600, jitterMs: 0, retryAfterS: 3 });
    const before = await overloads(request, "payments");
    const answers = await Promise.all([fetchMock(baseURL!, "payments"), fetchMock(baseURL!, "payments")]);
    const overloaded = answers.filter((answer) => answer.status === 503);
    const served = answers.filter((answer) => answer.status === 200);
    expect(overloaded).toHaveLength(1);
    expect(served).toHaveLength(1);
    expect(overloaded[0]!.headers.get("retry-after")).toBe("3");
    expect(overloaded[0]!.totalMs).toBeLessThan(400);
    expect(served[0]!.headers.get("retry-after")).toBeNull();
    expect(await overloads(request, "payments")).toBe(before + 1);

    // Without retryAfterS the overload 503 has no Retry-After.
    await patchEndpoint(request, "payments", { retryAfterS: null });
    const plain = await Promise.all([fetchMock(baseURL!, "payments"), fetchMock(baseURL!, "payments")]);
    const plainOverload = plain.find((answer) => answer.status === 503);
    expect(plainOverload, `statuses ${plain.map((answer) => answer.status).join(", ")}`).toBeDefined();
    expect(plainOverload!.headers.get("retry-after")).toBeNull();
  });
});

test.describe("malformed: 200 with a body that is not JSON", () => {
  test("the mock's body is not JSON; a call through a breaker is a failure with status 200, counted by the breaker", async ({ request, baseURL }) => {
    await createBreaker(request, { name: "parse", endpoint: "search", options: { failureThreshold: 100 } });
    await patchEndpoint(request, "search", { failureRate: 1, fault: "malformed", latencyMs: 0, jitterMs: 0 });
    const before = await mockRequests(request, "search", "malformed");

    const raw = await fetchMock(baseURL!, "search");
    expect(raw.status).toBe(200);
    expect(raw.body.length).toBeGreaterThan(0);
    expect(isJson(raw.body)).toBe(false);

    const fired = await fire(request, "parse", { count: 2 });
    for (const result of fired.results) {
      expect(result.outcome).toBe("failure");
      expect(result.status).toBe(200);
      expect(typeof result.error).toBe("string");
    }
    expect(fired.snapshot.totals).toMatchObject({ calls: 2, failures: 2, successes: 0 });
    expect(fired.snapshot.consecutiveFailures).toBe(2);
    expect(await mockRequests(request, "search", "malformed")).toBe(before + 3);

    // The same endpoint healthy again: the body is JSON and the call a success.
    await patchEndpoint(request, "search", { failureRate: 0 });
    const healthyRaw = await fetchMock(baseURL!, "search");
    expect(isJson(healthyRaw.body)).toBe(true);
    expect((await fire(request, "parse")).results[0]!.outcome).toBe("success");
  });

  test("malformed failures trip a breaker like any failure", async ({ request }) => {
    await createBreaker(request, { name: "parse", endpoint: "search", options: { failureThreshold: 2, openMs: 60_000 } });
    await patchEndpoint(request, "search", { failureRate: 1, fault: "malformed", latencyMs: 0, jitterMs: 0 });
    const fired = await fire(request, "parse", { count: 3 });
    expect(fired.results.map((result) => result.outcome)).toEqual(["failure", "failure", "rejected"]);
    expect(fired.snapshot.state).toBe("OPEN");
  });
});

test.describe("slow-body: headers at once, the body over latencyMs", () => {
  test("on the wire: time to headers well below latencyMs, the whole body after about latencyMs", async ({ request, baseURL }) => {
    await patchEndpoint(request, "payments", { failureRate: 1, fault: "slow-body", latencyMs: 1_200, jitterMs: 0 });
    const before = await mockRequests(request, "payments", "slow-body");
    const answer = await fetchMock(baseURL!, "payments");
    expect(answer.status).toBe(200);
    expect(answer.headersMs).toBeLessThan(400);
    expect(answer.totalMs).toBeGreaterThanOrEqual(1_100);
    expect(answer.totalMs).toBeLessThan(2_500);
    expect(await mockRequests(request, "payments", "slow-body")).toBe(before + 1);
  });

  test("a breaker whose timeoutMs is below the latency reports timeout; without a timeout the call reads the whole body", async ({ request }) => {
    await createBreaker(request, { name: "impatient", endpoint: "payments", options: { failureThreshold: 100, timeoutMs: 400 } });
    await createBreaker(request, { name: "patient", endpoint: "payments", options: { failureThreshold: 100 } });
    await patchEndpoint(request, "payments", { failureRate: 1, fault: "slow-body", latencyMs: 1_000, jitterMs: 0 });

    const impatient = await fire(request, "impatient");
    expect(impatient.results[0]!.outcome).toBe("timeout");
    expect(impatient.results[0]!.durationMs).toBeGreaterThanOrEqual(350);
    expect(impatient.results[0]!.durationMs).toBeLessThan(900);
    expect(impatient.snapshot.totals.timeouts).toBe(1);

    const patient = await fire(request, "patient");
    expect(patient.results[0]!.outcome).toBe("success");
    expect(patient.results[0]!.status).toBe(200);
    // The caller reads every body: the call lasts as long as the trickle.
    expect(patient.results[0]!.durationMs).toBeGreaterThanOrEqual(900);
  });
});

test.describe("capacity and retryAfterS in the endpoint model", () => {
  test("every endpoint object carries both (null when unset); the Healthy preset patch clears them", async ({ request }) => {
    const list = await getJson<{ endpoints: EndpointBody[] }>(request, "/api/endpoints");
    const state = await getJson<{ endpoints: EndpointBody[] }>(request, "/api/state");
    for (const endpoint of [...list.endpoints, ...state.endpoints, await getEndpoint(request, "search")]) {
      expect(Object.keys(endpoint).sort()).toEqual(["capacity", "errorStatus", "failureRate", "fault", "jitterMs", "latencyMs", "name", "retryAfterS"]);
      expect(endpoint.capacity).toBeNull();
      expect(endpoint.retryAfterS).toBeNull();
    }

    const broken = await patchEndpoint(request, "inventory", { failureRate: 1, fault: "malformed", capacity: 5, retryAfterS: 9, latencyMs: 700 });
    expect(broken).toMatchObject({ capacity: 5, retryAfterS: 9, fault: "malformed" });
    expect(await getEndpoint(request, "inventory")).toEqual(broken);

    const response = await patchJson(request, "/api/endpoints/inventory", HEALTHY_PRESET);
    expect(response.status(), await response.text()).toBe(200);
    const healed = (await response.json()) as EndpointBody;
    expect(healed).toEqual({ name: "inventory", errorStatus: 503, ...HEALTHY_PRESET });
    expect(await getEndpoint(request, "inventory")).toEqual(healed);
  });

  test("the new fault kinds are accepted by PATCH", async ({ request }) => {
    for (const fault of ["slow-body", "malformed", "status", "reset", "hang"]) {
      expect((await patchEndpoint(request, "search", { fault })).fault).toBe(fault);
    }
    expect(await patchEndpoint(request, "search", { capacity: 1, retryAfterS: 0 })).toMatchObject({ capacity: 1, retryAfterS: 0 });
    expect(await patchEndpoint(request, "search", { capacity: 10_000, retryAfterS: 3_600 })).toMatchObject({ capacity: 10_000, retryAfterS: 3_600 });
  });

  const BAD: [string, unknown][] = [
    ["capacity", 0],
    ["capacity", 10_001],
    ["capacity", 1.5],
    ["capacity", -1],
    ["capacity", "2"],
    ["capacity", true],
    ["retryAfterS", -1],
    ["retryAfterS", 3_601],
    ["retryAfterS", 1.5],
    ["retryAfterS", "7"],
    ["fault", "slow"],
    ["fault", "Malformed"],
  ];
  for (const [field, value] of BAD) {
    test(`PATCH ${field}: ${JSON.stringify(value)} is refused naming the field, nothing changes`, async ({ request }) => {
      await patchEndpoint(request, "inventory", { capacity: 3, retryAfterS: 2 });
      const before = await labContents(request);
      await expectApiError(await patchJson(request, "/api/endpoints/inventory", { failureRate: 1, [field]: value }), 400, { field });
      expect(await labContents(request)).toEqual(before);
    });
  }
});

test.describe("clients that retry: retries and retryDelayMs on POST /api/breakers/{name}/calls", () => {
  function expectAttempt(attempt: AttemptBody): void {
    for (const key of Object.keys(attempt)) expect(["outcome", "status", "durationMs", "error"]).toContain(key);
    expect(["success", "failure", "timeout", "rejected", "ignored"]).toContain(attempt.outcome);
    expect(typeof attempt.durationMs).toBe("number");
    expect(attempt.durationMs).toBeGreaterThanOrEqual(0);
  }

  test("every result lists its attempts; a success needs one", async ({ request }) => {
    const fired = await fire(request, "payments", { count: 3, retries: 2 });
    for (const result of fired.results) {
      expect(result.outcome).toBe("success");
      expect(result.attempts).toHaveLength(1);
      expectAttempt(result.attempts![0]!);
      expect(result.attempts![0]).toMatchObject({ outcome: "success", status: 200 });
    }
    // Without retries too.
    const plain = await fire(request, "payments");
    expect(plain.results[0]!.attempts).toEqual([expect.objectContaining({ outcome: "success", status: 200 })]);
  });

  test("against a down endpoint, retries stop at the trip: a rejection ends them, and the mock sees only the real attempts", async ({ request }) => {
    await createBreaker(request, { name: "retrier", endpoint: "payments", options: { failureThreshold: 3, openMs: 60_000 } });
    await patchEndpoint(request, "payments", { failureRate: 1, latencyMs: 0, jitterMs: 0 });
    const before = await mockRequests(request, "payments");

    const fired = await fire(request, "retrier", { retries: 5, retryDelayMs: 0 });
    expect(fired.results).toHaveLength(1);
    const attempts = fired.results[0]!.attempts!;
    for (const attempt of attempts) expectAttempt(attempt);
    const real = attempts.filter((attempt) => attempt.outcome !== "rejected");
    expect(real).toHaveLength(3);
    for (const attempt of real) expect(attempt).toMatchObject({ outcome: "failure", status: 503 });
    // At most one rejected attempt, and only as the last: a rejection is never retried.
    expect(attempts.slice(0, 3).map((attempt) => attempt.outcome)).toEqual(["failure", "failure", "failure"]);
    expect(attempts.length).toBeLessThanOrEqual(4);
    if (attempts.length === 4) expect(attempts[3]!.outcome).toBe("rejected");
    expect(fired.results[0]!.outcome).toBe(attempts.at(-1)!.outcome);
    expect(fired.snapshot.state).toBe("OPEN");
    expect(await mockRequests(request, "payments")).toBe(before + 3);

    // Once open, a retrying call is cut off at its first attempt: nothing reaches the upstream.
    const cutOff = await fire(request, "retrier", { count: 3, retries: 5, retryDelayMs: 0 });
    for (const result of cutOff.results) {
      expect(result.outcome).toBe("rejected");
      expect(result.attempts!.map((attempt) => attempt.outcome)).toEqual(["rejected"]);
    }
    expect(await mockRequests(request, "payments")).toBe(before + 3);
  });

  test("retries multiply the load while the breaker stays closed, retryDelayMs apart", async ({ request }) => {
    await createBreaker(request, { name: "storm", endpoint: "payments", options: { failureThreshold: 100 } });
    await patchEndpoint(request, "payments", { failureRate: 1, latencyMs: 0, jitterMs: 0, errorStatus: 502 });
    const before = await mockRequests(request, "payments");
    const fired = await fire(request, "storm", { count: 2, concurrency: 2, retries: 2, retryDelayMs: 300 });
    for (const result of fired.results) {
      expect(result.attempts!.map((attempt) => [attempt.outcome, attempt.status])).toEqual([
        ["failure", 502],
        ["failure", 502],
        ["failure", 502],
      ]);
      expect(result.outcome).toBe("failure");
      expect(result.status).toBe(502);
      // Two delays of 300 ms between three attempts.
      expect(result.durationMs).toBeGreaterThanOrEqual(580);
    }
    expect(fired.snapshot.totals.failures).toBe(6);
    expect(await mockRequests(request, "payments")).toBe(before + 6);
  });

  test("retryDelayMs defaults to 100 ms, retries to 0", async ({ request }) => {
    await createBreaker(request, { name: "defaults", endpoint: "payments", options: { failureThreshold: 100 } });
    await patchEndpoint(request, "payments", { failureRate: 1, latencyMs: 0, jitterMs: 0 });
    const once = await fire(request, "defaults");
    expect(once.results[0]!.attempts!.map((attempt) => attempt.outcome)).toEqual(["failure"]);
    const retried = await fire(request, "defaults", { retries: 2 });
    expect(retried.results[0]!.attempts!.map((attempt) => attempt.outcome)).toEqual(["failure", "failure", "failure"]);
    expect(retried.results[0]!.durationMs).toBeGreaterThanOrEqual(190);
  });

  test("a timeout is retried like a failure", async ({ request }) => {
    await createBreaker(request, { name: "slowpoke", endpoint: "search", options: { failureThreshold: 100, timeoutMs: 200 } });
    await patchEndpoint(request, "search", { latencyMs: 600, jitterMs: 0 });
    const before = await mockRequests(request, "search");
    const fired = await fire(request, "slowpoke", { retries: 1, retryDelayMs: 0 });
    expect(fired.results[0]!.attempts!.map((attempt) => attempt.outcome)).toEqual(["timeout", "timeout"]);
    expect(fired.results[0]!.outcome).toBe("timeout");
    expect(fired.snapshot.totals.timeouts).toBe(2);
    expect(await mockRequests(request, "search")).toBe(before + 2);
  });

  test("a retry that succeeds ends the retries", async ({ request }) => {
    await createBreaker(request, { name: "flaky", endpoint: "payments", options: { failureThreshold: 100 } });
    await patchEndpoint(request, "payments", { failureRate: 0.5, latencyMs: 0, jitterMs: 0 });
    const fired = await fire(request, "flaky", { count: 20, concurrency: 5, retries: 5, retryDelayMs: 0 });
    for (const result of fired.results) {
      const outcomes = result.attempts!.map((attempt) => attempt.outcome);
      expect(outcomes.length).toBeGreaterThanOrEqual(1);
      expect(outcomes.length).toBeLessThanOrEqual(6);
      // Every attempt but the last failed; the last is the result.
      expect(outcomes.slice(0, -1).every((outcome) => outcome === "failure")).toBe(true);
      if (outcomes.length < 6) expect(outcomes.at(-1)).toBe("success");
      expect(result.outcome).toBe(outcomes.at(-1));
    }
  });

  test("a retry storm: against an overloaded upstream, retries multiply the load until the breaker trips and cuts them off", async ({ request }) => {
    await createBreaker(request, { name: "storm", endpoint: "inventory", options: { failureThreshold: 10, openMs: 60_000 } });
    await patchEndpoint(request, "inventory", { capacity: 2, latencyMs: 1_000, jitterMs: 0 });
    const before = await mockRequests(request, "inventory");
    const overloadsBefore = await overloads(request, "inventory");
    const fired = await fire(request, "storm", { count: 8, concurrency: 8, retries: 5, retryDelayMs: 50 });
    const attempts = fired.results.flatMap((result) => result.attempts!);
    const reached = attempts.filter((attempt) => attempt.outcome !== "rejected");
    const overloaded = attempts.filter((attempt) => attempt.outcome === "failure" && attempt.status === 503);
    // The upstream saw every attempt the breaker let through, and more requests than calls.
    expect(await mockRequests(request, "inventory")).toBe(before + reached.length);
    expect(reached.length).toBeGreaterThan(8);
    expect(await overloads(request, "inventory")).toBe(overloadsBefore + overloaded.length);
    // The breaker tripped and the later retries were refused without reaching it.
    expect(fired.snapshot.state).toBe("OPEN");
    expect(attempts.some((attempt) => attempt.outcome === "rejected")).toBe(true);
    expect(reached.length).toBeLessThan(8 * 6);
    for (const result of fired.results) {
      const outcomes = result.attempts!.map((attempt) => attempt.outcome);
      expect(outcomes.indexOf("rejected") === -1 || outcomes.indexOf("rejected") === outcomes.length - 1).toBe(true);
    }
  });

  const BAD: [string, unknown][] = [
    ["retries", 6],
    ["retries", -1],
    ["retries", 1.5],
    ["retries", "1"],
    ["retries", null],
    ["retryDelayMs", 10_001],
    ["retryDelayMs", -1],
    ["retryDelayMs", "100"],
  ];
  for (const [field, value] of BAD) {
    test(`${field}: ${JSON.stringify(value)} is refused naming the field; no call is fired`, async ({ request }) => {
      await patchEndpoint(request, "payments", { failureRate: 1 });
      const before = await mockRequests(request, "payments");
      await expectApiError(await postJson(request, "/api/breakers/payments/calls", { count: 2, [field]: value }), 400, { field });
      expect(await mockRequests(request, "payments")).toBe(before);
      expect((await getJson<{ totals: { calls: number } }>(request, "/api/breakers/payments")).totals.calls).toBe(0);
    });
  }

  test("the edges are accepted: retries 0 and 5, retryDelayMs 0 and 10 000", async ({ request }) => {
    for (const body of [{ retries: 0 }, { retries: 5, retryDelayMs: 0 }, { retryDelayMs: 10_000 }]) {
      const response = await postJson(request, "/api/breakers/payments/calls", body);
      expect(response.status(), await response.text()).toBe(200);
    }
  });
});
