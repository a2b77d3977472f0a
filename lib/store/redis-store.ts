import { createClient } from "redis";
import type { Endpoint, FleetMember, InstanceInfo, PlaybackStatus } from "@/lib/api/types";
import type { Clock, TrialAdmission, TrialCounts, TrialGate, TrialTicket } from "@/lib/breaker";
import type { Scenario } from "@/lib/simulator";
import { ACQUIRE_TRIAL, HEARTBEAT, SETTLE_TRIAL, TRANSITION, WRITE_CONFIG } from "./scripts";
import type { FleetTruth, LabStore, LocalTransition, SharedBreakerDefinition, SharedBreakerState, StoreListener } from "./types";

/** Instances heard from within this are the fleet. */
export const FLEET_WINDOW_MS = 10_000;

export interface RedisStoreOptions {
  url: string;
  /** Every key and the channel live under it, so several labs share one Redis. */
  prefix: string;
  instanceId: string;
  clock: Clock;
  /** How often the instance says it is alive and re-reads Redis's time. Default 2 000 ms. */
  heartbeatMs?: number;
}

/** A breaker's state as Redis holds it: times on Redis's clock. */
interface StoredState {
  version: number;
  state: SharedBreakerState["state"];
  openedAt?: number;
  halfOpenAt?: number;
  backoffSteps?: number;
  origin: string;
}

type Message =
  | { type: "state"; name: string; state: StoredState; origin: string }
  | { type: "breaker"; definition: SharedBreakerDefinition; origin: string }
  | { type: "breaker-deleted"; name: string; origin: string }
  | { type: "endpoint"; endpoint: Endpoint; origin: string }
  | { type: "scenario"; scenario: Scenario; origin: string }
  | { type: "scenario-deleted"; name: string; origin: string }
  | { type: "playback"; status: PlaybackStatus | null; origin: string }
  | { type: "playback-stop"; origin: string }
  | { type: "reset"; origin: string };

type Client = ReturnType<typeof createClient>;

// A command that does not answer within this is treated as Redis being unreachable.
const COMMAND_TIMEOUT_MS = 1_000;
// Reconnect quickly and keep trying: the fleet converges within 5 s of Redis returning.
const reconnectStrategy = (retries: number) => Math.min(50 * 2 ** retries, 1_000);

/**
 * Shared state through Redis (docs/architecture.md, "Shared state"): configuration in hashes, each
 * breaker's state under a version from Redis, HALF_OPEN trial leases with fencing tokens, and a
 * pub/sub channel every instance listens to. Nothing here is on a CLOSED call's path. When Redis is
 * unreachable every method falls back to local behaviour at once (no offline queue) and the store
 * resynchronises when it is back.
 */
export class RedisStore implements LabStore {
  private readonly client: Client;
  private readonly subscriber: Client;
  private readonly keys;
  private listener: StoreListener | undefined;
  private seed: (() => FleetTruth) | undefined;
  private up = false;
  private closed = false;
  /** Redis's clock minus this instance's, measured at every heartbeat. */
  private offsetMs = 0;
  private members: FleetMember[] = [];
  /** The version of each breaker's shared state this instance follows. */
  private readonly versions = new Map<string, number>();
  /** Transitions are shared one after another per breaker, each over the version the last one made. */
  private readonly publishing = new Map<string, Promise<void>>();
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  /** The playback this instance drives, times on Redis's clock: its lease is renewed at every heartbeat. */
  private driving: PlaybackStatus | null = null;
  /** Whether this instance shows a playback another one drives, which ends with that one's lease. */
  private showingRemotePlayback = false;
  private syncing: Promise<void> | undefined;

  constructor(private readonly options: RedisStoreOptions) {
    const prefix = options.prefix;
    this.keys = {
      breakers: `${prefix}breakers`,
      endpoints: `${prefix}endpoints`,
      scenarios: `${prefix}scenarios`,
      playback: `${prefix}playback`,
      seeded: `${prefix}seeded`,
      versions: `${prefix}versions`,
      fence: `${prefix}fence`,
      instances: `${prefix}instances`,
      channel: `${prefix}events`,
      state: (name: string) => `${prefix}state:${name}`,
      trials: (name: string) => `${prefix}trials:${name}`,
      trialCounts: (name: string) => `${prefix}trialcounts:${name}`,
    };
    this.client = createClient({
      url: options.url,
      RESP: 2,
      disableOfflineQueue: true,
      commandOptions: { timeout: COMMAND_TIMEOUT_MS },
      socket: { connectTimeout: COMMAND_TIMEOUT_MS, reconnectStrategy },
    });
    this.subscriber = this.client.duplicate();
  }

