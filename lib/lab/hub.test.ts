import { afterEach, describe, expect, it, vi } from "vitest";
import type { CallResult, LabBreaker, TimelineEntry } from "@/lib/api/types";
import { ManualClock } from "@/lib/breaker";
import { createRandom, decideOutcome, defaultEndpoint } from "@/lib/simulator";
import type { EndpointCaller, HttpResult } from "./caller";
import { isLabError, type LabError } from "./errors";
import type { BusMessage } from "./event-bus";
import { LabHub, TIMELINE_CAPACITY } from "./hub";
import { DEMO_OPTIONS, tick } from "./test-helpers";

type Answer = (endpoint: string, signal: AbortSignal) => Promise<HttpResult>;

const ok: Answer = async () => ({ status: 200 });
const status =
  (code: number): Answer =>
  async () => ({ status: code });
const fetchFailed: Answer = async () => {
  throw new TypeError("fetch failed");
};
/** Never settles on its own; rejects with the signal's reason once the signal aborts. */
const hang: Answer = (_endpoint, signal) =>
  new Promise((_resolve, reject) => {
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });

/** A hub on a ManualClock and a seeded random, with a fake caller scripted per test. */
function setup(first: Answer = ok) {
  const clock = new ManualClock(0);
  let answer = first;
  const calls: { endpoint: string; signal: AbortSignal }[] = [];
  const caller: EndpointCaller = (endpoint, signal) => {
    calls.push({ endpoint, signal });
    return answer(endpoint, signal);
  };
  const hub = new LabHub({ caller, clock, random: createRandom(1) });
  return {
    hub,
    clock,
    calls,
    answer(next: Answer) {
      answer = next;
    },
  };
}

/** An answer that takes a turn of the event loop and remembers how many ran at once at most. */
function countingConcurrency(): { answer: Answer; peak: () => number } {
  let running = 0;
  let peak = 0;
  return {
    answer: async () => {
      running += 1;
      peak = Math.max(peak, running);
      await tick();
      running -= 1;
      return { status: 200 };
    },
    peak: () => peak,
  };
}

/** The result of a call made once: its only attempt is itself. */
function once(attempt: Omit<CallResult, "attempts">): CallResult {
  return { ...attempt, attempts: [attempt] };
}

function labErrorOf(action: () => unknown): LabError {
  try {
    action();
  } catch (error) {
    if (isLabError(error)) return error;
    throw error;
  }
  throw new Error("expected a LabError, nothing was thrown");
}

function byName(breakers: LabBreaker[]): Record<string, LabBreaker> {
  return Object.fromEntries(breakers.map((breaker) => [breaker.name, breaker]));
}

