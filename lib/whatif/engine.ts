import { CircuitBreaker, CircuitOpenError, ManualClock, type BreakerEvent, type CallPermit } from "@/lib/breaker";
import {
  createRandom,
  decideOutcome,
  HANG_LIMIT_MS,
  scenarioLength,
  type EndpointConfig,
  type MockOutcome,
  type RandomSource,
} from "@/lib/simulator";
import { EndpointTimeline, ModelCursor, type ModelInterval } from "./endpoint-timeline";
import { judgeRecovery } from "./recovery";
import { SettleQueue } from "./settle-queue";
import type { WhatIfConfig, WhatIfConfigResult, WhatIfInput, WhatIfResult, WhatIfTransition } from "./types";

/** What the simulated upstream answered: a result failure (a 5xx, a malformed body) or not. */
interface UpstreamAnswer {
  failed: boolean;
}

const ANSWERED_OK: UpstreamAnswer = { failed: false };
const ANSWERED_FAILED: UpstreamAnswer = { failed: true };
const CONNECTION_RESET = new Error("connection reset by the simulated endpoint");

// A gap of the arrival stream must not come from the endpoint's stream, or poisson and steady
// traffic would see different upstreams: this constant sets the arrivals' own seed apart.
const ARRIVAL_SEED_SALT = 0x5bd1e995;

/** When an admitted call's answer reaches the caller, ms after it arrived (the mock's live behaviour). */
function answerDelay(outcome: MockOutcome): number {
  return outcome.kind === "hang" ? outcome.delayMs + HANG_LIMIT_MS : outcome.delayMs;
}

/** Whether the endpoint's answer is a success of the call, given that it arrives before any timeout. */
function answersSuccessfully(outcome: MockOutcome): boolean {
  return outcome.kind === "ok" || outcome.kind === "slow-body";
}

// What the endpoint does with an admitted call, kept as its tag in the queue of ending calls.
const ANSWERS_OK = 0;
const ANSWERS_FAILED = 1;
const RESETS = 2;
// Never answered: the breaker's own timeout (a timer on the config's clock) settles its permit.
const TIMES_OUT = 3;

/** Arrival instants: `k * 1000 / rps`, or exponential gaps drawn from their own seeded stream. */
function arrivals(input: WhatIfInput, seed: number): () => number {
  const { rps, arrival = "steady" } = input.traffic;
  if (arrival === "steady") {
    let index = 0;
    return () => (index++ * 1000) / rps;
  }
  const random = createRandom(seed ^ ARRIVAL_SEED_SALT);
  let at = 0;
  let first = true;
  return () => {
    if (first) {
      first = false;
      return 0;
    }
    at += (-Math.log(1 - random()) * 1000) / rps;
    return at;
  };
}

/** The run's length: the input's, else one pass of the scenario. */
export function durationOf(input: WhatIfInput): number {
  return input.durationMs ?? scenarioLength(input.scenario);
}

/** The run's seed: the input's, else the scenario's, else 1. */
export function seedOf(input: WhatIfInput): number {
  return input.seed ?? input.scenario.seed ?? 1;
}

interface Counts {
  successes: number;
  failures: number;
  timeouts: number;
  rejected: number;
  ignored: number;
  rejectedGood: number;
}

/**
 * The two draws of one arrival, replayed to every config: `decideOutcome` takes exactly two, so
 * each config decides from the same numbers, whatever its own load.
 */
class ArrivalDraws {
  private first = 0;
  private second = 0;
  private taken = 0;
  readonly source: RandomSource = () => (this.taken++ % 2 === 0 ? this.first : this.second);

  constructor(private readonly random: RandomSource) {}

  /** Draw the next arrival's pair. */
  next(): void {
    this.first = this.random();
    this.second = this.random();
  }

  /** Replay the pair from its start, for the next config. */
  rewind(): void {
    this.taken = 0;
  }
}

/** One config's breakers (one per instance) on their own clock, with the calls they let through. */
class ConfigRun {
  readonly counts: Counts = { successes: 0, failures: 0, timeouts: 0, rejected: 0, ignored: 0, rejectedGood: 0 };
  readonly transitions: WhatIfTransition[] = [];
  private readonly clock = new ManualClock(0);
  private readonly breakers: CircuitBreaker[];
  /** The calls the breakers let through, by when they leave the endpoint, tagged with their answer. */
  private readonly queue = new SettleQueue<CallPermit>();
  private readonly timeoutMs: number | null;
  private inFlight = 0;

  constructor(
    readonly config: WhatIfConfig,
    instances: number,
  ) {
    this.timeoutMs = config.options.timeoutMs ?? null;
    this.breakers = Array.from({ length: instances }, (_, instance) => this.host(instance));
  }

  /**
   * Play this config's own events up to `until`: its breakers' timers and the calls that end, those
   * due by `until` when an arrival follows then (`inclusive`), before it otherwise (the run's end).
   * At one instant the timers fire first, then the calls end. The configs share nothing but the
   * arrivals, so each plays its own events between two arrivals, in its own order.
   */
  playUntil(until: number, inclusive: boolean): void {
    const { clock, queue } = this;
    for (;;) {
      const at = Math.min(clock.nextDueAt() ?? Number.POSITIVE_INFINITY, queue.peekAt());
      if (inclusive ? at > until : !(at < until)) break;
      clock.advanceTo(at);
      this.endCalls(at);
    }
    // The breakers judged those answers at once. Nothing they changed can fall due at `until`
    // (a new open period, HALF_OPEN or deadline ends later), so the arrival follows at once.
    if (inclusive) clock.advanceTo(until);
  }

