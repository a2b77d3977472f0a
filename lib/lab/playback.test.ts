import { afterEach, describe, expect, it, vi } from "vitest";
import type { PlaybackStatus } from "@/lib/api/types";
import { ManualClock, realClock, type Clock } from "@/lib/breaker";
import type { Scenario } from "@/lib/simulator";
import { ScenarioPlayer } from "./playback";

/** A scenario whose phases last `lengths` ms; the player never reads the patches. */
function timed(lengths: number[], extra: Partial<Scenario> = {}): Scenario {
  return { name: "timed", phases: lengths.map((forMs) => ({ forMs, endpoints: {} })), ...extra };
}

/** A player on a ManualClock that logs what it does: `enter name:index@time` and the statuses it reports. */
function setup(startAt = 1_000_000, clock: Clock = new ManualClock(startAt)) {
  const entered: string[] = [];
  const changes: (PlaybackStatus | null)[] = [];
  const player = new ScenarioPlayer(clock, {
    enterPhase: (scenario, index) => entered.push(`${scenario.name}:${index}@${clock.now()}`),
    changed: (status) => changes.push(status),
  });
  return { player, clock: clock as ManualClock, entered, changes };
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("ScenarioPlayer.play", () => {
  it("enters phase 0 at once and reports the status", () => {
    const { player, entered, changes } = setup(5_000);
    const status = player.play(timed([1_000, 500, 2_000]));
    const expected = { scenario: "timed", phase: 0, startedAt: 5_000, phaseEndsAt: 6_000, endsAt: 8_500 };
    expect(status).toEqual(expected);
    expect(player.status()).toEqual(expected);
    expect(entered).toEqual(["timed:0@5000"]);
    expect(changes).toEqual([expected]);
  });

  it("enters each later phase exactly at its boundary, not 1 ms before", () => {
    const { player, clock, entered, changes } = setup(0);
    player.play(timed([1_000, 500, 2_000]));
    clock.advance(999);
    expect(entered).toEqual(["timed:0@0"]);
    expect(player.status()).toMatchObject({ phase: 0 });
    clock.advance(1);
    expect(entered).toEqual(["timed:0@0", "timed:1@1000"]);
    expect(player.status()).toEqual({ scenario: "timed", phase: 1, startedAt: 0, phaseEndsAt: 1_500, endsAt: 3_500 });
    clock.advance(499);
    expect(entered).toHaveLength(2);
    clock.advance(1);
    expect(entered).toEqual(["timed:0@0", "timed:1@1000", "timed:2@1500"]);
    expect(player.status()).toEqual({ scenario: "timed", phase: 2, startedAt: 0, phaseEndsAt: 3_500, endsAt: 3_500 });
    expect(changes.map((change) => change?.phase)).toEqual([0, 1, 2]);
  });

  it("enters phases at fractional boundaries on time", () => {
    const { player, clock, entered } = setup(0);
    player.play(timed([100.25, 100.5, 100]));
    clock.advance(100.24);
    expect(entered).toHaveLength(1);
    clock.advance(0.01);
    expect(entered.at(-1)).toBe("timed:1@100.25");
    clock.advance(100.5);
    expect(entered.at(-1)).toBe("timed:2@200.75");
    expect(player.status()).toMatchObject({ phase: 2, phaseEndsAt: 300.75, endsAt: 300.75 });
  });

  it("reports the name of an inline scenario too", () => {
    const { player } = setup(0);
    expect(player.play(timed([100], { name: "my-inline-one" })).scenario).toBe("my-inline-one");
  });
});

describe("the end of a scenario that does not loop", () => {
  it("comes at its end: no more phases, the status null, changed(null) once", () => {
    const { player, clock, entered, changes } = setup(0);
    player.play(timed([1_000, 500]));
    clock.advance(1_499);
    expect(player.status()).toMatchObject({ phase: 1 });
    clock.advance(1);
    expect(player.status()).toBeNull();
    expect(entered).toEqual(["timed:0@0", "timed:1@1000"]);
    expect(changes.map((change) => change?.phase ?? null)).toEqual([0, 1, null]);
    clock.advance(60_000);
    expect(changes).toHaveLength(3);
    expect(entered).toHaveLength(2);
    expect(clock.pendingTimers).toBe(0);
  });

  it("after it, stop reports that nothing plays and says nothing", () => {
    const { player, clock, changes } = setup(0);
    player.play(timed([100]));
    clock.advance(100);
    expect(player.stop()).toBe(false);
    expect(changes).toHaveLength(2);
  });
});

describe("a looping scenario", () => {
  it("goes back to phase 0 at the end of each pass, startedAt moving to the pass's start, endsAt null", () => {
    const { player, clock, entered, changes } = setup(0);
    const status = player.play(timed([1_000, 500], { loop: true }));
    expect(status).toEqual({ scenario: "timed", phase: 0, startedAt: 0, phaseEndsAt: 1_000, endsAt: null });
    clock.advance(1_000);
    expect(player.status()).toEqual({ scenario: "timed", phase: 1, startedAt: 0, phaseEndsAt: 1_500, endsAt: null });
    clock.advance(499);
    expect(player.status()).toMatchObject({ phase: 1, startedAt: 0 });
    clock.advance(1);
    expect(player.status()).toEqual({ scenario: "timed", phase: 0, startedAt: 1_500, phaseEndsAt: 2_500, endsAt: null });
    clock.advance(1_500);
    expect(player.status()).toEqual({ scenario: "timed", phase: 0, startedAt: 3_000, phaseEndsAt: 4_000, endsAt: null });
    expect(entered).toEqual(["timed:0@0", "timed:1@1000", "timed:0@1500", "timed:1@2500", "timed:0@3000"]);
    expect(changes).toHaveLength(5);
    expect(changes.every((change) => change !== null)).toBe(true);
  });

  it("loops a one-phase scenario, entering it again at each pass", () => {
    const { player, clock, entered } = setup(0);
    player.play(timed([100], { loop: true }));
    clock.advance(300);
    expect(entered).toEqual(["timed:0@0", "timed:0@100", "timed:0@200", "timed:0@300"]);
    expect(player.status()).toEqual({ scenario: "timed", phase: 0, startedAt: 300, phaseEndsAt: 400, endsAt: null });
  });

  it("keeps its boundaries on the pass over an hour of passes", () => {
    const { player, clock, entered } = setup(0);
    player.play(timed([700, 300.5], { loop: true }));
    clock.advance(3_600 * 1_000.5);
    expect(player.status()).toMatchObject({ phase: 0, startedAt: 3_600 * 1_000.5, phaseEndsAt: 3_600 * 1_000.5 + 700 });
    expect(entered).toHaveLength(2 * 3_600 + 1);
  });
});

describe("ScenarioPlayer.stop", () => {
  it("stops: no more phases, changed(null), status null, no timer left", () => {
    const { player, clock, entered, changes } = setup(0);
    player.play(timed([1_000, 500], { loop: true }));
    clock.advance(1_200);
    expect(player.stop()).toBe(true);
    expect(player.status()).toBeNull();
    expect(changes.at(-1)).toBeNull();
    expect(clock.pendingTimers).toBe(0);
    clock.advance(10_000);
    expect(entered).toEqual(["timed:0@0", "timed:1@1000"]);
    expect(changes).toHaveLength(3);
  });

  it("says false and reports nothing when nothing plays", () => {
    const { player, changes } = setup(0);
    expect(player.stop()).toBe(false);
    expect(changes).toEqual([]);
  });
});

describe("replacing what plays", () => {
  it("starts the new scenario at once; the old one's timers never fire", () => {
    const { player, clock, entered, changes } = setup(0);
    player.play(timed([1_000, 1_000], { name: "old" }));
    clock.advance(400);
    const status = player.play(timed([2_000, 500], { name: "new" }));
    expect(status).toEqual({ scenario: "new", phase: 0, startedAt: 400, phaseEndsAt: 2_400, endsAt: 2_900 });
    expect(clock.pendingTimers).toBe(1);
    clock.advance(2_000);
    expect(entered).toEqual(["old:0@0", "new:0@400", "new:1@2400"]);
    clock.advance(500);
    expect(player.status()).toBeNull();
    expect(entered).toEqual(["old:0@0", "new:0@400", "new:1@2400"]);
    expect(changes.map((change) => (change ? `${change.scenario}:${change.phase}` : null))).toEqual(["old:0", "new:0", "new:1", null]);
  });

  it("replays the same scenario from its start", () => {
    const { player, clock, entered } = setup(0);
    const scenario = timed([1_000, 1_000]);
    player.play(scenario);
    clock.advance(1_500);
    expect(player.play(scenario)).toMatchObject({ phase: 0, startedAt: 1_500, phaseEndsAt: 2_500 });
    clock.advance(999);
    expect(entered).toEqual(["timed:0@0", "timed:1@1000", "timed:0@1500"]);
    clock.advance(1);
    expect(entered.at(-1)).toBe("timed:1@2500");
  });
});

describe("late timers", () => {
  it("apply every skipped phase in order when the clock jumps over several, with boundaries from the pass start", () => {
    const { player, clock, entered, changes } = setup(0);
    player.play(timed([100, 200, 300, 400], { loop: true }));
    clock.jump(650);
    clock.advance(0);
    expect(entered).toEqual(["timed:0@0", "timed:1@650", "timed:2@650", "timed:3@650"]);
    // Phase 3 began at 600 (100 + 200 + 300), not at 650 when the late timer fired: no drift.
    expect(player.status()).toEqual({ scenario: "timed", phase: 3, startedAt: 0, phaseEndsAt: 1_000, endsAt: null });
    expect(changes).toHaveLength(2);
    clock.advance(349);
    expect(entered).toHaveLength(4);
    clock.advance(1);
    expect(entered.at(-1)).toBe("timed:0@1000");
    expect(player.status()).toMatchObject({ phase: 0, startedAt: 1_000, phaseEndsAt: 1_100 });
  });

  it("carry a jump over a pass end into the next pass", () => {
    const { player, clock, entered } = setup(0);
    player.play(timed([100, 200], { loop: true }));
    clock.jump(750);
    clock.advance(0);
    // Boundaries at 100, 300 (pass 1), 400, 600 (pass 2), 700: at 750, phase 1 of the pass begun at 600.
    // Two passes behind, only the last full pass (from 300) and the current one are replayed: a full
    // pass sets every field any phase sets, so the models are those of a full replay.
    expect(entered.slice(1)).toEqual(["timed:0@750", "timed:1@750", "timed:0@750", "timed:1@750"]);
    expect(player.status()).toEqual({ scenario: "timed", phase: 1, startedAt: 600, phaseEndsAt: 900, endsAt: null });
  });

  it("end a scenario that does not loop after its remaining phases, when the jump passes its end", () => {
    const { player, clock, entered, changes } = setup(0);
    player.play(timed([100, 200, 300]));
    clock.jump(10_000);
    clock.advance(0);
    expect(entered).toEqual(["timed:0@0", "timed:1@10000", "timed:2@10000"]);
    expect(player.status()).toBeNull();
    expect(changes.at(-1)).toBeNull();
    expect(changes.filter((change) => change === null)).toHaveLength(1);
  });

  it("re-arm for the rest of the phase when a timer fires early", () => {
    let fire: (() => void) | undefined;
    let now = 0;
    const puppet: Clock = {
      now: () => now,
      setTimeout: (callback) => {
        fire = callback;
        return {};
      },
      clearTimeout: () => {},
    };
    const { player, entered } = setup(0, puppet);
    player.play(timed([1_000, 1_000]));
    now = 999.5;
    fire!();
    expect(entered).toEqual(["timed:0@0"]);
    expect(player.status()).toMatchObject({ phase: 0 });
    now = 1_000;
    fire!();
    expect(entered).toEqual(["timed:0@0", "timed:1@1000"]);
  });
});

describe("timers", () => {
  it("never keep a Node process alive", () => {
    const handles: ReturnType<typeof setTimeout>[] = [];
    const original = globalThis.setTimeout;
    vi.spyOn(globalThis, "setTimeout").mockImplementation(((callback: () => void, ms: number) => {
      const handle = original(callback, ms);
      handles.push(handle);
      return handle;
    }) as typeof setTimeout);
    const { player } = setup(0, realClock);
    player.play(timed([60_000, 60_000]));
    expect(handles).toHaveLength(1);
    expect(handles[0]!.hasRef()).toBe(false);
    player.stop();
  });

  it("run on real time: phase 1 at its boundary (fake timers)", () => {
    vi.useFakeTimers({ now: 0, toFake: ["setTimeout", "clearTimeout", "performance"] });
    const { player, entered } = setup(0, realClock);
    player.play(timed([1_000, 1_000]));
    vi.advanceTimersByTime(999);
    expect(entered).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(entered).toHaveLength(2);
    expect(player.status()).toMatchObject({ phase: 1 });
    player.stop();
  });
});
