import { z } from "zod";
import { FAULT_KINDS, MAX_ERROR_STATUS, MAX_JITTER_MS, MAX_LATENCY_MS, MIN_ERROR_STATUS, type FaultKind } from "@/lib/simulator";

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

/** `POST /api/breakers/{name}/calls`. */
export const fireCallsSchema = z.strictObject({
  count: integer(1, LAB_LIMITS.maxCount).optional(),
  concurrency: integer(1, LAB_LIMITS.maxConcurrency).optional(),
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
});
export type EndpointPatchInput = z.infer<typeof endpointPatchSchema>;

/** `POST /api/reset`: no body, or an empty object. */
export const labResetSchema = z.strictObject({});
