import { describe, expect, it } from "vitest";
import { loadConfig, parseConfig } from "../../src/config/parse.ts";
import type { StoreConfig } from "../../src/config/types.ts";
import type { ClusterRule, LimitRule } from "../../src/config/types.ts";
import { parseWindow } from "../../src/config/limits.ts";
import { createLimiter } from "../../src/limits/limiter.ts";
import { STORES, counting, facts } from "./helpers.ts";

const storeConfig: StoreConfig = { timeoutMs: 500, onError: "open", prefix: "dg", clock: "redis" };
const keyRpm = (capacity: number): LimitRule => ({
  name: "key-rpm",
  by: ["key"],
  capacity,
  refillPerSecond: capacity / 60,
  cost: "request",
});
const cluster = (over: Partial<ClusterRule> = {}): ClusterRule => ({
  name: "shared-fp",
  by: ["fingerprint", "asn"],
  maxAccounts: 3,
  maxAddresses: null,
  windowSeconds: 3600,
  action: "flag",
  newKeysMs: null,
  bucket: null,
  ...over,
});
const account = (n: number, subject: Record<string, unknown> = {}) =>
  facts({ subject: { keyHash: `key-${n}`.padEnd(32, "0"), ...subject } });
const codes = (r: { findings: { reason: { code: string }; action: string }[] }) =>
  r.findings.map((f) => `${f.reason.code}:${f.action}`);

