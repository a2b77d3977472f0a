/** What one HTTP call to a mock endpoint came back with: the transport succeeded, with a status. */
export interface HttpResult {
  status: number;
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
    // Reading the body to its end frees the keep-alive connection and notices a dropped one.
    await response.arrayBuffer();
    return { status: response.status };
  };
}

/** A server error (5xx) is a failure; anything else, a 4xx included, is a working transport. */
export function isHttpFailure(result: unknown): boolean {
  return typeof result === "object" && result !== null && "status" in result && (result as HttpResult).status >= 500;
}
