// Habits' tallies in the limit script's one round trip, on both stores: a share of an account's requests that
// decays with its half-life, kept as a field of the account's bucket key (read and written with its buckets, no
// command of its own), untouched by a blocked take, gone after four half-lives, with a TTL on its key; and the
// memory store bounded under a flood of fresh keys.
import { describe, expect, it } from "vitest";
import { createMemoryStore } from "../../src/limits/memory-store.ts";
import { addToTally } from "../../src/limits/tally.ts";
import type { BucketRequest, TallyRequest } from "../../src/limits/types.ts";
import { STORES, type StoreUnderTest, keysWithTtl, virtualClock } from "./helpers.ts";

const HOUR = 3_600_000;
const tally = (hit: boolean, key = "dg:messages:key:a"): TallyRequest => ({
  key,
  field: "~single-shot",
  halfLifeMs: HOUR,
  hit,
});
const rpm = (key = "dg:messages:key:a"): BucketRequest => ({
  key,
  field: "key-rpm",
  capacity: 60,
  refillPerSecond: 1,
  cost: 1,
});
const take = (s: StoreUnderTest, buckets: BucketRequest[], blocks: string[], tallies: TallyRequest[]) =>
  s.store.take(buckets, [], blocks, undefined, undefined, [], tallies);

describe("tally arithmetic", () => {
  it("halves old requests every half-life and forgets a tally after four", () => {
    let t = addToTally(null, true, HOUR, 0);
    t = addToTally(t, true, HOUR, 0);
    expect(t).toEqual({ hits: 2, requests: 2, atMs: 0 });
    t = addToTally(t, false, HOUR, HOUR);
    expect(t).toEqual({ hits: 1, requests: 2, atMs: HOUR });
    expect(addToTally(t, false, HOUR, 5 * HOUR)).toEqual({ hits: 0, requests: 1, atMs: 5 * HOUR });
  });
});

describe.each(STORES)("tallies on the $name store", ({ make }) => {
  it("decays with the half-life, shares the bucket key, and skips a blocked take", async () => {
    const s = await make();
    for (let i = 0; i < 3; i++) await take(s, [rpm()], [], [tally(true)]);
    const fourth = await take(s, [rpm()], [], [tally(false)]);
    expect(fourth.allowed).toBe(true);
    expect(fourth.buckets[0]!.remaining).toBeCloseTo(56, 0);
    expect(fourth.tallies).toEqual([{ hits: 3, requests: 4 }]);
    // an hour on, the four requests weigh half
    s.advance(HOUR);
    const later = await take(s, [], [], [tally(true)]);
    expect(later.tallies).toEqual([{ hits: 2.5, requests: 3 }]);
    // a blocked take adds nothing
    await s.store.block("dg:blocks", "dg:block:x", { dimension: "key", target: "x", reason: "test" }, 60_000);
    const blocked = await take(s, [rpm()], ["dg:block:x"], [tally(true)]);
    expect(blocked.blocked).toBeDefined();
    const after = await take(s, [], [], [tally(false)]);
    expect(after.tallies).toEqual([{ hits: 2.5, requests: 4 }]);
    // the bucket and the tally live in one key, as long as the tally (four half-lives after its last request)
    if (s.tenant) {
      const ttls = await keysWithTtl(s.tenant);
      expect([...ttls.keys()].filter((k) => k.startsWith("dg:messages:"))).toEqual(["dg:messages:key:a"]);
      expect(ttls.get("dg:messages:key:a")).toBeGreaterThan(4 * HOUR - 60_000);
      expect(ttls.get("dg:messages:key:a")).toBeLessThanOrEqual(4 * HOUR);
      // one string holds the bucket and the tally: written by one SET
      await take(s, [rpm()], [], [tally(true)]);
      const value = String(await s.tenant.command("GET", "dg:messages:key:a"));
      expect(value).toMatch(/^(?=.*\bkey-rpm )(?=.*~single-shot ).*$/);
    } else {
      expect((s.store as ReturnType<typeof createMemoryStore>).ttls().get("dg:messages:key:a")).toBe(4 * HOUR);
    }
    // four half-lives without a request: gone
    s.advance(4 * HOUR);
    expect((await take(s, [], [], [tally(false)])).tallies).toEqual([{ hits: 0, requests: 1 }]);
  });

  it("keeps each key's tallies apart, several to a key", async () => {
    const s = await make();
    const two = (hit: boolean, key: string): TallyRequest[] => [
      tally(hit, key),
      { key, field: "~reasoning", halfLifeMs: 2 * HOUR, hit: !hit },
    ];
    await take(s, [], [], two(true, "dg:m:key:a"));
    await take(s, [], [], two(true, "dg:m:key:a"));
    const b = await take(s, [], [], two(false, "dg:m:key:b"));
    expect(b.tallies).toEqual([
      { hits: 0, requests: 1 },
      { hits: 1, requests: 1 },
    ]);
    const a = await take(s, [], [], two(false, "dg:m:key:a"));
    expect(a.tallies).toEqual([
      { hits: 2, requests: 3 },
      { hits: 1, requests: 3 },
    ]);
  });
});

describe("tallies in memory", () => {
  it("a flood of fresh keys stays within maxEntries", async () => {
    const store = createMemoryStore({ maxEntries: 100, now: virtualClock().now });
    for (let i = 0; i < 1000; i++)
      await store.take([], [], [], undefined, undefined, [], [tally(true, `dg:m:key:${i}`)]);
    expect(store.ttls().size).toBeLessThanOrEqual(100);
    // the newest is kept
    expect((await store.take([], [], [], undefined, undefined, [], [tally(true, "dg:m:key:999")])).tallies).toEqual([
      { hits: 2, requests: 2 },
    ]);
  });
});
