/**
 * What-if: the real breaker against a scenario in virtual time. Pure TypeScript (no Next, no
 * `node:` modules), so it runs in a Web Worker and in Node alike.
 *
 * @packageDocumentation
 */
export { durationOf, runWhatIf, seedOf, type ProgressListener } from "./engine";
export { EndpointTimeline, type ModelInterval } from "./endpoint-timeline";
export { isUnhealthy } from "./recovery";
export { whatIfProblem, type WhatIfProblem } from "./validate";
export type { Arrival, WhatIfConfig, WhatIfConfigResult, WhatIfInput, WhatIfResult, WhatIfTransition } from "./types";
