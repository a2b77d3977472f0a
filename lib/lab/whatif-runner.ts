import { Worker } from "node:worker_threads";
import type { WhatIfInput, WhatIfResult } from "@/lib/whatif";
import { LabError } from "./errors";

type WorkerAnswer = { ok: true; result: WhatIfResult } | { ok: false; message: string };

/** Runs that may wait for a worker; beyond this the lab answers 429 rather than queue for minutes. */
export const MAX_QUEUED_RUNS = 4;

/** Starts the worker thread of one run, its input as `workerData`. */
export type WorkerSpawner = (input: WhatIfInput) => Worker;

// The literal `new Worker(new URL(…), …)` is what the bundler turns into a worker entry of its own.
const bundledWorker: WorkerSpawner = (input) => new Worker(new URL("./whatif.worker.ts", import.meta.url), { workerData: input });

/**
 * Runs what-if simulations off the main thread, one at a time (the machine's other core keeps the
 * live lab responsive): a long run never stalls the event stream, the mocks or other requests.
 */
export class WhatIfRunner {
  private running: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  /** @param spawn - how a run's worker starts; tests that run from TypeScript sources pass one that loads them. */
  constructor(private readonly spawn: WorkerSpawner = bundledWorker) {}

  /** Run `input` in a worker thread; a caller that goes away (`signal`) ends its worker. */
  async run(input: WhatIfInput, signal?: AbortSignal): Promise<WhatIfResult> {
    if (this.waiting >= MAX_QUEUED_RUNS) {
      throw new LabError("busy", `${this.waiting} what-if runs are waiting already: try again when they are done`);
    }
    this.waiting += 1;
    const turn = this.running.then(() => {
      this.waiting -= 1;
      return signal?.aborted ? Promise.reject(signal.reason) : inWorker(this.spawn(input), signal);
    });
    this.running = turn.catch(() => undefined);
    return turn;
  }
}

function inWorker(worker: Worker, signal: AbortSignal | undefined): Promise<WhatIfResult> {
  return new Promise((resolve, reject) => {
    const abort = () => void worker.terminate();
    signal?.addEventListener("abort", abort, { once: true });
    const done = () => signal?.removeEventListener("abort", abort);
    worker.once("message", (answer: WorkerAnswer) => {
      done();
      void worker.terminate();
      if (answer.ok) resolve(answer.result);
      // The input was validated before the run: an error here is the engine's, not the caller's.
      else reject(new Error(`what-if run failed: ${answer.message}`));
    });
    worker.once("error", (error) => {
      done();
      reject(error);
    });
    worker.once("exit", () => {
      done();
      if (signal?.aborted) reject(signal.reason);
    });
  });
}
