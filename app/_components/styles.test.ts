import { describe, expect, it } from "vitest";
import type { Recipe, VariantSpec } from "@/lib/client/variants";
import { button, callout, DISCLOSURE_SUMMARY, formControl, note, stateBadge } from "./styles";

const SIDES: Record<string, string[]> = { "": ["t", "r", "b", "l"], x: ["r", "l"], y: ["t", "b"], t: ["t"], r: ["r"], b: ["b"], l: ["l"] };

/** The CSS properties a Tailwind utility (without its modifiers) sets, as far as these recipes use them. */
function propertiesOf(utility: string): string[] {
  const spacing = /^(p|m)([xytrbl]?)-/.exec(utility);
  if (spacing) return SIDES[spacing[2]!]!.map((side) => `${spacing[1]}${side}`);
  if (/^text-(xs|sm|base|lg|\d?xl)$/.test(utility)) return ["font-size"];
  if (/^text-(left|center|right)$/.test(utility)) return ["text-align"];
  if (utility.startsWith("text-")) return ["color"];
  if (/^border(-\d+)?$/.test(utility)) return ["border-width"];
  if (utility.startsWith("border-")) return ["border-color"];
  if (utility.startsWith("bg-")) return ["background-color"];
  if (/^rounded(-|$)/.test(utility)) return ["border-radius"];
  if (/^font-(normal|medium|semibold|bold)$/.test(utility)) return ["font-weight"];
  if (/^(block|inline|inline-block|flex|inline-flex|grid|hidden)$/.test(utility)) return ["display"];
  if (/^outline-offset-/.test(utility)) return ["outline-offset"];
  if (/^outline-\d+$/.test(utility)) return ["outline-width"];
  if (utility.startsWith("outline-")) return ["outline-color"];
  const prefix = /^(gap|items|justify|cursor|opacity|tracking|transition|shadow|w|h|max-w)(-|$)/.exec(utility);
  return [prefix ? prefix[1]! : utility];
}

/** Pairs of classes that set one property under the same modifiers (`dark:`, `hover:`…). */
function conflicts(classes: string): string[] {
  const owner = new Map<string, string>();
  const found = new Set<string>();
  for (const name of classes.split(" ")) {
    const cut = name.lastIndexOf(":");
    const modifiers = name.slice(0, cut + 1);
    for (const property of propertiesOf(name.slice(cut + 1))) {
      const key = `${modifiers}${property}`;
      const previous = owner.get(key);
      if (previous !== undefined) found.add(`${previous} / ${name}`);
      else owner.set(key, name);
    }
  }
  return [...found];
}

/** Every combination of a recipe's choices. */
function everySelection<V extends VariantSpec>(recipe: Recipe<V>): Record<string, string>[] {
  return Object.entries(recipe.config.variants).reduce<Record<string, string>[]>(
    (selections, [dimension, choices]) => selections.flatMap((selection) => Object.keys(choices).map((choice) => ({ ...selection, [dimension]: choice }))),
    [{}],
  );
}

const RECIPES = { button, formControl, stateBadge, callout, note } as Record<string, Recipe<VariantSpec>>;

describe("the shared recipes", () => {
  it("tell conflicting classes apart from ones that only look alike", () => {
    expect(conflicts("px-2 py-1 px-2.5")).toEqual(["px-2 / px-2.5"]);
    expect(conflicts("p-3 py-1")).toEqual(["p-3 / py-1"]);
    expect(conflicts("border border-slate-300 text-sm text-slate-700 dark:text-slate-200 hover:bg-white bg-white")).toEqual([]);
  });

  for (const [name, recipe] of Object.entries(RECIPES)) {
    it(`${name} emits no two classes for one property in any combination of its choices`, () => {
      for (const selection of everySelection(recipe)) expect(conflicts(recipe(selection)), JSON.stringify(selection)).toEqual([]);
    });
  }

  it("the disclosure summary has no conflicting classes either", () => {
    expect(conflicts(DISCLOSURE_SUMMARY)).toEqual([]);
  });
});
