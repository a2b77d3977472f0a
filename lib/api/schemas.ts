import { z } from "zod";
import {
  FAULT_KINDS,
  MAX_CAPACITY,
  MAX_ERROR_STATUS,
  MAX_JITTER_MS,
  MAX_LATENCY_MS,
  MAX_RETRY_AFTER_S,
  MIN_ERROR_STATUS,
  SCENARIO_LIMITS,
  type FaultKind,
} from "@/lib/simulator";

// The dashboard's CSP forbids eval; without this, zod probes `new Function` on its first parse and
// the browser reports a violation (caught, but reported).
z.config({ jitless: true });

/**
 * The lab's request payloads, one schema each, shared by the route handlers (which parse every
 * body with them) and the browser (which checks forms with them before sending). Every schema is
 * strict: an unknown key is an error, never silently dropped.
 */

/** Names of breakers and endpoints. */
export const NAME_PATTERN = /^[a-z0-9-]{1,40}$/;

export const nameSchema = z.string({ error: "must be a string of 1-40 characters a-z, 0-9 or -" }).regex(NAME_PATTERN, {
  error: "must be 1-40 characters a-z, 0-9 or -",
});

function integer(min: number, max: number) {
  const error = `must be an integer from ${min} to ${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

function positiveNumber(max: number, unit = "") {
  const error = `must be a number > 0 and <= ${max}${unit}`;
  return z.number({ error }).gt(0, { error }).max(max, { error });
}

function boundedNumber(min: number, max: number, unit = "") {
  const error = `must be a number from ${min} to ${max}${unit}`;
  return z.number({ error }).min(min, { error }).max(max, { error });
}

function percent() {
  const error = "must be a percentage > 0 and <= 100";
  return z.number({ error }).gt(0, { error }).max(100, { error });
}

/**
 * Limits of the lab, tighter than the library's (which takes any finite value): they keep one
 * in-memory demo process responsive. Documented in the README.
 */
export const LAB_LIMITS = {
  maxCount: 1_000,
  maxConcurrency: 100,
  maxWindowSize: 10_000,
  maxWindowMs: 3_600_000,
  maxPeriodMs: 3_600_000,
  maxOpenCapMs: 86_400_000,
  maxCallMs: 60_000,
  maxThreshold: 10_000,
  maxTrials: 100,
  maxBackoff: 10,
  maxRetries: 5,
  maxRetryDelayMs: 10_000,
} as const;

const slidingWindowSchema = z.discriminatedUnion(
  "type",
  [
    z.strictObject({ type: z.literal("count"), size: integer(1, LAB_LIMITS.maxWindowSize) }),
    z.strictObject({ type: z.literal("time"), ms: positiveNumber(LAB_LIMITS.maxWindowMs, " ms") }),
  ],
  { error: 'must be { "type": "count", "size" } or { "type": "time", "ms" } or null' },
);

/**
 * A breaker's options as JSON can carry them: every option of the library but `name` (the lab's
 * name of the breaker), the predicates (the lab decides what fails) and `clock`. `null` means
 * "none" for `slidingWindow`, `slowCallMs` and `timeoutMs`.
 */
export const breakerOptionsSchema = z.strictObject({
  failureThreshold: integer(1, LAB_LIMITS.maxThreshold).optional(),
  slidingWindow: slidingWindowSchema.nullable().optional(),
  failureRateThreshold: percent().optional(),
  slowCallMs: positiveNumber(LAB_LIMITS.maxCallMs, " ms").nullable().optional(),
  slowCallRateThreshold: percent().optional(),
  minimumCalls: integer(1, LAB_LIMITS.maxThreshold).optional(),
  openMs: positiveNumber(LAB_LIMITS.maxPeriodMs, " ms").optional(),
  backoffMultiplier: boundedNumber(1, LAB_LIMITS.maxBackoff).optional(),
  maxOpenMs: positiveNumber(LAB_LIMITS.maxOpenCapMs, " ms").optional(),
  halfOpenMaxCalls: integer(1, LAB_LIMITS.maxTrials).optional(),
  successThreshold: integer(1, LAB_LIMITS.maxTrials).optional(),
  halfOpenPolicy: z.enum(["any-failure", "rates"], { error: 'must be "any-failure" or "rates"' }).optional(),
  maxHalfOpenMs: positiveNumber(LAB_LIMITS.maxPeriodMs, " ms").optional(),
  timeoutMs: positiveNumber(LAB_LIMITS.maxCallMs, " ms").nullable().optional(),
});
export type BreakerOptionsInput = z.infer<typeof breakerOptionsSchema>;

/** `POST /api/breakers`. */
export const createBreakerSchema = z.strictObject({
  name: nameSchema,
  endpoint: nameSchema,
  options: breakerOptionsSchema.optional(),
});
export type CreateBreakerInput = z.infer<typeof createBreakerSchema>;

/**
 * `POST /api/breakers/{name}/calls`. A failed or timed-out call is retried through the breaker up
 * to `retries` times, `retryDelayMs` apart.
 */
export const fireCallsSchema = z.strictObject({
  count: integer(1, LAB_LIMITS.maxCount).optional(),
  concurrency: integer(1, LAB_LIMITS.maxConcurrency).optional(),
  retries: integer(0, LAB_LIMITS.maxRetries).optional(),
  retryDelayMs: boundedNumber(0, LAB_LIMITS.maxRetryDelayMs, " ms").optional(),
});
export type FireCallsInput = z.infer<typeof fireCallsSchema>;

export const BREAKER_ACTIONS = ["reset", "forceOpen", "disable"] as const;
export type BreakerAction = (typeof BREAKER_ACTIONS)[number];

/** `POST /api/breakers/{name}/actions`. */
export const breakerActionSchema = z.strictObject({
  action: z.enum(BREAKER_ACTIONS, { error: `must be one of ${BREAKER_ACTIONS.map((action) => `"${action}"`).join(", ")}` }),
});

/** `PATCH /api/endpoints/{name}`: a partial fault model. */
export const endpointPatchSchema = z.strictObject({
  failureRate: boundedNumber(0, 1).optional(),
  errorStatus: integer(MIN_ERROR_STATUS, MAX_ERROR_STATUS).optional(),
  latencyMs: boundedNumber(0, MAX_LATENCY_MS, " ms").optional(),
  jitterMs: boundedNumber(0, MAX_JITTER_MS, " ms").optional(),
  fault: z.enum(FAULT_KINDS as readonly FaultKind[] as [FaultKind, ...FaultKind[]], { error: `must be one of ${FAULT_KINDS.map((kind) => `"${kind}"`).join(", ")}` }).optional(),
  capacity: integer(1, MAX_CAPACITY).nullable().optional(),
  retryAfterS: integer(0, MAX_RETRY_AFTER_S).nullable().optional(),
});
export type EndpointPatchInput = z.infer<typeof endpointPatchSchema>;

/**
 * A record's keys are checked against their pattern, but zod skips an own `__proto__` key (which
 * JSON.parse makes) instead of refusing it: refused here, so it is an error like any bad name.
 */
function refuseProtoKey(value: unknown, context: z.core.$RefinementCtx): unknown {
  if (typeof value === "object" && value !== null && Object.hasOwn(value, "__proto__")) {
    context.addIssue({ code: "custom", message: "must be 1-40 characters a-z, 0-9 or -", path: ["__proto__"], input: "__proto__" });
  }
  return value;
}

const scenarioPhaseSchema = z.strictObject({
  label: z.string({ error: "must be a string of at most 80 characters" }).max(80, { error: "must be at most 80 characters" }).optional(),
  forMs: boundedNumber(SCENARIO_LIMITS.minPhaseMs, SCENARIO_LIMITS.maxPhaseMs, " ms"),
  endpoints: z.preprocess(refuseProtoKey, z.record(nameSchema, endpointPatchSchema, { error: "must be an object of endpoint name → fault-model patch" })),
});

/**
 * A timed fault pattern (the `Scenario` of lib/simulator): the body of `POST /api/scenarios`, the
 * inline scenario of `POST /api/playback`, and what the dashboard imports. Which endpoints exist is
 * the lab's to check.
 */
export const scenarioSchema = z.strictObject({
  name: nameSchema,
  description: z.string({ error: "must be a string of at most 500 characters" }).max(500, { error: "must be at most 500 characters" }).optional(),
  seed: z.number({ error: "must be an integer" }).int({ error: "must be an integer" }).optional(),
  loop: z.boolean({ error: "must be true or false" }).optional(),
  phases: z
    .array(scenarioPhaseSchema, { error: `must be an array of 1 to ${SCENARIO_LIMITS.maxPhases} phases` })
    .min(1, { error: `must hold 1 to ${SCENARIO_LIMITS.maxPhases} phases` })
    .max(SCENARIO_LIMITS.maxPhases, { error: `must hold 1 to ${SCENARIO_LIMITS.maxPhases} phases` }),
});
export type ScenarioInput = z.infer<typeof scenarioSchema>;

/** `POST /api/playback`: a scenario by name (preset, saved or `recording`), or one inline. */
export const playbackSchema = z.strictObject({
  scenario: z.union([nameSchema, scenarioSchema], { error: "must be a scenario's name or a scenario object" }),
});
export type PlaybackInput = z.infer<typeof playbackSchema>;

/** `POST /api/reset`: no body, or an empty object. */
export const labResetSchema = z.strictObject({});

/** Bounds of a what-if run, so that one request cannot occupy a worker for minutes. */
export const WHATIF_LIMITS = { maxRps: 10_000, maxDurationMs: 3_600_000, maxInstances: 20, maxConfigs: 5, maxArrivals: 5_000_000 } as const;

const whatIfConfigSchema = z.strictObject({
  label: z.string({ error: "must be a string of 1 to 40 characters" }).min(1, { error: "must be 1 to 40 characters" }).max(40, { error: "must be 1 to 40 characters" }),
  options: breakerOptionsSchema,
});

/**
 * The input of a what-if run (`POST /api/whatif`, the /whatif page, `npm run whatif`): a scenario
 * inline or by name, the endpoint it protects, the traffic and 1-5 configs.
 */
export const whatIfInputSchema = z.strictObject({
  scenario: z.union([nameSchema, scenarioSchema], { error: "must be a scenario's name or a scenario object" }),
  endpoint: nameSchema,
  traffic: z.strictObject({
    rps: positiveNumber(WHATIF_LIMITS.maxRps),
    arrival: z.enum(["steady", "poisson"], { error: 'must be "steady" or "poisson"' }).optional(),
  }),
  durationMs: positiveNumber(WHATIF_LIMITS.maxDurationMs, " ms").optional(),
  seed: z.number({ error: "must be an integer" }).int({ error: "must be an integer" }).optional(),
  instances: integer(1, WHATIF_LIMITS.maxInstances).optional(),
  configs: z
    .array(whatIfConfigSchema, { error: `must be an array of 1 to ${WHATIF_LIMITS.maxConfigs} configs` })
    .min(1, { error: `must hold 1 to ${WHATIF_LIMITS.maxConfigs} configs` })
    .max(WHATIF_LIMITS.maxConfigs, { error: `must hold 1 to ${WHATIF_LIMITS.maxConfigs} configs` }),
});
export type WhatIfInputBody = z.infer<typeof whatIfInputSchema>;

/** The query of `GET /api/events`: `compact=1` asks for the dashboard's coalesced stream. */
export const eventsQuerySchema = z.strictObject({
  compact: z.enum(["0", "1"], { error: 'must be "0" or "1"' }).optional(),
});

/** The query of `GET /api/state`: `view=dashboard` asks for only what the dashboard draws. */
export const stateQuerySchema = z.strictObject({
  view: z.enum(["full", "dashboard"], { error: 'must be "full" or "dashboard"' }).optional(),
});
