import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { createBreakerSchema, fireCallsSchema, labResetSchema } from "@/lib/api/schemas";
import { isLabError, LabError, type LabError as LabErrorType } from "./errors";
import { json, jsonText, MAX_BODY_BYTES, mutation, nameOf, noContent, readBody, route } from "./http";

const URL_ = "http://lab.test/api/breakers";

function post(body: BodyInit | null, headers: Record<string, string> = {}, method = "POST"): Request {
  return new Request(URL_, { method, body, headers, duplex: "half" } as RequestInit);
}

function postJson(value: unknown, headers: Record<string, string> = {}): Request {
  return post(JSON.stringify(value), { "content-type": "application/json", ...headers });
}

async function refusal(promise: Promise<unknown>): Promise<LabErrorType> {
  try {
    await promise;
  } catch (error) {
    if (isLabError(error)) return error;
    throw error;
  }
  throw new Error("expected a LabError, the body was accepted");
}

/** A body that streams `total` bytes of spaces in chunks of `chunk`, counting what was pulled. */
function streamOf(total: number, chunk: number) {
  const stats = { pulled: 0, cancelled: false };
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) return controller.close();
      const size = Math.min(chunk, total - sent);
      sent += size;
      stats.pulled += 1;
      controller.enqueue(new Uint8Array(size).fill(0x20));
    },
    cancel() {
      stats.cancelled = true;
    },
  });
  return { stream, stats };
}

const padSchema = z.strictObject({ pad: z.string() });

