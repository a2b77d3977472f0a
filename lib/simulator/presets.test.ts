import { describe, expect, it } from "vitest";
import { defaultEndpoint, type EndpointConfig } from "./endpoint";
import { decideOutcome } from "./outcome";
import { applyPreset, ENDPOINT_PRESETS, matchPreset, PRESET_NAMES, type PresetName } from "./presets";
import { createRandom } from "./random";

/** A config that matches no preset, with every field away from every preset's values. */
const custom: EndpointConfig = { name: "custom", failureRate: 0.25, errorStatus: 502, latencyMs: 75, jitterMs: 5, fault: "reset", capacity: null, retryAfterS: null };

describe("ENDPOINT_PRESETS", () => {
  it("lists the five presets in UI order with their labels", () => {
    expect(PRESET_NAMES).toEqual(["healthy", "down", "flaky", "slow", "hanging"]);
    expect(Object.keys(ENDPOINT_PRESETS).sort()).toEqual([...PRESET_NAMES].sort());
    expect(PRESET_NAMES.map((name) => ENDPOINT_PRESETS[name].label)).toEqual([
      "Healthy",
      "Down",
      "Flaky (50 %)",
      "Slow (1.5 s)",
      "Hanging",
    ]);
    for (const name of PRESET_NAMES) expect(ENDPOINT_PRESETS[name].description.length).toBeGreaterThan(0);
  });

  it("sets exactly the documented fields", () => {
    expect(ENDPOINT_PRESETS.healthy.patch).toEqual({ failureRate: 0, latencyMs: 20, jitterMs: 10, fault: "status", capacity: null, retryAfterS: null });
    expect(ENDPOINT_PRESETS.down.patch).toEqual({ failureRate: 1, fault: "status", errorStatus: 503 });
    expect(ENDPOINT_PRESETS.flaky.patch).toEqual({ failureRate: 0.5, fault: "status", errorStatus: 500 });
    expect(ENDPOINT_PRESETS.slow.patch).toEqual({ failureRate: 0, latencyMs: 1500, jitterMs: 200 });
    expect(ENDPOINT_PRESETS.hanging.patch).toEqual({ failureRate: 1, fault: "hang" });
  });

  it("is frozen, so no caller can change a preset for everyone", () => {
    expect(Object.isFrozen(ENDPOINT_PRESETS)).toBe(true);
    for (const name of PRESET_NAMES) {
      expect(Object.isFrozen(ENDPOINT_PRESETS[name])).toBe(true);
      expect(Object.isFrozen(ENDPOINT_PRESETS[name].patch)).toBe(true);
    }
  });
});

describe("applyPreset", () => {
  it("applies the patch, keeps the name and the fields the preset leaves alone", () => {
    expect(applyPreset(custom, "down")).toEqual({ ...custom, failureRate: 1, fault: "status", errorStatus: 503 });
    expect(applyPreset(custom, "slow")).toEqual({ ...custom, failureRate: 0, latencyMs: 1500, jitterMs: 200 });
    expect(applyPreset(custom, "hanging")).toEqual({ ...custom, failureRate: 1, fault: "hang" });
    expect(applyPreset(custom, "healthy")).toEqual({ ...custom, failureRate: 0, latencyMs: 20, jitterMs: 10, fault: "status" });
    expect(applyPreset(custom, "flaky")).toEqual({ ...custom, failureRate: 0.5, fault: "status", errorStatus: 500 });
  });

  it("does not mutate the input", () => {
    const input = { ...custom };
    applyPreset(input, "down");
    expect(input).toEqual(custom);
  });

  it("Healthy brings back the default endpoint", () => {
    expect(applyPreset(applyPreset(defaultEndpoint("x"), "down"), "healthy")).toEqual(defaultEndpoint("x"));
  });

  it("gives the advertised behaviour", () => {
    const kinds = (preset: PresetName) => {
      const config = applyPreset(custom, preset);
      const random = createRandom(11);
      const outcomes = Array.from({ length: 1000 }, () => decideOutcome(config, random));
      return { kinds: new Set(outcomes.map((outcome) => outcome.kind)), outcomes };
    };
    expect(kinds("healthy").kinds).toEqual(new Set(["ok"]));
    expect(kinds("slow").kinds).toEqual(new Set(["ok"]));
    expect(kinds("slow").outcomes.every((o) => o.delayMs >= 1300 && o.delayMs < 1700)).toBe(true);
    expect(kinds("down").outcomes.every((o) => o.kind === "status" && o.status === 503)).toBe(true);
    expect(kinds("hanging").kinds).toEqual(new Set(["hang"]));
    expect(kinds("flaky").kinds).toEqual(new Set(["ok", "status"]));
  });
});