/** One sample of the Prometheus text, e.g. `breaker_calls_total{breaker="payments",outcome="failure"}`. */
async function sample(hub: LabHub, series: string): Promise<number | undefined> {
  const text = await hub.metrics.render();
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

function record(hub: LabHub): BusMessage[] {
  const messages: BusMessage[] = [];
  hub.subscribe((message) => messages.push(message));
  return messages;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("LabHub demo defaults", () => {
  it("hosts exactly the three demo breakers with the demo's policies", () => {
    const { hub } = setup();
    const breakers = hub.listBreakers();
    expect(breakers.map(({ name, endpoint, state }) => ({ name, endpoint, state }))).toEqual([
      { name: "payments", endpoint: "payments", state: "CLOSED" },
      { name: "inventory", endpoint: "inventory", state: "CLOSED" },
      { name: "search", endpoint: "search", state: "CLOSED" },
    ]);
    const { payments, inventory, search } = byName(breakers);
    expect(payments!.options).toEqual(DEMO_OPTIONS.payments);
    expect(inventory!.options).toEqual(DEMO_OPTIONS.inventory);
    expect(search!.options).toEqual(DEMO_OPTIONS.search);
    for (const breaker of breakers) {
      expect(breaker.totals).toEqual({ calls: 0, successes: 0, failures: 0, timeouts: 0, rejected: 0, ignored: 0, slow: 0 });
      expect(breaker.openedAt).toBeNull();
      expect(breaker.halfOpenAt).toBeNull();
    }
  });

  it("starts with three healthy endpoints and an empty timeline, at the clock's time", () => {
    const { hub } = setup();
    const state = hub.state();
    expect(state.now).toBe(0);
    expect(state.timeline).toEqual([]);
    expect(state.endpoints).toEqual([defaultEndpoint("payments"), defaultEndpoint("inventory"), defaultEndpoint("search")]);
    for (const endpoint of state.endpoints) expect(endpoint.failureRate).toBe(0);
    expect(hub.listEndpoints()).toEqual(state.endpoints);
    expect(hub.getEndpoint("search")).toEqual(defaultEndpoint("search"));
  });

  it("hands out copies: changing a returned endpoint changes nothing in the hub", () => {
    const { hub } = setup();
    const endpoint = hub.getEndpoint("payments");
    endpoint.failureRate = 1;
    hub.listEndpoints()[0]!.failureRate = 1;
    expect(hub.getEndpoint("payments").failureRate).toBe(0);
  });

  it("answers 404 for unknown breakers and endpoints", () => {
    const { hub } = setup();
    expect(labErrorOf(() => hub.getBreaker("nope"))).toMatchObject({ status: 404, code: "breaker_not_found" });
    expect(labErrorOf(() => hub.getEndpoint("nope"))).toMatchObject({ status: 404, code: "endpoint_not_found" });
  });
});

describe("LabHub.stateJson", () => {
  it("is state() as JSON, with a timeline, a playback, and again after more calls", async () => {
    const { hub, answer } = setup();
    await hub.fireCalls("payments", 5, 5);
    answer(status(503));
    await hub.fireCalls("payments", 3, 1);
    hub.play("flapping");
    expect(JSON.parse(hub.stateJson())).toEqual(JSON.parse(JSON.stringify(hub.state())));
    await hub.fireCalls("search", 4, 2);
    expect(JSON.parse(hub.stateJson())).toEqual(JSON.parse(JSON.stringify(hub.state())));
    expect(JSON.parse(hub.stateJson()).timeline).toHaveLength(hub.state().timeline.length);
    hub.stopPlayback();
  });
});

describe("LabHub.createBreaker", () => {
  it("hosts a new breaker on an existing endpoint, listed after the demo's", () => {
    const { hub } = setup();
    const created = hub.createBreaker({ name: "checkout", endpoint: "payments", options: { failureThreshold: 2, openMs: 1_000 } });
    expect(created).toMatchObject({ name: "checkout", endpoint: "payments", state: "CLOSED" });
    expect(created.options).toMatchObject({ name: "checkout", failureThreshold: 2, openMs: 1_000, maxOpenMs: 32_000 });
    expect(hub.getBreaker("checkout")).toEqual(created);
    expect(hub.listBreakers().map(({ name }) => name)).toEqual(["payments", "inventory", "search", "checkout"]);
  });

  it("takes no options at all: the library's defaults", () => {
    const { hub } = setup();
    const created = hub.createBreaker({ name: "plain", endpoint: "search" });
    expect(created.options).toMatchObject({ name: "plain", failureThreshold: 5, openMs: 30_000, slidingWindow: null });
  });

  it("refuses a duplicate name with 409 naming the field, and changes nothing", () => {
    const { hub } = setup();
    const before = hub.getBreaker("payments");
    const error = labErrorOf(() => hub.createBreaker({ name: "payments", endpoint: "search", options: { failureThreshold: 9 } }));
    expect(error).toMatchObject({ status: 409, code: "duplicate_name", field: "name" });
    expect(hub.getBreaker("payments")).toEqual(before);
  });

  it("refuses an unknown endpoint with 400 and field `endpoint`", () => {
    const { hub } = setup();
    const error = labErrorOf(() => hub.createBreaker({ name: "orphan", endpoint: "nowhere" }));
    expect(error).toMatchObject({ status: 400, field: "endpoint" });
    expect(error.message).toContain("nowhere");
    expect(labErrorOf(() => hub.getBreaker("orphan")).status).toBe(404);
  });

  it("turns the library's validation (maxOpenMs < openMs) into a 400 naming options.maxOpenMs, and hosts nothing", async () => {
    const { hub } = setup();
    const error = labErrorOf(() => hub.createBreaker({ name: "bad", endpoint: "payments", options: { openMs: 5_000, maxOpenMs: 1_000 } }));
    expect(error).toMatchObject({ status: 400, field: "options.maxOpenMs" });
    expect(error.message).toMatch(/^options\.maxOpenMs /);
    expect(error.toBody().error.field).toBe("options.maxOpenMs");
    expect(labErrorOf(() => hub.getBreaker("bad")).status).toBe(404);
    expect(hub.listBreakers()).toHaveLength(3);
    expect(await hub.metrics.render()).not.toContain('breaker="bad"');
  });

  it("names other library-rejected options too (openMs: 0 → options.openMs)", () => {
    const { hub } = setup();
    expect(labErrorOf(() => hub.createBreaker({ name: "bad", endpoint: "payments", options: { openMs: 0 } }))).toMatchObject({
      status: 400,
      field: "options.openMs",
    });
  });
});

describe("LabHub.configureBreaker", () => {
  it("applies a partial patch live and answers the changed breaker", () => {
    const { hub } = setup();
    const changed = hub.configureBreaker("payments", { openMs: 5_000, failureThreshold: 4 });
    expect(changed).toMatchObject({ name: "payments", endpoint: "payments" });
    expect(changed.options).toMatchObject({ openMs: 5_000, failureThreshold: 4, maxOpenMs: 5_000 * 32 });
    expect(hub.getBreaker("payments").options).toEqual(changed.options);
  });

  it("accepts null for the optional features", () => {
    const { hub } = setup();
    const changed = hub.configureBreaker("search", { timeoutMs: null, slowCallMs: null, slidingWindow: null });
    expect(changed.options).toMatchObject({ timeoutMs: null, slowCallMs: null, slidingWindow: null });
  });

  it("is atomic: an invalid patch is a 400 naming the option and changes nothing", () => {
    const { hub } = setup();
    const before = hub.getBreaker("payments");
    const error = labErrorOf(() => hub.configureBreaker("payments", { failureThreshold: 7, openMs: 5_000, maxOpenMs: 1_000 }));
    expect(error).toMatchObject({ status: 400, field: "maxOpenMs" });
    expect(hub.getBreaker("payments")).toEqual(before);
  });

  it("answers 404 for an unknown breaker", () => {
    const { hub } = setup();
    expect(labErrorOf(() => hub.configureBreaker("nope", { openMs: 1_000 })).status).toBe(404);
  });
});

describe("LabHub.deleteBreaker", () => {
  it("removes the breaker (404 afterwards) and every metrics series of it", async () => {
    const { hub } = setup(status(503));
    hub.createBreaker({ name: "doomed", endpoint: "payments", options: { failureThreshold: 1 } });
    await hub.fireCalls("doomed", 2, 1);
    expect(await sample(hub, 'breaker_calls_total{breaker="doomed",outcome="failure"}')).toBe(1);
    expect(await sample(hub, 'breaker_calls_total{breaker="doomed",outcome="rejected"}')).toBe(1);
    expect(await sample(hub, 'breaker_transitions_total{breaker="doomed",from="CLOSED",to="OPEN"}')).toBe(1);

    hub.deleteBreaker("doomed");

    expect(labErrorOf(() => hub.getBreaker("doomed")).status).toBe(404);
    expect(labErrorOf(() => hub.deleteBreaker("doomed")).status).toBe(404);
    expect(hub.listBreakers().map(({ name }) => name)).toEqual(["payments", "inventory", "search"]);
    expect(await hub.metrics.render()).not.toContain('breaker="doomed"');
    await expect(hub.fireCalls("doomed", 1, 1)).rejects.toMatchObject({ status: 404 });
  });

  it("may delete a demo breaker too", async () => {
    const { hub } = setup();
    await hub.fireCalls("inventory", 1, 1);
    hub.deleteBreaker("inventory");
    expect(await hub.metrics.render()).not.toContain('breaker="inventory"');
  });
});

describe("LabHub.act", () => {
  it("forceOpen, disable and reset move the breaker and land in the timeline", () => {
    const { hub, clock } = setup();
    clock.advance(100);
    expect(hub.act("payments", "forceOpen")).toMatchObject({ name: "payments", endpoint: "payments", state: "FORCED_OPEN" });
    clock.advance(100);
    expect(hub.act("payments", "disable").state).toBe("DISABLED");
    clock.advance(100);
    expect(hub.act("payments", "reset").state).toBe("CLOSED");
    expect(hub.state().timeline).toEqual([
      { at: 100, breaker: "payments", kind: "transition", from: "CLOSED", to: "FORCED_OPEN", reason: "force-open" },
      { at: 200, breaker: "payments", kind: "transition", from: "FORCED_OPEN", to: "DISABLED", reason: "disable" },
      { at: 300, breaker: "payments", kind: "transition", from: "DISABLED", to: "CLOSED", reason: "reset" },
    ]);
  });

  it("reset closes a tripped breaker", async () => {
    const { hub } = setup(status(503));
    await hub.fireCalls("payments", 3, 1);
    expect(hub.getBreaker("payments").state).toBe("OPEN");
    expect(hub.act("payments", "reset")).toMatchObject({ state: "CLOSED", openedAt: null, halfOpenAt: null, consecutiveFailures: 0 });
  });

  it("answers 404 for an unknown breaker", () => {
    const { hub } = setup();
    expect(labErrorOf(() => hub.act("nope", "reset")).status).toBe(404);
  });
});

describe("LabHub.patchEndpoint", () => {
  it("changes the fault model but never the name, and publishes an endpoint message", () => {
    const { hub } = setup();
    const messages = record(hub);
    const patch = { failureRate: 1, errorStatus: 502, fault: "reset", name: "renamed" } as Parameters<LabHub["patchEndpoint"]>[1];
    const next = hub.patchEndpoint("payments", patch);
    expect(next).toEqual({ ...defaultEndpoint("payments"), failureRate: 1, errorStatus: 502, fault: "reset" });
    expect(hub.getEndpoint("payments")).toEqual(next);
    expect(labErrorOf(() => hub.getEndpoint("renamed")).status).toBe(404);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.event).toBe("endpoint");
    expect(JSON.parse(messages[0]!.data)).toEqual(next);
  });

  it("keeps the endpoints' order", () => {
    const { hub } = setup();
    hub.patchEndpoint("inventory", { latencyMs: 500 });
    expect(hub.listEndpoints().map(({ name }) => name)).toEqual(["payments", "inventory", "search"]);
  });

  it("answers 404 for an unknown endpoint", () => {
    const { hub } = setup();
    expect(labErrorOf(() => hub.patchEndpoint("nope", { failureRate: 1 })).status).toBe(404);
  });
});

describe("LabHub.fireCalls", () => {
  it("reports a 2xx as a success with its status", async () => {
    const { hub, calls } = setup(ok);
    const { results, snapshot } = await hub.fireCalls("payments", 1, 1);
    expect(results).toEqual([once({ outcome: "success", status: 200, durationMs: 0 })]);
    expect(snapshot).toMatchObject({ name: "payments", endpoint: "payments", totals: { calls: 1, successes: 1 } });
    expect(calls.map(({ endpoint }) => endpoint)).toEqual(["payments"]);
  });

  it("reports a 4xx as a success of the transport", async () => {
    const { hub } = setup(status(404));
    const { results } = await hub.fireCalls("payments", 1, 1);
    expect(results).toEqual([once({ outcome: "success", status: 404, durationMs: 0 })]);
  });

  it("reports a 5xx as a failure with its status and error `HTTP 503`", async () => {
    const { hub } = setup(status(503));
    const { results, snapshot } = await hub.fireCalls("payments", 1, 1);
    expect(results).toEqual([once({ outcome: "failure", status: 503, durationMs: 0, error: "HTTP 503" })]);
    expect(snapshot.totals).toMatchObject({ calls: 1, failures: 1 });
    expect(snapshot.consecutiveFailures).toBe(1);
  });

  it("reports a thrown error (a dropped connection) as a failure without status", async () => {
    const { hub } = setup(fetchFailed);
    const { results } = await hub.fireCalls("payments", 1, 1);
    expect(results).toEqual([once({ outcome: "failure", durationMs: 0, error: "fetch failed" })]);
  });

  it("reports the breaker's CallTimeoutError as a timeout and aborts the caller's signal", async () => {
    const { hub, clock, calls } = setup(hang);
    const pending = hub.fireCalls("search", 1, 1);
    await tick();
    expect(calls).toHaveLength(1);
    clock.advance(2_000);
    const { results, snapshot } = await pending;
    expect(results).toEqual([
      once({ outcome: "timeout", durationMs: 2_000, error: 'Call through circuit breaker "search" timed out after 2000 ms' }),
    ]);
    expect(calls[0]!.signal.aborted).toBe(true);
    expect(snapshot.totals).toMatchObject({ failures: 1, timeouts: 1 });
  });

  it("measures durations on the hub's clock", async () => {
    const { hub, clock, answer } = setup();
    answer(async () => {
      clock.advance(250);
      return { status: 200 };
    });
    const { results } = await hub.fireCalls("payments", 2, 1);
    expect(results.map(({ durationMs }) => durationMs)).toEqual([250, 250]);
    expect(hub.state().now).toBe(500);
  });

  it("trips payments after 3 failures; later calls are rejected without reaching the caller", async () => {
    const { hub, calls, clock } = setup(status(503));
    clock.advance(1_000);
    const first = await hub.fireCalls("payments", 3, 1);
    expect(first.results.map(({ outcome }) => outcome)).toEqual(["failure", "failure", "failure"]);
    expect(first.snapshot).toMatchObject({ state: "OPEN", openedAt: 1_000, halfOpenAt: 21_000 });
    const second = await hub.fireCalls("payments", 5, 2);
    expect(second.results).toHaveLength(5);
    for (const result of second.results) {
      expect(result).toEqual(once({ outcome: "rejected", durationMs: 0, error: expect.stringContaining('"payments" is OPEN') }));
      expect(result).not.toHaveProperty("status");
    }
    expect(calls).toHaveLength(3);
    expect(second.snapshot.totals).toMatchObject({ calls: 8, failures: 3, rejected: 5 });
  });

  it("honours count and concurrency", async () => {
    const { hub, calls, answer } = setup();
    const concurrency = countingConcurrency();
    answer(concurrency.answer);
    const { results } = await hub.fireCalls("payments", 25, 4);
    expect(results).toHaveLength(25);
    expect(calls).toHaveLength(25);
    expect(concurrency.peak()).toBe(4);
  });

  it("runs one at a time with concurrency 1", async () => {
    const { hub, answer } = setup();
    const concurrency = countingConcurrency();
    answer(concurrency.answer);
    await hub.fireCalls("inventory", 5, 1);
    expect(concurrency.peak()).toBe(1);
  });

  it("reports a call whose client went away (the request's signal aborted) as ignored, and starts no more", async () => {
    const { hub, calls, clock } = setup(hang);
    const client = new AbortController();
    const pending = hub.fireCalls("payments", 5, 1, client.signal);
    await tick();
    expect(calls).toHaveLength(1);
    clock.advance(7);
    client.abort(new DOMException("client went away", "AbortError"));
    const { results, snapshot } = await pending;
    expect(results).toEqual([once({ outcome: "ignored", durationMs: 7, error: "client went away" })]);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.signal.aborted).toBe(true);
    expect(snapshot.totals).toMatchObject({ calls: 1, ignored: 1, failures: 0 });
    expect(snapshot.consecutiveFailures).toBe(0);
  });

  it("fires nothing when the client is gone before it starts", async () => {
    const { hub, calls } = setup();
    const client = new AbortController();
    client.abort();
    const { results } = await hub.fireCalls("payments", 3, 1, client.signal);
    expect(results).toEqual([]);
    expect(calls).toHaveLength(0);
  });

  it("answers 404 for an unknown breaker", async () => {
    const { hub } = setup();
    await expect(hub.fireCalls("nope", 1, 1)).rejects.toMatchObject({ status: 404, code: "breaker_not_found" });
  });
});

