/**
 * `npm run bench:compare -- [--base REV] [--quick]`: our breaker at REV (default: the merge base
 * with main) against the working tree, in the same interleaved rounds, scenario by scenario, with
 * the floors of scenarios b and c. Prints a markdown table of overheads and their ratios.
 * `--only a,d` runs some scenarios.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { baselineSubject, calibrateIterations, formatNs, interleavedRounds, markdownTable, type Subject } from "./harness";
import { timeoutFloorSubject, timeWindowFloorSubject } from "./floors";
import { loadCompiledBreaker, ourSubject } from "./ours";
import { SCENARIOS, disposeAll, largeWindowScenario, type Scenario } from "./peers";

const { values } = parseArgs({ options: { base: { type: "string" }, quick: { type: "boolean", default: false }, only: { type: "string" } } });
const root = fileURLToPath(new URL("../", import.meta.url));
const git = (...args: string[]) => execFileSync("git", args, { cwd: root, encoding: "utf8" }).trim();
const base = values.base ?? git("merge-base", "HEAD", "main");

/** lib/breaker as it was at `rev`, extracted outside the tree (where no tool of the repo looks). */
function checkout(rev: string): string {
  const dir = mkdtempSync(join(tmpdir(), "breaker-base-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  execFileSync("sh", ["-c", `git archive ${rev} lib/breaker | tar -x -C "${dir}"`], { cwd: root });
  return join(dir, "lib/breaker/index.ts");
}

const before = await loadCompiledBreaker(checkout(base), "before");
const after = await loadCompiledBreaker();
const rounds = values.quick ? 7 : 21;

const scenarios: [Scenario, (() => Subject)[]][] = [
  [SCENARIOS.a, []],
  [SCENARIOS.b, [timeWindowFloorSubject]],
  [SCENARIOS.c, [timeoutFloorSubject]],
  [SCENARIOS.d, []],
  [largeWindowScenario({ maxLatencyMs: 20 }), []],
];

const rows: string[][] = [];
for (const [scenario, floors] of scenarios) {
  if (values.only && !values.only.split(",").includes(scenario.id)) continue;
  const state = scenario.id === "d" ? "open" : "closed";
  const subjects = [ourSubject(before, `before (${base.slice(0, 7)})`, scenario.ours, state), ourSubject(after, "after", scenario.ours, state)];
  for (const subject of subjects) await scenario.prepare(subject);
  const all: Subject[] = [...subjects, ...floors.map((create) => create())];
  const baseline = baselineSubject();
  const counts = new Map<Subject, number>();
  const max = scenario.id === "e" ? 2_000 : undefined;
  for (const subject of [baseline, ...all]) {
    counts.set(subject, await calibrateIterations(subject, { target: scenario.target, expect: scenario.expect, budgetMs: 25, min: scenario.id === "e" ? 10 : 1_000, max, cpuTime: true }));
  }
  const result = await interleavedRounds(all, {
    rounds,
    warmupRounds: 3,
    iterations: (subject) => counts.get(subject) ?? 1_000,
    target: scenario.target,
    expect: scenario.expect,
    baseline,
    // Two versions of one library compared on a shared machine: what counts is their CPU time.
    cpuTime: true,
  });
  disposeAll(subjects);
  const [old, now, floor] = result.subjects;
  if (!old || !now) throw new Error("missing results");
  rows.push([
    `${scenario.id}. ${scenario.title}`,
    formatNs(old.overheadNs),
    formatNs(now.overheadNs),
    `${(now.medianNs / old.medianNs).toFixed(2)}×`,
    floor ? `${formatNs(floor.overheadNs)} (after ${(now.overheadNs / floor.overheadNs).toFixed(2)}×, before ${(old.overheadNs / floor.overheadNs).toFixed(2)}×)` : "",
  ]);
  console.log(`  ${scenario.id} done`);
}
console.log(`\nbefore = ${base}, after = the working tree; ${rounds} interleaved rounds of CPU time, median overhead over a bare await fn()\n`);
console.log(markdownTable(["scenario", "before overhead", "after overhead", "after/before (per call)", "floor overhead (ratios to it)"], rows));
