import {
  applyEndpointPatch,
  diffEndpoints,
  fullPatch,
  SCENARIO_LIMITS,
  type EndpointConfig,
  type EndpointPatch,
  type Scenario,
  type ScenarioPhase,
} from "@/lib/simulator";

/** The name of the recording; no saved scenario may take it. */
export const RECORDING_NAME = "recording";

interface RecordedPhase {
  /** When the phase began, epoch ms. */
  at: number;
  /** Endpoint → the fields that changed at its start. */
  patches: Map<string, EndpointPatch>;
}

/** Apply a recorded phase's changes to the models in force before it. */
function fold(models: Map<string, EndpointConfig>, phase: RecordedPhase): void {
  for (const [name, patch] of phase.patches) {
    const model = models.get(name);
    if (model) models.set(name, applyEndpointPatch(model, patch));
  }
}

/**
 * Every endpoint change since the lab's last reset, kept as scenario phases so the recording
 * replays with its timing. The first phase holds every endpoint's full model; a change less than
 * 100 ms after the start of the newest phase joins it (so every phase lasts at least 100 ms), and
 * only the newest 100 phases are kept: the oldest change phase folds into the first one, so memory
 * stays bounded however long the lab runs.
 */
export class EndpointRecorder {
  private baseAt = 0;
  private base = new Map<string, EndpointConfig>();
  private phases: RecordedPhase[] = [];

  /** Start anew at `at` from these models (a lab reset). */
  restart(at: number, endpoints: Iterable<EndpointConfig>): void {
    this.baseAt = at;
    this.base = new Map([...endpoints].map((endpoint) => [endpoint.name, { ...endpoint }]));
    this.phases = [];
  }

  /** An endpoint went from `before` to `after` at `at`; a change that changes nothing is not one. */
  record(at: number, before: EndpointConfig, after: EndpointConfig): void {
    const patch = diffEndpoints(before, after);
    if (Object.keys(patch).length === 0) return;
    const newest = this.phases.at(-1);
    if (!newest && at - this.baseAt < SCENARIO_LIMITS.minPhaseMs) {
      this.base.set(after.name, { ...after });
      return;
    }
    if (newest && at - newest.at < SCENARIO_LIMITS.minPhaseMs) {
      newest.patches.set(after.name, { ...newest.patches.get(after.name), ...patch });
      return;
    }
    this.phases.push({ at, patches: new Map([[after.name, patch]]) });
    if (this.phases.length > SCENARIO_LIMITS.maxPhases - 1) this.foldOldest();
  }

  /**
   * The recording as a scenario, its last phase lasting until `now` (at least 100 ms). A quiet
   * spell longer than a phase may last (1 h) continues in phases that change nothing; when that
   * makes more than 100 phases, the oldest changes fold into the first phase, as in `record`.
   */
  toScenario(now: number): Scenario {
    let baseAt = this.baseAt;
    const base = new Map(this.base);
    const changes = [...this.phases];
    for (;;) {
      const phases = this.phasesOf(baseAt, base, changes, now);
      if (phases.length <= SCENARIO_LIMITS.maxPhases || changes.length === 0) {
        return { name: RECORDING_NAME, description: `Endpoint changes recorded since ${new Date(baseAt).toISOString()}`, phases: phases.slice(-SCENARIO_LIMITS.maxPhases) };
      }
      const oldest = changes.shift()!;
      fold(base, oldest);
      baseAt = oldest.at;
    }
  }

  private phasesOf(baseAt: number, base: Map<string, EndpointConfig>, changes: RecordedPhase[], now: number): ScenarioPhase[] {
    const starts = [baseAt, ...changes.map((phase) => phase.at)].map(Math.round);
    const end = Math.max(Math.round(now), starts.at(-1)! + SCENARIO_LIMITS.minPhaseMs);
    const first = Object.fromEntries([...base.values()].map((endpoint) => [endpoint.name, fullPatch(endpoint)]));
    const phases: ScenarioPhase[] = [];
    for (const [index, start] of starts.entries()) {
      const label = index === 0 ? "start" : `change ${index}`;
      const endpoints = index === 0 ? first : Object.fromEntries(changes[index - 1]!.patches);
      let remaining = (starts[index + 1] ?? end) - start;
      phases.push({ label, forMs: Math.min(remaining, SCENARIO_LIMITS.maxPhaseMs), endpoints });
      remaining -= SCENARIO_LIMITS.maxPhaseMs;
      while (remaining > 0) {
        // The remainder is at least 1 ms; a phase is at least 100: the quiet spell runs a hair longer.
        phases.push({ label: `${label} (continued)`, forMs: Math.max(SCENARIO_LIMITS.minPhaseMs, Math.min(remaining, SCENARIO_LIMITS.maxPhaseMs)), endpoints: {} });
        remaining -= SCENARIO_LIMITS.maxPhaseMs;
      }
    }
    return phases;
  }

  private foldOldest(): void {
    const oldest = this.phases.shift()!;
    fold(this.base, oldest);
    this.baseAt = oldest.at;
  }
}
