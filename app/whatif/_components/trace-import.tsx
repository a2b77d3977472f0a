"use client";

import { useId, useState, type ChangeEvent } from "react";
import type { Scenario } from "@/lib/simulator";
import { TraceImporter } from "@/lib/whatif/trace";
import { errorMessage } from "@/lib/api/errors";
import { button, formControl, note } from "../../_components/styles";

/** A scenario name from a file name: `[a-z0-9-]`, at most 40 characters. */
function scenarioNameOf(fileName: string): string {
  const stem = fileName.replace(/\.[^.]*$/, "").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  return `trace-${stem || "import"}`.slice(0, 40).replace(/-+$/, "");
}

/**
 * Import a trace of real requests (CSV or JSON lines: timestamp, status, latencyMs) as a scenario,
 * one phase per bucket, read as a stream with a progress bar: a 100 MB file is never held whole.
 */
export function TraceImport({ onScenario }: { onScenario: (scenario: Scenario, rps: number) => void }) {
  const id = useId();
  const [bucketMs, setBucketMs] = useState("1000");
  const [progress, setProgress] = useState<number | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  async function importFile(event: ChangeEvent<HTMLInputElement>) {
    const input = event.currentTarget;
    const file = input.files?.[0];
    input.value = "";
    if (!file) return;
    setMessage(null);
    setProgress(0);
    try {
      const importer = new TraceImporter({ bucketMs: Number(bucketMs), name: scenarioNameOf(file.name) });
      const reader = file.stream().getReader();
      const decoder = new TextDecoder();
      let bytes = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.byteLength;
        importer.push(decoder.decode(value, { stream: true }));
        setProgress(file.size === 0 ? 1 : bytes / file.size);
      }
      importer.push(decoder.decode());
      const imported = importer.finish();
      onScenario(imported.scenario, imported.rps);
      const notes = imported.notes.length > 0 ? ` ${imported.notes.join(" ")}` : "";
      setMessage({ ok: true, text: `${imported.requests.toLocaleString("en")} requests → ${imported.scenario.phases.length} phases of ${imported.bucketMs} ms at ${imported.rps.toFixed(1)} calls/s.${notes}` });
    } catch (error) {
      setMessage({ ok: false, text: `${file.name}: ${errorMessage(error)}` });
    } finally {
      setProgress(null);
    }
  }

  return (
    <div className="block text-sm text-slate-700 dark:text-slate-200">
      <span>Import a trace (CSV or JSON lines)</span>
      <div className="mt-1 flex items-center gap-2">
        <label className="sr-only" htmlFor={`${id}-bucket`}>
          Bucket (ms)
        </label>
        <input
          id={`${id}-bucket`}
          data-testid="whatif-trace-bucket"
          inputMode="numeric"
          title="Phase length: one phase per bucket of this many ms"
          className={formControl({ className: "w-20" })}
          value={bucketMs}
          onChange={(event) => setBucketMs(event.target.value)}
        />
        <span className="text-xs">ms buckets</span>
        <label htmlFor={`${id}-file`} className={button({ focus: "within" })}>
          Choose file…
          <input id={`${id}-file`} data-testid="whatif-trace" type="file" accept=".csv,.jsonl,.ndjson,.json,.txt,text/csv,application/json" className="sr-only" onChange={(event) => void importFile(event)} />
        </label>
      </div>
      {progress !== null && (
        <div role="progressbar" aria-label="Trace import" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(progress * 100)} className="mt-1 h-1.5 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700">
          <div className="h-full bg-sky-600" style={{ width: `${progress * 100}%` }} />
        </div>
      )}
      {message && (
        <span role={message.ok ? "status" : "alert"} data-testid="whatif-trace-message" className={note({ tone: message.ok ? "secondary" : "error", size: "xs", className: "mt-1 block" })}>
          {message.text}
        </span>
      )}
    </div>
  );
}
