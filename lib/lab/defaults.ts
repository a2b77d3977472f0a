import type { BreakerOptionsInput } from "@/lib/api/schemas";

/** A breaker of the demo: its name, the endpoint it protects, and its policy. */
export interface BreakerDefinition {
  name: string;
  endpoint: string;
  options: BreakerOptionsInput;
}

/** The mock endpoints a new lab starts with, all healthy. */
export const DEMO_ENDPOINTS = ["payments", "inventory", "search"] as const;

/** The breakers a new user sees: one of each policy family. */
export const DEMO_BREAKERS: readonly BreakerDefinition[] = [
  {
    name: "payments",
    endpoint: "payments",
    options: { failureThreshold: 3, openMs: 20_000 },
  },
  {
    name: "inventory",
    endpoint: "inventory",
    options: {
      slidingWindow: { type: "count", size: 20 },
      failureRateThreshold: 50,
      minimumCalls: 10,
      openMs: 10_000,
      halfOpenMaxCalls: 3,
      successThreshold: 3,
    },
  },
  {
    name: "search",
    endpoint: "search",
    options: {
      slidingWindow: { type: "time", ms: 30_000 },
      failureRateThreshold: 50,
      slowCallMs: 1_000,
      slowCallRateThreshold: 80,
      timeoutMs: 2_000,
      openMs: 15_000,
      backoffMultiplier: 2,
    },
  },
];
