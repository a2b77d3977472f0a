/**
 * What the lab's tests (unit and end-to-end) expect of the demo, written out from the demo table
 * of README.md rather than read from lib/lab/defaults.ts, so that a change to the defaults fails them.
 */
/** The demo policies, resolved (every other option at the library's default). */
export const DEMO_OPTIONS: Record<string, Record<string, unknown>> = {
  payments: {
    name: "payments",
    failureThreshold: 3,
    slidingWindow: null,
    failureRateThreshold: 50,
    slowCallMs: null,
    slowCallRateThreshold: 100,
    minimumCalls: 10,
    openMs: 20_000,
    backoffMultiplier: 1,
    maxOpenMs: 20_000 * 32,
    halfOpenMaxCalls: 1,
    successThreshold: 1,
    maxHalfOpenMs: 60_000,
    timeoutMs: null,
  },
  inventory: {
    name: "inventory",
    failureThreshold: 5,
    slidingWindow: { type: "count", size: 20 },
    failureRateThreshold: 50,
    slowCallMs: null,
    slowCallRateThreshold: 100,
    minimumCalls: 10,
    openMs: 10_000,
    backoffMultiplier: 1,
    maxOpenMs: 10_000 * 32,
    halfOpenMaxCalls: 3,
    successThreshold: 3,
    maxHalfOpenMs: 60_000,
    timeoutMs: null,
  },
  search: {
    name: "search",
    failureThreshold: 5,
    slidingWindow: { type: "time", ms: 30_000 },
    failureRateThreshold: 50,
    slowCallMs: 1_000,
    slowCallRateThreshold: 80,
    minimumCalls: 10,
    openMs: 15_000,
    backoffMultiplier: 2,
    maxOpenMs: 15_000 * 32,
    halfOpenMaxCalls: 1,
    successThreshold: 1,
    maxHalfOpenMs: 60_000,
    timeoutMs: 2_000,
  },
};

/** One turn of the event loop: callbacks of finished I/O and every queued microtask run first. */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
