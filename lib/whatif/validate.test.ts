import { describe, expect, it } from "vitest";
import type { WhatIfInput } from "./types";
import { whatIfProblem } from "./validate";

const input: WhatIfInput = {
  scenario: { name: "s", phases: [{ forMs: 60_000, endpoints: { payments: { failureRate: 1 } } }] },
  endpoint: "payments",
  traffic: { rps: 100 },
  configs: [{ label: "a", options: { failureThreshold: 3 } }],
};

describe("whatIfProblem", () => {
  it("accepts a runnable input", () => {
    expect(whatIfProblem(input)).toBeNull();
  });

  it("names endpoint when the scenario does not drive it", () => {
    expect(whatIfProblem({ ...input, endpoint: "search" })).toMatchObject({ field: "endpoint", message: expect.stringContaining("payments") });
  });

  it("names traffic.rps beyond 5 000 000 expected arrivals over all configs", () => {
    // 10 000 calls/s for 600 s is 6 M arrivals, for 500 s exactly 5 M; five configs of 1.2 M each are 6 M.
    const heavy = { ...input, traffic: { rps: 10_000 }, durationMs: 600_000 };
    expect(whatIfProblem(heavy)).toMatchObject({ field: "traffic.rps" });
    expect(whatIfProblem({ ...heavy, durationMs: 500_000 })).toBeNull();
    expect(whatIfProblem({ ...input, traffic: { rps: 10_000 }, durationMs: 120_000, configs: Array.from({ length: 5 }, (_, index) => ({ label: `c${index}`, options: {} })) })).toMatchObject({ field: "traffic.rps" });
  });

  it("names durationMs when the scenario's own length, the default, is longer than an hour", () => {
    const long = { ...input, scenario: { ...input.scenario, phases: [input.scenario.phases[0]!, { forMs: 3_600_000, endpoints: {} }] } };
    expect(whatIfProblem(long)).toMatchObject({ field: "durationMs", message: expect.stringContaining("3660000") });
    expect(whatIfProblem({ ...long, durationMs: 3_600_000 })).toBeNull();
  });

  it("names the config a rule of the library refuses", () => {
    const problem = whatIfProblem({ ...input, configs: [input.configs[0]!, { label: "bad", options: { openMs: 1_000, maxOpenMs: 10 } }] });
    expect(problem?.field).toMatch(/^configs\.1\.options/);
    expect(problem?.message).toContain("maxOpenMs");
  });
});
