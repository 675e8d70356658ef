// Manual blocks in both stores: enforced inside take() (the limits' one round
// trip), listed, lifted, expired; against real Redis through the bridge and in memory.
import { describe, expect, it } from "vitest";
import { ADMIN_SCRIPT, ADMIN_SCRIPT_SHA1 } from "../../src/limits/admin-script.ts";
import {
  blockKey,
  blocksIndexKey,
  createBlockCache,
  parseBlockTarget,
  requestBlockKeys,
} from "../../src/limits/blocks.ts";
import { createMemoryStore } from "../../src/limits/memory-store.ts";
import { sha256Hex } from "../../src/limits/rules.ts";
import { createUpstashStore } from "../../src/limits/upstash-store.ts";
import { createLimiter } from "../../src/limits/limiter.ts";
import { STORES, facts, keysWithTtl, newTenant, subject, virtualClock } from "./helpers.ts";

const INDEX = blocksIndexKey("test");
const bucket = (key: string, capacity = 5) => ({ key: `test:${key}`, capacity, refillPerSecond: 1, cost: 1 });
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const sha1 = async (text: string) =>
  Array.from(new Uint8Array(await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text))), (b) =>
    b.toString(16).padStart(2, "0"),
  ).join("");

describe.each(STORES)("$name store: manual blocks", ({ make }) => {
  it("a blocked key denies the take before any bucket is charged or any account counted", async () => {
    const { store } = await make();
    await store.block(
      INDEX,
      "test:block:ip:b",
      { dimension: "ip", target: "203.0.113.7/32", reason: "scraping" },
      60_000,
    );
    const counter = { key: "test:accounts", windowSeconds: 3600, member: "acct-1" };
    const denied = await store.take([bucket("b1")], [counter], ["test:block:key:a", "test:block:ip:b"]);
    expect(denied.allowed).toBe(false);
    expect(denied.blocked).toEqual({ index: 1, ttlMs: expect.any(Number) });
    expect(denied.blocked!.ttlMs).toBeGreaterThan(50_000);
    expect(denied.blocked!.ttlMs).toBeLessThanOrEqual(60_000);
    // nothing was taken: the bucket is full and the counter empty
    const after = await store.take([{ ...bucket("b1"), cost: 0 }], [{ ...counter, member: "acct-2" }]);
    expect(after.blocked).toBeUndefined();
    expect(after.buckets[0]!.remaining).toBe(5);
    expect(after.counters).toEqual([1]);
  });

  it("without a matching block, take behaves as before and charges", async () => {
    const { store } = await make();
    await store.block(
      INDEX,
      "test:block:asn:x",
      { dimension: "asn", target: "64500", reason: "hosting abuse" },
      60_000,
    );
    const r = await store.take([bucket("b2")], [], ["test:block:key:other"]);
    expect(r.allowed).toBe(true);
    expect(r.blocked).toBeUndefined();
    expect(r.buckets[0]!.remaining).toBe(4);
  });

  it("lists blocks with their records and store times, and unblocking lets the client through again", async () => {
    const { store, now } = await make();
    const a = await store.block(
      INDEX,
      "test:block:key:k",
      { dimension: "key", target: "0123456789abcdef0123456789abcdef", reason: "null" },
      3_600_000,
    );
    await store.block(
      INDEX,
      "test:block:subnet:s",
      { dimension: "subnet", target: "198.51.100.0/24", reason: '{"json":"lookalike"} 123' },
      60_000,
    );
    expect(a.expiresAt - a.createdAt).toBe(3_600_000);
    expect(Math.abs(a.createdAt - now())).toBeLessThan(1000);
    const listed = await store.listBlocks(INDEX, 100);
    // soonest expiry first; reasons that look like JSON or null stay strings
    expect(listed.map((b) => [b.key, b.dimension, b.target, b.reason])).toEqual([
      ["test:block:subnet:s", "subnet", "198.51.100.0/24", '{"json":"lookalike"} 123'],
      ["test:block:key:k", "key", "0123456789abcdef0123456789abcdef", "null"],
    ]);
    expect(listed[1]).toMatchObject({ createdAt: a.createdAt, expiresAt: a.expiresAt });
    expect(listed[1]!.ttlMs).toBeGreaterThan(3_500_000);
    expect(await store.listBlocks(INDEX, 1)).toHaveLength(1);

    expect((await store.take([bucket("b3")], [], ["test:block:key:k"])).blocked).toBeDefined();
    expect(await store.unblock(INDEX, "test:block:key:k")).toBe(true);
    expect(await store.unblock(INDEX, "test:block:key:k")).toBe(false);
    expect((await store.take([bucket("b3")], [], ["test:block:key:k"])).allowed).toBe(true);
    expect((await store.listBlocks(INDEX, 100)).map((b) => b.key)).toEqual(["test:block:subnet:s"]);
  });

  it("blocking the same key again replaces the block (new reason, new TTL)", async () => {
    const { store } = await make();
    await store.block(INDEX, "test:block:ip:r", { dimension: "ip", target: "203.0.113.9/32", reason: "first" }, 60_000);
    await store.block(
      INDEX,
      "test:block:ip:r",
      { dimension: "ip", target: "203.0.113.9/32", reason: "second" },
      120_000,
    );
    const listed = await store.listBlocks(INDEX, 100);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ reason: "second" });
    expect(listed[0]!.ttlMs).toBeGreaterThan(60_000);
  });

  it("refuses a TTL of zero or beyond 90 days (every key has a TTL)", async () => {
    const { store } = await make();
    const entry = { dimension: "ip" as const, target: "203.0.113.9/32", reason: "x" };
    await expect(store.block(INDEX, "test:block:ip:t", entry, 0)).rejects.toThrow(RangeError);
    await expect(store.block(INDEX, "test:block:ip:t", entry, 91 * 86_400_000)).rejects.toThrow(RangeError);
  });
});

