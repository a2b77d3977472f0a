import { describe, expect, it, vi } from "vitest";
import { Alarm, realClock } from "./clock";
import { ManualClock } from "./manual-clock";
import type { Clock } from "./types";

const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * A clock whose timers fire only when the test says so, at whatever time the test has set: it
 * can fire a timer early, the way runtimes sometimes do.
 */
class PuppetClock implements Clock {
  time = 0;
  readonly scheduled: { callback: () => void; ms: number; handle: unknown }[] = [];
  readonly cleared: unknown[] = [];
  private handles = 0;

  constructor(private readonly makeHandle: (id: number) => unknown = (id) => ({ id, unref: vi.fn() })) {}

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const handle = this.makeHandle(++this.handles);
    this.scheduled.push({ callback, ms, handle });
    return handle;
  }

  clearTimeout(handle: unknown): void {
    this.cleared.push(handle);
  }

  /** The most recently scheduled timer. */
  get last() {
    const timer = this.scheduled.at(-1);
    if (timer === undefined) throw new Error("nothing scheduled");
    return timer;
  }
}

describe("realClock", () => {
  it("reads epoch milliseconds close to Date.now()", () => {
    const before = Date.now();
    const now = realClock.now();
    const after = Date.now();
    expect(now).toBeGreaterThanOrEqual(before - 50);
    expect(now).toBeLessThanOrEqual(after + 50);
  });

  it("never decreases over 10 000 reads", () => {
    let previous = realClock.now();
    let decreases = 0;
    for (let index = 0; index < 10_000; index++) {
      const now = realClock.now();
      if (now < previous) decreases += 1;
      previous = now;
    }
    expect(decreases).toBe(0);
  });

  it("its timers can be cleared before they fire", () => {
    const callback = vi.fn();
    const handle = realClock.setTimeout(callback, 60_000);
    realClock.clearTimeout(handle);
    expect(callback).not.toHaveBeenCalled();
  });
});

describe("Alarm fires at its absolute due time", () => {
  it("with a ManualClock: not a millisecond early, exactly at dueAt", () => {
    const clock = new ManualClock(200);
    const firedAt: number[] = [];
    const alarm = new Alarm(clock, () => firedAt.push(clock.now()));
    alarm.set(1_000);
    clock.advance(799);
    expect(firedAt).toEqual([]);
    clock.advance(1);
    expect(firedAt).toEqual([1_000]);
    clock.advance(10_000);
    expect(firedAt).toEqual([1_000]);
    expect(clock.pendingTimers).toBe(0);
  });

  it("a due time in the past fires at the next turn of the clock", () => {
    const clock = new ManualClock(5_000);
    const firedAt: number[] = [];
    new Alarm(clock, () => firedAt.push(clock.now())).set(1_000);
    clock.advance(0);
    expect(firedAt).toEqual([5_000]);
  });

  it("a fractional due time is not fired before it", () => {
    const clock = new ManualClock(0);
    const firedAt: number[] = [];
    new Alarm(clock, () => firedAt.push(clock.now())).set(1_000.5);
    clock.advance(1_000);
    expect(firedAt).toEqual([]);
    clock.advance(1);
    expect(firedAt).toEqual([1_001]);
  });

  it("a delayMs hint that is too short does not make it fire early", () => {
    const clock = new ManualClock(0);
    const firedAt: number[] = [];
    new Alarm(clock, () => firedAt.push(clock.now())).set(1_000, 10);
    clock.advance(999);
    expect(firedAt).toEqual([]);
    clock.advance(1);
    expect(firedAt).toEqual([1_000]);
  });

  it("onDue may arm the alarm again", () => {
    const clock = new ManualClock(0);
    const firedAt: number[] = [];
    const alarm: Alarm = new Alarm(clock, () => {
      firedAt.push(clock.now());
      if (firedAt.length < 3) alarm.set(clock.now() + 100);
    });
    alarm.set(100);
    clock.advance(1_000);
    expect(firedAt).toEqual([100, 200, 300]);
  });
});

