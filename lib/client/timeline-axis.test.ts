import { describe, expect, it } from "vitest";
import { formatAgo, MIN_SPAN_MS, timelineAxis } from "./timeline-axis";

const END = 1_700_000_000_000;
const FIVE_MINUTES = 300_000;

describe("timelineAxis", () => {
  it("spans a lab's one minute of history instead of the whole five-minute range", () => {
    const axis = timelineAxis({ end: END, rangeMs: FIVE_MINUTES, dataStart: END - 60_000 });
    expect(axis.start).toBe(END - 60_000);
    expect(axis.spanMs).toBe(60_000);
    expect(axis.ticks.map((tick) => tick.label)).toEqual(["−15s", "−30s", "−45s"]);
  });

  it("fills the range once the history is longer, and stops there", () => {
    const axis = timelineAxis({ end: END, rangeMs: FIVE_MINUTES, dataStart: END - 3_600_000 });
    expect(axis).toMatchObject({ start: END - FIVE_MINUTES, spanMs: FIVE_MINUTES });
    expect(axis.ticks.map((tick) => tick.label)).toEqual(["−1m", "−2m", "−3m", "−4m"]);
  });

  it("keeps a minimum span for an empty lab or a first call just now", () => {
    expect(timelineAxis({ end: END, rangeMs: FIVE_MINUTES, dataStart: undefined }).spanMs).toBe(MIN_SPAN_MS);
    expect(timelineAxis({ end: END, rangeMs: FIVE_MINUTES, dataStart: END - 200 }).spanMs).toBe(MIN_SPAN_MS);
    expect(timelineAxis({ end: END, rangeMs: 10_000, dataStart: undefined }).spanMs).toBe(10_000);
  });

  it("grows with the history between the minimum and the range", () => {
    const spans = [31_000, 90_500, 299_999].map((history) => timelineAxis({ end: END, rangeMs: FIVE_MINUTES, dataStart: END - history }).spanMs);
    expect(spans).toEqual([31_000, 90_500, 299_999]);
  });

  it("places ticks at whole steps before now, inside the axis and clear of its left edge", () => {
    for (const history of [30_000, 47_000, 61_000, 119_000, 299_000, 900_000]) {
      const axis = timelineAxis({ end: END, rangeMs: 900_000, dataStart: END - history });
      expect(axis.ticks.length).toBeGreaterThan(0);
      expect(axis.ticks.length).toBeLessThanOrEqual(5);
      const step = END - axis.ticks[0]!.at;
      axis.ticks.forEach((tick, index) => expect(END - tick.at).toBe(step * (index + 1)));
      expect(axis.ticks.at(-1)!.at - axis.start).toBeGreaterThanOrEqual(step);
    }
  });

  it("refuses a range that is not a positive number", () => {
    expect(() => timelineAxis({ end: END, rangeMs: 0, dataStart: undefined })).toThrow(/rangeMs/);
    expect(() => timelineAxis({ end: END, rangeMs: Number.NaN, dataStart: undefined })).toThrow(/rangeMs/);
  });
});

describe("formatAgo", () => {
  it("names hours, minutes and seconds briefly", () => {
    expect([0, 400, 5_000, 60_000, 90_000, 3_600_000, 3_725_000].map(formatAgo)).toEqual(["0s", "0s", "5s", "1m", "1m 30s", "1h", "1h 2m 5s"]);
  });
});
