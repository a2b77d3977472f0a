import { realClock } from "./clock";
import { parsePersistedState } from "./persisted-state";
import type { BreakerOptions, Clock, HalfOpenPolicy, PersistedState, SlidingWindowOptions, TrialGate } from "./types";
import { describeValue, invalid, isRecord } from "./validation";

// The lab renders values in its own messages as the library does.
export { describeValue };

/** How an option shows in `snapshot().options`. */
type Shown = "always" | "unless-default" | "never";

interface OptionSpec<T, S extends Shown = Shown> {
  /** The value of an option that is absent or set to `undefined`. */
  readonly fallback: T;
  /** Validate a given value; throws a TypeError or RangeError whose `option` names the option. */
  readonly parse: (value: unknown, option: string) => T;
  readonly shown: S;
  /** Taken by the constructor only: it shapes the breaker's start, not its behaviour. */
  readonly constructorOnly?: true;
}

function spec<T>(fallback: T, parse: (value: unknown, option: string) => T): OptionSpec<T, "always"> {
  return { fallback, parse, shown: "always" };
}

/** An option that snapshots show only when it differs from its default. */
function unlessDefault<T>(fallback: T, parse: (value: unknown, option: string) => T): OptionSpec<T, "unless-default"> {
  return { fallback, parse, shown: "unless-default" };
}

/** An option that snapshots leave out: a function, the clock, a constructor-only input. */
function hidden<T>(fallback: T, parse: (value: unknown, option: string) => T): OptionSpec<T, "never"> {
  return { fallback, parse, shown: "never" };
}

function requireNumber(value: unknown, option: string): number {
  if (typeof value !== "number") throw invalid(TypeError, option, `${option} must be a number, got ${describeValue(value)}`);
  return value;
}

function integerAtLeastOne(value: unknown, option: string): number {
  const number = requireNumber(value, option);
  if (!Number.isInteger(number) || number < 1) throw invalid(RangeError, option, `${option} must be an integer >= 1, got ${number}`);
  return number;
}

function positive(value: unknown, option: string): number {
  const number = requireNumber(value, option);
  if (!Number.isFinite(number) || number <= 0) throw invalid(RangeError, option, `${option} must be a finite number > 0, got ${number}`);
  return number;
}

function positiveOrNull(value: unknown, option: string): number | null {
  return value === null ? null : positive(value, option);
}

function percent(value: unknown, option: string): number {
  const number = requireNumber(value, option);
  if (!Number.isFinite(number) || number <= 0 || number > 100) {
    throw invalid(RangeError, option, `${option} must be a number in (0, 100], got ${number}`);
  }
  return number;
}

function multiplier(value: unknown, option: string): number {
  const number = requireNumber(value, option);
  if (!Number.isFinite(number) || number < 1) throw invalid(RangeError, option, `${option} must be a finite number >= 1, got ${number}`);
  return number;
}

function nonEmptyString(value: unknown, option: string): string {
  if (typeof value !== "string") throw invalid(TypeError, option, `${option} must be a non-empty string, got ${describeValue(value)}`);
  if (value.length === 0) throw invalid(RangeError, option, `${option} must be a non-empty string, got ""`);
  return value;
}

function predicate(value: unknown, option: string): ((input: unknown) => unknown) | undefined {
  if (typeof value !== "function") throw invalid(TypeError, option, `${option} must be a function, got ${describeValue(value)}`);
  return value as (input: unknown) => unknown;
}

function clock(value: unknown, option: string): Clock {
  if (
    !isRecord(value) ||
    typeof value.now !== "function" ||
    typeof value.setTimeout !== "function" ||
    typeof value.clearTimeout !== "function"
  ) {
    throw invalid(TypeError, option, `${option} must be an object with now(), setTimeout() and clearTimeout() functions, got ${describeValue(value)}`);
  }
  return value as unknown as Clock;
}

function trialGate(value: unknown, option: string): TrialGate {
  if (!isRecord(value) || typeof value.acquire !== "function") {
    throw invalid(TypeError, option, `${option} must be an object with an acquire() function, got ${describeValue(value)}`);
  }
  return value as unknown as TrialGate;
}