describe.each(STORES)("clusters on the $name store", ({ make }) => {
  it("flag: counts distinct accounts per fingerprint and ASN; over maxAccounts every member is flagged", async () => {
    const s = await make();
    const store = counting(s.store);
    const limiter = createLimiter({ store, storeConfig, now: s.now });
    const rules = [cluster()];
    for (let n = 1; n <= 3; n++) {
      const r = await limiter.check({ route: "messages", limits: [], clusters: rules }, account(n));
      expect(r.findings).toEqual([]);
      expect(r.clusters).toMatchObject([{ name: "shared-fp", accounts: n, maxAccounts: 3, over: false }]);
    }
    // an account seen before is not counted twice
    expect(
      (await limiter.check({ route: "messages", limits: [], clusters: rules }, account(2))).clusters[0]!.accounts,
    ).toBe(3);
    const fourth = await limiter.check({ route: "messages", limits: [], clusters: rules }, account(4));
    expect(fourth.findings).toMatchObject([
      {
        reason: {
          check: "cluster",
          code: "cluster.accounts_per_fingerprint_asn",
          detail: expect.stringMatching(/^shared-fp:[0-9a-f]{16}: 4 accounts > 3 in 3600s$/),
        },
        action: "flag",
      },
    ]);
    expect(fourth.clusters[0]!.id).toMatch(/^shared-fp:[0-9a-f]{16}$/);
    // every member, also the first ones
    expect(codes(await limiter.check({ route: "messages", limits: [], clusters: rules }, account(1)))).toEqual([
      "cluster.accounts_per_fingerprint_asn:flag",
    ]);
    // the same fingerprint on another ASN is another cluster
    const elsewhere = await limiter.check(
      { route: "messages", limits: [], clusters: rules },
      account(5, { asn: 3320 }),
    );
    expect(elsewhere.findings).toEqual([]);
    expect(elsewhere.clusters[0]!.id).not.toBe(fourth.clusters[0]!.id);
    expect(store.takes).toBe(7);
  });

  it("throttle: over maxAccounts the members share the route's per-key bucket, in the same single take", async () => {
    const s = await make();
    const store = counting(s.store);
    const limiter = createLimiter({ store, storeConfig, now: s.now });
    const limits = [keyRpm(2)];
    const rules = [cluster({ action: "throttle" })];
    const results = [];
    for (let n = 1; n <= 8; n++)
      results.push(await limiter.check({ route: "messages", limits, clusters: rules }, account(n)));
    // accounts 1-3 use their own buckets; from the 4th, the cluster is one account with 2 requests a minute
    expect(results.map((r) => (r.allowed ? "ok" : codes(r).join(",")))).toEqual([
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      ...Array(3).fill("cluster.accounts_per_fingerprint_asn:throttle"),
    ]);
    const denied = results[5]!;
    expect(denied).toMatchObject({
      allowed: false,
      source: "store",
      findings: [
        {
          action: "throttle",
          status: 429,
          reason: { detail: expect.stringMatching(/: 6 accounts > 3, limited as one account$/) },
        },
      ],
      clusters: [{ accounts: 6, over: true }],
    });
    expect(denied.findings[0]!.retryAfterSeconds).toBeGreaterThan(0);
    // the shared bucket shows in the limit states once it applies
    expect(denied.limits.map((l) => l.name)).toEqual(["key-rpm", "key-rpm"]);
    expect(results[1]!.limits.map((l) => l.name)).toEqual(["key-rpm"]);
    // the 6th asked the store; its denial is remembered, so the 7th and 8th (and any member) are answered without it
    expect(store.takes).toBe(6);
    expect(results[7]).toMatchObject({
      source: "cache",
      clusters: [{ name: "shared-fp", over: true, accounts: null }],
    });
    expect(results[7]!.findings[0]!.reason.detail).toMatch(/: over 3 accounts, limited as one account$/);
    // another network's accounts are not held back
    expect(
      (await limiter.check({ route: "messages", limits, clusters: rules }, account(99, { asn: 3320 }))).allowed,
    ).toBe(true);
    // the shared bucket refills like the key's
    s.advance(30_000);
    expect((await limiter.check({ route: "messages", limits, clusters: rules }, account(7))).allowed).toBe(true);
  });

  it("throttle with the cluster's own rate", async () => {
    const s = await make();
    const limiter = createLimiter({ store: s.store, storeConfig, now: s.now });
    const rules = [cluster({ action: "throttle", maxAccounts: 1, bucket: { capacity: 1, refillPerSecond: 1 / 60 } })];
    const results = [];
    for (let n = 1; n <= 4; n++)
      results.push((await limiter.check({ route: "messages", limits: [], clusters: rules }, account(n))).allowed);
    expect(results).toEqual([true, true, false, false]);
  });

  it("block: over maxAccounts the request is denied", async () => {
    const s = await make();
    const limiter = createLimiter({ store: s.store, storeConfig, now: s.now });
    const rules = [cluster({ action: "block", maxAccounts: 2 })];
    await limiter.check({ route: "messages", limits: [], clusters: rules }, account(1));
    await limiter.check({ route: "messages", limits: [], clusters: rules }, account(2));
    expect(
      (await limiter.check({ route: "messages", limits: [], clusters: rules }, account(3))).findings,
    ).toMatchObject([{ action: "block", status: 403, final: true }]);
  });

  it("maxAddresses: many accounts behind one address stay under the limit; rotating through the subnet's addresses goes over", async () => {
    const s = await make();
    const store = counting(s.store);
    const limiter = createLimiter({ store, storeConfig, now: s.now });
    const rules = [cluster({ name: "rotating", by: ["subnet"], maxAccounts: 3, maxAddresses: 3, action: "block" })];
    const from = (n: number, host: number) =>
      account(n, { ipPrefix: `198.51.100.${host}/32`, subnet: "198.51.100.0/24" });
    // a company: six accounts behind one NAT address
    for (let n = 1; n <= 6; n++) {
      const r = await limiter.check({ route: "messages", limits: [], clusters: rules }, from(n, 1));
      expect(r.findings).toEqual([]);
      expect(r.clusters).toMatchObject([
        { name: "rotating", accounts: n, maxAccounts: 3, addresses: 1, maxAddresses: 3, over: false },
      ]);
    }
    // elsewhere, one account rotating through six addresses is one account
    for (let host = 1; host <= 6; host++) {
      const r = await limiter.check(
        { route: "messages", limits: [], clusters: rules },
        account(100, { ipPrefix: `192.0.2.${host}/32`, subnet: "192.0.2.0/24" }),
      );
      expect(r.clusters).toMatchObject([{ accounts: 1, addresses: host, over: false }]);
    }
    expect(await s.store.listCounters("dg:clusters", 10)).toEqual([]);
    // new accounts on new addresses: over both limits at the fourth address, every member is blocked, also the company's
    for (let host = 2; host <= 3; host++)
      expect(
        (await limiter.check({ route: "messages", limits: [], clusters: rules }, from(5 + host, host))).findings,
      ).toEqual([]);
    expect(
      (await limiter.check({ route: "messages", limits: [], clusters: rules }, from(9, 4))).clusters[0],
    ).toMatchObject({ accounts: 9, addresses: 4, over: true });
    const blocked = await limiter.check({ route: "messages", limits: [], clusters: rules }, from(2, 1));
    expect(blocked.findings).toMatchObject([
      {
        action: "block",
        status: 403,
        reason: {
          code: "cluster.accounts_per_subnet",
          detail: expect.stringMatching(/: 9 accounts > 3 from 4 addresses > 3 in 3600s$/),
        },
      },
    ]);
    expect(await s.store.listCounters("dg:clusters", 10)).toMatchObject([{ count: 9 }]);
    // still one store round trip a request
    expect(store.takes).toBe(16);
  });

  it("maxAddresses with throttle: the shared bucket applies only once both counts are over", async () => {
    const s = await make();
    const limiter = createLimiter({ store: s.store, storeConfig, now: s.now });
    const rules = [
      cluster({
        by: ["subnet"],
        maxAccounts: 1,
        maxAddresses: 1,
        action: "throttle",
        bucket: { capacity: 1, refillPerSecond: 1 / 60 },
      }),
    ];
    const from = (n: number, host: number) =>
      account(n, { ipPrefix: `198.51.100.${host}/32`, subnet: "198.51.100.0/24" });
    const behindNat = [];
    for (let n = 1; n <= 4; n++)
      behindNat.push((await limiter.check({ route: "messages", limits: [], clusters: rules }, from(n, 1))).allowed);
    expect(behindNat).toEqual([true, true, true, true]);
    // a second address puts the cluster over: one request fits the shared bucket, then none
    expect((await limiter.check({ route: "messages", limits: [], clusters: rules }, from(5, 2))).allowed).toBe(true);
    const denied = await limiter.check({ route: "messages", limits: [], clusters: rules }, from(1, 1));
    expect(denied).toMatchObject({
      allowed: false,
      findings: [{ action: "throttle", status: 429, reason: { code: "cluster.accounts_per_subnet" } }],
    });
  });

  it("a cluster of one name counts across the routes that name it; another window is another cluster", async () => {
    const s = await make();
    const limiter = createLimiter({ store: s.store, storeConfig, now: s.now });
    const rules = [cluster()];
    await limiter.check({ route: "messages", limits: [], clusters: rules }, account(1));
    await limiter.check({ route: "chat", limits: [], clusters: rules }, account(2));
    await limiter.check({ route: "messages", limits: [], clusters: rules }, account(3));
    const fourth = await limiter.check({ route: "chat", limits: [], clusters: rules }, account(4));
    expect(fourth.clusters[0]).toMatchObject({ accounts: 4, over: true });
    expect(fourth.clusters[0]!.id).toBe(
      (await limiter.check({ route: "messages", limits: [], clusters: rules }, account(1))).clusters[0]!.id,
    );
    const daily = await limiter.check(
      { route: "chat", limits: [], clusters: [cluster({ windowSeconds: 86_400 })] },
      account(5),
    );
    expect(daily.clusters[0]).toMatchObject({ accounts: 1, over: false });
    expect(daily.clusters[0]!.id).not.toBe(fourth.clusters[0]!.id);
  });

  it("counts nobody without an API key or without the cluster's dimensions", async () => {
    const s = await make();
    const store = counting(s.store);
    const limiter = createLimiter({ store, storeConfig, now: s.now });
    expect(
      (await limiter.check({ route: "messages", limits: [], clusters: [cluster()] }, account(1, { keyHash: null })))
        .clusters,
    ).toEqual([]);
    expect(
      (await limiter.check({ route: "messages", limits: [], clusters: [cluster()] }, account(1, { asn: null })))
        .clusters,
    ).toEqual([]);
    expect(store.takes).toBe(0);
  });

  it("counts by prompt template", async () => {
    const s = await make();
    const limiter = createLimiter({ store: s.store, storeConfig, now: s.now });
    const rules = [cluster({ by: ["template"], maxAccounts: 2 })];
    const body = (topic: string) => ({
      model: "m",
      messages: [
        {
          role: "user",
          content: `Write a detailed biography of ${topic} covering early life, education, major scientific contributions, and lasting influence on modern science.`,
        },
      ],
    });
    const withBody = (n: number, json: unknown) => ({
      ...account(n),
      body: { bytes: new Uint8Array(), json, model: "m", models: ["m"] },
    });
    for (const [n, who] of [
      [1, "Marie Curie"],
      [2, "Alan Turing"],
    ] as const)
      await limiter.check({ route: "messages", limits: [], clusters: rules }, withBody(n, body(who)));
    expect(
      (await limiter.check({ route: "messages", limits: [], clusters: rules }, withBody(3, body("Rosalind Franklin"))))
        .findings,
    ).toMatchObject([{ reason: { code: "cluster.accounts_per_template" } }]);
    // another prompt is another template
    expect(
      (
        await limiter.check(
          { route: "messages", limits: [], clusters: rules },
          withBody(4, {
            messages: [
              {
                role: "user",
                content:
                  "Plan a three-day itinerary for a first trip to Lisbon with a focus on food, museums and architecture.",
              },
            ],
          }),
        )
      ).findings,
    ).toEqual([]);
  });
});