  get instance(): InstanceInfo {
    return { id: this.options.instanceId, store: "redis", storeUp: this.up };
  }

  instances(): FleetMember[] {
    return this.members.map(({ id, seenAt }) => ({ id, seenAt: this.toLocal(seenAt) }));
  }

  start(listener: StoreListener, seed: () => FleetTruth): void {
    this.listener = listener;
    this.seed = seed;
    // An unhandled `error` event would end the process; a lost connection is handled by `end`.
    for (const client of [this.client, this.subscriber]) {
      client.on("error", () => this.setUp(false));
      client.on("end", () => this.setUp(false));
      client.on("reconnecting", () => this.setUp(false));
    }
    this.client.on("ready", () => void this.resync());
    this.subscriber.on("ready", () => void this.resync());
    // connect() keeps retrying while Redis is down: never awaited on a request's path.
    void this.client.connect().catch(() => this.setUp(false));
    void this.subscriber
      .connect()
      .then(() => this.subscriber.subscribe(this.keys.channel, (message) => this.onMessage(message)))
      .catch(() => this.setUp(false));
    const heartbeatMs = this.options.heartbeatMs ?? 2_000;
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), heartbeatMs);
    this.heartbeatTimer.unref?.();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeatTimer);
    await Promise.allSettled([this.client.close(), this.subscriber.close()]);
    this.setUp(false);
  }

  // ── breaker state ───────────────────────────────────────────────────────

  publishTransition(name: string, transition: LocalTransition, manual: boolean): void {
    if (!this.up) return;
    const previous = this.publishing.get(name) ?? Promise.resolve();
    const next = previous.then(() => this.transition(name, transition, manual));
    this.publishing.set(name, next);
    void next.finally(() => {
      if (this.publishing.get(name) === next) this.publishing.delete(name);
    });
  }

  private async transition(name: string, transition: LocalTransition, manual: boolean): Promise<void> {
    const followed = this.versions.get(name) ?? 0;
    const reply = await this.script<{ applied: boolean; state: StoredState | null }>(
      TRANSITION,
      [this.keys.state(name), this.keys.versions, this.keys.trials(name), this.keys.trialCounts(name)],
      [
        manual ? "" : String(this.versions.get(name) ?? 0),
        transition.state,
        String(transition.state === "OPEN" ? transition.openMs : 0),
        String(transition.state === "OPEN" ? transition.backoffSteps : 0),
        this.options.instanceId,
        this.keys.channel,
        name,
      ],
    );
    if (!reply?.state) return;
    if (!reply.applied) {
      this.follow(name, reply.state);
      return;
    }
    const current = this.versions.get(name) ?? 0;
    if (reply.state.version <= current) return;
    this.versions.set(name, reply.state.version);
    // An older state adopted while this one was on its way (a person's action elsewhere, just
    // before) overrode it here: this instance goes back to what the store now holds.
    if (current !== followed) this.listener?.breakerState(name, this.toShared(reply.state));
  }

  /** Adopt a shared state newer than the one this instance follows. */
  private follow(name: string, stored: StoredState): void {
    if (stored.version <= (this.versions.get(name) ?? 0)) return;
    this.versions.set(name, stored.version);
    this.listener?.breakerState(name, this.toShared(stored));
  }

  private toShared(stored: StoredState): SharedBreakerState {
    const { version, origin } = stored;
    if (stored.state !== "OPEN") return { state: stored.state, version, origin };
    return {
      state: "OPEN",
      openedAt: this.toLocal(stored.openedAt ?? 0),
      halfOpenAt: this.toLocal(stored.halfOpenAt ?? 0),
      backoffSteps: stored.backoffSteps ?? 0,
      version,
      origin,
    };
  }

  // ── trials ──────────────────────────────────────────────────────────────

  trialGate(name: string, limits: () => { halfOpenMaxCalls: number; maxHalfOpenMs: number }): TrialGate {
    return { acquire: () => this.acquireTrial(name, limits()) };
  }

  private async acquireTrial(name: string, { halfOpenMaxCalls, maxHalfOpenMs }: { halfOpenMaxCalls: number; maxHalfOpenMs: number }): Promise<TrialAdmission> {
    // The breaker admitted the trial locally already: with the store down it judges alone.
    if (!this.up) return "alone";
    const version = this.versions.get(name) ?? 0;
    const reply = await this.script<{ token?: number; refused?: string; stale?: StoredState | null }>(
      ACQUIRE_TRIAL,
      [this.keys.state(name), this.keys.trials(name), this.keys.fence],
      [String(version), String(halfOpenMaxCalls), String(Math.ceil(maxHalfOpenMs))],
    );
    if (reply === undefined) return "alone";
    if (reply.token !== undefined) return this.fleetTicket(name, version, String(reply.token));
    if (reply.refused !== undefined) return null;
    // Not the OPEN Redis holds: a newer state is adopted (and this trial refused); an OPEN of this
    // instance's own that never reached the store (it was down) has its trials judged here alone.
    const stale = reply.stale ?? null;
    if (stale !== null && stale.version > version) {
      this.follow(name, stale);
      return null;
    }
    return "alone";
  }

  private fleetTicket(name: string, version: number, token: string): TrialTicket {
    return {
      settle: async (outcome, slow) => {
        const reply = await this.script<{ counts: TrialCounts | null }>(
          SETTLE_TRIAL,
          [this.keys.state(name), this.keys.trials(name), this.keys.trialCounts(name)],
          [String(version), token, outcome, slow ? "1" : "0"],
        );
        return reply?.counts ?? null;
      },
    };
  }

  // ── configuration ───────────────────────────────────────────────────────

  defineBreaker(definition: SharedBreakerDefinition): void {
    this.write([
      ["HSET", this.keys.breakers, definition.name, JSON.stringify(definition)],
      this.publishCommand({ type: "breaker", definition, origin: this.options.instanceId }),
    ]);
  }

  deleteBreaker(name: string): void {
    this.versions.delete(name);
    this.write([
      ["HDEL", this.keys.breakers, name],
      ["DEL", this.keys.state(name), this.keys.trials(name), this.keys.trialCounts(name)],
      this.publishCommand({ type: "breaker-deleted", name, origin: this.options.instanceId }),
    ]);
  }

  saveEndpoint(endpoint: Endpoint): void {
    this.write([
      ["HSET", this.keys.endpoints, endpoint.name, JSON.stringify(endpoint)],
      this.publishCommand({ type: "endpoint", endpoint, origin: this.options.instanceId }),
    ]);
  }

  saveScenario(scenario: Scenario): void {
    this.write([
      ["HSET", this.keys.scenarios, scenario.name, JSON.stringify(scenario)],
      this.publishCommand({ type: "scenario", scenario, origin: this.options.instanceId }),
    ]);
  }

  deleteScenario(name: string): void {
    this.write([["HDEL", this.keys.scenarios, name], this.publishCommand({ type: "scenario-deleted", name, origin: this.options.instanceId })]);
  }

  publishPlayback(status: PlaybackStatus | null): void {
    this.driving = status && this.shiftPlayback(status, this.offsetMs);
    this.showingRemotePlayback = false;
    const message = this.publishCommand({ type: "playback", status: this.driving, origin: this.options.instanceId });
    if (this.driving === null) this.write([["DEL", this.keys.playback], message]);
    else this.write([["SET", this.keys.playback, JSON.stringify(this.driving), "PX", String(this.playbackLeaseMs())], message]);
  }

  stopPlayback(): void {
    this.write([this.publishCommand({ type: "playback-stop", origin: this.options.instanceId })]);
  }

  /** A playback whose driver stops renewing it ends after three missed heartbeats. */
  private playbackLeaseMs(): number {
    return 3 * (this.options.heartbeatMs ?? 2_000);
  }

  /** A playback status with its times moved by `byMs` (to Redis's clock: the offset; back: minus it). */
  private shiftPlayback(status: PlaybackStatus, byMs: number): PlaybackStatus {
    return {
      ...status,
      startedAt: status.startedAt + byMs,
      phaseEndsAt: status.phaseEndsAt + byMs,
      endsAt: status.endsAt === null ? null : status.endsAt + byMs,
    };
  }

  resetFleet(truth: FleetTruth): void {
    this.versions.clear();
    this.driving = null;
    if (this.up) void this.writeConfig("reset", truth);
  }

  private publishCommand(message: Message): string[] {
    return ["PUBLISH", this.keys.channel, JSON.stringify(message)];
  }

  /** Run commands as one MULTI; a store that is down loses them (the store wins when it is back). */
  private write(commands: string[][]): void {
    if (!this.up) return;
    const multi = this.client.multi();
    for (const command of commands) multi.addCommand(command);
    void multi.exec().catch(() => this.setUp(false));
  }

  private writeConfig(mode: "seed" | "reset", truth: FleetTruth): Promise<{ written: boolean } | undefined> {
    const config = {
      breakers: truth.breakers.map((definition) => [definition.name, JSON.stringify(definition)]),
      endpoints: truth.endpoints.map((endpoint) => [endpoint.name, JSON.stringify(endpoint)]),
      scenarios: truth.scenarios.map((scenario) => [scenario.name, JSON.stringify(scenario)]),
    };
    const keys = [this.keys.breakers, this.keys.endpoints, this.keys.seeded, this.keys.scenarios, this.keys.playback];
    return this.script<{ written: boolean }>(WRITE_CONFIG, keys, [
      mode,
      JSON.stringify(config),
      this.options.prefix,
      this.keys.channel,
      this.options.instanceId,
    ]);
  }

  // ── connection ──────────────────────────────────────────────────────────

  /**
   * Both connections are ready: seed an empty store with the local truth, or take the store's,
   * and follow every breaker's shared state. Runs once at a time; a failure leaves the store down.
   */
  private resync(): Promise<void> {
    if (!this.client.isReady || !this.subscriber.isReady || this.closed) return Promise.resolve();
    this.syncing ??= this.readTruth()
      .then((truth) => {
        if (truth === undefined) return;
        this.setUp(true);
        this.listener?.synced(truth);
      })
      .finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  private async readTruth(): Promise<FleetTruth | undefined> {
    try {
      if (!(await this.heartbeat(true))) return undefined;
      await this.writeConfig("seed", this.seed!());
      const [breakers, endpoints, scenarios, playback] = await Promise.all([
        this.hashValues(this.keys.breakers),
        this.hashValues(this.keys.endpoints),
        this.hashValues(this.keys.scenarios),
        this.client.sendCommand(["GET", this.keys.playback]) as Promise<string | null>,
      ]);
      const definitions = breakers.map((json) => JSON.parse(json) as SharedBreakerDefinition);
      const states: Record<string, SharedBreakerState> = {};
      await Promise.all(
        definitions.map(async ({ name }) => {
          const stored = await this.storedState(name);
          if (stored === undefined) return;
          this.versions.set(name, stored.version);
          states[name] = this.toShared(stored);
        }),
      );
      const shownPlayback = this.driving ?? (playback === null ? null : (JSON.parse(playback) as PlaybackStatus));
      this.showingRemotePlayback = this.driving === null && shownPlayback !== null;
      return {
        breakers: definitions,
        endpoints: endpoints.map((json) => JSON.parse(json) as Endpoint),
        scenarios: scenarios.map((json) => JSON.parse(json) as Scenario),
        states,
        playback: shownPlayback && this.shiftPlayback(shownPlayback, -this.offsetMs),
      };
    } catch {
      this.setUp(false);
      return undefined;
    }
  }

  private async hashValues(key: string): Promise<string[]> {
    return (await this.client.sendCommand(["HVALS", key])) as string[];
  }

  private async storedState(name: string): Promise<StoredState | undefined> {
    const fields = (await this.client.sendCommand(["HGETALL", this.keys.state(name)])) as string[];
    if (fields.length === 0) return undefined;
    const record: Record<string, string> = {};
    for (let index = 0; index < fields.length; index += 2) record[fields[index]!] = fields[index + 1]!;
    const number = (field: string) => (record[field] === undefined ? undefined : Number(record[field]));
    return {
      version: Number(record.version),
      state: record.state as StoredState["state"],
      openedAt: number("openedAt"),
      halfOpenAt: number("halfOpenAt"),
      backoffSteps: number("backoffSteps"),
      origin: record.origin ?? "",
    };
  }

  /**
   * Say this instance is alive, read the fleet and Redis's clock. `connecting`: part of a resync,
   * which decides when the store is up; otherwise a heartbeat that fails takes it down.
   */
  private async heartbeat(connecting = false): Promise<boolean> {
    if (this.closed || (!connecting && !this.up)) return false;
    const sentAt = this.options.clock.now();
    const reply = await this.script<{ now: number; members: FleetMember[] | Record<string, never>; playback: string | null }>(
      HEARTBEAT,
      [this.keys.instances, this.keys.playback],
      [this.options.instanceId, String(FLEET_WINDOW_MS), this.driving === null ? "" : JSON.stringify(this.driving), String(this.playbackLeaseMs())],
    );
    if (reply === undefined) return false;
    const receivedAt = this.options.clock.now();
    this.offsetMs = reply.now - (sentAt + receivedAt) / 2;
    // Lua's cjson writes an empty list as {}.
    const members = (Array.isArray(reply.members) ? reply.members : []).sort((a, b) => a.id.localeCompare(b.id));
    const changed = members.map(({ id }) => id).join("\n") !== this.members.map(({ id }) => id).join("\n");
    this.members = members;
    if (changed && this.up) this.listener?.statusChanged();
    if (this.showingRemotePlayback && reply.playback === null) {
      // Its driver stopped renewing the lease (it stopped or went away): nothing plays.
      this.showingRemotePlayback = false;
      this.listener?.playbackChanged(null);
    }
    return true;
  }

  private onMessage(raw: string): void {
    let message: Message;
    try {
      message = JSON.parse(raw) as Message;
    } catch {
      return;
    }
    const listener = this.listener;
    if (!listener) return;
    if (message.type === "state") {
      this.follow(message.name, message.state);
      return;
    }
    if (message.origin === this.options.instanceId) return;
    switch (message.type) {
      case "breaker":
        listener.breakerDefined(message.definition);
        return;
      case "breaker-deleted":
        this.versions.delete(message.name);
        listener.breakerDeleted(message.name);
        return;
      case "endpoint":
        listener.endpointChanged(message.endpoint);
        return;
      case "scenario":
        listener.scenarioSaved(message.scenario);
        return;
      case "scenario-deleted":
        listener.scenarioDeleted(message.name);
        return;
      case "playback":
        // Another instance plays now: this one, if it drove a playback, has been replaced.
        if (message.status !== null) this.driving = null;
        this.showingRemotePlayback = message.status !== null;
        listener.playbackChanged(message.status && this.shiftPlayback(message.status, -this.offsetMs));
        return;
      case "playback-stop":
        if (this.driving !== null) listener.playbackStopRequested();
        return;
      case "reset":
        this.versions.clear();
        void this.readTruth().then((truth) => truth && listener.fleetReset(truth, message.origin));
        return;
    }
  }

  /** Run a script; undefined when Redis did not answer (the store is then down). */
  private async script<T>(source: string, keys: string[], args: string[]): Promise<T | undefined> {
    try {
      const reply = await this.client.sendCommand(["EVAL", source, String(keys.length), ...keys, ...args]);
      return JSON.parse(String(reply)) as T;
    } catch {
      this.setUp(false);
      return undefined;
    }
  }

  private setUp(up: boolean): void {
    if (this.up === up) return;
    this.up = up;
    if (!up) this.members = [];
    this.listener?.statusChanged();
    // Back up is decided by a resync on `ready`; a failure without a reconnect needs one too.
    if (!up && !this.closed && this.client.isReady && this.subscriber.isReady) setTimeout(() => void this.resync(), 500).unref?.();
  }

  private toLocal(storeTime: number): number {
    return storeTime - this.offsetMs;
  }
}
