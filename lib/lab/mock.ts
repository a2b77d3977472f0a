import { HANG_LIMIT_MS } from "@/lib/simulator";
import type { LabHub } from "./hub";

/** Resolves after `ms`, or as soon as `signal` aborts (the client went away). */
function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}

/**
 * A body that fails before its first byte. Next.js sends no headers until the first chunk, so
 * the server destroys the socket: the client sees a dropped connection, as from a crashed upstream.
 * Named AbortError so that Next treats it as the deliberate abort it is and logs nothing.
 */
function droppedConnection(): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.error(new DOMException("connection reset by the mock endpoint", "AbortError"));
    },
  });
}

const NO_STORE = { "Cache-Control": "no-store" };

/** Answer one request to a mock endpoint as its fault model decides. */
export async function mockResponse(hub: LabHub, name: string, signal: AbortSignal): Promise<Response> {
  const outcome = hub.decideMock(name);
  hub.metrics.mockStarted(name);
  try {
    await wait(outcome.delayMs, signal);
    switch (outcome.kind) {
      case "ok":
        return Response.json({ endpoint: name, ok: true }, { headers: NO_STORE });
      case "status":
        return Response.json({ endpoint: name, error: `Simulated failure ${outcome.status}` }, { status: outcome.status, headers: NO_STORE });
      case "reset":
        return new Response(droppedConnection(), { headers: NO_STORE });
      case "hang":
        await wait(HANG_LIMIT_MS, signal);
        return Response.json({ endpoint: name, error: `Hung for ${HANG_LIMIT_MS / 1000} s` }, { status: 504, headers: NO_STORE });
    }
  } finally {
    hub.metrics.mockFinished(name);
  }
}
