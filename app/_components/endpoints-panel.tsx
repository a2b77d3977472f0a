"use client";

import { useEffect, useRef, useState } from "react";
import useSWR from "swr";
import type { EndpointPatchInput } from "@/lib/api/schemas";
import type { Endpoint, EndpointTraffic, TrafficBody } from "@/lib/api/types";
import { apiRequest } from "@/lib/client/api";
import { formatDuration } from "@/lib/client/format";
import { ENDPOINT_PRESETS, FAULT_KINDS, matchPreset, MAX_CAPACITY, MAX_RETRY_AFTER_S, PRESET_NAMES, type FaultKind } from "@/lib/simulator";
import { button, callout, formControl, FOCUS_RING, FOCUS_WITHIN_RING, note } from "./styles";
import { errorMessage } from "@/lib/api/errors";

const FAULT_LABELS: Record<FaultKind, string> = {
  status: "Error status",
  reset: "Drop connection",
  hang: "Hang",
  "slow-body": "Slow body",
  malformed: "Malformed body",
};
// The request counters are read once a second while the page is visible: live enough to watch
// retries pile up on an upstream, without a stream message per mock request.
const TRAFFIC_REFRESH_MS = 1_000;
// Dragging a slider sends one change when the hand rests, not one per pixel.
const SLIDER_DEBOUNCE_MS = 150;

/** The on/off switch of an endpoint: on sets failureRate to 1, off to 0. */
function FailingSwitch({ endpoint, onPatch }: { endpoint: Endpoint; onPatch: (patch: EndpointPatchInput) => void }) {
  const failing = endpoint.failureRate > 0;
  return (
    <button
      type="button"
      role="switch"
      aria-checked={failing}
      aria-label={`${endpoint.name} failing`}
      data-testid={`endpoint-${endpoint.name}-toggle`}
      onClick={() => onPatch({ failureRate: failing ? 0 : 1 })}
      className={`group inline-flex items-center gap-2 rounded-full ${FOCUS_RING}`}
    >
      {/* The track and thumb follow aria-checked, so the look cannot disagree with what is announced. */}
      <span className="relative h-6 w-11 rounded-full border-2 border-emerald-600 bg-emerald-100 transition-colors group-aria-checked:border-red-600 group-aria-checked:bg-red-600 dark:border-emerald-500 dark:bg-emerald-950 dark:group-aria-checked:border-red-500 dark:group-aria-checked:bg-red-500">
        <span className="absolute top-0.5 left-0.5 h-4 w-4 rounded-full bg-white shadow transition-[left] group-aria-checked:left-5 dark:bg-slate-100" />
      </span>
      <span className={note({ tone: failing ? "error" : "success", className: "font-semibold" })}>
        {failing ? "Failing" : "Healthy"}
      </span>
    </button>
  );
}

/** A slider that shows its value at once and sends it once the hand rests. */
function Slider({
  id,
  label,
  value,
  min,
  max,
  step,
  format,
  onCommit,
}: {
  id: string;
  label: string;
  value: number;
  min: number;
  max: number;
  step: number;
  format: (value: number) => string;
  onCommit: (value: number) => void;
}) {
  const [draft, setDraft] = useState<number | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const shown = draft ?? value;
  return (
    <label className="block text-sm" htmlFor={id}>
      <span className="flex justify-between text-fg-secondary">
        <span>{label}</span>
        <span className="tabular-nums font-medium text-slate-800 dark:text-slate-100">{format(shown)}</span>
      </span>
      <input
        id={id}
        data-testid={id}
        type="range"
        min={min}
        max={max}
        step={step}
        value={shown}
        className={`mt-1 w-full rounded accent-sky-700 dark:accent-sky-400 ${FOCUS_RING}`}
        onChange={(event) => {
          const next = Number(event.target.value);
          setDraft(next);
          clearTimeout(timer.current);
          timer.current = setTimeout(() => {
            onCommit(next);
            setDraft(null);
          }, SLIDER_DEBOUNCE_MS);
        }}
      />
    </label>
  );
}

/**
 * A whole number or nothing (`null`), sent when the field loses focus or on Enter; an entry out of
 * range or not a whole number is shown as an error and not sent.
 */
