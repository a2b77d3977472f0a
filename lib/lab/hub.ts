import { setMaxListeners } from "node:events";
import { encodeTimeline, TIMELINE_RANGES_MS, type DashboardState } from "@/lib/api/compact";
import type { BreakerAction, BreakerOptionsInput, CreateBreakerInput, EndpointPatchInput, WhatIfInputBody } from "@/lib/api/schemas";
import type {
  BreakerMessage,
  CallAttempt,
  CallResult,
  Endpoint,
  FireCallsResponse,
  LabBreaker,
  LabState,
  PlaybackBody,
  PlaybackStatus,
  TimelineEntry,
  TrafficBody,
} from "@/lib/api/types";
import { CallTimeoutError, CircuitBreaker, realClock, type BreakerEvent, type Clock, type TryResult } from "@/lib/breaker";
import { MemoryStore, type FleetTruth, type LabStore, type SharedBreakerDefinition, type SharedBreakerState, type StoreListener } from "@/lib/store";
import {
  applyEndpointPatch,
  createRandom,
  decideOutcome,
  defaultEndpoint,
  type MockOutcome,
  type RandomSource,
  type Scenario,
} from "@/lib/simulator";
import { whatIfProblem, type WhatIfResult } from "@/lib/whatif";
import { runBurst } from "./burst";
import { describeHttpFailure, isHttpFailure, type EndpointCaller, type HttpResult } from "./caller";
import { DEMO_BREAKERS, DEMO_ENDPOINTS, type BreakerDefinition } from "./defaults";
import { LabError, notFound } from "./errors";
import { EventBus, type BusListener } from "./event-bus";
import { FrameStream } from "./frames";
import { LabMetrics, outcomeOf } from "./metrics";
import { ScenarioPlayer } from "./playback";
import { EndpointRecorder, RECORDING_NAME } from "./recording";
import { RingBuffer } from "./ring-buffer";
import { requireScenarioEndpoints, ScenarioLibrary } from "./scenario-library";
import { pause } from "./timers";
import { WhatIfRunner } from "./whatif-runner";
import { serializeError, toWireEvent } from "./wire";

/** Entries of the timeline the hub keeps; the oldest go first. */
export const TIMELINE_CAPACITY = 10_000;

const LONGEST_TIMELINE_RANGE_MS = Math.max(...TIMELINE_RANGES_MS);

export interface HubDependencies {
  /** Makes the protected HTTP call of every breaker. */
  caller: EndpointCaller;
  /** The clock of the breakers and the timeline; tests pass a ManualClock. */
  clock?: Clock;
  /** The randomness of the mock endpoints; tests pass a seeded one. */
  random?: RandomSource;
  /** Export the process's own metrics (memory, event-loop lag) with the lab's. */
  processMetrics?: boolean;
  /** Where the instances of a fleet share their state; default: this instance alone, in memory. */
  store?: LabStore;
}

/** How the calls route retries: a failed or timed-out call again through the breaker, up to `retries` times. */
export interface RetryPolicy {
  retries: number;
  retryDelayMs: number;
}

const NO_RETRIES: RetryPolicy = { retries: 0, retryDelayMs: 0 };

const ACTION_STATES = { reset: "CLOSED", forceOpen: "FORCED_OPEN", disable: "DISABLED" } as const satisfies Record<BreakerAction, string>;

/** What a retrying client retries: a refusal of the breaker or the caller's own abort is final. */
function retryable(attempt: CallAttempt): boolean {
  return attempt.outcome === "failure" || attempt.outcome === "timeout";
}

interface HostedBreaker {
  breaker: CircuitBreaker;
  endpoint: string;
  /**
   * The HTTP status of the result the breaker is judging. isResultFailure sees every resolved
   * value just before the breaker emits that call's outcome event, synchronously, so the event
   * listener picks up the status of exactly that call for the timeline.
   */
  judgedStatus: number | undefined;
  /** Events the breaker has emitted: an action that adds none changed the breaker silently. */
  events: number;
  /** While the breaker adopts a state another instance decided: that instance's id. */
  adoptingFrom: string | undefined;
}

// Transitions a person's action makes: shared by act(), which always applies them fleet-wide.
const MANUAL_REASONS: ReadonlySet<string> = new Set(["reset", "force-open", "disable"]);

