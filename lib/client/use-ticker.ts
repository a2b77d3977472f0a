"use client";

import { useEffect, useState } from "react";

/**
 * The browser's monotonic clock (`performance.now()`), re-read every `intervalMs` while `active`.
 * Starts at null so that server and browser render the same markup; it is set after mount.
 */
export function useMonotonicNow(active: boolean, intervalMs: number): number | null {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    if (!active) return;
    const tick = () => setNow(performance.now());
    tick();
    const timer = setInterval(tick, intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs]);
  return now;
}
