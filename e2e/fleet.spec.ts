import { expect, request as playwrightRequest, test, type APIRequestContext } from "@playwright/test";
import type { LabState, TrafficBody } from "../lib/api/types";
import { LabServer } from "../scripts/lab-server";
import { RedisServer } from "../scripts/redis-server";
import { createBreaker, fire, getBreaker, getJson, patchEndpoint, postJson, resetLab } from "./support/api";
import { expectNoSeriousViolations } from "./support/axe";

// Two `next start` instances sharing one redis-server that this spec starts on a free loopback
// port, as `npm run fleet` runs them; the suite's own server stays in memory beside them.
// SHOTS=<dir> keeps screenshots of the fleet's dashboard, store up and down.

test.describe.configure({ mode: "serial" });

let redis: RedisServer;
let servers: LabServer[] = [];
let a: APIRequestContext;
let b: APIRequestContext;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  redis = await RedisServer.start();
  const env = (id: string) => ({ REDIS_URL: redis.url, LAB_INSTANCE: id, LAB_REDIS_PREFIX: `e2e-${process.pid}:` });
  servers = await Promise.all([LabServer.start(env("a")), LabServer.start(env("b"))]);
  a = await playwrightRequest.newContext({ baseURL: servers[0]!.url });
  b = await playwrightRequest.newContext({ baseURL: servers[1]!.url });
  await expect.poll(async () => (await state(a)).instances.length, { timeout: 10_000 }).toBe(2);
});

test.afterAll(async () => {
  await Promise.all([a?.dispose(), b?.dispose()]);
  await Promise.all(servers.map((server) => server.stop()));
  await redis?.stop();
});

test.beforeEach(async () => {
  await resetLab(a);
  await expect.poll(async () => (await state(b)).breakers.length).toBe(3);
});

function state(request: APIRequestContext): Promise<LabState> {
  return getJson<LabState>(request, "/api/state");
}

async function breakerState(request: APIRequestContext, name: string): Promise<string> {
  return (await getBreaker(request, name)).state;
}

async function mockRequests(request: APIRequestContext, endpoint: string): Promise<number> {
  return (await getJson<TrafficBody>(request, "/api/traffic")).endpoints[endpoint]!.requests;
}

test("each instance names itself and sees the fleet; the suite's memory server is alone", async ({ request }) => {
  const [stateA, stateB, memory] = await Promise.all([state(a), state(b), state(request)]);
  expect(stateA.instance).toEqual({ id: "a", store: "redis", storeUp: true });
  expect(stateB.instance).toEqual({ id: "b", store: "redis", storeUp: true });
  expect(stateA.instances.map(({ id }) => id)).toEqual(["a", "b"]);
  expect(memory.instance).toMatchObject({ store: "memory", storeUp: true });
  expect(memory.instances).toHaveLength(1);
  const metrics = await (await a.get("/api/metrics")).text();
  expect(metrics).toMatch(/^lab_store_up 1$/m);
});

test("a config change and a trip on one instance are seen on the other within 1 s; its calls are rejected without reaching its mock", async ({ request }) => {
  await createBreaker(a, { name: "orders", endpoint: "payments", options: { failureThreshold: 2, openMs: 60_000 } });
  await expect.poll(async () => (await state(b)).breakers.map(({ name }) => name), { timeout: 1_000, intervals: [50] }).toContain("orders");
  await patchEndpoint(b, "payments", { failureRate: 1 });
  await expect.poll(async () => (await state(a)).endpoints.find(({ name }) => name === "payments")!.failureRate, { timeout: 1_000, intervals: [50] }).toBe(1);

  await fire(a, "orders", { count: 2, concurrency: 1 });
  expect(await breakerState(a, "orders")).toBe("OPEN");
  await expect.poll(() => breakerState(b, "orders"), { timeout: 1_000, intervals: [50] }).toBe("OPEN");
  const before = await mockRequests(b, "payments");
  const { results } = await fire(b, "orders", { count: 5, concurrency: 5 });
  expect(results.map(({ outcome }) => outcome)).toEqual(Array(5).fill("rejected"));
  expect(await mockRequests(b, "payments")).toBe(before);
  const adopted = (await state(b)).timeline.filter((entry) => entry.kind === "transition" && entry.breaker === "orders");
  expect(adopted.at(-1)).toMatchObject({ from: "CLOSED", to: "OPEN", reason: "adopted" });
  // The memory-mode server beside the fleet knows nothing of it.
  expect((await state(request)).breakers.map(({ name }) => name)).not.toContain("orders");
});

