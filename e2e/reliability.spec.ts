import { expect, test, type APIRequestContext } from "@playwright/test";
import { createBreaker, fire, patchEndpoint, resetLab } from "./support/api";
import { LabServer } from "../scripts/lab-server";

const JSON_HEADERS = { "Content-Type": "application/json" };

test.beforeEach(async ({ request }) => {
  await resetLab(request);
});

/** The value of one Prometheus sample, 0 when the series does not exist yet. */
async function metric(request: APIRequestContext, series: string): Promise<number> {
  const text = await (await request.get("/api/metrics")).text();
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

async function mockRequests(request: APIRequestContext, endpoint: string): Promise<number> {
  const text = await (await request.get("/api/metrics")).text();
  return text
    .split("\n")
    .filter((line) => line.startsWith(`lab_mock_requests_total{endpoint="${endpoint}"`))
    .reduce((sum, line) => sum + Number(line.split(" ").at(-1)), 0);
}

async function breakerState(request: APIRequestContext, name: string): Promise<string> {
  return ((await (await request.get(`/api/breakers/${name}`)).json()) as { state: string }).state;
}

test("half-open under 200 concurrent HTTP calls admits exactly halfOpenMaxCalls trials to the endpoint", async ({ request }) => {
  await createBreaker(request, {
    name: "probe",
    endpoint: "inventory",
    options: { failureThreshold: 1, openMs: 1_000, halfOpenMaxCalls: 2, successThreshold: 2 },
  });
  await patchEndpoint(request, "inventory", { failureRate: 1 });
  await fire(request, "probe", { count: 1 });
  expect(await breakerState(request, "probe")).toBe("OPEN");
  await patchEndpoint(request, "inventory", { failureRate: 0, latencyMs: 400, jitterMs: 0 });
  await expect.poll(() => breakerState(request, "probe"), { timeout: 5_000 }).toBe("HALF_OPEN");

  const reachedBefore = await mockRequests(request, "inventory");
  const bursts = await Promise.all(
    [0, 1].map(async () => {
      const response = await request.post("/api/breakers/probe/calls", { headers: JSON_HEADERS, data: { count: 100, concurrency: 100 } });
      expect(response.status()).toBe(200);
      return ((await response.json()) as { results: { outcome: string }[] }).results;
    }),
  );
  const outcomes = bursts.flat().map((result) => result.outcome);
  expect(outcomes).toHaveLength(200);
  expect(outcomes.filter((outcome) => outcome === "success")).toHaveLength(2);
  expect(outcomes.filter((outcome) => outcome === "rejected")).toHaveLength(198);
  expect((await mockRequests(request, "inventory")) - reachedBefore).toBe(2);
  expect(await breakerState(request, "probe")).toBe("CLOSED");
});

test("a burst of 1000 calls at concurrency 100 against a down endpoint completes and the breaker opens after the threshold", async ({ request }) => {
  await patchEndpoint(request, "payments", { failureRate: 1 });
  const started = Date.now();
  const response = await request.post("/api/breakers/payments/calls", { headers: JSON_HEADERS, data: { count: 1000, concurrency: 100 } });
  expect(response.status()).toBe(200);
  const { results, snapshot } = (await response.json()) as { results: { outcome: string }[]; snapshot: { state: string; totals: Record<string, number> } };
  expect(Date.now() - started).toBeLessThan(15_000);
  expect(results).toHaveLength(1000);
  expect(snapshot.state).toBe("OPEN");
  const failures = results.filter((result) => result.outcome === "failure").length;
  const rejected = results.filter((result) => result.outcome === "rejected").length;
  // The first 100 were in flight together; the two workers freed by the first two failures
  // started two more calls before the third failure tripped it. Those in flight then settled as
  // stale failures, and every later call was refused without reaching the endpoint.
  expect(failures).toBeGreaterThanOrEqual(3);
  expect(failures).toBeLessThanOrEqual(100 + 2);
  expect(failures + rejected).toBe(1000);
  expect(snapshot.totals).toMatchObject({ calls: 1000, failures, rejected });
});

test("a hanging endpoint never holds a socket past the breaker's timeout", async ({ request }) => {
  await patchEndpoint(request, "search", { failureRate: 1, fault: "hang" });
  const response = await request.post("/api/breakers/search/calls", { headers: JSON_HEADERS, data: { count: 3, concurrency: 3 } });
  const { results } = (await response.json()) as { results: { outcome: string; durationMs: number }[] };
  expect(results.map((result) => result.outcome)).toEqual(["timeout", "timeout", "timeout"]);
  for (const result of results) expect(result.durationMs).toBeLessThan(3_000);
  await expect.poll(() => metric(request, 'lab_mock_requests_in_flight{endpoint="search"}'), { timeout: 1_000 }).toBe(0);
});

test.describe("the caller reaches only the lab's own mock endpoints", () => {
  test("forged Host and forwarding headers do not move the calls anywhere else", async ({ request }) => {
    const before = await mockRequests(request, "payments");
    const response = await request.post("/api/breakers/payments/calls", {
      headers: { ...JSON_HEADERS, Host: "evil.example:9", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https", Forwarded: "host=evil.example" },
      data: { count: 2 },
    });
    const { results } = (await response.json()) as { results: { outcome: string; status: number }[] };
    expect(results).toEqual([expect.objectContaining({ outcome: "success", status: 200 }), expect.objectContaining({ outcome: "success", status: 200 })]);
    expect((await mockRequests(request, "payments")) - before).toBe(2);
  });

  test("an endpoint can only be named, never given as a URL or a path", async ({ request }) => {
    for (const endpoint of ["http://evil.example", "../metrics", "payments/../../x", "//evil.example", "payments?x=1", "nope"]) {
      const response = await request.post("/api/breakers", { headers: JSON_HEADERS, data: { name: "sneaky", endpoint } });
      expect(response.status(), endpoint).toBe(400);
      expect(((await response.json()) as { error: { field: string } }).error.field).toBe("endpoint");
    }
    const unknownOption = await request.post("/api/breakers", {
      headers: JSON_HEADERS,
      data: { name: "sneaky", endpoint: "payments", options: { url: "http://evil.example" } },
    });
    expect(unknownOption.status()).toBe(400);
    expect((await request.get("/api/breakers/sneaky")).status()).toBe(404);
  });
});

test("the dashboard runs under its Content-Security-Policy without a single violation", async ({ page }) => {
  const violations: string[] = [];
  await page.exposeFunction("reportViolation", (text: string) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) =>
      (window as unknown as { reportViolation: (text: string) => void }).reportViolation(`${event.violatedDirective} ${event.blockedURI}`),
    );
  });
  const response = await page.goto("/");
  const csp = response!.headers()["content-security-policy"]!;
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toMatch(/script-src [^;]*'nonce-/);
  expect(csp).not.toContain("unsafe-eval");
  expect(response!.headers()["x-content-type-options"]).toBe("nosniff");
  expect(response!.headers()["referrer-policy"]).toBeTruthy();
  await expect(page.getByTestId("connection")).toHaveText("Live");
  await page.getByTestId("breaker-payments-fire").click();
  await expect(page.getByTestId("breaker-payments-successes")).toHaveText("1");
  await page.getByTestId("breaker-payments-options").click();
  expect(violations).toEqual([]);
});

