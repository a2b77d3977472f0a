import { setMaxListeners } from "node:events";
import type { BreakerAction, BreakerOptionsInput, CreateBreakerInput, EndpointPatchInput } from "@/lib/api/schemas";
import type { CallResult, Endpoint, FireCallsResponse, LabBreaker, LabState, TimelineEntry } from "@/lib/api/types";
import { CallTimeoutError, CircuitBreaker, realClock, type BreakerEvent, type Clock, type TryResult } from "@/lib/breaker";
import {
  applyEndpointPatch,
  createRandom,
  decideOutcome,
  defaultEndpoint,
  type MockOutcome,
  type RandomSource,
} from "@/lib/simulator";
import { runBurst } from "./burst";
import { isHttpFailure, type EndpointCaller, type HttpResult } from "./caller";
import { DEMO_BREAKERS, DEMO_ENDPOINTS, type BreakerDefinition } from "./defaults";
import { LabError, notFound } from "./errors";
import { EventBus, type BusListener } from "./event-bus";
import { LabMetrics, outcomeOf } from "./metrics";
import { RingBuffer } from "./ring-buffer";
import { serializeError, toWireEvent } from "./wire";

/** Entries of the timeline the hub keeps; the oldest go first. */
export const TIMELINE_CAPACITY = 10_000;

export interface HubDependencies {
  /** Makes the protected HTTP call of every breaker. */
  caller: EndpointCaller;
  /** The clock of the breakers and the timeline; tests pass a ManualClock. */
  clock?: Clock;
  /** The randomness of the mock endpoints; tests pass a seeded one. */
  random?: RandomSource;
  /** Export the process's own metrics (memory, event-loop lag) with the lab's. */
  processMetrics?: boolean;
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
}

/**
 * The lab's server side: the registry of breakers and mock endpoints, the HTTP calls the breakers
 * protect, the timeline, the live event stream and the metrics. One per process (see instance.ts).
 */
export class LabHub {
  readonly metrics: LabMetrics;
  private readonly bus = new EventBus();
  private readonly timeline = new RingBuffer<TimelineEntry>(TIMELINE_CAPACITY);
  private readonly breakers = new Map<string, HostedBreaker>();
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly caller: EndpointCaller;
  private readonly clock: Clock;
  private readonly random: RandomSource;

  constructor(dependencies: HubDependencies) {
    this.caller = dependencies.caller;
    this.clock = dependencies.clock ?? realClock;
    this.random = dependencies.random ?? createRandom(Date.now());
    this.metrics = new LabMetrics(() => [...this.breakers.values()].map(({ breaker }) => breaker.snapshot()), {
      processMetrics: dependencies.processMetrics,
    });
    this.loadDemo();
  }

  // ── reading ──────────────────────────────────────────────────────────────

  state(): LabState {
    return {
      now: this.clock.now(),
      breakers: this.listBreakers(),
      endpoints: this.listEndpoints(),
      timeline: this.timeline.toArray(),
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
      throw new LabError(409, "duplicate_name", `A breaker named "${input.name}" already exists`, "name");
    }
    if (!this.endpoints.has(input.endpoint)) {
      throw new LabError(400, "unknown_endpoint", `endpoint must name an existing endpoint, got "${input.endpoint}"`, "endpoint");
    }
    const hosted = this.host({ name: input.name, endpoint: input.endpoint, options: input.options ?? {} });
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
    this.broadcastState();
    return this.describe(hosted);
  }

  deleteBreaker(name: string): void {
    this.unhost(name);
    this.broadcastState();
  }

  act(name: string, action: BreakerAction): LabBreaker {
    const hosted = this.hosted(name);
    hosted.breaker[action]();
    return this.describe(hosted);
  }

  patchEndpoint(name: string, patch: EndpointPatchInput): Endpoint {
    const next = applyEndpointPatch(this.endpoint(name), patch);
    this.endpoints.set(name, next);
    this.bus.publish("endpoint", () => next);
    return { ...next };
  }

  /** Back to the demo defaults: the demo's breakers and endpoints, an empty timeline. */
  resetLab(): void {
    const demoNames = new Set(DEMO_BREAKERS.map(({ name }) => name));
    for (const name of [...this.breakers.keys()]) this.unhost(name, demoNames.has(name));
    this.timeline.clear();
    this.loadDemo();
    this.broadcastState();
  }

  // ── calls ────────────────────────────────────────────────────────────────

  /** Fire `count` real calls through a breaker, `concurrency` at a time, and report each. */
  async fireCalls(name: string, count: number, concurrency: number, signal?: AbortSignal): Promise<FireCallsResponse> {
    const hosted = this.hosted(name);
    // Every call in flight listens to the client's signal; a burst of 100 is expected, not a leak.
    if (signal) setMaxListeners(0, signal);
    const results = await runBurst(count, concurrency, () => this.fireOne(hosted, signal), signal);
    return { results, snapshot: this.describe(hosted) };
  }

  /** Decide how a mock endpoint answers one request. */
  decideMock(name: string): MockOutcome {
    const outcome = decideOutcome(this.endpoint(name), this.random);
    this.metrics.mockRequest(name, outcome.kind);
    return outcome;
  }

  private async fireOne(hosted: HostedBreaker, signal: AbortSignal | undefined): Promise<CallResult> {
    const startedAt = this.clock.now();
    const result = await hosted.breaker.tryExecute((callSignal) => this.caller(hosted.endpoint, callSignal), { signal });
    const settledAt = this.clock.now();
    return this.classify(result, settledAt - startedAt, signal);
  }

  private classify(result: TryResult<HttpResult>, durationMs: number, signal: AbortSignal | undefined): CallResult {
    if (result.ok) {
      const { status } = result.value;
      return isHttpFailure(result.value)
        ? { outcome: "failure", status, durationMs, error: `HTTP ${status}` }
        : { outcome: "success", status, durationMs };
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
  }

  private host(definition: BreakerDefinition): HostedBreaker {
    let breaker: CircuitBreaker;
    try {
      breaker = new CircuitBreaker({
        ...definition.options,
        name: definition.name,
        clock: this.clock,
        isResultFailure: (result) => {
          hosted.judgedStatus = (result as HttpResult).status;
          return isHttpFailure(result);
        },
      });
    } catch (error) {
      throw this.optionsError(error, "options.");
    }
    const hosted: HostedBreaker = { breaker, endpoint: definition.endpoint, judgedStatus: undefined };
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
    if (event.type === "state") {
      const { at, breaker, from, to, reason } = event;
      this.timeline.push({ at, breaker, kind: "transition", from, to, reason });
    } else {
      const status = event.type === "success" || (event.type === "failure" && !event.timeout && isHttpFailure(event.error)) ? hosted.judgedStatus : undefined;
      hosted.judgedStatus = undefined;
      this.timeline.push({
        at: event.at,
        breaker: event.breaker,
        kind: "call",
        outcome: outcomeOf(event),
        durationMs: event.type === "rejected" ? 0 : event.durationMs,
        ...(status === undefined ? {} : { status }),
      });
    }
    this.bus.publish("breaker", () => ({ ...toWireEvent(event), snapshot: this.describe(hosted) }));
  }

  private broadcastState(): void {
    this.bus.publish("snapshot", () => this.state());
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
    return new LabError(400, "invalid_options", `${prefix}${error.message}`, typeof option === "string" ? `${prefix}${option}` : undefined);
  }
}
