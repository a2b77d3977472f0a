import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

/**
 * What one HTTP call to a mock endpoint came back with: the transport succeeded, with a status;
 * `malformed` when a 2xx answer's body was not JSON.
 */
export interface HttpResult {
  status: number;
  malformed?: true;
}

/** Makes the protected call of a lab breaker: one request to a mock endpoint of this lab. */
export type EndpointCaller = (endpoint: string, signal: AbortSignal) => Promise<HttpResult>;

/**
 * The origin the caller reaches: `LAB_ORIGIN` when set, else this server on loopback. Never
 * derived from a request (Host, X-Forwarded-*, the URL), which a client could forge to turn the
 * lab into a proxy to anywhere.
 */
export function labOrigin(env: Record<string, string | undefined> = process.env): string {
  return env.LAB_ORIGIN?.replace(/\/+$/, "") || `http://127.0.0.1:${env.PORT || "3000"}`;
}

// Calls to the mock reuse a pool of kept-alive connections. Node's own http client instead of
// fetch: under load each fetch cost the lab measurably more (undici's web streams and abort
// wiring, and Next.js's instrumentation of the global fetch) for a request that never needs them.
const MAX_SOCKETS = 256;

/**
 * An EndpointCaller over real HTTP: `POST {origin}/api/mock/{endpoint}`, the body read to its end.
 * The endpoint name has been checked against the registry and the name pattern before it gets
 * here; `encodeURIComponent` keeps the path fixed regardless. Redirects are never followed.
 *
 * @throws TypeError for an origin that is not an http(s) URL.
 */
export function httpCaller(origin: string): EndpointCaller {
  const url = new URL(origin);
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError(`The lab's origin must be an http or https URL, got ${origin}`);
  const secure = url.protocol === "https:";
  const agent = secure ? new HttpsAgent({ keepAlive: true, maxSockets: MAX_SOCKETS }) : new HttpAgent({ keepAlive: true, maxSockets: MAX_SOCKETS });
  const send = secure ? httpsRequest : httpRequest;
  return (endpoint, signal) =>
    new Promise<HttpResult>((resolve, reject) => {
      const request = send(`${origin}/api/mock/${encodeURIComponent(endpoint)}`, { method: "POST", agent, signal, headers: { "content-length": "0" } }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        // Reading the body to its end frees the kept-alive connection, notices a dropped one, and
        // keeps a trickling body inside the breaker's timeout.
        response.on("end", () => {
          const status = response.statusCode ?? 0;
          const ok = status >= 200 && status < 300;
          resolve(ok && !isJson(Buffer.concat(chunks).toString("utf8")) ? { status, malformed: true } : { status });
        });
        response.on("aborted", () => reject(new Error(`The connection to the ${endpoint} endpoint closed before the body ended`)));
        response.on("error", reject);
      });
      request.on("error", reject);
      request.end();
    });
}

/** Whether `text` parses as JSON: a body that does not is malformed. */
export function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * A server error (5xx) or a body that is not JSON is a failure; anything else, a 4xx included, is
 * a working transport.
 */
export function isHttpFailure(result: unknown): boolean {
  if (typeof result !== "object" || result === null || !("status" in result)) return false;
  const { status, malformed } = result as HttpResult;
  return status >= 500 || malformed === true;
}

/** The error text of a failed HTTP result, as the calls route reports it. */
export function describeHttpFailure(result: HttpResult): string {
  return result.malformed ? `HTTP ${result.status} with a body that is not JSON` : `HTTP ${result.status}`;
}
