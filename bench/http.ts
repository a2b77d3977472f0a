/**
 * The HTTP benchmark: a lab server of its own (`next start` on loopback), loaded with
 * autocannon for a bounded time per route, and 100 live-stream clients timed on a trip.
 */
import autocannon from "autocannon";
import { LabServer } from "../scripts/lab-server";
import { percentile } from "../scripts/percentile";

export interface RouteResult {
  name: string;
  method: string;
  path: string;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  non2xx: number;
  errors: number;
}

export interface SseFanoutResult {
  clients: number;
  /** Time from the request that trips the breaker to each client having the state event. */
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

export interface HttpResults {
  routes: RouteResult[];
  /** Fire-call in OPEN against the trivial route: requests per second, ours over theirs. */
  openVsTrivial: number;
  sse: SseFanoutResult;
}

const JSON_HEADERS = { "content-type": "application/json" };

export async function load(baseURL: string, name: string, method: "GET" | "POST", path: string, seconds: number, body?: string): Promise<RouteResult> {
  const result = await autocannon({
    url: `${baseURL}${path}`,
    method,
    headers: body === undefined ? {} : JSON_HEADERS,
    body,
    connections: 16,
    duration: seconds,
  });
  return {
    name,
    method,
    path,
    requestsPerSecond: result.requests.average,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

export async function post(baseURL: string, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${baseURL}${path}`, { method: "POST", headers: JSON_HEADERS, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
}


/** Open `clients` event streams; resolve when every one has its snapshot; each later waits for `match`. */
async function sseFanout(baseURL: string, clients: number, trip: () => Promise<void>): Promise<SseFanoutResult> {
  const controller = new AbortController();
  const ready: Promise<void>[] = [];
  const arrivals: Promise<number>[] = [];
  for (let index = 0; index < clients; index++) {
    let markReady!: () => void;
    ready.push(new Promise((resolve) => (markReady = resolve)));
    arrivals.push(
      (async () => {
        const response = await fetch(`${baseURL}/api/events`, { signal: controller.signal });
        const reader = response.body!.getReader();
        const decoder = new TextDecoder();
        let text = "";
        for (;;) {
          const { done, value } = await reader.read();
          if (done) throw new Error("stream ended before the trip arrived");
          text += decoder.decode(value, { stream: true });
          if (text.includes("event: snapshot")) markReady();
          if (text.includes('"to":"OPEN"')) return performance.now();
        }
      })(),
    );
  }
  await Promise.all(ready);
  const started = performance.now();
  await trip();
  const times = (await Promise.all(arrivals)).map((arrivedAt) => arrivedAt - started);
  controller.abort();
  return { clients, p50Ms: percentile(times, 0.5), p95Ms: percentile(times, 0.95), maxMs: Math.max(...times) };
}

export async function runHttpBenchmark({ quick = false, log = console.log }: { quick?: boolean; log?: (line: string) => void } = {}): Promise<HttpResults> {
  const seconds = quick ? 3 : 8;
  const server = await LabServer.start();
  try {
    const base = server.url;
    const routes: RouteResult[] = [];
    const run = async (...args: Parameters<typeof load> extends [string, ...infer Rest] ? Rest : never) => {
      const result = await load(base, ...args);
      log(`  ${result.name}: ${Math.round(result.requestsPerSecond)} req/s`);
      routes.push(result);
      return result;
    };
    await post(base, "/api/reset", {});
    const trivial = await run("trivial JSON route", "GET", "/api/endpoints/payments", seconds);
    await post(base, "/api/breakers/payments/actions", { action: "forceOpen" });
    const open = await run("fire a call, breaker OPEN (rejected)", "POST", "/api/breakers/payments/calls", seconds, '{"count":1}');
    await post(base, "/api/reset", {});
    await fetch(`${base}/api/endpoints/payments`, { method: "PATCH", headers: JSON_HEADERS, body: JSON.stringify({ latencyMs: 0, jitterMs: 0 }) });
    await run("fire a call, breaker CLOSED (real call to the mock)", "POST", "/api/breakers/payments/calls", seconds, '{"count":1}');
    // The state's size depends on the timeline: read it full (10 000 entries, as a busy lab has
    // it), whatever the runs before managed to fire.
    await post(base, "/api/reset", {});
    for (let batch = 0; batch < 10; batch++) await post(base, "/api/breakers/payments/calls", { count: 1_000, concurrency: 100 });
    const full = await fetch(`${base}/api/state`).then((response) => response.text());
    const dashboard = await fetch(`${base}/api/state?view=dashboard`).then((response) => response.text());
    log(`  GET /api/state with a full timeline: ${full.length} bytes; ?view=dashboard: ${dashboard.length} bytes`);
    await run("GET /api/state (full timeline)", "GET", "/api/state", seconds);
    await run("GET /api/state?view=dashboard (full timeline)", "GET", "/api/state?view=dashboard", seconds);

    await post(base, "/api/reset", {});
    await post(base, "/api/breakers", { name: "fanout", endpoint: "payments", options: { failureThreshold: 1, openMs: 60_000 } });
    await fetch(`${base}/api/endpoints/payments`, { method: "PATCH", headers: JSON_HEADERS, body: JSON.stringify({ failureRate: 1, latencyMs: 0, jitterMs: 0 }) });
    const sse = await sseFanout(base, 100, () => post(base, "/api/breakers/fanout/calls", { count: 1 }));
    log(`  100 SSE clients: p95 ${sse.p95Ms.toFixed(1)} ms`);
    return { routes, openVsTrivial: open.requestsPerSecond / trivial.requestsPerSecond, sse };
  } finally {
    await server.stop();
  }
}
