import { expect, type APIRequestContext, type APIResponse } from "@playwright/test";
import type { PlaybackBody, PlaybackStatus } from "../../lib/api/types";

/** Small helpers shared by the `e2e/api-*.spec.ts` integration specs of the lab's HTTP API. */

export const JSON_HEADERS = { "Content-Type": "application/json" } as const;

/** Put the shared in-memory lab back to its demo defaults. */
export async function resetLab(request: APIRequestContext): Promise<void> {
  const response = await request.post("/api/reset", { headers: JSON_HEADERS, data: {} });
  expect(response.status(), await response.text()).toBe(200);
}

export function postJson(request: APIRequestContext, url: string, body: unknown): Promise<APIResponse> {
  return request.post(url, { headers: JSON_HEADERS, data: Buffer.from(JSON.stringify(body)) });
}

export function putJson(request: APIRequestContext, url: string, body: unknown): Promise<APIResponse> {
  return request.put(url, { headers: JSON_HEADERS, data: Buffer.from(JSON.stringify(body)) });
}

export function patchJson(request: APIRequestContext, url: string, body: unknown): Promise<APIResponse> {
  return request.patch(url, { headers: JSON_HEADERS, data: Buffer.from(JSON.stringify(body)) });
}

/** Send `body` byte for byte (Playwright would re-encode a string that is not valid JSON). */
export function sendRaw(
  request: APIRequestContext,
  method: string,
  url: string,
  body: string | Buffer,
  contentType: string | null = "application/json",
): Promise<APIResponse> {
  return request.fetch(url, {
    method,
    headers: contentType === null ? {} : { "Content-Type": contentType },
    data: typeof body === "string" ? Buffer.from(body, "utf8") : body,
  });
}

export interface BreakerBody {
  name: string;
  endpoint: string;
  state: string;
  options: Record<string, unknown>;
  openedAt: number | null;
  halfOpenAt: number | null;
  consecutiveFailures: number;
  window: { calls: number; failures: number; slowCalls: number; failureRate: number; slowCallRate: number };
  halfOpen: { inFlight: number; successes: number };
  latency: { mean: number; p50: number; p90: number; p99: number } | null;
  totals: { calls: number; successes: number; failures: number; timeouts: number; rejected: number; ignored: number; slow: number };
}

export interface EndpointBody {
  name: string;
  failureRate: number;
  errorStatus: number;
  latencyMs: number;
  jitterMs: number;
  fault: string;
  /** Wave 2: requests in flight beyond it answer 503 at once; null when unset. */
  capacity?: number | null;
  /** Wave 2: the `Retry-After` of a failure status; null when unset. */
  retryAfterS?: number | null;
}

/** One attempt of a fired call (wave 2: a call retried through the breaker lists each). */
export interface AttemptBody {
  outcome: "success" | "failure" | "timeout" | "rejected" | "ignored";
  status?: number;
  durationMs: number;
  error?: string;
}

export interface CallResultBody {
  outcome: "success" | "failure" | "timeout" | "rejected" | "ignored";
  status?: number;
  durationMs: number;
  error?: string;
  attempts?: AttemptBody[];
}

export interface FireBody {
  results: CallResultBody[];
  snapshot: BreakerBody;
}

export async function createBreaker(
  request: APIRequestContext,
  body: { name: string; endpoint: string; options?: Record<string, unknown> },
): Promise<BreakerBody> {
  const response = await postJson(request, "/api/breakers", body);
  expect(response.status(), await response.text()).toBe(201);
  return (await response.json()) as BreakerBody;
}

export async function patchEndpoint(request: APIRequestContext, name: string, patch: Record<string, unknown>): Promise<EndpointBody> {
  const response = await patchJson(request, `/api/endpoints/${name}`, patch);
  expect(response.status(), await response.text()).toBe(200);
  return (await response.json()) as EndpointBody;
}

export async function fire(
  request: APIRequestContext,
  breaker: string,
  body: { count?: number; concurrency?: number; retries?: number; retryDelayMs?: number } = {},
): Promise<FireBody> {
  const response = await postJson(request, `/api/breakers/${breaker}/calls`, body);
  expect(response.status(), await response.text()).toBe(200);
  return (await response.json()) as FireBody;
}

