import { hostname } from "node:os";
import type { Clock } from "@/lib/breaker";
import { MemoryStore } from "./memory-store";
import { RedisStore } from "./redis-store";
import type { LabStore } from "./types";

const DEFAULT_PREFIX = "breaker-lab:";

/**
 * The store the environment asks for: Redis at `REDIS_URL` (keys under `LAB_REDIS_PREFIX`), else
 * memory. `LAB_INSTANCE` names the instance (default `host:port`). A malformed setting throws,
 * naming it, before the lab serves anything.
 */
export function createStore(env: Record<string, string | undefined>, clock: Clock): LabStore {
  const instanceId = env.LAB_INSTANCE?.trim() || `${hostname()}:${env.PORT ?? "3000"}`;
  const url = env.REDIS_URL?.trim();
  if (!url) return new MemoryStore(instanceId, clock);
  if (!/^rediss?:\/\/./.test(url)) throw new Error(`REDIS_URL must be a redis:// or rediss:// URL, got ${JSON.stringify(url)}`);
  const prefix = env.LAB_REDIS_PREFIX ?? DEFAULT_PREFIX;
  if (prefix.length === 0) throw new Error("LAB_REDIS_PREFIX must not be empty");
  return new RedisStore({ url, prefix, instanceId, clock });
}
