import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { firstProblem, type FieldProblem } from "./issues";
import { endpointPatchSchema, fireCallsSchema, playbackSchema, scenarioSchema } from "./schemas";

/** What the routes and the dashboard do with a body: parse it, reporting the input, and name the first problem. */
function problemOf(schema: z.ZodType, input: unknown): FieldProblem | "ok" {
  const parsed = schema.safeParse(input, { reportInput: true });
  return parsed.success ? "ok" : firstProblem(parsed.error);
}

const phase = { forMs: 1_000, endpoints: { payments: { failureRate: 1 } } };
const good = { name: "outage", phases: [phase] };
const FAULTS = '"status", "reset", "hang", "slow-body", "malformed"';

describe("scenarioSchema accepts", () => {
  it("a minimal scenario, unchanged", () => {
    expect(scenarioSchema.parse(good)).toEqual(good);
  });

  it("every optional field at its limits", () => {
    const full = {
      name: "a".repeat(40),
      description: "d".repeat(500),
      seed: -42,
      loop: true,
      phases: [
        { label: "l".repeat(80), forMs: 100, endpoints: {} },
        {
          forMs: 3_600_000,
          endpoints: {
            "pay-0": {
              failureRate: 0.5,
              errorStatus: 599,
              latencyMs: 60_000,
              jitterMs: 0,
              fault: "slow-body",
              capacity: 10_000,
              retryAfterS: 3_600,
            },
            inventory: { fault: "malformed", capacity: null, retryAfterS: null },
          },
        },
      ],
    };
    expect(scenarioSchema.parse(full)).toEqual(full);
  });

  it("fractional forMs, and exactly 100 phases", () => {
    expect(problemOf(scenarioSchema, { ...good, phases: [{ forMs: 100.5, endpoints: {} }] })).toBe("ok");
    expect(problemOf(scenarioSchema, { ...good, phases: Array.from({ length: 100 }, () => phase) })).toBe("ok");
  });
});

