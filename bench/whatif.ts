/**
 * What-if speed: 3 configs × 10 minutes of traffic at 1000 calls/s (1.8 M simulated calls) through
 * the real library in virtual time, in Node (this process) and in Chromium's Web Worker (the
 * /whatif page of a lab server, which reports the worker's own time), with the heap it takes.
 */
import { chromium } from "@playwright/test";
import { inputFragment } from "@/lib/client/whatif";
import { runWhatIf, type WhatIfInput } from "@/lib/whatif";
import { CHROMIUM_ARGS, chromiumExecutable } from "../scripts/chromium";
import { LabServer } from "../scripts/lab-server";
import { hasGc } from "./harness";

export interface WhatIfResults {
  simulatedCalls: number;
  node: { seconds: number; callsPerSecond: number; nsPerCall: number; heapGrowthKiB: number | null };
  chromium: { seconds: number; callsPerSecond: number; nsPerCall: number } | null;
  /** The same live heap with a fifth of the traffic: flat means nothing is kept per call. */
  smallHeapGrowthKiB: number | null;
}

function benchInput(minutes: number): WhatIfInput {
  return {
    scenario: {
      name: "bench",
      seed: 7,
      phases: [
        { label: "healthy", forMs: (minutes * 60_000) / 3, endpoints: { payments: { failureRate: 0.02, latencyMs: 20, jitterMs: 10 } } },
        { label: "outage", forMs: (minutes * 60_000) / 3, endpoints: { payments: { failureRate: 0.8, errorStatus: 503 } } },
        { label: "recovered", forMs: (minutes * 60_000) / 3, endpoints: { payments: { failureRate: 0.02 } } },
      ],
    },
    endpoint: "payments",
    traffic: { rps: 1000 },
    configs: [
      { label: "consecutive", options: { failureThreshold: 5, openMs: 5_000 } },
      { label: "count window", options: { slidingWindow: { type: "count", size: 100 }, minimumCalls: 20, openMs: 5_000, timeoutMs: 2_000 } },
      { label: "time window", options: { slidingWindow: { type: "time", ms: 10_000 }, minimumCalls: 20, openMs: 5_000, halfOpenMaxCalls: 3, successThreshold: 3 } },
    ],
  };
}

async function speedInNode(input: WhatIfInput): Promise<{ seconds: number; calls: number }> {
  const started = performance.now();
  const result = await runWhatIf(input);
  return { seconds: (performance.now() - started) / 1000, calls: result.simulatedCalls };
}

/** The live heap during a run (after a full collection every 50 000 arrivals) above the start, KiB; null without --expose-gc. */
async function liveHeapInNode(input: WhatIfInput): Promise<number | null> {
  if (!hasGc()) return null;
  const gc = (globalThis as unknown as { gc: () => void }).gc;
  gc();
  const before = process.memoryUsage().heapUsed;
  let peak = before;
  await runWhatIf(input, () => {
    gc();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  });
  return Math.round((peak - before) / 1024);
}

async function inChromium(input: WhatIfInput): Promise<{ seconds: number; calls: number }> {
  const server = await LabServer.start();
  const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    // The page runs the input of its fragment by itself, in its worker, and shows the worker's time.
    await page.goto(`${server.url}/whatif${inputFragment(input as never)}`);
    const stats = page.getByTestId("whatif-stats");
    await stats.waitFor({ timeout: 120_000 });
    const seconds = Number(await stats.getAttribute("data-elapsed-ms")) / 1000;
    const calls = Number(await stats.getAttribute("data-simulated-calls"));
    return { seconds, calls };
  } finally {
    await browser.close();
    await server.stop();
  }
}

export async function runWhatIfBenchmark({ quick = false, log = console.log }: { quick?: boolean; log?: (line: string) => void } = {}): Promise<WhatIfResults> {
  const minutes = quick ? 1 : 10;
  const input = benchInput(minutes);
  // Warm the engine and the library up once, as a page that has run before would be.
  await runWhatIf(benchInput(0.5));
  const node = await speedInNode(input);
  log(`  node: ${node.calls} calls in ${node.seconds.toFixed(2)} s`);
  const heapGrowthKiB = await liveHeapInNode(input);
  const smallHeapGrowthKiB = await liveHeapInNode(benchInput(minutes / 5));
  let chromiumRun: WhatIfResults["chromium"] = null;
  try {
    const run = await inChromium(input);
    chromiumRun = { seconds: run.seconds, callsPerSecond: run.calls / run.seconds, nsPerCall: (run.seconds * 1e9) / run.calls };
    log(`  chromium worker: ${run.calls} calls in ${run.seconds.toFixed(2)} s`);
  } catch (error) {
    log(`  chromium worker: skipped (${(error as Error).message})`);
  }
  return {
    simulatedCalls: node.calls,
    node: { seconds: node.seconds, callsPerSecond: node.calls / node.seconds, nsPerCall: (node.seconds * 1e9) / node.calls, heapGrowthKiB },
    chromium: chromiumRun,
    smallHeapGrowthKiB,
  };
}
