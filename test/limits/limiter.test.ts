import { describe, expect, it, vi } from "vitest";
import type { StoreConfig } from "../../src/config/types.ts";
import { createLimiter } from "../../src/limits/limiter.ts";
import type { createMemoryStore } from "../../src/limits/memory-store.ts";
import type { LimitRule } from "../../src/config/types.ts";
import { createUpstashStore } from "../../src/limits/upstash-store.ts";
import { trackUsage } from "../../src/proxy/usage.ts";
import { STORES, type Tenant, counting, facts, keysWithTtl, newTenant, virtualClock } from "./helpers.ts";

const storeConfig = (onError: StoreConfig["onError"] = "open", timeoutMs = 200): StoreConfig => ({
  timeoutMs,
  onError,
  prefix: "dg",
  clock: "redis",
});
const rule = (
  name: string,
  by: LimitRule["by"],
  capacity: number,
  refillPerSecond: number,
  cost: LimitRule["cost"] = "request",
): LimitRule => ({
  name,
  by,
  capacity,
  refillPerSecond,
  cost,
});

/** A streamed body: the chunks, then (unless `hold`) the end; with `hold`, it never ends on its own. */
function streamed(chunks: string[], hold = false): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(encoder.encode(chunks[i++]!));
      else if (!hold) controller.close();
      else return new Promise(() => {});
    },
  });
}

const sse = (events: object[]) =>
  events.map((e) => `event: ${(e as { type: string }).type}\ndata: ${JSON.stringify(e)}\n\n`);
const anthropicEvents = (text: string[], outputTokens: number) => [
  {
    type: "message_start",
    message: {
      id: "msg_1",
      type: "message",
      role: "assistant",
      content: [],
      usage: { input_tokens: 120, output_tokens: 1 },
    },
  },
  { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
  ...text.map((t) => ({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: t } })),
  { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: outputTokens } },
  { type: "message_stop" },
];

