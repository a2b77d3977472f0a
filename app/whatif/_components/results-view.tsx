"use client";

import { useState } from "react";
import type { LabBreaker } from "@/lib/api/types";
import { apiRequest } from "@/lib/client/api";
import { stateLabel } from "@/lib/client/describe";
import { formatDuration } from "@/lib/client/format";
import type { BreakerState } from "@/lib/breaker";
import { bestValues, optionsInputOf, RESULT_COLUMNS } from "@/lib/client/whatif";
import { durationOf, EndpointTimeline, isUnhealthy, type WhatIfConfigResult, type WhatIfInput, type WhatIfResult } from "@/lib/whatif";
import { STATE_STYLES } from "../../_components/state-style";
import { button, formControl, note } from "../../_components/styles";
import type { ConfigDraft } from "./config-card";
import { PhaseAxis, WhatIfTimeline } from "./whatif-timeline";
import { errorMessage } from "@/lib/api/errors";

const LEGEND: readonly BreakerState[] = ["CLOSED", "OPEN", "HALF_OPEN"];

function cell(result: WhatIfConfigResult, key: (typeof RESULT_COLUMNS)[number]["key"]): string {
  const value = result[key];
  if (value === null) return "never";
  return key === "timeToOpenMs" || key === "timeToCloseMs" ? formatDuration(value) : value.toLocaleString("en");
}

/** Send a config's options to a live breaker of the lab. */
function ApplyToBreaker({ index, config, breakers }: { index: number; config: ConfigDraft | undefined; breakers: LabBreaker[] }) {
  const [target, setTarget] = useState(config?.from ?? breakers[0]?.name ?? "");
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  if (!config || breakers.length === 0) return null;
  async function apply() {
    try {
      await apiRequest<LabBreaker>(`/api/breakers/${target}`, { method: "PATCH", body: optionsInputOf(config!.options) });
      setStatus({ ok: true, text: `Applied to ${target}` });
    } catch (error) {
      setStatus({ ok: false, text: errorMessage(error) });
    }
  }
  return (
    <div className="flex flex-wrap items-center gap-1">
      <label className="sr-only" htmlFor={`whatif-apply-${index}-target`}>
        Breaker to apply {config.label} to
      </label>
      <select id={`whatif-apply-${index}-target`} data-testid={`whatif-apply-${index}-target`} value={target} onChange={(event) => setTarget(event.target.value)} className={formControl({ size: "sm" })}>
        {breakers.map(({ name }) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
      <button type="button" data-testid={`whatif-apply-${index}`} className={button({ size: "sm" })} onClick={() => void apply()}>
        Apply to breaker
      </button>
      {status && (
        <span role={status.ok ? "status" : "alert"} className={note({ tone: status.ok ? "success" : "error", size: "xs" })}>
          {status.text}
        </span>
      )}
    </div>
  );
}

/** The run's result: the configs' timelines on one axis, the table with each column's best marked. */
export function ResultsView({ input, result, elapsedMs, breakers, configs }: { input: WhatIfInput; result: WhatIfResult; elapsedMs: number; breakers: LabBreaker[]; configs: ConfigDraft[] }) {
  const durationMs = durationOf(input);
  const phases = [...new EndpointTimeline(input.scenario, input.endpoint).intervals(durationMs)];
  const labels = phases.map((_, index) => input.scenario.phases[index % input.scenario.phases.length]!.label ?? `phase ${(index % input.scenario.phases.length) + 1}`);
  const best = bestValues(result.results);
  const instances = input.instances ?? 1;
  return (
    <section aria-labelledby="whatif-results-title" data-testid="whatif-results" className="space-y-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="whatif-results-title" className="text-base font-semibold">
          Results: {input.scenario.name} on {input.endpoint}, {input.traffic.rps} calls/s {input.traffic.arrival ?? "steady"}, {formatDuration(durationMs)}
          {instances > 1 ? `, ${instances} instances each` : ""}
        </h2>
        <p data-testid="whatif-stats" data-elapsed-ms={elapsedMs} data-simulated-calls={result.simulatedCalls} className="text-sm tabular-nums text-fg-secondary">
          {result.simulatedCalls.toLocaleString("en")} simulated calls in {formatDuration(elapsedMs)} ({Math.round(result.simulatedCalls / Math.max(elapsedMs / 1000, 1e-3)).toLocaleString("en")} calls/s)
        </p>
      </div>
      <div className="space-y-3">
        <ul aria-label="Legend" className="flex flex-wrap gap-3 text-xs text-slate-700 dark:text-slate-200">
          {LEGEND.map((state) => (
            <li key={state} className="flex items-center gap-1">
              <svg width="14" height="8" aria-hidden>
                <rect width="14" height="8" className={STATE_STYLES[state].band} />
              </svg>
              {stateLabel(state)}
            </li>
          ))}
          <li className="flex items-center gap-1">
            <svg width="14" height="8" aria-hidden>
              <rect width="14" height="8" className="fill-red-500/25 dark:fill-red-300/45" />
            </svg>
            endpoint unhealthy for the config
          </li>
        </ul>
        <PhaseAxis phases={phases} durationMs={durationMs} labels={labels} />
        {result.results.map((configResult, index) => (
          <WhatIfTimeline
            key={index}
            index={index}
            result={configResult}
            phases={phases}
            unhealthy={phases.map((phase) => isUnhealthy(phase.model, input.configs[index]!.options.timeoutMs ?? null))}
            instances={instances}
            durationMs={durationMs}
          />
        ))}
        <p className="text-xs text-fg-secondary">Tinted stretches: the endpoint is unhealthy for that config (it fails requests, or answers no faster than the config&apos;s timeout).</p>
      </div>
      <p className="text-xs text-slate-600 sm:hidden dark:text-slate-300">The table scrolls sideways: more columns and “Apply to breaker” are to the right.</p>
      <div className="relative overflow-x-auto">
        <table className="w-full text-left text-sm tabular-nums">
          <caption className="sr-only">Counts per config; the best value of each column is marked with a star</caption>
          <thead>
            <tr className="border-b border-slate-200 dark:border-slate-700">
              <th scope="col" className="py-2 pr-3">
                Config
              </th>
              {RESULT_COLUMNS.map(({ key, label, higherIsBetter }) => (
                <th key={key} scope="col" className="px-2 py-2 text-right" title={higherIsBetter ? "higher is better" : "lower is better"}>
                  {label}
                </th>
              ))}
              <th scope="col" className="px-2 py-2">
                <span className="sr-only">Apply</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {result.results.map((configResult, index) => (
              <tr key={index} data-testid={`whatif-result-${index}`} className="border-b border-slate-100 dark:border-slate-800">
                <th scope="row" className="py-2 pr-3 font-medium">
                  {configResult.label}
                </th>
                {RESULT_COLUMNS.map(({ key }) => {
                  const isBest = best[key] !== undefined && configResult[key] === best[key];
                  return (
                    <td key={key} data-testid={`whatif-result-${index}-${key}`} data-best={isBest} className={`whitespace-nowrap px-2 py-2 text-right ${isBest ? "font-semibold text-emerald-800 dark:text-emerald-300" : ""}`}>
                      {cell(configResult, key)}
                      {isBest && <span aria-label=" (best)"> ★</span>}
                    </td>
                  );
                })}
                <td className="px-2 py-2">
                  <ApplyToBreaker index={index} config={configs[index]} breakers={breakers} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
