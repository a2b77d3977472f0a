import type { BreakerOptionsInput } from "@/lib/api/schemas";
import type { Endpoint, FleetMember, InstanceInfo, PlaybackStatus } from "@/lib/api/types";
import type { AdoptedState, TrialGate } from "@/lib/breaker";
import type { Scenario } from "@/lib/simulator";

/** A breaker as the fleet shares it: the endpoint it protects and its options. */
export interface SharedBreakerDefinition {
  name: string;
  endpoint: string;
  options: BreakerOptionsInput;
}

/** The states the fleet shares: HALF_OPEN follows from an OPEN's `halfOpenAt` on every instance. */
export type SharedStateName = AdoptedState["state"];

/**
 * A breaker's shared state, with times on this instance's clock (the store converts them from its
 * own). `version` comes from the store and only grows: an older one never overrides a newer.
 */
export type SharedBreakerState = AdoptedState & { version: number; origin: string };

/** A transition this instance's breaker made, to share. `openMs`: the OPEN period's length. */
export type LocalTransition =
  | { state: "CLOSED" | "FORCED_OPEN" | "DISABLED" }
  | { state: "OPEN"; openMs: number; backoffSteps: number };

/** Everything the fleet shares about its configuration, as the store holds it. */
export interface FleetTruth {
  breakers: SharedBreakerDefinition[];
  endpoints: Endpoint[];
  /** The saved scenarios (presets are in every instance's code). */
  scenarios: Scenario[];
  states: Record<string, SharedBreakerState>;
  /** What plays on the instance that drives it, times on this instance's clock. */
  playback: PlaybackStatus | null;
}

/** What a store tells the hub: changes made by other instances, and its own condition. */
export interface StoreListener {
  /** The store is reachable and this is what it holds: the store wins over local changes. */
  synced(truth: FleetTruth): void;
  breakerState(name: string, state: SharedBreakerState): void;
  breakerDefined(definition: SharedBreakerDefinition): void;
  breakerDeleted(name: string): void;
  endpointChanged(endpoint: Endpoint): void;
  scenarioSaved(scenario: Scenario): void;
  scenarioDeleted(name: string): void;
  /** Another instance started driving a playback, moved to a phase, or stopped (null); or its lease ran out (null). */
  playbackChanged(status: PlaybackStatus | null): void;
  /** A person on another instance stopped the playback this instance drives. */
  playbackStopRequested(): void;
  /** Another instance reset the fleet to these defaults. */
  fleetReset(truth: FleetTruth, origin: string): void;
  /** The store went up or down, or the fleet's membership changed. */
  statusChanged(): void;
}

/**
 * Where the lab keeps what its instances share (docs/architecture.md, "Shared state"). The hub
 * talks only to this: writes go out after the local change (a store that is down loses them, and
 * the store's state wins when it is back), and what other instances change comes back through
 * the {@link StoreListener}. No method throws or rejects.
 */
export interface LabStore {
  readonly instance: InstanceInfo;
  instances(): FleetMember[];
  /** Begin: connect and listen. `seed` is the local truth, written when the store holds none. */
  start(listener: StoreListener, seed: () => FleetTruth): void;
  close(): Promise<void>;
  /** The fleet-wide trial gate of a breaker; undefined when the instance is alone. */
  trialGate(name: string, limits: () => { halfOpenMaxCalls: number; maxHalfOpenMs: number }): TrialGate | undefined;
  /** Share a transition: `manual` (an action of a person) always applies, others only over the version they followed. */
  publishTransition(name: string, transition: LocalTransition, manual: boolean): void;
  defineBreaker(definition: SharedBreakerDefinition): void;
  deleteBreaker(name: string): void;
  saveEndpoint(endpoint: Endpoint): void;
  saveScenario(scenario: Scenario): void;
  deleteScenario(name: string): void;
  /** This instance drives a playback (null: it stopped): the fleet shows it while this instance's lease lasts. */
  publishPlayback(status: PlaybackStatus | null): void;
  /** Ask the instance that drives the playback to stop it. */
  stopPlayback(): void;
  resetFleet(truth: FleetTruth): void;
}
