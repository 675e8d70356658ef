// Keys the origin has accepted, on real Redis (through the Upstash bridge) and in memory.
import { describe, expect, it } from "vitest";
import {
  PROVEN_TTL_MS,
  createMemoryProvenKeys,
  createProvenCache,
  createRedisProvenKeys,
  type ProvenKeys,
} from "../../src/limits/proven.ts";
import { keysWithTtl, newTenant, virtualClock } from "./helpers.ts";

const HASH = "d".repeat(32);

describe("proven keys", () => {
  it("on Redis: remembered by hash with a 30-day TTL", async () => {
    const tenant = await newTenant();
    const keys = createRedisProvenKeys(tenant.redis, { prefix: "dg" });
    expect(await keys.has(HASH)).toBe(false);
    await keys.add(HASH);
    expect(await keys.has(HASH)).toBe(true);
    const ttls = await keysWithTtl(tenant);
    expect([...ttls.keys()]).toEqual([`dg:proven:${HASH}`]);
    expect(ttls.get(`dg:proven:${HASH}`)).toBeGreaterThan(PROVEN_TTL_MS - 60_000);
  });

  it("in memory: forgotten after 30 days, and bounded", async () => {
    const clock = virtualClock();
    const keys = createMemoryProvenKeys({ now: clock.now, maxKeys: 2 });
    await keys.add(HASH);
    clock.advance(PROVEN_TTL_MS + 1);
    expect(await keys.has(HASH)).toBe(false);
    for (const h of ["1", "2", "3"]) await keys.add(h.repeat(32));
    expect(await keys.has("1".repeat(32))).toBe(false);
    expect(await keys.has("3".repeat(32))).toBe(true);
  });

  it("the isolate cache asks once, remembers an acceptance, and reports a failing store as unknown", async () => {
    const inner = createMemoryProvenKeys();
    let calls = 0;
    const counted: ProvenKeys = { has: (h) => (calls++, inner.has(h)), add: (h) => (calls++, inner.add(h)) };
    const cache = createProvenCache(counted);
    expect(await Promise.all([cache.check(HASH), cache.check(HASH)])).toEqual([false, false]);
    await cache.accepted(HASH);
    await cache.accepted(HASH); // once per isolate while known
    expect(await cache.check(HASH)).toBe(true);
    expect(calls).toBe(2);
    const failing = createProvenCache({
      has: () => Promise.reject(new Error("down")),
      add: () => Promise.reject(new Error("down")),
    });
    expect(await failing.check(HASH)).toBeNull();
    await expect(failing.accepted(HASH)).resolves.toBeUndefined();
  });
});