describe.each(STORES)("limiter on the $name store", ({ make }) => {
  it("allows until a bucket is empty, then throttles with 429, a stable code, Retry-After and every bucket's state", async () => {
    const s = await make();
    const limiter = createLimiter({ store: s.store, storeConfig: storeConfig(), now: s.now });
    const rules = [rule("key-rps", ["key"], 3, 1), rule("subnet", ["subnet"], 100, 10)];
    for (let i = 0; i < 3; i++) {
      const ok = await limiter.check({ route: "messages", limits: rules }, facts());
      expect(ok).toMatchObject({ allowed: true, source: "store", findings: [] });
    }
    const denied = await limiter.check({ route: "messages", limits: rules }, facts());
    expect(denied.allowed).toBe(false);
    expect(denied.findings).toEqual([
      {
        reason: { check: "rate", code: "rate.key_exhausted", detail: "key-rps" },
        action: "throttle",
        status: 429,
        retryAfterSeconds: 1,
      },
    ]);
    expect(denied.limits).toEqual([
      { name: "key-rps", capacity: 3, remaining: 0, resetSeconds: 3, windowSeconds: 3, unit: "requests" },
      { name: "subnet", capacity: 100, remaining: 97, resetSeconds: 1, windowSeconds: 10, unit: "requests" },
    ]);
    // another key, same subnet: its own bucket
    expect(
      (
        await limiter.check(
          { route: "messages", limits: rules },
          facts({ subject: { keyHash: "ffffffffffffffffffffffffffffffff" } }),
        )
      ).allowed,
    ).toBe(true);
  });

  it("1,000 concurrent checks on a three-bucket route: exactly the capacity allowed, one store call each", async () => {
    const s = await make();
    const store = counting(s.store);
    // A generous timeout: a thousand first-time EVALs on a busy machine must not fail closed.
    const limiter = createLimiter({ store, storeConfig: storeConfig("closed", 15_000), now: s.now });
    const rules = [
      rule("key", ["key"], 100, 0.001),
      rule("subnet", ["subnet"], 500, 0.001),
      rule("everyone", ["route"], 5000, 0.001),
    ];
    const results = await Promise.all(
      Array.from({ length: 1000 }, () => limiter.check({ route: "messages", limits: rules }, facts())),
    );
    expect(results.filter((r) => r.source !== "store").map((r) => r.findings)).toEqual([]);
    expect(results.filter((r) => r.allowed)).toHaveLength(100);
    expect(results.filter((r) => !r.allowed).every((r) => r.findings[0]!.reason.code === "rate.key_exhausted")).toBe(
      true,
    );
    expect(store.takes).toBe(1000);
    const next = await limiter.check(
      { route: "messages", limits: rules },
      facts({ subject: { keyHash: "dddddddddddddddddddddddddddddddd" } }),
    );
    expect(next.limits.map((l) => l.remaining)).toEqual([99, 399, 4899]);
  });

  it("cached(): the isolate's answer before the body, for the buckets whose key and cost need no body", async () => {
    const s = await make();
    const store = counting(s.store);
    const limiter = createLimiter({ store, storeConfig: storeConfig(), now: s.now });
    const perKey = rule("key-rpm", ["key"], 1, 0.5);
    const tokens = rule("key-tokens", ["key"], 1, 0.5, "tokens");
    const spec = { route: "messages", limits: [perKey, tokens] };
    // nothing remembered: nothing to say
    expect(await limiter.cached(spec, facts())).toBeNull();
    await limiter.check({ route: "messages", limits: [perKey] }, facts());
    expect(await limiter.check({ route: "messages", limits: [perKey] }, facts())).toMatchObject({ allowed: false });
    const takes = store.takes;
    const known = await limiter.cached(spec, facts());
    expect(known).toMatchObject({ allowed: false, source: "cache" });
    expect(known!.findings.map((f) => f.reason.code)).toEqual(["rate.key_exhausted"]);
    expect(store.takes).toBe(takes);
    // another key, and a token-weighted bucket alone (its cost comes from the body): not known before the body
    expect(await limiter.cached(spec, facts({ subject: { keyHash: "fedcba9876543210fedcba9876543210" } }))).toBeNull();
    expect(await limiter.cached({ route: "messages", limits: [tokens] }, facts())).toBeNull();
  });

  it("answers repeated denials from the denial cache, with no store call, until the retry time", async () => {
    const s = await make();
    const store = counting(s.store);
    const limiter = createLimiter({ store, storeConfig: storeConfig(), now: s.now });
    const rules = [rule("key-rpm", ["key"], 2, 0.5)];
    await limiter.check({ route: "messages", limits: rules }, facts());
    await limiter.check({ route: "messages", limits: rules }, facts());
    const first = await limiter.check({ route: "messages", limits: rules }, facts());
    expect(first).toMatchObject({ allowed: false, source: "store" });
    expect(first.findings[0]!.retryAfterSeconds).toBe(2);
    await s.tenant?.resetStats();
    const takes = store.takes;
    for (let i = 0; i < 10; i++) {
      const again = await limiter.check({ route: "messages", limits: rules }, facts());
      expect(again).toMatchObject({ allowed: false, source: "cache" });
      expect(again.findings[0]!.reason.code).toBe("rate.key_exhausted");
      expect(again.findings[0]!.retryAfterSeconds).toBe(i <= 5 ? 2 : 1);
      s.advance(199);
    }
    expect(store.takes).toBe(takes);
    if (s.tenant) expect((await s.tenant.stats()).requests).toBe(0);
    s.advance(10); // past the retry time: the store decides again, and there is room
    expect(await limiter.check({ route: "messages", limits: rules }, facts())).toMatchObject({
      allowed: true,
      source: "store",
    });
    expect(store.takes).toBe(takes + 1);
  });

  it("denies a cost that can never fit as final, without a store call", async () => {
    const s = await make();
    const store = counting(s.store);
    const limiter = createLimiter({ store, storeConfig: storeConfig(), now: s.now });
    const result = await limiter.check(
      { route: "messages", limits: [rule("key-tokens", ["key"], 1000, 10, "tokens")] },
      facts({ json: { max_tokens: 5000, messages: [] } }),
    );
    expect(result).toMatchObject({ allowed: false, source: "precheck" });
    expect(result.findings).toEqual([
      {
        reason: { check: "rate", code: "rate.key_tokens_too_large", detail: "key-tokens: 5000 > 1000" },
        action: "throttle",
        status: 429,
        final: true,
      },
    ]);
    expect(store.takes).toBe(0);
  });

  it("skips a rule whose dimension the request lacks (no ASN); keyless requests share their subnet's per-key bucket", async () => {
    const s = await make();
    const store = counting(s.store);
    const limiter = createLimiter({ store, storeConfig: storeConfig(), now: s.now });
    const rules = [rule("asn", ["asn"], 1, 1), rule("key", ["key"], 1, 1)];
    const result = await limiter.check(
      { route: "messages", limits: [rules[0]!] },
      facts({ subject: { keyHash: null, asn: null } }),
    );
    expect(result).toMatchObject({ allowed: true, source: "none", limits: [] });
    expect(store.takes).toBe(0);
    // never unmetered: two keyless clients of one subnet share one per-key bucket; another subnet has its own
    const keyless = (subnet: string) =>
      facts({ subject: { keyHash: null, asn: null, subnet, ipPrefix: subnet.replace("0/24", "9/32") } });
    expect((await limiter.check({ route: "messages", limits: rules }, keyless("198.51.100.0/24"))).allowed).toBe(true);
    expect(
      (await limiter.check({ route: "messages", limits: rules }, keyless("198.51.100.0/24"))).findings.map(
        (f) => f.reason.code,
      ),
    ).toEqual(["rate.key_exhausted"]);
    expect((await limiter.check({ route: "messages", limits: rules }, keyless("192.0.2.0/24"))).allowed).toBe(true);
    const more = [...rules, rule("fp", ["fingerprint"], 5, 1), rule("route", ["route"], 5, 1)];
    expect(
      (await limiter.check({ route: "messages", limits: more }, facts({ subject: { asn: null } }))).limits.map(
        (l) => l.name,
      ),
    ).toEqual(["key", "fp", "route"]);
  });

  it("post-charges token buckets with the usage of a JSON response", async () => {
    const s = await make();
    const limiter = createLimiter({ store: s.store, storeConfig: storeConfig(), now: s.now });
    const rules = [rule("key-tokens", ["key"], 10_000, 1, "tokens")];
    const body = { max_tokens: 1000, messages: [{ role: "user", content: "x".repeat(396) }] }; // 400 characters: 100 tokens
    const first = await limiter.check({ route: "messages", limits: rules }, facts({ json: body }));
    expect(first.estimatedTokens).toBe(1100);
    expect(first.limits[0]!.remaining).toBe(8900);
    const { response, usage } = trackUsage(
      Response.json({
        id: "msg_1",
        content: [{ type: "text", text: "hi" }],
        usage: { input_tokens: 120, output_tokens: 30 },
      }),
    );
    expect(await response.json()).toMatchObject({ id: "msg_1" });
    await first.reconcile(usage); // 150 used: 950 given back
    const second = await limiter.check({ route: "messages", limits: rules }, facts({ json: body }));
    expect(second.limits[0]!.remaining).toBe(10_000 - 150 - 1100);
  });

  it("post-charges with the usage of an SSE stream, and of a stream the client abandons", async () => {
    const s = await make();
    const limiter = createLimiter({ store: s.store, storeConfig: storeConfig(), now: s.now });
    const rules = [rule("key-tokens", ["key"], 100_000, 1, "tokens")];
    const body = { max_tokens: 1000, stream: true, messages: [] };
    const full = await limiter.check({ route: "messages", limits: rules }, facts({ json: body }));
    expect(full.limits[0]!.remaining).toBe(99_000);
    const done = trackUsage(
      new Response(streamed(sse(anthropicEvents(["Hello", " world"], 42))), {
        headers: { "content-type": "text/event-stream" },
      }),
    );
    await done.response.text();
    expect(await done.usage).toEqual({ inputTokens: 120, outputTokens: 42, source: "reported" });
    await full.reconcile(done.usage);

    const cut = await limiter.check({ route: "messages", limits: rules }, facts({ json: body }));
    expect(cut.limits[0]!.remaining).toBe(100_000 - 162 - 1000);
    const events = anthropicEvents(["a".repeat(40), "b".repeat(40), "c".repeat(40)], 999).slice(0, 5); // start, block, three deltas
    const partial = trackUsage(
      new Response(streamed(sse(events), true), { headers: { "content-type": "text/event-stream" } }),
    );
    const reader = partial.response.body!.getReader();
    let seen = "";
    while (!seen.includes("c".repeat(40))) seen += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel("client went away");
    expect(await partial.usage).toEqual({ inputTokens: 120, outputTokens: 30, source: "partial" });
    await cut.reconcile(partial.usage);
    const after = await limiter.check({ route: "messages", limits: rules }, facts({ json: body }));
    expect(after.limits[0]!.remaining).toBe(100_000 - 162 - 150 - 1000);
  });

  describe("token post-charges ride on the next take (issue 15)", () => {
    const tokenRules = [rule("key-rpm", ["key"], 100, 1), rule("key-tokens", ["key"], 10_000, 10, "tokens")];
    const body = { max_tokens: 1000, messages: [{ role: "user", content: "x".repeat(396) }] }; // 1,100 estimated
    const client = (n: number) => facts({ json: body, subject: { keyHash: `${n}`.padStart(32, "0") } });
    const used = (input: number, output: number) => ({
      inputTokens: input,
      outputTokens: output,
      source: "reported" as const,
    });
    // a loaded machine must not turn a slow store call into a fail-open answer here
    const generous = storeConfig("open", 2000);
    const tokensLeft = (c: { limits: { name: string; remaining: number }[] }) =>
      c.limits.find((l) => l.name === "key-tokens")!.remaining;

    it("the correction is carried by the isolate's next take, any client's: one store call per request", async () => {
      const s = await make();
      const store = counting(s.store);
      const limiter = createLimiter({ store, storeConfig: generous, now: s.now });
      const spec = { route: "messages", limits: tokenRules };
      const first = await limiter.check(spec, client(1));
      expect(tokensLeft(first)).toBe(8900);
      const settled = first.reconcile(used(120, 30)); // 150 used: 950 given back
      await vi.waitFor(() => expect(limiter.settlements.size).toBe(1));
      await limiter.check(spec, client(2)); // another client's take carries it
      await settled;
      expect(limiter.settlements.size).toBe(0);
      expect({ takes: store.takes, adjusts: store.adjusts }).toEqual({ takes: 2, adjusts: 0 });
      expect(tokensLeft(await limiter.check(spec, client(1)))).toBe(10_000 - 150 - 1100);
    });

    it("a debt carried by a later take is kept whole: the client's next Retry-After is the true wait", async () => {
      const s = await make();
      const limiter = createLimiter({ store: s.store, storeConfig: generous, now: s.now });
      const spec = { route: "messages", limits: tokenRules };
      await limiter.check(spec, client(1));
      s.advance(5_000);
      const first = await limiter.check(spec, client(1));
      const settled = first.reconcile(used(19_000, 1000)); // 20,000 used: 18,900 more than the estimate
      await vi.waitFor(() => expect(limiter.settlements.size).toBe(1));
      s.advance(50_000); // before a take carries it
      await limiter.check(spec, client(2));
      await settled;
      const denied = await limiter.check(spec, client(1));
      expect(denied.allowed).toBe(false);
      // 10,000 - 1,100 + 50 (5 s) - 1,100 - 18,900: -11,050 at the answer, -10,550 50 s later; 11,650 to wait at 10 a second
      expect(denied.findings[0]!.retryAfterSeconds).toBe(1165);
    });

    it("a correction no take follows is sent on its own after settleDelayMs", async () => {
      const s = await make();
      const store = counting(s.store);
      const limiter = createLimiter({ store, storeConfig: generous, now: s.now, settleDelayMs: 20 });
      const spec = { route: "messages", limits: tokenRules };
      const first = await limiter.check(spec, client(1));
      await first.reconcile(used(120, 30));
      expect({ takes: store.takes, adjusts: store.adjusts, waiting: limiter.settlements.size }).toEqual({
        takes: 1,
        adjusts: 1,
        waiting: 0,
      });
      expect(tokensLeft(await limiter.check(spec, client(1)))).toBe(10_000 - 150 - 1100);
    });

    it("at most maxPendingSettlements wait: reaching it sends them all in one call", async () => {
      const s = await make();
      const store = counting(s.store);
      const limiter = createLimiter({ store, storeConfig: generous, now: s.now, maxPendingSettlements: 3 });
      const spec = { route: "messages", limits: tokenRules };
      const checks = [];
      for (let n = 1; n <= 3; n++) checks.push(await limiter.check(spec, client(n)));
      const settled = checks.map((c) => c.reconcile(used(100, 0))); // 1,000 back each
      await Promise.all(settled);
      expect({ takes: store.takes, adjusts: store.adjusts, waiting: limiter.settlements.size }).toEqual({
        takes: 3,
        adjusts: 1,
        waiting: 0,
      });
      for (let n = 1; n <= 3; n++) expect(tokensLeft(await limiter.check(spec, client(n)))).toBe(10_000 - 100 - 1100);
    });
  });

  it("a fixed quota (no refill): its count per window, then 429 until the window ends, then a full quota (issue 13)", async () => {
    const s = await make();
    const limiter = createLimiter({ store: s.store, storeConfig: storeConfig(), now: s.now });
    const quota: LimitRule = {
      name: "trial",
      by: ["key"],
      capacity: 3,
      refillPerSecond: 0,
      cost: "request",
      quotaWindowSeconds: 3600,
    };
    const hourMs = 3_600_000;
    const start = s.now();
    s.advance(hourMs - (start % hourMs) + 1000); // one second into an hour
    const check = () => limiter.check({ route: "messages", limits: [quota] }, facts());
    for (let i = 0; i < 3; i++) expect((await check()).allowed).toBe(true);
    s.advance(30 * 60_000); // half an hour later: nothing refilled
    const denied = await check();
    expect(denied.allowed).toBe(false);
    expect(denied.findings).toEqual([
      expect.objectContaining({ action: "throttle", status: 429, retryAfterSeconds: 1799 }),
    ]);
    expect(denied.findings[0]!.final).toBeUndefined();
    expect(denied.limits[0]).toMatchObject({ name: "trial", remaining: 0, resetSeconds: 1799, windowSeconds: 3600 });
    s.advance(1_799_000); // the next hour: a full quota
    for (let i = 0; i < 3; i++) expect((await check()).allowed).toBe(true);
    expect((await check()).allowed).toBe(false);
  });

  it("writes keys built from hashes only: no raw key or IP in the store", async () => {
    const s = await make();
    const limiter = createLimiter({ store: s.store, storeConfig: storeConfig(), now: s.now });
    const f = facts({ subject: { ipPrefix: "2001:db8:0:0:0:0:0:0/64", subnet: "2001:db8:0:0:0:0:0:0/48" } });
    await limiter.check(
      {
        route: "messages",
        limits: [rule("key", ["key"], 5, 1), rule("ip", ["ip"], 5, 1), rule("subnet", ["subnet", "asn"], 5, 1)],
      },
      f,
    );
    const keys = s.tenant
      ? [...(await keysWithTtl(s.tenant)).keys()]
      : [...(s.store as ReturnType<typeof createMemoryStore>).ttls().keys()];
    expect(keys).toHaveLength(3);
    for (const key of keys) {
      expect(key).toMatch(/^dg:messages:(key|ip|subnet\+asn):[0-9a-f]{32}$/);
      expect(key).not.toContain(f.subject.keyHash!);
      expect(key).not.toContain("2001");
    }
  });
});