describe("the route's clusters section", () => {
  const route = (extra: Record<string, unknown>) => ({
    routes: [{ name: "r", match: { path: "/v1/messages" }, ...extra }],
  });

  it("reads windows, actions and rates; a template cluster reads the body", () => {
    const config = loadConfig(
      route({
        limits: [{ name: "key-rpm", by: ["key"], rate: "60 per minute" }],
        clusters: [
          { name: "fp", by: ["fingerprint", "asn"], maxAccounts: 20, window: "1h", action: "throttle" },
          { name: "tpl", by: ["template"], maxAccounts: 10, window: 1800 },
          {
            name: "own",
            by: ["subnet"],
            maxAccounts: 5,
            window: "1d",
            action: "throttle",
            rate: "10 per minute",
            capacity: 20,
          },
          { name: "rotating", by: ["subnet"], maxAccounts: 20, maxAddresses: 20, window: "10m", action: "block" },
        ],
      }),
    );
    const r = config.routes[0]!;
    expect(r.needsBody).toBe(true);
    expect(r.clusters).toEqual([
      {
        name: "fp",
        by: ["fingerprint", "asn"],
        maxAccounts: 20,
        maxAddresses: null,
        windowSeconds: 3600,
        action: "throttle",
        newKeysMs: null,
        bucket: null,
      },
      {
        name: "tpl",
        by: ["template"],
        maxAccounts: 10,
        maxAddresses: null,
        windowSeconds: 1800,
        action: "flag",
        newKeysMs: null,
        bucket: null,
      },
      {
        name: "own",
        by: ["subnet"],
        maxAccounts: 5,
        maxAddresses: null,
        windowSeconds: 86400,
        action: "throttle",
        newKeysMs: null,
        bucket: { capacity: 20, refillPerSecond: 10 / 60 },
      },
      {
        name: "rotating",
        by: ["subnet"],
        maxAccounts: 20,
        maxAddresses: 20,
        windowSeconds: 600,
        action: "block",
        newKeysMs: null,
        bucket: null,
      },
    ]);
    expect(
      loadConfig(route({ clusters: [{ name: "fp", by: ["fingerprint"], maxAccounts: 2, window: "1h" }] })).routes[0]!
        .needsBody,
    ).toBe(false);
    expect([parseWindow("90s"), parseWindow("30m"), parseWindow(" 2 h "), parseWindow("1w"), parseWindow(-5)]).toEqual([
      90,
      1800,
      7200,
      null,
      null,
    ]);
  });

  it("lists every problem by path", () => {
    const result = parseConfig(
      route({
        clusters: [
          { name: "a", by: ["key"], maxAccounts: 0, window: "1w", action: "deny" },
          { name: "b", by: ["asn", "asn"], maxAccounts: 5, window: "10s" },
          { name: "c", by: ["asn"], maxAccounts: 5, window: "1h", action: "throttle" },
          { name: "d", by: ["asn"], maxAccounts: 5, window: "1h", rate: "10 per minute" },
          { name: "d", by: ["asn"], maxAccounts: 5, window: "1h" },
          { name: "e", by: ["subnet"], maxAccounts: 5, maxAddresses: 0, window: "1h" },
        ],
      }),
    );
    expect(result.ok ? [] : result.problems).toEqual([
      'routes[0].clusters[0].by[0]: must be one of ip, subnet, asn, country, fingerprint, template, attestation (got "key")',
      "routes[0].clusters[0].maxAccounts: must be a positive integer",
      'routes[0].clusters[0].window: must be "<n>s|m|h|d" or seconds, from 1 minute to 7 days, such as "1h"',
      'routes[0].clusters[0].action: must be one of "flag", "degrade", "challenge", "throttle", "block"',
      "routes[0].clusters[1].by: must not repeat a dimension",
      'routes[0].clusters[1].window: must be "<n>s|m|h|d" or seconds, from 1 minute to 7 days, such as "1h"',
      'routes[0].clusters[2]: a throttle shares the route\'s limits by "key": add one to "limits", or give the cluster its own "rate"',
      'routes[0].clusters[3].rate: applies to "action": "throttle" only',
      'routes[0].clusters[4].name: duplicates routes[0].clusters[3].name "d"',
      "routes[0].clusters[5].maxAddresses: must be a positive integer",
    ]);
  });
});

// Redis expires the counter's half-window slots in real time, so only the memory
// store can show the window passing on a virtual clock.
describe("clusters on the memory store, over time", () => {
  const memory = STORES.find((s) => s.name === "memory")!;
  it("forgets accounts after the window", async () => {
    const s = await memory.make();
    const limiter = createLimiter({ store: s.store, storeConfig, now: s.now });
    const rules = [cluster({ maxAccounts: 2, windowSeconds: 600 })];
    for (let n = 1; n <= 3; n++) await limiter.check({ route: "messages", limits: [], clusters: rules }, account(n));
    expect(
      (await limiter.check({ route: "messages", limits: [], clusters: rules }, account(3))).clusters[0]!.over,
    ).toBe(true);
    s.advance(1_200_000);
    expect(
      (await limiter.check({ route: "messages", limits: [], clusters: rules }, account(4))).clusters[0],
    ).toMatchObject({ accounts: 1, over: false });
  });
});
