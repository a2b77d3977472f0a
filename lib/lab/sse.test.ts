import { afterEach, describe, expect, it, vi } from "vitest";
import type { LabState } from "@/lib/api/types";
import { ManualClock } from "@/lib/breaker";
import { createRandom } from "@/lib/simulator";
import type { EndpointCaller } from "./caller";
import { LabHub } from "./hub";
import { eventStream, HEARTBEAT_MS } from "./sse";
import { tick } from "./test-helpers";

function setup(caller: EndpointCaller = async () => ({ status: 200 })) {
  const clock = new ManualClock(0);
  const hub = new LabHub({ caller, clock, random: createRandom(1) });
  return { hub, clock };
}

interface Frame {
  raw: string;
  id?: number;
  event?: string;
  data: string[];
  comments: string[];
}

function parseFrame(raw: string): Frame {
  const frame: Frame = { raw, data: [], comments: [] };
  for (const line of raw.split("\n")) {
    if (line.startsWith(":")) frame.comments.push(line);
    else if (line.startsWith("id: ")) frame.id = Number(line.slice(4));
    else if (line.startsWith("event: ")) frame.event = line.slice(7);
    else if (line.startsWith("data: ")) frame.data.push(line.slice(6));
    else throw new Error(`unexpected SSE line ${JSON.stringify(line)}`);
  }
  return frame;
}

/** Reads a text/event-stream body frame by frame (frames end with a blank line). */
class FrameReader {
  private buffer = "";
  private readonly decoder = new TextDecoder();
  readonly reader: ReadableStreamDefaultReader<Uint8Array>;

  constructor(response: Response) {
    this.reader = response.body!.getReader();
  }

  async next(): Promise<Frame> {
    for (;;) {
      const end = this.buffer.indexOf("\n\n");
      if (end >= 0) {
        const raw = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        return parseFrame(raw);
      }
      const { done, value } = await this.reader.read();
      if (done) throw new Error("the stream ended");
      this.buffer += this.decoder.decode(value, { stream: true });
    }
  }

  /** Whether the stream has ended (reads what is left). */
  async ended(): Promise<boolean> {
    const { done } = await this.reader.read();
    return done;
  }
}

async function sseClients(hub: LabHub): Promise<number> {
  const line = (await hub.metrics.render()).split("\n").find((candidate) => candidate.startsWith("lab_sse_clients "));
  return Number(line!.split(" ")[1]);
}