/**
 * The lab's server side: the registry of breakers and mock endpoints, the HTTP calls the breakers
 * protect, the timeline, the live event stream and the metrics. One per process (see instance.ts).
 * docs/architecture.md, "One call, from the button to every page", follows a call through it.
 */
export class LabHub {
  readonly metrics: LabMetrics;
  private readonly bus = new EventBus();
  private readonly timeline = new RingBuffer<TimelineEntry>(TIMELINE_CAPACITY);
  private readonly entryJsonCache = new WeakMap<TimelineEntry, string>();
  private readonly breakers = new Map<string, HostedBreaker>();
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly traffic = new Map<string, { requests: number; inFlight: number; overloaded: number }>();
  private readonly caller: EndpointCaller;
  private readonly clock: Clock;
  private readonly unseededRandom: RandomSource;
  /** The mock endpoints' randomness: a playing scenario's seed, else the hub's own. */
  private random: RandomSource;
  private readonly scenarios = new ScenarioLibrary();
  private readonly recorder = new EndpointRecorder();
  private readonly player: ScenarioPlayer;
  /** What plays on the instance of the fleet that drives it, when it is another one. */
  private remotePlayback: PlaybackStatus | null = null;
  /** True while the player stops because another instance took the playback over: nothing to share. */
  private yieldingPlayback = false;
  private readonly whatIfRunner = new WhatIfRunner();
  /** The compact live stream the dashboard reads. */
  readonly frames: FrameStream;
  private readonly store: LabStore;

  constructor(dependencies: HubDependencies) {
    this.caller = dependencies.caller;
    this.clock = dependencies.clock ?? realClock;
    this.store = dependencies.store ?? new MemoryStore("local", this.clock);
    this.unseededRandom = dependencies.random ?? createRandom(Date.now());
    this.random = this.unseededRandom;
    this.frames = new FrameStream(
      {
        dashboardState: () => this.dashboardState(),
        breaker: (name) => {
          const hosted = this.breakers.get(name);
          return hosted && this.describe(hosted);
        },
      },
      this.clock,
    );
    this.metrics = new LabMetrics(() => [...this.breakers.values()].map(({ breaker }) => breaker.snapshot()), {
      processMetrics: dependencies.processMetrics,
      storeUp: () => this.store.instance.storeUp,
    });
    this.player = new ScenarioPlayer(this.clock, {
      enterPhase: (scenario, index) => this.enterPhase(scenario, index),
      changed: (playing) => {
        if (playing === null) this.random = this.unseededRandom;
        if (!this.yieldingPlayback) this.store.publishPlayback(playing);
        this.announcePlayback(playing);
      },
    });
    this.loadDemo();
    this.store.start(this.storeListener, () => this.truth());
  }

  /** Stop listening to the store (tests; the server's hub lives as long as the process). */
  close(): Promise<void> {
    return this.store.close();
  }

  // ── reading ──────────────────────────────────────────────────────────────

  state(): LabState {
    return {
      now: this.clock.now(),
      breakers: this.listBreakers(),
      endpoints: this.listEndpoints(),
      timeline: this.timeline.toArray(),
      playback: this.playbackStatus(),
      instance: { ...this.store.instance },
      instances: this.store.instances(),
    };
  }

  /**
   * `state()` as JSON, each timeline entry serialized once for every request that reads it: the
   * entries never change, and a full timeline is ten thousand of them.
   */
  stateJson(): string {
    const { now, breakers, endpoints, timeline, playback, instance, instances } = this.state();
    const fields: Record<keyof LabState, string> = {
      now: JSON.stringify(now),
      breakers: JSON.stringify(breakers),
      endpoints: JSON.stringify(endpoints),
      timeline: `[${timeline.map((entry) => this.entryJson(entry)).join(",")}]`,
      playback: JSON.stringify(playback),
      instance: JSON.stringify(instance),
      instances: JSON.stringify(instances),
    };
    return `{${Object.entries(fields).map(([key, json]) => `"${key}":${json}`).join(",")}}`;
  }

  private entryJson(entry: TimelineEntry): string {
    let json = this.entryJsonCache.get(entry);
    if (json === undefined) {
      json = JSON.stringify(entry);
      this.entryJsonCache.set(entry, json);
    }
    return json;
  }

