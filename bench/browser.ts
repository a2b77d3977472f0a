/**
 * The browser benchmark: how long after the API call that trips a breaker the dashboard's badge
 * shows OPEN, in Chromium, timed inside the page on one clock (the fetch is started by the page).
 */
import { chromium } from "@playwright/test";
import { CHROMIUM_ARGS, chromiumExecutable } from "../scripts/chromium";
import { LabServer } from "../scripts/lab-server";

export interface BrowserResults {
  trips: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

const JSON_HEADERS = { "content-type": "application/json" };

function percentile(values: number[], quantile: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)] ?? Number.NaN;
}

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
    for (let trip = 0; trip < trips; trip++) {
      await api("/api/breakers/bench/actions", "POST", { action: "reset" });
      await badge.filter({ hasText: /^CLOSED$/ }).waitFor();
      const elapsed = await page.evaluate(async () => {
        const element = document.querySelector('[data-testid="breaker-bench-state"]')!;
        // Shown = in the DOM and painted: the next animation frame after the text changed.
        const shown = new Promise<number>((resolve) => {
          const observer = new MutationObserver(() => {
            if (element.textContent !== "OPEN") return;
            observer.disconnect();
            requestAnimationFrame(() => resolve(performance.now()));
          });
          observer.observe(element, { childList: true, characterData: true, subtree: true });
        });
        const started = performance.now();
        void fetch("/api/breakers/bench/calls", { method: "POST", headers: { "content-type": "application/json" }, body: '{"count":1}' });
        return (await shown) - started;
      });
      times.push(elapsed);
    }
    const result = { trips, p50Ms: percentile(times, 0.5), p95Ms: percentile(times, 0.95), maxMs: Math.max(...times) };
    log(`  ${trips} trips: p50 ${result.p50Ms.toFixed(1)} ms, p95 ${result.p95Ms.toFixed(1)} ms`);
    return result;
  } finally {
    await browser.close();
    await server.stop();
  }
}
