import { realClock } from "./clock";
import type { BreakerOptions, Clock, ResolvedOptions, SlidingWindowOptions } from "./types";

/** Everything a breaker runs on: the resolved options plus the functions they may carry. */
export interface Settings extends ResolvedOptions {
  isFailure: ((error: unknown) => unknown) | undefined;
  isResultFailure: ((result: unknown) => unknown) | undefined;
  clock: Clock;
  /** False while `maxOpenMs` follows `openMs`. */
  maxOpenMsExplicit: boolean;
}

const MAX_OPEN_FACTOR = 32;

const DEFAULTS = {
  name: "breaker",
  failureThreshold: 5,
  slidingWindow: null,
  failureRateThreshold: 50,
  slowCallMs: null,
  slowCallRateThreshold: 100,
  minimumCalls: 10,
  openMs: 30_000,
  backoffMultiplier: 1,
  halfOpenMaxCalls: 1,
  successThreshold: 1,
  maxHalfOpenMs: 60_000,
  timeoutMs: null,
} as const satisfies Omit<ResolvedOptions, "maxOpenMs">;

/** A short, readable rendering of a bad value for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return "an array";
  return typeof value === "function" ? "a function" : "an object";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function requireNumber(key: string, value: unknown): number {
  if (typeof value !== "number") throw new TypeError(`${key} must be a number, got ${describeValue(value)}`);
  return value;
}

function integerAtLeastOne(key: string, value: unknown): number {
  const number = requireNumber(key, value);
  if (!Number.isInteger(number) || number < 1) throw new RangeError(`${key} must be an integer >= 1, got ${number}`);
  return number;
}

function positive(key: string, value: unknown): number {
  const number = requireNumber(key, value);
  if (!Number.isFinite(number) || number <= 0) throw new RangeError(`${key} must be a finite number > 0, got ${number}`);
  return number;
}

function positiveOrNull(key: string, value: unknown): number | null {
  return value === null ? null : positive(key, value);
}

function percent(key: string, value: unknown): number {
  const number = requireNumber(key, value);
  if (!Number.isFinite(number) || number <= 0 || number > 100) {
    throw new RangeError(`${key} must be a number in (0, 100], got ${number}`);
  }
  return number;
}

function multiplier(key: string, value: unknown): number {
  const number = requireNumber(key, value);
  if (!Number.isFinite(number) || number < 1) throw new RangeError(`${key} must be a finite number >= 1, got ${number}`);
  return number;
}

function nonEmptyString(key: string, value: unknown): string {
  if (typeof value !== "string") throw new TypeError(`${key} must be a non-empty string, got ${describeValue(value)}`);
  if (value.length === 0) throw new RangeError(`${key} must be a non-empty string, got ""`);
  return value;
}

function predicate(key: string, value: unknown): (input: unknown) => unknown {
  if (typeof value !== "function") throw new TypeError(`${key} must be a function, got ${describeValue(value)}`);
  return value as (input: unknown) => unknown;
}

function clock(key: string, value: unknown): Clock {
  if (
    !isRecord(value) ||
    typeof value.now !== "function" ||
    typeof value.setTimeout !== "function" ||
    typeof value.clearTimeout !== "function"
  ) {
    throw new TypeError(`${key} must be an object with now(), setTimeout() and clearTimeout() functions, got ${describeValue(value)}`);
  }
  return value as unknown as Clock;
}

const WINDOW_KEYS = { count: ["type", "size"], time: ["type", "ms"] } as const;

function slidingWindow(key: string, value: unknown): SlidingWindowOptions | null {
  if (value === null) return null;
  if (!isRecord(value)) {
    throw new TypeError(`${key} must be { type: "count", size } or { type: "time", ms } or null, got ${describeValue(value)}`);
  }
  const type = value.type;
  if (type !== "count" && type !== "time") {
    throw new TypeError(`${key}.type must be "count" or "time", got ${describeValue(type)}`);
  }
  const allowed: readonly string[] = WINDOW_KEYS[type];
  for (const inner of Object.keys(value)) {
    if (!allowed.includes(inner)) {
      throw new TypeError(`Unknown key "${inner}" in ${key}: a ${type} window takes only ${allowed.join(" and ")}`);
    }
  }
  return type === "count"
    ? { type, size: integerAtLeastOne(`${key}.size`, value.size) }
    : { type, ms: positive(`${key}.ms`, value.ms) };
}

type Parsers = { [K in keyof BreakerOptions]-?: (key: string, value: unknown) => unknown };

const PARSERS: Parsers = {
  name: nonEmptyString,
  failureThreshold: integerAtLeastOne,
  slidingWindow,
  failureRateThreshold: percent,
  slowCallMs: positiveOrNull,
  slowCallRateThreshold: percent,
  minimumCalls: integerAtLeastOne,
  openMs: positive,
  backoffMultiplier: multiplier,
  maxOpenMs: positive,
  halfOpenMaxCalls: integerAtLeastOne,
  successThreshold: integerAtLeastOne,
  maxHalfOpenMs: positive,
  timeoutMs: positiveOrNull,
  isFailure: predicate,
  isResultFailure: predicate,
  clock,
};

/** Every option a breaker takes. */
export const OPTION_NAMES = Object.keys(PARSERS) as (keyof BreakerOptions)[];

