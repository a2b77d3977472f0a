/** Seconds with one decimal, as the countdown shows them: `12.3s`. Never negative. */
export function formatSeconds(ms: number): string {
  const tenths = Math.max(0, Math.ceil(ms / 100));
  return `${(tenths / 10).toFixed(1)}s`;
}

/** A duration for people: `0.4 ms`, `850 ms`, `1.2 s`, `2 min 5 s`. */
export function formatDuration(ms: number): string {
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
}
