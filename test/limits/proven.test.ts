// The proven marker in the limit script's one round trip, on both stores: every key is counted among everyone,
// an accepted (proven) key also among the proven members and judged by their count; an unproven key is judged
// by everyone's count and charged the unproven bucket. The marker is written by the key's next take.
import { describe, expect, it } from "vitest";
import { PROVEN_TTL_MS, createPendingProofs, provenMarker } from "../../src/limits/proven.ts";
import type { BucketRequest, CounterRequest, ProvenMarker } from "../../src/limits/types.ts";
import { STORES, keysWithTtl } from "./helpers.ts";

const KEY = provenMarker("dg", "d".repeat(32));
const read: ProvenMarker = { key: KEY, write: false, ttlMs: PROVEN_TTL_MS };
const write: ProvenMarker = { ...read, write: true };
const unprovenBucket: BucketRequest = {
  key: "dg:r:unproven:x",
  capacity: 2,
  refillPerSecond: 1 / 60,
  cost: 1,
  unprovenOnly: true,
};
const counter = (member: string): CounterRequest => ({ key: "dg:@c:x:accounts", member, windowSeconds: 3600 });

describe.each(STORES)("the proven marker on the $name store", ({ make }) => {
  it("an unproven key is judged by everyone's count and charged the unproven bucket; a proven one by the proven members'", async () => {
    const s = await make();
    const first = await s.store.take([unprovenBucket], [counter("a")], [], read);
    expect([first.proven, first.allowed, first.buckets[0]!.applied, first.counters]).toEqual([false, true, true, [1]]);
    await s.store.take([unprovenBucket], [counter("b")], [], read);
    const third = await s.store.take([unprovenBucket], [counter("c")], [], read);
    expect([third.allowed, third.counters]).toEqual([false, [3]]);
    // "a" was accepted by the origin: its next take writes the marker and counts it among the proven members
    const proven = await s.store.take([unprovenBucket], [counter("a")], [], write);
    expect([proven.proven, proven.allowed, proven.buckets[0]!.applied, proven.counters]).toEqual([
      true,
      true,
      false,
      [1],
    ]);
    const again = await s.store.take([unprovenBucket], [counter("a")], [], read);
    expect([again.proven, again.counters]).toEqual([true, [1]]);
    // without a marker given, nothing changes: every member counted, the bucket never applies
    const plain = await s.store.take([unprovenBucket], [counter("z")], []);
    expect([plain.proven, plain.buckets[0]!.applied, plain.counters]).toEqual([undefined, false, [4]]);
    if (s.tenant) {
      const ttls = await keysWithTtl(s.tenant);
      expect(ttls.get(KEY)).toBeGreaterThan(PROVEN_TTL_MS - 60_000);
      // the proven members live in the counter's record, under its field with "!" (script.ts)
      expect(String(await s.tenant.command("GET", "dg:@c:x:accounts"))).toMatch(/(^| )-! \d+ \d+ [0-9a-f]{12} -( |$)/);
      for (const ttl of ttls.values()) expect(ttl).toBeGreaterThan(0);
    }
  });

  it("made-up keys do not move the count a proven key is judged by", async () => {
    const s = await make();
    for (const k of ["p1", "p2"]) {
      await s.store.take([], [counter(k)], [], { key: `dg:proven:${k}`, write: true, ttlMs: PROVEN_TTL_MS });
    }
    for (let i = 0; i < 30; i++)
      await s.store.take([], [counter(`fake-${i}`)], [], { ...read, key: `dg:proven:f${i}` });
    const customer = await s.store.take([], [counter("p1")], [], { key: "dg:proven:p1", write: false, ttlMs: 1 });
    const fresh = await s.store.take([], [counter("new")], [], { key: "dg:proven:new", write: false, ttlMs: 1 });
    expect([customer.proven, customer.counters[0]]).toEqual([true, 2]);
    expect([fresh.proven, fresh.counters[0]]).toEqual([false, 33]);
  });
});

describe("pending proofs in the isolate", () => {
  it("hands a key's proof to its next take once, and stays bounded", () => {
    const proofs = createPendingProofs(2);
    expect(proofs.take("a")).toBe(false);
    proofs.add("a");
    expect([proofs.take("a"), proofs.take("a")]).toEqual([true, false]);
    proofs.add("a");
    proofs.add("b");
    proofs.add("c"); // "a" is forgotten: at most two
    expect([proofs.take("a"), proofs.take("b"), proofs.take("c")]).toEqual([false, true, true]);
  });
});
