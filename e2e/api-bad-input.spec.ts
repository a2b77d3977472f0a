import { expect, test, type APIRequestContext, type APIResponse } from "@playwright/test";
import { createBreaker, JSON_HEADERS, labContents, patchEndpoint, patchJson, postJson, resetLab, sendRaw, type EndpointBody } from "./support/api";

// Every mutating route against bad input: a 4xx with `{ error: { code, message, field? } }` naming
// the field, never a 500, and nothing changed (breakers and endpoints of GET /api/state).

type Method = "POST" | "PATCH" | "DELETE" | "GET";

interface BadCase {
  title: string;
  method: Method;
  url: string;
  /** Serialised with JSON.stringify. */
  body?: unknown;
  /** Sent byte for byte. */
  raw?: string | Buffer;
  /** Default application/json; null sends none. */
  contentType?: string | null;
  form?: Record<string, string>;
  multipart?: Record<string, string>;
  status: number | number[];
  /** The `field` of the error: exact, a pattern, or undefined for "not checked". */
  field?: string | RegExp;
  code?: string;
}

const BIG = 17 * 1024;

/** A valid body padded with spaces to exactly `bytes` bytes. */
function padded(body: unknown, bytes: number): string {
  const text = JSON.stringify(body);
  return text + " ".repeat(bytes - Buffer.byteLength(text));
}

/** Cases every route with a JSON body shares: syntax, shape, media type, size, unknown keys. */
function structuralCases(route: string, method: Method, url: string, valid: Record<string, unknown>, { bodyRequired = true } = {}): BadCase[] {
  const cases: Omit<BadCase, "method" | "url">[] = [
    { title: "malformed JSON (truncated)", raw: `${JSON.stringify(valid).slice(0, -1)},`, status: 400, code: "invalid_json" },
    { title: "malformed JSON (trailing comma)", raw: '{"a": 1,}', status: 400 },
    { title: "malformed JSON (single quotes)", raw: "{'a': 1}", status: 400 },
    { title: "malformed JSON (NaN literal)", raw: '{"count": NaN}', status: 400 },
    { title: "malformed JSON (undefined)", raw: "undefined", status: 400 },
    { title: "a non-object body: array", raw: "[]", status: 400 },
    { title: "a non-object body: array of the valid body", raw: JSON.stringify([valid]), status: 400 },
    { title: "a non-object body: string", raw: '"hello"', status: 400 },
    { title: "a non-object body: number", raw: "42", status: 400 },
    { title: "a non-object body: null", raw: "null", status: 400 },
    { title: "a non-object body: boolean", raw: "true", status: 400 },
    { title: "an unknown top-level key", body: { ...valid, bogus: 1 }, status: 400, field: "bogus" },
    { title: "an unknown top-level key __proto__", raw: `{"__proto__": {"x": 1}${Object.keys(valid).length ? "," : ""}${JSON.stringify(valid).slice(1)}`, status: 400, field: "__proto__" },
    { title: "an unknown top-level key constructor", body: { ...valid, constructor: "x" }, status: 400, field: "constructor" },
    { title: "text/plain", raw: JSON.stringify(valid), contentType: "text/plain", status: 415 },
    { title: "text/plain with charset", raw: JSON.stringify(valid), contentType: "text/plain; charset=utf-8", status: 415 },
    { title: "text/json", raw: JSON.stringify(valid), contentType: "text/json", status: 415 },
    { title: "application/jsonx", raw: JSON.stringify(valid), contentType: "application/jsonx", status: 415 },
    { title: "no content type with a JSON body", raw: JSON.stringify(valid), contentType: null, status: 415 },
    { title: "a form post", form: Object.fromEntries(Object.entries(valid).map(([key, value]) => [key, String(value)])), status: 415 },
    { title: "a multipart post", multipart: Object.fromEntries(Object.entries(valid).map(([key, value]) => [key, String(value)])), status: 415 },
    { title: "a body over 16 KiB (padding key)", body: { ...valid, pad: "x".repeat(BIG) }, status: 413 },
    { title: "a valid body padded to 16 KiB + 1 byte", raw: padded(valid, 16 * 1024 + 1), status: 413 },
    { title: "a huge body (1 MiB)", raw: padded(valid, 1024 * 1024), status: 413 },
    { title: "a body over 16 KiB sent as text/plain", raw: "x".repeat(BIG), contentType: "text/plain", status: [413, 415] },
  ];
  if (bodyRequired) cases.push({ title: "an empty body", raw: "", status: 400 });
  return cases.map((item) => ({ ...item, method, url, title: `${route}: ${item.title}` }));
}

