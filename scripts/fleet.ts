/**
 * `npm run fleet -- [--instances N] [--redis-url URL] [--base-port P]`: build if needed, then run
 * N lab instances (1-9, default 3) side by side on loopback ports P, P+1, … (default 3001), all
 * given one Redis: the one --redis-url or REDIS_URL names, else a redis-server of the fleet's own
 * on a free port. Each instance's output comes prefixed with its name ([a], [b], …). Ctrl-C or
 * SIGTERM stops the instances and the Redis the fleet started (exit 0); an instance that exits on
 * its own stops the rest (exit 1); a bad flag is named with what it accepts (exit 2).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { RedisServer, stopProcess } from "./redis-server";

const root = fileURLToPath(new URL("..", import.meta.url));
const nextBin = fileURLToPath(new URL("../node_modules/next/dist/bin/next", import.meta.url));
const startScript = fileURLToPath(new URL("./start.mjs", import.meta.url));

const DEFAULT_INSTANCES = 3;
// One letter each, a to i, for LAB_INSTANCE and the output prefix.
const MAX_INSTANCES = 9;
const DEFAULT_BASE_PORT = 3001;
const MAX_PORT = 65_535;
// `next start` on a built app answers within a few seconds; a loaded machine gets ample slack.
const READY_TIMEOUT_MS = 60_000;
const READY_POLL_MS = 200;
// One poll that hangs must not outlast the deadline by much.
const REQUEST_TIMEOUT_MS = 2_000;

const USAGE =
  `usage: npm run fleet -- [--instances N (1-${MAX_INSTANCES}, default ${DEFAULT_INSTANCES})] ` +
  `[--redis-url redis://… or rediss://…] [--base-port P (1-${MAX_PORT}, default ${DEFAULT_BASE_PORT})]`;

const OPTIONS = {
  instances: { type: "string" },
  "redis-url": { type: "string" },
  "base-port": { type: "string" },
} as const;
type FlagName = keyof typeof OPTIONS;

export interface FleetOptions {
  instances: number;
  /** Undefined when not given: REDIS_URL's then, else a redis-server of the fleet's own. */
  redisUrl: string | undefined;
  /** Instance i (from 0) listens on basePort + i. */
  basePort: number;
}

/** A flag the fleet cannot take: reported with the usage, exit status 2. */
export class FleetArgsError extends Error {}

function isFlagName(name: string): name is FlagName {
  return Object.hasOwn(OPTIONS, name);
}

/**
 * The raw value of each flag given. parseArgs' strict mode names an unknown flag only inside
 * advice about positional arguments, which the fleet takes none of; reading its tokens lets each
 * refusal say just what is wrong.
 */
function flagValues(argv: string[]): Partial<Record<FlagName, string>> {
  const { tokens } = parseArgs({ args: argv, options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
  const values: Partial<Record<FlagName, string>> = {};
  for (const token of tokens) {
    if (token.kind === "positional") throw new FleetArgsError(`unexpected argument ${JSON.stringify(token.value)}: values go after their flag`);
    if (token.kind !== "option") continue;
    if (!isFlagName(token.name)) throw new FleetArgsError(`unknown flag ${token.rawName}`);
    // parseArgs takes the next argument as the value even when it is the next flag (but "-1" is a number out of range).
    if (token.value === undefined || (!token.inlineValue && /^-\D/.test(token.value))) throw new FleetArgsError(`${token.rawName} needs a value`);
    values[token.name] = token.value;
  }
  return values;
}

function integerFlag(flag: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= min && value <= max)) throw new FleetArgsError(`${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return value;
}

function redisUrlFlag(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const protocol = URL.canParse(raw) ? new URL(raw).protocol : undefined;
  if (protocol !== "redis:" && protocol !== "rediss:") throw new FleetArgsError(`--redis-url must be a redis:// or rediss:// URL, got ${JSON.stringify(raw)}`);
  return raw;
}

/** The fleet's options from its command line (without node and the script); throws FleetArgsError. */
export function parseFleetArgs(argv: string[]): FleetOptions {
  const values = flagValues(argv);
  const instances = integerFlag("--instances", values.instances, DEFAULT_INSTANCES, 1, MAX_INSTANCES);
  // Every instance's port must exist, so the range shrinks as the fleet grows.
  const basePort = integerFlag("--base-port", values["base-port"], DEFAULT_BASE_PORT, 1, MAX_PORT - instances + 1);
  return { instances, redisUrl: redisUrlFlag(values["redis-url"]), basePort };
}

/** The name of the i-th instance (from 0): its LAB_INSTANCE and its output prefix. */
function instanceName(index: number): string {
  return String.fromCharCode("a".charCodeAt(0) + index);
}

interface Instance {
  name: string;
  url: string;
  child: ChildProcess;
}

function prefixLines(from: Readable, to: Writable, prefix: string): void {
  createInterface({ input: from, crlfDelay: Infinity }).on("line", (line) => to.write(`${prefix}${line}\n`));
}

function fleetTable(instances: Instance[], redisUrl: string, ownRedis: boolean): string {
  const rows: [string, string][] = [
    ["instance", "url"],
    ...instances.map(({ name, url }): [string, string] => [name, url]),
    ["redis", ownRedis ? `${redisUrl} (started by the fleet)` : redisUrl],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, url]) => `${name.padEnd(width)}  ${url}`).join("\n");
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })).ok;
  } catch {
    return false;
  }
}