describe("limiter when the shared store fails", () => {
  const modes = ["drop", "hang", "fail"] as const;
  const rules = [rule("key-rps", ["key"], 2, 0.001)];

  async function setup(onError: StoreConfig["onError"]) {
    const tenant: Tenant = await newTenant();
    const clock = virtualClock();
    const limiter = createLimiter({
      store: createUpstashStore(tenant.redis),
      storeConfig: storeConfig(onError),
      now: clock.now,
      recoverAfterMs: 1000,
    });
    expect((await limiter.check({ route: "messages", limits: rules }, facts())).source).toBe("store");
    return { tenant, clock, limiter };
  }
  const timed = async <T>(f: () => Promise<T>) => {
    const start = Date.now();
    const value = await f();
    return { value, ms: Date.now() - start };
  };

  it.each(modes)("bridge %s, open: allows, flagged store.unavailable, within the timeout", async (mode) => {
    const { tenant, limiter } = await setup("open");
    await tenant.mode(mode);
    const { value, ms } = await timed(() => limiter.check({ route: "messages", limits: rules }, facts()));
    expect(value).toMatchObject({ allowed: true, source: "open", limits: [] });
    expect(value.findings).toEqual([
      { reason: { check: "store", code: "store.unavailable", detail: expect.any(String) }, action: "flag" },
    ]);
    expect(ms).toBeLessThan(2000);
    await tenant.mode("ok");
  });

  it.each(modes)("bridge %s, closed: 503 with Retry-After, within the timeout", async (mode) => {
    const { tenant, limiter } = await setup("closed");
    await tenant.mode(mode);
    const { value, ms } = await timed(() => limiter.check({ route: "messages", limits: rules }, facts()));
    expect(value).toMatchObject({ allowed: false, source: "closed" });
    expect(value.findings).toEqual([
      {
        reason: { check: "store", code: "store.unavailable", detail: expect.any(String) },
        action: "throttle",
        status: 503,
        retryAfterSeconds: 1,
      },
    ]);
    expect(ms).toBeLessThan(2000);
    await tenant.mode("ok");
  });

  it.each(modes)(
    "bridge %s, local: the in-memory fallback decides until the shared store answers again",
    async (mode) => {
      const { tenant, clock, limiter } = await setup("local");
      await tenant.mode(mode);
      const { value, ms } = await timed(() => limiter.check({ route: "messages", limits: rules }, facts()));
      expect(ms).toBeLessThan(2000);
      expect(value).toMatchObject({ allowed: true, source: "fallback" });
      expect(value.findings.map((f) => [f.reason.code, f.action])).toEqual([["store.fallback", "allow"]]);
      // Within recoverAfterMs the shared store is not tried: decisions are immediate and local.
      await tenant.resetStats();
      expect(await limiter.check({ route: "messages", limits: rules }, facts())).toMatchObject({
        allowed: true,
        source: "fallback",
      });
      const denied = await limiter.check({ route: "messages", limits: rules }, facts());
      expect(denied).toMatchObject({ allowed: false, source: "fallback" });
      expect(denied.findings.map((f) => f.reason.code)).toEqual(["rate.key_exhausted", "store.fallback"]);
      expect((await tenant.stats()).requests).toBe(0);
      // Back up: after recoverAfterMs one request probes the shared store, and it decides again.
      await tenant.mode("ok");
      clock.advance(1001);
      const back = await limiter.check(
        { route: "messages", limits: rules },
        facts({ subject: { keyHash: "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee" } }),
      );
      expect(back).toMatchObject({ allowed: true, source: "store", findings: [] });
    },
  );

  it("closed: requests get 503 for store.recoverAfterMs after a failure, even once the store is back, and Retry-After says when it is tried again (issue 13)", async () => {
    const tenant: Tenant = await newTenant();
    const clock = virtualClock();
    const limiter = createLimiter({
      store: createUpstashStore(tenant.redis),
      storeConfig: { ...storeConfig("closed"), recoverAfterMs: 5000 },
      now: clock.now,
    });
    const check = () =>
      limiter.check(
        { route: "messages", limits: rules },
        facts({ subject: { keyHash: "cccccccccccccccccccccccccccccccc" } }),
      );
    await tenant.mode("fail");
    const first = await check();
    expect(first).toMatchObject({ allowed: false, source: "closed" });
    expect(first.findings[0]!.retryAfterSeconds).toBe(5);
    await tenant.mode("ok");
    await tenant.resetStats();
    clock.advance(2000);
    const still = await check();
    expect(still).toMatchObject({ allowed: false, source: "closed" });
    expect(still.findings[0]!.retryAfterSeconds).toBe(3);
    clock.advance(2500);
    expect((await check()).findings[0]!.retryAfterSeconds).toBe(1);
    expect((await tenant.stats()).requests).toBe(0);
    clock.advance(500);
    expect(await check()).toMatchObject({ allowed: true, source: "store" });
  });

  it("never throws, whatever the store does", async () => {
    const broken = {
      kind: "broken",
      take: () => {
        throw new TypeError("synchronous bug");
      },
      adjust: () => Promise.reject(new Error("no")),
    };
    for (const onError of ["open", "closed", "local"] as const) {
      const limiter = createLimiter({ store: broken, storeConfig: storeConfig(onError) });
      const result = await limiter.check({ route: "messages", limits: rules }, facts());
      expect(
        result.findings.some((f) => f.reason.code === (onError === "local" ? "store.fallback" : "store.unavailable")),
      ).toBe(true);
      await expect(result.reconcile(Promise.reject(new Error("usage failed")))).resolves.toBeUndefined();
    }
  });
});
