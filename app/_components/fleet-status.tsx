"use client";

import { memo, useId } from "react";
import type { FleetMember, InstanceInfo } from "@/lib/api/types";
import { describeInstance, fleetMembers, formatAgo } from "@/lib/client/fleet";
import { useMonotonicNow } from "@/lib/client/use-ticker";
import { callout } from "./styles";

// The ages are whole seconds.
const TICK_MS = 1_000;

/**
 * The instance this page talks to and the fleet it belongs to, as one small line for the header.
 * In memory the instance is alone and no age is shown; with Redis every member says how long ago
 * it was heard from, counted each second against the server's clock (`now`, `clockOffset`: see
 * `serverNow`). Until the page has mounted the ages are those at `now`, so that the server's
 * render and the browser's agree.
 */
export const FleetStatus = memo(function FleetStatus({
  instance,
  instances,
  now,
  clockOffset,
}: {
  instance: InstanceInfo;
  instances: FleetMember[];
  /** The server's time when the state was taken (`LabState.now`). */
  now: number;
  clockOffset: number;
}) {
  const shared = instance.store === "redis";
  const monotonicNow = useMonotonicNow(shared, TICK_MS);
  const members = fleetMembers({ instance, instances }, monotonicNow === null ? now : monotonicNow + clockOffset);
  const labelId = useId();
  return (
    <div className="mt-1 flex flex-wrap items-baseline gap-x-4 gap-y-0.5 text-xs text-fg-muted">
      <span data-testid="lab-instance" data-store={instance.store}>
        {describeInstance(instance)}
      </span>
      <span className="inline-flex flex-wrap items-baseline gap-x-1.5">
        <span id={labelId}>{shared ? `Fleet of ${members.length}:` : "Fleet:"}</span>
        <ul data-testid="fleet-instances" aria-labelledby={labelId} className="inline-flex flex-wrap items-baseline gap-x-3">
          {members.map((member) => (
            <li key={member.id} data-testid="fleet-member" data-instance={member.id} data-current={member.current}>
              <span data-testid="fleet-member-id" className={member.current ? "font-medium text-fg-secondary" : undefined}>
                {member.id}
              </span>
              {member.current && " (this one)"}
              {shared && <span data-testid="fleet-member-seen"> · {formatAgo(member.ago)}</span>}
            </li>
          ))}
        </ul>
      </span>
    </div>
  );
});

/**
 * Shown only while the shared store is unreachable. An alert, like the offline banner: it enters the
 * page with its text, and an alert is announced on insertion where a status region may not be.
 */
export function StoreBanner({ instance }: { instance: InstanceInfo }) {
  if (instance.storeUp) return null;
  return (
    <div role="alert" data-testid="store-banner" className={callout({ tone: "warning" })}>
      <strong className="font-semibold">Shared store unreachable</strong> — this instance is protecting with its local state only. It reconnects by
      itself; changes made now apply here, and the store&apos;s state wins when it is back.
    </div>
  );
}
