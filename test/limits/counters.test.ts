// The distinct counters' records (script.ts): exact member lists, one record per cluster, read with the take's one
// MGET and written only when a counter changes; HyperLogLog slots past COUNTER_CAP members per half window. Counts
// are everyone's, whichever isolate added last.
import { describe, expect, it } from "vitest";
import type { ClusterRule } from "../../src/config/types.ts";
import { createLimiter } from "../../src/limits/limiter.ts";
import { createRestRedis } from "../../src/limits/rest-redis.ts";
import type { CounterRequest, LimitStore } from "../../src/limits/types.ts";
import { createUpstashStore } from "../../src/limits/upstash-store.ts";
import { STORES, type StoreUnderTest, facts, keysWithTtl, newTenant, virtualClock } from "./helpers.ts";

const WINDOW = 3600;
const HALF = 1_800_000;
const RECORD = "dg:@c:x";
const counter = (member: string, over: Partial<CounterRequest> = {}): CounterRequest => ({
  key: RECORD,
  field: "accounts",
  member,
  windowSeconds: WINDOW,
  ...over,
});
const count = async (store: LimitStore, member: string, over: Partial<CounterRequest> = {}) =>
  (await store.take([], [counter(member, over)])).counters[0]!;
/** Exact in lists (and in memory); a HyperLogLog's estimate within 2 of the truth at these sizes. */
const near = (actual: number, expected: number) =>
  expect(Math.abs(actual - expected), `${actual}`).toBeLessThanOrEqual(2);

/** A second isolate on the same store: for Redis another store instance and client on the same database. */
const otherIsolate = (s: StoreUnderTest): LimitStore =>
  s.tenant
    ? createUpstashStore(createRestRedis({ url: s.tenant.url, token: s.tenant.token }), { clock: "worker", now: s.now })
    : s.store;

describe.each(STORES)("distinct counters on the $name store", ({ make }) => {
  it("another isolate's members show in the count, in lists and once spilled into HyperLogLogs", async () => {
    const s = await make();
    const other = otherIsolate(s);
    for (let i = 0; i < 80; i++) {
      const c = await count(i % 2 ? other : s.store, `m${i}`);
      if (i < 32) expect(c).toBe(i + 1);
      else near(c, i + 1);
    }
    // members already counted, through either isolate, add nothing
    near(await count(other, "m0"), 80);
    near(await count(s.store, "m79"), 80);
  });

  it("two limiters on one store (two isolates) count one cluster's accounts and addresses together", async () => {
    const s = await make();
    const rule: ClusterRule = {
      name: "rotating",
      by: ["subnet"],
      maxAccounts: 3,
      maxAddresses: 3,
      windowSeconds: WINDOW,
      action: "flag",
      newKeysMs: null,
      bucket: null,
    };
    const storeConfig = { timeoutMs: 2000, onError: "open", prefix: "dg", clock: "worker" } as const;
    const limiters = [s.store, otherIsolate(s)].map((store) => createLimiter({ store, storeConfig, now: s.now }));
    const seen: Array<[number | null, number | null]> = [];
    for (let n = 1; n <= 5; n++) {
      const r = await limiters[n % 2]!.check(
        { route: "messages", limits: [], clusters: [rule] },
        facts({
          subject: {
            keyHash: `key-${n}`.padEnd(32, "0"),
            ip: { version: 4, bytes: new Uint8Array([203, 0, 113, n]) },
            ipPrefix: `203.0.113.${n}/32`,
          },
        }),
      );
      seen.push([r.clusters[0]!.accounts, r.clusters[0]!.addresses]);
    }
    expect(seen).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
      [5, 5],
    ]);
  });

  it("rolls over: the previous half window's members still count; two half windows later they are gone", async () => {
    const s = await make();
    expect([await count(s.store, "a"), await count(s.store, "b")]).toEqual([1, 2]);
    s.advance(HALF);
    expect(await count(s.store, "c")).toBe(3);
    expect(await count(s.store, "a")).toBe(3); // "a" carried into this half window
    s.advance(HALF);
    expect(await count(s.store, "d")).toBe(3); // "c" and "a" from the previous one
    s.advance(2 * HALF);
    expect(await count(s.store, "e")).toBe(1);
  });

  it("rolls over once spilled, and starts again with lists two half windows later", async () => {
    const s = await make();
    for (let i = 0; i < 40; i++) await count(s.store, `m${i}`);
    s.advance(HALF);
    near(await count(s.store, "z"), 41);
    s.advance(HALF);
    near(await count(s.store, "y"), 2);
    s.advance(2 * HALF);
    expect(await count(s.store, "x")).toBe(1);
    expect(await count(s.store, "w")).toBe(2);
  });

  it("lists a cluster over its limit with its count, in lists and once spilled", async () => {
    const s = await make();
    const over = { over: { above: 2, registry: "dg:clusters" } };
    for (let i = 0; i < 3; i++) await count(s.store, `m${i}`, over);
    expect(await s.store.listCounters("dg:clusters", 10)).toMatchObject([{ key: `${RECORD}:accounts`, count: 3 }]);
    for (let i = 3; i < 50; i++) await count(s.store, `m${i}`, over);
    const [listed] = await s.store.listCounters("dg:clusters", 10);
    expect(listed!.key).toBe(`${RECORD}:accounts`);
    near(listed!.count, 50);
  });
});

