import { describe, expect, it } from "vitest";
import { defaultEndpoint, MAX_LATENCY_MS, type EndpointConfig, type FaultKind } from "./endpoint";
import { decideOutcome, type MockOutcome } from "./outcome";
import { createRandom } from "./random";
import { scriptedRandom } from "./test-helpers";

function endpoint(patch: Partial<EndpointConfig> = {}): EndpointConfig {
  return { ...defaultEndpoint("test"), ...patch };
}

function failures(config: EndpointConfig, seed: number, requests: number): number {
  const random = createRandom(seed);
  let count = 0;
  for (let i = 0; i < requests; i += 1) if (decideOutcome(config, random).kind !== "ok") count += 1;
  return count;
}

describe("decideOutcome: failure probability", () => {
  it("never fails with failureRate 0", () => {
    expect(failures(endpoint({ failureRate: 0 }), 1, 10_000)).toBe(0);
  });

  it("always fails with failureRate 1", () => {
    expect(failures(endpoint({ failureRate: 1 }), 1, 10_000)).toBe(10_000);
  });

  it("fails about half the time with failureRate 0.5, exactly reproducibly per seed", () => {
    const config = endpoint({ failureRate: 0.5 });
    const first = failures(config, 42, 10_000);
    expect(first / 10_000).toBeGreaterThanOrEqual(0.47);
    expect(first / 10_000).toBeLessThanOrEqual(0.53);
    expect(failures(config, 42, 10_000)).toBe(first);
    expect(failures(config, 43, 10_000)).not.toBe(first);
  });

  it("treats the boundary strictly: a draw equal to the rate succeeds, just below fails", () => {
    const config = endpoint({ failureRate: 0.5, latencyMs: 0, jitterMs: 0 });
    expect(decideOutcome(config, scriptedRandom([0.5, 0.5])).kind).toBe("ok");
    expect(decideOutcome(config, scriptedRandom([0.4999, 0.5])).kind).toBe("status");
    expect(decideOutcome(endpoint({ failureRate: 0 }), scriptedRandom([0, 0.5])).kind).toBe("ok");
    expect(decideOutcome(endpoint({ failureRate: 1 }), scriptedRandom([0.9999999999, 0.5])).kind).toBe("status");
  });
});

describe("decideOutcome: draws", () => {
  it("draws exactly twice, whatever the config", () => {
    for (const failureRate of [0, 0.5, 1]) {
      for (const fault of ["status", "reset", "hang"] as const) {
        const random = scriptedRandom([0.3, 0.7]);
        decideOutcome(endpoint({ failureRate, fault }), random);
        expect(random.draws()).toBe(2);
      }
    }
  });

  it("uses the first draw for failure and the second for latency", () => {
    const config = endpoint({ failureRate: 0.5, latencyMs: 100, jitterMs: 10 });
    // Failure draw low (fails), latency draw high (slow end).
    expect(decideOutcome(config, scriptedRandom([0.1, 0.75]))).toEqual({ kind: "status", status: 503, delayMs: 105, retryAfterS: null });
    // Swapped: failure draw high (succeeds), latency draw low (fast end).
    expect(decideOutcome(config, scriptedRandom([0.75, 0.1]))).toEqual({ kind: "ok", status: 200, delayMs: 92 });
  });

  it("consumes a seeded sequence two draws per request", () => {
    const config = endpoint({ failureRate: 0.5, latencyMs: 1000, jitterMs: 1000 });
    const random = createRandom(9);
    const outcomes = [decideOutcome(config, random), decideOutcome(config, random)];
    const draws = createRandom(9);
    const expected = [0, 1].map((): MockOutcome => {
      const failed = draws() < 0.5;
      const delayMs = 1000 + (2 * draws() - 1) * 1000;
      return failed ? { kind: "status", status: 503, delayMs, retryAfterS: null } : { kind: "ok", status: 200, delayMs };
    });
    expect(outcomes).toEqual(expected);
  });
});

