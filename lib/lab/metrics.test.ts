import { describe, expect, it } from "vitest";
import { ManualClock, type BreakerEvent, type BreakerState } from "@/lib/breaker";
import { createRandom } from "@/lib/simulator";
import type { EndpointCaller, HttpResult } from "./caller";
import { LabHub } from "./hub";
import { LabMetrics, outcomeOf } from "./metrics";
import { tick } from "./test-helpers";

type Answer = (endpoint: string, signal: AbortSignal) => Promise<HttpResult>;

function setup() {
  const clock = new ManualClock(0);
  let answer: Answer = async () => ({ status: 200 });
  const caller: EndpointCaller = (endpoint, signal) => answer(endpoint, signal);
  const hub = new LabHub({ caller, clock, random: createRandom(1) });
  return {
    hub,
    clock,
    answer(next: Answer) {
      answer = next;
    },
  };
}

/** Parse the exposition into `series → value`, e.g. `breaker_state{breaker="payments",state="OPEN"}` → 1. */
function parse(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

async function samples(hub: LabHub): Promise<Map<string, number>> {
  return parse(await hub.metrics.render());
}

const STATES: BreakerState[] = ["CLOSED", "OPEN", "HALF_OPEN", "FORCED_OPEN", "DISABLED"];
const OUTCOMES = ["success", "failure", "timeout", "rejected", "ignored"];

describe("LabMetrics through the hub", () => {
  it("declares every metric family README.md names, with its type", async () => {
    const { hub } = setup();
    const text = await hub.metrics.render();
    expect(text).toContain("# TYPE breaker_state gauge");
    expect(text).toContain("# TYPE breaker_calls_total counter");
    expect(text).toContain("# TYPE breaker_call_duration_seconds histogram");
    expect(text).toContain("# TYPE breaker_failure_rate_percent gauge");
    expect(text).toContain("# TYPE breaker_slow_call_rate_percent gauge");
    expect(text).toContain("# TYPE breaker_transitions_total counter");
    expect(text).toContain("# TYPE lab_sse_clients gauge");
    expect(hub.metrics.contentType).toMatch(/^text\/plain/);
  });

  it("breaker_state is 1 for the current state and 0 for the four others, per breaker", async () => {
    const { hub } = setup();
    hub.act("inventory", "forceOpen");
    hub.act("search", "disable");
    const values = await samples(hub);
    const current: Record<string, BreakerState> = { payments: "CLOSED", inventory: "FORCED_OPEN", search: "DISABLED" };
    for (const [breaker, state] of Object.entries(current)) {
      for (const candidate of STATES) {
        expect(values.get(`breaker_state{breaker="${breaker}",state="${candidate}"}`), `${breaker} ${candidate}`).toBe(
          candidate === state ? 1 : 0,
        );
      }
    }
    expect(await hub.metrics.render()).toContain('breaker_state{breaker="payments",state="CLOSED"} 1\n');
  });

  it("breaker_state follows lazy HALF_OPEN at scrape time", async () => {
    const { hub, clock, answer } = setup();
    answer(async () => ({ status: 500 }));
    await hub.fireCalls("payments", 3, 1);
    expect((await samples(hub)).get('breaker_state{breaker="payments",state="OPEN"}')).toBe(1);
    clock.jump(20_000); // no timer fires: the snapshot notices
    const values = await samples(hub);
    expect(values.get('breaker_state{breaker="payments",state="HALF_OPEN"}')).toBe(1);
    expect(values.get('breaker_state{breaker="payments",state="OPEN"}')).toBe(0);
  });

  it("breaker_calls_total exists at 0 for every outcome before the first call", async () => {
    const { hub } = setup();
    const values = await samples(hub);
    for (const breaker of ["payments", "inventory", "search"]) {
      for (const outcome of OUTCOMES) expect(values.get(`breaker_calls_total{breaker="${breaker}",outcome="${outcome}"}`)).toBe(0);
    }
  });

  it("breaker_calls_total counts by outcome; a timeout is `timeout`, not `failure`", async () => {
    const { hub, clock, answer } = setup();
    await hub.fireCalls("search", 2, 1); // 2 successes
    answer(async () => ({ status: 503 }));
    await hub.fireCalls("search", 1, 1); // 1 failure
    answer(async () => {
      throw new TypeError("fetch failed");
    });
    await hub.fireCalls("search", 1, 1); // 1 failure
    answer(
      (_endpoint, signal) =>
        new Promise((_resolve, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true })),
    );
    const timedOut = hub.fireCalls("search", 1, 1);
    await tick();
    clock.advance(2_000);
    await timedOut; // 1 timeout
    const client = new AbortController();
    const ignored = hub.fireCalls("search", 1, 1, client.signal);
    await tick();
    client.abort();
    await ignored; // 1 ignored
    hub.act("search", "forceOpen");
    await hub.fireCalls("search", 3, 1); // 3 rejected
    const values = await samples(hub);
    expect(Object.fromEntries(OUTCOMES.map((outcome) => [outcome, values.get(`breaker_calls_total{breaker="search",outcome="${outcome}"}`)]))).toEqual({
      success: 2,
      failure: 2,
      timeout: 1,
      rejected: 3,
      ignored: 1,
    });
    expect(hub.getBreaker("search").totals).toMatchObject({ calls: 9, failures: 3, timeouts: 1 });
  });

  it("breaker_transitions_total counts by from and to", async () => {
    const { hub, clock, answer } = setup();
    answer(async () => ({ status: 503 }));
    await hub.fireCalls("payments", 3, 1);
    clock.advance(20_000);
    await hub.fireCalls("payments", 1, 1); // the trial fails
    clock.advance(20_000);
    answer(async () => ({ status: 200 }));
    await hub.fireCalls("payments", 1, 1); // the trial succeeds
    hub.act("payments", "forceOpen");
    const values = await samples(hub);
    const transitions = [...values].filter(([series]) => series.startsWith('breaker_transitions_total{breaker="payments"'));
    expect(Object.fromEntries(transitions)).toEqual({
      'breaker_transitions_total{breaker="payments",from="CLOSED",to="OPEN"}': 1,
      'breaker_transitions_total{breaker="payments",from="OPEN",to="HALF_OPEN"}': 2,
      'breaker_transitions_total{breaker="payments",from="HALF_OPEN",to="OPEN"}': 1,
      'breaker_transitions_total{breaker="payments",from="HALF_OPEN",to="CLOSED"}': 1,
      'breaker_transitions_total{breaker="payments",from="CLOSED",to="FORCED_OPEN"}': 1,
    });
  });

  it("breaker_call_duration_seconds observes calls in seconds, rejected calls excluded", async () => {
    const { hub, clock, answer } = setup();
    answer(async () => {
      clock.advance(1_500);
      return { status: 200 };
    });
    await hub.fireCalls("payments", 1, 1);
    answer(async () => {
      clock.advance(40);
      return { status: 503 };
    });
    await hub.fireCalls("payments", 1, 1);
    hub.act("payments", "forceOpen");
    await hub.fireCalls("payments", 2, 1);
    const values = await samples(hub);
    const bucket = (le: string) => values.get(`breaker_call_duration_seconds_bucket{le="${le}",breaker="payments"}`);
    expect(bucket("0.025")).toBe(0);
    expect(bucket("0.05")).toBe(1);
    expect(bucket("1")).toBe(1);
    expect(bucket("2")).toBe(2);
    expect(bucket("+Inf")).toBe(2);
    expect(values.get('breaker_call_duration_seconds_count{breaker="payments"}')).toBe(2);
    expect(values.get('breaker_call_duration_seconds_sum{breaker="payments"}')).toBeCloseTo(1.54, 10);
  });

  it("breaker_failure_rate_percent and breaker_slow_call_rate_percent read the window", async () => {
    const { hub, clock, answer } = setup();
    // inventory: count window of 20, minimumCalls 10: 1 failure in 4 calls stays CLOSED at 25 %.
    answer(async () => ({ status: 500 }));
    await hub.fireCalls("inventory", 1, 1);
    answer(async () => ({ status: 200 }));
    await hub.fireCalls("inventory", 3, 1);
    // search: slow calls over 1000 ms; 1 slow in 4 calls.
    answer(async () => {
      clock.advance(1_500);
      return { status: 200 };
    });
    await hub.fireCalls("search", 1, 1);
    answer(async () => ({ status: 200 }));
    await hub.fireCalls("search", 3, 1);
    const values = await samples(hub);
    expect(values.get('breaker_failure_rate_percent{breaker="inventory"}')).toBe(25);
    expect(values.get('breaker_slow_call_rate_percent{breaker="inventory"}')).toBe(0);
    expect(values.get('breaker_failure_rate_percent{breaker="search"}')).toBe(0);
    expect(values.get('breaker_slow_call_rate_percent{breaker="search"}')).toBe(25);
    expect(values.get('breaker_failure_rate_percent{breaker="payments"}')).toBe(0);
  });

  it("lab_sse_clients goes up and down", async () => {
    const { hub } = setup();
    expect((await samples(hub)).get("lab_sse_clients")).toBe(0);
    hub.metrics.sseClientConnected();
    hub.metrics.sseClientConnected();
    expect((await samples(hub)).get("lab_sse_clients")).toBe(2);
    hub.metrics.sseClientDisconnected();
    expect((await samples(hub)).get("lab_sse_clients")).toBe(1);
    hub.metrics.sseClientDisconnected();
    expect((await samples(hub)).get("lab_sse_clients")).toBe(0);
  });

  it("lab_mock_requests_in_flight follows mockStarted and mockFinished", async () => {
    const { hub } = setup();
    hub.metrics.mockStarted("payments");
    hub.metrics.mockStarted("payments");
    expect((await samples(hub)).get('lab_mock_requests_in_flight{endpoint="payments"}')).toBe(2);
    hub.metrics.mockFinished("payments");
    hub.metrics.mockFinished("payments");
    expect((await samples(hub)).get('lab_mock_requests_in_flight{endpoint="payments"}')).toBe(0);
  });

  it("keeps every hub's metrics apart (own registry, no process metrics unless asked)", async () => {
    const first = setup();
    const second = setup();
    first.hub.act("payments", "forceOpen");
    await first.hub.fireCalls("payments", 1, 1);
    expect((await samples(second.hub)).get('breaker_calls_total{breaker="payments",outcome="rejected"}')).toBe(0);
    expect(await first.hub.metrics.render()).not.toContain("process_cpu");
  });
});

