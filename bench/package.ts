/**
 * What the package costs beyond a call: the size of its ESM entry next to the peers', the price
 * of finding a keyed breaker in a registry, and the memory of an idle keyed breaker.
 */
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type * as Breaker from "../lib/breaker";
import { LIBRARY_BUILD } from "../scripts/build-lib";
import { heapGrowth, median } from "./harness";

export interface EntrySize {
  name: string;
  /** What was bundled. */
  entry: string;
  minifiedBytes: number;
  gzippedBytes: number;
}

export interface RegistryGetResult {
  keys: number;
  mapGetNs: number;
  registryGetNs: number;
  overheadNs: number;
}

export interface PackageResults {
  sizes: EntrySize[];
  registryGet: RegistryGetResult;
  keyedBreakerBytes: number;
}

const nodeModules = (path: string) => fileURLToPath(new URL(`../node_modules/${path}`, import.meta.url));

/** Bundle `contents` (an ES module importing the library) minified, as a user's bundler would. */
async function bundledSize(name: string, entry: string, contents: string, resolveDir: string, platform: "neutral" | "node"): Promise<EntrySize> {
  const result = await build({
    stdin: { contents, resolveDir, loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform,
    target: "es2022",
    write: false,
    logLevel: "warning",
    mainFields: ["module", "main"],
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  return { name, entry, minifiedBytes: code.length, gzippedBytes: gzipSync(code, { level: 9 }).length };
}

export async function entrySizes(): Promise<EntrySize[]> {
  const ours = fileURLToPath(new URL("../lib/breaker/", import.meta.url));
  const [entry] = LIBRARY_BUILD.entryPoints;
  return [
    await bundledSize("breaker-lab", "the whole ESM entry", `export * from ${JSON.stringify(entry)};`, ours, "neutral"),
    await bundledSize("cockatiel", "the whole ESM entry", `export * from "cockatiel";`, nodeModules("cockatiel"), "neutral"),
    // opossum ships CommonJS only and needs Node's events module (left out of the bundle here).
    await bundledSize("opossum", "the whole entry (CommonJS, as ESM)", `export { default } from "opossum";`, nodeModules("opossum"), "node"),
    await bundledSize("breaker-lab", "only CircuitBreaker (tree-shaken)", `export { CircuitBreaker } from ${JSON.stringify(entry)};`, ours, "neutral"),
    await bundledSize("cockatiel", "only circuitBreaker, ConsecutiveBreaker, handleAll (tree-shaken)", `export { circuitBreaker, ConsecutiveBreaker, handleAll } from "cockatiel";`, nodeModules("cockatiel"), "neutral"),
  ];
}

/**
 * `registry.get(key)` of existing keys against `map.get(key)` over the same keys, in interleaved
 * rounds of a synchronous loop (the result is summed so that no loop is optimised away).
 */
export function registryGet(module: typeof Breaker, rounds: number): RegistryGetResult {
  const count = 1_000;
  const keys = Array.from({ length: count }, (_, index) => `host-${index}.example.com`);
  const registry = new module.BreakerRegistry({ maxBreakers: count });
  const map = new Map<string, Breaker.CircuitBreaker>();
  for (const key of keys) map.set(key, registry.get(key));
  const iterations = 1_000_000;
  const time = (get: (key: string) => Breaker.CircuitBreaker | undefined): number => {
    let found = 0;
    const started = process.hrtime.bigint();
    for (let index = 0; index < iterations; index++) {
      if (get(keys[index % count]!) !== undefined) found += 1;
    }
    const ns = Number(process.hrtime.bigint() - started) / iterations;
    if (found !== iterations) throw new Error("a key went missing");
    return ns;
  };
  const viaMap = (key: string) => map.get(key);
  const viaRegistry = (key: string) => registry.get(key);
  const mapSamples: number[] = [];
  const registrySamples: number[] = [];
  for (let round = 0; round < rounds + 3; round++) {
    const [first, second] = round % 2 === 0 ? [viaMap, viaRegistry] : [viaRegistry, viaMap];
    const a = time(first);
    const b = time(second);
    if (round < 3) continue;
    mapSamples.push(first === viaMap ? a : b);
    registrySamples.push(first === viaMap ? b : a);
  }
  registry.dispose();
  const mapGetNs = median(mapSamples);
  const registryGetNs = median(registrySamples);
  return { keys: count, mapGetNs, registryGetNs, overheadNs: registryGetNs - mapGetNs };
}

/** Heap per idle breaker of a registry holding 10 000 keys (default options: consecutive mode). */
export async function keyedBreakerBytes(module: typeof Breaker): Promise<number> {
  const count = 10_000;
  const growth = await heapGrowth(() => {
    const registry = new module.BreakerRegistry({ maxBreakers: count });
    for (let index = 0; index < count; index++) registry.get(`host-${index}.example.com`);
    return registry;
  });
  return growth.growthBytes / count;
}

export async function runPackageBenchmark(module: typeof Breaker, quick: boolean): Promise<PackageResults> {
  return { sizes: await entrySizes(), registryGet: registryGet(module, quick ? 5 : 15), keyedBreakerBytes: await keyedBreakerBytes(module) };
}
