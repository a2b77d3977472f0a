import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { realClock, type Clock } from "@/lib/breaker";
import type { BreakerMessage } from "@/lib/api/types";
import type { EndpointCaller, HttpResult } from "@/lib/lab/caller";
import { LabHub } from "@/lib/lab/hub";
import { RedisServer } from "../../scripts/redis-server";
import type { Scenario } from "@/lib/simulator";
import { RedisStore } from "./redis-store";

/**
 * Two hubs, two stores, one real redis-server (started here on a free loopback port): the fleet
 * in one process. Each test gets a key prefix of its own. Times are real but short (Redis's TIME
 * is real time); the open periods are 300 ms.
 */
let redis: RedisServer;
let testIndex = 0;
const hubs: LabHub[] = [];

beforeAll(async () => {
  redis = await RedisServer.start();
}, 20_000);

afterAll(async () => {
  await redis?.stop();
});

afterEach(async () => {
  await Promise.all(hubs.splice(0).map((hub) => hub.close()));
});

/** A caller that counts the calls reaching it and answers as `answer` says. */
function countingCaller(answer: () => Promise<HttpResult>) {
  const counter = { calls: 0 };
  const caller: EndpointCaller = () => {
    counter.calls += 1;
    return answer();
  };
  return { caller, counter };
}

const ok = () => Promise.resolve({ status: 200 });
const broken = () => Promise.resolve({ status: 503 });
const slowOk = (ms: number) => () => new Promise<HttpResult>((resolve) => setTimeout(() => resolve({ status: 200 }), ms));

