"use client";

import { useState } from "react";
import type { TimelineEntry } from "@/lib/api/types";
import { describeTransition } from "@/lib/client/describe";
import { latestTransitionAt, transitionsAfter } from "@/lib/client/lab-state";

/**
 * The dashboard's one polite live region: it says each breaker transition ("payments: CLOSED →
 * OPEN (failure threshold)"), never a single call, so auto-fire does not drown a screen reader.
 */
export function TransitionAnnouncer({ timeline }: { timeline: TimelineEntry[] }) {
  // What the page showed when it opened is not news.
  const [announced, setAnnounced] = useState(() => ({ at: latestTransitionAt(timeline), text: "" }));
  const fresh = transitionsAfter(timeline, announced.at);
  if (fresh.length > 0) setAnnounced({ at: fresh.at(-1)!.at, text: fresh.map(describeTransition).join(". ") });
  return (
    <p role="status" aria-live="polite" aria-atomic="true" data-testid="transition-announcer" className="sr-only">
      {announced.text}
    </p>
  );
}
