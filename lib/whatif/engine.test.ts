import { describe, expect, it } from "vitest";
import type { Scenario } from "@/lib/simulator";
import { runWhatIf, type WhatIfConfig, type WhatIfConfigResult, type WhatIfInput } from "./index";

// Every case below is computed by hand from the contract: steady arrivals at k * 1000 / rps, a
// jitter of 0 so every latency is exact, timers before answers before arrivals at one instant.

function scenario(phases: Array<[forMs: number, patch: Record<string, unknown>]>, extra: Partial<Scenario> = {}): Scenario {
  return { name: "case", phases: phases.map(([forMs, patch]) => ({ forMs, endpoints: { api: { jitterMs: 0, ...patch } } })), ...extra };
}

async function runOne(input: Omit<WhatIfInput, "configs" | "endpoint">, options: WhatIfConfig["options"], extra: Partial<WhatIfInput> = {}) {
  const { results, simulatedCalls } = await runWhatIf({ endpoint: "api", configs: [{ label: "c", options }], ...input, ...extra });
  expect(simulatedCalls).toBe(results[0]!.calls);
  return results[0]!;
}

const transition = (at: number, from: string, to: string, reason: string, instance = 0) => ({ at, instance, from, to, reason });

describe("runWhatIf, hand-computed cases", () => {
  it("consecutive failures: trips on the third, a failed trial re-opens, a good one closes", async () => {
    const result = await runOne(
      {
        scenario: scenario([
          [1_000, { failureRate: 0, latencyMs: 10 }],
          [2_000, { failureRate: 1 }],
          [3_000, { failureRate: 0 }],
        ]),
        traffic: { rps: 10 },
      },
      { failureThreshold: 3, openMs: 1_000 },
    );
    expect(result).toEqual({
      label: "c",
      calls: 60,
      successes: 36,
      failures: 4,
      timeouts: 0,
      rejected: 20,
      ignored: 0,
      upstreamCalls: 40,
      wastedCalls: 4,
      rejectedGood: 4,
      timeToOpenMs: 210,
      timeToCloseMs: 410,
      transitions: [
        transition(1_210, "CLOSED", "OPEN", "failure-threshold"),
        transition(2_210, "OPEN", "HALF_OPEN", "open-elapsed"),
        transition(2_310, "HALF_OPEN", "OPEN", "trial-failed"),
        transition(3_310, "OPEN", "HALF_OPEN", "open-elapsed"),
        transition(3_410, "HALF_OPEN", "CLOSED", "trial-succeeded"),
      ],
    });
  });

  it("a count window trips on its rate once it holds minimumCalls", async () => {
    const result = await runOne(
      { scenario: scenario([[1_000, { failureRate: 1, latencyMs: 10 }], [4_000, { failureRate: 0 }]]), traffic: { rps: 10 } },
      { slidingWindow: { type: "count", size: 4 }, failureRateThreshold: 50, minimumCalls: 4, openMs: 500 },
    );
    expect(result).toMatchObject({ calls: 50, successes: 35, failures: 5, rejected: 10, upstreamCalls: 40, wastedCalls: 5, rejectedGood: 5, timeToOpenMs: 310, timeToCloseMs: 510 });
    expect(result.transitions).toEqual([
      transition(310, "CLOSED", "OPEN", "failure-rate"),
      transition(810, "OPEN", "HALF_OPEN", "open-elapsed"),
      transition(910, "HALF_OPEN", "OPEN", "trial-failed"),
      transition(1_410, "OPEN", "HALF_OPEN", "open-elapsed"),
      transition(1_510, "HALF_OPEN", "CLOSED", "trial-succeeded"),
    ]);
  });

  it("a time window drops a call exactly its length old", async () => {
    // At 2450 the window holds the calls settled in (1450, 2450]: 1650 and 1850 succeeded, 2050,
    // 2250 and 2450 failed: 60 %. At 2250 it held 3 successes and 2 failures: 40 %.
    const result = await runOne(
      {
        scenario: scenario([
          [2_000, { failureRate: 0, latencyMs: 50 }],
          [2_000, { failureRate: 1 }],
          [4_000, { failureRate: 0 }],
        ]),
        traffic: { rps: 5 },
      },
      { slidingWindow: { type: "time", ms: 1_000 }, failureRateThreshold: 50, minimumCalls: 3, openMs: 1_000 },
    );
    expect(result).toMatchObject({ calls: 40, successes: 26, failures: 4, rejected: 10, rejectedGood: 4, timeToOpenMs: 450, timeToCloseMs: 850 });
    expect(result.transitions).toEqual([
      transition(2_450, "CLOSED", "OPEN", "failure-rate"),
      transition(3_450, "OPEN", "HALF_OPEN", "open-elapsed"),
      transition(3_650, "HALF_OPEN", "OPEN", "trial-failed"),
      transition(4_650, "OPEN", "HALF_OPEN", "open-elapsed"),
      transition(4_850, "HALF_OPEN", "CLOSED", "trial-succeeded"),
    ]);
  });

  it("timeouts fire before arrivals at one instant, and a stale timeout decides nothing", async () => {
    // Calls at 1000, 1500 and 2000 answer after 1500 ms: each times out after 1000 ms. The one at
    // 2000 times out at 3000, while the breaker is OPEN: counted, but it does not re-open it.
    const result = await runOne(
      {
        scenario: scenario([
          [1_000, { failureRate: 0, latencyMs: 300 }],
          [2_000, { latencyMs: 1_500 }],
          [3_000, { latencyMs: 100 }],
        ]),
        traffic: { rps: 2 },
      },
      { failureThreshold: 2, openMs: 1_000, timeoutMs: 1_000 },
    );
    expect(result).toEqual({
      label: "c",
      calls: 12,
      successes: 7,
      failures: 3,
      timeouts: 3,
      rejected: 2,
      ignored: 0,
      upstreamCalls: 10,
      wastedCalls: 3,
      rejectedGood: 1,
      timeToOpenMs: 1_500,
      timeToCloseMs: 600,
      transitions: [
        transition(2_500, "CLOSED", "OPEN", "failure-threshold"),
        transition(3_500, "OPEN", "HALF_OPEN", "open-elapsed"),
        transition(3_600, "HALF_OPEN", "CLOSED", "trial-succeeded"),
      ],
    });
  });

  it("half-open with two trial slots: a freed slot admits another trial; calls running at the end are left out", async () => {
    const result = await runOne(
      { scenario: scenario([[500, { failureRate: 1, latencyMs: 200 }], [4_500, { failureRate: 0 }]]), traffic: { rps: 10 } },
      { failureThreshold: 1, openMs: 1_000, halfOpenMaxCalls: 2, successThreshold: 2 },
    );
    // The call of 100 was admitted while CLOSED and fails at 300, when the breaker is OPEN: stale.
    // Trials at 1200 and 1300; the one at 1400 takes the slot the first freed; the second closes it.
    // The calls of 4800 and 4900 would answer at 5000 and 5100: not within the run.
    expect(result).toMatchObject({ calls: 48, successes: 36, failures: 2, rejected: 10, upstreamCalls: 38, rejectedGood: 7, timeToOpenMs: 200, timeToCloseMs: 1_000 });
    expect(result.transitions).toEqual([
      transition(200, "CLOSED", "OPEN", "failure-threshold"),
      transition(1_200, "OPEN", "HALF_OPEN", "open-elapsed"),
      transition(1_500, "HALF_OPEN", "CLOSED", "trial-succeeded"),
    ]);
  });

  it("each instance learns of an outage on its own: two unshared breakers waste twice the calls", async () => {
    const input = { scenario: scenario([[1_000, { failureRate: 1, latencyMs: 10 }]]), traffic: { rps: 10 } };
    const options = { failureThreshold: 2, openMs: 10_000 };
    const one = await runOne(input, options);
    const two = await runOne(input, options, { instances: 2 });
    expect(one).toMatchObject({ failures: 2, rejected: 8, wastedCalls: 2 });
    expect(two).toMatchObject({ failures: 4, rejected: 6, wastedCalls: 4 });
    expect(two.transitions).toEqual([transition(210, "CLOSED", "OPEN", "failure-threshold", 0), transition(310, "CLOSED", "OPEN", "failure-threshold", 1)]);
  });
});

