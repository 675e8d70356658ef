// The proven marker in the limit script's one round trip, on both stores: an unproven key is counted in
// no counter and charged the unproven bucket; a proven one the other way round.
import { describe, expect, it } from "vitest";
import { PROVEN_TTL_MS, createProvenMarks, provenMarker } from "../../src/limits/proven.ts";
import type { BucketRequest, CounterRequest } from "../../src/limits/types.ts";
import { STORES, keysWithTtl, virtualClock } from "./helpers.ts";

const MARKER = provenMarker("dg", "d".repeat(32));
const unprovenBucket: BucketRequest = {
  key: "dg:r:unproven:x",
  capacity: 2,
  refillPerSecond: 1 / 60,
  cost: 1,
  unprovenOnly: true,
};
const counter = (member: string): CounterRequest => ({ key: "dg:@c:x:accounts", member, windowSeconds: 3600 });

describe.each(STORES)("the proven marker on the $name store", ({ make }) => {
  it("an unproven key is only counted, and charged the unproven bucket; once proven, the reverse", async () => {
    const s = await make();
    const first = await s.store.take([unprovenBucket], [counter("a")], [], MARKER);
    expect([first.proven, first.allowed, first.buckets[0]!.applied, first.counters]).toEqual([false, true, true, [0]]);
    await s.store.take([unprovenBucket], [counter("b")], [], MARKER);
    const third = await s.store.take([unprovenBucket], [counter("c")], [], MARKER);
    expect([third.allowed, third.counters]).toEqual([false, [0]]);
    await s.store.prove(MARKER, PROVEN_TTL_MS);
    const proven = await s.store.take([unprovenBucket], [counter("a")], [], MARKER);
    expect([proven.proven, proven.allowed, proven.buckets[0]!.applied, proven.counters]).toEqual([
      true,
      true,
      false,
      [1],
    ]);
    // without a marker given, nothing changes: members are counted, the bucket never applies
    const plain = await s.store.take([unprovenBucket], [counter("z")], []);
    expect([plain.proven, plain.buckets[0]!.applied, plain.counters]).toEqual([undefined, false, [2]]);
    if (s.tenant) {
      const ttls = await keysWithTtl(s.tenant);
      expect(ttls.get(MARKER)).toBeGreaterThan(PROVEN_TTL_MS - 60_000);
      for (const ttl of ttls.values()) expect(ttl).toBeGreaterThan(0);
    }
  });
});

describe("proven marks in the isolate", () => {
  it("writes a key's marker once while remembered, and stays bounded", () => {
    const clock = virtualClock();
    const marks = createProvenMarks({ now: clock.now, maxKeys: 2, rememberMs: 1000 });
    expect([marks.first("a"), marks.first("a")]).toEqual([true, false]);
    clock.advance(1001);
    expect(marks.first("a")).toBe(true);
    marks.first("b");
    marks.first("c"); // "a" is forgotten: at most two
    expect(marks.first("a")).toBe(true);
  });
});
