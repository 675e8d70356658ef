/**
 * Keys the origin has accepted. Without a key registry the gateway cannot
 * tell a customer's key from one a client made up, so a key counts as an
 * account (a cluster member) only once the origin has answered it with
 * success: remembered by its HMAC, with a TTL, after the response. Until
 * then it is held to the route's `unproven` bucket, shared per network, and
 * joins no cluster, so made-up keys cannot push a cluster of real customers
 * over its limit.
 */
import { withTimeout } from "./timeout.ts";

export interface ProvenKeys {
  has(keyHash: string): Promise<boolean>;
  /** Remembers the key as accepted for `PROVEN_TTL_MS` (renewed by later successes). */
  add(keyHash: string): Promise<void>;
}

/** How long an accepted key is remembered without a new success: 30 days. */
export const PROVEN_TTL_MS = 30 * 86_400_000;

const provenKey = (prefix: string, keyHash: string) => `${prefix}:proven:${keyHash}`;

/** The few Redis commands used (an `@upstash/redis` client has them). */
export interface ProvenRedis {
  exists(...keys: string[]): Promise<number>;
  set(key: string, value: string, options: { px: number }): Promise<unknown>;
}

export function createRedisProvenKeys(redis: ProvenRedis, options: { prefix?: string } = {}): ProvenKeys {
  const { prefix = "dg" } = options;
  return {
    has: async (keyHash) => (await redis.exists(provenKey(prefix, keyHash))) === 1,
    add: async (keyHash) => void (await redis.set(provenKey(prefix, keyHash), "1", { px: PROVEN_TTL_MS })),
  };
}

/** In the isolate's memory (`wrangler dev`, tests): at most `maxKeys`, the oldest forgotten first. */
export function createMemoryProvenKeys(options: { now?: () => number; maxKeys?: number } = {}): ProvenKeys {
  const { now = Date.now, maxKeys = 100_000 } = options;
  const until = new Map<string, number>();
  return {
    has: async (keyHash) => (until.get(keyHash) ?? 0) > now(),
    async add(keyHash) {
      until.delete(keyHash);
      if (until.size >= maxKeys) until.delete(until.keys().next().value!);
      until.set(keyHash, now() + PROVEN_TTL_MS);
    },
  };
}

export interface ProvenCache {
  /** Whether the origin has accepted the key; null when the store could not say. */
  check(keyHash: string): Promise<boolean | null>;
  /** After a success from the origin: remembered in the store once per isolate while known. */
  accepted(keyHash: string): Promise<void>;
}

/**
 * Answers remembered in the isolate: an accepted key for `knownMs`, an
 * unproven one for `unknownMs`, at most `maxEntries`, one store call in
 * flight per key.
 */
export function createProvenCache(
  store: ProvenKeys,
  options: { now?: () => number; knownMs?: number; unknownMs?: number; timeoutMs?: number; maxEntries?: number } = {},
): ProvenCache {
  const { now = Date.now, knownMs = 600_000, unknownMs = 10_000, timeoutMs = 1000, maxEntries = 10_000 } = options;
  const entries = new Map<string, { proven: boolean; untilMs: number }>();
  const inFlight = new Map<string, Promise<boolean | null>>();
  const remember = (keyHash: string, proven: boolean) => {
    entries.delete(keyHash);
    if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
    entries.set(keyHash, { proven, untilMs: now() + (proven ? knownMs : unknownMs) });
  };
  return {
    check(keyHash) {
      const hit = entries.get(keyHash);
      if (hit && now() < hit.untilMs) return Promise.resolve(hit.proven);
      let pending = inFlight.get(keyHash);
      if (!pending) {
        pending = withTimeout(store.has(keyHash), timeoutMs)
          .then((proven) => (remember(keyHash, proven), proven))
          .catch(() => null)
          .finally(() => inFlight.delete(keyHash));
        inFlight.set(keyHash, pending);
      }
      return pending;
    },
    async accepted(keyHash) {
      const hit = entries.get(keyHash);
      if (hit?.proven && now() < hit.untilMs) return;
      remember(keyHash, true);
      await withTimeout(store.add(keyHash), Math.max(timeoutMs, 1000)).catch(() => entries.delete(keyHash));
    },
  };
}
