import { LAB_ERROR_STATUS, type LabErrorCode, type LabErrorStatus } from "@/lib/api/errors";
import type { ApiErrorBody } from "@/lib/api/types";

// Next.js may evaluate this module more than once (the page and each route handler get their
// own copies), and the one hub throws the LabError of whichever copy created it; instanceof
// against another copy fails. A registered symbol marks a LabError across copies.
const LAB_ERROR = Symbol.for("breaker-lab.LabError");

/** A request the lab refuses, with the stable code that says why; the code fixes the HTTP status. */
export class LabError extends Error {
  override readonly name = "LabError";
  readonly [LAB_ERROR] = true;
  readonly status: LabErrorStatus;

  constructor(
    readonly code: LabErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.status = LAB_ERROR_STATUS[code];
  }

  toBody(): ApiErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.field === undefined ? {} : { field: this.field }) } };
  }
}

/** Whether `error` is a LabError from any copy of this module. */
export function isLabError(error: unknown): error is LabError {
  return typeof error === "object" && error !== null && (error as { [LAB_ERROR]?: unknown })[LAB_ERROR] === true;
}

export function notFound(kind: "breaker" | "endpoint" | "scenario", name: string): LabError {
  return new LabError(`${kind}_not_found`, `No ${kind} named "${name}"`);
}
