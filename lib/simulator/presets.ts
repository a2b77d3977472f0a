import { applyEndpointPatch, type EndpointConfig, type EndpointPatch } from "./endpoint";

/** The fault-model presets the UI offers. */
export type PresetName = "healthy" | "down" | "flaky" | "slow" | "hanging";

/** One preset: what the UI shows and the fields it sets. */
export interface EndpointPreset {
  /** The button text. */
  readonly label: string;
  /** A one-line explanation, for a tooltip. */
  readonly description: string;
  /** The fields the preset sets; the others keep their current values. */
  readonly patch: Readonly<EndpointPatch>;
}

/** Every {@link PresetName}, in the order the UI shows them. */
export const PRESET_NAMES: readonly PresetName[] = Object.freeze(["healthy", "down", "flaky", "slow", "hanging"]);

/**
 * The presets. Each patch sets only the fields that define the preset, so e.g. Down keeps the
 * endpoint's latency and Slow keeps its fault kind. Frozen, because every caller shares them.
 */
export const ENDPOINT_PRESETS: Readonly<Record<PresetName, EndpointPreset>> = Object.freeze({
  healthy: Object.freeze({
    label: "Healthy",
    description: "Never fails; answers in 20 ± 10 ms, without a capacity limit or Retry-After.",
    patch: Object.freeze({ failureRate: 0, latencyMs: 20, jitterMs: 10, fault: "status" as const, capacity: null, retryAfterS: null }),
  }),
  down: Object.freeze({
    label: "Down",
    description: "Every request fails with 503 Service Unavailable.",
    patch: Object.freeze({ failureRate: 1, fault: "status" as const, errorStatus: 503 }),
  }),
  flaky: Object.freeze({
    label: "Flaky (50 %)",
    description: "Half the requests fail with 500 Internal Server Error.",
    patch: Object.freeze({ failureRate: 0.5, fault: "status" as const, errorStatus: 500 }),
  }),
  slow: Object.freeze({
    label: "Slow (1.5 s)",
    description: "Never fails, but answers in 1500 ± 200 ms.",
    patch: Object.freeze({ failureRate: 0, latencyMs: 1500, jitterMs: 200 }),
  }),
  hanging: Object.freeze({
    label: "Hanging",
    description: "Every request hangs without an answer until the caller gives up (at most 60 s).",
    patch: Object.freeze({ failureRate: 1, fault: "hang" as const }),
  }),
});

/**
 * A copy of `config` with the preset applied (the name is kept).
 *
 * @param config - The current fault model.
 * @param preset - Which preset.
 * @returns A new config object.
 */
export function applyPreset(config: EndpointConfig, preset: PresetName): EndpointConfig {
  return applyEndpointPatch(config, ENDPOINT_PRESETS[preset].patch);
}

/**
 * Which preset `config` currently equals, so the UI can highlight it.
 *
 * The rule: a config matches a preset when every field the preset's patch sets has exactly
 * that value; fields the patch leaves alone are not compared. So Healthy needs failureRate 0,
 * latency 20, jitter 10, fault "status" and neither capacity nor Retry-After; Down needs failureRate 1, fault "status" and 503
 * (any latency); Flaky needs 0.5, "status" and 500; Slow needs failureRate 0, latency 1500 and
 * jitter 200 (any fault, since nothing fails); Hanging needs failureRate 1 and fault "hang".
 * The presets' patches are pairwise contradictory, so at most one can match.
 *
 * @param config - The current fault model.
 * @returns The matching preset's name, or `null` for a custom config.
 */
export function matchPreset(config: EndpointConfig): PresetName | null {
  return PRESET_NAMES.find((name) => patchHolds(config, ENDPOINT_PRESETS[name].patch)) ?? null;
}

function patchHolds(config: EndpointConfig, patch: Readonly<EndpointPatch>): boolean {
  return (Object.keys(patch) as (keyof EndpointPatch)[]).every((field) => config[field] === patch[field]);
}
