import { realClock } from "@/lib/breaker";
import { createStore } from "@/lib/store";
import { httpCaller, labOrigin } from "./caller";
import { LabHub } from "./hub";

// Route handlers may each evaluate this module separately (and dev reloads re-evaluate it), so the
// one hub of the process lives on globalThis under a registered symbol, created once.
const HUB_KEY = Symbol.for("breaker-lab.hub");

type GlobalWithHub = typeof globalThis & { [HUB_KEY]?: LabHub };

/** The lab of this process. */
export function getHub(): LabHub {
  const global = globalThis as GlobalWithHub;
  global[HUB_KEY] ??= new LabHub({ caller: httpCaller(labOrigin()), processMetrics: true, store: createStore(process.env, realClock) });
  return global[HUB_KEY];
}
