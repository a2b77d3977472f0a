import type { Deadline } from "./deadlines";
import { CallTimeoutError } from "./errors";
import type { Period } from "./periods";
import type { CallHooks } from "./permit";

type Settle<T> = { resolve: (value: T) => void; reject: (error: unknown) => void };

// The executor of every guarded call's promise: one shared function instead of a closure per call.
// `new Promise` runs it synchronously, so the call being created is always the one in `capturing`.
let capturing: Settle<never> | undefined;
function capture(resolve: (value: never) => void, reject: (error: unknown) => void): void {
  if (capturing === undefined) return;
  capturing.resolve = resolve;
  capturing.reject = reject;
}

/**
 * A call that a timeout or the caller's signal can settle before `fn` does: one object whose
 * methods are its promise's executor (shared), its timeout (as a {@link Deadline}) and its abort
 * listener (`handleEvent`), so that a call creates only the two reactions to `fn`'s outcome.
 * Functions created per call cost, and more so under tools whose keepNames wraps named ones.
 */
export class GuardedCall<T> implements Deadline, Settle<T> {
  resolve: (value: T) => void = noop;
  reject: (error: unknown) => void = noop;
  readonly dueAt: number;
  /** Set by the deadline queue once it forgot the call (expired or released). */
  done = false;
  private settled = false;

  constructor(
    private readonly hooks: CallHooks,
    private readonly breaker: string,
    private readonly period: Period,
    private readonly startedAt: number,
    /** False when the call is not timed: `fn`'s outcome then reports no duration. */
    private readonly measured: boolean,
    private readonly timeoutMs: number | null,
    private readonly controller: AbortController | undefined,
    private readonly callerSignal: AbortSignal | undefined,
  ) {
    this.dueAt = timeoutMs === null ? Infinity : startedAt + timeoutMs;
  }

  /** Run `fn` under the guards; the promise settles with whichever comes first. */
  start(fn: (signal: AbortSignal) => T | PromiseLike<T>, signal: AbortSignal): Promise<T> {
    capturing = this as Settle<never>;
    const promise = new Promise<T>(capture);
    capturing = undefined;
    this.callerSignal?.addEventListener("abort", this);
    if (this.timeoutMs !== null) this.hooks.track(this, this.timeoutMs);
    let result: T | PromiseLike<T>;
    try {
      result = fn(this.controller?.signal ?? signal);
    } catch (error) {
      this.failed(error);
      return promise;
    }
    // Two arrow functions as arguments: cheaper than an async method awaiting `result` (no
    // generator, no extra promise), and never wrapped by keepNames (they have no name to keep).
    Promise.resolve(result).then(
      (value) => this.succeeded(value),
      (error: unknown) => this.failed(error),
    );
    return promise;
  }

  /** The timeout ran out while the call was running. */
  expire(): void {
    if (!this.claim()) return;
    const error = new CallTimeoutError(this.breaker, this.timeoutMs ?? Infinity);
    this.controller?.abort(error);
    const now = this.hooks.now();
    this.hooks.timedOut(error, this.period, now - this.startedAt, now);
    this.reject(error);
  }

  /** The caller's signal aborted. */
  handleEvent(): void {
    if (!this.claim()) return;
    const reason: unknown = this.callerSignal?.reason;
    this.controller?.abort(reason);
    const now = this.hooks.now();
    this.hooks.cancelled(reason, this.period, now - this.startedAt, now);
    this.reject(reason);
  }

  private succeeded(value: T): void {
    if (!this.claim()) return;
    this.hooks.value(value, this.period, this.measured ? this.startedAt : undefined);
    this.resolve(value);
  }

  private failed(error: unknown): void {
    if (!this.claim()) return;
    this.hooks.error(error, this.period, this.measured ? this.startedAt : undefined);
    this.reject(error);
  }

  /** Take the right to settle the call: only the first of `fn`, the timeout and the abort has it. */
  private claim(): boolean {
    if (this.settled) return false;
    this.settled = true;
    if (this.timeoutMs !== null && !this.done) this.hooks.release(this);
    this.callerSignal?.removeEventListener("abort", this);
    return true;
  }
}

function noop(): void {}
