import { describe, expect, it } from "vitest";
import { RingBuffer } from "./ring-buffer";

describe("RingBuffer", () => {
  it("starts empty", () => {
    const buffer = new RingBuffer<number>(3);
    expect(buffer.size).toBe(0);
    expect(buffer.capacity).toBe(3);
    expect(buffer.toArray()).toEqual([]);
  });

  it("keeps items oldest first while below capacity", () => {
    const buffer = new RingBuffer<string>(3);
    buffer.push("a");
    buffer.push("b");
    expect(buffer.size).toBe(2);
    expect(buffer.toArray()).toEqual(["a", "b"]);
  });

  it("drops the oldest first once full", () => {
    const buffer = new RingBuffer<number>(3);
    for (let item = 1; item <= 7; item++) buffer.push(item);
    expect(buffer.size).toBe(3);
    expect(buffer.toArray()).toEqual([5, 6, 7]);
  });

  it("wraps around many times", () => {
    const buffer = new RingBuffer<number>(4);
    for (let item = 0; item < 1_003; item++) {
      buffer.push(item);
      const expected = Array.from({ length: Math.min(item + 1, 4) }, (_, index) => item - Math.min(item, 3) + index);
      expect(buffer.toArray()).toEqual(expected);
    }
  });

  it("clears, then fills again from empty", () => {
    const buffer = new RingBuffer<number>(2);
    buffer.push(1);
    buffer.push(2);
    buffer.push(3);
    buffer.clear();
    expect(buffer.size).toBe(0);
    expect(buffer.toArray()).toEqual([]);
    buffer.push(4);
    expect(buffer.toArray()).toEqual([4]);
    buffer.push(5);
    buffer.push(6);
    expect(buffer.toArray()).toEqual([5, 6]);
  });

  it("keeps falsy items", () => {
    const buffer = new RingBuffer<number | null>(3);
    buffer.push(0);
    buffer.push(null);
    expect(buffer.toArray()).toEqual([0, null]);
  });

  it("hands out a copy", () => {
    const buffer = new RingBuffer<number>(2);
    buffer.push(1);
    buffer.toArray().push(99);
    expect(buffer.toArray()).toEqual([1]);
  });

  it("works with a capacity of one", () => {
    const buffer = new RingBuffer<string>(1);
    buffer.push("a");
    buffer.push("b");
    expect(buffer.toArray()).toEqual(["b"]);
  });
});
