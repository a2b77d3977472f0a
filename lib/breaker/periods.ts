/**
 * The periods of a breaker: the stretches between two transitions, one object each. A call keeps
 * the period it was admitted in and may change the breaker only while that very object is current,
 * so a call that outlived its period (a reset, a trip, a timeout of HALF_OPEN) decides nothing.
 */

export interface ClosedPeriod {
  readonly state: "CLOSED";
}

export interface DisabledPeriod {
  readonly state: "DISABLED";
}

export interface ForcedOpenPeriod {
  readonly state: "FORCED_OPEN";
}

export interface OpenPeriod {
  readonly state: "OPEN";
  readonly openedAt: number;
  /** When the period ends and HALF_OPEN begins. */
  readonly halfOpenAt: number;
}

export interface HalfOpenPeriod {
  readonly state: "HALF_OPEN";
  /** The open period that led here. */
  readonly openedAt: number;
  readonly halfOpenAt: number;
  /** When an undecided HALF_OPEN goes back to OPEN (maxHalfOpenMs). */
  readonly endsAt: number;
  inFlight: number;
  /** Trials that settled as successes, failures, and slow (either way). */
  successes: number;
  failures: number;
  slowCalls: number;
}

export type Period = ClosedPeriod | DisabledPeriod | ForcedOpenPeriod | OpenPeriod | HalfOpenPeriod;

export function halfOpenPeriod(openedAt: number, halfOpenAt: number, endsAt: number): HalfOpenPeriod {
  return { state: "HALF_OPEN", openedAt, halfOpenAt, endsAt, inFlight: 0, successes: 0, failures: 0, slowCalls: 0 };
}