describe("scenarioSchema refuses, naming the field", () => {
  it.each([
    ["forMs below 100 in phase 2", { ...good, phases: [phase, phase, { forMs: 99, endpoints: {} }] }, "phases.2.forMs", "phases.2.forMs must be a number from 100 to 3600000 ms, got 99"],
    ["forMs above an hour", { ...good, phases: [{ forMs: 3_600_001, endpoints: {} }] }, "phases.0.forMs", "phases.0.forMs must be a number from 100 to 3600000 ms, got 3600001"],
    ["forMs missing", { ...good, phases: [{ endpoints: {} }] }, "phases.0.forMs", "phases.0.forMs must be a number from 100 to 3600000 ms, got undefined"],
    ["forMs as a string", { ...good, phases: [{ forMs: "100", endpoints: {} }] }, "phases.0.forMs", 'phases.0.forMs must be a number from 100 to 3600000 ms, got "100"'],
    ["no phases", { ...good, phases: [] }, "phases", "phases must hold 1 to 100 phases, got an array"],
    ["101 phases", { ...good, phases: Array.from({ length: 101 }, () => phase) }, "phases", "phases must hold 1 to 100 phases, got an array"],
    ["phases not an array", { ...good, phases: { 0: phase } }, "phases", "phases must be an array of 1 to 100 phases, got an object"],
    ["phases missing", { name: "x" }, "phases", "phases must be an array of 1 to 100 phases, got undefined"],
    ["endpoints missing", { ...good, phases: [{ forMs: 100 }] }, "phases.0.endpoints", "phases.0.endpoints must be an object of endpoint name → fault-model patch, got undefined"],
    ["endpoints an array", { ...good, phases: [{ forMs: 100, endpoints: [] }] }, "phases.0.endpoints", "phases.0.endpoints must be an object of endpoint name → fault-model patch, got an array"],
    ["an endpoint name off the pattern", { ...good, phases: [{ forMs: 100, endpoints: { Bad: {} } }] }, "phases.0.endpoints.Bad", 'phases.0.endpoints.Bad: the key "Bad" must be 1-40 characters a-z, 0-9 or -'],
    ["an endpoint name too long", { ...good, phases: [phase, { forMs: 100, endpoints: { ["e".repeat(41)]: {} } }] }, `phases.1.endpoints.${"e".repeat(41)}`, `phases.1.endpoints.${"e".repeat(41)}: the key "${"e".repeat(41)}" must be 1-40 characters a-z, 0-9 or -`],
    ["an unknown fault kind", { ...good, phases: [{ forMs: 100, endpoints: { a: { fault: "boom" } } }] }, "phases.0.endpoints.a.fault", `phases.0.endpoints.a.fault must be one of ${FAULTS}, got "boom"`],
    ["a failure rate above 1", { ...good, phases: [{ forMs: 100, endpoints: { a: { failureRate: 1.5 } } }] }, "phases.0.endpoints.a.failureRate", "phases.0.endpoints.a.failureRate must be a number from 0 to 1, got 1.5"],
    ["capacity 0", { ...good, phases: [{ forMs: 100, endpoints: { a: { capacity: 0 } } }] }, "phases.0.endpoints.a.capacity", "phases.0.endpoints.a.capacity must be an integer from 1 to 10000, got 0"],
    ["a patch that is not an object", { ...good, phases: [{ forMs: 100, endpoints: { a: 1 } }] }, "phases.0.endpoints.a", undefined],
    ["an unknown key at the top", { ...good, extra: 1 }, "extra", 'Unknown field "extra"'],
    ["an unknown key in a phase", { ...good, phases: [phase, { ...phase, until: 5 }] }, "phases.1.until", 'Unknown field "phases.1.until"'],
    ["an unknown key in a patch", { ...good, phases: [{ forMs: 100, endpoints: { a: { name: "b" } } }] }, "phases.0.endpoints.a.name", 'Unknown field "phases.0.endpoints.a.name"'],
    ["a fractional seed", { ...good, seed: 1.5 }, "seed", "seed must be an integer, got 1.5"],
    ["a seed as a string", { ...good, seed: "7" }, "seed", 'seed must be an integer, got "7"'],
    ["a seed beyond the safe integers", { ...good, seed: 2 ** 60 }, "seed", `seed must be an integer, got ${2 ** 60}`],
    ["loop not a boolean", { ...good, loop: "yes" }, "loop", 'loop must be true or false, got "yes"'],
    ["a name with capitals and a space", { ...good, name: "Bad Name" }, "name", 'name must be 1-40 characters a-z, 0-9 or -, got "Bad Name"'],
    ["a name of 41 characters", { ...good, name: "n".repeat(41) }, "name", `name must be 1-40 characters a-z, 0-9 or -, got "${"n".repeat(41)}"`],
    ["an empty name", { ...good, name: "" }, "name", 'name must be 1-40 characters a-z, 0-9 or -, got ""'],
    ["a name as a number", { ...good, name: 5 }, "name", "name must be a string of 1-40 characters a-z, 0-9 or -, got 5"],
    ["no name", { phases: [phase] }, "name", "name must be a string of 1-40 characters a-z, 0-9 or -, got undefined"],
    ["a label over 80 characters", { ...good, phases: [{ ...phase, label: "l".repeat(81) }] }, "phases.0.label", undefined],
    ["a description over 500 characters", { ...good, description: "d".repeat(501) }, "description", undefined],
  ])("%s", (_what, input, field, message) => {
    const problem = problemOf(scenarioSchema, input);
    expect(problem).not.toBe("ok");
    expect((problem as FieldProblem).field).toBe(field);
    if (message !== undefined) expect((problem as FieldProblem).message).toBe(message);
    else expect((problem as FieldProblem).message.startsWith(`${field} `)).toBe(true);
  });

  it("a body that is not an object, without a field", () => {
    expect(problemOf(scenarioSchema, null)).toEqual({ message: "The body must be a JSON object, got null" });
    expect(problemOf(scenarioSchema, [good])).toEqual({ message: "The body must be a JSON object, got an array" });
    expect(problemOf(scenarioSchema, "outage")).toEqual({ message: 'The body must be a JSON object, got "outage"' });
  });
});

