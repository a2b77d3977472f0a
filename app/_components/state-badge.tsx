import type { BreakerState } from "@/lib/breaker";
import { stateLabel } from "@/lib/client/describe";
import { STATE_STYLES } from "./state-style";
import { stateBadge } from "./styles";

/** The state as a colour-coded pill; the glyph and the text tell states apart without colour. */
export function StateBadge({ name, state }: { name: string; state: BreakerState }) {
  return (
    <span className={stateBadge({ state })}>
      <span aria-hidden="true">{STATE_STYLES[state].icon}</span>
      <span data-testid={`breaker-${name}-state`}>{stateLabel(state)}</span>
    </span>
  );
}
