import { describe, expect, it } from "vitest";
import { createRandom } from "@/lib/simulator";
import { SettleQueue } from "./settle-queue";

describe("SettleQueue", () => {
  it("gives items back by time, first in first out among equal times", () => {
    const random = createRandom(3);
    const queue = new SettleQueue<number>();
    const pushed = Array.from({ length: 2_000 }, (_, order) => ({ at: Math.floor(random() * 50), order }));
    for (const { at, order } of pushed) queue.push(at, order);
    expect(queue.peekAt()).toBe(Math.min(...pushed.map(({ at }) => at)));
    const popped: number[] = [];
    while (queue.size > 0) popped.push(queue.pop());
    const expected = [...pushed].sort((a, b) => a.at - b.at || a.order - b.order).map(({ order }) => order);
    expect(popped).toEqual(expected);
    expect(queue.peekAt()).toBe(Number.POSITIVE_INFINITY);
  });

  it("keeps each item's tag with it", () => {
    const random = createRandom(5);
    const queue = new SettleQueue<number>();
    for (let order = 0; order < 500; order++) queue.push(Math.floor(random() * 20), order, order % 3);
    while (queue.size > 0) {
      const tag = queue.peekTag();
      expect(queue.pop() % 3).toBe(tag);
    }
  });
});
