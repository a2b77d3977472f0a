import type { CallOutcome } from "@/lib/api/types";
import type { BreakerState } from "@/lib/breaker";

interface StateStyle {
  /** Badge classes: a tinted pill with a strong border so the state reads without colour too. */
  badge: string;
  /** Fill of the state's band in the timeline. */
  band: string;
  /** A glyph that tells the states apart by shape. */
  icon: string;
}

export const STATE_STYLES: Record<BreakerState, StateStyle> = {
  CLOSED: {
    badge: "border-emerald-600 bg-emerald-50 text-emerald-800 dark:border-emerald-500 dark:bg-emerald-950 dark:text-emerald-200",
    band: "fill-emerald-500/70",
    icon: "●",
  },
  OPEN: {
    badge: "border-red-600 bg-red-50 text-red-800 dark:border-red-500 dark:bg-red-950 dark:text-red-200",
    band: "fill-red-500/80",
    icon: "✕",
  },
  HALF_OPEN: {
    badge: "border-amber-500 bg-amber-50 text-amber-800 dark:border-amber-400 dark:bg-amber-950 dark:text-amber-200",
    band: "fill-amber-400/80",
    icon: "◐",
  },
  FORCED_OPEN: {
    badge: "border-purple-600 bg-purple-50 text-purple-800 dark:border-purple-400 dark:bg-purple-950 dark:text-purple-200",
    band: "fill-purple-500/80",
    icon: "■",
  },
  DISABLED: {
    badge: "border-slate-400 bg-slate-100 text-slate-700 dark:border-slate-500 dark:bg-slate-800 dark:text-slate-300",
    band: "fill-slate-400/70",
    icon: "○",
  },
};

export const OUTCOME_STYLES: Record<CallOutcome, { text: string; stroke: string; label: string }> = {
  success: { text: "text-emerald-700 dark:text-emerald-300", stroke: "stroke-emerald-700 dark:stroke-emerald-300", label: "Success" },
  failure: { text: "text-red-700 dark:text-red-300", stroke: "stroke-red-700 dark:stroke-red-300", label: "Failure" },
  timeout: { text: "text-orange-700 dark:text-orange-300", stroke: "stroke-orange-600 dark:stroke-orange-300", label: "Timeout" },
  rejected: { text: "text-slate-600 dark:text-slate-300", stroke: "stroke-slate-500 dark:stroke-slate-400", label: "Rejected" },
  ignored: { text: "text-sky-700 dark:text-sky-300", stroke: "stroke-sky-600 dark:stroke-sky-300", label: "Ignored" },
};

/** Shared look of the small buttons across the dashboard. */
export const BUTTON =
  "inline-flex items-center justify-center gap-1 rounded-md border px-2.5 py-1.5 text-sm font-medium transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 disabled:cursor-not-allowed disabled:opacity-50";
export const BUTTON_PRIMARY = `${BUTTON} border-sky-700 bg-sky-700 text-white hover:bg-sky-800 dark:border-sky-500 dark:bg-sky-600 dark:hover:bg-sky-500`;
export const BUTTON_SECONDARY = `${BUTTON} border-slate-300 bg-white text-slate-800 hover:bg-slate-100 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100 dark:hover:bg-slate-800`;
