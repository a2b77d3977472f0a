import { describe, expect, it } from "vitest";
import { CallTimeoutError, type BreakerEvent } from "@/lib/breaker";
import { serializeError, toWireEvent } from "./wire";

describe("serializeError", () => {
  it("keeps an Error's name and message", () => {
    expect(serializeError(new TypeError("fetch failed"))).toEqual({ name: "TypeError", message: "fetch failed" });
    expect(serializeError(new CallTimeoutError("search", 2_000))).toEqual({
      name: "CallTimeoutError",
      message: 'Call through circuit breaker "search" timed out after 2000 ms',
    });
  });

  it("appends the message of an Error cause", () => {
    const error = new TypeError("fetch failed", { cause: new Error("read ECONNRESET") });
    expect(serializeError(error)).toEqual({ name: "TypeError", message: "fetch failed (read ECONNRESET)" });
  });

  it("ignores a cause that is not an Error", () => {
    expect(serializeError(new Error("x", { cause: "why" }))).toEqual({ name: "Error", message: "x" });
  });

  it("turns a failing HTTP result into HttpStatus", () => {
    expect(serializeError({ status: 503 })).toEqual({ name: "HttpStatus", message: "503" });
    expect(serializeError({ status: 500 })).toEqual({ name: "HttpStatus", message: "500" });
  });

  it("turns other values into a plain Error", () => {
    expect(serializeError("boom")).toEqual({ name: "Error", message: "boom" });
    expect(serializeError(42)).toEqual({ name: "Error", message: "42" });
    expect(serializeError(undefined)).toEqual({ name: "Error", message: "undefined" });
    expect(serializeError(null)).toEqual({ name: "Error", message: "null" });
    expect(serializeError({ status: 404 })).toEqual({ name: "Error", message: "[object Object]" });
  });

  it("keeps a DOMException's name (an abort)", () => {
    expect(serializeError(new DOMException("client went away", "AbortError"))).toEqual({ name: "AbortError", message: "client went away" });
  });
});

describe("toWireEvent", () => {
  it("leaves events without an error as they are", () => {
    const events: BreakerEvent[] = [
      { type: "state", breaker: "a", at: 1, from: "CLOSED", to: "OPEN", reason: "failure-threshold" },
      { type: "success", breaker: "a", at: 1.5, durationMs: 3, slow: false },
      { type: "rejected", breaker: "a", at: 2, state: "OPEN" },
    ];
    for (const event of events) expect(toWireEvent(event)).toEqual(event);
  });

  it("serialises the error of failure and ignored events, leaving the other fields", () => {
    expect(toWireEvent({ type: "failure", breaker: "a", at: 1, durationMs: 2, error: { status: 503 }, timeout: false })).toEqual({
      type: "failure",
      breaker: "a",
      at: 1,
      durationMs: 2,
      error: { name: "HttpStatus", message: "503" },
      timeout: false,
    });
    expect(toWireEvent({ type: "ignored", breaker: "a", at: 1, durationMs: 2, error: new Error("gone") })).toEqual({
      type: "ignored",
      breaker: "a",
      at: 1,
      durationMs: 2,
      error: { name: "Error", message: "gone" },
    });
  });

  it("survives JSON", () => {
    const wire = toWireEvent({ type: "failure", breaker: "a", at: 1, durationMs: 2, error: new TypeError("x"), timeout: true });
    expect(JSON.parse(JSON.stringify(wire))).toEqual(wire);
  });
});