describe("LabHub timeline", () => {
  it("records calls and transitions with `at` from the clock and `status` only on calls that had one", async () => {
    const { hub, clock, answer } = setup();
    const advancing =
      (code: number): Answer =>
      async () => {
        clock.advance(10);
        return { status: code };
      };
    answer(advancing(503));
    await hub.fireCalls("payments", 3, 1);
    await hub.fireCalls("payments", 1, 1); // rejected: no status
    clock.advance(20_000);
    answer(fetchFailed);
    await hub.fireCalls("payments", 1, 1); // the trial fails: OPEN again
    const timeline = hub.state().timeline;
    const calls = timeline.filter((entry) => entry.kind === "call");
    expect(calls).toEqual([
      { at: 10, breaker: "payments", kind: "call", outcome: "failure", durationMs: 10, status: 503 },
      { at: 20, breaker: "payments", kind: "call", outcome: "failure", durationMs: 10, status: 503 },
      { at: 30, breaker: "payments", kind: "call", outcome: "failure", durationMs: 10, status: 503 },
      { at: 30, breaker: "payments", kind: "call", outcome: "rejected", durationMs: 0 },
      { at: 20_030, breaker: "payments", kind: "call", outcome: "failure", durationMs: 0 },
    ]);
    for (const entry of calls.slice(3)) expect(entry).not.toHaveProperty("status");
    expect(timeline.filter((entry) => entry.kind === "transition")).toEqual([
      { at: 30, breaker: "payments", kind: "transition", from: "CLOSED", to: "OPEN", reason: "failure-threshold" },
      { at: 20_030, breaker: "payments", kind: "transition", from: "OPEN", to: "HALF_OPEN", reason: "open-elapsed" },
      { at: 20_030, breaker: "payments", kind: "transition", from: "HALF_OPEN", to: "OPEN", reason: "trial-failed" },
    ]);
    // Oldest first, never going back in time.
    const ats = timeline.map(({ at }) => at);
    expect(ats).toEqual([...ats].sort((a, b) => a - b));
  });

  it("puts a call before the transition it caused (the order of the breaker's own events)", async () => {
    const { hub, clock, answer } = setup();
    answer(async () => {
      clock.advance(10);
      return { status: 503 };
    });
    await hub.fireCalls("payments", 3, 1);
    clock.advance(20_000);
    answer(async () => {
      clock.advance(10);
      return { status: 200 };
    });
    await hub.fireCalls("payments", 1, 1);
    expect(hub.state().timeline).toEqual<TimelineEntry[]>([
      { at: 10, breaker: "payments", kind: "call", outcome: "failure", durationMs: 10, status: 503 },
      { at: 20, breaker: "payments", kind: "call", outcome: "failure", durationMs: 10, status: 503 },
      { at: 30, breaker: "payments", kind: "call", outcome: "failure", durationMs: 10, status: 503 },
      { at: 30, breaker: "payments", kind: "transition", from: "CLOSED", to: "OPEN", reason: "failure-threshold" },
      { at: 20_030, breaker: "payments", kind: "transition", from: "OPEN", to: "HALF_OPEN", reason: "open-elapsed" },
      { at: 20_040, breaker: "payments", kind: "call", outcome: "success", durationMs: 10, status: 200 },
      { at: 20_040, breaker: "payments", kind: "transition", from: "HALF_OPEN", to: "CLOSED", reason: "trial-succeeded" },
    ]);
  });

  it("gives every call of a concurrent burst its own status, whatever order they settle in", async () => {
    const { hub, answer } = setup();
    const codes = [200, 404, 503, 201, 500, 302];
    const releases: (() => void)[] = [];
    let index = 0;
    answer(() => {
      const code = codes[index++]!;
      return new Promise((resolve) => releases.push(() => resolve({ status: code })));
    });
    hub.act("inventory", "disable"); // never trips, whatever the mix
    const pending = hub.fireCalls("inventory", 6, 6);
    await tick();
    expect(releases).toHaveLength(6);
    for (const release of [...releases].reverse()) {
      release();
      await tick();
    }
    const { results } = await pending;
    expect(results.map(({ status }) => status)).toEqual(codes);
    const calls = hub.state().timeline.filter((entry) => entry.kind === "call");
    expect(calls.map((entry) => ("status" in entry ? entry.status : undefined))).toEqual([...codes].reverse());
    expect(calls.map(({ outcome }) => outcome)).toEqual(["success", "failure", "success", "failure", "success", "success"]);
  });

  it("records timeouts and ignored calls under their own outcome", async () => {
    const { hub, clock } = setup(hang);
    const timedOut = hub.fireCalls("search", 1, 1);
    await tick();
    clock.advance(2_000);
    await timedOut;
    const client = new AbortController();
    const ignored = hub.fireCalls("payments", 1, 1, client.signal);
    await tick();
    client.abort();
    await ignored;
    expect(hub.state().timeline).toEqual([
      { at: 2_000, breaker: "search", kind: "call", outcome: "timeout", durationMs: 2_000 },
      { at: 2_000, breaker: "payments", kind: "call", outcome: "ignored", durationMs: 0 },
    ]);
  });

  it(`keeps the newest ${TIMELINE_CAPACITY} entries, dropping the oldest first`, async () => {
    const { hub, clock, calls } = setup();
    hub.act("payments", "forceOpen"); // entry 1: the transition, at 0
    for (let burst = 0; burst < 11; burst++) {
      clock.advance(1_000); // burst b's calls are at (b + 1) * 1000
      await hub.fireCalls("payments", 1_000, 100);
    }
    expect(calls).toHaveLength(0);
    const timeline = hub.state().timeline;
    expect(timeline).toHaveLength(TIMELINE_CAPACITY);
    // 1 + 11 000 entries were pushed: the transition and the first burst's 1000 calls are gone.
    expect(timeline.some((entry) => entry.kind === "transition")).toBe(false);
    expect(timeline[0]).toEqual({ at: 2_000, breaker: "payments", kind: "call", outcome: "rejected", durationMs: 0 });
    expect(timeline.at(-1)).toEqual({ at: 11_000, breaker: "payments", kind: "call", outcome: "rejected", durationMs: 0 });
    expect(timeline.filter(({ at }) => at === 2_000)).toHaveLength(1_000);
    expect(timeline.filter(({ at }) => at === 1_000)).toHaveLength(0);
    const ats = timeline.map(({ at }) => at);
    expect(ats).toEqual([...ats].sort((a, b) => a - b));
    expect(hub.getBreaker("payments").totals.rejected).toBe(11_000);
  });

  it("drops the calls of a breaker deleted while they were in flight", async () => {
    const { hub, answer } = setup();
    let release = () => {};
    answer(() => new Promise((resolve) => (release = () => resolve({ status: 200 }))));
    hub.createBreaker({ name: "gone", endpoint: "payments" });
    const pending = hub.fireCalls("gone", 1, 1);
    await tick();
    hub.deleteBreaker("gone");
    release();
    const { results } = await pending;
    expect(results).toHaveLength(1);
    expect(hub.state().timeline.filter((entry) => entry.breaker === "gone")).toEqual([]);
  });
});