describe("LabMetrics directly", () => {
  it("forget removes every series of a breaker, the snapshot gauges follow the snapshots given", async () => {
    const snapshots = new Map<string, ReturnType<typeof fakeSnapshot>>();
    const metrics = new LabMetrics(() => snapshots.values());
    snapshots.set("a", fakeSnapshot("a", "OPEN", 40, 10));
    metrics.track("a");
    const events: BreakerEvent[] = [
      { type: "success", breaker: "a", at: 0, durationMs: 5, slow: false },
      { type: "failure", breaker: "a", at: 0, durationMs: 5, error: new Error("x"), timeout: true },
      { type: "state", breaker: "a", at: 0, from: "CLOSED", to: "OPEN", reason: "failure-threshold" },
    ];
    for (const event of events) metrics.record(event);
    let values = parse(await metrics.render());
    expect(values.get('breaker_calls_total{breaker="a",outcome="timeout"}')).toBe(1);
    expect(values.get('breaker_calls_total{breaker="a",outcome="failure"}')).toBe(0);
    expect(values.get('breaker_state{breaker="a",state="OPEN"}')).toBe(1);
    expect(values.get('breaker_failure_rate_percent{breaker="a"}')).toBe(40);
    expect(values.get('breaker_slow_call_rate_percent{breaker="a"}')).toBe(10);
    snapshots.delete("a");
    metrics.forget("a");
    values = parse(await metrics.render());
    expect([...values.keys()].filter((series) => series.includes('breaker="a"'))).toEqual([]);
  });

  it("outcomeOf maps events to the calls route's vocabulary", () => {
    expect(outcomeOf({ type: "success", breaker: "a", at: 0, durationMs: 1, slow: true })).toBe("success");
    expect(outcomeOf({ type: "failure", breaker: "a", at: 0, durationMs: 1, error: null, timeout: false })).toBe("failure");
    expect(outcomeOf({ type: "failure", breaker: "a", at: 0, durationMs: 1, error: null, timeout: true })).toBe("timeout");
    expect(outcomeOf({ type: "rejected", breaker: "a", at: 0, state: "OPEN" })).toBe("rejected");
    expect(outcomeOf({ type: "ignored", breaker: "a", at: 0, durationMs: 1, error: null })).toBe("ignored");
  });
});

function fakeSnapshot(name: string, state: BreakerState, failureRate: number, slowCallRate: number) {
  const clock = new ManualClock(0);
  const hub = new LabHub({ caller: async () => ({ status: 200 }), clock, random: createRandom(1) });
  const base = hub.getBreaker("payments");
  return { ...base, name, state, window: { ...base.window, failureRate, slowCallRate } };
}
