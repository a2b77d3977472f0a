import { describe, expect, it, vi } from "vitest";
import { EventBus, type BusMessage } from "./event-bus";

describe("EventBus", () => {
  it("builds nothing and takes no id when nobody listens", () => {
    const bus = new EventBus();
    const build = vi.fn(() => ({ a: 1 }));
    bus.publish("breaker", build);
    bus.publish("snapshot", build);
    expect(build).not.toHaveBeenCalled();
    expect(bus.currentId).toBe(0);
    expect(bus.subscriberCount).toBe(0);
  });

  it("builds each message once for every listener, with increasing ids", () => {
    const bus = new EventBus();
    const first: BusMessage[] = [];
    const second: BusMessage[] = [];
    bus.subscribe((message) => first.push(message));
    bus.subscribe((message) => second.push(message));
    const build = vi.fn(() => ({ n: build.mock.calls.length }));
    bus.publish("breaker", build);
    bus.publish("endpoint", build);
    expect(build).toHaveBeenCalledTimes(2);
    expect(first).toEqual([
      { id: 1, event: "breaker", data: '{"n":1}' },
      { id: 2, event: "endpoint", data: '{"n":2}' },
    ]);
    expect(second).toEqual(first);
    expect(second[0]).toBe(first[0]);
    expect(bus.currentId).toBe(2);
  });

  it("stops delivering after unsubscribe, and unsubscribing twice is harmless", () => {
    const bus = new EventBus();
    const listener = vi.fn();
    const unsubscribe = bus.subscribe(listener);
    expect(bus.subscriberCount).toBe(1);
    bus.publish("snapshot", () => 1);
    unsubscribe();
    unsubscribe();
    expect(bus.subscriberCount).toBe(0);
    const build = vi.fn(() => 2);
    bus.publish("snapshot", build);
    expect(listener).toHaveBeenCalledOnce();
    expect(build).not.toHaveBeenCalled();
  });

  it("keeps ids increasing across quiet periods", () => {
    const bus = new EventBus();
    const unsubscribe = bus.subscribe(() => {});
    bus.publish("breaker", () => 1);
    unsubscribe();
    bus.publish("breaker", () => 2);
    const seen: number[] = [];
    bus.subscribe(({ id }) => seen.push(id));
    bus.publish("breaker", () => 3);
    expect(seen).toEqual([2]);
  });
});