  /** What the dashboard draws (`/api/state?view=dashboard`): the timeline of its longest range, in compact form. */
  dashboardState(): DashboardState {
    const now = this.clock.now();
    // Listing the breakers may publish transitions that were due: the timeline is read after it.
    const breakers = this.listBreakers();
    const since = now - LONGEST_TIMELINE_RANGE_MS;
    const entries = this.timeline.toArray();
    const first = entries.findIndex((entry) => entry.at >= since);
    return {
      now,
      breakers,
      endpoints: this.listEndpoints(),
      playback: this.playbackStatus(),
      timeline: encodeTimeline(first === -1 ? [] : entries.slice(first)),
      instance: { ...this.store.instance },
      instances: this.store.instances(),
    };
  }

  listBreakers(): LabBreaker[] {
    return [...this.breakers.values()].map((hosted) => this.describe(hosted));
  }

  getBreaker(name: string): LabBreaker {
    return this.describe(this.hosted(name));
  }

  /** Throw the 404 of an unknown breaker, without building its snapshot. */
  requireBreaker(name: string): void {
    this.hosted(name);
  }

  /** Throw the 404 of an unknown endpoint. */
  requireEndpoint(name: string): void {
    this.endpoint(name);
  }

  listEndpoints(): Endpoint[] {
    return [...this.endpoints.values()].map((endpoint) => ({ ...endpoint }));
  }

  getEndpoint(name: string): Endpoint {
    return { ...this.endpoint(name) };
  }

  /** Receive every live message; the stream's first message (a snapshot) is the subscriber's to send. */
  subscribe(listener: BusListener): () => void {
    return this.bus.subscribe(listener);
  }

  /** The id a snapshot taken now carries in the live stream. */
  get currentEventId(): number {
    return this.bus.currentId;
  }

  // ── changing ─────────────────────────────────────────────────────────────

  createBreaker(input: CreateBreakerInput): LabBreaker {
    if (this.breakers.has(input.name)) {
      throw new LabError("duplicate_name", `A breaker named "${input.name}" already exists`, "name");
    }
    if (!this.endpoints.has(input.endpoint)) {
      throw new LabError("unknown_endpoint", `endpoint must name an existing endpoint, got "${input.endpoint}"`, "endpoint");
    }
    const hosted = this.host({ name: input.name, endpoint: input.endpoint, options: input.options ?? {} });
    this.store.defineBreaker(this.definitionOf(hosted));
    this.broadcastState();
    return this.describe(hosted);
  }

  configureBreaker(name: string, patch: BreakerOptionsInput): LabBreaker {
    const hosted = this.hosted(name);
    try {
      hosted.breaker.configure(patch);
    } catch (error) {
      throw this.optionsError(error, "");
    }
    this.store.defineBreaker(this.definitionOf(hosted));
    this.broadcastState();
    return this.describe(hosted);
  }

  deleteBreaker(name: string): void {
    this.unhost(name);
    this.store.deleteBreaker(name);
    this.broadcastState();
  }

  act(name: string, action: BreakerAction): LabBreaker {
    const hosted = this.hosted(name);
    const eventsBefore = hosted.events;
    hosted.breaker[action]();
    // A person's action applies fleet-wide over whatever the fleet decided meanwhile.
    this.store.publishTransition(name, { state: ACTION_STATES[action] }, true);
    // A reset of a CLOSED breaker clears its counts without a transition, so the library
    // announces nothing: the pages learn of it from a fresh snapshot.
    if (hosted.events === eventsBefore) this.broadcastState();
    return this.describe(hosted);
  }

  /** Change an endpoint's fault model; during a playback it holds until the next phase that names the endpoint. */
  patchEndpoint(name: string, patch: EndpointPatchInput): Endpoint {
    const next = this.applyEndpoint(applyEndpointPatch(this.endpoint(name), patch));
    this.store.saveEndpoint(next);
    return { ...next };
  }

  private applyEndpoint(next: Endpoint): Endpoint {
    const before = this.endpoint(next.name);
    this.endpoints.set(next.name, next);
    this.recorder.record(this.clock.now(), before, next);
    this.bus.publish("endpoint", () => next);
    this.frames.endpoint(next);
    return next;
  }

  /**
   * Back to the demo defaults: the demo's breakers and endpoints, an empty timeline, no playback,
   * no saved scenarios, a fresh recording.
   */
  resetLab(): void {
    this.resetLocally();
    this.store.resetFleet(this.truth());
  }