function cases(route: string, method: Method, url: string, list: Omit<BadCase, "method" | "url">[]): BadCase[] {
  return list.map((item) => ({ ...item, method, url, title: `${route}: ${item.title}` }));
}

const CREATE = "POST /api/breakers";
const validCreate = { name: "fresh", endpoint: "payments", options: { failureThreshold: 2 } };
const create = (patch: Record<string, unknown>) => ({ ...validCreate, ...patch });
const createWith = (options: Record<string, unknown>) => ({ ...validCreate, options });

const createCases = cases(CREATE, "POST", "/api/breakers", [
  { title: "name missing", body: { endpoint: "payments" }, status: 400, field: "name" },
  { title: "endpoint missing", body: { name: "fresh" }, status: 400, field: "endpoint" },
  { title: "name of the wrong type", body: create({ name: 42 }), status: 400, field: "name" },
  { title: "name null", body: create({ name: null }), status: 400, field: "name" },
  { title: "endpoint of the wrong type", body: create({ endpoint: ["payments"] }), status: 400, field: "endpoint" },
  { title: 'name "Payments" (upper case)', body: create({ name: "Payments" }), status: 400, field: "name" },
  { title: 'name "a b" (space)', body: create({ name: "a b" }), status: 400, field: "name" },
  { title: "name of 41 characters", body: create({ name: "a".repeat(41) }), status: 400, field: "name" },
  { title: 'name "../x"', body: create({ name: "../x" }), status: 400, field: "name" },
  { title: "name empty", body: create({ name: "" }), status: 400, field: "name" },
  { title: "name with an underscore", body: create({ name: "a_b" }), status: 400, field: "name" },
  { title: "name with a trailing newline", body: create({ name: "abc\n" }), status: 400, field: "name" },
  { title: "name non-ASCII", body: create({ name: "paymènts" }), status: 400, field: "name" },
  { title: 'endpoint "Payments"', body: create({ endpoint: "Payments" }), status: 400, field: "endpoint" },
  { title: 'endpoint "../payments"', body: create({ endpoint: "../payments" }), status: 400, field: "endpoint" },
  { title: "an endpoint that does not exist", body: create({ endpoint: "nowhere" }), status: 400, field: "endpoint" },
  { title: "a duplicate name (demo breaker)", body: create({ name: "payments" }), status: 409 },
  { title: "a duplicate name (created breaker)", body: create({ name: "guard", endpoint: "inventory" }), status: 409 },
  { title: "options null", body: create({ options: null }), status: 400, field: "options" },
  { title: "options a string", body: create({ options: "fast" }), status: 400, field: "options" },
  { title: "options an array", body: create({ options: [] }), status: 400, field: "options" },
  { title: "options.failureThreshold 0", body: createWith({ failureThreshold: 0 }), status: 400, field: "options.failureThreshold" },
  { title: "options.failureThreshold 1.5", body: createWith({ failureThreshold: 1.5 }), status: 400, field: "options.failureThreshold" },
  { title: 'options.failureThreshold "3"', body: createWith({ failureThreshold: "3" }), status: 400, field: "options.failureThreshold" },
  { title: "options.failureThreshold -1", body: createWith({ failureThreshold: -1 }), status: 400, field: "options.failureThreshold" },
  { title: "options.failureThreshold 1e308", body: createWith({ failureThreshold: 1e308 }), status: 400, field: "options.failureThreshold" },
  { title: "options.failureThreshold null", body: createWith({ failureThreshold: null }), status: 400, field: "options.failureThreshold" },
  { title: "options.failureThreshold true", body: createWith({ failureThreshold: true }), status: 400, field: "options.failureThreshold" },
  { title: "options.openMs 0", body: createWith({ openMs: 0 }), status: 400, field: "options.openMs" },
  { title: "options.openMs -1000", body: createWith({ openMs: -1000 }), status: 400, field: "options.openMs" },
  { title: 'options.openMs "NaN"', body: createWith({ openMs: "NaN" }), status: 400, field: "options.openMs" },
  { title: 'options.openMs "Infinity"', body: createWith({ openMs: "Infinity" }), status: 400, field: "options.openMs" },
  {
    title: "options.openMs 1e400 (Infinity once parsed)",
    raw: '{"name": "fresh", "endpoint": "payments", "options": {"openMs": 1e400}}',
    status: 400,
    field: "options.openMs",
  },
  { title: "options.openMs 1e308", body: createWith({ openMs: 1e308 }), status: 400, field: "options.openMs" },
  { title: "options.minimumCalls 0", body: createWith({ minimumCalls: 0 }), status: 400, field: "options.minimumCalls" },
  { title: "options.halfOpenMaxCalls 0", body: createWith({ halfOpenMaxCalls: 0 }), status: 400, field: "options.halfOpenMaxCalls" },
  { title: "options.successThreshold 1.5", body: createWith({ successThreshold: 1.5 }), status: 400, field: "options.successThreshold" },
  { title: "options.failureRateThreshold 0", body: createWith({ failureRateThreshold: 0 }), status: 400, field: "options.failureRateThreshold" },
  { title: "options.failureRateThreshold 101", body: createWith({ failureRateThreshold: 101 }), status: 400, field: "options.failureRateThreshold" },
  { title: "options.slowCallRateThreshold -5", body: createWith({ slowCallRateThreshold: -5 }), status: 400, field: "options.slowCallRateThreshold" },
  { title: "options.backoffMultiplier 0.5", body: createWith({ backoffMultiplier: 0.5 }), status: 400, field: "options.backoffMultiplier" },
  { title: "options.timeoutMs 0", body: createWith({ timeoutMs: 0 }), status: 400, field: "options.timeoutMs" },
  { title: 'options.slowCallMs "slow"', body: createWith({ slowCallMs: "slow" }), status: 400, field: "options.slowCallMs" },
  { title: "options.maxHalfOpenMs -1", body: createWith({ maxHalfOpenMs: -1 }), status: 400, field: "options.maxHalfOpenMs" },
  { title: "options.maxOpenMs below openMs", body: createWith({ openMs: 5_000, maxOpenMs: 1_000 }), status: 400, field: "options.maxOpenMs" },
  { title: "options.maxOpenMs below the default openMs", body: createWith({ maxOpenMs: 1_000 }), status: 400, field: "options.maxOpenMs" },
  { title: "an unknown key in options", body: createWith({ failureThreshold: 2, bogus: 1 }), status: 400, field: "options.bogus" },
  { title: "options.name (the lab names the breaker)", body: createWith({ name: "other" }), status: 400, field: "options.name" },
  { title: "options.isFailure", body: createWith({ isFailure: "x => true" }), status: 400, field: "options.isFailure" },
  { title: "options.clock", body: createWith({ clock: {} }), status: 400, field: "options.clock" },
  { title: 'options.slidingWindow "count"', body: createWith({ slidingWindow: "count" }), status: 400, field: "options.slidingWindow" },
  { title: "options.slidingWindow of an unknown type", body: createWith({ slidingWindow: { type: "weekly", size: 3 } }), status: 400, field: /^options\.slidingWindow(\.type)?$/ },
  { title: "options.slidingWindow without size", body: createWith({ slidingWindow: { type: "count" } }), status: 400, field: "options.slidingWindow.size" },
  { title: "options.slidingWindow.size 0", body: createWith({ slidingWindow: { type: "count", size: 0 } }), status: 400, field: "options.slidingWindow.size" },
  { title: "options.slidingWindow.size 2.5", body: createWith({ slidingWindow: { type: "count", size: 2.5 } }), status: 400, field: "options.slidingWindow.size" },
  { title: "options.slidingWindow.ms -1", body: createWith({ slidingWindow: { type: "time", ms: -1 } }), status: 400, field: "options.slidingWindow.ms" },
  {
    title: "an unknown key inside options.slidingWindow",
    body: createWith({ slidingWindow: { type: "count", size: 5, extra: true } }),
    status: 400,
    field: "options.slidingWindow.extra",
  },
  {
    title: "the other window's key inside options.slidingWindow",
    body: createWith({ slidingWindow: { type: "count", size: 5, ms: 1000 } }),
    status: 400,
    field: "options.slidingWindow.ms",
  },
]);

