import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "@/lib/breaker";
import { OPTION_NAMES } from "@/lib/breaker/options";
import { LabHub } from "@/lib/lab/hub";
import { createRandom } from "@/lib/simulator";

// The route handlers run in-process against a hub whose calls are instant, so thousands of
// hostile requests take seconds. `npm run fuzz` raises the count.
const RUNS = Number(process.env.FUZZ_RUNS ?? 1_500);
const HUB_KEY = Symbol.for("breaker-lab.hub");

type Handler = (request: Request, context: { params: Promise<{ name: string }> }) => Promise<Response>;
interface Route {
  method: string;
  path: (name: string) => string;
  handler: () => Promise<Handler>;
}

const ROUTES: Route[] = [
  { method: "POST", path: () => "/api/breakers", handler: async () => (await import("./breakers/route")).POST as Handler },
  { method: "PATCH", path: (name) => `/api/breakers/${name}`, handler: async () => (await import("./breakers/[name]/route")).PATCH as Handler },
  { method: "DELETE", path: (name) => `/api/breakers/${name}`, handler: async () => (await import("./breakers/[name]/route")).DELETE as Handler },
  { method: "POST", path: (name) => `/api/breakers/${name}/calls`, handler: async () => (await import("./breakers/[name]/calls/route")).POST as Handler },
  { method: "POST", path: (name) => `/api/breakers/${name}/actions`, handler: async () => (await import("./breakers/[name]/actions/route")).POST as Handler },
  { method: "PATCH", path: (name) => `/api/endpoints/${name}`, handler: async () => (await import("./endpoints/[name]/route")).PATCH as Handler },
  { method: "POST", path: () => "/api/reset", handler: async () => (await import("./reset/route")).POST as Handler },
  { method: "POST", path: () => "/api/scenarios", handler: async () => (await import("./scenarios/route")).POST as Handler },
  { method: "PUT", path: (name) => `/api/scenarios/${name}`, handler: async () => (await import("./scenarios/[name]/route")).PUT as Handler },
  { method: "DELETE", path: (name) => `/api/scenarios/${name}`, handler: async () => (await import("./scenarios/[name]/route")).DELETE as Handler },
  { method: "POST", path: () => "/api/playback", handler: async () => (await import("./playback/route")).POST as Handler },
  { method: "DELETE", path: () => "/api/playback", handler: async () => (await import("./playback/route")).DELETE as Handler },
];

// The library's options, which the lab takes but for name, clock and the predicates.
const optionKeys = OPTION_NAMES;
const hostileNumber = fc.oneof(
  fc.integer({ min: -10, max: 20 }),
  fc.double(),
  fc.constantFrom(0, -1, 1e308, -1e308, 2 ** 53, 1.5, 100.0001, 1e-9),
);
const value = fc.oneof(hostileNumber, fc.string(), fc.boolean(), fc.constant(null), fc.jsonValue());
const windowValue = fc.oneof(
  fc.record({ type: fc.constantFrom("count", "time", "other"), size: value, ms: value }, { requiredKeys: ["type"] }),
  value,
);
const options = fc.dictionary(fc.constantFrom(...optionKeys), value, { maxKeys: 4 }).chain((dict) =>
  fc.boolean().map((withWindow) => (withWindow ? { ...dict, slidingWindow: undefined } : dict)),
);
const createBody = fc.record(
  {
    name: fc.oneof(fc.constantFrom("payments", "fuzzed", "a-b-1", "UPPER", "x".repeat(41), "../x"), fc.string()),
    endpoint: fc.oneof(fc.constantFrom("payments", "search", "nope"), fc.string()),
    options,
  },
  { requiredKeys: [] },
);
const callsBody = fc.record(
  { count: fc.oneof(fc.integer({ min: -2, max: 3 }), value), concurrency: value, retries: fc.oneof(fc.integer({ min: -1, max: 6 }), value), retryDelayMs: value },
  { requiredKeys: [] },
);
const actionBody = fc.record({ action: fc.oneof(fc.constantFrom("reset", "forceOpen", "disable", "explode"), value) }, { requiredKeys: [] });
const endpointBody = fc.record(
  {
    failureRate: value,
    errorStatus: value,
    latencyMs: fc.oneof(fc.integer({ min: 0, max: 5 }), value),
    jitterMs: value,
    fault: fc.oneof(fc.constantFrom("status", "reset", "hang", "slow-body", "malformed", "melt"), value),
    capacity: fc.oneof(fc.integer({ min: -1, max: 10_001 }), value),
    retryAfterS: fc.oneof(fc.integer({ min: -1, max: 3_601 }), value),
  },
  { requiredKeys: [] },
);
const scenarioName = fc.oneof(fc.constantFrom("mine", "other", "flapping", "recording", "Bad Name", ""), fc.string({ maxLength: 45 }));
const phaseBody = fc.record(
  {
    label: fc.oneof(fc.string({ maxLength: 90 }), value),
    forMs: fc.oneof(fc.constantFrom(99, 100, 1_000, 3_600_000, 3_600_001), value),
    endpoints: fc.oneof(fc.dictionary(fc.constantFrom("payments", "search", "nope", "UP"), endpointBody, { maxKeys: 2 }), value),
  },
  { requiredKeys: ["forMs", "endpoints"] },
);
const scenarioBody = fc.record(
  {
    name: scenarioName,
    description: fc.oneof(fc.string({ maxLength: 20 }), value),
    seed: value,
    loop: fc.oneof(fc.boolean(), value),
    phases: fc.oneof(fc.array(phaseBody, { minLength: 0, maxLength: 3 }), value),
  },
  { requiredKeys: ["name", "phases"] },
);
const playbackBody = fc.record({ scenario: fc.oneof(scenarioName, scenarioBody, value) }, { requiredKeys: [] });
const optionsBody = fc.oneof(options, fc.record({ slidingWindow: windowValue }));