  /** Give the calls that end at `now` their answers, which the breakers judge at once. */
  private endCalls(now: number): void {
    const queue = this.queue;
    while (queue.peekAt() === now) {
      const answer = queue.peekTag();
      const permit = queue.pop();
      this.inFlight -= 1;
      if (answer === ANSWERS_OK) permit.success(ANSWERED_OK);
      else if (answer === ANSWERS_FAILED) permit.success(ANSWERED_FAILED);
      else if (answer === RESETS) permit.failure(CONNECTION_RESET);
    }
  }

  /** A call arrives at `now` at instance `instance`, with the upstream's answer decided from `draws`. */
  arrive(now: number, instance: number, model: EndpointConfig, draws: RandomSource): void {
    const outcome = decideOutcome(model, draws, this.inFlight);
    const answerAt = now + answerDelay(outcome);
    const { timeoutMs } = this;
    const timesOut = timeoutMs !== null && answerAt >= now + timeoutMs;
    const permit = this.breakers[instance]!.tryAcquire();
    if (!(permit instanceof CircuitOpenError)) {
      this.inFlight += 1;
      if (timesOut) this.queue.push(now + timeoutMs, permit, TIMES_OUT);
      else if (outcome.kind === "reset") this.queue.push(answerAt, permit, RESETS);
      else this.queue.push(answerAt, permit, answersSuccessfully(outcome) ? ANSWERS_OK : ANSWERS_FAILED);
    } else if (answersSuccessfully(outcome) && (timeoutMs === null || answerAt - now < timeoutMs)) {
      this.counts.rejectedGood += 1;
    }
  }

  result(intervals: Iterable<ModelInterval>): WhatIfConfigResult {
    for (const breaker of this.breakers) breaker.dispose();
    const { successes, failures, timeouts, rejected, ignored, rejectedGood } = this.counts;
    return {
      label: this.config.label,
      calls: successes + failures + ignored + rejected,
      successes,
      failures,
      timeouts,
      rejected,
      ignored,
      upstreamCalls: successes + failures + ignored,
      wastedCalls: failures,
      rejectedGood,
      ...judgeRecovery(intervals, this.transitions, this.timeoutMs),
      transitions: this.transitions,
    };
  }

  private host(instance: number): CircuitBreaker {
    const { counts, transitions } = this;
    const breaker = new CircuitBreaker({
      ...this.config.options,
      name: `${this.config.label || "config"}#${instance}`,
      clock: this.clock,
      isResultFailure: (answer) => (answer as UpstreamAnswer).failed,
    });
    breaker.subscribe((event: BreakerEvent) => {
      switch (event.type) {
        case "state":
          transitions.push({ at: event.at, instance, from: event.from, to: event.to, reason: event.reason });
          break;
        case "success":
          counts.successes += 1;
          break;
        case "failure":
          counts.failures += 1;
          if (event.timeout) counts.timeouts += 1;
          break;
        case "rejected":
          counts.rejected += 1;
          break;
        case "ignored":
          counts.ignored += 1;
          break;
      }
    });
    return breaker;
  }
}

/** Called now and then with the share of virtual time done, 0..1. */
export type ProgressListener = (done: number) => void;

// Progress is reported every this many arrivals: often enough for a bar, rarely enough to cost nothing.
const PROGRESS_EVERY = 50_000;

/**
 * Run each config's breakers, the real `CircuitBreaker` on a `ManualClock`, against the scenario
 * in virtual time, and count what happened. Deterministic: the same input gives the same result.
 * The configs run side by side on one time line: they meet the same arrivals and the same draws.
 * Every call is judged synchronously through a permit of its breaker: no promise per call and no
 * wait for one. The input is assumed valid (the lab's schema checks it); a config the library
 * refuses throws the library's error.
 */
export async function runWhatIf(input: WhatIfInput, onProgress?: ProgressListener): Promise<WhatIfResult> {
  const durationMs = durationOf(input);
  const seed = seedOf(input);
  const instances = input.instances ?? 1;
  const runs = input.configs.map((config) => new ConfigRun(config, instances));
  const timeline = new EndpointTimeline(input.scenario, input.endpoint);
  const cursor = new ModelCursor(timeline, durationMs);
  const draws = new ArrivalDraws(createRandom(seed));
  const nextArrival = arrivals(input, seed);
  let arrivalAt = nextArrival();
  let arrived = 0;

  // At one instant: the breakers' timers first, then the calls that end, then the arrival.
  while (arrivalAt < durationMs) {
    const now = arrivalAt;
    for (const run of runs) run.playUntil(now, true);
    const model = cursor.at(now);
    const instance = arrived % instances;
    // Every arrival draws its outcome, admitted or not, so every config meets the same upstream.
    draws.next();
    for (const run of runs) {
      draws.rewind();
      run.arrive(now, instance, model, draws.source);
    }
    arrived += 1;
    arrivalAt = nextArrival();
    if (onProgress && arrived % PROGRESS_EVERY === 0) onProgress(Math.min(1, now / durationMs));
  }
  for (const run of runs) run.playUntil(durationMs, false);
  const results = runs.map((run) => run.result(timeline.intervals(durationMs)));
  onProgress?.(1);
  return { simulatedCalls: results.reduce((total, result) => total + result.calls, 0), results };
}
