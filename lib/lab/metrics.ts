import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { CallOutcome } from "@/lib/api/types";
import type { BreakerEvent, BreakerSnapshot, BreakerState } from "@/lib/breaker";

const STATES: readonly BreakerState[] = ["CLOSED", "OPEN", "HALF_OPEN", "FORCED_OPEN", "DISABLED"];
const OUTCOMES: readonly CallOutcome[] = ["success", "failure", "timeout", "rejected", "ignored"];

/** The outcome label of a breaker event, in the calls route's vocabulary. */
export function outcomeOf(event: Exclude<BreakerEvent, { type: "state" }>): CallOutcome {
  return event.type === "failure" && event.timeout ? "timeout" : event.type;
}

/**
 * The lab's Prometheus metrics, on a registry of its own. Counters move with breaker events and
 * never go back; gauges are read from the breakers' snapshots at scrape time.
 */
export class LabMetrics {
  readonly registry = new Registry();
  private readonly calls: Counter<"breaker" | "outcome">;
  private readonly durations: Histogram<"breaker">;
  private readonly transitions: Counter<"breaker" | "from" | "to">;
  private readonly mockRequests: Counter<"endpoint" | "result">;
  private readonly mockInFlight: Gauge<"endpoint">;
  private readonly sseClients: Gauge;

  /**
   * @param snapshots - the breakers' snapshots, read at scrape time
   * @param processMetrics - also export the process's memory, CPU and event-loop lag (the one
   *   hub of the server does; tests' hubs do not start those monitors)
   * @param storeUp - whether the shared state's store is reachable, read at scrape time
   */
  constructor(
    snapshots: () => Iterable<BreakerSnapshot>,
    { processMetrics = false, storeUp = () => true }: { processMetrics?: boolean; storeUp?: () => boolean } = {},
  ) {
    const registers = [this.registry];
    if (processMetrics) collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: "lab_store_up",
      help: "1 while the store of the shared state is reachable (always in memory), 0 while this instance runs on local state.",
      registers,
      collect() {
        this.set(storeUp() ? 1 : 0);
      },
    });
    this.calls = new Counter({
      name: "breaker_calls_total",
      help: "Calls through each breaker by outcome (a timeout counts as timeout, not failure).",
      labelNames: ["breaker", "outcome"],
      registers,
    });
    this.durations = new Histogram({
      name: "breaker_call_duration_seconds",
      help: "Duration of the calls each breaker ran (rejected calls excluded).",
      labelNames: ["breaker"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers,
    });
    this.transitions = new Counter({
      name: "breaker_transitions_total",
      help: "State transitions of each breaker.",
      labelNames: ["breaker", "from", "to"],
      registers,
    });
    this.mockRequests = new Counter({
      name: "lab_mock_requests_total",
      help: "Requests that reached each mock endpoint, by what the fault model made of them.",
      labelNames: ["endpoint", "result"],
      registers,
    });
    this.mockInFlight = new Gauge({
      name: "lab_mock_requests_in_flight",
      help: "Requests each mock endpoint is answering (or hanging on) right now.",
      labelNames: ["endpoint"],
      registers,
    });
    this.sseClients = new Gauge({ name: "lab_sse_clients", help: "Event streams open right now.", registers });
    new Gauge({
      name: "breaker_state",
      help: "1 for the state each breaker is in, 0 for the others.",
      labelNames: ["breaker", "state"],
      registers,
      collect() {
        this.reset();
        for (const snapshot of snapshots()) {
          for (const state of STATES) this.set({ breaker: snapshot.name, state }, snapshot.state === state ? 1 : 0);
        }
      },
    });
    const rateGauge = (name: string, help: string, rate: (snapshot: BreakerSnapshot) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ["breaker"],
        registers,
        collect() {
          this.reset();
          for (const snapshot of snapshots()) this.set({ breaker: snapshot.name }, rate(snapshot));
        },
      });
    rateGauge("breaker_failure_rate_percent", "Failure rate over each breaker's window, in percent.", (snapshot) => snapshot.window.failureRate);
    rateGauge("breaker_slow_call_rate_percent", "Slow-call rate over each breaker's window, in percent.", (snapshot) => snapshot.window.slowCallRate);
  }

  /** Start a breaker's call series at zero so that they exist before the first call. */
  track(breaker: string): void {
    for (const outcome of OUTCOMES) this.calls.inc({ breaker, outcome }, 0);
  }

  record(event: BreakerEvent): void {
    if (event.type === "state") {
      this.transitions.inc({ breaker: event.breaker, from: event.from, to: event.to });
      return;
    }
    this.calls.inc({ breaker: event.breaker, outcome: outcomeOf(event) });
    if (event.type !== "rejected") this.durations.observe({ breaker: event.breaker }, event.durationMs / 1000);
  }

  /** Remove every series of a deleted breaker. */
  forget(breaker: string): void {
    for (const outcome of OUTCOMES) this.calls.remove({ breaker, outcome });
    this.durations.remove({ breaker });
    for (const from of STATES) {
      for (const to of STATES) this.transitions.remove({ breaker, from, to });
    }
  }

  mockRequest(endpoint: string, result: string): void {
    this.mockRequests.inc({ endpoint, result });
  }

  mockStarted(endpoint: string): void {
    this.mockInFlight.inc({ endpoint });
  }

  mockFinished(endpoint: string): void {
    this.mockInFlight.dec({ endpoint });
  }

  sseClientConnected(): void {
    this.sseClients.inc();
  }

  sseClientDisconnected(): void {
    this.sseClients.dec();
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
