import type { SerializedError, WireBreakerEvent } from "@/lib/api/types";
import type { BreakerEvent } from "@/lib/breaker";
import { isHttpFailure, type HttpResult } from "./caller";

/** An error as JSON can carry it; a failing HTTP result becomes `{ name: "HttpStatus", message: "503" }`. */
export function serializeError(error: unknown): SerializedError {
  if (isHttpFailure(error)) return { name: "HttpStatus", message: String((error as HttpResult).status) };
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
