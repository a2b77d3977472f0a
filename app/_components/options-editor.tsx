"use client";

import { useState, type FormEvent } from "react";
import { breakerOptionsSchema, type BreakerOptionsInput } from "@/lib/api/schemas";
import { firstProblem, problemOf } from "@/lib/api/issues";
import type { HalfOpenPolicy, ResolvedOptions } from "@/lib/breaker";
import { button, formControl, note } from "./styles";

type Mode = "consecutive" | "count" | "time";

/** The editable fields, keyed by the API field they set (a dotted path for the window). */
type Field =
  | "failureThreshold"
  | "slidingWindow.size"
  | "slidingWindow.ms"
  | "failureRateThreshold"
  | "minimumCalls"
  | "slowCallMs"
  | "slowCallRateThreshold"
  | "openMs"
  | "backoffMultiplier"
  | "maxOpenMs"
  | "halfOpenMaxCalls"
  | "successThreshold"
  | "maxHalfOpenMs"
  | "timeoutMs";

const NULLABLE: ReadonlySet<Field> = new Set(["slowCallMs", "timeoutMs"]);

interface FieldSpec {
  field: Field;
  label: string;
  hint?: string;
  modes: readonly Mode[];
}

const ALL: readonly Mode[] = ["consecutive", "count", "time"];
const WINDOWED: readonly Mode[] = ["count", "time"];

const FIELDS: readonly FieldSpec[] = [
  { field: "failureThreshold", label: "Consecutive failures to trip", modes: ["consecutive"] },
  { field: "slidingWindow.size", label: "Window size (calls)", modes: ["count"] },
  { field: "slidingWindow.ms", label: "Window length (ms)", modes: ["time"] },
  { field: "failureRateThreshold", label: "Failure rate to trip (%)", modes: WINDOWED },
  { field: "minimumCalls", label: "Minimum calls before judging", modes: WINDOWED },
  { field: "slowCallMs", label: "Slow call above (ms)", hint: "empty = no slow calls", modes: ALL },
  { field: "slowCallRateThreshold", label: "Slow-call rate to trip (%)", modes: WINDOWED },
  { field: "openMs", label: "Open for (ms)", modes: ALL },
  { field: "backoffMultiplier", label: "Backoff multiplier", modes: ALL },
  { field: "maxOpenMs", label: "Longest open period (ms)", modes: ALL },
  { field: "halfOpenMaxCalls", label: "Trial calls at once", modes: ALL },
  { field: "successThreshold", label: "Successful trials to close", modes: ALL },
  { field: "maxHalfOpenMs", label: "Half-open gives up after (ms)", modes: ALL },
  { field: "timeoutMs", label: "Call timeout (ms)", hint: "empty = none", modes: ALL },
];

const POLICIES: readonly { policy: HalfOpenPolicy; label: string }[] = [
  { policy: "any-failure", label: "One failed trial reopens" },
  { policy: "rates", label: "Their failure and slow-call rates" },
];

function policyOf(options: ResolvedOptions): HalfOpenPolicy {
  return options.halfOpenPolicy ?? "any-failure";
}

function modeOf(options: ResolvedOptions): Mode {
  return options.slidingWindow?.type ?? "consecutive";
}

function valuesOf(options: ResolvedOptions): Record<Field, string> {
  const text = (value: number | null) => (value === null ? "" : String(value));
  const window = options.slidingWindow;
  return {
    failureThreshold: text(options.failureThreshold),
    "slidingWindow.size": text(window?.type === "count" ? window.size : 20),
    "slidingWindow.ms": text(window?.type === "time" ? window.ms : 30_000),
    failureRateThreshold: text(options.failureRateThreshold),
    minimumCalls: text(options.minimumCalls),
    slowCallMs: text(options.slowCallMs),
    slowCallRateThreshold: text(options.slowCallRateThreshold),
    openMs: text(options.openMs),
    backoffMultiplier: text(options.backoffMultiplier),
    maxOpenMs: text(options.maxOpenMs),
    halfOpenMaxCalls: text(options.halfOpenMaxCalls),
    successThreshold: text(options.successThreshold),
    maxHalfOpenMs: text(options.maxHalfOpenMs),
    timeoutMs: text(options.timeoutMs),
  };
}

function parseNumber(field: Field, text: string): number | null {
  if (text.trim() === "") return NULLABLE.has(field) ? null : Number.NaN;
  return Number(text);
}

/** Only what the person changed, so that untouched options (maxOpenMs following openMs) stay as they are. */
function patchOf(mode: Mode, policy: HalfOpenPolicy, values: Record<Field, string>, original: ResolvedOptions): Record<string, unknown> {
  const originalValues = valuesOf(original);
  const patch: Record<string, unknown> = {};
  if (policy !== policyOf(original)) patch.halfOpenPolicy = policy;
  const windowChanged =
    mode !== modeOf(original) ||
    (mode === "count" && values["slidingWindow.size"] !== originalValues["slidingWindow.size"]) ||
    (mode === "time" && values["slidingWindow.ms"] !== originalValues["slidingWindow.ms"]);
  if (windowChanged) {
    patch.slidingWindow =
      mode === "consecutive"
        ? null
        : mode === "count"
          ? { type: "count", size: parseNumber("slidingWindow.size", values["slidingWindow.size"]) }
          : { type: "time", ms: parseNumber("slidingWindow.ms", values["slidingWindow.ms"]) };
  }
  for (const { field, modes } of FIELDS) {
    if (field.startsWith("slidingWindow.") || !modes.includes(mode)) continue;
    if (values[field] !== originalValues[field]) patch[field] = parseNumber(field, values[field]);
  }
  return patch;
}