class Fleet {
  private stopping = false;
  // The promise rather than the server: a stop during its start still finds it, and waits for it.
  private redis: Promise<RedisServer> | undefined;
  private readonly instances: Instance[] = [];

  async start(options: FleetOptions): Promise<void> {
    const givenUrl = options.redisUrl ?? process.env.REDIS_URL;
    const redisUrl = givenUrl ?? (await this.startRedis()).url;
    if (this.stopping) return;
    console.log(`fleet: ${options.instances} instance(s) from port ${options.basePort}, Redis at ${redisUrl}`);
    for (let index = 0; index < options.instances; index++) {
      this.instances.push(this.spawnInstance(instanceName(index), options.basePort + index, redisUrl));
    }
    await Promise.all(this.instances.map((instance) => this.waitUntilServing(instance)));
    if (this.stopping) return;
    console.log(`\n${fleetTable(this.instances, redisUrl, givenUrl === undefined)}\n\nCtrl-C stops them all.`);
  }

  /** Stops every instance and the Redis the fleet started, then exits; later calls do nothing. */
  async stop(code: number, message?: string): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (message) console.error(message);
    await Promise.all(this.instances.map(({ child }) => stopProcess(child)));
    const redis = await this.redis?.catch(() => undefined);
    await redis?.stop();
    process.exit(code);
  }

  private startRedis(): Promise<RedisServer> {
    this.redis = RedisServer.start();
    return this.redis;
  }

  private spawnInstance(name: string, port: number, redisUrl: string): Instance {
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, [nextBin, "start", "--hostname", "127.0.0.1", "--port", String(port)], {
      cwd: root,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", REDIS_URL: redisUrl, PORT: String(port), LAB_INSTANCE: name },
      stdio: ["ignore", "pipe", "pipe"],
    });
    prefixLines(child.stdout, process.stdout, `[${name}] `);
    prefixLines(child.stderr, process.stderr, `[${name}] `);
    child.on("error", (error) => void this.stop(1, `fleet: instance ${name} failed: ${error.message}; stopping the fleet`));
    child.once("exit", (code, signal) => {
      if (!this.stopping) void this.stop(1, `fleet: instance ${name} (${url}) exited on its own (${signal ?? `code ${code}`}); stopping the fleet`);
    });
    return { name, url, child };
  }

  private async waitUntilServing({ name, url }: Instance): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!this.stopping) {
      if (await answers(`${url}/api/state`)) return;
      if (Date.now() > deadline) throw new Error(`instance ${name} (${url}) did not answer GET /api/state within ${READY_TIMEOUT_MS / 1_000} s`);
      await sleep(READY_POLL_MS);
    }
  }
}

function optionsOrExit(argv: string[]): FleetOptions {
  try {
    return parseFleetArgs(argv);
  } catch (error) {
    if (!(error instanceof FleetArgsError)) throw error;
    console.error(`fleet: ${error.message}\n${USAGE}`);
    process.exit(2);
  }
}

function buildIfNeeded(): void {
  const build = spawnSync(process.execPath, [startScript, "--build-only"], { cwd: root, stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

async function main(): Promise<void> {
  const options = optionsOrExit(process.argv.slice(2));
  buildIfNeeded();
  const fleet = new Fleet();
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void fleet.stop(0));
  try {
    await fleet.start(options);
  } catch (error) {
    await fleet.stop(1, `fleet: ${(error as Error).message}`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
