import { expect, test, type APIRequestContext } from "@playwright/test";
import { LabServer } from "../scripts/lab-server";

const TOKEN = "s3cret-lab-token";
const JSON_HEADERS = { "Content-Type": "application/json" };

// Every mutating route, with a body it would accept.
const MUTATIONS: { method: "post" | "patch" | "delete"; path: string; data?: object }[] = [
  { method: "post", path: "/api/breakers", data: { name: "guarded", endpoint: "payments" } },
  { method: "patch", path: "/api/breakers/payments", data: { openMs: 1_000 } },
  { method: "delete", path: "/api/breakers/search" },
  { method: "post", path: "/api/breakers/payments/calls", data: { count: 1 } },
  { method: "post", path: "/api/breakers/payments/actions", data: { action: "forceOpen" } },
  { method: "patch", path: "/api/endpoints/payments", data: { failureRate: 1 } },
  { method: "post", path: "/api/reset", data: {} },
];

async function mutate(api: APIRequestContext, mutation: (typeof MUTATIONS)[number], authorization?: string) {
  const headers: Record<string, string> = { ...JSON_HEADERS };
  if (authorization) headers.Authorization = authorization;
  return api.fetch(mutation.path, { method: mutation.method.toUpperCase(), headers, data: mutation.data });
}

test.describe("a lab started with LAB_TOKEN", () => {
  let server: LabServer;

  test.beforeAll(async () => {
    server = await LabServer.start({ LAB_TOKEN: TOKEN });
  });

  test.afterAll(async () => {
    await server.stop();
  });

  test("refuses every mutating route without the right bearer token and changes nothing", async ({ playwright }) => {
    const api = await playwright.request.newContext({ baseURL: server.url });
    const before = await (await api.get("/api/breakers")).json();
    for (const mutation of MUTATIONS) {
      for (const authorization of [undefined, "Bearer wrong", `Basic ${TOKEN}`, `Bearer ${TOKEN}x`, TOKEN]) {
        const response = await mutate(api, mutation, authorization);
        expect(response.status(), `${mutation.method} ${mutation.path} with ${authorization}`).toBe(401);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
      }
    }
    expect(await (await api.get("/api/breakers")).json()).toEqual(before);
    await api.dispose();
  });

  test("accepts every mutating route with it", async ({ playwright }) => {
    const api = await playwright.request.newContext({ baseURL: server.url });
    for (const mutation of MUTATIONS) {
      const response = await mutate(api, mutation, `Bearer ${TOKEN}`);
      expect(response.status(), `${mutation.method} ${mutation.path}`).toBeLessThan(300);
    }
    await api.dispose();
  });

  test("keeps every GET open, the event stream, metrics and the mock endpoints included", async ({ playwright }) => {
    const api = await playwright.request.newContext({ baseURL: server.url });
    for (const path of ["/api/state", "/api/breakers", "/api/breakers/payments", "/api/endpoints", "/api/endpoints/payments", "/api/metrics"]) {
      expect((await api.get(path)).status(), path).toBe(200);
    }
    for (const method of ["GET", "POST", "PUT", "DELETE"]) {
      expect((await api.fetch("/api/mock/payments", { method })).status(), method).toBe(200);
    }
    const controller = new AbortController();
    const events = await fetch(`${server.url}/api/events`, { signal: controller.signal });
    expect(events.status).toBe(200);
    expect(events.headers.get("content-type")).toContain("text/event-stream");
    controller.abort();
    await api.dispose();
  });

  test("the dashboard asks for the token once, keeps it for the session, and then works", async ({ page }) => {
    await page.goto(server.url);
    await expect(page.getByTestId("connection")).toHaveText("Live");
    await page.getByTestId("breaker-inventory-fire").click();
    const dialog = page.getByTestId("token-dialog");
    await expect(dialog).toBeVisible();
    await page.getByTestId("token-input").fill("not-it");
    await page.getByTestId("token-save").click();
    await page.getByTestId("breaker-inventory-fire").click();
    await expect(dialog).toContainText("That token was not accepted");
    await page.getByTestId("token-input").fill(TOKEN);
    await page.getByTestId("token-save").click();
    await expect(dialog).toBeHidden();

    await page.getByTestId("breaker-inventory-fire").click();
    await expect(page.getByTestId("breaker-inventory-successes")).toHaveText("1");
    expect(await page.evaluate(() => sessionStorage.getItem("breaker-lab.token"))).toBe(TOKEN);

    await page.reload();
    await page.getByTestId("breaker-inventory-fire").click();
    await expect(page.getByTestId("breaker-inventory-successes")).toHaveText("2");
    await expect(dialog).toBeHidden();
  });
});
