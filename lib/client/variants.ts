/**
 * Class-name recipes with typed variants, in the manner of `cva`: a base, named dimensions (tone,
 * size…) whose choices each carry their classes, and a default for every dimension.
 *
 * A recipe never emits two classes for one property as long as its base and each dimension own
 * disjoint properties (the base sets no padding, the size does): concatenating a base with
 * "overrides" relied on stylesheet order, which Tailwind does not promise.
 */

/** The classes of one dimension's choices, by choice name. */
export type Choices = Readonly<Record<string, string>>;

/** A recipe's dimensions. */
export type VariantSpec = Readonly<Record<string, Choices>>;

type BooleanOf<Key> = Key extends "true" ? true : Key extends "false" ? false : never;

/** A choice as the caller names it; the choices `"true"` and `"false"` may be given as booleans. */
export type ChoiceOf<C extends Choices> = Extract<keyof C, string> | BooleanOf<Extract<keyof C, string>>;

export type Selection<V extends VariantSpec> = { readonly [D in keyof V]?: ChoiceOf<V[D]> } & {
  /** Layout the recipe does not own (margin, width, display): it must not repeat a property a dimension sets. */
  readonly className?: string;
};

export interface RecipeConfig<V extends VariantSpec> {
  readonly base: string;
  readonly variants: V;
  /** Every dimension has a default, so a recipe's output is always complete. */
  readonly defaults: { readonly [D in keyof V]: ChoiceOf<V[D]> };
}

export interface Recipe<V extends VariantSpec> {
  (selection?: Selection<V>): string;
  readonly config: RecipeConfig<V>;
}

function joinClasses(parts: readonly (string | undefined)[]): string {
  return parts
    .flatMap((part) => (part ?? "").split(/\s+/))
    .filter((name) => name !== "")
    .join(" ");
}

export function variants<const V extends VariantSpec>(config: RecipeConfig<V>): Recipe<V> {
  const dimensions = Object.keys(config.variants) as (keyof V & string)[];
  const recipe = (selection: Selection<V> = {}) =>
    joinClasses([
      config.base,
      ...dimensions.map((dimension) => config.variants[dimension]![String(selection[dimension] ?? config.defaults[dimension])]),
      selection.className,
    ]);
  return Object.assign(recipe, { config });
}