  private resetLocally(): void {
    this.player.stop();
    this.remotePlayback = null;
    this.scenarios.clear();
    const demoNames = new Set(DEMO_BREAKERS.map(({ name }) => name));
    for (const name of [...this.breakers.keys()]) this.unhost(name, demoNames.has(name));
    this.timeline.clear();
    // Requests still in flight keep their slots; only the counts start again.
    for (const traffic of this.traffic.values()) {
      traffic.requests = 0;
      traffic.overloaded = 0;
    }
    this.loadDemo();
    this.broadcastState();
  }

  // ── scenarios ────────────────────────────────────────────────────────────

  listScenarios(): Scenario[] {
    return this.scenarios.list();
  }

  /** A preset, a saved scenario, or the recording. */
  getScenario(name: string): Scenario {
    return name === RECORDING_NAME ? this.recording() : this.scenarios.get(name);
  }

  saveScenario(scenario: Scenario): Scenario {
    const saved = this.scenarios.save(scenario, this.endpointExists);
    this.store.saveScenario(saved);
    return saved;
  }

  /** Throw unless `name` is a saved scenario that PUT may replace (409 for a preset, 404 unknown). */
  requireReplaceableScenario(name: string): void {
    this.scenarios.requireReplaceable(name);
  }

  replaceScenario(name: string, scenario: Scenario): Scenario {
    const replaced = this.scenarios.replace(name, scenario, this.endpointExists);
    this.store.saveScenario(replaced);
    return replaced;
  }

  deleteScenario(name: string): void {
    this.scenarios.delete(name);
    this.store.deleteScenario(name);
  }

  /** Every endpoint change since the last reset, as a scenario that replays them. */
  recording(): Scenario {
    return this.recorder.toScenario(this.clock.now());
  }

  playback(): PlaybackBody {
    return { playing: this.playbackStatus() };
  }

  /** What plays here, or on the instance of the fleet that drives the playback. */
  private playbackStatus(): PlaybackStatus | null {
    return this.player.status() ?? this.remotePlayback;
  }

  private announcePlayback(playing: PlaybackStatus | null): void {
    this.bus.publish("playback", (): PlaybackBody => ({ playing }));
    this.frames.playbackChanged(playing);
  }

  /** Play a scenario (by name, or inline and unsaved), replacing whatever plays. */
  play(scenario: string | Scenario): PlaybackBody {
    const resolved = typeof scenario === "string" ? this.findScenario(scenario) : scenario;
    requireScenarioEndpoints(resolved, this.endpointExists, "scenario.");
    this.random = resolved.seed === undefined ? this.unseededRandom : createRandom(resolved.seed);
    this.remotePlayback = null;
    return { playing: this.player.play(resolved) };
  }

  /** Stop what plays, here or (asking the instance that drives it) elsewhere in the fleet. */
  stopPlayback(): PlaybackBody {
    if (!this.player.stop() && this.remotePlayback !== null) {
      this.store.stopPlayback();
      this.remotePlayback = null;
      this.announcePlayback(null);
    }
    return { playing: null };
  }

  /**
   * Run a what-if off the main thread: the scenario inline or by name (a preset, a saved one or the
   * recording), checked across fields before it runs.
   */
  whatIf(body: WhatIfInputBody, signal?: AbortSignal): Promise<WhatIfResult> {
    const input = { ...body, scenario: typeof body.scenario === "string" ? this.findScenario(body.scenario) : body.scenario };
    const problem = whatIfProblem(input);
    if (problem) throw new LabError("invalid_body", problem.message, problem.field);
    return this.whatIfRunner.run(input, signal);
  }

  private findScenario(name: string): Scenario {
    const scenario = name === RECORDING_NAME ? this.recording() : this.scenarios.find(name);
    if (!scenario) throw new LabError("unknown_scenario", `scenario must name a preset, a saved scenario or "${RECORDING_NAME}", got "${name}"`, "scenario");
    return scenario;
  }

  private readonly endpointExists = (endpoint: string): boolean => this.endpoints.has(endpoint);

  private enterPhase(scenario: Scenario, index: number): void {
    for (const [name, patch] of Object.entries(scenario.phases[index]!.endpoints)) {
      if (this.endpoints.has(name)) this.patchEndpoint(name, patch);
    }
  }

  // ── calls ────────────────────────────────────────────────────────────────

