import { BUCKET_COUNT } from "./histogram";
import type { BreakerState, BreakerTotals, PersistedLatency, PersistedState, PersistedTimeGroup, PersistedWindow } from "./types";
import { describeValue, invalid, isRecord } from "./validation";

/** The format {@link parsePersistedState} reads and breakers export. */
export const PERSISTED_VERSION = 1;

const STATES: readonly BreakerState[] = ["CLOSED", "OPEN", "HALF_OPEN", "FORCED_OPEN", "DISABLED"];
const TOTALS: readonly (keyof BreakerTotals)[] = ["calls", "successes", "failures", "timeouts", "rejected", "ignored", "slow"];

/**
 * Reads untrusted input (a JSON file, a cache entry) under one option name: every problem is a
 * TypeError that names the option and the path of the bad field.
 */
class Reader {
  constructor(private readonly option: string) {}

  fail(path: string, expected: string, value: unknown): never {
    throw invalid(TypeError, this.option, `${this.option}${path} must be ${expected}, got ${describeValue(value)}`);
  }

  record(value: unknown, path: string, keys: readonly string[]): Record<string, unknown> {
    if (!isRecord(value)) this.fail(path, "an object", value);
    for (const key of Object.keys(value)) {
      if (!keys.includes(key)) this.fail(`${path}.${key}`, `absent (expected only ${keys.join(", ")})`, value[key]);
    }
    return value;
  }

  array(value: unknown, path: string): unknown[] {
    if (!Array.isArray(value)) this.fail(path, "an array", value);
    return value;
  }

  finite(value: unknown, path: string): number {
    if (typeof value !== "number" || !Number.isFinite(value)) this.fail(path, "a finite number", value);
    return value;
  }

  count(value: unknown, path: string): number {
    if (!Number.isSafeInteger(value) || (value as number) < 0) this.fail(path, "an integer >= 0", value);
    return value as number;
  }

  finiteOrNull(value: unknown, path: string): number | null {
    return value === null ? null : this.finite(value, path);
  }

  flag(value: unknown, path: string): 0 | 1 {
    if (value !== 0 && value !== 1) this.fail(path, "0 or 1", value);
    return value;
  }
}

function latency(read: Reader, value: unknown, path: string): PersistedLatency {
  const fields = read.record(value, path, ["sum", "buckets"]);
  const buckets = read.array(fields.buckets, `${path}.buckets`).map((entry, index): [number, number] => {
    const at = `${path}.buckets[${index}]`;
    const pair = read.array(entry, at);
    if (pair.length !== 2) read.fail(at, "a [bucket, count] pair", entry);
    const bucket = read.count(pair[0], `${at}[0]`);
    if (bucket >= BUCKET_COUNT) read.fail(`${at}[0]`, `a bucket below ${BUCKET_COUNT}`, bucket);
    return [bucket, read.count(pair[1], `${at}[1]`)];
  });
  return { sum: read.finite(fields.sum, `${path}.sum`), buckets };
}

function timeGroup(read: Reader, value: unknown, path: string): PersistedTimeGroup {
  const fields = read.record(value, path, ["at", "calls", "failures", "slowCalls", "latency"]);
  return {
    at: read.finite(fields.at, `${path}.at`),
    calls: read.count(fields.calls, `${path}.calls`),
    failures: read.count(fields.failures, `${path}.failures`),
    slowCalls: read.count(fields.slowCalls, `${path}.slowCalls`),
    latency: latency(read, fields.latency, `${path}.latency`),
  };
}

function window(read: Reader, value: unknown, path: string): PersistedWindow {
  const type = isRecord(value) ? value.type : undefined;
  if (type === "none") {
    const fields = read.record(value, path, ["type", "calls", "failures", "slowCalls", "latency"]);
    return {
      type,
      calls: read.count(fields.calls, `${path}.calls`),
      failures: read.count(fields.failures, `${path}.failures`),
      slowCalls: read.count(fields.slowCalls, `${path}.slowCalls`),
      latency: latency(read, fields.latency, `${path}.latency`),
    };
  }
  if (type === "count") {
    const fields = read.record(value, path, ["type", "size", "calls"]);
    const calls = read.array(fields.calls, `${path}.calls`).map((entry, index): [0 | 1, 0 | 1, number | null] => {
      const at = `${path}.calls[${index}]`;
      const call = read.array(entry, at);
      if (call.length !== 3) read.fail(at, "a [failed, slow, durationMs] triple", entry);
      return [read.flag(call[0], `${at}[0]`), read.flag(call[1], `${at}[1]`), read.finiteOrNull(call[2], `${at}[2]`)];
    });
    return { type, size: read.count(fields.size, `${path}.size`), calls };
  }
  if (type === "time") {
    const fields = read.record(value, path, ["type", "ms", "groups"]);
    const groups = read.array(fields.groups, `${path}.groups`).map((entry, index) => timeGroup(read, entry, `${path}.groups[${index}]`));
    groups.forEach((group, index) => {
      if (index > 0 && group.at < groups[index - 1]!.at) read.fail(`${path}.groups[${index}].at`, "in ascending order", group.at);
    });
    return { type, ms: read.finite(fields.ms, `${path}.ms`), groups };
  }
  return read.fail(`${path}.type`, '"none", "count" or "time"', type);
}

/** Validate a state saved by `exportState()`; throws a TypeError whose `option` is `option`. */
export function parsePersistedState(value: unknown, option: string): PersistedState {
  const read = new Reader(option);
  const keys = ["version", "state", "openedAt", "halfOpenAt", "backoffSteps", "consecutiveFailures", "window", "totals"];
  const fields = read.record(value, "", keys);
  if (fields.version !== PERSISTED_VERSION) read.fail(".version", `${PERSISTED_VERSION} (the only version this release reads)`, fields.version);
  const state = fields.state as BreakerState;
  if (!STATES.includes(state)) read.fail(".state", `one of ${STATES.join(", ")}`, state);
  const openedAt = read.finiteOrNull(fields.openedAt, ".openedAt");
  const halfOpenAt = read.finiteOrNull(fields.halfOpenAt, ".halfOpenAt");
  const opened = state === "OPEN" || state === "HALF_OPEN";
  if (opened !== (openedAt !== null) || opened !== (halfOpenAt !== null)) {
    read.fail(".openedAt", `a number exactly when the state is OPEN or HALF_OPEN (it is ${state})`, openedAt);
  }
  const totalsFields = read.record(fields.totals, ".totals", TOTALS);
  const totals = Object.fromEntries(TOTALS.map((key) => [key, read.count(totalsFields[key], `.totals.${key}`)])) as unknown as BreakerTotals;
  const { calls, successes, failures, timeouts, rejected, ignored, slow } = totals;
  if (calls !== successes + failures + ignored + rejected || timeouts > failures || slow > successes + failures) {
    read.fail(".totals", "consistent (calls = successes + failures + ignored + rejected, timeouts <= failures, slow <= successes + failures)", totals);
  }
  return {
    version: PERSISTED_VERSION,
    state,
    openedAt,
    halfOpenAt,
    backoffSteps: read.count(fields.backoffSteps, ".backoffSteps"),
    consecutiveFailures: read.count(fields.consecutiveFailures, ".consecutiveFailures"),
    window: window(read, fields.window, ".window"),
    totals,
  };
}
