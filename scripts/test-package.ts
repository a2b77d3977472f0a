/**
 * `npm run test:package`: the library as a user gets it. Packs the tarball, lints it (publint,
 * arethetypeswrong), installs it into a fresh project under the OS temp dir (offline: the package
 * has no dependencies), and there runs the README's example with plain node as ESM and CommonJS,
 * type-checks consumers under `nodenext` and `bundler` (a line that must not compile included),
 * and runs an esbuild browser bundle of it in Chromium.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "@playwright/test";
import { build } from "esbuild";
import { CHROMIUM_ARGS, chromiumExecutable } from "./chromium";

const root = fileURLToPath(new URL("../", import.meta.url));
const packageDir = join(root, "lib/breaker");
const manifest = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as { name: string; version: string };
const bin = (name: string) => join(root, "node_modules/.bin", name);

function run(command: string, args: string[], cwd = root): { status: number; output: string } {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", timeout: 120_000 });
  return { status: result.status ?? 1, output: `${result.stdout}${result.stderr}` };
}

function mustRun(command: string, args: string[], cwd = root): string {
  const { status, output } = run(command, args, cwd);
  assert.equal(status, 0, `${command} ${args.join(" ")} failed:\n${output}`);
  return output;
}

async function step(title: string, body: () => void | Promise<void>): Promise<void> {
  const started = performance.now();
  await body();
  console.log(`  ✓ ${title} (${Math.round(performance.now() - started)} ms)`);
}

/** The README's example and the output it documents, as the README shows them. */
function readmeExample(): { code: string; output: string } {
  const readme = readFileSync(join(packageDir, "README.md"), "utf8");
  const match = /<!-- example:seed[^>]*-->\s*```js\n([\s\S]*?)```[\s\S]*?```text\n([\s\S]*?)```/.exec(readme);
  assert.ok(match?.[1] && match[2], "lib/breaker/README.md lost its example:seed block and its output");
  return { code: match[1], output: match[2] };
}

/** The example as CommonJS: the same code with its import turned into a require. */
function asCommonJs(code: string): string {
  const converted = code.replace(/^import \{([^}]+)\} from ("[^"]+");$/m, "const {$1} = require($2);");
  assert.notEqual(converted, code, "the example's import line was not found");
  return converted;
}

const TYPED_CONSUMER = `
import { BreakerRegistry, CircuitBreaker, CircuitOpenError, ManualClock, type BreakerSnapshot, type OptionError, type PersistedState } from "@breaker-lab/breaker";

const clock = new ManualClock(0);
const breaker = new CircuitBreaker({ name: "typed", halfOpenPolicy: "rates", slidingWindow: { type: "count", size: 10 }, clock });
const saved: PersistedState = breaker.exportState();
export const snapshot: BreakerSnapshot = new CircuitBreaker({ initialState: saved, clock }).snapshot();
const registry = new BreakerRegistry({ options: { failureThreshold: 2, clock }, maxBreakers: 10 });
registry.subscribe((event) => {
  const key: string = event.key;
  void key;
});

export async function run(): Promise<number> {
  const result = await registry.get("host").tryExecute(async (signal: AbortSignal) => (signal.aborted ? 0 : 1));
  if (result.ok) return result.value;
  if (result.error instanceof CircuitOpenError) return result.error.retryAfterMs ?? -1;
  return -2;
}

export function optionOf(error: unknown): string {
  return (error as OptionError).option;
}
`;

// Each line marked here must fail to compile, and nothing else may.
const MUST_FAIL = [
  { line: 'new CircuitBreaker({ halfOpenPolicy: "sometimes" });', code: "TS2322" },
  { line: "new CircuitBreaker().inFlight;", code: "TS2339" },
];
const BAD_CONSUMER = `import { CircuitBreaker } from "@breaker-lab/breaker";\n${MUST_FAIL.map(({ line }) => line).join("\n")}\n`;

function tsconfig(module: "nodenext" | "preserve", moduleResolution: "nodenext" | "bundler", files: string[]): string {
  return JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: "es2022", lib: ["es2022", "dom"], module, moduleResolution, types: [], skipLibCheck: false },
    files,
  });
}

/** Type-check `files` in `project`; with `failing`, expect exactly the MUST_FAIL errors in it. */
function typeCheck(project: string, config: string, failing?: string): void {
  const tsc = join(root, "node_modules/typescript/bin/tsc");
  const { status, output } = run(process.execPath, [tsc, "-p", config], project);
  if (failing === undefined) {
    assert.equal(status, 0, `tsc -p ${config}:\n${output}`);
    return;
  }
  assert.notEqual(status, 0, `${failing} compiled, but must not`);
  const errors = output.split("\n").filter((line) => / error TS\d+/.test(line));
  const expected = MUST_FAIL.map(({ code }, index) => `${failing}(${index + 2},`.concat(code));
  assert.deepEqual(
    errors.map((line) => line.replace(/^(\S+\(\d+),\d+\): error (TS\d+).*$/, "$1,$2")),
    expected,
    `tsc -p ${config} should fail exactly on the marked lines:\n${output}`,
  );
}

