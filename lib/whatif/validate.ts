import { WHATIF_LIMITS } from "@/lib/api/schemas";
import { CircuitBreaker, ManualClock } from "@/lib/breaker";
import { scenarioEndpoints } from "@/lib/simulator";
import { durationOf } from "./engine";
import type { WhatIfInput } from "./types";

/** What is wrong with a what-if input that its schema cannot see, naming the field. */
export interface WhatIfProblem {
  field: string;
  message: string;
}

/** The option a library validation error is about, when it says. */
function optionOf(error: unknown): string | undefined {
  const option = (error as { option?: unknown }).option;
  return typeof option === "string" ? option : undefined;
}

/**
 * The rules across fields of a parsed what-if input: the endpoint is one the scenario names, the
 * run stays within 5 000 000 expected arrivals over all configs, and the library accepts every
 * config (its cross-field rules, such as `maxOpenMs` below `openMs`).
 *
 * @returns The first problem, or `null` when the input can run.
 */
export function whatIfProblem(input: WhatIfInput): WhatIfProblem | null {
  const named = scenarioEndpoints(input.scenario);
  if (!named.includes(input.endpoint)) {
    return { field: "endpoint", message: `endpoint must be one the scenario names (${named.join(", ")}), got "${input.endpoint}"` };
  }
  const durationMs = durationOf(input);
  if (durationMs > WHATIF_LIMITS.maxDurationMs) {
    return { field: "durationMs", message: `durationMs: the scenario lasts ${durationMs} ms, longer than a run may (${WHATIF_LIMITS.maxDurationMs}); give a durationMs` };
  }
  const arrivals = (input.traffic.rps * durationMs) / 1000;
  if (arrivals * input.configs.length > WHATIF_LIMITS.maxArrivals) {
    return {
      field: "traffic.rps",
      message: `traffic.rps: ${input.configs.length} configs × ${Math.round(arrivals)} arrivals is more than ${WHATIF_LIMITS.maxArrivals} simulated calls; lower the rate or the duration`,
    };
  }
  for (const [index, config] of input.configs.entries()) {
    try {
      new CircuitBreaker({ ...config.options, clock: new ManualClock(0) }).dispose();
    } catch (error) {
      const option = optionOf(error);
      const field = `configs.${index}.options${option ? `.${option}` : ""}`;
      return { field, message: `configs.${index}.options: ${(error as Error).message}` };
    }
  }
  return null;
}
