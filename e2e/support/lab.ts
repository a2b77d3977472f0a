import { expect, type APIRequestContext } from "@playwright/test";

const JSON_HEADERS = { "Content-Type": "application/json" };

/** Put the shared in-memory lab back to its demo defaults (every spec starts here). */
export async function resetLab(request: APIRequestContext): Promise<void> {
  const response = await request.post("/api/reset", { headers: JSON_HEADERS, data: {} });
  expect(response.status()).toBe(200);
}

/** Create a breaker through the API, e.g. one with a short openMs so that real time stays short. */
export async function createBreaker(request: APIRequestContext, body: { name: string; endpoint: string; options?: object }): Promise<void> {
  const response = await request.post("/api/breakers", { headers: JSON_HEADERS, data: body });
  expect(response.status(), await response.text()).toBe(201);
}

export async function patchEndpoint(request: APIRequestContext, name: string, patch: object): Promise<void> {
  const response = await request.patch(`/api/endpoints/${name}`, { headers: JSON_HEADERS, data: patch });
  expect(response.status(), await response.text()).toBe(200);
}

export async function fireCalls(request: APIRequestContext, breaker: string, count = 1): Promise<void> {
  const response = await request.post(`/api/breakers/${breaker}/calls`, { headers: JSON_HEADERS, data: { count } });
  expect(response.status(), await response.text()).toBe(200);
}