describe.each(STORES)("$name store: counters over their limit are listed", ({ make }) => {
  it("a tracked counter above its limit is listed with its live count; below it, it is not", async () => {
    const { store } = await make();
    const over = { above: 2, registry: "test:clusters" };
    const farm = { key: "test:messages:@shared:abc:accounts", windowSeconds: 3600, over };
    const quiet = { key: "test:messages:@shared:def:accounts", windowSeconds: 3600, over };
    for (const member of ["k1", "k2", "k3"])
      await store.take(
        [],
        [farm, { ...quiet, member: "q1" }].map((c) => ({ member, ...c })),
      );
    expect(await store.listCounters("test:clusters", 10)).toEqual([
      { key: farm.key, count: 3, listedUntil: expect.any(Number) },
    ]);
    await store.take([], [{ ...farm, member: "k4" }]);
    const [listed] = await store.listCounters("test:clusters", 10);
    expect(listed!.count).toBe(4);
    // listed until its current half-window slot expires (half of 3600 s at most, plus the next half)
    expect(listed!.listedUntil - (await store.take([], [])).nowMs).toBeLessThanOrEqual(3600_000);
    expect(listed!.listedUntil - (await store.take([], [])).nowMs).toBeGreaterThan(1800_000 - 1);
  });

  it("an untracked counter is never listed", async () => {
    const { store } = await make();
    for (const member of ["a", "b", "c", "d"]) await store.take([], [{ key: "test:plain", windowSeconds: 60, member }]);
    expect(await store.listCounters("test:clusters", 10)).toEqual([]);
  });
});

describe("blocks expire", () => {
  it("upstash: a block lives exactly its TTL in Redis, and leaves the listing with it", async () => {
    const tenant = await newTenant();
    const store = createUpstashStore(tenant.redis);
    await store.block(INDEX, "test:block:ip:e", { dimension: "ip", target: "203.0.113.1/32", reason: "short" }, 300);
    expect((await store.take([], [], ["test:block:ip:e"])).blocked).toBeDefined();
    await sleep(350);
    expect((await store.take([], [], ["test:block:ip:e"])).blocked).toBeUndefined();
    expect(await store.listBlocks(INDEX, 100)).toEqual([]);
  });

  it("memory: by the store's clock", async () => {
    const clock = virtualClock();
    const store = createMemoryStore({ now: clock.now });
    await store.block(INDEX, "test:block:ip:e", { dimension: "ip", target: "203.0.113.1/32", reason: "short" }, 300);
    clock.advance(299);
    expect((await store.take([], [], ["test:block:ip:e"])).blocked).toEqual({ index: 0, ttlMs: 1 });
    clock.advance(1);
    expect((await store.take([], [], ["test:block:ip:e"])).blocked).toBeUndefined();
    expect(await store.listBlocks(INDEX, 100)).toEqual([]);
  });

  it("memory: blocks are never evicted by bucket writes, and their number is bounded", async () => {
    const clock = virtualClock();
    const store = createMemoryStore({ now: clock.now, maxEntries: 10, maxBlocks: 2 });
    await store.block(INDEX, "b1", { dimension: "asn", target: "1", reason: "r" }, 60_000);
    await store.block(INDEX, "b2", { dimension: "asn", target: "2", reason: "r" }, 60_000);
    await expect(store.block(INDEX, "b3", { dimension: "asn", target: "3", reason: "r" }, 60_000)).rejects.toThrow(
      /2 blocks/,
    );
    for (let i = 0; i < 50; i++) await store.take([bucket(`evict${i}`)], []);
    expect((await store.take([], [], ["b2"])).blocked).toBeDefined();
  });
});

