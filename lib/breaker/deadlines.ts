import { Alarm } from "./clock";
import type { Clock } from "./types";

/** A call with a timeout: what the queue needs of it. */
export interface Deadline {
  readonly dueAt: number;
  /** Set when the call settled; the queue then forgets it. */
  done: boolean;
  /** Called once the call is still running at `dueAt`. */
  expire(): void;
}

// Settled calls are dropped lazily; once they are this many and outnumber the running ones, the
// queue is compacted, so that it holds about as many entries as there are calls in flight.
const COMPACT_AFTER = 32;

/**
 * The timeouts of a breaker's running calls, behind one timer. Calls of one breaker share a
 * timeout, so they fall due in the order they started: a queue in start order, with the one timer
 * armed for the earliest call still running. Compared with a timer per call, a call that finishes
 * in time costs no timer operation at all.
 */
export class DeadlineQueue {
  private items: Deadline[] = [];
  private head = 0;
  private settled = 0;
  private armedFor = Infinity;
  private readonly alarm: Alarm;

  constructor(private readonly clock: Clock) {
    this.alarm = new Alarm(clock, () => this.fire());
  }

  /** Track a call; `delayMs` is how far off its deadline is (saves a clock read). */
  add(item: Deadline, delayMs: number): void {
    const items = this.items;
    // A reconfigured timeout can make a new call due before older ones: insert it in order.
    if (items.length > this.head && items[items.length - 1]!.dueAt > item.dueAt) {
      let index = items.length;
      while (index > this.head && items[index - 1]!.dueAt > item.dueAt) index -= 1;
      items.splice(index, 0, item);
    } else {
      items.push(item);
    }
    if (item.dueAt < this.armedFor) {
      this.armedFor = item.dueAt;
      this.alarm.set(item.dueAt, delayMs);
    }
  }

  /** Note that a tracked call settled. */
  release(item: Deadline): void {
    item.done = true;
    this.settled += 1;
    if (this.settled > COMPACT_AFTER && this.settled * 2 > this.items.length - this.head) this.compact();
  }

  /** Forget every call and stop the timer: their timeouts will never fire. */
  clear(): void {
    this.alarm.clear();
    this.armedFor = Infinity;
    this.items = [];
    this.head = 0;
    this.settled = 0;
  }

  /** Calls tracked and not yet settled. */
  get pending(): number {
    return this.items.length - this.head - this.settled;
  }

  private fire(): void {
    this.armedFor = Infinity;
    const now = this.clock.now();
    while (this.head < this.items.length) {
      const item = this.items[this.head]!;
      if (item.done) {
        this.head += 1;
        this.settled -= 1;
        continue;
      }
      if (item.dueAt > now) {
        this.armedFor = item.dueAt;
        this.alarm.set(item.dueAt);
        break;
      }
      this.head += 1;
      item.done = true;
      item.expire();
    }
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
      this.settled = 0;
    }
  }

  private compact(): void {
    this.items = this.items.slice(this.head).filter((item) => !item.done);
    this.head = 0;
    this.settled = 0;
  }
}
