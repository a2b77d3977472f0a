import type { EndpointPatch } from "./endpoint";
import type { Scenario } from "./scenario";

// The healthy model of the demo endpoints, stated in full so that a preset starts from a known
// state whatever a person left the endpoint in.
const HEALTHY: EndpointPatch = { failureRate: 0, errorStatus: 503, latencyMs: 20, jitterMs: 10, fault: "status", capacity: null, retryAfterS: null };

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * Incidents with a shape, on the lab's demo endpoints (`payments`, `inventory`, `search`): what an
 * engineer tunes a breaker against. Frozen, because every caller shares them.
 */
export const SCENARIO_PRESETS: readonly Scenario[] = deepFreeze([
  {
    name: "outage-then-flaky-recovery",
    description: "payments goes hard down for 30 s, comes back flaky (30 % errors) for 30 s, then recovers.",
    seed: 1,
    phases: [
      { label: "healthy", forMs: 10_000, endpoints: { payments: HEALTHY } },
      { label: "outage", forMs: 30_000, endpoints: { payments: { failureRate: 1, errorStatus: 503, retryAfterS: 30 } } },
      { label: "flaky recovery", forMs: 30_000, endpoints: { payments: { failureRate: 0.3, errorStatus: 500, retryAfterS: null } } },
      { label: "recovered", forMs: 20_000, endpoints: { payments: { failureRate: 0 } } },
    ],
  },
  {
    name: "slow-degradation",
    description: "search slows down step by step until its answers take longer than the 2 s timeout, then recovers.",
    seed: 2,
    phases: [
      { label: "healthy", forMs: 10_000, endpoints: { search: HEALTHY } },
      { label: "400 ms", forMs: 15_000, endpoints: { search: { latencyMs: 400, jitterMs: 100 } } },
      { label: "900 ms", forMs: 15_000, endpoints: { search: { latencyMs: 900, jitterMs: 200 } } },
      { label: "1.5 s", forMs: 15_000, endpoints: { search: { latencyMs: 1_500, jitterMs: 300 } } },
      { label: "2.5 s", forMs: 20_000, endpoints: { search: { latencyMs: 2_500, jitterMs: 300 } } },
      { label: "recovered", forMs: 20_000, endpoints: { search: { latencyMs: 20, jitterMs: 10 } } },
    ],
  },
  {
    name: "flapping",
    description: "inventory drops every connection for 6 s, then answers for 6 s, over and over (loops).",
    seed: 3,
    loop: true,
    phases: [
      { label: "down", forMs: 6_000, endpoints: { inventory: { ...HEALTHY, failureRate: 1, fault: "reset" } } },
      { label: "up", forMs: 6_000, endpoints: { inventory: { failureRate: 0 } } },
    ],
  },
  {
    name: "brownout",
    description: "inventory is overloaded: slow, 20 % errors and at most 8 requests at once (503 with Retry-After beyond), for a minute.",
    seed: 4,
    phases: [
      { label: "healthy", forMs: 10_000, endpoints: { inventory: HEALTHY } },
      {
        label: "brownout",
        forMs: 60_000,
        endpoints: { inventory: { failureRate: 0.2, errorStatus: 503, latencyMs: 600, jitterMs: 400, capacity: 8, retryAfterS: 2 } },
      },
      { label: "recovered", forMs: 20_000, endpoints: { inventory: HEALTHY } },
    ],
  },
  {
    name: "bad-deploy",
    description: "A deploy of search answers 200 with broken bodies 60 % of the time for 30 s, until it is rolled back.",
    seed: 5,
    phases: [
      { label: "healthy", forMs: 10_000, endpoints: { search: HEALTHY } },
      { label: "bad deploy", forMs: 30_000, endpoints: { search: { failureRate: 0.6, fault: "malformed" } } },
      { label: "rolled back", forMs: 20_000, endpoints: { search: { failureRate: 0, fault: "status" } } },
    ],
  },
  {
    name: "retry-storm",
    description: "payments can take 4 requests at once and answers in 1 s: retrying clients overload it until a breaker cuts them off.",
    seed: 6,
    phases: [
      { label: "healthy", forMs: 10_000, endpoints: { payments: HEALTHY } },
      { label: "saturated", forMs: 45_000, endpoints: { payments: { latencyMs: 1_000, jitterMs: 200, capacity: 4, retryAfterS: 1, failureRate: 0.1 } } },
      { label: "recovered", forMs: 20_000, endpoints: { payments: HEALTHY } },
    ],
  },
]);

/** The preset named `name`, or `undefined`. */
export function scenarioPreset(name: string): Scenario | undefined {
  return SCENARIO_PRESETS.find((preset) => preset.name === name);
}
