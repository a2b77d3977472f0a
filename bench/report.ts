/** Markdown tables of a benchmark run, as printed and as written into BENCHMARKS.md. */
import { formatNs, markdownTable } from "./harness";
import type { BenchResults } from "./run";

function kib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

function verdict(met: boolean): string {
  return met ? "met" : "**missed**";
}

function renderWhatIf(whatif: NonNullable<BenchResults["whatif"]>, libraryNs: number | undefined): string {
  const rate = (callsPerSecond: number) => `${(callsPerSecond / 1e6).toFixed(2)} M/s`;
  const rows = [
    ["Node", `${whatif.node.seconds.toFixed(2)} s`, rate(whatif.node.callsPerSecond), `${Math.round(whatif.node.nsPerCall)} ns`, verdict(whatif.node.callsPerSecond >= 2e6)],
  ];
  if (whatif.chromium) {
    rows.push(["Chromium, Web Worker", `${whatif.chromium.seconds.toFixed(2)} s`, rate(whatif.chromium.callsPerSecond), `${Math.round(whatif.chromium.nsPerCall)} ns`, verdict(whatif.chromium.callsPerSecond >= 2e6)]);
  }
  const library = libraryNs === undefined ? "" : ` The library's own cost per call in the same run (scenario c, a call with a timeout): ${formatNs(libraryNs)}.`;
  const heap =
    whatif.node.heapGrowthKiB === null || whatif.smallHeapGrowthKiB === null
      ? ""
      : ` Live heap during the run (after a full collection, every 50 000 arrivals): at most ${kib(whatif.node.heapGrowthKiB * 1024)} above the start, against ${kib(whatif.smallHeapGrowthKiB * 1024)} with a fifth of the calls.`;
  return (
    `### What-if: ${whatif.simulatedCalls.toLocaleString("en")} simulated calls (3 configs × 10 min × 1000 calls/s)\n\n` +
    markdownTable(["where", "time", "simulated calls/s", "per simulated call", "goal ≥ 2 M/s"], rows) +
    `\n\n${library}${heap}`.trimEnd()
  );
}

function renderFleet(fleet: NonNullable<BenchResults["fleet"]>): string {
  const { wasted } = fleet;
  return (
    `### Shared state: 3 instances on one Redis (loopback)\n\n` +
    markdownTable(
      ["figure", "measured", "goal", "verdict"],
      [
        [`trip on one instance → the other announces it (${fleet.trips} trips)`, `p50 ${fleet.propagationP50Ms.toFixed(1)} ms, p95 ${fleet.propagationP95Ms.toFixed(1)} ms, max ${fleet.propagationMaxMs.toFixed(1)} ms`, "p95 < 100 ms", verdict(fleet.propagationP95Ms < 100)],
        ["fire-call route, breaker CLOSED: shared / memory", `${Math.round(fleet.closedSharedRps)} / ${Math.round(fleet.closedMemoryRps)} req/s (${(fleet.closedSharedRps / fleet.closedMemoryRps).toFixed(2)}×)`, "the same within noise", verdict(Math.abs(fleet.closedSharedRps / fleet.closedMemoryRps - 1) < 0.1)],
        [
          `calls reaching a dead upstream, ${wasted.seconds} s at ${wasted.callsPerSecondPerInstance} calls/s per instance`,
          `3 shared ${wasted.shared}, 3 alone ${wasted.unshared} (${(wasted.unshared / Math.max(1, wasted.shared)).toFixed(1)}× more); what-if predicts ${wasted.predictedUnshared} alone, ${wasted.predictedShared} for one breaker`,
          "fewer shared",
          verdict(wasted.shared < wasted.unshared),
        ],
      ],
    )
  );
}

function renderPlayback(playback: NonNullable<BenchResults["playback"]>): string {
  return (
    `### Playback drift (a ${playback.seconds / 60 >= 1 ? `${playback.seconds / 60}-minute` : `${playback.seconds}-second`} scenario of 6 s phases, real timers)\n\n` +
    markdownTable(
      ["phase changes", "late, median", "late, worst", "late, last change", "goal", "verdict"],
      [[String(playback.phaseChanges), `${playback.p50LateMs.toFixed(1)} ms`, `${playback.maxLateMs.toFixed(1)} ms`, `${playback.lastLateMs.toFixed(1)} ms`, "< 50 ms", verdict(playback.maxLateMs < 50)]],
    )
  );
}

