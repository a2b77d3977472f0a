import type { CallTimeoutError } from "./errors";
import { AdmittedCall, type Outcome } from "./permit";

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
 * A call of `execute` that a timeout or the caller's signal can settle before `fn` does: an
 * {@link AdmittedCall} (judged as a permit is) whose methods are also its promise's executor
 * (shared), its timeout and its abort listener (`handleEvent`), so that a call creates only the
 * two reactions to `fn`'s outcome. Functions created per call cost, and more so under tools whose
 * keepNames wraps named ones.
 */
export class GuardedCall<T> extends AdmittedCall implements Settle<T> {
  resolve: (value: T) => void = noop;
  reject: (error: unknown) => void = noop;
  callerSignal: AbortSignal | undefined = undefined;

  /** Run `fn` under the guards; the promise settles with whichever comes first. */
  start(fn: (signal: AbortSignal) => T | PromiseLike<T>, signal: AbortSignal, callerSignal: AbortSignal | undefined): Promise<T> {
    capturing = this as Settle<never>;
    const promise = new Promise<T>(capture);
    capturing = undefined;
    if (callerSignal !== undefined) {
      this.callerSignal = callerSignal;
      callerSignal.addEventListener("abort", this);
    }
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

  /** The caller's signal aborted. */
  handleEvent(): void {
    const reason: unknown = this.callerSignal?.reason;
    if (this.cancelled(reason)) this.reject(reason);
  }

  protected override timedOutWith(error: CallTimeoutError): void {
    this.reject(error);
  }

  protected override claim(outcome: Outcome): boolean {
    if (!super.claim(outcome)) return false;
    this.callerSignal?.removeEventListener("abort", this);
    return true;
  }

  private succeeded(value: T): void {
    if (this.returned(value)) this.resolve(value);
  }

  private failed(error: unknown): void {
    if (this.threw(error)) this.reject(error);
  }
}

function noop(): void {}