function OptionalIntegerField({
  id,
  label,
  hint,
  value,
  min,
  max,
  onCommit,
}: {
  id: string;
  label: string;
  hint: string;
  value: number | null;
  min: number;
  max: number;
  onCommit: (value: number | null) => void;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  const text = draft ?? (value === null ? "" : String(value));
  const parsed = text.trim() === "" ? null : Number(text);
  const invalid = parsed !== null && !(Number.isInteger(parsed) && parsed >= min && parsed <= max);
  const commit = () => {
    if (draft === null || invalid) return;
    setDraft(null);
    if (parsed !== value) onCommit(parsed);
  };
  return (
    <label className="text-sm" htmlFor={id} title={hint}>
      <span className="block text-fg-secondary">{label}</span>
      <input
        id={id}
        data-testid={id}
        type="number"
        inputMode="numeric"
        min={min}
        max={max}
        step={1}
        placeholder="none"
        value={text}
        aria-invalid={invalid}
        onChange={(event) => setDraft(event.target.value)}
        onBlur={commit}
        onKeyDown={(event) => {
          if (event.key === "Enter") commit();
        }}
        className={formControl({ size: "sm", invalid, className: "mt-1 w-24" })}
      />
      {invalid && (
        <span role="alert" className={note({ tone: "error", size: "xs", className: "block" })}>
          {min}–{max}, or empty for none
        </span>
      )}
    </label>
  );
}

/** Requests the endpoint received since the last reset, in flight now, and overloaded. */
function TrafficLine({ name, traffic }: { name: string; traffic: EndpointTraffic | undefined }) {
  if (!traffic) return null;
  return (
    <p data-testid={`endpoint-${name}-traffic`} className="text-xs tabular-nums text-slate-700 dark:text-slate-200">
      <span data-testid={`endpoint-${name}-requests`}>{traffic.requests}</span> requests received · {traffic.inFlight} in flight
      {traffic.overloaded > 0 && <span className={note({ tone: "error", size: "xs", className: "font-medium" })}> · {traffic.overloaded} overloaded (503)</span>}
    </p>
  );
}

function EndpointCard({
  endpoint,
  traffic,
  drivenBy,
  onEndpoint,
}: {
  endpoint: Endpoint;
  traffic: EndpointTraffic | undefined;
  drivenBy: string | undefined;
  onEndpoint: (endpoint: Endpoint) => void;
}) {
  const { name } = endpoint;
  const [error, setError] = useState<string | null>(null);
  const active = matchPreset(endpoint);

  async function patch(change: EndpointPatchInput) {
    try {
      onEndpoint(await apiRequest<Endpoint>(`/api/endpoints/${name}`, { method: "PATCH", body: change }));
      setError(null);
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }

  return (
    <article
      data-testid={`endpoint-${name}`}
      aria-labelledby={`endpoint-${name}-title`}
      className="space-y-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900"
    >
      <header className="flex items-center justify-between gap-2">
        <div>
          <h3 id={`endpoint-${name}-title`} className="font-mono text-sm font-semibold">
            /api/mock/{name}
          </h3>
          <p className="text-xs text-fg-muted">
            {Math.round(endpoint.failureRate * 100)} % {FAULT_LABELS[endpoint.fault].toLowerCase()}
            {endpoint.fault === "status" ? ` ${endpoint.errorStatus}` : ""} · {formatDuration(endpoint.latencyMs)} ± {formatDuration(endpoint.jitterMs)}
            {endpoint.capacity === null ? "" : ` · ≤ ${endpoint.capacity} at once`}
          </p>
        </div>
        <FailingSwitch endpoint={endpoint} onPatch={(change) => void patch(change)} />
      </header>
      <TrafficLine name={name} traffic={traffic} />
      {drivenBy !== undefined && (
        <p data-testid={`endpoint-${name}-scenario`} className={callout({ tone: "info", size: "sm" })}>
          ▶ A scenario drives this endpoint (now: “{drivenBy}”). Your changes hold until its next phase that names it.
        </p>
      )}
      <div className="flex flex-wrap gap-1.5" role="group" aria-label={`${name} presets`}>
        {PRESET_NAMES.map((preset) => (
          <button
            key={preset}
            type="button"
            title={ENDPOINT_PRESETS[preset].description}
            aria-pressed={active === preset}
            data-testid={`endpoint-${name}-preset-${preset}`}
            onClick={() => void patch(ENDPOINT_PRESETS[preset].patch)}
            className={button({ tone: "toggle", size: "sm" })}
          >
            {ENDPOINT_PRESETS[preset].label}
          </button>
        ))}
      </div>
      <Slider
        id={`endpoint-${name}-failure-rate`}
        label="Failure rate"
        value={endpoint.failureRate}
        min={0}
        max={1}
        step={0.05}
        format={(value) => `${Math.round(value * 100)} %`}
        onCommit={(failureRate) => void patch({ failureRate })}
      />
      <Slider
        id={`endpoint-${name}-latency`}
        label="Latency"
        value={endpoint.latencyMs}
        min={0}
        max={5_000}
        step={10}
        format={formatDuration}
        onCommit={(latencyMs) => void patch({ latencyMs })}
      />
      <Slider
        id={`endpoint-${name}-jitter`}
        label="Jitter (±)"
        value={endpoint.jitterMs}
        min={0}
        max={2_000}
        step={10}
        format={formatDuration}
        onCommit={(jitterMs) => void patch({ jitterMs })}
      />
      <div className="flex flex-wrap items-end gap-3">
        <fieldset className="text-sm">
          <legend className="text-fg-secondary">A failure…</legend>
          <div className="mt-1 flex flex-wrap gap-1">
            {FAULT_KINDS.map((fault) => (
              <label
                key={fault}
                className={`cursor-pointer rounded-md border border-slate-300 px-2 py-1 text-xs dark:border-slate-600 has-checked:border-sky-700 has-checked:bg-sky-700 has-checked:text-white dark:has-checked:border-sky-500 ${FOCUS_WITHIN_RING}`}
              >
                <input
                  type="radio"
                  className="sr-only"
                  name={`endpoint-${name}-fault`}
                  data-testid={`endpoint-${name}-fault-${fault}`}
                  checked={endpoint.fault === fault}
                  onChange={() => void patch({ fault })}
                />
                {FAULT_LABELS[fault]}
              </label>
            ))}
          </div>
        </fieldset>
        {endpoint.fault === "status" && (
          <label className="text-sm">
            <span className="block text-fg-secondary">Status</span>
            <select
              data-testid={`endpoint-${name}-status`}
              className={formControl({ size: "sm", className: "mt-1" })}
              value={endpoint.errorStatus}
              onChange={(event) => void patch({ errorStatus: Number(event.target.value) })}
            >
              {[...new Set([500, 502, 503, 504, endpoint.errorStatus])].map((status) => (
                <option key={status} value={status}>
                  {status}
                </option>
              ))}
            </select>
          </label>
        )}
        <OptionalIntegerField
          id={`endpoint-${name}-capacity`}
          label="Capacity"
          hint="Requests in flight the endpoint serves; beyond that it answers 503 at once (overload). Empty: no limit."
          value={endpoint.capacity}
          min={1}
          max={MAX_CAPACITY}
          onCommit={(capacity) => void patch({ capacity })}
        />
        <OptionalIntegerField
          id={`endpoint-${name}-retry-after`}
          label="Retry-After (s)"
          hint="Seconds an error status or an overload 503 asks clients to wait, sent as Retry-After. Empty: no header."
          value={endpoint.retryAfterS}
          min={0}
          max={MAX_RETRY_AFTER_S}
          onCommit={(retryAfterS) => void patch({ retryAfterS })}
        />
      </div>
      {error && (
        <p role="alert" className={note({ tone: "error" })}>
          {error}
        </p>
      )}
    </article>
  );
}

/** Every mock endpoint once, with its failure switch, presets and fault-model controls. */
export function EndpointsPanel({
  endpoints,
  driven,
  onEndpoint,
}: {
  endpoints: Endpoint[];
  /** Endpoints a playing scenario drives, with the label of its phase in force. */
  driven: ReadonlyMap<string, string>;
  onEndpoint: (endpoint: Endpoint) => void;
}) {
  const { data: traffic } = useSWR<TrafficBody>("/api/traffic", (path: string) => apiRequest<TrafficBody>(path), { refreshInterval: TRAFFIC_REFRESH_MS });
  return (
    <section aria-labelledby="endpoints-title" className="space-y-3">
      <h2 id="endpoints-title" className="text-base font-semibold">
        Upstream endpoints
      </h2>
      <div className="grid gap-4 md:grid-cols-3">
        {endpoints.map((endpoint) => (
          <EndpointCard key={endpoint.name} endpoint={endpoint} traffic={traffic?.endpoints[endpoint.name]} drivenBy={driven.get(endpoint.name)} onEndpoint={onEndpoint} />
        ))}
      </div>
    </section>
  );
}
