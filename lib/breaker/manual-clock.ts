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
  /**
   * The earliest due time of the pending timers (+Infinity when none, NaN when one is NaN): lets
   * `advanceTo` and `nextDueAt` answer without a scan when nothing falls due, which is most calls
   * of a simulation that moves the clock to every instant it plays.
   */
  private earliest = Number.POSITIVE_INFINITY;

  constructor(startAt = 0) {
    this.time = startAt;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const timer: ManualTimer = { dueAt: this.time + Math.max(0, ms), order: this.created++, callback };
    this.timers.push(timer);
    if (!(timer.dueAt >= this.earliest)) this.earliest = Number.isNaN(this.earliest) ? Number.NaN : timer.dueAt;
    return timer;
  }

  clearTimeout(handle: unknown): void {
    const count = this.timers.length;
    this.timers = this.timers.filter((timer) => timer !== handle);
    if (this.timers.length !== count) this.refresh();
  }

  /** Timers set and not yet fired or cleared. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** When the next pending timer falls due, or `null` when none is pending. */
  nextDueAt(): number | null {
    if (this.timers.length === 0) return null;
    if (!Number.isNaN(this.earliest)) return this.earliest;
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
    // Nothing pending is due by `target` (a NaN due time fails the test and takes the scan).
    while (!(this.earliest > target)) {
      const next = this.nextDue(target);
      if (next === undefined) break;
      this.timers = this.timers.filter((timer) => timer !== next);
      this.refresh();
      this.time = Math.max(this.time, next.dueAt);
      next.callback();
    }
    this.time = target;
  }

  /** Move time forward by `ms` without firing any timer, as if they were late. */
  jump(ms: number): void {
    this.time += ms;
  }

  private refresh(): void {
    let earliest = Number.POSITIVE_INFINITY;
    for (const timer of this.timers) {
      if (Number.isNaN(timer.dueAt)) {
        earliest = Number.NaN;
        break;
      }
      if (timer.dueAt < earliest) earliest = timer.dueAt;
    }
    this.earliest = earliest;
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