describe("upstash store: blocks in Redis", () => {
  it("pins the block script's SHA-1, and Redis agrees", async () => {
    expect(await sha1(ADMIN_SCRIPT)).toBe(ADMIN_SCRIPT_SHA1);
    expect(ADMIN_SCRIPT_SHA1).toBe("9f1553d6429598a87dd96e7765520a9868f475e0");
    const tenant = await newTenant();
    expect(await tenant.command("SCRIPT", "LOAD", ADMIN_SCRIPT)).toBe(ADMIN_SCRIPT_SHA1);
  });

  it("checks blocks and every bucket in one round trip (one script call)", async () => {
    const tenant = await newTenant({ autoPipelining: false });
    const store = createUpstashStore(tenant.redis);
    await store.take([bucket("warm")], []); // the first call loads the script (EVALSHA, NOSCRIPT, EVAL)
    await store.block(
      INDEX,
      "test:block:key:1rt",
      { dimension: "key", target: "0123456789abcdef0123456789abcdef", reason: "r" },
      60_000,
    );
    await tenant.resetStats();
    const allowed = await store.take(
      [bucket("rt1"), bucket("rt2"), bucket("rt3")],
      [],
      ["test:block:key:none", "test:block:ip:none", "test:block:subnet:none"],
    );
    const blocked = await store.take([bucket("rt1"), bucket("rt2")], [], ["test:block:ip:none", "test:block:key:1rt"]);
    expect(allowed.allowed).toBe(true);
    expect(blocked.blocked).toMatchObject({ index: 1 });
    const stats = await tenant.stats();
    expect(stats.requests).toBe(2);
    expect(stats.commands).toEqual({ evalsha: 2 });
  });

  it("leaves no key without a TTL, and the listing expires with its longest block", async () => {
    const tenant = await newTenant();
    const store = createUpstashStore(tenant.redis);
    await store.block(INDEX, "test:block:ip:1", { dimension: "ip", target: "203.0.113.1/32", reason: "a" }, 60_000);
    await store.block(INDEX, "test:block:ip:2", { dimension: "ip", target: "203.0.113.2/32", reason: "b" }, 600_000);
    await store.block(INDEX, "test:block:ip:3", { dimension: "ip", target: "203.0.113.3/32", reason: "c" }, 30_000);
    await store.unblock(INDEX, "test:block:ip:2");
    await store.listBlocks(INDEX, 10);
    const keys = await keysWithTtl(tenant);
    expect([...keys.keys()].sort()).toEqual(["test:block:ip:1", "test:block:ip:3", INDEX]);
    for (const [key, ttl] of keys) expect({ key, ttl: ttl > 0 }).toEqual({ key, ttl: true });
    // the index lives as long as its longest remaining block (60 s), not the lifted 600 s one
    expect(keys.get(INDEX)!).toBeLessThanOrEqual(60_000);
    expect(keys.get(INDEX)!).toBeGreaterThan(55_000);
  });

  it("the over-limit listing has a TTL (its last member's), and leaves when the counters expire", async () => {
    const tenant = await newTenant();
    const store = createUpstashStore(tenant.redis);
    const counter = { key: "test:r:@c:x:accounts", windowSeconds: 0.4, over: { above: 1, registry: "test:clusters" } };
    await store.take([], [{ ...counter, member: "a" }]);
    await store.take([], [{ ...counter, member: "b" }]);
    expect(await store.listCounters("test:clusters", 10)).toMatchObject([{ key: counter.key, count: 2 }]);
    const keys = await keysWithTtl(tenant);
    expect(keys.get("test:clusters")).toBeGreaterThan(0);
    expect(keys.get("test:clusters")).toBeLessThanOrEqual(400);
    await sleep(450);
    expect(await store.listCounters("test:clusters", 10)).toEqual([]);
    expect((await keysWithTtl(tenant)).size).toBe(0);
  });

  it("one take lists into one registry", async () => {
    const store = createUpstashStore((await newTenant()).redis);
    const counter = (registry: string) => ({
      key: `test:${registry}`,
      member: "m",
      windowSeconds: 60,
      over: { above: 0, registry },
    });
    await expect(store.take([], [counter("one"), counter("two")])).rejects.toThrow(/same registry/);
  });

  it("with the worker clock, block times are the worker's", async () => {
    const tenant = await newTenant();
    const store = createUpstashStore(tenant.redis, { clock: "worker", now: () => 1_800_000_000_000 });
    const record = await store.block(
      INDEX,
      "test:block:asn:w",
      { dimension: "asn", target: "64500", reason: "w" },
      1000,
    );
    expect(record).toMatchObject({ createdAt: 1_800_000_000_000, expiresAt: 1_800_000_001_000 });
  });
});

