/**
 * Playback drift: a scenario of 6-second phases played on the lab's real hub and real timers, each
 * phase change timed against where the scenario says it belongs (its pass start plus the phases
 * before it). Run in a child process of its own (`node --import tsx bench/playback.ts --seconds N`)
 * so the other benchmarks' busy loops do not stand in its event loop; it prints one JSON line.
 */
import { parseArgs } from "node:util";
import type { PlaybackBody } from "@/lib/api/types";
import { realClock } from "@/lib/breaker";
import { LabHub } from "@/lib/lab/hub";
import type { Scenario } from "@/lib/simulator";
import { percentile } from "../scripts/percentile";

export interface PlaybackResults {
  seconds: number;
  phaseChanges: number;
  /** How late phase changes came, ms: the median, the worst and the last. */
  p50LateMs: number;
  maxLateMs: number;
  lastLateMs: number;
}

const PHASE_MS = 6_000;


export function playScenarioAndMeasure(seconds: number): Promise<PlaybackResults> {
  const phases = Math.max(2, Math.round((seconds * 1000) / PHASE_MS));
  const scenario: Scenario = {
    name: "drift",
    phases: Array.from({ length: phases }, (_, index) => ({ forMs: PHASE_MS, endpoints: { payments: { failureRate: index % 2 } } })),
  };
  const hub = new LabHub({ caller: async () => ({ status: 200 }) });
  return new Promise((resolve) => {
    const late: number[] = [];
    let passStart = 0;
    let lastPhase = 0;
    // The process has nothing else to do: the playback's timers are unref'd, so keep it alive.
    const keepAlive = setInterval(() => {}, 1_000);
    hub.subscribe((message) => {
      if (message.event !== "playback") return;
      const { playing } = JSON.parse(message.data) as PlaybackBody;
      const now = realClock.now();
      if (playing === null) {
        late.push(now - (passStart + phases * PHASE_MS));
        clearInterval(keepAlive);
        resolve({ seconds: (phases * PHASE_MS) / 1000, phaseChanges: late.length, p50LateMs: percentile(late, 0.5), maxLateMs: Math.max(...late), lastLateMs: late.at(-1)! });
        return;
      }
      if (playing.phase === 0) passStart = playing.startedAt;
      else if (playing.phase !== lastPhase) late.push(now - (passStart + playing.phase * PHASE_MS));
      lastPhase = playing.phase;
    });
    hub.play(scenario);
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { seconds: { type: "string", default: "600" } } });
  console.log(JSON.stringify(await playScenarioAndMeasure(Number(values.seconds))));
}
