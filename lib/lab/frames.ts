import { encodeTimeline, type CompactFrame, type DashboardState } from "@/lib/api/compact";
import type { Endpoint, LabBreaker, PlaybackStatus, TimelineEntry } from "@/lib/api/types";
import type { Clock } from "@/lib/breaker";
import { encodeSseMessage } from "./sse-message";
import { backgroundTimeout } from "./timers";

/**
 * At most one frame per this long. A transition does not wait for it: a trip reaches the badge
 * as soon as the event loop turns.
 */
export const FRAME_MS = 50;

/** What the frames are made of: the hub's current view of the lab. */
export interface FrameSource {
  dashboardState(): DashboardState;
  /** A breaker's snapshot now; undefined once it was deleted. */
  breaker(name: string): LabBreaker | undefined;
}

/** Receives the encoded SSE messages of the compact stream; every listener gets the same bytes. */
export type FrameListener = (bytes: Uint8Array) => void;

type Fields = Map<string, string>;

/**
 * The compact live stream (`/api/events?compact=1`), coalesced per frame for every client at once:
 * the calls and transitions of a frame, and for each breaker that changed only the fields of its
 * snapshot that differ from the previous frame. A frame is built and encoded once, whatever the
 * number of clients, and nothing is built while nobody listens.
 *
 * Every client holds the state the previous frame left (the baseline): a client that joins first
 * brings everyone to the present with a frame of its own and then gets its snapshot, so a field
 * that changes and changes back between two frames is never missed.
 */
export class FrameStream {
  private readonly listeners = new Set<FrameListener>();
  private entries: TimelineEntry[] = [];
  private readonly changed = new Set<string>();
  private readonly endpoints = new Map<string, Endpoint>();
  private playback: { status: PlaybackStatus | null } | undefined;
  private readonly baseline = new Map<string, Fields>();
  private timer: unknown;
  private timerUrgent = false;
  private lastFlushAt = -Infinity;
  private messageId = 0;

  constructor(
    private readonly source: FrameSource,
    private readonly clock: Clock,
  ) {}

  get listenerCount(): number {
    return this.listeners.size;
  }

  /** Start sending to `listener`: a snapshot first, then every frame. Returns the unsubscribe. */
  subscribe(listener: FrameListener): () => void {
    const state = this.source.dashboardState();
    this.flush(state.breakers);
    this.resetBaseline(state.breakers);
    listener(this.encode("snapshot", state));
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.clear();
    };
  }

  /** A breaker's event, with its timeline entry. */
  entry(entry: TimelineEntry): void {
    if (this.listeners.size === 0) return;
    this.entries.push(entry);
    this.changed.add(entry.breaker);
    this.schedule(entry.kind === "transition");
  }

  endpoint(endpoint: Endpoint): void {
    if (this.listeners.size === 0) return;
    this.endpoints.set(endpoint.name, endpoint);
    this.schedule(false);
  }

  playbackChanged(status: PlaybackStatus | null): void {
    if (this.listeners.size === 0) return;
    this.playback = { status };
    this.schedule(false);
  }

  /** The lab changed in a way frames do not describe (a reset, a new breaker): everyone gets a new snapshot. */
  replaced(): void {
    if (this.listeners.size === 0) return;
    this.clear();
    const state = this.source.dashboardState();
    this.resetBaseline(state.breakers);
    this.broadcast(this.encode("snapshot", state));
  }

  private schedule(urgent: boolean): void {
    if (this.timer !== undefined && (this.timerUrgent || !urgent)) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    const delay = urgent ? 0 : Math.max(0, this.lastFlushAt + FRAME_MS - this.clock.now());
    this.timerUrgent = urgent;
    this.timer = backgroundTimeout(this.clock, () => this.flush(), delay);
  }

  /** Send what changed since the previous frame; `current` compares every breaker instead of only those with events. */
  private flush(current?: readonly LabBreaker[]): void {
    this.cancelTimer();
    this.lastFlushAt = this.clock.now();
    const breakers: CompactFrame["breakers"] = {};
    let changes = 0;
    const snapshots = current ?? [...this.changed].map((name) => this.source.breaker(name)).filter((breaker) => breaker !== undefined);
    for (const snapshot of snapshots) {
      const delta = this.delta(snapshot);
      if (delta === undefined) continue;
      breakers[snapshot.name] = delta;
      changes += 1;
    }
    const frame: CompactFrame = { breakers, timeline: encodeTimeline(this.entries) };
    if (this.endpoints.size > 0) frame.endpoints = [...this.endpoints.values()];
    if (this.playback !== undefined) frame.playback = this.playback.status;
    const empty = changes === 0 && this.entries.length === 0 && this.endpoints.size === 0 && this.playback === undefined;
    this.entries = [];
    this.changed.clear();
    this.endpoints.clear();
    this.playback = undefined;
    if (!empty && this.listeners.size > 0) this.broadcast(this.encode("frame", frame));
  }

  /** The fields of `snapshot` that differ from the baseline, which then moves to them. */
  private delta(snapshot: LabBreaker): Partial<LabBreaker> | undefined {
    let fields = this.baseline.get(snapshot.name);
    if (!fields) this.baseline.set(snapshot.name, (fields = new Map()));
    let delta: Record<string, unknown> | undefined;
    for (const [key, value] of Object.entries(snapshot)) {
      const json = JSON.stringify(value);
      if (fields.get(key) === json) continue;
      fields.set(key, json);
      (delta ??= {})[key] = value;
    }
    return delta as Partial<LabBreaker> | undefined;
  }

  private resetBaseline(breakers: readonly LabBreaker[]): void {
    this.baseline.clear();
    for (const breaker of breakers) this.delta(breaker);
  }

  private encode(event: "snapshot" | "frame", data: unknown): Uint8Array {
    this.messageId += 1;
    return encodeSseMessage(this.messageId, event, JSON.stringify(data));
  }

  private broadcast(bytes: Uint8Array): void {
    for (const listener of this.listeners) listener(bytes);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerUrgent = false;
  }

  private clear(): void {
    this.cancelTimer();
    this.entries = [];
    this.changed.clear();
    this.endpoints.clear();
    this.playback = undefined;
  }
}
