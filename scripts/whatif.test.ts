import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Scenario } from "@/lib/simulator";
import { runWhatIf, type WhatIfConfig, type WhatIfResult } from "@/lib/whatif";
import { TraceImporter } from "@/lib/whatif/trace";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
// A child process starts tsx and compiles the CLI: about a second, more on a loaded machine.
const TIMEOUT_MS = 20_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function whatif(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", "scripts/whatif.ts", ...args], { cwd: ROOT, timeout: TIMEOUT_MS }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr });
    });
  });
}

const SCENARIO: Scenario = {
  name: "outage",
  phases: [
    { forMs: 2_000, endpoints: { api: { failureRate: 0, latencyMs: 10, jitterMs: 0 } } },
    { forMs: 3_000, endpoints: { api: { failureRate: 1 } } },
    { forMs: 5_000, endpoints: { api: { failureRate: 0 } } },
  ],
};
const FAST: WhatIfConfig = { label: "fast", options: { failureThreshold: 3, openMs: 1_000 } };
const SLOW: WhatIfConfig = { label: "slow", options: { failureThreshold: 10, openMs: 5_000 } };
const TRACE = ["timestamp,status,latencyMs", "1000,200,10", "1500,200,30", "2100,503,20", "2600,500,40", "3200,200,12", "3999,200,14"].join("\n");

// Made at once, not in beforeAll: the bad-input cases below name their files when they are collected.
const dir = mkdtempSync(join(tmpdir(), "whatif-cli-"));
const file = (name: string) => join(dir, name);