test("concurrent half-open calls on both instances admit exactly halfOpenMaxCalls trials in total", async () => {
  await createBreaker(a, { name: "probe", endpoint: "inventory", options: { failureThreshold: 1, openMs: 1_000, halfOpenMaxCalls: 2, successThreshold: 2 } });
  await expect.poll(async () => (await state(b)).breakers.some(({ name }) => name === "probe")).toBe(true);
  await patchEndpoint(a, "inventory", { failureRate: 1 });
  await fire(a, "probe", { count: 1 });
  await expect.poll(() => breakerState(b, "probe"), { timeout: 1_000, intervals: [50] }).toBe("OPEN");
  await patchEndpoint(a, "inventory", { failureRate: 0, latencyMs: 400, jitterMs: 0 });
  await expect.poll(() => breakerState(a, "probe"), { timeout: 5_000, intervals: [50] }).toBe("HALF_OPEN");
  await expect.poll(() => breakerState(b, "probe"), { timeout: 1_000, intervals: [50] }).toBe("HALF_OPEN");
  const before = (await mockRequests(a, "inventory")) + (await mockRequests(b, "inventory"));
  const [fromA, fromB] = await Promise.all([fire(a, "probe", { count: 40, concurrency: 40 }), fire(b, "probe", { count: 40, concurrency: 40 })]);
  const outcomes = [...fromA.results, ...fromB.results].map(({ outcome }) => outcome);
  expect(outcomes.filter((outcome) => outcome !== "rejected")).toEqual(["success", "success"]);
  expect((await mockRequests(a, "inventory")) + (await mockRequests(b, "inventory")) - before).toBe(2);
  await expect.poll(async () => [await breakerState(a, "probe"), await breakerState(b, "probe")], { timeout: 1_000 }).toEqual(["CLOSED", "CLOSED"]);
});

test("two conflicting actions on two instances converge to one state", async () => {
  for (let round = 0; round < 3; round++) {
    await Promise.all([postJson(a, "/api/breakers/payments/actions", { action: "forceOpen" }), postJson(b, "/api/breakers/payments/actions", { action: "disable" })]);
    await expect
      .poll(async () => {
        const [stateA, stateB] = await Promise.all([breakerState(a, "payments"), breakerState(b, "payments")]);
        return stateA === stateB ? stateA : `${stateA} vs ${stateB}`;
      }, { timeout: 1_000, intervals: [50] })
      .toMatch(/^(FORCED_OPEN|DISABLED)$/);
  }
});

test("Redis stopped and restarted mid-run: no 5xx, a banner while it is down, and the fleet converges after", async ({ page }) => {
  await page.goto(servers[0]!.url);
  await expect(page.getByTestId("connection")).toHaveText("Live");
  await expect(page.getByTestId("lab-instance")).toHaveText("Instance a · Redis");
  await expect(page.getByTestId("fleet-instances").getByTestId("fleet-member")).toHaveCount(2);
  await expect(page.getByTestId("store-banner")).toHaveCount(0);
  if (process.env.SHOTS) await page.screenshot({ path: `${process.env.SHOTS}/fleet-up.png`, fullPage: true });

  await redis.stop();
  try {
    await expect(page.getByTestId("store-banner")).toBeVisible({ timeout: 5_000 });
    if (process.env.SHOTS) await page.screenshot({ path: `${process.env.SHOTS}/fleet-store-down.png`, fullPage: true });
    await expectNoSeriousViolations(page, "fleet, store down");
    expect((await state(b)).instance.storeUp).toBe(false);
    expect(await (await a.get("/api/metrics")).text()).toMatch(/^lab_store_up 0$/m);
    // Every route keeps answering on local state; a trip on A protects A.
    await patchEndpoint(a, "payments", { failureRate: 1 });
    const statuses: number[] = [];
    for (const client of [a, b]) {
      for (const path of ["/api/state", "/api/state?view=dashboard", "/api/breakers", "/api/metrics"]) statuses.push((await client.get(path)).status());
      statuses.push((await postJson(client, "/api/breakers/payments/calls", { count: 5, concurrency: 5 })).status());
    }
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    expect(await breakerState(a, "payments")).toBe("OPEN");
  } finally {
    await redis.restart();
  }
  await expect.poll(async () => [(await state(a)).instance.storeUp, (await state(b)).instance.storeUp], { timeout: 5_000, intervals: [100] }).toEqual([true, true]);
  await expect(page.getByTestId("store-banner")).toHaveCount(0, { timeout: 2_000 });
  // Back to sharing: an action on B reaches A.
  await postJson(b, "/api/breakers/search/actions", { action: "forceOpen" });
  await expect.poll(() => breakerState(a, "search"), { timeout: 1_000, intervals: [50] }).toBe("FORCED_OPEN");
  for (const server of servers) expect(server.output).not.toMatch(/unhandled|uncaught/i);
});
