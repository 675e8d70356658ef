// The key registry on both stores: real Redis through the Upstash bridge, and memory.
import { describe, expect, it } from "vitest";
import {
  type AccountRecord,
  type AccountStore,
  createAccountCache,
  createMemoryAccounts,
  createRedisAccounts,
} from "../../src/limits/accounts.ts";
import { createRestRedis } from "../../src/limits/rest-redis.ts";
import { keysWithTtl, newTenant, virtualClock } from "./helpers.ts";

const HASH_A = "a".repeat(32);
const HASH_B = "b".repeat(32);
const record = (at: number, over: Partial<AccountRecord> = {}): AccountRecord => ({
  account: "acme",
  tier: "pro",
  trusted: false,
  limits: { "key-rpm": { capacity: 600, refillPerSecond: 10 } },
  createdAt: at,
  expiresAt: at + 3_600_000,
  ...over,
});

const BACKENDS: Array<{
  name: string;
  make(now: () => number): Promise<{ store: AccountStore; ttls?: () => Promise<Map<string, number>> }>;
}> = [
  {
    name: "redis",
    make: async (now) => {
      const tenant = await newTenant();
      return { store: createRedisAccounts(tenant.redis, { prefix: "dg", now }), ttls: () => keysWithTtl(tenant) };
    },
  },
  {
    name: "redis (the Worker's REST client)",
    make: async (now) => {
      const tenant = await newTenant();
      const redis = createRestRedis({ url: tenant.url, token: tenant.token });
      return { store: createRedisAccounts(redis, { prefix: "dg", now }), ttls: () => keysWithTtl(tenant) };
    },
  },
  { name: "memory", make: async (now) => ({ store: createMemoryAccounts({ now }) }) },
];

describe.each(BACKENDS)("the key registry on $name", ({ make }) => {
  it("keeps a record by key hash until its expiry, lists and revokes it", async () => {
    const { store, ttls } = await make(Date.now);
    const at = Date.now();
    await store.put(HASH_A, record(at));
    await store.put(HASH_B, record(at, { account: "globex", expiresAt: at + 60_000 }));
    expect(await store.get(HASH_A)).toEqual(record(at));
    expect(await store.get("c".repeat(32))).toBeNull();
    expect((await store.list(10)).map((r) => [r.keyHash, r.account])).toEqual([
      [HASH_B, "globex"],
      [HASH_A, "acme"],
    ]);
    expect(await store.delete(HASH_B)).toBe(true);
    expect(await store.delete(HASH_B)).toBe(false);
    expect((await store.list(10)).map((r) => r.keyHash)).toEqual([HASH_A]);
    if (ttls) {
      // every key has a TTL: the record until its expiry, the listing as long as its longest-lived record
      const all = await ttls();
      expect([...all.keys()].sort()).toEqual([`dg:account:${HASH_A}`, "dg:accounts"]);
      for (const ttl of all.values()) expect(ttl).toBeGreaterThan(3_500_000);
      // no raw key anywhere: records are named by the key's hash
      expect([...all.keys()].join(" ")).not.toMatch(/sk-/);
    }
  });

  it("refuses a record without an expiry within 400 days", async () => {
    const { store } = await make(Date.now);
    await expect(store.put(HASH_A, record(Date.now(), { expiresAt: Date.now() + 401 * 86_400_000 }))).rejects.toThrow(
      RangeError,
    );
    await expect(store.put(HASH_A, record(Date.now(), { expiresAt: Date.now() - 1 }))).rejects.toThrow(RangeError);
  });
});

describe("the registry cache", () => {
  it("remembers a record and an unknown key, asks once for concurrent lookups, forgets on request", async () => {
    const clock = virtualClock();
    const inner = createMemoryAccounts({ now: clock.now });
    let gets = 0;
    const store: AccountStore = { ...inner, get: (h) => (gets++, inner.get(h)) };
    await inner.put(HASH_A, record(clock.now()));
    const cache = createAccountCache(store, { now: clock.now, cacheMs: 60_000, unknownMs: 10_000 });
    const found = await Promise.all([cache.lookup(HASH_A), cache.lookup(HASH_A), cache.lookup(HASH_A)]);
    expect(found.every((f) => f.ok && f.record?.account === "acme")).toBe(true);
    expect(gets).toBe(1);
    expect(await cache.lookup(HASH_B)).toEqual({ ok: true, record: null });
    expect(await cache.lookup(HASH_B)).toEqual({ ok: true, record: null });
    expect(gets).toBe(2);
    clock.advance(10_001); // an unknown key is asked again soon: it may have been registered since
    await cache.lookup(HASH_B);
    expect(gets).toBe(3);
    await inner.delete(HASH_A);
    expect((await cache.lookup(HASH_A)).ok).toBe(true); // still remembered here
    cache.forget(HASH_A);
    expect(await cache.lookup(HASH_A)).toEqual({ ok: true, record: null });
  });

  it("says when the store fails, and never throws", async () => {
    const failing: AccountStore = {
      ...createMemoryAccounts(),
      get: () => Promise.reject(new Error("connection refused")),
    };
    const lookup = await createAccountCache(failing).lookup(HASH_A);
    expect(lookup).toEqual({ ok: false, error: "Error: connection refused" });
  });
});
