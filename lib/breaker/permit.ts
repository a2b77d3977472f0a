import type { Deadline } from "./deadlines";
import { CallTimeoutError } from "./errors";
import type { Period } from "./periods";
import type { CallPermit } from "./types";

/** What an admitted call reports to its breaker, and the breaker's services it uses. */
export interface CallHooks {
  now(): number;
  /** Watch the call's timeout. */
  track(call: Deadline, timeoutMs: number): void;
  /** The call settled before its timeout: stop watching it. */
  release(call: Deadline): void;
  /** The call returned or threw; `startedAt` is undefined when its duration is not measured. */
  value(value: unknown, period: Period, startedAt: number | undefined): void;
  error(error: unknown, period: Period, startedAt: number | undefined): void;
  timedOut(error: CallTimeoutError, period: Period, durationMs: number, now: number): void;
  cancelled(reason: unknown, period: Period, durationMs: number, now: number): void;
}

// How an admitted call settled; PENDING until one of the others.
const PENDING = 0;
const RETURNED = 1;
const THREW = 2;
const CANCELLED = 3;
const TIMED_OUT = 4;
type Outcome = typeof PENDING | typeof RETURNED | typeof THREW | typeof CANCELLED | typeof TIMED_OUT;

/**
 * What {@link CircuitBreaker.tryAcquire} grants (see {@link CallPermit}): a call the breaker
 * admitted that settles once, with whichever comes first of its holder's report and its timeout
 * (it is its own {@link Deadline}). It judges through the same hooks, and so the same settling
 * code, as a call of `execute` (a {@link GuardedCall}, which `fn`'s promise settles instead).
 * The two are separate classes on purpose: a shared base class cost the timeout path of
 * `execute` 12–20 % (a derived constructor, a second field initializer, a virtual claim).
 */
export class Permit implements CallPermit, Deadline {
  readonly dueAt: number;
  /** Set by the deadline queue once it forgot the permit (expired or released). */
  done = false;
  private outcome: Outcome = PENDING;
  /** The holder's report of the outcome (after a timeout, too): a second one is a bug. */
  private reportedBy: string | undefined = undefined;
  /** What the signal aborts with, when the permit timed out or was cancelled before it was read. */
  private abortReason: unknown = undefined;
  private controller: AbortController | undefined = undefined;

  constructor(
    private readonly hooks: CallHooks,
    readonly breaker: string,
    private readonly period: Period,
    private readonly startedAt: number,
    /** False when the call is not timed: its outcome then reports no duration. */
    private readonly measured: boolean,
    private readonly timeoutMs: number | null,
  ) {
    this.dueAt = timeoutMs === null ? Infinity : startedAt + timeoutMs;
  }

  get state(): CallPermit["state"] {
    return this.period.state as CallPermit["state"];
  }

  get settled(): boolean {
    return this.outcome !== PENDING;
  }

  get timedOut(): boolean {
    return this.outcome === TIMED_OUT;
  }

  get signal(): AbortSignal {
    let controller = this.controller;
    if (controller === undefined) {
      controller = this.controller = new AbortController();
      if (this.outcome === TIMED_OUT || this.outcome === CANCELLED) controller.abort(this.abortReason);
    }
    return controller.signal;
  }

  success(value?: unknown): boolean {
    this.report("success()");
    if (!this.claim(RETURNED)) return false;
    this.hooks.value(value, this.period, this.measured ? this.startedAt : undefined);
    return true;
  }

  failure(error: unknown): boolean {
    this.report("failure()");
    if (!this.claim(THREW)) return false;
    this.hooks.error(error, this.period, this.measured ? this.startedAt : undefined);
    return true;
  }

  cancel(reason?: unknown): boolean {
    this.report("cancel()");
    if (!this.claim(CANCELLED)) return false;
    this.abortReason = reason;
    this.controller?.abort(reason);
    const now = this.hooks.now();
    this.hooks.cancelled(reason, this.period, now - this.startedAt, now);
    return true;
  }

  /** The timeout ran out before the holder reported (the deadline queue calls it). */
  expire(): void {
    if (!this.claim(TIMED_OUT)) return;
    const error = new CallTimeoutError(this.breaker, this.timeoutMs ?? Infinity);
    this.abortReason = error;
    this.controller?.abort(error);
    const now = this.hooks.now();
    this.hooks.timedOut(error, this.period, now - this.startedAt, now);
  }

  /** Take the right to settle the permit: only the first outcome has it. */
  private claim(outcome: Outcome): boolean {
    if (this.outcome !== PENDING) return false;
    this.outcome = outcome;
    if (this.timeoutMs !== null && !this.done) this.hooks.release(this);
    return true;
  }

  private report(method: string): void {
    if (this.reportedBy !== undefined) {
      throw new TypeError(
        `${method} on a permit of circuit breaker "${this.breaker}" already settled by ${this.reportedBy}: a permit settles once`,
      );
    }
    this.reportedBy = method;
  }
}
