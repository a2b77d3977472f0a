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
export type Outcome = typeof PENDING | typeof RETURNED | typeof THREW | typeof CANCELLED | typeof TIMED_OUT;

/**
 * A call the breaker admitted and that settles once, with whichever comes first of its outcome,
 * its timeout (it is its own {@link Deadline}) and its cancellation. Both ways of calling through a
 * breaker are one: a {@link Permit} is settled by its holder, a guarded call of `execute` by `fn`'s
 * promise and the caller's signal; both judge through the same hooks.
 */
export class AdmittedCall implements Deadline {
  readonly dueAt: number;
  /** Set by the deadline queue once it forgot the call (expired or released). */
  done = false;
  protected outcome: Outcome = PENDING;

  constructor(
    protected readonly hooks: CallHooks,
    readonly breaker: string,
    protected readonly period: Period,
    protected readonly startedAt: number,
    /** False when the call is not timed: its outcome then reports no duration. */
    protected readonly measured: boolean,
    protected readonly timeoutMs: number | null,
    protected controller: AbortController | undefined,
  ) {
    this.dueAt = timeoutMs === null ? Infinity : startedAt + timeoutMs;
  }

  /** The timeout ran out while the call was running. */
  expire(): void {
    if (!this.claim(TIMED_OUT)) return;
    const error = new CallTimeoutError(this.breaker, this.timeoutMs ?? Infinity);
    this.controller?.abort(error);
    const now = this.hooks.now();
    this.hooks.timedOut(error, this.period, now - this.startedAt, now);
    this.timedOutWith(error);
  }

  /** What a subclass adds to a timeout, once the breaker judged it. */
  protected timedOutWith(error: CallTimeoutError): void {
    void error;
  }

  protected returned(value: unknown): boolean {
    if (!this.claim(RETURNED)) return false;
    this.hooks.value(value, this.period, this.measured ? this.startedAt : undefined);
    return true;
  }

  protected threw(error: unknown): boolean {
    if (!this.claim(THREW)) return false;
    this.hooks.error(error, this.period, this.measured ? this.startedAt : undefined);
    return true;
  }

  protected cancelled(reason: unknown): boolean {
    if (!this.claim(CANCELLED)) return false;
    this.controller?.abort(reason);
    const now = this.hooks.now();
    this.hooks.cancelled(reason, this.period, now - this.startedAt, now);
    return true;
  }

  /** Take the right to settle the call: only the first outcome has it. */
  protected claim(outcome: Outcome): boolean {
    if (this.outcome !== PENDING) return false;
    this.outcome = outcome;
    if (this.timeoutMs !== null && !this.done) this.hooks.release(this);
    return true;
  }
}

/** What {@link CircuitBreaker.tryAcquire} grants: see {@link CallPermit}. */
export class Permit extends AdmittedCall implements CallPermit {
  /** The holder's report of the outcome (after a timeout, too): a second one is a bug. */
  private reportedBy: string | undefined = undefined;
  /** What the signal aborts with, when the permit timed out or was cancelled before it was read. */
  private abortReason: unknown = undefined;

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
    return this.returned(value);
  }

  failure(error: unknown): boolean {
    this.report("failure()");
    return this.threw(error);
  }

  cancel(reason?: unknown): boolean {
    this.report("cancel()");
    if (this.outcome === PENDING) this.abortReason = reason;
    return this.cancelled(reason);
  }

  protected override timedOutWith(error: CallTimeoutError): void {
    this.abortReason = error;
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
