import { describe, expect, it } from "vitest";
import { isLabError, LabError, notFound } from "./errors";

describe("LabError", () => {
  it("renders the API's error body, with the field only when there is one", () => {
    expect(new LabError("invalid_body", "count must be…", "count").toBody()).toEqual({
      error: { code: "invalid_body", message: "count must be…", field: "count" },
    });
    expect(notFound("breaker", "nope").toBody()).toEqual({ error: { code: "breaker_not_found", message: 'No breaker named "nope"' } });
    expect(notFound("endpoint", "nope").status).toBe(404);
  });

  it("answers with the status its code stands for", () => {
    expect(new LabError("duplicate_name", "taken").status).toBe(409);
    expect(new LabError("busy", "full").status).toBe(429);
    expect(new LabError("invalid_options", "bad").status).toBe(400);
    expect(new LabError("unsupported_media_type", "json only").status).toBe(415);
  });

  it("is recognised across module copies by its registered brand, not by instanceof", () => {
    const fromAnotherCopy = Object.assign(new Error("x"), { [Symbol.for("breaker-lab.LabError")]: true, status: 400 });
    expect(isLabError(new LabError("duplicate_name", "x"))).toBe(true);
    expect(isLabError(fromAnotherCopy)).toBe(true);
    expect(isLabError(new Error("plain"))).toBe(false);
    expect(isLabError(null)).toBe(false);
    expect(isLabError("LabError")).toBe(false);
  });
});
