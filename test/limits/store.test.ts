import { describe, expect, it } from "vitest";
import { type MemoryStore, createMemoryStore } from "../../src/limits/memory-store.ts";
import { LIMIT_SCRIPT, LIMIT_SCRIPT_SHA1 } from "../../src/limits/script.ts";
import type { BucketRequest, LimitStore } from "../../src/limits/types.ts";
import { createUpstashStore } from "../../src/limits/upstash-store.ts";
import { STORES, keysWithTtl, newTenant, virtualClock } from "./helpers.ts";

const bucket = (
  key: string,
  capacity: number,
  refillPerSecond: number,
  cost = 1,
  when?: BucketRequest["when"],
): BucketRequest => ({
  key: `test:${key}`,
  capacity,
  refillPerSecond,
  cost,
  ...(when ? { when } : {}),
});
/** The bucket's tokens now, read with a zero-cost take (which charges nothing). */
const tokens = async (store: LimitStore, b: BucketRequest) =>
  (await store.take([{ ...b, cost: 0 }], [])).buckets[0]!.remaining;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe.each(STORES)("$name store", ({ make }) => {
  it("1,000 concurrent takes on a capacity-100 bucket without refill: exactly 100 allowed", async () => {
    const { store } = await make();
    const b = bucket("one", 100, 0);
    const results = await Promise.all(Array.from({ length: 1000 }, () => store.take([b], [])));
    expect(results.filter((r) => r.allowed)).toHaveLength(100);
    expect(await tokens(store, b)).toBe(0);
    expect(results.every((r) => r.buckets[0]!.remaining >= 0)).toBe(true);
  });

  it("1,000 concurrent takes on a three-bucket route: exactly 100 allowed, and only those charged the others", async () => {
    const { store } = await make();
    const key = bucket("key", 100, 0);
    const subnet = bucket("subnet", 300, 0);
    const route = bucket("route", 1000, 0);
    const results = await Promise.all(Array.from({ length: 1000 }, () => store.take([key, subnet, route], [])));
    expect(results.filter((r) => r.allowed)).toHaveLength(100);
    expect(await tokens(store, key)).toBe(0);
    expect(await tokens(store, subnet)).toBe(200);
    expect(await tokens(store, route)).toBe(900);
  });

  it("refills by elapsed time on its clock, and says when a cost fits", async () => {
    const { store, advance } = await make();
    const b = bucket("refill", 10, 2);
    expect((await store.take([{ ...b, cost: 10 }], [])).allowed).toBe(true);
    const denied = await store.take([b], []);
    expect(denied.allowed).toBe(false);
    expect(denied.buckets[0]!.retryAfterSeconds).toBe(0.5);
    expect(denied.buckets[0]!.resetSeconds).toBe(5);
    advance(499);
    expect((await store.take([b], [])).allowed).toBe(false);
    advance(1);
    expect((await store.take([b], [])).allowed).toBe(true);
    advance(60_000);
    expect(await tokens(store, b)).toBe(10); // never above capacity
  });

  it("a clock that goes back adds nothing and takes nothing", async () => {
    const { store, advance } = await make();
    const b = bucket("skew", 10, 1);
    await store.take([{ ...b, cost: 5 }], []);
    advance(-30_000);
    expect(await tokens(store, b)).toBe(5);
    advance(30_000 + 2000);
    expect(await tokens(store, b)).toBe(7);
  });

  it("charges every bucket or none", async () => {
    const { store } = await make();
    const roomy = bucket("roomy", 5, 0.001);
    const tight = bucket("tight", 1, 0.001);
    expect((await store.take([roomy, tight], [])).allowed).toBe(true);
    const denied = await store.take([roomy, tight], []);
    expect(denied.allowed).toBe(false);
    expect(denied.buckets[0]!.retryAfterSeconds).toBe(0);
    expect(denied.buckets[1]!.retryAfterSeconds).toBeGreaterThan(0);
    expect(await tokens(store, roomy)).toBe(4);
  });

  it("denies a cost above capacity without touching the bucket, and never goes below zero", async () => {
    const { store } = await make();
    const b = bucket("big", 5, 1);
    const denied = await store.take([{ ...b, cost: 6 }], []);
    expect(denied.allowed).toBe(false);
    expect(denied.buckets[0]!.retryAfterSeconds).toBe(Infinity);
    expect(await tokens(store, b)).toBe(5);
    expect((await store.take([{ ...b, cost: 5 }], [])).allowed).toBe(true);
    const empty = await store.take([{ ...b, cost: 3 }], []);
    expect(empty.allowed).toBe(false);
    expect(empty.buckets[0]!.retryAfterSeconds).toBe(3);
    expect(await tokens(store, b)).toBe(0);
  });

  it("adjust post-charges into debt down to -capacity and refunds up to capacity", async () => {
    const { store } = await make();
    const b = bucket("adjust", 100, 1);
    await store.take([{ ...b, cost: 10 }], []);
    await store.adjust([{ key: b.key, capacity: 100, refillPerSecond: 1, delta: 50 }]);
    expect(await tokens(store, b)).toBe(40);
    await store.adjust([{ key: b.key, capacity: 100, refillPerSecond: 1, delta: 100 }]);
    expect(await tokens(store, b)).toBe(-60);
    const denied = await store.take([b], []);
    expect(denied.buckets[0]!.retryAfterSeconds).toBe(61);
    await store.adjust([{ key: b.key, capacity: 100, refillPerSecond: 1, delta: -5000 }]);
    expect(await tokens(store, b)).toBe(100);
  });

  it("keeps the whole debt of a post-charge: the next take's retryAfter is the true wait, and the bucket lives until it is waited off (issue 13)", async () => {
    const s = await make();
    const { store, advance } = s;
    // a 10,000-token bucket refilling 10 a second; a request estimated at 1,600 that used 40,000
    const b = bucket("debt", 10_000, 10, 1600);
    expect((await store.take([b], [])).allowed).toBe(true);
    await store.adjust([{ key: b.key, capacity: 10_000, refillPerSecond: 10, delta: 40_000 - 1600 }]);
    expect(await tokens(store, b)).toBe(-30_000);
    const denied = await store.take([b], []);
    expect(denied.allowed).toBe(false);
    expect(denied.buckets[0]!.retryAfterSeconds).toBe(3160); // (1,600 + 30,000) / 10
    expect(denied.buckets[0]!.resetSeconds).toBe(4000);
    const ttl = s.tenant
      ? (await keysWithTtl(s.tenant)).get(b.key)!
      : (store as ReturnType<typeof createMemoryStore>).ttls().get(b.key)!;
    expect(ttl).toBeGreaterThan(3_999_000);
    expect(ttl).toBeLessThanOrEqual(4_000_000);
    advance(3_159_999);
    expect((await store.take([b], [])).allowed).toBe(false);
    advance(1);
    expect((await store.take([b], [])).allowed).toBe(true);
    // a floor far below: 1,000 capacities
    await store.adjust([{ key: b.key, capacity: 10_000, refillPerSecond: 10, delta: 1e12 }]);
    expect(await tokens(store, b)).toBe(-10_000_000);
  });

  it("buckets sharing a key keep their own state; the key lives as long as its longest-lived bucket (issue 15)", async () => {
    const s = await make();
    const { store, advance } = s;
    const rpm = { key: "test:client", field: "rpm", capacity: 10, refillPerSecond: 1, cost: 1 };
    const tokens = { key: "test:client", field: "tokens", capacity: 1000, refillPerSecond: 10, cost: 300 };
    // Redis counts a TTL down in real time: within a second of what the virtual clock says
    const ttl = async () => {
      const ms = s.tenant
        ? (await keysWithTtl(s.tenant)).get("test:client")
        : (store as MemoryStore).ttls().get("test:client");
      return ms === undefined ? undefined : Math.ceil(ms / 1000) * 1000;
    };
    const both = await store.take([rpm, tokens], []);
    expect(both.buckets.map((b) => b.remaining)).toEqual([9, 700]);
    expect(await ttl()).toBe(30_000); // the token bucket's 300 at 10 a second; the other's 1 s is within it
    advance(2000);
    // a take of one of them leaves the other as it was
    expect((await store.take([{ ...rpm, cost: 5 }], [])).buckets[0]!.remaining).toBe(5);
    expect((await store.take([{ ...tokens, cost: 0 }], [])).buckets[0]!.remaining).toBe(720);
    expect(await ttl()).toBe(28_000);
    // both full again: read as full, and the next write keeps only the bucket it charges
    advance(28_000);
    const read = await store.take(
      [
        { ...rpm, cost: 0 },
        { ...tokens, cost: 0 },
      ],
      [],
    );
    expect(read.buckets.map((b) => b.remaining)).toEqual([10, 1000]);
    await store.take([rpm], []);
    expect(await ttl()).toBe(1000);
  });

  it("a take's settlements are applied first, and even when the take is denied or blocked (issue 15)", async () => {
    const { store } = await make();
    const b = { key: "test:settled", field: "tokens", capacity: 1000, refillPerSecond: 1, cost: 600 };
    const settle = (delta: number) => ({ key: b.key, field: b.field, capacity: 1000, refillPerSecond: 1, delta });
    expect((await store.take([b], [])).allowed).toBe(true);
    // 500 given back before this take: 900 left, room for 600
    const after = await store.take([b], [], [], undefined, undefined, [settle(-500)]);
    expect(after).toMatchObject({ allowed: true, buckets: [{ remaining: 300 }] });
    // a debt carried by a take it denies
    const denied = await store.take([b], [], [], undefined, undefined, [settle(800)]);
    expect(denied).toMatchObject({ allowed: false, buckets: [{ remaining: -500, retryAfterSeconds: 1100 }] });
    // and by a blocked one
    await store.block("test:blocks", "test:block:key:k", { dimension: "key", target: "k", reason: "test" }, 60_000);
    const blocked = await store.take([b], [], ["test:block:key:k"], undefined, undefined, [settle(-1500)]);
    expect(blocked.blocked).toBeDefined();
    expect(await tokens(store, b)).toBe(1000);
  });

  it("refuses a bucket that takes more than 365 days to fill, with a RangeError and nothing written (issue 13)", async () => {
    const { store } = await make();
    await expect(store.take([bucket("tiny-refill", 10, 1e-300)], [])).rejects.toThrow(RangeError);
    await expect(
      store.adjust([{ key: "test:tiny-refill", capacity: 10, refillPerSecond: 1e-300, delta: 5 }]),
    ).rejects.toThrow(RangeError);
    expect((await store.take([bucket("year-refill", 365, 1 / 86_400)], [])).allowed).toBe(true);
  });

  it("counts distinct members, and a conditional bucket applies only above its threshold", async () => {
    const { store } = await make();
    const counter = { key: "test:accounts", windowSeconds: 3600 };
    const shared = bucket("cluster", 2, 0.001, 1, { counter: 0, above: 3 });
    const seen: number[] = [];
    for (const member of ["a", "b", "c", "a", "c"]) {
      const r = await store.take([shared], [{ ...counter, member }]);
      seen.push(r.counters[0]!);
      expect(r.allowed).toBe(true);
      expect(r.buckets[0]!.applied).toBe(false);
    }
    expect(seen).toEqual([1, 2, 3, 3, 3]);
    const over = await Promise.all(["d", "a", "b"].map((member) => store.take([shared], [{ ...counter, member }])));
    expect(over.map((r) => r.counters[0])).toEqual([4, 4, 4]);
    expect(over.map((r) => r.buckets[0]!.applied)).toEqual([true, true, true]);
    expect(over.map((r) => r.allowed)).toEqual([true, true, false]);
  });
});

