import { createHash, timingSafeEqual } from "node:crypto";
import type { z } from "zod";
import { firstProblem } from "@/lib/api/issues";
import { INTERNAL_ERROR_CODE } from "@/lib/api/errors";
import type { ApiErrorBody } from "@/lib/api/types";
import { isLabError, LabError } from "./errors";

/** Request bodies larger than this are refused with 413. */
export const MAX_BODY_BYTES = 16 * 1024;

/** The limit of the routes that carry a whole scenario. */
export const MAX_SCENARIO_BODY_BYTES = 256 * 1024;

// no-transform keeps Next from gzipping API answers: on the loopback a lab runs on, compressing
// a fire-call answer costs more CPU than the bytes it saves (a profile under load showed zlib
// at 7 % of the server's time), and the clients then pay to inflate it.
const NO_STORE = { "Cache-Control": "no-store, no-transform" };

/** A JSON answer that no cache keeps. */
export function json(data: unknown, status = 200): Response {
  return Response.json(data, { status, headers: NO_STORE });
}

/** A JSON answer whose text is already serialized. */
export function jsonText(text: string, status = 200): Response {
  return new Response(text, { status, headers: { ...NO_STORE, "Content-Type": "application/json" } });
}

export function noContent(): Response {
  return new Response(null, { status: 204, headers: NO_STORE });
}

type Handler<Context> = (request: Request, context: Context) => Response | Promise<Response>;

/** Wrap a route handler so that a LabError becomes its JSON error answer and nothing else leaks. */
export function route<Context>(handler: Handler<Context>): Handler<Context> {
  return async (request, context) => {
    try {
      return await handler(request, context);
    } catch (error) {
      if (isLabError(error)) {
        const answer = json(error.toBody(), error.status);
        // The rest of a refused oversize body is never read, so the server drops the connection
        // after answering; saying so keeps a keep-alive client from sending its next request on it.
        if (error.code === "body_too_large") answer.headers.set("Connection", "close");
        return answer;
      }
      console.error("Unexpected error in", request.method, new URL(request.url).pathname, error);
      return json({ error: { code: INTERNAL_ERROR_CODE, message: "Unexpected server error" } } satisfies ApiErrorBody, 500);
    }
  };
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

/** When LAB_TOKEN is set, a mutating request must carry `Authorization: Bearer <LAB_TOKEN>`. */
function requireToken(request: Request): void {
  const token = process.env.LAB_TOKEN;
  if (!token) return;
  const match = /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "");
  // Comparing fixed-length digests in constant time says nothing about the token's prefix.
  if (!match || !timingSafeEqual(digest(match[1]!), digest(token))) {
    throw new LabError("unauthorized", "This lab needs a token: send Authorization: Bearer <LAB_TOKEN>");
  }
}

/** A route that changes the lab: the token is checked before anything else. */
export function mutation<Context>(handler: Handler<Context>): Handler<Context> {
  return route((request, context) => {
    requireToken(request);
    return handler(request, context);
  });
}

function isJsonContentType(value: string | null): boolean {
  return value !== null && /^application\/json\s*(;|$)/i.test(value.trim());
}

async function readText(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

function unsupportedMediaType(): LabError {
  return new LabError("unsupported_media_type", "The body must be JSON, sent with Content-Type: application/json");
}

function tooLarge(maxBytes: number): LabError {
  return new LabError("body_too_large", `The body must be at most ${maxBytes} bytes`);
}

/**
 * Read a JSON body and parse it with `schema`: 415 unless it is `application/json`, 413 beyond
 * `maxBytes` (16 KiB unless said), 400 for malformed JSON or a body the schema refuses (naming the
 * field). With `optional`, an absent body stands for `{}`.
 */
export async function readBody<Schema extends z.ZodType>(
  request: Request,
  schema: Schema,
  { optional = false, maxBytes = MAX_BODY_BYTES }: { optional?: boolean; maxBytes?: number } = {},
): Promise<z.infer<Schema>> {
  const contentType = request.headers.get("content-type");
  const isJson = isJsonContentType(contentType);
  // Only an optional body may come without a content type, and then only when it is empty.
  if (!isJson && !(optional && contentType === null)) throw unsupportedMediaType();
  const text = await readText(request, maxBytes);
  if (!isJson && text.length > 0) throw unsupportedMediaType();
  let value: unknown = {};
  if (text.trim().length > 0) {
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new LabError("invalid_json", `The body is not valid JSON: ${(error as Error).message}`);
    }
  } else if (!optional) {
    throw new LabError("invalid_body", "The body must be a JSON object");
  }
  const parsed = schema.safeParse(value, { reportInput: true });
  if (!parsed.success) {
    const problem = firstProblem(parsed.error);
    throw new LabError("invalid_body", problem.message, problem.field);
  }
  return parsed.data;
}

/**
 * Parse the query string with `schema`: 400 `invalid_query` naming the parameter for an unknown
 * parameter, a repeated one or a value the schema refuses.
 */
export function readQuery<Schema extends z.ZodType>(request: Request, schema: Schema): z.infer<Schema> {
  const params = new URL(request.url).searchParams;
  const query: Record<string, string> = {};
  for (const [key, value] of params) {
    if (key in query) throw new LabError("invalid_query", `${key} must be given at most once`, key);
    query[key] = value;
  }
  const parsed = schema.safeParse(query, { reportInput: true });
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    if (issue?.code === "unrecognized_keys") throw new LabError("invalid_query", `Unknown query parameter "${issue.keys[0]}"`, issue.keys[0]);
    const problem = firstProblem(parsed.error);
    throw new LabError("invalid_query", problem.message, problem.field);
  }
  return parsed.data;
}

/** The `name` of a dynamic route segment. */
export async function nameOf(context: { params: Promise<{ name: string }> }): Promise<string> {
  return (await context.params).name;
}
