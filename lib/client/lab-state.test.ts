import { describe, expect, it } from "vitest";
import type { BreakerMessage, LabBreaker, LabState, TimelineEntry } from "@/lib/api/types";
import { CircuitBreaker, ManualClock } from "@/lib/breaker";
import { defaultEndpoint } from "@/lib/simulator";
import { applyBreaker, applyEndpoint, applyMessages, CLIENT_TIMELINE_CAPACITY, latestTransitionAt, receiveState, serverNow, transitionsAfter } from "./lab-state";

function labBreaker(name: string, patch: Partial<LabBreaker> = {}): LabBreaker {
  return { ...new CircuitBreaker({ name, clock: new ManualClock(0) }).snapshot(), endpoint: name, ...patch };
}

function labState(patch: Partial<LabState> = {}): LabState {
  return { now: 10_000, breakers: [labBreaker("payments"), labBreaker("search")], endpoints: [defaultEndpoint("payments")], timeline: [], playback: null, ...patch };
}

describe("the server's clock in the browser", () => {
  it("is estimated from the state's now and the monotonic time it was received", () => {
    const state = receiveState(labState({ now: 1_700_000_000_000 }), 500);
    expect(serverNow(state, 500)).toBe(1_700_000_000_000);
    expect(serverNow(state, 2_000)).toBe(1_700_000_001_500);
  });
});

describe("applyMessages", () => {
  const tripped = labBreaker("payments", { state: "OPEN", openedAt: 9_000, halfOpenAt: 29_000 });
  const stateEvent: BreakerMessage = {
    type: "state",
    breaker: "payments",
    at: 9_000,
    from: "CLOSED",
    to: "OPEN",
    reason: "failure-threshold",
    snapshot: tripped,
    entry: { at: 9_000, breaker: "payments", kind: "transition", from: "CLOSED", to: "OPEN", reason: "failure-threshold" },
  };

  it("replaces a breaker with the snapshot its event carries and adds the timeline entry it carries", () => {
    const next = applyMessages(receiveState(labState(), 0), [{ event: "breaker", data: stateEvent }], 0);
    expect(next.breakers[0]).toBe(tripped);
    expect(next.breakers[1]!.name).toBe("search");
    expect(next.timeline).toEqual([{ at: 9_000, breaker: "payments", kind: "transition", from: "CLOSED", to: "OPEN", reason: "failure-threshold" }]);
  });

  it("a snapshot replaces everything and resets the clock estimate; later events in the batch still apply", () => {
    const before = receiveState(labState({ timeline: [{ at: 1, breaker: "x", kind: "call", outcome: "success", durationMs: 1 }] }), 0);
    const fresh = labState({ now: 50_000, timeline: [] });
    const next = applyMessages(before, [{ event: "snapshot", data: fresh }, { event: "breaker", data: stateEvent }], 1_000);
    expect(next.clockOffset).toBe(49_000);
    expect(next.timeline).toHaveLength(1);
    expect(next.breakers[0]!.state).toBe("OPEN");
  });

  it("an endpoint event replaces that endpoint", () => {
    const failing = { ...defaultEndpoint("payments"), failureRate: 1 };
    const next = applyMessages(receiveState(labState(), 0), [{ event: "endpoint", data: failing }], 0);
    expect(next.endpoints).toEqual([failing]);
  });

  it("keeps the newest entries within the capacity", () => {
    const calls: BreakerMessage[] = Array.from({ length: CLIENT_TIMELINE_CAPACITY + 5 }, (_, index) => ({
      type: "rejected",
      breaker: "payments",
      at: index,
      state: "OPEN",
      snapshot: tripped,
      entry: { at: index, breaker: "payments", kind: "call", outcome: "rejected", durationMs: 0 },
    }));
    const next = applyMessages(receiveState(labState(), 0), calls.map((data) => ({ event: "breaker" as const, data })), 0);
    expect(next.timeline).toHaveLength(CLIENT_TIMELINE_CAPACITY);
    expect(next.timeline[0]!.at).toBe(5);
  });

  it("leaves the state untouched for an empty batch", () => {
    const state = receiveState(labState(), 0);
    expect(applyMessages(state, [], 0)).toBe(state);
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
