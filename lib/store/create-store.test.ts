import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { ManualClock } from "@/lib/breaker";
import { LabHub } from "@/lib/lab/hub";
import { createStore } from "./create-store";
import { MemoryStore } from "./memory-store";
import { RedisStore } from "./redis-store";

const clock = new ManualClock(1_000);

describe("createStore", () => {
  it("keeps everything in memory without REDIS_URL, naming the instance host:port", () => {
    const store = createStore({ PORT: "3005" }, clock);
    expect(store).toBeInstanceOf(MemoryStore);
    expect(store.instance).toEqual({ id: `${hostname()}:3005`, store: "memory", storeUp: true });
    expect(createStore({ LAB_INSTANCE: " a ", REDIS_URL: " " }, clock).instance.id).toBe("a");
  });

  it("shares through Redis with REDIS_URL, down until it has connected", async () => {
    const store = createStore({ REDIS_URL: "redis://127.0.0.1:1", LAB_INSTANCE: "a" }, clock);
    expect(store).toBeInstanceOf(RedisStore);
    expect(store.instance).toEqual({ id: "a", store: "redis", storeUp: false });
    await store.close();
  });

  it.each([
    [{ REDIS_URL: "http://127.0.0.1:6379" }, /REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL, got "http:\/\/127.0.0.1:6379"/],
    [{ REDIS_URL: "redis://127.0.0.1:6379", LAB_REDIS_PREFIX: "" }, /LAB_REDIS_PREFIX must not be empty/],
  ])("refuses a malformed setting, naming it: %j", (env, message) => {
    expect(() => createStore(env, clock)).toThrow(message);
  });
});

describe("a hub on the memory store", () => {
  it("is an instance alone: its fleet is itself, its store always up", async () => {
    const hub = new LabHub({ caller: async () => ({ status: 200 }), clock, store: new MemoryStore("solo", clock) });
    clock.advance(500);
    const state = hub.state();
    expect(state.instance).toEqual({ id: "solo", store: "memory", storeUp: true });
    expect(state.instances).toEqual([{ id: "solo", seenAt: 1_500 }]);
    expect(hub.dashboardState()).toMatchObject({ instance: state.instance, instances: state.instances });
    await expect(hub.metrics.registry.getSingleMetricAsString("lab_store_up")).resolves.toMatch(/^lab_store_up 1$/m);
    await hub.close();
  });
});
