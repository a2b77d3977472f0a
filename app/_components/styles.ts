import type { BreakerState } from "@/lib/breaker";
import { variants } from "@/lib/client/variants";

/**
 * The shared looks of the dashboard and /whatif as recipes. Each recipe's base and dimensions own
 * disjoint properties (sizes own padding and font size, tones own colours), and every colour pair
 * meets WCAG AA contrast in both schemes: sky-600 under white text does not, sky-700 does.
 */

/** The keyboard focus ring of anything focusable; sky-600/400 keep 3:1 against both page backgrounds. */
export const FOCUS_RING =
  "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 dark:focus-visible:outline-sky-400";

/** The same ring on a wrapper (a label) whose visually hidden input has the focus. */
export const FOCUS_WITHIN_RING =
  "has-focus-visible:outline-2 has-focus-visible:outline-offset-2 has-focus-visible:outline-sky-600 dark:has-focus-visible:outline-sky-400";

const SECONDARY = "border-slate-300 bg-white text-slate-800 hover:bg-slate-100 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100 dark:hover:bg-slate-800";

/**
 * Buttons that are busy for a moment after a press (Fire, Play, Apply, Run) say so with
 * `aria-disabled` and ignore presses: `disabled` would drop the keyboard focus they were pressed with.
 */
export const button = variants({
  base: "inline-flex items-center justify-center gap-1 rounded-md font-medium transition-colors disabled:cursor-not-allowed disabled:opacity-50 aria-disabled:cursor-not-allowed aria-disabled:opacity-50",
  variants: {
    tone: {
      primary: "border-sky-700 bg-sky-700 text-white hover:bg-sky-800 dark:border-sky-500",
      secondary: SECONDARY,
      /** A secondary button that shows its `aria-pressed` state. */
      toggle: `${SECONDARY} aria-pressed:border-sky-700 aria-pressed:bg-sky-50 aria-pressed:text-sky-900 dark:aria-pressed:border-sky-400 dark:aria-pressed:bg-sky-950 dark:aria-pressed:text-sky-100`,
      danger: "border-red-700 bg-white text-red-800 hover:bg-red-50 dark:border-red-400 dark:bg-slate-900 dark:text-red-200 dark:hover:bg-red-950",
    },
    size: { sm: "px-2 py-1 text-xs", md: "px-2.5 py-1.5 text-sm" },
    /** Off inside a group that draws the frame itself. */
    bordered: { true: "border", false: "border-0" },
    /** `within` for a label that stands for the visually hidden input it wraps (a file input). */
    focus: { self: FOCUS_RING, within: `cursor-pointer ${FOCUS_WITHIN_RING}` },
  },
  defaults: { tone: "secondary", size: "md", bordered: true, focus: "self" },
});

/** The summary of a `<details>` disclosure. */
export const DISCLOSURE_SUMMARY = `cursor-pointer select-none rounded-lg px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-50 dark:text-slate-200 dark:hover:bg-slate-800 ${FOCUS_RING}`;

/** Text inputs and selects. */
export const formControl = variants({
  base: `rounded-md border bg-white tabular-nums disabled:opacity-60 dark:bg-slate-900 ${FOCUS_RING}`,
  variants: {
    size: { xs: "px-1 py-0.5", sm: "px-2 py-1 text-xs", md: "px-2 py-1.5 text-sm" },
    invalid: { true: "border-red-600 dark:border-red-400", false: "border-slate-300 dark:border-slate-600" },
  },
  defaults: { size: "md", invalid: false },
});

const STATE_TONES = {
  CLOSED: "border-emerald-600 bg-emerald-50 text-emerald-800 dark:border-emerald-500 dark:bg-emerald-950 dark:text-emerald-200",
  OPEN: "border-red-600 bg-red-50 text-red-800 dark:border-red-500 dark:bg-red-950 dark:text-red-200",
  HALF_OPEN: "border-amber-500 bg-amber-50 text-amber-800 dark:border-amber-400 dark:bg-amber-950 dark:text-amber-200",
  FORCED_OPEN: "border-purple-600 bg-purple-50 text-purple-800 dark:border-purple-400 dark:bg-purple-950 dark:text-purple-200",
  DISABLED: "border-slate-400 bg-slate-100 text-slate-700 dark:border-slate-500 dark:bg-slate-800 dark:text-slate-300",
} as const satisfies Record<BreakerState, string>;

/** A breaker state as a tinted pill with a strong border, so that it reads without colour too. */
export const stateBadge = variants({
  base: "inline-flex items-center",
  variants: {
    state: STATE_TONES,
    size: { md: "gap-1.5 rounded-full border-2 px-2.5 py-0.5 text-sm font-bold tracking-wide", sm: "rounded border px-1.5 text-xs" },
  },
  defaults: { state: "CLOSED", size: "md" },
});

/** A tinted box that explains a state or a condition. */
export const callout = variants({
  base: "border",
  variants: {
    tone: {
      danger: "border-red-300 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950/50 dark:text-red-100",
      warning: "border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-800 dark:bg-amber-950/50 dark:text-amber-100",
      forced: "border-purple-300 bg-purple-50 text-purple-900 dark:border-purple-800 dark:bg-purple-950/50 dark:text-purple-100",
      neutral: "border-slate-300 bg-slate-50 text-slate-700 dark:border-slate-700 dark:bg-slate-800/60 dark:text-slate-200",
      info: "border-sky-200 bg-sky-50 text-sky-900 dark:border-sky-900 dark:bg-sky-950 dark:text-sky-100",
    },
    size: { md: "rounded-lg p-3 text-sm", sm: "rounded-md px-2 py-1 text-xs" },
  },
  defaults: { tone: "neutral", size: "md" },
});

/** A line of feedback: an error next to what caused it, a confirmation, a hint. */
export const note = variants({
  base: "",
  variants: {
    tone: {
      error: "text-red-700 dark:text-red-300",
      success: "text-emerald-700 dark:text-emerald-300",
      secondary: "text-fg-secondary",
      muted: "text-fg-muted",
    },
    size: { xs: "text-xs", sm: "text-sm" },
  },
  defaults: { tone: "secondary", size: "sm" },
});
