import type { Clock } from "./types";

interface ManualTimer {
  readonly dueAt: number;
  readonly order: number;
  readonly callback: () => void;
}

/**
 * A clock that moves only when told to, for testing code that uses a breaker: pass it as the
 * `clock` option, then `advance()` through time exactly, firing due timers in order.
 *
 * @example
 * ```ts
 * const clock = new ManualClock(0);
 * const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 1000, clock });
 * await breaker.execute(() => Promise.reject(new Error("down"))).catch(() => {});
 * clock.advance(1000); // breaker.state === "HALF_OPEN", and its state event was emitted
 * ```
 */
export class ManualClock implements Clock {
  private time: number;
  private timers: ManualTimer[] = [];
  private created = 0;

  constructor(startAt = 0) {
    this.time = startAt;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const timer: ManualTimer = { dueAt: this.time + Math.max(0, ms), order: this.created++, callback };
    this.timers.push(timer);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((timer) => timer !== handle);
  }

  /** Timers set and not yet fired or cleared. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** When the next pending timer falls due, or `null` when none is pending. */
  nextDueAt(): number | null {
    return this.nextDue(Number.POSITIVE_INFINITY)?.dueAt ?? null;
  }

  /** Move time forward by `ms`, firing every timer that falls due on the way, at its due time. */
  advance(ms: number): void {
    this.advanceTo(this.time + ms);
  }

  /**
   * Move time to exactly `target`, firing every timer that falls due on the way, at its due time.
   * Unlike `advance(target - now())`, no rounding error can land the clock a hair before or after
   * an instant a simulation computed.
   */
  advanceTo(target: number): void {
    for (;;) {
      const next = this.nextDue(target);
      if (next === undefined) break;
      this.timers = this.timers.filter((timer) => timer !== next);
      this.time = Math.max(this.time, next.dueAt);
      next.callback();
    }
    this.time = target;
  }

  /** Move time forward by `ms` without firing any timer, as if they were late. */
  jump(ms: number): void {
    this.time += ms;
  }

  private nextDue(limit: number): ManualTimer | undefined {
    let next: ManualTimer | undefined;
    for (const timer of this.timers) {
      if (timer.dueAt > limit) continue;
      if (next === undefined || timer.dueAt < next.dueAt || (timer.dueAt === next.dueAt && timer.order < next.order)) {
        next = timer;
      }
    }
    return next;
  }
}
