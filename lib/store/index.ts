export { MemoryStore } from "./memory-store";
export { RedisStore, FLEET_WINDOW_MS } from "./redis-store";
export { createStore } from "./create-store";
export type { FleetTruth, LabStore, LocalTransition, SharedBreakerDefinition, SharedBreakerState, StoreListener } from "./types";