const PATCH_BREAKER = "PATCH /api/breakers/{name}";
const breakerCases = cases(PATCH_BREAKER, "PATCH", "/api/breakers/guard", [
  { title: "failureThreshold 0", body: { failureThreshold: 0 }, status: 400, field: "failureThreshold" },
  { title: "failureThreshold 1.5", body: { failureThreshold: 1.5 }, status: 400, field: "failureThreshold" },
  { title: 'failureThreshold "3"', body: { failureThreshold: "3" }, status: 400, field: "failureThreshold" },
  { title: "failureThreshold 1e308", body: { failureThreshold: 1e308 }, status: 400, field: "failureThreshold" },
  { title: "openMs -1", body: { openMs: -1 }, status: 400, field: "openMs" },
  { title: "openMs 1e400 (Infinity once parsed)", raw: '{"openMs": 1e400}', status: 400, field: "openMs" },
  { title: "timeoutMs -5", body: { timeoutMs: -5 }, status: 400, field: "timeoutMs" },
  { title: "failureRateThreshold 150", body: { failureRateThreshold: 150 }, status: 400, field: "failureRateThreshold" },
  { title: "an unknown key", body: { failureThreshold: 4, bogus: true }, status: 400, field: "bogus" },
  { title: "endpoint (not an option)", body: { endpoint: "payments" }, status: 400, field: "endpoint" },
  { title: "name (not an option)", body: { name: "renamed" }, status: 400, field: "name" },
  { title: "state (not an option)", body: { state: "OPEN" }, status: 400, field: "state" },
  { title: "options wrapper (a create body)", body: { options: { failureThreshold: 2 } }, status: 400, field: "options" },
  { title: "slidingWindow.size 1.5", body: { slidingWindow: { type: "count", size: 1.5 } }, status: 400, field: "slidingWindow.size" },
  { title: "an unknown key inside slidingWindow", body: { slidingWindow: { type: "time", ms: 1000, size: 5 } }, status: 400, field: "slidingWindow.size" },
  { title: "an unknown key inside slidingWindow (extra)", body: { slidingWindow: { type: "count", size: 5, extra: 1 } }, status: 400, field: "slidingWindow.extra" },
  { title: "maxOpenMs below openMs in the same patch", body: { openMs: 5_000, maxOpenMs: 1_000 }, status: 400, field: "maxOpenMs" },
  { title: "maxOpenMs below the current openMs", body: { maxOpenMs: 1_000 }, status: 400, field: "maxOpenMs" },
  {
    title: "a valid field with maxOpenMs below openMs (atomic: nothing applied)",
    body: { failureThreshold: 9, timeoutMs: 700, slidingWindow: null, openMs: 8_000, maxOpenMs: 2_000 },
    status: 400,
    field: "maxOpenMs",
  },
  {
    title: "a valid field with an invalid one (atomic: nothing applied)",
    body: { failureThreshold: 9, openMs: -1 },
    status: 400,
    field: "openMs",
  },
]);

