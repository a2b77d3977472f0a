/**
 * The browser benchmark: how long after the API call that trips a breaker the dashboard's badge
 * shows OPEN, in Chromium, timed inside the page on one clock (the fetch is started by the page),
 * and where that time goes: until the trip's frame of the compact stream reaches the page (read by
 * a second EventSource beside the dashboard's), until React has changed the badge, until the
 * next paint; the fire-call answer's arrival for comparison.
 */
import { chromium } from "@playwright/test";
import { CHROMIUM_ARGS, chromiumExecutable } from "../scripts/chromium";
import { LabServer } from "../scripts/lab-server";
import { percentile } from "../scripts/percentile";

export interface StageTimes {
  p50Ms: number;
  p95Ms: number;
}

export interface BrowserResults {
  trips: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** From the fire request's start: the stream frame arrived, the badge changed (React), painted; and the fire answer. */
  stages: { frameArrived: StageTimes; badgeChanged: StageTimes; painted: StageTimes; fireAnswered: StageTimes };
}

const JSON_HEADERS = { "content-type": "application/json" };


export async function runBrowserBenchmark({ trips = 30, log = console.log }: { trips?: number; log?: (line: string) => void } = {}): Promise<BrowserResults> {
  const server = await LabServer.start();
  const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
  try {
    const api = (path: string, method: string, body: unknown) =>
      fetch(`${server.url}${path}`, { method, headers: JSON_HEADERS, body: JSON.stringify(body) });
    await api("/api/reset", "POST", {});
    // One consecutive failure trips it; the endpoint fails at once, so the figure is the lab's
    // and the dashboard's, not the mock's simulated latency.
    await api("/api/breakers", "POST", { name: "bench", endpoint: "payments", options: { failureThreshold: 1, openMs: 600_000 } });
    await api("/api/endpoints/payments", "PATCH", { failureRate: 1, latencyMs: 0, jitterMs: 0 });

    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(server.url);
    await page.getByTestId("connection").filter({ hasText: "Live" }).waitFor();
    const badge = page.getByTestId("breaker-bench-state");
    const times: number[] = [];
    const stages = { frameArrived: [] as number[], badgeChanged: [] as number[], painted: [] as number[], fireAnswered: [] as number[] };
    await page.evaluate(() => {
      const probe = new EventSource("/api/events?compact=1");
      (window as unknown as { tripFrames: number[] }).tripFrames = [];
      probe.addEventListener("frame", (event) => {
        if ((event as MessageEvent<string>).data.includes('"OPEN"')) (window as unknown as { tripFrames: number[] }).tripFrames.push(performance.now());
      });
    });
    for (let trip = 0; trip < trips; trip++) {
      await api("/api/breakers/bench/actions", "POST", { action: "reset" });
      await badge.filter({ hasText: /^CLOSED$/ }).waitFor();
      const timing = await page.evaluate(async () => {
        const element = document.querySelector('[data-testid="breaker-bench-state"]')!;
        const frames = (window as unknown as { tripFrames: number[] }).tripFrames;
        frames.length = 0;
        let changedAt = 0;
        // Shown = in the DOM and painted: the next animation frame after the text changed.
        const shown = new Promise<number>((resolve) => {
          const observer = new MutationObserver(() => {
            if (element.textContent !== "OPEN") return;
            observer.disconnect();
            changedAt = performance.now();
            requestAnimationFrame(() => resolve(performance.now()));
          });
          observer.observe(element, { childList: true, characterData: true, subtree: true });
        });
        const started = performance.now();
        const answered = fetch("/api/breakers/bench/calls", { method: "POST", headers: { "content-type": "application/json" }, body: '{"count":1}' }).then(() => performance.now());
        const paintedAt = await shown;
        const answeredAt = await answered;
        // The probe's own connection may deliver the same frame a little after the dashboard's.
        for (let waited = 0; frames.length === 0 && waited < 1_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
        return { painted: paintedAt - started, badgeChanged: changedAt - started, frameArrived: (frames[0] ?? Number.NaN) - started, fireAnswered: answeredAt - started };
      });
      times.push(timing.painted);
      for (const stage of Object.keys(stages) as (keyof typeof stages)[]) stages[stage].push(timing[stage]);
    }
    const summary = (values: number[]): StageTimes => ({ p50Ms: percentile(values, 0.5), p95Ms: percentile(values, 0.95) });
    const result: BrowserResults = {
      trips,
      p50Ms: percentile(times, 0.5),
      p95Ms: percentile(times, 0.95),
      maxMs: Math.max(...times),
      stages: { frameArrived: summary(stages.frameArrived), badgeChanged: summary(stages.badgeChanged), painted: summary(stages.painted), fireAnswered: summary(stages.fireAnswered) },
    };
    log(`  ${trips} trips: p50 ${result.p50Ms.toFixed(1)} ms, p95 ${result.p95Ms.toFixed(1)} ms`);
    for (const [stage, figures] of Object.entries(result.stages)) log(`    ${stage}: p50 ${figures.p50Ms.toFixed(1)} ms, p95 ${figures.p95Ms.toFixed(1)} ms`);
    return result;
  } finally {
    await browser.close();
    await server.stop();
  }
}