describe("distinct counters over a rolling window", () => {
  // Slots expire by the store's own clock, so these run on real time (Redis TIME) with a short window.
  const cases: { name: string; make: () => Promise<{ store: LimitStore; wait: (ms: number) => Promise<void> }> }[] = [
    { name: "upstash", make: async () => ({ store: createUpstashStore((await newTenant()).redis), wait: sleep }) },
    {
      name: "memory",
      make: async () => {
        const clock = virtualClock();
        return { store: createMemoryStore({ now: clock.now }), wait: async (ms) => clock.advance(ms) };
      },
    },
  ];
  it.each(cases)("$name: members older than one window are forgotten", async ({ make }) => {
    const { store, wait } = await make();
    const counter = { key: "test:window", windowSeconds: 0.4 };
    expect((await store.take([], [{ ...counter, member: "a" }])).counters).toEqual([1]);
    expect((await store.take([], [{ ...counter, member: "b" }])).counters).toEqual([2]);
    await wait(450); // more than a window: both half windows that held a and b are gone
    expect((await store.take([], [{ ...counter, member: "c" }])).counters).toEqual([1]);
  });
});

describe("memory store: distinct counts", () => {
  it("stay exact across slot rotation, expiry and eviction, counted as members arrive", async () => {
    // A model of the two half-window slots, computed the slow way, against the store's running count.
    const clock = virtualClock(1_800_000_000_000);
    const store = createMemoryStore({ now: clock.now, maxEntries: 40 });
    const windowSeconds = 60;
    const half = 30_000;
    const slots = new Map<string, { index: number; members: Set<string> }[]>();
    let seed = 7;
    const rand = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
    for (let i = 0; i < 3000; i++) {
      clock.advance(rand(400));
      const key = `test:union:${rand(6)}`;
      const member = `m${rand(50)}`;
      const index = Math.floor(clock.now() / half);
      const live = (slots.get(key) ?? []).filter((s) => s.index >= index - 1);
      let current = live.find((s) => s.index === index);
      if (!current) live.push((current = { index, members: new Set() }));
      current.members.add(member);
      slots.set(key, live);
      const union = new Set(live.flatMap((s) => [...s.members]));
      const [count] = (await store.take([], [{ key, member, windowSeconds }])).counters;
      // 6 counters × 2 slots + nothing else fit in 40 entries: no eviction here
      expect(count, `take ${i}`).toBe(union.size);
    }
    // Evict: a burst of bucket writes pushes the counters' slots out; counts start again from what is left.
    for (let i = 0; i < 40; i++)
      await store.take([{ key: `test:fill:${i}`, capacity: 5, refillPerSecond: 1, cost: 1 }], []);
    const [after] = (await store.take([], [{ key: "test:union:0", member: "fresh", windowSeconds }])).counters;
    expect(after).toBe(1);
  });
});

