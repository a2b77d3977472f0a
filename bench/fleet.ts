/**
 * The shared mode's figures: lab instances (`next start`) on one redis-server of their own, all on
 * loopback. How fast a trip on one instance reaches another, what a CLOSED call costs shared
 * against in memory, and how many calls a dying upstream receives from 3 instances shared
 * against 3 alone (with the what-if engine's prediction of the unshared figure beside it).
 */
import { runWhatIf } from "@/lib/whatif";
import type { TrafficBody } from "@/lib/api/types";
import { LabServer } from "../scripts/lab-server";
import { percentile } from "../scripts/percentile";
import { RedisServer } from "../scripts/redis-server";
import { load, post } from "./http";

export interface FleetResults {
  trips: number;
  /** From the request that trips the breaker on one instance to the other's stream announcing it adopted. */
  propagationP50Ms: number;
  propagationP95Ms: number;
  propagationMaxMs: number;
  /** Fire-call route, breaker CLOSED, real call to the mock: requests per second, by mode, interleaved rounds. */
  closedSharedRps: number;
  closedMemoryRps: number;
  /** Calls that reached the dying upstream over all instances. */
  wasted: { seconds: number; callsPerSecondPerInstance: number; shared: number; unshared: number; predictedUnshared: number; predictedShared: number };
}

const JSON_HEADERS = { "content-type": "application/json" };
const OUTAGE_OPTIONS = { failureThreshold: 3, openMs: 5_000 };

