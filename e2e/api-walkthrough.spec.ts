import { expect, test, type APIRequestContext } from "@playwright/test";
import {
  createBreaker,
  fire,
  getBreaker,
  openEventStream,
  patchEndpoint,
  patchJson,
  resetLab,
  sampleSum,
  sampleValue,
  scrape,
  type EndpointBody,
  type FireBody,
  type SseFrame,
} from "./support/api";

// The seed's walkthrough over HTTP, the live event stream around it, and a real timeout.

test.beforeEach(async ({ request }) => {
  await resetLab(request);
});

async function mockRequests(request: APIRequestContext, endpoint: string): Promise<number> {
  return sampleSum((await scrape(request)).samples, "lab_mock_requests_total", { endpoint });
}

async function sseClients(request: APIRequestContext): Promise<number> {
  return sampleValue((await scrape(request)).samples, "lab_sse_clients", {}) ?? Number.NaN;
}

interface BreakerEventData {
  type: string;
  breaker: string;
  at: number;
  from?: string;
  to?: string;
  reason?: string;
  durationMs?: number;
  timeout?: boolean;
  error?: { name: string; message: string };
}

test("walkthrough: trip on 3 failures, reject while OPEN, HALF_OPEN after openMs, close on a healthy probe", async ({ request }) => {
  const created = await createBreaker(request, { name: "walk", endpoint: "payments", options: { failureThreshold: 3, openMs: 1_500 } });
  expect(created.state).toBe("CLOSED");
  await patchEndpoint(request, "payments", { failureRate: 1 });

  // Three failing calls: each a failure with the endpoint's 503; the breaker trips.
  const failing = await fire(request, "walk", { count: 3 });
  expect(failing.results).toHaveLength(3);
  for (const result of failing.results) {
    expect(result.outcome).toBe("failure");
    expect(result.status).toBe(503);
  }
  expect(failing.snapshot.state).toBe("OPEN");
  expect(failing.snapshot.consecutiveFailures).toBe(3);
  expect(failing.snapshot.openedAt).not.toBeNull();
  expect(failing.snapshot.halfOpenAt! - failing.snapshot.openedAt!).toBeCloseTo(1_500, 0);
  expect((await getBreaker(request, "walk")).state).toBe("OPEN");

  // While OPEN a call is rejected at once and never reaches the endpoint.
  const reached = await mockRequests(request, "payments");
  const rejected = await fire(request, "walk");
  expect(rejected.results).toHaveLength(1);
  expect(rejected.results[0]!.outcome).toBe("rejected");
  expect(rejected.results[0]!.durationMs).toBeLessThan(50);
  expect(rejected.results[0]!.status).toBeUndefined();
  expect(rejected.snapshot.totals).toMatchObject({ calls: 4, failures: 3, rejected: 1 });
  expect(await mockRequests(request, "payments")).toBe(reached);

  // HALF_OPEN once openMs has passed.
  await expect
    .poll(async () => (await getBreaker(request, "walk")).state, { timeout: 5_000, intervals: [100] })
    .toBe("HALF_OPEN");

  // Heal the endpoint: the probe succeeds and the breaker closes.
  await patchEndpoint(request, "payments", { failureRate: 0 });
  const probe = await fire(request, "walk");
  expect(probe.results[0]!.outcome).toBe("success");
  expect(probe.results[0]!.status).toBe(200);
  expect(probe.snapshot.state).toBe("CLOSED");
  expect(probe.snapshot.openedAt).toBeNull();
  expect(probe.snapshot.halfOpenAt).toBeNull();
  expect((await getBreaker(request, "walk")).state).toBe("CLOSED");

  // The timeline tells the story: CLOSED→OPEN, OPEN→HALF_OPEN, HALF_OPEN→CLOSED.
  const state = (await (await request.get("/api/state")).json()) as {
    timeline: { at: number; breaker: string; kind: string; from?: string; to?: string; reason?: string; outcome?: string }[];
  };
  const walk = state.timeline.filter((entry) => entry.breaker === "walk");
  for (const entry of walk) {
    const keys = Object.keys(entry).sort();
    if (entry.kind === "transition") expect(keys).toEqual(["at", "breaker", "from", "kind", "reason", "to"]);
    else if (entry.outcome === "rejected") expect(keys).toEqual(["at", "breaker", "durationMs", "kind", "outcome"]);
    else expect(keys).toEqual(["at", "breaker", "durationMs", "kind", "outcome", "status"]);
  }
  const times = walk.map((entry) => entry.at);
  for (let i = 1; i < times.length; i += 1) expect(times[i]!).toBeGreaterThanOrEqual(times[i - 1]!);
  expect(walk.filter((entry) => entry.kind === "transition").map(({ from, to, reason }) => ({ from, to, reason }))).toEqual([
    { from: "CLOSED", to: "OPEN", reason: "failure-threshold" },
    { from: "OPEN", to: "HALF_OPEN", reason: "open-elapsed" },
    { from: "HALF_OPEN", to: "CLOSED", reason: "trial-succeeded" },
  ]);
  expect(walk.filter((entry) => entry.kind === "call").map((entry) => entry.outcome)).toEqual([
    "failure",
    "failure",
    "failure",
    "rejected",
    "success",
  ]);
});

