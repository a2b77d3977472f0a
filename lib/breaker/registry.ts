import { CircuitBreaker } from "./circuit-breaker";
import { applyOptions, defaultSettings } from "./options";
import type { BreakerEvent, BreakerOptions, BreakerSnapshot } from "./types";
import { describeValue, invalid, isRecord } from "./validation";

/** Options every breaker of a registry is created with; its `name` is always its key. */
export type RegistryBreakerOptions = Omit<BreakerOptions, "name" | "initialState">;

export interface BreakerRegistryOptions {
  /** The options of every breaker the registry creates. */
  options?: RegistryBreakerOptions;
  /** Breakers kept before idle ones are forgotten, least recently used first. Default 1000. */
  maxBreakers?: number;
  /** A breaker with no call for this long (and none in flight) is idle. Default 600 000 ms. */
  idleMs?: number;
}

/** A breaker's event as a registry reports it: with the key of the breaker. */
export type RegistryEvent = BreakerEvent & { key: string };

interface Entry {
  readonly breaker: CircuitBreaker;
  /** The registry's use counter when `get()` last handed the breaker out. */
  used: number;
  /** What the last eviction scan saw: the use counter and the breaker's counted calls… */
  seenUsed: number;
  seenCalls: number;
  /** …and when it last saw them move (epoch ms). */
  activeAt: number;
  unsubscribe: (() => void) | undefined;
}

const REGISTRY_KEYS = ["options", "maxBreakers", "idleMs"];

/**
 * One breaker per key (per host, per route, per tenant), created on first use. To bound memory,
 * a registry that holds `maxBreakers` forgets idle CLOSED breakers, least recently used first:
 * no call for `idleMs` and none in flight. A breaker in any other state, OPEN above all, is never
 * forgotten, and when none can be, `get()` still creates the breaker.
 *
 * @example
 * ```ts
 * const breakers = new BreakerRegistry({ options: { failureThreshold: 3, openMs: 20_000 } });
 * const response = await breakers.get(new URL(url).host).execute((signal) => fetch(url, { signal }));
 * ```
 */
