import { describe, expect, it } from "vitest";
import { BUCKET_COUNT, bucketOf, bucketValue, LatencyHistogram } from "./histogram";

/** `count` latencies spread log-uniformly from `from` to `to` ms, both ends included. */
function logUniform(count: number, from: number, to: number): number[] {
  const ratio = Math.log(to / from);
  return Array.from({ length: count }, (_, index) => from * Math.exp((ratio * index) / (count - 1)));
}

function relativeError(reported: number, exact: number): number {
  return Math.abs(reported - exact) / exact;
}

function histogramOf(values: readonly number[]): LatencyHistogram {
  const histogram = new LatencyHistogram();
  for (const value of values) histogram.add(value);
  return histogram;
}

describe("bucket accuracy", () => {
  const latencies = logUniform(2_000, 1, 60_000);

  it("reports every latency from 1 ms to 60 s within 25 %, and in fact within 10 %", () => {
    let worst = 0;
    for (const latency of latencies) {
      const error = relativeError(bucketValue(bucketOf(latency)), latency);
      expect(error, `latency ${latency}`).toBeLessThan(0.25);
      worst = Math.max(worst, error);
    }
    expect(worst).toBeLessThan(0.1);
  });

  it("stays within 10 % for the whole bucketed range, 62.5 µs to 131 s", () => {
    for (const latency of logUniform(5_000, 0.0625, 131_071.99)) {
      expect(relativeError(bucketValue(bucketOf(latency)), latency), `latency ${latency}`).toBeLessThan(0.1);
    }
  });

  it("is within 10 % for round numbers users see (1, 10, 100, 250, 1000, 30000 ms)", () => {
    for (const latency of [1, 2, 5, 10, 100, 250, 1_000, 30_000, 60_000]) {
      expect(relativeError(bucketValue(bucketOf(latency)), latency), `latency ${latency}`).toBeLessThan(0.1);
    }
  });
});

describe("bucket boundaries", () => {
  it("bucketOf never decreases as the latency grows", () => {
    const latencies = logUniform(20_000, 0.001, 1_000_000);
    for (let index = 1; index < latencies.length; index++) {
      expect(bucketOf(latencies[index]!)).toBeGreaterThanOrEqual(bucketOf(latencies[index - 1]!));
    }
  });

  it("bucketValue strictly increases with the bucket", () => {
    for (let bucket = 1; bucket < BUCKET_COUNT; bucket++) {
      expect(bucketValue(bucket)).toBeGreaterThan(bucketValue(bucket - 1));
    }
  });

  it("every bucket's reported value falls in that same bucket", () => {
    for (let bucket = 0; bucket < BUCKET_COUNT; bucket++) {
      expect(bucketOf(bucketValue(bucket))).toBe(bucket);
    }
  });

  it("every bucket index from 0 to BUCKET_COUNT - 1 is used, and no other", () => {
    const seen = new Set(logUniform(20_000, 0.001, 1_000_000).map(bucketOf));
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: BUCKET_COUNT }, (_, index) => index));
  });

  it("latencies below 62.5 µs land in the first bucket", () => {
    for (const latency of [0.0624, 0.03, 0.001, 1e-9, Number.MIN_VALUE]) {
      expect(bucketOf(latency), `latency ${latency}`).toBe(0);
    }
    expect(bucketOf(0.0625)).toBe(1);
  });

  it("latencies of 2^17 ms (131.072 s) and above land in the last bucket", () => {
    for (const latency of [131_072, 131_073, 200_000, 3_600_000, 1e12, Number.MAX_VALUE, Number.POSITIVE_INFINITY]) {
      expect(bucketOf(latency), `latency ${latency}`).toBe(BUCKET_COUNT - 1);
    }
    expect(bucketOf(131_071.99)).toBe(BUCKET_COUNT - 2);
  });

  it("0, negative durations and NaN go to bucket 0", () => {
    for (const latency of [0, -0, -1, -60_000, Number.NEGATIVE_INFINITY, Number.NaN]) {
      expect(bucketOf(latency), `latency ${latency}`).toBe(0);
    }
  });
});