describe("playbackSchema", () => {
  it("accepts a name or an inline scenario", () => {
    expect(playbackSchema.parse({ scenario: "flapping" })).toEqual({ scenario: "flapping" });
    expect(playbackSchema.parse({ scenario: "recording" })).toEqual({ scenario: "recording" });
    expect(playbackSchema.parse({ scenario: good })).toEqual({ scenario: good });
  });

  it.each([
    ["a number", { scenario: 5 }, "scenario", "scenario must be a scenario's name or a scenario object, got 5"],
    ["null", { scenario: null }, "scenario", "scenario must be a scenario's name or a scenario object, got null"],
    ["missing", {}, "scenario", "scenario must be a scenario's name or a scenario object, got undefined"],
    ["a bad name", { scenario: "Bad Name" }, "scenario", 'scenario must be 1-40 characters a-z, 0-9 or -, got "Bad Name"'],
    ["an inline one with a short phase", { scenario: { ...good, phases: [phase, phase, { forMs: 50, endpoints: {} }] } }, "scenario.phases.2.forMs", "scenario.phases.2.forMs must be a number from 100 to 3600000 ms, got 50"],
    ["an inline one with a bad endpoint name", { scenario: { ...good, phases: [{ forMs: 100, endpoints: { Bad: {} } }] } }, "scenario.phases.0.endpoints.Bad", 'scenario.phases.0.endpoints.Bad: the key "Bad" must be 1-40 characters a-z, 0-9 or -'],
    ["an inline one with an unknown fault", { scenario: { ...good, phases: [{ forMs: 100, endpoints: { a: { fault: "boom" } } }] } }, "scenario.phases.0.endpoints.a.fault", `scenario.phases.0.endpoints.a.fault must be one of ${FAULTS}, got "boom"`],
    ["an inline one with an unknown key", { scenario: { ...good, extra: true } }, "scenario.extra", 'Unknown field "scenario.extra"'],
    ["an inline one without a name", { scenario: { phases: [phase] } }, "scenario.name", "scenario.name must be a string of 1-40 characters a-z, 0-9 or -, got undefined"],
    ["an inline one with no phases", { scenario: { ...good, phases: [] } }, "scenario.phases", "scenario.phases must hold 1 to 100 phases, got an array"],
    ["an unknown key beside it", { scenario: "flapping", at: 0 }, "at", 'Unknown field "at"'],
  ])("refuses %s", (_what, input, field, message) => {
    expect(problemOf(playbackSchema, input)).toEqual({ field, message });
  });
});

describe("endpointPatchSchema: capacity, retryAfterS and the new fault kinds", () => {
  it("accepts integers at the limits, and null to clear", () => {
    for (const patch of [{ capacity: 1 }, { capacity: 10_000 }, { retryAfterS: 0 }, { retryAfterS: 3_600 }, { capacity: null, retryAfterS: null }]) {
      expect(endpointPatchSchema.parse(patch)).toEqual(patch);
    }
  });

  it("accepts slow-body and malformed", () => {
    expect(endpointPatchSchema.parse({ fault: "slow-body" })).toEqual({ fault: "slow-body" });
    expect(endpointPatchSchema.parse({ fault: "malformed" })).toEqual({ fault: "malformed" });
  });

  it.each([
    [{ capacity: 0 }, "capacity", "capacity must be an integer from 1 to 10000, got 0"],
    [{ capacity: 10_001 }, "capacity", "capacity must be an integer from 1 to 10000, got 10001"],
    [{ capacity: 2.5 }, "capacity", "capacity must be an integer from 1 to 10000, got 2.5"],
    [{ capacity: "8" }, "capacity", 'capacity must be an integer from 1 to 10000, got "8"'],
    [{ retryAfterS: -1 }, "retryAfterS", "retryAfterS must be an integer from 0 to 3600, got -1"],
    [{ retryAfterS: 3_601 }, "retryAfterS", "retryAfterS must be an integer from 0 to 3600, got 3601"],
    [{ retryAfterS: 0.5 }, "retryAfterS", "retryAfterS must be an integer from 0 to 3600, got 0.5"],
    [{ fault: "overload" }, "fault", `fault must be one of ${FAULTS}, got "overload"`],
  ])("refuses %j", (input, field, message) => {
    expect(problemOf(endpointPatchSchema, input)).toEqual({ field, message });
  });
});

describe("fireCallsSchema: retries and retryDelayMs", () => {
  it("accepts them at their limits, with the others", () => {
    for (const body of [{ retries: 0 }, { retries: 5, retryDelayMs: 10_000 }, { retryDelayMs: 0 }, { retryDelayMs: 12.5 }, { count: 3, concurrency: 2, retries: 2, retryDelayMs: 100 }]) {
      expect(fireCallsSchema.parse(body)).toEqual(body);
    }
  });

  it.each([
    [{ retries: 6 }, "retries", "retries must be an integer from 0 to 5, got 6"],
    [{ retries: -1 }, "retries", "retries must be an integer from 0 to 5, got -1"],
    [{ retries: 1.5 }, "retries", "retries must be an integer from 0 to 5, got 1.5"],
    [{ retries: true }, "retries", "retries must be an integer from 0 to 5, got true"],
    [{ retryDelayMs: -1 }, "retryDelayMs", "retryDelayMs must be a number from 0 to 10000 ms, got -1"],
    [{ retryDelayMs: 10_001 }, "retryDelayMs", "retryDelayMs must be a number from 0 to 10000 ms, got 10001"],
    [{ retryDelayMs: "100" }, "retryDelayMs", 'retryDelayMs must be a number from 0 to 10000 ms, got "100"'],
    [{ retries: 1, backoff: 2 }, "backoff", 'Unknown field "backoff"'],
  ])("refuses %j", (input, field, message) => {
    expect(problemOf(fireCallsSchema, input)).toEqual({ field, message });
  });
});
