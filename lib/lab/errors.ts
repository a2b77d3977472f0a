import type { ApiErrorBody } from "@/lib/api/types";

/** A request the lab refuses, with the HTTP status and the stable code that say why. */
export class LabError extends Error {
  override readonly name = "LabError";

  constructor(
    readonly status: 400 | 401 | 404 | 409 | 413 | 415 | 422,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }

  toBody(): ApiErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.field === undefined ? {} : { field: this.field }) } };
  }
}

export function notFound(kind: "breaker" | "endpoint", name: string): LabError {
  return new LabError(404, `${kind}_not_found`, `No ${kind} named "${name}"`);
}