const CALLS = "POST /api/breakers/{name}/calls";
const callCases = cases(CALLS, "POST", "/api/breakers/guard/calls", [
  { title: "count 0", body: { count: 0 }, status: 400, field: "count" },
  { title: "count 1001", body: { count: 1001 }, status: 400, field: "count" },
  { title: "count -1", body: { count: -1 }, status: 400, field: "count" },
  { title: "count 1.5", body: { count: 1.5 }, status: 400, field: "count" },
  { title: 'count "3"', body: { count: "3" }, status: 400, field: "count" },
  { title: "count null", body: { count: null }, status: 400, field: "count" },
  { title: "count true", body: { count: true }, status: 400, field: "count" },
  { title: "count an object", body: { count: { value: 1 } }, status: 400, field: "count" },
  { title: "count 1e308", body: { count: 1e308 }, status: 400, field: "count" },
  { title: "count 1e400 (Infinity once parsed)", raw: '{"count": 1e400}', status: 400, field: "count" },
  { title: "count -0.0001", body: { count: -0.0001 }, status: 400, field: "count" },
  { title: "concurrency 0", body: { count: 2, concurrency: 0 }, status: 400, field: "concurrency" },
  { title: "concurrency 101", body: { count: 2, concurrency: 101 }, status: 400, field: "concurrency" },
  { title: 'concurrency "5"', body: { concurrency: "5" }, status: 400, field: "concurrency" },
  { title: "concurrency 2.5", body: { concurrency: 2.5 }, status: 400, field: "concurrency" },
  { title: "an unknown key", body: { count: 1, delayMs: 5 }, status: 400, field: "delayMs" },
  { title: "a valid count with a bad concurrency (no call fired)", body: { count: 5, concurrency: -1 }, status: 400, field: "concurrency" },
]);

