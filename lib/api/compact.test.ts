import { describe, expect, it } from "vitest";
import { decodeTimeline, encodeTimeline, OUTCOMES } from "./compact";
import type { TimelineEntry } from "./types";

const ENTRIES: TimelineEntry[] = [
  { at: 1_700_000_000_123.4, breaker: "payments", kind: "call", outcome: "success", durationMs: 25.1, status: 200 },
  { at: 1_700_000_000_130.05, breaker: "search", kind: "call", outcome: "timeout", durationMs: 2_000 },
  { at: 1_700_000_000_130.05, breaker: "payments", kind: "transition", from: "CLOSED", to: "OPEN", reason: "failure-threshold" },
  { at: 1_700_000_000_131, breaker: "payments", kind: "call", outcome: "rejected", durationMs: 0 },
  { at: 1_700_000_005_000, breaker: "inventory", kind: "call", outcome: "failure", durationMs: 12.34, status: 503 },
];

describe("compact timelines", () => {
  it("round-trip every kind of entry, in order, to a tenth of a millisecond", () => {
    const decoded = decodeTimeline(encodeTimeline(ENTRIES));
    expect(decoded).toHaveLength(ENTRIES.length);
    decoded.forEach((entry, index) => {
      const original = ENTRIES[index]!;
      // Half a tenth, and the float error of an epoch time.
      expect(Math.abs(entry.at - original.at)).toBeLessThanOrEqual(0.0501);
      expect({ ...entry, at: 0, ...(entry.kind === "call" ? { durationMs: Math.round(entry.durationMs * 10) } : {}) }).toEqual({
        ...original,
        at: 0,
        ...(original.kind === "call" ? { durationMs: Math.round(original.durationMs * 10) } : {}),
      });
    });
  });

  it("names each breaker once and counts time in whole tenths after the previous entry", () => {
    const compact = encodeTimeline(ENTRIES);
    expect(compact.base).toBe(1_700_000_000_123);
    expect(compact.names).toEqual(["payments", "search", "inventory"]);
    expect(compact.entries).toEqual([
      [0, 4, OUTCOMES.indexOf("success"), 251, 200],
      [1, 67, OUTCOMES.indexOf("timeout"), 20_000],
      [0, 0, "CLOSED", "OPEN", "failure-threshold"],
      [0, 9, OUTCOMES.indexOf("rejected"), 0],
      [2, 48_690, OUTCOMES.indexOf("failure"), 123, 503],
    ]);
  });

  it("keep times exact over many entries: no rounding error accumulates", () => {
    const many: TimelineEntry[] = Array.from({ length: 10_000 }, (_, index) => ({ at: 1_000 + index * 1.23, breaker: "b", kind: "call", outcome: "success", durationMs: 1 }));
    const decoded = decodeTimeline(encodeTimeline(many));
    expect(Math.abs(decoded.at(-1)!.at - many.at(-1)!.at)).toBeLessThanOrEqual(0.05 + 1e-9);
  });

  it("are a fifth of the size of the full form or less", () => {
    const many: TimelineEntry[] = Array.from({ length: 1_000 }, (_, index) => ({ at: 1_700_000_000_000 + index * 1.7, breaker: index % 2 ? "payments" : "inventory", kind: "call", outcome: "success", durationMs: 20 + (index % 7), status: 200 }));
    expect(JSON.stringify(encodeTimeline(many)).length * 5).toBeLessThan(JSON.stringify(many).length);
  });

  it("encode an empty timeline", () => {
    expect(encodeTimeline([])).toEqual({ base: 0, names: [], entries: [] });
    expect(decodeTimeline(encodeTimeline([]))).toEqual([]);
  });
});
