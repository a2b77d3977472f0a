/**
 * A source of uniformly distributed floats in [0, 1), the shape of `Math.random`.
 * Anything with this shape works, so the lab can pass `Math.random` and tests a seeded
 * or scripted source.
 */
export type RandomSource = () => number;

/** 2^32: turns an unsigned 32-bit integer into a float in [0, 1). */
const UINT32_RANGE = 4_294_967_296;

/**
 * A seedable pseudo-random generator (mulberry32).
 *
 * The same seed always gives the same sequence, on every platform and engine: the state is
 * one 32-bit integer and every step uses only 32-bit integer operations (`Math.imul`, shifts,
 * xor), which JavaScript defines exactly. Not for cryptography.
 *
 * @param seed - Any number; it is reduced to an unsigned 32-bit integer (`seed >>> 0`), so
 *   `1` and `2 ** 32 + 1` give the same sequence, and `NaN` acts as `0`.
 * @returns A {@link RandomSource} whose every call returns the next float in [0, 1).
 */
export function createRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / UINT32_RANGE;
  };
}
