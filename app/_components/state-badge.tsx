import type { BreakerState } from "@/lib/breaker";
import { stateLabel } from "@/lib/client/describe";
import { STATE_STYLES } from "./state-style";

/** The state as a colour-coded pill; the glyph and the text tell states apart without colour. */
export function StateBadge({ name, state }: { name: string; state: BreakerState }) {
  const style = STATE_STYLES[state];
  return (
    <span className={`inline-flex items-center gap-1.5 rounded-full border-2 px-2.5 py-0.5 text-sm font-bold tracking-wide ${style.badge}`}>
      <span aria-hidden="true">{style.icon}</span>
      <span data-testid={`breaker-${name}-state`}>{stateLabel(state)}</span>
    </span>
  );
}