describe("matchPreset", () => {
  it("recognises each preset applied to any config", () => {
    for (const name of PRESET_NAMES) {
      expect(matchPreset(applyPreset(custom, name))).toBe(name);
      expect(matchPreset(applyPreset(defaultEndpoint("x"), name))).toBe(name);
    }
  });

  it("sees the default endpoint as Healthy", () => {
    expect(matchPreset(defaultEndpoint("payments"))).toBe("healthy");
  });

  it("returns null for a custom config", () => {
    expect(matchPreset(custom)).toBeNull();
  });

  it("Healthy needs failureRate 0, latency 20, jitter 10 and fault status; errorStatus is free", () => {
    const healthy = applyPreset(custom, "healthy");
    expect(matchPreset({ ...healthy, errorStatus: 599 })).toBe("healthy");
    expect(matchPreset({ ...healthy, failureRate: 0.01 })).toBeNull();
    expect(matchPreset({ ...healthy, latencyMs: 21 })).toBeNull();
    expect(matchPreset({ ...healthy, jitterMs: 0 })).toBeNull();
    expect(matchPreset({ ...healthy, fault: "reset" })).toBeNull();
  });

  it("Down needs failureRate 1, fault status and 503; latency is free", () => {
    const down = applyPreset(custom, "down");
    expect(matchPreset({ ...down, latencyMs: 5000, jitterMs: 0 })).toBe("down");
    expect(matchPreset({ ...down, errorStatus: 500 })).toBeNull();
    expect(matchPreset({ ...down, failureRate: 0.99 })).toBeNull();
    expect(matchPreset({ ...down, fault: "reset" })).toBeNull();
  });

  it("Flaky needs exactly 0.5, fault status and 500", () => {
    const flaky = applyPreset(custom, "flaky");
    expect(matchPreset({ ...flaky, latencyMs: 1 })).toBe("flaky");
    expect(matchPreset({ ...flaky, failureRate: 0.51 })).toBeNull();
    expect(matchPreset({ ...flaky, errorStatus: 503 })).toBeNull();
  });

  it("Slow needs failureRate 0, latency 1500 and jitter 200; fault and errorStatus are free", () => {
    const slow = applyPreset(custom, "slow");
    expect(matchPreset({ ...slow, fault: "hang", errorStatus: 599 })).toBe("slow");
    expect(matchPreset({ ...slow, jitterMs: 0 })).toBeNull();
    expect(matchPreset({ ...slow, failureRate: 0.5 })).toBeNull();
  });

  it("Hanging needs failureRate 1 and fault hang; latency and errorStatus are free", () => {
    const hanging = applyPreset(custom, "hanging");
    expect(matchPreset({ ...hanging, latencyMs: 0, errorStatus: 500 })).toBe("hanging");
    expect(matchPreset({ ...hanging, failureRate: 0.5 })).toBeNull();
    expect(matchPreset({ ...hanging, fault: "status" })).toBeNull();
  });

  it("never matches more than one preset: the patches contradict each other pairwise", () => {
    for (const a of PRESET_NAMES) {
      for (const b of PRESET_NAMES) {
        if (a === b) continue;
        const pa = ENDPOINT_PRESETS[a].patch as Record<string, unknown>;
        const pb = ENDPOINT_PRESETS[b].patch as Record<string, unknown>;
        const clash = Object.keys(pa).some((key) => key in pb && pa[key] !== pb[key]);
        expect(clash, `${a} vs ${b}`).toBe(true);
      }
    }
  });
});
