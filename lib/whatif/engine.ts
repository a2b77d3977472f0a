import { CircuitBreaker, ManualClock, type BreakerEvent, type TryResult } from "@/lib/breaker";
import { createRandom, decideOutcome, HANG_LIMIT_MS, scenarioLength, type MockOutcome } from "@/lib/simulator";
import { EndpointTimeline, ModelCursor } from "./endpoint-timeline";
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
// A call the breaker's timeout will end never hears back: nothing needs to settle its promise.
const NEVER_ANSWERED = new Promise<UpstreamAnswer>(() => {});

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

/** One admitted call: its answer, and when it stops occupying the endpoint. */
class SimulatedCall {
  resolve: ((answer: UpstreamAnswer) => void) | undefined = undefined;
  reject: ((error: Error) => void) | undefined = undefined;
  result: Promise<TryResult<UpstreamAnswer>> | undefined = undefined;

  constructor(
    readonly outcome: MockOutcome,
    /** When it leaves the endpoint: its answer, or the breaker's timeout if that comes first. */
    readonly endsAt: number,
    readonly timesOut: boolean,
  ) {}

  /** The function the breaker runs: the request reaches the endpoint. */
  start(): Promise<UpstreamAnswer> {
    if (this.timesOut) return NEVER_ANSWERED;
    return new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  /** The endpoint answers; the breaker judges it in a promise reaction. */
  answer(): void {
    if (this.outcome.kind === "reset") this.reject!(CONNECTION_RESET);
    else this.resolve!(answersSuccessfully(this.outcome) ? ANSWERED_OK : ANSWERED_FAILED);
  }
}

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

/** Called now and then with the share of virtual time done, 0..1. */
export type ProgressListener = (done: number) => void;

// Progress is reported every this many arrivals: often enough for a bar, rarely enough to cost nothing.
const PROGRESS_EVERY = 50_000;

async function runConfig(input: WhatIfInput, config: WhatIfConfig, onProgress: ProgressListener | undefined, progressOffset: number): Promise<WhatIfConfigResult> {
  const durationMs = durationOf(input);
  const seed = seedOf(input);
  const instances = input.instances ?? 1;
  const clock = new ManualClock(0);
  const timeoutMs = config.options.timeoutMs ?? null;
  const counts: Counts = { successes: 0, failures: 0, timeouts: 0, rejected: 0, ignored: 0, rejectedGood: 0 };
  const transitions: WhatIfTransition[] = [];
  const breakers = Array.from({ length: instances }, (_, instance) => {
    const breaker = new CircuitBreaker({
      ...config.options,
      name: `${config.label || "config"}#${instance}`,
      clock,
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
  });

  const cursor = new ModelCursor(new EndpointTimeline(input.scenario, input.endpoint), durationMs);
  const random = createRandom(seed);
  const nextArrival = arrivals(input, seed);
  const queue = new SettleQueue<SimulatedCall>();
  let arrivalAt = nextArrival();
  let arrived = 0;
  let inFlight = 0;
  const settledNow: SimulatedCall[] = [];

  for (;;) {
    const timerAt = clock.nextDueAt() ?? Number.POSITIVE_INFINITY;
    const endAt = queue.peekAt();
    const now = Math.min(timerAt, endAt, arrivalAt);
    if (!(now < durationMs)) break;
    // At one instant: the breakers' timers first, then the calls that end, then new arrivals.
    if (timerAt === now) {
      clock.advanceTo(now);
      continue;
    }
    clock.advanceTo(now);
    if (endAt === now) {
      while (queue.peekAt() === now) {
        const call = queue.pop();
        inFlight -= 1;
        if (!call.timesOut) {
          call.answer();
          settledNow.push(call);
        }
      }
      // Until the breakers have judged these answers, nothing later may be decided.
      for (const call of settledNow) await call.result;
      settledNow.length = 0;
      continue;
    }
    const breaker = breakers[arrived % instances]!;
    arrived += 1;
    // Every arrival draws its outcome, admitted or not, so every config meets the same upstream.
    const outcome = decideOutcome(cursor.at(now), random, inFlight);
    const answerAt = now + answerDelay(outcome);
    const timesOut = timeoutMs !== null && answerAt >= now + timeoutMs;
    const call = new SimulatedCall(outcome, timesOut ? now + timeoutMs : answerAt, timesOut);
    let admitted = false;
    const result = breaker.tryExecute(() => {
      admitted = true;
      return call.start();
    });
    if (admitted) {
      call.result = result;
      inFlight += 1;
      queue.push(call.endsAt, call);
    } else if (answersSuccessfully(outcome) && (timeoutMs === null || answerAt - now < timeoutMs)) {
      counts.rejectedGood += 1;
    }
    arrivalAt = nextArrival();
    if (onProgress && arrived % PROGRESS_EVERY === 0) onProgress(progressOffset + Math.min(1, now / durationMs) / input.configs.length);
  }
  for (const breaker of breakers) breaker.dispose();

  const { successes, failures, timeouts, rejected, ignored, rejectedGood } = counts;
  const recovery = judgeRecovery(new EndpointTimeline(input.scenario, input.endpoint).intervals(durationMs), transitions, timeoutMs);
  return {
    label: config.label,
    calls: successes + failures + ignored + rejected,
    successes,
    failures,
    timeouts,
    rejected,
    ignored,
    upstreamCalls: successes + failures + ignored,
    wastedCalls: failures,
    rejectedGood,
    ...recovery,
    transitions,
  };
}

/**
 * Run each config's breakers, the real `CircuitBreaker` on a `ManualClock`, against the scenario
 * in virtual time, and count what happened. Deterministic: the same input gives the same result.
 * The input is assumed valid (the lab's schema checks it); a config the library refuses throws
 * the library's error.
 */
export async function runWhatIf(input: WhatIfInput, onProgress?: ProgressListener): Promise<WhatIfResult> {
  const results: WhatIfConfigResult[] = [];
  for (const [index, config] of input.configs.entries()) {
    results.push(await runConfig(input, config, onProgress, index / input.configs.length));
  }
  onProgress?.(1);
  return { simulatedCalls: results.reduce((total, result) => total + result.calls, 0), results };
}