describe("LabHub.resetLab", () => {
  it("goes back to the demo defaults: custom breakers gone, endpoints healthy, timeline empty", async () => {
    const { hub, clock } = setup(status(503));
    const pristine = setup().hub.state();
    hub.createBreaker({ name: "custom", endpoint: "search" });
    hub.configureBreaker("inventory", { openMs: 1 });
    hub.patchEndpoint("payments", { failureRate: 1, fault: "hang" });
    hub.act("search", "disable");
    await hub.fireCalls("payments", 5, 1);
    clock.advance(500);

    hub.resetLab();

    const state = hub.state();
    expect(state.now).toBe(500);
    expect(state.timeline).toEqual([]);
    expect(state.endpoints).toEqual(pristine.endpoints);
    expect(state.breakers.map(({ name }) => name)).toEqual(["payments", "inventory", "search"]);
    expect(state.breakers).toEqual(pristine.breakers);
    expect(labErrorOf(() => hub.getBreaker("custom")).status).toBe(404);
    expect(await hub.metrics.render()).not.toContain('breaker="custom"');
  });

  it("brings back a deleted demo breaker", () => {
    const { hub } = setup();
    hub.deleteBreaker("search");
    hub.resetLab();
    expect(hub.getBreaker("search").options.timeoutMs).toBe(2_000);
  });

  it("never takes the demo breakers' counters back", async () => {
    const { hub } = setup(status(503));
    await hub.fireCalls("payments", 5, 1);
    const failures = 'breaker_calls_total{breaker="payments",outcome="failure"}';
    const rejected = 'breaker_calls_total{breaker="payments",outcome="rejected"}';
    const tripped = 'breaker_transitions_total{breaker="payments",from="CLOSED",to="OPEN"}';
    expect(await sample(hub, failures)).toBe(3);
    expect(await sample(hub, rejected)).toBe(2);
    expect(await sample(hub, tripped)).toBe(1);

    hub.resetLab();

    expect(await sample(hub, failures)).toBe(3);
    expect(await sample(hub, rejected)).toBe(2);
    expect(await sample(hub, tripped)).toBe(1);
    expect(await sample(hub, 'breaker_state{breaker="payments",state="CLOSED"}')).toBe(1);
    await hub.fireCalls("payments", 1, 1);
    expect(await sample(hub, failures)).toBe(4);
  });

  it("answers late calls of the old breakers without counting them in the new timeline", async () => {
    const { hub, answer } = setup();
    let release = () => {};
    answer(() => new Promise((resolve) => (release = () => resolve({ status: 200 }))));
    const pending = hub.fireCalls("payments", 1, 1);
    await tick();
    hub.resetLab();
    release();
    expect((await pending).results).toHaveLength(1);
    expect(hub.state().timeline).toEqual([]);
    expect(hub.getBreaker("payments").totals.calls).toBe(0);
  });
});