/** A JSON body of exactly `bytes` bytes: `{"pad":"xxx…"}`. */
function paddedBody(bytes: number): string {
  const overhead = JSON.stringify({ pad: "" }).length;
  return JSON.stringify({ pad: "x".repeat(bytes - overhead) });
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe("readBody", () => {
  it("parses a JSON body with the schema", async () => {
    const body = await readBody(postJson({ name: "checkout", endpoint: "payments", options: { openMs: 1_000 } }), createBreakerSchema);
    expect(body).toEqual({ name: "checkout", endpoint: "payments", options: { openMs: 1_000 } });
  });

  it("accepts application/json with parameters and any case", async () => {
    expect(await readBody(post('{"count":2}', { "content-type": "application/json; charset=utf-8" }), fireCallsSchema)).toEqual({ count: 2 });
    expect(await readBody(post('{"count":3}', { "content-type": "Application/JSON" }), fireCallsSchema)).toEqual({ count: 3 });
  });

  it("answers 415 for text/plain", async () => {
    const error = await refusal(readBody(post('{"count":2}', { "content-type": "text/plain" }), fireCallsSchema));
    expect(error).toMatchObject({ status: 415, code: "unsupported_media_type" });
  });

  it("answers 415 for a string body, which fetch labels text/plain", async () => {
    expect((await refusal(readBody(post('{"count":2}'), fireCallsSchema))).status).toBe(415);
  });

  it("answers 415 for form posts, urlencoded and multipart", async () => {
    const urlencoded = post(new URLSearchParams({ count: "2" }));
    expect(urlencoded.headers.get("content-type")).toMatch(/^application\/x-www-form-urlencoded/);
    expect((await refusal(readBody(urlencoded, fireCallsSchema))).status).toBe(415);
    const form = new FormData();
    form.set("count", "2");
    const multipart = post(form);
    expect(multipart.headers.get("content-type")).toMatch(/^multipart\/form-data/);
    expect((await refusal(readBody(multipart, fireCallsSchema))).status).toBe(415);
  });

  it("answers 415 for a content type that merely contains json", async () => {
    expect((await refusal(readBody(post("{}", { "content-type": "application/jsonp" }), labResetSchema))).status).toBe(415);
    expect((await refusal(readBody(post("{}", { "content-type": "text/json" }), labResetSchema))).status).toBe(415);
  });

  it("answers 415 for a body without content type", async () => {
    const bytes = new TextEncoder().encode('{"count":2}');
    const request = post(bytes);
    expect(request.headers.get("content-type")).toBeNull();
    expect((await refusal(readBody(request, fireCallsSchema))).status).toBe(415);
  });

  it("answers 415 for a missing content type even when the body is empty, unless the body is optional", async () => {
    expect((await refusal(readBody(post(null), labResetSchema))).status).toBe(415);
    expect(await readBody(post(null), labResetSchema, { optional: true })).toEqual({});
    expect(await readBody(post(new Uint8Array(0)), labResetSchema, { optional: true })).toEqual({});
  });

  it("answers 415 for an optional body without content type that is not empty", async () => {
    const request = post(new TextEncoder().encode("{}"));
    expect((await refusal(readBody(request, labResetSchema, { optional: true }))).status).toBe(415);
  });

  it("takes an empty JSON body as {} when optional, and refuses it with 400 when required", async () => {
    expect(await readBody(post("", { "content-type": "application/json" }), fireCallsSchema, { optional: true })).toEqual({});
    expect(await readBody(post("  \n", { "content-type": "application/json" }), fireCallsSchema, { optional: true })).toEqual({});
    expect(await readBody(postJson({}), labResetSchema, { optional: true })).toEqual({});
    expect(await refusal(readBody(post("", { "content-type": "application/json" }), createBreakerSchema))).toMatchObject({
      status: 400,
      code: "invalid_body",
    });
  });

  it("answers 413 for a declared Content-Length over 16 KiB, before reading", async () => {
    const { stream, stats } = streamOf(10, 10);
    const request = post(stream, { "content-type": "application/json", "content-length": String(MAX_BODY_BYTES + 1) });
    expect(request.headers.get("content-length")).toBe(String(MAX_BODY_BYTES + 1));
    expect(await refusal(readBody(request, labResetSchema))).toMatchObject({ status: 413, code: "body_too_large" });
    expect(stats.pulled).toBeLessThanOrEqual(1);
  });

  it("answers 413 for a streamed body over 16 KiB without Content-Length, and stops reading it", async () => {
    const { stream, stats } = streamOf(1024 * 1024, 1024);
    const request = post(stream, { "content-type": "application/json" });
    expect(request.headers.get("content-length")).toBeNull();
    expect((await refusal(readBody(request, labResetSchema))).status).toBe(413);
    expect(stats.pulled).toBeLessThan(40);
    expect(stats.cancelled).toBe(true);
  });

  it("answers 413 for a body that declares less than it sends", async () => {
    const { stream } = streamOf(MAX_BODY_BYTES + 1, 4096);
    const request = post(stream, { "content-type": "application/json", "content-length": "2" });
    expect((await refusal(readBody(request, labResetSchema))).status).toBe(413);
  });

  it("accepts exactly 16 KiB and refuses one byte more", async () => {
    const exact = paddedBody(MAX_BODY_BYTES);
    expect(exact.length).toBe(MAX_BODY_BYTES);
    expect(await readBody(post(exact, { "content-type": "application/json" }), padSchema)).toEqual({ pad: "x".repeat(MAX_BODY_BYTES - 10) });
    const over = paddedBody(MAX_BODY_BYTES + 1);
    expect((await refusal(readBody(post(over, { "content-type": "application/json" }), padSchema))).status).toBe(413);
  });

  it("counts bytes, not characters", async () => {
    const body = JSON.stringify({ pad: "é".repeat(MAX_BODY_BYTES / 2) }); // 2 bytes each
    expect(body.length).toBeLessThan(MAX_BODY_BYTES);
    expect((await refusal(readBody(post(body, { "content-type": "application/json" }), padSchema))).status).toBe(413);
  });

  it("answers 400 invalid_json for malformed JSON", async () => {
    const error = await refusal(readBody(post('{"count": 2', { "content-type": "application/json" }), fireCallsSchema));
    expect(error).toMatchObject({ status: 400, code: "invalid_json" });
    expect(error.field).toBeUndefined();
  });

  it("answers 400 for a schema failure, naming the field in `field` and in the message", async () => {
    const error = await refusal(readBody(postJson({ name: "checkout", endpoint: "payments", options: { openMs: -1 } }), createBreakerSchema));
    expect(error).toMatchObject({ status: 400, code: "invalid_body", field: "options.openMs" });
    expect(error.message).toContain("options.openMs");
    expect(error.message).toContain("-1");
    expect(error.toBody()).toEqual({ error: { code: "invalid_body", message: error.message, field: "options.openMs" } });
  });

  it("names an unknown key", async () => {
    const error = await refusal(readBody(postJson({ count: 1, speed: 9 }), fireCallsSchema));
    expect(error).toMatchObject({ status: 400, field: "speed" });
    expect(error.message).toContain("speed");
  });

  it("names an out-of-range or mistyped field", async () => {
    expect(await refusal(readBody(postJson({ count: 1001 }), fireCallsSchema))).toMatchObject({ status: 400, field: "count" });
    expect(await refusal(readBody(postJson({ concurrency: "2" }), fireCallsSchema))).toMatchObject({ status: 400, field: "concurrency" });
  });

  it("refuses JSON that is not an object with 400", async () => {
    for (const body of ["[]", "null", "42", '"x"']) {
      const error = await refusal(readBody(post(body, { "content-type": "application/json" }), fireCallsSchema));
      expect(error.status, body).toBe(400);
    }
  });
});

describe("mutation", () => {
  const handler = () => vi.fn(async () => json({ done: true }));

  it("passes every request when LAB_TOKEN is not set", async () => {
    vi.stubEnv("LAB_TOKEN", undefined);
    const inner = handler();
    const response = await mutation(inner)(post(null), {});
    expect(response.status).toBe(200);
    expect(inner).toHaveBeenCalledOnce();
  });

  it("answers 401 without a token, or with a wrong one, before the handler runs", async () => {
    vi.stubEnv("LAB_TOKEN", "s3cret");
    const inner = handler();
    const guarded = mutation(inner);
    for (const authorization of [undefined, "Bearer wrong", "Bearer s3cret-and-more", "Basic s3cret", "s3cret", "Bearer "]) {
      const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
      const response = await guarded(post(null, headers), {});
      expect(response.status, String(authorization)).toBe(401);
      const body = (await response.json()) as { error: { code: string } };
      expect(body.error.code).toBe("unauthorized");
    }
    expect(inner).not.toHaveBeenCalled();
  });

  it("passes with the right bearer token", async () => {
    vi.stubEnv("LAB_TOKEN", "s3cret");
    const inner = handler();
    const response = await mutation(inner)(post(null, { authorization: "Bearer s3cret" }), { params: "x" });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ done: true });
    expect(inner).toHaveBeenCalledWith(expect.any(Request), { params: "x" });
  });
});

