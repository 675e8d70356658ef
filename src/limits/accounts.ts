/**
 * The key registry: which API keys are real accounts. When the gateway holds
 * the origin's credential (ORIGIN_API_KEY) it is the only judge of who may
 * reach the origin, so it serves registered keys only. A record maps a key's
 * HMAC (never the key) to its account, tier, trust and per-account limits,
 * and lives until its expiry (every store key has a TTL). A sorted set next
 * to the records (member: record key, score: expiry ms) lists them; it
 * expires with its longest-lived record.
 *
 * Lookups are remembered in the isolate (AccountCache): a known key costs no
 * store call for `cacheMs`, so the request's one round trip stays one.
 */
import { ACCOUNT_ID } from "../identity/subject.ts";
import { storedObject } from "./stored.ts";
import { withTimeout } from "./timeout.ts";

/** What the registry says of one key. */
export interface AccountRecord {
  /** The account the key belongs to: limits and clusters count accounts, not keys. */
  account: string;
  /** A label for the origin and telemetry (`x-guard-tier`). */
  tier: string | null;
  /** Skips the fingerprint and content signals and joins no cluster, like a route's `trust.keys`. */
  trusted: boolean;
  /** Per-account buckets in place of the route's per-key rules of the same name. */
  limits: Readonly<Record<string, { capacity: number; refillPerSecond: number }>>;
  createdAt: number;
  expiresAt: number;
}

export interface ListedAccount extends AccountRecord {
  keyHash: string;
}

/** Where records live: the shared store, or (for `wrangler dev` and tests) an isolate's memory. */
export interface AccountStore {
  get(keyHash: string): Promise<AccountRecord | null>;
  /** Creates or replaces the record; it lives until `record.expiresAt`. */
  put(keyHash: string, record: AccountRecord): Promise<void>;
  /** True when the record existed. */
  delete(keyHash: string): Promise<boolean>;
  /** Live records, soonest expiry first, at most `limit`. */
  list(limit: number): Promise<ListedAccount[]>;
}

/** Longest a record lives before it must be renewed: 400 days. */
export const MAX_ACCOUNT_TTL_MS = 400 * 86_400_000;
export const KEY_HASH = /^[0-9a-f]{32}$/;

const recordKey = (prefix: string, keyHash: string) => `${prefix}:account:${keyHash}`;
const indexKey = (prefix: string) => `${prefix}:accounts`;

/** Reads a stored record (a JSON string, or already parsed by a REST client); null when it is not one. */
export function readAccountRecord(raw: unknown): AccountRecord | null {
  const r = storedObject<AccountRecord>(raw);
  if (!r || typeof r.account !== "string" || !ACCOUNT_ID.test(r.account)) return null;
  if (!Number.isFinite(r.createdAt) || !Number.isFinite(r.expiresAt)) return null;
  const limits: Record<string, { capacity: number; refillPerSecond: number }> = {};
  for (const [name, l] of Object.entries((r.limits ?? {}) as Record<string, unknown>)) {
    const { capacity, refillPerSecond } = (l ?? {}) as { capacity?: unknown; refillPerSecond?: unknown };
    if (typeof capacity === "number" && capacity >= 1 && typeof refillPerSecond === "number" && refillPerSecond > 0)
      limits[name] = { capacity, refillPerSecond };
  }
  return {
    account: r.account,
    tier: typeof r.tier === "string" ? r.tier : null,
    trusted: r.trusted === true,
    limits,
    createdAt: r.createdAt!,
    expiresAt: r.expiresAt!,
  };
}

/** The few Redis commands the registry uses (an `@upstash/redis` client has them). */
export interface AccountRedis {
  get(key: string): Promise<unknown>;
  set(key: string, value: string, options: { px: number }): Promise<unknown>;
  del(...keys: string[]): Promise<number>;
  zadd(key: string, member: { score: number; member: string }): Promise<unknown>;
  zrem(key: string, ...members: string[]): Promise<number>;
  zremrangebyscore(key: string, min: number, max: number): Promise<number>;
  zrange(key: string, min: number, max: number): Promise<unknown[]>;
  pexpireat(key: string, unixTimeMs: number): Promise<unknown>;
  pttl(key: string): Promise<number>;
  mget(...keys: string[]): Promise<unknown[]>;
}

