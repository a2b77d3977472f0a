"use client";

import { useState, type KeyboardEvent, type PointerEvent } from "react";
import type { CallOutcome, TimelineEntry } from "@/lib/api/types";
import type { BreakerState } from "@/lib/breaker";
import { stateLabel } from "@/lib/client/describe";
import { formatDuration } from "@/lib/client/format";
import { useMonotonicNow } from "@/lib/client/use-ticker";
import { OUTCOME_STYLES, STATE_STYLES } from "./state-style";

const WIDTH = 600;
const BAND_HEIGHT = 20;
const MARK_TOP = BAND_HEIGHT + 4;
const MARK_HEIGHT = 6;
const HEIGHT = MARK_TOP + 3 * MARK_HEIGHT + 2;
// The band grows live, four times a second.
const TICK_MS = 250;

// Marks sit in three rows so that failures stand out from the successes around them.
const MARK_ROW: Record<CallOutcome, number> = { success: 0, failure: 1, timeout: 1, rejected: 2, ignored: 2 };

interface Band {
  state: BreakerState;
  from: number;
  to: number;
}

function stateAt(transitions: Extract<TimelineEntry, { kind: "transition" }>[], time: number, current: BreakerState): BreakerState {
  let state: BreakerState | undefined;
  for (const transition of transitions) {
    if (transition.at > time) return state ?? transition.from;
    state = transition.to;
  }
  return state ?? current;
}

function bandsOf(entries: TimelineEntry[], current: BreakerState, start: number, end: number): Band[] {
  const transitions = entries.filter((entry): entry is Extract<TimelineEntry, { kind: "transition" }> => entry.kind === "transition");
  const bands: Band[] = [];
  let state = stateAt(transitions, start, current);
  let from = start;
  for (const transition of transitions) {
    if (transition.at <= start || transition.at > end) continue;
    bands.push({ state, from, to: transition.at });
    state = transition.to;
    from = transition.at;
  }
  bands.push({ state, from, to: end });
  return bands;
}

function clockTime(at: number): string {
  const date = new Date(at);
  return `${date.toLocaleTimeString([], { hour12: false })}.${String(date.getMilliseconds()).padStart(3, "0")}`;
}

function describeEntry(entry: TimelineEntry): string {
  if (entry.kind === "transition") return `${clockTime(entry.at)} · ${stateLabel(entry.from)} → ${stateLabel(entry.to)} (${entry.reason})`;
  const status = entry.status === undefined ? "" : ` ${entry.status}`;
  return `${clockTime(entry.at)} · ${OUTCOME_STYLES[entry.outcome].label}${status} · ${formatDuration(entry.durationMs)}`;
}

/**
 * A breaker's recent history: coloured bands for its states and a mark for every call outcome,
 * over the last `windowMs`. Pointing at it, or moving through it with the arrow keys when it has
 * focus, shows the time and detail of the nearest entry.
 */
export function StateTimeline({
  name,
  entries,
  state,
  windowMs,
  clockOffset,
}: {
  name: string;
  entries: TimelineEntry[];
  state: BreakerState;
  windowMs: number;
  clockOffset: number;
}) {
  const monotonicNow = useMonotonicNow(true, TICK_MS);
  const end = monotonicNow === null ? (entries.at(-1)?.at ?? 0) : monotonicNow + clockOffset;
  const start = end - windowMs;
  const x = (at: number) => ((at - start) / windowMs) * WIDTH;

  const bands = bandsOf(entries, state, start, end);
  // The window moves with every tick, so these are recomputed each time; marks are bounded by
  // pixel columns, so thousands of calls draw as a few hundred lines.
  const visible = entries.filter((entry) => entry.at >= start && entry.at <= end);
  const columns = new Map<string, { x: number; outcome: CallOutcome }>();
  for (const entry of visible) {
    if (entry.kind !== "call") continue;
    const column = Math.round(x(entry.at));
    columns.set(`${column}:${MARK_ROW[entry.outcome]}`, { x: column, outcome: entry.outcome });
  }
  const marks = [...columns.values()];

  const [selected, setSelected] = useState<number | null>(null);
  const selectedEntry = selected === null ? undefined : visible[Math.min(selected, visible.length - 1)];

  const nearest = (clientX: number, box: DOMRect) => {
    const at = start + ((clientX - box.left) / box.width) * windowMs;
    let best: number | null = null;
    for (let index = 0; index < visible.length; index++) {
      if (best === null || Math.abs(visible[index]!.at - at) < Math.abs(visible[best]!.at - at)) best = index;
    }
    return best;
  };

  const onPointerMove = (event: PointerEvent<SVGSVGElement>) => setSelected(nearest(event.clientX, event.currentTarget.getBoundingClientRect()));

  const onKeyDown = (event: KeyboardEvent<SVGSVGElement>) => {
    if (visible.length === 0) return;
    const last = visible.length - 1;
    const moves: Record<string, number> = {
      ArrowLeft: Math.max(0, (selected ?? visible.length) - 1),
      ArrowRight: Math.min(last, (selected ?? -1) + 1),
      Home: 0,
      End: last,
    };
    if (event.key in moves) {
      event.preventDefault();
      setSelected(moves[event.key]!);
    }
  };

  const minutes = windowMs / 60_000;
  return (
    <figure className="space-y-1">
      <svg
        data-testid={`timeline-${name}`}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="none"
        className="block h-12 w-full cursor-crosshair rounded focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500"
        role="img"
        aria-label={`${name} over the last ${minutes} minute${minutes === 1 ? "" : "s"}: ${bands.map((band) => stateLabel(band.state)).join(", then ")}; ${visible.filter((entry) => entry.kind === "call").length} calls. Use the arrow keys to read entries.`}
        tabIndex={0}
        onPointerMove={onPointerMove}
        onPointerLeave={() => setSelected(null)}
        onKeyDown={onKeyDown}
        onBlur={() => setSelected(null)}
      >
        <rect x={0} y={0} width={WIDTH} height={BAND_HEIGHT} className="fill-slate-100 dark:fill-slate-800" />
        {bands.map((band) => (
          <rect
            key={`${band.from}-${band.state}`}
            data-state={band.state}
            x={x(band.from)}
            y={0}
            width={Math.max(0.5, x(band.to) - x(band.from))}
            height={BAND_HEIGHT}
            className={STATE_STYLES[band.state].band}
          />
        ))}
        {marks.map((mark) => (
          <line
            key={`${mark.x}-${mark.outcome}`}
            data-outcome={mark.outcome}
            x1={mark.x}
            x2={mark.x}
            y1={MARK_TOP + MARK_ROW[mark.outcome] * MARK_HEIGHT}
            y2={MARK_TOP + (MARK_ROW[mark.outcome] + 1) * MARK_HEIGHT - 1}
            strokeWidth={1.5}
            vectorEffect="non-scaling-stroke"
            className={OUTCOME_STYLES[mark.outcome].stroke}
          />
        ))}
        {selectedEntry && (
          <line
            x1={x(selectedEntry.at)}
            x2={x(selectedEntry.at)}
            y1={0}
            y2={HEIGHT}
            strokeWidth={1}
            vectorEffect="non-scaling-stroke"
            className="stroke-slate-900 dark:stroke-white"
          />
        )}
      </svg>
      <figcaption className="flex justify-between gap-2 text-[11px] text-slate-500 dark:text-slate-400">
        <span>−{minutes} min</span>
        <span aria-live="polite" className="truncate font-medium text-slate-700 dark:text-slate-200">
          {selectedEntry ? describeEntry(selectedEntry) : ""}
        </span>
        <span>now</span>
      </figcaption>
    </figure>
  );
}
