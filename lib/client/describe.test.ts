import { describe, expect, it } from "vitest";
import { CircuitBreaker, type BreakerOptions } from "@/lib/breaker";
import { describePolicy, describeTransition, stateLabel } from "./describe";

const policy = (options: BreakerOptions) => describePolicy(new CircuitBreaker(options).snapshot().options);

describe("describePolicy", () => {
  it("says the seed's policy in words", () => {
    expect(policy({ failureThreshold: 3, openMs: 20_000 })).toBe("trips after 3 consecutive failures, waits 20 s");
    expect(policy({ failureThreshold: 1, openMs: 1_500 })).toBe("trips after 1 consecutive failure, waits 1.5 s");
  });

  it("describes windows, slow calls, backoff, trials and timeouts", () => {
    expect(
      policy({ slidingWindow: { type: "count", size: 20 }, minimumCalls: 10, openMs: 10_000, halfOpenMaxCalls: 3, successThreshold: 3 }),
    ).toBe("trips at 50 % failures of the last 20 calls (min 10 calls), waits 10 s, probes 3 at a time, closes after 3 successes");
    expect(
      policy({
        slidingWindow: { type: "time", ms: 30_000 },
        slowCallMs: 1_000,
        slowCallRateThreshold: 80,
        timeoutMs: 2_000,
        openMs: 15_000,
        backoffMultiplier: 2,
      }),
    ).toBe("trips at 50 % failures or 80 % slow (> 1000 ms) over 30 s (min 10 calls), waits 15 s (×2 backoff), times out after 2 s");
  });

  it("says when the trials are judged by their rates, and says nothing for the default", () => {
    expect(policy({ failureThreshold: 3, openMs: 20_000, halfOpenMaxCalls: 3, successThreshold: 3, halfOpenPolicy: "rates" })).toBe(
      "trips after 3 consecutive failures, waits 20 s, probes 3 at a time, closes after 3 successes, judges its trials by their rates",
    );
    expect(policy({ failureThreshold: 3, openMs: 20_000, halfOpenPolicy: "any-failure" })).toBe("trips after 3 consecutive failures, waits 20 s");
  });
});

describe("stateLabel", () => {
  it("writes states as the dashboard shows them", () => {
    expect(["CLOSED", "OPEN", "HALF_OPEN", "FORCED_OPEN", "DISABLED"].map((state) => stateLabel(state as never))).toEqual([
      "CLOSED",
      "OPEN",
      "HALF-OPEN",
      "FORCED-OPEN",
      "DISABLED",
    ]);
  });
});

describe("describeTransition", () => {
  it("names the breaker, both states as the badges write them, and the reason in words", () => {
    expect(describeTransition({ at: 1, breaker: "payments", kind: "transition", from: "CLOSED", to: "OPEN", reason: "failure-threshold" })).toBe(
      "payments: CLOSED → OPEN (failure threshold)",
    );
    expect(describeTransition({ at: 2, breaker: "quick", kind: "transition", from: "OPEN", to: "HALF_OPEN", reason: "open-elapsed" })).toBe(
      "quick: OPEN → HALF-OPEN (open elapsed)",
    );
  });
});
