import type { CircuitBreaker } from "./circuit-breaker";
import type { ManualClock } from "./manual-clock";
import type { BreakerEvent } from "./types";

/** A promise with its resolve and reject exposed, to hold a call in flight. */
export function deferred<T = unknown>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export const boom = () => Promise.reject(new Error("boom"));
export const ok = () => Promise.resolve("ok");

/** A call that takes `ms` on the manual clock, then resolves `value` or rejects `error`. */
export function takes(clock: ManualClock, ms: number, outcome: { error: unknown } | { value: unknown } = { value: "ok" }) {
  return async () => {
    clock.advance(ms);
    if ("error" in outcome) throw outcome.error;
    return outcome.value;
  };
}

/** Every event the breaker emits from now on. */
export function recordEvents(breaker: CircuitBreaker): BreakerEvent[] {
  const events: BreakerEvent[] = [];
  breaker.subscribe((event) => events.push(event));
  return events;
}

/** The state events among `events`, as `FROM>TO:reason@at`. */
export function transitions(events: BreakerEvent[]): string[] {
  return events.flatMap((event) => (event.type === "state" ? [`${event.from}>${event.to}:${event.reason}@${event.at}`] : []));
}

export async function fail(breaker: CircuitBreaker, times = 1): Promise<void> {
  for (let index = 0; index < times; index++) await breaker.execute(boom).catch(() => undefined);
}

export async function succeed(breaker: CircuitBreaker, times = 1): Promise<void> {
  for (let index = 0; index < times; index++) await breaker.execute(ok);
}

/** Let every pending promise callback run. */
export function flushPromises(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
