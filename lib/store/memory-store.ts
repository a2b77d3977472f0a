import type { FleetMember, InstanceInfo } from "@/lib/api/types";
import type { Clock } from "@/lib/breaker";
import type { LabStore } from "./types";

/**
 * The embedded default: one instance alone, everything in its own memory. There is no one to share
 * with, so writes have nowhere to go and the breakers admit and judge their trials alone.
 */
export class MemoryStore implements LabStore {
  readonly instance: InstanceInfo;

  constructor(
    id: string,
    private readonly clock: Clock,
  ) {
    this.instance = { id, store: "memory", storeUp: true };
  }

  instances(): FleetMember[] {
    return [{ id: this.instance.id, seenAt: this.clock.now() }];
  }

  start(): void {}

  async close(): Promise<void> {}

  trialGate(): undefined {
    return undefined;
  }

  publishTransition(): void {}
  defineBreaker(): void {}
  deleteBreaker(): void {}
  saveEndpoint(): void {}
  saveScenario(): void {}
  deleteScenario(): void {}
  publishPlayback(): void {}
  stopPlayback(): void {}
  resetFleet(): void {}
}
