import type { BusMessage } from "./event-bus";
import type { LabHub } from "./hub";

/** Idle streams are cut by proxies after 30-120 s; a comment every 15 s keeps them open. */
export const HEARTBEAT_MS = 15_000;

// A client this far behind (messages queued, not yet taken by the connection) is dropped: it
// reconnects and resyncs from a fresh snapshot instead of growing the server's memory.
const MAX_QUEUED_MESSAGES = 2_000;

function frame({ id, event, data }: BusMessage): string {
  return `id: ${id}\nevent: ${event}\ndata: ${data}\n\n`;
}

/**
 * The live stream of `/api/events`: a `snapshot` event first, then every `breaker` and `endpoint`
 * event as it happens, a heartbeat comment every 15 s. Every way the client can leave (the
 * request's abort, the stream's cancel, a failed write) unsubscribes it exactly once.
 */
export function eventStream(hub: LabHub, requestSignal: AbortSignal): Response {
  const encoder = new TextEncoder();
  let close = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      let unsubscribe = () => {};
      let heartbeat: ReturnType<typeof setInterval> | undefined = undefined;
      const send = (text: string) => {
        if (closed) return;
        if ((controller.desiredSize ?? 0) < -MAX_QUEUED_MESSAGES) return close();
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          close();
        }
      };
      close = () => {
        if (closed) return;
        closed = true;
        unsubscribe();
        clearInterval(heartbeat);
        requestSignal.removeEventListener("abort", close);
        hub.metrics.sseClientDisconnected();
        try {
          controller.close();
        } catch {
          // Already closed or errored by the runtime: nothing left to release.
        }
      };
      hub.metrics.sseClientConnected();
      // Taking the state may itself publish transitions that were due; the snapshot includes
      // them, so it carries the id of the newest message and the subscription starts after it.
      const state = JSON.stringify(hub.state());
      send(frame({ id: hub.currentEventId, event: "snapshot", data: state }));
      unsubscribe = hub.subscribe((message) => send(frame(message)));
      heartbeat = setInterval(() => send(": ping\n\n"), HEARTBEAT_MS);
      requestSignal.addEventListener("abort", close);
      if (requestSignal.aborted) close();
    },
    cancel() {
      close();
    },
  });
  return new Response(stream, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    },
  });
}