export async function getBreaker(request: APIRequestContext, name: string): Promise<BreakerBody> {
  const response = await request.get(`/api/breakers/${name}`);
  expect(response.status(), await response.text()).toBe(200);
  return (await response.json()) as BreakerBody;
}

/** The part of `GET /api/state` a rejected request must not change: breakers and endpoints. */
export async function labContents(request: APIRequestContext): Promise<{ breakers: unknown; endpoints: unknown }> {
  const response = await request.get("/api/state");
  expect(response.status()).toBe(200);
  const body = (await response.json()) as { breakers: unknown; endpoints: unknown };
  return { breakers: body.breakers, endpoints: body.endpoints };
}

/**
 * A refusal with the lab's error body `{ error: { code, message, field? } }`; `field` and `code`
 * are checked when given (`field` exactly, or against a pattern).
 */
export async function expectApiError(
  response: APIResponse,
  status: number,
  { field, code }: { field?: string | RegExp; code?: string } = {},
): Promise<{ code: string; message: string; field?: string }> {
  const text = await response.text();
  expect(response.status(), text).toBe(status);
  expect(response.headers()["content-type"], text).toMatch(/^application\/json/);
  const body = JSON.parse(text) as { error: { code: string; message: string; field?: string } };
  expect(Object.keys(body), text).toEqual(["error"]);
  expect(typeof body.error.code, text).toBe("string");
  expect(typeof body.error.message, text).toBe("string");
  expect(body.error.message.length, text).toBeGreaterThan(0);
  for (const key of Object.keys(body.error)) expect(["code", "message", "field"], text).toContain(key);
  if (code !== undefined) expect(body.error.code, text).toBe(code);
  if (typeof field === "string") expect(body.error.field, text).toBe(field);
  else if (field instanceof RegExp) expect(body.error.field, text).toMatch(field);
  return body.error;
}

// ── Scenarios and playback (wave 2) ──────────────────────────────────────────

export interface ScenarioBody {
  name: string;
  description?: string;
  seed?: number;
  loop?: boolean;
  phases: { label?: string; forMs: number; endpoints: Record<string, Record<string, unknown>> }[];
}

/** The wire types of the lab itself: a spec checks the server against the same declarations. */
export type { PlaybackBody, PlaybackStatus as PlayingBody } from "../../lib/api/types";

export async function getJson<T>(request: APIRequestContext, url: string): Promise<T> {
  const response = await request.get(url);
  expect(response.status(), `${url}: ${await response.text()}`).toBe(200);
  return (await response.json()) as T;
}

export async function listScenarios(request: APIRequestContext): Promise<ScenarioBody[]> {
  return (await getJson<{ scenarios: ScenarioBody[] }>(request, "/api/scenarios")).scenarios;
}

export async function getPlayback(request: APIRequestContext): Promise<PlaybackBody> {
  return getJson<PlaybackBody>(request, "/api/playback");
}

export async function getEndpoint(request: APIRequestContext, name: string): Promise<EndpointBody> {
  return getJson<EndpointBody>(request, `/api/endpoints/${name}`);
}

/** Play a scenario (by name, or inline) and return the `playing` of the 200 answer. */
export async function play(request: APIRequestContext, scenario: string | ScenarioBody): Promise<PlaybackStatus> {
  const response = await postJson(request, "/api/playback", { scenario });
  expect(response.status(), await response.text()).toBe(200);
  const body = (await response.json()) as PlaybackBody;
  expect(body.playing).not.toBeNull();
  return body.playing!;
}

/**
 * How far the server's clock is ahead of this process's `Date.now()`, ms, from the `now` of
 * `GET /api/state` against the middle of the request (same machine: a few ms at most).
 */
export async function serverClockOffset(request: APIRequestContext): Promise<number> {
  const before = Date.now();
  const state = await getJson<{ now: number }>(request, "/api/state");
  const after = Date.now();
  return state.now - (before + after) / 2;
}

// ── Prometheus text ──────────────────────────────────────────────────────────

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parse the samples of a Prometheus text exposition (comments skipped). */
export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) throw new Error(`Unparseable metrics line: ${line}`);
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[label[1]!] = label[2]!;
    }
    const raw = match[3]!;
    const value = raw === "+Inf" ? Infinity : raw === "-Inf" ? -Infinity : Number(raw);
    samples.push({ name: match[1]!, labels, value });
  }
  return samples;
}

