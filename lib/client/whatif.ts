import type { BreakerOptionsInput, WhatIfInputBody } from "@/lib/api/schemas";
import { CircuitBreaker, ManualClock, type ResolvedOptions } from "@/lib/breaker";
import type { WhatIfConfigResult } from "@/lib/whatif";

/** The lab's JSON options of a breaker's resolved options; a `maxOpenMs` at its default keeps following `openMs`. */
export function optionsInputOf(resolved: ResolvedOptions): BreakerOptionsInput {
  const options: Record<string, unknown> = { ...resolved };
  delete options.name;
  if (resolved.maxOpenMs === resolved.openMs * 32) delete options.maxOpenMs;
  return options as BreakerOptionsInput;
}

/**
 * `patch` on top of `current`, judged by the library itself: the options now in force, or a
 * thrown `{ field, message }` naming the option it refuses.
 */
export function applyOptionsPatch(current: ResolvedOptions, patch: BreakerOptionsInput): ResolvedOptions {
  try {
    const breaker = new CircuitBreaker({ ...optionsInputOf(current), ...patch, name: current.name, clock: new ManualClock(0) });
    const { options } = breaker.snapshot();
    breaker.dispose();
    return options;
  } catch (error) {
    const option = (error as { option?: unknown }).option;
    throw { field: typeof option === "string" ? option : undefined, message: (error as Error).message };
  }
}

/** The options a lab options body resolves to, or a thrown `{ field, message }`. */
export function resolveOptions(options: BreakerOptionsInput, name: string): ResolvedOptions {
  const defaults = new CircuitBreaker({ name, clock: new ManualClock(0) });
  const resolved = defaults.snapshot().options;
  defaults.dispose();
  return applyOptionsPatch(resolved, options);
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/** The fragment that reproduces a run: `#input=<base64url JSON>`. */
export function inputFragment(input: WhatIfInputBody): string {
  return `#input=${toBase64Url(new TextEncoder().encode(JSON.stringify(input)))}`;
}

/** The input a fragment carries, unchecked, or `undefined` when it carries none or cannot be read. */
export function inputFromFragment(hash: string): unknown {
  const match = /^#input=([A-Za-z0-9_-]+)$/.exec(hash);
  if (!match) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(fromBase64Url(match[1]!)));
  } catch {
    return undefined;
  }
}

/** The columns of the result table, in order; lower is better in all but calls and successes. */
export const RESULT_COLUMNS = [
  { key: "calls", label: "Calls", higherIsBetter: true },
  { key: "successes", label: "Successes", higherIsBetter: true },
  { key: "failures", label: "Failures", higherIsBetter: false },
  { key: "timeouts", label: "Timeouts", higherIsBetter: false },
  { key: "rejected", label: "Rejected", higherIsBetter: false },
  { key: "upstreamCalls", label: "Upstream calls", higherIsBetter: false },
  { key: "wastedCalls", label: "Wasted calls", higherIsBetter: false },
  { key: "rejectedGood", label: "Rejected good", higherIsBetter: false },
  { key: "timeToOpenMs", label: "Time to open", higherIsBetter: false },
  { key: "timeToCloseMs", label: "Time to close", higherIsBetter: false },
] as const satisfies ReadonlyArray<{ key: keyof WhatIfConfigResult; label: string; higherIsBetter: boolean }>;

export type ResultColumn = (typeof RESULT_COLUMNS)[number]["key"];

/**
 * The best value of each column over the results (`null` when no result has one, as a time that
 * never came). A column where every result has the same value marks nothing, and neither does a
 * single result: there is nothing to choose between.
 */
export function bestValues(results: readonly WhatIfConfigResult[]): Partial<Record<ResultColumn, number>> {
  const best: Partial<Record<ResultColumn, number>> = {};
  if (results.length < 2) return best;
  for (const { key, higherIsBetter } of RESULT_COLUMNS) {
    const values = results.map((result) => result[key]).filter((value): value is number => value !== null);
    if (values.length === 0 || (values.length === results.length && values.every((value) => value === values[0]))) continue;
    best[key] = higherIsBetter ? Math.max(...values) : Math.min(...values);
  }
  return best;
}
