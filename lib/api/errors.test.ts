import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LAB_ERROR_STATUS } from "./errors";

describe("the lab's error codes", () => {
  it("are listed in README.md with the status each is sent with", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const documented: Record<string, number> = {};
    for (const [, status, codes] of readme.matchAll(/^\| (\d{3}) \| (`[a-z_]+`(?:, `[a-z_]+`)*) \|$/gm)) {
      for (const [, code] of codes!.matchAll(/`([a-z_]+)`/g)) documented[code!] = Number(status);
    }
    expect(documented).toEqual(LAB_ERROR_STATUS);
  });
});
