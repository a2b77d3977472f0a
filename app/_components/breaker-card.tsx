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
import { callout, DISCLOSURE_SUMMARY, note } from "./styles";

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
        <p className="text-xs text-fg-muted">
          protects <span className="font-mono">/api/mock/{breaker.endpoint}</span> · {describePolicy(breaker.options)}
        </p>
      </header>

      {state === "OPEN" && breaker.openedAt !== null && breaker.halfOpenAt !== null && (
        <Countdown name={name} openedAt={breaker.openedAt} halfOpenAt={breaker.halfOpenAt} clockOffset={clockOffset} />
      )}
      {state === "HALF_OPEN" && (
        <p className={callout({ tone: "warning" })}>
          Probing: {breaker.halfOpen.inFlight} of {breaker.options.halfOpenMaxCalls} trial slot{breaker.options.halfOpenMaxCalls === 1 ? "" : "s"} in
          use, {breaker.halfOpen.successes} of {breaker.options.successThreshold} successes to close.
        </p>
      )}
      {state === "FORCED_OPEN" && (
        <p className={callout({ tone: "forced" })}>
          Forced open: every call is rejected until you reset it.
        </p>
      )}
      {state === "DISABLED" && (
        <p className={callout({ tone: "neutral" })}>
          Disabled: every call passes and is counted; it never trips until you reset it.
        </p>
      )}

      <BreakerStats breaker={breaker} />
      <BreakerControls breaker={breaker} onBreaker={onBreaker} onFired={onFired} onError={setError} />
      {error ? (
        <p role="alert" className={note({ tone: "error" })}>
          {error}
        </p>
      ) : (
        <LastOutcome name={name} batch={batch} />
      )}
      <StateTimeline name={name} entries={timeline} state={state} scale={timelineScale} clockOffset={clockOffset} />
      <details className="group rounded-lg border border-slate-200 dark:border-slate-800">
        <summary
          data-testid={`breaker-${name}-options`}
          className={DISCLOSURE_SUMMARY}
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