describe("LatencyHistogram summary", () => {
  it("is null while empty", () => {
    expect(new LatencyHistogram().summary()).toBeNull();
  });

  it("ignores untimed calls (NaN)", () => {
    const histogram = new LatencyHistogram();
    histogram.add(Number.NaN);
    expect(histogram.summary()).toBeNull();
    expect(histogram.total).toBe(0);
    histogram.add(10);
    histogram.add(Number.NaN);
    expect(histogram.total).toBe(1);
    expect(histogram.summary()?.mean).toBe(10);
  });

  it("has an exact mean, not a bucketed one", () => {
    const values = [1.5, 2.25, 1_000.125, 7, 0.3];
    const histogram = histogramOf(values);
    expect(histogram.summary()?.mean).toBe(values.reduce((sum, value) => sum + value, 0) / values.length);
    expect(histogramOf([3]).summary()).toMatchObject({ mean: 3 });
  });

  it("90 calls of 10 ms and 10 of 1000 ms: p50 ≈ 10, p90 ≈ 10, p99 ≈ 1000", () => {
    const histogram = histogramOf([...Array<number>(90).fill(10), ...Array<number>(10).fill(1_000)]);
    const summary = histogram.summary()!;
    expect(summary.mean).toBe(109);
    expect(relativeError(summary.p50, 10)).toBeLessThan(0.1);
    expect(relativeError(summary.p90, 10)).toBeLessThan(0.1);
    expect(relativeError(summary.p99, 1_000)).toBeLessThan(0.1);
  });

  it("is the same whatever order the calls came in", () => {
    const values = [...Array<number>(90).fill(10), ...Array<number>(10).fill(1_000)];
    expect(histogramOf([...values].reverse()).summary()).toEqual(histogramOf(values).summary());
  });

  it("1..100 ms: percentiles within 10 % of the nearest-rank values 50, 90 and 99", () => {
    const summary = histogramOf(Array.from({ length: 100 }, (_, index) => index + 1)).summary()!;
    expect(summary.mean).toBe(50.5);
    expect(relativeError(summary.p50, 50)).toBeLessThan(0.1);
    expect(relativeError(summary.p90, 90)).toBeLessThan(0.1);
    expect(relativeError(summary.p99, 99)).toBeLessThan(0.1);
  });

  it("uses nearest rank: the ceil(q·n)-th smallest latency, for every n up to 300", () => {
    const fast = bucketValue(bucketOf(1));
    const slow = bucketValue(bucketOf(1_000));
    for (let total = 1; total <= 300; total++) {
      for (const [quantile, key] of [
        [50, "p50"],
        [90, "p90"],
        [99, "p99"],
      ] as const) {
        const rank = Math.max(1, Math.ceil((quantile * total) / 100));
        // With exactly `rank` fast calls the rank-th smallest is fast; with one fewer it is slow.
        const atRank = histogramOf([...Array<number>(rank).fill(1), ...Array<number>(total - rank).fill(1_000)]).summary()!;
        expect(atRank[key], `${key} of ${total} with ${rank} fast`).toBe(fast);
        const belowRank = histogramOf([...Array<number>(rank - 1).fill(1), ...Array<number>(total - rank + 1).fill(1_000)]).summary()!;
        expect(belowRank[key], `${key} of ${total} with ${rank - 1} fast`).toBe(slow);
      }
    }
  });

  it("a single call is every percentile", () => {
    const summary = histogramOf([250]).summary()!;
    expect(summary.p50).toBe(summary.p99);
    expect(relativeError(summary.p50, 250)).toBeLessThan(0.1);
  });
});

describe("LatencyHistogram remove and subtract", () => {
  const values = logUniform(500, 1, 60_000).map((value, index) => value + index * 0.001);

  it("removing every latency restores an empty histogram with a sum of exactly 0", () => {
    const histogram = histogramOf(values);
    for (const value of values) histogram.remove(value);
    expect(histogram.total).toBe(0);
    expect(histogram.sum).toBe(0);
    expect(histogram.summary()).toBeNull();
  });

  it("removing some latencies leaves the summary of the rest", () => {
    const histogram = histogramOf(values);
    for (const value of values.slice(0, 400)) histogram.remove(value);
    const rest = histogramOf(values.slice(400));
    const summary = histogram.summary()!;
    const expected = rest.summary()!;
    expect(histogram.total).toBe(100);
    expect({ p50: summary.p50, p90: summary.p90, p99: summary.p99 }).toEqual({ p50: expected.p50, p90: expected.p90, p99: expected.p99 });
    expect(summary.mean).toBeCloseTo(expected.mean, 6);
  });

  it("removing NaN changes nothing", () => {
    const histogram = histogramOf([5, 6]);
    histogram.remove(Number.NaN);
    expect(histogram.total).toBe(2);
    expect(histogram.summary()?.mean).toBe(5.5);
  });

  it("slow outliers leave p99 once removed", () => {
    // Nearest rank of p99 over 100 calls is the 99th smallest: two outliers put it among them.
    const histogram = histogramOf([...Array<number>(98).fill(10), 5_000, 5_000]);
    expect(relativeError(histogram.summary()!.p99, 5_000)).toBeLessThan(0.1);
    histogram.remove(5_000);
    histogram.remove(5_000);
    expect(relativeError(histogram.summary()!.p99, 10)).toBeLessThan(0.1);
  });

  it("subtracting a group given as bucket counts restores the state before it", () => {
    const before = values.slice(0, 300);
    const group = values.slice(300);
    const histogram = histogramOf([...before, ...group]);
    // A group's counts are stored at an offset, as a time window stores many groups in one array.
    const offset = 2 * BUCKET_COUNT;
    const groupCounts = new Uint32Array(offset + BUCKET_COUNT + 5);
    for (const value of group) groupCounts[offset + bucketOf(value)]! += 1;
    histogram.subtract(
      groupCounts,
      offset,
      group.length,
      group.reduce((sum, value) => sum + value, 0),
    );
    const expected = histogramOf(before);
    expect(histogram.total).toBe(300);
    const summary = histogram.summary()!;
    expect(summary.p50).toBe(expected.summary()!.p50);
    expect(summary.p90).toBe(expected.summary()!.p90);
    expect(summary.p99).toBe(expected.summary()!.p99);
    expect(summary.mean).toBeCloseTo(expected.summary()!.mean, 6);
  });

  it("subtracting everything leaves a sum of exactly 0 and no summary", () => {
    const histogram = histogramOf(values);
    const counts = new Uint32Array(BUCKET_COUNT);
    for (const value of values) counts[bucketOf(value)]! += 1;
    histogram.subtract(
      counts,
      0,
      values.length,
      values.reduce((sum, value) => sum + value, 1e-7),
    );
    expect(histogram.total).toBe(0);
    expect(histogram.sum).toBe(0);
    expect(histogram.summary()).toBeNull();
  });

  it("subtracting an empty group changes nothing", () => {
    const histogram = histogramOf([4, 8]);
    histogram.subtract(new Uint32Array(BUCKET_COUNT), 0, 0, 0);
    expect(histogram.total).toBe(2);
    expect(histogram.summary()?.mean).toBe(6);
  });

  it("clear() empties it", () => {
    const histogram = histogramOf(values);
    histogram.clear();
    expect(histogram.summary()).toBeNull();
    expect(histogram.sum).toBe(0);
    histogram.add(3);
    expect(histogram.summary()?.mean).toBe(3);
  });
});