/** Whether anyone listens to the hub: a publish with no listener builds nothing and takes no id. */
function hasSubscriber(hub: LabHub): boolean {
  const before = hub.currentEventId;
  const current = hub.getEndpoint("inventory").latencyMs;
  hub.patchEndpoint("inventory", { latencyMs: current === 20 ? 21 : 20 });
  return hub.currentEventId !== before;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("eventStream", () => {
  it("answers an uncacheable, unbuffered text/event-stream", () => {
    const { hub } = setup();
    const client = new AbortController();
    const response = eventStream(hub, client.signal);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(response.headers.get("cache-control")).toBe("no-cache, no-transform");
    expect(response.headers.get("x-accel-buffering")).toBe("no");
    client.abort();
  });

  it("sends a `snapshot` event first: an id and one data line of the state JSON", async () => {
    const { hub, clock } = setup();
    clock.advance(1_234);
    hub.act("payments", "forceOpen");
    const client = new AbortController();
    const frames = new FrameReader(eventStream(hub, client.signal));
    const first = await frames.next();
    expect(first.event).toBe("snapshot");
    expect(first.id).toBe(hub.currentEventId);
    expect(first.data).toHaveLength(1);
    expect(first.raw.split("\n")).toHaveLength(3);
    const state = JSON.parse(first.data[0]!) as LabState;
    expect(state).toEqual(hub.state());
    expect(state.now).toBe(1_234);
    expect(state.breakers.find(({ name }) => name === "payments")?.state).toBe("FORCED_OPEN");
    expect(state.timeline).toHaveLength(1);
    client.abort();
  });

  it("gives the snapshot the id of the newest message, and later frames increasing ids", async () => {
    const { hub } = setup(async () => ({ status: 503 }));
    const unsubscribe = hub.subscribe(() => {});
    hub.patchEndpoint("search", { failureRate: 0.5 });
    hub.patchEndpoint("search", { failureRate: 0.25 });
    const client = new AbortController();
    const frames = new FrameReader(eventStream(hub, client.signal));
    const snapshot = await frames.next();
    expect(snapshot).toMatchObject({ event: "snapshot", id: 2 });
    hub.patchEndpoint("payments", { failureRate: 1 });
    await hub.fireCalls("payments", 3, 1);
    const later: { id?: number; event?: string; data: unknown }[] = [];
    for (let index = 0; index < 5; index++) {
      const frame = await frames.next();
      expect(frame.data).toHaveLength(1);
      later.push({ id: frame.id, event: frame.event, data: JSON.parse(frame.data[0]!) });
    }
    expect(later.map(({ id }) => id)).toEqual([3, 4, 5, 6, 7]);
    expect(later.map(({ event }) => event)).toEqual(["endpoint", "breaker", "breaker", "breaker", "breaker"]);
    expect(later[0]!.data).toEqual(hub.getEndpoint("payments"));
    expect(later[1]!.data).toMatchObject({ type: "failure", breaker: "payments", error: { name: "HttpStatus", message: "503" } });
    expect(later[4]!.data).toMatchObject({ type: "state", from: "CLOSED", to: "OPEN", snapshot: { state: "OPEN", endpoint: "payments" } });
    client.abort();
    unsubscribe();
  });

  it("sends a `snapshot` event after create, configure, delete and reset", async () => {
    const { hub } = setup();
    const client = new AbortController();
    const frames = new FrameReader(eventStream(hub, client.signal));
    await frames.next();
    hub.createBreaker({ name: "extra", endpoint: "search" });
    const created = await frames.next();
    expect(created.event).toBe("snapshot");
    expect((JSON.parse(created.data[0]!) as LabState).breakers.map(({ name }) => name)).toContain("extra");
    hub.resetLab();
    const reset = await frames.next();
    expect(reset.event).toBe("snapshot");
    expect(JSON.parse(reset.data[0]!)).toEqual(hub.state());
    client.abort();
  });

  it("unsubscribes when the request's signal aborts, and counts the client in lab_sse_clients meanwhile", async () => {
    const { hub } = setup();
    expect(await sseClients(hub)).toBe(0);
    const client = new AbortController();
    const frames = new FrameReader(eventStream(hub, client.signal));
    await frames.next();
    expect(await sseClients(hub)).toBe(1);
    expect(hasSubscriber(hub)).toBe(true);
    client.abort();
    expect(hasSubscriber(hub)).toBe(false);
    expect(await sseClients(hub)).toBe(0);
    // What was queued before the abort may still be read; then the stream ends.
    let ended = false;
    for (let index = 0; index < 5 && !ended; index++) ended = await frames.ended();
    expect(ended).toBe(true);
  });

  it("unsubscribes when the body is cancelled, exactly once", async () => {
    const { hub } = setup();
    const client = new AbortController();
    const frames = new FrameReader(eventStream(hub, client.signal));
    await frames.next();
    expect(await sseClients(hub)).toBe(1);
    await frames.reader.cancel();
    expect(hasSubscriber(hub)).toBe(false);
    expect(await sseClients(hub)).toBe(0);
    client.abort(); // the request ending afterwards counts nothing twice
    expect(await sseClients(hub)).toBe(0);
  });

  it("counts each open stream", async () => {
    const { hub } = setup();
    const first = new AbortController();
    const second = new AbortController();
    const a = new FrameReader(eventStream(hub, first.signal));
    const b = new FrameReader(eventStream(hub, second.signal));
    await Promise.all([a.next(), b.next()]);
    expect(await sseClients(hub)).toBe(2);
    first.abort();
    expect(await sseClients(hub)).toBe(1);
    expect(hasSubscriber(hub)).toBe(true);
    second.abort();
    expect(await sseClients(hub)).toBe(0);
    expect(hasSubscriber(hub)).toBe(false);
  });

  it("closes at once for a request already aborted", async () => {
    const { hub } = setup();
    const client = new AbortController();
    client.abort();
    const response = eventStream(hub, client.signal);
    expect(await sseClients(hub)).toBe(0);
    expect(hasSubscriber(hub)).toBe(false);
    await response.body?.cancel();
  });

  it("delivers a burst of messages in order, without loss", async () => {
    const { hub } = setup();
    const client = new AbortController();
    const frames = new FrameReader(eventStream(hub, client.signal));
    await frames.next();
    for (let index = 1; index <= 50; index++) hub.patchEndpoint("payments", { latencyMs: index });
    const ids: number[] = [];
    const latencies: number[] = [];
    for (let index = 0; index < 50; index++) {
      const frame = await frames.next();
      ids.push(frame.id!);
      latencies.push((JSON.parse(frame.data[0]!) as { latencyMs: number }).latencyMs);
    }
    expect(ids).toEqual(Array.from({ length: 50 }, (_, index) => index + 1));
    expect(latencies).toEqual(Array.from({ length: 50 }, (_, index) => index + 1));
    client.abort();
  });

  it(`sends a \`: ping\` comment every ${HEARTBEAT_MS / 1000} s`, async () => {
    expect(HEARTBEAT_MS).toBe(15_000);
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const { hub } = setup();
    const client = new AbortController();
    const frames = new FrameReader(eventStream(hub, client.signal));
    await frames.next();
    vi.advanceTimersByTime(HEARTBEAT_MS - 1);
    await tick();
    hub.patchEndpoint("payments", { failureRate: 1 });
    expect((await frames.next()).event).toBe("endpoint"); // no ping came before it
    vi.advanceTimersByTime(1);
    const ping = await frames.next();
    expect(ping.raw).toBe(": ping");
    expect(ping.id).toBeUndefined();
    vi.advanceTimersByTime(HEARTBEAT_MS);
    expect((await frames.next()).raw).toBe(": ping");
    client.abort();
    expect(vi.getTimerCount()).toBe(0);
  });
});