describe("Alarm when the runtime's timer fires early", () => {
  it("re-arms for the rest of the time and never calls onDue before due", () => {
    const clock = new PuppetClock();
    const calls: number[] = [];
    const alarm = new Alarm(clock, () => calls.push(clock.now()));
    alarm.set(1_000);
    expect(clock.scheduled).toHaveLength(1);
    expect(clock.last.ms).toBe(1_000);

    clock.time = 400; // the runtime fires 600 ms early
    clock.scheduled[0]!.callback();
    expect(calls).toEqual([]);
    expect(clock.scheduled).toHaveLength(2);
    expect(clock.last.ms).toBe(600);

    clock.time = 999.5; // early again, by half a millisecond
    clock.last.callback();
    expect(calls).toEqual([]);
    expect(clock.scheduled).toHaveLength(3);
    expect(clock.last.ms).toBeGreaterThanOrEqual(0.5);

    clock.time = 1_000;
    clock.last.callback();
    expect(calls).toEqual([1_000]);
    expect(clock.scheduled).toHaveLength(3);
  });

  it("fires once only, even if the runtime fires the last timer twice", () => {
    const clock = new PuppetClock();
    const onDue = vi.fn();
    new Alarm(clock, onDue).set(100);
    clock.time = 100;
    clock.last.callback();
    clock.last.callback();
    expect(onDue).toHaveBeenCalledTimes(1);
  });
});

describe("Alarm set() and clear()", () => {
  it("set() replaces an earlier arming: only the later one fires", () => {
    const clock = new ManualClock(0);
    const firedAt: number[] = [];
    const alarm = new Alarm(clock, () => firedAt.push(clock.now()));
    alarm.set(500);
    alarm.set(2_000);
    expect(clock.pendingTimers).toBe(1);
    clock.advance(1_000);
    expect(firedAt).toEqual([]);
    clock.advance(1_000);
    expect(firedAt).toEqual([2_000]);
  });

  it("set() to an earlier time fires then, and not again at the old time", () => {
    const clock = new ManualClock(0);
    const firedAt: number[] = [];
    const alarm = new Alarm(clock, () => firedAt.push(clock.now()));
    alarm.set(2_000);
    alarm.set(500);
    clock.advance(5_000);
    expect(firedAt).toEqual([500]);
  });

  it("set() clears the runtime timer of the earlier arming", () => {
    const clock = new PuppetClock();
    const alarm = new Alarm(clock, () => undefined);
    alarm.set(500);
    const first = clock.last.handle;
    alarm.set(700);
    expect(clock.cleared).toEqual([first]);
  });

  it("clear() prevents firing and leaves no timer behind", () => {
    const clock = new ManualClock(0);
    const onDue = vi.fn();
    const alarm = new Alarm(clock, onDue);
    alarm.set(100);
    alarm.clear();
    expect(clock.pendingTimers).toBe(0);
    clock.advance(1_000);
    expect(onDue).not.toHaveBeenCalled();
  });

  it("clear() also stops a timer that the runtime fires anyway", () => {
    const clock = new PuppetClock();
    const onDue = vi.fn();
    const alarm = new Alarm(clock, onDue);
    alarm.set(100);
    alarm.clear();
    clock.time = 100;
    clock.last.callback();
    expect(onDue).not.toHaveBeenCalled();
  });

  it("clear() when not armed is harmless, and the alarm can be set again", () => {
    const clock = new ManualClock(0);
    const onDue = vi.fn();
    const alarm = new Alarm(clock, onDue);
    alarm.clear();
    alarm.set(10);
    alarm.clear();
    alarm.clear();
    alarm.set(20);
    clock.advance(20);
    expect(onDue).toHaveBeenCalledTimes(1);
  });
});

