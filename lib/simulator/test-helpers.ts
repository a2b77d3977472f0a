import type { RandomSource } from "./random";

/**
 * A random source that returns `values` in order and throws once they run out, so a test
 * both controls every draw and proves how many draws were taken (`draws()`).
 */
export function scriptedRandom(values: readonly number[]): RandomSource & { draws(): number } {
  let index = 0;
  const next = () => {
    const value = values[index];
    if (value === undefined) throw new Error(`scripted random exhausted after ${values.length} draws`);
    index += 1;
    return value;
  };
  return Object.assign(next, { draws: () => index });
}
