import { describe, expect, it } from "vitest";
import { DeadlineQueue, type Deadline } from "./deadlines";
import { ManualClock } from "./manual-clock";

function deadline(dueAt: number, log: number[]): Deadline {
  return { dueAt, done: false, expire: () => log.push(dueAt) };
}

describe("DeadlineQueue", () => {
  it("expires running calls at their deadlines, in order, with one timer", () => {
    const clock = new ManualClock(0);
    const queue = new DeadlineQueue(clock);
    const expired: number[] = [];
    queue.add(deadline(100, expired), 100);
    queue.add(deadline(150, expired), 150);
    queue.add(deadline(200, expired), 200);
    expect(clock.pendingTimers).toBe(1);
    clock.advance(100);
    expect(expired).toEqual([100]);
    clock.advance(100);
    expect(expired).toEqual([100, 150, 200]);
    expect(queue.pending).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it("skips settled calls, and keeps an earlier deadline added later in order", () => {
    const clock = new ManualClock(0);
    const queue = new DeadlineQueue(clock);
    const expired: number[] = [];
    const first = deadline(100, expired);
    queue.add(first, 100);
    queue.add(deadline(300, expired), 300);
    queue.add(deadline(50, expired), 50);
    queue.release(first);
    clock.advance(400);
    expect(expired).toEqual([50, 300]);
  });

  it("compacts settled calls so that it holds about as many entries as calls in flight", () => {
    const clock = new ManualClock(0);
    const queue = new DeadlineQueue(clock);
    const running = deadline(10_000, []);
    queue.add(running, 10_000);
    for (let index = 0; index < 1_000; index++) {
      const call = deadline(10_000 + index, []);
      queue.add(call, 10_000);
      queue.release(call);
    }
    expect(queue.pending).toBe(1);
    expect((queue as unknown as { items: unknown[] }).items.length).toBeLessThan(70);
  });

  it("clear() forgets everything and stops the timer", () => {
    const clock = new ManualClock(0);
    const queue = new DeadlineQueue(clock);
    const expired: number[] = [];
    queue.add(deadline(10, expired), 10);
    queue.clear();
    clock.advance(100);
    expect(expired).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });
});
