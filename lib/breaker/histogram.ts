import type { LatencySummary, PersistedLatency } from "./types";

// Log-scale buckets, four per doubling, from 2^-4 ms (62.5 µs) to 2^17 ms (131 s), plus one
// bucket below and one above. Reporting a bucket's geometric midpoint is within 2^(1/8) − 1 ≈ 9 %
// of any latency inside it, whatever the traffic, in constant memory and constant time.
const MIN_EXPONENT = -4;
const MAX_EXPONENT = 17;
const BUCKETS_PER_DOUBLING = 4;
const MIN_BUCKETED_MS = 2 ** MIN_EXPONENT;
const MAX_BUCKETED_MS = 2 ** MAX_EXPONENT;

/** Number of buckets of every latency histogram. */
export const BUCKET_COUNT = (MAX_EXPONENT - MIN_EXPONENT) * BUCKETS_PER_DOUBLING + 2;

/** The bucket a latency falls in. */
export function bucketOf(ms: number): number {
  if (!(ms >= MIN_BUCKETED_MS)) return 0;
  if (ms >= MAX_BUCKETED_MS) return BUCKET_COUNT - 1;
  const bucket = 1 + Math.floor((Math.log2(ms) - MIN_EXPONENT) * BUCKETS_PER_DOUBLING);
  return Math.min(bucket, BUCKET_COUNT - 2);
}

/** The latency a bucket stands for: its geometric midpoint. */
export function bucketValue(bucket: number): number {
  if (bucket === 0) return MIN_BUCKETED_MS / 2;
  if (bucket === BUCKET_COUNT - 1) return MAX_BUCKETED_MS;
  return 2 ** (MIN_EXPONENT + (bucket - 0.5) / BUCKETS_PER_DOUBLING);
}

/**
 * Counts of latencies per bucket plus their exact sum, so the mean is exact. A call that was not
 * timed (its duration is NaN) is not a latency: adding or removing it changes nothing.
 */
export class LatencyHistogram {
  // Allocated on the first latency: an idle breaker (thousands of them, say) costs no buckets.
  private counts: Float64Array | null = null;
  total = 0;
  sum = 0;

  add(ms: number): void {
    if (Number.isNaN(ms)) return;
    this.addIn(bucketOf(ms), ms);
  }

  /** Add a latency (not NaN) whose bucket, `bucketOf(ms)`, the caller already has. */
  addIn(bucket: number, ms: number): void {
    this.counts ??= new Float64Array(BUCKET_COUNT);
    this.counts[bucket]! += 1;
    this.total += 1;
    this.sum += ms;
  }

  remove(ms: number): void {
    if (Number.isNaN(ms)) return;
    this.removeFrom(bucketOf(ms), ms);
  }

  /** Take away a latency (not NaN) added before, given with its bucket, `bucketOf(ms)`. */
  removeFrom(bucket: number, ms: number): void {
    if (this.counts === null) return;
    this.counts[bucket]! -= 1;
    this.total -= 1;
    // Repeated float subtraction drifts; an empty histogram has an exact sum of zero.
    this.sum = this.total === 0 ? 0 : this.sum - ms;
  }

  /** Take away a whole group of calls, given as its bucket counts (from `offset`) and its sum. */
  subtract(groupCounts: Uint32Array, offset: number, groupTotal: number, groupSum: number): void {
    if (groupTotal === 0 || this.counts === null) return;
    for (let bucket = 0; bucket < BUCKET_COUNT; bucket++) {
      this.counts[bucket]! -= groupCounts[offset + bucket]!;
    }
    this.total -= groupTotal;
    this.sum = this.total === 0 ? 0 : this.sum - groupSum;
  }

  clear(): void {
    this.counts = null;
    this.total = 0;
    this.sum = 0;
  }

  /** The histogram as plain JSON: its sum and non-empty buckets. */
  persist(): PersistedLatency {
    const buckets: [number, number][] = [];
    this.counts?.forEach((count, bucket) => {
      if (count > 0) buckets.push([bucket, count]);
    });
    return { sum: this.sum, buckets };
  }

  /** Add what {@link persist} saved (of this histogram or another). */
  restore(saved: PersistedLatency): void {
    for (const [bucket, count] of saved.buckets) {
      if (count === 0) continue;
      this.counts ??= new Float64Array(BUCKET_COUNT);
      this.counts[bucket]! += count;
      this.total += count;
    }
    if (this.total > 0) this.sum += saved.sum;
  }

  /** Mean and nearest-rank percentiles, or null when there is nothing to summarise. */
  summary(): LatencySummary | null {
    if (this.total === 0) return null;
    return {
      mean: this.sum / this.total,
      p50: this.percentile(0.5),
      p90: this.percentile(0.9),
      p99: this.percentile(0.99),
    };
  }

  private percentile(quantile: number): number {
    const counts = this.counts!;
    const rank = Math.max(1, Math.ceil(quantile * this.total));
    let seen = 0;
    for (let bucket = 0; bucket < BUCKET_COUNT; bucket++) {
      seen += counts[bucket]!;
      if (seen >= rank) return bucketValue(bucket);
    }
    return bucketValue(BUCKET_COUNT - 1);
  }
}