export function renderResults(results: BenchResults): string {
  const { machine } = results;
  const sections: string[] = [
    `Run of ${results.date.slice(0, 10)}${results.quick ? " (quick)" : ""} on ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node} (${machine.platform}).`,
  ];

  if (results.library) {
    const { scenarios, goals, memory } = results.library;
    sections.push("### Library: cost per call (median of interleaved rounds; overhead = minus a bare `await fn()` in the same rounds)");
    for (const scenario of scenarios) {
      sections.push(
        `**${scenario.id}. ${scenario.title}** — baseline ${formatNs(scenario.baselineNs)}\n\n` +
          markdownTable(
            ["subject", "per call", "overhead", "rounds min – max"],
            scenario.subjects.map((subject) => [subject.name, formatNs(subject.medianNs), formatNs(subject.overheadNs), `${formatNs(subject.minNs)} – ${formatNs(subject.maxNs)}`]),
          ),
      );
    }
    sections.push(
      "### Library goals\n\n" +
        markdownTable(
          ["scenario", "ours", "against", "measured ratio", "goal", "verdict"],
          goals.map((goal) => [
            goal.scenario,
            goal.ours,
            `${goal.peer} (${goal.measure})`,
            `${goal.ratio.toFixed(2)}×`,
            `≤ ${goal.limit}×`,
            verdict(goal.met),
          ]),
        ),
    );
    sections.push(
      "### Memory\n\n" +
        markdownTable(
          ["what", "heap growth"],
          memory.callsInTimeWindow.map((entry) => [`${entry.name}: calls through a 60 s time window`, kib(entry.bytes)]),
        ) +
        "\n\n" +
        markdownTable(
          ["10 000 idle breakers", "heap", "per breaker"],
          memory.idleBreakers.map((entry) => [entry.name, kib(entry.bytes), `${Math.round(entry.perItemBytes ?? 0)} B`]),
        ),
    );
    const { sizes, registryGet, keyedBreakerBytes } = results.library.package;
    const smallest = Math.min(...sizes.filter((size) => size.entry.startsWith("the whole")).map((size) => size.gzippedBytes));
    const ours = sizes.find((size) => size.name === "breaker-lab")?.gzippedBytes ?? Infinity;
    const cockatielIdle = memory.idleBreakers.find((entry) => entry.name.startsWith("cockatiel"))?.perItemBytes ?? 0;
    sections.push(
      "### Package\n\n" +
        markdownTable(
          ["library", "bundled", "minified", "minified + gzipped"],
          sizes.map((size) => [size.name, size.entry, kib(size.minifiedBytes), kib(size.gzippedBytes)]),
        ) +
        `\n\nESM entry, minified and gzipped: ours ${kib(ours)} (goal: the smallest of the three: ${verdict(ours <= smallest)}).` +
        `\n\n\`BreakerRegistry.get\` of an existing key (${registryGet.keys} keys): ${formatNs(registryGet.registryGetNs)} against ${formatNs(registryGet.mapGetNs)} for a \`Map.get\`: **${formatNs(registryGet.overheadNs)} over** (goal < 50 ns: ${verdict(registryGet.overheadNs < 50)}).` +
        `\n\nAn idle keyed breaker (10 000 keys in a registry, default options): **${Math.round(keyedBreakerBytes)} B** (goal below cockatiel's idle breaker, ${Math.round(cockatielIdle)} B here: ${verdict(keyedBreakerBytes < cockatielIdle)}).`,
    );
  }

  if (results.http) {
    const { routes, openVsTrivial, sse } = results.http;
    sections.push(
      "### HTTP (autocannon, 16 connections, loopback, against `next start`)\n\n" +
        markdownTable(
          ["route", "req/s", "p50", "p99", "non-2xx", "errors"],
          routes.map((route) => [
            `${route.name} (${route.method} ${route.path})`,
            Math.round(route.requestsPerSecond).toLocaleString("en-US"),
            `${route.latencyP50Ms} ms`,
            `${route.latencyP99Ms} ms`,
            String(route.non2xx),
            String(route.errors),
          ]),
        ) +
        `\n\nFire-call in OPEN against the trivial JSON route: **${openVsTrivial.toFixed(2)}×** (goal ≥ 0.8×: ${verdict(openVsTrivial >= 0.8)}).` +
        `\n\n${sse.clients} SSE clients receiving a trip: p50 ${sse.p50Ms.toFixed(1)} ms, p95 ${sse.p95Ms.toFixed(1)} ms, all by ${sse.maxMs.toFixed(1)} ms after the request that tripped it.`,
    );
  }

  if (results.browser) {
    const { trips, p50Ms, p95Ms, maxMs, stages } = results.browser;
    const stageRows: [string, keyof typeof stages][] = [
      ["the trip's stream frame reaches the page", "frameArrived"],
      ["React has changed the badge", "badgeChanged"],
      ["the badge is painted", "painted"],
      ["(the fire-call answer arrives)", "fireAnswered"],
    ];
    sections.push(
      `### Browser: from the API call that trips a breaker to the badge showing OPEN (Chromium, ${trips} trips)\n\n` +
        `p50 ${p50Ms.toFixed(1)} ms, p95 **${p95Ms.toFixed(1)} ms**, max ${maxMs.toFixed(1)} ms (goal p95 < 50 ms: ${verdict(p95Ms < 50)}).\n\n` +
        markdownTable(
          ["from the request's start until", "p50", "p95"],
          stageRows.map(([label, key]) => [label, `${stages[key].p50Ms.toFixed(1)} ms`, `${stages[key].p95Ms.toFixed(1)} ms`]),
        ),
    );
  }
  if (results.fleet) sections.push(renderFleet(results.fleet));
  if (results.whatif) {
    const timeout = results.library?.scenarios.find((scenario) => scenario.id === "c")?.subjects.find((subject) => subject.name.startsWith("breaker-lab"));
    sections.push(renderWhatIf(results.whatif, timeout?.medianNs));
  }
  if (results.playback) sections.push(renderPlayback(results.playback));
  return sections.join("\n\n");
}
