import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it, vi } from "vitest";
import { CircuitBreaker, ManualClock } from "./index";
import { deferred, fail, recordEvents } from "./test-helpers";

describe("timers", () => {
  it("no timer exists while CLOSED unless timeoutMs is set", async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ slidingWindow: { type: "time", ms: 1_000 }, slowCallMs: 5, clock });
    const hold = deferred();
    const call = breaker.execute(() => hold.promise);
    await fail(breaker, 3);
    expect(clock.pendingTimers).toBe(0);
    hold.resolve("done");
    await call;
    expect(clock.pendingTimers).toBe(0);
  });

  it("one timer while OPEN or HALF_OPEN, none after closing", async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 100, clock });
    await fail(breaker);
    expect(clock.pendingTimers).toBe(1);
    clock.advance(100);
    expect(clock.pendingTimers).toBe(1);
    await breaker.execute(() => "ok");
    expect(clock.pendingTimers).toBe(0);
  });

  it("every timer of the real clock is unref'd", async () => {
    const handles: ReturnType<typeof setTimeout>[] = [];
    const realSetTimeout = globalThis.setTimeout;
    const spy = vi.spyOn(globalThis, "setTimeout").mockImplementation(((callback: () => void, ms?: number) => {
      const handle = realSetTimeout(callback, ms);
      handles.push(handle);
      return handle;
    }) as typeof setTimeout);
    try {
      const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 60_000, timeoutMs: 60_000 });
      void breaker.execute(() => new Promise(() => undefined)).catch(() => undefined);
      await fail(breaker);
      // The breaker's one timer for call timeouts, and the open period's timer.
      expect(handles).toHaveLength(2);
      expect(handles.map((handle) => handle.hasRef())).toEqual([false, false]);
      breaker.dispose();
    } finally {
      spy.mockRestore();
    }
  });
});

describe("dispose", () => {
  it("clears every timer and listener; running calls settle with fn's outcome; execute then rejects with a TypeError naming the breaker", async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ name: "payments", timeoutMs: 100, failureThreshold: 1, openMs: 1_000, clock });
    const events = recordEvents(breaker);
    const running = deferred<string>();
    const call = breaker.execute(() => running.promise);
    expect(clock.pendingTimers).toBe(1);
    breaker.dispose();
    expect(clock.pendingTimers).toBe(0);
    clock.advance(500);
    running.resolve("finished anyway");
    await expect(call).resolves.toBe("finished anyway");
    expect(events).toEqual([]);
    await expect(breaker.execute(() => 1)).rejects.toThrow(new TypeError('Circuit breaker "payments" is disposed'));
    expect(() => breaker.reset()).toThrow(TypeError);
    expect(() => breaker.configure({ openMs: 5 })).toThrow(TypeError);
    breaker.dispose();
  });

  it("clears the open-period timer, so nothing fires after dispose", async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 100, clock });
    await fail(breaker);
    breaker.dispose();
    expect(clock.pendingTimers).toBe(0);
  });
});

describe("a process with a tripped breaker", () => {
  it("exits promptly: no timer keeps it alive", async () => {
    const script = fileURLToPath(new URL("./fixtures/tripped-and-exit.ts", import.meta.url));
    const started = performance.now();
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, ["--import", "tsx", script], { stdio: ["ignore", "pipe", "inherit"] });
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      child.on("error", reject);
      child.on("exit", (code) => {
        clearTimeout(killer);
        expect(output.trim()).toBe("OPEN");
        resolve(code);
      });
    });
    expect(exitCode).toBe(0);
    // The breaker waits 10 minutes and times calls out after 10 minutes; the process must not.
    expect(performance.now() - started).toBeLessThan(15_000);
  });
});