const ACTIONS = "POST /api/breakers/{name}/actions";
const actionCases = cases(ACTIONS, "POST", "/api/breakers/guard/actions", [
  { title: "action missing", body: {}, status: 400, field: "action" },
  { title: 'action "explode"', body: { action: "explode" }, status: 400, field: "action" },
  { title: 'action "dispose"', body: { action: "dispose" }, status: 400, field: "action" },
  { title: 'action "configure"', body: { action: "configure" }, status: 400, field: "action" },
  { title: 'action "constructor"', body: { action: "constructor" }, status: 400, field: "action" },
  { title: 'action "__proto__"', body: { action: "__proto__" }, status: 400, field: "action" },
  { title: 'action "toString"', body: { action: "toString" }, status: 400, field: "action" },
  { title: 'action "FORCEOPEN" (case)', body: { action: "FORCEOPEN" }, status: 400, field: "action" },
  { title: 'action "force-open"', body: { action: "force-open" }, status: 400, field: "action" },
  { title: "action empty", body: { action: "" }, status: 400, field: "action" },
  { title: "action 1", body: { action: 1 }, status: 400, field: "action" },
  { title: "action null", body: { action: null }, status: 400, field: "action" },
  { title: "action an array", body: { action: ["forceOpen"] }, status: 400, field: "action" },
  { title: "a valid action with an unknown key", body: { action: "forceOpen", force: true }, status: 400, field: "force" },
]);

const PATCH_ENDPOINT = "PATCH /api/endpoints/{name}";
const endpointCases = cases(PATCH_ENDPOINT, "PATCH", "/api/endpoints/inventory", [
  { title: "failureRate 1.5", body: { failureRate: 1.5 }, status: 400, field: "failureRate" },
  { title: "failureRate -0.1", body: { failureRate: -0.1 }, status: 400, field: "failureRate" },
  { title: 'failureRate "1"', body: { failureRate: "1" }, status: 400, field: "failureRate" },
  { title: "failureRate null", body: { failureRate: null }, status: 400, field: "failureRate" },
  { title: "failureRate true", body: { failureRate: true }, status: 400, field: "failureRate" },
  { title: "failureRate 1e308", body: { failureRate: 1e308 }, status: 400, field: "failureRate" },
  { title: "failureRate 1e400 (Infinity once parsed)", raw: '{"failureRate": 1e400}', status: 400, field: "failureRate" },
  { title: "failureRate 50 (percent instead of a fraction)", body: { failureRate: 50 }, status: 400, field: "failureRate" },
  { title: "errorStatus 404", body: { errorStatus: 404 }, status: 400, field: "errorStatus" },
  { title: "errorStatus 499", body: { errorStatus: 499 }, status: 400, field: "errorStatus" },
  { title: "errorStatus 600", body: { errorStatus: 600 }, status: 400, field: "errorStatus" },
  { title: "errorStatus 503.5", body: { errorStatus: 503.5 }, status: 400, field: "errorStatus" },
  { title: 'errorStatus "503"', body: { errorStatus: "503" }, status: 400, field: "errorStatus" },
  { title: "latencyMs -1", body: { latencyMs: -1 }, status: 400, field: "latencyMs" },
  { title: "latencyMs 1e308", body: { latencyMs: 1e308 }, status: 400, field: "latencyMs" },
  { title: 'latencyMs "fast"', body: { latencyMs: "fast" }, status: 400, field: "latencyMs" },
  { title: "jitterMs -5", body: { jitterMs: -5 }, status: 400, field: "jitterMs" },
  { title: 'fault "explode"', body: { fault: "explode" }, status: 400, field: "fault" },
  { title: "fault empty", body: { fault: "" }, status: 400, field: "fault" },
  { title: "fault null", body: { fault: null }, status: 400, field: "fault" },
  { title: "name (cannot be changed)", body: { name: "payments" }, status: 400, field: "name" },
  { title: "an unknown key", body: { failureRate: 0.5, colour: "red" }, status: 400, field: "colour" },
  { title: "a valid field with an invalid one (atomic)", body: { failureRate: 1, errorStatus: 404 }, status: 400, field: "errorStatus" },
]);