describe("decideOutcome: outcome shape per fault kind", () => {
  const draws = [0, 0.5];
  const cases: [FaultKind, MockOutcome][] = [
    ["status", { kind: "status", status: 502, delayMs: 40, retryAfterS: null }],
    ["reset", { kind: "reset", delayMs: 40 }],
    ["hang", { kind: "hang", delayMs: 40 }],
    ["slow-body", { kind: "slow-body", status: 200, delayMs: 40 }],
    ["malformed", { kind: "malformed", status: 200, delayMs: 40 }],
  ];
  for (const [fault, expected] of cases) {
    it(`fault "${fault}" gives exactly ${JSON.stringify(expected)}`, () => {
      const config = endpoint({ failureRate: 1, errorStatus: 502, latencyMs: 40, jitterMs: 30, fault });
      expect(decideOutcome(config, scriptedRandom(draws))).toStrictEqual(expected);
    });
  }

  it("a success is 200 whatever the fault kind and errorStatus", () => {
    for (const fault of ["status", "reset", "hang"] as const) {
      const config = endpoint({ failureRate: 0, errorStatus: 599, latencyMs: 40, jitterMs: 0, fault });
      expect(decideOutcome(config, scriptedRandom([0, 0]))).toStrictEqual({ kind: "ok", status: 200, delayMs: 40 });
    }
  });

  it("answers the configured errorStatus", () => {
    for (const errorStatus of [500, 503, 599]) {
      const outcome = decideOutcome(endpoint({ failureRate: 1, errorStatus }), scriptedRandom([0, 0.5]));
      expect(outcome).toMatchObject({ kind: "status", status: errorStatus });
    }
  });

  it("throws on a fault kind outside the model instead of passing it off as a success", () => {
    const config = endpoint({ failureRate: 1, fault: "teapot" as FaultKind });
    expect(() => decideOutcome(config, scriptedRandom([0, 0.5]))).toThrow(/teapot/);
  });
});

describe("decideOutcome: latency", () => {
  const delay = (config: Partial<EndpointConfig>, latencyDraw: number) =>
    decideOutcome(endpoint({ failureRate: 0, ...config }), scriptedRandom([0.5, latencyDraw])).delayMs;

  it("is latencyMs - jitterMs at draw 0, latencyMs at 0.5, near latencyMs + jitterMs at the top", () => {
    expect(delay({ latencyMs: 100, jitterMs: 20 }, 0)).toBe(80);
    expect(delay({ latencyMs: 100, jitterMs: 20 }, 0.5)).toBe(100);
    const top = delay({ latencyMs: 100, jitterMs: 20 }, 1 - 2 ** -32);
    expect(top).toBeLessThan(120);
    expect(top).toBeCloseTo(120, 6);
  });

  it("is exactly latencyMs without jitter", () => {
    expect(delay({ latencyMs: 1500, jitterMs: 0 }, 0)).toBe(1500);
    expect(delay({ latencyMs: 1500, jitterMs: 0 }, 0.99)).toBe(1500);
  });

  it("never goes below 0 when the jitter exceeds the latency", () => {
    expect(delay({ latencyMs: 10, jitterMs: 50 }, 0)).toBe(0);
    expect(delay({ latencyMs: 10, jitterMs: 50 }, 0.3)).toBe(0);
    expect(delay({ latencyMs: 10, jitterMs: 50 }, 0.75)).toBe(35);
  });

  it("is capped at 60 s", () => {
    expect(delay({ latencyMs: 60_000, jitterMs: 1000 }, 0.9)).toBe(MAX_LATENCY_MS);
    expect(delay({ latencyMs: 59_500, jitterMs: 1000 }, 0.5)).toBe(59_500);
    expect(delay({ latencyMs: 1e9, jitterMs: 0 }, 0)).toBe(60_000);
  });

  it("is 0, not NaN, for a config that slipped past validation", () => {
    expect(delay({ latencyMs: Number.NaN, jitterMs: 0 }, 0.5)).toBe(0);
  });

  it("applies to failures too, including the wait before a hang", () => {
    const config = endpoint({ failureRate: 1, latencyMs: 300, jitterMs: 100, fault: "hang" });
    expect(decideOutcome(config, scriptedRandom([0, 0]))).toStrictEqual({ kind: "hang", delayMs: 200 });
  });

  it("stays within [latency - jitter, latency + jitter] over a seeded run, covering both ends", () => {
    const config = endpoint({ failureRate: 0.3, latencyMs: 200, jitterMs: 50 });
    const random = createRandom(3);
    const delays = Array.from({ length: 10_000 }, () => decideOutcome(config, random).delayMs);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(150);
    expect(Math.max(...delays)).toBeLessThan(250);
    expect(Math.min(...delays)).toBeLessThan(151);
    expect(Math.max(...delays)).toBeGreaterThan(249);
  });
});