describe("upstash store", () => {
  it("pins the scripts' SHA-1s, and Redis agrees", async () => {
    const tenant = await newTenant();
    for (const [script, sha1, pinned] of [
      [LIMIT_SCRIPT, LIMIT_SCRIPT_SHA1, "9a14ba6e495b97c1c9a6df8f20b39ae39b84b0b4"],
    ]) {
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-1", new TextEncoder().encode(script)));
      expect(Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("")).toBe(sha1);
      expect(sha1).toBe(pinned);
      expect(await tenant.command("SCRIPT", "LOAD", script!)).toBe(sha1);
    }
  });

  it("with the Redis clock, refill follows Redis TIME and ignores the worker's clock", async () => {
    const tenant = await newTenant();
    const store = createUpstashStore(tenant.redis, { now: () => Date.now() + 3_600_000 });
    const slow = bucket("redis-clock-slow", 1, 0.001);
    expect((await store.take([slow], [])).allowed).toBe(true);
    expect((await store.take([slow], [])).allowed).toBe(false); // an hour on the worker's clock refills nothing

    const [seconds] = (await tenant.command("TIME")) as [string, string];
    const result = await store.take([bucket("redis-clock-probe", 1, 1)], []);
    expect(Math.abs(result.nowMs - Number(seconds) * 1000)).toBeLessThan(5000);

    const fast = bucket("redis-clock-fast", 1, 20);
    expect((await store.take([fast], [])).allowed).toBe(true);
    const denied = await store.take([fast], []);
    expect(denied.allowed).toBe(false);
    expect(denied.buckets[0]!.retryAfterSeconds).toBeLessThanOrEqual(0.05);
    await sleep(120);
    expect((await store.take([fast], [])).allowed).toBe(true);
  });

  it("with the worker clock, the script uses the time it is given", async () => {
    const tenant = await newTenant();
    const store = createUpstashStore(tenant.redis, { clock: "worker", now: () => 1_234_567_890_123 });
    expect((await store.take([bucket("worker-clock", 1, 1)], [])).nowMs).toBe(1_234_567_890_123);
  });

  it("1,000 concurrent takes without auto-pipelining (one HTTP request each): exactly 100 allowed", async () => {
    const tenant = await newTenant({ autoPipelining: false });
    const store = createUpstashStore(tenant.redis);
    const b = bucket("no-pipelining", 100, 0);
    const results = await Promise.all(Array.from({ length: 1000 }, () => store.take([b], [])));
    expect(results.filter((r) => r.allowed)).toHaveLength(100);
  });

  it("leaves no key without a TTL", async () => {
    const tenant = await newTenant();
    const clock = virtualClock(Date.now());
    const store = createUpstashStore(tenant.redis, { clock: "worker", now: clock.now });
    const counter = { key: "test:ttl-counter", windowSeconds: 60 };
    for (let i = 0; i < 20; i++) {
      await store.take(
        [
          bucket(`ttl-a${i % 4}`, 5, 1),
          bucket("ttl-none", 100, 0),
          bucket("ttl-when", 100, 1, 1, { counter: 0, above: 2 }),
        ],
        [{ ...counter, member: `m${i}` }],
      );
      await store.adjust([{ key: `test:ttl-a${i % 4}`, capacity: 5, refillPerSecond: 1, delta: i % 2 ? 3 : -1 }]);
      clock.advance(250);
    }
    const keys = await keysWithTtl(tenant);
    expect(keys.size).toBeGreaterThanOrEqual(5);
    for (const [key, ttl] of keys) expect({ key, ttl: ttl > 0 }).toEqual({ key, ttl: true });
  });

  it("after SCRIPT FLUSH mid-run the next take still succeeds (EVALSHA falls back to EVAL)", async () => {
    const tenant = await newTenant();
    const store = createUpstashStore(tenant.redis);
    const b = bucket("flush", 10, 0.001);
    expect((await store.take([b], [])).allowed).toBe(true);
    await tenant.resetStats();
    await tenant.command("SCRIPT", "FLUSH");
    const after = await store.take([b], []);
    expect(after.allowed).toBe(true);
    expect(after.buckets[0]!.remaining).toBe(8);
    const stats = await tenant.stats();
    expect(stats.noscript).toBeGreaterThanOrEqual(1);
    expect(stats.commands.eval).toBeGreaterThanOrEqual(1);
  });

  it("fails with an error (never a wrong answer) when the bridge answers garbage", async () => {
    const store = createUpstashStore({ evalsha: async () => "OK", eval: async () => "OK" });
    await expect(store.take([bucket("garbage", 1, 1)], [])).rejects.toThrow(/unexpected reply/);
  });
});

