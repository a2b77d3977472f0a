"use client";

import { useId, useState, type ChangeEvent } from "react";
import { firstProblem } from "@/lib/api/issues";
import { scenarioSchema } from "@/lib/api/schemas";
import type { PlaybackBody, PlaybackStatus } from "@/lib/api/types";
import { apiRequest } from "@/lib/client/api";
import { formatDuration, formatSeconds } from "@/lib/client/format";
import { serverNow, type ClientLabState } from "@/lib/client/lab-state";
import { availableName, phaseSegments, playbackProgress } from "@/lib/client/scenarios";
import { useMonotonicNow } from "@/lib/client/use-ticker";
import { scenarioLength, SCENARIO_PRESETS, type Scenario } from "@/lib/simulator";
import { button, formControl, note } from "./styles";
import { errorMessage } from "@/lib/api/errors";

const RECORDING = "recording";
const TICK_MS = 200;
const PRESET_NAMES = new Set(SCENARIO_PRESETS.map(({ name }) => name));

/** The phases of a scenario as segments of one bar, the one in force marked, a cursor at the playback's position. */
function PhaseBar({ scenario, playing, cursor }: { scenario: Scenario | undefined; playing: PlaybackStatus | null; cursor: number | null }) {
  const segments = scenario ? phaseSegments(scenario) : [];
  return (
    <div className="relative">
      <ol data-testid="scenario-progress" aria-label={scenario ? `Phases of ${scenario.name}` : "Phases"} className="flex h-9 overflow-hidden rounded-md border border-slate-300 dark:border-slate-600">
        {segments.map((segment, index) => {
          const current = playing !== null && index === playing.phase;
          return (
            <li
              key={index}
              data-testid={`scenario-phase-${index}`}
              data-current={current}
              aria-current={current ? "step" : undefined}
              title={`${segment.label} · ${formatDuration(scenario!.phases[index]!.forMs)}`}
              style={{ flexGrow: segment.share, flexBasis: 0 }}
              className="min-w-0 truncate border-r border-slate-300 bg-slate-100 px-1.5 py-2 text-xs text-slate-700 last:border-r-0 aria-[current=step]:bg-sky-700 aria-[current=step]:font-semibold aria-[current=step]:text-white dark:border-slate-600 dark:bg-slate-800 dark:text-slate-200 dark:aria-[current=step]:bg-sky-700 dark:aria-[current=step]:text-white"
            >
              {segment.label}
            </li>
          );
        })}
        {segments.length === 0 && <li className="px-2 py-2 text-xs text-fg-secondary">Phase {(playing?.phase ?? 0) + 1}</li>}
      </ol>
      {cursor !== null && (
        <div aria-hidden className="pointer-events-none absolute inset-y-0 w-0.5 bg-amber-500" style={{ left: `${cursor * 100}%` }} />
      )}
    </div>
  );
}

/** What is playing: the scenario, its phase, the time left, and its phases with a cursor, on one ticker. */
function PlaybackView({ playing, scenario, state }: { playing: PlaybackStatus; scenario: Scenario | undefined; state: ClientLabState }) {
  const monotonicNow = useMonotonicNow(true, TICK_MS);
  const now = monotonicNow === null ? playing.startedAt : serverNow(state, monotonicNow);
  const { passShare, phaseLeftMs, totalLeftMs } = playbackProgress(playing, scenario, now);
  const label = scenario?.phases[playing.phase]?.label ?? `phase ${playing.phase + 1}`;
  const phases = scenario ? ` of ${scenario.phases.length}` : "";
  return (
    <>
      <p data-testid="scenario-status" className="text-sm">
        <span className="font-semibold">▶ {playing.scenario}</span> · phase {playing.phase + 1}
        {phases} “{label}” · next phase in <span className="tabular-nums">{formatSeconds(phaseLeftMs)}</span> ·{" "}
        {totalLeftMs === null ? "loops until stopped" : <>ends in <span className="tabular-nums">{formatSeconds(totalLeftMs)}</span></>}
      </p>
      <PhaseBar scenario={scenario} playing={playing} cursor={scenario ? passShare : null} />
    </>
  );
}

/**
 * Play timed fault patterns on the mock endpoints: choose a scenario (a preset, a saved or imported
 * one, or the recording of what happened since the last reset), play and stop it, watch its phases.
 */
