import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CircuitBreaker, ManualClock } from "./index";
import { OPTION_NAMES } from "./options";

const RUNS = Number(process.env.FUZZ_RUNS ?? 3_000);

const keys = [...OPTION_NAMES, "unknownOption"];
const value = fc.oneof(
  fc.integer({ min: -3, max: 200 }),
  fc.double(),
  fc.constantFrom(0, 1, 100, 100.5, Number.NaN, Infinity, -Infinity, Number.MAX_VALUE, 1e-12),
  fc.string({ maxLength: 5 }),
  fc.constantFrom(null, undefined, true, [], {}, () => true),
  fc.record({ type: fc.constantFrom("count", "time", "x"), size: fc.integer({ min: -1, max: 50 }), ms: fc.double(), extra: fc.nat() }, { requiredKeys: ["type"] }),
);
const patch = fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 5 });

describe("configure() under arbitrary patches", () => {
  it(`either applies a patch whole or throws a TypeError/RangeError and changes nothing (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(patch, { minLength: 1, maxLength: 6 }), async (patches) => {
        const clock = new ManualClock(0);
        const breaker = new CircuitBreaker({ clock, failureThreshold: 2 });
        for (const candidate of patches) {
          const before = breaker.snapshot();
          try {
            breaker.configure(candidate);
          } catch (error) {
            expect(error instanceof TypeError || error instanceof RangeError).toBe(true);
            expect((error as Error).message.length).toBeGreaterThan(0);
            expect(breaker.snapshot()).toEqual(before);
            continue;
          }
          const { options } = breaker.snapshot();
          expect(options.maxOpenMs).toBeGreaterThanOrEqual(options.openMs);
          expect(JSON.parse(JSON.stringify(options))).toEqual(options);
        }
        // Whatever was applied, the breaker still works and its totals still add up.
        await breaker.execute(() => "ok").catch(() => undefined);
        const { totals } = breaker.snapshot();
        expect(totals.calls).toBe(totals.successes + totals.failures + totals.ignored + totals.rejected);
      }),
      { numRuns: RUNS },
    );
  }, 120_000);
});
