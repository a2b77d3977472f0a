/** A TypeError or RangeError about one option, which it names as `option` (`"slidingWindow.size"`). */
export type OptionError = (TypeError | RangeError) & { readonly option: string };

/**
 * An error of exactly the given class (callers test `instanceof` and the constructor) that names
 * the option it is about, so that nobody has to parse messages. `option` is not enumerable, like
 * `message`: errors compare and print as they did before it existed.
 */
export function invalid(kind: typeof TypeError | typeof RangeError, option: string, message: string): OptionError {
  return Object.defineProperty(new kind(message), "option", { value: option, enumerable: false }) as OptionError;
}

/** A short, readable rendering of a bad value for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return "an array";
  return typeof value === "function" ? "a function" : "an object";
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
