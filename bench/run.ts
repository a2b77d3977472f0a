/**
 * `npm run bench`: the library, HTTP and browser benchmarks, one after the other. Prints
 * markdown tables, writes bench/results.json and the results section of BENCHMARKS.md.
 *
 *   npm run bench                      everything (about 10 minutes: the playback part plays a
 *                                      10-minute scenario in a child process while the rest runs)
 *   npm run bench -- --quick           fewer rounds and shorter loads (a smoke run)
 *   npm run bench -- --only library    one part: library, http, browser, playback, whatif or fleet
 */
import { execFile, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { runBrowserBenchmark, type BrowserResults } from "./browser";
import { runFleetBenchmark, type FleetResults } from "./fleet";
import { hasGc } from "./harness";
import { runHttpBenchmark, type HttpResults } from "./http";
import { runLibraryBenchmark, type LibraryResults } from "./library";
import type { PlaybackResults } from "./playback";
import { runWhatIfBenchmark, type WhatIfResults } from "./whatif";
import { renderResults } from "./report";

export interface BenchResults {
  date: string;
  machine: { cpu: string; cores: number; memoryGiB: number; node: string; platform: string };
  quick: boolean;
  library?: LibraryResults;
  http?: HttpResults;
  browser?: BrowserResults;
  playback?: PlaybackResults;
  whatif?: WhatIfResults;
  fleet?: FleetResults;
}

const PARTS = ["library", "http", "browser", "playback", "whatif", "fleet"] as const;
const { values } = parseArgs({ options: { quick: { type: "boolean", default: false }, only: { type: "string" } } });
const parts = values.only ? values.only.split(",") : [...PARTS];
for (const part of parts) {
  if (!(PARTS as readonly string[]).includes(part)) {
    console.error(`--only takes ${PARTS.join(", ")} (comma-separated), got ${JSON.stringify(part)}`);
    process.exit(2);
  }
}
if (!hasGc()) console.warn("warning: run with node --expose-gc (npm run bench does): no GC between rounds, no memory figures");

const results: BenchResults = {
  date: new Date().toISOString(),
  machine: {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
  },
  quick: values.quick,
};
const started = performance.now();

// The playback runs on its own event loop, alongside the rest, for as long as its scenario lasts.
const playback = parts.includes("playback")
  ? new Promise<PlaybackResults>((resolve, reject) => {
      const seconds = values.quick ? "30" : "600";
      execFile(process.execPath, ["--import", "tsx", "bench/playback.ts", "--seconds", seconds], { maxBuffer: 1 << 20 }, (error, stdout) =>
        error ? reject(error) : resolve(JSON.parse(stdout.trim().split("\n").at(-1)!) as PlaybackResults),
      );
    })
  : undefined;

if (parts.includes("library")) {
  console.log("Library…");
  results.library = await runLibraryBenchmark({ quick: values.quick });
}
if (parts.some((part) => ["http", "browser", "whatif", "fleet"].includes(part))) {
  const build = spawnSync(process.execPath, ["scripts/start.mjs", "--build-only"], { stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
if (parts.includes("http")) {
  console.log("HTTP…");
  results.http = await runHttpBenchmark({ quick: values.quick });
}
if (parts.includes("browser")) {
  console.log("Browser…");
  results.browser = await runBrowserBenchmark({ trips: 30 });
}
if (parts.includes("whatif")) {
  console.log("What-if…");
  results.whatif = await runWhatIfBenchmark({ quick: values.quick });
}
if (parts.includes("fleet")) {
  console.log("Fleet…");
  results.fleet = await runFleetBenchmark({ quick: values.quick });
}
if (playback) {
  console.log("Playback (waiting for the scenario to end)…");
  results.playback = await playback;
}

const markdown = renderResults(results);
console.log(`\n${markdown}\n\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s`);
// A partial run replaces its own parts of results.json and keeps the others' latest figures.
const resultsFile = new URL("./results.json", import.meta.url);
const previous = parts.length < PARTS.length && existsSync(resultsFile) ? (JSON.parse(readFileSync(resultsFile, "utf8")) as BenchResults) : {};
writeFileSync(resultsFile, `${JSON.stringify({ ...previous, ...results }, null, 2)}\n`);

// A full run of every part replaces the results section of BENCHMARKS.md.
if (!values.quick && parts.length === PARTS.length) {
  const file = new URL("../BENCHMARKS.md", import.meta.url);
  const text = readFileSync(file, "utf8");
  const begin = "<!-- results:begin -->";
  const end = "<!-- results:end -->";
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from >= 0 && to > from) {
    writeFileSync(file, `${text.slice(0, from + begin.length)}\n\n${markdown}\n\n${text.slice(to)}`);
    console.log("BENCHMARKS.md updated.");
  }
}
