"use client";

import Link from "next/link";
import { useEffect, useMemo, useRef, useState } from "react";
import { firstProblem, problemOf, type FieldProblem } from "@/lib/api/issues";
import { whatIfInputSchema, type WhatIfInputBody } from "@/lib/api/schemas";
import type { LabBreaker } from "@/lib/api/types";
import { apiRequest } from "@/lib/client/api";
import { inputFragment, inputFromFragment, optionsInputOf, resolveOptions } from "@/lib/client/whatif";
import { scenarioEndpoints, type Scenario } from "@/lib/simulator";
import { durationOf, whatIfProblem, type WhatIfInput, type WhatIfResult } from "@/lib/whatif";
import type { WorkerMessage } from "../whatif.worker";
import { button, formControl, note } from "../../_components/styles";
import { ConfigCard, type ConfigDraft } from "./config-card";
import { ResultsView } from "./results-view";
import { TraceImport } from "./trace-import";

const RECORDING = "recording";
const MAX_CONFIGS = 5;

interface Form {
  scenario: string;
  endpoint: string;
  rps: string;
  arrival: "steady" | "poisson";
  durationMs: string;
  seed: string;
  instances: string;
  configs: ConfigDraft[];
}

type Run =
  | { status: "idle" }
  | { status: "running"; done: number }
  | { status: "done"; input: WhatIfInput; configs: ConfigDraft[]; result: WhatIfResult; elapsedMs: number }
  | { status: "failed"; message: string };

let nextConfigId = 1;

function draftFrom(breaker: LabBreaker): ConfigDraft {
  return { id: nextConfigId++, label: breaker.name, from: breaker.name, options: breaker.options };
}

function optionalNumber(text: string): number | undefined {
  return text.trim() === "" ? undefined : Number(text);
}

/** The form as the API's input; numbers the person typed are checked by the schema, not here. */
function bodyOf(form: Form, inline: Scenario | undefined): unknown {
  return {
    scenario: inline && inline.name === form.scenario ? inline : form.scenario,
    endpoint: form.endpoint,
    traffic: { rps: optionalNumber(form.rps), arrival: form.arrival },
    durationMs: optionalNumber(form.durationMs),
    seed: optionalNumber(form.seed),
    instances: optionalNumber(form.instances),
    configs: form.configs.map(({ label, options }) => ({ label, options: optionsInputOf(options) })),
  };
}

function formOf(body: WhatIfInputBody, breakers: LabBreaker[]): Form {
  return {
    scenario: typeof body.scenario === "string" ? body.scenario : body.scenario.name,
    endpoint: body.endpoint,
    rps: String(body.traffic.rps),
    arrival: body.traffic.arrival ?? "steady",
    durationMs: body.durationMs === undefined ? "" : String(body.durationMs),
    seed: body.seed === undefined ? "" : String(body.seed),
    instances: body.instances === undefined ? "" : String(body.instances),
    configs: body.configs.map(({ label, options }) => ({
      id: nextConfigId++,
      label,
      from: breakers.find((breaker) => breaker.name === label)?.name ?? breakers[0]?.name ?? "",
      options: resolveOptions(options, label),
    })),
  };
}

/**
 * The what-if lab: a scenario, traffic and up to five breaker configs, run in a Web Worker through
 * the real library in virtual time, the configs' timelines and counts side by side.
 */
