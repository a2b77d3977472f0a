import { applyEndpointPatch, defaultEndpoint, scenarioLength, type EndpointConfig, type Scenario } from "@/lib/simulator";

/** A stretch of virtual time with one model of the endpoint in force: [start, end). */
export interface ModelInterval {
  start: number;
  end: number;
  model: EndpointConfig;
}

/**
 * The model of one endpoint over virtual time as a scenario drives it: each phase's patch on top
 * of the model before it, the first on top of `defaultEndpoint(name)`. A looping scenario's second
 * pass starts from the end of the first, so passes after the first share one set of models; past
 * the end of a scenario that does not loop, the last phase's model stays in force.
 */
export class EndpointTimeline {
  private readonly firstPass: EndpointConfig[];
  private readonly laterPasses: EndpointConfig[];
  private readonly passMs: number;

  constructor(
    private readonly scenario: Scenario,
    endpoint: string,
  ) {
    this.passMs = scenarioLength(scenario);
    this.firstPass = this.fold(defaultEndpoint(endpoint), endpoint);
    this.laterPasses = scenario.loop ? this.fold(this.firstPass.at(-1)!, endpoint) : this.firstPass;
  }

  /** Every interval that begins before `untilMs`, in order; the last one of a scenario that does not loop never ends. */
  *intervals(untilMs: number): Generator<ModelInterval> {
    const { phases } = this.scenario;
    let passStart = 0;
    for (let pass = 0; ; pass += 1) {
      const models = pass === 0 ? this.firstPass : this.laterPasses;
      let start = passStart;
      for (let index = 0; index < phases.length; index += 1) {
        if (start >= untilMs) return;
        const last = !this.scenario.loop && index === phases.length - 1;
        const end = last ? Number.POSITIVE_INFINITY : start + phases[index]!.forMs;
        yield { start, end, model: models[index]! };
        start = end;
      }
      if (!this.scenario.loop) return;
      passStart += this.passMs;
    }
  }

  private fold(initial: EndpointConfig, endpoint: string): EndpointConfig[] {
    const models: EndpointConfig[] = [];
    let model = initial;
    for (const phase of this.scenario.phases) {
      const patch = phase.endpoints[endpoint];
      if (patch) model = applyEndpointPatch(model, patch);
      models.push(model);
    }
    return models;
  }
}

/** Reads the model in force at instants that never go back, stepping through the intervals once. */
export class ModelCursor {
  private readonly intervals: Iterator<ModelInterval>;
  private current: ModelInterval;

  constructor(timeline: EndpointTimeline, untilMs: number) {
    this.intervals = timeline.intervals(untilMs);
    this.current = this.intervals.next().value as ModelInterval;
  }

  /** The model in force at `at` (never earlier than the previous call's). */
  at(at: number): EndpointConfig {
    while (at >= this.current.end) {
      const next = this.intervals.next();
      if (next.done) break;
      this.current = next.value;
    }
    return this.current.model;
  }
}
