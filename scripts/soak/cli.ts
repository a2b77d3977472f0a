/**
 * `npm run soak -- --seconds N`: build if needed, start a lab server of its own on loopback,
 * soak it for N seconds (default 300), print the report, and stop the server.
 */
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { LabServer } from "../lab-server";
import { formatSoakReport, runSoak } from "./run";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "300" }, rate: { type: "string", default: "200" }, clients: { type: "string", default: "50" } } });
const seconds = Number(values.seconds);
if (!Number.isInteger(seconds) || seconds < 5 || seconds > 3_600) {
  console.error(`--seconds must be an integer from 5 to 3600, got ${values.seconds}`);
  process.exit(2);
}

const build = spawnSync(process.execPath, ["scripts/start.mjs", "--build-only"], { stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);

const server = await LabServer.start();
const unhandled: string[] = [];
try {
  console.log(`Soaking ${server.url} for ${seconds} s…`);
  const report = await runSoak({
    baseURL: server.url,
    seconds,
    callsPerSecond: Number(values.rate),
    sseClients: Number(values.clients),
    log: (line) => console.log(line),
  });
  for (const line of server.output.split("\n")) {
    if (/unhandled|MaxListenersExceeded|Error:/i.test(line)) unhandled.push(line);
  }
  console.log(`\n${formatSoakReport(report)}`);
  console.log(`| server errors logged | ${unhandled.length} |`);
  for (const line of unhandled.slice(0, 20)) console.log(`  ${line}`);
  console.log(`\n${JSON.stringify(report)}`);
  const healthy = report.sseClientsAfter === 0 && report.serverErrors === 0 && unhandled.length === 0 && report.timelineLength <= 10_000;
  process.exitCode = healthy ? 0 : 1;
} finally {
  await server.stop();
}
