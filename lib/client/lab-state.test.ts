import { describe, expect, it } from "vitest";
import { encodeTimeline, type CompactFrame, type DashboardState } from "@/lib/api/compact";
import type { LabBreaker, LabState, TimelineEntry } from "@/lib/api/types";
import { CircuitBreaker, ManualClock } from "@/lib/breaker";
import { defaultEndpoint } from "@/lib/simulator";
import {
  applyBreaker,
  applyEndpoint,
  applyMessage,
  CLIENT_TIMELINE_CAPACITY,
  latestTransitionAt,
  receiveDashboardState,
  receiveState,
  serverNow,
  transitionsAfter,
  type LiveMessage,
} from "./lab-state";

function labBreaker(name: string, patch: Partial<LabBreaker> = {}): LabBreaker {
  return { ...new CircuitBreaker({ name, clock: new ManualClock(0) }).snapshot(), endpoint: name, ...patch };
}

function labState(patch: Partial<LabState> = {}): LabState {
  return { now: 10_000, breakers: [labBreaker("payments"), labBreaker("search")], endpoints: [defaultEndpoint("payments")], timeline: [], playback: null, instance: { id: "a", store: "memory", storeUp: true }, instances: [{ id: "a", seenAt: 10_000 }], ...patch };
}

describe("the server's clock in the browser", () => {
  it("is estimated from the state's now and the monotonic time it was received", () => {
    const state = receiveState(labState({ now: 1_700_000_000_000 }), 500);
    expect(serverNow(state, 500)).toBe(1_700_000_000_000);
    expect(serverNow(state, 2_000)).toBe(1_700_000_001_500);
  });
});

describe("applyMessage", () => {
  const call = (at: number, breaker = "payments"): TimelineEntry => ({ at, breaker, kind: "call", outcome: "rejected", durationMs: 0 });
  const frame = (patch: Partial<CompactFrame> = {}): LiveMessage => ({ event: "frame", data: { breakers: {}, timeline: encodeTimeline([]), ...patch } });
  const dashboard = (patch: Partial<LabState> = {}): DashboardState => {
    const { timeline, ...state } = labState(patch);
    return { ...state, timeline: encodeTimeline(timeline) };
  };

  it("changes only the fields a frame names, of the breakers it names", () => {
    const before = receiveDashboardState(dashboard(), 0);
    const next = applyMessage(before, frame({ breakers: { payments: { state: "OPEN", halfOpenAt: 29_000 } } }), 0);
    expect(next.breakers[0]).toEqual({ ...before.breakers[0], state: "OPEN", halfOpenAt: 29_000 });
    expect(next.breakers[1]).toBe(before.breakers[1]);
  });

  it("adds a frame's timeline entries after the ones it has", () => {
    const before = receiveDashboardState(dashboard({ timeline: [call(1)] }), 0);
    const next = applyMessage(before, frame({ timeline: encodeTimeline([call(2), { at: 3, breaker: "search", kind: "transition", from: "CLOSED", to: "OPEN", reason: "failure-rate" }]) }), 0);
    expect(next.timeline.map((entry) => [entry.at, entry.breaker, entry.kind])).toEqual([
      [1, "payments", "call"],
      [2, "payments", "call"],
      [3, "search", "transition"],
    ]);
  });

  it("replaces the endpoints and the playback a frame carries, and keeps them when it carries none", () => {
    const before = receiveDashboardState(dashboard(), 0);
    const failing = { ...defaultEndpoint("payments"), failureRate: 1 };
    const playing = { scenario: "flapping", phase: 1, startedAt: 0, phaseEndsAt: 6_000, endsAt: null };
    const next = applyMessage(before, frame({ endpoints: [failing], playback: playing }), 0);
    expect(next.endpoints).toEqual([failing]);
    expect(next.playback).toEqual(playing);
    expect(applyMessage(next, frame(), 0).playback).toEqual(playing);
    expect(applyMessage(next, frame({ playback: null }), 0).playback).toBeNull();
  });

  it("a snapshot replaces everything and resets the clock estimate", () => {
    const before = receiveDashboardState(dashboard({ timeline: [call(1)] }), 0);
    const next = applyMessage(before, { event: "snapshot", data: dashboard({ now: 50_000, timeline: [] }) }, 1_000);
    expect(next.clockOffset).toBe(49_000);
    expect(next.timeline).toEqual([]);
  });

  it("keeps the newest entries within the capacity", () => {
    const entries = Array.from({ length: CLIENT_TIMELINE_CAPACITY + 5 }, (_, index) => call(index));
    const next = applyMessage(receiveDashboardState(dashboard(), 0), frame({ timeline: encodeTimeline(entries) }), 0);
    expect(next.timeline).toHaveLength(CLIENT_TIMELINE_CAPACITY);
    expect(next.timeline[0]!.at).toBe(5);
  });
});

describe("answers of the API", () => {
  it("applyBreaker and applyEndpoint replace by name and ignore unknown names", () => {
    const state = receiveState(labState(), 0);
    const open = labBreaker("payments", { state: "FORCED_OPEN" });
    expect(applyBreaker(state, open).breakers[0]).toBe(open);
    expect(applyBreaker(state, labBreaker("unknown")).breakers).toEqual(state.breakers);
    const down = { ...defaultEndpoint("payments"), failureRate: 1 };
    expect(applyEndpoint(state, down).endpoints).toEqual([down]);
  });
});

describe("transitions for the announcer", () => {
  const call = (at: number): TimelineEntry => ({ at, breaker: "payments", kind: "call", outcome: "failure", durationMs: 3 });
  const transition = (at: number, to: "OPEN" | "HALF_OPEN"): TimelineEntry => ({ at, breaker: "payments", kind: "transition", from: "CLOSED", to, reason: "failure-threshold" });
  const timeline = [call(1), transition(2, "OPEN"), call(3), transition(5, "HALF_OPEN"), call(6)];

  it("finds the newest transition's time, or none", () => {
    expect(latestTransitionAt(timeline)).toBe(5);
    expect(latestTransitionAt([call(1)])).toBe(-Infinity);
  });

  it("lists the transitions after a time, oldest first, and none after the newest", () => {
    expect(transitionsAfter(timeline, -Infinity).map(({ at }) => at)).toEqual([2, 5]);
    expect(transitionsAfter(timeline, 2).map(({ at }) => at)).toEqual([5]);
    expect(transitionsAfter(timeline, 5)).toEqual([]);
  });
});
