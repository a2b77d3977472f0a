/**
 * The fault model of the lab's mock upstream endpoints: pure (config + random → outcome),
 * zero dependencies, runs in Node and browsers.
 *
 * @packageDocumentation
 */
export { createRandom, type RandomSource } from "./random";
export {
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
  type FaultKind,
} from "./endpoint";
export { decideOutcome, type MockOutcome } from "./outcome";
export { applyPreset, ENDPOINT_PRESETS, matchPreset, PRESET_NAMES, type EndpointPreset, type PresetName } from "./presets";
