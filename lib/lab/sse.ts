import type { BusMessage } from "./event-bus";
import type { LabHub } from "./hub";
import { encodeSseMessage } from "./sse-message";

/** Idle streams are cut by proxies after 30-120 s; a comment every 15 s keeps them open. */
export const HEARTBEAT_MS = 15_000;

// A client this far behind (messages queued, not yet taken by the connection) is dropped: it
// reconnects and resyncs from a fresh snapshot instead of growing the server's memory.
const MAX_QUEUED_MESSAGES = 2_000;

const encoder = new TextEncoder();
const PING = encoder.encode(": ping\n\n");
// Every subscriber receives the same message object: encode it once for all of them.
const encodedFrames = new WeakMap<BusMessage, Uint8Array>();

function encodedFrame(message: BusMessage): Uint8Array {
  let bytes = encodedFrames.get(message);
  if (!bytes) {
    bytes = encodeSseMessage(message.id, message.event, message.data);
    encodedFrames.set(message, bytes);
  }
  return bytes;
}

/**
 * The live stream of `/api/events`: a `snapshot` event first, then every `breaker` and `endpoint`
 * event as it happens (or, in the compact form, the dashboard's snapshot and then one `frame` per
 * frame, see frames.ts), a heartbeat comment every 15 s. Every way the client can leave (the
 * request's abort, the stream's cancel, a failed write) unsubscribes it exactly once. Why it is
 * built this way: docs/architecture.md, "The live stream".
 */
export function eventStream(hub: LabHub, requestSignal: AbortSignal, form: "full" | "compact" = "full"): Response {
  let close = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      let unsubscribe = () => {};
      let heartbeat: ReturnType<typeof setInterval> | undefined = undefined;
      // Messages of one burst (a call's outcome and the transition it causes, a burst of calls)
      // leave as one chunk: each chunk costs a write and a flush on the way to the socket.
      let pending: Uint8Array[] = [];
      const flush = () => {
        const chunks = pending;
        pending = [];
        if (closed || chunks.length === 0) return;
        if ((controller.desiredSize ?? 0) < -MAX_QUEUED_MESSAGES) return close();
        try {
          controller.enqueue(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
        } catch {
          close();
        }
      };
      const send = (bytes: Uint8Array) => {
        if (closed) return;
        if (pending.push(bytes) === 1) setImmediate(flush);
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
      if (form === "compact") {
        // The frame stream sends the snapshot itself, before the first frame.
        unsubscribe = hub.frames.subscribe(send);
      } else {
        // Taking the state may itself publish transitions that were due; the snapshot includes
        // them, so it carries the id of the newest message and the subscription starts after it.
        const state = hub.stateJson();
        send(encodeSseMessage(hub.currentEventId, "snapshot", state));
        unsubscribe = hub.subscribe((message) => send(encodedFrame(message)));
      }
      heartbeat = setInterval(() => send(PING), HEARTBEAT_MS);
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