beforeAll(async () => {
  const files: Record<string, string> = {
    "scenario.json": JSON.stringify(SCENARIO),
    "two-endpoints.json": JSON.stringify({ name: "two", phases: [{ forMs: 1_000, endpoints: { api: {}, db: {} } }] }),
    "short-phase.json": JSON.stringify({ name: "bad", phases: [{ forMs: 50, endpoints: { api: {} } }] }),
    "fast.json": JSON.stringify(FAST),
    "slow.json": JSON.stringify(SLOW),
    "negative-open.json": JSON.stringify({ label: "neg", options: { openMs: -5 } }),
    "broken.json": '{\n  "label": "x",\n  "options": {,}\n}',
    "trace.csv": TRACE,
    "bad-trace.csv": "timestamp,status,latencyMs\n1000,200,10\n1100,abc,10\n",
  };
  for (const [name, text] of Object.entries(files)) await writeFile(file(name), text);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("npm run whatif", { timeout: TIMEOUT_MS }, () => {
  it("prints a table, one row per config, the best of each column starred", async () => {
    const run = await whatif(["--scenario", file("scenario.json"), "--config", file("fast.json"), "--config", file("slow.json"), "--rps", "20"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const expected = await runWhatIf({ scenario: SCENARIO, endpoint: "api", traffic: { rps: 20 }, configs: [FAST, SLOW] });
    const lines = run.stdout.split("\n");
    expect(lines[0]).toBe(`${expected.simulatedCalls} simulated calls: scenario outage on endpoint api, 20 rps steady, 10000 ms, 1 instance, seed 1`);
    expect(lines[2]!.split(/\s{2,}/)).toEqual(["config", "calls", "successes", "failures", "timeouts", "rejected", "upstream", "wasted", "rejected good", "time to open (ms)", "time to close (ms)"]);
    const cells = (result: WhatIfResult["results"][number]) => [
      result.label,
      ...[result.calls, result.successes, result.failures, result.timeouts, result.rejected, result.upstreamCalls, result.wastedCalls, result.rejectedGood, result.timeToOpenMs, result.timeToCloseMs].map(String),
    ];
    const [fast, slow] = expected.results;
    // fast opens sooner and wastes fewer calls; slow, longer open, sends fewer upstream.
    expect(fast!.wastedCalls).toBeLessThan(slow!.wastedCalls);
    expect(slow!.upstreamCalls).toBeLessThan(fast!.upstreamCalls);
    const rows = [lines[3]!, lines[4]!].map((line) => line.split(/\s{2,}/).map((cell) => cell.replace("*", "")));
    expect(rows).toEqual([cells(fast!), cells(slow!)]);
    expect(lines[3]).toMatch(new RegExp(`\\s${fast!.wastedCalls}\\*\\s`));
    expect(lines[4]).toMatch(new RegExp(`\\s${slow!.upstreamCalls}\\*\\s`));
    // Every config meets the same arrivals: equal calls are not a win for anyone.
    expect(run.stdout).not.toContain(`${fast!.calls}*`);
  });

  it("--json prints exactly the result of runWhatIf", async () => {
    const run = await whatif([
      "--scenario", file("scenario.json"), "--config", file("fast.json"), "--config", file("slow.json"),
      "--rps", "50", "--arrival", "poisson", "--duration", "12000", "--seed", "7", "--instances", "3", "--endpoint", "api", "--json",
    ]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const expected = await runWhatIf({ scenario: SCENARIO, endpoint: "api", traffic: { rps: 50, arrival: "poisson" }, durationMs: 12_000, seed: 7, instances: 3, configs: [FAST, SLOW] });
    expect(JSON.parse(run.stdout)).toEqual(expected);
  });

  it("imports a trace as a stream, at the trace's own rate, with a note on how it fitted the bucket", async () => {
    const run = await whatif(["--trace", file("trace.csv"), "--bucket-ms", "20", "--config", file("fast.json"), "--json"]);
    expect(run.code).toBe(0);
    const importer = new TraceImporter({ bucketMs: 20 });
    importer.push(TRACE);
    const { scenario, rps, notes } = importer.finish();
    expect(notes).toEqual(["bucket raised from 20 ms to 100 ms, the shortest phase"]);
    expect(run.stderr).toBe(`whatif: note: ${notes[0]}\n`);
    expect(JSON.parse(run.stdout)).toEqual(await runWhatIf({ scenario, endpoint: "trace", traffic: { rps }, configs: [FAST] }));
  });

  const badInputs: Array<[what: string, args: string[], stderr: string[]]> = [
    ["a config the schema refuses", ["--scenario", file("scenario.json"), "--rps", "5", "--config", file("negative-open.json")], ["configs.0.options.openMs must be a number > 0", "got -5", file("negative-open.json")]],
    ["a config file that is not JSON", ["--scenario", file("scenario.json"), "--rps", "5", "--config", file("broken.json")], [`--config ${file("broken.json")}: line 3: not valid JSON`]],
    ["a file that does not exist", ["--scenario", file("missing.json"), "--rps", "5", "--config", file("fast.json")], [`--scenario ${file("missing.json")}: cannot read it`]],
    ["a malformed trace line", ["--trace", file("bad-trace.csv"), "--config", file("fast.json")], [`--trace ${file("bad-trace.csv")}: line 3: status must be an integer from 100 to 599, got "abc"`]],
    ["a scenario the schema refuses", ["--scenario", file("short-phase.json"), "--rps", "5", "--config", file("fast.json")], ["scenario.phases.0.forMs must be a number from 100", "got 50"]],
    ["an rps out of range", ["--scenario", file("scenario.json"), "--rps", "20000", "--config", file("fast.json")], ["traffic.rps must be a number > 0 and <= 10000, got 20000 (--rps)"]],
    ["an endpoint the scenario does not name", ["--scenario", file("scenario.json"), "--rps", "5", "--endpoint", "db", "--config", file("fast.json")], ['endpoint must be one the scenario names (api), got "db"']],
    ["several endpoints and no --endpoint", ["--scenario", file("two-endpoints.json"), "--rps", "5", "--config", file("fast.json")], ["endpoint: the scenario names several endpoints (api, db); choose one with --endpoint"]],
    ["both a scenario and a trace", ["--scenario", file("scenario.json"), "--trace", file("trace.csv"), "--config", file("fast.json")], ["give one of --scenario FILE and --trace FILE", "usage:"]],
    ["an unknown flag", ["--scenario", file("scenario.json"), "--config", file("fast.json"), "--rate", "5"], ["Unknown option '--rate'"]],
  ];

  for (const [what, args, stderr] of badInputs) {
    it(`bad input exits 2 and names the field: ${what}`, async () => {
      const run = await whatif(args);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe("");
      for (const part of stderr) expect(run.stderr).toContain(part);
      expect(run.stderr).toMatch(/^whatif: /);
      expect(run.stderr).not.toMatch(/^\s+at /m);
    });
  }
});
