import type { InstanceInfo, LabState } from "@/lib/api/types";

/**
 * How long the server keeps an instance in the fleet without hearing from it (`LabState.instances`:
 * "heard from in the last 10 s"). A listed member was heard from at most this long ago.
 */
export const FLEET_WINDOW_S = 10;

/** One member of the fleet as the header shows it. */
export interface FleetMemberView {
  id: string;
  /** Whole seconds since it was heard from, 0 to {@link FLEET_WINDOW_S}. */
  ago: number;
  /** The instance this page talks to. */
  current: boolean;
}

/** The instance this page talks to, e.g. "Instance a · Redis" or "Instance 127.0.0.1:3000 · in memory". */
export function describeInstance({ id, store }: InstanceInfo): string {
  return `Instance ${id} · ${store === "redis" ? "Redis" : "in memory"}`;
}

/**
 * The fleet at server time `now` (epoch ms, `serverNow(...)`), sorted by id: in memory the
 * instance alone; with Redis every member, the current one always among them (it is answering).
 *
 * `seenAt` only changes when a snapshot arrives (the server re-sends one when the membership
 * changes, not at every heartbeat), so an age counted from it keeps growing while the members stay
 * the same; it is capped at the fleet's window, which every listed member is within.
 */
export function fleetMembers({ instance, instances }: Pick<LabState, "instance" | "instances">, now: number): FleetMemberView[] {
  const seen = new Map<string, number>();
  if (instance.store === "redis") {
    for (const { id, seenAt } of instances) seen.set(id, Math.max(seenAt, seen.get(id) ?? -Infinity));
  }
  if (!seen.has(instance.id)) seen.set(instance.id, instances.find(({ id }) => id === instance.id)?.seenAt ?? now);
  // Code-unit order, not localeCompare: the server's render and the browser's must agree.
  const ids = [...seen.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return ids.map((id) => ({ id, ago: secondsAgo(seen.get(id)!, now), current: id === instance.id }));
}

function secondsAgo(seenAt: number, now: number): number {
  return Math.min(FLEET_WINDOW_S, Math.max(0, Math.round((now - seenAt) / 1000)));
}

/** A member's age as text: "just now", "3 s ago", and "≤10 s ago" at the cap. */
export function formatAgo(ago: number): string {
  if (ago <= 0) return "just now";
  return ago >= FLEET_WINDOW_S ? `≤${FLEET_WINDOW_S} s ago` : `${ago} s ago`;
}