export class BreakerRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly options: RegistryBreakerOptions;
  private readonly maxBreakers: number;
  private readonly idleMs: number;
  private readonly now: () => number;
  private listeners: readonly ((event: RegistryEvent) => void)[] = [];
  private uses = 0;
  private disposed = false;

  constructor(options: BreakerRegistryOptions = {}) {
    if (!isRecord(options)) throw new TypeError(`BreakerRegistry options must be an object, got ${describeValue(options)}`);
    for (const key of Object.keys(options)) {
      if (!REGISTRY_KEYS.includes(key)) {
        throw invalid(TypeError, key, `Unknown option "${key}"; a BreakerRegistry takes ${REGISTRY_KEYS.join(", ")}`);
      }
    }
    const breakerOptions = options.options ?? {};
    if (isRecord(breakerOptions) && ("name" in breakerOptions || "initialState" in breakerOptions)) {
      const key = "name" in breakerOptions ? "name" : "initialState";
      throw invalid(TypeError, `options.${key}`, `options.${key} cannot be shared: each breaker of a registry is named by its key and starts afresh`);
    }
    // Validated here, once, so that a bad option fails the registry and not some later get().
    const settings = applyOptions(defaultSettings(), breakerOptions, "constructor");
    this.options = breakerOptions;
    this.now = () => settings.clock.now();
    this.maxBreakers = positiveInteger(options.maxBreakers ?? 1000, "maxBreakers");
    this.idleMs = positiveNumber(options.idleMs ?? 600_000, "idleMs");
  }

  /** The breaker of `key`, created with the registry's options if there is none. */
  get(key: string): CircuitBreaker {
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      entry.used = ++this.uses;
      return entry.breaker;
    }
    return this.create(key);
  }

  /** Whether the registry holds a breaker for `key` (without creating one). */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Forget the breaker of `key` and dispose of it; false when there was none. */
  delete(key: string): boolean {
    const entry = this.entries.get(key);
    if (entry === undefined) return false;
    this.entries.delete(key);
    entry.unsubscribe?.();
    entry.breaker.dispose();
    return true;
  }

  /** The keys of the breakers held, oldest first. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** Every breaker's snapshot, by key. */
  snapshot(): Record<string, BreakerSnapshot> {
    return Object.fromEntries([...this.entries].map(([key, entry]) => [key, entry.breaker.snapshot()]));
  }

  /**
   * Receive every event of every breaker, as `{ ...event, key }`. Returns the function that
   * unsubscribes. Breakers report events only while the registry has listeners: events cost a
   * breaker its fastest path.
   */
  subscribe(listener: (event: RegistryEvent) => void): () => void {
    if (typeof listener !== "function") throw new TypeError(`subscribe() needs a function, got ${describeValue(listener)}`);
    this.listeners = [...this.listeners, listener];
    if (this.listeners.length === 1) {
      for (const [key, entry] of this.entries) this.forward(key, entry);
    }
    return () => {
      this.listeners = this.listeners.filter((candidate) => candidate !== listener);
      if (this.listeners.length > 0) return;
      for (const entry of this.entries.values()) {
        entry.unsubscribe?.();
        entry.unsubscribe = undefined;
      }
    };
  }

  /** Dispose of every breaker (their timers included) and forget them and every listener. */
  dispose(): void {
    this.disposed = true;
    for (const entry of this.entries.values()) entry.breaker.dispose();
    this.entries.clear();
    this.listeners = [];
  }

  private create(key: string): CircuitBreaker {
    if (typeof key !== "string" || key.length === 0) throw new TypeError(`a registry key must be a non-empty string, got ${describeValue(key)}`);
    if (this.disposed) throw new TypeError("BreakerRegistry is disposed");
    if (this.entries.size >= this.maxBreakers) this.evict(this.entries.size - this.maxBreakers + 1);
    const breaker = new CircuitBreaker({ ...this.options, name: key });
    const used = ++this.uses;
    const entry: Entry = { breaker, used, seenUsed: used, seenCalls: 0, activeAt: this.now(), unsubscribe: undefined };
    this.entries.set(key, entry);
    if (this.listeners.length > 0) this.forward(key, entry);
    return breaker;
  }

  private forward(key: string, entry: Entry): void {
    entry.unsubscribe = entry.breaker.subscribe((event) => {
      const keyed: RegistryEvent = { ...event, key };
      for (const listener of this.listeners) {
        try {
          listener(keyed);
        } catch {
          // A subscriber's bug must not break the breakers or starve the other subscribers.
        }
      }
    });
  }

  /**
   * Forget up to `count` idle CLOSED breakers, least recently used first. A breaker counts as
   * active until the scan that first sees it unused (not handed out, no call counted) since its
   * creation or the scan before: `get()` then costs a counter and no clock read, and a breaker
   * used within `idleMs` is never taken for idle (one may be kept a little longer than that).
   */
  private evict(count: number): void {
    const now = this.now();
    const idle: [string, Entry][] = [];
    for (const pair of this.entries) {
      const entry = pair[1];
      const calls = entry.breaker.countedCalls;
      if (entry.used !== entry.seenUsed || calls !== entry.seenCalls) {
        entry.seenUsed = entry.used;
        entry.seenCalls = calls;
        entry.activeAt = now;
      }
      if (entry.breaker.inFlight === 0 && now - entry.activeAt >= this.idleMs && entry.breaker.state === "CLOSED") idle.push(pair);
    }
    idle.sort((a, b) => a[1].used - b[1].used);
    for (const [key, entry] of idle.slice(0, count)) {
      this.entries.delete(key);
      entry.unsubscribe?.();
    }
  }
}

function positiveInteger(value: unknown, option: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw invalid(typeof value === "number" ? RangeError : TypeError, option, `${option} must be an integer >= 1, got ${describeValue(value)}`);
  }
  return value;
}

function positiveNumber(value: unknown, option: string): number {
  if (typeof value !== "number" || !(value > 0) || value === Infinity) {
    throw invalid(typeof value === "number" ? RangeError : TypeError, option, `${option} must be a finite number > 0, got ${describeValue(value)}`);
  }
  return value;
}
