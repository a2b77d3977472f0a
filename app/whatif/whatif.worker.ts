import { runWhatIf, type WhatIfInput, type WhatIfResult } from "@/lib/whatif";
import { errorMessage } from "@/lib/api/errors";

/** What the page hears from a run: progress now and then, then the result or why it failed. */
export type WorkerMessage =
  | { type: "progress"; done: number }
  | { type: "result"; result: WhatIfResult; elapsedMs: number }
  | { type: "error"; message: string };

// A classic worker (the bundler drops `type: "module"`): no top-level await, no import.meta.
const scope = self as unknown as { postMessage(message: WorkerMessage): void; onmessage: ((event: MessageEvent<WhatIfInput>) => void) | null };

scope.onmessage = (event) => {
  const started = performance.now();
  runWhatIf(event.data, (done) => scope.postMessage({ type: "progress", done })).then(
    (result) => scope.postMessage({ type: "result", result, elapsedMs: performance.now() - started }),
    (error: unknown) => scope.postMessage({ type: "error", message: errorMessage(error) }),
  );
};
