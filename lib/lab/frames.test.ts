import { describe, expect, it } from "vitest";
import type { CompactFrame, DashboardState } from "@/lib/api/compact";
import { ManualClock } from "@/lib/breaker";
import { applyMessage, receiveDashboardState, type ClientLabState, type LiveMessage } from "@/lib/client/lab-state";
import { createRandom } from "@/lib/simulator";
import type { HttpResult } from "./caller";
import { FRAME_MS } from "./frames";
import { LabHub } from "./hub";
import { tick } from "./test-helpers";

const decoder = new TextDecoder();

/** The SSE messages of one encoded chunk. */
function messagesOf(bytes: Uint8Array): LiveMessage[] {
  return decoder
    .decode(bytes)
    .split("\n\n")
    .filter(Boolean)
    .map((block) => {
      const event = /^event: (.+)$/m.exec(block)![1]!;
      const data = JSON.parse(/^data: (.+)$/m.exec(block)![1]!) as DashboardState | CompactFrame;
      return { event, data } as LiveMessage;
    });
}

/** A hub on a ManualClock whose mock answers `status`, and a page following its compact stream. */
function setup() {
  const clock = new ManualClock(1_700_000_000_000);
  let status = 200;
  const hub = new LabHub({ caller: async (): Promise<HttpResult> => ({ status }), clock, random: createRandom(1) });
  const follow = () => {
    const received: LiveMessage[] = [];
    let page: ClientLabState | undefined;
    const unsubscribe = hub.frames.subscribe((bytes) => {
      for (const message of messagesOf(bytes)) {
        received.push(message);
        page = applyMessage(page!, message, 0);
      }
    });
    return { received, page: () => page!, unsubscribe };
  };
  return { hub, clock, follow, fail: (next: number) => (status = next) };
}

/** What a page loaded now would show, for comparison with a page that followed the stream. */
function fresh(hub: LabHub): ClientLabState {
  return receiveDashboardState(hub.dashboardState(), 0);
}

function expectSamePage(followed: ClientLabState, loaded: ClientLabState) {
  expect(followed.breakers).toEqual(loaded.breakers);
  expect(followed.endpoints).toEqual(loaded.endpoints);
  expect(followed.playback).toEqual(loaded.playback);
  // Each form rounds times to a tenth of a millisecond from its own base.
  expect(followed.timeline.map((entry) => ({ ...entry, at: 0 }))).toEqual(loaded.timeline.map((entry) => ({ ...entry, at: 0 })));
  followed.timeline.forEach((entry, index) => expect(Math.abs(entry.at - loaded.timeline[index]!.at)).toBeLessThanOrEqual(0.1));
}

describe("the compact stream", () => {
  it("starts with the dashboard's snapshot", () => {
    const { hub, follow } = setup();
    const page = follow();
    expect(page.received.map((message) => message.event)).toEqual(["snapshot"]);
    expectSamePage(page.page(), fresh(hub));
  });

  it("coalesces a burst of calls into one frame, sent once the frame's time is up", async () => {
    const { hub, clock, follow } = setup();
    const page = follow();
    await hub.fireCalls("payments", 20, 20);
    await tick();
    expect(page.received).toHaveLength(1);
    clock.advance(FRAME_MS);
    expect(page.received.map((message) => message.event)).toEqual(["snapshot", "frame"]);
    const frame = page.received[1]!.data as CompactFrame;
    expect(frame.timeline.entries).toHaveLength(20);
    expect(Object.keys(frame.breakers)).toEqual(["payments"]);
    // Only what changed: the policy and the state did not.
    expect(frame.breakers.payments).not.toHaveProperty("options");
    expect(frame.breakers.payments).not.toHaveProperty("state");
    expect(frame.breakers.payments).toHaveProperty("totals");
    expectSamePage(page.page(), fresh(hub));
  });

  it("sends a transition without waiting for the frame's time", async () => {
    const { hub, clock, follow, fail } = setup();
    const page = follow();
    await hub.fireCalls("payments", 1, 1);
    clock.advance(FRAME_MS);
    fail(503);
    await hub.fireCalls("payments", 3, 1);
    expect(page.received).toHaveLength(2);
    clock.advance(0);
    expect(page.received).toHaveLength(3);
    expect(page.page().breakers.find(({ name }) => name === "payments")!.state).toBe("OPEN");
    expectSamePage(page.page(), fresh(hub));
  });

  it("sends at most one frame per frame time under steady calls", async () => {
    const { hub, clock, follow } = setup();
    const page = follow();
    for (let step = 0; step < 100; step++) {
      await hub.fireCalls("search", 2, 2);
      clock.advance(10);
    }
    // 1 s of calls every 10 ms: 20 frames of 50 ms, and the snapshot.
    expect(page.received.length).toBeLessThanOrEqual(1 + 1_000 / FRAME_MS);
    clock.advance(FRAME_MS);
    expectSamePage(page.page(), fresh(hub));
  });

  it("every client gets the same bytes", async () => {
    const { hub, clock } = setup();
    const chunks: Uint8Array[][] = [[], []];
    hub.frames.subscribe((bytes) => chunks[0]!.push(bytes));
    hub.frames.subscribe((bytes) => chunks[1]!.push(bytes));
    await hub.fireCalls("payments", 3, 3);
    clock.advance(FRAME_MS);
    expect(chunks[0]!.at(-1)).toBe(chunks[1]!.at(-1));
  });

  it("a page that joins between two frames misses nothing, even a field that changes and changes back", async () => {
    const { hub, clock, follow, fail } = setup();
    const first = follow();
    await hub.fireCalls("payments", 1, 1);
    clock.advance(FRAME_MS);
    // The last frame said CLOSED. payments trips, a page joins and sees OPEN, and a reset brings
    // payments back to CLOSED, all before the next frame: that frame must still tell the new page.
    fail(503);
    await hub.fireCalls("payments", 3, 1);
    fail(200);
    const second = follow();
    expect(second.page().breakers.find(({ name }) => name === "payments")!.state).toBe("OPEN");
    hub.act("payments", "reset");
    clock.advance(FRAME_MS);
    expect(second.page().breakers.find(({ name }) => name === "payments")!.state).toBe("CLOSED");
    expectSamePage(first.page(), fresh(hub));
    expectSamePage(second.page(), fresh(hub));
  });

  it("endpoint changes, playback and lab resets reach the page", async () => {
    const { hub, clock, follow } = setup();
    const page = follow();
    hub.patchEndpoint("payments", { failureRate: 1 });
    hub.play("flapping");
    clock.advance(FRAME_MS);
    expectSamePage(page.page(), fresh(hub));
    hub.stopPlayback();
    hub.resetLab();
    clock.advance(FRAME_MS);
    expectSamePage(page.page(), fresh(hub));
    expect(page.page().endpoints.every((endpoint) => endpoint.failureRate === 0)).toBe(true);
  });

  it("builds nothing once the last client left", async () => {
    const { hub, clock, follow } = setup();
    const page = follow();
    page.unsubscribe();
    await hub.fireCalls("payments", 5, 5);
    clock.advance(FRAME_MS);
    expect(page.received).toHaveLength(1);
    expect(hub.frames.listenerCount).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });
});
