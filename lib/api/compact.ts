import type { BreakerState } from "@/lib/breaker";
import type { CallOutcome, Endpoint, FleetMember, InstanceInfo, LabBreaker, PlaybackStatus, TimelineEntry } from "./types";

/**
 * The dashboard's compact forms of the lab (`/api/state?view=dashboard` and the frames of
 * `/api/events?compact=1`). Timeline entries travel as short arrays instead of objects with
 * repeated keys: an entry's breaker is an index into `names`, its time a whole number of tenths of
 * a millisecond after the previous entry's (the first one's after `base`), so the numbers stay
 * small and the sum stays exact.
 *
 * - a call: `[breaker, dt, outcome, durationTenths]` or `[breaker, dt, outcome, durationTenths, status]`,
 *   `outcome` an index into {@link OUTCOMES};
 * - a transition: `[breaker, dt, from, to, reason]`.
 */

/** The outcomes, in the order compact entries number them. */
export const OUTCOMES: readonly CallOutcome[] = ["success", "failure", "timeout", "rejected", "ignored"];

export type CompactCall = [breaker: number, dt: number, outcome: number, durationTenths: number, status?: number];
export type CompactTransition = [breaker: number, dt: number, from: BreakerState, to: BreakerState, reason: string];
export type CompactEntry = CompactCall | CompactTransition;

/** Timeline entries in compact form, oldest first. */
export interface CompactTimeline {
  /** Epoch ms the first entry's `dt` counts from. */
  base: number;
  names: string[];
  entries: CompactEntry[];
}

/** `GET /api/state?view=dashboard` and the `snapshot` event of `/api/events?compact=1`: what the dashboard draws. */
export interface DashboardState {
  now: number;
  breakers: LabBreaker[];
  endpoints: Endpoint[];
  playback: PlaybackStatus | null;
  /** The entries of the dashboard's longest timeline range. */
  timeline: CompactTimeline;
  instance: InstanceInfo;
  instances: FleetMember[];
}

/**
 * The `frame` event of `/api/events?compact=1`: what changed since the previous frame. A breaker
 * in `breakers` lists only its snapshot's fields that changed, each whole; `endpoints` holds the
 * endpoints that changed; `playback` is there only when the playback changed.
 */
export interface CompactFrame {
  breakers: Record<string, Partial<LabBreaker>>;
  timeline: CompactTimeline;
  endpoints?: Endpoint[];
  playback?: PlaybackStatus | null;
}

const tenths = (ms: number) => Math.round(ms * 10);

/** Entries (oldest first) in compact form. */
export function encodeTimeline(entries: readonly TimelineEntry[]): CompactTimeline {
  const base = entries.length === 0 ? 0 : Math.floor(entries[0]!.at);
  const names: string[] = [];
  const indexOf = new Map<string, number>();
  const encoded: CompactEntry[] = new Array(entries.length);
  let previous = 0;
  for (let index = 0; index < entries.length; index++) {
    const entry = entries[index]!;
    let breaker = indexOf.get(entry.breaker);
    if (breaker === undefined) {
      breaker = names.push(entry.breaker) - 1;
      indexOf.set(entry.breaker, breaker);
    }
    const at = tenths(entry.at - base);
    const dt = at - previous;
    previous = at;
    if (entry.kind === "transition") {
      encoded[index] = [breaker, dt, entry.from, entry.to, entry.reason];
    } else {
      const call: CompactCall = [breaker, dt, OUTCOMES.indexOf(entry.outcome), tenths(entry.durationMs)];
      if (entry.status !== undefined) call.push(entry.status);
      encoded[index] = call;
    }
  }
  return { base, names, entries: encoded };
}

/** The entries of a compact timeline, oldest first. */
export function decodeTimeline({ base, names, entries }: CompactTimeline): TimelineEntry[] {
  const decoded: TimelineEntry[] = new Array(entries.length);
  let at = 0;
  for (let index = 0; index < entries.length; index++) {
    const entry = entries[index]!;
    at += entry[1];
    const breaker = names[entry[0]]!;
    const time = base + at / 10;
    if (typeof entry[2] === "string") {
      const [, , from, to, reason] = entry as CompactTransition;
      decoded[index] = { at: time, breaker, kind: "transition", from, to, reason };
    } else {
      const [, , outcome, durationTenths, status] = entry as CompactCall;
      decoded[index] = { at: time, breaker, kind: "call", outcome: OUTCOMES[outcome]!, durationMs: durationTenths / 10, ...(status === undefined ? {} : { status }) };
    }
  }
  return decoded;
}

/** The dashboard's timeline ranges; the dashboard view carries the entries of the longest. */
export const TIMELINE_RANGES_MS = [60_000, 300_000, 900_000] as const;