  /**
   * Fire `count` real calls through a breaker, `concurrency` at a time, and report each. A failed
   * or timed-out call is retried through the breaker, as a retrying client would.
   */
  async fireCalls(name: string, count: number, concurrency: number, signal?: AbortSignal, retry: RetryPolicy = NO_RETRIES): Promise<FireCallsResponse> {
    const hosted = this.hosted(name);
    // Every call in flight listens to the client's signal; a burst of 100 is expected, not a leak.
    if (signal) setMaxListeners(0, signal);
    const results = await runBurst(count, concurrency, () => this.fireWithRetries(hosted, retry, signal), signal);
    return { results, snapshot: this.describe(hosted) };
  }

  /**
   * Decide how a mock endpoint answers one request, which is then in flight until
   * {@link finishMock}; an overloaded request answers at once and is never in flight.
   */
  decideMock(name: string): MockOutcome {
    const endpoint = this.endpoint(name);
    const traffic = this.trafficOf(name);
    const outcome = decideOutcome(endpoint, this.random, traffic.inFlight);
    this.metrics.mockRequest(name, outcome.kind);
    traffic.requests += 1;
    if (outcome.kind === "overload") {
      traffic.overloaded += 1;
    } else {
      traffic.inFlight += 1;
      this.metrics.mockStarted(name);
    }
    return outcome;
  }

  /** A request {@link decideMock} decided has been answered (or its client left). */
  finishMock(name: string, outcome: MockOutcome): void {
    if (outcome.kind === "overload") return;
    const traffic = this.trafficOf(name);
    traffic.inFlight = Math.max(0, traffic.inFlight - 1);
    this.metrics.mockFinished(name);
  }

  /** What each mock endpoint received since the last reset: what a person watches a retry storm with. */
  mockTraffic(): TrafficBody {
    const endpoints: TrafficBody["endpoints"] = {};
    for (const name of this.endpoints.keys()) endpoints[name] = { ...this.trafficOf(name) };
    return { endpoints };
  }

  private trafficOf(name: string) {
    let traffic = this.traffic.get(name);
    if (!traffic) {
      traffic = { requests: 0, inFlight: 0, overloaded: 0 };
      this.traffic.set(name, traffic);
    }
    return traffic;
  }

  private async fireWithRetries(hosted: HostedBreaker, { retries, retryDelayMs }: RetryPolicy, signal: AbortSignal | undefined): Promise<CallResult> {
    const startedAt = this.clock.now();
    const attempts: CallAttempt[] = [await this.fireOne(hosted, signal)];
    // A breaker deleted or reset away during the delay has nobody left to retry through.
    const stillHosted = () => this.breakers.get(hosted.breaker.name) === hosted;
    while (attempts.length <= retries && retryable(attempts.at(-1)!) && !signal?.aborted && stillHosted()) {
      await pause(this.clock, retryDelayMs, signal);
      if (signal?.aborted || !stillHosted()) break;
      attempts.push(await this.fireOne(hosted, signal));
    }
    return { ...attempts.at(-1)!, durationMs: this.clock.now() - startedAt, attempts };
  }

  private async fireOne(hosted: HostedBreaker, signal: AbortSignal | undefined): Promise<CallAttempt> {
    const startedAt = this.clock.now();
    const result = await hosted.breaker.tryExecute((callSignal) => this.caller(hosted.endpoint, callSignal), { signal });
    const settledAt = this.clock.now();
    return this.classify(result, settledAt - startedAt, signal);
  }

  private classify(result: TryResult<HttpResult>, durationMs: number, signal: AbortSignal | undefined): CallAttempt {
    if (result.ok) {
      const { status } = result.value;
      if (!isHttpFailure(result.value)) return { outcome: "success", status, durationMs };
      return { outcome: "failure", status, durationMs, error: describeHttpFailure(result.value) };
    }
    const error = serializeError(result.error).message;
    if (result.rejected) return { outcome: "rejected", durationMs, error };
    if (result.error instanceof CallTimeoutError) return { outcome: "timeout", durationMs, error };
    if (signal?.aborted && result.error === signal.reason) return { outcome: "ignored", durationMs, error };
    return { outcome: "failure", durationMs, error };
  }

  // ── internals ────────────────────────────────────────────────────────────

  private loadDemo(): void {
    this.endpoints.clear();
    for (const name of DEMO_ENDPOINTS) this.endpoints.set(name, defaultEndpoint(name));
    for (const definition of DEMO_BREAKERS) this.host(definition);
    this.recorder.restart(this.clock.now(), this.endpoints.values());
  }