test.describe("a server restart while the dashboard is open", () => {
  let server: LabServer;

  test.beforeAll(async () => {
    server = await LabServer.start();
  });

  test.afterAll(async () => {
    await server.stop();
  });

  test("the page says it lost the server, reconnects when it is back, and resyncs to the new state", async ({ page, playwright }) => {
    const api = await playwright.request.newContext({ baseURL: server.url });
    await page.goto(server.url);
    await expect(page.getByTestId("connection")).toHaveText("Live");
    await fire(api, "payments", { count: 2 });
    await expect(page.getByTestId("breaker-payments-successes")).toHaveText("2");

    await server.stop();
    await expect(page.getByTestId("connection")).toHaveText(/Reconnecting|Offline/);
    await expect(page.getByTestId("offline-banner")).toBeVisible({ timeout: 10_000 });

    await server.run();
    await expect(page.getByTestId("connection")).toHaveText("Live", { timeout: 20_000 });
    await expect(page.getByTestId("offline-banner")).toHaveCount(0);
    // The restarted lab is fresh: the page shows its state, not the old counts.
    await expect(page.getByTestId("breaker-payments-successes")).toHaveText("0");
    await fire(api, "payments", { count: 1 });
    await expect(page.getByTestId("breaker-payments-successes")).toHaveText("1");
    await api.dispose();
  });
});
