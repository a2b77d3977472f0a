"use client";

import { useState } from "react";
import type { CallResult, LabBreaker, TimelineEntry } from "@/lib/api/types";
import { apiRequest } from "@/lib/client/api";
import { describePolicy } from "@/lib/client/describe";
import { BreakerControls } from "./breaker-controls";
import { BreakerStats } from "./breaker-stats";
import { Countdown } from "./countdown";
import { LastOutcome, type FiredBatch } from "./last-outcome";
import { OptionsEditor } from "./options-editor";
import { StateBadge } from "./state-badge";
import { StateTimeline, type TimelineScale } from "./state-timeline";

/** Everything about one breaker: state, countdown, counts, controls, timeline and options. */
export function BreakerCard({
  breaker,
  timeline,
  timelineScale,
  clockOffset,
  onBreaker,
}: {
  breaker: LabBreaker;
  timeline: TimelineEntry[];
  timelineScale: TimelineScale;
  clockOffset: number;
  onBreaker: (breaker: LabBreaker) => void;
}) {
  const { name, state } = breaker;
  const [batch, setBatch] = useState<FiredBatch | null>(null);
  const [error, setError] = useState<string | null>(null);
  const onFired = (results: CallResult[]) => setBatch((previous) => ({ results, sequence: (previous?.sequence ?? 0) + 1 }));
  const titleId = `breaker-${name}-title`;

  return (
    <section
      data-testid={`breaker-${name}`}
      aria-labelledby={titleId}
      className="flex flex-col gap-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900"
    >
      <header className="space-y-1">
        <div className="flex items-center justify-between gap-2">
          <h2 id={titleId} className="truncate text-lg font-semibold">
            {name}
          </h2>
          <StateBadge name={name} state={state} />
        </div>
        <p className="text-xs text-slate-500 dark:text-slate-400">
          protects <span className="font-mono">/api/mock/{breaker.endpoint}</span> · {describePolicy(breaker.options)}
        </p>
      </header>

      {state === "OPEN" && breaker.openedAt !== null && breaker.halfOpenAt !== null && (
        <Countdown name={name} openedAt={breaker.openedAt} halfOpenAt={breaker.halfOpenAt} clockOffset={clockOffset} />
      )}
      {state === "HALF_OPEN" && (
        <p className="rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/50 dark:text-amber-100">
          Probing: {breaker.halfOpen.inFlight} of {breaker.options.halfOpenMaxCalls} trial slot{breaker.options.halfOpenMaxCalls === 1 ? "" : "s"} in
          use, {breaker.halfOpen.successes} of {breaker.options.successThreshold} successes to close.
        </p>
      )}
      {state === "FORCED_OPEN" && (
        <p className="rounded-lg border border-purple-300 bg-purple-50 p-3 text-sm text-purple-900 dark:border-purple-800 dark:bg-purple-950/50 dark:text-purple-100">
          Forced open: every call is rejected until you reset it.
        </p>
      )}
      {state === "DISABLED" && (
        <p className="rounded-lg border border-slate-300 bg-slate-50 p-3 text-sm text-slate-700 dark:border-slate-700 dark:bg-slate-800/60 dark:text-slate-200">
          Disabled: every call passes and is counted; it never trips until you reset it.
        </p>
      )}

      <BreakerStats breaker={breaker} />
      <BreakerControls breaker={breaker} onBreaker={onBreaker} onFired={onFired} onError={setError} />
      {error ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {error}
        </p>
      ) : (
        <LastOutcome name={name} batch={batch} />
      )}
      <StateTimeline name={name} entries={timeline} state={state} scale={timelineScale} clockOffset={clockOffset} />
      <details className="group rounded-lg border border-slate-200 dark:border-slate-800">
        <summary
          data-testid={`breaker-${name}-options`}
          className="cursor-pointer select-none rounded-lg px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-sky-500 dark:text-slate-200 dark:hover:bg-slate-800"
        >
          Options
        </summary>
        <div className="border-t border-slate-200 p-3 dark:border-slate-800">
          <OptionsEditor
            name={name}
            options={breaker.options}
            onApply={async (patch) => {
              const updated = await apiRequest<LabBreaker>(`/api/breakers/${name}`, { method: "PATCH", body: patch });
              onBreaker(updated);
              return updated.options;
            }}
          />
        </div>
      </details>
    </section>
  );
}