async function patch(baseURL: string, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${baseURL}${path}`, { method: "PATCH", headers: JSON_HEADERS, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function fleetSize(baseURL: string): Promise<number> {
  return ((await (await fetch(`${baseURL}/api/state?view=dashboard`)).json()) as { instances: unknown[] }).instances.length;
}

/** One live stream, read as it arrives: `next(match)` resolves when a message containing `match` arrives. */
async function openStream(baseURL: string, signal: AbortSignal) {
  const response = await fetch(`${baseURL}/api/events`, { signal });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  return {
    async next(match: string): Promise<number> {
      for (;;) {
        const end = buffered.indexOf("\n\n");
        if (end >= 0) {
          const message = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          if (message.includes(match)) return performance.now();
          continue;
        }
        const { done, value } = await reader.read();
        if (done) throw new Error("stream ended");
        buffered += decoder.decode(value, { stream: true });
      }
    },
  };
}

async function tripPropagation(a: string, b: string, trips: number): Promise<number[]> {
  await post(a, "/api/breakers", { name: "spread", endpoint: "payments", options: { failureThreshold: 1, openMs: 60_000 } });
  await patch(a, "/api/endpoints/payments", { failureRate: 1, latencyMs: 0, jitterMs: 0 });
  const controller = new AbortController();
  const stream = await openStream(b, controller.signal);
  await stream.next("event: snapshot");
  const times: number[] = [];
  try {
    for (let trip = 0; trip < trips; trip++) {
      const startedAt = performance.now();
      await post(a, "/api/breakers/spread/calls", { count: 1 });
      const adoptedAt = await stream.next('"to":"OPEN","reason":"adopted"');
      times.push(adoptedAt - startedAt);
      const answer = (await (await fetch(`${b}/api/breakers/spread/calls`, { method: "POST", headers: JSON_HEADERS, body: '{"count":1}' })).json()) as {
        results: { outcome: string }[];
      };
      if (answer.results[0]?.outcome !== "rejected") throw new Error(`trip ${trip}: the other instance did not reject (${answer.results[0]?.outcome})`);
      await post(a, "/api/breakers/spread/actions", { action: "reset" });
      await stream.next('"to":"CLOSED","reason":"adopted"');
    }
  } finally {
    controller.abort();
  }
  return times;
}

async function closedCost(shared: string, memory: string, seconds: number, rounds: number): Promise<{ shared: number; memory: number }> {
  const sums = { shared: 0, memory: 0 };
  for (const base of [shared, memory]) {
    await post(base, "/api/reset", {});
    await patch(base, "/api/endpoints/payments", { latencyMs: 0, jitterMs: 0 });
  }
  for (let round = 0; round < rounds; round++) {
    for (const [mode, base] of (round % 2 === 0 ? [["shared", shared], ["memory", memory]] : [["memory", memory], ["shared", shared]]) as [keyof typeof sums, string][]) {
      sums[mode] += (await load(base, mode, "POST", "/api/breakers/payments/calls", seconds, '{"count":1}')).requestsPerSecond;
    }
  }
  return { shared: sums.shared / rounds, memory: sums.memory / rounds };
}

/** Fire at every instance at a steady rate while the upstream is down; the calls that reached it. */
async function wastedCalls(instances: string[], seconds: number, callsPerSecond: number): Promise<number> {
  // A shared reset reaches the others a moment later: let it land before building on it.
  for (const base of instances) await post(base, "/api/reset", {});
  await new Promise((resolve) => setTimeout(resolve, 500));
  const hasBreaker = async (base: string) => (await fetch(`${base}/api/breakers/dying`)).ok;
  for (const base of instances) {
    // Shared, the first creation reaches the others, whose own then answer 409.
    if (!(await hasBreaker(base))) await post(base, "/api/breakers", { name: "dying", endpoint: "search", options: OUTAGE_OPTIONS }).catch(() => undefined);
    await patch(base, "/api/endpoints/search", { failureRate: 1, latencyMs: 5, jitterMs: 0 });
  }
  await waitFor(async () => (await Promise.all(instances.map(hasBreaker))).every(Boolean), "the breaker on every instance");
  const requestsOf = async (base: string) => ((await (await fetch(`${base}/api/traffic`)).json()) as TrafficBody).endpoints.search!.requests;
  const before = await Promise.all(instances.map(requestsOf));
  // One call at a time per instance, evenly spaced, the instances staggered: steady traffic.
  const gapMs = 1_000 / callsPerSecond;
  await Promise.all(
    instances.map(async (base, index) => {
      await new Promise((resolve) => setTimeout(resolve, (gapMs * index) / instances.length));
      for (let call = 0; call < seconds * callsPerSecond; call++) {
        const tick = new Promise((resolve) => setTimeout(resolve, gapMs));
        await post(base, "/api/breakers/dying/calls", { count: 1 });
        await tick;
      }
    }),
  );
  const after = await Promise.all(instances.map(requestsOf));
  return after.reduce((sum, value, index) => sum + value - before[index]!, 0);
}

async function predictedWaste(seconds: number, callsPerSecond: number, instances: number): Promise<number> {
  const result = await runWhatIf({
    scenario: { name: "outage", seed: 1, phases: [{ label: "down", forMs: seconds * 1_000, endpoints: { search: { failureRate: 1, latencyMs: 5, jitterMs: 0 } } }] },
    endpoint: "search",
    traffic: { rps: callsPerSecond * instances },
    configs: [{ label: "dying", options: OUTAGE_OPTIONS }],
    instances,
  });
  return result.results[0]!.upstreamCalls;
}

export async function runFleetBenchmark({ quick = false, log = console.log }: { quick?: boolean; log?: (line: string) => void } = {}): Promise<FleetResults> {
  const trips = quick ? 10 : 30;
  const redis = await RedisServer.start();
  const servers: LabServer[] = [];
  try {
    const shared = (id: string, prefix: string) => LabServer.start({ REDIS_URL: redis.url, LAB_INSTANCE: id, LAB_REDIS_PREFIX: prefix });
    servers.push(...(await Promise.all([shared("a", "bench:"), shared("b", "bench:"), shared("c", "bench:")])));
    servers.push(...(await Promise.all([LabServer.start(), LabServer.start(), LabServer.start()])));
    const [a, b, c, ...alone] = servers.map((server) => server.url) as [string, string, string, ...string[]];
    await waitFor(async () => (await fleetSize(a)) === 3, "the fleet of three");
    await post(a, "/api/reset", {});

    const times = await tripPropagation(a, b, trips);
    log(`  trip propagation over ${trips} trips: p50 ${percentile(times, 0.5).toFixed(1)} ms, p95 ${percentile(times, 0.95).toFixed(1)} ms`);

    const cost = await closedCost(a, alone[0]!, quick ? 3 : 5, quick ? 2 : 4);
    log(`  CLOSED fire-call: shared ${Math.round(cost.shared)} req/s, memory ${Math.round(cost.memory)} req/s`);

    const seconds = quick ? 15 : 60;
    const callsPerSecond = 20;
    const sharedWaste = await wastedCalls([a, b, c], seconds, callsPerSecond);
    const unsharedWaste = await wastedCalls(alone, seconds, callsPerSecond);
    const [predictedUnshared, predictedShared] = await Promise.all([predictedWaste(seconds, callsPerSecond, 3), predictedWaste(seconds, callsPerSecond, 1)]);
    log(`  calls reaching a dying upstream in ${seconds} s: 3 shared ${sharedWaste}, 3 alone ${unsharedWaste} (what-if: ${predictedUnshared} alone, ${predictedShared} as one)`);
    return {
      trips,
      propagationP50Ms: percentile(times, 0.5),
      propagationP95Ms: percentile(times, 0.95),
      propagationMaxMs: Math.max(...times),
      closedSharedRps: cost.shared,
      closedMemoryRps: cost.memory,
      wasted: { seconds, callsPerSecondPerInstance: callsPerSecond, shared: sharedWaste, unshared: unsharedWaste, predictedUnshared, predictedShared },
    };
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    await redis.stop();
  }
}