  private host(definition: BreakerDefinition): HostedBreaker {
    let breaker: CircuitBreaker;
    try {
      breaker = new CircuitBreaker({
        ...definition.options,
        name: definition.name,
        clock: this.clock,
        trialGate: this.store.trialGate(definition.name, () => {
          const { halfOpenMaxCalls, maxHalfOpenMs } = breaker.snapshot().options;
          return { halfOpenMaxCalls, maxHalfOpenMs };
        }),
        isResultFailure: (result) => {
          hosted.judgedStatus = (result as HttpResult).status;
          return isHttpFailure(result);
        },
      });
    } catch (error) {
      throw this.optionsError(error, "options.");
    }
    const hosted: HostedBreaker = { breaker, endpoint: definition.endpoint, judgedStatus: undefined, events: 0, adoptingFrom: undefined };
    breaker.subscribe((event) => this.onBreakerEvent(hosted, event));
    this.breakers.set(definition.name, hosted);
    this.metrics.track(definition.name);
    return hosted;
  }

  private unhost(name: string, keepMetrics = false): void {
    const hosted = this.hosted(name);
    hosted.breaker.dispose();
    this.breakers.delete(name);
    if (!keepMetrics) this.metrics.forget(name);
  }

  private onBreakerEvent(hosted: HostedBreaker, event: BreakerEvent): void {
    this.metrics.record(event);
    hosted.events++;
    const entry = this.timelineEntryOf(hosted, event);
    this.timeline.push(entry);
    const origin = event.type === "state" ? (hosted.adoptingFrom ?? this.store.instance.id) : undefined;
    this.bus.publish("breaker", (): BreakerMessage => ({ ...toWireEvent(event), snapshot: this.describe(hosted), entry, ...(origin === undefined ? {} : { origin }) }));
    this.frames.entry(entry);
    if (event.type === "state") this.shareTransition(hosted, event);
  }

  /**
   * Tell the fleet what this instance's breaker decided. HALF_OPEN follows from the OPEN period on
   * every instance, adopted states came from the fleet, and act() shares a person's actions.
   */
  private shareTransition(hosted: HostedBreaker, event: Extract<BreakerEvent, { type: "state" }>): void {
    if (event.to === "HALF_OPEN" || event.reason === "adopted" || MANUAL_REASONS.has(event.reason)) return;
    if (event.to !== "OPEN") {
      this.store.publishTransition(hosted.breaker.name, { state: event.to }, false);
      return;
    }
    const { openedAt, halfOpenAt, backoffSteps } = hosted.breaker.exportState();
    this.store.publishTransition(hosted.breaker.name, { state: "OPEN", openMs: (halfOpenAt ?? 0) - (openedAt ?? 0), backoffSteps }, false);
  }

  // ── the fleet ────────────────────────────────────────────────────────────

  /** What this instance holds of the fleet's configuration: the seed of an empty store. */
  private truth(): FleetTruth {
    return {
      breakers: [...this.breakers.values()].map((hosted) => this.definitionOf(hosted)),
      endpoints: this.listEndpoints(),
      scenarios: this.scenarios.savedScenarios(),
      states: {},
      playback: this.player.status(),
    };
  }

  private definitionOf(hosted: HostedBreaker): SharedBreakerDefinition {
    const { name, options } = hosted.breaker.snapshot();
    return { name, endpoint: hosted.endpoint, options: options as SharedBreakerDefinition["options"] };
  }

  /** What other instances changed, applied here without sharing it again. */
  private readonly storeListener: StoreListener = {
    synced: (truth) => {
      this.applyTruth(truth);
      this.broadcastState();
    },
    breakerState: (name, state) => {
      const hosted = this.breakers.get(name);
      if (!hosted) return;
      const eventsBefore = hosted.events;
      if (this.adopt(hosted, state) && hosted.events === eventsBefore) this.broadcastState();
    },
    breakerDefined: (definition) => {
      this.applyDefinition(definition);
      this.broadcastState();
    },
    breakerDeleted: (name) => {
      if (!this.breakers.has(name)) return;
      this.unhost(name);
      this.broadcastState();
    },
    endpointChanged: (endpoint) => {
      if (this.endpoints.has(endpoint.name)) this.applyEndpoint(endpoint);
    },
    scenarioSaved: (scenario) => this.scenarios.put(scenario),
    scenarioDeleted: (name) => this.scenarios.forget(name),
    playbackChanged: (status) => this.followPlayback(status),
    playbackStopRequested: () => this.player.stop(),
    fleetReset: (truth) => {
      this.resetLocally();
      this.applyTruth(truth);
      this.broadcastState();
    },
    statusChanged: () => this.broadcastState(),
  };