export function WhatIfLab({ scenarios, breakers }: { scenarios: Scenario[]; breakers: LabBreaker[] }) {
  const [form, setForm] = useState<Form>(() => ({
    scenario: scenarios[0]?.name ?? RECORDING,
    endpoint: scenarios[0] ? scenarioEndpoints(scenarios[0])[0]! : "",
    rps: "20",
    arrival: "steady",
    durationMs: "",
    seed: "",
    instances: "",
    configs: breakers.slice(0, 2).map(draftFrom),
  }));
  const [inline, setInline] = useState<Scenario | undefined>(undefined);
  const [problem, setProblem] = useState<FieldProblem | null>(null);
  const [run, setRun] = useState<Run>({ status: "idle" });
  const worker = useRef<Worker | null>(null);
  // The fragment this page wrote itself, so that writing it does not start the run again.
  const lastFragment = useRef("");

  const chosen = inline?.name === form.scenario ? inline : scenarios.find(({ name }) => name === form.scenario);
  const endpoints = useMemo(() => (chosen ? scenarioEndpoints(chosen) : []), [chosen]);

  useEffect(() => () => worker.current?.terminate(), []);

  // A link with the input in its fragment reproduces its run, when the page opens with it and when
  // another link is pasted into this tab (only the fragment changes then).
  useEffect(() => {
    const restore = () => {
      const fromLink = inputFromFragment(window.location.hash);
      if (fromLink === undefined || fromLink === null) return;
      const parsed = whatIfInputSchema.safeParse(fromLink, { reportInput: true });
      if (!parsed.success) {
        setProblem({ message: `The link's input is not valid: ${firstProblem(parsed.error).message}` });
        return;
      }
      try {
        const restored = formOf(parsed.data, breakers);
        const linked = typeof parsed.data.scenario === "string" ? undefined : parsed.data.scenario;
        if (linked) setInline(linked);
        setForm(restored);
        void start(restored, linked);
      } catch (error) {
        setProblem(problemOf(error));
      }
    };
    const onHashChange = () => {
      if (window.location.hash !== lastFragment.current) restore();
    };
    queueMicrotask(restore);
    window.addEventListener("hashchange", onHashChange);
    return () => window.removeEventListener("hashchange", onHashChange);
    // start and breakers are read when a link arrives; subscribing once is the point.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const update = (change: Partial<Form>) => setForm((current) => ({ ...current, ...change }));

  function chooseScenario(name: string) {
    const scenario = inline?.name === name ? inline : scenarios.find((candidate) => candidate.name === name);
    const named = scenario ? scenarioEndpoints(scenario) : [];
    update({ scenario: name, endpoint: named.includes(form.endpoint) ? form.endpoint : (named[0] ?? form.endpoint) });
  }

  /** The scenario a run plays: the recording is fetched as it is now; `undefined` for a name the page does not know. */
  async function resolveScenario(name: string, inlineScenario: Scenario | undefined): Promise<Scenario | undefined> {
    if (inlineScenario?.name === name) return inlineScenario;
    if (name === RECORDING) return apiRequest<Scenario>("/api/recording");
    return scenarios.find((candidate) => candidate.name === name);
  }

  async function start(current: Form, inlineScenario: Scenario | undefined) {
    setProblem(null);
    const parsed = whatIfInputSchema.safeParse(bodyOf(current, inlineScenario), { reportInput: true });
    if (!parsed.success) {
      setProblem(firstProblem(parsed.error));
      return;
    }
    let scenario: Scenario | undefined;
    try {
      scenario = await resolveScenario(current.scenario, inlineScenario);
    } catch (error) {
      setProblem(problemOf(error));
      return;
    }
    if (!scenario) {
      setProblem({ field: "scenario", message: `scenario: there is no scenario named "${current.scenario}"` });
      return;
    }
    const input: WhatIfInput = { ...parsed.data, scenario };
    const crossField = whatIfProblem(input);
    if (crossField) {
      setProblem(crossField);
      return;
    }
    lastFragment.current = inputFragment(parsed.data);
    window.history.replaceState(null, "", lastFragment.current);
    worker.current?.terminate();
    const running = new Worker(new URL("../whatif.worker.ts", import.meta.url));
    worker.current = running;
    setRun({ status: "running", done: 0 });
    running.onmessage = (event: MessageEvent<WorkerMessage>) => {
      const message = event.data;
      if (message.type === "progress") setRun({ status: "running", done: message.done });
      else {
        running.terminate();
        worker.current = null;
        setRun(
          message.type === "result"
            ? { status: "done", input, configs: current.configs, result: message.result, elapsedMs: message.elapsedMs }
            : { status: "failed", message: message.message },
        );
      }
    };
    running.onerror = (event) => {
      running.terminate();
      worker.current = null;
      setRun({ status: "failed", message: event.message || "The simulation's worker failed" });
    };
    running.postMessage(input);
  }

  function cancel() {
    worker.current?.terminate();
    worker.current = null;
    setRun({ status: "idle" });
  }

  const fieldError = (field: string) =>
    problem?.field === field || problem?.field?.startsWith(`${field}.`) ? (
      <span role="alert" data-testid={`whatif-error-${field.replace(/\./g, "-")}`} className={note({ tone: "error", size: "xs", className: "mt-1 block" })}>
        {problem.message}
      </span>
    ) : null;
  const shownFields = ["scenario", "endpoint", "traffic.rps", "traffic.arrival", "durationMs", "seed", "instances"];
  const generalProblem = problem && !(problem.field && (shownFields.some((field) => problem.field === field || problem.field!.startsWith(`${field}.`)) || problem.field.startsWith("configs.")));
  const inputClass = formControl({ className: "mt-1 block w-full" });
  const labelClass = "block text-sm text-slate-700 dark:text-slate-200";

  return (
    <div className="mx-auto max-w-7xl space-y-6 px-4 py-6">
      <header className="flex flex-wrap items-center justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">What if?</h1>
          <p className="text-sm text-fg-secondary">
            Run breaker configs against a scenario in virtual time — the real library, the same fault model as the live mocks — and compare them.
          </p>
        </div>
        <Link href="/" className={button()}>
          ← Live lab
        </Link>
      </header>

      <section aria-labelledby="whatif-input-title" className="space-y-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <h2 id="whatif-input-title" className="text-base font-semibold">
          Scenario and traffic
        </h2>
        <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
          <label className={labelClass}>
            Scenario
            <select data-testid="scenario-select" className={inputClass} value={form.scenario} onChange={(event) => chooseScenario(event.target.value)}>
              {scenarios.map(({ name }) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
              <option value={RECORDING}>recording (the live lab&apos;s, since its last reset)</option>
              {inline && (
                <option value={inline.name}>
                  {inline.name} (imported)
                </option>
              )}
            </select>
            {fieldError("scenario")}
          </label>
          <label className={labelClass}>
            Endpoint the configs protect
            {form.scenario === RECORDING ? (
              <input data-testid="whatif-endpoint" className={inputClass} value={form.endpoint} onChange={(event) => update({ endpoint: event.target.value })} />
            ) : (
              <select data-testid="whatif-endpoint" className={inputClass} value={form.endpoint} onChange={(event) => update({ endpoint: event.target.value })}>
                {endpoints.map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </select>
            )}
            {fieldError("endpoint")}
          </label>
          <label className={labelClass}>
            Calls per second
            <input data-testid="whatif-rps" inputMode="decimal" className={inputClass} value={form.rps} onChange={(event) => update({ rps: event.target.value })} />
            {fieldError("traffic.rps")}
          </label>
          <label className={labelClass}>
            Arrivals
            <select data-testid="whatif-arrival" className={inputClass} value={form.arrival} onChange={(event) => update({ arrival: event.target.value as Form["arrival"] })}>
              <option value="steady">steady (evenly spaced)</option>
              <option value="poisson">poisson (random gaps)</option>
            </select>
          </label>
          <label className={labelClass}>
            Duration (ms)
            <input
              data-testid="whatif-duration"
              inputMode="numeric"
              placeholder={chosen ? `one pass: ${durationOf({ scenario: chosen } as WhatIfInput)}` : "one pass"}
              className={inputClass}
              value={form.durationMs}
              onChange={(event) => update({ durationMs: event.target.value })}
            />
            {fieldError("durationMs")}
          </label>
          <label className={labelClass}>
            Seed
            <input data-testid="whatif-seed" inputMode="numeric" placeholder={String(chosen?.seed ?? 1)} className={inputClass} value={form.seed} onChange={(event) => update({ seed: event.target.value })} />
            {fieldError("seed")}
          </label>
          <label className={labelClass}>
            Instances (unshared breakers)
            <input data-testid="whatif-instances" inputMode="numeric" placeholder="1" className={inputClass} value={form.instances} onChange={(event) => update({ instances: event.target.value })} />
            {fieldError("instances")}
          </label>
          <TraceImport
            onScenario={(scenario, rps) => {
              setInline(scenario);
              update({ scenario: scenario.name, endpoint: scenarioEndpoints(scenario)[0] ?? form.endpoint, rps: String(Math.round(rps * 1000) / 1000) });
            }}
          />
        </div>
        {chosen?.description && <p className="text-sm text-fg-secondary">{chosen.description}</p>}
      </section>

      <section aria-labelledby="whatif-configs-title" className="space-y-3">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 id="whatif-configs-title" className="text-base font-semibold">
            Configs ({form.configs.length} of {MAX_CONFIGS})
          </h2>
          <button
            type="button"
            data-testid="whatif-add-config"
            className={button()}
            disabled={form.configs.length >= MAX_CONFIGS || breakers.length === 0}
            onClick={() => update({ configs: [...form.configs, { ...draftFrom(breakers[0]!), label: `config ${form.configs.length + 1}` }] })}
          >
            + Add config
          </button>
        </div>
        <div className="grid gap-4 lg:grid-cols-2 xl:grid-cols-3">
          {form.configs.map((config, index) => (
            <ConfigCard
              key={config.id}
              index={index}
              config={config}
              breakers={breakers}
              problem={problem?.field?.startsWith(`configs.${index}.`) || problem?.field === `configs.${index}` ? problem : null}
              canRemove={form.configs.length > 1}
              onChange={(next) => update({ configs: form.configs.map((current) => (current.id === config.id ? next : current)) })}
              onRemove={() => update({ configs: form.configs.filter((current) => current.id !== config.id) })}
            />
          ))}
        </div>
      </section>

      <div className="flex flex-wrap items-center gap-3">
        <button
          type="button"
          data-testid="whatif-run"
          className={button({ tone: "primary" })}
          aria-disabled={run.status === "running"}
          onClick={() => {
            if (run.status !== "running") void start(form, inline);
          }}
        >
          ▶ Run
        </button>
        {run.status === "running" && (
          <>
            <div role="progressbar" aria-label="Simulation progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(run.done * 100)} data-testid="whatif-progress" className="h-2 w-48 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700">
              <div className="h-full bg-sky-600" style={{ width: `${run.done * 100}%` }} />
            </div>
            <button type="button" data-testid="whatif-cancel" className={button()} onClick={cancel}>
              Cancel
            </button>
          </>
        )}
        {generalProblem && (
          <p role="alert" data-testid="whatif-error" className={note({ tone: "error" })}>
            {problem.message}
          </p>
        )}
        {run.status === "failed" && (
          <p role="alert" data-testid="whatif-error" className={note({ tone: "error" })}>
            {run.message}
          </p>
        )}
      </div>

      {run.status === "done" && <ResultsView input={run.input} result={run.result} elapsedMs={run.elapsedMs} breakers={breakers} configs={run.configs} />}
    </div>
  );
}
