#!/usr/bin/env node
// `npm start`: serve the production build, building first when there is none or when the
// sources changed since the last build, so `npm install && npm start` just works.
// `--build-only` stops after that step (the soak and the benchmarks start servers of their own).
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const nextBin = join(root, "node_modules", "next", "dist", "bin", "next");
const hashFile = join(root, ".next", "source-hash");
const buildInputs = [
  "app",
  "lib",
  "public",
  "proxy.ts",
  "instrumentation.ts",
  "next.config.ts",
  "postcss.config.mjs",
  "tsconfig.json",
  "package-lock.json",
];

function* walk(path) {
  if (!existsSync(path)) return;
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path).sort()) yield* walk(join(path, entry));
  } else if (!/\.test\.tsx?$/.test(path)) {
    yield path;
  }
}

function sourceHash() {
  const hash = createHash("sha256");
  for (const input of buildInputs) {
    for (const file of walk(join(root, input))) {
      hash.update(relative(root, file)).update("\0").update(readFileSync(file)).update("\0");
    }
  }
  return hash.digest("hex");
}

const port = process.env.PORT || "3000";
const host = process.env.HOST || "127.0.0.1";
if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
  console.error(`PORT must be a port number (0-65535), got ${JSON.stringify(port)}`);
  process.exit(1);
}

const currentHash = sourceHash();
const builtHash = existsSync(hashFile) ? readFileSync(hashFile, "utf8").trim() : null;
if (!existsSync(join(root, ".next", "BUILD_ID")) || builtHash !== currentHash) {
  console.log(builtHash ? "Sources changed since the last build; rebuilding…" : "No production build yet; building…");
  const build = spawnSync(process.execPath, [nextBin, "build"], { cwd: root, stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
  writeFileSync(hashFile, currentHash);
}

if (process.argv.includes("--build-only")) process.exit(0);

console.log(`Breaker Lab on http://${host === "127.0.0.1" ? "localhost" : host}:${port}`);
const server = spawn(process.execPath, [nextBin, "start", "--hostname", host, "--port", port], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, PORT: port },
});
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => server.kill(signal));
}
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
