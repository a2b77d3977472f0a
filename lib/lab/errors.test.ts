import { describe, expect, it } from "vitest";
import { isLabError, LabError, notFound } from "./errors";

describe("LabError", () => {
  it("renders the API's error body, with the field only when there is one", () => {
    expect(new LabError(400, "invalid_body", "count must be…", "count").toBody()).toEqual({
      error: { code: "invalid_body", message: "count must be…", field: "count" },
    });
    expect(notFound("breaker", "nope").toBody()).toEqual({ error: { code: "breaker_not_found", message: 'No breaker named "nope"' } });
    expect(notFound("endpoint", "nope").status).toBe(404);
  });

  it("is recognised across module copies by its registered brand, not by instanceof", () => {
    const fromAnotherCopy = Object.assign(new Error("x"), { [Symbol.for("breaker-lab.LabError")]: true, status: 400 });
    expect(isLabError(new LabError(409, "duplicate_name", "x"))).toBe(true);
    expect(isLabError(fromAnotherCopy)).toBe(true);
    expect(isLabError(new Error("plain"))).toBe(false);
    expect(isLabError(null)).toBe(false);
    expect(isLabError("LabError")).toBe(false);
  });
});
