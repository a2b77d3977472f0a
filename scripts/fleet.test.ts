import { describe, expect, it } from "vitest";
import { FleetArgsError, parseFleetArgs } from "./fleet";

function refusal(argv: string[]): string {
  try {
    parseFleetArgs(argv);
  } catch (error) {
    if (error instanceof FleetArgsError) return error.message;
    throw error;
  }
  throw new Error(`${JSON.stringify(argv)} was accepted`);
}

describe("parseFleetArgs", () => {
  it("defaults to three instances from port 3001 and no Redis URL", () => {
    expect(parseFleetArgs([])).toEqual({ instances: 3, redisUrl: undefined, basePort: 3001 });
  });

  it("takes each flag with its value separate or after =", () => {
    expect(parseFleetArgs(["--instances", "9", "--base-port=4000", "--redis-url", "redis://127.0.0.1:6390"])).toEqual({
      instances: 9,
      redisUrl: "redis://127.0.0.1:6390",
      basePort: 4000,
    });
    expect(parseFleetArgs(["--instances=1", "--redis-url=rediss://user:secret@cache.example:6380/2"])).toMatchObject({
      instances: 1,
      redisUrl: "rediss://user:secret@cache.example:6380/2",
    });
  });

  it("names an unknown flag", () => {
    expect(refusal(["--instance", "2"])).toBe("unknown flag --instance");
    expect(refusal(["-n", "2"])).toBe("unknown flag -n");
  });

  it("refuses a flag without its value, and a bare argument", () => {
    expect(refusal(["--instances"])).toBe("--instances needs a value");
    expect(refusal(["--instances", "--base-port", "4000"])).toBe("--instances needs a value");
    expect(refusal(["--base-port", "-i", "2"])).toBe("--base-port needs a value");
    expect(refusal(["3"])).toMatch(/^unexpected argument "3"/);
  });

  it.each([["0"], ["10"], ["2.5"], ["-1"], ["three"], [""], ["1e1"], [" 3"]])("refuses --instances %j with the range it accepts", (value) => {
    expect(refusal(["--instances", value])).toBe(`--instances must be an integer from 1 to 9, got ${JSON.stringify(value)}`);
  });

  it("keeps every instance's port within range", () => {
    expect(parseFleetArgs(["--instances", "2", "--base-port", "65534"]).basePort).toBe(65534);
    expect(refusal(["--instances", "2", "--base-port", "65535"])).toBe('--base-port must be an integer from 1 to 65534, got "65535"');
    expect(refusal(["--base-port", "0"])).toBe('--base-port must be an integer from 1 to 65533, got "0"');
    expect(refusal(["--base-port", "30o1"])).toMatch(/^--base-port must be an integer/);
  });

  it.each([["127.0.0.1:6379"], ["http://127.0.0.1:6379"], ["redis//x"]])("refuses --redis-url %j that is not a redis URL", (value) => {
    expect(refusal(["--redis-url", value])).toBe(`--redis-url must be a redis:// or rediss:// URL, got ${JSON.stringify(value)}`);
  });
});