describe("route", () => {
  it("answers what the handler answers", async () => {
    const response = await route(async () => json({ fine: true }, 201))(post(null), {});
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ fine: true });
  });

  it("turns a LabError into its JSON body and status", async () => {
    const response = await route(() => {
      throw new LabError("duplicate_name", 'A breaker named "x" already exists', "name");
    })(post(null), {});
    expect(response.status).toBe(409);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ error: { code: "duplicate_name", message: 'A breaker named "x" already exists', field: "name" } });
    expect(response.headers.get("connection")).toBeNull();
  });

  it("closes the connection after refusing a body too large, whose rest is never read", async () => {
    const response = await route(async (request) => json(await readBody(request, z.object({}))))(postJson({ padding: "x".repeat(MAX_BODY_BYTES) }), {});
    expect(response.status).toBe(413);
    expect(response.headers.get("connection")).toBe("close");
  });

  it("turns an unexpected error into a 500 without details", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await route(async () => {
      throw new Error("database password is hunter2 at /srv/secret.ts:12");
    })(post(null), {});
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: { code: "internal", message: "Unexpected server error" } });
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("secret.ts");
    expect(logged).toHaveBeenCalled();
  });

  it("turns a thrown non-Error into a 500 as well", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await route(() => {
      throw "boom";
    })(post(null), {});
    expect(response.status).toBe(500);
  });
});

describe("json, noContent, nameOf", () => {
  it("json answers JSON that no cache keeps", async () => {
    const response = json({ a: 1 }, 202);
    expect(response.status).toBe(202);
    expect(response.headers.get("cache-control")).toBe("no-store, no-transform");
    expect(await response.json()).toEqual({ a: 1 });
    expect(json([]).status).toBe(200);
  });

  it("jsonText answers text that is already JSON, as JSON", async () => {
    const response = jsonText('{"a":1}', 201);
    expect(response.status).toBe(201);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("cache-control")).toBe("no-store, no-transform");
    expect(await response.json()).toEqual({ a: 1 });
  });

  it("noContent answers 204 with no body", async () => {
    const response = noContent();
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
    expect(response.headers.get("cache-control")).toBe("no-store, no-transform");
  });

  it("nameOf reads the dynamic segment", async () => {
    expect(await nameOf({ params: Promise.resolve({ name: "payments" }) })).toBe("payments");
  });
});
