/**
 * Our breaker as the benchmark measures it: compiled to plain JavaScript first, as a user's
 * bundler or `tsc` would ship it. Running the TypeScript through tsx instead would charge us for
 * tsx's `keepNames` helper on every closure, a cost no installed package has.
 */
import { mkdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import type * as Breaker from "../lib/breaker";
import { TARGET_ERROR, type Subject, type Target } from "./harness";
import { executorSubject, type ExpectedState } from "./peers";

const outDir = fileURLToPath(new URL("./.build/", import.meta.url));

/** Compile lib/breaker (or another copy of it, as `label`) to one ES module and load it. */
export async function loadCompiledBreaker(
  entry = fileURLToPath(new URL("../lib/breaker/index.ts", import.meta.url)),
  label = "breaker",
): Promise<typeof Breaker> {
  mkdirSync(outDir, { recursive: true });
  const outfile = `${outDir}${label}.mjs`;
  await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    outfile,
    logLevel: "warning",
  });
  return (await import(`${pathToFileURL(outfile).href}?${Date.now()}`)) as typeof Breaker;
}

/**
 * A subject around one of our breakers. `mode` picks the call: `execute` (a rejection is thrown
 * and caught) or `tryExecute` (never throws).
 */
export function ourSubject(
  module: typeof Breaker,
  name: string,
  options: Breaker.BreakerOptions,
  expected: ExpectedState,
  mode: "execute" | "tryExecute" = "execute",
): Subject & { breaker: Breaker.CircuitBreaker } {
  const breaker = new module.CircuitBreaker(options);
  const want = expected === "open" ? "OPEN" : "CLOSED";
  const subject = executorSubject(
    name,
    mode === "execute"
      ? { execute: (fn: Target) => breaker.execute(fn) }
      : {
          execute: (fn: Target) => breaker.execute(fn),
          tryExecute: (fn: Target) => breaker.tryExecute(fn),
        },
    {
      expectError: (error) => (expected === "open" ? error instanceof module.CircuitOpenError : error === TARGET_ERROR),
      check() {
        if (breaker.state !== want) throw new Error(`${name}: expected the breaker ${want}, it is ${breaker.state}`);
      },
      dispose: () => breaker.dispose(),
    },
  );
  return { ...subject, breaker };
}
