"use client";

import Link from "next/link";
import { useMemo, useState } from "react";
import { TIMELINE_RANGES_MS, type DashboardState } from "@/lib/api/compact";
import type { LabState, PlaybackBody, TimelineEntry } from "@/lib/api/types";
import { apiRequest } from "@/lib/client/api";
import { applyBreaker, applyEndpoint, receiveDashboardState, receiveState } from "@/lib/client/lab-state";
import { drivenEndpoints } from "@/lib/client/scenarios";
import { useLabState } from "@/lib/client/use-lab-state";
import { useScenarios } from "@/lib/client/use-scenarios";
import type { Scenario } from "@/lib/simulator";
import { BreakerCard } from "./breaker-card";
import { ConnectionIndicator } from "./connection-indicator";
import { EndpointsPanel } from "./endpoints-panel";
import { EventLog } from "./event-log";
import { FleetStatus, StoreBanner } from "./fleet-status";
import { ScenariosPanel } from "./scenarios-panel";
import { button, callout, note } from "./styles";
import { TokenDialog } from "./token-dialog";
import { TransitionAnnouncer } from "./transition-announcer";
import { errorMessage } from "@/lib/api/errors";

// The server's dashboard view carries the entries of the longest range.
const SCALES = TIMELINE_RANGES_MS.map((ms) => ({ label: `${ms / 60_000} min`, ms }));

/** The live lab: every breaker's card, the endpoints, the event log. */
export function Dashboard({ initialState, initialScenarios }: { initialState: DashboardState; initialScenarios: Scenario[] }) {
  const [initial] = useState(() => receiveDashboardState(initialState, performance.now()));
  const { state, connection, update } = useLabState(initial);
  const { scenarios, reload: reloadScenarios } = useScenarios(initialScenarios);
  // An inline scenario this page played (the recording) is in no list: keep it to draw its phases.
  const [playedHere, setPlayedHere] = useState<Scenario | undefined>(undefined);
  const playingName = state.playback?.scenario;
  const playingScenario = playingName === undefined ? undefined : playedHere?.name === playingName ? playedHere : scenarios.find(({ name }) => name === playingName);
  const driven = useMemo(() => drivenEndpoints(state.playback, playingScenario), [state.playback, playingScenario]);

  function onPlayed({ playing }: PlaybackBody, scenario: Scenario | undefined) {
    setPlayedHere(scenario);
    update((current) => ({ ...current, playback: playing }));
  }
  const [scaleMs, setScaleMs] = useState(SCALES[1]!.ms);
  const [resetError, setResetError] = useState<string | null>(null);

  const timelines = useMemo(() => {
    const byBreaker = new Map<string, TimelineEntry[]>();
    for (const entry of state.timeline) {
      const list = byBreaker.get(entry.breaker);
      if (list) list.push(entry);
      else byBreaker.set(entry.breaker, [entry]);
    }
    return byBreaker;
  }, [state.timeline]);

  const timelineScale = useMemo(() => ({ rangeMs: scaleMs, dataStart: state.timeline[0]?.at }), [scaleMs, state.timeline]);

  async function resetLab() {
    try {
      const fresh = await apiRequest<LabState>("/api/reset", { method: "POST", body: {} });
      update(() => receiveState(fresh, performance.now()));
      reloadScenarios();
      setResetError(null);
    } catch (error) {
      setResetError(errorMessage(error));
    }
  }

  return (
    <div className="mx-auto max-w-7xl space-y-6 px-4 py-6">
      <header className="flex flex-wrap items-center justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Breaker Lab</h1>
          <p className="text-sm text-fg-secondary">Fire calls, break the upstreams, watch each breaker trip, wait, probe and recover.</p>
          <FleetStatus instance={state.instance} instances={state.instances} now={state.now} clockOffset={state.clockOffset} />
        </div>
        <div className="flex flex-wrap items-center gap-3">
          <div role="group" aria-label="Timeline scale" className="inline-flex overflow-hidden rounded-md border border-slate-300 dark:border-slate-700">
            {SCALES.map((scale) => (
              <button
                key={scale.ms}
                type="button"
                aria-pressed={scaleMs === scale.ms}
                data-testid={`timeline-scale-${scale.ms / 60_000}`}
                onClick={() => setScaleMs(scale.ms)}
                className="px-2.5 py-1 text-sm focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-sky-600 dark:focus-visible:outline-sky-400 aria-pressed:bg-slate-800 aria-pressed:text-white dark:aria-pressed:bg-slate-200 dark:aria-pressed:text-slate-900"
              >
                {scale.label}
              </button>
            ))}
          </div>
          <Link href="/whatif" data-testid="whatif-link" className={button()}>
            What if…?
          </Link>
          <button type="button" className={button()} data-testid="reset-lab" onClick={() => void resetLab()}>
            Reset lab
          </button>
          <ConnectionIndicator connection={connection} />
        </div>
      </header>

      {connection === "offline" && (
        <div role="alert" data-testid="offline-banner" className={callout({ tone: "danger" })}>
          The lab server is unreachable. The page keeps trying and will resync by itself when it is back.
        </div>
      )}
      <StoreBanner instance={state.instance} />
      {resetError && (
        <p role="alert" className={note({ tone: "error" })}>
          {resetError}
        </p>
      )}

      {state.breakers.length === 0 ? (
        <p data-testid="empty-state" className="rounded-xl border border-dashed border-slate-300 p-8 text-center text-fg-muted dark:border-slate-700">
          No breakers. Create one with <code className="font-mono">POST /api/breakers</code> or reset the lab.
        </p>
      ) : (
        <div className="grid gap-4 lg:grid-cols-3">
          {state.breakers.map((breaker) => (
            <BreakerCard
              key={breaker.name}
              breaker={breaker}
              timeline={timelines.get(breaker.name) ?? []}
              timelineScale={timelineScale}
              clockOffset={state.clockOffset}
              onBreaker={(next) => update((current) => applyBreaker(current, next))}
            />
          ))}
        </div>
      )}

      <ScenariosPanel state={state} scenarios={scenarios} playingScenario={playingScenario} onPlayed={onPlayed} onScenariosChanged={reloadScenarios} />
      <EndpointsPanel endpoints={state.endpoints} driven={driven} onEndpoint={(next) => update((current) => applyEndpoint(current, next))} />
      <EventLog timeline={state.timeline} />
      <TransitionAnnouncer timeline={state.timeline} />
      <TokenDialog />
    </div>
  );
}
