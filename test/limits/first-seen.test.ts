// A key's first-seen record and cohort counters in the limit script's one round trip, on both stores: the take
// reads the key's age (creating the record on its first take), a cohort counter counts and judges only keys
// newer than its age, every record has a TTL, and a flood of fresh keys cannot grow the memory store unbounded.
import { describe, expect, it } from "vitest";
import { FIRST_SEEN_TTL_MS } from "../../src/limits/first-seen.ts";
import { createMemoryStore } from "../../src/limits/memory-store.ts";
import type { CounterRequest, FirstSeen } from "../../src/limits/types.ts";
import { STORES, keysWithTtl, virtualClock } from "./helpers.ts";

const DAY = 86_400_000;
const seen = (k: string): FirstSeen => ({ key: `dg:seen:${k}`, ttlMs: FIRST_SEEN_TTL_MS });
const cohort = (member: string): CounterRequest => ({
  key: "dg:@new-subnet:x:accounts",
  member,
  windowSeconds: 3600,
  newWithinMs: DAY,
});
const everyone = (member: string): CounterRequest => ({ key: "dg:@subnet:x:accounts", member, windowSeconds: 3600 });

describe.each(STORES)("first seen and cohorts on the $name store", ({ make }) => {
  it("reads a key's age, keeping its first time across takes and rewrites", async () => {
    const s = await make();
    const first = await s.store.take([], [], [], undefined, seen("a"));
    expect(first.ageMs).toBe(0);
    s.advance(5 * 60_000);
    expect((await s.store.take([], [], [], undefined, seen("a"))).ageMs).toBe(5 * 60_000);
    // past half its life the record is written again, its first time kept: an active key keeps its age
    s.advance(FIRST_SEEN_TTL_MS / 2 + DAY);
    expect((await s.store.take([], [], [], undefined, seen("a"))).ageMs).toBe(5 * 60_000 + FIRST_SEEN_TTL_MS / 2 + DAY);
    s.advance(FIRST_SEEN_TTL_MS - DAY);
    const kept = await s.store.take([], [], [], undefined, seen("a"));
    expect(kept.ageMs).toBe(5 * 60_000 + FIRST_SEEN_TTL_MS * 1.5);
    // a key unseen for longer than the TTL is new again
    s.advance(FIRST_SEEN_TTL_MS + 1);
    expect((await s.store.take([], [], [], undefined, seen("a"))).ageMs).toBe(0);
    // without a record asked for, no age
    expect((await s.store.take([], [], [])).ageMs).toBeUndefined();
    if (s.tenant) {
      const ttls = await keysWithTtl(s.tenant);
      expect(ttls.get("dg:seen:a")).toBeGreaterThan(FIRST_SEEN_TTL_MS - 60_000);
    } else {
      expect((s.store as ReturnType<typeof createMemoryStore>).ttls().get("dg:seen:a")).toBe(FIRST_SEEN_TTL_MS);
    }
  });

  it("a cohort counts and judges new keys only; an old key adds nothing and reads 0", async () => {
    const s = await make();
    // "old" was first seen two days ago
    await s.store.take([], [], [], undefined, seen("old"));
    s.advance(2 * DAY);
    const old = await s.store.take([], [cohort("old"), everyone("old")], [], undefined, seen("old"));
    expect(old.counters).toEqual([0, 1]);
    for (const k of ["n1", "n2", "n3"]) await s.store.take([], [cohort(k), everyone(k)], [], undefined, seen(k));
    const n4 = await s.store.take([], [cohort("n4"), everyone("n4")], [], undefined, seen("n4"));
    expect([n4.ageMs, n4.counters]).toEqual([0, [4, 5]]);
    // a day on, n1 is no longer new: it leaves the cohort's judgement, the others' count stays
    s.advance(DAY);
    const n1 = await s.store.take([], [cohort("n1"), everyone("n1")], [], undefined, seen("n1"));
    expect(n1.counters[0]).toBe(0);
    // a cohort counter without a first-seen record counts nothing
    expect((await s.store.take([], [cohort("x")], [])).counters).toEqual([0]);
    if (s.tenant) {
      const ttls = await keysWithTtl(s.tenant);
      expect([...ttls.keys()].filter((k) => k.startsWith("dg:seen:")).sort()).toEqual(
        ["dg:seen:n1", "dg:seen:n2", "dg:seen:n3", "dg:seen:n4", "dg:seen:old", "dg:seen:x"].filter(
          (k) => k !== "dg:seen:x",
        ),
      );
      for (const [key, ttl] of ttls) expect(ttl, key).toBeGreaterThan(0);
    }
  });

  it("with a proven marker, a cohort keeps accepted keys apart like any shared counter", async () => {
    const s = await make();
    const marker = (k: string, write = false) => ({ key: `dg:proven:${k}`, write, ttlMs: DAY });
    await s.store.take([], [cohort("p")], [], marker("p", true), seen("p"));
    for (let i = 0; i < 5; i++) await s.store.take([], [cohort(`f${i}`)], [], marker(`f${i}`), seen(`f${i}`));
    const customer = await s.store.take([], [cohort("p")], [], marker("p"), seen("p"));
    const fake = await s.store.take([], [cohort("f9")], [], marker("f9"), seen("f9"));
    expect([customer.proven, customer.counters[0]]).toEqual([true, 1]);
    expect([fake.proven, fake.counters[0]]).toEqual([false, 7]);
  });
});

describe("first-seen records in the memory store", () => {
  it("stay bounded under a flood of fresh keys", async () => {
    const clock = virtualClock();
    const store = createMemoryStore({ now: clock.now, maxEntries: 100 });
    for (let i = 0; i < 1000; i++) await store.take([], [cohort(`k${i}`)], [], undefined, seen(`k${i}`));
    const seenKeys = [...store.ttls().keys()].filter((k) => k.startsWith("dg:seen:"));
    expect(seenKeys.length).toBe(100);
    // the oldest were forgotten: such a key is new again
    expect((await store.take([], [], [], undefined, seen("k0"))).ageMs).toBe(0);
  });
});
