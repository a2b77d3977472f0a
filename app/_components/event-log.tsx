import type { TimelineEntry } from "@/lib/api/types";
import { stateLabel } from "@/lib/client/describe";
import { formatDuration } from "@/lib/client/format";
import { OUTCOME_STYLES } from "./state-style";
import { stateBadge } from "./styles";

const SHOWN = 60;

function time(at: number): string {
  const date = new Date(at);
  return `${date.toLocaleTimeString([], { hour12: false })}.${String(date.getMilliseconds()).padStart(3, "0")}`;
}

/** The newest transitions and calls, newest first; transitions stand out. */
export function EventLog({ timeline }: { timeline: TimelineEntry[] }) {
  const newest = timeline.slice(-SHOWN).reverse();
  return (
    <section aria-labelledby="event-log-title" className="space-y-3">
      <h2 id="event-log-title" className="text-base font-semibold">
        Event log
      </h2>
      <ol
        data-testid="event-log"
        className="max-h-80 overflow-y-auto rounded-xl border border-slate-200 bg-white text-sm dark:border-slate-800 dark:bg-slate-900"
      >
        {newest.length === 0 && <li className="p-4 text-fg-muted">Nothing yet: fire a call.</li>}
        {newest.map((entry, index) =>
          entry.kind === "transition" ? (
            <li
              key={`${entry.at}-${index}`}
              data-kind="transition"
              className="flex flex-wrap items-center gap-2 border-b border-slate-100 bg-slate-50 px-3 py-1.5 font-medium last:border-0 dark:border-slate-800 dark:bg-slate-800/60"
            >
              <span suppressHydrationWarning className="font-mono text-xs tabular-nums text-fg-muted">
                {time(entry.at)}
              </span>
              <span>{entry.breaker}</span>
              <span className={stateBadge({ state: entry.from, size: "sm" })}>{stateLabel(entry.from)}</span>→
              <span className={stateBadge({ state: entry.to, size: "sm" })}>{stateLabel(entry.to)}</span>
              <span className="text-xs font-normal text-fg-muted">{entry.reason}</span>
            </li>
          ) : (
            <li key={`${entry.at}-${index}`} data-kind="call" className="flex items-center gap-2 border-b border-slate-100 px-3 py-1 last:border-0 dark:border-slate-800">
              <span suppressHydrationWarning className="font-mono text-xs tabular-nums text-fg-muted">
                {time(entry.at)}
              </span>
              <span className="text-slate-700 dark:text-slate-300">{entry.breaker}</span>
              <span className={`font-medium ${OUTCOME_STYLES[entry.outcome].text}`}>{OUTCOME_STYLES[entry.outcome].label.toLowerCase()}</span>
              {entry.status !== undefined && <span className="tabular-nums text-fg-muted">{entry.status}</span>}
              {entry.outcome !== "rejected" && <span className="tabular-nums text-fg-muted">{formatDuration(entry.durationMs)}</span>}
            </li>
          ),
        )}
      </ol>
    </section>
  );
}
