import type { BreakerOptionsInput } from "@/lib/api/schemas";
import type { BreakerState, BreakerTotals, TransitionReason } from "@/lib/breaker";
import type { Scenario } from "@/lib/simulator";

/** How calls arrive: evenly spaced, or with exponential gaps (a Poisson process) from the seeded random. */
export type Arrival = "steady" | "poisson";

/** One breaker configuration to try, with the lab's JSON options. */
export interface WhatIfConfig {
  label: string;
  options: BreakerOptionsInput;
}

export interface WhatIfInput {
  scenario: Scenario;
  /** The endpoint of the scenario that the configs protect. */
  endpoint: string;
  /** 0 < rps <= 10 000; arrival defaults to steady. */
  traffic: { rps: number; arrival?: Arrival };
  /** Default: one pass of the scenario; at most 3 600 000. */
  durationMs?: number;
  /** Default: the scenario's seed, else 1. */
  seed?: number;
  /** 1..20 breakers per config, the traffic dealt round robin; default 1. */
  instances?: number;
  /** 1..5 configs, each run against the same arrivals and the same upstream. */
  configs: WhatIfConfig[];
}

export interface WhatIfTransition {
  /** Virtual ms since the start. */
  at: number;
  instance: number;
  from: BreakerState;
  to: BreakerState;
  reason: TransitionReason;
}

/** One config's run; counts summed over its instances, as the library's totals count them (no slow calls). */
export interface WhatIfConfigResult extends Omit<BreakerTotals, "slow"> {
  label: string;
  /** Calls that reached the endpoint. */
  upstreamCalls: number;
  /** Upstream calls that failed or timed out. */
  wastedCalls: number;
  /** Rejected calls the endpoint would have answered successfully. */
  rejectedGood: number;
  timeToOpenMs: number | null;
  timeToCloseMs: number | null;
  transitions: WhatIfTransition[];
}

export interface WhatIfResult {
  /** The sum of every result's `calls`. */
  simulatedCalls: number;
  results: WhatIfConfigResult[];
}
