/**
 * `npm run soak -- --seconds N`: build if needed, start a lab server of its own on loopback,
 * soak it for N seconds (default 300), print the report, and stop the server.
 *
 * `--rate` calls/s (200), `--clients` live-stream clients (50), `--tick-ms` how often a burst
 * of calls leaves (100: each breaker's share in one request, all at once); `--healthy` keeps every endpoint
 * healthy (every call a real request answered by the mock), `--compact` has the clients read the
 * dashboard's compact stream, `--persistent` keeps them connected for the whole run; `--chart
 * FILE.svg` writes the per-second chart.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { LabServer } from "../lab-server";
import { formatSeconds, soakChart } from "./chart";
import { formatSoakReport, runSoak } from "./run";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "300" },
    rate: { type: "string", default: "200" },
    clients: { type: "string", default: "50" },
    "tick-ms": { type: "string", default: "100" },
    healthy: { type: "boolean", default: false },
    compact: { type: "boolean", default: false },
    persistent: { type: "boolean", default: false },
    chart: { type: "string" },
  },
});
function integerOption(name: "seconds" | "rate" | "clients" | "tick-ms", min: number, max: number): number {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`--${name} must be an integer from ${min} to ${max}, got ${values[name]}`);
    process.exit(2);
  }
  return value;
}
const seconds = integerOption("seconds", 5, 3_600);
const rate = integerOption("rate", 1, 5_000);
const clients = integerOption("clients", 0, 1_000);
const tickMs = integerOption("tick-ms", 10, 1_000);

const build = spawnSync(process.execPath, ["scripts/start.mjs", "--build-only"], { stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);

const server = await LabServer.start();
const unhandled: string[] = [];
try {
  console.log(`Soaking ${server.url} for ${seconds} s…`);
  const report = await runSoak({
    baseURL: server.url,
    seconds,
    callsPerSecond: rate,
    sseClients: clients,
    toggleEveryMs: values.healthy ? null : 3_000,
    streamPath: values.compact ? "/api/events?compact=1" : "/api/events",
    persistentClients: values.persistent,
    tickMs,
    log: (line) => console.log(line),
  });
  for (const line of server.output.split("\n")) {
    if (/unhandled|MaxListenersExceeded|Error:/i.test(line)) unhandled.push(line);
  }
  console.log(`\n${formatSoakReport(report)}`);
  console.log(`| server errors logged | ${unhandled.length} |`);
  console.log(`\n${formatSeconds(report.perSecond)}`);
  if (values.chart) {
    const title = `soak: ${rate} calls/s, ${clients} ${values.compact ? "compact" : "full"} clients${values.healthy ? ", healthy endpoints" : ""}, ${seconds} s`;
    writeFileSync(values.chart, soakChart(report.perSecond, title));
    console.log(`chart: ${values.chart}`);
  }
  for (const line of unhandled.slice(0, 20)) console.log(`  ${line}`);
  console.log(`\n${JSON.stringify(report)}`);
  const healthy = report.sseClientsAfter === 0 && report.serverErrors === 0 && unhandled.length === 0 && report.timelineLength <= 10_000;
  process.exitCode = healthy ? 0 : 1;
} finally {
  await server.stop();
}