describe("LabHub.subscribe", () => {
  it("publishes one `breaker` message per breaker event, ids increasing, with the event, its error and the snapshot after it", async () => {
    const { hub, clock } = setup(status(503));
    const messages = record(hub);
    clock.advance(5);
    await hub.fireCalls("payments", 4, 1);
    expect(messages.map(({ event }) => event)).toEqual(["breaker", "breaker", "breaker", "breaker", "breaker"]);
    expect(messages.map(({ id }) => id)).toEqual([1, 2, 3, 4, 5]);
    expect(hub.currentEventId).toBe(5);
    const data = messages.map(({ data }) => JSON.parse(data) as Record<string, unknown> & { snapshot: LabBreaker });
    expect(data.map((event) => event.type)).toEqual(["failure", "failure", "failure", "state", "rejected"]);
    expect(data[0]).toEqual({
      type: "failure",
      breaker: "payments",
      at: 5,
      durationMs: 0,
      error: { name: "HttpStatus", message: "503" },
      timeout: false,
      snapshot: expect.objectContaining({ name: "payments", endpoint: "payments", state: "CLOSED" }),
      entry: { at: 5, breaker: "payments", kind: "call", outcome: "failure", durationMs: 0, status: 503 },
    });
    expect(data.map(({ snapshot }) => snapshot.totals.calls)).toEqual([1, 2, 3, 3, 4]);
    expect(data[2]!.snapshot.consecutiveFailures).toBe(3);
    expect(data[3]).toEqual({
      type: "state",
      breaker: "payments",
      at: 5,
      from: "CLOSED",
      to: "OPEN",
      reason: "failure-threshold",
      snapshot: expect.objectContaining({ state: "OPEN", openedAt: 5, halfOpenAt: 20_005, endpoint: "payments" }),
      entry: { at: 5, breaker: "payments", kind: "transition", from: "CLOSED", to: "OPEN", reason: "failure-threshold" },
      // The instance whose breaker decided it: this one, alone in memory.
      origin: "local",
    });
    expect(data[4]).toEqual({
      type: "rejected",
      breaker: "payments",
      at: 5,
      state: "OPEN",
      snapshot: expect.objectContaining({ state: "OPEN", totals: expect.objectContaining({ rejected: 1 }) }),
      entry: { at: 5, breaker: "payments", kind: "call", outcome: "rejected", durationMs: 0 },
    });
    // One data line: the JSON carries no raw newline.
    for (const { data: line } of messages) expect(line).not.toContain("\n");
  });

  it("serialises a thrown error as { name, message }, and a timeout's CallTimeoutError too", async () => {
    const { hub, clock, answer } = setup(fetchFailed);
    const messages = record(hub);
    await hub.fireCalls("payments", 1, 1);
    answer(hang);
    const pending = hub.fireCalls("search", 1, 1);
    await tick();
    clock.advance(2_000);
    await pending;
    const [thrown, timedOut] = messages.map(({ data }) => JSON.parse(data) as Record<string, unknown>);
    expect(thrown).toMatchObject({ type: "failure", timeout: false, error: { name: "TypeError", message: "fetch failed" } });
    expect(timedOut).toMatchObject({
      type: "failure",
      breaker: "search",
      timeout: true,
      durationMs: 2_000,
      at: 2_000,
      error: { name: "CallTimeoutError", message: 'Call through circuit breaker "search" timed out after 2000 ms' },
    });
  });

  it("sends every page the timeline entry the hub recorded, a success's HTTP status included", async () => {
    const { hub, answer } = setup(ok);
    const messages = record(hub);
    await hub.fireCalls("payments", 1, 1);
    answer(status(404));
    await hub.fireCalls("payments", 1, 1);
    const entries = messages.map(({ data }) => (JSON.parse(data) as { entry: TimelineEntry }).entry);
    expect(entries.map((entry) => ("status" in entry ? entry.status : undefined))).toEqual([200, 404]);
    expect(entries).toEqual(hub.state().timeline);
  });

  it("re-sends the whole state when an action changes a breaker without a transition (a reset while CLOSED)", async () => {
    const { hub } = setup(status(503));
    await hub.fireCalls("payments", 2, 1);
    const messages = record(hub);
    const reset = hub.act("payments", "reset");
    expect(reset).toMatchObject({ state: "CLOSED", consecutiveFailures: 0 });
    expect(messages.map(({ event }) => event)).toEqual(["snapshot"]);
    const sent = JSON.parse(messages[0]!.data) as { breakers: LabBreaker[] };
    expect(byName(sent.breakers).payments).toMatchObject({ consecutiveFailures: 0, window: { calls: 0 } });
    hub.act("payments", "forceOpen");
    expect(messages.map(({ event }) => event)).toEqual(["snapshot", "breaker"]);
  });

  it("publishes a manual transition as a `breaker` state message", () => {
    const { hub } = setup();
    const messages = record(hub);
    hub.act("inventory", "forceOpen");
    expect(messages).toHaveLength(1);
    expect(JSON.parse(messages[0]!.data)).toMatchObject({
      type: "state",
      breaker: "inventory",
      from: "CLOSED",
      to: "FORCED_OPEN",
      reason: "force-open",
      snapshot: { state: "FORCED_OPEN", endpoint: "inventory" },
    });
  });

  it("publishes a `snapshot` message (the whole state) after create, configure, delete and reset", () => {
    const { hub } = setup();
    const messages = record(hub);
    const states: unknown[] = [];
    hub.createBreaker({ name: "extra", endpoint: "payments" });
    states.push(hub.state());
    hub.configureBreaker("extra", { openMs: 1_234 });
    states.push(hub.state());
    hub.deleteBreaker("extra");
    states.push(hub.state());
    hub.resetLab();
    states.push(hub.state());
    expect(messages.map(({ event }) => event)).toEqual(["snapshot", "snapshot", "snapshot", "snapshot"]);
    expect(messages.map(({ id }) => id)).toEqual([1, 2, 3, 4]);
    expect(messages.map(({ data }) => JSON.parse(data) as unknown)).toEqual(states);
  });

  it("publishes nothing for a refused change", () => {
    const { hub } = setup();
    const messages = record(hub);
    labErrorOf(() => hub.createBreaker({ name: "payments", endpoint: "payments" }));
    labErrorOf(() => hub.configureBreaker("payments", { openMs: 5_000, maxOpenMs: 1 }));
    expect(messages).toEqual([]);
  });

  it("stops delivering after unsubscribe", () => {
    const { hub } = setup();
    const messages: BusMessage[] = [];
    const unsubscribe = hub.subscribe((message) => messages.push(message));
    hub.patchEndpoint("payments", { failureRate: 0.5 });
    unsubscribe();
    hub.patchEndpoint("payments", { failureRate: 1 });
    expect(messages).toHaveLength(1);
  });

  it("builds nothing when nobody subscribes", async () => {
    const { hub } = setup(status(503));
    const stringify = vi.spyOn(JSON, "stringify");
    hub.createBreaker({ name: "quiet", endpoint: "payments" });
    hub.configureBreaker("quiet", { openMs: 100 });
    await hub.fireCalls("payments", 5, 2);
    hub.act("inventory", "forceOpen");
    hub.patchEndpoint("search", { latencyMs: 1 });
    hub.deleteBreaker("quiet");
    hub.resetLab();
    const stringified = stringify.mock.calls.length;
    stringify.mockRestore();
    expect(stringified).toBe(0);
    expect(hub.currentEventId).toBe(0);
  });
});

