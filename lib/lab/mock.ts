import { HANG_LIMIT_MS, type MockOutcome } from "@/lib/simulator";
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

// A trickling body arrives in this many pieces after the first, evenly spread over its latency.
const SLOW_BODY_PIECES = 10;
const encoder = new TextEncoder();

/**
 * A JSON body whose first piece leaves at once (so the headers do: Next.js sends them with the
 * first chunk) and whose rest trickles out over `ms`. `done` runs once, when the body ends or the
 * client leaves.
 */
function tricklingBody(name: string, ms: number, signal: AbortSignal, done: () => void): ReadableStream<Uint8Array> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    signal.removeEventListener("abort", finish);
    done();
  };
  return new ReadableStream({
    start(controller) {
      controller.enqueue(encoder.encode(`{"endpoint":${JSON.stringify(name)},"ok":true,"body":"`));
      let sent = 0;
      const next = () => {
        if (finished) return;
        sent += 1;
        try {
          if (sent < SLOW_BODY_PIECES) {
            controller.enqueue(encoder.encode("."));
            timer = setTimeout(next, ms / SLOW_BODY_PIECES);
          } else {
            controller.enqueue(encoder.encode('"}'));
            controller.close();
            finish();
          }
        } catch {
          finish();
        }
      };
      timer = setTimeout(next, ms / SLOW_BODY_PIECES);
      signal.addEventListener("abort", finish, { once: true });
    },
    cancel: finish,
  });
}

const NO_STORE = { "Cache-Control": "no-store" };

function errorHeaders(retryAfterS: number | null): HeadersInit {
  return retryAfterS === null ? NO_STORE : { ...NO_STORE, "Retry-After": String(retryAfterS) };
}

/** Answer one request to a mock endpoint as its fault model decides. */
export async function mockResponse(hub: LabHub, name: string, signal: AbortSignal): Promise<Response> {
  const outcome = hub.decideMock(name);
  if (outcome.kind === "slow-body") {
    return new Response(tricklingBody(name, outcome.delayMs, signal, () => hub.finishMock(name, outcome)), {
      headers: { ...NO_STORE, "Content-Type": "application/json" },
    });
  }
  try {
    return await answer(name, outcome, signal);
  } finally {
    hub.finishMock(name, outcome);
  }
}

async function answer(name: string, outcome: Exclude<MockOutcome, { kind: "slow-body" }>, signal: AbortSignal): Promise<Response> {
  await wait(outcome.delayMs, signal);
  switch (outcome.kind) {
    case "ok":
      return Response.json({ endpoint: name, ok: true }, { headers: NO_STORE });
    case "status":
      return Response.json({ endpoint: name, error: `Simulated failure ${outcome.status}` }, { status: outcome.status, headers: errorHeaders(outcome.retryAfterS) });
    case "overload":
      return Response.json({ endpoint: name, error: "Overloaded: too many requests in flight" }, { status: 503, headers: errorHeaders(outcome.retryAfterS) });
    case "malformed":
      // Cut off mid-value, as from a crashed serializer: it says JSON and is not.
      return new Response(`{"endpoint":${JSON.stringify(name)},"ok":tr`, { headers: { ...NO_STORE, "Content-Type": "application/json" } });
    case "reset":
      return new Response(droppedConnection(), { headers: NO_STORE });
    case "hang":
      await wait(HANG_LIMIT_MS, signal);
      return Response.json({ endpoint: name, error: `Hung for ${HANG_LIMIT_MS / 1000} s` }, { status: 504, headers: NO_STORE });
  }
}
