import { expect, test } from "@playwright/test";
import { createBreaker, getJson, play, postJson, resetLab, serverClockOffset, type ScenarioBody } from "./support/api";

// "The simulation must predict the lab": one scenario played live against a breaker with short
// periods, calls fired at a steady rate over real HTTP, and the same scenario, traffic and config
// through POST /api/whatif. The transitions (from, to, reason) must be the same, at times within
// 100 ms of each other, counted from the playback's start.

const RPS = 10;
const GAP_MS = 1000 / RPS;
const OPTIONS = { failureThreshold: 3, openMs: 1_000 };

// Exact latency (no jitter) so both sides see the same answers. The phase boundaries (1550 and
// 4550 ms) sit between arrivals (every 100 ms), so a few ms of HTTP on the live side never moves a
// call into another phase: the comparison is of the breaker, not of a race at a boundary.
const SCENARIO: ScenarioBody = {
  name: "predict-me",
  phases: [
    { label: "healthy", forMs: 1_550, endpoints: { payments: { latencyMs: 30, jitterMs: 0 } } },
    { label: "down", forMs: 3_000, endpoints: { payments: { failureRate: 1, fault: "status" } } },
    { label: "healthy again", forMs: 3_000, endpoints: { payments: { failureRate: 0 } } },
  ],
};
const LENGTH_MS = SCENARIO.phases.reduce((sum, phase) => sum + phase.forMs, 0);

interface Transition {
  at: number;
  from: string;
  to: string;
  reason: string;
}

interface TimelineEntry extends Transition {
  breaker: string;
  kind: string;
}

test("a live playback and the what-if run of the same scenario, traffic and config agree", async ({ request, baseURL }) => {
  test.setTimeout(30_000);
  // After a reset the endpoint has its default model, which is also what-if's starting point.
  await resetLab(request);
  await createBreaker(request, { name: "predict", endpoint: "payments", options: OPTIONS });
  const offset = await serverClockOffset(request);

  const playing = await play(request, SCENARIO);
  expect(playing.scenario).toBe("predict-me");
  const startedAt = playing.startedAt;
  // The playback's start in this process's clock: call k goes out at start + k × 100 ms, each on
  // its own schedule, never waiting for the one before.
  const localStart = startedAt - offset;
  const fireUrl = new URL("/api/breakers/predict/calls", baseURL).href;
  const arrivals = Math.ceil(LENGTH_MS / GAP_MS);
  const lateness: number[] = [];
  const fires: Promise<number>[] = [];
  for (let k = 0; k < arrivals; k += 1) {
    fires.push(
      new Promise<number>((resolve, reject) => {
        setTimeout(
          () => {
            lateness[k] = Date.now() - (localStart + k * GAP_MS);
            fetch(fireUrl, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" })
              .then((response) => resolve(response.status))
              .catch(reject);
          },
          Math.max(0, localStart + k * GAP_MS - Date.now()),
        );
      }),
    );
  }
  const statuses = await Promise.all(fires);
  expect(statuses.every((status) => status === 200)).toBe(true);
  // Every call has settled (each answered above); the last open period ended long ago.

  const state = await getJson<{ timeline: TimelineEntry[] }>(request, "/api/state");
  const live: Transition[] = state.timeline
    .filter((entry) => entry.breaker === "predict" && entry.kind === "transition")
    .sort((a, b) => a.at - b.at)
    .map(({ at, from, to, reason }) => ({ at: at - startedAt, from, to, reason }));

  const response = await postJson(request, "/api/whatif", { scenario: SCENARIO, endpoint: "payments", traffic: { rps: RPS, arrival: "steady" }, configs: [{ label: "predict", options: OPTIONS }] });
  expect(response.status(), await response.text()).toBe(200);
  const simulated = ((await response.json()) as { results: { transitions: (Transition & { instance: number })[] }[] }).results[0]!.transitions;

  const describe = (transitions: Transition[]) => transitions.map(({ at, from, to, reason }) => `${at.toFixed(1)} ${from}→${to} ${reason}`).join("\n");
  const report = `live (ms after the playback's start):\n${describe(live)}\nsimulated:\n${describe(simulated)}\nfires late by at most ${Math.max(...lateness.slice(1)).toFixed(1)} ms (the first by ${lateness[0]!.toFixed(1)} ms: it is due as the playback starts)`;
  // The scenario makes the breaker trip, probe twice in vain and close: a comparison of substance.
  expect(simulated.map(({ to }) => to), report).toEqual(["OPEN", "HALF_OPEN", "OPEN", "HALF_OPEN", "OPEN", "HALF_OPEN", "CLOSED"]);
  expect(live.map(({ from, to, reason }) => ({ from, to, reason })), report).toEqual(simulated.map(({ from, to, reason }) => ({ from, to, reason })));
  const deviations = live.map((transition, index) => Math.abs(transition.at - simulated[index]!.at));
  const largest = Math.max(...deviations);
  test.info().annotations.push({ type: "largest live-vs-simulated deviation", description: `${largest.toFixed(1)} ms (per transition: ${deviations.map((d) => d.toFixed(1)).join(", ")})` });
  console.log(`largest live-vs-simulated deviation: ${largest.toFixed(1)} ms\n${report}`);
  expect(largest, report).toBeLessThanOrEqual(100);
});
