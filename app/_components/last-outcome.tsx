import type { CallOutcome, CallResult } from "@/lib/api/types";
import { formatDuration } from "@/lib/client/format";
import { OUTCOME_STYLES } from "./state-style";

export interface FiredBatch {
  results: CallResult[];
  /** Increases with every batch, so the flash replays even when the outcome is the same. */
  sequence: number;
}

function describeCall(result: CallResult): string {
  const parts = [OUTCOME_STYLES[result.outcome].label];
  if (result.status !== undefined) parts.push(String(result.status));
  parts.push(formatDuration(result.durationMs));
  if (result.attempts.length > 1) parts.push(`${result.attempts.length} attempts`);
  return parts.join(" · ");
}

/**
 * The outcome of the last fired call (or batch), flashing when it arrives. Not a live region: a
 * screen reader would read every call of an auto-fire; the dashboard announces transitions instead.
 */
export function LastOutcome({ name, batch }: { name: string; batch: FiredBatch | null }) {
  if (!batch || batch.results.length === 0) {
    return <p className="text-xs text-fg-muted">No call fired from this page yet.</p>;
  }
  const last = batch.results[batch.results.length - 1]!;
  const counts = new Map<CallOutcome, number>();
  for (const result of batch.results) counts.set(result.outcome, (counts.get(result.outcome) ?? 0) + 1);
  return (
    <p
      key={batch.sequence}
      data-testid={`breaker-${name}-last`}
      data-outcome={last.outcome}
      className={`animate-flash rounded-md px-2 py-1 text-sm font-medium ${OUTCOME_STYLES[last.outcome].text}`}
    >
      {batch.results.length === 1 ? (
        <>Last call: {describeCall(last)}</>
      ) : (
        <>
          {batch.results.length} calls:{" "}
          {[...counts].map(([outcome, count]) => `${count} ${OUTCOME_STYLES[outcome].label.toLowerCase()}`).join(", ")} · last{" "}
          {describeCall(last)}
        </>
      )}
      {last.error && last.outcome !== "success" && <span className="block truncate text-xs font-normal opacity-80">{last.error}</span>}
    </p>
  );
}