const HALF_OPEN_POLICIES: readonly HalfOpenPolicy[] = ["any-failure", "rates"];

function halfOpenPolicy(value: unknown, option: string): HalfOpenPolicy {
  if (!HALF_OPEN_POLICIES.includes(value as HalfOpenPolicy)) {
    throw invalid(TypeError, option, `${option} must be "any-failure" or "rates", got ${describeValue(value)}`);
  }
  return value as HalfOpenPolicy;
}

const WINDOW_KEYS = { count: ["type", "size"], time: ["type", "ms"] } as const;

function slidingWindow(value: unknown, option: string): SlidingWindowOptions | null {
  if (value === null) return null;
  if (!isRecord(value)) {
    throw invalid(TypeError, option, `${option} must be { type: "count", size } or { type: "time", ms } or null, got ${describeValue(value)}`);
  }
  const type = value.type;
  if (type !== "count" && type !== "time") {
    throw invalid(TypeError, `${option}.type`, `${option}.type must be "count" or "time", got ${describeValue(type)}`);
  }
  const allowed: readonly string[] = WINDOW_KEYS[type];
  for (const inner of Object.keys(value)) {
    if (!allowed.includes(inner)) {
      throw invalid(TypeError, `${option}.${inner}`, `Unknown key "${inner}" in ${option}: a ${type} window takes only ${allowed.join(" and ")}`);
    }
  }
  return type === "count" ? { type, size: integerAtLeastOne(value.size, `${option}.size`) } : { type, ms: positive(value.ms, `${option}.ms`) };
}

const MAX_OPEN_FACTOR = 32;

function defaultMaxOpenMs(openMs: number): number {
  return Math.min(openMs * MAX_OPEN_FACTOR, Number.MAX_VALUE);
}

const DEFAULT_OPEN_MS = 30_000;

/**
 * Every option of a breaker, in one table: its default, its validation, and whether it shows in
 * snapshots. The resolved options, the settings a breaker runs on and their types all come from it.
 */
const OPTIONS = {
  name: spec("breaker", nonEmptyString),
  failureThreshold: spec(5, integerAtLeastOne),
  slidingWindow: spec<SlidingWindowOptions | null>(null, slidingWindow),
  failureRateThreshold: spec(50, percent),
  slowCallMs: spec<number | null>(null, positiveOrNull),
  slowCallRateThreshold: spec(100, percent),
  minimumCalls: spec(10, integerAtLeastOne),
  openMs: spec(DEFAULT_OPEN_MS, positive),
  backoffMultiplier: spec(1, multiplier),
  // Unless set, it follows openMs (see applyOptions).
  maxOpenMs: spec(defaultMaxOpenMs(DEFAULT_OPEN_MS), positive),
  halfOpenMaxCalls: spec(1, integerAtLeastOne),
  successThreshold: spec(1, integerAtLeastOne),
  // Shown only when set, so that snapshots of breakers that never chose a policy keep their shape.
  halfOpenPolicy: unlessDefault<HalfOpenPolicy>("any-failure", halfOpenPolicy),
  maxHalfOpenMs: spec(60_000, positive),
  timeoutMs: spec<number | null>(null, positiveOrNull),
  isFailure: hidden(undefined, predicate),
  isResultFailure: hidden(undefined, predicate),
  clock: hidden(realClock, clock),
  trialGate: hidden<TrialGate | undefined>(undefined, trialGate),
  initialState: { ...hidden<PersistedState | undefined>(undefined, parsePersistedState), constructorOnly: true as const },
} satisfies { [K in keyof BreakerOptions]-?: OptionSpec<unknown> };

type Table = typeof OPTIONS;
type ValueOf<K extends keyof Table> = Table[K]["fallback"] | ReturnType<Table[K]["parse"]>;
type KeysShown<S extends Shown> = { [K in keyof Table]: Table[K]["shown"] extends S ? K : never }[keyof Table];
type RuntimeKeys = { [K in keyof Table]: Table[K] extends { constructorOnly: true } ? never : K }[keyof Table];

