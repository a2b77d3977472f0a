/**
 * `npm run build:lib`: lib/breaker as the package `@breaker-lab/breaker` in lib/breaker/dist/.
 * esbuild writes the code (one ES module, one CommonJS file); tsc writes the declarations, which
 * are then given twice, once per format (`.d.ts` beside `index.js`, `.d.cts` beside `index.cjs`),
 * so that TypeScript under `nodenext` reads each entry's types in that entry's own format.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type BuildOptions } from "esbuild";

const packageDir = fileURLToPath(new URL("../lib/breaker/", import.meta.url));
const dist = join(packageDir, "dist");
const declarations = join(dist, "declarations");

/** The shared esbuild options of both formats; the size benchmark builds the same way. */
export const LIBRARY_BUILD = {
  entryPoints: [join(packageDir, "index.ts")],
  bundle: true,
  platform: "neutral",
  target: "es2022",
  logLevel: "warning",
} satisfies BuildOptions;

function filesBelow(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesBelow(path) : [path];
  });
}

/** Relative specifiers of a declaration file, given the extension of its format. */
function withExtension(text: string, extension: ".js" | ".cjs"): string {
  return text.replace(/((?:from|import)\s*\(?\s*["'])(\.{1,2}\/[^"']+?)(["'])/g, (_match, head: string, path: string, tail: string) => `${head}${path}${extension}${tail}`);
}

async function main(): Promise<void> {
  rmSync(dist, { recursive: true, force: true });
  await build({ ...LIBRARY_BUILD, format: "esm", outfile: join(dist, "index.js") });
  await build({ ...LIBRARY_BUILD, format: "cjs", outfile: join(dist, "index.cjs") });
  const tsc = fileURLToPath(new URL("../node_modules/typescript/bin/tsc", import.meta.url));
  execFileSync(process.execPath, [tsc, "-p", join(packageDir, "tsconfig.build.json")], { stdio: "inherit" });
  for (const file of filesBelow(declarations)) {
    const text = readFileSync(file, "utf8");
    const target = join(dist, relative(declarations, file)).replace(/\.d\.ts$/, "");
    mkdirSync(join(target, ".."), { recursive: true });
    writeFileSync(`${target}.d.ts`, withExtension(text, ".js"));
    writeFileSync(`${target}.d.cts`, withExtension(text, ".cjs"));
  }
  rmSync(declarations, { recursive: true, force: true });
  console.log(`built ${relative(process.cwd(), dist)}: ${readdirSync(dist).length} files`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