/**
 * The options of a breaker as a form: only the changed fields are applied, as a patch, through
 * `onApply`, which answers the options now in force (a lab breaker's PATCH, or a what-if config's
 * local update). Validation messages (the browser's or the API's) sit by their field.
 *
 * @param name - names the form's test ids (`options-{name}-…`)
 */
export function OptionsEditor({
  name,
  options,
  onApply,
  applyLabel = "Apply",
}: {
  name: string;
  options: ResolvedOptions;
  onApply: (patch: BreakerOptionsInput) => Promise<ResolvedOptions>;
  applyLabel?: string;
}) {
  const [mode, setMode] = useState<Mode>(modeOf(options));
  const [policy, setPolicy] = useState<HalfOpenPolicy>(policyOf(options));
  const [values, setValues] = useState(() => valuesOf(options));
  const [problem, setProblem] = useState<{ field?: string; message: string } | null>(null);
  const [saved, setSaved] = useState(false);
  const [saving, setSaving] = useState(false);

  const revert = () => {
    setMode(modeOf(options));
    setPolicy(policyOf(options));
    setValues(valuesOf(options));
    setProblem(null);
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (saving) return;
    setSaved(false);
    const patch = patchOf(mode, policy, values, options);
    const checked = breakerOptionsSchema.safeParse(patch, { reportInput: true });
    if (!checked.success) {
      setProblem(firstProblem(checked.error));
      return;
    }
    setSaving(true);
    try {
      const updated = await onApply(checked.data);
      setProblem(null);
      setValues(valuesOf(updated));
      setPolicy(policyOf(updated));
      setSaved(true);
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setSaving(false);
    }
  }

  const fieldError = (field: Field) => (problem?.field === field ? problem.message : null);
  const generalError = problem && !FIELDS.some(({ field }) => field === problem.field) ? problem.message : null;

  return (
    <form onSubmit={submit} noValidate className="space-y-3" data-testid={`options-${name}`}>
      <label className="block text-sm">
        <span className="text-fg-secondary">Trips on</span>
        <select
          data-testid={`options-${name}-mode`}
          className={formControl({ className: "mt-1 block w-full" })}
          value={mode}
          onChange={(event) => setMode(event.target.value as Mode)}
        >
          <option value="consecutive">Consecutive failures</option>
          <option value="count">Failure rate over the last N calls</option>
          <option value="time">Failure rate over a time window</option>
        </select>
      </label>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
        {FIELDS.filter(({ modes }) => modes.includes(mode)).map(({ field, label, hint }) => {
          const error = fieldError(field);
          const id = `options-${name}-${field.replace(".", "-")}`;
          return (
            <label key={field} className="block text-sm" htmlFor={id}>
              <span className="text-fg-secondary">{label}</span>
              <input
                id={id}
                data-testid={id}
                inputMode="decimal"
                placeholder={hint}
                aria-invalid={error !== null}
                aria-describedby={error ? `${id}-error` : undefined}
                className={formControl({ invalid: error !== null, className: "mt-1 block w-full" })}
                value={values[field]}
                onChange={(event) => setValues((current) => ({ ...current, [field]: event.target.value }))}
              />
              {error && (
                <span id={`${id}-error`} data-testid={`${id}-error`} role="alert" className={note({ tone: "error", size: "xs", className: "mt-1 block" })}>
                  {error}
                </span>
              )}
            </label>
          );
        })}
      </div>
      <label className="block text-sm">
        <span className="text-fg-secondary">Half-open trials are judged by</span>
        <select
          data-testid={`options-${name}-halfOpenPolicy`}
          className={formControl({ className: "mt-1 block w-full" })}
          value={policy}
          onChange={(event) => setPolicy(event.target.value as HalfOpenPolicy)}
        >
          {POLICIES.map(({ policy: choice, label }) => (
            <option key={choice} value={choice}>
              {label}
            </option>
          ))}
        </select>
      </label>
      {generalError && (
        <p role="alert" className={note({ tone: "error" })}>
          {generalError}
        </p>
      )}
      <div className="flex items-center gap-2">
        <button type="submit" className={button({ tone: "primary" })} data-testid={`options-${name}-apply`} aria-disabled={saving}>
          {saving ? "Applying…" : applyLabel}
        </button>
        <button type="button" className={button()} onClick={revert}>
          Revert
        </button>
        {saved && (
          <span role="status" className={note({ tone: "success" })}>
            Applied
          </span>
        )}
      </div>
    </form>
  );
}