const RESET = "POST /api/reset";
const resetCases = cases(RESET, "POST", "/api/reset", [
  { title: "an unknown key", body: { hard: true }, status: 400, field: "hard" },
  { title: "a demo-less reset request", body: { demo: false }, status: 400, field: "demo" },
]);

const notFoundCases: BadCase[] = [
  { title: "PATCH an unknown breaker", method: "PATCH", url: "/api/breakers/nope", body: { failureThreshold: 2 }, status: 404 },
  { title: "PATCH an unknown breaker with a bad body", method: "PATCH", url: "/api/breakers/nope", body: { failureThreshold: 0 }, status: [400, 404] },
  { title: "DELETE an unknown breaker", method: "DELETE", url: "/api/breakers/nope", status: 404 },
  { title: "DELETE /api/breakers/PAYMENTS (names are case-sensitive)", method: "DELETE", url: "/api/breakers/PAYMENTS", status: 404 },
  { title: "DELETE /api/breakers/Payments", method: "DELETE", url: "/api/breakers/Payments", status: 404 },
  { title: "DELETE /api/breakers/a%20b", method: "DELETE", url: "/api/breakers/a%20b", status: 404 },
  { title: "DELETE a 41-character name", method: "DELETE", url: `/api/breakers/${"a".repeat(41)}`, status: 404 },
  { title: "DELETE /api/breakers/..%2Fpayments", method: "DELETE", url: "/api/breakers/..%2Fpayments", status: [400, 404] },
  { title: "POST calls to an unknown breaker", method: "POST", url: "/api/breakers/nope/calls", body: { count: 1 }, status: 404 },
  { title: "POST calls to /api/breakers/Payments", method: "POST", url: "/api/breakers/Payments/calls", body: {}, status: 404 },
  { title: "POST an action to an unknown breaker", method: "POST", url: "/api/breakers/nope/actions", body: { action: "forceOpen" }, status: 404 },
  { title: "PATCH an unknown endpoint", method: "PATCH", url: "/api/endpoints/nope", body: { failureRate: 1 }, status: 404 },
  { title: "PATCH /api/endpoints/Payments", method: "PATCH", url: "/api/endpoints/Payments", body: { failureRate: 1 }, status: 404 },
  { title: "GET an unknown breaker", method: "GET", url: "/api/breakers/nope", status: 404 },
  { title: "GET an unknown endpoint", method: "GET", url: "/api/endpoints/nope", status: 404 },
  { title: "GET an unknown mock endpoint", method: "GET", url: "/api/mock/nope", status: 404 },
  { title: "POST to an unknown mock endpoint", method: "POST", url: "/api/mock/nope", status: 404 },
];

