import { afterEach, describe, expect, it, vi } from "vitest";
import { ManualClock } from "@/lib/breaker";
import { createRandom, HANG_LIMIT_MS } from "@/lib/simulator";
import { isLabError } from "./errors";
import { LabHub } from "./hub";
import { mockResponse } from "./mock";
import { tick } from "./test-helpers";

/** A hub whose endpoints answer at once (no latency, no jitter): no test waits for a real delay. */
function setup() {
  const hub = new LabHub({ caller: async () => ({ status: 200 }), clock: new ManualClock(0), random: createRandom(1) });
  for (const endpoint of hub.listEndpoints()) hub.patchEndpoint(endpoint.name, { latencyMs: 0, jitterMs: 0 });
  return hub;
}

async function sample(hub: LabHub, series: string): Promise<number | undefined> {
  const line = (await hub.metrics.render()).split("\n").find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

afterEach(() => {
  vi.useRealTimers();
});

describe("mockResponse", () => {
  it("answers 200 when the fault model says ok", async () => {
    const hub = setup();
    const response = await mockResponse(hub, "payments", new AbortController().signal);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({ endpoint: "payments", ok: true });
    expect(await sample(hub, 'lab_mock_requests_total{endpoint="payments",result="ok"}')).toBe(1);
    expect(await sample(hub, 'lab_mock_requests_in_flight{endpoint="payments"}')).toBe(0);
  });

  it("answers errorStatus for a status fault", async () => {
    const hub = setup();
    hub.patchEndpoint("inventory", { failureRate: 1, fault: "status", errorStatus: 502 });
    const response = await mockResponse(hub, "inventory", new AbortController().signal);
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ endpoint: "inventory" });
    expect(await sample(hub, 'lab_mock_requests_total{endpoint="inventory",result="status"}')).toBe(1);
  });

  it("waits the endpoint's latency first", async () => {
    vi.useFakeTimers();
    const hub = setup();
    hub.patchEndpoint("search", { latencyMs: 300 });
    let settled = false;
    const pending = mockResponse(hub, "search", new AbortController().signal).then((response) => {
      settled = true;
      return response;
    });
    await vi.advanceTimersByTimeAsync(299);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect((await pending).status).toBe(200);
  });

  it("drops the connection for a reset fault: the body errors before its first byte", async () => {
    const hub = setup();
    hub.patchEndpoint("payments", { failureRate: 1, fault: "reset" });
    const response = await mockResponse(hub, "payments", new AbortController().signal);
    const reader = response.body!.getReader();
    await expect(reader.read()).rejects.toMatchObject({ name: "AbortError" });
    expect(await sample(hub, 'lab_mock_requests_total{endpoint="payments",result="reset"}')).toBe(1);
    expect(await sample(hub, 'lab_mock_requests_in_flight{endpoint="payments"}')).toBe(0);
  });

  it("hangs for a hang fault until the client goes away", async () => {
    const hub = setup();
    hub.patchEndpoint("payments", { failureRate: 1, fault: "hang" });
    const client = new AbortController();
    let settled = false;
    const pending = mockResponse(hub, "payments", client.signal).finally(() => {
      settled = true;
    });
    for (let index = 0; index < 5; index++) await tick();
    expect(settled).toBe(false);
    expect(await sample(hub, 'lab_mock_requests_in_flight{endpoint="payments"}')).toBe(1);
    client.abort();
    await pending;
    expect(settled).toBe(true);
    expect(await sample(hub, 'lab_mock_requests_in_flight{endpoint="payments"}')).toBe(0);
    expect(await sample(hub, 'lab_mock_requests_total{endpoint="payments",result="hang"}')).toBe(1);
  });

  it("returns at once for a hang when the client is already gone", async () => {
    const hub = setup();
    hub.patchEndpoint("payments", { failureRate: 1, fault: "hang", latencyMs: 5_000 });
    const client = new AbortController();
    client.abort();
    await mockResponse(hub, "payments", client.signal);
    expect(await sample(hub, 'lab_mock_requests_in_flight{endpoint="payments"}')).toBe(0);
  });

  it(`answers 504 after ${HANG_LIMIT_MS / 1000} s of hanging if the client is still there`, async () => {
    vi.useFakeTimers();
    const hub = setup();
    hub.patchEndpoint("payments", { failureRate: 1, fault: "hang" });
    let settled = false;
    const pending = mockResponse(hub, "payments", new AbortController().signal).finally(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(HANG_LIMIT_MS - 1);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const response = await pending;
    expect(response.status).toBe(504);
    expect(HANG_LIMIT_MS).toBe(60_000);
  });

  it("refuses an unknown endpoint with LabError 404", async () => {
    const hub = setup();
    const failure = await mockResponse(hub, "nope", new AbortController().signal).catch((error: unknown) => error);
    expect(isLabError(failure)).toBe(true);
    expect(failure).toMatchObject({ status: 404, code: "endpoint_not_found" });
    expect(await hub.metrics.render()).not.toContain('endpoint="nope"');
  });
});
