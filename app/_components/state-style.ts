import type { CallOutcome } from "@/lib/api/types";
import type { BreakerState } from "@/lib/breaker";

interface StateStyle {
  /** Fill of the state's band in the timeline. */
  band: string;
  /** A glyph that tells the states apart by shape. */
  icon: string;
}

export const STATE_STYLES: Record<BreakerState, StateStyle> = {
  CLOSED: {
    band: "fill-emerald-500/70",
    icon: "●",
  },
  OPEN: {
    band: "fill-red-500/80",
    icon: "✕",
  },
  HALF_OPEN: {
    band: "fill-amber-400/80",
    icon: "◐",
  },
  FORCED_OPEN: {
    band: "fill-purple-500/80",
    icon: "■",
  },
  DISABLED: {
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