function hubOn(id: string, prefix: string, answer: () => Promise<HttpResult>, clock: Clock = realClock) {
  const { caller, counter } = countingCaller(answer);
  const store = new RedisStore({ url: redis.url, prefix, instanceId: id, clock, heartbeatMs: 200 });
  const hub = new LabHub({ caller, clock, store });
  hubs.push(hub);
  return { hub, counter, store };
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<number> {
  const startedAt = Date.now();
  while (!condition()) {
    if (Date.now() - startedAt > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - startedAt;
}

async function fleetOfTwo(answers: { a?: () => Promise<HttpResult>; b?: () => Promise<HttpResult>; clockB?: Clock } = {}) {
  const prefix = `test-${process.pid}-${++testIndex}:`;
  const a = hubOn("a", prefix, answers.a ?? ok);
  const b = hubOn("b", prefix, answers.b ?? ok, answers.clockB);
  await until(() => a.hub.state().instance.storeUp && b.hub.state().instance.storeUp);
  await until(() => a.hub.state().instances.length === 2 && b.hub.state().instances.length === 2);
  return { a, b, prefix };
}

const QUICK = { failureThreshold: 1, openMs: 300, maxHalfOpenMs: 5_000 };

describe("RedisStore: the fleet's configuration", () => {
  it("shares breakers, options and endpoint fault models, and sees each instance in the fleet", async () => {
    const { a, b } = await fleetOfTwo();
    expect(a.hub.state().instance).toEqual({ id: "a", store: "redis", storeUp: true });
    expect(b.hub.state().instances.map(({ id }) => id)).toEqual(["a", "b"]);

    a.hub.createBreaker({ name: "orders", endpoint: "payments", options: { failureThreshold: 7 } });
    await until(() => b.hub.listBreakers().some(({ name }) => name === "orders"), 1_000);
    expect(b.hub.getBreaker("orders").options.failureThreshold).toBe(7);

    b.hub.configureBreaker("orders", { openMs: 1_234 });
    await until(() => a.hub.getBreaker("orders").options.openMs === 1_234, 1_000);

    a.hub.patchEndpoint("search", { failureRate: 1 });
    await until(() => b.hub.getEndpoint("search").failureRate === 1, 1_000);

    b.hub.deleteBreaker("orders");
    await until(() => !a.hub.listBreakers().some(({ name }) => name === "orders"), 1_000);
  });

  it("resets the whole fleet from any instance", async () => {
    const { a, b } = await fleetOfTwo();
    a.hub.createBreaker({ name: "orders", endpoint: "payments" });
    await until(() => b.hub.listBreakers().length === 4, 1_000);
    b.hub.resetLab();
    await until(() => a.hub.listBreakers().length === 3, 1_000);
    expect(a.hub.listBreakers().map(({ name }) => name)).toEqual(["payments", "inventory", "search"]);
  });

  it("a new instance takes the store's configuration over its own defaults", async () => {
    const { a, prefix } = await fleetOfTwo();
    a.hub.createBreaker({ name: "orders", endpoint: "payments" });
    a.hub.patchEndpoint("payments", { latencyMs: 321 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const c = hubOn("c", prefix, ok);
    await until(() => c.hub.listBreakers().some(({ name }) => name === "orders"));
    expect(c.hub.getEndpoint("payments").latencyMs).toBe(321);
  });
});

const OUTAGE: Scenario = {
  name: "fleet-outage",
  phases: [
    { label: "down", forMs: 60_000, endpoints: { payments: { failureRate: 1 } } },
    { label: "up", forMs: 60_000, endpoints: { payments: { failureRate: 0 } } },
  ],
};

describe("RedisStore: scenarios and playback", () => {
  it("shares saved scenarios", async () => {
    const { a, b } = await fleetOfTwo();
    a.hub.saveScenario(OUTAGE);
    await until(() => b.hub.listScenarios().some(({ name }) => name === "fleet-outage"), 1_000);
    b.hub.replaceScenario("fleet-outage", { ...OUTAGE, loop: true });
    await until(() => a.hub.getScenario("fleet-outage").loop === true, 1_000);
    a.hub.deleteScenario("fleet-outage");
    await until(() => !b.hub.listScenarios().some(({ name }) => name === "fleet-outage"), 1_000);
  });

  it("one instance drives a playback the whole fleet shows; any instance stops it", async () => {
    const { a, b } = await fleetOfTwo();
    a.hub.play(OUTAGE);
    await until(() => b.hub.playback().playing?.scenario === "fleet-outage", 1_000);
    expect(b.hub.playback().playing).toMatchObject({ phase: 0 });
    // The phase's fault model reached the other instance's mock too.
    await until(() => b.hub.getEndpoint("payments").failureRate === 1, 1_000);
    expect(Math.abs(b.hub.playback().playing!.phaseEndsAt - a.hub.playback().playing!.phaseEndsAt)).toBeLessThan(50);
    b.hub.stopPlayback();
    expect(b.hub.playback().playing).toBeNull();
    await until(() => a.hub.playback().playing === null, 1_000);
  });

  it("every instance's recording holds the fleet's endpoint changes", async () => {
    const { a, b } = await fleetOfTwo();
    a.hub.patchEndpoint("payments", { failureRate: 0.5 });
    await until(() => b.hub.getEndpoint("payments").failureRate === 0.5, 1_000);
    const phases = b.hub.recording().phases;
    expect(phases.at(-1)!.endpoints.payments).toMatchObject({ failureRate: 0.5 });
  });

  it("a playback started elsewhere replaces the one playing here", async () => {
    const { a, b } = await fleetOfTwo();
    a.hub.play(OUTAGE);
    await until(() => b.hub.playback().playing !== null, 1_000);
    b.hub.play({ ...OUTAGE, name: "other" });
    await until(() => a.hub.playback().playing?.scenario === "other", 1_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(b.hub.playback().playing?.scenario).toBe("other");
  });

  it("a playback whose driver went away ends with its lease", async () => {
    const { a, b } = await fleetOfTwo();
    a.hub.play(OUTAGE);
    await until(() => b.hub.playback().playing !== null, 1_000);
    await a.hub.close();
    // Heartbeats every 200 ms here: the lease is three of them.
    await until(() => b.hub.playback().playing === null, 3_000);
  });
});

describe("RedisStore: breaker state", () => {
  it("a trip on one instance is adopted by the other, whose calls are then rejected without reaching its upstream", async () => {
    const { a, b } = await fleetOfTwo({ a: broken });
    a.hub.configureBreaker("payments", QUICK);
    await until(() => b.hub.getBreaker("payments").options.openMs === 300, 1_000);
    const messages: BreakerMessage[] = [];
    b.hub.subscribe((message) => {
      const data = JSON.parse(message.data) as BreakerMessage;
      if (message.event === "breaker" && data.type === "state") messages.push(data);
    });
    await a.hub.fireCalls("payments", 1, 1);
    expect(a.hub.getBreaker("payments").state).toBe("OPEN");
    await until(() => b.hub.getBreaker("payments").state === "OPEN", 1_000);
    expect(messages[0]).toMatchObject({ from: "CLOSED", to: "OPEN", reason: "adopted", origin: "a" });
    const { results } = await b.hub.fireCalls("payments", 3, 3);
    expect(results.map(({ outcome }) => outcome)).toEqual(["rejected", "rejected", "rejected"]);
    expect(b.counter.calls).toBe(0);
    // Both wait out the same open period, by Redis's clock.
    expect(Math.abs(b.hub.getBreaker("payments").halfOpenAt! - a.hub.getBreaker("payments").halfOpenAt!)).toBeLessThan(50);
  });

  it("instances with skewed clocks agree on when the open period ends", async () => {
    const skewedClock: Clock = { ...realClock, now: () => realClock.now() + 60_000 };
    const { a, b } = await fleetOfTwo({ a: broken, clockB: skewedClock });
    a.hub.configureBreaker("payments", QUICK);
    await a.hub.fireCalls("payments", 1, 1);
    await until(() => b.hub.getBreaker("payments").state === "OPEN", 1_000);
    const aEnds = a.hub.getBreaker("payments").halfOpenAt!;
    const bEnds = b.hub.getBreaker("payments").halfOpenAt!;
    expect(Math.abs(bEnds - 60_000 - aEnds)).toBeLessThan(50);
    await until(() => b.hub.getBreaker("payments").state === "HALF_OPEN", 1_000);
    expect(a.hub.getBreaker("payments").state).toBe("HALF_OPEN");
  });

  it("admits exactly halfOpenMaxCalls trials over both instances' concurrent calls", async () => {
    let failing = true;
    const answer = () => (failing ? broken() : slowOk(150)());
    const { a, b } = await fleetOfTwo({ a: answer, b: answer });
    a.hub.configureBreaker("payments", { ...QUICK, halfOpenMaxCalls: 2, successThreshold: 2 });
    await until(() => b.hub.getBreaker("payments").options.halfOpenMaxCalls === 2, 1_000);
    await a.hub.fireCalls("payments", 1, 1);
    await until(() => b.hub.getBreaker("payments").state === "OPEN", 1_000);
    failing = false;
    await until(() => a.hub.getBreaker("payments").state === "HALF_OPEN" && b.hub.getBreaker("payments").state === "HALF_OPEN", 1_000);
    const before = a.counter.calls + b.counter.calls;
    const [fromA, fromB] = await Promise.all([a.hub.fireCalls("payments", 10, 10), b.hub.fireCalls("payments", 10, 10)]);
    const outcomes = [...fromA.results, ...fromB.results].map(({ outcome }) => outcome);
    expect(outcomes.filter((outcome) => outcome === "success")).toHaveLength(2);
    expect(outcomes.filter((outcome) => outcome === "rejected")).toHaveLength(18);
    expect(a.counter.calls + b.counter.calls - before).toBe(2);
    // The two fleet trials closed it: whichever instance settled the second one decided.
    await until(() => a.hub.getBreaker("payments").state === "CLOSED" && b.hub.getBreaker("payments").state === "CLOSED", 1_000);
  });

  it("counts half-open successes fleet-wide: one trial on each instance closes a breaker that needs two", async () => {
    let failing = true;
    const answer = () => (failing ? broken() : ok());
    const { a, b } = await fleetOfTwo({ a: answer, b: answer });
    a.hub.configureBreaker("payments", { ...QUICK, successThreshold: 2 });
    await until(() => b.hub.getBreaker("payments").options.successThreshold === 2, 1_000);
    await a.hub.fireCalls("payments", 1, 1);
    await until(() => b.hub.getBreaker("payments").state === "OPEN", 1_000);
    failing = false;
    await until(() => a.hub.getBreaker("payments").state === "HALF_OPEN", 1_000);
    await a.hub.fireCalls("payments", 1, 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(a.hub.getBreaker("payments").state).toBe("HALF_OPEN");
    await until(() => b.hub.getBreaker("payments").state === "HALF_OPEN", 1_000);
    await b.hub.fireCalls("payments", 1, 1);
    await until(() => b.hub.getBreaker("payments").state === "CLOSED", 1_000);
    await until(() => a.hub.getBreaker("payments").state === "CLOSED", 1_000);
    expect(a.hub.state().timeline.filter((entry) => entry.kind === "transition").at(-1)).toMatchObject({ to: "CLOSED", reason: "adopted" });
    expect(b.hub.state().timeline.filter((entry) => entry.kind === "transition").at(-1)).toMatchObject({ to: "CLOSED", reason: "trial-succeeded" });
  });

  it("fences a trial that outlived its lease: its outcome counts nowhere", async () => {
    const { a, prefix } = await fleetOfTwo({ a: broken });
    a.hub.configureBreaker("payments", QUICK);
    await a.hub.fireCalls("payments", 1, 1);
    await until(() => a.hub.getBreaker("payments").state === "HALF_OPEN", 1_000);
    // A store of its own, following the same shared state, asks for a slot with a 50 ms lease.
    const store = new RedisStore({ url: redis.url, prefix, instanceId: "probe", clock: realClock });
    const ignore = () => undefined;
    const listener = { synced: ignore, breakerState: ignore, breakerDefined: ignore, breakerDeleted: ignore, endpointChanged: ignore, fleetReset: ignore, statusChanged: ignore };
    const playbackListener = { scenarioSaved: ignore, scenarioDeleted: ignore, playbackChanged: ignore, playbackStopRequested: ignore };
    store.start({ ...listener, ...playbackListener }, () => ({ breakers: [], endpoints: [], scenarios: [], states: {}, playback: null }));
    try {
      await until(() => store.instance.storeUp);
      const gate = store.trialGate("payments", () => ({ halfOpenMaxCalls: 1, maxHalfOpenMs: 50 }))!;
      const request = { breaker: "payments", openedAt: 0, halfOpenAt: 0 };
      const ticket = await gate.acquire(request);
      expect(ticket).not.toBeNull();
      expect(ticket).not.toBe("alone");
      // The one slot is taken until the lease runs out.
      expect(await gate.acquire(request)).toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 80));
      expect(await (ticket as Exclude<typeof ticket, "alone" | null>).settle("success", false)).toBeNull();
      // The expired lease freed its slot and counted nothing: the next trial's success is the first.
      const longerGate = store.trialGate("payments", () => ({ halfOpenMaxCalls: 1, maxHalfOpenMs: 5_000 }))!;
      const next = await longerGate.acquire(request);
      expect(next).not.toBeNull();
      expect(await (next as Exclude<typeof next, "alone" | null>).settle("success", false)).toEqual({ successes: 1, failures: 0, slowCalls: 0 });
    } finally {
      await store.close();
    }
  });

  it("two conflicting actions on two instances converge to one state", async () => {
    const { a, b } = await fleetOfTwo();
    for (let round = 0; round < 5; round++) {
      a.hub.act("payments", "forceOpen");
      b.hub.act("payments", "reset");
      await until(() => a.hub.getBreaker("payments").state === b.hub.getBreaker("payments").state, 1_000);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(a.hub.getBreaker("payments").state).toBe(b.hub.getBreaker("payments").state);
    }
  });
});

describe("RedisStore: Redis down", () => {
  it("unreachable at start: the instance serves and protects on local state, and joins once Redis answers", async () => {
    const stand = await RedisServer.start();
    await stand.stop();
    const prefix = `test-${process.pid}-${++testIndex}:`;
    const { caller, counter } = countingCaller(broken);
    const store = new RedisStore({ url: stand.url, prefix, instanceId: "late", clock: realClock, heartbeatMs: 200 });
    const hub = new LabHub({ caller, store });
    hubs.push(hub);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(hub.state().instance).toEqual({ id: "late", store: "redis", storeUp: false });
    const { results } = await hub.fireCalls("payments", 5, 1);
    expect(results.map(({ outcome }) => outcome)).toEqual(["failure", "failure", "failure", "rejected", "rejected"]);
    expect(counter.calls).toBe(3);
    await stand.restart();
    try {
      await until(() => hub.state().instance.storeUp, 5_000);
    } finally {
      await hub.close();
      await stand.stop();
    }
  });

  it("keeps serving and protecting on local state, and converges within 5 s of Redis returning", async () => {
    const { a, b } = await fleetOfTwo({ a: broken });
    a.hub.configureBreaker("payments", { failureThreshold: 1, openMs: 60_000 });
    await until(() => b.hub.getBreaker("payments").options.openMs === 60_000, 1_000);
    await redis.stop();
    try {
      await until(() => !a.hub.state().instance.storeUp && !b.hub.state().instance.storeUp, 3_000);
      await expect(a.hub.metrics.registry.getSingleMetricAsString("lab_store_up")).resolves.toMatch(/lab_store_up 0/);
      // Local protection: A trips on its own; B, not told, keeps calling its healthy upstream.
      await a.hub.fireCalls("payments", 1, 1);
      expect(a.hub.getBreaker("payments").state).toBe("OPEN");
      expect((await a.hub.fireCalls("payments", 2, 2)).results.map(({ outcome }) => outcome)).toEqual(["rejected", "rejected"]);
      expect((await b.hub.fireCalls("payments", 2, 2)).results.map(({ outcome }) => outcome)).toEqual(["success", "success"]);
    } finally {
      await redis.restart();
    }
    const convergedIn = await until(() => a.hub.state().instance.storeUp && b.hub.state().instance.storeUp, 5_000);
    expect(convergedIn).toBeLessThan(5_000);
    // Redis came back empty: the first instance back reseeded it, and sharing works again.
    await until(() => a.hub.state().instances.length === 2, 3_000);
    b.hub.act("payments", "forceOpen");
    await until(() => a.hub.getBreaker("payments").state === "FORCED_OPEN", 1_000);
    expect(a.hub.getBreaker("payments").options.openMs).toBe(60_000);
  }, 20_000);
});
