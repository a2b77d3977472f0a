import { describe, expect, it } from "vitest";
import {
  applyEndpointPatch,
  defaultEndpoint,
  FAULT_KINDS,
  HANG_LIMIT_MS,
  MAX_ERROR_STATUS,
  MAX_JITTER_MS,
  MAX_LATENCY_MS,
  MIN_ERROR_STATUS,
  type EndpointConfig,
  type EndpointPatch,
} from "./endpoint";

describe("limits", () => {
  it("are the documented values", () => {
    expect(MAX_LATENCY_MS).toBe(60_000);
    expect(MAX_JITTER_MS).toBe(60_000);
    expect(HANG_LIMIT_MS).toBe(60_000);
    expect([MIN_ERROR_STATUS, MAX_ERROR_STATUS]).toEqual([500, 599]);
    expect(FAULT_KINDS).toEqual(["status", "reset", "hang", "slow-body", "malformed"]);
  });
});

describe("defaultEndpoint", () => {
  it("is healthy: never fails, 20 ± 10 ms, 503 if it ever does", () => {
    expect(defaultEndpoint("payments")).toEqual({
      name: "payments",
      failureRate: 0,
      errorStatus: 503,
      latencyMs: 20,
      jitterMs: 10,
      fault: "status",
      capacity: null,
      retryAfterS: null,
    });
  });

  it("returns a fresh object each time", () => {
    const a = defaultEndpoint("a");
    a.failureRate = 1;
    expect(defaultEndpoint("a").failureRate).toBe(0);
  });
});

describe("applyEndpointPatch", () => {
  const base: EndpointConfig = { name: "search", failureRate: 0.2, errorStatus: 502, latencyMs: 100, jitterMs: 5, fault: "reset", capacity: null, retryAfterS: null };

  it("changes exactly the patched fields", () => {
    expect(applyEndpointPatch(base, { failureRate: 1, fault: "hang" })).toEqual({ ...base, failureRate: 1, fault: "hang" });
    expect(applyEndpointPatch(base, { errorStatus: 599, latencyMs: 0, jitterMs: 0 })).toEqual({
      ...base,
      errorStatus: 599,
      latencyMs: 0,
      jitterMs: 0,
    });
  });

  it("applies zero values (not mistaken for missing)", () => {
    expect(applyEndpointPatch(base, { failureRate: 0, latencyMs: 0 })).toMatchObject({ failureRate: 0, latencyMs: 0 });
  });

  it("keeps a field whose patch value is undefined", () => {
    expect(applyEndpointPatch(base, { failureRate: undefined, latencyMs: 7 })).toEqual({ ...base, latencyMs: 7 });
  });

  it("returns a new object and does not mutate its input", () => {
    const input = { ...base };
    const patch: EndpointPatch = { failureRate: 1 };
    const result = applyEndpointPatch(input, patch);
    expect(result).not.toBe(input);
    expect(input).toEqual(base);
    expect(patch).toEqual({ failureRate: 1 });
    expect(applyEndpointPatch(input, {})).not.toBe(input);
  });

  it("never changes the name, even when an untyped patch carries one", () => {
    const sneaky = { name: "other", failureRate: 1 } as unknown as EndpointPatch;
    expect(applyEndpointPatch(base, sneaky)).toEqual({ ...base, failureRate: 1 });
  });

  it("ignores keys outside the fault model", () => {
    const extra = { latencyMs: 3, colour: "red" } as unknown as EndpointPatch;
    const result = applyEndpointPatch(base, extra);
    expect(result).toEqual({ ...base, latencyMs: 3 });
    expect(Object.keys(result).sort()).toEqual(["capacity", "errorStatus", "failureRate", "fault", "jitterMs", "latencyMs", "name", "retryAfterS"]);
  });
});
