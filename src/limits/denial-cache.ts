/**
 * Denials remembered in the isolate. When a bucket lacks room for a cost `c`,
 * the store says when `c` fits: until then, other requests can only take
 * tokens from it, never add any, so any request costing `c` or more is denied
 * again without asking the store. (A post-charge refund elsewhere could make
 * room a little sooner; the cached denial still ends at the time the store gave.)
 * A smaller request may fit sooner, so it goes to the store.
 */
export interface CachedDenial {
  /** Milliseconds until this request's cost fits, at the earliest. */
  retryMs: number;
  /** Tokens in the bucket now, at most. */
  tokens: number;
}

export interface DenialCache {
  get(key: string, cost: number, nowMs: number): CachedDenial | null;
  /** Remembers that `cost` does not fit in bucket `key` before `untilMs`. */
  put(key: string, entry: { untilMs: number; cost: number; refillPerSecond: number }): void;
  size(): number;
}

/** @param maxEntries most denials kept; the oldest go first. Default 10,000. */
export function createDenialCache(maxEntries = 10_000): DenialCache {
  const entries = new Map<string, { untilMs: number; cost: number; refillPerSecond: number }>();
  return {
    get(key, cost, nowMs) {
      const e = entries.get(key);
      if (!e) return null;
      if (nowMs >= e.untilMs) {
        entries.delete(key);
        return null;
      }
      if (cost < e.cost) return null;
      const fitsAt = e.untilMs + ((cost - e.cost) * 1000) / e.refillPerSecond;
      return { retryMs: Math.ceil(fitsAt - nowMs), tokens: e.cost - ((e.untilMs - nowMs) * e.refillPerSecond) / 1000 };
    },
    put(key, entry) {
      if (!(entry.refillPerSecond > 0) || !Number.isFinite(entry.untilMs)) return;
      entries.delete(key);
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.set(key, entry);
    },
    size: () => entries.size,
  };
}