describe("memory store", () => {
  it("holds at most maxMembers per counter slot: fresh members cannot grow it, and the count stays at its top (issue 13)", async () => {
    const clock = virtualClock();
    const store = createMemoryStore({ now: clock.now, maxMembers: 100 });
    const counter = { key: "test:members", windowSeconds: 3600 };
    const counts: number[] = [];
    for (let i = 0; i < 1000; i++) counts.push((await store.take([], [{ ...counter, member: `m${i}` }])).counters[0]!);
    expect(counts[98]).toBe(99);
    expect(Math.max(...counts)).toBe(100);
    expect(counts[999]).toBe(100);
    // a member already counted is still known
    expect((await store.take([], [{ ...counter, member: "m5" }])).counters[0]).toBe(100);
    // the next half window adds its own, up to its own cap
    clock.advance(1_800_000);
    for (let i = 0; i < 300; i++) await store.take([], [{ ...counter, member: `n${i}` }]);
    expect((await store.take([], [{ ...counter, member: "n0" }])).counters[0]).toBe(200);
  });

  it("forgets expired entries and never holds more than maxEntries", async () => {
    const clock = virtualClock();
    const store = createMemoryStore({ now: clock.now, maxEntries: 50 });
    for (let i = 0; i < 200; i++) await store.take([bucket(`many${i}`, 10, 1)], []);
    expect(store.size()).toBeLessThanOrEqual(50);
    for (const ttl of store.ttls().values()) expect(ttl).toBeGreaterThan(0);
    clock.advance(1001);
    await store.take([], []);
    expect(store.size()).toBe(0);
  });
});
