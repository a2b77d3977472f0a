import { describe, expect, expectTypeOf, it } from "vitest";
import { variants, type Selection } from "./variants";

const chip = variants({
  base: "inline-flex rounded",
  variants: {
    tone: { plain: "bg-white text-slate-900", loud: "bg-red-700 text-white" },
    size: { sm: "px-1 text-xs", md: "px-2 text-sm" },
    framed: { true: "border", false: "border-0" },
  },
  defaults: { tone: "plain", size: "md", framed: true },
});

describe("variants", () => {
  it("emits the base and every dimension's default when nothing is chosen", () => {
    expect(chip()).toBe("inline-flex rounded bg-white text-slate-900 px-2 text-sm border");
  });

  it("replaces a dimension's default by the choice instead of adding to it", () => {
    const classes = chip({ size: "sm", tone: "loud" }).split(" ");
    expect(classes).toEqual(["inline-flex", "rounded", "bg-red-700", "text-white", "px-1", "text-xs", "border"]);
    expect(classes).not.toContain("px-2");
    expect(classes).not.toContain("bg-white");
  });

  it("takes booleans for true/false choices, false included", () => {
    expect(chip({ framed: false })).toContain("border-0");
    expect(chip({ framed: false }).split(" ")).not.toContain("border");
    expect(chip({ framed: "true" })).toBe(chip());
  });

  it("appends the layout classes last and normalises white space", () => {
    const spaced = variants({ base: "  a\n  b ", variants: { size: { one: " c  d " } }, defaults: { size: "one" } });
    expect(spaced({ className: " mt-1  w-full " })).toBe("a b c d mt-1 w-full");
  });

  it("keeps its configuration for callers that enumerate the choices", () => {
    expect(Object.keys(chip.config.variants)).toEqual(["tone", "size", "framed"]);
    expect(chip.config.defaults.size).toBe("md");
  });

  it("types the choices by their names", () => {
    expectTypeOf<Selection<typeof chip.config.variants>["size"]>().toEqualTypeOf<"sm" | "md" | undefined>();
    expectTypeOf<Selection<typeof chip.config.variants>["framed"]>().toEqualTypeOf<"true" | "false" | boolean | undefined>();
    // @ts-expect-error: "xl" is no size of this recipe
    chip({ size: "xl" });
    // @ts-expect-error: a dimension the recipe does not have
    chip({ weight: "bold" });
    // @ts-expect-error: every dimension needs a default
    variants({ base: "", variants: { size: { sm: "" } }, defaults: {} });
  });
});
