import { describe, expect, it } from "vitest";
import * as viaAlias from "@/lib/breaker";
import * as source from "./index";

// lib/breaker/package.json points at dist/; the lab and the tests must never run a stale build.
describe("@/lib/breaker", () => {
  it("resolves to the source, lib/breaker/index.ts, even when dist/ exists", () => {
    expect(viaAlias.CircuitBreaker).toBe(source.CircuitBreaker);
    expect(viaAlias.BreakerRegistry).toBe(source.BreakerRegistry);
  });
});