function matches(sample: Sample, name: string, labels: Record<string, string>): boolean {
  return sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value);
}

/** The value of the one sample with this name and exactly these labels, or undefined. */
export function sampleValue(samples: Sample[], name: string, labels: Record<string, string>): number | undefined {
  const found = samples.filter((sample) => matches(sample, name, labels) && Object.keys(sample.labels).length === Object.keys(labels).length);
  if (found.length > 1) throw new Error(`More than one sample ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

/** The sum of every sample with this name whose labels include `labels`. */
export function sampleSum(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples.filter((sample) => matches(sample, name, labels)).reduce((sum, sample) => sum + sample.value, 0);
}

/** Requests the mock endpoint `endpoint` received (`lab_mock_requests_total`), of one `result` or all. */
export async function mockRequests(request: APIRequestContext, endpoint: string, result?: string): Promise<number> {
  return sampleSum((await scrape(request)).samples, "lab_mock_requests_total", result === undefined ? { endpoint } : { endpoint, result });
}

export async function scrape(request: APIRequestContext): Promise<{ text: string; samples: Sample[] }> {
  const response = await request.get("/api/metrics");
  expect(response.status()).toBe(200);
  const text = await response.text();
  return { text, samples: parseMetrics(text) };
}

// ── Server-sent events ───────────────────────────────────────────────────────

export interface SseFrame {
  id?: string;
  event?: string;
  data: string;
  comments: string[];
}

export interface EventStream {
  response: Response;
  /** The next frame carrying data (heartbeat-only comment frames are skipped); rejects after `timeoutMs`. */
  next(timeoutMs?: number): Promise<SseFrame>;
  /** Read frames (comment-only ones included) until one satisfies `predicate`; the frames skipped are returned too. */
  until(predicate: (frame: SseFrame) => boolean, timeoutMs?: number): Promise<{ frame: SseFrame; skipped: SseFrame[] }>;
  /** Abort the request: the connection closes. Safe to call more than once. */
  close(): void;
}

function parseFrame(block: string): SseFrame {
  const frame: SseFrame = { data: "", comments: [] };
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) {
      frame.comments.push(line.slice(1).trim());
      continue;
    }
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "id") frame.id = value;
    else if (field === "event") frame.event = value;
    else if (field === "data") data.push(value);
  }
  frame.data = data.join("\n");
  return frame;
}

/** A frame that carries an event, not only comments (a heartbeat). */
function isMessage(frame: SseFrame): boolean {
  return frame.id !== undefined || frame.event !== undefined || frame.data !== "";
}

/** Open `/api/events` with Node's fetch and read its frames. Always `close()` it. */
export async function openEventStream(baseURL: string, path = "/api/events"): Promise<EventStream> {
  const controller = new AbortController();
  const response = await fetch(new URL(path, baseURL), {
    headers: { Accept: "text/event-stream" },
    signal: controller.signal,
  });
  if (!response.body) throw new Error("The event stream has no body");
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const queue: SseFrame[] = [];
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;

  async function fill(deadline: number): Promise<void> {
    while (queue.length === 0) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error("Timed out waiting for a server-sent event");
      pending ??= reader.read();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), remaining);
      });
      const result = await Promise.race([pending, timeout]);
      clearTimeout(timer);
      if (result === "timeout") throw new Error("Timed out waiting for a server-sent event");
      pending = undefined;
      if (result.done) throw new Error("The event stream ended");
      buffer += decoder.decode(result.value, { stream: true }).replace(/\r\n?/g, "\n");
      let end: number;
      while ((end = buffer.indexOf("\n\n")) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        queue.push(parseFrame(block));
      }
    }
  }

  const stream: EventStream = {
    response,
    async next(timeoutMs = 5_000) {
      return (await stream.until(isMessage, timeoutMs)).frame;
    },
    async until(predicate, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      const skipped: SseFrame[] = [];
      for (;;) {
        await fill(deadline);
        const frame = queue.shift()!;
        if (predicate(frame)) return { frame, skipped };
        skipped.push(frame);
      }
    },
    close() {
      if (controller.signal.aborted) return;
      controller.abort();
      // The pending read rejects with the abort; nobody waits for it any more.
      pending?.catch(() => {});
      reader.cancel().catch(() => {});
    },
  };
  return stream;
}
