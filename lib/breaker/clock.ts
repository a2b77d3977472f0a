import type { Clock } from "./types";

// Read once: `performance.timeOrigin` is fixed for the process, and adding the monotonic
// `performance.now()` to it gives epoch ms that never run backwards when the wall clock is set.
const timeOrigin = performance.timeOrigin;

/** Monotonic real time in epoch ms, with the runtime's timers. The default clock of every breaker. */
export const realClock: Clock = {
  now: () => timeOrigin + performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

// Node and Bun return timer objects with unref(); browsers and edge runtimes return numbers.
function unref(handle: unknown): void {
  if (typeof handle === "object" && handle !== null && "unref" in handle && typeof handle.unref === "function") {
    handle.unref();
  }
}

// Runtimes clamp longer delays to 1 ms; a timer that needs longer re-arms itself when it fires.
const MAX_TIMER_DELAY_MS = 2_147_483_647;

/**
 * A one-shot timer on a {@link Clock} that fires at an absolute time, never keeps a process
 * alive, and never fires early even when the runtime's timers do.
 */
export class Alarm {
  private handle: unknown = undefined;
  private armed = false;
  private dueAt = 0;

  constructor(
    private readonly clock: Clock,
    private readonly onDue: () => void,
  ) {}

  /**
   * Fire `onDue` once the clock reads `dueAt` or later; replaces any earlier arming. A caller that
   * knows how far off `dueAt` is passes `delayMs` and saves a clock read.
   */
  set(dueAt: number, delayMs?: number): void {
    this.clear();
    this.dueAt = dueAt;
    this.armed = true;
    this.schedule(delayMs);
  }

  clear(): void {
    if (this.armed) {
      this.armed = false;
      this.clock.clearTimeout(this.handle);
      this.handle = undefined;
    }
  }

  private schedule(delayMs = this.dueAt - this.clock.now()): void {
    const delay = Math.min(Math.max(0, Math.ceil(delayMs)), MAX_TIMER_DELAY_MS);
    this.handle = this.clock.setTimeout(this.fire, delay);
    unref(this.handle);
  }

  private readonly fire = (): void => {
    if (!this.armed) return;
    const now = this.clock.now();
    if (now < this.dueAt) {
      // At least a millisecond, so that a timer that keeps firing early cannot spin.
      this.schedule(Math.max(1, this.dueAt - now));
      return;
    }
    this.armed = false;
    this.handle = undefined;
    this.onDue();
  };
}
