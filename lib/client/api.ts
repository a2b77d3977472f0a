import type { ApiErrorBody } from "@/lib/api/types";

/** Why a request failed: a code of the lab's API, or what the browser saw when there was no such answer. */
export type ApiFailureCode = ApiErrorBody["error"]["code"] | "unreachable" | "http_error";

const TOKEN_KEY = "breaker-lab.token";

/** The lab token the user typed in, kept for this browser session only. */
export const labToken = {
  get(): string | null {
    return typeof sessionStorage === "undefined" ? null : sessionStorage.getItem(TOKEN_KEY);
  },
  set(token: string): void {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  clear(): void {
    sessionStorage.removeItem(TOKEN_KEY);
  },
};

/** A refusal of the lab's API, with the field it names when there is one. */
export class ApiRequestError extends Error {
  override readonly name = "ApiRequestError";

  constructor(
    readonly status: number,
    readonly code: ApiFailureCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Listeners told when the API asks for a token (401), so the page can ask the user once. */
const tokenRequests = new Set<() => void>();

export function onTokenRequired(listener: () => void): () => void {
  tokenRequests.add(listener);
  return () => tokenRequests.delete(listener);
}

/** Call the lab's API with JSON; resolves the parsed answer or rejects with an ApiRequestError. */
export async function apiRequest<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  const token = labToken.get();
  if (token) headers.Authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(path, {
      method: init.method ?? "GET",
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      cache: "no-store",
    });
  } catch {
    throw new ApiRequestError(0, "unreachable", "The lab server is unreachable");
  }
  if (response.status === 204) return undefined as T;
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (body as ApiErrorBody | null)?.error;
    if (response.status === 401) for (const listener of tokenRequests) listener();
    throw new ApiRequestError(response.status, error?.code ?? "http_error", error?.message ?? `HTTP ${response.status}`, error?.field);
  }
  return body as T;
}
