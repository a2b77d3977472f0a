import { describe, expect, it } from "vitest";
import { runWhatIf, type WhatIfInput } from "@/lib/whatif";
import { isLabError } from "./errors";
import { Worker } from "node:worker_threads";
import { MAX_QUEUED_RUNS, WhatIfRunner as BundledRunner, type WorkerSpawner } from "./whatif-runner";

// Run from TypeScript sources, the worker loads its TypeScript through tsx, whose loader a worker
// thread does not inherit from this process.
const fromSource: WorkerSpawner = (input) => {
  const entry = JSON.stringify(new URL("./whatif.worker.ts", import.meta.url).href);
  return new Worker(`import("tsx/esm/api").then(({ tsImport }) => tsImport(${entry}, ${JSON.stringify(import.meta.url)}))`, { eval: true, workerData: input });
};

class WhatIfRunner extends BundledRunner {
  constructor() {
    super(fromSource);
  }
}

const input: WhatIfInput = {
  scenario: { name: "down", phases: [{ forMs: 5_000, endpoints: { api: { failureRate: 1, latencyMs: 5, jitterMs: 0 } } }] },
  endpoint: "api",
  traffic: { rps: 100 },
  configs: [{ label: "quick", options: { failureThreshold: 3, openMs: 1_000 } }],
};

describe("WhatIfRunner", () => {
  it("runs in a worker thread and answers what the engine answers in process", async () => {
    expect(await new WhatIfRunner().run(input)).toEqual(await runWhatIf(input));
  }, 20_000);

  it("ends the run of a caller that went away", async () => {
    const client = new AbortController();
    const runner = new WhatIfRunner();
    const run = runner.run({ ...input, traffic: { rps: 10_000 }, durationMs: 3_600_000 } as WhatIfInput, client.signal);
    client.abort(new Error("client went away"));
    await expect(run).rejects.toThrow("client went away");
    // The runner is free again: the next run does not wait for the abandoned one.
    expect(await runner.run(input)).toEqual(await runWhatIf(input));
  }, 20_000);

  it(`answers 429 once ${MAX_QUEUED_RUNS} runs are waiting`, async () => {
    const runner = new WhatIfRunner();
    const client = new AbortController();
    const long = { ...input, traffic: { rps: 10_000 }, durationMs: 3_600_000 } as WhatIfInput;
    const runs = Array.from({ length: MAX_QUEUED_RUNS + 1 }, () => runner.run(long, client.signal).catch((error: unknown) => error));
    let refusal: unknown;
    try {
      await runner.run(long, client.signal);
    } catch (error) {
      refusal = error;
    }
    expect(isLabError(refusal) && refusal.status).toBe(429);
    client.abort(new Error("done"));
    await Promise.all(runs);
  }, 20_000);
});
