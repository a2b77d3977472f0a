"use client";

import { useState, type KeyboardEvent, type PointerEvent } from "react";
import type { CallOutcome, TimelineEntry } from "@/lib/api/types";
import type { BreakerState } from "@/lib/breaker";
import { stateLabel } from "@/lib/client/describe";
import { formatDuration } from "@/lib/client/format";
import { formatAgo, timelineAxis } from "@/lib/client/timeline-axis";
import { useMonotonicNow } from "@/lib/client/use-ticker";
import { OUTCOME_STYLES, STATE_STYLES } from "./state-style";
import { FOCUS_RING } from "./styles";

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

/** How much of the past a timeline shows: the chosen range, or less while the lab's history is shorter. */
export interface TimelineScale {
  rangeMs: number;
  /** The oldest entry of the lab's timeline, shared by every card so that their axes line up. */
  dataStart: number | undefined;
}

/** A line across the whole timeline at `x`: a tick, or the cursor on the selected entry. */
function VerticalRule({ x, dashed = false, className }: { x: number; dashed?: boolean; className: string }) {
  return <line x1={x} x2={x} y1={0} y2={HEIGHT} strokeWidth={1} strokeDasharray={dashed ? "2 3" : undefined} vectorEffect="non-scaling-stroke" className={className} />;
}

/** The transitions in view as sentences: the timeline's text alternative. */
function transitionsText(transitions: TimelineEntry[]): string[] {
  return transitions.length === 0 ? ["No state changes in this span."] : transitions.map(describeEntry);
}

/**
 * A breaker's recent history: coloured bands for its states and a mark for every call outcome,
 * on an axis fitted to the lab's history up to the chosen range, with ticks before now. Pointing
 * at it, or moving through it with the arrow keys when it has focus, shows the time and detail of
 * the nearest entry; a screen reader also gets the list of its transitions.
 */
export function StateTimeline({
  name,
  entries,
  state,
  scale,
  clockOffset,
}: {
  name: string;
  entries: TimelineEntry[];
  state: BreakerState;
  scale: TimelineScale;
  clockOffset: number;
}) {
  const monotonicNow = useMonotonicNow(true, TICK_MS);
  const end = monotonicNow === null ? (entries.at(-1)?.at ?? scale.dataStart ?? 0) : monotonicNow + clockOffset;
  const { start, spanMs, ticks } = timelineAxis({ end, rangeMs: scale.rangeMs, dataStart: scale.dataStart });
  const x = (at: number) => ((at - start) / spanMs) * WIDTH;

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
  const [readingByKeyboard, setReadingByKeyboard] = useState(false);
  const selectedEntry = selected === null ? undefined : visible[Math.min(selected, visible.length - 1)];

  const nearest = (clientX: number, box: DOMRect) => {
    const at = start + ((clientX - box.left) / box.width) * spanMs;
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

  const transitions = visible.filter((entry) => entry.kind === "transition");
  const calls = visible.length - transitions.length;
  const span = formatAgo(spanMs);
  return (
    <figure className="space-y-1">
      <svg
        data-testid={`timeline-${name}`}
        data-span-ms={spanMs}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="none"
        className={`block h-12 w-full cursor-crosshair rounded ${FOCUS_RING}`}
        role="img"
        aria-label={`${name} over the last ${span}: ${bands.map((band) => stateLabel(band.state)).join(", then ")}; ${calls} call${calls === 1 ? "" : "s"}. Use the arrow keys to read entries.`}
        tabIndex={0}
        onPointerMove={onPointerMove}
        onPointerLeave={() => setSelected(null)}
        onKeyDown={onKeyDown}
        onFocus={() => setReadingByKeyboard(true)}
        onBlur={() => {
          setReadingByKeyboard(false);
          setSelected(null);
        }}
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
        {ticks.map((tick) => (
          <VerticalRule key={tick.label} x={x(tick.at)} dashed className="stroke-slate-400/70 dark:stroke-slate-500/70" />
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
        {selectedEntry && <VerticalRule x={x(selectedEntry.at)} className="stroke-slate-900 dark:stroke-white" />}
      </svg>
      <div aria-hidden="true" data-testid={`timeline-${name}-ticks`} className="relative h-4 text-[11px] tabular-nums text-fg-secondary">
        <span className="absolute left-0">−{span}</span>
        {ticks.map((tick) => (
          <span key={tick.label} className="absolute -translate-x-1/2" style={{ left: `${((tick.at - start) / spanMs) * 100}%` }}>
            {tick.label}
          </span>
        ))}
        <span className="absolute right-0">now</span>
      </div>
      <figcaption className="min-h-4 text-[11px]">
        {/* Read out only while the arrow keys move through the entries, never on a pointer's move. */}
        <span aria-live={readingByKeyboard ? "polite" : "off"} className="block truncate font-medium text-slate-700 dark:text-slate-200">
          {selectedEntry ? describeEntry(selectedEntry) : ""}
        </span>
        <ol className="sr-only" aria-label={`${name}: state changes in the last ${span}`}>
          {transitionsText(transitions).map((line, index) => (
            <li key={index}>{line}</li>
          ))}
        </ol>
      </figcaption>
    </figure>
  );
}