describe("runWhatIf, the upstream", () => {
  it("capacity counts the config's own calls in flight: beyond it, a 503 at once", async () => {
    // 10 calls a second that each take 250 ms. The calls of 200, 500 and 800 each find two
    // running and are overloaded (a failure that answers at once); the others succeed, but the
    // one of 900 answers after the end of the run.
    const result = await runOne({ scenario: scenario([[1_000, { failureRate: 0, latencyMs: 250, capacity: 2 }]]), traffic: { rps: 10 } }, { failureThreshold: 100 });
    expect(result).toMatchObject({ calls: 9, successes: 6, failures: 3, rejected: 0, upstreamCalls: 9 });
  });

  it("a hang answers 504 after 60 s unless a timeout ends it; malformed bodies fail; slow bodies succeed", async () => {
    const hang = await runOne({ scenario: scenario([[70_000, { failureRate: 1, fault: "hang", latencyMs: 0 }]]), traffic: { rps: 1 } }, { failureThreshold: 1000 });
    expect(hang).toMatchObject({ calls: 10, failures: 10, timeouts: 0 });
    const timed = await runOne({ scenario: scenario([[10_000, { failureRate: 1, fault: "hang", latencyMs: 0 }]]), traffic: { rps: 1 } }, { failureThreshold: 1000, timeoutMs: 500 });
    expect(timed).toMatchObject({ calls: 10, failures: 10, timeouts: 10 });
    const malformed = await runOne({ scenario: scenario([[1_000, { failureRate: 1, fault: "malformed", latencyMs: 5 }]]), traffic: { rps: 10 } }, { failureThreshold: 1000 });
    expect(malformed).toMatchObject({ calls: 10, failures: 10 });
    const slowBody = await runOne({ scenario: scenario([[1_000, { failureRate: 1, fault: "slow-body", latencyMs: 5 }]]), traffic: { rps: 10 } }, { failureThreshold: 1000 });
    expect(slowBody).toMatchObject({ calls: 10, successes: 10, failures: 0 });
  });

  it("past a scenario's end its last phase stays in force; a looping one repeats", async () => {
    const once = scenario([[500, { failureRate: 0, latencyMs: 1 }], [500, { failureRate: 1 }]]);
    const held = await runOne({ scenario: once, traffic: { rps: 10 }, durationMs: 2_000 }, { failureThreshold: 1000 });
    expect(held).toMatchObject({ successes: 5, failures: 15 });
    const looped = await runOne({ scenario: { ...once, loop: true }, traffic: { rps: 10 }, durationMs: 2_000 }, { failureThreshold: 1000 });
    expect(looped).toMatchObject({ successes: 10, failures: 10 });
  });
});

