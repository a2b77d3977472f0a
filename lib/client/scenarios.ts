import type { PlaybackStatus } from "@/lib/api/types";
import { scenarioLength, type Scenario } from "@/lib/simulator";

/** The API path of the scenario list, also its SWR key. */
export const SCENARIOS_KEY = "/api/scenarios";

/**
 * `wanted`, or the first of `wanted-2`, `wanted-3`, … that is not taken, kept within the 40
 * characters a name may have: an imported file never overwrites a scenario or fails on its name.
 */
export function availableName(wanted: string, taken: ReadonlySet<string>): string {
  if (!taken.has(wanted)) return wanted;
  for (let suffix = 2; ; suffix += 1) {
    const tail = `-${suffix}`;
    const candidate = `${wanted.slice(0, 40 - tail.length)}${tail}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** One phase as the progress bar draws it. */
export interface PhaseSegment {
  label: string;
  /** Share of one pass, 0..1. */
  share: number;
}

export function phaseSegments(scenario: Scenario): PhaseSegment[] {
  const length = scenarioLength(scenario);
  return scenario.phases.map((phase, index) => ({ label: phase.label ?? `phase ${index + 1}`, share: phase.forMs / length }));
}

/** Where a playback stands at `serverNow`: the pass's elapsed share and the time left in the phase and overall. */
export function playbackProgress(playing: PlaybackStatus, scenario: Scenario | undefined, serverNow: number) {
  const passMs = scenario ? scenarioLength(scenario) : playing.phaseEndsAt - playing.startedAt;
  const elapsedMs = Math.max(0, serverNow - playing.startedAt);
  return {
    passShare: Math.min(1, elapsedMs / passMs),
    phaseLeftMs: Math.max(0, playing.phaseEndsAt - serverNow),
    totalLeftMs: playing.endsAt === null ? null : Math.max(0, playing.endsAt - serverNow),
  };
}

/** The endpoints a playing scenario drives now, with the label of the phase in force. */
export function drivenEndpoints(playing: PlaybackStatus | null, scenario: Scenario | undefined): Map<string, string> {
  const driven = new Map<string, string>();
  if (!playing || !scenario || scenario.name !== playing.scenario) return driven;
  const label = scenario.phases[playing.phase]?.label ?? `phase ${playing.phase + 1}`;
  for (const phase of scenario.phases) for (const name of Object.keys(phase.endpoints)) driven.set(name, label);
  return driven;
}
