"use client";

import { formatSeconds } from "@/lib/client/format";
import { useMonotonicNow } from "@/lib/client/use-ticker";
import { callout } from "./styles";

// 20 updates a second: the tenths digit moves smoothly.
const TICK_MS = 50;

/**
 * Seconds left until HALF-OPEN, counted from the server's `halfOpenAt` against the server's clock
 * as estimated at receipt (`clockOffset`), so a browser whose wall clock is wrong still counts right.
 */
export function Countdown({
  name,
  openedAt,
  halfOpenAt,
  clockOffset,
}: {
  name: string;
  openedAt: number;
  halfOpenAt: number;
  clockOffset: number;
}) {
  const monotonicNow = useMonotonicNow(true, TICK_MS);
  const remaining = monotonicNow === null ? halfOpenAt - openedAt : halfOpenAt - (monotonicNow + clockOffset);
  const total = Math.max(1, halfOpenAt - openedAt);
  const elapsed = Math.min(1, Math.max(0, 1 - remaining / total));
  return (
    <div className={callout({ tone: "danger" })}>
      <div className="flex items-baseline justify-between gap-2">
        <span>Half-open in</span>
        <span data-testid={`breaker-${name}-countdown`} className="font-mono text-2xl font-semibold tabular-nums text-red-800 dark:text-red-100">
          {formatSeconds(remaining)}
        </span>
      </div>
      <div
        className="mt-2 h-1.5 overflow-hidden rounded-full bg-red-200 dark:bg-red-900"
        role="progressbar"
        aria-label="Open period elapsed"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(elapsed * 100)}
      >
        <div className="h-full rounded-full bg-red-600 dark:bg-red-400" style={{ width: `${elapsed * 100}%` }} />
      </div>
    </div>
  );
}