/** The registry in the shared Redis. Expiry is by the Worker's clock (`now`). */
export function createRedisAccounts(
  redis: AccountRedis,
  options: { prefix?: string; now?: () => number } = {},
): AccountStore {
  const { prefix = "dg", now = Date.now } = options;
  const index = indexKey(prefix);
  return {
    async get(keyHash) {
      return readAccountRecord(await redis.get(recordKey(prefix, keyHash)));
    },
    async put(keyHash, record) {
      const ttlMs = record.expiresAt - now();
      if (!(ttlMs >= 1 && ttlMs <= MAX_ACCOUNT_TTL_MS)) throw new RangeError(`account TTL out of range: ${ttlMs} ms`);
      const key = recordKey(prefix, keyHash);
      await redis.set(key, JSON.stringify(record), { px: Math.floor(ttlMs) });
      await redis.zadd(index, { score: record.expiresAt, member: key });
      await redis.zremrangebyscore(index, 0, now());
      // the listing lives as long as its longest-lived record
      const ttl = await redis.pttl(index);
      await redis.pexpireat(index, Math.max(record.expiresAt, ttl > 0 ? now() + ttl : 0));
    },
    async delete(keyHash) {
      const key = recordKey(prefix, keyHash);
      await redis.zrem(index, key);
      return (await redis.del(key)) === 1;
    },
    async list(limit) {
      await redis.zremrangebyscore(index, 0, now());
      const keys = ((await redis.zrange(index, 0, Math.max(0, Math.floor(limit)) - 1)) as string[]).filter(
        (k) => typeof k === "string",
      );
      if (keys.length === 0) return [];
      const values = await redis.mget(...keys);
      return keys.flatMap((key, i) => {
        const record = readAccountRecord(values[i]);
        return record ? [{ ...record, keyHash: key.slice(key.lastIndexOf(":") + 1) }] : [];
      });
    },
  };
}

/** The registry in the isolate's memory: `wrangler dev` without Upstash, tests. At most `maxRecords` records. */
export function createMemoryAccounts(options: { now?: () => number; maxRecords?: number } = {}): AccountStore {
  const { now = Date.now, maxRecords = 100_000 } = options;
  const records = new Map<string, AccountRecord>();
  const live = (keyHash: string): AccountRecord | null => {
    const r = records.get(keyHash);
    if (r && r.expiresAt <= now()) records.delete(keyHash);
    return r && r.expiresAt > now() ? r : null;
  };
  return {
    get: async (keyHash) => live(keyHash),
    async put(keyHash, record) {
      const ttlMs = record.expiresAt - now();
      if (!(ttlMs >= 1 && ttlMs <= MAX_ACCOUNT_TTL_MS)) throw new RangeError(`account TTL out of range: ${ttlMs} ms`);
      if (!records.has(keyHash) && records.size >= maxRecords)
        throw new RangeError(`the memory registry holds at most ${maxRecords} records`);
      records.set(keyHash, record);
    },
    delete: async (keyHash) => live(keyHash) !== null && records.delete(keyHash),
    async list(limit) {
      return [...records.keys()]
        .flatMap((keyHash) => {
          const r = live(keyHash);
          return r ? [{ ...r, keyHash }] : [];
        })
        .sort((a, b) => a.expiresAt - b.expiresAt)
        .slice(0, Math.max(0, Math.floor(limit)));
    },
  };
}

/** A registry lookup as the guard sees it: the record, none (an unknown key), or the store failed. */
export type AccountLookup = { ok: true; record: AccountRecord | null } | { ok: false; error: string };

export interface AccountCache {
  lookup(keyHash: string): Promise<AccountLookup>;
  /** Forgets a key here at once (the admin API, after a revoke); other isolates within `cacheMs`. */
  forget(keyHash: string): void;
}

/**
 * Registry lookups remembered in the isolate: a record for `cacheMs` (never
 * past its expiry), an unknown key for `unknownMs`, at most `maxEntries`
 * (the oldest go first), one store call in flight per key.
 */
export function createAccountCache(
  store: AccountStore,
  options: { now?: () => number; cacheMs?: number; unknownMs?: number; timeoutMs?: number; maxEntries?: number } = {},
): AccountCache {
  const { now = Date.now, cacheMs = 60_000, unknownMs = 10_000, timeoutMs = 1000, maxEntries = 10_000 } = options;
  const entries = new Map<string, { record: AccountRecord | null; untilMs: number }>();
  const inFlight = new Map<string, Promise<AccountLookup>>();
  const remember = (keyHash: string, record: AccountRecord | null) => {
    entries.delete(keyHash);
    if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
    const t = now();
    entries.set(keyHash, { record, untilMs: record ? Math.min(t + cacheMs, record.expiresAt) : t + unknownMs });
  };
  return {
    lookup(keyHash) {
      const hit = entries.get(keyHash);
      if (hit && now() < hit.untilMs) return Promise.resolve({ ok: true, record: hit.record });
      let pending = inFlight.get(keyHash);
      if (!pending) {
        pending = withTimeout(store.get(keyHash), timeoutMs)
          .then((record): AccountLookup => {
            remember(keyHash, record);
            return { ok: true, record };
          })
          .catch((error): AccountLookup => ({ ok: false, error: String(error).slice(0, 200) }))
          .finally(() => inFlight.delete(keyHash));
        inFlight.set(keyHash, pending);
      }
      return pending;
    },
    forget: (keyHash) => void entries.delete(keyHash),
  };
}
