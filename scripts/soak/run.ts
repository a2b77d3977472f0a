/**
 * The soak: fire calls at every breaker at a steady rate, flip the endpoints between healthy and
 * failing, and keep live-stream clients connecting and disconnecting, all against one lab server
 * on loopback, for a bounded time. It measures the server from outside (its /api/metrics) and
 * reports whether anything grew that should not.
 */

import { percentile } from "../percentile";

export interface SoakOptions {
  baseURL: string;
  seconds: number;
  /** Calls per second across all breakers. */
  callsPerSecond?: number;
  /** Live-stream clients kept connected at once; each reconnects after 1-4 s. */
  sseClients?: number;
  /** How often one endpoint's fault model changes; `null` keeps every endpoint healthy. */
  toggleEveryMs?: number | null;
  /** The stream the clients read: the full form, or the dashboard's compact one. */
  streamPath?: "/api/events" | "/api/events?compact=1";
  /** How often a burst of calls is fired (each breaker's share in one request, all at once); default 100 ms. */
  tickMs?: number;
  /** Clients stay connected for the whole run (as open dashboards do) instead of coming and going. */
  persistentClients?: boolean;
  log?: (line: string) => void;
}

/** One second of the run, measured from outside through /api/metrics and the clients. */
export interface SecondSample {
  second: number;
  eventLoopDelayP99Ms: number;
  heapUsedBytes: number;
  rssBytes: number;
  sseClients: number;
  /** Stream bytes received in this second, per connected client. */
  bytesPerClient: number;
  /** Calls answered in this second. */
  calls: number;
}

export interface MemorySample {
  rssBytes: number;
  heapUsedBytes: number;
}

export interface SoakReport {
  seconds: number;
  callsFired: number;
  callRequests: number;
  /** Requests the lab answered with a 5xx or could not answer at all. */
  serverErrors: number;
  outcomes: Record<string, number>;
  sseConnections: number;
  sseEvents: number;
  /** Stream bytes per client per second, over the run. */
  sseBytesPerClientPerSecond: number;
  /** Time to answer a fire-call request, over all of them. */
  fireLatencyP50Ms: number;
  fireLatencyP99Ms: number;
  /** Calls fired whose request was never answered with results. */
  callsUnanswered: number;
  perSecond: SecondSample[];
  /** `lab_sse_clients` once every stream was closed. */
  sseClientsAfter: number;
  start: MemorySample;
  end: MemorySample;
  heapGrowthPercent: number;
  /** The heap's floor over the last fifth of the run: its live data, if a full collection ran then. */
  heapFloorEndBytes: number;
  /** The worst of the per-second event-loop delay p99s, and their median. */
  eventLoopDelayP99Ms: number;
  eventLoopDelayP99MedianMs: number;
  timelineLength: number;
}

const JSON_HEADERS = { "Content-Type": "application/json" };
const BREAKERS = ["payments", "inventory", "search"];
// Two scrapes a second: the heap's floor (its value right after a collection) needs the samples;
// each row of the per-second table merges two of them.
const SAMPLE_MS = 500;

