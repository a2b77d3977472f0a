import { SCENARIO_PRESETS, scenarioPreset, type Scenario } from "@/lib/simulator";
import { LabError, notFound } from "./errors";
import { RECORDING_NAME } from "./recording";

/** Saved scenarios the lab keeps at most (each up to 256 KiB of JSON). */
export const MAX_SAVED_SCENARIOS = 200;

function reserved(name: string): LabError {
  const what = name === RECORDING_NAME ? "the lab's recording" : "a preset";
  return new LabError("preset", `"${name}" is ${what}: it cannot be saved, replaced or deleted`, "name");
}

/**
 * Check that every endpoint a scenario names exists: a 400 naming `phases.N.endpoints.NAME`
 * (after `prefix`) for the first that does not.
 */
export function requireScenarioEndpoints(scenario: Scenario, exists: (endpoint: string) => boolean, prefix = ""): void {
  for (const [index, phase] of scenario.phases.entries()) {
    for (const endpoint of Object.keys(phase.endpoints)) {
      if (!exists(endpoint)) {
        const field = `${prefix}phases.${index}.endpoints.${endpoint}`;
        throw new LabError("unknown_endpoint", `${field}: there is no endpoint named "${endpoint}"`, field);
      }
    }
  }
}

/** The presets and the scenarios people saved, by name. The presets and `recording` are read-only. */
export class ScenarioLibrary {
  private readonly saved = new Map<string, Scenario>();

  /** The presets first, then the saved ones in the order they were saved. */
  list(): Scenario[] {
    return [...SCENARIO_PRESETS, ...this.saved.values()];
  }

  /** A preset or a saved scenario, or `undefined`. */
  find(name: string): Scenario | undefined {
    return scenarioPreset(name) ?? this.saved.get(name);
  }

  get(name: string): Scenario {
    const scenario = this.find(name);
    if (!scenario) throw notFound("scenario", name);
    return scenario;
  }

  /** Save a new scenario whose endpoints all pass `exists`. */
  save(scenario: Scenario, exists: (endpoint: string) => boolean): Scenario {
    if (this.isReserved(scenario.name)) throw reserved(scenario.name);
    if (this.saved.has(scenario.name)) {
      throw new LabError("duplicate_name", `A scenario named "${scenario.name}" already exists: PUT /api/scenarios/${scenario.name} replaces it`, "name");
    }
    if (this.saved.size >= MAX_SAVED_SCENARIOS) {
      throw new LabError("limit_reached", `The lab keeps at most ${MAX_SAVED_SCENARIOS} saved scenarios: delete one first`);
    }
    requireScenarioEndpoints(scenario, exists);
    this.saved.set(scenario.name, scenario);
    return scenario;
  }

  /** Throw the 409 of a read-only name or the 404 of an unknown one. */
  requireReplaceable(name: string): void {
    if (this.isReserved(name)) throw reserved(name);
    if (!this.saved.has(name)) throw notFound("scenario", name);
  }

  /** Replace the saved scenario `name` with one of the same name whose endpoints all pass `exists`. */
  replace(name: string, scenario: Scenario, exists: (endpoint: string) => boolean): Scenario {
    this.requireReplaceable(name);
    if (scenario.name !== name) {
      throw new LabError("invalid_body", `name must match the scenario in the URL ("${name}"), got "${scenario.name}"`, "name");
    }
    requireScenarioEndpoints(scenario, exists);
    this.saved.set(name, scenario);
    return scenario;
  }

  delete(name: string): void {
    this.requireReplaceable(name);
    this.saved.delete(name);
  }

  clear(): void {
    this.saved.clear();
  }

  /** The saved scenarios alone, in the order they were saved. */
  savedScenarios(): Scenario[] {
    return [...this.saved.values()];
  }

  /** Keep a scenario another instance saved and checked; nothing is checked again. */
  put(scenario: Scenario): void {
    if (!this.isReserved(scenario.name)) this.saved.set(scenario.name, scenario);
  }

  /** Forget a saved scenario, if there is one. */
  forget(name: string): void {
    this.saved.delete(name);
  }

  private isReserved(name: string): boolean {
    return name === RECORDING_NAME || scenarioPreset(name) !== undefined;
  }
}