describe("runWhatIf, determinism", () => {
  const input: WhatIfInput = {
    scenario: { name: "flaky", seed: 9, phases: [{ forMs: 30_000, endpoints: { api: { failureRate: 0.4, latencyMs: 40, jitterMs: 30 } } }] },
    endpoint: "api",
    traffic: { rps: 50, arrival: "poisson" },
    configs: [
      { label: "consecutive", options: { failureThreshold: 3, openMs: 2_000 } },
      { label: "window", options: { slidingWindow: { type: "count", size: 20 }, minimumCalls: 10, openMs: 2_000, timeoutMs: 60 } },
    ],
  };

  it("gives the same result, byte for byte, for the same input", async () => {
    expect(JSON.stringify(await runWhatIf(input))).toBe(JSON.stringify(await runWhatIf(input)));
  });

  it("draws a rejected call's outcome too, so every config meets the same upstream", async () => {
    // Answers in 1 ms, no timeouts: every call is decided within the run. A breaker that never
    // trips sees each arrival's outcome; one that trips must see the same ones, rejected or not.
    const { results } = await runWhatIf({
      ...input,
      scenario: { name: "flaky", seed: 9, phases: [{ forMs: 30_000, endpoints: { api: { failureRate: 0.4, latencyMs: 1, jitterMs: 0 } } }] },
      traffic: { rps: 50 },
      configs: [
        { label: "never trips", options: { failureThreshold: 10_000 } },
        { label: "trips", options: { failureThreshold: 2, openMs: 500 } },
      ],
    });
    const [all, tripping] = results as [WhatIfConfigResult, WhatIfConfigResult];
    expect(tripping.rejected).toBeGreaterThan(100);
    expect(all.calls).toBe(1_500);
    expect(tripping.calls).toBe(1_500);
    expect(tripping.successes + tripping.rejectedGood).toBe(all.successes);
    expect(tripping.failures + tripping.rejected - tripping.rejectedGood).toBe(all.failures);
  });

  it("a different seed gives a different upstream", async () => {
    expect(JSON.stringify(await runWhatIf({ ...input, seed: 10 }))).not.toBe(JSON.stringify(await runWhatIf(input)));
  });
});
