/**
 * The fault model of the lab's mock upstream endpoints: pure (config + random → outcome),
 * zero dependencies, runs in Node and browsers; and the scenarios that change it over time.
 *
 * @packageDocumentation
 */
export { createRandom, type RandomSource } from "./random";
export {
  applyEndpointPatch,
  defaultEndpoint,
  diffEndpoints,
  ENDPOINT_FIELDS,
  FAULT_KINDS,
  fullPatch,
  HANG_LIMIT_MS,
  MAX_CAPACITY,
  MAX_ERROR_STATUS,
  MAX_JITTER_MS,
  MAX_LATENCY_MS,
  MAX_RETRY_AFTER_S,
  MIN_ERROR_STATUS,
  type EndpointConfig,
  type EndpointPatch,
  type FaultKind,
} from "./endpoint";
export { decideOutcome, type MockOutcome, type MockOutcomeKind } from "./outcome";
export { applyPreset, ENDPOINT_PRESETS, matchPreset, PRESET_NAMES, type EndpointPreset, type PresetName } from "./presets";
export { SCENARIO_LIMITS, scenarioEndpoints, scenarioLength, type Scenario, type ScenarioPhase } from "./scenario";
export { SCENARIO_PRESETS, scenarioPreset } from "./scenario-presets";