/** One second from its two halves: the worse event-loop delay, the later memory, the sums of bytes and calls. */
function mergeHalves(first: SecondSample, second: SecondSample): SecondSample {
  return {
    ...second,
    eventLoopDelayP99Ms: Math.max(first.eventLoopDelayP99Ms, second.eventLoopDelayP99Ms),
    bytesPerClient: first.bytesPerClient + second.bytesPerClient,
    calls: first.calls + second.calls,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function metricsOf(baseURL: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${baseURL}/api/metrics`)).text();
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || line.trim() === "") continue;
    const space = line.lastIndexOf(" ");
    values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return values;
}

function memoryOf(metrics: Map<string, number>): MemorySample {
  return { rssBytes: metrics.get("process_resident_memory_bytes") ?? 0, heapUsedBytes: metrics.get("nodejs_heap_size_used_bytes") ?? 0 };
}

interface StreamCounters {
  connections: number;
  events: number;
  bytes: number;
}


/** One live-stream client: connects, counts events and bytes for a while (or the whole run), leaves, and comes back. */
async function sseClient(url: string, until: () => boolean, counters: StreamCounters, persistent: boolean, endsAt: number): Promise<void> {
  while (!until()) {
    const controller = new AbortController();
    const lifetime = setTimeout(() => controller.abort(), persistent ? Math.max(0, endsAt - Date.now()) : 1_000 + Math.random() * 3_000);
    try {
      const response = await fetch(url, { signal: controller.signal });
      counters.connections += 1;
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        counters.bytes += value.byteLength;
        counters.events += decoder.decode(value).split("\nevent: ").length - 1;
      }
    } catch {
      // Aborted on purpose at the end of its lifetime.
    } finally {
      clearTimeout(lifetime);
    }
  }
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const { baseURL, seconds, callsPerSecond = 200, sseClients = 50, toggleEveryMs = 3_000, streamPath = "/api/events", persistentClients = false, tickMs = 100, log = () => {} } = options;
  await fetch(`${baseURL}/api/reset`, { method: "POST", headers: JSON_HEADERS, body: "{}" });
  const before = await metricsOf(baseURL);
  const start = memoryOf(before);
  const heapSamples: { at: number; heap: number }[] = [];
  const eventLoopDelays: number[] = [];

  const startedAt = Date.now();
  const endsAt = startedAt + seconds * 1_000;
  const over = () => Date.now() >= endsAt;
  const outcomes: Record<string, number> = {};
  let callsFired = 0;
  let callRequests = 0;
  let serverErrors = 0;
  let callsAnswered = 0;
  let callsAnsweredThisSecond = 0;
  const fireLatencies: number[] = [];
  const inFlight = new Set<Promise<void>>();

  const fire = (breaker: string, count: number) => {
    callRequests += 1;
    callsFired += count;
    const sentAt = performance.now();
    const request = fetch(`${baseURL}/api/breakers/${breaker}/calls`, {
      method: "POST",
      headers: JSON_HEADERS,
      body: JSON.stringify({ count, concurrency: count }),
    })
      .then(async (response) => {
        if (response.status >= 500) serverErrors += 1;
        const body = (await response.json()) as { results?: { outcome: string }[] };
        fireLatencies.push(performance.now() - sentAt);
        for (const result of body.results ?? []) outcomes[result.outcome] = (outcomes[result.outcome] ?? 0) + 1;
        callsAnswered += body.results?.length ?? 0;
        callsAnsweredThisSecond += body.results?.length ?? 0;
      })
      .catch(() => {
        serverErrors += 1;
      })
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  };

  const callsPerTick = (callsPerSecond * tickMs) / 1_000;
  let carry = 0;
  const loadTimer = setInterval(() => {
    carry += callsPerTick;
    const calls = Math.floor(carry);
    carry -= calls;
    for (let index = 0; index < BREAKERS.length; index++) {
      const share = Math.floor(calls / BREAKERS.length) + (index < calls % BREAKERS.length ? 1 : 0);
      if (share > 0) fire(BREAKERS[index]!, share);
    }
  }, tickMs);

  let toggles = 0;
  const faults = [{ failureRate: 1 }, { failureRate: 0 }, { failureRate: 0.5 }, { failureRate: 0, latencyMs: 1_500, jitterMs: 200 }, { failureRate: 0, latencyMs: 20, jitterMs: 10 }];
  const toggleTimer = toggleEveryMs === null ? undefined : setInterval(() => {
    const endpoint = BREAKERS[toggles % BREAKERS.length]!;
    const fault = faults[Math.floor(toggles / BREAKERS.length) % faults.length]!;
    toggles += 1;
    void fetch(`${baseURL}/api/endpoints/${endpoint}`, { method: "PATCH", headers: JSON_HEADERS, body: JSON.stringify(fault) }).catch(() => {
      serverErrors += 1;
    });
  }, toggleEveryMs);

  const streams: StreamCounters = { connections: 0, events: 0, bytes: 0 };
  const perSecond: SecondSample[] = [];
  let bytesAtLastSample = 0;
  let firstHalf: SecondSample | undefined;
  let samplesTaken = 0;
  const sampleTimer = setInterval(() => {
    // The second a sample belongs to is when it was asked for: answers can arrive late and out of order.
    samplesTaken += 1;
    const second = Math.ceil((samplesTaken * SAMPLE_MS) / 1_000);
    const bytes = streams.bytes - bytesAtLastSample;
    bytesAtLastSample = streams.bytes;
    const calls = callsAnsweredThisSecond;
    callsAnsweredThisSecond = 0;
    void metricsOf(baseURL).then((metrics) => {
      // Only samples of the loaded server count; one answered after the load stopped does not.
      if (over()) return;
      const memory = memoryOf(metrics);
      const clients = metrics.get("lab_sse_clients") ?? 0;
      heapSamples.push({ at: Date.now() - startedAt, heap: memory.heapUsedBytes });
      eventLoopDelays.push((metrics.get("nodejs_eventloop_lag_p99_seconds") ?? 0) * 1_000);
      const sample: SecondSample = {
        second,
        eventLoopDelayP99Ms: eventLoopDelays.at(-1)!,
        heapUsedBytes: memory.heapUsedBytes,
        rssBytes: memory.rssBytes,
        sseClients: clients,
        bytesPerClient: clients > 0 ? bytes / clients : 0,
        calls,
      };
      if (firstHalf?.second === second) {
        perSecond.push(mergeHalves(firstHalf, sample));
        firstHalf = undefined;
      } else {
        firstHalf = sample;
      }
      if (heapSamples.length % 20 === 0) {
        log(`${Math.round((Date.now() - startedAt) / 1_000)} s: ${callsFired} calls, heap ${(memory.heapUsedBytes / 1e6).toFixed(1)} MB, event-loop p99 ${eventLoopDelays.at(-1)!.toFixed(1)} ms`);
      }
    });
  }, SAMPLE_MS);

  const clients = Array.from({ length: sseClients }, () => sseClient(`${baseURL}${streamPath}`, over, streams, persistentClients, endsAt));

  await sleep(seconds * 1_000);
  clearInterval(loadTimer);
  clearInterval(toggleTimer);
  clearInterval(sampleTimer);
  await Promise.all(clients);
  await Promise.all(inFlight);

  // Closed streams are noticed by the server when their sockets close; give it a moment.
  let sseClientsAfter = Number.NaN;
  for (let attempt = 0; attempt < 50; attempt++) {
    sseClientsAfter = (await metricsOf(baseURL)).get("lab_sse_clients") ?? Number.NaN;
    if (sseClientsAfter === 0) break;
    await sleep(100);
  }
  const after = await metricsOf(baseURL);
  const state = (await (await fetch(`${baseURL}/api/state`)).json()) as { timeline: unknown[] };

  // Heap in use swings by a hundred MB between collections; its floor (the lowest sample, right
  // after a collection) is the live data. Compare the floors of the first and last fifths.
  const fifth = Math.max(1, Math.floor(heapSamples.length / 5));
  const heapAtStart = Math.min(...heapSamples.slice(0, fifth).map((sample) => sample.heap));
  const heapAtEnd = Math.min(...heapSamples.slice(-fifth).map((sample) => sample.heap));
  return {
    seconds,
    callsFired,
    callRequests,
    serverErrors,
    outcomes,
    sseConnections: streams.connections,
    sseEvents: streams.events,
    sseBytesPerClientPerSecond: sseClients > 0 ? streams.bytes / sseClients / seconds : 0,
    fireLatencyP50Ms: percentile(fireLatencies, 0.5),
    fireLatencyP99Ms: percentile(fireLatencies, 0.99),
    callsUnanswered: callsFired - callsAnswered,
    perSecond,
    sseClientsAfter,
    start,
    end: memoryOf(after),
    heapGrowthPercent: heapAtStart > 0 ? ((heapAtEnd - heapAtStart) / heapAtStart) * 100 : Number.NaN,
    heapFloorEndBytes: heapAtEnd,
    eventLoopDelayP99Ms: Math.max(0, ...eventLoopDelays),
    eventLoopDelayP99MedianMs: [...eventLoopDelays].sort((a, b) => a - b)[Math.floor(eventLoopDelays.length / 2)] ?? 0,
    timelineLength: state.timeline.length,
  };
}

/** The report as a markdown table. */
export function formatSoakReport(report: SoakReport): string {
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
  const rows: [string, string][] = [
    ["duration", `${report.seconds} s`],
    ["calls fired", `${report.callsFired} in ${report.callRequests} requests (${(report.callsFired / report.seconds).toFixed(0)}/s)`],
    ["outcomes", Object.entries(report.outcomes).map(([outcome, count]) => `${outcome} ${count}`).join(", ")],
    ["5xx or failed requests", String(report.serverErrors)],
    ["calls unanswered", String(report.callsUnanswered)],
    ["fire-call request p50 / p99", `${report.fireLatencyP50Ms.toFixed(1)} ms / ${report.fireLatencyP99Ms.toFixed(1)} ms`],
    ["SSE connections / events received", `${report.sseConnections} / ${report.sseEvents}`],
    ["SSE bytes per client per second", `${(report.sseBytesPerClientPerSecond / 1e3).toFixed(1)} KB/s`],
    ["SSE clients after all left", String(report.sseClientsAfter)],
    ["RSS start → end", `${mb(report.start.rssBytes)} → ${mb(report.end.rssBytes)}`],
    ["heap start → end", `${mb(report.start.heapUsedBytes)} → ${mb(report.end.heapUsedBytes)}`],
    ["heap growth (floor of the first vs the last fifth)", `${report.heapGrowthPercent.toFixed(1)} %`],
    ["event-loop delay p99: median / worst sample", `${report.eventLoopDelayP99MedianMs.toFixed(1)} ms / ${report.eventLoopDelayP99Ms.toFixed(1)} ms`],
    ["timeline length", String(report.timelineLength)],
  ];
  return ["| measure | value |", "| --- | --- |", ...rows.map(([name, value]) => `| ${name} | ${value} |`)].join("\n");
}