function defaultMaxOpenMs(openMs: number): number {
  return Math.min(openMs * MAX_OPEN_FACTOR, Number.MAX_VALUE);
}

/** The settings of a breaker constructed with no options. */
export function defaultSettings(): Settings {
  return {
    ...DEFAULTS,
    maxOpenMs: defaultMaxOpenMs(DEFAULTS.openMs),
    isFailure: undefined,
    isResultFailure: undefined,
    clock: realClock,
    maxOpenMsExplicit: false,
  };
}

/**
 * Validate `patch` whole and return the settings it produces over `base`, or throw a TypeError or
 * RangeError naming the first bad option. Nothing is applied unless everything is valid.
 */
export function applyOptions(base: Settings, patch: unknown, context: "constructor" | "configure"): Settings {
  if (patch === undefined && context === "constructor") return base;
  if (!isRecord(patch)) throw new TypeError(`options must be an object, got ${describeValue(patch)}`);
  const next: Settings = { ...base };
  const fields = next as unknown as Record<string, unknown>;
  for (const key of Object.keys(patch)) {
    if (!Object.hasOwn(PARSERS, key)) {
      throw new TypeError(`Unknown option "${key}"; valid options are ${OPTION_NAMES.join(", ")}`);
    }
    const value = patch[key];
    // Timers already set run on the breaker's clock: it cannot change, not even back to the default.
    if (key === "clock" && context === "configure" && (value ?? realClock) !== base.clock) {
      throw new TypeError("clock cannot be changed by configure(); create a new breaker with the other clock");
    }
    if (key === "maxOpenMs") next.maxOpenMsExplicit = value !== undefined;
    if (value === undefined) {
      fields[key] = key === "clock" ? realClock : key in DEFAULTS ? DEFAULTS[key as keyof typeof DEFAULTS] : undefined;
    } else {
      fields[key] = PARSERS[key as keyof Parsers](key, value);
    }
  }
  if (!next.maxOpenMsExplicit) {
    next.maxOpenMs = defaultMaxOpenMs(next.openMs);
  } else if (next.maxOpenMs < next.openMs) {
    throw new RangeError(`maxOpenMs must be >= openMs (${next.openMs}), got ${next.maxOpenMs}`);
  }
  return next;
}

/** The options part of a snapshot: resolved values, no functions, copies of nested objects. */
export function resolvedOptions(settings: Settings): ResolvedOptions {
  return {
    name: settings.name,
    failureThreshold: settings.failureThreshold,
    slidingWindow: settings.slidingWindow && { ...settings.slidingWindow },
    failureRateThreshold: settings.failureRateThreshold,
    slowCallMs: settings.slowCallMs,
    slowCallRateThreshold: settings.slowCallRateThreshold,
    minimumCalls: settings.minimumCalls,
    openMs: settings.openMs,
    backoffMultiplier: settings.backoffMultiplier,
    maxOpenMs: settings.maxOpenMs,
    halfOpenMaxCalls: settings.halfOpenMaxCalls,
    successThreshold: settings.successThreshold,
    maxHalfOpenMs: settings.maxHalfOpenMs,
    timeoutMs: settings.timeoutMs,
  };
}

/** Whether two window options describe the same window (so a reconfigured breaker keeps its calls). */
export function sameWindow(a: SlidingWindowOptions | null, b: SlidingWindowOptions | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.type === "count") return b.type === "count" && a.size === b.size;
  return b.type === "time" && a.ms === b.ms;
}
