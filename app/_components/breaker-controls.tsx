"use client";

import { useEffect, useRef, useState } from "react";
import type { BreakerAction } from "@/lib/api/schemas";
import type { CallResult, FireCallsResponse, LabBreaker } from "@/lib/api/types";
import { apiRequest } from "@/lib/client/api";
import { button, formControl, FOCUS_RING } from "./styles";
import { errorMessage } from "@/lib/api/errors";

const AUTO_RATES = [1, 2, 5, 10, 20];
const RETRY_COUNTS = [0, 1, 2, 3, 5];
const RETRY_DELAYS_MS = [0, 100, 250, 500, 1_000];
// Auto-fire never piles up more than this many calls waiting on a slow endpoint.
const MAX_AUTO_IN_FLIGHT = 20;

/** Fire calls, auto-fire at a rate, and the manual controls of one breaker. */
export function BreakerControls({
  breaker,
  onBreaker,
  onFired,
  onError,
}: {
  breaker: LabBreaker;
  onBreaker: (breaker: LabBreaker) => void;
  onFired: (results: CallResult[]) => void;
  onError: (message: string | null) => void;
}) {
  const { name } = breaker;
  const [busy, setBusy] = useState(false);
  const [autoRate, setAutoRate] = useState(5);
  const [autoFiring, setAutoFiring] = useState(false);
  const [retries, setRetries] = useState(0);
  const [retryDelayMs, setRetryDelayMs] = useState(100);
  const retry = useRef({ retries, retryDelayMs });
  useEffect(() => {
    retry.current = { retries, retryDelayMs };
  });
  const inFlight = useRef(0);
  const callbacks = useRef({ onBreaker, onFired, onError });
  useEffect(() => {
    callbacks.current = { onBreaker, onFired, onError };
  });

  async function fire(count: number) {
    inFlight.current += 1;
    try {
      const body = retry.current.retries > 0 ? { count, ...retry.current } : { count };
      const answer = await apiRequest<FireCallsResponse>(`/api/breakers/${name}/calls`, { method: "POST", body });
      callbacks.current.onBreaker(answer.snapshot);
      callbacks.current.onFired(answer.results);
      callbacks.current.onError(null);
    } catch (error) {
      callbacks.current.onError(errorMessage(error));
      setAutoFiring(false);
    } finally {
      inFlight.current -= 1;
    }
  }

  async function fireNow(count: number) {
    if (busy) return;
    setBusy(true);
    await fire(count);
    setBusy(false);
  }

  async function act(action: BreakerAction) {
    try {
      callbacks.current.onBreaker(await apiRequest<LabBreaker>(`/api/breakers/${name}/actions`, { method: "POST", body: { action } }));
      callbacks.current.onError(null);
    } catch (error) {
      callbacks.current.onError(errorMessage(error));
    }
  }

  // Auto-fire stops when the page is hidden: nobody is watching, and background tabs would
  // otherwise keep loading the lab.
  useEffect(() => {
    if (!autoFiring) return;
    const timer = setInterval(() => {
      if (inFlight.current < MAX_AUTO_IN_FLIGHT) void fire(1);
    }, 1000 / autoRate);
    const onVisibility = () => {
      if (document.hidden) setAutoFiring(false);
    };
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisibility);
    };
    // fire only reads refs and the stable name.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [autoFiring, autoRate]);

  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-2">
        <button type="button" className={button({ tone: "primary" })} data-testid={`breaker-${name}-fire`} aria-disabled={busy} onClick={() => void fireNow(1)}>
          Fire call
        </button>
        <button type="button" className={button()} data-testid={`breaker-${name}-fire-10`} aria-disabled={busy} onClick={() => void fireNow(10)}>
          Fire 10
        </button>
        <div className="flex items-center gap-1 rounded-md border border-slate-300 p-0.5 dark:border-slate-600">
          <button
            type="button"
            className={button({ tone: autoFiring ? "primary" : "secondary", bordered: false })}
            aria-pressed={autoFiring}
            data-testid={`breaker-${name}-auto`}
            onClick={() => setAutoFiring((on) => !on)}
          >
            {autoFiring ? "■ Stop auto" : "▶ Auto-fire"}
          </button>
          <label className="sr-only" htmlFor={`auto-rate-${name}`}>
            Auto-fire rate for {name}
          </label>
          <select
            id={`auto-rate-${name}`}
            className={`rounded bg-transparent px-1 py-1 text-sm tabular-nums ${FOCUS_RING}`}
            value={autoRate}
            onChange={(event) => setAutoRate(Number(event.target.value))}
          >
            {AUTO_RATES.map((rate) => (
              <option key={rate} value={rate}>
                {rate}/s
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="flex flex-wrap items-center gap-2 text-sm text-fg-secondary" title="A failed or timed-out call is fired again through the breaker, as a retrying client does: watch the upstream's load grow until the breaker cuts the retries off.">
        <label className="flex items-center gap-1">
          Retries
          <select
            data-testid={`breaker-${name}-retries`}
            className={formControl({ size: "xs" })}
            value={retries}
            onChange={(event) => setRetries(Number(event.target.value))}
          >
            {RETRY_COUNTS.map((count) => (
              <option key={count} value={count}>
                {count === 0 ? "none" : `${count}×`}
              </option>
            ))}
          </select>
        </label>
        <label className="flex items-center gap-1">
          every
          <select
            data-testid={`breaker-${name}-retry-delay`}
            className={formControl({ size: "xs" })}
            value={retryDelayMs}
            disabled={retries === 0}
            onChange={(event) => setRetryDelayMs(Number(event.target.value))}
          >
            {RETRY_DELAYS_MS.map((ms) => (
              <option key={ms} value={ms}>
                {ms} ms
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="flex flex-wrap gap-2">
        <button type="button" className={button()} data-testid={`breaker-${name}-reset`} onClick={() => void act("reset")}>
          Reset
        </button>
        <button type="button" className={button()} data-testid={`breaker-${name}-force-open`} onClick={() => void act("forceOpen")}>
          Force open
        </button>
        <button type="button" className={button()} data-testid={`breaker-${name}-disable`} onClick={() => void act("disable")}>
          Disable
        </button>
      </div>
    </div>
  );
}
