import { parentPort, workerData } from "node:worker_threads";
import { runWhatIf, type WhatIfInput } from "@/lib/whatif";
import { errorMessage } from "@/lib/api/errors";

// One run per worker: the result, or the error's message, goes back to the runner, then the
// worker ends.
runWhatIf(workerData as WhatIfInput).then(
  (result) => parentPort!.postMessage({ ok: true, result }),
  (error: unknown) => parentPort!.postMessage({ ok: false, message: errorMessage(error) }),
);