/** Options as the breaker resolved them, without functions: what `snapshot().options` holds. */
export type ResolvedOptions = { [K in KeysShown<"always">]: ValueOf<K> } & { [K in KeysShown<"unless-default">]?: ValueOf<K> };

/** Everything a breaker runs on: every option resolved, functions included. */
export type Settings = { [K in RuntimeKeys]: ValueOf<K> } & {
  /** False while `maxOpenMs` follows `openMs`. */
  maxOpenMsExplicit: boolean;
};

type OptionName = keyof Table;

/** Every option a breaker takes. */
export const OPTION_NAMES = Object.keys(OPTIONS) as OptionName[];

function isOptionName(key: string): key is OptionName {
  return Object.hasOwn(OPTIONS, key);
}

/** The settings of a breaker constructed with no options. */
export function defaultSettings(): Settings {
  const settings: Record<string, unknown> = { maxOpenMsExplicit: false };
  for (const key of OPTION_NAMES) {
    if (!OPTIONS[key].constructorOnly) settings[key] = OPTIONS[key].fallback;
  }
  return settings as Settings;
}

/**
 * Validate `patch` whole and return the settings it produces over `base`, or throw a TypeError or
 * RangeError naming the first bad option (in its message and as `option`). Nothing is applied
 * unless everything is valid. Constructor-only options are validated by {@link initialStateOf}.
 */
export function applyOptions(base: Settings, patch: unknown, context: "constructor" | "configure"): Settings {
  if (patch === undefined && context === "constructor") return base;
  if (!isRecord(patch)) throw new TypeError(`options must be an object, got ${describeValue(patch)}`);
  const next: Settings = { ...base };
  const fields = next as unknown as Record<string, unknown>;
  for (const key of Object.keys(patch)) {
    if (!isOptionName(key)) {
      throw invalid(TypeError, key, `Unknown option "${key}"; valid options are ${OPTION_NAMES.join(", ")}`);
    }
    const value = patch[key];
    const option = OPTIONS[key];
    if (option.constructorOnly) {
      if (context === "configure" && value !== undefined) {
        throw invalid(TypeError, key, `${key} can only be given to the constructor, not to configure()`);
      }
      continue;
    }
    // Timers already set run on the breaker's clock: it cannot change, not even back to the default.
    if (key === "clock" && context === "configure" && (value ?? realClock) !== base.clock) {
      throw invalid(TypeError, key, "clock cannot be changed by configure(); create a new breaker with the other clock");
    }
    if (key === "maxOpenMs") next.maxOpenMsExplicit = value !== undefined;
    fields[key] = value === undefined ? option.fallback : option.parse(value, key);
  }
  if (!next.maxOpenMsExplicit) {
    next.maxOpenMs = defaultMaxOpenMs(next.openMs);
  } else if (next.maxOpenMs < next.openMs) {
    throw invalid(RangeError, "maxOpenMs", `maxOpenMs must be >= openMs (${next.openMs}), got ${next.maxOpenMs}`);
  }
  return next;
}

/** The validated `initialState` of constructor options (undefined when not given). */
export function initialStateOf(options: BreakerOptions | undefined): ValueOf<"initialState"> {
  const value: unknown = options?.initialState;
  return value === undefined ? undefined : OPTIONS.initialState.parse(value, "initialState");
}

/** The options part of a snapshot: resolved values, no functions, copies of nested objects. */
export function resolvedOptions(settings: Settings): ResolvedOptions {
  const resolved: Record<string, unknown> = {};
  const fields = settings as unknown as Record<string, unknown>;
  for (const key of OPTION_NAMES) {
    const { shown, fallback } = OPTIONS[key];
    const value = fields[key];
    if (shown === "never" || (shown === "unless-default" && value === fallback)) continue;
    resolved[key] = isRecord(value) ? { ...value } : value;
  }
  return resolved as ResolvedOptions;
}

/** Whether two window options describe the same window (so a reconfigured breaker keeps its calls). */
export function sameWindow(a: SlidingWindowOptions | null, b: SlidingWindowOptions | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.type === "count") return b.type === "count" && a.size === b.size;
  return b.type === "time" && a.ms === b.ms;
}
