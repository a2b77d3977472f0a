/**
 * `npm run whatif -- (--scenario FILE | --trace FILE [--bucket-ms N]) --config FILE [--config FILE …]
 * [--endpoint NAME] [--rps N] [--arrival steady|poisson] [--duration MS] [--seed N] [--instances N]
 * [--json]`: run breaker configs against a scenario (or an imported trace) in virtual time and
 * print the table, or the JSON result. Bad input prints what is wrong, naming the field (or the
 * file and line), and exits 2, so a CI job can gate on a config.
 */
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { parseArgs } from "node:util";
import type { z } from "zod";
import { firstProblem } from "@/lib/api/issues";
import { nameSchema, scenarioSchema, whatIfInputSchema } from "@/lib/api/schemas";
import { scenarioEndpoints, type Scenario } from "@/lib/simulator";
import { durationOf, runWhatIf, seedOf, type WhatIfConfigResult, type WhatIfInput, type WhatIfResult } from "@/lib/whatif";
import { TraceError, TraceImporter, type TraceImport } from "@/lib/whatif/trace";
import { whatIfProblem } from "@/lib/whatif/validate";

const USAGE =
  "usage: npm run whatif -- (--scenario FILE | --trace FILE [--bucket-ms N]) --config FILE [--config FILE …] " +
  "[--endpoint NAME] [--rps N] [--arrival steady|poisson] [--duration MS] [--seed N] [--instances N] [--json]";

// As the lab's routes parse: the messages then show the value refused.
const REPORT_INPUT = { reportInput: true } as const;

/** Input the run cannot take: reported without a stack trace, exit status 2. */
class InputError extends Error {}

/** Which flag sets each field of the input, so a schema's complaint points at what the user typed. */
const FLAG_OF_FIELD: Record<string, string> = {
  endpoint: "--endpoint",
  "traffic.rps": "--rps",
  "traffic.arrival": "--arrival",
  durationMs: "--duration",
  seed: "--seed",
  instances: "--instances",
  configs: "--config",
};

interface Sources {
  /** `--scenario FILE` or `--trace FILE`. */
  scenario: string;
  configs: string[];
  /** The rate is the trace's own, not a flag's. */
  rpsFromTrace: boolean;
}

function whereFrom(field: string | undefined, sources: Sources): string {
  if (field === undefined) return "";
  const config = /^configs\.(\d+)/.exec(field);
  if (config) return ` (in --config ${sources.configs[Number(config[1])]})`;
  if (field === "scenario" || field.startsWith("scenario.")) return ` (in ${sources.scenario})`;
  if (field === "traffic.rps" && sources.rpsFromTrace) return " (the trace's own rate; --rps sets another)";
  const flag = FLAG_OF_FIELD[field];
  return flag ? ` (${flag})` : "";
}

function problemError(problem: { field?: string; message: string }, sources: Sources): InputError {
  return new InputError(`${problem.message}${whereFrom(problem.field, sources)}`);
}

function schemaError(error: z.ZodError, prefix: string[], sources: Sources): InputError {
  return problemError(firstProblem(error, prefix), sources);
}

function parseFlags(args: string[]) {
  try {
    return parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        scenario: { type: "string" },
        trace: { type: "string" },
        "bucket-ms": { type: "string" },
        config: { type: "string", multiple: true },
        endpoint: { type: "string" },
        rps: { type: "string" },
        arrival: { type: "string" },
        duration: { type: "string" },
        seed: { type: "string" },
        instances: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean" },
      },
    }).values;
  } catch (error) {
    throw new InputError(`${(error as Error).message}\n${USAGE}`);
  }
}