describe("block targets", () => {
  it.each([
    ["key", "0123456789ABCDEF0123456789abcdef", "0123456789abcdef0123456789abcdef"],
    ["ip", "203.0.113.7", "203.0.113.7/32"],
    ["ip", "203.0.113.7/32", "203.0.113.7/32"],
    ["ip", "::ffff:203.0.113.7", "203.0.113.7/32"],
    ["ip", "2001:db8:1:2:3:4:5:6", "2001:db8:1:2:0:0:0:0/64"],
    ["subnet", "203.0.113.77", "203.0.113.0/24"],
    ["subnet", "203.0.113.0/24", "203.0.113.0/24"],
    ["subnet", "2001:db8:1:2::/48", "2001:db8:1:0:0:0:0:0/48"],
    ["asn", "AS64500", "64500"],
    ["asn", 13335, "13335"],
    ["fingerprint", "fp_3f2a9c", "fp_3f2a9c"],
  ])("%s %j → %s", (dimension, raw, target) => {
    expect(parseBlockTarget(dimension, raw)).toEqual({ ok: true, dimension, target });
  });

  it.each([
    ["key", "sk-live-raw-key"],
    ["ip", "203.0.113.0/24"],
    ["ip", "not an address"],
    ["subnet", "203.0.0.0/16"],
    ["asn", "AS0"],
    ["asn", "AS99999999999"],
    ["fingerprint", "has spaces"],
    ["country", "IR"],
  ])("%s %j is refused with a message", (dimension, raw) => {
    const r = parseBlockTarget(dimension, raw);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problem).toMatch(
      dimension === "country"
        ? /dimension must be one of key, ip, subnet, asn, fingerprint/
        : new RegExp(`^${dimension}: must be`),
    );
  });

  it("a request's block keys are the keys an operator's target makes", async () => {
    const s = subject({ ip: null, ipPrefix: "203.0.113.7/32", subnet: "203.0.113.0/24", asn: 64500 });
    const keys = await requestBlockKeys("dg", { ...facts(), subject: s }, sha256Hex);
    expect(keys.map((k) => k.dimension)).toEqual(["key", "ip", "subnet", "asn", "fingerprint"]);
    const ip = parseBlockTarget("ip", "203.0.113.7");
    const asn = parseBlockTarget("asn", "AS64500");
    expect(ip.ok && (await blockKey("dg", "ip", ip.target, sha256Hex))).toBe(keys[1]!.key);
    expect(asn.ok && (await blockKey("dg", "asn", asn.target, sha256Hex))).toBe(keys[3]!.key);
    expect(keys[1]!.key).toMatch(/^dg:block:ip:[0-9a-f]{32}$/);
    expect(keys[1]!.key).not.toContain("203.0.113");
  });

  it("the isolate's block cache answers until the time it was given, and forgets on delete", () => {
    const cache = createBlockCache(2);
    cache.put("a", 1000);
    expect(cache.find(["x", "a"], 999)).toEqual({ index: 1, untilMs: 1000 });
    expect(cache.find(["a"], 1000)).toBeNull();
    cache.put("b", 5000);
    cache.delete("b");
    expect(cache.find(["b"], 0)).toBeNull();
    cache.put("c", 5000);
    cache.put("d", 5000);
    cache.put("e", 5000); // bounded: the oldest goes
    expect(cache.size()).toBe(2);
    expect(cache.find(["c"], 0)).toBeNull();
    // during a store outage an entry holds until the block's own expiry
    cache.put("f", 1000, 60_000);
    expect(cache.find(["f"], 2000)).toBeNull();
    expect(cache.find(["f"], 2000, true)).toEqual({ index: 0, untilMs: 60_000 });
    expect(cache.find(["f"], 60_000, true)).toBeNull();
  });
});

