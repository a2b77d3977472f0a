/** One message for the live stream: an increasing id, the SSE event name, and its JSON. */
export interface BusMessage {
  id: number;
  event: "snapshot" | "breaker" | "endpoint" | "playback";
  data: string;
}

export type BusListener = (message: BusMessage) => void;

/**
 * Fans lab messages out to live-stream subscribers. A message's JSON is built once, and only when
 * someone listens, so a lab without open dashboards pays nothing per call.
 */
export class EventBus {
  private listeners = new Set<BusListener>();
  private lastId = 0;

  /** The id of the newest message: a snapshot taken now reflects everything up to it. */
  get currentId(): number {
    return this.lastId;
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  subscribe(listener: BusListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  publish(event: BusMessage["event"], build: () => unknown): void {
    if (this.listeners.size === 0) return;
    this.lastId += 1;
    const message: BusMessage = { id: this.lastId, event, data: JSON.stringify(build()) };
    for (const listener of this.listeners) listener(message);
  }
}
