import { describe, expect, it } from "vitest";
import { CircuitBreaker, ManualClock } from "./index";
import { deferred } from "./test-helpers";

describe("after dispose()", () => {
  it("a call still running that trips the breaker sets no timer, and the state stays exact", async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 1_000, clock });
    const running = deferred<string>();
    const call = breaker.execute(() => running.promise);
    breaker.dispose();
    running.reject(new Error("down"));
    await call.catch(() => undefined);
    expect(breaker.state).toBe("OPEN");
    expect(clock.pendingTimers).toBe(0);
    clock.jump(1_000);
    expect(breaker.state).toBe("HALF_OPEN");
    expect(clock.pendingTimers).toBe(0);
  });
});
