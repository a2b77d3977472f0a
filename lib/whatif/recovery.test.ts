import { describe, expect, it } from "vitest";
import { defaultEndpoint } from "@/lib/simulator";
import type { ModelInterval } from "./endpoint-timeline";
import { isUnhealthy, judgeRecovery } from "./recovery";
import type { WhatIfTransition } from "./types";

const healthy = defaultEndpoint("api");
const down = { ...healthy, failureRate: 1 };
const open = (at: number): WhatIfTransition => ({ at, instance: 0, from: "CLOSED", to: "OPEN", reason: "failure-threshold" });
const close = (at: number): WhatIfTransition => ({ at, instance: 0, from: "HALF_OPEN", to: "CLOSED", reason: "trial-succeeded" });
const stretch = (start: number, end: number, model = healthy): ModelInterval => ({ start, end, model });

describe("isUnhealthy", () => {
  it("is any failure rate, or answers no faster than the timeout", () => {
    expect(isUnhealthy(healthy, null)).toBe(false);
    expect(isUnhealthy({ ...healthy, failureRate: 0.01 }, null)).toBe(true);
    expect(isUnhealthy({ ...healthy, latencyMs: 990, jitterMs: 10 }, 1_000)).toBe(true);
    expect(isUnhealthy({ ...healthy, latencyMs: 980, jitterMs: 10 }, 1_000)).toBe(false);
  });
});

describe("judgeRecovery", () => {
  it("times the OPEN from the first unhealthy stretch and the CLOSE from the next healthy one", () => {
    const intervals = [stretch(0, 1_000), stretch(1_000, 3_000, down), stretch(3_000, 9_000)];
    expect(judgeRecovery(intervals, [open(1_200), close(3_500)], null)).toEqual({ timeToOpenMs: 200, timeToCloseMs: 500 });
  });

  it("an OPEN before the trouble is not the reaction to it", () => {
    const intervals = [stretch(0, 1_000), stretch(1_000, 3_000, down), stretch(3_000, 9_000)];
    expect(judgeRecovery(intervals, [open(500), close(900), open(1_300)], null).timeToOpenMs).toBe(300);
  });

  it("an OPEN inside a healthy stretch times the CLOSE from itself", () => {
    const intervals = [stretch(0, 1_000, down), stretch(1_000, 9_000)];
    expect(judgeRecovery(intervals, [open(1_400), close(2_000)], null)).toEqual({ timeToOpenMs: 1_400, timeToCloseMs: 600 });
  });

  it("is null for what never happened", () => {
    expect(judgeRecovery([stretch(0, 5_000)], [], null)).toEqual({ timeToOpenMs: null, timeToCloseMs: null });
    expect(judgeRecovery([stretch(0, 5_000, down)], [], null)).toEqual({ timeToOpenMs: null, timeToCloseMs: null });
    expect(judgeRecovery([stretch(0, 5_000, down)], [open(100)], null)).toEqual({ timeToOpenMs: 100, timeToCloseMs: null });
    expect(judgeRecovery([stretch(0, 1_000, down), stretch(1_000, 5_000)], [open(100)], null)).toEqual({ timeToOpenMs: 100, timeToCloseMs: null });
  });
});
