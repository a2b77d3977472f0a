import type { Clock } from "@/lib/breaker";

/**
 * Run `callback` after `ms` on `clock`, without keeping the process alive: Node's timers have
 * `unref()`, a ManualClock's handles do not need it.
 *
 * @returns The handle for `clock.clearTimeout`.
 */
export function backgroundTimeout(clock: Clock, callback: () => void, ms: number): unknown {
  const handle = clock.setTimeout(callback, ms);
  if (typeof handle === "object" && handle !== null && "unref" in handle && typeof handle.unref === "function") handle.unref();
  return handle;
}

/**
 * Resolves after `ms` on `clock`, or at once when `signal` aborts (the client went away).
 */
export function pause(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const handle = backgroundTimeout(clock, done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clock.clearTimeout(handle);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}