test.describe("GET /api/events", () => {
  test("during a trip: snapshot first, then failure ×3 and CLOSED→OPEN, with increasing ids", async ({ request, baseURL }) => {
    await createBreaker(request, { name: "walk", endpoint: "payments", options: { failureThreshold: 3, openMs: 1_500 } });
    await patchEndpoint(request, "payments", { failureRate: 1 });

    const stream = await openEventStream(baseURL!);
    try {
      const first = await stream.next();
      expect(first.event).toBe("snapshot");
      expect(first.id).toMatch(/^\d+$/);
      const snapshot = JSON.parse(first.data) as { now: number; breakers: { name: string; state: string }[]; endpoints: EndpointBody[]; timeline: unknown[] };
      expect(Object.keys(snapshot).sort()).toEqual(["breakers", "endpoints", "instance", "instances", "now", "playback", "timeline"]);
      expect(snapshot.breakers.find((breaker) => breaker.name === "walk")?.state).toBe("CLOSED");
      expect(snapshot.endpoints.find((endpoint) => endpoint.name === "payments")?.failureRate).toBe(1);

      const tripped = await fire(request, "walk", { count: 3 });
      expect(tripped.snapshot.state).toBe("OPEN");

      const frames: SseFrame[] = [];
      for (let i = 0; i < 4; i += 1) frames.push(await stream.next());
      expect(frames.map((frame) => frame.event)).toEqual(["breaker", "breaker", "breaker", "breaker"]);

      const ids = [first, ...frames].map((frame) => Number(frame.id));
      for (const id of ids) expect(Number.isInteger(id)).toBe(true);
      for (let i = 1; i < ids.length; i += 1) expect(ids[i]!).toBeGreaterThan(ids[i - 1]!);

      const events = frames.map((frame) => JSON.parse(frame.data) as BreakerEventData);
      expect(events.map((event) => event.type)).toEqual(["failure", "failure", "failure", "state"]);
      for (const event of events) {
        expect(event.breaker).toBe("walk");
        expect(typeof event.at).toBe("number");
        expect(Math.abs(event.at - snapshot.now)).toBeLessThan(60_000);
      }
      for (let i = 1; i < events.length; i += 1) expect(events[i]!.at).toBeGreaterThanOrEqual(events[i - 1]!.at);
      for (const failure of events.slice(0, 3)) {
        expect(failure.error).toEqual({ name: "HttpStatus", message: "503" });
        expect(failure.timeout).toBe(false);
        expect(typeof failure.durationMs).toBe("number");
      }
      expect(events[3]).toMatchObject({ type: "state", from: "CLOSED", to: "OPEN", reason: "failure-threshold" });
    } finally {
      stream.close();
    }
  });

  test("an endpoint event carries the new config after a PATCH", async ({ request, baseURL }) => {
    const stream = await openEventStream(baseURL!);
    try {
      const first = await stream.next();
      expect(first.event).toBe("snapshot");
      const patched = await patchEndpoint(request, "inventory", { failureRate: 0.25, errorStatus: 502 });
      const frame = await stream.next();
      expect(frame.event).toBe("endpoint");
      expect(Number(frame.id)).toBeGreaterThan(Number(first.id));
      expect(JSON.parse(frame.data)).toEqual(patched);
      expect(patched).toMatchObject({ name: "inventory", failureRate: 0.25, errorStatus: 502 });
    } finally {
      stream.close();
    }
  });

  test("a manual action is a state event on the stream", async ({ request, baseURL }) => {
    await createBreaker(request, { name: "walk", endpoint: "payments", options: { failureThreshold: 3, openMs: 1_500 } });
    const stream = await openEventStream(baseURL!);
    try {
      expect((await stream.next()).event).toBe("snapshot");
      const response = await patchJson(request, "/api/breakers/walk", {}); // a no-op patch
      expect(response.status()).toBe(200);
      const forced = await request.post("/api/breakers/walk/actions", { headers: { "Content-Type": "application/json" }, data: { action: "forceOpen" } });
      expect(forced.status()).toBe(200);
      const { frame } = await stream.until((candidate) => candidate.event === "breaker");
      expect(JSON.parse(frame.data)).toMatchObject({ type: "state", breaker: "walk", from: "CLOSED", to: "FORCED_OPEN", reason: "force-open" });
    } finally {
      stream.close();
    }
  });

  test("a dropped connection is a failure event whose error is { name, message }", async ({ request, baseURL }) => {
    await createBreaker(request, { name: "walk", endpoint: "payments", options: { failureThreshold: 3, openMs: 1_500 } });
    await patchEndpoint(request, "payments", { failureRate: 1, fault: "reset" });
    const stream = await openEventStream(baseURL!);
    try {
      expect((await stream.next()).event).toBe("snapshot");
      const result = (await fire(request, "walk")).results[0]!;
      expect(result.outcome).toBe("failure");
      expect(result.status).toBeUndefined();
      const event = JSON.parse((await stream.next()).data) as BreakerEventData;
      expect(event).toMatchObject({ type: "failure", breaker: "walk", timeout: false });
      expect(Object.keys(event.error ?? {}).sort()).toEqual(["message", "name"]);
      expect(typeof event.error?.name).toBe("string");
      expect(event.error?.message.length).toBeGreaterThan(0);
    } finally {
      stream.close();
    }
  });

  test("an idle stream gets a comment heartbeat within 15 s", async ({ baseURL }) => {
    test.setTimeout(30_000);
    const stream = await openEventStream(baseURL!);
    try {
      expect((await stream.next()).event).toBe("snapshot");
      const { frame, skipped } = await stream.until((candidate) => candidate.comments.length > 0, 17_000);
      expect(skipped).toEqual([]);
      expect(frame.id).toBeUndefined();
      expect(frame.event).toBeUndefined();
      expect(frame.data).toBe("");
    } finally {
      stream.close();
    }
  });

  test("sends SSE headers, and lab_sse_clients falls back once the stream is aborted", async ({ request, baseURL }) => {
    const before = await sseClients(request);
    expect(Number.isFinite(before)).toBe(true);

    const stream = await openEventStream(baseURL!);
    try {
      expect(stream.response.status).toBe(200);
      const headers = stream.response.headers;
      expect(headers.get("content-type")).toMatch(/^text\/event-stream/);
      expect(headers.get("cache-control")).toBe("no-cache, no-transform");
      expect(headers.get("x-accel-buffering")).toBe("no");
      expect((await stream.next()).event).toBe("snapshot");
      await expect.poll(() => sseClients(request), { timeout: 5_000, intervals: [100] }).toBe(before + 1);
    } finally {
      stream.close();
    }
    await expect.poll(() => sseClients(request), { timeout: 5_000, intervals: [100] }).toBe(before);
  });

  test("two streams count as two clients, and both fall back", async ({ request, baseURL }) => {
    const before = await sseClients(request);
    const one = await openEventStream(baseURL!);
    const two = await openEventStream(baseURL!);
    try {
      expect((await one.next()).event).toBe("snapshot");
      expect((await two.next()).event).toBe("snapshot");
      await expect.poll(() => sseClients(request), { timeout: 5_000, intervals: [100] }).toBe(before + 2);
      one.close();
      await expect.poll(() => sseClients(request), { timeout: 5_000, intervals: [100] }).toBe(before + 1);
    } finally {
      one.close();
      two.close();
    }
    await expect.poll(() => sseClients(request), { timeout: 5_000, intervals: [100] }).toBe(before);
  });
});

