import { describe, expect, it } from "vitest";
import { formatDuration, formatSeconds } from "./format";

describe("formatSeconds", () => {
  it("shows one decimal and rounds up so the countdown reaches 0.0s only at the end", () => {
    expect(formatSeconds(12_300)).toBe("12.3s");
    expect(formatSeconds(12_301)).toBe("12.4s");
    expect(formatSeconds(1)).toBe("0.1s");
    expect(formatSeconds(0)).toBe("0.0s");
  });

  it("never shows a negative time", () => {
    expect(formatSeconds(-500)).toBe("0.0s");
  });
});

describe("formatDuration", () => {
  it("uses ms below a second, seconds below a minute, minutes above", () => {
    expect(formatDuration(0.44)).toBe("0.4 ms");
    expect(formatDuration(9.96)).toBe("10.0 ms");
    expect(formatDuration(849.6)).toBe("850 ms");
    expect(formatDuration(1234)).toBe("1.2 s");
    expect(formatDuration(15_000)).toBe("15 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
    expect(formatDuration(120_000)).toBe("2 min");
  });
});