describe("Alarm never keeps a process alive", () => {
  it("calls unref() on every handle that has it, re-armings included", () => {
    const clock = new PuppetClock();
    const alarm = new Alarm(clock, () => undefined);
    alarm.set(1_000);
    clock.time = 500;
    clock.last.callback(); // early: re-arms
    expect(clock.scheduled).toHaveLength(2);
    for (const { handle } of clock.scheduled) {
      expect((handle as { unref: ReturnType<typeof vi.fn> }).unref).toHaveBeenCalledTimes(1);
    }
  });

  it("tolerates numeric handles (browsers, edge runtimes) and clears them", () => {
    const clock = new PuppetClock((id) => 40 + id);
    const onDue = vi.fn();
    const alarm = new Alarm(clock, onDue);
    expect(() => alarm.set(100)).not.toThrow();
    expect(clock.last.handle).toBe(41);
    alarm.set(200);
    expect(clock.cleared).toEqual([41]);
    clock.time = 200;
    clock.last.callback();
    expect(onDue).toHaveBeenCalledTimes(1);
  });

  it("tolerates handles without unref, null handles and handles whose unref is not a function", () => {
    for (const handle of [undefined, null, {}, { unref: 5 }, "handle"]) {
      const clock = new PuppetClock(() => handle);
      const onDue = vi.fn();
      expect(() => new Alarm(clock, onDue).set(10)).not.toThrow();
      clock.time = 10;
      clock.last.callback();
      expect(onDue).toHaveBeenCalledTimes(1);
    }
  });

  it("a real timer it sets is unref'd", () => {
    const handles: unknown[] = [];
    const clock: Clock = {
      now: realClock.now,
      setTimeout: (callback, ms) => {
        const handle = realClock.setTimeout(callback, ms);
        handles.push(handle);
        return handle;
      },
      clearTimeout: realClock.clearTimeout,
    };
    const alarm = new Alarm(clock, () => undefined);
    alarm.set(clock.now() + 60_000);
    expect(handles).toHaveLength(1);
    expect((handles[0] as NodeJS.Timeout).hasRef()).toBe(false);
    alarm.clear();
  });
});

describe("Alarm delays beyond the runtime's limit", () => {
  it("clamps the delay to 2^31 - 1 ms and re-arms until really due", () => {
    const clock = new ManualClock(0);
    const setTimeout = vi.spyOn(clock, "setTimeout");
    const firedAt: number[] = [];
    const dueAt = 5_000_000_000;
    new Alarm(clock, () => firedAt.push(clock.now())).set(dueAt);
    expect(setTimeout.mock.calls.map(([, ms]) => ms)).toEqual([MAX_TIMER_DELAY_MS]);

    clock.advance(dueAt - 1);
    expect(firedAt).toEqual([]);
    const delays = setTimeout.mock.calls.map(([, ms]) => ms);
    expect(delays.every((ms) => ms <= MAX_TIMER_DELAY_MS)).toBe(true);
    expect(delays).toEqual([MAX_TIMER_DELAY_MS, MAX_TIMER_DELAY_MS, dueAt - 2 * MAX_TIMER_DELAY_MS]);

    clock.advance(1);
    expect(firedAt).toEqual([dueAt]);
  });

  it("a delay of exactly 2^31 - 1 ms is not clamped further", () => {
    const clock = new PuppetClock();
    new Alarm(clock, () => undefined).set(MAX_TIMER_DELAY_MS);
    expect(clock.last.ms).toBe(MAX_TIMER_DELAY_MS);
  });

  it("an infinite due time never fires and never asks for more than 2^31 - 1 ms", () => {
    const clock = new PuppetClock();
    const onDue = vi.fn();
    new Alarm(clock, onDue).set(Number.POSITIVE_INFINITY);
    expect(clock.last.ms).toBe(MAX_TIMER_DELAY_MS);
    clock.time = MAX_TIMER_DELAY_MS;
    clock.last.callback();
    expect(onDue).not.toHaveBeenCalled();
    expect(clock.last.ms).toBe(MAX_TIMER_DELAY_MS);
  });
});