test("a hanging endpoint times out after the breaker's timeoutMs (search: 2 s)", async ({ request, baseURL }) => {
  const calls = (outcome: string) => ({ breaker: "search", outcome });
  const before = (await scrape(request)).samples;
  await patchEndpoint(request, "search", { failureRate: 1, fault: "hang" });

  const stream = await openEventStream(baseURL!);
  let elapsed = 0;
  let response: FireBody | undefined;
  try {
    expect((await stream.next()).event).toBe("snapshot");
    const started = Date.now();
    response = await fire(request, "search");
    elapsed = Date.now() - started;
    const { frame } = await stream.until((candidate) => candidate.event === "breaker");
    const event = JSON.parse(frame.data) as BreakerEventData;
    expect(event).toMatchObject({ type: "failure", breaker: "search", timeout: true });
    expect(event.error?.name).toBe("CallTimeoutError");
    expect(typeof event.error?.message).toBe("string");
  } finally {
    stream.close();
  }
  expect(response?.results).toHaveLength(1);
  const result = response!.results[0]!;
  expect(result.outcome).toBe("timeout");
  expect(result.status).toBeUndefined();
  expect(result.durationMs).toBeGreaterThanOrEqual(1_900);
  expect(result.durationMs).toBeLessThanOrEqual(4_000);
  expect(elapsed).toBeGreaterThanOrEqual(1_900);
  expect(elapsed).toBeLessThanOrEqual(4_000);
  expect(response!.snapshot.totals).toMatchObject({ calls: 1, failures: 1, timeouts: 1 });

  // A timeout counts as `timeout` in the metrics, not as `failure`.
  const after = (await scrape(request)).samples;
  expect(sampleValue(after, "breaker_calls_total", calls("timeout"))).toBe((sampleValue(before, "breaker_calls_total", calls("timeout")) ?? 0) + 1);
  expect(sampleValue(after, "breaker_calls_total", calls("failure"))).toBe(sampleValue(before, "breaker_calls_total", calls("failure")) ?? 0);
});

test("a calls request the client abandons counts its call as ignored", async ({ request, baseURL }) => {
  await patchEndpoint(request, "inventory", { latencyMs: 1_500, jitterMs: 0 });
  await createBreaker(request, { name: "walk", endpoint: "inventory", options: { failureThreshold: 1, openMs: 1_500 } });
  const reached = await mockRequests(request, "inventory");
  const controller = new AbortController();
  const pending = fetch(new URL("/api/breakers/walk/calls", baseURL), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: "{}",
    signal: controller.signal,
  }).catch((error: unknown) => error);
  // Wait until the call is in flight, then leave.
  await expect.poll(() => mockRequests(request, "inventory"), { timeout: 5_000, intervals: [50] }).toBeGreaterThan(reached);
  controller.abort();
  expect(await pending).toBeInstanceOf(Error);
  await expect
    .poll(async () => (await getBreaker(request, "walk")).totals, { timeout: 5_000, intervals: [100] })
    .toMatchObject({ calls: 1, ignored: 1, failures: 0, successes: 0 });
  // Ignored: the breaker (threshold 1) did not trip.
  expect((await getBreaker(request, "walk")).state).toBe("CLOSED");
});
