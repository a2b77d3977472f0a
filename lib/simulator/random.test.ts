import { describe, expect, it } from "vitest";
import { createRandom } from "./random";

/** mulberry32 written with BigInt arithmetic, independent of Math.imul and 32-bit coercions. */
function referenceMulberry32(seed: number): () => number {
  const mask = 0xffffffffn;
  const imul = (a: bigint, b: bigint) => (a * b) & mask;
  let state = BigInt(seed >>> 0);
  return () => {
    state = (state + 0x6d2b79f5n) & mask;
    let t = imul(state ^ (state >> 15n), 1n | state);
    t = ((t + imul(t ^ (t >> 7n), 61n | t)) & mask) ^ t;
    return Number(t ^ (t >> 14n)) / 2 ** 32;
  };
}

function take(random: () => number, count: number): number[] {
  return Array.from({ length: count }, () => random());
}

describe("createRandom", () => {
  it("produces the published mulberry32 sequence", () => {
    expect(take(createRandom(1), 3)).toEqual([0.6270739405881613, 0.002735721180215478, 0.5274470399599522]);
    expect(take(createRandom(0), 2)).toEqual([0.26642920868471265, 0.0003297457005828619]);
  });

  it("agrees with an independent reference implementation", () => {
    for (const seed of [0, 1, 42, 0xdeadbeef, 2 ** 32 - 1]) {
      expect(take(createRandom(seed), 1000)).toEqual(take(referenceMulberry32(seed), 1000));
    }
  });

  it("gives the same sequence for the same seed", () => {
    expect(take(createRandom(42), 100)).toEqual(take(createRandom(42), 100));
  });

  it("gives different sequences for different seeds", () => {
    const a = take(createRandom(42), 100);
    const b = take(createRandom(43), 100);
    expect(a).not.toEqual(b);
    expect(a.filter((value, i) => value === b[i])).toHaveLength(0);
  });

  it("reduces the seed to an unsigned 32-bit integer", () => {
    expect(take(createRandom(2 ** 32 + 1), 5)).toEqual(take(createRandom(1), 5));
    expect(take(createRandom(-1), 5)).toEqual(take(createRandom(2 ** 32 - 1), 5));
    expect(take(createRandom(Number.NaN), 5)).toEqual(take(createRandom(0), 5));
  });

  it("returns floats in [0, 1) spread over the whole range", () => {
    const values = take(createRandom(7), 100_000);
    expect(values.every((value) => value >= 0 && value < 1)).toBe(true);
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    expect(mean).toBeGreaterThan(0.49);
    expect(mean).toBeLessThan(0.51);
    const buckets = new Array<number>(10).fill(0);
    for (const value of values) buckets[Math.floor(value * 10)]! += 1;
    for (const count of buckets) {
      expect(count).toBeGreaterThan(9_500);
      expect(count).toBeLessThan(10_500);
    }
  });

  it("keeps independent state per generator", () => {
    const a = createRandom(5);
    const b = createRandom(5);
    const first = a();
    a();
    expect(b()).toBe(first);
  });
});
