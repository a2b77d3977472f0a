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

/**
 * An EndpointCaller over real HTTP. The endpoint name has been checked against the registry and
 * the name pattern before it gets here; `encodeURIComponent` keeps the path fixed regardless.
 */
export function httpCaller(origin: string): EndpointCaller {
  return async (endpoint, signal) => {
    const response = await fetch(`${origin}/api/mock/${encodeURIComponent(endpoint)}`, {
      method: "POST",
      signal,
      cache: "no-store",
      redirect: "manual",
    });
    // Reading the body to its end frees the keep-alive connection, notices a dropped one, and
    // keeps a trickling body inside the breaker's timeout.
    const body = await response.text();
    if (response.ok && !isJson(body)) return { status: response.status, malformed: true };
    return { status: response.status };
  };
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
