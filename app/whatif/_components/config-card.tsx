"use client";

import type { FieldProblem } from "@/lib/api/issues";
import type { LabBreaker } from "@/lib/api/types";
import type { ResolvedOptions } from "@/lib/breaker";
import { describePolicy } from "@/lib/client/describe";
import { applyOptionsPatch } from "@/lib/client/whatif";
import { OptionsEditor } from "../../_components/options-editor";
import { button, DISCLOSURE_SUMMARY, formControl, note } from "../../_components/styles";

/** One config of a what-if run as the page edits it. */
export interface ConfigDraft {
  /** Stable across edits, for React. */
  id: number;
  label: string;
  /** The lab breaker it started from. */
  from: string;
  options: ResolvedOptions;
}

/** A config: its label, the lab breaker it starts from, and the dashboard's options editor. */
export function ConfigCard({
  index,
  config,
  breakers,
  problem,
  canRemove,
  onChange,
  onRemove,
}: {
  index: number;
  config: ConfigDraft;
  breakers: LabBreaker[];
  problem: FieldProblem | null;
  canRemove: boolean;
  onChange: (config: ConfigDraft) => void;
  onRemove: () => void;
}) {
  const inputClass = formControl({ className: "mt-1 block w-full" });
  return (
    <article data-testid={`whatif-config-${index}`} aria-label={`Config ${index + 1}: ${config.label}`} className="space-y-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <div className="grid grid-cols-2 gap-2">
        <label className="block text-sm text-slate-700 dark:text-slate-200">
          Label
          <input data-testid={`whatif-config-${index}-label`} className={inputClass} value={config.label} maxLength={40} onChange={(event) => onChange({ ...config, label: event.target.value })} />
        </label>
        <label className="block text-sm text-slate-700 dark:text-slate-200">
          Start from
          <select
            data-testid={`whatif-config-${index}-from`}
            className={inputClass}
            value={config.from}
            onChange={(event) => {
              const breaker = breakers.find(({ name }) => name === event.target.value);
              if (breaker) onChange({ ...config, from: breaker.name, options: breaker.options, label: config.label === config.from ? breaker.name : config.label });
            }}
          >
            {breakers.map(({ name }) => (
              <option key={name} value={name}>
                breaker {name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="text-sm text-slate-700 dark:text-slate-200">{describePolicy(config.options)}</p>
      {problem && (
        <p role="alert" data-testid={`whatif-config-${index}-error`} className={note({ tone: "error" })}>
          {problem.message}
        </p>
      )}
      <details className="rounded-lg border border-slate-200 dark:border-slate-700">
        <summary className={DISCLOSURE_SUMMARY}>Options</summary>
        <div className="border-t border-slate-200 p-3 dark:border-slate-700">
          <OptionsEditor
            key={config.from}
            name={`whatif-${index}`}
            options={config.options}
            applyLabel="Update config"
            onApply={async (patch) => {
              const options = applyOptionsPatch(config.options, patch);
              onChange({ ...config, options });
              return options;
            }}
          />
        </div>
      </details>
      {canRemove && (
        <button type="button" data-testid={`whatif-config-${index}-remove`} className={button()} onClick={onRemove}>
          Remove
        </button>
      )}
    </article>
  );
}