const ALL_CASES: BadCase[] = [
  ...structuralCases(CREATE, "POST", "/api/breakers", validCreate),
  ...createCases,
  ...structuralCases(PATCH_BREAKER, "PATCH", "/api/breakers/guard", { failureThreshold: 9 }),
  ...breakerCases,
  ...structuralCases(CALLS, "POST", "/api/breakers/guard/calls", { count: 2 }, { bodyRequired: false }),
  ...callCases,
  ...structuralCases(ACTIONS, "POST", "/api/breakers/guard/actions", { action: "forceOpen" }),
  ...actionCases,
  ...structuralCases(PATCH_ENDPOINT, "PATCH", "/api/endpoints/inventory", { failureRate: 1 }),
  ...endpointCases,
  ...structuralCases(RESET, "POST", "/api/reset", {}, { bodyRequired: false }),
  ...resetCases,
  ...notFoundCases.map((item) => ({ ...item, title: `unknown name in the URL: ${item.title}` })),
];

function send(request: APIRequestContext, item: BadCase): Promise<APIResponse> {
  const contentType = item.contentType === undefined ? "application/json" : item.contentType;
  if (item.form) return request.fetch(item.url, { method: item.method, form: item.form });
  if (item.multipart) return request.fetch(item.url, { method: item.method, multipart: item.multipart });
  if (item.raw !== undefined) return sendRaw(request, item.method, item.url, item.raw, contentType);
  if (item.body !== undefined) return sendRaw(request, item.method, item.url, JSON.stringify(item.body), contentType);
  return request.fetch(item.url, { method: item.method });
}

/** A 4xx with the lab's error body. */
async function expectErrorBody(response: APIResponse, item: Pick<BadCase, "status" | "field" | "code" | "title">): Promise<void> {
  const text = await response.text();
  const allowed = Array.isArray(item.status) ? item.status : [item.status];
  expect(allowed, `status ${response.status()}: ${text}`).toContain(response.status());
  expect(response.headers()["content-type"], text).toMatch(/^application\/json/);
  const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; field?: unknown } };
  expect(Object.keys(body), text).toEqual(["error"]);
  const error = body.error!;
  expect(typeof error.code, text).toBe("string");
  expect((error.code as string).length, text).toBeGreaterThan(0);
  expect(typeof error.message, text).toBe("string");
  expect((error.message as string).length, text).toBeGreaterThan(0);
  for (const key of Object.keys(error)) expect(["code", "message", "field"], text).toContain(key);
  if (error.field !== undefined) expect(typeof error.field, text).toBe("string");
  if (item.code !== undefined) expect(error.code, text).toBe(item.code);
  if (typeof item.field === "string") expect(error.field, text).toBe(item.field);
  else if (item.field instanceof RegExp) expect(error.field, text).toMatch(item.field);
}

test.beforeEach(async ({ request }) => {
  await resetLab(request);
  // A lab that is not at its defaults, so that a reset that should not have happened shows.
  await createBreaker(request, {
    name: "guard",
    endpoint: "search",
    options: { failureThreshold: 4, openMs: 5_000, slidingWindow: { type: "count", size: 8 }, timeoutMs: 1_500 },
  });
  await patchEndpoint(request, "inventory", { latencyMs: 7, jitterMs: 1, errorStatus: 502 });
});

test.describe("bad input is refused and changes nothing", () => {
  for (const item of ALL_CASES) {
    test(item.title, async ({ request }) => {
      const before = await labContents(request);
      const response = await send(request, item);
      await expectErrorBody(response, item);
      expect(await labContents(request)).toEqual(before);
    });
  }
});

