import type { EndpointPatch } from "./endpoint";

/** One phase of a scenario: for `forMs`, the endpoints it names get its patches on top of the model before it. */
export interface ScenarioPhase {
  label?: string;
  /** How long the phase lasts, ms (100..3 600 000). */
  forMs: number;
  /** Endpoint name → the fields the phase changes (the body of `PATCH /api/endpoints/{name}`). */
  endpoints: Record<string, EndpointPatch>;
}

/**
 * A timed fault pattern for the mock endpoints: phases played in order, each the half-open
 * interval [start, start + forMs). A request's outcome is decided by the model in force when it
 * arrives.
 */
export interface Scenario {
  /** `[a-z0-9-]{1,40}`. */
  name: string;
  description?: string;
  /** The endpoints' randomness while the scenario plays (and in what-if). */
  seed?: number;
  /** Play the phases again and again; default false. */
  loop?: boolean;
  /** 1..100 phases. */
  phases: ScenarioPhase[];
}

/** Limits of a scenario, shared by the schema and the recording. */
export const SCENARIO_LIMITS = { minPhaseMs: 100, maxPhaseMs: 3_600_000, maxPhases: 100 } as const;

/** One pass of the scenario, ms. */
export function scenarioLength(scenario: Scenario): number {
  return scenario.phases.reduce((total, phase) => total + phase.forMs, 0);
}

/** The endpoints a scenario names, in the order they first appear. */
export function scenarioEndpoints(scenario: Scenario): string[] {
  const names = new Set<string>();
  for (const phase of scenario.phases) for (const name of Object.keys(phase.endpoints)) names.add(name);
  return [...names];
}
