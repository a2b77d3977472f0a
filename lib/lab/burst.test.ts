import { describe, expect, it } from "vitest";
import { runBurst } from "./burst";

describe("runBurst", () => {
  it("runs every task once, never more than `concurrency` at a time, results in order", async () => {
    let running = 0;
    let peak = 0;
    const results = await runBurst(50, 7, async (index) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setImmediate(resolve));
      running -= 1;
      return index * 2;
    });
    expect(results).toEqual(Array.from({ length: 50 }, (_, index) => index * 2));
    expect(peak).toBe(7);
  });

  it("uses no more workers than tasks", async () => {
    let peak = 0;
    let running = 0;
    await runBurst(3, 100, async () => {
      running += 1;
      peak = Math.max(peak, running);
      await Promise.resolve();
      running -= 1;
    });
    expect(peak).toBe(3);
  });

  it("stops starting tasks once the signal aborts", async () => {
    const controller = new AbortController();
    const results = await runBurst(
      100,
      2,
      async (index) => {
        if (index === 5) controller.abort();
        await Promise.resolve();
        return index;
      },
      controller.signal,
    );
    expect(results).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
