import type { LabBreaker } from "@/lib/api/types";
import { formatDuration } from "@/lib/client/format";
import { OUTCOME_STYLES } from "./state-style";

function Count({ name, field, label, value, tone }: { name: string; field: string; label: string; value: number; tone: string }) {
  return (
    <div className="rounded-md bg-slate-50 px-2 py-1.5 dark:bg-slate-800/60">
      <dt className="text-xs text-fg-muted">{label}</dt>
      <dd data-testid={`breaker-${name}-${field}`} className={`text-lg font-semibold tabular-nums ${tone}`}>
        {value}
      </dd>
    </div>
  );
}

/** A value against the threshold that trips the breaker, as a bar that fills towards it. */
function ThresholdBar({ label, value, threshold, display }: { label: string; value: number; threshold: number; display: string }) {
  const share = Math.min(1, value / threshold);
  const tone = share >= 1 ? "bg-red-600 dark:bg-red-400" : share >= 0.6 ? "bg-amber-500 dark:bg-amber-400" : "bg-emerald-600 dark:bg-emerald-400";
  return (
    <div>
      <div className="flex justify-between text-xs text-fg-secondary">
        <span>{label}</span>
        <span className="tabular-nums">{display}</span>
      </div>
      <div
        className="mt-1 h-2 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700"
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={threshold}
        aria-valuenow={Math.min(value, threshold)}
        aria-valuetext={display}
      >
        <div className={`h-full rounded-full transition-[width] duration-200 ${tone}`} style={{ width: `${share * 100}%` }} />
      </div>
    </div>
  );
}

function percent(value: number): string {
  return `${value.toFixed(value > 0 && value < 10 ? 1 : 0)} %`;
}

/** Counts, the trip measure against its threshold, and latency of one breaker. */
export function BreakerStats({ breaker }: { breaker: LabBreaker }) {
  const { name, totals, window, options, latency } = breaker;
  const windowed = options.slidingWindow !== null;
  const judged = windowed ? Math.min(options.minimumCalls, options.slidingWindow?.type === "count" ? options.slidingWindow.size : Infinity) : 0;
  return (
    <div className="space-y-3">
      <dl className="grid grid-cols-4 gap-2">
        <Count name={name} field="successes" label="Successes" value={totals.successes} tone={OUTCOME_STYLES.success.text} />
        <Count name={name} field="failures" label="Failures" value={totals.failures} tone={OUTCOME_STYLES.failure.text} />
        <Count name={name} field="timeouts" label="Timeouts" value={totals.timeouts} tone={OUTCOME_STYLES.timeout.text} />
        <Count name={name} field="rejected" label="Rejected" value={totals.rejected} tone={OUTCOME_STYLES.rejected.text} />
      </dl>
      {windowed ? (
        <div className="space-y-2">
          <ThresholdBar
            label={`Failure rate (${window.calls} call${window.calls === 1 ? "" : "s"} in window${window.calls < judged ? `, judged from ${judged}` : ""})`}
            value={window.failureRate}
            threshold={options.failureRateThreshold}
            display={`${percent(window.failureRate)} / ${options.failureRateThreshold} %`}
          />
          {options.slowCallMs !== null && (
            <ThresholdBar
              label={`Slow calls (> ${options.slowCallMs} ms)`}
              value={window.slowCallRate}
              threshold={options.slowCallRateThreshold}
              display={`${percent(window.slowCallRate)} / ${options.slowCallRateThreshold} %`}
            />
          )}
        </div>
      ) : (
        <ThresholdBar
          label="Consecutive failures"
          value={breaker.consecutiveFailures}
          threshold={options.failureThreshold}
          display={`${breaker.consecutiveFailures} / ${options.failureThreshold}`}
        />
      )}
      <p className="text-xs text-fg-secondary">
        Latency{" "}
        {latency ? (
          <span className="tabular-nums">
            p50 <strong>{formatDuration(latency.p50)}</strong> · p99 <strong>{formatDuration(latency.p99)}</strong> · mean{" "}
            {formatDuration(latency.mean)}
          </span>
        ) : (
          <span className="text-fg-muted">no calls in the window yet</span>
        )}
      </p>
    </div>
  );
}
