import type { BreakerState, ResolvedOptions } from "@/lib/breaker";
import type { TransitionEntry } from "./lab-state";

/** The state as the dashboard writes it: `HALF-OPEN`, `FORCED-OPEN`. */
export function stateLabel(state: BreakerState): string {
  return state.replace("_", "-");
}

function seconds(ms: number): string {
  const value = ms / 1000;
  return `${Number.isInteger(value) ? value : value.toFixed(1)} s`;
}

/** A breaker's policy in one sentence: "trips after 3 consecutive failures, waits 20 s". */
export function describePolicy(options: ResolvedOptions): string {
  const window = options.slidingWindow;
  const parts: string[] = [];
  if (window === null) {
    parts.push(`trips after ${options.failureThreshold} consecutive failure${options.failureThreshold === 1 ? "" : "s"}`);
  } else {
    const scope = window.type === "count" ? `of the last ${window.size} calls` : `over ${seconds(window.ms)}`;
    const slow = options.slowCallMs === null ? "" : ` or ${options.slowCallRateThreshold} % slow (> ${options.slowCallMs} ms)`;
    parts.push(`trips at ${options.failureRateThreshold} % failures${slow} ${scope} (min ${options.minimumCalls} calls)`);
  }
  parts.push(`waits ${seconds(options.openMs)}${options.backoffMultiplier > 1 ? ` (×${options.backoffMultiplier} backoff)` : ""}`);
  if (options.halfOpenMaxCalls > 1 || options.successThreshold > 1) {
    parts.push(`probes ${options.halfOpenMaxCalls} at a time, closes after ${options.successThreshold} successes`);
  }
  if (options.halfOpenPolicy === "rates") parts.push("judges its trials by their rates");
  if (options.timeoutMs !== null) parts.push(`times out after ${seconds(options.timeoutMs)}`);
  return parts.join(", ");
}

/** A transition as a screen reader announces it: "payments: CLOSED → OPEN (failure threshold)". */
export function describeTransition({ breaker, from, to, reason }: TransitionEntry): string {
  return `${breaker}: ${stateLabel(from)} → ${stateLabel(to)} (${reason.replaceAll("-", " ")})`;
}
