import { expect, test } from "@playwright/test";
import { decodeTimeline, type CompactFrame, type DashboardState } from "../lib/api/compact";
import type { LabState } from "../lib/api/types";
import { createBreaker, expectApiError, fire, getJson, openEventStream, patchEndpoint, resetLab } from "./support/api";

// The dashboard's opt-in forms: GET /api/state?view=dashboard and GET /api/events?compact=1.

test.beforeEach(async ({ request }) => {
  await resetLab(request);
});

test("the dashboard view holds what the full state holds, in compact form and a fraction of its size", async ({ request }) => {
  await fire(request, "payments", { count: 200, concurrency: 20 });
  await patchEndpoint(request, "search", { failureRate: 1 });
  await fire(request, "search", { count: 20, concurrency: 5 });
  const fullText = await (await request.get("/api/state")).text();
  const compactText = await (await request.get("/api/state?view=dashboard")).text();
  const full = JSON.parse(fullText) as LabState;
  const compact = JSON.parse(compactText) as DashboardState;

  expect(Object.keys(compact).sort()).toEqual(["breakers", "endpoints", "instance", "instances", "now", "playback", "timeline"]);
  expect(compact.breakers.map(({ name, state, totals }) => ({ name, state, totals }))).toEqual(full.breakers.map(({ name, state, totals }) => ({ name, state, totals })));
  expect(compact.endpoints).toEqual(full.endpoints);
  const decoded = decodeTimeline(compact.timeline);
  expect(decoded.map((entry) => ({ ...entry, at: 0 }))).toEqual(
    full.timeline.map((entry) => ({ ...entry, at: 0, ...(entry.kind === "call" ? { durationMs: Math.round(entry.durationMs * 10) / 10 } : {}) })),
  );
  decoded.forEach((entry, index) => expect(Math.abs(entry.at - full.timeline[index]!.at)).toBeLessThanOrEqual(0.1));
  console.log(`GET /api/state: ${fullText.length} bytes; ?view=dashboard: ${compactText.length} bytes (${(fullText.length / compactText.length).toFixed(1)}× smaller)`);
  expect(compactText.length * 3).toBeLessThan(fullText.length);
});

test("bad query strings are refused with 400 naming the parameter", async ({ request }) => {
  const view = await expectApiError(await request.get("/api/state?view=everything"), 400, { code: "invalid_query", field: "view" });
  expect(view.message).toMatch(/view must be "full" or "dashboard"/);
  await expectApiError(await request.get("/api/state?view=dashboard&view=full"), 400, { code: "invalid_query", field: "view" });
  const unknown = await expectApiError(await request.get("/api/state?limit=5"), 400, { code: "invalid_query", field: "limit" });
  expect(unknown.message).toBe('Unknown query parameter "limit"');
  await expectApiError(await request.get("/api/events?compact=yes"), 400, { code: "invalid_query", field: "compact" });
  expect((await request.get("/api/state?view=full")).status()).toBe(200);
});

test("the compact stream: the dashboard's snapshot, then frames of what changed, a trip at once", async ({ request, baseURL }) => {
  await createBreaker(request, { name: "compact", endpoint: "payments", options: { failureThreshold: 3, openMs: 60_000 } });
  const stream = await openEventStream(baseURL!, "/api/events?compact=1");
  try {
    const first = await stream.next();
    expect(first.event).toBe("snapshot");
    const snapshot = JSON.parse(first.data) as DashboardState;
    expect(snapshot.breakers.find(({ name }) => name === "compact")?.state).toBe("CLOSED");

    await fire(request, "compact", { count: 10, concurrency: 10 });
    const calls = await stream.until((frame) => frame.event === "frame");
    const frame = JSON.parse(calls.frame.data) as CompactFrame;
    expect(Object.keys(frame.breakers)).toContain("compact");
    expect(frame.breakers.compact).not.toHaveProperty("options");
    const entries = decodeTimeline(frame.timeline);
    expect(entries.every((entry) => entry.breaker === "compact" && entry.kind === "call" && entry.outcome === "success")).toBe(true);

    await patchEndpoint(request, "payments", { failureRate: 1 });
    await fire(request, "compact", { count: 3 });
    const tripped = await stream.until((candidate) => candidate.event === "frame" && (JSON.parse(candidate.data) as CompactFrame).breakers.compact?.state === "OPEN");
    const trip = JSON.parse(tripped.frame.data) as CompactFrame;
    expect(decodeTimeline(trip.timeline).some((entry) => entry.kind === "transition" && entry.to === "OPEN")).toBe(true);
    const current = await getJson<LabState>(request, "/api/state");
    expect(current.breakers.find(({ name }) => name === "compact")?.halfOpenAt).toBe(trip.breakers.compact?.halfOpenAt);
  } finally {
    stream.close();
  }
});

test("API answers are not compressed: on the loopback gzip costs the server more than it saves", async ({ request }) => {
  await fire(request, "payments", { count: 100, concurrency: 10 });
  const response = await request.get("/api/state", { headers: { "Accept-Encoding": "gzip, deflate, br" } });
  expect(response.status()).toBe(200);
  expect(response.headers()["content-encoding"]).toBeUndefined();
  expect(response.headers()["cache-control"]).toBe("no-store, no-transform");
});