describe("the limiter and blocks", () => {
  it("hashes each dimension value once per request, for buckets and blocks together", async () => {
    const hashed: string[] = [];
    const hash = async (text: string) => (hashed.push(text), sha256Hex(text));
    const limiter = createLimiter({
      store: createMemoryStore(),
      storeConfig: { timeoutMs: 1000, onError: "open", prefix: "dg", clock: "redis" },
      hash,
    });
    const rules = [
      { name: "key-rpm", by: ["key" as const], capacity: 10, refillPerSecond: 1, cost: "request" as const },
      { name: "key-burst", by: ["key" as const], capacity: 5, refillPerSecond: 1, cost: "request" as const },
      { name: "subnet", by: ["subnet" as const], capacity: 10, refillPerSecond: 1, cost: "request" as const },
    ];
    const f = facts();
    expect((await limiter.check({ route: "messages", limits: rules, blocks: true }, f)).allowed).toBe(true);
    expect(hashed.map((t) => t.split("=")[0]).sort()).toEqual(["asn", "fingerprint", "ip", "key", "subnet"]);
  });

  it("answers a blocked request from the store once, then from the isolate until the block cache time", async () => {
    const clock = virtualClock();
    const store = createMemoryStore({ now: clock.now });
    let takes = 0;
    const counted = { ...store, take: (...args: Parameters<typeof store.take>) => (takes++, store.take(...args)) };
    const limiter = createLimiter({
      store: counted,
      storeConfig: { timeoutMs: 1000, onError: "open", prefix: "dg", clock: "redis" },
      now: clock.now,
      hash: sha256Hex,
      blockCacheMs: 30_000,
    });
    const f = facts();
    await store.block(
      INDEX,
      await blockKey("dg", "subnet", f.subject.subnet!, sha256Hex),
      { dimension: "subnet", target: f.subject.subnet!, reason: "r" },
      3_600_000,
    );
    const first = await limiter.check({ route: "messages", limits: [], blocks: true }, f);
    expect([
      first.allowed,
      first.source,
      first.findings.map((x) => [x.reason.code, x.reason.detail, x.status, x.final]),
    ]).toEqual([false, "store", [["block.manual", "subnet", 403, true]]]);
    expect((await limiter.check({ route: "messages", limits: [], blocks: true }, f)).source).toBe("cache");
    expect(takes).toBe(1);
    clock.advance(30_000);
    expect((await limiter.check({ route: "messages", limits: [], blocks: true }, f)).source).toBe("store");
    expect(takes).toBe(2);
    // without blocks on the route, the same client is not even looked up
    expect((await limiter.check({ route: "messages", limits: [] }, facts())).source).toBe("none");
    expect(takes).toBe(2);
  });

  it("while the shared store is down, a block this isolate has seen holds until its own expiry, whatever the fail mode", async () => {
    const clock = virtualClock();
    const store = createMemoryStore({ now: clock.now });
    let down = false;
    const flaky = {
      ...store,
      take: (...args: Parameters<typeof store.take>) =>
        down ? Promise.reject(new Error("store down")) : store.take(...args),
    };
    const f = facts();
    await store.block(
      INDEX,
      await blockKey("dg", "key", f.subject.keyHash!, sha256Hex),
      { dimension: "key", target: f.subject.keyHash!, reason: "r" },
      600_000,
    );
    const limiters = [];
    for (const onError of ["open", "closed", "local"] as const) {
      down = false;
      const limiter = createLimiter({
        store: flaky,
        storeConfig: { timeoutMs: 1000, onError, prefix: "dg", clock: "redis" },
        now: clock.now,
        hash: sha256Hex,
        blockCacheMs: 30_000,
      });
      expect((await limiter.check({ route: "messages", limits: [], blocks: true }, f)).source).toBe("store");
      down = true;
      clock.advance(60_000); // past the block cache time, within the block
      const during = await limiter.check({ route: "messages", limits: [], blocks: true }, f);
      expect([onError, during.allowed, during.source, during.findings.map((x) => x.reason.code)]).toEqual([
        onError,
        false,
        "cache",
        ["block.manual"],
      ]);
      // another client is decided by the fail mode as before
      const other = await limiter.check(
        { route: "messages", limits: [], blocks: true },
        facts({ subject: { keyHash: "0".repeat(32), ipPrefix: "192.0.2.1/32", subnet: "192.0.2.0/24" } }),
      );
      expect(other.findings.map((x) => x.reason.code)).not.toContain("block.manual");
      limiters.push(limiter);
    }
    clock.advance(600_000); // the block itself has expired: the fail mode decides ("open")
    expect(
      (await limiters[0]!.check({ route: "messages", limits: [], blocks: true }, f)).findings.map((x) => x.reason.code),
    ).toEqual(["store.unavailable"]);
  });
});
