import {
  applyEndpointPatch,
  diffEndpoints,
  fullPatch,
  SCENARIO_LIMITS,
  type EndpointConfig,
  type EndpointPatch,
  type Scenario,
} from "@/lib/simulator";

/** The name of the recording; no saved scenario may take it. */
export const RECORDING_NAME = "recording";

interface RecordedPhase {
  /** When the phase began, epoch ms. */
  at: number;
  /** Endpoint → the fields that changed at its start. */
  patches: Map<string, EndpointPatch>;
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

  /** The recording as a scenario, its last phase lasting until `now` (at least 100 ms). */
  toScenario(now: number): Scenario {
    const starts = [this.baseAt, ...this.phases.map((phase) => phase.at)].map(Math.round);
    const end = Math.max(Math.round(now), starts.at(-1)! + SCENARIO_LIMITS.minPhaseMs);
    const forMs = (index: number) => (starts[index + 1] ?? end) - starts[index]!;
    const first = Object.fromEntries([...this.base.values()].map((endpoint) => [endpoint.name, fullPatch(endpoint)]));
    return {
      name: RECORDING_NAME,
      description: `Endpoint changes recorded since ${new Date(this.baseAt).toISOString()}`,
      phases: [
        { label: "start", forMs: forMs(0), endpoints: first },
        ...this.phases.map((phase, index) => ({
          label: `change ${index + 1}`,
          forMs: forMs(index + 1),
          endpoints: Object.fromEntries(phase.patches),
        })),
      ],
    };
  }

  private foldOldest(): void {
    const oldest = this.phases.shift()!;
    for (const [name, patch] of oldest.patches) {
      const model = this.base.get(name);
      if (model) this.base.set(name, applyEndpointPatch(model, patch));
    }
    this.baseAt = oldest.at;
  }
}