const BROWSER_ENTRY = `
import { BreakerRegistry, CircuitBreaker, CircuitOpenError, ManualClock } from "@breaker-lab/breaker";

async function main() {
  const clock = new ManualClock(0);
  const breaker = new CircuitBreaker({ failureThreshold: 2, openMs: 1000, clock });
  const states = [];
  breaker.subscribe((event) => event.type === "state" && states.push(event.to));
  for (let i = 0; i < 2; i++) await breaker.execute(() => Promise.reject(new Error("down"))).catch(() => {});
  const refused = await breaker.tryExecute(() => "never");
  clock.advance(1000);
  await breaker.execute(async (signal) => (signal instanceof AbortSignal ? "ok" : "no signal"));
  const restored = new CircuitBreaker({ clock, initialState: JSON.parse(JSON.stringify(breaker.exportState())) });
  const registry = new BreakerRegistry({ options: { clock } });
  return {
    states,
    refusedByOpen: !refused.ok && refused.rejected && refused.error instanceof CircuitOpenError,
    restored: restored.snapshot().totals,
    sameBreaker: registry.get("a") === registry.get("a"),
    userAgent: navigator.userAgent.includes("Chrome"),
  };
}

main().then((result) => { window.__result = result; }, (error) => { window.__result = { error: String(error) }; });
`;

async function main(): Promise<void> {
  console.log(`${manifest.name}@${manifest.version}:`);
  const tarball = join(root, ".pack", `${manifest.name.replace("@", "").replace("/", "-")}-${manifest.version}.tgz`);
  const project = mkdtempSync(join(tmpdir(), "breaker-package-"));
  try {
    await step("build and pack (npm run pack:lib)", () => {
      mustRun("npm", ["run", "--silent", "pack:lib"]);
    });
    await step("publint --strict", () => {
      mustRun(bin("publint"), ["--strict", packageDir]);
    });
    await step("arethetypeswrong: every resolution mode finds the right types", () => {
      mustRun(bin("attw"), [tarball]);
    });
    await step("npm install of the tarball into a fresh project, offline", () => {
      writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, version: "1.0.0" }));
      mustRun("npm", ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", tarball], project);
      const installed = JSON.parse(readFileSync(join(project, "node_modules", manifest.name, "package.json"), "utf8")) as { version: string };
      assert.equal(installed.version, manifest.version);
    });
    const example = readmeExample();
    await step("the README example, as ESM, under plain node", () => {
      writeFileSync(join(project, "example.mjs"), example.code);
      assert.equal(mustRun(process.execPath, ["example.mjs"], project), example.output);
    });
    await step("the README example, as CommonJS, under plain node", () => {
      writeFileSync(join(project, "example.cjs"), asCommonJs(example.code));
      assert.equal(mustRun(process.execPath, ["example.cjs"], project), example.output);
    });
    await step("tsc --strict, moduleResolution nodenext: an ES module and a CommonJS consumer", () => {
      writeFileSync(join(project, "consumer.mts"), TYPED_CONSUMER);
      writeFileSync(join(project, "consumer.cts"), TYPED_CONSUMER);
      writeFileSync(join(project, "bad.mts"), BAD_CONSUMER);
      writeFileSync(join(project, "tsconfig.nodenext.json"), tsconfig("nodenext", "nodenext", ["consumer.mts", "consumer.cts"]));
      writeFileSync(join(project, "tsconfig.nodenext-bad.json"), tsconfig("nodenext", "nodenext", ["bad.mts"]));
      typeCheck(project, "tsconfig.nodenext.json");
      typeCheck(project, "tsconfig.nodenext-bad.json", "bad.mts");
    });
    await step("tsc --strict, moduleResolution bundler", () => {
      writeFileSync(join(project, "consumer.ts"), TYPED_CONSUMER);
      writeFileSync(join(project, "bad.ts"), BAD_CONSUMER);
      writeFileSync(join(project, "tsconfig.bundler.json"), tsconfig("preserve", "bundler", ["consumer.ts"]));
      writeFileSync(join(project, "tsconfig.bundler-bad.json"), tsconfig("preserve", "bundler", ["bad.ts"]));
      typeCheck(project, "tsconfig.bundler.json");
      typeCheck(project, "tsconfig.bundler-bad.json", "bad.ts");
    });
    await step("an esbuild browser bundle of it, run in Chromium", async () => {
      writeFileSync(join(project, "browser.js"), BROWSER_ENTRY);
      const bundle = await build({ entryPoints: [join(project, "browser.js")], absWorkingDir: project, bundle: true, platform: "browser", format: "iife", write: false, logLevel: "warning" });
      const code = bundle.outputFiles[0]?.text ?? "";
      assert.doesNotMatch(code, /require\(|process\.|node:/, "the browser bundle pulled in something of Node's");
      const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
      try {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on("pageerror", (error) => errors.push(String(error)));
        await page.setContent("<!doctype html><title>breaker</title>");
        await page.addScriptTag({ content: code });
        const result = await (await page.waitForFunction(() => (window as unknown as { __result?: unknown }).__result, undefined, { timeout: 10_000 })).jsonValue();
        assert.deepEqual(errors, []);
        assert.deepEqual(result, {
          states: ["OPEN", "HALF_OPEN", "CLOSED"],
          refusedByOpen: true,
          restored: { calls: 4, successes: 1, failures: 2, timeouts: 0, rejected: 1, ignored: 0, slow: 0 },
          sameBreaker: true,
          userAgent: true,
        });
      } finally {
        await browser.close();
      }
    });
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}

await main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