describe("ManualClock", () => {
  it("starts at the given time, or 0", () => {
    expect(new ManualClock().now()).toBe(0);
    expect(new ManualClock(1_700_000_000_000).now()).toBe(1_700_000_000_000);
  });

  it("advance fires timers in due order, ties in creation order", () => {
    const clock = new ManualClock(0);
    const order: string[] = [];
    clock.setTimeout(() => order.push("c@300"), 300);
    clock.setTimeout(() => order.push("a@100"), 100);
    clock.setTimeout(() => order.push("b1@200"), 200);
    clock.setTimeout(() => order.push("b2@200"), 200);
    clock.setTimeout(() => order.push("b3@200"), 200);
    clock.advance(1_000);
    expect(order).toEqual(["a@100", "b1@200", "b2@200", "b3@200", "c@300"]);
  });

  it("now() inside a callback equals the timer's due time; after advance it is the target", () => {
    const clock = new ManualClock(1_000);
    const seen: number[] = [];
    clock.setTimeout(() => seen.push(clock.now()), 250);
    clock.setTimeout(() => seen.push(clock.now()), 600);
    clock.advance(1_000);
    expect(seen).toEqual([1_250, 1_600]);
    expect(clock.now()).toBe(2_000);
  });

  it("fires a timer due exactly at the end of the advance, not one due after it", () => {
    const clock = new ManualClock(0);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push("at 100"), 100);
    clock.setTimeout(() => fired.push("at 101"), 101);
    clock.advance(100);
    expect(fired).toEqual(["at 100"]);
    expect(clock.pendingTimers).toBe(1);
    clock.advance(1);
    expect(fired).toEqual(["at 100", "at 101"]);
  });

  it("timers set by callbacks during advance fire if due within the advance", () => {
    const clock = new ManualClock(0);
    const fired: [string, number][] = [];
    clock.setTimeout(() => {
      fired.push(["first", clock.now()]);
      clock.setTimeout(() => fired.push(["chained", clock.now()]), 50);
      clock.setTimeout(() => fired.push(["immediate", clock.now()]), 0);
      clock.setTimeout(() => fired.push(["too late", clock.now()]), 10_000);
    }, 100);
    clock.setTimeout(() => fired.push(["second", clock.now()]), 120);
    clock.advance(1_000);
    expect(fired).toEqual([
      ["first", 100],
      ["immediate", 100],
      ["second", 120],
      ["chained", 150],
    ]);
    expect(clock.pendingTimers).toBe(1);
  });

  it("a negative or zero delay is due now and fires on the next advance", () => {
    const clock = new ManualClock(50);
    const seen: number[] = [];
    clock.setTimeout(() => seen.push(clock.now()), -10);
    clock.setTimeout(() => seen.push(clock.now()), 0);
    expect(seen).toEqual([]);
    clock.advance(0);
    expect(seen).toEqual([50, 50]);
  });

  it("jump() moves time without firing; late timers fire at the next advance, at the later time", () => {
    const clock = new ManualClock(0);
    const seen: number[] = [];
    clock.setTimeout(() => seen.push(clock.now()), 100);
    clock.jump(500);
    expect(clock.now()).toBe(500);
    expect(seen).toEqual([]);
    expect(clock.pendingTimers).toBe(1);
    clock.advance(0);
    expect(seen).toEqual([500]);
    expect(clock.now()).toBe(500);
  });

  it("clearTimeout cancels; clearing an unknown or spent handle is harmless", () => {
    const clock = new ManualClock(0);
    const fired: string[] = [];
    const keep = clock.setTimeout(() => fired.push("keep"), 10);
    const cancel = clock.setTimeout(() => fired.push("cancel"), 10);
    clock.clearTimeout(cancel);
    clock.clearTimeout({});
    clock.clearTimeout(undefined);
    clock.advance(10);
    clock.clearTimeout(keep);
    expect(fired).toEqual(["keep"]);
  });

  it("a callback can cancel a later timer of the same advance", () => {
    const clock = new ManualClock(0);
    const fired: string[] = [];
    const handles: unknown[] = [];
    clock.setTimeout(() => {
      fired.push("first");
      clock.clearTimeout(handles[0]);
    }, 10);
    handles.push(clock.setTimeout(() => fired.push("later"), 20));
    clock.advance(100);
    expect(fired).toEqual(["first"]);
  });

  it("pendingTimers counts timers set and not yet fired or cleared", () => {
    const clock = new ManualClock(0);
    expect(clock.pendingTimers).toBe(0);
    const a = clock.setTimeout(() => undefined, 10);
    clock.setTimeout(() => undefined, 20);
    clock.setTimeout(() => undefined, 30);
    expect(clock.pendingTimers).toBe(3);
    clock.clearTimeout(a);
    expect(clock.pendingTimers).toBe(2);
    clock.advance(20);
    expect(clock.pendingTimers).toBe(1);
    clock.advance(10);
    expect(clock.pendingTimers).toBe(0);
  });
});