describe("LabHub.decideMock", () => {
  it("is reproducible with a seeded random: the simulator's decisions in order", () => {
    const first = setup().hub;
    const second = setup().hub;
    for (const hub of [first, second]) hub.patchEndpoint("payments", { failureRate: 0.5, errorStatus: 502, jitterMs: 10 });
    const a = Array.from({ length: 50 }, () => first.decideMock("payments"));
    const b = Array.from({ length: 50 }, () => second.decideMock("payments"));
    expect(a).toEqual(b);
    const random = createRandom(1);
    const config = { ...defaultEndpoint("payments"), failureRate: 0.5, errorStatus: 502, jitterMs: 10 };
    expect(a).toEqual(Array.from({ length: 50 }, () => decideOutcome(config, random)));
    expect(new Set(a.map(({ kind }) => kind))).toEqual(new Set(["ok", "status"]));
  });

  it("counts lab_mock_requests_total by endpoint and result", async () => {
    const { hub } = setup();
    hub.patchEndpoint("payments", { failureRate: 0.5 });
    const outcomes = Array.from({ length: 40 }, () => hub.decideMock("payments"));
    hub.patchEndpoint("search", { failureRate: 1, fault: "hang" });
    hub.decideMock("search");
    hub.decideMock("search");
    const okCount = outcomes.filter(({ kind }) => kind === "ok").length;
    expect(okCount).toBeGreaterThan(0);
    expect(await sample(hub, 'lab_mock_requests_total{endpoint="payments",result="ok"}')).toBe(okCount);
    expect(await sample(hub, 'lab_mock_requests_total{endpoint="payments",result="status"}')).toBe(40 - okCount);
    expect(await sample(hub, 'lab_mock_requests_total{endpoint="search",result="hang"}')).toBe(2);
  });

  it("answers 404 for an unknown endpoint, counting nothing", async () => {
    const { hub } = setup();
    expect(labErrorOf(() => hub.decideMock("nope")).status).toBe(404);
    expect(await hub.metrics.render()).not.toContain('endpoint="nope"');
  });
});

describe("library validation errors name their field", () => {
  it("for messages that quote an unknown option or window key", () => {
    const { hub } = setup();
    const unknownOption = { name: "odd", endpoint: "payments", options: { bogus: 1 } } as never;
    expect(() => hub.createBreaker(unknownOption)).toThrow(expect.objectContaining({ status: 400, field: "options.bogus" }));
    const unknownKey = { name: "odd", endpoint: "payments", options: { slidingWindow: { type: "count", size: 3, ms: 1 } } } as never;
    expect(() => hub.createBreaker(unknownKey)).toThrow(expect.objectContaining({ status: 400, field: "options.slidingWindow.ms" }));
  });
});

describe("requireBreaker and requireEndpoint", () => {
  it("pass for a known name and throw the 404 for an unknown one", () => {
    const { hub } = setup();
    expect(() => hub.requireBreaker("payments")).not.toThrow();
    expect(() => hub.requireEndpoint("search")).not.toThrow();
    expect(() => hub.requireBreaker("nope")).toThrow(expect.objectContaining({ status: 404, code: "breaker_not_found" }));
    expect(() => hub.requireEndpoint("nope")).toThrow(expect.objectContaining({ status: 404, code: "endpoint_not_found" }));
  });
});