test.describe("limits and media types at their edges", () => {
  test("a body of exactly 16 KiB is accepted", async ({ request }) => {
    const response = await sendRaw(request, "PATCH", "/api/endpoints/inventory", padded({ latencyMs: 8 }, 16 * 1024));
    expect(response.status(), await response.text()).toBe(200);
    expect(((await response.json()) as EndpointBody).latencyMs).toBe(8);
  });

  test("names at the edge of the pattern are accepted: 40 characters, digits and dashes", async ({ request }) => {
    for (const name of ["a".repeat(40), "0", "-", "a-0-b-9"]) {
      const response = await postJson(request, "/api/breakers", { name, endpoint: "payments" });
      expect(response.status(), `${name}: ${await response.text()}`).toBe(201);
      expect((await request.get(`/api/breakers/${name}`)).status()).toBe(200);
    }
  });

  test("application/json with a charset, in any case, is JSON", async ({ request }) => {
    for (const contentType of ["application/json; charset=utf-8", "Application/JSON"]) {
      const response = await sendRaw(request, "PATCH", "/api/endpoints/inventory", JSON.stringify({ latencyMs: 9 }), contentType);
      expect(response.status(), `${contentType}: ${await response.text()}`).toBe(200);
    }
  });

  test("a chunked body (no Content-Length) over 16 KiB gets 413, changes nothing, and closes the connection", async ({ request, baseURL }) => {
    const before = await labContents(request);
    const chunk = new TextEncoder().encode(" ".repeat(8 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(new TextEncoder().encode('{"failureRate": 1'));
        else if (sent <= 4) controller.enqueue(chunk);
        else {
          controller.enqueue(new TextEncoder().encode("}"));
          controller.close();
        }
        sent += 1;
      },
    });
    const response = await fetch(new URL("/api/endpoints/inventory", baseURL), {
      method: "PATCH",
      headers: JSON_HEADERS,
      body,
      duplex: "half",
    } as RequestInit & { duplex: "half" });
    expect(response.status).toBe(413);
    // The server never reads the rest, so it drops the connection: it must say so, or a
    // keep-alive client sends its next request on a connection about to be reset.
    expect(response.headers.get("connection")).toBe("close");
    const error = (await response.json()) as { error: { code: string; message: string } };
    expect(error.error.code).toBe("body_too_large");
    expect((await fetch(new URL("/api/state?view=dashboard", baseURL))).status).toBe(200);
    expect(await labContents(request)).toEqual(before);
  });

  test("a Content-Length that announces more than 16 KiB is refused (413)", async ({ request }) => {
    const before = await labContents(request);
    const response = await sendRaw(request, "POST", "/api/breakers/guard/calls", padded({ count: 1 }, 20_000));
    await expectErrorBody(response, { title: "", status: 413 });
    expect(await labContents(request)).toEqual(before);
  });

  test("PATCH with maxOpenMs below openMs leaves every option as it was (no half-applied patch)", async ({ request }) => {
    const before = (await (await request.get("/api/breakers/guard")).json()) as { options: Record<string, unknown> };
    const response = await patchJson(request, "/api/breakers/guard", { failureThreshold: 9, openMs: 8_000, maxOpenMs: 2_000 });
    await expectErrorBody(response, { title: "", status: 400, field: "maxOpenMs" });
    const after = (await (await request.get("/api/breakers/guard")).json()) as { options: Record<string, unknown> };
    expect(after.options).toEqual(before.options);
    expect(after.options).toMatchObject({ failureThreshold: 4, openMs: 5_000, maxOpenMs: 5_000 * 32 });

    // The same patch with a maxOpenMs that fits is applied whole.
    const fixed = await patchJson(request, "/api/breakers/guard", { failureThreshold: 9, openMs: 8_000, maxOpenMs: 16_000 });
    expect(fixed.status(), await fixed.text()).toBe(200);
    expect(((await fixed.json()) as { options: Record<string, unknown> }).options).toMatchObject({ failureThreshold: 9, openMs: 8_000, maxOpenMs: 16_000 });
  });

  test("a refused burst fires no call at all: the mock endpoint sees nothing", async ({ request }) => {
    const mockRequests = async () => {
      const text = await (await request.get("/api/metrics")).text();
      return text
        .split("\n")
        .filter((line) => line.startsWith('lab_mock_requests_total{') && line.includes('endpoint="search"'))
        .reduce((sum, line) => sum + Number(line.split(" ").pop()), 0);
    };
    const before = await mockRequests();
    for (const body of [{ count: 1001 }, { count: 5, concurrency: 0 }, { count: 5, extra: 1 }]) {
      const response = await postJson(request, "/api/breakers/guard/calls", body);
      expect(response.status()).toBe(400);
    }
    expect(await mockRequests()).toBe(before);
  });
});
