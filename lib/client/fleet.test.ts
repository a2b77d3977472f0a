import { describe, expect, it } from "vitest";
import type { FleetMember, InstanceInfo } from "@/lib/api/types";
import { describeInstance, FLEET_WINDOW_S, fleetMembers, formatAgo } from "./fleet";

const NOW = 1_700_000_000_000;

const memory: InstanceInfo = { id: "127.0.0.1:3000", store: "memory", storeUp: true };
const redis: InstanceInfo = { id: "b", store: "redis", storeUp: true };

describe("describeInstance", () => {
  it("names the instance and where it keeps its state", () => {
    expect(describeInstance(memory)).toBe("Instance 127.0.0.1:3000 · in memory");
    expect(describeInstance({ id: "a", store: "redis", storeUp: true })).toBe("Instance a · Redis");
    // The store's condition is the banner's to tell.
    expect(describeInstance({ id: "a", store: "redis", storeUp: false })).toBe("Instance a · Redis");
  });
});

describe("fleetMembers", () => {
  it("in memory shows the instance alone", () => {
    expect(fleetMembers({ instance: memory, instances: [{ id: memory.id, seenAt: NOW }] }, NOW)).toEqual([{ id: memory.id, ago: 0, current: true }]);
    // Whatever else the list holds: in memory there is no one to share with.
    expect(fleetMembers({ instance: memory, instances: [{ id: "other", seenAt: NOW }] }, NOW)).toEqual([{ id: memory.id, ago: 0, current: true }]);
  });

  it("with Redis lists the three members sorted by id, the current one marked, ages rounded", () => {
    const instances: FleetMember[] = [
      { id: "c", seenAt: NOW - 4_600 },
      { id: "a", seenAt: NOW - 1_499 },
      { id: "b", seenAt: NOW - 2_500 },
    ];
    expect(fleetMembers({ instance: redis, instances }, NOW)).toEqual([
      { id: "a", ago: 1, current: false },
      { id: "b", ago: 3, current: true },
      { id: "c", ago: 5, current: false },
    ]);
  });

  it("sorts by code unit, the same in every locale", () => {
    const instances = ["b", "B", "a:2", "a:10"].map((id) => ({ id, seenAt: NOW }));
    expect(fleetMembers({ instance: { ...redis, id: "a:2" }, instances }, NOW).map(({ id }) => id)).toEqual(["B", "a:10", "a:2", "b"]);
  });

  it("never shows an age below zero nor beyond the fleet's window", () => {
    const instances: FleetMember[] = [
      { id: "b", seenAt: NOW + 2_000 },
      { id: "z", seenAt: NOW - 60_000 },
    ];
    expect(fleetMembers({ instance: redis, instances }, NOW).map(({ ago }) => ago)).toEqual([0, FLEET_WINDOW_S]);
  });

  it("keeps the current instance even when the list lacks it, and one row per id", () => {
    const instances: FleetMember[] = [
      { id: "a", seenAt: NOW - 5_000 },
      { id: "a", seenAt: NOW - 1_000 },
    ];
    expect(fleetMembers({ instance: redis, instances }, NOW)).toEqual([
      { id: "a", ago: 1, current: false },
      { id: "b", ago: 0, current: true },
    ]);
    expect(fleetMembers({ instance: redis, instances: [] }, NOW)).toEqual([{ id: "b", ago: 0, current: true }]);
  });
});

describe("formatAgo", () => {
  it("says how long ago in whole seconds, capped at the window", () => {
    expect(formatAgo(0)).toBe("just now");
    expect(formatAgo(2)).toBe("2 s ago");
    expect(formatAgo(9)).toBe("9 s ago");
    expect(formatAgo(FLEET_WINDOW_S)).toBe("≤10 s ago");
  });
});
