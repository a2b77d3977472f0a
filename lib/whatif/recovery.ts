import type { EndpointConfig } from "@/lib/simulator";
import type { ModelInterval } from "./endpoint-timeline";
import type { WhatIfTransition } from "./types";

/**
 * Whether a model is unhealthy for a config: it fails some requests, or (with a timeout) its
 * slowest answers take at least the timeout.
 */
export function isUnhealthy(model: EndpointConfig, timeoutMs: number | null): boolean {
  return model.failureRate > 0 || (timeoutMs !== null && model.latencyMs + model.jitterMs >= timeoutMs);
}

/**
 * How fast a config reacted to the scenario. `timeToOpenMs`: from the start of the first unhealthy
 * stretch to the first transition to OPEN at or after it. `timeToCloseMs`: from the start of the
 * first healthy stretch after that OPEN (or from the OPEN itself when it happened in a healthy
 * stretch) to the first transition to CLOSED at or after that start. `null` when it never happened.
 *
 * @param intervals - the endpoint's models over the run, in order
 * @param transitions - every instance's transitions, in time order
 */
export function judgeRecovery(
  intervals: Iterable<ModelInterval>,
  transitions: readonly WhatIfTransition[],
  timeoutMs: number | null,
): { timeToOpenMs: number | null; timeToCloseMs: number | null } {
  const stretches = [...intervals].map((interval) => ({ ...interval, unhealthy: isUnhealthy(interval.model, timeoutMs) }));
  const firstUnhealthy = stretches.find((stretch) => stretch.unhealthy);
  if (!firstUnhealthy) return { timeToOpenMs: null, timeToCloseMs: null };
  const opened = transitions.find((transition) => transition.to === "OPEN" && transition.at >= firstUnhealthy.start);
  if (!opened) return { timeToOpenMs: null, timeToCloseMs: null };
  const timeToOpenMs = opened.at - firstUnhealthy.start;
  const healthy = stretches.find((stretch) => !stretch.unhealthy && stretch.end > opened.at);
  if (!healthy) return { timeToOpenMs, timeToCloseMs: null };
  const from = Math.max(healthy.start, opened.at);
  const closed = transitions.find((transition) => transition.to === "CLOSED" && transition.at >= from);
  return { timeToOpenMs, timeToCloseMs: closed ? closed.at - from : null };
}