export function ScenariosPanel({
  state,
  scenarios,
  playingScenario,
  onPlayed,
  onScenariosChanged,
}: {
  state: ClientLabState;
  scenarios: Scenario[];
  /** The scenario playing now, when the page knows its phases. */
  playingScenario: Scenario | undefined;
  onPlayed: (playback: PlaybackBody, scenario: Scenario | undefined) => void;
  onScenariosChanged: () => void;
}) {
  const playing = state.playback;
  const [selected, setSelected] = useState(() => playing?.scenario ?? scenarios[0]?.name ?? RECORDING);
  const [message, setMessage] = useState<{ kind: "error" | "info"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const importId = useId();
  const chosen = scenarios.find(({ name }) => name === selected);
  const saved = scenarios.filter(({ name }) => !PRESET_NAMES.has(name));

  async function run(action: () => Promise<void>) {
    if (busy) return;
    setBusy(true);
    try {
      await action();
    } catch (error) {
      setMessage({ kind: "error", text: errorMessage(error) });
    } finally {
      setBusy(false);
    }
  }

  const play = () =>
    run(async () => {
      // The recording is taken now and played inline, so the page knows the phases it plays.
      const scenario = selected === RECORDING ? await apiRequest<Scenario>("/api/recording") : chosen;
      const body = selected === RECORDING ? { scenario } : { scenario: selected };
      onPlayed(await apiRequest<PlaybackBody>("/api/playback", { method: "POST", body }), scenario);
      setMessage(null);
    });

  const stop = () =>
    run(async () => {
      onPlayed(await apiRequest<PlaybackBody>("/api/playback", { method: "DELETE" }), undefined);
      setMessage(null);
    });

  const remove = () =>
    run(async () => {
      await apiRequest<void>(`/api/scenarios/${selected}`, { method: "DELETE" });
      onScenariosChanged();
      setSelected(scenarios[0]?.name ?? RECORDING);
      setMessage({ kind: "info", text: `Deleted “${selected}”.` });
    });

  async function importFile(event: ChangeEvent<HTMLInputElement>) {
    const input = event.currentTarget;
    const file = input.files?.[0];
    input.value = "";
    if (!file) return;
    await run(async () => {
      let value: unknown;
      try {
        value = JSON.parse(await file.text());
      } catch (error) {
        throw new Error(`${file.name} is not JSON: ${(error as Error).message}`);
      }
      const parsed = scenarioSchema.safeParse(value, { reportInput: true });
      if (!parsed.success) throw new Error(`${file.name} is not a scenario: ${firstProblem(parsed.error).message}`);
      const name = availableName(parsed.data.name, new Set([RECORDING, ...scenarios.map((scenario) => scenario.name)]));
      await apiRequest<Scenario>("/api/scenarios", { method: "POST", body: { ...parsed.data, name } });
      onScenariosChanged();
      setSelected(name);
      const renamed = name === parsed.data.name ? "" : ` as “${name}” (“${parsed.data.name}” is taken)`;
      setMessage({ kind: "info", text: `Imported ${file.name}${renamed}: ${parsed.data.phases.length} phases.` });
    });
  }

  return (
    <section aria-labelledby="scenarios-title" data-testid="scenarios-panel" className="space-y-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h2 id="scenarios-title" className="text-base font-semibold">
            Scenarios
          </h2>
          <p className="text-sm text-fg-secondary">Timed fault patterns played on the endpoints, phase by phase.</p>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <label className="sr-only" htmlFor="scenario-select">
            Scenario
          </label>
          <select
            id="scenario-select"
            data-testid="scenario-select"
            value={selected}
            onChange={(event) => setSelected(event.target.value)}
            className={formControl({ className: "max-w-64" })}
          >
            <optgroup label="Presets">
              {SCENARIO_PRESETS.map(({ name }) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </optgroup>
            {saved.length > 0 && (
              <optgroup label="Saved">
                {saved.map(({ name }) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </optgroup>
            )}
            <optgroup label="Recorded">
              <option value={RECORDING}>recording (since the last reset)</option>
            </optgroup>
          </select>
          <button type="button" data-testid="scenario-play" className={button({ tone: "primary" })} aria-disabled={busy} onClick={() => void play()}>
            ▶ Play
          </button>
          <button type="button" data-testid="scenario-stop" className={button()} disabled={busy || !playing} onClick={() => void stop()}>
            ■ Stop
          </button>
        </div>
      </div>

      {playing ? (
        <PlaybackView playing={playing} scenario={playingScenario} state={state} />
      ) : (
        <>
          <p data-testid="scenario-status" className="text-sm text-slate-700 dark:text-slate-200">
            {selected === RECORDING
              ? "Every endpoint change since the last reset, with its timing: play it to replay what happened."
              : chosen && (
                  <>
                    {chosen.description ?? "No description."} · {chosen.phases.length} phases, {formatDuration(scenarioLength(chosen))}
                    {chosen.loop ? ", loops" : ""}
                  </>
                )}
          </p>
          <PhaseBar scenario={chosen} playing={null} cursor={null} />
        </>
      )}

      <p className="text-xs text-fg-secondary">
        While a scenario plays, each phase sets the endpoints it names. A switch or slider you change applies at once and holds until the next
        phase that names that endpoint. Stopping keeps the endpoints as they are.
      </p>

      <div className="flex flex-wrap items-center gap-2 text-sm">
        <a href="/api/recording" download="recording.json" data-testid="scenario-download-recording" className={button()}>
          ⤓ Download recording
        </a>
        <label htmlFor={importId} className={button({ focus: "within" })}>
          ⤒ Import scenario…
          <input id={importId} data-testid="scenario-import" type="file" accept="application/json,.json" className="sr-only" onChange={(event) => void importFile(event)} />
        </label>
        {chosen && !PRESET_NAMES.has(chosen.name) && (
          <button type="button" data-testid="scenario-delete" className={button({ tone: "danger" })} aria-disabled={busy} onClick={() => void remove()}>
            Delete “{chosen.name}”
          </button>
        )}
      </div>

      {message && (
        <p role={message.kind === "error" ? "alert" : "status"} data-testid="scenario-message" className={note({ tone: message.kind === "error" ? "error" : "secondary" })}>
          {message.text}
        </p>
      )}
    </section>
  );
}
