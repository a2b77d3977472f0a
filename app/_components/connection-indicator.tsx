import type { Connection } from "@/lib/client/use-lab-state";

const LOOK: Record<Connection, { label: string; dot: string }> = {
  connecting: { label: "Connecting", dot: "bg-slate-400" },
  live: { label: "Live", dot: "bg-emerald-500" },
  reconnecting: { label: "Reconnecting", dot: "bg-amber-500 animate-pulse" },
  offline: { label: "Offline", dot: "bg-red-600" },
};

/**
 * Whether the page receives the lab's events right now. Not a live region: the dashboard has one,
 * for transitions, and losing the server is announced by the offline banner's alert.
 */
export function ConnectionIndicator({ connection }: { connection: Connection }) {
  const look = LOOK[connection];
  return (
    <span
      data-testid="connection"
      data-state={connection}
      className="inline-flex items-center gap-2 rounded-full border border-slate-300 bg-white px-3 py-1 text-sm font-medium dark:border-slate-700 dark:bg-slate-900"
    >
      <span aria-hidden="true" className={`h-2.5 w-2.5 rounded-full ${look.dot}`} />
      {look.label}
    </span>
  );
}
