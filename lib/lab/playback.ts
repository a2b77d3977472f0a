import type { PlaybackStatus } from "@/lib/api/types";
import type { Clock } from "@/lib/breaker";
import { scenarioLength, type Scenario } from "@/lib/simulator";
import { backgroundTimeout } from "./timers";

/** What a playback does to the lab. */
export interface PlaybackHooks {
  /** Phase `index` of `scenario` begins: apply its patches. */
  enterPhase(scenario: Scenario, index: number): void;
  /** The playback started, moved on, or stopped (`null`). */
  changed(status: PlaybackStatus | null): void;
}

interface Playing {
  scenario: Scenario;
  passStart: number;
  phase: number;
  phaseEndsAt: number;
  timer: unknown;
}

/**
 * Plays one scenario at a time on a clock: phase 0 at once, each next phase when the one before
 * ends. Every boundary is computed from the start of the pass, never from the moment the previous
 * timer fired, so late timers never accumulate drift; a timer that fires a whole phase late applies
 * the skipped phases in order, so the models end up as the scenario says. Timers never keep the
 * process alive.
 */
export class ScenarioPlayer {
  private playing: Playing | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly hooks: PlaybackHooks,
  ) {}

  status(): PlaybackStatus | null {
    const playing = this.playing;
    if (!playing) return null;
    return {
      scenario: playing.scenario.name,
      phase: playing.phase,
      startedAt: playing.passStart,
      phaseEndsAt: playing.phaseEndsAt,
      endsAt: playing.scenario.loop ? null : playing.passStart + scenarioLength(playing.scenario),
    };
  }

  /** Play `scenario` from its first phase, replacing whatever plays. */
  play(scenario: Scenario): PlaybackStatus {
    this.cancelTimer();
    const now = this.clock.now();
    this.playing = { scenario, passStart: now, phase: 0, phaseEndsAt: now + scenario.phases[0]!.forMs, timer: undefined };
    this.hooks.enterPhase(scenario, 0);
    this.arm();
    const status = this.status()!;
    this.hooks.changed(status);
    return status;
  }

  /** Stop; the endpoints keep the model they have. Says whether something was playing. */
  stop(): boolean {
    if (!this.playing) return false;
    this.cancelTimer();
    this.playing = null;
    this.hooks.changed(null);
    return true;
  }

  private advance(): void {
    const playing = this.playing;
    if (!playing) return;
    playing.timer = undefined;
    const now = this.clock.now();
    const { scenario } = playing;
    let moved = false;
    const length = scenarioLength(scenario);
    const passes = Math.floor((now - playing.passStart) / length);
    if (scenario.loop && passes >= 2) {
      // A timer this late (a suspended process) need not replay every pass it missed: one full pass
      // sets every field any phase sets, so the last full pass and the current one give the same models.
      playing.phase = scenario.phases.length - 1;
      playing.phaseEndsAt = playing.passStart + (passes - 1) * length;
    }
    while (now >= playing.phaseEndsAt) {
      const phaseStart = playing.phaseEndsAt;
      let next = playing.phase + 1;
      if (next === scenario.phases.length) {
        if (!scenario.loop) {
          this.playing = null;
          this.hooks.changed(null);
          return;
        }
        next = 0;
        playing.passStart = phaseStart;
      }
      playing.phase = next;
      playing.phaseEndsAt = phaseStart + scenario.phases[next]!.forMs;
      this.hooks.enterPhase(scenario, next);
      moved = true;
    }
    this.arm();
    if (moved) this.hooks.changed(this.status());
  }

  private arm(): void {
    const playing = this.playing!;
    playing.timer = backgroundTimeout(this.clock, () => this.advance(), Math.max(0, playing.phaseEndsAt - this.clock.now()));
  }

  private cancelTimer(): void {
    if (this.playing?.timer !== undefined) this.clock.clearTimeout(this.playing.timer);
  }
}