describe("distinct counters in Redis", () => {
  const redisStore = async () => {
    const tenant = await newTenant();
    const clock = virtualClock(Math.floor(Date.now() / HALF) * HALF);
    return { tenant, clock, store: createUpstashStore(tenant.redis, { clock: "worker", now: clock.now }) };
  };
  const pttl = async (tenant: Awaited<ReturnType<typeof newTenant>>, key: string) =>
    Number(await tenant.command("PTTL", key));

  it("a member already counted writes nothing: the record is written, with its TTL, only when a counter changes", async () => {
    const { tenant, clock, store } = await redisStore();
    await count(store, "a");
    const first = await pttl(tenant, RECORD);
    // the record lives until the end of the half window after this one (the clock at its start)
    expect(first).toBeGreaterThan(2 * HALF - 60_000);
    expect(first).toBeLessThanOrEqual(2 * HALF);
    clock.advance(600_000);
    expect(await count(store, "a")).toBe(1);
    // not written again: a write would have set the TTL from the later clock, 600 s shorter
    expect(first - (await pttl(tenant, RECORD))).toBeLessThan(60_000);
    expect(await count(store, "b")).toBe(2);
    expect(first - (await pttl(tenant, RECORD))).toBeGreaterThan(600_000 - 60_000);
    // lists only: the record is the one key, and no member is stored as given
    const keys = await keysWithTtl(tenant);
    expect([...keys.keys()]).toEqual([RECORD]);
    expect(String(await tenant.command("GET", RECORD))).toMatch(/^accounts \d+ 1800000 [0-9a-f]{12},[0-9a-f]{12} -$/);
  });

  it("the cluster's counters share one record, rewritten at most once per take", async () => {
    const { tenant, store } = await redisStore();
    const pair = (account: string, address: string) => [counter(account), counter(address, { field: "addresses" })];
    await store.take([], pair("a", "ip1"));
    const r = await store.take([], pair("b", "ip2"));
    expect(r.counters).toEqual([2, 2]);
    expect([...(await keysWithTtl(tenant)).keys()]).toEqual([RECORD]);
    expect(
      String(await tenant.command("GET", RECORD))
        .split(" ")
        .filter((t) => /^[a-z]+$/.test(t))
        .sort(),
    ).toEqual(["accounts", "addresses"]);
  });

  it("a flood of fresh members: the record stays small, the HyperLogLog slots take the rest, every key has a TTL", async () => {
    const { tenant, clock, store } = await redisStore();
    for (let i = 0; i < 400; i++) await count(store, `flood-${i}`);
    const c = await count(store, "flood-last");
    expect(Math.abs(c - 401) / 401).toBeLessThan(0.03);
    expect(String(await tenant.command("GET", RECORD)).length).toBeLessThan(64);
    clock.advance(HALF);
    for (let i = 0; i < 50; i++) await count(store, `later-${i}`);
    const keys = await keysWithTtl(tenant);
    expect([...keys.keys()].sort()).toEqual([RECORD, `${RECORD}:accounts:0`, `${RECORD}:accounts:1`]);
    for (const [key, ttl] of keys) expect({ key, ttl: ttl > 0 && ttl <= 2 * HALF }).toEqual({ key, ttl: true });
  });
});