/** A numeric flag as a number; its range is the schema's to judge, with the field named. */
function numberFlag(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i.test(raw.trim())) throw new InputError(`${flag} must be a number, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

/** Where a JSON.parse error points, as a line: Node 20 names only the character position. */
function lineOfJsonError(text: string, message: string): string {
  const position = /at position (\d+)/.exec(message);
  return position ? `line ${text.slice(0, Number(position[1])).split("\n").length}: ` : "";
}

async function readJson(source: string, path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new InputError(`${source}: cannot read it (${(error as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    throw new InputError(`${source}: ${lineOfJsonError(text, message)}not valid JSON (${message})`);
  }
}

/** A one-line progress bar on stderr, drawn only on a terminal so that CI logs and pipes stay clean. */
class ProgressBar {
  private shown = -1;

  private constructor(
    private readonly label: string,
    private readonly total: number,
  ) {}

  static onTerminal(label: string, total: number): ProgressBar | undefined {
    return process.stderr.isTTY && total > 0 ? new ProgressBar(label, total) : undefined;
  }

  update(done: number): void {
    const percent = Math.min(100, Math.floor((done / this.total) * 100));
    if (percent === this.shown) return;
    this.shown = percent;
    const filled = Math.round(percent / 5);
    process.stderr.write(`\r${this.label} [${"#".repeat(filled)}${" ".repeat(20 - filled)}] ${percent}%`);
  }

  clear(): void {
    if (this.shown >= 0) process.stderr.write("\r\x1b[K");
  }
}

/** The trace read as a stream, chunk by chunk into the importer: a large file is never held whole. */
async function importTrace(path: string, bucketMs: number | undefined, endpoint: string | undefined): Promise<TraceImport> {
  const source = `--trace ${path}`;
  let importer: TraceImporter;
  try {
    importer = new TraceImporter({ bucketMs, endpoint });
  } catch (error) {
    throw new InputError(`--bucket-ms: ${(error as Error).message}`);
  }
  let bar: ProgressBar | undefined;
  try {
    bar = ProgressBar.onTerminal(`importing ${path}`, (await stat(path)).size);
    const stream = createReadStream(path, { encoding: "utf8" });
    for await (const chunk of stream) {
      importer.push(chunk as string);
      bar?.update(stream.bytesRead);
    }
    return importer.finish();
  } catch (error) {
    if (error instanceof TraceError) throw new InputError(`${source}: ${error.message}`);
    if (typeof (error as NodeJS.ErrnoException).code === "string") throw new InputError(`${source}: cannot read it (${(error as Error).message})`);
    throw error;
  } finally {
    bar?.clear();
  }
}

/** The endpoint the configs protect: the flag's, else the only one the scenario names. */
function chooseEndpoint(scenario: Scenario, flag: string | undefined): string {
  if (flag !== undefined) return flag;
  const names = scenarioEndpoints(scenario);
  if (names.length === 1) return names[0]!;
  if (names.length === 0) throw new InputError("endpoint: the scenario names no endpoint");
  throw new InputError(`endpoint: the scenario names several endpoints (${names.join(", ")}); choose one with --endpoint`);
}

/** Everything the flags describe, validated by the lab's own schema and rules. */
async function buildInput(flags: ReturnType<typeof parseFlags>): Promise<{ input: WhatIfInput; notes: string[] }> {
  const configPaths = flags.config ?? [];
  if ((flags.scenario === undefined) === (flags.trace === undefined)) throw new InputError(`give one of --scenario FILE and --trace FILE\n${USAGE}`);
  if (configPaths.length === 0) throw new InputError(`configs: give at least one --config FILE\n${USAGE}`);
  if (flags["bucket-ms"] !== undefined && flags.trace === undefined) throw new InputError("--bucket-ms goes with --trace");
  const sources: Sources = {
    scenario: flags.scenario !== undefined ? `--scenario ${flags.scenario}` : `--trace ${flags.trace}`,
    configs: configPaths,
    rpsFromTrace: flags.trace !== undefined && flags.rps === undefined,
  };
  if (flags.endpoint !== undefined) {
    const endpoint = nameSchema.safeParse(flags.endpoint, REPORT_INPUT);
    if (!endpoint.success) throw schemaError(endpoint.error, ["endpoint"], sources);
  }

  let scenario: Scenario;
  let rps = numberFlag("--rps", flags.rps);
  let notes: string[] = [];
  if (flags.trace !== undefined) {
    const trace = await importTrace(flags.trace, numberFlag("--bucket-ms", flags["bucket-ms"]), flags.endpoint);
    ({ scenario, notes } = trace);
    rps ??= trace.rps;
  } else {
    const parsed = scenarioSchema.safeParse(await readJson(sources.scenario, flags.scenario!), REPORT_INPUT);
    if (!parsed.success) throw schemaError(parsed.error, ["scenario"], sources);
    scenario = parsed.data;
  }
  if (rps === undefined) throw new InputError("traffic.rps: give --rps N (a scenario file carries no rate)");

  const configs = await Promise.all(configPaths.map((path) => readJson(`--config ${path}`, path)));
  const body = {
    scenario,
    endpoint: chooseEndpoint(scenario, flags.endpoint),
    traffic: { rps, arrival: flags.arrival },
    durationMs: numberFlag("--duration", flags.duration),
    seed: numberFlag("--seed", flags.seed),
    instances: numberFlag("--instances", flags.instances),
    configs,
  };
  const parsed = whatIfInputSchema.safeParse(body, REPORT_INPUT);
  if (!parsed.success) throw schemaError(parsed.error, [], sources);
  const input: WhatIfInput = { ...parsed.data, scenario };
  const problem = whatIfProblem(input);
  if (problem) throw problemError(problem, sources);
  return { input, notes };
}

interface Column {
  title: string;
  value: (result: WhatIfConfigResult) => number | null;
  /** Only calls and successes: fewer of everything else is better. */
  higherIsBetter?: boolean;
}

const COLUMNS: Column[] = [
  { title: "calls", value: (result) => result.calls, higherIsBetter: true },
  { title: "successes", value: (result) => result.successes, higherIsBetter: true },
  { title: "failures", value: (result) => result.failures },
  { title: "timeouts", value: (result) => result.timeouts },
  { title: "rejected", value: (result) => result.rejected },
  { title: "upstream", value: (result) => result.upstreamCalls },
  { title: "wasted", value: (result) => result.wastedCalls },
  { title: "rejected good", value: (result) => result.rejectedGood },
  { title: "time to open (ms)", value: (result) => result.timeToOpenMs },
  { title: "time to close (ms)", value: (result) => result.timeToCloseMs },
];

/** A column's cells, the best value starred; nothing is starred where every config scores the same. */
function columnCells(column: Column, results: WhatIfConfigResult[]): string[] {
  const values = results.map(column.value);
  const known = values.filter((value): value is number => value !== null);
  const best = column.higherIsBetter ? Math.max(...known) : Math.min(...known);
  const differ = known.length > 0 && (known.length < values.length || known.some((value) => value !== best));
  return values.map((value) => (value === null ? "-" : `${Number(value.toFixed(1))}${differ && value === best ? "*" : ""}`));
}

function formatTable(result: WhatIfResult): string {
  const columns = [{ title: "config", cells: result.results.map((one) => one.label), left: true }, ...COLUMNS.map((column) => ({ title: column.title, cells: columnCells(column, result.results), left: false }))];
  const widths = columns.map((column) => Math.max(column.title.length, ...column.cells.map((cell) => cell.length)));
  const row = (cells: string[]) => cells.map((cell, index) => (columns[index]!.left ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!))).join("  ").trimEnd();
  const lines = [row(columns.map((column) => column.title)), ...result.results.map((_, index) => row(columns.map((column) => column.cells[index]!)))];
  return `${lines.join("\n")}\n* the best of its column: more calls and successes, fewer of the rest, sooner open and close; - none\n`;
}

function describeRun(input: WhatIfInput, result: WhatIfResult): string {
  const instances = input.instances ?? 1;
  return (
    `${result.simulatedCalls} simulated calls: scenario ${input.scenario.name} on endpoint ${input.endpoint}, ` +
    `${Number(input.traffic.rps.toFixed(3))} rps ${input.traffic.arrival ?? "steady"}, ${durationOf(input)} ms, ` +
    `${instances} instance${instances === 1 ? "" : "s"}, seed ${seedOf(input)}\n\n`
  );
}

async function main(args: string[]): Promise<void> {
  const flags = parseFlags(args);
  if (flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const { input, notes } = await buildInput(flags);
  for (const note of notes) process.stderr.write(`whatif: note: ${note}\n`);
  const bar = ProgressBar.onTerminal("simulating", 1);
  const result = await runWhatIf(input, (done) => bar?.update(done));
  bar?.clear();
  process.stdout.write(flags.json ? `${JSON.stringify(result)}\n` : describeRun(input, result) + formatTable(result));
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`whatif: ${error instanceof InputError ? "" : "internal error: "}${(error as Error).message}\n`);
  process.exitCode = error instanceof InputError ? 2 : 1;
}
