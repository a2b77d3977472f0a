/**
 * The floors of two of our paths: what any breaker that does the same job must pay, measured in
 * the same rounds as the breaker so that the ratio is fair on a noisy machine.
 */
import type { Subject } from "./harness";

// The clock our breaker reads by default: epoch ms from the monotonic clock.
const timeOrigin = performance.timeOrigin;
const now = () => timeOrigin + performance.now();

/** Scenario c's floor: a call that a timer could settle first needs its own promise and its start time. */
export const TIMEOUT_FLOOR = "floor: new Promise settled by fn + a clock read";

/** Scenario b's floor: a time window stamps each call as it settles. */
export const TIME_WINDOW_FLOOR = "floor: a clock read in one reaction";

export function timeoutFloorSubject(): Subject {
  return {
    name: TIMEOUT_FLOOR,
    call(fn) {
      let startedAt = now();
      return new Promise((resolve, reject) => {
        // Keeps the clock read from being optimised away without costing anything measurable.
        if (startedAt < 0) startedAt = 0;
        fn().then(resolve, reject);
      });
    },
  };
}

export function timeWindowFloorSubject(): Subject {
  let stamp = 0;
  const onSettled = () => {
    stamp = now();
  };
  return {
    name: TIME_WINDOW_FLOOR,
    call(fn) {
      const result = fn();
      result.then(onSettled, onSettled);
      if (stamp < 0) stamp = 0;
      return result;
    },
  };
}
