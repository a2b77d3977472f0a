import type { SerializedError, WireBreakerEvent } from "@/lib/api/types";
import type { BreakerEvent } from "@/lib/breaker";
import { isHttpFailure, type HttpResult } from "./caller";

/**
 * An error as JSON can carry it; a failing HTTP result becomes `{ name: "HttpStatus", message:
 * "503" }`, or `{ name: "MalformedBody", message: "200" }` when its body was not JSON.
 */
export function serializeError(error: unknown): SerializedError {
  if (isHttpFailure(error)) {
    const { status, malformed } = error as HttpResult;
    return { name: malformed ? "MalformedBody" : "HttpStatus", message: String(status) };
  }
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
    return { name: error.name, message: `${error.message}${cause}` };
  }
  return { name: "Error", message: String(error) };
}

/** A breaker event ready for JSON. */
export function toWireEvent(event: BreakerEvent): WireBreakerEvent {
  return "error" in event ? { ...event, error: serializeError(event.error) } : event;
}