  /** Take the store's configuration over the local one: the store wins. */
  private applyTruth(truth: FleetTruth): void {
    const shared = new Set(truth.breakers.map(({ name }) => name));
    for (const name of [...this.breakers.keys()]) if (!shared.has(name)) this.unhost(name);
    for (const definition of truth.breakers) this.applyDefinition(definition);
    for (const endpoint of truth.endpoints) {
      if (this.endpoints.has(endpoint.name) && JSON.stringify(this.endpoints.get(endpoint.name)) !== JSON.stringify(endpoint)) this.applyEndpoint(endpoint);
    }
    for (const [name, state] of Object.entries(truth.states)) {
      const hosted = this.breakers.get(name);
      if (hosted) this.adopt(hosted, state);
    }
    for (const scenario of this.scenarios.savedScenarios()) this.scenarios.forget(scenario.name);
    for (const scenario of truth.scenarios) this.scenarios.put(scenario);
    if (this.player.status() === null) this.followPlayback(truth.playback);
  }

  /**
   * Show what another instance plays. It drives the playback (its phase changes reach this
   * instance as endpoint changes); one that plays here gives way to it.
   */
  private followPlayback(status: PlaybackStatus | null): void {
    if (status !== null && this.player.status() !== null) {
      this.yieldingPlayback = true;
      try {
        this.player.stop();
      } finally {
        this.yieldingPlayback = false;
      }
    }
    if (status === null && this.remotePlayback === null) return;
    this.remotePlayback = status;
    this.announcePlayback(status);
  }

  private applyDefinition(definition: SharedBreakerDefinition): void {
    const hosted = this.breakers.get(definition.name);
    if (hosted && hosted.endpoint !== definition.endpoint) this.unhost(definition.name);
    const current = this.breakers.get(definition.name);
    if (!current) {
      if (this.endpoints.has(definition.endpoint)) this.host(definition);
      return;
    }
    if (JSON.stringify(this.definitionOf(current).options) === JSON.stringify(definition.options)) return;
    try {
      current.breaker.configure(definition.options);
    } catch {
      // Options another instance accepted: only a lab of another version could send bad ones.
    }
  }

  private adopt(hosted: HostedBreaker, state: SharedBreakerState): boolean {
    hosted.adoptingFrom = state.origin;
    try {
      return hosted.breaker.adopt(state);
    } finally {
      hosted.adoptingFrom = undefined;
    }
  }

  /** The one timeline entry of an event: pages receive it as built here, so no page builds its own. */
  private timelineEntryOf(hosted: HostedBreaker, event: BreakerEvent): TimelineEntry {
    if (event.type === "state") {
      const { at, breaker, from, to, reason } = event;
      return { at, breaker, kind: "transition", from, to, reason };
    }
    const status = event.type === "success" || (event.type === "failure" && !event.timeout && isHttpFailure(event.error)) ? hosted.judgedStatus : undefined;
    hosted.judgedStatus = undefined;
    return {
      at: event.at,
      breaker: event.breaker,
      kind: "call",
      outcome: outcomeOf(event),
      durationMs: event.type === "rejected" ? 0 : event.durationMs,
      ...(status === undefined ? {} : { status }),
    };
  }

  private broadcastState(): void {
    this.bus.publish("snapshot", () => this.state());
    this.frames.replaced();
  }

  private describe(hosted: HostedBreaker): LabBreaker {
    return { ...hosted.breaker.snapshot(), endpoint: hosted.endpoint };
  }

  private hosted(name: string): HostedBreaker {
    const hosted = this.breakers.get(name);
    if (!hosted) throw notFound("breaker", name);
    return hosted;
  }

  private endpoint(name: string): Endpoint {
    const endpoint = this.endpoints.get(name);
    if (!endpoint) throw notFound("endpoint", name);
    return endpoint;
  }

  /** The library's validation (cross-field rules the schema cannot see) as a 400 naming the field. */
  private optionsError(error: unknown, prefix: string): unknown {
    if (!(error instanceof TypeError || error instanceof RangeError)) return error;
    const option = (error as { option?: unknown }).option;
    return new LabError("invalid_options", `${prefix}${error.message}`, typeof option === "string" ? `${prefix}${option}` : undefined);
  }
}
