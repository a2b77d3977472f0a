/**
 * The time axis of the dashboard's timelines. A lab that started a minute ago has a minute of
 * history: drawn over a five-minute range it would be a sliver at the right edge, so the axis
 * spans the data until the data fills the chosen range. Ticks sit at whole steps before now, so
 * they stay put while the timeline moves.
 */

/** The shortest span the axis shows, so a lab with one call still has room to draw it. */
export const MIN_SPAN_MS = 30_000;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const TICK_STEPS = [5 * SECOND, 10 * SECOND, 15 * SECOND, 30 * SECOND, MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, 60 * MINUTE];
const MAX_TICKS = 5;

export interface AxisTick {
  at: number;
  /** How long before now: `−30s`, `−1m`, `−1m 30s`. */
  label: string;
}

export interface TimelineAxis {
  start: number;
  end: number;
  spanMs: number;
  ticks: AxisTick[];
}

/** `30s`, `1m`, `1m 30s`, `1h`: short enough for a tick under a narrow card. */
export function formatAgo(ms: number): string {
  const totalSeconds = Math.round(ms / SECOND);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const parts = [hours ? `${hours}h` : "", minutes ? `${minutes}m` : "", seconds ? `${seconds}s` : ""].filter(Boolean);
  return parts.length === 0 ? "0s" : parts.join(" ");
}

/**
 * The axis ending at `end`: it reaches back to `dataStart` (the oldest entry of the lab's timeline, so
 * every card shares one axis), at least {@link MIN_SPAN_MS} and at most `rangeMs`.
 */
export function timelineAxis({ end, rangeMs, dataStart }: { end: number; rangeMs: number; dataStart: number | undefined }): TimelineAxis {
  if (!(rangeMs > 0)) throw new RangeError(`rangeMs must be a positive number of milliseconds, got ${rangeMs}`);
  const history = dataStart === undefined ? 0 : end - dataStart;
  const spanMs = Math.min(rangeMs, Math.max(Math.min(MIN_SPAN_MS, rangeMs), history));
  const step = TICK_STEPS.find((candidate) => spanMs / candidate <= MAX_TICKS) ?? TICK_STEPS.at(-1)!;
  const ticks: AxisTick[] = [];
  // The left edge carries the span's own label: a tick closer to it than a step would overlap it.
  for (let ago = step; ago <= spanMs - step; ago += step) ticks.push({ at: end - ago, label: `−${formatAgo(ago)}` });
  return { start: end - spanMs, end, spanMs, ticks };
}