// Mostly bodies that are nearly right (where the subtle bugs are), some garbage of every kind.
function bodyFor(target: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: target.map((body) => JSON.stringify(body)) },
    { weight: 1, arbitrary: fc.jsonValue().map((body) => JSON.stringify(body)) },
    { weight: 1, arbitrary: fc.string() },
    { weight: 1, arbitrary: fc.constantFrom("", "{", "null", "[]", '"x"', "42", '{"__proto__":{"polluted":1}}', "{}", "x".repeat(17 * 1024)) },
  );
}
const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom("application/json", "application/json; charset=utf-8") },
  { weight: 1, arbitrary: fc.constantFrom("text/plain", "application/x-www-form-urlencoded", "", "APPLICATION/JSON", null) },
);
const name = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom("payments", "inventory", "search") },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom("nope", "..", "%2e%2e", "a".repeat(41)), fc.string({ maxLength: 50 })) },
);
const BODIES: Record<number, fc.Arbitrary<unknown>> = {
  0: createBody,
  1: optionsBody,
  3: callsBody,
  4: actionBody,
  5: endpointBody,
  6: fc.constant({}),
  7: scenarioBody,
  8: scenarioBody,
  10: playbackBody,
};
const ROUTE_NAMES: Record<number, fc.Arbitrary<string>> = { 8: scenarioName, 9: scenarioName };
// Deleting and resetting are rarer, so that most requests meet breakers that exist.
const request = fc.oneof(
  ...ROUTES.map((route, index) => ({
    weight: route.method === "DELETE" || route.path("") === "/api/reset" ? 1 : 5,
    arbitrary: fc.tuple(fc.constant(index), ROUTE_NAMES[index] ?? name, bodyFor(BODIES[index] ?? fc.constant({})), contentType),
  })),
);

function labState(hub: LabHub) {
  return { breakers: hub.listBreakers(), endpoints: hub.listEndpoints(), scenarios: hub.listScenarios(), playback: hub.playback() };
}

describe("every mutating route under hostile input", () => {
  let hub: LabHub;

  beforeAll(() => {
    hub = new LabHub({ caller: async () => ({ status: 200 }), clock: new ManualClock(0), random: createRandom(7) });
    (globalThis as Record<symbol, unknown>)[HUB_KEY] = hub;
  });

  it(`answers ${RUNS} arbitrary requests with a 2xx or a 4xx error body, and a refusal changes nothing`, async () => {
    const handlers = await Promise.all(ROUTES.map((route) => route.handler()));
    await fc.assert(
      fc.asyncProperty(request, async ([routeIndex, target, body, type]) => {
        const route = ROUTES[routeIndex]!;
        const headers = new Headers();
        if (type !== null) headers.set("content-type", type);
        const request = new Request(`http://127.0.0.1${route.path(encodeURIComponent(target))}`, {
          method: route.method,
          headers,
          body: route.method === "DELETE" ? undefined : body,
        });
        const before = labState(hub);
        const response = await handlers[routeIndex]!(request, { params: Promise.resolve({ name: target }) });
        expect(response.status).toBeLessThan(500);
        if (response.status >= 400) {
          const answer = (await response.json()) as { error: { code: unknown; message: unknown; field?: unknown } };
          expect(typeof answer.error.code).toBe("string");
          expect(typeof answer.error.message).toBe("string");
          expect(answer.error.field === undefined || typeof answer.error.field === "string").toBe(true);
          expect(labState(hub)).toEqual(before);
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  }, 120_000);
});
