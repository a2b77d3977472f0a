import type { BreakerState } from "@/lib/breaker";
import { stateLabel } from "@/lib/client/describe";
import { formatDuration } from "@/lib/client/format";
import type { ModelInterval, WhatIfConfigResult } from "@/lib/whatif";
import { STATE_STYLES } from "../../_components/state-style";

const WIDTH = 1000;
// Each instance's band sits in the middle of its row; the phase tint shows above and below it.
const ROW_HEIGHT = 18;
const BAND_INSET = 5;
const ROW_GAP = 0;

interface Band {
  state: BreakerState;
  from: number;
  to: number;
}

function bandsOf(result: WhatIfConfigResult, instance: number, durationMs: number): Band[] {
  const bands: Band[] = [];
  let state: BreakerState = "CLOSED";
  let from = 0;
  for (const transition of result.transitions) {
    if (transition.instance !== instance) continue;
    bands.push({ state, from, to: transition.at });
    state = transition.to;
    from = transition.at;
  }
  bands.push({ state, from, to: durationMs });
  return bands;
}

/** One line per transition, for a screen reader and for anyone who wants the numbers. */
function transitionsText(result: WhatIfConfigResult, instances: number): string {
  if (result.transitions.length === 0) return "Stayed CLOSED the whole run.";
  return result.transitions
    .map(({ at, instance, from, to, reason }) => `${formatDuration(at)}${instances > 1 ? ` (instance ${instance})` : ""}: ${stateLabel(from)} → ${stateLabel(to)}, ${reason}`)
    .join("; ");
}

/**
 * A config's state over the run, one row per instance, on the axis every config shares, with the
 * scenario's phases drawn behind (tinted where the endpoint is unhealthy for this config).
 */
export function WhatIfTimeline({
  index,
  result,
  phases,
  unhealthy,
  instances,
  durationMs,
}: {
  index: number;
  result: WhatIfConfigResult;
  phases: readonly ModelInterval[];
  unhealthy: readonly boolean[];
  instances: number;
  durationMs: number;
}) {
  const height = instances * (ROW_HEIGHT + ROW_GAP);
  const x = (at: number) => (Math.min(at, durationMs) / durationMs) * WIDTH;
  return (
    <figure data-testid={`whatif-timeline-${index}`} className="space-y-1">
      <figcaption className="text-sm font-medium">{result.label}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${height}`} preserveAspectRatio="none" className="h-auto w-full overflow-visible" style={{ height: Math.max(16, height) }} aria-hidden>
        {phases.map((phase, phaseIndex) =>
          unhealthy[phaseIndex] ? (
            <rect key={`phase-${phaseIndex}`} x={x(phase.start)} width={Math.max(0.5, x(phase.end) - x(phase.start))} y={0} height={height} className="fill-red-500/25 dark:fill-red-300/45" />
          ) : null,
        )}
        {Array.from({ length: instances }, (_, instance) =>
          bandsOf(result, instance, durationMs).map((band, bandIndex) => (
            <rect
              key={`${instance}-${bandIndex}`}
              data-state={band.state}
              x={x(band.from)}
              width={Math.max(0.5, x(band.to) - x(band.from))}
              y={instance * (ROW_HEIGHT + ROW_GAP) + BAND_INSET}
              height={ROW_HEIGHT - 2 * BAND_INSET}
              className={STATE_STYLES[band.state].band}
            />
          )),
        )}
        {phases.slice(1).map((phase, phaseIndex) => (
          <line key={`edge-${phaseIndex}`} x1={x(phase.start)} x2={x(phase.start)} y1={0} y2={height} className="stroke-slate-400 dark:stroke-slate-500" strokeDasharray="3 3" vectorEffect="non-scaling-stroke" />
        ))}
      </svg>
      <p className="sr-only">{transitionsText(result, instances)}</p>
    </figure>
  );
}

/** The shared time axis: the scenario's phases by label, where each begins. */
export function PhaseAxis({ phases, durationMs, labels }: { phases: readonly ModelInterval[]; durationMs: number; labels: readonly string[] }) {
  return (
    <div className="relative h-5 text-xs text-slate-600 dark:text-slate-300">
      {phases.map((phase, index) => (
        <span key={index} className="absolute top-0 truncate border-l border-slate-400 pl-1 dark:border-slate-500" style={{ left: `${(phase.start / durationMs) * 100}%`, maxWidth: `${((Math.min(phase.end, durationMs) - phase.start) / durationMs) * 100}%` }}>
          {labels[index]}
        </span>
      ))}
    </div>
  );
}
